//! `shipgate.toml`: schema, defaults, and validation that points at the user's own line.

use crate::diag::{did_you_mean, SourceDiag};
use crate::finding::Severity;
use crate::repo::classify::FileClass;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

mod declared;
mod duplicate;
mod github;
pub mod policy;
pub use declared::DeclaredConfig;
pub use github::{
    AllowedBypass, BotPrs, BranchRequirements, CodeOwnerReview, EnvironmentRequirements,
    GithubConfig, ReviewRequirements, StatusChecks, DEFAULT_DEADLINE as DEFAULT_GITHUB_DEADLINE,
};

/// Where shipgate looks for its config, in order, relative to the scanned root.
pub const CONFIG_LOCATIONS: &[&str] = &["shipgate.toml", ".github/shipgate.toml"];
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;
pub const DEFAULT_RULE_PACKS: &str = ".shipgate/rules/*.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    branches: RawBranches,
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    github: github::RawGithub,
    #[serde(default)]
    history: RawHistory,
    #[serde(default)]
    hook: RawHook,
    #[serde(default)]
    declared: declared::RawDeclared,
    /// `[data]` belongs to `shipgate data`, which reads and validates it with spans (`crate::data::policy`).
    #[serde(default, rename = "data")]
    _data: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    repository: RawRepository,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRepository {
    kind: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHistory {
    max_commits: Option<Spanned<i64>>,
    since: Option<Spanned<String>>,
    #[serde(default)]
    exempt_authors: Vec<Spanned<String>>,
    allow_shallow: Option<bool>,
    require: Option<bool>,
    fail_closed: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHook {
    allow_direct_push: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBranches {
    #[serde(default)]
    deploy: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPaths {
    #[serde(default)]
    test: Vec<Spanned<String>>,
    #[serde(default)]
    fixture: Vec<Spanned<String>>,
    #[serde(default)]
    production: Vec<Spanned<String>>,
    #[serde(default)]
    config: Vec<Spanned<String>>,
    #[serde(default)]
    docs: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawScan {
    max_file_size: Option<Spanned<toml::Value>>,
    rule_packs: Option<Vec<Spanned<String>>>,
    fail_closed: Option<bool>,
}

/// What a rule's severity became in the user's config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    Severity(Severity),
}

/// A `[rules]` entry kept with its place in the file, so an unknown rule id can be pointed at later
/// (rule ids are only known once user rule packs are loaded).
#[derive(Debug, Clone)]
pub struct RuleOverride {
    pub id: String,
    pub setting: RuleSetting,
    pub span: std::ops::Range<usize>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it came from (None: defaults), and its text, for later diagnostics.
    pub source: Option<(PathBuf, String)>,
    pub fail_on: Severity,
    pub deploy_branches: Vec<String>,
    pub paths: PathClasses,
    pub max_file_size: u64,
    pub rule_packs: Vec<String>,
    /// `[scan] fail-closed`: a file or directory that cannot be read, or a workflow that is not valid
    /// YAML, fails the gate (exit 2). False: they are warnings, and the opt-out is printed in the summary.
    pub scan_fail_closed: bool,
    pub rules: Vec<RuleOverride>,
    pub github: GithubConfig,
    pub history: HistoryConfig,
    pub hook: HookConfig,
    /// `[declared]`: branch protection declared as code in this tree.
    pub declared: DeclaredConfig,
    /// `[repository]`: what the repository is.
    pub repository: RepositoryConfig,
}

/// What a repository declares itself to be (`[repository] kind`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RepositoryKind {
    /// It runs in production (or ships to it): every rule applies as documented. The default.
    #[default]
    Service,
    /// It exists only for other software's tests — a stub of an API, a fake identity provider, a test
    /// harness — and must never run in production. Test data, test code and test switches are its
    /// purpose: the `data/`, `leak/` and `switch/` findings are notes. Everything that protects how it is
    /// changed and deployed (branches, review, owners, workflows, environments, access) still holds.
    TestSupport,
}

impl RepositoryKind {
    pub const NAMES: &'static [&'static str] = &["service", "test-support"];

    pub fn as_str(self) -> &'static str {
        match self {
            RepositoryKind::Service => "service",
            RepositoryKind::TestSupport => "test-support",
        }
    }

    fn parse(s: &str) -> Option<RepositoryKind> {
        match s {
            "service" => Some(RepositoryKind::Service),
            "test-support" => Some(RepositoryKind::TestSupport),
            _ => None,
        }
    }
}

/// The rule families a test-support repository's findings of are notes: what it holds on purpose.
pub const TEST_SUPPORT_FAMILIES: &[&str] = &["data", "leak", "switch"];

/// `[repository]`: the kind, and why (a declaration that changes what fails must say why, in review).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepositoryConfig {
    pub kind: RepositoryKind,
    pub reason: Option<String>,
}

