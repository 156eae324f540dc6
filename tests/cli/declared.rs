//! Branch protection declared as code: made-up config repositories (a Terraform module with `for_each`
//! over a map of repositories, plain resources, a safe-settings set) judged offline by the branch and
//! deploy rules, unresolvable expressions reported, a pull request that weakens protection failing and
//! its strengthening twin passing, and drift against the GitHub stand-in.

use crate::common::*;
use crate::mock_github::{classic_strict, with, MockGithub, Reply};
use serde_json::{json, Value};

const TOKEN: &str = "ghp_declaredtoken0123456789abcdefABCD";

/// A config repository: the module with `for_each` over a map of repositories (values from
/// terraform.tfvars), committed on `main`.
const ROOT_TF: &str = r#"provider "github" {
  owner = "octo-org"
}

variable "repositories" {
  type = map(object({ approvals = number }))
}

module "repo" {
  source    = "./modules/repo"
  for_each  = var.repositories
  name      = each.key
  approvals = each.value.approvals
}
"#;

const TFVARS: &str =
    "repositories = {\n  payments-api = { approvals = 2 }\n  case-tracker = { approvals = 0 }\n}\n";

const MODULE_TF: &str = r#"variable "name" {}
variable "approvals" {}

resource "github_repository" "this" {
  name           = var.name
  default_branch = "main"
}

resource "github_branch_protection" "main" {
  repository_id  = github_repository.this.node_id
  pattern        = "main"
  enforce_admins = true

  required_pull_request_reviews {
    required_approving_review_count = var.approvals
    dismiss_stale_reviews           = true
    require_last_push_approval      = true
  }

  required_status_checks {
    strict   = true
    contexts = ["test"]
  }
}

resource "github_repository_environment" "production" {
  repository          = github_repository.this.name
  environment         = "production"
  prevent_self_review = true
  can_admins_bypass   = false
  reviewers {
    teams = [github_team.release.id]
  }
  deployment_branch_policy {
    protected_branches     = true
    custom_branch_policies = false
  }
}
"#;

fn module_repo(tfvars: &str) -> Repo {
    let repo = Repo::new();
    repo.write("infra/main.tf", ROOT_TF)
        .write("infra/terraform.tfvars", tfvars)
        .write("infra/modules/repo/main.tf", MODULE_TF);
    repo.commit("config");
    repo
}

/// (rule, path, line, column) of the findings whose `settings.origin` is `origin`.
fn about(report: &Value, origin: &str) -> Vec<(String, String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["settings"]["origin"] == origin)
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["location"]["path"].as_str().unwrap_or("").to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn finding<'a>(report: &'a Value, rule: &str, contains: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["message"].as_str().unwrap_or("").contains(contains))
        .unwrap_or_else(|| panic!("no {rule} with {contains:?} in {:#}", report["findings"]))
}

