//! Next.js's pages router builds every file under `pages/` (or `src/pages/`) as a page or an API route —
//! a test beside the handler it tests (`pages/api/export.spec.ts`) included — unless `pageExtensions`
//! in the project's `next.config.*` narrows which files are pages. Such a test is then served in
//! production as `/api/export.spec`, with the mocks it imports bundled into the server.
//!
//! The walk records each `next.config.*` and whether it sets `pageExtensions` (a fact); the judgement
//! runs on the complete file index.

use super::reach_rules::TEST_ROUTE;
use super::{make_finding, paths, Extracted, Fact, Source};
use crate::finding::{FileSpan, Finding};
use crate::repo::files::FileEntry;

/// A `next.config.*`: its project's directory, and whether it says which files are pages.
pub(crate) fn extract(src: &Source, out: &mut Extracted) {
    out.facts.push(Fact::NextConfig {
        dir: paths::parent(src.path).to_string(),
        page_extensions: memchr::memmem::find(src.text, b"pageExtensions").is_some(),
    });
}

pub(crate) fn is_next_config(name: &str) -> bool {
    name.starts_with("next.config.")
}

/// Is this test file under a `pages/` directory (a candidate route, read for its guard)?
pub(crate) fn under_pages(path: &str) -> bool {
    path.starts_with("pages/") || path.contains("/pages/")
}

/// A test file under `pages/`: whether its handler answers "not found" first unless a flag is set
/// (`if (process.env.E2E_HTTP_MOCKS !== 'true') { res.status(404).end(); return; }`). Then the route is
/// off unless production sets the flag: a note that names it.
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

/// The test files Next.js builds as routes, one finding each: an error, or a note when the handler
/// turns itself away unless a flag is set.
pub(crate) fn judge(
    files: &[FileEntry],
    configs: &[(String, bool)],
    guarded: &[(String, String)],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (dir, _) in configs.iter().filter(|(_, narrowed)| !narrowed) {
        for root in ["pages", "src/pages"].map(|p| paths::under(dir, p)) {
            let prefix = format!("{root}/");
            for f in files.iter().filter(|f| f.path.starts_with(&prefix)) {
                let ext = paths::extension(&f.path);
                if !f.class.is_test_side()
                    || !matches!(ext, "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs")
                {
                    continue;
                }
                let route = &f.path[root.len()..f.path.len() - ext.len() - 1];
                let msg = format!(
                    "Next.js builds every file under `{root}/` as a route, so this test is served in production as `{route}` with what it imports; `{}` sets no `pageExtensions` (name pages `*.page.tsx` and set `pageExtensions`, or move the test out of `{root}/`)",
                    paths::under(dir, "next.config.js")
                );
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
    use crate::repo::lexer::Syntax;

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
}
