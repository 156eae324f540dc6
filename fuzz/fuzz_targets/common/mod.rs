//! Shared by the targets that run repository checks: a Context with only what the check reads (no git, no
//! GitHub, no walk), and the span invariant every finding must keep. Included with `#[path]`; not a target.
#![allow(dead_code)] // each target uses a different part

use shipgate::checks::leak::LeakCheck;
use shipgate::config::Config;
use shipgate::context::Context;
use shipgate::finding::{Finding, Location};
use shipgate::repo::collect::RepoFiles;
use shipgate::repo::files::{FileCheck, FileEntry};

/// A tree of `paths` (classified as the walk would, sorted as the walk leaves them: resolution
/// binary-searches it), with `repo` as the gathered CODEOWNERS/workflows.
pub fn context(paths: &[&str], repo: RepoFiles) -> Context {
    let mut files: Vec<FileEntry> = paths.iter().map(|p| entry(p, 100)).collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Context {
        root: std::path::PathBuf::from("."),
        config: Config::default(),
        catalogue: shipgate::rules::Catalogue {
            docs: Vec::new(),
            patterns: Vec::new(),
        },
        files,
        stats: Default::default(),
        nested_repos: Vec::new(),
        github: shipgate::github::GithubFacts::NotEvaluated("fuzz".into()),
        history: Default::default(),
        diff: None,
        repo,
        declared: Default::default(),
    }
}

/// A file as the walk would list it.
pub fn entry(path: &str, size: u64) -> FileEntry {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    FileEntry {
        path: path.into(),
        class: shipgate::repo::classify::classify_default(path),
        lang: shipgate::repo::classify::Lang::from_extension(ext),
        size,
    }
}

/// Every finding located in `path` points inside `text`, on character boundaries (renderers slice the
/// text there), with a well-formed range, and 1-based line/column unless it is about the whole file
/// (line 0, as the JSON format documents).
pub fn assert_inside(findings: &[Finding], path: &str, text: &[u8]) {
    for f in findings {
        let Location::File(s) = &f.location else {
            continue;
        };
        if s.path != path {
            continue;
        }
        let (a, b) = s.span;
        assert!(
            a <= b && b <= text.len(),
            "{}: span {a}..{b} of {}",
            f.rule,
            text.len()
        );
        if let Ok(t) = std::str::from_utf8(text) {
            assert!(
                t.is_char_boundary(a) && t.is_char_boundary(b),
                "{}: {a}..{b}",
                f.rule
            );
        }
        if s.line > 0 {
            assert!(s.column >= 1, "{}: {s:?}", f.rule);
            assert!(
                (s.line, s.column) <= (s.end_line, s.end_column),
                "{}: {s:?}",
                f.rule
            );
        }
    }
}

/// Test code, fixtures and support files a reference from production code may land on, with the
/// `go.mod` and `.dockerignore` whose facts resolution reads.
pub const LEAK_TREE: &[(&str, &[u8])] = &[
    ("go.mod", b"module example.com/app\n\ngo 1.22\n"),
    (".dockerignore", b"tests/\n**/fixtures\n"),
    ("app/__init__.py", b""),
    ("internal/testutil/util.go", b""),
    ("spec/spec_helper.rb", b""),
    ("spec/fixtures/people.yml", b""),
    ("src/__mocks__/api.js", b""),
    ("src/__tests__/helpers.ts", b""),
    ("src/test/java/com/acme/OwnerFixtures.java", b""),
    ("src/tests.rs", b"#![cfg(test)]\n"),
    ("tests/__init__.py", b""),
    ("tests/common/mod.rs", b""),
    ("tests/factories.py", b""),
    ("tests/fixtures/people.json", b"[]\n"),
];

/// One file through the `leak/…` check: its extractor must want it, every position it yields (findings
/// and pending references) lies inside `content` with 1-based lines, and resolution against
/// `LEAK_TREE` gives findings inside the file too.
pub fn leak(path: &str, content: &[u8]) {
    let config = Config::default();
    let file = entry(path, content.len() as u64);
    let positions = shipgate::checks::leak::extracted_positions(&config, &file, content);
    let Some(positions) = positions else {
        panic!(
            "no extractor reads {path} ({:?}, {:?})",
            file.class, file.lang
        );
    };
    for p in positions {
        assert!(
            p.start <= p.end && p.end <= content.len(),
            "{p:?} of {}",
            content.len()
        );
        assert!(p.line >= 1 && p.column >= 1, "{p:?}");
    }
    let check = LeakCheck::new(&config);
    let mut findings = Vec::new();
    for (p, c) in LEAK_TREE {
        let f = entry(p, c.len() as u64);
        if check.wants(&f) {
            check.check(&f, c, &mut findings);
        }
    }
    check.check(&file, content, &mut findings);
    let mut paths: Vec<&str> = LEAK_TREE.iter().map(|(p, _)| *p).collect();
    paths.push(path);
    let ctx = context(&paths, RepoFiles::default());
    findings.extend(check.resolve(&ctx.config, &ctx.files));
    assert_inside(&findings, path, content);
}
