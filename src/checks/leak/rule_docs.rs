//! The `leak/…` rules' documentation: what `shipgate rules` lists and `shipgate explain` prints.

use crate::finding::Severity;
use crate::rules::CodeRule;

pub const TEST_IMPORT: CodeRule = CodeRule {
    id: "leak/test-import",
    fires_in: "leaks::python_production_import_of_test_factories",
    title: "Production code imports test code",
    severity: Severity::Error,
    why: "Test modules exist to be wrong on purpose: they stub clocks, seed fake people, point at sandboxes and \
          skip checks. Once production code imports one, all of that ships and runs in the live system. The ICO \
          reprimand over the Police National Database began with a coding issue that put test data into the live \
          database, which then went unnoticed for months; its recommendation was to prevent code being \
          inadvertently added to live systems. An import from production into test code is the most direct way \
          that happens.",
    fix: "Move what production needs out of the test tree into a production module (and have the tests import \
          it from there), or, if the import is only used by tests, move it into test code: a test file, a \
          `#[cfg(test)]` module, a `_test.go` file, `src/test/…`, `__tests__/`.",
    example: "app/notify.py:3:6 imports `tests/factories.py` (test code): from tests.factories import UserFactory",
};

pub const FIXTURE_IMPORT: CodeRule = CodeRule {
    id: "leak/fixture-import",
    fires_in: "leaks::python_relative_import_of_a_fixtures_package",
    title: "Production code imports fixtures or mocks",
    severity: Severity::Error,
    why: "Fixtures, factories and mocks are test data and fake behaviour in code form. Imported by production code \
          they put that data, or a fake collaborator, into the live system — the route by which test data reached \
          the live Police National Database in the incident the ICO reprimanded, unnoticed for months. The ICO's \
          recommendation to prevent code being inadvertently added to live systems starts with not importing it.",
    fix: "Import the real implementation in production code and inject the mock only from tests. If production \
          genuinely needs the data (reference data, say), give it a production home — a migration or a config \
          file reviewed as such — rather than a fixture.",
    example: "src/api.ts:1:22 imports `src/__mocks__/payments.ts` (fixture): import { charge } from './__mocks__/payments'",
};

pub const FIXTURE_READ: CodeRule = CodeRule {
    id: "leak/fixture-read",
    fires_in: "leaks::python_reads_a_fixture_file_at_run_time",
    title: "Production code reads or embeds a test or fixture file",
    severity: Severity::Error,
    why: "A fixture file opened at run time, or embedded into the binary at build time (`include_str!`), is test \
          data loaded by production code — exactly how a small set of test data ended up in the live Police \
          National Database, where it went unnoticed for months. The ICO's recommendation to \
          prevent code being inadvertently added to live systems covers a production path that reads `tests/fixtures/…`.",
    fix: "Read production data from a production location (configuration, a data directory that is reviewed and \
          deployed as such, the database). Keep fixture reads in test code, or behind `#[cfg(test)]`.",
    example: "app/seed.py:4:20 reads `tests/fixtures/people.json` (fixture) at run time",
};

pub const GO_TESTING_IMPORT: CodeRule = CodeRule {
    id: "leak/go-testing-import",
    fires_in: "leaks::go_testing_outside_tests_and_helper_packages",
    title: "Non-test Go file imports the `testing` package",
    severity: Severity::Warning,
    why: "Go keeps tests in `_test.go` files so they are never compiled into the program. A non-test file that \
          imports `testing` compiles test machinery into the production binary, and usually means test helpers \
          are living in production packages, where production code can call them. After test data reached the \
          Police National Database through a coding issue, the ICO recommended steps to prevent code being \
          inadvertently added to live systems; keeping test machinery out of production packages is one.",
    fix: "Move the helpers into a `_test.go` file, or into a test-helper package (a directory such as \
          `internal/testutil`, or a package named like `footest`) that only tests import.",
    example: "internal/store/helpers.go:5:2 imports \"testing\" outside a test file or test-helper package",
};

