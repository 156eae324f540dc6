//! A column's value as the pieces the rules read: the value itself, or every string and number inside a
//! JSON document (each with its key path), or each element of an array.
//!
//! The same value is read the same way from every source: a text value that is a JSON object or array, or
//! an array in PostgreSQL's `{a,b}` form, is read as one whatever the column's declared type, so a CSV
//! export (which has no types) gives what the database gives.

use super::columns::Kind;

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

/// A JSON object or array (a bare JSON string or number is read as the text it is), walked as it is
/// parsed: no document is built, each string and number is taken straight from the input (unescaped
/// where it must be).
fn try_json(raw: &[u8], path: &mut String, emit: &mut dyn FnMut(&str, &[u8])) -> bool {
    let first = raw.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if !matches!(first, Some(b'{') | Some(b'[')) {
        return false;
    }
    // Walked once into a reused buffer, handed on only when the whole document parsed: text that only
    // starts like JSON gives nothing here (the caller reads it as text).
    COLLECTED.with(|cell| {
        let Ok(mut got) = cell.try_borrow_mut() else {
            return false;
        };
        got.clear();
        path.clear();
        path.push('$');
        let mut de = serde_json::Deserializer::from_slice(raw);
        let ok = serde::de::DeserializeSeed::deserialize(
            Walk {
                path: &mut *path,
                emit: &mut |p: &str, b: &[u8]| got.push(p, b),
            },
            &mut de,
        )
        .and_then(|()| de.end())
        .is_ok();
        path.clear();
        if ok {
            for (p, b) in got.iter() {
                emit(p, b);
            }
        }
        ok
    })
}

/// Pieces of one JSON document: paths and values in two buffers, reused from value to value.
#[derive(Default)]
struct Collected {
    text: Vec<u8>,
    items: Vec<(usize, usize, usize)>,
}

impl Collected {
    fn clear(&mut self) {
        self.text.clear();
        self.items.clear();
    }

    fn push(&mut self, path: &str, value: &[u8]) {
        let start = self.text.len();
        self.text.extend_from_slice(path.as_bytes());
        let mid = self.text.len();
        self.text.extend_from_slice(value);
        self.items.push((start, mid, self.text.len()));
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.items.iter().map(|&(s, m, e)| {
            (
                std::str::from_utf8(&self.text[s..m]).unwrap_or(""),
                &self.text[m..e],
            )
        })
    }
}

thread_local! {
    static COLLECTED: std::cell::RefCell<Collected> = std::cell::RefCell::new(Collected::default());
}

/// A JSON value being walked: strings and numbers go to `emit` with the path that leads to them.
struct Walk<'p, 'e> {
    path: &'p mut String,
    emit: &'e mut dyn FnMut(&str, &[u8]),
}

impl<'de> serde::de::DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        (self.emit)(self.path, v.as_bytes());
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        (self.emit)(self.path, v.to_string().as_bytes());
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        (self.emit)(self.path, v.to_string().as_bytes());
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        let text = serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string());
        (self.emit)(self.path, text.as_bytes());
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let len = self.path.len();
        self.path.push_str("[]");
        while seq
            .next_element_seed(Walk {
                path: &mut *self.path,
                emit: &mut *self.emit,
            })?
            .is_some()
        {}
        self.path.truncate(len);
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let len = self.path.len();
        self.path.push('.');
        while map.next_key_seed(Key(&mut *self.path))?.is_some() {
            map.next_value_seed(Walk {
                path: &mut *self.path,
                emit: &mut *self.emit,
            })?;
            self.path.truncate(len + 1);
        }
        self.path.truncate(len);
        Ok(())
    }
}

/// An object key, appended to the path as it is read (no string allocated per key).
struct Key<'p>(&'p mut String);

impl<'de> serde::de::DeserializeSeed<'de> for Key<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for Key<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
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
