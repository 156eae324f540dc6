//! SARIF 2.1.0, as GitHub code scanning accepts it: every rule with its help in `tool.driver.rules`,
//! results with repository-relative URIs, regions in Unicode code points, and stable fingerprints.

use crate::engine::Outcome;
use crate::finding::{Finding, Location, Severity};
use crate::rules::RuleDoc;
use serde_json::{json, Value};
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

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

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": f.message },
        "partialFingerprints": { "shipgate/v1": f.fingerprint },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    r["locations"] = match &f.location {
        Location::File(s) => {
            let mut physical = json!({ "artifactLocation": { "uri": uri_escape(&s.path), "uriBaseId": "%SRCROOT%" } });
            if s.line > 0 {
                physical["region"] = json!({
                    "startLine": s.line,
                    "startColumn": s.column,
                    "endLine": s.end_line,
                    "endColumn": s.end_column,
                    "byteOffset": s.span.0,
                    // An inverted span would be a checker's bug; it must not take the report down
                    // with it (the `report_writers` fuzz target's first crash): it shows as empty.
                    "byteLength": s.span.1.saturating_sub(s.span.0),
                });
            }
            json!([{ "physicalLocation": physical }])
        }
        Location::Setting { scope, name, .. } => {
            json!([{ "logicalLocations": [{ "fullyQualifiedName": format!("{scope} / {name}"), "kind": "resource" }] }])
        }
        Location::Repository => json!([]),
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
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| result(f, docs.iter().position(|d| d.id == f.rule)))
        .collect();
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
            let region = &result(&f, None)["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["byteLength"], 0);
            assert_eq!(region["byteOffset"], json!(span.0));
        }
    }

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("data/reserved-email"), "DataReservedEmail");
        assert_eq!(uri_escape("src/my file#1.py"), "src/my%20file%231.py");
    }
}
