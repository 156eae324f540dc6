//! Package manifests: libraries and features meant for tests in *production* dependency lists (Cargo
//! `[dependencies]`, package.json `dependencies`, requirements.txt, pyproject `[project] dependencies` and
//! Poetry's main group, a Gemfile's default group), and package file lists that publish tests (npm
//! `files`, Cargo `include`). Python packaging (`find_packages`, MANIFEST.in) is in `python_packaging.rs`.
//!
//! A package that is itself a test tool (`pytest-django`, `tokio-test`, a jest preset) is exempt from the
//! dependency rules: depending on the framework is its job.

use super::libraries::{self, LibKind};
use super::paths::{self, is_test_support_word};
use super::python_packaging;
use super::resolve::Index;
use super::rule_docs::{
    FAKER_DEPENDENCY, PACKAGE_SHIPS_TESTS, SOURCE_PACKAGE_SHIPS_TESTS, TEST_DEPENDENCY,
};
use super::{make_finding, Extracted, Pending, Source, Want};
use crate::finding::Finding;
use crate::repo::classify::FileClass;
use crate::repo::files;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManifestKind {
    Cargo,
    PackageJson,
    PyProject,
    SetupPy,
    SetupCfg,
    ManifestIn,
    Requirements,
    Gemfile,
    GoMod,
}

impl ManifestKind {
    pub fn of(name: &str) -> Option<ManifestKind> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "cargo.toml" => ManifestKind::Cargo,
            "package.json" => ManifestKind::PackageJson,
            "pyproject.toml" => ManifestKind::PyProject,
            "setup.py" => ManifestKind::SetupPy,
            "setup.cfg" => ManifestKind::SetupCfg,
            "manifest.in" => ManifestKind::ManifestIn,
            "gemfile" => ManifestKind::Gemfile,
            "go.mod" => ManifestKind::GoMod,
            l if l.starts_with("requirements") && l.ends_with(".txt") => {
                // requirements-dev.txt, requirements_test.txt, requirements.docs.txt: not production.
                let nonprod = paths::stem(l).split(['-', '_', '.']).any(|t| {
                    matches!(
                        t,
                        "dev"
                            | "develop"
                            | "development"
                            | "test"
                            | "tests"
                            | "testing"
                            | "ci"
                            | "doc"
                            | "docs"
                            | "lint"
                            | "typing"
                            | "mypy"
                            | "bench"
                            | "local"
                    )
                });
                if nonprod {
                    return None;
                }
                ManifestKind::Requirements
            }
            _ => return None,
        })
    }
}

pub(crate) fn extract(kind: ManifestKind, src: &mut Source, out: &mut Extracted) {
    match kind {
        ManifestKind::Cargo => cargo(src, out),
        ManifestKind::PackageJson => package_json(src, out),
        ManifestKind::Requirements => requirements(src, out),
        ManifestKind::Gemfile => gemfile(src, out),
        ManifestKind::GoMod => super::go::extract_go_mod(src, out),
        ManifestKind::PyProject => python_packaging::pyproject(src, out),
        ManifestKind::SetupPy => python_packaging::setup_py(src, out),
        ManifestKind::SetupCfg => python_packaging::setup_cfg(src, out),
        ManifestKind::ManifestIn => python_packaging::manifest_in(src, out),
    }
}

/// Is the package itself a test tool, by its name?
pub(crate) fn is_test_tool_package(name: &str) -> bool {
    name.split(['-', '_', '/', '.', '@'])
        .any(is_test_support_word)
}

/// Report a production dependency on a test library.
pub(crate) fn dependency(
    src: &mut Source,
    out: &mut Extracted,
    name: &str,
    kind: LibKind,
    span: Range<usize>,
) {
    let at = src.span(span);
    let (rule, msg) = match kind {
        LibKind::TestTool => (
            &TEST_DEPENDENCY,
            format!("production dependency `{name}` is {}", kind.describe()),
        ),
        LibKind::FakeData => (
            &FAKER_DEPENDENCY,
            format!("production dependency `{name}` ({})", kind.describe()),
        ),
    };
    out.finding(rule, at, msg, name);
}

