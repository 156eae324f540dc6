//! A live PostgreSQL database, read-only by construction.
//!
//! The session sets `default_transaction_read_only`, `statement_timeout` and `lock_timeout` before it reads
//! anything, and stops unless the server confirms read-only; every table is then read in its own
//! `READ ONLY` transaction with `COPY (SELECT …) TO STDOUT`, streamed row by row (never a table in memory).
//! Short transactions, not one long snapshot: a replica cancels long queries that hold back recovery, and a
//! primary's vacuum waits for the oldest transaction.
//!
//! Which columns: text-like ones from the catalogue (text, varchar, char, citext and domains over them,
//! json/jsonb, arrays of those) and long numbers (bigint, numeric: NHS and card numbers are stored as
//! such). Which rows: by default a bounded sample per table — `TABLESAMPLE SYSTEM` (random pages, seeded,
//! so a run can be repeated) sized from the catalogue's row estimate, with a hard `LIMIT`; every row of a
//! table the estimate says is smaller than the sample, and of every table with `--full`.

use super::columns::{is_creation_time, Column, Kind, TableSpec};
use super::copy_text::decode_row;
use super::scan::{Layout, TableScan};
use super::target::{Target, TlsMode};
use super::{tls, Gathered, LiveFinding, Run, SourceFacts, TableRead};
use crate::checks::live_data;
use crate::diag::SourceDiag;
use crate::finding::Severity;
use crate::redact::visible_line;
use postgres::error::SqlState;
use postgres::Client;
use std::io::BufRead;
use std::time::{Duration, Instant};

/// A read-only session.
pub struct Session {
    client: Client,
    pub facts: ServerFacts,
}

#[derive(Debug, Clone)]
pub struct ServerFacts {
    pub version: String,
    pub user: String,
    pub in_recovery: bool,
    /// The TLS version the server reports for this connection, if any.
    pub tls: Option<String>,
    pub superuser: bool,
    pub bypass_rls: bool,
}

impl Session {
    /// Connect and make the session read-only, with the given timeouts; refuses to go on unless the server
    /// confirms `default_transaction_read_only`.
    pub fn open(
        target: &Target,
        statement_timeout: Duration,
        lock_timeout: Duration,
    ) -> Result<Session, SourceDiag> {
        let tls = tls::client_config(target.tls, &target.roots)?;
        let connected = match tls {
            None => target.config.connect(postgres::NoTls),
            Some(config) => target
                .config
                .connect(tokio_postgres_rustls::MakeRustlsConnect::new(config)),
        };
        let mut client = connected.map_err(|e| connect_error(target, &e))?;
        client
            .batch_execute(&format!(
                "SET default_transaction_read_only = on; SET statement_timeout = {}; SET lock_timeout = {}; \
                 SET idle_in_transaction_session_timeout = {}; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'",
                millis(statement_timeout),
                millis(lock_timeout),
                millis(statement_timeout.saturating_add(Duration::from_secs(60))),
            ))
            .map_err(|e| {
                SourceDiag::plain(
                    "live/not-read-only",
                    format!("cannot make the session read-only: {}", describe(&e)),
                )
            })?;
        let row = client
            .query_one(
                "SELECT current_setting('default_transaction_read_only'), current_setting('server_version'), \
                 pg_is_in_recovery(), current_user::text, \
                 (SELECT s.version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid() AND s.ssl), \
                 r.rolsuper, r.rolbypassrls \
                 FROM pg_roles r WHERE r.rolname = current_user",
                &[],
            )
            .map_err(|e| {
                SourceDiag::plain(
                    "live/not-read-only",
                    format!("cannot confirm the session is read-only: {}", describe(&e)),
                )
            })?;
        let read_only: String = row.try_get(0).unwrap_or_default();
        if read_only != "on" {
            return Err(SourceDiag::plain(
                "live/not-read-only",
                format!(
                    "the server did not confirm default_transaction_read_only = on (it says `{}`)",
                    visible_line(&read_only)
                ),
            ));
        }
        let facts = ServerFacts {
            version: row.try_get(1).unwrap_or_default(),
            in_recovery: row.try_get(2).unwrap_or(false),
            user: row.try_get(3).unwrap_or_default(),
            tls: row.try_get::<_, Option<String>>(4).ok().flatten(),
            superuser: row.try_get(5).unwrap_or(false),
            bypass_rls: row.try_get(6).unwrap_or(false),
        };
        Ok(Session { client, facts })
    }

