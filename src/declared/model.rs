//! What a config declares, per repository, in GitHub's own API shapes (`github::protection`,
//! `github::environments`): classic protection, rulesets with their bypass actors, environments with
//! their reviewers and branch policies. Each declaration keeps where it was written and where each of
//! its settings was written, so a finding points at the line that decides it; and each setting that
//! could not be resolved offline is kept apart, never filled in.

use super::value::{At, Unresolved, Val, V};
use crate::github::environments::{
    BranchPolicy, DeploymentBranchPolicy, Environment, EnvironmentFacts, ProtectionRule, Reviewer,
};
use crate::github::protection::{
    Allowances, BranchRule, BypassActor, CheckContext, ClassicProtection, ClassicReviews,
    ClassicStatusChecks, Enabled, Named,
};
use std::collections::BTreeMap;

/// Which tool a declaration was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    Terraform,
    /// safe-settings / Probot `settings.yml`.
    Settings,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Terraform => "Terraform",
            Tool::Settings => "settings.yml",
        }
    }
}

/// Where a declaration and each of its settings were written, and what of it is unknown.
#[derive(Debug, Clone)]
pub struct Origin {
    pub tool: Tool,
    /// `github_branch_protection.main["app"]` or `.github/repos/app.yml branches[main]`.
    pub label: String,
    pub at: At,
    /// Setting name (as the checks name it) → where its value was written.
    pub settings: BTreeMap<String, At>,
    /// Setting name → the expression that could not be resolved.
    pub unknown: BTreeMap<String, Unresolved>,
}

impl Origin {
    pub fn new(tool: Tool, label: String, at: At) -> Origin {
        Origin {
            tool,
            label,
            at,
            settings: BTreeMap::new(),
            unknown: BTreeMap::new(),
        }
    }

    /// Where setting `name` is decided: its own line, else the declaration.
    pub fn at_setting(&self, name: &str) -> &At {
        self.settings.get(name).unwrap_or(&self.at)
    }

    fn note(&mut self, setting: &str, v: &Val) {
        if let Some(u) = v.first_unknown() {
            self.unknown
                .entry(setting.to_string())
                .or_insert_with(|| u.clone());
        }
        if let Some(at) = &v.at {
            self.settings.insert(setting.to_string(), at.clone());
        }
    }

    /// A flag: `default` when absent; false (and recorded unknown) when unresolved.
    pub fn flag(&mut self, body: &Val, key: &str, setting: &str, default: bool) -> bool {
        match body.get(key) {
            None => default,
            Some(v) if v.is_null() => default,
            Some(v) => {
                self.note(setting, v);
                v.as_bool().unwrap_or(default)
            }
        }
    }

    pub fn count(&mut self, body: &Val, key: &str, setting: &str, default: u32) -> u32 {
        match body.get(key) {
            None => default,
            Some(v) if v.is_null() => default,
            Some(v) => {
                self.note(setting, v);
                v.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
            }
        }
    }

    /// Strings of a list (symbolic references stand for themselves).
    pub fn strings(&mut self, body: &Val, key: &str, setting: &str) -> Vec<String> {
        let Some(v) = body.get(key) else {
            return Vec::new();
        };
        self.note(setting, v);
        match &v.v {
            V::List(items) => items
                .iter()
                .filter(|i| i.first_unknown().is_none() && !i.is_null())
                .map(Val::show)
                .collect(),
            V::Str(s) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// A nested block, noting it (and an unknown one) under `setting`.
    pub fn block<'v>(&mut self, body: &'v Val, key: &str, setting: &str) -> Option<&'v Val> {
        let v = body.get(key)?;
        if let Some(u) = v.first_unknown().filter(|_| !matches!(v.v, V::Map(_))) {
            self.unknown
                .entry(setting.to_string())
                .or_insert_with(|| u.clone());
        }
        let b = body.block(key)?;
        if b.unresolved().is_some() {
            self.note(setting, b);
            return None;
        }
        if let Some(at) = &b.at {
            self.settings
                .entry(setting.to_string())
                .or_insert_with(|| at.clone());
        }
        Some(b)
    }
}

