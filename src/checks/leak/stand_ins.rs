//! Stand-ins production code uses: a module named as a mock, stub, fake or dummy (`app/clients/
//! notify_stub.py`, `src/mocks/api.js`, `lib/fake_dvla_client.rb`) imported by production code. Whether
//! that is a leak depends on how the importing file *uses* what it imports, which the file alone says:
//!
//! - used with no condition: the stand-in runs in production (an error);
//! - chosen by a flag (`client = NotifyStub() if settings.USE_STUB else Notify()`): a warning naming the
//!   flag and its default, and where production must set it;
//! - only where the environment's name says it is not production: dev code (nothing);
//! - only re-exported (`module.exports.MockAgent = MockAgent`): an API the package offers its users'
//!   tests (undici's `lib/mock/`), not something it runs.
//!
//! Computed at the walk for imports whose path names a stand-in, so resolution can judge them.

use super::tokens::{is_ident, line_range, word_occurrences};
use super::Source;
use crate::repo::reach_guard::{guard_at, Guard};

/// How a file uses what it imports from one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Uses {
    /// Used (or imported for its effects) with no condition where the module runs as it is loaded (its
    /// top level, a class body): the line of the first such use.
    Unguarded { line: u32 },
    /// Used with no condition in this file, but inside a function (a request handler, a factory):
    /// whether that runs is decided where it is called.
    InFunction { line: u32 },
    /// Imported, but no use found here that runs it (only type annotations or a `lambda` factory).
    NoRunningUse { line: u32 },
    /// Every use is under a condition; the first that is not "outside production" only.
    Guarded(Guard),
    /// Every use is under a condition that only holds outside production.
    OutsideProduction,
    /// Only re-exported.
    Exported,
}

