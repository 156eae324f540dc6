//! One diagnostic type for everything shipgate reports about the user's own files that it could not accept
//! (config, rule packs): a message, the file quoted with a label on the exact span, and help.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;
use std::ops::Range;

#[derive(Debug)]
pub struct SourceDiag {
    pub code: String,
    pub message: String,
    pub src: Option<NamedSource<String>>,
    pub labels: Vec<LabeledSpan>,
    pub help: Option<String>,
    /// None renders as an error.
    pub severity: Option<miette::Severity>,
}

impl SourceDiag {
    /// A diagnostic with no file to quote (a missing file, a git failure).
    pub fn plain(code: &str, message: impl Into<String>) -> Self {
        SourceDiag {
            code: code.to_string(),
            message: message.into(),
            src: None,
            labels: Vec::new(),
            help: None,
            severity: None,
        }
    }

    /// A diagnostic quoting `text` (the contents of `name`) with a label on `span`.
    pub fn at(
        code: &str,
        message: impl Into<String>,
        name: &str,
        text: &str,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        let span = clamp(span, text.len());
        SourceDiag {
            code: code.to_string(),
            message: message.into(),
            src: Some(NamedSource::new(name, text.to_string()).with_language("toml")),
            labels: vec![LabeledSpan::new_with_span(Some(label.into()), span)],
            help: None,
            severity: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic with secret-like values masked in everything it shows (see `redact`): a
    /// shipgate.toml or rule pack quoted in a CI log must not copy a token that sits in it. Masking keeps
    /// the text's length, so the labels still point at their spans.
    pub fn redacted(mut self) -> Self {
        crate::redact::redact_in_place(&mut self.message);
        if let Some(help) = &mut self.help {
            crate::redact::redact_in_place(help);
        }
        if let Some(src) = self.src.take() {
            let text = crate::redact::text(src.inner()).into_owned();
            self.src = Some(NamedSource::new(src.name(), text).with_language("toml"));
        }
        self.labels = self
            .labels
            .into_iter()
            .map(|l| {
                let label = l.label().map(|t| crate::redact::text(t).into_owned());
                LabeledSpan::new_with_span(label, *l.inner())
            })
            .collect();
        self
    }

    /// The same diagnostic without its quote when the quoted lines would be too wide (see `quotable`);
    /// the file and line then go in the message.
    pub fn quotable_or_located(mut self) -> Self {
        let Some(src) = &self.src else {
            return self;
        };
        let fits = self
            .labels
            .iter()
            .all(|l| quotable(src.inner(), (l.offset(), l.offset() + l.len())));
        if fits {
            return self;
        }
        let place = match self.line() {
            Some(line) => format!("{}:{line}", src.name()),
            None => src.name().to_string(),
        };
        self.message = format!("{}  [{place}]", self.message);
        self.src = None;
        self.labels.clear();
        self
    }

    /// 1-based line of the first label, for plain-text renderings and tests.
    pub fn line(&self) -> Option<usize> {
        let src = self.src.as_ref()?;
        let label = self.labels.first()?;
        let contents = src.read_span(label.inner(), 0, 0).ok()?;
        Some(contents.line() + 1)
    }
}

/// miette quotes a label's lines and one line either side. A line wider than this (minified code, a
/// generated config) is unreadable quoted, and miette cannot lay out a label past column 65,535 (it
/// panics); such places are given by location instead.
pub const MAX_QUOTED_LINE: usize = 1000;

/// Whether the lines miette would quote for the byte range `from..to` of `text` are narrow enough.
/// Works on bytes, so an offset inside a character (a clamped end-of-file span) cannot panic.
pub fn quotable(text: &str, (from, to): (usize, usize)) -> bool {
    let b = text.as_bytes();
    let from = from.min(b.len());
    let to = to.clamp(from, b.len());
    let line_start = |i: usize| memchr::memrchr(b'\n', &b[..i]).map_or(0, |n| n + 1);
    let line_end = |i: usize| memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
    let first = line_start(from);
    let start = if first == 0 { 0 } else { line_start(first - 1) };
    let last = line_end(to);
    let end = if last == b.len() {
        last
    } else {
        line_end(last + 1)
    };
    b[start..end]
        .split(|&c| c == b'\n')
        .all(|line| line.len() <= MAX_QUOTED_LINE)
}

/// Keep a span inside the text: a span past the end (an error "at end of file") points at the last byte.
fn clamp(span: Range<usize>, len: usize) -> Range<usize> {
    let start = span.start.min(len.saturating_sub(1));
    let end = span.end.clamp(start, len);
    start..end.max(start)
}

impl fmt::Display for SourceDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SourceDiag {}

impl Diagnostic for SourceDiag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.severity
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

/// "did you mean `x`?" for a misspelt key or id, when one candidate is close enough.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("fial-on", ["fail-on", "paths"]).as_deref(),
            Some("did you mean `fail-on`?")
        );
        assert_eq!(did_you_mean("zzz", ["fail-on", "paths"]), None);
    }

    #[test]
    fn wide_lines_are_not_quoted() {
        let wide = "x".repeat(MAX_QUOTED_LINE + 1);
        let text = format!("a = 1\nb = 2\n{wide}\nc = 3\n");
        assert!(quotable(&text, (0, 1)));
        // The wide line is the span's own line, or the line after or before it.
        let c = text.len() - 6;
        assert!(!quotable(&text, (12, 13)));
        assert!(!quotable(&text, (6, 7)));
        assert!(!quotable(&text, (c, c + 1)));
        // Offsets past the end or inside a character do not panic.
        assert!(quotable("é", (1, 9)));
        let d =
            SourceDiag::at("config", "bad", "x.toml", &text, 12..13, "here").quotable_or_located();
        assert!(
            d.src.is_none() && d.message == "bad  [x.toml:3]",
            "{}",
            d.message
        );
    }

    #[test]
    fn labels_report_their_line() {
        let d = SourceDiag::at("config", "bad", "x.toml", "a = 1\nb = 2\n", 6..7, "here");
        assert_eq!(d.line(), Some(2));
    }
}
