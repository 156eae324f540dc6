//! Review evidence from git (rule family `review/`; its other source is `review_github`): commits that reached a branch that
//! deploys without arriving through a reviewed change. Reads only `ctx.history` (see repo/evidence.rs),
//! so a better source of evidence can replace git's without touching these rules.

use crate::context::Context;
use crate::finding::{Finding, Location, Severity};
use crate::repo::evidence::{Arrival, BranchEvidence, CommitArrival, Skip};
use crate::repo::history;
use crate::rules::rule;
use crate::rules::CodeRule;
use crate::status::NotEvaluated;
use git2::Oid;
use std::collections::{HashMap, HashSet};

pub const DIRECT_PUSH: &str = "review/direct-push";
pub const SELF_MERGED: &str = "review/self-merged";
pub const INCONCLUSIVE: &str = "review/history-inconclusive";

/// A branch whose window holds at least this many commits needing review, this share of them
/// (percent) with no sign of a pull request, looks like a rebase-merging project to git alone.
const INCONCLUSIVE_MIN: usize = 10;
const INCONCLUSIVE_PERCENT: usize = 80;

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: DIRECT_PUSH,
        fires_in: "history::direct_pushes_and_self_merges_are_found_and_reviewed_arrivals_are_not",
        title: "Commit pushed straight to a deployment branch",
        severity: Severity::Error,
        why: "A commit that lands on a branch that deploys without a merge of a reviewed change is code that \
              reached a live system unseen. That is how test data got into a national police intelligence \
              database and stayed unnoticed for months; the regulator asked for deployment branches to be \
              protected and for code review to happen before deployment. shipgate reads the branch's \
              first-parent history: a commit that is not a merge, has no `(#N)` pull-request suffix, and no \
              Reviewed-by/Approved-by trailer naming someone else (or Reviewed-on link) was pushed directly.",
        fix: "Protect the branch so changes arrive only through reviewed pull requests (GitHub: branch \
              protection or a ruleset requiring a pull request with an approval), and install the local \
              guard: `shipgate hook install`. Commits already pushed cannot be un-pushed: review them after \
              the fact, then accept them with `shipgate baseline`, or start the window at the day \
              protection was switched on with `[history] since = \"YYYY-MM-DD\"`. Bots whose direct \
              commits are expected go in `[history] exempt-authors`.",
        example: "direct push to main: 3f2a9c1 \"hotfix: skip validation\" by Dev One, \
                  2024-05-02",
    },
    CodeRule {
        id: SELF_MERGED,
        fires_in: "history::direct_pushes_and_self_merges_are_found_and_reviewed_arrivals_are_not",
        title: "Merge of one's own commits with no other reviewer",
        severity: Severity::Error,
        why: "A merge commit looks like review, but when the person who merged also wrote every commit it \
              brought in, and no trailer names another reviewer, nobody else looked at the change before it \
              went to a deployment branch. The regulator's recommendation after test data reached a live \
              police system was that code reviews take place before deployment — a self-merge is not one. \
              Reported only where git shows it: merges made on a hosting service record the service as \
              committer and are judged by its own records instead.",
        fix: "Have someone else review and merge (require an approving review from another person in branch \
              protection; GitHub's \"require approval of the most recent push\" closes the same gap), or \
              record the review with a `Reviewed-by: Name <email>` trailer on the merge commit.",
        example: "self-merged into main: 8d01b2e \"Merge branch 'fix-export'\" — Dev One merged 3 commits \
                  they wrote themselves",
    },
    CodeRule {
        id: INCONCLUSIVE,
        fires_in: "history::a_rebase_merging_history_is_one_inconclusive_warning_not_an_error_per_commit",
        title: "Git alone cannot tell how this branch's commits arrived",
        severity: Severity::Warning,
        why: "Review before deployment is what the regulator asked for after test data reached a live police \
              system; shipgate checks it from what the history records. A project that rebase-merges its \
              pull requests leaves a linear history with no merge commits and no `(#N)` suffixes: in git, \
              those commits look exactly like direct pushes. Reporting each as an error would fail healthy \
              projects; passing them silently could hide real direct pushes. So the offline evidence says \
              it is inconclusive, once per branch, and points to the check that can know.",
        fix: "Run shipgate with a GitHub token (GITHUB_TOKEN in Actions): `review/unreviewed-commit` then \
              checks each commit's pull request and approval. Or make review visible in git: squash- or \
              merge-commit pull requests, or `Reviewed-by:` trailers.",
        example: "main: 194 of 200 commits in the window arrived with no merge commit, no (#N) suffix and no \
                  review trailer — offline evidence is inconclusive",
    },
];

