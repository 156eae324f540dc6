//! GitHub Actions workflows (rule family `workflow/…`): deploy jobs and what can start them, checkouts of
//! untrusted code with the base repository's secrets, and the token's permissions.
//!
//! Deploy detection and trigger scenarios live in `deploy_jobs`; this module turns them into findings,
//! each located on the YAML node it is about.

use super::deploy_jobs::{self, job_deploys, may_run, Anywhere, Scenario, Start};
use crate::context::Context;
use crate::finding::{Finding, Location, Severity};
use crate::repo::collect::{RepoFiles, WorkflowFile};
use crate::repo::workflows::{Job, Pos, Step, Workflow};
use crate::rules::{rule, CodeRule};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

pub const INVALID_YAML: &str = "workflow/invalid-yaml";
pub const OUTSIDE_DEPLOY_BRANCHES: &str = "workflow/deploy-outside-deploy-branches";
pub const UNTRUSTED_DEPLOY: &str = "workflow/deploy-from-untrusted-trigger";
pub const MANUAL_DEPLOY: &str = "workflow/manual-deploy-without-environment";
pub const NO_ENVIRONMENT: &str = "workflow/deploy-without-environment";
pub const APPROVAL_BYPASSED: &str = "workflow/deploy-bypasses-approval";
pub const UNTRUSTED_CHECKOUT: &str = "workflow/untrusted-checkout";
pub const WRITE_ALL: &str = "workflow/permissions-write-all";
pub const DEFAULT_PERMISSIONS: &str = "workflow/default-permissions";

