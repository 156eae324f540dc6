//! Issue 23, the second precision pass: each class of false finding, stated once, with a made-up instance
//! and a twin that must still be reported.
use crate::common::*;

fn gate(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    check_json(repo.path(), &[])
}

/// (rule, path, line, severity) of the `data/` and `switch/` findings.
fn data(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    located_with_severity(report)
        .into_iter()
        .filter(|f| f.0.starts_with("data/") || f.0.starts_with("switch/"))
        .collect()
}

const SEED_COMMAND: &str = "import yaml\nfrom django.core.management.base import BaseCommand\n\nclass Command(BaseCommand):\n    def handle(self, *args, **options):\n        with open(\"demo_data/manifest.yml\") as f:\n            manifest = yaml.safe_load(f)\n        for name in manifest[\"files\"]:\n            with open(f\"demo_data/{name}.yml\") as data:\n                load(yaml.safe_load(data))\n";
const MANIFEST: &str = "files:\n  - clinics\n";
const CLINICS: &str = "- name: Demo clinic\n  email: clinic@example.com\n  phone: 07700 900 982\n";

/// Class 3: data read only by non-production code is a dev seed — the demo clinics a `nonprod` app's seed
/// command loads, by names it reads from another data file.
#[test]
fn data_read_only_by_a_nonprod_seed_command_is_a_dev_seed() {
    let (code, report) = gate(&[
        ("nonprod/management/commands/seed_demo.py", SEED_COMMAND),
        ("demo_data/manifest.yml", MANIFEST),
        ("demo_data/clinics.yml", CLINICS),
    ]);
    let found = data(&report);
    assert_eq!(
        found,
        vec![
            (
                "data/reserved-email".into(),
                "demo_data/clinics.yml".into(),
                2,
                "note".into()
            ),
            (
                "data/uk-drama-phone".into(),
                "demo_data/clinics.yml".into(),
                3,
                "note".into()
            ),
        ],
        "{report}"
    );
    assert!(message_of(&report, "data/reserved-email")
        .contains("read only by non-production code: nonprod/management/commands/seed_demo.py"));
    assert_eq!(code, 0, "{report}");

    // Twin: production code reads the same manifest, so the clinics are loaded into the live service.
    let (_, report) = gate(&[
        ("nonprod/management/commands/seed_demo.py", SEED_COMMAND),
        ("app/clinics.py", "MANIFEST = \"demo_data/manifest.yml\"\n"),
        ("demo_data/manifest.yml", MANIFEST),
        ("demo_data/clinics.yml", CLINICS),
    ]);
    let severities: Vec<String> = data(&report).into_iter().map(|f| f.3).collect();
    assert_eq!(severities, vec!["warning", "warning"], "{report}");
    // Nor is a data file that nothing is seen to read a dev seed: a name built at run time is invisible.
    let (_, report) = gate(&[("demo_data/clinics.yml", CLINICS)]);
    let severities: Vec<String> = data(&report).into_iter().map(|f| f.3).collect();
    assert_eq!(severities, vec!["warning", "warning"], "{report}");
}

const RAILS_DEV_DEFAULT: &str = "ENV[\"RAILS_ENV\"] ||= \"development\"\n";

