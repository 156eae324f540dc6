//! A declared repository's branch and environments as the GitHub checks see observed ones: the
//! declarations that apply to the branch are put in the API's shapes and merged by the same
//! `github::protection::effective` (classic + rulesets, stricter wins, bypass actors), and each source
//! of the merged policy keeps the declaration it came from.

use super::model::{ClassicDecl, Declared, EnvDecl, Origin, RulesetDecl};
use crate::github::client::Fetched;
use crate::github::protection::{self, BranchFacts, Classic, Policy, Ruleset};
use globset::GlobBuilder;

/// The URL scheme the declared sources carry instead of a settings page: `declared:N` is source N's
/// declaration, `declared:repository` the repository's.
pub const SOURCE: &str = "declared:";
pub const REPOSITORY: &str = "declared:repository";

pub struct BranchView<'a> {
    pub branch: String,
    pub policy: Policy,
    /// The declaration behind each of `policy.sources`, by index.
    pub origins: Vec<&'a Origin>,
}

impl BranchView<'_> {
    /// The declaration a finding's `url` names (`declared:N`).
    pub fn origin_of(&self, url: &str) -> Option<&Origin> {
        let i: usize = url.strip_prefix(SOURCE)?.parse().ok()?;
        self.origins.get(i).copied()
    }
}

/// Does a branch pattern match (`*` stays within a path segment, `**` crosses them), `~DEFAULT_BRANCH`
/// and `~ALL` as rulesets write them?
pub fn pattern_matches(pattern: &str, branch: &str, default_branch: &str) -> bool {
    let p = pattern.strip_prefix("refs/heads/").unwrap_or(pattern);
    match p {
        "~ALL" => true,
        "~DEFAULT_BRANCH" => branch == default_branch,
        _ if p == branch => true,
        _ => GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .is_ok_and(|g| g.compile_matcher().is_match(branch)),
    }
}

fn repo_matches(decl: &Option<String>, repo: &Option<String>) -> bool {
    decl == repo
}

/// The classic rule GitHub applies to `branch`: one naming it exactly wins over patterns.
pub fn classic_for<'a>(
    d: &'a Declared,
    repo: &Option<String>,
    branch: &str,
    default_branch: &str,
) -> Option<&'a ClassicDecl> {
    let mine = || d.classic.iter().filter(|c| repo_matches(&c.repo, repo));
    mine()
        .find(|c| c.pattern == branch)
        .or_else(|| mine().find(|c| pattern_matches(&c.pattern, branch, default_branch)))
}

/// The active rulesets that target `branch` of `repo` (its own, and the organisation's that name it).
pub fn rulesets_for<'a>(
    d: &'a Declared,
    repo: &Option<String>,
    branch: &str,
    default_branch: &str,
) -> Vec<&'a RulesetDecl> {
    d.rulesets
        .iter()
        .filter(|r| r.enforcement == "active")
        .filter(|r| match &r.org {
            None => repo_matches(&r.repo, repo),
            Some(cond) => {
                let name = repo.as_deref().unwrap_or("");
                let hit =
                    |g: &String| g == "~ALL" || (!name.is_empty() && pattern_matches(g, name, ""));
                cond.include.iter().any(hit) && !cond.exclude.iter().any(hit)
            }
        })
        .filter(|r| {
            r.include
                .iter()
                .any(|p| pattern_matches(p, branch, default_branch))
                && !r
                    .exclude
                    .iter()
                    .any(|p| pattern_matches(p, branch, default_branch))
        })
        .collect()
}

/// The merged policy of `branch`, as declared.
pub fn branch<'a>(
    d: &'a Declared,
    repo: &Option<String>,
    branch: &str,
    default_branch: &str,
) -> BranchView<'a> {
    let classic = classic_for(d, repo, branch, default_branch);
    let rulesets = rulesets_for(d, repo, branch, default_branch);
    let mut rules = Vec::new();
    let mut sets = Vec::new();
    for (k, r) in rulesets.iter().enumerate() {
        let id = k as u64 + 1;
        let source_type = if r.org.is_some() {
            "Organization"
        } else {
            "Repository"
        };
        for rule in &r.rules {
            let mut rule = rule.clone();
            rule.ruleset_id = Some(id);
            rule.ruleset_source_type = Some(source_type.into());
            rules.push(rule);
        }
        sets.push((
            id,
            Fetched::Ok(Ruleset {
                id,
                name: r.name.clone(),
                source_type: Some(source_type.into()),
                source: None,
                bypass_actors: Some(r.bypass.clone()),
                links: None,
            }),
        ));
    }
    let facts = BranchFacts {
        name: branch.to_string(),
        classic: match classic {
            Some(c) => Classic::Protected(Box::new(c.protection.clone())),
            None => Classic::NotProtected,
        },
        graphql: None,
        rules: Fetched::Ok(rules),
        rulesets: sets,
    };
    let mut policy = match protection::effective(&facts, "") {
        Ok(p) => p,
        // Nothing here can fail (no answer is awaited); an empty policy is the honest fallback.
        Err(_) => Policy {
            branch: branch.to_string(),
            sources: Vec::new(),
            values: Vec::new(),
            unknown: None,
            notes: Vec::new(),
            settings_url: String::new(),
            // Declared settings are all there is to read: nothing is hidden from a token.
            classic_read_in_full: true,
        },
    };
    // Each source of the merged policy back to its declaration (a ruleset without rules is none).
    let mut origins: Vec<&Origin> = Vec::new();
    for (i, s) in policy.sources.iter_mut().enumerate() {
        let origin = match s.kind {
            protection::SourceKind::Classic => classic.map(|c| &c.origin),
            protection::SourceKind::Ruleset(id) => usize::try_from(id)
                .ok()
                .and_then(|id| rulesets.get(id.wrapping_sub(1)))
                .map(|r| &r.origin),
        };
        if let Some(o) = origin {
            s.label = format!("{} ({})", o.label, o.at.show());
            s.url = format!("{SOURCE}{i}");
            origins.push(o);
        }
    }
    policy.settings_url = REPOSITORY.to_string();
    BranchView {
        branch: branch.to_string(),
        policy,
        origins,
    }
}

/// The declared environments of `repo`.
pub fn environments<'a>(d: &'a Declared, repo: &Option<String>) -> Vec<&'a EnvDecl> {
    d.environments
        .iter()
        .filter(|e| repo_matches(&e.repo, repo))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_as_github_matches_them() {
        assert!(pattern_matches("main", "main", "main"));
        assert!(pattern_matches(
            "refs/heads/release/*",
            "release/1.0",
            "main"
        ));
        assert!(!pattern_matches("release/*", "release/1/x", "main"));
        assert!(pattern_matches("release/**", "release/1/x", "main"));
        assert!(pattern_matches("~DEFAULT_BRANCH", "trunk", "trunk"));
        assert!(!pattern_matches("~DEFAULT_BRANCH", "main", "trunk"));
        assert!(!pattern_matches("mian", "main", "main"));
    }
}
