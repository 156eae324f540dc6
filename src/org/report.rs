//! `shipgate org report DIR --plan PLAN --out OUT [--previous OLD.json]`: one evidence report from the
//! per-repository results — per control, how many repositories PASS, PASS WITH WARNINGS, FAIL or are NOT
//! VERIFIED (the single-repository evidence report's verdicts); the worst offenders; a per-repository
//! table; every finding (rule, place, message) kept with the report, which outlives the results; the
//! scope (repositories, branches, period, what the token could not see); and what got better or worse
//! since the previous report. Markdown, self-contained HTML and JSON.
//!
//! Reconciled with the plan: every planned repository without a result is NOT VERIFIED, by name, and a
//! result for a repository the plan does not name is left out and named — a deleted result file can
//! neither vanish from the count nor be replaced by a planted one.
//!
//! Repository names, messages and reasons come from result files that came from the API: every one is
//! escaped for the format it is written into.

use super::{
    read_json, unix_now, unverified_families, write_file, FindingSummary, RepoResult, Status,
    CONTROLS, REPORT_SCHEMA, RESULT_SCHEMA,
};
use crate::diag::SourceDiag;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const MAX_RESULT_BYTES: u64 = 4 * 1024 * 1024;
const MAX_RESULTS: usize = 200_000;
const MAX_PLAN_BYTES: u64 = 64 * 1024 * 1024;
const WORST: usize = 10;
/// Findings listed per repository in report.md and report.html (all of them are in report.json).
const FINDINGS_SHOWN: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ControlCounts {
    pub id: String,
    pub title: String,
    pub pass: usize,
    #[serde(default)]
    pub pass_with_warnings: usize,
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
    /// Every finding (rule, severity, message, place): the reasons behind the statuses, kept as long
    /// as the report is.
    #[serde(default)]
    pub findings: Vec<FindingSummary>,
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
    /// Repositories the plan named; None: no plan given, so missing results could not be counted.
    #[serde(default)]
    pub planned: Option<usize>,
    /// Planned repositories without a result: NOT VERIFIED, by name.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Results for repositories the plan does not name: left out, by name.
    #[serde(default)]
    pub unplanned: Vec<String>,
    /// Repositories with more than one result: the worst was kept.
    #[serde(default)]
    pub duplicates: Vec<String>,
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

/// The repositories a plan selected: `plan.json`'s `repositories`, else every `shard-*.json` beside it
/// (a plan written before plan.json listed them).
pub fn planned_repositories(plan: &Path) -> Result<Vec<String>, SourceDiag> {
    #[derive(Deserialize)]
    struct PlanFile {
        schema: String,
        #[serde(default)]
        repositories: Option<Vec<String>>,
    }
    let p: PlanFile = read_json(plan, MAX_PLAN_BYTES, "org/bad-plan")?;
    if p.schema != super::plan::PLAN_SCHEMA {
        return Err(SourceDiag::plain(
            "org/bad-plan",
            format!(
                "{} is not a plan written by `shipgate org plan` (schema `{}`)",
                plan.display(),
                crate::redact::visible_line(&p.schema)
            ),
        ));
    }
    if let Some(repos) = p.repositories {
        return Ok(repos);
    }
    let dir = plan.parent().unwrap_or(Path::new("."));
    let mut repos = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        SourceDiag::plain(
            "org/bad-plan",
            format!("cannot read {}: {e}", dir.display()),
        )
    })?;
    let mut shards: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
        })
        .collect();
    shards.sort();
    for f in shards {
        let shard: super::Shard = read_json(&f, MAX_RESULT_BYTES, "org/bad-plan")?;
        repos.extend(shard.repositories);
    }
    Ok(repos)
}