/// Deployment branches when shipgate.toml names none (`[branches] deploy`): the usual names.
pub const DEFAULT_DEPLOY_BRANCHES: &[&str] = &[
    "main",
    "master",
    "trunk",
    "production",
    "prod",
    "live",
    "stable",
    "release",
    "release/**",
    "release-*",
    "releases/**",
    "gh-pages",
];

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: INVALID_YAML,
        fires_in: "workflows::invalid_yaml_names_the_file_and_line_and_exits_2",
        title: "Workflow file is not valid YAML",
        severity: Severity::Error,
        why: "GitHub refuses to run a workflow it cannot parse, so the checks it was meant to run silently stop \
              running; and shipgate cannot tell whether the file deploys. The gate therefore fails closed \
              (exit code 2, 'could not evaluate'), as it does for any file it could not read: nobody noticing a \
              broken check for months is the failure the regulator described at the police national database.",
        fix: "Fix the YAML at the reported line (indentation, an unclosed quote or bracket, a tab). `on:` \
              patterns starting with `*`, `[` or `!` must be quoted. Check with `yamllint` or GitHub's editor.",
        example: ".github/workflows/deploy.yml:12:5: did not find expected key",
    },
    CodeRule {
        id: OUTSIDE_DEPLOY_BRANCHES,
        fires_in: "workflows::a_deploy_on_push_to_any_branch_is_an_error_on_the_job",
        title: "Deploy job runs from a branch that is not a deployment branch",
        severity: Severity::Error,
        why: "A deploy job that runs on a push to any branch, or on a pull request, puts code into a live system \
              before anyone has reviewed or merged it. The regulator's recommendations after test data reached \
              the live police national database were to protect deployment branches, review code before \
              deployment, and stop code being added to live systems inadvertently; a deploy reachable from a \
              feature branch defeats all three. Reported as a warning when the job uses an environment, \
              because the environment's deployment-branch policy (not visible offline) may already refuse it.",
        fix: "Restrict the trigger to the deployment branches (`on: push: branches: [main]`), or guard the job \
              with `if: github.ref == 'refs/heads/main'`, and give it an environment whose deployment branches \
              are limited to those branches. Preview deploys belong in an environment named for them \
              (`preview`, `staging`), which this rule leaves alone. Deployment branches come from \
              `[branches] deploy` in shipgate.toml, or default to main, master, release/**, production, ….",
        example: "on: push  (every branch) → job `deploy` runs `kubectl apply -f k8s/`",
    },
    CodeRule {
        id: UNTRUSTED_DEPLOY,
        fires_in: "workflows::a_deploy_an_outsider_can_start_is_an_error",
        title: "Deploy job can be started by an outsider's pull request",
        severity: Severity::Error,
        why: "`pull_request_target`, and `workflow_run` after a pull-request workflow, run with the base \
              repository's secrets and write token when anyone — including someone without access who opens a \
              pull request from a fork — triggers them. A deploy job there lets an outsider start a deployment, \
              and with a checkout of their code, deploy it. Deployments must follow review, as the regulator \
              recommended after the police national database incident. A deploy to a preview (a \
              non-production environment, a per-PR Static Web Apps environment, a `--branch` Pages deploy) is \
              reported as a warning: previews exist to show unmerged code, but the job still holds deploy \
              credentials that an outsider's pull request can trigger.",
        fix: "Deploy from `push` to a deployment branch (after review and merge) instead. If the job must react \
              to pull requests, keep secrets and deploy steps out of it, or guard it with \
              `if: github.event.pull_request.head.repo.full_name == github.repository` and an environment with \
              required reviewers.",
        example: "on: pull_request_target → job `preview` runs `fly deploy`",
    },
    CodeRule {
        id: MANUAL_DEPLOY,
        fires_in: "workflows::a_manual_deploy_without_an_environment_is_an_error",
        title: "Manually started deploy job without an environment",
        severity: Severity::Error,
        why: "`workflow_dispatch` lets anyone with write access run the workflow on any branch they choose. \
              Without an environment (with required reviewers and a deployment-branch policy) nothing stops an \
              unreviewed branch being deployed by hand — the kind of inadvertent change to a live system the \
              regulator asked public bodies to prevent. A deploy is judged by where it lands: one whose target \
              the file names for a non-production environment (the app `shop-dev`, a `research` Cloud Foundry \
              space, `stage.parameters.json`) is left alone, whatever the workflow is called; a target chosen \
              when the run starts could be production.",
        fix: "Add `environment: production` to the job and, in Settings → Environments, require reviewers and \
              limit deployment branches to the deployment branches; or guard the job with \
              `if: github.ref == 'refs/heads/main'`.",
        example: "on: workflow_dispatch → job `release` runs `helm upgrade --install web ./chart` (no environment)",
    },
    CodeRule {
        id: NO_ENVIRONMENT,
        fires_in: "workflows::a_release_deploy_without_an_environment_is_a_warning",
        title: "Deploy job without an environment",
        severity: Severity::Warning,
        why: "GitHub environments are where a deployment gets its protection: required reviewers, a wait timer, \
              deployment branches, and secrets only that job can read. A deploy job without one deploys with \
              repository-wide secrets and leaves no deployment record — no review before deployment, which is \
              what the regulator recommended, and no evidence afterwards.",
        fix: "Add `environment: <name>` (for example `production`) to the job, move the deploy secrets into \
              that environment, and set its protection rules.",
        example: "job `publish` runs `docker push ghcr.io/acme/web:latest` with no `environment:`",
    },
    CodeRule {
        id: APPROVAL_BYPASSED,
        fires_in: "workflows::a_deploy_that_runs_when_its_approval_is_rejected_bypasses_it",
        title: "Deploy job runs even when its approval is rejected",
        severity: Severity::Error,
        why: "A common way to gate a deploy is an approval job that waits for an environment's required \
              reviewers (`approve: environment: production`) and a deploy job that `needs:` it. GitHub skips the \
              deploy when the approval is rejected — unless the deploy's `if:` says `always()`, \
              `${{ !cancelled() }}` or `failure()`, which run it after a failed dependency too. Then a rejected \
              review still deploys: the review before deployment that the regulator recommended after test data \
              reached the live police national database is there in name only.",
        fix: "Drop the status function from the deploy job's `if:`, or require the approval explicitly: \
              `if: ${{ !cancelled() && needs.approve.result == 'success' }}`. Better still, give the deploy job \
              the environment itself (`environment: production`), so the approval and the deploy are one job.",
        example: "job `deploy` needs `approve` (environment `production`) but `if: always()` runs it when the approval is rejected",
    },
    CodeRule {
        id: UNTRUSTED_CHECKOUT,
        fires_in: "workflows::pull_request_target_checking_out_the_head_is_an_error_on_the_ref",
        title: "Privileged workflow checks out pull-request code",
        severity: Severity::Error,
        why: "`pull_request_target` and `workflow_run` run with the base repository's secrets and a write token. \
              Checking out the pull request's head there (`ref: ${{ github.event.pull_request.head.sha }}`) and \
              then building or testing it runs an outsider's code with those privileges: the classic \
              'pwn request'. Code must be reviewed before it runs with production credentials.",
        fix: "Use the `pull_request` trigger for anything that builds or runs the contribution (it has no secrets \
              for forks). If a privileged follow-up is needed, pass data through artifacts and treat it as \
              untrusted; never check out or execute the head ref in the privileged workflow.",
        example: "on: pull_request_target … uses: actions/checkout@v4 with: ref: ${{ github.event.pull_request.head.sha }}",
    },
    CodeRule {
        id: WRITE_ALL,
        fires_in: "workflows::write_all_is_an_error_on_the_value_and_missing_permissions_a_warning_on_on",
        title: "Workflow token granted write-all",
        severity: Severity::Error,
        why: "`permissions: write-all` gives every step — and every third-party action it runs — write access to \
              code, releases, packages, deployments and workflow runs. The web-form submissions made public at \
              MOPAC show what a permission granted far wider than intended does; a token should get only what \
              its job needs.",
        fix: "Replace `write-all` with the scopes the job uses, e.g. `permissions: { contents: write }` for a job \
              that pushes a tag, and `contents: read` everywhere else.",
        example: "permissions: write-all",
    },
    CodeRule {
        id: DEFAULT_PERMISSIONS,
        fires_in: "workflows::write_all_is_an_error_on_the_value_and_missing_permissions_a_warning_on_on",
        title: "Workflow relies on the default token permissions",
        severity: Severity::Warning,
        why: "Without a `permissions:` block, GITHUB_TOKEN gets the repository's or organisation's default, which \
              is read-write on everything for accounts created before February 2023. Permissions nobody chose \
              and nobody reviewed are how access ends up wider than intended — the MOPAC web forms were made \
              public with no policy on how permissions are granted.",
        fix: "Add `permissions: contents: read` at the top of the workflow, and grant write scopes only on the \
              jobs that need them (the finding lists the steps that appear to need write).",
        example: "on: push  (no `permissions:` anywhere in the workflow)",
    },
];

