//! Held-out batch 7: each class of false finding and of missed leak it showed, stated once, with a
//! made-up instance and a twin that must still be (or, for a miss, not be) reported.
use crate::common::*;

/// Commit `files` and run the gate: (exit code, (rule, path, line, severity) of every finding whose rule
/// starts with `prefix`).
fn gate(files: &[(&str, &str)], prefix: &str) -> (i32, Vec<(String, String, u64, String)>) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    let found = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with(prefix))
        .collect();
    (code, found)
}

fn row(rule: &str, path: &str, line: u64, severity: &str) -> (String, String, u64, String) {
    (rule.into(), path.into(), line, severity.into())
}

const NODE_SERVICE: &[(&str, &str)] = &[
    (
        "package.json",
        "{ \"name\": \"notify\", \"scripts\": { \"start\": \"node src/index.js\" }, \"dependencies\": { \"express\": \"4\" } }\n",
    ),
    ("src/index.js", "require('express')().listen(3000);\n"),
];

fn with<'a>(base: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut out = base.to_vec();
    out.extend_from_slice(extra);
    out
}

/// Class 1: the files a test runner loads before the tests, and browser-test runners' configuration, by
/// the names their documentation gives (`jest.env.js`, `setupJest.js`, `wdio.conf.js`), are test
/// configuration: what they set is the test run's. The same line in a plain `env.js` is still judged.
#[test]
fn a_test_runners_setup_file_is_test_configuration() {
    let env = "process.env.APP_ENV = 'test';\nprocess.env.NODE_ENV = 'development';\n";
    let wdio = "exports.config = {\n  runner: 'local',\n  debug: true,\n  specs: ['./specs/**/*.js'],\n};\n";
    let (code, found) = gate(
        &with(
            NODE_SERVICE,
            &[
                ("apps/notify/jest.env.js", env),
                (
                    "packages/templates/setupJest.js",
                    "require('jest-fetch-mock').enableMocks();\n",
                ),
                ("automation/wdio.conf.js", wdio),
            ],
        ),
        "",
    );
    let located: Vec<_> = found.iter().filter(|f| !f.1.is_empty()).collect();
    assert_eq!(located, Vec::<&(String, String, u64, String)>::new());
    assert_eq!(code, 0);
    // Twin: the same settings in a module of the service.
    let (code, found) = gate(&with(NODE_SERVICE, &[("src/env.js", env)]), "switch/");
    assert!(!found.is_empty(), "{found:?}");
    assert!(found.iter().all(|f| f.1 == "src/env.js"), "{found:?}");
    assert_eq!(code, 1);
}

/// Class 2: a stand-in logger (a do-nothing `DummyLogger` as the default of an optional parameter)
/// silences logging and fakes no data or service: a note, not an error. A stand-in for a service the
/// code talks to, used the same way, is still an error.
#[test]
fn a_stand_in_logger_is_a_note_and_a_stand_in_client_is_still_an_error() {
    let logger = "export class DummyLogger {\n  info(..._args: unknown[]): void {\n    /* Intentionally blank */\n  }\n}\n";
    let command = |import: &str, class: &str| {
        format!("import {{ SQSClient }} from '@aws-sdk/client-sqs';\nimport {{ {class} }} from '{import}';\n\nexport const logger = new {class}();\nexport const client = new SQSClient({{}});\n")
    };
    let uses_logger = command("./dummy/dummyLogger", "DummyLogger");
    let (_, found) = gate(
        &with(
            NODE_SERVICE,
            &[
                ("src/dummy/dummyLogger.ts", logger),
                ("src/sqsCommand.ts", &uses_logger),
            ],
        ),
        "leak/stand-in",
    );
    assert_eq!(
        found,
        vec![row("leak/stand-in", "src/sqsCommand.ts", 2, "note")]
    );
    // Twin: a stand-in for the queue itself.
    let uses_client = command("./dummy/dummyQueueClient", "DummyQueueClient");
    let (code, found) = gate(
        &with(
            NODE_SERVICE,
            &[
                (
                    "src/dummy/dummyQueueClient.ts",
                    "export class DummyQueueClient {\n  send(): void {}\n}\n",
                ),
                ("src/sqsCommand.ts", &uses_client),
            ],
        ),
        "leak/stand-in",
    );
    assert_eq!(
        found,
        vec![row("leak/stand-in", "src/sqsCommand.ts", 2, "error")]
    );
    assert_eq!(code, 1);
}

