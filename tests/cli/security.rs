//! Hostile pull requests and hostile input (issue 13): a change cannot weaken the gate that judges it,
//! file names are bytes, policy files stay inside the repository, and repository text cannot forge output.

use crate::common::*;
use std::path::Path;

const SETTINGS: &str = "app/settings.py";
const CLEAN: &str = "import os\nNAME = \"app\"\n";
const BAD: &str = "import os\nNAME = \"app\"\nADMIN = \"qa@example.com\"\nDEBUG = True\n";
const ORIGINAL: [&str; 2] = ["data/reserved-email", "switch/debug-enabled"];

/// `main` holds clean production code (and `base_files`); branch `feature` adds the two findings and
/// whatever `bypass` writes. Returns the repository, checked out on `feature` with everything committed.
fn feature_branch(base_files: &[(&str, &str)], bypass: impl FnOnce(&Repo)) -> Repo {
    let repo = Repo::new();
    repo.write(SETTINGS, CLEAN);
    for (p, t) in base_files {
        repo.write(p, t);
    }
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write(SETTINGS, BAD);
    bypass(&repo);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "feature"]);
    repo
}

fn messages(report: &serde_json::Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect()
}

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    findings(report).into_iter().map(|(r, _, _)| r).collect()
}

/// Exit 1, the original findings still reported, and `gate/policy-changed` naming `names`.
fn assert_caught(repo: &Repo, names: &str) {
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    let rules = rules_of(&report);
    assert_eq!(code, 1, "{report:#}");
    for r in ORIGINAL {
        assert!(rules.iter().any(|x| x == r), "{r} missing: {rules:?}");
    }
    let msgs = messages(&report, "gate/policy-changed");
    assert!(
        msgs.iter().any(|m| m.contains(names)),
        "`{names}` not in {msgs:?}\n{report:#}"
    );
}

#[test]
fn without_a_bypass_the_feature_fails_and_nothing_is_a_policy_change() {
    let repo = feature_branch(&[], |_| {});
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1);
    let rules = rules_of(&report);
    assert!(
        !rules.iter().any(|r| r == "gate/policy-changed"),
        "{rules:?}"
    );
}

#[test]
fn rules_turned_off_in_the_change_do_not_apply_and_are_reported() {
    let repo = feature_branch(&[], |r| {
        r.write(
            "shipgate.toml",
            "[rules]\n\"data/reserved-email\" = \"off\"\n\"switch/debug-enabled\" = \"off\"\n",
        );
    });
    assert_caught(&repo, "rule `data/reserved-email` turned off");
    let (_, report) = check_json(repo.path(), &["--diff", "main"]);
    let all: Vec<_> = located(&report, "gate/policy-changed");
    assert!(
        all.iter()
            .any(|(_, p, l, _)| p == "shipgate.toml" && *l == 2),
        "located on the config line: {all:?}"
    );
    // Without --diff the working tree's policy is the user's own: the rules are off.
    let (code, _) = check_json(repo.path(), &[]);
    assert_eq!(code, 0);
}

#[test]
fn rules_lowered_to_note_are_reported() {
    let repo = feature_branch(&[], |r| {
        r.write(
            "shipgate.toml",
            "[rules]\n\"data/reserved-email\" = \"note\"\n\"switch/debug-enabled\" = \"note\"\n",
        );
    });
    assert_caught(&repo, "lowered from error to note");
}

#[test]
fn new_ignore_and_test_path_globs_are_reported() {
    let repo = feature_branch(&[], |r| {
        r.write("shipgate.toml", "[paths]\nignore = [\"app/\"]\n");
    });
    assert_caught(&repo, "new `[paths] ignore` glob `app/`");
    let repo = feature_branch(&[], |r| {
        r.write("shipgate.toml", "[paths]\ntest = [\"app/**\"]\n");
    });
    assert_caught(&repo, "new `[paths] test` glob `app/**`");
}

#[test]
fn a_smaller_max_file_size_is_reported() {
    let repo = feature_branch(&[], |r| {
        r.write("shipgate.toml", "[scan]\nmax-file-size = 1\n");
    });
    assert_caught(&repo, "`[scan] max-file-size` lowered");
}

#[test]
fn a_root_config_shadowing_the_base_one_is_reported() {
    let base = [(
        ".github/shipgate.toml",
        "[rules]\n\"data/lorem-ipsum\" = \"error\"\n",
    )];
    let repo = feature_branch(&base, |r| {
        r.write(
            "shipgate.toml",
            "[rules]\n\"data/reserved-email\" = \"off\"\n\"switch/debug-enabled\" = \"off\"\n",
        );
    });
    assert_caught(
        &repo,
        "shipgate.toml which takes the place of .github/shipgate.toml",
    );
}

#[test]
fn a_baseline_committed_by_the_change_is_reported_and_not_applied() {
    let repo = feature_branch(&[], |r| {
        let out = run(&["baseline"], r.path());
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    });
    assert!(repo.path().join(".shipgate/baseline.json").is_file());
    assert_caught(
        &repo,
        "the change adds a baseline entry hiding `data/reserved-email`",
    );
}