#[derive(Debug, Clone)]
pub struct RepoDecl {
    /// The repository's name (without owner); None: the repository being checked (a repository-level
    /// `.github/settings.yml` that does not name itself).
    pub name: Option<String>,
    pub default_branch: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct ClassicDecl {
    pub repo: Option<String>,
    pub pattern: String,
    pub protection: ClassicProtection,
    pub origin: Origin,
}

/// Which repositories an organisation ruleset targets.
#[derive(Debug, Clone, Default)]
pub struct RepoCondition {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RulesetDecl {
    /// None with `org` set: an organisation ruleset.
    pub repo: Option<String>,
    pub org: Option<RepoCondition>,
    pub name: String,
    /// `active`; `evaluate` and `disabled` enforce nothing.
    pub enforcement: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub rules: Vec<BranchRule>,
    pub bypass: Vec<BypassActor>,
    /// Bypass actors as written (for messages): (type, id as written, mode).
    pub bypass_written: Vec<(String, String, String)>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct EnvDecl {
    pub repo: Option<String>,
    pub facts: EnvironmentFacts,
    pub origin: Origin,
}

/// Everything a tree declares.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    pub repos: Vec<RepoDecl>,
    pub classic: Vec<ClassicDecl>,
    pub rulesets: Vec<RulesetDecl>,
    pub environments: Vec<EnvDecl>,
    /// `provider "github" { owner }` (or safe-settings' organisation): whose repositories these are.
    pub owner: Option<String>,
    /// Whole declarations that could not be expanded: (what, the expression).
    pub unresolved: Vec<(String, Unresolved)>,
    /// Files that do not parse.
    pub errors: Vec<(At, String)>,
    pub notes: Vec<String>,
    pub tools: Vec<Tool>,
}

impl Declared {
    pub fn is_empty(&self) -> bool {
        self.repos.is_empty()
            && self.classic.is_empty()
            && self.rulesets.is_empty()
            && self.environments.is_empty()
            && self.unresolved.is_empty()
            && self.errors.is_empty()
    }

    /// Every repository named by a declaration, in order of first mention (None: this repository).
    pub fn repo_names(&self) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = Vec::new();
        let all = self
            .repos
            .iter()
            .map(|r| &r.name)
            .chain(self.classic.iter().map(|c| &c.repo))
            .chain(
                self.rulesets
                    .iter()
                    .filter(|r| r.org.is_none())
                    .map(|r| &r.repo),
            )
            .chain(self.environments.iter().map(|e| &e.repo));
        for n in all {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }

    /// Does this config manage branch protection at all (classic protection or a ruleset, for any
    /// repository)? A config that only creates repositories or environments leaves protection to be
    /// managed elsewhere, and its repositories' branches are not judged as unprotected.
    pub fn manages_protection(&self) -> bool {
        !self.classic.is_empty() || !self.rulesets.is_empty()
    }

