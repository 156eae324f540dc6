//! `shipgate data` without a server: CSV exports and plain-SQL dumps written by hand, the team's declared
//! test accounts and exceptions (`[data]`), column-awareness, the refusals (no source, another engine,
//! an archive or INSERT dump), and the control in `check`'s evidence report.

use crate::common::{run, shipgate, Repo, Run};
use serde_json::Value;
use std::path::Path;

fn data_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["data"];
    all.extend_from_slice(args);
    shipgate(&all, dir).output().expect("run shipgate").into()
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", r.stdout, r.stderr))
}

/// (rule, table.column[ path], severity, count) of every finding.
fn found(report: &Value) -> Vec<(String, String, String, u64)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let mut loc = match (f["table"].as_str(), f["column"].as_str()) {
                (Some(t), Some(c)) => format!("{t}.{c}"),
                (Some(t), None) => t.to_string(),
                _ => "(run)".to_string(),
            };
            if let Some(p) = f["path"].as_str() {
                loc.push(' ');
                loc.push_str(p);
            }
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                loc,
                f["severity"].as_str().unwrap_or("").to_string(),
                f["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

const USERS: &str = "id,email,display_name,created_at\n\
1,alice@our-service.gov.uk,Alice,2024-01-01 10:00:00+00\n\
2,qa.tester@our-service.gov.uk,QA,2024-02-01 10:00:00+00\n\
3,smoke-test@example.com,Smoke,2024-03-01 10:00:00+00\n\
4,TESTUSER07,Load test,2024-04-01 10:00:00+00\n\
5,other@example.com,Other,2024-05-01 10:00:00+00\n";

#[test]
fn declared_test_accounts_are_found_and_exceptions_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("public.users.csv"), USERS).expect("csv");
    std::fs::write(
        dir.path().join("shipgate.toml"),
        r#"[data]
test-accounts = ["qa.tester@our-service.gov.uk", "TESTUSER*"]

[[data.allow]]
value = "smoke-test@example.com"
column = "email"
reason = "the smoke-test account production is meant to hold (runbook 4)"

[[data.allow]]
table = "public.retired_table"
reason = "a table that no longer exists"
"#,
    )
    .expect("config");
    let r = data_in(
        dir.path(),
        &["--csv", "public.users.csv", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = json(&r);
    assert_eq!(
        found(&report),
        vec![
            (
                "data/reserved-email".into(),
                "public.users.email".into(),
                "error".into(),
                1
            ),
            (
                "live/declared-test-account".into(),
                "public.users.email".into(),
                "error".into(),
                2
            ),
            (
                "live/unused-allow".into(),
                "(run)".into(),
                "warning".into(),
                0
            ),
        ]
    );
    let declared = &report["findings"][1];
    assert_eq!(declared["keys"], serde_json::json!(["2", "4"]));
    assert_eq!(
        declared["examples"],
        serde_json::json!(["q***@our-service.gov.uk", "TES*******"])
    );
    assert_eq!(declared["first_seen"], "2024-02-01T10:00:00Z");
    // The smoke-test account is allowed, with its reason, and counted; the other reserved address is not.
    assert_eq!(report["findings"][0]["keys"], serde_json::json!(["5"]));
    assert_eq!(report["exceptions"][0]["hits"], 1);
    assert_eq!(
        report["exceptions"][0]["reason"],
        "the smoke-test account production is meant to hold (runbook 4)"
    );
    assert_eq!(
        report["findings"][2]["message"],
        "[[data.allow]] table = \"public.retired_table\" matched nothing in 1 table read completely"
    );
    // Without the config, the smoke-test account is a finding like the other.
    std::fs::remove_file(dir.path().join("shipgate.toml")).expect("rm");
    let r = data_in(
        dir.path(),
        &["--csv", "public.users.csv", "--format", "json"],
    );
    assert_eq!(
        found(&json(&r)),
        vec![(
            "data/reserved-email".into(),
            "public.users.email".into(),
            "error".into(),
            2
        )]
    );
}

#[test]
fn an_exception_without_a_reason_is_refused_on_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("u.csv"), USERS).expect("csv");
    std::fs::write(
        dir.path().join("shipgate.toml"),
        "fail-on = \"error\"\n\n[data]\n[[data.allow]]\nvalue = \"smoke-test@example.com\"\n",
    )
    .expect("config");
    let r = data_in(dir.path(), &["--csv", "u.csv"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("config/invalid") && r.stderr.contains("has no reason"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("shipgate.toml:4") || r.stderr.contains("4 │"),
        "{}",
        r.stderr
    );
    // `shipgate check` accepts the section (it belongs to `shipgate data`).
    std::fs::write(
        dir.path().join("shipgate.toml"),
        "[data]\ntest-accounts = [\"qa@x.gov.uk\"]\n",
    )
    .expect("config");
    let r = run(&["check", ".", "--offline", "--allow-empty"], dir.path());
    assert!(!r.stderr.contains("config/invalid"), "{}", r.stderr);
    // A misspelt key in [data] is located with the keys it could be.
    std::fs::write(dir.path().join("shipgate.toml"), "[data]\nsample-row = 5\n").expect("config");
    let r = data_in(dir.path(), &["--csv", "u.csv"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown field `sample-row`"),
        "{}",
        r.stderr
    );
}

#[test]
fn guidance_columns_hold_examples_and_record_columns_hold_test_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    // One class, by column name: help text, hints, placeholders and examples are guidance; its twin, a
    // contact column with the very same values, is a record.
    std::fs::write(
        dir.path().join("forms.csv"),
        "id,help_text,emailPlaceholder,contact_email,notes,settings\n\
1,name@example.com,name@example.com,name@example.com,\"For example, name@example.com\",\"{\"\"hint\"\": \"\"07700 900 982\"\", \"\"phone\"\": \"\"07700 900 982\"\"}\"\n",
    )
    .expect("csv");
    let r = data_in(dir.path(), &["--csv", "forms.csv", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = json(&r);
    assert_eq!(
        found(&report),
        vec![
            (
                "data/reserved-email".into(),
                "forms.contact_email".into(),
                "error".into(),
                1
            ),
            (
                "data/uk-drama-phone".into(),
                "forms.settings $.phone".into(),
                "error".into(),
                1
            ),
        ]
    );
    assert_eq!(report["tables"][0]["examples_left_out"], 4);
    // A value inside text is weaker than a value that is the whole field: a warning.
    std::fs::write(
        dir.path().join("notes.csv"),
        "id,notes\n1,\"Called back, left message for q@example.com\"\n",
    )
    .expect("csv");
    let r = data_in(dir.path(), &["--csv", "notes.csv", "--format", "json"]);
    assert_eq!(
        r.code, 0,
        "warnings do not fail at the default fail-on: {}",
        r.stdout
    );
    assert_eq!(
        found(&json(&r)),
        vec![(
            "data/reserved-email".into(),
            "notes.notes".into(),
            "warning".into(),
            1
        )]
    );
}

#[test]
fn a_hand_written_dump_is_read_block_by_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dump = "SET statement_timeout = 0;\n\
CREATE DOMAIN public.email_address AS text;\n\
CREATE TABLE public.people (\n    id bigint NOT NULL,\n    email public.email_address,\n    \"Full Name\" character varying(80),\n    score integer,\n    created_at timestamp with time zone DEFAULT now() NOT NULL\n);\n\
COPY public.people (id, email, \"Full Name\", score, created_at) FROM stdin;\n\
1\tq@example.com\tJohn Doe\\t(visitor)\t5\t2024-01-02 03:04:05+01\n\
2\t\\N\tAlice\t999\t2024-01-03 00:00:00+00\n\
\\.\n\
ALTER TABLE ONLY public.people\n    ADD CONSTRAINT people_pkey PRIMARY KEY (id);\n";
    std::fs::write(dir.path().join("d.sql"), dump).expect("dump");
    let r = data_in(dir.path(), &["--dump", "d.sql", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = json(&r);
    assert_eq!(
        found(&report),
        vec![
            (
                "data/reserved-email".into(),
                "public.people.email".into(),
                "error".into(),
                1
            ),
            (
                "data/placeholder-person".into(),
                "public.people.Full Name".into(),
                "warning".into(),
                1
            ),
        ]
    );
    assert_eq!(report["findings"][0]["keys"], serde_json::json!(["1"]));
    assert_eq!(report["findings"][0]["first_seen"], "2024-01-02T02:04:05Z");
    assert_eq!(report["summary"]["rows_read"], 2);
}

#[test]
fn what_cannot_be_read_whole_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("inserts.sql"),
        "CREATE TABLE public.t (\n    a text\n);\nINSERT INTO public.t VALUES ('q@example.com');\n",
    )
    .expect("w");
    std::fs::write(dir.path().join("archive.dump"), b"PGDMP\x01\x0e\x00").expect("w");
    std::fs::write(
        dir.path().join("cut.sql"),
        "COPY public.t (a) FROM stdin;\nq@example.com\n",
    )
    .expect("w");
    std::fs::write(dir.path().join("ragged.csv"), "id,email\n1,a@b.c\n2\n").expect("w");
    for (args, code, says) in [
        (
            vec!["--dump", "inserts.sql"],
            "live/dump",
            "INSERT statement",
        ),
        (
            vec!["--dump", "archive.dump"],
            "live/dump",
            "pg_restore -f dump.sql",
        ),
        (vec!["--dump", "cut.sql"], "live/dump", "cut short"),
        (vec!["--dump", "missing.sql"], "live/dump", "cannot read it"),
        (vec!["--csv", "ragged.csv"], "live/csv", "ragged.csv"),
        (
            vec!["mysql://root:Sq1-Pw-9@db/app"],
            "live/unsupported-source",
            "export the tables as CSV",
        ),
        (
            vec!["postgres://u@h/d?sslmode=sometimes"],
            "live/bad-url",
            "unknown sslmode",
        ),
        (vec![], "live/no-source", "no source"),
    ] {
        let r = data_in(dir.path(), &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains(code) && r.stderr.contains(says),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("Sq1-Pw-9"), "{}", r.stderr);
    }
    let r = run(&["explain", "live/no-source"], dir.path());
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("a diagnostic"), "{}", r.stdout);
}

#[test]
fn hostile_file_and_column_names_are_shown_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("evil\x1b[2Jname.csv"),
        "id,\"::error::forged\x1b]8;;x\x07\"\n1,Lorem ipsum\n",
    )
    .expect("csv");
    let r = data_in(dir.path(), &["--csv", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains('\x1b') && !r.stdout.contains('\x07'),
        "{:?}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("evil\\x1b[2Jname.::error::forged\\x1b]8;;x\\x07"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.lines().any(|l| l.trim_start().starts_with("::")));
}

#[test]
fn the_check_report_points_at_shipgate_data_for_the_live_control() {
    let repo = Repo::new();
    repo.write("app.py", "print('hello')\n");
    repo.commit("init");
    let md = repo.path().join("evidence.md");
    let r = run(
        &[
            "check",
            ".",
            "--offline",
            "--report",
            md.to_str().unwrap_or(""),
        ],
        repo.path(),
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let text = std::fs::read_to_string(&md).unwrap_or_default();
    assert!(
        text.contains("| No test data in the live system | **NOT VERIFIED** | 0 | 0 |"),
        "{text}"
    );
    assert!(
        text.contains(&shipgate::report::markdown::text(
            "checked by `shipgate data` against the live system, not by this run"
        )),
        "{text}"
    );
    // The data run's own report holds it: PASS on a clean export.
    std::fs::write(
        repo.path().join("clean.csv"),
        "id,email\n1,alice@our-service.gov.uk\n",
    )
    .expect("csv");
    let report = repo.path().join("live.html");
    let r = data_in(
        repo.path(),
        &[
            "--csv",
            "clean.csv",
            "--report",
            report.to_str().unwrap_or(""),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(
        html.contains("<span class=\"status PASS\">PASS</span>"),
        "{html}"
    );
    assert!(html.contains("No findings."));
}
