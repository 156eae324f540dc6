//! `shipgate.toml [data]`: the team's own test accounts, exceptions with their reasons, and the limits of a
//! run. Read from the config's own text with spans, so a mistake is shown on the user's line (the rest of
//! the file is `config`'s).
//!
//! ```toml
//! [data]
//! test-accounts = ["qa.tester@our-service.gov.uk", "TESTUSER*"]
//! sample-rows = 10000          # rows read a table unless --full
//! time-budget = "30m"          # the whole run
//! statement-timeout = "5m"     # one table
//! lock-timeout = "5s"          # waiting for a lock another session holds
//! exclude-tables = ["audit.*"] # left out on purpose (listed in every report)
//!
//! [[data.allow]]
//! value = "smoke-test@example.com"
//! column = "email"
//! reason = "the smoke-test account production is meant to hold (runbook §4)"
//! ```

use crate::config::Config;
use crate::diag::{did_you_mean, SourceDiag};
use crate::rules::Catalogue;
use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

pub const DEFAULT_SAMPLE_ROWS: u64 = 10_000;
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Default, Deserialize)]
struct RawFile {
    #[serde(default)]
    data: RawData,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawData {
    #[serde(default)]
    test_accounts: Vec<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<RawAllow>>,
    sample_rows: Option<Spanned<i64>>,
    time_budget: Option<Spanned<String>>,
    statement_timeout: Option<Spanned<String>>,
    lock_timeout: Option<Spanned<String>>,
    #[serde(default)]
    tables: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_tables: Vec<Spanned<String>>,
    fail_closed: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAllow {
    rule: Option<Spanned<String>>,
    table: Option<Spanned<String>>,
    column: Option<Spanned<String>>,
    value: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
}

/// A table glob: `public.users`, `audit.*`, or `users` (a name without a schema matches it in any schema).
#[derive(Debug, Clone)]
pub struct TableGlob {
    pub written: String,
    matcher: GlobMatcher,
    qualified: bool,
}

impl TableGlob {
    fn new(written: &str) -> Result<TableGlob, globset::Error> {
        let matcher = GlobBuilder::new(written)
            .case_insensitive(true)
            .build()?
            .compile_matcher();
        Ok(TableGlob {
            written: written.to_string(),
            matcher,
            qualified: written.contains('.'),
        })
    }

    pub fn matches(&self, schema: &str, name: &str) -> bool {
        if self.qualified {
            self.matcher.is_match(format!("{schema}.{name}"))
        } else {
            self.matcher.is_match(name)
        }
    }
}

/// An exception: hits it matches are not findings, and are counted against it.
#[derive(Debug, Clone)]
pub struct Allow {
    pub rule: Option<String>,
    pub table: Option<TableGlob>,
    /// Lower-cased; matches the column or the JSON key a value sits under.
    pub column: Option<String>,
    /// Matches the value found or the whole field, case-insensitively (`*` wildcards).
    pub value: Option<GlobMatcher>,
    pub reason: String,
    /// How the entry is named in reports: `[[data.allow]] value = "…"`.
    pub shown: String,
    pub span: Range<usize>,
}

impl Allow {
    /// Does this exception cover a hit of `rule` in `column` (or under a JSON key of that name)?
    pub fn covers(
        &self,
        rule: &str,
        column: &str,
        key: Option<&str>,
        found: &[u8],
        field: &[u8],
    ) -> bool {
        if self.rule.as_deref().is_some_and(|r| r != rule) {
            return false;
        }
        if let Some(c) = &self.column {
            let same = |n: &str| n.eq_ignore_ascii_case(c);
            if !same(column) && !key.is_some_and(same) {
                return false;
            }
        }
        match &self.value {
            None => true,
            Some(v) => {
                let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
                v.is_match(text(found)) || v.is_match(text(field))
            }
        }
    }
}

/// The validated `[data]` section.
#[derive(Debug, Clone)]
pub struct DataPolicy {
    pub test_accounts: Vec<String>,
    pub allow: Vec<Allow>,
    pub sample_rows: u64,
    pub time_budget: Duration,
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
    /// Only these tables (empty: all).
    pub tables: Vec<TableGlob>,
    pub exclude_tables: Vec<TableGlob>,
    /// A table that could not be read fails the run (exit 2); false: a warning, said in every summary.
    pub fail_closed: bool,
}

impl Default for DataPolicy {
    fn default() -> Self {
        DataPolicy {
            test_accounts: Vec::new(),
            allow: Vec::new(),
            sample_rows: DEFAULT_SAMPLE_ROWS,
            time_budget: DEFAULT_TIME_BUDGET,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            tables: Vec::new(),
            exclude_tables: Vec::new(),
            fail_closed: true,
        }
    }
}

impl DataPolicy {
    /// Is the table left out by `tables` / `exclude-tables`?
    pub fn excludes(&self, schema: &str, name: &str) -> bool {
        (!self.tables.is_empty() && !self.tables.iter().any(|g| g.matches(schema, name)))
            || self.exclude_tables.iter().any(|g| g.matches(schema, name))
    }
}

/// `[data]` of the config the run read (defaults when there is none, or no section).
pub fn parse(config: &Config, catalogue: &Catalogue) -> Result<DataPolicy, SourceDiag> {
    let Some((path, text)) = &config.source else {
        return Ok(DataPolicy::default());
    };
    let name = path.display().to_string();
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        SourceDiag::at(
            "config/invalid",
            format!("invalid config: {}", e.message().trim()),
            &name,
            text,
            e.span().unwrap_or(0..0),
            "here",
        )
    })?;
    let at = |span: Range<usize>, msg: String, label: &str| {
        SourceDiag::at("config/invalid", msg, &name, text, span, label)
    };
    let raw = raw.data;
    let mut p = DataPolicy::default();
    for a in &raw.test_accounts {
        if a.get_ref().trim().is_empty() {
            return Err(at(
                a.span(),
                "`test-accounts`: an empty entry".into(),
                "empty",
            ));
        }
        glob(a.get_ref()).map_err(|e| {
            at(
                a.span(),
                format!("bad test-account pattern: {}", e.kind()),
                "here",
            )
        })?;
        p.test_accounts.push(a.get_ref().trim().to_string());
    }
    if let Some(n) = &raw.sample_rows {
        p.sample_rows = u64::try_from(*n.get_ref())
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                at(
                    n.span(),
                    format!("`sample-rows` must be at least 1, not {}", n.get_ref()),
                    "not a row count",
                )
                .with_help(
                    "leave it out for the default (10000), or run with --full to read every row",
                )
            })?;
    }
    for (field, target) in [
        (&raw.time_budget, &mut p.time_budget),
        (&raw.statement_timeout, &mut p.statement_timeout),
        (&raw.lock_timeout, &mut p.lock_timeout),
    ] {
        if let Some(v) = field {
            *target = parse_duration(v.get_ref()).ok_or_else(|| {
                at(
                    v.span(),
                    format!("`{}` is not a duration", v.get_ref()),
                    "expected e.g. \"500ms\", \"30s\", \"5m\", \"1h\"",
                )
            })?;
        }
    }
    for (list, into) in [
        (&raw.tables, &mut p.tables),
        (&raw.exclude_tables, &mut p.exclude_tables),
    ] {
        for g in list {
            into.push(TableGlob::new(g.get_ref()).map_err(|e| {
                at(
                    g.span(),
                    format!("bad table glob `{}`: {}", g.get_ref(), e.kind()),
                    "here",
                )
            })?);
        }
    }
    p.fail_closed = raw.fail_closed.unwrap_or(true);
    for entry in &raw.allow {
        let span = entry.span();
        let a = entry.get_ref();
        let reason = a
            .reason
            .as_ref()
            .map(|r| r.get_ref().trim().to_string())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                at(
                    span.clone(),
                    "this `[[data.allow]]` exception has no reason".into(),
                    "add `reason = \"…\"`",
                )
                .with_help("every exception says why production may hold this data (e.g. \"the smoke-test account, runbook §4\"), so a reviewer can judge it")
            })?;
        if a.value.is_none() && a.table.is_none() && a.column.is_none() {
            return Err(at(
                span,
                "this `[[data.allow]]` exception names no value, table or column: it would allow everything".into(),
                "too wide",
            )
            .with_help("name the value (`value = \"…\"`), the table or the column it allows; to turn a rule off everywhere use `[rules]`"));
        }
        if let Some(r) = &a.rule {
            if catalogue.get(r.get_ref()).is_none() {
                let mut d = at(
                    r.span(),
                    format!("unknown rule `{}`", r.get_ref()),
                    "no such rule",
                );
                d.help = Some(
                    did_you_mean(r.get_ref(), catalogue.ids())
                        .unwrap_or_else(|| "`shipgate rules` lists every rule id".into()),
                );
                return Err(d);
            }
        }
        let table = match &a.table {
            Some(t) => Some(TableGlob::new(t.get_ref()).map_err(|e| {
                at(
                    t.span(),
                    format!("bad table glob `{}`: {}", t.get_ref(), e.kind()),
                    "here",
                )
            })?),
            None => None,
        };
        let value =
            match &a.value {
                Some(v) => Some(glob(v.get_ref().trim()).map_err(|e| {
                    at(v.span(), format!("bad value pattern: {}", e.kind()), "here")
                })?),
                None => None,
            };
        let mut shown = Vec::new();
        for (k, v) in [
            ("rule", &a.rule),
            ("table", &a.table),
            ("column", &a.column),
            ("value", &a.value),
        ] {
            if let Some(v) = v {
                shown.push(format!("{k} = \"{}\"", v.get_ref()));
            }
        }
        p.allow.push(Allow {
            rule: a.rule.as_ref().map(|r| r.get_ref().clone()),
            table,
            column: a.column.as_ref().map(|c| c.get_ref().to_ascii_lowercase()),
            value,
            reason,
            shown: format!("[[data.allow]] {}", shown.join(", ")),
            span,
        });
    }
    Ok(p)
}

