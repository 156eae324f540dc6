//! `shipgate org plan ORG`: the organisation's repositories (GraphQL, 100 a page), filtered, cut into
//! shards; a matrix for `strategy.matrix` on stdout (and in `$GITHUB_OUTPUT` as `matrix=`), one shard
//! file per matrix job.

use super::{write_file, Shard, SHARD_SCHEMA};
use crate::diag::SourceDiag;
use crate::github::client::{ApiErrorKind, Client};
use crate::github::Settings;
use serde::Serialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Pages of 100 followed at most (100,000 repositories); an organisation larger than that fails closed
/// rather than being audited in part.
const MAX_PAGES: usize = 1000;
/// GitHub Actions runs at most 256 jobs of one matrix.
pub const MAX_SHARDS: usize = 256;

pub const QUERY: &str = "query ShipgateOrgRepos($org: String!, $after: String) {\n  rateLimit { cost remaining resetAt }\n  organization(login: $org) {\n    repositories(first: 100, after: $after, orderBy: {field: NAME, direction: ASC}) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { name nameWithOwner isArchived isFork visibility defaultBranchRef { name } repositoryTopics(first: 20) { nodes { topic { name } } } }\n    }\n  }\n}\n";

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub include_archived: bool,
    pub include_forks: bool,
    /// public, private, internal (any of them); empty: all.
    pub visibility: Vec<String>,
    /// Any of these topics; empty: all.
    pub topics: Vec<String>,
    /// Name globs (any); empty: all.
    pub names: Vec<String>,
    /// Only these repositories (names or OWNER/NAME, one a line, `#` comments).
    pub repos_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy)]
pub enum Sharding {
    Shards(usize),
    PerShard(usize),
}

#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub name: String,
    pub full_name: String,
    pub archived: bool,
    pub fork: bool,
    pub visibility: String,
    pub topics: Vec<String>,
    pub empty: bool,
}

pub const PLAN_SCHEMA: &str = "shipgate/org-plan@1";

/// What the plan decided, written as `plan.json` beside the shards.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub schema: &'static str,
    pub org: String,
    pub listed: usize,
    pub selected: usize,
    /// Every selected repository (`OWNER/NAME`): what `org report --plan` reconciles the results with,
    /// so a missing result is "not verified" by name.
    pub repositories: Vec<String>,
    pub excluded: std::collections::BTreeMap<String, usize>,
    /// Names in --repos-file that the organisation does not have (or the token cannot see).
    pub not_found: Vec<String>,
    pub shards: usize,
    pub requests: u32,
    pub matrix: Value,
}

