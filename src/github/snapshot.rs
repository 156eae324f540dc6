//! `check --remote`: the files the GitHub-facing checks read (workflows, CODEOWNERS, shipgate's config,
//! process documents) and the default branch's recent history, read through GraphQL without a clone —
//! usually in ONE query, a second only when the tree listings name a document the first did not ask for.
//!
//! Everything here is hostile input: file names from the tree listings are refused when they could
//! leave the directory they are written into (`..`, `/`, `\`, control characters, `.git`), symbolic
//! links and submodules are not followed, binary or truncated blobs are left out and said to be.

use super::client::{ApiError, ApiErrorKind, Client};
use super::RepoId;
use crate::config::Config;
use crate::repo::evidence::{self, BranchEvidence, CommitArrival, EvidenceSource, HistoryFacts};
use crate::repo::history::{self, CommitFacts, DeployBranch, MergedSide, Person, Window};
use serde_json::{json, Value};

/// Commits of the default branch's log read a query. GitHub's `history` is `git log` order (all
/// ancestors), so the first-parent line is rebuilt from it; in a merge-heavy history 100 entries cover
/// fewer first-parent commits than the window, so further pages are read (`extend_history`).
pub const HISTORY_ENTRIES: usize = 100;
/// Pages of the log read at most (the first query's included): past that, the rest of the window is
/// reported as not evaluated, never silently left out.
pub const MAX_HISTORY_PAGES: u32 = 10;
/// A file larger than this is left out (GitHub's GraphQL `text` is truncated past ~512 KB anyway).
pub const MAX_FILE: u64 = 1024 * 1024;
/// Extra documents asked for in the follow-up query, at most.
const MAX_EXTRA: usize = 40;

/// Paths asked for by name in the first query: where GitHub and shipgate look, in their usual spelling.
pub const FIXED_PATHS: &[&str] = &[
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    "shipgate.toml",
    ".github/shipgate.toml",
    ".shipgate/baseline.json",
    "README.md",
    "CONTRIBUTING.md",
    ".github/CONTRIBUTING.md",
    ".github/pull_request_template.md",
];

/// Directories listed (names only) to find documents spelt otherwise (`readme.rst`, `docs/RELEASING.md`).
const LISTED_DIRS: &[(&str, &str)] = &[
    ("root", ""),
    ("dotgithub", ".github"),
    ("docs", "docs"),
    ("doc", "doc"),
    ("prtemplates", ".github/pull_request_template"),
];

#[derive(Debug, Clone)]
pub struct RemoteCommit {
    pub oid: String,
    pub message: String,
    /// Committer date, Unix seconds.
    pub time: i64,
    pub author: Person,
    pub committer: Person,
    pub parents: Vec<String>,
}

/// What the query returned, ready to be written into a directory.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// None: the repository is empty (no default branch).
    pub default_branch: Option<String>,
    pub head: Option<String>,
    pub archived: bool,
    pub visibility: String,
    /// (relative path, text), paths already validated.
    pub files: Vec<(String, String)>,
    /// Files seen but not read, with why (shown in the summary as not evaluated).
    pub left_out: Vec<String>,
    /// The default branch's log, newest first, as GitHub returned it.
    pub log: Vec<RemoteCommit>,
    /// Where the log goes on (GitHub's `endCursor`), when it does.
    pub log_next: Option<String>,
    /// Pages of the log read.
    pub log_pages: u32,
    /// Why the first-parent line stops before the history window is covered, when it does: the review
    /// evidence beyond it is not evaluated (and said so).
    pub history_gap: Option<String>,
    /// GraphQL queries sent.
    pub queries: u32,
}

const BLOB: &str = "fragment B on Blob { byteSize isBinary isTruncated text }";

/// What a page of the log asks for: where it goes on, and each commit.
const LOG_FIELDS: &str = "pageInfo { hasNextPage endCursor } nodes { oid message committedDate author { name email } committer { name email } parents(first: 2) { nodes { oid } } }";

