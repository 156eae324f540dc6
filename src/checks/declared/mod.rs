//! Branch protection declared as code (rule family `declared/`, and the `branch/` and `deploy/` rules on
//! declared settings). The tree's Terraform and settings.yml declarations are judged offline by the same
//! `branch_protection::check` and `deploy_env::check` as the live settings, with the same wording, each
//! finding marked declared (`[declared]` in its message, `settings.origin = declared` in JSON and SARIF)
//! and located at the line that declares the setting. What could not be resolved offline is reported,
//! never guessed; a change that weakens declared protection (`change`) and live settings that differ
//! from the declared ones (`drift`) have rules of their own.

mod change;
pub mod compare;
mod drift;

use super::{branch_protection, deploy_env};
use crate::context::Context;
use crate::declared::model::{Declared, Origin};
use crate::declared::value::At;
use crate::declared::{view, DeclaredFacts, LiveGap, ASSUMED_DEFAULT};
use crate::finding::{Finding, Location, SettingsOrigin, SettingsRef, Severity};
use crate::rules::{rule, CodeRule};
use crate::status::NotEvaluated;
use std::collections::BTreeSet;

pub const UNRESOLVED: &str = "declared/unresolved";
pub const UNREADABLE: &str = "declared/unreadable";
pub const WEAKENED: &str = "declared/weakened";
pub const DRIFT: &str = "declared/drift";
pub const DRIFT_UNVERIFIED: &str = "declared/drift-unverified";

const WHY_DECLARED: &str = "Platform teams manage branch protection and deployment environments as code (Terraform's \
    GitHub provider, safe-settings). The regulator asked for protected deployment branches and review before \
    deployment after test data reached the Police National Database; when that protection lives in a config \
    repository, a setting nobody can read there is protection nobody has verified.";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: UNRESOLVED,
        fires_in: "declared::an_unresolvable_expression_is_reported_never_guessed",
        title: "A declared protection setting cannot be resolved offline",
        severity: Severity::Error,
        why: WHY_DECLARED,
        fix: "Give the value statically: a variable default, `terraform.tfvars` or `*.auto.tfvars`, or name the \
              pipeline's variable file in `[declared] var-files`. Module outputs, file reads and values known \
              only after apply cannot be judged offline; write the protection setting as a literal or a \
              variable. To accept the unknown, set this rule to \"warning\" in `[rules]`.",
        example: "[declared] `required_approving_review_count` of github_branch_protection.main[\"app\"] could not be resolved offline: `var.approvals` (variable `approvals` has no default and no value in a tfvars file)",
    },
    CodeRule {
        id: UNREADABLE,
        fires_in: "declared::a_config_file_that_does_not_parse_is_reported",
        title: "A file declaring repository settings does not parse",
        severity: Severity::Error,
        why: WHY_DECLARED,
        fix: "Fix the syntax error at the location given (`terraform validate`, or a YAML linter for \
              settings files); until then the protection it declares is unknown.",
        example: "[declared] infra/main.tf could not be parsed: expected `}`; the settings it declares are not verified",
    },
    CodeRule {
        id: WEAKENED,
        fires_in: "declared::a_pull_request_that_weakens_declared_protection_fails",
        title: "A change weakens a deployment branch's or environment's declared protection",
        severity: Severity::Error,
        why: "A pull request to the config repository can quietly drop a deployment branch's required reviews, \
              exempt admins, add a bypass actor or remove an environment's reviewers, and the next apply makes \
              it real for every repository it manages. Judged by outcome: the declared settings at the merge \
              base against those at the head, per repository and branch, so a rename or a refactor that \
              keeps protection passes and one that loosens it fails.",
        fix: "Keep the setting (or make it stricter). If the weakening is intended, have it reviewed by the \
              owners of deployment policy and accept it with a reasoned baseline entry or an inline \
              `shipgate:allow(declared/weakened) reason` on the line.",
        example: "[declared] octo-org/app: this change weakens `main`: required_approving_review_count 2 → 0",
    },
    CodeRule {
        id: DRIFT,
        fires_in: "declared::drift_reports_each_difference_from_the_live_settings",
        title: "A repository's live settings differ from the declared ones",
        severity: Severity::Error,
        why: "Declared protection that is not what GitHub enforces is a false assurance: someone changed a setting \
              by hand, or the config was never applied. Weaker live settings are errors; stronger ones are \
              warnings, because the next apply would loosen them.",
        fix: "Apply the config (terraform apply, or let safe-settings sync), or bring the config in line with \
              the live setting through a reviewed pull request.",
        example: "[drift] octo-org/app `main`: required_approving_review_count is 0 on GitHub, declared 2",
    },
    CodeRule {
        id: DRIFT_UNVERIFIED,
        fires_in: "declared::drift_that_cannot_be_read_fails_closed",
        title: "Live settings could not be read to compare with the declared ones",
        severity: Severity::Error,
        why: "Drift that cannot be checked is unknown, and a gate must not pass on unknowns.",
        fix: "Give the token read access to the declared repositories (Administration: read for classic \
              protection, Actions: read for environments), or run without `--drift`.",
        example: "[drift] octo-org/app: the live settings could not be read (404 Not Found)",
    },
];