/// Class 4: settings for a named non-production environment (integration, UAT, QA) are dev config, in
/// every language's convention; the same switch in production's settings still fails.
#[test]
fn settings_for_named_non_production_environments_are_dev_config() {
    let (code, report) = gate(&[
        ("config/settings/integration.py", "DEBUG = True\n"),
        ("config/environments/uat.rb", RAILS_DEV_DEFAULT),
        (
            "src/main/resources/application-integration.yml",
            "spring:\n  profiles:\n    active: dev\n",
        ),
        ("config/settings/qa.py", "DEBUG = True\n"),
    ]);
    assert_eq!(data(&report), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    // Twins: production's settings, and a settings module that merely configures an integration
    // (`integrations.py`, a feature, not an environment).
    let (code, report) = gate(&[
        ("config/settings/production.py", "DEBUG = True\n"),
        ("config/settings/integrations.py", "DEBUG = True\n"),
        ("config/environments/production.rb", RAILS_DEV_DEFAULT),
        (
            "src/main/resources/application.yml",
            "spring:\n  profiles:\n    active: dev\n",
        ),
    ]);
    let found: Vec<(String, String, u64)> =
        data(&report).into_iter().map(|f| (f.0, f.1, f.2)).collect();
    assert_eq!(
        found,
        vec![
            (
                "switch/dev-environment".into(),
                "config/environments/production.rb".into(),
                1
            ),
            (
                "switch/debug-enabled".into(),
                "config/settings/integrations.py".into(),
                1
            ),
            (
                "switch/debug-enabled".into(),
                "config/settings/production.py".into(),
                1
            ),
            (
                "switch/spring-nonprod-profile".into(),
                "src/main/resources/application.yml".into(),
                1
            ),
        ]
    );
    assert_eq!(code, 1);
}

/// Item 7: a monitoring SDK's own `debug` option (Sentry's `config.debug = true`) is the SDK's log
/// verbosity, not the application's debug mode.
#[test]
fn a_monitoring_sdks_debug_option_is_not_application_debug_mode() {
    let ruby = "if Settings.sentry.dsn.present?\n  Sentry.init do |config|\n    config.dsn = Settings.sentry.dsn\n    config.debug = true\n  end\nend\n";
    let python =
        "import sentry_sdk\n\nsentry_sdk.init(debug=True, dsn=os.environ[\"SENTRY_DSN\"])\n";
    let js = "Sentry.init({ dsn: process.env.SENTRY_DSN, debug: true });\n";
    let (code, report) = gate(&[
        ("config/initializers/sentry.rb", ruby),
        ("app/monitoring.py", python),
        ("src/instrument.js", js),
    ]);
    assert_eq!(data(&report), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    // Twins: the application's own configuration switched to debug still fails.
    let (code, report) = gate(&[
        (
            "config/initializers/sentry.rb",
            "Rails.application.configure do\n  config.debug = true\nend\n",
        ),
        (
            "app/monitoring.py",
            "app = create_app(\n    debug=True,\n)\n",
        ),
        (
            "src/instrument.js",
            "const app = createServer({ debug: true });\n",
        ),
    ]);
    let found: Vec<(String, String, u64)> =
        data(&report).into_iter().map(|f| (f.0, f.1, f.2)).collect();
    assert_eq!(
        found,
        vec![
            ("switch/debug-enabled".into(), "app/monitoring.py".into(), 2),
            (
                "switch/debug-enabled".into(),
                "config/initializers/sentry.rb".into(),
                2
            ),
            ("switch/debug-enabled".into(), "src/instrument.js".into(), 1),
        ]
    );
    assert_eq!(code, 1);
}

const STUB_TOML: &str = "[repository]\nkind = \"test-support\"\nreason = \"a stub of the benefits API for other services' acceptance tests; its README says never run it in production\"\n";
/// A stub API: fake claimants, a test switch, and a workflow that grants its token everything.
const STUB_FILES: &[(&str, &str)] = &[
    ("app/claimants.py", "CLAIMANTS = [{\"email\": \"claimant@example.com\"}]\n"),
    ("app/settings.py", "DEBUG = True\n"),
    (
        ".github/workflows/ci.yml",
        "on: push\npermissions: write-all\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n",
    ),
];

/// Item 6: a repository that is itself test support declares so in shipgate.toml, with a reason. Its
/// test data and test switches become notes that say why; the rules that protect how it is changed and
/// deployed still hold; and the summary names the kind.
#[test]
fn a_test_support_repository_declares_itself_and_its_test_data_become_notes() {
    let mut files = STUB_FILES.to_vec();
    files.push(("shipgate.toml", STUB_TOML));
    let (code, report) = gate(&files);
    assert_eq!(
        data(&report),
        vec![
            (
                "data/reserved-email".into(),
                "app/claimants.py".into(),
                1,
                "note".into()
            ),
            (
                "switch/debug-enabled".into(),
                "app/settings.py".into(),
                1,
                "note".into()
            ),
        ],
        "{report}"
    );
    assert!(message_of(&report, "switch/debug-enabled").contains("a test-support repository"));
    // What still holds: the workflow's token granted everything is an error, so the gate fails.
    assert_eq!(
        located(&report, "workflow/permissions-write-all"),
        vec![(
            "workflow/permissions-write-all".into(),
            ".github/workflows/ci.yml".into(),
            2,
            14
        )]
    );
    assert_eq!(code, 1);
    // The summary says what the repository declared.
    let repo = Repo::new();
    for (p, c) in &files {
        repo.write(p, c);
    }
    repo.commit("c");
    let r = run(&["check", "--offline"], repo.path());
    assert!(
        r.stdout
            .contains("repository: test-support (a stub of the benefits API")
            && r.stdout
                .contains("its data/, leak/, switch/ findings are notes"),
        "{}",
        r.stdout
    );

    // Twin: the same repository without the declaration is judged as a service.
    let (_, report) = gate(STUB_FILES);
    let severities: Vec<String> = data(&report).into_iter().map(|f| f.3).collect();
    assert_eq!(severities, vec!["error", "error"], "{report}");
}

#[test]
fn a_repository_kind_is_validated_on_its_own_line() {
    for (toml, code_name, line, col, text) in [
        (
            "[repository]\nkind = \"test_support\"\nreason = \"x\"\n",
            "config/invalid",
            2,
            8,
            "did you mean `test-support`",
        ),
        (
            "[repository]\nkind = \"test-support\"\n",
            "config/repository-kind",
            2,
            8,
            "needs a `reason`",
        ),
        (
            "[repository]\nreason = \"a stub\"\n",
            "config/invalid",
            2,
            10,
            "without a `kind`",
        ),
    ] {
        let repo = Repo::new();
        repo.write("shipgate.toml", toml);
        repo.commit("c");
        let r = run(&["check", "--offline"], repo.path());
        assert_eq!(r.code, 2, "{toml}: {}", r.stderr);
        assert!(r.stderr.contains(code_name), "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("shipgate.toml:{line}:{col}")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains(text), "{}", r.stderr);
    }
    // `shipgate explain` documents it.
    let r = run(
        &["explain", "config/repository-kind"],
        &std::env::temp_dir(),
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("still holds"), "{}", r.stdout);
}

/// A change cannot declare its own repository test support to pass: in pre-merge mode the base's policy
/// judges, and the declaration is a policy change for the policy's owners to approve.
#[test]
fn a_change_declaring_the_repository_test_support_is_a_policy_change() {
    let repo = Repo::new();
    repo.write("app/settings.py", "NAME = \"app\"\n");
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write("app/settings.py", "NAME = \"app\"\nDEBUG = True\n");
    repo.write("shipgate.toml", STUB_TOML);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "feature"]);
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1, "{report}");
    let sev: Vec<(String, String)> = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0 == "switch/debug-enabled" || f.0 == "gate/policy-changed")
        .map(|f| (f.0, f.3))
        .collect();
    assert_eq!(
        sev,
        vec![
            ("switch/debug-enabled".into(), "error".into()),
            ("gate/policy-changed".into(), "error".into()),
        ],
        "{report}"
    );
    assert!(
        message_of(&report, "gate/policy-changed").contains("declares the repository test support")
    );
}

