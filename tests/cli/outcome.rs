//! A pull request is judged by its outcome (issue 21): `check --diff` evaluates the merge base and the
//! head as two trees under the base branch's policy and fails on every head finding without a
//! counterpart at the base — whatever lines the change touched. Each attack that passed when "new" meant
//! "on an added line" is here with its twin that must still pass; then the party being judged can no
//! longer pick the policy (family 3), and the diff's reports say what they judged (family 4).

use crate::common::*;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// `main` holds `base` (and, when `baseline`, a committed `.shipgate/baseline.json` accepting its
/// findings); branch `feature` is what `change` makes of it, committed. Checked out on `feature`.
fn pull_request(base: &[(&str, &str)], baseline: bool, change: impl FnOnce(&Repo)) -> Repo {
    let repo = Repo::new();
    for (p, t) in base {
        repo.write(p, t);
    }
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    if baseline {
        let r = run(&["baseline"], repo.path());
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        git(repo.path(), &["add", "-A"]);
        git(repo.path(), &["commit", "-q", "-m", "accept what is there"]);
    }
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    change(&repo);
    git(repo.path(), &["add", "-A"]);
    git(
        repo.path(),
        &["commit", "-q", "--allow-empty", "-m", "feature"],
    );
    repo
}

/// (rule, path, line, column) of every finding located in a file.
fn in_files(report: &Value) -> Vec<(String, String, u64, u64)> {
    located(report, "")
        .into_iter()
        .filter(|(_, p, _, _)| !p.is_empty())
        .collect()
}

fn at(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, column)
}

/// `check --diff main`: (exit code, report).
fn judged(repo: &Repo, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--diff", "main"];
    args.extend_from_slice(extra);
    check_json(repo.path(), &args)
}

// --- Family 1: "new" is decided by the outcome, not by added lines ----------------------------------

