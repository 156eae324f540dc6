//! Rust: `include_str!` / `include_bytes!` / `include!`, `#[path = …]` and `mod x;` pointing into `tests/`,
//! fixtures or test modules, outside `#[cfg(test)]` items (`repo::regions`). A `mod tests;` whose file starts
//! with `#![cfg(test)]` is compiled only for tests, so it is fine: such files are read for that fact.
//!
//! Cargo.toml (crates and features meant for tests in `[dependencies]`) is in `manifests.rs`.

use super::paths::{self, stem};
use super::resolve::Index;
use super::tokens::{call_args, is_ident, literal_at, skip_space, skip_ws, word_occurrences};
use super::{Extracted, Fact, Pending, Source, Use, Want};
use crate::finding::Finding;
use crate::repo::classify::classify_default;
use crate::repo::regions;
use std::ops::Range;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut found: Vec<(usize, Range<usize>, Want)> = Vec::new();
    includes(src, &mut found);
    path_attributes(src, &mut found);
    module_declarations(src, &mut found);
    if found.is_empty() {
        return;
    }
    let test_regions = regions::rust_test_regions(text);
    found.sort_by_key(|(at, _, _)| *at);
    for (keyword, span, want) in found {
        if regions::contains(&test_regions, keyword) || !src.in_code(keyword) {
            continue;
        }
        let evidence = src.str(span.clone());
        let at = src.span(span);
        out.pending(at, evidence, want);
    }
}

/// A test-side Rust file under `src/`: record whether its own `#![cfg(test)]` makes it test code.
pub(crate) fn extract_test_module(src: &Source, out: &mut Extracted) {
    let text = src.text;
    for at in memchr::memmem::find_iter(text, b"#![cfg(") {
        let end = memchr::memchr(b']', &text[at..]).map_or(text.len(), |i| at + i + 1);
        let attr: String = String::from_utf8_lossy(&text[at..end])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if attr == "#![cfg(test)]"
            || attr.starts_with("#![cfg(all(test,")
            || attr.starts_with("#![cfg(any(test,")
        {
            out.facts.push(Fact::RustCfgTestFile {
                path: src.path.to_string(),
            });
            return;
        }
    }
}

/// `include_str!("…")`, `include_bytes!("…")`, `include!("…")`, and the
/// `concat!(env!("CARGO_MANIFEST_DIR"), "/…")` form.
fn includes(src: &Source, found: &mut Vec<(usize, Range<usize>, Want)>) {
    let text = src.text;
    for (word, used) in [
        (&b"include_str"[..], Use::Embed),
        (b"include_bytes", Use::Embed),
        (b"include", Use::Import),
    ] {
        for at in word_occurrences(text, word, true) {
            let bang = at + word.len();
            if text.get(bang) != Some(&b'!') {
                continue;
            }
            // `#![doc = include_str!("../README.md")]`: documentation, not data the program reads.
            let line_start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
            let before = &text[line_start..at];
            if memchr::memmem::find(before, b"doc").is_some()
                && before.trim_ascii_start().starts_with(b"#")
            {
                continue;
            }
            let paren = skip_space(text, bang + 1, text.len());
            let Some((args, _)) = call_args(text, paren, 400) else {
                continue;
            };
            let Some(arg) = args.first() else { continue };
            let literals = literals_in(text, arg.clone());
            let Some(first) = literals.first().cloned() else {
                continue;
            };
            let crate_relative = text[arg.clone()]
                .windows(18)
                .any(|w| w == b"CARGO_MANIFEST_DIR");
            let pieces: Vec<Range<usize>> = literals
                .into_iter()
                .filter(|r| &text[r.clone()] != b"CARGO_MANIFEST_DIR")
                .collect();
            let Some(last) = pieces.last().cloned() else {
                continue;
            };
            let rel: String = pieces
                .iter()
                .map(|r| String::from_utf8_lossy(&text[r.clone()]).into_owned())
                .collect();
            let span = if crate_relative {
                pieces[0].start..last.end
            } else {
                first
            };
            if crate_relative {
                if !src.worth_resolving(&[rel.trim_start_matches('/')]) {
                    continue;
                }
                let want = Want::RustCrateRelative { rel, used };
                found.push((at, span, want));
            } else if let Some(p) = paths::join(src.dir(), &rel) {
                if !src.worth_resolving(&[&p]) {
                    continue;
                }
                let want = Want::Path {
                    candidates: vec![p],
                    used,
                };
                found.push((at, span, want));
            }
        }
    }
}

