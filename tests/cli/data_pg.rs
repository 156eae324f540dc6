//! `shipgate data` against a real PostgreSQL server (tests/cli/data_server.rs): every rule found with its
//! count and keys, values masked, the session read-only, a locked table not evaluated, TLS refused when
//! required and absent, a dump and CSV exports giving the live database's findings, and the password in
//! no output.

use crate::common::{shipgate, Run};
use crate::data_server::{self, Cluster, READER, WRITER, WRITER_PASSWORD};
use crate::postgres_or_skip;
use serde_json::Value;
use std::path::Path;

/// A realistic service database: people (a citext domain, a bigint NHS number, a JSON profile, a text
/// array), cases, addresses and form fields, mixing real-looking records with test data.
pub const SEED: &str = r#"
CREATE EXTENSION citext;
CREATE DOMAIN email_address AS citext;
CREATE TABLE people (
  id bigint PRIMARY KEY,
  email email_address NOT NULL,
  full_name text NOT NULL,
  phone varchar(30),
  nhs_number bigint,
  ni_number char(13),
  help_text text,
  profile jsonb,
  aliases text[],
  created_at timestamptz NOT NULL
);
INSERT INTO people VALUES
 (1, 'alice.smith@justice.gov.uk', 'Alice Smith', '020 7123 4567', 4857773456, 'AB 12 34 56 C',
  'Your usual email, like name@example.com',
  '{"contact": {"email": "alice.smith@justice.gov.uk"}, "hint": "e.g. name@example.com"}', '{"Ally Smith"}',
  '2023-01-10 09:00:00+00'),
 (2, 'q.tester@example.com', 'John Doe', '07700 900 982', 9990000018, 'QQ 12 34 56 C', NULL,
  '{"contact": {"email": "x.test@example.org"}, "help_text": "name@example.com"}', '{"Joe Bloggs","J. Doe"}',
  '2024-03-01 09:30:00+00'),
 (3, 'bob.jones@nhs.net', 'Bob Jones', '07812 345678', 4010232137, 'JG 10 37 42 A', NULL,
  '{"contact": {"email": "bob.jones@nhs.net"}}', NULL, '2024-05-10 14:00:00+01'),
 (4, 'dev@service.test', 'Jane Doe', '+44 7700 900123', NULL, NULL, NULL, NULL, NULL, '2024-02-02 08:00:00+00'),
 (5, 'carol@hmcts.gov.uk', 'Carol White', NULL, 9990000027, NULL, NULL, '{"card": "4111 1111 1111 1111"}', NULL,
  '2024-06-01 12:00:00+00');
CREATE TABLE cases (
  reference text PRIMARY KEY,
  person_id bigint REFERENCES people (id),
  summary text,
  officer_email text,
  payment_card varchar(25),
  opened_on date,
  created_at timestamptz
);
INSERT INTO cases VALUES
 ('C-1001', 1, 'Burglary reported at the address; officer attended.', 'pc.jones@met.police.uk', NULL, '2023-02-01', '2023-02-01 10:00:00+00'),
 ('C-1002', 2, 'TEST DATA - please ignore', 'officer@example.org', '4242 4242 4242 4242', '2024-03-02', '2024-03-02 11:00:00+00'),
 ('C-1003', 3, 'Lorem ipsum dolor sit amet', 'pc.khan@met.police.uk', '4111 1111 1111 1129', '2024-05-11', '2024-05-11 09:00:00+00');
CREATE TABLE addresses (id serial PRIMARY KEY, person_id bigint, line1 text, postcode text, delivery_notes text);
INSERT INTO addresses (person_id, line1, postcode, delivery_notes) VALUES
 (1, '1 High Street', 'SW1A 1AA', 'Leave with neighbour'),
 (2, '221B Baker Street', 'NW1 6XE', 'DO NOT SHIP - test address'),
 (3, '10 Downing Street', 'SW1A 2AA', NULL);
