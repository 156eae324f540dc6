//! Whether a path is test code or fixtures by convention, and which convention says so. The reason is
//! kept, not only the verdict: a file the gate skips as a test is a file it does not gate, and the
//! summary says how many were skipped inside production code, and why (`testdata/` directory, `*.cy.ts`
//! name), so that a convention that hides production files is seen.

use super::{stem, tokens, FIXTURE_DIRS, TEST_DIRS, TEST_RUNNER_CONFIGS};
use std::fmt;

/// The convention that makes a path test-side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestSide<'a> {
    /// Inside a directory of fixtures or test data (`fixtures/`, `testdata/`, `__mocks__/`).
    FixtureDir(&'a str),
    /// Inside a directory of tests (`tests/`, `e2e_tests/`, `cypress/`, `Api.Tests/`).
    TestDir(&'a str),
    /// A test source set (`src/test/`, `src/it/`, `src/testFixtures/`).
    SourceSet(&'a str),
    /// Named as a test by its ecosystem's convention (the pattern: `*_test.go`, `*.cy.ts`).
    Name(&'static str),
}

impl TestSide<'_> {
    /// Is the path fixture data rather than test code?
    pub fn is_fixture(&self) -> bool {
        matches!(self, TestSide::FixtureDir(_))
    }
}

impl fmt::Display for TestSide<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestSide::FixtureDir(d) | TestSide::TestDir(d) => write!(f, "a `{d}/` directory"),
            TestSide::SourceSet(s) => write!(f, "the `src/{s}/` source set"),
            TestSide::Name(p) => write!(f, "named {p}"),
        }
    }
}

/// JVM production source sets (`src/main/java`, `src/main/resources`, …): Maven and Gradle compile and
/// package everything below them, so directory names there are package names the code chose (a
/// `…/api/testdata/` package ships in the jar), not conventions for tests.
pub(super) fn convention_dirs<'a, 'b>(dirs: &'b [&'a str]) -> &'b [&'a str] {
    match dirs
        .windows(2)
        .position(|w| w[0] == "src" && w[1] == "main")
    {
        Some(i) if dirs.len() > i + 2 => &dirs[..i + 3],
        _ => dirs,
    }
}

/// The fixture directory among `dirs` (conventional directories only), if any.
pub(super) fn fixture_dir<'a>(dirs: &[&'a str]) -> Option<&'a str> {
    convention_dirs(dirs)
        .iter()
        .copied()
        .find(|d| is_fixture_dir(d))
}

/// `fixtures/`, `__mocks__/`, a directory whose name ends in such a word (`functional_tests_fixtures`),
/// and made-up data named as such (`localMockData`, `mock_data`).
fn is_fixture_dir(dir: &str) -> bool {
    // Made-up data named as such: only a name ending in `data` can be (most directories are not).
    let stand_in_data =
        dir.len() > 4 && dir.as_bytes()[dir.len() - 4..].eq_ignore_ascii_case(b"data") && {
            let words = super::camel_words(dir);
            words.len() >= 2
                && words.last().is_some_and(|w| w == "data")
                && words[words.len() - 2..]
                    .iter()
                    .any(|w| matches!(w.as_str(), "mock" | "mocked" | "fake" | "dummy" | "stub"))
        };
    super::in_list(FIXTURE_DIRS, dir)
        || stand_in_data
        || super::in_list(
            &["fixtures", "fixture", "mocks", "stubs", "fakes"],
            super::last_token(dir),
        )
}

/// A test directory named for its kind of test: `playwright-acceptance-tests`, `e2e_tests`,
/// `k6_load_testing`, or the tests' shared code (`tests_common`, `test_utils`). The word must close the
/// name, or open it before a word for shared code (`tests_fixtures` is fixtures).
fn is_named_test_dir(dir: &str) -> bool {
    if !dir.contains(['-', '_']) {
        return false; // one word: `tests/` itself is TEST_DIRS' to decide
    }
    let toks: Vec<&str> = dir.split(['-', '_']).filter(|t| !t.is_empty()).collect();
    let is_test = |t: &&str| super::in_list(&["test", "tests", "testing", "spec", "specs"], t);
    toks.len() >= 2
        && (toks.last().is_some_and(is_test)
            || toks.first().is_some_and(is_test)
                && super::in_list(
                    &[
                        "common", "utils", "util", "helpers", "support", "shared", "lib",
                    ],
                    toks[1],
                ))
}

