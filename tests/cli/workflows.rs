//! GitHub Actions workflows: each `workflow/…` finding at its exact line and column, its clean twin,
//! YAML anchors, multi-document files, invalid YAML, and the regressions found on public repositories.
use crate::common::*;

fn scan(files: &[(&str, &str)], extra: &[&str]) -> (i32, serde_json::Value) {
    let repo = Repo::new();
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("c");
    check_json(repo.path(), extra)
}

fn wf(text: &str) -> Vec<(String, String, u64, u64)> {
    let (_, report) = scan(&[(".github/workflows/w.yml", text)], &[]);
    located(&report, "workflow/")
}

fn at(rule: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    (
        rule.to_string(),
        ".github/workflows/w.yml".to_string(),
        line,
        col,
    )
}

const KUBECTL_JOB: &str = "jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: kubectl apply -f k8s/
        env:
          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG }}
";

#[test]
fn a_deploy_on_push_to_any_branch_is_an_error_on_the_job() {
    let text = format!("on: push\npermissions:\n  contents: read\n{KUBECTL_JOB}");
    let (code, report) = scan(&[(".github/workflows/w.yml", &text)], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&report, "workflow/"),
        vec![
            at("workflow/deploy-outside-deploy-branches", 5, 3),
            at("workflow/deploy-without-environment", 5, 3),
        ]
    );
    let msg = message_of(&report, "workflow/deploy-outside-deploy-branches");
    assert!(
        msg.contains("runs `kubectl apply` at line 9") && msg.contains("a push to any branch"),
        "{msg}"
    );
    // Clean twins: the trigger limited to main, or the job guarded by the ref.
    let only_main = format!("on:\n  push:\n    branches: [main]\npermissions: {{}}\n{KUBECTL_JOB}");
    assert_eq!(
        wf(&only_main),
        vec![at("workflow/deploy-without-environment", 6, 3)]
    );
    let guarded = format!(
        "on: push\npermissions: {{}}\n{}",
        KUBECTL_JOB.replace(
            "    runs-on: ubuntu-latest\n",
            "    runs-on: ubuntu-latest\n    if: github.ref == 'refs/heads/main'\n",
        )
    );
    assert_eq!(
        wf(&guarded),
        vec![at("workflow/deploy-without-environment", 4, 3)]
    );
}

#[test]
fn deploy_branches_come_from_the_config_when_set() {
    let text = format!("on:\n  push:\n    branches: [main]\npermissions: {{}}\n{KUBECTL_JOB}");
    let (_, report) = scan(
        &[
            (".github/workflows/w.yml", &text),
            ("shipgate.toml", "[branches]\ndeploy = [\"trunk\"]\n"),
        ],
        &[],
    );
    let found = located(&report, "workflow/deploy-outside");
    assert_eq!(
        found,
        vec![at("workflow/deploy-outside-deploy-branches", 6, 3)]
    );
    assert!(
        message_of(&report, "workflow/deploy-outside-deploy-branches")
            .contains("shipgate.toml (trunk)")
    );
}

#[test]
fn a_deploy_on_pull_request_is_an_error_unless_it_is_a_preview_or_guarded_by_an_environment() {
    let text = format!("on: pull_request\npermissions: {{}}\n{KUBECTL_JOB}");
    assert_eq!(
        wf(&text),
        vec![
            at("workflow/deploy-outside-deploy-branches", 4, 3),
            at("workflow/deploy-without-environment", 4, 3),
        ]
    );
    let env = |name: &str| {
        KUBECTL_JOB.replace(
            "    runs-on: ubuntu-latest\n",
            &format!("    runs-on: ubuntu-latest\n    environment: {name}\n"),
        )
    };
    // A production environment: a warning (its deployment-branch policy may refuse PR refs).
    let (_, report) = scan(
        &[(
            ".github/workflows/w.yml",
            &format!("on: pull_request\npermissions: {{}}\n{}", env("production")),
        )],
        &[],
    );
    assert_eq!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "workflow/deploy-outside-deploy-branches")
            .map(|f| f["severity"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec!["warning"]
    );
    // A preview environment is what PR deploys are for.
    assert_eq!(
        wf(&format!(
            "on: pull_request\npermissions: {{}}\n{}",
            env("pr-preview")
        )),
        vec![]
    );
    // A deploy after the PR is merged (`types: [closed]` + merged) runs on reviewed code.
    let merged = format!(
        "on:\n  pull_request:\n    types: [closed]\npermissions: {{}}\n{}",
        env("production").replace(
            "    steps:",
            "    if: github.event.pull_request.merged == true\n    steps:"
        )
    );
    assert_eq!(wf(&merged), vec![]);
}

