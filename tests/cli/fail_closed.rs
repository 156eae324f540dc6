//! The fail-closed matrix of docs/fail-closed.md, through the binary: for each source (git, filesystem,
//! GitHub API, config) and fault (missing, unreadable, malformed, timeout) that can happen, the exit code
//! and the rule or diagnostic; by default every fault fails closed (exit 2), and where a source has an
//! opt-out, it turns the fault into a warning and is printed in the human summary and the JSON.
use crate::common::*;
use crate::github::{gh, gh_json, message, world};
use crate::mock_github::*;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// A clean repository whose history arrived through pull requests (squash subjects): only the fault
/// under test can fail it.
fn clean_repo() -> Repo {
    let repo = Repo::new();
    repo.commit_file("src/app.py", "x = 1\n", "Initial layout");
    repo.commit_file("src/app.py", "x = 2\n", "Second change (#2)");
    repo
}

/// The severity of the first finding of `rule`, or "" when there is none.
fn severity(report: &Value, rule: &str) -> String {
    report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == rule))
        .and_then(|f| f["severity"].as_str())
        .unwrap_or("")
        .to_string()
}

fn fail_open_settings(report: &Value) -> Vec<String> {
    report["fail_open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["setting"].as_str().unwrap().to_string())
        .collect()
}

/// The opt-out is in effect: printed in the human summary, listed in the JSON.
fn assert_printed(human: &str, report: &Value, setting: &str) {
    assert!(
        human.contains(&format!("fail-open: {setting} — ")),
        "the human summary must print {setting}:\n{human}"
    );
    assert!(
        fail_open_settings(report).contains(&setting.to_string()),
        "{report:#}"
    );
}

/// A config error: exit 2, a diagnostic on stderr containing `want`, and no report.
fn assert_config_error(r: &Run, want: &str) {
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(want),
        "expected `{want}` in:\n{}",
        r.stderr
    );
    assert!(
        r.stdout.is_empty(),
        "no report on a config error: {}",
        r.stdout
    );
}

/// Run `shipgate ARGS` in `dir` with `unreadable` (a path in `dir`) made unreadable, restoring it
/// before returning so the temp dir can be removed. None when this machine cannot make it unreadable.
#[cfg(unix)]
fn with_unreadable(dir: &Path, unreadable: &str, args: &[&str]) -> Option<Run> {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(unreadable);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let run =
        shipgate_unprivileged(args, dir, &path).map(|mut cmd| Run::from(cmd.output().unwrap()));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    run
}

#[cfg(unix)]
fn json_and_human_with_unreadable(dir: &Path, unreadable: &str) -> Option<(i32, Value, String)> {
    let r = with_unreadable(dir, unreadable, &["check", "--offline", "--format", "json"])?;
    let report: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\n{}", r.stdout, r.stderr));
    let human = with_unreadable(dir, unreadable, &["check", "--offline"])?;
    Some((r.code, report, human.stdout))
}

// ---- git ----------------------------------------------------------------------------------------------

#[test]
fn git_missing_is_not_evaluated_and_fails_closed_when_required() {
    // No repository at all, and a repository with no commits: nothing to judge, and the summary says so.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("app.py"), "x = 1\n").unwrap();
    let empty = Repo::new();
    for dir in [plain.path(), empty.path()] {
        let (code, report) = check_json(dir, &[]);
        assert_eq!(code, 0, "{report:#}");
        assert!(
            report["not_evaluated"]
                .to_string()
                .contains("review history of deployment branches"),
            "{report:#}"
        );
        std::fs::write(dir.join("shipgate.toml"), "[history]\nrequire = true\n").unwrap();
        let (code, report) = check_json(dir, &[]);
        assert_eq!(code, 2, "{report:#}");
        assert_eq!(severity(&report, "gate/history-unavailable"), "error");
    }
}

