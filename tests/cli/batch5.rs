//! Held-out batch 5: each class of missed leak or false finding, rebuilt from a small made-up repository
//! of the same shape, next to the twin that must still be reported (or stay quiet).
use crate::common::*;

/// `(rule, severity, path, line, column)` of a finding.
type Row = (String, String, String, u64, u64);

/// The `leak/` findings as rows, and the report.
fn gate(files: &[(&str, &str)]) -> (Vec<Row>, serde_json::Value) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &["--fail-on", "note"]);
    let mut found: Vec<Row> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["location"]["path"].as_str().unwrap_or("").to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .filter(|(rule, ..)| rule.starts_with("leak/"))
        .collect();
    found.sort_by(|a, b| (&a.2, a.3, a.4).cmp(&(&b.2, b.3, b.4)));
    (found, report)
}

fn row(rule: &str, severity: &str, path: &str, line: u64, column: u64) -> Row {
    (
        rule.to_string(),
        severity.to_string(),
        path.to_string(),
        line,
        column,
    )
}

const DOCKERFILE: &str =
    "FROM node:22\nCOPY src/server.js /app/src/\nCMD [\"node\", \"/app/src/server.js\"]\n";

const SETTINGS_JS: &str = "module.exports = {\n  port: process.env.PORT || '3000',\n  host: process.env.HOST || 'localhost',\n  logLevel: process.env.LOG_LEVEL || 'info',\n  api: process.env.CASES_API_URL || 'https://api.example.gov.uk',\n  feed: process.env.FEED_CHANNEL || 'latest',\n  signingKey: process.env.SIGNING_KEY || 'dummy-signing-key-for-the-testrun',\n  reportsInbox: process.env.REPORTS_INBOX ?? \"qatestinbox.check@mail.example\"\n}\n";

/// A production setting whose fallback is a test value is a switch on by default: a warning naming the
/// variable and the fallback, in JavaScript, Python and Ruby; ordinary defaults, test files, files only
/// tests load, lookups only other environments run, and variables a deployment file sets stay quiet.
#[test]
fn a_production_setting_falling_back_to_a_test_value_is_on_by_default() {
    let (found, report) = gate(&[
        ("Dockerfile", DOCKERFILE),
        ("src/settings.js", SETTINGS_JS),
        (
            "app/notify.py",
            "import os\n\nNOTIFY_KEY = os.getenv(\"NOTIFY_KEY\", \"fake-notify-key\")\nTIMEOUT = os.getenv(\"NOTIFY_TIMEOUT\", \"30\")\n",
        ),
        (
            "app/lib/support_auth.rb",
            "class SupportAuth\n  PASSWORD = ENV.fetch(\"SUPPORT_PASSWORD\", \"test\")\n  REALM = ENV.fetch(\"SUPPORT_REALM\", \"Support\")\nend\n",
        ),
        // Twins: a test file, a file only the tests load, a lookup only the test environment runs.
        (
            "src/settings.test.js",
            "process.env.SIGNING_KEY = process.env.SIGNING_KEY || 'dummy-signing-key-for-the-testrun'\n",
        ),
        (
            "src/test-setup.js",
            "global.key = process.env.SIGNING_KEY || 'dummy-signing-key-for-the-testrun'\n",
        ),
        (
            "src/crypto.js",
            "let key = process.env.CIPHER_KEY\nif (process.env.NODE_ENV === 'test') {\n  key = process.env.CIPHER_KEY || 'dummy-cipher-key'\n}\nmodule.exports = key\n",
        ),
        // The environment's own name is the environment defaults' finding, reported once.
        ("src/env.js", "const env = process.env.NODE_ENV || 'test'\n"),
    ]);
    assert_eq!(
        found,
        vec![
            row(
                "leak/nonprod-default",
                "warning",
                "app/lib/support_auth.rb",
                2,
                45
            ),
            row("leak/nonprod-default", "warning", "app/notify.py", 3, 39),
            row("leak/nonprod-default", "warning", "src/env.js", 1, 38),
            row("leak/nonprod-default", "warning", "src/settings.js", 7, 43),
            row("leak/nonprod-default", "warning", "src/settings.js", 8, 47),
        ]
    );
    let msg = message_of(&report, "leak/nonprod-default");
    assert!(
        msg.contains("`SUPPORT_PASSWORD` falls back to the test value `test` when unset"),
        "{msg}"
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(
            "`REPORTS_INBOX` falls back to the test value `qatestinbox.check@mail.example` when unset (a test e-mail address): production runs with it unless its deployment sets REPORTS_INBOX"
        )),
        "{messages:?}"
    );

    // A deployment file that sets the variables: the fallbacks never apply where production runs.
    let (found, _) = gate(&[
        ("Dockerfile", DOCKERFILE),
        ("src/settings.js", SETTINGS_JS),
        (
            "k8s/deployment.yaml",
            "spec:\n  containers:\n    - name: web\n      env:\n        - name: SIGNING_KEY\n          valueFrom:\n            secretKeyRef:\n              name: web-secrets\n              key: signing-key\n        - name: REPORTS_INBOX\n          value: reports@agency.example\n",
        ),
    ]);
    assert_eq!(found, vec![]);

    // A deployment file that sets it to the same test value fixes nothing.
    let (found, _) = gate(&[
        ("Dockerfile", DOCKERFILE),
        ("src/settings.js", SETTINGS_JS),
        (
            "k8s/deployment.yaml",
            "env:\n  - name: SIGNING_KEY\n    value: dummy-signing-key-for-the-testrun\n  - name: REPORTS_INBOX\n    value: reports@agency.example\n",
        ),
    ]);
    assert_eq!(
        found,
        vec![row(
            "leak/nonprod-default",
            "warning",
            "src/settings.js",
            7,
            43
        )]
    );

    // A Helm chart's partial sets them for every manifest that includes it.
    let (found, _) = gate(&[
        ("Dockerfile", DOCKERFILE),
        ("src/settings.js", SETTINGS_JS),
        (
            "helm_deploy/web/templates/_envs.tpl",
            "{{- define \"web.envs\" }}\nenv:\n  - name: SIGNING_KEY\n    valueFrom:\n      secretKeyRef:\n        name: web-secrets\n        key: signingKey\n  - name: REPORTS_INBOX\n    value: {{ .Values.reportsInbox | quote }}\n{{- end }}\n",
        ),
    ]);
    assert_eq!(found, vec![]);

    // A library that deploys nothing: its defaults are its users' to set.
    let (found, _) = gate(&[("lib/settings.js", SETTINGS_JS)]);
    assert_eq!(found, vec![]);
}

