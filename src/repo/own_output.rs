//! shipgate never gates its own outputs. A report, SARIF or JSON file written into the work tree
//! (`check --report evidence.html`) quotes the findings, test data included; the next run would read it
//! and fail on the quote. Such a file is recognised by what it is and where it came from:
//!
//! - it carries shipgate's output marker in its first bytes: `shipgate-output` (the evidence report's
//!   first line or `<meta name="generator">`, SARIF's property bag, the JSON report's `generated_by`),
//!   or an organisation file's `"schema": "shipgate/org-…"`; and
//! - git does not track it: it is in neither the index nor HEAD.
//!
//! The second condition is what a hostile pull request cannot meet. Everything a pull request brings is
//! committed, so a planted file that looks like shipgate output — marker and all, with test data inside —
//! is tracked and gated like any other file. Outside a git work tree nothing is set aside (there is no
//! way to tell a file this run's user wrote from one a repository brought), and `check --remote` never
//! sets anything aside. Set-aside files are named in the summary, never silently dropped.

use crate::finding::{Finding, Location};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The marker every output shipgate writes carries near its start.
pub const MARKER: &str = "shipgate-output";
/// The organisation files (`org plan/run/report`) name their schema first.
const ORG_SCHEMA: &str = "\"schema\": \"shipgate/org-";
/// How far into a file the marker is looked for.
const HEAD: usize = 512;

/// Whether a file's first bytes say it is one of shipgate's outputs.
pub fn recognised(head: &[u8]) -> bool {
    let head = &head[..head.len().min(HEAD)];
    memchr::memmem::find(head, MARKER.as_bytes()).is_some()
        || memchr::memmem::find(head, ORG_SCHEMA.as_bytes()).is_some()
}

/// Remove the findings located in shipgate's own untracked outputs under `root`; returns those files'
/// paths (as findings name them), sorted.
pub fn set_aside(root: &Path, findings: &mut Vec<Finding>) -> Vec<String> {
    let mut paths: Vec<&str> = findings
        .iter()
        .filter_map(|f| match &f.location {
            Location::File(s) => Some(s.path.as_str()),
            _ => None,
        })
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let candidates: Vec<String> = paths
        .into_iter()
        .filter(|p| carries_marker(root, p))
        .map(str::to_string)
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let aside = untracked(root, &candidates);
    findings.retain(|f| !matches!(&f.location, Location::File(s) if aside.contains(&s.path)));
    aside
}

fn carries_marker(root: &Path, key: &str) -> bool {
    let Some(bytes) = crate::repo::files::path_from_key(key) else {
        return false;
    };
    let path = root.join(os_path(&bytes));
    // Only a regular file (never through a symbolic link, as the walk never follows one).
    if !path.symlink_metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::with_capacity(HEAD);
    std::fs::File::open(&path)
        .and_then(|f| f.take(HEAD as u64).read_to_end(&mut head))
        .is_ok()
        && recognised(&head)
}

/// The candidates git tracks neither in its index nor in HEAD. Not in a git work tree, or an index that
/// cannot be read: none (nothing is set aside on a guess).
fn untracked(root: &Path, candidates: &[String]) -> Vec<String> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Vec::new();
    };
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return Vec::new();
    };
    let Ok(root) = root.canonicalize() else {
        return Vec::new();
    };
    let Ok(prefix) = root.strip_prefix(&workdir) else {
        return Vec::new();
    };
    let Ok(index) = repo.index() else {
        return Vec::new();
    };
    let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    candidates
        .iter()
        .filter(|key| {
            let Some(bytes) = crate::repo::files::path_from_key(key) else {
                return false;
            };
            let rel = prefix.join(os_path(&bytes));
            let indexed = (0..=3).any(|stage| index.get_path(&rel, stage).is_some());
            let committed = head.as_ref().is_some_and(|t| t.get_path(&rel).is_ok());
            !indexed && !committed
        })
        .cloned()
        .collect()
}

#[cfg(unix)]
fn os_path(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn os_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::recognised;

    #[test]
    fn the_marker_counts_only_near_the_start() {
        assert!(recognised(
            b"<!-- shipgate-output: evidence report -->\n# x"
        ));
        assert!(recognised(
            b"{\n  \"schema\": \"shipgate/org-result@1\",\n  \"repository\": \"o/r\""
        ));
        assert!(!recognised(b"# notes\nshipgate found things\n"));
        let mut late = vec![b' '; 600];
        late.extend_from_slice(b"shipgate-output");
        assert!(!recognised(&late));
    }
}
