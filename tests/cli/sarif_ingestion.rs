//! SARIF that GitHub code scanning accepts, not only SARIF the 2.1.0 schema accepts.
//!
//! Code scanning refuses a whole upload when one result breaks its rules (the first real user found out
//! with `owners/missing`, a result that had only a logical location). `ingestion_errors` implements the
//! rules from GitHub's "SARIF support for code scanning" page; every `check` the tests run writes a SARIF
//! probe (see `common::shipgate`) that is held to them and to the schema, so every fixture repository of
//! the suite is covered, and the tests below build the repository-level cases on purpose.
use crate::common::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Code scanning's documented limits ("SARIF support for code scanning": upload limits).
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024; // gzip-compressed limit; the raw size is a stricter bound
const MAX_RUNS: usize = 20;
const MAX_RESULTS_PER_RUN: usize = 25_000;
const MAX_RULES_PER_RUN: usize = 25_000;
const MAX_EXTENSIONS_PER_RUN: usize = 100;
const MAX_LOCATIONS_PER_RESULT: usize = 1_000;
const MAX_TAGS_PER_RULE: usize = 20;

/// Every way `sarif` would be refused (or silently mangled) by code scanning's ingestion.
pub fn ingestion_errors(sarif: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let mut err = |e: String| errors.push(e);
    if sarif["version"] != "2.1.0" {
        err(format!("version must be 2.1.0, got {}", sarif["version"]));
    }
    let Some(runs) = sarif["runs"].as_array() else {
        err("no runs array".into());
        return errors;
    };
    if runs.len() > MAX_RUNS {
        err(format!("{} runs (limit {MAX_RUNS})", runs.len()));
    }
    for (ri, run) in runs.iter().enumerate() {
        let driver = &run["tool"]["driver"];
        if driver["name"].as_str().is_none_or(str::is_empty) {
            err(format!("runs[{ri}]: tool.driver.name missing"));
        }
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        if rules.len() > MAX_RULES_PER_RUN {
            err(format!("runs[{ri}]: {} rules", rules.len()));
        }
        if run["tool"]["extensions"].as_array().map_or(0, Vec::len) > MAX_EXTENSIONS_PER_RUN {
            err(format!("runs[{ri}]: too many tool extensions"));
        }
        let mut ids = std::collections::HashSet::new();
        for (i, r) in rules.iter().enumerate() {
            let Some(id) = r["id"].as_str().filter(|s| !s.is_empty()) else {
                err(format!("runs[{ri}].rules[{i}]: no id"));
                continue;
            };
            if !ids.insert(id.to_string()) {
                err(format!("runs[{ri}]: rule `{id}` defined twice"));
            }
            if r["properties"]["tags"].as_array().map_or(0, Vec::len) > MAX_TAGS_PER_RULE {
                err(format!("rule `{id}`: more than {MAX_TAGS_PER_RULE} tags"));
            }
            if r["shortDescription"]["text"]
                .as_str()
                .is_none_or(str::is_empty)
            {
                err(format!("rule `{id}`: no shortDescription.text"));
            }
        }
        let Some(results) = run["results"].as_array() else {
            err(format!("runs[{ri}]: no results array"));
            continue;
        };
        if results.len() > MAX_RESULTS_PER_RUN {
            err(format!(
                "runs[{ri}]: {} results (limit {MAX_RESULTS_PER_RUN})",
                results.len()
            ));
        }
        for (i, res) in results.iter().enumerate() {
            let at = format!("runs[{ri}].results[{i}] ({})", res["ruleId"]);
            let Some(rule_id) = res["ruleId"].as_str().filter(|s| !s.is_empty()) else {
                err(format!("{at}: no ruleId"));
                continue;
            };
            if !ids.contains(rule_id) {
                err(format!("{at}: ruleId not defined in tool.driver.rules"));
            }
            if let Some(idx) = res["ruleIndex"].as_u64() {
                if rules.get(idx as usize).map(|r| &r["id"]) != Some(&json!(rule_id)) {
                    err(format!("{at}: ruleIndex {idx} names another rule"));
                }
            }
            if res["message"]["text"].as_str().is_none_or(str::is_empty) {
                err(format!("{at}: no message.text"));
            }
            if !matches!(
                res["level"].as_str(),
                None | Some("none" | "note" | "warning" | "error")
            ) {
                err(format!("{at}: bad level {}", res["level"]));
            }
            let fingerprints = res["partialFingerprints"].as_object();
            if fingerprints.is_none_or(|m| {
                m.is_empty() || m.values().any(|v| v.as_str().is_none_or(str::is_empty))
            }) {
                err(format!("{at}: no partialFingerprints"));
            }
            let locations = res["locations"].as_array().cloned().unwrap_or_default();
            if locations.is_empty() {
                err(format!(
                    "{at}: no location (code scanning needs a physical location)"
                ));
            }
            if locations.len() > MAX_LOCATIONS_PER_RESULT {
                err(format!("{at}: {} locations", locations.len()));
            }
            for (li, loc) in locations.iter().enumerate() {
                let p = &loc["physicalLocation"];
                if !p.is_object() {
                    err(format!(
                        "{at}.locations[{li}]: expected a physical location"
                    ));
                    continue;
                }
                match p["artifactLocation"]["uri"].as_str() {
                    None | Some("") => {
                        err(format!("{at}.locations[{li}]: no artifactLocation.uri"))
                    }
                    Some(uri) => {
                        let absolute = uri.starts_with('/')
                            || uri.starts_with('\\')
                            || uri.contains("://")
                            || uri.split('/').next().is_some_and(|s| s.contains(':'));
                        if absolute {
                            err(format!(
                                "{at}: uri `{uri}` is not relative to the repository"
                            ));
                        }
                        if uri.split('/').any(|s| s == ".." || s == ".") {
                            err(format!("{at}: uri `{uri}` has `.`/`..` segments"));
                        }
                    }
                }
                let region = &p["region"];
                let start = region["startLine"].as_u64();
                if start.is_none_or(|l| l < 1) {
                    err(format!(
                        "{at}.locations[{li}]: region.startLine must be ≥ 1"
                    ));
                }
                let start = start.unwrap_or(1);
                let end = region["endLine"].as_u64().unwrap_or(start);
                if end < start {
                    err(format!("{at}: endLine {end} before startLine {start}"));
                }
                let sc = region["startColumn"].as_u64().unwrap_or(1);
                let ec = region["endColumn"].as_u64().unwrap_or(sc);
                if sc < 1 || ec < 1 || (end == start && ec < sc) {
                    err(format!("{at}: columns {sc}..{ec} are not a range"));
                }
            }
        }
    }
    errors
}

