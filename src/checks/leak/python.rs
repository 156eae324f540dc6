//! Python: `import` / `from … import` of test modules and fixture packages, test libraries imported by
//! production code, and literal paths under test or fixture directories opened at run time
//! (`open(…)`, `Path(…)`, `os.path.join(…)`, `Path(__file__).parent / "fixtures" / …`).

use super::libraries;
use super::paths::{self, is_test_support_path};
use super::resolve::Index;
use super::rule_docs::TEST_LIBRARY_IMPORT;
use super::tokens::{
    call_args, is_ident, line_range, literal_at, skip_ws, whole_literal, word_occurrences,
};
use super::{Extracted, Pending, Source, Use, Want};
use crate::finding::Finding;
use std::ops::Range;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    // Test-support modules (flask/testing.py, a pytest plugin) may import test code and libraries.
    if is_test_support_path(src.path) {
        return;
    }
    imports(src, out);
    reads(src, out);
    if super::python_settings::is_settings_module(src.path) {
        super::python_settings::extract(src, out);
    }
}

/// One import statement on one line.
#[derive(Debug, PartialEq, Eq)]
struct Import {
    /// Where the statement's keyword is (for the comment/docstring check).
    keyword: usize,
    /// `from X import …`: the leading dots and the module (possibly empty, for `from . import x`).
    from: Option<(usize, Range<usize>)>,
    /// Imported modules (`import a.b, c`) or names (`from x import a, b`).
    names: Vec<Range<usize>>,
}

fn imports(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut last_line = usize::MAX;
    let hits: Vec<usize> = word_occurrences(text, b"import", false).collect();
    for at in hits {
        let line = line_range(text, at);
        if line.start == last_line {
            continue;
        }
        last_line = line.start;
        let Some(stmt) = parse_import(text, line) else {
            continue;
        };
        match &stmt.from {
            None => {
                for name in &stmt.names {
                    let module = src.str(name.clone());
                    check_library(src, out, &stmt, name.clone(), &module);
                    let path = module.replace('.', "/");
                    absolute(src, out, &stmt, name.clone(), &path, None);
                }
            }
            Some((0, module)) => {
                let m = src.str(module.clone());
                check_library(src, out, &stmt, module.clone(), &m);
                for name in &stmt.names {
                    let sub = format!("{m}.{}", src.str(name.clone()));
                    if libraries::python_module(&sub).is_some()
                        && libraries::python_module(&m).is_none()
                    {
                        check_library(src, out, &stmt, module.start..name.end, &sub);
                    }
                }
                let path = m.replace('.', "/");
                let first = stmt.names.first().map(|n| src.str(n.clone()));
                let (module_path, alt) = match first {
                    Some(n) => (format!("{path}/{n}"), Some(path.clone())),
                    None => (path.clone(), None),
                };
                absolute(src, out, &stmt, module.clone(), &module_path, alt);
            }
            Some((dots, module)) => relative(src, out, &stmt, *dots, module.clone()),
        }
    }
}

/// `import a.b` / `from a.b import c`: found later on the program's import roots.
fn absolute(
    src: &mut Source,
    out: &mut Extracted,
    stmt: &Import,
    span: Range<usize>,
    module_path: &str,
    alt: Option<String>,
) {
    let guesses = [
        format!("{module_path}.py"),
        paths::under(src.dir(), &format!("{module_path}.py")),
    ];
    if !src.worth_resolving(&guesses) || !src.in_code(stmt.keyword) {
        return;
    }
    let evidence = src.str(span.clone());
    let at = src.span(span);
    out.pending(
        at,
        evidence,
        Want::PythonModule {
            module: module_path.to_string(),
            alt,
        },
    );
}