#[test]
fn inline_allows_added_by_the_change_do_not_suppress() {
    let repo = feature_branch(&[], |r| {
        r.write(
            SETTINGS,
            "import os\nNAME = \"app\"\n# shipgate:allow(data/reserved-email) demo tenant, never emailed\n\
             ADMIN = \"qa@example.com\"\nDEBUG = True  # shipgate:allow(switch/debug-enabled) only in staging\n",
        );
    });
    assert_caught(
        &repo,
        "the change adds an inline allow for `data/reserved-email`",
    );
    // An allow that was already on the base branch still works.
    let repo = Repo::new();
    repo.write(
        SETTINGS,
        "# shipgate:allow(data/reserved-email) demo tenant, never emailed\nADMIN = \"qa@example.com\"\n",
    );
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.commit_file("app/other.py", "X = 1\n", "other");
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 0, "{report:#}");
}

/// The Action on a `pull_request` event: its step script passes `--diff auto` (the base from the event
/// payload, else `refs/remotes/origin/$GITHUB_BASE_REF`), so the change's own policy edits are judged
/// by the base's policy there too.
#[test]
fn the_action_on_a_pull_request_judges_by_the_base_policy() {
    let repo = feature_branch(&[], |r| {
        r.write(
            "shipgate.toml",
            "[rules]\n\"data/reserved-email\" = \"off\"\n\"switch/debug-enabled\" = \"off\"\n",
        );
    });
    git(
        repo.path(),
        &["update-ref", "refs/remotes/origin/main", "main"],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().join("outputs");
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let r: Run = std::process::Command::new("bash")
        .arg(root.join("action/entrypoint.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", repo.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_BASE_REF", "main")
        .env("INPUT_BINARY", bin())
        .env("INPUT_OFFLINE", "true")
        .env("INPUT_FORMAT", "json")
        .output()
        .expect("run the action step")
        .into();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("--diff auto"), "{}", r.stdout);
    let json = &r.stdout[r.stdout.find('{').unwrap_or(0)..];
    let report: serde_json::Value = serde_json::from_str(json).expect("report");
    let rules = rules_of(&report);
    for rule in ORIGINAL {
        assert!(rules.iter().any(|x| x == rule), "{rule}: {rules:?}");
    }
    assert!(
        messages(&report, "gate/policy-changed")
            .iter()
            .any(|m| m.contains("rule `data/reserved-email` turned off")),
        "{report:#}"
    );
}

#[test]
fn strengthening_the_policy_is_not_reported() {
    let repo = feature_branch(&[], |r| {
        r.write(
            "shipgate.toml",
            "fail-on = \"warning\"\n[rules]\n\"data/lorem-ipsum\" = \"error\"\n[paths]\nproduction = [\"lib/**\"]\n",
        );
    });
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1);
    let rules = rules_of(&report);
    assert!(
        !rules.iter().any(|r| r == "gate/policy-changed"),
        "{rules:?}"
    );
}

#[test]
fn the_summary_names_the_policy_source() {
    let repo = feature_branch(&[("shipgate.toml", "fail-on = \"error\"\n")], |_| {});
    let r = run(&["check", "--offline", "--diff", "main"], repo.path());
    assert!(
        r.stdout.contains("config shipgate.toml from commit "),
        "{}",
        r.stdout
    );
}

#[test]
fn the_pre_push_hook_judges_by_the_remote_policy() {
    let remote = Remote::new();
    let p = remote.clone.path();
    remote.clone.commit_file(SETTINGS, CLEAN, "clean settings");
    git(p, &["push", "-q", "origin", "main"]);
    git(p, &["remote", "set-head", "origin", "main"]);
    git(p, &["checkout", "-q", "-b", "feature"]);
    remote.clone.write(
        "shipgate.toml",
        "[rules]\n\"data/reserved-email\" = \"off\"\n\"switch/debug-enabled\" = \"off\"\n",
    );
    remote.clone.commit_file(SETTINGS, BAD, "bad settings");
    let sha = git(p, &["rev-parse", "HEAD"]);
    let input = format!(
        "refs/heads/feature {sha} refs/heads/feature {}\n",
        "0".repeat(40)
    );
    let mut cmd = shipgate(&["hook", "pre-push", "origin"], p);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write");
    }
    let out: Run = child.wait_with_output().expect("wait").into();
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("gate/policy-changed"), "{}", out.stderr);
    assert!(out.stderr.contains("data/reserved-email"), "{}", out.stderr);
}

// --- Policy files stay inside the repository -------------------------------------------------------

fn outside_secret() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("secret.txt"), "TOP-SECRET-LINE = 42\n").expect("write");
    d
}

#[test]
fn rule_packs_outside_the_repository_are_refused() {
    let secret = outside_secret();
    let abs = secret.path().join("secret.txt");
    for pack in [
        "../outside/secret.txt".to_string(),
        abs.to_string_lossy().into_owned(),
        "../../**".to_string(),
    ] {
        let repo = Repo::new();
        repo.write(
            "shipgate.toml",
            format!("[scan]\nrule-packs = [{:?}]\n", pack),
        );
        let r = run(&["check", "--offline"], repo.path());
        assert_eq!(r.code, 2, "{pack}: {}", r.stderr);
        assert!(r.stderr.contains("rule-packs"), "{pack}: {}", r.stderr);
        assert!(!r.stderr.contains("TOP-SECRET"), "{}", r.stderr);
    }
}

