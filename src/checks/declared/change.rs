//! A change to a config repository, judged by outcome: the declared settings at the merge base and at
//! the head, compared per repository and deployment branch (and per environment). Anything the head
//! protects less is a `declared/weakened` finding; a change that keeps or raises protection passes
//! however it rewrites the config.

use super::{branches, compare, prefix, repo_origin, rule, unknown_in, RULES, WEAKENED};
use crate::context::Context;
use crate::declared::model::{Declared, Origin};
use crate::declared::view;
use crate::finding::{Finding, Location, SettingsOrigin, SettingsRef};
use crate::github::protection::Aspect;

pub fn run(ctx: &Context) -> Vec<Finding> {
    let facts = &ctx.declared;
    let base = match &facts.base {
        None => return Vec::new(),
        Some(Ok(b)) => b,
        Some(Err(why)) => {
            return vec![rule!(super::UNRESOLVED)
                .finding(
                    format!("[declared] the merge base's declared settings could not be read ({why}): whether this change weakens them is unknown"),
                    Location::Repository,
                )
                .with_evidence("merge base")]
        }
    };
    let head = &facts.head;
    let mut repos = base.repo_names();
    for r in head.repo_names() {
        if !repos.contains(&r) {
            repos.push(r);
        }
    }
    let mut out = Vec::new();
    for repo in &repos {
        let full = facts.full_name(&ctx.config, repo);
        let (names, default) = branches(ctx, repo);
        let manages = base.manages_protection() || head.manages_protection();
        for b in names.iter().filter(|_| manages) {
            let before = view::branch(base, repo, b, &default);
            let after = view::branch(head, repo, b, &default);
            for d in compare::branch(&before.policy, &after.policy) {
                if !d.weaker {
                    continue;
                }
                // The declaration that now decides the setting, else the one whose pattern left the branch.
                let aspect = Aspect::ALL.iter().find(|a| a.setting() == d.setting);
                let deciding: Option<&Origin> = aspect
                    .and_then(|a| {
                        after
                            .policy
                            .of(*a)
                            .next()
                            .and_then(|(s, _)| after.origin_of(&s.url))
                    })
                    .or_else(|| after.origins.first().copied())
                    .or_else(|| repo_origin(head, repo, b));
                if deciding.is_some_and(|o| unknown_in(o, &d.setting)) {
                    continue; // reported as declared/unresolved
                }
                let why = no_longer_matches(head, repo, b, &default, after.origins.is_empty());
                out.push(finding(
                    &full,
                    &format!("branch {b}"),
                    &format!("`{b}`"),
                    &d,
                    deciding,
                    &why,
                ));
            }
        }
        let mut envs: Vec<String> = view::environments(base, repo)
            .iter()
            .map(|e| e.facts.env.name.clone())
            .collect();
        for e in view::environments(head, repo) {
            if !envs.contains(&e.facts.env.name) {
                envs.push(e.facts.env.name.clone());
            }
        }
        for name in envs {
            let find = |d: &'_ Declared| {
                view::environments(d, repo)
                    .into_iter()
                    .find(|e| e.facts.env.name == name)
                    .cloned()
            };
            let (b, h) = (find(base), find(head));
            for d in
                compare::environment(b.as_ref().map(|e| &e.facts), h.as_ref().map(|e| &e.facts))
            {
                if !d.weaker
                    || h.as_ref()
                        .is_some_and(|e| unknown_in(&e.origin, &d.setting))
                {
                    continue;
                }
                let deciding = h
                    .as_ref()
                    .map(|e| &e.origin)
                    .or_else(|| repo_origin(head, repo, ""));
                out.push(finding(
                    &full,
                    &format!("environment {name}"),
                    &format!("environment `{name}`"),
                    &d,
                    deciding,
                    "",
                ));
            }
        }
    }
    out
}

/// `(pattern `mian` no longer matches `main`)` when the repository's classic protection is still
/// declared but for a pattern that misses the branch.
fn no_longer_matches(
    head: &Declared,
    repo: &Option<String>,
    branch: &str,
    default: &str,
    none_apply: bool,
) -> String {
    if !none_apply {
        return String::new();
    }
    let patterns: Vec<&str> = head
        .classic
        .iter()
        .filter(|c| c.repo == *repo && !view::pattern_matches(&c.pattern, branch, default))
        .map(|c| c.pattern.as_str())
        .collect();
    if patterns.is_empty() {
        format!(" (no declaration protects `{branch}` any more)")
    } else {
        format!(
            " (the declared pattern `{}` no longer matches `{branch}`)",
            patterns.join("`, `")
        )
    }
}

fn finding(
    repo: &str,
    target: &str,
    shown: &str,
    d: &compare::Diff,
    deciding: Option<&Origin>,
    why: &str,
) -> Finding {
    let location = match deciding {
        Some(o) => {
            // A pattern that no longer matches is the cause: point at it.
            let pattern = o
                .settings
                .get("pattern")
                .filter(|_| why.contains("no longer matches"));
            let at = pattern
                .or_else(|| o.settings.get(&d.setting))
                .unwrap_or(&o.at);
            Location::File(at.span())
        }
        None => Location::Setting {
            scope: format!("declared {repo} {target}"),
            name: d.setting.clone(),
            url: None,
        },
    };
    let by = deciding.map_or(String::new(), |o| format!(" [{}]", o.label));
    rule!(WEAKENED)
        .finding(
            format!(
                "{}this change weakens {shown}: {} {} → {}{why}{by}",
                prefix(SettingsOrigin::Declared, repo),
                d.setting,
                d.before,
                d.after
            ),
            location,
        )
        .with_evidence(format!("{repo} {target} {} {} → {}", d.setting, d.before, d.after))
        .with_help("keep the setting or make it stricter; an intended weakening needs review by the owners of deployment policy")
        .about(SettingsRef {
            origin: SettingsOrigin::Declared,
            repository: repo.to_string(),
            target: target.to_string(),
            setting: d.setting.clone(),
        })
}
