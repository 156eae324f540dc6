//! Which workflow jobs deploy, and under which trigger they can run.
//!
//! A *scenario* is one way a workflow starts: a push to a given branch, a same-repository pull request, a
//! fork's pull request reaching `pull_request_target`, a manual dispatch on any branch. Job and step `if:`
//! conditions are evaluated against it (see `repo::expr`), so `if: github.ref == 'refs/heads/main'` keeps a
//! deploy step out of the feature-branch scenario while an unguarded one stays in.

use super::deploy_steps::{local_cluster, step_deploys, StepDeploy};
use crate::repo::collect::RepoFiles;
use crate::repo::expr::{self, Scope, Val};
use crate::repo::workflow_values::{
    bindings, environment_name, job_text, Bound, Called, WithNeeds,
};
use crate::repo::workflows::{Input, Job, Pos, Trigger, Workflow};

/// Branch name standing for "any branch the filter lets through that is not a deployment branch".
pub const ANY_BRANCH: &str = "some-unreviewed-branch";

/// How a workflow run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Push,
    /// A pull request from a branch of this repository (secrets available, code unreviewed).
    PullRequest,
    /// A fork's pull request through `pull_request_target` (base-repository secrets and token).
    PullRequestTarget,
    /// `workflow_run` after a workflow that runs on pull requests (fork-controlled artifacts and refs).
    WorkflowRunAfterPr,
    /// `workflow_dispatch`: anyone with write access, on any branch they pick.
    Dispatch,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub start: Start,
    /// Push: the branch (a name a filter pattern lets through); PR events: the base branch if known.
    pub branch: Option<String>,
    /// The filter pattern the branch came from (`release/**`), or None for "any branch".
    pub pattern: Option<String>,
    /// The trigger's key in `on:`.
    pub trigger: Pos,
    pub event: String,
    /// A `pull_request` closed by merging it (`types: [closed]`): the run's commit is the merge commit on
    /// the base branch (`branch`), so the code is what reached that branch, not the pull request's.
    pub merged: bool,
}

impl Scenario {
    /// Does the code come from someone who may not have write access?
    pub fn untrusted(&self) -> bool {
        matches!(
            self.start,
            Start::PullRequestTarget | Start::WorkflowRunAfterPr
        )
    }
}

const THIS_REPO: &str = "owner/this-repository";
const FORK_REPO: &str = "someone-else/fork";

impl Scope for Scenario {
    fn lookup(&self, path: &str) -> Val {
        let s = |v: &str| Val::Str(v.to_string());
        let pr = matches!(self.start, Start::PullRequest | Start::PullRequestTarget);
        let fork = self.untrusted();
        let head_repo = if fork { FORK_REPO } else { THIS_REPO };
        // `inputs` exist only for manual runs (and reusable calls, see `Called`); elsewhere they are null,
        // so `inputs.plan != ''` is false on a pull request, as GitHub evaluates it.
        if path.starts_with("inputs.") || path.starts_with("github.event.inputs.") {
            return if self.start == Start::Dispatch {
                Val::Unknown
            } else {
                Val::Null
            };
        }
        match path {
            "github.event_name" => s(&self.event),
            "github.repository" => s(THIS_REPO),
            "github.ref" | "github.ref_name" => {
                let name = match self.start {
                    Start::Push | Start::Dispatch | Start::PullRequestTarget => self.branch.clone(),
                    Start::PullRequest => Some("1/merge".to_string()),
                    Start::WorkflowRunAfterPr => None,
                };
                match (name, path, self.start) {
                    (None, _, _) => Val::Unknown,
                    (Some(n), "github.ref_name", _) => s(&n),
                    (Some(n), _, Start::PullRequest) => s(&format!("refs/pull/{n}")),
                    (Some(n), _, _) => s(&format!("refs/heads/{n}")),
                }
            }
            "github.ref_type" if self.start != Start::WorkflowRunAfterPr => s("branch"),
            "github.base_ref" if !pr => s(""),
            "github.base_ref" => self.branch.as_deref().map_or(Val::Unknown, s),
            "github.head_ref" if !pr => s(""),
            "github.event.pull_request.head.repo.fork" if pr => Val::Bool(fork),
            // An open (or closed unmerged) pull request: deploys guarded by `merged == true` run after
            // review, in the merged scenario.
            "github.event.pull_request.merged" if pr => Val::Bool(self.merged),
            "github.event.action" if self.merged => s("closed"),
            "github.event.pull_request.head.repo.full_name" if pr => s(head_repo),
            "github.event.workflow_run.event" if self.start == Start::WorkflowRunAfterPr => {
                s("pull_request")
            }
            "github.event.workflow_run.head_repository.full_name"
                if self.start == Start::WorkflowRunAfterPr =>
            {
                s(FORK_REPO)
            }
            "github.event.workflow_run.head_repository.fork"
                if self.start == Start::WorkflowRunAfterPr =>
            {
                Val::Bool(true)
            }
            _ => Val::Unknown,
        }
    }
}