/// Build the report from `dir` (reconciled with `plan` when given) and write `report.md`,
/// `report.html` and `report.json` into `out`.
pub fn report(
    dir: &Path,
    plan: Option<&Path>,
    previous: Option<&Path>,
    out: &Path,
) -> Result<Report, SourceDiag> {
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
    let planned = match plan {
        Some(p) => Some(planned_repositories(p)?),
        None => None,
    };
    if results.is_empty() && planned.is_none() {
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
    let reconciled = reconcile(results, planned.as_deref());
    let mut report = build(&reconciled.results, unix_now());
    report.scope.unreadable = unreadable;
    report.scope.planned = planned.as_ref().map(Vec::len);
    report.scope.missing = reconciled.missing;
    report.scope.unplanned = reconciled.unplanned;
    report.scope.duplicates = reconciled.duplicates;
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

pub struct Reconciled {
    pub results: Vec<RepoResult>,
    pub missing: Vec<String>,
    pub unplanned: Vec<String>,
    pub duplicates: Vec<String>,
}

/// One result per repository (the worst of duplicates); with a plan, a NOT VERIFIED result for each
/// planned repository without one, and results for repositories outside the plan left out.
pub fn reconcile(mut results: Vec<RepoResult>, planned: Option<&[String]>) -> Reconciled {
    let key = |s: &str| s.to_ascii_lowercase();
    // Worst first within a name, so the kept one is the worst.
    results.sort_by(|a, b| {
        key(&a.repository)
            .cmp(&key(&b.repository))
            .then(rank(Some(a.status)).cmp(&rank(Some(b.status))))
    });
    let mut duplicates = Vec::new();
    results.dedup_by(|later, kept| {
        let same = key(&later.repository) == key(&kept.repository);
        if same && !duplicates.contains(&kept.repository) {
            duplicates.push(kept.repository.clone());
        }
        same
    });
    let (mut missing, mut unplanned) = (Vec::new(), Vec::new());
    if let Some(planned) = planned {
        let wanted: std::collections::BTreeSet<String> = planned.iter().map(|p| key(p)).collect();
        results.retain(|r| {
            let ok = wanted.contains(&key(&r.repository));
            if !ok {
                unplanned.push(crate::redact::visible_line(&r.repository).into_owned());
            }
            ok
        });
        let have: std::collections::BTreeSet<String> =
            results.iter().map(|r| key(&r.repository)).collect();
        let mut seen = std::collections::BTreeSet::new();
        for name in planned {
            if !have.contains(&key(name)) && seen.insert(key(name)) {
                missing.push(name.clone());
                results.push(no_result(name));
            }
        }
        results.sort_by(|a, b| a.repository.cmp(&b.repository));
    }
    Reconciled {
        results,
        missing,
        unplanned,
        duplicates,
    }
}

/// A planned repository with no result: NOT VERIFIED in every control, saying why.
fn no_result(name: &str) -> RepoResult {
    RepoResult {
        schema: RESULT_SCHEMA.into(),
        repository: crate::redact::visible_line(name).into_owned(),
        status: Status::NotVerified,
        reason: Some(
            "no result: planned, but its result file is missing (its shard's job did not finish, or the file was deleted)"
                .into(),
        ),
        default_branch: None,
        head: None,
        archived: false,
        visibility: String::new(),
        branches: Vec::new(),
        period: None,
        controls: BTreeMap::new(),
        findings: Vec::new(),
        not_evaluated: Vec::new(),
        policy_overrides: Vec::new(),
        requests: 0,
        elapsed_ms: 0,
        checked_at: 0,
        declared: None,
    }
}

/// A control's status in one result: a pass with findings of its families (below `--fail-on`, or it
/// would not pass) is PASS WITH WARNINGS, as in the single-repository evidence report. A control the
/// result does not state is NOT VERIFIED.
fn control_status(r: &RepoResult, c: &super::Control) -> Status {
    let Some(stated) = r.controls.get(c.id).map(|x| x.status) else {
        return Status::NotVerified;
    };
    let family = |rule: &str| rule.split('/').next().unwrap_or("").to_string();
    let shortfall = r.findings.iter().any(|f| {
        c.families.contains(&family(&f.rule).as_str()) && unverified_families(&f.rule).is_empty()
    });
    match stated {
        Status::Pass if shortfall => Status::PassWithWarnings,
        s => s,
    }
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
        let statuses: BTreeMap<String, Status> = CONTROLS
            .iter()
            .map(|c| (c.id.to_string(), control_status(r, c)))
            .collect();
        // A passing repository with a control passing with warnings passes with warnings.
        let status = match r.status {
            Status::Pass if statuses.values().any(|s| *s == Status::PassWithWarnings) => {
                Status::PassWithWarnings
            }
            s => s,
        };
        bump(&mut totals, status);
        for c in &mut controls {
            bump(
                c,
                statuses.get(&c.id).copied().unwrap_or(Status::NotVerified),
            );
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
            status,
            controls: statuses,
            errors: r.findings.iter().filter(|f| f.severity == "error").count(),
            warnings: r
                .findings
                .iter()
                .filter(|f| f.severity == "warning")
                .count(),
            reason: r.reason.clone(),
            requests: r.requests,
            findings: r.findings.clone(),
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
        Status::PassWithWarnings => c.pass_with_warnings += 1,
        Status::Fail => c.fail += 1,
        Status::NotVerified => c.not_verified += 1,
    }
}

/// How good a status is, for "better or worse": fail < not verified < pass with warnings < pass.
fn rank(s: Option<Status>) -> i8 {
    match s {
        Some(Status::Pass) => 3,
        Some(Status::PassWithWarnings) => 2,
        Some(Status::NotVerified) => 1,
        Some(Status::Fail) => 0,
        None => -1,
    }
}

/// Better: fail → pass, not verified → pass, fail → not verified is neither (shown as worse: evidence lost).
pub fn diff(old: &Report, new: &Report) -> Diff {
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
    let repositories = match r.scope.planned {
        Some(planned) => format!(
            "Repositories: {} (the plan's {planned}; each planned repository without a result is NOT VERIFIED)",
            r.scope.repositories
        ),
        None => format!(
            "Repositories: {} (no plan given: a repository whose result is missing could not be counted; pass --plan)",
            r.scope.repositories
        ),
    };
    let mut items = vec![(repositories, vec![])];
    if !r.scope.missing.is_empty() {
        items.push((
            format!(
                "Not verified, no result ({}): their shard's job did not finish, or the result file is missing",
                r.scope.missing.len()
            ),
            r.scope.missing.iter().map(|n| code(n)).collect(),
        ));
    }
    if !r.scope.unplanned.is_empty() {
        items.push((
            format!(
                "Results for repositories the plan does not name, left out ({})",
                r.scope.unplanned.len()
            ),
            r.scope.unplanned.iter().map(|n| code(n)).collect(),
        ));
    }
    if !r.scope.duplicates.is_empty() {
        items.push((
            format!(
                "Repositories with more than one result, the worst kept ({})",
                r.scope.duplicates.len()
            ),
            r.scope.duplicates.iter().map(|n| code(n)).collect(),
        ));
    }
    items.extend([
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
    ]);
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

fn status_label(s: Option<Status>) -> &'static str {
    s.map_or("ABSENT", Status::label)
}

/// A Markdown code span that shows `s` exactly: inside a code span Markdown takes every character
/// literally, so nothing is escaped or turned into an entity (`release_1`, not `release\_1`); the fence
/// is longer than any run of backticks in `s`, and padded when `s` starts or ends with one. Lines are
/// joined and control characters made visible.
pub fn code(s: &str) -> String {
    let s = crate::redact::visible_line(&s.replace(['\n', '\r'], " ")).into_owned();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// `code` in a table cell: a GFM table splits cells at `|` even inside a code span, and takes `\|`
/// there as a literal pipe.
fn code_cell(s: &str) -> String {
    code(s).replace('|', "\\|")
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

/// The whole report as Markdown (report.md).
pub fn markdown(r: &Report) -> String {
    let mut o = markdown_summary(r);
    if r.repositories
        .iter()
        .any(|row| !row.findings.is_empty() || row.reason.is_some())
    {
        let _ = writeln!(o, "\n## Findings\n");
        for row in &r.repositories {
            if row.findings.is_empty() && row.reason.is_none() {
                continue;
            }
            let _ = writeln!(
                o,
                "### {} — {}\n",
                code(&row.repository),
                row.status.label()
            );
            if let Some(reason) = &row.reason {
                let _ = writeln!(o, "Not verified: {}\n", md(reason));
            }
            if row.findings.is_empty() {
                continue;
            }
            let _ = writeln!(
                o,
                "| Severity | Rule | Location | Finding |\n|---|---|---|---|"
            );
            for f in row.findings.iter().take(FINDINGS_SHOWN) {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} |",
                    md(&f.severity),
                    code_cell(&f.rule),
                    code_cell(&f.location),
                    md(&f.message)
                );
            }
            if row.findings.len() > FINDINGS_SHOWN {
                let _ = writeln!(
                    o,
                    "\n…and {} more in report.json.",
                    row.findings.len() - FINDINGS_SHOWN
                );
            }
            o.push('\n');
        }
    }
    o
}

/// The report without its findings section: for the job summary (GitHub caps it at 1 MiB); the
/// findings are in report.md, report.html and report.json.
pub fn markdown_summary(r: &Report) -> String {
    let mut o = String::new();
    let t = &r.totals;
    // First line: how shipgate knows its own output in a work tree (it never gates it).
    let _ = writeln!(
        o,
        "<!-- {}: organisation report -->",
        crate::repo::own_output::MARKER
    );
    let _ = writeln!(o, "# Organisation audit: deployment safety\n");
    let _ = writeln!(
        o,
        "{} repositories: **{} PASS**, **{} PASS WITH WARNINGS**, **{} FAIL**, **{} NOT VERIFIED** · generated {} · {} API requests\n",
        r.scope.repositories, t.pass, t.pass_with_warnings, t.fail, t.not_verified, date(Some(r.generated_at)), r.requests
    );
    let _ = writeln!(
        o,
        "## Controls\n\n| Control | PASS | PASS WITH WARNINGS | FAIL | NOT VERIFIED |\n|---|---:|---:|---:|---:|"
    );
    for c in &r.controls {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md(&c.title),
            c.pass,
            c.pass_with_warnings,
            c.fail,
            c.not_verified
        );
    }
    let _ = writeln!(o, "\n## Scope\n");
    for (item, subs) in scope_items(r, md, code) {
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
    let _ = writeln!(
        o,
        "| Repository | Status | {} | Errors | Warnings |",
        head.join(" | ")
    );
    let _ = writeln!(o, "|---|---|{}---:|---:|", "---|".repeat(head.len()));
    for row in &r.repositories {
        let cells: Vec<&str> = CONTROLS
            .iter()
            .map(|c| status_label(row.controls.get(c.id).copied()))
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md(&row.repository),
            row.status.label(),
            cells.join(" | "),
            row.errors,
            row.warnings
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
    let class = match s {
        Some(Status::Pass) => "pass",
        Some(Status::PassWithWarnings) => "pww",
        Some(Status::Fail) => "fail",
        Some(Status::NotVerified) | None => "nv",
    };
    format!("<td class=\"{class}\">{}</td>", status_label(s))
}

pub fn html(r: &Report) -> String {
    let mut o = String::new();
    let t = &r.totals;
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"generator\" content=\"shipgate-output: organisation report\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>Organisation audit: deployment safety</title>\n<style>\nbody{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1f2328;max-width:72rem}\nh1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}\ntable{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;font-size:.9rem}\nth{background:#f6f8fa}td.num{text-align:right}td.pass{background:#dafbe1}td.fail{background:#ffebe9}td.pww{background:#fff4ce}td.nv{background:#ececec}\n.bar{display:flex;height:1rem;width:16rem;border:1px solid #d0d7de}.bar span{display:block;height:100%}\n.b-pass{background:#2da44e}.b-fail{background:#cf222e}.b-pww{background:#d8b600}.b-nv{background:#8c959f}\n.summary{font-size:1.05rem}code{background:#f6f8fa;padding:0 .2rem}\n</style></head><body>\n");
    let _ = writeln!(o, "<h1>Organisation audit: deployment safety</h1>");
    let _ = writeln!(
        o,
        "<p class=\"summary\" id=\"summary\">{} repositories: <strong>{} PASS</strong>, <strong>{} PASS WITH WARNINGS</strong>, <strong>{} FAIL</strong>, <strong>{} NOT VERIFIED</strong> · generated {} · {} API requests</p>",
        r.scope.repositories, t.pass, t.pass_with_warnings, t.fail, t.not_verified, esc(&date(Some(r.generated_at))), r.requests
    );
    let _ = writeln!(o, "<h2>Controls</h2>\n<table id=\"controls\"><tr><th>Control</th><th>PASS</th><th>PASS WITH WARNINGS</th><th>FAIL</th><th>NOT VERIFIED</th><th></th></tr>");
    for c in &r.controls {
        let total = (c.pass + c.pass_with_warnings + c.fail + c.not_verified).max(1) as f64;
        let pct = |n: usize| format!("{:.1}", n as f64 * 100.0 / total);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><div class=\"bar\"><span class=\"b-pass\" style=\"width:{}%\"></span><span class=\"b-pww\" style=\"width:{}%\"></span><span class=\"b-fail\" style=\"width:{}%\"></span><span class=\"b-nv\" style=\"width:{}%\"></span></div></td></tr>",
            esc(&c.title), c.pass, c.pass_with_warnings, c.fail, c.not_verified, pct(c.pass), pct(c.pass_with_warnings), pct(c.fail), pct(c.not_verified)
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
    o.push_str("<th>Errors</th><th>Warnings</th></tr>\n");
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
        let _ = writeln!(
            o,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            row.errors, row.warnings
        );
    }
    o.push_str("</table>\n");
    let listed: Vec<&RepoRow> = r
        .repositories
        .iter()
        .filter(|row| !row.findings.is_empty() || row.reason.is_some())
        .collect();
    if !listed.is_empty() {
        o.push_str("<h2>Findings</h2>\n<div id=\"findings\">\n");
        for row in listed {
            let _ = writeln!(
                o,
                "<h3><code>{}</code> — {}</h3>",
                esc(&row.repository),
                row.status.label()
            );
            if let Some(reason) = &row.reason {
                let _ = writeln!(o, "<p>Not verified: {}</p>", esc(reason));
            }
            if row.findings.is_empty() {
                continue;
            }
            o.push_str(
                "<table><tr><th>Severity</th><th>Rule</th><th>Location</th><th>Finding</th></tr>\n",
            );
            for f in row.findings.iter().take(FINDINGS_SHOWN) {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                    esc(&f.severity),
                    esc(&f.rule),
                    esc(&f.location),
                    esc(&f.message)
                );
            }
            o.push_str("</table>\n");
            if row.findings.len() > FINDINGS_SHOWN {
                let _ = writeln!(
                    o,
                    "<p>…and {} more in report.json.</p>",
                    row.findings.len() - FINDINGS_SHOWN
                );
            }
        }
        o.push_str("</div>\n");
    }
    o.push_str(&super::declared::html(&declared_rows(r)));
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_show_the_text_as_it_is() {
        assert_eq!(code("release_1"), "`release_1`");
        assert_eq!(code("a<b>&c*d"), "`a<b>&c*d`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`start"), "`` `start ``");
        assert_eq!(code("two\nlines"), "`two lines`");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
    }

    #[test]
    fn hostile_names_are_escaped() {
        assert_eq!(esc("<script>\"x'&"), "&lt;script&gt;&quot;x&#39;&amp;");
        assert_eq!(md("a|b`<i>"), "a\\|b\\`&lt;i&gt;");
        assert!(!esc("a\u{1b}[31mb\nc").contains('\u{1b}'));
    }
}