#[test]
fn git_missing_history_in_a_shallow_clone_fails_closed_unless_allowed() {
    let repo = clean_repo();
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    git(tmp.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let clone = tmp.path().join("c");
    let (code, report) = check_json(&clone, &[]);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(severity(&report, "gate/shallow-clone"), "error");

    std::fs::write(
        clone.join("shipgate.toml"),
        "[history]\nallow-shallow = true\n",
    )
    .unwrap();
    let (code, report) = check_json(&clone, &[]);
    assert_eq!(code, 0, "{report:#}");
    let human = run(&["check", "--offline"], &clone).stdout;
    assert_printed(&human, &report, "[history] allow-shallow = true");
}

#[cfg(unix)]
#[test]
fn git_unreadable_fails_closed_unless_history_fail_closed_is_false() {
    let repo = clean_repo();
    let Some((code, report, _)) = json_and_human_with_unreadable(repo.path(), ".git") else {
        return; // root without user namespaces: permissions cannot make .git unreadable here
    };
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(severity(&report, "gate/history-unavailable"), "error");
    assert!(
        message_of(&report, "gate/history-unavailable")
            .contains(".git` is there, but git cannot open it"),
        "{report:#}"
    );

    repo.write("shipgate.toml", "[history]\nfail-closed = false\n");
    let (code, report, human) = json_and_human_with_unreadable(repo.path(), ".git").unwrap();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(severity(&report, "gate/history-unavailable"), "warning");
    assert_printed(&human, &report, "[history] fail-closed = false");
}

#[test]
fn git_malformed_fails_closed_unless_history_fail_closed_is_false() {
    let repo = clean_repo();
    std::fs::write(repo.path().join(".git/HEAD"), "garbage\n").unwrap();
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 2, "{report:#}");
    assert!(
        message_of(&report, "gate/history-unavailable").contains("HEAD cannot be read"),
        "{report:#}"
    );

    repo.write("shipgate.toml", "[history]\nfail-closed = false\n");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(severity(&report, "gate/history-unavailable"), "warning");
    let human = run(&["check", "--offline"], repo.path()).stdout;
    assert_printed(&human, &report, "[history] fail-closed = false");
}

// ---- filesystem ---------------------------------------------------------------------------------------

