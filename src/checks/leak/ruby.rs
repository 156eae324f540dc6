//! Ruby: `require` / `require_relative` / `load` of specs, tests, support files and fixtures; test libraries
//! (rspec, minitest, webmock, faker, factory_bot); and fixture files read at run time (`File.read`,
//! `YAML.load_file`, `Rails.root.join("spec", "fixtures", …)`).

use super::libraries;
use super::paths::{self, is_test_support_path};
use super::resolve::Index;
use super::rule_docs::TEST_LIBRARY_IMPORT;
use super::tokens::{call_args, is_ident, literal_at, skip_ws, whole_literal, word_occurrences};
use super::{Extracted, Pending, Source, Use, Want};
use crate::finding::Finding;
use std::ops::Range;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    if is_test_support_path(src.path) {
        return;
    }
    requires(src, out);
    let before = out.pending.len();
    reads(src, out);
    // What a script reads from the test directories it writes into is that maintenance.
    let written = written_test_dirs(src.text);
    if !written.is_empty() {
        let mut i = before;
        out.pending.retain(|p| {
            let keep = i < before || !maintains(&written, p);
            i += 1;
            keep
        });
    }
}

/// Is a read one of the script's own maintenance: of a file in a directory it writes into, or in a
/// directory above one (the list of fixtures to refresh beside them)?
fn maintains(written: &[String], p: &Pending) -> bool {
    let Want::Path {
        candidates,
        used: Use::Read,
    } = &p.want
    else {
        return false;
    };
    candidates.iter().any(|c| {
        let dir = paths::parent(c);
        !dir.is_empty() && written.iter().any(|w| paths::is_under(w, dir))
    })
}

/// Calls that write a file, and whether they write only with a mode saying so (`File.open(path, "w")`).
const WRITERS: &[(&[u8], bool)] = &[
    (b"File.write", false),
    (b"File.binwrite", false),
    (b"IO.write", false),
    (b"File.open", true),
    (b"CSV.open", true),
];

/// The test directories a script writes into: smart-answers' `script/update_worldwide_locations.rb`
/// names `Rails.root.join("test/fixtures/world/#{slug}.json")`, then `File.open(that_path, "w")` to
/// refresh the fixtures from the live API. What it reads from there (the list of fixtures to refresh) is
/// that maintenance, not test data loaded by the live service; one write into the test tree does not
/// make every other read of test data maintenance.
fn written_test_dirs(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, needs_mode) in WRITERS {
        for at in memchr::memmem::find_iter(text, name) {
            let Some((args, _)) = args_of(text, at + name.len()) else {
                continue;
            };
            let writes = !*needs_mode
                || args
                    .get(1)
                    .and_then(|m| whole_literal(text, m))
                    .is_some_and(|m| matches!(text.get(m.start), Some(b'w' | b'a')));
            let Some(first) = args.first().filter(|_| writes) else {
                continue;
            };
            let target = &text[first.clone()];
            let path = if target.iter().all(|b| is_ident(*b)) {
                assigned_before(text, target, at)
            } else {
                Some(target)
            };
            if let Some(dir) = path.and_then(test_dir_named) {
                out.push(dir);
            }
        }
    }
    out
}

/// The right-hand side of the last `name = …` line before `at`.
fn assigned_before<'t>(text: &'t [u8], name: &[u8], at: usize) -> Option<&'t [u8]> {
    let mut found = None;
    for line in text[..at].split(|b| *b == b'\n') {
        let code = line.trim_ascii_start();
        if let Some(rest) = code.strip_prefix(name) {
            let rest = rest.trim_ascii_start();
            if rest.starts_with(b"=") && !rest.starts_with(b"==") {
                found = Some(&rest[1..]);
            }
        }
    }
    found
}

/// The directory of the test or fixture path an expression's string literals name (pieces joined,
/// up to an interpolation): `test/fixtures/world` for `Rails.root.join("test/fixtures/world/#{slug}.json")`.
fn test_dir_named(expr: &[u8]) -> Option<String> {
    let pieces: Vec<String> = (0..expr.len())
        .filter(|&i| matches!(expr[i], b'"' | b'\''))
        .filter_map(|i| literal_at(expr, i))
        .map(|lit| String::from_utf8_lossy(&expr[lit.content]).into_owned())
        .collect();
    let joined = pieces.join("/");
    if !paths::has_test_word(&joined) {
        return None;
    }
    let joined = paths::join("", &joined)?;
    // A path cut at an interpolation ends in its directory (`…/world/`); otherwise drop the file name.
    let dir = if pieces.last().is_some_and(|p| p.ends_with('/')) {
        joined
    } else {
        paths::parent(&joined).to_string()
    };
    (!dir.is_empty()).then_some(dir)
}

