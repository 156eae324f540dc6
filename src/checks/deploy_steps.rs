//! Which steps deploy: deploy and publish actions (with the inputs that make them deploy, or only preview),
//! and shell commands (`kubectl apply`, `terraform apply`, `docker push`, `npm publish`, `fly deploy`, …).
//! A command that could aim at something local counts only in a job that has credentials; one that only
//! ever reaches a hosting platform (`cf push`, `fly deploy`) counts wherever it runs; a throwaway cluster
//! makes cluster commands local.

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
    /// The deploy command's program, lower-case (`terraform`, `helm`, `cf`), for a `run:` step.
    pub program: Option<String>,
}

/// Does this step deploy (in `scope`)? Deploy actions take their credentials as inputs; a deploy
/// *command* counts only in a job that has credentials at all.
pub(super) fn step_deploys(
    wf: &Workflow,
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
            let nonprod_image = image
                && step
                    .with("tags")
                    .is_some_and(|t| images_for_nonprod(t.value.split([',', '\n'])));
            let what = format!("uses {}", uses.value.trim());
            return Some(StepDeploy {
                what: describe(what, pages, nonprod_image),
                pos: uses.pos,
                preview: preview || pages || nonprod_image,
                image,
                program: None,
            });
        }
    }
    let run = step.run.as_ref()?;
    let command = deploy_command(&run.value, local_cluster, credentials)?;
    let lower = command.line.to_ascii_lowercase();
    let image =
        (lower.starts_with("docker") || lower.starts_with("podman")) && lower.contains("push");
    let pages = PAGES_COMMANDS.iter().any(|c| lower.contains(c));
    let nonprod_image = image && images_for_nonprod(image_refs(&command.line));
    Some(StepDeploy {
        preview: command.line.contains("--branch") || pages || nonprod_image,
        pos: wf.locate(run.pos, &command.matched),
        image,
        program: command
            .matched
            .split_whitespace()
            .next()
            .map(str::to_ascii_lowercase),
        what: describe(format!("runs `{}`", command.matched), pages, nonprod_image),
    })
}

fn describe(what: String, pages: bool, nonprod_image: bool) -> String {
    if pages {
        format!(
            "{what}, a static site on GitHub Pages (documentation), not the service's production"
        )
    } else if nonprod_image {
        format!("{what}, an image named for a non-production environment")
    } else {
        what
    }
}

/// The image references of a `docker push` line (its arguments that are not options).
fn image_refs(line: &str) -> impl Iterator<Item = &str> {
    line.split_whitespace()
        .skip_while(|w| !w.eq_ignore_ascii_case("push"))
        .skip(1)
        .filter(|w| !w.starts_with('-'))
}

/// Is every image named for a non-production environment: its repository name or its tag holds such a
/// word (`acme/app-dev-db:latest`, `acme/web:e2e`), the registry and owner aside? An image whose name is
/// an expression (`${{ steps.meta.outputs.tags }}`) is not known to be.
fn images_for_nonprod<'a>(refs: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    for r in refs.map(str::trim).filter(|r| !r.is_empty()) {
        any = true;
        let last = r.rsplit('/').next().unwrap_or(r).to_ascii_lowercase();
        let nonprod = !last.contains("${{")
            && last
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| environments::tier_of_word(w) == Some(Tier::NonProduction));
        if !nonprod {
            return false;
        }
    }
    any
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
    // command, optionally through a runner (`uv run`, `npx`).
    (
        r"(?:^|[;&|]\s*)(?:(?:uv|poetry|pipenv|pdm|hatch)\s+run\s+|npx\s+(?:-\S+\s+)*|bunx\s+|pnpm\s+(?:dlx|exec)\s+|yarn\s+dlx\s+)?[\w.@/-]+\s+deploy\b",
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
        ] {
            assert!(images_for_nonprod(image_refs(yes)), "{yes}");
        }
        for no in [
            "docker push ghcr.io/acme/web:latest",
            "docker push ghcr.io/dev-team/web:1.2",
            "docker push ghcr.io/acme/web:${{ github.sha }}",
            "docker push ghcr.io/acme/app-dev:1 ghcr.io/acme/app:1",
            "docker push",
        ] {
            assert!(!images_for_nonprod(image_refs(no)), "{no}");
        }
    }
}
