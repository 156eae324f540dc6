//! Dockerfile structure: instructions (joined across `\` continuations) and build stages, with which stage
//! is the production image and which stages never reach it.
//!
//! The production stage is the last one, unless the last one is named like a test or dev stage (`AS test`,
//! `AS ci`); then it is the last stage not so named. A stage reaches the production image when the
//! production stage is built `FROM` it, directly or through other stages. A stage the production image only
//! copies files from (`COPY --from=build`) does not pass on its settings (`ENV`, `ARG`, what its `RUN`s set),
//! so a `RAILS_ENV=test` there is build or test configuration, not production's.

use crate::repo::environments::{self, Tier};
use std::collections::HashMap;
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
    /// The earlier stage this one is built `FROM`, if it names one.
    pub base: Option<usize>,
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

/// Stages a Dockerfile may have. Real ones have a handful (the largest seen, a few dozen); a file of ten
/// thousand chained stages is an attack on the gate, refused with [`TooComplex`] before any stage is followed.
pub const MAX_STAGES: usize = 1000;

/// A Dockerfile the gate refuses to follow, and why: the caller fails closed with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooComplex(pub String);

/// A parsed Dockerfile: its stages, each with the earlier stage it is built `FROM` already resolved, so that
/// following a chain of stages is linear in its length.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub stages: Vec<Stage>,
    /// Lower-cased stage name → the stages of that name, in order.
    names: HashMap<String, Vec<usize>>,
}

impl Dockerfile {
    /// Parse `text`, or refuse it when it has more than [`MAX_STAGES`] stages.
    pub fn parse(text: &[u8]) -> Result<Dockerfile, TooComplex> {
        let mut df = Dockerfile::default();
        for ins in instructions(text) {
            if ins.keyword == "FROM" {
                if df.stages.len() == MAX_STAGES {
                    return Err(TooComplex(format!(
                        "it has more than {MAX_STAGES} build stages"
                    )));
                }
                if let Some(prev) = df.stages.last_mut() {
                    prev.span.end = ins.span.start;
                }
                let mut words = ins
                    .args
                    .iter()
                    .filter(|r| !text[(*r).clone()].starts_with(b"--"));
                let image = words.next().cloned();
                let mut name = None;
                if let (Some(kw), Some(n)) = (words.next(), words.next()) {
                    if text[kw.clone()].eq_ignore_ascii_case(b"as") {
                        name = Some(String::from_utf8_lossy(&text[n.clone()]).into_owned());
                    }
                }
                let i = df.stages.len();
                // `FROM 0` names an image called `0`, not a stage: only names count for FROM.
                let base = image
                    .as_ref()
                    .and_then(|w| std::str::from_utf8(&text[w.clone()]).ok())
                    .and_then(|w| df.named(i, w));
                if let Some(n) = &name {
                    df.names.entry(n.to_ascii_lowercase()).or_default().push(i);
                }
                df.stages.push(Stage {
                    name,
                    image,
                    span: ins.span.start..text.len(),
                    instructions: Vec::new(),
                    base,
                });
            } else if let Some(stage) = df.stages.last_mut() {
                stage.instructions.push(ins);
            }
        }
        Ok(df)
    }

    /// The latest stage before `before` called `name` (case-insensitive, as Docker compares).
    fn named(&self, before: usize, name: &str) -> Option<usize> {
        let all = self.names.get(&name.to_ascii_lowercase())?;
        let k = all.partition_point(|&i| i < before);
        k.checked_sub(1).map(|k| all[k])
    }

    /// The earlier stage called `name`, or numbered `name` (`COPY --from=0`), looking only before stage
    /// `before`.
    pub fn stage_named(&self, before: usize, name: &str) -> Option<usize> {
        let before = before.min(self.stages.len());
        self.named(before, name)
            .or_else(|| name.parse::<usize>().ok().filter(|i| *i < before))
    }

