//! Held-out batch 10: each class of false finding, stated once, with a made-up instance and a twin that
//! must still be reported.
use crate::common::*;

/// (line, severity) of the `leak/test-route` findings.
fn routes(report: &serde_json::Value) -> Vec<(u64, String)> {
    located_with_severity(report)
        .into_iter()
        .filter(|f| f.0 == "leak/test-route")
        .map(|f| (f.2, f.3))
        .collect()
}

/// (rule, path, line, column) of the `leak/` findings.
fn leaks(report: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    located(report, "leak/")
}

const PANEL: &str = "import { useState } from 'react';\n\nexport function SmokeTestPanel() {\n  const [ok, setOk] = useState(false);\n  return <button onClick={() => setOk(true)}>{ok ? 'passed' : 'run'}</button>;\n}\n";
const PAGE: &str = "import { SmokeTestPanel } from './smoke-tests';\n\nexport default function Page() {\n  return <SmokeTestPanel />;\n}\n";

/// Class 1: a script test-side only because of a compound directory name (`smoke-tests/`) is judged by
/// what it holds, as a compound file name is: UI panels that use no test framework are the app's own code.
#[test]
fn components_in_a_compound_named_directory_are_judged_by_what_they_hold() {
    let (_, report) = gate_files(&[
        (
            "app/_components/smoke-tests/index.ts",
            "export * from './SmokeTestPanel';\n",
        ),
        ("app/_components/smoke-tests/SmokeTestPanel.tsx", PANEL),
        ("app/_components/Page.tsx", PAGE),
    ]);
    assert_eq!(leaks(&report), vec![], "{report}");

    // Twin: the same directory holding a test that drives a test framework is test code.
    let (_, report) = gate_files(&[
        (
            "app/_components/smoke-tests/index.ts",
            "import { test, expect } from '@playwright/test';\nexport * from './SmokeTestPanel';\ntest('home', async () => { expect(1).toBe(1); });\n",
        ),
        ("app/_components/smoke-tests/SmokeTestPanel.tsx", PANEL),
        ("app/_components/Page.tsx", PAGE),
    ]);
    assert_eq!(
        leaks(&report),
        vec![(
            "leak/test-import".into(),
            "app/_components/Page.tsx".into(),
            1,
            33
        )],
        "{report}"
    );

    // Twin: a single-word test directory (`test/`) stays test code by its name.
    let (_, report) = gate_files(&[
        ("app/_components/test/index.ts", "export * from './SmokeTestPanel';\n"),
        ("app/_components/test/SmokeTestPanel.tsx", PANEL),
        (
            "app/_components/Page.tsx",
            "import { SmokeTestPanel } from './test';\n\nexport default function Page() {\n  return <SmokeTestPanel />;\n}\n",
        ),
    ]);
    assert_eq!(
        leaks(&report),
        vec![(
            "leak/test-import".into(),
            "app/_components/Page.tsx".into(),
            1,
            33
        )],
        "{report}"
    );
}

const SPRING_YML: &str = "spring:\n  application:\n    name: connection\n  profiles:\n    active: ${SPRING_PROFILE:local}\nserver:\n  port: 8080\n";

/// (rule, path, severity) of the `switch/` findings.
fn switches(report: &serde_json::Value) -> Vec<(String, String, String)> {
    located_with_severity(report)
        .into_iter()
        .filter(|f| f.0.starts_with("switch/"))
        .map(|(rule, path, _, sev)| (rule, path, sev))
        .collect()
}

/// Class 2: a Spring profile is what the repository configures for it. Activating `local` by default
/// when nothing belongs to `local` (no `application-local.*`, no `on-profile` document, no `@Profile`
/// bean) changes nothing today: a note, not an error.
#[test]
fn a_default_profile_nothing_configures_is_a_note() {
    let app = "package uk.nhs.hee;\n\n@SpringBootApplication\npublic class App {}\n";
    let (code, report) = gate_files(&[
        ("src/main/resources/application.yml", SPRING_YML),
        ("src/main/java/uk/nhs/hee/App.java", app),
    ]);
    assert_eq!(
        switches(&report),
        vec![(
            "switch/spring-nonprod-profile".into(),
            "src/main/resources/application.yml".into(),
            "note".into()
        )],
        "{report}"
    );
    assert_eq!(code, 0, "{report}");

    // Twin: with `application-local.yml` beside it, production loads that file's settings: an error.
    let (code, report) = gate_files(&[
        ("src/main/resources/application.yml", SPRING_YML),
        (
            "src/main/resources/application-local.yml",
            "spring:\n  datasource:\n    url: jdbc:h2:mem:test\n",
        ),
        ("src/main/java/uk/nhs/hee/App.java", app),
    ]);
    assert_eq!(
        switches(&report),
        vec![(
            "switch/spring-nonprod-profile".into(),
            "src/main/resources/application.yml".into(),
            "error".into()
        )],
        "{report}"
    );
    assert_eq!(code, 1);

    // Twin: a bean that exists only under `local` is the profile's too.
    let (_, report) = gate_files(&[
        ("src/main/resources/application.yml", SPRING_YML),
        (
            "src/main/java/uk/nhs/hee/StubMailer.java",
            "package uk.nhs.hee;\n\n@Component\n@Profile(\"local\")\npublic class StubMailer implements Mailer {}\n",
        ),
    ]);
    assert_eq!(switches(&report)[0].2, "error", "{report}");
}

