//! Test-only regions inside production files: Rust items under `#[cfg(test)]`. What is inside them is
//! test code, so test data there is fine and references from there to fixtures are not leaks. And the
//! rest of a file after it exits in production (`return if Rails.env.production?` at the margin).

use std::ops::Range;

/// The part of a file that runs only outside production because an earlier statement at the margin
/// exits in production: from the line after the first such exit (`return if Rails.env.production?`,
/// `exit unless Rails.env.development?`, `if (process.env.NODE_ENV === 'production') return;`) to the
/// end. What comes before the exit, and an exit inside a method or block, guard nothing; an exit that
/// lets only production through (`return unless Rails.env.production?`) makes the rest production's.
pub fn after_production_exit(content: &[u8]) -> Option<Range<usize>> {
    crate::repo::reach_guard::early_exits(content)
        .into_iter()
        .find(|e| e.guard.outside_production())
        .map(|e| e.rest..content.len())
}

/// Byte ranges of items annotated `#[cfg(test)]` (or `cfg(all(test, …))` / `cfg(any(test, …))`).
pub fn rust_test_regions(src: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let finder = memchr::memmem::Finder::new(b"#[cfg(");
    let mut from = 0;
    while let Some(i) = finder.find(&src[from..]) {
        let attr_start = from + i;
        let Some(attr_end) = attribute_end(src, attr_start) else {
            break;
        };
        from = attr_end;
        if !is_test_cfg(&src[attr_start..attr_end]) {
            continue;
        }
        let end = item_end(src, attr_end).unwrap_or(src.len());
        out.push(attr_start..end);
        from = end.max(from);
    }
    out
}

pub fn contains(regions: &[Range<usize>], offset: usize) -> bool {
    regions.iter().any(|r| r.contains(&offset))
}

/// `#[cfg(test)]`, `#[cfg(all(test, feature = "x"))]`, but not `#[cfg(not(test))]`.
fn is_test_cfg(attr: &[u8]) -> bool {
    let s = String::from_utf8_lossy(attr);
    let inner: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    inner == "#[cfg(test)]"
        || inner.starts_with("#[cfg(all(test,")
        || inner.starts_with("#[cfg(any(test,")
}

/// End (exclusive) of the attribute starting at `start` (`#[` … matching `]`).
fn attribute_end(src: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, &b) in src.iter().enumerate().skip(start + 1) {
        match b {
            b'[' | b'(' => depth += 1,
            b']' | b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\n' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// End (exclusive) of the item following an attribute: the `;` of a body-less item, or the `}` matching its
/// first `{`. Strings, chars and comments are skipped so braces inside them do not count.
fn item_end(src: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    let mut depth = 0usize;
    while i < src.len() {
        match src[i] {
            b'/' if src.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &src[i..]).map_or(src.len(), |n| i + n)
            }
            b'/' if src.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&src[i + 2..], b"*/").map_or(src.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'"' => i = skip_string(src, i),
            b'r' if matches!(src.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !is_ident(src[i - 1])) =>
            {
                i = skip_raw_string(src, i)
            }
            b'\'' => i = skip_char(src, i),
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b';' if depth == 0 => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// From an opening `"`, the index of the closing `"`.
fn skip_string(src: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < src.len() {
        match src[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    src.len()
}

/// From `r` of `r#"…"#`, the index of the last `#` (or `"`).
fn skip_raw_string(src: &[u8], start: usize) -> usize {
    let hashes = src[start + 1..].iter().take_while(|&&b| b == b'#').count();
    let open = start + 1 + hashes;
    if src.get(open) != Some(&b'"') {
        return start;
    }
    let mut close = Vec::with_capacity(hashes + 1);
    close.push(b'"');
    close.extend(std::iter::repeat_n(b'#', hashes));
    memchr::memmem::find(&src[open + 1..], &close).map_or(src.len(), |n| open + n + close.len())
}

/// A char literal (`'{'`, `'\''`) is skipped; a lifetime (`'a`) is not a literal.
fn skip_char(src: &[u8], start: usize) -> usize {
    match (src.get(start + 1), src.get(start + 2), src.get(start + 3)) {
        (Some(b'\\'), _, _) => memchr::memchr(b'\'', &src[(start + 3).min(src.len())..])
            .map_or(src.len(), |n| start + 3 + n),
        (Some(_), Some(b'\''), _) => start + 2,
        _ => start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_modules_and_functions() {
        let src = br##"
fn prod() { let s = "}"; }
#[cfg(test)]
mod tests {
    fn t() { let c = '}'; let r = r#"}}"#; /* } */ } // }
    fn u<'a>(x: &'a str) {}
}
fn after() {}
#[cfg(all(test, feature = "x"))]
use fixtures::x;
#[cfg(not(test))]
fn real() {}
"##;
        let regions = rust_test_regions(src);
        let text = String::from_utf8_lossy(src);
        let shown: Vec<&str> = regions.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("#[cfg(test)]") && shown[0].ends_with("{}\n}"),
            "{}",
            shown[0]
        );
        assert_eq!(
            shown[1],
            "#[cfg(all(test, feature = \"x\"))]\nuse fixtures::x;"
        );
        let after = text.find("fn after").unwrap_or(0);
        assert!(!contains(&regions, after));
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for src in [
            &b"#[cfg(test)]"[..],
            b"#[cfg(test)] mod t { \"",
            b"#[cfg(",
            b"#[cfg(test)] r#",
            b"'",
        ] {
            let _ = rust_test_regions(src);
        }
    }
}