    /// The session's client, for tests that prove it cannot write.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

fn millis(d: Duration) -> u128 {
    d.as_millis().max(1)
}

/// The error and its causes, one line (tokio-postgres puts the reason in the source chain).
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return visible_line(db.message()).into_owned();
    }
    let mut s = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    visible_line(&s).into_owned()
}

fn connect_error(target: &Target, e: &postgres::Error) -> SourceDiag {
    let why = describe(e);
    if why.starts_with("error performing TLS handshake") {
        let d = if why.contains("does not support TLS") {
            SourceDiag::plain(
                "live/tls",
                format!(
                    "TLS is required (sslmode={}) but the server at {} does not offer it",
                    target.tls.as_str(),
                    target.shown
                ),
            )
        } else {
            SourceDiag::plain(
                "live/tls",
                format!(
                    "TLS with {} failed (sslmode={}): {why}",
                    target.shown,
                    target.tls.as_str()
                ),
            )
        };
        return d.with_help(
            "enable TLS on the server and pass its CA with --ca-file; for a database on this machine or a private network, `sslmode=disable` turns TLS off explicitly",
        );
    }
    SourceDiag::plain("live/connect", format!("cannot connect to {}: {why}", target.shown))
        .with_help("check the host, port, database name and the role's password (URL, PGPASSWORD), and that this job can reach the database")
}

/// A table the catalogue lists, with what decides whether and how it is read.
struct LiveTable {
    spec: TableSpec,
    kind: char,
    estimate: f64,
    /// Row-level security hides rows from this role.
    rls_hides: bool,
}

fn catalogue(client: &mut Client, facts: &ServerFacts) -> Result<Vec<LiveTable>, postgres::Error> {
    const SYSTEM: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
    let mut tables: Vec<(i64, LiveTable)> = Vec::new();
    for row in client.query(
        &format!(
            "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::float8, \
             c.relrowsecurity, c.relforcerowsecurity, pg_has_role(c.relowner, 'USAGE') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'm', 'f', 'p') AND {SYSTEM} ORDER BY 2, 3"
        ),
        &[],
    )? {
        let rls: bool = row.try_get(5)?;
        let forced: bool = row.try_get(6)?;
        let owns: bool = row.try_get(7)?;
        let kind: String = row.try_get(3)?;
        tables.push((
            row.try_get(0)?,
            LiveTable {
                spec: TableSpec {
                    schema: row.try_get(1)?,
                    name: row.try_get(2)?,
                    columns: Vec::new(),
                    key: Vec::new(),
                    created: None,
                },
                kind: kind.chars().next().unwrap_or('r'),
                estimate: row.try_get(4)?,
                rls_hides: rls && !(facts.superuser || facts.bypass_rls || (owns && !forced)),
            },
        ));
    }
    let index =
        |oid: i64, tables: &[(i64, LiveTable)]| tables.binary_search_by_key(&oid, |t| t.0).ok();
    tables.sort_by_key(|t| t.0);
    for row in client.query(
        &format!(
            "SELECT a.attrelid::int8, a.attname::text, \
             CASE WHEN bt.typname IN ('json', 'jsonb') THEN 'json' \
                  WHEN bt.typcategory = 'S' THEN 'text' \
                  WHEN bt.typcategory = 'A' AND et.typname IN ('json', 'jsonb') THEN 'json[]' \
                  WHEN bt.typcategory = 'A' AND et.typcategory = 'S' THEN 'text[]' \
                  WHEN bt.typname IN ('int8', 'numeric') THEN 'number' \
                  WHEN bt.typname IN ('timestamp', 'timestamptz', 'date') THEN 'time' \
                  ELSE '' END \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_type t ON t.oid = a.atttypid \
             JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END \
             LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A' \
             WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'm', 'f', 'p') AND {SYSTEM} \
             ORDER BY 1, a.attnum"
        ),
        &[],
    )? {
        let oid: i64 = row.try_get(0)?;
        let name: String = row.try_get(1)?;
        let kind: String = row.try_get(2)?;
        let Some(i) = index(oid, &tables) else { continue };
        let spec = &mut tables[i].1.spec;
        let kind = match kind.as_str() {
            "json" => Kind::Json,
            "text" => Kind::Text,
            "json[]" => Kind::JsonArray,
            "text[]" => Kind::TextArray,
            "number" => Kind::Number,
            "time" => {
                if spec.created.is_none() && is_creation_time(&name) {
                    spec.created = Some(name);
                }
                continue;
            }
            _ => continue,
        };
        spec.columns.push(Column { name, kind });
    }
    for row in client.query(
        "SELECT i.indrelid::int8, a.attname::text FROM pg_index i \
         CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
         WHERE i.indisprimary ORDER BY 1, k.ord",
        &[],
    )? {
        let oid: i64 = row.try_get(0)?;
        if let Some(i) = index(oid, &tables) {
            tables[i].1.spec.key.push(row.try_get(1)?);
        }
    }
    let mut out: Vec<LiveTable> = tables.into_iter().map(|t| t.1).collect();
    out.sort_by(|a, b| (&a.spec.schema, &a.spec.name).cmp(&(&b.spec.schema, &b.spec.name)));
    // Key columns are identifiers, not values to judge — unless they are text (an e-mail used as a key).
    for t in &mut out {
        let key = t.spec.key.clone();
        t.spec
            .columns
            .retain(|c| !(c.kind == Kind::Number && key.contains(&c.name)));
    }
    Ok(out)
}

