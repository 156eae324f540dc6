//! Git facts, read with git2: the repository, its deployment branches, and the first-parent history of
//! each within a window. Plain data out; `repo/evidence.rs` says what the data shows about review and
//! `checks/review_git.rs` turns that into findings.

pub use crate::calendar::{date, days_from_civil};
use crate::config::{Config, HistoryConfig};
use git2::{Oid, Repository};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::HashSet;
use std::path::Path;

/// The remote whose branches are what was delivered. `actions/checkout` and `git clone` both call it this.
pub const REMOTE: &str = "origin";

/// Branch names that mean "what is live" in many teams (deployed by a hosting service rather than a
/// workflow in the repository), used with the default branch when the config names none. Exact names
/// only: `release/*` or `release-*` would take every library's maintenance branches (and a
/// `release-issue-template`) for deployment branches.
pub const PRODUCTION_NAMES: &[&str] = &["production", "prod", "live"];

/// The default window when `[history]` sets neither `since` nor `max-commits`: this many days, and at
/// most `HistoryConfig::commit_limit()` commits. A branch with no commit in the window is stale.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// How far the side of a merge is followed to learn whose commits it brought in. A pull request is
/// rarely longer; past this the merge's authorship is "unknown", never guessed.
const MERGED_SIDE_CAP: usize = 1000;

/// How many first-parent commits past the window are still collected (ids only), so that the side of a
/// merge near the window's end can still find where it forked.
const FORK_MARGIN: usize = 500;

/// The repository containing `root`, if any. "Not a repository" is a normal answer, not an error; a
/// repository git cannot read is an error (the history checks then fail closed), never "not a repository".
pub fn open(root: &Path) -> Result<Option<Repository>, git2::Error> {
    tune_libgit2();
    let repo = match Repository::discover(root) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            return match enclosing_dot_git(root) {
                None => Ok(None),
                Some(dot_git) => Err(git2::Error::from_str(&format!(
                    "`{}` is there, but git cannot open it as a repository ({}); it may be corrupt \
                     (a missing objects or refs directory, a `.git` file pointing nowhere)",
                    dot_git.display(),
                    e.message()
                ))),
            };
        }
        Err(e) => return Err(e),
    };
    check_readable(&repo)?;
    Ok(Some(repo))
}

/// The nearest `.git` (directory or file) at or above `root`. libgit2 skips a `.git` it does not
/// recognise as a repository and keeps looking upwards, so a corrupt clone would otherwise read as
/// "not a git repository" and its history checks as merely not evaluated.
fn enclosing_dot_git(root: &Path) -> Option<std::path::PathBuf> {
    root.ancestors()
        .map(|dir| dir.join(".git"))
        .find(|p| p.symlink_metadata().is_ok())
}

/// Damage libgit2 opens without complaint but that changes what it reports, caught before any history
/// is read: a HEAD that is not a reference or a commit id (git itself refuses such a repository), and a
/// `packed-refs` file with lines that are not references (libgit2 drops the file and carries on, so
/// deployment branches stored there would vanish instead of failing closed).
fn check_readable(repo: &Repository) -> Result<(), git2::Error> {
    match repo.head() {
        Ok(_) => {}
        // A repository with no commits yet, or on a branch not created yet: nothing is damaged.
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) => {}
        Err(e) => {
            return Err(git2::Error::from_str(&format!(
                "HEAD cannot be read: {}",
                e.message()
            )))
        }
    }
    let packed = repo.commondir().join("packed-refs");
    let text = match std::fs::read(&packed) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(git2::Error::from_str(&format!(
                "cannot read {}: {e}",
                packed.display()
            )))
        }
    };
    match text
        .split(|&b| b == b'\n')
        .position(|line| !packed_refs_line_ok(line))
    {
        None => Ok(()),
        Some(i) => Err(git2::Error::from_str(&format!(
            "{} is corrupt: line {} is not a reference",
            packed.display(),
            i + 1
        ))),
    }
}

