//! `shipgate org run --shard FILE --out DIR`: gate a shard's repositories through the API, `--jobs` at a
//! time, under one rate-limit budget and one deadline, writing one JSON result per repository. A
//! repository the API cannot answer for is a *not verified* result, never the end of the shard.

use super::{
    isolate, unix_now, unverified_families, write_file, ControlResult, FindingSummary, Period,
    RepoResult, Shard, Status, CONTROLS, RESULT_SCHEMA, SHARD_SCHEMA,
};
use crate::diag::SourceDiag;
use crate::finding::Severity;
use crate::github::{RepoId, Settings};
use crate::remote::{self, RemoteError, RemoteOptions, RemoteOutcome};
use crate::sync::lock;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A shard file larger than this is refused (a hostile artifact must not exhaust memory).
const MAX_SHARD_BYTES: u64 = 8 * 1024 * 1024;
/// The API phase of one repository never runs longer than this.
const PER_REPO_DEADLINE: Duration = Duration::from_secs(120);
/// Requests one repository usually needs (measured: bench/README.md); reserved from the budget when
/// it starts, so parallel jobs do not all start on the last few requests.
pub const REQUESTS_PER_REPO: u64 = 8;

pub struct RunOptions {
    pub shard: PathBuf,
    pub out: PathBuf,
    pub jobs: usize,
    /// The whole shard's time; repositories not started by then are not verified.
    pub deadline: Duration,
    /// Keep this many requests of the rate limit unspent (other jobs share the installation's budget).
    pub reserve: u64,
    pub fail_on: Option<Severity>,
    /// Memory each repository's check may use, in MiB (0 = no limit); see `isolate`.
    pub memory_mib: u64,
    /// `--declared PATH|OWNER/REPO`: the config repository whose declared settings are compared.
    pub declared: Option<String>,
    /// The auditor's policy: each repository is judged by it; its own is reported, never applied.
    pub policy: crate::config::policy::PolicyFiles,
    /// Where the auditor's policy was read from (absolute): each child reads it again.
    pub config: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub repositories: usize,
    pub passed: usize,
    pub failed: usize,
    pub not_verified: usize,
    pub requests: u64,
}

/// The shared rate-limit budget: what GitHub last reported, less what started repositories reserved.
#[derive(Debug, Default)]
struct Budget {
    remaining: Option<u64>,
    reset: u64,
}

/// Each repository is gated in a child process (`isolate`), which reads the GitHub settings from the
/// environment it inherits.
pub fn run(opts: &RunOptions) -> Result<Totals, SourceDiag> {
    let shard: Shard = super::read_json(&opts.shard, MAX_SHARD_BYTES, "org/bad-shard")?;
    if shard.schema != SHARD_SCHEMA {
        return Err(SourceDiag::plain(
            "org/bad-shard",
            format!(
                "{} is not a shard written by `shipgate org plan` (schema `{}`)",
                opts.shard.display(),
                crate::redact::visible_line(&shard.schema)
            ),
        ));
    }
    if opts.jobs == 0 {
        return Err(SourceDiag::plain(
            "org/bad-shard",
            "--jobs takes a number above 0",
        ));
    }
    std::fs::create_dir_all(&opts.out).map_err(|e| {
        SourceDiag::plain(
            "org/output",
            format!("cannot create {}: {e}", opts.out.display()),
        )
    })?;
    // The config repository is read once, here (through the API when it is OWNER/REPO), checked, and
    // written to a private directory each repository's child process reads it from.
    let settings = Settings::from_env();
    let declared = match &opts.declared {
        Some(arg) => Some(super::declared::stage(arg, &settings)?),
        None => None,
    };
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let budget = Mutex::new(Budget::default());
    let totals = Mutex::new(Totals::default());
    let failure: Mutex<Option<SourceDiag>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.min(shard.repositories.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(name) = shard.repositories.get(i) else {
                    break;
                };
                let result = gate_one(i, name, opts, start, &budget, declared.as_ref());
                let file = match RepoId::parse(name) {
                    Some(r) => format!("{}__{}.json", r.owner, r.name),
                    None => format!("invalid-{:03}-{i:05}.json", shard.shard),
                };
                let written = serde_json::to_vec_pretty(&result)
                    .map_err(|e| {
                        SourceDiag::plain("org/output", format!("cannot encode a result: {e}"))
                    })
                    .and_then(|text| write_file(&opts.out.join(&file), &text));
                let mut t = lock(&totals);
                t.repositories += 1;
                t.requests += u64::from(result.requests);
                match result.status {
                    Status::Pass | Status::PassWithWarnings => t.passed += 1,
                    Status::Fail => t.failed += 1,
                    Status::NotVerified => t.not_verified += 1,
                }
                if let Err(e) = written {
                    lock(&failure).get_or_insert(e);
                }
            });
        }
    });
    if let Some(e) = lock(&failure).take() {
        return Err(e);
    }
    let t = *lock(&totals);
    Ok(t)
}

