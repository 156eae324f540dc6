//! The evidence report for auditors (`--format markdown` / `--format html`): for each control the
//! regulator named, PASS / PASS WITH WARNINGS / FAIL / NOT VERIFIED with the evidence behind it, the
//! scope of the run (branches, commits, period, online or offline), the commit, tool version and time.
//!
//! NOT VERIFIED is as important as FAIL: a control whose evidence could not be gathered (no token, no git
//! history, no check in this version) must never read as passed.

use crate::calendar::{civil_from_days, date};
use crate::checks;
use crate::engine::{Outcome, Verdict};
use crate::finding::{Finding, Severity};
use crate::repo::evidence::Skip;
use crate::suppress::accepted::Exception;

/// A control, in the regulator's terms. The rule families whose findings are its evidence are the check
/// registry's (`checks::registry`): each check names the control its families serve.
pub struct Control {
    pub id: checks::Control,
    pub title: &'static str,
    pub recommendation: &'static str,
}

impl Control {
    pub fn families(&self) -> Vec<&'static str> {
        checks::registry::families_for(self.id)
    }
}

pub const CONTROLS: &[Control] = &[
    Control {
        id: checks::Control::ProtectedBranches,
        title: "Deployment branches are protected",
        recommendation: "Better protect deployment code branches (ICO reprimand, Police National Database).",
    },
    Control {
        id: checks::Control::Reviewed,
        title: "Code is reviewed before deployment",
        recommendation: "Ensure code reviews take place before deployment (ICO reprimand, Police National Database).",
    },
    Control {
        id: checks::Control::NothingTestOnly,
        title: "Nothing test-only reaches production",
        recommendation: "Prevent code being inadvertently added to live systems; test data reached the live PND.",
    },
    Control {
        id: checks::Control::AccessReviewed,
        title: "Access is not widened without review",
        recommendation: "Web-form submissions were made public with no review and no permissions policy (ICO reprimand, MOPAC).",
    },
    Control {
        id: checks::Control::Documented,
        title: "The process is documented",
        recommendation: "Document how code is to be tested, reviewed and deployed (ICO reprimand, Police National Database).",
    },
    Control {
        id: checks::Control::LiveDataClean,
        title: "No test data in the live system",
        recommendation: "Test data put into the live PND by a coding issue went unnoticed for months; no automated check looked (ICO reprimand, Police National Database).",
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Evaluated, and nothing found.
    Pass,
    /// Evaluated; findings below `fail-on` (they do not fail the gate, but the control is not clean).
    PassWithWarnings,
    /// Evaluated and nothing fails it, because findings were accepted (a baseline entry, an inline allow,
    /// a rule switched off or down): each is listed with its reason.
    PassWithExceptions,
    Fail,
    NotVerified,
    /// `--diff`: the change adds no failing finding, but the tree it leaves fails the control with
    /// findings the base already had. Never shown as PASS.
    PreExistingFail,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::PassWithWarnings => "PASS WITH WARNINGS",
            Status::PassWithExceptions => "PASS WITH ACCEPTED EXCEPTIONS",
            Status::Fail => "FAIL",
            Status::NotVerified => "NOT VERIFIED",
            Status::PreExistingFail => "PRE-EXISTING FAIL",
        }
    }
}

/// One control's verdict and evidence.
pub struct Assessment<'a> {
    pub control: &'a Control,
    pub status: Status,
    /// Rules that were evaluated for this control.
    pub rules: Vec<&'a str>,
    pub findings: Vec<&'a Finding>,
    /// `--diff`: the control's findings the tree already had before the change (not failed on).
    pub pre_existing: Vec<&'a Finding>,
    /// Why evidence is missing, when it is.
    pub gaps: Vec<String>,
    /// Findings the policy accepted (baseline, inline allows, approved changes), with what accepted them.
    pub accepted: Vec<&'a Exception>,
    /// Rules of this control the config switched off or lowered.
    pub settings: Vec<RuleException>,
}

/// Accepted exceptions listed per control; the rest are counted (a baseline of thousands stays readable).
pub const MAX_EXCEPTION_ROWS: usize = 200;

/// A rule the config switched off or made less severe than its default: an exception for every finding
/// it would have made, so it is listed as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleException {
    pub rule: String,
    pub default: Severity,
    /// None: off.
    pub now: Option<Severity>,
    /// `shipgate.toml:3`.
    pub at: String,
}

impl RuleException {
    pub fn describe(&self) -> String {
        let what = match self.now {
            None => "switched off".to_string(),
            Some(s) => format!("lowered to {s}"),
        };
        format!(
            "rule `{}` {what} by `[rules]` in `{}` (default: {})",
            self.rule, self.at, self.default
        )
    }
}

