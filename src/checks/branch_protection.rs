//! Effective protection of every deployment branch (rule family `branch/`): classic protection and rulesets
//! merged, checked against `[github.branch-protection]`.

use crate::config::{BranchRequirements, CodeOwnerReview, StatusChecks};
use crate::context::Context;
use crate::finding::{Finding, Location, Severity};
use crate::github::protection::{self, Aspect, Bypass, Policy, Source, Value};
use crate::github::scorecard;
use crate::repo::codeowners;
use crate::rules::rule;
use crate::rules::CodeRule;
use std::collections::BTreeMap;

pub const UNPROTECTED: &str = "branch/unprotected";
pub const WEAK: &str = "branch/weak-protection";
pub const BYPASS: &str = "branch/bypass";
pub const UNVERIFIED: &str = "branch/unverified";

const WHY_BRANCHES: &str = "The regulator's reprimand after test data reached the Police National Database \
    through a coding issue recommended better protecting deployment code branches and making sure code review \
    happens before deployment. On GitHub that is branch protection: pull requests with approvals, status \
    checks, no force pushes or deletion, for everyone.";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: UNPROTECTED,
        fires_in: "github::an_unprotected_branch_is_one_finding",
        title: "A deployment branch has no protection",
        severity: Severity::Error,
        why: WHY_BRANCHES,
        fix: "Add a ruleset targeting the branch (Settings → Rules → Rulesets: require a pull request with \
              approvals, status checks, block force pushes and deletion), or classic branch protection.",
        example: "deployment branch `main` has no branch protection and no ruleset",
    },
    CodeRule {
        id: WEAK,
        fires_in: "github::classic_protection_shortfalls_are_located_at_the_setting",
        title: "A deployment branch's protection is weaker than required",
        severity: Severity::Error,
        why: WHY_BRANCHES,
        fix: "Raise the setting in the ruleset or classic protection named in the finding (its URL opens the \
              page), or lower the requirement in `[github.branch-protection]` with a reason in review.",
        example: "required_approving_review_count = 0, required ≥ 1 (read from classic branch protection)",
    },
    CodeRule {
        id: BYPASS,
        fires_in: "github::bypass_actors_fail_unless_allowed_with_a_reason",
        title: "Someone can bypass a deployment branch's protection",
        severity: Severity::Error,
        why: "Protection that admins or listed actors may skip does not guarantee that code was reviewed before \
              it was deployed, which is what the regulator asked for after the police database incident. A \
              bypass also leaves no pull request to review later.",
        fix: "Enable `Do not allow bypassing the above settings` (enforce_admins) in classic protection, or \
              remove the actor from the ruleset's bypass list. If a bypass is intended (a release bot), allow it \
              explicitly: `[github.branch-protection] allowed-bypass = [{ actor-type = \"Integration\", \
              actor-id = 123, reason = \"…\" }]`.",
        example: "repository admins (enforce_admins = false) can bypass on `main`: required_pull_request_reviews, allow_force_pushes",
    },
    CodeRule {
        id: UNVERIFIED,
        fires_in: "github::a_token_without_administration_read_is_told_exactly_what_is_unknown",
        title: "A deployment branch's protection could not be verified",
        severity: Severity::Error,
        why: "Classic branch protection can only be read with the Administration: read permission, which the \
              Actions GITHUB_TOKEN never has. A setting shipgate cannot read is neither fine nor broken: it is \
              unknown, and a deployment gate must not pass on unknowns.",
        fix: "Express the requirement as a ruleset (rulesets are readable with any token), or run shipgate with \
              a token that has Administration: read (a fine-grained personal access token or a GitHub App \
              installation token). To accept the unknown, set this rule to \"warning\" in `[rules]`.",
        example: "required_approving_review_count is unknown: classic branch protection is unreadable with this token (403 Resource not accessible by integration)",
    },
];

/// A bypass actor's identity: (actor type, actor id).
type ActorKey = (String, Option<u64>);

/// What one aspect must reach.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Want {
    On,
    AtLeast(u32),
    AnyCheck,
    Checks(Vec<String>),
}

impl Want {
    fn show(&self, aspect: Aspect) -> String {
        match (self, aspect) {
            (Want::On, Aspect::ForcePushes | Aspect::Deletions) => "false".into(),
            (Want::On, Aspect::PullRequest) => "enabled".into(),
            (Want::On, _) => "true".into(),
            (Want::AtLeast(n), _) => format!("≥ {n}"),
            (Want::AnyCheck, _) => "at least one check".into(),
            (Want::Checks(c), _) => format!("[{}]", c.join(", ")),
        }
    }

