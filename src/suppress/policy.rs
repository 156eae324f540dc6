//! `gate/policy-changed`: in pre-merge mode the gate judges a change by the policy of the commit it
//! started from, and the change's own edits to that policy — a rule turned off or lowered, a new ignore
//! or test-path glob, a smaller `max-file-size`, a config file that shadows the old one, new baseline
//! entries, new inline allows — are findings themselves, so whoever owns the policy must approve them.
//! Strengthening the policy is not reported.

use super::accepted::{AcceptedBy, Exception};
use super::baseline::Baseline;
use super::inline::Directive;
use crate::config::policy::PolicyFiles;
use crate::config::{Config, PathOverride, Since};
use crate::context::Context;
use crate::finding::{FileSpan, Finding, Location, Severity};
use crate::github::approvals::{self, Pull};
use crate::repo::classify::FileClass;
use crate::repo::codeowners::Codeowners;
use crate::repo::text::LineIndex;
use crate::rules::Catalogue;
use std::collections::HashSet;

pub use crate::checks::suppression::POLICY_CHANGED;

/// The policy the change proposes (its working tree), as far as it could be read.
pub struct Proposed<'a> {
    pub files: Result<(&'a PolicyFiles, &'a Catalogue), String>,
    pub baseline: Option<&'a Baseline>,
}

/// What a baseline entry the change adds would hide.
pub enum Hides {
    /// A finding that already fails at the change's base: existing debt, written down.
    Existing(Box<Finding>),
    /// A finding the change itself introduces.
    Introduced,
    /// Nothing this run found.
    Nothing,
    /// Not known to the caller (the pre-push hook judges no baseline).
    Unknown,
}

/// The change's policy edits: the weakenings (`gate/policy-changed` findings), and the baseline entries
/// that only write down existing debt (accepted, and listed as such).
#[derive(Debug, Default)]
pub struct PolicyReview {
    pub findings: Vec<Finding>,
    pub accepted: Vec<Exception>,
}

/// The severity of `gate/policy-changed` under the policy that judges the change (None: turned off).
pub fn severity(judge: (&PolicyFiles, &Catalogue)) -> Option<Severity> {
    let (files, cat) = judge;
    cat.effective(POLICY_CHANGED, Severity::Error, &files.config)
}

/// Every way `head` weakens `base` (the policy the change started from), plus one finding per inline
/// allow the change adds, at `severity` (the judging policy's, see [`severity`]).
pub fn weakenings(
    severity: Severity,
    base: (&PolicyFiles, &Catalogue),
    base_baseline: Option<&Baseline>,
    head: Proposed<'_>,
    new_allows: &[Directive],
) -> Vec<Finding> {
    review(severity, base, base_baseline, head, new_allows, &|_| {
        Hides::Unknown
    })
    .findings
}

/// `weakenings`, knowing what each new baseline entry would hide (`hides`, by fingerprint): an entry
/// for a finding that already fails at the base is existing debt, accepted and listed as such; one that
/// hides what the change introduces (or nothing yet) is a policy change. This is where the two-tree
/// evaluation plugs in: a counterpart at the base is `Hides::Existing`.
pub fn review(
    severity: Severity,
    base: (&PolicyFiles, &Catalogue),
    base_baseline: Option<&Baseline>,
    head: Proposed<'_>,
    new_allows: &[Directive],
    hides: &dyn Fn(&str) -> Hides,
) -> PolicyReview {
    let (base_files, base_cat) = base;
    let mut out = Vec::new();
    let mut accepted = Vec::new();
    match head.files {
        Err(why) => out.push(at_whole(
            severity,
            config_path(&base_files.config),
            format!(
                "the change's policy does not load ({why}); the gate used the policy of {}",
                base_files.from
            ),
        )),
        Ok((head_files, head_cat)) => {
            compare_config(
                &mut out, severity, base_files, base_cat, head_files, head_cat,
            );
        }
    }
    if let Some(head_baseline) = head.baseline {
        let known: HashSet<&str> = base_baseline
            .map(|b| {
                b.entries
                    .iter()
                    .map(|(e, _)| e.fingerprint.as_str())
                    .collect()
            })
            .unwrap_or_default();
        for (e, pos) in &head_baseline.entries {
            if known.contains(e.fingerprint.as_str()) {
                continue;
            }
            let what = match hides(&e.fingerprint) {
                Hides::Existing(finding) => {
                    accepted.push(Exception {
                        finding: *finding,
                        by: AcceptedBy::ExistingDebt {
                            file: super::baseline::DEFAULT_PATH.to_string(),
                            line: pos.line,
                        },
                    });
                    continue;
                }
                Hides::Introduced => ", a finding the change itself introduces",
                Hides::Nothing => {
                    ", a finding this run did not find (an entry waiting for a future finding)"
                }
                Hides::Unknown => "",
            };
            out.push(
                Finding::new(
                    POLICY_CHANGED,
                    severity,
                    format!(
                        "the change adds a baseline entry hiding `{}` at {}{what}",
                        e.rule, e.location
                    ),
                    Location::File(pos.in_file(super::baseline::DEFAULT_PATH)),
                )
                .with_evidence(e.fingerprint.clone())
                .with_help(HELP),
            );
        }
    }
    for d in new_allows {
        let ids: Vec<&str> = d.rules.iter().map(|(r, _)| r.as_str()).collect();
        out.push(
            Finding::new(
                POLICY_CHANGED,
                severity,
                format!(
                    "the change adds an inline allow for `{}`; it does not suppress anything until the policy's owners approve it",
                    ids.join(", ")
                ),
                Location::File(d.span.clone()),
            )
            .with_evidence(ids.join(","))
            .with_help(HELP),
        );
    }
    PolicyReview {
        findings: out,
        accepted,
    }
}

