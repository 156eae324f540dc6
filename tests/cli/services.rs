//! Precision on services (issue 12): each false-positive class found on real UK public-sector services,
//! rebuilt from a small made-up file of the same shape, next to the twin that must still be reported.
use crate::common::*;

fn gate(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("c");
    check_json(repo.path(), &[])
}

#[test]
fn switches_inside_a_non_production_scope_are_dev_config() {
    let config_py = "class Config:\n    DEBUG = False\n\n\nclass Development(Config):\n    DEBUG = True\n\n\nclass Test(Development):\n    TESTING = True\n\n\nclass Production(Config):\n    DEBUG = True\n";
    let settings_yml =
        "development:\n  debug: true\ntest:\n  debug: true\nproduction:\n  debug: true\n";
    let init_js = "if (process.env.NODE_ENV !== 'production') {\n  app.set('debug', true)\n}\n";
    let (code, report) = gate(&[
        ("app/config.py", config_py),
        ("config/settings.yml", settings_yml),
        ("app/init.js", init_js),
    ]);
    let switches: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("switch/"))
        .collect();
    // Only the production scopes are reported.
    assert_eq!(
        switches,
        [
            ("switch/debug-enabled".into(), "app/config.py".into(), 14),
            (
                "switch/debug-enabled".into(),
                "config/settings.yml".into(),
                6
            ),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn seed_data_guarded_by_a_non_production_condition_is_a_dev_seed() {
    let guarded = "if HostingEnvironment.local_development? || HostingEnvironment.review_app?\n  User.create!(email: \"qa@example.com\", role: :admin)\nend\n";
    let open = "User.create!(email: \"qa@example.com\", role: :admin)\n";
    let (_, report) = gate(&[("db/seeds.rb", guarded), ("db/seeds/admins.rb", open)]);
    let found: Vec<(String, String, u64, String)> = located_with_severity(&report);
    assert_eq!(
        found,
        [(
            "data/reserved-email".into(),
            "db/seeds/admins.rb".into(),
            1,
            "warning".into()
        )]
    );
}

#[test]
fn local_development_files_are_not_deploy_files() {
    let (code, report) = gate(&[
        (
            "docker-compose.yml",
            "services:\n  web:\n    environment:\n      NODE_ENV: development\n",
        ),
        ("feature.env", "NODE_ENV=development\n"),
        (
            ".vscode/launch.json",
            "{\"env\": {\"FLASK_ENV\": \"development\"}}\n",
        ),
        (
            "local.Dockerfile",
            "FROM node:22\nENV NODE_ENV development\n",
        ),
        (
            "nodemon.json",
            "{\"env\": {\"NODE_ENV\": \"development\"}}\n",
        ),
        (
            "scripts/generate-dev-environment.sh",
            "NODE_ENV=development\n",
        ),
        // Named for production: still a deploy file.
        (
            "docker-compose.prod.yml",
            "services:\n  web:\n    environment:\n      NODE_ENV: development\n",
        ),
    ]);
    let switches: Vec<String> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("switch/"))
        .map(|(_, p, _)| p)
        .collect();
    assert_eq!(switches, ["docker-compose.prod.yml"]);
    assert_eq!(code, 1);
}

#[test]
fn a_switch_in_a_dockerfile_stage_the_final_image_does_not_build_on_is_test_config() {
    let dockerfile = "FROM ruby:3.3 AS base\nWORKDIR /app\nCOPY . .\n\nFROM base AS test\nENV RAILS_ENV=test\nENV NODE_ENV=test\nRUN bundle exec rspec\n\nFROM base\nENV RAILS_ENV=production\nCMD [\"rails\",\"s\"]\n";
    let shipped = "FROM ruby:3.3\nENV RAILS_ENV=test\nCMD [\"rails\",\"s\"]\n";
    let (_, report) = gate(&[
        ("Dockerfile", dockerfile),
        (".dockerignore", "spec/\n"),
        ("deploy/Dockerfile.web", shipped),
    ]);
    let switches: Vec<String> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("switch/"))
        .map(|(_, p, _)| p)
        .collect();
    assert_eq!(switches, ["deploy/Dockerfile.web"]);
}

