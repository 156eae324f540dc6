//! JavaScript and TypeScript (and the `<script>` of Vue/Svelte components): `import … from`, `export … from`,
//! side-effect `import '…'`, `require(…)` and dynamic `import(…)` of test files, `__mocks__` and fixtures
//! (relative specifiers resolved against the importing file's directory), test libraries, and literal
//! fixture paths read at run time (`fs.readFileSync`, `path.join(__dirname, …)`).

use super::libraries;
use super::manifests::{LibraryLoaded, Loading};
use super::paths::{self, is_test_support_path};
use super::resolve::Index;
use super::rule_docs::{TEST_IMPORT, TEST_LIBRARY_IMPORT};
use super::stand_ins;
use super::tokens::{call_args, literal_at, skip_space, whole_literal, word_occurrences};
use super::{Extracted, Pending, Source, Use, Want};
use crate::finding::Finding;
use std::ops::Range;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    if is_test_support_path(src.path) {
        // Named as test support (`UnitTestHelpers.tsx`) among production files: it is test code when it
        // uses a test framework, and production importing it (a package's entry re-exporting it) ships
        // the framework with it.
        if uses_test_framework(src.text) {
            out.facts.push(super::Fact::TestCode {
                path: src.path.to_string(),
            });
        }
        return;
    }
    if is_tool_config(src.path) {
        return;
    }
    let specs = specifiers(src.text);
    // Relative data files this module imports, for telling per-environment configuration apart.
    let imported: Vec<String> = specs
        .iter()
        .filter_map(|(_, spec)| relative_path(src, spec.clone()))
        .collect();
    for (keyword, spec) in specs {
        // `import testConfig from './config.test.json'` beside `import prodConfig from
        // './config.prod.json'`: the module chooses between environments' configuration.
        if let Some(path) = relative_path(src, spec.clone()) {
            if imported
                .iter()
                .any(|other| paths::environment_siblings(&path, other))
            {
                continue;
            }
        }
        module_reference(src, out, keyword, spec);
    }
    reads(src, out);
}

/// The repository path a relative specifier names, as written (`./config.test.json` → `src/config.test.json`).
fn relative_path(src: &Source, spec: Range<usize>) -> Option<String> {
    let s = src.str(spec);
    if !(s.starts_with("./") || s.starts_with("../")) {
        return None;
    }
    paths::join(src.dir(), &s)
}

/// Build and test tool configuration (`vite.config.ts`, `svelte.config.js`, `jest.config.cjs`): it runs
/// at build or test time, never in the deployed program, and configuring a test runner is its job.
fn is_tool_config(path: &str) -> bool {
    let name = paths::file_name(path);
    let stem = paths::stem(name);
    matches!(
        paths::extension(name),
        "js" | "cjs" | "mjs" | "ts" | "cts" | "mts"
    ) && (stem.ends_with(".config") || stem.ends_with(".conf") || stem.starts_with('.'))
}

