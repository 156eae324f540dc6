//! Where the comments and string literals are, so a reference quoted in a docstring or commented out is
//! not mistaken for code, nor `DEBUG = True` quoted in a docstring for a setting. Approximate by design (no
//! full parser): it only runs on files that already hold a suspicious reference or match, and only the
//! positions of those are asked about.

use std::ops::Range;

/// Comment and string syntax families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `#` comments, `'` `"` and triple-quoted strings (docstrings).
    Python,
    /// `#` comments, `=begin`/`=end` blocks, `'` `"` strings.
    Ruby,
    /// `//` and `/* */` comments; `'` `"` and `` ` `` strings (JS/TS, Java, Kotlin).
    CLike,
    /// Go: as C, with `` ` `` raw strings and `'` runes.
    Go,
    /// Rust: nested block comments, raw strings, and lifetimes that are not char literals.
    Rust,
    /// Line comments with `#` only (Dockerfile, manifests).
    Hash,
}

/// What a non-code range is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonCode {
    Comment,
    String,
    /// A Python string that is a statement of its own (module, class, function or attribute docstring):
    /// documentation, unlike a string that is assigned, passed or returned.
    Docstring,
}

/// Sorted, non-overlapping byte ranges that are comments or string literals.
pub(crate) fn non_code_ranges(syntax: Syntax, src: &[u8]) -> Vec<Range<usize>> {
    non_code(syntax, src).into_iter().map(|(r, _)| r).collect()
}

/// Sorted, non-overlapping comments and string literals, each with its kind.
pub(crate) fn non_code(syntax: Syntax, src: &[u8]) -> Vec<(Range<usize>, NonCode)> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = src.len();
    // Bracket depth in code: a Python string inside `(`, `[` or `{` is an argument or element, never a
    // docstring, even when it starts a line.
    let mut depth = 0usize;
    while i < n {
        let b = src[i];
        let start = i;
        let end = match (syntax, b) {
            (Syntax::Python | Syntax::Ruby | Syntax::Hash, b'#') => line_end(src, i),
            (Syntax::Ruby, b'=')
                if (i == 0 || src[i - 1] == b'\n') && src[i..].starts_with(b"=begin") =>
            {
                find(src, i, b"\n=end").map_or(n, |e| line_end(src, e + 1))
            }
            (Syntax::CLike | Syntax::Go | Syntax::Rust, b'/') if src.get(i + 1) == Some(&b'/') => {
                line_end(src, i)
            }
            (Syntax::CLike | Syntax::Go, b'/') if src.get(i + 1) == Some(&b'*') => {
                find(src, i + 2, b"*/").map_or(n, |e| e + 2)
            }
            (Syntax::Rust, b'/') if src.get(i + 1) == Some(&b'*') => nested_comment_end(src, i),
            (Syntax::Python, b'"' | b'\'') => python_string_end(src, i),
            (Syntax::Rust, b'r') if is_raw_string_start(src, i) => raw_string_end(src, i),
            (Syntax::Rust, b'\'') => match char_literal_end(src, i) {
                Some(e) => e,
                None => {
                    i += 1;
                    continue;
                }
            },
            (Syntax::Go, b'`') => find(src, i + 1, b"`").map_or(n, |e| e + 1),
            (Syntax::CLike | Syntax::Go | Syntax::Rust | Syntax::Ruby, b'"')
            | (Syntax::CLike | Syntax::Go | Syntax::Ruby, b'\'')
            | (Syntax::CLike, b'`') => quoted_end(src, i, b),
            _ => {
                match b {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i += 1;
                continue;
            }
        };
        let end = end.max(start + 1);
        let kind = match b {
            b'#' | b'/' | b'=' => NonCode::Comment,
            _ if syntax == Syntax::Python && depth == 0 && is_statement(src, start, end) => {
                NonCode::Docstring
            }
            _ => NonCode::String,
        };
        out.push((start..end, kind));
        i = end;
    }
    out
}

