//! The workflow token's permissions: `write-all`, and workflows that take the default because they say
//! nothing. For the latter we judge from the steps whether write is needed, so the finding says what to write.

use super::deploy_steps::action_name;
use super::workflows::{at, DEFAULT_PERMISSIONS, RULES, WRITE_ALL};
use crate::finding::Finding;
use crate::repo::workflows::{Job, Permissions, Spanned, Workflow};
use crate::rules::rule;

pub fn check(wf: &Workflow, out: &mut Vec<Finding>) {
    let write_all = |p: &Option<Spanned<Permissions>>| {
        p.as_ref()
            .filter(|p| p.value == Permissions::WriteAll)
            .map(|p| p.pos)
    };
    if let Some(pos) = write_all(&wf.permissions) {
        out.push(
            at(rule!(WRITE_ALL), wf, pos, "`permissions: write-all` gives every job in this workflow write access to everything the token can reach".into())
                .with_evidence("workflow")
                .with_help("grant only the scopes each job needs, e.g. `contents: read`"),
        );
    }
    for job in &wf.jobs {
        if let Some(pos) = write_all(&job.permissions) {
            out.push(
                at(
                    rule!(WRITE_ALL),
                    wf,
                    pos,
                    format!(
                        "job `{}` has `permissions: write-all`{}",
                        job.id.value,
                        needs_summary(std::slice::from_ref(job))
                            .map_or(String::new(), |n| format!("; it appears to need only {n}"))
                    ),
                )
                .with_evidence(job.id.value.clone())
                .with_help("grant only the scopes the job needs"),
            );
        }
    }
    // A workflow only other workflows call runs with the caller's token: the caller is responsible.
    let reusable_only =
        !wf.triggers.is_empty() && wf.triggers.iter().all(|t| t.event.value == "workflow_call");
    let bare: Vec<Job> = wf
        .jobs
        .iter()
        .filter(|j| j.permissions.is_none())
        .cloned()
        .collect();
    if wf.permissions.is_some() || reusable_only || bare.is_empty() {
        return;
    }
    let advice = match (needs_summary(&bare), unvetted_actions(&bare)) {
        (Some(n), _) => format!(
            "it appears to need write for {n}: grant those scopes on those jobs only, and `contents: read` at the top"
        ),
        (None, unknown) if unknown.is_empty() => {
            "nothing in it appears to need write: add `permissions: contents: read` at the top".to_string()
        }
        (None, unknown) => format!(
            "no step is known to need write, but check what {} need(s) before adding `permissions: contents: read` at the top",
            unknown.join(", ")
        ),
    };
    out.push(
        at(rule!(DEFAULT_PERMISSIONS), wf, wf.anchor, format!(
            "no `permissions:` block: GITHUB_TOKEN gets the repository default (read-write for older repositories and organisations) in {} job(s); {advice}",
            bare.len()
        ))
        .with_evidence("workflow")
        .with_help("declare `permissions:` at the top of the workflow"),
    );
}

/// Actions that write with the token, and the scope they need.
const WRITE_ACTIONS: &[(&str, &str)] = &[
    ("actions/deploy-pages", "pages, id-token"),
    ("actions/attest-build-provenance", "id-token, attestations"),
    ("actions/attest", "id-token, attestations"),
    ("actions/labeler", "pull-requests"),
    ("actions/stale", "issues, pull-requests"),
    ("actions/create-release", "contents"),
    ("actions/github-script", "whatever the script calls"),
    ("softprops/action-gh-release", "contents"),
    ("ncipollo/release-action", "contents"),
    (
        "googleapis/release-please-action",
        "contents, pull-requests",
    ),
    (
        "google-github-actions/release-please-action",
        "contents, pull-requests",
    ),
    ("release-drafter/release-drafter", "contents"),
    ("peter-evans/create-pull-request", "contents, pull-requests"),
    (
        "peter-evans/create-or-update-comment",
        "issues or pull-requests",
    ),
    ("marocchino/sticky-pull-request-comment", "pull-requests"),
    ("thollander/actions-comment-pull-request", "pull-requests"),
    ("stefanzweifel/git-auto-commit-action", "contents"),
    ("endbug/add-and-commit", "contents"),
    ("peaceiris/actions-gh-pages", "contents"),
    ("jamesives/github-pages-deploy-action", "contents"),
    ("changesets/action", "contents, pull-requests"),
    ("github/codeql-action/upload-sarif", "security-events"),
    ("github/codeql-action/analyze", "security-events"),
    ("pypa/gh-action-pypi-publish", "id-token"),
];

