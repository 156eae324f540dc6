//! PostgreSQL's COPY text format, as `COPY … TO STDOUT` streams it and pg_dump writes its data blocks:
//! one row a line, fields separated by tabs, `\N` for NULL, backslash escapes for tab, newline, backslash
//! and bytes given in octal or hex.

use std::ops::Range;

/// Split one row (without its `\n`) into fields, decoding escapes into `out` (cleared first). `fields[i]`
/// is None for NULL, else the field's bytes in `out`.
pub fn decode_row(mut line: &[u8], out: &mut Vec<u8>, fields: &mut Vec<Option<Range<usize>>>) {
    out.clear();
    fields.clear();
    if let Some(rest) = line.strip_suffix(b"\r") {
        // A raw carriage return is never data in COPY text (data has `\r`): the line ending of a dump
        // that went through a CRLF conversion.
        line = rest;
    }
    let mut rest = line;
    loop {
        let end = memchr::memchr(b'\t', rest).unwrap_or(rest.len());
        let field = &rest[..end];
        if field == b"\\N" {
            fields.push(None);
        } else {
            let start = out.len();
            decode_field(field, out);
            fields.push(Some(start..out.len()));
        }
        match rest.get(end + 1..) {
            Some(next) => rest = next,
            None => break,
        }
    }
}

fn decode_field(field: &[u8], out: &mut Vec<u8>) {
    let mut rest = field;
    while let Some(i) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..i]);
        rest = &rest[i + 1..];
        let Some(&c) = rest.first() else {
            out.push(b'\\');
            return;
        };
        let (byte, used) = match c {
            b'b' => (8, 1),
            b'f' => (12, 1),
            b'n' => (b'\n', 1),
            b'r' => (b'\r', 1),
            b't' => (b'\t', 1),
            b'v' => (11, 1),
            b'0'..=b'7' => {
                let n = rest
                    .iter()
                    .take(3)
                    .take_while(|d| matches!(d, b'0'..=b'7'))
                    .count();
                let v = rest[..n]
                    .iter()
                    .fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
                (u8::try_from(v & 0xff).unwrap_or(0), n)
            }
            b'x' if rest.get(1).is_some_and(u8::is_ascii_hexdigit) => {
                let n = rest[1..]
                    .iter()
                    .take(2)
                    .take_while(|d| d.is_ascii_hexdigit())
                    .count();
                let v = rest[1..=n].iter().fold(0u8, |v, d| {
                    v.wrapping_mul(16)
                        .wrapping_add(char::from(*d).to_digit(16).map_or(0, |x| x as u8))
                });
                (v, n + 1)
            }
            other => (other, 1),
        };
        out.push(byte);
        rest = &rest[used..];
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: &[u8]) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::new();
        let mut fields = Vec::new();
        decode_row(line, &mut out, &mut fields);
        fields
            .into_iter()
            .map(|f| f.map(|r| out[r].to_vec()))
            .collect()
    }

    #[test]
    fn fields_nulls_and_escapes() {
        assert_eq!(
            row(b"1\t\\N\ta\\tb\\nc\\\\d\t\\101\\x41\\q"),
            vec![
                Some(b"1".to_vec()),
                None,
                Some(b"a\tb\nc\\d".to_vec()),
                Some(b"AAq".to_vec()),
            ]
        );
        assert_eq!(row(b"x\r"), vec![Some(b"x".to_vec())]);
        assert_eq!(row(b""), vec![Some(Vec::new())]);
        assert_eq!(row(b"end\\"), vec![Some(b"end\\".to_vec())]);
        assert_eq!(
            row(b"\\N\\N"),
            vec![Some(b"NN".to_vec())],
            "\\N is NULL only alone"
        );
    }
}
