//! `shipgate data`'s output: human (a terminal or a CI log) and JSON (`shipgate/data@1`). Both are
//! rendered whole, then redacted (the connection's password is registered with `redact`) and made inert
//! for CI runners, so no output can carry the password or a forged workflow command.

use super::{LiveFinding, Outcome};
use crate::finding::Severity;
use serde::Serialize;

pub const SCHEMA: &str = "shipgate/data@1";

/// Text as it may leave the process: secrets masked, runner commands neutralised.
pub fn safe(text: &str) -> String {
    let redacted = crate::redact::text(text);
    crate::redact::neutralise_commands(&redacted).into_owned()
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line result: `FAILED · 2 errors, 1 warning · 4 tables (1 not evaluated) · 1,234 rows read`.
pub fn summary_line(o: &Outcome) -> String {
    let verdict = match o.verdict() {
        crate::status::Verdict::Passed => "PASSED",
        crate::status::Verdict::Failed => "FAILED",
        crate::status::Verdict::Incomplete => "NOT EVALUATED",
    };
    let unread = o.not_evaluated().count() as u64;
    format!(
        "{verdict} · {}, {}, {} · {}{} · {} read",
        plural(o.count(Severity::Error) as u64, "error", "errors"),
        plural(o.count(Severity::Warning) as u64, "warning", "warnings"),
        plural(o.count(Severity::Note) as u64, "note", "notes"),
        plural(o.tables.len() as u64, "table", "tables"),
        if unread > 0 {
            format!(" ({unread} not evaluated)")
        } else {
            String::new()
        },
        plural(o.rows_read(), "row", "rows"),
    )
}

/// Where the rows are: `id 1, 4, 9 and 12 more`.
pub fn keys_line(f: &LiveFinding) -> Option<String> {
    if f.keys.is_empty() {
        return None;
    }
    let mut s = format!("{} {}", f.key_columns.join(", "), f.keys.join("; "));
    if f.more_keys > 0 {
        s.push_str(&format!(" and {} more", f.more_keys));
    }
    Some(s)
}

pub fn seen_line(f: &LiveFinding) -> Option<String> {
    match (&f.first_seen, &f.last_seen) {
        (Some(a), Some(b)) if a == b => Some(a.clone()),
        (Some(a), Some(b)) => Some(format!("first {a}, last {b}")),
        _ => None,
    }
}

pub fn human(o: &Outcome) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "shipgate data: {} ({})\n",
        o.source.shown, o.source.kind
    ));
    if let Some(server) = &o.source.server {
        s.push_str(&format!("  server     {server}\n"));
    }
    if let Some(tls) = &o.source.tls {
        s.push_str(&format!("  TLS        {tls}\n"));
    }
    if let Some(ro) = &o.source.read_only {
        s.push_str(&format!("  read-only  {ro}\n"));
    }
    s.push_str(&format!("  rows       {}\n", o.sampling.how));
    if !o.excluded.is_empty() {
        s.push_str(&format!(
            "  excluded   {} by [data] tables/exclude-tables: {}\n",
            plural(o.excluded.len() as u64, "table", "tables"),
            o.excluded.join(", ")
        ));
    }
    let left_out: u64 = o.tables.iter().map(|t| t.examples_left_out).sum();
    if left_out > 0 {
        s.push_str(&format!(
            "  examples   {} in guidance columns or hint text left out (help_text, placeholder, \"for example, …\")\n",
            plural(left_out, "value", "values")
        ));
    }
    s.push('\n');
    for f in &o.findings {
        s.push_str(&format!(
            "{}[{}] {}: {}\n",
            f.severity,
            f.rule,
            f.location(),
            f.message
        ));
        if !f.examples.is_empty() {
            s.push_str(&format!("    values  {}\n", f.examples.join(", ")));
        }
        if let Some(k) = keys_line(f) {
            s.push_str(&format!("    rows    {k}\n"));
        }
        if let Some(seen) = seen_line(f) {
            s.push_str(&format!("    seen    {seen}\n"));
        }
    }
    if !o.findings.is_empty() {
        s.push('\n');
    }
    for a in &o.allowed {
        s.push_str(&format!(
            "exception {}: {} — {}\n",
            a.entry,
            plural(a.hits, "hit", "hits"),
            a.reason
        ));
    }
    for f in &o.fail_open {
        s.push_str(&format!("fail-open: {f}\n"));
    }
    s.push_str(&summary_line(o));
    s.push_str(&format!(" · {:.1}s\n", o.elapsed.as_secs_f64()));
    if o.findings.iter().any(|f| f.severity >= o.fail_on) {
        s.push_str("`shipgate explain RULE` says why each rule matters and how to fix it.\n");
    }
    s
}

#[derive(Serialize)]
struct Json<'a> {
    schema: &'static str,
    tool: Tool,
    result: &'static str,
    exit_code: u8,
    fail_on: &'static str,
    source: &'a super::SourceFacts,
    sampling: &'a super::Sampling,
    summary: Summary,
    tables: &'a [super::TableRead],
    excluded: &'a [String],
    findings: &'a [LiveFinding],
    exceptions: &'a [super::AllowUse],
    fail_open: &'a [String],
    rules: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    tables: usize,
    not_evaluated: usize,
    excluded: usize,
    rows_read: u64,
    errors: usize,
    warnings: usize,
    notes: usize,
    elapsed_ms: u128,
}

pub fn json(o: &Outcome) -> String {
    let v = o.verdict();
    let doc = Json {
        schema: SCHEMA,
        tool: Tool {
            name: "shipgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        result: v.as_str(),
        exit_code: v.exit_code(),
        fail_on: o.fail_on.as_str(),
        source: &o.source,
        sampling: &o.sampling,
        summary: Summary {
            tables: o.tables.len(),
            not_evaluated: o.not_evaluated().count(),
            excluded: o.excluded.len(),
            rows_read: o.rows_read(),
            errors: o.count(Severity::Error),
            warnings: o.count(Severity::Warning),
            notes: o.count(Severity::Note),
            elapsed_ms: o.elapsed.as_millis(),
        },
        tables: &o.tables,
        excluded: &o.excluded,
        findings: &o.findings,
        exceptions: &o.allowed,
        fail_open: &o.fail_open,
        rules: &o.rules,
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
