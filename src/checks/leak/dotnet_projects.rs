//! .NET sources by project, not by name. MSBuild compiles every `*.cs` file under a project's
//! directory into that project's assembly, so in .NET test code is a test project (one that says
//! `IsTestProject`, references the test SDK or a test framework, or is referenced only by test
//! projects), not a file called `TestController.cs`. A file the naming conventions took for a test
//! (`*Test.cs`, `Test*.cs`, a `Tests/` folder inside the project) that a project which is not a test
//! project compiles is production code: it is gated as production (`LeakCheck::reached`).

use crate::config::Config;
use crate::finding::FileSpan;
use crate::repo::classify::{test_side_reason, FileClass, TestSide};
use crate::repo::files::FileEntry;
use crate::repo::reach::{How, Reached};
use std::collections::HashMap;

use super::paths;

/// A project file as read.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    /// The `*.csproj` file.
    pub path: String,
    /// A test project by its own contents (see the module's note).
    pub test: bool,
    /// An application (a web app, a worker, an executable, Azure Functions): a root production runs,
    /// whoever else references it (its tests do).
    pub app: bool,
    /// `ProjectReference` `Include` values, as written (relative, `\` or `/`).
    pub references: Vec<String>,
    /// `Compile Remove` globs, as written: sources the project does not compile.
    pub removed: Vec<String>,
}

/// The test-named C# sources that production projects compile, to be gated as production code.
pub(crate) fn reached(config: &Config, files: &[FileEntry], projects: &[&Project]) -> Vec<Reached> {
    if projects.is_empty() {
        return Vec::new();
    }
    let test = test_projects(projects);
    // Directory → the projects whose file sits in it.
    let mut by_dir: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in projects.iter().enumerate() {
        by_dir.entry(paths::parent(&p.path)).or_default().push(i);
    }
    // A project file the leak check did not read (unparsable) still owns its directory: its sources are
    // not judged.
    let unread: Vec<&str> = files
        .iter()
        .filter(|f| f.path.ends_with(".csproj"))
        .filter(|f| !projects.iter().any(|p| p.path == *f.path))
        .map(|f| paths::parent(&f.path))
        .collect();
    let mut out = Vec::new();
    for f in files {
        if !f.path.ends_with(".cs") || !f.class.is_test_side() {
            continue;
        }
        // A class the user's `[paths]` gave is never second-guessed.
        if config.paths.lookup(&f.path).is_some() {
            continue;
        }
        let Some(dir) = owning_dir(&f.path, &by_dir, &unread) else {
            continue;
        };
        let Some(owners) = by_dir.get(dir) else {
            continue;
        };
        if owners.iter().any(|&i| test[i]) {
            continue;
        }
        let rel = f
            .path
            .strip_prefix(dir)
            .unwrap_or(&f.path)
            .trim_start_matches('/');
        let inside = match test_side_reason(&f.path) {
            Some(TestSide::Name(_)) => true,
            // A test folder the project's own directory lies in is the project's name, not the file's.
            Some(TestSide::TestDir(d) | TestSide::FixtureDir(d) | TestSide::SourceSet(d)) => {
                rel.split('/').rev().skip(1).any(|seg| seg == d)
            }
            None => false,
        };
        if !inside {
            continue;
        }
        let project = &projects[owners[0]];
        if owners.iter().any(|&i| removes(&projects[i].removed, rel)) {
            continue;
        }
        out.push(Reached {
            path: f.path.to_string(),
            class: FileClass::Code,
            imported_at: vec![FileSpan {
                path: project.path.clone(),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
                span: (0, 0),
            }],
            how: How::Named(f.class),
        });
    }
    out
}

/// Which projects are test projects: by their own contents, then any project that test projects alone
/// reference (a shared test-helpers library), until nothing changes.
fn test_projects(projects: &[&Project]) -> Vec<bool> {
    let mut test: Vec<bool> = projects.iter().map(|p| p.test).collect();
    let index: HashMap<&str, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.as_str(), i))
        .collect();
    // Referrers of each project.
    let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); projects.len()];
    for (i, p) in projects.iter().enumerate() {
        for r in &p.references {
            let Some(target) = paths::join(paths::parent(&p.path), &r.replace('\\', "/")) else {
                continue;
            };
            if let Some(&t) = index.get(target.as_str()) {
                referrers[t].push(i);
            }
        }
    }
    loop {
        let mut changed = false;
        for i in 0..projects.len() {
            if !test[i]
                && !projects[i].app
                && !referrers[i].is_empty()
                && referrers[i].iter().all(|&r| test[r])
            {
                test[i] = true;
                changed = true;
            }
        }
        if !changed {
            return test;
        }
    }
}

/// The nearest directory at or above the file's that holds a project file.
fn owning_dir<'a>(
    path: &'a str,
    by_dir: &HashMap<&str, Vec<usize>>,
    unread: &[&str],
) -> Option<&'a str> {
    let mut dir = paths::parent(path);
    loop {
        if unread.contains(&dir) {
            return None;
        }
        if by_dir.contains_key(dir) {
            return Some(dir);
        }
        if dir.is_empty() {
            return None;
        }
        dir = paths::parent(dir);
    }
}

/// Does a `Compile Remove` glob (`Tests\**`, `Legacy/Old.cs`) take the file out of the build?
fn removes(globs: &[String], rel: &str) -> bool {
    globs.iter().flat_map(|g| g.split(';')).any(|g| {
        let g = g.trim().replace('\\', "/");
        globset::GlobBuilder::new(g.trim_start_matches("./"))
            .literal_separator(true)
            .build()
            .is_ok_and(|m| m.compile_matcher().is_match(rel))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(path: &str, test: bool, references: &[&str]) -> Project {
        Project {
            path: path.into(),
            test,
            app: path.contains("Web/"),
            references: references.iter().map(|s| s.to_string()).collect(),
            removed: Vec::new(),
        }
    }

    #[test]
    fn a_library_only_tests_reference_is_a_test_project() {
        let web = project("src/Web/Web.csproj", false, &["..\\Core\\Core.csproj"]);
        let core = project("src/Core/Core.csproj", false, &[]);
        let helpers = project(
            "src/Helpers/Helpers.csproj",
            false,
            &["../Core/Core.csproj"],
        );
        let tests = project(
            "src/Web.Tests/Web.Tests.csproj",
            true,
            &["..\\Helpers\\Helpers.csproj", "..\\Web\\Web.csproj"],
        );
        let all = [&web, &core, &helpers, &tests];
        assert_eq!(test_projects(&all), vec![false, false, true, true]);
    }

    #[test]
    fn compile_remove_globs() {
        let globs = vec!["Tests\\**;Old.cs".to_string()];
        assert!(removes(&globs, "Tests/A/FooTests.cs"));
        assert!(removes(&globs, "Old.cs"));
        assert!(!removes(&globs, "Controllers/TestController.cs"));
    }
}