impl RepositoryConfig {
    /// Is a finding of `rule` one the repository's kind makes a note?
    pub fn notes(&self, rule: &str) -> bool {
        self.kind == RepositoryKind::TestSupport
            && rule
                .split_once('/')
                .is_some_and(|(family, _)| TEST_SUPPORT_FAMILIES.contains(&family))
    }
}

/// How much of the deployment branches' history to examine, and what to forgive (`[history]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    /// `max-commits`; None: 200 unless `since` is set, then no count limit.
    pub max_commits: Option<usize>,
    pub since: Option<Since>,
    /// Author names or e-mails (`*` wildcards) whose direct commits are expected (bots).
    pub exempt_authors: Vec<String>,
    /// A shallow clone is accepted: history checks are reported as not evaluated instead of failing closed.
    pub allow_shallow: bool,
    /// Missing history (not a git repository, no deployment branch) fails closed instead of being skipped.
    pub require: bool,
    /// A repository git cannot read (corrupt, unreadable, not owned by this user) fails the gate (exit 2).
    /// False: `gate/history-unavailable` is a warning, and the opt-out is printed in the summary.
    pub fail_closed: bool,
}

/// Written out because a derived `Default` would make `fail_closed` false: the default must fail closed.
impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            max_commits: None,
            since: None,
            exempt_authors: Vec::new(),
            allow_shallow: false,
            require: false,
            fail_closed: true,
        }
    }
}

pub const DEFAULT_MAX_COMMITS: usize = 200;

impl HistoryConfig {
    /// The commit-count limit of the walk, per branch. `since` alone means "everything in that period".
    pub fn commit_limit(&self) -> Option<usize> {
        match (self.max_commits, &self.since) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(DEFAULT_MAX_COMMITS),
        }
    }
}

/// `[history] since`: a period before now ("90 days") or a fixed date ("2024-01-31", UTC midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    SecondsAgo(i64),
    Date(i64),
}

impl Since {
    /// The cutoff as Unix seconds, given the current time.
    pub fn cutoff(self, now: i64) -> i64 {
        match self {
            Since::SecondsAgo(s) => now.saturating_sub(s),
            Since::Date(t) => t,
        }
    }
}

/// `[hook]`: the pre-push hook's policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookConfig {
    /// Let pushes update deployment branches directly (the content scan still runs).
    pub allow_direct_push: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            source: None,
            fail_on: Severity::Error,
            deploy_branches: Vec::new(),
            paths: PathClasses::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            rule_packs: vec![DEFAULT_RULE_PACKS.to_string()],
            scan_fail_closed: true,
            rules: Vec::new(),
            github: GithubConfig::default(),
            history: HistoryConfig::default(),
            hook: HookConfig::default(),
            declared: DeclaredConfig::default(),
            repository: RepositoryConfig::default(),
        }
    }
}

impl Config {
    pub fn setting_for(&self, rule: &str) -> Option<RuleSetting> {
        self.rules
            .iter()
            .rev()
            .find(|r| r.id == rule)
            .map(|r| r.setting)
    }

    /// A diagnostic pointing into the config file (for errors found after parsing, e.g. unknown rule ids).
    pub fn diag_at(
        &self,
        code: &str,
        message: String,
        span: std::ops::Range<usize>,
        label: &str,
    ) -> SourceDiag {
        match &self.source {
            Some((path, text)) => SourceDiag::at(
                code,
                message,
                &path.display().to_string(),
                text,
                span,
                label,
            ),
            None => SourceDiag::plain(code, message),
        }
    }
}