fn schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    })
}

pub fn schema_errors(sarif: &Value) -> Vec<String> {
    schema()
        .iter_errors(sarif)
        .map(|e| format!("schema: {e} at {}", e.instance_path()))
        .collect()
}

/// Panics with every problem when code scanning would not take `text`.
pub fn assert_accepted(text: &str, what: &str) {
    assert!(
        text.len() <= MAX_FILE_BYTES,
        "{what}: SARIF of {} bytes",
        text.len()
    );
    let sarif: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{what}: SARIF is not JSON ({e}):\n{text}"));
    let mut errors = ingestion_errors(&sarif);
    errors.extend(schema_errors(&sarif));
    assert!(
        errors.is_empty(),
        "{what}: code scanning would refuse this SARIF:\n{}\n{text}",
        errors.join("\n")
    );
}

thread_local! {
    static PENDING: RefCell<Vec<(PathBuf, String)>> = const { RefCell::new(Vec::new()) };
}

/// `args` plus `--sarif-file PROBE` for a `check` that writes no SARIF file of its own.
pub fn with_sarif_probe(args: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if args.first() != Some(&"check")
        || args
            .iter()
            .any(|a| a.starts_with("--sarif-file") || *a == "-h" || *a == "--help")
    {
        return out;
    }
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sarif-probes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let probe = dir.join(format!("{}.sarif", N.fetch_add(1, Ordering::Relaxed)));
    out.insert(1, "--sarif-file".into());
    out.insert(2, probe.to_string_lossy().into_owned());
    PENDING.with(|p| p.borrow_mut().push((probe, args.join(" "))));
    out
}