/// Knows nothing: "could this ever deploy?"
pub struct Anywhere;
impl Scope for Anywhere {
    fn lookup(&self, _: &str) -> Val {
        Val::Unknown
    }
}

/// The scenarios a workflow's triggers create. `all` resolves `workflow_run` to the workflows it follows.
pub fn scenarios(wf: &Workflow, all: &RepoFiles) -> Vec<Scenario> {
    let mut out = Vec::new();
    for t in &wf.triggers {
        let mk = |start, branch: Option<String>, pattern: Option<String>| Scenario {
            start,
            branch,
            pattern,
            trigger: t.event.pos,
            event: t.event.value.clone(),
            merged: false,
        };
        match t.event.value.as_str() {
            "push" => out.extend(
                push_branches(t)
                    .into_iter()
                    .map(|(b, p)| mk(Start::Push, Some(b), p)),
            ),
            "pull_request" => {
                // Opened, updated — or closed without merging: the pull request's own code.
                out.push(mk(Start::PullRequest, base_branch(t), None));
                // Closed by merging: one run per base branch the filter names. Without a filter the base
                // is not named (None): pull requests target the default branch unless the repository
                // works otherwise, which the file does not say.
                if t.types
                    .as_ref()
                    .is_some_and(|ts| ts.iter().any(|x| x == "closed"))
                {
                    let bases: Vec<(Option<String>, Option<String>)> = match &t.branches {
                        Some(_) => push_branches(t)
                            .into_iter()
                            .map(|(b, p)| (Some(b), p))
                            .collect(),
                        None => vec![(None, None)],
                    };
                    out.extend(bases.into_iter().map(|(b, p)| Scenario {
                        merged: true,
                        ..mk(Start::PullRequest, b, p)
                    }));
                }
            }
            "pull_request_target" => out.push(mk(Start::PullRequestTarget, base_branch(t), None)),
            "workflow_dispatch" => out.push(mk(Start::Dispatch, Some(ANY_BRANCH.into()), None)),
            "workflow_run" if follows_pull_requests(t, all) => {
                out.push(mk(Start::WorkflowRunAfterPr, None, None));
            }
            _ => {}
        }
    }
    out
}

/// Branches a push trigger runs for: one representative per `branches` pattern, or "any branch".
/// A tags-only trigger (`tags:` without `branches:`) runs for no branch.
fn push_branches(t: &Trigger) -> Vec<(String, Option<String>)> {
    match &t.branches {
        Some(list) => list
            .iter()
            .filter(|p| !p.starts_with('!'))
            .map(|p| (witness(p), Some(p.clone())))
            .collect(),
        None if t.tags && t.branches_ignore.is_none() => Vec::new(),
        None => vec![(ANY_BRANCH.to_string(), None)],
    }
}

/// The base branch of a pull-request trigger, when its filter names exactly one literal branch.
fn base_branch(t: &Trigger) -> Option<String> {
    match t.branches.as_deref() {
        Some([b]) if !is_glob(b) => Some(b.clone()),
        _ => None,
    }
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '[', '!', '+'])
}

