//! Production is what production reaches: files production imports, links to or routes to are gated as
//! production whatever their names; test-support endpoints, another package's tests and switches that
//! are on by default are found; naming conventions that hide production files are the ecosystem's real
//! ones, and what they skip is counted. Each shape has a twin that stays quiet.
use crate::common::*;

/// A finding as the JSON report gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub rule: String,
    pub severity: String,
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

pub(crate) fn hits(report: &serde_json::Value) -> Vec<Hit> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Hit {
            rule: f["rule"].as_str().unwrap().to_string(),
            severity: f["severity"].as_str().unwrap().to_string(),
            path: f["location"]["path"].as_str().unwrap_or("").to_string(),
            line: f["location"]["line"].as_u64().unwrap_or(0),
            column: f["location"]["column"].as_u64().unwrap_or(0),
            message: f["message"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// Commit `files` (with the governance files) in a fresh repository and run the gate.
fn gate(files: &[(&str, &str)]) -> (i32, Vec<Hit>, serde_json::Value) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &["--fail-on", "note"]);
    (code, hits(&report), report)
}

/// `(rule, severity, path, line, column)` of every finding.
fn located(found: &[Hit]) -> Vec<(&str, &str, &str, u64, u64)> {
    found
        .iter()
        .map(|h| {
            (
                h.rule.as_str(),
                h.severity.as_str(),
                h.path.as_str(),
                h.line,
                h.column,
            )
        })
        .collect()
}

#[track_caller]
fn quiet(files: &[(&str, &str)]) {
    let (code, found, _) = gate(files);
    assert_eq!((code, found), (0, vec![]));
}

// ---------------------------------------------------------------- blind spots (issue 22, shape 6)

/// Welsh locale files (`cy.json`, `cy.yml`) are production config, not Cypress specs; a Cypress spec
/// (`*.cy.js` under `cypress/`) with the same text is a test.
#[test]
fn welsh_locale_files_are_production_config_not_cypress() {
    let locale = "{\n  \"cyswllt\": \"Cysylltwch â ni\",\n  \"contact\": \"test@example.com\"\n}\n";
    let (_, found, _) = gate(&[
        ("app/locales/cy.json", locale),
        (
            "app/locales/en.json",
            "{\n  \"contact\": \"Contact us\"\n}\n",
        ),
    ]);
    assert_eq!(
        located(&found),
        vec![(
            "data/reserved-email",
            "warning",
            "app/locales/cy.json",
            3,
            15
        )]
    );
    let spec = "it('signs in', () => {\n  cy.get('#email').type('test@example.com')\n})\n";
    quiet(&[("cypress/e2e/sign-in.cy.js", spec)]);
}

/// A Java package named `testdata` in the production source set ships in the jar: its test data is
/// production's. The same package under `src/test/java` is test code.
#[test]
fn a_testdata_package_in_the_production_source_set_is_production() {
    let people = "package uk.gov.api.testdata;\n\npublic class People {\n    static final String NINO = \"QQ123456C\";\n}\n";
    let (code, found, _) = gate(&[("src/main/java/uk/gov/api/testdata/People.java", people)]);
    assert_eq!(
        located(&found),
        vec![(
            "data/never-issued-nino",
            "error",
            "src/main/java/uk/gov/api/testdata/People.java",
            4,
            33
        )]
    );
    assert_eq!(code, 1);
    quiet(&[("src/test/java/uk/gov/api/testdata/People.java", people)]);
    // Go's `testdata/` is test data wherever it lies.
    quiet(&[
        ("pkg/parse/parse.go", "package parse\n"),
        (
            "pkg/parse/testdata/people.json",
            "{\"nino\": \"QQ123456C\"}\n",
        ),
    ]);
}

/// The summary (human and JSON) says how many files inside production code were skipped as tests, and
/// which convention skipped them; a tree whose tests sit apart says nothing.
#[test]
fn the_summary_counts_files_inside_production_code_skipped_as_tests() {
    let repo = Repo::new();
    repo.write("pkg/parse/parse.go", "package parse\n")
        .write("pkg/parse/parse_test.go", "package parse\n")
        .write("pkg/parse/testdata/a.json", "{}\n")
        .write("pkg/parse/testdata/b.json", "{}\n")
        .write("tests/test_top.py", "def test_x(): pass\n")
        .write("app/main.py", "print(1)\n");
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    assert_eq!(
        report["summary"]["skipped_as_tests"],
        serde_json::json!({
            "files": 3,
            "reasons": [
                {"reason": "a `testdata/` directory", "files": 2},
                {"reason": "named `*_test.go`", "files": 1},
            ]
        })
    );
    let human = run(&["check", "--offline"], repo.path());
    assert!(
        human.stdout.contains(
            "3 files inside production code as tests (2 in a `testdata/` directory, 1 named `*_test.go`)"
        ),
        "{}",
        human.stdout
    );

    let apart = Repo::new();
    apart
        .write("app/main.py", "print(1)\n")
        .write("tests/test_main.py", "def test_x(): pass\n");
    apart.commit("c");
    let (_, report) = check_json(apart.path(), &[]);
    assert_eq!(report["summary"]["skipped_as_tests"]["files"], 0);
    let human = run(&["check", "--offline"], apart.path());
    assert!(!human.stdout.contains("as tests"), "{}", human.stdout);
}