    fn met_by(&self, v: &Value) -> bool {
        match (self, v) {
            (Want::On, Value::Flag(on)) => *on,
            (Want::AtLeast(n), Value::Count(c)) => c >= n,
            (Want::AnyCheck, Value::Checks { contexts, .. }) => !contexts.is_empty(),
            // Named checks may be split over several sources; see `satisfying`.
            (Want::Checks(_), Value::Checks { .. }) => false,
            _ => false,
        }
    }
}

fn wants(req: &BranchRequirements, codeowners: bool) -> Vec<(Aspect, Want)> {
    let mut w = Vec::new();
    let mut on = |cond: bool, a: Aspect| {
        if cond {
            w.push((a, Want::On));
        }
    };
    on(req.pull_request, Aspect::PullRequest);
    on(req.dismiss_stale_reviews, Aspect::DismissStale);
    on(
        match req.code_owner_review {
            CodeOwnerReview::Always => true,
            CodeOwnerReview::Auto => codeowners,
            CodeOwnerReview::Never => false,
        },
        Aspect::CodeOwners,
    );
    on(req.last_push_approval, Aspect::LastPush);
    on(req.block_force_pushes, Aspect::ForcePushes);
    on(req.block_deletions, Aspect::Deletions);
    if req.approvals > 0 {
        w.push((Aspect::Approvals, Want::AtLeast(req.approvals)));
    }
    match &req.status_checks {
        StatusChecks::Off => {}
        StatusChecks::Any => w.push((Aspect::StatusChecks, Want::AnyCheck)),
        StatusChecks::Named(n) => w.push((Aspect::StatusChecks, Want::Checks(n.clone()))),
    }
    w.sort_by_key(|(a, _)| *a);
    w
}

/// Whether the tree has a CODEOWNERS file where GitHub looks for one.
pub fn has_codeowners(ctx: &Context) -> bool {
    ctx.files
        .iter()
        .any(|f| codeowners::LOCATIONS.contains(&&*f.path))
}

/// The Scorecard comparison for every deployment branch whose protection could be read: computed once
/// per run by the engine, for the renderers.
pub fn scorecards(ctx: &Context) -> Vec<(String, scorecard::Score)> {
    let Some(f) = ctx.github.facts() else {
        return Vec::new();
    };
    let codeowners = has_codeowners(ctx);
    f.branches
        .iter()
        .filter_map(|b| {
            protection::effective(b, &f.html_url)
                .ok()
                .map(|p| (b.name.clone(), scorecard::score(&p, codeowners)))
        })
        .collect()
}

pub fn run(ctx: &Context) -> Vec<Finding> {
    let Some(facts) = ctx.github.facts() else {
        return Vec::new();
    };
    let codeowners = has_codeowners(ctx);
    // Review evidence stands in for admin-only settings only where it actually read the branch's commits.
    let review_evidence = |branch: &str| {
        ctx.config.github.reviews.commits > 0
            && facts
                .reviews
                .iter()
                .any(|r| r.branch == branch && r.history.is_ok())
    };
    facts
        .branches
        .iter()
        // A branch whose facts failed to arrive is reported by gate/github-unavailable, not judged.
        .filter_map(|b| protection::effective(b, &facts.html_url).ok())
        .flat_map(|p| {
            let evidence = review_evidence(&p.branch);
            let target = format!("branch {}", p.branch);
            check(&p, &ctx.config.github.branch, codeowners, evidence)
                .into_iter()
                .map(move |f| observed(f, &facts.repo.to_string(), &target))
        })
        .collect()
}

/// Mark a finding as about the live (observed) settings of `repo`, so reports never confuse it with a
/// declared one.
pub fn observed(f: Finding, repo: &str, target: &str) -> Finding {
    let setting = match &f.location {
        Location::Setting { name, .. } => name.clone(),
        _ => String::new(),
    };
    f.about(crate::finding::SettingsRef {
        origin: crate::finding::SettingsOrigin::Observed,
        repository: repo.to_string(),
        target: target.to_string(),
        setting,
    })
}