/// Rules judged by comparing two evaluations (base and head, declared and live): they stay in a
/// `--diff` run whatever lines the change touched.
pub fn judged_by_outcome(rule: &str) -> bool {
    matches!(rule, WEAKENED | DRIFT | DRIFT_UNVERIFIED)
}

/// `[declared] octo-org/app: …`.
pub fn prefix(origin: SettingsOrigin, repo: &str) -> String {
    format!("[{}] {repo}: ", origin.as_str())
}

pub fn run(ctx: &Context) -> Vec<Finding> {
    let facts = &ctx.declared;
    let mut out = Vec::new();
    if !facts.any() {
        if ctx.config.declared.enabled == Some(true) {
            out.push(
                rule!(UNRESOLVED)
                    .finding(
                        "[declared] `[declared] enabled = true`, but the tree declares no repository settings (no Terraform GitHub resource, no .github/settings.yml)",
                        Location::Repository,
                    )
                    .with_evidence("nothing declared"),
            );
        }
        return out;
    }
    out.extend(unreadable(&facts.head));
    out.extend(unresolved(&facts.head));
    for repo in facts.head.repo_names() {
        let full = facts.full_name(&ctx.config, &repo);
        let (branches, default) = branches(ctx, &repo);
        let judged: &[String] = if facts.head.manages_protection() {
            &branches
        } else {
            &[]
        };
        for b in judged {
            let v = view::branch(&facts.head, &repo, b, &default);
            let codeowners = repo.is_none() && branch_protection::has_codeowners(ctx);
            let found =
                branch_protection::check(&v.policy, &ctx.config.github.branch, codeowners, false);
            let fallback = repo_origin(&facts.head, &repo, b);
            out.extend(found.into_iter().filter_map(|f| {
                let target = format!("branch {b}");
                relocate(f, SettingsOrigin::Declared, &full, &target, |url| {
                    v.origin_of(url).or(fallback)
                })
            }));
        }
        let req = &ctx.config.github.environments;
        for e in view::environments(&facts.head, &repo) {
            if req.exempt.iter().any(|(n, _)| *n == e.facts.env.name) {
                continue;
            }
            let target = format!("environment {}", e.facts.env.name);
            out.extend(
                deploy_env::check(&e.facts, req, "")
                    .into_iter()
                    .filter_map(|f| {
                        relocate(f, SettingsOrigin::Declared, &full, &target, |_| {
                            Some(&e.origin)
                        })
                    }),
            );
        }
    }
    out.extend(change::run(ctx));
    out.extend(drift::run(ctx));
    out
}

