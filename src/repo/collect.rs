//! The handful of repository files that repository checks read: CODEOWNERS, workflows, and the documents
//! that may describe how code is tested, reviewed and deployed. A `FileCheck` picks them up during the one
//! walk (so nothing is read twice) and parses them on the walker's thread.

use crate::finding::Finding;
use crate::repo::codeowners::{self, Codeowners};
use crate::repo::files::{FileCheck, FileEntry};
use crate::repo::workflows::{self, Workflow, YamlError};
use std::sync::Mutex;

/// What repository checks read, gathered once.
#[derive(Debug, Default)]
pub struct RepoFiles {
    /// Every CODEOWNERS file present, in GitHub's order of precedence: the first is the one GitHub uses.
    pub codeowners: Vec<Codeowners>,
    /// Workflow files, sorted by path.
    pub workflows: Vec<WorkflowFile>,
    /// Candidate process documents (README, CONTRIBUTING, PR templates, docs about releasing, …), by path.
    pub docs: Vec<TextFile>,
    /// Why the repository is a prototype made with a prototype kit (its root `package.json` says so).
    pub prototype: Option<String>,
}

impl RepoFiles {
    /// The CODEOWNERS file GitHub uses.
    pub fn codeowners(&self) -> Option<&Codeowners> {
        self.codeowners.first()
    }

    /// Every workflow document that parsed.
    pub fn workflows(&self) -> impl Iterator<Item = &Workflow> {
        self.workflows
            .iter()
            .filter_map(|f| f.parsed.as_ref().ok())
            .flatten()
    }
}

#[derive(Debug)]
pub struct WorkflowFile {
    pub path: String,
    pub parsed: Result<Vec<Workflow>, YamlError>,
}

#[derive(Debug, Clone)]
pub struct TextFile {
    pub path: String,
    pub text: String,
}

#[derive(Default)]
pub struct Collector {
    found: Mutex<RepoFiles>,
}

impl Collector {
    pub fn into_repo_files(self) -> RepoFiles {
        self.take()
    }