/// Class 3: a package whose `main` is its gulpfile is a task runner's: the gulp tasks it loads (a local
/// `startSite` with `NODE_ENV=development`) are a developer's, not what production runs. The same task
/// file required by a real entry point is production's.
#[test]
fn a_gulpfile_named_as_main_is_no_production_entry_point() {
    let package = |main: &str| {
        format!("{{ \"name\": \"platform\", \"main\": \"{main}\", \"dependencies\": {{ \"gulp\": \"4\", \"pm2\": \"5\" }} }}\n")
    };
    let tasks = "const pm2 = require('pm2');\nconst startSite = () => pm2.start({\n  script: 'server.js',\n  env: [\n    'NODE_ENV=development',\n  ],\n});\nmodule.exports = { startSite };\n";
    let tree = |main: &str, entry: &'static str| -> Vec<(String, String)> {
        vec![
            ("package.json".into(), package(main)),
            (
                entry.into(),
                "const web = require('./web/gulpfile');\nexports.activate = web.startSite;\n"
                    .into(),
            ),
            ("web/gulpfile.js".into(), tasks.into()),
        ]
    };
    let files = tree("gulpfile.js", "gulpfile.js");
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let (code, found) = gate(&refs, "switch/");
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
    // Twin: a module production runs requires the same task file.
    let files = tree("index.js", "index.js");
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let (code, found) = gate(&refs, "switch/");
    assert_eq!(
        found,
        vec![row(
            "switch/node-env-nonprod",
            "web/gulpfile.js",
            5,
            "error"
        )]
    );
    assert_eq!(code, 1);
}

/// Class 4: in a repository of components, each component's own README (and the documents of its
/// `docs/`) says how that component is tested: it counts as the written process. A README among source
/// code does not.
#[test]
fn a_components_readme_documents_its_process() {
    let testing =
        "# Portal\n\n## Running the tests\n\nRun `npm test` before you open a pull request.\n";
    let undocumented_testing = |path: &'static str| -> usize {
        let repo = Repo::bare();
        repo.write("README.md", "# Platform\n\nThe platform's services.\n")
            .write(path, testing);
        for (p, c) in NODE_SERVICE {
            repo.write(p, c);
        }
        repo.commit("c");
        let (_, report) = check_json(repo.path(), &[]);
        report["findings"].as_array().map_or(0, |a| {
            a.iter()
                .filter(|f| f["rule"] == "process/undocumented-testing")
                .count()
        })
    };
    assert_eq!(undocumented_testing("clientside/portal/README.md"), 0);
    assert_eq!(
        undocumented_testing("clientside/portal/docs/frontend.md"),
        0
    );
    // Twin: the same words in a README beside the source code.
    assert_eq!(undocumented_testing("clientside/src/README.md"), 1);
}

/// Recall class 5: a .NET project that is not a test project ships its `PackageReference`s with what
/// `dotnet publish` outputs: a test library there (coverlet, Moq) reaches the deployed app. The test
/// project beside it references them on purpose.
#[test]
fn test_libraries_in_a_published_dotnet_project() {
    let web = "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <ItemGroup>\n    <PackageReference Include=\"Serilog\" Version=\"3.1.1\" />\n    <PackageReference Include=\"coverlet.collector\" Version=\"3.1.2\" />\n  </ItemGroup>\n</Project>\n";
    let tests = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n    <PackageReference Include=\"Microsoft.NET.Test.Sdk\" Version=\"17.8.0\" />\n    <PackageReference Include=\"Moq\" Version=\"4.20.0\" />\n    <PackageReference Include=\"coverlet.collector\" Version=\"3.1.2\" />\n  </ItemGroup>\n</Project>\n";
    let program = "var app = WebApplication.Create(args);\napp.Run();\n";
    let (code, found) = gate(
        &[
            ("src/Api/Api.csproj", web),
            ("src/Api/Program.cs", program),
            ("src/Api.Checks/Api.Checks.csproj", tests),
        ],
        "leak/",
    );
    assert_eq!(
        found,
        vec![row(
            "leak/test-dependency",
            "src/Api/Api.csproj",
            4,
            "warning"
        )]
    );
    assert_eq!(code, 0, "a warning");
    // Twin: without the test library the published project is clean.
    let clean = web.replace(
        "    <PackageReference Include=\"coverlet.collector\" Version=\"3.1.2\" />\n",
        "",
    );
    let (_, found) = gate(
        &[
            ("src/Api/Api.csproj", &clean),
            ("src/Api/Program.cs", program),
        ],
        "leak/",
    );
    assert_eq!(found, vec![]);
}

