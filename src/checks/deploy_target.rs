//! Where a deploy step deploys, as far as the file names it: the app, space, resource group, namespace or
//! parameters file a deploy action is given, or the arguments of a deploy command and the commands of the
//! same step that choose its target (`cf target -s staging`). A deploy is judged by where it deploys:
//! `app-name: app-shop-dev` is a development deploy whatever the workflow is called, and
//! `app-name: app-shop-prod` a production one even in a workflow named `dev-deploy`. The workflow's name
//! and file name are never read: they say nothing of where the deploy lands.

use super::deploy_steps::split_args;
use crate::repo::environments::{self, Tier};
use crate::repo::workflow_values::env_literal;
use crate::repo::workflows::{Job, Step, Workflow};

/// Inputs of deploy actions that name the target, lower-case without `-` and `_` (`app-name`,
/// `resourceGroupName`, `parameters` of `azure/arm-deploy`). A slot is not one: a `staging` slot of the
/// production app is swapped into production.
const TARGET_INPUTS: &[&str] = &[
    "appname",
    "resourcegroup",
    "resourcegroupname",
    "parameters",
    "namespace",
    "space",
    "cfspace",
    "clustername",
    "cluster",
    "functionname",
    "servicename",
    "stackname",
];

/// Commands of a step that choose where the step's deploy goes.
const TARGETING: &[&str] = &[
    "cf target",
    "az account set",
    "az configure --defaults",
    "kubectl config use-context",
];

/// Words of a file's name that say what kind of file it is, not which environment it is for.
const FILE_WORDS: &[&str] = &[
    "json",
    "yaml",
    "yml",
    "parameters",
    "params",
    "tfvars",
    "bicepparam",
    "values",
    "manifest",
    "sh",
];

/// Words that cannot name a remote target (a deploy never goes to "local"): there they are a product's
/// own words (`local-authority-portal`).
const NOT_TARGETS: &[&str] = &["local", "localdev"];

/// The tier the target of `step` (of `job`) is named for: `command` is the deploy command's line for a
/// `run:` step, None for an action. Non-production only when some value names a non-production
/// environment at its start or end (`app-shop-dev`, `dev.parameters.json`, a `research` space), none
/// names production anywhere, and none is chosen per run (`${{ inputs.app }}`, a variable set from an
/// expression): a target the file does not fix could be production.
pub(super) fn target_tier(
    wf: &Workflow,
    job: &Job,
    step: &Step,
    command: Option<&str>,
) -> Option<Tier> {
    let mut tokens: Vec<String> = Vec::new();
    match command {
        None => {
            for (k, v) in &step.with {
                let key: String = k
                    .to_ascii_lowercase()
                    .chars()
                    .filter(|c| *c != '-' && *c != '_')
                    .collect();
                if TARGET_INPUTS.contains(&key.as_str()) {
                    tokens.extend(split_args(&v.value));
                }
            }
        }
        Some(line) => {
            tokens.extend(split_args(line));
            let script = step.run.as_ref().map(|r| r.value.as_str()).unwrap_or("");
            for l in script.lines().map(str::trim) {
                let lower = l.to_ascii_lowercase();
                if TARGETING.iter().any(|t| lower.starts_with(t)) {
                    tokens.extend(split_args(l));
                }
            }
        }
    }
    let mut nonprod: Option<Tier> = None;
    for token in tokens {
        // `--space=research`: the option's value. Other options are flags, and a `key=value` argument
        // (`-var stack=e2e`, a parameter override) sets a value inside the deploy, not where it goes.
        let value = match token.split_once('=') {
            Some((_, v)) if token.starts_with('-') => v.to_string(),
            Some(_) => continue,
            None if token.starts_with('-') => continue,
            None => token,
        };
        let value = match resolve(&value, wf, job, step) {
            Resolved::Value(v) => v,
            Resolved::Ignore => continue,
            Resolved::PerRun => return None,
        };
        let lower = value.to_ascii_lowercase();
        let all_words = lower.split(|c: char| !c.is_ascii_alphanumeric());
        if all_words
            .clone()
            .any(|w| environments::tier_of_environment_word(w) == Some(Tier::Production))
        {
            return Some(Tier::Production);
        }
        // The name's own words: its last path segment, without the words that say what kind of file it is.
        let last = lower.rsplit('/').next().unwrap_or("");
        let words: Vec<&str> = last
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty() && !FILE_WORDS.contains(w))
            .collect();
        let affixes = [words.first(), words.last()];
        for w in affixes.into_iter().flatten() {
            if NOT_TARGETS.contains(w) {
                continue;
            }
            if let Some(t @ (Tier::NonProduction | Tier::PreProduction)) =
                environments::tier_of_environment_word(w)
            {
                nonprod = Some(t);
            }
        }
    }
    nonprod
}

