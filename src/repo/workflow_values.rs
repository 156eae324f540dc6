//! The values a workflow run may see that the file itself fixes: one combination of a job's
//! `strategy.matrix`, one option of a manual run's choice input, a reusable workflow's `inputs` taken from
//! its caller's `with:`. A deploy is judged by where it deploys: `environment: ${{ matrix.environment }}`
//! under `matrix: environment: [qa, test]` deploys to qa and to test, never to production.

use crate::repo::expr::{self, Scope, Val};
use crate::repo::step_outputs;
use crate::repo::workflows::{Input, Job, Spanned, Step, Workflow};

/// Beyond this many combinations the remaining keys stay unknown: a hostile matrix must not multiply the
/// work (and an unknown value is judged as possibly production, so nothing passes because of the cap).
const MAX_BINDINGS: usize = 64;

/// One binding: lower-case context paths (`matrix.environment`, `inputs.environment`) and their values.
pub type Binding = Vec<(String, String)>;

/// A scope with some values bound, asking `inner` for everything else.
pub struct Bound<'a> {
    pub inner: &'a dyn Scope,
    pub values: &'a [(String, String)],
}

impl Scope for Bound<'_> {
    fn lookup(&self, path: &str) -> Val {
        // `github.event.inputs.x` is the manual run's `inputs.x`.
        let key = path
            .strip_prefix("github.event.")
            .filter(|p| p.starts_with("inputs."))
            .unwrap_or(path);
        match self.values.iter().find(|(k, _)| k == key) {
            Some((_, v)) => Val::Str(v.clone()),
            None => self.inner.lookup(path),
        }
    }
    fn needs_failed(&self) -> Option<bool> {
        self.inner.needs_failed()
    }
}

/// The scope inside a reusable workflow: the caller's `github` context, and `inputs` from the caller's
/// `with:` (evaluated in the caller's scope, so `${{ matrix.environment }}` takes the caller's matrix
/// value), else the input's `default`, else unknown.
pub struct Called<'a> {
    pub caller: &'a dyn Scope,
    pub with: &'a [(String, Spanned<String>)],
    pub inputs: &'a [Input],
}

impl Scope for Called<'_> {
    fn lookup(&self, path: &str) -> Val {
        let Some(name) = path.strip_prefix("inputs.") else {
            return self.caller.lookup(path);
        };
        let given = self
            .with
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.value.as_str());
        let default = || {
            self.inputs
                .iter()
                .find(|i| i.name.eq_ignore_ascii_case(name))
                .and_then(|i| i.default.as_deref())
        };
        match given.or_else(default) {
            Some(v) => expr::eval_value(v, self.caller),
            None => Val::Unknown,
        }
    }
    fn needs_failed(&self) -> Option<bool> {
        self.caller.needs_failed()
    }
}

/// A literal value of `env.<name>` in `step` of `job` (or in the job when `step` is None): the step's
/// `env:`, else the job's, else the workflow's, as GitHub layers them. None when the value is an
/// expression, or when a step of the job may rewrite the variable (`echo "NAME=…" >> $GITHUB_ENV`):
/// then the file does not fix it.
pub fn env_literal(wf: &Workflow, job: &Job, step: Option<&Step>, name: &str) -> Option<String> {
    let find = |vars: &[(String, String)]| {
        vars.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let value = step
        .and_then(|s| find(&s.env))
        .or_else(|| find(&job.env))
        .or_else(|| find(&wf.env))?;
    let rewritten = job.steps.iter().filter_map(|s| s.run.as_ref()).any(|r| {
        let text = r.value.to_ascii_lowercase();
        text.contains("github_env") && text.contains(&format!("{}=", name.to_ascii_lowercase()))
    });
    (!value.contains("${{") && !rewritten).then_some(value)
}

/// The scope of `job` with what its file fixes: `needs.<id>.outputs.<name>` of a job it needs, when that
/// job's `outputs:` sets it from literals (`outputs: environment: ${{ env.environment }}` under a
/// workflow `env: environment: qa`), or from a step whose script fixes it in this scope
/// (`echo "deploy=false" >> $GITHUB_OUTPUT` on every path an unmerged pull request can take).
pub struct WithNeeds<'a> {
    pub wf: &'a Workflow,
    pub job: &'a Job,
    pub inner: &'a dyn Scope,
    /// How many `needs` hops were followed to get here (a cycle or a long chain stops, unknown).
    pub depth: u8,
}

