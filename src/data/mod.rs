//! `shipgate data`: the live-data check. Is there test data in the live system itself — where, how much,
//! and since when?
//!
//! Sources (PostgreSQL, read-only by construction; a plain-SQL pg_dump file; CSV exports) → the same
//! `data/…` rules as the code scan, made column-aware (`scan`) → findings per table and column with
//! counts, keys, masked values and first/last seen → human or JSON output and an evidence report.
//! Other engines (MySQL, SQL Server, Oracle) are not read yet: their URLs are refused, and CSV exports
//! of their tables are read instead.
//!
//! Layering: beside `org`, above `report` (whose evidence controls and statuses it reuses); only `cli`
//! uses it.

pub mod columns;
mod copy_text;
mod csv_source;
mod dump;
pub mod evidence;
mod mask;
pub mod policy;
pub mod postgres;
pub mod report;
mod scan;
pub mod target;
mod tls;
mod values;

use crate::checks::live_data;
use crate::config::policy::Source as PolicySource;
use crate::diag::SourceDiag;
use crate::finding::Severity;
use crate::status::Verdict;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to read.
pub enum SourceSpec {
    /// A connection string (None: `DATABASE_URL`, else the `PG*` variables).
    Postgres {
        conn: Option<String>,
        ca_file: Option<PathBuf>,
    },
    Dump(PathBuf),
    /// CSV files, or directories of them.
    Csv(Vec<PathBuf>),
}

/// `shipgate data`'s options, as the command line gives them (None: the `[data]` setting or default).
pub struct Options {
    pub source: SourceSpec,
    /// Where shipgate.toml is looked for (the repository around the working directory).
    pub root: PathBuf,
    pub config: Option<PathBuf>,
    pub full: bool,
    pub sample_rows: Option<u64>,
    pub seed: Option<u64>,
    pub time_budget: Option<Duration>,
    pub statement_timeout: Option<Duration>,
    pub lock_timeout: Option<Duration>,
    pub fail_on: Option<Severity>,
}

/// A finding about the live data (or about the run: `live/…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveFinding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// `schema.table` (None: about the run as a whole).
    pub table: Option<String>,
    pub column: Option<String>,
    /// Inside a JSON column: `$.contact.email`; `$[]` for array elements.
    pub path: Option<String>,
    /// Rows holding it, among `rows_read`.
    pub count: u64,
    pub rows_read: u64,
    /// The columns `keys` are values of (`ctid` or `(row number)` when the table has no primary key).
    pub key_columns: Vec<String>,
    pub keys: Vec<String>,
    pub more_keys: u64,
    /// Masked: `q***@example.com`.
    pub examples: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

impl LiveFinding {
    /// A finding about the run itself (the role, TLS, an exception), with no rows.
    pub fn about_run(
        rule: &str,
        severity: Severity,
        message: String,
        table: Option<String>,
    ) -> LiveFinding {
        LiveFinding {
            rule: rule.to_string(),
            severity,
            message,
            table,
            column: None,
            path: None,
            count: 0,
            rows_read: 0,
            key_columns: Vec::new(),
            keys: Vec::new(),
            more_keys: 0,
            examples: Vec::new(),
            first_seen: None,
            last_seen: None,
        }
    }

    /// `public.people.email`, `public.people.profile $.contact.email`, or `(run)`.
    pub fn location(&self) -> String {
        let mut s = match (&self.table, &self.column) {
            (Some(t), Some(c)) => format!("{t}.{c}"),
            (Some(t), None) => t.clone(),
            _ => "(run)".to_string(),
        };
        if let Some(p) = &self.path {
            s.push(' ');
            s.push_str(p);
        }
        crate::redact::visible_line(&s).into_owned()
    }
}

/// How one table was read.
#[derive(Debug, Clone, Serialize)]
pub struct TableRead {
    pub table: String,
    pub columns: usize,
    pub rows_read: u64,
    /// The catalogue's estimate (live databases only).
    pub rows_estimated: Option<u64>,
    /// Every row was read.
    pub complete: bool,
    pub method: String,
    /// Example values left out: in guidance columns or after hint words.
    pub examples_left_out: u64,
    /// Why it was not (fully) read, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_evaluated: Option<String>,
}

