//! CODEOWNERS (rule family `owners/…`): lines GitHub skips, rules that match nothing or never decide
//! anything, and sensitive paths — workflows, deploy files, migrations, access control, CODEOWNERS itself,
//! shipgate's config — that no owner has to review.

use crate::context::Context;
use crate::finding::{FileSpan, Finding, Location, Severity};
use crate::repo::classify::FileClass;
use crate::repo::codeowners::{self, Codeowners, ProblemKind};
use crate::repo::files::FileEntry;
use crate::repo::text::LineIndex;
use crate::rules::rule;
use crate::rules::CodeRule;

pub const MISSING: &str = "owners/missing";
pub const INVALID_OWNER: &str = "owners/invalid-owner";
pub const UNSUPPORTED_PATTERN: &str = "owners/unsupported-pattern";
pub const MATCHES_NOTHING: &str = "owners/pattern-matches-nothing";
pub const SHADOWED: &str = "owners/shadowed-rule";
pub const UNOWNED_SENSITIVE: &str = "owners/unowned-sensitive-path";
pub const IGNORED_FILE: &str = "owners/ignored-file";
pub const TOO_LARGE: &str = "owners/too-large";

const REVIEW_WHY: &str = "A CODEOWNERS file names who must review changes to each path; with branch protection \
    requiring code-owner review, a change to a deploy script, a workflow or an access setting cannot merge until \
    its owner approves. The regulator's recommendations after test data reached the live police national \
    database were to review code before deployment and protect deployment branches, and the MOPAC web forms \
    were made public by one person's unreviewed permission change.";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: MISSING,
        fires_in: "owners::no_codeowners_is_one_warning_saying_what_it_would_protect",
        title: "No CODEOWNERS file",
        severity: Severity::Warning,
        why: REVIEW_WHY,
        fix: "Create .github/CODEOWNERS naming the owners of the sensitive paths (at least `.github/`, deploy \
              files, migrations, access configuration and CODEOWNERS itself), e.g. `/.github/ @org/platform`, \
              and turn on 'Require review from Code Owners' for the deployment branches.",
        example: "no .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS; it would protect 4 workflow files, 2 Dockerfiles, …",
    },
    CodeRule {
        id: INVALID_OWNER,
        fires_in: "owners::an_invalid_owner_is_an_error_on_the_owner_and_the_line_owns_nothing",
        title: "CODEOWNERS line with an invalid owner (GitHub skips the line)",
        severity: Severity::Error,
        why: "GitHub ignores a CODEOWNERS line containing anything that is not `@user`, `@org/team` or an e-mail \
              address — the pattern then has no owner and changes to it need nobody's review, silently.",
        fix: "Write owners as `@username`, `@org/team-name` or an e-mail address, separated by spaces.",
        example: "/deploy/ platform-team",
    },
    CodeRule {
        id: UNSUPPORTED_PATTERN,
        fires_in: "owners::patterns_github_does_not_support_are_errors_on_the_pattern",
        title: "CODEOWNERS pattern GitHub does not support (GitHub skips the line)",
        severity: Severity::Error,
        why: "CODEOWNERS patterns look like .gitignore, but GitHub does not support `!` negation, `[ ]` character \
              ranges or a `\\#` escape, and `/` matches nothing. The line is skipped, so the paths it was meant to \
              protect have no owner and need no review.",
        fix: "Rewrite with `*`, `**` and `?` only; to take ownership away, add a later line with the pattern and no \
              owners; to cover every file use `*`.",
        example: "*.[ch] @org/c-team",
    },
    CodeRule {
        id: MATCHES_NOTHING,
        fires_in: "owners::a_pattern_matching_no_file_is_a_warning",
        title: "CODEOWNERS pattern matches no file",
        severity: Severity::Warning,
        why: "A rule that matches nothing is usually a typo or a path that moved — and the files it was meant to \
              protect are then owned by some other rule, or by nobody.",
        fix: "Correct the pattern (paths are case-sensitive and relative to the repository root) or delete it.",
        example: "/deploy/helm/ @org/platform   (the directory is charts/)",
    },
    CodeRule {
        id: SHADOWED,
        fires_in: "owners::a_rule_always_overridden_by_a_later_one_is_shadowed",
        title: "CODEOWNERS rule never decides ownership (a later rule always wins)",
        severity: Severity::Warning,
        why: "The last matching rule wins. A rule whose every file is also matched by a later one has no effect, \
              so its owners are never asked to review — often the owners someone meant to require. A line repeated \
              later with the same owners loses no reviewer and is not reported.",
        fix: "Move the specific rule below the general one (general patterns first, specific last), or delete it.",
        example: "/infra/ @org/sre  followed later by  * @org/everyone",
    },
    CodeRule {
        id: UNOWNED_SENSITIVE,
        fires_in: "owners::sensitive_paths_without_an_owner_are_reported_per_kind_on_the_first_file",
        title: "Sensitive paths with no code owner",
        severity: Severity::Warning,
        why: REVIEW_WHY,
        fix: "Add CODEOWNERS rules for these paths (e.g. `/.github/ @org/platform`, `/migrations/ @org/dba`, \
              `/infra/ @org/sre`, `/.github/CODEOWNERS @org/leads`), or remove the later rule that un-owns them.",
        example: "CI workflow files without a code owner in .github/CODEOWNERS (3): .github/workflows/deploy.yml, …",
    },
    CodeRule {
        id: IGNORED_FILE,
        fires_in: "owners::only_the_first_codeowners_counts_and_the_others_are_reported",
        title: "CODEOWNERS file that GitHub ignores",
        severity: Severity::Warning,
        why: "GitHub reads only the first of .github/CODEOWNERS, CODEOWNERS and docs/CODEOWNERS. Edits to another \
              copy change nothing, and reviewers believe owners exist that GitHub never asks.",
        fix: "Merge the rules into the file GitHub uses and delete the other copy.",
        example: "docs/CODEOWNERS is ignored: .github/CODEOWNERS takes precedence",
    },
    CodeRule {
        id: TOO_LARGE,
        fires_in: "owners::a_codeowners_file_github_will_not_load_is_an_error",
        title: "CODEOWNERS file too large for GitHub",
        severity: Severity::Error,
        why: "GitHub does not load a CODEOWNERS file of 3 MB or more: no owner is requested for any path.",
        fix: "Shrink it with wildcard patterns (one rule per directory rather than per file).",
        example: ".github/CODEOWNERS is 3.4 MB",
    },
];

