//! A Dockerfile that is only a local development image, by what its production stage does: built from
//! a base image named for development (`dev_base_python_flask`, `node-dev`), pointing at localhost with a
//! `COMMIT=LOCAL` stamp, or running a reloader or debugger (`nodemon`, `gunicorn --reload`, `node
//! --inspect`, `npm run local:debug`, `flask run --debug`), in its command or in the options it gives the
//! server (`ENV GUNICORN_ARGS=--reload`).
//!
//! These are evidence about the image itself, not comments about it: an image that runs `nodemon
//! --inspect` is a developer's. The callers add the other half, which no Dockerfile can fake: nothing
//! builds it for production (no workflow, pipeline or production compose file builds or names it).
//! A command that runs a script of the repository (`ENTRYPOINT ["./docker_init.sh"]`) is handed back
//! for the caller to follow with [`script_runs_dev_server`].

use super::dockerfile::Dockerfile;

/// Why the production stage looks like a local development image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevSignal {
    /// Its root image is named for development (the image word).
    Base(String),
    /// It points at localhost and stamps a `LOCAL` commit.
    LocalStamp,
    /// It runs a reloader or debugger (the words that say so).
    Command(String),
}

impl DevSignal {
    /// For messages: `its base image dev_base_python is named for development`.
    pub fn describe(&self) -> String {
        match self {
            DevSignal::Base(b) => format!("its base image `{b}` is named for development"),
            DevSignal::LocalStamp => "it points at localhost with a `LOCAL` commit stamp".into(),
            DevSignal::Command(c) => format!("it runs a reloader or debugger (`{c}`)"),
        }
    }
}

