//! Redaction of secret-like values in text shipgate echoes from the user's files (finding messages and
//! evidence, quoted source lines, diagnostics quoting shipgate.toml or a rule pack). A gate's output ends
//! up in CI logs, job summaries, code-scanning alerts and audit folders that far more people can read than
//! the repository's secrets; a test-data marker on the same line as a token must not copy the token there.
//!
//! What counts as secret-like: GitHub tokens (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`), AWS
//! access key ids (`AKIA…`, `ASIA…`), Slack tokens (`xoxb-`, `xoxp-`, …), private key blocks, `Bearer`
//! credentials, the values of `password`/`secret`/`token`/`api_key`-style assignments, a URL's password
//! (`postgres://user:****@host`), and the secrets a run registers (`register_secret`: the GitHub
//! token, the database password), in every form `known` recognises.
//!
//! How: the secret part is overwritten byte for byte with `*`, keeping what identifies it (`ghp_****…`,
//! `AKIA****…`, `Bearer ****`, `password = "****"`) and every newline. The text keeps its length, so
//! byte spans still point at the same places, the underline under a quoted line stays under the match,
//! and the line and column numbers (computed from the file on disk) stay true. Fingerprints are computed
//! before redaction, so baselines are unaffected.
//!
//! Where: applied where text leaves for output, nowhere else — `engine::check` (every finding of every
//! format, and the not-evaluated lines), the source line the human format quotes (`report::human`), the
//! diagnostics `cli::print_error` shows, and the pre-push hook's finding lines.

mod known;

#[cfg(test)]
pub(crate) use known::base64;
pub use known::register as register_secret;

use crate::finding::{Finding, Location};
use regex::Regex;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// Well-known token formats. Every capture group is the secret part; the rest of the match stays visible.
const TOKEN_PATTERNS: &[&str] = &[
    // No word boundary before the prefix: text glued to a token (`EEEE…ghp_…`) must not hide it.
    r"gh[opsur]_([A-Za-z0-9]{16,})",
    r"github_pat_([A-Za-z0-9_]{20,})",
    r"\b(?:AKIA|ASIA)([A-Z0-9]{16})\b",
    r"\bxox[bpars]-([A-Za-z0-9-]{8,})",
    r"(?i)\bbearer[ \t]+([A-Za-z0-9._~+/-]{8,}=*)",
    // A URL's password (`postgres://user:PASSWORD@host/db`): the user and host stay readable.
    r"\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^@\s/]+)@",
    // The header is not secret; the key material after it is, up to the footer (or the end of the text).
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----((?s:.*?))(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
];

/// `password = "…"`, `"api_key": "…"`, `DB_PASSWORD=…`, `client_secret: …`: the value of a key that names
/// a secret. The key must contain the word as a whole segment (`github_token`, `dbpassword`), so
/// `tokenizer` or `author` are not keys. Groups: `key`, then 2 double-quoted, 3 single-quoted, 4 bare value (which
/// never starts with a backtick: in "Title ending in token: `match`" the colon is prose, not assignment).
const ASSIGNMENT: &str = r#"(?i)(?:^|[^A-Za-z0-9])(?P<key>(?:[A-Za-z0-9]*[_.-])*[A-Za-z0-9]*(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)(?:[_.-][A-Za-z0-9]+)*)["']?[ \t]*(?::=|=>|=|:)[ \t]*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"',;#`][^\s"',;#]*))"#;

struct Patterns {
    tokens: Vec<Regex>,
    assignment: Regex,
}

static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    let tokens = TOKEN_PATTERNS
        .iter()
        .map(|p| Regex::new(p))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let assignment = Regex::new(ASSIGNMENT).ok()?;
    Some(Patterns { tokens, assignment })
});

