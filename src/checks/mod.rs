//! Check families. Each module owns its rules' documentation (`RULES`) and its logic.
//! File checks run inside the walk on each file's bytes; repository checks run on the gathered Context.

pub mod access;
pub mod branch_protection;
pub mod code_review;
pub mod deploy_env;
pub mod deploy_jobs;
pub mod deploy_steps;
pub mod gate;
pub mod leak;
pub mod owners;
pub mod process_docs;
pub mod review;
pub mod suppression;
pub mod test_data;
pub mod workflow_permissions;
pub mod workflows;

use crate::context::Context;
use crate::finding::Finding;
use crate::rules::CodeRule;

/// A check that needs the whole tree: it runs once, after the walk, on the gathered Context. A check may
/// be both a `FileCheck` (collecting from each file's bytes during the walk) and a `RepoCheck` (judging
/// what it collected against the complete file index), as the `leak/…` check is.
pub trait RepoCheck {
    fn run(&self, ctx: &Context) -> Vec<Finding>;
}

/// Every rule implemented in code, for the catalogue (`shipgate rules`, `shipgate explain`).
pub fn code_rules() -> Vec<&'static CodeRule> {
    [
        gate::RULES,
        branch_protection::RULES,
        deploy_env::RULES,
        code_review::RULES,
        review::RULES,
        suppression::RULES,
        owners::RULES,
        workflows::RULES,
        access::RULES,
        process_docs::RULES,
        leak::RULES,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The rule catalogue: every code rule of the registry, the built-in packs, and (with a config) the
/// user's packs, checked against the config.
pub fn catalogue(
    policy: Option<(&crate::config::Config, &[(String, String)])>,
) -> Result<crate::rules::Catalogue, crate::diag::SourceDiag> {
    let code = code_rules();
    match policy {
        None => crate::rules::Catalogue::builtin(&code),
        Some((config, packs)) => crate::rules::Catalogue::from_packs(&code, config, packs),
    }
}

/// Checks that run once, after the walk, on the whole Context: pure functions of what was gathered.
pub const REPOSITORY_CHECKS: &[fn(&Context) -> Vec<Finding>] = &[
    gate::github,
    branch_protection::run,
    deploy_env::run,
    code_review::run,
    gate::history,
    review::run,
    owners::run,
    workflows::run,
    process_docs::run,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads_and_ids_are_unique_and_well_formed() {
        let cat = catalogue(None);
        assert!(cat.is_ok(), "{:?}", cat.err());
        let Ok(cat) = cat else { return };
        let mut ids: Vec<&str> = cat.ids().collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        for d in &cat.docs {
            let (family, name) = d.id.split_once('/').unwrap_or(("", ""));
            assert!(!family.is_empty() && !name.is_empty(), "{}", d.id);
            assert!(
                d.id.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'/'),
                "{}",
                d.id
            );
            assert!(
                !d.title.is_empty()
                    && !d.why.is_empty()
                    && !d.fix.is_empty()
                    && !d.example.is_empty(),
                "{} lacks docs",
                d.id
            );
        }
    }
}
