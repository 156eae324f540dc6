//! Development tooling a `package.json` declares: a private workspace package that has only
//! devDependencies and that the root `package.json` lists under its devDependencies (a local dev server,
//! a mock API for the front end) is never installed by a production install (`npm ci --omit=dev`), so the
//! `NODE_ENV` default it sets for itself is development tooling; and the files Jest's configuration names
//! (`jest.globalSetup`, `setupFiles`) are test configuration.
//!
//! The markers stage reads every `package.json` for these facts and holds the `switch/` and `data/`
//! findings of JavaScript and TypeScript files until the walk is done; then a finding in such a file is a
//! note that says which declaration made it development or test tooling.

use super::leak::paths::{file_name, parent};
use crate::finding::{Finding, Location, Severity};
use crate::repo::classify::Lang;
use crate::repo::files::FileEntry;
use crate::sync::lock;
use std::sync::Mutex;

/// A `package.json` larger than this is not read for these facts (its findings stay as they are).
const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

#[derive(Debug, Default)]
struct Package {
    /// Its directory ("" at the root).
    dir: String,
    name: Option<String>,
    private: bool,
    dependencies: usize,
    dev_dependencies: Vec<String>,
    /// Files Jest's configuration in it names (relative to the repository root).
    jest_files: Vec<String>,
}

#[derive(Default)]
pub struct DevTooling {
    packages: Mutex<Vec<Package>>,
    held: Mutex<Vec<Finding>>,
}

impl DevTooling {
    /// Should the file be read for its facts (a `package.json`)?
    pub fn wants(file: &FileEntry) -> bool {
        file_name(&file.path) == "package.json"
    }

    /// Record a `package.json`, or hold a JavaScript/TypeScript file's `switch/` and `data/` findings (true
    /// then).
    pub fn take(&self, file: &FileEntry, content: &[u8], found: &mut Vec<Finding>) -> bool {
        if Self::wants(file) {
            if let Some(p) = read_package(&file.path, content) {
                lock(&self.packages).push(p);
            }
            return false;
        }
        let held = |f: &Finding| f.rule.starts_with("switch/") || f.rule.starts_with("data/");
        if !matches!(file.lang, Lang::JavaScript | Lang::TypeScript) || !found.iter().any(held) {
            return false;
        }
        let (mine, rest): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(found).into_iter().partition(held);
        *found = rest;
        lock(&self.held).extend(mine);
        true
    }

    /// The held findings: notes in development packages and Jest's setup files.
    pub fn finish(&self) -> Vec<Finding> {
        let packages = std::mem::take(&mut *lock(&self.packages));
        let mut out = std::mem::take(&mut *lock(&self.held));
        let root_dev: Vec<&str> = packages
            .iter()
            .filter(|p| p.dir.is_empty())
            .flat_map(|p| p.dev_dependencies.iter().map(String::as_str))
            .collect();
        let dev_packages: Vec<&Package> = packages
            .iter()
            .filter(|p| {
                !p.dir.is_empty()
                    && p.private
                    && p.dependencies == 0
                    && !p.dev_dependencies.is_empty()
                    && p.name.as_deref().is_some_and(|n| root_dev.contains(&n))
            })
            .collect();
        for f in &mut out {
            let Location::File(span) = &f.location else {
                continue;
            };
            let why = if let Some(p) = dev_packages
                .iter()
                .find(|p| span.path.starts_with(&format!("{}/", p.dir)))
            {
                format!(
                    "in `{}`, a private workspace package for development: the root package.json lists it only under devDependencies, and it has no dependencies of its own",
                    p.dir
                )
            } else if packages.iter().any(|p| p.jest_files.contains(&span.path)) {
                "a Jest setup file named in package.json: test configuration".to_string()
            } else {
                continue;
            };
            if f.severity > Severity::Note {
                f.severity = Severity::Note;
                f.message.push_str(&format!(" ({why})"));
            }
        }
        out
    }
}

fn read_package(path: &str, content: &[u8]) -> Option<Package> {
    if content.len() > MAX_MANIFEST_BYTES {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(content).ok()?;
    let dir = parent(path).to_string();
    let keys = |field: &str| -> Vec<String> {
        v.get(field)
            .and_then(|d| d.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let jest = v.get("jest");
    let mut jest_files = Vec::new();
    for key in [
        "globalSetup",
        "globalTeardown",
        "setupFiles",
        "setupFilesAfterEach",
        "setupFilesAfterEnv",
    ] {
        let named: Vec<&str> = match jest.and_then(|j| j.get(key)) {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_str()).collect(),
            _ => Vec::new(),
        };
        for n in named {
            let rel = n.trim_start_matches("<rootDir>/").trim_start_matches("./");
            if rel.contains("..") || rel.starts_with('/') {
                continue;
            }
            jest_files.push(if dir.is_empty() {
                rel.to_string()
            } else {
                format!("{dir}/{rel}")
            });
        }
    }
    Some(Package {
        name: v.get("name").and_then(|n| n.as_str()).map(str::to_string),
        private: v.get("private").and_then(serde_json::Value::as_bool) == Some(true),
        dependencies: keys("dependencies").len(),
        dev_dependencies: keys("devDependencies"),
        jest_files,
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_facts() {
        let p = read_package(
            "tools/dev-server/package.json",
            br#"{"name": "@acme/dev-server", "private": true, "devDependencies": {"express": "4"}}"#,
        );
        let p = p.unwrap_or_default();
        assert_eq!(p.dir, "tools/dev-server");
        assert!(p.private && p.dependencies == 0 && p.dev_dependencies == ["express"]);
        let root = read_package(
            "package.json",
            br#"{"jest": {"globalSetup": "<rootDir>/global-jest-setup.js", "setupFiles": ["./a.js", "../x.js"]}}"#,
        )
        .unwrap_or_default();
        assert_eq!(root.jest_files, ["global-jest-setup.js", "a.js"]);
        assert!(read_package("package.json", b"not json").is_none());
    }
}