/// Why the file `name` in `dirs` is test code by convention (fixture directories are asked first,
/// by the caller); None when it is not.
pub(super) fn test_path<'a>(
    dirs: &[&'a str],
    name: &str,
    lower: &str,
    ext: &str,
    stem_tokens: &[&str],
) -> Option<TestSide<'a>> {
    let conv = convention_dirs(dirs);
    if let Some(d) = conv
        .iter()
        .find(|d| super::in_list(TEST_DIRS, d) || is_named_test_dir(d))
    {
        return Some(TestSide::TestDir(d));
    }
    // An image built to run the tests (`snapshots-playwright.Dockerfile`, `Dockerfile.e2e`).
    let dockerfile =
        lower == "dockerfile" || lower.starts_with("dockerfile.") || ext == "dockerfile";
    if dockerfile
        && tokens(lower).iter().any(|t| {
            matches!(
                *t,
                "test" | "tests" | "testing" | "e2e" | "playwright" | "cypress" | "selenium"
            )
        })
    {
        return Some(TestSide::Name("as a test image (`Dockerfile.test`)"));
    }
    // Test runners' own configuration: read by pytest, tox, Jest, Karma, Cypress, Playwright, never by
    // the live service (`pytest.ini` setting `FLASK_DEBUG=1` for the test run).
    if TEST_RUNNER_CONFIGS.contains(&lower)
        || [
            "jest.config.",
            "karma.conf.",
            "cypress.config.",
            "playwright.config.",
            "vitest.config.",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Some(TestSide::Name("as a test runner's configuration"));
    }
    if is_test_runner_setup(lower) {
        return Some(TestSide::Name("as a test runner's setup file"));
    }
    // Postman's collections and environments: requests run by hand or by `newman` against an API.
    if lower.ends_with(".postman_collection.json") || lower.ends_with(".postman_environment.json") {
        return Some(TestSide::Name("a Postman collection"));
    }
    // Pact consumer tests: `contract/fetch-content.contract.ts`, `pact/user.pact.ts` (the folder and the
    // name both say so; a domain's `contracts/lease.contract.ts` is not one).
    let without_ext = lower.rsplit_once('.').map_or(lower, |(s, _)| s);
    if (without_ext.ends_with(".contract") || without_ext.ends_with(".pact"))
        && conv
            .iter()
            .any(|d| matches!(*d, "contract" | "pact" | "pacts"))
    {
        return Some(TestSide::Name("a Pact contract test"));
    }
    // Cucumber and Behave: the `.feature` files themselves, their hooks (`features/support/`,
    // Behave's `features/environment.py`) and step definitions (`features/step_definitions/`,
    // Behave's `features/steps/`).
    if ext == "feature" {
        return Some(TestSide::Name("`*.feature` (Cucumber)"));
    }
    if let Some(w) = conv
        .windows(2)
        .find(|w| w[0] == "features" && matches!(w[1], "support" | "steps" | "step_definitions"))
    {
        return Some(TestSide::TestDir(w[1]));
    }
    if conv.last() == Some(&"features") && lower == "environment.py" {
        return Some(TestSide::Name("Behave's `features/environment.py`"));
    }
    // Java/Kotlin/Scala: src/test/..., src/it/..., src/testFixtures/...
    if let Some(w) = dirs.windows(2).find(|w| {
        w[0] == "src" && matches!(w[1], "test" | "it" | "testFixtures" | "integrationTest")
    }) {
        return Some(TestSide::SourceSet(w[1]));
    }
    // C#: a project directory named Foo.Tests / Foo.Test / Foo.UnitTests / Foo.Specs.
    if let Some(d) = conv.iter().find(|d| {
        [
            ".tests",
            ".test",
            "unittests",
            ".specs",
            ".integrationtests",
        ]
        .iter()
        .any(|s| ends_with_ignoring_case(d, s))
    }) {
        return Some(TestSide::TestDir(d));
    }
    // Test-support packages named for what they are: `crates_io_test_utils`, `api-test-helpers`.
    if let Some(d) = conv.iter().find(|d| {
        [
            "test_utils",
            "testutils",
            "test_util",
            "test_helpers",
            "test_support",
        ]
        .iter()
        .any(|s| ends_with_ignoring_case(d, s))
    }) {
        return Some(TestSide::TestDir(d));
    }
    let named = |yes: bool, pattern: &'static str| yes.then_some(TestSide::Name(pattern));
    match ext {
        // Go: only the _test.go suffix marks a test file.
        "go" => return named(lower.ends_with("_test.go"), "`*_test.go`"),
        "py" => {
            return named(
                lower.starts_with("test_")
                    || lower.ends_with("_test.py")
                    || lower.ends_with("_tests.py")
                    || lower == "conftest.py"
                    || lower == "tests.py",
                "`test_*.py` / `*_test.py` / `conftest.py`",
            );
        }
        "rb" => {
            return named(
                lower.ends_with("_spec.rb")
                    || lower.ends_with("_test.rb")
                    || lower == "spec_helper.rb"
                    || lower == "rails_helper.rb",
                "`*_spec.rb` / `*_test.rb`",
            )
        }
        "java" | "kt" | "scala" | "cs" | "groovy" => {
            let s = stem(name);
            return named(
                s.ends_with("Test")
                    || s.ends_with("Tests")
                    || s.ends_with("IT")
                    || s.ends_with("Spec")
                    || s.starts_with("Test")
                        && s.len() > 4
                        && s.as_bytes().get(4).is_some_and(u8::is_ascii_uppercase),
                "`*Test` / `*Spec` / `*IT`",
            );
        }
        _ => {}
    }
    // Play's test-only router (`testOnlyDoNotUseInAppConf.routes`): wired in only by a test or local
    // configuration, never by the shipped `application.conf`.
    if ["testonly", "test_only", "test-only"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Some(TestSide::Name("`testOnly*`"));
    }
    // Storybook stories (`Header.stories.svelte`, `Button.story.tsx`) render components with made-up
    // data for development and visual tests; they are not served in production.
    if stem_tokens.len() >= 2 && matches!(stem_tokens.last(), Some(&"stories" | &"story")) {
        return Some(TestSide::Name("`*.stories.*`"));
    }
    // Cypress specs are `*.cy.{js,ts,jsx,tsx}`: the word closes a longer name of a script. A file named
    // `cy.json` or `cy.yml` is a Welsh (Cymraeg) locale file.
    let script = matches!(
        ext,
        "js" | "ts" | "jsx" | "tsx" | "mjs" | "cjs" | "mts" | "cts"
    );
    if script && stem_tokens.len() >= 2 && stem_tokens.last() == Some(&"cy") {
        return Some(TestSide::Name("`*.cy.*` (Cypress)"));
    }
    // JS/TS and the rest: `*.test.*`, `*.spec.*`, `*-test.*`, `test_*.*`, `docker-compose.test.yml`,
    // and vitest's benchmark files `*.bench.ts`. The word must open or close the name: a word in the
    // middle describes something else (`strip-test-selectors.js` is a build plugin).
    // In a data file's name, `spec` is a specification, not a test: `swagger/v1/api_spec.json` is the
    // API description rswag publishes and the app validates against.
    let data_file = matches!(ext, "json" | "yaml" | "yml" | "xml" | "toml");
    let is_test_word = |t: &&str| match *t {
        "spec" | "specs" => !data_file,
        t => matches!(t, "test" | "tests" | "e2e" | "bench"),
    };
    named(
        stem_tokens.first().is_some_and(is_test_word)
            || stem_tokens.last().is_some_and(is_test_word),
        "`*.test.*` / `*.spec.*`",
    )
}