/// Does the string at `start..end` stand alone: only indentation (and a prefix such as `r`) before it on
/// its line, nothing but a comment after it, and the line before not continued with a backslash?
fn is_statement(src: &[u8], start: usize, end: usize) -> bool {
    let line_start = memchr::memrchr(b'\n', &src[..start]).map_or(0, |i| i + 1);
    let prefix = src[line_start..start].trim_ascii_start();
    if prefix.len() > 2 || !prefix.iter().all(|b| b"rRuUbBfF".contains(b)) {
        return false;
    }
    if line_start >= 1 && src[..line_start - 1].trim_ascii_end().ends_with(b"\\") {
        return false;
    }
    let after = src[end..line_end(src, end)].trim_ascii_start();
    after.is_empty() || after.starts_with(b"#")
}

/// Is `offset` inside one of the (sorted) ranges?
pub(crate) fn contains(ranges: &[Range<usize>], offset: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= offset);
    ranges.get(i).is_some_and(|r| r.contains(&offset))
}

fn line_end(src: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &src[from..]).map_or(src.len(), |i| from + i)
}

fn find(src: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= src.len() {
        return None;
    }
    memchr::memmem::find(&src[from..], needle).map(|i| from + i)
}

/// End (exclusive) of a string opened by `quote` at `start`, honouring backslash escapes. Single-line
/// quotes stop at the end of the line so one stray quote cannot swallow the file.
fn quoted_end(src: &[u8], start: usize, quote: u8) -> usize {
    let multiline = quote == b'`';
    let mut i = start + 1;
    while i < src.len() {
        match src[i] {
            b'\\' => i += 2,
            b'\n' if !multiline => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    src.len()
}

fn python_string_end(src: &[u8], start: usize) -> usize {
    let q = src[start];
    let triple = [q, q, q];
    if src[start..].starts_with(&triple) {
        let mut i = start + 3;
        while i < src.len() {
            if src[i] == b'\\' {
                i += 2;
                continue;
            }
            if src[i..].starts_with(&triple) {
                return i + 3;
            }
            i += 1;
        }
        return src.len();
    }
    quoted_end(src, start, q)
}

fn nested_comment_end(src: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < src.len() {
        if src[i] == b'/' && src[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if src[i] == b'*' && src[i + 1] == b'/' {
            depth = depth.saturating_sub(1);
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    src.len()
}

fn is_raw_string_start(src: &[u8], i: usize) -> bool {
    let ident_before = i > 0 && (src[i - 1].is_ascii_alphanumeric() || src[i - 1] == b'_');
    if ident_before {
        return false;
    }
    let hashes = src[i + 1..].iter().take_while(|&&b| b == b'#').count();
    src.get(i + 1 + hashes) == Some(&b'"')
}

fn raw_string_end(src: &[u8], start: usize) -> usize {
    let hashes = src[start + 1..].iter().take_while(|&&b| b == b'#').count();
    let open = start + 1 + hashes;
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    find(src, open + 1, &close).map_or(src.len(), |e| e + close.len())
}

/// A Rust char literal (`'x'`, `'\n'`, `'\u{1F600}'`); None for a lifetime (`'a`).
fn char_literal_end(src: &[u8], start: usize) -> Option<usize> {
    match src.get(start + 1)? {
        b'\\' => {
            let close = src[start + 2..].iter().take(12).position(|&b| b == b'\'')?;
            Some(start + 2 + close + 1)
        }
        _ => {
            // One UTF-8 character then a quote.
            let len = utf8_len(src[start + 1]);
            (src.get(start + 1 + len) == Some(&b'\'')).then_some(start + 2 + len)
        }
    }
}

fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_at(syntax: Syntax, src: &str, needle: &str) -> bool {
        let r = non_code_ranges(syntax, src.as_bytes());
        let at = src.find(needle).unwrap_or(usize::MAX);
        !contains(&r, at)
    }

    #[test]
    fn python_docstrings_and_comments_are_not_code() {
        let src = "\"\"\"Doc.\n\n    from tests import x\n\"\"\"\n# import conftest\nimport os  # 'x'\nfrom app import y\n";
        assert!(!code_at(Syntax::Python, src, "from tests"));
        assert!(!code_at(Syntax::Python, src, "import conftest"));
        assert!(code_at(Syntax::Python, src, "import os"));
        assert!(code_at(Syntax::Python, src, "from app"));
    }

    #[test]
    fn python_docstrings_are_told_from_strings_that_are_data() {
        let src = r#""""Module doc: DEBUG = True."""
class C:
    r'''Class doc.'''  # note
    X = 1
    """Attribute doc."""
SQL = """
  INSERT 'a@example.com'
"""
run(
    """
    arg
    """
)
x = \
    "continued"
d = {
    'k':
    '''v'''
}
"#;
        let kinds: Vec<(String, NonCode)> = non_code(Syntax::Python, src.as_bytes())
            .into_iter()
            .map(|(r, k)| (src[r].chars().filter(|c| c.is_alphabetic()).collect(), k))
            .collect();
        let kind = |word: &str| {
            kinds
                .iter()
                .find(|(w, _)| w.starts_with(word))
                .map(|(_, k)| *k)
        };
        assert_eq!(kind("Module"), Some(NonCode::Docstring));
        assert_eq!(
            kind("rClass"),
            None,
            "the prefix is code; the string starts at the quote"
        );
        assert_eq!(kind("Class"), Some(NonCode::Docstring));
        assert_eq!(kind("note"), Some(NonCode::Comment));
        assert_eq!(kind("Attribute"), Some(NonCode::Docstring));
        assert_eq!(kind("INSERT"), Some(NonCode::String), "assigned: data");
        assert_eq!(
            kind("arg"),
            Some(NonCode::String),
            "an argument, though it starts a line"
        );
        assert_eq!(
            kind("continued"),
            Some(NonCode::String),
            "continued from the line before"
        );
        assert_eq!(kind("v"), Some(NonCode::String), "a dict value after `:`");
    }

    #[test]
    fn c_like_and_rust() {
        let js = "// require('../test/x')\n/* import '../test/y' */\nconst s = \"require('z')\";\nrequire('./a');\n";
        assert!(!code_at(Syntax::CLike, js, "require('../test/x')"));
        assert!(!code_at(Syntax::CLike, js, "import '../test/y'"));
        assert!(!code_at(Syntax::CLike, js, "require('z')"));
        assert!(code_at(Syntax::CLike, js, "require('./a')"));
        let rs = "/// include_str!(\"../tests/a\")\nfn f<'a>(x: &'a str) -> char { '\"' }\n/* /* */ include!(\"x\") */\nconst A: &str = include_str!(\"b\");\n";
        assert!(!code_at(Syntax::Rust, rs, "include_str!(\"../tests/a\")"));
        assert!(!code_at(Syntax::Rust, rs, "include!(\"x\")"));
        assert!(code_at(Syntax::Rust, rs, "include_str!(\"b\")"));
    }

    #[test]
    fn ruby_blocks_and_unterminated_input() {
        let rb = "=begin\nrequire 'spec_helper'\n=end\nrequire 'app'\n";
        assert!(!code_at(Syntax::Ruby, rb, "require 'spec_helper'"));
        assert!(code_at(Syntax::Ruby, rb, "require 'app'"));
        for s in ["\"", "'''", "/*", "r#\"", "'", "`", "=begin"] {
            for syn in [
                Syntax::Python,
                Syntax::Ruby,
                Syntax::CLike,
                Syntax::Go,
                Syntax::Rust,
            ] {
                let _ = non_code_ranges(syn, s.as_bytes());
            }
        }
    }
}
