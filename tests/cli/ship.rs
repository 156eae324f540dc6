//! What production ships, through the binary: what the production image really contains (its target,
//! `FROM`/`COPY --from` chains, the build context's `.dockerignore` with Docker's semantics), what
//! production depends on (test libraries in production dependency lists of every build system), and a
//! hostile Dockerfile that must fail closed in bounded memory. Each shape has a twin that stays quiet.
use crate::common::*;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    rule: String,
    severity: String,
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
            severity: f["severity"].as_str().unwrap_or("").to_string(),
            path: f["location"]["path"].as_str().unwrap_or("").to_string(),
            line: f["location"]["line"].as_u64().unwrap_or(0),
            column: f["location"]["column"].as_u64().unwrap_or(0),
            end_column: f["location"]["end_column"].as_u64().unwrap_or(0),
            message: f["message"].as_str().unwrap().to_string(),
        })
        .collect()
}

const WARN: &[&str] = &["--fail-on", "warning"];

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

/// Exactly one finding: `rule` at `path:line:column`, its message containing `says`; the gate fails.
#[track_caller]
fn fails_once(files: &[(&str, &str)], rule: &str, at: (&str, u64, u64), says: &str) -> Hit {
    let (code, found) = gate(files, WARN);
    assert_eq!(found.len(), 1, "{found:#?}");
    let h = found[0].clone();
    assert_eq!(
        (h.rule.as_str(), h.path.as_str(), h.line, h.column),
        (rule, at.0, at.1, at.2),
        "{h:#?}"
    );
    assert!(h.message.contains(says), "{:?} lacks {says:?}", h.message);
    assert_eq!(code, 1, "the gate must fail: {found:#?}");
    h
}

#[track_caller]
fn passes(files: &[(&str, &str)]) {
    let (code, found) = gate(files, WARN);
    assert_eq!((code, found), (0, vec![]));
}

/// The gate passes; what it found is one note per rule in `rules`, each saying why the image is a
/// developer's (judged and shown, never dropped).
#[track_caller]
fn passes_as_a_developers_image(files: &[(&str, &str)], rules: &[&str]) {
    let (code, found) = gate(files, WARN);
    assert_eq!(code, 0, "{found:#?}");
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|h| (h.rule.as_str(), h.severity.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = rules.iter().map(|r| (*r, "note")).collect();
    assert_eq!(got, want, "{found:#?}");
    for h in &found {
        assert!(h.message.contains("(a local development image: "), "{h:#?}");
    }
}

/// A made-up service: application code, specs, a Java-style `src/test`, Cucumber features and a
/// performance-test folder, plus `extra` files.
fn service<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut t = vec![
        ("Gemfile", "source 'https://rubygems.org'\ngem 'rails'\n"),
        ("app/models/claim.rb", "class Claim\nend\n"),
        (
            "spec/models/claim_spec.rb",
            "RSpec.describe Claim do\nend\n",
        ),
        ("src/main/Claims.java", "class Claims {}\n"),
        ("src/test/ClaimsTest.java", "class ClaimsTest {}\n"),
        ("features/claim.feature", "Feature: claims\n"),
        ("performance-tests/claims.js", "export default () => {};\n"),
    ];
    t.extend_from_slice(extra);
    t
}

// ------------------------------------------------------------- what the production image contains

#[test]
fn tests_reach_the_final_image_through_two_copy_from_hops() {
    let df = |last: &str| {
        format!(
            "FROM ruby:3.3 AS build\nWORKDIR /src\nCOPY . .\nRUN bundle install\n\nFROM ruby:3.3 AS assets\nCOPY --from=build /src /stage\nRUN rake assets:precompile\n\nFROM ruby:3.3-slim\nWORKDIR /app\n{last}\n"
        )
    };
    let leak = df("COPY --from=assets /stage /app");
    let files = service(&[("Dockerfile", &leak), (".dockerignore", ".git\n")]);
    fails_once(
        &files,
        "leak/docker-copy-all",
        ("Dockerfile", 12, 20),
        "takes the whole build context from stage `assets` (which copied it in), which holds 4 test and fixture files (`features/claim.feature`, …)",
    );
    // Twin: the final stage takes only the application and the compiled assets.
    let twin =
        df("COPY --from=assets /stage/app /app/app\nCOPY --from=assets /stage/public /app/public");
    passes(&service(&[
        ("Dockerfile", &twin),
        (".dockerignore", ".git\n"),
    ]));
}