/// The next page of the default branch's log, from the head commit the first query saw (its id and the
/// cursor travel as variables).
pub fn history_query() -> String {
    format!(
        "query ShipgateRemoteHistory($owner: String!, $name: String!, $head: GitObjectID!, $after: String!) {{\n  rateLimit {{ cost remaining resetAt }}\n  repository(owner: $owner, name: $name) {{\n    object(oid: $head) {{ ... on Commit {{ history(first: {HISTORY_ENTRIES}, after: $after) {{ {LOG_FIELDS} }} }} }}\n  }}\n}}\n"
    )
}

/// The first query: repository facts, the default branch's log, the workflows (with text), the tree
/// listings, and the fixed paths.
pub fn first_query() -> String {
    let mut q = String::from(
        "query ShipgateRemote($owner: String!, $name: String!) {\n  rateLimit { cost remaining resetAt }\n  repository(owner: $owner, name: $name) {\n    nameWithOwner isArchived isEmpty visibility\n",
    );
    q.push_str(&format!(
        "    defaultBranchRef {{ name target {{ ... on Commit {{ oid history(first: {HISTORY_ENTRIES}) {{ {LOG_FIELDS} }} }} }} }}\n"
    ));
    q.push_str("    workflows: object(expression: \"HEAD:.github/workflows\") { ... on Tree { entries { name type mode object { ...B } } } }\n");
    for (alias, dir) in LISTED_DIRS {
        q.push_str(&format!(
            "    {alias}: object(expression: \"HEAD:{dir}\") {{ ... on Tree {{ entries {{ name type mode }} }} }}\n"
        ));
    }
    for (i, path) in FIXED_PATHS.iter().enumerate() {
        q.push_str(&format!(
            "    f{i}: object(expression: \"HEAD:{path}\") {{ ...B }}\n"
        ));
    }
    q.push_str("  }\n}\n");
    q.push_str(BLOB);
    q
}

/// The follow-up query for documents the listings named: paths travel as variables, never in the text.
pub fn extra_query(count: usize) -> String {
    let vars: String = (0..count).map(|i| format!(", $p{i}: String!")).collect();
    let fields: String = (0..count)
        .map(|i| format!("    x{i}: object(expression: $p{i}) {{ ...B }}\n"))
        .collect();
    format!(
        "query ShipgateRemoteFiles($owner: String!, $name: String!{vars}) {{\n  rateLimit {{ cost remaining resetAt }}\n  repository(owner: $owner, name: $name) {{\n{fields}  }}\n}}\n{BLOB}"
    )
}

/// Read the repository's snapshot. Err: the repository could not be read at all (fails closed).
pub async fn fetch(client: &Client, repo: &RepoId) -> Result<Snapshot, ApiError> {
    let body =
        json!({"query": first_query(), "variables": {"owner": repo.owner, "name": repo.name}});
    let data = ask(client, &body).await?;
    let mut snap = Snapshot {
        queries: 1,
        ..Snapshot::default()
    };
    let r = &data["repository"];
    snap.archived = r["isArchived"].as_bool().unwrap_or(false);
    snap.visibility = r["visibility"].as_str().unwrap_or("").to_ascii_lowercase();
    if let Some(branch) = r["defaultBranchRef"].as_object() {
        snap.default_branch = branch
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let target = &branch.get("target").cloned().unwrap_or(Value::Null);
        snap.head = target["oid"].as_str().map(str::to_string);
        take_log_page(&mut snap, &target["history"]);
    }
    // Workflows: every entry of `.github/workflows`, with its text.
    if let Some(entries) = r["workflows"]["entries"].as_array() {
        for e in entries {
            let name = e["name"].as_str().unwrap_or("");
            match entry_name(name) {
                Err(why) => snap.left_out.push(format!(".github/workflows/{why}")),
                Ok(name) if e["type"] == "blob" => take_blob(
                    &mut snap,
                    &format!(".github/workflows/{name}"),
                    e.get("mode"),
                    &e["object"],
                ),
                Ok(_) => {}
            }
        }
    }
    for (i, path) in FIXED_PATHS.iter().enumerate() {
        let blob = &r[format!("f{i}").as_str()];
        if !blob.is_null() {
            take_blob(&mut snap, path, None, blob);
        }
    }
    // Documents the listings name that the fixed paths did not cover.
    let mut extra: Vec<String> = Vec::new();
    for (alias, dir) in LISTED_DIRS {
        let Some(entries) = r[*alias]["entries"].as_array() else {
            continue;
        };
        for e in entries {
            let raw = e["name"].as_str().unwrap_or("");
            let name = match entry_name(raw) {
                Ok(n) => n,
                Err(why) => {
                    if *alias != "root" {
                        snap.left_out.push(format!("{dir}/{why}"));
                    }
                    continue;
                }
            };
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            let wanted = crate::repo::collect::is_process_doc(&path)
                || crate::repo::codeowners::LOCATIONS.contains(&path.as_str());
            if e["type"] == "blob"
                && wanted
                && !snap.files.iter().any(|(p, _)| *p == path)
                && !FIXED_PATHS.contains(&path.as_str())
            {
                extra.push(path);
            }
        }
    }
    if extra.len() > MAX_EXTRA {
        snap.left_out.push(format!(
            "{} more process documents than the {MAX_EXTRA} read",
            extra.len() - MAX_EXTRA
        ));
        extra.truncate(MAX_EXTRA);
    }
    if !extra.is_empty() {
        let mut variables = json!({"owner": repo.owner, "name": repo.name});
        for (i, p) in extra.iter().enumerate() {
            variables[format!("p{i}")] = Value::String(format!("HEAD:{p}"));
        }
        let body = json!({"query": extra_query(extra.len()), "variables": variables});
        let data = ask(client, &body).await?;
        snap.queries += 1;
        for (i, p) in extra.iter().enumerate() {
            let blob = &data["repository"][format!("x{i}").as_str()];
            if !blob.is_null() {
                take_blob(&mut snap, p, None, blob);
            }
        }
    }
    snap.files.sort();
    snap.files.dedup_by(|a, b| a.0 == b.0);
    Ok(snap)
}