pub fn run(ctx: &Context) -> Vec<Finding> {
    let branches = DeployBranches::new(&ctx.config.deploy_branches);
    let mut out = Vec::new();
    for file in &ctx.repo.workflows {
        match &file.parsed {
            Err(e) => out.push(invalid(file, e, ctx.config.scan_fail_closed)),
            Ok(docs) => {
                for wf in docs {
                    check_workflow(wf, &ctx.repo, &branches, &mut out);
                    super::workflow_permissions::check(wf, &mut out);
                }
            }
        }
    }
    out
}

/// Branches from which some deploy job runs on push (the filter patterns as written, e.g. `main`,
/// `release/**`), for the deployment-branch set.
pub fn deploy_branches(repo: &RepoFiles) -> Vec<String> {
    let mut out: Vec<String> = repo
        .workflows()
        .flat_map(|wf| {
            deploy_jobs::scenarios(wf, repo)
                .into_iter()
                .filter(|s| s.start == Start::Push)
                .filter(|s| {
                    wf.jobs
                        .iter()
                        .any(|j| job_deploys(wf, j, s, repo).is_some())
                })
                .filter_map(|s| s.pattern)
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The deployment branches as GitHub-style globs (`*` stays within a path segment, `**` crosses).
pub struct DeployBranches {
    set: GlobSet,
    shown: String,
}

impl DeployBranches {
    pub fn new(configured: &[String]) -> DeployBranches {
        let patterns: Vec<String> = if configured.is_empty() {
            DEFAULT_DEPLOY_BRANCHES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            configured.to_vec()
        };
        let mut b = GlobSetBuilder::new();
        for p in &patterns {
            if let Ok(g) = GlobBuilder::new(p).literal_separator(true).build() {
                b.add(g);
            }
        }
        DeployBranches {
            set: b.build().unwrap_or_else(|_| GlobSet::empty()),
            shown: if configured.is_empty() {
                "the default deployment branches (main, master, release/**, production, …; set `[branches] deploy` in shipgate.toml)".into()
            } else {
                format!(
                    "the deployment branches in shipgate.toml ({})",
                    patterns.join(", ")
                )
            },
        }
    }

    /// `$default-branch` is GitHub's starter-workflow placeholder for the default branch.
    pub fn contains(&self, branch: &str) -> bool {
        branch == "$default-branch" || self.set.is_match(branch)
    }
}

/// `fail_closed` false is `[scan] fail-closed = false`: the user's explicit opt-out, reported as a warning.
fn invalid(
    file: &WorkflowFile,
    e: &crate::repo::workflows::YamlError,
    fail_closed: bool,
) -> Finding {
    let f = rule!(INVALID_YAML).finding(
        format!(
            "`{}` is not valid YAML (line {}, column {}): {}; GitHub will not run it, and shipgate could not check it",
            file.path, e.pos.line, e.pos.column, e.message
        ),
        Location::File(e.pos.in_file(&file.path)),
    )
    .with_evidence(e.message.clone())
    .with_help("fix the YAML at this position; shipgate exits 2 (could not evaluate) until it parses");
    if fail_closed {
        f
    } else {
        f.with_severity(Severity::Warning)
    }
}

pub(super) fn at(rule: &CodeRule, wf: &Workflow, pos: Pos, message: String) -> Finding {
    rule.finding(message, Location::File(pos.in_file(&wf.path)))
}

/// `at`, where the deploy's context sets the severity (a preview or an image build is a warning).
fn at_severity(
    rule: &CodeRule,
    severity: Severity,
    wf: &Workflow,
    pos: Pos,
    message: String,
) -> Finding {
    at(rule, wf, pos, message).with_severity(severity)
}

fn check_workflow(
    wf: &Workflow,
    repo: &RepoFiles,
    branches: &DeployBranches,
    out: &mut Vec<Finding>,
) {
    let scenarios = deploy_jobs::scenarios(wf, repo);
    for job in &wf.jobs {
        let untrusted = scenarios.iter().filter(|s| s.untrusted());
        if let Some((s, d)) = untrusted
            .clone()
            .find_map(|s| job_deploys(wf, job, s, repo).map(|d| (s, d)))
        {
            // A preview is meant to show unmerged code; what remains is an outsider triggering a job that
            // holds deploy credentials: a warning.
            let (severity, target) = if d.preview {
                (Severity::Warning, "a non-production target")
            } else {
                (Severity::Error, "a live target")
            };
            out.push(
                at_severity(rule!(UNTRUSTED_DEPLOY), severity, wf, job.id.pos, format!(
                    "job `{}` deploys to {target} ({} at line {}) and can be started by `{}` (line {}), which runs for pull requests from forks",
                    job.id.value, d.what, d.pos.line, s.event, s.trigger.line
                ))
                .with_evidence(job.id.value.clone())
                .with_help("deploy only from a push to a deployment branch, after review"),
            );
        }
        if let Some(f) = outside_branches(wf, job, &scenarios, repo, branches) {
            out.push(f);
        }
        if let Some(f) = approval_bypassed(wf, job, &scenarios, repo) {
            out.push(f);
            untrusted_checkouts(wf, job, &scenarios, out);
            continue;
        }
        let manual = scenarios
            .iter()
            .filter(|s| s.start == Start::Dispatch)
            .find_map(|s| {
                job_deploys(wf, job, s, repo)
                    .filter(|d| d.environment.is_none() && !d.preview)
                    .map(|d| (s, d))
            });
        if let Some((s, d)) = &manual {
            // Pushing an image by hand publishes a build artefact; whatever deploys it later is where the
            // review belongs. Still worth a warning: anyone who can start the workflow can publish.
            let (severity, what) = if d.image {
                (Severity::Warning, "publishes an image")
            } else {
                (Severity::Error, "deploys")
            };
            out.push(
                at_severity(rule!(MANUAL_DEPLOY), severity, wf, job.id.pos, format!(
                    "job `{}` {what} ({} at line {}) when started by hand (`workflow_dispatch`, line {}) on any branch, and has no environment to require review",
                    job.id.value, d.what, d.pos.line, s.trigger.line
                ))
                .with_evidence(job.id.value.clone())
                .with_help("add `environment: production` with required reviewers and deployment branches"),
            );
        } else if job.uses.is_none() {
            // A deploy past an approval is judged by `approval_bypassed`, which knows the workflow's runs.
            if let Some(d) = job_deploys(wf, job, &Anywhere, repo)
                .filter(|d| d.environment.is_none() && !d.preview && d.bypass.is_none())
            {
                out.push(
                    at(
                        rule!(NO_ENVIRONMENT),
                        wf,
                        job.id.pos,
                        format!(
                            "job `{}` deploys ({} at line {}) without an environment",
                            job.id.value, d.what, d.pos.line
                        ),
                    )
                    .with_evidence(job.id.value.clone())
                    .with_help("add `environment: <name>` and keep the deploy secrets in it"),
                );
            }
        }
        untrusted_checkouts(wf, job, &scenarios, out);
    }
}

/// A deploy job whose `if:` runs it even when the approval job it needs is rejected.
fn approval_bypassed(
    wf: &Workflow,
    job: &Job,
    scenarios: &[Scenario],
    repo: &RepoFiles,
) -> Option<Finding> {
    // The workflow's own triggers; and any caller's values when other workflows call it (a reusable
    // workflow's inputs are not known here, so its environment may be any).
    let called = wf.triggers.iter().any(|t| t.event.value == "workflow_call");
    let anywhere = (scenarios.is_empty() || called)
        .then(|| job_deploys(wf, job, &Anywhere, repo))
        .flatten();
    let d = scenarios
        .iter()
        .filter_map(|s| job_deploys(wf, job, s, repo))
        .chain(anywhere)
        .find(|d| d.bypass.is_some() && !d.preview)?;
    let b = d.bypass.as_ref()?;
    Some(
        at(
            rule!(APPROVAL_BYPASSED),
            wf,
            b.cond.pos,
            format!(
                "job `{}` deploys ({} at line {}) after job `{}`, which waits for environment `{}`, but its `if: {}` runs it even when that approval is rejected",
                job.id.value,
                d.what,
                d.pos.line,
                b.approval,
                b.environment,
                b.cond.value.trim()
            ),
        )
        .with_evidence(format!("{}: if: {}", job.id.value, b.cond.value.trim()))
        .with_help(format!(
            "require the approval: `if: ${{{{ !cancelled() && needs.{}.result == 'success' }}}}`, or give this job the environment",
            b.approval
        )),
    )
}

/// A deploy reachable on push to a branch outside the deployment branches, or from a same-repository PR.
fn outside_branches(
    wf: &Workflow,
    job: &Job,
    scenarios: &[Scenario],
    repo: &RepoFiles,
    branches: &DeployBranches,
) -> Option<Finding> {
    scenarios
        .iter()
        .filter(|s| match s.start {
            // A branch named for a non-production environment (`staging`, `preview`) deploys there.
            Start::Push => s.branch.as_deref().is_some_and(|b| {
                !branches.contains(b) && !deploy_jobs::is_nonprod_environment(b)
            }),
            // A merged pull request's run is the merge commit on its base branch: judged like a push
            // there, unless the job checks out the pull request's head instead.
            Start::PullRequest if s.merged => {
                s.branch.as_deref().is_some_and(|b| {
                    !branches.contains(b) && !deploy_jobs::is_nonprod_environment(b)
                }) || merged_head_checkout(wf, job, s).is_some()
            }
            Start::PullRequest => true,
            _ => false,
        })
        .find_map(|s| {
            let d = job_deploys(wf, job, s, repo)?;
            let env = d.environment.as_deref();
            // Previews exist to take branch deploys; GitHub creates `github-pages` with a policy limited to
            // the Pages branch.
            if d.preview || env == Some("github-pages") {
                return None;
            }
            let from = match (s.start, &s.pattern) {
                (Start::PullRequest, _) if s.merged => match merged_head_checkout(wf, job, s) {
                    Some(what) => format!("a merged pull request's head, not the merge commit ({what})"),
                    None => match &s.pattern {
                        Some(p) => format!("a pull request merged into `{p}`"),
                        None => "a pull request merged into any branch".to_string(),
                    },
                },
                (Start::PullRequest, _) => "a pull request's unmerged code".to_string(),
                (_, Some(p)) => format!("a push to `{p}`"),
                (_, None) => "a push to any branch".to_string(),
            };
            let (severity, tail) = match (env, &d.gated_by) {
                (Some(e), Some(approver)) => (
                    Severity::Warning,
                    format!(" unless environment `{e}` (which job `{approver}` waits for) limits its deployment branches"),
                ),
                (Some(e), None) => (
                    Severity::Warning,
                    format!(" unless environment `{e}` limits its deployment branches"),
                ),
                // A pull request's image is a build: it goes live only if something deploys that tag.
                (None, _) if d.image && s.start == Start::PullRequest => (
                    Severity::Warning,
                    "; an image push is a build, not a deploy: it reaches production only if something deploys that tag".to_string(),
                ),
                // Each branch's image under its own name: a build for that branch's tests and review.
                (None, _) if d.image && d.branch_tagged => (
                    Severity::Warning,
                    "; the image is tagged for its branch, a build, not a deploy: it reaches production only if something deploys that tag".to_string(),
                ),
                (None, _) => (Severity::Error, String::new()),
            };
            Some(
                at_severity(rule!(OUTSIDE_DEPLOY_BRANCHES), severity, wf, job.id.pos, format!(
                    "job `{}` deploys ({} at line {}) on {} (`{}`, line {}), outside {}{}",
                    job.id.value, d.what, d.pos.line, from, s.event, s.trigger.line, branches.shown, tail
                ))
                .with_evidence(job.id.value.clone())
                .with_help("limit the trigger or the job to the deployment branches, or deploy to a preview environment"),
            )
        })
}

/// References to a pull request's head, in lower case without spaces.
const HEAD_REFS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.merge_commit_sha",
    "github.head_ref",
    "refs/pull/",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.id",
];
const HEAD_REPOS: &[&str] = &[
    "github.event.pull_request.head.repo.full_name",
    "github.event.workflow_run.head_repository.full_name",
];

fn mentions(value: &str, markers: &[&str]) -> bool {
    let v: String = value.to_ascii_lowercase().split_whitespace().collect();
    markers.iter().any(|m| v.contains(m))
}

/// In a merged pull request's run, a step that checks out the pull request's head (`head.sha`,
/// `head.ref`) rather than the merge commit the run is for (`merge_commit_sha` is that commit).
fn merged_head_checkout(wf: &Workflow, job: &Job, s: &Scenario) -> Option<String> {
    job.steps
        .iter()
        .filter(|st| may_run(st.cond.as_ref(), s))
        .filter_map(|st| head_checkout(wf, st))
        .map(|(_, what)| what)
        .find(|what| {
            let v: String = what.to_ascii_lowercase().split_whitespace().collect();
            !v.contains("merge_commit_sha")
        })
}

fn untrusted_checkouts(wf: &Workflow, job: &Job, scenarios: &[Scenario], out: &mut Vec<Finding>) {
    let Some(s) = scenarios
        .iter()
        .find(|s| s.untrusted() && deploy_jobs::job_may_run(wf, job, *s))
    else {
        return;
    };
    for step in job.steps.iter().filter(|st| may_run(st.cond.as_ref(), s)) {
        if let Some((pos, what)) = head_checkout(wf, step) {
            out.push(
                at(rule!(UNTRUSTED_CHECKOUT), wf, pos, format!(
                    "job `{}` runs on `{}` (line {}) with the base repository's secrets and checks out the pull request's code: {what}",
                    job.id.value, s.event, s.trigger.line
                ))
                .with_evidence(format!("{}: {what}", job.id.value))
                .with_help("build and test contributions under `pull_request`; never check out the head ref here"),
            );
        }
    }
}

fn head_checkout(wf: &Workflow, step: &Step) -> Option<(Pos, String)> {
    if let Some(uses) = &step.uses {
        if super::deploy_steps::action_name(&uses.value) == "actions/checkout" {
            if let Some(r) = step.with("ref").filter(|r| mentions(&r.value, HEAD_REFS)) {
                return Some((r.pos, format!("`ref: {}`", r.value.trim())));
            }
            if let Some(r) = step
                .with("repository")
                .filter(|r| mentions(&r.value, HEAD_REPOS))
            {
                return Some((r.pos, format!("`repository: {}`", r.value.trim())));
            }
        }
    }
    let run = step.run.as_ref()?;
    run.value.lines().map(str::trim).find_map(|line| {
        let lower = line.to_ascii_lowercase();
        let git = [
            "git checkout",
            "git fetch",
            "git pull",
            "git switch",
            "git reset",
        ]
        .iter()
        .any(|g| lower.contains(g));
        ((git && mentions(line, HEAD_REFS)) || lower.contains("gh pr checkout"))
            .then(|| (wf.locate(run.pos, line), format!("`{line}`")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::workflows;

    fn repo(files: &[(&str, &str)]) -> RepoFiles {
        RepoFiles {
            workflows: files
                .iter()
                .map(|(p, t)| WorkflowFile {
                    path: p.to_string(),
                    parsed: workflows::parse(p, t),
                })
                .collect(),
            ..RepoFiles::default()
        }
    }

    #[test]
    fn deploy_branches_are_the_push_filters_of_deploy_jobs() {
        let r = repo(&[
            (
                ".github/workflows/deploy.yml",
                "on:\n  push:\n    branches: [main, 'release/**']\njobs:\n  d:\n    environment: production\n    steps: []\n",
            ),
            (
                ".github/workflows/ci.yml",
                "on:\n  push:\n    branches: [develop, main]\njobs:\n  t:\n    steps:\n      - run: make test\n",
            ),
            (
                ".github/workflows/site.yml",
                "on:\n  push:\n    branches: [docs]\njobs:\n  s:\n    if: github.ref == 'refs/heads/main'\n    environment: github-pages\n    steps: []\n",
            ),
        ]);
        assert_eq!(
            deploy_branches(&r),
            vec!["main".to_string(), "release/**".to_string()]
        );
    }

    #[test]
    fn default_and_configured_deploy_branch_sets() {
        let d = DeployBranches::new(&[]);
        assert!(d.contains("main") && d.contains("release/1.2") && !d.contains("feature/x"));
        let d = DeployBranches::new(&["trunk".to_string()]);
        assert!(d.contains("trunk") && !d.contains("main"));
    }
}
