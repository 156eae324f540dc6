//! Held-out batch 5: each class of false finding, stated once, with a made-up instance and a twin that
//! must still be reported.
use crate::common::*;

fn gate(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    check_json(repo.path(), &[])
}

/// (rule, path, line, severity) of the findings whose rule starts with `prefix`.
fn of(report: &serde_json::Value, prefix: &str) -> Vec<(String, String, u64, String)> {
    located_with_severity(report)
        .into_iter()
        .filter(|f| f.0.starts_with(prefix))
        .collect()
}

fn row(rule: &str, path: &str, line: u64, severity: &str) -> (String, String, u64, String) {
    (rule.into(), path.into(), line, severity.into())
}

const DEBUG_EXPORTS: &str =
    "# values for the unit tests\nexport APP_MODULE='app.main:app'\nexport FLASK_DEBUG='1'\n";

/// Class 1: a script that sets up a test environment (named for one: `unit-test-env.sh`, as `.env.test`
/// is) is test support; the same exports in a script named for production or for deploying still fail.
#[test]
fn a_script_named_for_a_test_environment_is_test_support() {
    let (code, report) = gate(&[
        ("unit-test-env.sh", DEBUG_EXPORTS),
        ("scripts/ci_environment.sh", DEBUG_EXPORTS),
        (
            "Jenkinsfile",
            "pipeline { environment { ENV_FILE = './unit-test-env.sh' } }\n",
        ),
    ]);
    assert_eq!(of(&report, "switch/"), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    // Twins: the environment a deploy sources.
    let (code, report) = gate(&[
        ("prod-env.sh", DEBUG_EXPORTS),
        ("deploy-env.sh", DEBUG_EXPORTS),
    ]);
    assert_eq!(
        of(&report, "switch/"),
        vec![
            row("switch/dev-environment", "deploy-env.sh", 3, "error"),
            row("switch/dev-environment", "prod-env.sh", 3, "error"),
        ],
        "{report}"
    );
    assert_eq!(code, 1);
}

const ORGS: &str = "[\n  { \"name\": \"Registry office\", \"email\": \"office@example.com\" }\n]\n";
const LOADER: &str = "export const seedsFor = (env) => `../seeds/${env}/organisations.json`;\n";

/// Class 2: seed data chosen per environment is production's only when it is the production
/// environment's: `seeds/development/`, `seeds/staging/`, `seed/users-dev.ts` and a training
/// environment's `training.tfvars` are those environments'; `seeds/prod/` and `prod.tfvars` are judged.
#[test]
fn seeds_and_variables_named_for_a_non_production_environment_are_that_environments() {
    let dev_seed = "import { faker } from '@faker-js/faker';\nexport const people = [{ email: 'person@example.com', name: faker.person.fullName() }];\n";
    let tfvars = "environment   = \"ENV\"\ncontact_email = \"not.real@example.com\"\n";
    let (_, report) = gate(&[
        ("src/seeds.ts", LOADER),
        ("seeds/development/organisations.json", ORGS),
        ("seeds/staging/organisations.json", ORGS),
        ("packages/db/src/seed/people-data-dev.ts", dev_seed),
        (
            "infrastructure/environments/training.tfvars",
            &tfvars.replace("ENV", "training"),
        ),
    ]);
    let found: Vec<_> = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("data/") || f.0.starts_with("leak/"))
        .collect();
    assert_eq!(found, vec![], "{report}");
    // Twins: production's seeds and variables with the same placeholders.
    let (_, report) = gate(&[
        ("src/seeds.ts", LOADER),
        ("seeds/prod/organisations.json", ORGS),
        ("packages/db/src/seed/people-data-prod.ts", dev_seed),
        (
            "infrastructure/environments/prod.tfvars",
            &tfvars.replace("ENV", "prod"),
        ),
    ]);
    assert_eq!(
        of(&report, "data/"),
        vec![
            row(
                "data/reserved-email",
                "infrastructure/environments/prod.tfvars",
                2,
                "warning"
            ),
            row(
                "data/reserved-email",
                "packages/db/src/seed/people-data-prod.ts",
                2,
                "warning"
            ),
            row(
                "data/reserved-email",
                "seeds/prod/organisations.json",
                2,
                "warning"
            ),
        ],
        "{report}"
    );
    assert_eq!(
        of(&report, "leak/test-library-import"),
        vec![row(
            "leak/test-library-import",
            "packages/db/src/seed/people-data-prod.ts",
            1,
            "warning"
        )],
        "{report}"
    );
}

