//! Gradle builds (Groovy `build.gradle` and Kotlin `build.gradle.kts`): test libraries in configurations
//! that ship (`implementation`, `api`, `runtimeOnly`, the old `compile`/`runtime`, Android's `release…`),
//! and dependencies on another module's test classes (`testFixtures(…)`, a `tests` classifier, a
//! `testArtifacts`/`tests` configuration) there. `testImplementation`, `androidTestImplementation`,
//! `integrationTestImplementation`, `debugImplementation`, `compileOnly` and the like do not ship; nor does
//! anything in `buildscript`, a `testing { suites { … } }` block or a dependency `constraints` block.
//!
//! Read as text: comments and strings are skipped when counting braces, and each statement of a
//! `dependencies { … }` block is one configuration name and its notations (`'g:a:v'`, `group: 'g', name:
//! 'a'`, `libs.mockito.core`, `project(':x')`).

use super::libraries::{self, LibKind, Registry};
use super::manifests::{dependency, test_jar, TestDep};
use super::{Extracted, Source};
use std::ops::Range;

/// Configurations whose dependencies are in the production artefact.
fn ships(configuration: &str) -> bool {
    matches!(
        configuration,
        "implementation"
            | "api"
            | "compile"
            | "runtime"
            | "runtimeOnly"
            | "releaseImplementation"
            | "releaseApi"
            | "releaseRuntimeOnly"
    )
}

/// Blocks whose dependencies are not the production artefact's.
fn excluded_block(name: &str) -> bool {
    matches!(
        name,
        "buildscript" | "testing" | "suites" | "constraints" | "pluginManagement" | "test"
    ) || name.ends_with("Test")
        || name.ends_with("Tests")
}

/// A build module that is itself test support (`core/spring-boot-testcontainers/build.gradle`,
/// `claims-test-utils/pom.xml`): depending on test libraries is its job.
pub(crate) fn is_test_support_module(build_file: &str) -> bool {
    let module = super::paths::file_name(super::paths::parent(build_file));
    !module.is_empty()
        && (super::manifests::is_test_tool_package(module)
            || libraries::test_shape(Registry::Maven, module))
}

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    if is_test_support_module(src.path) {
        return;
    }
    for stmt in dependency_statements(src.text) {
        judge(src, out, &stmt);
    }
}

/// One statement of a `dependencies` block: its configuration and the rest of it.
struct Statement {
    configuration: String,
    body: Range<usize>,
}

/// The statements of every `dependencies { … }` block outside excluded blocks.
fn dependency_statements(text: &[u8]) -> Vec<Statement> {
    let mut out = Vec::new();
    // The open blocks' names.
    let mut blocks: Vec<String> = Vec::new();
    let mut i = 0;
    let mut last_word: Option<Range<usize>> = None;
    let mut line_start = 0;
    while i < text.len() {
        let c = text[i];
        match c {
            b'/' if text.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &text[i..]).map_or(text.len(), |k| i + k);
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&text[i + 2..], b"*/")
                    .map_or(text.len(), |k| i + 2 + k + 2);
                continue;
            }
            b'"' | b'\'' => {
                i = skip_string(text, i);
                continue;
            }
            b'\n' => line_start = i + 1,
            b'{' => {
                let name = last_word
                    .take()
                    .map(|r| String::from_utf8_lossy(&text[r]).into_owned())
                    .unwrap_or_default();
                blocks.push(name);
                let in_deps = blocks.last().is_some_and(|b| b == "dependencies");
                let excluded = blocks.iter().any(|b| excluded_block(b));
                if in_deps && !excluded {
                    let close = matching_brace(text, i);
                    out.extend(statements(text, i + 1, close));
                }
            }
            b'}' => {
                blocks.pop();
                last_word = None;
            }
            b'(' => {
                // `integrationTest(JvmTestSuite) {`: the block is named by the word before the parens.
                let close = matching_paren(text, i);
                i = close + 1;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < text.len() && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
                    i += 1;
                }
                last_word = Some(s..i);
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => last_word = None,
        }
        let _ = line_start;
        i += 1;
    }
    out
}

