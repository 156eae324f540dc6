//! What a change did: a git diff turned into, per file, whether it is new or where it came from (a
//! rename's old path), its added lines and its hunks, plus the files it deleted. `check --diff` uses it
//! to know which files the base evaluation must read from git and to line up findings between the two
//! trees; the pre-push hook scans the pushed commits' added lines with it.
//!
//! The base is named by full ref name: `--diff origin/main` resolves as git would only when exactly one
//! ref answers to the name (a tag or branch named `origin/main` next to the remote-tracking branch makes
//! it ambiguous, and it is refused), and in GitHub Actions the pull request's base commit is taken from
//! the event payload, never from a name the change could shadow.

use crate::diag::SourceDiag;
use crate::finding::FileSpan;
use crate::repo::codeowners::{self, Codeowners};
use git2::{Delta, Diff, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a change did to the lines of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// New (or binary, or retyped): every line counts as added.
    WholeFile,
    /// Sorted, non-overlapping 1-based inclusive line ranges (empty when the change only deleted lines).
    Lines(Vec<(u32, u32)>),
}

/// One hunk of a diff without context lines: `old_lines` lines from `old_start` became `new_lines`
/// lines from `new_start` (git's numbering: a side with no lines names the line before the hunk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
}

/// One file the change leaves in the tree and touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub added: Added,
    /// Where the file was before the change: its own path when modified, the old path when renamed;
    /// None when it is new (added, copied, untracked, or a symlink or submodule turned into a file).
    pub from: Option<String>,
    /// The hunks (modified and renamed files), sorted: how its lines line up with the old file's.
    pub hunks: Vec<Hunk>,
}

/// A change's files; paths relative to the scanned root, `/`-separated, keyed as the walk keys them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Files added or changed, by their path after the change.
    pub files: HashMap<String, FileChange>,
    /// Files the change removed (not renamed), by their path before it.
    pub deleted: Vec<String>,
}

impl ChangeSet {
    /// Does the span touch an added line? A whole-file span (line 0) counts if the file changed at all.
    pub fn introduces(&self, span: &FileSpan) -> bool {
        match self.files.get(&span.path).map(|c| &c.added) {
            None => false,
            Some(Added::WholeFile) => true,
            Some(Added::Lines(ranges)) => {
                if span.line == 0 {
                    return !ranges.is_empty();
                }
                let (lo, hi) = (span.line, span.end_line.max(span.line));
                ranges.iter().any(|&(a, b)| a <= hi && lo <= b)
            }
        }
    }

    /// How many files the change touched: added, modified (also when it only deleted lines), renamed
    /// and deleted.
    pub fn files_changed(&self) -> usize {
        self.files.len() + self.deleted.len()
    }

    /// Paths before the change that the change touched (modified, renamed away, deleted): the files
    /// whose old content must be read from git.
    pub fn old_paths(&self) -> impl Iterator<Item = &str> {
        self.files
            .values()
            .filter_map(|c| c.from.as_deref())
            .chain(self.deleted.iter().map(String::as_str))
    }

    /// The path a file had before the change (itself when the change did not touch it), None when new.
    pub fn old_path<'a>(&'a self, path: &'a str) -> Option<&'a str> {
        match self.files.get(path) {
            Some(c) => c.from.as_deref(),
            None => Some(path),
        }
    }

    /// The line before the change that `line` of `path` (after it) was, when the change did not add it.
    pub fn old_line(&self, path: &str, line: u32) -> Option<u32> {
        let Some(change) = self.files.get(path) else {
            return Some(line);
        };
        if change.from.is_none() || change.added == Added::WholeFile {
            return None;
        }
        let mut shift: i64 = 0;
        for h in &change.hunks {
            let new_end = h.new_start + h.new_lines.max(1);
            if h.new_lines > 0 && (h.new_start..h.new_start + h.new_lines).contains(&line) {
                return None;
            }
            if line >= new_end {
                let old_end = h.old_start + h.old_lines.max(1);
                shift = i64::from(old_end) - i64::from(new_end);
            } else {
                break;
            }
        }
        u32::try_from(i64::from(line) + shift).ok()
    }