/// A case-insensitive pattern over a whole value, `*` matching anything (including `/` and `.`).
pub fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .backslash_escape(true)
        .build()?
        .compile_matcher())
}

/// `500ms`, `30s`, `5m`, `1h`, `90 seconds`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let ms = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" | "millisecond" | "milliseconds" => 1,
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(ms)
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Result<DataPolicy, SourceDiag> {
        let config = Config {
            source: Some(("shipgate.toml".into(), text.to_string())),
            ..Config::default()
        };
        let cat = crate::checks::catalogue(None).unwrap_or_else(|_| std::process::abort());
        parse(&config, &cat)
    }

    #[test]
    fn a_full_section_parses() {
        let p = policy(
            "fail-on = \"error\"\n[data]\ntest-accounts = [\"qa@x.gov.uk\"]\nsample-rows = 50\nlock-timeout = \"250ms\"\n\
             exclude-tables = [\"audit.*\"]\n[[data.allow]]\nvalue = \"smoke@example.com\"\nreason = \"smoke test\"\n",
        );
        let p = p.unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(p.sample_rows, 50);
        assert_eq!(p.lock_timeout, Duration::from_millis(250));
        assert!(p.excludes("audit", "log") && !p.excludes("public", "log"));
        assert!(p.allow[0].covers(
            "data/reserved-email",
            "email",
            None,
            b"SMOKE@example.com",
            b""
        ));
        assert!(!p.allow[0].covers(
            "data/reserved-email",
            "email",
            None,
            b"other@example.com",
            b""
        ));
    }

    #[test]
    fn an_exception_needs_a_reason_and_a_scope_and_is_located() {
        let e = policy("[data]\n[[data.allow]]\nvalue = \"a@example.com\"\n").err();
        assert!(
            e.as_ref().is_some_and(|e| e.message.contains("no reason")),
            "{e:?}"
        );
        let e = policy("[data]\n[[data.allow]]\nrule = \"data/reserved-email\"\nreason = \"r\"\n")
            .err();
        assert!(e
            .as_ref()
            .is_some_and(|e| e.message.contains("would allow everything")));
        let e = policy("[data]\n[[data.allow]]\nrule = \"data/reserved-emial\"\nvalue = \"x\"\nreason = \"r\"\n").err();
        assert!(e.as_ref().is_some_and(|e| e.line() == Some(3)
            && e.help.as_deref() == Some("did you mean `data/reserved-email`?")));
        let e = policy("[data]\nsample-row = 3\n").err();
        assert!(e
            .as_ref()
            .is_some_and(|e| e.message.contains("unknown field")));
        let e = policy("[data]\nlock-timeout = \"soon\"\n").err();
        assert!(e.as_ref().is_some_and(|e| e.line() == Some(2)));
    }

    #[test]
    fn table_globs_with_and_without_schema() {
        let g = TableGlob::new("users").unwrap_or_else(|_| std::process::abort());
        assert!(g.matches("public", "users") && g.matches("app", "USERS"));
        let g = TableGlob::new("public.*").unwrap_or_else(|_| std::process::abort());
        assert!(g.matches("public", "x") && !g.matches("audit", "x"));
    }
}
