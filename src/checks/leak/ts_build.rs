//! TypeScript builds that compile test code into their output. A package's `build` script
//! (`nest build -p tsconfig.build.json`, `tsc -p tsconfig.build.json`) compiles every file its
//! tsconfig's `include` matches and its `exclude` leaves, into `outDir`; an `exclude` that names only
//! `*.test.ts` and `*.spec.ts` lets `test-helpers/`, `__mocks__/` and fixtures through, and they ship
//! wherever `dist/` ships. Read from the files production also reads: the script the build runs, and
//! the tsconfig it names (through its `extends`).

use super::paths;
use super::resolve::Index;
use super::rule_docs::PACKAGE_SHIPS_TESTS;
use super::{make_finding, Extracted, Fact, Pending, Pos, Source, Want};
use crate::finding::Finding;
use crate::repo::classify::FileClass;
use crate::repo::lexer::{self, NonCode, Syntax};
use std::collections::HashMap;

/// One tsconfig file as written: what it takes from another, and what it compiles where.
#[derive(Debug, Clone)]
pub(crate) struct TsConfig {
    pub path: String,
    /// The configs it extends that are files of the repository (`./tsconfig.json`), in order.
    pub extends: Vec<String>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    /// It lists `files`: then only those (and what they import) are compiled.
    pub files: bool,
    /// `compilerOptions.outDir`, as a repository path.
    pub out_dir: Option<String>,
    pub no_emit: Option<bool>,
    pub allow_js: Option<bool>,
    /// Its `exclude` key (else `include`, else the file's start): where a finding points.
    pub at: Pos,
}

/// `tsconfig.json`, `tsconfig.build.json`, `tsconfig.app.json`.
pub(crate) fn is_tsconfig(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("tsconfig") && lower.ends_with(".json")
}

/// Read a tsconfig (JSON with comments and trailing commas) into a fact.
pub(crate) fn extract_config(src: &mut Source, out: &mut Extracted) {
    let Some(json) = parse_jsonc(src.text) else {
        return;
    };
    let dir = src.dir();
    let strings = |v: &serde_json::Value| -> Option<Vec<String>> {
        v.as_array().map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
    };
    let extends = match &json["extends"] {
        serde_json::Value::String(s) => vec![s.clone()],
        v => strings(v).unwrap_or_default(),
    }
    .into_iter()
    .filter(|s| is_relative(s))
    .filter_map(|s| {
        let p = paths::join(dir, &s)?;
        Some(if p.ends_with(".json") {
            p
        } else {
            format!("{p}.json")
        })
    })
    .collect();
    let options = &json["compilerOptions"];
    let key = ["exclude", "include"].iter().find_map(|k| {
        memchr::memmem::find(src.text, format!("\"{k}\"").as_bytes()).map(|i| (i, k.len() + 2))
    });
    let at = match key {
        Some((i, len)) => src.span(i..i + len),
        None => src.span(0..0),
    };
    out.facts.push(Fact::TsConfig(Box::new(TsConfig {
        path: src.path.to_string(),
        extends,
        include: strings(&json["include"]),
        exclude: strings(&json["exclude"]),
        files: json["files"].is_array(),
        out_dir: options["outDir"].as_str().and_then(|o| paths::join(dir, o)),
        no_emit: options["noEmit"].as_bool(),
        allow_js: options["allowJs"].as_bool(),
        at: Pos::of(&at),
    })));
}

fn is_relative(s: &str) -> bool {
    s.starts_with("./") || s.starts_with("../")
}