/// `(keyword offset, specifier content)` for every import-like form.
pub(crate) fn specifiers(text: &[u8]) -> Vec<(usize, Range<usize>)> {
    let mut found = Vec::new();
    for at in word_occurrences(text, b"from", false) {
        let j = skip_space(text, at + 4, text.len());
        if let Some(lit) = literal_at(text, j).filter(|l| is_quote(text, j, l)) {
            found.push((at, lit.content));
        }
    }
    for word in [&b"require"[..], b"import"] {
        for at in word_occurrences(text, word, false) {
            let mut j = skip_space(text, at + word.len(), text.len());
            let call = text.get(j) == Some(&b'(');
            if call {
                j = skip_space(text, j + 1, text.len());
            } else if word == b"require" {
                continue;
            }
            if let Some(lit) = literal_at(text, j).filter(|l| is_quote(text, j, l)) {
                found.push((at, lit.content));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found
}

/// Is the statement whose `from` (or `import`) is at `at` TypeScript's `import type …` / `export type …
/// from`? The compiler erases it: nothing is loaded.
fn type_only(text: &[u8], at: usize) -> bool {
    let before = &text[..at.min(text.len())];
    let start = [&b"import"[..], b"export"]
        .iter()
        .filter_map(|k| memchr::memmem::rfind(before, k))
        .max();
    let Some(start) = start else { return false };
    let rest = &text[start + 6..];
    let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
    rest[skip..].starts_with(b"type")
        && rest
            .get(skip + 4)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'{')
}

/// Is the statement at `at` a TypeScript `import { A, B } from …` whose every binding is used only where
/// a type goes (`x as Optional<T>`, `: Optional`, `Promise<Optional<T>>`)? The compiler elides such an
/// import: nothing is loaded. A default or namespace import, or any use that may be a value, keeps it.
fn used_only_as_types(src: &mut Source, at: usize) -> bool {
    if !matches!(paths::extension(src.path), "ts" | "tsx" | "mts" | "cts") {
        return false;
    }
    let text = src.text;
    // Only the `from` of the statement: an `import './x'` has no bindings to read.
    if !text.get(at..).is_some_and(|t| t.starts_with(b"from")) {
        return false;
    }
    let Some(start) = memchr::memmem::rfind(&text[..at], b"import") else {
        return false;
    };
    let rest = &text[start + 6..at.min(text.len())];
    let rest = rest.trim_ascii_start();
    let (Some(inner), true) = (rest.strip_prefix(b"{"), rest.contains(&b'}')) else {
        return false;
    };
    let close = inner.iter().position(|b| *b == b'}').unwrap_or(inner.len());
    let names: Vec<String> = String::from_utf8_lossy(&inner[..close])
        .split(',')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| {
            let b = b.strip_prefix("type ").unwrap_or(b);
            b.rsplit(" as ").next().unwrap_or(b).trim().to_string()
        })
        .collect();
    let ident = |n: &String| n.bytes().all(super::tokens::is_ident) && !n.is_empty();
    if names.is_empty() || !names.iter().all(ident) {
        return false;
    }
    let statement_end = at;
    // Every use a type, and at least one use: an import nothing uses is kept by some compilers
    // (`verbatimModuleSyntax`), and judged as before.
    names.iter().all(|name| {
        let uses: Vec<usize> = super::tokens::word_occurrences(text, name.as_bytes(), false)
            .filter(|&i| i < start || i > statement_end)
            .collect();
        let uses: Vec<usize> = uses.into_iter().filter(|&i| src.in_code(i)).collect();
        !uses.is_empty() && uses.iter().all(|&i| in_type_position(text, i))
    })
}

/// Is the name at `at` where only a type can stand, read conservatively (a value misread as a type would
/// hide a load): after `as`, `satisfies` or `implements`; as a generic's argument (`Promise<X`, no space
/// before `<`: `a < X` compares); as a return type (`): X`) or the annotation of a declaration or a first
/// parameter (`let x: X`, `(body: X`); on a `type` or `interface` declaration's line. Never when it is
/// called or its member read (`X(`, `X.y`).
fn in_type_position(text: &[u8], at: usize) -> bool {
    let after = &text[at..];
    let ident_len = after
        .iter()
        .take_while(|b| super::tokens::is_ident(**b))
        .count();
    let next = after[ident_len..].iter().find(|b| !b.is_ascii_whitespace());
    if matches!(next, Some(b'(' | b'.')) {
        return false;
    }
    let line_start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let line = text[line_start..at].trim_ascii_start();
    if line.starts_with(b"type ")
        || line.starts_with(b"interface ")
        || line.starts_with(b"export type ")
        || line.starts_with(b"export interface ")
    {
        return true;
    }
    let before = text[line_start..at].trim_ascii_end();
    let word_before = |w: &[u8]| {
        before.ends_with(w)
            && before[..before.len() - w.len()]
                .last()
                .is_none_or(|b| b.is_ascii_whitespace())
    };
    if word_before(b"as") || word_before(b"satisfies") || word_before(b"implements") {
        return true;
    }
    if let Some(head) = before.strip_suffix(b"<") {
        return head.last().is_some_and(|b| super::tokens::is_ident(*b));
    }
    let Some(head) = before.strip_suffix(b":") else {
        return false;
    };
    let head = head.trim_ascii_end();
    if head.ends_with(b")") {
        return true;
    }
    let name_len = head
        .iter()
        .rev()
        .take_while(|b| super::tokens::is_ident(**b))
        .count();
    let (rest, name) = head.split_at(head.len() - name_len);
    let rest = rest.trim_ascii_end();
    !name.is_empty()
        && (rest.ends_with(b"(")
            || [&b"let"[..], b"const", b"var"].iter().any(|k| {
                rest.ends_with(k)
                    && rest[..rest.len() - k.len()]
                        .last()
                        .is_none_or(|b| b.is_ascii_whitespace())
            }))
}

/// Only plain quotes (and backticks without interpolation) are specifiers.
fn is_quote(text: &[u8], j: usize, lit: &super::tokens::Literal) -> bool {
    matches!(text[j], b'"' | b'\'' | b'`') && lit.content.end + 1 == lit.end
}

fn module_reference(src: &mut Source, out: &mut Extracted, keyword: usize, spec: Range<usize>) {
    if type_only(src.text, keyword) || used_only_as_types(src, keyword) {
        return;
    }
    let s = src.str(spec.clone());
    if s.starts_with("./") || s.starts_with("../") || s == "." || s == ".." {
        let Some(base) = paths::join(src.dir(), &s) else {
            return;
        };
        if !src.worth_resolving(&[&base]) || !src.in_code(keyword) {
            return;
        }
        let at = src.span(spec);
        out.pending(at, s, Want::JsModule { base });
        return;
    }
    if let Some(kind) = libraries::js_module(&s) {
        if !src.in_code(keyword) {
            return;
        }
        let at = src.span(spec);
        // Used only behind configuration (`if (config.useMockDb)`) or outside production: the
        // dependency that provides it is judged by that guard (`resolve_test_dependency`).
        let loading = match stand_ins::uses(src, stand_ins::Lang::JavaScript, keyword, &s) {
            stand_ins::Uses::Guarded(g) if g.reads_configuration() => Some(Loading::Behind(g)),
            stand_ins::Uses::OutsideProduction => Some(Loading::OutsideProduction),
            _ => None,
        };
        if let Some(loading) = loading {
            out.facts
                .push(super::Fact::LibraryLoaded(Box::new(LibraryLoaded {
                    path: src.path.to_string(),
                    line: at.line,
                    import: s.clone(),
                    registry: libraries::Registry::Npm,
                    loading,
                })));
        }
        let msg = format!("imports `{s}` ({}) in production code", kind.describe());
        out.finding(&TEST_LIBRARY_IMPORT, at, msg, &s);
        return;
    }
    if let Some((package, dir)) = another_packages_tests(&s) {
        if !src.in_code(keyword) {
            return;
        }
        let at = src.span(spec);
        let msg = format!(
            "imports `{s}`: the `{dir}/` of the package `{package}` (its test code, not its API)"
        );
        out.finding(&TEST_IMPORT, at, msg, &s);
    }
}

/// A bare specifier into another package's tests or fixtures (`some-dependency/test/helpers/x.js`,
/// `@acme/shared/__mocks__/api`, a workspace sibling's `test/`): the package, and the test directory.
/// A package's published entry points are its API; its test tree is not, whether it ships in the
/// tarball or sits in a sibling workspace.
fn another_packages_tests(spec: &str) -> Option<(String, String)> {
    if spec.starts_with('.') || spec.starts_with('/') || spec.contains(':') {
        return None;
    }
    let mut parts = spec.split('/');
    let first = parts.next()?;
    let package = if first.starts_with('@') {
        format!("{first}/{}", parts.next()?)
    } else {
        first.to_string()
    };
    // The subpath's directories (the last part is a module, unless the path ends in a directory).
    let sub: Vec<&str> = parts.collect();
    let dirs = &sub[..sub.len().saturating_sub(1)];
    let dir = dirs.iter().find(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "test"
                | "tests"
                | "__tests__"
                | "spec"
                | "specs"
                | "fixtures"
                | "__fixtures__"
                | "__mocks__"
                | "test-utils"
                | "test_utils"
                | "testutils"
                | "e2e"
        )
    })?;
    Some((package, (*dir).to_string()))
}

