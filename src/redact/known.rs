//! Secrets whose value shipgate holds (the GitHub token, a database password): masked wherever they
//! appear in what shipgate prints, in any of the forms a server, a URL or an error chain might put
//! them in.
//!
//! Pattern rules find secret-*looking* text; a value we know needs no guess, but it needs every form. A
//! hostile or broken API can echo the token back hex-encoded, base64-encoded at any byte offset (the
//! three alignments give three different encodings of the same bytes), reversed, or with a space or a
//! dash between characters. So text is compared after *normalising*: only ASCII letters and digits are
//! kept (which also makes `+`/`/` and `-`/`_` base64 alike), and each known secret is stored as its
//! normalised forms — the value, reversed, its hex (compared case-insensitively) and the stable middle of
//! its base64 at each alignment. A match masks the whole stretch of the original text it spans,
//! separators included, byte for byte (lengths and offsets stay true, as everywhere in `redact`).

use memchr::memmem;
use std::ops::Range;
use std::sync::RwLock;

/// Forms shorter than this are not searched: they would match ordinary text. Real tokens and
/// passwords normalise to well over this; a shorter password is still masked where it appears as is.
const MIN_FORM: usize = 10;

struct Known {
    /// The value exactly as given (masked wherever it appears, whatever its length).
    raw: Vec<u8>,
    /// Normalised forms compared with normalised text as it is.
    forms: Vec<Vec<u8>>,
    /// Normalised lowercase hex, compared with lowercased normalised text.
    hex: Vec<Vec<u8>>,
}

static KNOWN: RwLock<Vec<Known>> = RwLock::new(Vec::new());

/// Remember `secret` for the rest of the process: every later `redact::text` masks it.
pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.is_empty() {
        return;
    }
    let bytes = secret.as_bytes();
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    if known.iter().any(|k| k.raw == bytes) {
        return;
    }
    let mut reversed = bytes.to_vec();
    reversed.reverse();
    let mut forms = vec![normalise(bytes).0, normalise(&reversed).0];
    for offset in 0..3 {
        let mut shifted = vec![0u8; offset];
        shifted.extend_from_slice(bytes);
        let encoded = base64(&shifted);
        // The first and last 4 characters carry the neighbours' bits; the middle is the secret's alone.
        if encoded.len() > 8 {
            forms.push(normalise(&encoded.as_bytes()[4..encoded.len() - 4]).0);
        }
    }
    forms.retain(|f| f.len() >= MIN_FORM);
    let hex: Vec<Vec<u8>> = [bytes, &reversed[..]]
        .iter()
        .map(|b| {
            b.iter()
                .flat_map(|x| format!("{x:02x}").into_bytes())
                .collect::<Vec<u8>>()
        })
        .filter(|f| f.len() >= MIN_FORM)
        .collect();
    known.push(Known {
        raw: bytes.to_vec(),
        forms,
        hex,
    });
}

/// The byte ranges of `text` that hold a known secret in any form.
pub fn ranges(text: &str) -> Vec<Range<usize>> {
    let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
    if known.is_empty() {
        return Vec::new();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for k in known.iter() {
        out.extend(memmem::find_iter(bytes, &k.raw).map(|at| at..at + k.raw.len()));
    }
    let (norm, at) = normalise(bytes);
    if norm.len() < MIN_FORM {
        return out;
    }
    let lower = norm.to_ascii_lowercase();
    let original = |r: Range<usize>| at[r.start]..at[r.end - 1] + 1;
    for k in known.iter() {
        for form in &k.forms {
            out.extend(memmem::find_iter(&norm, form).map(|i| original(i..i + form.len())));
        }
        for form in &k.hex {
            out.extend(memmem::find_iter(&lower, form).map(|i| original(i..i + form.len())));
        }
    }
    out
}

/// The ASCII letters and digits of `bytes`, and where each was in `bytes`.
fn normalise(bytes: &[u8]) -> (Vec<u8>, Vec<usize>) {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_alphanumeric())
        .map(|(i, b)| (*b, i))
        .unzip()
}

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each test registers its own value: the registry is process-wide and tests run in parallel.
    fn masked(secret: &str, text: &str) -> String {
        register(secret);
        let mut bytes = text.as_bytes().to_vec();
        for r in ranges(text) {
            for b in &mut bytes[r] {
                *b = b'*';
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn hex(s: &[u8]) -> String {
        s.iter().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn every_encoding_of_the_token_is_masked() {
        let token = "ghp_Zx81kQ0aaaTESTTOKENvalue000111";
        let mut reversed: Vec<u8> = token.as_bytes().to_vec();
        reversed.reverse();
        let cases = [
            format!("echo {token} back"),
            format!("hex {} here", hex(token.as_bytes())),
            format!("hex {} here", hex(token.as_bytes()).to_lowercase()),
            format!("b64 {} here", base64(format!("x{token}").as_bytes())),
            format!("b64 {} here", base64(format!("xy{token}").as_bytes())),
            format!(
                "b64 {} here",
                base64(format!("Basic:{token}").as_bytes()).replace('+', "-")
            ),
            format!("rev {} here", String::from_utf8_lossy(&reversed)),
            format!(
                "spaced {} here",
                token
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            format!(
                "url {} here",
                token
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect::<String>()
            ),
        ];
        for text in cases {
            let out = masked(token, &text);
            assert_eq!(out.len(), text.len());
            assert!(!out.contains("TESTTOKEN"), "{out}");
            assert!(
                !out.to_lowercase().contains("5445535454"),
                "hex of TESTT: {out}"
            );
            assert!(out.ends_with(" here") || out.ends_with(" back"), "{out}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let text =
            "GET /repos/o/r/branches/main/protection: 404 Not Found (commit 0123456789abcdef0123)";
        assert_eq!(masked("s3cr3t-Pa55w0rd-Long", text), text);
    }

    #[test]
    fn a_short_password_is_masked_where_it_appears_as_is() {
        assert_eq!(masked("pw42", "login pw42 failed"), "login **** failed");
    }
}