#[test]
fn a_production_stage_built_from_development_ships_src_test() {
    let df = |dev_copy: &str| {
        format!(
            "FROM eclipse-temurin:21 AS development\nWORKDIR /app\n{dev_copy}\nRUN ./gradlew build\n\nFROM development AS production\nCMD [\"java\", \"-jar\", \"app.jar\"]\n"
        )
    };
    let leak = df("COPY src/ src/");
    let h = fails_once(
        &service(&[("Dockerfile", &leak)]),
        "leak/docker-copy-all",
        ("Dockerfile", 6, 6),
        "takes `src` from stage `development` (which copied it in), which holds 1 test and fixture files (`src/test/ClaimsTest.java`, …)",
    );
    assert_eq!(h.severity, "warning");
    passes(&service(&[("Dockerfile", &df("COPY src/main/ src/main/"))]));
}

#[test]
fn copy_spec_in_the_web_target_that_is_not_the_last_stage() {
    let df = "FROM ruby:3.3 AS web\nWORKDIR /app\nCOPY app app\nCOPY spec spec\nCMD [\"puma\"]\n\nFROM ruby:3.3 AS worker\nWORKDIR /app\nCOPY app app\nCMD [\"sidekiq\"]\n";
    let workflow = "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build --target web -t claims-web:${{ github.sha }} .\n";
    let h = fails_once(
        &service(&[("Dockerfile", df), (".github/workflows/deploy.yml", workflow)]),
        "leak/docker-copies-tests",
        ("Dockerfile", 4, 6),
        "the production stage copies `spec` (test code) into the image (target `web`, built by `.github/workflows/deploy.yml`)",
    );
    assert_eq!(h.severity, "error");
    // Twin: nothing builds `web`; the default target is the last stage, `worker`, which copies only app/.
    passes(&service(&[("Dockerfile", df)]));
    // A workflow that builds only the test target leaves the default in place.
    let ci = workflow.replace("--target web", "--target test");
    passes(&service(&[
        ("Dockerfile", df),
        (".github/workflows/deploy.yml", &ci),
    ]));
}

#[test]
fn a_production_compose_files_build_target_is_the_production_image() {
    let df = "FROM node:20 AS api\nWORKDIR /srv\nCOPY . .\n\nFROM node:20 AS docs\nCOPY docs /srv/docs\n";
    let compose = "services:\n  api:\n    build:\n      context: .\n      target: api\n  test:\n    build: { context: ., target: api }\n";
    let tree = |compose_name: &'static str| {
        vec![
            ("Dockerfile", df),
            ("docs/index.md", "# Docs\n"),
            ("src/server.js", "module.exports = {};\n"),
            ("src/__test__/server.test.js", "test('x', () => {});\n"),
            (compose_name, compose),
        ]
    };
    fails_once(
        &tree("docker-compose.prod.yml"),
        "leak/docker-copy-all",
        ("Dockerfile", 3, 6),
        "which holds 1 test and fixture files (`src/__test__/server.test.js`, …), and no .dockerignore excludes them (target `api`, built by `docker-compose.prod.yml`)",
    );
    // Twin: a developer's compose file does not say what production builds.
    passes(&tree("docker-compose.yml"));
}