/// The deployment branches judged for a declared repository, and its default branch.
pub fn branches(ctx: &Context, repo: &Option<String>) -> (Vec<String>, String) {
    let facts = &ctx.declared;
    let declared_default = crate::declared::branches_of(facts, &ctx.config, repo)
        .filter(|_| ctx.config.declared.branches.is_empty())
        .and_then(|b| b.into_iter().next());
    let live_default = live_repo(facts, &ctx.config, repo)
        .and_then(|r| r.info.ok().map(|i| i.default_branch.clone()));
    let this_default = repo
        .is_none()
        .then(|| ctx.github.facts().map(|f| f.info.default_branch.clone()))
        .flatten();
    let default = declared_default
        .or(live_default)
        .or(this_default)
        .unwrap_or_else(|| ASSUMED_DEFAULT.to_string());
    if !ctx.config.declared.branches.is_empty() {
        return (ctx.config.declared.branches.clone(), default);
    }
    if repo.is_none() {
        let named: Vec<String> = ctx
            .config
            .deploy_branches
            .iter()
            .filter(|b| !b.contains(['*', '?', '[', '{']))
            .cloned()
            .collect();
        if !named.is_empty() {
            return (named, default);
        }
    }
    (vec![default.clone()], default)
}

/// Whether a repository's default branch is only assumed (nothing declares it, GitHub was not asked).
fn assumed(ctx: &Context, repo: &Option<String>) -> bool {
    ctx.config.declared.branches.is_empty()
        && crate::declared::branches_of(&ctx.declared, &ctx.config, repo).is_none()
        && live_repo(&ctx.declared, &ctx.config, repo).is_none()
        && !(repo.is_none()
            && (ctx.github.facts().is_some() || !ctx.config.deploy_branches.is_empty()))
}

pub fn live_repo<'a>(
    facts: &'a DeclaredFacts,
    config: &crate::config::Config,
    repo: &Option<String>,
) -> Option<&'a crate::declared::live::LiveRepo> {
    let full = facts.full_name(config, repo);
    match &facts.live {
        Some(Ok(live)) => live.repos.iter().find(|r| r.repo.to_string() == full),
        _ => None,
    }
}

/// Where a finding about a repository with no declaration for the branch points: a declaration of the
/// repository's classic protection that does not match the branch (its pattern is the cause), else any
/// declaration naming the repository.
pub fn repo_origin<'a>(
    d: &'a Declared,
    repo: &Option<String>,
    _branch: &str,
) -> Option<&'a Origin> {
    d.classic
        .iter()
        .filter(|c| c.repo == *repo)
        .map(|c| &c.origin)
        .next()
        .or_else(|| d.repos.iter().find(|r| r.name == *repo).map(|r| &r.origin))
        .or_else(|| {
            d.rulesets
                .iter()
                .find(|r| r.repo == *repo)
                .map(|r| &r.origin)
        })
        .or_else(|| {
            d.environments
                .iter()
                .find(|e| e.repo == *repo)
                .map(|e| &e.origin)
        })
}

/// The review settings a `required_pull_request_reviews` block holds: unknown with the block.
fn covered_by(setting: &str) -> &'static [&'static str] {
    match setting {
        "required_approving_review_count"
        | "dismiss_stale_reviews"
        | "require_code_owner_reviews"
        | "require_last_push_approval" => &["required_pull_request_reviews", "rules"],
        "required_status_checks" | "allow_force_pushes" | "allow_deletions" => &["rules"],
        "required_pull_request_reviews" => &["rules"],
        _ => &[],
    }
}

/// Is `setting` of this declaration unresolved (so a finding about it would be a guess)?
pub fn unknown_in(o: &Origin, setting: &str) -> bool {
    o.unknown.contains_key(setting)
        || covered_by(setting)
            .iter()
            .any(|s| o.unknown.contains_key(*s))
}

/// A check's finding about a setting, moved to the declaration: located at the line that declares the
/// setting, its message marked, its evidence naming the repository and target. None when the setting
/// is unresolved there (reported as `declared/unresolved` instead).
pub fn relocate<'a>(
    mut f: Finding,
    origin: SettingsOrigin,
    repo: &str,
    target: &str,
    origin_of: impl Fn(&str) -> Option<&'a Origin>,
) -> Option<Finding> {
    let (name, url) = match &f.location {
        Location::Setting { name, url, .. } => (name.clone(), url.clone().unwrap_or_default()),
        _ => (String::new(), String::new()),
    };
    let decl = origin_of(&url);
    if decl.is_some_and(|o| unknown_in(o, &name)) {
        return None;
    }
    f.location = match decl {
        Some(o) => Location::File(setting_at(o, &name).span()),
        None => Location::Setting {
            scope: format!("{} {repo} {target}", origin.as_str()),
            name: name.clone(),
            url: None,
        },
    };
    f.message = format!("{}{}", prefix(origin, repo), f.message);
    f.evidence = Some(format!(
        "{repo} {target} {}",
        f.evidence.as_deref().unwrap_or(&name)
    ));
    Some(f.about(SettingsRef {
        origin,
        repository: repo.to_string(),
        target: target.to_string(),
        setting: name,
    }))
}