/// `fs.readFileSync('test/fixtures/x.json')`, `path.join(__dirname, 'fixtures', 'x.json')`,
/// `new URL('./fixtures/x.json', import.meta.url)`.
fn reads(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    // (keyword, open paren, whether only the first argument is the path)
    let mut calls: Vec<(usize, usize, bool)> = Vec::new();
    for word in [
        &b"readFileSync"[..],
        b"readFile",
        b"createReadStream",
        b"join",
        b"resolve",
        b"URL",
    ] {
        for at in word_occurrences(text, word, true) {
            if matches!(word, b"join" | b"resolve") && !text[..at].ends_with(b"path.") {
                continue;
            }
            let paren = at + word.len();
            if text.get(paren) == Some(&b'(') {
                calls.push((at, paren, !matches!(word, b"join" | b"resolve")));
            }
        }
    }
    calls.sort_unstable();
    let mut covered = 0;
    for (keyword, paren, first_only) in calls {
        if keyword < covered {
            continue;
        }
        let Some((args, end)) = call_args(text, paren, 400) else {
            continue;
        };
        let mut pieces: Vec<Range<usize>> = Vec::new();
        let mut file_relative = false;
        for (n, arg) in args.iter().enumerate() {
            let a = &text[arg.clone()];
            if first_only && n > 0 {
                file_relative |= a.starts_with(b"import.meta");
                continue;
            }
            if let Some(content) = whole_literal(text, arg) {
                pieces.push(content);
            } else if a == b"__dirname" || a.starts_with(b"import.meta") {
                file_relative = true;
            } else if !pieces.is_empty() || a.starts_with(b"process.cwd") {
                if a.starts_with(b"process.cwd") {
                    continue;
                }
                break;
            } else {
                // A variable base (`join(root, 'x')`) or an options object: not a literal path.
                pieces.clear();
                break;
            }
        }
        let Some((span, rel)) = src.joined_path(&pieces) else {
            continue;
        };
        covered = end;
        if rel.contains("://") {
            continue;
        }
        let mut candidates = Vec::new();
        if file_relative {
            candidates.extend(paths::join(src.dir(), &rel));
        } else {
            candidates.extend(paths::join("", &rel));
            candidates.extend(paths::join(src.dir(), &rel));
        }
        if candidates.is_empty() || !src.worth_resolving(&candidates) || !src.in_code(keyword) {
            continue;
        }
        let at = src.span(span);
        out.pending(
            at,
            rel,
            Want::Path {
                candidates,
                used: Use::Read,
            },
        );
    }
}

