//! Next.js's pages router builds every file under `pages/` (or `src/pages/`) as a page or an API route —
//! a test beside the handler it tests (`pages/api/export.spec.ts`) included — unless `pageExtensions`
//! in the project's `next.config.*` narrows which files are pages. Such a test is then served in
//! production as `/api/export.spec`, with the mocks it imports bundled into the server.
//!
//! A page that exists to test something (`pages/guidance/errortest.page.tsx`, whose server side throws on
//! purpose; `pages/test-sentry.tsx`) is a route like any other: its name says it is for testing, and
//! whether it is served follows from the extensions alone, not from how its name classifies it.
//!
//! The walk records each `next.config.*` and the page extensions it sets (a fact); the judgement runs on
//! the complete file index.

use super::reach_rules::TEST_ROUTE;
use super::{make_finding, paths, Extracted, Fact, Source};
use crate::finding::{FileSpan, Finding};
use crate::repo::files::FileEntry;
use crate::repo::lexer::{self, NonCode, Syntax};

/// Which files under `pages/` a Next.js project builds as routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageExtensions {
    /// Not set: Next.js's default, every script.
    Default,
    /// Set to these literal endings (`page.tsx`, `api.ts`): a file is a route when its name ends in one.
    Listed(Vec<String>),
    /// Set to something not read here (a variable, a spread, a call): which files are routes is unknown,
    /// so none is judged.
    Unread,
}

/// The scripts Next.js builds as routes when `pageExtensions` is not set.
const DEFAULT_EXTENSIONS: &[&str] = &["js", "jsx", "ts", "tsx", "mjs", "cjs"];

/// A `next.config.*`: its project's directory, and which files it says are pages.
pub(crate) fn extract(src: &Source, out: &mut Extracted) {
    out.facts.push(Fact::NextConfig {
        dir: paths::parent(src.path).to_string(),
        pages: page_extensions(src.text),
    });
}

/// `pageExtensions: ["page.tsx", "api.ts"]` (outside comments): the endings listed, when each is a string
/// literal; `Unread` when the setting is there but not a literal list.
fn page_extensions(text: &[u8]) -> PageExtensions {
    let comments: Vec<_> = lexer::non_code(Syntax::CLike, text)
        .into_iter()
        .filter(|(_, k)| *k == NonCode::Comment)
        .map(|(r, _)| r)
        .collect();
    let key = b"pageExtensions";
    let mut found = PageExtensions::Default;
    for at in memchr::memmem::find_iter(text, key) {
        if lexer::contains(&comments, at) {
            continue;
        }
        match listed(&text[at + key.len()..]) {
            Some(list) => return PageExtensions::Listed(list),
            None => found = PageExtensions::Unread,
        }
    }
    found
}

/// After the key: `: [ 'a', "b", ]` (the key may be quoted), the strings; None for anything else.
fn listed(rest: &[u8]) -> Option<Vec<String>> {
    let rest = std::str::from_utf8(rest.get(..rest.len().min(400))?)
        .or_else(|e| std::str::from_utf8(&rest[..e.valid_up_to()]))
        .ok()?;
    let rest = rest.trim_start_matches(['"', '\'']).trim_start();
    let rest = rest.strip_prefix([':', '='])?.trim_start();
    let body = rest.strip_prefix('[')?;
    let body = &body[..body.find(']')?];
    let mut list = Vec::new();
    for item in body.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let quote = item.chars().next()?;
        let inner = item.strip_prefix(['"', '\'', '`'])?.strip_suffix(quote)?;
        if inner.is_empty() || inner.contains(['"', '\'', '`', '$', '/']) {
            return None;
        }
        list.push(inner.trim_start_matches('.').to_string());
    }
    (!list.is_empty()).then_some(list)
}

pub(crate) fn is_next_config(name: &str) -> bool {
    name.starts_with("next.config.")
}

/// Is this file under a `pages/` directory (a candidate route, read for its guard)?
pub(crate) fn under_pages(path: &str) -> bool {
    path.starts_with("pages/") || path.contains("/pages/")
}

/// A script under `pages/` whose name says it is a page for testing: read for its guard whatever its
/// class (`errortest.page.tsx` classifies as production code).
pub(crate) fn may_be_test_page(path: &str) -> bool {
    under_pages(path) && {
        let name = paths::file_name(path);
        let stem = name.split('.').next().unwrap_or(name);
        names_a_test(stem) || name.split('.').skip(1).any(is_test_segment)
    }
}

