//! Inline suppressions: `shipgate:allow(RULE-ID[, RULE-ID…]) reason` in any comment syntax, on the
//! finding's line or the line above. The reason is required: an allow without one does not suppress.

use crate::finding::{FileSpan, Finding};
use crate::repo::files::{FileCheck, FileEntry};
use crate::repo::text::LineIndex;
use std::sync::Mutex;

const MARKER: &[u8] = b"shipgate:allow(";

/// One `shipgate:allow(...)` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub line: u32,
    /// The whole directive, for diagnostics.
    pub span: FileSpan,
    /// Rule ids with their places.
    pub rules: Vec<(String, FileSpan)>,
    pub reason: Option<String>,
    /// Alone on its line (only comment syntax before it): it also covers the next line. A trailing
    /// allow after code covers only the code on its own line.
    pub own_line: bool,
}

impl Directive {
    /// Does this directive cover a finding of `rule` on `line`?
    pub fn covers(&self, rule: &str, line: u32) -> bool {
        (line == self.line || (self.own_line && line == self.line + 1))
            && self.rules.iter().any(|(r, _)| r == rule)
    }
}

/// Every directive in a file's bytes.
pub fn parse(path: &str, content: &[u8]) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut lines = LineIndex::new(content);
    for start in memchr::memmem::find_iter(content, MARKER) {
        let open = start + MARKER.len();
        let line_end = memchr::memchr(b'\n', &content[open..]).map_or(content.len(), |i| open + i);
        let Some(close) = memchr::memchr(b')', &content[open..line_end]).map(|i| open + i) else {
            continue; // `shipgate:allow(` with no `)` on the line is prose, not a directive
        };
        let line_start = memchr::memrchr(b'\n', &content[..start]).map_or(0, |i| i + 1);
        if !in_comment(&content[line_start..start]) {
            continue;
        }
        let mut rules = Vec::new();
        let mut pos = open;
        for part in content[open..close].split(|&b| b == b',') {
            let lead = part.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let trimmed = part.trim_ascii();
            if !trimmed.is_empty() {
                let s = pos + lead;
                rules.push((
                    String::from_utf8_lossy(trimmed).into_owned(),
                    lines.span(path, s, s + trimmed.len()),
                ));
            }
            pos += part.len() + 1;
        }
        let reason = clean_reason(&content[close + 1..line_end]);
        let span = lines.span(path, start, line_end);
        let own_line = content[line_start..start]
            .iter()
            .all(|b| b.is_ascii_whitespace() || b"#/*!<-;{%'".contains(b));
        out.push(Directive {
            line: span.line,
            span,
            rules,
            reason,
            own_line,
        });
    }
    out
}

/// Comment leaders a directive may follow on its line.
const LEADERS: &[&[u8]] = &[
    b"//", b"/*", b"<!--", b"{#", b"<%#", b"#", b"--", b";", b"*", b"%", b"'",
];

/// Is a directive starting after `prefix` (the text before it on its line) inside a comment? It must
/// follow a comment leader that is not itself inside a double-quoted string, and must not be quoted
/// (`` `shipgate:allow(..)` `` in docs is an example, not a directive).
fn in_comment(prefix: &[u8]) -> bool {
    if matches!(prefix.last(), Some(b'`' | b'"' | b'\'')) {
        return false;
    }
    let mut quotes = 0usize;
    for (i, &b) in prefix.iter().enumerate() {
        if b == b'"' && (i == 0 || prefix[i - 1] != b'\\') {
            quotes += 1;
        } else if quotes % 2 == 0 && LEADERS.iter().any(|l| prefix[i..].starts_with(l)) {
            return true;
        }
    }
    false
}

/// The reason after `)`: separators and comment closers stripped; None if nothing meaningful is left.
fn clean_reason(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let mut s = text.trim();
    for closer in ["*/", "-->", "#}", "%>", "--}}", "}}", "*)"] {
        s = s.strip_suffix(closer).unwrap_or(s).trim_end();
    }
    let s = s.trim_start_matches([':', '-', '—', '–', ' ', '\t']).trim();
    (s.chars().filter(|c| c.is_alphanumeric()).count() >= 3).then(|| s.to_string())
}

/// Collects directives from every file the walk reads anyway (it never causes a read by itself).
#[derive(Default)]
pub struct InlineAllows {
    found: Mutex<Vec<Directive>>,
}

