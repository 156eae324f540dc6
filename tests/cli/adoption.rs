//! A new user's first hour, through the binary: empty trees, reports written to files, every printed code
//! explainable, pipes closed early, baselines in shallow clones, and an evidence report that never says
//! PASS over findings.
use crate::common::*;
use std::io::Read;
use std::process::Stdio;

#[test]
fn an_empty_directory_is_exit_2_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["check", "--offline"], dir.path());
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("gate/no-files"), "{}", r.stderr);
    assert!(r.stderr.contains("no files scanned"), "{}", r.stderr);
    assert!(r.stderr.contains("--allow-empty"), "{}", r.stderr);
    // (A subdirectory of a repository gates the whole repository from its root — issue 14 item 4 —
    // so only a tree with nothing in it, or everything ignored, is zero files.)
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n");
    // Everything ignored by config is zero files too.
    repo.write("shipgate.toml", "[paths]\nignore = [\"**\"]\n");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    // The flag allows the rare intended case.
    let r = run(&["check", "--offline", "--allow-empty"], dir.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&["explain", "gate/no-files"], dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn output_to_a_file_still_prints_the_verdict_to_stderr() {
    let repo = Repo::new();
    repo.write("src/app.py", "ADMIN = 'ops@example.com'\n");
    let out = repo.path().join("report.json");
    let r = run(
        &[
            "check",
            "--offline",
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
        ],
        repo.path(),
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("FAILED · 1 error") && r.stderr.contains("report.json"),
        "{}",
        r.stderr
    );
    assert!(std::fs::read_to_string(out)
        .unwrap()
        .contains("\"schema_version\""));
}

#[test]
fn one_file_is_one_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
    let r = run(&["check", "--offline"], dir.path());
    assert!(r.stdout.contains("· 1 file, 1 scanned"), "{}", r.stdout);
    std::fs::write(dir.path().join("b.py"), "x = 1\n").unwrap();
    let r = run(&["check", "--offline"], dir.path());
    assert!(r.stdout.contains("· 2 files, 2 scanned"), "{}", r.stdout);
}

/// Every `family/name` code the source can print as a diagnostic (`error[CODE]`).
fn printed_codes() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root];
    let mut codes = std::collections::BTreeSet::new();
    let families = [
        "baseline/",
        "config/",
        "explain/",
        "gate/",
        "hook/",
        "init/",
        "rules/",
    ];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for lit in text.split('"').skip(1).step_by(2) {
            let is_code = families.iter().any(|f| lit.starts_with(f))
                && lit.len() < 40
                && lit.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/'
                })
                && lit.matches('/').count() == 1
                && !lit.ends_with('/');
            if is_code {
                codes.insert(lit.to_string());
            }
        }
    }
    codes.into_iter().collect()
}

#[test]
fn every_printed_code_is_explained() {
    let codes = printed_codes();
    for must in [
        "gate/diff-base",
        "gate/bad-path",
        "gate/output",
        "config/invalid",
    ] {
        assert!(
            codes.iter().any(|c| c == must),
            "{must} not found in {codes:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let mut unexplained = Vec::new();
    for code in &codes {
        let r = run(&["explain", code], dir.path());
        if r.code != 0 || !r.stdout.starts_with(&format!("{code} — ")) {
            unexplained.push(format!("{code}: {}", r.stderr.trim()));
        }
    }
    assert!(unexplained.is_empty(), "{unexplained:#?}");
}

#[test]
fn explain_forgives_case_and_a_missing_family_and_suggests() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["explain", "reserved-email"], dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("data/reserved-email — "),
        "{}",
        r.stdout
    );
    let r = run(&["explain", "Gate/Diff-Base"], dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("gate/diff-base — "), "{}", r.stdout);
    let r = run(&["explain", "reserved-emial"], dir.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `data/reserved-email`?"),
        "{}",
        r.stderr
    );
    let r = run(&["explain", "data/reserved-emial"], dir.path());
    assert!(
        r.stderr.contains("did you mean `data/reserved-email`?"),
        "{}",
        r.stderr
    );
    // The rule page says how to turn a rule off with the word the config takes.
    let r = run(&["explain", "data/reserved-email"], dir.path());
    assert!(r.stdout.contains("\"off\""), "{}", r.stdout);
}

