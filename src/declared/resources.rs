//! Terraform resource instances → declarations (`model`), resource type by resource type, with the
//! GitHub provider's defaults: classic protection blocks force pushes and deletion unless allowed,
//! admins are exempt unless `enforce_admins`, a review block asks for one approval unless it says
//! otherwise; an environment lets admins bypass unless `can_admins_bypass = false`.

use super::model::{
    bypass_actors, classic_rest, environment, ref_conditions, repo_of, rules_terraform,
    ClassicDecl, Declared, EnvDecl, Origin, RepoCondition, RepoDecl, RulesetDecl, Tool,
};
use super::terraform::{Instance, Read};
use super::value::{Unresolved, Val};
use crate::github::environments::BranchPolicy;
use crate::github::protection::{
    Allowances, CheckContext, ClassicProtection, ClassicReviews, ClassicStatusChecks, Enabled,
    Named,
};

pub fn from_terraform(read: Read) -> Declared {
    let mut d = Declared {
        owner: read
            .owner
            .as_ref()
            .and_then(Val::as_str)
            .map(str::to_string),
        unresolved: read.unresolved,
        errors: read.errors,
        notes: read.notes,
        tools: vec![Tool::Terraform],
        ..Declared::default()
    };
    if let Some(u) = read.owner.as_ref().and_then(Val::first_unknown) {
        d.notes.push(format!(
            "the provider's `owner` ({}) could not be resolved: {}",
            u.expr, u.why
        ));
    }
    let mut policies: Vec<(Option<String>, String, BranchPolicy, Origin)> = Vec::new();
    for (n, i) in read.instances.iter().enumerate() {
        let origin = Origin::new(Tool::Terraform, i.address.clone(), i.at.clone());
        let repo_key = match i.kind.as_str() {
            "github_repository" => "name",
            "github_branch_protection" => "repository_id",
            "github_organization_ruleset" => "",
            _ => "repository",
        };
        let repo = if repo_key.is_empty() {
            None
        } else {
            match repo_of(&i.body, repo_key) {
                Ok(r) => r,
                Err(u) => {
                    d.unresolved.push((
                        format!("the repository of {}", i.address),
                        u.unwrap_or_else(|| missing(i, repo_key)),
                    ));
                    continue;
                }
            }
        };
        match i.kind.as_str() {
            "github_repository" => d.repos.push(RepoDecl {
                default_branch: i
                    .body
                    .get("default_branch")
                    .and_then(Val::as_str)
                    .map(str::to_string),
                name: repo,
                origin,
            }),
            "github_branch_default" => d.repos.push(RepoDecl {
                default_branch: i
                    .body
                    .get("branch")
                    .and_then(Val::as_str)
                    .map(str::to_string),
                name: repo,
                origin,
            }),
            "github_branch_protection" | "github_branch_protection_v3" => {
                let v3 = i.kind.ends_with("_v3");
                let key = if v3 { "branch" } else { "pattern" };
                let Some(pattern) = text_of(&mut d, i, key) else {
                    continue;
                };
                let mut origin = origin;
                if let Some(at) = i.body.get(key).and_then(|v| v.at.clone()) {
                    origin.settings.insert("pattern".into(), at);
                }
                let protection = if v3 {
                    classic_rest(&i.body, &mut origin, true)
                } else {
                    classic_graphql(&i.body, &mut origin)
                };
                d.classic.push(ClassicDecl {
                    repo,
                    pattern,
                    protection,
                    origin,
                });
            }
            "github_repository_ruleset" | "github_organization_ruleset" => {
                let mut origin = origin;
                let target = i
                    .body
                    .get("target")
                    .and_then(Val::as_str)
                    .unwrap_or("branch");
                if target != "branch" {
                    continue; // tag and push rulesets do not protect branches
                }
                let (include, exclude) = ref_conditions(&i.body, &mut origin);
                let (bypass, bypass_written) = bypass_actors(&i.body, &mut origin);
                let rules = rules_terraform(&i.body, &mut origin);
                let org = (i.kind == "github_organization_ruleset").then(|| {
                    let cond = i.body.block("conditions");
                    let names = cond.and_then(|c| c.block("repository_name"));
                    match names {
                        Some(n) => RepoCondition {
                            include: origin.strings(n, "include", "conditions"),
                            exclude: origin.strings(n, "exclude", "conditions"),
                        },
                        // `repository_id = [...]` names repositories by id: not known offline.
                        None => RepoCondition::default(),
                    }
                });
                d.rulesets.push(RulesetDecl {
                    repo,
                    org,
                    name: i.body.get("name").map(Val::show).unwrap_or_default(),
                    enforcement: i
                        .body
                        .get("enforcement")
                        .map_or_else(|| "active".to_string(), Val::show),
                    include,
                    exclude,
                    rules,
                    bypass,
                    bypass_written,
                    origin,
                });
            }
            "github_repository_environment" => {
                let Some(name) = text_of(&mut d, i, "environment") else {
                    continue;
                };
                let mut origin = origin;
                let facts = environment(&name, &i.body, &mut origin, n as u64 + 1);
                d.environments.push(EnvDecl {
                    repo,
                    facts,
                    origin,
                });
            }
            "github_repository_deployment_branch_policy"
            | "github_repository_environment_deployment_policy" => {
                let old = i.kind == "github_repository_deployment_branch_policy";
                let env_key = if old {
                    "environment_name"
                } else {
                    "environment"
                };
                let Some(env) = text_of(&mut d, i, env_key) else {
                    continue;
                };
                let (name, kind) = if old {
                    (i.body.get("name"), "branch")
                } else if let Some(t) = i.body.get("tag_pattern") {
                    (Some(t), "tag")
                } else {
                    (i.body.get("branch_pattern"), "branch")
                };
                let Some(name) = name.and_then(Val::as_str) else {
                    continue;
                };
                policies.push((
                    repo,
                    env,
                    BranchPolicy {
                        name: name.to_string(),
                        kind: Some(kind.to_string()),
                    },
                    origin,
                ));
            }
            _ => {}
        }
    }
    // Deployment branch policies are their own resources: attach each to its environment.
    for (repo, env, policy, origin) in policies {
        match d
            .environments
            .iter_mut()
            .find(|e| e.repo == repo && e.facts.env.name == env)
        {
            Some(e) => {
                if let Some(crate::github::client::Fetched::Ok(list)) = &mut e.facts.policies {
                    list.push(policy);
                    e.origin
                        .settings
                        .insert("deployment_branch_policy".into(), origin.at.clone());
                }
            }
            None => d.notes.push(format!(
                "{} names environment `{env}`, which no github_repository_environment declares",
                origin.label
            )),
        }
    }
    d
}