/// Class 2 in a pull request: adding `application-local.yml` to a repository whose `application.yml`
/// activates `local` by default makes production load it — the pull request is what turns the note into
/// an error, so it fails, although `application.yml` itself did not change.
#[test]
fn a_pull_request_that_gives_the_default_profile_settings_fails() {
    let repo = Repo::new();
    repo.write(
        "src/main/java/uk/nhs/hee/App.java",
        "package uk.nhs.hee;\npublic class App {}\n",
    );
    repo.commit_file("src/main/resources/application.yml", SPRING_YML, "init");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.commit_file(
        "src/main/resources/application-local.yml",
        "spring:\n  datasource:\n    url: jdbc:h2:mem:test\n",
        "local settings",
    );
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        switches(&report),
        vec![(
            "switch/spring-nonprod-profile".into(),
            "src/main/resources/application.yml".into(),
            "error".into()
        )],
        "{report}"
    );
}

/// The `process/` rules among the findings.
fn process(report: &serde_json::Value) -> Vec<String> {
    findings(report)
        .into_iter()
        .filter(|f| f.0.starts_with("process/undocumented"))
        .map(|f| f.0)
        .collect()
}

/// Gate a repository holding only `files` (no CODEOWNERS, CONTRIBUTING or template of the helpers).
fn gate_bare(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let repo = Repo::bare();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    check_json(repo.path(), &[])
}

/// Class 3: the written process in the words public-sector teams use — "during the pull request review
/// we will check …" is review, "the 'main' branch forms the route to live" is how code reaches
/// production — and in their governance documents named in CamelCase (`OpenSourceGovernanceChecklist.md`).
#[test]
fn review_stages_routes_to_live_and_governance_documents_are_the_written_process() {
    let testing = "## Testing\n\nRun the tests with `dotnet test`.\n";
    let (_, report) = gate_bare(&[
        (
            "README.md",
            &format!("# Permits\n\nThe 'main' branch forms the route to live, and 'develop' is merged to 'main' as releases are planned.\n\n{testing}"),
        ),
        (
            "CONTRIBUTING.md",
            "# Contributing\n\nPlease make a pull request. During the pull request review we will check your change meets our coding standard.\n",
        ),
    ]);
    assert_eq!(process(&report), Vec::<String>::new(), "{report}");

    // Changes that "have to go through a review first", a pull request that "will wait for someone from
    // our team to review" (batch 11's HMCTS wording): review by someone else.
    let (_, report) = gate_bare(&[(
        ".github/CONTRIBUTING.md",
        &format!("# Contributing\n\nWe don't allow direct changes: they have to go through a review first.\n\nThe Jenkins pipeline runs the deployment on merge to master.\n\n{testing}"),
    )]);
    assert_eq!(process(&report), Vec::<String>::new(), "{report}");

    // Twin: a README that names the branches but not the way to production, and a CONTRIBUTING that
    // only asks for a pull request, document neither.
    let (_, report) = gate_bare(&[
        (
            "README.md",
            &format!("# Permits\n\nThe 'main' branch is the default, and 'develop' is merged to 'main' as planned.\n\n{testing}"),
        ),
        ("CONTRIBUTING.md", "# Contributing\n\nPlease make a pull request.\n"),
    ]);
    assert_eq!(
        process(&report),
        vec![
            "process/undocumented-deployment",
            "process/undocumented-review"
        ],
        "{report}"
    );

    // A governance checklist at the root is read; the same words in a document of another name are not.
    let checklist = "# Checklist\n\n> Secrets for deployment are injected through Azure Pipelines.\n\nAll 3rd party PRs will be reviewed by Team Abzu.\n";
    let (_, report) = gate_bare(&[
        ("README.md", &format!("# Facade\n\n{testing}")),
        ("OpenSourceGovernanceChecklist.md", checklist),
    ]);
    assert_eq!(process(&report), Vec::<String>::new(), "{report}");
    let (_, report) = gate_bare(&[
        ("README.md", &format!("# Facade\n\n{testing}")),
        ("OpenSourceLicenceNotes.md", checklist),
    ]);
    assert_eq!(
        process(&report),
        vec![
            "process/undocumented-deployment",
            "process/undocumented-review"
        ],
        "{report}"
    );
}

