//! Test frameworks, test doubles and generators of made-up records, per ecosystem: what production code should not
//! import and production dependency lists should not name.

/// What kind of test library a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LibKind {
    /// A test framework, assertion library, mocking or stubbing tool.
    TestTool,
    /// Generates fake people, addresses, cards: the test data the `data/` rules look for, made on demand.
    FakeData,
    /// An embedded database (H2, HSQLDB, Derby): test support only when no configuration production
    /// can load connects to it and one connects elsewhere (`manifests::resolve_test_dependency`).
    EmbeddedDatabase,
}

impl LibKind {
    pub fn describe(self) -> &'static str {
        match self {
            LibKind::TestTool => "a test framework or test double library",
            LibKind::FakeData => "a generator of made-up records",
            LibKind::EmbeddedDatabase => {
                "an embedded database that only the tests' configuration connects to (the service's own configuration connects to another database)"
            }
        }
    }
}

/// `(module, kind)`: a module matches itself and its submodules.
const PYTHON: &[(&str, LibKind)] = &[
    ("pytest", LibKind::TestTool),
    ("_pytest", LibKind::TestTool),
    ("pytest_mock", LibKind::TestTool),
    ("unittest.mock", LibKind::TestTool),
    ("mock", LibKind::TestTool),
    ("requests_mock", LibKind::TestTool),
    ("moto", LibKind::TestTool),
    ("responses", LibKind::TestTool),
    ("httpretty", LibKind::TestTool),
    ("freezegun", LibKind::TestTool),
    ("fakeredis", LibKind::TestTool),
    ("mongomock", LibKind::TestTool),
    ("testcontainers", LibKind::TestTool),
    // Feature-flag SDKs' test doubles: a flag source that answers whatever the test set.
    ("ldclient.integrations.test_data", LibKind::TestTool),
    ("ldclient.integrations.TestData", LibKind::TestTool),
    ("faker", LibKind::FakeData),
];

const JAVASCRIPT: &[(&str, LibKind)] = &[
    ("jest", LibKind::TestTool),
    ("@jest/globals", LibKind::TestTool),
    ("vitest", LibKind::TestTool),
    ("sinon", LibKind::TestTool),
    ("mocha", LibKind::TestTool),
    ("chai", LibKind::TestTool),
    ("nock", LibKind::TestTool),
    ("jasmine", LibKind::TestTool),
    ("supertest", LibKind::TestTool),
    ("@testing-library", LibKind::TestTool),
    ("jest-mock", LibKind::TestTool),
    ("ts-mockito", LibKind::TestTool),
    ("msw/node", LibKind::TestTool),
    ("mongodb-memory-server", LibKind::TestTool),
    ("pg-mem", LibKind::TestTool),
    ("@faker-js/faker", LibKind::FakeData),
    ("@ngneat/falso", LibKind::FakeData),
    ("faker", LibKind::FakeData),
    // Random people, addresses, emails and card numbers on demand, as Faker makes them.
    ("chance", LibKind::FakeData),
    // Test-data factories.
    ("fishery", LibKind::FakeData),
    ("rosie", LibKind::FakeData),
    ("factory.ts", LibKind::FakeData),
    ("@jackfranklin/test-data-bot", LibKind::FakeData),
];

const GO: &[(&str, LibKind)] = &[
    ("github.com/golang/mock", LibKind::TestTool),
    ("go.uber.org/mock", LibKind::TestTool),
    ("github.com/stretchr/testify/mock", LibKind::TestTool),
    ("github.com/stretchr/testify/assert", LibKind::TestTool),
    ("github.com/stretchr/testify/require", LibKind::TestTool),
    ("github.com/stretchr/testify/suite", LibKind::TestTool),
    ("github.com/onsi/ginkgo", LibKind::TestTool),
    ("github.com/onsi/gomega", LibKind::TestTool),
    ("github.com/DATA-DOG/go-sqlmock", LibKind::TestTool),
    ("github.com/jarcoal/httpmock", LibKind::TestTool),
    ("github.com/brianvoe/gofakeit", LibKind::FakeData),
    ("github.com/go-faker/faker", LibKind::FakeData),
    ("github.com/bxcodec/faker", LibKind::FakeData),
];

