//! Held-out batch 9, the JavaScript/TypeScript readers: each class of missed leak or false finding,
//! stated once, with a made-up instance and a twin that must still be reported.
use crate::common::*;

fn gate(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    check_json(repo.path(), &[])
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