/// Recall class 6: `@ngneat/falso` generates made-up records, as faker does: a module production loads
/// that imports it is reported. The same import in a spec is the tests'.
#[test]
fn a_production_module_importing_a_fake_data_library() {
    let schema = "import { randCountry, randText } from '@ngneat/falso';\nexport const sample = () => ({ country: randCountry(), text: randText() });\n";
    let server = "const { sample } = require('./schema');\nrequire('express')().get('/', (q, r) => r.json({})).listen(3000);\n";
    let (_, found) = gate(
        &with(
            NODE_SERVICE,
            &[("src/schema.ts", schema), ("src/index.js", server)],
        ),
        "leak/",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str(), found[0].2),
        ("leak/test-library-import", "src/schema.ts", 1)
    );
    // Twin: the same import in the module's spec.
    let (_, found) = gate(
        &with(NODE_SERVICE, &[("src/schema.spec.ts", schema)]),
        "leak/",
    );
    assert_eq!(found, vec![]);
}

// ------------------------------------------------------------------- prototypes (batch 6's class)

const PROTOTYPE_PAGE: &str = "{% extends \"layouts/main.html\" %}\n{% block content %}\n<dl class=\"govuk-summary-list\">\n  <dd class=\"govuk-summary-list__value\">Jane Doe</dd>\n  <dd class=\"govuk-summary-list__value\">QQ 12 34 56 C</dd>\n</dl>\n{% endblock %}\n";

fn kit(deps: &str) -> String {
    format!("{{ \"scripts\": {{ \"start\": \"govuk-prototype-kit start\" }}, \"dependencies\": {{ {deps} }} }}\n")
}

/// A prototype made with a prototype kit shows made-up people and example numbers on its pages by
/// design and holds no production data: its `data/` findings are notes that say so. The same page in a
/// service is still an error, and a pull request cannot make a service a prototype by adding the kit to
/// its `package.json`: the merge base makes no such claim, so the page is judged as the service's.
#[test]
fn a_prototype_kits_pages_are_made_up_by_design() {
    let (code, found) = gate(
        &[
            ("package.json", &kit("\"govuk-prototype-kit\": \"13.18.1\"")),
            ("app/views/dashboard.html", PROTOTYPE_PAGE),
        ],
        "data/",
    );
    assert!(!found.is_empty());
    assert!(found.iter().all(|f| f.3 == "note"), "{found:?}");
    assert_eq!(code, 0);
    // Twin: a service's page.
    let service = "{ \"scripts\": { \"start\": \"node server.js\" }, \"dependencies\": { \"express\": \"4\", \"nunjucks\": \"3\" } }\n";
    let (code, found) = gate(
        &[
            ("package.json", service),
            ("app/views/dashboard.html", PROTOTYPE_PAGE),
        ],
        "data/never-issued-nino",
    );
    assert_eq!(
        found,
        vec![row(
            "data/never-issued-nino",
            "app/views/dashboard.html",
            5,
            "error"
        )]
    );
    assert_eq!(code, 1);

    // A pull request that adds the kit to a service and the page with it.
    let repo = Repo::new();
    repo.write("package.json", service).commit("service");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write(
        "package.json",
        kit("\"express\": \"4\", \"govuk-prototype-kit\": \"13.18.1\""),
    )
    .write("app/views/dashboard.html", PROTOTYPE_PAGE)
    .commit("a prototype, it says");
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    let nino = finding_of(&report, "data/never-issued-nino");
    assert_eq!(nino["severity"], "error", "{report:#}");
    assert!(
        nino["message"]
            .as_str()
            .unwrap_or("")
            .contains("the merge base makes no such claim"),
        "{report:#}"
    );
    assert_eq!(code, 1);
    // Twin: a page added to a prototype that already was one.
    let repo = Repo::new();
    repo.write("package.json", kit("\"govuk-prototype-kit\": \"13.18.1\""))
        .commit("prototype");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write("app/views/dashboard.html", PROTOTYPE_PAGE)
        .commit("a page");
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(
        finding_of(&report, "data/never-issued-nino")["severity"],
        "note",
        "{report:#}"
    );
    assert_eq!(code, 0);
}

