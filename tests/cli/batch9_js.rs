//! Held-out batch 9, the JavaScript/TypeScript readers: each class of missed leak or false finding,
//! stated once, with a made-up instance and a twin that must still be reported.
use crate::common::*;

fn gate(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    gate_files(files)
}

/// (rule, path, line, column) of the `leak/` findings.
fn leaks(report: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    located(report, "leak/")
}

const TYPES_INDEX: &str = "export * from './order';\nexport * from './test-support';\n";
const ORDER_TYPES: &str = "export interface Order {\n  id: string;\n}\n";

/// Class 1: re-exporting (or importing) a test-side TypeScript module that declares nothing but types
/// loads nothing — the compiler erases interfaces and type aliases.
#[test]
fn reexporting_a_types_only_test_module_loads_nothing() {
    let helper_types = "import { Order } from '../order';\n\n/** What the test helpers take. */\nexport interface MakeOrder {\n  data?: Order;\n  wipe?: boolean;\n}\n\nexport type Maker =\n  | 'fast'\n  | 'slow';\n";
    let (_, report) = gate(&[
        ("src/types/index.ts", TYPES_INDEX),
        ("src/types/order.ts", ORDER_TYPES),
        ("src/types/test-support/index.ts", helper_types),
        (
            "src/server.ts",
            "import { Order } from './types';\nexport const o: Order = { id: '1' };\n",
        ),
    ]);
    assert_eq!(leaks(&report), vec![], "{report}");

    // Twin: the same re-export of a test-support module that also holds a value (a function that makes
    // made-up orders) loads it.
    let with_value =
        format!("{helper_types}\nexport const makeOrder = () => ({{ id: 'test-1' }});\n");
    let (_, report) = gate(&[
        ("src/types/index.ts", TYPES_INDEX),
        ("src/types/order.ts", ORDER_TYPES),
        ("src/types/test-support/index.ts", &with_value),
        (
            "src/server.ts",
            "import { Order } from './types';\nexport const o: Order = { id: '1' };\n",
        ),
    ]);
    assert_eq!(
        leaks(&report),
        vec![(
            "leak/test-import".into(),
            "src/types/index.ts".into(),
            2,
            16
        )],
        "{report}"
    );
}

/// Class 5: Chance makes random people, addresses, emails and card numbers as Faker does: a generator of
/// made-up records, noted in production dependencies and reported when production code imports it.
#[test]
fn chance_is_a_generator_of_made_up_records() {
    let manifest = |section: &str| {
        format!(
            "{{\n  \"name\": \"svc\",\n  \"{section}\": {{\n    \"chance\": \"^1.1.0\"\n  }}\n}}\n"
        )
    };
    let (_, report) = gate(&[
        ("package.json", &manifest("dependencies")),
        (
            "src/examples.ts",
            "import Chance from 'chance';\nexport const id = new Chance().guid();\n",
        ),
    ]);
    let found = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("leak/"))
        .collect::<Vec<_>>();
    assert_eq!(
        found,
        vec![
            (
                "leak/faker-dependency".into(),
                "package.json".into(),
                4,
                "note".into()
            ),
            (
                "leak/test-library-import".into(),
                "src/examples.ts".into(),
                1,
                "warning".into()
            ),
        ],
        "{report}"
    );
    // Twin: a development dependency that only the tests import.
    let (_, report) = gate(&[
        ("package.json", &manifest("devDependencies")),
        (
            "src/examples.test.ts",
            "import Chance from 'chance';\nconst id = new Chance().guid();\n",
        ),
    ]);
    assert_eq!(leaks(&report), vec![], "{report}");
}

const NEST_PACKAGE: &str = "{\n  \"name\": \"svc\",\n  \"scripts\": {\n    \"build\": \"nest build -p tsconfig.build.json\",\n    \"start:prod\": \"node dist/main\"\n  },\n  \"dependencies\": {\n    \"@nestjs/core\": \"^10.0.0\"\n  }\n}\n";
const BASE_TSCONFIG: &str = "{\n  // shared\n  \"compilerOptions\": {\n    \"outDir\": \"./dist\",\n  },\n  \"include\": [\"src\", \"test\"],\n}\n";

