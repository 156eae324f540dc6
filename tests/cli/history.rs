//! Git history evidence, `--diff`, shallow clones and the pre-push hook, on real repositories built with
//! the git CLI (merges, squash subjects, trailers, bare remotes, real pushes).
use crate::common::*;

fn short(sha: &str) -> String {
    sha[..7].to_string()
}

fn commit_name(sha: &str) -> String {
    format!("commit {}", short(sha))
}

/// A repository whose `main` has one commit of every kind of arrival.
struct Story {
    repo: Repo,
    direct: String,
    self_review: String,
    bot: String,
    self_merge: String,
}

fn story() -> Story {
    let repo = Repo::new();
    repo.commit_file("README.md", "# service\n", "init"); // root: exempt
    let direct = repo.commit_file("app/a.py", "A = 1\n", "hotfix straight to main");
    repo.commit_file("app/b.py", "B = 1\n", "Add b (#12)"); // squash merge
                                                            // GitHub's merge title kept on a squashed merge.
    repo.commit_file(
        "app/b2.py",
        "B2 = 1\n",
        "Merge pull request #13 from dev/b2",
    );
    repo.commit_file(
        "app/c.py",
        "C = 1\n",
        "Add c\n\nReviewed-by: Rev Iewer <rev@corp.invalid>\n",
    );
    repo.commit_file(
        "app/g.py",
        "G = 1\n",
        "Add g\n\nReviewed-on: https://review.corp.invalid/c/42\n",
    );
    let self_review = repo.commit_file(
        "app/d.py",
        "D = 1\n",
        "Add d\n\nReviewed-by: Dev One <dev1@corp.invalid>\n",
    );
    let bot = repo.commit_file_as(
        (
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com",
        ),
        "requirements.txt",
        "flask==3.0.3\n",
        "Bump flask from 3.0.2 to 3.0.3",
    );
    // A pull request by someone else, merged locally by Dev One: reviewed by the act of merging.
    let p = repo.path();
    git(p, &["checkout", "-q", "-b", "feature/e"]);
    repo.commit_file_as(REVIEWER, "app/e.py", "E = 1\n", "Add e");
    repo.commit_file_as(REVIEWER, "app/e2.py", "E2 = 1\n", "Add e2");
    git(p, &["checkout", "-q", "main"]);
    git(
        p,
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature/e",
            "-m",
            "Merge branch 'feature/e'",
        ],
    );
    // A branch Rev Iewer started and Dev One finished, merged by Dev One: someone else wrote part of it.
    git(p, &["checkout", "-q", "-b", "feature/h"]);
    repo.commit_file_as(REVIEWER, "app/h.py", "H = 1\n", "Add h");
    repo.commit_file("app/h2.py", "H2 = 1\n", "Finish h");
    git(p, &["checkout", "-q", "main"]);
    git(
        p,
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature/h",
            "-m",
            "Merge branch 'feature/h'",
        ],
    );
    // Dev One merging Dev One's own branch with nobody else involved.
    git(p, &["checkout", "-q", "-b", "feature/f"]);
    repo.commit_file("app/f.py", "F = 1\n", "Add f");
    git(p, &["checkout", "-q", "main"]);
    git(
        p,
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature/f",
            "-m",
            "Merge branch 'feature/f'",
        ],
    );
    let self_merge = git(p, &["rev-parse", "HEAD"]);
    Story {
        repo,
        direct,
        self_review,
        bot,
        self_merge,
    }
}