/// The user's path globs, checked before the built-in conventions. First matching class wins, in this order:
/// ignore, test, fixture, docs, config, production.
#[derive(Debug, Clone, Default)]
pub struct PathClasses {
    sets: Vec<(PathOverride, GlobSet)>,
    /// Each glob as written, with its class: what a change to the policy is compared by.
    pub globs: Vec<(PathOverride, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathOverride {
    Ignore,
    Class(FileClass),
}

impl PathClasses {
    pub fn lookup(&self, rel: &str) -> Option<PathOverride> {
        self.sets
            .iter()
            .find(|(_, set)| set.is_match(rel))
            .map(|(o, _)| *o)
    }
}

/// Parse and validate config text. `name` is how the file is shown in diagnostics.
pub fn parse(name: &str, text: &str) -> Result<Config, SourceDiag> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
    let at = |span: std::ops::Range<usize>, msg: String, label: &str| {
        SourceDiag::at("config/invalid", msg, name, text, span, label)
    };

    let mut cfg = Config::default();
    if let Some(f) = raw.fail_on {
        cfg.fail_on = Severity::parse(f.get_ref()).ok_or_else(|| {
            at(
                f.span(),
                format!(
                    "`fail-on` must be error, warning or note, not `{}`",
                    f.get_ref()
                ),
                "not a severity",
            )
            .with_help(did_you_mean(f.get_ref(), ["error", "warning", "note"]).unwrap_or_default())
        })?;
    }
    for b in &raw.branches.deploy {
        Glob::new(b.get_ref()).map_err(|e| {
            at(
                b.span(),
                format!("bad branch glob `{}`: {}", b.get_ref(), e.kind()),
                "here",
            )
        })?;
    }
    cfg.deploy_branches = raw
        .branches
        .deploy
        .iter()
        .map(|b| b.get_ref().clone())
        .collect();

    let p = &raw.paths;
    let groups: [(&[Spanned<String>], PathOverride); 6] = [
        (&p.ignore, PathOverride::Ignore),
        (&p.test, PathOverride::Class(FileClass::Test)),
        (&p.fixture, PathOverride::Class(FileClass::Fixture)),
        (&p.docs, PathOverride::Class(FileClass::Docs)),
        (&p.config, PathOverride::Class(FileClass::Config)),
        (&p.production, PathOverride::Class(FileClass::Code)),
    ];
    for (globs, class) in groups {
        if globs.is_empty() {
            continue;
        }
        let mut set = GlobSetBuilder::new();
        for g in globs {
            set.add(path_glob(g.get_ref()).map_err(|e| {
                at(
                    g.span(),
                    format!("bad path glob `{}`: {}", g.get_ref(), e.kind()),
                    "here",
                )
            })?);
        }
        let set = set
            .build()
            .map_err(|e| at(globs[0].span(), format!("bad path globs: {e}"), "here"))?;
        cfg.paths.sets.push((class, set));
        cfg.paths
            .globs
            .extend(globs.iter().map(|g| (class, g.get_ref().clone())));
    }

    if let Some(size) = &raw.scan.max_file_size {
        cfg.max_file_size = parse_size(size.get_ref()).ok_or_else(|| {
            at(
                size.span(),
                "`max-file-size` must be a byte count or a size like \"2 MiB\"".to_string(),
                "not a size",
            )
        })?;
    }
    if let Some(packs) = &raw.scan.rule_packs {
        for g in packs {
            if !policy::stays_inside(g.get_ref().trim_start_matches("./")) {
                return Err(at(
                    g.span(),
                    format!(
                        "`[scan] rule-packs` entry `{}` reaches outside the repository",
                        g.get_ref()
                    ),
                    "outside the repository",
                )
                .with_help("rule packs must live inside the repository: use a path relative to its root, without `..`"));
            }
            path_glob(g.get_ref()).map_err(|e| {
                at(
                    g.span(),
                    format!("bad rule-pack glob `{}`: {}", g.get_ref(), e.kind()),
                    "here",
                )
            })?;
        }
        cfg.rule_packs = packs.iter().map(|g| g.get_ref().clone()).collect();
    }
    cfg.scan_fail_closed = raw.scan.fail_closed.unwrap_or(true);

    for (id, value) in &raw.rules {
        let setting = match value.get_ref().as_str() {
            "off" => RuleSetting::Off,
            s => RuleSetting::Severity(Severity::parse(s).ok_or_else(|| {
                at(
                    value.span(),
                    format!("rule `{}`: `{s}` is not a setting", id.get_ref()),
                    "expected error, warning, note or off",
                )
                .with_help(did_you_mean(s, ["error", "warning", "note", "off"]).unwrap_or_else(|| {
                    "a severity (\"error\", \"warning\", \"note\"), or \"off\" to turn the rule off (not \"disabled\" or false)".into()
                }))
            })?),
        };
        cfg.rules.push(RuleOverride {
            id: id.get_ref().clone(),
            setting,
            span: id.span(),
        });
    }
    cfg.github = github::parse(&raw.github, &at)?;

    let h = &raw.history;
    if let Some(n) = &h.max_commits {
        cfg.history.max_commits = Some(
            usize::try_from(*n.get_ref())
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    at(
                        n.span(),
                        format!("`max-commits` must be at least 1, not {}", n.get_ref()),
                        "not a commit count",
                    )
                    .with_help("leave it out for the default (200), or use `since` for a period")
                })?,
        );
    }
    if let Some(since) = &h.since {
        cfg.history.since = Some(parse_since(since.get_ref()).ok_or_else(|| {
            at(
                since.span(),
                format!(
                    "`since` must be a period or a date, not `{}`",
                    since.get_ref()
                ),
                "not a period or date",
            )
            .with_help("e.g. \"90 days\", \"12 weeks\", \"6 months\", \"1 year\" or \"2024-01-31\"")
        })?);
    }
    for a in &h.exempt_authors {
        if a.get_ref().trim().is_empty() {
            return Err(at(
                a.span(),
                "an empty `exempt-authors` entry would exempt nobody".to_string(),
                "empty",
            )
            .with_help(
                "give a name or e-mail, e.g. \"dependabot[bot]\" or \"*@bots.example.org\"",
            ));
        }
    }
    cfg.history.exempt_authors = h
        .exempt_authors
        .iter()
        .map(|a| a.get_ref().clone())
        .collect();
    cfg.history.allow_shallow = h.allow_shallow.unwrap_or(false);
    cfg.history.require = h.require.unwrap_or(false);
    cfg.history.fail_closed = h.fail_closed.unwrap_or(true);
    cfg.hook.allow_direct_push = raw.hook.allow_direct_push.unwrap_or(false);
    cfg.declared = declared::parse(&raw.declared, &at)?;
    cfg.repository = parse_repository(&raw.repository, name, text)?;
    Ok(cfg)
}

