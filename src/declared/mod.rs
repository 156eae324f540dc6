//! Branch protection declared as code: Terraform's GitHub provider and safe-settings / Probot
//! `settings.yml`, read from the checked tree into the model the GitHub checks use
//! (`github::protection`, `github::environments`), so the same rules judge declared and observed
//! settings alike. In pre-merge mode the merge base's declarations are read too (a pull request to a
//! config repository is judged by what it does to protection); with `--drift` the live settings of
//! every declared repository are read for comparison.
//!
//! Layering: above `github` (whose model and client it uses), below `context` (which holds what it read).

pub mod live;
pub mod model;
pub mod resources;
pub mod settings;
pub mod terraform;
pub mod value;
pub mod view;
pub mod yaml;

use crate::config::Config;
use crate::finding::Finding;
use crate::github::client::ApiError;
use crate::github::{RepoId, Settings};
use crate::repo::classify::FileClass;
use crate::repo::files::{FileCheck, FileEntry};
use model::Declared;
use settings::SafeSettings;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What the tree declares, and what it is compared with.
#[derive(Debug, Clone, Default)]
pub struct DeclaredFacts {
    pub head: Declared,
    /// The settings files as parsed (an organisation audit computes any repository's settings from them).
    pub safe: SafeSettings,
    /// `--diff`: the merge base's declarations, or why they could not be read.
    pub base: Option<Result<Declared, String>>,
    /// `--drift`: the live settings of the declared repositories, or why they were not read.
    pub live: Option<Result<live::Live, LiveGap>>,
    /// Settings files read (`.tf`, `.tfvars`, settings YAML).
    pub files: usize,
    /// The checked repository on GitHub, when known: what a settings file that does not name its
    /// repository declares for.
    pub this_repo: Option<RepoId>,
    /// Said in the summary: what was not read, and why.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum LiveGap {
    NotEvaluated(String),
    Failed(ApiError),
}

impl DeclaredFacts {
    /// Is there anything declared to judge?
    pub fn any(&self) -> bool {
        !self.head.is_empty()
    }

    /// The owner of the declared repositories: the config's, else the provider's, else the checked
    /// repository's.
    pub fn owner(&self, config: &Config) -> Option<String> {
        config
            .declared
            .owner
            .clone()
            .or_else(|| self.head.owner.clone())
            .or_else(|| self.this_repo.as_ref().map(|r| r.owner.clone()))
    }

    /// `owner/name` of a declared repository (None: the checked repository itself).
    pub fn full_name(&self, config: &Config, repo: &Option<String>) -> String {
        match (repo, self.owner(config)) {
            (Some(n), Some(o)) => format!("{o}/{n}"),
            (Some(n), None) => n.clone(),
            (None, _) => self
                .this_repo
                .as_ref()
                .map_or_else(|| "this repository".to_string(), ToString::to_string),
        }
    }
}

/// Is this a file declared settings are read from? (`.tf`, `.tfvars`, the settings files.)
pub fn wants_path(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tfvars") || settings::is_settings_path(path)
}

/// Examples, tests and fixtures of Terraform modules declare nothing that is applied.
fn applied(class: FileClass) -> bool {
    !matches!(
        class,
        FileClass::Test
            | FileClass::Fixture
            | FileClass::Docs
            | FileClass::DevConfig
            | FileClass::Vendor
    )
}

/// Picks the settings files up during the one walk.
#[derive(Default)]
pub struct Collector {
    found: Mutex<Vec<(String, Arc<str>)>>,
}