#[test]
fn a_dockerignore_excluding_only_spec_ships_features_test_and_performance_tests() {
    let df = "FROM ruby:3.3-slim\nWORKDIR /app\nCOPY . .\nCMD [\"puma\"]\n";
    let tree = |ignore: &'static str| {
        service(&[
            ("Dockerfile", df),
            (".dockerignore", ignore),
            ("test/claim_test.rb", "class ClaimTest\nend\n"),
        ])
    };
    fails_once(
        &tree(".git\nspec\n"),
        "leak/docker-copy-all",
        ("Dockerfile", 3, 6),
        "which holds 4 test and fixture files (`features/claim.feature`, …), and `.dockerignore` does not exclude them",
    );
    // Twin: the tidy-up that lists every test folder.
    passes(&tree(
        ".git\nspec\ntest\nfeatures\nperformance-tests\nsrc/test\n",
    ));
    // Docker's semantics, not gitignore's: `**/test` reaches `src/test`, and a `!` exception lets one back.
    passes(&tree(".git\nspec\n**/test\nfeatures\nperformance-tests\n"));
    fails_once(
        &tree(".git\nspec\n**/test\nfeatures\nperformance-tests\n!features\n"),
        "leak/docker-copy-all",
        ("Dockerfile", 3, 6),
        "which holds 1 test and fixture files (`features/claim.feature`, …)",
    );
}

#[test]
fn a_singular_test_folder_in_the_image_is_tests() {
    let df = "FROM node:20-slim\nWORKDIR /app\nCOPY src/ src/\n";
    let tree = |folder: &'static str| {
        vec![
            ("Dockerfile", df),
            ("src/index.js", "module.exports = {};\n"),
            (folder, "test('x', () => {});\n"),
        ]
    };
    fails_once(
        &tree("src/__test__/index.test.js"),
        "leak/docker-copy-all",
        ("Dockerfile", 3, 6),
        "copies `src`, which holds 1 test and fixture files (`src/__test__/index.test.js`, …)",
    );
    // Twin: the same file outside what the image copies.
    passes(&tree("__test__/index.test.js"));
}

#[test]
fn a_local_development_image_is_not_the_production_image() {
    let tree = |df: &'static str| service(&[("Dockerfile", df)]);
    passes_as_a_developers_image(
        &tree(
            "FROM ghcr.io/acme/dev_ruby_base:3.3\nWORKDIR /app\nCOPY . .\nCMD [\"rails\", \"s\"]\n",
        ),
        &["leak/docker-copy-all"],
    );
    passes_as_a_developers_image(
        &tree(
            "FROM ruby:3.3\nARG COMMIT=LOCAL\nENV API_URL=http://localhost:3000\nWORKDIR /app\nCOPY . .\n",
        ),
        &["leak/docker-copy-all"],
    );
    // Twin: a production image with a localhost health check and a commit placeholder CI overrides.
    fails_once(
        &tree("FROM ruby:3.3\nARG COMMIT=LOCAL\nWORKDIR /app\nCOPY . .\nHEALTHCHECK CMD curl -f http://localhost:3000/up\n"),
        "leak/docker-copy-all",
        ("Dockerfile", 4, 6),
        "copies the whole build context",
    );
    // A development image that a deploy workflow builds is production all the same.
    let deploy = "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          push: true\n";
    fails_once(
        &service(&[
            (
                "Dockerfile",
                "FROM ghcr.io/acme/dev_ruby_base:3.3\nWORKDIR /app\nCOPY . .\n",
            ),
            (".github/workflows/deploy.yml", deploy),
        ]),
        "leak/docker-copy-all",
        ("Dockerfile", 3, 6),
        "built by `.github/workflows/deploy.yml`",
    );
}

// ------------------------------------------------------------- a hostile Dockerfile

/// Run the gate under a data limit (`ulimit -d`, in KiB): a Dockerfile must not take the run past it.
fn gate_limited(repo: &Repo, kib: u64) -> (Option<i32>, serde_json::Value, String) {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("ulimit -d {kib} && exec \"$0\" \"$@\"")])
        .arg(bin())
        .args([
            "check",
            "--offline",
            "--format",
            "json",
            "--fail-on",
            "warning",
        ])
        .current_dir(repo.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("run shipgate under a data limit");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), report, stderr)
}

/// `n` chained stages, each built from the previous, setting a variable and copying the previous stage's
/// application directory: before stage resolution was linear, 2,000 of them took 370 MB and 10,000 more
/// than 4 GB.
fn chained_stages(n: usize) -> String {
    let mut t = String::from("FROM alpine:3.20 AS s0\nWORKDIR /app\nCOPY . /app\n");
    for i in 1..n {
        t.push_str(&format!(
            "FROM s{p} AS s{i}\nENV V{i}=x{i}\nCOPY --from=s{p} /app /app{i}\n",
            p = i - 1
        ));
    }
    t
}