pub const TEST_LIBRARY_IMPORT: CodeRule = CodeRule {
    id: "leak/test-library-import",
    fires_in: "leaks::js_and_ts_entry_points_importing_test_libraries",
    title: "Production code imports a test library",
    severity: Severity::Warning,
    why: "Mocking libraries, test frameworks and generators of made-up records (unittest.mock, pytest, jest, sinon, gomock, \
          testify, Mockito, Faker, …) have no job in a live system: when production code imports one, a test \
          double or generated made-up records can end up serving real requests. The ICO's reprimand over test data in \
          the live Police National Database recommended steps to prevent code being inadvertently added to live \
          systems; this is a common way it is added.",
    fix: "Remove the import from production code. Keep mocks and fakes in tests and inject them there; if \
          production needs generated values, use a production-grade source rather than a Faker-style library.",
    example: "app/payments.py:1:6 imports `unittest.mock` (a test framework or test double library) in production code",
};

pub const TEST_DEPENDENCY: CodeRule = CodeRule {
    id: "leak/test-dependency",
    fires_in: "leaks::npm_production_dependency_on_jest",
    title: "Test library or test feature in production dependencies",
    severity: Severity::Warning,
    why: "A package's production dependencies are what gets installed on live systems. A test framework, mocking \
          crate, or a dependency's feature for tests (tokio's `test-util`, a `testing` feature) listed there ships \
          test machinery to production, where code can reach it; so does a production image that installs a \
          manifest's development dependencies too (`npm ci` without `--omit=dev`, Yarn 2+'s `yarn install`). After test data reached the live Police National \
          Database, the ICO recommended steps to prevent code being inadvertently added to live systems; \
          dependency lists are where much of that is decided.",
    fix: "Move it to the test or development dependencies (`[dev-dependencies]`, `devDependencies`, a `test` \
          extra or dependency group, `group :test`), and drop test features from production dependencies; in \
          the production image install production dependencies only (`npm ci --omit=dev`, `yarn workspaces \
          focus --production`), or install everything in a build stage it only copies the output from.",
    example: "Cargo.toml:9:42 production dependency `tokio` enables the test feature `test-util`",
};

pub const FAKER_DEPENDENCY: CodeRule = CodeRule {
    id: "leak/faker-dependency",
    fires_in: "leaks::faker_in_production_requirements_is_a_note",
    title: "Faker-style generator in production dependencies",
    severity: Severity::Note,
    why: "Faker and its kin generate plausible people, addresses and card numbers. Installed in production they make \
          it easy for fake records to be written to a live system — the kind of test data that reached the Police \
          National Database and went unnoticed for months. Some teams do use them in production (demo \
          environments, anonymisation), so this is a note: visible in the evidence report for a reviewer to \
          confirm, in line with the ICO's recommendation to prevent code being inadvertently added to live systems.",
    fix: "Move it to development/test dependencies. If production really uses it (for example to anonymise \
          exports), keep it and suppress this note with a reason.",
    example: "requirements.txt:4:1 production dependency `Faker` (a generator of made-up records)",
};

pub const DOCKER_COPIES_TESTS: CodeRule = CodeRule {
    id: "leak/docker-copies-tests",
    fires_in: "leaks::dockerfile_final_stage_copying_fixtures",
    title: "Production image copies tests or fixtures",
    severity: Severity::Error,
    why: "The final stage of a Dockerfile is what runs in production. Copying test code or fixture data into it \
          puts that data, and code that can load it, on the live system. Builder stages that run tests are fine; \
          the image that ships is not the place for them. After test data reached the live Police National \
          Database, the ICO recommended steps to prevent code being inadvertently added to live systems.",
    fix: "Copy only what the application needs into the final stage (`COPY app/ /app/app/`), run tests in a \
          separate build stage, and copy built output from it with `COPY --from=builder`.",
    example: "Dockerfile:9:6 the production stage copies `tests/fixtures` (fixture) into the image",
};

pub const DOCKER_COPY_ALL: CodeRule = CodeRule {
    id: "leak/docker-copy-all",
    fires_in: "leaks::dockerfile_copy_all_needs_a_dockerignore_that_excludes_tests",
    title: "Production image copies the whole build context without excluding tests",
    severity: Severity::Warning,
    why: "`COPY . .` in the final stage copies everything in the build context, including `tests/` and fixture data, \
          unless a .dockerignore excludes them. The image then carries test data and code that can load it into \
          the live system. After test data reached the live Police National Database, the ICO recommended \
          steps to prevent code being inadvertently added to live systems; this is one of them.",
    fix: "Add the test and fixture directories to .dockerignore (`tests/`, `**/__tests__`, `**/fixtures`), or copy \
          only the application's own directories into the final stage.",
    example: "Dockerfile:7:6 the production stage copies the whole build context, which holds 12 test and fixture files (`tests/test_app.py`, …), and no .dockerignore excludes them",
};