const HELP: &str =
    "a change may not weaken the gate that judges it: have the policy's code owners approve \
                    this change, or fix the finding it hides instead";

fn config_path(c: &Config) -> String {
    c.source.as_ref().map_or_else(
        || "shipgate.toml".to_string(),
        |(p, _)| p.to_string_lossy().replace('\\', "/"),
    )
}

fn at_whole(severity: Severity, path: String, message: String) -> Finding {
    Finding::new(
        POLICY_CHANGED,
        severity,
        message,
        Location::File(FileSpan {
            path,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            span: (0, 0),
        }),
    )
    .with_help(HELP)
}

/// A finding on the line of `head`'s config that mentions `needle` (the whole file when not found).
fn at_setting(severity: Severity, head: &Config, needle: &str, message: String) -> Finding {
    let path = config_path(head);
    let span = head.source.as_ref().and_then(|(_, text)| {
        let start = text.find(needle)?;
        Some(LineIndex::new(text.as_bytes()).span(&path, start, start + needle.len()))
    });
    match span {
        Some(span) => Finding::new(POLICY_CHANGED, severity, message, Location::File(span))
            .with_evidence(needle.to_string())
            .with_help(HELP),
        None => at_whole(severity, path, message).with_evidence(needle.to_string()),
    }
}

fn class_name(o: PathOverride) -> &'static str {
    match o {
        PathOverride::Ignore => "ignore",
        PathOverride::Class(FileClass::Test) => "test",
        PathOverride::Class(FileClass::Fixture) => "fixture",
        PathOverride::Class(FileClass::Docs) => "docs",
        PathOverride::Class(FileClass::Config) => "config",
        PathOverride::Class(_) => "production",
    }
}