/// A concrete branch name that GitHub's filter pattern `p` matches (`release/**` → `release/x/y`).
pub fn witness(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push_str("x/y");
            }
            '*' | '?' => out.push('x'),
            '+' => {}
            '\\' => out.extend(chars.next()),
            '[' => {
                let mut first = None;
                for k in chars.by_ref() {
                    if k == ']' {
                        break;
                    }
                    first.get_or_insert(k);
                }
                out.push(first.unwrap_or('x'));
            }
            _ => out.push(c),
        }
    }
    out
}

/// Does a `workflow_run` trigger follow a workflow (by `name:`) that runs on pull requests?
fn follows_pull_requests(t: &Trigger, all: &RepoFiles) -> bool {
    t.workflows.iter().any(|name| {
        all.workflows().any(|w| {
            w.name.as_deref() == Some(name.as_str())
                && w.triggers.iter().any(|u| {
                    matches!(
                        u.event.value.as_str(),
                        "pull_request" | "pull_request_target"
                    )
                })
        })
    })
}

/// Why a job counts as deploying, and where.
#[derive(Debug, Clone)]
pub struct Deploy {
    /// "runs `kubectl apply`", "uses azure/webapps-deploy", "environment `production`".
    pub what: String,
    pub pos: Pos,
    /// The environment of the job that deploys (for a reusable-workflow call: of the called job).
    pub environment: Option<String>,
    /// The target is a preview (a non-production environment name, a per-PR Static Web Apps
    /// environment, a `--branch` Pages deploy): deploying unmerged code there is what previews are for.
    pub preview: bool,
    /// It pushes a container image (a build artefact) rather than changing an environment.
    pub image: bool,
    /// The image's tag is named for the branch that was pushed (`${GITHUB_REF_NAME}.${GITHUB_SHA::7}`)
    /// and never a moving tag such as `latest`: each branch's build, not what production runs.
    pub branch_tagged: bool,
    /// The job has no environment of its own but needs (directly or through other jobs) this job, which
    /// waits for `environment`: the deploy runs only after that approval.
    pub gated_by: Option<String>,
    /// The job needs an approval job but its `if:` runs it even when the approval is rejected.
    pub bypass: Option<Bypass>,
}

/// A deploy job that runs even when the approval it needs is rejected.
#[derive(Debug, Clone)]
pub struct Bypass {
    /// The job that waits for the environment.
    pub approval: String,
    pub environment: String,
    /// The `if:` that lets the deploy run anyway.
    pub cond: crate::repo::workflows::Spanned<String>,
}

impl Deploy {
    /// How much a deploy can change production: a preview or development target least, then an image
    /// (a build that something else deploys), then a deploy, worst without an environment to approve it;
    /// among equals, one whose environment is named for production (so messages name that one).
    fn danger(&self) -> u8 {
        let base = match (self.preview, self.image, self.environment.is_some()) {
            (true, _, _) => 0,
            (false, true, true) => 1,
            (false, true, false) => 2,
            (false, false, true) => 3,
            (false, false, false) => 4,
        };
        let env = self
            .environment
            .as_deref()
            .or(self.bypass.as_ref().map(|b| b.environment.as_str()));
        let production = env.is_some_and(|e| {
            crate::repo::environments::tier_of_name(e)
                == Some(crate::repo::environments::Tier::Production)
        });
        base * 2 + u8::from(production)
    }
}

/// The first of the most dangerous (the first, so messages name the earliest step of that kind).
fn most_dangerous<T>(items: impl Iterator<Item = T>, danger: impl Fn(&T) -> u8) -> Option<T> {
    let mut best: Option<(u8, T)> = None;
    for item in items {
        let d = danger(&item);
        if best.as_ref().is_none_or(|(b, _)| d > *b) {
            best = Some((d, item));
        }
    }
    best.map(|(_, item)| item)
}

/// Could `cond` be true in `scope`?
pub fn may_run(cond: Option<&crate::repo::workflows::Spanned<String>>, scope: &dyn Scope) -> bool {
    cond.is_none_or(|c| expr::eval_condition(&c.value, scope).truthy() != Some(false))
}

