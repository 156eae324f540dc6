//! Dockerfiles: what the production image ships must not include tests or fixtures.
//!
//! The production image is the target a workflow (`docker build --target`, `docker/build-push-action`'s
//! `target:`) or a production compose file (`build.target`) builds from this Dockerfile, else the last stage
//! not named for tests or development (`repo::dockerfile`). What it holds is followed through `FROM <stage>`
//! inheritance and `COPY --from=<stage>` chains of any depth, less what the build context's
//! `.dockerignore` (Docker's semantics), a `COPY --exclude` or a later `RUN rm -rf` leaves out
//! (`repo::image`). A test or fixture file the image holds is reported where the target stage takes it in:
//! its own `COPY`, a `COPY --from`, or its `FROM`.
//!
//! A Dockerfile that is only a local development image (built from a `dev_*` base image, pointing at
//! localhost with a `COMMIT=LOCAL` placeholder, or running a reloader or debugger such as `nodemon
//! --inspect`, also through its entry-point script) and that no workflow, pipeline or production compose
//! file builds or names is not the production image. A Dockerfile too large to follow fails closed.
//!
//! Walk time cannot judge any of this (the targets, the context and the ignore file are other files), so
//! each place a finding could be reported becomes a pending reference sharing one parsed Dockerfile; the
//! first to be resolved computes every finding of the file once.

use super::image_builds::{ImageBuild, Target};
use super::manifests::class_word;
use super::paths;
use super::resolve::Index;
use super::rule_docs::{DOCKER_COPIES_TESTS, DOCKER_COPY_ALL};
use super::{make_finding, Extracted, Fact, Pending, Source, Want};
use crate::finding::{Finding, Severity};
use crate::repo::classify::FileClass;
use crate::repo::dev_image;
use crate::repo::dockerfile::{is_nonprod_stage_name, Dockerfile, TooComplex};
use crate::repo::dockerignore::DockerIgnore;
use crate::repo::files;
use crate::repo::image::{self, BuildContext, CopyArgs, Plan};
use crate::rules::CodeRule;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

pub(crate) use crate::repo::dockerfile::is_production_dockerfile as is_dockerfile;

pub const DOCKERFILE_NOT_EVALUATED: CodeRule = CodeRule {
    id: "leak/dockerfile-not-evaluated",
    fires_in: "ship::a_dockerfile_of_ten_thousand_stages_fails_closed_in_bounded_memory",
    title: "A Dockerfile too large or too tangled to follow",
    severity: Severity::Error,
    why: "Whether a production image ships tests and fixtures is decided by following its stages. A Dockerfile \
          with thousands of stages, or `COPY --from` chains that multiply the paths at every stage, would take \
          the gate unbounded time and memory to follow — and a gate that gave up quietly would pass an image it \
          never looked at. After test data reached the live Police National Database, the ICO recommended steps \
          to prevent code being inadvertently added to live systems; a check that silently stops checking is \
          not one. So the gate fails closed (exit code 2, could not evaluate).",
    fix: "Split the Dockerfile, or remove generated stages: real Dockerfiles have a few dozen stages at most. \
          If the file is not built for production, name it so (`Dockerfile.dev`) or exclude it with `[paths] \
          ignore`.",
    example: "Dockerfile:1:1 the gate could not follow this Dockerfile: it has more than 1000 build stages",
};

/// The findings of one Dockerfile, by site (byte range): rule and message.
type SiteFindings = HashMap<(usize, usize), (&'static CodeRule, String)>;

/// A parsed Dockerfile, shared by its pending sites; the first resolved computes the file's findings.
#[derive(Debug)]
pub(crate) struct DockerImage {
    text: Vec<u8>,
    df: Dockerfile,
    /// Site (byte range) → (rule, message), and why the image is a local development image when it is
    /// one (its findings are then notes).
    findings: OnceLock<(SiteFindings, Option<String>)>,
}

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let df = match Dockerfile::parse(text) {
        Ok(df) => df,
        Err(TooComplex(why)) => {
            let first = memchr::memchr(b'\n', text).unwrap_or(text.len());
            let at = src.span(0..first);
            let msg = format!("the gate could not follow this Dockerfile: {why}");
            out.finding(&DOCKERFILE_NOT_EVALUATED, at, msg, "");
            return;
        }
    };
    // Where a finding can be: each stage's `FROM` image, and each `COPY`/`ADD` source.
    let mut sites: Vec<Range<usize>> = Vec::new();
    for stage in &df.stages {
        sites.extend(stage.image.clone());
        for ins in &stage.instructions {
            if ins.keyword == "COPY" || ins.keyword == "ADD" {
                if let Some(c) = CopyArgs::parse(text, ins) {
                    sites.extend(c.sources);
                }
            }
        }
    }
    sites.extend(super::image_installs::sites(text, &df));
    if sites.is_empty() {
        return;
    }
    let image = Arc::new(DockerImage {
        text: text.to_vec(),
        df,
        findings: OnceLock::new(),
    });
    for site in sites {
        let at = src.span(site.clone());
        out.pending(at, src.str(site), Want::DockerSite(image.clone()));
    }
}