#[cfg(unix)]
#[test]
fn symlinked_policy_files_are_refused() {
    let secret = outside_secret();
    let target = secret.path().join("secret.txt");
    let repo = Repo::new();
    std::os::unix::fs::symlink(&target, repo.path().join("shipgate.toml")).expect("symlink");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert!(!r.stderr.contains("TOP-SECRET"), "{}", r.stderr);

    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join(".shipgate")).expect("mkdir");
    std::os::unix::fs::symlink(&target, repo.path().join(".shipgate/baseline.json"))
        .expect("symlink");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("baseline"), "{}", r.stderr);
    assert!(!r.stderr.contains("TOP-SECRET"), "{}", r.stderr);

    // A rule-pack directory that is a link to somewhere else.
    let repo = Repo::new();
    std::os::unix::fs::symlink(secret.path(), repo.path().join(".shipgate")).expect("symlink");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("TOP-SECRET"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_symlinked_dot_git_is_refused() {
    let real = Repo::new();
    real.commit_file("a.py", "X = 1\n", "one");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("b.py"), "Y = 2\n").expect("write");
    std::os::unix::fs::symlink(real.path().join(".git"), dir.path().join(".git")).expect("symlink");
    let r = run(&["check", "--offline", "--diff", "main"], dir.path());
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
}

// --- Running from a subdirectory (issue 14) --------------------------------------------------------

#[test]
fn a_subdirectory_run_uses_the_repository_root_and_its_policy() {
    let repo = Repo::new();
    repo.write(
        "shipgate.toml",
        "[rules]\n\"switch/debug-enabled\" = \"off\"\n",
    );
    repo.write(SETTINGS, "DEBUG = True\nADMIN = \"qa@example.com\"\n");
    repo.write("docs/x.md", "# x\n");
    repo.commit("init");
    let (root_code, root_report) = check_json(repo.path(), &[]);
    let (sub_code, sub_report) = check_json(&repo.path().join("docs"), &[]);
    assert_eq!(root_code, sub_code);
    assert_eq!(rules_of(&root_report), rules_of(&sub_report));
    assert!(rules_of(&sub_report)
        .iter()
        .any(|r| r == "data/reserved-email"));
    assert!(!rules_of(&sub_report)
        .iter()
        .any(|r| r == "switch/debug-enabled"));
    let r = run(&["check", "--offline"], &repo.path().join("docs"));
    let root = repo.path().canonicalize().expect("canonical");
    assert!(
        r.stdout.contains(&format!(
            "policy: root {}; config shipgate.toml",
            root.display()
        )),
        "{}",
        r.stdout
    );
    let _ = Path::new("");
}

// --- File names are bytes ----------------------------------------------------------------------------

#[cfg(target_os = "linux")]
fn write_raw(dir: &Path, name: &[u8], content: &str) {
    use std::os::unix::ffi::OsStrExt;
    let p = dir.join(std::ffi::OsStr::from_bytes(name));
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, content).expect("write");
}

#[cfg(target_os = "linux")]
#[test]
fn two_non_utf8_names_never_share_suppressions() {
    let repo = Repo::new();
    write_raw(
        repo.path(),
        b"app/settings\xff.py",
        "ADMIN = \"qa@example.com\"\nDEBUG = True\nSUPPORT = \"help@example.com\"\n",
    );
    write_raw(
        repo.path(),
        b"app/settings\xfe.py",
        &format!(
            "# shipgate:allow(data/reserved-email, switch/debug-enabled) {}\n# shipgate:allow(data/reserved-email) {}\nX = 1\n",
            "a long and careful reason ".repeat(8),
            "another reason ".repeat(8)
        ),
    );
    for extra in [&[][..], &["--no-suppress"][..]] {
        let (code, report) = check_json(repo.path(), extra);
        assert_eq!(code, 1, "{extra:?} {report:#}");
        let errors: Vec<_> = hits(&report)
            .into_iter()
            .filter(|(r, _, _)| ORIGINAL.contains(&r.as_str()))
            .collect();
        assert_eq!(errors.len(), 3, "{extra:?}: {errors:?}");
        assert!(
            errors.iter().all(|(_, p, _)| p == "app/settings\\xff.py"),
            "{errors:?}"
        );
    }
    // The allows are in their own file, unused there: reported against that file, by its own name.
    let (_, report) = check_json(repo.path(), &[]);
    let unused: Vec<_> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r == "suppress/unused-allow")
        .collect();
    assert!(
        !unused.is_empty() && unused.iter().all(|(_, p, _)| p == "app/settings\\xfe.py"),
        "{unused:?}"
    );
    // Human output shows the escaped name and quotes the right file.
    let r = run(&["check", "--offline"], repo.path());
    assert!(r.stdout.contains("app/settings\\xff.py:1:"), "{}", r.stdout);
    assert!(!r.stdout.contains('\u{fffd}'), "{}", r.stdout);

    // --diff keys the change by the same bytes.
    repo.commit("init");
    let (code, _) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 0, "nothing new since main");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    write_raw(
        repo.path(),
        b"app/settings\xff.py",
        "ADMIN = \"qa@example.com\"\nDEBUG = True\nSUPPORT = \"help@example.com\"\nOPS = \"ops@example.com\"\n",
    );
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1, "{report:#}");
    let got = findings(&report);
    assert!(
        got.iter()
            .any(|(r, p, l)| r == "data/reserved-email" && p == "app/settings\\xff.py" && *l == 4),
        "{got:?}"
    );
}

// --- Repository text cannot forge output --------------------------------------------------------------

#[cfg(target_os = "linux")]
fn hostile_text_repo() -> Repo {
    let repo = Repo::new();
    write_raw(
        repo.path(),
        b"app/evil\r\n::error file=x::forged\n##[set-output name=result]passed.py",
        "DEBUG = True\n",
    );
    repo.write(
        "app/settings.py",
        "ADMIN = \"qa@example.com\"  # \x1b]0;pwned\x07\x1b[2J\r## ✅ shipgate: passed\n\
         # shipgate:allow(nope\r| x |\r<!-- ) hide the rest\n",
    );
    repo
}

