//! Python packaging: what a wheel installs and what an sdist carries.
//!
//! - `find_packages()` / `find_namespace_packages()` in setup.py, `packages = find:` in setup.cfg, and
//!   `[tool.setuptools.packages.find]` in pyproject.toml install every package under `where` — including a
//!   top-level `tests` package — unless excluded. Whether such a package exists is a tree fact, so these
//!   become pending references. (setuptools' *automatic* discovery excludes `tests` itself: not reported.)
//! - Explicit package lists (`[tool.setuptools] packages`, Poetry `packages`, Hatch wheel `packages`)
//!   naming a test package are reported at once.
//! - MANIFEST.in `graft tests` / `recursive-include tests …` put tests in the sdist: a note.
//! - `[project] dependencies` and Poetry's main dependencies naming test libraries or Faker.

use super::libraries;
use super::libraries::Registry;
use super::manifests::{
    class_word, dependency, entry_class, is_nonprod_section, is_test_tool_package, unquoted,
    TestDep,
};
use super::paths;
use super::resolve::Index;
use super::rule_docs::{PACKAGE_SHIPS_TESTS, SOURCE_PACKAGE_SHIPS_TESTS};
use super::tokens::{call_args, is_ident, literal_at, whole_literal, word_occurrences};
use super::{make_finding, Extracted, FindPackages, Pending, Source, Want};
use crate::finding::Finding;
use crate::repo::files;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

// ---------------------------------------------------------------- setup.py

pub(crate) fn setup_py(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    for (word, namespaces) in [
        (&b"find_packages"[..], false),
        (b"find_namespace_packages", true),
    ] {
        for at in word_occurrences(text, word, true) {
            let paren = at + word.len();
            let Some((args, _)) = call_args(text, paren, 2000) else {
                continue;
            };
            let mut base = src.dir().to_string();
            let mut include = Vec::new();
            let mut exclude = Vec::new();
            for (n, arg) in args.iter().enumerate() {
                let a = &text[arg.clone()];
                let (key, value) = match split_kwarg(a) {
                    Some((k, v)) => (k, arg.start + v),
                    None => (if n == 0 { "where" } else { "" }, arg.start),
                };
                let value = value..arg.end;
                match key {
                    "where" => {
                        if let Some(c) = whole_literal(text, &value) {
                            match paths::join(src.dir(), &src.str(c)) {
                                Some(b) => base = b,
                                None => continue,
                            }
                        }
                    }
                    "include" => include = literals(src, value),
                    "exclude" => exclude = literals(src, value),
                    _ => {}
                }
            }
            if !src.in_code(at) {
                continue;
            }
            let call = format!("{}()", String::from_utf8_lossy(word));
            let span = at..paren;
            let at = src.span(span);
            out.pending(
                at,
                call.clone(),
                Want::FindPackages(Box::new(super::FindPackages {
                    base,
                    namespaces,
                    include,
                    exclude,
                    call,
                })),
            );
        }
    }
}

/// `key=value` → (key, offset of value within the argument).
fn split_kwarg(a: &[u8]) -> Option<(&'static str, usize)> {
    let ident = a.iter().take_while(|b| is_ident(**b)).count();
    let mut j = ident;
    while a.get(j) == Some(&b' ') {
        j += 1;
    }
    if ident == 0 || a.get(j) != Some(&b'=') || a.get(j + 1) == Some(&b'=') {
        return None;
    }
    let key = match &a[..ident] {
        b"where" => "where",
        b"include" => "include",
        b"exclude" => "exclude",
        _ => "other",
    };
    let mut v = j + 1;
    while a.get(v) == Some(&b' ') {
        v += 1;
    }
    Some((key, v))
}

