//! Environment names: the one list every rule reads when it asks "which environment is this for?" — a
//! settings file's name (`settings/uat.py`, `application-integration.yml`), a condition or section
//! (`if Rails.env.development?`, `qa:`), a deploy's environment or branch (`environment: qa`,
//! `branches: [develop]`) and a Dockerfile stage (`FROM base AS test`).
//!
//! Each name says how production-like the environment is and where the word may be read as an
//! environment: a word such as `preview` or `integration` names an environment when it stands where an
//! environment's name is expected (a deploy's `environment:`, a settings file's name), but in running code
//! it is as likely a feature (`if preview:` renders a draft). A leaf: classification names it.

/// How close to production an environment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Production itself.
    Production,
    /// A rehearsal of production (`staging`): deployed like it and often holding real data, so settings
    /// named for it are judged like production's; deploying there is still not a production deploy.
    PreProduction,
    /// Where the service is developed and tested (`dev`, `test`, `ci`, `qa`, `uat`, `integration`, review
    /// apps, sandboxes, demos): test data and debug switches are the point of it.
    NonProduction,
}

struct Name {
    word: &'static str,
    tier: Tier,
    /// May start a longer word in an environment's own name (`previews`, `testenv`, `integration2`);
    /// short words must be whole (`pr` is not `prod`).
    prefix: bool,
    /// Names an environment in running code as well (a condition, a class, a section, a build stage), not
    /// only where an environment's name is expected.
    in_code: bool,
    /// Names an environment as a word of any file's name (`uat.rb`, `application-integration.yml`). A
    /// word that is as often a product's feature (`onboarding.yml` of a sign-up flow, a service's
    /// `request_training.yml`) names one only where an environment's name is expected: a deploy's
    /// `environment:`, a Terraform variable file, a directory of per-environment seeds.
    in_file_names: bool,
}

const fn name(word: &'static str, tier: Tier, prefix: bool, in_code: bool) -> Name {
    Name {
        word,
        tier,
        prefix,
        in_code,
        in_file_names: true,
    }
}

/// A word that names an environment only where an environment's name is expected (see `in_file_names`).
const fn deploy_name(word: &'static str, tier: Tier) -> Name {
    Name {
        word,
        tier,
        prefix: false,
        in_code: false,
        in_file_names: false,
    }
}

use Tier::{NonProduction as Non, PreProduction as Pre, Production as Prod};

/// The list. Lower-case; matched against a name's words split at anything not a letter or digit.
const NAMES: &[Name] = &[
    name("production", Prod, false, true),
    name("prod", Prod, false, true),
    name("live", Prod, false, true),
    name("staging", Pre, true, false),
    name("stage", Pre, true, false),
    name("stg", Pre, false, false),
    name("preprod", Pre, false, false),
    name("preproduction", Pre, false, false),
    name("dev", Non, false, true),
    name("development", Non, false, true),
    name("develop", Non, true, false),
    name("local", Non, true, true),
    name("localdev", Non, false, true),
    name("nonprod", Non, false, true),
    name("test", Non, true, true),
    name("tests", Non, false, true),
    name("testing", Non, false, true),
    name("tst", Non, false, false),
    name("ci", Non, false, true),
    name("e2e", Non, false, true),
    name("qa", Non, false, true),
    name("uat", Non, false, true),
    name("integration", Non, true, false),
    name("sandbox", Non, true, true),
    name("sbx", Non, false, false),
    name("preview", Non, true, false),
    name("review", Non, true, false),
    name("pr", Non, false, false),
    name("demo", Non, true, false),
    name("ephemeral", Non, true, false),
    name("nightly", Non, true, false),
    name("storybook", Non, true, false),
    // An environment where staff learn the service on made-up cases (`training.tfvars`).
    deploy_name("training", Non),
    // Where integrators (local authorities, partners) try their connection before going live, like a
    // sandbox: not the production service.
    deploy_name("onboarding", Non),
    // Where user researchers try the service with participants (a `research` Cloud Foundry space): made-up
    // cases, not the live service.
    deploy_name("research", Non),
];

/// The environment a name (`qa-eu`, `Preview`, `application-integration`) is for, where the name stands
/// for an environment: a deploy's `environment:`, a branch, a settings file's name. A name holding any
/// non-production word is for that environment (`production-preview` is a preview); otherwise a
/// pre-production word, then a production one. None when no word is an environment's.
pub fn tier_of_name(name: &str) -> Option<Tier> {
    let lower = name.to_ascii_lowercase();
    let words = lower.split(|c: char| !c.is_ascii_alphanumeric());
    lowest_tier(words.filter_map(|w| {
        NAMES
            .iter()
            .find(|n| w == n.word || (n.prefix && w.starts_with(n.word)))
            .map(|n| n.tier)
    }))
}

