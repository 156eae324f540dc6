//! Where a duplicated TOML key was first defined. The TOML parser reports only the second definition; a
//! user fixing it needs both places (cargo-deny's lesson: label every span the mistake involves).
//!
//! A line-level reading of TOML, enough for key paths: table headers (`[a.b]`, `[[a]]`), dotted keys
//! (`a."b.c" = 1`, bare, basic and literal quoted keys) and multi-line strings (skipped). Anything it does
//! not understand yields no second label, never a wrong one.

use std::ops::Range;

/// One key segment and its byte range in the text.
type Segment = (String, Range<usize>);

/// The span of the first definition of the key (or table) whose second definition is at `dup`.
pub fn first_definition(text: &str, dup: &Range<usize>) -> Option<Range<usize>> {
    let lines = lines(text);
    let (dup_line, dup_path) = lines.iter().find_map(|l| {
        let (segments, _) = &l.1;
        let i = segments.iter().position(|(_, r)| r.start == dup.start)?;
        Some((l, full_path(l, i)))
    })?;
    for line in &lines {
        if line.0 >= dup_line.0 {
            break;
        }
        let (segments, _) = &line.1;
        for (i, (_, range)) in segments.iter().enumerate() {
            if full_path(line, i) == dup_path {
                return Some(range.clone());
            }
        }
    }
    None
}

/// A parsed line: its start offset, (key segments, is-a-header), and the table it sits in.
type Line = (usize, (Vec<Segment>, bool), Vec<String>);

/// The key path up to and including segment `i` of `line`, from the document root.
fn full_path(line: &Line, i: usize) -> Vec<String> {
    let (_, (segments, header), table) = line;
    let mut path = if *header { Vec::new() } else { table.clone() };
    path.extend(segments[..=i].iter().map(|(k, _)| k.clone()));
    path
}

/// Every header or key/value line, with the table it belongs to.
fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut table: Vec<String> = Vec::new();
    let mut in_multiline: Option<&str> = None;
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let at = start;
        start += raw.len();
        if let Some(close) = in_multiline {
            if raw.matches(close).count() % 2 == 1 {
                in_multiline = None;
            }
            continue;
        }
        let body = raw.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let line = &body[indent..];
        let offset = at + indent;
        if let Some(rest) = line.strip_prefix('[') {
            let (rest, skip) = match rest.strip_prefix('[') {
                Some(r) => (r, 2),
                None => (rest, 1),
            };
            if let Some((segments, _)) = keys(rest, offset + skip) {
                table = segments.iter().map(|(k, _)| k.clone()).collect();
                if skip == 2 {
                    // Each `[[array]]` header starts a new element: its keys are new keys.
                    table.push(format!("[[{at}]]"));
                } else {
                    out.push((at, (segments, true), Vec::new()));
                }
            }
            continue;
        }
        if let Some((segments, after)) = keys(line, offset) {
            let value = line
                .get(after..)
                .and_then(|v| v.trim_start().strip_prefix('='));
            if let Some(value) = value {
                for delim in ["\"\"\"", "'''"] {
                    if value.matches(delim).count() % 2 == 1 {
                        in_multiline = Some(delim);
                    }
                }
                out.push((at, (segments, false), table.clone()));
            }
        }
    }
    out
}

/// Dotted key segments at the start of `s` (which starts at `offset` in the text), and where they end.
fn keys(s: &str, offset: usize) -> Option<(Vec<Segment>, usize)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let begin = i;
        let key = match bytes.get(i)? {
            b'"' => {
                let mut k = String::new();
                i += 1;
                loop {
                    match *bytes.get(i)? {
                        b'"' => break,
                        b'\\' => {
                            let c = s.get(i + 1..)?.chars().next()?;
                            k.push(c);
                            i += 1 + c.len_utf8();
                        }
                        _ => {
                            let c = s.get(i..)?.chars().next()?;
                            k.push(c);
                            i += c.len_utf8();
                        }
                    }
                }
                i += 1;
                k
            }
            b'\'' => {
                let end = s.get(i + 1..)?.find('\'')? + i + 1;
                let k = s.get(i + 1..end)?.to_string();
                i = end + 1;
                k
            }
            _ => {
                let rest = s.get(i..)?;
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .map_or(s.len(), |e| e + i);
                if end == i {
                    return None;
                }
                let k = s.get(i..end)?.to_string();
                i = end;
                k
            }
        };
        out.push((key, offset + begin..offset + i));
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            continue;
        }
        return Some((out, i));
    }
}

#[cfg(test)]
mod tests {
    use super::first_definition;

    fn first(text: &str, dup: &str) -> Option<String> {
        let at = text.rfind(dup)?;
        first_definition(text, &(at..at + dup.len())).map(|r| {
            let line = text[..r.start].matches('\n').count() + 1;
            format!("{line}:{}", &text[r])
        })
    }

    #[test]
    fn finds_the_first_key_table_or_dotted_definition() {
        assert_eq!(
            first(
                "[rules]\n\"data/x\" = \"off\"\n\"data/x\" = \"warning\"\n",
                "\"data/x\""
            ),
            Some("2:\"data/x\"".into())
        );
        assert_eq!(
            first(
                "[history]\nmax-commits = 3\nmax-commits = 4\n",
                "max-commits"
            ),
            Some("2:max-commits".into())
        );
        assert_eq!(
            first("[scan]\nfail-closed = true\n\n[scan]\n", "scan"),
            Some("1:scan".into())
        );
        // `github.reviews` defined as a table, then again by a dotted key under [github].
        assert_eq!(
            first(
                "[github.reviews]\ncommits = 3\n[github]\nreviews.commits = 4\n",
                "reviews"
            ),
            Some("1:reviews".into())
        );
        // The same key in another table is not a first definition.
        assert_eq!(
            first(
                "[history]\nrequire = true\n[github]\nrequire = true\nrequire = false\n",
                "require"
            ),
            Some("4:require".into())
        );
        // Each element of an array of tables has keys of its own.
        assert_eq!(
            first("[[a]]\nx = 1\n[[a]]\nx = 2\nx = 3\n", "x"),
            Some("4:x".into())
        );
        // Lines inside a multi-line string are not keys.
        assert_eq!(
            first("x = \"\"\"\ny = 1\n\"\"\"\ny = 2\ny = 3\n", "y"),
            Some("4:y".into())
        );
    }

    #[test]
    fn garbage_gives_nothing_rather_than_a_wrong_place() {
        assert_eq!(first("= = =\n[\n\"unterminated\n", "="), None);
        assert_eq!(first("a = 1\n", "b"), None);
    }
}
