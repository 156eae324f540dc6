//! Human output: each finding as a miette diagnostic quoting the source line with a label on the match.

use super::{summary_line, RenderOptions};
use crate::diag::SourceDiag;
use crate::engine::{Outcome, Verdict};
use crate::finding::{Finding, Location, Severity};
use crate::redact::{neutralise_commands, visible, visible_line, visible_with_offsets};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
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
            text = format!(
                "{}: {} [{}]\n",
                f.severity,
                visible_line(&f.message),
                visible_line(&f.rule)
            );
        }
        // The pieces were made visible before rendering (the colours miette adds are its own); a line
        // the runner would take for a workflow command is made inert.
        out.write_all(neutralise_commands(&text).as_bytes())?;
    }
    for line in super::scope_lines(outcome) {
        line_out(out, &line)?;
    }
    for ne in &outcome.not_evaluated {
        line_out(out, &format!("not evaluated: {ne}"))?;
    }
    for line in super::fail_open_lines(outcome) {
        line_out(out, &line)?;
    }
    if !opts.quiet {
        for line in super::scorecard_lines(outcome) {
            line_out(out, &line)?;
        }
    }
    line_out(out, &format!("shipgate: {}", summary_line(outcome)))?;
    if verdict != Verdict::Passed {
        line_out(out, &verdict_hint(outcome, verdict))?;
    }
    Ok(())
}

/// One line of the summary: repository text in it (paths, branch names, reasons) cannot break the
/// line, colour the terminal or start a runner command.
fn line_out(out: &mut dyn Write, line: &str) -> io::Result<()> {
    writeln!(out, "{}", neutralise_commands(&visible_line(line)))
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

/// Build a diagnostic for one finding, quoting its file when it can still be read. Only the lines
/// around the finding are copied and escaped (the file is read once per run of findings in it), so a
/// file with thousands of findings — a 3 MiB CODEOWNERS — renders in time linear in the output.
fn to_diag(outcome: &Outcome, f: &Finding, cache: &mut Option<(String, Option<String>)>) -> Quoted {
    let message = match f.location {
        Location::Repository => visible_line(&f.message).into_owned(),
        _ => visible_line(&format!("{}  [{}]", f.message, f.location.display())).into_owned(),
    };
    let mut diag = SourceDiag::plain(&visible_line(&f.rule), message);
    diag.severity = Some(match f.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    });
    diag.help = f.help.as_deref().map(|h| visible(h).into_owned());
    let mut window = None;
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
                let (w, at) =
                    Window::around(text, fs.span, fs.line, visible_line(&fs.path).into_owned());
                window = Some(w);
                diag.labels = vec![LabeledSpan::new_with_span(
                    Some(visible_line(&label).into_owned()),
                    at.0..at.1,
                )];
                diag.message = visible_line(&f.message).into_owned();
            }
        }
    }
    Quoted { diag, window }
}

/// The lines miette quotes around a span (one line of context either side), with control characters
/// escaped and line numbers kept those of the whole file.
struct Window {
    name: String,
    text: String,
    /// 0-based line number of the window's first line in the file.
    first_line: usize,
}

impl Window {
    /// The window around `span` (byte offsets in `text`, starting on 1-based `line`), and the span's
    /// place inside it.
    fn around(
        text: &str,
        span: (usize, usize),
        line: u32,
        name: String,
    ) -> (Window, (usize, usize)) {
        let b = text.as_bytes();
        let line_start = |at: usize| memchr::memrchr(b'\n', &b[..at]).map_or(0, |i| i + 1);
        let line_end = |at: usize| memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |i| at + i);
        let own = line_start(span.0);
        let (start, back) = if own > 0 {
            (line_start(own - 1), 1)
        } else {
            (0, 0)
        };
        let last = line_end(span.1.max(span.0));
        let end = if last < b.len() {
            line_end(last + 1)
        } else {
            last
        };
        let mut at = [span.0 - start, span.1 - start];
        let escaped = visible_with_offsets(&text[start..end], &mut at);
        let first_line = (line as usize).saturating_sub(1 + back);
        (
            Window {
                name,
                text: escaped,
                first_line,
            },
            (at[0], at[1]),
        )
    }
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A finding's diagnostic with its quoted window.
struct Quoted {
    diag: SourceDiag,
    window: Option<Window>,
}

impl std::fmt::Debug for Quoted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.diag, f)
    }
}

impl std::fmt::Display for Quoted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.diag, f)
    }
}

impl std::error::Error for Quoted {}

impl miette::Diagnostic for Quoted {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.help()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.diag.severity
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.window.as_ref().map(|w| w as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.window.as_ref()?;
        self.diag.labels()
    }
}

/// The file's text (read again only for files with findings; consecutive findings share one read),
/// redacted: the quoted line is as much output as the message. Redaction keeps the byte length, so the
/// finding's span still underlines the match.
fn source<'c>(
    outcome: &Outcome,
    path: &str,
    cache: &'c mut Option<(String, Option<String>)>,
) -> Option<&'c str> {
    if cache.as_ref().is_none_or(|(p, _)| p != path) {
        let text = crate::repo::files::disk_path(&outcome.ctx.root, path)
            .and_then(|p| std::fs::read(p).ok())
            .map(|b| {
                // Decoded as the walk decoded it, so a UTF-16 file's spans point into the same text.
                let text = crate::repo::files::as_text(&b).map_or_else(
                    || String::from_utf8_lossy(&b).into_owned(),
                    |t| String::from_utf8_lossy(&t).into_owned(),
                );
                crate::redact::text(&text).into_owned()
            });
        *cache = Some((path.to_string(), text));
    }
    cache.as_ref().and_then(|(_, t)| t.as_deref())
}
