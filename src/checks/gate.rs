//! Rules about the gate itself: what it could not evaluate. These fail closed (exit code 2).

use crate::config::{Config, RuleSetting};
use crate::context::Context;
use crate::finding::{Finding, Location, Severity};
use crate::github::GithubFacts;
use crate::rules::rule;
use crate::status::{FailOpen, NotEvaluated};

pub const GITHUB_UNAVAILABLE: &str = "gate/github-unavailable";
pub const GITHUB_REQUIRED: &str = "gate/github-required";
use crate::repo::evidence::Skip;
use crate::rules::CodeRule;

pub const SHALLOW_CLONE: &str = "gate/shallow-clone";
pub const HISTORY_UNAVAILABLE: &str = "gate/history-unavailable";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: crate::repo::files::UNREADABLE,
        fires_in: "exit_codes::an_unreadable_file_is_a_finding_and_fails_closed",
        title: "A file or directory could not be read",
        severity: Severity::Error,
        why: "A gate that skips what it cannot read passes changes it never looked at. The regulator's finding in \
              the police database case was that nothing noticed failures for months; shipgate reports every file it \
              could not evaluate instead of silently passing.",
        fix: "Make the file readable by the user that runs shipgate (check permissions and broken mounts), or, if \
              it is not part of the product, exclude it in shipgate.toml: `[paths] ignore = [\"path/\"]`. To \
              report unreadable files as warnings instead of failing the gate, set `[scan] fail-closed = false` \
              (every summary then says so).",
        example: "could not read `config/secrets.yml`: Permission denied (os error 13)",
    },
    CodeRule {
        id: GITHUB_UNAVAILABLE,
        fires_in: "github::a_rejected_token_fails_closed_without_retrying",
        title: "The GitHub API could not be asked",
        severity: Severity::Error,
        why: "Branch protection, deployment approvals and review evidence live on GitHub. When the API times out, \
              fails, rate-limits or rejects the token, shipgate cannot know whether deployments are protected, and a \
              gate that passed anyway would repeat the failure the regulator found in the police database case: \
              problems nobody noticed because nothing checked. So the gate fails closed (exit 2) after bounded \
              retries, and says which request failed and why.",
        fix: "Re-run after an outage or rate limit; renew an expired or revoked token; check GITHUB_API_URL for \
              GitHub Enterprise Server. To report these failures as warnings instead of failing the gate, set \
              `[github] fail-closed = false` (the summary then says what was not evaluated).",
        example: "GET https://api.github.com/repos/octo-org/app/branches/main/protection: 503 Service Unavailable after 3 attempts",
    },
    CodeRule {
        id: GITHUB_REQUIRED,
        fires_in: "fail_closed::github_missing_is_not_evaluated_and_fails_closed_when_required",
        title: "GitHub checks are required but could not run",
        severity: Severity::Error,
        why: "With `[github] require = true` the repository has declared that its deployment branches, environments \
              and reviews must be verified on every run. A run without a token, without a GitHub remote, or with \
              --offline would verify none of it, so it fails closed instead of passing quietly.",
        fix: "Pass a token (GITHUB_TOKEN or GH_TOKEN), make sure GITHUB_REPOSITORY or the `origin` remote names the \
              GitHub repository, and do not use --offline; or set `require = false` where GitHub checks are optional.",
        example: "[github] require = true, but GitHub was not asked: no token (set GITHUB_TOKEN or GH_TOKEN)",
    },
    CodeRule {
        id: SHALLOW_CLONE,
        fires_in: "history::a_shallow_clone_fails_closed_with_the_fix_unless_allowed",
        title: "Shallow clone: the deployment branches' history is missing",
        severity: Severity::Error,
        why: "CI checks out one commit by default. Without history shipgate cannot see which commits reached a \
              deployment branch without review, so the review rules would pass without having looked — the \
              silent kind of failure that let test data sit in a live police system for months. The gate \
              fails closed instead.",
        fix: "Fetch the history: with `actions/checkout` set `fetch-depth: 0`; elsewhere run `git fetch \
              --unshallow` (or `git fetch --deepen=N` for at least `[history] max-commits` commits). To accept \
              shallow clones and leave the history unchecked (listed as not evaluated), set `[history] \
              allow-shallow = true`.",
        example: "shallow clone: the history of main is missing, so review/direct-push and review/self-merged \
                  could not be checked",
    },
    CodeRule {
        id: HISTORY_UNAVAILABLE,
        fires_in: "fail_closed::git_unreadable_fails_closed_unless_history_fail_closed_is_false",
        title: "The git history could not be read",
        severity: Severity::Error,
        why: "The review rules judge the history of the branches that deploy. If git cannot be read (a corrupt \
              clone, a repository owned by another user) or `[history] require = true` and there is no history, \
              passing would claim a check that never ran.",
        fix: "Run shipgate in a complete clone it can read (for \"not owned by current user\", fix the checkout's \
              ownership or mark it safe with `git config --global --add safe.directory PATH`; for a corrupt \
              clone, clone again), name the deployment branches in `[branches] deploy`, or drop `[history] \
              require`. To report an unreadable repository as a warning instead of failing the gate, set \
              `[history] fail-closed = false` (every summary then says so).",
        example: "the git history could not be read: object not found - no match for id (3f2a9c1...)",
    },
];

