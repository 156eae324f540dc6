//! The facts for approving a change to the gate's own policy (`gate/policy-changed`): which pull request
//! this run checks, its head commit, who approved that head, and whether an approver belongs to a team
//! that owns the changed policy files. Gathered only when a run has policy changes to judge, so a run
//! without any costs no request. Nothing here decides: `suppress::policy::accepted` does.
//!
//! The pull request comes from the Actions event payload (`GITHUB_EVENT_PATH`) or `--pull-request N`.
//! Reviews come from REST `GET /repos/{o}/{r}/pulls/{n}/reviews` (every page): a reviewer's latest
//! approving-or-not review counts, and only on the head commit. Team membership from REST
//! `GET /orgs/{org}/teams/{team}/memberships/{login}` (a 404 is "not a member or not visible": never a
//! yes).

use super::client::{Client, Fetched, RetryPolicy};
use super::{RepoId, Settings};
use serde::Deserialize;
use std::path::Path;

/// Event payloads larger than this are not read (GitHub's are far smaller).
const MAX_EVENT_BYTES: u64 = 16 * 1024 * 1024;
/// Team memberships asked at most (teams owning the changed files × approvers): beyond that, unknown.
const MAX_MEMBERSHIP_QUESTIONS: usize = 20;

/// The pull request number of a `pull_request`-like Actions event, from its payload.
pub fn pull_from_event(event_name: Option<&str>, event_path: Option<&Path>) -> Option<u64> {
    if !matches!(
        event_name?,
        "pull_request" | "pull_request_target" | "pull_request_review"
    ) {
        return None;
    }
    let path = event_path?;
    if std::fs::metadata(path).ok()?.len() > MAX_EVENT_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["pull_request"]["number"]
        .as_u64()
        .or_else(|| v["number"].as_u64())
}

/// What to ask about.
#[derive(Debug, Clone)]
pub struct Request {
    pub repo: RepoId,
    pub pull: u64,
    /// Teams (`org`, `slug`) owning the changed policy files, in the base branch's CODEOWNERS.
    pub teams: Vec<(String, String)>,
}

/// One reviewer's standing on the pull request: their latest review that approved, asked for changes
/// or was dismissed, and the commit it was given on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub login: String,
    pub state: String,
    pub commit: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    pub number: u64,
    pub head: String,
    pub base: String,
    pub author: String,
    pub reviews: Vec<Review>,
}

impl Pull {
    /// Reviewers whose latest review approves the head commit (never the author).
    pub fn approvers_of_head(&self) -> Vec<&str> {
        self.reviews
            .iter()
            .filter(|r| {
                r.state == "APPROVED"
                    && r.commit == self.head
                    && !r.login.eq_ignore_ascii_case(&self.author)
            })
            .map(|r| r.login.as_str())
            .collect()
    }
}

/// The answers.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The pull request and its reviews, or why they could not be read.
    pub pull: Option<Result<Pull, String>>,
    /// (`org/team`, login) → a member (Some(true)), not one (Some(false) is never given: GitHub's 404
    /// cannot tell "not a member" from "not visible"), or unknown (None).
    pub members: Vec<(String, String, Option<bool>)>,
    pub requests: u32,
}

impl Facts {
    /// Is `login` a member of `team` (`org/slug`), as far as the API said?
    pub fn member(&self, team: &str, login: &str) -> Option<bool> {
        self.members
            .iter()
            .find(|(t, l, _)| t.eq_ignore_ascii_case(team) && l.eq_ignore_ascii_case(login))
            .and_then(|(_, _, m)| *m)
    }
}

#[derive(Deserialize)]
struct RestPull {
    number: u64,
    head: RestRef,
    base: RestRef,
    user: Option<RestUser>,
}

#[derive(Deserialize)]
struct RestRef {
    sha: String,
    #[serde(rename = "ref")]
    name: String,
}

#[derive(Deserialize)]
struct RestUser {
    login: String,
}

#[derive(Deserialize)]
struct RestReview {
    user: Option<RestUser>,
    state: String,
    commit_id: Option<String>,
}

#[derive(Deserialize)]
struct RestMembership {
    state: String,
}

/// Ask GitHub. Never fails: what could not be read is said in the facts.
pub fn gather(settings: &Settings, request: &Request) -> Facts {
    let Some(token) = settings.token.clone() else {
        return Facts {
            pull: Some(Err("no token (set GITHUB_TOKEN or GH_TOKEN)".into())),
            ..Facts::default()
        };
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return Facts {
                pull: Some(Err(format!("cannot start the async runtime: {e}"))),
                ..Facts::default()
            }
        }
    };
    let _context = runtime.enter();
    let policy = RetryPolicy {
        deadline: settings.deadline.unwrap_or(settings.retry.deadline),
        ..settings.retry
    };
    let client = match Client::new(&settings.api_url, token, policy) {
        Ok(c) => c,
        Err(e) => {
            return Facts {
                pull: Some(Err(e.to_string())),
                ..Facts::default()
            }
        }
    };
    let mut facts = runtime.block_on(ask(&client, request));
    facts.requests = client.request_count();
    facts
}

