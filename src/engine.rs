//! One run of the gate: config → catalogue → one walk with the file checks → repository checks →
//! suppressions → an outcome with an exit code. No printing here.

mod base;
mod outcome;

use crate::checks;
use crate::config::policy::{self, PolicyFiles};
use crate::config::Config;
use crate::context::Context;
use crate::diag::SourceDiag;
use crate::finding::{self, Finding, Severity};
use crate::github;
use crate::repo::changes::{self, DiffBase, DiffScope};
use crate::repo::evidence::{self, HistoryFacts, Skip};
use crate::repo::files::{self, FileCheck, WalkStats};
use crate::repo::history;
pub use crate::status::{FailOpen, NotEvaluated, Verdict};
use crate::suppress;
use base::{BaseTree, Shared, Twin};
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
    /// The policy, given rather than read from the tree: an audit's (`check --remote`, `org run`), where
    /// the audited repository's own files must not decide its verdict.
    pub policy: Option<PolicyFiles>,
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
    /// `--diff`: those findings themselves (the head tree's, as visible at the base), so a report can
    /// say what the whole tree would be judged as, next to what the change is judged as.
    pub pre_existing_findings: Vec<Finding>,
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

    let prefix = repo
        .as_ref()
        .and_then(|r| changes::workdir_prefix(r, &root))
        .unwrap_or_default();
    let commits = diff
        .as_ref()
        .and_then(|d| Some((d.base_tip?, d.merge_base?)));
    let (files, proposed) = read_policy(opts, &root, repo.as_ref(), &prefix, commits)?;
    let baseline_rel = suppress::baseline::DEFAULT_PATH;
    let catalogue = checks::catalogue(Some((&files.config, &files.packs)))?;
    let baseline = match &files.baseline {
        Some((shown, text)) => Some(suppress::baseline::parse(text, shown)?),
        None => None,
    };
    let policy_from = match diff.as_ref().and_then(|d| d.base.as_deref()) {
        Some(base) if proposed.is_some() => format!("{} (the tip of {base})", files.from),
        _ => files.from.clone(),
    };
    let config = files.config.clone();

    let history = match (&opts.remote, &repo, &open_error) {
        (Some(remote), _, _) => remote.history.clone(),
        (None, _, Some(e)) => git_unreadable(e),
        (None, repo, None) => evidence::gather(repo.as_ref(), &config, unix_now()),
    };

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
    let setup = checks::registry::Setup {
        catalogue: &catalogue,
        config: &config,
    };
    let stages = checks::registry::file_stages(&setup)?;
    let rest = [&collector as &dyn FileCheck, &allows];
    let mut file_checks: Vec<&dyn FileCheck> =
        stages.iter().map(|s| s.stage.as_file_check()).collect();
    file_checks.extend(rest);
    file_checks.push(&declared_files);

    // Pre-merge: the merge base is evaluated too, with its own instances of the same checks. The walk
    // gives them every file both trees share; the files the change touched are read from git after it.
    let against = match (&diff, &repo, commits) {
        (Some(scope), Some(repo), Some((_, fork))) => {
            let tree = BaseTree::read(repo, fork, &prefix).map_err(|e| {
                SourceDiag::plain(
                    "gate/base-tree",
                    format!(
                        "--diff: cannot list the merge base's files: {}",
                        e.message()
                    ),
                )
            })?;
            Some((repo, scope, fork, tree))
        }
        _ => None,
    };
    let shared = against
        .as_ref()
        .map(|(_, scope, _, tree)| Shared::new(tree, &scope.changes));
    let base_allows = suppress::inline::InlineAllows::default();
    let base_collector = crate::repo::collect::Collector::default();
    let base_stages = match &shared {
        Some(_) => checks::registry::file_stages(&setup)?,
        None => Vec::new(),
    };
    let base_rest = [&base_collector as &dyn FileCheck, &base_allows];
    let mut base_checks: Vec<&dyn FileCheck> = base_stages
        .iter()
        .map(|s| s.stage.as_file_check())
        .collect();
    base_checks.extend(base_rest);

    // The walk also reads and gates what production reaches beyond its classes (vendored files, files
    // named as docs or dev tooling that production imports, link targets): the head's reach only; the
    // base's is followed from the base's own references (`base::evaluate`).
    let head_rest = [&collector as &dyn FileCheck, &allows, &declared_files];
    let (walked, base_found) = match &shared {
        Some(shared) => {
            let twin = Twin::new((&stages, &head_rest), (&base_stages, &base_rest), shared);
            let walked = files::walk(&root, &config, &[&twin]);
            (walked, twin.into_base_findings())
        }
        None => (files::walk(&root, &config, &file_checks), Vec::new()),
    };

    let fail_on = opts.fail_on.unwrap_or(config.fail_on);
    let github = github.finish();
    let declared = declared_facts(opts, &root, &config, declared_files, &diff, &github);
    let mut ctx = Context {
        root,
        config,
        catalogue,
        files: walked.files,
        stats: walked.stats,
        nested_repos: walked.nested_repos,
        github,
        history,
        diff: None,
        repo: collector.into_repo_files(),
        declared,
    };
    let mut raw = walked.findings;
    checks::registry::run_tree_checks(&ctx, &stages, &mut raw);
    // shipgate's own reports left untracked in the tree are not gated (never in `--remote`).
    let own_outputs = match &opts.remote {
        None => crate::repo::own_output::set_aside(&ctx.root, &mut raw),
        Some(_) => Vec::new(),
    };
    // Fingerprints are given over the complete set, before anything is hidden, so they cannot depend on it.
    finding::finalize(&mut raw);
    let baseline_input = if opts.ignore_baseline || opts.no_suppress {
        None
    } else {
        baseline.map(|b| (b, baseline_rel.to_string()))
    };

    let (mut findings, mut suppressed, pre_existing, held) = match (&against, &shared) {
        (Some((repo, scope, fork, tree)), Some(shared)) => {
            let reader = base::Reader {
                repo,
                tree,
                root: &ctx.root,
                shared,
                commit: *fork,
            };
            let base_catalogue = checks::catalogue(Some((&files.config, &files.packs)))?;
            let (base_ctx, base_raw) = base::evaluate(
                base::Inputs {
                    reader: &reader,
                    config: &ctx.config,
                    head_files: &ctx.files,
                    stages: &base_stages,
                    checks: &base_checks,
                    found: base_found,
                },
                |files| Context {
                    root: ctx.root.clone(),
                    config: ctx.config.clone(),
                    catalogue: base_catalogue,
                    files,
                    stats: WalkStats::default(),
                    nested_repos: ctx.nested_repos.clone(),
                    github: ctx.github.clone(),
                    history: ctx.history.clone(),
                    diff: None,
                    repo: base_collector.take(),
                    // The declared settings' own comparison with the base is `declared/weakened`.
                    declared: ctx.declared.clone(),
                },
            )?;
            let judged = outcome::judge(
                &outcome::Judge {
                    config: &ctx.config,
                    catalogue: &ctx.catalogue,
                    baseline: baseline_input,
                    enabled: !opts.no_suppress,
                    unevaluated: suppress::Unevaluated::of(&ctx),
                    changes: &scope.changes,
                    reader: &reader,
                    base_claims: checks::prototype::claims(&base_ctx),
                },
                outcome::Evaluated {
                    findings: raw,
                    directives: allows.into_directives(),
                },
                outcome::Evaluated {
                    findings: base_raw,
                    directives: base_allows.into_directives(),
                },
            );
            (
                judged.introduced,
                judged.suppressed,
                judged.pre_existing,
                judged.held,
            )
        }
        _ => {
            let inputs = suppress::Inputs {
                config: &ctx.config,
                catalogue: &ctx.catalogue,
                directives: allows.into_directives(),
                held: Vec::new(),
                baseline: baseline_input,
                enabled: !opts.no_suppress,
                unevaluated: suppress::Unevaluated::of(&ctx),
                cover: None,
            };
            let (mut findings, suppressed) = suppress::apply(raw, inputs);
            let more = checks::registry::run_finding_checks(&ctx, &findings);
            findings.extend(suppress::overrides(more, &ctx.config, &ctx.catalogue));
            (findings, suppressed, Vec::new(), Vec::new())
        }
    };
    suppressed.own_outputs = own_outputs;
    drop(shared);
    drop(against);
    ctx.diff = diff;
    if ctx.diff.as_ref().is_some_and(|d| d.base.is_some()) {
        // What the change itself proposes for the policy, and the checks that judge its findings.
        let more = checks::registry::run_finding_checks(&ctx, &findings);
        findings.extend(suppress::overrides(more, &ctx.config, &ctx.catalogue));
        let review = policy_changes(
            &files,
            &ctx.catalogue,
            proposed.as_ref(),
            &held,
            (&findings, &pre_existing),
        );
        let review = suppress::policy::approve(&ctx, opts.pull_request, review);
        findings.extend(review.findings);
        suppressed.accepted.extend(review.accepted);
    }
    finding::finalize(&mut findings);
    let mut findings = finding::group_repeats(findings);
    let mut pre_existing = pre_existing;
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
    crate::redact::findings(&mut pre_existing);
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
        pre_existing: pre_existing.len(),
        pre_existing_findings: pre_existing,
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