    /// Read a diff's deltas, added lines and hunks. `prefix` (the scanned root inside the work tree,
    /// `sub/dir/` or empty) is stripped; files outside it are left out (a file renamed into it from
    /// outside is new to it).
    pub fn from_diff(diff: &Diff<'_>, prefix: &str) -> Result<ChangeSet, git2::Error> {
        let mut set = ChangeSet::default();
        for delta in diff.deltas() {
            let old = side_path(delta.old_file().path_bytes(), prefix);
            let new = side_path(delta.new_file().path_bytes(), prefix);
            let from = match delta.status() {
                Delta::Deleted => {
                    if let Some(old) = old {
                        set.deleted.push(old);
                    }
                    continue;
                }
                Delta::Added | Delta::Untracked | Delta::Copied | Delta::Typechange => None,
                Delta::Renamed => old,
                _ => new.clone(),
            };
            // A file whose old side is not a file (a symlink, a submodule) is new as a file.
            let from = from.filter(|_| is_file_mode(delta.old_file().mode()));
            let Some(new) = new else { continue };
            if !is_file_mode(delta.new_file().mode()) {
                // Turned into a symlink or submodule: as far as the walk goes, the file is gone.
                set.deleted.extend(from);
                continue;
            }
            let whole = from.is_none() || delta.flags().is_binary();
            set.files.insert(
                new,
                FileChange {
                    added: if whole {
                        Added::WholeFile
                    } else {
                        Added::Lines(Vec::new())
                    },
                    from,
                    hunks: Vec::new(),
                },
            );
        }
        let mut lines: HashMap<String, Vec<u32>> = HashMap::new();
        let mut hunks: HashMap<String, Vec<Hunk>> = HashMap::new();
        diff.foreach(
            &mut |_, _| true,
            None,
            Some(&mut |delta, hunk| {
                if let Some(path) = side_path(delta.new_file().path_bytes(), prefix) {
                    hunks.entry(path).or_default().push(Hunk {
                        old_start: hunk.old_start(),
                        old_lines: hunk.old_lines(),
                        new_start: hunk.new_start(),
                        new_lines: hunk.new_lines(),
                    });
                }
                true
            }),
            Some(&mut |delta, _hunk, line| {
                if line.origin() == '+' {
                    if let (Some(path), Some(n)) = (
                        side_path(delta.new_file().path_bytes(), prefix),
                        line.new_lineno(),
                    ) {
                        lines.entry(path).or_default().push(n);
                    }
                }
                true
            }),
        )?;
        for (path, change) in set.files.iter_mut() {
            if let Some(mut h) = hunks.remove(path) {
                h.sort_by_key(|h| h.new_start);
                change.hunks = h;
            }
            if change.added == Added::WholeFile {
                continue;
            }
            if let Some(mut numbers) = lines.remove(path) {
                numbers.sort_unstable();
                change.added = Added::Lines(ranges(&numbers));
            }
        }
        set.deleted.sort();
        set.deleted.dedup();
        Ok(set)
    }
}

/// A regular or executable file (not a symlink, a submodule or nothing).
fn is_file_mode(mode: git2::FileMode) -> bool {
    matches!(mode, git2::FileMode::Blob | git2::FileMode::BlobExecutable)
}

/// Collapse sorted line numbers into inclusive ranges.
fn ranges(numbers: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &n in numbers {
        match out.last_mut() {
            Some((_, end)) if n <= end.saturating_add(1) => *end = (*end).max(n),
            _ => out.push((n, n)),
        }
    }
    out
}

/// One side's path of a delta, keyed as the walk keys files (the raw bytes, escaped: two non-UTF-8
/// names never merge), relative to `prefix`; None when absent or outside it.
fn side_path(path: Option<&[u8]>, prefix: &str) -> Option<String> {
    let path = crate::repo::files::path_key(path?);
    path.strip_prefix(prefix).map(str::to_string)
}

/// Diff options shared by every use: no context lines (only `+` lines matter), submodules ignored.
fn options() -> DiffOptions {
    let mut o = DiffOptions::new();
    o.context_lines(0).ignore_submodules(true);
    o
}

/// Rename detection, so a moved file keeps its identity (and counts only for the lines that changed).
fn find_renames(diff: &mut Diff<'_>) -> Result<(), git2::Error> {
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
}

