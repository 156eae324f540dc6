//! The evidence report as one self-contained HTML file: inline CSS, no scripts, no external assets, so it
//! can be archived and opened years later exactly as it was.

use super::evidence::{
    assess, header, policy_exceptions, RuleException, Status, MAX_EXCEPTION_ROWS,
};
use crate::engine::Outcome;
use crate::finding::Finding;
use crate::suppress::accepted::Exception;
use std::io::{self, Write};

pub const CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1b1b1b}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f3f3f3}code{font-size:.9em}td code{white-space:nowrap}.why{color:#555;font-style:italic}\
.PASS{background:#e6f4ea;color:#0b6b2b}.PASS-WITH-WARNINGS{background:#fff4ce;color:#5b4a00;border:1px solid #d8b600}.PASS-WITH-ACCEPTED-EXCEPTIONS{background:#e8f0fe;color:#1a3d7c;border:1px solid #6b8fd6}.FAIL{background:#fde7e9;color:#a4000f}.NOT-VERIFIED{background:#ececec;color:#444;border:1px dashed #888}.PRE-EXISTING-FAIL{background:#fde7e9;color:#a4000f;border:1px dashed #a4000f}\
.status{font-weight:700;padding:.1rem .5rem;border-radius:4px;white-space:nowrap}";

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let h = header(outcome);
    let a = assess(outcome);
    write!(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"{}: evidence report\"><title>shipgate evidence report</title><style>{CSS}</style></head><body>\n", crate::repo::own_output::MARKER)?;
    writeln!(out, "<h1>Deployment-safety evidence report</h1>")?;
    writeln!(out, "<table class=\"meta\">")?;
    row(out, "Repository", &h.repository)?;
    row(out, "Commit", &h.commit)?;
    row(out, "Tool", &format!("shipgate {}", h.version))?;
    row(out, "Generated", &h.generated)?;
    row(out, "Gate", &h.summary)?;
    row(out, "Fail-open settings", &h.fail_open)?;
    writeln!(out, "</table>")?;
    writeln!(out, "<h2>Scope</h2><table class=\"meta\">")?;
    for (k, v) in &h.scope {
        row(out, k, v)?;
    }
    writeln!(out, "</table>")?;
    writeln!(
        out,
        "<h2>Controls</h2><table><tr><th>Control</th><th>Status</th><th>Findings</th><th>Accepted exceptions</th></tr>"
    )?;
    for x in &a {
        writeln!(
            out,
            "<tr><td>{}</td><td><span class=\"status {}\">{}</span></td><td>{}</td><td>{}</td></tr>",
            esc(x.control.title),
            x.status.label().replace(' ', "-"),
            x.status.label(),
            x.findings.len(),
            x.accepted.len() + x.settings.len()
        )?;
    }
    writeln!(out, "</table>")?;
    for x in &a {
        writeln!(
            out,
            "<h2>{} <span class=\"status {}\">{}</span></h2>",
            esc(x.control.title),
            x.status.label().replace(' ', "-"),
            x.status.label()
        )?;
        writeln!(
            out,
            "<p class=\"why\">Why: {}</p>",
            inline(x.control.recommendation)
        )?;
        if !x.rules.is_empty() {
            let rules: Vec<String> = x
                .rules
                .iter()
                .map(|r| format!("<code>{}</code>", esc(r)))
                .collect();
            writeln!(out, "<p>Evaluated rules: {}.</p>", rules.join(", "))?;
        }
        if x.control.families().contains(&"data") {
            let s = &outcome.ctx.stats;
            writeln!(
                out,
                "<p>Files: {} in the tree, {} scanned ({} bytes); skipped {} binary, {} over the size limit, {} ignored by config, {} unreadable.</p>",
                s.files, s.scanned, s.bytes_scanned, s.skipped_binary, s.skipped_large, s.ignored, s.unreadable
            )?;
        }
        if !x.gaps.is_empty() {
            writeln!(out, "<ul>")?;
            for g in &x.gaps {
                writeln!(out, "<li>Not verified: {}</li>", inline(g))?;
            }
            writeln!(out, "</ul>")?;
        }
        if x.status == Status::PassWithWarnings {
            writeln!(
                out,
                "<p>Findings below the gate's fail-on level ({}): they do not fail the gate, but the control is not fully met.</p>",
                outcome.fail_on
            )?;
        }
        if x.status == Status::PassWithExceptions {
            writeln!(
                out,
                "<p>Nothing fails this control, because the findings below were accepted: each is listed with what accepted it and why.</p>"
            )?;
        }
        if x.status == Status::PreExistingFail {
            writeln!(
                out,
                "<p>This change adds no finding at or above the gate's fail-on level ({}), but the tree it leaves fails this control with findings it already had (below).</p>",
                outcome.fail_on
            )?;
        }
        if x.status == Status::Pass && x.findings.is_empty() {
            writeln!(out, "<p>No findings.</p>")?;
        }
        if !x.findings.is_empty() {
            findings_table(out, &x.findings)?;
        }
        if !x.pre_existing.is_empty() {
            writeln!(
                out,
                "<p>Pre-existing (the base already had them; not failed on by this change):</p>"
            )?;
            findings_table(out, &x.pre_existing)?;
        }
        exceptions(out, &x.accepted, &x.settings)?;
    }
    let policy = policy_exceptions(outcome);
    if !policy.is_empty() {
        writeln!(out, "<h2>Accepted changes to the gate's own policy</h2>")?;
        exceptions(out, &policy, &[])?;
    }
    writeln!(out, "</body></html>")
}

/// One table row per finding.
fn findings_table(out: &mut dyn Write, findings: &[&Finding]) -> io::Result<()> {
    writeln!(
        out,
        "<table><tr><th>Severity</th><th>Rule</th><th>Location</th><th>Finding</th></tr>"
    )?;
    for f in findings {
        writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            f.severity,
            esc(&f.rule),
            esc(&f.location.display()),
            inline(&f.message)
        )?;
    }
    writeln!(out, "</table>")
}
/// The accepted exceptions of one control: rules switched off or lowered, then each accepted finding.
fn exceptions(
    out: &mut dyn Write,
    accepted: &[&Exception],
    settings: &[RuleException],
) -> io::Result<()> {
    if accepted.is_empty() && settings.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<p><strong>Accepted exceptions</strong> ({}):</p>",
        accepted.len() + settings.len()
    )?;
    if !settings.is_empty() {
        writeln!(out, "<ul class=\"accepted\">")?;
        for r in settings {
            writeln!(out, "<li>{}</li>", inline(&r.describe()))?;
        }
        writeln!(out, "</ul>")?;
    }
    if !accepted.is_empty() {
        writeln!(
            out,
            "<table class=\"accepted\"><tr><th>Rule</th><th>Location</th><th>Finding</th><th>Accepted by</th><th>Reason</th></tr>"
        )?;
        for e in accepted.iter().take(MAX_EXCEPTION_ROWS) {
            writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&e.finding.rule),
                esc(&e.finding.location.display()),
                inline(&e.finding.message),
                esc(e.by.kind()),
                inline(&e.by.reason())
            )?;
        }
        writeln!(out, "</table>")?;
        if accepted.len() > MAX_EXCEPTION_ROWS {
            writeln!(
                out,
                "<p>…and {} more (every one is in the baseline file or the source).</p>",
                accepted.len() - MAX_EXCEPTION_ROWS
            )?;
        }
    }
    Ok(())
}