const JVM: &[(&str, LibKind)] = &[
    ("org.mockito", LibKind::TestTool),
    ("org.junit", LibKind::TestTool),
    ("junit.framework", LibKind::TestTool),
    ("org.assertj", LibKind::TestTool),
    ("org.hamcrest", LibKind::TestTool),
    ("org.easymock", LibKind::TestTool),
    ("org.powermock", LibKind::TestTool),
    ("io.mockk", LibKind::TestTool),
    ("io.kotest", LibKind::TestTool),
    ("org.spockframework", LibKind::TestTool),
    ("org.testng", LibKind::TestTool),
    ("org.testcontainers", LibKind::TestTool),
    ("org.springframework.test", LibKind::TestTool),
    ("org.springframework.boot.test", LibKind::TestTool),
    ("com.github.tomakehurst.wiremock", LibKind::TestTool),
    ("io.restassured", LibKind::TestTool),
    ("org.mockserver", LibKind::TestTool),
    ("okhttp3.mockwebserver", LibKind::TestTool),
    ("org.scalatest", LibKind::TestTool),
    ("org.scalamock", LibKind::TestTool),
    // Feature-flag SDKs' test doubles.
    (
        "com.launchdarkly.sdk.server.integrations.TestData",
        LibKind::TestTool,
    ),
    ("io.getunleash.FakeUnleash", LibKind::TestTool),
    ("no.finn.unleash.FakeUnleash", LibKind::TestTool),
    ("com.github.javafaker", LibKind::FakeData),
    ("net.datafaker", LibKind::FakeData),
];

const RUBY: &[(&str, LibKind)] = &[
    ("rspec", LibKind::TestTool),
    ("minitest", LibKind::TestTool),
    ("test/unit", LibKind::TestTool),
    ("webmock", LibKind::TestTool),
    ("mocha", LibKind::TestTool),
    ("vcr", LibKind::TestTool),
    ("capybara", LibKind::TestTool),
    ("mock_redis", LibKind::TestTool),
    ("fakeredis", LibKind::TestTool),
    ("timecop", LibKind::TestTool),
    ("factory_bot", LibKind::FakeData),
    ("factory_bot_rails", LibKind::FakeData),
    ("factory_girl", LibKind::FakeData),
    ("faker", LibKind::FakeData),
];

/// Crates that only tests use.
const RUST_CRATES: &[(&str, LibKind)] = &[
    ("mockall", LibKind::TestTool),
    ("mockito", LibKind::TestTool),
    ("proptest", LibKind::TestTool),
    ("quickcheck", LibKind::TestTool),
    ("wiremock", LibKind::TestTool),
    ("httpmock", LibKind::TestTool),
    ("rstest", LibKind::TestTool),
    ("test-case", LibKind::TestTool),
    ("insta", LibKind::TestTool),
    ("assert_cmd", LibKind::TestTool),
    ("assert_fs", LibKind::TestTool),
    ("serial_test", LibKind::TestTool),
    ("pretty_assertions", LibKind::TestTool),
    ("tokio-test", LibKind::TestTool),
    ("trybuild", LibKind::TestTool),
    ("criterion", LibKind::TestTool),
    ("claims", LibKind::TestTool),
    ("fake", LibKind::FakeData),
];