// ---------------------------------------------------------------- hostile names and bytes (issue 21, family 2)

/// Write a file whose name is raw bytes.
fn write_bytes(repo: &Repo, rel: &[u8], content: &[u8]) {
    use std::os::unix::ffi::OsStrExt;
    let p = repo.path().join(std::ffi::OsStr::from_bytes(rel));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// A tracked, gitignored production `.env` in a directory whose name is not UTF-8 (`deploy/\xff/`) is
/// gated although a decoy beside it (`deploy/\u{fffd}/.env`, the name a lossy conversion gives) is
/// walked: files are keyed by their exact bytes. Without the decoy it is gated the same.
#[test]
fn a_decoy_whose_lossy_name_collides_does_not_hide_a_tracked_env() {
    for decoy in [true, false] {
        let repo = Repo::new();
        write_bytes(&repo, b"deploy/\xff/.env", b"DEBUG=true\n");
        if decoy {
            write_bytes(&repo, "deploy/\u{fffd}/.env".as_bytes(), b"PORT=80\n");
        }
        repo.write(
            ".gitignore",
            "deploy/*/.env\n!deploy/\u{fffd}/.env\n".as_bytes(),
        );
        git(repo.path(), &["add", "-f", "-A"]);
        repo.commit("c");
        let (code, found, _) = {
            let (code, report) = check_json(repo.path(), &[]);
            (code, hits(&report), report)
        };
        assert_eq!(
            located(&found),
            vec![("switch/debug-enabled", "error", "deploy/\\xff/.env", 1, 1)],
            "decoy {decoy}"
        );
        assert_eq!(code, 1);
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// `.gitattributes` `working-tree-encoding=UTF-16LE` makes git check a config file out as UTF-16, with
/// NUL bytes: it is decoded by its content and gated, with spans in its text. A UTF-16 file with nothing
/// wrong passes, and a binary file stays skipped as binary.
#[test]
fn a_utf16_checkout_of_a_config_file_is_decoded_and_gated() {
    let repo = Repo::new();
    repo.write(
        ".gitattributes",
        "app/settings.py working-tree-encoding=UTF-16LE\n",
    )
    .write(
        "app/settings.py",
        utf16le("SECRET = env('S')\nDEBUG = True\n"),
    )
    .write("app/ok.py", utf16le("DEBUG = False\n"))
    .write(
        "app/blob.py",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0DEBUG = True\n",
    );
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        located(&hits(&report)),
        vec![("switch/debug-enabled", "error", "app/settings.py", 2, 1)]
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["skipped_binary"], 1, "{report:#}");
}

// ---------------------------------------------------------------- what production reaches is production

/// A production file replaced by a symbolic link to a new file under `docs/`: the target is gated as
/// the production file it stands for, and its finding says so. The same file under `docs/` without the
/// link, or linked from documentation, is documentation.
#[test]
fn a_production_file_that_is_a_link_into_docs_gates_its_target() {
    // Also when `.gitignore` names the link and it was committed anyway.
    for ignored in [false, true] {
        let repo = Repo::new();
        repo.write("docs/settings.py", "SECRET_KEY = env('K')\nDEBUG = True\n")
            .write("app/__init__.py", "");
        if ignored {
            repo.write(".gitignore", "app/settings.py\n");
        }
        std::os::unix::fs::symlink("../docs/settings.py", repo.path().join("app/settings.py"))
            .unwrap();
        git(repo.path(), &["add", "-f", "-A"]);
        repo.commit("c");
        let (code, report) = check_json(repo.path(), &["--fail-on", "note"]);
        let found = hits(&report);
        assert_eq!(
            located(&found),
            vec![("switch/debug-enabled", "error", "docs/settings.py", 2, 1)],
            "ignored {ignored}"
        );
        assert!(
            found[0].message.contains(
                "the target of `app/settings.py`, a symbolic link where production code is"
            ),
            "{}",
            found[0].message
        );
        assert_eq!(code, 1);
        assert_eq!(report["summary"]["reached_gated"], 1);
        assert_eq!(report["summary"]["symlinks"], 1);
    }

    let twin = Repo::new();
    twin.write("docs/settings.py", "DEBUG = True\n")
        .write("docs/index.md", "# Docs\n");
    std::os::unix::fs::symlink("index.md", twin.path().join("docs/README.md")).unwrap();
    twin.commit("c");
    let (code, report) = check_json(twin.path(), &["--fail-on", "note"]);
    assert_eq!((code, hits(&report)), (0, vec![]));
}

/// Production code importing a module whose *name* makes it non-production (`app/examples/`, `demo/`,
/// dev settings, a module named like documentation) makes it production: it is gated, and so is what
/// it imports in turn. The same modules, not imported, stay documentation and dev config.
#[test]
fn modules_named_as_docs_or_dev_that_production_imports_are_gated() {
    let tree: Vec<(&str, &str)> = vec![
        ("app/__init__.py", ""),
        ("app/examples/__init__.py", ""),
        (
            "app/examples/seed.py",
            "from docs.more import MORE\nPEOPLE = [\"QQ123456C\"]\n",
        ),
        ("docs/more.py", "MORE = [\"QQ123457C\"]\n"),
        ("demo/data.js", "module.exports = { nino: 'QQ123458C' };\n"),
        ("app/settings/__init__.py", ""),
        ("app/settings/dev.py", "DEBUG = True\n"),
    ];
    let importers: Vec<(&str, &str)> = vec![
        (
            "app/views.py",
            "from app.examples.seed import PEOPLE\n\ndef people():\n    return PEOPLE\n",
        ),
        ("src/server.js", "const demo = require('../demo/data');\n"),
        ("app/settings/production.py", "from .dev import *\n"),
    ];
    let mut files = tree.clone();
    files.extend(importers.iter().copied());
    let (code, found, report) = gate(&files);
    assert_eq!(
        located(&found),
        vec![
            (
                "data/never-issued-nino",
                "error",
                "app/examples/seed.py",
                2,
                12
            ),
            ("switch/debug-enabled", "error", "app/settings/dev.py", 1, 1),
            ("data/never-issued-nino", "error", "demo/data.js", 1, 27),
            ("data/never-issued-nino", "error", "docs/more.py", 1, 10),
        ]
    );
    let seed = &found[0].message;
    assert!(
        seed.contains("production code reaches it: `app/views.py:1`; named as docs"),
        "{seed}"
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["reached_gated"], 4);
    quiet(&tree);
}

/// A repository with a submodule at `lib/sso` (checked out), whose `client.py` has test data in it;
/// and the submodule's origin.
fn with_submodule(app: &str) -> (Repo, Repo) {
    let sub = Repo::new();
    sub.write("client.py", "def login():\n    return \"QQ123456C\"\n");
    sub.commit("sso");
    let repo = Repo::new();
    repo.write("app/__init__.py", "").write("app/auth.py", app);
    let url = sub.path().to_str().unwrap();
    git(
        repo.path(),
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            url,
            "lib/sso",
        ],
    );
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "c"]);
    (repo, sub)
}

