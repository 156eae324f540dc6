//! JSON output, schema version 1. These types are the published format, kept apart from the internal
//! ones so internal changes cannot silently change it. Documented in docs/json-format.md.

use crate::engine::Outcome;
use crate::finding::{Finding, Location};
use serde::Serialize;
use std::io::{self, Write};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    /// `shipgate-output`: how shipgate knows its own output in a work tree (never gated).
    generated_by: &'static str,
    tool: Tool,
    root: String,
    result: &'static str,
    exit_code: u8,
    fail_on: &'static str,
    summary: Summary<'a>,
    not_evaluated: Vec<String>,
    /// Opt-outs from failing closed in effect (empty: every source fails closed).
    fail_open: Vec<JsonFailOpen<'a>>,
    deployment_branches: Vec<DeploymentBranch>,
    diff: Option<Diff>,
    findings: Vec<JsonFinding<'a>>,
    /// Findings the policy accepted instead of failing on (baseline, inline allows, approved policy
    /// changes, existing debt), each with what accepted it and why.
    accepted: Vec<JsonAccepted<'a>>,
    /// shipgate's own outputs found untracked in the work tree, not gated.
    own_outputs: &'a [String],
    /// Present when GitHub was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    github: Option<JsonGithub>,
}

#[derive(Serialize)]
struct JsonFailOpen<'a> {
    source: &'a str,
    setting: &'a str,
    effect: &'a str,
}

#[derive(Serialize)]
struct JsonGithub {
    repository: String,
    /// HTTP requests sent to the API in this run (REST and GraphQL, retries included).
    requests: u32,
    api_requests: u32,
    branches: Vec<JsonBranch>,
}

#[derive(Serialize)]
struct JsonBranch {
    name: String,
    /// OpenSSF Scorecard's Branch-Protection score for this branch, for comparison.
    scorecard: JsonScore,
}

#[derive(Serialize)]
struct JsonScore {
    score: u8,
    max: u8,
    raise: Vec<JsonRaise>,
    unknown: Vec<&'static str>,
}

#[derive(Serialize)]
struct JsonRaise {
    setting: &'static str,
    tier: u8,
    score_if_fixed: u8,
}

fn github(outcome: &Outcome) -> Option<JsonGithub> {
    let facts = outcome.ctx.github.facts()?;
    let branches = outcome
        .scorecards
        .iter()
        .cloned()
        .map(|(name, s)| JsonBranch {
            name,
            scorecard: JsonScore {
                score: s.score,
                max: s.max,
                raise: s
                    .raise
                    .into_iter()
                    .map(|r| JsonRaise {
                        setting: r.setting,
                        tier: r.tier,
                        score_if_fixed: r.score_if_fixed,
                    })
                    .collect(),
                unknown: s.unknown,
            },
        })
        .collect();
    Some(JsonGithub {
        repository: facts.repo.to_string(),
        requests: facts.requests,
        api_requests: facts.requests,
        branches,
    })
}

#[derive(Serialize)]
struct DeploymentBranch {
    name: String,
    #[serde(rename = "ref")]
    refname: String,
    head: String,
    /// Commits whose arrival was judged (0 when the history was not evaluated).
    commits_examined: usize,
    /// The walk reached the branch's first commit.
    complete: bool,
}

#[derive(Serialize)]
struct Diff {
    /// None: `--diff auto` outside a pull request, the whole tree was checked.
    base: Option<String>,
    /// What the base resolved to: its full ref name, or the event payload it was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    base_ref: Option<String>,
    /// The base branch's tip: its policy judged the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    base_tip: Option<String>,
    merge_base: Option<String>,
    reason: String,
    files_changed: usize,
    pre_existing: usize,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary<'a> {
    errors: usize,
    warnings: usize,
    notes: usize,
    files: u64,
    files_scanned: u64,
    bytes_scanned: u64,
    skipped_binary: u64,
    skipped_large: u64,
    ignored: u64,
    unreadable: u64,
    /// Symbolic links, never followed.
    symlinks: u64,
    /// Submodules and nested repositories, not walked (each is gated in its own repository).
    nested_repositories: u64,
    /// Third-party trees (`vendor/`, `node_modules/`, `third_party/`, …) skipped, and the files in them.
    vendored_trees: u64,
    vendored_files: u64,
    /// Vendored files that production code imports: gated as production code all the same.
    vendored_gated: u64,
    /// Files production reaches although named otherwise (docs, examples, dev tooling, link targets):
    /// gated as production.
    reached_gated: u64,
    /// Files inside production code that naming conventions made tests or fixtures (not gated), and why.
    skipped_as_tests: &'a crate::repo::reach::SkippedAsTests,
    /// Findings hidden by `shipgate:allow(...)` comments.
    suppressed_inline: usize,
    /// Findings hidden by the baseline.
    baselined: usize,
    /// `--diff`: findings the change did not introduce (left out, not failed on).
    pre_existing: usize,
    elapsed_ms: u128,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    location: JsonLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    fingerprint: &'a str,
    /// Other hits of the same rule in the same file (the finding is reported once, with a count).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    repeats: Vec<JsonRepeat<'a>>,
    /// Findings about a repository's settings: `declared` (as code in this tree), `observed` (as GitHub
    /// reports them) or `drift` (the two differ), and which repository, branch or environment, setting.
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<&'a crate::finding::SettingsRef>,
}