/// Resolve an import of the relative module `base` made by `file`.
pub(crate) fn resolve_import(
    index: &Index,
    file: &str,
    p: &Pending,
    base: &str,
) -> Option<Finding> {
    let (path, class) = index.target(&module_candidates(base))?;
    index.leak(file, p, Use::Import, "imports", &path, class)
}

/// How a relative JS/TS specifier resolves: as written, with an extension, or as a directory index;
/// TypeScript's ESM style (`./x.js` meaning `./x.ts`) too.
pub(crate) fn module_candidates(base: &str) -> Vec<String> {
    const EXTS: &[&str] = &[
        "ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts", "vue", "svelte", "json",
    ];
    let mut out = vec![base.to_string()];
    out.extend(EXTS.iter().map(|e| format!("{base}.{e}")));
    out.extend(EXTS.iter().map(|e| format!("{base}/index.{e}")));
    for (js, ts) in [
        ("js", "ts"),
        ("js", "tsx"),
        ("mjs", "mts"),
        ("cjs", "cts"),
        ("jsx", "tsx"),
    ] {
        if let Some(stem) = base.strip_suffix(&format!(".{js}")) {
            out.push(format!("{stem}.{ts}"));
        }
    }
    // A bare directory (`./__mocks__`) is only a target through its index file.
    out.retain(|c| c != base || paths::file_name(base).contains('.'));
    out
}

/// Words that, beside `test` in a module's name, say it supports tests (`test-utils.ts`,
/// `api_test_helpers.js`): such a module is test code whatever it holds.
const TEST_SUPPORT_WORDS: &[&str] = &[
    "util",
    "utils",
    "helper",
    "helpers",
    "support",
    "setup",
    "fixture",
    "fixtures",
    "factory",
    "factories",
    "mock",
    "mocks",
    "stub",
    "stubs",
    "double",
    "doubles",
    "data",
    "seed",
    "seeds",
    "server",
    "config",
    "env",
    "harness",
    "runner",
    "common",
    "lib",
    "builder",
    "builders",
    "case",
    "cases",
    "suite",
    "provider",
    "providers",
    "wrapper",
    "render",
];