/// The scope of a needed job's `outputs:`: its `env` context, its steps' outputs as far as their scripts
/// fix them (see `step_outputs`), and its own `needs`.
struct OutputScope<'a> {
    needed: WithNeeds<'a>,
}

impl Scope for OutputScope<'_> {
    fn lookup(&self, path: &str) -> Val {
        if let Some((id, name)) = path
            .strip_prefix("steps.")
            .and_then(|rest| rest.split_once(".outputs."))
        {
            return step_outputs::step_output(self.needed.job, id, name, &self.needed);
        }
        match path.strip_prefix("env.") {
            Some(name) => env_literal(self.needed.wf, self.needed.job, None, name)
                .map_or(Val::Unknown, Val::Str),
            None => self.needed.lookup(path),
        }
    }
}

impl Scope for WithNeeds<'_> {
    fn lookup(&self, path: &str) -> Val {
        let Some((id, output)) = path
            .strip_prefix("needs.")
            .and_then(|rest| rest.split_once(".outputs."))
        else {
            return self.inner.lookup(path);
        };
        if self.depth > 8 {
            return self.inner.lookup(path);
        }
        // The `needs` context holds only the jobs the job lists: any other job's outputs are null.
        if !self.job.needs.iter().any(|n| n.eq_ignore_ascii_case(id)) {
            return Val::Null;
        }
        let Some(needed) = self
            .wf
            .jobs
            .iter()
            .find(|j| j.id.value.eq_ignore_ascii_case(id))
        else {
            return self.inner.lookup(path);
        };
        let Some((_, raw)) = needed
            .outputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(output))
        else {
            return self.inner.lookup(path);
        };
        let scope = OutputScope {
            needed: WithNeeds {
                wf: self.wf,
                job: needed,
                inner: self.inner,
                depth: self.depth + 1,
            },
        };
        match expr::eval_value(raw, &scope) {
            Val::Str(s) => Val::Str(s),
            _ => self.inner.lookup(path),
        }
    }
    fn needs_failed(&self) -> Option<bool> {
        self.inner.needs_failed()
    }
}

/// The text of `job`: from its key to the next job's key (or the end of the file).
pub fn job_text<'w>(wf: &'w Workflow, job: &Job) -> &'w str {
    let start = job.id.pos.start;
    let end = wf
        .jobs
        .iter()
        .map(|j| j.id.pos.start)
        .filter(|s| *s > start)
        .min()
        .unwrap_or(wf.text.len());
    wf.text.get(start..end).unwrap_or("")
}

