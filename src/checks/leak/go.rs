//! Go: a non-`_test.go` file importing `testing`, a test library (gomock, testify, gofakeit), or a package
//! of the module that lives in a directory only tests use (`internal/testutil`, `mocks/`, `testdata/`).
//!
//! Test-helper packages themselves — a directory or package named like `testutil`, `mocks`, `footest`,
//! `teststorage` — exist to be imported by tests and may import `testing`; only their production callers
//! are judged. `go.mod` files are read for their module path, which maps import paths to directories.

use super::libraries;
use super::paths::{self, is_go_test_helper_name, is_test_support_path};
use super::resolve::Index;
use super::rule_docs::{GO_TESTING_IMPORT, TEST_LIBRARY_IMPORT};
use super::tokens::{is_ident, literal_at, skip_ws, trimmed_lines};
use super::{Extracted, Fact, Pending, Source, Use, Want};
use crate::finding::Finding;
use crate::repo::classify::FileClass;
use std::ops::Range;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let package = package_name(text);
    let dir_name = paths::file_name(src.dir());
    let helper = is_go_test_helper_name(dir_name)
        || package.as_deref().is_some_and(is_go_test_helper_name)
        || is_test_support_path(src.path);
    for spec in imports(text) {
        let import = src.str(spec.clone());
        if helper {
            continue;
        }
        if import == "testing" {
            let at = src.span(spec);
            out.finding(
                &GO_TESTING_IMPORT,
                at,
                "imports \"testing\" outside a test file or test-helper package".to_string(),
                "testing",
            );
            continue;
        }
        if let Some(kind) = libraries::go_package(&import) {
            let at = src.span(spec);
            let msg = format!(
                "imports `{import}` ({}) in production code",
                kind.describe()
            );
            out.finding(&TEST_LIBRARY_IMPORT, at, msg, &import);
            continue;
        }
        if src.worth_resolving(&[&import]) {
            let at = src.span(spec);
            out.pending(at, import.clone(), Want::GoPackage { import });
        }
    }
}

/// `go.mod`: the module path, so `example.com/app/internal/testutil` maps to `internal/testutil`.
pub(crate) fn extract_go_mod(src: &Source, out: &mut Extracted) {
    for line in src.text.split(|b| *b == b'\n') {
        let l = String::from_utf8_lossy(line);
        let l = l.trim();
        if let Some(rest) = l.strip_prefix("module") {
            let module = rest.trim().trim_matches('"').to_string();
            if !module.is_empty() && rest.starts_with([' ', '\t']) {
                out.facts.push(Fact::GoModule {
                    dir: src.dir().to_string(),
                    module,
                });
            }
            return;
        }
    }
}

fn package_name(text: &[u8]) -> Option<String> {
    for line in text.split(|b| *b == b'\n').take(400) {
        let i = skip_ws(line, 0, line.len());
        if let Some(rest) = line[i..].strip_prefix(b"package ") {
            let name: Vec<u8> = rest.iter().copied().take_while(|b| is_ident(*b)).collect();
            return Some(String::from_utf8_lossy(&name).into_owned());
        }
    }
    None
}

/// The import paths' content ranges: `import "x"`, `import alias "x"`, and `import ( … )` blocks. Imports
/// come before any declaration, so the scan stops at the first `func`, `type`, `var` or `const`.
fn imports(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, end) in trimmed_lines(text) {
        let line = &text[i..end];
        if in_block {
            if line.starts_with(b")") {
                in_block = false;
                continue;
            }
            out.extend(import_spec(text, i, end));
            continue;
        }
        if line.starts_with(b"import")
            && line
                .get(6)
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'('))
        {
            let j = skip_ws(text, i + 6, end);
            if text.get(j) == Some(&b'(') {
                let k = skip_ws(text, j + 1, end);
                if k < end && text[k] != b'/' {
                    out.extend(import_spec(text, k, end));
                }
                in_block = !text[j..end].contains(&b')');
            } else {
                out.extend(import_spec(text, j, end));
            }
            continue;
        }
        if ["func ", "type ", "var ", "const "]
            .iter()
            .any(|k| line.starts_with(k.as_bytes()))
        {
            break;
        }
    }
    out
}

/// `alias "path"` / `_ "path"` / `. "path"` / `"path"` starting at `i`; a `//` comment line yields nothing.
fn import_spec(text: &[u8], i: usize, end: usize) -> Option<Range<usize>> {
    let mut j = i;
    if text[j..end].starts_with(b"//") {
        return None;
    }
    while j < end && (is_ident(text[j]) || text[j] == b'.') {
        j += 1;
    }
    j = skip_ws(text, j, end);
    let lit = literal_at(text, j)?;
    matches!(text[j], b'"' | b'`').then_some(lit.content)
}