/// A .dockerignore: its patterns as Docker reads them, for the builds whose context it is in.
pub(crate) fn extract_ignore(src: &Source, out: &mut Extracted) {
    out.facts.push(Fact::DockerIgnore {
        path: src.path.to_string(),
        patterns: DockerIgnore::parse(src.text).lines().to_vec(),
    });
}

/// Resolve one site of the Dockerfile `file`.
pub(crate) fn resolve_site(
    index: &Index,
    file: &str,
    p: &Pending,
    image: &DockerImage,
) -> Option<Finding> {
    let (all, dev) = image.findings.get_or_init(|| judge(index, file, image));
    let (rule, msg) = all.get(&(p.at.start, p.at.end))?;
    let mut f = make_finding(rule, p.at.in_file(file), msg.clone(), &p.evidence);
    if let Some(why) = dev {
        f.lower_to_note(&dev_image::lowered_because(why));
    }
    Some(f)
}

/// One build to judge: the target stage, the context directory, and the file that declared it.
struct Job<'a> {
    target: usize,
    context: String,
    declared: Option<&'a ImageBuild>,
}

fn judge(index: &Index, file: &str, image: &DockerImage) -> (SiteFindings, Option<String>) {
    let mut out = HashMap::new();
    let (df, text) = (&image.df, image.text.as_slice());
    let (jobs, dev) = jobs(index, file, image);
    for job in jobs {
        let ctx = BuildContext {
            dir: &job.context,
            files: index.files,
        };
        let plan = match image::plan(df, text, job.target, ctx) {
            Ok(plan) => plan,
            Err(TooComplex(why)) => {
                let at = df
                    .stages
                    .first()
                    .and_then(|s| s.image.clone())
                    .unwrap_or(0..0);
                let msg = format!("the gate could not follow this Dockerfile: {why}");
                out.insert((at.start, at.end), (&DOCKERFILE_NOT_EVALUATED, msg));
                continue;
            }
        };
        let ignore = dockerignore(index, file, &job.context);
        judge_plan(index, image, &job, &plan, ctx, ignore.as_ref(), &mut out);
        by_name(index, image, &job, &plan, &mut out);
        let note = target_note(image, &job);
        let build = super::image_installs::Build {
            df,
            text,
            target: job.target,
            plan: &plan,
            ctx,
            note: &note,
        };
        super::image_installs::judge(index, &build, &mut out);
    }
    (out, dev)
}

/// The builds of this Dockerfile to judge: the production ones that workflows and compose files declare,
/// else the default target — and why, when the file is a local development image, its findings are
/// notes (never silence: a reader sees what was judged and why it does not fail).
fn jobs<'a>(index: &'a Index, file: &str, image: &DockerImage) -> (Vec<Job<'a>>, Option<String>) {
    let df = &image.df;
    // A declared context that is not a directory of the tree was misread (a computed value): not used.
    let declared: Vec<&ImageBuild> = index
        .image_builds
        .iter()
        .filter(|b| b.dockerfile == file)
        .filter(|b| b.context.is_empty() || !index.under_dir(&b.context).is_empty())
        .filter(|b| !matches!(&b.target, Target::Named(n) if is_nonprod_stage_name(n)))
        .collect();
    let mut jobs = Vec::new();
    for b in &declared {
        let targets: Vec<usize> = match &b.target {
            Target::Default => df.production_stage().into_iter().collect(),
            Target::Named(n) => df.target(n).into_iter().collect(),
            Target::Unknown => (0..df.stages.len())
                .filter(|&i| {
                    !df.stages[i]
                        .name
                        .as_deref()
                        .is_some_and(is_nonprod_stage_name)
                })
                .collect(),
        };
        for target in targets {
            jobs.push(Job {
                target,
                context: b.context.clone(),
                declared: Some(b),
            });
        }
    }
    if !declared.is_empty() {
        return (jobs, None);
    }
    let Some(target) = df.production_stage() else {
        return (jobs, None);
    };
    let context = guess_context(index, file, image);
    let dev = local_dev_image(index, file, image, target, &context)
        .or_else(|| pushed_instead(index, file, &context));
    jobs.push(Job {
        target,
        context,
        declared: None,
    });
    (jobs, dev)
}

