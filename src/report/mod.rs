//! The same findings, rendered for people (human), machines (json), code scanning (sarif) and
//! GitHub Actions (github: annotations + job summary).

pub mod evidence;
pub mod evidence_html;
pub mod evidence_md;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::engine::Outcome;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    /// Evidence report for auditors, as Markdown.
    Markdown,
    /// Evidence report for auditors, as one self-contained HTML file.
    Html,
}

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Human: print nothing when the gate passes; otherwise only failing findings and the summary.
    pub quiet: bool,
    pub color: bool,
    /// GitHub: the job-summary file (`GITHUB_STEP_SUMMARY`) to append a markdown report to.
    pub step_summary: Option<std::path::PathBuf>,
    /// The step-outputs file (`GITHUB_OUTPUT`) to append `result`, `errors`, ... to (any format).
    pub step_outputs: Option<std::path::PathBuf>,
}

pub fn render(
    format: Format,
    outcome: &Outcome,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(outcome, opts, out),
        Format::Json => json::render(outcome, out),
        Format::Sarif => sarif::render(outcome, out),
        Format::Github => github::render(outcome, opts, out),
        Format::Markdown => evidence_md::render(outcome, out),
        Format::Html => evidence_html::render(outcome, out),
    }
}

/// `12 files inside production code as tests (10 in a `tests/` directory, 2 named `*.cy.*` (Cypress))`:
/// the three commonest conventions, and how many more.
fn skipped_as_tests(s: &crate::repo::reach::SkippedAsTests) -> String {
    let mut why: Vec<String> = s
        .reasons
        .iter()
        .take(3)
        .map(|r| {
            let join = if r.reason.starts_with("named") {
                ""
            } else {
                "in "
            };
            format!("{} {join}{}", r.files, r.reason)
        })
        .collect();
    if s.reasons.len() > 3 {
        why.push(format!("{} more conventions", s.reasons.len() - 3));
    }
    format!(
        "{} {} inside production code as tests ({})",
        s.files,
        plural(s.files as usize, "file"),
        why.join(", ")
    )
}

/// The one-line summary shared by the human and GitHub renderings.
pub fn summary_line(outcome: &Outcome) -> String {
    let c = outcome.counts();
    let s = &outcome.ctx.stats;
    let mut skipped = Vec::new();
    if s.skipped_binary > 0 {
        skipped.push(format!("{} binary", s.skipped_binary));
    }
    if s.skipped_large > 0 {
        skipped.push(format!(
            "{} over {}",
            s.skipped_large,
            human_size(outcome.ctx.config.max_file_size)
        ));
    }
    if s.ignored > 0 {
        skipped.push(format!("{} ignored by config", s.ignored));
    }
    if s.symlinks > 0 {
        skipped.push(format!("{} symlinks (not followed)", s.symlinks));
    }
    if s.unreadable > 0 {
        skipped.push(format!("{} unreadable", s.unreadable));
    }
    if s.vendored > 0 {
        let left = s.vendored.saturating_sub(s.vendored_gated);
        let mut what = format!(
            "{} third-party {} ({left} vendored {} not gated",
            s.vendored_trees,
            if s.vendored_trees == 1 {
                "tree"
            } else {
                "trees"
            },
            if left == 1 { "file" } else { "files" },
        );
        if s.vendored_gated > 0 {
            what.push_str(&format!(
                "; {} that production code imports gated",
                s.vendored_gated
            ));
        }
        what.push(')');
        skipped.push(what);
    }
    let own = &outcome.suppressed.own_outputs;
    if !own.is_empty() {
        let names: Vec<&str> = own.iter().take(3).map(String::as_str).collect();
        skipped.push(format!(
            "{} shipgate {} ({}{})",
            own.len(),
            plural(own.len(), "output"),
            names.join(", "),
            if own.len() > 3 { ", …" } else { "" }
        ));
    }
    if s.skipped_as_tests.files > 0 {
        skipped.push(skipped_as_tests(&s.skipped_as_tests));
    }
    if s.nested_repos > 0 {
        let what = if s.nested_repos == 1 {
            "nested repository"
        } else {
            "nested repositories"
        };
        skipped.push(format!("{} {what} (submodules)", s.nested_repos));
    }
    let mut hidden = Vec::new();
    if outcome.suppressed.baselined > 0 {
        hidden.push(format!("{} baselined", outcome.suppressed.baselined));
    }
    if outcome.suppressed.inline > 0 {
        hidden.push(format!("{} allowed inline", outcome.suppressed.inline));
    }
    let approved = outcome
        .suppressed
        .accepted
        .iter()
        .filter(|e| matches!(e.by, crate::suppress::accepted::AcceptedBy::Approved(_)))
        .count();
    if approved > 0 {
        hidden.push(format!(
            "{approved} policy {} approved",
            plural(approved, "change")
        ));
    }
    let debt = outcome
        .suppressed
        .accepted
        .iter()
        .filter(|e| {
            matches!(
                e.by,
                crate::suppress::accepted::AcceptedBy::ExistingDebt { .. }
            )
        })
        .count();
    if debt > 0 {
        hidden.push(format!("{debt} existing debt baselined by the change"));
    }
    let hidden = if hidden.is_empty() {
        String::new()
    } else {
        format!(" ({})", hidden.join(", "))
    };
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!(", skipped {}", skipped.join(", "))
    };
    let reached = if s.reached_gated > 0 {
        format!(
            " · {} {} production reaches gated as production although named otherwise",
            s.reached_gated,
            plural(
                usize::try_from(s.reached_gated).unwrap_or(usize::MAX),
                "file"
            )
        )
    } else {
        String::new()
    };
    let pre_existing = match &outcome.ctx.diff {
        Some(d) if d.base.is_some() => format!(
            " · {} pre-existing {} not failed on",
            outcome.pre_existing,
            plural(outcome.pre_existing, "finding")
        ),
        _ => String::new(),
    };
    format!(
        "{} · {} {}, {} {}, {} {}{} · {} {}, {} scanned{}{}{} · {:.2}s",
        outcome.verdict().as_str().to_uppercase(),
        c.errors,
        plural(c.errors, "error"),
        c.warnings,
        plural(c.warnings, "warning"),
        c.notes,
        plural(c.notes, "note"),
        hidden,
        s.files,
        plural(usize::try_from(s.files).unwrap_or(usize::MAX), "file"),
        s.scanned,
        skipped,
        reached,
        pre_existing,
        outcome.elapsed.as_secs_f64()
    )
}

