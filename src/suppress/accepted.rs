//! Accepted exceptions: findings the policy accepted instead of failing on, each kept with who or what
//! accepted it and why — a baseline entry, an inline allow with its reason, a baseline entry a change adds
//! for debt that already fails at its base, a policy change its code owners approved. The evidence report
//! lists them under their control ("PASS WITH ACCEPTED EXCEPTIONS"), never as "No findings": an auditor
//! must see what was accepted, not only what failed.

use crate::finding::{FileSpan, Finding};

/// One accepted finding and what accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub finding: Finding,
    pub by: AcceptedBy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptedBy {
    /// An entry of the baseline file, at this line.
    Baseline { file: String, line: u32 },
    /// An inline `shipgate:allow(…)` comment, with the reason it gives.
    Inline { at: FileSpan, reason: String },
    /// A baseline entry the change adds for a finding that already fails at its base: existing debt
    /// written down, not something the change introduces.
    ExistingDebt { file: String, line: u32 },
    /// A change to the gate's own policy, approved as said (by whom, or by which enforced rule).
    Approved(String),
}

impl AcceptedBy {
    /// Short name of the mechanism, for a table column.
    pub fn kind(&self) -> &'static str {
        match self {
            AcceptedBy::Baseline { .. } => "baseline",
            AcceptedBy::Inline { .. } => "inline allow",
            AcceptedBy::ExistingDebt { .. } => "existing debt",
            AcceptedBy::Approved(_) => "approved policy change",
        }
    }

    /// Why it was accepted, with where that is written down.
    pub fn reason(&self) -> String {
        match self {
            AcceptedBy::Baseline { file, line } => {
                format!("accepted in the baseline (`{file}:{line}`), as found when shipgate was adopted")
            }
            AcceptedBy::Inline { at, reason } => {
                format!("\"{reason}\" (`{}:{}`)", at.path, at.line)
            }
            AcceptedBy::ExistingDebt { file, line } => format!(
                "the change baselines a finding that already fails at its base (`{file}:{line}`): existing debt, not introduced by the change"
            ),
            AcceptedBy::Approved(how) => how.clone(),
        }
    }
}

/// Mask secrets in what the exceptions show, as every finding leaving the engine is (`redact`).
pub fn redact(list: &mut [Exception]) {
    for e in list {
        crate::redact::finding(&mut e.finding);
        if let AcceptedBy::Inline { reason, .. } = &mut e.by {
            crate::redact::redact_in_place(reason);
        }
        if let AcceptedBy::Approved(how) = &mut e.by {
            crate::redact::redact_in_place(how);
        }
    }
}

/// How many of each kind, for the summary: `13 baselined, 1 allowed inline`.
pub fn counts(list: &[Exception]) -> Vec<(&'static str, usize)> {
    let mut out: Vec<(&'static str, usize)> = Vec::new();
    for e in list {
        let k = e.by.kind();
        match out.iter_mut().find(|(x, _)| *x == k) {
            Some((_, n)) => *n += 1,
            None => out.push((k, 1)),
        }
    }
    out
}