    /// The stage that stage `i` is built `FROM`, when it is an earlier stage of this file.
    pub fn base(&self, i: usize) -> Option<usize> {
        self.stages.get(i)?.base
    }

    /// Stage `i` and the stages it is built from, nearest first. Each base is an earlier stage, so the
    /// walk ends.
    pub fn lineage(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut at = i;
        while let Some(b) = self.base(at) {
            out.push(b);
            at = b;
        }
        out
    }

    /// The index of the default production stage (see the module comment).
    pub fn production_stage(&self) -> Option<usize> {
        self.stages
            .iter()
            .rposition(|s| !s.name.as_deref().is_some_and(is_nonprod_stage_name))
    }

    /// The stage called `name` (a build's `--target`), anywhere in the file.
    pub fn target(&self, name: &str) -> Option<usize> {
        self.names.get(&name.to_ascii_lowercase())?.last().copied()
    }
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

/// Any Dockerfile by name, production or not (`Dockerfile`, `Dockerfile.dev`, `web.Dockerfile`).
pub fn names_a_dockerfile(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with("-dockerfile")
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

/// Byte ranges of the stages whose settings never reach the production image: every stage that the
/// production stage is not built from (directly or through other stages). Text before the first `FROM`
/// is in none of them. A file with no stage, or no production stage, gives none.
///
/// For a filter of switch hits in Dockerfiles: a hit inside one of these ranges (an `ENV RAILS_ENV=test`
/// in `FROM base AS test`) is test or build configuration.
pub fn stages_outside_final_image(text: &[u8]) -> Vec<Range<usize>> {
    // A file too complex to follow has no stage ruled out: every switch in it is judged.
    let Ok(df) = Dockerfile::parse(text) else {
        return Vec::new();
    };
    let Some(prod) = df.production_stage() else {
        return Vec::new();
    };
    let mut reach = vec![false; df.stages.len()];
    for i in df.lineage(prod) {
        reach[i] = true;
    }
    df.stages
        .iter()
        .enumerate()
        .filter(|(i, _)| !reach[*i])
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
    fn stage_count_is_capped_and_chains_are_followed_linearly() {
        let chain = |n: usize| {
            let mut t = String::from("FROM alpine AS s0\n");
            for i in 1..n {
                t.push_str(&format!("FROM s{} AS s{i}\nENV V{i}=x\n", i - 1));
            }
            t
        };
        let Ok(df) = Dockerfile::parse(chain(MAX_STAGES).as_bytes()) else {
            panic!("a chain at the cap parses")
        };
        assert_eq!(df.lineage(MAX_STAGES - 1).len(), MAX_STAGES);
        let Err(err) = Dockerfile::parse(chain(MAX_STAGES + 1).as_bytes()) else {
            panic!("a chain past the cap is refused")
        };
        assert!(err.0.contains("more than 1000 build stages"), "{err:?}");
        // The switch filter keeps every stage of a refused file in view.
        assert!(stages_outside_final_image(chain(10_000).as_bytes()).is_empty());
    }

    #[test]
    fn stage_references() {
        let text = b"FROM --platform=linux/amd64 node:20 AS Build\nRUN x\nFROM build\nCOPY --from=0 /a /a\nFROM 0\n";
        let Ok(df) = Dockerfile::parse(text) else {
            panic!("parses")
        };
        let s = &df.stages;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].name.as_deref(), Some("Build"));
        assert_eq!(s[0].image.clone().map(|r| &text[r]), Some(&b"node:20"[..]));
        assert_eq!(df.base(1), Some(0));
        assert_eq!(df.base(2), None, "FROM 0 is an image");
        assert_eq!(df.stage_named(1, "0"), Some(0));
        assert_eq!(df.stage_named(0, "build"), None);
        assert_eq!(df.lineage(1), vec![1, 0]);
        assert_eq!(df.target("BUILD"), Some(0));
    }
}