/// A `packed-refs` line as git writes it: a `#` header, `<id> <refname>`, or a peeled `^<id>`.
fn packed_refs_line_ok(line: &[u8]) -> bool {
    let is_id = |s: &[u8]| matches!(s.len(), 40 | 64) && s.iter().all(u8::is_ascii_hexdigit);
    match line {
        [] | [b'#', ..] => true,
        [b'^', id @ ..] => is_id(id),
        _ => line
            .iter()
            .position(|&b| b == b' ')
            .is_some_and(|sp| is_id(&line[..sp]) && line.len() > sp + 1),
    }
}

/// Process-wide libgit2 settings for a read-only pass over many objects, each read once. Re-hashing
/// every object on read (libgit2's default; git itself verifies hashes in fsck, not on every read) and
/// caching objects never asked for twice showed up as a large share of a 100k-commit walk in profiles
/// of bench/history.sh. Set before any repository is opened; nothing in shipgate writes objects.
pub fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
    });
}

/// The remote's default branch (`refs/remotes/origin/HEAD`), else `main` or `master` if either exists.
pub fn default_branch(repo: &Repository, remote: &str) -> Option<String> {
    let prefix = format!("refs/remotes/{remote}/");
    if let Ok(head) = repo.find_reference(&format!("{prefix}HEAD")) {
        if let Some(name) = head
            .symbolic_target()
            .ok()
            .flatten()
            .and_then(|t| t.strip_prefix(&prefix))
        {
            return Some(name.to_string());
        }
    }
    ["main", "master"]
        .into_iter()
        .find(|name| {
            repo.find_reference(&format!("{prefix}{name}")).is_ok()
                || repo.find_reference(&format!("refs/heads/{name}")).is_ok()
        })
        .map(str::to_string)
}

/// Which branch names deploy: the config's `[branches] deploy` globs, else the default branch, the
/// branches the repository's deploy workflows run on when pushed (`on: push: branches:`), and the
/// exact names in `PRODUCTION_NAMES`.
pub struct DeployPolicy {
    /// The patterns in effect, for messages.
    pub patterns: Vec<String>,
    /// True when they came from the config (then a pattern matching no branch is worth reporting).
    pub configured: bool,
    set: GlobSet,
}

impl DeployPolicy {
    pub fn new(repo: Option<&Repository>, config: &Config, remote: &str) -> DeployPolicy {
        let configured = !config.deploy_branches.is_empty();
        let patterns: Vec<String> = if configured {
            config.deploy_branches.clone()
        } else {
            let mut p: Vec<String> = repo
                .and_then(|r| default_branch(r, remote))
                .into_iter()
                .collect();
            let workflows = repo
                .and_then(Repository::workdir)
                .map_or_else(Vec::new, deploy_workflow_branches);
            for name in workflows
                .into_iter()
                .chain(PRODUCTION_NAMES.iter().map(|n| n.to_string()))
            {
                if !p.contains(&name) {
                    p.push(name);
                }
            }
            p
        };
        let mut set = GlobSetBuilder::new();
        // The config validated its globs; a default name that is not a valid glob is matched literally.
        for p in &patterns {
            let glob = Glob::new(p).or_else(|_| Glob::new(&globset::escape(p)));
            if let Ok(g) = glob {
                set.add(g);
            }
        }
        DeployPolicy {
            patterns,
            configured,
            set: set.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    pub fn matches(&self, branch: &str) -> bool {
        self.set.is_match(branch)
    }

    /// The patterns that match none of `names` (only meaningful when configured).
    pub fn unmatched<'a>(&'a self, names: &[&str]) -> Vec<&'a str> {
        self.patterns
            .iter()
            .filter(|p| {
                Glob::new(p)
                    .map(|g| g.compile_matcher())
                    .is_ok_and(|m| !names.iter().any(|n| m.is_match(n)))
            })
            .map(String::as_str)
            .collect()
    }
}