/// The `.dockerignore` of a build: `<Dockerfile>.dockerignore` beside the Dockerfile wins over the
/// context's `.dockerignore`, as BuildKit reads them.
fn dockerignore(index: &Index, dockerfile: &str, context: &str) -> Option<(String, DockerIgnore)> {
    [
        format!("{dockerfile}.dockerignore"),
        paths::under(context, ".dockerignore"),
    ]
    .into_iter()
    .find_map(|p| {
        let lines = index.dockerignores.get(&p)?;
        Some((p, DockerIgnore::from_lines(lines.clone())))
    })
}

/// Without a declared build, the context is the directory (the Dockerfile's own, or one above it) where
/// most of the Dockerfile's `COPY` sources exist; the Dockerfile's own directory on a tie.
fn guess_context(index: &Index, file: &str, image: &DockerImage) -> String {
    let text = image.text.as_slice();
    let mut sources: Vec<String> = Vec::new();
    for stage in &image.df.stages {
        for ins in &stage.instructions {
            let Some(c) = CopyArgs::parse(text, ins) else {
                continue;
            };
            if c.from.is_some() {
                continue;
            }
            for s in c.sources {
                let w = String::from_utf8_lossy(&text[s]).into_owned();
                let w = w.trim_start_matches("./").trim_matches('/');
                if !w.is_empty() && w != "." && !w.contains(['$', '*', '?', '[']) {
                    sources.push(w.to_string());
                }
            }
        }
    }
    let mut dir = paths::parent(file);
    let mut best = (0usize, dir);
    loop {
        let found = sources
            .iter()
            .filter(|s| {
                let p = paths::under(dir, s);
                index.is_file(&p) || !index.under_dir(&p).is_empty()
            })
            .count();
        if found > best.0 {
            best = (found, dir);
        }
        if dir.is_empty() || found == sources.len() && found > 0 {
            break;
        }
        dir = paths::parent(dir);
    }
    best.1.to_string()
}

/// A local development image that nothing builds for production: what the image does says it is a
/// developer's (`repo::dev_image`: a development base image, localhost with a `LOCAL` stamp, a
/// reloader or debugger in its command or in an entry-point script of the repository), and no CI file
/// names this Dockerfile (a pipeline that builds it makes it production, whatever it looks like).
/// Why it is one, when it is.
fn local_dev_image(
    index: &Index,
    file: &str,
    image: &DockerImage,
    target: usize,
    context: &str,
) -> Option<String> {
    if dev_image::named(&index.dockerfiles_named, file) {
        return None;
    }
    let (signal, scripts) = dev_image::signal(&image.df, &image.text, target);
    if let Some(s) = signal {
        return Some(s.describe());
    }
    scripts.iter().find_map(|w| {
        script_candidates(image, target, w, context, file)
            .into_iter()
            .find(|p| index.dev_server_scripts.contains(p))
            .map(|p| format!("its entry point `{p}` starts a development server"))
    })
}

/// An image nothing builds, whose build context is a folder CI pushes to Cloud Foundry: production is
/// that push (which `.cfignore` governs), and the image is a developer's (docker-compose, local runs).
/// A pull request that adds the push cannot lower the base's findings this way (`lower_to_note`).
fn pushed_instead(index: &Index, file: &str, context: &str) -> Option<String> {
    if dev_image::named(&index.dockerfiles_named, file) {
        return None;
    }
    let pusher = super::gcloud::cf_pusher(index)?;
    let manifest = ["manifest.yml", "manifest.yaml"]
        .iter()
        .any(|m| index.is_file(&paths::under(context, m)));
    manifest.then(|| {
        format!("production is pushed to Cloud Foundry (`cf push` in `{pusher}`) from its build context")
    })
}

