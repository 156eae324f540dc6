//! Byte offsets to lines and columns.

use crate::finding::FileSpan;

/// Converts byte offsets to 1-based (line, column) quickly for offsets visited in increasing order,
/// correctly for any order. Columns count Unicode code points.
pub struct LineIndex<'a> {
    text: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        LineIndex {
            text,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    pub fn position(&mut self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        if offset < self.pos {
            *self = LineIndex::new(self.text);
        }
        for i in memchr::memchr_iter(b'\n', &self.text[self.pos..offset]) {
            self.line += 1;
            self.line_start = self.pos + i + 1;
        }
        self.pos = offset;
        // A UTF-8 byte-order mark is invisible in editors: columns on line 1 start after it.
        let from = if self.line_start == 0 && self.text.starts_with(b"\xEF\xBB\xBF") {
            3.min(offset)
        } else {
            self.line_start
        };
        (self.line, chars(&self.text[from..offset]) + 1)
    }

    pub fn span(&mut self, path: &str, start: usize, end: usize) -> FileSpan {
        let (line, column) = self.position(start);
        let (end_line, end_column) = self.position(end);
        FileSpan {
            path: path.to_string(),
            line,
            column,
            end_line,
            end_column,
            span: (start, end),
        }
    }
}

/// Number of code points in (possibly invalid) UTF-8: count the bytes that are not continuation bytes.
fn chars(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()).unwrap_or(u32::MAX)
}

/// The line containing `offset`, without its newline, and the line's starting offset.
pub fn line_at(text: &[u8], offset: usize) -> (&[u8], usize) {
    let offset = offset.min(text.len());
    let start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |i| offset + i);
    let line = &text[start..end];
    (line.strip_suffix(b"\r").unwrap_or(line), start)
}

/// Matched text for evidence: lossy UTF-8, control characters removed, at most `max` characters.
pub fn evidence(bytes: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut out: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .take(max)
        .collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// The words of a name, lower-cased: split at `-`, `_`, `.`, spaces and where a capital starts a word
/// (`OpenSourceGovernanceChecklist` → open, source, governance, checklist; `unit_test` → unit, test).
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_unicode_columns() {
        let text = "ab\ncé x\n\nz".as_bytes();
        let mut idx = LineIndex::new(text);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(6), (2, 3)); // after "cé" (é is 2 bytes)
        assert_eq!(idx.position(9), (3, 1));
        assert_eq!(idx.position(1), (1, 2)); // going back works too
    }

    #[test]
    fn bom_and_crlf_do_not_shift_columns() {
        let text = b"\xEF\xBB\xBFab\r\ncd";
        let mut idx = LineIndex::new(text);
        assert_eq!(idx.position(3), (1, 1));
        assert_eq!(idx.position(1), (1, 1), "inside the BOM");
        assert_eq!(idx.position(8), (2, 2));
    }

    #[test]
    fn line_at_strips_crlf() {
        let (line, start) = line_at(b"one\r\ntwo\r\n", 6);
        assert_eq!((line, start), (&b"two"[..], 5));
    }
}