/// Does `job` (of `wf`) deploy in `scope`: can it run, and does it have an environment or a deploy step
/// that can run?
pub fn job_deploys(wf: &Workflow, job: &Job, scope: &dyn Scope, all: &RepoFiles) -> Option<Deploy> {
    job_deploys_at(wf, job, scope, all, 0)
}

/// Can `job` run in `scope`: its `if:` may be true and the jobs it needs may run. A status function in
/// the condition (`always()`, `failure()`, …) lets it run after skipped dependencies too.
pub fn job_may_run(wf: &Workflow, job: &Job, scope: &dyn Scope) -> bool {
    job_may_run_at(wf, job, scope, 0)
}

fn job_may_run_at(wf: &Workflow, job: &Job, scope: &dyn Scope, depth: u8) -> bool {
    // The `if:` sees the outputs of the jobs it needs, as far as the file fixes them (a gate job's
    // `deploy=false` for an unmerged pull request).
    if !may_run(job.cond.as_ref(), &with_needs(wf, job, scope)) {
        return false;
    }
    let status_override = job.cond.as_ref().is_some_and(|c| {
        let c = c.value.to_ascii_lowercase();
        ["always()", "failure()", "cancelled()"]
            .iter()
            .any(|f| c.contains(f))
    });
    status_override
        || depth > 16
        || job.needs.iter().all(|n| {
            wf.jobs
                .iter()
                .find(|j| &j.id.value == n)
                .is_none_or(|j| job_may_run_at(wf, j, scope, depth + 1))
        })
}

fn job_deploys_at(
    wf: &Workflow,
    job: &Job,
    scope: &dyn Scope,
    all: &RepoFiles,
    depth: u8,
) -> Option<Deploy> {
    // A job is judged by where it deploys: each matrix combination, and each choice of a manual run of
    // this workflow, is a run of its own; the job is as dangerous as its most dangerous run.
    let dispatch = depth == 0
        && matches!(scope.lookup("github.event_name"), Val::Str(e) if e == "workflow_dispatch");
    let runs = bindings(wf, job, dispatch);
    most_dangerous(
        runs.iter().filter_map(|values| {
            let bound = Bound {
                inner: scope,
                values,
            };
            job_deploys_bound(wf, job, &bound, all, depth)
        }),
        Deploy::danger,
    )
}

fn job_deploys_bound(
    wf: &Workflow,
    job: &Job,
    scope: &dyn Scope,
    all: &RepoFiles,
    depth: u8,
) -> Option<Deploy> {
    if !job_may_run(wf, job, scope) {
        return None;
    }
    // An environment whose name evaluates to '' is no environment (`name: ${{ cond && 'release' || '' }}`);
    // one named by a job it needs (`${{ needs.setup.outputs.environment }}`) is what that job's outputs fix.
    let own_environment = job
        .environment
        .as_ref()
        .map(|e| environment_name(&e.value, &with_needs(wf, job, scope)))
        .filter(|e| !e.is_empty());
    if let Some(uses) = &job.uses {
        return called_deploy(job, &uses.value, scope, all, depth).map(|mut d| {
            d.pos = uses.pos;
            d
        });
    }
    let local = local_cluster(job);
    // A job is judged by its most dangerous step: `docker push` then `cf push` is a deploy.
    let step = most_dangerous(
        job.steps
            .iter()
            .filter(|s| may_run(s.cond.as_ref(), scope))
            .filter_map(|s| step_deploys(wf, job, s, scope, local, job.credentials)),
        step_danger,
    );
    // No environment of its own: the approval of a job it needs gates it, unless its `if:` runs it anyway.
    let (environment, gated_by, bypass) = match own_environment.clone() {
        Some(e) => (Some(e), None, None),
        None => match approval(wf, job, scope) {
            Some((approver, env)) => match runs_after_rejection(wf, job, approver, scope) {
                Some(cond) => (
                    None,
                    None,
                    Some(Bypass {
                        approval: approver.id.value.clone(),
                        environment: env,
                        cond,
                    }),
                ),
                None => (Some(env), Some(approver.id.value.clone()), None),
            },
            None => (None, None, None),
        },
    };
    // Where the deploy goes, as far as an environment says: its own, or the approval's it needs (also
    // when its `if:` skips past that approval: a rejected QA approval still ships only to QA).
    let preview_env = environment
        .as_deref()
        .or(bypass.as_ref().map(|b| b.environment.as_str()))
        .is_some_and(is_nonprod_environment);
    match step {
        Some(step) => {
            // An image tagged per pull request, or built for a review app, is a build for that review
            // app: it previews unmerged code, like a preview environment.
            let review_app = step.image && review_app_image(wf, job);
            // A stack started for a run's tests and torn down again is no production deploy.
            let ephemeral = !step.image && ephemeral_stack(wf, job, step.program.as_deref());
            let what = if review_app {
                format!(
                    "{}, an image for a pull-request review app: a build, not a production deploy",
                    step.what
                )
            } else if ephemeral {
                format!(
                    "{}, an ephemeral stack (torn down by the job, or named for the pull request): not a production deploy",
                    step.what
                )
            } else {
                step.what
            };
            Some(Deploy {
                what,
                pos: step.pos,
                preview: step.preview || preview_env || review_app || ephemeral,
                branch_tagged: step.image && branch_tagged_image(wf, job),
                image: step.image,
                environment,
                gated_by,
                bypass,
            })
        }
        None => match (&job.environment, own_environment) {
            (Some(env), Some(name)) => Some(Deploy {
                what: if env.value.trim() == name {
                    format!("uses environment `{name}`")
                } else {
                    format!("uses environment `{}`, that is `{name}`", env.value.trim())
                },
                pos: env.pos,
                preview: is_nonprod_environment(&name),
                image: false,
                branch_tagged: false,
                environment: Some(name),
                gated_by: None,
                bypass: None,
            }),
            _ => None,
        },
    }
}

