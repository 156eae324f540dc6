//! GitHub checks against a local stand-in for the REST API: effective branch protection (classic and
//! rulesets), deployment environments, review evidence, and every way the API can fail.

use crate::common::*;
use crate::mock_github::*;
use serde_json::{json, Value};
use std::time::Duration;

pub(crate) const TOKEN: &str = "ghp_testtoken0123456789abcdefABCDEF0123";

pub(crate) struct World {
    pub(crate) repo: Repo,
    pub(crate) mock: MockGithub,
    pub(crate) commits: Vec<String>,
}

fn head(n: usize) -> String {
    format!("{n:0>40}").replace('0', "a")
}

/// A repository that satisfies every default requirement: strict classic protection, a reviewed and
/// protected `production` environment, and two commits each merged through an approved pull request.
pub(crate) fn world() -> World {
    let repo = Repo::new();
    repo.write(".github/CODEOWNERS", "* @octo-org/release\n")
        .write("src/app.py", "x = 1\n");
    let mut commits = vec![repo.commit("first").to_string()];
    repo.write("src/app.py", "x = 2\n");
    commits.push(repo.commit("second").to_string());
    let w = world_for(repo, commits);
    for (i, sha) in w.commits.iter().enumerate() {
        merged(
            &w.mock,
            i + 1,
            sha,
            "dev1",
            "User",
            vec![review(
                i as u64 * 10 + 1,
                "dev2",
                "User",
                "APPROVED",
                &head(i + 1),
            )],
        );
    }
    w
}

/// `repo` behind a GitHub with strict classic protection on `main` and a protected `production`
/// environment; no pull requests yet.
fn world_for(repo: Repo, commits: Vec<String>) -> World {
    let mock = MockGithub::start();
    mock.on(&api(""), Reply::ok(repository("main")))
        .on(
            &api("/branches/main/protection"),
            Reply::ok(classic_strict()),
        )
        .on(&api("/rules/branches/main"), Reply::ok(json!([])))
        .ref_rules(
            "main",
            ref_update_rule_strict(),
            Some(branch_protection_rule_strict()),
        )
        .on(
            &api("/environments"),
            Reply::ok(environments(vec![environment(
                161088068,
                "production",
                true,
                true,
                json!({"protected_branches": true, "custom_branch_policies": false}),
                false,
            )])),
        );
    World {
        repo,
        mock,
        commits,
    }
}

/// Commit `sha` reached main through PR #n by `author`, with these reviews.
fn merged(mock: &MockGithub, n: usize, sha: &str, author: &str, kind: &str, reviews: Vec<Value>) {
    mock.commit_pulls(
        sha,
        vec![gql_pull(
            &pull(n as u64, author, kind, &head(n), sha),
            &reviews,
        )],
    );
}

/// The commit ids the review queries asked about, in order.
pub(crate) fn asked_commits(mock: &MockGithub) -> Vec<String> {
    mock.graphql_queries()
        .iter()
        .flat_map(|q| {
            let vars = q["variables"].as_object().cloned().unwrap_or_default();
            let mut oids: Vec<(usize, String)> = vars
                .iter()
                .filter_map(|(k, v)| {
                    Some((k.strip_prefix('o')?.parse().ok()?, v.as_str()?.to_string()))
                })
                .collect();
            oids.sort();
            oids.into_iter().map(|(_, o)| o)
        })
        .collect()
}

pub(crate) fn gh(w: &World, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = shipgate(args, w.repo.path());
    cmd.env("GITHUB_API_URL", w.mock.url())
        .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
        .env("GITHUB_TOKEN", TOKEN)
        .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "10")
        .env("SHIPGATE_GITHUB_TIMEOUT_MS", "3000");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let r: Run = cmd.output().expect("run shipgate").into();
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token leaked:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    r
}

pub(crate) fn gh_json(w: &World, env: &[(&str, &str)]) -> (i32, Value) {
    let r = gh(w, &["check", "--format", "json"], env);
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", r.stdout, r.stderr));
    (r.code, v)
}

/// (rule, setting name) of every finding.
fn settings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["location"]["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(report: &Value, rule: &str, name: &str) -> bool {
    settings(report).iter().any(|(r, n)| r == rule && n == name)
}

pub(crate) fn message(report: &Value, rule: &str, name: &str) -> String {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["location"]["name"] == name)
        .map(|f| {
            format!(
                "{} | help: {} | url: {}",
                f["message"], f["help"], f["location"]["url"]
            )
        })
        .unwrap_or_else(|| panic!("no {rule} at {name} in {:#}", report["findings"]))
}

#[test]
fn a_protected_reviewed_repository_passes_and_the_token_is_only_in_the_header() {
    let w = world();
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(settings(&report), vec![]);
    assert_eq!(report["not_evaluated"], json!([]));
    let score = &report["github"]["branches"][0];
    assert_eq!(score["name"], "main");
    assert_eq!(score["scorecard"]["score"], 10, "{score:#}");
    // Sent as a header on every request, never printed (checked in `gh`).
    let requests = w.mock.requests();
    assert!(requests.iter().all(|r| (r.method == "GET"
        || (r.method == "POST" && r.path == "/graphql"))
        && r.authorization.as_deref() == Some(&format!("Bearer {TOKEN}") as &str)));
    // Review evidence: one GraphQL query for the whole window, asking about every commit but the root
    // commit, which (as offline) needs no review: nothing existed to review it against.
    assert_eq!(w.mock.graphql_queries().len(), 1);
    assert_eq!(asked_commits(&w.mock), vec![w.commits[1].clone()]);
    assert_eq!(
        w.mock
            .hits(&api(&format!("/commits/{}/pulls", w.commits[1]))),
        0
    );
    let human = gh(&w, &["check"], &[]);
    assert!(
        human
            .stdout
            .contains("Scorecard Branch-Protection for `main` (for comparison): 10/10"),
        "{}",
        human.stdout
    );
}