/// Class 4: npm refuses to publish a `"private": true` package, so its `files` list ships nothing.
#[test]
fn a_private_packages_files_list_publishes_nothing() {
    let manifest = |private: &str| {
        format!("{{\n  \"name\": \"@oak/documents\",{private}\n  \"files\": [\"dist\", \"fixtures\"]\n}}\n")
    };
    let fixture = (
        "packages/documents/fixtures/lesson.json",
        "{\"title\": \"x\"}\n",
    );
    let (_, report) = gate_files(&[
        (
            "packages/documents/package.json",
            &manifest("\n  \"private\": true,"),
        ),
        fixture,
    ]);
    assert_eq!(leaks(&report), vec![], "{report}");

    // Twin: the same package published to the registry carries its fixtures.
    let (_, report) = gate_files(&[("packages/documents/package.json", &manifest("")), fixture]);
    assert_eq!(
        leaks(&report),
        vec![(
            "leak/package-ships-tests".into(),
            "packages/documents/package.json".into(),
            3,
            22
        )],
        "{report}"
    );
}

const CSV_PARSER: &str = "import { parse } from 'csv-parse/sync';\n\nexport class TestDataCsv {\n  constructor(private source: Uint8Array) {}\n  rows() {\n    return parse(Buffer.from(this.source));\n  }\n}\n";
const VALIDATE: &str = "import { TestDataCsv } from '../domain/test-data-csv';\n\nexport const validate = (b: Uint8Array) => new TestDataCsv(b).rows();\n";
const CSV_TEST: &str = "import { TestDataCsv } from '../../domain/test-data-csv';\n\ntest('parses', () => {\n  expect(new TestDataCsv(new Uint8Array()).rows()).toEqual([]);\n});\n";

/// Class 5 (batch 8's notify, judged false there): a module named as test support beside production code
/// (`src/domain/test-data-csv.ts`) that uses no test framework and has a unit test of its own is the
/// service's code — a parser of the "test data" its users upload — not test support.
#[test]
fn a_module_named_as_test_support_with_its_own_unit_test_is_production_code() {
    let imports_test_support = || {
        vec![(
            "leak/test-import".to_string(),
            "src/api/validate.ts".to_string(),
            1,
            30,
        )]
    };
    let (_, report) = gate_files(&[
        ("src/domain/test-data-csv.ts", CSV_PARSER),
        ("src/__tests__/domain/test-data-csv.test.ts", CSV_TEST),
        ("src/api/validate.ts", VALIDATE),
    ]);
    assert_eq!(leaks(&report), vec![], "{report}");

    // Twin: with no unit test of its own, the name stands: production imports test support.
    let (_, report) = gate_files(&[
        ("src/domain/test-data-csv.ts", CSV_PARSER),
        ("src/api/validate.ts", VALIDATE),
    ]);
    assert_eq!(leaks(&report), imports_test_support(), "{report}");

    // Twin: a tested module that drives a test framework is test support all the same.
    let helper = format!(
        "import {{ jest }} from '@jest/globals';\n{CSV_PARSER}export const spy = jest.fn();\n"
    );
    let (_, report) = gate_files(&[
        ("src/domain/test-data-csv.ts", &helper),
        ("src/__tests__/domain/test-data-csv.test.ts", CSV_TEST),
        ("src/api/validate.ts", VALIDATE),
    ]);
    assert_eq!(leaks(&report), imports_test_support(), "{report}");
}