/// `from .fixtures import users` / `from .. import conftest`: exact, relative to the importing package.
fn relative(
    src: &mut Source,
    out: &mut Extracted,
    stmt: &Import,
    dots: usize,
    module: Range<usize>,
) {
    let Some(base) = paths::up(src.dir(), dots - 1) else {
        return;
    };
    let m = src.str(module.clone()).replace('.', "/");
    let Some(pkg) = paths::join(base, &m) else {
        return;
    };
    let mut refs: Vec<(Range<usize>, Vec<String>)> = Vec::new();
    if m.is_empty() {
        // `from . import conftest, models`: each name is a module of the package.
        for name in &stmt.names {
            let p = paths::under(&pkg, &src.str(name.clone()));
            refs.push((name.clone(), module_files(&p).to_vec()));
        }
    } else {
        // `from .fixtures import users`: `users` may be a submodule or a name in `fixtures`.
        let mut c = Vec::new();
        if let Some(first) = stmt.names.first() {
            c.extend(module_files(&paths::under(&pkg, &src.str(first.clone()))));
        }
        c.extend(module_files(&pkg));
        // The reference as written, leading dots included: `...tests.fixtures.user`.
        refs.push((module.start - dots..module.end, c));
    }
    for (span, candidates) in refs {
        if !src.worth_resolving(&candidates) || !src.in_code(stmt.keyword) {
            continue;
        }
        let evidence = src.str(span.clone());
        let at = src.span(span);
        out.pending(
            at,
            evidence,
            Want::Path {
                candidates,
                used: Use::Import,
            },
        );
    }
}

fn module_files(p: &str) -> [String; 2] {
    [format!("{p}.py"), format!("{p}/__init__.py")]
}

fn check_library(
    src: &mut Source,
    out: &mut Extracted,
    stmt: &Import,
    span: Range<usize>,
    module: &str,
) {
    let Some(kind) = libraries::python_module(module) else {
        return;
    };
    if !src.in_code(stmt.keyword) {
        return;
    }
    let at = src.span(span);
    out.finding(
        &TEST_LIBRARY_IMPORT,
        at,
        format!(
            "imports `{module}` ({}) in production code",
            kind.describe()
        ),
        module,
    );
}

/// Parse `import a.b as c, d` or `from ..x.y import (a as b, c)` on one line.
fn parse_import(text: &[u8], line: Range<usize>) -> Option<Import> {
    let end = line.end;
    let i = skip_ws(text, line.start, end);
    if text[i..end].starts_with(b"from")
        && text.get(i + 4).is_some_and(|b| *b == b' ' || *b == b'\t')
    {
        let mut j = skip_ws(text, i + 4, end);
        let dots_start = j;
        while j < end && text[j] == b'.' {
            j += 1;
        }
        let dots = j - dots_start;
        let m = dotted(text, j, end);
        let after = skip_ws(text, m.end, end);
        let keyword_follows = text[after..end].starts_with(b"import")
            && text
                .get(after + 6)
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'('));
        if !keyword_follows || m.is_empty() && dots == 0 {
            return None;
        }
        let names = name_list(text, after + 6, end, false);
        return Some(Import {
            keyword: i,
            from: Some((dots, m)),
            names,
        });
    }
    if text[i..end].starts_with(b"import")
        && text.get(i + 6).is_some_and(|b| *b == b' ' || *b == b'\t')
    {
        let names = name_list(text, i + 6, end, true);
        if names.is_empty() {
            return None;
        }
        return Some(Import {
            keyword: i,
            from: None,
            names,
        });
    }
    None
}

/// A dotted name starting at `i`.
fn dotted(text: &[u8], i: usize, end: usize) -> Range<usize> {
    let mut j = i;
    while j < end && (is_ident(text[j]) || text[j] == b'.') {
        j += 1;
    }
    i..j
}

