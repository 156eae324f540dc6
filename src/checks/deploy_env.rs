//! Deployment environments (rule family `deploy/`): a deployment waits for a reviewer who is not its
//! author, runs only from protected or listed branches, and admins cannot skip either.

use crate::config::EnvironmentRequirements;
use crate::context::Context;
use crate::finding::{Finding, Location, Severity};
use crate::github::client::Fetched;
use crate::github::environments::{self, EnvironmentFacts, ACTIONS_READ};
use crate::rules::rule;
use crate::rules::CodeRule;
use std::collections::BTreeSet;

pub const NO_REVIEWERS: &str = "deploy/env-no-reviewers";
pub const SELF_REVIEW: &str = "deploy/env-self-review";
pub const ANY_BRANCH: &str = "deploy/env-any-branch";
pub const ADMIN_BYPASS: &str = "deploy/env-admin-bypass";
pub const UNVERIFIED: &str = "deploy/unverified";

const WHY_REVIEW: &str = "In the police database case test data reached a live system and nobody noticed for \
    months; the regulator asked for review before deployment. An environment with required reviewers makes a \
    person approve each deployment to it, at the moment it happens.";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: NO_REVIEWERS,
        fires_in: "github::deployment_environments_need_reviewers_branch_limits_and_no_admin_bypass",
        title: "A deployment environment needs no approval",
        severity: Severity::Error,
        why: WHY_REVIEW,
        fix: "Settings → Environments → the environment → Required reviewers: add people or a team. (On GitHub \
              Free, Pro and Team this needs a public repository; private repositories need GitHub Enterprise.) \
              To exempt an environment, list it in `[github.environments] exempt` with a reason.",
        example: "environment `production` has no required reviewers",
    },
    CodeRule {
        id: SELF_REVIEW,
        fires_in: "github::deployment_environments_need_reviewers_branch_limits_and_no_admin_bypass",
        title: "Whoever starts a deployment may approve it",
        severity: Severity::Error,
        why: "A review by the person who triggered the deployment is no second pair of eyes: the regulator's \
              recommendation was review before deployment, which means someone else's.",
        fix: "Enable \"Prevent self-review\" on the environment's required reviewers.",
        example: "environment `production` lets the person who triggered a deployment approve it (prevent_self_review = false)",
    },
    CodeRule {
        id: ANY_BRANCH,
        fires_in: "github::deployment_environments_need_reviewers_branch_limits_and_no_admin_bypass",
        title: "A deployment environment accepts any branch",
        severity: Severity::Error,
        why: "If any branch can deploy, the protection on deployment branches can be sidestepped by deploying \
              from an unreviewed branch — the way code is inadvertently added to live systems, which the \
              regulator asked to prevent.",
        fix: "Set the environment's Deployment branches and tags to \"Protected branches only\", or to selected \
              branches (not `*`).",
        example: "environment `production` can be deployed from any branch (deployment_branch_policy = null)",
    },
    CodeRule {
        id: ADMIN_BYPASS,
        fires_in: "github::deployment_environments_need_reviewers_branch_limits_and_no_admin_bypass",
        title: "Admins can skip a deployment environment's protection",
        severity: Severity::Error,
        why: "GitHub lets administrators deploy without the required approval unless told otherwise; an \
              approval step that admins may skip does not guarantee review before deployment.",
        fix: "Disable \"Allow administrators to bypass configured protection rules\" on the environment, or set \
              `[github.environments] allow-admin-bypass = true` if that is a deliberate break-glass path.",
        example: "environment `production` lets admins bypass its protection rules (can_admins_bypass = true)",
    },
    CodeRule {
        id: UNVERIFIED,
        fires_in: "github::deployment_environments_the_token_cannot_read_are_unverified_and_fail_closed",
        title: "A deployment environment's protection could not be verified",
        severity: Severity::Error,
        why: "An environment shipgate cannot read might let anything deploy; unknown must not pass a \
              deployment gate.",
        fix: "Give the token Actions: read (fine-grained) or the repo scope (classic token).",
        example: "deployment environments could not be read (403 Resource not accessible by integration)",
    },
];

pub fn run(ctx: &Context) -> Vec<Finding> {
    check_environments(ctx, None)
}