/// Append one page of the log (`history { pageInfo nodes }`) and remember where it goes on.
fn take_log_page(snap: &mut Snapshot, history: &Value) {
    snap.log_pages += 1;
    if let Some(nodes) = history["nodes"].as_array() {
        snap.log.extend(nodes.iter().filter_map(commit));
    }
    snap.log_next = match (
        history["pageInfo"]["hasNextPage"].as_bool(),
        history["pageInfo"]["endCursor"].as_str(),
    ) {
        (Some(true), Some(cursor)) => Some(cursor.to_string()),
        _ => None,
    };
}

/// How far the first-parent line rebuilt from the log reaches into the history window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// It covers the window: it reaches the window's limit (count or date) or the root commit.
    Covered,
    /// It stops after `read` commits: the next first-parent commit is not in the log read so far.
    Stops { read: usize, missing: String },
}

/// Walk the first-parent line through the log as `history_facts` will, and say whether it covers the
/// window.
pub fn line(snap: &Snapshot, window: &Window) -> Line {
    let Some(head) = &snap.head else {
        return Line::Covered;
    };
    let by_id: std::collections::HashMap<&str, &RemoteCommit> =
        snap.log.iter().map(|c| (c.oid.as_str(), c)).collect();
    let mut read = 0usize;
    let mut next = head.as_str();
    loop {
        let Some(c) = by_id.get(next) else {
            return Line::Stops {
                read,
                missing: next.to_string(),
            };
        };
        if window.max_commits.is_some_and(|m| read >= m) || window.since.is_some_and(|s| c.time < s)
        {
            return Line::Covered;
        }
        read += 1;
        match c.parents.first() {
            Some(p) => next = p.as_str(),
            None => return Line::Covered,
        }
    }
}

