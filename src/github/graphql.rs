//! Review evidence through GitHub's GraphQL API: the pull requests and reviews of every commit the shared
//! first-parent walk asks about, in one query per 50 commits — where REST needs two requests a commit.
//!
//! The commits are looked up by id (`repository.object(oid:)`), so exactly the commits the offline rules
//! judge are asked about, whatever the shape of the history. The answer is mapped onto the REST types
//! (`reviews::PullRequest`, `reviews::Review`) and judged by the same `reviews::judge`.
//!
//! Fail closed, per answer: a GraphQL `errors` array with HTTP 200 and no data, `RATE_LIMITED`, an
//! exhausted `x-ratelimit-remaining`, or a commit whose pull requests are missing from the data are API
//! failures (`gate/github-unavailable`); `FORBIDDEN` or `NOT_FOUND` on one commit makes that commit
//! unverified (`review/unverified`), naming the permission.

use super::client::{ApiErrorKind, Client, Fetched, HttpStatus};
use super::reviews::{pick, Actor, CommitEvidence, GitRef, LocalCommit, PullRequest, Review};
use super::RepoId;
use serde::Deserialize;
use serde_json::{json, Value};

/// Commits per query: keeps a query's cost and response size modest (GitHub's node limit is 500,000).
pub const COMMITS_PER_QUERY: usize = 50;
/// Pull requests read per commit, and reviews per pull request. More reviews than this on the merging
/// pull request leaves its commit unverified rather than judged on part of the record.
const PULLS_PER_COMMIT: usize = 10;
const REVIEWS_PER_PULL: usize = 100;

/// The pull requests (with their reviews) of up to `COMMITS_PER_QUERY` commits, looked up by id.
pub fn review_query(count: usize) -> String {
    let vars: String = (0..count)
        .map(|i| format!(", $o{i}: GitObjectID!"))
        .collect();
    let fields: String = (0..count)
        .map(|i| format!("    c{i}: object(oid: $o{i}) {{ ...Arrival }}\n"))
        .collect();
    format!(
        "query ShipgateReviews($owner: String!, $name: String!{vars}) {{\n  rateLimit {{ cost remaining resetAt }}\n  repository(owner: $owner, name: $name) {{\n{fields}  }}\n}}\n\
fragment Arrival on Commit {{\n  oid\n  associatedPullRequests(first: {PULLS_PER_COMMIT}) {{\n    nodes {{\n      number\n      url\n      merged\n      mergedAt\n      baseRefName\n      headRefName\n      headRefOid\n      author {{ __typename login }}\n      mergeCommit {{ oid }}\n      mergedBy {{ __typename login }}\n      reviews(first: {REVIEWS_PER_PULL}, states: [APPROVED, CHANGES_REQUESTED, DISMISSED]) {{\n        totalCount\n        nodes {{ author {{ __typename login }} state commit {{ oid }} }}\n      }}\n    }}\n  }}\n}}\n"
    )
}

