//! Facts gathered from the repository, once: files and their classes, and git history.

pub mod changes;
pub mod classify;
pub mod codeowners;
pub mod collect;
pub mod dev_image;
pub mod doc_examples;
pub mod dockerfile;
pub mod dockerignore;
pub mod enclosing;
pub mod environments;
pub mod evidence;
pub mod expr;
pub mod files;
pub mod history;
pub mod image;
pub mod image_prune;
pub mod lexer;
pub mod own_output;
pub mod reach;
pub mod reach_guard;
pub mod regions;
pub mod scopes;
pub mod step_outputs;
pub mod switch_forms;
pub mod text;
pub mod tracked;
pub mod workflow_values;
pub mod workflows;
pub mod yaml_bounds;

use std::path::Path;

/// The commit checked out in the repository that contains `root`, if any.
pub fn head_commit(root: &Path) -> Option<String> {
    let repo = history::open(root).ok().flatten()?;
    let id = repo.head().ok()?.peel_to_commit().ok()?.id();
    Some(id.to_string())
}
