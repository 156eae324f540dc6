//! Classification defaults per ecosystem, through the binary: the same marker in a test path and in a
//! production path of each ecosystem's conventional layout.
use crate::common::*;

const MARKER: &str = "contact = \"someone@example.com\"\n";

#[test]
fn each_ecosystem_layout_separates_tests_from_production() {
    // (production path, test-side path) per ecosystem.
    let layouts = [
        ("python/app/models.py", "python/tests/test_models.py"),
        ("python/app/views.py", "python/app/conftest.py"),
        ("js/src/api.ts", "js/src/api.test.ts"),
        ("js/src/client.js", "js/src/__tests__/client.js"),
        ("js/src/fetch.js", "js/src/__mocks__/fetch.js"),
        (
            "go/internal/api/handler.go",
            "go/internal/api/handler_test.go",
        ),
        (
            "go/internal/api/router.go",
            "go/internal/api/testdata/req.json",
        ),
        ("rust/src/lib.rs", "rust/tests/cli.rs"),
        (
            "java/src/main/java/Owner.java",
            "java/src/test/java/OwnerTests.java",
        ),
        (
            "kotlin/src/main/kotlin/Api.kt",
            "kotlin/src/test/kotlin/ApiTest.kt",
        ),
        ("ruby/app/models/user.rb", "ruby/spec/models/user_spec.rb"),
        ("ruby/lib/mailer.rb", "ruby/test/mailer_test.rb"),
        (
            "csharp/src/Api/Users.cs",
            "csharp/tests/Api.Tests/UsersTests.cs",
        ),
    ];
    let repo = Repo::new();
    for (prod, test) in layouts {
        repo.write(prod, MARKER).write(test, MARKER);
    }
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    let mut paths: Vec<String> = findings(&report).into_iter().map(|(_, p, _)| p).collect();
    paths.sort();
    let mut want: Vec<String> = layouts.iter().map(|(p, _)| p.to_string()).collect();
    want.sort();
    assert_eq!(paths, want);
}

#[test]
fn binary_and_oversized_files_are_skipped_and_counted() {
    let repo = Repo::new();
    repo.write("src/blob.py", b"x = 'a@example.com'\0\x01\x02");
    repo.write(
        "src/big.py",
        format!("x = 'a@example.com'\n{}", "# pad\n".repeat(400)),
    );
    repo.write("shipgate.toml", "[scan]\nmax-file-size = 1024\n");
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["skipped_binary"], 1);
    assert_eq!(report["summary"]["skipped_large"], 1);
    let human = run(&["check", "--offline"], repo.path());
    assert!(
        human.stdout.contains("skipped 1 binary, 1 over 1 KiB"),
        "{}",
        human.stdout
    );
}

#[test]
fn gitignored_files_are_not_scanned_but_hidden_files_are() {
    let repo = Repo::new();
    repo.write(".gitignore", "build/\n")
        .write("build/out.py", MARKER)
        .write(".env", "ADMIN_EMAIL=root@example.com\n");
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    assert_eq!(
        findings(&report),
        vec![("data/reserved-email".into(), ".env".into(), 1)]
    );
}

/// A repository where `.gitignore` names `app/settings.py`, and the file was committed anyway
/// (`git add -f`). `build/` is ignored and untracked.
fn force_added_settings(extra: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write(".gitignore", "app/settings.py\nbuild/\n")
        .write("app/__init__.py", "")
        .write("app/settings.py", "DEBUG = True\nSECRET_KEY = env('KEY')\n")
        .write("build/out.py", MARKER);
    for (p, c) in extra {
        repo.write(p, c);
    }
    git(repo.path(), &["add", "-f", "app/settings.py"]);
    repo.commit("c");
    repo
}

#[test]
fn a_tracked_file_that_gitignore_matches_is_still_gated() {
    let repo = force_added_settings(&[]);
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        findings(&report),
        vec![("switch/debug-enabled".into(), "app/settings.py".into(), 1)],
        "{report}"
    );
    assert_eq!(code, 1);
    // Tracked: .gitignore, app/__init__.py, app/settings.py and the governance files; not build/out.py.
    let tracked = git(repo.path(), &["ls-files"]).lines().count() as u64;
    assert_eq!(report["summary"]["files"], tracked, "{report}");
    assert_eq!(report["summary"]["ignored"], 0, "{report}");
}

#[test]
fn a_tracked_gitignored_file_is_gated_from_a_subdirectory_root_too() {
    let repo = force_added_settings(&[]);
    let (code, report) = check_json(&repo.path().join("app"), &[]);
    let switches: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("switch/"))
        .collect();
    assert_eq!(
        switches,
        // A subdirectory gates the whole repository from its root (issue 14 item 4).
        vec![("switch/debug-enabled".into(), "app/settings.py".into(), 1)],
        "{report}"
    );
    assert_eq!(code, 1);
}

#[test]
fn an_untracked_gitignored_file_stays_out_and_is_not_counted() {
    let repo = Repo::new();
    repo.write(".gitignore", "app/settings.py\n")
        .write("app/__init__.py", "")
        .write("app/settings.py", "DEBUG = True\n");
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!((code, findings(&report)), (0, vec![]), "{report}");
    let tracked = git(repo.path(), &["ls-files"]).lines().count() as u64;
    assert_eq!(report["summary"]["files"], tracked, "{report}");
    assert_eq!(report["summary"]["ignored"], 0, "{report}");
}

#[test]
fn a_tracked_gitignored_file_that_config_ignores_is_counted_once() {
    for settings_gitignored in [true, false] {
        let repo = Repo::new();
        let gitignore = if settings_gitignored {
            "app/settings.py\n"
        } else {
            "build/\n"
        };
        repo.write(".gitignore", gitignore)
            .write("app/settings.py", "DEBUG = True\n")
            .write("shipgate.toml", "[paths]\nignore = [\"app/settings.py\"]\n");
        git(repo.path(), &["add", "-f", "app/settings.py"]);
        repo.commit("c");
        let (code, report) = check_json(repo.path(), &[]);
        assert_eq!((code, findings(&report)), (0, vec![]), "{report}");
        assert_eq!(
            report["summary"]["ignored"], 1,
            "gitignored: {settings_gitignored}: {report}"
        );
    }
}

#[test]
fn lorem_ipsum_after_an_escaped_newline_is_still_filler() {
    let repo = Repo::new();
    repo.write(
        "src/intro.js",
        "export const intro = \"Welcome to the service.\\n\\nLorem ipsum, more to follow.\";\n",
    )
    .write(
        "app/help.py",
        "HELP = 'Read this first.\\tDolor sit amet'\n",
    )
    // Its twin: an escape before a word that only starts like the filler.
    .write(
        "src/outro.js",
        "export const outro = \"Goodbye.\\n\\nLoremaster ipsumfield\";\n",
    );
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &["--fail-on", "warning"]);
    let lorem: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f.0 == "data/lorem-ipsum")
        .collect();
    assert_eq!(
        lorem,
        vec![
            ("data/lorem-ipsum".into(), "app/help.py".into(), 1),
            ("data/lorem-ipsum".into(), "src/intro.js".into(), 1)
        ],
        "{report}"
    );
    assert_eq!(code, 1);
}