/// Every string literal's content in a range (`["tests", "tests.*"]`).
fn literals(src: &Source, range: Range<usize>) -> Vec<String> {
    let text = src.text;
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        if matches!(text[i], b'"' | b'\'') {
            if let Some(l) = literal_at(text, i) {
                out.push(src.str(l.content));
                i = l.end;
                continue;
            }
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------- setup.cfg

/// `[options] packages = find:` with `[options.packages.find] where/include/exclude`.
pub(crate) fn setup_cfg(src: &mut Source, out: &mut Extracted) {
    let text = String::from_utf8_lossy(src.text).into_owned();
    let mut section = String::new();
    let mut find_at: Option<(Range<usize>, bool)> = None;
    let mut opts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut key = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed.trim_matches(['[', ']']).to_string();
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let continuation = line.starts_with([' ', '\t']);
        let (k, v) = match trimmed.split_once('=') {
            Some((k, v)) if !continuation => (k.trim().to_string(), v.trim()),
            _ => (key.clone(), trimmed),
        };
        key = k.clone();
        if section == "options" && k == "packages" && (v == "find:" || v == "find_namespace:") {
            let col = line.find(v).unwrap_or(0);
            find_at = Some((start + col..start + col + v.len(), v == "find_namespace:"));
        }
        if section == "options.packages.find" {
            let values = opts.entry(k).or_default();
            values.extend(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            );
        }
    }
    let Some((span, namespaces)) = find_at else {
        return;
    };
    let base = opts
        .get("where")
        .and_then(|w| w.first())
        .and_then(|w| paths::join(src.dir(), w))
        .unwrap_or_else(|| src.dir().to_string());
    let at = src.span(span);
    out.pending(
        at,
        "packages = find:".to_string(),
        Want::FindPackages(Box::new(super::FindPackages {
            base,
            namespaces,
            include: opts.get("include").cloned().unwrap_or_default(),
            exclude: opts.get("exclude").cloned().unwrap_or_default(),
            call: "`packages = find:`".to_string(),
        })),
    );
}

// ---------------------------------------------------------------- pyproject.toml

#[derive(Debug, Default, Deserialize)]
struct PyProject {
    project: Option<Project>,
    tool: Option<Tool>,
}

#[derive(Debug, Default, Deserialize)]
struct Project {
    name: Option<String>,
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
struct Tool {
    setuptools: Option<Setuptools>,
    poetry: Option<Poetry>,
    hatch: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
struct PoetryGroup {
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    dependencies: BTreeMap<Spanned<String>, toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
struct Setuptools {
    packages: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
struct Poetry {
    name: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<Spanned<String>, toml::Value>,
    #[serde(default)]
    group: BTreeMap<String, PoetryGroup>,
    #[serde(default)]
    extras: BTreeMap<String, Vec<String>>,
    packages: Option<Spanned<toml::Value>>,
}

pub(crate) fn pyproject(src: &mut Source, out: &mut Extracted) {
    let Ok(text) = std::str::from_utf8(src.text) else {
        return;
    };
    let Ok(doc) = toml::from_str::<PyProject>(text) else {
        return;
    };
    let project = doc.project.unwrap_or_default();
    let tool = doc.tool.unwrap_or_default();
    let poetry = tool.poetry.unwrap_or_default();
    let own = project.name.or(poetry.name).unwrap_or_default();
    if let Some(packages) = tool.setuptools.and_then(|s| s.packages) {
        setuptools_packages(src, out, &packages);
    }
    if let Some(packages) = &poetry.packages {
        // [{ include = "tests" }, { include = "app", from = "src" }]
        listed_packages(src, out, packages, "include");
    }
    if let Some(wheel) = tool
        .hatch
        .as_ref()
        .and_then(|h| h.get("build"))
        .and_then(|b| b.get("targets"))
        .and_then(|t| t.get("wheel"))
    {
        for key in ["packages", "include"] {
            for entry in wheel
                .get(key)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                if let Some(e) = entry.as_str() {
                    report_listed(src, out, e, None);
                }
            }
        }
    }
    if is_test_tool_package(&own) || paths::is_test_support_path(src.path) {
        return;
    }
    requirement_list(src, out, &project.dependencies, "");
    // Extras a production install may ask for: any not named for tests or development.
    for (extra, reqs) in &project.optional_dependencies {
        if !is_nonprod_section(extra) {
            requirement_list(src, out, reqs, &format!(" (extra `{extra}`)"));
        }
    }
    // Poetry: the main group, and other groups `poetry install` installs (not optional, not named for
    // tests or development). An optional main dependency ships only through an extra that names it.
    let poetry_extras: Vec<(&String, &Vec<String>)> = poetry
        .extras
        .iter()
        .filter(|(extra, _)| !is_nonprod_section(extra))
        .collect();
    for (name, value) in &poetry.dependencies {
        let optional = value
            .get("optional")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let section = if optional {
            let Some((extra, _)) = poetry_extras
                .iter()
                .find(|(_, deps)| deps.iter().any(|d| d == name.get_ref()))
            else {
                continue;
            };
            format!(" (extra `{extra}`)")
        } else {
            String::new()
        };
        poetry_dependency(src, out, name, section);
    }
    for (group, g) in &poetry.group {
        if g.optional || is_nonprod_section(group) {
            continue;
        }
        for name in g.dependencies.keys() {
            poetry_dependency(src, out, name, format!(" (Poetry group `{group}`)"));
        }
    }
}

fn poetry_dependency(
    src: &mut Source,
    out: &mut Extracted,
    name: &Spanned<String>,
    section: String,
) {
    if let Some(kind) = libraries::python_dist(name.get_ref()) {
        let dep = TestDep {
            registry: Registry::PyPI,
            name: name.get_ref().clone(),
            kind,
            section,
        };
        dependency(src, out, dep, name.span());
    }
}

/// PEP 508 requirement strings (`"pytest>=8 ; python_version > '3.9'"`): each name a test library.
fn requirement_list(
    src: &mut Source,
    out: &mut Extracted,
    reqs: &[Spanned<String>],
    section: &str,
) {
    for dep in reqs {
        let req = dep.get_ref();
        let n = req
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            .count();
        let name = &req[..n];
        if let Some(kind) = libraries::python_dist(name) {
            let start = unquoted(dep.span()).start;
            let dep = TestDep {
                registry: Registry::PyPI,
                name: name.to_string(),
                kind,
                section: section.to_string(),
            };
            dependency(src, out, dep, start..start + n);
        }
    }
}

// ---------------------------------------------------------------- Pipfile

#[derive(Debug, Default, Deserialize)]
struct Pipfile {
    #[serde(default)]
    packages: BTreeMap<Spanned<String>, toml::Value>,
}

/// A Pipfile's `[packages]` (what `pipenv install --deploy` installs); `[dev-packages]` and other
/// categories are installed only on request.
pub(crate) fn pipfile(src: &mut Source, out: &mut Extracted) {
    let Ok(text) = std::str::from_utf8(src.text) else {
        return;
    };
    let Ok(doc) = toml::from_str::<Pipfile>(text) else {
        return;
    };
    for name in doc.packages.keys() {
        poetry_dependency(src, out, name, " (Pipfile `[packages]`)".into());
    }
}

fn setuptools_packages(src: &mut Source, out: &mut Extracted, packages: &Spanned<toml::Value>) {
    match packages.get_ref() {
        toml::Value::Array(_) => listed_packages(src, out, packages, ""),
        toml::Value::Table(t) => {
            let Some(find) = t.get("find").and_then(|f| f.as_table()) else {
                return;
            };
            let strings = |k: &str| -> Vec<String> {
                match find.get(k) {
                    Some(toml::Value::Array(a)) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    Some(toml::Value::String(s)) => vec![s.clone()],
                    _ => Vec::new(),
                }
            };
            let wheres = strings("where");
            let wheres = if wheres.is_empty() {
                vec![".".to_string()]
            } else {
                wheres
            };
            let namespaces = find
                .get("namespaces")
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            let header = memchr::memmem::find(src.text, b"[tool.setuptools.packages.find]")
                .map(|i| i + 1..i + 31)
                .unwrap_or_else(|| packages.span());
            for w in wheres {
                let Some(base) = paths::join(src.dir(), &w) else {
                    continue;
                };
                let at = src.span(header.clone());
                out.pending(
                    at,
                    "tool.setuptools.packages.find".to_string(),
                    Want::FindPackages(Box::new(super::FindPackages {
                        base,
                        namespaces,
                        include: strings("include"),
                        exclude: strings("exclude"),
                        call: "`[tool.setuptools.packages.find]`".to_string(),
                    })),
                );
            }
        }
        _ => {}
    }
}

/// A list of packages (strings, or tables with `key`), reporting the test-side ones.
fn listed_packages(
    src: &mut Source,
    out: &mut Extracted,
    packages: &Spanned<toml::Value>,
    key: &str,
) {
    let Some(list) = packages.get_ref().as_array() else {
        return;
    };
    for entry in list {
        let name = if key.is_empty() {
            entry.as_str()
        } else {
            entry.get(key).and_then(|v| v.as_str())
        };
        if let Some(n) = name {
            report_listed(src, out, n, Some(packages.span()));
        }
    }
}

fn report_listed(src: &mut Source, out: &mut Extracted, entry: &str, within: Option<Range<usize>>) {
    let as_path = if entry.contains('/') {
        entry.to_string()
    } else {
        entry.replace('.', "/")
    };
    let Some(class) = entry_class(src, src.dir(), &as_path) else {
        return;
    };
    let from = within.as_ref().map_or(0, |r| r.start);
    let Some(span) = super::manifests::quoted(src.text, entry, from) else {
        return;
    };
    let at = src.span(span);
    let msg = format!(
        "the wheel's package list installs `{entry}` ({}) into site-packages",
        class_word(class)
    );
    out.finding(&PACKAGE_SHIPS_TESTS, at, msg, entry);
}

// ---------------------------------------------------------------- MANIFEST.in

/// `graft tests`, `recursive-include tests *.py`, `include tests/*.json` — unless a later `prune tests`
/// takes them out again.
pub(crate) fn manifest_in(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut added: Vec<(String, Range<usize>, crate::repo::classify::FileClass)> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let line_start = pos;
        pos = end + 1;
        let words = split_words(text, line_start, end);
        let Some(cmd) = words.first() else { continue };
        let cmd = src.str(cmd.clone());
        let targets: Vec<Range<usize>> = match cmd.as_str() {
            "graft" | "recursive-include" => words.get(1).cloned().into_iter().collect(),
            "include" => words[1..].to_vec(),
            "prune" | "recursive-exclude" => {
                if let Some(d) = words.get(1) {
                    let d = src.str(d.clone());
                    let d = d.trim_end_matches('/');
                    added.retain(|(a, _, _)| a != d && !a.starts_with(&format!("{d}/")));
                }
                continue;
            }
            _ => continue,
        };
        for t in targets {
            let entry = src.str(t.clone());
            if let Some(class) = entry_class(src, src.dir(), &entry) {
                added.push((entry.trim_end_matches('/').to_string(), t, class));
            }
        }
    }
    for (entry, span, class) in added {
        let at = src.span(span);
        let msg = format!(
            "MANIFEST.in puts `{entry}` ({}) in the source distribution",
            class_word(class)
        );
        out.finding(&SOURCE_PACKAGE_SHIPS_TESTS, at, msg, &entry);
    }
}

fn split_words(text: &[u8], from: usize, to: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        while i < to && text[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= to || text[i] == b'#' {
            break;
        }
        let s = i;
        while i < to && !text[i].is_ascii_whitespace() {
            i += 1;
        }
        out.push(s..i);
    }
    out
}

/// Resolve `find_packages()` / `[tool.setuptools.packages.find]` declared in `file`.
pub(crate) fn resolve_find_packages(
    index: &Index,
    file: &str,
    p: &Pending,
    f: &FindPackages,
) -> Option<Finding> {
    let (pkg, evidence) = find_packages(index, &f.base, f.namespaces, &f.include, &f.exclude)?;
    let msg = format!(
        "{} installs the top-level test package `{pkg}` ({evidence}) into site-packages",
        f.call
    );
    Some(make_finding(
        &PACKAGE_SHIPS_TESTS,
        p.at.in_file(file),
        msg,
        &p.evidence,
    ))
}

/// The first top-level test package under `base` that the find configuration would pick up.
fn find_packages(
    index: &Index,
    base: &str,
    namespaces: bool,
    include: &[String],
    exclude: &[String],
) -> Option<(String, String)> {
    // The directories directly under `base`, in order (the list is sorted, so each is one run).
    let mut candidates: Vec<String> = Vec::new();
    for e in index.under_dir(base) {
        let rest = if base.is_empty() {
            &*e.path
        } else {
            &e.path[base.len() + 1..]
        };
        if let Some((top, _)) = rest.split_once('/') {
            let d = paths::under(base, top);
            if candidates.last() != Some(&d) {
                candidates.push(d);
            }
        }
    }
    for d in &candidates {
        let d = d.as_str();
        let name = paths::file_name(d);
        let class = files::classify(index.config, &format!("{d}/_"));
        if !class.is_some_and(|c| c.is_test_side()) {
            continue;
        }
        let init = paths::under(d, "__init__.py");
        let evidence = if index.is_file(&init) {
            init
        } else if namespaces {
            let has_py = index
                .under_dir(d)
                .iter()
                .any(|e| e.path.ends_with(".py") && paths::parent(&e.path) == d);
            if !has_py {
                continue;
            }
            format!("{d}/, a namespace package")
        } else {
            continue;
        };
        if exclude.iter().any(|pat| glob_match(pat, name)) {
            continue;
        }
        if !include.is_empty() && !include.iter().any(|pat| glob_match(pat, name)) {
            continue;
        }
        return Some((name.to_string(), evidence));
    }
    None
}

/// Shell-style `*` / `?` matching, as setuptools' include/exclude patterns use.
fn glob_match(pat: &str, s: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => m(&p[1..], s) || !s.is_empty() && m(p, &s[1..]),
            (Some(b'?'), Some(_)) => m(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &s[1..]),
            _ => false,
        }
    }
    m(pat.as_bytes(), s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::judge;
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(f: fn(&mut Source, &mut Extracted), path: &str, text: &str) -> Extracted {
        super::super::extract_for_test(path, text, Syntax::Python, f)
    }

    fn find_packages(out: &Extracted) -> Vec<String> {
        out.pending
            .iter()
            .map(|p| match &p.want {
                Want::FindPackages(f) => format!(
                    "{}:{}:{}:{}:{:?}:{:?}",
                    p.at.line, p.at.column, f.base, f.namespaces, f.include, f.exclude
                ),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn setup_py_calls() {
        let out = run(
            setup_py,
            "pkg/setup.py",
            "from setuptools import setup, find_packages\nsetup(\n    packages=find_packages(exclude=['tests', 'tests.*']),\n)\nfind_namespace_packages(where='src', include=[\"app*\"])\n",
        );
        assert_eq!(
            find_packages(&out),
            vec![
                "3:14:pkg:false:[]:[\"tests\", \"tests.*\"]",
                "5:1:pkg/src:true:[\"app*\"]:[]",
            ]
        );
    }

    #[test]
    fn setup_cfg_and_pyproject() {
        let cfg = "[options]\npackages = find:\n\n[options.packages.find]\nexclude =\n    tests\n    tests.*\n";
        assert_eq!(
            find_packages(&run(setup_cfg, "setup.cfg", cfg)),
            vec!["2:12::false:[]:[\"tests\", \"tests.*\"]"]
        );
        let py = "[project]\nname = \"svc\"\ndependencies = [\"flask>=3\", \"Faker>=20\"]\n\n[tool.setuptools.packages.find]\nwhere = [\"src\"]\n\n[tool.poetry]\npackages = [{ include = \"tests\" }]\n";
        let out = run(pyproject, "pyproject.toml", py);
        assert_eq!(find_packages(&out)[0], "5:2:src:true:[]:[]");
        let faker = out
            .pending
            .iter()
            .find(|p| matches!(p.want, Want::TestDependency(_)));
        assert_eq!(faker.map(|p| (p.at.line, p.at.column)), Some((3, 30)));
        let rules: Vec<(&str, u32, u32)> = out
            .findings
            .iter()
            .map(|f| match &f.location {
                crate::finding::Location::File(s) => (f.rule.as_str(), s.line, s.column),
                _ => ("", 0, 0),
            })
            .collect();
        assert_eq!(rules, vec![("leak/package-ships-tests", 9, 26)]);
    }

    #[test]
    fn manifest_in_grafts_unless_pruned() {
        let out = run(
            manifest_in,
            "MANIFEST.in",
            "include README.md\ngraft tests\nrecursive-include docs *.rst\nrecursive-include tests/fixtures *.json\ngraft spec\nprune spec\n",
        );
        let got: Vec<(String, u32, u32)> = out
            .findings
            .iter()
            .map(|f| match &f.location {
                crate::finding::Location::File(s) => {
                    (f.evidence.clone().unwrap_or_default(), s.line, s.column)
                }
                _ => (String::new(), 0, 0),
            })
            .collect();
        assert_eq!(
            got,
            vec![("tests".into(), 2, 7), ("tests/fixtures".into(), 4, 19)]
        );
    }

    #[test]
    fn find_packages_picks_up_top_level_test_packages() {
        let files = [
            "Dockerfile",
            "app/main.py",
            "tests/__init__.py",
            "tests/test_main.py",
        ];
        let fp = |ex: &[&str], inc: &[&str]| {
            Want::FindPackages(Box::new(FindPackages {
                base: String::new(),
                namespaces: false,
                include: inc.iter().map(|s| s.to_string()).collect(),
                exclude: ex.iter().map(|s| s.to_string()).collect(),
                call: "find_packages()".into(),
            }))
        };
        let from_setup = |want| judge(&files, vec![], "setup.py", "e", want);
        assert_eq!(
            from_setup(fp(&[], &[])).map(|f| f.1),
            Some("find_packages() installs the top-level test package `tests` (tests/__init__.py) into site-packages".into())
        );
        assert_eq!(from_setup(fp(&["tests*"], &[])), None);
        assert_eq!(from_setup(fp(&[], &["app*"])), None);
        assert!(glob_match("*.tests", "a.tests") && !glob_match("tests.*", "tests"));
    }
}