/// From `base`'s tree to the working tree (index included, untracked files as new): exactly the files
/// shipgate's walk reads, so the walk and the diff agree even with uncommitted work.
pub fn base_to_workdir(
    repo: &Repository,
    base: Oid,
    prefix: &str,
) -> Result<ChangeSet, git2::Error> {
    let tree = repo.find_commit(base)?.tree()?;
    let mut opts = options();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let mut diff = repo.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))?;
    find_renames(&mut diff)?;
    ChangeSet::from_diff(&diff, prefix)
}

/// From `old` (None: the empty tree) to `new`, commits to commits: what a push would add.
pub fn between_commits<'r>(
    repo: &'r Repository,
    old: Option<Oid>,
    new: Oid,
) -> Result<(Diff<'r>, ChangeSet), git2::Error> {
    let new_tree = repo.find_commit(new)?.tree()?;
    let old_tree = match old {
        Some(o) => Some(repo.find_commit(o)?.tree()?),
        None => None,
    };
    let mut diff =
        repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut options()))?;
    find_renames(&mut diff)?;
    let set = ChangeSet::from_diff(&diff, "")?;
    Ok((diff, set))
}

/// The scanned root's place inside the work tree: `""` or `sub/dir/`. None when it is not inside.
pub fn workdir_prefix(repo: &Repository, root: &Path) -> Option<String> {
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let rel = root.strip_prefix(&workdir).ok()?;
    let rel = crate::repo::files::os_path_key(rel.as_os_str());
    Some(if rel.is_empty() {
        rel
    } else {
        format!("{rel}/")
    })
}

/// The GitHub Actions event that started the run, for `--diff auto`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionsEvent {
    /// `GITHUB_EVENT_NAME`: `pull_request`, `pull_request_target`, `merge_group`, `push`, …
    pub name: String,
    /// `GITHUB_EVENT_PATH`: the webhook payload.
    pub payload: Option<PathBuf>,
}

/// What `check --diff` compares against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffBase {
    /// `--diff` or `--diff auto`: the pull request's base in GitHub Actions, else the default branch.
    Auto {
        github_base_ref: Option<String>,
        github_actions: bool,
        event: Option<ActionsEvent>,
    },
    Ref(String),
}

/// The `--diff` scope once resolved: the base's tip (whose policy and CODEOWNERS judge the change), the
/// merge base (the tree the change is compared with) and what the change did after it.
#[derive(Debug, Clone)]
pub struct DiffScope {
    /// As named, e.g. `origin/main`; None: `--diff auto` outside a pull request checked everything.
    pub base: Option<String>,
    /// What the name resolved to: a full ref name (`refs/remotes/origin/main`) or where the commit came
    /// from (`the pull_request event payload`).
    pub base_ref: Option<String>,
    /// Why `base` is what it is, for the summary.
    pub reason: String,
    /// The base branch's tip: its policy (config, rule packs, baseline) and CODEOWNERS judge the change.
    pub base_tip: Option<Oid>,
    /// Where the change forked from the base: the tree it is compared with.
    pub merge_base: Option<Oid>,
    pub changes: ChangeSet,
    /// The CODEOWNERS file GitHub would use for the pull request: the base tip's (None: it has none).
    pub base_owners: Option<Codeowners>,
}

impl DiffScope {
    /// `--diff auto` outside a pull request: the whole tree is the scope.
    fn whole_tree(reason: &str) -> DiffScope {
        DiffScope {
            base: None,
            base_ref: None,
            reason: reason.to_string(),
            base_tip: None,
            merge_base: None,
            changes: ChangeSet::default(),
            base_owners: None,
        }
    }
}

/// Events whose payload names the base the change will merge into.
const PULL_REQUEST_EVENTS: &[&str] = &["pull_request", "pull_request_target", "merge_group"];

/// A webhook payload larger than this is refused (GitHub's own limit is 25 MB).
const MAX_PAYLOAD: u64 = 32 * 1024 * 1024;

