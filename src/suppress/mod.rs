//! What the user asked to see less of, applied in order: `[rules]` severity overrides and `off`, inline
//! `shipgate:allow(ID) reason` comments, then the baseline. Every suppression must stay honest: an allow
//! without a reason or naming an unknown rule is itself a finding, and allows or baseline entries that no
//! longer match anything are reported so they do not rot (cargo-deny's "unmatched" lesson).

pub mod accepted;
pub mod baseline;
pub mod inline;
pub mod policy;

use crate::config::Config;
use crate::diag::did_you_mean;
use crate::finding::{Finding, Location};
use crate::rules::rule;
use crate::rules::Catalogue;
use baseline::Baseline;
use inline::Directive;
use std::collections::HashSet;

pub use crate::checks::suppression::{
    MISSING_REASON, RULES, STALE_BASELINE, UNKNOWN_RULE, UNUSED_ALLOW,
};

/// What was hidden, for the summary, and each accepted finding with what accepted it (the evidence
/// report lists them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressed {
    pub inline: usize,
    pub baselined: usize,
    pub accepted: Vec<accepted::Exception>,
    /// shipgate's own outputs found untracked in the work tree, not gated (`repo::own_output`).
    pub own_outputs: Vec<String>,
}

pub struct Inputs<'a> {
    pub config: &'a Config,
    pub catalogue: &'a Catalogue,
    pub directives: Vec<Directive>,
    /// Allows the change itself adds in pre-merge mode: checked for problems, never suppressing.
    pub held: Vec<Directive>,
    /// The baseline and how its path is shown.
    pub baseline: Option<(Baseline, String)>,
    /// False with `--no-suppress`: inline allows and the baseline are not applied (overrides still are).
    pub enabled: bool,
    /// Sources this run could not evaluate: their baseline entries are neither matched nor stale.
    pub unevaluated: Unevaluated,
    /// Which suppression may hide which finding. None: the whole tree's reading (an allow hides what it
    /// is on or above, a baseline entry what has its fingerprint); `check --diff` narrows both to what
    /// they hid at the base (`engine::outcome`).
    pub cover: Option<&'a dyn Cover>,
}

/// Which suppression may hide a finding, when it is not simply the one in place.
pub trait Cover {
    /// May the allow `directive` (an index into `Inputs::directives`), which is on or above `finding`,
    /// hide it?
    fn allow(&self, finding: &Finding, directive: usize) -> bool;
    /// The fingerprint of the baseline entry that hides `finding`, if any (`known`: every entry's).
    fn baseline(&self, finding: &Finding, known: &HashSet<&str>) -> Option<String>;
}

/// What hid a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HiddenBy {
    /// The inline allow at this index of `Inputs::directives`.
    Allow(usize),
    /// The baseline entry with this fingerprint.
    Baseline(String),
}

/// The outcome of the suppression stage: what stays, what was hidden and by what (keyed by the hidden
/// finding's fingerprint), and the counts for the summary.
#[derive(Debug, Default)]
pub struct Applied {
    pub findings: Vec<Finding>,
    pub hidden: std::collections::HashMap<String, HiddenBy>,
    pub counts: Suppressed,
}

/// Sources of findings that a run may not have evaluated (offline, a shallow clone, an API failure).
/// A baseline entry from such a source is kept and never reported stale: its finding was not looked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unevaluated {
    /// GitHub settings and reviews (entries located at `github:…`).
    pub github: bool,
    /// The deployment branches' history (entries located at `git:…`).
    pub history: bool,
}

impl Unevaluated {
    pub fn of(ctx: &crate::context::Context) -> Unevaluated {
        Unevaluated {
            github: !matches!(&ctx.github, crate::github::GithubFacts::Gathered(f) if f.failures.is_empty()),
            history: ctx.history.skipped.is_some(),
        }
    }

    /// Whether the finding behind this baseline entry could have been seen by this run.
    pub fn covers(&self, entry: &baseline::Entry) -> bool {
        let l = entry.location.as_str();
        !((self.github && l.starts_with("github:")) || (self.history && l.starts_with("git:")))
    }

    /// What was not evaluated, for messages: `GitHub settings, git history`.
    pub fn describe(&self) -> String {
        let mut what = Vec::new();
        if self.github {
            what.push("GitHub settings");
        }
        if self.history {
            what.push("the deployment branches' history");
        }
        what.join(" and ")
    }
}

