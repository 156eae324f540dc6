//! The baseline: fingerprints of findings accepted when shipgate was adopted. Baselined findings are
//! hidden and counted; entries that no longer match anything are reported so the baseline shrinks.
//!
//! Fingerprints hash rule, path, evidence and occurrence — never line numbers — so a baselined finding
//! stays baselined when unrelated lines move (gitleaks' lesson: position-based ignores go stale). In
//! pre-merge mode an entry covers exactly the finding it hid at the base, carried to the head by
//! counterpart, never a new finding that took its occurrence number (`engine::outcome`).

use crate::diag::SourceDiag;
use crate::finding::{Finding, Location, Pos};
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

/// A loaded baseline: entries with the place each sits on in the file (for stale-entry findings).
#[derive(Debug, Default, Clone)]
pub struct Baseline {
    pub entries: Vec<(Entry, Pos)>,
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

/// A baseline from its text (read by `config::policy`, from the working tree or the base branch's tip).
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
            let pos = entry_pos(text, &e.fingerprint);
            (e, pos)
        })
        .collect();
    Ok(Baseline { entries })
}

/// The line holding `fingerprint` (its text without indentation), or line 0 when it cannot be found.
fn entry_pos(text: &str, fingerprint: &str) -> Pos {
    let mut start = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        if !fingerprint.is_empty() && body.contains(&format!("\"{fingerprint}\"")) {
            let indent = body.len() - body.trim_start().len();
            let content = body.trim().trim_end_matches(',');
            let n = u32::try_from(i + 1).unwrap_or(0);
            let chars = u32::try_from(content.chars().count()).unwrap_or(0);
            return Pos {
                start: start + indent,
                end: start + indent + content.len(),
                line: n,
                column: u32::try_from(indent + 1).unwrap_or(1),
                end_line: n,
                end_column: u32::try_from(indent + 1).unwrap_or(1) + chars,
            };
        }
        start += line.len();
    }
    Pos::default()
}

/// The entries a new baseline keeps from the old one: those whose source this run could not evaluate
/// (GitHub offline, a shallow clone), so rewriting the baseline never drops what it did not look for.
pub fn kept_entries(old: Option<&Baseline>, unevaluated: super::Unevaluated) -> Vec<Entry> {
    old.map(|b| {
        b.entries
            .iter()
            .filter(|(e, _)| !unevaluated.covers(e))
            .map(|(e, _)| e.clone())
            .collect()
    })
    .unwrap_or_default()
}

/// Write the baseline atomically: a temporary file in the same directory, flushed, then renamed over
/// the old one — a failure at any point leaves the previous baseline as it was.
pub fn write_atomic(target: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = target.file_name().map_or_else(
        || "baseline.json".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The baseline file's text for `findings`: one entry per line, sorted, so diffs of it are reviewable.
pub fn render(findings: &[Finding]) -> String {
    render_with(findings, Vec::new())
}

/// `render`, plus entries kept from the previous baseline (`kept_entries`).
pub fn render_with(findings: &[Finding], kept: Vec<Entry>) -> String {
    let mut entries = entries(findings);
    for e in kept {
        if !entries.iter().any(|x| x.fingerprint == e.fingerprint) {
            entries.push(e);
        }
    }
    render_entries(entries)
}

/// One entry per hit: a grouped finding stands for several hits, each accepted by its own fingerprint.
pub fn entries(findings: &[Finding]) -> Vec<Entry> {
    findings
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
        .collect()
}

/// What a baseline accepts, for the person who wrote it: each rule with its count and the places (the
/// first few), most frequent rule first.
pub fn summary(entries: &[Entry], shown: &str) -> String {
    const PLACES: usize = 5;
    let mut by_rule: Vec<(&str, Vec<&str>)> = Vec::new();
    for e in entries {
        match by_rule.iter_mut().find(|(r, _)| *r == e.rule) {
            Some((_, places)) => places.push(&e.location),
            None => by_rule.push((&e.rule, vec![&e.location])),
        }
    }
    by_rule.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut out = format!("accepted into {shown}, by rule:\n");
    for (rule, mut places) in by_rule {
        places.sort_unstable();
        let more = places.len().saturating_sub(PLACES);
        let shown: Vec<String> = places
            .iter()
            .take(PLACES)
            .map(|p| crate::redact::visible_line(p).into_owned())
            .collect();
        out.push_str(&format!(
            "  {rule:<34} {:>4}  {}{}\n",
            places.len(),
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        ));
    }
    out
}

fn render_entries(mut entries: Vec<Entry>) -> String {
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
            b.entries.iter().map(|(_, p)| p.line).collect::<Vec<_>>(),
            vec![5, 6]
        );
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let at = b.entries[0].1;
        assert_eq!(at.column, 5);
        assert!(text[at.start..at.end].starts_with("{\"fingerprint\""));
        assert!(text[at.start..at.end].ends_with('}'));
        assert_eq!(b.entries[0].0.fingerprint, f[0].fingerprint);
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::abort());
        let p = dir.path().join(".shipgate/baseline.json");
        assert!(write_atomic(&p, "one").is_ok());
        assert!(write_atomic(&p, "two").is_ok());
        assert_eq!(std::fs::read_to_string(&p).unwrap_or_default(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join(".shipgate"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names.len(), 1, "{names:?}");
        // A target that cannot be replaced (a directory) fails and keeps the temporary file away too.
        std::fs::create_dir_all(dir.path().join("d/x.json/inner")).unwrap_or_default();
        assert!(write_atomic(&dir.path().join("d/x.json"), "t").is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("d"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(left.len(), 1, "{left:?}");
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