#[test]
fn a_test_settings_file_renamed_into_production_fails_and_a_renamed_baselined_file_passes() {
    let base = [
        ("app/main.py", "from app.base import *\n"),
        ("app/base.py", "NAME = \"app\"\n"),
        (
            "tests/settings_debug.py",
            "from app.base import *\nDEBUG = True\n",
        ),
    ];
    // A rename has no added lines; the import that makes production load it is an unremarkable line.
    let repo = pull_request(&base, false, |r| {
        git(
            r.path(),
            &["mv", "tests/settings_debug.py", "app/overrides.py"],
        );
        r.write(
            "app/main.py",
            "from app.base import *\nfrom app.overrides import *\n",
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("switch/debug-enabled", "app/overrides.py", 2, 1)]
    );

    // The twin: a production file with a finding the team baselined, moved with an import updated.
    let base = [
        ("app/main.py", "from app.settings import *\n"),
        ("app/settings.py", "NAME = \"app\"\nDEBUG = True\n"),
    ];
    let repo = pull_request(&base, true, |r| {
        std::fs::create_dir_all(r.path().join("app/config")).unwrap();
        git(
            r.path(),
            &["mv", "app/settings.py", "app/config/settings.py"],
        );
        r.write("app/main.py", "from app.config.settings import *\n");
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(in_files(&report), vec![], "{report:#}");
    assert_eq!(
        report["summary"]["baselined"], 1,
        "carried across the rename"
    );
}

const CONFIG_CLASSES: &str =
    "class Config:\n    NAME = \"app\"\n\n\nclass Development(Config):\n    DEBUG = True\n";

#[test]
fn renaming_a_dev_config_class_to_production_fails_and_editing_inside_it_passes() {
    let repo = pull_request(&[("app/config.py", CONFIG_CLASSES)], false, |r| {
        r.write(
            "app/config.py",
            CONFIG_CLASSES.replace("class Development(Config)", "class Production(Config)"),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("switch/debug-enabled", "app/config.py", 6, 1)]
    );

    let repo = pull_request(&[("app/config.py", CONFIG_CLASSES)], false, |r| {
        r.write(
            "app/config.py",
            CONFIG_CLASSES.replace("    DEBUG = True\n", "    PORT = 8000\n    DEBUG = True\n"),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(in_files(&report), vec![]);

    // Renaming a production class keeps the identity of what is in it (its baselined address stays
    // baselined); the same line moved into another class that both trees have is a new finding.
    let classes =
        "class Config:\n    ADMIN = \"qa@example.com\"\n\n\nclass Mail:\n    HOST = \"smtp\"\n";
    let repo = pull_request(&[("app/config.py", classes)], true, |r| {
        r.write(
            "app/config.py",
            classes.replace("class Config:", "class BaseConfig:"),
        );
    });
    let (code, report) = judged(&repo, &["--fail-on", "warning"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["baselined"], 1);
    let repo = pull_request(&[("app/config.py", classes)], true, |r| {
        r.write(
            "app/config.py",
            "class Config:\n    NAME = \"app\"\n\n\nclass Mail:\n    HOST = \"smtp\"\n    ADMIN = \"qa@example.com\"\n",
        );
    });
    let (code, report) = judged(&repo, &["--fail-on", "warning"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![
            at("suppress/stale-baseline", ".shipgate/baseline.json", 5, 5),
            at("data/reserved-email", "app/config.py", 7, 14)
        ]
    );
}

const DOCKERFILE: &str = "FROM python:3.12 AS base\nWORKDIR /app\nCOPY app/ /app/app\nCMD [\"python\", \"app/main.py\"]\n\nFROM base AS test\nCOPY tests/ /app/tests\nRUN python -m pytest\n";
const APP_AND_TESTS: [(&str, &str); 2] = [
    ("app/main.py", "print('up')\n"),
    ("tests/test_main.py", "def test_up():\n    assert True\n"),
];

#[test]
fn renaming_a_test_stage_to_the_release_stage_fails_and_renaming_a_clean_stage_passes() {
    let mut base = APP_AND_TESTS.to_vec();
    base.push(("Dockerfile", DOCKERFILE));
    // The last stage is no longer named for tests: it is the image that ships, with the tests in it.
    let repo = pull_request(&base, false, |r| {
        r.write(
            "Dockerfile",
            DOCKERFILE.replace("FROM base AS test", "FROM base AS release"),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("leak/docker-copies-tests", "Dockerfile", 7, 6)]
    );

    let repo = pull_request(&base, false, |r| {
        r.write(
            "Dockerfile",
            DOCKERFILE
                .replace("AS base", "AS runtime")
                .replace("FROM base AS test", "FROM runtime AS test"),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(in_files(&report), vec![]);
}

const DEPLOY: &str = "name: deploy\non:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n      - run: ./deploy.sh\n";

#[test]
fn a_pull_request_target_trigger_on_a_deploy_workflow_fails_and_workflow_dispatch_passes() {
    let base = [
        (".github/workflows/deploy.yml", DEPLOY),
        ("deploy.sh", "echo deploy\n"),
    ];
    // The finding is on the job, which the change did not touch: the trigger decides it.
    let repo = pull_request(&base, false, |r| {
        r.write(
            ".github/workflows/deploy.yml",
            DEPLOY.replace("on:\n", "on:\n  pull_request_target:\n"),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at(
            "workflow/deploy-from-untrusted-trigger",
            ".github/workflows/deploy.yml",
            9,
            3
        )]
    );

    // A manual start of the same job, through its protected environment.
    let repo = pull_request(&base, false, |r| {
        r.write(
            ".github/workflows/deploy.yml",
            DEPLOY.replace("on:\n", "on:\n  workflow_dispatch:\n"),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(in_files(&report), vec![]);
}

const IMAGE: &str =
    "FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD [\"python\", \"app/main.py\"]\n";

#[test]
fn removing_tests_from_dockerignore_fails_and_a_real_tidy_up_passes() {
    let mut base = APP_AND_TESTS.to_vec();
    base.extend([
        ("Dockerfile", IMAGE),
        (".dockerignore", "tests/\nold_build/\n.git\n"),
    ]);
    // An edit in another file changes what the unchanged Dockerfile ships.
    let repo = pull_request(&base, false, |r| {
        r.write(".dockerignore", "old_build/\n.git\n");
    });
    let (code, report) = judged(&repo, &["--fail-on", "warning"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("leak/docker-copy-all", "Dockerfile", 3, 6)]
    );

    // Dropping the entry for a directory that no longer exists changes nothing that ships.
    let repo = pull_request(&base, false, |r| {
        r.write(".dockerignore", "tests/\n.git\n");
    });
    let (code, report) = judged(&repo, &["--fail-on", "warning"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(in_files(&report), vec![]);
}

/// The gate reads an image that runs a reloader, and that nothing builds, as a developer's: its findings
/// are notes. A pull request that makes the production image look like one (its command now `gunicorn
/// --reload`) decided that itself, so it is judged as the base judged the image. The twins pass: the
/// same lowering the base already made, and a new development Dockerfile of the change's own.
#[test]
fn making_the_image_look_like_a_developers_fails_and_a_real_development_image_passes() {
    let dev = "FROM python:3.12\nWORKDIR /app\nCOPY . /app\nCMD [\"gunicorn\", \"--reload\", \"app.main:app\"]\n";
    let mut base = APP_AND_TESTS.to_vec();
    base.push(("Dockerfile", IMAGE));
    let repo = pull_request(&base, false, |r| {
        r.write("Dockerfile", dev);
    });
    // The tree alone: the copy is judged and shown as a note that says why, not dropped.
    let (code, report) = check_json(repo.path(), &["--fail-on", "warning"]);
    assert_eq!(code, 0, "{report:#}");
    let copy = finding_of(&report, "leak/docker-copy-all");
    assert_eq!(copy["severity"], "note", "{report:#}");
    assert!(
        copy["message"]
            .as_str()
            .unwrap_or("")
            .contains("a local development image: it runs a reloader or debugger (`--reload`)"),
        "{report:#}"
    );
    // The pull request: judged at the severity the base gave it, and failed.
    let (code, report) = judged(&repo, &["--fail-on", "warning"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("leak/docker-copy-all", "Dockerfile", 3, 6)]
    );
    let copy = finding_of(&report, "leak/docker-copy-all");
    assert_eq!(copy["severity"], "warning", "{report:#}");
    assert!(
        copy["message"]
            .as_str()
            .unwrap_or("")
            .contains("this change is what makes it read otherwise"),
        "{report:#}"
    );

    // Twin: the base's image already was a developer's; the change edits it.
    let mut dev_base = APP_AND_TESTS.to_vec();
    dev_base.push(("Dockerfile", dev));
    let repo = pull_request(&dev_base, false, |r| {
        r.write("Dockerfile", dev.replace("/app", "/srv"));
    });
    let (code, report) = judged(&repo, &["--fail-on", "warning"]);
    assert_eq!(code, 0, "{report:#}");
    // Twin: a development Dockerfile the change adds beside the production image.
    let repo = pull_request(&base, false, |r| {
        r.write("docker/dev/Dockerfile", dev);
    });
    let (code, report) = judged(&repo, &["--fail-on", "warning"]);
    assert_eq!(code, 0, "{report:#}");
}

const PAYMENTS: &str = "NAME = \"shop\"\n# shipgate:allow(data/test-card-number) Stripe sandbox card for the demo checkout, reviewed by payments\nSANDBOX_CARD = \"4242424242424242\"\n";

#[test]
fn a_new_test_card_under_a_reviewed_allow_fails_and_shifting_the_allowed_line_passes() {
    let base = [("app/payments.py", PAYMENTS)];
    // Inserted between the allow and the card it was written for: the allow now sits on the new card.
    let repo = pull_request(&base, false, |r| {
        r.write(
            "app/payments.py",
            PAYMENTS.replace(
                "SANDBOX_CARD",
                "FALLBACK_CARD = \"4000056655665556\"\nSANDBOX_CARD",
            ),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    let cards: Vec<_> = hits(&report)
        .into_iter()
        .filter(|(r, _, _)| r == "data/test-card-number")
        .collect();
    assert!(
        cards.contains(&(
            "data/test-card-number".to_string(),
            "app/payments.py".to_string(),
            3
        )),
        "the new card, on the allow's line: {cards:?}"
    );
    assert_eq!(report["summary"]["suppressed_inline"], 0);

    // Unrelated edits above move the allow and its card together: still allowed.
    let repo = pull_request(&base, false, |r| {
        r.write(
            "app/payments.py",
            format!(
                "import os\n\n{}",
                PAYMENTS.replace("\"shop\"", "os.environ[\"NAME\"]")
            ),
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(in_files(&report), vec![]);
    assert_eq!(report["summary"]["suppressed_inline"], 1);
}

#[test]
fn a_new_debug_above_a_baselined_one_fails_and_moving_the_baselined_line_passes() {
    let base = [("app/settings.py", "NAME = \"app\"\nDEBUG = True\n")];
    // The new line takes the baselined one's occurrence number; it must not take its entry.
    let repo = pull_request(&base, true, |r| {
        r.write(
            "app/settings.py",
            "DEBUG = True\nNAME = \"app\"\nDEBUG = True\n",
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("switch/debug-enabled", "app/settings.py", 1, 1)]
    );
    assert_eq!(report["summary"]["baselined"], 1);

    let repo = pull_request(&base, true, |r| {
        r.write(
            "app/settings.py",
            "import os\n\nNAME = os.environ[\"NAME\"]\nPORT = 8000\nDEBUG = True\n",
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(in_files(&report), vec![]);
    assert_eq!(report["summary"]["baselined"], 1);
}

// --- Family 2 in a pull request: what production newly reaches is new ------------------------------

/// A pull request that makes production import a module named as documentation adds that module to
/// production: its findings are new although the file itself is unchanged. The twin: the base already
/// imported it, so the same findings are pre-existing and a change elsewhere passes.
#[test]
fn a_module_production_newly_reaches_is_new_and_one_it_already_reached_is_not() {
    let base = [
        ("app/__init__.py", ""),
        ("app/views.py", "def people():\n    return []\n"),
        ("docs/__init__.py", ""),
        ("docs/more.py", "MORE = [\"QQ123457C\"]\n"),
    ];
    let repo = pull_request(&base, false, |r| {
        r.write(
            "app/views.py",
            "from docs.more import MORE\n\ndef people():\n    return MORE\n",
        );
    });
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("data/never-issued-nino", "docs/more.py", 1, 10)],
        "{report:#}"
    );

    let mut reached = base.to_vec();
    reached[1] = (
        "app/views.py",
        "from docs.more import MORE\n\ndef people():\n    return MORE\n",
    );
    let twin = pull_request(&reached, false, |r| {
        r.write("app/other.py", "X = 1\n");
    });
    let (code, report) = judged(&twin, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert!(in_files(&report).is_empty(), "{report:#}");
    assert_eq!(report["diff"]["pre_existing"], 1, "{report:#}");
}

// --- Family 3: the party being judged does not pick the policy -------------------------------------

const CLEAN: &str = "import os\nNAME = \"app\"\n";
const BAD: &str = "import os\nNAME = \"app\"\nADMIN = \"qa@example.com\"\n";

/// `main` clean, `origin/main` tracking it, `feature` adding a reserved e-mail address.
fn tracked_feature() -> (Repo, String) {
    let repo = pull_request(&[("app/settings.py", CLEAN)], false, |r| {
        r.write("app/settings.py", BAD);
    });
    let main = git(repo.path(), &["rev-parse", "main"]);
    git(
        repo.path(),
        &["update-ref", "refs/remotes/origin/main", &main],
    );
    (repo, main)
}

#[test]
fn an_ambiguous_base_name_is_refused_and_the_full_ref_name_is_not() {
    let (repo, _) = tracked_feature();
    let (code, report) = check_json(repo.path(), &["--diff", "origin/main"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["diff"]["base_ref"], "refs/remotes/origin/main");
    // A tag named like the base, at the change's own head, would make the change its own base.
    git(repo.path(), &["tag", "origin/main", "feature"]);
    let r = run(
        &["check", "--offline", "--diff", "origin/main"],
        repo.path(),
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("base `origin/main` is ambiguous")
            && r.stderr.contains("refs/tags/origin/main")
            && r.stderr.contains("--diff refs/remotes/origin/main"),
        "{}",
        r.stderr
    );
    let (code, report) = check_json(repo.path(), &["--diff", "refs/remotes/origin/main"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("data/reserved-email", "app/settings.py", 3, 10)]
    );
}

fn in_actions(repo: &Repo, env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut cmd = shipgate(
        &["check", "--offline", "--format", "json", "--diff"],
        repo.path(),
    );
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_BASE_REF", "main");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let r: Run = cmd.output().unwrap().into();
    let report = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r.code, report, r.stderr)
}

#[test]
fn in_actions_the_base_commit_comes_from_the_event_payload_not_a_name() {
    let (repo, main) = tracked_feature();
    // The name the change can move: here `origin/main` points at the change itself.
    let head = git(repo.path(), &["rev-parse", "feature"]);
    git(
        repo.path(),
        &["update-ref", "refs/remotes/origin/main", &head],
    );
    let (code, report, _) = in_actions(&repo, &[]);
    assert_eq!(
        (code, report["diff"]["base"].clone()),
        (0, "origin/main".into())
    );

    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("event.json");
    std::fs::write(
        &payload,
        format!("{{\"pull_request\": {{\"number\": 7, \"base\": {{\"ref\": \"main\", \"sha\": \"{main}\"}}}}}}"),
    )
    .unwrap();
    let env = [
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", payload.to_str().unwrap()),
    ];
    let (code, report, stderr) = in_actions(&repo, &env);
    assert_eq!(code, 1, "{report:#}{stderr}");
    assert_eq!(report["diff"]["base_ref"], "the pull_request event payload");
    assert_eq!(report["diff"]["base_tip"], main.as_str());
    assert_eq!(
        in_files(&report),
        vec![at("data/reserved-email", "app/settings.py", 3, 10)]
    );

    // A payload that names no base, or a base this clone does not have, fails closed.
    std::fs::write(&payload, "{\"pull_request\": {\"base\": {}}}").unwrap();
    let (code, _, stderr) = in_actions(&repo, &env);
    assert_eq!(code, 2);
    assert!(stderr.contains("names no base commit"), "{stderr}");
    std::fs::write(
        &payload,
        format!(
            "{{\"pull_request\": {{\"base\": {{\"ref\": \"main\", \"sha\": \"{}\"}}}}}}",
            "1".repeat(40)
        ),
    )
    .unwrap();
    let (code, _, stderr) = in_actions(&repo, &env);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("base commit 1111111111") && stderr.contains("fetch-depth"),
        "{stderr}"
    );
}

#[test]
fn a_branch_forked_before_the_base_tightened_its_policy_is_judged_by_the_tighter_one() {
    let lorem = "TEXT = \"Lorem ipsum dolor sit amet, consectetur adipiscing elit\"\n";
    let make = |tighten: bool| {
        let repo = pull_request(&[("app/x.py", "X = 1\n")], false, |r| {
            r.write("app/page.py", lorem);
        });
        if tighten {
            git(repo.path(), &["checkout", "-q", "main"]);
            repo.commit_file(
                "shipgate.toml",
                "[rules]\n\"data/lorem-ipsum\" = \"error\"\n",
                "lorem ipsum fails from now on",
            );
            git(repo.path(), &["checkout", "-q", "feature"]);
        }
        repo
    };
    let (code, report) = judged(&make(true), &[]);
    assert_eq!(code, 1, "{report:#}");
    let found = located_with_severity(&report);
    assert!(
        found.contains(&(
            "data/lorem-ipsum".into(),
            "app/page.py".into(),
            1,
            "error".into()
        )),
        "{found:?}"
    );
    // The branch did not touch the policy: nothing of it is a policy change.
    assert!(
        !found.iter().any(|f| f.0 == "gate/policy-changed"),
        "{found:?}"
    );
    // The twin: the base kept the default severity, a warning.
    let (code, report) = judged(&make(false), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        in_files(&report),
        vec![at("data/lorem-ipsum", "app/page.py", 1, 9)]
    );
}

/// The pre-push hook with `remote` as git passes it, and `input` on stdin.
fn pre_push(dir: &Path, remote: &str, input: &str) -> Run {
    let mut child = shipgate(&["hook", "pre-push", remote, remote], dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap().into()
}

#[test]
fn the_pre_push_hook_pushing_by_url_judges_by_that_remotes_policy_or_refuses() {
    let remote = Remote::new();
    let p = remote.clone.path();
    remote.clone.commit_file("app/settings.py", CLEAN, "clean");
    git(p, &["push", "-q", "origin", "main"]);
    git(p, &["remote", "set-head", "origin", "main"]);
    git(p, &["checkout", "-q", "-b", "feature"]);
    remote.clone.write(
        "shipgate.toml",
        "[rules]\n\"data/reserved-email\" = \"off\"\n",
    );
    remote.clone.commit_file("app/settings.py", BAD, "bad");
    let sha = git(p, &["rev-parse", "HEAD"]);
    let input = format!(
        "refs/heads/feature {sha} refs/heads/feature {}\n",
        "0".repeat(40)
    );
    // `git push /path/to/origin feature`: the URL is origin's, so origin's policy judges.
    let url = remote.bare.path().to_string_lossy().into_owned();
    let r = pre_push(p, &url, &input);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("gate/policy-changed") && r.stderr.contains("data/reserved-email"),
        "{}",
        r.stderr
    );
    // A URL no remote has: there is no policy but the pushed one's, so the push is refused.
    let elsewhere = tempfile::tempdir().unwrap();
    let r = pre_push(p, &elsewhere.path().to_string_lossy(), &input);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("which is no configured remote") && r.stderr.contains("git remote add"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_remote_audit_is_judged_by_the_auditors_policy_and_reports_the_repositorys_own() {
    use crate::mock_org::{MockOrg, ORG};
    let mock = MockOrg::start(10);
    // repo-0003: main unprotected, no CODEOWNERS. Its own config switches both findings off and its
    // baseline would hide whatever is left.
    mock.file(
        "repo-0003",
        "shipgate.toml",
        "[rules]\n\"branch/unprotected\" = \"off\"\n\"owners/missing\" = \"off\"\n",
    );
    mock.file(
        "repo-0003",
        ".shipgate/baseline.json",
        "{\"version\": 1, \"findings\": [{\"fingerprint\": \"0123456789abcdef\", \"rule\": \"branch/unprotected\", \"location\": \"github:branch main / protection\"}]}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let sg = |args: &[&str]| -> Run {
        shipgate(args, dir.path())
            .env("GITHUB_API_URL", mock.url())
            .env("GITHUB_TOKEN", "ghs_auditorToken0123456789abcdefghijkl")
            .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "5")
            .output()
            .unwrap()
            .into()
    };
    let name = format!("{ORG}/repo-0003");
    let r = sg(&["check", "--remote", &name, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    let rules: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert!(
        rules.contains(&"branch/unprotected".into()) && rules.contains(&"owners/missing".into()),
        "{rules:?}"
    );
    let r = sg(&["check", "--remote", &name]);
    assert!(
        r.stdout.contains("judged by the auditor's defaults")
            && r.stdout
                .contains("the repository's own policy is not applied")
            && r.stdout.contains("rule `branch/unprotected` turned off")
            && r.stdout
                .contains("its baseline .shipgate/baseline.json (1 entry) hides nothing"),
        "{}",
        r.stdout
    );
    // The twin: the auditor's own policy is the one applied.
    let auditor = dir.path().join("auditor.toml");
    std::fs::write(
        &auditor,
        "[rules]\n\"branch/unprotected\" = \"warning\"\n\"owners/missing\" = \"warning\"\n",
    )
    .unwrap();
    let r = sg(&[
        "check",
        "--remote",
        &name,
        "--config",
        auditor.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("judged by the auditor's"), "{}", r.stdout);

    // `org run`: the repository's result fails and lists its own overrides.
    let shards = dir.path().join("shards");
    let r = sg(&[
        "org",
        "plan",
        ORG,
        "--name",
        "repo-0003",
        "--out",
        shards.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let results = dir.path().join("results");
    let r = sg(&[
        "org",
        "run",
        "--shard",
        shards.join("shard-000.json").to_str().unwrap(),
        "--out",
        results.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let result: Value = serde_json::from_str(
        &std::fs::read_to_string(results.join("mock-org__repo-0003.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(result["status"], "fail", "{result:#}");
    let overrides = result["policy_overrides"].to_string();
    assert!(
        overrides.contains("rule `owners/missing` turned off"),
        "{result:#}"
    );
}

// --- Family 4: what a diff run reports ---------------------------------------------------------------

#[test]
fn a_change_that_only_deletes_lines_counts_its_files() {
    let repo = pull_request(
        &[(
            "app/settings.py",
            "NAME = \"app\"\nPORT = 8000\nDEBUG = False\n",
        )],
        false,
        |r| {
            r.write("app/settings.py", "NAME = \"app\"\nDEBUG = False\n");
        },
    );
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["diff"]["files_changed"], 1, "{report:#}");
    let r = run(&["check", "--offline", "--diff", "main"], repo.path());
    assert!(r.stdout.contains("): 1 file changed"), "{}", r.stdout);
}

#[cfg(target_os = "linux")]
#[test]
fn names_that_need_escaping_are_walked_and_reported_once() {
    let repo = Repo::new();
    for name in ["app/tab\tname.py", "app/back\\slash.py"] {
        repo.write(name, "ADMIN = \"qa@example.com\"\n");
    }
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    let (_, report) = check_json(repo.path(), &[]);
    assert_eq!(report["summary"]["files"], 5, "{report:#}");
    let found: Vec<_> = hits(&report)
        .into_iter()
        .filter(|(r, _, _)| r == "data/reserved-email")
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    // A change to one of them: that one finding, once.
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write(
        "app/tab\tname.py",
        "ADMIN = \"qa@example.com\"\nOPS = \"ops@example.com\"\n",
    );
    let (code, report) = judged(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        hits(&report),
        vec![(
            "data/reserved-email".to_string(),
            "app/tab\\x09name.py".to_string(),
            2
        )]
    );
}

#[test]
fn the_evidence_report_of_a_change_states_its_verdict_and_never_passes_a_failing_tree() {
    // The tree already fails (a reserved address on main); the change adds nothing that fails.
    let repo = pull_request(&[("app/settings.py", BAD)], false, |r| {
        r.write("app/other.py", "X = 1\n");
    });
    let md = repo.path().join("evidence.md");
    let r = run(
        &[
            "check",
            "--offline",
            "--diff",
            "main",
            "--report",
            md.to_str().unwrap(),
        ],
        repo.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| Nothing test-only reaches production | **PRE-EXISTING FAIL** |"),
        "{text}"
    );
    assert!(
        !text.contains("| Nothing test-only reaches production | **PASS"),
        "{text}"
    );
    assert!(
        text.contains("| Judged | this change, not the whole tree"),
        "{text}"
    );
    assert!(
        text.contains("Pre-existing (the base already had them")
            && text.contains("`app/settings.py:3:10`"),
        "{text}"
    );
    // The same tree without --diff: the control simply fails, judged as a whole tree.
    let r = run(
        &["check", "--offline", "--report", md.to_str().unwrap()],
        repo.path(),
    );
    assert_eq!(r.code, 1);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| Nothing test-only reaches production | **FAIL** |")
            && text.contains("| Judged | the whole tree"),
        "{text}"
    );
    // A change that adds the failure: FAIL, as the change's own.
    let repo = pull_request(&[("app/settings.py", CLEAN)], false, |r| {
        r.write("app/settings.py", BAD);
    });
    let html = repo.path().join("evidence.html");
    let r = run(
        &[
            "check",
            "--offline",
            "--diff",
            "main",
            "--report",
            html.to_str().unwrap(),
        ],
        repo.path(),
    );
    assert_eq!(r.code, 1);
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("status FAIL\">FAIL"), "{text}");
}