/// `a, b as c, (d, e)`: the names (dotted when `dotted_names`), without aliases.
fn name_list(text: &[u8], from: usize, end: usize, dotted_names: bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = from;
    loop {
        i = skip_ws(text, i, end);
        if i < end && text[i] == b'(' {
            i = skip_ws(text, i + 1, end);
        }
        let name = if dotted_names {
            dotted(text, i, end)
        } else {
            let mut j = i;
            while j < end && is_ident(text[j]) {
                j += 1;
            }
            i..j
        };
        if name.is_empty() {
            break;
        }
        out.push(name.clone());
        i = skip_ws(text, name.end, end);
        if text[i..end].starts_with(b"as ") {
            i = skip_ws(text, i + 3, end);
            while i < end && is_ident(text[i]) {
                i += 1;
            }
            i = skip_ws(text, i, end);
        }
        if i < end && text[i] == b',' {
            i += 1;
        } else {
            break;
        }
    }
    out
}

/// Calls that take a path: `open(…)` (also `io.open`, `Image.open`), `Path(…)`, `os.path.join(…)`.
fn reads(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut calls: Vec<(usize, usize, bool)> = Vec::new(); // (keyword, open paren, is_open)
    for (word, member_ok) in [(&b"open"[..], true), (b"Path", true), (b"join", true)] {
        for at in word_occurrences(text, word, member_ok) {
            if word == b"join" && !text[..at].ends_with(b"path.") {
                continue;
            }
            let paren = at + word.len();
            if text.get(paren) == Some(&b'(') {
                calls.push((at, paren, word == b"open"));
            }
        }
    }
    calls.sort_unstable();
    // A file this module also writes (`open("tests/route-list.json", "w")`) is one it maintains — a
    // maintainer's command regenerating a test's expectations — not test data read into production.
    let written: Vec<Vec<u8>> = calls
        .iter()
        .filter(|(_, _, is_open)| *is_open)
        .filter_map(|&(_, paren, _)| written_literal(text, paren))
        .collect();
    // The same when the path is named first: `file_path = os.path.join(…, "tests", "data", "x.xlsx")`
    // then `open(file_path, "wb")` (or Python 2's `file(file_path, "w")`).
    let written_names = written_variables(text);
    let mut covered = 0;
    for (keyword, paren, is_open) in calls {
        if keyword < covered {
            continue; // inside an earlier call's arguments: `open(os.path.join(...))`
        }
        let Some(path) = path_expression(text, paren, is_open) else {
            continue;
        };
        let names_written =
            assigned_name(text, keyword).is_some_and(|name| written_names.contains(&name));
        if names_written || written.iter().any(|w| w.as_slice() == path.rel.as_bytes()) {
            covered = path.end;
            continue;
        }
        covered = path.end;
        let base = if path.file_relative {
            match paths::up(src.dir(), path.ups) {
                Some(b) => b,
                None => continue,
            }
        } else {
            ""
        };
        let mut candidates = Vec::new();
        candidates.extend(paths::join(base, &path.rel));
        if !path.file_relative {
            candidates.extend(paths::join(src.dir(), &path.rel));
        }
        if candidates.is_empty() || !src.worth_resolving(&candidates) || !src.in_code(keyword) {
            continue;
        }
        let at = src.span(path.span);
        out.pending(
            at,
            path.rel,
            Want::Path {
                candidates,
                used: Use::Read,
            },
        );
        if let (Some(p), Some(uses)) = (out.pending.last_mut(), read_uses(text, keyword)) {
            p.uses = Some(Box::new(uses));
        }
    }
}

/// How the read at `at` is reached: under a condition at the read itself, or inside a function every
/// call of which, in this file, is under a condition (`if Config.USE_LOCAL_DATA: data =
/// get_local_data(endpoint)`). None when some call runs with no condition, or the function is not
/// called here (another module may call it: nothing is known).
fn read_uses(text: &[u8], at: usize) -> Option<super::stand_ins::Uses> {
    use crate::repo::reach_guard::guard_at;
    if let Some(g) = guard_at(text, at) {
        return Some(super::stand_ins::judged(vec![g]));
    }
    let name = enclosing_function(text, at)?;
    let mut guards = Vec::new();
    for call in word_occurrences(text, name.as_bytes(), false) {
        let line = line_range(text, call);
        let before = text[line.start..call].trim_ascii();
        if before.ends_with(b"def") || text.get(call + name.len()) != Some(&b'(') {
            continue;
        }
        guards.push(guard_at(text, call)?);
    }
    if guards.is_empty() {
        return None;
    }
    Some(super::stand_ins::judged(guards))
}

