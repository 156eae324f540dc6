#![no_main]
//! CODEOWNERS parsing, matching and the `owners/…` checks on arbitrary text: every rule's and problem's
//! span is inside the input on character boundaries (the checks slice the text there) and on its line,
//! matching never panics, and every finding points inside the file.
#[path = "common/mod.rs"]
mod common;

use shipgate::repo::codeowners::Codeowners;
use shipgate::repo::collect::RepoFiles;

const PATH: &str = ".github/CODEOWNERS";

/// A small tree with the paths the owners checks care about (workflows, deploy config, code, docs).
const TREE: &[&str] = &[
    PATH,
    ".github/workflows/deploy.yml",
    "Dockerfile",
    "README.md",
    "deploy/k8s/app.yaml",
    "docs/a b/{x}.md",
    "infra/main.tf",
    "src/app.py",
    "src/lib.rs",
    "tests/test_app.py",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let co = Codeowners::parse(PATH, text);
    let line_start = |line: u32| {
        text.split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum::<usize>()
    };
    let spans = co
        .rules
        .iter()
        .map(|r| (r.line, &r.span))
        .chain(co.problems.iter().map(|p| (p.line, &p.span)));
    for (line, span) in spans {
        assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        assert!(
            line >= 1 && span.start >= line_start(line),
            "line {line} {span:?}"
        );
    }
    for p in TREE {
        let _ = co.owners_of(p);
    }
    // A path taken from the input: matching arbitrary paths must not panic either.
    if let Some(r) = co.rules.first() {
        let _ = co.is_owned(&r.pattern);
    }
    let ctx = common::context(
        TREE,
        RepoFiles {
            codeowners: vec![co],
            ..RepoFiles::default()
        },
    );
    let findings = shipgate::checks::owners::run(&ctx);
    common::assert_inside(&findings, PATH, data);
});