impl InlineAllows {
    pub fn into_directives(self) -> Vec<Directive> {
        let mut d = self.found.into_inner().unwrap_or_else(|p| p.into_inner());
        d.sort_by(|a, b| (&a.span.path, a.line).cmp(&(&b.span.path, b.line)));
        d
    }
}

impl FileCheck for InlineAllows {
    fn wants(&self, _file: &FileEntry) -> bool {
        true
    }

    fn passive(&self) -> bool {
        true
    }

    fn check(&self, file: &FileEntry, content: &[u8], _out: &mut Vec<Finding>) {
        // Documentation is read for the written process, and no rule reports it: an allow written in it
        // is the syntax being documented (an allow comment shown in a code block), never a suppression.
        if file.class == crate::repo::classify::FileClass::Docs
            || memchr::memmem::find(content, MARKER).is_none()
        {
            return;
        }
        let mut directives = parse(&file.path, content);
        // An allow inside Rust test code cannot be about production findings: it is test data.
        if file.lang == crate::repo::classify::Lang::Rust {
            let test_code = crate::repo::regions::rust_test_regions(content);
            directives.retain(|d| !crate::repo::regions::contains(&test_code, d.span.span.0));
        }
        if !directives.is_empty() {
            self.found
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(directives);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_spans_and_reasons_in_any_comment_syntax() {
        let src = b"x = 1\n# shipgate:allow(data/reserved-email) seeded demo tenant, never sent\n\
            /* shipgate:allow(data/lorem-ipsum, data/placeholder-person): CMS preview page */\n\
            <!-- shipgate:allow(switch/debug-enabled) -->\n";
        let d = parse("a.py", src);
        assert_eq!(d.len(), 3);
        assert_eq!(
            (d[0].line, d[0].reason.as_deref()),
            (2, Some("seeded demo tenant, never sent"))
        );
        let id_span = d[0].rules[0].1.span;
        assert_eq!(&src[id_span.0..id_span.1], b"data/reserved-email");
        assert_eq!((d[0].rules[0].1.line, d[0].rules[0].1.column), (2, 18));
        assert_eq!(
            d[1].rules.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            vec!["data/lorem-ipsum", "data/placeholder-person"]
        );
        assert_eq!(d[1].reason.as_deref(), Some("CMS preview page"));
        assert_eq!(d[2].reason, None, "a comment closer is not a reason");
        assert!(d[0].covers("data/reserved-email", 3) && d[0].covers("data/reserved-email", 2));
        assert!(!d[0].covers("data/reserved-email", 4) && !d[0].covers("data/lorem-ipsum", 2));
        let trailing = parse("a.py", b"x = 1  # shipgate:allow(data/x) because\ny = 2\n");
        assert!(
            trailing[0].covers("data/x", 1) && !trailing[0].covers("data/x", 2),
            "a trailing allow covers its own line only"
        );
    }

    #[test]
    fn only_unquoted_directives_in_comments_count() {
        assert!(
            parse("a.rs", b"let s = \"shipgate:allow(data/x) reason\";\n").is_empty(),
            "a string is not a comment"
        );
        assert!(
            parse(
                "a.rs",
                b"/// Use `shipgate:allow(data/x) reason` to suppress\n"
            )
            .is_empty(),
            "quoted in docs"
        );
        assert!(
            parse("a.py", b"x = \"# shipgate:allow(data/x) r\"  \n").is_empty(),
            "a # inside a string"
        );
        assert_eq!(
            parse("a.py", b"x = \"a\"  # shipgate:allow(data/x) real reason\n").len(),
            1
        );
        assert_eq!(
            parse(
                "a.sql",
                b"-- shipgate:allow(data/x) seed for the demo tenant\n"
            )
            .len(),
            1
        );
        assert_eq!(
            parse("a.html", b"<!-- shipgate:allow(data/x) GOV.UK hint -->\n").len(),
            1
        );
    }

    #[test]
    fn unterminated_and_garbage_input() {
        assert!(parse("a", b"# shipgate:allow(").is_empty());
        assert!(parse("a", b"# shipgate:allow(x\n) reason").is_empty());
        let d = parse("a", b"# shipgate:allow() \xff\xfe ok");
        assert_eq!(d.len(), 1);
        assert!(d[0].rules.is_empty());
    }
}
