//! Which part of a repository a path belongs to: test, fixture, production code, production config, ...
//!
//! Defaults follow each ecosystem's conventions (Python, JS/TS, Go, Rust, Java/Kotlin, Ruby, C#);
//! the user's `[paths]` globs in shipgate.toml are consulted first and win.

use serde::Serialize;

use crate::repo::environments::{self, Tier};
mod test_side;
pub use test_side::TestSide;

/// The class of a file. Rules say which classes they apply to (`applies-to` in a rule pack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum FileClass {
    /// Production source code.
    Code,
    /// Production templates and markup (HTML, Jinja, ERB, ...): UI hint text lives here.
    Template,
    /// Production configuration (YAML, JSON, TOML, INI, properties, .env).
    Config,
    /// Database migrations and seed data: they run against the live database.
    Migration,
    /// How the software is built and deployed: Dockerfiles, Kubernetes/Helm, Terraform, compose files.
    Deploy,
    /// CI definitions (`.github/workflows`, GitLab CI, ...).
    Ci,
    /// Package manifests and lock files.
    Manifest,
    Test,
    Fixture,
    Docs,
    /// Configuration for development, test or examples: `.env.example`, `settings/dev.py`, `application-test.yml`.
    DevConfig,
    /// Third-party code checked in (vendor/, node_modules/, third_party/).
    Vendor,
    /// Anything else (images, data files of unknown kind).
    Other,
}

impl FileClass {
    pub const ALL: &'static [FileClass] = &[
        FileClass::Code,
        FileClass::Template,
        FileClass::Config,
        FileClass::Migration,
        FileClass::Deploy,
        FileClass::Ci,
        FileClass::Manifest,
        FileClass::Test,
        FileClass::Fixture,
        FileClass::Docs,
        FileClass::DevConfig,
        FileClass::Vendor,
        FileClass::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileClass::Code => "code",
            FileClass::Template => "template",
            FileClass::Config => "config",
            FileClass::Migration => "migration",
            FileClass::Deploy => "deploy",
            FileClass::Ci => "ci",
            FileClass::Manifest => "manifest",
            FileClass::Test => "test",
            FileClass::Fixture => "fixture",
            FileClass::Docs => "docs",
            FileClass::DevConfig => "dev-config",
            FileClass::Vendor => "vendor",
            FileClass::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<FileClass> {
        FileClass::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// Does this class reach production? (Test data found here is a leak.)
    pub fn is_production(self) -> bool {
        matches!(
            self,
            FileClass::Code
                | FileClass::Template
                | FileClass::Config
                | FileClass::Migration
                | FileClass::Deploy
        )
    }

    /// Test-side classes: references *to* these from production code are leaks.
    pub fn is_test_side(self) -> bool {
        matches!(self, FileClass::Test | FileClass::Fixture)
    }
}

/// Source language, where a check needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Go,
    Rust,
    Java,
    Kotlin,
    Scala,
    Ruby,
    CSharp,
    Php,
    Other,
}

impl Lang {
    pub fn from_extension(ext: &str) -> Lang {
        match ext {
            "py" | "pyw" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" | "tsx" => Lang::TypeScript,
            "go" => Lang::Go,
            "rs" => Lang::Rust,
            "java" => Lang::Java,
            "kt" | "kts" => Lang::Kotlin,
            "scala" | "sc" => Lang::Scala,
            "rb" | "rake" => Lang::Ruby,
            "cs" => Lang::CSharp,
            "php" => Lang::Php,
            _ => Lang::Other,
        }
    }
}

const CODE_EXTS: &[&str] = &[
    "py", "pyw", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "go", "rs", "java", "kt",
    "kts", "rb", "rake", "cs", "php", "scala", "swift", "c", "h", "cc", "cpp", "hpp", "m", "ex",
    "exs", "erl", "clj", "groovy", "sh", "bash", "ps1", "pl", "pm", "lua", "dart", "r", "sql",
    "vb", "fs",
];
const TEMPLATE_EXTS: &[&str] = &[
    "html",
    "htm",
    "erb",
    "haml",
    "slim",
    "jinja",
    "jinja2",
    "j2",
    "njk",
    "hbs",
    "handlebars",
    "mustache",
    "ejs",
    "pug",
    "vue",
    "svelte",
    "cshtml",
    "razor",
    "jsp",
    "twig",
    "liquid",
    "tmpl",
    "gohtml",
];
const CONFIG_EXTS: &[&str] = &[
    "yml",
    "yaml",
    "json",
    "json5",
    "toml",
    "ini",
    "cfg",
    "conf",
    "properties",
    "env",
    "xml",
    "hcl",
    "tfvars",
    "plist",
    // Play's routes files (`conf/prod.routes`): which controllers production serves.
    "routes",
];
const DOC_EXTS: &[&str] = &[
    "md", "markdown", "rst", "adoc", "asciidoc", "txt", "org", "rdoc", "textile", "tex",
];

