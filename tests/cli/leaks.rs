//! `leak/…` rules through the binary: for each rule, a production file or artefact that leaks test code or
//! fixtures fails the gate at the exact span of the reference, and its legitimate twin — the same reference
//! from a test file, a `#[cfg(test)]` module, a `_test.go` file, `src/test/java`, `__tests__`, a builder
//! stage — passes.
use crate::common::*;

/// A finding as the JSON report gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    rule: String,
    path: String,
    line: u64,
    column: u64,
    end_column: u64,
    message: String,
}

fn hits(report: &serde_json::Value) -> Vec<Hit> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Hit {
            rule: f["rule"].as_str().unwrap().to_string(),
            path: f["location"]["path"].as_str().unwrap_or("").to_string(),
            line: f["location"]["line"].as_u64().unwrap_or(0),
            column: f["location"]["column"].as_u64().unwrap_or(0),
            end_column: f["location"]["end_column"].as_u64().unwrap_or(0),
            message: f["message"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// Commit `files` in a fresh repository and run the gate with `extra` flags.
fn gate(files: &[(&str, &str)], extra: &[&str]) -> (i32, Vec<Hit>) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    let (code, report) = check_json(repo.path(), extra);
    (code, hits(&report))
}

/// The gate fails with exactly one finding: `rule` at `path:line`, spanning `columns`, its message
/// containing `says`.
#[track_caller]
fn fails_once(
    files: &[(&str, &str)],
    extra: &[&str],
    rule: &str,
    path: &str,
    line: u64,
    columns: (u64, u64),
    says: &str,
) {
    let (code, found) = gate(files, extra);
    assert_eq!(found.len(), 1, "{found:#?}");
    let h = &found[0];
    assert_eq!(
        (
            h.rule.as_str(),
            h.path.as_str(),
            h.line,
            h.column,
            h.end_column
        ),
        (rule, path, line, columns.0, columns.1),
        "{h:#?}"
    );
    assert!(h.message.contains(says), "{:?} lacks {says:?}", h.message);
    assert_eq!(code, 1, "the gate must fail: {found:#?}");
}

#[track_caller]
fn passes(files: &[(&str, &str)], extra: &[&str]) {
    let (code, found) = gate(files, extra);
    assert_eq!((code, found), (0, vec![]));
}

const FAIL_ON_NOTE: &[&str] = &["--fail-on", "note"];

// ---------------------------------------------------------------- leak/test-import

#[test]
fn python_production_import_of_test_factories() {
    let tree = |importer: &'static str| {
        vec![
            ("app/__init__.py", ""),
            ("tests/__init__.py", ""),
            ("tests/factories.py", "def make_user():\n    return {}\n"),
            (
                importer,
                "import os\nfrom tests.factories import make_user\n",
            ),
        ]
    };
    fails_once(
        &tree("app/notify.py"),
        &[],
        "leak/test-import",
        "app/notify.py",
        2,
        (6, 21),
        "imports `tests/factories.py` (test code)",
    );
    passes(&tree("tests/test_notify.py"), &[]);
}

#[test]
fn python_import_of_conftest_and_docstring_mentions() {
    fails_once(
        &[
            ("conftest.py", "import pytest\n"),
            ("service/run.py", "import conftest\n"),
        ],
        &[],
        "leak/test-import",
        "service/run.py",
        1,
        (8, 16),
        "imports `conftest.py`",
    );
    passes(
        &[
            ("conftest.py", "X = 1\n"),
            (
                "service/run.py",
                "\"\"\"Run it.\n\n    import conftest  # in your tests\n\"\"\"\n# from tests.factories import make_user\n",
            ),
        ],
        &[],
    );
}

#[test]
fn javascript_import_of_test_helpers_resolves_relative_specifiers() {
    let tree = |importer: &'static str, spec: &str| {
        vec![
            ("src/__tests__/helpers.ts", "export const user = {};\n"),
            (
                importer,
                format!("import {{ user }} from '{spec}';\n").leak() as &str,
            ),
        ]
    };
    fails_once(
        &tree("src/api/users.ts", "../__tests__/helpers"),
        &[],
        "leak/test-import",
        "src/api/users.ts",
        1,
        (23, 43),
        "imports `src/__tests__/helpers.ts` (test code)",
    );
    passes(&tree("src/__tests__/users.test.ts", "./helpers"), &[]);
}

