//! The evidence report for auditors: Markdown, and self-contained HTML rendered in a real browser.
use crate::common::*;
use std::path::Path;
use std::process::Command;

fn leaky_repo() -> (Repo, String) {
    let repo = Repo::bare();
    repo.write("src/app.py", "ADMIN = 'ops@example.com'\n")
        .write("README.md", "# svc\n");
    let sha = repo.commit("init").to_string();
    (repo, sha)
}

#[test]
fn markdown_report_has_every_control_with_status_and_evidence() {
    let (repo, sha) = leaky_repo();
    let r = run(&["check", "--offline", "--format", "markdown"], repo.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let md = &r.stdout;
    assert!(md.contains(&format!("| Commit | `{sha}` |")), "{md}");
    assert!(
        md.contains("| Nothing test-only reaches production | **FAIL** | 1 |"),
        "{md}"
    );
    assert!(
        md.contains("| error | `data/reserved-email` | `src/app.py:1:10` |"),
        "{md}"
    );
    assert!(md.contains("Files: 2 in the tree, 2 scanned"), "{md}");
    // A control without evidence is never reported as passed.
    assert!(
        !md.contains("| Deployment branches are protected | **PASS**"),
        "{md}"
    );
}

#[test]
fn a_clean_repository_passes_the_test_data_control() {
    let repo = Repo::new();
    repo.write("src/app.py", "ADMIN = os.environ['ADMIN']\n");
    repo.commit("init");
    let r = run(&["check", "--offline", "--format", "markdown"], repo.path());
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .contains("| Nothing test-only reaches production | **PASS** | 0 |"),
        "{}",
        r.stdout
    );
}

