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
