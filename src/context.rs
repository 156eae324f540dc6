//! What checks may read: gathered once, read-only.

use crate::config::Config;
use crate::declared::DeclaredFacts;
use crate::github::GithubFacts;
use crate::repo::changes::DiffScope;
use crate::repo::collect::RepoFiles;
use crate::repo::evidence::HistoryFacts;
use crate::repo::files::{FileEntry, WalkStats};
use crate::rules::Catalogue;
use std::path::PathBuf;

pub struct Context {
    pub root: PathBuf,
    pub config: Config,
    pub catalogue: Catalogue,
    /// Every file in the tree (not ignored by config), sorted by path, with its class.
    pub files: Vec<FileEntry>,
    pub stats: WalkStats,
    /// Submodules and nested repositories left out of the walk (relative paths).
    pub nested_repos: Vec<String>,
    /// What GitHub says about the repository's settings and reviews (or why it was not asked).
    pub github: GithubFacts,
    /// Deployment branches and how their commits arrived (git evidence; see repo/evidence.rs).
    pub history: HistoryFacts,
    /// `check --diff`: the base (its tip, the merge base, its CODEOWNERS) and what the change did.
    pub diff: Option<DiffScope>,
    /// CODEOWNERS, workflows and process documents, read during the walk and parsed once.
    pub repo: RepoFiles,
    /// Branch protection declared as code in the tree (and at the merge base, and live for drift).
    pub declared: DeclaredFacts,
}
