//! Java, Kotlin and Scala: imports of classes that exist only under a test source set (`src/test/java/…`,
//! a Play app's `test/`, or its `app/…/testOnly/` controllers), and of test libraries (JUnit, Mockito,
//! AssertJ, Faker, ScalaTest, …).
//!
//! Which classes exist only for tests is a fact about the whole tree — a class under `src/test/java` that also
//! exists under `src/main/java` is not — so imports are collected here and judged after the walk (by
//! `resolve_import` below) against the class table built from the file index.

use super::libraries;
use super::manifests::class_word;
use super::paths::is_test_support_path;
use super::resolve::Index;
use super::rule_docs::{FIXTURE_IMPORT, TEST_IMPORT, TEST_LIBRARY_IMPORT};
use super::tokens::{is_ident, skip_ws, trimmed_lines};
use super::{make_finding, Extracted, Pending, Source, Want};
use crate::config::Config;
use crate::finding::Finding;
use crate::repo::classify::FileClass;
use crate::repo::files::FileEntry;
use std::collections::{HashMap, HashSet};

/// Packages that can never be in the repository: not worth keeping for resolution.
const PLATFORM: &[&str] = &[
    "java.",
    "javax.",
    "jakarta.",
    "kotlin.",
    "kotlinx.",
    "android.",
    "androidx.",
    "sun.",
    "com.sun.",
    "jdk.",
    "scala.",
    "groovy.",
];

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    if is_test_support_path(src.path) {
        return;
    }
    let kotlin = src.path.ends_with(".kt") || src.path.ends_with(".kts");
    let scala = src.path.ends_with(".scala") || src.path.ends_with(".sc");
    let text = src.text;
    for (i, end) in trimmed_lines(text) {
        let line = &text[i..end];
        // Scala imports anywhere (inside objects and classes too), in its own forms.
        if scala {
            if line.starts_with(b"import ") && src.in_code(i) {
                scala_import(src, out, i + 7, end);
            }
            continue;
        }
        if !line.starts_with(b"import") {
            // Imports precede the first type declaration.
            let declaration = [
                &b"class "[..],
                b"public ",
                b"interface ",
                b"object ",
                b"fun ",
                b"enum ",
            ]
            .iter()
            .any(|k| line.starts_with(k));
            // Annotations on the first type end the imports too, but Kotlin's `@file:` ones come first.
            let annotation = line.starts_with(b"@") && !line.starts_with(b"@file:");
            if declaration || annotation {
                break;
            }
            continue;
        }
        let mut j = skip_ws(text, i + 6, end);
        if j == i + 6 {
            continue;
        }
        if text[j..end].starts_with(b"static ") {
            j = skip_ws(text, j + 7, end);
        }
        let name_start = j;
        while j < end && (is_ident(text[j]) || text[j] == b'.' || text[j] == b'`') {
            j += 1;
        }
        let mut name_end = j;
        let wildcard = text.get(j) == Some(&b'*');
        if wildcard && name_end > name_start && text[name_end - 1] == b'.' {
            name_end -= 1;
        }
        if name_end <= name_start {
            continue;
        }
        let name = src.str(name_start..name_end).replace('`', "");
        if let Some(kind) = libraries::jvm_import(&name) {
            let at = src.span(name_start..name_end);
            let msg = format!("imports `{name}` ({}) in production code", kind.describe());
            out.finding(&TEST_LIBRARY_IMPORT, at, msg, &name);
            continue;
        }
        if PLATFORM.iter().any(|p| name.starts_with(p)) || !name.contains('.') {
            continue;
        }
        let at = src.span(name_start..name_end);
        out.pending(at, name, Want::JvmImport { wildcard, kotlin });
    }
}