/// Rules of other families whose findings also mean "could not evaluate".
const ALSO_EVALUATION_FAILURES: &[&str] = &[
    crate::checks::workflows::INVALID_YAML,
    crate::checks::leak::DOCKERFILE_NOT_EVALUATED,
    crate::checks::leak::UNEVALUATED_REACH.id,
];

/// Rules whose findings mean "could not evaluate" rather than "found a problem": exit code 2.
pub fn is_evaluation_failure(rule: &str) -> bool {
    RULES.iter().any(|r| r.id == rule) || ALSO_EVALUATION_FAILURES.contains(&rule)
}

/// Why GitHub could not be asked, when that matters: every API failure, and a required check that was not run.
/// The gate's own findings: what GitHub, then git history, could not provide.
pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut out = github(ctx);
    out.extend(history(ctx));
    out
}

pub fn github(ctx: &Context) -> Vec<Finding> {
    let cfg = &ctx.config.github;
    // `fail-closed = false`: the user accepts that an outage does not block deployments; still reported.
    let severity = if cfg.fail_closed {
        Severity::Error
    } else {
        Severity::Warning
    };
    let failures = match &ctx.github {
        GithubFacts::NotEvaluated(reason) if cfg.require => {
            return vec![rule!(GITHUB_REQUIRED).finding(format!("[github] require = true, but GitHub was not asked: {reason}"),
                Location::Setting {
                    scope: "shipgate.toml".into(),
                    name: "github.require".into(),
                    url: None,
                },
            )
            .with_help("pass GITHUB_TOKEN or GH_TOKEN and GITHUB_REPOSITORY (or an origin remote), without --offline")]
        }
        GithubFacts::NotEvaluated(_) => return Vec::new(),
        GithubFacts::Failed(e) => vec![e.clone()],
        GithubFacts::Gathered(f) => f.failures.clone(),
    };
    failures
        .into_iter()
        .map(|e| {
            rule!(GITHUB_UNAVAILABLE)
                .finding(
                    format!("GitHub API: {e}"),
                    Location::Setting {
                        scope: "github:api".into(),
                        name: e.url.clone(),
                        url: None,
                    },
                )
                .with_severity(severity)
                .with_evidence(e.url.clone())
                .with_help(e.help())
        })
        .collect()
}