#[test]
fn classic_protection_shortfalls_are_located_at_the_setting() {
    let w = world();
    let weak = with(
        with(
            classic_strict(),
            "/required_pull_request_reviews/required_approving_review_count",
            json!(0),
        ),
        "/allow_force_pushes/enabled",
        json!(true),
    );
    let weak = with(
        weak,
        "/required_pull_request_reviews/dismiss_stale_reviews",
        json!(false),
    );
    w.mock
        .on(&api("/branches/main/protection"), Reply::ok(weak));
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report:#}");
    let m = message(
        &report,
        "branch/weak-protection",
        "required_approving_review_count",
    );
    assert!(m.contains("required_approving_review_count = 0, required ≥ 1 (read from classic branch protection)"), "{m}");
    assert!(
        m.contains(&format!("url: \"{HTML}/settings/branches\"")),
        "{m}"
    );
    assert!(has(&report, "branch/weak-protection", "allow_force_pushes"));
    assert!(
        message(&report, "branch/weak-protection", "allow_force_pushes")
            .contains("allow_force_pushes = true, required false")
    );
    assert!(has(
        &report,
        "branch/weak-protection",
        "dismiss_stale_reviews"
    ));
    assert_eq!(settings(&report).len(), 3, "{:?}", settings(&report));
    // The Scorecard comparison falls too, and says what would raise it.
    let sc = &report["github"]["branches"][0]["scorecard"];
    assert_eq!(sc["score"], 1, "{sc:#}");
    assert!(
        sc["raise"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["setting"] == "block force pushes" && r["score_if_fixed"] == 4),
        "{sc:#}"
    );
}

