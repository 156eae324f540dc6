//! `turbo prune` in a Dockerfile `RUN`: the monorepo tool copies a workspace (and the lockfile and
//! manifests it needs) into an output folder, which later stages take with `COPY --from=<stage>
//! /app/out/full .`. The folder is made by a command, not a `COPY`, so without this the image plan loses
//! the workspace's files, tests included, at that hop (a real scheduled-task image shipped its
//! `src/tests/` this way).
//!
//! Only the named workspace is followed (found by its folder name), never the whole context: the prune
//! leaves other workspaces out, and a claim that they ship would be false.

use std::ops::Range;

/// One `turbo prune` in a `RUN`: the workspaces it keeps and the folder it writes them to.
#[derive(Debug, PartialEq, Eq)]
pub struct Prune {
    /// Workspace names as written (`ingest`, `@org/web`).
    pub scopes: Vec<String>,
    /// Where the workspace copies land, relative to the working directory (`out/full` with `--docker`).
    pub out: String,
    /// The word `prune`, for the finding's location.
    pub at: Range<usize>,
}

/// The `turbo prune` of a `RUN`'s words, if it runs one.
pub fn parse(words: &[(String, Range<usize>)]) -> Option<Prune> {
    let turbo = words
        .windows(2)
        .position(|w| is_turbo(&w[0].0) && w[1].0 == "prune")?;
    let at = words[turbo + 1].1.clone();
    let mut scopes = Vec::new();
    let mut docker = false;
    let mut out_dir = "out".to_string();
    let mut rest = words[turbo + 2..].iter().map(|(w, _)| w.as_str());
    while let Some(w) = rest.next() {
        if matches!(w, "&&" | "||" | ";" | "|") {
            break;
        }
        let w = w.trim_end_matches(';');
        if w == "--docker" {
            docker = true;
        } else if let Some(v) = w.strip_prefix("--scope=") {
            scopes.push(v.to_string());
        } else if w == "--scope" {
            scopes.extend(rest.next().map(str::to_string));
        } else if let Some(v) = w.strip_prefix("--out-dir=") {
            out_dir = v.to_string();
        } else if w == "--out-dir" {
            if let Some(v) = rest.next() {
                out_dir = v.to_string();
            }
        } else if !w.starts_with('-') {
            scopes.push(w.to_string()); // turbo 2 names the workspaces as arguments
        }
    }
    if scopes.is_empty() {
        return None;
    }
    let out_dir = out_dir.trim_end_matches('/').to_string();
    let out = if docker {
        format!("{out_dir}/full")
    } else {
        out_dir
    };
    Some(Prune { scopes, out, at })
}

fn is_turbo(word: &str) -> bool {
    word == "turbo" || word.ends_with("/turbo")
}

/// The folder name a workspace lives in: `@org/web` → `web`.
pub fn folder_name(scope: &str) -> &str {
    scope.rsplit('/').next().unwrap_or(scope).trim_matches('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<(String, Range<usize>)> {
        s.split_whitespace()
            .map(|w| (w.to_string(), 0..0))
            .collect()
    }

    #[test]
    fn reads_turbo_one_and_two_forms() {
        let p = parse(&words("turbo prune --scope=ingest --docker")).map(|p| (p.scopes, p.out));
        assert_eq!(
            p,
            Some((vec!["ingest".to_string()], "out/full".to_string()))
        );
        let p = parse(&words("npx turbo prune @org/web --out-dir dist && npm ci"))
            .map(|p| (p.scopes, p.out));
        assert_eq!(p, Some((vec!["@org/web".to_string()], "dist".to_string())));
        assert_eq!(parse(&words("turbo run build")), None);
        assert_eq!(folder_name("@org/web"), "web");
    }
}