#[test]
fn a_dockerfile_of_ten_thousand_stages_fails_closed_in_bounded_memory() {
    let repo = Repo::new();
    repo.write("Dockerfile", chained_stages(10_000));
    repo.write("app/main.py", "print('hi')\n");
    repo.write("tests/test_main.py", "def test_x():\n    pass\n");
    repo.commit("c");
    let (code, report, stderr) = gate_limited(&repo, 400_000);
    assert_eq!(code, Some(2), "could not evaluate: {stderr}\n{report:#}");
    let found = hits(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].rule.as_str(), found[0].line, found[0].column),
        ("leak/dockerfile-not-evaluated", 1, 1)
    );
    assert!(
        found[0].message.contains(
            "the gate could not follow this Dockerfile: it has more than 1000 build stages"
        ),
        "{found:#?}"
    );

    // Twin: at the cap, the same chain is followed (linearly, under the same limit) and judged.
    let repo = Repo::new();
    repo.write("Dockerfile", chained_stages(1000));
    repo.write("app/main.py", "print('hi')\n");
    repo.write("tests/test_main.py", "def test_x():\n    pass\n");
    repo.commit("c");
    let (code, report, stderr) = gate_limited(&repo, 400_000);
    let found = hits(&report);
    assert_eq!(code, Some(1), "{stderr}\n{found:#?}");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].rule.as_str(), found[0].line),
        ("leak/docker-copy-all", 2998)
    );
}

// ------------------------------------------------------------- what production depends on

/// A finding as (rule, path, line, column, severity).
type Short = (String, String, u64, u64, String);

/// Every finding, sorted.
fn found(files: &[(&str, &str)]) -> (i32, Vec<Short>) {
    let (code, hits) = gate(files, WARN);
    let mut v: Vec<_> = hits
        .into_iter()
        .map(|h| (h.rule, h.path, h.line, h.column, h.severity))
        .collect();
    v.sort();
    (code, v)
}

fn f(
    rule: &str,
    path: &str,
    line: u64,
    column: u64,
    severity: &str,
) -> (String, String, u64, u64, String) {
    (rule.into(), path.into(), line, column, severity.into())
}

#[test]
fn a_mock_library_in_production_dependencies_that_production_requires_is_an_error() {
    let pkg = |section: &str| {
        format!(
            "{{\n  \"name\": \"claims-api\",\n  \"{section}\": {{\n    \"express\": \"^4.19.0\",\n    \"ioredis-mock\": \"^8.9.0\"\n  }}\n}}\n"
        )
    };
    let cache = "const Redis = require('ioredis-mock');\nmodule.exports = new Redis();\n";
    let spec = "const Redis = require('ioredis-mock');\ntest('cache', () => new Redis());\n";
    let (code, got) = found(&[
        ("package.json", &pkg("dependencies")),
        ("src/cache.js", cache),
    ]);
    assert_eq!(
        got,
        vec![
            f("leak/test-dependency-loaded", "package.json", 5, 6, "error"),
            f("leak/test-library-import", "src/cache.js", 1, 24, "warning"),
        ]
    );
    assert_eq!(code, 1);
    let (_, report) = {
        let repo = Repo::new();
        repo.write("package.json", pkg("dependencies"));
        repo.write("src/cache.js", cache);
        repo.commit("c");
        check_json(repo.path(), WARN)
    };
    assert!(
        message_of(&report, "leak/test-dependency-loaded").contains(
            "production dependency `ioredis-mock` is a test framework or test double library, and production code loads it (`src/cache.js:1`)"
        ),
        "{report:#}"
    );
    // Twin: only a test requires it: the dependency list is wrong, but nothing runs it (a warning).
    let (_, got) = found(&[
        ("package.json", &pkg("dependencies")),
        ("src/cache.test.js", spec),
    ]);
    assert_eq!(
        got,
        vec![f("leak/test-dependency", "package.json", 5, 6, "warning")]
    );
    // Twin: a development dependency that only tests require.
    passes(&[
        ("package.json", &pkg("devDependencies")),
        ("src/cache.test.js", spec),
    ]);
}

