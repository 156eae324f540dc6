//! The Action's install step (action/install.sh) against a fake release served on 127.0.0.1: it runs only
//! a binary whose SHA-256 matches the one committed with the action, and builds from source only when no
//! release exists.
use crate::common::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

const ASSET: &str = "shipgate-x86_64-unknown-linux-musl.tar.gz";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A release server: path → (status, body). Everything else is 404. Counts requests.
struct FakeReleases {
    url: String,
    hits: Arc<Mutex<Vec<String>>>,
}

fn serve(files: HashMap<String, (u16, Vec<u8>)>) -> FakeReleases {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
            seen.lock().unwrap().push(path.clone());
            let (status, body) = files
                .get(&path)
                .cloned()
                .unwrap_or((404, b"Not Found".to_vec()));
            let reason = if status == 200 { "OK" } else { "Error" };
            let head = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    FakeReleases { url, hits }
}

/// A release archive laid out as `dist` builds it: `shipgate-TARGET/shipgate`, here a script.
fn fake_archive(dir: &Path) -> Vec<u8> {
    let top = dir.join("shipgate-x86_64-unknown-linux-musl");
    std::fs::create_dir_all(&top).unwrap();
    std::fs::write(
        top.join("shipgate"),
        "#!/bin/sh\necho \"fake shipgate $*\"\n",
    )
    .unwrap();
    let out = dir.join(ASSET);
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(&out)
        .arg("-C")
        .arg(dir)
        .arg("shipgate-x86_64-unknown-linux-musl")
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::read(out).unwrap()
}

fn sha256(bytes: &[u8], dir: &Path) -> String {
    let f = dir.join("to-hash");
    std::fs::write(&f, bytes).unwrap();
    let out = Command::new("sha256sum").arg(&f).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// An action checkout at version 0.9.0 with `checksums` as its action/checksums.txt.
fn fake_action(checksums: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"shipgate\"\nversion = \"0.9.0\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("action")).unwrap();
    std::fs::write(dir.path().join("action/checksums.txt"), checksums).unwrap();
    dir
}

struct Install {
    code: i32,
    stdout: String,
    outputs: String,
}

fn install(action: &Path, server: &FakeReleases) -> Install {
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("github_output");
    let runner_temp = tmp.path().join("runner");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let out = Command::new("bash")
        .arg(repo_root().join("action/install.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_ACTION_PATH", action)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", &runner_temp)
        .env(
            "SHIPGATE_RELEASE_URL",
            format!("{}/releases/download", server.url),
        )
        .output()
        .unwrap();
    let outputs = std::fs::read_to_string(&outputs).unwrap_or_default();
    // Keep the installed binary alive for the caller by leaking the runner dir.
    std::mem::forget(tmp);
    Install {
        code: out.status.code().unwrap_or(-1),
        stdout: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        outputs,
    }
}

fn output<'a>(outputs: &'a str, key: &str) -> Option<&'a str> {
    outputs
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
}

fn asset_path() -> String {
    format!("/releases/download/v0.9.0/{ASSET}")
}

#[test]
fn a_release_with_the_committed_checksum_is_installed_and_runs() {
    let work = tempfile::tempdir().unwrap();
    let archive = fake_archive(work.path());
    let sum = sha256(&archive, work.path());
    let server = serve(HashMap::from([(asset_path(), (200, archive))]));
    let action = fake_action(&format!(
        "# comment\n\n# v0.8.0\n{}  {ASSET}\n\n# v0.9.0\n{sum}  {ASSET}\n",
        "0".repeat(64)
    ));
    let r = install(action.path(), &server);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        output(&r.outputs, "source"),
        Some("release"),
        "{}",
        r.outputs
    );
    let bin = output(&r.outputs, "binary").unwrap();
    let ran = Command::new(bin).arg("check").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout).trim(),
        "fake shipgate check"
    );
    assert!(r.stdout.contains("verified"), "{}", r.stdout);
}