/// JSON with `//` and `/* */` comments and trailing commas, as TypeScript reads tsconfig files.
fn parse_jsonc(text: &[u8]) -> Option<serde_json::Value> {
    let mut clean = text.to_vec();
    for (r, kind) in lexer::non_code(Syntax::CLike, text) {
        if kind == NonCode::Comment {
            for b in &mut clean[r] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
    }
    // A `,` before a closing bracket (outside strings: the lexer's ranges say where strings are).
    let strings: Vec<std::ops::Range<usize>> = lexer::non_code(Syntax::CLike, &clean)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let mut i = 0;
    while i < clean.len() {
        if clean[i] == b',' && !lexer::contains(&strings, i) {
            let next = clean[i + 1..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map(|k| clean[i + 1 + k]);
            if matches!(next, Some(b']' | b'}')) {
                clean[i] = b' ';
            }
        }
        i += 1;
    }
    serde_json::from_slice(&clean).ok()
}

/// A package.json's `build` script (and the scripts it runs in turn): the tsconfig each `tsc` or
/// `nest build` in it compiles with, as a reference to judge once the tree is known.
pub(crate) fn extract_build(src: &mut Source, out: &mut Extracted) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(src.text) else {
        return;
    };
    let scripts = &json["scripts"];
    let Some(build) = scripts["build"].as_str() else {
        return;
    };
    let mut configs: Vec<Vec<String>> = Vec::new();
    let mut queue = vec![build.to_string()];
    let mut seen = 0;
    while let Some(script) = queue.pop() {
        // A script that runs scripts that run scripts: a cap, not a loop.
        seen += 1;
        if seen > 8 {
            break;
        }
        for command in script.split(['&', ';', '|']) {
            let words: Vec<&str> = command.split_whitespace().collect();
            if let Some(c) = compiles_with(&words) {
                configs.push(c);
            } else if let Some(name) = runs_script(&words) {
                if let Some(s) = scripts[name].as_str() {
                    queue.push(s.to_string());
                }
            }
        }
    }
    // One judgement per tsconfig, however many of the scripts compile with it.
    configs.sort();
    configs.dedup();
    let Some(key) = key_value(src.text, "build") else {
        return;
    };
    let dir = src.dir();
    for candidates in configs {
        let candidates: Vec<String> = candidates
            .iter()
            .filter_map(|c| paths::join(dir, c))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let at = src.span(key.clone());
        out.pending(
            at,
            "build".to_string(),
            Want::TsBuild {
                candidates,
                script: build.to_string(),
            },
        );
    }
}

/// `tsc`, `tsc -p tsconfig.build.json`, `npx tsc --project x`, `nest build`, `nest build -p x`: the
/// tsconfig candidates, relative to the package.
fn compiles_with(words: &[&str]) -> Option<Vec<String>> {
    let start = words
        .iter()
        .position(|w| *w == "tsc" || w.ends_with("/tsc"))
        .map(|i| (i, false))
        .or_else(|| {
            words
                .windows(2)
                .position(|w| (w[0] == "nest" || w[0].ends_with("/nest")) && w[1] == "build")
                .map(|i| (i + 1, true))
        })?;
    let (i, nest) = start;
    let flags: &[&str] = if nest {
        &["-p", "--path", "--config"]
    } else {
        &["-p", "--project", "-b", "--build"]
    };
    // `--noEmit`: a type check, nothing is built.
    if words.iter().any(|w| w.eq_ignore_ascii_case("--noemit")) {
        return None;
    }
    let named = words[i + 1..]
        .windows(2)
        .find_map(|w| flags.contains(&w[0]).then(|| w[1].to_string()));
    let named = named.or_else(|| {
        words[i + 1..].iter().find_map(|w| {
            flags
                .iter()
                .find_map(|f| w.strip_prefix(&format!("{f}=")).map(str::to_string))
        })
    });
    Some(match named {
        // `nest build --config nest-cli.json` names the CLI's file, not a tsconfig.
        Some(c) if nest && !is_tsconfig(paths::file_name(&c)) => {
            vec!["tsconfig.build.json".into(), "tsconfig.json".into()]
        }
        Some(c) if c.ends_with(".json") => vec![c],
        Some(c) => vec![format!("{}/tsconfig.json", c.trim_end_matches('/'))],
        None if nest => vec!["tsconfig.build.json".into(), "tsconfig.json".into()],
        None => vec!["tsconfig.json".into()],
    })
}

/// `npm run x`, `yarn x`, `yarn run x`, `pnpm run x`, `pnpm x`: the script it runs.
fn runs_script<'a>(words: &[&'a str]) -> Option<&'a str> {
    let i = words
        .iter()
        .position(|w| matches!(*w, "npm" | "yarn" | "pnpm"))?;
    let rest: Vec<&str> = words[i + 1..]
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    match rest.as_slice() {
        ["run" | "run-script", name, ..] => Some(name),
        [name, ..] if words[i] != "npm" => Some(name),
        _ => None,
    }
}