/// A package with no production dependencies, no start script, no bin and nothing that publishes it is
/// development tooling: its `main` is not a production entry point. With a dependency it is.
#[test]
fn a_package_of_development_tooling_has_no_production_entry_point() {
    let tooling = "{\n  \"name\": \"casework-ui\",\n  \"version\": \"1.0.0\",\n  \"main\": \"spec/support/runner.js\",\n  \"dependencies\": {},\n  \"devDependencies\": {\n    \"jasmine-core\": \"^5.1.0\",\n    \"karma\": \"^6.4.0\"\n  },\n  \"scripts\": {\n    \"test\": \"karma start --single-run\"\n  }\n}\n";
    let runner = ("spec/support/runner.js", "module.exports = {}\n");
    let (found, _) = gate(&[("package.json", tooling), runner]);
    assert_eq!(found, vec![]);

    let service = tooling.replace(
        "\"dependencies\": {}",
        "\"dependencies\": {\n    \"express\": \"^4.19.0\"\n  }",
    );
    let (found, _) = gate(&[("package.json", &service), runner]);
    assert_eq!(
        found,
        vec![row("leak/test-import", "error", "package.json", 4, 12)]
    );
}

/// A data file named for an environment, imported beside its sibling named for another environment, is
/// per-environment configuration, not test code; a test data file with no such sibling still is.
#[test]
fn per_environment_configuration_is_not_test_code() {
    let worker = "import testSettings from './settings.test.json';\nimport prodSettings from './settings.prod.json';\n\nexport default {\n  fetch(request, env) {\n    const settings = env.TARGET === 'prod' ? prodSettings : testSettings;\n    return Response.redirect(settings.baseUrl);\n  }\n};\n";
    let (found, _) = gate(&[
        ("redirects/src/index.js", worker),
        (
            "redirects/src/settings.test.json",
            "{\"baseUrl\": \"https://test.agency.example\"}\n",
        ),
        (
            "redirects/src/settings.prod.json",
            "{\"baseUrl\": \"https://www.agency.example\"}\n",
        ),
        (
            "redirects/src/users.js",
            "import people from './people.test.json';\nexport const first = () => people[0];\n",
        ),
        ("redirects/src/people.test.json", "[{\"name\": \"Ann\"}]\n"),
    ]);
    assert_eq!(
        found,
        vec![row(
            "leak/test-import",
            "error",
            "redirects/src/users.js",
            1,
            21
        )]
    );
}

