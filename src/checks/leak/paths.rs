//! Repository-relative path arithmetic (`/`-separated, no leading `/`) and the words that mark test code.

/// The directory part of a path: `"a/b"` for `"a/b/c.py"`, `""` for a root file.
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, n)| n)
}

/// Extension without the dot, as written (`""` for none or for dot-files).
pub(crate) fn extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => "",
    }
}

/// A file name without its last extension.
pub(crate) fn stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// `dir` + `rel`, with `.` and `..` resolved; None if `..` climbs out of the repository.
/// A leading `/` in `rel` is dropped (callers decide whether absolute paths mean anything).
pub(crate) fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// `a/b` for `dir = "a/b"`, `a` for one level up, ...; None above the root.
pub(crate) fn up(dir: &str, levels: usize) -> Option<&str> {
    let mut d = dir;
    for _ in 0..levels {
        if d.is_empty() {
            return None;
        }
        d = parent(d);
    }
    Some(d)
}

/// Is `path` the directory `dir` or inside it?
pub(crate) fn is_under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `prefix/rest`, or `rest` at the root.
pub(crate) fn under(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

/// Words that every conventional test or fixture location contains (the directory names and file
/// patterns in `repo::classify`): a path without any of them cannot be test-side by convention. Used to
/// keep only plausible references during the walk; the real decision is `files::classify` at resolution.
const TEST_WORDS: &[&str] = &[
    "test",
    "spec",
    "fixture",
    "mock",
    "fake",
    "stub",
    "factories",
    "snapshot",
    "golden",
    "dummy",
    "sample",
    "e2e",
    "cypress",
    "playwright",
    "bench",
    "jmh",
    ".cy.",
    "step_definitions",
    "stories",
    "storybook",
    "features/support",
    // The conventions `classify` names test-side by (a reference to one must be resolved: a
    // production module moved under one of these names is still reached).
    "features/steps",
    "features/environment",
    "jest",
    "vitest",
    "wdio",
    "protractor",
    "nightwatch",
    ".contract",
    ".pact",
    "postman_",
];

/// Is a module or file path named as something other than production code by the conventions — docs,
/// examples, a demo, dev tooling or settings (`app/examples/views`, `settings/dev.py`, `src/history`)?
/// Production code that imports it makes it production code. The path is asked as a file and as a
/// directory (`from app import examples`).
pub(crate) fn names_non_production(c: &str) -> bool {
    use crate::repo::classify::{classify_default, FileClass};
    // The same modules are imported by many files (`import os`, `./utils`): answered once per thread.
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<Box<str>, bool>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(known) = SEEN.with(|s| s.borrow().get(c).copied()) {
        return known;
    }
    let outside = |class| matches!(class, FileClass::Docs | FileClass::DevConfig);
    let probe = if extension(file_name(c)).is_empty() {
        format!("{c}.js")
    } else {
        c.to_string()
    };
    let named =
        outside(classify_default(&probe)) || outside(classify_default(&format!("{c}/_.js")));
    SEEN.with(|s| {
        let mut s = s.borrow_mut();
        // Bounded: a tree with more distinct modules than this starts the memo afresh.
        if s.len() >= 16 * 1024 {
            s.clear();
        }
        s.insert(c.into(), named);
    });
    named
}

pub(crate) fn has_test_word(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    TEST_WORDS.iter().any(|w| lower.contains(w))
}

/// Is this production file itself test support — a module whose purpose is to help tests (Flask's
/// `testing.py`, Rails' `test_case.rb`, a `mocks.go`, a pytest plugin)? Such modules legitimately import
/// test code and test libraries; their *callers* are what the leak rules judge.
pub(crate) fn is_test_support_path(path: &str) -> bool {
    let dirs = parent(path);
    let name = stem(file_name(path));
    dirs.split('/')
        .chain(std::iter::once(name))
        .flat_map(|c| c.split(['_', '-', '.']))
        .any(is_test_support_word)
}

/// One word of a path (split at `_ - .`), case as written.
pub(crate) fn is_test_support_word(w: &str) -> bool {
    let lower = w.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "test"
            | "tests"
            | "testing"
            | "testutil"
            | "testutils"
            | "testhelper"
            | "testhelpers"
            | "testkit"
            | "testlib"
            | "testsupport"
            | "testcase"
            | "testcases"
            | "testclient"
            | "testenv"
            | "spec"
            | "specs"
            | "mock"
            | "mocks"
            | "mocking"
            | "mocker"
            | "fake"
            | "fakes"
            | "faker"
            | "stub"
            | "stubs"
            | "fixture"
            | "fixtures"
            | "conftest"
            | "pytest"
            | "jest"
            | "mocha"
            | "vitest"
            | "sinon"
            | "fuzz"
            | "bench"
            | "benches"
            | "benchmark"
            | "benchmarks"
    ) {
        return true;
    }
    // camelCase and PascalCase humps: setupTests, TestHelpers, mockServer, GsonTesterTestAutoConfiguration.
    if humps(w).any(|h| {
        matches!(
            h.to_ascii_lowercase().as_str(),
            "test"
                | "tests"
                | "tester"
                | "testing"
                | "mock"
                | "mocks"
                | "fake"
                | "fakes"
                | "stub"
                | "stubs"
                | "fixture"
                | "fixtures"
        )
    }) {
        return true;
    }
    // Words glued together, as Go and Java packages are: httptest, webtestclient, testcontainers,
    // mockstore. English words that merely contain "test" are not.
    glued_test_word(&lower)
}