fn compare_config(
    out: &mut Vec<Finding>,
    sev: Severity,
    base_files: &PolicyFiles,
    base_cat: &Catalogue,
    head_files: &PolicyFiles,
    head_cat: &Catalogue,
) {
    let (base, head) = (&base_files.config, &head_files.config);
    let mut weaker =
        |needle: &str, message: String| out.push(at_setting(sev, head, needle, message));

    match (&base.source, &head.source) {
        (Some((b, _)), Some((h, _))) if b != h => weaker(
            "",
            format!(
                "the change adds {} which takes the place of {}",
                h.display(),
                b.display()
            ),
        ),
        (Some((b, _)), None) => weaker(
            "",
            format!(
                "the change removes {}: its settings would go back to the defaults",
                b.display()
            ),
        ),
        _ => {}
    }
    if head.fail_on > base.fail_on {
        weaker(
            "fail-on",
            format!("`fail-on` raised from {} to {}", base.fail_on, head.fail_on),
        );
    }
    // Every rule the base knows: off or lower in the change is weaker.
    for doc in &base_cat.docs {
        let Some(was) = base_cat.effective(&doc.id, doc.severity, base) else {
            continue;
        };
        let now = match head_cat.get(&doc.id) {
            Some(h) => head_cat.effective(&doc.id, h.severity, head),
            None => {
                weaker(
                    &doc.id,
                    format!(
                        "rule `{}` ({}) is removed by the change",
                        doc.id, doc.origin
                    ),
                );
                continue;
            }
        };
        match now {
            None => weaker(&doc.id, format!("rule `{}` turned off", doc.id)),
            Some(now) if now < was => weaker(
                &doc.id,
                format!("rule `{}` lowered from {was} to {now}", doc.id),
            ),
            Some(_) => {}
        }
        if let Some(h) = head_cat.get(&doc.id) {
            if h.pattern != doc.pattern || h.applies_to != doc.applies_to {
                weaker(
                    &doc.id,
                    format!(
                        "rule `{}` has its pattern or scope changed ({})",
                        doc.id, h.origin
                    ),
                );
            }
        }
    }
    let (base_globs, head_globs) = (&base.paths.globs, &head.paths.globs);
    for g in &head.paths.globs {
        if g.0 != PathOverride::Class(FileClass::Code) && !base_globs.contains(g) {
            weaker(
                &format!("\"{}\"", g.1),
                format!(
                    "new `[paths] {}` glob `{}` takes files out of the production scan",
                    class_name(g.0),
                    g.1
                ),
            );
        }
    }
    for g in &base.paths.globs {
        if g.0 == PathOverride::Class(FileClass::Code) && !head_globs.contains(g) {
            weaker(
                "production",
                format!("`[paths] production` glob `{}` removed", g.1),
            );
        }
    }
    if head.repository.kind != base.repository.kind
        && head.repository.kind == crate::config::RepositoryKind::TestSupport
    {
        weaker(
            "kind",
            "the change declares the repository test support (`[repository] kind`): its test-data, leak and switch findings would be notes".to_string(),
        );
    }
    if head.max_file_size < base.max_file_size {
        weaker(
            "max-file-size",
            format!(
                "`[scan] max-file-size` lowered from {} to {} bytes: larger files would not be read",
                base.max_file_size, head.max_file_size
            ),
        );
    }
    let flags = [
        (
            "[scan] fail-closed",
            base.scan_fail_closed,
            head.scan_fail_closed,
            true,
        ),
        (
            "[history] fail-closed",
            base.history.fail_closed,
            head.history.fail_closed,
            true,
        ),
        (
            "[github] fail-closed",
            base.github.fail_closed,
            head.github.fail_closed,
            true,
        ),
        (
            "[history] require",
            base.history.require,
            head.history.require,
            true,
        ),
        (
            "[github] require",
            base.github.require,
            head.github.require,
            true,
        ),
        (
            "[history] allow-shallow",
            base.history.allow_shallow,
            head.history.allow_shallow,
            false,
        ),
        (
            "[hook] allow-direct-push",
            base.hook.allow_direct_push,
            head.hook.allow_direct_push,
            false,
        ),
        // Turning declared settings off stops judging a config repository's protection.
        (
            "[declared] enabled",
            base.declared.enabled != Some(false),
            head.declared.enabled != Some(false),
            true,
        ),
    ];
    for (name, was, now, strict) in flags {
        if was == strict && now != strict {
            let key = name.rsplit(' ').next().unwrap_or(name);
            weaker(key, format!("`{name}` changed from {was} to {now}"));
        }
    }
    for b in &base.deploy_branches {
        if !head.deploy_branches.contains(b) {
            weaker(
                "deploy",
                format!("deployment branch `{b}` removed from `[branches] deploy`"),
            );
        }
    }
    for a in &head.history.exempt_authors {
        if !base.history.exempt_authors.contains(a) {
            weaker(a, format!("`[history] exempt-authors` gains `{a}`"));
        }
    }
    // Fewer commits, or a later cutoff, examine less history.
    let fewer = match (base.history.commit_limit(), head.history.commit_limit()) {
        (None, Some(_)) => true,
        (Some(b), Some(h)) => h < b,
        _ => false,
    };
    let later = match (base.history.since, head.history.since) {
        (None, Some(_)) => true,
        (Some(Since::SecondsAgo(b)), Some(Since::SecondsAgo(h))) => h < b,
        (Some(Since::Date(b)), Some(Since::Date(h))) => h > b,
        (Some(b), Some(h)) => b != h,
        _ => false,
    };
    if fewer || later {
        weaker(
            if fewer { "max-commits" } else { "since" },
            "`[history]` examines less of the deployment branches' history".to_string(),
        );
    }
    github_weakenings(&base.github, &head.github, &mut weaker);
}