/// Check (and remove) the probes this thread's `check` runs wrote. A run that stopped before writing
/// SARIF (a config error, exit 2 before any report) leaves none.
pub fn check_probes() {
    let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    for (probe, what) in pending {
        if let Ok(text) = std::fs::read_to_string(&probe) {
            let _ = std::fs::remove_file(&probe);
            assert_accepted(&text, &format!("shipgate {what}"));
        }
    }
}

fn sarif_of(dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--offline", "--format", "sarif"];
    args.extend_from_slice(extra);
    let r = run(&args, dir);
    assert!(r.code == 0 || r.code == 1 || r.code == 2, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad SARIF ({e}): {}\n{}", r.stdout, r.stderr));
    assert_accepted(&r.stdout, "sarif_of");
    v
}

/// (ruleId, uri, startLine) of each result.
fn anchored(sarif: &Value) -> Vec<(String, String, u64)> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let p = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                p["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                p["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn the_checker_refuses_what_code_scanning_refuses() {
    let good = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "shipgate", "rules": [
                { "id": "owners/missing", "shortDescription": { "text": "t" } }
            ] } },
            "results": [{
                "ruleId": "owners/missing",
                "ruleIndex": 0,
                "level": "warning",
                "message": { "text": "no CODEOWNERS" },
                "partialFingerprints": { "shipgate/v1": "0123456789abcdef" },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": ".github/CODEOWNERS" },
                    "region": { "startLine": 1 }
                } }]
            }]
        }]
    });
    assert_eq!(ingestion_errors(&good), Vec::<String>::new());
    assert!(
        schema_errors(&good).is_empty(),
        "{:?}",
        schema_errors(&good)
    );
    let res = "/runs/0/results/0";
    let breakages: Vec<(&str, Value)> = vec![
        // The first real user's failure: a logical location only.
        (
            "/locations/0",
            json!({ "logicalLocations": [{ "fullyQualifiedName": "repo" }] }),
        ),
        ("/locations", json!([])),
        (
            "/locations/0/physicalLocation/artifactLocation/uri",
            json!("/home/runner/work/a/b.py"),
        ),
        (
            "/locations/0/physicalLocation/artifactLocation/uri",
            json!("file:///a/b.py"),
        ),
        (
            "/locations/0/physicalLocation/artifactLocation/uri",
            json!("../b.py"),
        ),
        (
            "/locations/0/physicalLocation/artifactLocation/uri",
            json!("C:/a/b.py"),
        ),
        ("/locations/0/physicalLocation/region/startLine", json!(0)),
        ("/locations/0/physicalLocation/region", json!({})),
        ("/ruleId", json!("owners/unknown")),
        ("/ruleId", Value::Null),
        ("/ruleIndex", json!(3)),
        ("/partialFingerprints", json!({})),
        ("/partialFingerprints", Value::Null),
        ("/level", json!("fatal")),
        ("/message", json!({ "text": "" })),
    ];
    for (pointer, value) in breakages {
        let mut bad = good.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let obj = bad
            .pointer_mut(&format!("{res}{parent}"))
            .unwrap_or_else(|| panic!("no {parent}"));
        match obj {
            Value::Object(m) if value.is_null() => {
                m.remove(key);
            }
            Value::Object(m) => {
                m.insert(key.to_string(), value.clone());
            }
            Value::Array(a) => a[key.parse::<usize>().unwrap()] = value.clone(),
            other => panic!("{other}"),
        }
        assert!(
            !ingestion_errors(&bad).is_empty(),
            "{pointer} = {value} was accepted"
        );
    }
    let mut many = good.clone();
    let one = many["runs"][0]["results"][0].clone();
    many["runs"][0]["results"] = Value::Array(vec![one; MAX_RESULTS_PER_RUN + 1]);
    assert!(!ingestion_errors(&many).is_empty());
    let mut twice = good.clone();
    let rule = twice["runs"][0]["tool"]["driver"]["rules"][0].clone();
    twice["runs"][0]["tool"]["driver"]["rules"] = json!([rule.clone(), rule]);
    assert!(!ingestion_errors(&twice).is_empty());
}

