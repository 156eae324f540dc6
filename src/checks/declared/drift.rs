//! Drift: the declared settings of each repository against what GitHub enforces, setting by setting.
//! Live settings weaker than declared are errors (someone changed them by hand, or the config was never
//! applied); stronger ones are warnings (the next apply would loosen them). What the token cannot read
//! is `declared/drift-unverified`, never "no drift".

use super::{branches, compare, prefix, rule, unknown_in, DRIFT, DRIFT_UNVERIFIED, RULES};
use crate::context::Context;
use crate::declared::model::Origin;
use crate::declared::{view, LiveGap};
use crate::finding::{Finding, Location, SettingsOrigin, SettingsRef, Severity};
use crate::github::client::Fetched;
use crate::github::environments::EnvironmentFacts;
use crate::github::protection::{self, Aspect};

pub fn run(ctx: &Context) -> Vec<Finding> {
    let facts = &ctx.declared;
    let live = match &facts.live {
        None | Some(Err(LiveGap::NotEvaluated(_))) => return Vec::new(),
        Some(Err(LiveGap::Failed(e))) => {
            return vec![unverified(
                "the declared repositories",
                format!("the live settings could not be read ({e})"),
                None,
            )]
        }
        Some(Ok(l)) => l,
    };
    let mut out: Vec<Finding> = live
        .failures
        .iter()
        .map(|e| unverified(&e.url, format!("GitHub did not answer: {e}"), None))
        .collect();
    for repo in facts.head.repo_names() {
        let full = facts.full_name(&ctx.config, &repo);
        let Some(lr) = super::live_repo(facts, &ctx.config, &repo) else {
            out.push(unverified(
                &full,
                "its live settings were not read (its owner is not known: set `[declared] owner`)"
                    .into(),
                None,
            ));
            continue;
        };
        let html = match &lr.info {
            Fetched::Ok(i) => i.html_url.trim_end_matches('/').to_string(),
            Fetched::Refused(s) => {
                out.push(unverified(&full, format!("the repository could not be read ({s}): never created, or not visible to this token"), None));
                continue;
            }
            Fetched::Unavailable(_) => continue, // reported with the failures
        };
        let (_, default) = branches(ctx, &repo);
        // A config that manages no branch protection cannot drift from it.
        let branches = if facts.head.manages_protection() {
            lr.branches.as_slice()
        } else {
            &[]
        };
        for lb in branches {
            let Ok(lp) = protection::effective(lb, &html) else {
                continue; // an API failure, reported with the failures
            };
            let declared = view::branch(&facts.head, &repo, &lb.name, &default);
            if let Some(u) = &lp.unknown {
                out.push(unverified(
                    &full,
                    format!(
                        "`{}`: {} could not be read ({}; needs {})",
                        lb.name, u.what, u.status, u.permission
                    ),
                    Some(&format!("branch {}", lb.name)),
                ));
            }
            for d in compare::branch(&declared.policy, &lp) {
                let aspect = Aspect::ALL.iter().find(|a| a.setting() == d.setting);
                if aspect.is_some_and(|a| lp.is_unknown(*a)) {
                    continue;
                }
                let origin = aspect
                    .and_then(|a| {
                        declared
                            .policy
                            .of(*a)
                            .next()
                            .and_then(|(s, _)| declared.origin_of(&s.url))
                    })
                    .or_else(|| declared.origins.first().copied())
                    .or_else(|| super::repo_origin(&facts.head, &repo, &lb.name));
                if origin.is_some_and(|o| unknown_in(o, &d.setting)) {
                    continue;
                }
                out.push(drift(
                    &full,
                    &format!("branch {}", lb.name),
                    &format!("`{}`", lb.name),
                    &d,
                    origin,
                ));
            }
        }
        let envs = match &lr.environments {
            Fetched::Ok(e) => e,
            Fetched::Refused(s) => {
                if !view::environments(&facts.head, &repo).is_empty() {
                    out.push(unverified(
                        &full,
                        format!("its environments could not be read ({s}; needs Actions: read)"),
                        None,
                    ));
                }
                continue;
            }
            Fetched::Unavailable(_) => continue,
        };
        for e in view::environments(&facts.head, &repo) {
            let name = &e.facts.env.name;
            let live_env = envs.iter().find(|l| l.env.name == *name);
            let target = format!("environment {name}");
            let shown = format!("environment `{name}`");
            let Some(l) = live_env else {
                out.push(drift(
                    &full,
                    &target,
                    &shown,
                    &compare::Diff {
                        setting: "environment".into(),
                        before: "declared".into(),
                        after: "missing".into(),
                        weaker: true,
                    },
                    Some(&e.origin),
                ));
                continue;
            };
            let (d_norm, l_norm) = comparable(&e.facts, l);
            for d in compare::environment(Some(&d_norm), Some(&l_norm)) {
                if unknown_in(&e.origin, &d.setting) {
                    continue;
                }
                out.push(drift(&full, &target, &shown, &d, Some(&e.origin)));
            }
        }
    }
    out
}

