#![no_main]
//! Each language's reference extractor for the `leak/…` rules on arbitrary bytes; the first byte picks the
//! language (seeds are written with it). Spans stay inside the input, nothing panics, and references
//! resolve against a tree of test code and fixtures without panicking.
#[path = "common/mod.rs"]
mod common;

/// Production files, one per extractor (Vue goes to the JavaScript one, a test-side Rust file under
/// `src/` to the `#![cfg(test)]` reader). Keep the order: seed corpora are prefixed with the index.
pub const FILES: &[&str] = &[
    "app/service.py",
    "src/api/users.js",
    "src/api/users.ts",
    "cmd/server/main.go",
    "src/lib.rs",
    "src/main/java/com/acme/App.java",
    "src/main/kotlin/com/acme/App.kt",
    "lib/app.rb",
    "src/components/App.vue",
    "src/test_support.rs",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    common::leak(FILES[usize::from(pick) % FILES.len()], content);
});