#[test]
fn a_for_each_module_over_a_map_of_repositories_is_judged_offline() {
    let repo = module_repo(TFVARS);
    let (code, report) = check_json(repo.path(), &[]);
    // case-tracker's 0 approvals, located at the tfvars entry that sets it; payments-api (2) is its
    // clean twin; reviewers named by reference (`github_team.release.id`) count as reviewers.
    assert_eq!(
        about(&report, "declared"),
        vec![(
            "branch/weak-protection".to_string(),
            "infra/terraform.tfvars".to_string(),
            3,
            32
        )],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 1);
    let f = finding(&report, "branch/weak-protection", "case-tracker");
    assert_eq!(
        f["settings"],
        json!({"origin": "declared", "repository": "octo-org/case-tracker", "target": "branch main", "setting": "required_approving_review_count"})
    );
    // The same wording as the rule on live settings, marked declared and naming the declaration.
    let m = f["message"].as_str().unwrap();
    assert!(
        m.starts_with("[declared] octo-org/case-tracker: `required_approving_review_count` on `main`: required_approving_review_count = 0, required ≥ 1"),
        "{m}"
    );
    assert!(
        m.contains("module.repo[\"case-tracker\"].github_branch_protection.main"),
        "{m}"
    );
    // The human report says declared too, and shows the declaring line.
    let human = run(&["check", "--offline"], repo.path());
    assert!(
        human.stdout.contains("[declared] octo-org/case-tracker"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("case-tracker = { approvals = 0 }"),
        "{}",
        human.stdout
    );

    // Twin: both repositories at 2 approvals pass.
    let fixed = module_repo(&TFVARS.replace("approvals = 0", "approvals = 2"));
    let (code, report) = check_json(fixed.path(), &[]);
    assert_eq!(
        about(&report, "declared"),
        vec![],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 0, "{:#}", report["findings"]);
}

#[test]
fn plain_resources_are_judged_with_the_branch_and_deploy_rules() {
    let repo = Repo::new();
    let tf = r#"resource "github_branch_protection_v3" "web" {
  repository     = "web"
  branch         = "main"
  enforce_admins = true
  required_status_checks {
    strict = true
    checks = ["ci/test:15368"]
  }
  required_pull_request_reviews {
    dismiss_stale_reviews      = true
    require_last_push_approval = true
  }
}

resource "github_repository_ruleset" "web" {
  name        = "main"
  repository  = "web"
  target      = "branch"
  enforcement = "active"
  conditions {
    ref_name {
      include = ["~DEFAULT_BRANCH"]
      exclude = []
    }
  }
  bypass_actors {
    actor_id    = 5
    actor_type  = "RepositoryRole"
    bypass_mode = "always"
  }
  rules {
    deletion         = true
    non_fast_forward = true
  }
}

resource "github_repository_environment" "web_production" {
  repository  = "web"
  environment = "production"
}
"#;
    repo.write("github.tf", tf);
    repo.write("shipgate.toml", "[declared]\nowner = \"octo-org\"\n");
    repo.commit("config");
    let (code, report) = check_json(repo.path(), &[]);
    let got = about(&report, "declared");
    // Classic protection alone enforces force pushes and deletion without bypass; the ruleset's admin
    // bypass escapes nothing then. The environment: no reviewers, any branch, admins may bypass.
    assert_eq!(
        got,
        vec![
            (
                "deploy/env-admin-bypass".to_string(),
                "github.tf".to_string(),
                37,
                1
            ),
            (
                "deploy/env-any-branch".to_string(),
                "github.tf".to_string(),
                37,
                1
            ),
            (
                "deploy/env-no-reviewers".to_string(),
                "github.tf".to_string(),
                37,
                1
            ),
        ],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 1);
    let m = finding(&report, "deploy/env-no-reviewers", "")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        m,
        "[declared] octo-org/web: environment `production` has no required reviewers: deployments to it need nobody's approval"
    );

    // Twin with a real bypass: admins exempt from classic protection and listed in the ruleset.
    let bypassing = Repo::new();
    bypassing.write(
        "github.tf",
        tf.replace("enforce_admins = true", "enforce_admins = false"),
    );
    bypassing.write("shipgate.toml", "[declared]\nowner = \"octo-org\"\n");
    bypassing.commit("config");
    let (_, report) = check_json(bypassing.path(), &[]);
    let bypass = finding(&report, "branch/bypass", "repository admins");
    assert_eq!(bypass["location"]["path"], "github.tf");
    assert_eq!(bypass["location"]["line"], 4, "{bypass:#}");
    assert_eq!(bypass["settings"]["setting"], "enforce_admins");

    // The compliant twin: reviewers, protected branches only, no admin bypass.
    let good = Repo::new();
    good.write(
        "github.tf",
        tf.replace(
            "  environment = \"production\"\n}",
            "  environment = \"production\"\n  prevent_self_review = true\n  can_admins_bypass = false\n  reviewers {\n    users = [1234]\n  }\n  deployment_branch_policy {\n    protected_branches = true\n    custom_branch_policies = false\n  }\n}",
        ),
    );
    good.write("shipgate.toml", "[declared]\nowner = \"octo-org\"\n");
    good.commit("config");
    let (code, report) = check_json(good.path(), &[]);
    assert_eq!(
        about(&report, "declared"),
        vec![],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 0, "{:#}", report["findings"]);
}