/// A submodule added and imported by production: the gate cannot read it, so it fails closed (exit 2)
/// at the import. A submodule nothing in production imports is only counted.
#[test]
fn production_importing_a_submodule_fails_closed() {
    let (repo, _origin) = with_submodule("from lib.sso.client import login\n");
    let (code, report) = check_json(repo.path(), &[]);
    let found = hits(&report);
    assert_eq!(
        located(&found),
        vec![("gate/unevaluated-reach", "error", "app/auth.py", 1, 6)],
        "{report:#}"
    );
    assert!(found[0].message.contains("from the submodule `lib/sso`"));
    assert_eq!(code, 2, "could not evaluate: exit 2");
    assert_eq!(report["summary"]["nested_repositories"], 1);

    let (repo, _origin) = with_submodule("from app import settings\n");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!((code, hits(&report)), (0, vec![]));
    assert_eq!(report["summary"]["nested_repositories"], 1);
}

// ---------------------------------------------------------------- test-support endpoints (issue 22, shape 1)

const EXPRESS_APP: &str = "const express = require('express')\nconst app = express()\nconst router = express.Router()\n\nrouter.post('/test-support/create-claim', async (req, res) => {\n  await db.claims.insert(req.body)\n  res.sendStatus(201)\n})\n\napp.use(router)\napp.use(requireAuth)\nrouter.post('/claims', createClaim)\n";