/// The kinds of thing a page exists to test when its name joins one to `test` (`errortest`,
/// `sentry-test`, `crashTest`): error handling, error reporting, smoke and load checks.
const TESTED: &[&str] = &[
    "error",
    "errors",
    "exception",
    "crash",
    "sentry",
    "smoke",
    "throw",
    "log",
    "logging",
    "debug",
    "e2e",
];

/// Does a route's last segment (without its page extension) name a page that exists to test? `test`,
/// `tests`, a name that starts with the word (`test-email`, `testPage`), a `.test`/`.spec` part
/// (`checkout.test`), or `test` joined to what is tested (`errortest`, `error-test`). A name that merely
/// ends in the letters (`contest`, `latest`) or uses the word for the service's subject (`order-a-test`,
/// `covid-test`) is not one.
fn route_names_a_test(last: &str) -> bool {
    let mut parts = last.split('.');
    let first = parts.next().unwrap_or(last);
    names_a_test(first) || parts.any(is_test_segment)
}

fn is_test_segment(part: &str) -> bool {
    matches!(
        part.to_ascii_lowercase().as_str(),
        "test" | "tests" | "spec" | "e2e"
    )
}

fn names_a_test(name: &str) -> bool {
    let words = crate::repo::classify::words_split_at(name, |c| !c.is_ascii_alphanumeric());
    let Some(first) = words.first() else {
        return false;
    };
    if matches!(first.as_str(), "test" | "tests") {
        return true;
    }
    words.iter().enumerate().any(|(i, w)| {
        let joined = ["test", "tests"]
            .iter()
            .any(|t| w.strip_suffix(t).is_some_and(|k| TESTED.contains(&k)));
        let after = matches!(w.as_str(), "test" | "tests")
            && i > 0
            && TESTED.contains(&words[i - 1].as_str());
        joined || after
    })
}

/// A file under `pages/` (or another file Next.js would not serve) whose handler answers "not found"
/// first unless a flag is set (`if (process.env.E2E_HTTP_MOCKS !== 'true') { res.status(404).end();
/// return; }`). Then the route is off unless production sets the flag: a note that names it.
pub(crate) fn extract_page(src: &Source, out: &mut Extracted) {
    let text = src.text;
    let guard = [&b"404"[..], b"NOT_FOUND", b"notFound"]
        .iter()
        .filter_map(|w| memchr::memmem::find(text, w))
        .min()
        .and_then(|at| crate::repo::reach_guard::guard_at(text, at))
        .filter(|g| g.reads_configuration() && g.on_by_default() == Some(true))
        .map(|g| {
            format!(
                "it answers \"not found\" first unless `{}` says otherwise ({g})",
                g.flag()
            )
        });
    if let Some(guard) = guard {
        out.facts.push(Fact::GuardedPage {
            path: src.path.to_string(),
            guard,
        });
    }
}

/// The route a file under `root/` is served as, when the project's extensions make it one: the path
/// after the root without the page extension (`/guidance/errortest`).
fn route<'f>(root: &str, path: &'f str, pages: &PageExtensions) -> Option<&'f str> {
    let name = paths::file_name(path);
    let ending = match pages {
        PageExtensions::Default => {
            let ext = paths::extension(name);
            DEFAULT_EXTENSIONS.contains(&ext).then_some(ext.len())?
        }
        PageExtensions::Listed(list) => list
            .iter()
            .filter(|e| {
                name.len() > e.len() + 1
                    && name.ends_with(e.as_str())
                    && name.as_bytes()[name.len() - e.len() - 1] == b'.'
            })
            .map(String::len)
            .max()?,
        PageExtensions::Unread => return None,
    };
    path.get(root.len()..path.len() - ending - 1)
}