/// Shell commands that write through the token.
const WRITE_COMMANDS: &[(&str, &str)] = &[
    ("git push", "contents"),
    ("gh release ", "contents"),
    ("gh pr create", "pull-requests"),
    ("gh pr comment", "pull-requests"),
    ("gh pr merge", "pull-requests, contents"),
    ("gh pr edit", "pull-requests"),
    ("gh pr review", "pull-requests"),
    ("gh issue ", "issues"),
    ("gh workflow run", "actions"),
];

/// Actions known to need no write access (setup, checkout, caches, artifacts).
const READ_ONLY_ACTIONS: &[&str] = &[
    "actions/checkout",
    "actions/cache",
    "actions/upload-artifact",
    "actions/download-artifact",
    "actions/setup-",
    "actions/dependency-review-action",
    "docker/setup-",
    "docker/metadata-action",
    "docker/login-action",
    "docker/build-push-action",
    "dtolnay/rust-toolchain",
    "swatinem/rust-cache",
    "taiki-e/install-action",
    "pnpm/action-setup",
    "astral-sh/setup-uv",
    "codecov/codecov-action",
    "ruby/setup-ruby",
    "oven-sh/setup-bun",
    "denoland/setup-deno",
    "gradle/actions/setup-gradle",
    "azure/setup-",
    "hashicorp/setup-",
];

/// Third-party actions and called reusable workflows we know nothing about (at most three): they may write.
fn unvetted_actions(jobs: &[Job]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // A job that calls a reusable workflow runs that workflow's steps with this token (the called
    // workflow may narrow it, never widen it): what they need is decided there.
    for called in jobs.iter().filter_map(|j| j.uses.as_ref()) {
        let name = format!("the called workflow `{}`", called.value);
        if !out.contains(&name) {
            out.push(name);
        }
    }
    for step in jobs.iter().flat_map(|j| &j.steps) {
        let Some(uses) = &step.uses else { continue };
        let name = action_name(&uses.value);
        let local = name.starts_with("./") || name.starts_with("docker://");
        let known = READ_ONLY_ACTIONS.iter().any(|a| name.starts_with(a));
        if !local && !known && !out.contains(&format!("`{name}`")) {
            out.push(format!("`{name}`"));
        }
    }
    out.truncate(3);
    out
}

/// "`git push` (contents) in job `release`, …" for the steps that appear to write; None if none do.
fn needs_summary(jobs: &[Job]) -> Option<String> {
    let mut needs: Vec<String> = Vec::new();
    for job in jobs {
        for step in &job.steps {
            let what = step.uses.as_ref().and_then(|u| {
                let name = action_name(&u.value);
                let ghcr = name == "docker/login-action"
                    && step
                        .with("registry")
                        .is_some_and(|r| r.value.contains("ghcr.io"));
                if ghcr {
                    return Some(("docker/login-action to ghcr.io".to_string(), "packages"));
                }
                WRITE_ACTIONS
                    .iter()
                    .find(|(a, _)| name == *a || name.starts_with(&format!("{a}/")))
                    .map(|(a, scope)| (a.to_string(), *scope))
            });
            let what = what.or_else(|| {
                let run = step.run.as_ref()?;
                WRITE_COMMANDS
                    .iter()
                    .find(|(c, _)| {
                        run.value
                            .lines()
                            .any(|l| !l.trim_start().starts_with('#') && l.contains(c))
                    })
                    .map(|(c, scope)| (c.trim().to_string(), *scope))
            });
            if let Some((what, scope)) = what {
                let item = format!("`{what}` ({scope}) in job `{}`", job.id.value);
                if !needs.contains(&item) {
                    needs.push(item);
                }
            }
        }
    }
    if needs.is_empty() {
        return None;
    }
    let more = needs.len().saturating_sub(3);
    needs.truncate(3);
    let mut s = needs.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    Some(s)
}