/// The name of the function whose body holds byte `at` (`def get_local_data(endpoint):`).
fn enclosing_function(text: &[u8], at: usize) -> Option<String> {
    crate::repo::enclosing::headers(text, at)
        .into_iter()
        .find_map(|t| {
            let t = t.strip_prefix(b"async ").unwrap_or(t);
            t.strip_prefix(b"def ")
        })
        .map(|rest| {
            let name: Vec<u8> = rest.iter().copied().take_while(|b| is_ident(*b)).collect();
            String::from_utf8_lossy(&name).into_owned()
        })
        .filter(|name| !name.is_empty())
}

/// A module named like a test but holding none (`means_test.py` computes a legal-aid means test): say so,
/// so that production importing it is not reported. Test code shows itself by a test function or class,
/// or by importing a test framework.
pub(crate) fn extract_named_test(src: &Source, out: &mut Extracted) {
    const MARKS: &[&[u8]] = &[
        b"def test",
        b"class Test",
        b"import pytest",
        b"from pytest",
        b"import unittest",
        b"from unittest",
        b"@pytest",
    ];
    let is_test = MARKS
        .iter()
        .any(|m| memchr::memmem::find(src.text, m).is_some());
    if !is_test {
        out.facts.push(super::Fact::NotATest {
            path: src.path.to_string(),
        });
    }
}

/// Variables opened for writing: `x` in `open(x, "w")` or `file(x, "wb")`.
fn written_variables(text: &[u8]) -> Vec<&[u8]> {
    let mut names = Vec::new();
    for word in [&b"open"[..], b"file"] {
        for at in word_occurrences(text, word, word == b"open") {
            let paren = at + word.len();
            let Some((args, _)) = call_args(text, paren, 400) else {
                continue;
            };
            let Some(first) = args.first().map(|a| &text[a.clone()]) else {
                continue;
            };
            let is_name = !first.is_empty() && first.iter().all(|b| is_ident(*b));
            if is_name && args.iter().skip(1).any(|a| writes(&text[a.clone()])) {
                names.push(first);
            }
        }
    }
    names
}

/// The name a call at `at` is assigned to, when the line reads `name = call(…)`.
fn assigned_name(text: &[u8], at: usize) -> Option<&[u8]> {
    let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    // Drop the callee's own qualifier: `os.path.` before `join`, `pathlib.` before `Path`.
    let mut before = &text[start..at];
    while let Some((&last, rest)) = before.split_last() {
        if !(is_ident(last) || last == b'.') {
            break;
        }
        before = rest;
    }
    let before = before.trim_ascii();
    let lhs = before.strip_suffix(b"=")?.trim_ascii();
    (!lhs.is_empty() && lhs.iter().all(|b| is_ident(*b))).then_some(lhs)
}

/// The literal first argument of an `open(…)` call that writes: `open("tests/x.json", "w")`.
fn written_literal(text: &[u8], paren: usize) -> Option<Vec<u8>> {
    let (args, _) = call_args(text, paren, 400)?;
    let first = whole_literal(text, args.first()?)?;
    let writes_file = args.iter().skip(1).any(|a| {
        let a = &text[a.clone()];
        (!keyword_arg(a) || a.starts_with(b"mode")) && writes(a)
    });
    writes_file.then(|| text[first].to_vec())
}