/// The repository paths a script word of the image's command may be (`/usr/src/app/init.sh` under
/// `WORKDIR /usr/src/app`), in the build context or beside the Dockerfile.
fn script_candidates(
    image: &DockerImage,
    target: usize,
    word: &str,
    context: &str,
    file: &str,
) -> Vec<String> {
    let text = image.text.as_slice();
    let mut workdir = String::new();
    for &i in image.df.lineage(target).iter().rev() {
        for ins in &image.df.stages[i].instructions {
            if ins.keyword == "WORKDIR" {
                if let Some(w) = ins.args.first() {
                    workdir = String::from_utf8_lossy(&text[w.clone()])
                        .trim_end_matches('/')
                        .to_string();
                }
            }
        }
    }
    let rel = match word.strip_prefix('/') {
        Some(_) => match word.strip_prefix(&format!("{workdir}/")) {
            Some(r) if workdir.starts_with('/') => r,
            _ => paths::file_name(word),
        },
        None => word,
    };
    [context, paths::parent(file)]
        .iter()
        .filter_map(|d| paths::join(d, rel))
        .collect()
}

/// A shell script that starts a development server: a fact for the images whose entry point it is.
pub(crate) fn dev_server_script(src: &Source, out: &mut Extracted) {
    if dev_image::script_runs_dev_server(src.text).is_some() {
        out.facts.push(Fact::DevServerScript {
            path: src.path.to_string(),
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn judge_plan(
    index: &Index,
    image: &DockerImage,
    job: &Job<'_>,
    plan: &Plan,
    ctx: BuildContext<'_>,
    ignore: Option<&(String, DockerIgnore)>,
    out: &mut SiteFindings,
) {
    let shipped = image::shipped(plan, ctx, ignore.map(|i| &i.1), |f| is_test_file(index, f));
    if shipped.is_empty() {
        return;
    }
    // Group by where the target stage took the files in.
    let mut sites: Vec<(Range<usize>, Vec<usize>, usize, String)> = Vec::new();
    for s in &shipped {
        let m = &plan.mounts[s.mount];
        let arrival = plan.arrival(&image.df, m);
        match sites.iter_mut().find(|x| x.0 == arrival.at) {
            Some(x) => {
                x.2 += 1;
                if !x.1.contains(&s.mount) {
                    x.1.push(s.mount);
                }
            }
            None => sites.push((arrival.at, vec![s.mount], 1, s.file.path.to_string())),
        }
    }
    let text = image.text.as_slice();
    for (at, mounts, count, first) in sites {
        let key = (at.start, at.end);
        if out.contains_key(&key) {
            continue;
        }
        let m = &plan.mounts[mounts[0]];
        let arrival = plan.arrival(&image.df, m);
        let via = arrival.from_stage.as_deref();
        let raw = String::from_utf8_lossy(&text[at.clone()]).into_owned();
        let named = mounts.iter().find_map(|&k| {
            let src = &plan.mounts[k].src;
            (!src.is_empty())
                .then(|| test_class(index, &ctx.repo_path(src)))
                .flatten()
        });
        let target = target_note(image, job);
        let (rule, msg) = match named {
            Some(class) => {
                let from = via.map_or(String::new(), |s| format!(" from stage `{s}`"));
                (
                    &DOCKER_COPIES_TESTS,
                    format!(
                        "the production stage copies `{raw}` ({}){from} into the image{target}",
                        class_word(class)
                    ),
                )
            }
            None => {
                let what = match (m.src.as_str(), via) {
                    ("", None) => "the production stage copies the whole build context".to_string(),
                    ("", Some(s)) => format!(
                        "the production stage takes the whole build context from stage `{s}` (which copied it in)"
                    ),
                    (src, None) => format!("the production stage copies `{src}`"),
                    (src, Some(s)) => format!(
                        "the production stage takes `{src}` from stage `{s}` (which copied it in)"
                    ),
                };
                let ignored = match ignore {
                    None => "no .dockerignore excludes them".to_string(),
                    Some((p, i)) => match &i.problem {
                        Some(problem) => format!("`{p}` cannot be used: {problem}"),
                        None => format!("`{p}` does not exclude them"),
                    },
                };
                (
                    &DOCKER_COPY_ALL,
                    format!(
                        "{what}, which holds {count} test and fixture files (`{first}`, …), and {ignored}{target}"
                    ),
                )
            }
        };
        out.insert(key, (rule, msg));
    }
}

/// A test or fixture file in the image: anything in a test or fixture directory, and test code named so
/// (`claims_spec.rb`, `test_seed.rake`, a Cucumber `.feature`). A template or settings file whose name
/// merely says test (`send-test.html`, `config/test.yml`, `.coveragerc`) is not test code.
fn is_test_file(index: &Index, f: &files::FileEntry) -> bool {
    // node-config's `config/test.js` is the test environment's settings, loaded only under test.
    if !f.class.is_test_side() || super::node_config::is_environment_file(index.files, &f.path) {
        return false;
    }
    let dir = paths::parent(&f.path);
    f.lang != crate::repo::classify::Lang::Other
        || paths::extension(paths::file_name(&f.path)) == "feature"
        || !dir.is_empty()
            && files::classify(index.config, &format!("{dir}/_")).is_some_and(|c| c.is_test_side())
}

/// ` (target `web`, built by `.github/workflows/deploy.yml`)` for a declared build; nothing otherwise.
fn target_note(image: &DockerImage, job: &Job<'_>) -> String {
    let Some(b) = job.declared else {
        return String::new();
    };
    match (&b.target, image.df.stages[job.target].name.as_deref()) {
        (Target::Default, _) | (_, None) => format!(" (built by `{}`)", b.declared_in),
        (_, Some(name)) => format!(" (target `{name}`, built by `{}`)", b.declared_in),
    }
}

/// The test-side class of a path as a file, or as a directory (what a file inside it would be).
fn test_class(index: &Index, path: &str) -> Option<FileClass> {
    let classes: Vec<FileClass> = [path.to_string(), format!("{path}/_")]
        .iter()
        .filter_map(|p| files::classify(index.config, p))
        .filter(|c| c.is_test_side())
        .collect();
    if classes.contains(&FileClass::Fixture) {
        return Some(FileClass::Fixture);
    }
    classes.first().copied()
}

/// `COPY --from=<stage> <path>` in the target stage where nothing of the build context explains `<path>`
/// (the stage made it with `RUN`): judged by the path's name, as before the stages could be followed.
fn by_name(index: &Index, image: &DockerImage, job: &Job<'_>, plan: &Plan, out: &mut SiteFindings) {
    let text = image.text.as_slice();
    let stage = &image.df.stages[job.target];
    for ins in &stage.instructions {
        let Some(c) = CopyArgs::parse(text, ins) else {
            continue;
        };
        let Some(from) = c.from.as_deref() else {
            continue;
        };
        if image.df.stage_named(job.target, from).is_none() {
            continue;
        }
        for s in c.sources {
            let key = (s.start, s.end);
            if out.contains_key(&key) || plan.mounts.iter().any(|m| m.hop == s) {
                continue;
            }
            let raw = String::from_utf8_lossy(&text[s]).into_owned();
            let path = raw.trim_matches('/');
            if path.contains(['$', '*', '?', '[']) {
                continue;
            }
            let Some(class) = test_class(index, path) else {
                continue;
            };
            let msg = format!(
                "the production stage copies `{raw}` ({}) from stage `{from}` into the image{}",
                class_word(class),
                target_note(image, job)
            );
            out.insert(key, (&DOCKER_COPIES_TESTS, msg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::repo::classify::{classify_default, Lang};
    use crate::repo::files::FileEntry;
    use crate::repo::lexer::Syntax;

    fn judge_all(files: &[&str], facts: Vec<Fact>, path: &str, out: &Extracted) -> Vec<Finding> {
        let mut entries: Vec<FileEntry> = files
            .iter()
            .map(|p| FileEntry {
                path: (*p).into(),
                class: classify_default(p),
                lang: Lang::Other,
                size: 1,
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let collected = vec![
            Extracted {
                path: "facts".into(),
                facts,
                ..Extracted::default()
            },
            Extracted {
                path: path.to_string(),
                pending: out.pending.clone(),
                ..Extracted::default()
            },
        ];
        super::super::resolve::resolve_all(&Config::default(), &entries, &[], collected)
    }

    fn run(path: &str, text: &str) -> Extracted {
        super::super::extract_for_test(path, text, Syntax::Hash, extract)
    }

    /// Every finding for `dockerfile` at `path` in a tree of `files`, with the facts of `others`.
    fn found(
        files: &[&str],
        path: &str,
        dockerfile: &str,
        facts: Vec<Fact>,
    ) -> Vec<(String, u32, u32, String)> {
        let out = run(path, dockerfile);
        let mut got: Vec<(String, u32, u32, String)> = judge_all(files, facts, path, &out)
            .into_iter()
            .map(|f| match &f.location {
                crate::finding::Location::File(s) => (f.rule.clone(), s.line, s.column, f.message),
                _ => (f.rule.clone(), 0, 0, f.message),
            })
            .collect();
        got.extend(
            out.findings
                .iter()
                .map(|f| (f.rule.clone(), 0, 0, f.message.clone())),
        );
        got
    }

    const TREE: &[&str] = &[
        "Dockerfile",
        "app/main.py",
        "tests/__init__.py",
        "tests/fixtures/people.json",
        "tests/test_main.py",
    ];

    #[test]
    fn only_the_production_stage_is_judged() {
        let df = "FROM python:3.12 AS builder\nCOPY . .\nCOPY tests/ tests/\nRUN pytest\n\nFROM python:3.12-slim\nCOPY --from=builder /app/dist /app\nCOPY app/ /app/app/\nCOPY --chown=app tests/fixtures \\\n     /app/fixtures\n";
        let got = found(TREE, "Dockerfile", df, vec![]);
        assert_eq!(got.len(), 1, "{got:#?}");
        assert_eq!(
            (got[0].0.as_str(), got[0].1, got[0].2),
            ("leak/docker-copies-tests", 9, 18)
        );
        let df = "FROM node:20 AS prod\nCOPY app/ /app/\n\nFROM prod AS test\nCOPY tests/ /app/tests/\nCOPY . .\n";
        assert!(found(TREE, "Dockerfile", df, vec![]).is_empty());
    }

    #[test]
    fn a_dockerignore_beside_the_dockerfile_wins_over_the_contexts() {
        let df = "FROM x\nCOPY . /app\n";
        let ignore = |path: &str, pats: &[&str]| Fact::DockerIgnore {
            path: path.into(),
            patterns: pats.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            found(
                TREE,
                "Dockerfile",
                df,
                vec![ignore(".dockerignore", &["tests"])]
            ),
            vec![]
        );
        let got = found(
            TREE,
            "Dockerfile",
            df,
            vec![
                ignore(".dockerignore", &["tests"]),
                ignore("Dockerfile.dockerignore", &[".git"]),
            ],
        );
        assert_eq!(got.len(), 1);
        assert!(
            got[0]
                .3
                .contains("`Dockerfile.dockerignore` does not exclude them"),
            "{got:?}"
        );
        // Docker's reading: `test` at the root does not exclude `app/test`.
        let tree = ["Dockerfile", "app/main.py", "app/test/test_main.py"];
        assert_eq!(
            found(
                &tree,
                "Dockerfile",
                df,
                vec![ignore(".dockerignore", &["test"])]
            )
            .len(),
            1
        );
        assert!(found(
            &tree,
            "Dockerfile",
            df,
            vec![ignore(".dockerignore", &["**/test"])]
        )
        .is_empty());
    }

    #[test]
    fn local_development_images_are_not_production() {
        let tree = ["Dockerfile", "app/main.py", "tests/test_main.py"];
        // Judged, and said to be a developer's (a note: `Finding::lower_to_note`).
        let developers = |df: &str| {
            let got = found(&tree, "Dockerfile", df, vec![]);
            !got.is_empty()
                && got
                    .iter()
                    .all(|f| f.3.contains("(a local development image: "))
        };
        assert!(developers(
            "FROM registry.example/dev_python_base:3.12\nCOPY . /app\n"
        ));
        assert!(developers(
            "FROM python:3.12\nARG COMMIT=LOCAL\nENV API_URL=http://localhost:8000\nCOPY . /app\n"
        ));
        // One signal alone is not enough: CI overrides `COMMIT`, and a health check may use localhost.
        for prod in [
            "FROM python:3.12\nARG COMMIT=LOCAL\nCOPY . /app\n",
            "FROM python:3.12\nENV HEALTH=http://localhost:8000/health\nCOPY . /app\n",
            "FROM devtools/python:3.12\nCOPY . /app\n",
        ] {
            assert_eq!(found(&tree, "Dockerfile", prod, vec![]).len(), 1, "{prod}");
            assert!(!developers(prod), "{prod}");
        }
    }

    #[test]
    fn the_context_is_where_the_copy_sources_are() {
        let tree = [
            "docker/Dockerfile",
            "app/main.py",
            "Gemfile",
            "spec/a_spec.rb",
        ];
        let df = "FROM ruby\nCOPY Gemfile app /srv/\nCOPY spec /srv/spec\n";
        let got = found(&tree, "docker/Dockerfile", df, vec![]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].3.contains("copies `spec` (test code)"), "{got:?}");
    }
}