/// Test-support endpoints reachable in production, through each framework: unguarded, an error (and it
/// says how it bypasses authentication or CSRF); behind a flag, a note naming the flag and its default
/// (a warning when it also bypasses authentication); product routes with "test" in them stay quiet.
#[test]
fn test_support_endpoints_reachable_in_production() {
    let (code, found, _) = gate(&[("src/app.js", EXPRESS_APP)]);
    assert_eq!(
        located(&found),
        vec![("leak/test-route", "error", "src/app.js", 5, 14)]
    );
    assert!(
        found[0].message.contains("`POST /test-support/create-claim` served in production, unguarded; it bypasses authentication or CSRF protection (registered before `app.use(requireAuth)`)"),
        "{}",
        found[0].message
    );
    assert_eq!(code, 1);

    // Behind a flag that is off unless set: a note naming it, raised to a warning for the bypass.
    let guarded = EXPRESS_APP.replace(
        "router.post('/test-support/create-claim', async (req, res) => {\n  await db.claims.insert(req.body)\n  res.sendStatus(201)\n})\n",
        "if (process.env.ENABLE_TEST_SUPPORT === 'true') {\n  router.post('/test-support/create-claim', createTestClaim)\n}\n",
    );
    let (_, found, _) = gate(&[("src/app.js", &guarded)]);
    assert_eq!(
        located(&found),
        vec![("leak/test-route", "warning", "src/app.js", 6, 16)]
    );
    assert!(
        found[0].message.contains("behind `process.env.ENABLE_TEST_SUPPORT === 'true'` (line 5; `ENABLE_TEST_SUPPORT`, off unless set)"),
        "{}",
        found[0].message
    );
    // A flag that is on unless production turns it off is no guard.
    let on = guarded.replace("=== 'true'", "!== 'false'");
    let (_, found, _) = gate(&[("src/app.js", &on)]);
    assert_eq!(
        located(&found),
        vec![("leak/test-route", "error", "src/app.js", 6, 16)]
    );
    assert!(
        found[0].message.contains("on by default"),
        "{}",
        found[0].message
    );

    // Product routes that merely contain the word: an MOT test, a driving test centre.
    quiet(&[(
        "src/app.js",
        "router.get('/mot-test/:id/results', results)\nrouter.post('/test-centres/search', search)\napp.use('/testimonials', testimonialsRouter)\n",
    )]);
}

#[test]
fn flask_django_and_rails_test_routes() {
    let flask = "from flask import Flask\nfrom app.extensions import csrf\n\napp = Flask(__name__)\n\n@app.route(\"/__test__/login\", methods=[\"POST\"])\n@csrf.exempt\ndef test_login():\n    return sign_in_as(request.form[\"email\"])\n";
    let django = "from django.urls import path\nfrom django.conf import settings\n\nurlpatterns = [\n    path(\"claims/\", views.claims),\n    path(\"test-support/reset/\", views.reset),\n]\nif settings.DEBUG:\n    urlpatterns += [path(\"__test__/seed/\", views.seed)]\n";
    let rails = "Rails.application.routes.draw do\n  resources :claims\n  namespace :test_support do\n    post :sign_in\n  end\n  if Rails.env.test?\n    mount TestSupport::Engine => \"/test\"\n  end\nend\n";
    let (_, found, _) = gate(&[
        ("app/__init__.py", flask),
        ("project/urls.py", django),
        ("config/routes.rb", rails),
    ]);
    assert_eq!(
        located(&found),
        vec![
            ("leak/test-route", "error", "app/__init__.py", 6, 13),
            ("leak/test-route", "error", "config/routes.rb", 3, 14),
            ("leak/test-route", "note", "config/routes.rb", 7, 11),
            ("leak/test-route", "error", "project/urls.py", 6, 11),
            ("leak/test-route", "note", "project/urls.py", 9, 27),
        ]
    );
    assert!(
        found[0].message.contains("(`@csrf.exempt`)"),
        "{}",
        found[0].message
    );
    assert!(
        found[2]
            .message
            .contains("only outside production: behind `Rails.env.test?`"),
        "{}",
        found[2].message
    );
    quiet(&[(
        "config/routes.rb",
        "Rails.application.routes.draw do\n  resources :tests\n  get \"/driving-test/book\", to: \"bookings#new\"\nend\n",
    )]);
}

/// Play keeps test-only routes apart: safe while the shipped `conf/application.conf` selects
/// `prod.Routes` and the production routes include neither the test-only router nor its controllers.
#[test]
fn play_test_only_routes_stay_out_of_the_production_router() {
    let test_only = "->      /                     prod.Routes\nGET     /test-only/reset      uk.gov.hmrc.claims.testOnly.controllers.TestOnlyController.reset()\n";
    let safe = vec![
        ("conf/application.conf", "appName = \"claims\"\nplay.http.router = prod.Routes\n"),
        ("conf/prod.routes", "->      /claims               app.Routes\n"),
        ("conf/app.routes", "GET     /                     uk.gov.hmrc.claims.controllers.ClaimsController.show()\n"),
        ("conf/testOnlyDoNotUseInAppConf.routes", test_only),
        ("app/uk/gov/hmrc/claims/testOnly/controllers/TestOnlyController.scala", "package uk.gov.hmrc.claims.testOnly.controllers\n\nclass TestOnlyController {\n  def reset() = ???\n}\n"),
    ];
    quiet(&safe);

    let mut routed = safe.clone();
    routed[0] = (
        "conf/application.conf",
        "appName = \"claims\"\nplay.http.router = testOnlyDoNotUseInAppConf.Routes\n",
    );
    routed[1] = ("conf/prod.routes", "->      /claims               app.Routes\n+ nocsrf\nPOST    /reset                uk.gov.hmrc.claims.testOnly.controllers.TestOnlyController.reset()\n->      /test-only            testOnlyDoNotUseInAppConf.Routes\n");
    let (code, found, _) = gate(&routed);
    assert_eq!(
        located(&found),
        vec![
            ("leak/test-route", "error", "conf/application.conf", 2, 20),
            ("leak/test-route", "error", "conf/prod.routes", 3, 31),
            ("leak/test-route", "error", "conf/prod.routes", 4, 31),
        ]
    );
    assert!(
        found[1].message.contains("(`+ nocsrf`)"),
        "{}",
        found[1].message
    );
    assert_eq!(code, 1);
}

