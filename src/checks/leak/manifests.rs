//! Package manifests: libraries and features meant for tests in *production* dependency lists (Cargo
//! `[dependencies]`, package.json `dependencies`, requirements.txt, pyproject `[project] dependencies` and
//! Poetry's main group, a Gemfile's default group), and package file lists that publish tests (npm
//! `files`, Cargo `include`). Python packaging (`find_packages`, MANIFEST.in) is in `python_packaging.rs`.
//!
//! A package that is itself a test tool (`pytest-django`, `tokio-test`, a jest preset) is exempt from the
//! dependency rules: depending on the framework is its job.

use super::libraries::{self, LibKind, Registry};
use super::paths::{self, is_test_support_word};
use super::python_packaging;
use super::resolve::Index;
use super::rule_docs::{
    FAKER_DEPENDENCY, PACKAGE_SHIPS_TESTS, SOURCE_PACKAGE_SHIPS_TESTS, TEST_DEPENDENCY,
};
use super::{make_finding, Extracted, Fact, Pending, Source, Want};
use crate::finding::{Finding, Severity};
use crate::repo::classify::FileClass;
use crate::repo::files;
use crate::rules::CodeRule;
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
    Gemspec,
    GoMod,
    Gradle,
    Maven,
    Sbt,
    Pipfile,
    /// A .NET project file (`*.csproj`, `*.fsproj`, `*.vbproj`).
    DotnetProject,
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
                return requirements_kind(l);
            }
            "pom.xml" => ManifestKind::Maven,
            "build.gradle" | "build.gradle.kts" => ManifestKind::Gradle,
            "build.sbt" => ManifestKind::Sbt,
            "pipfile" => ManifestKind::Pipfile,
            l if l.ends_with(".gemspec") => ManifestKind::Gemspec,
            l if [".csproj", ".fsproj", ".vbproj"]
                .iter()
                .any(|e| l.ends_with(e)) =>
            {
                ManifestKind::DotnetProject
            }
            _ => return None,
        })
    }

    /// Manifests known by their place rather than their name: an sbt build's `project/*.scala`
    /// (`project/AppDependencies.scala`) and a `requirements/` directory's lists (`requirements/base.txt`).
    pub fn of_path(path: &str) -> Option<ManifestKind> {
        let name = paths::file_name(path);
        let dir = paths::file_name(paths::parent(path));
        let lower = name.to_ascii_lowercase();
        match (dir, paths::extension(&lower)) {
            ("project", "scala") => Some(ManifestKind::Sbt),
            (_, "sbt") => Some(ManifestKind::Sbt),
            ("requirements", "txt") => requirements_kind(&lower),
            _ => None,
        }
    }
}

/// A requirements list, unless its name says it is for tests or development (`requirements-dev.txt`,
/// `requirements_test.txt`, `requirements/docs.txt`).
fn requirements_kind(lower_name: &str) -> Option<ManifestKind> {
    let nonprod = paths::stem(lower_name).split(['-', '_', '.']).any(|t| {
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
                | "qa"
                | "e2e"
                | "check"
                | "coverage"
        )
    });
    (!nonprod).then_some(ManifestKind::Requirements)
}

/// Is a group, extra, configuration or profile named for tests or development (`test`, `dev`,
/// `integrationTest`, `e2e`, `lint`)?
pub(crate) fn is_nonprod_section(name: &str) -> bool {
    words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "test"
                | "tests"
                | "testing"
                | "it"
                | "dev"
                | "develop"
                | "development"
                | "ci"
                | "doc"
                | "docs"
                | "lint"
                | "linting"
                | "typing"
                | "types"
                | "mypy"
                | "qa"
                | "e2e"
                | "check"
                | "checks"
                | "coverage"
                | "bench"
                | "benchmark"
                | "local"
                | "tools"
                | "debug"
                | "spec"
                | "fixtures"
                | "mock"
                | "mocks"
        )
    })
}