/// `[github]` requirements the change relaxes, field by field (a stricter value is not reported).
fn github_weakenings(
    base: &crate::config::GithubConfig,
    head: &crate::config::GithubConfig,
    weaker: &mut impl FnMut(&str, String),
) {
    use crate::config::{BotPrs, CodeOwnerReview, StatusChecks};
    let (b, h) = (&base.branch, &head.branch);
    let flags = [
        ("pull-request", b.pull_request, h.pull_request),
        (
            "dismiss-stale-reviews",
            b.dismiss_stale_reviews,
            h.dismiss_stale_reviews,
        ),
        (
            "last-push-approval",
            b.last_push_approval,
            h.last_push_approval,
        ),
        (
            "block-force-pushes",
            b.block_force_pushes,
            h.block_force_pushes,
        ),
        ("block-deletions", b.block_deletions, h.block_deletions),
        ("no-bypass", b.no_bypass, h.no_bypass),
        (
            "required-reviewers",
            base.environments.required_reviewers,
            head.environments.required_reviewers,
        ),
        (
            "prevent-self-review",
            base.environments.prevent_self_review,
            head.environments.prevent_self_review,
        ),
        (
            "restrict-branches",
            base.environments.restrict_branches,
            head.environments.restrict_branches,
        ),
        (
            "allow-admin-bypass",
            !base.environments.allow_admin_bypass,
            !head.environments.allow_admin_bypass,
        ),
    ];
    for (key, was, now) in flags {
        if was && !now {
            weaker(key, format!("`[github]` requirement `{key}` relaxed"));
        }
    }
    if h.approvals < b.approvals {
        weaker(
            "approvals",
            format!(
                "required approvals lowered from {} to {}",
                b.approvals, h.approvals
            ),
        );
    }
    let owner_rank = |c: CodeOwnerReview| match c {
        CodeOwnerReview::Never => 0,
        CodeOwnerReview::Auto => 1,
        CodeOwnerReview::Always => 2,
    };
    if owner_rank(h.code_owner_review) < owner_rank(b.code_owner_review) {
        weaker("code-owner-review", "code-owner review relaxed".to_string());
    }
    let checks_weaker = match (&b.status_checks, &h.status_checks) {
        (StatusChecks::Off, _) => false,
        (_, StatusChecks::Off) => true,
        (StatusChecks::Named(was), StatusChecks::Named(now)) => {
            was.iter().any(|c| !now.contains(c))
        }
        (StatusChecks::Named(_), StatusChecks::Any) => true,
        _ => false,
    };
    if checks_weaker {
        weaker(
            "status-checks",
            "required status checks relaxed".to_string(),
        );
    }
    for a in &h.allowed_bypass {
        if !b.allowed_bypass.contains(a) {
            weaker(
                &a.actor_type,
                format!("new allowed bypass actor `{}`", a.actor_type),
            );
        }
    }
    for (name, _) in &head.environments.exempt {
        if !base.environments.exempt.iter().any(|(n, _)| n == name) {
            weaker(name, format!("environment `{name}` exempted"));
        }
    }
    if head.reviews.commits < base.reviews.commits {
        weaker(
            "commits",
            format!(
                "review evidence window lowered from {} to {} commits",
                base.reviews.commits, head.reviews.commits
            ),
        );
    }
    if base.reviews.bot_prs == BotPrs::Review && head.reviews.bot_prs == BotPrs::Exempt {
        weaker(
            "bot-prs",
            "bot pull requests exempted from review".to_string(),
        );
    }
}

/// What decides whether a `gate/policy-changed` finding is accepted by the code owners of its file.
pub struct Approval<'a> {
    /// The base branch's CODEOWNERS: GitHub reads the base's, so a change cannot name its own owners.
    pub codeowners: Option<&'a Codeowners>,
    /// The scanned root's place in the repository (`""` or `sub/dir/`): CODEOWNERS paths are the
    /// repository's.
    pub prefix: &'a str,
    /// Whether the base branch's protection requires code-owner review (GitHub then enforces the
    /// owners' approval before any merge), with the branch's name; None when not known.
    pub enforced: Option<(&'a str, bool)>,
    /// The pull request and what GitHub said of its reviewers, or why that could not be read.
    pub pull: Result<(&'a Pull, &'a approvals::Facts), String>,
    /// The commits this run checked that may be the pull request's head: HEAD, and HEAD's second
    /// parent when HEAD is the merge commit GitHub builds for a pull request.
    pub heads: &'a [String],
}

