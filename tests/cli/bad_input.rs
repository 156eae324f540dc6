//! Hostile and unusual input: each gives a clear result or diagnostic, in bounded time, with the designed
//! exit code — never a panic, never a silent skip.
use crate::common::*;

fn assert_no_panic(r: &Run) {
    assert!(
        !r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_and_contents() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::new();
    let name = std::ffi::OsStr::from_bytes(b"src/caf\xe9.py");
    std::fs::create_dir_all(repo.path().join("src")).unwrap();
    std::fs::write(
        repo.path().join(name),
        b"# \xff\xfe latin-1 bytes\nX = 'a@example.com'\n",
    )
    .unwrap();
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&report);
    assert_eq!(f.len(), 1);
    // File names are bytes: the invalid byte is shown escaped, never merged into U+FFFD.
    assert_eq!((f[0].1.as_str(), f[0].2), ("src/caf\\xe9.py", 2));
    for format in ["human", "sarif", "github", "html"] {
        let r = run(&["check", "--offline", "--format", format], repo.path());
        assert_no_panic(&r);
        assert_eq!(r.code, 1, "{format}");
    }
}

#[test]
fn binary_with_a_text_extension_is_skipped_and_counted() {
    let repo = Repo::new();
    let mut bytes = b"PK\x03\x04\x00\x00".to_vec();
    bytes.extend_from_slice(b"a@example.com");
    repo.write("config/settings.yml", bytes);
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        (code, report["summary"]["skipped_binary"].as_u64()),
        (0, Some(1))
    );
}

#[test]
fn a_200_mb_file_is_skipped_without_being_read() {
    let repo = Repo::bare();
    let f = std::fs::File::create(repo.path().join("dump.sql")).unwrap();
    f.set_len(200 * 1024 * 1024).unwrap(); // sparse: no 200 MB written
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        (code, report["summary"]["skipped_large"].as_u64()),
        (0, Some(1))
    );
    assert_eq!(report["summary"]["bytes_scanned"], 0);
}

#[test]
fn a_50k_line_minified_file_and_a_huge_single_line() {
    let repo = Repo::new();
    let mut minified = String::new();
    for i in 0..50_000 {
        minified.push_str(&format!("var a{i}=function(){{return {i}}};"));
        minified.push('\n');
    }
    minified.push_str("var admin='root@example.com';\n");
    repo.write("static/app.min.js", &minified);
    repo.write(
        "static/one-line.js",
        format!("{}x='b@example.com';", "a=1;".repeat(250_000)),
    );
    // Reserved addresses outside a setting are warnings (docs/precision.md): fail on them here.
    let (code, report) = check_json(repo.path(), &["--fail-on", "warning"]);
    assert_eq!(code, 1);
    let mut f = findings(&report);
    f.sort();
    assert_eq!(
        f,
        vec![
            (
                "data/reserved-email".into(),
                "static/app.min.js".into(),
                50_001
            ),
            ("data/reserved-email".into(), "static/one-line.js".into(), 1)
        ]
    );
    let one_line = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "static/one-line.js")
        .unwrap();
    assert_eq!(one_line["location"]["column"], 1_000_004);
    // The human format quotes the short line, and gives the megabyte-wide one by location (quoting it
    // would be unreadable, and miette cannot lay it out).
    let human = run(&["check", "--offline", "--fail-on", "warning"], repo.path());
    assert_no_panic(&human);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(
        human.stdout.contains("var admin='root@example.com';")
            && human.stdout.contains(":1:1000004]"),
        "{}",
        &human.stdout[..human.stdout.len().min(4000)]
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_repository_are_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.py"),
        "X = 'outside@example.com'\n",
    )
    .unwrap();
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n");
    std::os::unix::fs::symlink(outside.path(), repo.path().join("src/outside")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.py"),
        repo.path().join("src/linked.py"),
    )
    .unwrap();
    std::os::unix::fs::symlink(repo.path().join("src"), repo.path().join("src/loop")).unwrap();
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["summary"]["symlinks"], 3,
        "links are counted, not hidden"
    );
    let human = run(&["check", "--offline"], repo.path());
    assert!(
        human.stdout.contains("3 symlinks (not followed)"),
        "{}",
        human.stdout
    );
}

