//! A production image that installs a Node manifest's development dependencies ships its test libraries:
//! `npm ci`, `yarn install` or `pnpm install` in a stage the production image is built from, without
//! `--omit=dev` / `--production` (or `yarn workspaces focus --production` for Yarn 2+), with
//! `NODE_ENV` not `production` at that point, and no later prune (`npm prune --production`, `rm -rf
//! node_modules`) in the image's stages. Jest, Mocha or Cypress then sit in the live image's
//! `node_modules`, loadable by anything running there.
//!
//! Which stages are production's is `docker.rs`'s answer (the declared or default target and the stages
//! it is built `FROM`); a build stage that installs everything to compile assets is not, nor what the
//! production stage copies out of it. The manifest is the `package.json` at the `RUN`'s working
//! directory, followed back through the image's `COPY`s to the repository; its development
//! dependencies are read by the manifest extractor (`Fact::DevTestLibraries`).

use super::paths;
use super::resolve::Index;
use super::rule_docs::TEST_DEPENDENCY;
use crate::repo::dockerfile::{Dockerfile, Instruction};
use crate::repo::image::{BuildContext, Plan};
use crate::rules::CodeRule;
use std::collections::HashMap;
use std::ops::Range;

/// What one command of a `RUN` does to `node_modules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Installs the manifest's development dependencies too, unless `NODE_ENV=production` holds and
    /// the tool honours it (npm, pnpm, Yarn 1; not Yarn 2+, `berry`).
    Everything { berry: bool },
    /// Installs production dependencies only, or prunes the rest away.
    ProductionOnly,
}

/// One package-manager command of a `RUN`: its words' span and its effect.
struct Command {
    span: Range<usize>,
    effect: Effect,
}

/// The commands of a `RUN` that install or prune (its other commands say nothing), with the
/// environment assignments in front of them or exported before them (`NODE_ENV=production npm ci`).
fn commands(text: &[u8], ins: &Instruction) -> Vec<(Command, bool)> {
    if ins.keyword != "RUN" {
        return Vec::new();
    }
    let word = |r: &Range<usize>| String::from_utf8_lossy(&text[r.clone()]).into_owned();
    // Split the words at `&&`, `||`, `;` and `|` (a trailing `;` on a word too).
    let mut groups: Vec<Vec<(Range<usize>, String)>> = vec![Vec::new()];
    let mut leading = true;
    for r in &ins.args {
        let w = word(r);
        // `RUN --mount=type=cache,target=/root/.npm npm ci`: the instruction's own flags.
        if leading && w.starts_with("--") {
            continue;
        }
        leading = false;
        if matches!(w.as_str(), "&&" | "||" | ";" | "|") {
            groups.push(Vec::new());
            continue;
        }
        let ends = w.ends_with(';');
        let w = w.trim_end_matches(';').to_string();
        let r = r.start..r.start + w.len();
        if let Some(g) = groups.last_mut() {
            if !w.is_empty() {
                g.push((r, w));
            }
        }
        if ends {
            groups.push(Vec::new());
        }
    }
    let mut out = Vec::new();
    let mut exported = false;
    for g in groups {
        let mut k = 0;
        let mut inline = false;
        while k < g.len() && g[k].1.contains('=') && !g[k].1.starts_with('-') {
            inline |= sets_production(&g[k].1);
            k += 1;
        }
        let words: Vec<&str> = g[k..].iter().map(|(_, w)| w.as_str()).collect();
        if words.first() == Some(&"export") {
            exported |= words[1..].iter().any(|w| sets_production(w));
            continue;
        }
        let (Some(first), Some(last)) = (g.get(k), g.last()) else {
            continue;
        };
        if let Some(effect) = effect(&words) {
            out.push((
                Command {
                    span: first.0.start..last.0.end,
                    effect,
                },
                inline || exported,
            ));
        }
    }
    out
}

/// `NODE_ENV=production` (quotes allowed).
fn sets_production(assignment: &str) -> bool {
    assignment
        .split_once('=')
        .is_some_and(|(k, v)| k == "NODE_ENV" && v.trim_matches(['"', '\'']) == "production")
}

