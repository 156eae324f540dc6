//! `org run --declared PATH|OWNER/REPO`: the organisation's config repository (Terraform's GitHub
//! provider, safe-settings) read once, each audited repository's declarations judged with its own run,
//! and its declared, observed and drift results reported side by side. The observed controls are
//! computed from observed findings only: a declared setting never passes or fails a live control.

use super::report::esc;
use super::{FindingSummary, RepoResult, Status};
use crate::config::Config;
use crate::declared::{self, DeclaredFacts};
use crate::diag::SourceDiag;
use crate::finding::{Finding, SettingsOrigin};
use crate::github::{RepoId, Settings};
use crate::remote::RemoteOutcome;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The config repository, read once for the whole shard.
pub struct Source {
    /// As given: a path or `OWNER/REPO`.
    pub shown: String,
    pub facts: DeclaredFacts,
    pub config: Config,
}

/// The config repository's files, read once by `org run` and kept in a directory every repository's
/// child process reads (`isolate`): the path given, or a private copy of what the API returned.
pub struct Staged {
    /// As given: a path or `OWNER/REPO`.
    pub shown: String,
    pub dir: std::path::PathBuf,
    /// The private copy, removed when the shard is done.
    _copy: Option<crate::remote::TempDir>,
}

/// Read the declared settings from a directory or, through the API, from `OWNER/REPO`, check that
/// they declare something, and stage them for the children.
pub fn stage(arg: &str, settings: &Settings) -> Result<Staged, SourceDiag> {
    let config = Config::default();
    let bad = |why: String| bad_declared(arg, why);
    let path = std::path::Path::new(arg);
    let (files, copy) = if path.is_dir() {
        (declared::read_dir(path, &config).map_err(bad)?, None)
    } else {
        let repo = RepoId::parse(arg)
            .ok_or_else(|| bad("neither a directory nor a repository name (OWNER/REPO)".into()))?;
        let token = settings.token.clone().ok_or_else(|| {
            bad("reading a config repository needs a token (GITHUB_TOKEN or GH_TOKEN)".into())
        })?;
        let keep = |p: &str| declared::keeps(&config, p);
        let files =
            declared::live::read_config_repo(settings, token, &repo, config.max_file_size, &keep)
                .map_err(bad)?;
        let copy = crate::remote::TempDir::new()
            .map_err(|e| bad(format!("cannot create a temporary directory: {e}")))?;
        crate::remote::write_files(
            copy.path(),
            files.iter().map(|(p, t)| (p.as_str(), t.as_ref())),
        )?;
        (files, Some(copy))
    };
    from_files(arg, files, config)?;
    Ok(Staged {
        shown: crate::redact::visible_line(arg).into_owned(),
        dir: copy
            .as_ref()
            .map_or_else(|| path.to_path_buf(), |c| c.path().to_path_buf()),
        _copy: copy,
    })
}

/// In a repository's child process: the staged config repository, read from its directory.
pub fn load_staged(dir: &std::path::Path, shown: &str) -> Result<Source, SourceDiag> {
    let config = Config::default();
    let files = declared::read_dir(dir, &config).map_err(|why| bad_declared(shown, why))?;
    from_files(shown, files, config)
}

fn from_files(
    shown: &str,
    files: Vec<(String, std::sync::Arc<str>)>,
    config: Config,
) -> Result<Source, SourceDiag> {
    let (head, safe) = declared::declare(&files, &config);
    if head.is_empty() {
        return Err(bad_declared(
            shown,
            "declares no repository settings (no Terraform GitHub resource, no .github/settings.yml)"
                .into(),
        ));
    }
    Ok(Source {
        shown: crate::redact::visible_line(shown).into_owned(),
        facts: DeclaredFacts {
            files: files.len(),
            head,
            safe,
            ..DeclaredFacts::default()
        },
        config,
    })
}

fn bad_declared(arg: &str, why: String) -> SourceDiag {
    SourceDiag::plain(
        "org/bad-declared",
        format!("--declared {}: {why}", crate::redact::visible_line(arg)),
    )
}

/// The declarations about one repository.
pub fn for_repo(source: &Source, repo: &RepoId) -> DeclaredFacts {
    declared::for_repository(&source.facts, &source.config, repo)
}

/// A finding about declared settings or drift (not about what GitHub enforces).
pub fn is_declared(f: &Finding) -> bool {
    f.rule.starts_with("declared/")
        || f.settings
            .as_ref()
            .is_some_and(|s| s.origin != SettingsOrigin::Observed)
}

