//! Held-out batch 9, workflows: each class of false finding, stated once, with a made-up instance and a
//! twin that must still be reported.
use crate::common::*;

const PATH: &str = ".github/workflows/w.yml";

/// (rule, line, severity) of the workflow's deploy findings.
fn deploys(text: &str) -> Vec<(String, u64, String)> {
    let repo = Repo::new();
    repo.write(PATH, text);
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("workflow/") && f.0 != "workflow/default-permissions")
        .map(|(rule, path, line, severity)| {
            assert_eq!(path, PATH);
            (rule, line, severity)
        })
        .collect()
}

fn one(rule: &str, line: u64, severity: &str) -> Vec<(String, u64, String)> {
    vec![(rule.to_string(), line, severity.to_string())]
}

/// A lint job on pull requests whose environment a setup job names: `environment` is line 14.
fn lint_workflow(env: &str, setup_output: &str, needs: &str) -> String {
    format!(
        "on:\n  pull_request:\n    branches: [main]\npermissions:\n  contents: read\nenv:\n  target: {env}\njobs:\n  setup:\n    runs-on: ubuntu-latest\n    outputs:\n      target: {setup_output}\n    steps:\n      - run: echo ready\n  lint:\n{needs}    environment:\n      name: ${{{{ needs.setup.outputs.target }}}}\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n      - run: npm run lint\n"
    )
}

/// Class 1: a job's environment named through the outputs of a job it needs is the value those outputs
/// fix (`outputs: target: ${{ env.target }}` under `env: target: qa`): a QA environment that lends a lint
/// job its variables is no production deploy from a pull request.
#[test]
fn an_environment_named_by_a_needed_jobs_outputs_is_the_value_they_fix() {
    let needs = "    needs: setup\n";
    assert_eq!(
        deploys(&lint_workflow("qa", "${{ env.target }}", needs)),
        vec![]
    );
    // Twin: the same outputs name production, so the job may still deploy there from a pull request.
    assert_eq!(
        deploys(&lint_workflow("production", "${{ env.target }}", needs)),
        one("workflow/deploy-outside-deploy-branches", 15, "warning")
    );
    // Twin: a value only a step computes is not fixed by the file: judged as possibly production.
    assert_eq!(
        deploys(&lint_workflow(
            "qa",
            "${{ steps.pick.outputs.name }}",
            needs
        )),
        one("workflow/deploy-outside-deploy-branches", 15, "warning")
    );
}

/// Class 1b: the `needs` context holds only the jobs a job lists, so an environment named by the outputs
/// of a job it does not need is null: no environment, and a job without one is judged by its steps.
#[test]
fn an_environment_named_by_a_job_not_needed_is_no_environment() {
    assert_eq!(
        deploys(&lint_workflow("production", "${{ env.target }}", "")),
        vec![]
    );
    // Twin: the steps deploy, and nothing asks for approval: an error, and no environment at all.
    let deploying = lint_workflow("production", "${{ env.target }}", "")
        .replace("      - run: npm run lint\n", "      - run: cf push web\n");
    let mut expected = one("workflow/deploy-outside-deploy-branches", 15, "error");
    expected.extend(one("workflow/deploy-without-environment", 15, "warning"));
    assert_eq!(deploys(&deploying), expected);
}

/// A manually started web-app deploy: the app name is line 10's `APP`; the job is line 4.
fn manual_app_deploy(name: &str, app: &str) -> String {
    format!(
        "name: {name}\non:\n  workflow_dispatch:\npermissions:\n  contents: read\nenv:\n  APP: {app}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: azure/login@v2\n        with:\n          creds: ${{{{ secrets.AZURE_CREDENTIALS }}}}\n      - uses: azure/webapps-deploy@v3\n        with:\n          app-name: ${{{{ env.APP }}}}\n          package: out\n"
    )
}