/// The bindings a run of `job` may see: the combinations of the matrix keys the job mentions and, for a
/// manual run of the workflow itself (`dispatch`), each option of the choice inputs it mentions. One
/// empty binding when there are none.
pub fn bindings(wf: &Workflow, job: &Job, dispatch: bool) -> Vec<Binding> {
    let text = job_text(wf, job).to_ascii_lowercase();
    let mentions = |path: &str| text.contains(path);
    let mut axes: Vec<(String, &[String])> = Vec::new();
    // A matrix partly built by an expression may hold any value: nothing of it is bound.
    if let Some(m) = job.matrix.as_ref().filter(|m| !m.dynamic) {
        for (k, values) in &m.keys {
            let path = format!("matrix.{}", k.to_ascii_lowercase());
            if mentions(&path) {
                axes.push((path, values));
            }
        }
    }
    if dispatch {
        // A manual run's inputs are the whole run's: the job, or a job it needs (an approval job waiting
        // for `environment: ${{ inputs.environment }}`), may use them.
        let mut texts = vec![text.clone()];
        let mut queue: Vec<&str> = job.needs.iter().map(String::as_str).collect();
        let mut seen: Vec<&str> = Vec::new();
        while let Some(id) = queue.pop() {
            if seen.contains(&id) || seen.len() > 64 {
                continue;
            }
            seen.push(id);
            if let Some(needed) = wf.jobs.iter().find(|j| j.id.value == id) {
                texts.push(job_text(wf, needed).to_ascii_lowercase());
                queue.extend(needed.needs.iter().map(String::as_str));
            }
        }
        let choices = wf
            .triggers
            .iter()
            .filter(|t| t.event.value == "workflow_dispatch")
            .flat_map(|t| &t.inputs)
            .filter(|i| !i.options.is_empty());
        for i in choices {
            let path = format!("inputs.{}", i.name.to_ascii_lowercase());
            if texts.iter().any(|t| t.contains(&path)) {
                axes.push((path, &i.options));
            }
        }
    }
    let mut out: Vec<Binding> = vec![Vec::new()];
    for (path, values) in axes {
        if out.len() * values.len() > MAX_BINDINGS {
            continue;
        }
        out = out
            .iter()
            .flat_map(|b| {
                values.iter().map(|v| {
                    let mut b = b.clone();
                    b.push((path.clone(), v.clone()));
                    b
                })
            })
            .collect();
    }
    out
}

/// A job's environment name in `scope`: an expression is evaluated, and text around expressions
/// (`review-${{ inputs.env }}`) is filled in when every expression has a value; otherwise the raw text.
pub fn environment_name(raw: &str, scope: &dyn Scope) -> String {
    match expr::eval_value(raw, scope) {
        Val::Str(s) => s,
        // GitHub renders null as '': no environment.
        Val::Null => String::new(),
        Val::Unknown if raw.contains("${{") => {
            interpolate(raw, scope).unwrap_or_else(|| raw.into())
        }
        _ => raw.to_string(),
    }
}

fn interpolate(raw: &str, scope: &dyn Scope) -> Option<String> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(open) = rest.find("${{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 3..];
        let close = after.find("}}")?;
        match expr::eval(&after[..close], scope) {
            Val::Str(s) => out.push_str(&s),
            Val::Num(n) => out.push_str(&n.to_string()),
            Val::Bool(b) => out.push_str(&b.to_string()),
            _ => return None,
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Some(out.trim().to_string())
}

/// Where a job may deploy, as far as its environments say.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Targets {
    /// Every environment name a run may use (evaluated; deduplicated).
    pub names: Vec<String>,
    /// Some run's environment could not be evaluated (`${{ inputs.env }}` with no value in the file).
    pub unknown: bool,
}

/// The environments `job` may deploy to across its bindings, following a call into a reusable workflow
/// of this repository (`uses: ./.github/workflows/x.yml`) with the caller's `with:`.
pub fn job_environments(wf: &Workflow, job: &Job, all: &[&Workflow], scope: &dyn Scope) -> Targets {
    let mut out = Targets::default();
    collect_environments(wf, job, all, scope, 0, &mut out);
    out
}