/// The branch filters of the repository's deploy workflows: `on: push: branches:` of every workflow in
/// `.github/workflows/` that deploys to production. "Deploys" is judged from the workflows alone, before
/// any check runs: a job whose environment is production's (not named like preview/staging/test, followed
/// through matrix values and reusable-workflow inputs), or a workflow, file or job named for deploying,
/// releasing or publishing — unless every environment its jobs deploy to is known and non-production (a
/// `deploy.yml` that ships `develop` to qa and test names no deployment branch). A push trigger without a
/// branch filter runs on every branch and names none.
pub fn deploy_workflow_branches(workdir: &Path) -> Vec<String> {
    const WORDS: &[&str] = &["deploy", "release", "publish", "production"];
    let named = |s: &str| {
        let s = s.to_ascii_lowercase();
        WORDS.iter().any(|w| s.contains(w))
    };
    let Ok(dir) = std::fs::read_dir(workdir.join(".github/workflows")) else {
        return Vec::new();
    };
    let mut paths: Vec<std::path::PathBuf> = dir
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    paths.sort();
    let mut parsed: Vec<(String, super::workflows::Workflow)> = Vec::new();
    for path in paths.iter().take(500) {
        // Hostile input: a workflow is small; a huge or unreadable file names no branch.
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > 1 << 20 {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        let Ok(docs) = super::workflows::parse(&format!(".github/workflows/{file}"), &text) else {
            continue;
        };
        parsed.extend(docs.into_iter().map(|wf| (file.clone(), wf)));
    }
    let all: Vec<&super::workflows::Workflow> = parsed.iter().map(|(_, wf)| wf).collect();
    let mut out: Vec<String> = Vec::new();
    for (file, wf) in &parsed {
        let targets: Vec<super::workflow_values::Targets> = wf
            .jobs
            .iter()
            .map(|j| super::workflow_values::job_environments(wf, j, &all, &NoValues))
            .collect();
        let production_env = targets
            .iter()
            .any(|t| t.names.iter().any(|n| !is_nonprod_environment(n)));
        let only_nonprod = targets.iter().any(|t| !t.names.is_empty())
            && targets
                .iter()
                .all(|t| !t.unknown && t.names.iter().all(|n| is_nonprod_environment(n)));
        let deploys = production_env
            || (!only_nonprod
                && (named(file)
                    || wf.name.as_deref().is_some_and(named)
                    || wf
                        .jobs
                        .iter()
                        .any(|j| named(&j.id.value) || j.name.as_deref().is_some_and(named))));
        if !deploys {
            continue;
        }
        for t in wf.triggers.iter().filter(|t| t.event.value == "push") {
            for b in t.branches.iter().flatten() {
                // `$default-branch` (GitHub's starter workflows) is the default branch, already in.
                if !b.starts_with('!') && !b.contains('$') && !out.contains(b) {
                    out.push(b.clone());
                }
            }
        }
    }
    out
}

/// No run's values are known: every context is unknown (the workflow's own values are bound by
/// `workflow_values`).
struct NoValues;
impl super::expr::Scope for NoValues {
    fn lookup(&self, _: &str) -> super::expr::Val {
        super::expr::Val::Unknown
    }
}

/// Environments that are not production by name (the one list, in `environments`).
pub use crate::repo::environments::is_nonprod_environment;

/// A deployment branch as found in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployBranch {
    pub name: String,
    /// The ref read: the remote-tracking one when it exists (what was delivered), else the local branch.
    pub refname: String,
    pub head: Oid,
}

