//! `[declared]` in shipgate.toml: branch protection declared as code (Terraform's GitHub provider,
//! safe-settings / Probot `settings.yml`) in this tree, and how to read it.

use crate::diag::SourceDiag;
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawDeclared {
    enabled: Option<bool>,
    owner: Option<Spanned<String>>,
    #[serde(default)]
    branches: Vec<Spanned<String>>,
    #[serde(default)]
    var_files: Vec<Spanned<String>>,
}

/// How declared settings are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredConfig {
    /// None: read them when the tree has any (Terraform GitHub resources or a settings file);
    /// false: never; true: the tree must declare some (none found fails closed).
    pub enabled: Option<bool>,
    /// Whose repositories the declarations name, when the provider block does not say.
    pub owner: Option<String>,
    /// The deployment branches of every declared repository; empty: each one's declared default branch.
    pub branches: Vec<String>,
    /// Terraform variable files to load besides `terraform.tfvars` and `*.auto.tfvars` (what the
    /// pipeline passes with `-var-file`), relative to the repository root.
    pub var_files: Vec<String>,
}

type At<'a> = &'a dyn Fn(Range<usize>, String, &str) -> SourceDiag;

pub(super) fn parse(raw: &RawDeclared, at: At<'_>) -> Result<DeclaredConfig, SourceDiag> {
    for f in &raw.var_files {
        if !super::policy::stays_inside(f.get_ref().trim_start_matches("./")) {
            return Err(at(
                f.span(),
                format!(
                    "`[declared] var-files` entry `{}` reaches outside the repository",
                    f.get_ref()
                ),
                "outside the repository",
            )
            .with_help("name the variable file relative to the repository root, without `..`"));
        }
    }
    if let Some(o) = &raw.owner {
        let valid = !o.get_ref().is_empty()
            && o.get_ref()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !valid {
            return Err(at(
                o.span(),
                format!(
                    "`[declared] owner` is not a GitHub owner name: `{}`",
                    o.get_ref()
                ),
                "not an owner",
            ));
        }
    }
    for b in &raw.branches {
        if b.get_ref().trim().is_empty() {
            return Err(at(b.span(), "an empty branch name".into(), "empty"));
        }
    }
    Ok(DeclaredConfig {
        enabled: raw.enabled,
        owner: raw.owner.as_ref().map(|o| o.get_ref().clone()),
        branches: raw.branches.iter().map(|b| b.get_ref().clone()).collect(),
        var_files: raw
            .var_files
            .iter()
            .map(|f| f.get_ref().trim_start_matches("./").to_string())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::parse;

    #[test]
    fn var_files_stay_inside_and_errors_point_at_the_entry() {
        let ok = parse(
            "s.toml",
            "[declared]\nowner = \"octo-org\"\nvar-files = [\"./env/prod.tfvars\"]\n",
        );
        assert_eq!(
            ok.ok().map(|c| c.declared.var_files),
            Some(vec!["env/prod.tfvars".to_string()])
        );
        let e = parse("s.toml", "[declared]\nvar-files = [\"../x.tfvars\"]\n").err();
        assert!(
            e.as_ref().is_some_and(|e| e.message.contains("outside")),
            "{e:?}"
        );
        assert_eq!(e.as_ref().and_then(crate::diag::SourceDiag::line), Some(2));
        let e = parse("s.toml", "[declared]\nowner = \"a b\"\n").err();
        assert!(e.is_some_and(|e| e.message.contains("owner")));
    }
}