/// Rules the config switched off or lowered below their default severity.
pub fn rule_exceptions(outcome: &Outcome) -> Vec<RuleException> {
    let ctx = &outcome.ctx;
    let (path, text) = match &ctx.config.source {
        Some((p, t)) => (p.to_string_lossy().replace('\\', "/"), t.as_str()),
        None => return Vec::new(),
    };
    ctx.config
        .rules
        .iter()
        .filter_map(|o| {
            let doc = ctx.catalogue.get(&o.id)?;
            let now = ctx.catalogue.effective(&o.id, doc.severity, &ctx.config);
            if now.is_some_and(|n| n >= doc.severity) {
                return None;
            }
            let line = text
                .get(..o.span.start)
                .map_or(0, |t| t.matches('\n').count())
                + 1;
            Some(RuleException {
                rule: o.id.clone(),
                default: doc.severity,
                now,
                at: format!("{path}:{line}"),
            })
        })
        .collect()
}

/// Accepted exceptions that belong to no control (changes to the gate's own policy): the report lists
/// them in a section of their own.
pub fn policy_exceptions(outcome: &Outcome) -> Vec<&Exception> {
    let mut families: Vec<&str> = Vec::new();
    for c in CONTROLS {
        families.extend(c.families());
    }
    outcome
        .suppressed
        .accepted
        .iter()
        .filter(|e| !families.contains(&family(&e.finding.rule)))
        .collect()
}

fn family(rule: &str) -> &str {
    rule.split('/').next().unwrap_or("")
}

pub fn assess(outcome: &Outcome) -> Vec<Assessment<'_>> {
    CONTROLS
        .iter()
        .map(|control| {
            let families = control.families();
            // Gathered by another command (`shipgate data`): this run holds none of its evidence.
            let elsewhere = checks::registry::command_for(control.id);
            let ours = |rule: &str| elsewhere.is_none() && families.contains(&family(rule));
            let rules: Vec<&str> = outcome
                .ctx
                .catalogue
                .docs
                .iter()
                .map(|d| d.id.as_str())
                .filter(|id| ours(id))
                .collect();
            let findings: Vec<&Finding> =
                outcome.findings.iter().filter(|f| ours(&f.rule)).collect();
            let pre_existing: Vec<&Finding> = outcome
                .pre_existing_findings
                .iter()
                .filter(|f| ours(&f.rule))
                .collect();
            let mut gaps: Vec<String> = outcome
                .not_evaluated
                .iter()
                .filter(|n| n.families.iter().any(|f| families.contains(f)))
                .map(ToString::to_string)
                .collect();
            if let Some(command) = elsewhere {
                gaps.push(format!(
                    "checked by `shipgate {command}` against the live system, not by this run; its own evidence report (`shipgate {command} --report FILE`) holds this control"
                ));
            } else if rules.is_empty() {
                gaps.push("this version of shipgate has no check for this control".to_string());
            }
            let accepted: Vec<&Exception> = outcome
                .suppressed
                .accepted
                .iter()
                .filter(|e| ours(&e.finding.rule))
                .collect();
            let settings: Vec<RuleException> = rule_exceptions(outcome)
                .into_iter()
                .filter(|r| ours(&r.rule))
                .collect();
            let status = if findings.iter().any(|f| f.severity >= outcome.fail_on) {
                Status::Fail
            } else if !gaps.is_empty() {
                Status::NotVerified
            } else if pre_existing.iter().any(|f| f.severity >= outcome.fail_on) {
                // The change passes, the tree it leaves does not: say both, never PASS.
                Status::PreExistingFail
            } else if !findings.is_empty() || !pre_existing.is_empty() {
                // Never PASS directly above findings that say the control is not met.
                Status::PassWithWarnings
            } else if !accepted.is_empty() || !settings.is_empty() {
                // Nor plain PASS over findings someone accepted.
                Status::PassWithExceptions
            } else {
                Status::Pass
            };
            Assessment {
                control,
                status,
                rules,
                findings,
                pre_existing,
                gaps,
                accepted,
                settings,
            }
        })
        .collect()
}