#[test]
fn a_rule_setting_of_disabled_is_told_to_use_off() {
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n").write(
        "shipgate.toml",
        "[rules]\n\"data/reserved-email\" = \"disabled\"\n",
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("\"off\" to turn the rule off"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["rules", "--format", "json"][..],
        &["rules"][..],
        &["explain", "data/reserved-email"][..],
    ] {
        let mut child = shipgate(args, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout); // `| head -c1`
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    // The JSON rule list is larger than a pipe's buffer, so the case above did hit a closed pipe.
    let r = run(&["rules", "--format", "json"], dir.path());
    assert!(r.stdout.len() > 70_000, "{}", r.stdout.len());
}

#[test]
fn a_stale_baseline_note_points_at_the_entry_line() {
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n").write(
        ".shipgate/baseline.json",
        "{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\": \"00000000deadbeef\", \"rule\": \"data/reserved-email\", \"location\": \"gone.py:1:1\"}\n  ]\n}\n",
    );
    let (_, report) = check_json(repo.path(), &[]);
    let stale = located(&report, "suppress/stale-baseline");
    assert_eq!(
        stale,
        vec![(
            "suppress/stale-baseline".to_string(),
            ".shipgate/baseline.json".to_string(),
            4,
            5
        )]
    );
    let r = run(&["check", "--offline"], repo.path());
    assert!(
        r.stdout.contains(".shipgate/baseline.json:4:5"),
        "{}",
        r.stdout
    );
}

/// A repository with direct pushes on main (review findings from history) and its baseline committed.
fn remote_with_baseline() -> (Remote, String) {
    let remote = Remote::new();
    let p = remote.clone.path();
    remote
        .clone
        .commit_file("src/a.py", "x = 1\n", "direct one");
    remote
        .clone
        .commit_file("src/b.py", "y = 2\n", "direct two");
    git(p, &["push", "-q", "origin", "main"]);
    let r = run(&["baseline"], p);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("pull request"), "{}", r.stdout);
    let text = std::fs::read_to_string(p.join(".shipgate/baseline.json")).unwrap();
    assert!(
        text.contains("\"location\":\"git:branch main"),
        "the fixture must baseline history findings: {text}"
    );
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "baseline"]);
    git(p, &["push", "-q", "origin", "main"]);
    (remote, text)
}

fn shallow_clone(remote: &Remote) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", remote.bare.path().display());
    git(dir.path(), &["clone", "-q", "--depth", "1", &url, "work"]);
    let work = dir.path().join("work");
    (dir, work)
}