/// Class 3: a deploy is judged by where it deploys: a manual deploy to a target named for a
/// non-production environment (the app, the Cloud Foundry space, the parameters file) is no production
/// deploy, whatever the workflow is called.
#[test]
fn a_manual_deploy_to_a_target_named_for_a_non_production_environment_is_not_production() {
    assert_eq!(
        deploys(&manual_app_deploy("app-deploy", "shop-web-dev")),
        vec![]
    );
    assert_eq!(
        deploys(&manual_app_deploy("app-deploy", "shop-web-preprod")),
        vec![]
    );
    // Twin: the target is production's, though the workflow's name says dev: the target wins.
    assert_eq!(
        deploys(&manual_app_deploy("dev-app-deploy", "shop-web-prod")),
        one("workflow/manual-deploy-without-environment", 9, "error")
    );
    // Twin: a target the file does not name (chosen by whoever starts the run) could be production.
    assert_eq!(
        deploys(
            &manual_app_deploy("dev-app-deploy", "shop-web-dev")
                .replace("${{ env.APP }}", "${{ inputs.app }}")
        ),
        one("workflow/manual-deploy-without-environment", 9, "error")
    );
    // Twin: a target that names no environment at all.
    assert_eq!(
        deploys(&manual_app_deploy("dev-app-deploy", "shop-web")),
        one("workflow/manual-deploy-without-environment", 9, "error")
    );

    // A Cloud Foundry space chosen by the step's own `cf target`, for user research.
    let cf = |space: &str| {
        format!("on:\n  workflow_dispatch:\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - env:\n          SPACE: {space}\n          CF_PASSWORD: ${{{{ secrets.CF_PASSWORD }}}}\n        run: |\n          cf auth\n          cf target -o acme -s $SPACE\n          ./deploy.sh\n")
    };
    assert_eq!(deploys(&cf("research")), vec![]);
    assert_eq!(
        deploys(&cf("prod")),
        one("workflow/manual-deploy-without-environment", 6, "error")
    );

    // Infrastructure: the parameters file names the environment.
    let iac = |file: &str| {
        format!("on:\n  workflow_dispatch:\npermissions:\n  contents: read\njobs:\n  infra:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: azure/arm-deploy@v2\n        with:\n          template: ./infra/main.bicep\n          parameters: ./infra/{file}.parameters.json adminPassword=${{{{ secrets.ADMIN }}}}\n")
    };
    assert_eq!(deploys(&iac("stage")), vec![]);
    assert_eq!(
        deploys(&iac("prod")),
        one("workflow/manual-deploy-without-environment", 6, "error")
    );
}

/// Class 3b: a staging deploy on push to main needs no environment of its own, and a step that loads a
/// shell file named `deploy-…` (`source deploy-functions.sh`) deploys nothing.
#[test]
fn a_push_deploy_to_a_staging_space_is_not_a_production_deploy() {
    let text = |space: &str| {
        format!("on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          source deploy-functions.sh\n          record_deployment {space}\n      - env:\n          SPACE: {space}\n          CF_PASSWORD: ${{{{ secrets.CF_PASSWORD }}}}\n        run: |\n          cf target -o acme -s $SPACE\n          ./deploy.sh\n")
    };
    assert_eq!(deploys(&text("staging")), vec![]);
    // Twin: the production space.
    assert_eq!(
        deploys(&text("prod")),
        one("workflow/deploy-without-environment", 7, "warning")
    );
}

/// A release job after a pull request is closed: a gate job writes `ship=yes` under `gate_test` (else
/// `ship=no`) and the release job runs only when the gate says yes. The release job is line 21.
fn after_merge(branch: &str, gate_test: &str, release_if: &str, checkout: &str) -> String {
    format!(
        "name: after merge\non:\n  pull_request:\n    types: [closed]\n    branches: [{branch}]\npermissions:\n  contents: read\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    outputs:\n      ship: ${{{{ steps.decide.outputs.ship }}}}\n    steps:\n      - id: decide\n        run: |\n          if [[ {gate_test} ]]; then\n            echo \"ship=yes\" >> \"$GITHUB_OUTPUT\"\n          else\n            echo \"ship=no\" >> \"$GITHUB_OUTPUT\"\n          fi\n  release:\n    needs: gate\n{release_if}    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{checkout}      - run: npm ci\n      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{{{ secrets.NPM_TOKEN }}}}\n"
    )
}