/// The findings for one branch's effective policy.
///
/// `review_evidence`: GitHub review evidence is on, checking every commit that reached the branch. Then
/// what only an admin token can read about classic protection (stale-review dismissal, last-push
/// approval, whether admins can bypass), when GraphQL's `refUpdateRule` showed the rest, is a warning:
/// a stale approval, a bypass or a direct push would show up there as a `review/` error on the commit.
pub fn check(
    p: &Policy,
    req: &BranchRequirements,
    codeowners: bool,
    review_evidence: bool,
) -> Vec<Finding> {
    let admin_only = if review_evidence && p.partial_classic() {
        Severity::Warning
    } else {
        Severity::Error
    };
    let admin_only_note = if admin_only == Severity::Warning {
        "; review evidence (review/stale-approval, review/unreviewed-commit) checks each commit that reached the branch instead"
    } else {
        ""
    };
    let scope = format!("github:branch {}", p.branch);
    let at = |name: &str, url: &str| Location::Setting {
        scope: scope.clone(),
        name: name.to_string(),
        url: Some(url.to_string()),
    };
    let plan = if p.notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", p.notes.join("; "))
    };
    if p.unprotected() {
        return vec![rule!(UNPROTECTED).finding(format!(
                "deployment branch `{}` has no branch protection and no ruleset: anyone with write access can push to it unreviewed, force-push or delete it{plan}",
                p.branch
            ),
            at("protection", &p.settings_url),
        )
        .with_evidence("unprotected")
        .with_help("add a ruleset (Settings → Rules) requiring pull requests with approvals and status checks, blocking force pushes and deletion")];
    }
    let mut out = Vec::new();
    let mut unknown_aspects = Vec::new();
    // Who escapes which requirements (label, aspects, first enforcing source); sources hiding their bypass.
    let mut bypassers: BTreeMap<ActorKey, (String, Vec<Aspect>, usize)> = BTreeMap::new();
    let mut hidden_bypass: BTreeMap<usize, Vec<Aspect>> = BTreeMap::new();
    for (aspect, want) in wants(req, codeowners) {
        let sat = satisfying(p, aspect, &want);
        if sat.is_empty() {
            if p.is_unknown(aspect) {
                unknown_aspects.push(aspect);
            } else {
                out.push(shortfall(p, aspect, &want, &scope, &plan));
            }
            continue;
        }
        if !req.no_bypass {
            continue;
        }
        // An actor escapes the requirement only by bypassing every source that enforces it.
        let mut escapers: Option<BTreeMap<ActorKey, String>> = None;
        let mut hidden = Vec::new();
        let mut safe = false;
        for &i in &sat {
            match &p.sources[i].bypass {
                Bypass::Known(list) => {
                    let here: BTreeMap<_, _> = list
                        .iter()
                        .filter(|b| b.escapes(aspect) && !allowed(req, &b.actor_type, b.actor_id))
                        .map(|b| (b.key(), b.label.clone()))
                        .collect();
                    if here.is_empty() {
                        safe = true;
                        break;
                    }
                    escapers = Some(match escapers {
                        None => here,
                        Some(prev) => prev
                            .into_iter()
                            .filter(|(k, _)| here.contains_key(k))
                            .collect(),
                    });
                }
                Bypass::Unknown(_) => hidden.push(i),
            }
        }
        if safe {
            continue;
        }
        if !hidden.is_empty() {
            for i in hidden {
                hidden_bypass.entry(i).or_default().push(aspect);
            }
            continue;
        }
        for (key, label) in escapers.unwrap_or_default() {
            let e = bypassers.entry(key).or_insert((label, Vec::new(), sat[0]));
            e.1.push(aspect);
        }
    }
    for (label, aspects, source) in bypassers.into_values() {
        let s = &p.sources[source];
        out.push(
            rule!(BYPASS).finding(format!(
                    "{label} can bypass on `{}`: {} (read from {})",
                    p.branch,
                    names(&aspects),
                    s.label
                ),
                at(s.bypass_setting, &s.url),
            )
            .with_evidence(label)
            .with_help("make the rules apply to everyone (classic: enforce_admins; rulesets: an empty bypass list), or allow this actor in [github.branch-protection] allowed-bypass with a reason"),
        );
    }
    for (i, aspects) in hidden_bypass {
        let s = &p.sources[i];
        let why = match &s.bypass {
            Bypass::Unknown(w) => w.clone(),
            Bypass::Known(_) => String::new(),
        };
        let partial = matches!(s.kind, protection::SourceKind::Classic) && p.partial_classic();
        out.push(
            rule!(UNVERIFIED)
                .finding(
                    format!(
                        "who can bypass {} on `{}` is unknown: {why}; it alone enforces {}{}",
                        s.label,
                        p.branch,
                        names(&aspects),
                        if partial { admin_only_note } else { "" }
                    ),
                    at("bypass_actors", &s.url),
                )
                .with_severity(if partial {
                    admin_only
                } else {
                    rule!(UNVERIFIED).severity
                })
                .with_evidence(format!("bypass {}", s.label))
                .with_help(format!(
                    "run with a token that has {}",
                    protection::ADMIN_READ
                )),
        );
    }
    if let Some(u) = &p.unknown {
        let cause = format!("{} is unreadable with this token ({})", u.what, u.status);
        let help = format!(
            "add the requirement to a ruleset (readable by any token), or give shipgate a token with {}",
            u.permission
        );
        if p.sources.is_empty() && !unknown_aspects.is_empty() {
            // Nothing readable applies: one finding, not one per setting.
            out.push(
                rule!(UNVERIFIED).finding(format!(
                        "cannot verify that `{}` is protected: no ruleset applies and {cause}; unknown: {}",
                        p.branch,
                        names(&unknown_aspects)
                    ),
                    at("protection", &p.settings_url),
                )
                .with_evidence("protection unknown")
                .with_help(help),
            );
        } else {
            for a in unknown_aspects {
                let partial = u.only.is_some();
                out.push(
                    rule!(UNVERIFIED)
                        .finding(
                            format!(
                            "`{}` on `{}` is unknown: the rulesets do not satisfy it and {cause}{}",
                            a.setting(),
                            p.branch,
                            if partial { admin_only_note } else { "" }
                        ),
                            at(a.setting(), &p.settings_url),
                        )
                        .with_severity(if partial {
                            admin_only
                        } else {
                            rule!(UNVERIFIED).severity
                        })
                        .with_evidence(a.setting())
                        .with_help(help.clone()),
                );
            }
        }
    }
    out
}