/// Read further pages of the log until the first-parent line covers the history window, the log ends,
/// or `MAX_HISTORY_PAGES` are read. A line that still stops short is recorded in `history_gap`: the
/// commits beyond it are reported as not evaluated, and the review period is never silently shorter.
pub async fn extend_history(client: &Client, repo: &RepoId, snap: &mut Snapshot, window: &Window) {
    loop {
        let Line::Stops { read, missing } = line(snap, window) else {
            return;
        };
        let short = &missing[..missing.len().min(7)];
        let gap = |why: String| {
            format!(
                "the first-parent history of the default branch was read for {read} commit(s); the rest of the history window (from {short} on) was not evaluated: {why}"
            )
        };
        let (Some(head), Some(cursor)) = (snap.head.clone(), snap.log_next.clone()) else {
            snap.history_gap = Some(gap("the API's log ended without reaching it".to_string()));
            return;
        };
        if snap.log_pages >= MAX_HISTORY_PAGES {
            snap.history_gap = Some(gap(format!(
                "{} commits of the log read ({MAX_HISTORY_PAGES} pages, shipgate's cap)",
                snap.log.len()
            )));
            return;
        }
        let body = json!({
            "query": history_query(),
            "variables": {"owner": repo.owner, "name": repo.name, "head": head, "after": cursor}
        });
        snap.queries += 1;
        match ask(client, &body).await {
            Ok(data) => {
                let history = &data["repository"]["object"]["history"];
                if history.is_null() {
                    snap.history_gap =
                        Some(gap("the API gave no further page of the log".to_string()));
                    return;
                }
                take_log_page(snap, history);
            }
            Err(e) => {
                snap.history_gap = Some(gap(format!("reading more of the log failed: {e}")));
                return;
            }
        }
    }
}

/// POST one query; the `data` of a usable answer, else the failure (recorded by the client).
async fn ask(client: &Client, body: &Value) -> Result<Value, ApiError> {
    let answer = client.graphql(body).await?;
    let fail = |kind, detail: String| client.fail_graphql(kind, detail);
    let value: Value = serde_json::from_str(&answer.body).map_err(|e| {
        fail(
            ApiErrorKind::Malformed,
            format!("the GraphQL response is not JSON ({e})"),
        )
    })?;
    if !(200..300).contains(&answer.status) {
        let message = value["message"].as_str().unwrap_or("no message");
        let message = crate::redact::visible_line(message)
            .chars()
            .take(200)
            .collect::<String>();
        let kind = if answer.status >= 500 {
            ApiErrorKind::Server
        } else {
            ApiErrorKind::Malformed
        };
        return Err(fail(kind, format!("{} {message}", answer.status)));
    }
    let errors = value["errors"].as_array().cloned().unwrap_or_default();
    let error_type = |t: &str| errors.iter().find(|e| e["type"] == t);
    if let Some(e) = error_type("RATE_LIMITED") {
        return Err(fail(ApiErrorKind::RateLimited, message_of(e)));
    }
    if value["data"]["repository"].is_null() {
        return Err(match error_type("NOT_FOUND").or(errors.first()) {
            Some(e) if e["type"] == "NOT_FOUND" => {
                fail(ApiErrorKind::RepositoryNotFound, message_of(e))
            }
            Some(e) => fail(ApiErrorKind::Malformed, message_of(e)),
            None => fail(
                ApiErrorKind::RepositoryNotFound,
                "`repository` is null: the repository is not visible to this token".into(),
            ),
        });
    }
    // Any other error leaves part of the data null: a file we then cannot tell from a missing one.
    if let Some(e) = errors.first() {
        return Err(fail(
            ApiErrorKind::Malformed,
            format!("the query came back with errors: {}", message_of(e)),
        ));
    }
    Ok(value["data"].clone())
}

fn message_of(e: &Value) -> String {
    let m = e["message"].as_str().unwrap_or("no message");
    crate::redact::visible_line(m).chars().take(200).collect()
}

/// A tree entry's name, if it is safe to write as one path component.
pub fn entry_name(name: &str) -> Result<&str, String> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.eq_ignore_ascii_case(".git")
        || name.contains(['/', '\\', ':'])
        || name.chars().any(|c| c.is_control());
    if bad {
        Err(format!(
            "{}: a file name shipgate does not write (empty, `..`, `.git`, a separator or a control character)",
            crate::redact::visible_line(name)
        ))
    } else {
        Ok(name)
    }
}