/// One Scala import statement from `start` (after `import `) to `end`: `a.b.C`, `a.b._`, `a.b.*`,
/// `a.b.{C, D => E, _}`, `a.b.C, x.y.D`.
fn scala_import(src: &mut Source, out: &mut Extracted, start: usize, end: usize) {
    let text = src.text;
    let mut i = start;
    while i < end {
        i = skip_ws(text, i, end);
        let name_start = i;
        while i < end && (is_ident(text[i]) || text[i] == b'.' || text[i] == b'`') {
            i += 1;
        }
        let base_end = i;
        let base = src.str(name_start..base_end).replace('`', "");
        let base = base.trim_end_matches('.').to_string();
        let mut names: Vec<(std::ops::Range<usize>, String, bool)> = Vec::new();
        match text.get(i) {
            Some(b'{') => {
                let close = text[i..end]
                    .iter()
                    .position(|b| *b == b'}')
                    .map_or(end, |c| i + c);
                let mut k = i + 1;
                for part in text[i + 1..close].split(|b| *b == b',') {
                    let lead = part.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    let n = part[lead..].iter().take_while(|b| is_ident(**b)).count();
                    let word = &part[lead..lead + n];
                    let at = k + lead;
                    k += part.len() + 1;
                    match word {
                        b"_" | b"given" => names.push((name_start..base_end, base.clone(), true)),
                        b"" => {}
                        w => {
                            let full = format!("{base}.{}", String::from_utf8_lossy(w));
                            names.push((at..at + n, full, false));
                        }
                    }
                }
                i = close + 1;
            }
            Some(b'_' | b'*') => {
                names.push((name_start..base_end, base.clone(), true));
                i += 1;
            }
            _ => {
                if base.ends_with("._") || base == "_" {
                    names.push((
                        name_start..base_end,
                        base.trim_end_matches("._").to_string(),
                        true,
                    ));
                } else if !base.is_empty() {
                    names.push((name_start..base_end, base.clone(), false));
                }
            }
        }
        for (span, name, wildcard) in names {
            jvm_reference(src, out, span, name, wildcard, false);
        }
        i = skip_ws(text, i, end);
        if text.get(i) != Some(&b',') {
            break;
        }
        i += 1;
    }
}

/// A library import is reported at once; an import that may name a class of this repository is kept.
fn jvm_reference(
    src: &mut Source,
    out: &mut Extracted,
    span: std::ops::Range<usize>,
    name: String,
    wildcard: bool,
    kotlin: bool,
) {
    if let Some(kind) = libraries::jvm_import(&name) {
        let at = src.span(span);
        let msg = format!("imports `{name}` ({}) in production code", kind.describe());
        out.finding(&TEST_LIBRARY_IMPORT, at, msg, &name);
        return;
    }
    if PLATFORM.iter().any(|p| name.starts_with(p)) || !name.contains('.') {
        return;
    }
    let at = src.span(span);
    out.pending(at, name, Want::JvmImport { wildcard, kotlin });
}

/// Resolve a Java/Kotlin import (its name is `p`'s evidence) made by `file`.
pub(crate) fn resolve_import(
    index: &Index,
    file: &str,
    p: &Pending,
    wildcard: bool,
    kotlin: bool,
) -> Option<Finding> {
    let name = &*p.evidence;
    let (path, class) = classes(index).test_only(name, wildcard, kotlin)?;
    let at = p.at.in_file(file);
    let rule = if class == FileClass::Fixture {
        &FIXTURE_IMPORT
    } else {
        &TEST_IMPORT
    };
    let msg = format!(
        "imports `{name}`, which exists only in test sources (`{path}`, {})",
        class_word(class)
    );
    Some(make_finding(rule, at, msg, &p.evidence))
}

/// The index's class table, built on first use.
fn classes<'i>(index: &'i Index<'_>) -> &'i JvmIndex {
    index
        .jvm
        .get_or_init(|| JvmIndex::new(index.config, index.files))
}

/// Java/Kotlin classes by fully-qualified name, from the standard source-set layout
/// (`<module>/src/<set>/<java|kotlin|groovy|scala>/com/acme/Owner.java`).
pub(crate) struct JvmIndex {
    /// Classes that exist in a test-side source set and nowhere in production.
    test_only: HashMap<String, (String, FileClass)>,
    production: HashSet<String>,
    test_only_packages: HashMap<String, (String, FileClass)>,
    production_packages: HashSet<String>,
}