/// One line per opt-out from failing closed, shared by the human, GitHub and evidence renderings.
pub fn fail_open_lines(outcome: &Outcome) -> Vec<String> {
    outcome
        .fail_open
        .iter()
        .map(|f| format!("fail-open: {f}"))
        .collect()
}

/// One line per deployment branch: OpenSSF Scorecard's Branch-Protection score and what would raise it.
pub fn scorecard_lines(outcome: &Outcome) -> Vec<String> {
    outcome
        .scorecards
        .iter()
        .map(|(branch, s)| {
            let next: Vec<String> = s
                .raise
                .iter()
                .filter(|r| r.score_if_fixed > s.score)
                .map(|r| format!("{} (→ {})", r.setting, r.score_if_fixed))
                .collect();
            let mut line = format!(
                "Scorecard Branch-Protection for `{branch}` (for comparison): {}/{}",
                s.score, s.max
            );
            if !next.is_empty() {
                line.push_str(&format!("; would rise with: {}", next.join(", ")));
            }
            if !s.unknown.is_empty() {
                line.push_str(&format!("; unreadable: {}", s.unknown.join(", ")));
            }
            line
        })
        .collect()
}

/// What the run looked at besides files — deployment branches, the `--diff` range — one line each,
/// shared by the human and GitHub renderings.
pub fn scope_lines(outcome: &Outcome) -> Vec<String> {
    let mut lines = vec![format!("policy: {}", outcome.policy)];
    let repo = &outcome.ctx.config.repository;
    if repo.kind != crate::config::RepositoryKind::Service {
        lines.push(format!(
            "repository: {} ({}) — its {} findings are notes; branch, review, owners, workflow, environment and access rules hold",
            repo.kind.as_str(),
            repo.reason.as_deref().unwrap_or(""),
            crate::config::TEST_SUPPORT_FAMILIES
                .iter()
                .map(|f| format!("{f}/"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let h = &outcome.ctx.history;
    if !h.branches.is_empty() {
        let names: Vec<&str> = h.branches.iter().map(|b| b.branch.name.as_str()).collect();
        let examined = if h.skipped.is_none() {
            let n = h.commits_examined();
            format!(" ({n} {} examined)", plural(n, "commit"))
        } else {
            String::new()
        };
        lines.push(format!(
            "deployment branches: {}{examined}",
            names.join(", ")
        ));
    }
    if let Some(f) = outcome.ctx.github.facts() {
        lines.push(format!(
            "GitHub: {} ({} API {})",
            f.repo,
            f.requests,
            plural(f.requests as usize, "request")
        ));
    }
    // Changes to the gate's own policy that were accepted, and how: the console says it, not only the
    // evidence report.
    const SHOWN: usize = 10;
    let approvals: Vec<String> = outcome
        .suppressed
        .accepted
        .iter()
        .filter_map(|e| match &e.by {
            crate::suppress::accepted::AcceptedBy::Approved(how) => Some(format!(
                "policy change accepted: {} ({}) — {how}",
                e.finding.message,
                e.finding.location.display()
            )),
            _ => None,
        })
        .collect();
    let more = approvals.len().saturating_sub(SHOWN);
    lines.extend(approvals.into_iter().take(SHOWN));
    if more > 0 {
        lines.push(format!(
            "…and {more} more accepted policy {} (the evidence report lists them)",
            plural(more, "change")
        ));
    }
    if let Some(d) = &outcome.ctx.diff {
        lines.push(match (&d.base, d.merge_base) {
            (Some(base), Some(mb)) => {
                let mb = mb.to_string();
                let n = d.changes.files_changed();
                format!(
                    "diff: {base}...HEAD (merge base {}, {}): {n} {} changed",
                    &mb[..mb.len().min(7)],
                    d.reason,
                    plural(n, "file")
                )
            }
            _ => format!("diff: {}", d.reason),
        });
    }
    lines
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes % 1024 == 0 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}