/// One finding per commit, located on the first branch (default branch first) that contains it and naming
/// every deployment branch it reached. Direct pushes on a branch whose history cannot be told from
/// rebase merges are summed up in one `review/history-inconclusive` warning instead.
pub fn run(ctx: &Context) -> Vec<Finding> {
    if github_reviews_decide(ctx) {
        return Vec::new();
    }
    let mut reached: HashMap<Oid, Vec<&str>> = HashMap::new();
    for branch in &ctx.history.branches {
        for c in &branch.commits {
            reached
                .entry(c.commit.id)
                .or_default()
                .push(&branch.branch.name);
        }
    }
    let mut out = Vec::new();
    let mut inconclusive: HashSet<&str> = HashSet::new();
    for branch in &ctx.history.branches {
        if let Some(f) = inconclusive_branch(branch) {
            inconclusive.insert(&branch.branch.name);
            out.push(f);
        }
    }
    let mut seen = HashSet::new();
    for branch in &ctx.history.branches {
        for c in &branch.commits {
            if !seen.insert(c.commit.id) {
                continue;
            }
            let names = reached.get(&c.commit.id).map_or(&[][..], Vec::as_slice);
            match &c.arrival {
                Arrival::DirectPush if !names.iter().any(|n| inconclusive.contains(n)) => {
                    out.push(direct_push(branch, c, names));
                }
                Arrival::SelfMerged { merged } => out.push(self_merged(branch, c, *merged, names)),
                _ => {}
            }
        }
    }
    out
}

/// A branch whose commits needing review are mostly (and many) without any sign of a pull request: git
/// cannot tell a rebase-merging project from direct pushes.
fn inconclusive_branch(branch: &BranchEvidence) -> Option<Finding> {
    let needing: Vec<&CommitArrival> = branch
        .commits
        .iter()
        .filter(|c| !c.arrival.exempt_from_review())
        .collect();
    let direct = needing
        .iter()
        .filter(|c| c.arrival == Arrival::DirectPush)
        .count();
    if direct < INCONCLUSIVE_MIN || direct * 100 < needing.len() * INCONCLUSIVE_PERCENT {
        return None;
    }
    let name = &branch.branch.name;
    Some(
        rule!(INCONCLUSIVE).finding(format!(
                "{name}: {direct} of {} commits in the window arrived with no merge commit, no (#N) \
                 pull-request suffix and no review trailer — in git, rebase-merged pull requests and direct \
                 pushes look the same, so offline evidence is inconclusive; run with a GitHub token for \
                 review/unreviewed-commit, which checks each commit's pull request and approval",
                needing.len()
            ),
            Location::Setting {
                scope: format!("git:branch {name}"),
                name: "review history".into(),
                url: None,
            },
        )
        .with_help(
            "set GITHUB_TOKEN (in Actions: the default token, with `pull-requests: read`) so GitHub's record \
             decides; or make review visible in git (squash or merge commits, Reviewed-by trailers)",
        ),
    )
}

/// `main` or `main (also on release/1.0, release/1.1)`.
fn reached_text(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, rest @ ..] => format!("{first} (also on {})", rest.join(", ")),
    }
}