/// Every existing branch (local, or on `remote` as fetched) whose name the policy matches: the default
/// branch first, then by name.
pub fn deployment_branches(
    repo: &Repository,
    policy: &DeployPolicy,
    remote: &str,
) -> Result<(Vec<DeployBranch>, Vec<String>), git2::Error> {
    let remote_prefix = format!("refs/remotes/{remote}/");
    let mut found: Vec<DeployBranch> = Vec::new();
    let mut all_names: Vec<String> = Vec::new();
    for reference in repo.references()? {
        let reference = reference?;
        let Ok(refname) = reference.name() else {
            continue;
        };
        let (name, is_remote) = if let Some(n) = refname.strip_prefix("refs/heads/") {
            (n, false)
        } else if let Some(n) = refname.strip_prefix(&remote_prefix) {
            (n, true)
        } else {
            continue;
        };
        if name == "HEAD" {
            continue;
        }
        all_names.push(name.to_string());
        if !policy.matches(name) {
            continue;
        }
        let Ok(commit) = reference.peel_to_commit() else {
            continue;
        };
        let branch = DeployBranch {
            name: name.to_string(),
            refname: refname.to_string(),
            head: commit.id(),
        };
        match found.iter_mut().find(|b| b.name == name) {
            Some(existing) if is_remote => *existing = branch,
            Some(_) => {}
            None => found.push(branch),
        }
    }
    let default = default_branch(repo, remote);
    found.sort_by(|a, b| {
        (Some(&a.name) != default.as_ref(), &a.name)
            .cmp(&(Some(&b.name) != default.as_ref(), &b.name))
    });
    all_names.sort();
    all_names.dedup();
    Ok((found, all_names))
}

/// How much history to read per branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub max_commits: Option<usize>,
    /// Unix seconds: commits that landed (committer time) before this are outside.
    pub since: Option<i64>,
}

impl Window {
    /// The configured window; with neither `since` nor `max-commits` set, the last
    /// `DEFAULT_WINDOW_DAYS` days capped at the default count.
    pub fn from_config(h: &HistoryConfig, now: i64) -> Window {
        let default_since = (h.since.is_none() && h.max_commits.is_none())
            .then(|| now - DEFAULT_WINDOW_DAYS * 86_400);
        Window {
            max_commits: h.commit_limit(),
            since: h.since.map(|s| s.cutoff(now)).or(default_since),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl Person {
    /// From a raw `Name <email> time tz` signature.
    fn from_signature(sig: &[u8]) -> Person {
        let lt = memchr::memchr(b'<', sig);
        let gt = memchr::memrchr(b'>', sig);
        match (lt, gt) {
            (Some(l), Some(g)) if l < g => Person {
                name: String::from_utf8_lossy(&sig[..l]).trim().to_string(),
                email: String::from_utf8_lossy(&sig[l + 1..g]).trim().to_string(),
            },
            _ => Person {
                name: String::from_utf8_lossy(sig).trim().to_string(),
                email: String::new(),
            },
        }
    }

    /// `Name <email>` (a trailer's value) or a bare name.
    pub fn parse(value: &str) -> Person {
        match value.split_once('<') {
            Some((name, rest)) => Person {
                name: name.trim().to_string(),
                email: rest.split('>').next().unwrap_or("").trim().to_string(),
            },
            None => Person {
                name: value.trim().to_string(),
                email: String::new(),
            },
        }
    }

    /// The same person: same e-mail, or same name (people commit from several addresses).
    pub fn same_as(&self, other: &Person) -> bool {
        let eq = |a: &str, b: &str| !a.is_empty() && a.eq_ignore_ascii_case(b);
        eq(&self.email, &other.email) || eq(&self.name, &other.name)
    }
}

impl std::fmt::Display for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.email.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{} <{}>", self.name, self.email)
        }
    }
}

/// A `Key: value` line from the message's final paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    pub key: String,
    pub value: String,
}

/// What a merge brought in from its side branch, as far as review is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergedSide {
    /// Every commit it brought in (this many) was written by the merge's committer.
    AllByCommitter(usize),
    /// At least one was written by someone else (the walk stops there).
    Others,
    /// More than we follow, or nothing that was not already on the first-parent line.
    Unknown,
}