/// Paths whose changes should always need an owner's review, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sensitive {
    Workflow,
    Deploy,
    Migration,
    AccessControl,
    Codeowners,
    GateConfig,
}

impl Sensitive {
    pub fn describe(self) -> &'static str {
        match self {
            Sensitive::Workflow => "CI workflow files",
            Sensitive::Deploy => "deploy scripts, Dockerfiles and infrastructure-as-code files",
            Sensitive::Migration => "database migrations and seeds",
            Sensitive::AccessControl => "access-control files",
            Sensitive::Codeowners => "the CODEOWNERS file",
            Sensitive::GateConfig => "shipgate configuration files",
        }
    }
}

pub fn sensitive(file: &FileEntry) -> Option<Sensitive> {
    let path = &*file.path;
    if codeowners::LOCATIONS.contains(&path) {
        return Some(Sensitive::Codeowners);
    }
    if matches!(path, "shipgate.toml" | ".github/shipgate.toml") || path.starts_with(".shipgate/") {
        return Some(Sensitive::GateConfig);
    }
    match file.class {
        FileClass::Ci => return Some(Sensitive::Workflow),
        _ if path.starts_with(".github/actions/") => return Some(Sensitive::Workflow),
        FileClass::Deploy => return Some(Sensitive::Deploy),
        FileClass::Migration => return Some(Sensitive::Migration),
        // A template is a page people read (a cookie policy, a privacy policy), never what decides access.
        FileClass::Test
        | FileClass::Fixture
        | FileClass::Docs
        | FileClass::Vendor
        | FileClass::DevConfig
        | FileClass::Template => return None,
        _ => {}
    }
    is_access_control(path).then_some(Sensitive::AccessControl)
}

/// Files that decide who may see or change data: Firebase rules, OPA policies, IAM/RBAC definitions,
/// bucket policies, permission classes.
pub fn is_access_control(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if matches!(
        name,
        "firestore.rules" | "storage.rules" | "database.rules.json"
    ) || name.ends_with(".rego")
    {
        return true;
    }
    const WORDS: &[&str] = &[
        "iam",
        "rbac",
        "acl",
        "acls",
        "permission",
        "permissions",
        "policy",
        "policies",
        "clusterrole",
        "rolebinding",
        "clusterrolebinding",
        "authz",
        "authorization",
        "sharing",
    ];
    // "Policy" also names the pages a service publishes (cookie policy, privacy policy, accessibility
    // statement): with one of their words it is such a page, not an access policy.
    const PAGE_WORDS: &[&str] = &[
        "cookie",
        "cookies",
        "privacy",
        "accessibility",
        "terms",
        "content",
        "complaints",
        "retention",
    ];
    // Front-end assets run in the browser: they show access, the server decides it.
    if lower.split('/').rev().skip(1).any(|d| {
        matches!(
            d,
            "assets" | "static" | "public" | "javascripts" | "stylesheets" | "images"
        )
    }) {
        return false;
    }
    let tokens: Vec<&str> = name.split(['.', '_', '-']).collect();
    let page = tokens.iter().any(|t| PAGE_WORDS.contains(t));
    let in_name = tokens
        .iter()
        .any(|t| WORDS.contains(t) && !(page && matches!(*t, "policy" | "policies")));
    let in_dir = lower
        .split('/')
        .rev()
        .skip(1)
        .any(|d| matches!(d, "iam" | "rbac" | "policies" | "permissions"));
    in_name || in_dir
}

