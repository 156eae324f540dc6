//! Secrets hygiene: a full run against the GitHub stand-in, in every output format, over a repository whose
//! production config carries test-data markers on the same lines as (fake) secrets. The findings are all
//! still reported; the GitHub token and the secret values appear in no output and no file shipgate wrote.
use crate::common::*;
use crate::github::{gh, world, TOKEN};
use serde_json::Value;

// Fake secrets, in the formats the redactor knows. Built at run time so this file holds no literal token.
fn fake(prefix: &str, body: &str) -> String {
    format!("{prefix}{body}")
}

struct Secrets {
    github: String,
    aws: String,
    slack: String,
    bearer: String,
    password: String,
    key_body: String,
}

fn secrets() -> Secrets {
    Secrets {
        github: fake("ghp_", "FAKEfake0123456789abcdefABCDEF01234567"),
        aws: fake("AKIA", "FAKEFAKE7EXAMPLE"),
        slack: fake("xoxb-", "1234567890-FAKEfakeFAKEfake"),
        bearer: "eyFAKE.fakepayload.fakesig".into(),
        password: "hunter2-FAKE-pw".into(),
        key_body: "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPfFAKE".into(),
    }
}

impl Secrets {
    fn all(&self) -> [&str; 6] {
        [
            &self.github,
            &self.aws,
            &self.slack,
            &self.bearer,
            &self.password,
            &self.key_body,
        ]
    }
}

/// Each line: a test-data marker shipgate reports, next to a secret it must not repeat.
fn production_config(s: &Secrets) -> String {
    format!(
        "deploy_token: \"{}\"  # DO NOT SHIP\n\
         aws_access_key_id: {}  # TEST ONLY\n\
         slack_token: {}  # alerts to ops@example.com\n\
         auth_header: \"Bearer {}\"  # fake data\n\
         db_password: \"{}\"  # for testing only\n\
         tls_key: |\n\
         \x20 -----BEGIN RSA PRIVATE KEY-----\n\
         \x20 {}\n\
         \x20 -----END RSA PRIVATE KEY----- # TEST ONLY\n",
        s.github, s.aws, s.slack, s.bearer, s.password, s.key_body
    )
}

/// A user rule whose match is the secret itself: its message and evidence quote the match.
const TOKEN_RULE: &str = r#"[[rule]]
id = "acme/hardcoded-deploy-token"
title = "Hard-coded deploy token"
severity = "error"
pattern = 'deploy_token: "[^"]+"'
keywords = ["deploy_token"]
why = "Tokens belong in the secret store."
fix = "Read it from the environment."
example = 'deploy_token: "abc"'
near-miss = ['deploy_token: env']
"#;

fn assert_clean(what: &str, text: &str, s: &Secrets) {
    for secret in s.all().into_iter().chain([TOKEN]) {
        assert!(
            !text.contains(secret),
            "{what} repeats a secret ({secret}):\n{text}"
        );
    }
}

