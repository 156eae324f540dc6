#![no_main]
//! Workflow YAML parsing and the `workflow/…` checks on arbitrary text: an error or a model, never a
//! panic (nor a stack overflow on deep nesting); every position in the model, and every finding, lies
//! inside the input on character boundaries.
#[path = "common/mod.rs"]
mod common;

use shipgate::repo::collect::{RepoFiles, WorkflowFile};
use shipgate::repo::workflows::{self, Pos, Workflow};

/// Named like a deploy workflow so a job may call this very file (`uses: ./.github/workflows/deploy.yml`).
const PATH: &str = ".github/workflows/deploy.yml";

fn check(text: &str, pos: Pos) {
    assert!(
        pos.start <= pos.end && pos.end <= text.len(),
        "{pos:?} of {}",
        text.len()
    );
    assert!(
        text.is_char_boundary(pos.start) && text.is_char_boundary(pos.end),
        "{pos:?}"
    );
}

fn positions(wf: &Workflow) -> Vec<Pos> {
    let mut out = vec![wf.anchor];
    out.extend(wf.triggers.iter().map(|t| t.event.pos));
    out.extend(wf.permissions.iter().map(|p| p.pos));
    for job in &wf.jobs {
        out.push(job.id.pos);
        out.extend(
            job.cond
                .iter()
                .chain(&job.environment)
                .chain(&job.uses)
                .map(|s| s.pos),
        );
        out.extend(job.permissions.iter().map(|p| p.pos));
        for step in &job.steps {
            out.push(step.pos);
            out.extend(
                step.cond
                    .iter()
                    .chain(&step.uses)
                    .chain(&step.run)
                    .map(|s| s.pos),
            );
            out.extend(step.with.iter().map(|(_, v)| v.pos));
            if let Some(run) = &step.run {
                // `locate` finds a line of a script inside its node.
                let first = run.value.lines().next().unwrap_or("");
                check(&wf.text, wf.locate(run.pos, first));
            }
        }
    }
    out
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = workflows::parse(PATH, text);
    match &parsed {
        Ok(docs) => docs.iter().flat_map(positions).for_each(|p| check(text, p)),
        Err(e) => check(text, e.pos),
    }
    let ctx = common::context(
        &[PATH, "Dockerfile", "src/app.py"],
        RepoFiles {
            workflows: vec![WorkflowFile {
                path: PATH.to_string(),
                parsed,
            }],
            ..RepoFiles::default()
        },
    );
    let findings = shipgate::checks::workflows::run(&ctx);
    common::assert_inside(&findings, PATH, data);
    let _ = shipgate::checks::workflows::deploy_branches(&ctx.repo);
});
