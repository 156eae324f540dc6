//! OpenSSF Scorecard's Branch-Protection score (0–10) for one branch, computed from shipgate's effective
//! policy so users can compare the two tools. Scorecard's published tiers: each tier's points count only
//! when every earlier tier is complete; settings the token cannot read leave some maxima out, as Scorecard
//! does without an admin token.
//!
//! Tier 1 (3 points): force pushes and deletion blocked.
//! Tier 2 (3): ≥ 1 required approval (weight 2); pull requests required; branches up to date (strict
//!             status checks) and last-push approval when readable.
//! Tier 3 (2): at least one required status check.
//! Tier 4 (1): ≥ 2 required approvals; code-owner review with a CODEOWNERS file.
//! Tier 5 (1): stale approvals dismissed and rules applying to admins, when readable.

use super::protection::{Aspect, Bypass, Policy, SourceKind, Value};
use serde::Serialize;

/// Scorecard's probes for one branch; None where the token could not read the answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Probes {
    pub force_pushes_blocked: Option<bool>,
    pub deletion_blocked: Option<bool>,
    pub approvals: Option<u32>,
    pub pull_request: Option<bool>,
    pub up_to_date: Option<bool>,
    pub last_push: Option<bool>,
    pub status_checks: Option<bool>,
    pub code_owners: Option<bool>,
    pub dismiss_stale: Option<bool>,
    pub applies_to_admins: Option<bool>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Score {
    pub score: u8,
    pub max: u8,
    /// Unmet settings in tier order, each with the score it alone would give.
    pub raise: Vec<Raise>,
    /// Settings this token could not read; with them the score could be higher.
    pub unknown: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Raise {
    pub setting: &'static str,
    pub tier: u8,
    pub score_if_fixed: u8,
}

impl Probes {
    /// From the merged policy. When classic protection is unreadable only values that are already at
    /// their strongest are known (an unreadable source can only make a setting stricter).
    pub fn from_policy(p: &Policy) -> Probes {
        let complete = p.unknown.is_none();
        let flag = |a: Aspect| {
            let on = p.of(a).any(|(_, v)| *v == Value::Flag(true));
            (on || !p.is_unknown(a)).then_some(on)
        };
        let approvals = p
            .of(Aspect::Approvals)
            .filter_map(|(_, v)| match v {
                Value::Count(n) => Some(*n),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let checks = |strict_only: bool| {
            let on = p.of(Aspect::StatusChecks).any(|(_, v)| match v {
                Value::Checks { contexts, strict } => {
                    if strict_only {
                        *strict
                    } else {
                        !contexts.is_empty()
                    }
                }
                _ => false,
            });
            // Strictness is not in `refUpdateRule`: unless an admin read classic protection, only a
            // ruleset's status-check rule tells it. Otherwise "up to date" stays unknown, as Scorecard
            // leaves it without admin (even when no classic rule applies: it cannot see that either).
            let known = if strict_only {
                (complete && p.classic_read_in_full)
                    || p.of(Aspect::StatusChecks)
                        .any(|(s, _)| matches!(s.kind, SourceKind::Ruleset(_)))
            } else {
                !p.is_unknown(Aspect::StatusChecks)
            };
            (on || known).then_some(on)
        };
        // Like Scorecard: any source with a bypass (classic without enforce_admins, a ruleset with bypass
        // actors) means the rules do not apply to admins.
        let admins = if p.sources.is_empty() {
            None
        } else if p
            .sources
            .iter()
            .any(|s| matches!(&s.bypass, Bypass::Known(b) if b.iter().any(|b| !b.reviews_only)))
        {
            Some(false)
        } else if p
            .sources
            .iter()
            .any(|s| matches!(s.bypass, Bypass::Unknown(_)))
        {
            None
        } else {
            Some(true)
        };
        Probes {
            force_pushes_blocked: flag(Aspect::ForcePushes),
            deletion_blocked: flag(Aspect::Deletions),
            // With an unreadable source the highest readable count is a lower bound: enough for "≥ 1".
            approvals: (approvals > 0 || !p.is_unknown(Aspect::Approvals)).then_some(approvals),
            pull_request: flag(Aspect::PullRequest),
            up_to_date: checks(true),
            last_push: flag(Aspect::LastPush),
            status_checks: checks(false),
            code_owners: flag(Aspect::CodeOwners),
            dismiss_stale: flag(Aspect::DismissStale),
            applies_to_admins: admins,
        }
    }
}

/// Scorecard's arithmetic: points per tier scaled by the tier's weight, stopping at the first incomplete tier.
pub fn points(p: &Probes, codeowners_file: bool) -> u8 {
    let yes = |o: Option<bool>| u32::from(o == Some(true));
    let known = |o: Option<bool>| u32::from(o.is_some());
    let tiers: [(u32, u32, f64); 5] = [
        (
            yes(p.force_pushes_blocked) + yes(p.deletion_blocked),
            2,
            3.0,
        ),
        (
            2 * u32::from(p.approvals.unwrap_or(0) > 0)
                + yes(p.pull_request)
                + yes(p.up_to_date)
                + yes(p.last_push),
            2 + 1 + known(p.up_to_date) + known(p.last_push),
            3.0,
        ),
        (yes(p.status_checks), 1, 2.0),
        (
            u32::from(p.approvals.unwrap_or(0) >= 2)
                + u32::from(p.code_owners == Some(true) && codeowners_file),
            2,
            1.0,
        ),
        (
            yes(p.dismiss_stale) + yes(p.applies_to_admins),
            known(p.dismiss_stale) + known(p.applies_to_admins),
            1.0,
        ),
    ];
    let mut score = 0.0;
    for (got, max, weight) in tiers {
        score += if max == 0 {
            weight
        } else {
            f64::from(got) * weight / f64::from(max)
        };
        if got < max {
            break;
        }
    }
    // Scorecard truncates.
    score as u8
}

pub fn score(policy: &Policy, codeowners_file: bool) -> Score {
    let probes = Probes::from_policy(policy);
    let now = points(&probes, codeowners_file);
    type Fix = fn(&mut Probes);
    let no = |o: Option<bool>| o == Some(false);
    let fewer = |k: u32| probes.approvals.is_some_and(|n| n < k);
    // Only settings known to be off: unreadable ones are listed under `unknown` instead.
    let candidates: [(&'static str, u8, bool, Fix); 10] = [
        (
            "block force pushes",
            1,
            no(probes.force_pushes_blocked),
            |p| p.force_pushes_blocked = Some(true),
        ),
        ("block deletion", 1, no(probes.deletion_blocked), |p| {
            p.deletion_blocked = Some(true)
        }),
        ("require ≥ 1 approval", 2, fewer(1), |p| {
            p.approvals = Some(p.approvals.unwrap_or(0).max(1))
        }),
        ("require a pull request", 2, no(probes.pull_request), |p| {
            p.pull_request = Some(true)
        }),
        (
            "require branches to be up to date (strict status checks)",
            2,
            no(probes.up_to_date),
            |p| p.up_to_date = Some(true),
        ),
        (
            "require approval of the most recent push",
            2,
            no(probes.last_push),
            |p| p.last_push = Some(true),
        ),
        ("require a status check", 3, no(probes.status_checks), |p| {
            p.status_checks = Some(true)
        }),
        ("require ≥ 2 approvals", 4, fewer(2), |p| {
            p.approvals = Some(2)
        }),
        (
            "require code-owner review (with a CODEOWNERS file)",
            4,
            no(probes.code_owners) || (probes.code_owners == Some(true) && !codeowners_file),
            |p| p.code_owners = Some(true),
        ),
        (
            "dismiss stale approvals",
            5,
            no(probes.dismiss_stale),
            |p| p.dismiss_stale = Some(true),
        ),
    ];
    let mut raise = Vec::new();
    for (setting, tier, unmet, fix) in candidates {
        if unmet {
            let mut p = probes;
            fix(&mut p);
            // Code-owner review counts only with a CODEOWNERS file, so that fix includes adding one.
            let file = codeowners_file || setting.starts_with("require code-owner");
            raise.push(Raise {
                setting,
                tier,
                score_if_fixed: points(&p, file),
            });
        }
    }
    if probes.applies_to_admins == Some(false) {
        let mut p = probes;
        p.applies_to_admins = Some(true);
        raise.push(Raise {
            setting: "apply the rules to admins (no bypass)",
            tier: 5,
            score_if_fixed: points(&p, codeowners_file),
        });
    }
    let mut unknown = Vec::new();
    for (name, v) in [
        ("allow_force_pushes", probes.force_pushes_blocked.is_none()),
        ("allow_deletions", probes.deletion_blocked.is_none()),
        (
            "required_approving_review_count",
            probes.approvals.is_none(),
        ),
        (
            "required_pull_request_reviews",
            probes.pull_request.is_none(),
        ),
        ("required_status_checks", probes.status_checks.is_none()),
        ("required_status_checks.strict", probes.up_to_date.is_none()),
        ("require_last_push_approval", probes.last_push.is_none()),
        ("require_code_owner_reviews", probes.code_owners.is_none()),
        ("dismiss_stale_reviews", probes.dismiss_stale.is_none()),
        ("enforce_admins", probes.applies_to_admins.is_none()),
    ] {
        if v {
            unknown.push(name);
        }
    }
    Score {
        score: now,
        max: 10,
        raise,
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Probes {
        Probes {
            force_pushes_blocked: Some(true),
            deletion_blocked: Some(true),
            approvals: Some(2),
            pull_request: Some(true),
            up_to_date: Some(true),
            last_push: Some(true),
            status_checks: Some(true),
            code_owners: Some(true),
            dismiss_stale: Some(true),
            applies_to_admins: Some(true),
        }
    }

    #[test]
    fn tiers_gate_later_points() {
        assert_eq!(points(&full(), true), 10);
        assert_eq!(points(&Probes::default(), true), 0);
        // Tier 1 half done: 1.5 → 1, and nothing later counts.
        let mut p = full();
        p.deletion_blocked = Some(false);
        assert_eq!(points(&p, true), 1);
        // One approval, no code owners: tiers 1-3 full (8), tier 4 half (0.5) → 8.
        let mut p = full();
        p.approvals = Some(1);
        p.code_owners = Some(false);
        assert_eq!(points(&p, true), 8);
        // No CODEOWNERS file: code-owner review earns nothing, tier 4 is half done (8.5 → 8) and tier 5 is
        // never reached.
        assert_eq!(points(&full(), false), 8);
        // Unreadable tier-5 settings leave the maximum out, as without an admin token.
        let mut p = full();
        p.dismiss_stale = None;
        p.applies_to_admins = None;
        p.up_to_date = None;
        p.last_push = None;
        assert_eq!(points(&p, true), 10);
    }
}