/// A string attribute every instance needs (a pattern, an environment name); unknown → reported.
fn text_of(d: &mut Declared, i: &Instance, key: &str) -> Option<String> {
    match i.body.get(key) {
        Some(v) if v.as_str().is_some() => v.as_str().map(str::to_string),
        Some(v) => {
            let u = v.first_unknown().cloned().unwrap_or_else(|| Unresolved {
                expr: v.show(),
                why: format!("`{key}` is not a string"),
                at: v.at.clone().unwrap_or_else(|| i.at.clone()),
            });
            d.unresolved.push((format!("`{key}` of {}", i.address), u));
            None
        }
        None => {
            d.unresolved
                .push((format!("`{key}` of {}", i.address), missing(i, key)));
            None
        }
    }
}

fn missing(i: &Instance, key: &str) -> Unresolved {
    Unresolved {
        expr: i.address.clone(),
        why: format!("it has no `{key}`"),
        at: i.at.clone(),
    }
}

/// `github_branch_protection` (the provider's GraphQL resource): its own attribute names.
fn classic_graphql(body: &Val, o: &mut Origin) -> ClassicProtection {
    let reviews = o
        .block(
            body,
            "required_pull_request_reviews",
            "required_pull_request_reviews",
        )
        .map(|r| {
            let bypassers = o.strings(r, "pull_request_bypassers", "bypass_actors");
            ClassicReviews {
                dismiss_stale_reviews: o.flag(
                    r,
                    "dismiss_stale_reviews",
                    "dismiss_stale_reviews",
                    false,
                ),
                require_code_owner_reviews: o.flag(
                    r,
                    "require_code_owner_reviews",
                    "require_code_owner_reviews",
                    false,
                ),
                required_approving_review_count: o.count(
                    r,
                    "required_approving_review_count",
                    "required_approving_review_count",
                    1,
                ),
                require_last_push_approval: o.flag(
                    r,
                    "require_last_push_approval",
                    "require_last_push_approval",
                    false,
                ),
                bypass_pull_request_allowances: (!bypassers.is_empty())
                    .then(|| allowances(&bypassers)),
            }
        });
    let checks = o
        .block(body, "required_status_checks", "required_status_checks")
        .map(|c| {
            let contexts = o.strings(c, "contexts", "required_status_checks");
            ClassicStatusChecks {
                strict: o.flag(c, "strict", "required_status_checks", false),
                checks: contexts
                    .iter()
                    .map(|c| CheckContext { context: c.clone() })
                    .collect(),
                contexts,
            }
        });
    ClassicProtection {
        required_status_checks: checks,
        enforce_admins: Some(Enabled {
            enabled: o.flag(body, "enforce_admins", "enforce_admins", false),
        }),
        required_pull_request_reviews: reviews,
        allow_force_pushes: Some(Enabled {
            enabled: o.flag(body, "allows_force_pushes", "allow_force_pushes", false),
        }),
        allow_deletions: Some(Enabled {
            enabled: o.flag(body, "allows_deletions", "allow_deletions", false),
        }),
    }
}

/// `pull_request_bypassers = ["/octocat", "octo-org/release", "MDQ6VXNlcjE="]`: users start with `/`,
/// teams are `org/slug`, anything else is an actor's node id.
fn allowances(list: &[String]) -> Allowances {
    let mut a = Allowances::default();
    for who in list {
        let named = |login: Option<String>, slug: Option<String>| Named {
            id: None,
            login,
            slug,
        };
        if let Some(user) = who.strip_prefix('/') {
            a.users.push(named(Some(user.to_string()), None));
        } else if who.contains('/') {
            a.teams.push(named(None, Some(who.clone())));
        } else {
            a.users.push(named(Some(who.clone()), None));
        }
    }
    a
}
