//! Test helpers: real git repositories in a temp dir, and the real binary run with a scrubbed environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Repo {
    pub dir: tempfile::TempDir,
    pub git: git2::Repository,
}

/// What every well-run repository has, so tests of other rules see only their own findings: a CODEOWNERS
/// owning everything, a CONTRIBUTING.md saying how code is tested, reviewed and deployed, and a PR template.
pub const GOVERNANCE: &[(&str, &str)] = &[
    (".github/CODEOWNERS", "* @acme/maintainers\n"),
    (
        "CONTRIBUTING.md",
        "# Contributing\n\n## Testing\nRun the test suite.\n\n## Code review\nOne approval.\n\n## Deployment\nMerges to main deploy.\n",
    ),
    (".github/pull_request_template.md", "## How was this tested?\n"),
];

impl Repo {
    /// A git repository on branch `main` holding only the `GOVERNANCE` files (not committed).
    pub fn new() -> Repo {
        let repo = Repo::bare();
        for (path, text) in GOVERNANCE {
            repo.write(path, text);
        }
        repo
    }

    /// An empty git repository on branch `main`: no CODEOWNERS, no process documents.
    pub fn bare() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let git = git2::Repository::init_opts(dir.path(), &opts).expect("git init");
        Repo { dir, git }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file (creating directories) without committing.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
        self
    }

    /// Stage everything and commit it as `author` on the current branch.
    pub fn commit(&self, message: &str) -> git2::Oid {
        self.commit_as(message, "Dev One", "dev1@corp.invalid")
    }

    pub fn commit_as(&self, message: &str, name: &str, email: &str) -> git2::Oid {
        let mut index = self.git.index().expect("index");
        index
            .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.write().expect("index write");
        let tree = self
            .git
            .find_tree(index.write_tree().expect("tree"))
            .expect("find tree");
        let sig = git2::Signature::now(name, email).expect("sig");
        let parents: Vec<git2::Commit> = self
            .git
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        self.git
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)
            .expect("commit")
    }
}

/// The shipgate binary built by cargo for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_shipgate"))
}

/// A command for the binary with a scrubbed environment: nothing from the developer's shell or CI
/// (tokens, GITHUB_*) leaks into a test.
///
/// Every `check` also writes SARIF to a scratch file that turning the output into a `Run` checks against
/// GitHub code scanning's ingestion rules and the 2.1.0 schema (`sarif_ingestion.rs`): every fixture
/// repository the tests build is a SARIF test too.
pub fn shipgate(args: &[&str], cwd: &Path) -> Command {
    let mut cmd = Command::new(bin());
    let args = crate::sarif_ingestion::with_sarif_probe(args);
    cmd.args(&args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1");
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        crate::sarif_ingestion::check_probes();
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn run(args: &[&str], cwd: &Path) -> Run {
    shipgate(args, cwd).output().expect("run shipgate").into()
}

/// `shipgate check --format json` on `dir`; returns the exit code and the parsed report.
pub fn check_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", "--offline", "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(&args, dir);
    let v: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", r.stdout, r.stderr));
    (r.code, v)
}

/// Commit `files` (path, content) into a fresh repository and gate it offline: (exit code, report).
pub fn gate_files(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    check_json(repo.path(), &[])
}

/// (rule, path, line) of each finding.
pub fn findings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    located_with_severity(report)
        .into_iter()
        .map(|(rule, path, line, _)| (rule, path, line))
        .collect()
}