    /// What was collected so far (the collector starts afresh).
    pub fn take(&self) -> RepoFiles {
        let mut files = std::mem::take(&mut *crate::sync::lock(&self.found));
        let rank = |path: &str| codeowners::LOCATIONS.iter().position(|l| *l == path);
        files.codeowners.sort_by_key(|c| rank(&c.path));
        files.workflows.sort_by(|a, b| a.path.cmp(&b.path));
        files.docs.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl FileCheck for Collector {
    fn wants(&self, file: &FileEntry) -> bool {
        codeowners::LOCATIONS.contains(&&*file.path)
            || workflows::is_workflow_path(&file.path)
            || is_process_doc(&file.path)
            || &*file.path == "package.json"
    }

    fn check(&self, file: &FileEntry, content: &[u8], _out: &mut Vec<Finding>) {
        let text = String::from_utf8_lossy(content);
        let path = &*file.path;
        // Parse outside the lock; a path can be more than one kind (none today, but cheap to allow).
        let owners = codeowners::LOCATIONS
            .contains(&path)
            .then(|| Codeowners::parse(path, &text));
        let workflow = workflows::is_workflow_path(path).then(|| WorkflowFile {
            path: path.to_string(),
            parsed: workflows::parse(path, &text),
        });
        let doc = is_process_doc(path).then(|| TextFile {
            path: path.to_string(),
            text: text.into_owned(),
        });
        let prototype = (path == "package.json")
            .then(|| prototype_kit(content))
            .flatten();
        let mut found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        if prototype.is_some() {
            found.prototype = prototype;
        }
        found.codeowners.extend(owners);
        found.workflows.extend(workflow);
        found.docs.extend(doc);
    }
}

/// The prototype kits (GOV.UK's and NHS.UK's): tools for clickable mock-ups of a service, "not for
/// production" by their own terms.
const PROTOTYPE_KITS: &[&str] = &["govuk-prototype-kit", "nhsuk-prototype-kit"];

/// Why a root `package.json` makes the repository a prototype: it depends on a prototype kit (the kit
/// as a package, v13 on), or it is a copy of the kit itself (older kits keep the kit's `name`).
fn prototype_kit(content: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(content).ok()?;
    for section in ["dependencies", "devDependencies"] {
        if let Some(kit) = PROTOTYPE_KITS
            .iter()
            .find(|k| json[section].get(**k).is_some())
        {
            return Some(format!("`package.json` depends on `{kit}`"));
        }
    }
    let name = json["name"].as_str()?;
    PROTOTYPE_KITS
        .contains(&name)
        .then(|| format!("`package.json` is the `{name}`'s own"))
}

/// Names (lower-case, without extension) of documents that commonly describe the process.
const PROCESS_STEMS: &[&str] = &[
    "readme",
    "contributing",
    "contribute",
    "development",
    "developing",
    "hacking",
    "testing",
    "tests",
    "review",
    "reviewing",
    "code_review",
    "code-review",
    "releasing",
    "release",
    "releases",
    "release_process",
    "release-process",
    "deploy",
    "deploying",
    "deployment",
    "deployments",
    "runbook",
    "process",
    "maintainers",
    "maintaining",
    "maintenance",
    // Instructions for coding agents often say how to test and what a change needs.
    "agents",
    "claude",
    "copilot-instructions",
    "governance",
    // An open-source contribution policy says how contributions are reviewed.
    "contribution",
    "workflow",
    "pull_request_template",
];

const DOC_EXTS: &[&str] = &[
    "", "md", "markdown", "rst", "txt", "adoc", "asciidoc", "org",
];

/// A candidate process document: a README/CONTRIBUTING-style name at the root or in `.github/` (also
/// with a suffix: `CONTRIBUTING_GUIDE.md`, `RELEASE-CHECKLIST.md`, `RELEASING_RAILS.md`), any document
/// in `docs/` or `doc/` (two levels of subdirectory at most), or a pull- or merge-request template.
pub fn is_process_doc(path: &str) -> bool {
    if is_pr_template(path) {
        return true;
    }
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = match lower.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, e),
        _ => (lower.as_str(), ""),
    };
    if !DOC_EXTS.contains(&ext) {
        return false;
    }
    let in_docs = ["docs/", "doc/"].iter().any(|d| {
        dir.strip_prefix(d.trim_end_matches('/'))
            .is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('/') && rest.matches('/').count() <= 2
            })
    });
    // In docs/ a plain text file with no extension is rarely a document (a `Makefile`, a `.keep`).
    if in_docs && !ext.is_empty() {
        return true;
    }
    let named = PROCESS_STEMS.contains(&stem)
        || stem
            .split(['-', '_', '.'])
            .next()
            .is_some_and(|first| first != stem && PROCESS_STEMS.contains(&first))
        // A CamelCase name only with a document's extension: `CodeReleaseVersion` is a version file.
        || !ext.is_empty() && camel_words(name).any(|w| PROCESS_STEMS.contains(&w.as_str()));
    if matches!(dir, "" | ".github" | "docs" | "doc") && named {
        return true;
    }
    // A component of a monorepo documents its own process: its README or CONTRIBUTING
    // (`web/README.md`, `clientside/portal/README.md`) and the documents of its `docs/`
    // (`clientside/portal/docs/frontend.md`), two directories deep at most. Never a README among source
    // code, tests, examples or someone else's code (`src/`, `vendor/`, `node_modules/`).
    // Asked of every file: at most three directories deep, and a README/CONTRIBUTING or a document of a
    // `docs/` folder, before anything is split.
    let depth = dir.matches('/').count() + 1;
    let component_doc = ["readme", "contributing"]
        .iter()
        .any(|n| stem == *n || stem.split(['-', '_', '.']).next() == Some(n));
    let in_component_docs = !ext.is_empty() && (dir.ends_with("/docs") || dir.ends_with("/doc"));
    if dir.is_empty() || depth > 3 || !(component_doc || in_component_docs) {
        return false;
    }
    let segments: Vec<&str> = dir.split('/').collect();
    if segments.iter().any(|d| not_a_component(d)) {
        return false;
    }
    match segments.iter().position(|d| matches!(*d, "docs" | "doc")) {
        Some(i) => (1..=2).contains(&i) && segments.len() == i + 1 && !ext.is_empty(),
        None => segments.len() <= 2 && component_doc,
    }
}