/// Class 2: the tsconfig the production build compiles with (`nest build -p tsconfig.build.json`)
/// lets a test-support folder into the emitted output when its `exclude` names only the runners' test
/// files: the build ships it wherever `dist/` ships.
#[test]
fn a_build_tsconfig_that_lets_test_support_into_dist_ships_it() {
    let build_config = |exclude: &str| {
        format!("{{\n  \"extends\": \"./tsconfig.json\",\n  \"include\": [\"src\"],\n  \"exclude\": [\n    // tests\n    {exclude}\n  ]\n}}\n")
    };
    let files = |exclude: String| {
        vec![
            ("package.json", NEST_PACKAGE.to_string()),
            ("tsconfig.json", BASE_TSCONFIG.to_string()),
            ("tsconfig.build.json", exclude),
            ("src/main.ts", "export const port = 3000;\n".to_string()),
            (
                "src/orders/test-helpers/index.ts",
                "export const mockOrders = [{ id: 'test-1' }];\n".to_string(),
            ),
            (
                "src/orders/orders.test.ts",
                "import { mockOrders } from './test-helpers';\ntest('x', () => expect(mockOrders).toHaveLength(1));\n".to_string(),
            ),
            ("Dockerfile", "FROM node:20\nCOPY dist dist\nCMD [\"node\", \"dist/main\"]\n".to_string()),
        ]
    };
    let shipped = files(build_config("\"**/*.test.ts\", \"**/*.spec.ts\""));
    let refs: Vec<(&str, &str)> = shipped.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let (_, report) = gate(&refs);
    assert_eq!(
        leaks(&report),
        vec![(
            "leak/package-ships-tests".into(),
            "tsconfig.build.json".into(),
            4,
            3
        )],
        "{report}"
    );
    let msg = message_of(&report, "leak/package-ships-tests");
    assert!(
        msg.contains(
            "1 test and fixture files into its output `dist` (`src/orders/test-helpers/index.ts`)"
        ),
        "{msg}"
    );

    // Twin: the build's tsconfig also excludes the test-support folder.
    let quiet = files(build_config(
        "\"**/*.test.ts\", \"**/*.spec.ts\", \"**/test-helpers\"",
    ));
    let refs: Vec<(&str, &str)> = quiet.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let (_, report) = gate(&refs);
    assert_eq!(leaks(&report), vec![], "{report}");
}

/// `leak/test-route` rows, with severity.
fn routes(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    located_with_severity(report)
        .into_iter()
        .filter(|f| f.0 == "leak/test-route")
        .collect()
}

const NEXT_PACKAGE: &str = "{ \"name\": \"site\", \"scripts\": { \"start\": \"next start\" }, \"dependencies\": { \"next\": \"14\" } }\n";
const NARROWED: &str =
    "module.exports = {\n  reactStrictMode: true,\n  pageExtensions: [\"page.tsx\", \"api.ts\"],\n};\n";
const PLAIN_PAGE: &str =
    "export default function Page() {\n  return <main>Winners of the photo contest</main>;\n}\n";

