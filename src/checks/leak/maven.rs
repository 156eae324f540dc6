//! Maven `pom.xml`: test libraries in dependencies whose `<scope>` ships (none, `compile`, `runtime`; not
//! `test`, `provided` or `system`), and dependencies on another module's test classes (`<type>test-jar`,
//! `<classifier>tests`) in those scopes. `<dependencyManagement>` only pins versions and plugins' own
//! dependencies are the build's, so neither is read; a `<profile>` named for tests or development is not
//! production.

use super::libraries::{self, Registry};
use super::manifests::{dependency, is_nonprod_section, test_jar, TestDep};
use super::xml_events::XmlEvents;
use super::{Extracted, Source};
use quick_xml::events::Event;
use std::ops::Range;

/// One `<dependency>`'s fields: the text and its span.
#[derive(Default)]
struct Dep {
    group: Option<(String, Range<usize>)>,
    artifact: Option<(String, Range<usize>)>,
    scope: Option<String>,
    kind: Option<(String, Range<usize>)>,
    classifier: Option<(String, Range<usize>)>,
    versioned: bool,
}

/// What the whole pom says about where a dependency's scope may come from.
#[derive(Default)]
struct Pom {
    /// `<parent>` (outside this file, it may manage versions and scopes).
    has_parent: bool,
    /// `group:artifact` → scope, from this file's `<dependencyManagement>`.
    managed: Vec<(String, Option<String>)>,
}

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut dep: Option<Dep> = None;
    let mut profile_id: Option<String> = None;
    let mut found: Vec<Dep> = Vec::new();
    let mut pom = Pom::default();
    let mut managed: Option<Dep> = None;
    for item in XmlEvents::new(text) {
        // A pom Maven cannot read is Maven's to report.
        let Ok((event, read)) = item else { return };
        let (before, after) = (read.start, read.end);
        match event {
            Event::Start(e) => {
                path.push(e.local_name().as_ref().to_vec());
                pom.has_parent |= path.len() == 2 && path_is(&path, &[b"project", b"parent"]);
                if path_is(&path, &[b"dependencies", b"dependency"]) && production_dependency(&path)
                {
                    dep = Some(Dep::default());
                }
                if path_is(
                    &path,
                    &[b"dependencyManagement", b"dependencies", b"dependency"],
                ) {
                    managed = Some(Dep::default());
                }
            }
            Event::End(_) => {
                if path_is(
                    &path,
                    &[b"dependencyManagement", b"dependencies", b"dependency"],
                ) {
                    if let Some(m) = managed.take() {
                        if let (Some((g, _)), Some((a, _))) = (m.group, m.artifact) {
                            pom.managed.push((format!("{g}:{a}"), m.scope));
                        }
                    }
                }
                if path_is(&path, &[b"dependencies", b"dependency"]) {
                    if let Some(d) = dep.take() {
                        let nonprod_profile = profile_id.as_deref().is_some_and(is_nonprod_section);
                        if !nonprod_profile {
                            found.push(d);
                        }
                    }
                }
                if path.last().is_some_and(|p| p == b"profile") {
                    profile_id = None;
                }
                path.pop();
            }
            Event::Text(t) => {
                let raw: &[u8] = &t;
                let trimmed = raw.trim_ascii();
                if trimmed.is_empty() {
                    continue;
                }
                let value = String::from_utf8_lossy(trimmed).into_owned();
                let span = memchr::memmem::find(&text[before..after], trimmed)
                    .map_or(before..after, |k| before + k..before + k + trimmed.len());
                if path.len() >= 2
                    && path[path.len() - 2] == b"profile"
                    && path.last().is_some_and(|p| p == b"id")
                {
                    profile_id = Some(value.clone());
                }
                let Some(d) = dep.as_mut().or(managed.as_mut()) else {
                    continue;
                };
                if path.len() < 2 || path[path.len() - 2] != b"dependency" {
                    continue;
                }
                match path.last().map(Vec::as_slice) {
                    Some(b"groupId") => d.group = Some((value, span)),
                    Some(b"artifactId") => d.artifact = Some((value, span)),
                    Some(b"scope") => d.scope = Some(value),
                    Some(b"type") => d.kind = Some((value, span)),
                    Some(b"classifier") => d.classifier = Some((value, span)),
                    Some(b"version") => d.versioned = true,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    // A module that is itself test support (`spring-boot-testcontainers/pom.xml`) depends on test
    // libraries on purpose.
    if super::gradle::is_test_support_module(src.path) {
        return;
    }
    for d in found {
        judge(src, out, &pom, d);
    }
}

fn path_is(path: &[Vec<u8>], tail: &[&[u8]]) -> bool {
    path.len() >= tail.len()
        && path[path.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(a, b)| a.as_slice() == *b)
}

/// A `<dependency>` of the project (or of a profile), not of `<dependencyManagement>` or of a plugin.
fn production_dependency(path: &[Vec<u8>]) -> bool {
    !path
        .iter()
        .any(|p| p.as_slice() == b"dependencyManagement" || p.as_slice() == b"plugin")
}

fn judge(src: &mut Source, out: &mut Extracted, pom: &Pom, d: Dep) {
    let coord = match (&d.group, &d.artifact) {
        (Some((g, _)), Some((a, _))) => format!("{g}:{a}"),
        _ => String::new(),
    };
    let managed = pom.managed.iter().find(|(c, _)| *c == coord);
    // Without a version or scope of its own, a parent POM outside this file may manage both: its scope
    // is unknown here, so it is not judged.
    if d.scope.is_none() && !d.versioned && managed.is_none() && pom.has_parent {
        return;
    }
    let scope = d
        .scope
        .clone()
        .or_else(|| managed.and_then(|(_, s)| s.clone()))
        .unwrap_or_else(|| "compile".to_string());
    let scope = scope.as_str();
    if !matches!(scope, "compile" | "runtime") && !scope.starts_with("${") {
        return;
    }
    if let Some((kind, span)) = d.kind.as_ref().filter(|(k, _)| k == "test-jar") {
        test_jar(src, out, &format!("`<type>{kind}</type>`"), span.clone());
        return;
    }
    if let Some((c, span)) = d.classifier.as_ref().filter(|(c, _)| c == "tests") {
        test_jar(
            src,
            out,
            &format!("`<classifier>{c}</classifier>`"),
            span.clone(),
        );
        return;
    }
    let (Some((group, _)), Some((artifact, span))) = (d.group, d.artifact) else {
        return;
    };
    if let Some(kind) = libraries::maven_artifact(&group, &artifact) {
        let dep = TestDep {
            registry: Registry::Maven,
            name: format!("{group}:{artifact}"),
            kind,
            section: format!(" (Maven scope `{scope}`)"),
        };
        dependency(src, out, dep, span);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Want;
    use super::*;
    use crate::repo::lexer::Syntax;

    #[test]
    fn scopes_types_and_classifiers() {
        let pom = "<project>\n  <dependencyManagement><dependencies><dependency><groupId>org.assertj</groupId><artifactId>assertj-core</artifactId><scope>test</scope></dependency></dependencies></dependencyManagement>\n  <dependencies>\n    <dependency>\n      <groupId>org.mockito</groupId>\n      <artifactId>mockito-core</artifactId>\n    </dependency>\n    <dependency>\n      <groupId>junit</groupId>\n      <artifactId>junit</artifactId>\n      <scope>test</scope>\n    </dependency>\n    <dependency>\n      <groupId>com.acme</groupId>\n      <artifactId>claims-core</artifactId>\n      <type>test-jar</type>\n    </dependency>\n    <dependency>\n      <groupId>com.acme</groupId>\n      <artifactId>claims-core</artifactId>\n      <classifier>tests</classifier>\n      <scope>test</scope>\n    </dependency>\n    <!-- <dependency><groupId>org.junit</groupId><artifactId>x</artifactId></dependency> -->\n    <dependency><groupId>org.assertj</groupId><artifactId>assertj-core</artifactId></dependency>\n  </dependencies>\n  <build><plugins><plugin><dependencies><dependency><groupId>org.junit</groupId><artifactId>junit-bom</artifactId></dependency></dependencies></plugin></plugins></build>\n</project>\n";
        let out = super::super::extract_for_test("pom.xml", pom, Syntax::Hash, extract);
        let deps: Vec<(String, u32, u32)> = out
            .pending
            .iter()
            .filter(|p| matches!(p.want, Want::TestDependency(_)))
            .map(|p| (p.evidence.to_string(), p.at.line, p.at.column))
            .collect();
        assert_eq!(deps, vec![("org.mockito:mockito-core".into(), 6, 19)]);
        let jars: Vec<(u32, u32)> = out
            .findings
            .iter()
            .filter_map(|f| match &f.location {
                crate::finding::Location::File(s) => Some((s.line, s.column)),
                _ => None,
            })
            .collect();
        assert_eq!(jars, vec![(16, 13)]);
        // Managed by a parent outside the file: not judged; with a version of its own: judged.
        let parented = |dep: &str| {
            let text = format!("<project>\n  <parent><groupId>org.apache.commons</groupId><artifactId>commons-parent</artifactId></parent>\n  <dependencies>\n    <dependency><groupId>org.mockito</groupId><artifactId>mockito-inline</artifactId>{dep}</dependency>\n  </dependencies>\n</project>\n");
            super::super::extract_for_test("pom.xml", &text, Syntax::Hash, extract)
                .pending
                .len()
        };
        assert_eq!(parented(""), 0);
        assert_eq!(parented("<version>5.2.0</version>"), 1);
    }
}