/// `[repository]`: a known kind; `test-support` needs a reason, as every exception does.
fn parse_repository(
    raw: &RawRepository,
    name: &str,
    text: &str,
) -> Result<RepositoryConfig, SourceDiag> {
    let at = |code: &str, span: std::ops::Range<usize>, msg: String, label: &str| {
        SourceDiag::at(code, msg, name, text, span, label)
    };
    let reason = raw
        .reason
        .as_ref()
        .map(|r| (r.get_ref().trim().to_string(), r.span()));
    if let Some((r, span)) = &reason {
        if r.is_empty() {
            return Err(at(
                "config/invalid",
                span.clone(),
                "an empty `[repository] reason` says nothing".into(),
                "empty",
            ));
        }
    }
    let Some(kind) = &raw.kind else {
        return match reason {
            Some((_, span)) => Err(at(
                "config/invalid",
                span,
                "`[repository] reason` without a `kind` declares nothing".into(),
                "no kind",
            )
            .with_help("add `kind = \"test-support\"` (or remove the reason)")),
            None => Ok(RepositoryConfig::default()),
        };
    };
    let parsed = RepositoryKind::parse(kind.get_ref()).ok_or_else(|| {
        at(
            "config/invalid",
            kind.span(),
            format!(
                "`[repository] kind` must be {}, not `{}`",
                RepositoryKind::NAMES.join(" or "),
                kind.get_ref()
            ),
            "not a repository kind",
        )
        .with_help(
            did_you_mean(kind.get_ref(), RepositoryKind::NAMES.iter().copied()).unwrap_or_default(),
        )
    })?;
    if parsed == RepositoryKind::TestSupport && reason.is_none() {
        return Err(at(
            "config/repository-kind",
            kind.span(),
            "`kind = \"test-support\"` needs a `reason`: it turns this repository's test-data, leak and switch findings into notes".into(),
            "needs a reason",
        )
        .with_help("add `reason = \"…\"` saying what the repository supports and why it never runs in production, e.g. its README's warning"));
    }
    Ok(RepositoryConfig {
        kind: parsed,
        reason: reason.map(|(r, _)| r),
    })
}

