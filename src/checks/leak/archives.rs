//! Deploy archives: a pipeline step that packs a folder of the checkout into an archive (`zip -r
//! build.zip ./*`, `tar -czf app.tgz src`, Azure Pipelines' `ArchiveFiles@2`) ships everything the folder
//! holds. When a deploy step uses that archive — names it (`azure/webapps-deploy` with `package:
//! build.zip`), or runs in a job that downloads the pipeline artifact the archive was published as —
//! the folder's test code and fixtures reach production, less what the archiving command excludes
//! (`zip -x`, `tar --exclude`) or an earlier step of its job removed (`rm -rf tests`). It is the same
//! shape as a Google Cloud source upload (`gcloud.rs`), with the pipeline as the packer.
//!
//! Read from GitHub Actions workflows and Azure Pipelines files (their templates too) with the
//! schema-free step reader of `repo::workflows`. A folder the pipeline computes (`$(Build.BinariesDirectory)`,
//! `$OUT`) is not guessed: that archive is not judged. An archive nothing deploys (test reports uploaded
//! for reading) is not judged either; nor is a folder that holds no test code (a build's `dist/`).

use super::paths;
use super::resolve::Index;
use super::rule_docs::PACKAGE_SHIPS_TESTS;
use super::{make_finding, Extracted, Fact, Pending, Source, Want};
use crate::checks::deploy_steps::{action_name, is_deploy_action, is_deploy_line};
use crate::finding::Finding;
use crate::repo::image::glob_component;
use crate::repo::workflows::{self, PipelineJob, PipelineStep, Pos};

/// One archive a pipeline step makes from the checkout.
#[derive(Debug, Clone)]
pub(crate) struct Archive {
    /// The archive as the step names it, the checkout's own variables resolved (`build.zip`,
    /// `$(Build.ArtifactStagingDirectory)/app.zip`).
    pub path: String,
    /// The folder the archive's member names are relative to (repository-relative, `""`: the root).
    pub base: String,
    /// What goes in, relative to `base`: paths whose components may be shell globs (`*`, `src`,
    /// `lib/*`), each with everything under it; `""` is the whole folder.
    pub inputs: Vec<String>,
    /// Exclusions with the tool's semantics, matched against member names.
    pub excludes: Vec<Exclude>,
    /// Repository-relative paths (components may be globs) an earlier step of the job removed.
    pub removed: Vec<String>,
    /// The pipeline artifacts it is published as (`""`: a name the pipeline gives it).
    pub published_as: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum Exclude {
    /// `zip -x PATTERN`: the whole member name; `*` matches `/` too.
    Zip(String),
    /// `tar --exclude=PATTERN`: any member whose name, or any trailing part of it, or a folder
    /// above it matches.
    Tar(String),
}

/// A deploy step that uses archives: the ones it names and the artifacts its job downloads.
#[derive(Debug, Clone)]
pub(crate) struct ArchiveDeploy {
    pub declared_in: String,
    /// What deploys (`uses azure/webapps-deploy@v2`, `task AzureFunctionApp@2`).
    pub what: String,
    /// Artifacts the deploying job downloads; `"*"`: all of them.
    pub artifacts: Vec<String>,
    /// Archive file names its deploy steps mention (`build.zip`).
    pub files: Vec<String>,
}

/// Archive file extensions a deploy step may name.
const ARCHIVE_EXTS: &[&str] = &[".zip", ".tar", ".tgz", ".tar.gz", ".war", ".jar"];

/// Is this a pipeline file whose steps are read here: a GitHub workflow, or an Azure Pipelines file or
/// template (`azure-pipelines*.yml`, a YAML file under a `pipelines` or `.azuredevops` folder)?
pub(crate) fn is_pipeline_file(path: &str) -> bool {
    if crate::repo::workflows::is_workflow_path(path) {
        return true;
    }
    let name = paths::file_name(path).to_ascii_lowercase();
    if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
        return false;
    }
    name.starts_with("azure-pipelines")
        || paths::parent(path).split('/').any(|d| {
            matches!(
                d.to_ascii_lowercase().as_str(),
                "pipelines"
                    | ".pipelines"
                    | "azure-pipelines"
                    | ".azure-pipelines"
                    | ".azuredevops"
            )
        })
}

