//! SARIF 2.1.0, as GitHub code scanning accepts it: every rule with its help in `tool.driver.rules`,
//! every result with a physical location (a repository-relative URI and a region from line 1 on — findings
//! about settings or the repository are anchored on the file that would fix them), regions in Unicode code
//! points, stable fingerprints, and no more results than code scanning takes in one run.
//! `tests/cli/sarif_ingestion.rs` holds every SARIF the test suite produces to code scanning's rules.

use crate::engine::Outcome;
use crate::finding::{FileSpan, Finding, Location, Severity};
use crate::rules::RuleDoc;
use serde_json::{json, Value};
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn rule(doc: &RuleDoc) -> Value {
    let family = doc.id.split('/').next().unwrap_or("");
    json!({
        "id": doc.id,
        "name": pascal_case(&doc.id),
        "shortDescription": { "text": doc.title },
        "fullDescription": { "text": doc.why },
        "help": {
            "text": format!("{}\n\nWhy: {}\n\nFix: {}\n\nExample: {}", doc.title, doc.why, doc.fix, doc.example),
            "markdown": format!("**{}**\n\n**Why:** {}\n\n**Fix:** {}\n\n**Example:**\n```\n{}\n```", doc.title, doc.why, doc.fix, doc.example),
        },
        "defaultConfiguration": { "level": level(doc.severity) },
        "properties": { "tags": ["shipgate", family] },
    })
}

/// `data/reserved-email` → `DataReservedEmail` (SARIF `name` is meant to be an identifier).
fn pascal_case(id: &str) -> String {
    id.split(['/', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn result(f: &Finding, rule_index: Option<usize>, anchor: &Anchor) -> Value {
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": f.message },
        "partialFingerprints": { "shipgate/v1": f.fingerprint },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    // Declared, observed or drift: said in the result's properties and its logical location, so code
    // scanning never shows a declared setting as the live one.
    let settings = f.settings.as_ref().map(|s| {
        r["properties"] = json!({ "settings": s.origin.as_str(), "repository": s.repository, "target": s.target, "setting": s.setting });
        json!({ "fullyQualifiedName": format!("{} {} {} / {}", s.origin.as_str(), s.repository, s.target, s.setting), "kind": "resource" })
    });
    // Code scanning refuses a whole file when one result lacks a physical location with a relative
    // `uri` and a `region.startLine`: findings about a setting or the repository are anchored on the
    // file that would fix them (line 1 when there is no better line), keeping the setting as a
    // logical location.
    r["locations"] = match &f.location {
        Location::File(s) => match &settings {
            Some(logical) => {
                json!([{ "physicalLocation": physical(&s.path, s), "logicalLocations": [logical] }])
            }
            None => json!([{ "physicalLocation": physical(&s.path, s) }]),
        },
        Location::Setting { scope, name, .. } => {
            let (path, line) = anchor.for_finding(f);
            json!([{
                "physicalLocation": physical(&path, &on_line(&path, line)),
                "logicalLocations": [{ "fullyQualifiedName": format!("{scope} / {name}"), "kind": "resource" }],
            }])
        }
        Location::Repository => {
            let (path, line) = anchor.for_finding(f);
            json!([{ "physicalLocation": physical(&path, &on_line(&path, line)) }])
        }
    };
    // A grouped finding's other hits: code scanning shows them as related locations of the one alert.
    if let Location::File(first) = &f.location {
        if !f.repeats.is_empty() {
            let related: Vec<Value> = f
                .repeats
                .iter()
                .enumerate()
                .map(|(i, rep)| {
                    json!({
                        "id": i + 1,
                        "message": { "text": format!("another hit of {}", f.rule) },
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri_escape(&first.path), "uriBaseId": "%SRCROOT%" },
                            "region": {
                                "startLine": rep.span.line,
                                "startColumn": rep.span.column,
                                "endLine": rep.span.end_line,
                                "endColumn": rep.span.end_column,
                            }
                        }
                    })
                })
                .collect();
            r["relatedLocations"] = json!(related);
        }
    }
    r
}

fn on_line(path: &str, line: u32) -> FileSpan {
    FileSpan {
        path: path.to_string(),
        line: 0,
        column: 1,
        end_line: line.max(1),
        end_column: 1,
        span: (0, 0),
    }
}

/// A physical location code scanning accepts: a relative `uri` and a region starting on line 1 or later.
fn physical(path: &str, s: &FileSpan) -> Value {
    // Line 0 (no line known, or an anchor): the region starts at `end_line` (an anchor's line), else 1.
    let start_line = if s.line == 0 {
        s.end_line.max(1)
    } else {
        s.line
    };
    let start_column = s.column.max(1);
    let end_line = s.end_line.max(start_line);
    let end_column = if end_line == start_line {
        s.end_column.max(start_column)
    } else {
        s.end_column.max(1)
    };
    let mut region = json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    });
    if s.line > 0 {
        region["byteOffset"] = json!(s.span.0);
        // An inverted span would be a checker's bug; it must not take the report down with it (the
        // `report_writers` fuzz target's first crash): it shows as empty.
        region["byteLength"] = json!(s.span.1.saturating_sub(s.span.0));
    }
    json!({
        "artifactLocation": { "uri": uri_escape(&relative(path)), "uriBaseId": "%SRCROOT%" },
        "region": region,
    })
}

