//! Dockerfile structure: instructions (joined across `\` continuations) and build stages, with which stage
//! is the production image and which stages never reach it.
//!
//! The production stage is the last one, unless the last one is named like a test or dev stage (`AS test`,
//! `AS ci`); then it is the last stage not so named. A stage reaches the production image when the
//! production stage is built `FROM` it, directly or through other stages. A stage the production image only
//! copies files from (`COPY --from=build`) does not pass on its settings (`ENV`, `ARG`, what its `RUN`s set),
//! so a `RAILS_ENV=test` there is build or test configuration, not production's.

use crate::repo::environments::{self, Tier};
use std::ops::Range;

/// One instruction, joined across `\` continuations.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// Upper-cased keyword (`COPY`, `FROM`).
    pub keyword: String,
    /// Where the instruction starts (its keyword) and ends (the end of its last line, newline excluded).
    pub span: Range<usize>,
    /// Words of the arguments (flags included), as byte ranges into the file; JSON-array form unquoted.
    pub args: Vec<Range<usize>>,
}

/// A build stage: its `FROM` line and the instructions up to the next one.
#[derive(Debug, Clone)]
pub struct Stage {
    /// `AS name`, as written.
    pub name: Option<String>,
    /// The image word of `FROM` (a registry image, or an earlier stage's name).
    pub image: Option<Range<usize>>,
    /// From the `FROM` keyword to the next stage's `FROM` (or the end of the file).
    pub span: Range<usize>,
    pub instructions: Vec<Instruction>,
}

pub fn instructions(text: &[u8]) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let start = skip_ws(text, pos, text.len());
        // The logical line: physical lines joined while they end in `\`.
        let mut end = start;
        let mut last_content = start;
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
                last_content = last_content.max(content_end);
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
            keyword: String::from_utf8_lossy(&text[first.clone()]).to_ascii_uppercase(),
            span: first.start..last_content.max(first.end),
            args: words[1..].to_vec(),
        });
    }
    out
}

