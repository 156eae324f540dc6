//! Human output: each finding as a miette diagnostic quoting the source line with a label on the match.

use super::{summary_line, RenderOptions};
use crate::diag::SourceDiag;
use crate::engine::{Outcome, Verdict};
use crate::finding::{Finding, Location, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::io::{self, Write};

pub fn render(outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let verdict = outcome.verdict();
    if opts.quiet && verdict == Verdict::Passed {
        return Ok(());
    }
    let handler = handler(opts.color);
    let mut source_cache: Option<(String, Option<String>)> = None;
    for f in &outcome.findings {
        if opts.quiet && f.severity < outcome.fail_on && verdict != Verdict::Incomplete {
            continue;
        }
        let diag = to_diag(outcome, f, &mut source_cache);
        let mut text = String::new();
        if handler.render_report(&mut text, &diag).is_err() {
            text = format!("{}: {} [{}]\n", f.severity, f.message, f.rule);
        }
        out.write_all(text.as_bytes())?;
    }
    for line in super::scope_lines(outcome) {
        writeln!(out, "{line}")?;
    }
    for ne in &outcome.not_evaluated {
        writeln!(out, "not evaluated: {ne}")?;
    }
    for line in super::fail_open_lines(outcome) {
        writeln!(out, "{line}")?;
    }
    if !opts.quiet {
        for line in super::scorecard_lines(outcome) {
            writeln!(out, "{line}")?;
        }
    }
    writeln!(out, "shipgate: {}", summary_line(outcome))?;
    if verdict != Verdict::Passed {
        writeln!(out, "{}", verdict_hint(outcome, verdict))?;
    }
    Ok(())
}

pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_context_lines(1)
}

fn verdict_hint(outcome: &Outcome, verdict: Verdict) -> String {
    match verdict {
        Verdict::Incomplete => "the gate could not evaluate everything and fails closed (exit 2); see the gate/ findings above".into(),
        _ => format!(
            "the gate fails on {} and above (exit 1). `shipgate explain RULE-ID` says why each rule matters and how to fix it.",
            outcome.fail_on
        ),
    }
}

/// Build a diagnostic for one finding, quoting its file when it can still be read.
fn to_diag(
    outcome: &Outcome,
    f: &Finding,
    cache: &mut Option<(String, Option<String>)>,
) -> SourceDiag {
    let message = match f.location {
        Location::Repository => f.message.clone(),
        _ => format!("{}  [{}]", f.message, f.location.display()),
    };
    let mut diag = SourceDiag::plain(&f.rule, message);
    diag.severity = Some(match f.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    });
    diag.help = f.help.clone();
    if let Location::File(fs) = &f.location {
        if fs.line > 0 {
            let text = source(outcome, &fs.path, cache);
            if let Some(text) = text.filter(|t| {
                fs.span.1 <= t.len()
                    && t.is_char_boundary(fs.span.0)
                    && t.is_char_boundary(fs.span.1)
                    && crate::diag::quotable(t, fs.span)
            }) {
                let label = outcome
                    .ctx
                    .catalogue
                    .get(&f.rule)
                    .map_or_else(|| f.rule.clone(), |d| d.title.clone());
                diag.src = Some(NamedSource::new(&fs.path, text));
                diag.labels = vec![LabeledSpan::new_with_span(
                    Some(label),
                    fs.span.0..fs.span.1,
                )];
                diag.message = f.message.clone();
            }
        }
    }
    diag
}

/// The file's text (read again only for files with findings; consecutive findings share one read),
/// redacted: the quoted line is as much output as the message. Redaction keeps the byte length, so the
/// finding's span still underlines the match.
fn source(
    outcome: &Outcome,
    path: &str,
    cache: &mut Option<(String, Option<String>)>,
) -> Option<String> {
    if cache.as_ref().is_none_or(|(p, _)| p != path) {
        let text = crate::repo::files::disk_path(&outcome.ctx.root, path)
            .and_then(|p| std::fs::read(p).ok())
            .map(|b| crate::redact::text(&String::from_utf8_lossy(&b)).into_owned());
        *cache = Some((path.to_string(), text));
    }
    cache.as_ref().and_then(|(_, t)| t.clone())
}