#[test]
fn go_import_of_a_testutil_package() {
    let tree = |importer: &'static str| {
        vec![
            ("go.mod", "module example.com/app\n\ngo 1.22\n"),
            (
                "internal/testutil/db.go",
                "package testutil\n\nimport \"testing\"\n\nfunc DB(t *testing.T) {}\n",
            ),
            (
                importer,
                "package store\n\nimport (\n\t\"fmt\"\n\t\"example.com/app/internal/testutil\"\n)\n\nvar _ = fmt.Sprint\nvar _ = testutil.DB\n",
            ),
        ]
    };
    fails_once(
        &tree("internal/store/store.go"),
        &[],
        "leak/test-import",
        "internal/store/store.go",
        5,
        (3, 36),
        "imports package `internal/testutil` (test code)",
    );
    passes(&tree("internal/store/store_test.go"), &[]);
}

#[test]
fn ruby_require_of_spec_support() {
    let tree = |importer: &'static str| {
        vec![
            ("spec/spec_helper.rb", "RSpec.configure { |c| c }\n"),
            (importer, "require 'json'\nrequire \"spec_helper\"\n"),
        ]
    };
    fails_once(
        &tree("app/models/user.rb"),
        &[],
        "leak/test-import",
        "app/models/user.rb",
        2,
        (10, 21),
        "requires `spec/spec_helper.rb` (test code)",
    );
    passes(&tree("spec/models/user_spec.rb"), &[]);
}

#[test]
fn java_import_of_a_class_that_only_exists_in_test_sources() {
    let tree = |importer: &'static str| {
        vec![
            (
                "src/test/java/com/acme/OwnerTestData.java",
                "package com.acme;\npublic class OwnerTestData {}\n",
            ),
            // In both source sets: not test-only.
            (
                "src/main/java/com/acme/Clock.java",
                "package com.acme;\npublic class Clock {}\n",
            ),
            (
                "src/test/java/com/acme/Clock.java",
                "package com.acme;\npublic class Clock {}\n",
            ),
            (
                importer,
                "package com.acme;\n\nimport com.acme.Clock;\nimport com.acme.OwnerTestData;\n\npublic class Owners {}\n",
            ),
        ]
    };
    fails_once(
        &tree("src/main/java/com/acme/Owners.java"),
        &[],
        "leak/test-import",
        "src/main/java/com/acme/Owners.java",
        4,
        (8, 30),
        "exists only in test sources (`src/test/java/com/acme/OwnerTestData.java`",
    );
    passes(&tree("src/test/java/com/acme/OwnersTest.java"), &[]);
}

#[test]
fn rust_path_attribute_into_tests_outside_cfg_test() {
    let leak = "#[path = \"../tests/common/mod.rs\"]\nmod common;\n\npub fn f() {}\n";
    let twin = "pub fn f() {}\n\n#[cfg(test)]\nmod tests {\n    #[path = \"../../tests/common/mod.rs\"]\n    mod common;\n}\n";
    let tree = |lib: &'static str| {
        vec![
            (
                "Cargo.toml",
                "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n",
            ),
            ("tests/common/mod.rs", "pub fn setup() {}\n"),
            ("src/lib.rs", lib),
        ]
    };
    fails_once(
        &tree(leak),
        &[],
        "leak/test-import",
        "src/lib.rs",
        1,
        (11, 33),
        "imports `tests/common/mod.rs` (test code)",
    );
    passes(&tree(twin), &[]);
}

#[test]
fn rust_mod_of_a_test_module_unless_it_is_cfg_test_itself() {
    let tree = |helpers: &'static str| {
        vec![
            ("src/lib.rs", "mod tests;\npub fn f() {}\n"),
            ("src/tests.rs", helpers),
        ]
    };
    fails_once(
        &tree("pub fn fixture() -> u8 { 1 }\n"),
        &[],
        "leak/test-import",
        "src/lib.rs",
        1,
        (5, 10),
        "declares module `src/tests.rs` (test code)",
    );
    passes(&tree("#![cfg(test)]\npub fn fixture() -> u8 { 1 }\n"), &[]);
}

// ---------------------------------------------------------------- leak/fixture-import

#[test]
fn javascript_import_of_a_mock_module() {
    let tree = |importer: &'static str, spec: &str| {
        vec![
            (
                "src/__mocks__/payments.ts",
                "export const charge = () => true;\n",
            ),
            (
                importer,
                format!("import {{ charge }} from \"{spec}\";\n").leak() as &str,
            ),
        ]
    };
    fails_once(
        &tree("src/checkout.ts", "./__mocks__/payments"),
        &[],
        "leak/fixture-import",
        "src/checkout.ts",
        1,
        (25, 45),
        "imports `src/__mocks__/payments.ts` (fixture)",
    );
    passes(
        &tree("src/__tests__/checkout.test.ts", "../__mocks__/payments"),
        &[],
    );
}

