//! What the walk can say about production's reach without reading code: which files inside production
//! code the naming conventions hid as tests (and by which convention), and where symbolic links that
//! stand in for production files point.
//!
//! Names are only the prior. A convention that hides production files (a Java package called
//! `testdata`, Welsh locale files `cy.json` read as Cypress) is a blind spot; the gate cannot know every
//! one, so it makes them visible: the summary counts the files inside production code that were skipped
//! as tests, by the convention that skipped them.

use crate::config::{Config, PathOverride};
use crate::repo::classify::{test_side_reason, FileClass, TestSide};
use crate::repo::files::FileEntry;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Test-side files inside production code, by the convention that made them test-side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SkippedAsTests {
    pub files: u64,
    /// Most files first (then by reason), each reason once.
    pub reasons: Vec<SkipReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkipReason {
    /// The convention, as the summary shows it: "a `testdata/` directory", "named `*.cy.*` (Cypress)".
    pub reason: String,
    pub files: u64,
}

/// Count the files the conventions (not the user's `[paths]`) made test-side although they lie inside
/// production code: below a directory (other than the repository root) that itself holds production
/// code, above the directory or name that made them test-side. `app/tests/test_views.py` beside
/// `app/views.py` counts; a top-level `tests/` does not. `files` as the walk lists them.
pub fn skipped_as_tests(config: &Config, files: &[FileEntry]) -> SkippedAsTests {
    let code_dirs: HashSet<&str> = files
        .iter()
        .filter(|f| f.class == FileClass::Code)
        .filter_map(|f| f.path.rsplit_once('/').map(|(d, _)| d))
        .collect();
    if code_dirs.is_empty() {
        return SkippedAsTests::default();
    }
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for f in files.iter().filter(|f| f.class.is_test_side()) {
        // Any directory above the file holding code at all? (Most test trees sit apart: no work.)
        if !ancestors(&f.path).any(|d| code_dirs.contains(d))
            || matches!(config.paths.lookup(&f.path), Some(PathOverride::Class(_)))
        {
            continue;
        }
        let Some(reason) = test_side_reason(&f.path) else {
            continue;
        };
        let above = above_convention(&f.path, &reason);
        let inside = std::iter::once(above)
            .filter(|d| !d.is_empty())
            .chain(ancestors(above))
            .any(|d| code_dirs.contains(d));
        if inside {
            *counts.entry(reason.to_string()).or_default() += 1;
        }
    }
    let mut reasons: Vec<SkipReason> = counts
        .into_iter()
        .map(|(reason, files)| SkipReason { reason, files })
        .collect();
    reasons.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.reason.cmp(&b.reason)));
    SkippedAsTests {
        files: reasons.iter().map(|r| r.files).sum(),
        reasons,
    }
}

/// The directory above the part of `path` that made it test-side: for a directory convention, the
/// directory that holds it (`pkg/parse` for `pkg/parse/testdata/x.go`); for a name, the file's own.
fn above_convention<'p>(path: &'p str, reason: &TestSide) -> &'p str {
    let dir = match reason {
        TestSide::FixtureDir(d) | TestSide::TestDir(d) => *d,
        TestSide::SourceSet(_) => "src",
        TestSide::Name(_) => return path.rsplit_once('/').map_or("", |(d, _)| d),
    };
    let first = dir.split('/').next().unwrap_or(dir);
    let mut end = 0;
    for seg in path.split('/') {
        if seg == first {
            return path[..end].trim_end_matches('/');
        }
        end += seg.len() + 1;
    }
    ""
}

/// The proper ancestor directories of `path`, innermost first, the root (`""`) left out.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut cur = path;
    std::iter::from_fn(move || {
        let (d, _) = cur.rsplit_once('/')?;
        cur = d;
        Some(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::classify::classify_default;

    fn tree(paths: &[&str]) -> Vec<FileEntry> {
        paths
            .iter()
            .map(|p| FileEntry::new((*p).to_string(), classify_default(p), 1))
            .collect()
    }

    #[test]
    fn counts_test_side_files_inside_production_code_by_convention() {
        let files = tree(&[
            "app/views.py",
            "app/tests/test_views.py",
            "app/tests/helpers.py",
            "tests/test_top.py",
            "pkg/parse/parse.go",
            "pkg/parse/parse_test.go",
            "pkg/parse/testdata/in.txt",
            "cypress/e2e/login.cy.ts",
            "setup.py",
        ]);
        let s = skipped_as_tests(&Config::default(), &files);
        let got: Vec<(&str, u64)> = s
            .reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.files))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a `tests/` directory", 2),
                ("a `testdata/` directory", 1),
                ("named `*_test.go`", 1),
            ]
        );
        assert_eq!(s.files, 4);
        assert_eq!(
            skipped_as_tests(&Config::default(), &tree(&["tests/a.py", "b.py"])),
            SkippedAsTests::default()
        );
    }
}
