//! The same test-data rules as the code scan, made column-aware, over rows of any source.
//!
//! Rows are read into a batch: every value (each string inside JSON, each array element) becomes one line
//! of a buffer, led by a neutral byte so the code-comment exemptions of the rule pack (`# admin@…` is a
//! comment in code) never apply to data, and the pack's keyword-gated scanner runs once over the batch,
//! as it runs over a file. Each hit is mapped back to its row, column and JSON path, then judged:
//!
//! - a value that is the whole field (`email = 'q@example.com'`) is the rule's setting severity where it
//!   has one: a record holding test data, like a setting holding it in code;
//! - in a guidance column (`help_text`, `hint`, a JSON key `placeholder`) or after hint words ("for
//!   example, …"), the rules that report form hints as notes in code leave it out: example text;
//! - an exception in `[data] allow` that covers it counts it against the exception instead.
//!
//! Findings are one per table, column, JSON path, rule and severity, with the count of rows, the first
//! keys, masked examples, and first/last seen. Memory stays flat whatever the table's size: a batch is
//! bounded, and each finding keeps at most `KEYS_SHOWN` keys and `EXAMPLES_SHOWN` examples.

use super::columns::{is_guidance, Column};
use super::mask;
use super::policy::{glob, Allow, DataPolicy};
use super::values;
use super::LiveFinding;
use crate::checks::live_data;
use crate::config::Config;
use crate::diag::SourceDiag;
use crate::finding::Severity;
use crate::repo::classify::FileClass;
use crate::rules::scanner::{Hit, Scanner, Scratch};
use crate::rules::vocab::ClassSet;
use crate::rules::Catalogue;
use globset::GlobMatcher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

/// Keys listed per finding (the count says how many more).
pub const KEYS_SHOWN: usize = 25;
const EXAMPLES_SHOWN: usize = 3;
/// Bytes of values per scanner pass: large enough that the keyword gate's per-pass cost vanishes, small
/// enough to stay in cache.
const BATCH_BYTES: usize = 512 * 1024;
/// Distinct JSON paths with findings per column; further paths are grouped as `$…` (hostile documents
/// with a fresh key per row must not grow memory with the table).
const PATHS_PER_COLUMN: usize = 200;
/// Each value in the batch is one line led by this byte: never a comment marker, never a word character.
const LEAD: u8 = 0x01;

/// The rules a run applies: the test-data pattern rules (`data/…`, built-in and the user's packs, with
/// `[rules]` severities), the team's declared test accounts, and the exceptions.
pub struct Rules {
    scanner: Scanner,
    accounts: Vec<(String, GlobMatcher)>,
    exact_accounts: HashSet<String>,
    /// Severity of `live/declared-test-account` after `[rules]`; None: turned off.
    declared: Option<Severity>,
    pub allow: Vec<Allow>,
}

impl Rules {
    pub fn new(
        catalogue: &Catalogue,
        config: &Config,
        policy: &DataPolicy,
    ) -> Result<Rules, SourceDiag> {
        let enabled = catalogue
            .patterns
            .iter()
            .filter(|r| r.doc.id.starts_with("data/"))
            .filter_map(|r| {
                let mut rule = r.clone();
                // Values are read as code is: every pattern rule of the family applies to them.
                rule.applies = ClassSet::of(&[FileClass::Code]);
                if config.setting_for(&r.doc.id).is_some() {
                    rule.setting_severity = None;
                    rule.severity_set_by_user = true;
                }
                catalogue
                    .effective(&r.doc.id, r.doc.severity, config)
                    .map(|s| (rule, s))
            })
            .collect();
        let scanner = Scanner::new(enabled).map_err(|e| {
            SourceDiag::plain(
                "rules/too-large",
                format!("the rule keywords could not be compiled: {e}"),
            )
        })?;
        let mut accounts = Vec::new();
        let mut exact_accounts = HashSet::new();
        for a in &policy.test_accounts {
            if a.contains(['*', '?', '[']) {
                let m = glob(a).map_err(|e| {
                    SourceDiag::plain(
                        "config/invalid",
                        format!("bad test-account pattern `{a}`: {e}"),
                    )
                })?;
                accounts.push((a.clone(), m));
            } else {
                exact_accounts.insert(a.to_lowercase());
            }
        }
        Ok(Rules {
            scanner,
            accounts,
            exact_accounts,
            declared: catalogue.effective(
                live_data::DECLARED_TEST_ACCOUNT,
                Severity::Error,
                config,
            ),
            allow: policy.allow.clone(),
        })
    }