/// The contents of every string literal in `range`.
fn literals_in(text: &[u8], range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        if text[i] == b'"' {
            match literal_at(text, i) {
                Some(l) => {
                    out.push(l.content);
                    i = l.end;
                    continue;
                }
                None => break,
            }
        }
        i += 1;
    }
    out
}

/// `#[path = "../tests/common.rs"] mod common;`: relative to the declaring file's directory.
fn path_attributes(src: &Source, found: &mut Vec<(usize, Range<usize>, Want)>) {
    let text = src.text;
    for at in memchr::memmem::find_iter(text, b"#[path") {
        let mut j = skip_ws(text, at + 6, text.len());
        if text.get(j) != Some(&b'=') {
            continue;
        }
        j = skip_ws(text, j + 1, text.len());
        let Some(lit) = literal_at(text, j) else {
            continue;
        };
        let rel = String::from_utf8_lossy(&text[lit.content.clone()]).into_owned();
        let Some(p) = paths::join(src.dir(), &rel) else {
            continue;
        };
        if src.worth_resolving(&[&p]) {
            let want = Want::Path {
                candidates: vec![p],
                used: Use::Import,
            };
            found.push((at, lit.content, want));
        }
    }
}

/// `mod name;` (not inline, not under a `#[path]`): `name.rs` or `name/mod.rs` in the module's directory.
fn module_declarations(src: &Source, found: &mut Vec<(usize, Range<usize>, Want)>) {
    let text = src.text;
    let name_of_file = paths::file_name(src.path);
    let module_dir = if matches!(name_of_file, "lib.rs" | "main.rs" | "mod.rs") {
        src.dir().to_string()
    } else {
        paths::under(src.dir(), stem(name_of_file))
    };
    for at in word_occurrences(text, b"mod", false) {
        let mut j = skip_ws(text, at + 3, text.len());
        if j == at + 3 {
            continue;
        }
        let name_start = j;
        while j < text.len() && is_ident(text[j]) {
            j += 1;
        }
        let name = name_start..j;
        if name.is_empty() || text.get(skip_ws(text, j, text.len())) != Some(&b';') {
            continue;
        }
        // A `#[path]` on this declaration decides its file (handled above).
        let item_start = text[..at]
            .iter()
            .rposition(|b| matches!(b, b';' | b'}' | b'{'))
            .map_or(0, |i| i + 1);
        if memchr::memmem::find(&text[item_start..at], b"#[path").is_some() {
            continue;
        }
        let n = String::from_utf8_lossy(&text[name.clone()]).into_owned();
        let candidates = vec![
            paths::under(&module_dir, &format!("{n}.rs")),
            paths::under(&module_dir, &format!("{n}/mod.rs")),
        ];
        if src.worth_resolving(&candidates) {
            found.push((at, name, Want::RustMod { candidates }));
        }
    }
}

/// Resolve `mod x;` made by `file`: fine when the target is a `#![cfg(test)]` file, or not a test module.
pub(crate) fn resolve_mod(
    index: &Index,
    file: &str,
    p: &Pending,
    candidates: &[String],
) -> Option<Finding> {
    let (path, class) = index.target(candidates)?;
    if index.rust_cfg_test.contains(&path) || !is_test_module(&path) {
        return None;
    }
    index.leak(file, p, Use::Import, "declares module", &path, class)
}

/// Resolve a path relative to the root of the crate `file` belongs to (the nearest `Cargo.toml` above it).
pub(crate) fn resolve_crate_relative(
    index: &Index,
    file: &str,
    p: &Pending,
    rel: &str,
    used: Use,
) -> Option<Finding> {
    let mut d = paths::parent(file);
    loop {
        if index.is_file(&paths::under(d, "Cargo.toml")) {
            break;
        }
        if d.is_empty() {
            return None;
        }
        d = paths::parent(d);
    }
    let target = paths::join(d, rel.trim_start_matches('/'))?;
    let (path, class) = index.target(&[target])?;
    index.leak(file, p, used, "imports", &path, class)
}