CREATE TABLE form_fields (id int PRIMARY KEY, name text, label text, help_text text, placeholder text, example_value text);
INSERT INTO form_fields VALUES
 (1, 'email', 'Email address', 'For example, name@example.com', 'name@example.com', 'name@example.com'),
 (2, 'phone', 'Phone', 'For example, 07700 900 982', '07700 900982', '07700 900 982');
ANALYZE;
"#;

/// Every finding the seed holds: (rule, location, severity, count, keys).
pub const EXPECTED: &[(&str, &str, &str, u64, &[&str])] = &[
    (
        "data/do-not-ship-marker",
        "public.addresses.delivery_notes",
        "error",
        1,
        &["2"],
    ),
    (
        "data/reserved-email",
        "public.cases.officer_email",
        "error",
        1,
        &["C-****"],
    ),
    (
        "data/test-card-number",
        "public.cases.payment_card",
        "error",
        1,
        &["C-****"],
    ),
    (
        "data/reserved-email",
        "public.people.email",
        "error",
        2,
        &["2", "4"],
    ),
    (
        "data/never-issued-nino",
        "public.people.ni_number",
        "error",
        1,
        &["2"],
    ),
    (
        "data/nhs-test-number",
        "public.people.nhs_number",
        "error",
        1,
        &["2"],
    ),
    (
        "data/uk-drama-phone",
        "public.people.phone",
        "error",
        2,
        &["2", "4"],
    ),
    (
        "data/test-card-number",
        "public.people.profile $.card",
        "error",
        1,
        &["5"],
    ),
    (
        "data/reserved-email",
        "public.people.profile $.contact.email",
        "error",
        1,
        &["2"],
    ),
    (
        "data/lorem-ipsum",
        "public.cases.summary",
        "warning",
        1,
        &["C-****"],
    ),
    (
        "data/test-only-marker",
        "public.cases.summary",
        "warning",
        1,
        &["C-****"],
    ),
    (
        "data/placeholder-person",
        "public.people.aliases $[]",
        "warning",
        1,
        &["2"],
    ),
    (
        "data/placeholder-person",
        "public.people.full_name",
        "warning",
        2,
        &["2", "4"],
    ),
];

pub fn location(f: &Value) -> String {
    let mut s = format!(
        "{}.{}",
        f["table"].as_str().unwrap_or(""),
        f["column"].as_str().unwrap_or("")
    );
    if let Some(p) = f["path"].as_str() {
        s.push(' ');
        s.push_str(p);
    }
    s
}

/// (rule, location, severity, count, keys) of each `data/` finding, sorted.
pub fn data_findings(report: &Value) -> Vec<(String, String, String, u64, Vec<String>)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"].as_str().unwrap_or("").starts_with("data/"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                location(f),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["count"].as_u64().unwrap_or(0),
                f["keys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|k| k.as_str().unwrap_or("").to_string())
                    .collect(),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.2, &a.1, &a.0).cmp(&(&b.2, &b.1, &b.0)));
    out
}

fn expected() -> Vec<(String, String, String, u64, Vec<String>)> {
    let mut out: Vec<_> = EXPECTED
        .iter()
        .map(|(r, l, s, c, k)| {
            (
                r.to_string(),
                l.to_string(),
                s.to_string(),
                *c,
                k.iter().map(|x| x.to_string()).collect(),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.2, &a.1, &a.0).cmp(&(&b.2, &b.1, &b.0)));
    out
}

/// `shipgate data ARGS` in an empty directory (no shipgate.toml), with `env` added.
pub fn data_run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all = vec!["data"];
    all.extend_from_slice(args);
    let mut cmd = shipgate(&all, dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run shipgate").into()
}

pub fn json_of(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", r.stdout, r.stderr))
}

fn finding<'a>(report: &'a Value, rule: &str, loc: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == rule && location(f) == loc))
        .unwrap_or_else(|| panic!("no {rule} at {loc} in {report:#}"))
}