/// (rule, path, line, severity) of each finding.
pub fn located_with_severity(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["location"]["path"].as_str().unwrap_or("").to_string(),
                        f["location"]["line"].as_u64().unwrap_or(0),
                        f["severity"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// (rule, path, line, column) of each finding whose rule starts with `prefix` (e.g. `"owners/"`).
pub fn located(report: &serde_json::Value, prefix: &str) -> Vec<(String, String, u64, u64)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"].as_str().unwrap_or("").starts_with(prefix))
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["location"]["path"].as_str().unwrap_or("").to_string(),
                        f["location"]["line"].as_u64().unwrap_or(0),
                        f["location"]["column"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The message of the first finding of `rule`.
pub fn message_of(report: &serde_json::Value, rule: &str) -> String {
    finding_of(report, rule)["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The first finding of `rule` (null when there is none).
pub fn finding_of(report: &serde_json::Value, rule: &str) -> serde_json::Value {
    report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == rule))
        .cloned()
        .unwrap_or(serde_json::Value::Null)
}

/// Every rule from `shipgate rules --format json`.
pub fn rule_catalogue() -> Vec<serde_json::Value> {
    let r = run(&["rules", "--format", "json"], &std::env::temp_dir());
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str::<serde_json::Value>(&r.stdout)
        .expect("rules json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Who commits in the git CLI helpers by default.
pub const DEV: (&str, &str) = ("Dev One", "dev1@corp.invalid");
pub const REVIEWER: (&str, &str) = ("Rev Iewer", "rev@corp.invalid");

/// An empty HOME shared by the git CLI helpers, so the developer's ~/.gitconfig (hooksPath, signing,
/// default branch) cannot change what a test builds.
fn git_home() -> PathBuf {
    let home = std::env::temp_dir().join("shipgate-tests-home");
    std::fs::create_dir_all(&home).expect("git home");
    home
}

/// PATH without any directory holding a `shipgate` executable: hooks under test must run the binary
/// they were installed from (their absolute-path fallback), never one installed on the machine.
pub fn path_without_shipgate() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("shipgate").exists())
        .collect();
    std::env::join_paths(dirs).expect("PATH")
}

/// The git CLI in `dir`, as `who`, with an isolated config. Returns the run without judging it.
pub fn git_cmd(dir: &Path, who: (&str, &str), args: &[&str]) -> Run {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path_without_shipgate())
        .env("HOME", git_home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("NO_COLOR", "1")
        .output()
        .expect("run git")
        .into()
}

/// The git CLI as `who`; panics with git's output if it fails. Returns stdout, trimmed.
pub fn git_as(dir: &Path, who: (&str, &str), args: &[&str]) -> String {
    let r = git_cmd(dir, who, args);
    assert_eq!(
        r.code, 0,
        "git {args:?} failed:\n{}\n{}",
        r.stdout, r.stderr
    );
    r.stdout.trim().to_string()
}

/// The git CLI as the default developer.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_as(dir, DEV, args)
}

impl Repo {
    /// Write a file and commit everything with the git CLI as `who`; returns the full sha.
    pub fn commit_file_as(
        &self,
        who: (&str, &str),
        rel: &str,
        content: &str,
        message: &str,
    ) -> String {
        self.write(rel, content);
        git_as(self.path(), who, &["add", "-A"]);
        git_as(self.path(), who, &["commit", "-q", "-m", message]);
        git(self.path(), &["rev-parse", "HEAD"])
    }

    pub fn commit_file(&self, rel: &str, content: &str, message: &str) -> String {
        self.commit_file_as(DEV, rel, content, message)
    }
}

/// A bare repository to push to, and a clone of it (branch `main`, one commit already pushed).
pub struct Remote {
    pub bare: tempfile::TempDir,
    pub clone: Repo,
}

impl Remote {
    pub fn new() -> Remote {
        let bare = tempfile::tempdir().expect("tempdir");
        git(bare.path(), &["init", "-q", "--bare", "-b", "main"]);
        let clone = Repo::new();
        let url = bare.path().to_string_lossy().into_owned();
        git(clone.path(), &["remote", "add", "origin", &url]);
        clone.commit_file("README.md", "# service\n", "init");
        git(clone.path(), &["push", "-q", "-u", "origin", "main"]);
        Remote { bare, clone }
    }

    /// `git push ARGS` from the clone, hooks and all.
    pub fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        git_cmd(self.clone.path(), DEV, &all)
    }

    /// The remote's tip of `branch`, if it has one.
    pub fn remote_head(&self, branch: &str) -> Option<String> {
        let r = git_cmd(
            self.bare.path(),
            DEV,
            &[
                "rev-parse",
                "--verify",
                "-q",
                &format!("refs/heads/{branch}"),
            ],
        );
        (r.code == 0).then(|| r.stdout.trim().to_string())
    }
}

/// (rule, scope, name) of each finding located at a setting (history findings), in report order.
pub fn setting_findings(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["location"]["kind"] == "setting")
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["location"]["scope"].as_str().unwrap_or("").to_string(),
                        f["location"]["name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether this process can open `path` (a file, or list a directory).
fn can_open(path: &Path) -> bool {
    if path.is_dir() {
        std::fs::read_dir(path).is_ok()
    } else {
        std::fs::File::open(path).is_ok()
    }
}

/// `shipgate ARGS` run so that `unreadable` (already chmod 000) really cannot be read. As root, file
/// permissions do not apply (CAP_DAC_OVERRIDE), so the binary runs under `unshare --user`: same uid, no
/// capabilities over files. None when the fault cannot be made on this machine (root without user
/// namespaces): the caller skips.
pub fn shipgate_unprivileged(args: &[&str], cwd: &Path, unreadable: &Path) -> Option<Command> {
    if !can_open(unreadable) {
        return Some(shipgate(args, cwd));
    }
    let probe = Command::new("unshare")
        .args(["--user", "test", "-r"])
        .arg(unreadable)
        .status()
        .ok()?;
    if probe.code() != Some(1) {
        return None;
    }
    let mut cmd = Command::new("unshare");
    cmd.arg("--user")
        .arg(bin())
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1");
    Some(cmd)
}

/// (rule, path, line) of each finding and of each grouped repeat (a `data/` rule's further hits in the
/// same file ride along with its first finding), sorted by path and line.
pub fn hits(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    for f in report["findings"].as_array().into_iter().flatten() {
        let rule = f["rule"].as_str().unwrap_or("").to_string();
        let path = f["location"]["path"].as_str().unwrap_or("").to_string();
        out.push((
            rule.clone(),
            path.clone(),
            f["location"]["line"].as_u64().unwrap_or(0),
        ));
        for r in f["repeats"].as_array().into_iter().flatten() {
            out.push((rule.clone(), path.clone(), r["line"].as_u64().unwrap_or(0)));
        }
    }
    out.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    out
}