#[test]
fn a_config_that_manages_no_branch_protection_is_not_judged_for_it() {
    // Environments only: protection is managed elsewhere, so `main` is not "unprotected" here.
    let env = "resource \"github_repository_environment\" \"prod\" {\n  repository          = \"api\"\n  environment         = \"production\"\n  prevent_self_review = true\n  can_admins_bypass   = false\n  reviewers {\n    teams = [42]\n  }\n  deployment_branch_policy {\n    protected_branches     = true\n    custom_branch_policies = false\n  }\n}\n";
    let repo = Repo::new();
    repo.write("env.tf", env);
    repo.commit("config");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(
        about(&report, "declared"),
        vec![],
        "{:#}",
        report["findings"]
    );
    assert!(report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("manage no branch protection")));
    assert_eq!(code, 0, "{:#}", report["findings"]);
    // Twin: once the config protects another repository's branch, api's missing protection is a gap.
    let twin = Repo::new();
    twin.write("env.tf", env).write(
        "web.tf",
        "resource \"github_branch_protection_v3\" \"web\" {\n  repository = \"web\"\n  branch     = \"main\"\n}\n",
    );
    twin.commit("config");
    let (code, report) = check_json(twin.path(), &[]);
    let got = about(&report, "declared");
    assert!(
        got.contains(&("branch/unprotected".to_string(), "env.tf".to_string(), 1, 1)),
        "{got:?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_safe_settings_set_is_judged_per_repository() {
    let repo = Repo::new();
    repo.write(
        ".github/settings.yml",
        "branches:\n  - name: default\n    protection:\n      enforce_admins: true\n      required_status_checks:\n        strict: true\n        contexts: [test]\n      required_pull_request_reviews:\n        required_approving_review_count: 2\n        dismiss_stale_reviews: true\n        require_last_push_approval: true\n",
    )
    .write(
        ".github/suborgs/legacy.yml",
        "suborgrepos:\n  - legacy-*\nbranches:\n  - name: default\n    protection:\n      enforce_admins: false\n",
    )
    .write(".github/repos/legacy-portal.yml", "repository:\n  default_branch: main\n")
    .write(".github/repos/case-api.yml", "repository:\n  default_branch: main\n")
    .write("shipgate.toml", "[declared]\nowner = \"octo-org\"\n");
    repo.commit("settings");
    let (code, report) = check_json(repo.path(), &[]);
    // legacy-portal inherits the suborg's `enforce_admins: false` (line 6 of its file); case-api, with
    // the organisation's defaults only, is the clean twin.
    assert_eq!(
        about(&report, "declared"),
        vec![(
            "branch/bypass".to_string(),
            ".github/suborgs/legacy.yml".to_string(),
            6,
            23
        )],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 1);
    assert!(finding(&report, "branch/bypass", "")["message"]
        .as_str()
        .unwrap()
        .starts_with("[declared] octo-org/legacy-portal: repository admins (enforce_admins = false) can bypass on `main`"));
}

#[test]
fn an_unresolvable_expression_is_reported_never_guessed() {
    let repo = Repo::new();
    repo.write(
        "main.tf",
        r#"variable "approvals" {}

resource "github_branch_protection_v3" "api" {
  repository     = "api"
  branch         = "main"
  enforce_admins = true
  required_status_checks {
    contexts = ["test"]
  }
  required_pull_request_reviews {
    required_approving_review_count = var.approvals
    dismiss_stale_reviews           = true
    require_last_push_approval      = true
  }
}

resource "github_branch_protection" "each" {
  for_each      = yamldecode(file("repos.yaml"))
  repository_id = each.key
  pattern       = "main"
}
"#,
    );
    repo.commit("config");
    let (code, report) = check_json(repo.path(), &[]);
    let unresolved = located(&report, "declared/unresolved");
    assert_eq!(
        unresolved,
        vec![
            (
                "declared/unresolved".to_string(),
                "main.tf".to_string(),
                11,
                39
            ),
            (
                "declared/unresolved".to_string(),
                "main.tf".to_string(),
                18,
                30
            ),
        ],
        "{:#}",
        report["findings"]
    );
    let m = finding(&report, "declared/unresolved", "var.approvals")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        m.contains("variable `approvals` has no default and no value in a tfvars file"),
        "{m}"
    );
    // Never guessed: no weak-protection finding about the count it could not read.
    assert_eq!(
        located(&report, "branch/"),
        vec![],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 1);

    // Twin: a value in terraform.tfvars resolves it, and the for_each is gone.
    let twin = Repo::new();
    let text = std::fs::read_to_string(repo.path().join("main.tf")).unwrap();
    twin.write(
        "main.tf",
        &text[..text
            .find("resource \"github_branch_protection\" \"each\"")
            .unwrap()],
    )
    .write("terraform.tfvars", "approvals = 2\n");
    twin.commit("config");
    let (code, report) = check_json(twin.path(), &[]);
    assert_eq!(
        located(&report, "declared/"),
        vec![],
        "{:#}",
        report["findings"]
    );
    assert_eq!(
        located(&report, "branch/"),
        vec![],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 0, "{:#}", report["findings"]);
}

