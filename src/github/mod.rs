//! GitHub facts for the checks: effective branch protection, deployment environments and review evidence.
//!
//! Gathered once per run, on its own thread while the file walk runs, with a small tokio runtime of its own
//! (the rest of shipgate is synchronous). Requests run concurrently, each URL at most once. Nothing here
//! decides pass or fail: the checks in `checks::{branch_protection, deploy_env, review_github}` do, from
//! these facts alone.

pub mod approvals;
pub mod client;
pub mod environments;
pub mod graphql;
pub mod protection;
pub mod remote;
pub mod reviews;
pub mod scorecard;
pub mod snapshot;

use crate::config::{Config, GithubConfig};
use crate::repo::evidence::HistoryFacts;
use crate::status::NotEvaluated;
use client::{ApiError, ApiErrorKind, Client, Fetched, RetryPolicy, Token};
use environments::EnvironmentFacts;
use protection::BranchFacts;
pub use remote::RepoId;
use reviews::{BranchReviews, CiRef};
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// What the environment says: where the API is, who we are, and which commit CI checked out.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub api_url: String,
    pub token: Option<Token>,
    pub repository: Option<String>,
    pub ci: CiRef,
    pub retry: RetryPolicy,
    /// `SHIPGATE_GITHUB_DEADLINE_MS`: wins over `[github] deadline` (a CI job's own bound).
    pub deadline: Option<Duration>,
}

