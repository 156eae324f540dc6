//! What a change adds: a git diff turned into added line ranges per file. `check --diff` keeps only the
//! findings on those lines (everything else was there before the change), and the pre-push hook scans the
//! pushed commits' new blobs with the same filter.

use crate::diag::SourceDiag;
use crate::finding::FileSpan;
use git2::{Delta, Diff, DiffFindOptions, DiffOptions, Oid, Repository};
use std::collections::HashMap;
use std::path::Path;

/// What a change did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// New (or binary, or retyped): every line counts as added.
    WholeFile,
    /// Sorted, non-overlapping 1-based inclusive line ranges.
    Lines(Vec<(u32, u32)>),
}

/// Added lines per file; paths relative to the scanned root, `/`-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub files: HashMap<String, Added>,
}

impl ChangeSet {
    /// Does the span touch an added line? A whole-file span (line 0) counts if the file changed at all.
    pub fn introduces(&self, span: &FileSpan) -> bool {
        match self.files.get(&span.path) {
            None => false,
            Some(Added::WholeFile) => true,
            Some(Added::Lines(ranges)) => {
                if span.line == 0 {
                    return true;
                }
                let (lo, hi) = (span.line, span.end_line.max(span.line));
                ranges.iter().any(|&(a, b)| a <= hi && lo <= b)
            }
        }
    }

    /// Read a diff's deltas and added lines. `prefix` (the scanned root inside the work tree, `sub/dir/`
    /// or empty) is stripped; files outside it are left out.
    pub fn from_diff(diff: &Diff<'_>, prefix: &str) -> Result<ChangeSet, git2::Error> {
        let mut files: HashMap<String, Added> = HashMap::new();
        for delta in diff.deltas() {
            let Some(path) = delta_path(&delta, prefix) else {
                continue;
            };
            let whole = matches!(
                delta.status(),
                Delta::Added | Delta::Untracked | Delta::Copied | Delta::Typechange
            ) || delta.flags().is_binary();
            if whole {
                files.insert(path, Added::WholeFile);
            }
        }
        let mut lines: HashMap<String, Vec<u32>> = HashMap::new();
        diff.foreach(
            &mut |_, _| true,
            None,
            None,
            Some(&mut |delta, _hunk, line| {
                if line.origin() == '+' {
                    if let (Some(path), Some(n)) = (delta_path(&delta, prefix), line.new_lineno()) {
                        lines.entry(path).or_default().push(n);
                    }
                }
                true
            }),
        )?;
        for (path, mut numbers) in lines {
            if files.contains_key(&path) {
                continue;
            }
            numbers.sort_unstable();
            files.insert(path, Added::Lines(ranges(&numbers)));
        }
        Ok(ChangeSet { files })
    }
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

fn delta_path(delta: &git2::DiffDelta<'_>, prefix: &str) -> Option<String> {
    let path = delta
        .new_file()
        .path_bytes()
        .or_else(|| delta.old_file().path_bytes())?;
    // Keyed as the walk keys files: the raw bytes, escaped (two non-UTF-8 names never merge).
    let path = crate::repo::files::path_key(path);
    path.strip_prefix(prefix).map(str::to_string)
}

/// Diff options shared by every use: no context lines (only `+` lines matter), submodules ignored.
fn options() -> DiffOptions {
    let mut o = DiffOptions::new();
    o.context_lines(0).ignore_submodules(true);
    o
}

/// Rename detection, so a moved file counts only for the lines that changed in the move.
fn find_renames(diff: &mut Diff<'_>) -> Result<(), git2::Error> {
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
}

/// From `base`'s tree to the working tree (index included, untracked files as new): exactly the files
/// shipgate's walk reads, so finding lines and added lines agree even with uncommitted work.
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

/// What `check --diff` compares against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffBase {
    /// `--diff` or `--diff auto`: the pull request's base in GitHub Actions, else the default branch.
    Auto {
        github_base_ref: Option<String>,
        github_actions: bool,
    },
    Ref(String),
}

