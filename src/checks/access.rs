//! Access widening (rule family `access/…`). The settings that make data public are pattern rules in
//! `rules/access.toml`; this module adds the one rule that needs the change itself: in `--diff` mode, a
//! change that widens access or edits access-control files must have a code owner to review it.

use super::owners::is_access_control;
use crate::context::Context;
use crate::finding::FileSpan;
use crate::finding::{Finding, Location, Severity};
use crate::repo::codeowners;
use crate::rules::rule;
use crate::rules::CodeRule;

pub const UNOWNED_CHANGE: &str = "access/unowned-change";

pub const RULES: &[CodeRule] = &[CodeRule {
    id: UNOWNED_CHANGE,
    fires_in: "access::a_change_to_access_with_no_code_owner_is_unowned_change_in_diff_mode",
    title: "Access change with no code owner to review it",
    severity: Severity::Error,
    why: "At MOPAC a staff member meant to let four colleagues read web-form submissions and instead made them \
          public; nobody reviewed the change, there was no policy on granting permissions, and a member of the \
          public found it three months later. A change that widens access, or edits the files that decide \
          access, must be approved by someone accountable for it before it merges.",
    fix: "Add a CODEOWNERS rule on the base branch naming the owners of this path (e.g. `/infra/iam/ @org/security`: \
          ownership is read from the base, as GitHub reads it, so the change cannot name its own owners), require \
          code-owner review on the deployment branches, and have them review this change.",
    example: "infra/storage.tf: `acl = \"public-read\"` changed, and no CODEOWNERS rule covers infra/storage.tf",
}];

/// In `--diff` mode against a base: judge the change's paths with the findings it introduces. A
/// whole-tree run has no change to judge. Ownership is the base branch's CODEOWNERS, as GitHub reads it
/// for a pull request: a change cannot name itself owner of what it changes.
pub fn run(ctx: &Context, findings: &[Finding]) -> Vec<Finding> {
    let Some(scope) = ctx.diff.as_ref().filter(|d| d.base.is_some()) else {
        return Vec::new();
    };
    // Paths the change left in the tree (a deleted file has nothing left to own).
    let present: std::collections::HashSet<&str> = ctx.files.iter().map(|f| &*f.path).collect();
    let mut changed: Vec<String> = scope
        .changes
        .files
        .keys()
        .filter(|p| present.contains(p.as_str()))
        .cloned()
        .collect();
    changed.sort();
    unowned_access_changes(scope.base_owners.as_ref(), &changed, findings)
}

/// For `--diff`: every changed path that widens access (an `access/…` finding in it) or is an
/// access-control file (Firebase rules, IAM/RBAC, policies, CODEOWNERS) and that no code owner covers.
/// `owners`: the base branch's CODEOWNERS; `findings` the findings the change introduces; `changed` the
/// changed paths, repository-relative.
pub fn unowned_access_changes(
    owners: Option<&codeowners::Codeowners>,
    changed: &[String],
    findings: &[Finding],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in changed {
        if !seen.insert(path.as_str()) || owners.is_some_and(|co| co.is_owned(path)) {
            continue;
        }
        let why_unowned = match owners {
            None => "the base branch has no CODEOWNERS file".to_string(),
            Some(co) => format!("no rule in the base branch's {} gives it an owner", co.path),
        };
        let widening: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule.starts_with("access/") && f.location.file_path() == Some(path))
            .collect();
        for f in &widening {
            out.push(
                rule!(UNOWNED_CHANGE).finding(format!(
                    "this change widens access ({}) and {why_unowned}, so nobody has to review `{path}`",
                    f.rule
                ), f.location.clone())
                .with_evidence(f.evidence.clone().unwrap_or_else(|| f.rule.clone()))
                .with_help("add a CODEOWNERS rule for this path and require code-owner review"),
            );
        }
        let access_file = is_access_control(path) || codeowners::LOCATIONS.contains(&path.as_str());
        if widening.is_empty() && access_file {
            out.push(
                rule!(UNOWNED_CHANGE)
                    .finding(
                        format!(
                            "`{path}` decides who can access what, it changed, and {why_unowned}"
                        ),
                        Location::File(whole_file(path)),
                    )
                    .with_evidence(path.clone())
                    .with_help("add a CODEOWNERS rule for this path and require code-owner review"),
            );
        }
    }
    out
}

/// The file as a whole (line 0): the change to it, wherever its lines changed, is what is reported.
fn whole_file(path: &str) -> FileSpan {
    FileSpan {
        path: path.to_string(),
        line: 0,
        column: 0,
        end_line: 0,
        end_column: 0,
        span: (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::codeowners::Codeowners;

    fn ctx(codeowners: Option<&str>) -> Option<Codeowners> {
        codeowners.map(|t| Codeowners::parse(".github/CODEOWNERS", t))
    }

    fn widening(path: &str) -> Finding {
        Finding::new(
            "access/s3-public-acl",
            Severity::Error,
            "public",
            Location::File(FileSpan {
                path: path.into(),
                line: 7,
                column: 3,
                end_line: 7,
                end_column: 24,
                span: (90, 111),
            }),
        )
    }

    fn changed(paths: &[&str]) -> Vec<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn widening_without_an_owner_is_an_error_at_the_widening() {
        let c = ctx(Some("/app/ @org/web\n"));
        let found = unowned_access_changes(
            c.as_ref(),
            &changed(&["infra/storage.tf", "app/x.py"]),
            &[widening("infra/storage.tf"), widening("infra/other.tf")],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, UNOWNED_CHANGE);
        assert_eq!(found[0].severity, Severity::Error);
        assert!(matches!(&found[0].location, Location::File(s) if s.line == 7 && s.column == 3));
    }

    #[test]
    fn an_owner_covering_the_path_clears_it() {
        let c = ctx(Some("/infra/ @org/sre\n"));
        let found = unowned_access_changes(
            c.as_ref(),
            &changed(&["infra/storage.tf"]),
            &[widening("infra/storage.tf")],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn access_control_files_need_an_owner_even_without_a_widening_setting() {
        let c = ctx(None);
        let found = unowned_access_changes(
            c.as_ref(),
            &changed(&[
                "firestore.rules",
                "k8s/rbac.yaml",
                "src/app.rs",
                ".github/CODEOWNERS",
            ]),
            &[],
        );
        let paths: Vec<_> = found
            .iter()
            .filter_map(|f| f.location.file_path())
            .collect();
        assert_eq!(
            paths,
            vec!["firestore.rules", "k8s/rbac.yaml", ".github/CODEOWNERS"]
        );
        // Un-owned by a later rule with no owners counts as unowned.
        let c = ctx(Some("* @org/all\n/firestore.rules\n"));
        let found = unowned_access_changes(c.as_ref(), &changed(&["firestore.rules"]), &[]);
        assert_eq!(found.len(), 1);
    }
}