#[test]
fn a_deploy_an_outsider_can_start_is_an_error() {
    let text = format!("on: pull_request_target\npermissions: {{}}\n{KUBECTL_JOB}");
    let found = wf(&text);
    assert!(
        found.contains(&at("workflow/deploy-from-untrusted-trigger", 4, 3)),
        "{found:?}"
    );
    // Clean twin: only for pull requests from this repository's own branches.
    let same_repo = format!(
        "on: pull_request_target\npermissions: {{}}\n{}",
        KUBECTL_JOB.replace(
            "    runs-on: ubuntu-latest\n",
            "    runs-on: ubuntu-latest\n    if: github.event.pull_request.head.repo.full_name == github.repository\n",
        )
    );
    assert!(!wf(&same_repo)
        .iter()
        .any(|f| f.0 == "workflow/deploy-from-untrusted-trigger"));
}

#[test]
fn workflow_run_after_a_pull_request_workflow_is_untrusted() {
    let build = "name: Build\non: pull_request\npermissions: {}\njobs:\n  b:\n    runs-on: x\n    steps: []\n";
    let deploy = "on:\n  workflow_run:\n    workflows: [Build]\n    types: [completed]\npermissions: {}\njobs:\n  publish:\n    runs-on: x\n    steps:\n      - uses: cloudflare/wrangler-action@v3\n        with:\n          apiToken: ${{ secrets.CF }}\n          command: pages deploy site\n";
    let (_, report) = scan(
        &[
            (".github/workflows/build.yml", build),
            (".github/workflows/w.yml", deploy),
        ],
        &[],
    );
    let found = located(&report, "workflow/deploy-from");
    assert_eq!(
        found,
        vec![at("workflow/deploy-from-untrusted-trigger", 7, 3)]
    );
    // Clean twin: the same deploy after a workflow that runs on push only.
    let (_, report) = scan(
        &[
            (
                ".github/workflows/build.yml",
                &build.replace("on: pull_request", "on:\n  push:\n    branches: [main]"),
            ),
            (".github/workflows/w.yml", deploy),
        ],
        &[],
    );
    assert_eq!(located(&report, "workflow/deploy-from"), vec![]);
}

#[test]
fn a_manual_deploy_without_an_environment_is_an_error() {
    let text = format!("on: workflow_dispatch\npermissions: {{}}\n{KUBECTL_JOB}");
    assert_eq!(
        wf(&text),
        vec![at("workflow/manual-deploy-without-environment", 4, 3)]
    );
    let with_env = format!(
        "on: workflow_dispatch\npermissions: {{}}\n{}",
        KUBECTL_JOB.replace(
            "    runs-on: ubuntu-latest\n",
            "    runs-on: ubuntu-latest\n    environment:\n      name: production\n"
        )
    );
    assert_eq!(wf(&with_env), vec![]);
}

#[test]
fn a_release_deploy_without_an_environment_is_a_warning() {
    let text = "on:\n  push:\n    tags: ['v*']\npermissions:\n  contents: read\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM }}\n";
    assert_eq!(
        wf(text),
        vec![at("workflow/deploy-without-environment", 7, 3)]
    );
    assert_eq!(
        wf(&text.replace("    runs-on:", "    environment: npm\n    runs-on:")),
        vec![]
    );
    // No credentials in the job: the command cannot reach a registry, so it is not a deploy.
    assert_eq!(
        wf(&text.replace(
            "        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM }}\n",
            ""
        )),
        vec![]
    );
}