enum Resolved {
    Value(String),
    /// A credential or a runner's own variable (`$GITHUB_WORKSPACE`): says nothing of the target.
    Ignore,
    /// Chosen when the workflow runs (an input, a variable, a matrix value, a value a step computes).
    PerRun,
}

/// `value` with `${{ env.X }}`, `$X` and `${X}` replaced by the literal values the file gives them.
fn resolve(value: &str, wf: &Workflow, job: &Job, step: &Step) -> Resolved {
    if value.to_ascii_lowercase().contains("secrets.") {
        return Resolved::Ignore;
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(open) = rest.find("${{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 3..];
        let Some(close) = after.find("}}") else {
            return Resolved::PerRun;
        };
        let inner = after[..close].trim().to_ascii_lowercase();
        match inner.strip_prefix("env.") {
            Some(name) => match variable(wf, job, step, name) {
                Some(Some(v)) => out.push_str(&v),
                _ => return Resolved::PerRun,
            },
            None if ["github.sha", "github.run_", "github.workspace", "runner."]
                .iter()
                .any(|p| inner.starts_with(p)) =>
            {
                return Resolved::Ignore
            }
            None => return Resolved::PerRun,
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    // Shell variables: `$SPACE`, `${SPACE}`.
    let mut shell = String::new();
    let mut chars = out.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            shell.push(c);
            continue;
        }
        let tail = &out[i + 1..];
        let braced = tail.starts_with('{');
        let name: String = tail
            .trim_start_matches('{')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            return Resolved::PerRun;
        }
        let skip = name.len() + usize::from(braced) * 2;
        for _ in 0..skip {
            chars.next();
        }
        match variable(wf, job, step, &name) {
            Some(Some(v)) => shell.push_str(&v),
            Some(None) => return Resolved::PerRun,
            None => return Resolved::Ignore,
        }
    }
    Resolved::Value(shell)
}

/// A variable of the step's environment: Some(Some(value)) when the file gives it a literal value,
/// Some(None) when the file sets it some other way (an expression, a write to `$GITHUB_ENV`), None when
/// the file never sets it (the runner's own, such as `GITHUB_WORKSPACE`).
fn variable(wf: &Workflow, job: &Job, step: &Step, name: &str) -> Option<Option<String>> {
    if let Some(v) = env_literal(wf, job, Some(step), name) {
        return Some(Some(v));
    }
    let defined = [&step.env, &job.env, &wf.env]
        .iter()
        .any(|vars| vars.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)));
    let written = job.steps.iter().filter_map(|s| s.run.as_ref()).any(|r| {
        let text = r.value.to_ascii_lowercase();
        text.contains("github_env") && text.contains(&format!("{}=", name.to_ascii_lowercase()))
    });
    (defined || written).then_some(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::workflows::parse;

    fn tier(text: &str) -> Option<Tier> {
        let wf = parse("w.yml", text).unwrap_or_default().remove(0);
        let job = &wf.jobs[0];
        let step = job.steps.last()?;
        let line = step
            .run
            .as_ref()
            .and_then(|r| {
                r.value
                    .lines()
                    .find(|l| l.contains("deploy") || l.contains("push"))
            })
            .map(str::to_string);
        target_tier(&wf, job, step, line.as_deref())
    }

    #[test]
    fn targets_named_for_environments() {
        let app = |name: &str| {
            format!("on: push\nenv:\n  APP: {name}\njobs:\n  d:\n    steps:\n      - uses: azure/webapps-deploy@v2\n        with:\n          app-name: ${{{{ env.APP }}}}\n")
        };
        assert_eq!(tier(&app("app-shop-dev")), Some(Tier::NonProduction));
        assert_eq!(tier(&app("app-shop-preprod")), Some(Tier::PreProduction));
        assert_eq!(tier(&app("app-shop-prod")), Some(Tier::Production));
        assert_eq!(tier(&app("app-shop")), None);
        // `local` is a product's word in a target, never where a deploy goes.
        assert_eq!(tier(&app("local-authority-portal")), None);
        let cf = |space: &str| {
            format!("on: push\njobs:\n  d:\n    steps:\n      - env:\n          SPACE: {space}\n        run: |\n          cf target -o acme -s $SPACE\n          ./deploy.sh\n")
        };
        assert_eq!(tier(&cf("research")), Some(Tier::NonProduction));
        assert_eq!(tier(&cf("prod")), Some(Tier::Production));
        // Chosen per run: could be production.
        assert_eq!(tier(&cf("${{ inputs.space }}")), None);
        let params = "on: push\njobs:\n  d:\n    steps:\n      - uses: azure/arm-deploy@v1\n        with:\n          parameters: ./infra/stage.parameters.json key=${{ secrets.K }}\n";
        assert_eq!(tier(params), Some(Tier::PreProduction));
    }
}
