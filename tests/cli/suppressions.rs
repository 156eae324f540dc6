//! Inline allows and the baseline: adoption on a repository with history, without hiding anything new.
use crate::common::*;

#[test]
fn inline_allow_with_reason_suppresses_on_its_line_or_the_next() {
    let repo = Repo::new();
    repo.write(
        "src/demo.py",
        "# shipgate:allow(data/reserved-email) demo tenant shown on the marketing site, never emailed\n\
         DEMO = 'demo@example.com'\n\
         OTHER = 'x@example.com'  # shipgate:allow(data/reserved-email) same demo tenant\n\
         LATER = 'y@example.com'\n",
    );
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        findings(&report),
        vec![("data/reserved-email".into(), "src/demo.py".into(), 4)]
    );
    assert_eq!(
        (code, report["summary"]["suppressed_inline"].as_u64()),
        (1, Some(2))
    );
    let (_, everything) = check_json(repo.path(), &["--no-suppress"]);
    assert_eq!(hits(&everything).len(), 3, "--no-suppress shows everything");
}

#[test]
fn an_allow_without_reason_or_with_unknown_rule_is_itself_a_finding() {
    let repo = Repo::new();
    repo.write(
        "src/a.py",
        "A = 'a@example.com'  # shipgate:allow(data/reserved-email)\n\
         # shipgate:allow(data/reserved-emial) typo in the id\n\
         B = 'b@example.com'\n\
         # shipgate:allow(data/lorem-ipsum) the filler text was removed\n\
         C = 1\n",
    );
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        hits(&report),
        vec![
            ("data/reserved-email".into(), "src/a.py".into(), 1), // not suppressed: no reason
            ("suppress/missing-reason".into(), "src/a.py".into(), 1),
            ("suppress/unknown-rule".into(), "src/a.py".into(), 2),
            ("data/reserved-email".into(), "src/a.py".into(), 3),
            ("suppress/unused-allow".into(), "src/a.py".into(), 4),
        ]
    );
    let unknown = &report["findings"][2];
    assert_eq!(
        unknown["location"]["column"], 18,
        "points at the misspelt id"
    );
    assert_eq!(unknown["help"], "did you mean `data/reserved-email`?");
}

/// `[rules]` applies to the suppression stage's own rules like any other: one place for overrides.
#[test]
fn rules_overrides_apply_to_the_suppression_rules_too() {
    let repo = Repo::new();
    repo.write(
        "src/a.py",
        "A = 1  # shipgate:allow(data/lorem-ipsum) the filler text was removed
         B = 2  # shipgate:allow(data/lorem-ipsum)
",
    );
    repo.commit("c");
    // The clean twin: the defaults.
    let (_, report) = check_json(repo.path(), &[]);
    let sev = |report: &serde_json::Value, rule: &str| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["severity"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        sev(&report, "suppress/unused-allow"),
        vec!["note"],
        "{report}"
    );
    assert_eq!(
        sev(&report, "suppress/missing-reason"),
        vec!["warning"],
        "{report}"
    );
    repo.write(
        "shipgate.toml",
        "[rules]\n\"suppress/unused-allow\" = \"off\"\n\"suppress/missing-reason\" = \"error\"\n",
    );
    repo.commit("policy");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        sev(&report, "suppress/unused-allow"),
        Vec::<String>::new(),
        "{report}"
    );
    assert_eq!(
        sev(&report, "suppress/missing-reason"),
        vec!["error"],
        "{report}"
    );
    assert_eq!(code, 1, "{report}");
}

#[test]
fn init_baseline_check_adopts_a_repo_and_fails_on_the_next_new_leak() {
    let repo = Repo::new();
    repo.write(
        "src/legacy.py",
        "OWNER = 'owner@example.com'\nPHONE = '07700 900123'\n",
    );
    repo.write("config/production.yml", "debug: true\n");
    repo.commit("history");

    assert_eq!(run(&["init"], repo.path()).code, 0);
    let r = run(&["baseline"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("wrote 3 findings to .shipgate/baseline.json"),
        "{}",
        r.stdout
    );
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        (code, report["summary"]["baselined"].as_u64()),
        (0, Some(3)),
        "{report}"
    );

    // Unrelated lines move: the baselined findings stay baselined.
    repo.write("src/legacy.py", "\"\"\"Legacy module.\"\"\"\n\nimport os\n\nOWNER  =  'owner@example.com'\nPHONE = '07700 900123'\n");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report}");

    // The next new leak fails the gate.
    repo.write("src/new.py", "SUPPORT = 'support@example.org'\n");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![("data/reserved-email".into(), "src/new.py".into(), 1)]
    );

    // A fixed finding makes its entry stale: reported (as a note) so the baseline shrinks.
    std::fs::remove_file(repo.path().join("src/new.py")).unwrap();
    repo.write("config/production.yml", "debug: false\n");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 0);
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str()),
        ("suppress/stale-baseline", ".shipgate/baseline.json")
    );
    assert!(f[0].2 > 0, "points at the entry's line");
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("switch/debug-enabled"));
}

#[test]
fn a_corrupt_baseline_is_a_clear_error() {
    let repo = Repo::new();
    repo.write("src/a.py", "x = 1\n").write(
        ".shipgate/baseline.json",
        "{\"version\": 1, \"findings\": [\n  {\"rule\": 3}\n]}\n",
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("invalid baseline") && r.stderr.contains("baseline.json:2:"),
        "{}",
        r.stderr
    );
}
