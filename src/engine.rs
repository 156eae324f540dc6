//! One run of the gate: config → catalogue → one walk with the file checks → repository checks →
//! suppressions → an outcome with an exit code. No printing here.

use crate::checks;
use crate::config::policy;
use crate::context::Context;
use crate::diag::SourceDiag;
use crate::finding::{self, Finding, Location, Severity};
use crate::github;
use crate::repo::changes::{self, DiffBase, DiffScope};
use crate::repo::evidence::{self, HistoryFacts, Skip};
use crate::repo::files::{self, FileCheck};
use crate::repo::history;
use crate::repo::reach::Reached;
pub use crate::status::{FailOpen, NotEvaluated, Verdict};
use crate::suppress;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub root: PathBuf,
    pub config: Option<PathBuf>,
    pub offline: bool,
    /// Overrides the config's `fail-on`.
    pub fail_on: Option<Severity>,
    /// `--diff`: report only what the change introduces relative to this base.
    pub diff: Option<DiffBase>,
    /// `--no-suppress`: show what inline allows and the baseline would hide.
    pub no_suppress: bool,
    /// `shipgate baseline` collects findings without applying the existing baseline.
    pub ignore_baseline: bool,
    /// Gate the whole repository that `root` lies in, from its top (as git finds it): what running from
    /// a subdirectory means. An explicitly named directory (`check examples/sample-service`, one package
    /// of a monorepo) is gated as the tree given.
    pub find_repository_root: bool,
    /// `check --remote`: `root` is a directory holding the files read through the API; the history and
    /// the repository come from here, not from git (see `remote.rs`).
    pub remote: Option<github::RemoteTarget>,
    /// The pull request this run checks (`--pull-request`, or the Actions event): where the approvals of
    /// a change to the gate's own policy are read.
    pub pull_request: Option<u64>,
    /// `--drift`: compare the tree's declared settings with the live ones (needs a token).
    pub drift: bool,
    /// Declared settings read elsewhere (`org run --declared`): judged instead of the tree's, and compared
    /// with the live settings the run reads anyway.
    pub declared: Option<crate::declared::DeclaredFacts>,
}

pub struct Outcome {
    pub ctx: Context,
    pub findings: Vec<Finding>,
    pub fail_on: Severity,
    pub elapsed: Duration,
    /// Checks that did not run, and why (offline, no token, ...): shown in the summary, never silent.
    pub not_evaluated: Vec<NotEvaluated>,
    pub suppressed: suppress::Suppressed,
    /// `--diff`: findings left out because the change did not introduce them (counted, not failed on).
    pub pre_existing: usize,
    /// The user's opt-outs from failing closed, printed with every summary so a weakened gate is visible.
    pub fail_open: Vec<FailOpen>,
    /// OpenSSF Scorecard's Branch-Protection score per deployment branch, computed once for the renderers.
    pub scorecards: Vec<(String, crate::github::scorecard::Score)>,
    /// Which root and which policy the run used, for the summary: `root /x; config shipgate.toml from commit abc1234`.
    pub policy: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Outcome {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }

    pub fn verdict(&self) -> Verdict {
        // An evaluation failure downgraded below error (`[github] fail-closed = false`, or a severity
        // override) is the user's explicit opt-out for that source: it no longer fails closed.
        if self
            .findings
            .iter()
            .any(|f| checks::gate::is_evaluation_failure(&f.rule) && f.severity == Severity::Error)
        {
            Verdict::Incomplete
        } else if self.findings.iter().any(|f| f.severity >= self.fail_on) {
            Verdict::Failed
        } else {
            Verdict::Passed
        }
    }
}

