//! CODEOWNERS: each `owners/…` finding on a real repository, at its exact line and column, next to the
//! clean twin that does not produce it.
use crate::common::*;

/// A bare repository (no governance files) with some sensitive paths and the given CODEOWNERS.
fn repo_with(codeowners: Option<&str>) -> Repo {
    let repo = Repo::bare();
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs: {}\n",
    )
    .write("Dockerfile", "FROM scratch\n")
    .write("db/migrations/0001_init.sql", "create table t (id int);\n")
    .write("src/app.py", "x = 1\n")
    .write(
        "CONTRIBUTING.md",
        "## Testing\nrun the tests\n## Review\n## Deploying\n",
    )
    .write(".github/pull_request_template.md", "tested?\n");
    if let Some(text) = codeowners {
        repo.write(".github/CODEOWNERS", text);
    }
    repo.commit("c");
    repo
}

fn owners_findings(repo: &Repo) -> Vec<(String, String, u64, u64)> {
    let (_, report) = check_json(repo.path(), &[]);
    located(&report, "owners/")
}

fn f(rule: &str, path: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, col)
}

#[test]
fn no_codeowners_is_one_warning_saying_what_it_would_protect() {
    let repo = repo_with(None);
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "a warning does not fail the default gate");
    assert_eq!(
        located(&report, "owners/"),
        vec![f("owners/missing", "", 0, 0)]
    );
    let msg = message_of(&report, "owners/missing");
    for what in [
        "CI workflow files (1)",
        "Dockerfiles",
        "database migrations",
    ] {
        assert!(msg.contains(what), "{msg}");
    }
    // Clean twin: one owner for everything.
    assert_eq!(owners_findings(&repo_with(Some("* @acme/all\n"))), vec![]);
}

#[test]
fn an_invalid_owner_is_an_error_on_the_owner_and_the_line_owns_nothing() {
    let repo = repo_with(Some("* @acme/all\n/db/ dba-team\n"));
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&report, "owners/"),
        vec![f("owners/invalid-owner", ".github/CODEOWNERS", 2, 6)]
    );
    assert_eq!(
        owners_findings(&repo_with(Some("* @acme/all\n/db/ @acme/dba\n"))),
        vec![]
    );
}

#[test]
fn patterns_github_does_not_support_are_errors_on_the_pattern() {
    let text = "* @acme/all\n  *.[ch] @acme/c\n!Dockerfile @acme/ops\n/ @acme/root\n";
    let found = owners_findings(&repo_with(Some(text)));
    assert_eq!(
        found,
        vec![
            f("owners/unsupported-pattern", ".github/CODEOWNERS", 2, 3),
            f("owners/unsupported-pattern", ".github/CODEOWNERS", 3, 1),
            f("owners/unsupported-pattern", ".github/CODEOWNERS", 4, 1),
        ]
    );
    let clean = "* @acme/all\n*.py @acme/py\n/Dockerfile @acme/ops\n";
    assert_eq!(owners_findings(&repo_with(Some(clean))), vec![]);
}

#[test]
fn a_pattern_matching_no_file_is_a_warning() {
    let found = owners_findings(&repo_with(Some("* @acme/all\n/deploy/helm/ @acme/sre\n")));
    assert_eq!(
        found,
        vec![f(
            "owners/pattern-matches-nothing",
            ".github/CODEOWNERS",
            2,
            1
        )]
    );
    assert_eq!(
        owners_findings(&repo_with(Some("* @acme/all\n/db/ @acme/sre\n"))),
        vec![]
    );
}

#[test]
fn a_rule_always_overridden_by_a_later_one_is_shadowed() {
    let (_, report) = check_json(repo_with(Some("/db/ @acme/dba\n* @acme/all\n")).path(), &[]);
    assert_eq!(
        located(&report, "owners/"),
        vec![f("owners/shadowed-rule", ".github/CODEOWNERS", 1, 1)]
    );
    assert!(message_of(&report, "owners/shadowed-rule").contains("line 2 `*`"));
    // Clean twin: general first, specific last.
    assert_eq!(
        owners_findings(&repo_with(Some("* @acme/all\n/db/ @acme/dba\n"))),
        vec![]
    );
    // A line repeated with the same owners (in any order or case) loses no reviewer: a duplicate, not
    // a shadowed rule. The twin: the repeat names one owner fewer, and that owner loses the review.
    assert_eq!(
        owners_findings(&repo_with(Some(
            "* @acme/all\n/db/ @acme/dba @acme/sre\n/db/ @Acme/SRE @acme/dba\n"
        ))),
        vec![]
    );
    assert_eq!(
        owners_findings(&repo_with(Some(
            "* @acme/all\n/db/ @acme/dba @acme/sre\n/db/ @acme/dba\n"
        ))),
        vec![f("owners/shadowed-rule", ".github/CODEOWNERS", 2, 1)]
    );
}