/// Reviewers declared by reference (`github_team.release.id`) cannot be matched to GitHub's ids: then
/// both sides are compared by how many reviewers of each kind they have.
fn comparable(
    declared: &EnvironmentFacts,
    live: &EnvironmentFacts,
) -> (EnvironmentFacts, EnvironmentFacts) {
    let by_ref = declared
        .reviewers()
        .is_some_and(|r| r.reviewers.iter().any(|x| x.reviewer.get("id").is_none()));
    if !by_ref {
        return (declared.clone(), live.clone());
    }
    let count = |e: &EnvironmentFacts| {
        let mut e = e.clone();
        for rule in &mut e.env.protection_rules {
            let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
            for r in &mut rule.reviewers {
                let n = seen.entry(r.kind.clone()).or_insert(0);
                *n += 1;
                r.reviewer = serde_json::json!({ "name": format!("#{n}") });
            }
        }
        e
    };
    (count(declared), count(live))
}

fn drift(
    repo: &str,
    target: &str,
    shown: &str,
    d: &compare::Diff,
    origin: Option<&Origin>,
) -> Finding {
    let location = match origin {
        Some(o) => Location::File(o.settings.get(&d.setting).unwrap_or(&o.at).span()),
        None => Location::Setting {
            scope: format!("drift {repo} {target}"),
            name: d.setting.clone(),
            url: None,
        },
    };
    let (severity, cause) = if d.weaker {
        (
            Severity::Error,
            "changed by hand, or the config was never applied",
        )
    } else {
        (
            Severity::Warning,
            "stronger than declared: the next apply would loosen it",
        )
    };
    let by = origin.map_or(String::new(), |o| format!(" [{}]", o.label));
    rule!(DRIFT)
        .finding(
            format!(
                "{}{shown}: {} is {} on GitHub, declared {} — {cause}{by}",
                prefix(SettingsOrigin::Drift, repo),
                d.setting,
                d.after,
                d.before
            ),
            location,
        )
        .with_severity(severity)
        .with_evidence(format!("{repo} {target} {} {} / {}", d.setting, d.before, d.after))
        .with_help("apply the config (terraform apply, or a safe-settings sync), or change the config to match through a reviewed pull request")
        .about(SettingsRef {
            origin: SettingsOrigin::Drift,
            repository: repo.to_string(),
            target: target.to_string(),
            setting: d.setting.clone(),
        })
}

fn unverified(repo: &str, why: String, target: Option<&str>) -> Finding {
    let f = rule!(DRIFT_UNVERIFIED)
        .finding(
            format!("{}{why}; drift is not verified", prefix(SettingsOrigin::Drift, repo)),
            Location::Setting {
                scope: format!("drift {repo}{}", target.map_or(String::new(), |t| format!(" {t}"))),
                name: "settings".into(),
                url: None,
            },
        )
        .with_evidence(format!("{repo} {}", target.unwrap_or("")))
        .with_help("give the token read access to the declared repositories (Administration: read, Actions: read)");
    f
}