/// Class 6: with `pageExtensions` set, a file under `pages/` ending in one of them is a route whatever
/// its name; one named as a page for testing (`crashtest.page.tsx`, whose server side throws on
/// purpose) is served to anyone in production unless a flag that is off unless set turns it on.
#[test]
fn a_page_for_testing_is_a_route_when_its_ending_is_a_pages() {
    let throws = "import type { GetServerSideProps } from 'next';\n\nexport const getServerSideProps: GetServerSideProps = async () => {\n  // Shows the error page and logs the exception.\n  throw new Error('Thrown on purpose to check error reporting');\n};\n\nexport default function CrashTest() {\n  return null;\n}\n";
    let (code, report) = gate(&[
        ("site/package.json", NEXT_PACKAGE),
        ("site/next.config.js", NARROWED),
        ("site/src/pages/status/crashtest.page.tsx", throws),
        ("site/src/pages/news/contest.page.tsx", PLAIN_PAGE),
        ("site/src/pages/news/latest.page.tsx", PLAIN_PAGE),
        (
            "site/src/pages/news/latest.test.tsx",
            "import Page from './latest.page';\ntest('renders', () => { expect(Page).toBeDefined(); });\n",
        ),
    ]);
    assert_eq!(
        routes(&report),
        vec![(
            "leak/test-route".into(),
            "site/src/pages/status/crashtest.page.tsx".into(),
            1,
            "error".into()
        )],
        "{report}"
    );
    assert_eq!(code, 1);
    let msg = message_of(&report, "leak/test-route");
    assert!(msg.contains("`/status/crashtest`"), "{msg}");

    // The same page behind a flag that answers "not found" unless set: a note naming the flag.
    let guarded = "export const getServerSideProps = async () => {\n  if (process.env.ENABLE_TEST_PAGES !== 'true') {\n    return { notFound: true };\n  }\n  throw new Error('Thrown on purpose');\n};\n\nexport default function CrashTest() {\n  return null;\n}\n";
    let (_, report) = gate(&[
        ("site/package.json", NEXT_PACKAGE),
        ("site/next.config.js", NARROWED),
        ("site/src/pages/status/test-errors.page.tsx", guarded),
    ]);
    assert_eq!(
        routes(&report),
        vec![(
            "leak/test-route".into(),
            "site/src/pages/status/test-errors.page.tsx".into(),
            1,
            "note".into()
        )],
        "{report}"
    );

    // Twins: the same page with an ending that is not a page's is no route; a comment naming
    // `pageExtensions` narrows nothing, so a test beside the pages is still served.
    let (_, report) = gate(&[
        ("site/package.json", NEXT_PACKAGE),
        ("site/next.config.js", NARROWED),
        ("site/src/pages/status/crashtest.tsx", throws),
    ]);
    assert_eq!(routes(&report), vec![], "{report}");
    let (_, report) = gate(&[
        ("site/package.json", NEXT_PACKAGE),
        (
            "site/next.config.js",
            "// pageExtensions: [\"page.tsx\"] once the pages are renamed\nmodule.exports = {};\n",
        ),
        (
            "site/src/pages/news/latest.test.tsx",
            "import Page from './latest';\ntest('renders', () => { expect(Page).toBeDefined(); });\n",
        ),
        ("site/src/pages/news/latest.tsx", PLAIN_PAGE),
    ]);
    assert_eq!(
        routes(&report),
        vec![(
            "leak/test-route".into(),
            "site/src/pages/news/latest.test.tsx".into(),
            1,
            "error".into()
        )],
        "{report}"
    );
}