#[test]
fn sensitive_paths_without_an_owner_are_reported_per_kind_on_the_first_file() {
    let (_, report) = check_json(repo_with(Some("/src/ @acme/dev\n")).path(), &[]);
    assert_eq!(
        located(&report, "owners/"),
        vec![
            f("owners/unowned-sensitive-path", ".github/CODEOWNERS", 1, 1),
            f(
                "owners/unowned-sensitive-path",
                ".github/workflows/ci.yml",
                1,
                1
            ),
            f("owners/unowned-sensitive-path", "Dockerfile", 1, 1),
            f(
                "owners/unowned-sensitive-path",
                "db/migrations/0001_init.sql",
                1,
                1
            ),
        ]
    );
    // A later rule with no owners un-owns: the message names it.
    let (_, report) = check_json(
        repo_with(Some("* @acme/all\n/.github/workflows/\n")).path(),
        &[],
    );
    assert_eq!(
        located(&report, "owners/"),
        vec![f(
            "owners/unowned-sensitive-path",
            ".github/workflows/ci.yml",
            1,
            1
        )]
    );
    assert!(
        message_of(&report, "owners/unowned-sensitive-path")
            .contains("line 2 `/.github/workflows/` matches it with no owners"),
        "{report}"
    );
}

#[test]
fn only_the_first_codeowners_counts_and_the_others_are_reported() {
    let repo = repo_with(Some("* @acme/all\n"));
    repo.write("docs/CODEOWNERS", "* @someone-else\n");
    repo.commit("second copy");
    assert_eq!(
        owners_findings(&repo),
        vec![f("owners/ignored-file", "docs/CODEOWNERS", 1, 1)]
    );
}

#[test]
fn a_codeowners_file_github_will_not_load_is_an_error() {
    let repo = repo_with(None);
    let big = "/src/a.py @acme/dev\n".repeat(3 * 1024 * 1024 / 20 + 10);
    repo.write(".github/CODEOWNERS", &big);
    let (code, report) = check_json(repo.path(), &["--fail-on", "error"]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&report, "owners/"),
        vec![f("owners/too-large", ".github/CODEOWNERS", 1, 1)]
    );
}

#[test]
fn explain_says_why_with_the_incidents() {
    let r = run(
        &["explain", "owners/unowned-sensitive-path"],
        &std::env::temp_dir(),
    );
    assert_eq!(r.code, 0);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("MOPAC") && text.contains("police national database"),
        "{text}"
    );
}

/// Issue 23: `owners/missing` named cookie-policy pages "access-control files" — "policy" names the pages a
/// service publishes as often as an access policy. Pages are not access control; a bucket policy is.
#[test]
fn cookie_and_privacy_policy_pages_are_not_access_control_files() {
    let repo = Repo::bare();
    repo.write(
        "app/views/pages/cookie_policy.html.erb",
        "<h1>Cookies</h1>\n",
    )
    .write(
        "src/pages/cookies-policy.tsx",
        "export default () => null;\n",
    )
    .write("app/templates/privacy-policy.njk", "<h1>Privacy</h1>\n")
    // A browser script about permissions shows access; the server decides it.
    .write(
        "caseworker/assets/javascripts/flags-permission-hints.js",
        "export const hint = 'x';\n",
    )
    .write("src/app.py", "x = 1\n");
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    let msg = message_of(&report, "owners/missing");
    assert!(!msg.is_empty(), "{report}");
    assert!(!msg.contains("access-control"), "{msg}");
    // Twin: an access policy still is one.
    repo.write("config/bucket-policy.json", "{\"Statement\": []}\n");
    repo.commit("bucket policy");
    let (_, report) = check_json(repo.path(), &[]);
    let msg = message_of(&report, "owners/missing");
    assert!(msg.contains("access-control files (1)"), "{msg}");
}
