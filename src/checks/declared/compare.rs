//! Two views of one branch or environment compared setting by setting: what GitHub would enforce
//! (the strictest source wins), and who could get past each requirement. Used for a change to a config
//! repository (merge base → head) and for drift (declared → live).

use crate::checks::branch_protection::best;
use crate::github::environments::{self, EnvironmentFacts};
use crate::github::protection::{Aspect, Bypass, Policy, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One setting that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// As the checks name it (`required_approving_review_count`, `bypass_actors`, `required_reviewers`).
    pub setting: String,
    pub before: String,
    pub after: String,
    /// `after` protects less than `before`.
    pub weaker: bool,
}

/// Does this value protect (a flag on, a count above zero, a required check)?
fn protective(v: &Value) -> bool {
    match v {
        Value::Flag(on) => *on,
        Value::Count(n) => *n > 0,
        Value::Checks { contexts, .. } => !contexts.is_empty(),
    }
}

fn weaker(before: &Value, after: &Value) -> bool {
    match (before, after) {
        (Value::Flag(b), Value::Flag(a)) => *b && !*a,
        (Value::Count(b), Value::Count(a)) => a < b,
        (
            Value::Checks {
                contexts: b,
                strict: bs,
            },
            Value::Checks {
                contexts: a,
                strict: s,
            },
        ) => b.iter().any(|c| !a.contains(c)) || (*bs && !*s),
        _ => false,
    }
}

/// Who escapes `aspect`: the actors every enforcing source lets past. None when no source enforces it,
/// or when an enforcing source's bypass list could not be read (then nothing is said about bypass:
/// `branch/unverified` or `declared/drift-unverified` says why).
fn escapers(p: &Policy, aspect: Aspect) -> Option<BTreeMap<(String, Option<u64>), String>> {
    let mut out: Option<BTreeMap<(String, Option<u64>), String>> = None;
    for (source, v) in p.of(aspect) {
        if !protective(v) {
            continue;
        }
        let here: BTreeMap<_, _> = match &source.bypass {
            Bypass::Known(list) => list
                .iter()
                .filter(|b| b.escapes(aspect))
                .map(|b| (b.key(), b.label.clone()))
                .collect(),
            Bypass::Unknown(_) => return None,
        };
        out = Some(match out {
            None => here,
            Some(prev) => prev
                .into_iter()
                .filter(|(k, _)| here.contains_key(k))
                .collect(),
        });
    }
    out
}

/// Every setting of a branch that differs between two policies.
pub fn branch(before: &Policy, after: &Policy) -> Vec<Diff> {
    let mut out = Vec::new();
    for aspect in Aspect::ALL {
        let b = best(aspect, before.of(aspect).map(|(_, v)| v));
        let a = best(aspect, after.of(aspect).map(|(_, v)| v));
        if b != a {
            out.push(Diff {
                setting: aspect.setting().to_string(),
                before: b.show(aspect),
                after: a.show(aspect),
                weaker: weaker(&b, &a),
            });
        }
    }
    // Who can bypass: per actor, the requirements they newly (or no longer) get past.
    let mut gained: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut lost: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for aspect in Aspect::ALL {
        let (Some(b), Some(a)) = (escapers(before, aspect), escapers(after, aspect)) else {
            continue; // enforced on one side only: the setting itself differs, said above
        };
        for (k, label) in &a {
            if !b.contains_key(k) {
                gained
                    .entry(label.clone())
                    .or_default()
                    .push(aspect.setting());
            }
        }
        for (k, label) in &b {
            if !a.contains_key(k) {
                lost.entry(label.clone())
                    .or_default()
                    .push(aspect.setting());
            }
        }
    }
    for (who, aspects) in gained {
        out.push(Diff {
            setting: bypass_setting(&who),
            before: "no bypass".into(),
            after: format!("{who} can bypass {}", aspects.join(", ")),
            weaker: true,
        });
    }
    for (who, aspects) in lost {
        out.push(Diff {
            setting: bypass_setting(&who),
            before: format!("{who} can bypass {}", aspects.join(", ")),
            after: "no bypass".into(),
            weaker: false,
        });
    }
    out
}

/// Classic protection's admin exemption is `enforce_admins`; everything else a bypass list.
fn bypass_setting(label: &str) -> String {
    if label.contains("enforce_admins") {
        "enforce_admins".into()
    } else {
        "bypass_actors".into()
    }
}

/// A reviewer's identity: its id on GitHub when known, else its name as written.
fn reviewers(e: &EnvironmentFacts) -> BTreeSet<String> {
    e.reviewers()
        .map(|r| {
            r.reviewers
                .iter()
                .map(
                    |x| match x.reviewer.get("id").and_then(serde_json::Value::as_u64) {
                        Some(id) => format!("{} {id}", x.kind),
                        None => format!("{} {}", x.kind, x.name()),
                    },
                )
                .collect()
        })
        .unwrap_or_default()
}