#[cfg(unix)]
#[test]
fn unreadable_directory_is_reported_and_fails_closed() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n")
        .write("secret/keys.py", "K = 1\n");
    let dir = repo.path().join("secret");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root the binary runs under `unshare --user`, where the permission bits apply.
    let run = shipgate_unprivileged(
        &["check", "--offline", "--format", "json"],
        repo.path(),
        &dir,
    )
    .map(|mut cmd| Run::from(cmd.output().unwrap()));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some(r) = run else {
        return; // root without user namespaces: the fault cannot be made here
    };
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(r.code, 2, "{report:#}");
    assert_eq!(
        findings(&report),
        vec![("gate/unreadable-file".into(), "secret".into(), 0)],
        "the directory is named, and nothing under it is silently skipped"
    );
}

#[test]
fn empty_repository_fails_closed_unless_allowed() {
    // Zero files scanned proves nothing (a wrong `path:`): exit 2, unless --allow-empty says it is intended.
    let repo = Repo::bare();
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("gate/no-files"), "{}", r.stderr);
    let r = run(&["check", "--offline", "--allow-empty"], repo.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("0 files"), "{}", r.stdout);
}

#[test]
fn a_config_error_on_a_70k_wide_line_is_located_not_quoted() {
    let repo = Repo::new();
    repo.write(
        "shipgate.toml",
        format!("{}badkey = 1\n", " ".repeat(70_000)),
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_no_panic(&r);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown field `badkey`") && r.stderr.contains("[shipgate.toml:1]"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bare_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init_bare(dir.path().join("bare.git")).unwrap();
    let r = run(&["check", "--offline", "bare.git"], dir.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is a bare git repository"),
        "{}",
        r.stderr
    );
    assert_no_panic(&r);
}

#[test]
fn crlf_and_bom_files_report_true_columns() {
    let repo = Repo::new();
    repo.write(
        "src/a.py",
        b"\xEF\xBB\xBFX = 'a@example.com'\r\nY = 'b@example.com'\r\n",
    );
    let (_, report) = check_json(repo.path(), &[]);
    // Both hits are one grouped finding: the second is among its repeats, with its own position.
    let f = &report["findings"][0];
    let mut cols = vec![(
        f["location"]["line"].as_u64().unwrap(),
        f["location"]["column"].as_u64().unwrap(),
    )];
    for r in f["repeats"].as_array().unwrap() {
        cols.push((r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap()));
    }
    assert_eq!(cols, vec![(1, 6), (2, 6)]);
    let human = run(&["check", "--offline"], repo.path());
    assert!(human.stdout.contains("line 2"), "{}", human.stdout);
}

#[test]
fn a_regex_that_would_be_catastrophic_in_a_backtracking_engine_stays_linear() {
    let repo = Repo::new();
    repo.write(
        ".shipgate/rules/slow.toml",
        r#"[[rule]]
id = "acme/nested"
title = "t"
severity = "error"
pattern = '(a+)+$'
keywords = ["a"]
why = "w"
fix = "f"
example = 'aaa'
near-miss = ['bbb']
"#,
    );
    // Line 1 is the input that makes a backtracking engine explode (no match after 200k `a`s); line 2 matches.
    repo.write("src/a.py", format!("{}!\naaa\n", "a".repeat(200_000)));
    // With a backtracking engine this run would not finish; the regex crate is linear in the input.
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("acme/nested".into(), "src/a.py".into(), 2)]
    );
}

