//! The evidence report of a `shipgate data` run (`--report FILE`: HTML for .html/.htm, else Markdown): the
//! control "No test data in the live system" — PASS, PASS WITH WARNINGS, FAIL or NOT VERIFIED — with the
//! scope of the run (source, how it was kept read-only, tables and rows read, how rows were chosen) and
//! every finding, in the same form as `shipgate check`'s evidence report, whose own copy of this control
//! points here.

use super::report::{keys_line, seen_line, summary_line};
use super::Outcome;
use crate::checks::Control as ControlId;
use crate::report::evidence::{utc_now, Control, Status, CONTROLS};
use crate::report::evidence_html::{esc, inline, CSS};
use std::fmt::Write as _;

fn control() -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.id == ControlId::LiveDataClean)
}

/// The control's verdict: FAIL on findings at or above fail-on, NOT VERIFIED when a table was not read
/// (or the run failed open), PASS WITH WARNINGS under findings below it, else PASS.
pub fn status(o: &Outcome) -> Status {
    if o.findings
        .iter()
        .any(|f| f.severity >= o.fail_on && f.rule != crate::checks::live_data::TABLE_NOT_READ)
    {
        Status::Fail
    } else if o.not_evaluated().next().is_some() {
        Status::NotVerified
    } else if !o.findings.is_empty() {
        Status::PassWithWarnings
    } else {
        Status::Pass
    }
}

fn scope(o: &Outcome) -> Vec<(&'static str, String)> {
    let mut rows = vec![("Source", format!("{} ({})", o.source.shown, o.source.kind))];
    if let Some(s) = &o.source.server {
        rows.push(("Server", s.clone()));
    }
    if let Some(t) = &o.source.tls {
        rows.push(("TLS", t.clone()));
    }
    if let Some(r) = &o.source.read_only {
        rows.push(("Read-only", r.clone()));
    }
    let unread = o.not_evaluated().count();
    rows.push((
        "Tables",
        format!(
            "{} read{}{}",
            o.tables.len() - unread,
            if unread > 0 {
                format!(", {unread} not evaluated")
            } else {
                String::new()
            },
            if o.excluded.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} excluded by config ({})",
                    o.excluded.len(),
                    o.excluded.join(", ")
                )
            }
        ),
    ));
    rows.push(("Rows read", o.rows_read().to_string()));
    rows.push(("Rows chosen", o.sampling.how.clone()));
    rows.push((
        "Fail-open settings",
        if o.fail_open.is_empty() {
            "none: every table fails closed".to_string()
        } else {
            o.fail_open.join("; ")
        },
    ));
    rows
}

fn detail(f: &super::LiveFinding) -> String {
    let mut parts = vec![f.message.clone()];
    if !f.examples.is_empty() {
        parts.push(format!("values {}", f.examples.join(", ")));
    }
    if let Some(k) = keys_line(f) {
        parts.push(format!("rows {k}"));
    }
    if let Some(s) = seen_line(f) {
        parts.push(format!("seen {s}"));
    }
    parts.join(" · ")
}

pub fn markdown(o: &Outcome) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let status = status(o);
    let mut s = String::new();
    let _ = writeln!(s, "# Live-data evidence report\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Tool | shipgate {} |", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(s, "| Generated | {} |", utc_now());
    let _ = writeln!(s, "| Result | {} |", cell(&summary_line(o)));
    let _ = writeln!(s, "\n## Scope\n\n| | |\n|---|---|");
    for (k, v) in scope(o) {
        let _ = writeln!(s, "| {k} | {} |", cell(&v));
    }
    let Some(c) = control() else { return s };
    let _ = writeln!(
        s,
        "\n## Controls\n\n| Control | Status | Findings |\n|---|---|---|"
    );
    let _ = writeln!(
        s,
        "| {} | **{}** | {} |",
        c.title,
        status.label(),
        o.findings.len()
    );
    let _ = writeln!(s, "\n## {} — {}\n", c.title, status.label());
    let _ = writeln!(s, "_Why: {}_\n", c.recommendation);
    let _ = writeln!(
        s,
        "Evaluated rules: {}.\n",
        o.rules
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for t in o.not_evaluated() {
        let _ = writeln!(
            s,
            "- Not verified: `{}`: {}",
            cell(&t.table),
            cell(t.not_evaluated.as_deref().unwrap_or(""))
        );
    }
    match status {
        Status::Pass => {
            let _ = writeln!(s, "No findings.");
        }
        Status::PassWithWarnings => {
            let _ = writeln!(
                s,
                "Findings below the gate's fail-on level ({}): they do not fail the gate, but the control is not fully met.",
                o.fail_on
            );
        }
        _ => {}
    }
    if !o.findings.is_empty() {
        let _ = writeln!(
            s,
            "\n| Severity | Rule | Location | Finding |\n|---|---|---|---|"
        );
        for f in &o.findings {
            let _ = writeln!(
                s,
                "| {} | `{}` | `{}` | {} |",
                f.severity,
                f.rule,
                cell(&f.location()).replace('`', "'"),
                cell(&detail(f))
            );
        }
    }
    if !o.allowed.is_empty() {
        let _ = writeln!(
            s,
            "\n### Exceptions\n\n| Exception | Reason | Hits |\n|---|---|---|"
        );
        for a in &o.allowed {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} |",
                cell(&a.entry).replace('`', "'"),
                cell(&a.reason),
                a.hits
            );
        }
    }
    let _ = writeln!(
        s,
        "\n### Tables\n\n| Table | Rows read | How | Complete |\n|---|---|---|---|"
    );
    for t in &o.tables {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            cell(&t.table).replace('`', "'"),
            t.rows_read,
            cell(t.not_evaluated.as_deref().unwrap_or(&t.method)),
            if t.complete { "yes" } else { "no" }
        );
    }
    s
}