/// "90 days", "90d", "12 weeks", "6 months" (30 days each), "1 year" (365 days), or "YYYY-MM-DD" (UTC).
pub fn parse_since(s: &str) -> Option<Since> {
    let s = s.trim();
    if let Some(t) = parse_date(s) {
        return Some(Since::Date(t));
    }
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    let n: i64 = num.parse().ok()?;
    const DAY: i64 = 86_400;
    let secs = match unit.trim().to_ascii_lowercase().as_str() {
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => DAY,
        "w" | "week" | "weeks" => 7 * DAY,
        "month" | "months" => 30 * DAY,
        "y" | "year" | "years" => 365 * DAY,
        _ => return None,
    };
    n.checked_mul(secs)
        .filter(|s| *s > 0)
        .map(Since::SecondsAgo)
}

/// `YYYY-MM-DD` as Unix seconds at UTC midnight.
fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(crate::calendar::days_from_civil(y, m, d) * 86_400)
}

/// A path glob: `*` stays within one directory; a pattern without `/` matches at any depth (like .gitignore).
pub fn path_glob(pattern: &str) -> Result<Glob, globset::Error> {
    let trimmed = pattern.trim_start_matches("./").trim_start_matches('/');
    let full = if pattern.contains('/') && !pattern.starts_with("**/") {
        trimmed.to_string()
    } else if pattern.contains('/') {
        pattern.to_string()
    } else {
        format!("**/{trimmed}")
    };
    // `dir/` means everything under dir.
    let full = if full.ends_with('/') {
        format!("{full}**")
    } else {
        full
    };
    GlobBuilder::new(&full).literal_separator(true).build()
}

fn parse_size(v: &toml::Value) -> Option<u64> {
    match v {
        toml::Value::Integer(n) if *n > 0 => u64::try_from(*n).ok(),
        toml::Value::String(s) => {
            let s = s.trim();
            let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let (num, unit) = s.split_at(split);
            let n: u64 = num.parse().ok()?;
            let mult = match unit.trim().to_ascii_lowercase().as_str() {
                "" | "b" => 1,
                "k" | "kb" | "kib" => 1024,
                "m" | "mb" | "mib" => 1024 * 1024,
                "g" | "gb" | "gib" => 1024 * 1024 * 1024,
                _ => return None,
            };
            n.checked_mul(mult).filter(|n| *n > 0)
        }
        _ => None,
    }
}

