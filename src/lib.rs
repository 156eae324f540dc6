//! shipgate: a deployment-safety CI gate. See README.md and docs/ for the user guide.
//!
//! The flow runs one way: CLI + config → Context (gathered once) → checks → findings → suppress → report.

pub mod calendar;
pub mod checks;
pub mod cli;
pub mod config;
pub mod context;
pub mod data;
pub mod declared;
pub mod diag;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod github;
pub mod hook;
pub mod org;
pub mod redact;
pub mod remote;
pub mod repo;
pub mod report;
pub mod rules;
pub mod status;
pub mod suppress;
pub mod sync;