#[test]
fn npm_workspaces_each_judged_by_their_own_package_json() {
    let pkg = |section: &str| {
        format!("{{\n  \"name\": \"@claims/api\",\n  \"{section}\": {{\n    \"aws-sdk-client-mock\": \"^4.0.0\",\n    \"@nestjs/testing\": \"^10.0.0\"\n  }}\n}}\n")
    };
    let root =
        "{\n  \"name\": \"claims\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n";
    let (_, got) = found(&[
        ("package.json", root),
        ("packages/api/package.json", &pkg("dependencies")),
    ]);
    assert_eq!(
        got,
        vec![
            f(
                "leak/test-dependency",
                "packages/api/package.json",
                4,
                6,
                "warning"
            ),
            f(
                "leak/test-dependency",
                "packages/api/package.json",
                5,
                6,
                "warning"
            ),
        ]
    );
    passes(&[
        ("package.json", root),
        ("packages/api/package.json", &pkg("devDependencies")),
    ]);
}

#[test]
fn gradle_configurations_that_ship_and_test_jars() {
    let groovy = |cfg: &str| {
        format!("plugins {{ id 'java' }}\n\ndependencies {{\n    implementation 'org.springframework.boot:spring-boot-starter-web'\n    {cfg} 'io.rest-assured:rest-assured:5.4.0'\n    {cfg} testFixtures(project(':core'))\n}}\n")
    };
    let (_, got) = found(&[("build.gradle", &groovy("implementation"))]);
    assert_eq!(
        got,
        vec![
            f("leak/test-dependency", "build.gradle", 5, 37, "warning"),
            f("leak/test-dependency", "build.gradle", 6, 20, "warning"),
        ]
    );
    passes(&[("build.gradle", &groovy("testImplementation"))]);
    let kotlin = |cfg: &str| {
        format!("dependencies {{\n    {cfg}(\"com.github.tomakehurst:wiremock-jre8:2.35.0\")\n}}\n")
    };
    let (_, got) = found(&[("build.gradle.kts", &kotlin("runtimeOnly"))]);
    assert_eq!(
        got,
        vec![f(
            "leak/test-dependency",
            "build.gradle.kts",
            2,
            41,
            "warning"
        )]
    );
    passes(&[("build.gradle.kts", &kotlin("androidTestImplementation"))]);
}

#[test]
fn maven_scopes_and_test_jars() {
    let pom = |scope: &str| {
        format!("<project>\n  <dependencies>\n    <dependency>\n      <groupId>org.mockito</groupId>\n      <artifactId>mockito-core</artifactId>\n      {scope}\n    </dependency>\n    <dependency>\n      <groupId>uk.gov.claims</groupId>\n      <artifactId>claims-core</artifactId>\n      <type>test-jar</type>\n      {scope}\n    </dependency>\n  </dependencies>\n</project>\n")
    };
    for shipped in ["", "<scope>compile</scope>", "<scope>runtime</scope>"] {
        let (_, got) = found(&[("pom.xml", &pom(shipped))]);
        assert_eq!(
            got,
            vec![
                f("leak/test-dependency", "pom.xml", 5, 19, "warning"),
                f("leak/test-dependency", "pom.xml", 11, 13, "warning"),
            ],
            "{shipped}"
        );
    }
    passes(&[("pom.xml", &pom("<scope>test</scope>"))]);
    passes(&[("pom.xml", &pom("<scope>provided</scope>"))]);
}