pub fn check(opts: &CheckOptions) -> Result<Outcome, SourceDiag> {
    let start = Instant::now();
    let asked = canonical_root(&opts.root)?;
    refuse_symlinked_git(&asked)?;
    let opened = history::open(&asked);
    // Run from a subdirectory, the repository is still the unit: its root's policy, owners and README
    // decide, whatever the working directory (as git finds its root).
    let root = match &opened {
        Ok(Some(repo)) if opts.find_repository_root => {
            work_tree_root(repo, &asked).unwrap_or(asked)
        }
        _ => asked,
    };
    let (repo, open_error) = match opened {
        Ok(repo) => (repo, None),
        Err(e) => (None, Some(e)),
    };
    let diff = match (&opts.diff, &open_error) {
        (None, _) => None,
        (Some(_), Some(e)) => {
            return Err(SourceDiag::plain(
                "gate/diff-base",
                format!(
                    "--diff: the git repository could not be opened: {}",
                    e.message()
                ),
            ))
        }
        (Some(request), None) => Some(changes::resolve(repo.as_ref(), &root, request)?),
    };

    // The policy: from the merge base in pre-merge mode (the change cannot weaken its own gate), else
    // from the working tree.
    let baseline_rel = suppress::baseline::DEFAULT_PATH;
    let head = policy::read(
        &root,
        opts.config.as_deref(),
        policy::Source::WorkTree,
        Some(baseline_rel),
    );
    let prefix = repo
        .as_ref()
        .and_then(|r| changes::workdir_prefix(r, &root))
        .unwrap_or_default();
    let merge_base = diff.as_ref().and_then(|d| d.merge_base);
    let (files, proposed) = match (merge_base, repo.as_ref()) {
        (Some(commit), Some(repo)) => {
            let source = policy::Source::Commit {
                repo,
                commit,
                prefix: &prefix,
            };
            let base = policy::read(&root, opts.config.as_deref(), source, Some(baseline_rel))?;
            (base, Some(head))
        }
        _ => (head?, None),
    };
    let catalogue = checks::catalogue(Some((&files.config, &files.packs)))?;
    let baseline = match &files.baseline {
        Some((shown, text)) => Some(suppress::baseline::parse(text, shown)?),
        None => None,
    };
    let proposed = proposed.map(|head| {
        head.map_err(|d| d.message).and_then(|h| {
            let cat = checks::catalogue(Some((&h.config, &h.packs))).map_err(|d| d.message)?;
            let baseline = h
                .baseline
                .as_ref()
                .and_then(|(shown, text)| suppress::baseline::parse(text, shown).ok());
            Ok((h, cat, baseline))
        })
    });
    let policy_from = files.from.clone();
    let config = files.config.clone();

    let history = match (&opts.remote, &repo, &open_error) {
        (Some(remote), _, _) => remote.history.clone(),
        (None, _, Some(e)) => git_unreadable(e),
        (None, repo, None) => evidence::gather(repo.as_ref(), &config, unix_now()),
    };
    drop(repo);

    // GitHub is asked on its own thread while the walk reads the tree.
    let github = match &opts.remote {
        Some(r) => github::Pending::start_for(
            r.repo.clone(),
            r.settings.clone(),
            r.deadline,
            &config,
            opts.offline,
            &history,
        ),
        None => github::Pending::start(&root, &config, opts.offline, &history),
    };
    let allows = suppress::inline::InlineAllows::default();
    let collector = crate::repo::collect::Collector::default();
    let declared_files = crate::declared::Collector::default();
    let stages = checks::registry::file_stages(&checks::registry::Setup {
        catalogue: &catalogue,
        config: &config,
    })?;
    let mut file_checks: Vec<&dyn FileCheck> =
        stages.iter().map(|s| s.stage.as_file_check()).collect();
    file_checks.extend([&collector as &dyn FileCheck, &declared_files, &allows]);
    // The walk also reads and gates what production reaches beyond its classes (vendored files,
    // files named as docs or dev tooling that production imports, link targets).
    let mut walked = files::walk(&root, &config, &file_checks);
    let vendored = std::mem::take(&mut walked.reached);

    let fail_on = opts.fail_on.unwrap_or(config.fail_on);
    let github = github.finish();
    let declared = declared_facts(opts, &root, &config, declared_files, &diff, &github);
    let ctx = Context {
        root,
        config,
        catalogue,
        files: walked.files,
        stats: walked.stats,
        nested_repos: walked.nested_repos,
        github,
        history,
        diff,
        repo: collector.into_repo_files(),
        declared,
    };
    let mut raw = walked.findings;
    checks::registry::run_after_walk(&ctx, &stages, &mut raw);
    // shipgate's own reports left untracked in the tree are not gated (never in `--remote`).
    let own_outputs = match &opts.remote {
        None => crate::repo::own_output::set_aside(&ctx.root, &mut raw),
        Some(_) => Vec::new(),
    };
    // Fingerprints are given over the complete set, before anything is hidden, so they cannot depend on it.
    finding::finalize(&mut raw);
    // Allows the change itself adds do not suppress in pre-merge mode: they are policy changes.
    let (held, directives): (Vec<_>, Vec<_>) =
        allows
            .into_directives()
            .into_iter()
            .partition(|d| match (&ctx.diff, &proposed) {
                (Some(scope), Some(_)) => scope.changes.introduces(&d.span),
                _ => false,
            });
    let policy_review = match &proposed {
        Some(head) => {
            // A baseline entry the change adds for a finding it did not introduce is existing debt.
            let hides = |fp: &str| match raw.iter().find(|f| f.fingerprint == fp) {
                None => suppress::policy::Hides::Nothing,
                Some(f) => match (&f.location, &ctx.diff) {
                    (Location::File(at), Some(scope)) if scope.changes.introduces(at) => {
                        suppress::policy::Hides::Introduced
                    }
                    _ => suppress::policy::Hides::Existing(Box::new(f.clone())),
                },
            };
            let review = suppress::policy::review(
                (&files, &ctx.catalogue),
                baseline.as_ref(),
                suppress::policy::Proposed {
                    files: head
                        .as_ref()
                        .map(|(h, cat, _)| (h, cat))
                        .map_err(Clone::clone),
                    baseline: head.as_ref().ok().and_then(|(_, _, b)| b.as_ref()),
                },
                &held,
                &hides,
            );
            suppress::policy::approve(&ctx, opts.pull_request, review)
        }
        None => suppress::policy::PolicyReview::default(),
    };
    let baseline = if opts.ignore_baseline || opts.no_suppress {
        None
    } else {
        baseline.map(|b| (b, baseline_rel.to_string()))
    };
    let inputs = suppress::Inputs {
        config: &ctx.config,
        catalogue: &ctx.catalogue,
        directives,
        held,
        baseline,
        enabled: !opts.no_suppress,
        unevaluated: suppress::Unevaluated::of(&ctx),
    };
    let (mut findings, mut suppressed) = suppress::apply(raw, inputs);
    suppressed.own_outputs = own_outputs;
    findings.extend(policy_review.findings);
    suppressed.accepted.extend(policy_review.accepted);
    finding::finalize(&mut findings);
    let pre_existing = match &ctx.diff {
        Some(scope) => keep_introduced(&mut findings, scope, &vendored),
        None => 0,
    };
    let mut findings = finding::group_repeats(findings);
    let mut not_evaluated = github::not_evaluated(&ctx.github, &ctx.config.github);
    not_evaluated.extend(checks::review_git::not_evaluated(&ctx));
    not_evaluated.extend(checks::gate::not_evaluated(&ctx));
    not_evaluated.extend(checks::declared::not_evaluated(&ctx));
    if let Some(remote) = &opts.remote {
        not_evaluated.extend(github::snapshot::not_evaluated(remote));
    }
    // The one place findings leave the engine: every format renders them from here, redacted.
    crate::redact::findings(&mut findings);
    suppress::accepted::redact(&mut suppressed.accepted);
    for ne in &mut not_evaluated {
        crate::redact::redact_in_place(&mut ne.why);
    }
    let fail_open = checks::gate::fail_open(&ctx.config);
    let policy = match &ctx.config.source {
        Some((p, _)) => format!(
            "root {}; config {} from {policy_from}",
            ctx.root.display(),
            p.display()
        ),
        None => format!(
            "root {}; no config file in {policy_from}, so the defaults",
            ctx.root.display()
        ),
    };
    let scorecards = checks::branch_protection::scorecards(&ctx);
    Ok(Outcome {
        scorecards,
        ctx,
        findings,
        fail_on,
        elapsed: start.elapsed(),
        not_evaluated,
        suppressed,
        pre_existing,
        fail_open,
        policy,
    })
}