#[test]
fn python_relative_import_of_a_fixtures_package() {
    let tree = |importer: &'static str| {
        vec![
            ("app/__init__.py", ""),
            ("app/fixtures/__init__.py", ""),
            ("app/fixtures/users.py", "USERS = []\n"),
            (importer, "from .fixtures import users\n"),
        ]
    };
    fails_once(
        &tree("app/seed.py"),
        &[],
        "leak/fixture-import",
        "app/seed.py",
        1,
        (6, 15),
        "imports `app/fixtures/users.py` (fixture)",
    );
    passes(&tree("app/test_seed.py"), &[]);
}

// ---------------------------------------------------------------- leak/fixture-read

#[test]
fn python_reads_a_fixture_file_at_run_time() {
    let tree = |reader: &'static str| {
        vec![
            ("tests/fixtures/people.json", "[]\n"),
            (
                reader,
                "import json\n\nPEOPLE = json.load(open(\"tests/fixtures/people.json\"))\n",
            ),
        ]
    };
    fails_once(
        &tree("app/seed.py"),
        &[],
        "leak/fixture-read",
        "app/seed.py",
        3,
        (26, 52),
        "reads `tests/fixtures/people.json` (fixture) at run time",
    );
    passes(&tree("tests/test_seed.py"), &[]);
}

#[test]
fn rust_include_str_of_a_fixture_outside_cfg_test() {
    let leak = "pub const PEOPLE: &str = include_str!(\"../tests/fixtures/people.json\");\n";
    let twin = "pub fn f() {}\n\n#[cfg(test)]\nmod tests {\n    const PEOPLE: &str = include_str!(\"../../tests/fixtures/people.json\");\n}\n";
    let tree =
        |lib: &'static str| vec![("tests/fixtures/people.json", "[]\n"), ("src/lib.rs", lib)];
    fails_once(
        &tree(leak),
        &[],
        "leak/fixture-read",
        "src/lib.rs",
        1,
        (40, 69),
        "embeds `tests/fixtures/people.json` (fixture) into the build",
    );
    passes(&tree(twin), &[]);
}

#[test]
fn ruby_loads_fixture_yaml_through_rails_root() {
    let tree = |reader: &'static str| {
        vec![
            ("spec/fixtures/people.yml", "- name: x\n"),
            (
                reader,
                "PEOPLE = YAML.load_file(Rails.root.join('spec', 'fixtures', 'people.yml'))\n",
            ),
        ]
    };
    fails_once(
        &tree("app/models/person.rb"),
        &[],
        "leak/fixture-read",
        "app/models/person.rb",
        1,
        (42, 72),
        "reads `spec/fixtures/people.yml` (fixture)",
    );
    passes(&tree("spec/models/person_spec.rb"), &[]);
}

// ---------------------------------------------------------------- leak/go-testing-import

#[test]
fn go_testing_outside_tests_and_helper_packages() {
    let helper = "package store\n\nimport \"testing\"\n\nfunc Must(t *testing.T) {}\n";
    fails_once(
        &[("internal/store/helpers.go", helper)],
        &["--fail-on", "warning"],
        "leak/go-testing-import",
        "internal/store/helpers.go",
        3,
        (9, 16),
        "imports \"testing\"",
    );
    passes(
        &[
            ("internal/store/helpers_test.go", helper),
            (
                "internal/storetest/helpers.go",
                "package storetest\n\nimport \"testing\"\n\nfunc Must(t *testing.T) {}\n",
            ),
        ],
        &["--fail-on", "warning"],
    );
}

// ---------------------------------------------------------------- leak/test-library-import