/// Lower-case words of a name, split at `-`, `_`, `.`, spaces and camelCase humps
/// (`integrationTestImplementation` → integration, test, implementation).
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub(crate) fn extract(kind: ManifestKind, src: &mut Source, out: &mut Extracted) {
    match kind {
        ManifestKind::Cargo => cargo(src, out),
        ManifestKind::PackageJson => package_json(src, out),
        ManifestKind::Requirements => requirements(src, out),
        ManifestKind::Gemfile => super::bundler::gemfile(src, out),
        ManifestKind::Gemspec => super::bundler::gemspec(src, out),
        ManifestKind::Gradle => super::gradle::extract(src, out),
        ManifestKind::Maven => super::maven::extract(src, out),
        ManifestKind::Sbt => super::sbt::extract(src, out),
        ManifestKind::DotnetProject => super::nuget::extract(src, out),
        ManifestKind::Pipfile => python_packaging::pipfile(src, out),
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

pub const TEST_DEPENDENCY_LOADED: CodeRule = CodeRule {
    id: "leak/test-dependency-loaded",
    fires_in: "ship::a_mock_library_in_production_dependencies_that_production_requires_is_an_error",
    title: "Test library in production dependencies, loaded by production code",
    severity: Severity::Error,
    why: "A test double listed as a production dependency is a risk; one that production code also loads at \
          start-up is already running in the live system: an in-memory `ioredis-mock` instead of Redis, a WireMock \
          server, WebMock blocking real HTTP. Rails loads every gem of the Gemfile's default group at boot, so a \
          test gem there runs in production without any `require`. Loaded only behind a setting (`if \
          (config.cacheMode === 'memory')`), it is a warning naming the setting: production must keep it off. \
          After test data reached the live Police \
          National Database through a coding issue, the ICO recommended steps to prevent code being \
          inadvertently added to live systems; this is code that was.",
    fix: "Remove the production code's import of the test library (inject the double from tests instead), then \
          move the dependency to the test or development dependencies (`devDependencies`, `group :test`, \
          `testImplementation`, `<scope>test</scope>`, `% Test`).",
    example: "package.json:5:6 production dependency `ioredis-mock` is a test framework or test double library, and production code loads it (`src/cache.js:2`)",
};

/// A test library in a production dependency list, judged at resolution: whether production code loads it.
#[derive(Debug, Clone)]
pub(crate) struct TestDep {
    pub registry: Registry,
    pub name: String,
    pub kind: LibKind,
    /// Where in the manifest, for the message (`` in Gradle's `implementation` ``); may be empty.
    pub section: String,
}

/// Record a production dependency on a test library, to be judged once the tree is known.
pub(crate) fn dependency(src: &mut Source, out: &mut Extracted, dep: TestDep, span: Range<usize>) {
    let at = src.span(span);
    out.pending(at, dep.name.clone(), Want::TestDependency(Box::new(dep)));
}

/// Judge a production dependency on a test library declared in `file`: an error when production code
/// under the manifest's directory loads it (or Rails loads the Gemfile's default group), a warning
/// otherwise; a generator of made-up records is a note. A gem's own Gemfile (a .gemspec beside it) is
/// for its development.
pub(crate) fn resolve_test_dependency(
    index: &Index,
    file: &str,
    p: &Pending,
    dep: &TestDep,
) -> Option<Finding> {
    let dir = paths::parent(file);
    let gemfile = paths::file_name(file) == "Gemfile";
    // Only the default group is required at boot; another named group is installed, not loaded.
    let default_group = gemfile && dep.section == super::bundler::DEFAULT_GROUP;
    if gemfile
        && index
            .under_dir(dir)
            .iter()
            .any(|e| paths::parent(&e.path) == dir && e.path.ends_with(".gemspec"))
    {
        return None;
    }
    // A gem that ships test support of its own (`lib/active_support/testing/`, `lib/x/test_helper.rb`)
    // depends on test libraries for its users' tests.
    if file.ends_with(".gemspec")
        && index
            .under_dir(&paths::under(dir, "lib"))
            .iter()
            .any(|e| e.class.is_test_side())
    {
        return None;
    }
    // An embedded database is production's unless the service's configuration connects elsewhere and
    // never to it (`spring_datasource`).
    if dep.kind == LibKind::EmbeddedDatabase && (index.jdbc_embedded || !index.jdbc_other) {
        return None;
    }
    let (name, section) = (&dep.name, &dep.section);
    let at = p.at.in_file(file);
    if dep.kind == LibKind::FakeData {
        let msg = format!(
            "production dependency `{name}` ({}){section}",
            dep.kind.describe()
        );
        return Some(make_finding(&FAKER_DEPENDENCY, at, msg, name));
    }
    let loaders: Vec<&LibraryLoaded> = index
        .libraries_loaded
        .iter()
        .filter(|l| {
            l.registry == dep.registry
                && (dir.is_empty() || l.path.starts_with(&format!("{dir}/")))
                && libraries::loads(dep.registry, name, &l.import)
        })
        .collect();
    // Loaded with no condition somewhere: an error. Loaded only behind configuration (the judgement of
    // test imports, `stand_ins::uses`): a warning naming the flag. Only outside production: not loaded.
    let unguarded = loaders
        .iter()
        .find(|l| matches!(l.loading, Loading::Unguarded));
    let guarded = loaders.iter().find_map(|l| match &l.loading {
        Loading::Behind(g) if !g.outside_production() => Some((l, g)),
        _ => None,
    });
    let loaded = unguarded
        .map(|l| format!("production code loads it (`{}:{}`)", l.path, l.line))
        .or_else(|| {
            let app = paths::under(dir, "config/application.rb");
            (default_group && index.is_file(&app))
                .then(|| format!("Rails loads the Gemfile's default group at boot (`{app}`)"))
        });
    let what = dep.kind.describe();
    if let (None, Some((l, g))) = (&loaded, guarded) {
        let then = if g.on_by_default() == Some(false) {
            "off unless production sets it: production must keep it off"
        } else {
            "production must keep it off"
        };
        let mut f = make_finding(
            &TEST_DEPENDENCY_LOADED,
            at,
            format!(
                "production dependency `{name}` is {what}{section}, and production code loads it (`{}:{}`), used only {g}: {then}",
                l.path, l.line
            ),
            name,
        );
        f.severity = Severity::Warning;
        return Some(f);
    }
    Some(match loaded {
        Some(how) => make_finding(
            &TEST_DEPENDENCY_LOADED,
            at,
            format!("production dependency `{name}` is {what}{section}, and {how}"),
            name,
        ),
        None => make_finding(
            &TEST_DEPENDENCY,
            at,
            format!("production dependency `{name}` is {what}{section}"),
            name,
        ),
    })
}

/// A production dependency on another module's test classes (a Maven `test-jar`, a `tests` classifier,
/// Gradle's `testFixtures`, an sbt `compile->test` mapping): reported at once.
pub(crate) fn test_jar(src: &mut Source, out: &mut Extracted, what: &str, span: Range<usize>) {
    let at = src.span(span.clone());
    let evidence = src.str(span);
    let msg = format!(
        "production dependency on another module's test classes ({what}): its tests and fixtures ship with production"
    );
    out.finding(&TEST_DEPENDENCY, at, msg, &evidence);
}

/// A production file's import of a test library: the dependency lists naming it are judged by it.
#[derive(Debug, Clone)]
pub(crate) struct LibraryLoaded {
    pub path: String,
    pub line: u32,
    /// The import as written (`ioredis-mock`, `org.mockito.Mockito`, `webmock/rspec`).
    pub import: String,
    pub registry: libraries::Registry,
    /// How the file's uses of what it imports are guarded, as its language's extractor can tell.
    pub loading: Loading,
}

/// How production code's uses of an imported test library are guarded (`stand_ins::uses`).
#[derive(Debug, Clone)]
pub(crate) enum Loading {
    /// With no condition, or none the extractor reads: it runs.
    Unguarded,
    /// Only behind this condition on configuration (a flag, a setting).
    Behind(crate::repo::reach_guard::Guard),
    /// Only where the environment is not production.
    OutsideProduction,
}

impl LibraryLoaded {
    /// Facts for the test-library imports among a file's findings that the extractor did not already
    /// state (`facts`, with the guard of their uses).
    pub(crate) fn of(path: &str, findings: &[Finding], facts: &[Fact]) -> Vec<Fact> {
        let stated = |line: u32| {
            facts
                .iter()
                .any(|f| matches!(f, Fact::LibraryLoaded(l) if l.line == line))
        };
        let ext = paths::extension(paths::file_name(path));
        let registry = match ext {
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "vue" | "svelte"
            | "astro" | "" => libraries::Registry::Npm,
            "py" => libraries::Registry::PyPI,
            "rb" | "rake" => libraries::Registry::Gems,
            "java" | "kt" | "kts" | "scala" | "groovy" => libraries::Registry::Maven,
            _ => return Vec::new(),
        };
        findings
            .iter()
            .filter(|f| f.rule == super::rule_docs::TEST_LIBRARY_IMPORT.id)
            .filter_map(|f| {
                let crate::finding::Location::File(s) = &f.location else {
                    return None;
                };
                if stated(s.line) {
                    return None;
                }
                Some(Fact::LibraryLoaded(Box::new(LibraryLoaded {
                    path: path.to_string(),
                    line: s.line,
                    import: f.evidence.clone()?,
                    registry,
                    loading: Loading::Unguarded,
                })))
            })
            .collect()
    }
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
            let dep = TestDep {
                registry: Registry::Crates,
                name: name.to_string(),
                kind,
                section: String::new(),
            };
            dependency(src, out, dep, key.span());
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
    // `files` says what `npm publish` packs; npm refuses to publish a `"private": true` package, so its
    // list ships nothing (a workspace package used in place, whose `fixtures/` may be its runtime data).
    let published = json["private"].as_bool() != Some(true);
    if let Some(files) = json["files"].as_array().filter(|_| published) {
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
    // The test libraries among its development dependencies: what an image that installs them
    // (`npm ci` without `--omit=dev`) ships.
    if let Some(dev) = json["devDependencies"].as_object() {
        let libs: Vec<String> = dev
            .keys()
            .filter(|n| libraries::npm_package(n).is_some())
            .cloned()
            .collect();
        if !libs.is_empty() {
            out.facts.push(Fact::DevTestLibraries {
                path: src.path.to_string(),
                libs,
            });
        }
    }
    if is_test_tool_package(&own_name)
        || libraries::npm_package(&own_name).is_some()
        || paths::is_test_support_path(src.path)
    {
        return;
    }
    // Both are installed by `npm ci --omit=dev`; peer dependencies are the consumer's to install.
    for section in ["dependencies", "optionalDependencies"] {
        let Some(deps) = json[section].as_object() else {
            continue;
        };
        let from = key_position(src.text, section).unwrap_or(0);
        for name in deps.keys() {
            let Some(kind) = libraries::npm_package(name) else {
                continue;
            };
            let Some(span) = quoted(src.text, name, from) else {
                continue;
            };
            let dep = TestDep {
                registry: Registry::Npm,
                name: name.clone(),
                kind,
                section: if section == "dependencies" {
                    String::new()
                } else {
                    format!(" (`{section}`)")
                },
            };
            dependency(src, out, dep, span);
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
    // A file that includes a list named for production beside a development one
    // (`-r requirements-prod.txt`, `-r requirements-dev.txt`) is the developers' aggregate: production
    // installs its own list. Its development includes are then no finding (its own pins still are).
    let aggregate = includes(text).iter().any(|f| {
        paths::stem(paths::file_name(f))
            .split(['-', '_', '.'])
            .any(|t| matches!(t, "prod" | "production"))
    });
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let start = super::tokens::skip_ws(text, pos, end);
        pos = end + 1;
        if let Some(included) = included_requirements(text, start, end) {
            let file = String::from_utf8_lossy(&text[included.clone()]).into_owned();
            let name = paths::file_name(&file);
            if name.ends_with(".txt") && requirements_kind(name).is_none() && !aggregate {
                let at = src.span(included);
                let msg = format!(
                    "production requirements include `{file}`, a list of test or development dependencies"
                );
                out.finding(&TEST_DEPENDENCY, at, msg, &file);
            }
            continue;
        }
        let n = text[start..end]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count();
        if n == 0 {
            continue; // comments, -e / --options, URLs
        }
        let name = String::from_utf8_lossy(&text[start..start + n]).into_owned();
        if let Some(kind) = libraries::python_dist(&name) {
            let dep = TestDep {
                registry: Registry::PyPI,
                name,
                kind,
                section: String::new(),
            };
            dependency(src, out, dep, start..start + n);
        }
    }
}

/// Every file a requirements file includes (`-r x.txt`), as written.
fn includes(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let start = super::tokens::skip_ws(text, pos, end);
        pos = end + 1;
        if let Some(r) = included_requirements(text, start, end) {
            out.push(String::from_utf8_lossy(&text[r]).into_owned());
        }
    }
    out
}

/// `-r other.txt` / `--requirement=other.txt`: the included file's span.
fn included_requirements(text: &[u8], start: usize, end: usize) -> Option<Range<usize>> {
    let line = &text[start..end];
    let rest = [&b"-r "[..], b"-r", b"--requirement=", b"--requirement "]
        .iter()
        .find_map(|p| line.strip_prefix(*p).map(|r| (p.len(), r)))?;
    let skip = rest
        .1
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let from = start + rest.0 + skip;
    let len = text[from..end]
        .iter()
        .take_while(|b| !b.is_ascii_whitespace() && **b != b'#')
        .count();
    (len > 0).then_some(from..from + len)
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

    /// Findings, and pending dependencies as an application's tree without imports judges them; by
    /// position.
    fn got(out: &Extracted) -> Vec<(String, String, u32, u32)> {
        let mut v: Vec<(String, String, u32, u32)> = out
            .findings
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
            .collect();
        for p in &out.pending {
            if let Some(r) = rule(judge(
                &[],
                vec![],
                "Gemfile.lock",
                &p.evidence,
                p.want.clone(),
            )) {
                v.push((r, p.evidence.to_string(), p.at.line, p.at.column));
            }
        }
        v.sort_by_key(|x| (x.2, x.3));
        v
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
                (
                    "leak/test-dependency".into(),
                    "tokio/test-util".into(),
                    6,
                    45
                ),
                ("leak/test-dependency".into(), "mockall".into(), 7, 1),
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
        let faker = || {
            Want::TestDependency(Box::new(TestDep {
                registry: Registry::Gems,
                name: "faker".into(),
                kind: LibKind::FakeData,
                section: String::new(),
            }))
        };
        assert_eq!(
            rule(judge(&["Gemfile"], vec![], "Gemfile", "faker", faker())),
            Some("leak/faker-dependency".into())
        );
        let gem = ["Gemfile", "mygem.gemspec"];
        assert_eq!(judge(&gem, vec![], "Gemfile", "faker", faker()), None);
    }

    #[test]
    fn shapes_and_their_near_misses() {
        use libraries::{gem, maven_artifact, npm_package, python_dist};
        for test in [
            npm_package("ioredis-mock"),
            npm_package("mock-fs"),
            npm_package("aws-sdk-client-mock"),
            npm_package("fake-indexeddb"),
            npm_package("@nestjs/testing"),
            npm_package("@testing-library/react"),
            npm_package("testcontainers"),
            npm_package("@vue/test-utils"),
            python_dist("pytest-django"),
            python_dist("testcontainers-postgres"),
            python_dist("django-mock-queries"),
            gem("rspec-rails"),
            gem("mock_redis"),
            gem("rails-controller-testing"),
            maven_artifact("io.rest-assured", "rest-assured"),
            maven_artifact("org.wiremock", "wiremock-standalone"),
            maven_artifact("io.opentelemetry", "opentelemetry-sdk-testing"),
            maven_artifact("org.springframework.boot", "spring-boot-starter-test"),
            maven_artifact("uk.gov.hmrc", "bootstrap-test-play-30"),
            maven_artifact("org.mock-server", "mockserver-client-java"),
        ] {
            assert_eq!(test, Some(LibKind::TestTool));
        }
        assert_eq!(gem("factory_bot_rails"), Some(LibKind::FakeData));
        for prod in [
            npm_package("jest-worker"),
            npm_package("react-ab-testing"),
            npm_package("mockjs-lite"),
            npm_package("express"),
            python_dist("fake-useragent"),
            python_dist("boto3-stubs"),
            python_dist("django-stubs"),
            python_dist("contest"),
            gem("rails"),
            gem("grpc"),
            maven_artifact("io.grpc", "grpc-stub"),
            maven_artifact("io.opentelemetry", "opentelemetry-sdk"),
            maven_artifact("uk.gov.hmrc", "bootstrap-backend-play-30"),
            maven_artifact("org.apache.commons", "commons-lang3"),
        ] {
            assert_eq!(prod, None);
        }
    }

    #[test]
    fn requirements_including_a_test_list() {
        let out = run(
            "requirements.txt",
            "flask
-r requirements-test.txt
-r base.txt
--requirement=requirements/dev.txt
",
        );
        let found: Vec<(String, u32, u32)> = out
            .findings
            .iter()
            .filter_map(|f| match &f.location {
                crate::finding::Location::File(s) => {
                    Some((f.evidence.clone().unwrap_or_default(), s.line, s.column))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("requirements-test.txt".into(), 2, 4),
                ("requirements/dev.txt".into(), 4, 15)
            ]
        );
        assert_eq!(
            ManifestKind::of_path("requirements/base.txt"),
            Some(ManifestKind::Requirements)
        );
        assert_eq!(ManifestKind::of_path("requirements/test.txt"), None);
        assert_eq!(
            ManifestKind::of_path("project/AppDependencies.scala"),
            Some(ManifestKind::Sbt)
        );
    }
}