#[test]
fn a_wrong_checksum_is_refused_and_nothing_is_installed() {
    let work = tempfile::tempdir().unwrap();
    let archive = fake_archive(work.path());
    let server = serve(HashMap::from([(asset_path(), (200, archive))]));
    let action = fake_action(&format!("# v0.9.0\n{}  {ASSET}\n", "ab".repeat(32)));
    let r = install(action.path(), &server);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("checksum mismatch"), "{}", r.stdout);
    assert!(r.stdout.contains("Refusing"), "{}", r.stdout);
    assert_eq!(output(&r.outputs, "binary"), None, "{}", r.outputs);
    assert_eq!(
        output(&r.outputs, "source"),
        None,
        "no fallback to a build: {}",
        r.outputs
    );
}

#[test]
fn a_release_missing_this_platforms_asset_is_an_error() {
    let server = serve(HashMap::from([(
        "/releases/download/v0.9.0/sha256.sum".to_string(),
        (
            200,
            b"0000  shipgate-aarch64-apple-darwin.tar.gz\n".to_vec(),
        ),
    )]));
    let action = fake_action(&format!("# v0.9.0\n{}  {ASSET}\n", "ab".repeat(32)));
    let r = install(action.path(), &server);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("has no shipgate-x86_64"), "{}", r.stdout);
    assert_eq!(output(&r.outputs, "source"), None);
}

#[test]
fn no_published_release_falls_back_to_building_from_source() {
    let server = serve(HashMap::new());
    let action = fake_action(&format!("# v0.9.0\n{}  {ASSET}\n", "ab".repeat(32)));
    let r = install(action.path(), &server);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(output(&r.outputs, "source"), Some("build"));
    let hits = server.hits.lock().unwrap().clone();
    assert_eq!(
        hits,
        vec![
            asset_path(),
            "/releases/download/v0.9.0/sha256.sum".to_string()
        ]
    );
}

#[test]
fn no_committed_checksum_builds_from_source_without_downloading() {
    let work = tempfile::tempdir().unwrap();
    let archive = fake_archive(work.path());
    let server = serve(HashMap::from([(asset_path(), (200, archive))]));
    // Only another version's checksum: this version's binary could not be verified.
    let action = fake_action(&format!("# v0.8.0\n{}  {ASSET}\n", "ab".repeat(32)));
    let r = install(action.path(), &server);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(output(&r.outputs, "source"), Some("build"));
    assert!(server.hits.lock().unwrap().is_empty());
    // The repository's own file: no release yet, so the action builds.
    let text = std::fs::read_to_string(repo_root().join("action/checksums.txt")).unwrap();
    assert!(text.lines().all(|l| l.is_empty()
        || l.starts_with('#')
        || l.split_whitespace().next().is_some_and(|h| h.len() == 64)));
}

#[test]
fn a_server_error_is_an_error_not_a_build() {
    let server = serve(HashMap::from([(asset_path(), (500, b"oops".to_vec()))]));
    let action = fake_action(&format!("# v0.9.0\n{}  {ASSET}\n", "ab".repeat(32)));
    let r = install(action.path(), &server);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("HTTP 500"), "{}", r.stdout);
}

