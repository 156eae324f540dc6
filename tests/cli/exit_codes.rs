use crate::common::*;

#[test]
fn clean_repository_passes_with_exit_0() {
    let repo = Repo::new();
    repo.write("src/app.py", "def handler(user):\n    return user.email\n")
        .write("README.md", "# app\n");
    repo.commit("init");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("PASSED · 0 errors, 0 warnings, 0 notes · 5 files"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_error_finding_exits_1_and_fail_on_controls_warnings() {
    let repo = Repo::new();
    repo.write("src/app.py", "ADMIN = 'admin@example.com'\n");
    repo.commit("init");
    assert_eq!(run(&["check", "--offline"], repo.path()).code, 1);

    // A warning-level finding passes at the default fail-on and fails with --fail-on warning.
    repo.write(
        "shipgate.toml",
        "[rules]\n\"data/reserved-email\" = \"warning\"\n",
    );
    assert_eq!(run(&["check", "--offline"], repo.path()).code, 0);
    assert_eq!(
        run(&["check", "--offline", "--fail-on", "warning"], repo.path()).code,
        1
    );
    // ...and `fail-on` in the config does the same.
    repo.write(
        "shipgate.toml",
        "fail-on = \"warning\"\n[rules]\n\"data/reserved-email\" = \"warning\"\n",
    );
    assert_eq!(run(&["check", "--offline"], repo.path()).code, 1);
    // `off` silences it entirely.
    repo.write(
        "shipgate.toml",
        "[rules]\n\"data/reserved-email\" = \"off\"\n",
    );
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!((code, findings(&report).len()), (0, 0));
}

#[test]
fn usage_errors_and_missing_paths_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["check", "no/such/dir"], dir.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot check `no/such/dir`"),
        "{}",
        r.stderr
    );
    assert_eq!(run(&["check", "--format", "yaml"], dir.path()).code, 2);
    assert_eq!(run(&["frobnicate"], dir.path()).code, 2);
    assert_eq!(run(&["--help"], dir.path()).code, 0);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_finding_and_fails_closed() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n")
        .write("config/settings.yml", "a: 1\n");
    let p = repo.path().join("config/settings.yml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root the binary runs under `unshare --user`, where the permission bits apply.
    let Some(mut cmd) =
        shipgate_unprivileged(&["check", "--offline", "--format", "json"], repo.path(), &p)
    else {
        return; // root without user namespaces: the fault cannot be made here
    };
    let r = Run::from(cmd.output().unwrap());
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(r.code, 2);
    assert_eq!(
        findings(&report),
        vec![(
            "gate/unreadable-file".to_string(),
            "config/settings.yml".to_string(),
            0
        )]
    );
    assert_eq!(report["result"], "error");
}

#[test]
fn init_writes_a_valid_starter_config_and_refuses_to_overwrite() {
    let repo = Repo::new();
    let r = run(&["init"], repo.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(repo.path().join("shipgate.toml")).unwrap();
    assert!(text.contains("fail-on = \"error\""));
    assert_eq!(
        run(&["check", "--offline"], repo.path()).code,
        0,
        "the starter config must be valid"
    );
    std::fs::write(repo.path().join("shipgate.toml"), "# mine\n").unwrap();
    let r = run(&["init"], repo.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.path().join("shipgate.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn explain_and_rules_document_every_rule() {
    let tmp = std::env::temp_dir();
    let rules = rule_catalogue();
    assert!(rules.len() >= 10, "{} rules", rules.len());
    for rule in &rules {
        let id = rule["id"].as_str().unwrap();
        let r = run(&["explain", id], &tmp);
        assert_eq!(r.code, 0, "{id}: {}", r.stderr);
        for section in ["WHY IT MATTERS", "HOW TO FIX", "EXAMPLE"] {
            assert!(r.stdout.contains(section), "{id} lacks {section}");
        }
    }
    let r = run(&["explain", "data/reserved-emial"], &tmp);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `data/reserved-email`?"),
        "{}",
        r.stderr
    );
    let table = run(&["rules"], &tmp);
    assert!(
        table.stdout.contains("data/reserved-email")
            && table.stdout.contains(&format!("{} rules.", rules.len()))
    );
}