fn requires(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut hits: Vec<(usize, &[u8])> = Vec::new();
    for word in [&b"require"[..], b"require_relative", b"load"] {
        hits.extend(word_occurrences(text, word, false).map(|at| (at, word)));
    }
    hits.sort_unstable();
    for (at, word) in hits {
        let Some(arg) = single_literal_arg(text, at + word.len()) else {
            continue;
        };
        let s = src.str(arg.clone());
        match word {
            b"require" => {
                if let Some(kind) = libraries::ruby_feature(&s) {
                    if src.in_code(at) {
                        let a = src.span(arg);
                        let msg =
                            format!("requires `{s}` ({}) in production code", kind.describe());
                        out.finding(&TEST_LIBRARY_IMPORT, a, msg, &s);
                    }
                    continue;
                }
                if s.starts_with('.') {
                    continue;
                }
                if !src.worth_resolving(&[format!("{s}.rb")]) || !src.in_code(at) {
                    continue;
                }
                let a = src.span(arg);
                let want = Want::RubyFeature { feature: s.clone() };
                out.pending(a, s, want);
            }
            _ => {
                let base = if word == b"load" { "" } else { src.dir() };
                let Some(p) = paths::join(base, &s) else {
                    continue;
                };
                let candidates = if p.ends_with(".rb") {
                    vec![p]
                } else {
                    vec![format!("{p}.rb"), p]
                };
                if !src.worth_resolving(&candidates) || !src.in_code(at) {
                    continue;
                }
                let a = src.span(arg);
                let want = Want::Path {
                    candidates,
                    used: Use::Import,
                };
                out.pending(a, s, want);
            }
        }
    }
}

/// `word "x"` or `word("x")`: the literal's content.
fn single_literal_arg(text: &[u8], after: usize) -> Option<Range<usize>> {
    let mut j = skip_ws(text, after, text.len());
    if text.get(j) == Some(&b'(') {
        j = skip_ws(text, j + 1, text.len());
    } else if j == after {
        return None;
    }
    let lit = literal_at(text, j)?;
    (text[j] != b'`').then_some(lit.content)
}

/// Calls whose first argument is a path read at run time.
const READERS: &[&[u8]] = &[
    b"File.read",
    b"File.open",
    b"File.readlines",
    b"File.foreach",
    b"IO.read",
    b"YAML.load_file",
    b"YAML.safe_load_file",
    b"JSON.load_file",
    b"CSV.read",
    b"CSV.foreach",
];

fn reads(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut calls: Vec<(usize, usize, Call)> = Vec::new();
    for name in READERS {
        for at in memchr::memmem::find_iter(text, name) {
            calls.push((at, at + name.len(), Call::FirstArg));
        }
    }
    for (name, call) in [
        (&b"Rails.root.join"[..], Call::Join),
        (b"File.join", Call::Join),
        (b"File.expand_path", Call::ExpandPath),
    ] {
        for at in memchr::memmem::find_iter(text, name) {
            calls.push((at, at + name.len(), call));
        }
    }
    calls.sort_unstable_by_key(|c| c.0);
    let mut covered = 0;
    for (at, after, call) in calls {
        if at < covered
            || text
                .get(after)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            continue;
        }
        let Some((args, end)) = args_of(text, after) else {
            continue;
        };
        let mut pieces: Vec<Range<usize>> = Vec::new();
        let mut base: Option<String> = None;
        for (n, arg) in args.iter().enumerate() {
            let a = &text[arg.clone()];
            if a == b"__dir__" || a.starts_with(b"File.dirname(__FILE__)") {
                base = Some(src.dir().to_string());
            } else if a == b"__FILE__" && call == Call::ExpandPath {
                base = Some(src.path.to_string());
            } else if let Some(c) = whole_literal(text, arg) {
                if call == Call::Join || n == 0 {
                    pieces.push(c);
                }
            } else if (call == Call::Join && !pieces.is_empty()) || (n == 0 && call != Call::Join) {
                // A variable after literal parts ends what is known; a variable first path is no path.
                break;
            }
            if call == Call::FirstArg {
                break;
            }
        }
        let Some((span, rel)) = src.joined_path(&pieces) else {
            continue;
        };
        covered = end;
        let mut candidates = Vec::new();
        match &base {
            Some(b) => candidates.extend(paths::join(b, &rel)),
            None => {
                candidates.extend(paths::join("", &rel));
                candidates.extend(paths::join(src.dir(), &rel));
            }
        }
        if candidates.is_empty()
            || !src.worth_resolving(&candidates)
            || !src.in_code(at)
            || sets_preview_paths(text, at)
        {
            continue;
        }
        let a = src.span(span);
        out.pending(
            a,
            rel,
            Want::Path {
                candidates,
                used: Use::Read,
            },
        );
    }
}

/// `config.view_component.previews.paths = [Rails.root.join("spec/components")]`,
/// `config.action_mailer.preview_paths << …`: component and mailer previews live beside the specs and
/// Rails serves them only where previews are switched on (development, by default) — not a read of test
/// data by the live service.
fn sets_preview_paths(text: &[u8], at: usize) -> bool {
    let line = &text[super::tokens::line_range(text, at)];
    [&b"preview_paths"[..], b"previews.paths", b"preview_path "]
        .iter()
        .any(|w| memchr::memmem::find(line, w).is_some())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    FirstArg,
    Join,
    ExpandPath,
}