pub fn run(ctx: &Context) -> Vec<Finding> {
    // GitHub uses the first location that exists, whether or not we could read it.
    let Some(used) = codeowners::LOCATIONS
        .iter()
        .find_map(|l| ctx.files.iter().find(|f| *f.path == **l))
    else {
        return vec![missing(ctx)];
    };
    if used.size >= codeowners::GITHUB_MAX_SIZE {
        return vec![rule!(TOO_LARGE).finding(format!(
            "`{}` is {} bytes; GitHub does not load a CODEOWNERS file of 3 MB or more, so no path has an owner",
            used.path, used.size
        ), Location::File(line_one(&used.path)))];
    }
    let Some(co) = ctx.repo.codeowners().filter(|c| *c.path == *used.path) else {
        // Present but not read (over `[scan] max-file-size`, or binary): ownership cannot be evaluated.
        return vec![rule!(super::gate::RULES, crate::repo::files::UNREADABLE)
            .finding(
                format!(
                    "could not read `{}`: it is larger than `[scan] max-file-size` or not text",
                    used.path
                ),
                Location::File(line_one(&used.path)),
            )
            .with_help(
                "raise `[scan] max-file-size` in shipgate.toml above the CODEOWNERS file's size",
            )];
    };
    let mut out = Vec::new();
    for other in ctx.repo.codeowners.iter().skip(1) {
        out.push(
            rule!(IGNORED_FILE)
                .finding(
                    format!(
                        "`{}` is ignored: GitHub uses `{}`, the first CODEOWNERS it finds",
                        other.path, co.path
                    ),
                    Location::File(line_one(&other.path)),
                )
                .with_evidence(other.path.clone())
                .with_help("merge its rules into the file GitHub uses and delete this one"),
        );
    }
    let mut lines = LineIndex::new(co.text.as_bytes());
    let mut span = |r: &std::ops::Range<usize>| lines.span(&co.path, r.start, r.end);
    for p in &co.problems {
        let rule = match p.kind {
            ProblemKind::InvalidOwner => rule!(INVALID_OWNER),
            ProblemKind::UnsupportedPattern => rule!(UNSUPPORTED_PATTERN),
        };
        out.push(
            rule.finding(p.message.clone(), Location::File(span(&p.span)))
                .with_evidence(co.text[p.span.clone()].to_string())
                .with_help(p.help),
        );
    }
    let usage = Usage::of(co, &ctx.files);
    // A submodule is one path here (its gitlink), not walked (see repo/files.rs): a rule that matches it
    // owns submodule bumps and matches something, though no walked file.
    let mut owns_submodule = vec![false; co.rules.len()];
    let mut hits = Vec::new();
    for path in &ctx.nested_repos {
        co.matching_rules(path, &mut hits);
        for &i in &hits {
            owns_submodule[i] = true;
        }
    }
    for (i, r) in co.rules.iter().enumerate() {
        let (message, rule) = match (usage.matched[i], usage.decided[i], usage.shadowed_by[i]) {
            (0, _, _) if owns_submodule[i] => continue,
            (0, _, _) => (
                format!("`{}` matches no file in the repository", r.pattern),
                rule!(MATCHES_NOTHING),
            ),
            // Every later rule that wins names the same owners: a repeated line, no reviewer is lost.
            (_, false, Some(_)) if !usage.owners_lost[i] => continue,
            (n, false, Some(by)) => (
                format!(
                    "`{}` never decides ownership: all {n} file(s) it matches are matched again by a later rule (line {} `{}`), and the last match wins",
                    r.pattern, co.rules[by].line, co.rules[by].pattern
                ),
                rule!(SHADOWED),
            ),
            _ => continue,
        };
        out.push(
            rule.finding(message, Location::File(span(&r.span)))
                .with_evidence(r.pattern.clone()),
        );
    }
    out.extend(unowned_sensitive(ctx, co));
    out
}