fn gate_one(
    _index: usize,
    name: &str,
    opts: &RunOptions,
    start: Instant,
    budget: &Mutex<Budget>,
    declared: Option<&super::declared::Staged>,
) -> RepoResult {
    let begun = Instant::now();
    let not_verified = |reason: String, requests: u32| {
        let mut r = not_verified_result(name, reason, requests);
        r.elapsed_ms = u64::try_from(begun.elapsed().as_millis()).unwrap_or(u64::MAX);
        r
    };
    if RepoId::parse(name).is_none() {
        return not_verified("not a repository name (OWNER/NAME)".into(), 0);
    }
    // Wait for the budget (if GitHub's reset comes before the deadline), or give up on this repository.
    loop {
        let left = opts.deadline.saturating_sub(start.elapsed());
        if left.is_zero() {
            return not_verified(
                format!(
                    "the shard's deadline ({} s) was reached before this repository was checked",
                    opts.deadline.as_secs()
                ),
                0,
            );
        }
        let wait = {
            let mut b = lock(budget);
            match b.remaining {
                Some(r) if r < opts.reserve + REQUESTS_PER_REPO => {
                    let now = u64::try_from(unix_now()).unwrap_or(0);
                    if b.reset <= now {
                        b.remaining = None;
                        None
                    } else {
                        Some(Duration::from_secs(b.reset - now))
                    }
                }
                Some(r) => {
                    b.remaining = Some(r - REQUESTS_PER_REPO);
                    None
                }
                None => None,
            }
        };
        match wait {
            None => break,
            Some(w) if w < left => std::thread::sleep(w.min(Duration::from_secs(30))),
            Some(_) => return not_verified(
                "the rate-limit budget is spent and GitHub resets it after the shard's deadline"
                    .into(),
                0,
            ),
        }
    }
    let api_deadline = opts
        .deadline
        .saturating_sub(start.elapsed())
        .min(PER_REPO_DEADLINE);
    let args = isolate::ChildArgs {
        repository: name,
        api_deadline,
        fail_on: opts.fail_on.map(Severity::as_str),
        declared,
        config: opts.config.as_deref(),
    };
    let limits = isolate::Limits {
        memory_mib: opts.memory_mib,
        time: api_deadline + isolate::JUDGING_GRACE,
    };
    let mut result = match isolate::gate_in_child(&args, limits) {
        Ok(answer) => {
            if let Some((remaining, reset)) = answer.rate {
                let mut b = lock(budget);
                // The lowest report wins: answers from parallel jobs arrive out of order.
                b.remaining = Some(b.remaining.map_or(remaining, |r| r.min(remaining)));
                b.reset = b.reset.max(reset);
            }
            answer.result
        }
        Err(why) => not_verified(why, 0),
    };
    result.elapsed_ms = u64::try_from(begun.elapsed().as_millis()).unwrap_or(u64::MAX);
    result
}

/// In the child (`shipgate org gate-one`): gate one repository through the API and summarise it.
pub fn gate_checked(
    repo: &RepoId,
    settings: &Settings,
    fail_on: Option<Severity>,
    api_deadline: Duration,
    source: Option<&super::declared::Source>,
    policy: crate::config::policy::PolicyFiles,
) -> isolate::ChildAnswer {
    let begun = Instant::now();
    let ropts = RemoteOptions {
        fail_on,
        no_suppress: false,
        deadline: Some(api_deadline),
        declared: source.map(|s| super::declared::for_repo(s, repo)),
        policy,
    };
    let outcome = remote::check(repo, settings, &ropts);
    let rate = match &outcome {
        Ok(r) => r.rate,
        Err(_) => None,
    };
    let mut result = match outcome {
        Ok(r) => {
            let mut result = summarise(repo, &r);
            result.declared = source.map(|s| super::declared::summarise(s, &r, &result));
            result
        }
        Err(RemoteError::Api { error, requests }) => not_verified_result(
            &repo.to_string(),
            format!("the API did not answer: {error}"),
            requests,
        ),
        Err(RemoteError::Diag(d)) => {
            not_verified_result(&repo.to_string(), format!("{}: {}", d.code, d.message), 0)
        }
    };
    result.elapsed_ms = u64::try_from(begun.elapsed().as_millis()).unwrap_or(u64::MAX);
    isolate::ChildAnswer {
        schema: isolate::CHILD_SCHEMA.into(),
        result,
        rate,
    }
}