/// What the change proposes for the policy (its work tree's, as far as it loads) and the policy it
/// started from (the merge base's, when it differs from the judging one and loads).
type ProposedPolicy = (Result<Loaded, String>, Option<Loaded>);

/// The policy that judges the run, and in pre-merge mode what the change proposes. Pre-merge: the base
/// branch tip's (the change cannot weaken its own gate, and a branch forked before the base tightened
/// its policy is judged by the tighter one). An audit: the auditor's, given. Else the work tree's.
fn read_policy(
    opts: &CheckOptions,
    root: &Path,
    repo: Option<&git2::Repository>,
    prefix: &str,
    commits: Option<(git2::Oid, git2::Oid)>,
) -> Result<(PolicyFiles, Option<ProposedPolicy>), SourceDiag> {
    let baseline_rel = Some(suppress::baseline::DEFAULT_PATH);
    let explicit = opts.config.as_deref();
    if let Some(given) = &opts.policy {
        return Ok((given.clone(), None));
    }
    let head = policy::read(root, explicit, policy::Source::WorkTree, baseline_rel);
    let (Some((tip, fork)), Some(repo)) = (commits, repo) else {
        return Ok((head?, None));
    };
    let at = |commit| {
        let source = policy::Source::Commit {
            repo,
            commit,
            prefix,
        };
        policy::read(root, explicit, source, baseline_rel)
    };
    let judge = at(tip)?;
    // What the change proposes is compared with the policy it started from.
    let started = if fork == tip { None } else { at(fork).ok() };
    let loaded = |p: PolicyFiles| -> Result<Loaded, String> {
        let cat = checks::catalogue(Some((&p.config, &p.packs))).map_err(|d| d.message)?;
        let baseline = p
            .baseline
            .as_ref()
            .and_then(|(shown, text)| suppress::baseline::parse(text, shown).ok());
        Ok((p, cat, baseline))
    };
    let head = head.map_err(|d| d.message).and_then(loaded);
    Ok((judge, Some((head, started.and_then(|s| loaded(s).ok())))))
}

