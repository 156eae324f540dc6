//! Small byte-level helpers the extractors share: keyword occurrences, lines, string literals, call
//! arguments. Line-oriented and allocation-light; no parser.

use std::ops::Range;

pub(crate) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Offsets of `word` in `text` where it is a whole word (not part of a longer identifier, and not a
/// member access like `x.word` when `allow_member` is false).
pub(crate) fn word_occurrences<'t>(
    text: &'t [u8],
    word: &'t [u8],
    allow_member: bool,
) -> impl Iterator<Item = usize> + 't {
    memchr::memmem::find_iter(text, word).filter(move |&i| {
        let before_ok = i == 0 || {
            let b = text[i - 1];
            !is_ident(b) && (allow_member || b != b'.')
        };
        let after_ok = text.get(i + word.len()).is_none_or(|&b| !is_ident(b));
        before_ok && after_ok
    })
}

/// The line containing `offset`: `start..end` without the newline (and without a trailing `\r`).
pub(crate) fn line_range(text: &[u8], offset: usize) -> Range<usize> {
    let offset = offset.min(text.len());
    let start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |i| i + 1);
    let mut end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |i| offset + i);
    if end > start && text[end - 1] == b'\r' {
        end -= 1;
    }
    start..end
}

pub(crate) fn skip_ws(text: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && matches!(text[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Each line of `text` as `(first non-blank offset, end offset)`: where line-oriented extractors (Go and
/// JVM imports) start reading.
pub(crate) fn trimmed_lines(text: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let start = skip_ws(text, pos, end);
        pos = end + 1;
        Some((start, end))
    })
}

/// Like `skip_ws`, across newlines too.
pub(crate) fn skip_space(text: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && text[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// A string literal: its contents' range, and whether it is interpolated (`f"…{x}"`, `` `${x}` ``,
/// `"#{x}"`) — interpolated literals only count up to the first placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    pub content: Range<usize>,
    pub end: usize,
}

/// The bracket `c` that closes the `o` at `open`, skipping string literals and `//` comments; None when
/// it is not found before `limit` (or the end of the text).
pub(crate) fn closing(text: &[u8], open: usize, o: u8, c: u8, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < text.len().min(limit) {
        match text[i] {
            b'"' | b'\'' | b'`' => {
                i = literal_at(text, i).map_or(i + 1, |l| l.end);
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'/') => {
                i = text[i..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(text.len(), |n| i + n);
                continue;
            }
            b if b == o => depth += 1,
            b if b == c => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A string literal starting at `i` (after optional Python prefixes `r b u f`): `'…'`, `"…"` or `` `…` ``,
/// on one line. The content stops at the first interpolation (`{`, `${`, `#{`) in f-strings, template
/// literals and Ruby double quotes.
pub(crate) fn literal_at(text: &[u8], i: usize) -> Option<Literal> {
    let mut q = i;
    let mut fstring = false;
    while q < text.len()
        && q < i + 2
        && matches!(text[q], b'r' | b'b' | b'u' | b'f' | b'R' | b'B' | b'F')
    {
        fstring |= matches!(text[q], b'f' | b'F');
        q += 1;
    }
    let quote = *text.get(q)?;
    if !matches!(quote, b'"' | b'\'' | b'`') {
        return None;
    }
    let start = q + 1;
    let mut j = start;
    let mut content_end = None;
    while j < text.len() {
        match text[j] {
            b'\\' => {
                j += 2;
                continue;
            }
            b'\n' => return None,
            c if c == quote => {
                return Some(Literal {
                    content: start..content_end.unwrap_or(j),
                    end: j + 1,
                })
            }
            b'{' if fstring && content_end.is_none() => content_end = Some(j),
            b'$' | b'#'
                if quote != b'\'' && text.get(j + 1) == Some(&b'{') && content_end.is_none() =>
            {
                content_end = Some(j)
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// The arguments of a call whose `(` is at `open`: top-level comma-separated ranges (trimmed), and the
/// offset just past the closing `)`. Gives up after `limit` bytes (a call that long is not a path).
pub(crate) fn call_args(
    text: &[u8],
    open: usize,
    limit: usize,
) -> Option<(Vec<Range<usize>>, usize)> {
    if text.get(open) != Some(&b'(') {
        return None;
    }
    let stop = (open + limit).min(text.len());
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut arg_start = open + 1;
    let mut i = open + 1;
    while i < stop {
        match text[i] {
            b'"' | b'\'' | b'`' => {
                i = literal_at(text, i).map_or(i + 1, |l| l.end);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            b')' => {
                push_trimmed(text, &mut args, arg_start..i);
                return Some((args, i + 1));
            }
            b',' if depth == 0 => {
                push_trimmed(text, &mut args, arg_start..i);
                arg_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn push_trimmed(text: &[u8], args: &mut Vec<Range<usize>>, r: Range<usize>) {
    let mut s = r.start;
    let mut e = r.end;
    while s < e && text[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && text[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    if s < e {
        args.push(s..e);
    }
}

/// The whole argument is one plain literal (`"x"`, `'x'`, `r"x"`): its content range.
pub(crate) fn whole_literal(text: &[u8], arg: &Range<usize>) -> Option<Range<usize>> {
    let lit = literal_at(text, arg.start)?;
    (lit.end == arg.end).then_some(lit.content)
}

pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_literals_and_args() {
        let t = b"x.open(a) reopen(b) open('tests/x.json', \"r\")";
        let hits: Vec<usize> = word_occurrences(t, b"open", false).collect();
        assert_eq!(hits, vec![20]);
        let (args, end) = call_args(t, 24, 200).unwrap_or_default();
        assert_eq!(end, t.len());
        assert_eq!(args.len(), 2);
        assert_eq!(
            whole_literal(t, &args[0]).map(|r| &t[r]),
            Some(&b"tests/x.json"[..])
        );
        let f = b"f\"tests/{name}.json\"";
        assert_eq!(
            literal_at(f, 0).map(|l| &f[l.content]),
            Some(&b"tests/"[..])
        );
        let js = b"`./fixtures/${n}`";
        assert_eq!(
            literal_at(js, 0).map(|l| &js[l.content]),
            Some(&b"./fixtures/"[..])
        );
        assert_eq!(literal_at(b"'unterminated", 0), None);
        assert_eq!(
            call_args(b"(a, (b, c), 'd)')", 0, 100).map(|(a, _)| a.len()),
            Some(3)
        );
        assert_eq!(line_range(b"ab\r\ncd", 1), 0..2);
    }
}
