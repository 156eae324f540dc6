#![no_main]
//! The JSON and SARIF writers on findings built from the input — arbitrary messages, rule ids, paths with
//! odd characters, zero and huge lines, inverted byte ranges, settings and repository locations: the output
//! always parses back as JSON with one entry per finding, and never panics. The human and GitHub renderings
//! run on the same outcome: no panic, and exactly one annotation line per finding (a newline in a message
//! must not start a second workflow command).
#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use shipgate::engine::Outcome;
use shipgate::finding::{FileSpan, Finding, Location, Severity};
use shipgate::report::{self, Format, RenderOptions};
use shipgate::rules::RuleDoc;
use std::path::PathBuf;

fn severity(u: &mut Unstructured) -> Result<Severity> {
    Ok(*u.choose(&[Severity::Note, Severity::Warning, Severity::Error])?)
}

/// Mostly small numbers, sometimes 0 or the extremes.
fn number(u: &mut Unstructured) -> Result<u32> {
    Ok(match u.int_in_range(0..=3)? {
        0 => 0,
        1 => u32::MAX,
        _ => u.int_in_range(1..=200)?,
    })
}

fn finding(u: &mut Unstructured, rule_ids: &[String]) -> Result<Finding> {
    let rule = if u.arbitrary()? {
        u.choose(rule_ids)?.clone()
    } else {
        u.arbitrary()?
    };
    let location = match u.int_in_range(0..=2)? {
        0 => Location::File(FileSpan {
            path: u.arbitrary()?,
            line: number(u)?,
            column: number(u)?,
            end_line: number(u)?,
            end_column: number(u)?,
            span: (u.arbitrary()?, u.arbitrary()?),
        }),
        1 => Location::Setting {
            scope: u.arbitrary()?,
            name: u.arbitrary()?,
            url: u.arbitrary()?,
        },
        _ => Location::Repository,
    };
    let mut f = Finding::new(&rule, severity(u)?, u.arbitrary::<String>()?, location);
    f.evidence = u.arbitrary()?;
    f.help = u.arbitrary()?;
    f.fingerprint = u.arbitrary()?;
    Ok(f)
}

fn outcome(u: &mut Unstructured) -> Result<Outcome> {
    let mut ctx = common::context(&[], Default::default());
    ctx.root = PathBuf::from(u.arbitrary::<String>()?);
    // A few real rules, not all: SARIF repeats every rule's full help, and rendering and re-parsing the
    // whole catalogue on each input would cut the executions per second tenfold for no new paths.
    ctx.catalogue.docs = shipgate::checks::code_rules()
        .into_iter()
        .take(3)
        .map(RuleDoc::from)
        .collect();
    // One rule of the input's own making: its id, title and texts go into SARIF's `rules`.
    let mut doc = ctx.catalogue.docs[0].clone();
    doc.id = u.arbitrary()?;
    doc.title = u.arbitrary()?;
    doc.why = u.arbitrary()?;
    doc.severity = severity(u)?;
    ctx.catalogue.docs.push(doc);
    let ids: Vec<String> = ctx.catalogue.docs.iter().map(|d| d.id.clone()).collect();
    let mut findings = Vec::new();
    for _ in 0..u.int_in_range(0..=8)? {
        findings.push(finding(u, &ids)?);
    }
    if u.arbitrary()? {
        shipgate::finding::finalize(&mut findings);
    }
    // A change's pre-existing findings are rendered in their own section of every report.
    let mut pre_existing_findings = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        pre_existing_findings.push(finding(u, &ids)?);
    }
    Ok(Outcome {
        ctx,
        findings,
        fail_on: severity(u)?,
        elapsed: std::time::Duration::from_millis(u.arbitrary()?),
        not_evaluated: Vec::new(),
        suppressed: Default::default(),
        pre_existing: pre_existing_findings.len(),
        pre_existing_findings,
        fail_open: Vec::new(),
        scorecards: Vec::new(),
        policy: String::new(),
    })
}

fn render(format: Format, outcome: &Outcome) -> Vec<u8> {
    let mut out = Vec::new();
    let rendered = report::render(format, outcome, &RenderOptions::default(), &mut out);
    assert!(rendered.is_ok(), "{format:?}: {rendered:?}");
    out
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(outcome) = outcome(&mut Unstructured::new(data)) else {
        return;
    };
    let n = outcome.findings.len();
    let json: serde_json::Value = match serde_json::from_slice(&render(Format::Json, &outcome)) {
        Ok(v) => v,
        Err(e) => panic!("JSON output does not parse: {e}"),
    };
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(n));
    let sarif: serde_json::Value = match serde_json::from_slice(&render(Format::Sarif, &outcome)) {
        Ok(v) => v,
        Err(e) => panic!("SARIF output does not parse: {e}"),
    };
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(n)
    );
    let github = render(Format::Github, &outcome);
    assert_eq!(
        github
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        n + 1
    );
    // Repository text cannot forge output: no raw carriage return or escape reaches the log, and no
    // line but shipgate's own annotations starts a runner command.
    let inert = |text: &[u8], annotations: bool| {
        assert!(!text.contains(&b'\r') && !text.contains(&0x1b), "raw control character");
        for line in text.split(|b| *b == b'\n') {
            let t = line.trim_ascii_start();
            let ours = annotations
                && [&b"::error "[..], b"::warning ", b"::notice "]
                    .iter()
                    .any(|p| line.starts_with(p));
            assert!(ours || !(t.starts_with(b"::") || t.starts_with(b"##[")), "command line");
        }
    };
    inert(&github, true);
    let human = render(Format::Human, &outcome);
    inert(&human, false);
    let summary = shipgate::report::github::markdown_summary(&outcome);
    assert!(!summary.contains('\r') && !summary.contains("<!--"));
});