/// What the role could change: a warning when it is more than reading.
fn write_privileges(
    client: &mut Client,
    facts: &ServerFacts,
) -> Result<Option<String>, postgres::Error> {
    let row = client.query_one(
        "SELECT r.rolcreaterole, r.rolcreatedb, \
         (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
          WHERE c.relkind IN ('r', 'p', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
          AND n.nspname NOT LIKE 'pg\\_%' \
          AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') OR pg_has_role(c.relowner, 'USAGE'))), \
         (SELECT string_agg(x, ', ') FROM (SELECT n.nspname || '.' || c.relname AS x FROM pg_class c \
          JOIN pg_namespace n ON n.oid = c.relnamespace \
          WHERE c.relkind IN ('r', 'p', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
          AND n.nspname NOT LIKE 'pg\\_%' \
          AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') OR pg_has_role(c.relowner, 'USAGE')) \
          ORDER BY 1 LIMIT 3) s), \
         (SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname) FROM pg_namespace n \
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' \
          AND has_schema_privilege(n.oid, 'CREATE')) \
         FROM pg_roles r WHERE r.rolname = current_user",
        &[],
    )?;
    let mut can = Vec::new();
    if facts.superuser {
        can.push("is a superuser".to_string());
    }
    if row.try_get::<_, bool>(0)? {
        can.push("can create roles".to_string());
    }
    if row.try_get::<_, bool>(1)? {
        can.push("can create databases".to_string());
    }
    let tables: i64 = row.try_get(2)?;
    if tables > 0 {
        let some: Option<String> = row.try_get(3)?;
        can.push(format!(
            "owns or can INSERT/UPDATE/DELETE/TRUNCATE {tables} {} ({}{})",
            if tables == 1 { "table" } else { "tables" },
            some.unwrap_or_default(),
            if tables > 3 { ", …" } else { "" }
        ));
    }
    if let Some(schemas) = row.try_get::<_, Option<String>>(4)? {
        can.push(format!("can CREATE in schema {schemas}"));
    }
    if can.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        visible_line(&format!(
            "role `{}` could write: it {}{}",
            facts.user,
            can.join("; "),
            if facts.in_recovery {
                " (this server is a read-only replica, but roles and grants are the primary's)"
            } else {
                ""
            }
        ))
        .into_owned(),
    ))
}