/// English words that contain "test" without being about tests.
const NOT_TEST: &[&str] = &[
    "latest",
    "contest",
    "attest",
    "detest",
    "protest",
    "testament",
    "testimon",
    "intestin",
    "intestate",
    "greatest",
    "fastest",
    "smallest",
    "shortest",
    "largest",
    "biggest",
    "highest",
    "lowest",
    "longest",
    "newest",
    "oldest",
    "earliest",
    "nearest",
    "closest",
    "cheapest",
    "simplest",
    "safest",
    "hottest",
    "coolest",
    "softest",
    "hardest",
    "slowest",
    "widest",
];

fn glued_test_word(lower: &str) -> bool {
    (lower.contains("test") && !NOT_TEST.iter().any(|e| lower.contains(e)))
        || lower.contains("mock")
        || lower.starts_with("fake")
        || lower.ends_with("fake")
        || lower.ends_with("fakes")
}

/// `GsonTesterTest` → Gson, Tester, Test; `HTTPMock` → HTTP, Mock; lowercase words give themselves.
fn humps(w: &str) -> impl Iterator<Item = &str> {
    let b = w.as_bytes();
    let mut starts = vec![0];
    for i in 1..b.len() {
        let upper = b[i].is_ascii_uppercase();
        let after_lower = b[i - 1].is_ascii_lowercase() || b[i - 1].is_ascii_digit();
        let acronym_end =
            b[i - 1].is_ascii_uppercase() && b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if upper && (after_lower || acronym_end) {
            starts.push(i);
        }
    }
    starts.push(b.len());
    let bounds: Vec<(usize, usize)> = starts.windows(2).map(|p| (p[0], p[1])).collect();
    bounds.into_iter().map(move |(a, z)| &w[a..z])
}

/// Data files configuration is kept in, per environment.
const DATA_EXTENSIONS: &[&str] = &[
    "json",
    "yaml",
    "yml",
    "toml",
    "ini",
    "env",
    "properties",
    "conf",
];

/// Are `a` and `b` one data file written for two environments (`config.test.json` and
/// `config.prod.json`, `settings-test.yml` and `settings-staging.yml`): the same directory and
/// extension, names that differ in one word only, each word an environment's name? A file named for
/// the test *environment* beside its production sibling is per-environment configuration, not test
/// code. Code modules are not data: `handler.test.js` beside `handler.prod.js` is no such pair.
pub(crate) fn environment_siblings(a: &str, b: &str) -> bool {
    use crate::repo::environments::tier_of_word;
    let (na, nb) = (file_name(a), file_name(b));
    let ext = extension(na).to_ascii_lowercase();
    if parent(a) != parent(b) || na == nb || !DATA_EXTENSIONS.contains(&ext.as_str()) {
        return false;
    }
    if !extension(nb).eq_ignore_ascii_case(&ext) {
        return false;
    }
    let split = |n: &str| -> Vec<String> {
        stem(n)
            .split(['.', '-', '_'])
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let (wa, wb) = (split(na), split(nb));
    if wa.len() != wb.len() {
        return false;
    }
    let differ: Vec<(&String, &String)> = wa.iter().zip(&wb).filter(|(x, y)| x != y).collect();
    matches!(differ.as_slice(), [(x, y)] if tier_of_word(x).is_some() && tier_of_word(y).is_some())
}

/// Is `path` a module of a `factories/` directory among production sources (`src/factories/
/// interested-party/factory.js`, `app/factories/claim.py`): the convention's only test-side word, below
/// a directory that is production code, not in a test tree (`spec/factories/`)? Such a module builds
/// domain objects unless it uses a test-data library (`factories::extract` decides).
pub(crate) fn is_factories_module(path: &str) -> bool {
    use crate::repo::classify::classify_default;
    let parts: Vec<&str> = path.split('/').collect();
    let Some(i) = parts[..parts.len().saturating_sub(1)]
        .iter()
        .position(|d| d.eq_ignore_ascii_case("factories"))
    else {
        return false;
    };
    if i == 0 {
        return false;
    }
    // Without the `factories` part, the path is production code (nothing else makes it test-side).
    let rest: Vec<&str> = parts
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, p)| *p)
        .collect();
    !classify_default(&rest.join("/")).is_test_side()
        && !classify_default(&format!("{}/_", parts[..i].join("/"))).is_test_side()
}