/// Recall class 7: Next.js's pages router serves every file under `pages/` as a route unless
/// `pageExtensions` narrows them, so a test beside its API handler (`pages/api/export.spec.ts`) is
/// served in production. With `pageExtensions` set, or with the test outside `pages/`, it is not.
#[test]
fn a_test_inside_nextjs_pages_is_served_as_a_route() {
    let package = "{ \"name\": \"web\", \"scripts\": { \"start\": \"next start\" }, \"dependencies\": { \"next\": \"14\" } }\n";
    let handler = "export default function handler(req, res) { res.status(200).json({}) }\n";
    let spec = "import handler from './export';\ntest('exports', () => { expect(handler).toBeDefined() });\n";
    let tree = |config: &'static str, spec_at: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("package.json", package),
            ("next.config.js", config),
            ("src/pages/api/export.ts", handler),
            (spec_at, spec),
        ]
    };
    let plain = "module.exports = { output: 'standalone' }\n";
    let (code, found) = gate(
        &tree(plain, "src/pages/api/export.spec.ts"),
        "leak/test-route",
    );
    assert_eq!(
        found,
        vec![row(
            "leak/test-route",
            "src/pages/api/export.spec.ts",
            1,
            "error"
        )]
    );
    assert_eq!(code, 1);
    // Twins: pages narrowed by `pageExtensions`; the test beside the pages, not among them.
    let narrowed = "module.exports = { pageExtensions: ['page.tsx', 'api.ts'] }\n";
    let (_, found) = gate(
        &tree(narrowed, "src/pages/api/export.spec.ts"),
        "leak/test-route",
    );
    assert_eq!(found, vec![]);
    let (_, found) = gate(
        &tree(plain, "src/__tests__/export.spec.ts"),
        "leak/test-route",
    );
    assert_eq!(found, vec![]);
    // A test-support route that answers 404 first unless a flag is set: off by default, a note that
    // names the flag.
    let support = "export default function handler(req, res) {\n  if (process.env.E2E_HTTP_MOCKS !== 'true') {\n    res.status(404).end();\n    return;\n  }\n  res.json({ token: 'x' });\n}\n";
    let mut files = tree(plain, "src/pages/api/export.spec.ts");
    files[3] = ("src/pages/api/e2e/generate-token.ts", support);
    let (code, found) = gate(&files, "leak/test-route");
    assert_eq!(
        found,
        vec![row(
            "leak/test-route",
            "src/pages/api/e2e/generate-token.ts",
            1,
            "note"
        )]
    );
    assert_eq!(code, 0);
}

/// Recall class 8: a production env file whose service URLs name a development host (a copy of
/// `.env.development` left as it was) makes the production build talk to development's services.
/// Production hosts, and the machine's own `localhost`, are not reported; nor is the development file.
#[test]
fn a_production_env_file_pointing_at_development_hosts() {
    let dev = "CONTENT_URI=\"https://cms-dev.cloudapps.digital/api/content/\"\nSITE_URL=\"https://benefits-dev.cloudapps.digital/civilian\"\nLOCALHOST_URL=\"http://localhost:8000\"\n";
    let (_, found) = gate(
        &with(
            NODE_SERVICE,
            &[("web/.env.production", dev), ("web/.env.development", dev)],
        ),
        "leak/nonprod-default",
    );
    assert_eq!(
        found,
        vec![
            row("leak/nonprod-default", "web/.env.production", 1, "warning"),
            row("leak/nonprod-default", "web/.env.production", 2, "warning"),
        ]
    );
    let prod = "CONTENT_URI=\"https://cms.cloudapps.digital/api/content/\"\nLOCALHOST_URL=\"http://localhost:8000\"\nDEVELOPER_EMAIL=\"https://developer.example.gov.uk\"\n";
    let (_, found) = gate(
        &with(NODE_SERVICE, &[("web/.env.production", prod)]),
        "leak/nonprod-default",
    );
    assert_eq!(found, vec![]);
}

