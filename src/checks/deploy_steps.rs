//! Which steps deploy: deploy and publish actions (with the inputs that make them deploy, or only preview),
//! and shell commands (`kubectl apply`, `terraform apply`, `docker push`, `npm publish`, `fly deploy`, …).
//! A command that could aim at something local counts only in a job that has credentials; one that only
//! ever reaches a hosting platform (`cf push`, `fly deploy`) counts wherever it runs; a throwaway cluster
//! makes cluster commands local.

use super::deploy_target::target_tier;
use crate::repo::environments::{self, Tier};
use crate::repo::expr::{self, Scope, Val};
use crate::repo::workflows::{Job, Pos, Step, Workflow};
use regex::Regex;
use std::sync::LazyLock;

/// A job that starts a throwaway cluster (kind, minikube, k3d) deploys to it, not to anything live.
pub(super) fn local_cluster(job: &Job) -> bool {
    job.steps.iter().any(|s| {
        let uses = s
            .uses
            .as_ref()
            .map(|u| action_name(&u.value))
            .unwrap_or_default();
        let run = s.run.as_ref().map(|r| r.value.as_str()).unwrap_or("");
        LOCAL_CLUSTER_ACTIONS.iter().any(|a| uses.starts_with(a))
            || LOCAL_CLUSTER_COMMANDS.iter().any(|c| run.contains(c))
    })
}

const LOCAL_CLUSTER_ACTIONS: &[&str] = &[
    "helm/kind-action",
    "engineerd/setup-kind",
    "medyagh/setup-minikube",
    "manusa/actions-setup-minikube",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
    "debianmaster/actions-k3s",
    "container-tools/kind-action",
];
const LOCAL_CLUSTER_COMMANDS: &[&str] = &[
    "kind create cluster",
    "minikube start",
    "k3d cluster create",
    "microk8s",
    "localstack",
    "tflocal",
];