/// Keep a blob's text, or say why not.
fn take_blob(snap: &mut Snapshot, path: &str, mode: Option<&Value>, blob: &Value) {
    // 0o120000: a symbolic link (its "text" is the target); 0o160000: a submodule.
    if mode
        .and_then(Value::as_u64)
        .is_some_and(|m| m == 0o120000 || m == 0o160000)
    {
        snap.left_out.push(format!(
            "{path}: a symbolic link or submodule, not followed"
        ));
        return;
    }
    let size = blob["byteSize"].as_u64().unwrap_or(0);
    if blob["isBinary"].as_bool().unwrap_or(false) {
        snap.left_out.push(format!("{path}: binary"));
    } else if blob["isTruncated"].as_bool().unwrap_or(false) || size > MAX_FILE {
        snap.left_out.push(format!(
            "{path}: larger than shipgate reads through the API ({size} bytes)"
        ));
    } else if let Some(text) = blob["text"].as_str() {
        snap.files.push((path.to_string(), text.to_string()));
    } else {
        snap.left_out.push(format!("{path}: no text in the answer"));
    }
}

fn commit(v: &Value) -> Option<RemoteCommit> {
    let person = |p: &Value| Person {
        name: p["name"].as_str().unwrap_or("").to_string(),
        email: p["email"].as_str().unwrap_or("").to_string(),
    };
    Some(RemoteCommit {
        oid: v["oid"].as_str()?.to_string(),
        message: v["message"].as_str().unwrap_or("").to_string(),
        time: parse_time(v["committedDate"].as_str()?)?,
        author: person(&v["author"]),
        committer: person(&v["committer"]),
        parents: v["parents"]["nodes"]
            .as_array()?
            .iter()
            .filter_map(|p| p["oid"].as_str().map(str::to_string))
            .collect(),
    })
}

/// `2024-01-27T19:01:12Z` (or with an offset, `+02:00`) as Unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = history::days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
    let mut secs = days * 86_400 + num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    let rest = s.get(19..)?;
    let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if let Some(sign) = rest.chars().next().filter(|c| *c == '+' || *c == '-') {
        let h = rest.get(1..3)?.parse::<i64>().ok()?;
        let m = rest.get(4..6)?.parse::<i64>().ok()?;
        let off = h * 3600 + m * 60;
        secs -= if sign == '+' { off } else { -off };
    }
    Some(secs)
}

/// The shared history facts from the remote log: the default branch's first-parent line within the
/// configured window, classified exactly as a local walk would be (merges without the side commits
/// they brought in count as plain merges).
pub fn history_facts(snap: &Snapshot, config: &Config, now: i64) -> HistoryFacts {
    let (Some(branch), Some(head)) = (&snap.default_branch, &snap.head) else {
        return HistoryFacts {
            skipped: Some(evidence::Skip::NoDeployBranch),
            ..HistoryFacts::default()
        };
    };
    let Ok(head_oid) = git2::Oid::from_str(head) else {
        return HistoryFacts {
            skipped: Some(evidence::Skip::Failed(
                "the default branch's head is not a commit id".into(),
            )),
            ..HistoryFacts::default()
        };
    };
    let window = Window::from_config(&config.history, now);
    let by_id: std::collections::HashMap<&str, &RemoteCommit> =
        snap.log.iter().map(|c| (c.oid.as_str(), c)).collect();
    let mut commits = Vec::new();
    let mut next = Some(head.as_str());
    let mut complete = false;
    while let Some(id) = next {
        let Some(c) = by_id.get(id) else { break };
        if window.max_commits.is_some_and(|m| commits.len() >= m)
            || window.since.is_some_and(|s| c.time < s)
        {
            break;
        }
        let Ok(oid) = git2::Oid::from_str(&c.oid) else {
            break;
        };
        let parents: Vec<git2::Oid> = c
            .parents
            .iter()
            .filter_map(|p| git2::Oid::from_str(p).ok())
            .collect();
        let facts = CommitFacts {
            id: oid,
            merged: (parents.len() > 1).then_some(MergedSide::Unknown),
            parents,
            author: c.author.clone(),
            committer: c.committer.clone(),
            time: c.time,
            subject: c.message.lines().next().unwrap_or("").to_string(),
            trailers: history::trailers(&c.message),
        };
        if facts.parents.is_empty() {
            complete = true;
        }
        let arrival = evidence::arrival(&facts, branch, &config.history.exempt_authors);
        commits.push(CommitArrival {
            commit: facts,
            arrival,
            source: EvidenceSource::Git,
        });
        next = c.parents.first().map(String::as_str);
    }
    HistoryFacts {
        skipped: None,
        patterns: vec![branch.clone()],
        unmatched: Vec::new(),
        branches: vec![BranchEvidence {
            branch: DeployBranch {
                name: branch.clone(),
                refname: format!("github:refs/heads/{branch}"),
                head: head_oid,
            },
            commits,
            complete,
        }],
        stale: Vec::new(),
    }
}