/// Is a script named like a test only by a word joined to its name with `-` or `_` (`test-language.ts`,
/// `sheep-tests.js`, `api-test.js`)? No JavaScript test runner takes such a name as a test file: Jest,
/// Vitest and Mocha find `*.test.*` / `*.spec.*` or files in a test directory. So the name alone does
/// not decide: what the module holds does (`extract_named_test`). A dot convention (`x.test.ts`), a
/// test-support name (`test-utils.ts`) or a test directory stays test code by its name.
pub(crate) fn named_like_a_test(path: &str) -> bool {
    compound_words(path).is_some_and(|words| {
        words
            .iter()
            .any(|w| matches!(w.as_str(), "test" | "tests" | "spec" | "specs" | "e2e"))
            && !words.iter().any(|w| {
                TEST_SUPPORT_WORDS.contains(&w.as_str())
                    || w.starts_with("mock")
                    || w.starts_with("fake")
            })
    })
}

/// The words of a script's stem joined by `-` or `_` (`test-data-csv.ts` → test, data, csv), when there
/// are two or more and the name has one dot (not a runner's or a tool's `x.test.ts`, `x.stories.tsx`).
fn compound_words(path: &str) -> Option<Vec<String>> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let (stem, _) = name.split_once('.')?;
    if name.matches('.').count() > 1 {
        return None;
    }
    let words: Vec<String> = stem
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    (words.len() >= 2).then_some(words)
}

/// Is a script test-side only because a directory on its path has a compound test name
/// (`app/_components/smoke-tests/SmokeTestPanel.tsx`, `src/system_tests/panel.ts`)? Jest, Vitest and
/// Mocha take no such directory as a test root by default (they look for `__tests__/`, `test/` and
/// `*.test.*`), so, as for a compound file name, what the module holds decides. A single-word test
/// directory (`test/`, `e2e/`), a test-support name (`test-utils/`), a fixture directory or a test file
/// name keeps it test code: the path without the compound directories must be production.
pub(crate) fn test_only_by_compound_dir(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or(path);
    let compound = |d: &str| {
        let d = d.to_ascii_lowercase();
        crate::repo::classify::classify_default(&format!("{d}/_")).is_test_side()
            && named_like_a_test(&format!("{d}.js"))
    };
    if !parts.iter().any(|d| compound(d)) {
        return false;
    }
    let mut rest: Vec<&str> = parts.into_iter().filter(|d| !compound(d)).collect();
    rest.push(name);
    !crate::repo::classify::classify_default(&rest.join("/")).is_test_side()
}

/// A script named like a test but holding none (`test-language.ts` exports the languages a driving test
/// can be taken in): say so, so that production importing it is not reported. Test code shows itself by
/// calling a test framework's functions (`describe(`, `it(`, `test(`, `expect(`) or importing one.
pub(crate) fn extract_named_test(src: &Source, out: &mut Extracted) {
    if uses_test_framework(src.text) {
        return;
    }
    let path = src.path.to_string();
    out.facts.push(if named_as_test_support(&path) {
        super::Fact::PlainSupport { path }
    } else {
        super::Fact::NotATest { path }
    });
}

/// Is a script named as test support by a compound name (`test-data.ts`, `test-data-csv.ts`,
/// `api_test_helpers.js`), one dot only (not a runner's `x.test.ts`)?
pub(crate) fn named_as_test_support(path: &str) -> bool {
    compound_words(path).is_some_and(|words| {
        words.iter().any(|w| matches!(w.as_str(), "test" | "tests"))
            && words
                .iter()
                .any(|w| TEST_SUPPORT_WORDS.contains(&w.as_str()))
    })
}

