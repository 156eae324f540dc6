//! Dockerfiles: the production stage must not `COPY`/`ADD` tests or fixtures, and `COPY . .` into it needs a
//! .dockerignore that keeps them out.
//!
//! Multi-stage aware: stages are split at `FROM … [AS name]`; the production stage is the last one, unless
//! the last one is named like a test or dev stage (`AS test`, `AS ci`), then it is the last stage not so
//! named. Builder and test stages may copy and run whatever they like. `COPY --from=stage /src /dst` copies
//! built output from another stage: its source path is judged the same way.

use super::paths;
use super::rule_docs::DOCKER_COPIES_TESTS;
use super::tokens::skip_ws;
use super::{Extracted, Fact, Source, Want};
use crate::repo::classify::FileClass;
use crate::repo::files;
use std::ops::Range;

pub(crate) fn is_dockerfile(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let is = lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with("-dockerfile");
    // Dockerfile.dev, ci.Dockerfile: images for development and CI, not production.
    is && !lower
        .split(['.', '-', '_'])
        .any(|t| is_nonprod_stage_name(t) || t == "local")
}

fn is_nonprod_stage_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split(['-', '_', '.']).any(|t| {
        matches!(
            t,
            "test"
                | "tests"
                | "testing"
                | "ci"
                | "dev"
                | "development"
                | "debug"
                | "lint"
                | "e2e"
                | "spec"
                | "check"
                | "checks"
        )
    })
}

/// One instruction, joined across `\` continuations: its keyword and the argument range of each word.
#[derive(Debug)]
struct Instruction {
    keyword: String,
    /// Words of the arguments (flags included), as byte ranges into the file; JSON-array form unquoted.
    args: Vec<Range<usize>>,
}

fn instructions(text: &[u8]) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let start = skip_ws(text, pos, text.len());
        // The logical line: physical lines joined while they end in `\`.
        let mut end = start;
        let mut words: Vec<Range<usize>> = Vec::new();
        loop {
            let line_end = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |i| end + i);
            let mut content_end = line_end;
            while content_end > end && text[content_end - 1].is_ascii_whitespace() {
                content_end -= 1;
            }
            let continued = content_end > end && text[content_end - 1] == b'\\';
            let stop = if continued {
                content_end - 1
            } else {
                content_end
            };
            let comment = text[skip_ws(text, end, stop)..stop].starts_with(b"#");
            if !comment {
                words.extend(split_words(text, end, stop));
            }
            end = line_end + 1;
            if !continued || end >= text.len() {
                break;
            }
        }
        pos = end;
        let Some(first) = words.first().cloned() else {
            continue;
        };
        if text[first.clone()].starts_with(b"#") {
            continue;
        }
        out.push(Instruction {
            keyword: String::from_utf8_lossy(&text[first]).to_ascii_uppercase(),
            args: words[1..].to_vec(),
        });
    }
    out
}

/// Whitespace-separated words; a JSON array (`["a", "b"]`) gives its strings' contents.
fn split_words(text: &[u8], from: usize, to: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        i = skip_ws(text, i, to);
        if i >= to {
            break;
        }
        if text[i] == b'"' {
            let close = memchr::memchr(b'"', &text[i + 1..to]).map_or(to, |k| i + 1 + k);
            out.push(i + 1..close);
            i = close + 1;
            continue;
        }
        if matches!(text[i], b'[' | b']' | b',') {
            i += 1;
            continue;
        }
        let s = i;
        while i < to && !matches!(text[i], b' ' | b'\t' | b',' | b']') {
            i += 1;
        }
        out.push(s..i);
    }
    out
}