#[test]
fn direct_pushes_and_self_merges_are_found_and_reviewed_arrivals_are_not() {
    let s = story();
    let (code, report) = check_json(s.repo.path(), &[]);
    assert_eq!(code, 1, "{report}");
    let scope = "git:branch main".to_string();
    let mut expected: Vec<(String, String, String)> = [
        ("review/direct-push", &s.bot),
        ("review/direct-push", &s.direct),
        ("review/self-merged", &s.self_merge),
        ("review/direct-push", &s.self_review),
    ]
    .iter()
    .map(|(rule, sha)| (rule.to_string(), scope.clone(), commit_name(sha)))
    .collect();
    expected.sort_by(|a, b| a.2.cmp(&b.2));
    assert_eq!(setting_findings(&report), expected, "{report}");
    let direct = report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["evidence"] == s.direct.as_str()))
        .cloned()
        .unwrap_or_default();
    let message = direct["message"].as_str().unwrap_or("");
    for part in [
        "direct push to main",
        &short(&s.direct),
        "\"hotfix straight to main\"",
        "Dev One <dev1@corp.invalid>",
    ] {
        assert!(message.contains(part), "{message} lacks {part}");
    }
    assert_eq!(report["deployment_branches"][0]["name"], "main");
    assert_eq!(report["deployment_branches"][0]["ref"], "refs/heads/main");
    assert_eq!(report["deployment_branches"][0]["complete"], true);
    // root + 7 single commits + 3 merges on the first-parent line; the merged commits are not on it.
    assert_eq!(report["deployment_branches"][0]["commits_examined"], 11);

    let r = run(&["check", "--offline"], s.repo.path());
    assert!(
        r.stdout
            .contains("deployment branches: main (11 commits examined)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("self-merged into main"), "{}", r.stdout);
}

#[test]
fn bots_can_be_exempted_and_rules_configured_as_usual() {
    let s = story();
    s.repo.write(
        "shipgate.toml",
        "[history]\nexempt-authors = [\"dependabot[bot]\"]\n[rules]\n\"review/self-merged\" = \"warning\"\n",
    );
    let (code, report) = check_json(s.repo.path(), &[]);
    assert_eq!(code, 1);
    let found = setting_findings(&report);
    assert!(
        !found.iter().any(|f| f.2 == commit_name(&s.bot)),
        "{found:?}"
    );
    let self_merged: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "review/self-merged")
        .collect();
    assert_eq!(self_merged.len(), 1);
    assert_eq!(self_merged[0]["severity"], "warning");

    // Everything off but the self-merge warning: passes at the default fail-on.
    s.repo.write(
        "shipgate.toml",
        "[rules]\n\"review/direct-push\" = \"off\"\n\"review/self-merged\" = \"warning\"\n",
    );
    assert_eq!(check_json(s.repo.path(), &[]).0, 0);
}

#[test]
fn the_window_limits_how_far_back_the_walk_goes() {
    let s = story();
    // The last two first-parent commits are the two merges: one self-merged, no direct pushes.
    s.repo
        .write("shipgate.toml", "[history]\nmax-commits = 2\n");
    let (_, report) = check_json(s.repo.path(), &[]);
    assert_eq!(
        setting_findings(&report)
            .into_iter()
            .map(|f| f.0)
            .collect::<Vec<_>>(),
        vec!["review/self-merged".to_string()]
    );
    assert_eq!(report["deployment_branches"][0]["commits_examined"], 2);
    assert_eq!(report["deployment_branches"][0]["complete"], false);
    // Every commit was made just now: a date in the future leaves nothing to judge.
    s.repo
        .write("shipgate.toml", "[history]\nsince = \"2999-01-01\"\n");
    let (code, report) = check_json(s.repo.path(), &[]);
    assert_eq!((code, setting_findings(&report).len()), (0, 0), "{report}");
}

