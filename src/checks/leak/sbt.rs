//! sbt builds (`build.sbt`, `project/*.scala` such as HMRC's `project/AppDependencies.scala`): test
//! libraries in module IDs (`"org" %% "name" % "1.0"`) that are not scoped to tests, and dependencies on
//! another project's test classes (`"compile->test"`, a `tests` classifier).
//!
//! A module ID is scoped to tests by `% Test`, `% "test"`, `% IntegrationTest`, `% "it"` after it; by a
//! `Test /` or `IntegrationTest /` setting it belongs to (`Test / libraryDependencies += …`); by the
//! `Seq(…)` it is in being mapped to tests (`Seq(…).map(_ % Test)`); or by the definition it is in being
//! named for tests (`val test = Seq(…)`, `def testDependencies`).

use super::libraries::{self, Registry};
use super::manifests::{dependency, is_nonprod_section, test_jar, TestDep};
use super::paths;
use super::tokens::{literal_at, Literal};
use super::{Extracted, Source};
use std::ops::Range;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let module = if paths::file_name(paths::parent(src.path)) == "project" {
        paths::parent(paths::parent(src.path))
    } else {
        paths::parent(src.path)
    };
    if super::gradle::is_test_support_module(&format!("{module}/build.sbt")) {
        return;
    }
    let mut i = 0;
    while i < text.len() {
        // `//` comments.
        if text[i] == b'/' && text.get(i + 1) == Some(&b'/') {
            i = memchr::memchr(b'\n', &text[i..]).map_or(text.len(), |k| i + k);
            continue;
        }
        if text[i] == b'/' && text.get(i + 1) == Some(&b'*') {
            i = memchr::memmem::find(&text[i + 2..], b"*/").map_or(text.len(), |k| i + 2 + k + 2);
            continue;
        }
        if text[i] != b'"' {
            i += 1;
            continue;
        }
        let Some(first) = literal_at(text, i) else {
            i += 1;
            continue;
        };
        let next = first.end;
        // `"compile->test"`: production compiles against another project's tests.
        let content = src.str(first.content.clone());
        if content.contains("->") && maps_compile_to_test(&content) {
            test_jar(src, out, &format!("`\"{content}\"`"), first.content.clone());
            i = next;
            continue;
        }
        if let Some((artifact, end)) = module_id(text, &first) {
            let group = content;
            let name = src.str(artifact.clone());
            let (test_scoped, tests_classifier) = configuration_after(text, end);
            if !test_scoped && !in_test_context(text, first.content.start) {
                if let Some(c) = tests_classifier {
                    test_jar(src, out, "classifier `tests`", c);
                } else if let Some(kind) = libraries::maven_artifact(&group, scala_name(&name)) {
                    let dep = TestDep {
                        registry: Registry::Maven,
                        name: format!("{group}:{name}"),
                        kind,
                        section: " (sbt, not scoped to `Test`)".into(),
                    };
                    dependency(src, out, dep, artifact);
                }
            }
            i = end;
            continue;
        }
        i = next;
    }
}

/// `scalatest_2.13` → `scalatest`.
fn scala_name(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((base, v)) if v.chars().all(|c| c.is_ascii_digit() || c == '.') => base,
        _ => name,
    }
}

/// `"compile->test"`, `"compile->compile;test->test"`: does a production configuration map to `test`?
fn maps_compile_to_test(mapping: &str) -> bool {
    mapping.split(';').any(|m| {
        let (from, to) = m.split_once("->").unwrap_or((m, ""));
        matches!(from.trim(), "compile" | "runtime" | "default")
            && to.split(',').any(|t| t.trim() == "test")
    })
}

/// After a group literal: `%`/`%%`/`%%%` and the artifact literal. The artifact's content span and where
/// the module ID's `% version` ends.
fn module_id(text: &[u8], group: &Literal) -> Option<(Range<usize>, usize)> {
    let mut j = skip(text, group.end);
    let ops = text[j..].iter().take_while(|b| **b == b'%').count();
    if !(1..=3).contains(&ops) {
        return None;
    }
    j = skip(text, j + ops);
    if text.get(j) != Some(&b'"') {
        return None;
    }
    let artifact = literal_at(text, j)?;
    // `% "1.2.3"` or `% someVersion`.
    let mut end = skip(text, artifact.end);
    if text.get(end) == Some(&b'%') && text.get(end + 1) != Some(&b'%') {
        end = skip(text, end + 1);
        end = operand_end(text, end);
    }
    Some((artifact.content, end))
}