struct Stage {
    name: Option<String>,
    instructions: Vec<Instruction>,
}

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut stages: Vec<Stage> = Vec::new();
    for ins in instructions(text) {
        if ins.keyword == "FROM" {
            let words: Vec<String> = ins.args.iter().map(|r| src.str(r.clone())).collect();
            let name = words
                .iter()
                .position(|w| w.eq_ignore_ascii_case("as"))
                .and_then(|i| words.get(i + 1).cloned());
            stages.push(Stage {
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(ins);
        }
    }
    let production = stages
        .iter()
        .rposition(|s| !s.name.as_deref().is_some_and(is_nonprod_stage_name));
    let Some(stage) = production.and_then(|i| stages.get(i)) else {
        return;
    };
    for ins in &stage.instructions {
        if ins.keyword != "COPY" && ins.keyword != "ADD" {
            continue;
        }
        let mut from_stage = None;
        let mut operands: Vec<Range<usize>> = Vec::new();
        for a in &ins.args {
            let w = &text[a.clone()];
            if let Some(v) = w.strip_prefix(b"--from=") {
                from_stage = Some(String::from_utf8_lossy(v).into_owned());
            } else if w.starts_with(b"--") {
                continue;
            } else {
                operands.push(a.clone());
            }
        }
        // Heredocs (`COPY <<EOF`) carry their content inline; the last operand is the destination.
        if operands.len() < 2 || text[operands[0].clone()].starts_with(b"<<") {
            continue;
        }
        for source in &operands[..operands.len() - 1] {
            copy_source(
                src,
                out,
                source.clone(),
                from_stage.as_deref(),
                &ins.keyword,
            );
        }
    }
}

fn copy_source(
    src: &mut Source,
    out: &mut Extracted,
    range: Range<usize>,
    from_stage: Option<&str>,
    keyword: &str,
) {
    let raw = src.str(range.clone());
    if raw.contains("://") || raw.starts_with('$') {
        return;
    }
    let trimmed = raw.trim_end_matches('/');
    if trimmed == "." || trimmed.is_empty() {
        if from_stage.is_none() {
            let at = src.span(range);
            out.pending(at, raw.clone(), Want::DockerCopyAll);
        }
        return;
    }
    // The build context is usually the Dockerfile's directory, sometimes the repository root: a path
    // that is test-side either way is reported. Globs are judged by their literal directories.
    let literal = trimmed
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[']))
        .collect::<Vec<_>>()
        .join("/");
    let whole = !trimmed.contains(['*', '?', '[']);
    let mut places = Vec::new();
    for base in [src.dir(), ""] {
        let Some(p) = paths::join(base, trimmed.trim_start_matches('/')) else {
            continue;
        };
        if whole {
            places.push(p.clone());
        }
        if let Some(d) = paths::join(base, literal.trim_start_matches('/')) {
            if !d.is_empty() {
                // As a directory: what a file inside it would be.
                places.push(format!("{d}/_"));
            }
        }
    }
    // `tests/fixtures/` is a test path as a file and a fixture path as a directory: the narrower wins.
    let classes: Vec<FileClass> = places
        .iter()
        .filter_map(|p| files::classify(src.config, p))
        .filter(|c| c.is_test_side())
        .collect();
    let Some(&first) = classes.first() else {
        return;
    };
    let class = if classes.contains(&FileClass::Fixture) {
        FileClass::Fixture
    } else {
        first
    };
    let what = super::manifests::class_word(class);
    let from = from_stage.map_or(String::new(), |s| format!(" from stage `{s}`"));
    let verb = if keyword == "ADD" { "adds" } else { "copies" };
    let message = format!("the production stage {verb} `{raw}` ({what}){from} into the image");
    let at = src.span(range);
    out.finding(&DOCKER_COPIES_TESTS, at, message, &raw);
}

/// A .dockerignore: its patterns, for `COPY . .` in Dockerfiles of the same directory.
pub(crate) fn extract_ignore(src: &Source, out: &mut Extracted) {
    let patterns = src
        .text
        .split(|b| *b == b'\n')
        .map(|l| String::from_utf8_lossy(l).trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    out.facts.push(Fact::DockerIgnore {
        path: src.path.to_string(),
        patterns,
    });
}

/// Do these .dockerignore patterns keep tests out of the context? Either a pattern names a test
/// location (`tests`, `**/__tests__`, `*_test.go`), or everything is excluded (`*`) and no later `!`
/// exception lets a test location back in.
pub(crate) fn ignore_excludes_tests(patterns: &[String]) -> bool {
    let mut excluded = false;
    for p in patterns {
        if let Some(neg) = p.strip_prefix('!') {
            if paths::has_test_word(neg) {
                excluded = false;
            }
            continue;
        }
        let bare = p.trim_start_matches('/').trim_end_matches('/');
        if matches!(bare, "*" | "**" | "**/*") || paths::has_test_word(bare) {
            excluded = true;
        }
    }
    excluded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, text: &str) -> Extracted {
        super::super::extract_for_test(path, text, Syntax::Hash, extract)
    }

    fn copied(out: &Extracted) -> Vec<(String, u32, u32)> {
        out.findings
            .iter()
            .map(|f| {
                let crate::finding::Location::File(s) = &f.location else {
                    return (String::new(), 0, 0);
                };
                (f.evidence.clone().unwrap_or_default(), s.line, s.column)
            })
            .collect()
    }

    #[test]
    fn only_the_production_stage_is_judged() {
        let df = "FROM python:3.12 AS builder\nCOPY . .\nCOPY tests/ tests/\nRUN pytest\n\nFROM python:3.12-slim\nCOPY --from=builder /app/dist /app\nCOPY app/ /app/app/\nCOPY --chown=app tests/fixtures \\\n     /app/fixtures\nADD [\"conftest.py\", \"/app/\"]\n";
        let out = run("Dockerfile", df);
        assert_eq!(
            copied(&out),
            vec![
                ("tests/fixtures".into(), 9, 18),
                ("conftest.py".into(), 11, 7)
            ]
        );
        assert!(out.pending.is_empty());
    }

    #[test]
    fn copy_all_waits_for_the_dockerignore_and_test_stages_are_not_production() {
        let out = run("Dockerfile", "FROM node:20\nWORKDIR /app\nCOPY . .\n");
        assert_eq!(out.pending.len(), 1);
        assert_eq!((out.pending[0].at.line, out.pending[0].at.column), (3, 6));
        let out = run(
            "Dockerfile",
            "FROM node:20 AS prod\nCOPY dist/ /app/\n\nFROM prod AS test\nCOPY test/ /app/test/\nCOPY . .\n",
        );
        assert!(out.findings.is_empty() && out.pending.is_empty());
        let out = run(
            "svc/Dockerfile",
            "FROM x\nCOPY --from=builder /src/tests /tests\n",
        );
        assert_eq!(copied(&out), vec![("/src/tests".into(), 2, 21)]);
    }

    #[test]
    fn dockerfile_names_and_ignore_patterns() {
        assert!(is_dockerfile("Dockerfile") && is_dockerfile("api.Dockerfile"));
        assert!(!is_dockerfile("Dockerfile.dev") && !is_dockerfile("ci.Dockerfile"));
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(ignore_excludes_tests(&p(&[".git", "tests/"])));
        assert!(ignore_excludes_tests(&p(&["**/__tests__"])));
        assert!(ignore_excludes_tests(&p(&["*", "!app/"])));
        assert!(!ignore_excludes_tests(&p(&["*", "!tests/"])));
        assert!(!ignore_excludes_tests(&p(&[".git", "node_modules"])));
    }
}