fn branch_names(report: &serde_json::Value) -> Vec<String> {
    report["deployment_branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect()
}

/// A commit on `branch` (created from its current tip, or `main`) with the same tree, committed at
/// `secs` (Unix time) by Dev One, without touching the work tree.
fn commit_at(repo: &Repo, branch: &str, secs: i64, message: &str) -> String {
    let git = git2::Repository::open(repo.path()).unwrap();
    let parent = git
        .find_reference(&format!("refs/heads/{branch}"))
        .or_else(|_| git.find_reference("refs/heads/main"))
        .and_then(|r| r.peel_to_commit())
        .unwrap();
    let sig = git2::Signature::new(DEV.0, DEV.1, &git2::Time::new(secs, 0)).unwrap();
    let id = git
        .commit(
            Some(&format!("refs/heads/{branch}")),
            &sig,
            &sig,
            message,
            &parent.tree().unwrap(),
            &[&parent],
        )
        .unwrap();
    id.to_string()
}

#[test]
fn deployment_branches_come_from_config_or_the_default_branch_and_deploy_workflows() {
    let repo = Repo::new();
    repo.commit_file("README.md", "# x\n", "init");
    let p = repo.path();
    for b in [
        "release/1.0",
        "release-issue-template",
        "develop",
        "production",
        "hotfix-ci",
    ] {
        git(p, &["branch", b]);
    }
    // Library maintenance branches and look-alike names are not deployment branches by default.
    let (_, report) = check_json(p, &[]);
    assert_eq!(branch_names(&report), vec!["main", "production"]);

    // A deploy workflow names the branches it deploys from; a CI workflow does not.
    repo.write(
        ".github/workflows/cd.yml",
        "on:\n  push:\n    branches: ['release/**']\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: ./ship.sh\n",
    )
    .write(
        ".github/workflows/ci.yml",
        "on:\n  push:\n    branches: [hotfix-ci]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n",
    );
    let (_, report) = check_json(p, &[]);
    assert_eq!(
        branch_names(&report),
        vec!["main", "production", "release/1.0"]
    );

    repo.write(
        "shipgate.toml",
        "[branches]\ndeploy = [\"develop\", \"live/*\"]\n",
    );
    let (code, report) = check_json(p, &[]);
    assert_eq!(code, 0);
    assert_eq!(branch_names(&report), vec!["develop"]);
    let ne = report["not_evaluated"].to_string();
    assert!(
        ne.contains("deployment branch pattern `live/*` in `[branches] deploy`: matches no branch"),
        "{ne}"
    );
}

#[test]
fn stale_deployment_branches_are_not_examined_and_the_default_window_is_90_days() {
    let repo = Repo::new();
    repo.commit_file("README.md", "# x\n", "init");
    // `live` last moved in 2016: a direct push then is outside any default window.
    let old = commit_at(&repo, "live", 1_460_000_000, "hotfix on live in 2016");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(branch_names(&report), vec!["main"]);
    let ne = report["not_evaluated"].to_string();
    assert!(
        ne.contains("deployment branch `live`")
            && ne.contains("stale: its last commit (2016-04-07)"),
        "{ne}"
    );
    // An old direct push on main is outside the default 90-day window too.
    commit_at(&repo, "main", 1_460_000_000, "old hotfix on main");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert!(!report["findings"].to_string().contains(&old[..7]));
    // A window reaching back that far examines both, and finds both direct pushes.
    repo.write("shipgate.toml", "[history]\nsince = \"2016-01-01\"\n");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(branch_names(&report), vec!["main", "live"]);
}

#[test]
fn a_commit_on_several_deployment_branches_is_reported_once_naming_each() {
    let repo = Repo::new();
    repo.commit_file("README.md", "# x\n", "init");
    let direct = repo.commit_file("app/a.py", "A = 1\n", "hotfix straight to main");
    let p = repo.path();
    git(p, &["branch", "production"]);
    git(p, &["branch", "prod"]);
    let (code, report) = check_json(p, &[]);
    assert_eq!(code, 1);
    assert_eq!(branch_names(&report), vec!["main", "prod", "production"]);
    let found = setting_findings(&report);
    assert_eq!(
        found,
        vec![(
            "review/direct-push".to_string(),
            "git:branch main".to_string(),
            commit_name(&direct)
        )],
        "{report:#}"
    );
    let m = message_of(&report, "review/direct-push");
    assert!(
        m.contains("direct push to main (also on prod, production):"),
        "{m}"
    );
}

#[test]
fn a_rebase_merging_history_is_one_inconclusive_warning_not_an_error_per_commit() {
    let repo = Repo::new();
    repo.commit_file("README.md", "# x\n", "init");
    // Rebase-merged pull requests: linear, no merge commits, no (#N) suffixes.
    for i in 0..12 {
        repo.commit_file_as(
            if i % 2 == 0 { DEV } else { REVIEWER },
            &format!("app/m{i}.py"),
            "X = 1\n",
            &format!("Add module {i}"),
        );
    }
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    let found = setting_findings(&report);
    assert_eq!(
        found,
        vec![(
            "review/history-inconclusive".to_string(),
            "git:branch main".to_string(),
            "review history".to_string()
        )],
        "{report:#}"
    );
    let f = &report["findings"][0];
    assert_eq!(f["severity"], "warning");
    let m = f["message"].as_str().unwrap_or("");
    assert!(
        m.contains("main: 12 of 12 commits")
            && m.contains("offline evidence is inconclusive")
            && m.contains("review/unreviewed-commit"),
        "{m}"
    );
    // Where the history does show pull requests, an unmarked commit is a direct push again.
    for i in 0..12 {
        repo.commit_file(
            "app/s.py",
            &format!("S = {i}\n"),
            &format!("Change {i} (#{})", i + 1),
        );
    }
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    let rules: Vec<String> = setting_findings(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(rules.len(), 12, "{rules:?}");
    assert!(rules.iter().all(|r| r == "review/direct-push"), "{rules:?}");
}

#[test]
fn without_git_history_is_not_evaluated_unless_required() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
    let (code, report) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report["not_evaluated"]
            .to_string()
            .contains("review history of deployment branches (review/direct-push, review/self-merged): not a git repository"),
        "{report}"
    );
    assert_eq!(report["deployment_branches"], serde_json::json!([]));

    std::fs::write(
        dir.path().join("shipgate.toml"),
        "[history]\nrequire = true\n",
    )
    .unwrap();
    let (code, report) = check_json(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(report["findings"][0]["rule"], "gate/history-unavailable");
    assert_eq!(report["result"], "error");
}

#[test]
fn a_shallow_clone_fails_closed_with_the_fix_unless_allowed() {
    let s = story();
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", s.repo.path().display());
    let dest = shallow.path().join("c");
    git(shallow.path(), &["clone", "-q", "--depth", "1", &url, "c"]);

    let r = run(&["check", "--offline"], &dest);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    for part in [
        "gate/shallow-clone",
        "the history of main is missing",
        "review/direct-push",
        "fetch-depth: 0",
        "git fetch --unshallow",
        "allow-shallow = true",
    ] {
        assert!(r.stdout.contains(part), "lacks {part}:\n{}", r.stdout);
    }

    std::fs::write(
        dest.join("shipgate.toml"),
        "[history]\nallow-shallow = true\n",
    )
    .unwrap();
    let (code, report) = check_json(&dest, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report["not_evaluated"]
            .to_string()
            .contains("shallow clone, accepted by `[history] allow-shallow = true`"),
        "{report}"
    );
    std::fs::write(dest.join("app/leak.py"), "ADMIN = 'admin@example.com'\n").unwrap();
    assert_eq!(
        check_json(&dest, &[]).0,
        1,
        "file checks still fail the gate"
    );
}

/// main has a leak already (and direct pushes); `feature` adds one more line with a leak and a new file.
fn diff_repo() -> Repo {
    let repo = Repo::new();
    repo.commit_file("README.md", "# x\n", "init");
    repo.commit_file(
        "app/settings.py",
        "ADMIN = 'admin@example.com'\nTIMEOUT = 5\n",
        "settings",
    );
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo
}

#[test]
fn diff_fails_only_on_what_the_change_introduces() {
    let repo = diff_repo();
    let p = repo.path();
    // A change that adds nothing bad passes, with the old finding counted.
    repo.commit_file(
        "app/settings.py",
        "ADMIN = 'admin@example.com'\nTIMEOUT = 10\n",
        "longer timeout",
    );
    let (code, report) = check_json(p, &["--diff", "main"]);
    assert_eq!(code, 0, "{report}");
    assert!(findings(&report).is_empty(), "{report}");
    assert!(
        report["summary"]["pre_existing"].as_u64().unwrap() >= 2,
        "{report}"
    );
    assert_eq!(report["diff"]["base"], "main");
    assert_eq!(report["diff"]["files_changed"], 1);
    let r = run(&["check", "--offline", "--diff", "main"], p);
    assert!(
        r.stdout.contains("pre-existing findings not failed on"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("diff: main...HEAD (merge base"),
        "{}",
        r.stdout
    );

    // A new leak on an added line, and one in a new (even uncommitted, untracked) file, fail it.
    repo.commit_file(
        "app/settings.py",
        "ADMIN = 'admin@example.com'\nTIMEOUT = 10\nSUPPORT = 'help@example.org'\n",
        "support address",
    );
    repo.write("app/new.py", "OWNER = 'owner@example.net'\n");
    let (code, report) = check_json(p, &["--diff", "main"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        vec![
            (
                "data/reserved-email".to_string(),
                "app/new.py".to_string(),
                1
            ),
            (
                "data/reserved-email".to_string(),
                "app/settings.py".to_string(),
                3
            ),
        ]
    );

    // `--diff` with no value: the default branch, locally.
    let (code, report) = check_json(p, &["--diff"]);
    assert_eq!(code, 1);
    assert_eq!(report["diff"]["base"], "main");
}

#[test]
fn diff_with_an_unknown_base_is_a_clear_error() {
    let repo = diff_repo();
    let r = run(
        &["check", "--offline", "--diff", "origin/nope"],
        repo.path(),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot read base `origin/nope`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("git fetch origin nope"), "{}", r.stderr);
    // `--diff .` reads `.` as the base; the help says how to write it.
    let r = run(&["check", "--offline", "--diff", "."], repo.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("put the path first"), "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["check", "--offline", "--diff", "main"], dir.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("needs a git repository"), "{}", r.stderr);
}

#[test]
fn diff_auto_in_github_actions_uses_the_pull_request_base_or_checks_everything() {
    let remote = Remote::new();
    let p = remote.clone.path();
    remote
        .clone
        .commit_file("app/old.py", "A = 'a@example.com'\n", "old leak");
    git(p, &["push", "-q", "--no-verify", "origin", "main"]);
    git(p, &["checkout", "-q", "-b", "feature"]);
    remote
        .clone
        .commit_file("app/new.py", "B = 'b@example.com'\n", "new leak");
    let actions = |base: &str| {
        let out = shipgate(&["check", "--offline", "--format", "json", "--diff"], p)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_BASE_REF", base)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), v)
    };
    let (code, report) = actions("main");
    assert_eq!(code, Some(1));
    assert_eq!(report["diff"]["base"], "origin/main");
    assert_eq!(
        findings(&report),
        vec![(
            "data/reserved-email".to_string(),
            "app/new.py".to_string(),
            1
        )]
    );
    // A push event has no base: everything is checked.
    let (_, report) = actions("");
    assert_eq!(report["diff"]["base"], serde_json::Value::Null);
    let files: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| !f.1.is_empty())
        .collect();
    assert_eq!(files.len(), 2, "{report}");
    assert_eq!(report["summary"]["pre_existing"], 0);
}

// ---------------------------------------------------------------------------------------- the hook

fn install(remote: &Remote, extra: &[&str]) -> Run {
    let mut args = vec!["hook", "install"];
    args.extend_from_slice(extra);
    run(&args, remote.clone.path())
}

#[test]
fn the_hook_refuses_direct_pushes_and_deletion_of_main_and_allows_clean_branches() {
    let remote = Remote::new();
    let p = remote.clone.path();
    let r = install(&remote, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("installed the shipgate pre-push hook"),
        "{}",
        r.stdout
    );
    let before = remote.remote_head("main");

    // A direct push of a leak to main: refused, for both reasons, naming the ref and the fix.
    remote.clone.commit_file(
        "app/leak.py",
        "x = 1\nADMIN = 'admin@example.com'\n",
        "quick fix",
    );
    let r = remote.push(&["origin", "main"]);
    assert_ne!(r.code, 0, "the push went through:\n{}", r.stderr);
    for part in [
        "push to origin refused",
        "refs/heads/main: direct push to deployment branch `main` (1 commit not yet on origin)",
        "open a pull request",
        "app/leak.py:2:10",
        "data/reserved-email",
    ] {
        assert!(r.stderr.contains(part), "lacks {part}:\n{}", r.stderr);
    }
    assert_eq!(
        remote.remote_head("main"),
        before,
        "main must not have moved"
    );

    // Deleting main: refused.
    let r = remote.push(&["origin", "--delete", "main"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("refs/heads/main: deleting a deployment branch"),
        "{}",
        r.stderr
    );
    assert!(remote.remote_head("main").is_some());

    // A clean feature branch: allowed.
    git(p, &["reset", "-q", "--hard", "origin/main"]);
    git(p, &["checkout", "-q", "-b", "feature/clean"]);
    remote
        .clone
        .commit_file("app/ok.py", "TIMEOUT = 5\n", "clean change");
    let r = remote.push(&["origin", "feature/clean"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("nothing to refuse"), "{}", r.stderr);
    assert!(remote.remote_head("feature/clean").is_some());

    // Cutting a release branch from what main already has on the remote: nothing unreviewed, allowed.
    git(p, &["branch", "release/1.0", "origin/main"]);
    let r = remote.push(&["origin", "release/1.0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // An annotated release tag (a tag object, not a commit) on reviewed code: allowed.
    git(
        p,
        &["tag", "-a", "v1.0", "-m", "release 1.0", "origin/main"],
    );
    let r = remote.push(&["origin", "v1.0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_hook_refuses_a_feature_branch_that_adds_a_leak_with_file_and_line() {
    let remote = Remote::new();
    let p = remote.clone.path();
    // A leak already on main is not this push's doing.
    remote
        .clone
        .commit_file("app/old.py", "A = 'a@example.com'\n", "old");
    git(p, &["push", "-q", "--no-verify", "origin", "main"]);
    assert_eq!(install(&remote, &[]).code, 0);
    git(p, &["checkout", "-q", "-b", "feature/leak"]);
    remote.clone.commit_file(
        "app/service.py",
        "def handler():\n    pass\nSUPPORT = 'help@example.com'\n",
        "add service",
    );
    let r = remote.push(&["origin", "feature/leak"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("refs/heads/feature/leak: the pushed commits add 1 finding"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("app/service.py:3:12"), "{}", r.stderr);
    assert!(!r.stderr.contains("app/old.py"), "{}", r.stderr);
    assert_eq!(remote.remote_head("feature/leak"), None);

    // Fixed in a follow-up commit: the range's net change is clean, the push goes through.
    remote.clone.commit_file(
        "app/service.py",
        "def handler():\n    pass\nSUPPORT = settings.SUPPORT\n",
        "read it from settings",
    );
    let r = remote.push(&["origin", "feature/leak"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // An existing branch: only the new range is scanned.
    remote
        .clone
        .commit_file("app/more.py", "X = 'x@example.com'\n", "more");
    let r = remote.push(&["origin", "feature/leak"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("app/more.py:1:6"), "{}", r.stderr);
    assert!(!r.stderr.contains("app/service.py"), "{}", r.stderr);
}

#[test]
fn the_hook_resolves_leaks_against_the_pushed_tree_and_its_unchanged_facts() {
    let remote = Remote::new();
    let p = remote.clone.path();
    // On main already: a fixture, and a Rust test module that declares itself test-only.
    remote
        .clone
        .commit_file("tests/fixtures/users.py", "USERS = []\n", "fixtures");
    remote.clone.commit_file(
        "src/tests.rs",
        "#![cfg(test)]\n#[test]\nfn t() {}\n",
        "rust tests",
    );
    remote.clone.commit_file(
        "src/jobs/tests.rs",
        "pub fn helper() {}\n",
        "a test module that does not say so",
    );
    git(p, &["push", "-q", "--no-verify", "origin", "main"]);
    assert_eq!(install(&remote, &[]).code, 0);
    git(p, &["checkout", "-q", "-b", "feature/rust"]);
    // `mod tests;` without #[cfg(test)] is fine only because src/tests.rs (unchanged) says #![cfg(test)].
    remote
        .clone
        .commit_file("src/lib.rs", "pub fn f() {}\nmod tests;\n", "lib");
    let r = remote.push(&["origin", "feature/rust"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Its twin: src/jobs/tests.rs (also unchanged) does not, so `mod tests;` compiles it into the product.
    remote
        .clone
        .commit_file("src/jobs.rs", "pub fn run() {}\nmod tests;\n", "jobs");
    let r = remote.push(&["origin", "feature/rust"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("src/jobs.rs:2"), "{}", r.stderr);
    assert!(!r.stderr.contains("src/lib.rs"), "{}", r.stderr);

    // Production code importing the fixture that is only in the pushed tree, not in the push: refused.
    git(p, &["checkout", "-q", "-b", "feature/leak", "origin/main"]);
    remote.clone.commit_file(
        "app/service.py",
        "import os\nfrom tests.fixtures.users import USERS\n",
        "service",
    );
    let r = remote.push(&["origin", "feature/leak"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    for part in [
        "app/service.py:2:6",
        "leak/fixture-import",
        "imports `tests/fixtures/users.py`",
    ] {
        assert!(r.stderr.contains(part), "lacks {part}:\n{}", r.stderr);
    }
    assert_eq!(remote.remote_head("feature/leak"), None);
}

#[test]
fn the_hook_can_allow_direct_pushes_by_config() {
    let remote = Remote::new();
    assert_eq!(install(&remote, &[]).code, 0);
    remote.clone.commit_file(
        "shipgate.toml",
        "[hook]\nallow-direct-push = true\n",
        "policy",
    );
    // A push cannot grant itself the exception: the hook judges it by the remote's policy.
    let r = remote.push(&["origin", "main"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("gate/policy-changed"), "{}", r.stderr);
    // Once the policy is on the remote (merged through review), direct pushes are allowed.
    let r = remote.push(&["--no-verify", "origin", "main"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    git(remote.clone.path(), &["fetch", "-q", "origin"]);
    remote.clone.commit_file("notes.md", "# notes\n", "notes");
    let r = remote.push(&["origin", "main"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn install_never_clobbers_a_hook_it_did_not_write_and_chains_or_restores_it() {
    let remote = Remote::new();
    let p = remote.clone.path();
    let hooks = p.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let theirs = "#!/bin/sh\ncat > \"$(git rev-parse --git-dir)/their-hook-saw\"\nexit 0\n";
    std::fs::write(hooks.join("pre-push"), theirs).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            hooks.join("pre-push"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }

    let r = install(&remote, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("was not written by shipgate"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--chain"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        theirs
    );

    // --chain: theirs runs first (and sees the same ref lines), then shipgate.
    let r = install(&remote, &["--chain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push.local")).unwrap(),
        theirs
    );
    git(p, &["checkout", "-q", "-b", "feature/x"]);
    remote.clone.commit_file("app/x.py", "X = 1\n", "x");
    let r = remote.push(&["origin", "feature/x"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let saw = std::fs::read_to_string(p.join(".git/their-hook-saw")).unwrap();
    assert!(saw.starts_with("refs/heads/feature/x "), "{saw}");
    assert!(
        r.stderr.contains("nothing to refuse"),
        "shipgate ran too:\n{}",
        r.stderr
    );

    // Uninstall puts theirs back.
    let r = run(&["hook", "uninstall"], p);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("restored your previous hook"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        theirs
    );
    assert!(!hooks.join("pre-push.local").exists());
    // ...and refuses to remove a hook it did not write.
    let r = run(&["hook", "uninstall"], p);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("was not written by shipgate; leaving it alone"),
        "{}",
        r.stderr
    );

    // --force replaces it.
    let r = install(&remote, &["--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read_to_string(hooks.join("pre-push"))
        .unwrap()
        .contains("# shipgate-managed pre-push hook"));
    let r = run(&["hook", "uninstall"], p);
    assert_eq!(r.code, 0);
    assert!(!hooks.join("pre-push").exists());
}

#[test]
fn install_honours_core_hooks_path() {
    let remote = Remote::new();
    let p = remote.clone.path();
    git(p, &["config", "core.hooksPath", ".githooks"]);
    let r = install(&remote, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(p.join(".githooks/pre-push").is_file());
    assert!(!p.join(".git/hooks/pre-push").exists());
    remote.clone.commit_file("app/y.py", "Y = 1\n", "y");
    let r = remote.push(&["origin", "main"]);
    assert_ne!(
        r.code, 0,
        "the hook in core.hooksPath must run:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("direct push to deployment branch `main`"),
        "{}",
        r.stderr
    );
}

#[test]
fn pre_push_rejects_garbage_input_and_runs_outside_a_hook() {
    let remote = Remote::new();
    let p = remote.clone.path();
    let run_with = |input: &str| -> Run {
        use std::io::Write;
        let mut child = shipgate(&["hook", "pre-push", "origin", "url"], p)
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
    };
    let r = run_with("not a ref line\n");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unexpected pre-push input line"),
        "{}",
        r.stderr
    );
    let r = run_with("");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn pre_push_reads_the_pre_commit_frameworks_variables() {
    let remote = Remote::new();
    let p = remote.clone.path();
    let before = git(p, &["rev-parse", "HEAD"]);
    let after = remote
        .clone
        .commit_file("app/x.py", "X = 'x@example.com'\n", "x");
    let r: Run = shipgate(&["hook", "pre-push"], p)
        .env("PRE_COMMIT_FROM_REF", &before)
        .env("PRE_COMMIT_TO_REF", &after)
        .env("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
        .env("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
        .env("PRE_COMMIT_REMOTE_NAME", "origin")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("direct push to deployment branch `main`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("app/x.py:1:6"), "{}", r.stderr);
    // The repository's own hook definition for the framework runs exactly this command.
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    assert!(yaml.contains("entry: shipgate hook pre-push") && yaml.contains("stages: [pre-push]"));
}
