//! Organisation-wide audit on GitHub Actions: `org plan` lists the organisation's repositories and cuts
//! them into shards for a job matrix, `org run` gates one shard's repositories through the API (bounded
//! concurrency, a shared rate-limit budget, one JSON result per repository), and `org report` merges the
//! results into one evidence report (markdown, HTML, JSON) diffable against the previous one.
//!
//! Layering: this sits beside `cli`, above `remote` (which runs the engine); nothing below depends on it.

pub mod declared;
pub mod isolate;
pub mod plan;
pub mod report;
pub mod run;

use crate::diag::SourceDiag;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A control of the report: a question an auditor asks, answered by one or more rule families.
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    pub families: &'static [&'static str],
}

/// The controls, in report order.
pub const CONTROLS: &[Control] = &[
    Control {
        id: "branch-protection",
        title: "Deployment branches are protected",
        families: &["branch"],
    },
    Control {
        id: "code-review",
        title: "Changes are reviewed before they reach a deployment branch",
        families: &["review"],
    },
    Control {
        id: "deploy-environments",
        title: "Deployment environments require approval",
        families: &["deploy"],
    },
    Control {
        id: "codeowners",
        title: "Code owners are defined and valid",
        families: &["owners"],
    },
    Control {
        id: "workflows",
        title: "Deploy workflows are safe",
        families: &["workflow"],
    },
    Control {
        id: "process-docs",
        title: "Testing, review and deployment are documented",
        families: &["process"],
    },
];

/// Evaluation failures and which families they leave unverified.
pub fn unverified_families(rule: &str) -> &'static [&'static str] {
    match rule {
        "gate/github-unavailable" | "gate/github-required" => &["branch", "review", "deploy"],
        "gate/history-unavailable" | "gate/shallow-clone" => &["review"],
        "gate/unreadable-file" => &["owners", "workflow", "process"],
        "branch/unverified" => &["branch"],
        "review/unverified" => &["review"],
        "deploy/unverified" => &["deploy"],
        _ => &[],
    }
}

pub const RESULT_SCHEMA: &str = "shipgate/org-result@1";
pub const SHARD_SCHEMA: &str = "shipgate/org-shard@1";
pub const REPORT_SCHEMA: &str = "shipgate/org-report@1";

/// A control's (or a repository's) verdict, as in the single-repository evidence report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    /// Passes, with findings below `--fail-on` that say the control is not fully met.
    PassWithWarnings,
    Fail,
    NotVerified,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::PassWithWarnings => "pass with warnings",
            Status::Fail => "fail",
            Status::NotVerified => "not verified",
        }
    }

    /// As the reports show it: PASS, PASS WITH WARNINGS, FAIL, NOT VERIFIED.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::PassWithWarnings => "PASS WITH WARNINGS",
            Status::Fail => "FAIL",
            Status::NotVerified => "NOT VERIFIED",
        }
    }
}

/// One shard: which repositories one matrix job gates.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shard {
    pub schema: String,
    pub org: String,
    pub shard: usize,
    pub of: usize,
    pub repositories: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlResult {
    pub status: Status,
    /// Rule ids behind a fail or a not verified.
    #[serde(default)]
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingSummary {
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub location: String,
}

/// One repository's result, as `org run` writes it and `org report` reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepoResult {
    pub schema: String,
    pub repository: String,
    /// pass, fail, or not-verified (the worst of the controls; not-verified when the API failed).
    pub status: Status,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub head: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub visibility: String,
    /// Deployment branches whose protection was read.
    #[serde(default)]
    pub branches: Vec<String>,
    /// The review window: commits examined, and their dates (Unix seconds).
    #[serde(default)]
    pub period: Option<Period>,
    #[serde(default)]
    pub controls: std::collections::BTreeMap<String, ControlResult>,
    #[serde(default)]
    pub findings: Vec<FindingSummary>,
    /// What was not evaluated, and why: settings the token could not see, files not read.
    #[serde(default)]
    pub not_evaluated: Vec<String>,
    /// How the repository's own shipgate.toml and baseline would weaken the auditor's policy, which
    /// judged it: reported here, never applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_overrides: Vec<String>,
    #[serde(default)]
    pub requests: u32,
    #[serde(default)]
    pub elapsed_ms: u64,
    #[serde(default)]
    pub checked_at: i64,
    /// `--declared`: the repository's declared settings, judged, next to the observed ones, and drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<declared::DeclaredSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Period {
    pub commits: usize,
    pub from: i64,
    pub to: i64,
}

/// Read a JSON file of at most `max` bytes.
pub fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    max: u64,
    code: &'static str,
) -> Result<T, SourceDiag> {
    let shown = crate::redact::visible_line(&path.display().to_string()).into_owned();
    let meta = std::fs::metadata(path)
        .map_err(|e| SourceDiag::plain(code, format!("cannot read {shown}: {e}")))?;
    if meta.len() > max {
        return Err(SourceDiag::plain(
            code,
            format!("{shown} is larger than {max} bytes; not read"),
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| SourceDiag::plain(code, format!("cannot read {shown}: {e}")))?;
    serde_json::from_str(&text)
        .map_err(|e| SourceDiag::plain(code, format!("{shown} is not valid: {e}")))
}

/// Write `text` to `path` (creating its directory), as a diagnostic on failure.
pub fn write_file(path: &Path, text: &[u8]) -> Result<(), SourceDiag> {
    let io = |e: std::io::Error| {
        SourceDiag::plain(
            "org/output",
            format!("cannot write {}: {e}", path.display()),
        )
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
