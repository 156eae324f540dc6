//! A column's value as the pieces the rules read: the value itself, or every string and number inside a
//! JSON document (each with its key path), or each element of an array.
//!
//! The same value is read the same way from every source: a text value that is a JSON object or array, or
//! an array in PostgreSQL's `{a,b}` form, is read as one whatever the column's declared type, so a CSV
//! export (which has no types) gives what the database gives.

use super::columns::Kind;
use serde_json::Value;

/// Call `emit(path, bytes)` for each piece of `raw`; `path` is empty for the value itself, else
/// `$.key.sub`, `$[]` (array elements are one path), `$.emails[]`.
pub fn pieces(kind: Kind, raw: &[u8], path: &mut String, emit: &mut dyn FnMut(&str, &[u8])) {
    path.clear();
    match kind {
        Kind::Number => emit("", raw),
        Kind::Json => json_or_text(raw, path, emit),
        Kind::TextArray | Kind::JsonArray | Kind::Text => {
            let first = raw.iter().find(|b| !b.is_ascii_whitespace()).copied();
            match first {
                Some(b'{') | Some(b'[') if kind != Kind::TextArray => {
                    if !try_json(raw, path, emit) && !try_array(raw, kind, path, emit) {
                        emit("", raw);
                    }
                }
                Some(b'{') | Some(b'[') => {
                    if !try_array(raw, kind, path, emit) {
                        emit("", raw);
                    }
                }
                _ => emit("", raw),
            }
        }
    }
}

fn json_or_text(raw: &[u8], path: &mut String, emit: &mut dyn FnMut(&str, &[u8])) {
    if !try_json(raw, path, emit) {
        emit("", raw);
    }
}

/// A JSON object or array (a bare JSON string or number is read as the text it is).
fn try_json(raw: &[u8], path: &mut String, emit: &mut dyn FnMut(&str, &[u8])) -> bool {
    match serde_json::from_slice::<Value>(raw) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => {
            path.push('$');
            walk(&v, path, emit);
            path.clear();
            true
        }
        _ => false,
    }
}

fn walk(v: &Value, path: &mut String, emit: &mut dyn FnMut(&str, &[u8])) {
    let len = path.len();
    match v {
        Value::String(s) => emit(path, s.as_bytes()),
        Value::Number(n) => emit(path, n.to_string().as_bytes()),
        Value::Array(items) => {
            path.push_str("[]");
            for item in items {
                walk(item, path, emit);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push('.');
                path.push_str(key);
                walk(item, path, emit);
                path.truncate(len);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
    path.truncate(len);
}

/// PostgreSQL's array form, `{a,"b c",NULL,{d}}` (optionally after `[1:2]=` bounds): each element, nested
/// arrays flattened; elements of a json array are read as JSON.
fn try_array(raw: &[u8], kind: Kind, path: &mut String, emit: &mut dyn FnMut(&str, &[u8])) -> bool {
    let start = match memchr::memchr(b'{', raw) {
        Some(i) if raw[..i].iter().all(|b| b"[]:=0123456789- ".contains(b)) => i,
        _ => return false,
    };
    let mut elements: Vec<Vec<u8>> = Vec::new();
    if !parse_array(&raw[start..], &mut elements) {
        return false;
    }
    path.clear();
    path.push_str("$[]");
    for e in &elements {
        if kind == Kind::JsonArray {
            let mut sub = String::new();
            if try_json(e, &mut sub, &mut |p, b| {
                let joined = format!("$[]{}", p.trim_start_matches('$'));
                emit(&joined, b)
            }) {
                continue;
            }
        }
        emit(path, e);
    }
    path.clear();
    true
}

/// Elements of `{…}` (which must be all of `s`, trailing whitespace aside), or false when it is not one.
fn parse_array(s: &[u8], out: &mut Vec<Vec<u8>>) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    let mut elem: Vec<u8> = Vec::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut closed = false;
    while i < s.len() {
        let b = s[i];
        if quoted {
            match b {
                b'\\' if i + 1 < s.len() => {
                    elem.push(s[i + 1]);
                    i += 1;
                }
                b'"' => quoted = false,
                _ => elem.push(b),
            }
            i += 1;
            continue;
        }
        match b {
            b'{' => depth += 1,
            b'}' | b',' => {
                if !elem.is_empty() || was_quoted {
                    let unquoted_null = !was_quoted && elem.eq_ignore_ascii_case(b"NULL");
                    if !unquoted_null {
                        out.push(std::mem::take(&mut elem));
                    }
                }
                elem.clear();
                was_quoted = false;
                if b == b'}' {
                    if depth == 0 {
                        return false;
                    }
                    depth -= 1;
                    if depth == 0 {
                        closed = true;
                        i += 1;
                        break;
                    }
                }
            }
            b'"' => {
                quoted = true;
                was_quoted = true;
            }
            b'\\' if i + 1 < s.len() => {
                elem.push(s[i + 1]);
                i += 1;
            }
            b if b.is_ascii_whitespace() && elem.is_empty() => {}
            _ => elem.push(b),
        }
        i += 1;
    }
    closed && s[i..].iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(kind: Kind, raw: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut path = String::new();
        pieces(kind, raw.as_bytes(), &mut path, &mut |p, b| {
            out.push((p.to_string(), String::from_utf8_lossy(b).into_owned()))
        });
        out
    }

    #[test]
    fn json_values_carry_their_key_path() {
        assert_eq!(
            all(
                Kind::Json,
                r#"{"contact":{"email":"q@example.com","phones":["07700 900 982"]},"nhs":9990000018,"ok":true}"#
            ),
            vec![
                ("$.contact.email".into(), "q@example.com".into()),
                ("$.contact.phones[]".into(), "07700 900 982".into()),
                ("$.nhs".into(), "9990000018".into()),
            ]
        );
        // Escapes in JSON are read, not searched as written.
        assert_eq!(
            all(Kind::Json, r#"{"e":"q\u0040example.com"}"#),
            vec![("$.e".into(), "q@example.com".into())]
        );
        // Not JSON after all: the text itself.
        assert_eq!(
            all(Kind::Json, "{broken"),
            vec![("".into(), "{broken".into())]
        );
    }

    #[test]
    fn arrays_give_their_elements() {
        assert_eq!(
            all(
                Kind::TextArray,
                r#"{a@example.com,"John Doe",NULL,"NULL",{x}}"#
            ),
            vec![
                ("$[]".into(), "a@example.com".into()),
                ("$[]".into(), "John Doe".into()),
                ("$[]".into(), "NULL".into()),
                ("$[]".into(), "x".into()),
            ]
        );
        assert_eq!(
            all(Kind::JsonArray, r#"{"{\"email\":\"a@example.com\"}"}"#),
            vec![("$[].email".into(), "a@example.com".into())]
        );
    }

    #[test]
    fn text_that_is_json_or_an_array_is_read_as_one_whatever_the_source() {
        assert_eq!(
            all(Kind::Text, r#"{"hint":"name@example.com"}"#),
            vec![("$.hint".into(), "name@example.com".into())]
        );
        assert_eq!(
            all(Kind::Text, "{a,b}"),
            vec![("$[]".into(), "a".into()), ("$[]".into(), "b".into())]
        );
        assert_eq!(
            all(Kind::Text, "{not closed"),
            vec![("".into(), "{not closed".into())]
        );
        assert_eq!(all(Kind::Text, "plain"), vec![("".into(), "plain".into())]);
    }
}