    fn has_accounts(&self) -> bool {
        self.declared.is_some() && !(self.exact_accounts.is_empty() && self.accounts.is_empty())
    }

    fn is_declared_account(&self, trimmed: &str, lower: &mut String) -> bool {
        lower.clear();
        lower.extend(trimmed.chars().flat_map(char::to_lowercase));
        self.exact_accounts.contains(lower.as_str())
            || self.accounts.iter().any(|(_, m)| m.is_match(trimmed))
    }
}

/// Where a row's parts are among its fields: the key's, the creation time's, and each read column's
/// (in the order of the columns given to `TableScan::new`). A table without a key is keyed by row number.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub key: Vec<usize>,
    pub created: Option<usize>,
    pub values: Vec<usize>,
}

/// One value's place in the batch.
struct Span {
    start: usize,
    end: usize,
    row: usize,
    column: usize,
    /// The JSON path, in `Batch::paths`.
    path: (usize, usize),
}

struct RowMeta {
    number: u64,
    key: (usize, usize),
    created: Option<(usize, usize)>,
}

#[derive(Default)]
struct Batch {
    text: Vec<u8>,
    spans: Vec<Span>,
    rows: Vec<RowMeta>,
    /// Keys (parts separated by 0x1f) and creation times of the batch's rows.
    meta: Vec<u8>,
    paths: Vec<u8>,
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.rows.clear();
        self.meta.clear();
        self.paths.clear();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct AggKey {
    column: usize,
    path: String,
    rule: String,
    severity: Severity,
}

#[derive(Debug, Default)]
struct Agg {
    rows: u64,
    last_row: Option<u64>,
    keys: Vec<String>,
    examples: Vec<String>,
    first_seen: Option<String>,
    last_seen: Option<String>,
    title: String,
}

/// What one table's read found.
#[derive(Debug, Default)]
pub struct TableOutcome {
    pub rows: u64,
    pub findings: Vec<LiveFinding>,
    /// Example values left out: in guidance columns, or after hint words.
    pub examples_left_out: u64,
    /// Hits each exception covered (by index into `Rules::allow`).
    pub allowed: Vec<u64>,
}

/// The reading of one table: rows in, findings out.
pub struct TableScan<'r> {
    rules: &'r Rules,
    table: String,
    columns: Vec<Column>,
    column_guidance: Vec<bool>,
    key_columns: Vec<String>,
    /// Exceptions whose table glob (if any) matches this table.
    allow_here: Vec<usize>,
    batch: Batch,
    scratch: Scratch,
    hits: Vec<Hit>,
    path: String,
    lower: String,
    key_guidance: HashMap<String, bool>,
    aggs: BTreeMap<AggKey, Agg>,
    paths_per_column: HashMap<usize, usize>,
    rows: u64,
    left_out: u64,
    allowed: Vec<u64>,
}