#[test]
fn every_rule_is_found_with_its_count_keys_and_dates() {
    let c = postgres_or_skip!();
    let db = c.database("every_rule", SEED);
    let r = data_run(&[&c.reader_url(&db), "--format", "json"], &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = json_of(&r);
    assert_eq!(data_findings(&report), expected());
    // Dates in UTC whatever the server's time zone (the cluster runs in Europe/London).
    let email = finding(&report, "data/reserved-email", "public.people.email");
    assert_eq!(email["first_seen"], "2024-02-02T08:00:00Z");
    assert_eq!(email["last_seen"], "2024-03-01T09:30:00Z");
    assert_eq!(email["rows_read"], 5);
    assert_eq!(email["key_columns"], serde_json::json!(["id"]));
    assert_eq!(
        email["examples"],
        serde_json::json!(["q***@example.com", "d***@service.test"])
    );
    // Guidance columns hold their examples on purpose: none of form_fields is a finding, and what was
    // left out is counted.
    assert!(
        !report["findings"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f["table"] == "public.form_fields")),
        "{}",
        r.stdout
    );
    let form = report["tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["table"] == "public.form_fields"))
        .expect("form_fields read");
    assert_eq!(form["rows_read"], 2);
    assert!(
        form["examples_left_out"].as_u64().unwrap_or(0) >= 5,
        "{form}"
    );
    // The reader role is least-privilege and the connection local: nothing about the run itself.
    assert!(!has_rule(&report, "live/role-can-write") && !has_rule(&report, "live/tls-unverified"));
    assert_eq!(report["summary"]["tables"], 4);
    assert_eq!(report["summary"]["rows_read"], 13);
    assert_eq!(report["result"], "failed");
}

#[test]
fn values_are_masked_and_the_password_is_never_shown() {
    let c = postgres_or_skip!();
    let db = c.database("masked", SEED);
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("live.md");
    let html = dir.path().join("live.html");
    let url = c.url(READER, data_server::READER_PASSWORD, &db, "sslmode=disable");
    let mut outputs = Vec::new();
    for format in ["human", "json"] {
        let r = data_run(
            &[
                &url,
                "--format",
                format,
                "--report",
                md.to_str().unwrap_or(""),
            ],
            &[],
        );
        assert_eq!(r.code, 1, "{}", r.stderr);
        outputs.push(r.stdout + &r.stderr);
        outputs.push(std::fs::read_to_string(&md).unwrap_or_default());
    }
    let r = data_run(&[&url, "--report", html.to_str().unwrap_or("")], &[]);
    outputs.push(std::fs::read_to_string(&html).unwrap_or_default() + &r.stdout);
    // Errors quote the target: a wrong database, a wrong password, a refused port, a bad option.
    let wrong_db = c.url(
        READER,
        data_server::READER_PASSWORD,
        "no_such_db",
        "sslmode=disable",
    );
    let wrong_pw = c.url(READER, "Wrong-Pw-5521!", &db, "sslmode=disable");
    let bad_option = c.url(
        READER,
        data_server::READER_PASSWORD,
        &db,
        "sslmode=disable&port=notaport",
    );
    let no_port = format!(
        "postgres://{READER}:{}@127.0.0.1:1/{db}?sslmode=disable",
        "Rd-7xq%21pw%40Zk9"
    );
    for bad in [&wrong_db, &wrong_pw, &bad_option, &no_port] {
        let r = data_run(&[bad.as_str()], &[]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stdout);
        assert!(r.stderr.contains("live/"), "{}", r.stderr);
        outputs.push(r.stdout + &r.stderr);
    }
    // The password from PGPASSWORD, shown back in an error.
    let r = data_run(
        &[&format!(
            "postgres://{READER}@127.0.0.1:{}/no_such_db?sslmode=disable",
            c.port
        )],
        &[("PGPASSWORD", data_server::READER_PASSWORD)],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no_such_db"), "{}", r.stderr);
    outputs.push(r.stdout + &r.stderr);
    let all = outputs.join("\n");
    for secret in [
        data_server::READER_PASSWORD,
        "Rd-7xq%21pw%40Zk9",
        "Wrong-Pw-5521!",
    ] {
        assert!(
            !all.contains(secret),
            "the password `{secret}` was printed:\n{all}"
        );
    }
    assert!(
        all.contains("postgres://shipgate_reader@127.0.0.1"),
        "the target is shown without its password"
    );
    // No value in full: the masked forms only.
    for value in [
        "q.tester@example.com",
        "x.test@example.org",
        "9990000018",
        "QQ 12 34 56 C",
        "4242 4242 4242 4242",
        "07700 900 982",
        "John Doe",
    ] {
        assert!(!all.contains(value), "`{value}` printed in full");
    }
    for masked in [
        "q***@example.com",
        "x***@example.org",
        "999*******",
        "QQ 1* ** ** *",
        "4242 4*** **** ****",
        "077** *** ***",
        "Jo** ***",
    ] {
        assert!(all.contains(masked), "`{masked}` missing");
    }
    assert!(
        all.contains("| No test data in the live system | **FAIL** |"),
        "{all}"
    );
}

#[test]
fn a_write_in_the_same_session_fails() {
    let c = postgres_or_skip!();
    let db = c.database(
        "write_fails",
        &format!(
            "{SEED}\nGRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {WRITER};"
        ),
    );
    // The session shipgate opens, as a role that could write: its writes fail, its reads work.
    let url = c.url(WRITER, WRITER_PASSWORD, &db, "sslmode=disable");
    let target = shipgate::data::target::resolve(Some(&url), None, &|_| None)
        .unwrap_or_else(|e| panic!("{}", e.message));
    let mut session = shipgate::data::postgres::Session::open(
        &target,
        std::time::Duration::from_secs(10),
        std::time::Duration::from_secs(1),
    )
    .unwrap_or_else(|e| panic!("{}", e.message));
    let client = session.client();
    let read_only = postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION;
    for write in [
        "INSERT INTO cases (reference) VALUES ('C-9999')",
        "UPDATE people SET full_name = 'x'",
        "DELETE FROM addresses",
        "CREATE TABLE planted (x int)",
    ] {
        let e = client.batch_execute(write).expect_err(write);
        assert_eq!(e.code(), Some(&read_only), "{write}: {e}");
    }
    let n: i64 = client
        .query_one("SELECT count(*) FROM people", &[])
        .expect("read")
        .get(0);
    assert_eq!(n, 5);
    // Nothing was written.
    let n: i64 = c
        .superuser(&db)
        .query_one("SELECT count(*) FROM cases", &[])
        .expect("count")
        .get(0);
    assert_eq!(n, 3);
}

#[test]
fn a_hostile_table_name_is_data_not_sql() {
    let c = postgres_or_skip!();
    let db = c.database(
        "hostile",
        "CREATE TABLE people (id int PRIMARY KEY, email text);
         INSERT INTO people VALUES (1, 'ok@gov.uk');
         CREATE TABLE \"x\"\"; DROP TABLE people; --\" (id int PRIMARY KEY, \"e\"\"mail\" text);
         INSERT INTO \"x\"\"; DROP TABLE people; --\" VALUES (7, 'planted@example.com');
         CREATE TABLE \"ansi\x1b[31mred\" (id int PRIMARY KEY, note text);
         INSERT INTO \"ansi\x1b[31mred\" VALUES (1, 'Lorem ipsum');",
    );
    let r = data_run(&[&c.reader_url(&db)], &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("error[data/reserved-email] public.x\"; DROP TABLE people; --.e\"mail:"),
        "{}",
        r.stdout
    );
    // Control characters in names are shown escaped, never sent to the terminal.
    assert!(
        r.stdout.contains("public.ansi\\x1b[31mred.note") && !r.stdout.contains('\x1b'),
        "{}",
        r.stdout
    );
    let n: i64 = c
        .superuser(&db)
        .query_one("SELECT count(*) FROM people", &[])
        .expect("people still there")
        .get(0);
    assert_eq!(n, 1);
}

#[test]
fn a_locked_table_times_out_and_is_not_evaluated() {
    let c = postgres_or_skip!();
    let db = c.database("locked", SEED);
    let mut holder = c.superuser(&db);
    holder
        .batch_execute("BEGIN; LOCK TABLE cases IN ACCESS EXCLUSIVE MODE")
        .expect("lock");
    let r = data_run(
        &[
            &c.reader_url(&db),
            "--format",
            "json",
            "--lock-timeout",
            "200ms",
        ],
        &[],
    );
    assert_eq!(
        r.code, 2,
        "a table not read fails closed: {}\n{}",
        r.stdout, r.stderr
    );
    let report = json_of(&r);
    assert_eq!(report["result"], "error");
    let unread: Vec<(String, String)> = report["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["not_evaluated"].is_string())
        .map(|t| {
            (
                t["table"].as_str().unwrap_or("").to_string(),
                t["not_evaluated"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(unread.len(), 1, "{unread:?}");
    assert_eq!(unread[0].0, "public.cases");
    assert!(
        unread[0].1.contains("lock timeout (lock-timeout 200ms)"),
        "{}",
        unread[0].1
    );
    let f = finding_rule(&report, "live/table-not-read");
    assert_eq!(
        (f["table"].as_str(), f["severity"].as_str()),
        (Some("public.cases"), Some("error"))
    );
    // The other tables were read and their findings stand.
    assert!(data_findings(&report)
        .iter()
        .any(|f| f.1 == "public.people.email"));
    assert!(!data_findings(&report)
        .iter()
        .any(|f| f.1.starts_with("public.cases")));
    // The evidence report says NOT VERIFIED (not FAIL, not PASS) when only tables are missing.
    let clean = c.database("locked_clean", "CREATE TABLE a (id int PRIMARY KEY, note text); CREATE TABLE b (id int PRIMARY KEY, note text);");
    let mut holder2 = c.superuser(&clean);
    holder2
        .batch_execute("BEGIN; LOCK TABLE b IN ACCESS EXCLUSIVE MODE")
        .expect("lock");
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("r.md");
    let r = data_run(
        &[
            &c.reader_url(&clean),
            "--lock-timeout",
            "100ms",
            "--report",
            md.to_str().unwrap_or(""),
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    let text = std::fs::read_to_string(&md).unwrap_or_default();
    assert!(
        text.contains("| No test data in the live system | **NOT VERIFIED** |"),
        "{text}"
    );
    assert!(
        text.contains("- Not verified: `public.b`: canceling statement due to lock timeout"),
        "{text}"
    );
    holder.batch_execute("ROLLBACK").expect("unlock");
    holder2.batch_execute("ROLLBACK").expect("unlock");
}

fn has_rule(report: &Value, rule: &str) -> bool {
    report["findings"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f["rule"] == rule))
}

fn finding_rule<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == rule))
        .unwrap_or_else(|| panic!("no {rule} in {report:#}"))
}

#[test]
fn a_table_not_read_is_a_warning_only_when_the_config_says_so() {
    let c = postgres_or_skip!();
    let db = c.database(
        "fail_open",
        "CREATE TABLE a (id int PRIMARY KEY, note text); INSERT INTO a VALUES (1, 'fine');",
    );
    let mut holder = c.superuser(&db);
    holder
        .batch_execute("BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE")
        .expect("lock");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("shipgate.toml"),
        "[data]\nfail-closed = false\nlock-timeout = \"100ms\"\n",
    )
    .expect("config");
    let mut cmd = shipgate(
        &["data", &c.reader_url(&db), "--format", "json"],
        dir.path(),
    );
    let r: Run = cmd.output().expect("run").into();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report = json_of(&r);
    assert_eq!(
        finding_rule(&report, "live/table-not-read")["severity"],
        "warning"
    );
    assert_eq!(
        report["fail_open"][0],
        "[data] fail-closed = false — tables that could not be read are warnings"
    );
    holder.batch_execute("ROLLBACK").expect("unlock");
}

#[test]
fn tls_required_but_absent_is_refused() {
    let c = postgres_or_skip!();
    let db = c.database("tls_absent", SEED);
    // The default over TCP is verify-full; require is refused the same way by a server without TLS.
    for query in ["", "sslmode=require", "sslmode=verify-full"] {
        let url = c.url(READER, data_server::READER_PASSWORD, &db, query);
        let r = data_run(&[&url], &[]);
        assert_eq!(r.code, 2, "{query}: {}", r.stdout);
        assert!(r.stderr.contains("live/tls"), "{}", r.stderr);
        assert!(r.stderr.contains("does not offer it"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    // PGSSLMODE counts too; `disable` is the explicit opt-out, and reads.
    let url = c.url(READER, data_server::READER_PASSWORD, &db, "");
    let r = data_run(&[&url], &[("PGSSLMODE", "require")]);
    assert_eq!(r.code, 2);
    let r = data_run(&[&url], &[("PGSSLMODE", "disable")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("TLS        none (sslmode=disable)"),
        "{}",
        r.stdout
    );
}

/// `shipgate data` on the TLS cluster, connecting to 127.0.0.1 (the certificate names db.internal).
fn tls_run(c: &Cluster, db: &str, query: &str, extra: &[&str]) -> Run {
    let url = c.url(READER, data_server::READER_PASSWORD, db, query);
    let mut args = vec![url.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    data_run(&args, &[])
}

#[test]
fn tls_is_verified_with_the_ca_file() {
    let c = match data_server::tls_cluster() {
        Some(c) => c,
        None => return,
    };
    let ca = c.ca.clone().expect("ca");
    let ca = ca.to_str().unwrap_or("");
    let db = c.database("tls_ok", SEED);
    // verify-ca: the chain is checked against the CA file; the name is not (the certificate says db.internal).
    let r = tls_run(c, &db, "sslmode=verify-ca", &["--ca-file", ca]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = json_of(&r);
    assert!(
        report["source"]["tls"]
            .as_str()
            .unwrap_or("")
            .starts_with("TLSv1."),
        "{}",
        report["source"]
    );
    assert_eq!(data_findings(&report), expected());
    // The CA can come in the URL too.
    let r = tls_run(
        c,
        &db,
        &format!("sslmode=verify-ca&sslrootcert={}", ca.replace('/', "%2F")),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // verify-full compares the name: 127.0.0.1 is not db.internal.
    let r = tls_run(c, &db, "sslmode=verify-full", &["--ca-file", ca]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("live/tls") && r.stderr.contains("not valid for name"),
        "{}",
        r.stderr
    );
    // Another CA does not verify it.
    let other = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other",
            "-keyout",
            "k.pem",
            "-out",
            "other.pem",
        ])
        .current_dir(other.path())
        .output()
        .expect("openssl");
    assert!(out.status.success());
    let other_ca = other.path().join("other.pem");
    let r = tls_run(
        c,
        &db,
        "sslmode=verify-ca",
        &["--ca-file", other_ca.to_str().unwrap_or("")],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("UnknownIssuer"), "{}", r.stderr);
    // A CA file that is not one is refused before connecting.
    let r = tls_run(
        c,
        &db,
        "sslmode=verify-full",
        &["--ca-file", "/etc/hostname"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("holds no certificate"), "{}", r.stderr);
}

#[test]
fn tls_that_is_not_verified_is_reported() {
    let c = match data_server::tls_cluster() {
        Some(c) => c,
        None => return,
    };
    let db = c.database(
        "tls_unverified",
        "CREATE TABLE a (id int PRIMARY KEY, note text);",
    );
    let r = tls_run(c, &db, "sslmode=require", &[]);
    assert_eq!(
        r.code, 0,
        "a warning does not fail at fail-on error: {}",
        r.stderr
    );
    let report = json_of(&r);
    let f = finding_rule(&report, "live/tls-unverified");
    assert_eq!(f["severity"], "warning");
    assert!(f["message"]
        .as_str()
        .unwrap_or("")
        .contains("does not verify the server's certificate (sslmode=require)"));
    // Its twin: verified TLS says nothing.
    let ca = c.ca.clone().expect("ca");
    let r = tls_run(
        c,
        &db,
        "sslmode=verify-ca",
        &["--ca-file", ca.to_str().unwrap_or("")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !has_rule(&json_of(&r), "live/tls-unverified"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_role_that_could_write_is_warned_about() {
    let c = postgres_or_skip!();
    let db = c.database(
        "role_write",
        &format!("CREATE TABLE notes (id int PRIMARY KEY, body text); GRANT SELECT, INSERT ON notes TO {WRITER};"),
    );
    let r = data_run(
        &[
            &c.url(WRITER, WRITER_PASSWORD, &db, "sslmode=disable"),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = json_of(&r);
    let f = finding_rule(&report, "live/role-can-write");
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        f["message"],
        "role `app_writer` could write: it owns or can INSERT/UPDATE/DELETE/TRUNCATE 1 table (public.notes)"
    );
    // The least-privilege reader of the README: no warning.
    let r = data_run(&[&c.reader_url(&db), "--format", "json"], &[]);
    assert_eq!(r.code, 0);
    assert!(
        !has_rule(&json_of(&r), "live/role-can-write"),
        "{}",
        r.stdout
    );
}

fn export(c: &Cluster, db: &str, dir: &Path) {
    let mut client = c.superuser(db);
    for table in ["people", "cases", "addresses", "form_fields"] {
        let mut reader = client
            .copy_out(&format!("COPY {table} TO STDOUT WITH (FORMAT csv, HEADER)"))
            .expect("copy out");
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut text).expect("read csv");
        std::fs::write(dir.join(format!("public.{table}.csv")), text).expect("write csv");
    }
}

#[test]
fn a_dump_and_csv_exports_give_the_live_databases_findings() {
    let c = postgres_or_skip!();
    let db = c.database("dump_same", SEED);
    let live = json_of(&data_run(
        &[&c.reader_url(&db), "--format", "json", "--full"],
        &[],
    ));
    assert_eq!(data_findings(&live), expected());
    let dir = tempfile::tempdir().expect("tempdir");
    let dump = dir.path().join("nightly.sql");
    let out = c
        .tool("pg_dump")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &c.port.to_string(),
            "-U",
            READER,
            "-f",
        ])
        .arg(&dump)
        .arg(&db)
        .env("PGPASSWORD", data_server::READER_PASSWORD)
        .env("PGSSLMODE", "disable")
        .env("PGTZ", "America/New_York")
        .output()
        .expect("pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = data_run(
        &["--dump", dump.to_str().unwrap_or(""), "--format", "json"],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let from_dump = json_of(&r);
    let without_rows_read = |v: &Value| -> Vec<Value> {
        v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"].as_str().unwrap_or("").starts_with("data/"))
            .cloned()
            .collect()
    };
    // The same findings, field for field: counts, keys, masked values, first and last seen (in UTC,
    // though the dump was written in New York time).
    assert_eq!(without_rows_read(&from_dump), without_rows_read(&live));
    assert_eq!(
        from_dump["summary"]["rows_read"],
        live["summary"]["rows_read"]
    );
    // CSV exports: the same rules, counts, masked values and dates; keys where the file has the key
    // (`id`; `cases` is keyed by `reference`, which CSV cannot tell, so its rows are numbered).
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir(&csv_dir).expect("mkdir");
    export(c, &db, &csv_dir);
    let r = data_run(
        &["--csv", csv_dir.to_str().unwrap_or(""), "--format", "json"],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let from_csv = json_of(&r);
    let comparable = |v: &Value| -> Vec<(String, String, String, u64, Value, Value, Value)> {
        let mut out: Vec<_> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"].as_str().unwrap_or("").starts_with("data/"))
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    location(f),
                    f["severity"].as_str().unwrap_or("").to_string(),
                    f["count"].as_u64().unwrap_or(0),
                    f["examples"].clone(),
                    f["first_seen"].clone(),
                    f["last_seen"].clone(),
                )
            })
            .collect();
        out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        out
    };
    assert_eq!(comparable(&from_csv), comparable(&live));
    let people_email = finding(&from_csv, "data/reserved-email", "public.people.email");
    assert_eq!(people_email["keys"], serde_json::json!(["2", "4"]));
    let cases = finding(
        &from_csv,
        "data/test-card-number",
        "public.cases.payment_card",
    );
    assert_eq!(cases["key_columns"], serde_json::json!(["(row number)"]));
    assert_eq!(cases["keys"], serde_json::json!(["2"]));
}

#[test]
fn the_sample_is_bounded_and_says_how_it_was_drawn() {
    let c = postgres_or_skip!();
    let db = c.database(
        "sampled",
        "CREATE TABLE events (id bigint PRIMARY KEY, contact text, created_at timestamptz);
         INSERT INTO events SELECT g, 'user' || g || '@gov.uk', '2024-01-01'::timestamptz + g * interval '1 minute'
           FROM generate_series(1, 60000) g;
         UPDATE events SET contact = 'load-test' || id || '@example.com' WHERE id % 1000 = 0;
         CREATE TABLE small (id int PRIMARY KEY, note text);
         INSERT INTO small VALUES (1, 'Lorem ipsum');
         ANALYZE;",
    );
    let r = data_run(
        &[
            &c.reader_url(&db),
            "--format",
            "json",
            "--sample-rows",
            "2000",
            "--seed",
            "7",
        ],
        &[],
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let report = json_of(&r);
    let table = |name: &str| -> Value {
        report["tables"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["table"] == name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let events = table("public.events");
    let read = events["rows_read"].as_u64().unwrap_or(0);
    assert!(read > 0 && read <= 2000, "{events}");
    assert_eq!(events["complete"], false);
    assert!(
        events["method"]
            .as_str()
            .unwrap_or("")
            .contains("TABLESAMPLE SYSTEM"),
        "{events}"
    );
    assert!(
        events["rows_estimated"].as_u64().unwrap_or(0) > 50_000,
        "{events}"
    );
    assert_eq!(report["sampling"]["seed"], 7);
    assert!(report["sampling"]["how"]
        .as_str()
        .unwrap_or("")
        .contains("at most 2000 rows a table"));
    // A table smaller than the sample is read whole.
    assert_eq!(table("public.small")["complete"], true);
    assert_eq!(table("public.small")["rows_read"], 1);
    // The same seed draws the same sample.
    let again = json_of(&data_run(
        &[
            &c.reader_url(&db),
            "--format",
            "json",
            "--sample-rows",
            "2000",
            "--seed",
            "7",
        ],
        &[],
    ));
    assert_eq!(again["tables"], report["tables"]);
    // --full reads every row, and counts every test row.
    let full = json_of(&data_run(
        &[&c.reader_url(&db), "--format", "json", "--full"],
        &[],
    ));
    assert_eq!(full["summary"]["rows_read"], 60_001);
    let f = finding(&full, "data/reserved-email", "public.events.contact");
    assert_eq!(f["count"], 60);
    assert_eq!(f["keys"].as_array().map(Vec::len), Some(25));
    assert_eq!(f["more_keys"], 35);
    assert_eq!(f["first_seen"], "2024-01-01T16:40:00Z");
    // A time budget too small for anything: every table not evaluated, fails closed.
    let r = data_run(&[&c.reader_url(&db), "--time-budget", "1ms"], &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("the time budget (1ms) ran out before this table"),
        "{}",
        r.stdout
    );
}

#[test]
fn row_level_security_that_hides_rows_is_not_evaluated() {
    let c = postgres_or_skip!();
    let db = c.database(
        "rls",
        "CREATE TABLE tickets (id int PRIMARY KEY, owner text, body text);
         INSERT INTO tickets VALUES (1, 'a', 'q@example.com');
         ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON tickets USING (owner = current_user);
         CREATE TABLE open_notes (id int PRIMARY KEY, body text);",
    );
    let r = data_run(&[&c.reader_url(&db), "--format", "json"], &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let report = json_of(&r);
    let f = finding_rule(&report, "live/table-not-read");
    assert_eq!(f["table"], "public.tickets");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("row-level security is on"),
        "{f}"
    );
}