const DATA_PY: &str = "import json\nimport os\n\nfrom config import Config\n\n\ndef get_data(endpoint):\n    if Config.USE_LOCAL_DATA:\n        data = get_local_data(endpoint)\n    else:\n        data = get_remote_data(endpoint)\n    return data\n\n\ndef get_local_data(endpoint):\n    path = os.path.join(Config.FLASK_ROOT, \"tests\", \"api_data\", \"endpoint_data.json\")\n    with open(path) as f:\n        return json.load(f)[endpoint]\n";
const CONFIG_INIT: &str = "from os import getenv\n\nif getenv(\"FLASK_ENV\") == \"development\":\n    from config.envs.development import DevelopmentConfig as Config\nelse:\n    from config.envs.default import DefaultConfig as Config\n";

fn local_data_service(default: &str, data_py: &str) -> (i32, serde_json::Value) {
    gate_files(&[
        ("config/__init__.py", CONFIG_INIT),
        (
            "config/envs/default.py",
            &format!("from os import getenv\nfrom distutils.util import strtobool\n\n\nclass DefaultConfig:\n    FLASK_ROOT = \"/app\"\n    USE_LOCAL_DATA = strtobool(getenv(\"USE_LOCAL_DATA\", \"{default}\"))\n"),
        ),
        (
            "config/envs/development.py",
            "from os import getenv\nfrom distutils.util import strtobool\n\nfrom config.envs.default import DefaultConfig\n\n\nclass DevelopmentConfig(DefaultConfig):\n    USE_LOCAL_DATA = strtobool(getenv(\"USE_LOCAL_DATA\", \"True\"))\n",
        ),
        ("app/data.py", data_py),
        ("tests/api_data/endpoint_data.json", "{\"/funds\": []}\n"),
    ])
}

/// Class 6 (batch 5's communitiesuk, judged false there): a fixture read inside a function that is only
/// called behind a setting of the service's own configuration (`if Config.USE_LOCAL_DATA:`), whose
/// production default is off (`getenv("USE_LOCAL_DATA", "False")` in the default configuration; the
/// development configuration's `True` is development's), is a note naming the flag.
#[test]
fn a_fixture_read_behind_a_setting_that_defaults_off_is_a_note() {
    let sev = |report: &serde_json::Value| {
        located_with_severity(report)
            .into_iter()
            .filter(|f| f.0 == "leak/fixture-read")
            .map(|f| (f.1, f.3))
            .collect::<Vec<_>>()
    };
    let (code, report) = local_data_service("False", DATA_PY);
    assert_eq!(
        sev(&report),
        vec![("app/data.py".into(), "note".into())],
        "{report}"
    );
    assert_eq!(code, 0, "{report}");
    assert!(
        message_of(&report, "leak/fixture-read").contains("Config.USE_LOCAL_DATA"),
        "{report}"
    );

    // Twin: the production default on — production must set it off: a warning naming it.
    let (_, report) = local_data_service("True", DATA_PY);
    assert_eq!(
        sev(&report),
        vec![("app/data.py".into(), "warning".into())],
        "{report}"
    );

    // Twin: one call with no condition reads the fixture in production: an error.
    let unguarded = DATA_PY.replace(
        "    return data\n",
        "    return data\n\n\ndef get_funds():\n    return get_local_data(\"/funds\")\n",
    );
    let (code, report) = local_data_service("False", &unguarded);
    assert_eq!(
        sev(&report),
        vec![("app/data.py".into(), "error".into())],
        "{report}"
    );
    assert_eq!(code, 1);
}

const PAYMENTS_CONTROLLER: &str = r#"package uk.gov.hmcts.payment.api.controllers;

import org.springframework.web.bind.annotation.*;

@RestController
public class PaymentController {

    @GetMapping(value = "/payments/{reference}")
    public Payment retrieve(@PathVariable String reference) {
        return service.retrieve(reference);
    }

    /**
     * This API is used only for testing purposes, to roll the payment back
     * so that the refund tests can run.
     */
    @RequestMapping(value = "/payments/ccd_case_reference/{ccd}/lag_time/{lag}", method = PATCH)
    @Transactional
    public ResponseEntity lag(@PathVariable String ccd, @PathVariable String lag) {
        service.lag(ccd, lag);
        return ResponseEntity.ok().build();
    }

    @Operation(summary = "Delete payment failure by failure reference for functional test")
    @ApiResponses(value = {
        @ApiResponse(responseCode = "204", description = "Deleted")
    })
    @DeleteMapping(value = "/payment-status-delete/{failureReference}")
    public void delete(@PathVariable String failureReference) {
        service.delete(failureReference);
    }
}
"#;

