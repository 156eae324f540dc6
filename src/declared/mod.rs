//! Branch protection declared as code: Terraform's GitHub provider and safe-settings / Probot
//! `settings.yml`, read from the checked tree into the model the GitHub checks use
//! (`github::protection`, `github::environments`), so the same rules judge declared and observed
//! settings alike.

pub mod model;
pub mod resources;
pub mod settings;
pub mod terraform;
pub mod value;
pub mod yaml;