/// The branches an environment accepts: None = any branch; `protected` = protected branches only;
/// else the custom patterns.
fn deploy_from(e: &EnvironmentFacts) -> Option<BTreeSet<String>> {
    let p = e.env.deployment_branch_policy?;
    if p.protected_branches {
        return Some(BTreeSet::from(["(protected branches)".to_string()]));
    }
    let list = match &e.policies {
        Some(crate::github::client::Fetched::Ok(l)) if p.custom_branch_policies => l,
        _ => return None,
    };
    if list.iter().any(environments::matches_everything) {
        return None;
    }
    Some(
        list.iter()
            .map(|b| format!("{} {}", b.kind.as_deref().unwrap_or("branch"), b.name))
            .collect(),
    )
}

/// Every setting of an environment that differs (`before` None: it did not exist).
pub fn environment(
    before: Option<&EnvironmentFacts>,
    after: Option<&EnvironmentFacts>,
) -> Vec<Diff> {
    let mut out = Vec::new();
    let (b, a) = match (before, after) {
        (Some(b), Some(a)) => (b, a),
        (Some(_), None) => {
            return vec![Diff {
                setting: "environment".into(),
                before: "declared".into(),
                after: "not declared (the environment and its protection would be deleted)".into(),
                weaker: true,
            }]
        }
        _ => return out,
    };
    let (rb, ra) = (reviewers(b), reviewers(a));
    for gone in rb.difference(&ra) {
        out.push(Diff {
            setting: "required_reviewers".into(),
            before: gone.clone(),
            after: "removed".into(),
            weaker: true,
        });
    }
    for new in ra.difference(&rb) {
        out.push(Diff {
            setting: "required_reviewers".into(),
            before: "absent".into(),
            after: new.clone(),
            weaker: false,
        });
    }
    let self_review = |e: &EnvironmentFacts| {
        e.reviewers()
            .is_some_and(|r| r.prevent_self_review == Some(true))
    };
    // Whether self-review is prevented matters only while there are reviewers on both sides.
    if b.reviewers().is_some() && a.reviewers().is_some() && self_review(b) != self_review(a) {
        out.push(Diff {
            setting: "prevent_self_review".into(),
            before: self_review(b).to_string(),
            after: self_review(a).to_string(),
            weaker: self_review(b),
        });
    }
    let admins = |e: &EnvironmentFacts| e.env.can_admins_bypass.unwrap_or(true);
    if admins(b) != admins(a) {
        out.push(Diff {
            setting: "can_admins_bypass".into(),
            before: admins(b).to_string(),
            after: admins(a).to_string(),
            weaker: admins(a),
        });
    }
    let show = |d: &Option<BTreeSet<String>>| match d {
        None => "any branch".to_string(),
        Some(s) => s.iter().cloned().collect::<Vec<_>>().join(", "),
    };
    let (db, da) = (deploy_from(b), deploy_from(a));
    if db != da {
        let weaker = match (&db, &da) {
            (Some(_), None) => true,
            (Some(b), Some(a)) => a.iter().any(|x| !b.contains(x)),
            _ => false,
        };
        out.push(Diff {
            setting: "deployment_branch_policy".into(),
            before: show(&db),
            after: show(&da),
            weaker,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::environments::{
        DeploymentBranchPolicy, Environment, ProtectionRule, Reviewer,
    };

    fn env(reviewers: &[u64], admins: bool, any_branch: bool) -> EnvironmentFacts {
        EnvironmentFacts {
            env: Environment {
                id: 1,
                name: "production".into(),
                html_url: None,
                can_admins_bypass: Some(admins),
                protection_rules: vec![ProtectionRule {
                    kind: "required_reviewers".into(),
                    prevent_self_review: Some(true),
                    reviewers: reviewers
                        .iter()
                        .map(|id| Reviewer {
                            kind: "Team".into(),
                            reviewer: serde_json::json!({"id": id}),
                        })
                        .collect(),
                }],
                deployment_branch_policy: (!any_branch).then_some(DeploymentBranchPolicy {
                    protected_branches: true,
                    custom_branch_policies: false,
                }),
            },
            policies: None,
        }
    }

    fn weaker_settings(d: Vec<Diff>) -> Vec<String> {
        d.into_iter()
            .filter(|d| d.weaker)
            .map(|d| d.setting)
            .collect()
    }

    #[test]
    fn environment_weakenings_and_their_twins() {
        let base = env(&[1, 2], false, false);
        assert_eq!(
            weaker_settings(environment(Some(&base), Some(&base))),
            Vec::<String>::new()
        );
        assert_eq!(
            weaker_settings(environment(Some(&base), Some(&env(&[1], true, true)))),
            vec![
                "required_reviewers",
                "can_admins_bypass",
                "deployment_branch_policy"
            ]
        );
        // The twin: one more reviewer, no admin bypass: stricter, nothing weaker.
        let stricter = environment(Some(&base), Some(&env(&[1, 2, 3], false, false)));
        assert_eq!(stricter.len(), 1);
        assert!(!stricter[0].weaker);
        assert_eq!(
            weaker_settings(environment(Some(&base), None)),
            vec!["environment"]
        );
    }
}