/// Class 7 (batch 11's ccpay): a Spring handler whose own description says it exists for tests (its
/// Javadoc, its OpenAPI summary) is a test-support endpoint served by the production jar.
#[test]
fn a_spring_handler_described_as_for_testing_is_a_test_route() {
    let path = "api/src/main/java/uk/gov/hmcts/payment/api/controllers/PaymentController.java";
    let (code, report) = gate_files(&[(path, PAYMENTS_CONTROLLER)]);
    assert_eq!(
        routes(&report),
        vec![(17, "error".into()), (28, "error".into())],
        "{report}"
    );
    assert_eq!(code, 1);
    assert!(
        message_of(&report, "leak/test-route").contains("PATCH /payments/ccd_case_reference"),
        "{report}"
    );

    // Twin: the same controller only in a profile production does not run: notes naming the profile.
    let profiled = PAYMENTS_CONTROLLER.replace(
        "@RestController\n",
        "@RestController\n@Profile(\"functional\")\n",
    );
    let (code, report) = gate_files(&[(path, &profiled)]);
    assert_eq!(
        routes(&report),
        vec![(18, "note".into()), (29, "note".into())],
        "{report}"
    );
    assert_eq!(code, 0, "{report}");

    // Twin: handlers described as product features are not test routes.
    let product = PAYMENTS_CONTROLLER
        .replace("used only for testing purposes", "used by caseworkers")
        .replace("for functional test", "for a caseworker");
    let (_, report) = gate_files(&[(path, &product)]);
    assert_eq!(routes(&report), vec![], "{report}");
}

/// Class 8 (batch 11's misses): contract-testing (Pact), mutation-testing (PIT and its build plugins), a
/// fake SMTP server (dumbster) and JsonPath's matchers are test libraries: in production dependencies
/// they ship with the service.
#[test]
fn contract_mutation_and_fake_mail_test_libraries_in_production_dependencies() {
    let deps = |report: &serde_json::Value| {
        located_with_severity(report)
            .into_iter()
            .filter(|f| f.0 == "leak/test-dependency")
            .map(|f| (f.1, f.2))
            .collect::<Vec<_>>()
    };
    let gemfile = "source \"https://rubygems.org\"\n\ngem \"rails\"\ngem \"pact\", require: false\ngem \"pact_broker-client\"\n\ngroup :test do\n  gem \"rspec-rails\"\nend\n";
    let gradle = "dependencies {\n    implementation 'org.springframework.boot:spring-boot-starter-web'\n    implementation group: 'org.pitest', name: 'pitest', version: '1.23.1'\n    implementation group: 'com.github.kirviq', name: 'dumbster', version: '1.7.1'\n    implementation group: 'com.jayway.jsonpath', name: 'json-path-assert', version: '2.9.0'\n}\n";
    let (_, report) = gate_files(&[("Gemfile", gemfile), ("build.gradle", gradle)]);
    assert_eq!(
        deps(&report),
        vec![
            ("Gemfile".into(), 4),
            ("Gemfile".into(), 5),
            ("build.gradle".into(), 3),
            ("build.gradle".into(), 4),
            ("build.gradle".into(), 5),
        ],
        "{report}"
    );

    // With Rails booting the default group, a gem it requires is loaded; `require: false` is installed
    // only.
    let (_, report) = gate_files(&[
        ("Gemfile", gemfile),
        (
            "config/application.rb",
            "require_relative \"boot\"\nrequire \"rails/all\"\nBundler.require(*Rails.groups)\n",
        ),
    ]);
    let rules: Vec<(String, u64)> = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("leak/test-dependency"))
        .map(|f| (f.0, f.2))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("leak/test-dependency".into(), 4),
            ("leak/test-dependency-loaded".into(), 5),
        ],
        "{report}"
    );

    // Twin: the same libraries in the test group and test configurations ship nothing.
    let gemfile = "source \"https://rubygems.org\"\n\ngem \"rails\"\n\ngroup :development, :test do\n  gem \"pact\", require: false\n  gem \"pact_broker-client\"\nend\n";
    let gradle = gradle
        .replace(
            "    implementation group: 'org",
            "    testImplementation group: 'org",
        )
        .replace(
            "    implementation group: 'com",
            "    testImplementation group: 'com",
        );
    let (_, report) = gate_files(&[("Gemfile", gemfile), ("build.gradle", &gradle)]);
    assert_eq!(deps(&report), vec![], "{report}");
}