#[test]
fn sbt_dependencies_not_scoped_to_test() {
    let deps = |tail: &str| {
        format!("import sbt._\n\nobject AppDependencies {{\n  val compile = Seq(\n    \"uk.gov.hmrc\" %% \"bootstrap-backend-play-30\" % \"9.0.0\",\n    \"org.scalatestplus\" %% \"scalatestplus-play\" % \"7.0.1\"{tail}\n  )\n\n  val test = Seq(\n    \"uk.gov.hmrc\" %% \"bootstrap-test-play-30\" % \"9.0.0\"\n  ).map(_ % Test)\n}}\n")
    };
    let (_, got) = found(&[("project/AppDependencies.scala", &deps(""))]);
    assert_eq!(
        got,
        vec![f(
            "leak/test-dependency",
            "project/AppDependencies.scala",
            6,
            29,
            "warning"
        )]
    );
    passes(&[("project/AppDependencies.scala", &deps(" % Test"))]);
    let build = |scope: &str| {
        format!("lazy val root = (project in file(\".\"))\n  .settings(libraryDependencies += \"org.mockito\" % \"mockito-core\" % \"5.0.0\"{scope})\n")
    };
    let (_, got) = found(&[("build.sbt", &build(""))]);
    assert_eq!(
        got,
        vec![f("leak/test-dependency", "build.sbt", 2, 53, "warning")]
    );
    passes(&[("build.sbt", &build(" % \"test\""))]);
}

#[test]
fn bundler_groups_and_gemspecs() {
    let gemfile =
        |body: &str| format!("source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n{body}");
    let app = "require_relative 'boot'\nrequire 'rails/all'\nBundler.require(*Rails.groups)\n";
    // A test gem at the top level of a Rails application's Gemfile: Rails loads it at boot.
    let (_, got) = found(&[
        ("Gemfile", &gemfile("gem 'webmock'\n")),
        ("config/application.rb", app),
    ]);
    assert_eq!(
        got,
        vec![f("leak/test-dependency-loaded", "Gemfile", 3, 6, "error")]
    );
    // The same gem in a production group; in the test group is fine.
    // A generator of made-up records in a production group is a note, as Faker is.
    let (code, got) = found(&[(
        "Gemfile",
        &gemfile("group :production do\n  gem 'factory_bot_rails'\nend\n"),
    )]);
    assert_eq!(
        (code, got),
        (0, vec![f("leak/faker-dependency", "Gemfile", 4, 8, "note")])
    );
    passes(&[
        (
            "Gemfile",
            &gemfile(
                "group :development, :test do\n  gem 'webmock'\n  gem 'factory_bot_rails'\nend\n",
            ),
        ),
        ("config/application.rb", app),
    ]);
    // A group named for end-to-end tests is a test group; another named group (neither default nor
    // production) is installed unless BUNDLE_WITHOUT leaves it out, but Rails does not load it at boot:
    // a warning naming the group, never "loaded".
    passes(&[
        (
            "Gemfile",
            &gemfile("group :development, :test, :end_to_end do\n  gem 'rspec-rails'\nend\n"),
        ),
        ("config/application.rb", app),
    ]);
    let (_, got) = found(&[
        (
            "Gemfile",
            &gemfile("group :development, :smoke do\n  gem 'rspec-rails'\nend\n"),
        ),
        ("config/application.rb", app),
    ]);
    assert_eq!(
        got,
        vec![f("leak/test-dependency", "Gemfile", 4, 8, "warning")]
    );
    let spec = |call: &str| {
        format!("Gem::Specification.new do |spec|\n  spec.name = 'claims'\n  spec.{call} 'capybara'\nend\n")
    };
    let (_, got) = found(&[("claims.gemspec", &spec("add_dependency"))]);
    assert_eq!(
        got,
        vec![f(
            "leak/test-dependency",
            "claims.gemspec",
            3,
            24,
            "warning"
        )]
    );
    passes(&[("claims.gemspec", &spec("add_development_dependency"))]);
}

