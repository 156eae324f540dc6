//! `check --remote` and `org plan | run | report` against a mock organisation served on 127.0.0.1.

use crate::common::{shipgate, Run};
use crate::mock_org::{repo_name, MockOrg, ORG};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const TOKEN: &str = "ghs_orgAuditInstallationToken0123456789";

fn sg(mock: &MockOrg, args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Run {
    let mut cmd = shipgate(args, cwd);
    cmd.env("GITHUB_API_URL", mock.url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "5")
        .env("SHIPGATE_GITHUB_TIMEOUT_MS", "10000");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let r: Run = cmd.output().expect("run shipgate").into();
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token leaked"
    );
    r
}

fn json_file(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn remote_check_reads_settings_and_files_without_a_clone() {
    let mock = MockOrg::start(10);
    let dir = tempfile::tempdir().unwrap();
    // repo-0003: main not protected; no CODEOWNERS; reviewed history.
    let r = sg(
        &mock,
        &[
            "check",
            "--remote",
            &format!("{ORG}/repo-0003"),
            "--format",
            "json",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let found = rules(&report);
    assert!(
        found.contains(&"branch/unprotected".to_string()),
        "{found:?}"
    );
    assert!(found.contains(&"owners/missing".to_string()), "{found:?}");
    assert!(!found.iter().any(|f| f.starts_with("review/")), "{found:?}");
    assert!(!found.iter().any(|f| f.starts_with("gate/")), "{found:?}");
    let text = r.stdout.to_string();
    assert!(text.contains("--remote reads no clone"), "{text}");
    // One snapshot query, the repository, environments, rulesets, protection, one review query.
    let n = mock.requests_for("repo-0003");
    assert!((1..=8).contains(&n), "{n} requests");
    // Nothing was written for the hostile `..` entry: the temporary directory is gone, the cwd untouched.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // The human format, from the same run: the summary names what was not evaluated.
    let r = sg(
        &mock,
        &["check", "--remote", &format!("{ORG}/repo-0003")],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("branch/unprotected"), "{}", r.stdout);
    assert!(
        r.stdout.contains("remote mock-org/repo-0003 (no clone)"),
        "{}",
        r.stdout
    );
}

#[test]
fn remote_check_sees_unreviewed_commits_and_write_all_workflows() {
    let mock = MockOrg::start(40);
    let dir = tempfile::tempdir().unwrap();
    // repo-0035: 35 % 6 == 5 (no approvals), 35 % 7 == 0 (write-all), 35 % 4 == 3 (unprotected).
    let r = sg(
        &mock,
        &[
            "check",
            "--remote",
            &format!("{ORG}/repo-0035"),
            "--format",
            "json",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let found = rules(&report);
    assert!(
        found.contains(&"review/unreviewed-commit".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"workflow/permissions-write-all".to_string()),
        "{found:?}"
    );
    // The clean twin: repo-0008 is protected, reviewed, owned.
    let r = sg(
        &mock,
        &[
            "check",
            "--remote",
            &format!("{ORG}/repo-0008"),
            "--format",
            "json",
        ],
        dir.path(),
        &[],
    );
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let found = rules(&report);
    assert!(
        !found.iter().any(|f| f.starts_with("review/")
            || f.starts_with("branch/")
            || f == "workflow/permissions-write-all"),
        "{found:?}"
    );
}

#[test]
fn remote_check_fails_closed_when_the_api_fails() {
    let mock = MockOrg::start(10);
    mock.fail("repo-0001");
    let dir = tempfile::tempdir().unwrap();
    let r = sg(
        &mock,
        &["check", "--remote", &format!("{ORG}/repo-0001")],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("remote/unavailable"), "{}", r.stderr);
    // A repository that does not exist, and a name that is not one.
    let r = sg(
        &mock,
        &["check", "--remote", &format!("{ORG}/nope")],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = sg(
        &mock,
        &["check", "--remote", "../etc/passwd"],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("remote/bad-repository"), "{}", r.stderr);
    // No token: a clear error.
    let mut cmd = shipgate(
        &["check", "--remote", &format!("{ORG}/repo-0002")],
        dir.path(),
    );
    cmd.env("GITHUB_API_URL", mock.url());
    let r: Run = cmd.output().unwrap().into();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("remote/no-token"), "{}", r.stderr);
}

#[test]
fn org_plan_filters_and_shards() {
    let mock = MockOrg::start(200);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shards");
    let gh_output = dir.path().join("gh-output");
    std::fs::write(&gh_output, "").unwrap();
    let r = sg(
        &mock,
        &[
            "org",
            "plan",
            ORG,
            "--shards",
            "3",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
        &[("GITHUB_OUTPUT", gh_output.to_str().unwrap())],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let matrix: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let include = matrix["include"].as_array().unwrap();
    assert_eq!(include.len(), 3);
    // 200 listed; archived (i % 50 == 49: 4) and forks (i % 40 == 39: 5, one of them archived) left out.
    let total: u64 = include
        .iter()
        .map(|s| s["repositories"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 200 - 8);
    let written = std::fs::read_to_string(&gh_output).unwrap();
    assert!(
        written.starts_with(&format!("matrix={}\n", r.stdout.trim())),
        "{written}"
    );
    let plan = json_file(&out.join("plan.json"));
    assert_eq!(plan["excluded"]["archived"], 4);
    assert_eq!(plan["excluded"]["fork"], 4);
    let shard = json_file(&out.join("shard-000.json"));
    assert_eq!(shard["repositories"][0], format!("{ORG}/repo-0000"));

    // Filters: topic `prod` (i % 4 == 0) and public (i % 3 == 0) and a name glob: i % 12 == 0, i < 100.
    let r = sg(
        &mock,
        &[
            "org",
            "plan",
            ORG,
            "--topic",
            "prod",
            "--visibility",
            "public",
            "--name",
            "repo-00*",
            "--include-archived",
            "--include-forks",
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shard = json_file(&out.join("shard-000.json"));
    let names: Vec<&str> = shard["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with("0")
        || n.ends_with("2")
        || n.ends_with("4")
        || n.ends_with("6")
        || n.ends_with("8")));

    // A file of names: one unknown is reported, another owner is refused.
    let list = dir.path().join("repos.txt");
    std::fs::write(
        &list,
        "# audit these\nrepo-0001\nmock-org/repo-0002\nghost\n",
    )
    .unwrap();
    let r = sg(
        &mock,
        &[
            "org",
            "plan",
            ORG,
            "--repos-file",
            list.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not found: ghost"), "{}", r.stderr);
    std::fs::write(&list, "other-org/x\n").unwrap();
    let r = sg(
        &mock,
        &[
            "org",
            "plan",
            ORG,
            "--repos-file",
            list.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("org/bad-filter"), "{}", r.stderr);
    // Too many shards for a matrix; an organisation that does not exist.
    let r = sg(
        &mock,
        &["org", "plan", ORG, "--per-shard", "0"],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 2);
    let r = sg(
        &mock,
        &["org", "plan", "ghost-org", "--out", out.to_str().unwrap()],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("org/unavailable"), "{}", r.stderr);
}

/// The whole path on an organisation of 2,000 repositories: plan all of it, run the shard that holds the
/// repository answering 500 to everything, report, and diff against the previous report.
#[test]
fn org_plan_run_report_end_to_end_with_a_failing_repository() {
    let mock = MockOrg::start(2000);
    mock.fail("repo-0042");
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("shards");
    let r = sg(
        &mock,
        &[
            "org",
            "plan",
            ORG,
            "--per-shard",
            "20",
            "--out",
            shards.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let matrix: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(matrix["include"].as_array().unwrap().len(), 96); // 1,920 selected
    assert!(
        r.stderr.contains("2000 repositories listed, 1920 selected"),
        "{}",
        r.stderr
    );
    let failing = format!("{ORG}/repo-0042");
    let shard = (0..96)
        .map(|i| shards.join(format!("shard-{i:03}.json")))
        .find(|p| std::fs::read_to_string(p).unwrap().contains(&failing))
        .unwrap();
    let results = dir.path().join("results");
    let r = sg(
        &mock,
        &[
            "org",
            "run",
            "--shard",
            shard.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
            "--jobs",
            "4",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files: Vec<_> = std::fs::read_dir(&results).unwrap().flatten().collect();
    assert_eq!(files.len(), 20);
    let failed = json_file(&results.join("mock-org__repo-0042.json"));
    assert_eq!(failed["status"], "not-verified");
    assert!(
        failed["reason"].as_str().unwrap().contains("500"),
        "{failed}"
    );
    let mut verified = 0;
    for f in &files {
        let v = json_file(&f.path());
        if v["repository"] != failing.as_str() {
            assert_ne!(v["status"], "not-verified", "{v}");
            assert!(v["requests"].as_u64().unwrap() <= 8, "{v}");
            assert_eq!(v["period"]["commits"], 30, "{v}");
            verified += 1;
        }
    }
    assert_eq!(verified, 19);

    let out = dir.path().join("report");
    let r = sg(
        &mock,
        &[
            "org",
            "report",
            results.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = json_file(&out.join("report.json"));
    assert_eq!(report["scope"]["repositories"], 20);
    assert_eq!(report["totals"]["not_verified"], 1);
    let protection = &report["controls"][0];
    assert_eq!(protection["id"], "branch-protection");
    assert_eq!(
        protection["pass"].as_u64().unwrap() + protection["fail"].as_u64().unwrap(),
        19
    );
    assert_eq!(protection["not_verified"], 1);
    assert!(report["scope"]["branches"]["main"].as_u64().unwrap() == 19);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| Deployment branches are protected |"), "{md}");
    assert!(md.contains("repo-0042 | NOT VERIFIED"), "{md}");
    assert!(md.contains("Review period:"), "{md}");
    assert!(md.contains("Not evaluated"), "{md}");

    // For the screenshot in docs/: `SHIPGATE_ORG_REPORT_COPY=/tmp/x.html cargo test … end_to_end`.
    if let Some(copy) = std::env::var_os("SHIPGATE_ORG_REPORT_COPY") {
        std::fs::copy(out.join("report.html"), copy).unwrap();
    }

    // A second run where repo-0042 recovers: the diff says it got better. A file in the results
    // directory that is not a shipgate result is left out, and both reports say so.
    let previous = dir.path().join("previous.json");
    std::fs::copy(out.join("report.json"), &previous).unwrap();
    std::fs::write(
        results.join("stray<script>.json"),
        "{\"not\": \"a result\"}",
    )
    .unwrap();
    mock.state.failing.lock().unwrap().clear();
    let r = sg(
        &mock,
        &[
            "org",
            "run",
            "--shard",
            shard.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = sg(
        &mock,
        &[
            "org",
            "report",
            results.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--previous",
            previous.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = json_file(&out.join("report.json"));
    let better = report["diff"]["better"].as_array().unwrap();
    assert!(
        better.iter().any(|c| c["repository"] == failing.as_str()),
        "{report}"
    );
    assert_eq!(report["totals"]["not_verified"], 0);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("- Result files left out (not shipgate results): stray&lt;script&gt;.json"),
        "{md}"
    );
    assert!(
        md.contains(&format!("- Better: {failing} — ")),
        "the markdown report lists the change: {md}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&format!("<li>Better: {failing} — ")),
        "the HTML report lists the change: {html}"
    );
    assert!(
        html.contains(
            "<li>Result files left out (not shipgate results): stray&lt;script&gt;.json</li>"
        ),
        "{html}"
    );
}

#[test]
fn org_run_keeps_within_the_rate_limit_budget() {
    let mock = MockOrg::start(20);
    // 60 requests in all: a few repositories, then the budget is spent until a reset an hour away.
    mock.limit(60);
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("shard.json");
    let names: Vec<String> = (0..10).map(|i| format!("{ORG}/{}", repo_name(i))).collect();
    std::fs::write(
        &shard,
        serde_json::json!({"schema": "shipgate/org-shard@1", "org": ORG, "shard": 0, "of": 1, "repositories": names})
            .to_string(),
    )
    .unwrap();
    let results = dir.path().join("results");
    let r = sg(
        &mock,
        &[
            "org",
            "run",
            "--shard",
            shard.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
            "--jobs",
            "1",
            "--reserve",
            "0",
            "--deadline",
            "600",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all: Vec<Value> = (0..10)
        .map(|i| json_file(&results.join(format!("mock-org__{}.json", repo_name(i)))))
        .collect();
    let verified = all.iter().filter(|v| v["status"] != "not-verified").count();
    let budget = all
        .iter()
        .filter(|v| {
            v["reason"]
                .as_str()
                .is_some_and(|r| r.contains("rate-limit budget"))
        })
        .count();
    assert!(verified >= 3, "{all:?}");
    assert!(budget >= 1, "{all:?}");
    assert!(mock.requests() <= 70, "{} requests", mock.requests());
}

#[test]
fn org_run_treats_the_shard_file_as_hostile() {
    let mock = MockOrg::start(5);
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("shard.json");
    std::fs::write(
        &shard,
        serde_json::json!({"schema": "shipgate/org-shard@1", "org": ORG, "shard": 0, "of": 1,
            "repositories": ["../../escape", "mock-org/repo-0001", "mock-org/\u{1b}[31mred"]})
        .to_string(),
    )
    .unwrap();
    let results = dir.path().join("results");
    let r = sg(
        &mock,
        &[
            "org",
            "run",
            "--shard",
            shard.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&results)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "invalid-000-00000.json",
            "invalid-000-00002.json",
            "mock-org__repo-0001.json"
        ]
    );
    let bad = std::fs::read_to_string(results.join("invalid-000-00002.json")).unwrap();
    assert!(!bad.contains('\u{1b}'), "{bad}");
    assert!(!dir.path().join("escape").exists());
    // Not a shard at all.
    std::fs::write(&shard, "{\"schema\": \"something else\"}").unwrap();
    let r = sg(
        &mock,
        &["org", "run", "--shard", shard.to_str().unwrap()],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("org/bad-shard"), "{}", r.stderr);
}

fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// The org report renders in headless Chromium, states its scope, and a hostile repository name stays text.
#[test]
fn org_report_renders_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    std::fs::create_dir_all(&results).unwrap();
    let result = |name: &str, status: &str, protection: &str| {
        serde_json::json!({
            "schema": "shipgate/org-result@1", "repository": name, "status": status,
            "default_branch": "main", "branches": ["main", "release_1"],
            "period": {"commits": 30, "from": 1_764_000_000, "to": 1_764_700_000},
            "controls": {"branch-protection": {"status": protection, "rules": []},
                         "code-review": {"status": "pass", "rules": []}},
            "findings": [{"rule": "owners/missing", "severity": "warning", "message": "no CODEOWNERS file",
                          "location": "docs/<a>&_b*.md"}],
            "not_evaluated": ["GitHub settings: environments not readable (403)"],
            "requests": 7
        })
    };
    std::fs::write(
        results.join("a.json"),
        result("o/<img src=x onerror=alert(1)>", "fail", "fail").to_string(),
    )
    .unwrap();
    std::fs::write(
        results.join("b.json"),
        result("o/good", "pass", "pass").to_string(),
    )
    .unwrap();
    std::fs::write(results.join("c.json"), "not json").unwrap();
    let out = dir.path().join("report");
    let r: Run = shipgate(
        &[
            "org",
            "report",
            results.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Markdown code spans hold names as they are: no backslash escape, no HTML entity inside backticks
    // (where Markdown would show them literally).
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("`release_1` (2)"), "{md}");
    assert!(!md.contains("release\\_1"), "{md}");
    assert!(md.contains("| `docs/<a>&_b*.md` |"), "{md}");
    let page = out.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<img"), "the hostile name must be escaped");
    for external in ["<script", "src=\"", "href=", "@import", "url("] {
        assert!(!html.contains(external), "not self-contained: `{external}`");
    }
    let Some(browser) = browser() else {
        assert!(
            std::env::var_os("SHIPGATE_REQUIRE_BROWSER").is_none(),
            "no Chromium found but SHIPGATE_REQUIRE_BROWSER is set"
        );
        eprintln!("skipping the browser half of this test: no chromium on PATH (set SHIPGATE_REQUIRE_BROWSER=1 to require it)");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let shot = dir.path().join("org-report.png");
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
    ];
    let dom = Command::new(browser)
        .args(base)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        !dom.contains("<img"),
        "the browser parsed the name as markup"
    );
    assert!(
        dom.contains("o/&lt;img src=x onerror=alert(1)&gt;"),
        "{dom}"
    );
    assert!(
        dom.contains("2 repositories: <strong>1 PASS</strong>, <strong>0 PASS WITH WARNINGS</strong>, <strong>1 FAIL</strong>"),
        "{dom}"
    );
    assert!(
        dom.contains("Review period: 2025-11-24 to 2025-12-02 (60 commits examined)"),
        "{dom}"
    );
    assert!(dom.contains("<code>main</code> (2)"), "{dom}");
    assert!(dom.contains("environments not readable"), "{dom}");
    let status = Command::new(browser)
        .args(base)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,900")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);
}

/// The scale benchmark (bench/org.sh runs it with a release binary): not a test, no timing asserted.
/// `SHIPGATE_BIN` the binary, `BENCH_REPOS` the organisation's size (2000), `BENCH_SHARDS` the parallel
/// processes to try (1,2,4), `BENCH_JOBS` repositories at once per process (4), `BENCH_RSS_SIZES` the
/// shard sizes for the memory check (50,200,800), `BENCH_LATENCY_MS` a round trip added to every answer.
#[test]
#[ignore = "benchmark: bench/org.sh"]
fn bench_org_scale() {
    use std::time::Instant;
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let bin = std::path::PathBuf::from(env("SHIPGATE_BIN", crate::common::bin().to_str().unwrap()));
    let size: usize = env("BENCH_REPOS", "2000").parse().unwrap();
    let jobs = env("BENCH_JOBS", "4");
    let list = |k: &str, d: &str| -> Vec<usize> {
        env(k, d)
            .split(',')
            .map(|s| s.trim().parse().unwrap())
            .collect()
    };
    let mock = MockOrg::start(size);
    let latency: u64 = env("BENCH_LATENCY_MS", "0").parse().unwrap();
    mock.state
        .latency_ms
        .store(latency, std::sync::atomic::Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let command = |args: &[&str]| {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f")
            .arg("rss_kb=%M elapsed=%e")
            .arg(&bin)
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GITHUB_API_URL", mock.url())
            .env("GITHUB_TOKEN", TOKEN)
            .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "5");
        c
    };
    let parse = |stderr: &str| -> (u64, f64) {
        let line = stderr
            .lines()
            .rev()
            .find(|l| l.starts_with("rss_kb="))
            .unwrap_or_else(|| panic!("{stderr}"));
        let mut it = line.split_whitespace();
        let rss = it
            .next()
            .unwrap()
            .trim_start_matches("rss_kb=")
            .parse()
            .unwrap();
        let el = it
            .next()
            .unwrap()
            .trim_start_matches("elapsed=")
            .parse()
            .unwrap();
        (rss, el)
    };
    println!("# org bench: {size} repositories (mock organisation), --jobs {jobs} per process, binary {}", bin.display());
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("machine: {cpus} CPUs; mock latency {latency} ms per answer");
    for shards in list("BENCH_SHARDS", "1,2,4") {
        let out = dir.path().join(format!("plan-{shards}"));
        let before = mock.requests();
        let o = command(&[
            "org",
            "plan",
            ORG,
            "--include-archived",
            "--include-forks",
            "--shards",
            &shards.to_string(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let plan_requests = mock.requests() - before;
        let results = dir.path().join(format!("results-{shards}"));
        let before = mock.requests();
        let before_gql = mock.state.graphql.load(std::sync::atomic::Ordering::SeqCst);
        let start = Instant::now();
        let children: Vec<_> = (0..shards)
            .map(|i| {
                let shard = out.join(format!("shard-{i:03}.json"));
                command(&[
                    "org",
                    "run",
                    "--shard",
                    shard.to_str().unwrap(),
                    "--out",
                    results.to_str().unwrap(),
                    "--jobs",
                    &jobs,
                ])
                .stderr(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
            })
            .collect();
        let mut per = Vec::new();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            per.push(parse(&String::from_utf8_lossy(&o.stderr)));
        }
        let wall = start.elapsed().as_secs_f64();
        let requests = mock.requests() - before;
        let gql = mock.state.graphql.load(std::sync::atomic::Ordering::SeqCst) - before_gql;
        let per_shard = size as f64 / shards as f64;
        let slowest = per.iter().map(|p| p.1).fold(0.0, f64::max);
        let rss = per.iter().map(|p| p.0).max().unwrap_or(0);
        println!(
            "shards={shards} wall_s={wall:.1} repos_per_min_per_shard={:.0} requests={requests} per_repo={:.2} (graphql {:.2}, rest {:.2}) plan_requests={plan_requests} peak_rss_mb={:.1}",
            per_shard / (slowest / 60.0),
            requests as f64 / size as f64,
            gql as f64 / size as f64,
            (requests - gql) as f64 / size as f64,
            rss as f64 / 1024.0
        );
        let count = std::fs::read_dir(&results).unwrap().count();
        assert_eq!(count, size);
    }
    for n in list("BENCH_RSS_SIZES", "50,200,800") {
        let n = n.min(size);
        let shard = dir.path().join(format!("rss-{n}.json"));
        let names: Vec<String> = (0..n).map(|i| format!("{ORG}/{}", repo_name(i))).collect();
        std::fs::write(&shard, serde_json::json!({"schema": "shipgate/org-shard@1", "org": ORG, "shard": 0, "of": 1, "repositories": names}).to_string()).unwrap();
        let results = dir.path().join(format!("rss-results-{n}"));
        let o = command(&[
            "org",
            "run",
            "--shard",
            shard.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
            "--jobs",
            &jobs,
        ])
        .output()
        .unwrap();
        assert!(o.status.success());
        let (rss, el) = parse(&String::from_utf8_lossy(&o.stderr));
        println!(
            "rss_check repos={n} peak_rss_mb={:.1} elapsed_s={el:.1}",
            rss as f64 / 1024.0
        );
    }
}

#[test]
fn remote_check_reads_the_log_until_the_history_window_is_covered() {
    let mock = MockOrg::start(10);
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str| {
        let r = sg(
            &mock,
            &[
                "check",
                "--remote",
                &format!("{ORG}/{name}"),
                "--format",
                "json",
            ],
            dir.path(),
            &[],
        );
        let report: Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
        (r.code, report)
    };
    // A merge-heavy history: the first page of 100 log entries holds only 25 first-parent commits.
    mock.merge_heavy("repo-0002");
    let (code, report) = check("repo-0002");
    assert_eq!(code, 0, "{report:#}");
    let branch = &report["deployment_branches"][0];
    assert_eq!(branch["commits_examined"], 40, "{branch:#}");
    assert_eq!(branch["complete"], true, "{branch:#}");
    assert!(
        !report["not_evaluated"]
            .to_string()
            .contains("history window"),
        "{report:#}"
    );
    // When the rest of the log cannot be read, what was not examined is said, never passed over.
    mock.merge_heavy("repo-0004").history_broken("repo-0004");
    let (code, report) = check("repo-0004");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["deployment_branches"][0]["commits_examined"], 25);
    let gaps = report["not_evaluated"].to_string();
    assert!(
        gaps.contains("review evidence for the rest of the history window")
            && gaps.contains("read for 25 commit(s)"),
        "{gaps}"
    );
    // The evidence report does not call review PASS on a window it did not read.
    let r = sg(
        &mock,
        &[
            "check",
            "--remote",
            &format!("{ORG}/repo-0004"),
            "--format",
            "markdown",
        ],
        dir.path(),
        &[],
    );
    assert!(
        r.stdout
            .contains("| Code is reviewed before deployment | **NOT VERIFIED** |"),
        "{}",
        r.stdout
    );
    // A linear history: one page, no extra query.
    let before = mock.state.graphql.load(std::sync::atomic::Ordering::SeqCst);
    let (_, report) = check("repo-0006");
    assert_eq!(report["deployment_branches"][0]["commits_examined"], 40);
    let queries = mock.state.graphql.load(std::sync::atomic::Ordering::SeqCst) - before;
    assert!(queries <= 3, "{queries} GraphQL queries");
}

#[test]
fn org_report_reconciles_with_the_plan_keeps_findings_and_passes_with_warnings() {
    let mock = MockOrg::start(12);
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("shards");
    let results = dir.path().join("results");
    let r = sg(
        &mock,
        &[
            "org",
            "plan",
            ORG,
            "--per-shard",
            "4",
            "--out",
            shards.to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan = json_file(&shards.join("plan.json"));
    assert_eq!(plan["repositories"].as_array().unwrap().len(), 12, "{plan}");
    for i in 0..3 {
        let shard = shards.join(format!("shard-{i:03}.json"));
        let r = sg(
            &mock,
            &[
                "org",
                "run",
                "--shard",
                shard.to_str().unwrap(),
                "--out",
                results.to_str().unwrap(),
            ],
            dir.path(),
            &[],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // Two results lost (a job that died, a deleted artifact), and one planted for a repository the
    // plan never named.
    std::fs::remove_file(results.join("mock-org__repo-0003.json")).unwrap();
    std::fs::remove_file(results.join("mock-org__repo-0008.json")).unwrap();
    let mut planted = json_file(&results.join("mock-org__repo-0001.json"));
    planted["repository"] = Value::String(format!("{ORG}/not-planned"));
    std::fs::write(results.join("planted.json"), planted.to_string()).unwrap();
    let out = dir.path().join("report");
    let report_with = |extra: &[&str]| {
        let mut args = vec![
            "org",
            "report",
            results.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let r = sg(&mock, &args, dir.path(), &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        (
            json_file(&out.join("report.json")),
            std::fs::read_to_string(out.join("report.md")).unwrap(),
            r.stderr,
        )
    };
    let plan_path = shards.join("plan.json");
    let (report, md, stderr) = report_with(&["--plan", plan_path.to_str().unwrap()]);
    // Every planned repository is counted: the two without a result are NOT VERIFIED, by name.
    assert_eq!(report["scope"]["repositories"], 12, "{report:#}");
    assert_eq!(report["scope"]["planned"], 12);
    assert_eq!(
        report["scope"]["missing"],
        serde_json::json!([format!("{ORG}/repo-0003"), format!("{ORG}/repo-0008")])
    );
    assert_eq!(report["totals"]["not_verified"], 2, "{report:#}");
    assert!(stderr.contains("(2 planned without a result)"), "{stderr}");
    assert!(
        md.contains("- Not verified, no result (2): their shard's job did not finish, or the result file is missing")
            && md.contains("  - `mock-org/repo-0003`"),
        "{md}"
    );
    // The planted result is left out, and named.
    assert_eq!(
        report["scope"]["unplanned"],
        serde_json::json!([format!("{ORG}/not-planned")])
    );
    assert!(!md.contains("| mock-org/not-planned |"), "{md}");
    // Without the plan the same directory cannot know what is missing, and says so.
    let (unplanned, _, _) = report_with(&[]);
    assert_eq!(unplanned["scope"]["repositories"], 11);
    assert!(std::fs::read_to_string(out.join("report.md"))
        .unwrap()
        .contains("no plan given"),);

    // Half the repositories have no CODEOWNERS (a warning): that control is PASS WITH WARNINGS there,
    // never a plain pass; the others pass.
    let owners = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "codeowners")
        .unwrap()
        .clone();
    // Odd repositories of the ten with a result have no CODEOWNERS: 1, 5, 7, 9, 11 (3 is missing).
    assert_eq!(owners["pass_with_warnings"], 5, "{owners:#}");
    assert_eq!(
        owners["pass"].as_u64().unwrap() + owners["fail"].as_u64().unwrap(),
        5,
        "{owners:#}"
    );
    assert!(
        md.contains("| Code owners are defined and valid | "),
        "{md}"
    );
    // The findings behind every status are kept with the report.
    let row = report["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["repository"] == format!("{ORG}/repo-0001"))
        .unwrap()
        .clone();
    assert_eq!(
        row["controls"]["codeowners"], "pass-with-warnings",
        "{row:#}"
    );
    assert!(
        row["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "owners/missing" && !f["message"].as_str().unwrap().is_empty()),
        "{row:#}"
    );
    assert!(md.contains("### `mock-org/repo-0001` — "), "{md}");
    assert!(
        md.contains("| warning | `owners/missing` | `(repository)` |"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<td><code>owners/missing</code></td>"),
        "{html}"
    );
    assert!(html.contains("PASS WITH WARNINGS"), "{html}");
}

/// The `run: |` script of the step named `name` in a workflow file.
fn step_script(workflow: &str, name: &str) -> String {
    let mut lines = workflow
        .lines()
        .skip_while(|l| !l.contains(&format!("- name: {name}")));
    lines.next().unwrap_or_else(|| panic!("no step {name}"));
    let mut lines = lines.skip_while(|l| l.trim() != "run: |");
    let run = lines.next().expect("a run: | block");
    let indent = run.len() - run.trim_start().len() + 2;
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_reusable_workflows_documented_setup_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reusable = std::fs::read_to_string(root.join(".github/workflows/org-audit.yml")).unwrap();
    let caller = std::fs::read_to_string(root.join("examples/workflows/org-audit.yml")).unwrap();
    // A job that calls a reusable workflow cannot declare an environment: the documented caller does
    // not, and passes the key from a repository secret.
    assert!(
        !caller
            .lines()
            .any(|l| l.trim_start().starts_with("environment:")),
        "{caller}"
    );
    assert!(caller.contains("app-private-key: ${{ secrets.SHIPGATE_APP_PRIVATE_KEY }}"));
    // shipgate-ref: required, no default, and the caller passes the same ref it pins.
    let input = reusable
        .split("      shipgate-ref:\n")
        .nth(1)
        .unwrap()
        .split("\n      ")
        .take_while(|l| !l.ends_with(':') || l.starts_with(' '))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!reusable.contains("default: v0"), "{reusable}");
    assert!(
        reusable.contains("        required: true\n        type: string"),
        "{input}"
    );
    let pin = caller
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("uses: shipgate/shipgate/.github/workflows/org-audit.yml@")
        })
        .unwrap();
    let passed = caller
        .lines()
        .find_map(|l| l.trim().strip_prefix("shipgate-ref: "))
        .unwrap();
    assert_eq!(
        passed.split_whitespace().next(),
        pin.split_whitespace().next(),
        "{caller}"
    );
    // The report job may read the previous run's artifact, and the caller grants it.
    assert!(reusable.contains("      actions: read"), "{reusable}");
    assert!(caller.contains("      actions: read"), "{caller}");

    // The report step's script, run as the workflow runs it: with the plan, and with the previous
    // report when one was downloaded.
    let script = step_script(&reusable, "Merge the report (and write the job summary)");
    assert!(
        script.contains("--plan shipgate-org-shards/plan.json"),
        "{script}"
    );
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::create_dir_all(w.join("shipgate-org-binary")).unwrap();
    std::fs::copy(crate::common::bin(), w.join("shipgate-org-binary/shipgate")).unwrap();
    std::fs::create_dir_all(w.join("shipgate-org-shards")).unwrap();
    std::fs::write(
        w.join("shipgate-org-shards/plan.json"),
        serde_json::json!({"schema": "shipgate/org-plan@1", "org": ORG, "listed": 2, "selected": 2,
                           "repositories": [format!("{ORG}/a"), format!("{ORG}/b")]})
        .to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(w.join("results")).unwrap();
    std::fs::write(
        w.join("results/a.json"),
        serde_json::json!({"schema": "shipgate/org-result@1", "repository": format!("{ORG}/a"),
                           "status": "pass", "controls": {}, "findings": []})
        .to_string(),
    )
    .unwrap();
    let run_step = || {
        let out = Command::new("bash")
            .arg("-e")
            .arg("-c")
            .arg(&script)
            .current_dir(w)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_file(&w.join("report/report.json"))
    };
    let first = run_step();
    assert_eq!(
        first["scope"]["missing"],
        serde_json::json!([format!("{ORG}/b")])
    );
    assert!(first["diff"].is_null());
    std::fs::create_dir_all(w.join("previous")).unwrap();
    std::fs::copy(w.join("report/report.json"), w.join("previous/report.json")).unwrap();
    let second = run_step();
    assert!(second["diff"].is_object(), "{second:#}");
}

/// A repository's content is hostile input, and one repository must never end the shard: each is
/// checked in a process of its own under `--memory-limit`. Here repo-0001's workflow is a megabyte of
/// one-letter list items (under every file cap, but a large tree to build): its check goes over a
/// small memory limit and is that repository's own not-verified result, with the reason; the
/// repositories after it in the same job are still checked.
#[test]
fn org_run_isolates_a_repository_that_exhausts_its_memory() {
    let mock = MockOrg::start(5);
    let items = vec!["a"; 500_000].join(",");
    let big = format!("on: push\njobs: {{}}\nx: [{items}]\n");
    assert!(big.len() < 1024 * 1024, "{}", big.len());
    mock.workflow("repo-0001", &big);
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("shard.json");
    let names: Vec<String> = (0..4).map(|i| format!("{ORG}/repo-{i:04}")).collect();
    std::fs::write(
        &shard,
        serde_json::json!({"schema": "shipgate/org-shard@1", "org": ORG, "shard": 0, "of": 1,
            "repositories": names})
        .to_string(),
    )
    .unwrap();
    let results = dir.path().join("results");
    let run = |limit: &str| {
        sg(
            &mock,
            &[
                "org",
                "run",
                "--shard",
                shard.to_str().unwrap(),
                "--out",
                results.to_str().unwrap(),
                "--jobs",
                "1",
                "--memory-limit",
                limit,
            ],
            dir.path(),
            &[],
        )
    };
    let r = run("120");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hostile = json_file(&results.join("mock-org__repo-0001.json"));
    assert_eq!(hostile["status"], "not-verified", "{hostile}");
    let reason = hostile["reason"].as_str().unwrap();
    assert!(
        reason.contains("over the 120 MiB memory limit per repository"),
        "{reason}"
    );
    for i in [0, 2, 3] {
        let v = json_file(&results.join(format!("mock-org__repo-{i:04}.json")));
        assert_ne!(v["status"], "not-verified", "{v}");
    }
    // The twin: with room enough, the same repository is checked like the others.
    let r = run("2048");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let checked = json_file(&results.join("mock-org__repo-0001.json"));
    assert_ne!(checked["status"], "not-verified", "{checked}");
}
