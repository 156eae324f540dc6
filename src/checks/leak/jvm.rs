//! Java and Kotlin: imports of classes that exist only under a test source set (`src/test/java/…`), and of
//! test libraries (JUnit, Mockito, AssertJ, Faker, …).
//!
//! Which classes exist only for tests is a fact about the whole tree — a class under `src/test/java` that also
//! exists under `src/main/java` is not — so imports are collected here and judged in `resolve.rs` against
//! the set built from the file index.

use super::libraries;
use super::paths::is_test_support_path;
use super::rule_docs::TEST_LIBRARY_IMPORT;
use super::tokens::{is_ident, skip_ws, trimmed_lines};
use super::{Extracted, Source, Want};

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
    let text = src.text;
    for (i, end) in trimmed_lines(text) {
        let line = &text[i..end];
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

#[cfg(test)]
mod tests {
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
}