#[test]
fn repository_level_findings_are_anchored_on_the_file_that_fixes_them() {
    // No CODEOWNERS, no process documents beyond a README, no PR template.
    let repo = Repo::bare();
    repo.write("README.md", "# svc\n\nA service.\n")
        .write("src/app.py", "ADMIN = 'ops@example.com'\n");
    repo.commit("init");
    let sarif = sarif_of(repo.path(), &[]);
    let got = anchored(&sarif);
    let of = |rule: &str| got.iter().find(|(r, ..)| r == rule).cloned();
    assert_eq!(
        of("owners/missing"),
        Some(("owners/missing".into(), ".github/CODEOWNERS".into(), 1)),
        "{got:?}"
    );
    assert_eq!(
        of("process/undocumented-testing").map(|(_, uri, line)| (uri, line)),
        Some(("README.md".into(), 1)),
        "{got:?}"
    );
    assert_eq!(
        of("process/no-pr-template").map(|(_, uri, _)| uri),
        Some(".github/pull_request_template.md".into()),
        "{got:?}"
    );
    assert_eq!(
        of("data/reserved-email").map(|(_, uri, line)| (uri, line)),
        Some(("src/app.py".into(), 1))
    );
    // With a CONTRIBUTING.md and a CODEOWNERS elsewhere, those are the anchors.
    repo.write(
        "CONTRIBUTING.md",
        "# Contributing\n\nWe deploy on Fridays.\n",
    )
    .write("docs/CODEOWNERS", "/src/ @acme/team\n");
    repo.commit("docs");
    let got = anchored(&sarif_of(repo.path(), &[]));
    assert!(
        got.iter()
            .any(|(r, uri, _)| r == "process/undocumented-testing" && uri == "CONTRIBUTING.md"),
        "{got:?}"
    );
    assert!(!got.iter().any(|(r, ..)| r == "owners/missing"), "{got:?}");
}

#[test]
fn a_shallow_clone_is_anchored_on_the_workflow_checkout_step() {
    let remote = Remote::new();
    let wf = "name: gate\non: push\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: shipgate check\n";
    remote
        .clone
        .commit_file(".github/workflows/gate.yml", wf, "ci");
    remote.clone.commit_file("src/a.py", "x = 1\n", "two");
    git(remote.clone.path(), &["push", "-q", "origin", "main"]);
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", remote.bare.path().display());
    git(
        shallow.path(),
        &["clone", "-q", "--depth", "1", &url, "work"],
    );
    let work = shallow.path().join("work");
    let sarif = sarif_of(&work, &[]);
    let got = anchored(&sarif);
    assert!(
        got.contains(&(
            "gate/shallow-clone".into(),
            ".github/workflows/gate.yml".into(),
            7
        )),
        "{got:?}"
    );
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn setting_findings_keep_the_setting_as_a_logical_location() {
    let repo = Repo::new();
    repo.write("shipgate.toml", "[github]\nrequire = true\n");
    repo.commit("c");
    let sarif = sarif_of(repo.path(), &[]);
    let res = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "gate/github-required")
        .cloned()
        .unwrap_or_else(|| panic!("{sarif}"));
    let loc = &res["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "shipgate.toml"
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "shipgate.toml / github.require"
    );
}

#[test]
fn odd_paths_and_stale_baselines_still_give_accepted_sarif() {
    let repo = Repo::new();
    repo.write("src/my app#1/ü x.py", "A = 'ops@example.com'\n")
        .write(
            ".shipgate/baseline.json",
            "{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\": \"00000000deadbeef\", \"rule\": \"data/reserved-email\", \"location\": \"gone.py:1:1\"}\n  ]\n}\n",
        );
    repo.commit("c");
    let got = anchored(&sarif_of(repo.path(), &[]));
    assert!(
        got.iter()
            .any(|(r, uri, line)| r == "suppress/stale-baseline"
                && uri == ".shipgate/baseline.json"
                && *line == 4),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(_, uri, _)| uri == "src/my%20app%231/%C3%BC%20x.py"),
        "{got:?}"
    );
}