/// The base commit and branch a pull request (or merge queue group) merges into, from its event
/// payload: `pull_request.base.sha` / `.ref`, or `merge_group.base_sha` / `.base_ref`.
pub fn event_base(event: &ActionsEvent) -> Result<Option<(Oid, String)>, SourceDiag> {
    if !PULL_REQUEST_EVENTS.contains(&event.name.as_str()) {
        return Ok(None);
    }
    let Some(path) = &event.payload else {
        return Ok(None);
    };
    let bad = |why: String| {
        SourceDiag::plain(
            "gate/diff-base",
            format!("--diff auto: the {} event payload {why}", event.name),
        )
        .with_help("the pull request's base commit is read from GITHUB_EVENT_PATH; run this step in the workflow GitHub started, or name the base (`--diff refs/remotes/origin/main`)")
    };
    let len = std::fs::metadata(path)
        .map_err(|e| bad(format!("cannot be read ({e})")))?
        .len();
    if len > MAX_PAYLOAD {
        return Err(bad(format!(
            "is {len} bytes, more than shipgate reads ({MAX_PAYLOAD})"
        )));
    }
    let text = std::fs::read(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let v: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| bad(format!("is not JSON ({e})")))?;
    let (sha, name) = if event.name == "merge_group" {
        (
            &v["merge_group"]["base_sha"],
            v["merge_group"]["base_ref"].as_str(),
        )
    } else {
        (
            &v["pull_request"]["base"]["sha"],
            v["pull_request"]["base"]["ref"].as_str(),
        )
    };
    let sha = sha
        .as_str()
        .and_then(|s| (s.len() >= 40).then(|| Oid::from_str(s).ok()).flatten())
        .ok_or_else(|| bad("names no base commit (`pull_request.base.sha`)".to_string()))?;
    let name = name.unwrap_or("").trim_start_matches("refs/heads/");
    Ok(Some((sha, crate::redact::visible_line(name).into_owned())))
}

/// Resolve `--diff` against the repository. An unknown or ambiguous base, or one with no common
/// history with HEAD, is a diagnostic (exit 2): a diff gate that silently compared against nothing, or
/// against a ref the change itself planted, would pass everything.
pub fn resolve(
    repo: Option<&Repository>,
    root: &Path,
    request: &DiffBase,
) -> Result<DiffScope, SourceDiag> {
    let Some(repo) = repo else {
        return Err(SourceDiag::plain(
            "gate/diff-base",
            format!(
                "--diff needs a git repository, and `{}` is not in one",
                root.display()
            ),
        )
        .with_help("run shipgate inside a clone, or drop --diff to check the whole tree"));
    };
    let remote = super::history::REMOTE;
    let from_event = match request {
        DiffBase::Auto {
            event: Some(event),
            github_actions: true,
            ..
        } => event_base(event)?.map(|base| (event, base)),
        _ => None,
    };
    let (base, base_ref, base_commit, reason) = match request {
        DiffBase::Ref(r) => {
            let (full, commit) = resolve_name(repo, r)?;
            (r.clone(), full, commit, format!("--diff {r}"))
        }
        DiffBase::Auto { .. } if from_event.is_some() => {
            let Some((event, (sha, name))) = from_event else {
                return Err(SourceDiag::plain("gate/diff-base", "--diff auto: no base"));
            };
            let commit = repo.find_commit(sha).map(|c| c.id()).map_err(|e| {
                SourceDiag::plain(
                    "gate/diff-base",
                    format!(
                        "--diff auto: the pull request's base commit {sha} is not in this clone: {}",
                        e.message()
                    ),
                )
                .with_help("in GitHub Actions use actions/checkout with `fetch-depth: 0`")
            })?;
            (
                format!("{remote}/{name}"),
                format!("the {} event payload", event.name),
                commit,
                format!("pull request base {name} at {} (event payload)", short(sha)),
            )
        }
        DiffBase::Auto {
            github_base_ref: Some(b),
            ..
        } if !b.is_empty() => {
            let full = format!("refs/remotes/{remote}/{b}");
            let commit = exact_ref(repo, &full, &format!("{remote}/{b}"))?;
            (
                format!("{remote}/{b}"),
                full,
                commit,
                format!("pull request base (GITHUB_BASE_REF={b})"),
            )
        }
        DiffBase::Auto {
            github_actions: true,
            ..
        } => {
            // A push or scheduled run has no pull-request base: checking everything is the safe reading.
            return Ok(DiffScope::whole_tree(
                "not a pull_request event (GITHUB_BASE_REF is empty): checked the whole tree",
            ));
        }
        DiffBase::Auto { .. } => match default_base(repo) {
            Some((shown, full)) => {
                let commit = exact_ref(repo, &full, &shown)?;
                (shown.clone(), full, commit, format!("default branch {shown}"))
            }
            None => {
                return Err(SourceDiag::plain(
                    "gate/diff-base",
                    "--diff auto: no default branch found to compare against (no origin/HEAD, main or master)",
                )
                .with_help("name the base explicitly, e.g. `shipgate check --diff origin/develop`"))
            }
        },
    };
    let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|e| {
        SourceDiag::plain(
            "gate/diff-base",
            format!("--diff: HEAD has no commit to compare: {}", e.message()),
        )
        .with_help("commit your work first, or drop --diff")
    })?;
    let merge_base = repo.merge_base(base_commit, head.id()).map_err(|e| {
        let shallow = if repo.is_shallow() {
            " (this is a shallow clone, so the common history may be missing)"
        } else {
            ""
        };
        SourceDiag::plain(
            "gate/diff-base",
            format!(
                "--diff: `{base}` and HEAD have no common commit{shallow}: {}",
                e.message()
            ),
        )
        .with_help(format!(
            "{}, or `git fetch --deepen=200` until the branches meet",
            fetch_help(&base)
        ))
    })?;
    let prefix = workdir_prefix(repo, root).unwrap_or_default();
    let changes = base_to_workdir(repo, merge_base, &prefix).map_err(|e| {
        SourceDiag::plain(
            "gate/diff-base",
            format!("--diff: cannot diff against `{base}`: {}", e.message()),
        )
    })?;
    let base_owners = owners_at(repo, base_commit, &prefix)?;
    Ok(DiffScope {
        base: Some(base),
        base_ref: Some(base_ref),
        reason,
        base_tip: Some(base_commit),
        merge_base: Some(merge_base),
        changes,
        base_owners,
    })
}

