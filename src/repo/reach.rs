//! What the walk can say about production's reach without reading code: which files inside production
//! code the naming conventions hid as tests (and by which convention), and where symbolic links that
//! stand in for production files point.
//!
//! Names are only the prior. A convention that hides production files (a Java package called
//! `testdata`, Welsh locale files `cy.json` read as Cypress) is a blind spot; the gate cannot know every
//! one, so it makes them visible: the summary counts the files inside production code that were skipped
//! as tests, by the convention that skipped them.

use crate::config::{Config, PathOverride};
use crate::finding::FileSpan;
use crate::repo::classify::{production_class, test_side_reason, FileClass, TestSide};
use crate::repo::files::FileEntry;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// A file that production reaches although the walk did not gate it as production (vendored, or named
/// as docs, an example, dev tooling, a stand-in): read after the walk and gated as `class`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub path: String,
    /// The production class it is gated as (code, config, template).
    pub class: FileClass,
    /// Where production reaches it (import statements, or a link's own path), sorted.
    pub imported_at: Vec<FileSpan>,
    pub how: How,
}

/// How production reaches a file the walk left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Third-party code checked in, imported by production code.
    Vendored,
    /// Imported or read by production code, although its name makes it `FileClass` (docs, dev config).
    Named(FileClass),
    /// The target of a symbolic link that stands where production code or config is.
    Link,
}

impl Reached {
    /// What a finding in this file adds to its message: who reaches it, so the reader sees why a file
    /// named as documentation is gated as production.
    pub fn note(&self) -> String {
        let by = self
            .imported_at
            .first()
            .map_or_else(String::new, |a| format!("`{}:{}`", a.path, a.line));
        match self.how {
            How::Vendored => format!(" (vendored code that production code imports: {by})"),
            How::Named(class) => format!(
                " (production code reaches it: {by}; named as {}, gated as production)",
                class.as_str()
            ),
            How::Link => {
                let link = self.imported_at.first().map_or("", |a| a.path.as_str());
                format!(
                    " (the target of `{link}`, a symbolic link where production {} is)",
                    self.class.as_str()
                )
            }
        }
    }
}

/// Symbolic links whose own path is production's, with their targets inside the repository: the files
/// a link stands in for are gated as the link's class, whatever their own names (`app/settings.py`
/// linking to `docs/settings.py`). `links` are (link key, target as stored in the link); `files` the
/// walk's list, sorted. Links to directories stand in for every file below them. Targets outside the
/// repository are never read (the walk never follows a link out).
pub fn link_targets(
    config: &Config,
    links: &[(String, Vec<u8>)],
    files: &[FileEntry],
) -> Vec<Reached> {
    let mut out: Vec<Reached> = Vec::new();
    for (link, raw) in links {
        let Some(link_class) = crate::repo::files::classify(config, link) else {
            continue;
        };
        let Some(target) = resolve_link(link, raw, links) else {
            continue;
        };
        let at = FileSpan {
            path: link.clone(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            span: (0, 0),
        };
        let under = format!("{target}/");
        let start = files.partition_point(|f| *f.path < *target.as_str());
        for f in files[start..]
            .iter()
            .take_while(|f| *f.path == *target || f.path.starts_with(&under))
        {
            // The path the file is reached by: the link itself, or the link's directory plus the rest.
            let seen_as = if *f.path == *target {
                link.clone()
            } else {
                format!("{link}/{}", &f.path[under.len()..])
            };
            let class = match crate::repo::files::classify(config, &seen_as) {
                Some(c) if f.path.as_ref() != target.as_str() => c,
                _ => link_class,
            };
            if !class.is_production() || f.class.is_production() {
                continue;
            }
            out.push(Reached {
                path: f.path.to_string(),
                class,
                imported_at: vec![at.clone()],
                how: How::Link,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// Where a link points inside the repository (a key), following links to links a bounded number of
/// times; None outside the repository, through a loop, or for a target that is not valid UTF-8 in a
/// way the walk's keys could name.
fn resolve_link(link: &str, raw: &[u8], links: &[(String, Vec<u8>)]) -> Option<String> {
    let mut from = link.to_string();
    let mut target = raw.to_vec();
    for _ in 0..8 {
        if target.first() == Some(&b'/') {
            return None; // absolute: outside, or the repository's own path spelt in full (not followed)
        }
        let rel = crate::repo::files::path_key(&target);
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let joined = join(dir, &rel)?;
        match links.iter().find(|(l, _)| *l == joined) {
            Some((l, next)) => {
                from = l.clone();
                target = next.clone();
            }
            None => return Some(joined),
        }
    }
    None
}

/// `dir` + `rel` with `.` and `..` resolved; None when `..` climbs out of the repository.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The class a file reached by production is gated as: by its extension, code, template or config.
pub fn gated_class(path: &str) -> FileClass {
    production_class(path)
}

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

    #[test]
    fn links_stand_for_their_targets_inside_the_repository_only() {
        let mut files = tree(&[
            "docs/settings.py",
            "docs/conf/app.yml",
            "app/views.py",
            "docs/x.md",
        ]);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let links = vec![
            (
                "app/settings.py".to_string(),
                b"../docs/settings.py".to_vec(),
            ),
            ("config".to_string(), b"docs/conf".to_vec()),
            ("app/outside.py".to_string(), b"../../etc/passwd".to_vec()),
            ("app/abs.py".to_string(), b"/etc/passwd".to_vec()),
            ("app/chain.py".to_string(), b"settings.py".to_vec()),
            ("a.py".to_string(), b"b.py".to_vec()),
            ("b.py".to_string(), b"a.py".to_vec()),
            ("docs/readme.md".to_string(), b"x.md".to_vec()),
        ];
        let got: Vec<(String, FileClass, String)> =
            link_targets(&Config::default(), &links, &files)
                .into_iter()
                .map(|r| (r.path, r.class, r.imported_at[0].path.clone()))
                .collect();
        assert_eq!(
            got,
            vec![
                (
                    "docs/conf/app.yml".into(),
                    FileClass::Config,
                    "config".into()
                ),
                (
                    "docs/settings.py".into(),
                    FileClass::Code,
                    "app/settings.py".into()
                ),
            ]
        );
    }

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