/// Branch protection declared as code in the tree: read after the walk collected its files, with the
/// merge base's in pre-merge mode and the live settings with `--drift` (see `declared`).
fn declared_facts(
    opts: &CheckOptions,
    root: &Path,
    config: &Config,
    files: crate::declared::Collector,
    diff: &Option<DiffScope>,
    github: &github::GithubFacts,
) -> crate::declared::DeclaredFacts {
    if let Some(pre) = &opts.declared {
        return crate::declared::with_live(pre.clone(), github);
    }
    let settings = match &opts.remote {
        Some(r) => r.settings.clone(),
        None => github::Settings::from_env(),
    };
    let this_repo = github
        .facts()
        .map(|f| f.repo.clone())
        .or_else(|| github::remote::discover(root, settings.repository.as_deref()).map(|(r, _)| r));
    let drift = opts.drift.then(|| {
        if opts.offline {
            Err("--offline".to_string())
        } else {
            Ok(crate::declared::DriftRequest { settings })
        }
    });
    let merge_base = diff.as_ref().and_then(|d| d.merge_base);
    crate::declared::gather(
        root,
        config,
        files.into_files(),
        merge_base,
        this_repo,
        drift,
    )
}

/// A `.git` that is a symbolic link (at or above the checked directory, the one git would use) is
/// refused: it could point the gate at another repository's history and diff.
fn refuse_symlinked_git(asked: &Path) -> Result<(), SourceDiag> {
    let Some(dot_git) = asked
        .ancestors()
        .map(|d| d.join(".git"))
        .find(|p| p.symlink_metadata().is_ok())
    else {
        return Ok(());
    };
    if dot_git
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(SourceDiag::plain(
            "gate/bad-path",
            format!("`{}` is a symbolic link; shipgate refuses a repository whose .git points elsewhere", dot_git.display()),
        )
        .with_help("clone the repository normally (a `.git` directory, or the `.git` file of a worktree or submodule)"));
    }
    Ok(())
}

