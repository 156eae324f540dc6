//! Access widening (`access/…`): settings that make data public, in the files that hold them.
use crate::common::*;

fn access_findings(files: &[(&str, &str)]) -> Vec<(String, String, u64, u64)> {
    let repo = Repo::new();
    for (p, t) in files {
        repo.write(p, t);
    }
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    located(&report, "access/")
}

fn f(rule: &str, path: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    (rule.to_string(), path.to_string(), line, col)
}

#[test]
fn firestore_rules_open_to_everyone_are_found_in_the_rules_file() {
    let open = "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{db}/documents {\n    match /submissions/{id} {\n      allow read, write: if true;\n    }\n  }\n}\n";
    assert_eq!(
        access_findings(&[("firestore.rules", open)]),
        vec![f("access/firebase-open-rules", "firestore.rules", 5, 7)]
    );
    let closed = open.replace(
        "if true;",
        "if request.auth != null && request.auth.token.caseworker == true;",
    );
    assert_eq!(access_findings(&[("firestore.rules", &closed)]), vec![]);
    // Emulator rules under tests/ are test files.
    assert_eq!(access_findings(&[("tests/firestore.rules", open)]), vec![]);
}

#[test]
fn public_buckets_in_terraform() {
    let tf = "resource \"aws_s3_bucket_acl\" \"forms\" {\n  bucket = aws_s3_bucket.forms.id\n  acl    = \"public-read\"\n}\n\nresource \"aws_s3_bucket_public_access_block\" \"forms\" {\n  block_public_acls = false\n}\n\nresource \"google_storage_bucket_iam_member\" \"m\" {\n  member = \"allUsers\"\n}\n";
    assert_eq!(
        access_findings(&[("infra/storage.tf", tf)]),
        vec![
            f("access/bucket-public-acl", "infra/storage.tf", 3, 13),
            f(
                "access/public-access-block-disabled",
                "infra/storage.tf",
                7,
                3
            ),
            f("access/gcp-public-member", "infra/storage.tf", 11, 13),
        ]
    );
    let private = tf
        .replace("public-read", "private")
        .replace("= false", "= true")
        .replace("allUsers", "group:caseworkers@corp.invalid");
    assert_eq!(access_findings(&[("infra/storage.tf", &private)]), vec![]);
}

#[test]
fn sharing_with_anyone_in_code_and_a_reasoned_allow() {
    let code = "def share(drive, file_id):\n    drive.permissions().create(fileId=file_id, body={\"type\": \"anyone\", \"role\": \"reader\"}).execute()\n";
    assert_eq!(
        access_findings(&[("app/share.py", code)]),
        vec![f("access/anyone-with-link", "app/share.py", 2, 54)]
    );
    // A deliberate exception carries its reason, on the line above.
    let allowed = code.replace(
        "    drive.",
        "    # shipgate:allow(access/anyone-with-link) public press-release folder, approved by the DPO\n    drive.",
    );
    assert_eq!(access_findings(&[("app/share.py", &allowed)]), vec![]);
}

/// `--diff`: a change that widens access, or edits a file that decides access, needs a code owner.
#[test]
fn a_change_to_access_with_no_code_owner_is_unowned_change_in_diff_mode() {
    let repo = Repo::new();
    // Owners cover the app, not the infrastructure.
    repo.write(".github/CODEOWNERS", "/app/ @acme/web\n");
    repo.commit_file("app/x.py", "X = 1\n", "init");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.commit_file(
        "infra/storage.tf",
        "resource \"aws_s3_bucket_acl\" \"forms\" {\n  acl    = \"public-read\"\n}\n",
        "share the forms bucket",
    );
    repo.commit_file("firestore.rules", "rules_version = '2';\n", "rules");
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        located(&report, "access/unowned-change"),
        vec![
            f("access/unowned-change", "firestore.rules", 0, 0),
            f("access/unowned-change", "infra/storage.tf", 2, 13),
        ],
        "{report}"
    );
    // Ownership is the base branch's, as GitHub reads it: the change naming owners for what it
    // touches in its own CODEOWNERS does not make it owned.
    repo.commit_file(
        ".github/CODEOWNERS",
        "/app/ @acme/web\n/infra/ @acme/sre\n/firestore.rules @acme/sre\n/.github/ @acme/sre\n",
        "owners",
    );
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        located(&report, "access/unowned-change"),
        vec![
            f("access/unowned-change", ".github/CODEOWNERS", 0, 0),
            f("access/unowned-change", "firestore.rules", 0, 0),
            f("access/unowned-change", "infra/storage.tf", 2, 13),
        ],
        "{report}"
    );
    // The clean twin: the base branch has owners for what the change touches.
    git(repo.path(), &["checkout", "-q", "main"]);
    repo.commit_file(
        ".github/CODEOWNERS",
        "/app/ @acme/web\n/infra/ @acme/sre\n/firestore.rules @acme/sre\n/.github/ @acme/sre\n",
        "owners on main",
    );
    git(repo.path(), &["checkout", "-q", "feature"]);
    let (_, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(
        located(&report, "access/unowned-change"),
        vec![],
        "{report}"
    );
    // A whole-tree run has no change to judge.
    git(repo.path(), &["checkout", "-q", "main"]);
    repo.write(".github/CODEOWNERS", "/app/ @acme/web\n");
    repo.write("infra/storage.tf", "acl = \"public-read\"\n");
    let (_, report) = check_json(repo.path(), &[]);
    assert_eq!(
        located(&report, "access/unowned-change"),
        vec![],
        "{report}"
    );
}