/// What a package-manager command does, by its words.
fn effect(words: &[&str]) -> Option<Effect> {
    let words = match words.first() {
        Some(&"corepack") => &words[1..],
        _ => words,
    };
    let tool = paths::file_name(words.first()?);
    let sub = words.get(1).copied().unwrap_or("");
    let flags: Vec<&str> = words[1..]
        .iter()
        .copied()
        .filter(|w| w.starts_with('-'))
        .collect();
    let has = |f: &[&str]| flags.iter().any(|w| f.contains(w));
    // Words after the subcommand that are not flags: packages to add, not the manifest's install.
    let operands = words.iter().skip(2).filter(|w| !w.starts_with('-')).count();
    let omits_dev = words
        .windows(2)
        .any(|w| matches!(w, ["--omit", "dev"] | ["--only", "prod" | "production"]));
    match tool {
        "npm" => match sub {
            "ci" | "clean-install" | "install-clean" | "install" | "i" | "isntall" | "add" => {
                if has(&["-g", "--global"]) || operands > 0 && !omits_dev {
                    None
                } else if omits_dev
                    || has(&[
                        "--omit=dev",
                        "--only=prod",
                        "--only=production",
                        "--production",
                    ])
                {
                    Some(Effect::ProductionOnly)
                } else {
                    Some(Effect::Everything { berry: false })
                }
            }
            "prune" if omits_dev || has(&["--production", "--omit=dev"]) => {
                Some(Effect::ProductionOnly)
            }
            _ => None,
        },
        "yarn" => {
            let berry = has(&["--immutable", "--immutable-cache", "--check-cache"]);
            match sub {
                "" | "install" if operands == 0 => Some(if has(&["--production", "--prod"]) {
                    Effect::ProductionOnly
                } else {
                    Effect::Everything { berry }
                }),
                s if s.starts_with('-') => Some(if has(&["--production", "--prod"]) {
                    Effect::ProductionOnly
                } else {
                    Effect::Everything { berry }
                }),
                "workspaces" if words.get(2) == Some(&"focus") => Some(if has(&["--production"]) {
                    Effect::ProductionOnly
                } else {
                    Effect::Everything { berry: true }
                }),
                _ => None,
            }
        }
        "pnpm" => match sub {
            "install" | "i" if operands == 0 => Some(if has(&["--prod", "-P", "--production"]) {
                Effect::ProductionOnly
            } else {
                Effect::Everything { berry: false }
            }),
            "prune" if has(&["--prod"]) => Some(Effect::ProductionOnly),
            _ => None,
        },
        "rm" if words[1..]
            .iter()
            .any(|w| paths::file_name(w.trim_end_matches('/')) == "node_modules") =>
        {
            Some(Effect::ProductionOnly)
        }
        _ => None,
    }
}

/// Every place in the Dockerfile where an install of development dependencies may be reported: each
/// install command of every stage (which stages are production's is known only at resolution).
pub(crate) fn sites(text: &[u8], df: &Dockerfile) -> Vec<Range<usize>> {
    df.stages
        .iter()
        .flat_map(|s| &s.instructions)
        .flat_map(|ins| commands(text, ins))
        .filter(|(c, _)| matches!(c.effect, Effect::Everything { .. }))
        .map(|(c, _)| c.span)
        .collect()
}

/// One build of the Dockerfile: its target stage, what reaches it, and which build it is for messages
/// (` (built by …)`).
pub(crate) struct Build<'a> {
    pub df: &'a Dockerfile,
    pub text: &'a [u8],
    pub target: usize,
    pub plan: &'a Plan,
    pub ctx: BuildContext<'a>,
    pub note: &'a str,
}

