//! Review evidence from GitHub (rule family `review/`; its other source is `review_git`): every commit that reached a deployment branch came through a
//! pull request that a human other than its author approved, on the head that was merged.

use crate::context::Context;
use crate::finding::{Finding, Location, Severity};
use crate::github::reviews::{self, CommitEvidence, ReviewVerdict};
use crate::rules::rule;
use crate::rules::CodeRule;
use std::collections::{HashMap, HashSet};

pub const UNREVIEWED: &str = "review/unreviewed-commit";
pub const STALE: &str = "review/stale-approval";
pub const BOT_ONLY: &str = "review/bot-approval-only";
pub const UNVERIFIED: &str = "review/unverified";

const WHY: &str = "After test data reached the Police National Database through a coding issue, the regulator \
    recommended that code reviews take place before deployment. Settings say what should happen; this checks \
    what did happen to the commits that reached a deployment branch.";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: UNREVIEWED,
        fires_in: "github::review_evidence_reports_unreviewed_bot_approved_and_stale_commits",
        title: "A commit reached a deployment branch without an approving review",
        severity: Severity::Error,
        why: WHY,
        fix: "Require pull requests with approvals on the branch (see branch/ findings) so it cannot happen \
              again; have the change reviewed after the fact and record it in the baseline with the reviewer.",
        example: "commit 1a2b3c4 (\"hotfix\") by Dev One <dev1@corp.example> reached `main` without a merged pull request",
    },
    CodeRule {
        id: STALE,
        fires_in: "github::review_evidence_reports_unreviewed_bot_approved_and_stale_commits",
        title: "The approval was for an earlier version of the pull request",
        severity: Severity::Error,
        why: "An approval given before later commits were pushed says nothing about what was merged: the code \
              deployed is not the code reviewed. The regulator asked for review before deployment, of what is \
              deployed.",
        fix: "Enable \"Dismiss stale pull request approvals\" and \"Require approval of the most recent push\" on \
              the branch, so the merged head is always the approved one.",
        example: "PR #42 was approved by alice on 9f8e7d6, not on the merged head 1a2b3c4",
    },
    CodeRule {
        id: BOT_ONLY,
        fires_in: "github::review_evidence_reports_unreviewed_bot_approved_and_stale_commits",
        title: "Only bots approved the pull request",
        severity: Severity::Error,
        why: "An automated approval is not a code review by a person; review before deployment means a human \
              looked at the change.",
        fix: "Require a human approval (code owners, or a ruleset with required reviewers); do not let an \
              approving bot satisfy the review requirement.",
        example: "PR #42 was approved only by bots (auto-approve[bot])",
    },
    CodeRule {
        id: UNVERIFIED,
        fires_in: "github::graphql_errors_partial_data_forbidden_and_rate_limits_fail_closed",
        title: "Review evidence for a commit could not be read",
        severity: Severity::Error,
        why: "A commit whose review cannot be checked might not have been reviewed; a deployment gate must not \
              pass on unknowns.",
        fix: "Give the token Pull requests: read and Contents: read; make sure the commits were pushed to GitHub \
              before the gate runs.",
        example: "commit 1a2b3c4 on `main`: GitHub does not know this commit (422 No commit found for SHA); was it pushed?",
    },
];

pub fn run(ctx: &Context) -> Vec<Finding> {
    let Some(facts) = ctx.github.facts() else {
        return Vec::new();
    };
    let bot_prs = ctx.config.github.reviews.bot_prs;
    // A commit on several deployment branches is one finding naming each (judged where first seen: the
    // default branch comes first).
    let mut reached: HashMap<&str, Vec<&str>> = HashMap::new();
    for b in &facts.reviews {
        for ev in &b.commits {
            reached.entry(&ev.commit.sha).or_default().push(&b.branch);
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for b in &facts.reviews {
        for ev in &b.commits {
            if !seen.insert(&ev.commit.sha) {
                continue;
            }
            let names = reached
                .get(ev.commit.sha.as_str())
                .map_or(&[][..], Vec::as_slice);
            let verdict = reviews::judge(ev, bot_prs);
            if let Some(f) = finding(ev, &b.branch, names, &facts.html_url, verdict) {
                out.push(f);
            }
        }
    }
    out
}

/// `` `main` `` or `` `main` (also on `release/1.0`) ``.
fn reached_text(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [first, rest @ ..] => format!(
            "`{first}` (also on {})",
            rest.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A commit id as git abbreviates it (API strings are not trusted to be ASCII, so no byte slicing).
fn abbrev(sha: &str) -> String {
    sha.chars().take(7).collect()
}

fn finding(
    ev: &CommitEvidence,
    branch: &str,
    names: &[&str],
    html_url: &str,
    verdict: ReviewVerdict,
) -> Option<Finding> {
    let c = &ev.commit;
    let reached = reached_text(names);
    let short = abbrev(&c.sha);
    let commit = format!("commit {short} (\"{}\") by {}", c.summary, c.author);
    let pr = ev.pr.as_ref();
    let via = pr.map_or(String::new(), |p| {
        format!(" via PR #{} ({})", p.number, p.html_url)
    });
    let author = pr
        .and_then(|p| p.user.as_ref())
        .map_or(String::new(), |u| format!(", opened by {}", u.login));
    let (rule, message) = match verdict {
        ReviewVerdict::Reviewed | ReviewVerdict::ExemptBot | ReviewVerdict::Unavailable => return None,
        ReviewVerdict::NoPullRequest => (
            rule!(UNREVIEWED),
            format!("{commit} reached {reached} without a merged pull request (pushed directly?)"),
        ),
        ReviewVerdict::NoApproval { dismissed } => (
            rule!(UNREVIEWED),
            format!(
                "{commit} reached {reached}{via}{author} with no approving review{}",
                if dismissed > 0 {
                    format!(" ({dismissed} approval{} dismissed)", if dismissed == 1 { " was" } else { "s were" })
                } else {
                    String::new()
                }
            ),
        ),
        ReviewVerdict::Stale { approvers, approved } => (
            rule!(STALE),
            format!(
                "{commit} reached {reached}{via}{author}: approved by {} on {}, not on the merged head {}",
                approvers.join(", "),
                abbrev(&approved),
                pr.map_or(String::new(), |p| abbrev(&p.head.sha))
            ),
        ),
        ReviewVerdict::BotOnly { bots } => (
            rule!(BOT_ONLY),
            format!(
                "{commit} reached {reached}{via}{author}: approved only by bots ({})",
                bots.join(", ")
            ),
        ),
        ReviewVerdict::Unknown(why) => (rule!(UNVERIFIED), format!("{commit} on {reached}: {why}")),
    };
    let url = pr.map_or_else(
        || format!("{html_url}/commit/{}", c.sha),
        |p| p.html_url.clone(),
    );
    Some(
        rule.finding(
            message,
            Location::Setting {
                scope: format!("github:branch {branch}"),
                name: format!("commit {short}"),
                url: Some(url),
            },
        )
        .with_evidence(c.sha.clone())
        .with_help(rule.fix),
    )
}
