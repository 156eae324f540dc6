//! `shipgate check --remote OWNER/NAME`: the GitHub-facing checks of a repository without a clone.
//!
//! The files those checks read (workflows, CODEOWNERS, shipgate's config, process documents) and the
//! default branch's recent history come through GraphQL (`github::snapshot`); the files are written into
//! a private temporary directory and the normal engine runs on it, with the history facts and the
//! repository given rather than discovered. Same checks, same findings, same fail-closed rules; what
//! needs other file contents is reported as not evaluated.

use crate::diag::SourceDiag;
use crate::engine::{self, CheckOptions, Outcome};
use crate::finding::Severity;
use crate::github::client::{ApiError, Client};
use crate::github::snapshot::{self, Snapshot};
use crate::github::{RemoteTarget, RepoId, Settings};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The result of a remote check: the outcome, and the directory it was computed on (kept until the
/// caller has rendered it: the human report quotes files from it).
pub struct RemoteOutcome {
    pub outcome: Outcome,
    pub snapshot: Snapshot,
    /// API requests: the snapshot's queries and the GitHub checks' requests, retries included.
    pub requests: u32,
    /// The last rate limit GitHub reported (remaining, reset as Unix seconds).
    pub rate: Option<(u64, u64)>,
    pub dir: TempDir,
}

/// Why a remote check could not produce an outcome.
#[derive(Debug)]
pub enum RemoteError {
    /// The API could not answer the first question (the repository's files): not verified.
    Api { error: ApiError, requests: u32 },
    /// Anything else (a local I/O failure, an invalid config in the repository).
    Diag(SourceDiag),
}

impl RemoteError {
    pub fn into_diag(self) -> SourceDiag {
        match self {
            RemoteError::Api { error, .. } => SourceDiag::plain(
                "remote/unavailable",
                format!("the repository could not be read through the API: {error}"),
            )
            .with_help(error.help()),
            RemoteError::Diag(d) => d,
        }
    }
}

pub struct RemoteOptions {
    pub fail_on: Option<Severity>,
    pub no_suppress: bool,
    /// Shorter than the client's default deadline (an organisation shard running out of time).
    pub deadline: Option<Duration>,
    /// The repository's declared settings (`org run --declared`), judged and compared for drift.
    pub declared: Option<crate::declared::DeclaredFacts>,
}

/// Parse `OWNER/NAME` as given on the command line.
pub fn parse_repo(s: &str) -> Result<RepoId, SourceDiag> {
    RepoId::parse(s).ok_or_else(|| {
        SourceDiag::plain(
            "remote/bad-repository",
            format!(
                "`{}` is not a GitHub repository name (OWNER/NAME)",
                crate::redact::visible_line(s)
            ),
        )
        .with_help("e.g. `shipgate check --remote octo-org/octo-app`")
    })
}

/// Check `repo` through the API.
pub fn check(
    repo: &RepoId,
    settings: &Settings,
    opts: &RemoteOptions,
) -> Result<RemoteOutcome, RemoteError> {
    let diag = RemoteError::Diag;
    let Some(token) = settings.token.clone() else {
        return Err(diag(SourceDiag::plain(
            "remote/no-token",
            "--remote needs a token: set GITHUB_TOKEN or GH_TOKEN",
        )
        .with_help("in Actions, a GitHub App installation token with Contents: read, Metadata: read, Administration: read, Pull requests: read, Environments: read")));
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            diag(SourceDiag::plain(
                "remote/unavailable",
                format!("cannot start the async runtime: {e}"),
            ))
        })?;
    let _context = runtime.enter();
    // SHIPGATE_GITHUB_DEADLINE_MS, then the default; a shard's own deadline can only shorten it.
    let configured = settings.deadline.unwrap_or(settings.retry.deadline);
    let policy = crate::github::client::RetryPolicy {
        deadline: opts.deadline.map_or(configured, |d| d.min(configured)),
        ..settings.retry
    };
    let client = Client::new(&settings.api_url, token, policy)
        .map_err(|error| RemoteError::Api { error, requests: 0 })?;
    let mut snap = runtime
        .block_on(snapshot::fetch(&client, repo))
        .map_err(|error| RemoteError::Api {
            error,
            requests: client.request_count(),
        })?;

    let dir = TempDir::new().map_err(|e| {
        diag(SourceDiag::plain(
            "remote/io",
            format!("cannot create a temporary directory: {e}"),
        ))
    })?;
    materialise(dir.path(), &snap).map_err(diag)?;
    let config = crate::config::policy::read(
        dir.path(),
        None,
        crate::config::policy::Source::WorkTree,
        None,
    )
    .map(|p| p.config)
    .map_err(diag)?;
    // The history window is the config's: read the log until the first-parent line covers it.
    let now = unix_now();
    let window = crate::repo::history::Window::from_config(&config.history, now);
    runtime.block_on(snapshot::extend_history(&client, repo, &mut snap, &window));
    let snapshot_requests = client.request_count();
    let snapshot_rate = client.rate();
    drop(client);
    drop(_context);
    drop(runtime);
    let history = snapshot::history_facts(&snap, &config, now);
    let target = RemoteTarget {
        repo: Some(repo.clone()),
        settings: settings.clone(),
        history,
        deadline: opts.deadline,
        left_out: snap.left_out.clone(),
        history_gap: snap.history_gap.clone(),
    };
    let options = CheckOptions {
        root: dir.path().to_path_buf(),
        config: None,
        offline: false,
        fail_on: opts.fail_on,
        diff: None,
        no_suppress: opts.no_suppress,
        ignore_baseline: false,
        find_repository_root: false,
        remote: Some(target),
        pull_request: None,
        drift: false,
        declared: opts.declared.clone(),
    };
    let mut outcome = engine::check(&options).map_err(diag)?;
    let facts = outcome.ctx.github.facts();
    let requests = snapshot_requests + facts.map_or(0, |f| f.requests);
    let rate = facts.and_then(|f| f.rate).or(snapshot_rate);
    outcome.policy =
        format!(
        "remote {repo} (no clone): default branch {} at {}; {} file(s) read through the API; {}",
        snap.default_branch.as_deref().unwrap_or("(none: empty repository)"),
        snap.head.as_deref().map_or("-", |h| &h[..h.len().min(12)]),
        snap.files.len(),
        match &outcome.ctx.config.source {
            Some((p, _)) => format!("config {} from the default branch", p.display()),
            None => "no config file on the default branch, so the defaults".to_string(),
        }
    );
    Ok(RemoteOutcome {
        outcome,
        snapshot: snap,
        requests,
        rate,
        dir,
    })
}

