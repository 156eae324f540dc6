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
