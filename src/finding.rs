//! Findings are values: what a check found, where, how bad, and how to fix it.

use serde::Serialize;
use std::fmt;

/// How bad a finding is. Ordered so that `Error > Warning > Note`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file. Lines and columns are 1-based; columns count Unicode code points
/// (SARIF `columnKind: unicodeCodePoints`); `span` is the byte range in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSpan {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub span: (usize, usize),
}

/// A `FileSpan` without its path: what parsers keep per node before they know how the file is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Pos {
    pub fn of(s: &FileSpan) -> Pos {
        Pos {
            start: s.span.0,
            end: s.span.1,
            line: s.line,
            column: s.column,
            end_line: s.end_line,
            end_column: s.end_column,
        }
    }

    pub fn in_file(&self, path: &str) -> FileSpan {
        FileSpan {
            path: path.to_string(),
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
            span: (self.start, self.end),
        }
    }
}

/// Where a finding is: a span in a file, a setting outside the tree (GitHub, git), or the repository as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Location {
    File(FileSpan),
    /// e.g. scope `github:branch main`, name `required_approving_review_count`.
    Setting {
        scope: String,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    Repository,
}

impl Location {
    pub fn file_path(&self) -> Option<&str> {
        match self {
            Location::File(f) => Some(&f.path),
            _ => None,
        }
    }

    /// One line for humans: `src/app.py:12:5` or `github:branch main / required_approving_review_count`.
    pub fn display(&self) -> String {
        match self {
            Location::File(f) => format!("{}:{}:{}", f.path, f.line, f.column),
            Location::Setting { scope, name, .. } => format!("{scope} / {name}"),
            Location::Repository => "(repository)".to_string(),
        }
    }
}

/// Whose settings a finding judges: those declared as code in the checked tree (Terraform,
/// settings.yml), those GitHub reports (observed), or the difference between the two (drift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SettingsOrigin {
    Declared,
    Observed,
    Drift,
}

impl SettingsOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            SettingsOrigin::Declared => "declared",
            SettingsOrigin::Observed => "observed",
            SettingsOrigin::Drift => "drift",
        }
    }
}

/// The repository setting a finding is about, and whose view of it: reports say declared or observed
/// in every format, so the two are never confused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsRef {
    pub origin: SettingsOrigin,
    /// `owner/name`.
    pub repository: String,
    /// `branch main` or `environment production`.
    pub target: String,
    /// `required_approving_review_count`.
    pub setting: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// The matched text (or the setting's value), kept short; part of the fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Stable across line shifts: rule, path, evidence and occurrence — never the line number.
    pub fingerprint: String,
    /// The same rule's other hits in the same file, at the same severity: one finding with a count reads
    /// better than 186 (`group_repeats`). Each keeps its own span and fingerprint for JSON, SARIF and
    /// the baseline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<Repeat>,
    /// For findings about a repository's settings: declared, observed or drift, and which setting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsRef>,
    /// The rule's severity when a check lowered this finding on what the file says of itself (an image
    /// that looks like a developer's): in a pull request, a lowering the merge base did not make is the
    /// change's own doing and is undone (`engine::outcome`). Not part of any output.
    #[serde(skip)]
    pub lowered_from: Option<Severity>,
    /// The repository-wide claim a lowering rests on (`"prototype"`: the root `package.json` says the
    /// repository is a prototype kit's). In a pull request it holds only if the merge base makes it too.
    #[serde(skip)]
    pub repo_claim: Option<&'static str>,
}

/// Another hit of a finding's rule in the same file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repeat {
    pub span: FileSpan,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    pub fingerprint: String,
}

impl Finding {
    pub fn new(
        rule: &str,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            location,
            evidence: None,
            help: None,
            fingerprint: String::new(),
            repeats: Vec::new(),
            settings: None,
            lowered_from: None,
            repo_claim: None,
        }
    }

    /// Lower to a note on what the file says of itself, saying why; remembers the severity it had.
    pub fn lower_to_note(&mut self, why: &str) {
        if self.severity > Severity::Note {
            self.lowered_from.get_or_insert(self.severity);
            self.severity = Severity::Note;
            self.message.push_str(why);
        }
    }

    /// Say whose settings this finding judges.
    pub fn about(mut self, settings: SettingsRef) -> Self {
        self.settings = Some(settings);
        self
    }

    /// The severity where the check's context changes the rule's own (a preview deploy, an opted-out
    /// source): the rule states the default, the check states only the exception.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Sort findings for output (path, then position, then rule) and give each one without a fingerprint a stable one.