fn collect_environments(
    wf: &Workflow,
    job: &Job,
    all: &[&Workflow],
    scope: &dyn Scope,
    depth: u8,
    out: &mut Targets,
) {
    for values in bindings(wf, job, false) {
        let bound = Bound {
            inner: scope,
            values: &values,
        };
        if let Some(env) = &job.environment {
            let name = environment_name(&env.value, &bound);
            if name.contains("${{") {
                out.unknown = true;
            } else if !name.is_empty() && !out.names.contains(&name) {
                out.names.push(name);
            }
        }
        let Some(path) = job.uses.as_ref().and_then(|u| u.value.strip_prefix("./")) else {
            continue;
        };
        if depth > 3 {
            out.unknown = true;
            continue;
        }
        for callee in all.iter().filter(|w| w.path == path) {
            let inputs: Vec<Input> = callee
                .triggers
                .iter()
                .filter(|t| t.event.value == "workflow_call")
                .flat_map(|t| t.inputs.iter().cloned())
                .collect();
            let called = Called {
                caller: &bound,
                with: &job.with,
                inputs: &inputs,
            };
            for inner in &callee.jobs {
                collect_environments(callee, inner, all, &called, depth + 1, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::workflows::parse;

    struct Nothing;
    impl Scope for Nothing {
        fn lookup(&self, _: &str) -> Val {
            Val::Unknown
        }
    }

    fn docs(path: &str, text: &str) -> Vec<Workflow> {
        parse(path, text).unwrap_or_default()
    }

    #[test]
    fn a_matrix_of_environments_through_a_reusable_workflow() {
        let caller = docs(
            ".github/workflows/cd.yml",
            "on: push\njobs:\n  deploy:\n    strategy:\n      matrix:\n        environment: [qa, test]\n        include:\n          - environment: uat\n    uses: ./.github/workflows/deploy.yml\n    with:\n      environment: ${{ matrix.environment }}\n",
        );
        let callee = docs(
            ".github/workflows/deploy.yml",
            "on:\n  workflow_call:\n    inputs:\n      environment: {type: string}\njobs:\n  ship:\n    environment: ${{ inputs.environment }}\n    steps: []\n",
        );
        let all: Vec<&Workflow> = caller.iter().chain(&callee).collect();
        let t = job_environments(&caller[0], &caller[0].jobs[0], &all, &Nothing);
        assert_eq!(t.names, vec!["qa", "test", "uat"]);
        assert!(!t.unknown);
        // Without the matrix the input has no value in the file: unknown, never assumed safe.
        let unbound = docs(
            ".github/workflows/cd.yml",
            "on: push\njobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    with:\n      environment: ${{ vars.TARGET }}\n",
        );
        let all: Vec<&Workflow> = unbound.iter().chain(&callee).collect();
        let t = job_environments(&unbound[0], &unbound[0].jobs[0], &all, &Nothing);
        assert!(t.unknown && t.names.is_empty(), "{t:?}");
    }

    #[test]
    fn dispatch_choices_and_interpolation() {
        let wf = docs(
            "w.yml",
            "on:\n  workflow_dispatch:\n    inputs:\n      env:\n        type: choice\n        options: [dev, production]\njobs:\n  d:\n    environment: app-${{ inputs.env }}\n    steps: []\n",
        );
        let (wf, job) = (&wf[0], &wf[0].jobs[0]);
        let names: Vec<String> = bindings(wf, job, true)
            .iter()
            .map(|b| {
                environment_name(
                    &job.environment
                        .as_ref()
                        .map(|e| e.value.clone())
                        .unwrap_or_default(),
                    &Bound {
                        inner: &Nothing,
                        values: b,
                    },
                )
            })
            .collect();
        assert_eq!(names, vec!["app-dev", "app-production"]);
        assert_eq!(bindings(wf, job, false), vec![Vec::new()]);
    }

    #[test]
    fn a_huge_matrix_is_capped() {
        let values: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let text = format!(
            "on: push\njobs:\n  d:\n    strategy:\n      matrix:\n        a: [{v}]\n        b: [{v}]\n    environment: ${{{{ matrix.a }}}}-${{{{ matrix.b }}}}\n    steps: []\n",
            v = values.join(", ")
        );
        let wf = docs("w.yml", &text);
        assert!(bindings(&wf[0], &wf[0].jobs[0], false).len() <= MAX_BINDINGS);
    }
}