#[test]
fn rulesets_alone_decide_when_classic_protection_is_unreadable() {
    let w = world();
    w.mock
        .on(
            &api("/branches/main/protection"),
            Reply::error(403, "Resource not accessible by integration"),
        )
        .on(&api("/rules/branches/main"), Reply::ok(rules_strict(42)))
        .on(
            &api("/rulesets/42"),
            Reply::ok(ruleset(42, "protect main", Some(json!([])))),
        )
        // GraphQL: no classic rule is enforced on this token; the admin-only rule is not visible.
        .ref_rules("main", Value::Null, None);
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    // Scorecard sees the ruleset too; the unreadable classic settings are listed.
    assert_eq!(report["github"]["branches"][0]["scorecard"]["score"], 10);

    // A ruleset that hides its bypass list from this token: who can bypass is unknown, and said so.
    w.mock.on(
        &api("/rulesets/42"),
        Reply::ok(ruleset(42, "protect main", None)),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report:#}");
    let m = message(&report, "branch/unverified", "bypass_actors");
    assert!(
        m.contains("ruleset \\\"protect main\\\" (id 42) does not show its bypass actors"),
        "{m}"
    );
    assert!(m.contains("Administration: read"), "{m}");
}

#[test]
fn with_both_sources_the_stricter_value_wins() {
    let w = world();
    // Classic: one approval, no stale dismissal, no last-push approval. Ruleset: two approvals and stale
    // dismissal, but no last-push approval either.
    let classic = with(
        classic_strict(),
        "/required_pull_request_reviews/required_approving_review_count",
        json!(1),
    );
    let classic = with(
        classic,
        "/required_pull_request_reviews/dismiss_stale_reviews",
        json!(false),
    );
    let classic = with(
        classic,
        "/required_pull_request_reviews/require_last_push_approval",
        json!(false),
    );
    let mut rules = rules_strict(42);
    rules[2]["parameters"]["require_last_push_approval"] = json!(false);
    w.mock
        .on(&api("/branches/main/protection"), Reply::ok(classic))
        .on(&api("/rules/branches/main"), Reply::ok(rules))
        .on(
            &api("/rulesets/42"),
            Reply::ok(ruleset(42, "protect main", Some(json!([])))),
        );
    w.repo.write(
        "shipgate.toml",
        "[github.branch-protection]\napprovals = 2\n",
    );
    w.repo.commit("config");
    // The new commit needs its review evidence too.
    let sha = w.repo.git.head().unwrap().target().unwrap().to_string();
    merged(
        &w.mock,
        3,
        &sha,
        "dev1",
        "User",
        vec![review(31, "dev2", "User", "APPROVED", &head(3))],
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        settings(&report),
        vec![(
            "branch/weak-protection".to_string(),
            "require_last_push_approval".to_string()
        )]
    );
    let m = message(
        &report,
        "branch/weak-protection",
        "require_last_push_approval",
    );
    assert!(
        m.contains("read from classic branch protection; ruleset \\\"protect main\\\" (id 42)"),
        "{m}"
    );
    assert!(m.contains(&format!("url: \"{HTML}/rules/42\"")), "{m}");
}

#[test]
fn an_unprotected_branch_is_one_finding() {
    let w = world();
    w.mock.on(
        &api("/branches/main/protection"),
        Reply::error(404, "Branch not protected"),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        settings(&report),
        vec![("branch/unprotected".to_string(), "protection".to_string())]
    );
    assert_eq!(report["github"]["branches"][0]["scorecard"]["score"], 0);

    // A private repository on GitHub Free: no protection is possible, and the finding says why.
    w.mock.on(
        &api("/branches/main/protection"),
        Reply::error(
            403,
            "Upgrade to GitHub Pro or make this repository public to enable this feature.",
        ),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1);
    assert!(message(&report, "branch/unprotected", "protection").contains("Upgrade to GitHub Pro"));
}

#[test]
fn a_token_without_administration_read_is_told_exactly_what_is_unknown() {
    for (status, msg) in [
        (404, "Not Found"),
        (403, "Resource not accessible by integration"),
        (403, "Resource not accessible by personal access token"),
    ] {
        let w = world();
        // GraphQL refused too (reviews off, so only the protection query would be sent).
        w.repo.write(
            "shipgate.toml",
            "[github.reviews]\ncommits = 0\n[rules]\n\"review/direct-push\" = \"off\"\n",
        );
        w.mock.on("/graphql", Reply::error(403, msg));
        w.mock
            .on(&api("/branches/main/protection"), Reply::error(status, msg));
        let (code, report) = gh_json(&w, &[]);
        assert_eq!(
            code, 1,
            "{status} {msg}: unknown is not a pass, and not an API failure either"
        );
        assert_eq!(
            settings(&report),
            vec![("branch/unverified".to_string(), "protection".to_string())]
        );
        let m = message(&report, "branch/unverified", "protection");
        assert!(
            m.contains(&format!(
                "classic branch protection is unreadable with this token ({status} {msg})"
            )),
            "{m}"
        );
        assert!(
            m.contains("Administration: read") && m.contains("GITHUB_TOKEN cannot be granted it"),
            "{m}"
        );

        // With a ruleset covering part of it, only the rest is unknown, setting by setting.
        let mut rules = rules_strict(42);
        rules.as_array_mut().unwrap().truncate(2); // deletion + force push only
        w.mock
            .on(&api("/rules/branches/main"), Reply::ok(rules))
            .on(
                &api("/rulesets/42"),
                Reply::ok(ruleset(42, "protect main", Some(json!([])))),
            );
        let (code, report) = gh_json(&w, &[]);
        assert_eq!(code, 1);
        let s = settings(&report);
        assert!(
            s.contains(&(
                "branch/unverified".into(),
                "required_approving_review_count".into()
            )),
            "{s:?}"
        );
        assert!(
            !s.iter()
                .any(|(_, n)| n == "allow_force_pushes" || n == "allow_deletions"),
            "{s:?}"
        );
    }
}

/// The Actions GITHUB_TOKEN cannot read classic protection over REST; GraphQL's `refUpdateRule` shows it
/// to any reader. What only an admin sees (stale dismissal, last-push approval, admin bypass) stays
/// unknown — a warning while review evidence checks every commit that reached the branch.
#[test]
fn the_default_token_reads_protection_through_ref_update_rule() {
    let w = world();
    w.mock
        .on(
            &api("/branches/main/protection"),
            Reply::error(403, "Resource not accessible by integration"),
        )
        .ref_rules("main", ref_update_rule_strict(), None);
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    let mut found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["location"]["name"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    found.sort();
    let w3 = |name: &str| {
        (
            "branch/unverified".to_string(),
            name.to_string(),
            "warning".to_string(),
        )
    };
    assert_eq!(
        found,
        vec![
            w3("bypass_actors"),
            w3("dismiss_stale_reviews"),
            w3("require_last_push_approval")
        ],
        "{report:#}"
    );
    let m = message(&report, "branch/unverified", "dismiss_stale_reviews");
    assert!(
        m.contains("Administration: read") && m.contains("review evidence"),
        "{m}"
    );
    // Scorecard from the same facts without admin: tier 1 (3) and tier 2 (approvals and pull requests
    // known; up-to-date and last-push unknown, left out of the maximum) complete, tier 3 status checks,
    // tier 4 two approvals and code owners; tier 5 unknown.
    let score = &report["github"]["branches"][0]["scorecard"];
    assert_eq!(score["score"], 10, "{score:#}");

    // Without review evidence, what cannot be read fails closed as before.
    w.repo
        .write("shipgate.toml", "[github.reviews]\ncommits = 0\n");
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert!(has(&report, "branch/unverified", "dismiss_stale_reviews"));

    // A weaker rule shows as a shortfall, not as unknown.
    w.repo.write("shipgate.toml", "");
    w.mock.ref_rules(
        "main",
        with(ref_update_rule_strict(), "/allowsForcePushes", json!(true)),
        None,
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        has(&report, "branch/weak-protection", "allow_force_pushes"),
        "{:#}",
        report["findings"]
    );
    // Tier 1 half done: 1.5 points, truncated, and no later tier counts.
    assert_eq!(report["github"]["branches"][0]["scorecard"]["score"], 1);
    // One approval and no status checks: tiers 1 and 2 complete (6), tier 3 missing — Scorecard's 6.
    let one = with(
        ref_update_rule_strict(),
        "/requiredApprovingReviewCount",
        json!(1),
    );
    w.mock.ref_rules(
        "main",
        with(one, "/requiredStatusCheckContexts", json!([])),
        None,
    );
    let (_, report) = gh_json(&w, &[]);
    assert_eq!(
        report["github"]["branches"][0]["scorecard"]["score"], 6,
        "{report:#}"
    );
}

#[test]
fn bypass_actors_fail_unless_allowed_with_a_reason() {
    let w = world();
    w.mock
        .on(
            &api("/branches/main/protection"),
            Reply::error(404, "Branch not protected"),
        )
        .on(&api("/rules/branches/main"), Reply::ok(rules_strict(42)))
        .on(
            &api("/rulesets/42"),
            Reply::ok(ruleset(
                42,
                "protect main",
                Some(json!([
                    {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"},
                    {"actor_id": 123456, "actor_type": "Integration", "bypass_mode": "pull_request"}
                ])),
            )),
        );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report:#}");
    let bypass: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "branch/bypass")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(bypass.len(), 2, "{bypass:?}");
    assert!(
        bypass.iter().any(|m| m.starts_with(
            "repository role admin (always) can bypass on `main`: required_pull_request_reviews"
        ) && m.contains("allow_force_pushes")),
        "{bypass:?}"
    );
    // A pull-request-only bypass escapes the review rules, not the force-push block.
    assert!(
        bypass
            .iter()
            .any(|m| m.starts_with("Integration 123456 (via pull requests)")
                && !m.contains("allow_force_pushes")),
        "{bypass:?}"
    );

    w.repo.write(
        "shipgate.toml",
        "[github.branch-protection]\nallowed-bypass = [\n  { actor-type = \"RepositoryRole\", actor-id = 5, reason = \"break-glass, audited\" },\n  { actor-type = \"Integration\", actor-id = 123456, reason = \"release bot\" },\n]\n",
    );
    let (code, report) = gh_json(&w, &[("SHIPGATE_UNUSED", "1")]);
    // The config file is not committed, so review evidence is unchanged.
    assert_eq!(code, 0, "{report:#}");

    // Classic protection without enforce_admins: admins bypass it.
    w.repo.write("shipgate.toml", "");
    let classic = with(classic_strict(), "/enforce_admins/enabled", json!(false));
    w.mock
        .on(&api("/branches/main/protection"), Reply::ok(classic))
        .on(&api("/rules/branches/main"), Reply::ok(json!([])));
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1);
    let m = message(&report, "branch/bypass", "enforce_admins");
    assert!(
        m.contains("repository admins (enforce_admins = false) can bypass on `main`"),
        "{m}"
    );
}

#[test]
fn deployment_environments_need_reviewers_branch_limits_and_no_admin_bypass() {
    let w = world();
    w.mock.on(
        &api("/environments"),
        Reply::ok(environments(vec![
            environment(1, "production", true, false, Value::Null, true),
            environment(2, "staging", false, false, json!({"protected_branches": true, "custom_branch_policies": false}), false),
            environment(3, "preview", true, true, json!({"protected_branches": false, "custom_branch_policies": true}), false),
            environment(4, "docs", true, true, json!({"protected_branches": false, "custom_branch_policies": true}), false),
        ])),
    )
    .on(
        &api("/environments/preview/deployment-branch-policies"),
        Reply::ok(json!({"total_count": 1, "branch_policies": [{"id": 361471, "node_id": "MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjE0NzE=", "name": "*", "type": "branch"}]})),
    )
    .on(
        &api("/environments/docs/deployment-branch-policies"),
        Reply::ok(json!({"total_count": 1, "branch_policies": [{"id": 361472, "node_id": "MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjE0NzI=", "name": "main", "type": "branch"}]})),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1);
    let mut got: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["scope"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("deploy/env-admin-bypass", "github:environment production"),
        ("deploy/env-any-branch", "github:environment preview"),
        ("deploy/env-any-branch", "github:environment production"),
        ("deploy/env-no-reviewers", "github:environment staging"),
        ("deploy/env-self-review", "github:environment production"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(
        message(&report, "deploy/env-any-branch", "deployment_branch_policy")
            .contains("/settings/environments/")
    );

    // An exemption with its reason removes an environment from the check.
    w.repo.write(
        "shipgate.toml",
        "[github.environments]\nexempt = [{ name = \"preview\", reason = \"throwaway previews, no data\" }]\n",
    );
    let (_, report) = gh_json(&w, &[]);
    assert!(!settings(&report).is_empty());
    assert!(!report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["location"]["scope"] == "github:environment preview"));
}

#[test]
fn deployment_environments_the_token_cannot_read_are_unverified_and_fail_closed() {
    let w = world();
    // The clean twin first: readable environments leave nothing unverified.
    let (_, report) = gh_json(&w, &[]);
    assert!(
        !settings(&report)
            .iter()
            .any(|(r, _)| r == "deploy/unverified"),
        "{report}"
    );
    w.mock.on(
        &api("/environments"),
        Reply::error(403, "Resource not accessible by integration"),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report}");
    let unverified: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "deploy/unverified")
        .collect();
    assert_eq!(unverified.len(), 1, "{report}");
    assert_eq!(unverified[0]["severity"], "error");
    assert_eq!(unverified[0]["location"]["scope"], "github:environments");
}

#[test]
fn review_evidence_reports_unreviewed_bot_approved_and_stale_commits() {
    let w = world();
    let mut shas = w.commits.clone();
    for msg in ["third", "fourth", "fifth", "sixth"] {
        w.repo.write("src/app.py", msg);
        shas.push(w.repo.commit(msg).to_string());
    }
    // 1: reviewed. 2: pushed directly. 3: approved only by a bot. 4: approved on an earlier head.
    // 5 and 6: merged together through one reviewed pull request (rebase merge) — one review listing.
    w.mock.commit_pulls(&shas[1], vec![]);
    merged(
        &w.mock,
        3,
        &shas[2],
        "dev1",
        "User",
        vec![review(31, "auto-approve[bot]", "Bot", "APPROVED", &head(3))],
    );
    merged(
        &w.mock,
        4,
        &shas[3],
        "dev1",
        "User",
        vec![
            review(
                41,
                "dev2",
                "User",
                "APPROVED",
                "0123456789abcdef0123456789abcdef01234567",
            ),
            review(42, "dev3", "User", "COMMENTED", &head(4)),
        ],
    );
    let rebase_merged = gql_pull(
        &pull(
            5,
            "dev1",
            "User",
            &head(5),
            "ffffffffffffffffffffffffffffffffffffffff",
        ),
        &[review(51, "dev2", "User", "APPROVED", &head(5))],
    );
    for sha in &shas[4..] {
        w.mock.commit_pulls(sha, vec![rebase_merged.clone()]);
    }
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1);
    let short = |s: &str| format!("commit {}", &s[..7]);
    assert_eq!(
        settings(&report)
            .into_iter()
            .filter(|(r, _)| r.starts_with("review/"))
            .collect::<Vec<_>>()
            .len(),
        3,
        "{:#}",
        report["findings"]
    );
    let m = message(&report, "review/unreviewed-commit", &short(&shas[1]));
    assert!(
        m.contains("by Dev One <dev1@corp.invalid> reached `main` without a merged pull request"),
        "{m}"
    );
    let m = message(&report, "review/bot-approval-only", &short(&shas[2]));
    assert!(
        m.contains("via PR #3") && m.contains("approved only by bots (auto-approve[bot])"),
        "{m}"
    );
    assert!(m.contains(&format!("url: \"{HTML}/pull/3\"")), "{m}");
    let m = message(&report, "review/stale-approval", &short(&shas[3]));
    assert!(
        m.contains("approved by dev2 on 0123456, not on the merged head"),
        "{m}"
    );
    // One query for the window, asking about every commit but the root commit (exempt, as offline).
    assert_eq!(w.mock.graphql_queries().len(), 1);
    assert_eq!(
        asked_commits(&w.mock),
        shas[1..].iter().rev().cloned().collect::<Vec<_>>()
    );

    // Bot-authored pull requests: reviewed like any other by default, exempt when configured.
    merged(&w.mock, 3, &shas[2], "dependabot[bot]", "Bot", vec![]);
    let (_, report) = gh_json(&w, &[]);
    assert!(has(&report, "review/unreviewed-commit", &short(&shas[2])));
    w.repo
        .write("shipgate.toml", "[github.reviews]\nbot-prs = \"exempt\"\n");
    let (_, report) = gh_json(&w, &[]);
    assert!(!settings(&report).iter().any(|(_, n)| *n == short(&shas[2])));
}