/// An exception of `[data] allow` and what it covered.
#[derive(Debug, Clone, Serialize)]
pub struct AllowUse {
    pub entry: String,
    pub reason: String,
    pub hits: u64,
}

/// Facts about the source, for the report's scope.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceFacts {
    /// `postgres`, `dump` or `csv`.
    pub kind: &'static str,
    /// `postgres://reader@db:5432/app`, the dump's path, the CSV files.
    pub shown: String,
    /// `verify-full (TLSv1.3)`, `none (sslmode=disable)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// How the session is kept read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<String>,
}

/// How rows were chosen.
#[derive(Debug, Clone, Serialize)]
pub struct Sampling {
    pub full: bool,
    pub rows_per_table: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub how: String,
}

/// Everything a run concluded.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub source: SourceFacts,
    pub sampling: Sampling,
    pub tables: Vec<TableRead>,
    /// Tables `[data] tables` / `exclude-tables` left out.
    pub excluded: Vec<String>,
    pub findings: Vec<LiveFinding>,
    pub allowed: Vec<AllowUse>,
    pub fail_on: Severity,
    /// Opt-outs from failing closed in effect (`[data] fail-closed = false`).
    pub fail_open: Vec<String>,
    pub elapsed: Duration,
    pub rules: Vec<String>,
}

impl Outcome {
    pub fn verdict(&self) -> Verdict {
        if self
            .findings
            .iter()
            .any(|f| f.rule == live_data::TABLE_NOT_READ && f.severity == Severity::Error)
        {
            Verdict::Incomplete
        } else if self.findings.iter().any(|f| f.severity >= self.fail_on) {
            Verdict::Failed
        } else {
            Verdict::Passed
        }
    }

    pub fn rows_read(&self) -> u64 {
        self.tables.iter().map(|t| t.rows_read).sum()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn not_evaluated(&self) -> impl Iterator<Item = &TableRead> {
        self.tables.iter().filter(|t| t.not_evaluated.is_some())
    }
}

/// What every source needs besides its own input.
pub(crate) struct Run<'a> {
    pub rules: &'a scan::Rules,
    pub policy: &'a policy::DataPolicy,
    pub full: bool,
    pub sample_rows: u64,
    pub seed: u64,
    pub deadline: Instant,
    pub time_budget: Duration,
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
}

/// What a source hands back: how it was read, and what it found.
#[derive(Default)]
pub(crate) struct Gathered {
    pub source: SourceFacts,
    pub sampling_how: String,
    pub tables: Vec<TableRead>,
    pub excluded: Vec<String>,
    pub findings: Vec<LiveFinding>,
    /// Hits per exception, summed over the tables.
    pub allowed: Vec<u64>,
    /// Every table was read completely (an unused exception is then provably unused).
    pub complete: bool,
}

