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

    /// 1-based line of the first label, for plain-text renderings and tests.
    pub fn line(&self) -> Option<usize> {
        let src = self.src.as_ref()?;
        let label = self.labels.first()?;
        let contents = src.read_span(label.inner(), 0, 0).ok()?;
        Some(contents.line() + 1)
    }
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
    fn labels_report_their_line() {
        let d = SourceDiag::at("config", "bad", "x.toml", "a = 1\nb = 2\n", 6..7, "here");
        assert_eq!(d.line(), Some(2));
    }
}