/// Batch 6's recall class: IdentityServer's developer signing credential (a key generated on the machine
/// and kept in a file beside the app) called with no condition in production code is a switch left on.
/// Inside `if (builder.Environment.IsDevelopment())` — braces on lines of their own, as C# writes them —
/// it is development's.
#[test]
fn an_identity_servers_developer_signing_key_in_production_code() {
    let unguarded = "var builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddIdentityServer()\n    .AddInMemoryClients(Config.Clients)\n    .AddDeveloperSigningCredential(); // not recommended for production\nvar app = builder.Build();\napp.Run();\n";
    let (code, found) = gate(&[("src/Identity/Program.cs", unguarded)], "switch/");
    assert_eq!(
        found,
        vec![row(
            "switch/developer-signing-key",
            "src/Identity/Program.cs",
            4,
            "error"
        )]
    );
    assert_eq!(code, 1);
    let guarded = "var builder = WebApplication.CreateBuilder(args);\nvar ids = builder.Services.AddIdentityServer();\nif (builder.Environment.IsDevelopment())\n{\n    ids.AddDeveloperSigningCredential();\n}\nelse\n{\n    ids.AddSigningCredential(certificate);\n}\n";
    let (code, found) = gate(&[("src/Identity/Program.cs", guarded)], "switch/");
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
    // Twin: the else branch of the same guard is production's.
    let inverted = guarded
        .replace(
            "ids.AddDeveloperSigningCredential();",
            "ids.AddSigningCredential(certificate);",
        )
        .replacen(
            "ids.AddSigningCredential(certificate);\n}\n",
            "ids.AddDeveloperSigningCredential();\n}\n",
            2,
        );
    let (_, found) = gate(&[("src/Identity/Program.cs", &inverted)], "switch/");
    assert_eq!(found.len(), 1, "{inverted}\n{found:?}");
}

// ------------------------------------------------------------------- batch 8's classes

/// Behave's step definitions (`features/steps/`) and hooks (`features/environment.py`), like Cucumber's
/// `features/step_definitions/`, are test code: their imports of test factories are the tests'. The
/// same import in a view is still an error.
#[test]
fn behave_step_definitions_are_test_code() {
    let factories =
        "import factory\nclass ParticipantFactory(factory.Django.DjangoModelFactory):\n    pass\n";
    let steps = "from behave import given\nfrom app.tests.factories import ParticipantFactory\n\n@given('a participant')\ndef step(context):\n    ParticipantFactory.create()\n";
    let base: Vec<(&str, &str)> = vec![
        ("manage.py", "import django\n"),
        ("app/__init__.py", ""),
        ("app/tests/__init__.py", ""),
        ("app/tests/factories.py", factories),
    ];
    let (code, found) = gate(
        &with(
            &base,
            &[
                ("features/steps/participant_steps.py", steps),
                ("features/environment.py", steps),
            ],
        ),
        "leak/",
    );
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
    let (code, found) = gate(&with(&base, &[("app/views.py", steps)]), "leak/");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "app/views.py");
    assert_eq!(code, 1);
}

/// A Pact consumer test (`contract/fetch-content.contract.ts`, run by its own Jest config) is test code:
/// its imports of jest-pact and the test-data builders are the tests'. The same file among the
/// service's sources is still judged.
#[test]
fn a_pact_contract_test_is_test_code() {
    let pact = "import { pactWith } from 'jest-pact';\nimport { fetchContent } from '../src/fetch';\npactWith({ consumer: 'web', provider: 'content' }, (provider) => {\n  it('fetches', async () => { await fetchContent(provider.mockService.baseUrl); });\n});\n";
    let (code, found) = gate(
        &with(
            NODE_SERVICE,
            &[("contract/fetch-content.contract.ts", pact)],
        ),
        "leak/",
    );
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
    let (_, found) = gate(
        &with(NODE_SERVICE, &[("src/fetch-content.contract.ts", pact)]),
        "leak/test-library-import",
    );
    assert_eq!(found.len(), 1, "{found:?}");
}