pub const PACKAGE_SHIPS_TESTS: CodeRule = CodeRule {
    id: "leak/package-ships-tests",
    fires_in: "leaks::package_json_files_publishing_fixtures",
    title: "Installable package includes tests or fixtures",
    severity: Severity::Warning,
    why: "A wheel or an npm package is installed on production machines. `find_packages()` without an exclude \
          installs a top-level `tests` package into site-packages (where `import tests` then works in production), \
          and an npm `files` entry naming test paths publishes them into every consumer's node_modules; a Google \
          Cloud source upload (`gcloud app deploy`) ships whatever `.gcloudignore` leaves in, a Cloud Foundry \
          `cf push` whatever `.cfignore` leaves in, and a deploy \
          archive a pipeline packs from a folder of the checkout (`zip -r build.zip ./*`, Azure Pipelines' \
          `ArchiveFiles@2`) ships everything in that folder. Either way test code and fixture data reach live \
          systems. After test data got into the live Police National \
          Database, the ICO recommended steps to prevent code being inadvertently added to live systems.",
    fix: "Exclude the tests: `find_packages(exclude=[\"tests\", \"tests.*\"])` or `exclude = [\"tests*\"]` under \
          `[tool.setuptools.packages.find]`; remove test paths from package.json `files` (or negate them, \
          `\"!**/*.test.js\"`); add the test directories to `.gcloudignore` or `.cfignore`; archive the build output rather \
          than the checkout, or exclude the tests from the archive (`zip -r build.zip . -x '*.test.js' \
          'tests/*'`, `tar --exclude=tests`).",
    example: "setup.py:8:14 `find_packages()` installs the top-level test package `tests` (tests/__init__.py)",
};

pub const SOURCE_PACKAGE_SHIPS_TESTS: CodeRule = CodeRule {
    id: "leak/source-package-ships-tests",
    fires_in: "leaks::manifest_in_grafting_tests_is_a_note",
    title: "Source package includes tests or fixtures",
    severity: Severity::Note,
    why: "Source distributions (an sdist's MANIFEST.in, a crate's `include`) often carry tests on purpose so that \
          downstream packagers can run them; they are not installed as importable code. It is still worth a \
          reviewer's glance when fixtures hold data resembling real people (test data of that kind reached the live \
          Police National Database through a coding issue), so this is a note in the evidence \
          report, in the spirit of the ICO's recommendation to prevent code being inadvertently added to live \
          systems.",
    fix: "If the tests are there for downstream packagers, keep them and suppress with that reason. Otherwise drop \
          the `graft tests` / `recursive-include tests` lines, or the `tests/**` entry from Cargo's `include`.",
    example: "MANIFEST.in:3:7 the source package includes `tests` (test code)",
};

pub const RULES: &[CodeRule] = &[
    TEST_IMPORT,
    FIXTURE_IMPORT,
    FIXTURE_READ,
    GO_TESTING_IMPORT,
    TEST_LIBRARY_IMPORT,
    TEST_DEPENDENCY,
    super::manifests::TEST_DEPENDENCY_LOADED,
    FAKER_DEPENDENCY,
    DOCKER_COPIES_TESTS,
    DOCKER_COPY_ALL,
    super::docker::DOCKERFILE_NOT_EVALUATED,
    PACKAGE_SHIPS_TESTS,
    SOURCE_PACKAGE_SHIPS_TESTS,
    super::reach_rules::UNEVALUATED_REACH,
    super::reach_rules::TEST_ROUTE,
    super::reach_rules::STAND_IN,
    super::reach_rules::NONPROD_DEFAULT,
];

#[cfg(test)]
mod tests {
    use super::RULES;

    #[test]
    fn every_rule_cites_the_recommendation_and_the_incident() {
        for r in RULES {
            // `gate/unevaluated-reach`: production reaching what the gate cannot read fails closed.
            assert!(
                r.id.starts_with("leak/") || r.id == "gate/unevaluated-reach",
                "{}",
                r.id
            );
            assert!(
                r.why
                    .contains("prevent code being inadvertently added to live systems"),
                "{}",
                r.id
            );
            assert!(r.why.contains("Police National Database"), "{}", r.id);
        }
    }
}