/// Does a script call a test framework's functions (`describe(`, `it(`, `test(`, `expect(`) or import a
/// test library (the one list, `libraries::js_module`: `jest`, `@testing-library/…`, `mocha`, …)?
fn uses_test_framework(text: &[u8]) -> bool {
    const CALLS: &[&[u8]] = &[
        b"describe(",
        b"it(",
        b"test(",
        b"expect(",
        b"beforeEach(",
        b"beforeAll(",
        b"afterEach(",
        b"suite(",
    ];
    let called = CALLS.iter().any(|c| {
        memchr::memmem::find_iter(text, c).any(|at| {
            at == 0
                || !matches!(text[at - 1], b'.' | b'_' | b'$')
                    && !text[at - 1].is_ascii_alphanumeric()
        })
    });
    called
        || specifiers(text).into_iter().any(|(_, spec)| {
            libraries::js_module(&String::from_utf8_lossy(&text[spec]))
                == Some(libraries::LibKind::TestTool)
        })
}

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::{judge, rule};
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, code: &str) -> Extracted {
        super::super::extract_for_test(path, code, Syntax::CLike, extract)
    }

    fn bases(out: &Extracted) -> Vec<String> {
        out.pending
            .iter()
            .map(|p| match &p.want {
                Want::JsModule { base } => base.clone(),
                Want::Path { candidates, .. } => format!("read {}", candidates.join(" ")),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn every_import_form_with_relative_resolution() {
        let code = "import { charge } from './__mocks__/payments';\n\
                    import '../test/setup.js';\n\
                    export * from \"./fixtures/users\";\n\
                    const h = require('./helpers.spec');\n\
                    const m = await import(`../spec/x`);\n\
                    import React from 'react';\n\
                    import { api } from './api';\n\
                    // import x from './fixtures/commented'\n";
        let out = run("src/app/index.ts", code);
        assert_eq!(
            bases(&out),
            vec![
                "src/app/__mocks__/payments",
                "src/test/setup.js",
                "src/app/fixtures/users",
                "src/app/helpers.spec",
                "src/spec/x",
            ]
        );
        let at = &out.pending[0].at;
        assert_eq!((at.line, at.column, at.end_column), (1, 25, 45));
    }

    #[test]
    fn libraries_and_reads() {
        let code = "import { faker } from '@faker-js/faker';\nconst sinon = require('sinon');\n\
                    const d = fs.readFileSync(path.join(__dirname, 'fixtures', 'people.json'));\n\
                    const e = fs.readFileSync('test/fixtures/a.json', 'utf8');\n\
                    const f = fs.readFileSync(name);\n";
        let out = run("src/seed.js", code);
        let libs: Vec<_> = out
            .findings
            .iter()
            .filter_map(|f| f.evidence.clone())
            .collect();
        assert_eq!(libs, vec!["@faker-js/faker", "sinon"]);
        assert_eq!(
            bases(&out),
            vec![
                "read src/fixtures/people.json",
                "read test/fixtures/a.json src/test/fixtures/a.json",
            ]
        );
    }

    #[test]
    fn per_environment_configuration_is_not_test_code() {
        let code = "import testConfig from './config.test.json';\nimport prodConfig from './config.prod.json';\nimport users from './users.test.json';\n";
        assert_eq!(
            bases(&run("src/index.js", code)),
            vec!["src/users.test.json"]
        );
    }

    #[test]
    fn another_packages_test_tree() {
        assert_eq!(
            another_packages_tests("some-dependency/test/helpers/x.js"),
            Some(("some-dependency".into(), "test".into()))
        );
        assert_eq!(
            another_packages_tests("@acme/shared/test/factories"),
            Some(("@acme/shared".into(), "test".into()))
        );
        for spec in [
            "react",
            "lodash/fp",
            "@acme/shared/lib/test",
            "express/lib/router",
            "./test/x",
            "jest-test",
        ] {
            assert_eq!(another_packages_tests(spec), None, "{spec}");
        }
    }

    #[test]
    fn tool_configuration_is_not_production_code() {
        assert!(run(
            "svelte/vite.config.ts",
            "import { defineConfig } from 'vitest/config';\n"
        )
        .findings
        .is_empty());
        assert!(is_tool_config("svelte.config.js") && !is_tool_config("src/config.ts"));
    }

    #[test]
    fn test_support_files_are_skipped() {
        assert!(run(
            "src/testUtils.ts",
            "import x from './__mocks__/y';\nimport 'jest';\n"
        )
        .pending
        .is_empty());
    }

    #[test]
    fn relative_modules_resolve_with_extensions() {
        let js = Want::JsModule {
            base: "src/__mocks__/payments".into(),
        };
        assert_eq!(
            rule(judge(
                &["src/__mocks__/payments.ts", "src/api.ts"],
                vec![],
                "src/api.ts",
                "e",
                js
            )),
            Some("leak/fixture-import".into())
        );
    }
}