#[test]
fn test_doubles_and_fakers_in_production_code() {
    let py = "from unittest import mock\n\nclient = mock.Mock()\n";
    fails_once(
        &[("app/payments.py", py)],
        &["--fail-on", "warning"],
        "leak/test-library-import",
        "app/payments.py",
        1,
        (6, 26),
        "imports `unittest.mock`",
    );
    passes(&[("tests/test_payments.py", py)], &["--fail-on", "warning"]);

    let js = "import sinon from 'sinon';\nexport const clock = sinon.useFakeTimers();\n";
    fails_once(
        &[("src/clock.js", js)],
        &["--fail-on", "warning"],
        "leak/test-library-import",
        "src/clock.js",
        1,
        (20, 25),
        "imports `sinon`",
    );
    passes(&[("src/__tests__/clock.js", js)], &["--fail-on", "warning"]);

    let java = "package com.acme;\n\nimport org.mockito.Mockito;\n\npublic class Wiring {}\n";
    fails_once(
        &[("src/main/java/com/acme/Wiring.java", java)],
        &["--fail-on", "warning"],
        "leak/test-library-import",
        "src/main/java/com/acme/Wiring.java",
        3,
        (8, 27),
        "imports `org.mockito.Mockito`",
    );
    passes(
        &[("src/test/java/com/acme/WiringTest.java", java)],
        &["--fail-on", "warning"],
    );

    let go = "package pay\n\nimport \"github.com/brianvoe/gofakeit/v6\"\n\nvar _ = gofakeit.Name\n";
    fails_once(
        &[("pay/names.go", go)],
        &["--fail-on", "warning"],
        "leak/test-library-import",
        "pay/names.go",
        3,
        (9, 40),
        "a generator of made-up records",
    );
    passes(&[("pay/names_test.go", go)], &["--fail-on", "warning"]);
}

// ---------------------------------------------------------------- leak/test-dependency

#[test]
fn cargo_production_dependency_on_a_test_crate_or_feature() {
    let manifest = |section: &str| {
        format!(
            "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[{section}]\ntokio = {{ version = \"1\", features = [\"rt\", \"test-util\"] }}\n"
        )
    };
    let leak = manifest("dependencies");
    fails_once(
        &[("Cargo.toml", &leak)],
        &["--fail-on", "warning"],
        "leak/test-dependency",
        "Cargo.toml",
        6,
        (45, 54),
        "production dependency `tokio` enables the test feature `test-util`",
    );
    let twin = manifest("dev-dependencies");
    passes(&[("Cargo.toml", &twin)], &["--fail-on", "warning"]);

    fails_once(
        &[(
            "Cargo.toml",
            "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\nmockall = \"0.13\"\n",
        )],
        &["--fail-on", "warning"],
        "leak/test-dependency",
        "Cargo.toml",
        6,
        (1, 8),
        "`mockall` is a test framework or test double library",
    );
}

#[test]
fn npm_production_dependency_on_jest() {
    let pkg = |section: &str| {
        format!(
            "{{\n  \"name\": \"web\",\n  \"{section}\": {{\n    \"jest\": \"^29.0.0\"\n  }}\n}}\n"
        )
    };
    fails_once(
        &[("package.json", &pkg("dependencies"))],
        &["--fail-on", "warning"],
        "leak/test-dependency",
        "package.json",
        4,
        (6, 10),
        "production dependency `jest`",
    );
    passes(
        &[("package.json", &pkg("devDependencies"))],
        &["--fail-on", "warning"],
    );
}

// ---------------------------------------------------------------- leak/faker-dependency

#[test]
fn faker_in_production_requirements_is_a_note() {
    let reqs = "flask==3.0.0\nFaker==24.0.0\n";
    let (code, found) = gate(&[("requirements.txt", reqs)], &[]);
    assert_eq!(code, 0, "a note does not fail the default gate: {found:#?}");
    fails_once(
        &[("requirements.txt", reqs)],
        FAIL_ON_NOTE,
        "leak/faker-dependency",
        "requirements.txt",
        2,
        (1, 6),
        "production dependency `Faker` (a generator of made-up records)",
    );
    passes(&[("requirements-dev.txt", reqs)], FAIL_ON_NOTE);
    let gemfile = |body: &str| format!("source 'https://rubygems.org'\ngem 'rails'\n{body}");
    fails_once(
        &[("Gemfile", &gemfile("gem 'faker'\n"))],
        FAIL_ON_NOTE,
        "leak/faker-dependency",
        "Gemfile",
        3,
        (6, 11),
        "`faker`",
    );
    passes(
        &[(
            "Gemfile",
            &gemfile("group :development, :test do\n  gem 'faker'\nend\n"),
        )],
        FAIL_ON_NOTE,
    );
}

// ---------------------------------------------------------------- leak/docker-copies-tests