/// Where a setting is decided in a declaration: its line; for a branch with no source, the pattern that
/// fails to match it; else the declaration.
fn setting_at<'a>(o: &'a Origin, name: &str) -> &'a At {
    o.settings
        .get(name)
        .or_else(|| match name {
            "protection" => o.settings.get("pattern"),
            "bypass_actors" | "enforce_admins" => o
                .settings
                .get("bypass_actors")
                .or(o.settings.get("enforce_admins")),
            _ => None,
        })
        .unwrap_or(&o.at)
}

fn unreadable(d: &Declared) -> Vec<Finding> {
    d.errors
        .iter()
        .map(|(at, msg)| {
            rule!(UNREADABLE)
                .finding(
                    format!(
                        "[declared] {} could not be parsed: {msg}; the settings it declares are not verified",
                        at.path
                    ),
                    Location::File(at.span()),
                )
                .with_evidence(at.path.to_string())
        })
        .collect()
}

/// Every unresolved expression that decides a setting, once per place written.
fn unresolved(d: &Declared) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut push = |what: String, u: &crate::declared::value::Unresolved| {
        let key = (u.at.path.to_string(), u.at.pos.start, u.why.clone());
        if !seen.insert(key) {
            return;
        }
        out.push(
            rule!(UNRESOLVED)
                .finding(
                    format!(
                        "[declared] {what} could not be resolved offline: `{}` ({}); shipgate does not guess it, so it is not verified",
                        u.expr, u.why
                    ),
                    Location::File(u.at.span()),
                )
                .with_evidence(u.expr.clone())
                .with_help("give the value statically (a variable default, terraform.tfvars, *.auto.tfvars, or `[declared] var-files`)"),
        );
    };
    for (what, u) in &d.unresolved {
        push(what.clone(), u);
    }
    let origins = d
        .classic
        .iter()
        .map(|c| &c.origin)
        .chain(d.rulesets.iter().map(|r| &r.origin))
        .chain(d.environments.iter().map(|e| &e.origin));
    for o in origins {
        for (setting, u) in &o.unknown {
            push(format!("`{setting}` of {}", o.label), u);
        }
    }
    out
}

/// Lines for the summary: assumed default branches, files not loaded, drift not read.
pub fn not_evaluated(ctx: &Context) -> Vec<NotEvaluated> {
    let facts = &ctx.declared;
    let mut out = Vec::new();
    if !facts.any() {
        return out;
    }
    let gap = |why: String| NotEvaluated {
        families: vec!["branch", "deploy", "declared"],
        what: "declared settings".into(),
        why,
    };
    let assumed: Vec<String> = facts
        .head
        .repo_names()
        .iter()
        .filter(|r| assumed(ctx, r))
        .map(|r| facts.full_name(&ctx.config, r))
        .collect();
    if !facts.head.manages_protection() {
        out.push(gap(
            "the declared settings manage no branch protection (no classic protection, no ruleset): the declared repositories' branches were not judged".into(),
        ));
    }
    if !assumed.is_empty() {
        out.push(gap(format!(
            "{} declare{} no default branch: `{ASSUMED_DEFAULT}` (GitHub's default for new repositories) was judged; name the deployment branches in `[declared] branches`",
            assumed.join(", "),
            if assumed.len() == 1 { "s" } else { "" }
        )));
    }
    out.extend(
        facts
            .head
            .notes
            .iter()
            .chain(&facts.notes)
            .map(|n| gap(n.clone())),
    );
    if let Some(Err(LiveGap::NotEvaluated(why))) = &facts.live {
        out.push(NotEvaluated {
            families: vec!["declared"],
            what: "drift between declared and live settings".into(),
            why: why.clone(),
        });
    }
    out
}