/// Write the snapshot's files under `dir`. Every path was built from validated components; this checks
/// again that none leaves `dir`, and refuses to write through an existing entry.
pub fn materialise(dir: &Path, snap: &Snapshot) -> Result<(), SourceDiag> {
    write_files(
        dir,
        snap.files.iter().map(|(r, t)| (r.as_str(), t.as_ref())),
    )
}

/// Write files read through the API (`relative path`, text) into `dir`, with `materialise`'s care: a
/// name with `..`, a separator or a control character is skipped, and no existing entry is written
/// through.
pub fn write_files<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), SourceDiag> {
    for (rel, text) in files {
        let safe = !rel.is_empty()
            && rel
                .split('/')
                .all(|c| snapshot::entry_name(c).is_ok() && c != "..");
        if !safe {
            continue;
        }
        let path = dir.join(rel);
        let io = |e: std::io::Error| {
            SourceDiag::plain(
                "remote/io",
                format!(
                    "cannot write {} into the temporary directory: {e}",
                    crate::redact::visible_line(rel)
                ),
            )
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(io)?;
    }
    Ok(())
}

/// A private temporary directory, removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> std::io::Result<TempDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = base.join(format!(
                "shipgate-remote-{}-{n}-{nanos}",
                std::process::id()
            ));
            match create_private_dir(&path) {
                Ok(()) => return Ok(TempDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("no free temporary directory name"))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir(path)
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