/// Connect, list, and read every table.
pub(crate) fn gather(target: &Target, run: &Run<'_>) -> Result<Gathered, SourceDiag> {
    let mut session = Session::open(target, run.statement_timeout, run.lock_timeout)?;
    let facts = session.facts.clone();
    let mut g = Gathered {
        complete: true,
        ..Gathered::default()
    };
    let tls = match (&facts.tls, target.tls) {
        (Some(v), mode) => format!("{v}, sslmode={}", mode.as_str()),
        (None, _) if target.unix_socket => "none: Unix socket on this machine".to_string(),
        (None, mode) => format!("none (sslmode={})", mode.as_str()),
    };
    g.source = SourceFacts {
        kind: "postgres",
        shown: target.shown.clone(),
        tls: Some(tls),
        server: Some(format!(
            "PostgreSQL {}{}, role {}",
            facts.version,
            if facts.in_recovery { " (replica)" } else { "" },
            facts.user
        )),
        read_only: Some(format!(
            "default_transaction_read_only = on, each table in a READ ONLY transaction; statement_timeout {}, lock_timeout {}",
            show(run.statement_timeout),
            show(run.lock_timeout)
        )),
    };
    let unverified = match (target.tls, &facts.tls) {
        (_, None) if target.local => None,
        (TlsMode::Disable | TlsMode::Prefer, None) => Some(format!(
            "connected to {} without TLS (sslmode={}): the password and the data crossed the network in clear",
            target.shown,
            target.tls.as_str()
        )),
        (TlsMode::Prefer | TlsMode::Require, Some(_)) => Some(format!(
            "TLS to {} does not verify the server's certificate (sslmode={}): anyone on the path could pose as the database",
            target.shown,
            target.tls.as_str()
        )),
        _ => None,
    };
    if let Some(message) = unverified {
        g.findings.push(LiveFinding::about_run(
            live_data::TLS_UNVERIFIED,
            Severity::Warning,
            message,
            None,
        ));
    }
    let client = session.client();
    match write_privileges(client, &facts) {
        Ok(Some(message)) => g.findings.push(LiveFinding::about_run(
            live_data::ROLE_CAN_WRITE,
            Severity::Warning,
            message,
            None,
        )),
        Ok(None) => {}
        Err(e) => g.findings.push(LiveFinding::about_run(
            live_data::ROLE_CAN_WRITE,
            Severity::Warning,
            format!(
                "the role's privileges could not be read ({}): it may be able to write",
                describe(&e)
            ),
            None,
        )),
    }
    let tables = catalogue(client, &facts).map_err(|e| {
        SourceDiag::plain(
            "live/catalogue",
            format!("cannot read the catalogue: {}", describe(&e)),
        )
    })?;
    let mut sampled = false;
    for t in tables {
        let qualified = t.spec.qualified();
        if run.policy.excludes(&t.spec.schema, &t.spec.name) {
            g.excluded.push(visible_line(&qualified).into_owned());
            continue;
        }
        if t.kind == 'p' {
            continue; // read through its partitions, which are tables of their own
        }
        let mut read = TableRead {
            table: visible_line(&qualified).into_owned(),
            columns: t.spec.columns.len(),
            rows_read: 0,
            rows_estimated: (t.estimate >= 0.0).then_some(t.estimate as u64),
            complete: true,
            method: String::new(),
            examples_left_out: 0,
            not_evaluated: None,
        };
        let mut scan = TableScan::new(
            run.rules,
            &t.spec.schema,
            &t.spec.name,
            t.spec.columns.clone(),
            key_names(&t.spec),
        );
        let unread = if t.kind == 'f' {
            Some("a foreign table: its rows live in another system, which this check does not reach (check that system, or exclude the table with [data] exclude-tables)".to_string())
        } else if t.rls_hides {
            Some(format!(
                "row-level security is on and role `{}` does not bypass it: rows it may not see would be skipped (GRANT it BYPASSRLS, or read as the table's owner)",
                facts.user
            ))
        } else if Instant::now() >= run.deadline {
            Some(format!(
                "the time budget ({}) ran out before this table",
                show(run.time_budget)
            ))
        } else if session.client().is_closed() {
            Some("the connection to the database was lost".to_string())
        } else if t.spec.columns.is_empty() {
            read.method = "no text or long-number columns: nothing to read".to_string();
            None
        } else {
            let plan = plan(&t, run);
            sampled |= plan.pct.is_some();
            read.method = plan.describe(run);
            match read_table(session.client(), &t.spec, &plan, run, &mut scan) {
                Ok(rows) => {
                    read.complete = plan.pct.is_none() && plan.limit.is_none_or(|l| rows < l);
                    None
                }
                Err(why) => Some(why),
            }
        };
        g.add_table(read, scan.finish(), unread, run.policy.fail_closed);
    }
    g.sampling_how = if sampled {
        format!(
            "at most {} rows a table: TABLESAMPLE SYSTEM (random pages, REPEATABLE seed {}) sized from the catalogue's row estimate; every row of smaller tables",
            run.sample_rows, run.seed
        )
    } else {
        format!(
            "at most {} rows a table; every table was smaller, so every row was read",
            run.sample_rows
        )
    };
    Ok(g)
}