pub fn apply(findings: Vec<Finding>, inputs: Inputs) -> (Vec<Finding>, Suppressed) {
    let applied = apply_recording(findings, inputs);
    (applied.findings, applied.counts)
}

/// `apply`, also saying what hid each hidden finding.
pub fn apply_recording(findings: Vec<Finding>, inputs: Inputs) -> Applied {
    let mut out = overrides(findings, inputs.config, inputs.catalogue);
    let mut counts = Suppressed::default();
    let mut hidden = std::collections::HashMap::new();
    // A match inside an allow comment is the comment quoting a rule id (`data/lorem-ipsum`), not evidence.
    let all: Vec<Directive> = inputs
        .directives
        .iter()
        .chain(&inputs.held)
        .cloned()
        .collect();
    out.retain(|f| !inside_directive(f, &all));
    let mut added = directive_problems(&all, inputs.catalogue);
    if inputs.enabled {
        let usable: Vec<(usize, &Directive)> = inputs
            .directives
            .iter()
            .enumerate()
            .filter(|(_, d)| d.reason.is_some())
            .collect();
        let mut used = vec![false; usable.len()];
        out.retain(|f| {
            let Location::File(span) = &f.location else {
                return true;
            };
            let hit = usable.iter().position(|(at, d)| {
                d.span.path == span.path
                    && d.covers(&f.rule, span.line)
                    && inputs.cover.is_none_or(|c| c.allow(f, *at))
            });
            if let Some(i) = hit {
                used[i] = true;
                counts.inline += 1;
                counts.accepted.push(accepted::Exception {
                    finding: f.clone(),
                    by: accepted::AcceptedBy::Inline {
                        at: usable[i].1.span.clone(),
                        reason: usable[i].1.reason.clone().unwrap_or_default(),
                    },
                });
                hidden.insert(f.fingerprint.clone(), HiddenBy::Allow(usable[i].0));
            }
            hit.is_none()
        });
        for ((_, d), _) in usable.iter().zip(&used).filter(|(_, u)| !**u) {
            let known = d
                .rules
                .iter()
                .any(|(r, _)| inputs.catalogue.get(r).is_some());
            if known {
                added.push(
                    rule!(UNUSED_ALLOW)
                        .finding(
                            "this allow suppresses no finding",
                            Location::File(d.span.clone()),
                        )
                        .with_help(
                            "delete it, or move it onto (or just above) the line it is meant for",
                        ),
                );
            }
        }
        if let Some((baseline, shown)) = &inputs.baseline {
            let at = BaselineAt {
                baseline,
                shown,
                unevaluated: inputs.unevaluated,
                cover: inputs.cover,
            };
            counts.baselined =
                apply_baseline(&mut out, &at, &mut added, &mut hidden, &mut counts.accepted);
        }
    }
    // The suppression stage's own findings are rules like any other: `[rules]` applies to them too.
    let mut added = overrides(added, inputs.config, inputs.catalogue);
    crate::finding::finalize(&mut added);
    out.extend(added);
    crate::finding::finalize(&mut out);
    Applied {
        findings: out,
        hidden,
        counts,
    }
}

/// `[rules]` settings for code rules. Pattern rules got theirs when the scanner was built (an `off`
/// pattern rule never runs, and a hint-downgraded note must stay a note).
/// `[rules]` severity overrides and `off`, for every rule implemented in code. The one decision is
/// `Catalogue::effective`; pattern rules take it when the scanner is built (`checks::registry`), because
/// their findings' severity also depends on where the match is (a setting, example text), which only
/// the scan knows.
pub fn overrides(findings: Vec<Finding>, config: &Config, catalogue: &Catalogue) -> Vec<Finding> {
    let is_pattern = |id: &str| catalogue.patterns.iter().any(|p| p.doc.id == id);
    findings
        .into_iter()
        .filter_map(|mut f| {
            if !is_pattern(&f.rule) {
                f.severity = catalogue.effective(&f.rule, f.severity, config)?;
            }
            repository_kind(&mut f, config);
            Some(f)
        })
        .collect()
}