/// Words a stand-in's path holds.
pub(crate) fn names_stand_in(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ["mock", "stub", "fake", "dummy"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Words the path of test code holds: its imports are judged by use too (`leak` in `resolve`).
pub(crate) fn names_test_code(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ["test", "spec", "fixture"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The language of an importing file, for reading its bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    JavaScript,
    Ruby,
}

/// How the file uses the module imported by the statement at `keyword` (`module` as written, for
/// Ruby's constant).
pub(crate) fn uses(src: &mut Source, lang: Lang, keyword: usize, module: &str) -> Uses {
    let text = src.text;
    let stmt = line_range(text, keyword);
    if let Some(g) = guard_at(text, keyword) {
        return judged(vec![g]);
    }
    let line_text = &text[stmt.clone()];
    let (names, reexport) = match lang {
        Lang::Python => (python_bindings(&text[keyword..stmt.end]), false),
        Lang::JavaScript => js_bindings(line_text),
        Lang::Ruby => (vec![ruby_constant(module)], false),
    };
    if reexport {
        return Uses::Exported;
    }
    let mut guards = Vec::new();
    let mut exported = false;
    let mut used = false;
    let mut in_function = None;
    let mut only_typed = false;
    for name in names.iter().filter(|n| !n.is_empty()) {
        for at in word_occurrences(text, name.as_bytes(), false) {
            if stmt.contains(&at) || !src.in_code(at) {
                continue;
            }
            let line_range = line_range(text, at);
            let line = &text[line_range.clone()];
            if not_run(&text[line_range.start..at]) {
                only_typed = true;
                continue;
            }
            used = true;
            if is_export(line) {
                exported = true;
                continue;
            }
            match guard_at(text, at) {
                Some(g) => guards.push(g),
                None if inside_function(text, line_range.start)
                    || defines_function(&text[line_range.start..at]) =>
                {
                    in_function.get_or_insert(at);
                }
                None => {
                    let line = src.span(at..at + name.len()).line;
                    return Uses::Unguarded { line };
                }
            }
        }
    }
    let import_line = src.span(keyword..keyword + 1).line;
    if !used {
        // Python names used only in annotations or factories: no use here runs the stand-in. Otherwise
        // imported for its effects (`import './mocks/browser'`): it runs.
        return if only_typed || lang == Lang::Python && !names.is_empty() {
            Uses::NoRunningUse { line: import_line }
        } else {
            Uses::Unguarded { line: import_line }
        };
    }
    if let Some(at) = in_function {
        let line = src.span(at..at + 1).line;
        return Uses::InFunction { line };
    }
    if guards.is_empty() && exported {
        return Uses::Exported;
    }
    judged(guards)
}

/// Is a use, given the text before it on its line, one that does not run it: a type annotation
/// (`x: Stub`, `Getter[Stub]`, `-> Stub`, `expected_type=Stub`, `isinstance(x, Stub)`) or a factory
/// deferred in a `lambda`?
fn not_run(before: &[u8]) -> bool {
    let t = before.trim_ascii_end();
    t.ends_with(b":")
        || t.ends_with(b"[")
        || t.ends_with(b"->")
        || t.ends_with(b"expected_type=")
        || memchr::memmem::find(before, b"lambda").is_some()
        || memchr::memmem::find(before, b"isinstance(").is_some()
}

/// Does the text before a use on its line open a function (`def x = Stub.new`, `(req) => new Stub()`)?
fn defines_function(before: &[u8]) -> bool {
    let t = before.trim_ascii_start();
    t.starts_with(b"def ")
        || memchr::memmem::find(before, b"=>").is_some()
        || memchr::memmem::find(before, b"function").is_some()
}

/// Is the line starting at `line_start` inside a function, method or arrow function (an enclosing
/// header that defines one)?
fn inside_function(text: &[u8], line_start: usize) -> bool {
    crate::repo::enclosing::headers(text, line_start)
        .into_iter()
        // `def `, `async def `, `function`, `async function`, `x = () =>`: anywhere on the header.
        .any(|t| {
            [&b"def "[..], b"function", b"=>"]
                .iter()
                .any(|w| memchr::memmem::find(t, w).is_some())
        })
}

pub(crate) fn judged(guards: Vec<Guard>) -> Uses {
    match guards.into_iter().find(|g| !g.outside_production()) {
        Some(g) => Uses::Guarded(g),
        None => Uses::OutsideProduction,
    }
}

/// `module.exports.X = X`, `exports.X = …`, `export { X }`, `__all__ = […]`: offered, not run.
fn is_export(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    t.starts_with(b"module.exports")
        || t.starts_with(b"exports.")
        || t.starts_with(b"export {")
        || t.starts_with(b"export default")
        || t.starts_with(b"__all__")
}

/// `from m import A, B as C` → A, C; `import a.b as c` → c; `import a.b` → a.b.
fn python_bindings(stmt: &[u8]) -> Vec<String> {
    let s = String::from_utf8_lossy(stmt);
    let Some((_, after)) = s.split_once("import ") else {
        return Vec::new();
    };
    after
        .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
        .split(',')
        .map(|part| {
            let part = part.trim().trim_matches(['(', ')']);
            match part.split_once(" as ") {
                Some((_, alias)) => alias.trim().to_string(),
                None => part.trim().to_string(),
            }
        })
        .filter(|n| n != "*")
        .collect()
}

/// The names a JavaScript import binds, and whether the statement re-exports instead
/// (`export … from`): `import X, { A, B as C } from`, `import * as N from`, `const X = require(…)`,
/// `const { A, B: C } = require(…)`.
fn js_bindings(line: &[u8]) -> (Vec<String>, bool) {
    let s = String::from_utf8_lossy(line);
    let t = s.trim_start();
    if t.starts_with("export ") {
        return (Vec::new(), true);
    }
    let head = match (t.find(" from "), t.find("require(")) {
        (Some(i), _) => &t[..i],
        (None, Some(i)) => &t[..i],
        _ => t,
    };
    let head = head
        .trim_start_matches("import ")
        .trim_start_matches("const ")
        .trim_start_matches("let ")
        .trim_start_matches("var ")
        .trim_end()
        .trim_end_matches('=')
        .trim_end_matches("await")
        .trim();
    let mut out = Vec::new();
    for part in head.split(['{', '}', ',']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let name = part
            .rsplit([' ', ':'])
            .next()
            .unwrap_or(part)
            .trim()
            .to_string();
        if name.bytes().all(is_ident) && name != "type" {
            out.push(name);
        }
    }
    (out, false)
}

/// `mock_notify_client` (a Ruby feature's last part) → `MockNotifyClient`.
fn ruby_constant(feature: &str) -> String {
    let stem = feature.rsplit('/').next().unwrap_or(feature);
    let stem = stem.strip_suffix(".rb").unwrap_or(stem);
    stem.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::repo::lexer::Syntax;

    fn uses_in(lang: Lang, path: &str, code: &str, stmt: &str, module: &str) -> Uses {
        let config = Config::default();
        let syntax = match lang {
            Lang::Python => Syntax::Python,
            Lang::JavaScript => Syntax::CLike,
            Lang::Ruby => Syntax::Ruby,
        };
        let mut src = Source::new(&config, path, code.as_bytes(), syntax);
        uses(&mut src, lang, code.find(stmt).unwrap_or(0), module)
    }

    #[test]
    fn how_an_imported_stand_in_is_used() {
        let unguarded = "from app.clients.notify_stub import NotifyStub\n\nclient = NotifyStub()\n";
        assert_eq!(
            uses_in(Lang::Python, "app/x.py", unguarded, "from", "m"),
            Uses::Unguarded { line: 3 }
        );
        let flag = "from app.clients.notify_stub import NotifyStub as Stub\n\nclient = Stub() if settings.USE_NOTIFY_STUB else Notify()\n";
        match uses_in(Lang::Python, "app/x.py", flag, "from", "m") {
            Uses::Guarded(g) => assert_eq!(g.flag(), "settings.USE_NOTIFY_STUB"),
            other => panic!("{other:?}"),
        }
        let dev = "const { MockApi } = require('./mocks/api')\nif (process.env.NODE_ENV === 'development') {\n  app.use(MockApi)\n}\n";
        assert_eq!(
            uses_in(Lang::JavaScript, "src/x.js", dev, "const", "m"),
            Uses::OutsideProduction
        );
        let reexport = "const MockAgent = require('./lib/mock/mock-agent')\nmodule.exports.MockAgent = MockAgent\n";
        assert_eq!(
            uses_in(Lang::JavaScript, "index.js", reexport, "const", "m"),
            Uses::Exported
        );
        let side_effect = "import './mocks/browser'\nstart()\n";
        assert_eq!(
            uses_in(Lang::JavaScript, "src/x.js", side_effect, "import", "m"),
            Uses::Unguarded { line: 1 }
        );
        let rb = "require 'fake_dvla_client'\n\nclass Vehicles\n  def client = FakeDvlaClient.new\nend\n";
        assert_eq!(
            uses_in(Lang::Ruby, "app/x.rb", rb, "require", "fake_dvla_client"),
            Uses::InFunction { line: 4 }
        );
        // notifications-api: the stub in annotations and a lambda factory, chosen by a setting elsewhere.
        let typed = "from app.clients.email.aws_ses_stub import AwsSesStubClient\n\nvar: ContextVar[AwsSesStubClient] = ContextVar(\"x\")\nget = Getter(lambda: AwsSesStubClient(url), expected_type=AwsSesStubClient)\n";
        assert_eq!(
            uses_in(Lang::Python, "app/__init__.py", typed, "from", "m"),
            Uses::NoRunningUse { line: 1 }
        );
    }
}
