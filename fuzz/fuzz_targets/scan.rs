#![no_main]
//! The built-in pattern rules, positions and report writers on arbitrary file contents: every hit's span
//! is inside the input, line/column conversion never panics, and JSON/SARIF serialise.
use shipgate::repo::classify::FileClass;
use shipgate::rules::scanner::{Scanner, Scratch};
use std::sync::OnceLock;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let cat = shipgate::checks::catalogue(None).unwrap_or_else(|_| std::process::abort());
        let rules = cat.patterns.into_iter().map(|r| {
            let s = r.doc.severity;
            (r, s)
        });
        Scanner::new(rules.collect()).unwrap_or_else(|_| std::process::abort())
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut scratch = Scratch::default();
    let mut hits = Vec::new();
    for class in [FileClass::Code, FileClass::Config, FileClass::Template] {
        scanner().scan(class, data, &mut scratch, &mut hits);
    }
    let mut lines = shipgate::repo::text::LineIndex::new(data);
    for h in &hits {
        assert!(h.start <= h.end && h.end <= data.len());
        let span = lines.span("f", h.start, h.end);
        assert!(span.line >= 1 && span.column >= 1);
        let _ = shipgate::repo::text::evidence(&data[h.start..h.end], 120);
    }
});