#[test]
fn a_rule_pack_with_10k_rules_loads_and_runs() {
    let repo = Repo::new();
    let mut pack = String::new();
    for i in 0..10_000 {
        pack.push_str(&format!(
            "[[rule]]\nid = \"bulk/r{i}\"\ntitle = \"t\"\nseverity = \"warning\"\npattern = 'tok{i}x'\nkeywords = [\"tok{i}x\"]\nwhy = \"w\"\nfix = \"f\"\nexample = 'tok{i}x'\nnear-miss = ['tok{i}y']\n\n"
        ));
    }
    repo.write(".shipgate/rules/bulk.toml", pack)
        .write("src/a.py", "v = 'tok9999x tok42x'\n");
    let (code, report) = check_json(repo.path(), &["--fail-on", "warning"]);
    assert_eq!(code, 1);
    let mut rules: Vec<String> = findings(&report).into_iter().map(|f| f.0).collect();
    rules.sort();
    assert_eq!(rules, vec!["bulk/r42", "bulk/r9999"]);
}

/// A repository with history whose commits all arrived as squash merges, and one planted leak: the
/// findings are the leak alone, whatever the checkout looks like.
fn reviewed_repo() -> Repo {
    let repo = Repo::new();
    repo.commit_file("src/app.py", "x = 1\n", "Initial layout");
    repo.commit_file(
        "src/app.py",
        "ADMIN = 'admin@example.com'\n",
        "Add admin contact (#2)",
    );
    repo
}

#[test]
fn a_detached_head_is_checked_like_the_branch_it_came_from() {
    let repo = reviewed_repo();
    let (code, attached) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{attached}");
    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    git(repo.path(), &["checkout", "-q", "--detach", "HEAD"]);
    let (code, detached) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{detached}");
    assert_eq!(findings(&detached), findings(&attached));
    assert_eq!(
        findings(&detached),
        vec![("data/reserved-email".into(), "src/app.py".into(), 1)]
    );
    // The deployment branch is still found and judged, and the evidence report names the commit.
    assert_eq!(detached["deployment_branches"][0]["name"], "main");
    assert_eq!(detached["deployment_branches"][0]["commits_examined"], 2);
    let md = run(&["check", "--offline", "--format", "markdown"], repo.path());
    assert!(
        md.stdout.contains(&format!("| Commit | `{head}` |")),
        "{}",
        md.stdout
    );
}

/// A library repository with a leak of its own, added to `app` as the submodule `vendor/lib`.
fn with_submodule() -> (Repo, Repo) {
    let lib = Repo::new();
    lib.commit_file("src/lib.py", "OWNER = 'lib@example.com'\n", "Library (#1)");
    let app = reviewed_repo();
    let url = lib.path().to_string_lossy().into_owned();
    git(
        app.path(),
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &url,
            "vendor/lib",
        ],
    );
    git(
        app.path(),
        &["commit", "-q", "-m", "Vendor the library (#3)"],
    );
    (lib, app)
}

#[test]
fn a_submodule_is_not_walked_as_the_product_and_is_named_in_the_summary() {
    let (_lib, app) = with_submodule();
    assert!(app.path().join("vendor/lib/src/lib.py").is_file());
    // A CODEOWNERS rule for the submodule owns its bumps: it does not "match nothing".
    app.write(
        ".github/CODEOWNERS",
        "* @acme/maintainers\n/vendor/lib @acme/lib-owners\n",
    );
    let (code, report) = check_json(app.path(), &[]);
    assert_eq!(code, 1, "{report}");
    // The library's own leak is its repository's business; this repository's leak is still found.
    assert_eq!(
        findings(&report),
        vec![("data/reserved-email".into(), "src/app.py".into(), 1)]
    );
    assert_eq!(report["summary"]["nested_repositories"], 1);
    assert!(
        report["not_evaluated"].to_string().contains(
            "submodules and nested repositories (`vendor/lib`): not scanned: each is a repository of its own"
        ),
        "{report}"
    );
    let human = run(&["check", "--offline"], app.path());
    assert!(
        human
            .stdout
            .contains("skipped 1 nested repository (submodules)"),
        "{}",
        human.stdout
    );
    // The evidence report does not mark this repository's controls unverified because of it.
    let md = run(&["check", "--offline", "--format", "markdown"], app.path());
    assert!(
        md.stdout
            .contains("| Nothing test-only reaches production | **FAIL** |"),
        "{}",
        md.stdout
    );
}