/// Python distributions (requirements / pyproject names, normalised to lowercase with `-`).
const PYTHON_DISTS: &[(&str, LibKind)] = &[
    ("pytest", LibKind::TestTool),
    ("mock", LibKind::TestTool),
    ("nose", LibKind::TestTool),
    ("nose2", LibKind::TestTool),
    ("unittest2", LibKind::TestTool),
    ("requests-mock", LibKind::TestTool),
    ("responses", LibKind::TestTool),
    ("respx", LibKind::TestTool),
    ("httpretty", LibKind::TestTool),
    ("aioresponses", LibKind::TestTool),
    ("vcrpy", LibKind::TestTool),
    ("moto", LibKind::TestTool),
    ("freezegun", LibKind::TestTool),
    ("time-machine", LibKind::TestTool),
    ("hypothesis", LibKind::TestTool),
    ("coverage", LibKind::TestTool),
    ("tox", LibKind::TestTool),
    ("testfixtures", LibKind::TestTool),
    ("parameterized", LibKind::TestTool),
    ("pyfakefs", LibKind::TestTool),
    ("fakeredis", LibKind::TestTool),
    ("mongomock", LibKind::TestTool),
    ("behave", LibKind::TestTool),
    ("webtest", LibKind::TestTool),
    ("django-webtest", LibKind::TestTool),
    ("django-test-plus", LibKind::TestTool),
    ("factory-boy", LibKind::FakeData),
    ("model-bakery", LibKind::FakeData),
    ("mimesis", LibKind::FakeData),
    ("faker", LibKind::FakeData),
];

/// npm packages (a scope matches all its packages).
const NPM: &[(&str, LibKind)] = &[
    ("jest", LibKind::TestTool),
    ("@jest", LibKind::TestTool),
    ("ts-jest", LibKind::TestTool),
    ("babel-jest", LibKind::TestTool),
    ("vitest", LibKind::TestTool),
    ("@vitest", LibKind::TestTool),
    ("mocha", LibKind::TestTool),
    ("chai", LibKind::TestTool),
    ("chai-as-promised", LibKind::TestTool),
    ("sinon", LibKind::TestTool),
    ("sinon-chai", LibKind::TestTool),
    ("@sinonjs", LibKind::TestTool),
    ("nock", LibKind::TestTool),
    ("jasmine", LibKind::TestTool),
    ("karma", LibKind::TestTool),
    ("ava", LibKind::TestTool),
    ("tape", LibKind::TestTool),
    ("supertest", LibKind::TestTool),
    ("@testing-library", LibKind::TestTool),
    ("enzyme", LibKind::TestTool),
    ("react-test-renderer", LibKind::TestTool),
    ("cypress", LibKind::TestTool),
    ("@playwright/test", LibKind::TestTool),
    ("nyc", LibKind::TestTool),
    ("c8", LibKind::TestTool),
    ("mongodb-memory-server", LibKind::TestTool),
    ("pg-mem", LibKind::TestTool),
    ("@faker-js/faker", LibKind::FakeData),
    ("@ngneat/falso", LibKind::FakeData),
    ("faker", LibKind::FakeData),
    // Random people, addresses, emails and card numbers on demand, as Faker makes them.
    ("chance", LibKind::FakeData),
    // Test-data factories.
    ("fishery", LibKind::FakeData),
    ("rosie", LibKind::FakeData),
    ("factory.ts", LibKind::FakeData),
    ("@jackfranklin/test-data-bot", LibKind::FakeData),
];