/// The `--diff` scope once resolved: a merge base and what the change adds after it.
#[derive(Debug, Clone)]
pub struct DiffScope {
    /// As resolved, e.g. `origin/main`; None: `--diff auto` outside a pull request checked everything.
    pub base: Option<String>,
    /// Why `base` is what it is, for the summary.
    pub reason: String,
    pub merge_base: Option<Oid>,
    pub changes: ChangeSet,
}

/// Resolve `--diff` against the repository. An unknown base, or one with no common history with HEAD,
/// is a diagnostic (exit 2): a diff gate that silently compared against nothing would pass everything.
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
    let (base, reason) = match request {
        DiffBase::Ref(r) => (r.clone(), format!("--diff {r}")),
        DiffBase::Auto {
            github_base_ref: Some(b),
            ..
        } if !b.is_empty() => (
            format!("{}/{b}", super::history::REMOTE),
            format!("pull request base (GITHUB_BASE_REF={b})"),
        ),
        DiffBase::Auto {
            github_actions: true,
            ..
        } => {
            // A push or scheduled run has no pull-request base: checking everything is the safe reading.
            return Ok(DiffScope {
                base: None,
                reason: "not a pull_request event (GITHUB_BASE_REF is empty): checked the whole tree"
                    .into(),
                merge_base: None,
                changes: ChangeSet::default(),
            });
        }
        DiffBase::Auto { .. } => match default_base(repo) {
            Some(b) => (b.clone(), format!("default branch {b}")),
            None => {
                return Err(SourceDiag::plain(
                    "gate/diff-base",
                    "--diff auto: no default branch found to compare against (no origin/HEAD, main or master)",
                )
                .with_help("name the base explicitly, e.g. `shipgate check --diff origin/develop`"))
            }
        },
    };
    let fetch_help = || {
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
    };
    let base_commit = repo
        .revparse_single(&base)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            // `--diff PATH` reads PATH as the base: say how to write it instead.
            let help = if Path::new(&base).is_dir() {
                format!("`--diff` takes an optional BASE, so `{base}` was read as one: put the path first (`shipgate check {base} --diff`) or write `--diff=auto`")
            } else {
                fetch_help()
            };
            SourceDiag::plain(
                "gate/diff-base",
                format!("--diff: cannot read base `{base}`: {}", e.message()),
            )
            .with_help(help)
        })?;
    let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|e| {
        SourceDiag::plain(
            "gate/diff-base",
            format!("--diff: HEAD has no commit to compare: {}", e.message()),
        )
        .with_help("commit your work first, or drop --diff")
    })?;
    let merge_base = repo.merge_base(base_commit.id(), head.id()).map_err(|e| {
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
            fetch_help()
        ))
    })?;
    let prefix = workdir_prefix(repo, root).unwrap_or_default();
    let changes = base_to_workdir(repo, merge_base, &prefix).map_err(|e| {
        SourceDiag::plain(
            "gate/diff-base",
            format!("--diff: cannot diff against `{base}`: {}", e.message()),
        )
    })?;
    Ok(DiffScope {
        base: Some(base),
        reason,
        merge_base: Some(merge_base),
        changes,
    })
}

/// The default branch as a revision: `origin/<default>` when fetched, else the local branch.
pub fn default_base(repo: &Repository) -> Option<String> {
    let remote = super::history::REMOTE;
    let name = super::history::default_branch(repo, remote)?;
    if repo
        .find_reference(&format!("refs/remotes/{remote}/{name}"))
        .is_ok()
    {
        Some(format!("{remote}/{name}"))
    } else {
        Some(name)
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

    #[test]
    fn ranges_and_introduces() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), vec![(1, 3), (7, 7), (9, 10)]);
        let mut set = ChangeSet::default();
        set.files
            .insert("a.py".into(), Added::Lines(vec![(3, 4), (10, 10)]));
        set.files.insert("new.py".into(), Added::WholeFile);
        assert!(set.introduces(&span("a.py", 4, 4)));
        assert!(
            set.introduces(&span("a.py", 9, 11)),
            "a multi-line match touching an added line"
        );
        assert!(!set.introduces(&span("a.py", 5, 9)));
        assert!(set.introduces(&span("new.py", 100, 100)));
        assert!(!set.introduces(&span("old.py", 1, 1)));
    }
}