impl JvmIndex {
    fn new(config: &Config, files: &[FileEntry]) -> JvmIndex {
        let mut test: HashMap<String, (String, FileClass)> = HashMap::new();
        let mut production = HashSet::new();
        let mut test_pkgs: HashMap<String, (String, FileClass)> = HashMap::new();
        let mut production_packages = HashSet::new();
        for (path, class) in files.iter().map(|e| (&*e.path, e.class)) {
            let Some((fqn, set)) = jvm_fqn(path) else {
                continue;
            };
            let test_set = match set {
                Set::Source { test } => test,
                // A Play app's `app/` has no source sets: the conventions decide (`app/…/testOnly/`).
                Set::PlayApp => class.is_test_side(),
                Set::PlayTest => true,
            };
            let pkg = fqn.rsplit_once('.').map_or("", |(p, _)| p).to_string();
            // The source set decides: `src/main/java/…/testing/TestFailuresPlugin.java` is production code
            // even though its path looks like a test's, unless the user's globs say otherwise.
            if test_set || (class.is_test_side() && config_says_test(config, path)) {
                test.entry(fqn).or_insert_with(|| (path.to_string(), class));
                test_pkgs
                    .entry(pkg)
                    .or_insert_with(|| (path.to_string(), class));
            } else {
                production.insert(fqn);
                production_packages.insert(pkg);
            }
        }
        test.retain(|k, _| !production.contains(k));
        test_pkgs.retain(|k, _| !production_packages.contains(k));
        JvmIndex {
            test_only: test,
            production,
            test_only_packages: test_pkgs,
            production_packages,
        }
    }

    /// The class or package, present only in test sources, that an import names, if any.
    fn test_only(&self, name: &str, wildcard: bool, kotlin: bool) -> Option<(String, FileClass)> {
        if wildcard {
            if let Some(hit) = self.test_only_packages.get(name) {
                return Some(hit.clone());
            }
        }
        // `a.b.C`, `a.b.C.Inner`, `a.b.C.member` (static): the longest prefix that is a known class.
        let mut n = name;
        while n.matches('.').count() >= 1 {
            if self.production.contains(n) {
                return None;
            }
            if let Some(hit) = self.test_only.get(n) {
                return Some(hit.clone());
            }
            n = n.rsplit_once('.').map_or("", |(p, _)| p);
        }
        // Kotlin imports top-level functions by package: `import com.acme.fixtures.owner`.
        if kotlin {
            let pkg = name.rsplit_once('.').map_or("", |(p, _)| p);
            if !self.production_packages.contains(pkg) {
                return self.test_only_packages.get(pkg).cloned();
            }
        }
        None
    }
}

/// Where a JVM source file lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    /// A standard source set (`src/<set>/<lang>/`), a test one or not (`test`, `testFixtures`, `it`,
    /// `integrationTest`, `androidTest`, …).
    Source { test: bool },
    /// A Play app's production sources (`app/`).
    PlayApp,
    /// A Play app's tests (`test/`, `it/`).
    PlayTest,
}

/// The class name of a source file in a standard source set, or in a Play app's layout (`app/`,
/// `test/`, `it/`, packages from there), and which set it is in.
fn jvm_fqn(path: &str) -> Option<(String, Set)> {
    let (stem, ext) = path.rsplit_once('.')?;
    if !matches!(ext, "java" | "kt" | "groovy" | "scala") {
        return None;
    }
    let comps: Vec<&str> = stem.split('/').collect();
    if let Some(i) = comps
        .windows(3)
        .position(|w| w[0] == "src" && matches!(w[2], "java" | "kotlin" | "groovy" | "scala"))
    {
        let set = comps[i + 1].to_ascii_lowercase();
        let test = set == "it" || set.contains("test");
        let rest = &comps[i + 3..];
        return (!rest.is_empty()).then(|| (rest.join("."), Set::Source { test }));
    }
    // Play (sbt): `app/uk/gov/…/X.scala`, `test/…`, `it/…`, at the root or in a module directory.
    let i = comps
        .iter()
        .position(|c| matches!(*c, "app" | "test" | "it"))?;
    let set = if comps[i] == "app" {
        Set::PlayApp
    } else {
        Set::PlayTest
    };
    let rest = &comps[i + 1..];
    (rest.len() >= 2).then(|| (rest.join("."), set))
}