impl<'r> TableScan<'r> {
    pub fn new(
        rules: &'r Rules,
        schema: &str,
        name: &str,
        columns: Vec<Column>,
        key_columns: Vec<String>,
    ) -> TableScan<'r> {
        let allow_here = rules
            .allow
            .iter()
            .enumerate()
            .filter(|(_, a)| a.table.as_ref().is_none_or(|t| t.matches(schema, name)))
            .map(|(i, _)| i)
            .collect();
        TableScan {
            rules,
            table: if schema.is_empty() {
                name.to_string()
            } else {
                format!("{schema}.{name}")
            },
            column_guidance: columns.iter().map(|c| is_guidance(&c.name)).collect(),
            columns,
            key_columns,
            allow_here,
            batch: Batch::default(),
            scratch: Scratch::default(),
            hits: Vec::new(),
            path: String::new(),
            lower: String::new(),
            key_guidance: HashMap::new(),
            aggs: BTreeMap::new(),
            paths_per_column: HashMap::new(),
            rows: 0,
            left_out: 0,
            allowed: vec![0; rules.allow.len()],
        }
    }

    /// One row: `fields` are ranges of `buf` (None: NULL) laid out as `layout` says.
    pub fn row(&mut self, layout: &Layout, buf: &[u8], fields: &[Option<Range<usize>>]) {
        let field = |i: usize| -> Option<&[u8]> {
            fields
                .get(i)
                .and_then(|f| f.as_ref())
                .and_then(|r| buf.get(r.clone()))
        };
        let number = self.rows;
        self.rows += 1;
        let b = &mut self.batch;
        let key_start = b.meta.len();
        for (n, &i) in layout.key.iter().enumerate() {
            if n > 0 {
                b.meta.push(0x1f);
            }
            b.meta.extend_from_slice(field(i).unwrap_or(b"NULL"));
        }
        if layout.key.is_empty() {
            b.meta
                .extend_from_slice((number + 1).to_string().as_bytes());
        }
        let key_range = (key_start, b.meta.len());
        let created = layout.created.and_then(field).map(|c| {
            let s = b.meta.len();
            b.meta.extend_from_slice(c);
            (s, b.meta.len())
        });
        let row = b.rows.len();
        b.rows.push(RowMeta {
            number,
            key: key_range,
            created,
        });
        let checks_accounts = self.rules.has_accounts();
        for (column, &i) in layout.values.iter().enumerate() {
            let Some(raw) = field(i) else { continue };
            let Some(kind) = self.columns.get(column).map(|c| c.kind) else {
                continue;
            };
            let mut declared: Vec<(String, Vec<u8>)> = Vec::new();
            let rules = self.rules;
            let lower = &mut self.lower;
            let b = &mut self.batch;
            values::pieces(kind, raw, &mut self.path, &mut |path, bytes| {
                if checks_accounts {
                    let text = String::from_utf8_lossy(bytes);
                    let trimmed = text.trim();
                    if !trimmed.is_empty() && rules.is_declared_account(trimmed, lower) {
                        declared.push((path.to_string(), bytes.to_vec()));
                    }
                }
                let p0 = b.paths.len();
                b.paths.extend_from_slice(path.as_bytes());
                b.text.push(LEAD);
                let start = b.text.len();
                b.text.extend_from_slice(bytes);
                let end = b.text.len();
                b.text.push(b'\n');
                b.spans.push(Span {
                    start,
                    end,
                    row,
                    column,
                    path: (p0, b.paths.len()),
                });
            });
            for (path, bytes) in declared {
                self.declared_hit(row, column, &path, &bytes);
            }
        }
        if self.batch.text.len() >= BATCH_BYTES {
            self.flush();
        }
    }

    fn declared_hit(&mut self, row: usize, column: usize, path: &str, bytes: &[u8]) {
        let Some(severity) = self.rules.declared else {
            return;
        };
        let key = last_key(path).map(str::to_string);
        if self.allowed_by(
            live_data::DECLARED_TEST_ACCOUNT,
            column,
            key.as_deref(),
            bytes,
            bytes,
        ) {
            return;
        }
        self.record(
            row,
            column,
            path,
            live_data::DECLARED_TEST_ACCOUNT,
            "A test account the team declared",
            severity,
            bytes,
        );
    }

    fn allowed_by(
        &mut self,
        rule: &str,
        column: usize,
        key: Option<&str>,
        found: &[u8],
        field: &[u8],
    ) -> bool {
        let name = self.columns.get(column).map_or("", |c| c.name.as_str());
        for &i in &self.allow_here {
            if self.rules.allow[i].covers(rule, name, key, found, field) {
                self.allowed[i] += 1;
                return true;
            }
        }
        false
    }

    /// Run the rules over the batch and judge each hit.
    fn flush(&mut self) {
        if self.batch.text.is_empty() {
            return;
        }
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        self.rules.scanner.scan(
            FileClass::Code,
            &self.batch.text,
            &mut self.scratch,
            &mut hits,
        );
        for hit in &hits {
            self.judge(hit);
        }
        self.hits = hits;
        self.batch.clear();
    }

    fn judge(&mut self, hit: &Hit) {
        let spans = &self.batch.spans;
        let i = spans.partition_point(|s| s.start <= hit.start);
        // A match that starts on the lead byte belongs to the value after it.
        let i = if i < spans.len() && spans[i].start == hit.start + 1 {
            i + 1
        } else {
            i
        };
        let Some(span) = i.checked_sub(1).and_then(|i| spans.get(i)) else {
            return;
        };
        let start = hit.start.max(span.start);
        if hit.end > span.end || start >= hit.end {
            return; // across two values: not one value's content
        }
        let (row, column, span_range, path_range) =
            (span.row, span.column, (span.start, span.end), span.path);
        let (rule, severity) = self.rules.scanner.rule(hit.rule);
        let path =
            String::from_utf8_lossy(&self.batch.paths[path_range.0..path_range.1]).into_owned();
        let key = last_key(&path).map(str::to_string);
        let guidance = match &key {
            Some(k) => self.guidance_of_key(k),
            None => self.column_guidance.get(column).copied().unwrap_or(false),
        };
        if rule.hint_downgrade && (guidance || hit.hint) {
            self.left_out += 1;
            return;
        }
        let text = &self.batch.text;
        let found = text[start..hit.end].to_vec();
        let field = &text[span_range.0..span_range.1];
        let whole = trimmed_range(field, span_range.0) == (start, hit.end);
        let severity = match rule.setting_severity {
            Some(s) if whole && !rule.severity_set_by_user => s,
            _ => severity,
        };
        let field = field.to_vec();
        let id = rule.doc.id.clone();
        let title = rule.doc.title.clone();
        if self.allowed_by(&id, column, key.as_deref(), &found, &field) {
            return;
        }
        self.record(row, column, &path, &id, &title, severity, &found);
    }

    fn guidance_of_key(&mut self, key: &str) -> bool {
        if let Some(g) = self.key_guidance.get(key) {
            return *g;
        }
        let g = is_guidance(key);
        if self.key_guidance.len() < 10_000 {
            self.key_guidance.insert(key.to_string(), g);
        }
        g
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        row: usize,
        column: usize,
        path: &str,
        rule: &str,
        title: &str,
        severity: Severity,
        found: &[u8],
    ) {
        let mut path = path.to_string();
        let known = self
            .aggs
            .keys()
            .any(|k| k.column == column && k.path == path);
        if !path.is_empty() && !known {
            let n = self.paths_per_column.entry(column).or_default();
            if *n >= PATHS_PER_COLUMN {
                path = "$…".to_string();
            } else {
                *n += 1;
            }
        }
        let Some(meta) = self.batch.rows.get(row) else {
            return;
        };
        let key_text = &self.batch.meta[meta.key.0..meta.key.1];
        let created = meta
            .created
            .map(|(s, e)| &self.batch.meta[s..e])
            .and_then(utc);
        let number = meta.number;
        let agg = self
            .aggs
            .entry(AggKey {
                column,
                path,
                rule: rule.to_string(),
                severity,
            })
            .or_insert_with(|| Agg {
                title: title.to_string(),
                ..Agg::default()
            });
        let example = mask::value(found);
        if agg.examples.len() < EXAMPLES_SHOWN && !agg.examples.contains(&example) {
            agg.examples.push(example);
        }
        if agg.last_row == Some(number) {
            return; // one row, counted once per finding
        }
        agg.last_row = Some(number);
        agg.rows += 1;
        if agg.keys.len() < KEYS_SHOWN {
            let shown: Vec<String> = key_text.split(|&b| b == 0x1f).map(mask::key).collect();
            agg.keys.push(shown.join(", "));
        }
        if let Some(t) = created {
            if agg.first_seen.as_ref().is_none_or(|f| &t < f) {
                agg.first_seen = Some(t.clone());
            }
            if agg.last_seen.as_ref().is_none_or(|l| &t > l) {
                agg.last_seen = Some(t);
            }
        }
    }

    /// The table is read: its findings.
    pub fn finish(mut self) -> TableOutcome {
        self.flush();
        let rows = self.rows;
        let findings = std::mem::take(&mut self.aggs)
            .into_iter()
            .map(|(k, a)| {
                let column = self.columns.get(k.column).map_or("", |c| c.name.as_str());
                LiveFinding {
                    message: format!(
                        "{}: {} of {} {} read",
                        a.title,
                        a.rows,
                        rows,
                        if rows == 1 { "row" } else { "rows" }
                    ),
                    rule: k.rule,
                    severity: k.severity,
                    table: Some(self.table.clone()),
                    column: Some(column.to_string()),
                    path: (!k.path.is_empty()).then_some(k.path),
                    count: a.rows,
                    rows_read: rows,
                    key_columns: self.key_columns.clone(),
                    more_keys: a.rows.saturating_sub(a.keys.len() as u64),
                    keys: a.keys,
                    examples: a.examples,
                    first_seen: a.first_seen,
                    last_seen: a.last_seen,
                }
            })
            .collect();
        TableOutcome {
            rows,
            findings,
            examples_left_out: self.left_out,
            allowed: self.allowed,
        }
    }
}