/// Indexes of the sources that meet `want` on their own (or, for named checks, contribute to the union
/// that meets it).
fn satisfying(p: &Policy, aspect: Aspect, want: &Want) -> Vec<usize> {
    let values = p
        .values
        .iter()
        .filter(|(a, _, _)| *a == aspect)
        .map(|(_, i, v)| (*i, v));
    if let Want::Checks(names) = want {
        let mut contributing = Vec::new();
        let mut have: Vec<&str> = Vec::new();
        for (i, v) in values {
            if let Value::Checks { contexts, .. } = v {
                if contexts.iter().any(|c| names.contains(c)) {
                    contributing.push(i);
                    have.extend(contexts.iter().map(String::as_str));
                }
            }
        }
        return if names.iter().all(|n| have.contains(&n.as_str())) {
            contributing
        } else {
            Vec::new()
        };
    }
    values
        .filter(|(_, v)| want.met_by(v))
        .map(|(i, _)| i)
        .collect()
}

fn shortfall(p: &Policy, aspect: Aspect, want: &Want, scope: &str, plan: &str) -> Finding {
    let sources: Vec<(&Source, &Value)> = p.of(aspect).collect();
    let current = best(aspect, sources.iter().map(|(_, v)| *v));
    let mut required = want.show(aspect);
    if let (Want::Checks(names), Value::Checks { contexts, .. }) = (want, &current) {
        let missing: Vec<&str> = names
            .iter()
            .filter(|n| !contexts.contains(n))
            .map(String::as_str)
            .collect();
        required.push_str(&format!(" (missing: {})", missing.join(", ")));
    }
    let read_from = if sources.is_empty() {
        "no protection rule sets it".to_string()
    } else {
        let labels: Vec<&str> = sources.iter().map(|(s, _)| s.label.as_str()).collect();
        format!("read from {}", labels.join("; "))
    };
    // Point at where the fix goes: the one source that has the setting, else the first ruleset, else classic.
    let url = match sources.as_slice() {
        [(s, _)] => s.url.clone(),
        _ => p
            .sources
            .iter()
            .find(|s| matches!(s.kind, protection::SourceKind::Ruleset(_)))
            .map_or_else(|| p.settings_url.clone(), |s| s.url.clone()),
    };
    rule!(WEAK)
        .finding(
            format!(
                "`{}` on `{}`: {} = {}, required {required} ({read_from}){plan}",
                aspect.setting(),
                p.branch,
                aspect.setting(),
                current.show(aspect)
            ),
            Location::Setting {
                scope: scope.to_string(),
                name: aspect.setting().to_string(),
                url: Some(url),
            },
        )
        .with_evidence(aspect.setting())
        .with_help(fix_hint(aspect))
}