pub fn html(o: &Outcome) -> String {
    let status = status(o);
    let class = status.label().replace(' ', "-");
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>shipgate live-data evidence report</title><style>{CSS}</style></head><body>\n"
    );
    let _ = writeln!(
        s,
        "<h1>Live-data evidence report</h1><table class=\"meta\">"
    );
    let row = |s: &mut String, k: &str, v: &str| {
        let _ = writeln!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    };
    row(
        &mut s,
        "Tool",
        &format!("shipgate {}", env!("CARGO_PKG_VERSION")),
    );
    row(&mut s, "Generated", &utc_now());
    row(&mut s, "Result", &summary_line(o));
    let _ = writeln!(s, "</table><h2>Scope</h2><table class=\"meta\">");
    for (k, v) in scope(o) {
        row(&mut s, k, &v);
    }
    let _ = writeln!(s, "</table>");
    if let Some(c) = control() {
        let _ = writeln!(
            s,
            "<h2>Controls</h2><table><tr><th>Control</th><th>Status</th><th>Findings</th></tr>\
             <tr><td>{}</td><td><span class=\"status {class}\">{}</span></td><td>{}</td></tr></table>",
            esc(c.title),
            status.label(),
            o.findings.len()
        );
        let _ = writeln!(
            s,
            "<h2>{} <span class=\"status {class}\">{}</span></h2><p class=\"why\">Why: {}</p>",
            esc(c.title),
            status.label(),
            inline(c.recommendation)
        );
    }
    let rules: Vec<String> = o
        .rules
        .iter()
        .map(|r| format!("<code>{}</code>", esc(r)))
        .collect();
    let _ = writeln!(s, "<p>Evaluated rules: {}.</p>", rules.join(", "));
    let unread: Vec<_> = o.not_evaluated().collect();
    if !unread.is_empty() {
        let _ = writeln!(s, "<ul>");
        for t in unread {
            let _ = writeln!(
                s,
                "<li>Not verified: <code>{}</code>: {}</li>",
                esc(&t.table),
                esc(t.not_evaluated.as_deref().unwrap_or(""))
            );
        }
        let _ = writeln!(s, "</ul>");
    }
    if status == Status::Pass {
        let _ = writeln!(s, "<p>No findings.</p>");
    }
    if !o.findings.is_empty() {
        let _ = writeln!(
            s,
            "<table><tr><th>Severity</th><th>Rule</th><th>Location</th><th>Finding</th></tr>"
        );
        for f in &o.findings {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                f.severity,
                esc(&f.rule),
                esc(&f.location()),
                esc(&detail(f))
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if !o.allowed.is_empty() {
        let _ = writeln!(
            s,
            "<h3>Exceptions</h3><table><tr><th>Exception</th><th>Reason</th><th>Hits</th></tr>"
        );
        for a in &o.allowed {
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&a.entry),
                esc(&a.reason),
                a.hits
            );
        }
        let _ = writeln!(s, "</table>");
    }
    let _ = writeln!(s, "<h3>Tables</h3><table><tr><th>Table</th><th>Rows read</th><th>How</th><th>Complete</th></tr>");
    for t in &o.tables {
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.table),
            t.rows_read,
            esc(t.not_evaluated.as_deref().unwrap_or(&t.method)),
            if t.complete { "yes" } else { "no" }
        );
    }
    let _ = writeln!(s, "</table></body></html>");
    s
}
