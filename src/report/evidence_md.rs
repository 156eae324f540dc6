//! The evidence report as Markdown (for a PR comment, a wiki, or an audit folder).

use super::evidence::{
    assess, header, policy_exceptions, RuleException, Status, MAX_EXCEPTION_ROWS,
};
use super::markdown::{code, text as cell};
use crate::engine::Outcome;
use crate::finding::Finding;
use crate::suppress::accepted::Exception;
use std::io::{self, Write};

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let h = header(outcome);
    // First line: how shipgate knows its own output in a work tree (it never gates it).
    writeln!(
        out,
        "<!-- {}: evidence report -->",
        crate::repo::own_output::MARKER
    )?;
    writeln!(out, "# Deployment-safety evidence report\n")?;
    writeln!(out, "| | |\n|---|---|")?;
    writeln!(out, "| Repository | {} |", code(&h.repository))?;
    writeln!(out, "| Commit | {} |", code(&h.commit))?;
    writeln!(out, "| Tool | shipgate {} |", h.version)?;
    writeln!(out, "| Generated | {} |", h.generated)?;
    writeln!(out, "| Gate | {} |", h.summary)?;
    writeln!(out, "| Fail-open settings | {} |", cell(&h.fail_open))?;
    writeln!(out, "\n## Scope\n\n| | |\n|---|---|")?;
    for (k, v) in &h.scope {
        writeln!(out, "| {k} | {} |", cell(v))?;
    }
    writeln!(out)?;
    let assessments = assess(outcome);
    writeln!(
        out,
        "## Controls\n\n| Control | Status | Findings | Accepted exceptions |\n|---|---|---|---|"
    )?;
    for a in &assessments {
        writeln!(
            out,
            "| {} | **{}** | {} | {} |",
            a.control.title,
            a.status.label(),
            a.findings.len(),
            a.accepted.len() + a.settings.len()
        )?;
    }
    for a in &assessments {
        writeln!(out, "\n## {} — {}\n", a.control.title, a.status.label())?;
        writeln!(out, "_Why: {}_\n", a.control.recommendation)?;
        if !a.rules.is_empty() {
            writeln!(
                out,
                "Evaluated rules: {}.\n",
                a.rules
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        if a.control.families().contains(&"data") {
            let s = &outcome.ctx.stats;
            writeln!(
                out,
                "Files: {} in the tree, {} scanned ({} bytes); skipped {} binary, {} over the size limit, {} ignored by config, {} unreadable.\n",
                s.files, s.scanned, s.bytes_scanned, s.skipped_binary, s.skipped_large, s.ignored, s.unreadable
            )?;
        }
        for g in &a.gaps {
            writeln!(out, "- Not verified: {}", cell(g))?;
        }
        if a.status == Status::PassWithWarnings {
            writeln!(
                out,
                "Findings below the gate's fail-on level ({}): they do not fail the gate, but the control is not fully met.",
                outcome.fail_on
            )?;
        }
        if a.status == Status::PassWithExceptions {
            writeln!(
                out,
                "Nothing fails this control, because the findings below were accepted: each is listed with what accepted it and why."
            )?;
        }
        if a.status == Status::PreExistingFail {
            writeln!(
                out,
                "This change adds no finding at or above the gate's fail-on level ({}), but the tree it leaves fails this control with findings it already had (below).",
                outcome.fail_on
            )?;
        }
        if a.status == Status::Pass && a.findings.is_empty() {
            writeln!(out, "No findings.")?;
        }
        if !a.findings.is_empty() {
            writeln!(out)?;
            findings_table(out, &a.findings)?;
        }
        if !a.pre_existing.is_empty() {
            writeln!(
                out,
                "\nPre-existing (the base already had them; not failed on by this change):\n"
            )?;
            findings_table(out, &a.pre_existing)?;
        }
        exceptions(out, &a.accepted, &a.settings)?;
    }
    let policy = policy_exceptions(outcome);
    if !policy.is_empty() {
        writeln!(out, "\n## Accepted changes to the gate's own policy\n")?;
        exceptions(out, &policy, &[])?;
    }
    Ok(())
}

/// One table row per finding.
fn findings_table(out: &mut dyn Write, findings: &[&Finding]) -> io::Result<()> {
    writeln!(
        out,
        "| Severity | Rule | Location | Finding |\n|---|---|---|---|"
    )?;
    for f in findings {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            f.severity,
            code(&f.rule),
            code(&f.location.display()),
            cell(&f.message)
        )?;
    }
    Ok(())
}

/// The accepted exceptions of one control: rules switched off or lowered, then each accepted finding.
fn exceptions(
    out: &mut dyn Write,
    accepted: &[&Exception],
    settings: &[RuleException],
) -> io::Result<()> {
    if accepted.is_empty() && settings.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n**Accepted exceptions** ({}):",
        accepted.len() + settings.len()
    )?;
    if !settings.is_empty() {
        writeln!(out)?;
    }
    for r in settings {
        writeln!(out, "- {}", cell(&r.describe()))?;
    }
    if !accepted.is_empty() {
        writeln!(
            out,
            "\n| Rule | Location | Finding | Accepted by | Reason |\n|---|---|---|---|---|"
        )?;
        for e in accepted.iter().take(MAX_EXCEPTION_ROWS) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                code(&e.finding.rule),
                code(&e.finding.location.display()),
                cell(&e.finding.message),
                e.by.kind(),
                cell(&e.by.reason())
            )?;
        }
        if accepted.len() > MAX_EXCEPTION_ROWS {
            writeln!(
                out,
                "\n…and {} more (every one is in the baseline file or the source).",
                accepted.len() - MAX_EXCEPTION_ROWS
            )?;
        }
    }
    Ok(())
}