/// Which policy changes their code owners accepted, and how (said in the exception); the others stay
/// findings and say why no approval accepted them. A change is accepted when the base branch's
/// protection requires code-owner review and the base CODEOWNERS gives its file an owner (GitHub
/// enforces the approval), or when a code owner of its file approved the pull request's head commit,
/// and that head is the commit this run checked.
pub fn accepted(findings: Vec<Finding>, a: &Approval<'_>) -> (Vec<Finding>, Vec<Exception>) {
    let mut kept = Vec::new();
    let mut approved = Vec::new();
    for mut f in findings {
        let path = match &f.location {
            Location::File(span) if f.rule == POLICY_CHANGED => span.path.clone(),
            _ => {
                kept.push(f);
                continue;
            }
        };
        match decide(&path, a) {
            Ok(how) => approved.push(Exception {
                finding: f,
                by: AcceptedBy::Approved(how),
            }),
            Err(why) => {
                f.message.push_str(&format!(" — not approved: {why}"));
                kept.push(f);
            }
        }
    }
    (kept, approved)
}

fn decide(path: &str, a: &Approval<'_>) -> Result<String, String> {
    let Some(codeowners) = a.codeowners else {
        return Err(format!(
            "the base branch has no CODEOWNERS, so `{path}` has no code owner to approve it"
        ));
    };
    let full = format!("{}{path}", a.prefix);
    let owners = match codeowners.owners_of(&full) {
        Some(o) if !o.is_empty() => o,
        _ => {
            return Err(format!(
                "no code owner of `{path}` in the base branch's {}",
                codeowners.path
            ))
        }
    };
    let rule_line = codeowners
        .decisive_rule(&full)
        .and_then(|i| codeowners.rules.get(i))
        .map_or(0, |r| r.line);
    let named = owners.join(" ");
    if let Some((branch, true)) = a.enforced {
        return Ok(format!(
            "GitHub enforces it: branch protection on `{branch}` requires code-owner review, and the base branch's `{}:{rule_line}` makes {named} owners of `{path}`",
            codeowners.path
        ));
    }
    let (pull, facts) = a.pull.as_ref().map_err(|why| {
        format!("the approvals of {named} (code owners of `{path}`) could not be read: {why}")
    })?;
    let short = |s: &str| s.chars().take(7).collect::<String>();
    if !a.heads.contains(&pull.head) {
        return Err(format!(
            "pull request #{}'s head is {}, not the commit this run checked ({}): re-run on the head",
            pull.number,
            short(&pull.head),
            a.heads.first().map_or_else(|| "none".to_string(), |h| short(h))
        ));
    }
    for login in pull.approvers_of_head() {
        for owner in owners {
            let Some(name) = owner.strip_prefix('@') else {
                continue; // an e-mail owner: GitHub maps it to an account we cannot see here
            };
            let via = if name.contains('/') {
                (facts.member(name, login) == Some(true)).then(|| format!(" (member of {owner})"))
            } else {
                name.eq_ignore_ascii_case(login).then(String::new)
            };
            if let Some(via) = via {
                return Ok(format!(
                    "approved by @{login}{via}, a code owner of `{path}` (base branch's `{}:{rule_line}`), on pull request #{}'s head commit {}",
                    codeowners.path,
                    pull.number,
                    short(&pull.head)
                ));
            }
        }
    }
    Err(format!(
        "no code owner of `{path}` ({named}) has approved pull request #{}'s head commit {}",
        pull.number,
        short(&pull.head)
    ))
}