/// Scala's imports are read: production code importing a test-only class of a Play app (under
/// `app/…/testOnly/`), by name, from braces or by wildcard, is a leak; the test that imports it is not.
#[test]
fn scala_production_imports_of_test_only_classes() {
    let model = (
        "app/uk/gov/hmrc/claims/testOnly/models/TestClaim.scala",
        "package uk.gov.hmrc.claims.testOnly.models\n\ncase class TestClaim(nino: String)\n",
    );
    let real = (
        "app/uk/gov/hmrc/claims/models/Claim.scala",
        "package uk.gov.hmrc.claims.models\n\ncase class Claim(id: String)\n",
    );
    let controller = "package uk.gov.hmrc.claims.controllers\n\nimport uk.gov.hmrc.claims.models.Claim\nimport uk.gov.hmrc.claims.testOnly.models.{Other, TestClaim}\n\nclass ClaimsController {\n  import uk.gov.hmrc.claims.testOnly.models._\n}\n";
    let (code, found, _) = gate(&[
        model,
        real,
        (
            "app/uk/gov/hmrc/claims/controllers/ClaimsController.scala",
            controller,
        ),
    ]);
    assert_eq!(
        located(&found),
        vec![
            (
                "leak/test-import",
                "error",
                "app/uk/gov/hmrc/claims/controllers/ClaimsController.scala",
                4,
                51
            ),
            (
                "leak/test-import",
                "error",
                "app/uk/gov/hmrc/claims/controllers/ClaimsController.scala",
                7,
                10
            ),
        ]
    );
    assert_eq!(code, 1);
    quiet(&[
        model,
        real,
        (
            "test/uk/gov/hmrc/claims/ClaimsSpec.scala",
            "package uk.gov.hmrc.claims\n\nimport uk.gov.hmrc.claims.testOnly.models.TestClaim\n\nclass ClaimsSpec\n",
        ),
    ]);
}

// ---------------------------------------------------------------- stand-ins (issue 22 shapes 5 and 7)

/// A stand-in (`*_stub.py`, `mocks/`, `fake_*.rb`) production code imports is judged by how the file
/// uses it: with no condition it runs in production (an error, and the stand-in is gated as production
/// code); chosen by a flag, a warning naming it; only where the environment is not production, or only
/// re-exported (undici's public mocking API), nothing.
#[test]
fn stand_ins_production_imports_are_judged_by_how_they_are_used() {
    let stub = (
        "app/clients/notify_stub.py",
        "class NotifyStub:\n    def send(self, to):\n        return \"QQ123456C\"\n",
    );
    let (code, found, _) = gate(&[
        ("app/__init__.py", ""),
        (
            "app/clients/__init__.py",
            "from app.clients.notify_stub import NotifyStub\n\nclient = NotifyStub()\n",
        ),
        stub,
    ]);
    assert_eq!(
        located(&found),
        vec![
            ("leak/stand-in", "error", "app/clients/__init__.py", 1, 6),
            (
                "data/never-issued-nino",
                "error",
                "app/clients/notify_stub.py",
                3,
                17
            ),
        ]
    );
    assert!(
        found[0]
            .message
            .contains("with no condition (line 3): it runs in production"),
        "{}",
        found[0].message
    );
    assert_eq!(code, 1);

    // Chosen by a setting: a warning naming it; the stub is not production's unless chosen.
    let (code, found, _) = gate(&[
        ("app/__init__.py", ""),
        ("app/clients/__init__.py", "from app.clients.notify_stub import NotifyStub\n\nclient = NotifyStub() if settings.USE_NOTIFY_STUB else Notify()\n"),
        stub,
    ]);
    assert_eq!(
        located(&found),
        vec![("leak/stand-in", "warning", "app/clients/__init__.py", 1, 6)]
    );
    assert!(
        found[0]
            .message
            .contains("chosen behind `settings.USE_NOTIFY_STUB`"),
        "{}",
        found[0].message
    );
    assert_eq!(code, 1, "--fail-on note");

    // JavaScript `mocks/`: used unconditionally, an error; in a development-only branch, nothing.
    let api = (
        "src/mocks/api.js",
        "module.exports.MockApi = () => ({ nino: 'QQ123457C' })\n",
    );
    let (_, found, _) = gate(&[
        api,
        (
            "src/server.js",
            "const { MockApi } = require('./mocks/api')\napp.use(MockApi())\n",
        ),
    ]);
    assert_eq!(
        located(&found),
        vec![
            ("data/never-issued-nino", "error", "src/mocks/api.js", 1, 42),
            ("leak/stand-in", "error", "src/server.js", 1, 30),
        ]
    );
    quiet(&[api, ("src/server.js", "const { MockApi } = require('./mocks/api')\nif (process.env.NODE_ENV === 'development') {\n  app.use(MockApi())\n}\n")]);

    // Ruby: a fake client required and used inside a method — whether production calls the method
    // is decided elsewhere: a warning that says so.
    let (_, found, _) = gate(&[
        ("lib/fake_dvla_client.rb", "class FakeDvlaClient\nend\n"),
        ("app/services/vehicles.rb", "require 'fake_dvla_client'\n\nclass Vehicles\n  def client = FakeDvlaClient.new\nend\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![(
            "leak/stand-in",
            "warning",
            "app/services/vehicles.rb",
            1,
            10
        )]
    );
    assert!(
        found[0].message.contains("inside a function (line 4)"),
        "{}",
        found[0].message
    );

    // A component's story renders it with its mocks: development, not production.
    quiet(&[
        ("src/screens/AddUser/AddUser.svelte", "<form></form>\n"),
        ("src/screens/AddUser/mocks.ts", "export const defaultMock = { nino: 'QQ123458C' }\n"),
        ("src/screens/AddUser/AddUserStory.svelte.ts", "import AddUser from './AddUser.svelte'\nimport { defaultMock } from './mocks'\nexport default { component: AddUser, mocks: [defaultMock] }\n"),
    ]);
}

