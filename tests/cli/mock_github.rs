//! A GitHub REST API stand-in on 127.0.0.1: a small HTTP/1.1 server (keep-alive, Content-Length) in a
//! thread, serving canned JSON per path and recording every request. Responses are shaped like GitHub's
//! documented examples, trimmed to realistic fields.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const OWNER: &str = "octo-org";
pub const NAME: &str = "octo-app";
pub const HTML: &str = "https://github.com/octo-org/octo-app";

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::raw(status, &body.to_string())
    }
    pub fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }
    pub fn raw(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
    /// GitHub's error shape: `{"message": ..., "documentation_url": ...}`.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            json!({"message": message, "documentation_url": "https://docs.github.com/rest", "status": status.to_string()}),
        )
    }
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: String,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Vec<Reply>>,
    served: HashMap<String, usize>,
    requests: Vec<Request>,
    /// GraphQL: the pull requests (GraphQL `PullRequest` nodes) associated with each commit id.
    commit_pulls: HashMap<String, Vec<Value>>,
    /// GraphQL: per branch, `refUpdateRule` and `branchProtectionRule` (None: FORBIDDEN for this token).
    ref_rules: HashMap<String, (Value, Option<Value>)>,
    /// GraphQL: `x-ratelimit-remaining` to report (default 4999).
    graphql_remaining: Option<u64>,
}