/// List, filter, shard and write. Returns the plan (the CLI prints the matrix).
pub fn plan(
    org: &str,
    filters: &Filters,
    sharding: Sharding,
    out: &Path,
    settings: &Settings,
) -> Result<Plan, SourceDiag> {
    if !valid_login(org) {
        return Err(SourceDiag::plain(
            "org/bad-name",
            format!(
                "`{}` is not a GitHub organisation name",
                crate::redact::visible_line(org)
            ),
        ));
    }
    let wanted = match &filters.repos_file {
        Some(p) => Some(read_repos_file(p, org)?),
        None => None,
    };
    let names = filters
        .names
        .iter()
        .map(|g| {
            globset::GlobBuilder::new(g)
                .case_insensitive(true)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| SourceDiag::plain("org/bad-filter", format!("--name `{g}`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (all, requests) = list(org, settings)?;
    let mut excluded = std::collections::BTreeMap::new();
    let mut count = |why: &str| *excluded.entry(why.to_string()).or_insert(0) += 1;
    let mut selected = Vec::new();
    for r in &all {
        let why = if r.archived && !filters.include_archived {
            Some("archived")
        } else if r.fork && !filters.include_forks {
            Some("fork")
        } else if !filters.visibility.is_empty()
            && !filters
                .visibility
                .iter()
                .any(|v| v.eq_ignore_ascii_case(&r.visibility))
        {
            Some("visibility")
        } else if !filters.topics.is_empty()
            && !filters
                .topics
                .iter()
                .any(|t| r.topics.iter().any(|x| x.eq_ignore_ascii_case(t)))
        {
            Some("topic")
        } else if !names.is_empty() && !names.iter().any(|m| m.is_match(&r.name)) {
            Some("name")
        } else if wanted
            .as_ref()
            .is_some_and(|w| !w.iter().any(|n| n.eq_ignore_ascii_case(&r.name)))
        {
            Some("repos-file")
        } else {
            None
        };
        match why {
            Some(w) => count(w),
            None => selected.push(r.full_name.clone()),
        }
    }
    let not_found: Vec<String> = wanted
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !all.iter().any(|r| r.name.eq_ignore_ascii_case(n)))
        .collect();
    let shards = cut(&selected, sharding)?;
    let n = shards.len();
    let mut include = Vec::new();
    for (i, repos) in shards.into_iter().enumerate() {
        let file = format!("shard-{i:03}.json");
        let shard = Shard {
            schema: SHARD_SCHEMA.into(),
            org: org.to_string(),
            shard: i,
            of: n,
            repositories: repos,
        };
        let text = serde_json::to_vec_pretty(&shard)
            .map_err(|e| SourceDiag::plain("org/output", format!("cannot encode a shard: {e}")))?;
        write_file(&out.join(&file), &text)?;
        include.push(json!({"shard": file, "repositories": shard.repositories.len()}));
    }
    let plan = Plan {
        schema: PLAN_SCHEMA,
        org: org.to_string(),
        listed: all.len(),
        selected: selected.len(),
        repositories: selected.clone(),
        excluded,
        not_found,
        shards: n,
        requests,
        matrix: json!({"include": include}),
    };
    let text = serde_json::to_vec_pretty(&plan)
        .map_err(|e| SourceDiag::plain("org/output", format!("cannot encode the plan: {e}")))?;
    write_file(&out.join("plan.json"), &text)?;
    Ok(plan)
}

/// Cut the selection into contiguous, balanced shards (deterministic: names are in the API's order).
pub fn cut(repos: &[String], sharding: Sharding) -> Result<Vec<Vec<String>>, SourceDiag> {
    let n = match sharding {
        Sharding::Shards(0) | Sharding::PerShard(0) => {
            return Err(SourceDiag::plain(
                "org/bad-shards",
                "--shards and --per-shard take a number above 0",
            ))
        }
        Sharding::Shards(n) => n.min(repos.len().max(1)),
        Sharding::PerShard(k) => repos.len().div_ceil(k).max(1),
    };
    if n > MAX_SHARDS {
        return Err(SourceDiag::plain(
            "org/bad-shards",
            format!("{n} shards: a GitHub Actions matrix runs at most {MAX_SHARDS} jobs"),
        )
        .with_help("raise --per-shard, or lower --shards"));
    }
    Ok((0..n)
        .map(|i| repos[i * repos.len() / n..(i + 1) * repos.len() / n].to_vec())
        .collect())
}

/// Every repository of the organisation, following `pageInfo` (fails closed past `MAX_PAGES`).
pub fn list(org: &str, settings: &Settings) -> Result<(Vec<Listed>, u32), SourceDiag> {
    let unavailable = |detail: String| {
        SourceDiag::plain("org/unavailable", detail).with_help(
            "check the token (a GitHub App installation token with Metadata: read on the organisation) and GITHUB_API_URL",
        )
    };
    let Some(token) = settings.token.clone() else {
        return Err(SourceDiag::plain(
            "remote/no-token",
            "org plan needs a token: set GITHUB_TOKEN or GH_TOKEN",
        ));
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| unavailable(format!("cannot start the async runtime: {e}")))?;
    let _context = runtime.enter();
    let client = Client::new(&settings.api_url, token, settings.retry)
        .map_err(|e| unavailable(e.to_string()))?;
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let body = json!({"query": QUERY, "variables": {"org": org, "after": after}});
        let answer = runtime
            .block_on(client.graphql(&body))
            .map_err(|e| unavailable(e.to_string()))?;
        let value: Value = serde_json::from_str(&answer.body).map_err(|e| {
            unavailable(
                client
                    .fail_graphql(
                        ApiErrorKind::Malformed,
                        format!("the GraphQL response is not JSON ({e})"),
                    )
                    .to_string(),
            )
        })?;
        if !(200..300).contains(&answer.status) || value["errors"].is_array() {
            let message = value["errors"][0]["message"]
                .as_str()
                .or(value["message"].as_str())
                .unwrap_or("no message");
            return Err(unavailable(format!(
                "listing the repositories of {org} failed ({}): {}",
                answer.status,
                crate::redact::visible_line(message)
            )));
        }
        let repos = &value["data"]["organization"]["repositories"];
        let Some(nodes) = repos["nodes"].as_array() else {
            return Err(unavailable(format!(
                "organisation {org} is not visible to this token"
            )));
        };
        for n in nodes {
            let (Some(name), Some(full)) = (n["name"].as_str(), n["nameWithOwner"].as_str()) else {
                continue;
            };
            if crate::github::RepoId::parse(full).is_none() {
                continue;
            }
            out.push(Listed {
                name: name.to_string(),
                full_name: full.to_string(),
                archived: n["isArchived"].as_bool().unwrap_or(false),
                fork: n["isFork"].as_bool().unwrap_or(false),
                visibility: n["visibility"].as_str().unwrap_or("").to_ascii_lowercase(),
                topics: n["repositoryTopics"]["nodes"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|x| x["topic"]["name"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                empty: n["defaultBranchRef"].is_null(),
            });
        }
        let page = &repos["pageInfo"];
        if page["hasNextPage"].as_bool() != Some(true) {
            return Ok((out, client.request_count()));
        }
        match page["endCursor"].as_str() {
            Some(c) => after = Some(c.to_string()),
            None => {
                return Err(unavailable(
                    "the repository list says it goes on but gives no cursor".into(),
                ))
            }
        }
    }
    Err(unavailable(format!(
        "the repository list goes on past {MAX_PAGES} pages; shipgate does not audit part of an organisation"
    )))
}

fn valid_login(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Names from a file: `name` or `OWNER/name` (another owner is an error), `#` comments, blank lines.
fn read_repos_file(path: &Path, org: &str) -> Result<Vec<String>, SourceDiag> {
    let shown = crate::redact::visible_line(&path.display().to_string()).into_owned();
    let text = std::fs::read_to_string(path).map_err(|e| {
        SourceDiag::plain(
            "org/bad-filter",
            format!("cannot read --repos-file {shown}: {e}"),
        )
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let name = match line.split_once('/') {
            Some((owner, name)) if owner.eq_ignore_ascii_case(org) => name,
            Some(_) => {
                return Err(SourceDiag::plain(
                    "org/bad-filter",
                    format!(
                        "{shown}:{}: `{}` is not in organisation {org}",
                        i + 1,
                        crate::redact::visible_line(line)
                    ),
                ))
            }
            None => line,
        };
        if crate::github::RepoId::parse(&format!("{org}/{name}")).is_none() {
            return Err(SourceDiag::plain(
                "org/bad-filter",
                format!(
                    "{shown}:{}: `{}` is not a repository name",
                    i + 1,
                    crate::redact::visible_line(line)
                ),
            ));
        }
        out.push(name.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_balanced_and_bounded() {
        let repos: Vec<String> = (0..10).map(|i| format!("r{i}")).collect();
        let s = cut(&repos, Sharding::Shards(3)).unwrap_or_default();
        assert_eq!(s.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 3, 4]);
        let s = cut(&repos, Sharding::PerShard(4)).unwrap_or_default();
        assert_eq!(s.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 3, 4]);
        assert!(cut(&repos, Sharding::Shards(0)).is_err());
        let many: Vec<String> = (0..1000).map(|i| format!("r{i}")).collect();
        assert!(cut(&many, Sharding::PerShard(1)).is_err());
        assert_eq!(cut(&[], Sharding::Shards(4)).map(|s| s.len()).ok(), Some(1));
    }
}