/// `scope` for `job` with the outputs of the jobs it needs that the file fixes.
fn with_needs<'a>(wf: &'a Workflow, job: &'a Job, scope: &'a dyn Scope) -> WithNeeds<'a> {
    WithNeeds {
        wf,
        job,
        inner: scope,
        depth: 0,
    }
}

fn step_danger(s: &StepDeploy) -> u8 {
    match (s.preview, s.image) {
        (true, _) => 0,
        (false, true) => 1,
        (false, false) => 2,
    }
}

/// The nearest job `job` needs, directly or through other jobs, that waits for an environment (an
/// approval job such as `approve: environment: ${{ inputs.environment }}`), and that environment's name.
fn approval<'w>(wf: &'w Workflow, job: &Job, scope: &dyn Scope) -> Option<(&'w Job, String)> {
    let mut queue: std::collections::VecDeque<&str> =
        job.needs.iter().map(String::as_str).collect();
    let mut seen: Vec<&str> = Vec::new();
    while let Some(id) = queue.pop_front() {
        if seen.contains(&id) || seen.len() > 64 {
            continue;
        }
        seen.push(id);
        let Some(needed) = wf.jobs.iter().find(|j| j.id.value == id) else {
            continue;
        };
        let env = needed
            .environment
            .as_ref()
            .map(|e| environment_name(&e.value, &with_needs(wf, needed, scope)))
            .filter(|e| !e.is_empty());
        if let Some(env) = env {
            if may_run(needed.cond.as_ref(), scope) {
                return Some((needed, env));
            }
        }
        queue.extend(needed.needs.iter().map(String::as_str));
    }
    None
}

/// The scope of a job's `if:` when `approver` was rejected: the status functions see a failed
/// dependency, `needs.<approver>.result` is `failure`, the jobs between are `skipped`, and their outputs
/// are empty.
struct AfterRejection<'a> {
    inner: &'a dyn Scope,
    approver: &'a str,
    between: Vec<&'a str>,
}

impl Scope for AfterRejection<'_> {
    fn lookup(&self, path: &str) -> Val {
        if let Some(rest) = path.strip_prefix("needs.") {
            let (id, field) = rest.split_once('.').unwrap_or((rest, ""));
            let rejected = id == self.approver;
            if rejected || self.between.contains(&id) {
                return match field {
                    "result" if rejected => Val::Str("failure".into()),
                    "result" => Val::Str("skipped".into()),
                    _ => Val::Null,
                };
            }
        }
        self.inner.lookup(path)
    }
    fn needs_failed(&self) -> Option<bool> {
        Some(true)
    }
}