#[derive(Serialize)]
struct JsonAccepted<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    /// baseline, inline allow, existing debt or approved policy change.
    accepted_by: &'static str,
    reason: String,
}

#[derive(Serialize)]
struct JsonRepeat<'a> {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    byte_start: usize,
    byte_end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
    fingerprint: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum JsonLocation<'a> {
    File {
        path: &'a str,
        /// 0 when the finding is about the whole file.
        line: u32,
        column: u32,
        end_line: u32,
        end_column: u32,
        byte_start: usize,
        byte_end: usize,
    },
    Setting {
        scope: &'a str,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<&'a str>,
    },
    Repository,
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    let location = match &f.location {
        Location::File(s) => JsonLocation::File {
            path: &s.path,
            line: s.line,
            column: s.column,
            end_line: s.end_line,
            end_column: s.end_column,
            byte_start: s.span.0,
            byte_end: s.span.1,
        },
        Location::Setting { scope, name, url } => JsonLocation::Setting {
            scope,
            name,
            url: url.as_deref(),
        },
        Location::Repository => JsonLocation::Repository,
    };
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.as_str(),
        message: &f.message,
        location,
        evidence: f.evidence.as_deref(),
        help: f.help.as_deref(),
        fingerprint: &f.fingerprint,
        settings: f.settings.as_ref(),
        repeats: f
            .repeats
            .iter()
            .map(|r| JsonRepeat {
                line: r.span.line,
                column: r.span.column,
                end_line: r.span.end_line,
                end_column: r.span.end_column,
                byte_start: r.span.span.0,
                byte_end: r.span.span.1,
                evidence: r.evidence.as_deref(),
                fingerprint: &r.fingerprint,
            })
            .collect(),
    }
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let c = outcome.counts();
    let s = &outcome.ctx.stats;
    let verdict = outcome.verdict();
    let report = Report {
        schema_version: SCHEMA_VERSION,
        generated_by: crate::repo::own_output::MARKER,
        tool: Tool {
            name: "shipgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        root: outcome.ctx.root.display().to_string(),
        result: verdict.as_str(),
        exit_code: verdict.exit_code(),
        fail_on: outcome.fail_on.as_str(),
        summary: Summary {
            errors: c.errors,
            warnings: c.warnings,
            notes: c.notes,
            files: s.files,
            files_scanned: s.scanned,
            bytes_scanned: s.bytes_scanned,
            skipped_binary: s.skipped_binary,
            skipped_large: s.skipped_large,
            ignored: s.ignored,
            unreadable: s.unreadable,
            symlinks: s.symlinks,
            nested_repositories: s.nested_repos,
            vendored_trees: s.vendored_trees,
            vendored_files: s.vendored,
            vendored_gated: s.vendored_gated,
            reached_gated: s.reached_gated,
            skipped_as_tests: &s.skipped_as_tests,
            suppressed_inline: outcome.suppressed.inline,
            baselined: outcome.suppressed.baselined,
            pre_existing: outcome.pre_existing,
            elapsed_ms: outcome.elapsed.as_millis(),
        },
        not_evaluated: outcome
            .not_evaluated
            .iter()
            .map(ToString::to_string)
            .collect(),
        fail_open: outcome
            .fail_open
            .iter()
            .map(|f| JsonFailOpen {
                source: f.source,
                setting: &f.setting,
                effect: &f.effect,
            })
            .collect(),
        deployment_branches: outcome
            .ctx
            .history
            .branches
            .iter()
            .map(|b| DeploymentBranch {
                name: b.branch.name.clone(),
                refname: b.branch.refname.clone(),
                head: b.branch.head.to_string(),
                commits_examined: b.commits.len(),
                complete: b.complete,
            })
            .collect(),
        diff: outcome.ctx.diff.as_ref().map(|d| Diff {
            base: d.base.clone(),
            base_ref: d.base_ref.clone(),
            base_tip: d.base_tip.map(|m| m.to_string()),
            merge_base: d.merge_base.map(|m| m.to_string()),
            reason: d.reason.clone(),
            files_changed: d.changes.files_changed(),
            pre_existing: outcome.pre_existing,
        }),
        findings: outcome.findings.iter().map(finding).collect(),
        accepted: outcome
            .suppressed
            .accepted
            .iter()
            .map(|e| JsonAccepted {
                finding: finding(&e.finding),
                accepted_by: e.by.kind(),
                reason: e.by.reason(),
            })
            .collect(),
        own_outputs: &outcome.suppressed.own_outputs,
        github: github(outcome),
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::other)?;
    writeln!(out)
}