fn key_names(spec: &TableSpec) -> Vec<String> {
    if spec.key.is_empty() {
        vec!["ctid".to_string()]
    } else {
        spec.key.clone()
    }
}

/// How a table's rows are chosen.
struct Plan {
    /// `TABLESAMPLE SYSTEM (pct)`.
    pct: Option<f64>,
    limit: Option<u64>,
}

impl Plan {
    fn describe(&self, run: &Run<'_>) -> String {
        match (self.pct, self.limit) {
            (Some(p), Some(l)) => format!(
                "sample: TABLESAMPLE SYSTEM ({p:.4}%) REPEATABLE ({}), at most {l} rows",
                run.seed
            ),
            (None, Some(l)) => format!("every row, up to {l}"),
            _ => "every row".to_string(),
        }
    }
}

fn plan(t: &LiveTable, run: &Run<'_>) -> Plan {
    if run.full {
        return Plan {
            pct: None,
            limit: None,
        };
    }
    let n = run.sample_rows;
    if t.estimate > n as f64 {
        let pct = (n as f64 / t.estimate * 100.0).clamp(0.0001, 100.0);
        Plan {
            pct: Some(pct),
            limit: Some(n),
        }
    } else {
        Plan {
            pct: None,
            limit: Some(n),
        }
    }
}

/// `"name"` with embedded quotes doubled: a catalogue name is data, never SQL.
fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Stream the table through the scan; the rows read, or why it could not be read (rows already read are
/// kept: what they hold is found).
fn read_table(
    client: &mut Client,
    spec: &TableSpec,
    plan: &Plan,
    run: &Run<'_>,
    scan: &mut TableScan<'_>,
) -> Result<u64, String> {
    let mut select: Vec<String> = Vec::new();
    let mut layout = Layout::default();
    if spec.key.is_empty() {
        select.push("ctid".to_string());
        layout.key.push(0);
    }
    for k in &spec.key {
        layout.key.push(select.len());
        select.push(quote(k));
    }
    if let Some(c) = &spec.created {
        layout.created = Some(select.len());
        select.push(quote(c));
    }
    for c in &spec.columns {
        layout.values.push(select.len());
        select.push(quote(&c.name));
    }
    let mut sql = format!(
        "COPY (SELECT {} FROM ONLY {}.{}",
        select.join(", "),
        quote(&spec.schema),
        quote(&spec.name)
    );
    if let Some(p) = plan.pct {
        sql.push_str(&format!(
            " TABLESAMPLE SYSTEM ({p:.6}) REPEATABLE ({})",
            run.seed
        ));
    }
    if let Some(l) = plan.limit {
        sql.push_str(&format!(" LIMIT {l}"));
    }
    sql.push_str(") TO STDOUT");
    let remaining = run.deadline.saturating_duration_since(Instant::now());
    let budget_bound = remaining < run.statement_timeout;
    let timeout = remaining.min(run.statement_timeout);
    let failed = |e: &postgres::Error, rows: u64| -> String {
        match e.code() {
            Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => format!(
                "canceling statement due to lock timeout (lock-timeout {}): another session holds a lock on it",
                show(run.lock_timeout)
            ),
            Some(c) if *c == SqlState::QUERY_CANCELED && budget_bound => format!(
                "the time budget ({}) ran out after {rows} rows",
                show(run.time_budget)
            ),
            Some(c) if *c == SqlState::QUERY_CANCELED => format!(
                "statement_timeout ({}) reached after {rows} rows",
                show(run.statement_timeout)
            ),
            Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => format!(
                "permission denied: {} (GRANT SELECT on it to the role, or GRANT pg_read_all_data)",
                describe(e)
            ),
            _ => describe(e),
        }
    };
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(|e| failed(&e, 0))?;
    tx.batch_execute(&format!(
        "SET LOCAL statement_timeout = {}",
        millis(timeout)
    ))
    .map_err(|e| failed(&e, 0))?;
    let mut reader = tx.copy_out(&sql).map_err(|e| failed(&e, 0))?;
    let (rows, streamed) = stream_rows(&mut reader, &layout, scan);
    drop(reader);
    if let Err(e) = streamed {
        return Err(e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<postgres::Error>())
            .map_or_else(
                || visible_line(&e.to_string()).into_owned(),
                |pe| failed(pe, rows),
            ));
    }
    tx.commit().map_err(|e| failed(&e, rows))?;
    Ok(rows)
}