fn browser() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Render a page headless and return the DOM after parsing.
fn render_dom(browser: &str, page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text a reader sees: tags removed, entities decoded, whitespace folded.
fn visible_text(dom: &str) -> String {
    let body = dom.split("<body>").nth(1).unwrap_or(dom);
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn html_report_is_self_contained_and_renders_in_a_browser() {
    let (repo, sha) = leaky_repo();
    let page = repo.path().join("evidence.html");
    let r = run(
        &[
            "check",
            "--offline",
            "--format",
            "html",
            "--output",
            page.to_str().unwrap(),
        ],
        repo.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    for external in ["<script", "src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(external),
            "the report must be self-contained, found `{external}`"
        );
    }
    let Some(browser) = browser() else {
        assert!(
            std::env::var_os("SHIPGATE_REQUIRE_BROWSER").is_none(),
            "no Chromium found but SHIPGATE_REQUIRE_BROWSER is set"
        );
        eprintln!("skipping the browser half of this test: no chromium on PATH (set SHIPGATE_REQUIRE_BROWSER=1 to require it)");
        return;
    };
    let text = visible_text(&render_dom(browser, &page));
    assert!(text.contains("Deployment-safety evidence report"), "{text}");
    assert!(text.contains(&format!("Commit {sha}")), "{text}");
    assert!(
        text.contains("Nothing test-only reaches production FAIL 1"),
        "{text}"
    );
    assert!(
        text.contains("Deployment branches are protected NOT VERIFIED"),
        "{text}"
    );
    assert!(
        text.contains("error data/reserved-email src/app.py:1:10 Reserved example e-mail address"),
        "{text}"
    );
}

/// A service that imports a test factory from production, with an inline-allowed test card and a rule
/// switched off; `shipgate baseline` then accepts the import.
fn service_with_exceptions() -> Repo {
    let repo = Repo::new();
    repo.write("app/__init__.py", "")
        .write(
            "app/views.py",
            "from tests.factories import make_user\n\n\ndef index():\n    return make_user()\n",
        )
        .write("tests/__init__.py", "")
        .write("tests/factories.py", "def make_user():\n    return {}\n")
        .write(
            "app/pay.py",
            "# shipgate:allow(data/test-card-number) the sandbox card shown on the demo page, never charged\nDEMO_CARD = '4242424242424242'\n",
        )
        .write(
            "shipgate.toml",
            "[rules]\n\"data/lorem-ipsum\" = \"off\"\n\"review/direct-push\" = \"off\"\n",
        );
    repo.commit("service");
    repo
}

#[test]
fn every_accepted_exception_is_listed_under_its_control_with_its_reason() {
    let repo = service_with_exceptions();
    let (code, _) = check_json(repo.path(), &[]);
    assert_eq!(
        code, 1,
        "the test-factory import fails before it is baselined"
    );
    let r = run(&["baseline"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&["check", "--offline", "--format", "markdown"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let md = &r.stdout;
    // Not "PASS, No findings": the verdict says exceptions were accepted, and counts them.
    assert!(
        md.contains(
            "| Nothing test-only reaches production | **PASS WITH ACCEPTED EXCEPTIONS** | 0 | 3 |"
        ),
        "{md}"
    );
    let section = md
        .split("## Nothing test-only reaches production")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert!(!section.contains("No findings."), "{section}");
    // Each accepted finding is a row naming it, what accepted it and why (checked fragment by fragment:
    // the words, whatever Markdown escaping the cells get).
    let row_with = |text: &str, parts: &[&str]| {
        assert!(
            text.lines().any(|l| parts.iter().all(|p| l.contains(p))),
            "no line with {parts:?} in:\n{text}"
        );
    };
    // The baselined import, with the baseline line that accepts it.
    row_with(
        section,
        &[
            "leak/test-import",
            "app/views.py:1:6",
            "| baseline |",
            "accepted in the baseline",
            ".shipgate/baseline.json:",
        ],
    );
    // The inline allow, with its reason and place.
    row_with(
        section,
        &[
            "data/test-card-number",
            "app/pay.py:2:",
            "| inline allow |",
            "the sandbox card shown on the demo page, never charged",
            "app/pay.py:1",
        ],
    );
    // The rule switched off, with where.
    row_with(
        section,
        &[
            "- rule ",
            "data/lorem-ipsum",
            "switched off by",
            "shipgate.toml:2",
            "(default: warning)",
        ],
    );
    // The review rule switched off is listed under review, not here.
    let review = md
        .split("## Code is reviewed before deployment")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    row_with(review, &["review/direct-push", "switched off"]);
    assert!(!section.contains("review/direct-push"), "{section}");

    // The HTML report says the same.
    let page = tempfile::tempdir().unwrap();
    let html_path = page.path().join("r.html");
    let r = run(
        &[
            "check",
            "--offline",
            "--format",
            "html",
            "--output",
            html_path.to_str().unwrap(),
        ],
        repo.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(html_path).unwrap();
    assert!(html.contains(">PASS WITH ACCEPTED EXCEPTIONS<"), "{html}");
    assert!(
        html.contains(
            "<td><code>leak/test-import</code></td><td><code>app/views.py:1:6</code></td>"
        ),
        "{html}"
    );
    assert!(
        html.contains("&quot;the sandbox card shown on the demo page, never charged&quot;"),
        "{html}"
    );

    // Twin: a clean service still reads plain PASS with no exceptions.
    let clean = Repo::new();
    clean.write("app/views.py", "def index():\n    return {}\n");
    clean.commit("c");
    let r = run(
        &["check", "--offline", "--format", "markdown"],
        clean.path(),
    );
    assert!(
        r.stdout
            .contains("| Nothing test-only reaches production | **PASS** | 0 | 0 |"),
        "{}",
        r.stdout
    );
}

#[test]
fn shipgate_baseline_prints_what_it_accepted_rule_by_rule() {
    let repo = service_with_exceptions();
    repo.write(
        "app/more.py",
        "from tests.factories import make_user\nfrom tests.factories import make_user as again\n",
    );
    let r = run(&["baseline"], repo.path());
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("accepted into .shipgate/baseline.json, by rule:"),
        "{}",
        r.stdout
    );
    let line = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("leak/test-import"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    let count: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let entries = std::fs::read_to_string(repo.path().join(".shipgate/baseline.json"))
        .unwrap()
        .matches("\"rule\":\"leak/test-import\"")
        .count();
    assert_eq!(count, entries, "{line}");
    assert!(count >= 2, "{line}");
    assert!(line.contains("app/views.py:1:6"), "{line}");
    assert!(line.contains("app/more.py:1:6"), "{line}");
    // The inline-allowed card is not baselined: it is accepted where it is.
    assert!(!r.stdout.contains("data/test-card-number"), "{}", r.stdout);
}