fn short(id: Oid) -> String {
    let s = id.to_string();
    s[..s.len().min(7)].to_string()
}

fn fetch_help(base: &str) -> String {
    let remote = super::history::REMOTE;
    match base.strip_prefix(&format!("{remote}/")) {
        Some(branch) => format!(
            "fetch it (`git fetch {remote} {branch}`); in GitHub Actions use actions/checkout with `fetch-depth: 0`"
        ),
        None => format!(
            "check the name (`git branch -a` lists branches), or fetch it (`git fetch {remote} {base}`); in \
             GitHub Actions use actions/checkout with `fetch-depth: 0`"
        ),
    }
}

/// The commit a full ref name points at; a missing ref is a diagnostic naming `shown`.
fn exact_ref(repo: &Repository, full: &str, shown: &str) -> Result<Oid, SourceDiag> {
    repo.find_reference(full)
        .and_then(|r| r.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| {
            SourceDiag::plain(
                "gate/diff-base",
                format!(
                    "--diff: cannot read base `{shown}` ({full}): {}",
                    e.message()
                ),
            )
            .with_help(fetch_help(shown))
        })
}

/// The refs git would try for a short name, in its order (`git help revisions`).
fn candidates(name: &str) -> [String; 5] {
    [
        format!("refs/{name}"),
        format!("refs/tags/{name}"),
        format!("refs/heads/{name}"),
        format!("refs/remotes/{name}"),
        format!("refs/remotes/{name}/HEAD"),
    ]
}