#[derive(Debug, Deserialize)]
struct GqlError {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    path: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct GqlActor {
    #[serde(default, rename = "__typename")]
    typename: String,
    #[serde(default)]
    login: String,
}

impl GqlActor {
    fn actor(self) -> Actor {
        Actor {
            login: self.login,
            kind: self.typename,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Oid {
    oid: String,
}

#[derive(Debug, Deserialize)]
struct GqlReview {
    author: Option<GqlActor>,
    state: String,
    commit: Option<Oid>,
}

#[derive(Debug, Deserialize)]
struct GqlReviews {
    #[serde(rename = "totalCount")]
    total_count: usize,
    nodes: Vec<Option<GqlReview>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlPull {
    number: u64,
    url: String,
    merged: bool,
    merged_at: Option<String>,
    base_ref_name: String,
    #[serde(default)]
    head_ref_name: String,
    head_ref_oid: String,
    author: Option<GqlActor>,
    merge_commit: Option<Oid>,
    reviews: Option<GqlReviews>,
}

#[derive(Debug, Deserialize)]
struct GqlPulls {
    nodes: Vec<Option<GqlPull>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlCommit {
    associated_pull_requests: Option<GqlPulls>,
}

/// The review evidence of `commits` on `branch`, in as few queries as `COMMITS_PER_QUERY` allows.
pub async fn fetch(
    client: &Client,
    repo: &RepoId,
    branch: &str,
    commits: &[LocalCommit],
) -> Vec<CommitEvidence> {
    let mut out = Vec::with_capacity(commits.len());
    let mut stop: Option<Fetched<Vec<PullRequest>>> = None;
    for batch in commits.chunks(COMMITS_PER_QUERY) {
        if let Some(s) = &stop {
            out.extend(batch.iter().map(|c| failed(c, s.clone())));
            continue;
        }
        match query(client, repo, branch, batch).await {
            Ok((evidence, exhausted)) => {
                out.extend(evidence);
                if let Some(why) = exhausted {
                    stop = Some(Fetched::Unavailable(
                        client.fail_graphql(ApiErrorKind::RateLimited, why),
                    ));
                }
            }
            Err(all) => {
                out.extend(batch.iter().map(|c| failed(c, all.clone())));
                stop = Some(all);
            }
        }
    }
    out
}

fn failed(c: &LocalCommit, pulls: Fetched<Vec<PullRequest>>) -> CommitEvidence {
    CommitEvidence {
        commit: c.clone(),
        pulls,
        pr: None,
        reviews: None,
    }
}

/// One query. Ok: the batch's evidence, and Some(why) when the rate limit left nothing for the next
/// query. Err: what every commit of the batch gets (the query as a whole failed).
async fn query(
    client: &Client,
    repo: &RepoId,
    branch: &str,
    batch: &[LocalCommit],
) -> Result<(Vec<CommitEvidence>, Option<String>), Fetched<Vec<PullRequest>>> {
    let mut variables = json!({"owner": repo.owner, "name": repo.name});
    for (i, c) in batch.iter().enumerate() {
        variables[format!("o{i}")] = Value::String(c.sha.clone());
    }
    let body = json!({"query": review_query(batch.len()), "variables": variables});
    let answer = client.graphql(&body).await.map_err(Fetched::Unavailable)?;
    let unavailable =
        |kind, detail: String| Fetched::Unavailable(client.fail_graphql(kind, detail));
    let value: Value = serde_json::from_str(&answer.body).map_err(|e| {
        unavailable(
            ApiErrorKind::Malformed,
            format!("the GraphQL response is not JSON ({e})"),
        )
    })?;
    if !(200..300).contains(&answer.status) {
        let message = value
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_string();
        return Err(Fetched::Refused(HttpStatus {
            code: answer.status,
            message,
        }));
    }
    let errors: Vec<GqlError> = match value.get("errors") {
        None | Some(Value::Null) => Vec::new(),
        Some(e) => serde_json::from_value(e.clone()).map_err(|e| {
            unavailable(
                ApiErrorKind::Malformed,
                format!("the GraphQL `errors` are not in GitHub's shape ({e})"),
            )
        })?,
    };
    if let Some(e) = errors
        .iter()
        .find(|e| e.kind.as_deref() == Some("RATE_LIMITED"))
    {
        return Err(unavailable(
            ApiErrorKind::RateLimited,
            format!(
                "GraphQL rate limit exhausted ({}){}",
                e.message,
                resets(answer.reset)
            ),
        ));
    }
    let repository = value.pointer("/data/repository").filter(|r| !r.is_null());
    // Errors that do not point into one commit, or no data at all: the whole answer is in doubt.
    let commit_of = |e: &GqlError| -> Option<usize> {
        match e.path.as_slice() {
            [r, c, ..] if r == "repository" => c.as_str()?.strip_prefix('c')?.parse().ok(),
            _ => None,
        }
    };
    let general: Vec<&GqlError> = errors.iter().filter(|e| commit_of(e).is_none()).collect();
    if repository.is_none() || !general.is_empty() {
        let what = if errors.is_empty() {
            "no `data.repository` in the answer".to_string()
        } else {
            errors
                .iter()
                .map(|e| format!("{}: {}", e.kind.as_deref().unwrap_or("ERROR"), e.message))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let forbidden = errors
            .iter()
            .any(|e| e.kind.as_deref() == Some("FORBIDDEN"));
        if forbidden && repository.is_none() {
            return Err(Fetched::Refused(HttpStatus {
                code: 403,
                message: what,
            }));
        }
        return Err(unavailable(
            ApiErrorKind::Malformed,
            format!("GraphQL answered with errors: {what}"),
        ));
    }
    let repository = repository.cloned().unwrap_or(Value::Null);
    let mut out = Vec::with_capacity(batch.len());
    for (i, c) in batch.iter().enumerate() {
        let own: Vec<&GqlError> = errors.iter().filter(|e| commit_of(e) == Some(i)).collect();
        if let Some(e) = own.first() {
            let code = match e.kind.as_deref() {
                Some("FORBIDDEN") => 403,
                Some("NOT_FOUND") => 404,
                _ => 0,
            };
            if code == 0 {
                out.push(failed(
                    c,
                    unavailable(
                        ApiErrorKind::Malformed,
                        format!("GraphQL error on commit {}: {}", c.sha, e.message),
                    ),
                ));
            } else {
                out.push(failed(
                    c,
                    Fetched::Refused(HttpStatus {
                        code,
                        message: e.message.clone(),
                    }),
                ));
            }
            continue;
        }
        let node = repository
            .get(format!("c{i}"))
            .cloned()
            .unwrap_or(Value::Null);
        if node.is_null() {
            out.push(failed(
                c,
                Fetched::Refused(HttpStatus {
                    code: 404,
                    message: "No commit found for this id".into(),
                }),
            ));
            continue;
        }
        let parsed: GqlCommit = match serde_json::from_value(node) {
            Ok(p) => p,
            Err(e) => {
                out.push(failed(
                    c,
                    unavailable(
                        ApiErrorKind::Malformed,
                        format!(
                            "commit {}: the GraphQL answer is not in GitHub's shape ({e})",
                            c.sha
                        ),
                    ),
                ));
                continue;
            }
        };
        // Partial data: the commit is there, its pull requests are not (and no error says why).
        let Some(pulls) = parsed.associated_pull_requests else {
            out.push(failed(
                c,
                unavailable(
                    ApiErrorKind::Malformed,
                    format!("partial data: the pull requests of commit {} are missing from the GraphQL answer", c.sha),
                ),
            ));
            continue;
        };
        out.push(evidence(c, branch, pulls));
    }
    Ok((out, exhausted(&answer, &value)))
}

/// Map one commit's answer onto the REST shapes and pick the pull request that merged it.
fn evidence(c: &LocalCommit, branch: &str, pulls: GqlPulls) -> CommitEvidence {
    let mut list = Vec::new();
    let mut reviews_of: Vec<(u64, Fetched<Vec<Review>>)> = Vec::new();
    for p in pulls.nodes.into_iter().flatten() {
        let reviews = match p.reviews {
            Some(r) if r.total_count <= r.nodes.len() => Fetched::Ok(
                r.nodes
                    .into_iter()
                    .flatten()
                    .map(|r| Review {
                        user: r.author.map(GqlActor::actor),
                        state: r.state,
                        commit_id: r.commit.map(|o| o.oid),
                    })
                    .collect(),
            ),
            Some(r) => Fetched::Refused(HttpStatus {
                code: 0,
                message: format!(
                    "{} reviews, more than the {} read; not judged on part of the record",
                    r.total_count,
                    r.nodes.len()
                ),
            }),
            None => Fetched::Refused(HttpStatus {
                code: 0,
                message: "the reviews were missing from the GraphQL answer".into(),
            }),
        };
        reviews_of.push((p.number, reviews));
        list.push(PullRequest {
            number: p.number,
            html_url: p.url,
            user: p.author.map(GqlActor::actor),
            head: GitRef {
                sha: p.head_ref_oid,
                name: p.head_ref_name,
            },
            base: GitRef {
                sha: String::new(),
                name: p.base_ref_name,
            },
            merged_at: if p.merged {
                p.merged_at.or_else(|| Some(String::new()))
            } else {
                None
            },
            merge_commit_sha: p.merge_commit.map(|o| o.oid),
        });
    }
    let pr = pick(&list, &c.sha, branch).cloned();
    let reviews = pr.as_ref().and_then(|pr| {
        reviews_of
            .iter()
            .find(|(n, _)| *n == pr.number)
            .map(|(_, r)| r.clone())
    });
    CommitEvidence {
        commit: c.clone(),
        pulls: Fetched::Ok(list),
        pr,
        reviews,
    }
}

fn resets(reset: Option<u64>) -> String {
    reset.map_or(String::new(), |r| {
        format!(
            "; it resets at {} {}:{:02} UTC",
            crate::repo::history::date(r as i64),
            (r / 3600) % 24,
            (r / 60) % 60
        )
    })
}

/// Why no further query should be sent: the rate limit has nothing left (from the header, or the query's
/// own `rateLimit.remaining`).
fn exhausted(answer: &super::client::GraphqlAnswer, value: &Value) -> Option<String> {
    let remaining = answer.remaining.or_else(|| {
        value
            .pointer("/data/rateLimit/remaining")
            .and_then(Value::as_u64)
    })?;
    (remaining == 0).then(|| {
        format!(
            "the GraphQL rate limit is exhausted (x-ratelimit-remaining: 0){}; stopped rather than retrying",
            resets(answer.reset)
        )
    })
}

// ---- Branch protection as any reader sees it ---------------------------------------------------------

/// The protection query for one branch: `refUpdateRule` (the rules enforced on the viewer, readable by any
/// token that can read the repository) and `branchProtectionRule` (the classic rule itself, admin only).
pub const PROTECTION_QUERY: &str =
    "query ShipgateProtection($owner: String!, $name: String!, $ref: String!) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) {
      name
      refUpdateRule {
        pattern
        allowsDeletions
        allowsForcePushes
        requiredApprovingReviewCount
        requiresCodeOwnerReviews
        requiresLinearHistory
        requiredStatusCheckContexts
      }
      branchProtectionRule {
        pattern
        isAdminEnforced
        requiresApprovingReviews
        requiredApprovingReviewCount
        dismissesStaleReviews
        requiresCodeOwnerReviews
        requireLastPushApproval
        requiresStatusChecks
        requiresStrictStatusChecks
        requiredStatusCheckContexts
        allowsForcePushes
        allowsDeletions
      }
    }
  }
}
";

/// `Ref.refUpdateRule`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RefUpdateRule {
    #[serde(default)]
    pub pattern: String,
    pub allows_deletions: bool,
    pub allows_force_pushes: bool,
    #[serde(default)]
    pub required_approving_review_count: Option<u32>,
    pub requires_code_owner_reviews: bool,
    #[serde(default)]
    pub requires_linear_history: bool,
    #[serde(default)]
    pub required_status_check_contexts: Option<Vec<Option<String>>>,
}

/// `Ref.branchProtectionRule` (visible with Administration: read).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BranchProtectionRule {
    #[serde(default)]
    pub pattern: String,
    pub is_admin_enforced: bool,
    pub requires_approving_reviews: bool,
    #[serde(default)]
    pub required_approving_review_count: Option<u32>,
    pub dismisses_stale_reviews: bool,
    pub requires_code_owner_reviews: bool,
    pub require_last_push_approval: bool,
    pub requires_status_checks: bool,
    pub requires_strict_status_checks: bool,
    #[serde(default)]
    pub required_status_check_contexts: Option<Vec<Option<String>>>,
    pub allows_force_pushes: bool,
    pub allows_deletions: bool,
}

/// What GraphQL shows of a branch's classic protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRules {
    /// None: no rule is enforced on this token for the branch.
    pub update_rule: Option<RefUpdateRule>,
    /// None: not visible to this token (or no rule).
    pub protection_rule: Option<BranchProtectionRule>,
    /// Why `protection_rule` is not visible, when GitHub said (e.g. FORBIDDEN).
    pub protection_hidden: Option<String>,
    /// The branch does not exist on GitHub.
    pub no_branch: bool,
}

/// Ask GraphQL what protects `branch`. Refused: the whole answer was refused (the caller keeps its
/// "unreadable"); Unavailable: an API failure, recorded for `gate/github-unavailable`.
pub async fn protection(client: &Client, repo: &RepoId, branch: &str) -> Fetched<RefRules> {
    let body = json!({
        "query": PROTECTION_QUERY,
        "variables": {"owner": repo.owner, "name": repo.name, "ref": format!("refs/heads/{branch}")}
    });
    let answer = match client.graphql(&body).await {
        Ok(a) => a,
        Err(e) => return Fetched::Unavailable(e),
    };
    let unavailable =
        |kind, detail: String| Fetched::Unavailable(client.fail_graphql(kind, detail));
    let value: Value = match serde_json::from_str(&answer.body) {
        Ok(v) => v,
        Err(e) => {
            return unavailable(
                ApiErrorKind::Malformed,
                format!("the GraphQL response is not JSON ({e})"),
            )
        }
    };
    if !(200..300).contains(&answer.status) {
        return Fetched::Refused(HttpStatus {
            code: answer.status,
            message: value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message")
                .to_string(),
        });
    }
    let errors: Vec<GqlError> = value
        .get("errors")
        .cloned()
        .and_then(|e| serde_json::from_value(e).ok())
        .unwrap_or_default();
    if let Some(e) = errors
        .iter()
        .find(|e| e.kind.as_deref() == Some("RATE_LIMITED"))
    {
        return unavailable(
            ApiErrorKind::RateLimited,
            format!(
                "GraphQL rate limit exhausted ({}){}",
                e.message,
                resets(answer.reset)
            ),
        );
    }
    // Only the admin-only field may be refused; any other error leaves the answer in doubt.
    let on_rule =
        |e: &&GqlError| e.path.last().and_then(Value::as_str) == Some("branchProtectionRule");
    let hidden = errors
        .iter()
        .find(on_rule)
        .map(|e| format!("{} ({})", e.message, e.kind.as_deref().unwrap_or("ERROR")));
    let other: Vec<String> = errors
        .iter()
        .filter(|e| !on_rule(e))
        .map(|e| format!("{}: {}", e.kind.as_deref().unwrap_or("ERROR"), e.message))
        .collect();
    let Some(repository) = value.pointer("/data/repository").filter(|r| !r.is_null()) else {
        return unavailable(
            ApiErrorKind::Malformed,
            format!(
                "GraphQL answered with errors: {}",
                if other.is_empty() {
                    "no `data.repository` in the answer".to_string()
                } else {
                    other.join("; ")
                }
            ),
        );
    };
    if !other.is_empty() {
        return unavailable(
            ApiErrorKind::Malformed,
            format!("GraphQL answered with errors: {}", other.join("; ")),
        );
    }
    let node = &repository["ref"];
    if node.is_null() {
        return Fetched::Ok(RefRules {
            update_rule: None,
            protection_rule: None,
            protection_hidden: hidden,
            no_branch: true,
        });
    }
    // Partial data: a field asked for is missing (not null) and no error says why.
    for name in ["refUpdateRule", "branchProtectionRule"] {
        if node.get(name).is_none() && (name != "branchProtectionRule" || hidden.is_none()) {
            return unavailable(
                ApiErrorKind::Malformed,
                format!("partial data: `{name}` of `{branch}` is missing from the GraphQL answer"),
            );
        }
    }
    let field = |name: &str| node.get(name).filter(|v| !v.is_null()).cloned();
    let update_rule = match field("refUpdateRule").map(serde_json::from_value) {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            return unavailable(
                ApiErrorKind::Malformed,
                format!("`refUpdateRule` is not in GitHub's shape ({e})"),
            )
        }
    };
    let protection_rule = match field("branchProtectionRule").map(serde_json::from_value) {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            return unavailable(
                ApiErrorKind::Malformed,
                format!("`branchProtectionRule` is not in GitHub's shape ({e})"),
            )
        }
    };
    Fetched::Ok(RefRules {
        update_rule,
        protection_rule,
        protection_hidden: hidden,
        no_branch: false,
    })
}