#[test]
fn a_shallow_clone_never_rewrites_or_stales_the_history_baseline() {
    let (remote, committed) = remote_with_baseline();
    let (_keep, work) = shallow_clone(&remote);
    let baseline = work.join(".shipgate/baseline.json");
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), committed);

    // `shipgate baseline` in a shallow clone: exit 2, and the file is untouched.
    let r = run(&["baseline"], &work);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("baseline/not-evaluated"), "{}", r.stderr);
    assert!(r.stderr.contains("gate/shallow-clone"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), committed);
    let leftovers: Vec<_> = std::fs::read_dir(work.join(".shipgate"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");

    // `check` in the shallow clone: the history entries are not "fixed?".
    let (code, report) = check_json(&work, &[]);
    assert_eq!(code, 2);
    assert!(
        located(&report, "suppress/stale-baseline").is_empty(),
        "{report}"
    );

    // With shallow clones accepted, `baseline` succeeds and keeps what it could not evaluate.
    std::fs::write(
        work.join("shipgate.toml"),
        "[history]\nallow-shallow = true\n",
    )
    .unwrap();
    let r = run(&["baseline"], &work);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("kept"), "{}", r.stdout);
    let rewritten = std::fs::read_to_string(&baseline).unwrap();
    let history = |t: &str| {
        t.lines()
            .filter(|l| l.contains("\"location\":\"git:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert!(!history(&committed).is_empty());
    assert_eq!(history(&rewritten), history(&committed));
    let (code, report) = check_json(&work, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        located(&report, "suppress/stale-baseline").is_empty(),
        "{report}"
    );

    // In the full clone, the same entries are still matched (not stale), so the fixture is real.
    let (_, full) = check_json(remote.clone.path(), &[]);
    assert!(
        located(&full, "suppress/stale-baseline").is_empty(),
        "{full}"
    );
    assert!(
        full["summary"]["baselined"].as_u64().unwrap_or(0) >= 2,
        "{full}"
    );
}

#[test]
fn the_evidence_report_never_says_pass_over_findings_and_states_its_scope() {
    let remote = Remote::new();
    let p = remote.clone.path();
    git(
        p,
        &[
            "remote",
            "set-url",
            "origin",
            "https://github.com/acme/service.git",
        ],
    );
    // A warning-level finding only (below the default fail-on): lorem ipsum in production code.
    remote
        .clone
        .commit_file("src/app.py", "TITLE = 'Lorem ipsum dolor sit amet'\n", "c");
    let r = run(&["check", "--offline", "--format", "markdown"], p);
    let md = &r.stdout;
    assert!(
        md.contains("| Nothing test-only reaches production | **PASS WITH WARNINGS** |"),
        "{md}"
    );
    assert!(
        !md.contains("| Nothing test-only reaches production | **PASS** |"),
        "{md}"
    );
    assert!(md.contains("| Repository | `acme/service` |"), "{md}");
    assert!(
        !md.contains(&p.display().to_string()),
        "local path in the report: {md}"
    );
    assert!(md.contains("| Deployment branches | main |"), "{md}");
    assert!(md.contains("| History examined | 1 commit, "), "{md}");
    assert!(md.contains("| GitHub settings | offline"), "{md}");

    let page = tempfile::tempdir().unwrap();
    let html_path = page.path().join("r.html");
    run(
        &[
            "check",
            "--offline",
            "--format",
            "html",
            "--output",
            html_path.to_str().unwrap(),
        ],
        p,
    );
    let html = std::fs::read_to_string(html_path).unwrap();
    assert!(html.contains(">PASS WITH WARNINGS<"), "{html}");
    assert!(html.contains("<code>"), "{html}");
    assert!(!html.contains('`'), "raw backticks in the HTML: {html}");
    assert!(html.contains("acme/service"), "{html}");
}

#[test]
fn the_readme_says_to_commit_the_baseline_through_a_pull_request() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let line = readme
        .lines()
        .find(|l| l.trim_start().starts_with("shipgate baseline "))
        .unwrap();
    assert!(line.contains("pull request"), "{line}");
    assert!(!line.contains("(commit it)"), "{line}");
    // The adoption order: policy (config and baseline) first, then the gating workflow.
    let policy = readme.find("1. **Config and baseline.**").unwrap();
    let gate = readme.find("2. **The gating workflow**").unwrap();
    assert!(policy < gate);
}

#[test]
fn a_duplicate_key_names_where_it_was_first_defined() {
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n").write(
        "shipgate.toml",
        "[rules]\n\"data/lorem-ipsum\" = \"off\"\n\n\"data/lorem-ipsum\" = \"warning\"\n",
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("duplicate key `data/lorem-ipsum` (first defined on line 2)"),
        "{}",
        r.stderr
    );
    // Both places are quoted and labelled.
    assert!(r.stderr.contains("shipgate.toml:2:1"), "{}", r.stderr);
    assert!(r.stderr.contains("first defined here"), "{}", r.stderr);
    assert!(r.stderr.contains("── duplicate key"), "{}", r.stderr);
    // A table defined twice: both headers.
    repo.write(
        "shipgate.toml",
        "[history]\nmax-commits = 5\n\n[github]\nrequire = false\n\n[history]\nsince = \"30 days\"\n",
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("duplicate key `history` (first defined on line 1)"),
        "{}",
        r.stderr
    );
    // Twin: the same key in two tables is two keys.
    repo.write(
        "shipgate.toml",
        "[history]\nrequire = false\n\n[github]\nrequire = false\n",
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn the_bundled_sample_shows_every_family_of_file_checks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = run(
        &[
            "check",
            "examples/sample-service",
            "--offline",
            "--format",
            "json",
        ],
        root,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let families: std::collections::BTreeSet<String> = findings(&report)
        .iter()
        .map(|(rule, _, _)| rule.split('/').next().unwrap_or("").to_string())
        .collect();
    for family in [
        "data", "switch", "leak", "access", "workflow", "owners", "process",
    ] {
        assert!(
            families.contains(family),
            "no {family}/ finding: {families:?}"
        );
    }
    // The same test data in tests/ and fixtures/ is not reported.
    assert!(
        findings(&report)
            .iter()
            .all(|(_, path, _)| !path.starts_with("tests/")),
        "{report}"
    );
    // What needs GitHub is said to be not evaluated, not passed.
    assert!(
        report["not_evaluated"]
            .to_string()
            .contains("GitHub settings"),
        "{}",
        report["not_evaluated"]
    );
}

#[test]
fn scorecard_without_admin_leaves_up_to_date_unknown_as_scorecard_does() {
    use crate::github::{gh_json, world};
    use crate::mock_github::*;
    use serde_json::{json, Value};
    let w = world();
    let rule = |r: Value| {
        let mut r = r;
        r["ruleset_source_type"] = json!("Repository");
        r["ruleset_source"] = json!(format!("{OWNER}/{NAME}"));
        r["ruleset_id"] = json!(42);
        r
    };
    // A ruleset with pull requests (two approvals, code owners, last push, stale dismissal) and no
    // status-check rule; classic protection unreadable and no classic rule shown to this token.
    let rules = json!([
        rule(json!({"type": "deletion"})),
        rule(json!({"type": "non_fast_forward"})),
        rule(json!({"type": "pull_request", "parameters": {
            "required_approving_review_count": 2, "dismiss_stale_reviews_on_push": true,
            "require_code_owner_review": true, "require_last_push_approval": true,
            "required_review_thread_resolution": false,
            "allowed_merge_methods": ["merge", "squash", "rebase"]
        }}))
    ]);
    w.mock
        .on(
            &api("/branches/main/protection"),
            Reply::error(403, "Resource not accessible by integration"),
        )
        .on(&api("/rules/branches/main"), Reply::ok(rules))
        .on(
            &api("/rulesets/42"),
            Reply::ok(ruleset(42, "protect main", Some(json!([])))),
        )
        .ref_rules("main", Value::Null, None);
    let (_, report) = gh_json(&w, &[]);
    let sc = &report["github"]["branches"][0]["scorecard"];
    // Tiers 1 and 2 complete (up to date unknown, left out of the maximum), tier 3 missing: 6, as
    // Scorecard computes it; "up to date" is not offered as a fix, it is unknown.
    assert_eq!(sc["score"], 6, "{sc:#}");
    assert!(
        sc["unknown"]
            .as_array()
            .unwrap()
            .contains(&json!("required_status_checks.strict")),
        "{sc:#}"
    );
    assert!(!sc["raise"].to_string().contains("up to date"), "{sc:#}");
    // Twin: with an admin token classic protection is read in full, and its strictness is known.
    let classic = with(
        with(
            classic_strict(),
            "/required_status_checks/strict",
            json!(false),
        ),
        "/required_status_checks/contexts",
        json!(["test"]),
    );
    w.mock
        .on(&api("/branches/main/protection"), Reply::ok(classic))
        .on(&api("/rules/branches/main"), Reply::ok(json!([])));
    let (_, report) = gh_json(&w, &[]);
    let sc = &report["github"]["branches"][0]["scorecard"];
    assert!(sc["raise"].to_string().contains("up to date"), "{sc:#}");
}

#[test]
fn the_readme_install_lines_work_today_and_the_deploy_waits_for_the_gate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let readme = read("README.md");
    let manifest = read("Cargo.toml");
    let url = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap();
    let installs: Vec<&str> = readme
        .lines()
        .map(|l| l.split(" # ").next().unwrap_or("").trim())
        .filter(|l| l.starts_with("cargo install"))
        .collect();
    assert!(
        installs.contains(&"cargo install --path . --locked"),
        "{installs:?}"
    );
    // From git: the project's own URL, --locked, and the package named — the repository also holds the
    // fuzzing package, so `cargo install --git URL` alone refuses to choose.
    let git = installs
        .iter()
        .find(|l| l.contains("--git"))
        .expect("a cargo install --git line");
    assert!(
        git.contains(&format!("--git {url} ")) && git.contains("--locked"),
        "{git}"
    );
    assert!(git.ends_with(" shipgate"), "{git}");
    assert!(root.join("fuzz/Cargo.toml").exists());
    // Nothing unpublished is offered as a command to run.
    assert!(
        !installs.contains(&"cargo install shipgate --locked"),
        "{installs:?}"
    );
    assert!(readme.contains("**not published yet**"));
    // The deploy example waits for the gate and keeps every gate run.
    let deploy = readme
        .split("```yaml\n")
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("\n  deploy:\n"))
        .expect("a deploy example");
    assert!(deploy.contains("needs: gate"), "{deploy}");
    assert!(!deploy.contains("cancel-in-progress: true"), "{deploy}");
    assert!(readme.contains("Never `cancel-in-progress: true` on a deployment branch"));
    let push = read("examples/workflows/push-gate.yml");
    assert!(push.contains("needs: gate"), "{push}");
    let code: Vec<&str> = push
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    assert!(
        !code.iter().any(|l| l.contains("cancel-in-progress: true")),
        "{push}"
    );
    // The gate's concurrency group is per commit (never one a newer push shares), in both.
    let gate = push
        .split("\n  gate:\n")
        .nth(1)
        .unwrap()
        .split("\n  deploy:\n")
        .next()
        .unwrap();
    assert!(gate.contains("group: shipgate-${{ github.sha }}"), "{gate}");
    assert!(
        !code.iter().any(|l| l.starts_with("concurrency:")),
        "{push}"
    );
    let gate = deploy
        .split("\n  gate:\n")
        .nth(1)
        .unwrap()
        .split("\n  deploy:\n")
        .next()
        .unwrap();
    assert!(gate.contains("${{ github.sha }}"), "{gate}");
    // Outputs are written outside the checkout, in the README and the ready-made workflows.
    let mut texts = vec![readme.clone()];
    for e in std::fs::read_dir(root.join("examples/workflows")).unwrap() {
        texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    for text in &texts {
        for line in text.lines() {
            let l = line.trim_start().trim_start_matches("- ");
            if l.starts_with("sarif-file:") || l.starts_with("report:") {
                assert!(l.contains("${{ runner.temp }}/"), "{line}");
            }
        }
    }
}

#[test]
fn shipgate_never_gates_its_own_outputs_but_a_planted_lookalike_is_gated() {
    let repo = Repo::new();
    repo.write(
        "app/pay.py",
        "# shipgate:allow(data/test-card-number) the sandbox card shown on the demo page\nDEMO_CARD = '4242424242424242'\n",
    );
    repo.commit("c");
    // Reports written into the work tree quote the allowed test card.
    let r = run(
        &[
            "check",
            "--offline",
            "--report",
            "evidence.md",
            "--sarif-file",
            "shipgate.sarif",
            "--format",
            "json",
            "--output",
            "shipgate.json",
        ],
        repo.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for out in ["evidence.md", "shipgate.json"] {
        let text = std::fs::read_to_string(repo.path().join(out)).unwrap();
        assert!(text.contains("4242424242424242"), "{out} quotes the card");
    }
    assert!(repo.path().join("shipgate.sarif").is_file());
    let html = run(
        &["check", "--offline", "--report", "evidence.html"],
        repo.path(),
    );
    assert_eq!(html.code, 0, "{}", html.stderr);
    // The next run does not fail on them, and says it left them out.
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report}");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("shipgate outputs (evidence."),
        "{}",
        r.stdout
    );

    // A pull request cannot use this: a committed file that looks like shipgate output is gated.
    let planted = "<!DOCTYPE html>\n<html><head><meta name=\"generator\" content=\"shipgate-output: evidence report\"></head>\n<body><p>Card: 4111111111111111</p></body></html>\n";
    repo.write("app/templates/report.html", planted);
    git(repo.path(), &["add", "app/templates/report.html"]);
    git(repo.path(), &["commit", "-q", "-m", "plant"]);
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report}");
    let found = findings(&report);
    assert!(
        found
            .iter()
            .any(|(rule, path, _)| rule == "data/test-card-number"
                && path == "app/templates/report.html"),
        "{report}"
    );
    // ...while this run's own untracked reports are still set aside.
    assert!(
        !found
            .iter()
            .any(|(_, path, _)| path.starts_with("evidence.")),
        "{report}"
    );
    assert_eq!(
        report["own_outputs"],
        serde_json::json!(["evidence.html", "shipgate.json"]),
        "{report}"
    );
    // Staged but not committed is tracked too.
    repo.write("app/templates/staged.html", planted);
    git(repo.path(), &["add", "app/templates/staged.html"]);
    let (_, report) = check_json(repo.path(), &[]);
    assert!(
        findings(&report)
            .iter()
            .any(|(_, path, _)| path == "app/templates/staged.html"),
        "{report}"
    );
    // And an untracked file without the marker is gated as before.
    git(
        repo.path(),
        &["rm", "-q", "--cached", "app/templates/staged.html"],
    );
    std::fs::write(
        repo.path().join("app/templates/staged.html"),
        "<p>Card: 4111111111111111</p>\n",
    )
    .unwrap();
    let (_, report) = check_json(repo.path(), &[]);
    assert!(
        findings(&report)
            .iter()
            .any(|(_, path, _)| path == "app/templates/staged.html"),
        "{report}"
    );
}

/// A pull request (#42, by dev1) on branch `feature` of the GitHub test world, changing the gate's own
/// policy: `shipgate.toml` turns a rule off. `owners` is the base branch's CODEOWNERS line for it.
struct PolicyPr {
    w: crate::github::World,
    head: String,
    event: tempfile::TempDir,
}

fn policy_pr(owners: &str, code_owner_review: bool) -> PolicyPr {
    use crate::mock_github::*;
    use serde_json::json;
    let w = crate::github::world();
    w.repo.write(
        ".github/CODEOWNERS",
        format!("* @octo-org/release\n{owners}\n"),
    );
    w.repo.commit("owners");
    git(w.repo.path(), &["switch", "-q", "-c", "feature"]);
    w.repo
        .write("shipgate.toml", "[rules]\n\"data/lorem-ipsum\" = \"off\"\n");
    let head = w.repo.commit("turn off lorem ipsum").to_string();
    let classic = with(
        classic_strict(),
        "/required_pull_request_reviews/require_code_owner_reviews",
        json!(code_owner_review),
    );
    w.mock
        .on(&api("/branches/main/protection"), Reply::ok(classic))
        .ref_rules(
            "main",
            with(
                ref_update_rule_strict(),
                "/requiresCodeOwnerReviews",
                json!(code_owner_review),
            ),
            Some(with(
                branch_protection_rule_strict(),
                "/requiresCodeOwnerReviews",
                json!(code_owner_review),
            )),
        );
    let open = with(
        with(
            pull(42, "dev1", "User", &head, &"0".repeat(40)),
            "/state",
            json!("open"),
        ),
        "/merged_at",
        serde_json::Value::Null,
    );
    w.mock.on(&api("/pulls/42"), Reply::ok(open));
    w.mock.on(&api("/pulls/42/reviews"), Reply::ok(json!([])));
    let event = tempfile::tempdir().unwrap();
    std::fs::write(
        event.path().join("event.json"),
        json!({"action": "synchronize", "number": 42, "pull_request": {"number": 42}}).to_string(),
    )
    .unwrap();
    PolicyPr { w, head, event }
}

impl PolicyPr {
    fn check(&self) -> (i32, serde_json::Value) {
        let event = self.event.path().join("event.json");
        let r = crate::github::gh(
            &self.w,
            &["check", "--diff", "main", "--format", "json"],
            &[
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
        (r.code, v)
    }

    fn reviews(&self, reviews: Vec<serde_json::Value>) {
        use crate::mock_github::*;
        self.w.mock.on(
            &api("/pulls/42/reviews"),
            Reply::ok(serde_json::json!(reviews)),
        );
    }
}

fn policy_changes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "gate/policy-changed")
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect()
}

fn approved(report: &serde_json::Value) -> Vec<String> {
    report["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["accepted_by"] == "approved policy change")
        .map(|e| e["reason"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_policy_change_approved_by_a_code_owner_on_the_head_commit_passes() {
    use crate::mock_github::review;
    let pr = policy_pr("shipgate.toml @alice", false);
    // Nobody approved yet: the change fails, and says what would accept it.
    let (code, report) = pr.check();
    assert_eq!(code, 1, "{report:#}");
    let changes = policy_changes(&report);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0].contains("rule `data/lorem-ipsum` turned off")
            && changes[0].contains(
                "not approved: no code owner of `shipgate.toml` (@alice) has approved pull request #42's head commit"
            ),
        "{changes:?}"
    );
    // A code owner's approval of an earlier commit does not count.
    pr.reviews(vec![review(
        1,
        "alice",
        "User",
        "APPROVED",
        &"e".repeat(40),
    )]);
    let (code, _) = pr.check();
    assert_eq!(code, 1);
    // Nor does someone else's approval of the head.
    pr.reviews(vec![review(2, "bob", "User", "APPROVED", &pr.head)]);
    let (code, _) = pr.check();
    assert_eq!(code, 1);
    // Nor an approval the owner took back by asking for changes.
    pr.reviews(vec![
        review(3, "alice", "User", "APPROVED", &pr.head),
        review(4, "alice", "User", "CHANGES_REQUESTED", &pr.head),
    ]);
    let (code, _) = pr.check();
    assert_eq!(code, 1);
    // The owner (from the base branch's CODEOWNERS) approves the head: accepted, and said how.
    pr.reviews(vec![
        review(5, "bob", "User", "APPROVED", &pr.head),
        review(6, "alice", "User", "APPROVED", &pr.head),
    ]);
    let (code, report) = pr.check();
    assert_eq!(code, 0, "{report:#}");
    assert!(policy_changes(&report).is_empty(), "{report:#}");
    let how = approved(&report);
    assert_eq!(how.len(), 1, "{report:#}");
    assert!(
        how[0].starts_with("approved by @alice, a code owner of `shipgate.toml` (base branch's `.github/CODEOWNERS:2`), on pull request #42's head commit ")
            && how[0].contains(&pr.head[..7]),
        "{how:?}"
    );
    // The reviews were read from the pull request named by the event.
    assert!(
        pr.w.mock
            .hits(&crate::mock_github::api("/pulls/42/reviews"))
            > 0
    );
    // The console and the evidence report say which approval accepted it.
    let event = pr.event.path().join("event.json");
    let env = [
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
    ];
    let human = crate::github::gh(&pr.w, &["check", "--diff", "main"], &env);
    assert!(
        human
            .stdout
            .contains("policy change accepted: rule `data/lorem-ipsum` turned off")
            && human.stdout.contains("approved by @alice")
            && human.stdout.contains("1 policy change approved"),
        "{}",
        human.stdout
    );
    let md = crate::github::gh(
        &pr.w,
        &["check", "--diff", "main", "--format", "markdown"],
        &env,
    );
    let section = md
        .stdout
        .split("## Accepted changes to the gate's own policy")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", md.stdout));
    assert!(
        section.lines().any(|l| l.contains("gate/policy-changed")
            && l.contains("shipgate.toml:2:2")
            && l.contains("| approved policy change | approved by @alice")),
        "{section}"
    );
    // Without the event, and without --pull-request, there is nothing to read approvals from.
    let r = crate::github::gh(&pr.w, &["check", "--diff", "main", "--format", "json"], &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("no pull request to read them from"),
        "{}",
        r.stdout
    );
    let r = crate::github::gh(
        &pr.w,
        &[
            "check",
            "--diff",
            "main",
            "--pull-request",
            "42",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_change_can_not_name_its_own_policy_owner() {
    use crate::mock_github::review;
    // The base branch's CODEOWNERS owns shipgate.toml by @alice; the change makes @dev2 its owner and
    // dev2 approves. GitHub reads the base's CODEOWNERS, and so does shipgate.
    let pr = policy_pr("shipgate.toml @alice", false);
    pr.w.repo.write(
        ".github/CODEOWNERS",
        "* @octo-org/release\nshipgate.toml @dev2\n",
    );
    let head = pr.w.repo.commit("own it myself").to_string();
    pr.w.mock.on(
        &crate::mock_github::api("/pulls/42"),
        crate::mock_github::Reply::ok(crate::mock_github::with(
            crate::mock_github::pull(42, "dev1", "User", &head, &"0".repeat(40)),
            "/state",
            serde_json::json!("open"),
        )),
    );
    pr.reviews(vec![review(1, "dev2", "User", "APPROVED", &head)]);
    let (code, report) = pr.check();
    assert_eq!(code, 1, "{report:#}");
    assert!(
        policy_changes(&report)[0].contains("(@alice) has approved"),
        "{report:#}"
    );
}

#[test]
fn a_team_owner_approves_through_a_member_and_an_enforced_rule_is_enough() {
    use crate::mock_github::*;
    let pr = policy_pr("shipgate.toml @octo-org/security", false);
    pr.reviews(vec![review(1, "carol", "User", "APPROVED", &pr.head)]);
    // Membership not visible to the token (GitHub's 404): not an approval.
    let (code, report) = pr.check();
    assert_eq!(code, 1, "{report:#}");
    pr.w.mock.on(
        "/orgs/octo-org/teams/security/memberships/carol",
        Reply::ok(serde_json::json!({"url": "https://api.github.com/teams/1/memberships/carol", "role": "member", "state": "active"})),
    );
    let (code, report) = pr.check();
    assert_eq!(code, 0, "{report:#}");
    assert!(
        approved(&report)[0].starts_with("approved by @carol (member of @octo-org/security)"),
        "{report:#}"
    );

    // Branch protection that requires code-owner review, with CODEOWNERS covering the file: GitHub
    // enforces the approval before any merge, so the gate does not wait for it — and says so.
    let pr = policy_pr("shipgate.toml @octo-org/security", true);
    let (code, report) = pr.check();
    assert_eq!(code, 0, "{report:#}");
    assert!(
        approved(&report)[0].starts_with("GitHub enforces it: branch protection on `main` requires code-owner review, and the base branch's `.github/CODEOWNERS:2` makes @octo-org/security owners of `shipgate.toml`"),
        "{report:#}"
    );
    // The same rule without an owner for the file: nothing is enforced for it.
    let pr = policy_pr("docs/ @octo-org/writers", true);
    pr.w.repo
        .write(".github/CODEOWNERS", "docs/ @octo-org/writers\n");
    git(pr.w.repo.path(), &["switch", "-q", "main"]);
    pr.w.repo.commit("only docs owned");
    git(pr.w.repo.path(), &["switch", "-q", "feature"]);
    git(pr.w.repo.path(), &["rebase", "-q", "main"]);
    let head = git(pr.w.repo.path(), &["rev-parse", "HEAD"]);
    pr.w.mock.on(
        &api("/pulls/42"),
        Reply::ok(with(
            pull(42, "dev1", "User", &head, &"0".repeat(40)),
            "/state",
            serde_json::json!("open"),
        )),
    );
    let (code, report) = pr.check();
    assert_eq!(code, 1, "{report:#}");
    assert!(
        policy_changes(&report)[0]
            .contains("no code owner of `shipgate.toml` in the base branch's .github/CODEOWNERS"),
        "{report:#}"
    );
}

#[test]
fn offline_a_policy_change_says_approvals_need_github() {
    let pr = policy_pr("shipgate.toml @alice", false);
    let r = run(
        &["check", "--offline", "--diff", "main", "--format", "json"],
        pr.w.repo.path(),
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        policy_changes(&report)[0].contains("could not be read: GitHub was not asked"),
        "{report:#}"
    );
}

#[test]
fn baselining_existing_debt_is_accepted_as_such_but_not_what_the_change_introduces() {
    let repo = Repo::new();
    repo.write("app/__init__.py", "")
        .write("app/views.py", "from tests.factories import make_user\n")
        .write("tests/__init__.py", "")
        .write("tests/factories.py", "def make_user():\n    return {}\n");
    repo.commit("service with a leak");
    git(repo.path(), &["switch", "-q", "-c", "adopt"]);
    let r = run(&["baseline"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    repo.commit("adopt shipgate: baseline of today's findings");
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(policy_changes(&report).is_empty(), "{report:#}");
    let debt: Vec<&serde_json::Value> = report["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["accepted_by"] == "existing debt")
        .collect();
    assert!(
        debt.iter()
            .any(|e| e["rule"] == "leak/test-import" && e["location"]["path"] == "app/views.py"),
        "{report:#}"
    );
    assert!(
        debt[0]["reason"]
            .as_str()
            .unwrap()
            .contains("already fails at its base"),
        "{report:#}"
    );
    // The evidence report lists it under its control.
    let r = run(
        &[
            "check",
            "--offline",
            "--diff",
            "main",
            "--format",
            "markdown",
        ],
        repo.path(),
    );
    assert!(r.stdout.contains("| existing debt |"), "{}", r.stdout);

    // Twin: the change adds a new leak and baselines it too. That entry hides what the change
    // introduces: a policy change, not debt.
    repo.write("app/admin.py", "from tests.factories import make_user\n");
    let r = run(&["baseline"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    repo.commit("new leak, baselined");
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1, "{report:#}");
    let changes = policy_changes(&report);
    assert!(
        changes
            .iter()
            .any(|m| m.contains("app/admin.py")
                && m.contains("a finding the change itself introduces")),
        "{changes:?}"
    );
    assert!(
        !changes.iter().any(|m| m.contains("app/views.py")),
        "{changes:?}"
    );
}