/// A framework's development default in a committed `.env` (Symfony's skeleton says `APP_ENV=dev`) is not
/// what production runs when the deploy configuration sets the same switch for production: a real
/// environment variable wins over `.env`.
#[test]
fn a_dot_env_default_the_deploy_sets_for_production_is_a_note() {
    let env = "# Real environment variables win over .env files.\nAPP_ENV=dev\n";
    let cloudbuild = |value: &str| {
        format!("steps:\n  - name: node:20\n    entrypoint: sh\n    args: ['-c', 'yarn build']\n    env:\n      - 'APP_ENV={value}'\n")
    };
    let (code, report) = gate(&[(".env", env), ("cloudbuild.yaml", &cloudbuild("prod"))]);
    assert_eq!(
        data(&report),
        vec![(
            "switch/dev-environment".into(),
            ".env".into(),
            2,
            "note".into()
        )],
        "{report}"
    );
    assert!(message_of(&report, "switch/dev-environment")
        .contains("the deploy configuration sets APP_ENV for production: cloudbuild.yaml"));
    assert_eq!(code, 0, "{report}");
    // Twins: no deploy file setting it, or one that deploys the development value too.
    for files in [
        vec![(".env", env.to_string())],
        vec![
            (".env", env.to_string()),
            ("cloudbuild.yaml", cloudbuild("dev")),
        ],
    ] {
        let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
        let (code, report) = gate(&files);
        let severities: Vec<String> = data(&report)
            .into_iter()
            .filter(|f| f.1 == ".env")
            .map(|f| f.3)
            .collect();
        assert_eq!(severities, vec!["error"], "{report}");
        assert_eq!(code, 1);
    }
}