/// Facts about the run shown at the top of the report.
pub struct Header {
    /// `owner/name` from GITHUB_REPOSITORY or the `origin` remote, else the directory's name — never a
    /// local absolute path.
    pub repository: String,
    /// What the run covered: (label, value) rows — branches, commits, period, online or offline, diff.
    pub scope: Vec<(&'static str, String)>,
    /// The commit checked out, or why there is none.
    pub commit: String,
    pub version: &'static str,
    pub generated: String,
    pub verdict: Verdict,
    pub summary: String,
    /// Opt-outs from failing closed in effect ("none" when every source fails closed).
    pub fail_open: String,
}

pub fn header(outcome: &Outcome) -> Header {
    Header {
        repository: repository_name(outcome),
        scope: scope(outcome),
        commit: crate::repo::head_commit(&outcome.ctx.root).unwrap_or_else(|| {
            // A damaged repository must not read as "not a git repository" in an audit record.
            match &outcome.ctx.history.skipped {
                Some(Skip::Failed(_)) => "(the git repository could not be read)",
                Some(Skip::NotARepository) => "(not a git repository)",
                _ => "(no commit yet)",
            }
            .to_string()
        }),
        version: env!("CARGO_PKG_VERSION"),
        generated: utc_now(),
        verdict: outcome.verdict(),
        summary: super::summary_line(outcome),
        fail_open: if outcome.fail_open.is_empty() {
            "none: every source fails closed".to_string()
        } else {
            outcome
                .fail_open
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        },
    }
}

fn repository_name(outcome: &Outcome) -> String {
    if let Some(f) = outcome.ctx.github.facts() {
        return f.repo.to_string();
    }
    let env = std::env::var("GITHUB_REPOSITORY").ok();
    if let Some((id, _)) = crate::github::remote::discover(&outcome.ctx.root, env.as_deref()) {
        return id.to_string();
    }
    outcome.ctx.root.file_name().map_or_else(
        || "(unnamed)".to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The run's scope, stated so a reader knows what PASS covers.
fn scope(outcome: &Outcome) -> Vec<(&'static str, String)> {
    let ctx = &outcome.ctx;
    let h = &ctx.history;
    let mut rows = Vec::new();
    let branches: Vec<&str> = h.branches.iter().map(|b| b.branch.name.as_str()).collect();
    rows.push((
        "Deployment branches",
        if branches.is_empty() {
            format!("none found (patterns: {})", h.patterns.join(", "))
        } else {
            branches.join(", ")
        },
    ));
    let history = match &h.skipped {
        Some(Skip::Shallow) => "not evaluated: shallow clone".to_string(),
        Some(Skip::Failed(why)) => format!("not evaluated: git could not be read ({why})"),
        Some(Skip::NotARepository) => "not evaluated: not a git repository".to_string(),
        Some(Skip::NoDeployBranch) => "not evaluated: no deployment branch".to_string(),
        None => {
            let n = h.commits_examined();
            let times = h
                .branches
                .iter()
                .flat_map(|b| b.commits.iter().map(|c| c.commit.time));
            let (first, last) =
                times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
            let complete = h.branches.iter().all(|b| b.complete);
            let mut s = format!("{n} {}", if n == 1 { "commit" } else { "commits" });
            if n > 0 && date(first) == date(last) {
                s.push_str(&format!(", on {}", date(first)));
            } else if n > 0 {
                s.push_str(&format!(", {} to {}", date(first), date(last)));
            }
            s.push_str(if complete {
                " (the whole history)"
            } else {
                " (limited by [history] max-commits / since)"
            });
            s
        }
    };
    rows.push(("History examined", history));
    rows.push((
        "GitHub settings",
        match &ctx.github {
            crate::github::GithubFacts::Gathered(f) => {
                format!("online: read from the GitHub API ({} requests)", f.requests)
            }
            crate::github::GithubFacts::NotEvaluated(why) => format!("offline: not asked ({why})"),
            crate::github::GithubFacts::Failed(e) => format!("online, but the API failed: {e}"),
        },
    ));
    rows.push(("Judged", judged(outcome)));
    if let Some(d) = &ctx.diff {
        rows.push((
            "Change",
            match &d.base {
                Some(base) => format!(
                    "{base}...HEAD ({}): {} {} changed",
                    d.reason,
                    d.changes.files_changed(),
                    if d.changes.files_changed() == 1 {
                        "file"
                    } else {
                        "files"
                    }
                ),
                None => format!("the whole tree ({})", d.reason),
            },
        ));
    }
    rows
}

/// What the verdict is about: the change (pre-merge), or the whole tree.
fn judged(outcome: &Outcome) -> String {
    let Some((d, base)) = outcome
        .ctx
        .diff
        .as_ref()
        .and_then(|d| Some((d, d.base.as_deref()?)))
    else {
        return "the whole tree: every finding counts".to_string();
    };
    let short = |id: Option<git2::Oid>| {
        id.map(|i| i.to_string().chars().take(7).collect::<String>())
            .unwrap_or_else(|| "-".into())
    };
    let failing = outcome
        .pre_existing_findings
        .iter()
        .filter(|f| f.severity >= outcome.fail_on)
        .count();
    format!(
        "this change, not the whole tree: the findings of the tree it leaves that the merge base ({}) did not have, under the policy of {base} at its tip ({}). The verdict above is the change's; the tree also has {} pre-existing finding{} ({failing} at or above {}), listed under each control and not failed on",
        short(d.merge_base),
        short(d.base_tip),
        outcome.pre_existing,
        if outcome.pre_existing == 1 { "" } else { "s" },
        outcome.fail_on
    )
}

/// The current time as `YYYY-MM-DD HH:MM:SS UTC`, without a date-time dependency.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