#[cfg(target_os = "linux")]
fn assert_inert(what: &str, text: &str) {
    assert!(!text.contains('\r'), "{what}: raw CR in {text:?}");
    assert!(!text.contains('\x1b'), "{what}: raw ESC in {text:?}");
    assert!(!text.contains('\x07'), "{what}: raw BEL in {text:?}");
    for line in text.lines() {
        let t = line.trim_start();
        assert!(!t.starts_with("##["), "{what}: command line {line:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn control_characters_are_escaped_in_every_output() {
    let repo = hostile_text_repo();
    let human = run(&["check", "--offline"], repo.path());
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert_inert("human", &human.stdout);
    for line in human.stdout.lines() {
        assert!(!line.trim_start().starts_with("::"), "human: {line:?}");
    }
    assert!(
        human.stdout.contains("app/evil\\x0d\\x0a::error"),
        "{}",
        human.stdout
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs");
    let r: Run = shipgate(&["check", "--offline", "--format", "github"], repo.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .expect("run")
        .into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_inert("annotations", &r.stdout);
    // Each annotation is one command on one line; nothing else on stdout starts a command.
    for line in r.stdout.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice ")
                || line.starts_with("shipgate: "),
            "{line:?}"
        );
    }
    let md = std::fs::read_to_string(&summary).expect("summary");
    assert_inert("summary", &md);
    assert!(md.starts_with("## ❌ shipgate: failed"), "{md}");
    assert!(!md.contains("<!--"), "{md}");
    assert!(md.contains("&lt;!--"), "{md}");
    let rows = md.lines().filter(|l| l.starts_with("| ")).count();
    let (_, report) = check_json(repo.path(), &[]);
    let n = report["findings"].as_array().map_or(0, Vec::len);
    assert_eq!(rows, n + 1, "one row per finding plus the header:\n{md}");
    let out = std::fs::read_to_string(&outputs).expect("outputs");
    assert!(out.starts_with("result=failed\n"), "{out}");
}

#[test]
fn could_not_evaluate_still_writes_result_error() {
    let repo = Repo::new();
    repo.write("shipgate.toml", "fail-on = \"sometimes\"\n");
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().join("outputs");
    let r: Run = shipgate(&["check", "--offline", "--format", "github"], repo.path())
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .expect("run")
        .into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    let out = std::fs::read_to_string(&outputs).expect("outputs");
    assert_eq!(out, "result=error\nexit-code=2\n");
}

#[test]
fn diagnostics_escape_control_characters_from_the_config() {
    let repo = Repo::new();
    repo.write(
        "shipgate.toml",
        "[rules]\n\"data/x\x1b]0;t\x07\r::error::forged\" = \"off\"\n",
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        !r.stderr.contains('\x1b') && !r.stderr.contains('\r'),
        "{:?}",
        r.stderr
    );
    for line in r.stderr.lines() {
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
    }
}

// --- A hostile GitHub API ----------------------------------------------------------------------------

mod hostile_api {
    use crate::common::Run;
    use crate::github::{gh, gh_json, world, TOKEN};
    use crate::mock_github::*;
    use serde_json::{json, Value};
    use std::time::Duration;

    fn unavailable(report: &Value) -> Vec<String> {
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"] == "gate/github-unavailable")
            .map(|f| f["message"].as_str().unwrap_or("").to_string())
            .collect()
    }

    fn assert_unavailable(report: &Value, code: i32, want: &str) {
        assert_eq!(code, 2, "{report:#}");
        let got = unavailable(report);
        assert!(
            got.iter().any(|m| m.contains(want)),
            "`{want}` not in {got:?}"
        );
    }

    fn envs(n: usize) -> Value {
        environments(
            (0..n)
                .map(|i| {
                    environment(
                        i as u64,
                        &format!("env-{i}"),
                        true,
                        true,
                        json!({"protected_branches": true, "custom_branch_policies": false}),
                        false,
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn a_list_that_never_ends_fails_closed_at_the_page_cap() {
        let w = world();
        let next = format!(
            "<{}{}>; rel=\"next\"",
            w.mock.url(),
            api("/environments?per_page=100&page=2")
        );
        w.mock.on(
            &api("/environments"),
            Reply::ok(envs(1)).header("Link", &next),
        );
        let (code, report) = gh_json(&w, &[]);
        assert_unavailable(&report, code, "goes on past 10 pages");
    }

    #[test]
    fn a_next_link_to_another_host_is_refused() {
        let w = world();
        w.mock.on(
            &api("/environments"),
            Reply::ok(envs(1)).header(
                "Link",
                "<http://attacker.invalid/steal?page=2>; rel=\"next\"",
            ),
        );
        let (code, report) = gh_json(&w, &[]);
        assert_unavailable(&report, code, "the next page is on another host");
    }

    #[test]
    fn too_many_environments_fail_closed_without_a_request_each() {
        let w = world();
        w.mock.on(&api("/environments"), Reply::ok(envs(1001)));
        let (code, report) = gh_json(&w, &[]);
        assert_unavailable(&report, code, "1000 items");
        let follow_ups = w
            .mock
            .requests()
            .iter()
            .filter(|r| r.path.contains("deployment-branch-policies"))
            .count();
        assert!(follow_ups < 10, "{follow_ups} follow-up requests");
    }

    /// An environments page just under the 16 MiB body cap: `n` tiny entries.
    fn a_page_of(n: usize) -> String {
        let items: Vec<String> = (0..n)
            .map(|i| format!("{{\"id\":{i},\"name\":\"e{i}\"}}"))
            .collect();
        format!(
            "{{\"total_count\":{n},\"environments\":[{}]}}",
            items.join(",")
        )
    }

    #[test]
    fn a_page_over_the_item_cap_fails_closed_naming_it() {
        let w = world();
        w.mock
            .on(&api("/environments"), Reply::raw(200, &a_page_of(1500)));
        let (code, report) = gh_json(&w, &[]);
        assert_unavailable(&report, code, "the list has more than 1000 items");
        assert!(
            unavailable(&report)
                .iter()
                .any(|m| m.contains("the rest was not read")),
            "{report:#}"
        );
        // Exactly at the cap is a whole list, judged.
        let w = world();
        w.mock
            .on(&api("/environments"), Reply::raw(200, &a_page_of(1000)));
        let (_, report) = gh_json(&w, &[]);
        assert!(unavailable(&report).is_empty(), "{report:#}");
    }

    /// A list page of half a million entries (15 MiB, under the body cap) is not materialised: the run
    /// stays within a 250 MB data limit (`ulimit -d`; Vec-deserialising it through a `Value` took
    /// ~800 MB and aborted there) and fails closed at the item cap.
    #[test]
    fn a_page_of_half_a_million_entries_is_read_in_bounded_memory() {
        let w = world();
        let page = a_page_of(500_000);
        assert!(
            page.len() > 14 << 20 && page.len() < 16 << 20,
            "{}",
            page.len()
        );
        w.mock.on(&api("/environments"), Reply::raw(200, &page));
        let out = std::process::Command::new("sh")
            .args(["-c", "ulimit -d 250000 && exec \"$0\" \"$@\""])
            .arg(crate::common::bin())
            .args(["check", "--format", "json"])
            .current_dir(w.repo.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GITHUB_API_URL", w.mock.url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", TOKEN)
            .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "10")
            .output()
            .expect("run shipgate under a data limit");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "no report ({e}), exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_unavailable(
            &report,
            out.status.code().unwrap_or(-1),
            "the list has more than 1000 items",
        );
    }

    #[test]
    fn a_huge_body_is_refused() {
        let w = world();
        let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(17 * 1024 * 1024));
        w.mock.on(&api("/environments"), Reply::raw(200, &huge));
        let (code, report) = gh_json(&w, &[]);
        assert_unavailable(&report, code, "larger than 16777216 bytes");
    }

    #[test]
    fn the_github_phase_has_one_deadline() {
        let w = world();
        w.mock.on(
            &api("/environments"),
            Reply::ok(envs(1)).delay(Duration::from_millis(2000)),
        );
        let (code, report) = gh_json(&w, &[("SHIPGATE_GITHUB_DEADLINE_MS", "300")]);
        assert_unavailable(&report, code, "overall deadline of 0.3 s");
        assert_eq!(
            w.mock.hits(&api("/environments")),
            1,
            "no retry past the deadline"
        );
    }

    /// A server that never answers the environments question (the reply waits an hour).
    fn never_answers() -> crate::github::World {
        let w = world();
        w.mock.on(
            &api("/environments"),
            Reply::ok(envs(1)).delay(Duration::from_secs(3600)),
        );
        w
    }

    #[test]
    fn the_deadline_is_a_config_setting() {
        let w = never_answers();
        w.repo
            .write("shipgate.toml", "[github]\ndeadline = \"400ms\"\n");
        let (code, report) = gh_json(&w, &[("SHIPGATE_GITHUB_TIMEOUT_MS", "600000")]);
        assert_unavailable(&report, code, "overall deadline of 0.4 s");
        // Fail closed: the environments are not judged as if there were none.
        assert_eq!(report["result"], "error", "{report:#}");
        assert_eq!(
            w.mock.hits(&api("/environments")),
            1,
            "no retry past the deadline"
        );
    }

    #[test]
    fn graphql_queries_keep_the_same_deadline_as_rest() {
        let w = world();
        w.mock.on(
            "/graphql",
            Reply::ok(json!({"data": null})).delay(Duration::from_secs(3600)),
        );
        w.repo
            .write("shipgate.toml", "[github]\ndeadline = \"500ms\"\n");
        // Without the deadline this would end after three 4 s timeouts, with another message.
        let (code, report) = gh_json(&w, &[("SHIPGATE_GITHUB_TIMEOUT_MS", "4000")]);
        let got = unavailable(&report);
        assert_eq!(code, 2, "{report:#}");
        assert!(
            got.iter()
                .any(|m| m.contains("POST") && m.contains("overall deadline of 0.5 s")),
            "{got:?}"
        );
    }

    #[test]
    fn the_environment_variable_wins_over_the_config_deadline() {
        let w = never_answers();
        w.repo
            .write("shipgate.toml", "[github]\ndeadline = \"59m\"\n");
        let (code, report) = gh_json(
            &w,
            &[
                ("SHIPGATE_GITHUB_TIMEOUT_MS", "600000"),
                ("SHIPGATE_GITHUB_DEADLINE_MS", "300"),
            ],
        );
        assert_unavailable(&report, code, "overall deadline of 0.3 s");
    }

    #[test]
    fn a_bad_deadline_is_a_config_error() {
        for (value, want) in [
            ("120", "`deadline` needs a unit"),
            ("\"soon\"", "`deadline` is not a duration: `soon`"),
            ("\"0s\"", "more than 0 and at most 1 hour"),
            ("\"2 hours\"", "is not a duration"),
        ] {
            let w = world();
            w.repo
                .write("shipgate.toml", format!("[github]\ndeadline = {value}\n"));
            let r: Run = gh(&w, &["check"], &[]);
            assert_eq!(r.code, 2, "{value}: {}{}", r.stdout, r.stderr);
            assert!(r.stderr.contains(want), "{value}: {}", r.stderr);
            assert!(
                r.stderr.contains("shipgate.toml:2"),
                "{value}: {}",
                r.stderr
            );
            assert!(w.mock.requests().is_empty(), "{value}: asked GitHub anyway");
        }
    }

    #[test]
    fn error_bodies_never_show_any_part_of_the_token() {
        let b64 = {
            // base64 of the token, computed here independently of shipgate.
            const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut out = String::new();
            for c in TOKEN.as_bytes().chunks(3) {
                let n = (u32::from(c[0]) << 16)
                    | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                    | u32::from(*c.get(2).unwrap_or(&0));
                for i in 0..=c.len() {
                    out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        };
        let glued = format!("{}{TOKEN}", "E".repeat(161));
        let hex: String = TOKEN.bytes().map(|b| format!("{b:02x}")).collect();
        let reversed: String = TOKEN.chars().rev().collect();
        let spaced = TOKEN
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" ");
        // base64 of the token after one byte: the same bits, a different alignment, other letters.
        let shifted = {
            const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let bytes: Vec<u8> = std::iter::once(b'x').chain(TOKEN.bytes()).collect();
            let mut out = String::new();
            for c in bytes.chunks(3) {
                let n = (u32::from(c[0]) << 16)
                    | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                    | u32::from(*c.get(2).unwrap_or(&0));
                for i in 0..=c.len() {
                    out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        };
        for reply in [
            Reply::raw(403, &glued),
            Reply::error(403, &glued),
            Reply::error(403, &format!("bad header Basic {b64}")),
            Reply::raw(500, &glued),
            Reply::error(403, &format!("token (hex) {hex}")),
            Reply::error(403, &format!("token (base64, shifted) {shifted}")),
            Reply::error(403, &format!("token (reversed) {reversed}")),
            Reply::error(403, &format!("token (spaced) {spaced}")),
            Reply::error(401, "Bad credentials for token abc"),
        ] {
            let w = world();
            w.mock.on(&api("/environments"), reply.clone());
            let r: Run = gh(&w, &["check", "--format", "json"], &[]);
            let all = format!("{}{}", r.stdout, r.stderr);
            let squeezed: String = all.chars().filter(|c| *c != ' ').collect();
            for part in [
                &TOKEN[4..16],
                &TOKEN[20..],
                &b64[8..24],
                &hex[8..40],
                &shifted[8..24],
                &reversed[4..16],
            ] {
                assert!(
                    !squeezed.contains(part),
                    "{reply:?} leaked `{part}`:\n{all}"
                );
            }
        }
        // An authentication failure says how much the server said, not what.
        let w = world();
        w.mock.on(
            &api("/environments"),
            Reply::error(401, "Bad credentials for token abc"),
        );
        let (_, report) = gh_json(&w, &[]);
        let got = unavailable(&report).join("\n");
        assert!(got.contains("authentication failed; the server's"), "{got}");
        assert!(!got.contains("Bad credentials for"), "{got}");
        // Data the API states is printed redacted too: an environment named with the token's hex.
        let w = world();
        w.mock.on(
            &api("/environments"),
            Reply::ok(environments(vec![environment(
                7,
                &hex,
                false,
                false,
                Value::Null,
                false,
            )])),
        );
        let r: Run = gh(&w, &["check", "--format", "json"], &[]);
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(all.contains("deploy/env-no-reviewers"), "{all}");
        assert!(
            !all.contains(&hex[8..40]),
            "an API field leaked the token:\n{all}"
        );
        // A non-JSON body is described, not quoted.
        let w = world();
        w.mock.on(
            &api("/environments"),
            Reply::raw(500, "<html>proxy error</html>"),
        );
        let (_, report) = gh_json(&w, &[]);
        let got = unavailable(&report).join("\n");
        assert!(
            got.contains("-byte answer that is not GitHub's JSON"),
            "{got}"
        );
        assert!(!got.contains("proxy error"), "{got}");
    }

    #[test]
    fn credentials_in_the_api_url_are_never_printed() {
        let w = world();
        let url = w
            .mock
            .url()
            .replace("http://", "http://deploy:hunter2pass@");
        w.mock.on(&api("/environments"), Reply::raw(500, "x"));
        for args in [&["check", "--format", "json"][..], &["check"][..]] {
            let r = gh(&w, args, &[("GITHUB_API_URL", &url)]);
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(!all.contains("hunter2pass"), "{all}");
            assert!(r.code == 2, "{all}");
        }
    }
}

// --- Large CODEOWNERS: each quote is a window of the file -------------------------------------------

#[test]
fn a_large_codeowners_quotes_each_finding_at_its_own_line() {
    let repo = Repo::new();
    let mut text = String::from("* @acme/maintainers\n");
    for i in 0..5000 {
        text.push_str(&format!("/nothing{i}/ @acme/maintainers\n"));
    }
    repo.write(".github/CODEOWNERS", &text);
    let r = run(&["check", "--offline"], repo.path());
    // The last pattern sits on line 5001; its quote shows lines 5000-5002 (the file's end).
    assert!(
        r.stdout.contains("╭─[.github/CODEOWNERS:5001:1]"),
        "{}",
        &r.stdout[r.stdout.len().saturating_sub(3000)..]
    );
    assert!(r.stdout.contains(" 5001 │ /nothing4999/ @acme/maintainers"));
    assert!(r.stdout.contains(" 5000 │ /nothing4998/ @acme/maintainers"));
    // Linear output: each of the 5000 findings is a few lines, never the whole file.
    assert!(r.stdout.len() < 5000 * 600, "{} bytes", r.stdout.len());
    // JSON and SARIF too (each finding ~0.5 KB / ~0.9 KB; a quote of the file in each was 1.8 GiB).
    for format in ["json", "sarif"] {
        let r = run(&["check", "--offline", "--format", format], repo.path());
        assert!(
            r.stdout.len() < 5000 * 1500,
            "{format}: {} bytes",
            r.stdout.len()
        );
    }
}

// --- Vendored trees -----------------------------------------------------------------------------------

const VENDORED_BAD: &str = "DEBUG = True\nADMIN = \"qa@example.com\"\n";

/// Rules reported at `path`.
fn rules_at(report: &serde_json::Value, path: &str) -> Vec<String> {
    findings(report)
        .into_iter()
        .filter(|(_, p, _)| p == path)
        .map(|(r, _, _)| r)
        .collect()
}

/// A Python app whose settings import `app/vendor/conf.py` (with `import_line`); the same content sits
/// in an un-imported vendored module, a vendored tree at the root and `node_modules`.
fn vendored_app(import_line: &str) -> Repo {
    let repo = Repo::new();
    repo.write("app/__init__.py", "");
    repo.write(
        "app/settings.py",
        format!("{import_line}\nNAME = \"app\"\n"),
    );
    repo.write("app/vendor/__init__.py", "");
    repo.write("app/vendor/conf.py", VENDORED_BAD);
    repo.write("app/vendor/unused.py", VENDORED_BAD);
    repo.write("vendor/lib/conf.py", VENDORED_BAD);
    repo.write("node_modules/left-pad/conf.py", VENDORED_BAD);
    repo.write("node_modules/left-pad/index.js", "module.exports = 1;\n");
    repo
}

#[test]
fn a_vendored_module_production_code_imports_is_gated_at_its_own_path() {
    for import in [
        "from app.vendor import conf",
        "from .vendor.conf import *",
        "import app.vendor.conf",
    ] {
        let repo = vendored_app(import);
        let (code, report) = check_json(repo.path(), &[]);
        assert_eq!(code, 1, "{import}: {report:#}");
        let rules = rules_at(&report, "app/vendor/conf.py");
        assert!(
            rules.iter().any(|r| r == "switch/debug-enabled")
                && rules.iter().any(|r| r == "data/reserved-email"),
            "{import}: {rules:?}\n{report:#}"
        );
        // The same content where production code does not import it stays third-party.
        for other in [
            "app/vendor/unused.py",
            "vendor/lib/conf.py",
            "node_modules/left-pad/conf.py",
        ] {
            assert!(rules_at(&report, other).is_empty(), "{import}: {other}");
        }
        let s = &report["summary"];
        assert_eq!(s["vendored_trees"], 3, "{s:#}");
        assert_eq!(s["vendored_files"], 6, "{s:#}");
        assert_eq!(s["vendored_gated"], 1, "{s:#}");
    }
}

#[test]
fn without_the_import_no_vendored_file_is_gated() {
    let repo = vendored_app("import os");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["vendored_gated"], 0);
    let r = run(&["check", "--offline"], repo.path());
    assert!(
        r.stdout
            .contains("3 third-party trees (6 vendored files not gated)"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_human_summary_counts_trees_and_gated_imports() {
    let repo = vendored_app("from app.vendor import conf");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "3 third-party trees (5 vendored files not gated; 1 that production code imports gated)"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("app/vendor/conf.py"), "{}", r.stdout);
}

#[test]
fn javascript_and_ruby_imports_of_vendored_files_gate_them() {
    let repo = Repo::new();
    repo.write(
        "web/server.js",
        "const conf = require('./vendor/conf');\nmodule.exports = conf;\n",
    );
    repo.write(
        "web/vendor/conf.js",
        "module.exports = { debug: true, admin: 'qa@example.com' };\n",
    );
    repo.write(
        "web/vendor/other.js",
        "module.exports = { admin: 'qa@example.com' };\n",
    );
    repo.write("lib/app.rb", "require_relative 'vendor/conf'\n");
    repo.write("lib/vendor/conf.rb", "ADMIN = 'qa@example.com'\n");
    repo.write("lib/vendor/other.rb", "ADMIN = 'qa@example.com'\n");
    repo.write(
        "node_modules/x/index.js",
        "module.exports = { admin: 'qa@example.com' };\n",
    );
    let (_, report) = check_json(repo.path(), &[]);
    for gated in ["web/vendor/conf.js", "lib/vendor/conf.rb"] {
        assert!(
            rules_at(&report, gated)
                .iter()
                .any(|r| r == "data/reserved-email"),
            "{gated}: {report:#}"
        );
    }
    for skipped in [
        "web/vendor/other.js",
        "lib/vendor/other.rb",
        "node_modules/x/index.js",
    ] {
        assert!(rules_at(&report, skipped).is_empty(), "{skipped}");
    }
    assert_eq!(report["summary"]["vendored_gated"], 2, "{report:#}");
}

#[test]
fn only_the_imported_vendored_files_are_read() {
    let small = vendored_app("from app.vendor import conf");
    let large = vendored_app("from app.vendor import conf");
    for i in 0..40 {
        large.write(&format!("vendor/big/m{i}.py"), VENDORED_BAD);
        large.write(
            &format!("node_modules/big/m{i}.js"),
            "module.exports = 1;\n",
        );
    }
    let (_, a) = check_json(small.path(), &[]);
    let (_, b) = check_json(large.path(), &[]);
    assert_eq!(b["summary"]["vendored_files"], 86, "{:#}", b["summary"]);
    assert_eq!(
        a["summary"]["files_scanned"], b["summary"]["files_scanned"],
        "un-imported vendored files were read: {:#} vs {:#}",
        a["summary"], b["summary"]
    );
    assert_eq!(a["summary"]["bytes_scanned"], b["summary"]["bytes_scanned"]);
}

#[test]
fn a_change_that_imports_a_vendored_file_is_caught_in_pre_merge_mode() {
    let repo = Repo::new();
    repo.write("app/__init__.py", "");
    repo.write(SETTINGS, CLEAN);
    repo.write("app/vendor/__init__.py", "");
    repo.write("app/vendor/conf.py", VENDORED_BAD);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write(SETTINGS, "from app.vendor.conf import *\nNAME = \"app\"\n");
    git(repo.path(), &["commit", "-q", "-am", "feature"]);
    // The vendored lines predate the change, but the import that makes them production code is new.
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1, "{report:#}");
    let rules = rules_at(&report, "app/vendor/conf.py");
    assert!(
        rules.iter().any(|r| r == "switch/debug-enabled"),
        "{report:#}"
    );
    assert!(
        message_of(&report, "switch/debug-enabled")
            .contains("vendored code that production code imports: `app/settings.py:1`"),
        "{report:#}"
    );
    // A change that leaves the import alone does not make the old vendored findings its own.
    git(repo.path(), &["checkout", "-q", "-b", "later"]);
    git(repo.path(), &["commit", "-q", "-m", "x", "--allow-empty"]);
    git(repo.path(), &["branch", "-f", "main", "feature"]);
    repo.write("app/other.py", "X = 1\n");
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "other"]);
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(rules_at(&report, "app/vendor/conf.py").is_empty());
}

#[test]
fn relaxed_github_and_history_requirements_are_reported_and_stricter_ones_are_not() {
    let base = [(
        "shipgate.toml",
        "[history]\nmax-commits = 300\n[github.branch-protection]\napprovals = 2\n",
    )];
    let repo = feature_branch(&base, |r| {
        r.write(
            "shipgate.toml",
            "[history]\nmax-commits = 10\n[github.branch-protection]\napprovals = 1\n",
        );
    });
    assert_caught(&repo, "required approvals lowered from 2 to 1");
    assert_caught(&repo, "examines less");
    let repo = feature_branch(&base, |r| {
        r.write(
            "shipgate.toml",
            "[history]\nmax-commits = 500\n[github.branch-protection]\napprovals = 3\n",
        );
    });
    let (_, report) = check_json(repo.path(), &["--diff", "main"]);
    assert!(
        messages(&report, "gate/policy-changed").is_empty(),
        "{report:#}"
    );
}

/// Markdown that GitHub renders — the job summary and the Markdown evidence report — shows repository
/// text as the characters it is: a file name or a message cannot add a link, a remote image (a tracking
/// pixel), raw HTML or emphasis. Both outputs are parsed with a CommonMark parser (tables on, as GitHub
/// has them) and the hostile names must come through as plain text.
#[cfg(target_os = "linux")]
#[test]
fn repository_text_renders_as_text_in_markdown_outputs() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let repo = Repo::new();
    let names: [&[u8]; 3] = [
        b"app/![pixel](https:tracker.example;p.png)[docs](https:evil.example).py",
        b"app/<img src=x onerror=alert(1)><!-- hide -->.py",
        b"app/**PASS**_approved_~~x~~`y`.py",
    ];
    for name in names {
        write_raw(repo.path(), name, "DEBUG = True\n");
    }
    repo.commit("hostile names");
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    let r: Run = shipgate(&["check", "--offline", "--format", "github"], repo.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("run")
        .into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    let job_summary = std::fs::read_to_string(&summary).expect("summary");
    let evidence = run(&["check", "--offline", "--format", "markdown"], repo.path()).stdout;
    for (what, md) in [
        ("job summary", &job_summary),
        ("evidence report", &evidence),
    ] {
        let mut emphasised = String::new();
        let mut depth = 0;
        let mut plain = String::new();
        for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
            match event {
                Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                    panic!("{what}: a link or image rendered:\n{md}")
                }
                // shipgate's own output marker (so it never gates its own reports) is the one comment.
                Event::Html(h) | Event::InlineHtml(h) if !h.starts_with("<!-- shipgate-output") => {
                    panic!("{what}: raw HTML rendered ({h}):\n{md}")
                }
                Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough) => depth += 1,
                Event::End(_) if depth > 0 => depth -= 1,
                Event::Text(t) | Event::Code(t) => {
                    plain.push_str(&t);
                    if depth > 0 {
                        emphasised.push_str(&t);
                    }
                }
                _ => {}
            }
        }
        assert!(
            !emphasised.contains("approved") && !emphasised.contains("PASS**"),
            "{what}: repository text was emphasised ({emphasised}):\n{md}"
        );
        for shown in [
            "![pixel](https:tracker.example;p.png)[docs](https:evil.example)",
            "<img src=x onerror=alert(1)><!-- hide -->",
            "**PASS**_approved_~~x~~`y`",
        ] {
            assert!(
                plain.contains(shown),
                "{what}: {shown} not shown as text:\n{md}"
            );
        }
    }
}