/// Per rule: how many files it matches, whether it is the last match for any, and a later rule that
/// overrides it.
struct Usage {
    matched: Vec<usize>,
    decided: Vec<bool>,
    shadowed_by: Vec<Option<usize>>,
    /// Does a later rule take one of its files with other owners (its own owners lose a review)?
    owners_lost: Vec<bool>,
}

impl Usage {
    fn of(co: &Codeowners, files: &[FileEntry]) -> Usage {
        let n = co.rules.len();
        let mut u = Usage {
            matched: vec![0; n],
            decided: vec![false; n],
            shadowed_by: vec![None; n],
            owners_lost: vec![false; n],
        };
        // Owners compare as GitHub does: a set, case-insensitively.
        let owner_sets: Vec<std::collections::BTreeSet<String>> = co
            .rules
            .iter()
            .map(|r| r.owners.iter().map(|o| o.to_ascii_lowercase()).collect())
            .collect();
        let same_owners = |a: usize, b: usize| owner_sets[a] == owner_sets[b];
        let mut hits = Vec::new();
        for f in files {
            co.matching_rules(&f.path, &mut hits);
            let Some(&last) = hits.last() else { continue };
            u.decided[last] = true;
            for &i in &hits {
                u.matched[i] += 1;
                if i != last {
                    u.shadowed_by[i].get_or_insert(last);
                    if !u.owners_lost[i] && !same_owners(i, last) {
                        u.owners_lost[i] = true;
                    }
                }
            }
        }
        u
    }
}

/// One finding per kind of sensitive path with unowned files, on the first such file.
fn unowned_sensitive(ctx: &Context, co: &Codeowners) -> Vec<Finding> {
    let mut groups: std::collections::BTreeMap<Sensitive, Vec<&FileEntry>> = Default::default();
    for f in &ctx.files {
        if let Some(kind) = sensitive(f) {
            if !co.is_owned(&f.path) {
                groups.entry(kind).or_default().push(f);
            }
        }
    }
    groups
        .into_iter()
        .map(|(kind, files)| {
            let first = files[0];
            let unowned_by = co
                .decisive_rule(&first.path)
                .map(|i| {
                    format!(
                        " (line {} `{}` matches it with no owners)",
                        co.rules[i].line, co.rules[i].pattern
                    )
                })
                .unwrap_or_default();
            rule!(UNOWNED_SENSITIVE)
                .finding(
                    format!(
                        "{} without a code owner in {} ({}): {}{}",
                        kind.describe(),
                        co.path,
                        files.len(),
                        list(files.iter().map(|f| &*f.path)),
                        unowned_by
                    ),
                    Location::File(line_one(&first.path)),
                )
                .with_evidence(kind.describe())
                .with_help(format!("add a CODEOWNERS rule covering `{}`", first.path))
        })
        .collect()
}

fn missing(ctx: &Context) -> Finding {
    let mut counts: std::collections::BTreeMap<Sensitive, usize> = Default::default();
    for f in &ctx.files {
        if let Some(k) = sensitive(f) {
            *counts.entry(k).or_default() += 1;
        }
    }
    let protects = if counts.is_empty() {
        "every change, once owners are named".to_string()
    } else {
        counts
            .iter()
            .map(|(k, n)| format!("{} ({n})", k.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    rule!(MISSING).finding(format!(
        "no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): nobody is required to review changes; it would protect {protects}"
    ), Location::Repository)
    .with_help("create .github/CODEOWNERS and require code-owner review on the deployment branches")
}

/// `a, b, c and 4 more`.
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = items.collect();
    let shown = all.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    match all.len() {
        n if n > 3 => format!("{shown} and {} more", n - 3),
        _ => shown,
    }
}

pub(crate) fn line_one(path: &str) -> FileSpan {
    FileSpan {
        path: path.to_string(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        span: (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_control_paths() {
        for yes in [
            "firestore.rules",
            "infra/iam.tf",
            "k8s/rbac.yaml",
            "policies/deny.rego",
            "config/bucket-policy.json",
            "app/permissions.py",
            "iam/roles.yaml",
        ] {
            assert!(is_access_control(yes), "{yes}");
        }
        for no in [
            "src/main.rs",
            "app/views.py",
            "ansible/roles/web/tasks.yml",
            "privacy.md",
            "src/pages/cookie-policy.tsx",
            "caseworker/assets/javascripts/flags-permission-hints.js",
            "app/content/privacy_policy.yml",
        ] {
            assert!(!is_access_control(no), "{no}");
        }
    }
}
