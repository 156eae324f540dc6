//! The rules of the suppression stage (`suppress/…`, and `gate/policy-changed` in pre-merge mode): their
//! documentation lives here, with the other checks' rules, so the registry lists every rule; the stage
//! itself runs in `crate::suppress`, after the checks, because it judges their findings.

use crate::finding::Severity;
use crate::rules::CodeRule;

pub const POLICY_CHANGED: &str = "gate/policy-changed";
pub const MISSING_REASON: &str = "suppress/missing-reason";
pub const UNKNOWN_RULE: &str = "suppress/unknown-rule";
pub const UNUSED_ALLOW: &str = "suppress/unused-allow";
pub const STALE_BASELINE: &str = "suppress/stale-baseline";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: POLICY_CHANGED,
        fires_in: "security::rules_turned_off_in_the_change_do_not_apply_and_are_reported",
        title: "A change weakens the gate's own policy",
        severity: Severity::Error,
        why: "shipgate runs on pull requests written by people the repository does not control. If a change could \
              turn a rule off, add an ignore glob, shrink `max-file-size`, add baseline entries or inline allows and \
              be judged by that weakened policy, any change could pass its own gate. In pre-merge mode (`--diff`, \
              the Action on pull requests, the pre-push hook) the policy is read from the base branch's tip (the \
              remote's default branch for the hook), and each weakening in the change is reported so the policy's \
              owners approve it explicitly.",
        fix: "Have the policy's code owners review and approve the policy change (then it takes effect after the \
              merge), or fix the findings it would hide instead. Strengthening the policy is never reported.",
        example: "rule `data/reserved-email` turned off  [shipgate.toml:4:1]",
    },
    CodeRule {
        id: MISSING_REASON,
        fires_in: "suppressions::an_allow_without_reason_or_with_unknown_rule_is_itself_a_finding",
        title: "Inline allow without a reason",
        severity: Severity::Warning,
        why: "A suppression is a decision that test data or a risky setting may reach production. Without a \
              reason nobody reviewing it later can tell a considered exception from a silenced alarm — the \
              regulator asked that how code is reviewed and deployed be written down. An allow without a reason \
              does not suppress anything.",
        fix:
            "Say why after the closing parenthesis: `# shipgate:allow(data/reserved-email) demo tenant, never emailed`.",
        example: "# shipgate:allow(data/reserved-email)",
    },
    CodeRule {
        id: UNKNOWN_RULE,
        fires_in: "suppressions::an_allow_without_reason_or_with_unknown_rule_is_itself_a_finding",
        title: "Inline allow names a rule that does not exist",
        severity: Severity::Warning,
        why: "A misspelt rule id suppresses nothing, so the finding it was meant for still fails the gate — or, \
              worse, the author believes something is allowed that is not. Either way the comment misleads.",
        fix: "Use an id from `shipgate rules` (the diagnostic suggests the closest one).",
        example: "# shipgate:allow(data/reserved-emial) demo tenant",
    },
    CodeRule {
        id: UNUSED_ALLOW,
        fires_in: "suppressions::an_allow_without_reason_or_with_unknown_rule_is_itself_a_finding",
        title: "Inline allow that suppresses nothing",
        severity: Severity::Note,
        why: "An allow whose finding has gone (the code was fixed or moved) will silently cover the next real \
              finding that lands on that line. Stale exceptions are how gates rot.",
        fix: "Delete the comment, or move it to the line it was meant for (the line itself or the line above).",
        example: "# shipgate:allow(data/lorem-ipsum) marketing preview  (on a line with no filler text)",
    },
    CodeRule {
        id: STALE_BASELINE,
        fires_in: "adoption::a_stale_baseline_note_points_at_the_entry_line",
        title: "Baseline entry that no longer matches a finding",
        severity: Severity::Note,
        why: "The baseline records findings accepted when shipgate was adopted. When one is fixed its entry \
              should go, so the baseline only shrinks and cannot hide a new finding with the same fingerprint.",
        fix:
            "Regenerate the baseline with `shipgate baseline`, or delete the entry's line from .shipgate/baseline.json.",
        example: "{\"fingerprint\": \"5d1c0f3e2a9b7c44\", \"rule\": \"data/reserved-email\", ...}",
    },
];