/// Does `job`'s `if:` let it run although `approver` (a job it needs) was rejected (`always()`,
/// `!cancelled()`, `failure()`)? The condition, if so.
fn runs_after_rejection(
    wf: &Workflow,
    job: &Job,
    approver: &Job,
    scope: &dyn Scope,
) -> Option<crate::repo::workflows::Spanned<String>> {
    let cond = job.cond.as_ref()?;
    let between: Vec<&str> = wf
        .jobs
        .iter()
        .filter(|j| needs_transitively(wf, j, &approver.id.value, 0))
        .map(|j| j.id.value.as_str())
        .collect();
    let after = AfterRejection {
        inner: scope,
        approver: &approver.id.value,
        between,
    };
    (expr::eval_condition(&cond.value, &after).truthy() != Some(false)).then(|| cond.clone())
}

fn needs_transitively(wf: &Workflow, job: &Job, target: &str, depth: u8) -> bool {
    depth < 16
        && job.needs.iter().any(|n| {
            n == target
                || wf
                    .jobs
                    .iter()
                    .find(|j| &j.id.value == n)
                    .is_some_and(|j| needs_transitively(wf, j, target, depth + 1))
        })
}

/// A deploy to a stack that exists only for the run or the pull request: the workflow tears it down again
/// with the deploying program's own teardown (`terraform destroy`, `helm uninstall`, `cf delete`, `aws ecs
/// stop-task` after the ECS action), or the job names it for the pull request
/// (`pr-${{ github.event.number }}`) on the deploy command's line.
fn ephemeral_stack(wf: &Workflow, job: &Job, program: Option<&str>) -> bool {
    // The teardown must be the deploying program's own (`terraform apply` … `terraform destroy`): a
    // teardown of something else says nothing about what was deployed.
    const TEARDOWN: &[(&str, &str)] = &[
        ("terraform", "terraform destroy"),
        ("tofu", "tofu destroy"),
        ("terragrunt", "terragrunt destroy"),
        ("pulumi", "pulumi destroy"),
        ("pulumi", "pulumi down"),
        ("helm", "helm uninstall"),
        ("helm", "helm delete"),
        ("kubectl", "kubectl delete namespace"),
        ("kubectl", "kubectl delete ns"),
        ("cf", "cf delete"),
        ("cdk", "cdk destroy"),
        ("sls", "sls remove"),
        ("serverless", "serverless remove"),
        ("fly", "fly apps destroy"),
        ("flyctl", "flyctl apps destroy"),
        ("az", "az group delete"),
        ("ecs", "aws ecs stop-task"),
        ("ecs", "aws ecs delete-service"),
    ];
    let Some(program) = program else {
        return false;
    };
    // Torn down by this job, or by another job of the workflow (a clean-up job after the tests).
    let torn_down = wf.jobs.iter().flat_map(|j| &j.steps).any(|s| {
        s.run.as_ref().is_some_and(|r| {
            let run = r.value.to_ascii_lowercase();
            TEARDOWN
                .iter()
                .any(|(p, t)| *p == program && run.contains(t))
        })
    });
    let named_for_pr = job.steps.iter().any(|s| {
        s.run.as_ref().is_some_and(|r| {
            r.value.lines().any(|l| {
                let compact: String = l.to_ascii_lowercase().split_whitespace().collect();
                PER_PR_TARGET.iter().any(|m| compact.contains(m))
                    && super::deploy_steps::is_deploy_line(l)
            })
        })
    });
    torn_down || named_for_pr
}

/// Markers of a name derived from the pull request.
const PER_PR_TARGET: &[&str] = &[
    "github.event.number",
    "github.event.pull_request.number",
    "pr_number",
    "pr-${{",
    "pr_${{",
    "pr-$",
];

