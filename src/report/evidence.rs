//! The evidence report for auditors (`--format markdown` / `--format html`): for each control the
//! regulator named, PASS / FAIL / NOT VERIFIED with the evidence behind it, the commit, tool version and time.
//!
//! NOT VERIFIED is as important as FAIL: a control whose evidence could not be gathered (no token, no git
//! history, no check in this version) must never read as passed.

use crate::engine::{Outcome, Verdict};
use crate::finding::Finding;
use crate::repo::evidence::Skip;

/// A control, in the regulator's terms, and the rule families whose findings are its evidence.
pub struct Control {
    pub title: &'static str,
    pub recommendation: &'static str,
    pub families: &'static [&'static str],
}

pub const CONTROLS: &[Control] = &[
    Control {
        title: "Deployment branches are protected",
        recommendation: "Better protect deployment code branches (ICO reprimand, Police National Database).",
        families: &["branch", "deploy", "workflow"],
    },
    Control {
        title: "Code is reviewed before deployment",
        recommendation: "Ensure code reviews take place before deployment (ICO reprimand, Police National Database).",
        families: &["review", "owners"],
    },
    Control {
        title: "Nothing test-only reaches production",
        recommendation: "Prevent code being inadvertently added to live systems; test data reached the live PND.",
        families: &["data", "switch", "leak"],
    },
    Control {
        title: "Access is not widened without review",
        recommendation: "Web-form submissions were made public with no review and no permissions policy (ICO reprimand, MOPAC).",
        families: &["access"],
    },
    Control {
        title: "The process is documented",
        recommendation: "Document how code is to be tested, reviewed and deployed (ICO reprimand, Police National Database).",
        families: &["process"],
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    NotVerified,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::NotVerified => "NOT VERIFIED",
        }
    }
}

/// One control's verdict and evidence.
pub struct Assessment<'a> {
    pub control: &'a Control,
    pub status: Status,
    /// Rules that were evaluated for this control.
    pub rules: Vec<&'a str>,
    pub findings: Vec<&'a Finding>,
    /// Why evidence is missing, when it is.
    pub gaps: Vec<String>,
}

fn family(rule: &str) -> &str {
    rule.split('/').next().unwrap_or("")
}

pub fn assess(outcome: &Outcome) -> Vec<Assessment<'_>> {
    CONTROLS
        .iter()
        .map(|control| {
            let ours = |rule: &str| control.families.contains(&family(rule));
            let rules: Vec<&str> = outcome
                .ctx
                .catalogue
                .docs
                .iter()
                .map(|d| d.id.as_str())
                .filter(|id| ours(id))
                .collect();
            let findings: Vec<&Finding> =
                outcome.findings.iter().filter(|f| ours(&f.rule)).collect();
            let mut gaps: Vec<String> = outcome
                .not_evaluated
                .iter()
                .filter(|n| n.families.iter().any(|f| control.families.contains(f)))
                .map(ToString::to_string)
                .collect();
            if rules.is_empty() {
                gaps.push("this version of shipgate has no check for this control".to_string());
            }
            let status = if findings.iter().any(|f| f.severity >= outcome.fail_on) {
                Status::Fail
            } else if !gaps.is_empty() {
                Status::NotVerified
            } else {
                Status::Pass
            };
            Assessment {
                control,
                status,
                rules,
                findings,
                gaps,
            }
        })
        .collect()
}

/// Facts about the run shown at the top of the report.
pub struct Header {
    pub repository: String,
    /// The commit checked out, or why there is none.
    pub commit: String,
    pub version: &'static str,
    pub generated: String,
    pub verdict: Verdict,
    pub summary: String,
    /// Opt-outs from failing closed in effect ("none" when every source fails closed).
    pub fail_open: String,
}

pub fn header(outcome: &Outcome) -> Header {
    Header {
        repository: outcome.ctx.root.display().to_string(),
        commit: crate::repo::head_commit(&outcome.ctx.root).unwrap_or_else(|| {
            // A damaged repository must not read as "not a git repository" in an audit record.
            match &outcome.ctx.history.skipped {
                Some(Skip::Failed(_)) => "(the git repository could not be read)",
                Some(Skip::NotARepository) => "(not a git repository)",
                _ => "(no commit yet)",
            }
            .to_string()
        }),
        version: env!("CARGO_PKG_VERSION"),
        generated: utc_now(),
        verdict: outcome.verdict(),
        summary: super::summary_line(outcome),
        fail_open: if outcome.fail_open.is_empty() {
            "none: every source fails closed".to_string()
        } else {
            outcome
                .fail_open
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        },
    }
}

/// The current time as `YYYY-MM-DD HH:MM:SS UTC`, without a date-time dependency.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