/// What `check --remote` leaves out, for the summary: never silent.
pub fn not_evaluated(remote: &super::RemoteTarget) -> Vec<crate::status::NotEvaluated> {
    let mut out = vec![crate::status::NotEvaluated {
        families: vec!["data", "leak", "switch", "access"],
        what: "file contents beyond workflows, CODEOWNERS, shipgate's config and process documents"
            .into(),
        why:
            "--remote reads no clone: test data, leaks, switches and access files were not scanned"
                .into(),
    }];
    if let Some(gap) = &remote.history_gap {
        out.push(crate::status::NotEvaluated {
            families: vec!["review"],
            what: "review evidence for the rest of the history window".into(),
            why: crate::redact::visible_line(gap).into_owned(),
        });
    }
    if !remote.left_out.is_empty() {
        out.push(crate::status::NotEvaluated {
            families: vec!["workflow", "owners", "process"],
            what: format!(
                "{} file(s) seen through the API but not read",
                remote.left_out.len()
            ),
            why: remote
                .left_out
                .iter()
                .take(5)
                .map(|s| crate::redact::visible_line(s).into_owned())
                .collect::<Vec<_>>()
                .join("; "),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            ".git",
            ".GIT",
            "a/b",
            "a\\b",
            "x\ny",
            "c:d",
            "\u{1b}[31m",
        ] {
            assert!(entry_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(entry_name("deploy.yml"), Ok("deploy.yml"));
        assert_eq!(entry_name("..foo"), Ok("..foo"));
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2024-01-27T19:01:12Z"), Some(1_706_382_072));
        assert_eq!(parse_time("2024-01-27T21:01:12+02:00"), Some(1_706_382_072));
        assert_eq!(parse_time("nonsense"), None);
    }

    #[test]
    fn the_first_parent_line_is_rebuilt_from_the_log() {
        let person = |n: &str| Person {
            name: n.into(),
            email: format!("{n}@example.org"),
        };
        let c = |oid: char, parents: &[char], msg: &str, time: i64| RemoteCommit {
            oid: oid.to_string().repeat(40),
            message: msg.into(),
            time,
            author: person("ann"),
            committer: person("ann"),
            parents: parents.iter().map(|p| p.to_string().repeat(40)).collect(),
        };
        // a (merge of b and side c) ← b (squash) ← d (root); `git log` order interleaves the side commit.
        let snap = Snapshot {
            default_branch: Some("main".into()),
            head: Some("a".repeat(40)),
            log: vec![
                c('a', &['b', 'c'], "Merge pull request #2 from x/y", 400),
                c('c', &['b'], "side work", 300),
                c('b', &['d'], "Add thing (#1)", 200),
                c('d', &[], "Initial", 100),
            ],
            ..Snapshot::default()
        };
        let facts = history_facts(&snap, &Config::default(), 500);
        let b = &facts.branches[0];
        let ids: Vec<String> = b.commits.iter().map(|e| e.commit.short()).collect();
        assert_eq!(ids, vec!["aaaaaaa", "bbbbbbb", "ddddddd"]);
        assert!(b.complete);
        assert_eq!(b.commits[0].arrival, evidence::Arrival::Merge);
        assert_eq!(
            b.commits[1].arrival,
            evidence::Arrival::SquashMerge { pr: 1 }
        );
        assert_eq!(b.commits[2].arrival, evidence::Arrival::Root);
        // An empty repository has no deployment branch.
        let empty = history_facts(&Snapshot::default(), &Config::default(), 500);
        assert_eq!(empty.skipped, Some(evidence::Skip::NoDeployBranch));
    }

    #[test]
    fn queries_name_only_schema_fields() {
        let q = first_query();
        assert!(q.contains("object(expression: \"HEAD:.github/workflows\")"));
        assert!(extra_query(2).contains("$p1: String!"));
    }
}