fn skip_ws(text: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && text[i].is_ascii_whitespace() {
        i += 1;
    }
    i
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

/// The stages, in order. Instructions before the first `FROM` (global `ARG`s) belong to none.
pub fn stages(text: &[u8]) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for ins in instructions(text) {
        if ins.keyword == "FROM" {
            if let Some(prev) = stages.last_mut() {
                prev.span.end = ins.span.start;
            }
            let mut image = None;
            let mut name = None;
            let mut words = ins
                .args
                .iter()
                .filter(|r| !text[(*r).clone()].starts_with(b"--"));
            if let Some(w) = words.next() {
                image = Some(w.clone());
            }
            if let (Some(kw), Some(n)) = (words.next(), words.next()) {
                if text[kw.clone()].eq_ignore_ascii_case(b"as") {
                    name = Some(String::from_utf8_lossy(&text[n.clone()]).into_owned());
                }
            }
            stages.push(Stage {
                name,
                image,
                span: ins.span.start..text.len(),
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(ins);
        }
    }
    stages
}

/// A Dockerfile by name (`Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`, `web-dockerfile`) that is not
/// named for development or CI (`Dockerfile.dev`, `ci.Dockerfile`, `Dockerfile.local`).
pub fn is_production_dockerfile(name: &str) -> bool {
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

/// A stage named for a non-production environment (`test`, `ci`, `dev-deps`, `e2e`, `qa`) or for a
/// build step that only checks (`lint`, `debug`, `spec`).
pub fn is_nonprod_stage_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split(['-', '_', '.']).any(|t| {
        environments::tier_of_code_word(t) == Some(Tier::NonProduction)
            || matches!(t, "debug" | "lint" | "spec" | "check" | "checks")
    })
}

/// The index of the production stage (see the module comment).
pub fn production_stage(stages: &[Stage]) -> Option<usize> {
    stages
        .iter()
        .rposition(|s| !s.name.as_deref().is_some_and(is_nonprod_stage_name))
}

/// The earlier stage called `name` (case-insensitive, as Docker compares), or numbered `name`
/// (`COPY --from=0`), looking only before stage `before`.
pub fn stage_named(stages: &[Stage], before: usize, name: &str) -> Option<usize> {
    let earlier = &stages[..before.min(stages.len())];
    if let Some(i) = earlier.iter().rposition(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }) {
        return Some(i);
    }
    name.parse::<usize>().ok().filter(|i| *i < earlier.len())
}

/// The stage that stage `i` is built `FROM`, when it is an earlier stage of this file.
pub fn base_stage(text: &[u8], stages: &[Stage], i: usize) -> Option<usize> {
    let image = stages.get(i)?.image.clone()?;
    let word = std::str::from_utf8(&text[image]).ok()?;
    let found = stage_named(stages, i, word)?;
    // `FROM 0` names an image called `0`, not a stage: only names count for FROM.
    stages[found].name.as_ref()?;
    Some(found)
}

/// Stage `i` and the stages it is built from, nearest first.
pub fn lineage(text: &[u8], stages: &[Stage], i: usize) -> Vec<usize> {
    let mut out = vec![i];
    let mut at = i;
    while let Some(b) = base_stage(text, stages, at) {
        if out.contains(&b) {
            break;
        }
        out.push(b);
        at = b;
    }
    out
}

/// Byte ranges of the stages whose settings never reach the production image: every stage that the
/// production stage is not built from (directly or through other stages). Text before the first `FROM`
/// is in none of them. A file with no stage, or no production stage, gives none.
///
/// For a filter of switch hits in Dockerfiles: a hit inside one of these ranges (an `ENV RAILS_ENV=test`
/// in `FROM base AS test`) is test or build configuration.
pub fn stages_outside_final_image(text: &[u8]) -> Vec<Range<usize>> {
    let stages = stages(text);
    let Some(prod) = production_stage(&stages) else {
        return Vec::new();
    };
    let reach = lineage(text, &stages, prod);
    stages
        .iter()
        .enumerate()
        .filter(|(i, _)| !reach.contains(i))
        .map(|(_, s)| s.span.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_that_the_production_image_is_not_built_from() {
        let df = "ARG RUBY=3.3\nFROM ruby:$RUBY AS base\nENV RAILS_ENV=production\n\nFROM base AS build\nENV RAILS_ENV=test\nRUN make\n\nFROM base AS test\nENV RAILS_ENV=test\n\nFROM base\nCOPY --from=build /app/dist /app\n";
        let out: Vec<&str> = stages_outside_final_image(df.as_bytes())
            .into_iter()
            .map(|r| &df[r])
            .collect();
        assert_eq!(
            out,
            vec![
                "FROM base AS build\nENV RAILS_ENV=test\nRUN make\n\n",
                "FROM base AS test\nENV RAILS_ENV=test\n\n"
            ]
        );
        // The last stage is a test stage: production is the one before, built from `base`.
        let df = "FROM node:20 AS base\nENV NODE_ENV=production\nFROM base AS prod\nCMD x\nFROM prod AS test\nENV NODE_ENV=test\n";
        let out: Vec<&str> = stages_outside_final_image(df.as_bytes())
            .into_iter()
            .map(|r| &df[r])
            .collect();
        assert_eq!(out, vec!["FROM prod AS test\nENV NODE_ENV=test\n"]);
        // One stage: it is production.
        assert!(stages_outside_final_image(b"FROM x\nENV NODE_ENV=test\n").is_empty());
        // A chain: test is built from build, production from base.
        let df = "FROM a AS base\nFROM base AS build\nFROM build AS test\nFROM base\n";
        assert_eq!(stages_outside_final_image(df.as_bytes()).len(), 2);
    }

    #[test]
    fn stage_references() {
        let df = b"FROM --platform=linux/amd64 node:20 AS Build\nRUN x\nFROM build\nCOPY --from=0 /a /a\n";
        let s = stages(df);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name.as_deref(), Some("Build"));
        assert_eq!(s[0].image.clone().map(|r| &df[r]), Some(&b"node:20"[..]));
        assert_eq!(base_stage(df, &s, 1), Some(0));
        assert_eq!(stage_named(&s, 1, "0"), Some(0));
        assert_eq!(stage_named(&s, 0, "build"), None);
        assert_eq!(lineage(df, &s, 1), vec![1, 0]);
    }
}