#[test]
fn dockerfile_final_stage_copying_fixtures() {
    let leak = "FROM python:3.12-slim\nWORKDIR /app\nCOPY app/ app/\nCOPY tests/fixtures/ /app/fixtures/\n";
    let twin = "FROM python:3.12 AS builder\nWORKDIR /src\nCOPY app/ app/\nCOPY tests/fixtures/ tests/fixtures/\nRUN python -m pytest\n\nFROM python:3.12-slim\nCOPY --from=builder /src/app /app\n";
    let tree = |df: &'static str| {
        vec![
            ("Dockerfile", df),
            ("app/main.py", "print('hi')\n"),
            ("tests/fixtures/people.json", "[]\n"),
        ]
    };
    fails_once(
        &tree(leak),
        &[],
        "leak/docker-copies-tests",
        "Dockerfile",
        4,
        (6, 21),
        "the production stage copies `tests/fixtures/` (fixture) into the image",
    );
    passes(&tree(twin), &[]);
}

// ---------------------------------------------------------------- leak/docker-copy-all

#[test]
fn dockerfile_copy_all_needs_a_dockerignore_that_excludes_tests() {
    let tree = |ignore: Option<&'static str>| {
        let mut t = vec![
            (
                "Dockerfile",
                "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"src/index.js\"]\n",
            ),
            ("src/index.js", "console.log('hi');\n"),
            ("test/index.test.js", "test('x', () => {});\n"),
        ];
        if let Some(i) = ignore {
            t.push((".dockerignore", i));
        }
        t
    };
    fails_once(
        &tree(Some("node_modules\n")),
        &["--fail-on", "warning"],
        "leak/docker-copy-all",
        "Dockerfile",
        3,
        (6, 7),
        "which holds 1 test and fixture files (`test/index.test.js`, …)",
    );
    passes(
        &tree(Some("node_modules\ntest/\n")),
        &["--fail-on", "warning"],
    );
}

// ---------------------------------------------------------------- leak/package-ships-tests

#[test]
fn find_packages_without_excluding_the_tests_package() {
    let tree = |call: &'static str| {
        vec![
            ("setup.py", call),
            ("svc/__init__.py", ""),
            ("tests/__init__.py", ""),
            ("tests/test_svc.py", "def test_x():\n    pass\n"),
        ]
    };
    fails_once(
        &tree("from setuptools import setup, find_packages\n\nsetup(name='svc', packages=find_packages())\n"),
        &["--fail-on", "warning"],
        "leak/package-ships-tests",
        "setup.py",
        3,
        (28, 41),
        "installs the top-level test package `tests` (tests/__init__.py)",
    );
    passes(
        &tree("from setuptools import setup, find_packages\n\nsetup(name='svc', packages=find_packages(exclude=['tests', 'tests.*']))\n"),
        &["--fail-on", "warning"],
    );
}

#[test]
fn package_json_files_publishing_fixtures() {
    let pkg =
        |files: &str| format!("{{\n  \"name\": \"lib\",\n  \"files\": [\"dist\", {files}]\n}}\n");
    fails_once(
        &[("package.json", &pkg("\"test/fixtures\""))],
        &["--fail-on", "warning"],
        "leak/package-ships-tests",
        "package.json",
        3,
        (22, 35),
        "publishes `test/fixtures` (fixture)",
    );
    passes(
        &[("package.json", &pkg("\"!**/*.test.js\""))],
        &["--fail-on", "warning"],
    );
}

// ---------------------------------------------------------------- leak/source-package-ships-tests

#[test]
fn manifest_in_grafting_tests_is_a_note() {
    fails_once(
        &[("MANIFEST.in", "include README.md\ngraft tests\n")],
        FAIL_ON_NOTE,
        "leak/source-package-ships-tests",
        "MANIFEST.in",
        2,
        (7, 12),
        "puts `tests` (test code) in the source distribution",
    );
    passes(
        &[(
            "MANIFEST.in",
            "include README.md\ngraft tests\nprune tests\n",
        )],
        FAIL_ON_NOTE,
    );
}

// ---------------------------------------------------------------- catalogue and configuration

#[test]
fn every_leak_rule_is_documented_and_explained() {
    let ids: Vec<String> = rule_catalogue()
        .into_iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .filter(|id| id.starts_with("leak/"))
        .collect();
    assert_eq!(ids.len(), 16, "{ids:?}");
    for id in &ids {
        let r = run(&["explain", id], &std::env::temp_dir());
        assert_eq!(r.code, 0, "{id}: {}", r.stderr);
        let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains("prevent code being inadvertently added to live systems"),
            "{id}'s why must cite the recommendation:\n{}",
            r.stdout
        );
    }
}