impl Collector {
    pub fn into_files(self) -> Vec<(String, Arc<str>)> {
        let mut files = self.found.into_inner().unwrap_or_else(|p| p.into_inner());
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

impl FileCheck for Collector {
    fn wants(&self, file: &FileEntry) -> bool {
        wants_path(&file.path) && (applied(file.class) || settings::is_settings_path(&file.path))
    }
    fn check(&self, file: &FileEntry, content: &[u8], _out: &mut Vec<Finding>) {
        let text: Arc<str> = Arc::from(String::from_utf8_lossy(content).as_ref());
        crate::sync::lock(&self.found).push((file.path.to_string(), text));
    }
}

/// Read the declarations of a set of files (path, text).
pub fn declare(files: &[(String, Arc<str>)], config: &Config) -> (Declared, SafeSettings) {
    let (tf, yml): (Vec<_>, Vec<_>) = files
        .iter()
        .cloned()
        .partition(|(p, _)| p.ends_with(".tf") || p.ends_with(".tfvars"));
    let mut d = Declared::default();
    if tf.iter().any(|(p, _)| p.ends_with(".tf")) {
        let read = terraform::read(&tf, &config.declared.var_files);
        let from_tf = resources::from_terraform(read);
        // A tree with Terraform but no GitHub resource declares nothing about GitHub.
        if !from_tf.is_empty() {
            d.extend(from_tf);
        }
    }
    let (from_yml, safe) = settings::read(&yml);
    if !from_yml.is_empty() {
        d.extend(from_yml);
    }
    (d, safe)
}

/// What `--drift` needs: where the API is, and the token.
#[derive(Debug, Clone)]
pub struct DriftRequest {
    pub settings: Settings,
}

/// Everything declared settings need for one run: the tree's declarations (`files`, collected by the
/// walk), the merge base's in pre-merge mode, and the live settings with `--drift`.
pub fn gather(
    root: &Path,
    config: &Config,
    files: Vec<(String, Arc<str>)>,
    merge_base: Option<git2::Oid>,
    this_repo: Option<RepoId>,
    drift: Option<Result<DriftRequest, String>>,
) -> DeclaredFacts {
    if config.declared.enabled == Some(false) {
        return DeclaredFacts::default();
    }
    let (head, safe) = declare(&files, config);
    let mut facts = DeclaredFacts {
        files: files.len(),
        head,
        safe,
        this_repo,
        ..DeclaredFacts::default()
    };
    if let Some(commit) = merge_base {
        facts.base = Some(read_commit(root, commit, config).map(|f| declare(&f, config).0));
    }
    facts.live = match drift {
        None => None,
        Some(Err(why)) => Some(Err(LiveGap::NotEvaluated(why))),
        Some(Ok(_)) if !facts.any() => None,
        Some(Ok(req)) => Some(read_live(&facts, config, &req)),
    };
    facts
}

fn read_live(
    facts: &DeclaredFacts,
    config: &Config,
    req: &DriftRequest,
) -> Result<live::Live, LiveGap> {
    let Some(token) = req.settings.token.clone() else {
        return Err(LiveGap::NotEvaluated(
            "no token (set GITHUB_TOKEN or GH_TOKEN)".into(),
        ));
    };
    let mut targets = Vec::new();
    let mut unnamed = Vec::new();
    for name in facts.head.repo_names() {
        let full = facts.full_name(config, &name);
        match RepoId::parse(&full) {
            Some(repo) => targets.push(live::Target {
                repo,
                branches: branches_of(facts, config, &name),
            }),
            None => unnamed.push(full),
        }
    }
    if !unnamed.is_empty() && targets.is_empty() {
        return Err(LiveGap::NotEvaluated(format!(
            "the owner of {} is not known: set `[declared] owner` or the provider's `owner`",
            unnamed.join(", ")
        )));
    }
    let deadline = config.github.deadline;
    live::fetch(&req.settings, token, deadline, targets).map_err(LiveGap::Failed)
}

/// The deployment branches of a declared repository, when known without asking GitHub:
/// `[declared] branches`, else its declared default branch.
pub fn branches_of(
    facts: &DeclaredFacts,
    config: &Config,
    repo: &Option<String>,
) -> Option<Vec<String>> {
    if !config.declared.branches.is_empty() {
        return Some(config.declared.branches.clone());
    }
    facts
        .head
        .repos
        .iter()
        .chain(facts.base.iter().flatten().flat_map(|b| b.repos.iter()))
        .filter(|r| r.name == *repo)
        .find_map(|r| r.default_branch.clone())
        .map(|b| vec![b])
}

/// GitHub's default branch for a new repository: what an undeclared default branch is taken to be
/// offline (said in the summary).
pub const ASSUMED_DEFAULT: &str = "main";

/// The settings files of `commit` (under the checked root's `prefix`), classified as the walk would.
fn read_commit(
    root: &Path,
    commit: git2::Oid,
    config: &Config,
) -> Result<Vec<(String, Arc<str>)>, String> {
    let repo = crate::repo::history::open(root)
        .map_err(|e| e.message().to_string())?
        .ok_or_else(|| "not a git repository".to_string())?;
    let prefix = crate::repo::changes::workdir_prefix(&repo, root).unwrap_or_default();
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| format!("the merge base's tree could not be read: {}", e.message()))?;
    let mut paths: Vec<(String, git2::Oid)> = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            if let Ok(name) = entry.name() {
                let full = format!("{dir}{name}");
                if let Some(rel) = full.strip_prefix(&prefix) {
                    if wants_path(rel) {
                        paths.push((rel.to_string(), entry.id()));
                    }
                }
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| e.message().to_string())?;
    let mut out = Vec::new();
    for (rel, id) in paths {
        let class = crate::repo::files::classify(config, &rel);
        let keep = class.is_some_and(|c| applied(c) || settings::is_settings_path(&rel));
        if !keep {
            continue;
        }
        let blob = repo
            .find_blob(id)
            .map_err(|e| format!("{rel}: {}", e.message()))?;
        if blob.size() as u64 > config.max_file_size {
            return Err(format!(
                "{rel} is larger than [scan] max-file-size at the merge base"
            ));
        }
        out.push((
            rel,
            Arc::from(String::from_utf8_lossy(blob.content()).as_ref()),
        ));
    }
    Ok(out)
}

/// A config repository on disk (`org run --declared PATH`): its settings files, classified as a walk of
/// the tree would classify them. More than `MAX_FILES` settings files, or one larger than the config's
/// `max-file-size`, fails closed.
pub fn read_dir(root: &Path, config: &Config) -> Result<Vec<(String, Arc<str>)>, String> {
    const MAX_FILES: usize = 20_000;
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some(".git" | ".terraform")))
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| e.to_string())?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = crate::repo::files::os_path_key(rel.as_os_str());
        if !wants_path(&rel) {
            continue;
        }
        let keep = crate::repo::files::classify(config, &rel)
            .is_some_and(|c| applied(c) || settings::is_settings_path(&rel));
        if !keep {
            continue;
        }
        let meta = entry.metadata().map_err(|e| format!("{rel}: {e}"))?;
        if meta.len() > config.max_file_size {
            return Err(format!("{rel} is larger than [scan] max-file-size"));
        }
        if out.len() >= MAX_FILES {
            return Err(format!("more than {MAX_FILES} settings files"));
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("{rel}: {e}"))?;
        out.push((rel, Arc::from(String::from_utf8_lossy(&bytes).as_ref())));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The declarations about one repository of an organisation (`org run --declared`): those naming it