/// `owner/repo[/path]` of a `uses:`, lower-case, without the `@ref`.
pub fn action_name(uses: &str) -> String {
    uses.split('@')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Actions that deploy or publish. Matched as prefixes of `owner/repo[/path]`.
const DEPLOY_ACTIONS: &[&str] = &[
    "azure/webapps-deploy",
    "azure/functions-action",
    "azure/k8s-deploy",
    "azure/static-web-apps-deploy",
    "azure/arm-deploy",
    "azure/container-apps-deploy-action",
    "aws-actions/amazon-ecs-deploy-task-definition",
    "aws-actions/aws-cloudformation-github-deploy",
    "google-github-actions/deploy-",
    "actions/deploy-pages",
    "peaceiris/actions-gh-pages",
    "jamesives/github-pages-deploy-action",
    "cloudflare/pages-action",
    "akhileshns/heroku-deploy",
    "pypa/gh-action-pypi-publish",
    "js-devtools/npm-publish",
    "helm/chart-releaser-action",
    "dflook/terraform-apply",
];

/// Is `name` (`owner/repo[/path]`, lower-case) an action that deploys what it is given whatever its
/// inputs (`azure/webapps-deploy`, `azure/functions-action`)? For the leak check's deploy archives.
pub(super) fn is_deploy_action(name: &str) -> bool {
    DEPLOY_ACTIONS.iter().any(|a| name.starts_with(a))
}

/// Actions and commands that publish a static site to GitHub Pages: a repository's documentation or
/// prototype pages, served by GitHub, never the service's own runtime.
const PAGES_ACTIONS: &[&str] = &[
    "actions/deploy-pages",
    "peaceiris/actions-gh-pages",
    "jamesives/github-pages-deploy-action",
];
const PAGES_COMMANDS: &[&str] = &[
    "mkdocs gh-deploy",
    "ghp-import",
    "gh-pages -d",
    "npx gh-pages",
];

/// What a deploy step does: its description, where it is, and whether its target is a preview
/// (a per-PR or per-branch deployment rather than the live one) or otherwise not production (a static
/// site on GitHub Pages, an image for a development environment).
pub(super) struct StepDeploy {
    pub what: String,
    pub pos: Pos,
    pub preview: bool,
    /// It pushes a container image to a registry: a build artefact, which reaches an environment only when
    /// something deploys that tag.
    pub image: bool,
    /// The deploy command's program, lower-case (`terraform`, `helm`, `cf`; `ecs` for the ECS deploy
    /// action), for matching its teardown.
    pub program: Option<String>,
}

/// Does this step deploy (in `scope`)? Deploy actions take their credentials as inputs; a deploy
/// *command* counts only in a job that has credentials at all.
pub(super) fn step_deploys(
    wf: &Workflow,
    job: &Job,
    step: &Step,
    scope: &dyn Scope,
    local_cluster: bool,
    credentials: bool,
) -> Option<StepDeploy> {
    if let Some(uses) = &step.uses {
        let name = action_name(&uses.value);
        let with = |k: &str| step.with(k).map(|v| v.value.to_ascii_lowercase());
        let on_pr = matches!(
            scope.lookup("github.event_name"),
            Val::Str(e) if e.starts_with("pull_request")
        );
        // (deploys, to a preview)
        let (deploys, preview) = match name.as_str() {
            "docker/build-push-action" => (
                step.with("push")
                    .is_some_and(|p| expr::eval_value(&p.value, scope).truthy() != Some(false)),
                false,
            ),
            "superfly/flyctl-actions" | "superfly/flyctl-actions/setup-flyctl" => {
                (with("args").is_some_and(|a| a.contains("deploy")), false)
            }
            "amondnet/vercel-action" => (
                with("vercel-args").is_some_and(|a| a.contains("--prod")),
                false,
            ),
            "nwtgck/actions-netlify" => (
                with("production-deploy").is_some_and(|p| p != "false"),
                false,
            ),
            "firebaseextended/action-hosting-deploy" => {
                (with("channelid").is_some_and(|c| c == "live"), false)
            }
            "cloudflare/wrangler-action" => {
                let command = with("command");
                (
                    command
                        .as_deref()
                        .is_none_or(|c| c.contains("deploy") || c.contains("publish")),
                    command.is_some_and(|c| c.contains("--branch")),
                )
            }
            // Static Web Apps: `close` tears a preview down; pull requests and named environments get
            // their own staging environment.
            "azure/static-web-apps-deploy" => (
                with("action").is_none_or(|a| a != "close"),
                on_pr || with("deployment_environment").is_some_and(|e| !e.trim().is_empty()),
            ),
            "pulumi/actions" => (with("command").is_some_and(|c| c.trim() == "up"), false),
            "goreleaser/goreleaser-action" => (
                with("args").is_some_and(|a| {
                    a.contains("release")
                        && !a.contains("--snapshot")
                        && !a.contains("--skip=publish")
                }),
                false,
            ),
            n => (DEPLOY_ACTIONS.iter().any(|a| n.starts_with(a)), false),
        };
        if deploys {
            let image = name == "docker/build-push-action";
            let pages = PAGES_ACTIONS.iter().any(|a| name.starts_with(a));
            let refs: Vec<String> = step
                .with("tags")
                .map(|t| {
                    t.value
                        .split([',', '\n'])
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let kind = if image {
                image_kind(&refs, &wf.text)
            } else {
                ImageKind::Deployable
            };
            let what = format!("uses {}", uses.value.trim());
            let program = (name == "aws-actions/amazon-ecs-deploy-task-definition")
                .then(|| "ecs".to_string());
            let nonprod_target = !image && nonprod(target_tier(wf, job, step, None));
            return Some(StepDeploy {
                what: describe(what, pages, kind, nonprod_target),
                pos: uses.pos,
                preview: preview || pages || kind != ImageKind::Deployable || nonprod_target,
                image,
                program,
            });
        }
    }
    let run = step.run.as_ref()?;
    let command = deploy_command(&run.value, local_cluster, credentials)?;
    let lower = command.line.to_ascii_lowercase();
    let image =
        (lower.starts_with("docker") || lower.starts_with("podman")) && lower.contains("push");
    let pages = PAGES_COMMANDS.iter().any(|c| lower.contains(c));
    let kind = if image {
        image_kind(&image_refs(&command.line), &wf.text)
    } else {
        ImageKind::Deployable
    };
    let nonprod_target = !image && nonprod(target_tier(wf, job, step, Some(&command.line)));
    Some(StepDeploy {
        preview: command.line.contains("--branch")
            || pages
            || kind != ImageKind::Deployable
            || nonprod_target,
        pos: wf.locate(run.pos, &command.matched),
        image,
        program: command
            .matched
            .split_whitespace()
            .next()
            .map(str::to_ascii_lowercase),
        what: describe(
            format!("runs `{}`", command.matched),
            pages,
            kind,
            nonprod_target,
        ),
    })
}

fn nonprod(tier: Option<Tier>) -> bool {
    matches!(tier, Some(Tier::NonProduction | Tier::PreProduction))
}

fn describe(what: String, pages: bool, kind: ImageKind, nonprod_target: bool) -> String {
    match kind {
        _ if nonprod_target => format!(
            "{what}, to a target named for a non-production environment (its app, space, resource group or parameters file)"
        ),
        _ if pages => format!(
            "{what}, a static site on GitHub Pages (documentation), not the service's production"
        ),
        ImageKind::NonProduction => {
            format!("{what}, an image named for a non-production environment")
        }
        ImageKind::PerCommit => format!(
            "{what}, an image tagged with its commit: a build, which reaches production only when a deploy uses that tag"
        ),
        ImageKind::Deployable => what,
    }
}

/// What the images a step pushes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ImageKind {
    /// Named for a non-production environment (`acme/app-dev-db`, `mavis/development/postgres_db`,
    /// `web:e2e`).
    NonProduction,
    /// Tagged only with the commit it was built from (`web:${{ github.sha }}`): an immutable build that
    /// reaches an environment only when a deploy job deploys that tag (and that job is judged).
    PerCommit,
    /// Anything else: a moving tag (`latest`, none), a tag not known from the file.
    Deployable,
}

fn image_kind(refs: &[String], wf_text: &str) -> ImageKind {
    if refs.is_empty() {
        return ImageKind::Deployable;
    }
    if refs.iter().all(|r| named_for_nonprod(r)) {
        ImageKind::NonProduction
    } else if refs.iter().all(|r| tagged_with_commit(r, wf_text)) {
        ImageKind::PerCommit
    } else {
        ImageKind::Deployable
    }
}

/// The image references of a `docker push` line: its arguments that are not options, with `${{ }}`
/// expressions kept whole and quotes dropped.
fn image_refs(line: &str) -> Vec<String> {
    split_args(line)
        .into_iter()
        .skip_while(|w| !w.eq_ignore_ascii_case("push"))
        .skip(1)
        .filter(|w| !w.starts_with('-'))
        .collect()
}

/// Whitespace-separated words, an expression (`${{ a || b }}`) never split, quotes removed.
pub(super) fn split_args(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_expr = false;
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        if !in_expr && rest.starts_with("${{") {
            in_expr = true;
            cur.push_str("${{");
            i += 3;
            continue;
        }
        if in_expr && rest.starts_with("}}") {
            in_expr = false;
            cur.push_str("}}");
            i += 2;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        i += c.len_utf8();
        match c {
            '"' | '\'' => {}
            c if c.is_whitespace() && !in_expr => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `r` with each `${{ … }}` replaced by `X`: what the file itself says of the name.
fn without_expressions(r: &str) -> String {
    let mut out = String::new();
    let mut rest = r;
    while let Some(open) = rest.find("${{") {
        out.push_str(&rest[..open]);
        out.push('X');
        rest = match rest[open..].find("}}") {
            Some(close) => &rest[open + close + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The repository path segments that name the image (the registry host and, when more follow, the owner
/// or namespace left out) and its tag: `ghcr.io/acme/app-dev-db:latest` → `app-dev-db`, `latest`;
/// `X/mavis/development/postgres_db:X` → `development`, `postgres_db`, `X`.
fn image_name_parts(r: &str) -> Vec<String> {
    let plain = without_expressions(r).to_ascii_lowercase();
    let (path, tag) = match plain.rfind(':') {
        Some(i) if !plain[i..].contains('/') => (&plain[..i], Some(&plain[i + 1..])),
        _ => (plain.as_str(), None),
    };
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let host = |s: &str| s.contains('.') || s.contains(':') || s == "localhost" || s == "x";
    if segments.len() > 1 && host(segments[0]) {
        segments.remove(0);
    }
    if segments.len() > 1 {
        segments.remove(0);
    }
    segments
        .into_iter()
        .chain(tag)
        .map(str::to_string)
        .collect()
}

/// Is the image named for a non-production environment: a whole word of its name or tag is one (`dev`,
/// `development`, `e2e`, `test`)?
fn named_for_nonprod(r: &str) -> bool {
    image_name_parts(r).iter().any(|part| {
        part.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| environments::tier_of_word(w) == Some(Tier::NonProduction))
    })
}

/// Words that name the commit a build came from.
const COMMIT_MARKERS: &[&str] = &[
    "github.sha",
    "github_sha",
    "git_sha",
    "git-sha",
    "commit_sha",
    "commit-sha",
    "head.sha",
    "rev-parse",
    "short_sha",
    "short-sha",
    "sha_short",
];

/// Is the image's tag the commit it was built from: the tag names the commit (`${{ github.sha }}`), or a
/// variable set from it in the workflow (`env: git_ref: ${{ inputs.git_sha || github.sha }}` …
/// `:${{ env.git_ref }}`)? A missing tag is `latest`, a moving tag.
fn tagged_with_commit(r: &str, wf_text: &str) -> bool {
    let lower = r.to_ascii_lowercase();
    // The tag: after the last `:` that follows the last `/`.
    let slash = lower.rfind('/').unwrap_or(0);
    let Some(colon) = lower[slash..].rfind(':').map(|c| slash + c) else {
        return false;
    };
    let tag = &lower[colon + 1..];
    if COMMIT_MARKERS.iter().any(|m| tag.contains(m)) {
        return true;
    }
    // `${{ env.NAME }}`, `$NAME`, `${NAME}`: a variable the workflow sets from the commit.
    let names: Vec<&str> = tag
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map(|w| w.strip_prefix("env.").unwrap_or(w))
        .filter(|w| !w.is_empty() && !w.contains('.'))
        .collect();
    names.iter().any(|name| {
        wf_text.lines().any(|line| {
            let l = line.trim().to_ascii_lowercase();
            let defines = l
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('='));
            defines && COMMIT_MARKERS.iter().any(|m| l.contains(m))
        })
    })
}

/// How a deploy command may be aimed somewhere harmless.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Aim {
    /// A throwaway cluster in the job (kind, minikube) makes it local; without credentials it cannot
    /// reach anything live (`kubectl`, `terraform`).
    Cluster,
    /// Without credentials it cannot reach anything live (a local registry, a dry run of a script).
    Credentials,
    /// It only ever reaches a hosting platform (`cf push`, `fly deploy`): a deploy whether or not the job
    /// names a secret (the login may come from an earlier step, the environment or OIDC).
    Platform,
}
use Aim::{Cluster, Credentials, Platform};

/// Shell commands that deploy or publish, and how each may be aimed somewhere harmless.
const DEPLOY_COMMANDS: &[(&str, Aim)] = &[
    (
        r"\bkubectl\s+(?:(?:-n|--namespace|--context|--kubeconfig|--cluster|-s|--server)[ =]\S+\s+)*(?:apply|create|replace|rollout\s+restart|set\s+image|patch)\b",
        Cluster,
    ),
    (
        r"\bhelm\s+(?:(?:-n|--namespace|--kube-context|--kubeconfig)[ =]\S+\s+)*(?:upgrade|install)\b",
        Cluster,
    ),
    (
        r"\bhelmfile\s+(?:(?:-e|--environment|-f|--file)[ =]\S+\s+)*(?:apply|sync)\b",
        Cluster,
    ),
    (
        r"\b(?:terraform|terragrunt|tofu)\s+(?:-chdir=\S+\s+)?apply\b",
        Cluster,
    ),
    (r"\bpulumi\s+(?:\S+\s+)*?up\b", Cluster),
    (r"\bcdk\s+deploy\b", Cluster),
    (r"\b(?:serverless|sls)\s+deploy\b", Cluster),
    (r"\bsam\s+deploy\b", Cluster),
    (
        r"\baws\s+(?:ecs\s+update-service|deploy\s+create-deployment|cloudformation\s+(?:deploy|update-stack|create-stack)|lambda\s+update-function-code|elasticbeanstalk\s+update-environment|apprunner\s+start-deployment)\b",
        Cluster,
    ),
    (r"\beb\s+deploy\b", Platform),
    // Cloud Foundry (GOV.UK PaaS and its successors): `cf push` and the zero-downtime plugins.
    (
        r"\bcf\s+(?:push|v3-push|v3-zdt-push|zero-downtime-push|blue-green-deploy)\b",
        Platform,
    ),
    (r"\bgcloud\s+[^|;&\n]*?\bdeploy\b", Platform),
    (
        r"\baz\s+(?:webapp\s+(?:deploy|up|deployment)|functionapp\s+deployment|containerapp\s+(?:update|up)|deployment\s+group\s+create|staticwebapp)\b",
        Platform,
    ),
    (r"\b(?:fly|flyctl)\s+deploy\b", Platform),
    (r"\bvercel\b[^|;&\n]*\s--prod\b", Platform),
    (r"\bnetlify\s+deploy\b[^|;&\n]*\s--prod\b", Platform),
    (r"\bfirebase\s+deploy\b", Platform),
    (
        r"\bwrangler\s+(?:deploy|publish|pages\s+deploy)\b",
        Platform,
    ),
    (r"\bgit\s+push\s+[^|;&\n]*heroku", Platform),
    (r"\bheroku\s+container:release\b", Platform),
    (r"\bkamal\s+deploy\b", Platform),
    (r"\bcap\s+\S+\s+deploy\b", Platform),
    (r"\brailway\s+up\b", Platform),
    (r"\b(?:docker|podman)\s+(?:image\s+)?push\b", Credentials),
    (
        r"\bdocker\s+(?:buildx\s+)?(?:build|bake)\b[^|;&\n]*\s--push\b",
        Credentials,
    ),
    (r"\bdocker\s+manifest\s+push\b", Credentials),
    (r"\bnpm\s+publish\b", Credentials),
    (r"\b(?:yarn|pnpm)\s+(?:npm\s+)?publish\b", Credentials),
    (r"\bcargo\s+publish\b", Credentials),
    (r"\btwine\s+upload\b", Credentials),
    (r"\b(?:poetry|flit|uv|hatch)\s+publish\b", Credentials),
    (r"\bgem\s+push\b", Credentials),
    (r"\bdotnet\s+nuget\s+push\b", Credentials),
    (r"\bmvn\b[^|;&\n]*\sdeploy\b", Credentials),
    (
        r"(?:^|[\s;&|])(?:make|just|task|rake|mage|npm\s+run|yarn|pnpm(?:\s+run)?|bun\s+run)\s+(?:-\S+\s+)*deploy\b",
        Credentials,
    ),
    // Any CLI whose subcommand is `deploy` (`fastapi deploy`, `mvn deploy`, `sam deploy`), at the start of a
    // command, optionally through a runner (`uv run`, `npx`). The whole word: `source deploy-functions.sh`
    // loads a file whose name starts with it.
    (
        r"(?:^|[;&|]\s*)(?:(?:uv|poetry|pipenv|pdm|hatch)\s+run\s+|npx\s+(?:-\S+\s+)*|bunx\s+|pnpm\s+(?:dlx|exec)\s+|yarn\s+dlx\s+)?[\w.@/-]+\s+deploy(?:\s|$)",
        Credentials,
    ),
    (
        r"(?:^|[\s;&|(])(?:\./|bash\s+|sh\s+)?(?:[\w.-]+/)*deploy(?:[-_](?:to[-_])?(?:prod|production|live|app|site|web|api|all|docs|release))?\.(?:sh|py|rb|ps1)\b",
        Credentials,
    ),
];

static DEPLOY_REGEXES: LazyLock<Vec<(Regex, Aim)>> = LazyLock::new(|| {
    DEPLOY_COMMANDS
        .iter()
        .filter_map(|(p, aim)| Regex::new(&format!("(?i){p}")).ok().map(|r| (r, *aim)))
        .collect()
});

/// Does this one line of a script hold a deploy command (of any kind)?
pub(super) fn is_deploy_line(line: &str) -> bool {
    DEPLOY_REGEXES.iter().any(|(re, _)| re.is_match(line))
}

/// A deploy command found in a script: the text that matched and its whole line.
struct Command {
    matched: String,
    line: String,
}

/// The first deploy command in a `run:` script (comments, dry runs, previews and pushes to a local
/// registry are not deploys). `credentials`: the job can authenticate to something outside the runner.
fn deploy_command(script: &str, local_cluster: bool, credentials: bool) -> Option<Command> {
    for line in script.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("echo ") {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if [
            "--dry-run",
            "--dryrun",
            "preview",
            "localhost",
            "127.0.0.1",
            "--help",
        ]
        .iter()
        .any(|m| lower.contains(m))
        {
            continue;
        }
        // Vercel and Netlify deploy previews unless told `--prod`.
        if (lower.contains("vercel") || lower.contains("netlify")) && !lower.contains("--prod") {
            continue;
        }
        for (re, aim) in DEPLOY_REGEXES.iter() {
            let harmless = match aim {
                Cluster => local_cluster || !credentials,
                Credentials => !credentials,
                Platform => false,
            };
            if harmless {
                continue;
            }
            if let Some(m) = re.find(line) {
                return Some(Command {
                    matched: m.as_str().trim().to_string(),
                    line: line.to_string(),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_pattern_compiles() {
        assert_eq!(DEPLOY_REGEXES.len(), DEPLOY_COMMANDS.len());
    }

    #[test]
    fn deploy_commands() {
        for yes in [
            "kubectl apply -f k8s/",
            "kubectl -n prod set image deploy/web web=img:1",
            "helm upgrade --install web ./chart",
            "terraform -chdir=infra apply -auto-approve",
            "aws ecs update-service --cluster c --service s",
            "gcloud run deploy web --image x",
            "gcloud beta app deploy",
            "fly deploy --remote-only",
            "npx vercel deploy --prod --token $T",
            "docker push ghcr.io/acme/web:latest",
            "docker buildx build --platform linux/amd64 --push -t x .",
            "az webapp deploy --name web",
            "npm publish --access public",
            "make deploy",
            "./scripts/deploy.sh production",
            "git push https://git.heroku.com/app.git HEAD:main",
            "uv run fastapi deploy",
            "cd web && npx vercel --prod",
            "cf push my-app -f manifest-production.yml",
            "cf blue-green-deploy app --delete-old-apps",
        ] {
            assert!(deploy_command(yes, false, true).is_some(), "{yes}");
        }
        for no in [
            "# kubectl apply -f k8s/",
            "echo 'run kubectl apply to deploy'",
            "kubectl get pods",
            "terraform plan",
            "helm lint ./chart",
            "npm publish --dry-run",
            "docker push localhost:5000/web",
            "docker build -t web .",
            "vercel deploy",
            "make test",
            "cargo publish --dry-run",
            "./scripts/deploy-preview.sh",
            "uv run ./scripts/deploy_docs_status.py",
            "helm plugin install https://github.com/x/y",
            "kubectl get po | grep create",
            "git commit -m deploy",
            "cf apps",
            "cf logs app --recent",
            "source deploy-github-functions.sh",
        ] {
            assert!(deploy_command(no, false, true).is_none(), "{no}");
        }
        assert!(deploy_command("kubectl apply -f e2e.yaml", true, true).is_none());
        assert!(deploy_command("docker push ghcr.io/x/y", true, true).is_some());
        // Without credentials only the commands that can reach nothing but a platform still deploy.
        assert!(deploy_command("cf push web", false, false).is_some());
        assert!(deploy_command("kubectl apply -f k8s/", false, false).is_none());
        assert!(deploy_command("npm publish", false, false).is_none());
    }

    #[test]
    fn images_named_for_non_production_environments() {
        for yes in [
            "docker push ghcr.io/acme/app-dev-db:latest",
            "docker push acme/web:e2e",
            "docker image push registry.acme.invalid/team/db-test",
            "docker push \"${{ steps.login-ecr.outputs.registry }}/mavis/development/postgres_db:${{ steps.ref.outputs.ref }}\"",
        ] {
            assert_eq!(image_kind(&image_refs(yes), ""), ImageKind::NonProduction, "{yes}");
        }
        for no in [
            "docker push ghcr.io/acme/web:latest",
            "docker push ghcr.io/dev-team/web:1.2",
            "docker push ghcr.io/acme/app-dev:1 ghcr.io/acme/app:1",
            "docker push",
        ] {
            assert_eq!(
                image_kind(&image_refs(no), ""),
                ImageKind::Deployable,
                "{no}"
            );
        }
    }

    #[test]
    fn images_tagged_with_their_commit() {
        let wf = "env:\n  git_ref: ${{ inputs.git_sha || github.sha }}\n";
        for yes in [
            "docker push ghcr.io/acme/web:${{ github.sha }}",
            "docker push ghcr.io/acme/web:$GITHUB_SHA",
            "docker push ${{ steps.login.outputs.registry }}/acme/web:${{ env.git_ref }}",
        ] {
            assert_eq!(
                image_kind(&image_refs(yes), wf),
                ImageKind::PerCommit,
                "{yes}"
            );
        }
        for no in [
            "docker push ghcr.io/acme/web",
            "docker push ghcr.io/acme/web:${{ github.sha }} ghcr.io/acme/web:latest",
            "docker push ghcr.io/acme/web:${{ env.version }}",
            "docker push ${{ steps.meta.outputs.tags }}",
        ] {
            assert_eq!(
                image_kind(&image_refs(no), wf),
                ImageKind::Deployable,
                "{no}"
            );
        }
    }
}