/// The strongest value among the sources (what GitHub enforces), or the "off" value when none sets it.
pub fn best<'a>(aspect: Aspect, values: impl Iterator<Item = &'a Value>) -> Value {
    let mut out = match aspect {
        Aspect::Approvals => Value::Count(0),
        Aspect::StatusChecks => Value::Checks {
            contexts: Vec::new(),
            strict: false,
        },
        _ => Value::Flag(false),
    };
    for v in values {
        out = match (out, v) {
            (Value::Flag(a), Value::Flag(b)) => Value::Flag(a || *b),
            (Value::Count(a), Value::Count(b)) => Value::Count(a.max(*b)),
            (
                Value::Checks {
                    mut contexts,
                    strict,
                },
                Value::Checks {
                    contexts: more,
                    strict: s2,
                },
            ) => {
                for c in more {
                    if !contexts.contains(c) {
                        contexts.push(c.clone());
                    }
                }
                Value::Checks {
                    contexts,
                    strict: strict || *s2,
                }
            }
            (o, _) => o,
        };
    }
    out
}

fn fix_hint(a: Aspect) -> &'static str {
    match a {
        Aspect::PullRequest => "require a pull request before merging (ruleset rule `pull_request`)",
        Aspect::Approvals => "raise \"Required approvals\" in the pull request rule",
        Aspect::DismissStale => "enable \"Dismiss stale pull request approvals when new commits are pushed\"",
        Aspect::CodeOwners => "enable \"Require review from Code Owners\" (the tree has a CODEOWNERS file)",
        Aspect::LastPush => "enable \"Require approval of the most recent reviewable push\"",
        Aspect::StatusChecks => "require status checks to pass (ruleset rule `required_status_checks`) and name the CI checks",
        Aspect::ForcePushes => "block force pushes (ruleset rule `non_fast_forward`)",
        Aspect::Deletions => "restrict deletions (ruleset rule `deletion`)",
    }
}

fn allowed(req: &BranchRequirements, actor_type: &str, actor_id: Option<u64>) -> bool {
    req.allowed_bypass
        .iter()
        .any(|a| a.actor_type == actor_type && (a.actor_id.is_none() || a.actor_id == actor_id))
}

fn names(aspects: &[Aspect]) -> String {
    aspects
        .iter()
        .map(|a| a.setting())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::client::{Fetched, HttpStatus};
    use crate::github::protection::{BranchFacts, Classic, ClassicProtection};

    fn policy(classic: Classic, rules: &str) -> Option<Policy> {
        let facts = BranchFacts {
            name: "main".into(),
            classic,
            graphql: None,
            rules: Fetched::Ok(serde_json::from_str(rules).unwrap_or_default()),
            rulesets: Vec::new(),
        };
        protection::effective(&facts, "https://github.com/o/r").ok()
    }

    fn rules_of(f: &[Finding]) -> Vec<(&str, &str)> {
        f.iter()
            .map(|f| match &f.location {
                Location::Setting { name, .. } => (f.rule.as_str(), name.as_str()),
                _ => (f.rule.as_str(), ""),
            })
            .collect()
    }

    #[test]
    fn fully_protected_classic_passes() {
        let c: ClassicProtection = serde_json::from_str(
            r#"{"required_status_checks":{"strict":true,"contexts":["test"]},"enforce_admins":{"enabled":true},
                "required_pull_request_reviews":{"dismiss_stale_reviews":true,"require_code_owner_reviews":true,
                "required_approving_review_count":2,"require_last_push_approval":true},
                "allow_force_pushes":{"enabled":false},"allow_deletions":{"enabled":false}}"#,
        )
        .unwrap_or_default();
        let p = policy(Classic::Protected(Box::new(c)), "[]");
        let f = p.map(|p| check(&p, &BranchRequirements::default(), true, false));
        assert_eq!(f.map(|f| f.len()), Some(0));
    }

    #[test]
    fn unreadable_classic_with_partial_rulesets_names_each_unknown() {
        let p = policy(
            Classic::Unreadable(HttpStatus {
                code: 403,
                message: "Resource not accessible by integration".into(),
            }),
            r#"[{"type":"deletion","ruleset_id":1},{"type":"non_fast_forward","ruleset_id":1}]"#,
        );
        let f = p
            .map(|p| check(&p, &BranchRequirements::default(), false, false))
            .unwrap_or_default();
        let r = rules_of(&f);
        assert!(
            r.contains(&(UNVERIFIED, "required_approving_review_count")),
            "{r:?}"
        );
        assert!(!r.iter().any(|(_, n)| *n == "allow_deletions"), "{r:?}");
        // The ruleset's bypass list was not read: unknown too.
        assert!(r.contains(&(UNVERIFIED, "bypass_actors")), "{r:?}");
    }
}