/// The environment one whole word (already lower-case) names where the word stands for an environment
/// (a token of a settings file's name: `uat` of `uat.rb`, `integration` of `application-integration.yml`).
pub fn tier_of_word(word: &str) -> Option<Tier> {
    NAMES
        .iter()
        .find(|n| n.in_file_names && n.word == word)
        .map(|n| n.tier)
}

/// The environment one whole word (already lower-case) names where only an environment's name can stand:
/// a Terraform variable file's name (`training.tfvars`), a directory of per-environment seeds
/// (`seeds/staging/`). Every word of the list, those that are as often a feature included.
pub fn tier_of_environment_word(word: &str) -> Option<Tier> {
    NAMES.iter().find(|n| n.word == word).map(|n| n.tier)
}

/// The environment one whole word (already lower-case) names in running code: a condition, a class, a
/// section header, a build stage (`development`, `qa`, `ci`, not `preview` or `integration`).
pub fn tier_of_code_word(word: &str) -> Option<Tier> {
    NAMES
        .iter()
        .find(|n| n.in_code && n.word == word)
        .map(|n| n.tier)
}

/// Every word that names an environment in running code, for a prefilter over text.
pub fn code_words() -> impl Iterator<Item = &'static str> {
    NAMES.iter().filter(|n| n.in_code).map(|n| n.word)
}

/// Environments and branches that are not production by name: deploying there from a branch or a pull
/// request is the point of them (`staging`, `qa-eu`, `pr-preview`).
pub fn is_nonprod_environment(name: &str) -> bool {
    matches!(
        tier_of_name(name),
        Some(Tier::NonProduction | Tier::PreProduction)
    )
}

fn lowest_tier(tiers: impl Iterator<Item = Tier>) -> Option<Tier> {
    let rank = |t: Tier| match t {
        Tier::NonProduction => 0,
        Tier::PreProduction => 1,
        Tier::Production => 2,
    };
    tiers.min_by_key(|t| rank(*t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_stand_for_environments() {
        for n in [
            "staging",
            "pr-preview",
            "Preview",
            "dev",
            "qa-eu",
            "uat",
            "integration",
            "production-preview",
            "sandbox2",
            "onboarding",
            "onboarding-collections",
            "training",
            "preprod",
            "app-preprod",
            "research",
        ] {
            assert!(is_nonprod_environment(n), "{n}");
        }
        for n in [
            "production",
            "prod",
            "live",
            "github-pages",
            "pypi",
            "release",
            "prod-eu",
            "main",
        ] {
            assert!(!is_nonprod_environment(n), "{n}");
        }
        assert_eq!(tier_of_name("prod-eu"), Some(Tier::Production));
        assert_eq!(tier_of_name("staging-eu"), Some(Tier::PreProduction));
        assert_eq!(tier_of_name("github-pages"), None);
    }

    #[test]
    fn code_reads_only_unambiguous_words() {
        for w in [
            "dev",
            "development",
            "qa",
            "uat",
            "ci",
            "e2e",
            "local",
            "test",
        ] {
            assert_eq!(tier_of_code_word(w), Some(Tier::NonProduction), "{w}");
        }
        // A feature as often as an environment in code: `if preview:`, `class IntegrationClient`.
        for w in ["preview", "integration", "review", "demo", "staging"] {
            assert_eq!(tier_of_code_word(w), None, "{w}");
            assert!(tier_of_word(w).is_some(), "{w}");
        }
        assert_eq!(tier_of_code_word("production"), Some(Tier::Production));
        // Whole words only outside an environment's own name: `integrations` is not `integration`.
        assert_eq!(tier_of_word("integrations"), None);
        assert_eq!(tier_of_name("integrations"), Some(Tier::NonProduction));
    }

    #[test]
    fn feature_words_name_environments_only_where_one_is_expected() {
        for w in ["onboarding", "training"] {
            assert_eq!(tier_of_word(w), None, "{w}");
            assert_eq!(tier_of_code_word(w), None, "{w}");
            assert_eq!(
                tier_of_environment_word(w),
                Some(Tier::NonProduction),
                "{w}"
            );
            assert_eq!(tier_of_name(w), Some(Tier::NonProduction), "{w}");
        }
        assert_eq!(
            tier_of_environment_word("staging"),
            Some(Tier::PreProduction)
        );
        assert_eq!(tier_of_environment_word("prod"), Some(Tier::Production));
    }
}