/// A configuration class is named by its own name, not by the class it inherits: `class Test(Production)`
/// is the test configuration (nationalarchives' config.py), `class Production(Base)` is production's.
#[test]
fn a_test_configuration_class_inheriting_production_is_test_config() {
    let config = "class Production:\n    DEBUG: bool = False\n\n\nclass Test(Production):\n    DEBUG: bool = True\n    TESTING: bool = True\n";
    let (code, report) = gate(&[("config.py", config)]);
    assert_eq!(data(&report), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    // Twin: production's own class switched to debug.
    let prod = "class Base:\n    DEBUG: bool = False\n\n\nclass Production(Base):\n    DEBUG: bool = True\n";
    let (code, report) = gate(&[("config.py", prod)]);
    let found: Vec<(String, u64)> = data(&report).into_iter().map(|f| (f.0, f.2)).collect();
    assert_eq!(found, vec![("switch/debug-enabled".into(), 6)]);
    assert_eq!(code, 1);
}

/// Item 5: development tooling. A private workspace package with only devDependencies, which the root
/// package.json lists under its devDependencies, never reaches a production install: the NODE_ENV it sets
/// for itself is development tooling. Jest's setup files, named in package.json, are test configuration.
#[test]
fn a_development_workspace_package_and_jest_setup_files_are_tooling() {
    let root = |dev_deps: &str| {
        format!("{{\"name\": \"service\", \"private\": true, \"workspaces\": [\"packages/*\"], \"dependencies\": {{\"express\": \"4\"}}, \"devDependencies\": {{{dev_deps}}}, \"jest\": {{\"globalSetup\": \"<rootDir>/global-jest-setup.js\"}}}}")
    };
    let dev_server = "{\"name\": \"@acme/dev-server\", \"private\": true, \"devDependencies\": {\"nodemon\": \"3\"}}";
    let server = "process.env.NODE_ENV = 'development';\nrequire('../../app').listen(3000);\n";
    let jest_setup = "module.exports = async () => {\n  process.env.NODE_ENV = 'test';\n};\n";
    let files = |root_json: &str, package_json: &str| {
        gate(&[
            ("package.json", root_json),
            ("packages/dev-server/package.json", package_json),
            ("packages/dev-server/server.js", server),
            ("global-jest-setup.js", jest_setup),
            ("src/other-setup.js", jest_setup),
        ])
    };
    let (_, report) = files(&root("\"@acme/dev-server\": \"*\""), dev_server);
    let found: Vec<(String, String)> = data(&report).into_iter().map(|f| (f.1, f.3)).collect();
    assert_eq!(
        found,
        vec![
            ("global-jest-setup.js".into(), "note".into()),
            ("packages/dev-server/server.js".into(), "note".into()),
            // Twin: the same assignment in a file Jest's configuration does not name.
            ("src/other-setup.js".into(), "error".into()),
        ],
        "{report}"
    );
    assert!(
        message_of(&report, "switch/node-env-nonprod").contains("Jest setup file")
            || report
                .to_string()
                .contains("a private workspace package for development")
    );
    // Twins: the root does not list the package for development; or the package has dependencies of its
    // own (it may be installed in production).
    for (root_json, package_json) in [
        (root(""), dev_server.to_string()),
        (
            root("\"@acme/dev-server\": \"*\""),
            dev_server.replace(
                "\"private\": true,",
                "\"private\": true, \"dependencies\": {\"express\": \"4\"},",
            ),
        ),
    ] {
        let (_, report) = files(&root_json, &package_json);
        let server_severity: Vec<String> = data(&report)
            .into_iter()
            .filter(|f| f.1 == "packages/dev-server/server.js")
            .map(|f| f.3)
            .collect();
        assert_eq!(server_severity, vec!["error"], "{report}");
    }
}

/// Item 5: a command named for running the development server (`def runserver(): app.run(debug=True)`)
/// is development tooling: production starts the app under its WSGI server and never calls it.
#[test]
fn a_runserver_command_calling_the_development_server_is_tooling() {
    let manage = "from app import create_app\n\napp = create_app()\n\n\n@manager.command\ndef runserver():\n    app.run(debug=True, port=5000)\n";
    let (code, report) = gate(&[("manage.py", manage)]);
    assert_eq!(data(&report), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    // Twins: the same call from `main`, and a `runserver` that builds the app in debug mode.
    let (_, report) = gate(&[(
        "manage.py",
        &manage.replace("def runserver():", "def main():"),
    )]);
    let lines: Vec<u64> = data(&report).into_iter().map(|f| f.2).collect();
    assert_eq!(lines, vec![8], "{report}");
    let (_, report) = gate(&[(
        "manage.py",
        "@manager.command\ndef runserver():\n    configure(debug=True)\n    app.run()\n",
    )]);
    let lines: Vec<u64> = data(&report).into_iter().map(|f| f.2).collect();
    assert_eq!(lines, vec![3], "{report}");
}

/// Item 5: a Dockerfile in a directory named for development builds a developer's image, as
/// `Dockerfile.dev` does; the same file anywhere else builds what production may run.
#[test]
fn a_local_development_dockerfile_is_tooling() {
    let dockerfile = "FROM ruby:3.3\nENV RAILS_ENV=development\nCMD [\"bin/rails\", \"server\"]\n";
    let (code, report) = gate(&[
        ("docker/development/Dockerfile", dockerfile),
        (".docker/local/Dockerfile", dockerfile),
    ]);
    assert_eq!(data(&report), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    let (code, report) = gate(&[("docker/web/Dockerfile", dockerfile)]);
    let found: Vec<(String, String, u64)> =
        data(&report).into_iter().map(|f| (f.0, f.1, f.2)).collect();
    assert_eq!(
        found,
        vec![(
            "switch/dev-environment".into(),
            "docker/web/Dockerfile".into(),
            2
        )]
    );
    assert_eq!(code, 1);
}

/// Documentation is read for the written process; an allow it shows as an example documents the syntax
/// and is never a suppression (nor an "unknown rule" one). The same comment in production code is one.
#[test]
fn allows_quoted_in_documentation_are_not_suppressions() {
    let doc = "# JSON\n\n```json\n\"suppressed_inline\": 0, // hidden by shipgate:allow(...) comments\n```\n";
    let (_, report) = gate(&[("docs/json-format.md", doc), ("src/app.py", "x = 1\n")]);
    assert_eq!(located(&report, "suppress/"), vec![], "{report}");
    let (_, report) = gate(&[("src/app.py", "x = 1  # shipgate:allow(...) comments\n")]);
    let rules: Vec<String> = located(&report, "suppress/")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(rules, vec!["suppress/unknown-rule"], "{report}");
}