/// Class 7: node-config loads `config/<NODE_ENV>.*` only in that environment, as Rails loads
/// `config/environments/test.rb` only under test: in a `config/` folder holding `default.*`,
/// `config/test.js` is the test environment's settings, not test material the image ships.
#[test]
fn node_configs_test_environment_file_is_not_shipped_test_material() {
    let dockerfile = "FROM node:20-slim\nWORKDIR /app\nCOPY package.json .\nCOPY ./dist ./dist\nCOPY ./config ./config\nCMD [\"node\", \"dist/server.js\"]\n";
    let tree = |extra: &[(&'static str, &'static str)]| {
        let mut t = vec![
            ("svc/Dockerfile", dockerfile),
            (
                "svc/package.json",
                "{ \"name\": \"svc\", \"dependencies\": { \"config\": \"^3.3.0\" } }\n",
            ),
            (
                "svc/dist/server.js",
                "const config = require('config');\nconsole.log(config.get('port'));\n",
            ),
            ("svc/config/production.json", "{ \"port\": 8080 }\n"),
            (
                "svc/config/test.js",
                "module.exports = { port: 0, api: { baseURL: 'http://localhost:4000' } };\n",
            ),
        ];
        t.extend_from_slice(extra);
        t
    };
    let copy_all = |report: &serde_json::Value| -> Vec<(String, String, u64, u64)> {
        leaks(report)
            .into_iter()
            .filter(|l| l.0 == "leak/docker-copy-all")
            .collect()
    };
    let (_, report) = gate(&tree(&[("svc/config/default.yml", "port: 3000\n")]));
    assert_eq!(copy_all(&report), vec![], "{report}");

    // Twins: a `config/` folder without node-config's `default.*`; a script in node-config's folder whose
    // name is no environment's (a test runner's setup file).
    let (_, report) = gate(&tree(&[]));
    assert_eq!(
        copy_all(&report),
        vec![("leak/docker-copy-all".into(), "svc/Dockerfile".into(), 5, 6)],
        "{report}"
    );
    let (_, report) = gate(&tree(&[
        ("svc/config/default.yml", "port: 3000\n"),
        (
            "svc/config/test-setup.js",
            "process.env.API_URL = 'http://localhost:4000';\nbeforeEach(() => jest.resetModules());\n",
        ),
    ]));
    assert_eq!(
        copy_all(&report),
        vec![("leak/docker-copy-all".into(), "svc/Dockerfile".into(), 5, 6)],
        "{report}"
    );
    let msg = message_of(&report, "leak/docker-copy-all");
    assert!(msg.contains("`svc/config/test-setup.js`"), "{msg}");
}

/// Class 8: a hapi route on a path named for an error (`/error`, `/crash`) whose handler does nothing
/// but fail on purpose (`return Boom.badImplementation(…)`, `throw new Error(…)`) exists to test error
/// handling: served in production to anyone, unguarded.
#[test]
fn a_hapi_route_that_only_fails_on_purpose_tests_error_handling() {
    let crash = "const Boom = require('@hapi/boom')\n\nmodule.exports = {\n  method: 'GET',\n  path: '/crash',\n  options: {\n    description: 'Lets us test the error pages',\n    handler: async (request, h) => {\n      return Boom.badImplementation('crash on purpose')\n    }\n  }\n}\n";
    let health = "const Boom = require('@hapi/boom')\n\nmodule.exports = {\n  method: 'GET',\n  path: '/error-rate',\n  options: {\n    description: 'Error rate for the status page (tested by the smoke tests)',\n    handler: async (request, h) => {\n      const rate = await request.server.methods.errorRate()\n      if (rate === undefined) {\n        return Boom.badImplementation('no rate')\n      }\n      return { rate }\n    }\n  }\n}\n";
    let todo = "const Boom = require('@hapi/boom')\n\nmodule.exports = {\n  method: 'POST',\n  path: '/claims/{id}/appeal',\n  options: {\n    description: 'Appeals: not built yet (see the test plan)',\n    handler: () => Boom.notImplemented('appeals')\n  }\n}\n";
    let index = "module.exports = [\n  require('./crash'),\n  require('./error-rate'),\n  require('./appeal')\n]\n";
    let (code, report) = gate(&[
        (
            "package.json",
            "{ \"name\": \"svc\", \"main\": \"index.js\", \"dependencies\": { \"@hapi/hapi\": \"^21.0.0\" } }\n",
        ),
        (
            "index.js",
            "const Hapi = require('@hapi/hapi')\nconst server = Hapi.server({ port: 3000 })\nserver.route(require('./server/routes'))\nserver.start()\n",
        ),
        ("server/routes/index.js", index),
        ("server/routes/crash.js", crash),
        ("server/routes/error-rate.js", health),
        ("server/routes/appeal.js", todo),
    ]);
    assert_eq!(
        routes(&report),
        vec![(
            "leak/test-route".into(),
            "server/routes/crash.js".into(),
            5,
            "error".into()
        )],
        "{report}"
    );
    assert_eq!(code, 1);
}