/// (for the right owner), and in a safe-settings admin layout the organisation's defaults and suborgs
/// that apply to it. Empty when the config declares nothing for it.
pub fn for_repository(all: &DeclaredFacts, config: &Config, repo: &RepoId) -> DeclaredFacts {
    let owner_ok = all
        .owner(config)
        .is_none_or(|o| o.eq_ignore_ascii_case(&repo.owner));
    let mut head = Declared {
        owner: Some(repo.owner.clone()),
        notes: all.head.notes.clone(),
        tools: all.head.tools.clone(),
        ..Declared::default()
    };
    let name = Some(repo.name.clone());
    if owner_ok {
        let d = &all.head;
        head.repos
            .extend(d.repos.iter().filter(|r| r.name == name).cloned());
        head.classic
            .extend(d.classic.iter().filter(|r| r.repo == name).cloned());
        head.rulesets.extend(
            d.rulesets
                .iter()
                .filter(|r| r.repo == name || r.org.is_some())
                .cloned(),
        );
        head.environments
            .extend(d.environments.iter().filter(|r| r.repo == name).cloned());
        head.unresolved.extend(d.unresolved.iter().cloned());
        head.errors.extend(d.errors.iter().cloned());
        // safe-settings: a repository without its own file still gets the defaults and its suborgs.
        let declared_here = head.repos.iter().any(|r| r.name == name);
        if all.safe.admin_layout && !declared_here {
            if let Some((v, from)) = all.safe.merged_for(&repo.name) {
                settings::declare(&mut head, name.clone(), &v, &from);
            }
        }
    }
    // Only organisation rulesets would be left: they alone declare nothing about this repository.
    if head.repos.is_empty()
        && head.classic.is_empty()
        && head.environments.is_empty()
        && head.rulesets.iter().all(|r| r.repo.is_none())
    {
        head.rulesets.clear();
    }
    DeclaredFacts {
        head,
        safe: SafeSettings::default(),
        base: None,
        live: None,
        files: all.files,
        this_repo: Some(repo.clone()),
        notes: Vec::new(),
    }
}

/// Drift from settings already read for the repository's own checks (an organisation run asks GitHub once).
pub fn with_live(mut facts: DeclaredFacts, github: &crate::github::GithubFacts) -> DeclaredFacts {
    if !facts.any() {
        return facts;
    }
    facts.live = Some(match github {
        crate::github::GithubFacts::Gathered(f) => Ok(live::Live {
            repos: vec![live::LiveRepo {
                repo: f.repo.clone(),
                info: crate::github::client::Fetched::Ok(f.info.clone()),
                branches: f.branches.clone(),
                environments: f.environments.clone(),
            }],
            failures: Vec::new(),
            requests: 0,
        }),
        crate::github::GithubFacts::Failed(e) => Err(LiveGap::Failed(e.clone())),
        crate::github::GithubFacts::NotEvaluated(why) => Err(LiveGap::NotEvaluated(why.clone())),
    });
    facts
}

/// Would the tree walk read `path` (under `config`) as a settings file that is applied?
pub fn keeps(config: &Config, path: &str) -> bool {
    wants_path(path)
        && crate::repo::files::classify(config, path)
            .is_some_and(|c| applied(c) || settings::is_settings_path(path))
}