#[test]
fn example_text_shown_to_users_is_a_note_or_nothing() {
    let locale = "en:\n  errors:\n    email: Enter an email address in the correct format, like name@example.com\n    phone: Enter a mobile number, like 07700 900 982\n";
    let welsh = "{\"email\": \"Rhowch gyfeiriad e-bost yn y ffurf cywir, fel name@example.com\"}\n";
    let view = "def get_example_csv_rows(template):\n    return {\n        \"email\": [\"test@example.com\"],\n        \"sms\": [\"07700 900321\"],\n    }\n";
    let config = "SIMULATED_SMS_NUMBERS = (\"+447700900000\", \"+447700900111\")\n";
    let (code, report) = gate(&[
        ("config/locales/en.yml", locale),
        ("src/locales/cy/translation.json", welsh),
        ("app/main/views/send.py", view),
        ("app/config.py", config),
        (
            "public/openapi/v1.yaml",
            "example:\n  email: jane@example.com\n",
        ),
    ]);
    let found = located_with_severity(&report);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|(_, _, _, sev)| sev == "note"),
        "{found:?}"
    );
    // Hint and error text, and an API's example, produce nothing at all (issue 23); values in a block named
    // for examples and documented simulated numbers stay notes.
    let mut paths: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    paths.dedup();
    assert_eq!(
        paths,
        ["app/config.py", "app/main/views/send.py"],
        "{found:?}"
    );
    assert_eq!(code, 0);
}

#[test]
fn tests_and_stand_ins_named_as_such_are_not_production() {
    let (code, report) = gate(&[
        (
            "features/step_definitions/sign_in_steps.rb",
            "fill_in 'Email', with: 'qa@example.com'\nOmniAuth.config.test_mode = true\n",
        ),
        (
            "features/support/hooks.rb",
            "OmniAuth.config.test_mode = true\n",
        ),
        (
            "playwright-acceptance-tests/src/support/constants.ts",
            "export const USER = \"qa@example.com\";\n",
        ),
        (
            "frontend/src/screens/List/mocks.ts",
            "export const user = { email: \"qa@example.com\" };\n",
        ),
        (
            "app/clients/email/aws_ses_stub.py",
            "# dummy-data only\nSENDER = \"qa@example.com\"\n",
        ),
    ]);
    assert_eq!(findings(&report), []);
    assert_eq!(code, 0);
}

#[test]
fn maintainer_tooling_is_not_a_leak() {
    let commands = "import json\n\ndef save_routes(routes):\n    with open(\"tests/route-list.json\") as f:\n        old = json.load(f)\n    with open(\"tests/route-list.json\", \"w\") as f:\n        json.dump(routes, f)\n";
    let rails = "module App\n  class Application < Rails::Application\n    config.view_component.previews.paths = [Rails.root.join(\"spec/components\")]\n  end\nend\n";
    let selector = "import os\n\nmatch os.getenv(\"FLASK_ENV\"):\n    case \"unit_test\":\n        from config.envs.unit_test import UnitTestConfig as Config\n    case _:\n        from config.envs.default import DefaultConfig as Config\n";
    let script = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\nfrom app.tests.factories import UserFactory\n";
    let (code, report) = gate(&[
        ("app/commands.py", commands),
        ("tests/route-list.json", "[]\n"),
        ("config/application.rb", rails),
        (
            "spec/components/previews/button_preview.rb",
            "class ButtonPreview; end\n",
        ),
        ("config/__init__.py", selector),
        (
            "config/envs/unit_test.py",
            "class UnitTestConfig:\n    pass\n",
        ),
        ("config/envs/default.py", "class DefaultConfig:\n    pass\n"),
        ("data_generator.py", script),
        ("app/tests/factories.py", "class UserFactory:\n    pass\n"),
        ("app/__init__.py", ""),
        ("app/tests/__init__.py", ""),
    ]);
    let leaks: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/"))
        .collect();
    assert_eq!(leaks, []);
    assert_eq!(code, 0);
}