// ---------------------------------------------------------------- one idiom, one region (issue 22, shape 7)

/// Each idiom that says "not production" covers its region only: the rest of the file is judged.
#[test]
fn one_idiom_does_not_exempt_a_whole_file() {
    let factories = ("tests/factories.py", "def make_user():\n    pass\n");
    // Every generated wsgi.py defaults the settings module; a default decides nothing.
    let (_, found, _) = gate(&[
        factories,
        ("config/wsgi.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.local\")\nfrom tests.factories import make_user\napplication = get_wsgi_application()\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![("leak/test-import", "error", "config/wsgi.py", 3, 6)]
    );
    // A script that forces the test settings on is test tooling from there on.
    quiet(&[
        factories,
        ("scripts/seed_local.py", "import os\nos.environ[\"DJANGO_SETTINGS_MODULE\"] = \"config.settings.test\"\nfrom tests.factories import make_user\n"),
    ]);

    // A controller refusing production covers its own class, not its neighbour.
    let (_, found, _) = gate(&[(
        "app/controllers/previews_controller.rb",
        "class PreviewsController < ApplicationController\n  before_action -> { raise ActiveRecord::RecordNotFound if Rails.env.production? }\n  def show\n    @nino = \"QQ123456C\"\n  end\nend\n\nclass ClaimsController < ApplicationController\n  def show\n    @nino = \"QQ123457C\"\n  end\nend\n",
    )]);
    assert_eq!(
        located(&found),
        vec![(
            "data/never-issued-nino",
            "error",
            "app/controllers/previews_controller.rb",
            10,
            14
        )]
    );

    // An optional profiler and the development server under `__main__`: that block only.
    let (_, found, _) = gate(&[
        factories,
        ("app.py", "from werkzeug.middleware.profiler import ProfilerMiddleware\nfrom tests.factories import make_user\n\napp = create_app()\n\nif __name__ == \"__main__\":\n    if os.environ.get(\"PROFILE\"):\n        app.wsgi_app = ProfilerMiddleware(app.wsgi_app)\n    app.run(debug=True)\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![("leak/test-import", "error", "app.py", 2, 6)]
    );
    // Without a profiler, the server started there with debug on is judged like any line (some
    // services are started that way).
    let (_, found, _) = gate(&[(
        "app.py",
        "app = Flask(__name__)\n\nif __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", debug=True)\n",
    )]);
    assert_eq!(
        located(&found),
        vec![("switch/debug-enabled", "error", "app.py", 4, 27)]
    );

    // One write into the test tree does not make every read of test data maintenance.
    let (_, found, _) = gate(&[
        ("spec/fixtures/people.yml", "- QQ123456C\n"),
        ("app/lib/people.rb", "File.write(Rails.root.join(\"test/tmp/last_run.txt\"), Time.now.to_s)\nPEOPLE = YAML.load_file(Rails.root.join(\"spec/fixtures/people.yml\"))\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![("leak/fixture-read", "error", "app/lib/people.rb", 2, 42)]
    );
}

/// A generator's placeholder is one only on the line the generator writes; SQL's `LIKE` is a query,
/// not the prose "like name@example.com" that makes an address example text.
#[test]
fn literal_values_and_sql_like_are_not_example_text_everywhere() {
    let (_, found, _) = gate(&[
        ("app/mailers/application_mailer.rb", "class ApplicationMailer < ActionMailer::Base\n  default from: \"from@example.com\"\nend\n"),
        ("config/initializers/devise.rb", "Devise.setup do |config|\n  config.mailer_sender =\n    \"please-change-me-at-config-initializers-devise@example.com\"\nend\n"),
        ("app/settings.py", "EMAIL_FROM = \"from@example.com\"\n"),
        ("app/purge.py", "def purge(cursor):\n    cursor.execute(\"DELETE FROM users WHERE email LIKE 'test%@example.com'\")\n"),
        ("app/forms.py", "HINT = \"Enter an address like name@example.com\"\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![
            (
                "data/reserved-email",
                "note",
                "app/mailers/application_mailer.rb",
                2,
                18
            ),
            ("data/reserved-email", "warning", "app/purge.py", 2, 57),
            ("data/reserved-email", "error", "app/settings.py", 1, 15),
            (
                "data/reserved-email",
                "note",
                "config/initializers/devise.rb",
                3,
                6
            ),
        ]
    );
}

// ---------------------------------------------------------------- switches on by default (issue 22, shape 5)

const E2E_AUTH: &str = "function authenticate(req, res, next) {\n  if (process.env.E2E_TEST_MODE === 'true') {\n    req.user = { id: 'e2e-user' }\n    return next()\n  }\n  return passport.authenticate('oidc')(req, res, next)\n}\n";

/// Non-production modes on by default: warnings naming the default and where production must
/// override it; the same code with production's setting in place stays quiet.
#[test]
fn switches_on_by_default() {
    let (_, found, _) = gate(&[
        ("Dockerfile", "FROM node:20\nCMD [\"node\", \"src/server.js\"]\n"),
        ("src/config.js", "const env = process.env.NODE_ENV || 'development'\n"),
        ("src/auth.js", E2E_AUTH),
        ("conf/application.conf", "appName = \"enrolment\"\nenrolment-stubs.enabled = true\n"),
        ("config/environments/production.rb", "Rails.application.configure do\n  config.consider_all_requests_local = true\nend\n"),
        ("config/wsgi.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.local\")\napplication = get_wsgi_application()\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![
            (
                "leak/nonprod-default",
                "warning",
                "conf/application.conf",
                2,
                1
            ),
            (
                "leak/nonprod-default",
                "warning",
                "config/environments/production.rb",
                2,
                3
            ),
            ("leak/nonprod-default", "warning", "config/wsgi.py", 2, 50),
            ("leak/nonprod-default", "warning", "src/auth.js", 3, 5),
            ("leak/nonprod-default", "warning", "src/config.js", 1, 38),
        ]
    );
    let says = |i: usize, text: &str| {
        assert!(found[i].message.contains(text), "{}", found[i].message);
    };
    says(4, "`NODE_ENV` defaults to `development` when unset");
    says(3, "guarded only behind `process.env.E2E_TEST_MODE === 'true'` (line 2; `E2E_TEST_MODE`, off unless set)");
    says(0, "`enrolment-stubs.enabled` = true");

    // A login bypass on unless production turns it off is an error.
    let (_, found, _) = gate(&[(
        "src/auth.js",
        &E2E_AUTH.replace("=== 'true'", "!== 'false'"),
    )]);
    assert_eq!(
        located(&found),
        vec![("leak/nonprod-default", "error", "src/auth.js", 3, 5)]
    );

    // A library that deploys nothing: its default is its users' to set (Express's own `env`).
    quiet(&[
        (
            "lib/application.js",
            "var env = process.env.NODE_ENV || 'development'\n",
        ),
        ("package.json", "{\n  \"name\": \"framework\"\n}\n"),
    ]);
    // A package started as a Node server is a service even when its deployment files live elsewhere:
    // its default is production's.
    let (_, found, _) = gate(&[
        (
            "lib/config.js",
            "module.exports = { NODE_ENV: config.NODE_ENV || 'development' }\n",
        ),
        (
            "package.json",
            "{\n  \"name\": \"claims\",\n  \"scripts\": {\n    \"start\": \"node server.js\"\n  }\n}\n",
        ),
        ("server.js", "require('./lib/config')\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![("leak/nonprod-default", "warning", "lib/config.js", 1, 50)]
    );

    // Twins: the deployment sets NODE_ENV and the settings module; the bypass only in tests; stubs off;
    // production's own values.
    quiet(&[
        ("src/config.js", "const env = process.env.NODE_ENV || 'development'\n"),
        ("Dockerfile", "FROM node:20\nENV NODE_ENV=production\nENV DJANGO_SETTINGS_MODULE=config.settings.production\n"),
        ("src/auth.js", &E2E_AUTH.replace("process.env.E2E_TEST_MODE === 'true'", "process.env.NODE_ENV === 'test'")),
        ("conf/application.conf", "appName = \"enrolment\"\nenrolment-stubs.enabled = false\n"),
        ("conf/application-local.conf", "enrolment-stubs.enabled = true\n"),
        ("config/environments/production.rb", "Rails.application.configure do\n  config.consider_all_requests_local = false\nend\n"),
        ("config/wsgi.py", "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.local\")\napplication = get_wsgi_application()\n"),
    ]);
}

// ---------------------------------------------------------------- another package's tests (issue 22, shape 4)

/// A module the server loads importing a dependency's test helpers, or a workspace sibling's `test/`:
/// test code, not the package's API. Its public entry points, and the same import from a test, pass.
#[test]
fn imports_into_another_packages_tests() {
    let (code, found, _) = gate(&[
        ("packages/shared/package.json", "{\"name\": \"@acme/shared\", \"main\": \"lib/index.js\"}\n"),
        ("packages/shared/lib/index.js", "module.exports = {}\n"),
        ("packages/shared/test/factories.js", "module.exports.claim = () => ({})\n"),
        ("packages/server/src/app.js", "import { sign } from 'some-dependency/test/helpers/sign.js'\nconst { claim } = require('@acme/shared/test/factories')\nconst shared = require('@acme/shared')\n"),
        ("app/notify.py", "from notifications_utils.tests.fixtures import template\n"),
    ]);
    assert_eq!(
        located(&found),
        vec![
            ("leak/test-import", "error", "app/notify.py", 1, 6),
            (
                "leak/test-import",
                "error",
                "packages/server/src/app.js",
                1,
                23
            ),
            (
                "leak/test-import",
                "error",
                "packages/server/src/app.js",
                2,
                28
            ),
        ]
    );
    assert!(
        found[1]
            .message
            .contains("the `test/` of the package `some-dependency`"),
        "{}",
        found[1].message
    );
    assert_eq!(code, 1);
    quiet(&[
        ("packages/server/test/app.test.js", "import { sign } from 'some-dependency/test/helpers/sign.js'\n"),
        ("packages/server/src/app.js", "const shared = require('@acme/shared')\nconst { run } = require('some-dependency/lib/runner')\n"),
        ("app/notify.py", "from notifications_utils.template import Template\n"),
    ]);
}

// ---------------------------------------------------------------- roots: what production runs

/// What a Procfile, a Dockerfile's `CMD` or a package's `main`/`start` runs is production whatever its
/// name: a demo server is gated as production code, a test server run in production is a leak. The same
/// files, run by nothing, are documentation and tests.
#[test]
fn what_production_runs_is_production() {
    let files = [
        ("demo/server.js", "module.exports = { nino: 'QQ123456C' }\n"),
        (
            "tests/fake_api.js",
            "require('http').createServer().listen(3001)\n",
        ),
        (
            "examples/index.js",
            "module.exports = { nino: 'QQ123457C' }\n",
        ),
    ];
    quiet(&files);
    let mut run = files.to_vec();
    run.extend([
        ("Procfile", "web: node demo/server.js\n"),
        ("Dockerfile", "FROM node:20\nWORKDIR /app\nENV NODE_ENV=production\nCMD [\"node\", \"/app/tests/fake_api.js\"]\n"),
        ("package.json", "{\n  \"name\": \"svc\",\n  \"main\": \"examples/index.js\"\n}\n"),
    ]);
    let (code, found, _) = gate(&run);
    assert_eq!(
        located(&found),
        vec![
            ("leak/test-import", "error", "Dockerfile", 4, 15),
            ("data/never-issued-nino", "error", "demo/server.js", 1, 27),
            (
                "data/never-issued-nino",
                "error",
                "examples/index.js",
                1,
                27
            ),
        ]
    );
    assert!(
        found[0]
            .message
            .contains("runs `tests/fake_api.js` (test code) in production"),
        "{}",
        found[0].message
    );
    assert!(
        found[1]
            .message
            .contains("production code reaches it: `Procfile:1`"),
        "{}",
        found[1].message
    );
    assert_eq!(code, 1);
}

/// What production reads is production, except an API description it serves: its `example` values are
/// documentation wherever they are served from. The same read of a data file under `docs/` is gated.
#[test]
fn an_api_description_production_serves_is_still_documentation() {
    let spec = (
        "swagger/v1/api_spec.json",
        "{\"example\": {\"email\": \"jane@example.com\", \"nino\": \"QQ123456C\"}}\n",
    );
    quiet(&[
        spec,
        (
            "config/initializers/rswag.rb",
            "SPEC = File.read(Rails.root.join(\"swagger/v1/api_spec.json\"))\n",
        ),
    ]);
    let (_, found, _) = gate(&[
        ("docs/people.json", "{\"nino\": \"QQ123456C\"}\n"),
        (
            "app/lib/people.rb",
            "PEOPLE = File.read(Rails.root.join(\"docs/people.json\"))\n",
        ),
    ]);
    assert_eq!(
        located(&found),
        vec![("data/never-issued-nino", "error", "docs/people.json", 1, 11)]
    );
}