/// Directory names whose contents are tests.
pub(crate) const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "spec",
    "specs",
    "__tests__",
    // The singular form, used as Jest's `__tests__` is (a service shipped one in its image).
    "__test__",
    "testing",
    "e2e",
    "cypress",
    "playwright",
    "integration-tests",
    "integration_tests",
    "smoke-test",
    "smoke-tests",
    "smoke_test",
    "smoke_tests",
    "smoketest",
    "smoketests",
    "system-test",
    "system-tests",
    "system_test",
    "system_tests",
    "systemtest",
    "systemtests",
    "testutil",
    "testutils",
    "test-utils",
    "test_utils",
    "testhelpers",
    "benches",
    "bench",
    "benchmarks",
    "__benchmarks__",
    "androidtest",
    "jmh",
    // Cucumber: `features/step_definitions/*.rb` drive the browser in acceptance tests.
    "step_definitions",
    // Play: controllers behind the test-only router (`app/testOnly/`).
    "testonly",
    "test-only",
    "test_only",
    // Storybook renders components with made-up data for development and visual tests.
    "stories",
    ".storybook",
    "storybook",
];
/// Directory names whose contents are fixtures, mocks or test data.
pub(crate) const FIXTURE_DIRS: &[&str] = &[
    "fixtures",
    "fixture",
    "__fixtures__",
    "__mocks__",
    "mocks",
    "mock",
    "testdata",
    "test_data",
    "test-data",
    "testfiles",
    "test-files",
    "factories",
    "stubs",
    // WireMock's stub mappings and response bodies (`wiremock/mappings/*.json`, `__files/`): the fake
    // API a test run starts, never read by the service itself.
    "wiremock",
    "snapshots",
    "__snapshots__",
    "golden",
    "sample-data",
    "sample_data",
    "dummy",
    "fake",
    "fakes",
];
const DOC_DIRS: &[&str] = &[
    "docs",
    "doc",
    "documentation",
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    "docs_src",
    "docs-src",
    "man",
    // Published API descriptions: their `example:` values are documentation shown to API users.
    "openapi",
    "swagger",
];
const VENDOR_DIRS: &[&str] = &[
    "vendor",
    "node_modules",
    "third_party",
    "third-party",
    "thirdparty",
    "bower_components",
    ".venv",
    "venv",
    "site-packages",
];
const MIGRATION_DIRS: &[&str] = &[
    "migrations",
    "migration",
    "migrate",
    "seeds",
    "seed",
    "seeders",
    "alembic",
    "flyway",
    "liquibase",
    "changelog",
];
const DEPLOY_DIRS: &[&str] = &[
    "k8s",
    "kubernetes",
    "helm",
    "charts",
    "deploy",
    "deployment",
    "deployments",
    "terraform",
    "infra",
    "infrastructure",
    "ansible",
    "manifests",
    "kustomize",
    "overlays",
    "copilot",
    "cloudformation",
];
/// Words in a configuration file's name that say it is not for any environment — a copy to fill in
/// (`config.example.yml`, `settings.dist.ini`) or a test double (`mock`, `fixture`, `spec`, `stub`) —
/// beside the non-production environment names of `environments`.
const COPY_OR_DOUBLE_TOKENS: &[&str] = &[
    "example", "examples", "sample", "dist", "template", "mock", "fixture", "fixtures", "spec",
    "stub",
];
/// A token of a file's name that names a non-production environment (`settings/uat.py`,
/// `application-integration.yml`) or a copy or double.
fn names_nonprod_env(token: &str) -> bool {
    environments::tier_of_word(token) == Some(Tier::NonProduction)
        || COPY_OR_DOUBLE_TOKENS.contains(&token)
}
/// A token of a file's name that names production (`docker-compose.prod.yml`, `.env.production`).
fn names_production(token: &str) -> bool {
    environments::tier_of_word(token) == Some(Tier::Production)
}
/// Words in a file name that say the code is a stand-in used outside production: `aws_ses_stub.py`,
/// `mock_benefit_check_service.rb`, `generate_dummy_data.py`, `mocks.ts`.
const STAND_IN_TOKENS: &[&str] = &[
    "mock", "mocks", "mocked", "fake", "fakes", "stub", "stubs", "stubbed", "dummy",
];
/// Configuration files only a test runner reads.
const TEST_RUNNER_CONFIGS: &[&str] = &[
    "pytest.ini",
    "tox.ini",
    ".coveragerc",
    ".mocharc.yml",
    ".mocharc.json",
    ".mocharc.js",
];
/// Directories that hold only development tooling or non-production apps (`nonprod/`, `gulp/`).
const DEV_DIRS: &[&str] = &[
    "nonprod",
    "non-prod",
    "non_prod",
    "devtools",
    "dev-tools",
    "dev_tools",
    "local-dev",
    "local_dev",
    ".vscode",
    ".idea",
    ".devcontainer",
    "gulp",
    "grunt",
];
/// Build and developer-tool configuration: read when building or running locally, never by the live service.
const DEV_TOOL_NAMES: &[&str] = &[
    "nodemon.json",
    "procfile.dev",
    "gulpfile.js",
    "gruntfile.js",
    "webpack.config.js",
    "webpack.dev.js",
    "vite.config.js",
    "vite.config.ts",
    "rollup.config.js",
    "rollup.config.mjs",
    "babel.config.js",
    ".babelrc",
    "tsconfig.json",
    ".eslintrc.js",
    ".eslintrc.json",
    "eslint.config.js",
    "eslint.config.mjs",
    ".prettierrc",
    "brunch-config.js",
];
const MANIFEST_NAMES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "cargo.toml",
    "cargo.lock",
    "go.mod",
    "go.sum",
    "pyproject.toml",
    "poetry.lock",
    "pipfile",
    "pipfile.lock",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "gemfile",
    "gemfile.lock",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "composer.json",
    "composer.lock",
    "manifest.in",
    "uv.lock",
    "packages.lock.json",
    "directory.packages.props",
    "bun.lockb",
    "deno.lock",
    "mix.exs",
    "mix.lock",
];
const DOC_NAMES: &[&str] = &[
    "readme",
    "changelog",
    "changes",
    "history",
    "license",
    "licence",
    "copying",
    "authors",
    "contributors",
    "notice",
    "code_of_conduct",
    "contributing",
    "security",
    "codeowners",
];