#[test]
fn a_config_file_that_does_not_parse_is_reported() {
    let repo = Repo::new();
    repo.write("main.tf", "resource \"github_branch_protection\" \"x\" {\n  pattern = \"main\"\n  required_pull_request_reviews {\n");
    repo.write(".github/settings.yml", "branches: [\n");
    repo.commit("broken");
    let (code, report) = check_json(repo.path(), &[]);
    let got: Vec<(String, String, u64)> = located(&report, "declared/unreadable")
        .into_iter()
        .map(|(r, p, l, _)| (r, p, l))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "declared/unreadable".to_string(),
                ".github/settings.yml".to_string(),
                2
            ),
            ("declared/unreadable".to_string(), "main.tf".to_string(), 3),
        ],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 1);
    // Twin: a Terraform tree without GitHub resources declares nothing and is not judged.
    let other = Repo::new();
    other.write(
        "main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
    );
    // Nor is one that does not parse (a duplicate key Terraform accepts, hcl-edit does not), or a
    // module call whose count cannot be resolved (its module is not in the tree): neither mentions
    // GitHub, so neither can declare GitHub settings.
    other.write(
        "infra/aws/data.tf",
        "locals {\n  env = {\n    A = 1\n    A = 2\n  }\n}\n",
    );
    other.write(
        "infra/azure/relay.tf",
        "module \"relay\" {\n  count  = var.relay != null ? 1 : 0\n  source = \"../templates/relay\"\n}\n",
    );
    other.commit("aws");
    let (code, report) = check_json(other.path(), &[]);
    assert_eq!(located(&report, "declared/"), vec![]);
    assert_eq!(code, 0, "{:#}", report["findings"]);
}

/// The config repository on `main`, and a pull request branch `change` with `edit` applied to the
/// module's file.
fn pull_request(
    edit_module: impl Fn(&str) -> String,
    edit_tfvars: impl Fn(&str) -> String,
) -> Repo {
    let repo = module_repo(&TFVARS.replace("approvals = 0", "approvals = 1"));
    git(repo.path(), &["checkout", "-q", "-b", "change"]);
    repo.write("infra/modules/repo/main.tf", edit_module(MODULE_TF));
    repo.write(
        "infra/terraform.tfvars",
        edit_tfvars(&TFVARS.replace("approvals = 0", "approvals = 1")),
    );
    git(repo.path(), &["add", "-A"]);
    git(
        repo.path(),
        &["commit", "-q", "--allow-empty", "-m", "change the config"],
    );
    repo
}