fn skip(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && matches!(text[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// The end of one operand: a string literal or a dotted identifier.
fn operand_end(text: &[u8], i: usize) -> usize {
    if text.get(i) == Some(&b'"') {
        return literal_at(text, i).map_or(i + 1, |l| l.end);
    }
    let mut k = i;
    while k < text.len() && (text[k].is_ascii_alphanumeric() || matches!(text[k], b'_' | b'.')) {
        k += 1;
    }
    k
}

/// What follows a module ID: `% Test` / `% "test"` (scoped to tests) and `classifier "tests"` (its test
/// jar), possibly both, across `%` and `classifier` chains.
fn configuration_after(text: &[u8], mut i: usize) -> (bool, Option<Range<usize>>) {
    let mut test_scoped = false;
    let mut classifier = None;
    loop {
        i = skip(text, i);
        if text.get(i) == Some(&b'%') && text.get(i + 1) != Some(&b'%') {
            let s = skip(text, i + 1);
            let e = operand_end(text, s);
            let word = String::from_utf8_lossy(&text[s..e])
                .trim_matches('"')
                .to_string();
            test_scoped |=
                word.split(',').all(|w| is_nonprod_section(w.trim())) && !word.contains("->");
            i = e;
            continue;
        }
        if text[i..].starts_with(b"classifier") {
            let s = skip(text, i + "classifier".len());
            let e = operand_end(text, s);
            let word = String::from_utf8_lossy(&text[s..e])
                .trim_matches('"')
                .to_string();
            if word == "tests" && e > s + 1 {
                classifier = Some(s + 1..e - 1);
            }
            i = e;
            continue;
        }
        break;
    }
    (test_scoped, classifier)
}

/// Is the module ID at `at` inside a test-scoped setting (`Test / libraryDependencies`), a `Seq(…)` mapped
/// to tests (`.map(_ % Test)`), or a definition named for tests (`val test = …`)?
fn in_test_context(text: &[u8], at: usize) -> bool {
    // The statement's start: the last line before `at` that is not indented more than a definition.
    let before = &text[..at];
    let line_start = |i: usize| memchr::memrchr(b'\n', &before[..i]).map_or(0, |k| k + 1);
    // Enclosing `Seq(` / `List(` / `libraryDependencies ++=`: walk back over balanced parentheses.
    let mut depth = 0i32;
    let mut k = at;
    while k > 0 {
        k -= 1;
        match before[k] {
            b')' => depth += 1,
            b'(' if depth > 0 => depth -= 1,
            b'(' => {
                // `Seq(` … `).map(_ % Test)`.
                if let Some(close) = matching_close(text, k) {
                    let after = skip_all_ws(text, close + 1);
                    let tail = &text[after..(after + 32).min(text.len())];
                    let tail: Vec<u8> = tail
                        .iter()
                        .copied()
                        .filter(|b| !b.is_ascii_whitespace())
                        .collect();
                    if tail.starts_with(b".map(_%Test)")
                        || tail.starts_with(b".map(_%\"test\")")
                        || tail.starts_with(b".map(_%IntegrationTest)")
                        || tail.starts_with(b".map(_%\"it\")")
                    {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    // The definition or setting it belongs to: the nearest line above (or at) `at` that starts a `val`,
    // `def`, `lazy val` or a setting (`libraryDependencies`, `Test / …`).
    let mut ls = line_start(at);
    loop {
        let end = memchr::memchr(b'\n', &text[ls..]).map_or(text.len(), |e| ls + e);
        let line = String::from_utf8_lossy(&text[ls..end]);
        let t = line.trim_start();
        if t.starts_with("Test /") || t.starts_with("IntegrationTest /") || t.contains("in Test") {
            return true;
        }
        let def = [
            "lazy val ",
            "val ",
            "def ",
            "private val ",
            "private def ",
            "override def ",
        ]
        .iter()
        .find_map(|p| t.strip_prefix(p));
        if let Some(rest) = def {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            return is_nonprod_section(&name);
        }
        if t.starts_with("libraryDependencies") || t.starts_with("lazy val") || ls == 0 {
            return false;
        }
        ls = line_start(ls - 1);
    }
}

fn skip_all_ws(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && text[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn matching_close(text: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < text.len() {
        match text[i] {
            b'"' => {
                i = literal_at(text, i).map_or(i + 1, |l| l.end);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::Want;
    use super::*;
    use crate::repo::lexer::Syntax;

    fn found(path: &str, text: &str) -> (Vec<(String, u32, u32)>, Vec<u32>) {
        let out = super::super::extract_for_test(path, text, Syntax::CLike, extract);
        let deps = out
            .pending
            .iter()
            .filter(|p| matches!(p.want, Want::TestDependency(_)))
            .map(|p| (p.evidence.to_string(), p.at.line, p.at.column))
            .collect();
        let jars = out
            .findings
            .iter()
            .filter_map(|f| match &f.location {
                crate::finding::Location::File(s) => Some(s.line),
                _ => None,
            })
            .collect();
        (deps, jars)
    }

    #[test]
    fn hmrc_style_app_dependencies() {
        let deps = "object AppDependencies {\n  val compile = Seq(\n    \"uk.gov.hmrc\" %% \"bootstrap-backend-play-30\" % bootstrapVersion,\n    \"org.scalatestplus\" %% \"mockito-4-11\" % \"3.2.18.0\"\n  )\n\n  val test = Seq(\n    \"uk.gov.hmrc\" %% \"bootstrap-test-play-30\" % bootstrapVersion,\n    \"org.scalamock\" %% \"scalamock\" % \"5.2.0\"\n  ).map(_ % Test)\n\n  def it: Seq[ModuleID] = Seq(\"com.github.tomakehurst\" % \"wiremock\" % \"3.0.1\")\n}\n";
        let (d, j) = found("project/AppDependencies.scala", deps);
        assert_eq!(d, vec![("org.scalatestplus:mockito-4-11".into(), 4, 29)]);
        assert!(j.is_empty());
    }

    #[test]
    fn build_sbt_scopes_and_test_jars() {
        let sbt = "libraryDependencies ++= Seq(\n  \"org.scalatest\" %% \"scalatest\" % \"3.2.18\",\n  \"org.mockito\" % \"mockito-core\" % \"5.0.0\" % Test,\n  \"io.rest-assured\" % \"rest-assured\" % \"5.4.0\" % \"test\",\n  \"com.acme\" %% \"claims\" % \"1.0\" classifier \"tests\"\n)\nTest / libraryDependencies += \"org.scalamock\" %% \"scalamock\" % \"5.2.0\"\nlazy val api = project.dependsOn(core % \"compile->test\")\n// \"org.mockito\" % \"mockito-core\" % \"5\"\n";
        let (d, j) = found("build.sbt", sbt);
        assert_eq!(d, vec![("org.scalatest:scalatest".into(), 2, 23)]);
        assert_eq!(j, vec![5, 8]);
    }
}