/// The test files and test pages Next.js builds as routes, one finding each: an error, or a note when
/// the handler turns itself away unless a flag is set.
pub(crate) fn judge(
    files: &[FileEntry],
    configs: &[(String, PageExtensions)],
    guarded: &[(String, String)],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (dir, pages) in configs {
        for root in ["pages", "src/pages"].map(|p| paths::under(dir, p)) {
            let prefix = format!("{root}/");
            for f in files.iter().filter(|f| f.path.starts_with(&prefix)) {
                let Some(route) = route(&root, &f.path, pages) else {
                    continue;
                };
                let last = paths::file_name(route);
                let config = paths::under(dir, "next.config.js");
                let msg = if f.class.is_test_side() {
                    match pages {
                        PageExtensions::Default => format!(
                            "Next.js builds every file under `{root}/` as a route, so this test is served in production as `{route}` with what it imports; `{config}` sets no `pageExtensions` (name pages `*.page.tsx` and set `pageExtensions`, or move the test out of `{root}/`)"
                        ),
                        _ => format!(
                            "this test ends in one of the `pageExtensions` `{config}` sets, so Next.js builds it as a route served in production as `{route}` with what it imports (give tests an ending that is not a page's, or move it out of `{root}/`)"
                        ),
                    }
                } else if route_names_a_test(last) {
                    format!(
                        "a page for testing, by its name: Next.js builds it as a route, so it is served in production as `{route}` to anyone; serve it only where a flag that is off unless set turns it on, or move it out of `{root}/`"
                    )
                } else {
                    continue;
                };
                let at = FileSpan {
                    path: f.path.to_string(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                    span: (0, 0),
                };
                let mut found = make_finding(&TEST_ROUTE, at, msg, paths::file_name(&f.path));
                if let Some((_, why)) = guarded.iter().find(|(p, _)| *p == *f.path) {
                    found.severity = crate::finding::Severity::Note;
                    found.message.push_str(&format!(
                        "; off by default: {why}, so production must keep it unset"
                    ));
                }
                out.push(found);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts a test file under `pages/` states.
    fn facts(code: &str) -> usize {
        super::super::extract_for_test("pages/api/e2e/token.ts", code, Syntax::CLike, |src, out| {
            extract_page(src, out)
        })
        .facts
        .len()
    }

    #[test]
    fn a_handler_that_turns_itself_away_unless_a_flag_is_set() {
        let support = "export default function handler(req, res) {\n  if (process.env.E2E_HTTP_MOCKS !== 'true') {\n    res.status(404).end();\n    return;\n  }\n  res.json({ token: 'x' });\n}\n";
        assert_eq!(facts(support), 1);
        let open = "export default function handler(req, res) {\n  res.status(404).end();\n}\n";
        assert_eq!(facts(open), 0);
    }

    #[test]
    fn the_page_extensions_a_config_lists() {
        let listed = |v: &[&str]| PageExtensions::Listed(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            page_extensions(
                b"module.exports = {\n  pageExtensions: [\"page.tsx\", 'api.ts'],\n}\n"
            ),
            listed(&["page.tsx", "api.ts"])
        );
        assert_eq!(
            page_extensions(b"const c = { \"pageExtensions\": [ `mdx`, \"tsx\", ] }\n"),
            listed(&["mdx", "tsx"])
        );
        assert_eq!(
            page_extensions(b"module.exports = { output: 'standalone' }\n"),
            PageExtensions::Default
        );
        // A comment names nothing; a list not written out is not read.
        assert_eq!(
            page_extensions(b"// pageExtensions: ['page.tsx']\nmodule.exports = {}\n"),
            PageExtensions::Default
        );
        assert_eq!(
            page_extensions(b"module.exports = { pageExtensions: [...exts, 'mdx'] }\n"),
            PageExtensions::Unread
        );
        assert_eq!(
            page_extensions(b"module.exports = { pageExtensions }\n"),
            PageExtensions::Unread
        );
    }

    #[test]
    fn pages_named_for_testing() {
        for name in [
            "errortest",
            "error-test",
            "sentryTest",
            "test",
            "test-email",
            "testPage",
            "checkout.test",
        ] {
            assert!(route_names_a_test(name), "{name}");
        }
        for name in [
            "contest",
            "latest",
            "attestation",
            "testimonials",
            "covid-test",
            "order-a-test",
            "index",
        ] {
            assert!(!route_names_a_test(name), "{name}");
        }
    }

    #[test]
    fn routes_follow_the_extensions() {
        let listed = PageExtensions::Listed(vec!["page.tsx".into(), "api.ts".into()]);
        let r = |p, e| route("web/pages", p, e);
        assert_eq!(
            r("web/pages/guidance/errortest.page.tsx", &listed),
            Some("/guidance/errortest")
        );
        assert_eq!(r("web/pages/guidance/errortest.test.tsx", &listed), None);
        assert_eq!(r("web/pages/api/x.api.ts", &listed), Some("/api/x"));
        assert_eq!(r("web/pages/.page.tsx", &listed), None);
        assert_eq!(
            r("web/pages/api/x.spec.ts", &PageExtensions::Default),
            Some("/api/x.spec")
        );
        assert_eq!(r("web/pages/x.page.tsx", &PageExtensions::Unread), None);
    }
}