/// What stage `target` of `df` says of itself, and the script files its command runs (as written, for
/// the caller to find in the repository and read).
pub fn signal(df: &Dockerfile, text: &[u8], target: usize) -> (Option<DevSignal>, Vec<String>) {
    let lineage = df.lineage(target);
    let word = |r: &std::ops::Range<usize>| String::from_utf8_lossy(&text[r.clone()]).into_owned();
    let root = lineage.last().and_then(|&i| df.stages[i].image.clone());
    if let Some(r) = root {
        let image = word(&r);
        if base_named_for_development(&image) {
            return (Some(DevSignal::Base(image)), Vec::new());
        }
    }
    let (mut localhost, mut local_commit) = (false, false);
    // The command that runs: the last `ENTRYPOINT` and `CMD` of the lineage, oldest stage first.
    let (mut entrypoint, mut cmd): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut options: Option<String> = None;
    for &i in lineage.iter().rev() {
        for ins in &df.stages[i].instructions {
            let args: Vec<String> = ins.args.iter().map(word).collect();
            match ins.keyword.as_str() {
                "ENTRYPOINT" => entrypoint = args,
                "CMD" => cmd = args,
                "ENV" | "ARG" => {
                    for (k, v) in assignments(&args) {
                        let lower = v.to_ascii_lowercase();
                        localhost |= ["://localhost", "://127.0.0.1", "://0.0.0.0"]
                            .iter()
                            .any(|h| lower.contains(h));
                        let key = k.to_ascii_lowercase();
                        local_commit |= lower == "local"
                            && ["commit", "sha", "revision", "version", "build"]
                                .iter()
                                .any(|n| key.contains(n));
                        // The options a server reads from the environment (`GUNICORN_CMD_ARGS`,
                        // `NODE_OPTIONS`, s2i's `GUNICORN_ARGS`).
                        if ["args", "opts", "options"].iter().any(|s| key.ends_with(s)) {
                            if let Some(w) = v.split_whitespace().find(|w| is_dev_flag(w)) {
                                options = Some(format!("{k}={w}"));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if localhost && local_commit {
        return (Some(DevSignal::LocalStamp), Vec::new());
    }
    // `["sh", "-c", "npm run dev"]`: the words inside each argument too.
    let words: Vec<String> = entrypoint
        .iter()
        .chain(&cmd)
        .flat_map(|a| a.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    if let Some(c) = dev_server(&words) {
        return (Some(DevSignal::Command(c)), Vec::new());
    }
    if let Some(o) = options {
        return (Some(DevSignal::Command(o)), Vec::new());
    }
    let scripts = words
        .iter()
        .filter(|w| w.ends_with(".sh") || w.starts_with("./") && !w.contains('$'))
        .cloned()
        .collect();
    (None, scripts)
}

/// What a finding lowered for a local development image says: ` (a local development image: WHY, and
/// no workflow, pipeline or production compose file builds or names this Dockerfile)`.
pub fn lowered_because(why: &str) -> String {
    format!(" (a local development image: {why}, and no workflow, pipeline or production compose file builds or names this Dockerfile)")
}

/// Do the Dockerfile paths that CI and compose files build or name (as written, without the checkout's
/// root) include `file`? A path ending in it, or a relative path it ends in, counts: a pipeline that
/// may build this file makes it production.
pub fn named(mentions: &[String], file: &str) -> bool {
    mentions
        .iter()
        .any(|m| m == file || file.ends_with(&format!("/{m}")) || m.ends_with(&format!("/{file}")))
}

/// `dev_base_python_flask:3`, `ghcr.io/acme/node-dev`, `app_local`: the repository name (no registry,
/// tag or digest) starts with `dev` or ends with `dev`, `development` or `local` as a word.
fn base_named_for_development(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let repo = lower.split(['@', ':']).next().unwrap_or("");
    let name = repo.rsplit('/').next().unwrap_or("");
    let toks: Vec<&str> = name.split(['_', '-', '.']).collect();
    toks.first() == Some(&"dev")
        || toks
            .last()
            .is_some_and(|t| matches!(*t, "dev" | "development" | "local"))
}

/// `ENV A=1 B=2` and the legacy `ENV A 1`.
fn assignments(args: &[String]) -> Vec<(String, String)> {
    if args.len() >= 2 && !args[0].contains('=') {
        return vec![(args[0].clone(), unquote(&args[1..].join(" ")))];
    }
    args.iter()
        .filter_map(|a| a.split_once('='))
        .map(|(k, v)| (k.to_string(), unquote(v)))
        .collect()
}

fn unquote(v: &str) -> String {
    v.trim_matches(['"', '\'']).to_string()
}

/// `--reload`, `--inspect`, `--inspect-brk=0.0.0.0:9229`, `--debugger`.
fn is_dev_flag(w: &str) -> bool {
    let w = w.trim_matches(['"', '\'']);
    w == "--reload" || w == "--debugger" || w.starts_with("--inspect")
}

/// Does this command run a reloader or debugger? The words that say so.
pub fn dev_server(words: &[String]) -> Option<String> {
    for (i, w) in words.iter().enumerate() {
        let name = w.rsplit('/').next().unwrap_or(w);
        if matches!(name, "nodemon" | "ts-node-dev" | "tsnd" | "node-dev") || is_dev_flag(w) {
            return Some(w.clone());
        }
        // `flask run --debug`.
        if name == "flask" && words.get(i + 1).is_some_and(|s| s == "run") {
            if let Some(d) = words[i + 2..].iter().find(|f| *f == "--debug") {
                return Some(format!("flask run {d}"));
            }
        }
        // `npm run dev`, `yarn local:debug`, `pnpm run start:dev`.
        if matches!(name, "npm" | "yarn" | "pnpm") {
            let mut rest = words[i + 1..].iter().filter(|s| !s.starts_with('-'));
            let mut script = rest.next();
            if script.is_some_and(|s| s == "run" || s == "run-script") {
                script = rest.next();
            }
            if let Some(s) = script.filter(|s| {
                s.split(':')
                    .any(|p| matches!(p, "dev" | "local" | "debug" | "watch"))
            }) {
                return Some(format!("{name} run {s}"));
            }
        }
    }
    None
}

/// Does a shell script run a reloader or debugger unconditionally (outside any `if` or `case`)? The
/// words that say so. A script that picks a dev server for one environment and a real one for another
/// is the production entry point.
pub fn script_runs_dev_server(text: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    let mut depth = 0usize;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        let first = t.split_whitespace().next().unwrap_or("");
        match first {
            "if" | "case" | "while" | "until" | "for" | "select" => depth += 1,
            "fi" | "esac" | "done" => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 0 || matches!(first, "fi" | "esac" | "done") {
            continue;
        }
        for command in t.split(['&', '|', ';']) {
            let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
            if let Some(found) = dev_server(&words) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(df: &str) -> (Option<DevSignal>, Vec<String>) {
        let parsed = Dockerfile::parse(df.as_bytes()).unwrap_or_default();
        let target = parsed.production_stage().unwrap_or(0);
        signal(&parsed, df.as_bytes(), target)
    }

    #[test]
    fn what_makes_an_image_a_developers() {
        assert_eq!(
            sig("FROM hmlandregistry/dev_base_python_flask:5\nCMD x\n").0,
            Some(DevSignal::Base(
                "hmlandregistry/dev_base_python_flask:5".into()
            ))
        );
        assert_eq!(
            sig("FROM ruby:3.3\nARG COMMIT=LOCAL\nENV API=http://localhost:3000\n").0,
            Some(DevSignal::LocalStamp)
        );
        assert_eq!(
            sig("FROM python:3.12\nENV GUNICORN_ARGS='--reload' APP=x\nCMD [\"./run.sh\"]\n").0,
            Some(DevSignal::Command("GUNICORN_ARGS=--reload".into()))
        );
        assert_eq!(
            sig("FROM node:22\nCMD [\"sh\", \"-c\", \"npm run local:debug\"]\n").0,
            Some(DevSignal::Command("npm run local:debug".into()))
        );
        assert_eq!(
            sig("FROM node:22\nCMD node --inspect=0.0.0.0 src/server.js\n").0,
            Some(DevSignal::Command("--inspect=0.0.0.0".into()))
        );
        // The command of the stage that runs, not of a build stage.
        assert_eq!(
            sig("FROM node:22 AS dev\nCMD nodemon\nFROM node:22\nCMD [\"node\", \"server.js\"]\n"),
            (None, vec![])
        );
        assert_eq!(
            sig("FROM node:22\nWORKDIR /app\nENTRYPOINT [\"/app/docker_init.sh\"]\n"),
            (None, vec!["/app/docker_init.sh".to_string()])
        );
        // Production images.
        assert_eq!(
            sig("FROM python:3.12\nCMD gunicorn app:app --workers 4\n").0,
            None
        );
        assert_eq!(sig("FROM node:22\nCMD [\"npm\", \"start\"]\n").0, None);
        assert_eq!(
            sig("FROM node:22\nENV NODE_OPTIONS=--max-old-space-size=512\n").0,
            None
        );
    }

    #[test]
    fn scripts_that_run_a_dev_server() {
        let init = b"#!/bin/bash\nnpm config set -g progress=false && \\\n  npm config ls\n\nnpm run local:debug\n";
        assert_eq!(
            script_runs_dev_server(init),
            Some("npm run local:debug".into())
        );
        let chooses = b"#!/bin/sh\nif [ \"$ENV\" = dev ]; then\n  exec nodemon src/server.js\nelse\n  exec node src/server.js\nfi\n";
        assert_eq!(script_runs_dev_server(chooses), None);
        assert_eq!(script_runs_dev_server(b"exec gunicorn app:app\n"), None);
    }
}
