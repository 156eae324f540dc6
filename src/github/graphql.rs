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