const GEMS: &[(&str, LibKind)] = &[
    ("rspec", LibKind::TestTool),
    ("minitest", LibKind::TestTool),
    ("test-unit", LibKind::TestTool),
    ("capybara", LibKind::TestTool),
    ("selenium-webdriver", LibKind::TestTool),
    ("cuprite", LibKind::TestTool),
    ("webdrivers", LibKind::TestTool),
    ("site_prism", LibKind::TestTool),
    ("webmock", LibKind::TestTool),
    ("vcr", LibKind::TestTool),
    ("mocha", LibKind::TestTool),
    ("timecop", LibKind::TestTool),
    ("climate_control", LibKind::TestTool),
    ("database_cleaner", LibKind::TestTool),
    ("shoulda", LibKind::TestTool),
    ("shoulda-matchers", LibKind::TestTool),
    ("simplecov", LibKind::TestTool),
    ("rails-controller-testing", LibKind::TestTool),
    ("rack-test", LibKind::TestTool),
    ("cucumber", LibKind::TestTool),
    ("fakeredis", LibKind::TestTool),
    ("fakeweb", LibKind::TestTool),
    ("fakefs", LibKind::TestTool),
    ("json_matchers", LibKind::TestTool),
    ("email_spec", LibKind::TestTool),
    // Contract testing: Pact runs the consumer's and provider's tests against a mock service.
    ("pact", LibKind::TestTool),
    ("pact_broker-client", LibKind::TestTool),
    ("pact-mock_service", LibKind::TestTool),
    ("pact-provider-verifier", LibKind::TestTool),
    ("factory_bot", LibKind::FakeData),
    ("factory_girl", LibKind::FakeData),
    ("fabrication", LibKind::FakeData),
    ("faker", LibKind::FakeData),
    ("ffaker", LibKind::FakeData),
];

/// Maven coordinates (`group`, or `group:artifact`; a group matches its sub-groups), and the Java package
/// their classes are in (for telling whether production code loads them).
const JVM_ARTIFACTS: &[(&str, &str, LibKind)] = &[
    ("junit:junit", "org.junit", LibKind::TestTool),
    ("org.junit", "org.junit", LibKind::TestTool),
    ("org.mockito", "org.mockito", LibKind::TestTool),
    ("org.assertj", "org.assertj", LibKind::TestTool),
    ("org.hamcrest", "org.hamcrest", LibKind::TestTool),
    ("io.rest-assured", "io.restassured", LibKind::TestTool),
    (
        "com.github.tomakehurst",
        "com.github.tomakehurst.wiremock",
        LibKind::TestTool,
    ),
    (
        "org.wiremock",
        "com.github.tomakehurst.wiremock",
        LibKind::TestTool,
    ),
    (
        "org.testcontainers",
        "org.testcontainers",
        LibKind::TestTool,
    ),
    ("org.mock-server", "org.mockserver", LibKind::TestTool),
    (
        "com.squareup.okhttp3:mockwebserver",
        "okhttp3.mockwebserver",
        LibKind::TestTool,
    ),
    (
        "org.springframework:spring-test",
        "org.springframework.test",
        LibKind::TestTool,
    ),
    ("io.mockk", "io.mockk", LibKind::TestTool),
    ("io.kotest", "io.kotest", LibKind::TestTool),
    ("org.spockframework", "spock", LibKind::TestTool),
    ("org.testng", "org.testng", LibKind::TestTool),
    ("org.easymock", "org.easymock", LibKind::TestTool),
    ("org.powermock", "org.powermock", LibKind::TestTool),
    ("org.awaitility", "org.awaitility", LibKind::TestTool),
    ("com.h2database:h2", "org.h2", LibKind::EmbeddedDatabase),
    ("org.hsqldb:hsqldb", "org.hsqldb", LibKind::EmbeddedDatabase),
    (
        "org.apache.derby:derby",
        "org.apache.derby",
        LibKind::EmbeddedDatabase,
    ),
    // Contract tests (Pact JVM), mutation tests (PIT and its build plugins), a fake SMTP server for
    // tests, JsonPath's Hamcrest matchers.
    ("au.com.dius.pact", "au.com.dius.pact", LibKind::TestTool),
    ("au.com.dius", "au.com.dius.pact", LibKind::TestTool),
    ("org.pitest", "org.pitest", LibKind::TestTool),
    (
        "info.solidsoft.gradle.pitest",
        "info.solidsoft.gradle.pitest",
        LibKind::TestTool,
    ),
    ("dumbster", "com.dumbster", LibKind::TestTool),
    (
        "com.github.kirviq:dumbster",
        "com.dumbster",
        LibKind::TestTool,
    ),
    (
        "com.jayway.jsonpath:json-path-assert",
        "com.jayway.jsonpath.matchers",
        LibKind::TestTool,
    ),
    (
        "org.skyscreamer:jsonassert",
        "org.skyscreamer.jsonassert",
        LibKind::TestTool,
    ),
    ("io.cucumber", "io.cucumber", LibKind::TestTool),
    ("org.scalatest", "org.scalatest", LibKind::TestTool),
    ("org.scalatestplus", "org.scalatestplus", LibKind::TestTool),
    ("org.scalamock", "org.scalamock", LibKind::TestTool),
    ("org.scalacheck", "org.scalacheck", LibKind::TestTool),
    ("org.specs2", "org.specs2", LibKind::TestTool),
    (
        "com.vladsch.flexmark:flexmark-all",
        "com.vladsch.flexmark",
        LibKind::TestTool,
    ),
    (
        "com.github.javafaker",
        "com.github.javafaker",
        LibKind::FakeData,
    ),
    ("net.datafaker", "net.datafaker", LibKind::FakeData),
];