/// Postman's collections (requests run by hand or by newman against the API) hold example people and
/// numbers for those requests: test material, not production configuration. The same values in the
/// service's own JSON configuration are still reported.
#[test]
fn a_postman_collection_is_test_material() {
    let collection = "{\n  \"info\": { \"name\": \"order flow\" },\n  \"item\": [{ \"request\": { \"body\": { \"raw\": \"{\\\"email\\\": \\\"alex.doe@example.com\\\", \\\"phone\\\": \\\"+447700900000\\\"}\" } } }]\n}\n";
    let (_, found) = gate(
        &with(
            NODE_SERVICE,
            &[("postman/order_flow.postman_collection.json", collection)],
        ),
        "data/",
    );
    assert_eq!(found, vec![]);
    let (_, found) = gate(
        &with(NODE_SERVICE, &[("config/order_flow.json", collection)]),
        "data/",
    );
    assert!(!found.is_empty());
}

/// TypeScript elides an import whose bindings are only used as types (`x as Optional<T>`): nothing of
/// the test helper is loaded. A binding used as a value, or a side-effect import after a type import,
/// still loads it.
#[test]
fn an_import_used_only_as_a_type_loads_nothing() {
    let helpers = "export type Optional<T> = { [K in keyof T]?: T[K] };\nexport const render = () => 'rendered';\n";
    let typed = "import { Optional } from '../testUtils/unitTestHelpers';\n\nexport function props(body: unknown) {\n  return body as Optional<{ name: string }>;\n}\n";
    let tree = |page: &'static str| -> Vec<(&'static str, &'static str)> {
        with(
            NODE_SERVICE,
            &[
                ("src/testUtils/unitTestHelpers.ts", helpers),
                ("src/pages/props.ts", page),
            ],
        )
    };
    let (_, found) = gate(&tree(typed), "leak/test-import");
    assert_eq!(found, vec![]);
    let valued = "import { Optional, render } from '../testUtils/unitTestHelpers';\n\nexport function props(body: unknown) {\n  render();\n  return body as Optional<{ name: string }>;\n}\n";
    let (_, found) = gate(&tree(valued), "leak/test-import");
    assert_eq!(found.len(), 1, "{found:?}");
    // A value in an object literal, or compared, is a value.
    for value_use in [
        "import { Optional } from '../testUtils/unitTestHelpers';\nexport const cfg = { provider: Optional };\nexport const t = (b: unknown) => b as Optional<{}>;\n",
        "import { Optional } from '../testUtils/unitTestHelpers';\nexport const small = (n: number) => n < Optional;\n",
    ] {
        let (_, found) = gate(&tree(value_use), "leak/test-import");
        assert_eq!(found.len(), 1, "{value_use}\n{found:?}");
    }
    let side_effect = "import { Optional } from '../testUtils/types';\nimport '../testUtils/unitTestHelpers';\n\nexport const x = (b: unknown) => b as Optional<{}>;\n";
    let mut files = tree(side_effect);
    files.push(("src/testUtils/types.ts", "export type Optional<T> = T;\n"));
    let (_, found) = gate(&files, "leak/test-import");
    assert!(
        found
            .iter()
            .any(|f| f.1 == "src/pages/props.ts" && f.2 == 2),
        "{found:?}"
    );
}