/// The archives a pipeline file makes (pending, to be judged once every deploy is known) and the
/// deploys that use archives (facts).
pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let Ok(text) = std::str::from_utf8(src.text) else {
        return;
    };
    let makes = ["zip", "tar ", "ArchiveFiles"]
        .iter()
        .any(|w| text.contains(w));
    let deploys = text.contains("download") || ARCHIVE_EXTS.iter().any(|e| text.contains(e));
    if !makes && !deploys {
        return;
    }
    // A file that is not YAML is the workflow checks' to report.
    let Ok(jobs) = workflows::pipeline_jobs(text) else {
        return;
    };
    let mut made: Vec<(Pos, Archive)> = Vec::new();
    for job in &jobs {
        made.extend(archives_of(text, job));
        if let Some(d) = deploy_of(src.path, job) {
            out.facts.push(Fact::ArchiveDeploy(Box::new(d)));
        }
    }
    for (pos, mut archive) in made {
        archive.published_as = published_as(&jobs, &archive.path);
        let at = src.span(pos.start..pos.end);
        let evidence = src.str(pos.start..pos.end);
        out.pending(at, evidence, Want::Archive(Box::new(archive)));
    }
}

// ------------------------------------------------------------------ making archives

/// The archives one job makes, where each is made.
fn archives_of(text: &str, job: &PipelineJob) -> Vec<(Pos, Archive)> {
    let mut out = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    for step in &job.steps {
        if let Some(a) = archive_task(step, &removed) {
            out.push(a);
        }
        let mut cwd = step_dir(step);
        for (pos, script) in scripts(step) {
            for line in logical_lines(&script.value) {
                for words in commands(&line) {
                    let Some(cmd) = words.first() else { continue };
                    match paths::file_name(cmd) {
                        "cd" => {
                            cwd = cwd
                                .as_deref()
                                .zip(words.get(1))
                                .and_then(|(d, w)| resolve(d, w));
                        }
                        "rm" => {
                            let Some(d) = cwd.as_deref() else { continue };
                            removed.extend(
                                words[1..]
                                    .iter()
                                    .filter(|w| !w.starts_with('-'))
                                    .filter_map(|w| resolve(d, w)),
                            );
                        }
                        "zip" | "tar" => {
                            let Some(d) = cwd.as_deref() else { continue };
                            let parsed = if cmd.ends_with("zip") {
                                zip(d, &words[1..])
                            } else {
                                tar(d, &words[1..])
                            };
                            if let Some(mut a) = parsed {
                                a.removed = removed.clone();
                                let first = line.lines().next().unwrap_or("").trim();
                                out.push((locate(text, pos, first), a));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    out
}

/// Azure Pipelines' `ArchiveFiles` task: `rootFolderOrFile` into `archiveFile`.
fn archive_task(step: &PipelineStep, removed: &[String]) -> Option<(Pos, Archive)> {
    let task = step.field("task")?;
    if !task.value.to_ascii_lowercase().starts_with("archivefiles@") {
        return None;
    }
    // The defaults are the build's binaries folder and staging folder: not the checkout.
    let root = resolve("", &step.input("rootFolderOrFile")?.value)?;
    let path = step.input("archiveFile").map_or(
        "$(Build.ArtifactStagingDirectory)/$(Build.BuildId).zip".into(),
        |a| canonical("", &a.value),
    );
    Some((
        task.pos,
        Archive {
            path,
            base: root,
            inputs: vec![String::new()],
            excludes: Vec::new(),
            removed: removed.to_vec(),
            published_as: Vec::new(),
        },
    ))
}

/// `zip [options] archive inputs… [-x patterns…]`, recursive (`-r`) only: without it a folder goes in
/// empty.
fn zip(cwd: &str, words: &[String]) -> Option<Archive> {
    let mut recursive = false;
    let mut archive: Option<String> = None;
    let mut inputs = Vec::new();
    let mut excludes = Vec::new();
    let mut includes: Vec<String> = Vec::new();
    // Where the next plain words go: inputs, `-x` patterns or `-i` patterns.
    let mut list = 0u8;
    let mut k = 0;
    while k < words.len() {
        let w = words[k].as_str();
        k += 1;
        // Any other option ends a `-x` or `-i` list.
        if w.len() > 1 && w.starts_with('-') {
            list = 0;
        }
        match w {
            "-x" | "--exclude" => list = 1,
            "-i" | "--include" => list = 2,
            "-r" | "-R" | "--recurse-paths" | "--recurse-patterns" => recursive = true,
            // Options that take a value.
            "-b"
            | "-n"
            | "-P"
            | "-t"
            | "-tt"
            | "-O"
            | "-Z"
            | "-s"
            | "-sp"
            | "--temp-path"
            | "--suffixes"
            | "--password"
            | "--out"
            | "--compression-method"
            | "--split-size" => k += 1,
            _ if w.starts_with("--") => {}
            _ if w.starts_with('-') && w.len() > 1 => recursive |= w[1..].contains(['r', 'R']),
            _ => match list {
                1 => excludes.push(Exclude::Zip(strip_dot(w).to_string())),
                2 => includes.push(strip_dot(w).to_string()),
                _ if archive.is_none() => archive = Some(w.to_string()),
                _ => inputs.push(w.to_string()),
            },
        }
    }
    let archive = archive?;
    if !recursive || inputs.is_empty() || !includes.is_empty() {
        return None;
    }
    archive_of(cwd, &archive, cwd, &inputs, excludes)
}

/// `tar -czf archive [-C dir] [--exclude=pattern] inputs…` (also `tar czf …`, `--file=`, `--create`).
fn tar(cwd: &str, words: &[String]) -> Option<Archive> {
    let mut create = false;
    let mut archive: Option<String> = None;
    let mut base = cwd.to_string();
    let mut inputs = Vec::new();
    let mut excludes = Vec::new();
    let mut k = 0;
    while k < words.len() {
        let w = words[k].as_str();
        k += 1;
        if let Some(p) = w.strip_prefix("--exclude=") {
            excludes.push(Exclude::Tar(
                strip_dot(p.trim_matches(['"', '\''])).to_string(),
            ));
        } else if w == "--exclude" {
            if let Some(p) = words.get(k) {
                excludes.push(Exclude::Tar(strip_dot(p).to_string()));
            }
            k += 1;
        } else if let Some(f) = w.strip_prefix("--file=") {
            archive = Some(f.to_string());
        } else if w == "--file" {
            archive = words.get(k).cloned();
            k += 1;
        } else if w == "--create" {
            create = true;
        } else if w == "-C" || w == "--directory" {
            base = resolve(cwd, words.get(k)?)?;
            k += 1;
        } else if let Some(d) = w.strip_prefix("--directory=") {
            base = resolve(cwd, d)?;
        } else if w.starts_with("--") {
        } else if w.starts_with('-') || k == 1 && !w.contains(['/', '.']) {
            // A cluster of short options (`-czf`, or the old `czf` as the first word): `f` takes the
            // next word as the archive.
            let cluster = w.trim_start_matches('-');
            create |= cluster.contains('c');
            if cluster.contains('f') {
                archive = words.get(k).cloned();
                k += 1;
            }
        } else {
            inputs.push(w.to_string());
        }
    }
    if !create || inputs.is_empty() {
        return None;
    }
    archive_of(cwd, &archive?, &base, &inputs, excludes)
}

fn archive_of(
    cwd: &str,
    archive: &str,
    base: &str,
    inputs: &[String],
    excludes: Vec<Exclude>,
) -> Option<Archive> {
    // An input the pipeline computes, or outside the checkout, leaves the contents unknown.
    let inputs = inputs
        .iter()
        .map(|i| resolve("", i))
        .collect::<Option<Vec<String>>>()?;
    Some(Archive {
        path: canonical(cwd, archive),
        base: base.to_string(),
        inputs,
        excludes,
        removed: Vec::new(),
        published_as: Vec::new(),
    })
}

fn strip_dot(p: &str) -> &str {
    p.trim_start_matches("./")
}

/// The scripts a step runs: GitHub's `run`, Azure's `script`/`bash`/`pwsh`/`powershell`, and the
/// `script`/`inlineScript` input of a task or template.
fn scripts(step: &PipelineStep) -> Vec<(Pos, &workflows::Spanned<String>)> {
    let fields = ["run", "script", "bash", "pwsh", "powershell"]
        .iter()
        .filter_map(|k| step.field(k));
    let inputs = ["script", "inlineScript"]
        .iter()
        .filter_map(|k| step.input(k));
    fields.chain(inputs).map(|s| (s.pos, s)).collect()
}

/// The folder a step's scripts start in (the repository's root unless told), None when computed.
fn step_dir(step: &PipelineStep) -> Option<String> {
    let dir = step
        .field("working-directory")
        .or_else(|| step.field("workingDirectory"))
        .or_else(|| step.input("workingDirectory"));
    match dir {
        None => Some(String::new()),
        Some(d) => resolve("", &d.value),
    }
}

/// A script's lines with `\` continuations joined, comments left out.
fn logical_lines(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in script.lines() {
        let t = line.trim();
        if cur.is_empty() && t.starts_with('#') {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
            continue;
        }
        cur.push_str(t);
        out.push(std::mem::take(&mut cur));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The simple commands of one line (split at `&&`, `||`, `;`, `|`), each as words with quotes removed.
fn commands(line: &str) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    let flush = |cur: &mut String, out: &mut Vec<Vec<String>>| {
        if !cur.is_empty() {
            if let Some(last) = out.last_mut() {
                last.push(std::mem::take(cur));
            }
        }
    };
    while let Some(c) = chars.next() {
        match c {
            q @ ('"' | '\'') if quote.is_none() => quote = Some(q),
            q if Some(q) == quote => quote = None,
            _ if quote.is_some() => cur.push(c),
            '#' if cur.is_empty() => break,
            ';' | '|' | '&' => {
                flush(&mut cur, &mut out);
                if matches!(chars.peek(), Some('|' | '&')) {
                    chars.next();
                }
                out.push(Vec::new());
            }
            c if c.is_whitespace() => flush(&mut cur, &mut out),
            c => cur.push(c),
        }
    }
    flush(&mut cur, &mut out);
    out.retain(|c| !c.is_empty());
    out
}

/// The checkout's own locations written as variables, which all name the repository's root.
const ROOTS: &[&str] = &[
    "$(build.sourcesdirectory)",
    "$(build.repository.localpath)",
    "$(system.defaultworkingdirectory)",
    "${{ github.workspace }}",
    "${{github.workspace}}",
    "${github_workspace}",
    "$github_workspace",
];

/// The rest of a path that starts with one of the checkout's root variables, else None.
fn rooted(p: &str) -> Option<&str> {
    let lower = p.to_ascii_lowercase();
    ROOTS
        .iter()
        .find(|r| lower.starts_with(*r))
        .map(|r| p[r.len()..].trim_start_matches(['/', '\\']))
}

/// The repository path that `p` names from folder `cwd`; None when the pipeline computes it or it is
/// outside the checkout.
fn resolve(cwd: &str, p: &str) -> Option<String> {
    let p = p.trim().trim_matches(['"', '\'']);
    match rooted(p) {
        Some(rest) if !rest.contains('$') => paths::join("", rest),
        Some(_) => None,
        None if p.contains('$') || p.starts_with('/') => None,
        None => paths::join(cwd, p),
    }
}

/// A path as one canonical string: the repository path when it is in the checkout, else as written
/// (`$(Build.ArtifactStagingDirectory)/app.zip`), so that two steps naming one file agree.
fn canonical(cwd: &str, p: &str) -> String {
    resolve(cwd, p).unwrap_or_else(|| p.trim().trim_matches(['"', '\'']).to_string())
}

/// Where a command's first line is inside the script node (block scalars start at their `|`).
fn locate(text: &str, within: Pos, needle: &str) -> Pos {
    let end = if within.end > within.start {
        within.end
    } else {
        text.len()
    };
    let Some(i) = text
        .get(within.start..end)
        .and_then(|hay| hay.find(needle))
        .filter(|_| !needle.is_empty())
    else {
        return within;
    };
    let start = within.start + i;
    let mut lines = crate::repo::text::LineIndex::new(text.as_bytes());
    Pos::of(&lines.span("", start, start + needle.len()))
}

// ------------------------------------------------------------------ publishing and deploying

/// The artifacts `archive` is published as, anywhere in the file.
fn published_as(jobs: &[PipelineJob], archive: &str) -> Vec<String> {
    let mut out = Vec::new();
    for step in jobs.iter().flat_map(|j| &j.steps) {
        let uses = step.field("uses").map(|u| action_name(&u.value));
        let task = task_name(step);
        let (paths_, name): (Option<&str>, String) = if uses
            .as_deref()
            .is_some_and(|u| u.starts_with("actions/upload-artifact"))
        {
            (
                step.input("path").map(|p| p.value.as_str()),
                step.input("name")
                    .map_or("artifact".into(), |n| n.value.clone()),
            )
        } else if let Some(p) = step.field("publish") {
            (
                Some(p.value.as_str()),
                step.field("artifact")
                    .map_or(String::new(), |a| a.value.clone()),
            )
        } else if task == "publishpipelineartifact" {
            (
                step.input("targetPath")
                    .or_else(|| step.input("path"))
                    .map(|p| p.value.as_str()),
                step.input("artifact")
                    .or_else(|| step.input("artifactName"))
                    .map_or(String::new(), |a| a.value.clone()),
            )
        } else if task == "publishbuildartifacts" {
            (
                Some(
                    step.input("PathtoPublish")
                        .map_or("$(Build.ArtifactStagingDirectory)", |p| p.value.as_str()),
                ),
                step.input("ArtifactName")
                    .map_or("drop".into(), |a| a.value.clone()),
            )
        } else {
            continue;
        };
        let Some(paths_) = paths_ else { continue };
        let carries = paths_.lines().map(|p| canonical("", p)).any(|p| {
            let p = p.trim_end_matches('/');
            !p.is_empty()
                && (p == archive
                    || paths::file_name(p) == paths::file_name(archive) && is_archive_name(p)
                    || archive.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
        });
        if carries && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn task_name(step: &PipelineStep) -> String {
    step.field("task")
        .map(|t| {
            t.value
                .split('@')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

fn is_archive_name(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    ARCHIVE_EXTS.iter().any(|e| lower.ends_with(e))
}

/// Azure Pipelines tasks that deploy the package they are given.
const DEPLOY_TASKS: &[&str] = &[
    "azurewebapp",
    "azurefunctionapp",
    "azurermwebappdeployment",
    "azurewebappcontainer",
    "azurefunctionappcontainer",
    "azurestaticwebapp",
    "lambdadeployfunction",
    "beanstalkdeployapplication",
];

/// What a step deploys with, when it deploys: a deploy action or task, a step template named for
/// deploying (`function_app_deploy.yml`), or a deploy command in its script.
fn deploys(step: &PipelineStep) -> Option<String> {
    if let Some(u) = step.field("uses") {
        if is_deploy_action(&action_name(&u.value)) {
            return Some(format!("uses {}", u.value.trim()));
        }
    }
    let task = task_name(step);
    if DEPLOY_TASKS.contains(&task.as_str()) {
        return step
            .field("task")
            .map(|t| format!("task {}", t.value.trim()));
    }
    if let Some(t) = step.field("template") {
        let file = paths::file_name(t.value.split('@').next().unwrap_or(""));
        let named = paths::stem(file)
            .to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "deploy" || w == "deployment");
        if named {
            return Some(format!("template {}", t.value.trim()));
        }
    }
    scripts(step).into_iter().find_map(|(_, s)| {
        s.value
            .lines()
            .map(str::trim)
            .find(|l| !l.starts_with('#') && is_deploy_line(l))
            .map(|l| format!("`{}`", crate::repo::text::evidence(l.as_bytes(), 80)))
    })
}

/// A job that deploys, with the archives and artifacts it uses.
fn deploy_of(path: &str, job: &PipelineJob) -> Option<ArchiveDeploy> {
    let deploying: Vec<(&PipelineStep, String)> = job
        .steps
        .iter()
        .filter_map(|s| deploys(s).map(|w| (s, w)))
        .collect();
    // An Azure deployment job (`- deployment:`, a template's `deploymentJobs`) deploys whatever its
    // steps are.
    let deployment_job = job.keys.iter().any(|k| k == "deployment")
        || job
            .ancestors
            .iter()
            .any(|k| k.to_ascii_lowercase().starts_with("deployment"));
    let what = match deploying.first() {
        Some((_, w)) => w.clone(),
        None if deployment_job => "an Azure Pipelines deployment job".to_string(),
        None => return None,
    };
    let mut artifacts = Vec::new();
    for step in &job.steps {
        let uses = step.field("uses").map(|u| action_name(&u.value));
        let task = task_name(step);
        let name = if uses
            .as_deref()
            .is_some_and(|u| u.starts_with("actions/download-artifact"))
        {
            match (step.input("name"), step.input("pattern")) {
                (Some(n), None) if !n.value.contains('*') => n.value.clone(),
                _ => "*".into(),
            }
        } else if let Some(d) = step.field("download") {
            if d.value.trim() == "none" {
                continue;
            }
            step.field("artifact")
                .map_or("*".into(), |a| a.value.clone())
        } else if task == "downloadpipelineartifact" || task == "downloadbuildartifacts" {
            step.input("artifact")
                .or_else(|| step.input("artifactName"))
                .map_or("*".into(), |a| a.value.clone())
        } else {
            continue;
        };
        artifacts.push(name);
    }
    let mut files: Vec<String> = Vec::new();
    for (step, _) in &deploying {
        for (_, v) in step.fields.iter().chain(&step.inputs) {
            for w in v
                .value
                .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '='))
            {
                let name = paths::file_name(w.trim_start_matches("fileb://"));
                if is_archive_name(name) && !files.iter().any(|f| f == name) {
                    files.push(name.to_string());
                }
            }
        }
    }
    if artifacts.is_empty() && files.is_empty() {
        return None;
    }
    Some(ArchiveDeploy {
        declared_in: path.to_string(),
        what,
        artifacts,
        files,
    })
}

// ------------------------------------------------------------------ judging

/// The test and fixture files an archive made in `file` carries, when a deploy uses it.
pub(crate) fn resolve_archive(
    index: &Index,
    file: &str,
    p: &Pending,
    a: &Archive,
) -> Option<Finding> {
    let name = paths::file_name(&a.path);
    let by = index.archive_deploys.iter().find(|d| {
        d.files.iter().any(|f| f == name)
            || a.published_as.iter().any(|n| {
                d.artifacts
                    .iter()
                    .any(|x| x == "*" || !n.is_empty() && x == n)
            })
    })?;
    let shipped: Vec<&str> = index
        .under_dir(&a.base)
        .iter()
        .filter(|e| e.class.is_test_side())
        .map(|e| &*e.path)
        .filter(|path| {
            let rel = if a.base.is_empty() {
                path
            } else {
                path.strip_prefix(a.base.as_str())
                    .map_or(*path, |r| r.trim_start_matches('/'))
            };
            a.inputs.iter().any(|i| takes_in(i, rel))
                && !a.excludes.iter().any(|x| excludes(x, rel))
                && !a.removed.iter().any(|r| takes_in(r, path))
        })
        .collect();
    let first = shipped.first()?;
    let second = shipped.get(1).map_or(String::new(), |s| format!(", `{s}`"));
    let folder = if a.base.is_empty() {
        "the repository's root".to_string()
    } else {
        format!("`{}/`", a.base)
    };
    let how = if by.declared_in == file {
        by.what.clone()
    } else {
        format!("`{}`: {}", by.declared_in, by.what)
    };
    let msg = format!(
        "the deploy archive `{name}` packs {folder} with {} test and fixture {} (`{first}`{second}{}), and a deploy uses it ({how})",
        shipped.len(),
        if shipped.len() == 1 { "file" } else { "files" },
        if shipped.len() > 2 { ", …" } else { "" },
    );
    Some(make_finding(
        &PACKAGE_SHIPS_TESTS,
        p.at.in_file(file),
        msg,
        &p.evidence,
    ))
}

/// Does input `pattern` (relative, components may be shell globs; `""` is everything) take in the
/// file at `rel`: the pattern names it, or a folder above it? A `*` does not match a hidden name, as
/// the shell expands it.
fn takes_in(pattern: &str, rel: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    let pat: Vec<&str> = pattern.split('/').collect();
    let parts: Vec<&str> = rel.split('/').collect();
    parts.len() >= pat.len()
        && pat
            .iter()
            .zip(&parts)
            .all(|(p, n)| (p.starts_with('.') || !n.starts_with('.')) && glob_component(p, n))
}

fn excludes(x: &Exclude, rel: &str) -> bool {
    match x {
        Exclude::Zip(p) => wildcard(p, rel),
        Exclude::Tar(p) => {
            // Any folder above the member, or the member, by any trailing part of its name.
            let parts: Vec<&str> = rel.split('/').collect();
            (1..=parts.len()).any(|end| {
                (0..end)
                    .any(|start| wildcard(p.trim_end_matches('/'), &parts[start..end].join("/")))
            })
        }
    }
}

/// A shell wildcard over a whole string, `*` and `?` matching `/` too (zip's and tar's default).
fn wildcard(pattern: &str, s: &str) -> bool {
    globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, text: &str) -> Extracted {
        super::super::extract_for_test(path, text, Syntax::Hash, extract)
    }

    fn archives(out: &Extracted) -> Vec<Archive> {
        out.pending
            .iter()
            .filter_map(|p| match &p.want {
                Want::Archive(a) => Some((**a).clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn zip_tar_and_archive_files_steps() {
        let wf = "on: push\njobs:\n  build:\n    steps:\n      - run: rm -rf coverage\n      - run: |\n          cd svc && zip -qr ../build.zip . -x '*.test.js' 'tests/*'\n          tar -czf site.tgz -C web --exclude=spec .\n          zip out.zip ./*\n      - uses: actions/upload-artifact@v4\n        with:\n          name: build\n          path: build.zip\n";
        let out = run(".github/workflows/build.yml", wf);
        let got = archives(&out);
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(
            (got[0].path.as_str(), got[0].base.as_str()),
            ("build.zip", "svc")
        );
        assert_eq!(got[0].removed, ["coverage"]);
        assert_eq!(got[0].published_as, ["build"]);
        assert!(excludes(&got[0].excludes[0], "src/a.test.js"));
        let late = zip("", &["-x", "*.log", "-r", "o.zip", "."].map(String::from));
        assert_eq!(
            late.map(|a| (a.path, a.inputs)),
            Some(("o.zip".into(), vec![String::new()]))
        );
        assert!(excludes(&got[0].excludes[1], "tests/x/y.js"));
        // `cd` holds for the rest of the script.
        assert_eq!(
            (got[1].path.as_str(), got[1].base.as_str()),
            ("svc/site.tgz", "svc/web")
        );
        assert!(excludes(&got[1].excludes[0], "lib/spec/a.rb"));
        assert!(!excludes(&got[1].excludes[0], "lib/specs.rb"));
        assert_eq!(out.pending[0].at.line, 7);

        let azure = "steps:\n  - task: ArchiveFiles@2\n    inputs:\n      rootFolderOrFile: $(Build.Repository.LocalPath)/packages/fn\n      archiveFile: $(System.DefaultWorkingDirectory)/fn.zip\n  - task: ArchiveFiles@2\n    inputs:\n      rootFolderOrFile: $(Build.BinariesDirectory)\n  - publish: $(System.DefaultWorkingDirectory)/fn.zip\n    artifact: functions\n";
        let got = archives(&run("azure-pipelines-build.yml", azure));
        assert_eq!(got.len(), 1, "{got:#?}");
        assert_eq!(
            (got[0].path.as_str(), got[0].base.as_str()),
            ("fn.zip", "packages/fn")
        );
        assert_eq!(got[0].published_as, ["functions"]);
    }

    #[test]
    fn deploys_that_use_archives() {
        let facts = |path: &str, text: &str| -> Vec<(String, Vec<String>, Vec<String>)> {
            run(path, text)
                .facts
                .into_iter()
                .filter_map(|f| match f {
                    Fact::ArchiveDeploy(d) => Some((d.what, d.artifacts, d.files)),
                    _ => None,
                })
                .collect()
        };
        let wf = "on: workflow_call\njobs:\n  deploy:\n    steps:\n      - uses: actions/download-artifact@v4\n        with:\n          name: build\n      - uses: azure/webapps-deploy@v3\n        with:\n          package: build.zip\n  report:\n    steps:\n      - uses: actions/download-artifact@v4\n        with:\n          name: build\n";
        assert_eq!(
            facts(".github/workflows/deploy.yml", wf),
            vec![(
                "uses azure/webapps-deploy@v3".to_string(),
                vec!["build".to_string()],
                vec!["build.zip".to_string()]
            )]
        );
        let azure = "extends:\n  template: cd.yml@t\n  parameters:\n    deploymentJobs:\n      - name: Fn\n        steps:\n          - download: build\n            artifact: functions\n          - bash: echo hi\n";
        assert_eq!(
            facts("azure-pipelines-deploy.yml", azure),
            vec![(
                "an Azure Pipelines deployment job".to_string(),
                vec!["functions".to_string()],
                vec![]
            )]
        );
    }

    #[test]
    fn what_an_input_takes_in() {
        assert!(takes_in("", "a/b.js"));
        assert!(takes_in("*", "src/a.test.js"));
        assert!(!takes_in("*", ".github/workflows/x.yml"));
        assert!(takes_in("src", "src/a/b.js"));
        assert!(!takes_in("src", "srcs/b.js"));
        assert!(takes_in("lib/*", "lib/x/y.js"));
        assert!(!takes_in("dist", "src/a.test.js"));
    }
}
