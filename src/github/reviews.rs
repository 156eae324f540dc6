//! Review evidence: for each commit that reached a deployment branch, the pull request that merged it and
//! whether a human other than its author approved the head that was merged.

use super::client::Fetched;
use crate::config::BotPrs;
use crate::repo::evidence::{HistoryFacts, Skip};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A commit on the deployment branch, from the shared first-parent walk (`repo::history`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCommit {
    pub sha: String,
    pub summary: String,
    pub author: String,
}

/// What Actions says about the checkout: on a push, `GITHUB_SHA` is the new tip of `GITHUB_REF`.
#[derive(Debug, Clone, Default)]
pub struct CiRef {
    pub git_ref: Option<String>,
    pub sha: Option<String>,
}

/// The commits of one branch that GitHub is asked about.
#[derive(Debug, Clone)]
pub struct History {
    /// The commits in the window that need review evidence (root commit, exempt authors and sync merges
    /// are left out, exactly as offline), newest first.
    pub commits: Vec<LocalCommit>,
    /// First-parent commits in the window, exempt ones included.
    pub examined: usize,
    /// e.g. `refs/remotes/origin/main`.
    pub from: String,
}

/// The review questions for GitHub, from the ONE walk every check shares (`repo::evidence::gather`):
/// for each walked deployment branch, the newest `limit` first-parent commits of its window, minus the
/// ones no evidence source asks about (`Arrival::exempt_from_review`). Branches the walk did not read
/// (not a repository, shallow clone, unreadable git) get the reason instead.
pub fn from_walk(history: &HistoryFacts, limit: u32) -> Vec<(String, Result<History, String>)> {
    let skipped = history.skipped.as_ref().map(|_| not_walked(history));
    history
        .branches
        .iter()
        .map(|b| {
            let result = match &skipped {
                Some(why) => Err(why.clone()),
                None => {
                    let window = &b.commits[..b.commits.len().min(limit as usize)];
                    Ok(History {
                        examined: window.len(),
                        commits: window
                            .iter()
                            .filter(|c| !c.arrival.exempt_from_review())
                            .map(|c| LocalCommit {
                                sha: c.commit.id.to_string(),
                                summary: c.commit.subject.chars().take(72).collect(),
                                author: c.commit.author.to_string(),
                            })
                            .collect(),
                        from: b.branch.refname.clone(),
                    })
                }
            };
            (b.branch.name.clone(), result)
        })
        .collect()
}

/// Why a branch GitHub names has no walked history.
pub fn not_walked(history: &HistoryFacts) -> String {
    match &history.skipped {
        Some(Skip::NotARepository) => "not a git repository".to_string(),
        Some(Skip::Shallow) => "shallow clone: the commits that reached the branch are missing (actions/checkout with `fetch-depth: 0`)".to_string(),
        Some(Skip::Failed(why)) => format!("git could not be read: {why}"),
        Some(Skip::NoDeployBranch) | None => "the branch is not in the local clone (in Actions: actions/checkout with `fetch-depth: 0`)".to_string(),
    }
}

// ---- API shapes ----------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Actor {
    pub login: String,
    #[serde(default, rename = "type")]
    pub kind: String,
}

