//! The written process: how code is tested, reviewed and deployed, and a pull-request template.
use crate::common::*;

fn process_findings(files: &[(&str, &str)]) -> Vec<String> {
    let repo = Repo::bare();
    repo.write(".github/CODEOWNERS", "* @acme/all\n");
    for (p, t) in files {
        repo.write(p, t);
    }
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    located(&report, "process/")
        .into_iter()
        .map(|f| f.0)
        .collect()
}

#[test]
fn each_undocumented_topic_and_a_missing_template_is_a_warning() {
    let found = process_findings(&[("README.md", "# app\n\nRun `cargo test` before pushing.\n")]);
    assert_eq!(
        found,
        vec![
            "process/no-pr-template",
            "process/undocumented-deployment",
            "process/undocumented-review",
        ]
    );
}

#[test]
fn topics_count_in_headings_and_explanations_across_the_candidate_documents() {
    let found = process_findings(&[
        ("README.md", "# app\n"),
        (
            "CONTRIBUTING.md",
            "Testing\n=======\n\nEvery change needs an approval from a maintainer.\n",
        ),
        (
            "docs/releasing.md",
            "# Releasing\n\nTag the commit on main.\n",
        ),
        (
            ".github/PULL_REQUEST_TEMPLATE/default.md",
            "- [ ] tests added\n",
        ),
    ]);
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn documents_outside_the_candidates_and_passing_mentions_do_not_count() {
    let found = process_findings(&[
        (
            "README.md",
            "# app\nThe latest release notes are on the website.\n",
        ),
        ("api/v2/deploying.md", "# Deploying\n\nRun the pipeline.\n"),
        ("src/testing.md", "# Testing\n"),
        (".github/pull_request_template.md", "Describe the change.\n"),
    ]);
    assert_eq!(
        found,
        vec![
            "process/undocumented-deployment",
            "process/undocumented-review",
            "process/undocumented-testing",
        ]
    );
}

#[test]
fn explain_says_what_a_good_one_contains() {
    let r = run(
        &["explain", "process/no-pr-template"],
        &std::env::temp_dir(),
    );
    assert_eq!(r.code, 0);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "how it was tested",
        "access/permission changes",
        "rollback plan",
    ] {
        assert!(text.contains(part), "{text}");
    }
}

/// Issue 23: the process is judged by sections, in every document a team writes it in — not by a keyword,
/// and not differently for `*` and `-` bullets.
#[test]
fn sections_in_maintainers_agents_docs_and_merge_request_templates_count() {
    let documented = process_findings(&[
        ("README.md", "# app\n"),
        (
            "MAINTAINERS.md",
            "# Maintainers\n\n## Packaging a new version\n\n1. Bump the version.\n2. Tag it and push the tag.\n",
        ),
        (
            "AGENTS.md",
            "# Working here\n\n## Testing\n\nRun `make check` and fix what fails.\n",
        ),
        (
            "docs/team/code-review.md",
            "# Code review\n\nEvery pull request needs one approving review.\n",
        ),
        (
            ".gitlab/merge_request_templates/Default.md",
            "## What does this change?\n",
        ),
    ]);
    assert_eq!(documented, Vec::<String>::new());

    // Documented by reference: the pull-request template links the team manual's guidance on reviewing
    // and merging pull requests (GOV.UK's development pipeline).
    let by_reference = process_findings(&[
        ("README.md", "# app\n\n## Testing\n\nRun `make test`.\n\n## Deployment\n\nMerged changes deploy continuously.\n"),
        (
            ".github/pull_request_template.md",
            "⚠️ This repo is Continuously Deployed: make sure you [follow the guidance](https://docs.publishing.service.gov.uk/manual/development-pipeline.html#merge-your-own-pull-request) ⚠️\n",
        ),
    ]);
    assert_eq!(by_reference, Vec::<String>::new());
    // Twin: a link to the list of open pull requests documents nothing.
    let not_a_document = process_findings(&[
        ("README.md", "# app\n\n## Testing\n\nRun `make test`.\n\n## Deployment\n\nMerged changes deploy continuously.\n"),
        (
            ".github/pull_request_template.md",
            "See the [open pull requests](https://github.com/acme/app/pulls).\n",
        ),
    ]);
    assert_eq!(not_a_document, vec!["process/undocumented-review"]);

    // Twins: a changelog's bullet saying a version "is a major release" documents nothing, with either
    // bullet; nor does a heading that is a sentence, or a section with nothing under it.
    for bullet in ["*", "-"] {
        let found = process_findings(&[
            (
                "README.md",
                &format!("# app\n\n## Changes\n\n{bullet} 3.0 is a major release\n\n## Testing\n\nRun `make test`.\n"),
            ),
            ("CONTRIBUTING.md", "# Review\n\nOpen a pull request; one approval is needed.\n"),
            (".github/pull_request_template.md", "Describe the change.\n"),
        ]);
        assert_eq!(found, vec!["process/undocumented-deployment"], "{bullet}");
    }
    let found = process_findings(&[
        (
            "README.md",
            "# app\n\n## 3.0 is a major release\n\nMany changes.\n\n## Releasing\n\n## Testing\n\nRun `make test`.\n",
        ),
        ("CONTRIBUTING.md", "# Review\n\nOpen a pull request; one approval is needed.\n"),
        (".github/pull_request_template.md", "Describe the change.\n"),
    ]);
    assert_eq!(found, vec!["process/undocumented-deployment"]);
}
