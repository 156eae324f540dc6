//! `[github]` in shipgate.toml: what deployment branches, environments and reviews must look like on GitHub,
//! and what to do when the API cannot be asked.

use crate::diag::{did_you_mean, SourceDiag};
use serde::Deserialize;
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

/// Review evidence looks at this many first-parent commits of each deployment branch by default.
pub const DEFAULT_REVIEW_COMMITS: u32 = 30;
/// More would cost two requests a commit for little gain; the baseline handles old history.
const MAX_REVIEW_COMMITS: i64 = 500;
/// One deadline for the whole GitHub phase, retries and waits included (`[github] deadline`).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
/// A longer deadline would let a server that never answers hold a CI job for hours.
const MAX_DEADLINE: Duration = Duration::from_secs(3600);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawGithub {
    require: Option<bool>,
    fail_closed: Option<bool>,
    deadline: Option<Spanned<toml::Value>>,
    #[serde(default)]
    branch_protection: RawBranchProtection,
    #[serde(default)]
    environments: RawEnvironments,
    #[serde(default)]
    reviews: RawReviews,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBranchProtection {
    pull_request: Option<bool>,
    approvals: Option<Spanned<i64>>,
    dismiss_stale_reviews: Option<bool>,
    code_owner_review: Option<Spanned<toml::Value>>,
    last_push_approval: Option<bool>,
    status_checks: Option<Spanned<toml::Value>>,
    block_force_pushes: Option<bool>,
    block_deletions: Option<bool>,
    no_bypass: Option<bool>,
    #[serde(default)]
    allowed_bypass: Vec<Spanned<RawBypass>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBypass {
    actor_type: Spanned<String>,
    actor_id: Option<u64>,
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEnvironments {
    required_reviewers: Option<bool>,
    prevent_self_review: Option<bool>,
    restrict_branches: Option<bool>,
    allow_admin_bypass: Option<bool>,
    #[serde(default)]
    exempt: Vec<Spanned<RawExempt>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawExempt {
    name: String,
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawReviews {
    commits: Option<Spanned<i64>>,
    bot_prs: Option<Spanned<String>>,
}

/// Everything shipgate requires of GitHub, validated.
#[derive(Debug, Clone)]
pub struct GithubConfig {
    /// No token, `--offline` or no repository fails the gate (exit 2) instead of being reported as not evaluated.
    pub require: bool,
    /// API failures fail the gate (exit 2). `false` reports them as warnings.
    pub fail_closed: bool,
    /// When the whole GitHub phase must be over; every question still open then fails closed.
    /// `SHIPGATE_GITHUB_DEADLINE_MS` in the environment wins over it.
    pub deadline: Duration,
    pub branch: BranchRequirements,
    pub environments: EnvironmentRequirements,
    pub reviews: ReviewRequirements,
}

impl Default for GithubConfig {
    fn default() -> Self {
        GithubConfig {
            require: false,
            fail_closed: true,
            deadline: DEFAULT_DEADLINE,
            branch: BranchRequirements::default(),
            environments: EnvironmentRequirements::default(),
            reviews: ReviewRequirements::default(),
        }
    }
}

/// What the effective protection of every deployment branch must reach.
#[derive(Debug, Clone)]
pub struct BranchRequirements {
    pub pull_request: bool,
    pub approvals: u32,
    pub dismiss_stale_reviews: bool,
    pub code_owner_review: CodeOwnerReview,
    pub last_push_approval: bool,
    pub status_checks: StatusChecks,
    pub block_force_pushes: bool,
    pub block_deletions: bool,
    /// Nobody (admins included) may bypass the rules, except `allowed_bypass`.
    pub no_bypass: bool,
    pub allowed_bypass: Vec<AllowedBypass>,
}

impl Default for BranchRequirements {
    fn default() -> Self {
        BranchRequirements {
            pull_request: true,
            approvals: 1,
            dismiss_stale_reviews: true,
            code_owner_review: CodeOwnerReview::Auto,
            last_push_approval: true,
            status_checks: StatusChecks::Any,
            block_force_pushes: true,
            block_deletions: true,
            no_bypass: true,
            allowed_bypass: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOwnerReview {
    /// Required where the tree has a CODEOWNERS file (GitHub ignores the setting otherwise).
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChecks {
    Off,
    /// At least one required status check.
    Any,
    /// These checks (by context name) must all be required.
    Named(Vec<String>),
}

/// A bypass actor the user accepts, with the reason recorded in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedBypass {
    /// GitHub's actor type: `RepositoryRole`, `Team`, `Integration`, `OrganizationAdmin`, `DeployKey`, `User`.
    pub actor_type: String,
    /// None: any actor of that type.
    pub actor_id: Option<u64>,
    pub reason: String,
}

pub const ACTOR_TYPES: &[&str] = &[
    "RepositoryRole",
    "Team",
    "Integration",
    "OrganizationAdmin",
    "DeployKey",
    "EnterpriseOwner",
    "User",
];

#[derive(Debug, Clone)]
pub struct EnvironmentRequirements {
    pub required_reviewers: bool,
    pub prevent_self_review: bool,
    pub restrict_branches: bool,
    pub allow_admin_bypass: bool,
    /// Environment names not checked, each with its reason.
    pub exempt: Vec<(String, String)>,
}

impl Default for EnvironmentRequirements {
    fn default() -> Self {
        EnvironmentRequirements {
            required_reviewers: true,
            prevent_self_review: true,
            restrict_branches: true,
            allow_admin_bypass: false,
            exempt: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BotPrs {
    /// Bot-authored pull requests need a human approval like any other.
    Review,
    /// Bot-authored pull requests (Dependabot, Renovate) may reach a deployment branch unreviewed.
    Exempt,
}

#[derive(Debug, Clone)]
pub struct ReviewRequirements {
    /// First-parent commits of each deployment branch to check; 0 turns review evidence off.
    pub commits: u32,
    pub bot_prs: BotPrs,
}

impl Default for ReviewRequirements {
    fn default() -> Self {
        ReviewRequirements {
            commits: DEFAULT_REVIEW_COMMITS,
            bot_prs: BotPrs::Review,
        }
    }
}

type At<'a> = &'a dyn Fn(Range<usize>, String, &str) -> SourceDiag;

pub(super) fn parse(raw: &RawGithub, at: At<'_>) -> Result<GithubConfig, SourceDiag> {
    let d = GithubConfig::default();
    Ok(GithubConfig {
        require: raw.require.unwrap_or(d.require),
        fail_closed: raw.fail_closed.unwrap_or(d.fail_closed),
        deadline: match &raw.deadline {
            None => d.deadline,
            Some(v) => deadline(v, at)?,
        },
        branch: branch(&raw.branch_protection, at)?,
        environments: environments(&raw.environments, at)?,
        reviews: reviews(&raw.reviews, at)?,
    })
}

/// `deadline = "120s"`, `"2m"`, `"2 minutes"`, `"500ms"`: a number and a unit, more than zero and at
/// most an hour. A bare number is refused: seconds or milliseconds would be a guess.
fn deadline(v: &Spanned<toml::Value>, at: At<'_>) -> Result<Duration, SourceDiag> {
    let bad = |why: String, label: &str| {
        at(v.span(), why, label)
            .with_help("e.g. deadline = \"120s\", \"2m\" or \"500ms\" (the default is \"120s\")")
    };
    let text = match v.get_ref() {
        toml::Value::String(s) => s,
        toml::Value::Integer(_) | toml::Value::Float(_) => {
            return Err(bad(
                "`deadline` needs a unit: a string like \"120s\", \"2m\" or \"500ms\"".into(),
                "no unit",
            ))
        }
        _ => {
            return Err(bad(
                "`deadline` must be a duration like \"120s\"".into(),
                "expected a string",
            ))
        }
    };
    let Some(d) = parse_duration(text) else {
        return Err(bad(
            format!("`deadline` is not a duration: `{text}`"),
            "expected a number and a unit (ms, s, m)",
        ));
    };
    if d.is_zero() || d > MAX_DEADLINE {
        return Err(bad(
            format!("`deadline` must be more than 0 and at most 1 hour, not `{text}`"),
            "out of range",
        ));
    }
    Ok(d)
}

/// "120s", "2m", "2 minutes", "500ms": a whole number and a unit, as the config's other periods.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let ms: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" | "millisecond" | "milliseconds" => 1,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000,
        _ => return None,
    };
    n.checked_mul(ms).map(Duration::from_millis)
}

fn branch(raw: &RawBranchProtection, at: At<'_>) -> Result<BranchRequirements, SourceDiag> {
    let d = BranchRequirements::default();
    let approvals = match &raw.approvals {
        None => d.approvals,
        Some(n) => u32::try_from(*n.get_ref())
            .ok()
            .filter(|n| *n <= 10)
            .ok_or_else(|| {
                at(
                    n.span(),
                    "`approvals` must be a number from 0 to 10 (GitHub's limit)".into(),
                    "out of range",
                )
            })?,
    };
    let code_owner_review = match &raw.code_owner_review {
        None => d.code_owner_review,
        Some(v) => match v.get_ref() {
            toml::Value::Boolean(true) => CodeOwnerReview::Always,
            toml::Value::Boolean(false) => CodeOwnerReview::Never,
            toml::Value::String(s) if s == "auto" => CodeOwnerReview::Auto,
            _ => {
                return Err(at(
                    v.span(),
                    "`code-owner-review` must be true, false or \"auto\"".into(),
                    "expected true, false or \"auto\"",
                ))
            }
        },
    };
    let status_checks = match &raw.status_checks {
        None => d.status_checks,
        Some(v) => match v.get_ref() {
            toml::Value::Boolean(true) => StatusChecks::Any,
            toml::Value::Boolean(false) => StatusChecks::Off,
            toml::Value::Array(items) => {
                let names: Option<Vec<String>> = items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect();
                match names {
                    Some(n) if !n.is_empty() => StatusChecks::Named(n),
                    _ => return Err(at(
                        v.span(),
                        "`status-checks` lists check names as strings, e.g. [\"test\", \"build\"]"
                            .into(),
                        "expected a non-empty list of strings",
                    )),
                }
            }
            _ => {
                return Err(at(
                    v.span(),
                    "`status-checks` must be true, false or a list of required check names".into(),
                    "expected true, false or [\"check\", ...]",
                ))
            }
        },
    };
    let mut allowed_bypass = Vec::new();
    for entry in &raw.allowed_bypass {
        let b = entry.get_ref();
        let ty = b.actor_type.get_ref();
        if !ACTOR_TYPES.contains(&ty.as_str()) {
            return Err(at(
                b.actor_type.span(),
                format!("unknown bypass actor type `{ty}`"),
                "not a GitHub actor type",
            )
            .with_help(
                did_you_mean(ty, ACTOR_TYPES.iter().copied())
                    .unwrap_or_else(|| format!("one of: {}", ACTOR_TYPES.join(", "))),
            ));
        }
        let reason = reason_of(b.reason.as_deref(), entry.span(), at, "bypass")?;
        allowed_bypass.push(AllowedBypass {
            actor_type: ty.clone(),
            actor_id: b.actor_id,
            reason,
        });
    }
    Ok(BranchRequirements {
        pull_request: raw.pull_request.unwrap_or(d.pull_request),
        approvals,
        dismiss_stale_reviews: raw.dismiss_stale_reviews.unwrap_or(d.dismiss_stale_reviews),
        code_owner_review,
        last_push_approval: raw.last_push_approval.unwrap_or(d.last_push_approval),
        status_checks,
        block_force_pushes: raw.block_force_pushes.unwrap_or(d.block_force_pushes),
        block_deletions: raw.block_deletions.unwrap_or(d.block_deletions),
        no_bypass: raw.no_bypass.unwrap_or(d.no_bypass),
        allowed_bypass,
    })
}

/// Every exception in the config carries its reason, so a reviewer of the config can judge it later.
fn reason_of(
    reason: Option<&str>,
    span: Range<usize>,
    at: At<'_>,
    what: &str,
) -> Result<String, SourceDiag> {
    match reason.map(str::trim) {
        Some(r) if !r.is_empty() => Ok(r.to_string()),
        _ => Err(at(
            span,
            format!("every allowed {what} needs a `reason`"),
            "no reason given",
        )
        .with_help("add `reason = \"why this is acceptable\"` to the entry")),
    }
}

fn environments(raw: &RawEnvironments, at: At<'_>) -> Result<EnvironmentRequirements, SourceDiag> {
    let d = EnvironmentRequirements::default();
    let mut exempt = Vec::new();
    for e in &raw.exempt {
        let reason = reason_of(e.get_ref().reason.as_deref(), e.span(), at, "exemption")?;
        exempt.push((e.get_ref().name.clone(), reason));
    }
    Ok(EnvironmentRequirements {
        required_reviewers: raw.required_reviewers.unwrap_or(d.required_reviewers),
        prevent_self_review: raw.prevent_self_review.unwrap_or(d.prevent_self_review),
        restrict_branches: raw.restrict_branches.unwrap_or(d.restrict_branches),
        allow_admin_bypass: raw.allow_admin_bypass.unwrap_or(d.allow_admin_bypass),
        exempt,
    })
}

fn reviews(raw: &RawReviews, at: At<'_>) -> Result<ReviewRequirements, SourceDiag> {
    let d = ReviewRequirements::default();
    let commits = match &raw.commits {
        None => d.commits,
        Some(n) => u32::try_from(*n.get_ref())
            .ok()
            .filter(|n| i64::from(*n) <= MAX_REVIEW_COMMITS)
            .ok_or_else(|| {
                at(
                    n.span(),
                    format!("`commits` must be a number from 0 (off) to {MAX_REVIEW_COMMITS}"),
                    "out of range",
                )
            })?,
    };
    let bot_prs = match &raw.bot_prs {
        None => d.bot_prs,
        Some(s) => match s.get_ref().as_str() {
            "review" => BotPrs::Review,
            "exempt" => BotPrs::Exempt,
            other => {
                return Err(at(
                    s.span(),
                    format!("`bot-prs` must be \"review\" or \"exempt\", not `{other}`"),
                    "expected \"review\" or \"exempt\"",
                )
                .with_help(did_you_mean(other, ["review", "exempt"]).unwrap_or_default()))
            }
        },
    };
    Ok(ReviewRequirements { commits, bot_prs })
}

#[cfg(test)]
mod tests {
    use crate::config::parse;

    #[test]
    fn defaults_are_strict() {
        let c = parse("s.toml", "").map(|c| c.github).ok();
        let c = c.as_ref();
        assert_eq!(c.map(|c| c.branch.approvals), Some(1));
        assert_eq!(c.map(|c| c.fail_closed), Some(true));
        assert_eq!(c.map(|c| c.reviews.commits), Some(30));
        assert_eq!(c.map(|c| c.deadline.as_secs()), Some(120));
    }

    #[test]
    fn deadlines_need_a_unit_and_a_sane_length() {
        use super::parse_duration;
        use std::time::Duration;
        assert_eq!(parse_duration("120s"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_duration(" 2 minutes "),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        for bad in ["", "s", "120", "1.5s", "-1s", "2h", "99999999999999999999s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let ok = parse("s.toml", "[github]\ndeadline = \"2m\"\n").map(|c| c.github.deadline);
        assert_eq!(ok.ok(), Some(Duration::from_secs(120)));
        for (text, want) in [
            ("deadline = 120", "needs a unit"),
            ("deadline = \"soon\"", "not a duration"),
            ("deadline = \"0s\"", "more than 0"),
            ("deadline = \"2 hours\"", "not a duration"),
            ("deadline = \"61m\"", "at most 1 hour"),
            ("deadline = true", "must be a duration"),
        ] {
            let e = parse("s.toml", &format!("[github]\n{text}\n")).err();
            assert!(
                e.as_ref().is_some_and(|e| e.message.contains(want)),
                "{text}: {e:?}"
            );
            assert_eq!(e.as_ref().and_then(crate::diag::SourceDiag::line), Some(2));
        }
    }

    #[test]
    fn sections_parse_and_errors_point_at_the_value() {
        let text = "[github]\nrequire = true\n[github.branch-protection]\napprovals = 2\nstatus-checks = [\"test\"]\nallowed-bypass = [{ actor-type = \"Integration\", actor-id = 7, reason = \"release bot\" }]\n[github.reviews]\nbot-prs = \"exempt\"\n";
        let c = parse("s.toml", text).map(|c| c.github).ok();
        assert_eq!(c.as_ref().map(|c| c.branch.approvals), Some(2));
        assert_eq!(
            c.as_ref().map(|c| c.branch.allowed_bypass[0].actor_id),
            Some(Some(7))
        );

        let e = parse(
            "s.toml",
            "[github.branch-protection]\nallowed-bypass = [{ actor-type = \"Integration\" }]\n",
        )
        .err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.message.contains("needs a `reason`")),
            "{e:?}"
        );
        assert_eq!(e.as_ref().and_then(crate::diag::SourceDiag::line), Some(2));
        let e = parse("s.toml", "[github.reviews]\nbot-prs = \"exmpt\"\n").err();
        assert!(e.is_some_and(|e| e.help.as_deref() == Some("did you mean `exempt`?")));
        let e = parse(
            "s.toml",
            "[github.branch-protection]\nallowed-bypass = [{ actor-type = \"Integraton\", reason = \"x\" }]\n",
        )
        .err();
        assert!(e.is_some_and(|e| e.help.as_deref() == Some("did you mean `Integration`?")));
    }
}