async fn ask(client: &Client, request: &Request) -> Facts {
    let repo = &request.repo;
    let n = request.pull;
    let pull_path = format!("/repos/{repo}/pulls/{n}");
    let reviews_path = format!("/repos/{repo}/pulls/{n}/reviews?per_page=100");
    let (pull, reviews) = futures_util::join!(
        client.get::<RestPull>(&pull_path),
        client.get_list::<RestReview>(&reviews_path, None)
    );
    let pull = match pull {
        Fetched::Ok(p) => p,
        Fetched::Refused(s) => {
            return Facts {
                pull: Some(Err(format!("pull request #{n} could not be read ({s})"))),
                ..Facts::default()
            }
        }
        Fetched::Unavailable(e) => {
            return Facts {
                pull: Some(Err(format!("pull request #{n} could not be read: {e}"))),
                ..Facts::default()
            }
        }
    };
    let reviews = match reviews {
        Fetched::Ok(r) => r,
        Fetched::Refused(s) => {
            return Facts {
                pull: Some(Err(format!(
                    "the reviews of pull request #{n} could not be read ({s})"
                ))),
                ..Facts::default()
            }
        }
        Fetched::Unavailable(e) => {
            return Facts {
                pull: Some(Err(format!(
                    "the reviews of pull request #{n} could not be read: {e}"
                ))),
                ..Facts::default()
            }
        }
    };
    // GitHub lists reviews oldest first: a reviewer's later approval, change request or dismissal
    // replaces the earlier one; comments change nothing.
    let mut latest: Vec<Review> = Vec::new();
    for r in reviews {
        let (Some(user), Some(commit)) = (r.user, r.commit_id) else {
            continue;
        };
        if !matches!(
            r.state.as_str(),
            "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
        ) {
            continue;
        }
        let review = Review {
            login: user.login,
            state: r.state,
            commit,
        };
        match latest
            .iter_mut()
            .find(|x| x.login.eq_ignore_ascii_case(&review.login))
        {
            Some(x) => *x = review,
            None => latest.push(review),
        }
    }
    let pull = Pull {
        number: pull.number,
        head: pull.head.sha,
        base: pull.base.name,
        author: pull.user.map(|u| u.login).unwrap_or_default(),
        reviews: latest,
    };
    let questions: Vec<(String, String, String)> = request
        .teams
        .iter()
        .flat_map(|(org, slug)| {
            pull.approvers_of_head()
                .into_iter()
                .map(move |login| (org.clone(), slug.clone(), login.to_string()))
        })
        .collect();
    let asked = questions.len().min(MAX_MEMBERSHIP_QUESTIONS);
    let answers = futures_util::future::join_all(questions[..asked].iter().map(
        |(org, slug, login)| async move {
            let path = format!(
                "/orgs/{}/teams/{}/memberships/{}",
                super::path_segment(org, false),
                super::path_segment(slug, false),
                super::path_segment(login, false)
            );
            let member = match client.get::<RestMembership>(&path).await {
                Fetched::Ok(m) => (m.state == "active").then_some(true),
                _ => None,
            };
            (format!("{org}/{slug}"), login.clone(), member)
        },
    ))
    .await;
    let mut members = answers;
    members.extend(
        questions[asked..]
            .iter()
            .map(|(org, slug, login)| (format!("{org}/{slug}"), login.clone(), None)),
    );
    Facts {
        pull: Some(Ok(pull)),
        members,
        requests: 0,
    }
}

/// Whether `branch`'s protection requires code-owner review, as read this run: GitHub then refuses the
/// merge until a code owner of every changed file approves. None: not read (not a deployment branch, or
/// the token could not see it).
pub fn code_owner_review_required(facts: &super::Facts, branch: &str) -> Option<bool> {
    use super::protection::{Aspect, Value};
    let b = facts.branches.iter().find(|b| b.name == branch)?;
    let policy = super::protection::effective(b, &facts.html_url).ok()?;
    if policy
        .of(Aspect::CodeOwners)
        .any(|(_, v)| *v == Value::Flag(true))
    {
        Some(true)
    } else if policy.is_unknown(Aspect::CodeOwners) {
        None
    } else {
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_head_approved_by_someone_else_counts() {
        let r = |login: &str, state: &str, commit: &str| Review {
            login: login.into(),
            state: state.into(),
            commit: commit.into(),
        };
        let pull = Pull {
            number: 7,
            head: "h2".into(),
            base: "main".into(),
            author: "dev".into(),
            reviews: vec![
                r("alice", "APPROVED", "h2"),
                r("bob", "APPROVED", "h1"),
                r("carol", "CHANGES_REQUESTED", "h2"),
                r("DEV", "APPROVED", "h2"),
            ],
        };
        assert_eq!(pull.approvers_of_head(), vec!["alice"]);
    }
}