/// A path built from string literals.
#[derive(Debug, PartialEq, Eq)]
struct PathExpr {
    /// The literal pieces joined with `/`.
    rel: String,
    /// From the first literal to the last.
    span: Range<usize>,
    /// Relative to the file (`__file__` appears), and how many extra directory levels up.
    file_relative: bool,
    ups: usize,
    /// End of the whole expression.
    end: usize,
}

fn path_expression(text: &[u8], paren: usize, is_open: bool) -> Option<PathExpr> {
    let (args, mut end) = call_args(text, paren, 400)?;
    let mut pieces: Vec<Range<usize>> = Vec::new();
    let mut file_relative = false;
    let mut ups = 0usize;
    for (n, arg) in args.iter().enumerate() {
        let a = &text[arg.clone()];
        if keyword_arg(a) {
            if is_open && a.starts_with(b"mode") && writes(a) {
                return None;
            }
            continue;
        }
        if is_open && n == 1 {
            if writes(a) {
                return None;
            }
            continue;
        }
        if is_open && n > 1 {
            break;
        }
        if let Some(content) = whole_literal(text, arg) {
            pieces.push(content);
        } else if super::tokens::contains(a, b"__file__") {
            file_relative = true;
            ups += count(a, b"dirname(").saturating_sub(1) + count(a, b".parent").saturating_sub(1);
        } else if !pieces.is_empty() || is_open {
            // `join("tests", name)`: the literal prefix is what we know; a variable first argument of
            // `open(...)` means the path is not a literal at all.
            if pieces.is_empty() {
                return None;
            }
            break;
        }
    }
    // `Path(__file__).parent / "fixtures" / "x.json"`
    let mut i = end;
    loop {
        let j = skip_ws(text, i, text.len());
        if text[j..].starts_with(b".parent") {
            if file_relative {
                ups += 1;
            }
            i = j + 7;
            continue;
        }
        if text[j..].starts_with(b".resolve()") || text[j..].starts_with(b".absolute()") {
            i = j + if text[j..].starts_with(b".resolve()") {
                10
            } else {
                11
            };
            continue;
        }
        if text.get(j) == Some(&b'/') {
            let k = skip_ws(text, j + 1, text.len());
            if let Some(lit) = literal_at(text, k) {
                pieces.push(lit.content);
                i = lit.end;
                end = lit.end;
                continue;
            }
        }
        break;
    }
    // `Path(__file__).parent` is the file's directory: the first `.parent` does not go up.
    if file_relative && ups > 0 && !text[paren..end].windows(8).any(|w| w == b"dirname(") {
        ups -= 1;
    }
    let first = pieces.first()?.clone();
    let last = pieces.last()?.clone();
    let rel: Vec<String> = pieces
        .iter()
        .map(|p| String::from_utf8_lossy(&text[p.clone()]).into_owned())
        .collect();
    let rel = rel.join("/");
    if rel.is_empty() || rel.contains("://") {
        return None;
    }
    Some(PathExpr {
        rel,
        span: first.start..last.end,
        file_relative,
        ups,
        end,
    })
}

fn keyword_arg(a: &[u8]) -> bool {
    let ident = a.iter().take_while(|b| is_ident(**b)).count();
    ident > 0 && a.get(ident) == Some(&b'=') && a.get(ident + 1) != Some(&b'=')
}

/// A mode argument that writes (`"w"`, `mode="a+"`): writing under a test path is not reading fixtures.
fn writes(a: &[u8]) -> bool {
    let q = a.iter().position(|b| *b == b'"' || *b == b'\'');
    q.is_some_and(|q| a[q..].iter().any(|b| matches!(b, b'w' | b'a' | b'x')))
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(hay, needle).count()
}

/// Resolve an import of `module` (or `alt`, when its last part is a name) made by `file`: a module that a
/// `NotATest` fact clears is not judged (see `Index::leak`).
pub(crate) fn resolve_import(
    index: &Index,
    file: &str,
    p: &Pending,
    module: &str,
    alt: Option<&str>,
) -> Option<Finding> {
    let candidates = module_candidates(index, file, module, alt);
    let Some((path, class)) = index.target(&candidates) else {
        return another_packages_tests(index, file, p, module);
    };
    index.leak(file, p, Use::Import, "imports", &path, class)
}