#[test]
fn filesystem_missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["check", "--offline", "gone"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot check `gone`"), "{}", r.stderr);
    assert!(r.stderr.contains("gate/bad-path"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn filesystem_unreadable_fails_closed_unless_scan_fail_closed_is_false() {
    let repo = clean_repo();
    repo.write("config/settings.yml", "a: 1\n");
    let Some((code, report, _)) =
        json_and_human_with_unreadable(repo.path(), "config/settings.yml")
    else {
        return; // root without user namespaces
    };
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(
        findings(&report),
        vec![(
            "gate/unreadable-file".into(),
            "config/settings.yml".into(),
            0
        )]
    );
    assert_eq!(severity(&report, "gate/unreadable-file"), "error");

    repo.write("shipgate.toml", "[scan]\nfail-closed = false\n");
    let (code, report, human) =
        json_and_human_with_unreadable(repo.path(), "config/settings.yml").unwrap();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(severity(&report, "gate/unreadable-file"), "warning");
    assert_printed(&human, &report, "[scan] fail-closed = false");

    // Turning the rule off is an opt-out too, and is printed like one.
    repo.write(
        "shipgate.toml",
        "[rules]\n\"gate/unreadable-file\" = \"off\"\n",
    );
    let (code, report, human) =
        json_and_human_with_unreadable(repo.path(), "config/settings.yml").unwrap();
    assert_eq!((code, findings(&report)), (0, vec![]), "{report:#}");
    assert_printed(
        &human,
        &report,
        "[rules] \"gate/unreadable-file\" = \"off\"",
    );
}

#[test]
fn filesystem_malformed_workflow_fails_closed_unless_scan_fail_closed_is_false() {
    let repo = clean_repo();
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    steps: [unclosed\n",
    );
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(severity(&report, "workflow/invalid-yaml"), "error");

    repo.write("shipgate.toml", "[scan]\nfail-closed = false\n");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(severity(&report, "workflow/invalid-yaml"), "warning");
    let human = run(&["check", "--offline"], repo.path()).stdout;
    assert_printed(&human, &report, "[scan] fail-closed = false");
}

/// The filesystem's "timeout": a read that would never return. Only regular files are opened, so a
/// FIFO (which blocks its reader until a writer comes) is passed over and the run completes.
#[cfg(unix)]
#[test]
fn filesystem_a_fifo_is_never_opened_so_the_run_completes() {
    let repo = clean_repo();
    std::fs::create_dir_all(repo.path().join("config")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(repo.path().join("config/settings.yml"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo here
    }
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["unreadable"], 0);
}

// ---- GitHub API -----------------------------------------------------------------------------------------

#[test]
fn github_missing_is_not_evaluated_and_fails_closed_when_required() {
    let w = world();
    // Without GitHub, git history judges review; these commits are direct pushes, not this test's subject.
    let no_history = "[rules]\n\"review/direct-push\" = \"off\"\n";
    w.repo.write("shipgate.toml", no_history);
    let r = run(&["check", "--format", "json"], w.repo.path());
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("no token (set GITHUB_TOKEN or GH_TOKEN)"),
        "{}",
        r.stdout
    );
    w.repo.write(
        "shipgate.toml",
        format!("{no_history}[github]\nrequire = true\n"),
    );
    let r = run(&["check", "--format", "json"], w.repo.path());
    assert_eq!(r.code, 2, "{}", r.stdout);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(severity(&report, "gate/github-required"), "error");
}

/// One GitHub fault: exit 2 with `want` in the `gate/github-unavailable` finding for `url`; then with
/// `[github] fail-closed = false`, exit 0, a warning, and the opt-out printed.
fn github_cell(route: &str, reply: Reply, url_path: &str, env: &[(&str, &str)], want: &str) {
    let w = world();
    w.mock.on(&api(route), reply);
    let url = format!("{}{}", w.mock.url(), api(url_path));
    let (code, report) = gh_json(&w, env);
    assert_eq!(code, 2, "{report:#}");
    let m = message(&report, "gate/github-unavailable", &url);
    assert!(m.contains(want), "{m}");
    assert_eq!(severity(&report, "gate/github-unavailable"), "error");

    // A repository GitHub would not describe leaves review to git history, where this world's commits
    // are direct pushes: not this test's subject.
    w.repo.write(
        "shipgate.toml",
        "[github]\nfail-closed = false\n[rules]\n\"review/direct-push\" = \"off\"\n",
    );
    let (code, report) = gh_json(&w, env);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(severity(&report, "gate/github-unavailable"), "warning");
    let human = gh(&w, &["check"], env).stdout;
    assert_printed(&human, &report, "[github] fail-closed = false");
}

#[test]
fn github_unreadable_token_rejected_fails_closed_unless_github_fail_closed_is_false() {
    github_cell(
        "",
        Reply::error(401, "Bad credentials"),
        "",
        &[],
        "401 (authentication failed; the server's 95-byte answer is not shown): the token was not accepted",
    );
}

#[test]
fn github_malformed_answer_fails_closed_unless_github_fail_closed_is_false() {
    github_cell(
        "/branches/main/protection",
        Reply::raw(200, "{\"url\": "),
        "/branches/main/protection",
        &[],
        "the response is not the JSON expected",
    );
}

#[test]
fn github_timeout_fails_closed_after_bounded_retries_unless_github_fail_closed_is_false() {
    // The client gives up after 0.2 s per attempt (SHIPGATE_GITHUB_TIMEOUT_MS), three attempts in all.
    github_cell(
        "/branches/main/protection",
        Reply::ok(classic_strict()).delay(Duration::from_millis(1500)),
        "/branches/main/protection",
        &[("SHIPGATE_GITHUB_TIMEOUT_MS", "200")],
        "no answer within 0.2 s (tried 3 times)",
    );
}

// ---- config -------------------------------------------------------------------------------------------

#[test]
fn config_missing_explicit_file_is_exit_2() {
    let repo = clean_repo();
    let r = run(
        &["check", "--offline", "--config", "nope.toml"],
        repo.path(),
    );
    assert_config_error(&r, "cannot read config nope.toml");
    assert!(r.stderr.contains("config/unreadable"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn config_dangling_symlink_is_exit_2_not_the_defaults() {
    let repo = clean_repo();
    std::os::unix::fs::symlink("shared/shipgate.toml", repo.path().join("shipgate.toml")).unwrap();
    let r = run(&["check", "--offline"], repo.path());
    assert_config_error(&r, "cannot read config shipgate.toml");
}

#[test]
fn config_unreadable_is_exit_2() {
    let repo = clean_repo();
    std::fs::create_dir_all(repo.path().join("conf.d")).unwrap();
    let r = run(&["check", "--offline", "--config", "conf.d"], repo.path());
    assert_config_error(&r, "cannot read config conf.d");
    // A directory where shipgate.toml should be is not "no config".
    std::fs::create_dir_all(repo.path().join("shipgate.toml")).unwrap();
    let r = run(&["check", "--offline"], repo.path());
    assert_config_error(
        &r,
        "cannot read config shipgate.toml: it is not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn config_without_read_permission_is_exit_2() {
    let repo = clean_repo();
    repo.write("shipgate.toml", "fail-on = \"error\"\n");
    let Some(r) = with_unreadable(repo.path(), "shipgate.toml", &["check", "--offline"]) else {
        return; // root without user namespaces
    };
    assert_config_error(&r, "cannot read config shipgate.toml: Permission denied");
}

#[test]
fn config_malformed_is_exit_2_with_the_line() {
    let repo = clean_repo();
    repo.write("shipgate.toml", "[scan]\nfail-closed = \"no\"\n");
    let r = run(&["check", "--offline"], repo.path());
    assert_config_error(&r, "shipgate.toml:2:");
    repo.write("shipgate.toml", "[history\nfail-closed = false\n");
    let r = run(&["check", "--offline"], repo.path());
    assert_config_error(&r, "shipgate.toml:1:");
    repo.write("shipgate.toml", b"fail-on = \"\xff\"\n");
    let r = run(&["check", "--offline"], repo.path());
    assert_config_error(&r, "not valid UTF-8");
}

/// The config's "timeout": a read that would never return. A FIFO at a default location is refused,
/// not opened (which would wait for a writer forever).
#[cfg(unix)]
#[test]
fn config_fifo_is_refused_not_waited_on() {
    let repo = clean_repo();
    let made = std::process::Command::new("mkfifo")
        .arg(repo.path().join("shipgate.toml"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    let r = run(&["check", "--offline"], repo.path());
    assert_config_error(
        &r,
        "cannot read config shipgate.toml: it is not a regular file",
    );
}

// ---- every opt-out is visible ---------------------------------------------------------------------------

#[test]
fn every_opt_out_in_effect_is_printed_in_every_format() {
    let repo = clean_repo();
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        (code, report["fail_open"].clone()),
        (0, serde_json::json!([]))
    );
    let md = run(&["check", "--offline", "--format", "markdown"], repo.path()).stdout;
    assert!(
        md.contains("| Fail-open settings | none: every source fails closed |"),
        "{md}"
    );

    repo.write(
        "shipgate.toml",
        "[scan]\nfail-closed = false\n[history]\nfail-closed = false\nallow-shallow = true\n[github]\nfail-closed = false\n[rules]\n\"workflow/invalid-yaml\" = \"warning\"\n",
    );
    let settings = [
        "[github] fail-closed = false",
        "[history] fail-closed = false",
        "[history] allow-shallow = true",
        "[scan] fail-closed = false",
        "[rules] \"workflow/invalid-yaml\" = \"warning\"",
    ];
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(fail_open_settings(&report), settings);
    let sources: Vec<&str> = report["fail_open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        ["github", "git", "git", "filesystem", "filesystem"]
    );

    let human = run(&["check", "--offline"], repo.path()).stdout;
    let summary = repo.path().join("summary.md");
    let mut cmd = shipgate(&["check", "--offline", "--format", "github"], repo.path());
    cmd.env("GITHUB_STEP_SUMMARY", &summary);
    let github: Run = cmd.output().unwrap().into();
    let step_summary = std::fs::read_to_string(&summary).unwrap();
    let sarif = run(&["check", "--offline", "--format", "sarif"], repo.path()).stdout;
    let md = run(&["check", "--offline", "--format", "markdown"], repo.path()).stdout;
    let html = run(&["check", "--offline", "--format", "html"], repo.path()).stdout;
    for s in settings {
        assert_printed(&human, &report, s);
        assert!(
            github.stdout.contains(&format!("shipgate: fail-open: {s}")),
            "{}",
            github.stdout
        );
        assert!(
            step_summary.contains(&format!(
                "- Fail-open: {}",
                shipgate::report::markdown::text(s)
            )),
            "{step_summary}"
        );
        assert!(
            sarif.contains(&format!("fail-open: {}", s.replace('"', "\\\""))),
            "{sarif}"
        );
        assert!(md.contains(&shipgate::report::markdown::text(s)), "{md}");
        assert!(html.contains(&s.replace('"', "&quot;")), "{html}");
    }
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
    assert!(jsonschema::validator_for(&schema).unwrap().is_valid(&sarif));
}