impl Actor {
    /// GitHub Apps act as `type: Bot` users named `…[bot]`.
    pub fn is_bot(&self) -> bool {
        self.kind == "Bot" || self.login.ends_with("[bot]")
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct GitRef {
    #[serde(default)]
    pub sha: String,
    #[serde(default, rename = "ref")]
    pub name: String,
}

/// An item of `GET /repos/{o}/{r}/commits/{sha}/pulls`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub user: Option<Actor>,
    pub head: GitRef,
    pub base: GitRef,
    #[serde(default)]
    pub merged_at: Option<String>,
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
}

/// An item of `GET /repos/{o}/{r}/pulls/{n}/reviews` (oldest first).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Review {
    #[serde(default)]
    pub user: Option<Actor>,
    pub state: String,
    #[serde(default)]
    pub commit_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CommitEvidence {
    pub commit: LocalCommit,
    pub pulls: Fetched<Vec<PullRequest>>,
    /// The pull request that merged the commit into the branch.
    pub pr: Option<PullRequest>,
    pub reviews: Option<Fetched<Vec<Review>>>,
}

#[derive(Debug, Clone)]
pub struct BranchReviews {
    pub branch: String,
    pub history: Result<History, String>,
    pub commits: Vec<CommitEvidence>,
}

/// The merged pull request into `branch` whose merge produced `sha` (merge or squash), else any merged
/// pull request into `branch` containing it (rebase merges).
pub fn pick<'a>(pulls: &'a [PullRequest], sha: &str, branch: &str) -> Option<&'a PullRequest> {
    let merged_here = |p: &&PullRequest| p.merged_at.is_some() && p.base.name == branch;
    pulls
        .iter()
        .filter(merged_here)
        .find(|p| p.merge_commit_sha.as_deref() == Some(sha))
        .or_else(|| pulls.iter().find(merged_here))
}

/// What GitHub's review evidence says about one commit (the run's own verdict is `status::Verdict`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewVerdict {
    Reviewed,
    /// A bot's pull request, and the config exempts those.
    ExemptBot,
    NoPullRequest,
    NoApproval {
        dismissed: usize,
    },
    /// Humans approved, but only earlier heads: what was merged is not what they saw.
    Stale {
        approvers: Vec<String>,
        approved: String,
    },
    BotOnly {
        bots: Vec<String>,
    },
    /// GitHub could not tell us (commit not pushed, permission missing).
    Unknown(String),
    /// An API failure, reported by the gate itself.
    Unavailable,
}