/// The span of the string value of `"key": "…"`.
fn key_value(text: &[u8], key: &str) -> Option<std::ops::Range<usize>> {
    let q = format!("\"{key}\"");
    memchr::memmem::find_iter(text, q.as_bytes()).find_map(|i| {
        let after = super::tokens::skip_space(text, i + q.len(), text.len());
        if text.get(after) != Some(&b':') {
            return None;
        }
        let s = super::tokens::skip_space(text, after + 1, text.len());
        let lit = super::tokens::literal_at(text, s)?;
        Some(lit.content)
    })
}

/// The effective settings of a tsconfig through its `extends` chain (the nearest that sets each wins):
/// the patterns with the directory they are relative to.
struct Effective {
    include: Option<(Vec<String>, String)>,
    exclude: Option<(Vec<String>, String)>,
    files: bool,
    out_dir: Option<String>,
    no_emit: bool,
    allow_js: bool,
}

fn effective(configs: &HashMap<String, TsConfig>, path: &str) -> Option<Effective> {
    let mut chain: Vec<&TsConfig> = Vec::new();
    let mut next = vec![path.to_string()];
    while let Some(p) = next.pop() {
        // A cycle or a long chain: what is read so far decides (bounded, never a loop).
        if chain.len() >= 8 {
            break;
        }
        let Some(c) = configs.get(&p) else { continue };
        if chain.iter().any(|x| x.path == c.path) {
            continue;
        }
        chain.push(c);
        // The last of several bases wins: read it first.
        next.extend(c.extends.iter().cloned());
    }
    chain.first()?;
    let pick = |f: &dyn Fn(&TsConfig) -> Option<Vec<String>>| {
        chain
            .iter()
            .find_map(|c| f(c).map(|v| (v, paths::parent(&c.path).to_string())))
    };
    Some(Effective {
        include: pick(&|c| c.include.clone()),
        exclude: pick(&|c| c.exclude.clone()),
        files: chain.iter().any(|c| c.files),
        out_dir: chain.iter().find_map(|c| c.out_dir.clone()),
        no_emit: chain.iter().find_map(|c| c.no_emit).unwrap_or(false),
        allow_js: chain.iter().find_map(|c| c.allow_js).unwrap_or(false),
    })
}

/// A tsconfig pattern as a glob over repository paths: relative to `base`; a last part with neither a
/// wildcard nor an extension names a directory (TypeScript's rule), so everything under it.
fn glob(base: &str, pattern: &str) -> Option<globset::GlobMatcher> {
    let mut p = paths::join(base, pattern)?;
    let last = paths::file_name(&p);
    if !last.contains(['*', '?', '.']) {
        p = if p.is_empty() {
            "**/*".into()
        } else {
            format!("{p}/**/*")
        };
    }
    globset::GlobBuilder::new(&p)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Is `path` left out by an `exclude` pattern? TypeScript matches an exclude pattern against a path and
/// every directory above it (its pattern ends in `($|/)`): `**/*.test-parts` or `src/testutils*` names
/// directories, and leaves everything in them out.
fn excluded(excludes: &[globset::GlobMatcher], path: &str) -> bool {
    let mut at = path;
    loop {
        if excludes.iter().any(|g| g.is_match(at)) {
            return true;
        }
        match at.rfind('/') {
            Some(i) => at = &at[..i],
            None => return false,
        }
    }
}

/// Words that say test material, and the words that may stand beside them (`test-helpers`,
/// `__mocks__`, `x.test.ts`, `jest.config.ts`). A place named by the conventions only in part
/// (`pages/test-language/`, the language of a driving test) is not enough: the build's output is
/// judged by what is unmistakably test code.
const TEST_WORDS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "__mocks__",
    "mock",
    "mocks",
    "fixture",
    "fixtures",
    "__fixtures__",
    "testutils",
    "testing",
    "stub",
    "stubs",
    "fake",
    "fakes",
    "e2e",
    "cypress",
    "jest",
    "vitest",
    "stories",
    "cy",
];
const BESIDE_TEST_WORDS: &[&str] = &[
    "helper",
    "helpers",
    "util",
    "utils",
    "support",
    "setup",
    "config",
    "data",
    "parts",
    "factories",
    "factory",
    "server",
    "api",
    "unit",
    "integration",
];