/// Libraries whose names have a test library's shape but that production uses on purpose: gRPC's
/// generated client stubs, a user-agent generator, Python's type stubs (which hold no code).
const NOT_TEST_LIBRARIES: &[&str] = &["grpc-stub", "fake-useragent", "jest-worker"];

/// Which package registry a name comes from: each has its own conventions (`_` and `-`, scopes, groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registry {
    Npm,
    PyPI,
    Gems,
    Crates,
    Maven,
    NuGet,
}

/// Is a dependency's name the shape of a test library: `*-mock`, `mock-*`, `*-stub(s)`, `fake-*`,
/// `*-testing`, `*-test`, `*-testkit`, `testcontainers*`, `factory_bot*`, an `@x/testing` package? Words
/// are split at `-`, `_` and `.`; A/B-testing libraries (`react-ab-testing`) and the names in
/// [`NOT_TEST_LIBRARIES`] are production libraries.
pub(crate) fn test_shape(registry: Registry, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if NOT_TEST_LIBRARIES.contains(&lower.as_str()) {
        return false;
    }
    // `@scope/pkg`: the scope's words count only for `@testing-library`-style scopes.
    let (scope, pkg) = match lower.strip_prefix('@').and_then(|r| r.split_once('/')) {
        Some((s, p)) => (Some(s), p),
        None => (None, lower.as_str()),
    };
    let words: Vec<&str> = pkg
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let (Some(first), Some(last)) = (words.first().copied(), words.last().copied()) else {
        return false;
    };
    if scope.is_some_and(|s| s.split('-').any(|w| matches!(w, "testing" | "test"))) {
        return true;
    }
    let ab_test = |i: usize| i > 0 && matches!(words[i - 1], "ab" | "split" | "b" | "multivariate");
    if words.iter().any(|w| w.starts_with("testcontainers")) {
        return true;
    }
    if words.len() >= 2
        && matches!(
            (words[0], words[1]),
            ("factory", "bot") | ("factory", "girl")
        )
    {
        return true;
    }
    if words
        .iter()
        .any(|w| matches!(*w, "mock" | "mocks" | "mocking"))
    {
        return true;
    }
    // A test runner's plugin, named `<runner>-<plugin>` on npm (`cypress-recurse`, `jest-extended`,
    // `karma-chrome-launcher`, `chai-http`): it exists only to run under that runner.
    if registry == Registry::Npm
        && scope.is_none()
        && words.len() >= 2
        && matches!(
            first,
            "cypress" | "jest" | "mocha" | "karma" | "vitest" | "jasmine" | "chai" | "sinon"
        )
    {
        return true;
    }
    if words.len() >= 2 && (first == "fake" || first == "fakes") {
        return true;
    }
    // Python's `*-stubs` are type stubs (no code); gRPC's stubs are its production clients.
    if registry != Registry::PyPI
        && (last == "stub" || last == "stubs" || first == "stub" && words.len() >= 2)
        && !words.contains(&"grpc")
    {
        return true;
    }
    words.iter().enumerate().any(|(i, w)| {
        let testy = match *w {
            "testing" | "testkit" | "testutils" | "testhelpers" => true,
            // Maven artifacts name their test modules anywhere (`spring-boot-starter-test`,
            // `bootstrap-test-play-30`); elsewhere `test` must end the name or name test support
            // (`rack-test`, `@vue/test-utils`, `react-test-renderer`), or `restrict-to-test-account`
            // would be a test library.
            "test" | "tests" if registry == Registry::Maven => words.len() >= 2,
            "test" | "tests" => {
                words.len() >= 2
                    && (i + 1 == words.len()
                        || matches!(
                            words[i + 1],
                            "utils"
                                | "util"
                                | "helpers"
                                | "helper"
                                | "renderer"
                                | "harness"
                                | "kit"
                        ))
            }
            _ => false,
        };
        testy && !ab_test(i) && (words.len() >= 2 || scope.is_some())
    })
}