/// The user's `[paths]` globs make this file test-side (conventions alone do not, in a production set).
fn config_says_test(config: &Config, path: &str) -> bool {
    matches!(
        config.paths.lookup(path),
        Some(crate::config::PathOverride::Class(c)) if c.is_test_side()
    )
}

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::{judge, rule};
    use super::*;
    use crate::repo::lexer::Syntax;

    #[test]
    fn imports_are_collected_and_libraries_reported() {
        let code = "package com.acme;\n\nimport java.util.List;\nimport com.acme.fixtures.OwnerFixtures;\nimport static com.acme.TestData.owner;\nimport com.acme.support.*;\nimport org.mockito.Mockito;\n\npublic class Owners {\n  // import com.acme.Late;\n}\n";
        let path = "src/main/java/com/acme/Owners.java";
        let out = super::super::extract_for_test(path, code, Syntax::CLike, extract);
        let got: Vec<(String, bool, u32, u32)> = out
            .pending
            .iter()
            .map(|p| {
                let w = matches!(p.want, Want::JvmImport { wildcard: true, .. });
                (p.evidence.to_string(), w, p.at.line, p.at.column)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("com.acme.fixtures.OwnerFixtures".into(), false, 4, 8),
                ("com.acme.TestData.owner".into(), false, 5, 15),
                ("com.acme.support".into(), true, 6, 8),
            ]
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].rule, "leak/test-library-import");
    }

    #[test]
    fn scala_import_forms() {
        let code = "package a\n\nimport com.acme.fixtures.{Owner, Pet => P, _}\nimport com.acme.support._\nimport com.acme.data.*\nimport com.acme.x.A, com.acme.y.B\nobject O {\n  import com.acme.inner.C\n  // import com.acme.late.D\n}\n";
        let out = super::super::extract_for_test("app/a/O.scala", code, Syntax::CLike, extract);
        let got: Vec<(String, bool)> = out
            .pending
            .iter()
            .map(|p| {
                let w = matches!(p.want, Want::JvmImport { wildcard: true, .. });
                (p.evidence.to_string(), w)
            })
            .collect();
        let want: Vec<(String, bool)> = [
            ("com.acme.fixtures.Owner", false),
            ("com.acme.fixtures.Pet", false),
            ("com.acme.fixtures", true),
            ("com.acme.support", true),
            ("com.acme.data", true),
            ("com.acme.x.A", false),
            ("com.acme.y.B", false),
            ("com.acme.inner.C", false),
        ]
        .iter()
        .map(|(n, w)| (n.to_string(), *w))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn jvm_test_only_classes() {
        let files = [
            "src/main/java/com/acme/testing/TestFailures.java",
            "src/main/java/com/acme/Owner.java",
            "src/test/java/com/acme/Owner.java",
            "src/test/java/com/acme/OwnerFixtures.java",
            "src/test/kotlin/com/acme/fixtures/Data.kt",
        ];
        let import = |name: &str, wildcard: bool, kotlin: bool| {
            judge(
                &files,
                vec![],
                "src/main/java/com/acme/A.java",
                name,
                Want::JvmImport { wildcard, kotlin },
            )
        };
        assert_eq!(import("com.acme.Owner", false, false), None);
        assert_eq!(
            rule(import("com.acme.OwnerFixtures.make", false, false)),
            Some("leak/test-import".into())
        );
        assert_eq!(
            rule(import("com.acme.fixtures", true, false)),
            Some("leak/fixture-import".into())
        );
        assert_eq!(
            rule(import("com.acme.fixtures.owner", false, true)),
            Some("leak/fixture-import".into())
        );
        assert_eq!(import("com.acme", true, false), None);
        // A production source set with a test-looking package is production.
        assert_eq!(import("com.acme.testing.TestFailures", false, false), None);
    }
}