#[test]
fn an_uninitialised_submodule_is_an_empty_directory() {
    let (_lib, app) = with_submodule();
    let clones = tempfile::tempdir().unwrap();
    let url = app.path().to_string_lossy().into_owned();
    git(clones.path(), &["clone", "-q", &url, "c"]);
    let clone = clones.path().join("c");
    assert!(clone.join(".gitmodules").is_file());
    assert_eq!(
        std::fs::read_dir(clone.join("vendor/lib")).unwrap().count(),
        0
    );
    let r = run(&["check", "--offline", "--format", "json"], &clone);
    assert_no_panic(&r);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        findings(&report),
        vec![("data/reserved-email".into(), "src/app.py".into(), 1)]
    );
    assert_eq!(report["summary"]["nested_repositories"], 0);
    assert_eq!(report["deployment_branches"][0]["name"], "main");
}

#[test]
fn a_linked_worktree_is_checked_like_the_main_checkout() {
    let repo = reviewed_repo();
    let (_, main_report) = check_json(repo.path(), &[]);
    let outside = tempfile::tempdir().unwrap();
    let wt = outside.path().join("wt");
    git(
        repo.path(),
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ],
    );
    assert!(
        wt.join(".git").is_file(),
        "a linked worktree's .git is a file"
    );
    let (code, report) = check_json(&wt, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report), findings(&main_report));
    assert_eq!(
        report["deployment_branches"],
        main_report["deployment_branches"]
    );
    assert_eq!(report["not_evaluated"], main_report["not_evaluated"]);

    // A worktree inside the main checkout is another checkout, not more of this one's files.
    git(
        repo.path(),
        &["worktree", "add", "-q", "-b", "inner", ".worktrees/inner"],
    );
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report), findings(&main_report));
    assert_eq!(report["summary"]["nested_repositories"], 1);
}

/// One way of damaging `.git`, applied to a fresh `reviewed_repo()`.
type Damage = fn(&std::path::Path);

#[test]
fn a_corrupted_git_directory_fails_closed_with_the_reason() {
    let cases: [(&str, Damage, &str); 5] = [
        (
            "garbage HEAD",
            |git| std::fs::write(git.join("HEAD"), "garbage\n").unwrap(),
            "HEAD cannot be read: corrupted loose reference file",
        ),
        (
            "truncated HEAD",
            |git| {
                let sha = std::fs::read_to_string(git.join("refs/heads/main")).unwrap();
                std::fs::write(git.join("HEAD"), &sha[..7]).unwrap();
            },
            "HEAD cannot be read",
        ),
        (
            "no objects directory",
            |git| std::fs::remove_dir_all(git.join("objects")).unwrap(),
            "is there, but git cannot open it as a repository",
        ),
        (
            "garbage packed-refs",
            |git| {
                let dir = git.parent().unwrap();
                crate::common::git(dir, &["pack-refs", "--all"]);
                let mut refs = std::fs::read_to_string(git.join("packed-refs")).unwrap();
                refs.push_str("this is not a reference\n");
                std::fs::write(git.join("packed-refs"), refs).unwrap();
            },
            // libgit2 would skip the bad line (and any branch after it); git itself refuses the file.
            "packed-refs is corrupt: line 3 is not a reference",
        ),
        (
            "a missing commit",
            |git| {
                let dir = git.parent().unwrap();
                let first = crate::common::git(dir, &["rev-parse", "HEAD~1"]);
                std::fs::remove_file(git.join("objects").join(&first[..2]).join(&first[2..]))
                    .unwrap();
            },
            "object not found",
        ),
    ];
    for (what, damage, reason) in cases {
        let repo = reviewed_repo();
        damage(&repo.path().join(".git"));
        let r = run(&["check", "--offline", "--format", "json"], repo.path());
        assert_no_panic(&r);
        assert_eq!(r.code, 2, "{what}: {}\n{}", r.stdout, r.stderr);
        let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let m = message_of(&report, "gate/history-unavailable");
        assert!(m.contains(reason), "{what}: {m}");
        assert!(
            !report["not_evaluated"]
                .to_string()
                .contains("not a git repository"),
            "{what}: a broken clone is not 'no repository': {report}"
        );
        // The files are still checked.
        assert!(
            findings(&report)
                .iter()
                .any(|f| f.0 == "data/reserved-email"),
            "{what}: {report}"
        );
        // Nor does the evidence report call it one.
        let md = run(&["check", "--offline", "--format", "markdown"], repo.path()).stdout;
        assert!(!md.contains("not a git repository"), "{what}: {md}");
        // `--diff` cannot work on it either, and says so.
        let r = run(&["check", "--offline", "--diff", "main"], repo.path());
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        assert_no_panic(&r);
    }
}

