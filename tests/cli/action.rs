//! The GitHub Action: its step script run with the environment GitHub sets, inputs mapped to flags.
use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A realistic `pull_request` event payload (trimmed to the fields tools read).
const PR_EVENT: &str = r#"{
  "action": "synchronize",
  "number": 42,
  "pull_request": {
    "number": 42,
    "state": "open",
    "title": "Add notifications",
    "user": { "login": "dev1", "type": "User" },
    "head": { "ref": "feature/notify", "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "repo": { "full_name": "acme/service" } },
    "base": { "ref": "main", "sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b", "repo": { "full_name": "acme/service" } }
  },
  "repository": { "full_name": "acme/service", "default_branch": "main", "private": true },
  "sender": { "login": "dev1", "type": "User" }
}"#;

struct ActionRun {
    run: Run,
    outputs: String,
    summary: String,
}

fn run_action(workspace: &Path, inputs: &[(&str, &str)]) -> ActionRun {
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("github_output");
    let summary = tmp.path().join("step_summary.md");
    let event = tmp.path().join("event.json");
    std::fs::write(&event, PR_EVENT).unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("action/entrypoint.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/service")
        .env("GITHUB_ACTION_PATH", repo_root())
        .env("INPUT_BINARY", bin())
        .env("INPUT_OFFLINE", "true");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let run: Run = cmd.output().unwrap().into();
    ActionRun {
        run,
        outputs: std::fs::read_to_string(outputs).unwrap_or_default(),
        summary: std::fs::read_to_string(summary).unwrap_or_default(),
    }
}

#[test]
fn the_action_step_annotates_summarises_and_sets_outputs() {
    let repo = Repo::new();
    repo.write("src/app.py", "ADMIN = 'ops@example.com'\n")
        .write("config/app.yml", "debug: true\n");
    repo.commit("c");
    let a = run_action(
        repo.path(),
        &[
            ("INPUT_SARIF_FILE", "shipgate.sarif"),
            ("INPUT_FORMAT", "github"),
        ],
    );
    assert_eq!(a.run.code, 1, "{}{}", a.run.stdout, a.run.stderr);
    assert!(
        a.run
            .stdout
            .contains("::error file=src/app.py,line=1,col=10"),
        "{}",
        a.run.stdout
    );
    assert!(
        a.run
            .stdout
            .contains("::error file=config/app.yml,line=1,col=1"),
        "{}",
        a.run.stdout
    );
    assert!(
        a.summary.contains("## ❌ shipgate: failed"),
        "{}",
        a.summary
    );
    for line in [
        "result=failed",
        "exit-code=1",
        "errors=2",
        "warnings=0",
        "sarif-file=shipgate.sarif",
    ] {
        assert!(
            a.outputs.lines().any(|l| l == line),
            "missing `{line}` in outputs:\n{}",
            a.outputs
        );
    }
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("shipgate.sarif")).unwrap())
            .unwrap();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn inputs_map_to_flags() {
    let repo = Repo::new();
    repo.write("svc/src/app.py", "NAME = 'Lorem ipsum dolor sit amet'\n");
    repo.write(
        "svc/gate.toml",
        "[rules]\n\"data/lorem-ipsum\" = \"note\"\n",
    );
    repo.commit("c");
    // path + config: the note does not fail at the default fail-on...
    let a = run_action(
        repo.path(),
        &[("INPUT_PATH", "svc"), ("INPUT_CONFIG", "svc/gate.toml")],
    );
    assert_eq!(a.run.code, 0, "{}{}", a.run.stdout, a.run.stderr);
    assert!(a.outputs.contains("result=passed"));
    // ...but does with fail-on: note.
    let a = run_action(
        repo.path(),
        &[
            ("INPUT_PATH", "svc"),
            ("INPUT_CONFIG", "svc/gate.toml"),
            ("INPUT_FAIL_ON", "note"),
        ],
    );
    assert_eq!(a.run.code, 1);
    assert!(a.run.stdout.contains(
        "shipgate check svc --format github --config svc/gate.toml --fail-on note --offline"
    ));
    // format: json goes to the log; outputs are still set.
    let a = run_action(
        repo.path(),
        &[("INPUT_PATH", "svc"), ("INPUT_FORMAT", "json")],
    );
    assert!(a.run.stdout.contains("\"schema_version\": 1"));
    assert!(
        a.outputs.contains("result=passed"),
        "the lorem-ipsum warning does not fail at fail-on error"
    );
}

#[test]
fn a_missing_binary_is_an_error_result_not_a_pass() {
    let repo = Repo::new();
    let a = run_action(repo.path(), &[("INPUT_BINARY", "/nonexistent/shipgate")]);
    assert_eq!(a.run.code, 2);
    assert!(a
        .run
        .stdout
        .contains("::error title=shipgate::shipgate binary not found"));
    assert!(a.outputs.contains("result=error"));
}

#[test]
fn every_action_input_is_passed_through_env_and_never_interpolated_into_run() {
    let yml = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let script = std::fs::read_to_string(repo_root().join("action/entrypoint.sh")).unwrap();
    let inputs_block = yml
        .split("\ninputs:\n")
        .nth(1)
        .unwrap()
        .split("\noutputs:\n")
        .next()
        .unwrap();
    let inputs: Vec<&str> = inputs_block
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    ") && l.trim_end().ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert!(inputs.len() >= 9, "{inputs:?}");
    for input in inputs {
        if input == "token" {
            assert!(yml.contains("GITHUB_TOKEN: ${{ inputs.token }}"));
            continue;
        }
        let var = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            yml.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "{input} not passed via env"
        );
        assert!(script.contains(&var), "{var} unused by the step script");
    }
    for line in yml.lines().filter(|l| l.trim_start().starts_with("run:")) {
        assert!(
            !line.contains("${{"),
            "expression interpolated into a run: line: {line}"
        );
    }
}

#[test]
fn after_a_configuration_error_only_what_exists_is_an_output() {
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n")
        .write("shipgate.toml", "fail-on = \"eror\"\n");
    repo.commit("c");
    let a = run_action(
        repo.path(),
        &[
            ("INPUT_SARIF_FILE", "shipgate.sarif"),
            ("INPUT_REPORT", "evidence.html"),
        ],
    );
    assert_eq!(a.run.code, 2, "{}{}", a.run.stdout, a.run.stderr);
    assert!(!repo.path().join("shipgate.sarif").exists());
    let keys: Vec<&str> = a
        .outputs
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    assert_eq!(keys, vec!["result", "exit-code"], "{}", a.outputs);
    assert!(a.outputs.contains("result=error"), "{}", a.outputs);
    // Twin: the same run with a valid config names both files it wrote.
    repo.write("shipgate.toml", "fail-on = \"error\"\n");
    let a = run_action(
        repo.path(),
        &[
            ("INPUT_SARIF_FILE", "shipgate.sarif"),
            ("INPUT_REPORT", "evidence.html"),
        ],
    );
    assert_eq!(a.run.code, 0, "{}{}", a.run.stdout, a.run.stderr);
    assert!(
        a.outputs.lines().any(|l| l == "sarif-file=shipgate.sarif"),
        "{}",
        a.outputs
    );
    assert!(
        a.outputs.lines().any(|l| l == "report=evidence.html"),
        "{}",
        a.outputs
    );
}