/// How a package-file-list entry (`tests/**`, `fixtures`, `src/*.test.js`) classifies, if test-side:
/// judged by its literal directories, and as a whole when it has no wildcard.
pub(crate) fn entry_class(src: &Source, base: &str, entry: &str) -> Option<FileClass> {
    let entry = entry.trim_start_matches("./").trim_end_matches('/');
    let literal: Vec<&str> = entry
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[', '{']))
        .collect();
    let mut places = Vec::new();
    if !literal.is_empty() {
        places.push(paths::under(base, &format!("{}/_", literal.join("/"))));
    }
    if !entry.contains(['*', '?', '[', '{']) {
        places.push(paths::under(base, entry));
    } else if let Some(name) = entry.rsplit('/').next() {
        // `src/**/*.test.js`: the file pattern itself names test files.
        let probe = name.replace(['*', '?'], "x");
        places.push(paths::under(base, &probe));
    }
    places
        .iter()
        .filter_map(|p| files::classify(src.config, p))
        .find(|c| c.is_test_side())
}

pub(crate) fn class_word(c: FileClass) -> &'static str {
    if c == FileClass::Fixture {
        "fixture"
    } else {
        "test code"
    }
}

/// Byte range of the first `"needle"` (quoted) at or after `from`, without the quotes.
pub(crate) fn quoted(text: &[u8], needle: &str, from: usize) -> Option<Range<usize>> {
    let q = format!("\"{needle}\"");
    let i = memchr::memmem::find(text.get(from..)?, q.as_bytes())? + from;
    Some(i + 1..i + 1 + needle.len())
}

/// The span of a TOML string value without its quotes (`"x"` → `x`).
pub(crate) fn unquoted(span: Range<usize>) -> Range<usize> {
    if span.end >= span.start + 2 {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

// ---------------------------------------------------------------- Cargo.toml

#[derive(Debug, Default, Deserialize)]
struct CargoManifest {
    package: Option<CargoPackage>,
    #[serde(default)]
    dependencies: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    target: BTreeMap<String, CargoTarget>,
}

#[derive(Debug, Default, Deserialize)]
struct CargoPackage {
    name: Option<toml::Value>,
    include: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
struct CargoTarget {
    #[serde(default)]
    dependencies: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

fn cargo(src: &mut Source, out: &mut Extracted) {
    let Ok(text) = std::str::from_utf8(src.text) else {
        return;
    };
    // A manifest that does not parse is cargo's to report, not ours.
    let Ok(manifest) = toml::from_str::<CargoManifest>(text) else {
        return;
    };
    let package = manifest.package.unwrap_or_default();
    let own_name = package
        .name
        .as_ref()
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    for entry in package.include.unwrap_or_default() {
        let span = unquoted(entry.span());
        if let Some(class) = entry_class(src, src.dir(), entry.get_ref()) {
            let at = src.span(span);
            let msg = format!(
                "the crate's `include` ships `{}` ({}) in the published source package",
                entry.get_ref(),
                class_word(class)
            );
            out.finding(&SOURCE_PACKAGE_SHIPS_TESTS, at, msg, entry.get_ref());
        }
    }
    if is_test_tool_package(&own_name) || paths::is_test_support_path(src.path) {
        return;
    }
    let deps = manifest
        .dependencies
        .iter()
        .chain(manifest.target.values().flat_map(|t| t.dependencies.iter()));
    for (key, value) in deps {
        cargo_dependency(src, out, key, value);
    }
}

fn cargo_dependency(
    src: &mut Source,
    out: &mut Extracted,
    key: &Spanned<String>,
    value: &Spanned<toml::Value>,
) {
    let table = value.get_ref().as_table();
    let optional = table
        .and_then(|t| t.get("optional"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let name = table
        .and_then(|t| t.get("package"))
        .and_then(|v| v.as_str())
        .unwrap_or(key.get_ref());
    // Optional test crates back a feature for downstream property tests (`proptest` → `Arbitrary`
    // impls): enabled on purpose by whoever needs them.
    if !optional {
        if let Some(kind) = libraries::rust_crate(name) {
            dependency(src, out, name, kind, key.span());
        }
    }
    let features = table
        .and_then(|t| t.get("features"))
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    for f in features.iter().filter_map(|f| f.as_str()) {
        if !libraries::RUST_TEST_FEATURES.contains(&f) {
            continue;
        }
        let span = quoted(src.text, f, value.span().start)
            .filter(|s| s.end <= value.span().end)
            .unwrap_or_else(|| key.span());
        let at = src.span(span);
        let msg = format!("production dependency `{name}` enables the test feature `{f}`");
        out.finding(&TEST_DEPENDENCY, at, msg, &format!("{name}/{f}"));
    }
}

// ---------------------------------------------------------------- package.json

fn package_json(src: &mut Source, out: &mut Extracted) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(src.text) else {
        return;
    };
    let own_name = json["name"].as_str().unwrap_or("").to_string();
    if let Some(files) = json["files"].as_array() {
        let from = key_position(src.text, "files").unwrap_or(0);
        for entry in files.iter().filter_map(|e| e.as_str()) {
            if entry.starts_with('!') {
                continue;
            }
            let Some(class) = entry_class(src, src.dir(), entry) else {
                continue;
            };
            let Some(span) = quoted(src.text, entry, from) else {
                continue;
            };
            let at = src.span(span);
            let msg = format!(
                "package.json `files` publishes `{entry}` ({}) in the npm package",
                class_word(class)
            );
            out.finding(&PACKAGE_SHIPS_TESTS, at, msg, entry);
        }
    }
    if is_test_tool_package(&own_name) || paths::is_test_support_path(src.path) {
        return;
    }
    if let Some(deps) = json["dependencies"].as_object() {
        let from = key_position(src.text, "dependencies").unwrap_or(0);
        for name in deps.keys() {
            let Some(kind) = libraries::npm_package(name) else {
                continue;
            };
            let Some(span) = quoted(src.text, name, from) else {
                continue;
            };
            dependency(src, out, name, kind, span);
        }
    }
}

/// Offset of a top-level-looking `"key":` in JSON text.
fn key_position(text: &[u8], key: &str) -> Option<usize> {
    let q = format!("\"{key}\"");
    memchr::memmem::find_iter(text, q.as_bytes()).find(|&i| {
        let after = super::tokens::skip_space(text, i + q.len(), text.len());
        text.get(after) == Some(&b':')
    })
}

// ---------------------------------------------------------------- requirements.txt

fn requirements(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let start = super::tokens::skip_ws(text, pos, end);
        pos = end + 1;
        let n = text[start..end]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count();
        if n == 0 {
            continue; // comments, -r / -e / --options, URLs
        }
        let name = String::from_utf8_lossy(&text[start..start + n]).into_owned();
        if let Some(kind) = libraries::python_dist(&name) {
            dependency(src, out, &name, kind, start..start + n);
        }
    }
}

// ---------------------------------------------------------------- Gemfile

/// Faker in the Gemfile's default (or production) group. Test and development groups are fine; whether
/// the Gemfile belongs to an application or a gem (whose Gemfile is development-only) is settled at
/// resolution, by looking for a .gemspec beside it.
fn gemfile(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    // Each open block: whether it is a non-production `group`.
    let mut blocks: Vec<bool> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let start = super::tokens::skip_ws(text, pos, end);
        pos = end + 1;
        let line = String::from_utf8_lossy(&text[start..end]).into_owned();
        let code = line.split('#').next().unwrap_or("").trim_end();
        if code == "end" {
            blocks.pop();
            continue;
        }
        if code.ends_with(" do") || code.contains(" do |") {
            let nonprod = code.starts_with("group") && only_nonprod_groups(code);
            blocks.push(nonprod);
            continue;
        }
        if !code.starts_with("gem ") && !code.starts_with("gem(") {
            continue;
        }
        if blocks.iter().any(|b| *b) || code.contains("group") && only_nonprod_groups(code) {
            continue;
        }
        let Some(q) = code.find(['"', '\'']) else {
            continue;
        };
        let quote = code.as_bytes()[q];
        let Some(len) = code[q + 1..].find(quote as char) else {
            continue;
        };
        let gem = &code[q + 1..q + 1 + len];
        if libraries::gem(gem).is_none() {
            continue;
        }
        let span = start + q + 1..start + q + 1 + len;
        let at = src.span(span);
        out.pending(
            at,
            gem.to_string(),
            Want::GemfileFaker {
                gem: gem.to_string(),
            },
        );
    }
}

/// Resolve Faker in the default group of the Gemfile `file`: a production dependency unless a .gemspec
/// beside it makes the Gemfile a gem's.
pub(crate) fn resolve_gemfile_faker(
    index: &Index,
    file: &str,
    p: &Pending,
    gem: &str,
) -> Option<Finding> {
    let dir = paths::parent(file);
    let has_gemspec = index
        .under_dir(dir)
        .iter()
        .any(|e| paths::parent(&e.path) == dir && e.path.ends_with(".gemspec"));
    if has_gemspec {
        return None;
    }
    let msg = format!(
        "production dependency `{gem}` (a generator of made-up records) in the Gemfile's default group"
    );
    Some(make_finding(
        &FAKER_DEPENDENCY,
        p.at.in_file(file),
        msg,
        gem,
    ))
}

/// `group :test, :development do` / `group: [:test]`: every named group is a non-production one.
fn only_nonprod_groups(code: &str) -> bool {
    let groups: Vec<&str> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter_map(|w| w.strip_prefix(':'))
        .collect();
    !groups.is_empty()
        && groups
            .iter()
            .all(|g| matches!(*g, "test" | "development" | "dev" | "ci" | "tools" | "lint"))
}

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::{judge, rule};
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, text: &str) -> Extracted {
        super::super::extract_for_test(path, text, Syntax::Hash, |src, out| {
            if let Some(kind) = ManifestKind::of(paths::file_name(path)) {
                extract(kind, src, out);
            }
        })
    }

    fn got(out: &Extracted) -> Vec<(String, String, u32, u32)> {
        out.findings
            .iter()
            .map(|f| {
                let crate::finding::Location::File(s) = &f.location else {
                    return (String::new(), String::new(), 0, 0);
                };
                (
                    f.rule.clone(),
                    f.evidence.clone().unwrap_or_default(),
                    s.line,
                    s.column,
                )
            })
            .collect()
    }

    #[test]
    fn cargo_dependencies_features_and_include() {
        let toml = "[package]\nname = \"svc\"\ninclude = [\"src/**\", \"tests/fixtures/**\"]\n\n[dependencies]\ntokio = { version = \"1\", features = [\"rt\", \"test-util\"] }\nmockall = \"0.13\"\nproptest = { version = \"1\", optional = true }\n\n[dev-dependencies]\ninsta = \"1\"\n\n[target.'cfg(unix)'.dependencies]\nfake = \"2\"\n";
        assert_eq!(
            got(&run("Cargo.toml", toml)),
            vec![
                (
                    "leak/source-package-ships-tests".into(),
                    "tests/fixtures/**".into(),
                    3,
                    23
                ),
                ("leak/test-dependency".into(), "mockall".into(), 7, 1),
                (
                    "leak/test-dependency".into(),
                    "tokio/test-util".into(),
                    6,
                    45
                ),
                ("leak/faker-dependency".into(), "fake".into(), 14, 1),
            ]
        );
        let own = "[package]\nname = \"tokio-test\"\n[dependencies]\ntokio = { version = \"1\", features = [\"test-util\"] }\n";
        assert!(run("tokio-test/Cargo.toml", own).findings.is_empty());
    }

    #[test]
    fn package_json_files_and_dependencies() {
        let json = "{\n  \"name\": \"svc\",\n  \"files\": [\"dist\", \"test/fixtures\", \"!**/*.test.js\", \"src/**/*.spec.js\"],\n  \"dependencies\": { \"express\": \"4\", \"@faker-js/faker\": \"8\", \"jest\": \"29\" },\n  \"devDependencies\": { \"jest\": \"29\" }\n}\n";
        assert_eq!(
            got(&run("package.json", json)),
            vec![
                (
                    "leak/package-ships-tests".into(),
                    "test/fixtures".into(),
                    3,
                    22
                ),
                (
                    "leak/package-ships-tests".into(),
                    "src/**/*.spec.js".into(),
                    3,
                    56
                ),
                (
                    "leak/faker-dependency".into(),
                    "@faker-js/faker".into(),
                    4,
                    38
                ),
                ("leak/test-dependency".into(), "jest".into(), 4, 62),
            ]
        );
    }

    #[test]
    fn requirements_and_gemfiles() {
        assert_eq!(
            got(&run(
                "requirements.txt",
                "flask==3.0\n# pytest\nFaker>=20 ; python_version > '3'\npytest\n"
            )),
            vec![
                ("leak/faker-dependency".into(), "Faker".into(), 3, 1),
                ("leak/test-dependency".into(), "pytest".into(), 4, 1),
            ]
        );
        assert!(ManifestKind::of("requirements-dev.txt").is_none());
        let gemfile = "source 'https://rubygems.org'\ngem 'rails'\ngem 'faker'\ngroup :development, :test do\n  gem 'faker'\nend\ngem 'ffaker', group: :test\n";
        let out = run("Gemfile", gemfile);
        assert_eq!(out.pending.len(), 1);
        assert_eq!((out.pending[0].at.line, out.pending[0].at.column), (3, 6));
    }

    #[test]
    fn faker_in_a_gems_gemfile_is_for_development() {
        let faker = || Want::GemfileFaker {
            gem: "faker".into(),
        };
        assert_eq!(
            rule(judge(&["Gemfile"], vec![], "Gemfile", "faker", faker())),
            Some("leak/faker-dependency".into())
        );
        let gem = ["Gemfile", "mygem.gemspec"];
        assert_eq!(judge(&gem, vec![], "Gemfile", "faker", faker()), None);
    }
}
