//! The four output formats, from one repository with known findings.
use crate::common::*;

fn leaky_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "src/app.py",
        "import os\n\nADMIN = \"ops@example.com\"  # é\n",
    );
    repo.write(
        "app/templates/form.html",
        // Named as an example: a note. (Hint text — "For example, …" — produces nothing at all.)
        "<p class=\"example-number\">07700 900 982</p>\n",
    );
    repo.write("tests/test_app.py", "ADMIN = 'ops@example.com'\n");
    repo.commit("c");
    repo
}

#[test]
fn human_output_quotes_the_line_labels_the_span_and_summarises() {
    let repo = leaky_repo();
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 1);
    let out = &r.stdout;
    assert!(out.contains("data/reserved-email"), "{out}");
    assert!(
        out.contains("ADMIN = \"ops@example.com\""),
        "quotes the source line: {out}"
    );
    assert!(out.contains("src/app.py:3:10"), "file:line:col: {out}");
    assert!(
        out.contains("───────┬───────"),
        "underlines the 15-char match: {out}"
    );
    assert!(
        out.contains("╰── Reserved example e-mail address"),
        "labels it with the rule title: {out}"
    );
    assert!(out.contains("help:"), "{out}");
    assert!(
        out.contains("FAILED · 1 error, 0 warnings, 1 note · 6 files, 5 scanned"),
        "{out}"
    );
    assert!(out.contains("shipgate explain"), "{out}");
}

#[test]
fn quiet_prints_nothing_on_success_and_only_failures_otherwise() {
    let repo = leaky_repo();
    let r = run(&["check", "--offline", "--quiet"], repo.path());
    assert!(
        !r.stdout.contains("uk-drama-phone"),
        "notes are hidden with --quiet: {}",
        r.stdout
    );
    assert!(r.stdout.contains("data/reserved-email"));
    let clean = Repo::new();
    clean.write("src/app.py", "x = 1\n");
    let r = run(&["check", "--offline", "--quiet"], clean.path());
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn json_output_is_versioned_and_complete() {
    let repo = leaky_repo();
    let (code, v) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["result"], "failed");
    assert_eq!(v["exit_code"], 1);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["notes"], 1);
    let f = &v["findings"][1];
    assert_eq!(f["rule"], "data/reserved-email");
    assert_eq!(f["location"]["kind"], "file");
    assert_eq!(f["location"]["path"], "src/app.py");
    assert_eq!(
        (
            f["location"]["line"].as_u64(),
            f["location"]["column"].as_u64()
        ),
        (Some(3), Some(10))
    );
    assert_eq!(f["location"]["end_column"], 25);
    assert_eq!(f["evidence"], "ops@example.com");
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16));
}

#[test]
fn sarif_output_validates_against_the_2_1_0_schema() {
    let repo = leaky_repo();
    let r = run(&["check", "--offline", "--format", "sarif"], repo.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).expect("SARIF on stdout");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["help"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("Fix:"))));
    let res = &run0["results"][1];
    assert_eq!(res["ruleId"], "data/reserved-email");
    assert_eq!(res["level"], "error");
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/app.py");
    assert_eq!(
        (
            loc["region"]["startLine"].as_u64(),
            loc["region"]["startColumn"].as_u64(),
            loc["region"]["endColumn"].as_u64()
        ),
        (Some(3), Some(10), Some(25))
    );
    let idx = res["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "data/reserved-email");

    // A broken SARIF must fail this validator: it really checks something.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_output_file_and_clean_run() {
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n");
    let out = repo.path().join("out.sarif");
    let r = run(
        &[
            "check",
            "--offline",
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
        ],
        repo.path(),
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(0));
}

#[test]
fn github_format_writes_annotations_and_appends_the_job_summary() {
    let repo = leaky_repo();
    let summary = repo.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let out = shipgate(&["check", "--offline", "--format", "github"], repo.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let r: Run = out.into();
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("::notice file=app/templates/form.html,line=1,"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(
            "::error file=src/app.py,line=3,col=10,endLine=3,endColumn=25,title=shipgate data/reserved-email::"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("%0AFix: "),
        "help is on the annotation: {}",
        lines[1]
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("# earlier step\n## ❌ shipgate: failed"),
        "appends, never truncates: {md}"
    );
    assert!(
        md.contains("| error | `data/reserved-email` | `src/app.py:3:10` |"),
        "{md}"
    );
}