/// Report the installs of development dependencies that remain in the image `build` makes.
pub(crate) fn judge(
    index: &Index,
    build: &Build<'_>,
    out: &mut HashMap<(usize, usize), (&'static CodeRule, String)>,
) {
    let Build {
        df,
        text,
        target,
        plan,
        ctx,
        note,
    } = *build;
    // The installs still standing, each with the manifest it read.
    let mut standing: Vec<(Range<usize>, String, bool)> = Vec::new();
    let mut env: HashMap<String, String> = HashMap::new();
    let mut workdir: Option<String> = Some("/".into());
    for &i in df.lineage(target).iter().rev() {
        // An `ARG` holds only in the stage that declares it.
        let mut args: HashMap<String, String> = HashMap::new();
        for ins in &df.stages[i].instructions {
            let words: Vec<String> = ins
                .args
                .iter()
                .map(|r| String::from_utf8_lossy(&text[r.clone()]).into_owned())
                .collect();
            match ins.keyword.as_str() {
                "ENV" | "ARG" => {
                    let into = if ins.keyword == "ENV" {
                        &mut env
                    } else {
                        &mut args
                    };
                    if words.len() == 2 && !words[0].contains('=') {
                        into.insert(words[0].clone(), unquote(&words[1]));
                    } else {
                        for w in &words {
                            if let Some((k, v)) = w.split_once('=') {
                                into.insert(k.to_string(), unquote(v));
                            }
                        }
                    }
                }
                "WORKDIR" => {
                    workdir = match (workdir, words.first()) {
                        (_, Some(w)) if w.contains('$') => None,
                        (_, Some(w)) if w.starts_with('/') => Some(w.clone()),
                        (Some(d), Some(w)) => Some(format!("{}/{w}", d.trim_end_matches('/'))),
                        (d, None) => d,
                        (None, Some(_)) => None,
                    };
                }
                "RUN" => {
                    let production_env = [&args, &env].iter().any(|m| {
                        m.get("NODE_ENV").is_some_and(|v| {
                            v == "production"
                                || v.trim_start_matches('$')
                                    .trim_matches(['{', '}'])
                                    .split(':')
                                    .next()
                                    .and_then(|a| args.get(a).or_else(|| env.get(a)))
                                    .is_some_and(|v| v == "production")
                        })
                    });
                    for (c, inline) in commands(text, ins) {
                        match c.effect {
                            Effect::ProductionOnly => standing.clear(),
                            Effect::Everything { berry } => {
                                let Some(manifest) = manifest(index, plan, ctx, workdir.as_deref())
                                else {
                                    continue;
                                };
                                let berry = berry
                                    || index.is_file(&paths::under(
                                        paths::parent(&manifest),
                                        ".yarnrc.yml",
                                    )) && text[c.span.clone()].starts_with(b"yarn");
                                if (production_env || inline) && !berry {
                                    continue;
                                }
                                standing.push((c.span, manifest, berry));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for (span, manifest, berry) in standing {
        let Some(libs) = index.dev_test_libraries.get(&manifest) else {
            continue;
        };
        let written = String::from_utf8_lossy(&text[span.clone()]).into_owned();
        let instead = if written.starts_with("yarn") && berry {
            "`yarn workspaces focus --production`"
        } else if written.starts_with("yarn") {
            "`--production` or NODE_ENV=production"
        } else if written.starts_with("pnpm") {
            "`--prod` or NODE_ENV=production"
        } else {
            "`--omit=dev` or NODE_ENV=production"
        };
        let names: Vec<String> = libs.iter().take(4).map(|l| format!("`{l}`")).collect();
        let more = if libs.len() > 4 { ", …" } else { "" };
        let msg = format!(
            "the production image installs the development dependencies of `{manifest}` here (no {instead}), among them the test {} {}{more}{note}",
            if libs.len() == 1 { "library" } else { "libraries" },
            names.join(", "),
        );
        out.entry((span.start, span.end))
            .or_insert((&TEST_DEPENDENCY, msg));
    }
}

fn unquote(v: &str) -> String {
    v.trim_matches(['"', '\'']).to_string()
}

/// The repository's `package.json` that sits at `workdir` in the image (followed back through the
/// image's `COPY`s), or the build context's own when the working directory is unknown.
fn manifest(
    index: &Index,
    plan: &Plan,
    ctx: BuildContext<'_>,
    workdir: Option<&str>,
) -> Option<String> {
    let copied = workdir.and_then(|w| {
        let want = format!("{}/package.json", w.trim_end_matches('/'));
        plan.mounts.iter().rev().find_map(|m| {
            let rel = if m.img == want {
                String::new()
            } else {
                let dir = m.img.trim_end_matches('/');
                want.strip_prefix(dir)?.strip_prefix('/')?.to_string()
            };
            let path = ctx.repo_path(&paths::join(&m.src, &rel)?);
            index.is_file(&path).then_some(path)
        })
    });
    copied.or_else(|| {
        let own = ctx.repo_path("package.json");
        (workdir.is_none() && index.is_file(&own)).then_some(own)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects(run: &str) -> Vec<(String, Effect, bool)> {
        let text = format!("FROM node:22\nRUN {run}\n");
        let df = Dockerfile::parse(text.as_bytes()).unwrap_or_default();
        df.stages[0]
            .instructions
            .iter()
            .flat_map(|i| commands(text.as_bytes(), i))
            .map(|(c, inline)| (text[c.span].to_string(), c.effect, inline))
            .collect()
    }

    #[test]
    fn what_each_install_command_does() {
        use Effect::*;
        let all = Everything { berry: false };
        let e = |s: &str, e: Effect, inline: bool| (s.to_string(), e, inline);
        assert_eq!(effects("npm ci"), vec![e("npm ci", all, false)]);
        assert_eq!(
            effects("npm ci --omit=dev && npm cache clean --force"),
            vec![e("npm ci --omit=dev", ProductionOnly, false)]
        );
        assert_eq!(
            effects("NODE_ENV=production npm install --no-audit"),
            vec![e("npm install --no-audit", all, true)]
        );
        assert_eq!(effects("npm install -g corepack"), vec![]);
        assert_eq!(effects("npm install left-pad"), vec![]);
        assert_eq!(
            effects("corepack install \\\n && yarn install --immutable"),
            vec![e(
                "yarn install --immutable",
                Everything { berry: true },
                false
            )]
        );
        assert_eq!(
            effects("yarn workspaces focus --all --production"),
            vec![e(
                "yarn workspaces focus --all --production",
                ProductionOnly,
                false
            )]
        );
        assert_eq!(
            effects("yarn --frozen-lockfile; yarn build"),
            vec![e("yarn --frozen-lockfile", all, false)]
        );
        assert_eq!(
            effects("export NODE_ENV=production && pnpm i --frozen-lockfile"),
            vec![e("pnpm i --frozen-lockfile", all, true)]
        );
        assert_eq!(
            effects("npm prune --production && rm -rf node_modules/.cache"),
            vec![e("npm prune --production", ProductionOnly, false)]
        );
    }
}