/// Resolve a base as given on the command line: a full ref name (`refs/remotes/origin/main`), a short
/// name that exactly one ref answers to, `HEAD`, or a commit id; optionally followed by `~N` / `^N`.
/// Returns what it resolved to (a full ref name, or the commit) and the commit.
pub fn resolve_name(repo: &Repository, given: &str) -> Result<(String, Oid), SourceDiag> {
    let cannot = |e: &str| {
        // `--diff PATH` reads PATH as the base: say how to write it instead.
        let help = if Path::new(given).is_dir() {
            format!("`--diff` takes an optional BASE, so `{given}` was read as one: put the path first (`shipgate check {given} --diff`) or write `--diff=auto`")
        } else {
            fetch_help(given)
        };
        SourceDiag::plain(
            "gate/diff-base",
            format!("--diff: cannot read base `{given}`: {e}"),
        )
        .with_help(help)
    };
    let cut = given.find(['~', '^']).unwrap_or(given.len());
    let (name, suffix) = given.split_at(cut);
    if name.is_empty() || name.contains("@{") || name.contains(':') || name.contains("..") {
        return Err(cannot(
            "not a branch, tag, full ref name or commit id (revision ranges and reflog entries are not bases)",
        ));
    }
    let (full, commit) = if name.starts_with("refs/") {
        let id = repo
            .find_reference(name)
            .and_then(|r| r.peel_to_commit())
            .map_err(|e| cannot(e.message()))?
            .id();
        (name.to_string(), id)
    } else if name == "HEAD" || name == "@" {
        let id = repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|e| cannot(e.message()))?
            .id();
        ("HEAD".to_string(), id)
    } else {
        let found: Vec<(String, Oid)> = candidates(name)
            .into_iter()
            .filter_map(|full| {
                let id = repo.find_reference(&full).ok()?.peel_to_commit().ok()?.id();
                Some((full, id))
            })
            .collect();
        match found.as_slice() {
            [one] => one.clone(),
            [] => match commit_id(repo, name) {
                Some(id) => (format!("commit {id}"), id),
                None => return Err(cannot("no branch, tag or commit has that name")),
            },
            many => {
                let names: Vec<&str> = many.iter().map(|(n, _)| n.as_str()).collect();
                return Err(SourceDiag::plain(
                    "gate/diff-base",
                    format!(
                        "--diff: base `{}` is ambiguous: it names {}",
                        crate::redact::visible_line(name),
                        names.join(" and ")
                    ),
                )
                .with_help(format!(
                    "name the one you mean in full, e.g. `--diff {}`; a ref named like the base branch (a tag `{}`) must not decide what a change is compared with",
                    names.iter().find(|n| n.starts_with("refs/remotes/")).unwrap_or(&names[0]),
                    crate::redact::visible_line(name)
                )));
            }
        }
    };
    if suffix.is_empty() {
        return Ok((full, commit));
    }
    let id = repo
        .revparse_single(&format!("{commit}{suffix}"))
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| cannot(e.message()))?
        .id();
    Ok((format!("{full}{suffix}"), id))
}

/// A commit named by its id (or an unambiguous abbreviation of at least 7 hex digits).
fn commit_id(repo: &Repository, name: &str) -> Option<Oid> {
    if name.len() < 7 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    repo.revparse_single(name)
        .ok()?
        .peel_to_commit()
        .ok()
        .map(|c| c.id())
}

/// The CODEOWNERS file GitHub would use at `commit` (the first of its locations that is a regular file),
/// parsed; None when there is none. Read from git: the change cannot name itself owner.
fn owners_at(
    repo: &Repository,
    commit: Oid,
    prefix: &str,
) -> Result<Option<Codeowners>, SourceDiag> {
    let git = |e: git2::Error| {
        SourceDiag::plain(
            "gate/diff-base",
            format!(
                "--diff: cannot read CODEOWNERS from the base commit {commit}: {}",
                e.message()
            ),
        )
    };
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(git)?;
    for loc in codeowners::LOCATIONS {
        let Ok(entry) = tree.get_path(Path::new(&format!("{prefix}{loc}"))) else {
            continue;
        };
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
            continue;
        }
        let blob = repo.find_blob(entry.id()).map_err(git)?;
        if blob.size() as u64 >= codeowners::GITHUB_MAX_SIZE {
            continue; // GitHub does not load it either
        }
        let text = String::from_utf8_lossy(blob.content());
        return Ok(Some(Codeowners::parse(loc, &text)));
    }
    Ok(None)
}