/// (setting, message) of each `declared/weakened` finding.
fn weakened(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "declared/weakened")
        .map(|f| {
            (
                f["settings"]["setting"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_pull_request_that_weakens_declared_protection_fails() {
    // Each weakening on its own, judged against the merge base.
    type Edit = Box<dyn Fn(&str) -> String>;
    let cases: Vec<(&str, Edit, Edit, &str, &str, u64)> = vec![
        (
            "approvals 2 → 0",
            Box::new(|m: &str| m.to_string()),
            Box::new(|t: &str| t.replace("payments-api = { approvals = 2 }", "payments-api = { approvals = 0 }")),
            "required_approving_review_count",
            "octo-org/payments-api: this change weakens `main`: required_approving_review_count 2 → 0",
            2,
        ),
        (
            "enforce_admins true → false",
            Box::new(|m: &str| m.replace("enforce_admins = true", "enforce_admins = false")),
            Box::new(|t: &str| t.to_string()),
            "enforce_admins",
            "repository admins (enforce_admins = false) can bypass",
            12,
        ),
        (
            "a new bypass actor",
            Box::new(|m: &str| {
                m.replace(
                    "    require_last_push_approval      = true\n",
                    "    require_last_push_approval      = true\n    pull_request_bypassers          = [\"/hotfix-bot\"]\n",
                )
            }),
            Box::new(|t: &str| t.to_string()),
            "bypass_actors",
            "user `hotfix-bot` (bypass_pull_request_allowances) can bypass",
            18,
        ),
        (
            "a removed environment reviewer",
            Box::new(|m: &str| m.replace("teams = [github_team.release.id]", "teams = []")),
            Box::new(|t: &str| t.to_string()),
            "required_reviewers",
            "this change weakens environment `production`: required_reviewers Team github_team.release.id → removed",
            32,
        ),
        (
            "a branch pattern that no longer matches",
            Box::new(|m: &str| m.replace("pattern        = \"main\"", "pattern        = \"mian\"")),
            Box::new(|t: &str| t.to_string()),
            "required_pull_request_reviews",
            "(the declared pattern `mian` no longer matches `main`)",
            11,
        ),
    ];
    for (what, module, tfvars, setting, says, line) in cases {
        let repo = pull_request(module, tfvars);
        let (code, report) = check_json(repo.path(), &["--diff", "main"]);
        let w = weakened(&report);
        let hit = w.iter().find(|(s, m)| s == setting && m.contains(says));
        assert!(hit.is_some(), "{what}: {w:#?}\n{:#}", report["findings"]);
        assert_eq!(code, 1, "{what}: {:#}", report["findings"]);
        let f = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "declared/weakened" && f["settings"]["setting"] == setting)
            .unwrap();
        assert_eq!(f["location"]["line"], line, "{what}: {f:#}");
        assert_eq!(f["settings"]["origin"], "declared");
    }
}

#[test]
fn a_pull_request_that_strengthens_declared_protection_passes() {
    // The twin: more approvals, one more required check, and a refactor that keeps every value.
    let repo = pull_request(
        |m| {
            m.replace("contexts = [\"test\"]", "contexts = [\"test\", \"lint\"]")
                .replace(
                    "pattern        = \"main\"",
                    "pattern        = \"m${\"ain\"}\"",
                )
        },
        |t| {
            t.replace(
                "payments-api = { approvals = 2 }",
                "payments-api = { approvals = 3 }",
            )
        },
    );
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert_eq!(weakened(&report), vec![], "{:#}", report["findings"]);
    assert_eq!(
        located(&report, "declared/"),
        vec![],
        "{:#}",
        report["findings"]
    );
    assert_eq!(code, 0, "{:#}", report["findings"]);
}

// ---- Drift: the declared settings against the GitHub stand-in -------------------------------------------

fn repo_json(name: &str) -> Value {
    json!({
        "id": 1296270, "node_id": "R_kgDOAAAAAQ", "name": name, "full_name": format!("octo-org/{name}"),
        "private": true, "html_url": format!("https://github.com/octo-org/{name}"),
        "default_branch": "main", "visibility": "private",
        "permissions": {"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}
    })
}

fn environments_json(reviewers: Value, admins_bypass: bool) -> Value {
    json!({"total_count": 1, "environments": [{
        "id": 161088068, "node_id": "MDExOkVudmlyb25tZW50MTYxMDg4MDY4", "name": "production",
        "url": "https://api.github.com/repos/octo-org/x/environments/production",
        "html_url": "https://github.com/octo-org/x/deployments/activity_log?environments_filter=production",
        "created_at": "2020-11-23T22:00:40Z", "updated_at": "2020-11-23T22:00:40Z",
        "can_admins_bypass": admins_bypass,
        "protection_rules": [{"id": 3755, "node_id": "MDQ6R2F0ZTM3NTU=", "prevent_self_review": true,
            "type": "required_reviewers", "reviewers": reviewers}],
        "deployment_branch_policy": {"protected_branches": true, "custom_branch_policies": false}
    }]})
}

fn release_team() -> Value {
    json!([{"type": "Team", "reviewer": {"id": 1, "node_id": "MDQ6VGVhbTE=", "name": "Release", "slug": "release", "privacy": "closed"}}])
}

/// The live settings of one repository as the mock answers them.
fn live(mock: &MockGithub, name: &str, classic: Value, environments: Value) {
    let r = |p: &str| format!("/repos/octo-org/{name}{p}");
    mock.on(&r(""), Reply::ok(repo_json(name)))
        .on(&r("/branches/main/protection"), Reply::ok(classic))
        .on(&r("/rules/branches/main"), Reply::ok(json!([])))
        .on(&r("/environments"), Reply::ok(environments));
}

fn drift_run(repo: &Repo, mock: &MockGithub) -> (i32, Value) {
    let mut cmd = shipgate(&["check", "--drift", "--format", "json"], repo.path());
    cmd.env("GITHUB_API_URL", mock.url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "10")
        .env("SHIPGATE_GITHUB_TIMEOUT_MS", "3000");
    let r: Run = cmd.output().expect("run").into();
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token leaked"
    );
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r.code, v)
}

/// (severity, repository, setting, message) of each drift finding.
fn drifts(report: &Value) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "declared/drift")
        .map(|f| {
            (
                f["severity"].as_str().unwrap_or("").to_string(),
                f["settings"]["repository"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                f["settings"]["setting"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn drift_reports_each_difference_from_the_live_settings() {
    let repo = module_repo(&TFVARS.replace("approvals = 0", "approvals = 1"));
    let mock = MockGithub::start();
    // payments-api: applied exactly (the clean twin); case-tracker: approvals lowered by hand to 0, the
    // release team removed from production, and stale-review dismissal stronger than declared.
    let strict = with(
        with(
            classic_strict(),
            "/required_pull_request_reviews/required_approving_review_count",
            json!(2),
        ),
        "/required_pull_request_reviews/require_code_owner_reviews",
        json!(false),
    );
    live(
        &mock,
        "payments-api",
        strict.clone(),
        environments_json(release_team(), false),
    );
    let hand_edited = with(
        with(
            strict,
            "/required_pull_request_reviews/required_approving_review_count",
            json!(0),
        ),
        "/required_status_checks/contexts",
        json!(["test", "lint"]),
    );
    live(
        &mock,
        "case-tracker",
        hand_edited,
        environments_json(json!([]), false),
    );
    let (code, report) = drift_run(&repo, &mock);
    let d = drifts(&report);
    assert!(
        d.iter().all(|(_, r, _, _)| r == "octo-org/case-tracker"),
        "{d:#?}"
    );
    let want = [
        ("error", "required_approving_review_count", "[drift] octo-org/case-tracker: `main`: required_approving_review_count is 0 on GitHub, declared 1 — changed by hand, or the config was never applied"),
        ("warning", "required_status_checks", "required_status_checks is [test, lint] on GitHub, declared [test] — stronger than declared"),
        ("error", "required_reviewers", "environment `production`: required_reviewers is removed on GitHub, declared Team #1"),
    ];
    for (severity, setting, says) in want {
        assert!(
            d.iter()
                .any(|(s, _, n, m)| s == severity && n == setting && m.contains(says)),
            "{setting}: {d:#?}"
        );
    }
    assert_eq!(d.len(), 3, "{d:#?}");
    // Located at the declaration: the tfvars entry for the count.
    let count = finding(&report, "declared/drift", "required_approving_review_count");
    assert_eq!(count["location"]["path"], "infra/terraform.tfvars");
    assert_eq!(count["location"]["line"], 3);
    assert_eq!(count["settings"]["origin"], "drift");
    assert_eq!(code, 1);
    // Every request carried the token as a header, and only the declared repositories were asked about.
    let requests = mock.requests();
    assert!(requests
        .iter()
        .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {TOKEN}") as &str)));
    assert!(
        requests
            .iter()
            .all(|r| r.path.starts_with("/repos/octo-org/payments-api")
                || r.path.starts_with("/repos/octo-org/case-tracker")),
        "{requests:#?}"
    );
}

#[test]
fn drift_that_cannot_be_read_fails_closed() {
    let repo = module_repo(&TFVARS.replace("approvals = 0", "approvals = 2"));
    let mock = MockGithub::start();
    let strict = with(
        with(
            classic_strict(),
            "/required_pull_request_reviews/required_approving_review_count",
            json!(2),
        ),
        "/required_pull_request_reviews/require_code_owner_reviews",
        json!(false),
    );
    live(
        &mock,
        "payments-api",
        strict,
        environments_json(release_team(), false),
    );
    // case-tracker is not visible to the token (or was never created): GitHub answers 404.
    let (code, report) = drift_run(&repo, &mock);
    let unverified = finding(
        &report,
        "declared/drift-unverified",
        "octo-org/case-tracker",
    );
    assert!(
        unverified["message"]
            .as_str()
            .unwrap()
            .contains("the repository could not be read (404 Not Found)"),
        "{unverified:#}"
    );
    assert_eq!(drifts(&report), vec![]);
    assert_eq!(code, 1);
    // Without a token, drift is said to be not evaluated, never passed silently.
    let r = run(&["check", "--drift", "--format", "json"], repo.path());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        v["not_evaluated"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap_or("")
            .starts_with("drift between declared and live settings: no token")),
        "{:#}",
        v["not_evaluated"]
    );
}

/// The organisation's config repository: repo-0004 and repo-0003 declared as strictly as GitHub's
/// strict example; repo-0001 not declared at all.
const ORG_TF: &str = r#"provider "github" {
  owner = "mock-org"
}

resource "github_branch_protection" "main" {
  for_each       = toset(["repo-0004", "repo-0003"])
  repository_id  = each.key
  pattern        = "main"
  enforce_admins = true
  required_pull_request_reviews {
    required_approving_review_count = 2
    dismiss_stale_reviews           = true
    require_code_owner_reviews      = true
    require_last_push_approval      = true
  }
  required_status_checks {
    strict   = true
    contexts = ["test"]
  }
}
"#;

#[test]
fn org_run_reports_declared_observed_and_drift_side_by_side() {
    let mock = crate::mock_org::MockOrg::start(10);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("github-config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("main.tf"), ORG_TF).unwrap();
    let results = org_run(&mock, dir.path(), config.to_str().unwrap());
    let read = |name: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(results.join(format!("mock-org__{name}.json"))).unwrap(),
        )
        .unwrap()
    };
    // Applied as declared: declared pass, observed pass, no drift.
    let applied = read("repo-0004");
    assert_eq!(applied["declared"]["declared"], "pass", "{applied:#}");
    assert_eq!(applied["declared"]["observed"], "pass", "{applied:#}");
    assert_eq!(applied["declared"]["drift"], 0, "{applied:#}");
    // Declared but never applied: the live branch is unprotected, so the observed control fails and
    // every declared setting is drift; the declared findings never decide the observed control.
    let never = read("repo-0003");
    assert_eq!(never["declared"]["declared"], "pass", "{never:#}");
    assert_eq!(never["declared"]["observed"], "fail", "{never:#}");
    assert!(
        never["declared"]["drift"].as_u64().unwrap() >= 5,
        "{never:#}"
    );
    assert!(never["declared"]["findings"].as_array().unwrap().iter().any(|f| f["message"]
        .as_str()
        .unwrap()
        .starts_with("[drift] mock-org/repo-0003: `main`: required_approving_review_count is 0 on GitHub, declared 2")));
    assert_eq!(
        never["controls"]["branch-protection"]["rules"],
        json!(["branch/unprotected"])
    );
    // Not declared: said so, next to what GitHub shows.
    let undeclared = read("repo-0001");
    assert_eq!(
        undeclared["declared"]["declared"], "not declared",
        "{undeclared:#}"
    );
    assert_eq!(undeclared["declared"]["observed"], "pass");

    // The report shows the three side by side.
    let out = dir.path().join("report");
    let mut cmd = shipgate(
        &[
            "org",
            "report",
            results.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    let r: Run = cmd.output().unwrap().into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Declared, observed and drift"), "{md}");
    assert!(
        md.contains("| mock-org/repo-0004 | pass | pass | none |"),
        "{md}"
    );
    assert!(
        md.contains("| mock-org/repo-0001 | not declared | pass | none |"),
        "{md}"
    );
    assert!(
        md.lines()
            .any(|l| l.starts_with("| mock-org/repo-0003 | pass | fail | ")
                && l.contains("differences")),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<table id=\"declared\">"), "{html}");
}

/// `org run` of repo-0004, repo-0003 and repo-0001 with `--declared ARG`; the results directory.
fn org_run(
    mock: &crate::mock_org::MockOrg,
    dir: &std::path::Path,
    declared: &str,
) -> std::path::PathBuf {
    let shard = dir.join("shard.json");
    let repos = ["repo-0004", "repo-0003", "repo-0001"].map(|r| format!("mock-org/{r}"));
    std::fs::write(
        &shard,
        json!({"schema": "shipgate/org-shard@1", "org": "mock-org", "shard": 0, "of": 1, "repositories": repos})
            .to_string(),
    )
    .unwrap();
    let results = dir.join("results");
    let mut cmd = shipgate(
        &[
            "org",
            "run",
            "--shard",
            shard.to_str().unwrap(),
            "--out",
            results.to_str().unwrap(),
            "--declared",
            declared,
        ],
        dir,
    );
    cmd.env("GITHUB_API_URL", mock.url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "5")
        .env("SHIPGATE_GITHUB_TIMEOUT_MS", "10000");
    let r: Run = cmd.output().unwrap().into();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token leaked"
    );
    results
}

/// The API's base64, wrapped at 60 characters as GitHub wraps blob contents.
fn base64_wrapped(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in s.as_bytes().chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            out.push(if k <= c.len() {
                T[(n >> (18 - 6 * k) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out.as_bytes()
        .chunks(60)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn org_run_reads_the_config_repository_through_the_api() {
    let mock = crate::mock_org::MockOrg::start(10);
    let sha = "3d21ec53a331a6f037a91c368710b99387d012c1";
    mock.on("/repos/mock-org/github-config", Reply::ok(json!({
        "id": 9, "name": "github-config", "full_name": "mock-org/github-config", "private": true,
        "html_url": "https://github.com/mock-org/github-config", "default_branch": "main"})))
        .on("/repos/mock-org/github-config/git/trees/main", Reply::ok(json!({
            "sha": "9fb037999f264ba9a7fc6274d15fa3ae2ab98312",
            "url": "https://api.github.com/repos/mock-org/github-config/git/trees/9fb037999f264ba9a7fc6274d15fa3ae2ab98312",
            "tree": [
                {"path": "README.md", "mode": "100644", "type": "blob", "sha": "45b983be36b73c0788dc9cbcb76cbb80fc7bb057", "size": 30},
                {"path": "github", "mode": "040000", "type": "tree", "sha": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"},
                {"path": "github/main.tf", "mode": "100644", "type": "blob", "sha": sha, "size": ORG_TF.len()}
            ],
            "truncated": false})))
        .on(&format!("/repos/mock-org/github-config/git/blobs/{sha}"), Reply::ok(json!({
            "sha": sha, "node_id": "B_kwDOAAAAAdoAKDNkMjFlYzUz", "size": ORG_TF.len(),
            "url": format!("https://api.github.com/repos/mock-org/github-config/git/blobs/{sha}"),
            "content": base64_wrapped(ORG_TF), "encoding": "base64"})));
    let dir = tempfile::tempdir().unwrap();
    let results = org_run(&mock, dir.path(), "mock-org/github-config");
    let read = |name: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(results.join(format!("mock-org__{name}.json"))).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(read("repo-0004")["declared"]["declared"], "pass");
    assert_eq!(
        read("repo-0004")["declared"]["source"],
        "mock-org/github-config"
    );
    assert!(read("repo-0003")["declared"]["drift"].as_u64().unwrap() >= 5);
    assert_eq!(read("repo-0001")["declared"]["declared"], "not declared");
    // A truncated listing fails closed: the shard stops with exit 2, naming the cause.
    mock.on(
        "/repos/mock-org/github-config/git/trees/main",
        Reply::ok(json!({"sha": "x", "tree": [], "truncated": true})),
    );
    let other = tempfile::tempdir().unwrap();
    let shard = other.path().join("shard.json");
    std::fs::write(&shard, json!({"schema": "shipgate/org-shard@1", "org": "mock-org", "shard": 0, "of": 1, "repositories": ["mock-org/repo-0004"]}).to_string()).unwrap();
    let out = other.path().join("r");
    let mut cmd = shipgate(
        &[
            "org",
            "run",
            "--shard",
            shard.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--declared",
            "mock-org/github-config",
        ],
        other.path(),
    );
    cmd.env("GITHUB_API_URL", mock.url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("SHIPGATE_GITHUB_RETRY_BASE_MS", "5");
    let r: Run = cmd.output().unwrap().into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("org/bad-declared") && r.stderr.contains("truncated"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_repositorys_own_settings_file_is_declared_next_to_what_github_observes() {
    // An application repository with a Probot `.github/settings.yml` asking for 2 approvals, and
    // GitHub enforcing 0: the observed finding, the declared settings (which pass) and the drift are
    // three different statements, and every format says which is which.
    let w = crate::github::world();
    w.repo.write(
        ".github/settings.yml",
        "branches:\n  - name: main\n    protection:\n      enforce_admins: true\n      required_status_checks:\n        strict: true\n        contexts: [test]\n      required_pull_request_reviews:\n        required_approving_review_count: 2\n        dismiss_stale_reviews: true\n        require_code_owner_reviews: true\n        require_last_push_approval: true\n",
    );
    let weak = with(
        classic_strict(),
        "/required_pull_request_reviews/required_approving_review_count",
        json!(0),
    );
    w.mock.on(
        &crate::mock_github::api("/branches/main/protection"),
        Reply::ok(weak),
    );
    let r = crate::github::gh(&w, &["check", "--drift", "--format", "json"], &[]);
    let report: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    let settings: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["settings"].is_null())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["settings"]["origin"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let observed = settings
        .iter()
        .find(|(r, o, _)| r == "branch/weak-protection" && o == "observed");
    assert!(
        observed
            .is_some_and(|(_, _, m)| m.starts_with("`required_approving_review_count` on `main`")),
        "{settings:#?}"
    );
    assert!(
        !settings.iter().any(|(_, o, _)| o == "declared"),
        "{settings:#?}"
    );
    let drift = settings.iter().find(|(r, _, _)| r == "declared/drift");
    assert!(
        drift.is_some_and(|(_, o, m)| o == "drift"
            && m.starts_with("[drift] octo-org/octo-app: `main`: required_approving_review_count is 0 on GitHub, declared 2")),
        "{settings:#?}"
    );
    // The observed finding stays at the GitHub setting; the drift points at the declaring line.
    let loc = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap()["location"]
            .clone()
    };
    assert_eq!(loc("branch/weak-protection")["kind"], "setting");
    assert_eq!(loc("declared/drift")["path"], ".github/settings.yml");
    assert_eq!(loc("declared/drift")["line"], 9);
    assert_eq!(r.code, 1);
}

#[test]
fn a_pull_request_cannot_turn_declared_settings_off_to_pass() {
    // The change weakens approvals and, in the same pull request, turns `[declared]` off: the gate
    // judges with the merge base's policy, so the weakening still fails, and the policy change is said.
    let repo = pull_request(
        |m| m.to_string(),
        |t| {
            t.replace(
                "payments-api = { approvals = 2 }",
                "payments-api = { approvals = 0 }",
            )
        },
    );
    repo.write("shipgate.toml", "[declared]\nenabled = false\n");
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "turn it off"]);
    let (code, report) = check_json(repo.path(), &["--diff", "main"]);
    assert!(
        weakened(&report)
            .iter()
            .any(|(s, _)| s == "required_approving_review_count"),
        "{:#}",
        report["findings"]
    );
    let policy = finding(&report, "gate/policy-changed", "[declared] enabled");
    assert!(
        policy["message"]
            .as_str()
            .unwrap()
            .contains("changed from true to false"),
        "{policy:#}"
    );
    assert_eq!(code, 1);
}