/// Resolve an import of the package `import` made by `file`.
pub(crate) fn resolve_package(
    index: &Index,
    file: &str,
    p: &Pending,
    import: &str,
) -> Option<Finding> {
    let local = index.go_modules.iter().find_map(|(module, dir)| {
        if import == module {
            Some(dir.clone())
        } else {
            import
                .strip_prefix(module.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .map(|rest| paths::under(dir, rest))
        }
    });
    // Not this repository's: third-party packages are judged only by the library list (at walk
    // time). Their directory names say little: client_golang's `testutil/promlint` is a production
    // linter that promtool uses.
    let dir = local?;
    // The package: the non-test `.go` files directly in its directory.
    let members: Vec<FileClass> = index
        .under_dir(&dir)
        .iter()
        .filter(|e| {
            paths::parent(&e.path) == dir
                && e.path.ends_with(".go")
                && !e.path.ends_with("_test.go")
        })
        .map(|e| e.class)
        .collect();
    if members.is_empty() || !members.iter().all(|c| c.is_test_side()) {
        return None;
    }
    let class = if members.contains(&FileClass::Fixture) {
        FileClass::Fixture
    } else {
        FileClass::Test
    };
    index.leak(file, p, Use::Import, "imports package", &dir, class)
}

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::judge;
    use super::*;
    use crate::config::Config;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, code: &str) -> Extracted {
        super::super::extract_for_test(path, code, Syntax::Go, extract)
    }

    #[test]
    fn import_forms() {
        let code = "package store\n\nimport \"fmt\"\nimport (\n\t\"testing\"\n\tmock \"github.com/golang/mock/gomock\"\n\t// \"example.com/app/internal/testutil\"\n\t_ \"example.com/app/internal/testutil\"\n)\n\nfunc F() { var s = \"import \\\"x\\\"\" }\n";
        let text = code.as_bytes();
        let got: Vec<&str> = imports(text)
            .into_iter()
            .map(|r| std::str::from_utf8(&text[r]).unwrap_or(""))
            .collect();
        assert_eq!(
            got,
            vec![
                "fmt",
                "testing",
                "github.com/golang/mock/gomock",
                "example.com/app/internal/testutil"
            ]
        );
        let out = run("internal/store/helpers.go", code);
        let rules: Vec<&str> = out.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            vec!["leak/go-testing-import", "leak/test-library-import"]
        );
        let crate::finding::Location::File(at) = &out.findings[0].location else {
            panic!("file location")
        };
        assert_eq!((at.line, at.column, at.end_column), (5, 3, 10));
        assert_eq!(out.pending.len(), 1);
    }

    #[test]
    fn helper_packages_may_import_testing() {
        let code = "package promqltest\n\nimport \"testing\"\n";
        assert!(run("promql/promqltest/test.go", code).findings.is_empty());
        let code = "package teststorage\nimport \"testing\"\n";
        assert!(run("util/teststorage/storage.go", code).findings.is_empty());
        let code = "package mocks\nimport \"github.com/golang/mock/gomock\"\n";
        assert!(run("internal/mockstore/store.go", code).findings.is_empty());
    }

    #[test]
    fn go_mod_module_path() {
        let config = Config::default();
        let text = b"// comment\nmodule example.com/app\n\ngo 1.22\n";
        let src = Source::new(&config, "svc/go.mod", text, Syntax::Go);
        let mut out = Extracted::default();
        extract_go_mod(&src, &mut out);
        assert!(matches!(
            out.facts.as_slice(),
            [Fact::GoModule { dir, module }] if dir == "svc" && module == "example.com/app"
        ));
    }

    #[test]
    fn in_repo_packages_resolve_through_go_mod() {
        let files = [
            "go.mod",
            "internal/testutil/db.go",
            "internal/store/store.go",
        ];
        let go = || {
            vec![Fact::GoModule {
                dir: String::new(),
                module: "example.com/app".into(),
            }]
        };
        let gp = |i: &str| Want::GoPackage { import: i.into() };
        let from_store = |facts, want| judge(&files, facts, "internal/store/x.go", "e", want);
        assert_eq!(
            from_store(go(), gp("example.com/app/internal/testutil")),
            Some((
                "leak/test-import".into(),
                "imports package `internal/testutil` (test code)".into()
            ))
        );
        assert_eq!(from_store(go(), gp("example.com/app/internal/store")), None);
        assert_eq!(
            from_store(go(), gp("github.com/other/lib/testutil/promlint")),
            None
        );
    }
}