/// Turn a TOML/serde error into a diagnostic on its span, with "did you mean" for unknown keys.
fn toml_error(name: &str, text: &str, e: &toml::de::Error) -> SourceDiag {
    let msg = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    // A duplicate is two places: the parser names the second; the first is found here.
    let first = (msg == "duplicate key")
        .then(|| duplicate::first_definition(text, &span))
        .flatten();
    let message = match &first {
        Some(at) => format!(
            "invalid config: duplicate key `{}` (first defined on line {})",
            text.get(span.clone())
                .unwrap_or("")
                .trim_matches(['"', '\'']),
            text.get(..at.start).unwrap_or("").matches('\n').count() + 1
        ),
        None => format!("invalid config: {msg}"),
    };
    let mut diag = SourceDiag::at(
        "config/invalid",
        message,
        name,
        text,
        span,
        first_line(&msg),
    );
    if let Some(at) = first {
        diag.labels.push(miette::LabeledSpan::new_with_span(
            Some("first defined here".into()),
            at,
        ));
        diag = diag.with_help("keep one of the two definitions");
    }
    if let Some((field, expected)) = unknown_field(&msg) {
        if let Some(hint) = did_you_mean(&field, expected.iter().map(String::as_str)) {
            diag = diag.with_help(hint);
        } else {
            diag = diag.with_help(format!("known keys here: {}", expected.join(", ")));
        }
    }
    diag
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`"), pull out x and [a, b].
fn unknown_field(msg: &str) -> Option<(String, Vec<String>)> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((field.to_string(), expected))
}

/// The commented starter config written by `shipgate init`.
pub const STARTER: &str = include_str!("starter.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gives_defaults() {
        let c = parse("shipgate.toml", "").unwrap_or_default();
        assert_eq!(c.fail_on, Severity::Error);
        assert_eq!(c.max_file_size, DEFAULT_MAX_FILE_SIZE);
    }

    #[test]
    fn starter_config_is_valid() {
        assert!(parse("shipgate.toml", STARTER).is_ok());
    }

    #[test]
    fn unknown_key_points_at_it_with_suggestion() {
        let text = "fial-on = \"error\"\n";
        let e = parse("shipgate.toml", text).err();
        let e = e.as_ref();
        assert_eq!(
            e.and_then(|e| e.help.as_deref()),
            Some("did you mean `fail-on`?")
        );
        assert_eq!(e.and_then(SourceDiag::line), Some(1));
    }

    #[test]
    fn wrong_type_and_bad_glob_are_located() {
        let e = parse("s.toml", "[paths]\ntest = \"tests\"\n").err();
        assert_eq!(e.as_ref().and_then(SourceDiag::line), Some(2));
        let e = parse("s.toml", "[paths]\nfixture = [\"ok/**\", \"bad/[\"]\n").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.message.contains("bad path glob `bad/[`")),
            "{e:?}"
        );
    }

    #[test]
    fn sizes_and_rule_settings() {
        let c = parse(
            "s.toml",
            "[scan]\nmax-file-size = \"512 KiB\"\n[rules]\n\"data/lorem-ipsum\" = \"off\"\n",
        );
        let c = c.ok();
        assert_eq!(c.as_ref().map(|c| c.max_file_size), Some(512 * 1024));
        assert_eq!(
            c.and_then(|c| c.setting_for("data/lorem-ipsum")),
            Some(RuleSetting::Off)
        );
        let e = parse("s.toml", "[rules]\n\"data/x\" = \"eror\"\n").err();
        assert!(e.is_some_and(|e| e.help.as_deref() == Some("did you mean `error`?")));
    }

    #[test]
    fn history_and_hook_settings() {
        let c = parse(
            "s.toml",
            "[history]\nsince = \"90 days\"\nexempt-authors = [\"dependabot[bot]\"]\nallow-shallow = true\n[hook]\nallow-direct-push = true\n",
        )
        .ok();
        let h = c.as_ref().map(|c| c.history.clone()).unwrap_or_default();
        assert_eq!(h.since, Some(Since::SecondsAgo(90 * 86_400)));
        assert_eq!(h.commit_limit(), None, "since alone has no count limit");
        assert!(h.allow_shallow && !h.require);
        assert!(c.is_some_and(|c| c.hook.allow_direct_push));
        assert_eq!(HistoryConfig::default().commit_limit(), Some(200));
        assert_eq!(parse_since("1970-01-02"), Some(Since::Date(86_400)));
        assert_eq!(parse_since("2 fortnights"), None);
        let e = parse("s.toml", "[history]\nmax-commits = 0\n").err();
        assert_eq!(e.as_ref().and_then(SourceDiag::line), Some(2));
        let e = parse("s.toml", "[history]\nsince = \"soon\"\n").err();
        assert!(e.is_some_and(|e| e.message.contains("`since` must be")));
        let e = parse("s.toml", "[history]\nallow-shalow = true\n").err();
        assert_eq!(
            e.and_then(|e| e.help),
            Some("did you mean `allow-shallow`?".to_string())
        );
    }

    #[test]
    fn path_globs_match_like_gitignore() {
        let g = |p: &str| path_glob(p).map(|g| g.compile_matcher()).ok();
        assert!(g("qa/").is_some_and(|m| m.is_match("qa/x/y.py")));
        assert!(g("*.snap").is_some_and(|m| m.is_match("a/b/c.snap")));
        assert!(g("src/*.py").is_some_and(|m| !m.is_match("src/a/b.py")));
    }
}