#[test]
fn no_output_format_repeats_a_token_or_a_secret_while_the_findings_are_reported() {
    let s = secrets();
    let w = world();
    w.repo
        .write("config/production.yml", production_config(&s))
        .write(".shipgate/rules/acme.toml", TOKEN_RULE);
    let out = tempfile::tempdir().unwrap();
    let (summary, outputs, sarif_file) = (
        out.path().join("summary.md"),
        out.path().join("outputs.txt"),
        out.path().join("side.sarif"),
    );
    let env = [
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
    ];
    let sarif_arg = sarif_file.to_str().unwrap();
    let mut texts: Vec<(String, String)> = Vec::new();
    for format in ["human", "json", "sarif", "github", "markdown", "html"] {
        let r = gh(
            &w,
            &["check", "--format", format, "--sarif-file", sarif_arg],
            &env,
        );
        assert_eq!(r.code, 1, "{format}: {}\n{}", r.stdout, r.stderr);
        texts.push((format!("{format} stdout"), r.stdout));
        texts.push((format!("{format} stderr"), r.stderr));
    }
    let report_file = out.path().join("evidence.html");
    let r = gh(
        &w,
        &[
            "check",
            "--format",
            "html",
            "--output",
            report_file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 1);
    for (name, path) in [
        ("job summary", &summary),
        ("step outputs", &outputs),
        ("--sarif-file", &sarif_file),
        ("--output evidence report", &report_file),
    ] {
        texts.push((name.into(), std::fs::read_to_string(path).unwrap()));
    }
    for (what, text) in &texts {
        assert_clean(what, text, &s);
    }

    // Every finding is still there, at its place, with its (masked) text.
    let json = &texts.iter().find(|(n, _)| n == "json stdout").unwrap().1;
    let report: Value = serde_json::from_str(json).unwrap();
    let mut got: Vec<(String, u64)> = hits(&report)
        .into_iter()
        .filter(|(_, path, _)| path == "config/production.yml")
        .map(|(rule, _, line)| (rule, line))
        .collect();
    got.sort();
    let want = [
        ("acme/hardcoded-deploy-token", 1),
        ("data/do-not-ship-marker", 1),
        ("data/reserved-email", 3),
        ("data/test-only-marker", 2),
        ("data/test-only-marker", 4),
        ("data/test-only-marker", 5),
        ("data/test-only-marker", 9),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(r, l)| (r.to_string(), *l))
            .collect::<Vec<_>>()
    );
    let masked = format!(
        "deploy_token: \\\"ghp_{}\\\"",
        "*".repeat(s.github.len() - 4)
    );
    assert!(json.contains(&masked), "{json}");
    // The human output still quotes each line, masked to the same length, with the span underlined.
    let human = &texts[0].1;
    assert!(
        human.contains(&format!(
            "aws_access_key_id: AKIA{}  # TEST ONLY",
            "*".repeat(16)
        )),
        "{human}"
    );
    // The private key's body sits next to a grouped `data/` hit (a repeat, listed by line, not quoted):
    // whatever is quoted, the body never shows.
    assert!(!human.contains(&s.key_body), "{human}");
    assert!(human.contains("ops@example.com"), "{human}");
}

#[test]
fn commit_subjects_and_config_diagnostics_are_redacted_too() {
    let s = secrets();
    // A direct push whose subject carries a token: review/direct-push quotes the subject.
    let repo = Repo::new();
    repo.commit_file("src/app.py", "x = 1\n", "Initial layout");
    repo.commit_file(
        "src/app.py",
        "x = 2\n",
        &format!("hotfix: rotate to {}", s.github),
    );
    for format in ["human", "json", "github"] {
        let r = run(&["check", "--offline", "--format", format], repo.path());
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert!(r.stdout.contains("review/direct-push"), "{}", r.stdout);
        assert!(
            r.stdout.contains("hotfix: rotate to ghp_****"),
            "{}",
            r.stdout
        );
        assert_clean(format, &r.stdout, &s);
    }
    // A misplaced key in shipgate.toml: the diagnostic quotes the line, masked.
    repo.write(
        "shipgate.toml",
        format!("[github]\ntoken = \"{}\"\n", s.github),
    );
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown field `token`"), "{}", r.stderr);
    assert!(r.stderr.contains("shipgate.toml:2:"), "{}", r.stderr);
    assert_clean("config diagnostic", &r.stderr, &s);
}

#[test]
fn the_pre_push_hook_redacts_what_it_prints() {
    let s = secrets();
    let remote = Remote::new();
    let p = remote.clone.path();
    remote
        .clone
        .commit_file(".shipgate/rules/acme.toml", TOKEN_RULE, "Token rule (#1)");
    git(p, &["push", "-q", "--no-verify", "origin", "main"]);
    assert_eq!(run(&["hook", "install"], p).code, 0);
    git(p, &["checkout", "-q", "-b", "feature/config"]);
    remote.clone.commit_file(
        "config/production.yml",
        &production_config(&s),
        "Production config",
    );
    let r = remote.push(&["origin", "feature/config"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("acme/hardcoded-deploy-token")
            && r.stderr.contains("deploy_token: \"ghp_****"),
        "{}",
        r.stderr
    );
    assert_clean("pre-push hook", &r.stderr, &s);
}
