//! A mock GitHub organisation on 127.0.0.1: `repo-0000` … `repo-NNNN` of `mock-org`, their settings
//! computed from their number (no per-repository state to build), served over REST and GraphQL with the
//! shapes of GitHub's schema: `organization.repositories` pages, the `--remote` snapshot query, review
//! evidence, branch protection, environments. Rate-limit headers count down a shared budget; chosen
//! repositories answer 500 to everything; every 97th is slow (a delay, never asserted on).
//!
//! Settings by number `i` (so a test can predict them):
//! - archived when `i % 50 == 49`, fork when `i % 40 == 39`; visibility public/private/internal by `i % 3`;
//!   topic `prod` when `i % 4 == 0`;
//! - `main` protected as strictly as shipgate's defaults ask unless `i % 4 == 3` (not protected);
//! - one `production` environment with reviewers when `i % 5 == 0` (no reviewers when `i % 10 == 5`);
//! - CODEOWNERS when `i % 2 == 0`; a deploy workflow granted `write-all` when `i % 7 == 0`;
//! - 40 squash-merged commits on `main` (the last one the root), each by `dev-a`, approved by
//!   `reviewer-b` unless `i % 6 == 5`.
//!
//! A repository made `merge_heavy` has the same 40 first-parent commits as merges, each bringing in three
//! side commits (the root excepted): its log is 157 entries, served 100 a page, so the first page covers 25 first-parent
//! commits. `history_broken` makes every later page of the log come back empty.

use super::mock_github::{classic_strict, environment, environments, Reply};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const ORG: &str = "mock-org";
const COMMITS: usize = 40;

pub struct OrgState {
    pub size: usize,
    /// Repositories (by name) that answer 500 to every request.
    pub failing: Mutex<HashSet<String>>,
    pub requests: AtomicU64,
    /// GraphQL queries (`POST /graphql`), counted apart: GitHub budgets them apart (points, not requests).
    pub graphql: AtomicU64,
    /// Requests per repository name (`org` for the organisation listing).
    pub per_repo: Mutex<std::collections::HashMap<String, u64>>,
    /// The rate-limit budget reported in `x-ratelimit-remaining`.
    pub limit: AtomicU64,
    /// Delay of the slow repositories.
    pub slow: Duration,
    /// Added to every answer (milliseconds): a network's round trip, for the benchmark.
    pub latency_ms: AtomicU64,
    /// Repositories (by name) whose deploy workflow is this text instead of the computed one.
    pub workflows: Mutex<std::collections::HashMap<String, String>>,
    /// Repositories whose history is merge-heavy (see the module comment).
    pub merge_heavy: Mutex<HashSet<String>>,
    /// Repositories whose log has no page after the first.
    pub history_broken: Mutex<HashSet<String>>,
    /// Fixed answers by path (without query), before the computed ones: a repository outside the
    /// numbered ones (an organisation's config repository).
    pub extra: Mutex<std::collections::HashMap<String, Reply>>,
    /// Files a repository (by name) has besides its computed ones: snapshot path → text.
    pub extra_files: Mutex<std::collections::HashMap<String, Vec<(String, String)>>>,
}

pub struct MockOrg {
    addr: SocketAddr,
    pub state: Arc<OrgState>,
}

pub fn repo_name(i: usize) -> String {
    format!("repo-{i:04}")
}