/// Check the repository's environments, or only those named in `only` (e.g. the ones deploy workflows use).
pub fn check_environments(ctx: &Context, only: Option<&BTreeSet<String>>) -> Vec<Finding> {
    let Some(facts) = ctx.github.facts() else {
        return Vec::new();
    };
    let envs = match &facts.environments {
        Fetched::Ok(e) => e,
        Fetched::Refused(s) => {
            return vec![rule!(UNVERIFIED)
                .finding(
                    format!(
                        "deployment environments of {} could not be read ({s})",
                        facts.repo
                    ),
                    Location::Setting {
                        scope: "github:environments".into(),
                        name: "environments".into(),
                        url: Some(format!("{}/settings/environments", facts.html_url)),
                    },
                )
                .with_evidence("environments")
                .with_help(format!("give the token {ACTIONS_READ}"))]
        }
        Fetched::Unavailable(_) => return Vec::new(),
    };
    let req = &ctx.config.github.environments;
    environments::select(envs, only)
        .filter(|e| !req.exempt.iter().any(|(name, _)| *name == e.env.name))
        .flat_map(|e| {
            let target = format!("environment {}", e.env.name);
            check(e, req, &facts.html_url).into_iter().map(move |f| {
                super::branch_protection::observed(f, &facts.repo.to_string(), &target)
            })
        })
        .collect()
}

/// The findings for one environment.
pub fn check(e: &EnvironmentFacts, req: &EnvironmentRequirements, html_url: &str) -> Vec<Finding> {
    let env = &e.env;
    let url = format!("{html_url}/settings/environments/{}/edit", env.id);
    let finding = |rule: &CodeRule, name: &str, message: String, help: &str| {
        rule.finding(
            message,
            Location::Setting {
                scope: format!("github:environment {}", env.name),
                name: name.to_string(),
                url: Some(url.clone()),
            },
        )
        .with_evidence(name.to_string())
        .with_help(help.to_string())
    };
    let mut out = Vec::new();
    match e.reviewers() {
        None if req.required_reviewers => out.push(finding(
            rule!(NO_REVIEWERS),
            "required_reviewers",
            format!("environment `{}` has no required reviewers: deployments to it need nobody's approval", env.name),
            "add required reviewers to the environment (public repositories, or GitHub Enterprise for private ones)",
        )),
        Some(rule) if req.prevent_self_review && rule.prevent_self_review != Some(true) => out.push(finding(
            rule!(SELF_REVIEW),
            "prevent_self_review",
            format!(
                "environment `{}` lets the person who triggered a deployment approve it (prevent_self_review = {}; reviewers: {})",
                env.name,
                rule.prevent_self_review.map_or("unset".to_string(), |b| b.to_string()),
                rule.reviewers.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ")
            ),
            "enable \"Prevent self-review\" on the environment",
        )),
        _ => {}
    }
    if req.restrict_branches {
        match (&env.deployment_branch_policy, &e.policies) {
            (Some(p), _) if p.protected_branches => {}
            (Some(p), Some(Fetched::Ok(list))) if p.custom_branch_policies => {
                let open: Vec<&str> = list
                    .iter()
                    .filter(|b| environments::matches_everything(b))
                    .map(|b| b.name.as_str())
                    .collect();
                if !open.is_empty() {
                    out.push(finding(
                        rule!(ANY_BRANCH),
                        "deployment_branch_policy",
                        format!(
                            "environment `{}` can be deployed from any branch: its custom branch policy `{}` matches every branch",
                            env.name,
                            open.join("`, `")
                        ),
                        "list the deployment branches explicitly, or choose \"Protected branches only\"",
                    ));
                }
            }
            (Some(p), Some(Fetched::Refused(s))) if p.custom_branch_policies => out.push(
                finding(
                    rule!(UNVERIFIED),
                    "deployment_branch_policy",
                    format!(
                        "environment `{}` restricts deployments to custom branch policies that could not be read ({s})",
                        env.name
                    ),
                    "give the token Actions: read",
                ),
            ),
            (Some(p), Some(Fetched::Unavailable(_))) if p.custom_branch_policies => {}
            (policy, _) => out.push(finding(
                rule!(ANY_BRANCH),
                "deployment_branch_policy",
                format!(
                    "environment `{}` can be deployed from any branch (deployment_branch_policy = {})",
                    env.name,
                    if policy.is_some() { "no restriction" } else { "null" }
                ),
                "set Deployment branches and tags to \"Protected branches only\" or to selected branches",
            )),
        }
    }
    // GitHub's default is to let admins bypass; an absent field (older GHES) means that default.
    if !req.allow_admin_bypass && env.can_admins_bypass.unwrap_or(true) {
        out.push(finding(
            rule!(ADMIN_BYPASS),
            "can_admins_bypass",
            format!(
                "environment `{}` lets admins bypass its protection rules (can_admins_bypass = {})",
                env.name,
                env.can_admins_bypass
                    .map_or("unset, GitHub's default true".to_string(), |b| b
                        .to_string())
            ),
            "disable \"Allow administrators to bypass configured protection rules\"",
        ));
    }
    out
}