/// One commit on a branch's first-parent line, as git records it.
#[derive(Debug, Clone)]
pub struct CommitFacts {
    pub id: Oid,
    pub parents: Vec<Oid>,
    pub author: Person,
    pub committer: Person,
    /// Committer time, Unix seconds: when it landed on the branch (for first-parent commits).
    pub time: i64,
    pub subject: String,
    pub trailers: Vec<Trailer>,
    /// For a merge: whose commits it brought in. None for other commits.
    pub merged: Option<MergedSide>,
}

impl CommitFacts {
    pub fn short(&self) -> String {
        let s = self.id.to_string();
        s[..s.len().min(7)].to_string()
    }
}

/// The first-parent history of one branch within a window.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    pub commits: Vec<CommitFacts>,
    /// True when the walk ended at the branch's root commit rather than at the window's edge.
    pub complete: bool,
}

/// Walk `head`'s first parents, newest first, within `window`; then, for each merge, learn whose commits
/// it brought in.
///
/// Speed (bench/history.sh): reading commit objects is the cost (libgit2 inflates each one), and the
/// first-parent line can only be read one commit after another. So this thread does nothing else: commits
/// are read as raw objects (libgit2's commit objects cost a third more) and handed in batches to a second
/// thread that builds their facts and reads each merge's side tip — which settles most merges (a pull
/// request by someone else) while the line is still being read. The few merges left (the side's tip was
/// written by the merger) are followed afterwards, when the whole line is known, on several threads.
pub fn first_parent_walk(
    repo: &Repository,
    head: Oid,
    window: &Window,
) -> Result<Walk, git2::Error> {
    let path = repo.path().to_path_buf();
    let (line, complete, commits) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Oid, Vec<u8>)>>(32);
        let builder = scope.spawn(move || build_facts(&path, rx));
        let walked = read_line(repo, head, window, tx);
        let built = builder
            .join()
            .unwrap_or_else(|_| Err(git2::Error::from_str("a history thread failed")));
        // The line's error comes first: the builder stops early only because the line stopped sending.
        let (line, complete) = walked?;
        Ok::<_, git2::Error>((line, complete, built?))
    })?;
    let mut walk = Walk { commits, complete };
    for c in walk.commits.iter_mut().filter(|c| c.parents.len() > 1) {
        // A side tip on the first-parent line brought nothing in: judge it with the full walk below.
        if c.parents[1..].iter().any(|p| line.contains(p)) {
            c.merged = None;
        }
    }
    follow_merges(repo, &mut walk.commits, &line)?;
    Ok(walk)
}