/// Does `name` end with `suffix` (lower-case, `_` standing for `_` or `-`), ignoring case? No
/// allocation: asked for every directory of every file.
fn ends_with_ignoring_case(name: &str, suffix: &str) -> bool {
    let (n, s) = (name.as_bytes(), suffix.as_bytes());
    n.len() >= s.len()
        && n[n.len() - s.len()..]
            .iter()
            .zip(s)
            .all(|(a, b)| a.eq_ignore_ascii_case(b) || (*b == b'_' && *a == b'-'))
}

/// The files a test runner loads before the tests (`setupFiles`, `globalSetup`) and the configuration of
/// browser-test runners, by the names their documentation gives: `setupJest.js`, `setupTests.ts`
/// (Create React App), `jest.setup.ts`, `jest.env.js`, `vitest.setup.ts`, `wdio.conf.js`,
/// `protractor.conf.js`, `nightwatch.conf.js`. A plain `setup.js` or `env.js` is not one.
fn is_test_runner_setup(lower: &str) -> bool {
    // Asked of every file: the names' first letters before anything else.
    if !matches!(
        lower.as_bytes().first(),
        Some(b'j' | b'v' | b'w' | b'p' | b'n' | b's')
    ) {
        return false;
    }
    let stem = lower.rsplit_once('.').map_or(lower, |(s, _)| s);
    if matches!(stem, "setupjest" | "setuptests" | "setuptest" | "jestsetup") {
        return true;
    }
    let mut parts = stem.split(['.', '-', '_']);
    match parts.next().unwrap_or("") {
        "jest" | "vitest" => parts.any(|w| {
            matches!(
                w,
                "setup" | "env" | "environment" | "teardown" | "globalsetup" | "globalteardown"
            )
        }),
        "wdio" | "protractor" | "nightwatch" => parts.any(|w| matches!(w, "conf" | "config")),
        _ => false,
    }
}