#[test]
fn user_path_classes_decide_what_counts_as_test_code() {
    let files = [
        ("qa/helpers.py", "def make():\n    return 1\n"),
        ("app/run.py", "from qa.helpers import make\n"),
    ];
    passes(&files, &[]);
    let mut with_config = files.to_vec();
    with_config.push(("shipgate.toml", "[paths]\ntest = [\"qa/\"]\n"));
    fails_once(
        &with_config,
        &[],
        "leak/test-import",
        "app/run.py",
        1,
        (6, 16),
        "imports `qa/helpers.py` (test code)",
    );
    let mut off = with_config.clone();
    off.pop();
    off.push((
        "shipgate.toml",
        "[paths]\ntest = [\"qa/\"]\n\n[rules]\n\"leak/test-import\" = \"off\"\n",
    ));
    passes(&off, &[]);
}

// ---------------------------------------------------------------- precision regressions

/// Shapes from real repositories that a maintainer would not call leaks (docs/precision.md).
#[test]
fn real_world_shapes_that_are_not_leaks() {
    let strict = &["--fail-on", "note"][..];
    // undici: the package's public mocking API lives in lib/mock/ and index.js exports it.
    passes(
        &[
            ("lib/mock/mock-agent.js", "module.exports = class MockAgent {};\n"),
            ("index.js", "const MockAgent = require('./lib/mock/mock-agent')\nmodule.exports.MockAgent = MockAgent\n"),
        ],
        strict,
    );
    // crates.io: an admin command that sends a test e-mail is production code.
    passes(
        &[
            ("src/bin/admin/mod.rs", "mod test_email;\n"),
            ("src/bin/admin/test_email.rs", "pub fn run() {}\n"),
        ],
        strict,
    );
    // spring-boot: a class in the production source set, in a package named `testing`.
    passes(
        &[
            (
                "buildSrc/src/main/java/org/acme/build/testing/TestFailuresPlugin.java",
                "package org.acme.build.testing;\npublic class TestFailuresPlugin {}\n",
            ),
            (
                "buildSrc/src/main/java/org/acme/build/JavaConventions.java",
                "package org.acme.build;\nimport org.acme.build.testing.TestFailuresPlugin;\npublic class JavaConventions {}\n",
            ),
        ],
        strict,
    );
    // spring-boot: a module whose purpose is test support may use test libraries.
    passes(
        &[(
            "module/spring-boot-webtestclient/src/main/java/org/acme/WebTestClientAutoConfiguration.java",
            "package org.acme;\nimport org.springframework.test.web.reactive.server.WebTestClient;\npublic class WebTestClientAutoConfiguration {}\n",
        )],
        strict,
    );
    // prometheus: promtool uses client_golang's production linter that lives under testutil/.
    passes(
        &[(
            "cmd/promtool/main.go",
            "package main\n\nimport (\n\t\"github.com/prometheus/client_golang/prometheus/testutil/promlint\"\n)\n\nvar _ = promlint.New\n",
        )],
        strict,
    );
    // crates.io: build-tool configuration importing a build plugin and the test runner's config.
    passes(
        &[
            (
                "svelte/src/build/strip-test-selectors.js",
                "export default () => ({});\n",
            ),
            (
                "svelte/svelte.config.js",
                "import stripTestSelectors from './src/build/strip-test-selectors.js';\n",
            ),
            (
                "svelte/vite.config.ts",
                "import { defineConfig } from 'vitest/config';\n",
            ),
        ],
        strict,
    );
    // vue: vitest benchmark files are not production code.
    passes(
        &[(
            "packages/reactivity/__benchmarks__/ref.bench.ts",
            "import { bench } from 'vitest'\n",
        )],
        strict,
    );
}

/// The leak that saleor's createsuperuser command really has: a production management command importing
/// a helper whose own docstring says it must never be used in production.
#[test]
fn production_command_importing_a_test_fixture_helper() {
    fails_once(
        &[
            ("saleor/__init__.py", ""),
            ("saleor/account/__init__.py", ""),
            ("saleor/account/management/__init__.py", ""),
            ("saleor/account/management/commands/__init__.py", ""),
            ("saleor/account/tests/__init__.py", ""),
            ("saleor/account/tests/fixtures/__init__.py", ""),
            (
                "saleor/account/tests/fixtures/user.py",
                "def dangerously_get_or_create_superuser(email):\n    \"\"\"Never call this in production.\"\"\"\n",
            ),
            (
                "saleor/account/management/commands/createsuperuser.py",
                "from ...tests.fixtures.user import dangerously_get_or_create_superuser\n",
            ),
        ],
        &[],
        "leak/fixture-import",
        "saleor/account/management/commands/createsuperuser.py",
        1,
        (6, 28),
        "imports `saleor/account/tests/fixtures/user.py` (fixture)",
    );
}

