#![no_main]
//! What ships: Dockerfiles, .dockerignore and package manifests (Cargo.toml, package.json, pyproject.toml,
//! setup.py, setup.cfg, MANIFEST.in, requirements.txt, Gemfile, go.mod) through the `leak/…` extractors
//! on arbitrary bytes; the first byte picks the file. Spans stay inside the input, nothing panics, and
//! what they yield resolves against a tree of tests and fixtures without panicking.
#[path = "common/mod.rs"]
mod common;

/// Keep the order: seed corpora are prefixed with the index.
pub const FILES: &[&str] = &[
    "Dockerfile",
    "svc/.dockerignore",
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "MANIFEST.in",
    "requirements.txt",
    "Gemfile",
    "svc/go.mod",
    "svc/Dockerfile",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    common::leak(FILES[usize::from(pick) % FILES.len()], content);
});