fn location(branch: &BranchEvidence, c: &CommitArrival) -> Location {
    Location::Setting {
        scope: format!("git:branch {}", branch.branch.name),
        name: format!("commit {}", c.commit.short()),
        url: None,
    }
}

fn direct_push(branch: &BranchEvidence, c: &CommitArrival, names: &[&str]) -> Finding {
    let f = &c.commit;
    rule!(DIRECT_PUSH).finding(format!(
            "direct push to {}: {} \"{}\" by {}, {} — not a merge, no (#N) pull-request suffix, no review trailer",
            reached_text(names),
            f.short(),
            f.subject,
            f.author,
            history::date(f.time)
        ),
        location(branch, c),
    )
    .with_evidence(f.id.to_string())
    .with_help(
        "changes to a deployment branch should arrive through a reviewed pull request: protect the branch, \
         and run `shipgate hook install` to stop direct pushes locally",
    )
}

fn self_merged(
    branch: &BranchEvidence,
    c: &CommitArrival,
    merged: usize,
    names: &[&str],
) -> Finding {
    let f = &c.commit;
    rule!(SELF_MERGED).finding(format!(
            "self-merged into {}: {} \"{}\", {} — {} merged {merged} commit{} they wrote themselves, and no \
             Reviewed-by/Approved-by trailer names anyone else",
            reached_text(names),
            f.short(),
            f.subject,
            history::date(f.time),
            f.committer,
            if merged == 1 { "" } else { "s" },
        ),
        location(branch, c),
    )
    .with_evidence(f.id.to_string())
    .with_help("have another person review and merge; require an approving review in branch protection")
}

/// The review history checks that did not run, and why — shown in the summary, never silent, and read by
/// the evidence report (a control without its evidence is NOT VERIFIED, never PASS). When the skip also
/// fails the gate, `gate::history` reports the finding.
pub fn not_evaluated(ctx: &Context) -> Vec<NotEvaluated> {
    let h = &ctx.config.history;
    let skipped = |why: String| NotEvaluated {
        families: vec!["review"],
        what: "review history of deployment branches (review/direct-push, review/self-merged)"
            .into(),
        why,
    };
    let mut out = Vec::new();
    match &ctx.history.skipped {
        None => {}
        Some(Skip::NotARepository) => out.push(skipped("not a git repository".into())),
        Some(Skip::NoDeployBranch) => out.push(skipped(format!(
            "no branch matches {} — set `[branches] deploy` in shipgate.toml",
            quoted(&ctx.history.patterns)
        ))),
        Some(Skip::Shallow) if h.allow_shallow => out.push(skipped(
            "shallow clone, accepted by `[history] allow-shallow = true`".into(),
        )),
        Some(Skip::Shallow) => out.push(skipped(
            "shallow clone (the gate fails closed: see gate/shallow-clone)".into(),
        )),
        Some(Skip::Failed(why)) => out.push(skipped(format!("git could not be read: {why}"))),
    }
    for (name, last) in &ctx.history.stale {
        out.push(NotEvaluated {
            families: vec!["review"],
            what: format!("deployment branch `{name}`"),
            why: format!(
                "stale: its last commit ({}) is older than the history window",
                history::date(*last)
            ),
        });
    }
    for p in &ctx.history.unmatched {
        out.push(NotEvaluated {
            families: vec!["review"],
            what: format!("deployment branch pattern `{p}` in `[branches] deploy`"),
            why: "matches no branch".into(),
        });
    }
    out
}

fn quoted(patterns: &[String]) -> String {
    if patterns.is_empty() {
        return "(no patterns)".to_string();
    }
    patterns
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// When GitHub was asked and review evidence is on (`[github.reviews] commits > 0`), pull requests and their
/// approvals say more than git's record can (a GitHub merge shows GitHub as committer), so the
/// `review/unreviewed-commit` family decides and these git-only rules stand aside.
pub fn github_reviews_decide(ctx: &Context) -> bool {
    ctx.github.facts().is_some() && ctx.config.github.reviews.commits > 0
}