/// `[repository] kind = "test-support"`: the repository holds test data and test code on purpose, so its
/// `data/`, `leak/` and `switch/` findings are notes saying so — unless `[rules]` names the rule itself
/// (the more specific setting wins).
fn repository_kind(f: &mut Finding, config: &Config) {
    if config.repository.notes(&f.rule)
        && config.setting_for(&f.rule).is_none()
        && f.severity > crate::finding::Severity::Note
    {
        f.severity = crate::finding::Severity::Note;
        f.message
            .push_str(" (a test-support repository: [repository] kind in shipgate.toml)");
    }
}

fn inside_directive(f: &Finding, directives: &[Directive]) -> bool {
    let Location::File(at) = &f.location else {
        return false;
    };
    directives
        .iter()
        .any(|d| d.span.path == at.path && d.span.span.0 <= at.span.0 && at.span.1 <= d.span.span.1)
}

fn directive_problems(directives: &[Directive], catalogue: &Catalogue) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in directives {
        if d.reason.is_none() {
            out.push(
                rule!(MISSING_REASON)
                    .finding(
                        "inline allow without a reason does not suppress anything",
                        Location::File(d.span.clone()),
                    )
                    .with_help(
                        "say why after the parenthesis: `shipgate:allow(RULE-ID) why this is safe`",
                    ),
            );
        }
        if d.rules.is_empty() {
            out.push(
                rule!(UNKNOWN_RULE)
                    .finding("inline allow names no rule", Location::File(d.span.clone())),
            );
        }
        for (id, span) in &d.rules {
            if catalogue.get(id).is_none() {
                let help = did_you_mean(id, catalogue.ids())
                    .unwrap_or_else(|| "`shipgate rules` lists every rule id".into());
                out.push(
                    rule!(UNKNOWN_RULE)
                        .finding(
                            format!("inline allow names unknown rule `{id}`"),
                            Location::File(span.clone()),
                        )
                        .with_evidence(id.clone())
                        .with_help(help),
                );
            }
        }
    }
    out
}

/// The baseline, how its path is shown, and what decides which entry hides which finding.
struct BaselineAt<'a> {
    baseline: &'a Baseline,
    shown: &'a str,
    unevaluated: Unevaluated,
    cover: Option<&'a dyn Cover>,
}

/// Hide baselined findings (never "could not evaluate" ones), each kept as an accepted exception with
/// its entry's line; report entries that matched nothing. Returns how many it hid.
fn apply_baseline(
    findings: &mut Vec<Finding>,
    at: &BaselineAt<'_>,
    added: &mut Vec<Finding>,
    hidden: &mut std::collections::HashMap<String, HiddenBy>,
    accepted: &mut Vec<accepted::Exception>,
) -> usize {
    let BaselineAt {
        baseline,
        shown,
        unevaluated,
        cover,
    } = *at;
    let known: std::collections::HashMap<&str, u32> = baseline
        .entries
        .iter()
        .map(|(e, at)| (e.fingerprint.as_str(), at.line))
        .collect();
    let known_set: HashSet<&str> = known.keys().copied().collect();
    let mut matched: HashSet<String> = HashSet::new();
    let before = findings.len();
    findings.retain(|f| {
        if crate::checks::gate::is_evaluation_failure(&f.rule) {
            return true;
        }
        let entry = match cover {
            Some(c) => c.baseline(f, &known_set),
            None => known_set
                .contains(f.fingerprint.as_str())
                .then(|| f.fingerprint.clone()),
        };
        let Some(entry) = entry else {
            return true;
        };
        hidden.insert(f.fingerprint.clone(), HiddenBy::Baseline(entry.clone()));
        accepted.push(accepted::Exception {
            finding: f.clone(),
            by: accepted::AcceptedBy::Baseline {
                file: shown.to_string(),
                line: known.get(entry.as_str()).copied().unwrap_or(0),
            },
        });
        matched.insert(entry);
        false
    });
    let hid = before - findings.len();
    for (entry, at) in &baseline.entries {
        // An entry whose source was not evaluated (offline, a shallow clone) is not stale: its finding
        // was never looked for.
        if !matched.contains(&entry.fingerprint) && unevaluated.covers(entry) {
            let span = at.in_file(shown);
            added.push(
                rule!(STALE_BASELINE)
                    .finding(
                        format!(
                            "baseline entry for `{}` at {} no longer matches a finding (fixed?)",
                            entry.rule, entry.location
                        ),
                        Location::File(span),
                    )
                    .with_evidence(entry.fingerprint.clone())
                    .with_help("remove the entry, or regenerate with `shipgate baseline`"),
            );
        }
    }
    hid
}