/// One repository's outcome as controls.
pub fn summarise(repo: &RepoId, r: &RemoteOutcome) -> RepoResult {
    let outcome = &r.outcome;
    let fail_on = outcome.fail_on;
    let family = |rule: &str| rule.split('/').next().unwrap_or("").to_string();
    let mut controls = BTreeMap::new();
    let mut status = Status::Pass;
    for c in CONTROLS {
        let failing: Vec<String> = outcome
            .findings
            .iter()
            .filter(|f| {
                f.severity >= fail_on
                    && !super::declared::is_declared(f)
                    && c.families.contains(&family(&f.rule).as_str())
                    && unverified_families(&f.rule).is_empty()
            })
            .map(|f| f.rule.clone())
            .collect();
        let mut unverified: Vec<String> = outcome
            .findings
            .iter()
            .filter(|f| {
                unverified_families(&f.rule)
                    .iter()
                    .any(|u| c.families.contains(u))
            })
            .map(|f| f.rule.clone())
            .collect();
        unverified.extend(
            outcome
                .not_evaluated
                .iter()
                .filter(|n| n.families.iter().any(|u| c.families.contains(u)))
                .map(|n| format!("not evaluated: {}", n.what)),
        );
        let (s, mut rules) = if !failing.is_empty() {
            (Status::Fail, failing)
        } else if !unverified.is_empty() {
            (Status::NotVerified, unverified)
        } else {
            (Status::Pass, Vec::new())
        };
        rules.sort();
        rules.dedup();
        status = match (status, s) {
            (Status::Fail, _) | (_, Status::Fail) => Status::Fail,
            (Status::NotVerified, _) | (_, Status::NotVerified) => Status::NotVerified,
            _ => Status::Pass,
        };
        controls.insert(c.id.to_string(), ControlResult { status: s, rules });
    }
    let facts = outcome.ctx.github.facts();
    // The review window: the commits GitHub was asked about (`[github.reviews] commits`).
    let window = outcome.ctx.config.github.reviews.commits as usize;
    let period = outcome.ctx.history.branches.first().and_then(|b| {
        let times: Vec<i64> = b
            .commits
            .iter()
            .take(window)
            .map(|c| c.commit.time)
            .collect();
        Some(Period {
            commits: times.len(),
            from: *times.iter().min()?,
            to: *times.iter().max()?,
        })
    });
    RepoResult {
        schema: RESULT_SCHEMA.into(),
        repository: repo.to_string(),
        status,
        reason: None,
        default_branch: r.snapshot.default_branch.clone(),
        head: r.snapshot.head.clone(),
        archived: r.snapshot.archived,
        visibility: r.snapshot.visibility.clone(),
        branches: facts
            .map(|f| f.branches.iter().map(|b| b.name.clone()).collect())
            .unwrap_or_default(),
        period,
        controls,
        findings: outcome
            .findings
            .iter()
            .map(|f| FindingSummary {
                rule: f.rule.clone(),
                severity: f.severity.as_str().to_string(),
                message: crate::redact::visible_line(&f.message).into_owned(),
                location: crate::redact::visible_line(&f.location.display()).into_owned(),
            })
            .collect(),
        not_evaluated: outcome
            .not_evaluated
            .iter()
            .map(|n| n.to_string())
            .collect(),
        policy_overrides: r.overrides.clone(),
        requests: r.requests,
        elapsed_ms: 0,
        checked_at: unix_now(),
        declared: None,
    }
}

/// A repository with no verdict, and why.
fn not_verified_result(name: &str, reason: String, requests: u32) -> RepoResult {
    RepoResult {
        schema: RESULT_SCHEMA.into(),
        repository: crate::redact::visible_line(name).into_owned(),
        status: Status::NotVerified,
        reason: Some(reason),
        default_branch: None,
        head: None,
        archived: false,
        visibility: String::new(),
        branches: Vec::new(),
        period: None,
        controls: CONTROLS
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    ControlResult {
                        status: Status::NotVerified,
                        rules: Vec::new(),
                    },
                )
            })
            .collect(),
        findings: Vec::new(),
        not_evaluated: Vec::new(),
        policy_overrides: Vec::new(),
        requests,
        elapsed_ms: 0,
        checked_at: unix_now(),
        declared: None,
    }
}

/// The repositories' result files in `dir`.
pub fn result_files(dir: &Path) -> Result<Vec<PathBuf>, SourceDiag> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        SourceDiag::plain(
            "org/bad-results",
            format!("cannot read {}: {e}", dir.display()),
        )
    })?;
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && p.symlink_metadata().is_ok_and(|m| m.is_file())
        })
        .collect();
    out.sort();
    Ok(out)
}