fn names_test_material(path: &str) -> bool {
    let all_test_words = |part: &str| {
        let words: Vec<String> = part
            .split(['-', '_', '.'])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        words.iter().any(|w| TEST_WORDS.contains(&w.as_str()))
            && words.iter().all(|w| {
                TEST_WORDS.contains(&w.as_str()) || BESIDE_TEST_WORDS.contains(&w.as_str())
            })
    };
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    // `x.test.ts`, `x.spec.ts`, `x.stories.tsx`: a suffix after the module's own name.
    stem.split('.').skip(1).any(all_test_words)
        || all_test_words(stem)
        || parts
            .iter()
            .any(|d| all_test_words(d) || d.rsplit('.').next().is_some_and(all_test_words))
}

/// Judge a package's build: the test and fixture files its tsconfig compiles into the output.
pub(crate) fn resolve(
    index: &Index,
    file: &str,
    p: &Pending,
    candidates: &[String],
    script: &str,
) -> Option<Finding> {
    let config = candidates
        .iter()
        .find(|c| index.ts_configs.contains_key(*c))?;
    let eff = effective(&index.ts_configs, config)?;
    if eff.no_emit || eff.files && eff.include.is_none() {
        return None;
    }
    // Emitted beside the sources, the JavaScript ships with whatever ships the sources (the image
    // rules' concern); a separate output directory is what this build ships.
    let out_dir = eff.out_dir?;
    let (include, include_base) = eff
        .include
        .unwrap_or_else(|| (vec!["**/*".into()], paths::parent(config).to_string()));
    let includes: Vec<_> = include
        .iter()
        .filter_map(|p| glob(&include_base, p))
        .collect();
    let excludes: Vec<_> = match &eff.exclude {
        Some((ex, base)) => ex.iter().filter_map(|p| glob(base, p)).collect(),
        None => Vec::new(),
    };
    let ts = |path: &str| {
        let name = paths::file_name(path).to_ascii_lowercase();
        let ext = paths::extension(&name);
        !name.ends_with(".d.ts")
            && (matches!(ext, "ts" | "tsx" | "mts" | "cts")
                || eff.allow_js && matches!(ext, "js" | "jsx" | "mjs" | "cjs"))
    };
    let shipped: Vec<&str> = index
        .under_dir(&include_base)
        .iter()
        .filter(|e| e.class.is_test_side() && e.class != FileClass::Vendor)
        .map(|e| &*e.path)
        .filter(|path| {
            ts(path)
                && !paths::is_under(path, &out_dir)
                && !path.split('/').any(|d| d == "node_modules")
                && includes.iter().any(|g| g.is_match(path))
                && !excluded(&excludes, path)
                && !index.types_only.contains(*path)
                // Named like a test but holding none (`test-language.ts`, the language of a driving test).
                && !index.not_tests.contains(*path)
                && names_test_material(path)
        })
        .collect();
    if shipped.is_empty() {
        return None;
    }
    let tsconfig = index.ts_configs.get(config)?;
    let named: Vec<String> = shipped.iter().take(3).map(|p| format!("`{p}`")).collect();
    let more = if shipped.len() > 3 { ", …" } else { "" };
    let msg = format!(
        "the build script of `{file}` (`{script}`) compiles with `{config}`, whose include/exclude let {} test and fixture files into its output `{out_dir}` ({}{more}): wherever the build output ships, they ship",
        shipped.len(),
        named.join(", ")
    );
    let _ = p;
    Some(make_finding(
        &PACKAGE_SHIPS_TESTS,
        tsconfig.at.in_file(config),
        msg,
        config,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_scripts_name_their_tsconfig() {
        let w = |s: &str| compiles_with(&s.split_whitespace().collect::<Vec<_>>());
        assert_eq!(
            w("nest build -p tsconfig.build.json"),
            Some(vec!["tsconfig.build.json".into()])
        );
        assert_eq!(
            w("nest build"),
            Some(vec!["tsconfig.build.json".into(), "tsconfig.json".into()])
        );
        assert_eq!(
            w("npx tsc --project=tsconfig.prod.json"),
            Some(vec!["tsconfig.prod.json".into()])
        );
        assert_eq!(w("tsc"), Some(vec!["tsconfig.json".into()]));
        assert_eq!(w("tsc --noEmit"), None);
        assert_eq!(w("webpack --mode production"), None);
        let r =
            |s: &str| runs_script(&s.split_whitespace().collect::<Vec<_>>()).map(str::to_string);
        assert_eq!(r("npm run compile"), Some("compile".into()));
        assert_eq!(r("yarn compile"), Some("compile".into()));
        assert_eq!(r("npm ci"), None);
    }

    #[test]
    fn tsconfig_is_json_with_comments() {
        let v = parse_jsonc(b"{\n  // a comment\n  \"include\": [\"src\", \"**/*.json\",],\n  /* block */ \"exclude\": [\"**/*.test.ts\"],\n}\n");
        assert_eq!(v.map(|v| v["include"][1].clone()), Some("**/*.json".into()));
    }

    #[test]
    fn patterns_are_globs_or_directories() {
        let m = |base: &str, p: &str, path: &str| glob(base, p).is_some_and(|g| g.is_match(path));
        assert!(m("", "src", "src/a/test-helpers/index.ts"));
        assert!(m("api", "./src", "api/src/x.ts"));
        assert!(m("", "**/*.test.ts", "src/a/b.test.ts"));
        assert!(!m("", "**/*.test.ts", "src/a/test-helpers/index.ts"));
        assert!(m("", "test", "test/x/y.ts"));
        assert!(!m("", "test", "src/test-helpers/y.ts"));
    }

    #[test]
    fn an_exclude_pattern_naming_a_directory_leaves_out_what_is_in_it() {
        let ex: Vec<_> = ["**/*.test-parts", "src/testutils*"]
            .iter()
            .filter_map(|p| glob("", p))
            .collect();
        assert!(excluded(&ex, "src/a/b.test-parts/args.ts"));
        assert!(excluded(&ex, "src/testutils/mock-request.ts"));
        assert!(!excluded(&ex, "src/test-helpers/index.ts"));
    }

    #[test]
    fn test_material_by_its_names() {
        for p in [
            "src/orders/test-helpers/index.ts",
            "src/a/b.test.ts",
            "src/__mocks__/x.ts",
            "jest.config.ts",
            "src/testutils/create-request.ts",
            "src/x.service.create.test-parts/a.ts",
            "src/stories/a.stories.tsx",
        ] {
            assert!(names_test_material(p), "{p}");
        }
        for p in [
            "src/pages/test-language/test-language.ts",
            "src/domain/test-type.ts",
            "src/pubsub/dummy/logger.ts",
        ] {
            assert!(!names_test_material(p), "{p}");
        }
    }
}