/// Arguments with or without parentheses (`File.read "x"`), and where they end.
fn args_of(text: &[u8], after: usize) -> Option<(Vec<Range<usize>>, usize)> {
    if text.get(after) == Some(&b'(') {
        return call_args(text, after, 400);
    }
    let j = skip_ws(text, after, text.len());
    if j == after {
        return None;
    }
    let lit = literal_at(text, j)?;
    let arg: Range<usize> = j..lit.end;
    Some((std::iter::once(arg).collect(), lit.end))
}

/// Resolve `require 'feature'` made by `file`.
pub(crate) fn resolve_require(
    index: &Index,
    file: &str,
    p: &Pending,
    feature: &str,
) -> Option<Finding> {
    let candidates = feature_candidates(file, feature);
    let (path, class) = index.target(&candidates)?;
    index.leak(file, p, Use::Import, "requires", &path, class)
}

/// Ruby's load paths by convention: the root, `lib/`, `app/`, the importer's own gem `lib/`, and the
/// `spec/` / `test/` directories test runners add.
pub(crate) fn feature_candidates(importer: &str, feature: &str) -> Vec<String> {
    let file = if feature.ends_with(".rb") {
        feature.to_string()
    } else {
        format!("{feature}.rb")
    };
    let mut roots: Vec<String> = vec![
        String::new(),
        "lib".into(),
        "app".into(),
        "spec".into(),
        "test".into(),
    ];
    let comps: Vec<&str> = importer.split('/').collect();
    if let Some(i) = comps.iter().position(|c| *c == "lib" || *c == "app") {
        let project = comps[..i].join("/");
        for sub in ["lib", "spec", "test"] {
            roots.push(paths::under(&project, sub));
        }
    }
    roots.dedup();
    roots.iter().map(|r| paths::under(r, &file)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, code: &str) -> Extracted {
        super::super::extract_for_test(path, code, Syntax::Ruby, extract)
    }

    #[test]
    fn one_write_into_the_test_tree_is_not_a_licence_to_read_all_of_it() {
        // Writes one file under tmp/test; reads people from spec/fixtures: still test data read.
        let code = "File.write(Rails.root.join(\"test/tmp/last_run.txt\"), Time.now.to_s)\n\
                    PEOPLE = YAML.load_file(Rails.root.join(\"spec/fixtures/people.yml\"))\n";
        assert_eq!(run("app/lib/people.rb", code).pending.len(), 1);
    }

    #[test]
    fn a_script_refreshing_fixtures_maintains_them() {
        let refresh = "list = YAML.load_file(Rails.root.join(\"test/fixtures/locations.yml\"))\n\
                       list.each do |slug|\n  fixture_path = Rails.root.join(\"test/fixtures/world/#{slug}.json\")\n\
                       \n  File.open(fixture_path, \"w\") do |file|\n    file.puts fetch(slug)\n  end\nend\n";
        assert!(run("script/update_locations.rb", refresh)
            .pending
            .is_empty());
        // The twins: a script that only reads, and one that writes elsewhere, still read test data.
        let reads_only = "fixture_path = Rails.root.join(\"test/fixtures/world.json\")\n\
                          File.open(fixture_path) { |f| f.read }\n";
        assert_eq!(run("app/lib/world.rb", reads_only).pending.len(), 1);
        let writes_log = "DATA = YAML.load_file(Rails.root.join(\"spec/fixtures/people.yml\"))\n\
                          File.write(Rails.root.join(\"log/people.log\"), DATA.to_s)\n";
        assert_eq!(run("app/lib/people.rb", writes_log).pending.len(), 1);
    }

    #[test]
    fn requires_and_reads() {
        let code = "require 'json'\nrequire \"spec_helper\"\nrequire_relative '../spec/support/users'\n# require 'test_helper'\nrequire 'faker'\n\
                    DATA = YAML.load_file(Rails.root.join('spec', 'fixtures', 'people.yml'))\n\
                    X = File.read(File.expand_path('../test/fixtures/x.json', __dir__))\n";
        let out = run("app/models/user.rb", code);
        let got: Vec<(String, String)> = out
            .pending
            .iter()
            .map(|p| {
                let w = match &p.want {
                    Want::Path { candidates, used } => format!("{used:?} {}", candidates.join(" ")),
                    Want::RubyFeature { feature, .. } => format!("feature {feature}"),
                    other => format!("{other:?}"),
                };
                (p.evidence.to_string(), w)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("spec_helper".into(), "feature spec_helper".into()),
                (
                    "../spec/support/users".into(),
                    "Import app/spec/support/users.rb app/spec/support/users".into()
                ),
                (
                    "spec/fixtures/people.yml".into(),
                    "Read spec/fixtures/people.yml app/models/spec/fixtures/people.yml".into()
                ),
                (
                    "../test/fixtures/x.json".into(),
                    "Read app/test/fixtures/x.json".into()
                ),
            ]
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.pending[0].at.column, 10);
    }
}
