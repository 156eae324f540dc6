//! Check families. Each module owns its rules' documentation (`RULES`) and its logic; `registry` lists
//! every check once (its rules, what it reads, how it runs), and everything else reads that list.
//! File checks run inside the walk on each file's bytes; repository checks run on the gathered Context.

pub mod access;
pub mod branch_protection;
pub mod data_readers;
pub mod data_seeds;
pub mod declared;
pub mod deploy_env;
pub mod deploy_jobs;
pub mod deploy_steps;
pub mod deploy_target;
pub mod dev_images;
pub mod dev_tooling;
pub mod gate;
pub mod leak;
pub mod live_data;
pub mod owners;
pub mod process_docs;
pub mod prototype;
pub mod registry;
pub mod review_git;
pub mod review_github;
pub mod spring_profiles;
pub mod suppression;
pub mod test_data;
pub mod workflow_permissions;
pub mod workflows;

pub use registry::{code_rules, Check, Control, Needs, Run, REGISTRY};

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