/// Read the first-parent line: every commit's id (plus a margin past the window, for merges' sides to
/// stop at), sending the raw bytes of those inside the window. Returns the line and whether the walk
/// reached the root.
fn read_line(
    repo: &Repository,
    head: Oid,
    window: &Window,
    tx: std::sync::mpsc::SyncSender<Vec<(Oid, Vec<u8>)>>,
) -> Result<(HashSet<Oid>, bool), git2::Error> {
    const BATCH: usize = 256;
    let odb = repo.odb()?;
    let mut line: HashSet<Oid> = HashSet::new();
    let mut batch: Vec<(Oid, Vec<u8>)> = Vec::with_capacity(BATCH);
    let (mut in_window, mut sent, mut margin, mut complete) = (true, 0usize, 0usize, false);
    let mut next = Some(head);
    while let Some(id) = next {
        let object = odb.read(id)?;
        let data = object.data();
        let raw = RawCommit::parse(id, data)?;
        line.insert(id);
        next = raw.parents.first().copied();
        if in_window {
            let full = window.max_commits.is_some_and(|n| sent >= n);
            let too_old = window
                .since
                .is_some_and(|cutoff| raw.committer_time() < cutoff);
            in_window = !(full || too_old);
        }
        if in_window {
            batch.push((id, data.to_vec()));
            sent += 1;
            complete = next.is_none();
            if batch.len() == BATCH && tx.send(std::mem::take(&mut batch)).is_err() {
                break; // the builder failed; its error is reported
            }
            continue;
        }
        margin += 1;
        if margin >= FORK_MARGIN {
            break;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok((line, complete))
}

/// The second thread: facts for each commit in the window, and for merges a first look at the side.
fn build_facts(
    path: &Path,
    rx: std::sync::mpsc::Receiver<Vec<(Oid, Vec<u8>)>>,
) -> Result<Vec<CommitFacts>, git2::Error> {
    let repo = Repository::open(path)?;
    let odb = repo.odb()?;
    let mut out = Vec::new();
    for batch in rx {
        for (id, data) in batch {
            let mut facts = RawCommit::parse(id, &data)?.into_facts(id);
            if facts.parents.len() > 1 {
                facts.merged = side_tips_by_others(&odb, &facts)?.then_some(MergedSide::Others);
            }
            out.push(facts);
        }
    }
    Ok(out)
}

/// Was a tip of the merge's side written by someone other than the merger? Then it was not self-merged,
/// whatever else the side holds.
fn side_tips_by_others(odb: &git2::Odb<'_>, merge: &CommitFacts) -> Result<bool, git2::Error> {
    for &tip in &merge.parents[1..] {
        let object = odb.read(tip)?;
        let raw = RawCommit::parse(tip, object.data())?;
        if !Person::from_signature(raw.author).same_as(&merge.committer) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Fill in `merged` for every merge not yet settled, splitting them over threads.
fn follow_merges(
    repo: &Repository,
    commits: &mut [CommitFacts],
    line: &HashSet<Oid>,
) -> Result<(), git2::Error> {
    let mut merges: Vec<&mut CommitFacts> = commits
        .iter_mut()
        .filter(|c| c.parents.len() > 1 && c.merged.is_none())
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if merges.len() < 64 || threads == 1 {
        let odb = repo.odb()?;
        for c in merges {
            c.merged = Some(merged_side(&odb, &c.parents[1..], &c.committer, line)?);
        }
        return Ok(());
    }
    let path = repo.path().to_path_buf();
    let chunk = merges.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = merges
            .chunks_mut(chunk)
            .map(|part| {
                let path = &path;
                scope.spawn(move || -> Result<(), git2::Error> {
                    let repo = Repository::open(path)?;
                    let odb = repo.odb()?;
                    for c in part.iter_mut() {
                        c.merged = Some(merged_side(&odb, &c.parents[1..], &c.committer, line)?);
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(git2::Error::from_str("a history thread failed")))
        })
    })
}

/// Follow a merge's side (commits reachable from `sides` but not from the first-parent line) only as
/// far as it takes to know whether the merger wrote all of it.
fn merged_side(
    odb: &git2::Odb<'_>,
    sides: &[Oid],
    committer: &Person,
    line: &HashSet<Oid>,
) -> Result<MergedSide, git2::Error> {
    let mut stack: Vec<Oid> = sides.to_vec();
    let mut seen: HashSet<Oid> = HashSet::new();
    while let Some(id) = stack.pop() {
        if line.contains(&id) || !seen.insert(id) {
            continue;
        }
        if seen.len() > MERGED_SIDE_CAP {
            return Ok(MergedSide::Unknown);
        }
        let object = odb.read(id)?;
        let raw = RawCommit::parse(id, object.data())?;
        if !Person::from_signature(raw.author).same_as(committer) {
            return Ok(MergedSide::Others);
        }
        stack.extend(raw.parents);
    }
    Ok(match seen.len() {
        0 => MergedSide::Unknown,
        n => MergedSide::AllByCommitter(n),
    })
}

/// A commit object's fields, borrowed from its raw bytes (`tree`, `parent`*, `author`, `committer`,
/// other headers, blank line, message).
struct RawCommit<'a> {
    parents: Vec<Oid>,
    author: &'a [u8],
    committer: &'a [u8],
    message: &'a [u8],
}

impl<'a> RawCommit<'a> {
    fn parse(id: Oid, data: &'a [u8]) -> Result<RawCommit<'a>, git2::Error> {
        let mut raw = RawCommit {
            parents: Vec::new(),
            author: b"",
            committer: b"",
            message: b"",
        };
        let mut rest = data;
        while !rest.is_empty() {
            let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            let line = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or(b"");
            if line.is_empty() {
                raw.message = rest;
                break;
            }
            if let Some(hex) = line.strip_prefix(b"parent ") {
                let hex = std::str::from_utf8(hex).map_err(|_| bad_commit(id))?;
                raw.parents.push(Oid::from_str(hex)?);
            } else if let Some(sig) = line.strip_prefix(b"author ") {
                raw.author = sig;
            } else if let Some(sig) = line.strip_prefix(b"committer ") {
                raw.committer = sig;
            }
            // Other headers (tree, encoding, gpgsig and its continuation lines) are not needed.
        }
        if raw.committer.is_empty() {
            return Err(bad_commit(id));
        }
        Ok(raw)
    }

    /// The committer's timestamp: the first number after the e-mail's `>`.
    fn committer_time(&self) -> i64 {
        signature_time(self.committer)
    }

    fn into_facts(self, id: Oid) -> CommitFacts {
        let message = String::from_utf8_lossy(self.message);
        CommitFacts {
            id,
            author: Person::from_signature(self.author),
            committer: Person::from_signature(self.committer),
            time: signature_time(self.committer),
            subject: message.lines().next().unwrap_or("").trim().to_string(),
            trailers: trailers(&message),
            parents: self.parents,
            merged: None,
        }
    }
}

fn bad_commit(id: Oid) -> git2::Error {
    git2::Error::from_str(&format!("commit {id} could not be parsed"))
}

fn signature_time(sig: &[u8]) -> i64 {
    let after = memchr::memrchr(b'>', sig).map_or(sig, |i| &sig[i + 1..]);
    std::str::from_utf8(after)
        .ok()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or(0)
}

/// The trailers of a message: `Key: value` lines in its last paragraph (never the subject line).
pub fn trailers(message: &str) -> Vec<Trailer> {
    let body = message.trim_end();
    let Some((_, last)) = body.rsplit_once("\n\n") else {
        return Vec::new();
    };
    if !last.contains(':') {
        return Vec::new();
    }
    last.lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            let ok_key =
                !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            (ok_key && !value.trim().is_empty()).then(|| Trailer {
                key: key.to_string(),
                value: value.trim().to_string(),
            })
        })
        .collect()
}

/// The pull-request number of a squash merge's subject, e.g. `Fix login (#123)` → 123, or of GitHub's own
/// merge title kept on a squashed or rebased merge (`Merge pull request #123 from owner/branch`, seen on
/// Prometheus' single-parent commits that GitHub itself committed and signed).
pub fn squash_pr(subject: &str) -> Option<u64> {
    if let Some(rest) = subject.strip_prefix("Merge pull request #") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && rest[digits.len()..].starts_with(" from ") {
            return digits.parse().ok();
        }
    }
    let s = subject.trim_end().strip_suffix(')')?;
    let (_, n) = s.rsplit_once("(#")?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_come_from_the_last_paragraph_only() {
        let t = trailers("Fix: a thing\n\nBody text.\n\nReviewed-by: Ann <ann@x.org>\nSigned-off-by: Bo <bo@x.org>\n");
        assert_eq!(
            t,
            vec![
                Trailer {
                    key: "Reviewed-by".into(),
                    value: "Ann <ann@x.org>".into()
                },
                Trailer {
                    key: "Signed-off-by".into(),
                    value: "Bo <bo@x.org>".into()
                },
            ]
        );
        assert!(trailers("Reviewed-by: in the subject only").is_empty());
        assert!(trailers("subject\n\nsee http://x: not a trailer paragraph?").is_empty());
    }

    #[test]
    fn squash_suffixes() {
        assert_eq!(squash_pr("Fix login (#123)"), Some(123));
        assert_eq!(squash_pr("Fix login (#123) "), Some(123));
        assert_eq!(squash_pr("Fix login (#12a)"), None);
        assert_eq!(squash_pr("Fix (#) login"), None);
        assert_eq!(squash_pr("Bump deps (see #4)"), None);
        assert_eq!(
            squash_pr("Merge pull request #19124 from a/validate"),
            Some(19124)
        );
        assert_eq!(squash_pr("Merge pull request #19124"), None);
        assert_eq!(squash_pr("Merge pull request #x from a/b"), None);
    }

    #[test]
    fn raw_commits_parse() {
        let data = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\nauthor Ann Lee <ann@x.org> 1700000000 +0100\ncommitter Bo <bo@x.org> 1700000600 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n -----END PGP SIGNATURE-----\n\nMerge branch 'x'\n\nReviewed-by: Cy <cy@x.org>\n";
        let raw = RawCommit::parse(Oid::ZERO_SHA1, data);
        assert!(raw.is_ok());
        let Ok(raw) = raw else { return };
        assert_eq!(raw.parents.len(), 2);
        assert_eq!(raw.committer_time(), 1_700_000_600);
        let f = raw.into_facts(Oid::ZERO_SHA1);
        assert_eq!(f.author, Person::parse("Ann Lee <ann@x.org>"));
        assert_eq!(f.subject, "Merge branch 'x'");
        assert_eq!(f.trailers.len(), 1);
        assert!(RawCommit::parse(Oid::ZERO_SHA1, b"tree x\n\nno committer").is_err());
    }

    #[test]
    fn deploy_workflows_name_their_branches() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let wf = dir.path().join(".github/workflows");
        std::fs::create_dir_all(&wf)?;
        let write = |name: &str, text: &str| std::fs::write(wf.join(name), text);
        write(
            "ci.yml",
            "on:\n  push:\n    branches: [ci-only]\njobs:\n  test:\n    runs-on: x\n    steps: [{run: make}]\n",
        )?;
        write(
            "cd.yml",
            "on:\n  push:\n    branches: ['release/**', '!release/old']\njobs:\n  ship:\n    runs-on: x\n    environment: production\n    steps: [{run: make}]\n",
        )?;
        write(
            "preview.yml",
            "on:\n  push:\n    branches: [feature-preview]\njobs:\n  ship:\n    runs-on: x\n    environment: review-app\n    steps: [{run: make}]\n",
        )?;
        write(
            "deploy.yaml",
            "on:\n  push:\n    branches: [live]\n  pull_request:\n    branches: [pr-base]\njobs:\n  go:\n    runs-on: x\n    steps: [{run: make}]\n",
        )?;
        assert_eq!(
            deploy_workflow_branches(dir.path()),
            vec!["release/**".to_string(), "live".to_string()]
        );
        Ok(())
    }

    #[test]
    fn the_default_window_is_time_bounded_and_capped() {
        let now = 100 * 86_400;
        let w = Window::from_config(&HistoryConfig::default(), now);
        assert_eq!(w.since, Some(now - DEFAULT_WINDOW_DAYS * 86_400));
        assert_eq!(w.max_commits, Some(200));
        let explicit = HistoryConfig {
            max_commits: Some(5),
            ..HistoryConfig::default()
        };
        assert_eq!(Window::from_config(&explicit, now).since, None);
    }

    #[test]
    fn people_match_on_email_or_name() {
        let a = Person::parse("Ann Lee <ann@x.org>");
        assert_eq!(a.email, "ann@x.org");
        assert!(a.same_as(&Person::parse("A. Lee <ANN@x.org>")));
        assert!(a.same_as(&Person::parse("ann lee")));
        assert!(!a.same_as(&Person::parse("Bo <bo@x.org>")));
    }
}