/// `gate/policy-changed` findings accepted by their code owners, with the GitHub facts read for it (only
/// when there is such a finding: a run without one asks nothing). `pull` is the pull request number
/// (`--pull-request`, or the Actions event).
pub fn approve(ctx: &Context, pull: Option<u64>, review: PolicyReview) -> PolicyReview {
    if !review.findings.iter().any(|f| f.rule == POLICY_CHANGED) {
        return review;
    }
    let repo = crate::repo::history::open(&ctx.root).ok().flatten();
    let prefix = repo
        .as_ref()
        .and_then(|r| crate::repo::changes::workdir_prefix(r, &ctx.root))
        .unwrap_or_default();
    let codeowners = repo.as_ref().and_then(|r| base_codeowners(r, ctx));
    let heads = repo.as_ref().map(head_candidates).unwrap_or_default();
    let facts = ctx.github.facts();
    let gathered = match (facts, pull) {
        (None, _) => Err(
            "GitHub was not asked in this run (offline, or no token); approvals are read from the API"
                .to_string(),
        ),
        (Some(_), None) => Err(
            "no pull request to read them from (in GitHub Actions the pull_request event names it; elsewhere pass --pull-request N)"
                .to_string(),
        ),
        (Some(f), Some(n)) => {
            let teams = team_owners(codeowners.as_ref(), &prefix, &review.findings);
            let request = approvals::Request {
                repo: f.repo.clone(),
                pull: n,
                teams,
            };
            Ok(approvals::gather(&crate::github::Settings::from_env(), &request))
        }
    };
    let pull_facts = match &gathered {
        Err(why) => Err(why.clone()),
        Ok(facts) => match &facts.pull {
            Some(Ok(p)) => Ok((p, facts)),
            Some(Err(why)) => Err(why.clone()),
            None => Err("not asked".to_string()),
        },
    };
    // The branch the pull request merges into: GitHub's answer, else the `--diff` base's name.
    let base_branch = match &pull_facts {
        Ok((p, _)) => Some(p.base.clone()),
        Err(_) => ctx
            .diff
            .as_ref()
            .and_then(|d| d.base.as_deref())
            .map(|b| b.rsplit_once('/').map_or(b, |(_, n)| n).to_string()),
    };
    let enforced = match (facts, &base_branch) {
        (Some(f), Some(b)) => {
            approvals::code_owner_review_required(f, b).map(|on| (b.as_str(), on))
        }
        _ => None,
    };
    let approval = Approval {
        codeowners: codeowners.as_ref(),
        prefix: &prefix,
        enforced,
        pull: pull_facts,
        heads: &heads,
    };
    let (findings, approved) = accepted(review.findings, &approval);
    let mut out = PolicyReview {
        findings,
        accepted: review.accepted,
    };
    out.accepted.extend(approved);
    out
}

/// The base branch's CODEOWNERS, as GitHub reads it (the first of its three places): the `--diff` base's
/// tip, else the merge base.
fn base_codeowners(repo: &git2::Repository, ctx: &Context) -> Option<Codeowners> {
    let scope = ctx.diff.as_ref()?;
    let commit = scope
        .base
        .as_deref()
        .and_then(|b| repo.revparse_single(b).ok())
        .and_then(|o| o.peel_to_commit().ok())
        .map(|c| c.id())
        .or(scope.merge_base)?;
    let workdir = repo.workdir()?;
    let source = crate::config::policy::Source::Commit {
        repo,
        commit,
        prefix: "",
    };
    crate::repo::codeowners::LOCATIONS.iter().find_map(|loc| {
        let bytes = crate::config::policy::read_file(workdir, source, loc, "CODEOWNERS")
            .ok()
            .flatten()?;
        Some(Codeowners::parse(loc, &String::from_utf8_lossy(&bytes)))
    })
}

/// HEAD, and its second parent when HEAD is a merge (GitHub checks out `refs/pull/N/merge`).
fn head_candidates(repo: &git2::Repository) -> Vec<String> {
    let Some(head) = repo.head().ok().and_then(|h| h.peel_to_commit().ok()) else {
        return Vec::new();
    };
    let mut out = vec![head.id().to_string()];
    if head.parent_count() == 2 {
        if let Ok(p) = head.parent_id(1) {
            out.push(p.to_string());
        }
    }
    out
}

/// Teams (`org`, `slug`) that own a file some policy change touches.
fn team_owners(
    codeowners: Option<&Codeowners>,
    prefix: &str,
    findings: &[Finding],
) -> Vec<(String, String)> {
    let Some(c) = codeowners else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for f in findings {
        let Location::File(span) = &f.location else {
            continue;
        };
        for owner in c
            .owners_of(&format!("{prefix}{}", span.path))
            .unwrap_or(&[])
        {
            if let Some((org, slug)) = owner.strip_prefix('@').and_then(|o| o.split_once('/')) {
                let team = (org.to_string(), slug.to_string());
                if !out.contains(&team) {
                    out.push(team);
                }
            }
        }
    }
    out
}
