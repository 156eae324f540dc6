//! GitHub Actions: one workflow command per finding (shown as annotations on the pull request), and a
//! markdown summary appended to `GITHUB_STEP_SUMMARY`.

use super::markdown::{code, text as cell};
use super::{summary_line, RenderOptions};
use crate::engine::Outcome;
use crate::finding::{Finding, Location, Severity};
use crate::redact::{visible, visible_line};
use std::io::{self, Write};

/// Escape the message part of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`) of a workflow command.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn annotation(f: &Finding) -> String {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Location::File(s) = &f.location {
        props.push(format!("file={}", escape_property(&visible_line(&s.path))));
        if s.line > 0 {
            props.push(format!("line={}", s.line));
            props.push(format!("col={}", s.column));
            props.push(format!("endLine={}", s.end_line));
            if s.end_line == s.line {
                props.push(format!("endColumn={}", s.end_column));
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&visible_line(&format!("shipgate {}", f.rule)))
    ));
    let mut message = visible(&f.message).into_owned();
    if !matches!(f.location, Location::File(_)) {
        message = format!("{} — {}", visible_line(&f.location.display()), message);
    }
    if let Some(help) = &f.help {
        message.push_str("\nFix: ");
        message.push_str(&visible(help));
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

pub fn render(outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        writeln!(out, "{}", annotation(f))?;
    }
    for line in super::fail_open_lines(outcome) {
        writeln!(out, "shipgate: {}", visible_line(&line))?;
    }
    writeln!(out, "shipgate: {}", summary_line(outcome))?;
    if let Some(path) = &opts.step_summary {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        file.write_all(markdown_summary(outcome).as_bytes())?;
    }
    Ok(())
}

/// `name=value` lines for `GITHUB_OUTPUT`: what later steps of the job can branch on.
pub fn step_outputs(outcome: &Outcome, written: &[(&str, &std::path::Path)]) -> String {
    let c = outcome.counts();
    let verdict = outcome.verdict();
    let mut out = format!(
        "result={}\nexit-code={}\nerrors={}\nwarnings={}\nnotes={}\n",
        verdict.as_str(),
        verdict.exit_code(),
        c.errors,
        c.warnings,
        c.notes
    );
    // The files this run wrote (`sarif-file`, `report`), as given: only what exists is named, so a
    // later step that uploads them skips when the run wrote nothing. A name that would break the
    // `key=value` line format is left out rather than written.
    for (key, path) in written {
        let shown = path.to_string_lossy();
        if !shown.contains(['\n', '\r']) && path.is_file() {
            out.push_str(&format!("{key}={shown}\n"));
        }
    }
    out
}

/// Markdown for the job summary: the verdict, counts, and a table of findings (capped, so a huge run
/// stays under GitHub's 1 MiB summary limit).
pub fn markdown_summary(outcome: &Outcome) -> String {
    const MAX_ROWS: usize = 200;
    let c = outcome.counts();
    let icon = match outcome.verdict() {
        crate::engine::Verdict::Passed => "✅",
        crate::engine::Verdict::Failed => "❌",
        crate::engine::Verdict::Incomplete => "⚠️",
    };
    let mut md = format!(
        "## {icon} shipgate: {}\n\n{}\n\n",
        outcome.verdict().as_str(),
        summary_line(outcome)
    );
    let scope = super::scope_lines(outcome);
    for line in &scope {
        md.push_str(&format!("- {}\n", cell(line)));
    }
    for ne in &outcome.not_evaluated {
        md.push_str(&format!("- Not evaluated: {}\n", cell(&ne.to_string())));
    }
    for f in &outcome.fail_open {
        md.push_str(&format!("- Fail-open: {}\n", cell(&f.to_string())));
    }
    let scores = super::scorecard_lines(outcome);
    for line in &scores {
        md.push_str(&format!("- {}\n", cell(line)));
    }
    if !outcome.not_evaluated.is_empty()
        || !outcome.fail_open.is_empty()
        || !scores.is_empty()
        || !scope.is_empty()
    {
        md.push('\n');
    }
    if outcome.findings.is_empty() {
        md.push_str("No findings.\n");
        return md;
    }
    md.push_str(
        "| Severity | Rule | Location | Finding |
|---|---|---|---|
",
    );
    for f in outcome.findings.iter().take(MAX_ROWS) {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            f.severity,
            code(&f.rule),
            code(&f.location.display()),
            cell(&f.message)
        ));
    }
    if outcome.findings.len() > MAX_ROWS {
        md.push_str(&format!(
            "\n…and {} more ({} errors, {} warnings, {} notes in all).\n",
            outcome.findings.len() - MAX_ROWS,
            c.errors,
            c.warnings,
            c.notes
        ));
    }
    md.push('\n');
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FileSpan;

    #[test]
    fn annotations_escape_properties_and_data() {
        let f = Finding::new(
            "data/x",
            Severity::Warning,
            "50% of a\nline",
            Location::File(FileSpan {
                path: "a,b:c.py".into(),
                line: 3,
                column: 2,
                end_line: 3,
                end_column: 9,
                span: (0, 1),
            }),
        );
        assert_eq!(
            annotation(&f),
            "::warning file=a%2Cb%3Ac.py,line=3,col=2,endLine=3,endColumn=9,title=shipgate data/x::50%25 of a%0Aline"
        );
    }
}