impl Settings {
    /// `GITHUB_API_URL`, `GITHUB_TOKEN` or `GH_TOKEN`, `GITHUB_REPOSITORY`, `GITHUB_REF`, `GITHUB_SHA`.
    /// `SHIPGATE_GITHUB_RETRY_BASE_MS`, `SHIPGATE_GITHUB_TIMEOUT_MS` and `SHIPGATE_GITHUB_MAX_WAIT_MS` tune
    /// the retries (tests shrink them; a slow GHES may need a longer timeout);
    /// `SHIPGATE_GITHUB_DEADLINE_MS` replaces `[github] deadline`.
    pub fn from_env() -> Settings {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let ms = |k: &str| {
            var(k)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        let d = RetryPolicy::default();
        Settings {
            api_url: var("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            token: var("GITHUB_TOKEN")
                .or_else(|| var("GH_TOKEN"))
                .and_then(Token::new),
            repository: var("GITHUB_REPOSITORY"),
            ci: CiRef {
                git_ref: var("GITHUB_REF"),
                sha: var("GITHUB_SHA"),
            },
            retry: RetryPolicy {
                tries: d.tries,
                base: ms("SHIPGATE_GITHUB_RETRY_BASE_MS").unwrap_or(d.base),
                timeout: ms("SHIPGATE_GITHUB_TIMEOUT_MS").unwrap_or(d.timeout),
                max_wait: ms("SHIPGATE_GITHUB_MAX_WAIT_MS").unwrap_or(d.max_wait),
                deadline: d.deadline,
            },
            deadline: ms("SHIPGATE_GITHUB_DEADLINE_MS"),
        }
    }
}

/// The part of `GET /repos/{o}/{r}` shipgate reads.
#[derive(Debug, Clone, Deserialize)]
pub struct RepoInfo {
    pub default_branch: String,
    pub html_url: String,
    #[serde(default)]
    pub private: bool,
}

#[derive(Debug, Clone)]
pub enum GithubFacts {
    /// Not asked: `--offline`, no token, or no GitHub repository. The reason is shown in the summary.
    NotEvaluated(String),
    /// Could not even start (bad API URL, repository not visible, bad token).
    Failed(ApiError),
    Gathered(Box<Facts>),
}

impl GithubFacts {
    pub fn facts(&self) -> Option<&Facts> {
        match self {
            GithubFacts::Gathered(f) => Some(f),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Facts {
    pub repo: RepoId,
    pub info: RepoInfo,
    /// The repository's page, e.g. `https://github.com/o/r` (settings URLs hang off it).
    pub html_url: String,
    pub branches: Vec<BranchFacts>,
    pub environments: Fetched<Vec<EnvironmentFacts>>,
    pub reviews: Vec<BranchReviews>,
    /// Every API failure, one per URL: each becomes a `gate/github-unavailable` finding.
    pub failures: Vec<ApiError>,
    /// Things not evaluated, for the summary (e.g. a branch missing from a shallow clone).
    pub notes: Vec<String>,
    pub requests: u32,
    /// The last `x-ratelimit-remaining` / `x-ratelimit-reset` GitHub sent (for a shared budget).
    pub rate: Option<(u64, u64)>,
}

/// `check --remote`: the repository named on the command line, not discovered from a checkout, and the
/// settings to reach it (an organisation run passes one per repository, never through the environment).
#[derive(Debug, Clone, Default)]
pub struct RemoteTarget {
    pub repo: Option<RepoId>,
    pub settings: Settings,
    /// The history facts read through the API (the shared walk's stand-in).
    pub history: HistoryFacts,
    /// A deadline for this repository's API phase shorter than the default (a shard's time running out).
    pub deadline: Option<Duration>,
    /// Files the snapshot saw but did not read, and why.
    pub left_out: Vec<String>,
    /// Why the history read through the API stops before the window is covered (`snapshot::extend_history`).
    pub history_gap: Option<String>,
}

/// The deployment branches to check: the configured names (globs expanded against the repository's
/// branches), else the default branch. Another source (local discovery) can be merged in here.
pub fn deployment_branches(
    configured: &[String],
    default_branch: &str,
    known_branches: &[String],
) -> Vec<String> {
    if configured.is_empty() {
        return vec![default_branch.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for pattern in configured {
        if is_glob(pattern) {
            let Ok(glob) = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
            else {
                continue;
            };
            let m = glob.compile_matcher();
            out.extend(known_branches.iter().filter(|b| m.is_match(b)).cloned());
        } else {
            out.push(pattern.clone());
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|b| seen.insert(b.clone()));
    out
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Percent-encode a branch or environment name for a URL path. Branch names keep `/` (GitHub routes
/// `branches/release/1.0/protection` correctly); environment names must encode it.
pub fn path_segment(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The GitHub gathering, running on its own thread while the walk runs.
pub struct Pending(
    Option<std::thread::JoinHandle<GithubFacts>>,
    Option<GithubFacts>,
);

impl Pending {
    /// `history` is the shared first-parent walk: review evidence asks GitHub about exactly the commits
    /// the offline rules judge (same window, same exemptions), never walking git a second time.
    pub fn start(root: &Path, config: &Config, offline: bool, history: &HistoryFacts) -> Pending {
        let settings = Settings::from_env();
        let repo = remote::discover(root, settings.repository.as_deref()).map(|(r, _)| r);
        Pending::start_for(repo, settings, None, config, offline, history)
    }

    /// As `start`, for a repository and settings given by the caller (`check --remote`, `org run`).
    pub fn start_for(
        repo: Option<RepoId>,
        settings: Settings,
        deadline: Option<Duration>,
        config: &Config,
        offline: bool,
        history: &HistoryFacts,
    ) -> Pending {
        if offline {
            return Pending(None, Some(GithubFacts::NotEvaluated("--offline".into())));
        }
        let Some(token) = settings.token.clone() else {
            return Pending(
                None,
                Some(GithubFacts::NotEvaluated(
                    "no token (set GITHUB_TOKEN or GH_TOKEN)".into(),
                )),
            );
        };
        let Some(repo) = repo else {
            return Pending(
                None,
                Some(GithubFacts::NotEvaluated(
                    "no GitHub repository (set GITHUB_REPOSITORY=owner/name, or add an `origin` remote on GitHub)"
                        .into(),
                )),
            );
        };
        let job = Job {
            walks: reviews::from_walk(history, config.github.reviews.commits),
            not_walked: reviews::not_walked(history),
            stale: history.stale.iter().map(|(n, _)| n.clone()).collect(),
            github: config.github.clone(),
            deploy: config.deploy_branches.clone(),
            settings,
            token,
            repo,
            deadline,
        };
        let api_url = job.settings.api_url.clone();
        match std::thread::Builder::new()
            .name("shipgate-github".into())
            .spawn(move || job.run())
        {
            Ok(handle) => Pending(Some(handle), None),
            Err(e) => Pending(
                None,
                Some(setup_failure(
                    &api_url,
                    format!("cannot start a thread: {e}"),
                )),
            ),
        }
    }

    pub fn finish(self) -> GithubFacts {
        match self {
            Pending(Some(handle), _) => handle.join().unwrap_or_else(|_| {
                setup_failure("", "the GitHub thread stopped unexpectedly".into())
            }),
            Pending(None, Some(done)) => done,
            Pending(None, None) => GithubFacts::NotEvaluated("not started".into()),
        }
    }
}

fn setup_failure(url: &str, detail: String) -> GithubFacts {
    GithubFacts::Failed(ApiError {
        url: url.to_string(),
        kind: ApiErrorKind::Setup,
        detail,
    })
}

struct Job {
    /// Per walked deployment branch, the commits to ask about (or why there are none).
    walks: Vec<(String, Result<reviews::History, String>)>,
    /// Why a branch GitHub names was not walked.
    not_walked: String,
    /// Deployment branches the walk left out as stale.
    stale: Vec<String>,
    github: GithubConfig,
    deploy: Vec<String>,
    settings: Settings,
    token: Token,
    repo: RepoId,
    deadline: Option<Duration>,
}

impl Job {
    fn run(self) -> GithubFacts {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                return setup_failure(
                    &self.settings.api_url,
                    format!("cannot start the async runtime: {e}"),
                )
            }
        };
        // octocrab's service stack spawns its buffer worker when built: it needs the runtime's context.
        let _context = runtime.enter();
        // A shard's own deadline for this repository (org run) can only shorten the configured one.
        let configured = self.settings.deadline.unwrap_or(self.github.deadline);
        let policy = RetryPolicy {
            deadline: self.deadline.map_or(configured, |d| d.min(configured)),
            ..self.settings.retry
        };
        let client = match Client::new(&self.settings.api_url, self.token.clone(), policy) {
            Ok(c) => c,
            Err(e) => return GithubFacts::Failed(e),
        };
        runtime.block_on(self.gather(&client))
    }

    async fn gather(&self, client: &Client) -> GithubFacts {
        let repo = &self.repo;
        let repo_path = format!("/repos/{repo}");
        let needs_branch_list = self.deploy.iter().any(|b| is_glob(b));
        // The repository, its environments and (for globs) its branches are independent: ask at once.
        let (info, envs, branch_list) = futures_util::join!(
            client.get::<RepoInfo>(&repo_path),
            environments::fetch(client, repo),
            async {
                if needs_branch_list {
                    Some(
                        client
                            .get_list::<BranchName>(
                                &format!("/repos/{repo}/branches?per_page=100"),
                                None,
                            )
                            .await,
                    )
                } else {
                    None
                }
            }
        );
        let info = match info {
            Fetched::Ok(i) => i,
            Fetched::Refused(s) => {
                return GithubFacts::Failed(client.fail(
                    &repo_path,
                    ApiErrorKind::RepositoryNotFound,
                    format!("{s}: repository {repo} is not visible to this token"),
                ))
            }
            Fetched::Unavailable(e) => return GithubFacts::Failed(e),
        };
        let mut notes = Vec::new();
        let known: Vec<String> = match &branch_list {
            Some(Fetched::Ok(list)) => list.iter().map(|b| b.name.clone()).collect(),
            Some(Fetched::Refused(s)) => {
                notes.push(format!(
                    "the branch list could not be read ({s}); branch globs matched nothing"
                ));
                Vec::new()
            }
            _ => Vec::new(),
        };
        let names = deployment_branches(&self.deploy, &info.default_branch, &known);
        for pattern in self.deploy.iter().filter(|p| is_glob(p)) {
            if !names.iter().any(|n| glob_matches(pattern, n)) {
                notes.push(format!(
                    "deployment branch pattern `{pattern}` matches no branch on GitHub"
                ));
            }
        }
        let mut names = names;
        for (walked, _) in &self.walks {
            if !names.contains(walked) {
                names.push(walked.clone());
            }
        }
        let per_branch = futures_util::future::join_all(names.iter().map(|b| async move {
            let history = (self.github.reviews.commits > 0).then(|| {
                match self.walks.iter().find(|(name, _)| name == b) {
                    Some((_, h)) => h.clone(),
                    // Stale (no commit in the window): nothing to ask about, as offline.
                    None if self.stale.contains(b) => Ok(reviews::History {
                        commits: Vec::new(),
                        examined: 0,
                        from: format!("stale branch {b}"),
                    }),
                    None => Err(self.not_walked.clone()),
                }
            });
            let commits = history
                .as_ref()
                .and_then(|h| h.as_ref().ok())
                .map(|h| h.commits.clone())
                .unwrap_or_default();
            let (protection, evidence) = futures_util::join!(
                protection::fetch(client, repo, b),
                graphql::fetch(client, repo, b, &commits)
            );
            let reviews = history.map(|history| BranchReviews {
                branch: b.clone(),
                history,
                commits: evidence,
            });
            (protection, reviews)
        }))
        .await;
        let mut branches = Vec::new();
        let mut branch_reviews = Vec::new();
        for (p, r) in per_branch {
            branches.push(p);
            if let Some(r) = r {
                if let Err(why) = &r.history {
                    notes.push(format!("review evidence for `{}`: {why}", r.branch));
                }
                branch_reviews.push(r);
            }
        }
        let html_url = info.html_url.trim_end_matches('/').to_string();
        GithubFacts::Gathered(Box::new(Facts {
            repo: repo.clone(),
            html_url,
            info,
            branches,
            environments: envs,
            reviews: branch_reviews,
            failures: client.failures(),
            notes,
            requests: client.request_count(),
            rate: client.rate(),
        }))
    }
}

#[derive(Debug, Clone, Deserialize)]
struct BranchName {
    name: String,
}

fn glob_matches(pattern: &str, name: &str) -> bool {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(name))
}

/// Lines for the summary's "not evaluated" list.
pub fn not_evaluated(facts: &GithubFacts, config: &GithubConfig) -> Vec<NotEvaluated> {
    const WHAT: &str =
        "GitHub settings (branch protection, deployment environments, review evidence)";
    let gap = |why: String| NotEvaluated {
        families: vec!["branch", "deploy", "review"],
        what: WHAT.to_string(),
        why,
    };
    match facts {
        GithubFacts::NotEvaluated(reason) => vec![gap(reason.to_string())],
        GithubFacts::Failed(_) if !config.fail_closed => {
            vec![gap(
                "the GitHub API failed; reported as a warning because [github] fail-closed = false"
                    .to_string(),
            )]
        }
        GithubFacts::Failed(_) => Vec::new(),
        GithubFacts::Gathered(f) => {
            let mut lines: Vec<NotEvaluated> = f.notes.iter().map(|n| gap(n.clone())).collect();
            if !f.failures.is_empty() && !config.fail_closed {
                lines.push(gap(format!(
                    "{} API failure{} reported as warnings because [github] fail-closed = false; what they would have shown is not evaluated",
                    f.failures.len(),
                    if f.failures.len() == 1 { "" } else { "s" }
                )));
            }
            lines
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_branches_default_and_globs() {
        let known = vec![
            "main".to_string(),
            "release/1.0".into(),
            "release/1/x".into(),
        ];
        assert_eq!(deployment_branches(&[], "main", &known), vec!["main"]);
        assert_eq!(
            deployment_branches(
                &["main".into(), "release/*".into(), "main".into()],
                "trunk",
                &known
            ),
            vec!["main", "release/1.0"]
        );
    }

    #[test]
    fn path_segments() {
        assert_eq!(path_segment("release/1.0", true), "release/1.0");
        assert_eq!(path_segment("prod/eu west", false), "prod%2Feu%20west");
    }
}