/// Bytes of whole rows handed to the scanning thread at a time, and how many such chunks may wait.
const CHUNK: usize = 1 << 20;
const CHUNKS_IN_FLIGHT: usize = 2;

/// Read the COPY stream on this thread and scan its rows on another, so the server keeps sending while
/// rows are judged (one thread doing both stops reading the socket while it scans, and the server
/// waits). Memory stays bounded: at most `CHUNKS_IN_FLIGHT` chunks wait, their buffers reused.
fn stream_rows(
    reader: &mut impl BufRead,
    layout: &Layout,
    scan: &mut TableScan<'_>,
) -> (u64, std::io::Result<()>) {
    std::thread::scope(|s| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let worker = s.spawn(move || {
            let mut decoded = Vec::with_capacity(4096);
            let mut fields = Vec::new();
            let mut rows = 0u64;
            for chunk in full_rx {
                let mut rest = chunk.as_slice();
                while !rest.is_empty() {
                    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                    decode_row(&rest[..end], &mut decoded, &mut fields);
                    scan.row(layout, &decoded, &fields);
                    rows += 1;
                    rest = rest.get(end + 1..).unwrap_or(&[]);
                }
                let _ = free_tx.send(chunk);
            }
            rows
        });
        let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK + 64 * 1024);
        let read = loop {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) => break Err(e),
            };
            if buf.is_empty() {
                break Ok(());
            }
            chunk.extend_from_slice(buf);
            let n = buf.len();
            reader.consume(n);
            if chunk.len() < CHUNK {
                continue;
            }
            let Some(cut) = memchr::memrchr(b'\n', &chunk).map(|i| i + 1) else {
                continue; // one row longer than a chunk: keep reading it
            };
            let mut next = free_rx
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CHUNK + 64 * 1024));
            next.clear();
            next.extend_from_slice(&chunk[cut..]);
            chunk.truncate(cut);
            if full_tx.send(std::mem::replace(&mut chunk, next)).is_err() {
                break Ok(()); // the scanning thread is gone; its join says why
            }
        };
        if !chunk.is_empty() {
            let _ = full_tx.send(chunk);
        }
        drop(full_tx);
        match worker.join() {
            Ok(rows) => (rows, read),
            // Never silently "read": a scan that stopped leaves the table not evaluated.
            Err(_) => (0, Err(std::io::Error::other("scanning its rows failed"))),
        }
    })
}

/// `2s`, `250ms`, `5m`.
pub(crate) fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 60_000 == 0 && ms >= 60_000 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}