/// Features that switch on a crate's test helpers (tokio's `test-util`, many crates' `testing`).
pub(crate) const RUST_TEST_FEATURES: &[&str] = &[
    "test-util",
    "test-utils",
    "test_util",
    "test_utils",
    "testing",
    "test",
    "test-helpers",
    "mock",
    "mocks",
    "mocking",
    "fake",
    "fakes",
];

fn lookup(table: &[(&str, LibKind)], name: &str, sep: char) -> Option<LibKind> {
    table.iter().find_map(|(lib, kind)| {
        let hit = name == *lib
            || name
                .strip_prefix(lib)
                .is_some_and(|rest| rest.starts_with(sep));
        hit.then_some(*kind)
    })
}

pub(crate) fn python_module(module: &str) -> Option<LibKind> {
    if module.starts_with("pytest_") {
        return Some(LibKind::TestTool);
    }
    lookup(PYTHON, module, '.')
}

/// A module specifier: the curated list, or a package of a test library's shape (`ioredis-mock`).
pub(crate) fn js_module(spec: &str) -> Option<LibKind> {
    if let Some(k) = lookup(JAVASCRIPT, spec, '/') {
        return Some(k);
    }
    // Node's own modules (`node:test`) and paths are not packages.
    if spec.starts_with("node:") || spec.starts_with('.') || spec.starts_with('/') {
        return None;
    }
    let mut parts = spec.split('/');
    let pkg = match parts.next() {
        Some(s) if s.starts_with('@') => format!("{s}/{}", parts.next().unwrap_or("")),
        Some(s) => s.to_string(),
        None => return None,
    };
    test_shape(Registry::Npm, &pkg).then_some(LibKind::TestTool)
}

pub(crate) fn go_package(path: &str) -> Option<LibKind> {
    // A feature-flag SDK's test double (`…/go-server-sdk/v7/testhelpers/ldtestdata`).
    if path.rsplit('/').next() == Some("ldtestdata") {
        return Some(LibKind::TestTool);
    }
    // Major-version suffixes (`gofakeit/v6`) are subpaths, so prefix matching covers them.
    lookup(GO, path, '/')
}

pub(crate) fn jvm_import(name: &str) -> Option<LibKind> {
    lookup(JVM, name, '.')
}

pub(crate) fn ruby_feature(feature: &str) -> Option<LibKind> {
    lookup(RUBY, feature, '/')
}

pub(crate) fn rust_crate(name: &str) -> Option<LibKind> {
    let norm = name.replace('_', "-");
    RUST_CRATES
        .iter()
        .find(|(c, _)| c.replace('_', "-") == norm)
        .map(|(_, k)| *k)
        .or_else(|| test_shape(Registry::Crates, name).then_some(LibKind::TestTool))
}

