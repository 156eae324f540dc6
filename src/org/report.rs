//! `shipgate org report DIR --out OUT [--previous OLD.json]`: one evidence report from the per-repository
//! results — per control, how many repositories pass, fail or are not verified; the worst offenders; a
//! per-repository table; the scope (repositories, branches, period, what the token could not see); and
//! what got better or worse since the previous report. Markdown, self-contained HTML and JSON.
//!
//! Repository names, messages and reasons come from result files that came from the API: every one is
//! escaped for the format it is written into.

use super::{
    read_json, unix_now, write_file, RepoResult, Status, CONTROLS, REPORT_SCHEMA, RESULT_SCHEMA,
};
use crate::diag::SourceDiag;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const MAX_RESULT_BYTES: u64 = 4 * 1024 * 1024;
const MAX_RESULTS: usize = 200_000;
const WORST: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ControlCounts {
    pub id: String,
    pub title: String,
    pub pass: usize,
    pub fail: usize,
    pub not_verified: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepoRow {
    pub repository: String,
    pub status: Status,
    pub controls: BTreeMap<String, Status>,
    pub errors: usize,
    pub warnings: usize,
    #[serde(default)]
    pub reason: Option<String>,
    pub requests: u32,
    /// `org run --declared`: declared, observed and drift side by side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<super::declared::DeclaredCell>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Scope {
    pub repositories: usize,
    /// Deployment branch name → how many repositories it was checked on.
    pub branches: BTreeMap<String, usize>,
    /// The oldest and newest commit date of the review windows (Unix seconds), and commits examined.
    pub period_from: Option<i64>,
    pub period_to: Option<i64>,
    pub commits: usize,
    /// What was not evaluated (settings the token could not see, files not read) → repositories.
    pub not_seen: BTreeMap<String, usize>,
    /// Result files that were not shipgate results (left out, named here).
    #[serde(default)]
    pub unreadable: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Change {
    pub repository: String,
    pub control: String,
    pub from: Option<Status>,
    pub to: Option<Status>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Diff {
    pub previous_generated_at: i64,
    pub better: Vec<Change>,
    pub worse: Vec<Change>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub generated_at: i64,
    pub totals: ControlCounts,
    pub requests: u64,
    pub controls: Vec<ControlCounts>,
    pub worst: Vec<RepoRow>,
    pub repositories: Vec<RepoRow>,
    pub scope: Scope,
    #[serde(default)]
    pub diff: Option<Diff>,
}

/// Build the report from `dir` and write `report.md`, `report.html` and `report.json` into `out`.
pub fn report(dir: &Path, previous: Option<&Path>, out: &Path) -> Result<Report, SourceDiag> {
    let files = super::run::result_files(dir)?;
    if files.len() > MAX_RESULTS {
        return Err(SourceDiag::plain(
            "org/bad-results",
            format!("more than {MAX_RESULTS} result files in {}", dir.display()),
        ));
    }
    let mut results = Vec::new();
    let mut unreadable = Vec::new();
    for f in &files {
        match read_json::<RepoResult>(f, MAX_RESULT_BYTES, "org/bad-results") {
            Ok(r) if r.schema == RESULT_SCHEMA => results.push(r),
            _ => unreadable.push(
                crate::redact::visible_line(
                    &f.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                )
                .into_owned(),
            ),
        }
    }
    if results.is_empty() {
        return Err(SourceDiag::plain(
            "org/bad-results",
            format!(
                "no repository results in {}: nothing to report",
                dir.display()
            ),
        )
        .with_help(
            "point at the directory `shipgate org run --out` wrote (all shards' results together)",
        ));
    }
    results.sort_by(|a, b| a.repository.cmp(&b.repository));
    results.dedup_by(|a, b| a.repository == b.repository);
    let mut report = build(&results, unix_now());
    report.scope.unreadable = unreadable;
    if let Some(p) = previous {
        let old: Report = read_json(p, 256 * 1024 * 1024, "org/bad-results")?;
        if old.schema != REPORT_SCHEMA {
            return Err(SourceDiag::plain(
                "org/bad-results",
                format!("--previous {} is not an org report", p.display()),
            ));
        }
        report.diff = Some(diff(&old, &report));
    }
    let json = serde_json::to_vec_pretty(&report)
        .map_err(|e| SourceDiag::plain("org/output", format!("cannot encode the report: {e}")))?;
    write_file(&out.join("report.json"), &json)?;
    write_file(&out.join("report.md"), markdown(&report).as_bytes())?;
    write_file(&out.join("report.html"), html(&report).as_bytes())?;
    Ok(report)
}

pub fn build(results: &[RepoResult], now: i64) -> Report {
    let mut controls: Vec<ControlCounts> = CONTROLS
        .iter()
        .map(|c| ControlCounts {
            id: c.id.into(),
            title: c.title.into(),
            ..ControlCounts::default()
        })
        .collect();
    let mut totals = ControlCounts {
        id: "repositories".into(),
        title: "Repositories".into(),
        ..ControlCounts::default()
    };
    let mut scope = Scope {
        repositories: results.len(),
        ..Scope::default()
    };
    let mut rows = Vec::new();
    let mut requests = 0u64;
    for r in results {
        requests += u64::from(r.requests);
        bump(&mut totals, r.status);
        for c in &mut controls {
            let s = r
                .controls
                .get(&c.id)
                .map_or(Status::NotVerified, |x| x.status);
            bump(c, s);
        }
        for b in &r.branches {
            *scope.branches.entry(b.clone()).or_insert(0) += 1;
        }
        if let Some(p) = &r.period {
            scope.commits += p.commits;
            scope.period_from = Some(scope.period_from.map_or(p.from, |x| x.min(p.from)));
            scope.period_to = Some(scope.period_to.map_or(p.to, |x| x.max(p.to)));
        }
        for n in &r.not_evaluated {
            // The reason without repository-specific detail, so it counts across repositories.
            let key: String = n
                .replace(&r.repository, "OWNER/NAME")
                .chars()
                .take(200)
                .collect();
            *scope.not_seen.entry(key).or_insert(0) += 1;
        }
        // Settings the token could not read (or the API did not answer for): by rule, across repositories.
        let mut unread: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| !super::unverified_families(&f.rule).is_empty())
            .map(|f| f.rule.as_str())
            .collect();
        unread.sort_unstable();
        unread.dedup();
        for rule in unread {
            *scope
                .not_seen
                .entry(format!("{rule}: a setting or record the token could not read, or the API did not answer"))
                .or_insert(0) += 1;
        }
        if let Some(reason) = &r.reason {
            let key: String = reason
                .split(':')
                .next()
                .unwrap_or(reason)
                .chars()
                .take(200)
                .collect();
            *scope
                .not_seen
                .entry(format!("not verified: {key}"))
                .or_insert(0) += 1;
        }
        rows.push(RepoRow {
            repository: r.repository.clone(),
            status: r.status,
            controls: r
                .controls
                .iter()
                .map(|(k, v)| (k.clone(), v.status))
                .collect(),
            errors: r.findings.iter().filter(|f| f.severity == "error").count(),
            warnings: r
                .findings
                .iter()
                .filter(|f| f.severity == "warning")
                .count(),
            reason: r.reason.clone(),
            requests: r.requests,
            declared: r.declared.as_ref().map(Into::into),
        });
    }
    let mut worst: Vec<RepoRow> = rows
        .iter()
        .filter(|r| r.status != Status::Pass)
        .cloned()
        .collect();
    let failing = |r: &RepoRow| r.controls.values().filter(|s| **s == Status::Fail).count();
    worst.sort_by(|a, b| {
        failing(b)
            .cmp(&failing(a))
            .then(b.errors.cmp(&a.errors))
            .then(a.repository.cmp(&b.repository))
    });
    worst.retain(|r| failing(r) > 0);
    worst.truncate(WORST);
    Report {
        schema: REPORT_SCHEMA.into(),
        generated_at: now,
        totals,
        requests,
        controls,
        worst,
        repositories: rows,
        scope,
        diff: None,
    }
}

fn bump(c: &mut ControlCounts, s: Status) {
    match s {
        Status::Pass => c.pass += 1,
        Status::Fail => c.fail += 1,
        Status::NotVerified => c.not_verified += 1,
    }
}

/// Better: fail → pass, not verified → pass, fail → not verified is neither (shown as worse: evidence lost).
pub fn diff(old: &Report, new: &Report) -> Diff {
    let rank = |s: Option<Status>| match s {
        Some(Status::Pass) => 2,
        Some(Status::NotVerified) => 1,
        Some(Status::Fail) => 0,
        None => -1,
    };
    let old_rows: BTreeMap<&str, &RepoRow> = old
        .repositories
        .iter()
        .map(|r| (r.repository.as_str(), r))
        .collect();
    let new_rows: BTreeMap<&str, &RepoRow> = new
        .repositories
        .iter()
        .map(|r| (r.repository.as_str(), r))
        .collect();
    let mut d = Diff {
        previous_generated_at: old.generated_at,
        ..Diff::default()
    };
    for (name, n) in &new_rows {
        let Some(o) = old_rows.get(name) else {
            d.added.push(name.to_string());
            continue;
        };
        for c in CONTROLS {
            let (from, to) = (o.controls.get(c.id).copied(), n.controls.get(c.id).copied());
            if from == to {
                continue;
            }
            let change = Change {
                repository: name.to_string(),
                control: c.id.into(),
                from,
                to,
            };
            if rank(to) > rank(from) {
                d.better.push(change);
            } else {
                d.worse.push(change);
            }
        }
    }
    d.removed = old_rows
        .keys()
        .filter(|k| !new_rows.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    d
}

/// The report's scope, as list items (each with its sub-items), escaped by `text` and `code` for the
/// format being written: the markdown and HTML reports state the same scope.
fn scope_items(
    r: &Report,
    text: fn(&str) -> String,
    code: impl Fn(&str) -> String,
) -> Vec<(String, Vec<String>)> {
    let branches: Vec<String> = r
        .scope
        .branches
        .iter()
        .map(|(b, n)| format!("{} ({n})", code(b)))
        .collect();
    let mut items = vec![
        (format!("Repositories: {}", r.scope.repositories), vec![]),
        (
            format!(
                "Deployment branches checked: {}",
                if branches.is_empty() {
                    "none".into()
                } else {
                    branches.join(", ")
                }
            ),
            vec![],
        ),
        (
            format!(
                "Review period: {} to {} ({} commits examined)",
                text(&date(r.scope.period_from)),
                text(&date(r.scope.period_to)),
                r.scope.commits
            ),
            vec![],
        ),
    ];
    if r.scope.not_seen.is_empty() {
        items.push(("Not evaluated: nothing".into(), vec![]));
    } else {
        items.push((
            "Not evaluated (settings the token could not see, files not read):".into(),
            r.scope
                .not_seen
                .iter()
                .map(|(what, n)| format!("{} — {n} repositories", text(what)))
                .collect(),
        ));
    }
    if !r.scope.unreadable.is_empty() {
        let files: Vec<String> = r.scope.unreadable.iter().map(|s| text(s)).collect();
        items.push((
            format!(
                "Result files left out (not shipgate results): {}",
                files.join(", ")
            ),
            vec![],
        ));
    }
    items
}

/// The diff against the previous report, escaped by `text`: (its date, the counts, a line per change,
/// at most 200 of each kind).
fn diff_lines(d: &Diff, text: fn(&str) -> String) -> (String, String, Vec<String>) {
    let summary = format!(
        "{} better, {} worse, {} repositories added, {} removed",
        d.better.len(),
        d.worse.len(),
        d.added.len(),
        d.removed.len()
    );
    let mut changes = Vec::new();
    for (label, list) in [("Better", &d.better), ("Worse", &d.worse)] {
        for c in list.iter().take(200) {
            changes.push(format!(
                "{label}: {} — {}: {} → {}",
                text(&c.repository),
                text(&c.control),
                status_name(c.from),
                status_name(c.to)
            ));
        }
    }
    (text(&date(Some(d.previous_generated_at))), summary, changes)
}

fn date(t: Option<i64>) -> String {
    t.map_or("-".into(), crate::repo::history::date)
}

fn status_name(s: Option<Status>) -> &'static str {
    s.map_or("absent", Status::as_str)
}

/// Markdown text: table cells escaped (`|`, backticks, angle brackets, newlines).
fn md(s: &str) -> String {
    let s = crate::redact::visible_line(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '`' | '*' | '_' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let t = &r.totals;
    let _ = writeln!(o, "# Organisation audit: deployment safety\n");
    let _ = writeln!(
        o,
        "{} repositories: **{} pass**, **{} fail**, **{} not verified** · generated {} · {} API requests\n",
        r.scope.repositories, t.pass, t.fail, t.not_verified, date(Some(r.generated_at)), r.requests
    );
    let _ = writeln!(
        o,
        "## Controls\n\n| Control | Pass | Fail | Not verified |\n|---|---:|---:|---:|"
    );
    for c in &r.controls {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(&c.title),
            c.pass,
            c.fail,
            c.not_verified
        );
    }
    let _ = writeln!(o, "\n## Scope\n");
    for (item, subs) in scope_items(r, md, |b| format!("`{}`", md(b))) {
        let _ = writeln!(o, "- {item}");
        for sub in subs {
            let _ = writeln!(o, "  - {sub}");
        }
    }
    if !r.worst.is_empty() {
        let _ = writeln!(
            o,
            "\n## Worst offenders\n\n| Repository | Failing controls | Errors |\n|---|---:|---:|"
        );
        for w in &r.worst {
            let failing = w.controls.values().filter(|s| **s == Status::Fail).count();
            let _ = writeln!(o, "| {} | {failing} | {} |", md(&w.repository), w.errors);
        }
    }
    if let Some(d) = &r.diff {
        let (since, summary, changes) = diff_lines(d, md);
        let _ = writeln!(o, "\n## Since the previous report ({since})\n\n{summary}\n");
        for line in changes {
            let _ = writeln!(o, "- {line}");
        }
    }
    let _ = writeln!(o, "\n## Repositories\n");
    let head: Vec<&str> = CONTROLS.iter().map(|c| c.id).collect();
    let _ = writeln!(o, "| Repository | Status | {} | Errors |", head.join(" | "));
    let _ = writeln!(o, "|---|---|{}---:|", "---|".repeat(head.len()));
    for row in &r.repositories {
        let cells: Vec<&str> = CONTROLS
            .iter()
            .map(|c| status_name(row.controls.get(c.id).copied()))
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(&row.repository),
            row.status.as_str(),
            cells.join(" | "),
            row.errors
        );
    }
    o.push_str(&super::declared::markdown(&declared_rows(r), md));
    o
}

fn declared_rows(r: &Report) -> Vec<(String, Option<super::declared::DeclaredCell>)> {
    r.repositories
        .iter()
        .map(|row| (row.repository.clone(), row.declared.clone()))
        .collect()
}

/// HTML text escaped for element content and quoted attributes.
pub fn esc(s: &str) -> String {
    let s = crate::redact::visible_line(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn cell(s: Option<Status>) -> String {
    let (class, text) = match s {
        Some(Status::Pass) => ("pass", "pass"),
        Some(Status::Fail) => ("fail", "fail"),
        Some(Status::NotVerified) => ("nv", "not verified"),
        None => ("nv", "absent"),
    };
    format!("<td class=\"{class}\">{text}</td>")
}

pub fn html(r: &Report) -> String {
    let mut o = String::new();
    let t = &r.totals;
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>Organisation audit: deployment safety</title>\n<style>\nbody{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1f2328;max-width:72rem}\nh1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}\ntable{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;font-size:.9rem}\nth{background:#f6f8fa}td.num{text-align:right}td.pass{background:#dafbe1}td.fail{background:#ffebe9}td.nv{background:#fff8c5}\n.bar{display:flex;height:1rem;width:16rem;border:1px solid #d0d7de}.bar span{display:block;height:100%}\n.b-pass{background:#2da44e}.b-fail{background:#cf222e}.b-nv{background:#d4a72c}\n.summary{font-size:1.05rem}code{background:#f6f8fa;padding:0 .2rem}\n</style></head><body>\n");
    let _ = writeln!(o, "<h1>Organisation audit: deployment safety</h1>");
    let _ = writeln!(
        o,
        "<p class=\"summary\" id=\"summary\">{} repositories: <strong>{} pass</strong>, <strong>{} fail</strong>, <strong>{} not verified</strong> · generated {} · {} API requests</p>",
        r.scope.repositories, t.pass, t.fail, t.not_verified, esc(&date(Some(r.generated_at))), r.requests
    );
    let _ = writeln!(o, "<h2>Controls</h2>\n<table id=\"controls\"><tr><th>Control</th><th>Pass</th><th>Fail</th><th>Not verified</th><th></th></tr>");
    for c in &r.controls {
        let total = (c.pass + c.fail + c.not_verified).max(1) as f64;
        let pct = |n: usize| format!("{:.1}", n as f64 * 100.0 / total);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><div class=\"bar\"><span class=\"b-pass\" style=\"width:{}%\"></span><span class=\"b-fail\" style=\"width:{}%\"></span><span class=\"b-nv\" style=\"width:{}%\"></span></div></td></tr>",
            esc(&c.title), c.pass, c.fail, c.not_verified, pct(c.pass), pct(c.fail), pct(c.not_verified)
        );
    }
    o.push_str("</table>\n<h2>Scope</h2>\n<ul id=\"scope\">\n");
    for (item, subs) in scope_items(r, esc, |b| format!("<code>{}</code>", esc(b))) {
        if subs.is_empty() {
            let _ = writeln!(o, "<li>{item}</li>");
        } else {
            let _ = writeln!(o, "<li>{item}<ul>");
            for sub in subs {
                let _ = writeln!(o, "<li>{sub}</li>");
            }
            o.push_str("</ul></li>\n");
        }
    }
    o.push_str("</ul>\n");
    if !r.worst.is_empty() {
        o.push_str("<h2>Worst offenders</h2>\n<table id=\"worst\"><tr><th>Repository</th><th>Failing controls</th><th>Errors</th></tr>\n");
        for w in &r.worst {
            let failing = w.controls.values().filter(|s| **s == Status::Fail).count();
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=\"num\">{failing}</td><td class=\"num\">{}</td></tr>",
                esc(&w.repository),
                w.errors
            );
        }
        o.push_str("</table>\n");
    }
    if let Some(d) = &r.diff {
        let (since, summary, changes) = diff_lines(d, esc);
        let _ = writeln!(
            o,
            "<h2>Since the previous report ({since})</h2>\n<p id=\"diff\">{summary}</p>\n<ul>"
        );
        for line in changes {
            let _ = writeln!(o, "<li>{line}</li>");
        }
        o.push_str("</ul>\n");
    }
    o.push_str(
        "<h2>Repositories</h2>\n<table id=\"repositories\"><tr><th>Repository</th><th>Status</th>",
    );
    for c in CONTROLS {
        let _ = write!(o, "<th>{}</th>", esc(c.id));
    }
    o.push_str("<th>Errors</th></tr>\n");
    for row in &r.repositories {
        let _ = write!(
            o,
            "<tr><td>{}</td>{}",
            esc(&row.repository),
            cell(Some(row.status))
        );
        for c in CONTROLS {
            o.push_str(&cell(row.controls.get(c.id).copied()));
        }
        let _ = writeln!(o, "<td class=\"num\">{}</td></tr>", row.errors);
    }
    o.push_str("</table>\n");
    o.push_str(&super::declared::html(&declared_rows(r)));
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_escaped() {
        assert_eq!(esc("<script>\"x'&"), "&lt;script&gt;&quot;x&#39;&amp;");
        assert_eq!(md("a|b`<i>"), "a\\|b\\`&lt;i&gt;");
        assert!(!esc("a\u{1b}[31mb\nc").contains('\u{1b}'));
    }
}
