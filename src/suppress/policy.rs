//! `gate/policy-changed`: in pre-merge mode the gate judges a change by the policy of the commit it
//! started from, and the change's own edits to that policy — a rule turned off or lowered, a new ignore
//! or test-path glob, a smaller `max-file-size`, a config file that shadows the old one, new baseline
//! entries, new inline allows — are findings themselves, so whoever owns the policy must approve them.
//! Strengthening the policy is not reported.

use super::baseline::Baseline;
use super::inline::Directive;
use crate::config::policy::PolicyFiles;
use crate::config::{Config, PathOverride, Since};
use crate::finding::{FileSpan, Finding, Location, Severity};
use crate::repo::classify::FileClass;
use crate::repo::text::LineIndex;
use crate::rules::Catalogue;
use std::collections::HashSet;

pub use crate::checks::suppression::POLICY_CHANGED;

/// The policy the change proposes (its working tree), as far as it could be read.
pub struct Proposed<'a> {
    pub files: Result<(&'a PolicyFiles, &'a Catalogue), String>,
    pub baseline: Option<&'a Baseline>,
}

/// The severity of `gate/policy-changed` under the policy that judges the change (None: turned off).
pub fn severity(judge: (&PolicyFiles, &Catalogue)) -> Option<Severity> {
    let (files, cat) = judge;
    cat.effective(POLICY_CHANGED, Severity::Error, &files.config)
}

/// Who accepted a policy change the change proposes, when someone did: such a change is kept as a note
/// naming them instead of failing the gate. Nobody yet — every weakening fails until the policy's
/// owners can approve it (issue 24 decides here: an approving review by the code owners of the policy
/// files, read from `scope.base_owners`).
pub fn accepted_by(_change: &Finding, _scope: &crate::repo::changes::DiffScope) -> Option<String> {
    None
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
    let (base_files, base_cat) = base;
    let mut out = Vec::new();
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
            if !known.contains(e.fingerprint.as_str()) {
                out.push(
                    Finding::new(
                        POLICY_CHANGED,
                        severity,
                        format!(
                            "the change adds a baseline entry hiding `{}` at {}",
                            e.rule, e.location
                        ),
                        Location::File(pos.in_file(super::baseline::DEFAULT_PATH)),
                    )
                    .with_evidence(e.fingerprint.clone())
                    .with_help(HELP),
                );
            }
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
    out
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