/// A `factories/` module among production sources is the domain's factory pattern unless it uses a test
/// factory or fake-data library; the one that uses Faker is still a fixture production imports.
#[test]
fn a_production_factory_module_is_test_data_only_with_a_test_data_library() {
    let (found, _) = gate(&[
        (
            "api/src/factories/applicant/factory.js",
            "const Person = require('./person');\nconst Business = require('./business');\n\nmodule.exports.createApplicant = (kind) => {\n  switch (kind) {\n    case 'person':\n      return new Person();\n    default:\n      return new Business();\n  }\n};\n",
        ),
        ("api/src/factories/applicant/person.js", "module.exports = class Person {};\n"),
        ("api/src/factories/applicant/business.js", "module.exports = class Business {};\n"),
        (
            "api/src/services/applicants.js",
            "const { createApplicant } = require('../factories/applicant/factory');\nmodule.exports.register = (kind) => createApplicant(kind);\n",
        ),
        (
            "api/src/factories/visitor/factory.js",
            "const { faker } = require('@faker-js/faker');\nmodule.exports.createVisitor = () => ({ name: faker.person.fullName() });\n",
        ),
        (
            "api/src/services/visitors.js",
            "const { createVisitor } = require('../factories/visitor/factory');\nmodule.exports.welcome = () => createVisitor();\n",
        ),
    ]);
    assert_eq!(
        found,
        vec![row(
            "leak/fixture-import",
            "error",
            "api/src/services/visitors.js",
            1,
            36
        )]
    );
}

const CACHE_PACKAGE: &str = "{\n  \"name\": \"cases-api\",\n  \"dependencies\": {\n    \"ioredis\": \"^5.4.0\",\n    \"ioredis-mock\": \"^8.9.0\"\n  }\n}\n";

/// A test library production code uses only behind a configuration value is loaded behind that guard:
/// its dependency is a warning naming the flag, not an error; an unguarded load is still an error.
#[test]
fn a_test_dependency_loaded_only_behind_configuration_is_a_warning_naming_the_flag() {
    let guarded = "const Redis = require('ioredis');\nconst {\n  cache: { mode }\n} = require('./config');\nconst RedisMock = require('ioredis-mock');\n\nlet client;\nif (mode === 'memory') {\n  client = new RedisMock();\n} else {\n  client = new Redis();\n}\n\nmodule.exports = client;\n";
    let config = "module.exports = { cache: { mode: process.env.CACHE_MODE } };\n";
    let (found, report) = gate(&[
        ("package.json", CACHE_PACKAGE),
        ("src/cache.js", guarded),
        ("src/config.js", config),
    ]);
    assert_eq!(
        found,
        vec![
            row(
                "leak/test-dependency-loaded",
                "warning",
                "package.json",
                5,
                6
            ),
            row("leak/test-library-import", "warning", "src/cache.js", 5, 28),
        ]
    );
    let msg = message_of(&report, "leak/test-dependency-loaded");
    assert!(
        msg.contains("used only behind `mode === 'memory'` (line 8; the setting `mode`"),
        "{msg}"
    );

    let open = "const RedisMock = require('ioredis-mock');\nmodule.exports = new RedisMock();\n";
    let (found, _) = gate(&[
        ("package.json", CACHE_PACKAGE),
        ("src/cache.js", open),
        ("src/config.js", config),
    ]);
    assert_eq!(
        found,
        vec![
            row("leak/test-dependency-loaded", "error", "package.json", 5, 6),
            row("leak/test-library-import", "warning", "src/cache.js", 1, 28),
        ]
    );
}