/// A Python distribution, by the curated list (`pytest-*` and `pytest_*` are pytest plugins) or by shape.
pub(crate) fn python_dist(name: &str) -> Option<LibKind> {
    let norm = name.to_ascii_lowercase().replace(['_', '.'], "-");
    if norm.starts_with("pytest-") {
        return Some(LibKind::TestTool);
    }
    PYTHON_DISTS
        .iter()
        .find(|(d, _)| *d == norm)
        .map(|(_, k)| *k)
        .or_else(|| test_shape(Registry::PyPI, &norm).then_some(LibKind::TestTool))
}

pub(crate) fn npm_package(name: &str) -> Option<LibKind> {
    lookup(NPM, name, '/').or_else(|| test_shape(Registry::Npm, name).then_some(LibKind::TestTool))
}

/// A gem: the curated list (`rspec-*`, `minitest-*`, `factory_bot_*`, `database_cleaner-*` by prefix),
/// or by shape.
pub(crate) fn gem(name: &str) -> Option<LibKind> {
    let lower = name.to_ascii_lowercase();
    GEMS.iter()
        .find(|(g, _)| {
            lower == *g
                || lower
                    .strip_prefix(g)
                    .is_some_and(|r| r.starts_with('-') || r.starts_with('_'))
        })
        .map(|(_, k)| *k)
        .or_else(|| test_shape(Registry::Gems, &lower).then_some(LibKind::TestTool))
}

/// NuGet packages (lower case): a name matches itself and its `.`-separated family (`xunit` →
/// `xunit.runner.visualstudio`, `coverlet` → `coverlet.collector`).
const NUGET: &[(&str, LibKind)] = &[
    ("xunit", LibKind::TestTool),
    ("nunit", LibKind::TestTool),
    ("nunit3testadapter", LibKind::TestTool),
    ("mstest", LibKind::TestTool),
    ("mstest.testframework", LibKind::TestTool),
    ("mstest.testadapter", LibKind::TestTool),
    ("moq", LibKind::TestTool),
    ("nsubstitute", LibKind::TestTool),
    ("fakeiteasy", LibKind::TestTool),
    ("fluentassertions", LibKind::TestTool),
    ("shouldly", LibKind::TestTool),
    ("autofixture", LibKind::TestTool),
    ("coverlet", LibKind::TestTool),
    ("microsoft.aspnetcore.mvc.testing", LibKind::TestTool),
    ("microsoft.net.test.sdk", LibKind::TestTool),
    ("wiremock.net", LibKind::TestTool),
    ("testcontainers", LibKind::TestTool),
    ("respawn", LibKind::TestTool),
    ("bunit", LibKind::TestTool),
    ("specflow", LibKind::TestTool),
    ("reqnroll", LibKind::TestTool),
    ("bogus", LibKind::FakeData),
    ("autobogus", LibKind::FakeData),
];

/// A NuGet package, by the curated list.
pub(crate) fn nuget_package(name: &str) -> Option<LibKind> {
    let lower = name.to_ascii_lowercase();
    NUGET
        .iter()
        .find(|(p, _)| lower == *p || lower.strip_prefix(p).is_some_and(|r| r.starts_with('.')))
        .map(|(_, k)| *k)
}

/// A Maven artifact (`group`, `artifact`): the curated list, or the artifact's shape.
pub(crate) fn maven_artifact(group: &str, artifact: &str) -> Option<LibKind> {
    jvm_entry(group, artifact)
        .map(|(_, _, k)| *k)
        .or_else(|| test_shape(Registry::Maven, artifact).then_some(LibKind::TestTool))
}

fn jvm_entry(
    group: &str,
    artifact: &str,
) -> Option<&'static (&'static str, &'static str, LibKind)> {
    JVM_ARTIFACTS
        .iter()
        .find(|(coord, _, _)| match coord.split_once(':') {
            Some((g, a)) => g == group && (a == artifact || artifact.starts_with(&format!("{a}_"))),
            None => group == *coord || group.starts_with(&format!("{coord}.")),
        })
}