/// The words of a file name's stem written in CamelCase (`OpenSourceGovernanceChecklist.md` → open,
/// source, governance, checklist), lower-cased; nothing for a name with no inner capital.
fn camel_words(name: &str) -> impl Iterator<Item = String> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let camel = stem
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    if camel {
        super::text::name_words(stem)
    } else {
        Vec::new()
    }
    .into_iter()
}

/// A directory whose README is not a component's process document: source, tests, examples, templates,
/// vendored or hidden directories.
fn not_a_component(dir: &str) -> bool {
    dir.starts_with('.')
        || matches!(
            dir.to_ascii_lowercase().as_str(),
            "src"
                | "lib"
                | "app"
                | "test"
                | "tests"
                | "spec"
                | "e2e"
                | "fixtures"
                | "example"
                | "examples"
                | "sample"
                | "samples"
                | "template"
                | "templates"
                | "vendor"
                | "vendors"
                | "third_party"
                | "third-party"
                | "node_modules"
        )
}

/// GitHub's pull-request template locations (names are case-insensitive). Called for every file in the
/// walk, so it compares in place rather than lower-casing the path.
pub fn is_pr_template(path: &str) -> bool {
    const FILES: &[&str] = &[
        ".github/pull_request_template.md",
        "pull_request_template.md",
        "docs/pull_request_template.md",
        ".github/pull_request_template.txt",
        "pull_request_template.txt",
        "docs/pull_request_template.txt",
    ];
    // GitHub's template directory, and GitLab's merge-request templates (projects mirrored from GitLab).
    const DIRS: &[&str] = &[
        ".github/pull_request_template/",
        ".gitlab/merge_request_templates/",
    ];
    FILES.iter().any(|f| path.eq_ignore_ascii_case(f))
        || DIRS.iter().any(|dir| {
            path.get(..dir.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(dir))
                && path
                    .get(dir.len()..)
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_doc_candidates_are_few_and_named() {
        for yes in [
            "README.md",
            "CONTRIBUTING.md",
            ".github/CONTRIBUTING.md",
            "docs/releasing.md",
            "docs/dev/testing.rst",
            "docs/RELEASE.md",
            ".github/PULL_REQUEST_TEMPLATE.md",
            ".github/PULL_REQUEST_TEMPLATE/feature.md",
            "docs/pull_request_template.md",
            "README",
            "AGENTS.md",
            "CONTRIBUTING_GUIDE.md",
            "RELEASE-CHECKLIST.md",
            "RELEASING_RAILS.md",
            "maintenance.md",
            "docs/api.md",
            "docs/a/b/testing.md",
            ".gitlab/merge_request_templates/Default.md",
            // A monorepo's components.
            "futurenhs.app/README.md",
            "clientside/MOD-Rewards-Hub/README.md",
            "clientside/MOD-Rewards-Hub/docs/frontend.md",
            "packages/strings/README.md",
            "service/CONTRIBUTING.md",
        ] {
            assert!(is_process_doc(yes), "{yes}");
        }
        for no in [
            "src/README.md",
            "web/src/README.md",
            "vendor/acme/README.md",
            "node_modules/left-pad/README.md",
            "tests/README.md",
            ".circleci/README.md",
            "a/b/c/README.md",
            "web/notes.md",
            "api/v2/deploying.md",
            "a/b/c/docs/testing.md",
            "docs/a/b/c/testing.md",
            "docs/Makefile",
            "CHANGELOG.md",
            "releasenotes.md",
            "readme.py",
            ".github/workflows/release.yml",
        ] {
            assert!(!is_process_doc(no), "{no}");
        }
    }
}