/// Does `job` push its image for a pull request's review app? The tag (or anything else in the job) is
/// derived from the pull request (`pr-${{ github.event.number }}`, `github.head_ref`), or the job or the
/// workflow is named for a review or preview app.
fn review_app_image(wf: &Workflow, job: &Job) -> bool {
    const PER_PR: &[&str] = &[
        "github.event.number",
        "github.event.pull_request.number",
        "github.event.pull_request.head.sha",
        "github.event.pull_request.head.ref",
        "github.head_ref",
        "pr-${{",
        "pr_${{",
        "pr-$",
        "review-app",
        "review_app",
        "reviewapp",
    ];
    let text: String = job_text(wf, job)
        .to_ascii_lowercase()
        .split_whitespace()
        .collect();
    let named = |n: &str| {
        n.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|t| t.starts_with("review") || t.starts_with("preview"))
    };
    PER_PR.iter().any(|m| text.contains(m))
        || named(&job.id.value)
        || job.name.as_deref().is_some_and(named)
        || wf.name.as_deref().is_some_and(named)
}

/// Is every image `job` pushes tagged for the branch it was built from? The tag is derived from the
/// branch name, and nothing in the job names a moving tag (`latest`, `production`, `stable`).
fn branch_tagged_image(wf: &Workflow, job: &Job) -> bool {
    const BRANCH_NAMES: &[&str] = &[
        "github_ref_name",
        "github.ref_name",
        "github_head_ref",
        "github.head_ref",
    ];
    const MOVING_TAGS: &[&str] = &["latest", "production", "prod", "stable", "live"];
    let text = job_text(wf, job).to_ascii_lowercase();
    // A moving tag follows the image name's `:` (`web:latest`) or a metadata action's `value=latest`;
    // `runs-on: ubuntu-latest` is no tag.
    let moving = text.match_indices([':', '=']).any(|(at, _)| {
        let rest = &text[at + 1..];
        MOVING_TAGS.iter().any(|t| {
            rest.starts_with(t)
                && rest[t.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
        })
    });
    BRANCH_NAMES.iter().any(|m| text.contains(m)) && !moving
}

/// A job calling a reusable workflow in this repository deploys if a job of the called workflow does
/// (evaluated in the caller's scenario: the `github` context is the caller's, the `inputs` the caller's
/// `with:`).
fn called_deploy(
    caller: &Job,
    uses: &str,
    scope: &dyn Scope,
    all: &RepoFiles,
    depth: u8,
) -> Option<Deploy> {
    let path = uses.strip_prefix("./")?;
    if depth > 3 {
        return None;
    }
    most_dangerous(
        all.workflows().filter(|w| w.path == path).flat_map(|w| {
            let inputs: Vec<Input> = w
                .triggers
                .iter()
                .filter(|t| t.event.value == "workflow_call")
                .flat_map(|t| t.inputs.iter().cloned())
                .collect();
            let inner = Called {
                caller: scope,
                with: &caller.with,
                inputs: &inputs,
            };
            w.jobs
                .iter()
                .filter_map(|j| {
                    job_deploys_at(w, j, &inner, all, depth + 1).map(|mut d| {
                        d.what = format!("calls {path}, whose job `{}` {}", j.id.value, d.what);
                        // An `if:` that skips past an approval is reported where it is written.
                        d.bypass = None;
                        d
                    })
                })
                .collect::<Vec<_>>()
        }),
        Deploy::danger,
    )
}

/// Environments and branches that are not production by name (the one list, in `repo::environments`).
pub use crate::repo::environments::is_nonprod_environment;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witnesses_match_their_patterns() {
        assert_eq!(witness("main"), "main");
        assert_eq!(witness("release/**"), "release/x/y");
        assert_eq!(witness("v[0-9]*"), "v0x");
        assert_eq!(witness("**"), "x/y");
    }

    #[test]
    fn nonprod_environments() {
        for n in ["staging", "pr-preview", "Preview", "dev", "qa-eu"] {
            assert!(is_nonprod_environment(n), "{n}");
        }
        for n in [
            "production",
            "prod",
            "live",
            "github-pages",
            "pypi",
            "release",
            ANY_BRANCH,
        ] {
            assert!(!is_nonprod_environment(n), "{n}");
        }
    }
}