/// A policy as loaded for comparison: its files, catalogue and baseline.
type Loaded = (
    PolicyFiles,
    crate::rules::Catalogue,
    Option<suppress::baseline::Baseline>,
);

/// `gate/policy-changed`: every way the change's own policy weakens the one it started from (the merge
/// base's, else the judging one), and each inline allow it adds. A baseline entry the change adds for a
/// finding the base already had (`found`: what the change introduces, and what was there before) is
/// existing debt, written down; approvals are read afterwards (`suppress::policy::approve`).
fn policy_changes(
    judge: &PolicyFiles,
    catalogue: &crate::rules::Catalogue,
    proposed: Option<&ProposedPolicy>,
    held: &[suppress::inline::Directive],
    found: (&[Finding], &[Finding]),
) -> suppress::policy::PolicyReview {
    let Some((head, started)) = proposed else {
        return suppress::policy::PolicyReview::default();
    };
    let Some(severity) = suppress::policy::severity((judge, catalogue)) else {
        return suppress::policy::PolicyReview::default();
    };
    let judge_baseline = judge
        .baseline
        .as_ref()
        .and_then(|(shown, text)| suppress::baseline::parse(text, shown).ok());
    let (base, base_baseline) = match started {
        Some((p, c, b)) => ((p, c), b.as_ref()),
        None => ((judge, catalogue), judge_baseline.as_ref()),
    };
    let (introduced, pre_existing) = found;
    let hides = |fp: &str| {
        if let Some(f) = pre_existing.iter().find(|f| f.fingerprint == fp) {
            suppress::policy::Hides::Existing(Box::new(f.clone()))
        } else if introduced.iter().any(|f| f.fingerprint == fp) {
            suppress::policy::Hides::Introduced
        } else {
            suppress::policy::Hides::Nothing
        }
    };
    suppress::policy::review(
        severity,
        base,
        base_baseline,
        suppress::policy::Proposed {
            files: head
                .as_ref()
                .map(|(h, cat, _)| (h, cat))
                .map_err(Clone::clone),
            baseline: head.as_ref().ok().and_then(|(_, _, b)| b.as_ref()),
        },
        held,
        &hides,
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