#[test]
fn pull_request_target_checking_out_the_head_is_an_error_on_the_ref() {
    let text = "on: pull_request_target\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm test\n";
    assert_eq!(wf(text), vec![at("workflow/untrusted-checkout", 10, 16)]);
    // Clean twins: the base checkout, and a job limited to same-repository PRs.
    assert_eq!(
        wf(&text.replace(
            "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
            ""
        )),
        vec![]
    );
    let same_repo = text.replace(
        "    runs-on: ubuntu-latest\n",
        "    runs-on: ubuntu-latest\n    if: github.event.pull_request.head.repo.fork == false\n",
    );
    assert_eq!(wf(&same_repo), vec![]);
    // `gh pr checkout` in a script counts too; it points at the script.
    let gh = "on: pull_request_target\npermissions: {}\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: |\n          set -e\n          gh pr checkout ${{ github.event.number }}\n          make\n";
    assert_eq!(wf(gh), vec![at("workflow/untrusted-checkout", 9, 11)]);
}

#[test]
fn write_all_is_an_error_on_the_value_and_missing_permissions_a_warning_on_on() {
    let text = "name: CI\non: push\npermissions: write-all\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: make test\n";
    assert_eq!(wf(text), vec![at("workflow/permissions-write-all", 3, 14)]);
    let (_, report) = scan(
        &[(
            ".github/workflows/w.yml",
            &text.replace("permissions: write-all\n", ""),
        )],
        &[],
    );
    assert_eq!(
        located(&report, "workflow/"),
        vec![at("workflow/default-permissions", 2, 1)]
    );
    assert!(message_of(&report, "workflow/default-permissions")
        .contains("nothing in it appears to need write"));
    // It says what needs write when something does.
    let pushes = text
        .replace("permissions: write-all\n", "")
        .replace("make test", "git push origin HEAD:gh-pages");
    let (_, report) = scan(&[(".github/workflows/w.yml", &pushes)], &[]);
    assert!(
        message_of(&report, "workflow/default-permissions")
            .contains("`git push` (contents) in job `t`"),
        "{report}"
    );
    // A third-party action nobody has vetted may need write: the finding says to check it.
    let third_party = text
        .replace("permissions: write-all\n", "")
        .replace("run: make test", "uses: kentaro-m/auto-assign-action@v2");
    let (_, report) = scan(&[(".github/workflows/w.yml", &third_party)], &[]);
    assert!(
        message_of(&report, "workflow/default-permissions")
            .contains("check what `kentaro-m/auto-assign-action` need(s)"),
        "{report}"
    );
    // A job that calls a reusable workflow runs its steps with this token: what they need is decided
    // there, so the finding does not claim that nothing needs write.
    let caller = "on: pull_request\njobs:\n  analysis:\n    uses: acme/.github/.github/workflows/pr-analysis.yml@main\n    secrets: inherit\n";
    let (_, report) = scan(&[(".github/workflows/w.yml", caller)], &[]);
    let message = message_of(&report, "workflow/default-permissions");
    assert!(
        message.contains("check what the called workflow `acme/.github/.github/workflows/pr-analysis.yml@main` need(s)")
            && !message.contains("nothing in it appears"),
        "{report}"
    );
    // Clean twin.
    assert_eq!(wf(&text.replace("write-all", "\n  contents: read")), vec![]);
}

#[test]
fn anchors_and_aliases_are_resolved_and_located_where_used() {
    let text = "on:\n  push:\n    branches: &deploy [main]\n  pull_request:\n    branches: *deploy\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    permissions: &all write-all\n    steps: []\n  b:\n    runs-on: x\n    permissions: *all\n    steps: []\n";
    assert_eq!(
        wf(text),
        vec![
            at("workflow/permissions-write-all", 10, 18),
            at("workflow/permissions-write-all", 14, 18),
        ]
    );
}

#[test]
fn every_document_of_a_multi_document_file_is_checked() {
    let text = "on: workflow_dispatch\npermissions: {}\njobs: {}\n---\non: push\npermissions: write-all\njobs: {}\n";
    assert_eq!(wf(text), vec![at("workflow/permissions-write-all", 6, 14)]);
}