pub struct MockGithub {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl MockGithub {
    pub fn start() -> MockGithub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        MockGithub { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Always answer `path` (with its query, or without to match any query) with `reply`.
    pub fn on(&self, path: &str, reply: Reply) -> &Self {
        self.on_seq(path, vec![reply])
    }

    /// Answer successive requests with successive replies; the last one repeats.
    pub fn on_seq(&self, path: &str, replies: Vec<Reply>) -> &Self {
        let mut s = self.state.lock().unwrap();
        s.routes.insert(path.to_string(), replies);
        s.served.remove(path);
        self
    }

    /// GraphQL: `object(oid: sha) { ... on Commit { associatedPullRequests } }` answers these pull
    /// requests (see `gql_pull`). A commit never registered answers `null`, as GitHub does for an id it
    /// does not know.
    pub fn commit_pulls(&self, sha: &str, pulls: Vec<Value>) -> &Self {
        let mut s = self.state.lock().unwrap();
        s.commit_pulls.insert(sha.to_string(), pulls);
        self
    }

    /// GraphQL: what `ref(qualifiedName: "refs/heads/{branch}")` shows. `protection_rule` None answers
    /// as GitHub does a token without Administration: read: `branchProtectionRule` null with a FORBIDDEN
    /// error on its path. A branch never registered has no rule (`refUpdateRule: null`).
    pub fn ref_rules(
        &self,
        branch: &str,
        update_rule: Value,
        protection_rule: Option<Value>,
    ) -> &Self {
        let mut s = self.state.lock().unwrap();
        s.ref_rules
            .insert(branch.to_string(), (update_rule, protection_rule));
        self
    }

    /// GraphQL: report this many requests left in the rate limit window.
    pub fn graphql_remaining(&self, remaining: u64) -> &Self {
        self.state.lock().unwrap().graphql_remaining = Some(remaining);
        self
    }

    /// The GraphQL queries sent (request bodies of `POST /graphql`), parsed.
    pub fn graphql_queries(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/graphql")
            .map(|r| serde_json::from_str(&r.body).unwrap_or(Value::Null))
            .collect()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Requests whose path (without query) is `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.path.split('?').next() == Some(path))
            .count()
    }
}

fn reply_for(state: &Mutex<State>, req: Request) -> Reply {
    let mut s = state.lock().unwrap();
    let bare = req.path.split('?').next().unwrap_or("").to_string();
    s.requests.push(req.clone());
    let key = if s.routes.contains_key(&req.path) {
        req.path
    } else {
        bare
    };
    let Some(replies) = s.routes.get(&key).cloned() else {
        if key == "/graphql" && s.requests.last().is_some_and(|r| r.method == "POST") {
            let body = s
                .requests
                .last()
                .map(|r| r.body.clone())
                .unwrap_or_default();
            return graphql(&s, &body);
        }
        return Reply::error(404, "Not Found");
    };
    let n = s.served.entry(key).or_insert(0);
    let reply = replies[(*n).min(replies.len() - 1)].clone();
    *n += 1;
    reply
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut authorization = None;
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "authorization" => authorization = Some(v.trim().to_string()),
                    "content-length" => length = v.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = reply_for(
            state,
            Request {
                method,
                path,
                authorization,
                body: String::from_utf8_lossy(&body).into_owned(),
            },
        );
        std::thread::sleep(reply.delay);
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nX-GitHub-Media-Type: github.v3; format=json\r\n",
            reply.status,
            reason(reply.status),
            reply.body.len()
        );
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err()
            || writer.write_all(reply.body.as_bytes()).is_err()
            || writer.flush().is_err()
        {
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// The built-in GraphQL endpoint: answers shipgate's review query from `commit_pulls`, with the shapes of
/// GitHub's schema (`Repository.object` → `Commit.associatedPullRequests` → `PullRequest.reviews`).
fn graphql(s: &State, body: &str) -> Reply {
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return Reply::json(
            200,
            json!({"errors": [{"message": "Problems parsing JSON"}]}),
        );
    };
    let query = request["query"].as_str().unwrap_or("");
    let vars = request["variables"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if query.contains("refUpdateRule") {
        let qualified = vars.get("ref").and_then(Value::as_str).unwrap_or("");
        let branch = qualified.strip_prefix("refs/heads/").unwrap_or(qualified);
        let (update, protection) = s
            .ref_rules
            .get(branch)
            .cloned()
            .unwrap_or((Value::Null, Some(Value::Null)));
        let mut answer = json!({"data": {
            "rateLimit": {"cost": 1, "remaining": 4998, "resetAt": "2026-12-03T23:00:00Z"},
            "repository": {"ref": {"name": branch, "refUpdateRule": update,
                                    "branchProtectionRule": protection.clone().unwrap_or(Value::Null)}}
        }});
        if protection.is_none() {
            answer["errors"] = json!([{
                "type": "FORBIDDEN", "path": ["repository", "ref", "branchProtectionRule"],
                "extensions": {"saml_failure": false}, "locations": [{"line": 14, "column": 7}],
                "message": "Resource not accessible by integration"
            }]);
        }
        return Reply::json(200, answer).header("x-ratelimit-remaining", "4998");
    }
    if !query.contains("associatedPullRequests") {
        return Reply::json(
            200,
            json!({"errors": [{"message": "the mock does not know this query"}]}),
        );
    }
    let mut repository = serde_json::Map::new();
    for (k, v) in &vars {
        let Some(i) = k.strip_prefix('o') else {
            continue;
        };
        let sha = v.as_str().unwrap_or("");
        let node = match s.commit_pulls.get(sha) {
            Some(pulls) => json!({"oid": sha, "associatedPullRequests": {"nodes": pulls}}),
            None => Value::Null,
        };
        repository.insert(format!("c{i}"), node);
    }
    let remaining = s.graphql_remaining.unwrap_or(4999);
    Reply::json(
        200,
        json!({"data": {
            "rateLimit": {"cost": 1, "remaining": remaining, "resetAt": "2026-12-03T23:00:00Z"},
            "repository": repository
        }}),
    )
    .header("x-ratelimit-remaining", &remaining.to_string())
    .header("x-ratelimit-reset", "1796338800")
}

/// A REST pull request (`pull`) and its reviews (`review`) as GraphQL's `PullRequest` node with the fields
/// shipgate asks for.
pub fn gql_pull(rest: &Value, reviews: &[Value]) -> Value {
    let actor = |u: &Value| json!({"__typename": u["type"], "login": u["login"]});
    let nodes: Vec<Value> = reviews
        .iter()
        .filter(|r| matches!(r["state"].as_str(), Some("APPROVED" | "CHANGES_REQUESTED" | "DISMISSED")))
        .map(|r| json!({"author": actor(&r["user"]), "state": r["state"], "commit": {"oid": r["commit_id"]}}))
        .collect();
    json!({
        "number": rest["number"], "url": rest["html_url"],
        "merged": !rest["merged_at"].is_null(), "mergedAt": rest["merged_at"],
        "baseRefName": rest["base"]["ref"], "headRefName": rest["head"]["ref"], "headRefOid": rest["head"]["sha"],
        "author": actor(&rest["user"]),
        "mergeCommit": if rest["merge_commit_sha"].is_null() { Value::Null } else { json!({"oid": rest["merge_commit_sha"]}) },
        "mergedBy": {"__typename": "User", "login": "maintainer"},
        "reviews": {"totalCount": nodes.len(), "nodes": nodes}
    })
}

// ---- Fixtures shaped like GitHub's responses -------------------------------------------------------------

pub fn api(path: &str) -> String {
    format!("/repos/{OWNER}/{NAME}{path}")
}

fn user(login: &str, id: u64, kind: &str) -> Value {
    json!({
        "login": login, "id": id, "node_id": "MDQ6VXNlcjE=",
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "url": format!("https://api.github.com/users/{login}"),
        "html_url": format!("https://github.com/{login}"),
        "type": kind, "site_admin": false
    })
}

/// `GET /repos/{owner}/{repo}`.
pub fn repository(default_branch: &str) -> Value {
    json!({
        "id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": NAME,
        "full_name": format!("{OWNER}/{NAME}"),
        "owner": user(OWNER, 9919, "Organization"),
        "private": false, "html_url": HTML, "description": "Deployment-safety demo",
        "fork": false, "url": format!("https://api.github.com/repos/{OWNER}/{NAME}"),
        "default_branch": default_branch, "visibility": "public",
        "permissions": {"admin": false, "maintain": false, "push": true, "triage": true, "pull": true},
        "allow_squash_merge": true, "allow_merge_commit": true, "allow_rebase_merge": true
    })
}

/// `GET /repos/{owner}/{repo}/branches/{branch}/protection`, as strict as shipgate's defaults ask.
pub fn classic_strict() -> Value {
    let base = format!("https://api.github.com/repos/{OWNER}/{NAME}/branches/main/protection");
    json!({
        "url": base,
        "required_status_checks": {
            "url": format!("{base}/required_status_checks"), "strict": true,
            "contexts": ["test"], "contexts_url": format!("{base}/required_status_checks/contexts"),
            "checks": [{"context": "test", "app_id": 15368}]
        },
        "required_pull_request_reviews": {
            "url": format!("{base}/required_pull_request_reviews"),
            "dismiss_stale_reviews": true, "require_code_owner_reviews": true,
            "required_approving_review_count": 2, "require_last_push_approval": true
        },
        "required_signatures": {"url": format!("{base}/required_signatures"), "enabled": false},
        "enforce_admins": {"url": format!("{base}/enforce_admins"), "enabled": true},
        "required_linear_history": {"enabled": false},
        "allow_force_pushes": {"enabled": false},
        "allow_deletions": {"enabled": false},
        "block_creations": {"enabled": false},
        "required_conversation_resolution": {"enabled": true},
        "lock_branch": {"enabled": false},
        "allow_fork_syncing": {"enabled": false}
    })
}

/// `Ref.refUpdateRule` as any reader sees the protection of `classic_strict`.
pub fn ref_update_rule_strict() -> Value {
    json!({
        "pattern": "main", "allowsDeletions": false, "allowsForcePushes": false,
        "requiredApprovingReviewCount": 2, "requiresCodeOwnerReviews": true,
        "requiresLinearHistory": false, "requiredStatusCheckContexts": ["test"]
    })
}

/// `Ref.branchProtectionRule` (admin) for `classic_strict`.
pub fn branch_protection_rule_strict() -> Value {
    json!({
        "pattern": "main", "isAdminEnforced": true, "requiresApprovingReviews": true,
        "requiredApprovingReviewCount": 2, "dismissesStaleReviews": true, "requiresCodeOwnerReviews": true,
        "requireLastPushApproval": true, "requiresStatusChecks": true, "requiresStrictStatusChecks": true,
        "requiredStatusCheckContexts": ["test"], "allowsForcePushes": false, "allowsDeletions": false
    })
}

/// Set a value at a JSON pointer (creating nothing: the pointer must exist) or remove it with `Value::Null`.
pub fn with(mut v: Value, pointer: &str, new: Value) -> Value {
    if new.is_null() {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        v.pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap()
            .remove(key);
    } else {
        *v.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer}")) = new;
    }
    v
}

/// `GET /repos/{owner}/{repo}/rules/branches/{branch}`: the rules of one repository ruleset, as strict
/// as shipgate's defaults ask.
pub fn rules_strict(ruleset_id: u64) -> Value {
    let src = |mut r: Value| {
        r["ruleset_source_type"] = json!("Repository");
        r["ruleset_source"] = json!(format!("{OWNER}/{NAME}"));
        r["ruleset_id"] = json!(ruleset_id);
        r
    };
    json!([
        src(json!({"type": "deletion"})),
        src(json!({"type": "non_fast_forward"})),
        src(json!({"type": "pull_request", "parameters": {
            "required_approving_review_count": 2, "dismiss_stale_reviews_on_push": true,
            "require_code_owner_review": true, "require_last_push_approval": true,
            "required_review_thread_resolution": false,
            "allowed_merge_methods": ["merge", "squash", "rebase"]
        }})),
        src(json!({"type": "required_status_checks", "parameters": {
            "strict_required_status_checks_policy": true, "do_not_enforce_on_create": false,
            "required_status_checks": [{"context": "test", "integration_id": 15368}]
        }}))
    ])
}

/// `GET /repos/{owner}/{repo}/rulesets/{id}`. `bypass`: None leaves `bypass_actors` out, as GitHub does
/// for a token that may not see it.
pub fn ruleset(id: u64, name: &str, bypass: Option<Value>) -> Value {
    let mut r = json!({
        "id": id, "name": name, "target": "branch", "source_type": "Repository",
        "source": format!("{OWNER}/{NAME}"), "enforcement": "active",
        "conditions": {"ref_name": {"exclude": [], "include": ["~DEFAULT_BRANCH"]}},
        "rules": [{"type": "deletion"}, {"type": "non_fast_forward"}],
        "node_id": "RRS_lACqUmVwb3NpdG9yec5NC5fyzgEcSsc",
        "created_at": "2024-07-07T19:47:51.339+02:00", "updated_at": "2024-07-15T01:42:31.570+02:00",
        "current_user_can_bypass": "never",
        "_links": {
            "self": {"href": format!("https://api.github.com/repos/{OWNER}/{NAME}/rulesets/{id}")},
            "html": {"href": format!("{HTML}/rules/{id}")}
        }
    });
    if let Some(b) = bypass {
        r["bypass_actors"] = b;
    }
    r
}

/// An environment as in `GET /repos/{owner}/{repo}/environments`.
pub fn environment(
    id: u64,
    name: &str,
    reviewers: bool,
    prevent_self_review: bool,
    branch_policy: Value,
    admins_bypass: bool,
) -> Value {
    let mut rules = vec![
        json!({"id": 3736, "node_id": "MDQ6R2F0ZTM3MzY=", "type": "wait_timer", "wait_timer": 30}),
    ];
    if reviewers {
        rules.push(json!({
            "id": 3755, "node_id": "MDQ6R2F0ZTM3NTU=", "prevent_self_review": prevent_self_review,
            "type": "required_reviewers",
            "reviewers": [
                {"type": "User", "reviewer": user("octocat", 1, "User")},
                {"type": "Team", "reviewer": {"id": 1, "node_id": "MDQ6VGVhbTE=", "name": "Release", "slug": "release", "privacy": "closed"}}
            ]
        }));
    }
    json!({
        "id": id, "node_id": "MDExOkVudmlyb25tZW50MTYxMDg4MDY4", "name": name,
        "url": format!("https://api.github.com/repos/{OWNER}/{NAME}/environments/{name}"),
        "html_url": format!("{HTML}/deployments/activity_log?environments_filter={name}"),
        "created_at": "2020-11-23T22:00:40Z", "updated_at": "2020-11-23T22:00:40Z",
        "can_admins_bypass": admins_bypass,
        "protection_rules": rules,
        "deployment_branch_policy": branch_policy
    })
}

pub fn environments(list: Vec<Value>) -> Value {
    json!({"total_count": list.len(), "environments": list})
}

/// A merged pull request as in `GET /repos/{owner}/{repo}/commits/{sha}/pulls`.
pub fn pull(number: u64, author: &str, author_type: &str, head: &str, merge_commit: &str) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/{OWNER}/{NAME}/pulls/{number}"),
        "id": 1_000_000 + number, "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
        "html_url": format!("{HTML}/pull/{number}"),
        "number": number, "state": "closed", "locked": false, "title": format!("Change {number}"),
        "user": user(author, 100 + number, author_type),
        "body": "Please pull these awesome changes in!",
        "created_at": "2024-01-26T19:01:12Z", "updated_at": "2024-01-27T19:01:12Z",
        "closed_at": "2024-01-27T19:01:12Z", "merged_at": "2024-01-27T19:01:12Z",
        "merge_commit_sha": merge_commit,
        "head": {"label": format!("{OWNER}:change-{number}"), "ref": format!("change-{number}"), "sha": head},
        "base": {"label": format!("{OWNER}:main"), "ref": "main", "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e"},
        "author_association": "MEMBER", "draft": false
    })
}

/// A review as in `GET /repos/{owner}/{repo}/pulls/{number}/reviews`.
pub fn review(id: u64, login: &str, user_type: &str, state: &str, commit: &str) -> Value {
    json!({
        "id": id, "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
        "user": user(login, 200 + id, user_type),
        "body": "Here is the body for the review.", "state": state,
        "html_url": format!("{HTML}/pull/12#pullrequestreview-{id}"),
        "pull_request_url": format!("https://api.github.com/repos/{OWNER}/{NAME}/pulls/12"),
        "submitted_at": "2024-01-27T17:53:08Z", "commit_id": commit,
        "author_association": "COLLABORATOR"
    })
}
