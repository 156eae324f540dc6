//! `shipgate check --remote OWNER/NAME`: the GitHub-facing checks of a repository without a clone.
//!
//! The files those checks read (workflows, CODEOWNERS, shipgate's config, process documents) and the
//! default branch's recent history come through GraphQL (`github::snapshot`); the files are written into
//! a private temporary directory and the normal engine runs on it, with the history facts and the
//! repository given rather than discovered. Same checks, same findings, same fail-closed rules; what
//! needs other file contents is reported as not evaluated.
//!
//! The auditor's policy rules the audit (`--config`, else the defaults): the audited repository's own
//! `shipgate.toml` and baseline are read only to report how they would weaken it — in the summary's
//! policy line and the organisation result's `policy_overrides` — never applied. A repository that turns
//! off the rules it fails, or baselines its failures, still fails the audit.

use crate::config::policy::{self, PolicyFiles};
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
    /// How the repository's own policy files would weaken the auditor's: reported, not applied.
    pub overrides: Vec<String>,
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
    /// The auditor's policy ([`auditor_policy`]); the audited repository's own is never applied.
    pub policy: PolicyFiles,
}

/// The auditor's policy: the config file named with `--config` (its rule packs relative to its own
/// directory), else the defaults. Never a file of the audited repository.
pub fn auditor_policy(config: Option<&Path>) -> Result<PolicyFiles, SourceDiag> {
    let Some(path) = config else {
        return Ok(PolicyFiles {
            config: crate::config::Config::default(),
            packs: Vec::new(),
            baseline: None,
            from: "the auditor's defaults (no --config)".to_string(),
        });
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = dir.canonicalize().map_err(|e| {
        SourceDiag::plain(
            "config/unreadable",
            format!("cannot read config {}: {e}", path.display()),
        )
    })?;
    let mut files = policy::read(&dir, Some(path), policy::Source::WorkTree, None)?;
    files.from = format!("the auditor's {}", path.display());
    Ok(files)
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
    // The history window is the judging policy's (the auditor's): read the log until the first-parent
    // line covers it.
    let config = &opts.policy.config;
    let now = unix_now();
    let window = crate::repo::history::Window::from_config(&config.history, now);
    runtime.block_on(snapshot::extend_history(&client, repo, &mut snap, &window));
    let snapshot_requests = client.request_count();
    let snapshot_rate = client.rate();
    drop(client);
    drop(_context);
    drop(runtime);
    let history = snapshot::history_facts(&snap, config, now);
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
        policy: Some(opts.policy.clone()),
    };
    let mut outcome = engine::check(&options).map_err(diag)?;
    let overrides = own_policy(dir.path(), &opts.policy);
    let facts = outcome.ctx.github.facts();
    let requests = snapshot_requests + facts.map_or(0, |f| f.requests);
    let rate = facts.and_then(|f| f.rate).or(snapshot_rate);
    outcome.policy = format!(
        "remote {repo} (no clone): default branch {} at {}; {} file(s) read through the API; judged by {}{}",
        snap.default_branch
            .as_deref()
            .unwrap_or("(none: empty repository)"),
        snap.head.as_deref().map_or("-", |h| &h[..h.len().min(12)]),
        snap.files.len(),
        opts.policy.from,
        if overrides.is_empty() {
            String::new()
        } else {
            format!(
                "; the repository's own policy is not applied: {}",
                overrides.join("; ")
            )
        }
    );
    Ok(RemoteOutcome {
        outcome,
        snapshot: snap,
        requests,
        rate,
        overrides,
        dir,
    })
}

/// How the audited repository's own policy files (as read through the API into `dir`) would weaken the
/// auditor's, one line each: what would be reported, never applied.
fn own_policy(dir: &Path, auditor: &PolicyFiles) -> Vec<String> {
    let baseline_rel = crate::suppress::baseline::DEFAULT_PATH;
    let own = match policy::read(dir, None, policy::Source::WorkTree, Some(baseline_rel)) {
        Ok(own) => own,
        Err(e) => return vec![format!("its policy files do not load ({})", e.message)],
    };
    let mut out = Vec::new();
    let Ok(auditor_cat) = crate::checks::catalogue(Some((&auditor.config, &auditor.packs))) else {
        return out;
    };
    match crate::checks::catalogue(Some((&own.config, &own.packs))) {
        Ok(own_cat) => {
            let found = crate::suppress::policy::weakenings(
                Severity::Note,
                (auditor, &auditor_cat),
                None,
                crate::suppress::policy::Proposed {
                    files: Ok((&own, &own_cat)),
                    baseline: None,
                },
                &[],
            );
            out.extend(found.into_iter().map(|f| match &f.location {
                crate::finding::Location::File(at) if at.line > 0 => {
                    format!("{} ({}:{})", f.message, at.path, at.line)
                }
                _ => f.message,
            }));
        }
        Err(e) => out.push(format!("its rule packs do not load ({})", e.message)),
    }
    if let Some((shown, text)) = &own.baseline {
        let entries = crate::suppress::baseline::parse(text, shown)
            .map(|b| b.entries.len())
            .unwrap_or(0);
        out.push(format!(
            "its baseline {shown} ({entries} entr{}) hides nothing in this audit",
            if entries == 1 { "y" } else { "ies" }
        ));
    }
    out.iter_mut()
        .for_each(|l| *l = crate::redact::visible_line(l).into_owned());
    out
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