/// The last object key of a JSON path (`$.contact.help_text[]` → `help_text`), None for no path.
fn last_key(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let trimmed = path.trim_end_matches("[]");
    let key = trimmed.rsplit('.').next().unwrap_or("");
    (!key.is_empty() && key != "$").then_some(key)
}

/// `field`'s range without surrounding whitespace, as absolute offsets (`at` is the field's start).
fn trimmed_range(field: &[u8], at: usize) -> (usize, usize) {
    let start = field
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(field.len());
    let end = field
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    (at + start, at + end)
}

/// A creation time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), or `YYYY-MM-DD` for a date: the same text whatever
/// the source's time zone or style, so a dump and the live database say the same. None for `infinity`
/// and other values that are not a time.
pub fn utc(raw: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(raw).ok()?.trim();
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if s.get(4..5) != Some("-") || s.get(7..8) != Some("-") {
        return None;
    }
    if s.len() == 10 {
        return Some(format!("{y:04}-{mo:02}-{d:02}"));
    }
    if !matches!(s.get(10..11), Some(" " | "T")) || s.get(13..14) != Some(":") {
        return None;
    }
    let (h, mi) = (num(11..13)?, num(14..16)?);
    let sec = if s.get(16..17) == Some(":") {
        num(17..19)?
    } else {
        0
    };
    // The offset: after the seconds and any fraction.
    let rest = s.get(16..).unwrap_or("");
    let offset = match rest.find(['+', '-', 'Z']) {
        None => 0,
        Some(i) => {
            let o = &rest[i..];
            if o.starts_with('Z') {
                0
            } else {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let digits: String = o[1..].chars().filter(char::is_ascii_digit).collect();
                let oh = digits
                    .get(0..2)
                    .and_then(|x| x.parse::<i64>().ok())
                    .unwrap_or(0);
                let om = digits
                    .get(2..4)
                    .and_then(|x| x.parse::<i64>().ok())
                    .unwrap_or(0);
                sign * (oh * 3600 + om * 60)
            }
        }
    };
    let secs =
        crate::calendar::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset;
    let (yy, mm, dd) = crate::calendar::civil_from_days(secs.div_euclid(86_400));
    let r = secs.rem_euclid(86_400);
    Some(format!(
        "{yy:04}-{mm:02}-{dd:02}T{:02}:{:02}:{:02}Z",
        r / 3600,
        r % 3600 / 60,
        r % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_utc_whatever_the_source_wrote() {
        assert_eq!(
            utc(b"2024-03-01 10:00:00+00").as_deref(),
            Some("2024-03-01T10:00:00Z")
        );
        assert_eq!(
            utc(b"2024-03-01 01:30:00.123456+05:30").as_deref(),
            Some("2024-02-29T20:00:00Z")
        );
        assert_eq!(
            utc(b"2024-03-01T10:00:00Z").as_deref(),
            Some("2024-03-01T10:00:00Z")
        );
        assert_eq!(
            utc(b"2024-03-01 23:00:00-02").as_deref(),
            Some("2024-03-02T01:00:00Z")
        );
        assert_eq!(utc(b"2024-03-01").as_deref(), Some("2024-03-01"));
        assert_eq!(utc(b"infinity"), None);
    }

    #[test]
    fn last_keys_and_trimmed_fields() {
        assert_eq!(last_key("$.contact.help_text[]"), Some("help_text"));
        assert_eq!(last_key("$[]"), None);
        assert_eq!(last_key(""), None);
        assert_eq!(trimmed_range(b"  ab ", 10), (12, 14));
    }
}
