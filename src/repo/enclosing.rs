//! The enclosing scope of a position, as text: the named blocks around it (class, function, module, a
//! YAML or TOML section, a Dockerfile stage), outermost first. Part of a finding's identity when a pull
//! request is compared with its base (`engine::outcome`): two equal lines in different scopes are
//! different findings, and a line keeps its identity when unrelated lines move or change.
//!
//! Read from indentation, as `scopes::scope_at` reads environments: the nearest earlier lines indented
//! less than the line in question, outwards to the margin — only those that name a block count (`if`
//! and loop headers are conditions, not places). TOML and INI sections are the last `[section]` line
//! above; a Dockerfile's scope is its stage's `FROM` line.

use super::scopes::{indent, is_comment};

/// The scope of the line holding byte `at` of `content` (a file at `path`), e.g.
/// `class Production(Config): › def settings(self):`. Empty at the top level.
pub fn scope(path: &str, content: &[u8], at: usize) -> String {
    let at = at.min(content.len());
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if is_dockerfile(&name) {
        return last_line_before(content, at, |t| {
            t.len() > 5 && t[..5].eq_ignore_ascii_case(b"FROM ")
        });
    }
    if [".toml", ".ini", ".cfg"].iter().any(|e| name.ends_with(e)) {
        return last_line_before(content, at, |t| t.starts_with(b"["));
    }
    let mut chain: Vec<String> = headers(content, at)
        .into_iter()
        .filter(|t| names_a_block(t))
        .map(normalise)
        .collect();
    chain.reverse();
    chain.join(" › ")
}

/// The header lines around the line holding byte `at`, innermost first, trimmed: each nearest earlier
/// line indented less than the one inside it, out to the margin (blank lines and comments skipped).
pub fn headers(content: &[u8], at: usize) -> Vec<&[u8]> {
    let at = at.min(content.len());
    let mut out = Vec::new();
    let line_start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let mut limit = indent(&content[line_start..]);
    let mut end = line_start;
    while limit > 0 && end > 0 {
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let line = &content[start..end - 1];
        end = start;
        let width = indent(line);
        let text = trim(&line[width.min(line.len())..]);
        if text.is_empty() || is_comment(text) || width >= limit {
            continue;
        }
        limit = width;
        out.push(text);
    }
    out
}

fn is_dockerfile(name: &str) -> bool {
    name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
        || name.ends_with("-dockerfile")
        || name.ends_with(".containerfile")
}

/// The last line before the one holding `at` (that line included) that `is` accepts, normalised.
fn last_line_before(content: &[u8], at: usize, is: impl Fn(&[u8]) -> bool) -> String {
    let line_end = memchr::memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i);
    content[..line_end]
        .split(|b| *b == b'\n')
        .map(trim)
        .filter(|l| is(l))
        .last()
        .map(normalise)
        .unwrap_or_default()
}

/// Keywords that open a named block in the languages services are written in.
const BLOCK_WORDS: &[&str] = &[
    "class",
    "def",
    "async",
    "function",
    "module",
    "func",
    "fn",
    "pub",
    "impl",
    "trait",
    "interface",
    "struct",
    "enum",
    "object",
    "export",
    "resource",
    "namespace",
    "describe",
    "context",
    "configure",
];

/// Does a header line name a block? A declaration (`class X`, `def f`, `export function g`), a Ruby
/// block (`Rails.application.configure do`), or a mapping key that opens a section (`development:`,
/// `production: {`, `env: &defaults`) — not a condition or loop (`if`, `for`, `while`, `else`).
fn names_a_block(text: &[u8]) -> bool {
    let first: Vec<u8> = text
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .copied()
        .collect();
    if BLOCK_WORDS.iter().any(|w| w.as_bytes() == first.as_slice()) {
        return true;
    }
    if text.ends_with(b" do") || contains(text, b" do |") {
        return true;
    }
    section_key(text)
}

/// `key:` with nothing after it but the start of a block (`{`, `[`, `|`, `>`, an anchor).
fn section_key(text: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', text) else {
        return false;
    };
    let key = trim(&text[..colon]);
    let key = key.strip_prefix(b"- ").unwrap_or(key).trim_ascii();
    let key_ok = !key.is_empty()
        && key.iter().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'-' | b'.' | b'/' | b'"' | b'\'' | b' ')
        })
        && !matches!(
            key.split(|b| *b == b' ').next(),
            Some(
                b"if"
                    | b"elif"
                    | b"else"
                    | b"for"
                    | b"while"
                    | b"with"
                    | b"try"
                    | b"except"
                    | b"case"
                    | b"when"
            )
        );
    let rest = trim(&text[colon + 1..]);
    let opens = rest.is_empty()
        || matches!(rest, b"{" | b"[" | b"|" | b">" | b"|-" | b">-")
        || (rest.starts_with(b"&") && !rest.contains(&b' '));
    key_ok && opens
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// Whitespace runs as one space, no carriage return: the same header written with other spacing is the
/// same scope.
fn normalise(text: &[u8]) -> String {
    String::from_utf8_lossy(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).unwrap_or(usize::MAX)
    }

    #[test]
    fn python_classes_and_functions_name_the_scope_and_conditions_do_not() {
        let src = "class Development(Config):\n    DEBUG = True\n\nclass Production(Config):\n    def load(self):\n        if ready:\n            DEBUG = True\n";
        assert_eq!(
            scope("app/settings.py", src.as_bytes(), at(src, "DEBUG")),
            "class Development(Config):"
        );
        let second = src.rfind("DEBUG").unwrap_or(0);
        assert_eq!(
            scope("app/settings.py", src.as_bytes(), second),
            "class Production(Config): › def load(self):"
        );
        assert_eq!(scope("a.py", b"DEBUG = True\n", 0), "");
    }

    #[test]
    fn yaml_sections_toml_sections_and_dockerfile_stages() {
        let yaml = "development:\n  database:\n    host: localhost\nproduction:\n  database:\n    host: db\n";
        assert_eq!(
            scope("config/database.yml", yaml.as_bytes(), at(yaml, "host: db")),
            "production: › database:"
        );
        let toml = "[dev]\ndebug = true\n\n[prod]\ndebug = true\n";
        assert_eq!(
            scope("c.toml", toml.as_bytes(), toml.rfind("debug").unwrap_or(0)),
            "[prod]"
        );
        let docker = "FROM python:3 AS test\nCOPY tests/ /app/tests\nFROM python:3  AS  release\nCOPY . /app\n";
        assert_eq!(
            scope("Dockerfile", docker.as_bytes(), at(docker, "COPY tests")),
            "FROM python:3 AS test"
        );
        assert_eq!(
            scope("Dockerfile", docker.as_bytes(), at(docker, "COPY . ")),
            "FROM python:3 AS release"
        );
    }

    #[test]
    fn leaf_keys_and_comments_are_not_scopes() {
        let yaml = "env:\n  name: x  # a note\n  # comment:\n  value: 1\n";
        assert_eq!(scope("a.yml", yaml.as_bytes(), at(yaml, "value")), "env:");
        let rb = "Rails.application.configure do\n  config.x = 1\nend\n";
        assert_eq!(
            scope(
                "config/environments/production.rb",
                rb.as_bytes(),
                at(rb, "config.x")
            ),
            "Rails.application.configure do"
        );
    }
}