#[test]
fn a_server_error_is_retried_and_then_passes() {
    let w = world();
    w.mock.on_seq(
        &api("/branches/main/protection"),
        vec![
            Reply::error(500, "Server Error"),
            Reply::error(502, "Bad Gateway"),
            Reply::ok(classic_strict()),
        ],
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(w.mock.hits(&api("/branches/main/protection")), 3);
}

#[test]
fn a_rate_limit_is_waited_out_when_github_says_how_long() {
    let w = world();
    w.mock.on_seq(
        &api(""),
        vec![
            Reply::error(429, "API rate limit exceeded").header("retry-after", "1"),
            Reply::ok(repository("main")),
        ],
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(w.mock.hits(&api("")), 2);

    // A reset an hour away is beyond the wait cap: a clear error at once, and the gate fails closed.
    let reset = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600)
        .to_string();
    w.mock.on(
        &api(""),
        Reply::error(403, "API rate limit exceeded for installation ID 1234.")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    let m = message(
        &report,
        "gate/github-unavailable",
        &format!("{}{}", w.mock.url(), api("")),
    );
    assert!(
        m.contains("rate limited (403 API rate limit exceeded for installation ID 1234.)"),
        "{m}"
    );
    assert!(m.contains("more than the 60 s shipgate waits"), "{m}");
}

#[test]
fn malformed_json_fails_closed_with_a_diagnostic() {
    let w = world();
    w.mock.on(
        &api("/rules/branches/main"),
        Reply::raw(200, "{\"type\": \"pull_request\", "),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    let url = format!(
        "{}{}",
        w.mock.url(),
        api("/rules/branches/main?per_page=100")
    );
    let m = message(&report, "gate/github-unavailable", &url);
    assert!(
        m.contains("the response is not the JSON expected (EOF while parsing"),
        "{m}"
    );
    // Nothing is concluded about the branch from a broken answer.
    assert_eq!(settings(&report).len(), 1, "{:?}", settings(&report));
}

#[test]
fn a_rejected_token_fails_closed_without_retrying() {
    let w = world();
    w.mock.on(&api(""), Reply::error(401, "Bad credentials"));
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2);
    assert_eq!(report["result"], "error");
    let m = message(
        &report,
        "gate/github-unavailable",
        &format!("{}{}", w.mock.url(), api("")),
    );
    assert!(
        m.contains("401 (authentication failed; the server's 95-byte answer is not shown): the token was not accepted"),
        "{m}"
    );
    assert!(m.contains("renew the secret"), "{m}");
    assert_eq!(w.mock.hits(&api("")), 1);
}

#[test]
fn a_request_that_times_out_fails_closed_after_bounded_retries() {
    let w = world();
    w.mock.on(
        &api("/environments"),
        Reply::ok(environments(vec![])).delay(Duration::from_millis(1500)),
    );
    let (code, report) = gh_json(&w, &[("SHIPGATE_GITHUB_TIMEOUT_MS", "200")]);
    assert_eq!(code, 2, "{report:#}");
    let url = format!("{}{}", w.mock.url(), api("/environments?per_page=100"));
    let m = message(&report, "gate/github-unavailable", &url);
    assert!(m.contains("no answer within 0.2 s (tried 3 times)"), "{m}");
    assert_eq!(w.mock.hits(&api("/environments")), 3);
}

#[test]
fn fail_closed_false_turns_api_failures_into_warnings_and_says_so() {
    let w = world();
    w.mock.on(
        &api("/branches/main/protection"),
        Reply::error(503, "Service Unavailable"),
    );
    w.repo
        .write("shipgate.toml", "[github]\nfail-closed = false\n");
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    let url = format!("{}{}", w.mock.url(), api("/branches/main/protection"));
    assert!(message(&report, "gate/github-unavailable", &url)
        .contains("503 Service Unavailable after 3 attempts"));
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert!(
        report["not_evaluated"][0]
            .as_str()
            .unwrap()
            .contains("1 API failure reported as warnings because [github] fail-closed = false"),
        "{report:#}"
    );
    // Without the opt-out the same outage fails closed.
    w.repo.write("shipgate.toml", "");
    assert_eq!(gh_json(&w, &[]).0, 2);
}

#[test]
fn without_a_token_or_offline_github_is_not_evaluated_unless_required() {
    let w = world();
    // Without GitHub, local git history judges review (this repo's commits are direct pushes): not this test's subject.
    let no_history = "[rules]\n\"review/direct-push\" = \"off\"\n";
    w.repo.write("shipgate.toml", no_history);
    let r = run(&["check"], w.repo.path());
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("not evaluated: GitHub settings (branch protection, deployment environments, review evidence): no token (set GITHUB_TOKEN or GH_TOKEN)"), "{}", r.stdout);
    let r = gh(&w, &["check", "--offline"], &[]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("review evidence): --offline"),
        "{}",
        r.stdout
    );
    assert!(w.mock.requests().is_empty());

    w.repo.write(
        "shipgate.toml",
        format!("{no_history}[github]\nrequire = true\n"),
    );
    let r = gh(&w, &["check", "--offline"], &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("gate/github-required"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("[github] require = true, but GitHub was not asked: --offline"),
        "{}",
        r.stdout
    );
    let r = run(&["check"], w.repo.path());
    assert_eq!(r.code, 2);
    // GH_TOKEN works as well as GITHUB_TOKEN.
    let mut cmd = shipgate(&["check"], w.repo.path());
    cmd.env("GITHUB_API_URL", w.mock.url())
        .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
        .env("GH_TOKEN", TOKEN);
    let r: Run = cmd.output().unwrap().into();
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn the_repository_comes_from_the_origin_remote_when_not_in_the_environment() {
    let w = world();
    w.repo
        .git
        .remote("origin", "git@github.com:octo-org/octo-app.git")
        .unwrap();
    let mut cmd = shipgate(&["check"], w.repo.path());
    cmd.env("GITHUB_API_URL", w.mock.url())
        .env("GITHUB_TOKEN", TOKEN);
    let r: Run = cmd.output().unwrap().into();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(w.mock.hits(&api("")), 1);
}

#[test]
fn setting_findings_render_in_sarif_and_github_formats() {
    let w = world();
    w.mock.on(
        &api("/branches/main/protection"),
        Reply::error(404, "Branch not protected"),
    );
    let r = gh(&w, &["check", "--format", "sarif"], &[]);
    assert_eq!(r.code, 1);
    let sarif: Value = serde_json::from_str(&r.stdout).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let res = &sarif["runs"][0]["results"][0];
    assert_eq!(res["ruleId"], "branch/unprotected");
    assert_eq!(
        res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "github:branch main / protection"
    );

    let summary = w.repo.path().join("summary.md");
    let r = gh(
        &w,
        &["check", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("::error title=shipgate branch/unprotected::github:branch main / protection — deployment branch `main` has no branch protection"),
        "{}",
        r.stdout
    );
    let md = std::fs::read_to_string(summary).unwrap();
    assert!(
        md.contains("- Scorecard Branch-Protection for \\`main\\` (for comparison): 0/10"),
        "{md}"
    );
}

/// The commits the review rules flag (their full ids), whichever path judged them.
fn flagged_commits(report: &Value) -> std::collections::BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("review/")))
        .map(|f| f["evidence"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A healthy repository: the root commit pushed directly (nothing existed to review it against), a bot's
/// direct commit the config exempts, and every other change squash-merged through an approved pull
/// request. One walk feeds both paths, so offline and online agree on which commits need review: none.
/// A direct push after the first commit then fails both ways, on the same commit.
#[test]
fn offline_and_online_review_evidence_judge_the_same_commits_from_one_walk() {
    let repo = Repo::new();
    repo.write(".github/CODEOWNERS", "* @octo-org/release\n")
        .write(
            "shipgate.toml",
            "[history]\nexempt-authors = [\"dependabot[bot]\"]\n",
        )
        .write("src/app.py", "x = 1\n");
    let root = repo.commit("Initial commit").to_string();
    repo.write("src/app.py", "x = 2\n");
    let first = repo.commit("Add x (#1)").to_string();
    repo.write("requirements.txt", "flask==3.0.3\n");
    let bot = repo
        .commit_as(
            "Bump flask from 3.0.2 to 3.0.3",
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com",
        )
        .to_string();
    repo.write("src/app.py", "x = 3\n");
    let second = repo.commit("Add y (#2)").to_string();
    let w = world_for(repo, vec![]);
    for (n, sha) in [(1, &first), (2, &second)] {
        merged(
            &w.mock,
            n,
            sha,
            "dev1",
            "User",
            vec![review(n as u64 * 10, "dev2", "User", "APPROVED", &head(n))],
        );
    }
    let offline = |w: &World| {
        let r = gh(w, &["check", "--offline", "--format", "json"], &[]);
        let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
        (r.code, v)
    };
    let (code, report) = offline(&w);
    assert_eq!((code, flagged_commits(&report).len()), (0, 0), "{report:#}");
    let (code, report) = gh_json(&w, &[]);
    assert_eq!((code, flagged_commits(&report).len()), (0, 0), "{report:#}");
    // Neither the root commit nor the exempt bot's commit was asked about.
    let asked = asked_commits(&w.mock);
    assert_eq!(asked, vec![second.clone(), first.clone()]);
    assert!(!asked.contains(&root) && !asked.contains(&bot));

    // A direct push after the first commit: both paths flag exactly that commit.
    w.repo.write("src/app.py", "x = 4\n");
    let hotfix = w.repo.commit("hotfix straight to main").to_string();
    w.mock.commit_pulls(&hotfix, vec![]);
    let (code, off) = offline(&w);
    assert_eq!(code, 1, "{off:#}");
    let (code, on) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{on:#}");
    let expected: std::collections::BTreeSet<String> = [hotfix.clone()].into();
    assert_eq!(flagged_commits(&off), expected, "{off:#}");
    assert_eq!(flagged_commits(&on), expected, "{on:#}");
    assert!(has(
        &off,
        "review/direct-push",
        &format!("commit {}", &hotfix[..7])
    ));
    assert!(has(
        &on,
        "review/unreviewed-commit",
        &format!("commit {}", &hotfix[..7])
    ));
}

/// The budget: a full online check of one deployment branch with a 30-commit window (repository, its
/// environments, classic protection, rulesets, and ONE GraphQL query for the reviews of every commit).
#[test]
fn a_full_check_of_one_branch_with_a_30_commit_window_takes_at_most_6_requests() {
    let repo = Repo::new();
    repo.write(".github/CODEOWNERS", "* @octo-org/release\n")
        .write("src/app.py", "x = 0\n");
    let mut commits = vec![repo.commit("Initial commit").to_string()];
    for n in 1..30 {
        repo.write("src/app.py", format!("x = {n}\n"));
        commits.push(repo.commit(&format!("Change {n} (#{n})")).to_string());
    }
    let w = world_for(repo, commits);
    for (n, sha) in w.commits.iter().enumerate().skip(1) {
        merged(
            &w.mock,
            n,
            sha,
            "dev1",
            "User",
            vec![review(n as u64, "dev2", "User", "APPROVED", &head(n))],
        );
    }
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["deployment_branches"][0]["commits_examined"], 30);
    let sent = w.mock.requests().len();
    // Repository, environments, classic protection, rulesets, one GraphQL review query.
    assert_eq!(sent, 5, "{:#?}", w.mock.requests());
    assert_eq!(report["github"]["requests"], sent as u64);
    assert_eq!(asked_commits(&w.mock).len(), 29);
    let human = gh(&w, &["check"], &[]);
    assert!(
        human
            .stdout
            .contains(&format!("GitHub: {OWNER}/{NAME} ({sent} API requests)")),
        "{}",
        human.stdout
    );

    // The Actions GITHUB_TOKEN: classic protection refused over REST, read through GraphQL instead.
    w.mock
        .on(
            &api("/branches/main/protection"),
            Reply::error(403, "Resource not accessible by integration"),
        )
        .ref_rules("main", ref_update_rule_strict(), None);
    let before = w.mock.requests().len();
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    let sent = w.mock.requests().len() - before;
    // The same, plus one GraphQL protection query.
    assert!(
        sent == 6,
        "{sent} requests: {:#?}",
        &w.mock.requests()[before..]
    );
    assert_eq!(report["github"]["requests"], sent as u64);
}

/// GraphQL answers HTTP 200 even when it fails: every shape of failure is read as one, never as "no
/// pull request" or "reviewed".
#[test]
fn graphql_errors_partial_data_forbidden_and_rate_limits_fail_closed() {
    let w = world();
    let sha = &w.commits[1];
    let short = format!("commit {}", &sha[..7]);
    let url = format!("{}/graphql", w.mock.url());

    // An `errors` array and no data.
    w.mock.on(
        "/graphql",
        Reply::ok(json!({"errors": [{"type": "INTERNAL", "message": "Something went wrong while executing your query."}]})),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    let m = message(&report, "gate/github-unavailable", &url);
    assert!(
        m.contains("GraphQL answered with errors: INTERNAL: Something went wrong"),
        "{m}"
    );
    assert!(!has(&report, "review/unreviewed-commit", &short));

    // Partial data: the commit is there, its pull requests are not.
    w.mock.on(
        "/graphql",
        Reply::ok(json!({"data": {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2026-12-03T23:00:00Z"},
            "repository": {"c0": {"oid": sha}}}})),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    let m = message(&report, "gate/github-unavailable", &url);
    assert!(
        m.contains("partial data: the pull requests of commit"),
        "{m}"
    );

    // FORBIDDEN on one field: that commit is unverified, naming the permission.
    w.mock.on(
        "/graphql",
        Reply::ok(json!({
            "data": {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2026-12-03T23:00:00Z"},
                     "repository": {"c0": {"oid": sha, "associatedPullRequests": null}}},
            "errors": [{"type": "FORBIDDEN", "path": ["repository", "c0", "associatedPullRequests"],
                        "locations": [{"line": 4, "column": 5}],
                        "message": "Resource not accessible by integration"}]
        })),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 1, "{report:#}");
    let m = message(&report, "review/unverified", &short);
    assert!(
        m.contains("Resource not accessible by integration") && m.contains("Pull requests: read"),
        "{m}"
    );

    // RATE_LIMITED: stop, say when the limit resets, fail closed.
    w.mock.on(
        "/graphql",
        Reply::ok(json!({"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for installation ID 1."}]}))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "1796338800"),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    let m = message(&report, "gate/github-unavailable", &url);
    assert!(
        m.contains("GraphQL rate limit exhausted (API rate limit exceeded")
            && m.contains("resets at 2026-12-03 23:00 UTC"),
        "{m}"
    );
}

/// When GitHub says the rate limit is spent, shipgate stops asking (no hammering) and fails closed,
/// saying when it resets.
#[test]
fn an_exhausted_rate_limit_stops_the_review_queries_early() {
    let repo = Repo::new();
    repo.write(".github/CODEOWNERS", "* @octo-org/release\n")
        .write("shipgate.toml", "[github.reviews]\ncommits = 60\n")
        .write("src/app.py", "x = 0\n");
    let mut commits = vec![repo.commit("Initial commit").to_string()];
    for n in 1..60 {
        repo.write("src/app.py", format!("x = {n}\n"));
        commits.push(repo.commit(&format!("Change {n} (#{n})")).to_string());
    }
    let w = world_for(repo, commits);
    for (n, sha) in w.commits.iter().enumerate().skip(1) {
        merged(
            &w.mock,
            n,
            sha,
            "dev1",
            "User",
            vec![review(n as u64, "dev2", "User", "APPROVED", &head(n))],
        );
    }
    // 59 commits need review: two queries (50 + 9) when the limit allows.
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(w.mock.graphql_queries().len(), 2);

    w.mock.graphql_remaining(0);
    let before = w.mock.graphql_queries().len();
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(
        w.mock.graphql_queries().len() - before,
        1,
        "stopped after the first query"
    );
    let m = message(
        &report,
        "gate/github-unavailable",
        &format!("{}/graphql", w.mock.url()),
    );
    assert!(
        m.contains("x-ratelimit-remaining: 0") && m.contains("resets at"),
        "{m}"
    );
}

/// A REST answer saying the rate limit is spent, with a reset further off than shipgate waits: nothing
/// more is asked (no hammering), and the gate fails closed naming the reset time.
#[test]
fn a_spent_rate_limit_on_rest_stops_further_requests() {
    let w = world();
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    w.mock.on(
        &api(""),
        Reply::ok(repository("main"))
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset.to_string()),
    );
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(w.mock.hits(&api("/branches/main/protection")), 0);
    assert_eq!(w.mock.graphql_queries().len(), 0);
    let m = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "gate/github-unavailable")
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        m.contains("not asked: GitHub reported the rate limit spent (x-ratelimit-remaining: 0); it resets at"),
        "{m}"
    );
}

/// A GraphQL endpoint that keeps failing is an API failure after bounded retries, like REST.
#[test]
fn a_failing_graphql_endpoint_fails_closed_after_retries() {
    let w = world();
    w.mock.on("/graphql", Reply::error(502, "Bad Gateway"));
    let (code, report) = gh_json(&w, &[]);
    assert_eq!(code, 2, "{report:#}");
    let m = message(
        &report,
        "gate/github-unavailable",
        &format!("{}/graphql", w.mock.url()),
    );
    assert!(m.contains("502 Bad Gateway after 3 attempts"), "{m}");
    assert_eq!(w.mock.graphql_queries().len(), 3);
}