/// The default branch: `(shown, full ref name)`, the remote-tracking branch when fetched, else the local
/// branch.
pub fn default_base(repo: &Repository) -> Option<(String, String)> {
    let remote = super::history::REMOTE;
    let name = super::history::default_branch(repo, remote)?;
    let tracking = format!("refs/remotes/{remote}/{name}");
    if repo.find_reference(&tracking).is_ok() {
        Some((format!("{remote}/{name}"), tracking))
    } else {
        Some((name.clone(), format!("refs/heads/{name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(path: &str, line: u32, end_line: u32) -> FileSpan {
        FileSpan {
            path: path.into(),
            line,
            column: 1,
            end_line,
            end_column: 1,
            span: (0, 0),
        }
    }

    fn modified(added: Added, hunks: Vec<Hunk>) -> FileChange {
        FileChange {
            added,
            from: Some("a.py".into()),
            hunks,
        }
    }

    #[test]
    fn ranges_and_introduces() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), vec![(1, 3), (7, 7), (9, 10)]);
        let mut set = ChangeSet::default();
        set.files.insert(
            "a.py".into(),
            modified(Added::Lines(vec![(3, 4), (10, 10)]), Vec::new()),
        );
        set.files.insert(
            "new.py".into(),
            FileChange {
                added: Added::WholeFile,
                from: None,
                hunks: Vec::new(),
            },
        );
        set.files.insert(
            "deletions.py".into(),
            modified(Added::Lines(Vec::new()), Vec::new()),
        );
        assert!(set.introduces(&span("a.py", 4, 4)));
        assert!(
            set.introduces(&span("a.py", 9, 11)),
            "a multi-line match touching an added line"
        );
        assert!(!set.introduces(&span("a.py", 5, 9)));
        assert!(set.introduces(&span("new.py", 100, 100)));
        assert!(!set.introduces(&span("old.py", 1, 1)));
        assert!(!set.introduces(&span("deletions.py", 0, 0)));
        set.deleted.push("gone.py".into());
        assert_eq!(set.files_changed(), 4);
    }

    #[test]
    fn the_event_payload_names_the_base_of_pull_requests_and_merge_groups_only() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::abort());
        let sha = "9049f1265b7d61be4a8904a9a27120d2064dab3b";
        let event = |name: &str, body: &str| {
            let path = dir.path().join(format!("{name}.json"));
            std::fs::write(&path, body).unwrap_or_default();
            ActionsEvent {
                name: name.to_string(),
                payload: Some(path),
            }
        };
        let pr = event(
            "pull_request",
            &format!(
                "{{\"pull_request\": {{\"base\": {{\"ref\": \"main\", \"sha\": \"{sha}\"}}}}}}"
            ),
        );
        let found = event_base(&pr).ok().flatten();
        assert_eq!(
            found.map(|(id, name)| (id.to_string(), name)),
            Some((sha.to_string(), "main".to_string()))
        );
        let group = event(
            "merge_group",
            &format!("{{\"merge_group\": {{\"base_ref\": \"refs/heads/main\", \"base_sha\": \"{sha}\"}}}}"),
        );
        assert_eq!(
            event_base(&group).ok().flatten().map(|(_, n)| n),
            Some("main".to_string())
        );
        // A push has no base; a pull request without one, or a payload that is not JSON, is an error.
        assert!(matches!(event_base(&event("push", "{}")), Ok(None)));
        assert!(event_base(&event("pull_request", "{\"pull_request\": {}}")).is_err());
        assert!(event_base(&event("pull_request_target", "not json")).is_err());
    }

    #[test]
    fn lines_map_back_across_hunks() {
        // old: a b c d e   new: a X b d e Y   (X added after a; c deleted; Y added at the end)
        let hunks = vec![
            Hunk {
                old_start: 1,
                old_lines: 0,
                new_start: 2,
                new_lines: 1,
            },
            Hunk {
                old_start: 3,
                old_lines: 1,
                new_start: 3,
                new_lines: 0,
            },
            Hunk {
                old_start: 5,
                old_lines: 0,
                new_start: 6,
                new_lines: 1,
            },
        ];
        let mut set = ChangeSet::default();
        set.files.insert(
            "a.py".into(),
            modified(Added::Lines(vec![(2, 2), (6, 6)]), hunks),
        );
        let map: Vec<Option<u32>> = (1..=6).map(|l| set.old_line("a.py", l)).collect();
        assert_eq!(
            map,
            vec![Some(1), None, Some(2), Some(4), Some(5), None],
            "a→1, X new, b→2, d→4, e→5, Y new"
        );
        assert_eq!(set.old_line("untouched.py", 7), Some(7));
    }
}