#[test]
fn python_groups_extras_pipfile_and_requirements() {
    let poetry = |group: &str| {
        format!("[tool.poetry]\nname = \"claims\"\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3\"\n\n[tool.poetry.group.{group}.dependencies]\nresponses = \"^0.25\"\n")
    };
    let (_, got) = found(&[("pyproject.toml", &poetry("worker"))]);
    assert_eq!(
        got,
        vec![f("leak/test-dependency", "pyproject.toml", 9, 1, "warning")]
    );
    passes(&[("pyproject.toml", &poetry("test"))]);
    let pep621 = |extra: &str| {
        format!("[project]\nname = \"claims\"\ndependencies = [\"flask>=3\"]\n\n[project.optional-dependencies]\n{extra} = [\"moto[s3]>=5\"]\n")
    };
    let (_, got) = found(&[("pyproject.toml", &pep621("aws"))]);
    assert_eq!(
        got,
        vec![f("leak/test-dependency", "pyproject.toml", 6, 9, "warning")]
    );
    passes(&[("pyproject.toml", &pep621("testing"))]);
    let pipfile = |section: &str| {
        format!("[[source]]\nurl = \"https://pypi.org/simple\"\n\n[{section}]\nfreezegun = \"*\"\n")
    };
    let (_, got) = found(&[("Pipfile", &pipfile("packages"))]);
    assert_eq!(
        got,
        vec![f("leak/test-dependency", "Pipfile", 5, 1, "warning")]
    );
    passes(&[("Pipfile", &pipfile("dev-packages"))]);
    let (_, got) = found(&[
        ("requirements.txt", "flask==3.0\n-r requirements-test.txt\n"),
        ("requirements-test.txt", "pytest\n"),
    ]);
    assert_eq!(
        got,
        vec![f(
            "leak/test-dependency",
            "requirements.txt",
            2,
            4,
            "warning"
        )]
    );
    passes(&[
        ("requirements.txt", "flask==3.0\n-r requirements-base.txt\n"),
        ("requirements-base.txt", "gunicorn\n"),
        ("requirements-test.txt", "-r requirements.txt\npytest\n"),
    ]);
    // The developers' aggregate of a production list and a development one: production installs its
    // own list (the twin above, a list including only the test one, still fires).
    passes(&[
        (
            "requirements.txt",
            "-r requirements-prod.txt\n-r requirements-dev.txt\n",
        ),
        ("requirements-prod.txt", "flask==3.0\n"),
        ("requirements-dev.txt", "pytest\n"),
    ]);
}

#[test]
fn feature_flag_sdk_test_doubles_in_production_code() {
    let java = "package uk.gov.claims;\n\nimport com.launchdarkly.sdk.server.integrations.TestData;\n\nclass Flags {}\n";
    let (_, got) = found(&[("src/main/java/uk/gov/claims/Flags.java", java)]);
    assert_eq!(
        got,
        vec![f(
            "leak/test-library-import",
            "src/main/java/uk/gov/claims/Flags.java",
            3,
            8,
            "warning"
        )]
    );
    passes(&[("src/test/java/uk/gov/claims/FlagsTest.java", java)]);
    let py =
        "from ldclient.integrations.test_data import TestData\n\nflags = TestData.data_source()\n";
    let (_, got) = found(&[("claims/flags.py", py)]);
    assert_eq!(
        got,
        vec![f(
            "leak/test-library-import",
            "claims/flags.py",
            1,
            6,
            "warning"
        )]
    );
    passes(&[("tests/test_flags.py", py)]);
}

/// A Google Cloud source upload ships everything under the `.gcloudignore`'s directory but what it
/// excludes (gitignore syntax): test helpers under `src/` ship while only `tests/` is excluded. The twin
/// excludes them.
#[test]
fn a_gcloud_upload_ships_what_gcloudignore_leaves_in() {
    let tree = |ignore: &str| {
        vec![
            (".gcloudignore".to_string(), ignore.to_string()),
            (
                "src/Controller/Home.php".to_string(),
                "<?php\nclass Home {}\n".to_string(),
            ),
            (
                "src/Utility/Test/CrawlerHelper.php".to_string(),
                "<?php\nclass CrawlerHelper {}\n".to_string(),
            ),
            (
                "tests/HomeTest.php".to_string(),
                "<?php\nclass HomeTest {}\n".to_string(),
            ),
        ]
    };
    let files = tree(".git\nvendor/\ntests/\n");
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (_, got) = found(&refs);
    assert_eq!(
        got,
        vec![f(
            "leak/package-ships-tests",
            ".gcloudignore",
            1,
            1,
            "warning"
        )]
    );
    let files = tree(".git\nvendor/\ntests/\nsrc/Utility/Test/\n");
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    passes(&refs);
}