/// Declared, observed and drift for one repository.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeclaredSummary {
    /// The config repository the declarations came from.
    pub source: String,
    /// `pass`, `fail`, or `not declared` (the config says nothing about this repository).
    pub declared: String,
    /// The live branch-protection and deploy-environment controls, worst of the two.
    pub observed: Status,
    /// Differences between declared and live settings (`not verified` ones excluded).
    pub drift: usize,
    /// Drift that could not be checked.
    #[serde(default)]
    pub drift_unverified: usize,
    #[serde(default)]
    pub findings: Vec<FindingSummary>,
}

pub fn summarise(source: &Source, r: &RemoteOutcome, result: &RepoResult) -> DeclaredSummary {
    let outcome = &r.outcome;
    let mine: Vec<&Finding> = outcome.findings.iter().filter(|f| is_declared(f)).collect();
    let drift = |f: &&&Finding| f.rule == "declared/drift";
    let declared = if !outcome.ctx.declared.any() {
        "not declared"
    } else if mine
        .iter()
        .any(|f| f.severity >= outcome.fail_on && !f.rule.starts_with("declared/drift"))
    {
        "fail"
    } else {
        "pass"
    };
    let observed = ["branch-protection", "deploy-environments"]
        .iter()
        .filter_map(|c| result.controls.get(*c).map(|c| c.status))
        .max_by_key(|s| match s {
            Status::Pass => 0,
            Status::PassWithWarnings => 1,
            Status::NotVerified => 2,
            Status::Fail => 3,
        })
        .unwrap_or(Status::NotVerified);
    DeclaredSummary {
        source: source.shown.clone(),
        declared: declared.into(),
        observed,
        drift: mine.iter().filter(drift).count(),
        drift_unverified: mine
            .iter()
            .filter(|f| f.rule == "declared/drift-unverified")
            .count(),
        findings: mine
            .iter()
            .map(|f| FindingSummary {
                rule: f.rule.clone(),
                severity: f.severity.as_str().to_string(),
                message: crate::redact::visible_line(&f.message).into_owned(),
                location: crate::redact::visible_line(&f.location.display()).into_owned(),
            })
            .collect(),
    }
}

/// One row of the side-by-side table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeclaredCell {
    pub declared: String,
    pub observed: Status,
    pub drift: usize,
    #[serde(default)]
    pub drift_unverified: usize,
}

impl From<&DeclaredSummary> for DeclaredCell {
    fn from(s: &DeclaredSummary) -> Self {
        DeclaredCell {
            declared: s.declared.clone(),
            observed: s.observed,
            drift: s.drift,
            drift_unverified: s.drift_unverified,
        }
    }
}

fn drift_text(c: &DeclaredCell) -> String {
    match (c.drift, c.drift_unverified) {
        (0, 0) => "none".into(),
        (n, 0) => format!("{n} difference{}", if n == 1 { "" } else { "s" }),
        (n, u) => format!(
            "{n} difference{}, {u} not verified",
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// The markdown section (empty when no result carries declared settings).
pub fn markdown(rows: &[(String, Option<DeclaredCell>)], md: impl Fn(&str) -> String) -> String {
    let mut o = String::new();
    if rows.iter().all(|(_, c)| c.is_none()) {
        return o;
    }
    let _ = writeln!(
        o,
        "\n## Declared, observed and drift\n\n| Repository | Declared | Observed | Drift |\n|---|---|---|---|"
    );
    for (repo, c) in rows {
        if let Some(c) = c {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md(repo),
                md(&c.declared),
                c.observed.as_str(),
                drift_text(c)
            );
        }
    }
    o
}

pub fn html(rows: &[(String, Option<DeclaredCell>)]) -> String {
    let mut o = String::new();
    if rows.iter().all(|(_, c)| c.is_none()) {
        return o;
    }
    o.push_str("<h2>Declared, observed and drift</h2>\n<table id=\"declared\"><tr><th>Repository</th><th>Declared</th><th>Observed</th><th>Drift</th></tr>\n");
    for (repo, c) in rows {
        if let Some(c) = c {
            let class = |s: &str| match s {
                "pass" => "pass",
                "fail" => "fail",
                _ => "nv",
            };
            let drift_class = if c.drift > 0 {
                "fail"
            } else if c.drift_unverified > 0 {
                "nv"
            } else {
                "pass"
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td><td class=\"{drift_class}\">{}</td></tr>",
                esc(repo),
                class(&c.declared),
                esc(&c.declared),
                class(c.observed.as_str()),
                c.observed.as_str(),
                esc(&drift_text(c))
            );
        }
    }
    o.push_str("</table>\n");
    o
}