/// The work tree's root when `asked` is a directory below it; None when `asked` is the root itself or
/// the repository has no work tree.
fn work_tree_root(repo: &git2::Repository, asked: &Path) -> Option<PathBuf> {
    let workdir = repo.workdir().and_then(|w| w.canonicalize().ok())?;
    (workdir != asked && asked.starts_with(&workdir)).then_some(workdir)
}

/// `--diff`: drop the findings the change did not introduce and count them. What the gate could not
/// evaluate always stays; findings about history and settings predate any one change.
/// A file the change newly makes production reach (a vendored file or one named as docs that it
/// imports) is new production code: its findings count as introduced.
fn keep_introduced(findings: &mut Vec<Finding>, scope: &DiffScope, vendored: &[Reached]) -> usize {
    if scope.base.is_none() {
        return 0; // `--diff auto` outside a pull request: the whole tree was the scope
    }
    let newly_imported = |path: &str| {
        vendored
            .iter()
            .find(|v| v.path == path)
            .is_some_and(|v| v.imported_at.iter().any(|at| scope.changes.introduces(at)))
    };
    let before = findings.len();
    findings.retain(|f| {
        checks::gate::is_evaluation_failure(&f.rule)
            || f.rule == suppress::policy::POLICY_CHANGED
            || checks::declared::judged_by_outcome(&f.rule)
            || matches!(&f.location, Location::File(span)
                if scope.changes.introduces(span) || newly_imported(&span.path))
    });
    before - findings.len()
}

fn git_unreadable(e: &git2::Error) -> HistoryFacts {
    HistoryFacts {
        skipped: Some(Skip::Failed(e.message().to_string())),
        ..HistoryFacts::default()
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn canonical_root(path: &Path) -> Result<PathBuf, SourceDiag> {
    let meta = std::fs::metadata(path).map_err(|e| {
        SourceDiag::plain(
            "gate/bad-path",
            format!("cannot check `{}`: {e}", path.display()),
        )
    })?;
    if !meta.is_dir() {
        return Err(SourceDiag::plain(
            "gate/bad-path",
            format!("`{}` is not a directory", path.display()),
        )
        .with_help("pass the repository's root directory, e.g. `shipgate check .`"));
    }
    if path.join("HEAD").is_file()
        && path.join("objects").is_dir()
        && path.join("refs").is_dir()
        && !path.join(".git").exists()
    {
        return Err(SourceDiag::plain("gate/bad-path", format!("`{}` is a bare git repository: it has no files to check", path.display()))
            .with_help("run shipgate in a checkout (a clone with a work tree), e.g. `git clone <bare> work && shipgate check work`"));
    }
    path.canonicalize().map_err(|e| {
        SourceDiag::plain(
            "gate/bad-path",
            format!("cannot resolve `{}`: {e}", path.display()),
        )
    })
}