/// Go package names glue words together (`httptest`, `promqltest`, `teststorage`, `mockstore`): a
/// package whose name starts or ends with a test word is a test-helper package.
pub(crate) fn is_go_test_helper_name(name: &str) -> bool {
    is_test_support_word(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::classify::classify_default;

    #[test]
    fn join_resolves_dots_and_refuses_to_leave_the_repo() {
        assert_eq!(
            join("app/api", "../tests/x.py").as_deref(),
            Some("app/tests/x.py")
        );
        assert_eq!(join("", "./a//b").as_deref(), Some("a/b"));
        assert_eq!(join("a", "../../x"), None);
        assert_eq!(up("a/b/c", 2), Some("a"));
        assert_eq!(up("a", 2), None);
        assert_eq!(under("", "x"), "x");
    }

    #[test]
    fn every_conventional_test_location_contains_a_test_word() {
        // Every directory name classify.rs treats as test-side must contain a test word, or references to
        // it would be dropped during the walk: derived from the classifier's own lists, never copied.
        let dirs = crate::repo::classify::TEST_DIRS
            .iter()
            .chain(crate::repo::classify::FIXTURE_DIRS);
        for dir in dirs {
            let p = format!("x/{dir}/y.py");
            assert!(classify_default(&p).is_test_side(), "{p}");
            assert!(has_test_word(&p), "{p}");
        }
        for file in [
            "test_x.py",
            "x_test.py",
            "conftest.py",
            "a.test.ts",
            "a.spec.js",
            "a.cy.ts",
            "x_test.go",
            "x_spec.rb",
            "XTest.java",
            "XIT.java",
        ] {
            assert!(classify_default(file).is_test_side(), "{file}");
            // `XIT.java` is only known from its Java class name: the JVM references keep every import.
            assert!(has_test_word(file) || file == "XIT.java", "{file}");
        }
    }

    #[test]
    fn test_support_modules() {
        for p in [
            "src/flask/testing.py",
            "actionpack/lib/action_controller/test_case.rb",
            "pkg/mocks.go",
            "src/testUtils.ts",
            "pytest_django/plugin.py",
            "web/ui/src/setupTests.ts",
            "tokio-stream/fuzz/Cargo.toml",
        ] {
            assert!(is_test_support_path(p), "{p}");
        }
        for p in [
            "module/spring-boot-gson/src/main/java/org/x/GsonTesterTestAutoConfiguration.java",
            "module/spring-boot-resttestclient/src/main/java/org/x/TrustAllTlsRequestFactory.java",
            "core/spring-boot-testcontainers/src/main/java/org/x/ContainerFieldsImporter.java",
            "internal/mockstore/store.go",
            "src/HTTPMockServer.ts",
        ] {
            assert!(is_test_support_path(p), "{p}");
        }
        for p in [
            "app/attestation.py",
            "src/contest.rs",
            "app/latest.py",
            "src/Protester.java",
            "app/greatest_hits.py",
            "src/StubbornService.java",
        ] {
            assert!(!is_test_support_path(p), "{p}");
        }
        assert!(is_go_test_helper_name("promqltest"));
        assert!(environment_siblings(
            "src/config.test.json",
            "src/config.prod.json"
        ));
        assert!(environment_siblings(
            "src/config.generated.test.json",
            "src/config.generated.production.json"
        ));
        assert!(!environment_siblings(
            "src/users.test.json",
            "src/accounts.test.json"
        ));
        assert!(!environment_siblings("src/h.test.js", "src/h.prod.js"));
        assert!(!environment_siblings("a/c.test.json", "b/c.prod.json"));
        assert!(is_factories_module("src/factories/party/factory.js"));
        assert!(is_factories_module("app/factories/claim.py"));
        assert!(!is_factories_module("spec/factories/users.rb"));
        assert!(!is_factories_module("factories/users.py"));
        assert!(!is_factories_module("src/__mocks__/factories/users.js"));
        assert!(is_go_test_helper_name("teststorage"));
        assert!(!is_go_test_helper_name("latest"));
        assert!(!is_go_test_helper_name("storage"));
    }
}
