//! The flow runs one way: every `crate::` path in `src/` names a module of a lower layer (or its own
//! module). The order is written once, here, and explained in CONTRIBUTING.md ("Layers").

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. A module may use its own module and any module of a lower layer, never one of its own
/// layer's neighbours or of a higher layer. A submodule listed on its own (`repo::classify`) is placed
/// apart from its parent: it is vocabulary that lower layers name.
const LAYERS: &[&[&str]] = &[
    // The one list of environment names, which classification reads.
    &["repo::environments"],
    // Leaves: plain values and arithmetic every layer may name.
    &["finding", "status", "calendar", "sync", "repo::classify"],
    &["redact"],
    &["diag"],
    &["config"],
    &["repo"],
    &["rules"],
    &["github"],
    // Settings declared as code, read into github's model (and compared with it for drift).
    &["declared"],
    &["context"],
    &["checks"],
    &["suppress"],
    &["engine"],
    &["report", "hook", "explain", "remote"],
    // The organisation audit gates each repository through `remote`; the live-data check (`shipgate
    // data`) reuses the evidence report's controls.
    &["org", "data"],
    &["cli"],
];

/// (layer index, table entry) of a module path such as `checks::leak::resolve`: its longest listed prefix.
fn layer_of(module: &str) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for (i, layer) in LAYERS.iter().enumerate() {
        for entry in *layer {
            let hit = module == *entry || module.starts_with(&format!("{entry}::"));
            if hit && best.is_none_or(|(_, b)| entry.len() > b.len()) {
                best = Some((i, entry));
            }
        }
    }
    best
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/checks/leak/mod.rs` → `checks::leak`; None for the crate roots.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        return None;
    }
    Some(parts.join("::"))
}

/// Every module path named after `crate::` in the code (comments left out), as far as it names modules:
/// `crate::checks::gate::is_x` → `checks::gate::is_x`; `crate::{a, b::c}` → `a`, `b::c`.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().last();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `shipcrate::`, not ours
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        out.push(path_prefix(item));
                    }
                }
            } else {
                out.push(path_prefix(rest));
            }
        }
    }
    out
}

fn path_prefix(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect::<String>()
        .trim_end_matches(':')
        .to_string()
}

fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(
        files.len() > 20,
        "found only {} files in {}",
        files.len(),
        src.display()
    );
    let mut bad = BTreeSet::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some((from, from_entry)) = layer_of(&module) else {
            bad.insert(format!(
                "{module}: not in the layer table (tests/layers.rs)"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for target in crate_paths(&text) {
            let Some((to, to_entry)) = layer_of(&target) else {
                continue; // an item of the crate root, e.g. a macro
            };
            if to_entry == from_entry || to < from {
                continue;
            }
            bad.insert(format!(
                "{} uses crate::{target}: `{from_entry}` (layer {from}) may not depend on `{to_entry}` (layer {to})",
                file.strip_prefix(&src).unwrap_or(file).display()
            ));
        }
    }
    bad.into_iter().collect()
}

#[test]
fn imports_point_down_the_layers() {
    let bad = violations();
    assert!(bad.is_empty(), "imports that point up:\n{}", bad.join("\n"));
}

#[test]
fn the_layer_table_finds_what_it_must() {
    // The test itself can fail: a made-up upward import is caught, and paths are read as written.
    assert_eq!(
        crate_paths("use crate::{finding::Finding, engine};\nlet x = crate::checks::gate::f(); // crate::cli"),
        vec!["finding::Finding", "engine", "checks::gate::f"]
    );
    assert_eq!(
        layer_of("checks::leak::resolve").map(|l| l.1),
        Some("checks")
    );
    assert_eq!(
        layer_of("repo::classify::FileClass").map(|l| l.1),
        Some("repo::classify")
    );
    assert_eq!(layer_of("repo::history").map(|l| l.1), Some("repo"));
    let (config, _) = layer_of("config").unwrap_or((0, ""));
    let (engine, _) = layer_of("engine").unwrap_or((0, ""));
    assert!(config < engine);
    // Every top-level module of the crate is placed.
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .unwrap_or_default();
    for line in lib.lines() {
        if let Some(m) = line.trim().strip_prefix("pub mod ") {
            let m = m.trim_end_matches(';');
            assert!(
                layer_of(m).is_some(),
                "src/lib.rs module `{m}` is not in LAYERS"
            );
        }
    }
}