const MERGED_TEST: &str = "\"${{ github.event.pull_request.merged }}\" == \"true\"";
const SHIP_IF: &str = "    if: needs.gate.outputs.ship == 'yes'\n";

/// Class 4: a `pull_request` `closed` trigger on a deployment branch whose deploy job runs only when the
/// pull request was merged — in its own `if:`, or through a needed job's output that a step sets only
/// then — deploys the merge commit on that branch, not the pull request's unmerged code.
#[test]
fn a_deploy_only_after_a_pull_request_is_merged_into_main_deploys_from_main() {
    let no_environment = one("workflow/deploy-without-environment", 21, "warning");
    assert_eq!(
        deploys(&after_merge("main", MERGED_TEST, SHIP_IF, "")),
        no_environment
    );
    // The same, with `merged` in the job's own `if:`.
    assert_eq!(
        deploys(&after_merge(
            "main",
            "a == b",
            "    if: github.event.pull_request.merged == true\n",
            ""
        )),
        no_environment
    );

    let outside = |line| {
        let mut v = one("workflow/deploy-outside-deploy-branches", line, "error");
        v.extend(one("workflow/deploy-without-environment", line, "warning"));
        v
    };
    // Twin: no merged condition: a pull request closed without merging runs the release too.
    assert_eq!(
        deploys(&after_merge("main", MERGED_TEST, "", "")),
        outside(21)
    );
    // Twin: a condition an unmerged pull request can meet (`|| always()`).
    assert_eq!(
        deploys(&after_merge(
            "main",
            MERGED_TEST,
            "    if: needs.gate.outputs.ship == 'yes' || always()\n",
            ""
        )),
        outside(21)
    );
    // Twin: a gate output not tied to the merge (any closed pull request).
    assert_eq!(
        deploys(&after_merge(
            "main",
            "\"${{ github.event.action }}\" == \"closed\"",
            SHIP_IF,
            ""
        )),
        outside(21)
    );
    // Twin: a gate output the script does not fix (a variable).
    assert_eq!(
        deploys(&after_merge("main", "\"$MERGED\" == \"true\"", SHIP_IF, "")),
        outside(21)
    );
    // Twin: merged into a branch that is not a deployment branch.
    let candidate = deploys(&after_merge("candidate", MERGED_TEST, SHIP_IF, ""));
    assert_eq!(candidate, outside(21));
    // Twin: `merged` in the job's own `if:`, merged into that branch.
    assert_eq!(
        deploys(&after_merge(
            "candidate",
            "a == b",
            "    if: github.event.pull_request.merged == true\n",
            ""
        )),
        outside(21)
    );
    let message = |text: &str| {
        let repo = Repo::new();
        repo.write(PATH, text);
        repo.commit("c");
        let (_, report) = check_json(repo.path(), &[]);
        report.to_string()
    };
    assert!(message(&after_merge("candidate", MERGED_TEST, SHIP_IF, ""))
        .contains("a pull request merged into `candidate`"));
    // Twin: on main, but the job checks out the pull request's head, not the merge commit.
    let head = "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n";
    assert_eq!(
        deploys(&after_merge("main", MERGED_TEST, SHIP_IF, head)),
        outside(21)
    );
    assert!(message(&after_merge("main", MERGED_TEST, SHIP_IF, head))
        .contains("a merged pull request's head, not the merge commit"));
    // The merge commit itself is what the run is for.
    let merge_commit = "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.merge_commit_sha }}\n";
    assert_eq!(
        deploys(&after_merge("main", MERGED_TEST, SHIP_IF, merge_commit)),
        no_environment
    );
}