/// A repository-relative path: leading `/`, `./`, drive letters and `..` segments removed, so the `uri`
/// can never be absolute or point outside the checkout.
fn relative(path: &str) -> String {
    let path = path.replace('\\', "/");
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != ".." && !p.ends_with(':'))
        .collect();
    if parts.is_empty() {
        ".github".to_string()
    } else {
        parts.join("/")
    }
}

/// Which file would fix a finding that is not in a file: CODEOWNERS for `owners/*`, the process
/// documents for `process/*`, the workflow that runs shipgate for the gate's own history and GitHub
/// failures, else the config (where deployment branches and GitHub settings are declared), else the
/// README.
pub struct Anchor {
    codeowners: String,
    process_doc: String,
    pr_template: String,
    /// The workflow that runs shipgate and the line of its checkout step.
    workflow: Option<(String, u32)>,
    config: String,
}

impl Anchor {
    pub fn new(outcome: &Outcome) -> Anchor {
        let ctx = &outcome.ctx;
        let exists = |p: &str| ctx.files.iter().any(|f| &*f.path == p);
        let first =
            |candidates: &[&str]| candidates.iter().find(|c| exists(c)).map(|c| c.to_string());
        let readme = first(&[
            "README.md",
            "README",
            "README.rst",
            "README.txt",
            "docs/README.md",
        ]);
        let config = ctx
            .config
            .source
            .as_ref()
            .map(|(p, _)| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.starts_with('/') && !p.contains(':') && !p.split('/').any(|s| s == ".."))
            .or_else(|| first(&[".github/CODEOWNERS"]))
            .or_else(|| readme.clone())
            .unwrap_or_else(|| "shipgate.toml".to_string());
        Anchor {
            codeowners: ctx
                .repo
                .codeowners()
                .map_or_else(|| ".github/CODEOWNERS".to_string(), |c| c.path.clone()),
            process_doc: first(&[
                "CONTRIBUTING.md",
                ".github/CONTRIBUTING.md",
                "docs/CONTRIBUTING.md",
            ])
            .or(readme)
            .unwrap_or_else(|| "CONTRIBUTING.md".to_string()),
            pr_template: ".github/pull_request_template.md".to_string(),
            workflow: ctx
                .repo
                .workflows()
                .find(|w| w.text.contains("shipgate"))
                .map(|w| {
                    let checkout = w
                        .jobs
                        .iter()
                        .flat_map(|j| &j.steps)
                        .find(|s| {
                            s.uses
                                .as_ref()
                                .is_some_and(|u| u.value.starts_with("actions/checkout"))
                        })
                        .map_or(1, |s| s.pos.line);
                    (w.path.clone(), checkout)
                }),
            config,
        }
    }