/// `cf push` uploads the app's folder less what `.cfignore` excludes, as a Google Cloud source upload
/// does with `.gcloudignore`: a `.cfignore` that leaves `spec/` in ships the tests. One that excludes
/// them ships none.
#[test]
fn a_cloud_foundry_push_ships_what_cfignore_leaves_in() {
    let tree = |cfignore: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![
            ("Gemfile", "source 'https://rubygems.org'\ngem 'rails'\n"),
            (
                "config/application.rb",
                "module Beacon\n  class Application < Rails::Application\n  end\nend\n",
            ),
            ("app/models/contact.rb", "class Contact\nend\n"),
            (
                "spec/models/contact_spec.rb",
                "RSpec.describe Contact do\n  it { expect(1).to eq(1) }\nend\n",
            ),
            (
                "manifest.yml",
                "applications:\n- name: beacon\n  buildpacks: [ruby_buildpack]\n",
            ),
            (".cfignore", cfignore),
        ]
    };
    let (_, found) = gate(&tree("tmp/\nlog/\n.env\n"), "leak/package-ships-tests");
    assert_eq!(
        found,
        vec![row("leak/package-ships-tests", ".cfignore", 1, "warning")]
    );
    let (_, found) = gate(&tree("tmp/\nlog/\nspec/\n"), "leak/package-ships-tests");
    assert_eq!(found, vec![]);
    // A service that moved to an image keeps its old `.cfignore` and manifest: a note.
    let dockerfile = ("Dockerfile", "FROM ruby:3.3\nCOPY app/ /app/app/\n");
    let mut moved = tree("tmp/\nlog/\n.env\n");
    moved.push(dockerfile);
    let (code, found) = gate(&moved, "leak/package-ships-tests");
    assert_eq!(
        found,
        vec![row("leak/package-ships-tests", ".cfignore", 1, "note")]
    );
    assert_eq!(code, 0);
    // A pull request cannot make it one by adding the Dockerfile: the merge base pushed the folder.
    let repo = Repo::new();
    for (p, c) in tree("tmp/\nlog/\n.env\n") {
        repo.write(p, c);
    }
    repo.commit("pushed with cf");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write(dockerfile.0, dockerfile.1)
        .commit("an image, it says");
    let (_, report) = check_json(repo.path(), &["--diff", "main", "--fail-on", "warning"]);
    assert_eq!(
        finding_of(&report, "leak/package-ships-tests")["severity"],
        "warning",
        "{report:#}"
    );
}

/// Made-up records written only when a variable nobody sets in production is set (a seed's
/// `if ENV["SEED_DUMMY_DATA"]` block) are a note that names the flag. The same records outside the
/// block, or behind a flag that is on unless production turns it off, are still warnings.
#[test]
fn made_up_records_behind_a_flag_that_is_off_unless_set_are_a_note() {
    let seeds = |cond: &str| {
        format!("Role.find_or_create_by!(name: 'admin')\n\n{cond}\n  User.create!(email: 'jane.doe@example.com', name: 'Jane Doe')\nend\n")
    };
    let tree = |seed: &str| -> Vec<(String, String)> {
        vec![
            (
                "Gemfile".into(),
                "source 'https://rubygems.org'\ngem 'rails'\n".into(),
            ),
            (
                "config/application.rb".into(),
                "module Outpost\n  class Application < Rails::Application\n  end\nend\n".into(),
            ),
            ("db/seeds.rb".into(), seed.to_string()),
        ]
    };
    let run = |seed: String| {
        let files = tree(&seed);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        gate(&refs, "data/").1
    };
    let found = run(seeds("if ENV[\"SEED_DUMMY_DATA\"]"));
    assert!(!found.is_empty());
    assert!(found.iter().all(|f| f.3 == "note"), "{found:?}");
    let found = run(seeds("unless ENV[\"SKIP_DUMMY_DATA\"]"));
    assert!(found.iter().any(|f| f.3 == "warning"), "{found:?}");
    let found = run(seeds("begin"));
    assert!(found.iter().any(|f| f.3 == "warning"), "{found:?}");
}

/// Hostile pull request against the new test-side names: a production module moved under one of them
/// (`features/steps/`, a Jest environment file's name, a Pact contract's name) is still what production
/// loads, so the import is reported and the module is not hidden as a test.
#[test]
fn a_production_module_renamed_into_a_test_convention_is_still_reported() {
    for (target, spec) in [
        (
            "features/steps/seed_steps.js",
            "../features/steps/seed_steps",
        ),
        ("src/lib/jest.env.js", "./lib/jest.env"),
        ("contract/fetch.contract.js", "../contract/fetch.contract"),
    ] {
        let index = format!("require('{spec}');\nrequire('express')().listen(3000);\n");
        let (code, found) = gate(
            &with(
                NODE_SERVICE,
                &[
                    ("src/index.js", &index),
                    (target, "module.exports = { nino: 'QQ123456C' };\n"),
                ],
            ),
            "leak/",
        );
        assert!(
            found
                .iter()
                .any(|f| f.1 == "src/index.js" && f.2 == 1 && f.3 == "error"),
            "{target}: {found:?}"
        );
        assert_eq!(code, 1, "{target}");
    }
}