#[test]
fn a_fixtures_package_and_a_real_test_module_imported_by_production_are_leaks() {
    let commands = "from app.functional_tests_fixtures import apply_fixtures\nfrom app.checker.means_test import MeansTest\nfrom app.checker.rules_test import test_rules\n";
    let (code, report) = gate(&[
        ("app/__init__.py", ""),
        ("app/commands.py", commands),
        (
            "app/functional_tests_fixtures/__init__.py",
            "def apply_fixtures():\n    pass\n",
        ),
        ("app/checker/__init__.py", ""),
        // A legal-aid means test is not a test: it holds no test and imports no test framework.
        ("app/checker/means_test.py", "class MeansTest:\n    pass\n"),
        (
            "app/checker/rules_test.py",
            "import pytest\n\ndef test_rules():\n    assert True\n",
        ),
    ]);
    let leaks: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/"))
        .collect();
    assert_eq!(
        leaks,
        [
            ("leak/fixture-import".into(), "app/commands.py".into(), 1),
            ("leak/test-import".into(), "app/commands.py".into(), 3),
        ]
    );
    assert_eq!(code, 1);
}

/// A script named like a test only by a joined word (`test-language.ts`: the language a driving test is
/// taken in; `sheep-tests.js`: a vet's tests of a flock) is production code unless it holds a test or
/// imports a test framework. The twins stay test code: a joined name that does hold tests, a runner's
/// dot convention (`*.test.ts`) and a test-support name (`test-utils.ts`), whatever they hold.
#[test]
fn a_script_named_for_a_domain_test_is_judged_by_what_it_holds() {
    let (code, report) = gate(&[
        (
            "src/pages/check-answers.ts",
            "import { TestLanguage } from '../domain/test-language';\nimport { sheep } from '../routes/sheep-tests';\nexport const page = () => [TestLanguage.EN, sheep];\n",
        ),
        (
            "src/domain/test-language.ts",
            "export enum TestLanguage { EN = 'en', CY = 'cy' }\n",
        ),
        (
            "src/routes/sheep-tests.js",
            "module.exports = { sheep: (req, h) => h.view('sheep-tests') };\n",
        ),
    ]);
    let leaks: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/"))
        .collect();
    assert_eq!(leaks, []);
    assert_eq!(code, 0);

    let (code, report) = gate(&[
        (
            "src/pages/check-answers.ts",
            "import { seeded } from '../domain/test-language';\nimport { render } from '../test-utils';\nimport { make } from './answers.test';\nexport const page = () => [seeded, render, make];\n",
        ),
        (
            "src/domain/test-language.ts",
            "import { expect } from '@jest/globals';\nexport const seeded = 'en';\nexpect(seeded).toBe('en');\n",
        ),
        ("src/test-utils.ts", "export const render = (x: string) => x;\n"),
        (
            "src/pages/answers.test.ts",
            "export const make = () => 1;\n",
        ),
    ]);
    let leaks: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/"))
        .collect();
    assert_eq!(
        leaks,
        [
            (
                "leak/test-import".into(),
                "src/pages/check-answers.ts".into(),
                1
            ),
            (
                "leak/test-import".into(),
                "src/pages/check-answers.ts".into(),
                2
            ),
            (
                "leak/test-import".into(),
                "src/pages/check-answers.ts".into(),
                3
            ),
        ]
    );
    assert_eq!(code, 1);
}

/// Test code production imports but uses only behind a flag that is off by default is guarded like a
/// test route: a note naming the flag. Its twin, used with no condition, stays an error.
#[test]
fn a_test_import_used_only_behind_an_off_flag_is_a_note_and_unguarded_an_error() {
    let guarded = "import os\n\ndef create_app(app):\n    from app.functional_tests import helpers\n    if os.environ.get(\"ENABLE_FUNCTIONAL_TESTS\", \"0\") == \"1\":\n        helpers.install(app)\n";
    let unguarded = "def create_app(app):\n    from app.functional_tests import helpers\n    helpers.install(app)\n";
    let tree = |init: &'static str| {
        vec![
            ("app/__init__.py", init),
            ("app/functional_tests/__init__.py", ""),
            (
                "app/functional_tests/helpers.py",
                "def install(app):\n    pass\n",
            ),
        ]
    };
    let imports = |report: &serde_json::Value| -> Vec<(String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "leak/test-import")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (_, report) = gate(&tree(guarded));
    let found = imports(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0].0, "note", "{report:#}");
    assert!(
        found[0].1.contains("ENABLE_FUNCTIONAL_TESTS"),
        "{}",
        found[0].1
    );

    let (code, report) = gate(&tree(unguarded));
    let found = imports(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0].0, "error", "{report:#}");
    assert_eq!(code, 1);

    // A condition decided at run time (a command's option) is no configuration: still an error.
    let by_option = "def handle(app, options):\n    from app.functional_tests import helpers\n    if options[\"seed\"]:\n        helpers.install(app)\n";
    let (code, report) = gate(&tree(by_option));
    let found = imports(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0].0, "error", "{report:#}");
    assert_eq!(code, 1);
}