impl MockOrg {
    pub fn start(size: usize) -> MockOrg {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(OrgState {
            size,
            failing: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
            graphql: AtomicU64::new(0),
            per_repo: Mutex::new(Default::default()),
            limit: AtomicU64::new(10_000_000),
            slow: Duration::from_millis(20),
            latency_ms: AtomicU64::new(0),
            workflows: Mutex::new(Default::default()),
            merge_heavy: Mutex::new(HashSet::new()),
            history_broken: Mutex::new(HashSet::new()),
            extra: Mutex::new(Default::default()),
            extra_files: Mutex::new(Default::default()),
        });
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        MockOrg { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Always answer `path` (without its query) with `reply`.
    pub fn on(&self, path: &str, reply: Reply) -> &Self {
        self.state
            .extra
            .lock()
            .unwrap()
            .insert(path.to_string(), reply);
        self
    }

    pub fn fail(&self, name: &str) -> &Self {
        self.state.failing.lock().unwrap().insert(name.to_string());
        self
    }

    pub fn merge_heavy(&self, name: &str) -> &Self {
        self.state
            .merge_heavy
            .lock()
            .unwrap()
            .insert(name.to_string());
        self
    }

    pub fn history_broken(&self, name: &str) -> &Self {
        self.state
            .history_broken
            .lock()
            .unwrap()
            .insert(name.to_string());
        self
    }

    /// Serve `text` as `name`'s deploy workflow.
    pub fn workflow(&self, name: &str, text: &str) -> &Self {
        self.state
            .workflows
            .lock()
            .unwrap()
            .insert(name.to_string(), text.to_string());
        self
    }

    /// Give repository `name` a file at one of the snapshot's fixed paths (`shipgate.toml`,
    /// `.shipgate/baseline.json`, …).
    pub fn file(&self, name: &str, path: &str, text: &str) -> &Self {
        self.state
            .extra_files
            .lock()
            .unwrap()
            .entry(name.to_string())
            .or_default()
            .push((path.to_string(), text.to_string()));
        self
    }

    pub fn limit(&self, n: u64) -> &Self {
        self.state.limit.store(n, Ordering::SeqCst);
        self
    }

    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }

    pub fn requests_for(&self, name: &str) -> u64 {
        self.state
            .per_repo
            .lock()
            .unwrap()
            .get(name)
            .copied()
            .unwrap_or(0)
    }
}

fn index(name: &str) -> Option<usize> {
    name.strip_prefix("repo-")?.parse().ok()
}

fn visibility(i: usize) -> &'static str {
    ["PUBLIC", "PRIVATE", "INTERNAL"][i % 3]
}

