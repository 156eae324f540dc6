//! What git tracks. The walk honours `.gitignore` so that untracked build output and dependencies stay out,
//! but an ignore rule never hides a file git tracks (`git add -f`, or a rule added after the file was
//! committed): such a file ships like any other. After the walk, the index's paths that it did not reach
//! are handed back to be walked as well.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Index modes of entries that are not files in this repository: a symbolic link is counted by the walk
/// wherever it is reached; a gitlink (submodule) is another repository.
const MODE_SYMLINK: u32 = 0o120000;
const MODE_GITLINK: u32 = 0o160000;

/// Tracked paths under `root` that exist in the working tree but that the walk did not visit: `seen` says
/// whether the walk visited a path (relative to `root`, `/`-separated, as the walk spells it). Paths under a
/// nested repository are left out. `Err` when `root` is in a repository whose index cannot be read.
/// Not in a repository (or a bare one): nothing.
pub fn unvisited(
    root: &Path,
    nested_repos: &[String],
    seen: impl Fn(&str) -> bool,
) -> Result<Vec<PathBuf>, String> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Ok(Vec::new());
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(Vec::new());
    };
    let prefix = match prefix_in(workdir, root) {
        Some(p) => p,
        None => return Ok(Vec::new()),
    };
    let index = repo.index().map_err(|e| e.message().to_string())?;
    let mut out = Vec::new();
    let mut listed: HashSet<Vec<u8>> = HashSet::new();
    for entry in index.iter() {
        if entry.mode == MODE_GITLINK || entry.mode == MODE_SYMLINK {
            continue;
        }
        let Some(rel) = entry.path.strip_prefix(prefix.as_slice()) else {
            continue;
        };
        let rel_str = String::from_utf8_lossy(rel);
        if rel.is_empty()
            || seen(&rel_str)
            || nested_repos.iter().any(|n| {
                rel_str
                    .strip_prefix(n.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            })
        {
            continue;
        }
        let path = root.join(bytes_to_path(rel));
        // Deleted in the working tree (or outside a sparse checkout): nothing to read.
        if path.symlink_metadata().is_err() {
            continue;
        }
        // A conflicted path has one entry per stage.
        if listed.insert(rel.to_vec()) {
            out.push(path);
        }
    }
    Ok(out)
}

/// The index's path prefix (`sub/dir/`, as bytes) for `root` inside the work tree `workdir`; empty at the
/// top. None when `root` is not inside it.
fn prefix_in(workdir: &Path, root: &Path) -> Option<Vec<u8>> {
    let workdir = workdir.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    let rel = root.strip_prefix(&workdir).ok()?;
    let mut prefix = Vec::new();
    for part in rel.components() {
        prefix.extend_from_slice(&os_bytes(part.as_os_str()));
        prefix.push(b'/');
    }
    Some(prefix)
}

#[cfg(unix)]
fn bytes_to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn bytes_to_path(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).replace('/', std::path::MAIN_SEPARATOR_STR))
}

#[cfg(unix)]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}
