//! Compiling a rule's pattern: the regex, and whether a match can ever span lines.
//!
//! The scanner runs a rule's regex only on the lines where one of its keywords occurs, which is exact
//! when no match can contain a newline (the match then lies on the keyword's line). That is decided here
//! from the pattern's syntax tree, not assumed: a pattern with `\s`, `[^x]` or a literal `\n` can cross
//! lines and is searched over the whole file instead.

use regex_automata::meta;
use regex_automata::util::syntax;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Regexes larger than this (compiled) are refused: a pack must not be able to exhaust memory.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

pub struct Compiled {
    pub regex: meta::Regex,
    /// No match can contain `\n`, so every match lies within one line.
    pub single_line: bool,
}

/// Compile as `regex::bytes` would (multi-line, Unicode as asked, matching arbitrary bytes).
pub fn compile(pattern: &str, unicode: bool, case_insensitive: bool) -> Result<Compiled, String> {
    let syntax = syntax::Config::new()
        .unicode(unicode)
        .utf8(false)
        .case_insensitive(case_insensitive)
        .multi_line(true);
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(unicode)
        .utf8(false)
        .case_insensitive(case_insensitive)
        .multi_line(true)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(false)
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT));
    let regex = meta::Builder::new()
        .configure(config)
        .syntax(syntax)
        .build_from_hir(&hir)
        .map_err(|e| e.to_string())?;
    Ok(Compiled {
        single_line: !can_match_newline(&hir),
        regex,
    })
}

/// Can any match of `hir` contain the byte `\n`? Only literals and classes consume input.
fn can_match_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.contains(&b'\n'),
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Repetition(r) => r.max != Some(0) && can_match_newline(&r.sub),
        HirKind::Capture(c) => can_match_newline(&c.sub),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().any(can_match_newline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single_line(p: &str) -> bool {
        compile(p, false, false)
            .map(|c| c.single_line)
            .unwrap_or(false)
    }

    #[test]
    fn newline_capability_follows_the_syntax() {
        assert!(
            !single_line(r"(?m)^DEBUG\s*=\s*True$"),
            r"\s includes newline"
        );
        assert!(single_line(r"(?m)^DEBUG[ \t]*=[ \t]*True\b$"));
        assert!(single_line(r"[^\n]+"));
        assert!(!single_line(r"a[^b]c"), "a negated class includes newline");
        assert!(!single_line("a\nb"));
        assert!(!single_line(r"(?s)a.b"));
        assert!(single_line(r"a.b"), "without (?s), . excludes newline");
        assert!(
            single_line(r"(?:\n){0}x"),
            "a repetition of zero consumes nothing"
        );
    }

    #[test]
    fn compile_errors_are_messages() {
        assert!(compile("(unclosed", false, false).is_err());
        assert!(
            compile("x{99999}{99999}", false, false).is_err(),
            "size limit"
        );
    }
}