/// Precision fixes in the `data/` and `switch/` packs found on the same repositories: documentation in
/// comments and conditionals are not test data or switches left on; C `#define`s still are.
#[test]
fn data_and_switch_rules_skip_comment_lines_and_conditionals() {
    passes(
        &[
            (
                "actionmailer/lib/action_mailer/base.rb",
                "#     default from: 'from@example.com'\ndef x; end\n",
            ),
            (
                "context.go",
                "package gin\n\n//\t    email=mail@example.com  -->  (\"mail@example.com\", true)\nfunc F() {}\n",
            ),
            (
                "src/main/java/Props.java",
                "/**\n * redis://user:password@example.com:6379/8\n */\nclass Props {}\n",
            ),
            (
                "src/controllers/session.rs",
                "#[schema(value_type = String, example = \"new-user@example.com\")]\npub struct S;\n",
            ),
            (
                "migrations/2019_remove_downloads/up.sql",
                "-- DO NOT DEPLOY UNTIL PREVIOUS COMMIT IS DEPLOYED\nALTER TABLE t DROP COLUMN c;\n",
            ),
            (
                "railties/lib/rails/application/bootstrap.rb",
                "if local\n  Rails.error.debug_mode = true\nend\n# deprecators.debug = true\n",
            ),
            (
                "src/flask/cli.py",
                "def f(value):\n    os.environ[\"FLASK_DEBUG\"] = \"1\" if value else \"0\"\n",
            ),
        ],
        &["--fail-on", "note"],
    );
    let (code, found) = gate(
        &[
            (
                "src/admin.c",
                "#define ADMIN \"root@example.com\"\n// see ops@example.com\n",
            ),
            // Still a switch left on: an indented assignment on the app object.
            (
                "app/factory.py",
                "def create_app():\n    app.debug = True\n    return app\n",
            ),
        ],
        &[],
    );
    assert_eq!(code, 1);
    let got: Vec<(&str, &str, u64, u64)> = found
        .iter()
        .map(|h| (h.rule.as_str(), h.path.as_str(), h.line, h.column))
        .collect();
    assert_eq!(
        got,
        vec![
            ("switch/debug-enabled", "app/factory.py", 2, 5),
            ("data/reserved-email", "src/admin.c", 1, 16),
        ]
    );
}

// ------------------------------------------- leak/docker-copy-all through a multi-stage build

/// A made-up Rails-style multi-stage Dockerfile: the build stage copies the whole context to the
/// application directory (named through an `ENV`), and the final stage takes `final_copy` from it.
fn multi_stage(final_stage: &str) -> String {
    format!(
        "FROM ruby:3.3-slim AS base\nENV APP_HOME=/srv/app\nWORKDIR $APP_HOME\n\nFROM base AS build\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nCOPY . .\nRUN bundle exec rake assets:precompile\n\n{final_stage}CMD [\"bin/rails\", \"server\"]\n"
    )
}

fn rails_tree(dockerfile: &str, ignore: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("Dockerfile", dockerfile.to_string()),
        (".dockerignore", ignore.to_string()),
        (
            "Gemfile",
            "source 'https://rubygems.org'\ngem 'rails'\n".into(),
        ),
        ("Gemfile.lock", "GEM\n".into()),
        ("app/models/user.rb", "class User\nend\n".into()),
        (
            "spec/models/user_spec.rb",
            "RSpec.describe User do\nend\n".into(),
        ),
    ]
}

fn owned<'a>(t: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    t.iter().map(|(p, c)| (*p, c.as_str())).collect()
}

#[test]
fn final_stage_taking_the_whole_context_from_a_build_stage_ships_the_tests() {
    let df = multi_stage("FROM base\nCOPY --from=build /srv/app /srv/app\n");
    fails_once(
        &owned(&rails_tree(&df, ".git\nlog/\n")),
        &["--fail-on", "warning"],
        "leak/docker-copy-all",
        "Dockerfile",
        12,
        (19, 27),
        "takes the whole build context from stage `build` (which copied it in), which holds 1 test and fixture files (`spec/models/user_spec.rb`, …)",
    );
    // Copying the parent directory, or the stage by number, is the same.
    fails_once(
        &owned(&rails_tree(
            &multi_stage("FROM base\nCOPY --from=1 /srv /srv\n"),
            ".git\n",
        )),
        &["--fail-on", "warning"],
        "leak/docker-copy-all",
        "Dockerfile",
        12,
        (15, 19),
        "from stage `1`",
    );
    // A final stage built FROM the build stage holds what it copied.
    fails_once(
        &owned(&rails_tree(
            &multi_stage("FROM build AS app\nUSER app\n"),
            ".git\n",
        )),
        &["--fail-on", "warning"],
        "leak/docker-copy-all",
        "Dockerfile",
        11,
        (6, 11),
        "from stage `build`",
    );
}