/// `text` with every secret-like value masked (borrowed when there is nothing to mask).
pub fn text(text: &str) -> Cow<'_, str> {
    let Some(p) = PATTERNS.as_ref() else {
        // The patterns are constants (a unit test compiles them); should they ever fail to compile,
        // show nothing rather than everything.
        let everything = 0..text.len();
        return Cow::Owned(mask(text, std::slice::from_ref(&everything)));
    };
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut tokens: Vec<Range<usize>> = Vec::new();
    for re in &p.tokens {
        for caps in re.captures_iter(text) {
            tokens.extend(caps.get(0).map(|m| m.range()));
            ranges.extend(caps.iter().skip(1).flatten().map(|m| m.range()));
        }
    }
    // A value holding a known token format is already masked, with its telling prefix left visible.
    let overlaps_token =
        |r: &Range<usize>| tokens.iter().any(|t| t.start < r.end && r.start < t.end);
    for caps in p.assignment.captures_iter(text) {
        if caps
            .name("key")
            .is_some_and(|k| in_prose(&text[..k.start()]))
        {
            continue;
        }
        let quoted = caps.get(2).or_else(|| caps.get(3));
        let bare = caps.get(4).filter(|m| !is_reference(m.as_str()));
        ranges.extend(
            quoted
                .or(bare)
                .map(|m| m.range())
                .filter(|r| !overlaps_token(r)),
        );
    }
    ranges.extend(known::ranges(text));
    ranges.retain(|r| !r.is_empty());
    if ranges.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(mask(text, &ranges))
    }
}

/// Redact everything a finding shows: message, evidence, help, and a setting location's names.
pub fn finding(f: &mut Finding) {
    redact_in_place(&mut f.message);
    if let Some(e) = &mut f.evidence {
        redact_in_place(e);
    }
    if let Some(h) = &mut f.help {
        redact_in_place(h);
    }
    for r in &mut f.repeats {
        if let Some(e) = &mut r.evidence {
            redact_in_place(e);
        }
    }
    if let Location::Setting { scope, name, .. } = &mut f.location {
        redact_in_place(scope);
        redact_in_place(name);
    }
    if let Some(s) = &mut f.settings {
        redact_in_place(&mut s.repository);
        redact_in_place(&mut s.target);
        redact_in_place(&mut s.setting);
    }
}

pub fn findings(all: &mut [Finding]) {
    all.iter_mut().for_each(finding);
}

pub fn redact_in_place(s: &mut String) {
    if let Cow::Owned(r) = text(s) {
        *s = r;
    }
}

/// Is the key that ends `before` a noun in a sentence (`needs a token: set GITHUB_TOKEN`, `the
/// password: see the vault`) rather than a setting? A setting's key starts a line or follows `{`, `,`,
/// a quote or `export`; a determiner just before it is English.
fn in_prose(before: &str) -> bool {
    const DETERMINERS: &[&str] = &[
        "a", "an", "the", "your", "our", "their", "its", "no", "any", "this", "that", "each",
        "every",
    ];
    let trimmed = before.trim_end_matches([' ', '\t']);
    if trimmed.len() == before.len() {
        return false; // the key is glued to what precedes it: not a separate word
    }
    let word = trimmed
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    DETERMINERS.iter().any(|d| word.eq_ignore_ascii_case(d))
}

/// A bare value that names where the secret comes from rather than being one: `${DB_PASSWORD}`,
/// `${{ secrets.TOKEN }}`, `os.environ["X"]`, `get_secret()`, `!vault`, a YAML block marker, a boolean.
/// Masking these would hide what an engineer needs to read, and reveals nothing.
fn is_reference(v: &str) -> bool {
    v.starts_with(['$', '{', '<', '%', '!', '[', '(', '&', '*', '|', '>'])
        || v.contains(['(', '[', '{'])
        || ["true", "false", "null", "none", "nil", "yes", "no"]
            .iter()
            .any(|w| v.eq_ignore_ascii_case(w))
}