/// A module named as test support among production files (`UnitTestHelpers.tsx`) that uses a test
/// framework is test code: a package's entry re-exporting it ships the framework in its bundle. The
/// twins: the same name holding plain helpers, and a type-only re-export (erased by the compiler).
#[test]
fn test_helpers_a_package_entry_re_exports_are_test_code() {
    let helpers = "import { render } from '@testing-library/react';\nexport const renderWithRouter = (ui: any) => render(ui);\nexport type Optional<T> = { [K in keyof T]?: T[K] };\n";
    let entry = "export { renderWithRouter } from './UnitTestHelpers';\nexport type { Optional } from './UnitTestHelpers';\n";
    let (code, report) = gate(&[
        (
            "packages/ui/package.json",
            "{\"name\": \"ui\", \"main\": \"dist/index.js\"}\n",
        ),
        ("packages/ui/src/utils/UnitTestHelpers.tsx", helpers),
        ("packages/ui/src/utils/index.ts", entry),
    ]);
    let leaks: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/"))
        .collect();
    assert_eq!(
        leaks,
        [(
            "leak/test-import".into(),
            "packages/ui/src/utils/index.ts".into(),
            1
        )]
    );
    assert_eq!(code, 1);

    let plain = "export const renderWithRouter = (ui: string) => ui;\n";
    let (code, report) = gate(&[
        (
            "packages/ui/package.json",
            "{\"name\": \"ui\", \"main\": \"dist/index.js\"}\n",
        ),
        ("packages/ui/src/utils/UnitTestHelpers.tsx", plain),
        ("packages/ui/src/utils/index.ts", entry),
    ]);
    assert!(
        !findings(&report)
            .iter()
            .any(|(r, _, _)| r.starts_with("leak/")),
        "{report:#}"
    );
    assert_eq!(code, 0);
}

#[test]
fn data_in_comments_is_documentation_but_in_code_it_is_data() {
    let rb = "class NinoQuestion\n  # show NINOs in the form of \"QQ 12 34 56 C\"\n  DEFAULT = \"QQ123456C\"\nend\n";
    let (_, report) = gate(&[("app/models/nino_question.rb", rb)]);
    assert_eq!(
        findings(&report),
        [(
            "data/never-issued-nino".into(),
            "app/models/nino_question.rb".into(),
            3
        )]
    );
}