const SUPPORT_ROUTES: &str = "Rails.application.routes.draw do\n  namespace :support_interface, path: \"/support\" do\n    resources :test_users, only: %i[index create] do\n      put \"/authenticate\", on: :member, to: \"test_users#authenticate\"\n    end\n  end\nend\n";
const TEST_USERS_CONTROLLER: &str = "module SupportInterface\n  class TestUsersController < SupportInterfaceController\n    before_action :redirect_unless_test_environment\n\n    def authenticate\n      sign_in(User.find(params[:id]))\n    end\n\n    private\n\n    def redirect_unless_test_environment\n      unless HostingEnvironment.test_environment?\n        redirect_to support_interface_root_path\n      end\n    end\n  end\nend\n";

/// Class 9 (batch 11's refer-serious-misconduct): a Rails route to a controller whose `before_action`
/// refuses outside test environments is guarded where the controller is: a note naming the guard.
#[test]
fn a_rails_route_to_a_controller_that_refuses_outside_test_environments_is_a_note() {
    let controller = "app/controllers/support_interface/test_users_controller.rb";
    let (code, report) = gate_files(&[
        ("config/routes.rb", SUPPORT_ROUTES),
        (controller, TEST_USERS_CONTROLLER),
    ]);
    assert_eq!(
        routes(&report),
        vec![(3, "note".into()), (4, "note".into())],
        "{report}"
    );
    assert_eq!(code, 0, "{report}");
    assert!(
        message_of(&report, "leak/test-route").contains("redirect_unless_test_environment"),
        "{report}"
    );

    // Twin: the same controller whose filter only checks the user serves the routes in production.
    let open = TEST_USERS_CONTROLLER.replace(
        "HostingEnvironment.test_environment?",
        "current_staff.support?",
    );
    let (code, report) = gate_files(&[("config/routes.rb", SUPPORT_ROUTES), (controller, &open)]);
    assert_eq!(
        routes(&report),
        vec![(3, "error".into()), (4, "error".into())],
        "{report}"
    );
    assert_eq!(code, 1);
}

/// Class 10 (batch 11's hmpps-manage-users-api): an embedded database in the production dependencies is
/// test support when only the tests' configuration connects to it and the service's own connects
/// elsewhere; with no datasource configured, or a profile that uses it, it is the service's.
#[test]
fn an_embedded_database_only_the_tests_connect_to_is_a_test_dependency() {
    let gradle = "dependencies {\n  implementation(\"org.springframework.boot:spring-boot-starter-data-jpa\")\n  runtimeOnly(\"org.postgresql:postgresql\")\n  runtimeOnly(\"com.h2database:h2:2.4.240\")\n}\n";
    let main = "spring:\n  datasource:\n    url: 'jdbc:postgresql://${DATABASE_ENDPOINT}/${DATABASE_NAME}'\n";
    let test = "spring:\n  datasource:\n    url: jdbc:h2:mem:users-db;MODE=PostgreSQL\n";
    let deps = |report: &serde_json::Value| {
        located_with_severity(report)
            .into_iter()
            .filter(|f| f.0 == "leak/test-dependency")
            .map(|f| (f.1, f.2, f.3))
            .collect::<Vec<_>>()
    };
    let (_, report) = gate_files(&[
        ("build.gradle.kts", gradle),
        ("src/main/resources/application.yml", main),
        ("src/test/resources/application-test.yml", test),
    ]);
    assert_eq!(
        deps(&report),
        vec![("build.gradle.kts".into(), 4, "warning".into())],
        "{report}"
    );

    // Twin: a development profile the service ships uses H2 — it is that profile's database.
    let (_, report) = gate_files(&[
        ("build.gradle.kts", gradle),
        ("src/main/resources/application.yml", main),
        ("src/main/resources/application-dev.yml", test),
    ]);
    assert_eq!(deps(&report), vec![], "{report}");

    // Twin: only a profile names another database (`application-postgres.yml`) — the default profile
    // starts the embedded one.
    let (_, report) = gate_files(&[
        ("build.gradle.kts", gradle),
        (
            "src/main/resources/application.yml",
            "server:\n  port: 8080\n",
        ),
        ("src/main/resources/application-postgres.yml", main),
    ]);
    assert_eq!(deps(&report), vec![], "{report}");

    // Twin: no datasource configured — Spring Boot starts the embedded database in production.
    let (_, report) = gate_files(&[
        ("build.gradle.kts", gradle),
        (
            "src/main/resources/application.yml",
            "server:\n  port: 8080\n",
        ),
    ]);
    assert_eq!(deps(&report), vec![], "{report}");
}