    pub fn extend(&mut self, other: Declared) {
        self.repos.extend(other.repos);
        self.classic.extend(other.classic);
        self.rulesets.extend(other.rulesets);
        self.environments.extend(other.environments);
        if self.owner.is_none() {
            self.owner = other.owner;
        }
        self.unresolved.extend(other.unresolved);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        for t in other.tools {
            if !self.tools.contains(&t) {
                self.tools.push(t);
            }
        }
    }
}

/// The repository a resource names (a name, or what a reference resolved to). Err: it is unknown.
pub fn repo_of(body: &Val, key: &str) -> Result<Option<String>, Option<Unresolved>> {
    match body.get(key) {
        Some(v) => match &v.v {
            V::Str(s) => Ok(Some(
                s.rsplit_once('/')
                    .map_or(s.as_str(), |(_, n)| n)
                    .to_string(),
            )),
            V::Unknown(u) => Err(Some((**u).clone())),
            V::Ref(r) => Err(v.at.clone().map(|at| Unresolved {
                expr: r.clone(),
                why: "the repository is known only once Terraform has applied the config".into(),
                at,
            })),
            _ => Err(None),
        },
        None => Err(None),
    }
}

/// Classic protection from a REST-shaped body (safe-settings `protection:`, Terraform's v3 resource
/// uses the same names).
pub fn classic_rest(body: &Val, o: &mut Origin, terraform_v3: bool) -> ClassicProtection {
    let reviews = o
        .block(
            body,
            "required_pull_request_reviews",
            "required_pull_request_reviews",
        )
        .map(|r| {
            let allowances = r
                .block("bypass_pull_request_allowances")
                .map(|a| Allowances {
                    users: names(o, a, "users", "login"),
                    teams: names(o, a, "teams", "slug"),
                    apps: names(o, a, "apps", "slug"),
                });
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
                // Terraform's provider defaults the count to 1; the REST API (safe-settings) to 0.
                required_approving_review_count: o.count(
                    r,
                    "required_approving_review_count",
                    "required_approving_review_count",
                    u32::from(terraform_v3),
                ),
                require_last_push_approval: o.flag(
                    r,
                    "require_last_push_approval",
                    "require_last_push_approval",
                    false,
                ),
                bypass_pull_request_allowances: allowances,
            }
        });
    let checks = o
        .block(body, "required_status_checks", "required_status_checks")
        .map(|c| {
            let mut contexts = o.strings(c, "contexts", "required_status_checks");
            // v3's `checks = ["ci/test:12345"]`: the context before the app id.
            for ch in o.strings(c, "checks", "required_status_checks") {
                let name = ch
                    .rsplit_once(':')
                    .map_or(ch.as_str(), |(n, _)| n)
                    .to_string();
                if !contexts.contains(&name) {
                    contexts.push(name);
                }
            }
            ClassicStatusChecks {
                strict: o.flag(c, "strict", "required_status_checks", false),
                checks: contexts
                    .iter()
                    .map(|c| CheckContext { context: c.clone() })
                    .collect(),
                contexts,
            }
        });
    let enforce_admins = match body.get("enforce_admins").map(|v| &v.v) {
        // The API's answer shape, `{enabled: true}`, is accepted too.
        Some(V::Map(_)) => body
            .get("enforce_admins")
            .map(|m| o.flag(m, "enabled", "enforce_admins", false)),
        _ => Some(o.flag(body, "enforce_admins", "enforce_admins", false)),
    };
    ClassicProtection {
        required_status_checks: checks,
        enforce_admins: enforce_admins.map(|enabled| Enabled { enabled }),
        required_pull_request_reviews: reviews,
        allow_force_pushes: Some(Enabled {
            enabled: o.flag(body, "allow_force_pushes", "allow_force_pushes", false),
        }),
        allow_deletions: Some(Enabled {
            enabled: o.flag(body, "allow_deletions", "allow_deletions", false),
        }),
    }
}

/// Users, teams or apps: strings, or objects with `login`/`slug`.
fn names(o: &mut Origin, body: &Val, key: &str, field: &str) -> Vec<Named> {
    let Some(v) = body.get(key) else {
        return Vec::new();
    };
    o.note("bypass_actors", v);
    v.as_list()
        .unwrap_or_default()
        .iter()
        .filter(|i| i.first_unknown().is_none())
        .map(|i| {
            let name = i.get(field).map_or_else(|| i.show(), Val::show);
            Named {
                id: i.get("id").and_then(Val::as_u64),
                login: (field == "login").then(|| name.clone()),
                slug: (field != "login").then_some(name),
            }
        })
        .collect()
}

/// Ruleset rules from the REST shape (`[{type, parameters}]`), as safe-settings writes them.
pub fn rules_rest(body: &Val, o: &mut Origin) -> Vec<BranchRule> {
    let Some(list) = body.get("rules") else {
        return Vec::new();
    };
    o.note("rules", list);
    list.as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let kind = r.get("type")?.as_str()?.to_string();
            let params = r.get("parameters");
            if let Some(p) = params {
                for (k, setting) in RULE_SETTINGS {
                    if let Some(v) = p.get(k) {
                        o.note(setting, v);
                    }
                }
            }
            Some(BranchRule {
                kind,
                ruleset_id: None,
                ruleset_source_type: None,
                ruleset_source: None,
                parameters: params.map(to_json).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}

/// Ruleset parameter → the setting the checks name.
const RULE_SETTINGS: &[(&str, &str)] = &[
    (
        "required_approving_review_count",
        "required_approving_review_count",
    ),
    ("dismiss_stale_reviews_on_push", "dismiss_stale_reviews"),
    ("require_code_owner_review", "require_code_owner_reviews"),
    ("require_last_push_approval", "require_last_push_approval"),
    ("required_status_checks", "required_status_checks"),
    (
        "strict_required_status_checks_policy",
        "required_status_checks",
    ),
];

/// Ruleset rules from Terraform's block shape (`rules { pull_request { … } deletion = true }`).
pub fn rules_terraform(body: &Val, o: &mut Origin) -> Vec<BranchRule> {
    let Some(rules) = o.block(body, "rules", "rules") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let rule = |kind: &str, params: serde_json::Value| BranchRule {
        kind: kind.to_string(),
        ruleset_id: None,
        ruleset_source_type: None,
        ruleset_source: None,
        parameters: params,
    };
    for (flag, kind, setting) in [
        ("deletion", "deletion", "allow_deletions"),
        ("non_fast_forward", "non_fast_forward", "allow_force_pushes"),
    ] {
        if o.flag(rules, flag, setting, false) {
            out.push(rule(kind, serde_json::Value::Null));
        }
    }
    if let Some(pr) = o.block(rules, "pull_request", "required_pull_request_reviews") {
        let params = serde_json::json!({
            "required_approving_review_count": o.count(pr, "required_approving_review_count", "required_approving_review_count", 0),
            "dismiss_stale_reviews_on_push": o.flag(pr, "dismiss_stale_reviews_on_push", "dismiss_stale_reviews", false),
            "require_code_owner_review": o.flag(pr, "require_code_owner_review", "require_code_owner_reviews", false),
            "require_last_push_approval": o.flag(pr, "require_last_push_approval", "require_last_push_approval", false),
        });
        out.push(rule("pull_request", params));
    }
    if let Some(sc) = o.block(rules, "required_status_checks", "required_status_checks") {
        let checks: Vec<serde_json::Value> = sc
            .blocks("required_check")
            .iter()
            .filter_map(|c| {
                o.note("required_status_checks", c);
                c.get("context").and_then(Val::as_str)
            })
            .map(|c| serde_json::json!({"context": c}))
            .collect();
        let params = serde_json::json!({
            "required_status_checks": checks,
            "strict_required_status_checks_policy": o.flag(sc, "strict_required_status_checks_policy", "required_status_checks", false),
        });
        out.push(rule("required_status_checks", params));
    }
    out
}

/// Bypass actors: Terraform blocks or safe-settings items (`actor_id`, `actor_type`, `bypass_mode`).
pub fn bypass_actors(
    body: &Val,
    o: &mut Origin,
) -> (Vec<BypassActor>, Vec<(String, String, String)>) {
    let items = body.blocks("bypass_actors");
    if let Some(v) = body.get("bypass_actors") {
        o.note("bypass_actors", v);
    }
    let mut actors = Vec::new();
    let mut written = Vec::new();
    for a in items {
        if a.first_unknown().is_some() {
            continue; // noted above: the list is unknown
        }
        let ty = a.get("actor_type").map(Val::show).unwrap_or_default();
        let id = a.get("actor_id");
        let mode = a
            .get("bypass_mode")
            .map_or_else(|| "always".to_string(), Val::show);
        written.push((
            ty.clone(),
            id.map(Val::show).unwrap_or_default(),
            mode.clone(),
        ));
        actors.push(BypassActor {
            actor_id: id.and_then(Val::as_u64),
            actor_type: ty,
            bypass_mode: Some(mode),
        });
    }
    (actors, written)
}

/// `conditions { ref_name { include, exclude } }` (both shapes).
pub fn ref_conditions(body: &Val, o: &mut Origin) -> (Vec<String>, Vec<String>) {
    let Some(cond) = body.block("conditions") else {
        return (Vec::new(), Vec::new());
    };
    let Some(r) = cond.block("ref_name") else {
        return (Vec::new(), Vec::new());
    };
    (
        o.strings(r, "include", "conditions"),
        o.strings(r, "exclude", "conditions"),
    )
}

/// An environment from either shape. `reviewers` are Terraform's `reviewers { users, teams }` block
/// or safe-settings' `[{type, id}]` list.
pub fn environment(name: &str, body: &Val, o: &mut Origin, id: u64) -> EnvironmentFacts {
    let mut reviewers: Vec<Reviewer> = Vec::new();
    if let Some(v) = body.get("reviewers") {
        o.note("required_reviewers", v);
        match &v.v {
            V::List(items) if items.iter().any(|i| i.get("type").is_some()) => {
                for i in items.iter().filter(|i| i.first_unknown().is_none()) {
                    let kind = i.get("type").map(Val::show).unwrap_or_default();
                    let who = i
                        .get("id")
                        .or_else(|| i.get("name"))
                        .map(Val::show)
                        .unwrap_or_default();
                    reviewers.push(reviewer(&kind, &who));
                }
            }
            _ => {
                if let Some(b) = body.block("reviewers") {
                    for (key, kind) in [("users", "User"), ("teams", "Team")] {
                        for who in o.strings(b, key, "required_reviewers") {
                            reviewers.push(reviewer(kind, &who));
                        }
                    }
                }
            }
        }
    }
    let prevent_self_review = o.flag(body, "prevent_self_review", "prevent_self_review", false);
    let can_admins_bypass = o.flag(body, "can_admins_bypass", "can_admins_bypass", true);
    let mut policies: Vec<BranchPolicy> = Vec::new();
    let policy = o
        .block(body, "deployment_branch_policy", "deployment_branch_policy")
        .map(|p| {
            let custom = match p.get("custom_branch_policies") {
                // safe-settings lists the policies themselves.
                Some(Val {
                    v: V::List(items), ..
                }) => {
                    o.note(
                        "deployment_branch_policy",
                        p.get("custom_branch_policies").unwrap_or(p),
                    );
                    for i in items {
                        let name = i.get("name").map_or_else(|| i.show(), Val::show);
                        let kind = i.get("type").map(Val::show);
                        policies.push(BranchPolicy { name, kind });
                    }
                    true
                }
                _ => o.flag(
                    p,
                    "custom_branch_policies",
                    "deployment_branch_policy",
                    false,
                ),
            };
            DeploymentBranchPolicy {
                protected_branches: o.flag(
                    p,
                    "protected_branches",
                    "deployment_branch_policy",
                    false,
                ),
                custom_branch_policies: custom,
            }
        });
    let mut rules = Vec::new();
    if !reviewers.is_empty() || body.get("reviewers").is_some() {
        rules.push(ProtectionRule {
            kind: "required_reviewers".into(),
            prevent_self_review: Some(prevent_self_review),
            reviewers,
        });
    }
    EnvironmentFacts {
        env: Environment {
            id,
            name: name.to_string(),
            html_url: None,
            can_admins_bypass: Some(can_admins_bypass),
            protection_rules: rules,
            deployment_branch_policy: policy,
        },
        policies: policy
            .filter(|p| p.custom_branch_policies)
            .map(|_| crate::github::client::Fetched::Ok(policies)),
    }
}

fn reviewer(kind: &str, who: &str) -> Reviewer {
    let kind = match kind {
        "user" | "User" => "User",
        "team" | "Team" => "Team",
        other => other,
    };
    // A numeric id is the reviewer's identity on GitHub (what drift compares); anything else (a
    // reference such as `github_team.release.id`) names it as written.
    let reviewer = match who.parse::<u64>() {
        Ok(id) => serde_json::json!({ "name": format!("{kind} {id}"), "id": id }),
        Err(_) => serde_json::json!({ "name": who }),
    };
    Reviewer {
        kind: kind.to_string(),
        reviewer,
    }
}

/// A `Val` as JSON (ruleset parameters keep the API's shape); unknowns become null (noted elsewhere).
pub fn to_json(v: &Val) -> serde_json::Value {
    match &v.v {
        V::Null | V::Unknown(_) => serde_json::Value::Null,
        V::Bool(b) => serde_json::Value::Bool(*b),
        V::Num(n) => serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, |n| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e15)
                .map_or(serde_json::Value::Number(n.clone()), |f| {
                    serde_json::Value::from(f as u64)
                })
        }),
        V::Str(s) | V::Ref(s) => serde_json::Value::String(s.clone()),
        V::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        V::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}