#[test]
fn repeated_hits_of_one_rule_in_one_file_are_one_finding_and_the_baseline_takes_each() {
    let seed: String = (1..=6)
        .map(|i| format!("User.create!(email: \"user{i}@example.com\")\n"))
        .collect();
    let repo = Repo::new();
    repo.write("db/seeds/users.rb", &seed).commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    let all = report["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 1, "{all:?}");
    let repeats = all[0]["repeats"].as_array().cloned().unwrap_or_default();
    assert_eq!(repeats.len(), 5);
    assert_eq!(repeats[4]["line"], 6);
    assert!(all[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("and 5 more in this file"));
    // SARIF keeps every place as a related location.
    let sarif = run(&["check", "--offline", "--format", "sarif"], repo.path());
    let v: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap_or_default();
    let related = v["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .map(Vec::len);
    assert_eq!(related, Some(5));
    // The baseline accepts each hit by its own fingerprint: a seventh address is new.
    let b = run(&["baseline"], repo.path());
    assert_eq!(b.code, 0, "{}", b.stderr);
    let (_, report) = check_json(repo.path(), &["--fail-on", "warning"]);
    assert_eq!(findings(&report), []);
    repo.write(
        "db/seeds/users.rb",
        format!("{seed}User.create!(email: \"user7@example.com\")\n"),
    );
    let (code, report) = check_json(repo.path(), &["--fail-on", "warning"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        [("data/reserved-email".into(), "db/seeds/users.rb".into(), 7)]
    );
}

#[test]
fn an_allow_statement_is_not_paired_with_the_next_statements_wildcard_deny() {
    let yaml = "Statement:\n  - Sid: Logs\n    Effect: Allow\n    Principal:\n      Service: logging.s3.amazonaws.com\n    Action: s3:PutObject\n  - Sid: TLS\n    Effect: Deny\n    Principal: \"*\"\n    Action: \"s3:*\"\n";
    let open = "Statement:\n  - Sid: Public\n    Effect: Allow\n    Principal: \"*\"\n    Action: s3:GetObject\n";
    let (_, report) = gate(&[("infra/logs.yaml", yaml), ("infra/site.yaml", open)]);
    assert_eq!(
        findings(&report),
        [(
            "access/policy-wildcard-principal".into(),
            "infra/site.yaml".into(),
            3
        )]
    );
}

#[test]
fn a_command_that_downloads_into_a_test_file_and_a_profiling_harness_are_dev_tools() {
    let manage = "import os\nimport requests\n\n@manager.command\ndef download_means_test():\n    file_path = os.path.join(os.path.dirname(__file__), \"app\", \"tests\", \"data\", \"means.xlsx\")\n    response = requests.get(URL)\n    s = file(file_path, \"w\")\n    s.write(response.content)\n";
    // The twin: the same path named first, then read by the live app.
    let loader = "import os\n\ndef load_means():\n    file_path = os.path.join(os.path.dirname(__file__), \"tests\", \"data\", \"means.xlsx\")\n    with open(file_path, \"rb\") as f:\n        return f.read()\n";
    let harness = "from werkzeug.middleware.profiler import ProfilerMiddleware\nfrom app.setup import create_app\n\napp = create_app()\napp.wsgi_app = ProfilerMiddleware(app.wsgi_app, profile_dir=\"profiling\")\napp.debug = True\napp.run(debug=True)\n";
    let factory = "from werkzeug.middleware.profiler import ProfilerMiddleware\n\ndef create_app(settings):\n    app = Flask(__name__)\n    if settings.get(\"PROFILE\"):\n        app.wsgi_app = ProfilerMiddleware(app.wsgi_app)\n    app.debug = True\n    return app\n";
    let (code, report) = gate(&[
        ("manage.py", manage),
        ("app/tests/data/means.xlsx", "xlsx"),
        ("app/means.py", loader),
        ("profile_application.py", harness),
        ("app/factory.py", factory),
    ]);
    let errors: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/") || r.starts_with("switch/"))
        .collect();
    assert_eq!(
        errors,
        [
            ("switch/debug-enabled".into(), "app/factory.py".into(), 7),
            ("leak/fixture-read".into(), "app/means.py".into(), 4),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn a_seeder_only_environment_guarded_code_reaches_is_a_dev_seed() {
    let seeds = "require_relative \"seeders/base\"\nrequire_relative \"seeders/development\"\nrequire_relative \"seeders/null\"\n\nseeder = if Rails.env.development?\n  Seeders::Development.new\nelse\n  Seeders::Null.new\nend\n\nseeder.call\n";
    let base = "module Seeders\n  class Base\n    def call\n      CSV.read(Rails.root.join(\"spec/fixtures/files/providers.csv\"))\n    end\n  end\nend\n";
    let dev = "module Seeders\n  class Development < Base\n  end\nend\n";
    // The twin: the seeder production runs reads the same fixture.
    let null = "module Seeders\n  class Null\n    def call\n      CSV.read(Rails.root.join(\"spec/fixtures/files/providers.csv\"))\n    end\n  end\nend\n";
    let (code, report) = gate(&[
        ("db/seeds.rb", seeds),
        ("db/seeders/base.rb", base),
        ("db/seeders/development.rb", dev),
        ("db/seeders/null.rb", null),
        ("spec/fixtures/files/providers.csv", "urn,name\n1,Example\n"),
    ]);
    let leaks: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/"))
        .collect();
    assert_eq!(
        leaks,
        [("leak/fixture-read".into(), "db/seeders/null.rb".into(), 4)]
    );
    assert_eq!(code, 1);
}

#[test]
fn an_image_tagged_for_its_branch_is_a_build_and_a_test_runners_config_is_test_config() {
    let workflow = |tag: &str| {
        format!(
            "name: Build\non:\n  push:\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/login-action@v3\n        with:\n          registry: ghcr.io\n          password: ${{{{ secrets.GITHUB_TOKEN }}}}\n      - name: Push image\n        run: |\n          docker build --tag web .\n          docker tag web ghcr.io/acme/web:{tag}\n          docker push ghcr.io/acme/web:{tag}\n"
        )
    };
    let per_branch = workflow("${GITHUB_REF_NAME}.${GITHUB_SHA::7}");
    let moving = workflow("latest");
    let pytest_ini = "[pytest]\nenv =\n    FLASK_ENV=unit_test\n    FLASK_DEBUG=1\n";
    let (code, report) = gate(&[
        (".github/workflows/build.yml", &per_branch),
        ("pytest.ini", pytest_ini),
    ]);
    let found = located_with_severity(&report);
    let outside: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "workflow/deploy-outside-deploy-branches" || f.0.starts_with("switch/"))
        .collect();
    assert_eq!(
        outside,
        [&(
            "workflow/deploy-outside-deploy-branches".to_string(),
            ".github/workflows/build.yml".to_string(),
            7,
            "warning".to_string()
        )]
    );
    assert_eq!(code, 0, "{report:#}");
    // The twin: `latest` from any branch is what a platform that follows the tag deploys.
    let (code, report) = gate(&[(".github/workflows/build.yml", &moving)]);
    let errors: Vec<_> = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0 == "workflow/deploy-outside-deploy-branches" && f.3 == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn a_debug_default_and_an_own_class_argument_are_warnings_unless_the_user_says_otherwise() {
    let settings = "import os\n\n# don't run with debug turned on in production!\nDEBUG = os.environ.get('DEBUG', 'True') == 'True'\n";
    let demo =
        "def run_demo():\n    bot = Chatbot(env=get_settings(), debug=True)\n    return bot\n";
    let server =
        "from app import create_app\n\napp = create_app()\napp.run(host=\"0.0.0.0\", debug=True)\n";
    let files = [
        ("app/settings.py", settings),
        ("chat/app.py", demo),
        ("app/server.py", server),
    ];
    let (code, report) = gate(&files);
    let switches: Vec<_> = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("switch/"))
        .map(|f| (f.1, f.3))
        .collect();
    assert_eq!(
        switches,
        [
            ("app/server.py".to_string(), "error".to_string()),
            ("app/settings.py".to_string(), "warning".to_string()),
            ("chat/app.py".to_string(), "warning".to_string()),
        ]
    );
    assert_eq!(code, 1);
    // A severity the user chose applies to every form.
    let repo = Repo::new();
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.write(
        "shipgate.toml",
        "[rules]\n\"switch/debug-enabled\" = \"error\"\n",
    );
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    let errors = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0 == "switch/debug-enabled" && f.3 == "error")
        .count();
    assert_eq!(errors, 3, "{report:#}");
}

#[test]
fn generator_placeholders_are_notes_and_a_spec_task_guarded_by_rspec_is_not_a_leak() {
    let mailer = "class ApplicationMailer < ActionMailer::Base\n  default from: \"from@example.com\"\n  layout \"mailer\"\nend\n";
    let support =
        "class SupportMailer < ApplicationMailer\n  default from: \"helpdesk@example.com\"\nend\n";
    let rake = "if defined? RSpec\n  require 'rspec/core/rake_task'\n  RSpec::Core::RakeTask.new(:spec)\nend\n";
    let prod_rake = "require 'rspec/core/rake_task'\n";
    let (_, report) = gate(&[
        ("app/mailers/application_mailer.rb", mailer),
        ("app/mailers/support_mailer.rb", support),
        ("lib/tasks/quiet.rake", rake),
        ("lib/tasks/default.rake", prod_rake),
    ]);
    let found: Vec<_> = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("data/") || f.0.starts_with("leak/"))
        .map(|f| (f.0, f.1, f.3))
        .collect();
    assert_eq!(
        found,
        [
            (
                "data/reserved-email".to_string(),
                "app/mailers/application_mailer.rb".to_string(),
                "note".to_string()
            ),
            (
                "data/reserved-email".to_string(),
                "app/mailers/support_mailer.rb".to_string(),
                "warning".to_string()
            ),
            (
                "leak/test-library-import".to_string(),
                "lib/tasks/default.rake".to_string(),
                "warning".to_string()
            ),
        ]
    );
}

/// Held-out batch 3 (smart-answers, peoplefinder, early-careers-framework): a script refreshing fixtures
/// from a live API, a ternary guarded on the test environment, and an API specification named `*_spec.json`.
/// Each beside a twin that must still be reported.
#[test]
fn fixture_refresh_scripts_one_line_guards_and_api_specs_are_not_leaks() {
    let refresh = "require \"open-uri\"\n\nlocations = YAML.load_file(Rails.root.join(\"test/fixtures/locations.yml\"))\nlocations.each do |slug|\n  fixture_path = Rails.root.join(\"test/fixtures/world/#{slug}.json\")\n  File.open(fixture_path, \"w\") do |file|\n    file.puts URI.parse(\"https://www.gov.uk/api/#{slug}\").open.read\n  end\nend\n";
    let uploads = "module DirHelpers\n  def base_upload_dir\n    Rails.env.test? ? Rails.root.join(\"spec/support/\") : \"\"\n  end\nend\n";
    let validator = "class SchemaValidator\n  SCHEMAS = JSON.parse(File.read(Rails.root.join(\"swagger/v1/api_spec.json\")))\nend\n";
    // The twins: the same reads with no write and no guard.
    let reader = "class Locations\n  ALL = YAML.load_file(Rails.root.join(\"test/fixtures/locations.yml\"))\nend\n";
    let prod_uploads = "module Store\n  def base_dir\n    Rails.env.production? ? Rails.root.join(\"spec/support/\") : \"\"\n  end\nend\n";
    let (code, report) = gate(&[
        ("script/update_locations.rb", refresh),
        ("test/fixtures/locations.yml", "- france\n"),
        ("test/fixtures/world/france.json", "{}\n"),
        ("config/initializers/carrierwave.rb", uploads),
        ("spec/support/.keep", ""),
        ("app/services/schema_validator.rb", validator),
        ("swagger/v1/api_spec.json", "{\"components\": {}}\n"),
        ("app/models/locations.rb", reader),
        ("app/lib/store.rb", prod_uploads),
    ]);
    let leaks: Vec<(String, String, u64)> = findings(&report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("leak/"))
        .collect();
    assert_eq!(
        leaks,
        [
            ("leak/fixture-read".into(), "app/lib/store.rb".into(), 3),
            (
                "leak/fixture-read".into(),
                "app/models/locations.rb".into(),
                2
            ),
        ]
    );
    assert_eq!(code, 1);
}

/// peoplefinder commits a local-development `.env` that its `.dockerignore` keeps out of the image: its
/// placeholder address is a note saying so. The twin — the same `.env` with nothing keeping it out, and one
/// that a `!.env` exception lets back in — is production config and still fails.
#[test]
fn a_dot_env_the_dockerignore_keeps_out_of_the_image_is_not_production_config() {
    let env = "# minimum env vars required\nSUPPORT_EMAIL=support@example.com\n";
    let dockerfile = "FROM ruby:3.3\nCOPY . .\nCMD [\"bin/rails\", \"server\"]\n";
    let (code, report) = gate(&[
        (".env", env),
        (".dockerignore", ".git\n.env\nspec\n"),
        ("Dockerfile", dockerfile),
    ]);
    let env_findings: Vec<(String, String, u64, String)> = located_with_severity(&report)
        .into_iter()
        .filter(|(_, path, _, _)| path == ".env")
        .collect();
    assert_eq!(
        env_findings,
        [(
            "data/reserved-email".into(),
            ".env".into(),
            2,
            "note".into()
        )]
    );
    assert_eq!(code, 0, "{report}");

    for dockerignore in [None, Some("*\n!.env\n!app/\n")] {
        let mut files = vec![(".env", env), ("Dockerfile", dockerfile)];
        if let Some(d) = dockerignore {
            files.push((".dockerignore", d));
        }
        let (code, report) = gate(&files);
        let severities: Vec<String> = located_with_severity(&report)
            .into_iter()
            .filter(|(_, path, _, _)| path == ".env")
            .map(|(_, _, _, s)| s)
            .collect();
        assert_eq!(severities, ["error"], "{dockerignore:?}");
        assert_eq!(code, 1);
    }
}