/// `mod x;` compiles `x` into the crate; it is test code only if named as Rust names test modules
/// (`tests.rs`, `test.rs`, `*_test(s).rs`, or inside a test directory). A production `test_email.rs`
/// (crates.io's admin command that sends a test e-mail) is not.
fn is_test_module(path: &str) -> bool {
    let name = match path.strip_suffix("/mod.rs") {
        Some(dir) => paths::file_name(dir),
        None => stem(paths::file_name(path)),
    };
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "test" | "tests")
        || lower.ends_with("_test")
        || lower.ends_with("_tests")
        || paths::parent(path)
            .split('/')
            .any(|d| !d.is_empty() && classify_default(&format!("{d}/_")).is_test_side())
}

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::{judge, rule};
    use super::*;
    use crate::config::Config;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, code: &str) -> Vec<(String, String)> {
        let out = super::super::extract_for_test(path, code, Syntax::Rust, extract);
        out.pending
            .iter()
            .map(|p| {
                let w = match &p.want {
                    Want::Path { candidates, used } => format!("{used:?} {}", candidates.join(" ")),
                    Want::RustMod { candidates } => format!("mod {}", candidates.join(" ")),
                    Want::RustCrateRelative { rel, used, .. } => format!("{used:?} crate {rel}"),
                    other => format!("{other:?}"),
                };
                (p.evidence.to_string(), w)
            })
            .collect()
    }

    #[test]
    fn includes_paths_and_modules_outside_cfg_test() {
        let code = r#"
const PEOPLE: &str = include_str!("../tests/fixtures/people.json");
static B: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/x.bin"));
#[path = "../tests/common/mod.rs"]
mod common;
mod test_utils;
mod api;
/// include_str!("../tests/doc.txt")
#[cfg(test)]
mod tests {
    const F: &str = include_str!("../tests/fixtures/people.json");
}
#[cfg(test)]
mod test_helpers;
"#;
        assert_eq!(
            run("src/lib.rs", code),
            vec![
                (
                    "../tests/fixtures/people.json".into(),
                    "Embed tests/fixtures/people.json".into()
                ),
                (
                    "/tests/data/x.bin".into(),
                    "Embed crate /tests/data/x.bin".into()
                ),
                (
                    "../tests/common/mod.rs".into(),
                    "Import tests/common/mod.rs".into()
                ),
                (
                    "test_utils".into(),
                    "mod src/test_utils.rs src/test_utils/mod.rs".into()
                ),
            ]
        );
    }

    #[test]
    fn nested_module_directories() {
        assert_eq!(
            run("src/net/tcp.rs", "mod mock_stream;\n"),
            vec![(
                "mock_stream".into(),
                "mod src/net/tcp/mock_stream.rs src/net/tcp/mock_stream/mod.rs".into()
            )]
        );
    }

    #[test]
    fn inner_cfg_test_is_a_fact() {
        let config = Config::default();
        let text = b"//! Tests.\n#![cfg(test)]\nuse super::*;\n";
        let src = Source::new(&config, "src/tests.rs", text, Syntax::Rust);
        let mut out = Extracted::default();
        extract_test_module(&src, &mut out);
        assert_eq!(out.facts.len(), 1);
    }

    #[test]
    fn test_modules_and_crate_relative_paths() {
        let files = [
            "Cargo.toml",
            "src/tests.rs",
            "src/helpers_test.rs",
            "src/test_email.rs",
        ];
        let m = |n: &str| Want::RustMod {
            candidates: vec![format!("src/{n}.rs"), format!("src/{n}/mod.rs")],
        };
        let cfg_test = || {
            vec![Fact::RustCfgTestFile {
                path: "src/tests.rs".into(),
            }]
        };
        let from_lib = |facts, want| judge(&files, facts, "src/lib.rs", "e", want);
        assert_eq!(from_lib(cfg_test(), m("tests")), None);
        assert_eq!(
            rule(from_lib(cfg_test(), m("helpers_test"))),
            Some("leak/test-import".into())
        );
        // Named like a test by its words, but not as Rust names test modules.
        assert_eq!(from_lib(vec![], m("test_email")), None);
        let crate_rel = Want::RustCrateRelative {
            rel: "/src/tests.rs".into(),
            used: Use::Embed,
        };
        assert_eq!(
            rule(from_lib(vec![], crate_rel)),
            Some("leak/fixture-read".into())
        );
    }
}