/// An import of another package's test package (`from otherpkg.tests.helpers import x`), not in this
/// repository: its tests are not its API, whether or not the distribution ships them.
fn another_packages_tests(index: &Index, file: &str, p: &Pending, module: &str) -> Option<Finding> {
    let parts: Vec<&str> = module.split('/').collect();
    let (top, rest) = parts.split_first()?;
    // A package of this repository that did not resolve is not judged (no guessing): the top
    // package at the root, under `src/` or `lib/`, or beside any directory above the importer.
    let mut roots = vec!["", "src", "lib"];
    let mut d = paths::parent(file);
    while !d.is_empty() {
        roots.push(d);
        d = paths::parent(d);
    }
    if roots.iter().any(|r| {
        let p = paths::under(r, top);
        index.is_dir(&p) || index.is_file(&format!("{p}.py"))
    }) {
        return None;
    }
    let dir = rest
        .iter()
        .find(|d| matches!(**d, "tests" | "fixtures" | "conftest"))?;
    let msg = format!(
        "imports `{}`: the `{dir}` package of `{top}` (its test code, not its API)",
        p.evidence
    );
    Some(super::make_finding(
        &super::rule_docs::TEST_IMPORT,
        p.at.in_file(file),
        msg,
        &p.evidence,
    ))
}