fn oid(i: usize, k: usize) -> String {
    format!("{:020x}{:020x}", i + 1, k + 1)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn iso(t: i64) -> String {
    let secs = t.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        shipgate::calendar::date(t),
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

fn workflow(i: usize) -> String {
    let perms = if i % 7 == 0 {
        "write-all"
    } else {
        "\n  contents: read"
    };
    format!(
        "name: deploy\non:\n  push:\n    branches: [main]\npermissions: {perms}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n      - run: ./deploy.sh\n"
    )
}

fn blob(text: &str) -> Value {
    json!({"byteSize": text.len(), "isBinary": false, "isTruncated": false, "text": text})
}

const README: &str = "# Service\n\n## Testing\n\nRun `make test`; CI runs the tests on every pull request.\n\n## Review\n\nEvery change is reviewed in a pull request and approved by a code owner before merge.\n\n## Deployment\n\nMerges to main deploy to production through the deploy workflow, after approval in the production environment.\n";

const PAGE: usize = 100;

/// The default branch's whole log, newest first (`git log` order).
fn log(i: usize, merge_heavy: bool) -> Vec<Value> {
    let t0 = now() - 3600;
    let person = |n: &str| json!({"name": n, "email": format!("{}@example.org", n.to_lowercase().replace(' ', "-"))});
    let mut out = Vec::new();
    for k in 0..COMMITS {
        let first_parent: Vec<Value> = if k + 1 < COMMITS {
            vec![json!({"oid": oid(i, k + 1)})]
        } else {
            Vec::new()
        };
        let t = t0 - (k as i64) * 3600;
        // The root commit is never a merge.
        if !merge_heavy || k + 1 == COMMITS {
            out.push(json!({
                "oid": oid(i, k),
                "message": format!("Change {k} (#{})\n\nDetails.", 1000 + k),
                "committedDate": iso(t),
                "author": person("Dev A"),
                "committer": {"name": "GitHub", "email": "noreply@github.com"},
                "parents": {"nodes": first_parent}
            }));
            continue;
        }
        let side = |j: usize| format!("{:020x}{:020x}", i + 1, 0x5000 + k * 10 + j);
        let mut parents = first_parent.clone();
        parents.push(json!({"oid": side(0)}));
        out.push(json!({
            "oid": oid(i, k),
            "message": format!("Merge pull request #{} from mock-org/change-{k}", 1000 + k),
            "committedDate": iso(t),
            "author": person("Dev A"),
            "committer": {"name": "GitHub", "email": "noreply@github.com"},
            "parents": {"nodes": parents}
        }));
        for j in 0..3 {
            let parent = if j < 2 {
                vec![json!({"oid": side(j + 1)})]
            } else {
                first_parent.clone()
            };
            out.push(json!({
                "oid": side(j),
                "message": format!("work {k}.{j}"),
                "committedDate": iso(t - 600 * (j as i64 + 1)),
                "author": person("Dev A"),
                "committer": person("Dev A"),
                "parents": {"nodes": parent}
            }));
        }
    }
    out
}

/// One page of the log (`history { pageInfo nodes }`) from entry `start`.
fn log_page(i: usize, merge_heavy: bool, start: usize) -> Value {
    let all = log(i, merge_heavy);
    let end = (start + PAGE).min(all.len());
    json!({
        "pageInfo": {"hasNextPage": end < all.len(), "endCursor": format!("log:{end}")},
        "nodes": all.get(start..end).unwrap_or(&[])
    })
}

fn snapshot(i: usize, name: &str, merge_heavy: bool, workflow_text: Option<String>) -> Value {
    let history = log_page(i, merge_heavy, 0);
    let mut root = vec![
        json!({"name": "README.md", "type": "blob", "mode": 33188}),
        json!({"name": ".github", "type": "tree", "mode": 16384}),
        json!({"name": "src", "type": "tree", "mode": 16384}),
    ];
    let mut repo = json!({
        "nameWithOwner": format!("{ORG}/{name}"),
        "isArchived": i % 50 == 49, "isEmpty": false, "visibility": visibility(i),
        "defaultBranchRef": {"name": "main", "target": {"oid": oid(i, 0), "history": history}},
        "workflows": {"entries": [
            {"name": "deploy.yml", "type": "blob", "mode": 33188, "object": blob(&workflow_text.unwrap_or_else(|| workflow(i)))}
        ]},
        "dotgithub": {"entries": [{"name": "workflows", "type": "tree", "mode": 16384}]},
        "docs": null, "doc": null, "prtemplates": null,
    });
    for f in 0..10 {
        repo[format!("f{f}")] = Value::Null;
    }
    repo["f6"] = blob(README); // README.md
    if i % 2 == 0 {
        repo["f0"] = blob("* @mock-org/maintainers\n"); // .github/CODEOWNERS
        repo["dotgithub"]["entries"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "CODEOWNERS", "type": "blob", "mode": 33188}));
    }
    // A hostile name in the listing: never written.
    root.push(json!({"name": "..", "type": "blob", "mode": 33188}));
    repo["root"] = json!({"entries": root});
    json!({"data": {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2026-12-03T23:00:00Z"}, "repository": repo}})
}

fn review_answer(i: usize, vars: &serde_json::Map<String, Value>) -> Value {
    let mut repository = serde_json::Map::new();
    for (k, v) in vars {
        let Some(n) = k.strip_prefix('o') else {
            continue;
        };
        let sha = v.as_str().unwrap_or("");
        let commit = (0..COMMITS).find(|c| oid(i, *c) == sha);
        let node = match commit {
            Some(c) => {
                let head = format!("{:040x}", 0xabc000 + c);
                let reviews: Vec<Value> = if i % 6 == 5 {
                    Vec::new()
                } else {
                    vec![
                        json!({"author": {"__typename": "User", "login": "reviewer-b"}, "state": "APPROVED", "commit": {"oid": head}}),
                    ]
                };
                json!({"oid": sha, "associatedPullRequests": {"nodes": [{
                    "number": 1000 + c, "url": format!("https://github.com/{ORG}/{}/pull/{}", repo_name(i), 1000 + c),
                    "merged": true, "mergedAt": "2026-12-01T10:00:00Z", "baseRefName": "main",
                    "headRefName": format!("change-{c}"), "headRefOid": head,
                    "author": {"__typename": "User", "login": "dev-a"},
                    "mergeCommit": {"oid": sha}, "mergedBy": {"__typename": "User", "login": "dev-a"},
                    "reviews": {"totalCount": reviews.len(), "nodes": reviews}
                }]}})
            }
            None => Value::Null,
        };
        repository.insert(format!("c{n}"), node);
    }
    json!({"data": {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2026-12-03T23:00:00Z"}, "repository": repository}})
}

fn org_page(s: &OrgState, vars: &serde_json::Map<String, Value>) -> Value {
    let start: usize = vars
        .get("after")
        .and_then(Value::as_str)
        .and_then(|c| c.strip_prefix("cursor:"))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let end = (start + 100).min(s.size);
    let nodes: Vec<Value> = (start..end)
        .map(|i| {
            let topics: Vec<Value> = if i % 4 == 0 {
                vec![json!({"topic": {"name": "prod"}})]
            } else {
                Vec::new()
            };
            json!({"name": repo_name(i), "nameWithOwner": format!("{ORG}/{}", repo_name(i)),
                   "isArchived": i % 50 == 49, "isFork": i % 40 == 39, "visibility": visibility(i),
                   "defaultBranchRef": {"name": "main"}, "repositoryTopics": {"nodes": topics}})
        })
        .collect();
    json!({"data": {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2026-12-03T23:00:00Z"},
        "organization": {"repositories": {"totalCount": s.size,
            "pageInfo": {"hasNextPage": end < s.size, "endCursor": format!("cursor:{end}")},
            "nodes": nodes}}}})
}

/// (reply, repository the request concerned).
fn answer(s: &OrgState, method: &str, path: &str, body: &str) -> (Reply, Option<String>) {
    if let Some(r) = s
        .extra
        .lock()
        .unwrap()
        .get(path.split('?').next().unwrap_or(""))
    {
        return (r.clone(), None);
    }
    if method == "POST" && path == "/graphql" {
        let Ok(request) = serde_json::from_str::<Value>(body) else {
            return (
                Reply::json(
                    200,
                    json!({"errors": [{"message": "Problems parsing JSON"}]}),
                ),
                None,
            );
        };
        let query = request["query"].as_str().unwrap_or("");
        let vars = request["variables"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        if query.contains("ShipgateOrgRepos") {
            if vars.get("org").and_then(Value::as_str) != Some(ORG) {
                return (
                    Reply::json(
                        200,
                        json!({"data": {"organization": null}, "errors": [{"type": "NOT_FOUND", "path": ["organization"], "message": "Could not resolve to an Organization"}]}),
                    ),
                    Some("org".into()),
                );
            }
            return (Reply::ok(org_page(s, &vars)), Some("org".into()));
        }
        let name = vars
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let Some(i) = index(&name).filter(|i| *i < s.size) else {
            return (
                Reply::json(
                    200,
                    json!({"data": {"repository": null}, "errors": [{"type": "NOT_FOUND", "path": ["repository"], "message": "Could not resolve to a Repository"}]}),
                ),
                Some(name),
            );
        };
        if s.failing.lock().unwrap().contains(&name) {
            return (Reply::error(500, "Internal Server Error"), Some(name));
        }
        let reply = if query.contains("ShipgateRemoteFiles") {
            let mut repo = serde_json::Map::new();
            for k in vars.keys().filter_map(|k| k.strip_prefix('p')) {
                repo.insert(format!("x{k}"), Value::Null);
            }
            Reply::ok(json!({"data": {"repository": repo}}))
        } else if query.contains("ShipgateRemoteHistory") {
            let start: usize = vars
                .get("after")
                .and_then(Value::as_str)
                .and_then(|c| c.strip_prefix("log:"))
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let heavy = s.merge_heavy.lock().unwrap().contains(&name);
            let object = if s.history_broken.lock().unwrap().contains(&name)
                || vars.get("head").and_then(Value::as_str) != Some(oid(i, 0).as_str())
            {
                Value::Null
            } else {
                json!({"history": log_page(i, heavy, start)})
            };
            Reply::ok(
                json!({"data": {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2026-12-03T23:00:00Z"},
                "repository": {"object": object}}}),
            )
        } else if query.contains("ShipgateRemote") {
            let heavy = s.merge_heavy.lock().unwrap().contains(&name);
            let text = s.workflows.lock().unwrap().get(&name).cloned();
            let mut answer = snapshot(i, &name, heavy, text);
            let extra = s.extra_files.lock().unwrap().get(&name).cloned();
            for (path, text) in extra.unwrap_or_default() {
                let alias = shipgate::github::snapshot::FIXED_PATHS
                    .iter()
                    .position(|p| *p == path)
                    .expect("a fixed snapshot path");
                answer["data"]["repository"][format!("f{alias}")] = blob(&text);
            }
            Reply::ok(answer)
        } else if query.contains("associatedPullRequests") {
            Reply::ok(review_answer(i, &vars))
        } else if query.contains("refUpdateRule") {
            Reply::ok(
                json!({"data": {"repository": {"ref": {"name": "main", "refUpdateRule": null, "branchProtectionRule": null}}}}),
            )
        } else {
            Reply::json(
                200,
                json!({"errors": [{"message": "the mock does not know this query"}]}),
            )
        };
        let reply = if i % 97 == 0 {
            reply.delay(s.slow)
        } else {
            reply
        };
        return (reply, Some(name));
    }
    let bare = path.split('?').next().unwrap_or("");
    let parts: Vec<&str> = bare.trim_start_matches('/').split('/').collect();
    if parts.len() < 3 || parts[0] != "repos" || parts[1] != ORG {
        return (Reply::error(404, "Not Found"), None);
    }
    let name = parts[2].to_string();
    let Some(i) = index(&name).filter(|i| *i < s.size) else {
        return (Reply::error(404, "Not Found"), Some(name));
    };
    if s.failing.lock().unwrap().contains(&name) {
        return (Reply::error(500, "Internal Server Error"), Some(name));
    }
    let rest = &parts[3..];
    let reply = match rest {
        [] => Reply::ok(
            json!({"name": name, "full_name": format!("{ORG}/{name}"), "private": i % 3 != 0,
            "html_url": format!("https://github.com/{ORG}/{name}"), "default_branch": "main",
            "archived": i % 50 == 49, "fork": i % 40 == 39, "visibility": visibility(i).to_ascii_lowercase()}),
        ),
        ["environments"] => {
            let list = if i % 5 == 0 {
                let policy = json!({"protected_branches": true, "custom_branch_policies": false});
                vec![environment(
                    1,
                    "production",
                    i % 10 != 5,
                    true,
                    policy,
                    false,
                )]
            } else {
                Vec::new()
            };
            Reply::ok(environments(list))
        }
        ["rules", "branches", ..] => Reply::ok(json!([])),
        ["branches", "main", "protection"] => {
            if i % 4 == 3 {
                Reply::error(404, "Branch not protected")
            } else {
                Reply::ok(classic_strict())
            }
        }
        _ => Reply::error(404, "Not Found"),
    };
    let reply = if i % 97 == 0 {
        reply.delay(s.slow)
    } else {
        reply
    };
    (reply, Some(name))
}

fn serve(stream: TcpStream, state: &OrgState) {
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
                if k.trim().eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body);
        let (reply, repo) = answer(state, &method, &path, &body);
        let used = state.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if method == "POST" {
            state.graphql.fetch_add(1, Ordering::SeqCst);
        }
        if let Some(r) = repo {
            *state.per_repo.lock().unwrap().entry(r).or_insert(0) += 1;
        }
        let remaining = state.limit.load(Ordering::SeqCst).saturating_sub(used);
        std::thread::sleep(
            reply.delay + Duration::from_millis(state.latency_ms.load(Ordering::Relaxed)),
        );
        let reset = now() + 3600;
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nx-ratelimit-limit: 5000\r\nx-ratelimit-remaining: {remaining}\r\nx-ratelimit-reset: {reset}\r\n",
            reply.status,
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