/// The fingerprint counts earlier findings with the same rule, place and evidence, so two identical
/// lines in one file stay distinct without depending on line numbers. That count is an occurrence index:
/// a new identical line inserted above takes the first one's fingerprint. A whole-tree run then hides the
/// new line by the old one's baseline entry and reports the old one (the verdict is the same: one is not
/// accepted); `check --diff` does not match by fingerprint at all but carries each entry to the
/// counterpart of the finding it hid at the base (`engine::outcome`), so the new line is the one that fails.
pub fn finalize(findings: &mut [Finding]) {
    findings.sort_by_cached_key(sort_key);
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    for f in findings.iter_mut() {
        let place = match &f.location {
            Location::File(fs) => fs.path.clone(),
            other => other.display(),
        };
        let evidence = f.evidence.as_deref().map(normalize_ws).unwrap_or_default();
        let base = fnv1a(&[f.rule.as_bytes(), place.as_bytes(), evidence.as_bytes()]);
        let n = seen.entry(base).or_insert(0);
        *n += 1;
        // Keep a fingerprint already given: suppression runs between two calls, and removing a finding must
        // not renumber the others.
        if f.fingerprint.is_empty() {
            f.fingerprint = format!("{:016x}", fnv1a(&[&base.to_le_bytes(), &n.to_le_bytes()]));
        }
    }
}

/// The family whose hits are grouped: test-data markers, where one seed or demo file can hold hundreds
/// of the same marker. Every other rule's findings each say something different (a CODEOWNERS line, a
/// policy weakening, an import) and stay one finding each.
const GROUPED_FAMILY: &str = "data/";

/// Fold every later `data/` finding of the same rule, file and severity into the first one (findings come sorted
/// by `finalize`). Runs after suppression, so inline allows and the baseline still judge each hit by its
/// own fingerprint; a finding about the whole file (line 0) is never folded.
pub fn group_repeats(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut first: std::collections::HashMap<(String, String, Severity), usize> =
        std::collections::HashMap::new();
    for f in findings {
        let key = match &f.location {
            Location::File(span) if span.line > 0 && f.rule.starts_with(GROUPED_FAMILY) => {
                (f.rule.clone(), span.path.clone(), f.severity)
            }
            _ => {
                out.push(f);
                continue;
            }
        };
        match first.get(&key) {
            Some(&i) => {
                if let Location::File(span) = f.location {
                    out[i].repeats.push(Repeat {
                        span,
                        evidence: f.evidence,
                        fingerprint: f.fingerprint,
                    });
                }
            }
            None => {
                first.insert(key, out.len());
                out.push(f);
            }
        }
    }
    for f in out.iter_mut().filter(|f| !f.repeats.is_empty()) {
        let n = f.repeats.len();
        let lines: Vec<String> = f
            .repeats
            .iter()
            .take(8)
            .map(|r| r.span.line.to_string())
            .collect();
        let more = if n > 8 { ", …" } else { "" };
        f.message = format!(
            "{} (and {n} more in this file: line{} {}{more})",
            f.message,
            if n == 1 { "" } else { "s" },
            lines.join(", ")
        );
    }
    out
}

fn sort_key(f: &Finding) -> (u8, String, u32, u32, String) {
    match &f.location {
        Location::File(fs) => (0, fs.path.clone(), fs.line, fs.column, f.rule.clone()),
        Location::Setting { scope, name, .. } => {
            (1, format!("{scope}/{name}"), 0, 0, f.rule.clone())
        }
        Location::Repository => (2, String::new(), 0, 0, f.rule.clone()),
    }
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// FNV-1a, 64-bit: stable across Rust versions and platforms (unlike `DefaultHasher`), which a baseline needs.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // Separator so ("ab","c") and ("a","bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, line: u32, ev: &str) -> Finding {
        Finding::new(
            "data/x",
            Severity::Error,
            "m",
            Location::File(FileSpan {
                path: path.into(),
                line,
                column: 1,
                end_line: line,
                end_column: 2,
                span: (0, 1),
            }),
        )
        .with_evidence(ev)
    }

    #[test]
    fn fingerprint_ignores_line_numbers_but_separates_duplicates() {
        let mut a = vec![
            at("a.py", 3, "x@example.com"),
            at("a.py", 9, "x@example.com"),
        ];
        let mut b = vec![
            at("a.py", 30, "x@example.com"),
            at("a.py", 90, "x@example.com"),
        ];
        finalize(&mut a);
        finalize(&mut b);
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
        assert_eq!(a[1].fingerprint, b[1].fingerprint);
        assert_ne!(a[0].fingerprint, a[1].fingerprint);
    }

    #[test]
    fn severity_orders_error_highest() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Note);
        assert_eq!(Severity::parse("warning"), Some(Severity::Warning));
        assert_eq!(Severity::parse("fatal"), None);
    }
}