const PRISMA_PACKAGE: &str = r#"{
  "name": "api",
  "scripts": {
    "db:migrate:deploy": "npx prisma migrate deploy",
    "db:seed": "npx prisma db seed",
    "start": "node src/server.js"
  },
  "prisma": { "seed": "node prisma/seed.js" }
}
"#;
const PRISMA_SEED: &str =
    "const { PrismaClient } = require('@prisma/client');\nconst rows = [{ email: 'case.officer@example.com' }];\nmodule.exports = rows;\n";
const DEPLOY_MIGRATES: &str = "on:\n  push:\n    branches: [main]\npermissions: {}\njobs:\n  migrate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm run db:migrate:deploy\n";

/// Class 2, the local bootstrap: Prisma's seed script runs only through `prisma db seed` (and the
/// development commands), and SQL a local docker-compose file mounts at `/docker-entrypoint-initdb.d`
/// is the developer's database: their data findings are notes. A deploy step that runs the seed, or a
/// production image that fills the init directory, keeps them judged.
#[test]
fn database_bootstrap_only_development_runs_is_development_data() {
    let compose = "services:\n  db:\n    image: mysql:8\n    volumes:\n      - ./init:/docker-entrypoint-initdb.d\n";
    let sql = "INSERT INTO people (name) VALUES ('John Doe');\n";
    let files = [
        ("package.json", PRISMA_PACKAGE),
        ("prisma/seed.js", PRISMA_SEED),
        (".github/workflows/deploy.yml", DEPLOY_MIGRATES),
        ("docker-compose.yml", compose),
        ("init/people.sql", sql),
    ];
    let (_, report) = gate(&files);
    assert_eq!(
        of(&report, "data/"),
        vec![
            row("data/placeholder-person", "init/people.sql", 1, "note"),
            row("data/reserved-email", "prisma/seed.js", 2, "note"),
        ],
        "{report}"
    );
    assert!(message_of(&report, "data/reserved-email").contains("Prisma's seed script"));
    assert!(message_of(&report, "data/placeholder-person")
        .contains("docker-compose.yml mounts `init` at /docker-entrypoint-initdb.d"));
    // A pull request that leaves the SQL alone introduces nothing there: the merge base holds its
    // findings and judges them the same way.
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("base");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write("README.md", "# api\n").commit("feature");
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    let in_sql: Vec<_> = of(&report, "data/")
        .into_iter()
        .filter(|f| f.1.ends_with(".sql"))
        .collect();
    assert_eq!(in_sql, vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    // Twins: the deploy seeds the database, and the production image bootstraps it from `init/`.
    let seeding_deploy = DEPLOY_MIGRATES.replace("db:migrate:deploy", "db:seed");
    let (_, report) = gate(&[
        ("package.json", PRISMA_PACKAGE),
        ("prisma/seed.js", PRISMA_SEED),
        (".github/workflows/deploy.yml", &seeding_deploy),
        ("docker-compose.yml", compose),
        ("init/people.sql", sql),
        (
            "Dockerfile",
            "FROM mysql:8\nCOPY init/ /docker-entrypoint-initdb.d/\n",
        ),
    ]);
    assert_eq!(
        of(&report, "data/"),
        vec![
            row("data/placeholder-person", "init/people.sql", 1, "warning"),
            row("data/reserved-email", "prisma/seed.js", 2, "warning"),
        ],
        "{report}"
    );
    // And a seed the production start script runs is production's, whoever else runs it.
    let starts_seeding = PRISMA_PACKAGE.replace(
        "\"node src/server.js\"",
        "\"npm run db:seed && node src/server.js\"",
    );
    let (_, report) = gate(&[
        ("package.json", &starts_seeding),
        ("prisma/seed.js", PRISMA_SEED),
    ]);
    assert_eq!(
        of(&report, "data/"),
        vec![row("data/reserved-email", "prisma/seed.js", 2, "warning")],
        "{report}"
    );
}

/// Class 3: an exit at the margin under a production condition makes the rest of the file
/// non-production — from the exit to the end, not what comes before it.
#[test]
fn an_early_exit_in_production_guards_the_rest_of_the_file() {
    let seeds = |exit: &str| {
        format!(
            "Office.find_or_create_by!(name: 'Head office')\n{exit}\n\nrequire 'factory_bot_rails'\nFactoryBot.create(:application)\n"
        )
    };
    let guarded = [
        "return if Rails.env.production?",
        "if Rails.env.production?\n  puts 'Production: reference data only'\n  return\nend",
        "exit unless Rails.env.development?",
    ];
    for exit in guarded {
        let (_, report) = gate(&[("db/seeds.rb", &seeds(exit))]);
        assert_eq!(of(&report, "leak/"), vec![], "{exit}: {report}");
    }
    let js = "const db = require('./db');\nif (process.env.NODE_ENV === 'production') return;\nconst { faker } = require('@faker-js/faker');\n";
    let (_, report) = gate(&[("scripts/seed.js", js)]);
    assert_eq!(of(&report, "leak/"), vec![], "{report}");
    // Twin: everywhere but production exits, so production runs the rest.
    let (_, report) = gate(&[("scripts/seed.js", &js.replace("===", "!=="))]);
    assert_eq!(
        of(&report, "leak/"),
        vec![row(
            "leak/test-library-import",
            "scripts/seed.js",
            3,
            "warning"
        )],
        "{report}"
    );
    // Twins: only production gets past the exit; the exit sits inside a method; the library comes first.
    for (exit, line) in [
        ("return unless Rails.env.production?", 4),
        ("def skip\n  return if Rails.env.production?\nend", 6),
    ] {
        let (_, report) = gate(&[("db/seeds.rb", &seeds(exit))]);
        assert_eq!(
            of(&report, "leak/"),
            vec![row(
                "leak/test-library-import",
                "db/seeds.rb",
                line,
                "warning"
            )],
            "{exit}: {report}"
        );
    }
    let before = "require 'factory_bot_rails'\nreturn if Rails.env.production?\nFactoryBot.create(:application)\n";
    let (_, report) = gate(&[("db/seeds.rb", before)]);
    assert_eq!(
        of(&report, "leak/"),
        vec![row("leak/test-library-import", "db/seeds.rb", 1, "warning")],
        "{report}"
    );
}

/// Class 4: a test-only marker documenting a hook named for tests says what the name says (a note), and
/// one heading commented-out code marks nothing that runs; a marker above live code, and test data
/// labelled so in a production seed, are still reported.
#[test]
fn a_marker_documenting_a_test_hook_or_heading_commented_out_code_is_not_test_data() {
    let middleware = "const sessions = new Map();\n\n/** Empties the session cache. Exported for tests only. */\nexport const clearSessionsForTesting = () => sessions.clear();\n\nexport const handler = (req) => sessions.get(req.id);\n";
    let script = "async function resubmit(items) {\n  const queue = items.map(toSubmission);\n\n  // TESTING ONLY\n  // queue.forEach(\n  //   (item) => (item.council_url = \"local\")\n  // );\n\n  return Promise.all(queue.map(send));\n}\nmodule.exports = resubmit;\n";
    let (_, report) = gate(&[
        ("src/middleware/sessions.ts", middleware),
        ("src/jobs/resubmit.js", script),
    ]);
    assert_eq!(
        of(&report, "data/"),
        vec![row(
            "data/test-only-marker",
            "src/middleware/sessions.ts",
            3,
            "note"
        )],
        "{report}"
    );
    assert!(message_of(&report, "data/test-only-marker")
        .contains("documents `clearSessionsForTesting`, a hook named for tests"));
    // Twins: the marker above live code, and a data row labelled as test data in a production seed.
    let live = "function upload(file) {\n  // TEST ONLY: remove before release\n  const skipSignature = true;\n  return send(file, skipSignature);\n}\nmodule.exports = upload;\n";
    let seed = "INSERT INTO councils (name, url) VALUES ('TESTING ONLY council', 'https://council.example');\n";
    let (_, report) = gate(&[("src/upload.js", live), ("db/seeds/councils.sql", seed)]);
    let markers: Vec<_> = of(&report, "data/test-only-marker");
    assert_eq!(
        markers,
        vec![
            row(
                "data/test-only-marker",
                "db/seeds/councils.sql",
                1,
                "warning"
            ),
            row("data/test-only-marker", "src/upload.js", 2, "warning"),
        ],
        "{report}"
    );
}

const CALLED_DEPLOY: &str = "on:
  workflow_call:
    inputs:
      environment:
        type: string
        required: true
permissions: {}
jobs:
  ship:
    runs-on: ubuntu-latest
    environment: ${{ inputs.environment }}
    steps:
      - run: az webapp deploy --name app-${{ inputs.environment }}
";

fn release(environments: &[&str]) -> String {
    let mut text =
        "on:\n  push:\n    branches: ['hotfix/**']\npermissions: {}\njobs:\n".to_string();
    for env in environments {
        let job = env.replace('-', "_");
        text.push_str(&format!(
            "  deploy_to_{job}:\n    uses: ./.github/workflows/deploy.yml\n    with:\n      environment: {env}\n    secrets: inherit\n"
        ));
    }
    text
}

/// Class 5: deploying to integrators' onboarding environment, or a sandbox, from a release branch is no
/// production deploy; the production job of the same workflow still is.
#[test]
fn deploys_to_an_onboarding_or_sandbox_environment_are_not_production_deploys() {
    let (_, report) = gate(&[
        (".github/workflows/deploy.yml", CALLED_DEPLOY),
        (
            ".github/workflows/release.yml",
            &release(&["onboarding", "onboarding-collections", "sandbox"]),
        ),
    ]);
    assert_eq!(
        of(&report, "workflow/deploy-outside-deploy-branches"),
        vec![],
        "{report}"
    );
    let (_, report) = gate(&[
        (".github/workflows/deploy.yml", CALLED_DEPLOY),
        (
            ".github/workflows/release.yml",
            &release(&["onboarding", "production"]),
        ),
    ]);
    let found = of(&report, "workflow/deploy-outside-deploy-branches");
    assert_eq!(found.len(), 1, "{report}");
    assert!(
        message_of(&report, "workflow/deploy-outside-deploy-branches")
            .contains("job `deploy_to_production`")
    );
}

/// Class 6: review described as a step in any document ("Get that pull request code reviewed and
/// approved") documents review; a release note or an author's own checklist does not.
#[test]
fn review_described_in_a_documents_steps_documents_review() {
    let readme = "# Registry\n\nSee [deployment](doc/deployment.md).\n";
    let steps = "# Deploying\n\n## Staging\n\n1. Open a pull request into `main`\n1. Get that pull request code reviewed and approved\n1. Merge it\n";
    // A repository with no governance documents but these.
    let review = |files: &[(&str, &str)]| {
        let repo = Repo::bare();
        for (p, c) in files {
            repo.write(p, c);
        }
        repo.commit("c");
        let (_, report) = check_json(repo.path(), &[]);
        of(&report, "process/undocumented-review").len()
    };
    assert_eq!(
        review(&[("README.md", readme), ("doc/deployment.md", steps)]),
        0
    );
    let release_note = "# Deploying\n\n1. Tag the commit\n1. 3.0 is a major release\n";
    let checklist = "## Checklist\n\n- [ ] I have reviewed my own code\n- [ ] Tests pass\n";
    assert_eq!(
        review(&[
            ("README.md", readme),
            ("doc/deployment.md", release_note),
            (".github/pull_request_template.md", checklist),
        ]),
        1
    );
}

/// Hostile pull request against class 2: a seed named for development (`db/seed-dev.js`) is judged by
/// who runs it, not by its name. A change that adds one and makes production's start script run it
/// introduces its placeholder data as warnings, in a full check and in the pull request's own check.
#[test]
fn a_seed_named_for_development_that_production_runs_is_still_judged() {
    let package = |start: &str| {
        format!(
            "{{ \"name\": \"svc\", \"version\": \"1.0.0\", \"scripts\": {{ \"start\": \"{start}\" }}, \"dependencies\": {{ \"express\": \"4\" }} }}\n"
        )
    };
    let seed = "module.exports = [{ email: 'jane.doe@example.com', name: 'John Doe' }];\n";
    let repo = Repo::new();
    repo.write("package.json", package("node server.js"))
        .write("server.js", "require('express')().listen(3000);\n")
        .write(
            "Dockerfile",
            "FROM node:20\nCOPY . /app\nCMD [\"npm\", \"start\"]\n",
        )
        .commit("base");
    git(repo.path(), &["checkout", "-q", "-b", "feature"]);
    repo.write("db/seed-dev.js", seed)
        .write(
            "package.json",
            package("node db/seed-dev.js && node server.js"),
        )
        .commit("seed on start");
    let want = vec![
        row("data/placeholder-person", "db/seed-dev.js", 1, "warning"),
        row("data/reserved-email", "db/seed-dev.js", 1, "warning"),
    ];
    let (_, report) = check_json(repo.path(), &[]);
    assert_eq!(of(&report, "data/"), want, "{report}");
    // New in the pull request, not pre-existing (a pull request's check fails on errors by default).
    let (_, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(of(&report, "data/"), want, "{report}");
    assert_eq!(report["summary"]["pre_existing"], 0, "{report}");
}