/// History that the review rules needed but could not have: a shallow clone (unless allowed), an
/// unreadable repository, or no history at all when `[history] require = true`.
pub fn history(ctx: &Context) -> Vec<Finding> {
    let h = &ctx.config.history;
    let Some(skip) = &ctx.history.skipped else {
        return Vec::new();
    };
    let branches: Vec<&str> = ctx
        .history
        .branches
        .iter()
        .map(|b| b.branch.name.as_str())
        .collect();
    let (rule, message, help) = match skip {
        Skip::Shallow if !h.allow_shallow => (
            rule!(SHALLOW_CLONE),
            format!(
                "shallow clone: the history of {} is missing, so review/direct-push and review/self-merged \
                 (commits that reached a deployment branch without review) could not be checked",
                if branches.is_empty() {
                    "the deployment branches".to_string()
                } else {
                    branches.join(", ")
                }
            ),
            "in GitHub Actions use actions/checkout with `fetch-depth: 0`; elsewhere `git fetch --unshallow` \
             (or `git fetch --deepen=N`, and fetch the --diff base). To accept shallow clones, leaving the \
             history unchecked, set `[history] allow-shallow = true`",
        ),
        Skip::Failed(why) => {
            // `[history] fail-closed = false`: the user's explicit opt-out; still reported, as a warning.
            let severity = if h.fail_closed {
                Severity::Error
            } else {
                Severity::Warning
            };
            return vec![rule!(HISTORY_UNAVAILABLE)
                .finding(
                    format!("the git history could not be read: {why}"),
                    Location::Repository,
                )
                .with_severity(severity)
                .with_help("run shipgate in a complete clone it can read (for a corrupt clone, clone again)")];
        }
        Skip::NotARepository if h.require => (
            rule!(HISTORY_UNAVAILABLE),
            "`[history] require = true`, but this is not a git repository: review history could not be checked"
                .to_string(),
            "run shipgate inside a clone (with its history), or drop `[history] require`",
        ),
        Skip::NoDeployBranch if h.require => (
            rule!(HISTORY_UNAVAILABLE),
            format!(
                "`[history] require = true`, but no branch matches the deployment patterns ({})",
                ctx.history.patterns.join(", ")
            ),
            "name the deployment branches in `[branches] deploy`, and fetch them (`git fetch origin`)",
        ),
        _ => return Vec::new(),
    };
    vec![rule.finding(message, Location::Repository).with_help(help)]
}

/// Parts of the tree the walk left out on purpose and names in the summary: submodules and nested
/// repositories (each is gated in its own repository). They feed no control of this repository, so
/// they do not make the evidence report's controls NOT VERIFIED.
pub fn not_evaluated(ctx: &Context) -> Vec<NotEvaluated> {
    if ctx.nested_repos.is_empty() {
        return Vec::new();
    }
    const SHOWN: usize = 10;
    let mut names: Vec<String> = ctx
        .nested_repos
        .iter()
        .take(SHOWN)
        .map(|p| format!("`{p}`"))
        .collect();
    if ctx.nested_repos.len() > SHOWN {
        names.push(format!("and {} more", ctx.nested_repos.len() - SHOWN));
    }
    vec![NotEvaluated {
        families: Vec::new(),
        what: format!("submodules and nested repositories ({})", names.join(", ")),
        why: "not scanned: each is a repository of its own — run shipgate in it".into(),
    }]
}

/// Every opt-out from failing closed that the config sets, for the summary of every format: a gate that
/// lets some failure pass must say so on each run, not only in shipgate.toml.
pub fn fail_open(config: &Config) -> Vec<FailOpen> {
    let mut out = Vec::new();
    let mut add = |source: &'static str, setting: &str, effect: &str| {
        out.push(FailOpen {
            source,
            setting: setting.to_string(),
            effect: effect.to_string(),
        });
    };
    if !config.github.fail_closed {
        add(
            "github",
            "[github] fail-closed = false",
            "GitHub API failures (timeouts, server errors, rate limits, malformed answers, a rejected token) are warnings, not exit 2",
        );
    }
    if !config.history.fail_closed {
        add(
            "git",
            "[history] fail-closed = false",
            "a git repository that cannot be read (corrupt, unreadable) is a warning, not exit 2",
        );
    }
    if config.history.allow_shallow {
        add(
            "git",
            "[history] allow-shallow = true",
            "a shallow clone skips the review history checks instead of exit 2",
        );
    }
    if !config.scan_fail_closed {
        add(
            "filesystem",
            "[scan] fail-closed = false",
            "unreadable files and directories, and workflows that are not valid YAML, are warnings, not exit 2",
        );
    }
    for r in config.rules.iter().filter(|r| is_evaluation_failure(&r.id)) {
        let (value, effect) = match r.setting {
            RuleSetting::Severity(Severity::Error) => continue,
            RuleSetting::Off => (
                "off".to_string(),
                "are not reported and never fail the gate",
            ),
            RuleSetting::Severity(s) => (s.to_string(), "do not fail the gate"),
        };
        add(
            source_of(&r.id),
            &format!("[rules] \"{}\" = \"{value}\"", r.id),
            &format!("`{}` findings {effect}", r.id),
        );
    }
    out
}

/// The fail-closed matrix's source of an evaluation-failure rule (docs/fail-closed.md).
fn source_of(rule: &str) -> &'static str {
    match rule {
        GITHUB_UNAVAILABLE | GITHUB_REQUIRED => "github",
        SHALLOW_CLONE | HISTORY_UNAVAILABLE => "git",
        _ => "filesystem",
    }
}
