//! The evidence report as one self-contained HTML file: inline CSS, no scripts, no external assets, so it
//! can be archived and opened years later exactly as it was.

use super::evidence::{assess, header, Status};
use crate::engine::Outcome;
use std::io::{self, Write};

const CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1b1b1b}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f3f3f3}code{font-size:.9em}td code{white-space:nowrap}.why{color:#555;font-style:italic}\
.PASS{background:#e6f4ea;color:#0b6b2b}.FAIL{background:#fde7e9;color:#a4000f}.NOT-VERIFIED{background:#fff4ce;color:#6b4f00}\
.status{font-weight:700;padding:.1rem .5rem;border-radius:4px;white-space:nowrap}";

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let h = header(outcome);
    let a = assess(outcome);
    write!(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>shipgate evidence report</title><style>{CSS}</style></head><body>\n")?;
    writeln!(out, "<h1>Deployment-safety evidence report</h1>")?;
    writeln!(out, "<table class=\"meta\">")?;
    row(out, "Repository", &h.repository)?;
    row(out, "Commit", &h.commit)?;
    row(out, "Tool", &format!("shipgate {}", h.version))?;
    row(out, "Generated", &h.generated)?;
    row(out, "Gate", &h.summary)?;
    row(out, "Fail-open settings", &h.fail_open)?;
    writeln!(out, "</table>")?;
    writeln!(
        out,
        "<h2>Controls</h2><table><tr><th>Control</th><th>Status</th><th>Findings</th></tr>"
    )?;
    for x in &a {
        writeln!(
            out,
            "<tr><td>{}</td><td><span class=\"status {}\">{}</span></td><td>{}</td></tr>",
            esc(x.control.title),
            x.status.label().replace(' ', "-"),
            x.status.label(),
            x.findings.len()
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
            esc(x.control.recommendation)
        )?;
        if !x.rules.is_empty() {
            let rules: Vec<String> = x
                .rules
                .iter()
                .map(|r| format!("<code>{}</code>", esc(r)))
                .collect();
            writeln!(out, "<p>Evaluated rules: {}.</p>", rules.join(", "))?;
        }
        if x.control.families.contains(&"data") {
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
                writeln!(out, "<li>Not verified: {}</li>", esc(g))?;
            }
            writeln!(out, "</ul>")?;
        }
        if x.status == Status::Pass && x.findings.is_empty() {
            writeln!(out, "<p>No findings.</p>")?;
        }
        if !x.findings.is_empty() {
            writeln!(
                out,
                "<table><tr><th>Severity</th><th>Rule</th><th>Location</th><th>Finding</th></tr>"
            )?;
            for f in &x.findings {
                writeln!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                    f.severity,
                    esc(&f.rule),
                    esc(&f.location.display()),
                    esc(&f.message)
                )?;
            }
            writeln!(out, "</table>")?;
        }
    }
    writeln!(out, "</body></html>")
}

fn row(out: &mut dyn Write, k: &str, v: &str) -> io::Result<()> {
    writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v))
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
    fn escapes_markup() {
        assert_eq!(
            super::esc("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