    /// The file (repository-relative) and line a finding outside any file is shown on.
    pub fn for_finding(&self, f: &Finding) -> (String, u32) {
        let family = f.rule.split('/').next().unwrap_or("");
        let path = match (family, f.rule.as_str()) {
            (_, crate::checks::process_docs::NO_PR_TEMPLATE) => &self.pr_template,
            ("owners", _) => &self.codeowners,
            ("process", _) => &self.process_doc,
            // A shallow clone is fixed in the workflow's checkout step (`fetch-depth: 0`).
            (_, crate::checks::gate::SHALLOW_CLONE) => match &self.workflow {
                Some((path, line)) => return (path.clone(), *line),
                None => &self.config,
            },
            _ => &self.config,
        };
        (path.clone(), 1)
    }
}

/// Percent-encode what may not appear raw in a URI reference path.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn to_value(outcome: &Outcome) -> Value {
    let docs = &outcome.ctx.catalogue.docs;
    let anchor = Anchor::new(outcome);
    let total = outcome.findings.len();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .take(MAX_RESULTS)
        .map(|f| result(f, docs.iter().position(|d| d.id == f.rule), &anchor))
        .collect();
    let mut notifications: Vec<Value> = Vec::new();
    if total > MAX_RESULTS {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{total} findings; only the first {MAX_RESULTS} are in this SARIF file (code scanning's limit per run) — run `shipgate check --format json` for all"
            )},
        }));
    }
    let mut root_uri = outcome.ctx.root.display().to_string().replace('\\', "/");
    if !root_uri.ends_with('/') {
        root_uri.push('/');
    }
    let root_uri = if root_uri.starts_with('/') {
        format!("file://{}", uri_escape(&root_uri))
    } else {
        format!("file:///{}", uri_escape(&root_uri))
    };
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        // Near the start (before the runs): how shipgate knows its own output in a work tree.
        "properties": { "generator": crate::repo::own_output::MARKER },
        "runs": [{
            "tool": { "driver": {
                "name": "shipgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/shipgate/shipgate",
                "rules": docs.iter().map(rule).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": outcome.verdict() != crate::engine::Verdict::Incomplete,
                // Opt-outs from failing closed, so a code-scanning reader sees a weakened gate too.
                "toolConfigurationNotifications": outcome.fail_open.iter().map(|f| json!({
                    "level": "warning",
                    "message": { "text": format!("fail-open: {f}") },
                })).collect::<Vec<_>>(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    })
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(outcome)).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inverted_span_gives_an_empty_region_not_a_panic() {
        // Kept from the `report_writers` fuzz target: byteLength was `end - start`, which overflowed.
        for span in [(5, 3), (usize::MAX, 0)] {
            let at = crate::finding::FileSpan {
                path: "a b/ü.py".into(),
                line: u32::MAX,
                column: 1,
                end_line: 0,
                end_column: 0,
                span,
            };
            let f = Finding::new("x/y", Severity::Note, "m\n\u{0}", Location::File(at));
            let anchor = Anchor {
                codeowners: String::new(),
                process_doc: String::new(),
                pr_template: String::new(),
                workflow: None,
                config: "shipgate.toml".into(),
            };
            let region = &result(&f, None, &anchor)["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["byteLength"], 0);
            assert_eq!(region["byteOffset"], json!(span.0));
        }
    }

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("data/reserved-email"), "DataReservedEmail");
        assert_eq!(uri_escape("src/my file#1.py"), "src/my%20file%231.py");
        assert_eq!(relative("/abs/../x/./y"), "abs/x/y");
        assert_eq!(relative("C:\\a\\b"), "a/b");
        assert_eq!(relative(""), ".github");
    }
}