/// The third-party tree a path lies in by convention: the path up to and including its first
/// `vendor/`, `node_modules/`, `third_party/`, … directory (`app/vendor` for `app/vendor/x/conf.py`;
/// nested `node_modules` count once, in the outermost). None outside such a tree.
pub fn vendor_root(rel: &str) -> Option<&str> {
    let mut end = 0;
    let mut parts = rel.split('/').peekable();
    while let Some(part) = parts.next() {
        parts.peek()?; // the last part is the file's own name, not a directory
        end += part.len();
        if VENDOR_DIRS.contains(&part) {
            return Some(&rel[..end]);
        }
        end += 1;
    }
    None
}

/// The production class a file has by its extension alone, whatever its directory or name says: for a
/// file production reaches (imports, reads, links to), which is production whatever it is called.
pub fn production_class(rel: &str) -> FileClass {
    let lower = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let ext = extension(&lower);
    if TEMPLATE_EXTS.contains(&ext) {
        FileClass::Template
    } else if CODE_EXTS.contains(&ext) {
        FileClass::Code
    } else {
        FileClass::Config
    }
}

/// Why `rel` is test code or fixtures by convention (the directory or naming pattern that says so), as
/// `classify_default` decides it; None when it is not test-side by convention.
pub fn test_side_reason(rel: &str) -> Option<TestSide<'_>> {
    if !classify_default(rel).is_test_side() {
        return None;
    }
    let mut dirs: Vec<&str> = rel.split('/').collect();
    let name = dirs.pop().unwrap_or("");
    if let Some(d) = test_side::fixture_dir(&dirs) {
        return Some(TestSide::FixtureDir(d));
    }
    let lower = name.to_ascii_lowercase();
    let stem_tokens = tokens(stem(&lower));
    test_side::test_path(&dirs, name, &lower, extension(&lower), &stem_tokens)
}

/// Classify a repository-relative path (forward slashes) by convention.
pub fn classify_default(rel: &str) -> FileClass {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let lower = name.to_ascii_lowercase();
    let dirs = parts;
    let ext = extension(&lower);
    let stem_tokens = tokens(stem(&lower));

    if dirs.iter().any(|d| VENDOR_DIRS.contains(d)) {
        return FileClass::Vendor;
    }
    // shipgate's own rule packs and baseline quote the very markers they look for.
    if dirs.first() == Some(&".shipgate") {
        return FileClass::Other;
    }
    // Dev containers, editor settings, non-production apps and build tooling configure a developer's
    // machine or the build, never the live service.
    if test_side::convention_dirs(&dirs)
        .iter()
        .any(|d| in_list(DEV_DIRS, d))
    {
        return FileClass::DevConfig;
    }
    // CI before everything else: a workflow under `.github/workflows/test.yml` is CI, not a test.
    if is_ci(&dirs, &lower) {
        return FileClass::Ci;
    }
    // Fixtures before tests: `tests/fixtures/x.json` is fixture data; so is a package named for what it
    // holds (`app/functional_tests_fixtures/`), which production code must not import either.
    if test_side::fixture_dir(&dirs).is_some() {
        return FileClass::Fixture;
    }
    if test_side::test_path(&dirs, name, &lower, ext, &stem_tokens).is_some() {
        return FileClass::Test;
    }
    if test_side::convention_dirs(&dirs)
        .iter()
        .any(|d| is_doc_dir(d))
    {
        return FileClass::Docs;
    }
    if lower.starts_with("openapi.") || lower.starts_with("swagger.") {
        return FileClass::Docs;
    }
    // A top-level `guides/` is documentation (Rails guides and their runnable bug-report templates);
    // deeper down the word may name a product feature, so only the top level counts.
    if dirs.first() == Some(&"guides") {
        return FileClass::Docs;
    }
    if DOC_EXTS.contains(&ext) && !lower.starts_with("requirements") {
        return FileClass::Docs;
    }
    let base = lower.split('.').next().unwrap_or("");
    if DOC_NAMES.contains(&base) && ext != "py" {
        return FileClass::Docs;
    }
    if MANIFEST_NAMES.contains(&lower.as_str())
        || lower.ends_with(".csproj")
        || lower.ends_with(".gemspec")
        || lower.starts_with("requirements") && ext == "txt"
    {
        return FileClass::Manifest;
    }
    if is_dev_config(&dirs, &lower, ext) || is_dev_code(&lower, ext, &stem_tokens) {
        return FileClass::DevConfig;
    }
    // Seed data chosen per environment is production's only when it is the production environment's.
    if seed_environment(&dirs, &stem_tokens).is_some_and(|t| t != Tier::Production) {
        return FileClass::DevConfig;
    }
    if is_migration(&dirs, &lower) {
        return FileClass::Migration;
    }
    if is_deploy(&dirs, &lower, ext) {
        return FileClass::Deploy;
    }
    if TEMPLATE_EXTS.contains(&ext) {
        return FileClass::Template;
    }
    if CODE_EXTS.contains(&ext) {
        return FileClass::Code;
    }
    if CONFIG_EXTS.contains(&ext)
        || lower == "routes" && dirs.last() == Some(&"conf")
        || is_security_rules(&lower)
        || lower == ".env"
        || lower.starts_with(".env.")
        || lower.ends_with(".env")
    {
        return FileClass::Config;
    }
    FileClass::Other
}