#[test]
fn the_gate_step_runs_the_installed_binary_and_writes_the_report() {
    let repo = Repo::new();
    repo.write("src/app.py", "ADMIN = 'ops@example.com'\n");
    repo.commit("c");
    let tmp = tempfile::tempdir().unwrap();
    let outputs = tmp.path().join("out");
    let summary = tmp.path().join("summary.md");
    let out = Command::new("bash")
        .arg(repo_root().join("action/entrypoint.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", repo.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_REPOSITORY", "acme/service")
        .env("GITHUB_RUN_ID", "77")
        .env("GITHUB_ACTION_PATH", repo_root())
        .env("SHIPGATE_RELEASE_BINARY", bin())
        .env("INPUT_OFFLINE", "true")
        .env("INPUT_REPORT", "evidence.html")
        .output()
        .unwrap();
    let r: Run = out.into();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let outputs = std::fs::read_to_string(outputs).unwrap();
    assert_eq!(output(&outputs, "report"), Some("evidence.html"));
    assert_eq!(output(&outputs, "exit-code"), Some("1"));
    let html = std::fs::read_to_string(repo.path().join("evidence.html")).unwrap();
    assert!(html.contains("Deployment-safety evidence report"));
    let md = std::fs::read_to_string(summary).unwrap();
    assert!(
        md.contains("Evidence report written to `evidence.html`")
            && md.contains("/acme/service/actions/runs/77#artifacts"),
        "{md}"
    );
}

#[test]
fn every_output_the_action_writes_is_declared() {
    let yml = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let outputs_block = yml
        .split("\noutputs:\n")
        .nth(1)
        .unwrap()
        .split("\nruns:\n")
        .next()
        .unwrap();
    let declared: Vec<&str> = outputs_block
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    ") && l.trim_end().ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    // What the binary writes to GITHUB_OUTPUT, and what the step script adds.
    let repo = Repo::new();
    repo.write("src/app.py", "x = 1\n");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("out");
    shipgate(&["check", "--offline"], repo.path())
        .env("GITHUB_OUTPUT", &file)
        .output()
        .unwrap();
    let mut written: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
        .collect();
    let script = std::fs::read_to_string(repo_root().join("action/entrypoint.sh")).unwrap();
    for l in script.lines() {
        if let Some(rest) = l.trim().strip_prefix("echo \"") {
            if let Some((k, _)) = rest.split_once('=') {
                if l.contains("GITHUB_OUTPUT") {
                    written.push(k.to_string());
                }
            }
        }
    }
    assert!(written.len() >= 7, "{written:?}");
    for w in &written {
        assert!(
            declared.contains(&w.as_str()),
            "`{w}` is written but not declared in action.yml"
        );
    }
    // The format input lists the evidence formats, and the report input exists.
    assert!(yml.contains("markdown or html"));
    assert!(yml.contains("\n  report:\n"));
}

#[test]
fn the_build_cache_key_is_always_set_and_changes_with_the_source() {
    let server = serve(HashMap::new());
    let action = fake_action(&format!("# v0.8.0\n{}  {ASSET}\n", "ab".repeat(32)));
    std::fs::create_dir_all(action.path().join("src")).unwrap();
    std::fs::write(action.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    let key = |action: &Path| {
        let r = install(action, &server);
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert_eq!(output(&r.outputs, "source"), Some("build"), "{}", r.outputs);
        output(&r.outputs, "cache-key")
            .unwrap_or_else(|| panic!("no cache-key: {}", r.outputs))
            .to_string()
    };
    let first = key(action.path());
    assert!(
        first.starts_with("shipgate-build-Linux-X64-v0.9.0-"),
        "{first}"
    );
    assert!(!first.contains("unhashed"), "{first}");
    assert_eq!(key(action.path()), first, "the same source, the same key");
    std::fs::write(action.path().join("src/main.rs"), "fn main() { }\n").unwrap();
    let changed = key(action.path());
    assert_ne!(
        changed, first,
        "a changed source must not reuse the old build"
    );
    // A renamed file is a different source too.
    std::fs::rename(
        action.path().join("src/main.rs"),
        action.path().join("src/lib.rs"),
    )
    .unwrap();
    assert_ne!(key(action.path()), changed);
    // The action keys its cache on it, never on github.action_ref (not promised in composite actions).
    let yml = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    assert!(
        yml.contains("key: ${{ steps.install.outputs.cache-key }}"),
        "{yml}"
    );
    assert!(
        !yml.lines()
            .any(|l| l.contains("${{") && l.contains("action_ref")),
        "{yml}"
    );
}
