//! The baseline: fingerprints of findings accepted when shipgate was adopted. Baselined findings are
//! hidden and counted; entries that no longer match anything are reported so the baseline shrinks.
//!
//! Fingerprints hash rule, path, evidence and occurrence — never line numbers — so a baselined finding
//! stays baselined when unrelated lines move (gitleaks' lesson: position-based ignores go stale).

use crate::diag::SourceDiag;
use crate::finding::{Finding, Location};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const DEFAULT_PATH: &str = ".shipgate/baseline.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    #[allow(dead_code)]
    generated_by: Option<String>,
    findings: Vec<Entry>,
}

/// A loaded baseline: entries with the 1-based line each sits on (for stale-entry findings).
#[derive(Debug, Default)]
pub struct Baseline {
    pub entries: Vec<(Entry, u32)>,
}

pub fn load(path: &Path, shown: &str) -> Result<Option<Baseline>, SourceDiag> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(SourceDiag::plain(
                "baseline/unreadable",
                format!("cannot read baseline {shown}: {e}"),
            ))
        }
    };
    parse(&text, shown).map(Some)
}

/// A baseline from its text (read by `config::policy`, from the working tree or the merge base).
pub fn parse(text: &str, shown: &str) -> Result<Baseline, SourceDiag> {
    let file: File = serde_json::from_str(text).map_err(|e| {
        let offset = text
            .lines()
            .take(e.line().saturating_sub(1))
            .map(|l| l.len() + 1)
            .sum::<usize>()
            + e.column().saturating_sub(1);
        SourceDiag::at(
            "baseline/invalid",
            format!("invalid baseline: {e}"),
            shown,
            text,
            offset..offset + 1,
            "here",
        )
        .with_help("regenerate it with `shipgate baseline`")
    })?;
    if file.version != VERSION {
        return Err(SourceDiag::plain(
            "baseline/version",
            format!(
                "baseline {shown} has version {}, this shipgate reads {VERSION}",
                file.version
            ),
        )
        .with_help("regenerate it with `shipgate baseline`"));
    }
    // Each entry is written on its own line; find it by fingerprint to locate stale entries.
    let entries = file
        .findings
        .into_iter()
        .map(|e| {
            let line = text
                .lines()
                .position(|l| l.contains(&e.fingerprint))
                .map_or(0, |i| i + 1);
            (e, u32::try_from(line).unwrap_or(0))
        })
        .collect();
    Ok(Baseline { entries })
}

/// The baseline file's text for `findings`: one entry per line, sorted, so diffs of it are reviewable.
pub fn render(findings: &[Finding]) -> String {
    // A grouped finding stands for several hits; each is accepted by its own fingerprint.
    let mut entries: Vec<Entry> = findings
        .iter()
        .flat_map(|f| {
            let first = Entry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                location: f.location.display(),
                evidence: f.evidence.clone(),
            };
            let repeats = f.repeats.iter().map(|r| Entry {
                fingerprint: r.fingerprint.clone(),
                rule: f.rule.clone(),
                location: Location::File(r.span.clone()).display(),
                evidence: r.evidence.clone(),
            });
            std::iter::once(first).chain(repeats)
        })
        .collect();
    entries.sort_by(|a, b| (&a.location, &a.rule).cmp(&(&b.location, &b.rule)));
    let mut out = format!(
        "{{\n  \"version\": {VERSION},\n  \"generated_by\": \"shipgate {}\",\n  \"findings\": [\n",
        env!("CARGO_PKG_VERSION")
    );
    for (i, e) in entries.iter().enumerate() {
        let line = serde_json::to_string(e).unwrap_or_default();
        out.push_str("    ");
        out.push_str(&line);
        out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
    }
    out.push_str("  ]\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Severity};

    #[test]
    fn round_trip_with_line_numbers() {
        let mut f = vec![
            Finding::new("data/a", Severity::Error, "m", Location::Repository).with_evidence("x"),
            Finding::new("data/b", Severity::Note, "m", Location::Repository),
        ];
        crate::finding::finalize(&mut f);
        let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::abort());
        let p = dir.path().join("b.json");
        std::fs::write(&p, render(&f)).unwrap_or_default();
        let b = load(&p, "b.json").ok().flatten().unwrap_or_default();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(
            b.entries.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
            vec![5, 6]
        );
        assert_eq!(b.entries[0].0.fingerprint, f[0].fingerprint);
    }

    #[test]
    fn malformed_baseline_is_a_located_error() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::abort());
        let p = dir.path().join("b.json");
        std::fs::write(
            &p,
            "{\n  \"version\": 1,\n  \"findings\": [ {\"fingerprint\": 3} ]\n}\n",
        )
        .unwrap_or_default();
        let e = load(&p, "b.json").err();
        assert_eq!(e.as_ref().and_then(SourceDiag::line), Some(3));
    }
}