/// Split a directory name into lower-case words at `-` and `_`.
/// Is one of `words` (lower-case) a word of the directory name split at `-` and `_`, ignoring case? No
/// allocation: asked for every directory of every file.
fn has_dir_token(dir: &str, words: &[&str]) -> bool {
    dir.split(['-', '_'])
        .any(|t| !t.is_empty() && in_list(words, t))
}

/// Is `word` in `list` (lower-case), ignoring case? No allocation: the walk asks for every directory of
/// every file.
pub(super) fn in_list(list: &[&str], word: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The last word of a directory name split at `-` and `_`, as written (`tech_docs` → `docs`).
pub(super) fn last_token(dir: &str) -> &str {
    dir.rsplit(['-', '_']).find(|t| !t.is_empty()).unwrap_or("")
}

/// Lower-case words of a name split at `-`, `_`, `.` and lower-to-upper case changes (`localMockData`).
fn camel_words(name: &str) -> Vec<String> {
    words_split_at(name, |c| matches!(c, '-' | '_' | '.'))
}

/// Lower-case words of a name split where `separates` says and at lower-to-upper case changes
/// (`clearForTesting` → `clear`, `for`, `testing`).
pub(crate) fn words_split_at(name: &str, separates: impl Fn(char) -> bool) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if separates(c) {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `docs/`, `examples/`, and a directory whose name ends in such a word (`full-page-examples`, `tech_docs`).
fn is_doc_dir(dir: &str) -> bool {
    // `project_template/` is the starter a kit copies into a new project (GOV.UK prototype kit).
    in_list(DOC_DIRS, dir)
        || in_list(&["project_template", "project-template"], dir)
        || in_list(
            &["docs", "examples", "example", "samples", "demos"],
            last_token(dir),
        )
}

/// Code that only development uses: stand-ins named for what they are (`aws_ses_stub.py`, `mocks.ts`,
/// `generate_dummy_data.py`), shell scripts for a developer's environment (`generate-dev-environment.sh`),
/// build and developer-tool configuration (`nodemon.json`, `webpack.config.js`), and local-only
/// container files (`local.Dockerfile`, `Dockerfile.dev`, a `docker-compose.yml` not named for production).
fn is_dev_code(lower: &str, ext: &str, stem_tokens: &[&str]) -> bool {
    // Build tools' own files in any of their languages (`gulpfile.babel.js`, `Gruntfile.coffee`).
    if DEV_TOOL_NAMES.contains(&lower)
        || lower.starts_with("gulpfile.")
        || lower.starts_with("gruntfile.")
    {
        return true;
    }
    let code_like = CODE_EXTS.contains(&ext) || TEMPLATE_EXTS.contains(&ext);
    if code_like && stem_tokens.iter().any(|t| STAND_IN_TOKENS.contains(t)) {
        return true;
    }
    let names_dev = stem_tokens
        .iter()
        .any(|t| matches!(*t, "dev" | "development" | "local"));
    if matches!(ext, "sh" | "bash" | "ps1") && names_dev {
        return true;
    }
    // A script that sets up a test or development environment (`unit-test-env.sh`, `ci_env.py`,
    // `qa-environment.js`), as `.env.test` configures one: the environment its name says, not production.
    if code_like && names_nonprod_environment(stem_tokens) {
        return true;
    }
    let dockerfile =
        lower == "dockerfile" || lower.starts_with("dockerfile.") || ext == "dockerfile";
    let whole_name_dev = tokens(lower)
        .iter()
        .any(|t| matches!(*t, "dev" | "development" | "local"));
    if dockerfile && whole_name_dev {
        return true;
    }
    // Compose files start a developer's stack unless named for production; a compose file that
    // production really uses should be named so (`docker-compose.prod.yml`) or listed in `[paths] deploy`.
    let compose = lower.starts_with("docker-compose") || lower.starts_with("compose.");
    compose && !stem_tokens.iter().any(|t| names_production(t))
}

/// Do a name's words say it is a non-production environment's (`unit-test-env`, `ci_environment`,
/// `testenv`): an environment's word followed by `env` or `environment`, or joined to `env`?
fn names_nonprod_environment(stem_tokens: &[&str]) -> bool {
    let nonprod = |w: &str| environments::tier_of_word(w) == Some(Tier::NonProduction);
    stem_tokens
        .windows(2)
        .any(|w| matches!(w[1], "env" | "environment") && nonprod(w[0]))
        || stem_tokens.iter().any(|t| {
            t.strip_suffix("env")
                .is_some_and(|w| !w.is_empty() && nonprod(w))
        })
}

/// Firebase security rules (`firestore.rules`, `storage.rules`): they decide who can read the data, so they
/// are production configuration, and the access rules look at them.
fn is_security_rules(lower_name: &str) -> bool {
    lower_name.ends_with(".rules")
        && ["firestore", "storage", "database"]
            .iter()
            .any(|k| lower_name.contains(k))
}

fn extension(lower_name: &str) -> &str {
    match lower_name.rfind('.') {
        Some(i) if i > 0 => &lower_name[i + 1..],
        _ => "",
    }
}

fn stem(lower_name: &str) -> &str {
    match lower_name.rfind('.') {
        Some(i) if i > 0 => &lower_name[..i],
        _ => lower_name,
    }
}

/// Split a file stem into words at `.`, `_`, `-`: `user_test` → [user, test]; `attestation` stays whole.
fn tokens(stem: &str) -> Vec<&str> {
    stem.split(['.', '_', '-'])
        .filter(|t| !t.is_empty())
        .collect()
}

fn is_ci(dirs: &[&str], lower: &str) -> bool {
    (dirs.len() >= 2 && dirs[dirs.len() - 2] == ".github" && dirs[dirs.len() - 1] == "workflows")
        || dirs
            .first()
            .is_some_and(|d| matches!(*d, ".circleci" | ".buildkite" | ".ci"))
        || matches!(
            lower,
            ".gitlab-ci.yml"
                | ".travis.yml"
                | "azure-pipelines.yml"
                | "jenkinsfile"
                | "bitbucket-pipelines.yml"
                | "appveyor.yml"
                | ".drone.yml"
        )
}

fn is_dev_config(dirs: &[&str], lower: &str, ext: &str) -> bool {
    // ASP.NET's `Properties/launchSettings.json` holds the launch profiles of Visual Studio and `dotnet
    // run` on a developer's machine: `dotnet publish` leaves it out and a deployed app never reads it.
    if lower == "launchsettings.json"
        && dirs
            .last()
            .is_some_and(|d| d.eq_ignore_ascii_case("properties"))
    {
        return true;
    }
    // A Dockerfile in a directory named for development (`docker/development/Dockerfile`,
    // `.docker/local/Dockerfile`) builds a developer's image, as `Dockerfile.dev` does.
    let dockerfile =
        lower == "dockerfile" || lower.starts_with("dockerfile.") || ext == "dockerfile";
    if dockerfile
        && dirs.iter().any(|d| {
            matches!(
                d.to_ascii_lowercase().as_str(),
                "dev" | "development" | "local"
            )
        })
    {
        return true;
    }
    // `template.yaml` is the name AWS SAM and CloudFormation deploy by default: in a deployment
    // directory it is the stack, not a copy to fill in.
    if matches!(lower, "template.yaml" | "template.yml" | "template.json")
        && dirs.iter().any(|d| {
            in_list(DEPLOY_DIRS, d) || has_dir_token(d, &["deploy", "cloudformation", "sam"])
        })
    {
        return false;
    }
    // `.env.example`, `.env.development`, `.env.test`, `config.sample.yml`, `settings.dist.ini`
    let env_file = lower.starts_with(".env.") || lower.ends_with(".env");
    let config_like = env_file
        || CONFIG_EXTS.contains(&ext)
        || matches!(ext, "example" | "sample" | "dist" | "template" | "tpl");
    if matches!(ext, "example" | "sample" | "dist" | "template" | "tpl") {
        return true;
    }
    // `.env.staging`, `feature.env`: an env file not named for production configures another environment.
    // (A bare `.env` is what a container starts with, so it stays production config.)
    if env_file && lower != ".env" && !tokens(lower).iter().any(|t| names_production(t)) {
        return true;
    }
    // settings/dev.py, config/environments/development.rb, config/test.exs
    let in_settings = dirs.last().is_some_and(|d| {
        matches!(
            *d,
            "settings" | "environments" | "config" | "conf" | "envs" | "env"
        )
    });
    let stem_toks = tokens(lower);
    let names_nonprod_env = stem_toks.iter().any(|t| names_nonprod_env(t));
    if config_like && names_nonprod_env {
        return true;
    }
    // A Terraform variable file, or a file in a directory of environments, is named for the environment
    // it configures (`training.tfvars`, `environments/training.yml`): there even a word that is as often
    // a feature names one.
    let env_dir = dirs
        .last()
        .is_some_and(|d| matches!(*d, "environments" | "envs"));
    if (ext == "tfvars" || env_dir && (config_like || CODE_EXTS.contains(&ext)))
        && stem_toks
            .iter()
            .any(|t| environments::tier_of_environment_word(t) == Some(Tier::NonProduction))
    {
        return true;
    }
    // application-dev.properties, appsettings.Development.json
    if in_settings && names_nonprod_env && (CODE_EXTS.contains(&ext) || config_like) {
        return true;
    }
    // Environment-named directories: config/dev/..., environments/staging is production-like so not here.
    dirs.iter()
        .any(|d| matches!(*d, "dev" | "development" | "local" | "testing"))
        && (config_like || CODE_EXTS.contains(&ext))
        && dirs.iter().any(|d| {
            matches!(
                *d,
                "config" | "configs" | "environments" | "envs" | "settings" | "overlays"
            )
        })
}

/// Directories of seed data: what a seed command loads into a database.
const SEED_DIRS: &[&str] = &["seeds", "seed", "seeders"];

/// The environment a seed file is for, when the loader picks seeds per environment: a directory below the
/// seeds directory named for one (`seeds/staging/users.json`, `db/seeds/development/`, as a loader reading
/// `seeds/<environment>/` keeps them), or the last word of the file's name (`seed/users-dev.ts`,
/// `db/seeds/development.rb`, beside `seed-prod.ts`). A directory's name can only be an environment's there,
/// so every word of the list counts (`training`); a file's last word counts when it names an environment
/// even in code (`dev`, `test`, `uat`, not `review` or `demo`, which may say what the data is about). None
/// outside a seeds directory, or when nothing names an environment.
fn seed_environment(dirs: &[&str], stem_tokens: &[&str]) -> Option<Tier> {
    let seeds = dirs.iter().position(|d| in_list(SEED_DIRS, d))?;
    let by_dir = dirs[seeds + 1..]
        .iter()
        .find_map(|d| environments::tier_of_environment_word(&d.to_ascii_lowercase()));
    let by_name = || {
        stem_tokens
            .last()
            .and_then(|t| environments::tier_of_code_word(&t.to_ascii_lowercase()))
    };
    by_dir.or_else(by_name)
}

fn is_migration(dirs: &[&str], lower: &str) -> bool {
    dirs.iter().any(|d| in_list(MIGRATION_DIRS, d))
        || matches!(
            lower,
            "seeds.rb" | "seed.rb" | "seeds.py" | "seed.sql" | "seeds.sql" | "schema.sql"
        )
        || (lower.starts_with("seed") && lower.ends_with(".sql"))
        || (lower.starts_with('v') && lower.contains("__") && lower.ends_with(".sql"))
    // Flyway V1__init.sql
}

fn is_deploy(dirs: &[&str], lower: &str, ext: &str) -> bool {
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.starts_with("docker-compose")
        || lower.starts_with("compose.")
        || lower == "procfile"
        || lower == "app.yaml"
        || lower == "fly.toml"
        || lower == "render.yaml"
        || lower == "vercel.json"
        || lower == "netlify.toml"
        || lower == "serverless.yml"
        || lower == "chart.yaml"
        || matches!(ext, "tf" | "tfvars" | "bicep")
        // The extension first: it is cheaper than the directories, and most files fail it.
        || (CONFIG_EXTS.contains(&ext) || matches!(ext, "tpl" | "sh" | ""))
            && dirs.iter().any(|d| {
                // `helm_deploy/`, `deploy-config/`: a deployment directory by one of its words.
                in_list(DEPLOY_DIRS, d) || has_dir_token(d, &["helm", "deploy", "k8s", "copilot"])
            })
}

#[cfg(test)]
mod tests {
    use super::FileClass::*;
    use super::*;

    #[test]
    fn all_lists_classes_in_declaration_order() {
        // Scanner and ClassSet index by `class as usize`.
        for (i, c) in FileClass::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }

    #[track_caller]
    fn check(cases: &[(&str, FileClass)]) {
        for (path, want) in cases {
            assert_eq!(classify_default(path), *want, "{path}");
        }
    }

    #[test]
    fn python() {
        check(&[
            ("app/models.py", Code),
            ("tests/test_models.py", Test),
            ("app/test_models.py", Test),
            ("app/models_test.py", Test),
            ("conftest.py", Test),
            ("pytest.ini", Test),
            ("tox.ini", Test),
            ("jest.config.js", Test),
            // Test runners' setup files by their documented names; a plain setup or env module is code.
            ("packages/email-templates/setupJest.js", Test),
            ("src/setupTests.ts", Test),
            ("apps/notify/jest.env.js", Test),
            ("jest.setup.ts", Test),
            ("vitest.setup.ts", Test),
            ("futurenhs.automation/wdio.conf.js", Test),
            ("e2e-suite/wdio.shared.conf.ts", Test),
            ("src/setup.js", Code),
            // Behave and Cucumber step definitions and hooks; a Django app's own `features` module is code.
            ("features/steps/screening_steps.py", Test),
            ("features/environment.py", Test),
            ("features/step_definitions/claim_steps.rb", Test),
            ("app/features/flags.py", Code),
            // Pact consumer tests by folder and name; a domain's contracts are code.
            ("contract/fetch-eligibility-content.contract.ts", Test),
            ("pact/user-service.pact.ts", Test),
            ("src/contracts/lease.contract.ts", Code),
            ("postman/order_flow.postman_collection.json", Test),
            ("postman/dev.postman_environment.json", Test),
            ("src/env.js", Code),
            ("src/jest.js", Code),
            ("snapshots-playwright.Dockerfile", Test),
            ("server/data/localMockData/inmateDetailMock.ts", Fixture),
            ("tests_common/api_client/request_data.py", Test),
            ("test_utils/factories.py", Test),
            ("app/mock_data/users.json", Fixture),
            ("wiremock/mappings/get-record.json", Fixture),
            ("server/data/userData/profile.ts", Code),
            ("Dockerfile.e2e", Test),
            ("Dockerfile", Deploy),
            ("tests/fixtures/users.json", Fixture),
            ("app/settings/dev.py", DevConfig),
            ("app/settings/production.py", Code),
            ("app/attestation.py", Code),
            ("alembic/versions/1a2b_add_users.py", Migration),
            ("app/migrations/0001_initial.py", Migration),
            ("requirements.txt", Manifest),
            ("pyproject.toml", Manifest),
        ]);
    }

    #[test]
    fn a_data_file_named_spec_is_a_specification_not_a_test() {
        for path in [
            "swagger/v1/api_spec.json",
            "config/api_spec.json",
            "schema-spec.yml",
        ] {
            assert!(!classify_default(path).is_test_side(), "{path}");
        }
        for path in [
            "spec/models/user_spec.rb",
            "src/api.spec.js",
            "src/api-spec.ts",
        ] {
            assert!(classify_default(path).is_test_side(), "{path}");
        }
    }

    #[test]
    fn javascript_and_typescript() {
        check(&[
            ("src/api.ts", Code),
            ("src/api.test.ts", Test),
            ("src/api.spec.js", Test),
            ("fixtures.test.json", Test),
            ("src/__tests__/api.js", Test),
            ("src/__mocks__/api.js", Fixture),
            ("packages/reactivity/__benchmarks__/ref.bench.ts", Test),
            ("src/ref.bench.ts", Test),
            ("svelte/src/lib/components/Header.stories.svelte", Test),
            ("src/components/Button.story.tsx", Test),
            ("src/stories.js", Code),
            ("svelte/src/build/strip-test-selectors.js", Code),
            ("src/test-utils.ts", Test),
            ("src/api-test.js", Test),
            ("cypress/e2e/login.cy.ts", Test),
            ("src/components/Form.vue", Template),
            ("src/components/Form.jsx", Code),
            ("package.json", Manifest),
            ("node_modules/left-pad/index.js", Vendor),
        ]);
    }

    #[test]
    fn ecosystem_conventions_not_words_anywhere() {
        check(&[
            // Welsh locale files are not Cypress specs; Cypress specs are scripts named `*.cy.*`.
            ("app/locales/cy.json", Config),
            ("config/locales/cy.yml", Config),
            ("src/i18n/cy.js", Code),
            ("cypress/e2e/login.cy.ts", Test),
            ("src/login.cy.js", Test),
            // A Java package named `testdata` in the production source set ships in the jar.
            ("src/main/java/uk/gov/api/testdata/Person.java", Code),
            ("src/main/java/uk/gov/api/fixtures/Loader.java", Code),
            ("src/main/resources/examples/letter.json", Config),
            ("src/main/resources/db/migration/V1__init.sql", Migration),
            ("src/test/java/uk/gov/api/testdata/Person.java", Fixture),
            // Go's `testdata/` is test data wherever it is.
            ("pkg/parse/testdata/input.go", Fixture),
            // Play's test-only router and controllers.
            ("conf/testOnlyDoNotUseInAppConf.routes", Test),
            ("app/testOnly/controllers/ResetController.scala", Test),
            ("app/uk/gov/hmrc/x/testonly/Reset.scala", Test),
        ]);
        assert_eq!(
            test_side_reason("src/main/java/a/testdata/B.java").map(|r| r.to_string()),
            None
        );
        let reason = |p: &str| {
            test_side_reason(p)
                .map(|r| r.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            reason("pkg/parse/testdata/in.go"),
            "a `testdata/` directory"
        );
        assert_eq!(reason("cypress/e2e/login.cy.ts"), "a `cypress/` directory");
        assert_eq!(reason("src/login.cy.js"), "named `*.cy.*` (Cypress)");
        assert_eq!(reason("src/it/java/A.java"), "the `src/it/` source set");
        assert_eq!(reason("x/handler_test.go"), "named `*_test.go`");
    }

    #[test]
    fn files_named_for_a_non_production_environment() {
        check(&[
            // A script setting up a test environment, as `.env.test` does.
            ("unit-test-env.sh", DevConfig),
            ("scripts/ci_environment.sh", DevConfig),
            ("qa-env.js", DevConfig),
            ("prod-env.sh", Code),
            ("deploy-env.sh", Code),
            ("staging-env.sh", Code),
            ("scripts/set_env.sh", Code),
            // Seeds chosen per environment: production's are judged.
            ("seeds/development/organisations.json", DevConfig),
            ("seeds/staging/organisations.json", DevConfig),
            ("seeds/training/users.json", DevConfig),
            ("seeds/prod/users.json", Migration),
            ("seeds/users.json", Migration),
            (
                "packages/db/src/seed/representations-data-dev.ts",
                DevConfig,
            ),
            ("packages/db/src/seed/seed-prod.ts", Migration),
            ("db/seeds/development.rb", DevConfig),
            ("db/seeds/production.rb", Migration),
            ("db/seeds/local_authorities.rb", Migration),
            ("db/seeds/review_outcomes.rb", Migration),
            // Terraform variables per environment; a feature's locale file keeps its class.
            ("infrastructure/environments/training.tfvars", DevConfig),
            ("infrastructure/training.tfvars", DevConfig),
            ("infrastructure/environments/prod.tfvars", Deploy),
            ("infrastructure/environments/staging.tfvars", Deploy),
            ("config/locales/en/request_training.yml", Config),
            ("config/onboarding.yml", Config),
        ]);
    }

    #[test]
    fn vendor_roots() {
        assert_eq!(vendor_root("app/vendor/x/conf.py"), Some("app/vendor"));
        assert_eq!(
            vendor_root("node_modules/a/node_modules/b/i.js"),
            Some("node_modules")
        );
        assert_eq!(vendor_root("third_party/lib.c"), Some("third_party"));
        assert_eq!(vendor_root("app/vendor"), None);
        assert_eq!(vendor_root("app/vendors/x.py"), None);
        assert_eq!(vendor_root(""), None);
    }

    #[test]
    fn go() {
        check(&[
            ("cmd/server/main.go", Code),
            ("internal/api/handler_test.go", Test),
            ("internal/api/testdata/req.json", Fixture),
            ("internal/testutil/db.go", Test),
            ("internal/contest/contest.go", Code),
            ("pkg/api-test-helpers/client.go", Test),
        ]);
    }

    #[test]
    fn rust() {
        check(&[
            ("src/lib.rs", Code),
            ("tests/cli.rs", Test),
            ("benches/scan.rs", Test),
            ("examples/demo.rs", Docs),
            ("tests/fixtures/a.toml", Fixture),
            ("Cargo.toml", Manifest),
            ("crates/crates_io_test_utils/src/builders/version.rs", Test),
        ]);
    }

    #[test]
    fn java_and_kotlin() {
        check(&[
            ("src/main/java/com/acme/Owner.java", Code),
            ("src/test/java/com/acme/OwnerTests.java", Test),
            ("src/main/java/com/acme/TestimonialService.java", Code),
            ("src/main/kotlin/com/acme/Api.kt", Code),
            // Compared lower-cased, so the list must be too (it once held `androidTest`, which never matched).
            ("app/src/androidTest/java/com/acme/Helpers.java", Test),
            ("src/main/resources/application.properties", Config),
            ("src/main/resources/application-dev.properties", DevConfig),
            ("src/main/resources/db/migration/V1__init.sql", Migration),
        ]);
    }

    #[test]
    fn ruby() {
        check(&[
            ("app/models/user.rb", Code),
            ("spec/models/user_spec.rb", Test),
            ("test/models/user_test.rb", Test),
            ("spec/factories/users.rb", Fixture),
            ("db/migrate/20240101_create_users.rb", Migration),
            ("db/seeds.rb", Migration),
            ("config/environments/development.rb", DevConfig),
            ("config/environments/production.rb", Code),
            ("app/views/users/new.html.erb", Template),
        ]);
    }

    #[test]
    fn csharp() {
        check(&[
            ("src/Api/Controllers/UsersController.cs", Code),
            ("tests/Api.Tests/UsersControllerTests.cs", Test),
            ("src/Api.UnitTests/UsersTests.cs", Test),
            ("src/Api/appsettings.json", Config),
            ("src/Api/appsettings.Development.json", DevConfig),
            ("src/Api/Properties/launchSettings.json", DevConfig),
            ("src/Api/launchSettings.json", Config),
            ("src/Api/Migrations/20240101_Init.cs", Migration),
        ]);
    }

    #[test]
    fn config_deploy_ci_docs() {
        check(&[
            (".env", Config),
            (".env.example", DevConfig),
            (".env.test", DevConfig),
            ("config/production.yml", Config),
            ("config/test.yml", Test),
            ("Dockerfile", Deploy),
            ("docker/Dockerfile.prod", Deploy),
            ("docker-compose.yml", DevConfig),
            ("docker-compose.prod.yml", Deploy),
            ("compose.production.yaml", Deploy),
            ("docker-compose.test.yml", Test),
            // Copilot manifests, CloudFormation templates and Helm values in a directory named by
            // one of its words (`helm_deploy/`) are deployment files.
            ("copilot/web/manifest.yml", Deploy),
            ("cloudformation/deploy/template.yaml", Deploy),
            ("helm_deploy/values-prod.yaml", Deploy),
            ("local.Dockerfile", DevConfig),
            ("docker/Dockerfile.dev", DevConfig),
            (".env.staging", DevConfig),
            ("feature.env", DevConfig),
            (".env.production", Config),
            ("production.env", Config),
            ("nodemon.json", DevConfig),
            (".vscode/launch.json", DevConfig),
            ("gulp/scripts.js", DevConfig),
            ("gulpfile.babel.js", DevConfig),
            ("scripts/generate-dev-environment.sh", DevConfig),
            ("scripts/deploy.sh", Code),
            ("app/clients/email/aws_ses_stub.py", DevConfig),
            ("app/services/mock_benefit_check_service.rb", DevConfig),
            ("backend/commands/generate_dummy_data.py", DevConfig),
            ("frontend/src/screens/List/mocks.ts", DevConfig),
            ("app/stubborn.py", Code),
            ("nonprod/management/commands/seed.py", DevConfig),
            ("features/step_definitions/sign_in_steps.rb", Test),
            ("features/support/hooks.rb", Test),
            ("features/sign_in.feature", Test),
            ("app/features/flags.rb", Code),
            ("playwright-acceptance-tests/src/support/constants.ts", Test),
            ("e2e_tests/fixtures.ts", Test),
            ("k6_load_testing/endpoints/post.ts", Test),
            ("app/functional_tests_fixtures/__init__.py", Fixture),
            ("app/latest/views.py", Code),
            ("public/openapi/v1.yaml", Docs),
            ("openapi.yaml", Docs),
            ("tech_docs/source/index.html.md.erb", Docs),
            ("src/full-page-examples/form/index.njk", Docs),
            ("project_template/app/routes.js", Docs),
            ("app/email_template/welcome.html", Template),
            ("src/stories/Button.tsx", Test),
            ("k8s/deployment.yaml", Deploy),
            ("infra/main.tf", Deploy),
            ("firestore.rules", Config),
            (".devcontainer/Dockerfile", DevConfig),
            (".devcontainer/devcontainer.json", DevConfig),
            ("firebase/storage.rules", Config),
            ("tests/firestore.rules", Test),
            ("etc/udev/99-usb.rules", Other),
            (".github/workflows/test.yml", Ci),
            (".github/workflows/deploy.yml", Ci),
            ("README.md", Docs),
            ("docs/guide/setup.yml", Docs),
            ("docs_src/security/tutorial002.py", Docs),
            ("guides/bug_report_templates/action_mailer.rb", Docs),
            (".devcontainer/backend.env", DevConfig),
            (
                "smoke-test/app/src/main/resources/application.properties",
                Test,
            ),
            (
                "system-test/deployment-tests/src/main/resources/application.yml",
                Test,
            ),
            ("app/guides/tour.rb", Code),
            ("CHANGELOG", Docs),
            ("logo.png", Other),
            (".shipgate/rules/acme.toml", Other),
        ]);
    }
}