impl Gathered {
    /// Add one table's outcome; `unread` is why it was not (fully) read.
    pub(crate) fn add_table(
        &mut self,
        mut read: TableRead,
        out: scan::TableOutcome,
        unread: Option<String>,
        fail_closed: bool,
    ) {
        read.rows_read = out.rows;
        read.examples_left_out = out.examples_left_out;
        if self.allowed.len() < out.allowed.len() {
            self.allowed.resize(out.allowed.len(), 0);
        }
        for (i, n) in out.allowed.iter().enumerate() {
            self.allowed[i] += n;
        }
        self.findings.extend(out.findings);
        if let Some(why) = &unread {
            self.findings.push(LiveFinding::about_run(
                live_data::TABLE_NOT_READ,
                if fail_closed {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                why.clone(),
                Some(read.table.clone()),
            ));
            read.complete = false;
        }
        if !read.complete {
            self.complete = false;
        }
        read.not_evaluated = unread;
        self.tables.push(read);
    }
}

/// Run the check.
pub fn run(opts: &Options, env: &dyn Fn(&str) -> Option<String>) -> Result<Outcome, SourceDiag> {
    let begun = Instant::now();
    let files = crate::config::policy::read(
        &opts.root,
        opts.config.as_deref(),
        PolicySource::WorkTree,
        None,
    )?;
    let catalogue = crate::checks::catalogue(Some((&files.config, &files.packs)))?;
    let policy = policy::parse(&files.config, &catalogue)?;
    let rules = scan::Rules::new(&catalogue, &files.config, &policy)?;
    let sample_rows = opts.sample_rows.unwrap_or(policy.sample_rows);
    let time_budget = opts.time_budget.unwrap_or(policy.time_budget);
    // Sampled pages change every day unless pinned, so nightly runs together cover more of each table.
    let seed = opts.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400)
    });
    let run = Run {
        rules: &rules,
        policy: &policy,
        full: opts.full,
        sample_rows,
        seed,
        deadline: begun + time_budget,
        time_budget,
        statement_timeout: opts.statement_timeout.unwrap_or(policy.statement_timeout),
        lock_timeout: opts.lock_timeout.unwrap_or(policy.lock_timeout),
    };
    let mut gathered = match &opts.source {
        SourceSpec::Postgres { conn, ca_file } => {
            let target = target::resolve(conn.as_deref(), ca_file.as_deref(), env)?;
            postgres::gather(&target, &run)?
        }
        SourceSpec::Dump(path) => dump::gather(path, &run)?,
        SourceSpec::Csv(paths) => csv_source::gather(paths, &run)?,
    };
    // An exception that matched nothing in a complete read is stale; a sample cannot prove it.
    if gathered.complete {
        for (i, a) in policy.allow.iter().enumerate() {
            if gathered.allowed.get(i).copied().unwrap_or(0) == 0 {
                if let Some(severity) =
                    catalogue.effective(live_data::UNUSED_ALLOW, Severity::Warning, &files.config)
                {
                    gathered.findings.push(LiveFinding::about_run(
                        live_data::UNUSED_ALLOW,
                        severity,
                        format!(
                            "{} matched nothing in {} {} read completely",
                            a.shown,
                            gathered.tables.len(),
                            if gathered.tables.len() == 1 {
                                "table"
                            } else {
                                "tables"
                            }
                        ),
                        None,
                    ));
                }
            }
        }
    }
    // `[rules]` severities and `off` for the run's own rules (the pattern rules had theirs in the scanner).
    gathered.findings.retain_mut(|f| {
        if !f.rule.starts_with("live/")
            || f.rule == live_data::DECLARED_TEST_ACCOUNT
            || f.rule == live_data::TABLE_NOT_READ
        {
            return true;
        }
        match catalogue.effective(&f.rule, f.severity, &files.config) {
            Some(s) => {
                f.severity = s;
                true
            }
            None => false,
        }
    });
    gathered.findings.sort_by(|a, b| {
        (b.severity, &a.table, &a.column, &a.path, &a.rule)
            .cmp(&(a.severity, &b.table, &b.column, &b.path, &b.rule))
    });
    let mut fail_open = Vec::new();
    if !policy.fail_closed {
        fail_open.push(
            "[data] fail-closed = false — tables that could not be read are warnings".to_string(),
        );
    }
    let how = if opts.full {
        "every row of every table".to_string()
    } else {
        gathered.sampling_how.clone()
    };
    let mut rule_ids: Vec<String> = catalogue
        .docs
        .iter()
        .filter(|d| d.id.starts_with("data/") || d.id.starts_with("live/"))
        .filter(|d| {
            catalogue
                .effective(&d.id, d.severity, &files.config)
                .is_some()
        })
        .map(|d| d.id.clone())
        .collect();
    rule_ids.sort();
    Ok(Outcome {
        source: gathered.source,
        sampling: Sampling {
            // A dump and CSV exports are read whole.
            full: opts.full || !matches!(opts.source, SourceSpec::Postgres { .. }),
            rows_per_table: sample_rows,
            seed: (!opts.full && gathered.sampling_how.contains("TABLESAMPLE")).then_some(seed),
            how,
        },
        tables: gathered.tables,
        excluded: gathered.excluded,
        findings: gathered.findings,
        allowed: policy
            .allow
            .iter()
            .enumerate()
            .map(|(i, a)| AllowUse {
                entry: a.shown.clone(),
                reason: a.reason.clone(),
                hits: gathered.allowed.get(i).copied().unwrap_or(0),
            })
            .collect(),
        fail_on: opts.fail_on.unwrap_or(files.config.fail_on),
        fail_open,
        elapsed: begun.elapsed(),
        rules: rule_ids,
    })
}

/// `path` for messages, control characters escaped.
pub(crate) fn shown_path(path: &Path) -> String {
    crate::redact::visible_line(&path.display().to_string()).into_owned()
}