#[test]
fn invalid_yaml_names_the_file_and_line_and_exits_2() {
    let text = "on: push\njobs:\n  build:\n    steps: [unclosed\n";
    let (code, report) = scan(&[(".github/workflows/w.yml", text)], &[]);
    assert_eq!(code, 2, "could not evaluate: {report}");
    let found = located(&report, "workflow/");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("workflow/invalid-yaml", ".github/workflows/w.yml")
    );
    assert!(found[0].2 >= 4, "the parse error's line: {found:?}");
    let msg = message_of(&report, "workflow/invalid-yaml");
    assert!(
        msg.contains(".github/workflows/w.yml") && msg.contains(&format!("line {}", found[0].2)),
        "{msg}"
    );
    // The human output says so too, and the gate still reports everything else it found.
    let repo = Repo::new();
    repo.write(".github/workflows/w.yml", text)
        .write("src/a.py", "A = 'x@example.com'\n");
    let r = run(&["check", "--offline"], repo.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.contains("workflow/invalid-yaml") && r.stdout.contains("data/reserved-email"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_local_reusable_workflow_that_deploys_makes_its_caller_a_deploy() {
    let called = "on: workflow_call\njobs:\n  ship:\n    runs-on: x\n    environment: production\n    steps:\n      - run: fly deploy\n        env:\n          FLY_API_TOKEN: ${{ secrets.FLY }}\n";
    let caller = "on: push\npermissions: {}\njobs:\n  call:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n";
    let (_, report) = scan(
        &[
            (".github/workflows/deploy.yml", called),
            (".github/workflows/w.yml", caller),
        ],
        &[],
    );
    assert_eq!(
        located(&report, "workflow/"),
        vec![at("workflow/deploy-outside-deploy-branches", 4, 3)]
    );
    assert!(
        message_of(&report, "workflow/deploy-outside-deploy-branches")
            .contains("calls .github/workflows/deploy.yml, whose job `ship`")
    );
}

#[test]
fn an_inline_allow_with_a_reason_suppresses_a_workflow_finding() {
    let text = format!(
        "on: workflow_dispatch\npermissions: {{}}\njobs:\n  # shipgate:allow(workflow/manual-deploy-without-environment) break-glass redeploy, audited in #ops\n{}",
        KUBECTL_JOB.trim_start_matches("jobs:\n")
    );
    assert_eq!(wf(&text), vec![]);
}

/// Regressions from the public-repository run (docs/precision-workflows.md): each was a false positive.
#[test]
fn regressions_from_public_workflows() {
    // ruff: `inputs` are null outside manual and reusable runs, so `inputs.plan != ''` is false on a PR
    // and the environment expression evaluates to '' (no environment, no deploy).
    let ruff = "on:\n  workflow_call:\n    inputs:\n      plan: {type: string}\n  pull_request:\npermissions: {}\njobs:\n  publish:\n    runs-on: x\n    environment:\n      name: ${{ inputs.plan != '' && !fromJson(inputs.plan).implicit && 'release' || '' }}\n    if: ${{ inputs.plan != '' }}\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: ${{ inputs.plan != '' }}\n";
    assert_eq!(wf(ruff), vec![]);
    // djangoproject.com: `push: false` is a build, not a push; a `preview` branch deploys a preview.
    let build_only = "on: pull_request\npermissions: {}\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: false\n";
    assert_eq!(wf(build_only), vec![]);
    let preview = "on:\n  push:\n    branches: [main, preview]\npermissions: {}\njobs:\n  p:\n    runs-on: x\n    environment: registry\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n";
    assert_eq!(wf(preview), vec![]);
    // ingress-nginx: `helm plugin install` is not `helm install`; kubectl against a kind/`make dev-env`
    // cluster has no credentials and is not a deploy.
    let helm = "on: pull_request\npermissions: {}\njobs:\n  lint:\n    runs-on: x\n    steps:\n      - run: helm plugin install https://github.com/helm-unittest/helm-unittest\n        env:\n          T: ${{ secrets.T }}\n  perf:\n    runs-on: x\n    steps:\n      - run: make dev-env && kubectl create deploy k6 --image httpbin\n";
    assert_eq!(wf(helm), vec![]);
    // fastapi: a status-comment script named deploy_docs_status.py is not a deploy script.
    let status = "on:\n  push:\n    branches: ['**']\npermissions: {}\njobs:\n  s:\n    runs-on: x\n    steps:\n      - run: uv run ./scripts/deploy_docs_status.py\n        env:\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n";
    assert_eq!(wf(status), vec![]);
    // saleor: a job skipped because the job it needs is skipped (merged-PR release) does not deploy.
    let needs = "on:\n  pull_request:\n    types: [closed]\npermissions: {}\njobs:\n  tag:\n    runs-on: x\n    if: github.event.pull_request.merged == true\n    steps: []\n  deploy:\n    needs: [tag]\n    runs-on: x\n    environment: production\n    steps: []\n";
    assert_eq!(wf(needs), vec![]);
    // TypeScript-Website / fastapi: preview deploys started through workflow_run after a PR are warnings
    // (an outsider can still trigger the job holding the credentials); closing a preview is no deploy.
    let build =
        "name: CI\non: pull_request\npermissions: {}\njobs:\n  b:\n    runs-on: x\n    steps: []\n";
    let preview = "on:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\n  pull_request_target:\n    types: [closed]\npermissions: {}\njobs:\n  deploy:\n    runs-on: x\n    if: github.event_name == 'workflow_run'\n    steps:\n      - uses: Azure/static-web-apps-deploy@v1\n        with:\n          azure_static_web_apps_api_token: ${{ secrets.T }}\n          deployment_environment: ${{ github.event.workflow_run.id }}\n  close:\n    runs-on: x\n    if: github.event_name == 'pull_request_target'\n    steps:\n      - uses: Azure/static-web-apps-deploy@v1\n        with:\n          azure_static_web_apps_api_token: ${{ secrets.T }}\n          action: close\n";
    let (_, report) = scan(
        &[
            (".github/workflows/ci.yml", build),
            (".github/workflows/w.yml", preview),
        ],
        &[],
    );
    assert_eq!(
        located(&report, "workflow/"),
        vec![at("workflow/deploy-from-untrusted-trigger", 9, 3)]
    );
    assert_eq!(report["findings"][0]["severity"], "warning", "{report}");
    // GitHub's starter workflows say `$default-branch`: the default branch is a deployment branch.
    let starter = "on:\n  push:\n    branches: [$default-branch]\npermissions: {}\njobs:\n  d:\n    runs-on: x\n    environment: production\n    steps:\n      - uses: google-github-actions/deploy-cloudrun@v2\n";
    assert_eq!(wf(starter), vec![]);
    // nodejs.org / saleor: environments named for previews and test instances take PR deploys.
    for env in ["Storybook", "testenvs-deploy"] {
        let pr = format!("on: pull_request\npermissions: {{}}\njobs:\n  d:\n    runs-on: x\n    environment: {env}\n    steps: []\n");
        assert_eq!(wf(&pr), vec![], "{env}");
    }
    // A deployments-API status action (bobheadxi/deployments) records a deployment; it does not deploy.
    let status_action = "on: pull_request\npermissions: {}\njobs:\n  s:\n    runs-on: x\n    steps:\n      - uses: bobheadxi/deployments@v1\n        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n";
    assert_eq!(wf(status_action), vec![]);
}

/// A made-up review-app workflow: on a pull request, build the image and push it to a registry, tagged
/// for that pull request.
const REVIEW_APP_IMAGE: &str = "name: Review app image
on: pull_request
permissions:
  contents: read
  packages: write
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo \"${{ secrets.REGISTRY_TOKEN }}\" | docker login ghcr.io -u bot --password-stdin
      - run: docker build -t ghcr.io/acme/web:pr-${{ github.event.number }} .
      - run: docker push ghcr.io/acme/web:pr-${{ github.event.number }}
";

#[test]
fn a_review_app_image_pushed_from_a_pull_request_is_a_build_not_a_deploy() {
    assert_eq!(wf(REVIEW_APP_IMAGE), vec![]);
    // The same with the build-push action, tagged per pull request, in a job named for the review app.
    let action = "on: pull_request\npermissions: {}\njobs:\n  review-app:\n    runs-on: x\n    steps:\n      - uses: docker/login-action@v3\n        with:\n          password: ${{ secrets.REGISTRY_TOKEN }}\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: registry.acme.invalid/web:latest-review\n";
    assert_eq!(wf(action), vec![]);
    // Started by an outsider (pull_request_target), it is still a warning: the job holds the credentials,
    // and the message says what it is.
    let outsider = REVIEW_APP_IMAGE.replace("on: pull_request", "on: pull_request_target");
    let (_, report) = scan(&[(".github/workflows/w.yml", &outsider)], &[]);
    assert_eq!(
        located(&report, "workflow/"),
        vec![at("workflow/deploy-from-untrusted-trigger", 7, 3)]
    );
    let msg = message_of(&report, "workflow/deploy-from-untrusted-trigger");
    assert!(
        msg.contains("an image for a pull-request review app: a build, not a production deploy"),
        "{msg}"
    );
    assert_eq!(report["findings"][0]["severity"], "warning", "{report}");
}

#[test]
fn an_image_push_from_a_pull_request_is_rated_below_a_real_deploy() {
    // Not tagged for the pull request: a warning that says it is a build.
    let latest = REVIEW_APP_IMAGE
        .replace("name: Review app image\n", "")
        .replace("pr-${{ github.event.number }}", "latest");
    let (code, report) = scan(&[(".github/workflows/w.yml", &latest)], &[]);
    let outside: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "workflow/deploy-outside-deploy-branches")
        .collect();
    assert_eq!(outside.len(), 1, "{report}");
    assert_eq!(outside[0]["severity"], "warning");
    assert!(
        outside[0]["message"]
            .as_str()
            .unwrap()
            .contains("an image push is a build, not a deploy"),
        "{report}"
    );
    assert_eq!(code, 0, "{report}");
    // Real deploys from a pull request stay errors, review-app naming or not.
    for deploy in [
        "kubectl apply -f k8s/",
        "helm upgrade --install web ./chart",
        "terraform apply -auto-approve",
        "cf push web -f manifest-production.yml",
    ] {
        let text = REVIEW_APP_IMAGE.replace(
            "docker push ghcr.io/acme/web:pr-${{ github.event.number }}",
            deploy,
        );
        let found = wf(&text);
        assert!(
            found.contains(&at("workflow/deploy-outside-deploy-branches", 7, 3)),
            "{deploy}: {found:?}"
        );
        let (code, _) = scan(&[(".github/workflows/w.yml", &text)], &[]);
        assert_eq!(code, 1, "{deploy}");
    }
}

/// Issue 23: a deploy is judged by where it deploys. A reusable deploy workflow called with each
/// environment of a matrix deploys to those environments.
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
      - run: cf push web -f manifest-${{ inputs.environment }}.yml
        env:
          CF_PASSWORD: ${{ secrets.CF_PASSWORD }}
";

fn matrix_caller(environments: &str) -> String {
    format!(
        "on:
  push:
    branches: [next]
permissions: {{}}
jobs:
  deploy:
    strategy:
      matrix:
        environment: [{environments}]
    uses: ./.github/workflows/deploy-app.yml
    with:
      environment: ${{{{ matrix.environment }}}}
    secrets: inherit
"
    )
}

#[test]
fn a_deploy_through_a_matrix_of_environments_is_judged_by_those_environments() {
    let scan_caller = |envs: &str| {
        scan(
            &[
                (".github/workflows/deploy-app.yml", CALLED_DEPLOY),
                (".github/workflows/w.yml", &matrix_caller(envs)),
            ],
            &[],
        )
    };
    // qa and test: non-production environments, deployed from a development branch as they should be.
    let (code, report) = scan_caller("qa, test");
    assert_eq!(located(&report, "workflow/"), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    // Twin: one of the matrix's environments is production, so the push to `next` deploys production.
    let (_, report) = scan_caller("qa, production");
    assert_eq!(
        located(&report, "workflow/"),
        vec![at("workflow/deploy-outside-deploy-branches", 6, 3)]
    );
    let msg = message_of(&report, "workflow/deploy-outside-deploy-branches");
    assert!(
        msg.contains("whose job `ship` runs `cf push`") && msg.contains("environment `production`"),
        "{msg}"
    );
}

#[test]
fn a_workflow_that_deploys_a_development_branch_to_test_environments_names_no_deployment_branch() {
    let repo = Repo::new();
    repo.write(".github/workflows/deploy-app.yml", CALLED_DEPLOY)
        .write(
            ".github/workflows/deploy.yml",
            matrix_caller("qa, test").replace("[next]", "[develop]"),
        );
    repo.commit("c");
    git(repo.path(), &["branch", "develop"]);
    let names = |report: &serde_json::Value| -> Vec<String> {
        report["deployment_branches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, report) = check_json(repo.path(), &[]);
    assert_eq!(names(&report), vec!["main"]);
    // Twin: the same workflow deploying `develop` to production makes it a deployment branch.
    repo.write(
        ".github/workflows/deploy.yml",
        matrix_caller("qa, production").replace("[next]", "[develop]"),
    );
    repo.commit("deploy develop to production");
    let (_, report) = check_json(repo.path(), &[]);
    assert_eq!(names(&report), vec!["main", "develop"]);
}

/// A manual deploy to the environment picked from a choice, approved in one job and shipped in the next.
const APPROVED_DEPLOY: &str = "on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [dev, staging, production]
permissions: {}
jobs:
  approve:
    runs-on: ubuntu-latest
    environment: ${{ inputs.environment }}
    steps:
      - run: echo approved
  deploy:
    needs: approve
    runs-on: ubuntu-latest
    steps:
      - run: cf push web
        env:
          CF_PASSWORD: ${{ secrets.CF_PASSWORD }}
";

#[test]
fn a_deploy_that_runs_when_its_approval_is_rejected_bypasses_it() {
    // Gated: the deploy waits for the approval job's environment (its required reviewers).
    assert_eq!(wf(APPROVED_DEPLOY), vec![]);
    let with_if = |cond: &str| {
        APPROVED_DEPLOY.replace(
            "    needs: approve\n",
            &format!("    needs: approve\n    if: {cond}\n"),
        )
    };
    // `always()` and `!cancelled()` run the deploy after a rejected approval: the finding, on the `if:`.
    for cond in ["always()", "${{ !cancelled() }}"] {
        let (code, report) = scan(&[(".github/workflows/w.yml", &with_if(cond))], &[]);
        assert_eq!(
            located(&report, "workflow/"),
            vec![at("workflow/deploy-bypasses-approval", 16, 9)],
            "{cond}"
        );
        assert_eq!(code, 1, "{cond}");
        let msg = message_of(&report, "workflow/deploy-bypasses-approval");
        // Of the choices, the message names the production one.
        assert!(
            msg.contains("after job `approve`, which waits for environment `production`"),
            "{msg}"
        );
    }
    // A manual run that can only choose non-production environments ships only there, rejected or not.
    let nonprod = with_if("always()").replace("[dev, staging, production]", "[dev, qa]");
    assert_eq!(wf(&nonprod), vec![]);
    // Twins that stay gated: the approval's result required explicitly, or `success()`.
    for cond in [
        "${{ !cancelled() && needs.approve.result == 'success' }}",
        "success()",
        "always() && needs.approve.outputs.approved == 'true'",
    ] {
        assert_eq!(wf(&with_if(cond)), vec![], "{cond}");
    }
    // Without the approval job the manual deploy has no gate at all: the existing rule.
    let ungated = APPROVED_DEPLOY.replace("    needs: approve\n", "");
    assert_eq!(
        wf(&ungated),
        vec![at("workflow/manual-deploy-without-environment", 14, 3)]
    );
}

#[test]
fn pages_docs_an_image_for_a_development_database_and_an_ephemeral_stack_are_not_production_deploys(
) {
    let job = |steps: &str| {
        format!(
            "on: push\npermissions: {{}}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
        )
    };
    let pages = "      - uses: peaceiris/actions-gh-pages@v4\n        with:\n          github_token: ${{ secrets.GITHUB_TOKEN }}\n          publish_dir: ./docs/_build\n";
    assert_eq!(wf(&job(pages)), vec![]);
    let db_image = "      - run: echo ${{ secrets.CR_PAT }} | docker login ghcr.io -u bot --password-stdin\n      - run: docker push ghcr.io/acme/app-dev-db:latest\n";
    assert_eq!(wf(&job(db_image)), vec![]);
    // Also when the registry and the tag are expressions and the environment is a path segment.
    let ecr = db_image.replace(
        "ghcr.io/acme/app-dev-db:latest",
        "\"${{ steps.ecr.outputs.registry }}/acme/development/postgres_db:${{ steps.ref.outputs.ref }}\"",
    );
    assert_eq!(wf(&job(&ecr)), vec![]);
    // An image tagged with its commit is a build: production gets it only through a deploy of that tag.
    let per_commit = db_image.replace("app-dev-db:latest", "app:${{ github.sha }}");
    assert_eq!(wf(&job(&per_commit)), vec![]);
    // Twins: a real deploy beside the docs, and the service's own image, still fire.
    let cf = "      - run: cf push web\n";
    assert_eq!(
        wf(&job(&format!("{pages}{cf}"))),
        vec![
            at("workflow/deploy-outside-deploy-branches", 4, 3),
            at("workflow/deploy-without-environment", 4, 3),
        ]
    );
    assert_eq!(
        wf(&job(&db_image.replace("app-dev-db", "app"))),
        vec![
            at("workflow/deploy-outside-deploy-branches", 4, 3),
            at("workflow/deploy-without-environment", 4, 3),
        ]
    );
    // An end-to-end stack a pull request starts and tears down again.
    let e2e = "on: pull_request\npermissions: {}\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    env:\n      ARM_CLIENT_SECRET: ${{ secrets.ARM_CLIENT_SECRET }}\n    steps:\n      - run: terraform apply -auto-approve -var stack=e2e\n      - run: npm run test:e2e\n      - if: always()\n        run: terraform destroy -auto-approve -var stack=e2e\n";
    assert_eq!(wf(e2e), vec![]);
    let named = "on: pull_request\npermissions: {}\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n      - run: helm upgrade --install web-pr-${{ github.event.number }} ./chart\n        env:\n          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG }}\n";
    assert_eq!(wf(named), vec![]);
    // Twin: the same apply without the teardown changes a long-lived stack from unreviewed code.
    let kept = e2e.replace(
        "      - if: always()\n        run: terraform destroy -auto-approve -var stack=e2e\n",
        "",
    );
    assert_eq!(
        wf(&kept),
        vec![
            at("workflow/deploy-outside-deploy-branches", 4, 3),
            at("workflow/deploy-without-environment", 4, 3),
        ]
    );
    // An ECS task started for the pull request's tests and stopped by a later job of the workflow.
    let ecs = "on: pull_request\npermissions: {}\njobs:\n  launch:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2\n        with:\n          task-definition: e2e.json\n          cluster: assurance\n          run-task: true\n  stop:\n    needs: launch\n    runs-on: ubuntu-latest\n    steps:\n      - run: aws ecs stop-task --cluster assurance --task x\n";
    assert_eq!(wf(ecs), vec![]);
    let (_, report) = scan(
        &[(
            ".github/workflows/w.yml",
            &ecs.replace("aws ecs stop-task", "aws ecs describe-tasks"),
        )],
        &[],
    );
    assert_eq!(
        located(&report, "workflow/deploy-outside"),
        vec![at("workflow/deploy-outside-deploy-branches", 4, 3)]
    );
    // Nor does tearing down something else (another program's stack) make the apply ephemeral.
    let other = e2e.replace(
        "terraform destroy -auto-approve -var stack=e2e",
        "docker compose down",
    );
    assert_eq!(wf(&other), wf(&kept));
}

#[test]
fn a_job_is_judged_by_its_most_dangerous_step() {
    // A pull request's job pushes an image, then deploys it: the deploy decides, an error.
    let text = "on: pull_request\npermissions: {}\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.CR_PAT }} | docker login ghcr.io -u bot --password-stdin\n      - run: docker push ghcr.io/acme/web:latest\n      - run: cf push web --docker-image ghcr.io/acme/web:latest\n";
    let (code, report) = scan(&[(".github/workflows/w.yml", text)], &[]);
    let found = located_with_severity(&report);
    assert!(
        found.contains(&(
            "workflow/deploy-outside-deploy-branches".into(),
            ".github/workflows/w.yml".into(),
            4,
            "error".into()
        )),
        "{found:?}"
    );
    assert!(
        message_of(&report, "workflow/deploy-outside-deploy-branches")
            .contains("runs `cf push` at line 9")
    );
    assert_eq!(code, 1);
    // A deploy step is a deploy whether or not the job names a secret (the login may come from elsewhere).
    let no_secret = "on: pull_request\npermissions: {}\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cf push web\n";
    assert_eq!(
        wf(no_secret),
        vec![
            at("workflow/deploy-outside-deploy-branches", 4, 3),
            at("workflow/deploy-without-environment", 4, 3),
        ]
    );
    // Twin: the image push alone is a build, a warning.
    let image_only = text.replace(
        "      - run: cf push web --docker-image ghcr.io/acme/web:latest\n",
        "",
    );
    let (code, report) = scan(&[(".github/workflows/w.yml", &image_only)], &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        message_of(&report, "workflow/deploy-outside-deploy-branches")
            .contains("an image push is a build")
    );
}