fn skip_string(text: &[u8], at: usize) -> usize {
    let q = text[at];
    let triple = text.get(at..at + 3) == Some(&[q, q, q][..]);
    if triple {
        let needle = [q, q, q];
        return memchr::memmem::find(&text[at + 3..], &needle)
            .map_or(text.len(), |k| at + 3 + k + 3);
    }
    let mut i = at + 1;
    while i < text.len() && text[i] != q && text[i] != b'\n' {
        if text[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    (i + 1).min(text.len())
}

/// The index of the `}` closing the `{` at `open` (or the end of the text).
fn matching_brace(text: &[u8], open: usize) -> usize {
    matching(text, open, b'{', b'}')
}

fn matching_paren(text: &[u8], open: usize) -> usize {
    matching(text, open, b'(', b')')
}

fn matching(text: &[u8], open: usize, o: u8, c: u8) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < text.len() {
        match text[i] {
            b'"' | b'\'' => {
                i = skip_string(text, i);
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &text[i..]).map_or(text.len(), |k| i + k);
                continue;
            }
            x if x == o => depth += 1,
            x if x == c => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// Statements directly inside a block (`from..to`): each starts with a word at the start of a line and
/// runs to the end of the line, or of the parentheses it opens.
fn statements(text: &[u8], from: usize, to: usize) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        let line_end = memchr::memchr(b'\n', &text[i..to]).map_or(to, |k| i + k);
        let s = super::tokens::skip_ws(text, i, line_end);
        let word_len = text[s..line_end]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let mut end = line_end;
        if word_len > 0 {
            let configuration = String::from_utf8_lossy(&text[s..s + word_len]).into_owned();
            let after = super::tokens::skip_ws(text, s + word_len, line_end);
            if text.get(after) == Some(&b'(') {
                end = matching_paren(text, after).min(to).max(line_end);
            }
            out.push(Statement {
                configuration,
                body: s + word_len..end,
            });
        }
        i = end + 1;
    }
    out
}

fn judge(src: &mut Source, out: &mut Extracted, stmt: &Statement) {
    if !ships(&stmt.configuration) {
        return;
    }
    let text = src.text;
    let body = &text[stmt.body.clone()];
    let section = format!(" (Gradle `{}`)", stmt.configuration);
    // testFixtures(project(":core")): another module's test fixtures.
    if let Some(k) = memchr::memmem::find(body, b"testFixtures(") {
        let s = stmt.body.start + k;
        test_jar(src, out, "`testFixtures(…)`", s..s + "testFixtures".len());
        return;
    }
    // project(path: ':core', configuration: 'testArtifacts')
    for cfg in [
        &b"'testArtifacts'"[..],
        b"\"testArtifacts\"",
        b"'tests'",
        b"\"tests\"",
        b"'testOutput'",
        b"\"testOutput\"",
    ] {
        if memchr::memmem::find(body, b"configuration").is_some() {
            if let Some(k) = memchr::memmem::find(body, cfg) {
                let s = stmt.body.start + k + 1;
                test_jar(
                    src,
                    out,
                    "a test configuration of another project",
                    s..s + cfg.len() - 2,
                );
                return;
            }
        }
    }
    let strings = string_literals(text, stmt.body.clone());
    // Map notation: group: 'g', name: 'a', classifier: 'tests' (or `=` in Kotlin).
    let value_of = |key: &[u8]| -> Option<Range<usize>> {
        strings.iter().find_map(|r| {
            let before = &text[stmt.body.start..r.start - 1];
            let trimmed = before.trim_ascii_end();
            let trimmed = trimmed
                .strip_suffix(b":")
                .or_else(|| trimmed.strip_suffix(b"="))?
                .trim_ascii_end();
            trimmed.ends_with(key).then(|| r.clone())
        })
    };
    if let Some(name) = value_of(b"name") {
        let group = value_of(b"group").map(|g| src.str(g)).unwrap_or_default();
        if let Some(c) =
            value_of(b"classifier").filter(|c| is_tests_classifier(&src.str(c.clone())))
        {
            test_jar(src, out, "classifier `tests`", c);
            return;
        }
        let artifact = src.str(name.clone());
        report(src, out, &group, &artifact, name, &section);
        return;
    }
    let mut any = false;
    for r in &strings {
        let coord = src.str(r.clone());
        let coord_main = coord.split('@').next().unwrap_or("");
        let parts: Vec<&str> = coord_main.split(':').collect();
        if parts.len() < 2 || parts[0].is_empty() || parts[1].is_empty() {
            continue;
        }
        any = true;
        if parts.len() >= 4 && is_tests_classifier(parts[3]) {
            test_jar(src, out, "classifier `tests`", r.clone());
            continue;
        }
        let a_start = r.start + parts[0].len() + 1;
        report(
            src,
            out,
            parts[0],
            parts[1],
            a_start..a_start + parts[1].len(),
            &section,
        );
    }
    if any {
        return;
    }
    // A version catalogue alias: `libs.mockito.core`.
    if let Some(k) = memchr::memmem::find(body, b"libs.") {
        let s = stmt.body.start + k + "libs.".len();
        let len = text[s..stmt.body.end]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            .count();
        let alias = src.str(s..s + len).replace(['.', '_'], "-");
        let first = alias.split('-').next().unwrap_or("");
        let kind = libraries::maven_artifact("", &alias).or_else(|| {
            CATALOGUE_TEST_WORDS
                .contains(&first)
                .then_some(LibKind::TestTool)
        });
        if let Some(kind) = kind {
            let dep = TestDep {
                registry: Registry::Maven,
                name: alias,
                kind,
                section: section.clone(),
            };
            dependency(src, out, dep, s..s + len);
        }
    }
}

/// The first word of a version-catalogue alias that names a test library (`libs.mockito.core`).
const CATALOGUE_TEST_WORDS: &[&str] = &[
    "junit",
    "mockito",
    "assertj",
    "hamcrest",
    "wiremock",
    "restassured",
    "testcontainers",
    "mockk",
    "kotest",
    "spock",
    "testng",
    "easymock",
    "powermock",
    "awaitility",
    "mockserver",
    "mockwebserver",
];

fn is_tests_classifier(c: &str) -> bool {
    matches!(c, "tests" | "test" | "test-jar" | "testFixtures")
}

fn report(
    src: &mut Source,
    out: &mut Extracted,
    group: &str,
    artifact: &str,
    span: Range<usize>,
    section: &str,
) {
    if let Some(kind) = libraries::maven_artifact(group, artifact) {
        let dep = TestDep {
            registry: Registry::Maven,
            name: if group.is_empty() {
                artifact.to_string()
            } else {
                format!("{group}:{artifact}")
            },
            kind,
            section: section.to_string(),
        };
        dependency(src, out, dep, span);
    }
}

/// The contents of the string literals in a range.
fn string_literals(text: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        if matches!(text[i], b'"' | b'\'') {
            let end = skip_string(text, i).min(range.end);
            if end > i + 1 {
                out.push(i + 1..end - 1);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Want;
    use super::*;
    use crate::repo::lexer::Syntax;

    fn found(text: &str) -> Vec<(String, String, u32, u32)> {
        let out = super::super::extract_for_test("build.gradle", text, Syntax::CLike, extract);
        let mut v: Vec<(String, String, u32, u32)> = out
            .pending
            .iter()
            .filter(|p| matches!(p.want, Want::TestDependency(_)))
            .map(|p| ("dep".into(), p.evidence.to_string(), p.at.line, p.at.column))
            .collect();
        v.extend(out.findings.iter().map(|f| match &f.location {
            crate::finding::Location::File(s) => (
                "jar".into(),
                f.evidence.clone().unwrap_or_default(),
                s.line,
                s.column,
            ),
            _ => Default::default(),
        }));
        v
    }

    #[test]
    fn shipping_configurations_only() {
        let g = "buildscript {\n  dependencies { classpath 'junit:junit:4.13' }\n}\ndependencies {\n    implementation 'org.springframework.boot:spring-boot-starter-web'\n    implementation 'io.rest-assured:rest-assured:5.4.0' // in the jar\n    testImplementation 'org.mockito:mockito-core:5.0.0'\n    api(\"com.github.tomakehurst:wiremock-jre8:2.35.0\")\n    runtimeOnly group: 'org.mockito', name: 'mockito-core', version: '5'\n    androidTestImplementation 'junit:junit:4.13'\n    implementation(libs.mockito.core)\n    implementation 'io.grpc:grpc-stub:1.60.0'\n    /* implementation 'org.junit.jupiter:junit-jupiter' */\n}\ntesting {\n  suites {\n    integrationTest(JvmTestSuite) {\n      dependencies { implementation 'org.testcontainers:postgresql:1.19.0' }\n    }\n  }\n}\n";
        assert_eq!(
            found(g),
            vec![
                ("dep".into(), "io.rest-assured:rest-assured".into(), 6, 37),
                (
                    "dep".into(),
                    "com.github.tomakehurst:wiremock-jre8".into(),
                    8,
                    33
                ),
                ("dep".into(), "org.mockito:mockito-core".into(), 9, 46),
                ("dep".into(), "mockito-core".into(), 11, 25),
            ]
        );
    }

    #[test]
    fn another_modules_test_classes() {
        let g = "dependencies {\n  implementation testFixtures(project(':core'))\n  implementation 'com.acme:claims:1.0:tests'\n  implementation project(path: ':core', configuration: 'testArtifacts')\n  testImplementation testFixtures(project(':core'))\n}\n";
        let got: Vec<(String, u32)> = found(g).into_iter().map(|f| (f.0, f.2)).collect();
        assert_eq!(
            got,
            vec![("jar".into(), 2), ("jar".into(), 3), ("jar".into(), 4)]
        );
    }
}