pub fn judge(ev: &CommitEvidence, bot_prs: BotPrs) -> ReviewVerdict {
    match &ev.pulls {
        Fetched::Unavailable(_) => return ReviewVerdict::Unavailable,
        Fetched::Refused(s) if s.code == 404 || s.code == 422 => {
            return ReviewVerdict::Unknown(format!(
                "GitHub does not know this commit ({s}); was it pushed?"
            ))
        }
        Fetched::Refused(s) => {
            return ReviewVerdict::Unknown(format!(
                "its pull requests could not be read ({s}); the token needs Pull requests: read and Contents: read"
            ))
        }
        Fetched::Ok(_) => {}
    }
    let Some(pr) = &ev.pr else {
        return ReviewVerdict::NoPullRequest;
    };
    let author = pr.user.as_ref();
    if bot_prs == BotPrs::Exempt && author.is_some_and(Actor::is_bot) {
        return ReviewVerdict::ExemptBot;
    }
    let reviews = match &ev.reviews {
        Some(Fetched::Ok(r)) => r,
        Some(Fetched::Refused(s)) => {
            return ReviewVerdict::Unknown(format!(
            "the reviews of PR #{} could not be read ({s}); the token needs Pull requests: read",
            pr.number
        ))
        }
        Some(Fetched::Unavailable(_)) | None => return ReviewVerdict::Unavailable,
    };
    // Each reviewer's latest decisive review counts, as on GitHub: a later "changes requested" or a
    // dismissal cancels an approval; comments change nothing.
    let mut latest: BTreeMap<&str, (&Actor, &Review)> = BTreeMap::new();
    for r in reviews {
        let Some(user) = &r.user else { continue };
        if author.is_some_and(|a| a.login == user.login) {
            continue;
        }
        if matches!(
            r.state.as_str(),
            "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
        ) {
            latest.insert(&user.login, (user, r));
        }
    }
    let approvals: Vec<(&Actor, &Review)> = latest
        .values()
        .filter(|(_, r)| r.state == "APPROVED")
        .copied()
        .collect();
    let humans: Vec<&(&Actor, &Review)> = approvals.iter().filter(|(a, _)| !a.is_bot()).collect();
    if humans
        .iter()
        .any(|(_, r)| r.commit_id.as_deref() == Some(pr.head.sha.as_str()))
    {
        return ReviewVerdict::Reviewed;
    }
    if let Some((_, r)) = humans.first() {
        return ReviewVerdict::Stale {
            approvers: humans.iter().map(|(a, _)| a.login.clone()).collect(),
            approved: r.commit_id.clone().unwrap_or_default(),
        };
    }
    if !approvals.is_empty() {
        return ReviewVerdict::BotOnly {
            bots: approvals.iter().map(|(a, _)| a.login.clone()).collect(),
        };
    }
    ReviewVerdict::NoApproval {
        dismissed: latest
            .values()
            .filter(|(_, r)| r.state == "DISMISSED")
            .count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(author: &str, kind: &str) -> PullRequest {
        PullRequest {
            number: 7,
            html_url: "https://github.com/o/r/pull/7".into(),
            user: Some(Actor {
                login: author.into(),
                kind: kind.into(),
            }),
            head: GitRef {
                sha: "head".into(),
                name: "feature".into(),
            },
            base: GitRef {
                sha: String::new(),
                name: "main".into(),
            },
            merged_at: Some("2024-01-01T00:00:00Z".into()),
            merge_commit_sha: Some("m".into()),
        }
    }

    fn review(login: &str, kind: &str, state: &str, commit: &str) -> Review {
        Review {
            user: Some(Actor {
                login: login.into(),
                kind: kind.into(),
            }),
            state: state.into(),
            commit_id: Some(commit.into()),
        }
    }

    fn judge_with(pr: PullRequest, reviews: Vec<Review>, bots: BotPrs) -> ReviewVerdict {
        let ev = CommitEvidence {
            commit: LocalCommit {
                sha: "m".into(),
                summary: String::new(),
                author: String::new(),
            },
            pulls: Fetched::Ok(vec![pr.clone()]),
            pr: Some(pr),
            reviews: Some(Fetched::Ok(reviews)),
        };
        judge(&ev, bots)
    }

    #[test]
    fn approval_on_the_merged_head_by_a_human_other_than_the_author() {
        let v = |reviews| judge_with(pr("dev1", "User"), reviews, BotPrs::Review);
        assert_eq!(
            v(vec![review("dev2", "User", "APPROVED", "head")]),
            ReviewVerdict::Reviewed
        );
        assert!(matches!(
            v(vec![review("dev2", "User", "APPROVED", "old")]),
            ReviewVerdict::Stale { .. }
        ));
        assert!(matches!(
            v(vec![review("renovate[bot]", "Bot", "APPROVED", "head")]),
            ReviewVerdict::BotOnly { .. }
        ));
        assert_eq!(
            v(vec![
                review("dev2", "User", "APPROVED", "head"),
                review("dev2", "User", "CHANGES_REQUESTED", "head")
            ]),
            ReviewVerdict::NoApproval { dismissed: 0 }
        );
        assert_eq!(
            v(vec![
                review("dev2", "User", "APPROVED", "head"),
                review("dev2", "User", "COMMENTED", "head")
            ]),
            ReviewVerdict::Reviewed
        );
        assert_eq!(
            v(vec![review("dev1", "User", "APPROVED", "head")]),
            ReviewVerdict::NoApproval { dismissed: 0 }
        );
        let bot_pr = pr("dependabot[bot]", "Bot");
        assert_eq!(
            judge_with(bot_pr.clone(), vec![], BotPrs::Exempt),
            ReviewVerdict::ExemptBot
        );
        assert_eq!(
            judge_with(bot_pr, vec![], BotPrs::Review),
            ReviewVerdict::NoApproval { dismissed: 0 }
        );
    }

    #[test]
    fn picks_the_pull_request_that_merged_the_commit() {
        let mut open = pr("a", "User");
        open.merged_at = None;
        open.number = 1;
        let mut other_base = pr("a", "User");
        other_base.base.name = "develop".into();
        other_base.number = 2;
        let merged = pr("a", "User");
        let pulls = vec![open, other_base, merged];
        assert_eq!(pick(&pulls, "m", "main").map(|p| p.number), Some(7));
        assert_eq!(pick(&pulls, "m", "release"), None);
    }
}