#[test]
fn final_stage_taking_only_built_artefacts_or_with_tests_dockerignored_passes() {
    // Only the compiled assets and the app directory come over.
    let df = multi_stage(
        "FROM base\nCOPY --from=build /srv/app/public /srv/app/public\nCOPY --from=build /srv/app/app /srv/app/app\n",
    );
    passes(
        &owned(&rails_tree(&df, ".git\n")),
        &["--fail-on", "warning"],
    );
    // The whole context, but the .dockerignore keeps spec/ out of it.
    let df = multi_stage("FROM base\nCOPY --from=build /srv/app /srv/app\n");
    passes(
        &owned(&rails_tree(&df, ".git\nspec/\n")),
        &["--fail-on", "warning"],
    );
    // The build stage deletes the tests after using the context.
    let df = multi_stage("FROM base\nCOPY --from=build /srv/app /srv/app\n").replace(
        "RUN bundle exec rake assets:precompile\n",
        "RUN bundle exec rake assets:precompile && rm -rf spec test\n",
    );
    passes(
        &owned(&rails_tree(&df, ".git\n")),
        &["--fail-on", "warning"],
    );
    // A test stage built from the build stage is not production.
    let df = multi_stage(
        "FROM base\nCOPY --from=build /srv/app/public /srv/app/public\n\nFROM build AS test\nRUN bundle exec rspec\n",
    );
    passes(
        &owned(&rails_tree(&df, ".git\n")),
        &["--fail-on", "warning"],
    );
}

// ------------------------------- leak/test-library-import from JS/TS entry points

#[test]
fn js_and_ts_entry_points_importing_test_libraries() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "src/server.ts",
            "import express from \"express\";\nimport sinon from \"sinon\";\nexport const app = express();\n",
            "sinon",
        ),
        (
            "server.js",
            "const express = require(\"express\");\nconst nock = require(\"nock\");\nnock(\"https://api.invalid\");\n",
            "nock",
        ),
        (
            "src/index.mjs",
            "import express from 'express';\nimport { fn } from 'jest-mock';\nexport const hook = fn();\n",
            "jest-mock",
        ),
        (
            "app/main.tsx",
            "import React from 'react';\nimport { faker } from \"@faker-js/faker\";\nexport const name = faker.person.fullName();\n",
            "@faker-js/faker",
        ),
        (
            "lib/app.cjs",
            "'use strict';\nconst { expect } = require('chai');\nmodule.exports = expect;\n",
            "chai",
        ),
        // An Express generator's entry point: no extension, a node `#!` line.
        (
            "bin/www",
            "#!/usr/bin/env node\nconst app = require('../app');\nconst sinon = require('sinon');\napp.listen(3000);\n",
            "sinon",
        ),
    ];
    for (path, text, lib) in cases {
        let line = text.lines().position(|l| l.contains(lib)).unwrap() as u64 + 1;
        // The span is the specifier inside its quotes.
        let at = text.lines().nth(line as usize - 1).unwrap();
        let quoted = at
            .find(&format!("\"{lib}\""))
            .or_else(|| at.find(&format!("'{lib}'")))
            .unwrap() as u64;
        let columns = (quoted + 2, quoted + 2 + lib.len() as u64);
        fails_once(
            &[(path, text), ("app.js", "module.exports = {};\n")],
            &["--fail-on", "warning"],
            "leak/test-library-import",
            path,
            line,
            columns,
            &format!("imports `{lib}`"),
        );
    }
}

#[test]
fn test_libraries_in_js_tests_tool_config_and_other_scripts_are_fine() {
    let sinon = "import sinon from \"sinon\";\nexport const clock = sinon.useFakeTimers();\n";
    passes(
        &[
            ("test/server.test.ts", sinon),
            ("src/__tests__/clock.js", sinon),
            ("jest.setup.js", sinon),
            (
                "jest.config.js",
                "const { faker } = require('@faker-js/faker');\n",
            ),
            // Not a node program: its `require(` is not JavaScript.
            ("bin/check", "#!/bin/sh\necho \"require('sinon')\"\n"),
            (
                "src/server.ts",
                "import express from \"express\";\n// not sinon: import sinon from \"sinon\";\n",
            ),
        ],
        &["--fail-on", "warning"],
    );
}
