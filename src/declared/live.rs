//! The live settings of every declared repository, for drift: the repository, each deployment branch's
//! protection (classic and rulesets, as `github::protection::fetch` reads them) and its environments,
//! through the same client as the GitHub checks, with the same deadline. Nothing here judges.

use crate::github::client::{ApiError, ApiErrorKind, Client, Fetched, RetryPolicy, Token};
use crate::github::environments::{self, EnvironmentFacts};
use crate::github::protection::{self, BranchFacts};
use crate::github::{RepoId, RepoInfo, Settings};
use std::time::Duration;

/// One repository to read: its id on GitHub, and the branches to read (None: its default branch).
#[derive(Debug, Clone)]
pub struct Target {
    pub repo: RepoId,
    pub branches: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct LiveRepo {
    pub repo: RepoId,
    pub info: Fetched<RepoInfo>,
    pub branches: Vec<BranchFacts>,
    pub environments: Fetched<Vec<EnvironmentFacts>>,
}

#[derive(Debug, Clone, Default)]
pub struct Live {
    pub repos: Vec<LiveRepo>,
    /// Every API failure (one per URL): each leaves what it would have shown unverified.
    pub failures: Vec<ApiError>,
    pub requests: u32,
}

/// Read every target, concurrently, within `deadline`. Err: the client could not even start.
pub fn fetch(
    settings: &Settings,
    token: Token,
    deadline: Duration,
    targets: Vec<Target>,
) -> Result<Live, ApiError> {
    let setup = |detail: String| ApiError {
        url: settings.api_url.clone(),
        kind: ApiErrorKind::Setup,
        detail,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| setup(format!("cannot start the async runtime: {e}")))?;
    // octocrab's service stack spawns its worker when built: it needs the runtime's context.
    let _context = runtime.enter();
    let policy = RetryPolicy {
        deadline: settings.deadline.unwrap_or(deadline).min(deadline),
        ..settings.retry
    };
    let client = Client::new(&settings.api_url, token, policy)?;
    let repos = runtime.block_on(futures_util::future::join_all(
        targets.iter().map(|t| read(&client, t)),
    ));
    Ok(Live {
        repos,
        failures: client.failures(),
        requests: client.request_count(),
    })
}

async fn read(client: &Client, t: &Target) -> LiveRepo {
    let repo = &t.repo;
    let path = format!("/repos/{repo}");
    let (info, envs) = futures_util::join!(
        client.get::<RepoInfo>(&path),
        environments::fetch(client, repo)
    );
    let names: Vec<String> = match (&t.branches, &info) {
        (Some(b), _) => b.clone(),
        (None, Fetched::Ok(i)) => vec![i.default_branch.clone()],
        (None, _) => Vec::new(),
    };
    let branches =
        futures_util::future::join_all(names.iter().map(|b| protection::fetch(client, repo, b)))
            .await;
    LiveRepo {
        repo: repo.clone(),
        info,
        branches,
        environments: envs,
    }
}

#[derive(Debug, serde::Deserialize)]
struct Tree {
    #[serde(default)]
    tree: Vec<TreeEntry>,
    #[serde(default)]
    truncated: bool,
}

#[derive(Debug, serde::Deserialize)]
struct TreeEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
    #[serde(default)]
    size: Option<u64>,
}

#[derive(Debug, serde::Deserialize)]
struct Blob {
    content: String,
    #[serde(default)]
    encoding: String,
}

/// A config repository on GitHub (`org run --declared OWNER/REPO`): the settings files of its default
/// branch, read through the git trees and blobs API. A truncated tree listing, a path that could leave
/// the repository, or a file over `max_file` fails closed.
pub fn read_config_repo(
    settings: &Settings,
    token: Token,
    repo: &RepoId,
    max_file: u64,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, std::sync::Arc<str>)>, String> {
    use base64::Engine as _;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let _context = runtime.enter();
    let client =
        Client::new(&settings.api_url, token, settings.retry).map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let info: RepoInfo = answer(
            client.get(&format!("/repos/{repo}")).await,
            "the repository",
            repo,
        )?;
        let branch = crate::github::path_segment(&info.default_branch, false);
        let tree: Tree = answer(
            client
                .get(&format!("/repos/{repo}/git/trees/{branch}?recursive=1"))
                .await,
            "the file tree",
            repo,
        )?;
        if tree.truncated {
            return Err(format!(
                "GitHub truncated the file tree of {repo}: too large to read whole"
            ));
        }
        let mut out = Vec::new();
        for e in tree
            .tree
            .iter()
            .filter(|e| e.kind == "blob" && keep(&e.path))
        {
            let safe = e
                .path
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != ".." && c != ".git")
                && !e.path.chars().any(char::is_control);
            if !safe {
                return Err(format!(
                    "{repo} lists a file path shipgate will not use: {:?}",
                    e.path
                ));
            }
            if e.size.unwrap_or(0) > max_file {
                return Err(format!(
                    "{} in {repo} is larger than [scan] max-file-size",
                    e.path
                ));
            }
            let blob: Blob = answer(
                client
                    .get(&format!("/repos/{repo}/git/blobs/{}", e.sha))
                    .await,
                &e.path,
                repo,
            )?;
            if blob.encoding != "base64" {
                return Err(format!(
                    "{} in {repo}: unexpected blob encoding `{}`",
                    e.path, blob.encoding
                ));
            }
            let clean: String = blob
                .content
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(clean)
                .map_err(|err| format!("{} in {repo}: not base64 ({err})", e.path))?;
            out.push((
                e.path.clone(),
                std::sync::Arc::from(String::from_utf8_lossy(&bytes).as_ref()),
            ));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    })
}

fn answer<T>(f: Fetched<T>, what: &str, repo: &RepoId) -> Result<T, String> {
    match f {
        Fetched::Ok(v) => Ok(v),
        Fetched::Refused(s) => Err(format!("{what} of {repo} could not be read ({s})")),
        Fetched::Unavailable(e) => Err(format!("{what} of {repo} could not be read ({e})")),
    }
}
