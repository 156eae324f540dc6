//! Effective protection of one branch: classic branch protection and every active ruleset, read separately
//! and merged. GitHub enforces them all at once, so for each setting the strictest source wins; a source
//! this token cannot read is recorded as unknown, never as "off".

use super::client::{ApiError, Client, Fetched, HttpStatus};
use super::graphql::{self, BranchProtectionRule, RefRules, RefUpdateRule};
use super::{path_segment, RepoId};
use serde::Deserialize;
use std::collections::BTreeSet;

/// What the token needs for classic protection, and who can have it.
pub const ADMIN_READ: &str =
    "Administration: read — a fine-grained personal access token or a GitHub App \
    installation token; the Actions GITHUB_TOKEN cannot be granted it";

// ---- API shapes (only the fields shipgate reads) -------------------------------------------------------

/// `GET /repos/{o}/{r}/branches/{b}/protection`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClassicProtection {
    #[serde(default)]
    pub required_status_checks: Option<ClassicStatusChecks>,
    #[serde(default)]
    pub enforce_admins: Option<Enabled>,
    #[serde(default)]
    pub required_pull_request_reviews: Option<ClassicReviews>,
    #[serde(default)]
    pub allow_force_pushes: Option<Enabled>,
    #[serde(default)]
    pub allow_deletions: Option<Enabled>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Enabled {
    #[serde(default)]
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClassicStatusChecks {
    #[serde(default)]
    pub strict: bool,
    #[serde(default)]
    pub contexts: Vec<String>,
    #[serde(default)]
    pub checks: Vec<CheckContext>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CheckContext {
    pub context: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClassicReviews {
    #[serde(default)]
    pub dismiss_stale_reviews: bool,
    #[serde(default)]
    pub require_code_owner_reviews: bool,
    #[serde(default)]
    pub required_approving_review_count: u32,
    #[serde(default)]
    pub require_last_push_approval: bool,
    #[serde(default)]
    pub bypass_pull_request_allowances: Option<Allowances>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Allowances {
    #[serde(default)]
    pub users: Vec<Named>,
    #[serde(default)]
    pub teams: Vec<Named>,
    #[serde(default)]
    pub apps: Vec<Named>,
}

/// A user (`login`), team or app (`slug`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Named {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
}

impl Named {
    fn name(&self) -> String {
        self.login
            .clone()
            .or_else(|| self.slug.clone())
            .unwrap_or_else(|| self.id.map(|i| i.to_string()).unwrap_or_default())
    }
}

/// One item of `GET /repos/{o}/{r}/rules/branches/{b}`: an active rule and the ruleset it comes from.
#[derive(Debug, Clone, Deserialize)]
pub struct BranchRule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub ruleset_id: Option<u64>,
    #[serde(default)]
    pub ruleset_source_type: Option<String>,
    #[serde(default)]
    pub ruleset_source: Option<String>,
    #[serde(default)]
    pub parameters: serde_json::Value,
}

/// `GET /repos/{o}/{r}/rulesets/{id}`. `bypass_actors` is absent when the token may not see it.
#[derive(Debug, Clone, Deserialize)]
pub struct Ruleset {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub source_type: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub bypass_actors: Option<Vec<BypassActor>>,
    #[serde(default, rename = "_links")]
    pub links: Option<RulesetLinks>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BypassActor {
    #[serde(default)]
    pub actor_id: Option<u64>,
    pub actor_type: String,
    #[serde(default)]
    pub bypass_mode: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RulesetLinks {
    #[serde(default)]
    pub html: Option<Href>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Href {
    pub href: String,
}

// ---- What was read for one branch ----------------------------------------------------------------------

/// Classic protection as far as this token can tell.
#[derive(Debug, Clone)]
pub enum Classic {
    Protected(Box<ClassicProtection>),
    /// 404 `Branch not protected`.
    NotProtected,
    /// 403 `Upgrade to GitHub Pro or make this repository public…`: the plan has no protection for private
    /// repositories, so none applies.
    NotOnPlan(String),
    /// 404 `Branch not found`: nothing is pushed there yet; only rulesets would protect it when it is.
    NoSuchBranch,
    /// 404 `Not Found` or 403 `Resource not accessible by …`: the token lacks Administration: read.
    Unreadable(HttpStatus),
    Unavailable(ApiError),
}

impl Classic {
    fn from(f: Fetched<ClassicProtection>) -> Classic {
        match f {
            Fetched::Ok(p) => Classic::Protected(Box::new(p)),
            Fetched::Refused(s)
                if s.code == 404 && s.message.eq_ignore_ascii_case("Branch not protected") =>
            {
                Classic::NotProtected
            }
            Fetched::Refused(s) if s.code == 403 && s.message.contains("Upgrade to GitHub Pro") => {
                Classic::NotOnPlan(s.message)
            }
            Fetched::Refused(s)
                if s.code == 404 && s.message.eq_ignore_ascii_case("Branch not found") =>
            {
                Classic::NoSuchBranch
            }
            Fetched::Refused(s) => Classic::Unreadable(s),
            Fetched::Unavailable(e) => Classic::Unavailable(e),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BranchFacts {
    pub name: String,
    pub classic: Classic,
    /// Asked only when classic protection is unreadable over REST: what GraphQL shows of it.
    pub graphql: Option<Fetched<RefRules>>,
    pub rules: Fetched<Vec<BranchRule>>,
    pub rulesets: Vec<(u64, Fetched<Ruleset>)>,
}

/// Read classic protection and active rules concurrently, then the rulesets the rules name (for names and
/// bypass actors).
pub async fn fetch(client: &Client, repo: &RepoId, branch: &str) -> BranchFacts {
    let b = path_segment(branch, true);
    let rules_path = format!("/repos/{repo}/rules/branches/{b}?per_page=100");
    let classic_path = format!("/repos/{repo}/branches/{b}/protection");
    let (rules, classic) = futures_util::join!(
        client.get_list::<BranchRule>(&rules_path, None),
        client.get::<ClassicProtection>(&classic_path)
    );
    let ids: BTreeSet<u64> = rules
        .ok()
        .map(|r| r.iter().filter_map(|r| r.ruleset_id).collect())
        .unwrap_or_default();
    let classic = Classic::from(classic);
    let unreadable = matches!(classic, Classic::Unreadable(_));
    let (rulesets, graphql) = futures_util::join!(
        futures_util::future::join_all(ids.into_iter().map(|id| async move {
            let path = format!("/repos/{repo}/rulesets/{id}?includes_parents=true");
            (id, client.get::<Ruleset>(&path).await)
        })),
        async {
            if unreadable {
                Some(graphql::protection(client, repo, branch).await)
            } else {
                None
            }
        }
    );
    BranchFacts {
        name: branch.to_string(),
        classic,
        graphql,
        rules,
        rulesets,
    }
}

// ---- The merged policy ---------------------------------------------------------------------------------

/// The settings shipgate requires, named as GitHub's classic protection API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Aspect {
    PullRequest,
    Approvals,
    DismissStale,
    CodeOwners,
    LastPush,
    StatusChecks,
    ForcePushes,
    Deletions,
}

impl Aspect {
    pub const ALL: [Aspect; 8] = [
        Aspect::PullRequest,
        Aspect::Approvals,
        Aspect::DismissStale,
        Aspect::CodeOwners,
        Aspect::LastPush,
        Aspect::StatusChecks,
        Aspect::ForcePushes,
        Aspect::Deletions,
    ];

    pub fn setting(self) -> &'static str {
        match self {
            Aspect::PullRequest => "required_pull_request_reviews",
            Aspect::Approvals => "required_approving_review_count",
            Aspect::DismissStale => "dismiss_stale_reviews",
            Aspect::CodeOwners => "require_code_owner_reviews",
            Aspect::LastPush => "require_last_push_approval",
            Aspect::StatusChecks => "required_status_checks",
            Aspect::ForcePushes => "allow_force_pushes",
            Aspect::Deletions => "allow_deletions",
        }
    }

    /// Aspects a pull-request-only bypass (classic allowances, ruleset `bypass_mode: pull_request`) escapes.
    fn review_aspect(self) -> bool {
        matches!(
            self,
            Aspect::PullRequest
                | Aspect::Approvals
                | Aspect::DismissStale
                | Aspect::CodeOwners
                | Aspect::LastPush
        )
    }
}

/// A source's value for one aspect. Flags are "the protective setting is on" (force pushes *blocked*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Flag(bool),
    Count(u32),
    Checks { contexts: Vec<String>, strict: bool },
}

impl Value {
    /// Display as the current value of the setting, in the API's own terms.
    pub fn show(&self, aspect: Aspect) -> String {
        match (self, aspect) {
            (Value::Flag(on), Aspect::ForcePushes | Aspect::Deletions) => format!("{}", !on),
            (Value::Flag(on), Aspect::PullRequest) => {
                if *on {
                    "enabled".into()
                } else {
                    "disabled".into()
                }
            }
            (Value::Flag(on), _) => on.to_string(),
            (Value::Count(n), _) => n.to_string(),
            (Value::Checks { contexts, .. }, _) if contexts.is_empty() => "none".into(),
            (Value::Checks { contexts, .. }, _) => format!("[{}]", contexts.join(", ")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    Classic,
    Ruleset(u64),
}

/// Who can get past a source's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bypasser {
    pub actor_type: String,
    pub actor_id: Option<u64>,
    pub label: String,
    /// Only around reviews (classic PR allowances; ruleset `bypass_mode: pull_request`).
    pub reviews_only: bool,
}

impl Bypasser {
    pub fn escapes(&self, aspect: Aspect) -> bool {
        !self.reviews_only || aspect.review_aspect()
    }
    /// Identity for intersecting bypassers across sources.
    pub fn key(&self) -> (String, Option<u64>) {
        (self.actor_type.clone(), self.actor_id)
    }
}

#[derive(Debug, Clone)]
pub enum Bypass {
    Known(Vec<Bypasser>),
    /// e.g. `bypass_actors` not visible to this token, or the ruleset could not be read.
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct Source {
    pub kind: SourceKind,
    /// `classic branch protection` or `ruleset "main" (id 42)`.
    pub label: String,
    /// Where to change it.
    pub url: String,
    pub bypass: Bypass,
    /// The setting that grants the bypass: `enforce_admins` or `bypass_actors`.
    pub bypass_setting: &'static str,
}

/// A source that could not be read.
#[derive(Debug, Clone)]
pub struct Unknown {
    pub what: String,
    pub status: HttpStatus,
    pub permission: &'static str,
    /// The aspects it leaves unknown; None: every aspect (the whole source is unreadable). Some when
    /// GraphQL's `refUpdateRule` showed the rest of classic protection to a token without admin.
    pub only: Option<Vec<Aspect>>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub branch: String,
    pub sources: Vec<Source>,
    /// (aspect, index into `sources`, value).
    pub values: Vec<(Aspect, usize, Value)>,
    /// Classic protection this token cannot read: it might make any aspect stricter.
    pub unknown: Option<Unknown>,
    /// Said when a plan lacks a feature (private repository on GitHub Free).
    pub notes: Vec<String>,
    /// Where protection is configured when nothing is yet.
    pub settings_url: String,
    /// Classic protection's settings were read in full (an admin's REST answer or GraphQL's
    /// `branchProtectionRule`, or a known absence), not only as `refUpdateRule` shows them: what
    /// Scorecard can see without admin differs (`scorecard`).
    pub classic_read_in_full: bool,
}

impl Policy {
    /// Every known value of an aspect, with its source.
    pub fn of(&self, aspect: Aspect) -> impl Iterator<Item = (&Source, &Value)> {
        self.values
            .iter()
            .filter(move |(a, _, _)| *a == aspect)
            .filter_map(|(_, i, v)| self.sources.get(*i).map(|s| (s, v)))
    }

    /// Could an unreadable source make `aspect` stricter than what was read?
    pub fn is_unknown(&self, aspect: Aspect) -> bool {
        self.unknown
            .as_ref()
            .is_some_and(|u| u.only.as_ref().is_none_or(|only| only.contains(&aspect)))
    }

    /// Classic protection was read only as far as GraphQL's `refUpdateRule` shows it (no admin token):
    /// its admin-only settings and who can bypass it are unknown.
    pub fn partial_classic(&self) -> bool {
        self.unknown.as_ref().is_some_and(|u| u.only.is_some())
    }

    /// Nothing protects the branch, and we know it (no unreadable source).
    pub fn unprotected(&self) -> bool {
        self.sources.is_empty() && self.unknown.is_none()
    }
}

/// Merge what was read. Err: something essential failed outright (reported as `gate/github-unavailable`).
pub fn effective(b: &BranchFacts, html_url: &str) -> Result<Policy, ApiError> {
    let mut p = Policy {
        branch: b.name.clone(),
        sources: Vec::new(),
        values: Vec::new(),
        unknown: None,
        notes: Vec::new(),
        settings_url: format!("{html_url}/settings/branches"),
        classic_read_in_full: !matches!(b.classic, Classic::Unreadable(_)),
    };
    match &b.classic {
        Classic::Protected(c) => add_classic(&mut p, c, html_url),
        Classic::NotProtected => {}
        Classic::NoSuchBranch => p.notes.push(format!(
            "branch `{}` does not exist on GitHub, so no classic protection applies to it",
            b.name
        )),
        Classic::NotOnPlan(msg) => p.notes.push(format!(
            "classic branch protection is not available for this repository: GitHub says \"{msg}\""
        )),
        Classic::Unreadable(status) => {
            match &b.graphql {
                Some(Fetched::Unavailable(e)) => return Err(e.clone()),
                Some(Fetched::Ok(r)) if r.no_branch => p.notes.push(format!(
                    "branch `{}` does not exist on GitHub, so no classic protection applies to it",
                    b.name
                )),
                Some(Fetched::Ok(r)) if r.protection_rule.is_some() => {
                    if let Some(rule) = &r.protection_rule {
                        p.classic_read_in_full = true;
                        add_classic(&mut p, &from_graphql(rule), html_url);
                    }
                }
                Some(Fetched::Ok(r)) => match &r.update_rule {
                    Some(rule) => add_ref_update_rule(&mut p, rule, status, html_url),
                    // No classic rule is enforced on this token for the branch.
                    None => p.notes.push(
                        "classic protection read through GraphQL's refUpdateRule: no rule applies"
                            .into(),
                    ),
                },
                Some(Fetched::Refused(_)) | None => {
                    p.unknown = Some(Unknown {
                        what: "classic branch protection".into(),
                        status: status.clone(),
                        permission: ADMIN_READ,
                        only: None,
                    })
                }
            }
        }
        Classic::Unavailable(e) => return Err(e.clone()),
    }
    let rules = match &b.rules {
        Fetched::Ok(r) => r.as_slice(),
        Fetched::Refused(s) if s.code == 403 && s.message.contains("Upgrade to GitHub Pro") => {
            p.notes.push(format!(
                "rulesets are not available for this repository: GitHub says \"{}\"",
                s.message
            ));
            &[]
        }
        // Rules are readable with Metadata: read, which every token that can see the repository has; a
        // refusal here means the answer is unknown, and unknown must not pass.
        Fetched::Refused(s) => {
            p.unknown = Some(Unknown {
                what: "the rulesets that apply to the branch".into(),
                status: s.clone(),
                permission: "Metadata: read",
                only: None,
            });
            &[]
        }
        Fetched::Unavailable(e) => return Err(e.clone()),
    };
    add_rulesets(&mut p, rules, &b.rulesets, html_url);
    Ok(p)
}

/// The settings of classic protection that `refUpdateRule` does not show.
pub const ADMIN_ONLY: [Aspect; 2] = [Aspect::DismissStale, Aspect::LastPush];

/// Classic protection as GraphQL's `refUpdateRule` shows it to any reader: force pushes, deletions,
/// required approvals (a count means pull requests are required), code-owner review and status check
/// names. Stale-review dismissal, last-push approval, strict checks and whether admins are exempt stay
/// unknown, naming the permission that reveals them.
fn add_ref_update_rule(p: &mut Policy, r: &RefUpdateRule, status: &HttpStatus, html_url: &str) {
    let i = p.sources.len();
    p.sources.push(Source {
        kind: SourceKind::Classic,
        label: "classic branch protection (as GraphQL's refUpdateRule shows it)".into(),
        url: format!("{html_url}/settings/branches"),
        bypass: Bypass::Unknown(format!(
            "whether it applies to admins (enforce_admins) is visible only with {ADMIN_READ}"
        )),
        bypass_setting: "enforce_admins",
    });
    let mut set = |a, v| p.values.push((a, i, v));
    set(
        Aspect::PullRequest,
        Value::Flag(r.required_approving_review_count.is_some()),
    );
    set(
        Aspect::Approvals,
        Value::Count(r.required_approving_review_count.unwrap_or(0)),
    );
    set(
        Aspect::CodeOwners,
        Value::Flag(r.requires_code_owner_reviews),
    );
    set(
        Aspect::StatusChecks,
        Value::Checks {
            contexts: r
                .required_status_check_contexts
                .iter()
                .flatten()
                .flatten()
                .cloned()
                .collect(),
            strict: false,
        },
    );
    set(Aspect::ForcePushes, Value::Flag(!r.allows_force_pushes));
    set(Aspect::Deletions, Value::Flag(!r.allows_deletions));
    p.unknown = Some(Unknown {
        what: "classic branch protection's admin-only settings".into(),
        status: status.clone(),
        permission: ADMIN_READ,
        only: Some(ADMIN_ONLY.to_vec()),
    });
}

/// GraphQL's `branchProtectionRule` (admin) in the REST shape (bypass allowances are not asked for).
fn from_graphql(r: &BranchProtectionRule) -> ClassicProtection {
    let on = |b: bool| Some(Enabled { enabled: b });
    ClassicProtection {
        required_status_checks: r.requires_status_checks.then(|| ClassicStatusChecks {
            strict: r.requires_strict_status_checks,
            contexts: r
                .required_status_check_contexts
                .iter()
                .flatten()
                .flatten()
                .cloned()
                .collect(),
            checks: Vec::new(),
        }),
        enforce_admins: on(r.is_admin_enforced),
        required_pull_request_reviews: r.requires_approving_reviews.then(|| ClassicReviews {
            dismiss_stale_reviews: r.dismisses_stale_reviews,
            require_code_owner_reviews: r.requires_code_owner_reviews,
            required_approving_review_count: r.required_approving_review_count.unwrap_or(0),
            require_last_push_approval: r.require_last_push_approval,
            bypass_pull_request_allowances: None,
        }),
        allow_force_pushes: on(r.allows_force_pushes),
        allow_deletions: on(r.allows_deletions),
    }
}

fn add_classic(p: &mut Policy, c: &ClassicProtection, html_url: &str) {
    let mut bypass = Vec::new();
    if !c.enforce_admins.is_some_and(|e| e.enabled) {
        bypass.push(Bypasser {
            actor_type: "RepositoryRole".into(),
            actor_id: Some(5),
            label: "repository admins (enforce_admins = false)".into(),
            reviews_only: false,
        });
    }
    if let Some(a) = c
        .required_pull_request_reviews
        .as_ref()
        .and_then(|r| r.bypass_pull_request_allowances.as_ref())
    {
        for (ty, list) in [
            ("User", &a.users),
            ("Team", &a.teams),
            ("Integration", &a.apps),
        ] {
            for n in list {
                bypass.push(Bypasser {
                    actor_type: ty.into(),
                    actor_id: n.id,
                    label: format!(
                        "{} `{}` (bypass_pull_request_allowances)",
                        ty.to_lowercase(),
                        n.name()
                    ),
                    reviews_only: true,
                });
            }
        }
    }
    let i = p.sources.len();
    p.sources.push(Source {
        kind: SourceKind::Classic,
        label: "classic branch protection".into(),
        url: format!("{html_url}/settings/branches"),
        bypass: Bypass::Known(bypass),
        bypass_setting: "enforce_admins",
    });
    let r = c.required_pull_request_reviews.as_ref();
    let mut set = |a, v| p.values.push((a, i, v));
    set(Aspect::PullRequest, Value::Flag(r.is_some()));
    set(
        Aspect::Approvals,
        Value::Count(r.map_or(0, |r| r.required_approving_review_count)),
    );
    set(
        Aspect::DismissStale,
        Value::Flag(r.is_some_and(|r| r.dismiss_stale_reviews)),
    );
    set(
        Aspect::CodeOwners,
        Value::Flag(r.is_some_and(|r| r.require_code_owner_reviews)),
    );
    set(
        Aspect::LastPush,
        Value::Flag(r.is_some_and(|r| r.require_last_push_approval)),
    );
    let checks = c.required_status_checks.as_ref();
    let mut contexts: Vec<String> = checks.map(|s| s.contexts.clone()).unwrap_or_default();
    for ch in checks.map(|s| s.checks.as_slice()).unwrap_or_default() {
        if !contexts.contains(&ch.context) {
            contexts.push(ch.context.clone());
        }
    }
    set(
        Aspect::StatusChecks,
        Value::Checks {
            contexts,
            strict: checks.is_some_and(|s| s.strict),
        },
    );
    set(
        Aspect::ForcePushes,
        Value::Flag(!c.allow_force_pushes.is_some_and(|e| e.enabled)),
    );
    set(
        Aspect::Deletions,
        Value::Flag(!c.allow_deletions.is_some_and(|e| e.enabled)),
    );
}

fn add_rulesets(
    p: &mut Policy,
    rules: &[BranchRule],
    rulesets: &[(u64, Fetched<Ruleset>)],
    html_url: &str,
) {
    let ids: BTreeSet<u64> = rules.iter().filter_map(|r| r.ruleset_id).collect();
    for id in ids {
        let fetched = rulesets.iter().find(|(i, _)| *i == id).map(|(_, f)| f);
        let ruleset = fetched.and_then(|f| f.ok());
        let first = rules.iter().find(|r| r.ruleset_id == Some(id));
        let org_level = first
            .and_then(|r| r.ruleset_source_type.as_deref())
            .is_some_and(|t| t == "Organization");
        let label = match ruleset {
            Some(r) => format!("ruleset \"{}\" (id {id})", r.name),
            None => format!("ruleset id {id}"),
        };
        let url = ruleset
            .and_then(|r| r.links.as_ref())
            .and_then(|l| l.html.as_ref())
            .map(|h| h.href.clone())
            .unwrap_or_else(|| {
                match (org_level, first.and_then(|r| r.ruleset_source.as_deref())) {
                    (true, Some(org)) => {
                        format!("https://github.com/organizations/{org}/settings/rules/{id}")
                    }
                    _ => format!("{html_url}/rules/{id}"),
                }
            });
        let bypass = match (ruleset, fetched) {
            (Some(r), _) => match &r.bypass_actors {
                Some(actors) => Bypass::Known(actors.iter().map(bypasser).collect()),
                None => Bypass::Unknown(format!(
                    "{label} does not show its bypass actors to this token (needs {ADMIN_READ})"
                )),
            },
            (None, Some(Fetched::Refused(s))) => Bypass::Unknown(format!(
                "{label} could not be read ({s}); its bypass actors are unknown"
            )),
            _ => Bypass::Unknown(format!(
                "{label} could not be read; its bypass actors are unknown"
            )),
        };
        let i = p.sources.len();
        p.sources.push(Source {
            kind: SourceKind::Ruleset(id),
            label,
            url,
            bypass,
            bypass_setting: "bypass_actors",
        });
        for r in rules.iter().filter(|r| r.ruleset_id == Some(id)) {
            for (a, v) in rule_values(r) {
                p.values.push((a, i, v));
            }
        }
    }
}

fn bypasser(a: &BypassActor) -> Bypasser {
    let who = match (a.actor_type.as_str(), a.actor_id) {
        ("RepositoryRole", Some(5)) => "repository role admin".to_string(),
        ("RepositoryRole", Some(4)) => "repository role write".to_string(),
        ("RepositoryRole", Some(2)) => "repository role maintain".to_string(),
        ("OrganizationAdmin", _) => "organization admins".to_string(),
        ("DeployKey", _) => "deploy keys".to_string(),
        (t, Some(id)) => format!("{t} {id}"),
        (t, None) => t.to_string(),
    };
    let pr_only = a.bypass_mode.as_deref() == Some("pull_request");
    Bypasser {
        actor_type: a.actor_type.clone(),
        actor_id: a.actor_id,
        label: if pr_only {
            format!("{who} (via pull requests)")
        } else {
            format!("{who} (always)")
        },
        reviews_only: pr_only,
    }
}

/// The values one active rule gives.
fn rule_values(r: &BranchRule) -> Vec<(Aspect, Value)> {
    let param = |k: &str| r.parameters.get(k);
    let flag = |k: &str| param(k).and_then(|v| v.as_bool()).unwrap_or(false);
    match r.kind.as_str() {
        "pull_request" => vec![
            (Aspect::PullRequest, Value::Flag(true)),
            (
                Aspect::Approvals,
                Value::Count(
                    param("required_approving_review_count")
                        .and_then(|v| v.as_u64())
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(0),
                ),
            ),
            (
                Aspect::DismissStale,
                Value::Flag(flag("dismiss_stale_reviews_on_push")),
            ),
            (
                Aspect::CodeOwners,
                Value::Flag(flag("require_code_owner_review")),
            ),
            (
                Aspect::LastPush,
                Value::Flag(flag("require_last_push_approval")),
            ),
        ],
        "required_status_checks" => {
            let contexts = param("required_status_checks")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.get("context").and_then(|c| c.as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            vec![(
                Aspect::StatusChecks,
                Value::Checks {
                    contexts,
                    strict: flag("strict_required_status_checks_policy"),
                },
            )]
        }
        "non_fast_forward" => vec![(Aspect::ForcePushes, Value::Flag(true))],
        "deletion" => vec![(Aspect::Deletions, Value::Flag(true))],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(classic: Classic, rules: &str, rulesets: Vec<(u64, Fetched<Ruleset>)>) -> BranchFacts {
        BranchFacts {
            name: "main".into(),
            classic,
            graphql: None,
            rules: Fetched::Ok(serde_json::from_str(rules).unwrap_or_default()),
            rulesets,
        }
    }

    #[test]
    fn classic_and_rulesets_both_contribute() {
        let classic: ClassicProtection = serde_json::from_str(
            r#"{"required_pull_request_reviews":{"required_approving_review_count":1,"dismiss_stale_reviews":false},
                "enforce_admins":{"enabled":true},"allow_force_pushes":{"enabled":false},"allow_deletions":{"enabled":true}}"#,
        )
        .unwrap_or_default();
        let rules = r#"[{"type":"pull_request","ruleset_id":7,"ruleset_source_type":"Repository","ruleset_source":"o/r",
            "parameters":{"required_approving_review_count":2,"dismiss_stale_reviews_on_push":true}},
            {"type":"deletion","ruleset_id":7}]"#;
        let p = effective(
            &facts(Classic::Protected(Box::new(classic)), rules, Vec::new()),
            "https://github.com/o/r",
        );
        let Ok(p) = p else { return assert!(p.is_ok()) };
        let approvals: Vec<_> = p
            .of(Aspect::Approvals)
            .map(|(s, v)| (s.label.clone(), v.clone()))
            .collect();
        assert_eq!(
            approvals,
            vec![
                ("classic branch protection".to_string(), Value::Count(1)),
                ("ruleset id 7".to_string(), Value::Count(2))
            ]
        );
        assert!(p
            .of(Aspect::Deletions)
            .any(|(_, v)| *v == Value::Flag(true)));
        assert!(matches!(p.sources[1].bypass, Bypass::Unknown(_)));
    }

    #[test]
    fn statuses_classify() {
        let refused = |code, m: &str| {
            Classic::from(Fetched::Refused(HttpStatus {
                code,
                message: m.into(),
            }))
        };
        assert!(matches!(
            refused(404, "Branch not protected"),
            Classic::NotProtected
        ));
        assert!(matches!(refused(404, "Not Found"), Classic::Unreadable(_)));
        assert!(matches!(
            refused(404, "Branch not found"),
            Classic::NoSuchBranch
        ));
        assert!(matches!(
            refused(403, "Resource not accessible by integration"),
            Classic::Unreadable(_)
        ));
        assert!(matches!(
            refused(
                403,
                "Upgrade to GitHub Pro or make this repository public to enable this feature."
            ),
            Classic::NotOnPlan(_)
        ));
    }
}