/// Python's import roots for a module: the repository root, `src/` and `lib/`, the directory above
/// the importer's top-level package, and the importer's own directory (a script's `sys.path[0]`).
pub(crate) fn module_candidates(
    index: &Index,
    importer: &str,
    module: &str,
    alt: Option<&str>,
) -> Vec<String> {
    let dir = paths::parent(importer);
    let mut top = dir;
    while !top.is_empty() && index.is_file(&paths::under(top, "__init__.py")) {
        top = paths::parent(top);
    }
    let mut roots = vec!["", "src", "lib", top, dir];
    roots.dedup();
    let mut out = Vec::new();
    for m in std::iter::once(module).chain(alt) {
        for r in &roots {
            out.push(paths::under(r, &format!("{m}.py")));
            out.push(paths::under(r, &format!("{m}/__init__.py")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::judge;
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, code: &str) -> Extracted {
        super::super::extract_for_test(path, code, Syntax::Python, extract)
    }

    fn wants(out: &Extracted) -> Vec<(String, String)> {
        out.pending
            .iter()
            .map(|p| {
                let w = match &p.want {
                    Want::PythonModule { module, alt, .. } => {
                        format!("module {module} alt {}", alt.as_deref().unwrap_or("-"))
                    }
                    Want::Path { candidates, used } => format!("{used:?} {}", candidates.join(" ")),
                    other => format!("{other:?}"),
                };
                (p.evidence.to_string(), w)
            })
            .collect()
    }

    #[test]
    fn imports_of_test_modules_are_kept_with_their_spans() {
        let code = "import os\nfrom tests.factories import UserFactory\nimport conftest as c\nfrom app import models\n";
        let out = run("app/notify.py", code);
        assert_eq!(
            wants(&out),
            vec![
                (
                    "tests.factories".into(),
                    "module tests/factories/UserFactory alt tests/factories".into()
                ),
                ("conftest".into(), "module conftest alt -".into()),
            ]
        );
        let at = &out.pending[0].at;
        assert_eq!((at.line, at.column, at.end_column), (2, 6, 21));
    }

    #[test]
    fn relative_imports_resolve_against_the_package() {
        let out = run(
            "app/api/views.py",
            "from .fixtures import users\nfrom .. import conftest\nfrom . import models\n",
        );
        assert_eq!(
            wants(&out),
            vec![
                (
                    ".fixtures".into(),
                    "Import app/api/fixtures/users.py app/api/fixtures/users/__init__.py app/api/fixtures.py app/api/fixtures/__init__.py".into()
                ),
                (
                    "conftest".into(),
                    "Import app/conftest.py app/conftest/__init__.py".into()
                ),
            ]
        );
    }

    #[test]
    fn docstrings_comments_and_test_support_modules_are_skipped() {
        let code = "\"\"\"Usage:\n\n    from tests.factories import make\n\"\"\"\n# import conftest\nx = 1\n";
        assert!(run("app/a.py", code).pending.is_empty());
        assert!(run(
            "src/flask/testing.py",
            "import pytest\nfrom tests import x\n"
        )
        .findings
        .is_empty());
    }

    #[test]
    fn test_libraries_are_findings_at_once() {
        let out = run(
            "app/pay.py",
            "from unittest import mock\nimport pytest\nfrom unittest.mock import patch\nfrom faker import Faker\nimport unittest\n",
        );
        let got: Vec<(String, u32, u32)> = out
            .findings
            .iter()
            .map(|f| {
                let crate::finding::Location::File(s) = &f.location else {
                    return (String::new(), 0, 0);
                };
                (f.evidence.clone().unwrap_or_default(), s.line, s.column)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("unittest.mock".into(), 1, 6),
                ("pytest".into(), 2, 8),
                ("unittest.mock".into(), 3, 6),
                ("faker".into(), 4, 6),
            ]
        );
    }

    #[test]
    fn literal_paths_opened_at_run_time() {
        let code = "data = json.load(open(\"tests/fixtures/people.json\"))\n\
                    p = Path(__file__).parent / \"fixtures\" / \"x.json\"\n\
                    q = os.path.join(os.path.dirname(__file__), '..', 'tests', 'data.csv')\n\
                    open('tests/out.txt', 'w')\n\
                    open(name)\n";
        let out = run("app/seed.py", code);
        assert_eq!(
            wants(&out),
            vec![
                (
                    "tests/fixtures/people.json".into(),
                    "Read tests/fixtures/people.json app/tests/fixtures/people.json".into()
                ),
                ("fixtures/x.json".into(), "Read app/fixtures/x.json".into()),
                ("../tests/data.csv".into(), "Read tests/data.csv".into()),
            ]
        );
        let at = &out.pending[0].at;
        assert_eq!((at.line, at.column, at.end_column), (1, 24, 50));
    }

    #[test]
    fn parse_import_shapes() {
        let t = b"from . import (a as b, c)";
        let i = parse_import(t, 0..t.len());
        assert_eq!(
            i.map(|i| (i.from.map(|f| f.0), i.names.len())),
            Some((Some(1), 2))
        );
        assert_eq!(parse_import(b"    importer = 1", 0..16), None);
        assert_eq!(parse_import(b"from_x import y", 0..15), None);
        let t = b"import a.b as c, d";
        assert_eq!(
            parse_import(t, 0..t.len()).map(|i| i.names),
            Some(vec![7..10, 17..18])
        );
    }

    #[test]
    fn python_modules_resolve_on_import_roots() {
        let files = [
            "app/__init__.py",
            "app/api/__init__.py",
            "app/api/views.py",
            "tests/__init__.py",
            "tests/factories.py",
            "src/flask/testing.py",
        ];
        let module = |module: &str, alt: Option<&str>| Want::PythonModule {
            module: module.into(),
            alt: alt.map(str::to_string),
        };
        let from_views = |want| judge(&files, vec![], "app/api/views.py", "e", want);
        assert_eq!(
            from_views(module(
                "tests/factories/UserFactory",
                Some("tests/factories")
            )),
            Some((
                "leak/test-import".into(),
                "imports `tests/factories.py` (test code)".into()
            ))
        );
        assert_eq!(from_views(module("flask/testing", None)), None);
        assert_eq!(from_views(module("tests/missing", None)), None);
    }
}