/// Does a production import (as the language's extractor reported it) load the dependency `name` of
/// `registry`? npm: the import's package; PyPI: the distribution's module (`pytest-mock` → `pytest_mock`);
/// gems: the required feature; Maven: the curated artifact's Java package (`group:artifact` names).
pub(crate) fn loads(registry: Registry, name: &str, import: &str) -> bool {
    match registry {
        Registry::Npm => {
            let mut parts = import.split('/');
            let pkg = match parts.next() {
                Some(s) if s.starts_with('@') => format!("{s}/{}", parts.next().unwrap_or("")),
                Some(s) => s.to_string(),
                None => return false,
            };
            pkg == name
        }
        Registry::PyPI => {
            let top = import.split('.').next().unwrap_or("").to_ascii_lowercase();
            let dist = name.to_ascii_lowercase().replace(['-', '.'], "_");
            top == dist || dist == "factory_boy" && top == "factory"
        }
        Registry::Gems => {
            let top = import.split('/').next().unwrap_or("");
            top.eq_ignore_ascii_case(name) || top.replace('/', "-") == name
        }
        Registry::Maven => {
            let (group, artifact) = name.split_once(':').unwrap_or((name, ""));
            jvm_entry(group, artifact).is_some_and(|(_, package, _)| {
                import == *package || import.starts_with(&format!("{package}."))
            })
        }
        Registry::Crates | Registry::NuGet => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments_only() {
        assert_eq!(python_module("unittest.mock"), Some(LibKind::TestTool));
        assert_eq!(python_module("mockito_x"), None);
        assert_eq!(
            python_module("pytest_django.fixtures"),
            Some(LibKind::TestTool)
        );
        assert_eq!(python_module("fakeredis"), Some(LibKind::TestTool));
        assert_eq!(python_module("fake_useragent"), None);
        assert_eq!(js_module("ioredis-mock"), Some(LibKind::TestTool));
        assert_eq!(js_module("node:test"), None);
        assert_eq!(
            go_package("github.com/launchdarkly/go-server-sdk/v7/testhelpers/ldtestdata"),
            Some(LibKind::TestTool)
        );
        assert_eq!(go_package("github.com/launchdarkly/go-server-sdk/v7"), None);
        assert_eq!(
            jvm_import("com.launchdarkly.sdk.server.integrations.TestData"),
            Some(LibKind::TestTool)
        );
        assert_eq!(
            jvm_import("com.launchdarkly.sdk.server.integrations.FileData"),
            None
        );
        assert_eq!(js_module("@faker-js/faker"), Some(LibKind::FakeData));
        assert_eq!(js_module("chance"), Some(LibKind::FakeData));
        assert_eq!(npm_package("chance"), Some(LibKind::FakeData));
        assert_eq!(npm_package("@types/chance"), None);
        assert_eq!(js_module("@testing-library/react"), Some(LibKind::TestTool));
        assert_eq!(js_module("jest-worker"), None);
        assert_eq!(
            go_package("github.com/brianvoe/gofakeit/v6"),
            Some(LibKind::FakeData)
        );
        assert_eq!(go_package("github.com/stretchr/testify"), None);
        assert_eq!(jvm_import("org.mockito.Mockito"), Some(LibKind::TestTool));
        assert_eq!(jvm_import("org.junitx"), None);
        assert_eq!(rust_crate("serial-test"), Some(LibKind::TestTool));
        assert_eq!(python_dist("Factory_Boy"), Some(LibKind::FakeData));
        assert_eq!(
            npm_package("@testing-library/jest-dom"),
            Some(LibKind::TestTool)
        );
        // A test runner's plugin by its name; the runner's own internals and other scopes are not.
        assert_eq!(npm_package("cypress-recurse"), Some(LibKind::TestTool));
        assert_eq!(npm_package("jest-extended"), Some(LibKind::TestTool));
        assert_eq!(npm_package("jest-worker"), None);
        assert_eq!(npm_package("@acme/cypress-config"), None);
        assert_eq!(npm_package("chaim"), None);
    }
}