#[test]
fn a_workflow_nested_100k_deep_fails_closed_instead_of_overflowing_the_stack() {
    // Kept from the `workflow` fuzz target's harness (docs/fuzzing.md): the YAML loader recursed once per
    // level, so this file overflowed a walker thread's stack and aborted the whole run.
    let repo = Repo::new();
    repo.write(
        ".github/workflows/deep.yml",
        format!("{}x\n", "- ".repeat(100_000)),
    );
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 2, "{report:#}");
    let f = located(&report, "workflow/invalid-yaml");
    assert_eq!(
        f,
        vec![(
            "workflow/invalid-yaml".into(),
            ".github/workflows/deep.yml".into(),
            1,
            513
        )]
    );
    assert!(message_of(&report, "workflow/invalid-yaml").contains("nested more than 256"));
}

/// A 457-byte workflow whose anchors are mappings keyed by sequences of aliases (`&b {? [*a, *a, …]: x}`):
/// saphyr's own alias budget counts each key as one node, so nine lines grew to 9^9 nodes and the run
/// aborted past 3 GB. Under a 400 MB data limit it must end as one invalid file, exit 2, with the other
/// checks' results intact.
#[test]
fn a_workflow_alias_bomb_through_mapping_keys_fails_closed_in_bounded_memory() {
    let repo = Repo::new();
    let mut bomb = String::from(
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\nx:\n  - &a {? [l,l,l,l,l,l,l,l,l]: x}\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let aliases = vec![format!("*{}", pair[0]); 9].join(",");
        bomb.push_str(&format!("  - &{} {{? [{aliases}]: x}}\n", pair[1]));
    }
    assert!(bomb.len() < 500, "{}", bomb.len());
    repo.write(".github/workflows/bomb.yml", &bomb);
    repo.write("app/settings.py", "DEBUG = True\n");
    repo.commit("bomb");
    let out = std::process::Command::new("sh")
        .args(["-c", "ulimit -d 400000 && exec \"$0\" \"$@\""])
        .arg(crate::common::bin())
        .args(["check", "--offline", "--format", "json"])
        .current_dir(repo.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("run shipgate under a data limit");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no report ({e}), exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(out.status.code(), Some(2), "{report:#}");
    assert!(message_of(&report, "workflow/invalid-yaml").contains("alias bomb"));
    assert!(
        !located(&report, "switch/debug-enabled").is_empty(),
        "the rest of the tree is still judged: {report:#}"
    );
}

/// Redaction touches secrets only: shipgate's own advice ("needs a token: set GITHUB_TOKEN") reaches
/// the user whole (the word "set" was masked as if it were the token's value).
#[test]
fn advice_about_a_missing_token_is_not_redacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = shipgate(&["check", "--remote", "octo-org/octo-app"], dir.path())
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("needs a token: set GITHUB_TOKEN or GH_TOKEN"),
        "{stderr}"
    );
}