fn row(out: &mut dyn Write, k: &str, v: &str) -> io::Result<()> {
    writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", esc(k), inline(v))
}

/// Escape text and render its inline Markdown: `code` spans and **bold**, as the Markdown report shows
/// them (messages and help are written in Markdown). An unpaired backtick stays a literal character.
pub fn inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len());
    let last_code = if parts.len() % 2 == 0 {
        parts.len() - 2 // an odd number of backticks: the last one is unpaired
    } else {
        parts.len()
    };
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && i < last_code {
            out.push_str("<code>");
            out.push_str(&esc(part));
            out.push_str("</code>");
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(&bold(&esc(part)));
        }
    }
    out
}

/// `**x**` → `<strong>x</strong>` in already-escaped text.
fn bold(escaped: &str) -> String {
    let parts: Vec<&str> = escaped.split("**").collect();
    if parts.len() < 3 {
        return escaped.to_string();
    }
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 && i + 1 < parts.len() {
            out.push_str("<strong>");
            out.push_str(p);
            out.push_str("</strong>");
        } else {
            if i % 2 == 1 {
                out.push_str("**");
            }
            out.push_str(p);
        }
    }
    out
}

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_inline_markdown() {
        assert_eq!(
            super::inline("set `fetch-depth: 0` in <b> **now**"),
            "set <code>fetch-depth: 0</code> in &lt;b&gt; <strong>now</strong>"
        );
        assert_eq!(super::inline("a ` b"), "a ` b");
        assert_eq!(
            super::inline("`<x>` and `y"),
            "<code>&lt;x&gt;</code> and `y"
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::esc("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