/// Overwrite the bytes in `ranges` with `*`, except line breaks. Ranges come from matches on `&str`, so
/// they start and end on character boundaries, and an all-ASCII replacement keeps the text valid UTF-8.
fn mask(text: &str, ranges: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        for b in &mut bytes[r.start.min(text.len())..r.end.min(text.len())] {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Is `c` a character that must not reach a terminal or a CI log raw: C0 controls (tab and newline
/// excepted), DEL, C1 controls, and the bidirectional controls that reorder what a reader sees.
fn is_hidden_control(c: char, keep_newline: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => !keep_newline,
        c => {
            (c as u32) < 0x20
                || matches!(c as u32, 0x7f..=0x9f | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
        }
    }
}

fn escape_char(c: char, out: &mut String) {
    let n = c as u32;
    if n < 0x80 {
        out.push_str(&format!("\\x{n:02x}"));
    } else {
        out.push_str(&format!("\\u{{{n:04x}}}"));
    }
}

/// Repository text made safe to echo: control characters (a carriage return, an ANSI/OSC escape, a
/// bidirectional override) become visible escapes (`\x0d`, `\x1b`, `\u{202e}`); tabs and newlines stay.
/// Every output that shows text from the repository goes through this or `visible_line`.
pub fn visible(text: &str) -> Cow<'_, str> {
    escape_controls(text, true)
}

/// As `visible`, and newlines escaped too: for what must stay on one line (a message, a path).
pub fn visible_line(text: &str) -> Cow<'_, str> {
    escape_controls(text, false)
}

fn escape_controls(text: &str, keep_newline: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hidden_control(c, keep_newline)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden_control(c, keep_newline) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `visible(text)` with byte offsets into `text` moved to the same places in the result (for quoting
/// a source file with a label on a span).
pub fn visible_with_offsets(text: &str, offsets: &mut [usize]) -> String {
    let escaped = visible(text);
    if let Cow::Borrowed(t) = escaped {
        return t.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut moved = vec![false; offsets.len()];
    for (i, c) in text.char_indices() {
        for (o, m) in offsets.iter_mut().zip(moved.iter_mut()) {
            if !*m && *o <= i {
                *o = out.len() + (*o - i);
                *m = true;
            }
        }
        if is_hidden_control(c, true) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    for (o, m) in offsets.iter_mut().zip(moved.iter_mut()) {
        if !*m {
            *o = out.len();
        }
    }
    out
}

/// Lines a CI runner would read as commands — `::name …::` workflow commands and `##[…]` — are made
/// inert by escaping their first character, wherever repository text put them at the start of a line.
pub fn neutralise_commands(text: &str) -> Cow<'_, str> {
    let starts_command = |line: &str| {
        let t = line.trim_start();
        t.starts_with("::") || t.starts_with("##[")
    };
    if !text.split('\n').any(starts_command) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if starts_command(line) {
            let lead = line.len() - line.trim_start().len();
            out.push_str(&line[..lead]);
            let rest = &line[lead..];
            out.push_str(if rest.starts_with(':') {
                "\\x3a"
            } else {
                "\\x23"
            });
            out.push_str(&rest[1..]);
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {

    #[test]
    fn control_characters_become_visible_and_commands_inert() {
        assert_eq!(
            visible("a\rb\x1b]8;;x\x07c\td\ne"),
            "a\\x0db\\x1b]8;;x\\x07c\td\ne"
        );
        assert_eq!(visible_line("a\nb\u{202e}c"), "a\\x0ab\\u{202e}c");
        assert!(matches!(visible("plain é"), Cow::Borrowed(_)));
        let mut offs = [1, 3, 4];
        let t = visible_with_offsets("a\rbc", &mut offs);
        assert_eq!(t, "a\\x0dbc");
        assert_eq!(&t[offs[0]..offs[1]], "\\x0db");
        assert_eq!(offs[2], t.len());
        assert_eq!(
            neutralise_commands("ok\n::error::forged\n  ##[set-output name=x]y\nfine :: here"),
            "ok\n\\x3a:error::forged\n  \\x23#[set-output name=x]y\nfine :: here"
        );
    }
    use super::*;

    fn r(s: &str) -> String {
        text(s).into_owned()
    }

    #[test]
    fn the_patterns_compile() {
        assert!(PATTERNS.is_some());
    }

    #[test]
    fn token_formats_keep_their_prefix_and_length() {
        // (text, the part that must become stars)
        let cases = [
            (
                "key: ghp_0123456789abcdefABCDEF0123456789abcd # TEST ONLY",
                "0123456789abcdefABCDEF0123456789abcd",
            ),
            (
                "t=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            ),
            ("aws AKIAIOSFODNN7EXAMPLE here", "IOSFODNN7EXAMPLE"),
            (
                "slack xoxb-123456789012-abcdefABCDEF end",
                "123456789012-abcdefABCDEF",
            ),
            ("Authorization: Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"),
        ];
        for (input, secret) in cases {
            let want = input.replace(secret, &"*".repeat(secret.len()));
            assert_eq!(r(input), want, "{input}");
        }
    }

    #[test]
    fn private_key_bodies_are_masked_line_by_line() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nqwerty==\n-----END RSA PRIVATE KEY-----\nx = 1\n";
        assert_eq!(
            r(pem),
            "-----BEGIN RSA PRIVATE KEY-----\n****************\n********\n-----END RSA PRIVATE KEY-----\nx = 1\n"
        );
        // A header without a footer (a truncated quote): everything after it.
        assert_eq!(
            r("-----BEGIN PRIVATE KEY-----abc"),
            "-----BEGIN PRIVATE KEY-----***"
        );
    }

    #[test]
    fn assignment_values_are_masked_but_references_are_kept() {
        assert_eq!(r("password = \"hunter2\""), "password = \"*******\"");
        assert_eq!(r("\"api_key\": 'k3y'"), "\"api_key\": '***'");
        assert_eq!(r("DB_PASSWORD=s3cr3t;"), "DB_PASSWORD=******;");
        assert_eq!(r("client-secret: abc def"), "client-secret: *** def");
        // Prose words that are not determiners still precede settings.
        assert_eq!(r("export API_KEY=abc123"), "export API_KEY=******");
        assert_eq!(r("set token: abc123"), "set token: ******");
        // A known token format as the value keeps its prefix; prose before a quoted match is not a key.
        assert_eq!(
            r("GITHUB_TOKEN=ghp_0123456789abcdefABCD"),
            "GITHUB_TOKEN=ghp_********************"
        );
        assert_eq!(
            r("Hard-coded deploy token: `deploy_token: \"x1\"`"),
            "Hard-coded deploy token: `deploy_token: \"**\"`"
        );
        for kept in [
            "token: ${{ secrets.GITHUB_TOKEN }}",
            "password: ${DB_PASSWORD}",
            "SECRET_KEY = os.environ.get(\"SECRET_KEY\")",
            "secret_token = get_secret()",
            "tokenizer: bert-base",
            "author: Dev One",
            "max_tokens: 4096",
            "secrets: inherit",
            "password_required: true",
            "the token was not accepted",
            "--remote needs a token: set GITHUB_TOKEN or GH_TOKEN",
            "org plan needs the password: see the vault",
        ] {
            assert_eq!(r(kept), kept);
        }
    }

    #[test]
    fn url_passwords_and_registered_secrets_are_masked() {
        assert_eq!(
            r("could not reach postgres://reader:pa55@db.internal:5432/app"),
            "could not reach postgres://reader:****@db.internal:5432/app"
        );
        assert_eq!(
            r("see https://example.com/a:b@c"),
            "see https://example.com/a:b@c"
        );
        register_secret("Zq-7-secret-Zq");
        assert_eq!(
            r("auth failed (Zq-7-secret-Zq) and again Zq-7-secret-Zq"),
            "auth failed (**************) and again **************"
        );
    }

    #[test]
    fn multibyte_values_keep_byte_offsets_and_stay_valid_utf8() {
        let s = "passphrase = \"pässwörd\" # é";
        let out = r(s);
        assert_eq!(out.len(), s.len());
        assert_eq!(
            out,
            format!("passphrase = \"{}\" # é", "*".repeat("pässwörd".len()))
        );
    }

    #[test]
    fn findings_are_redacted_everywhere_they_show_text() {
        let mut f = Finding::new(
            "x/y",
            crate::finding::Severity::Error,
            "found `token = \"abc123\"`",
            Location::Setting {
                scope: "git:branch main".into(),
                name: "commit ghp_0123456789abcdef0123".into(),
                url: None,
            },
        )
        .with_evidence("token = \"abc123\"");
        finding(&mut f);
        assert_eq!(f.message, "found `token = \"******\"`");
        assert_eq!(f.evidence.as_deref(), Some("token = \"******\""));
        let masked = format!("commit ghp_{}", "*".repeat(20));
        assert!(matches!(&f.location, Location::Setting { name, .. } if *name == masked));
    }
}
