//! The written process (rule family `process/…`): does the repository say how code is tested, reviewed
//! and deployed, and does a pull-request template prompt for it? Reads only the few candidate documents
//! the walk collected (README, CONTRIBUTING, docs about releasing, PR templates) and looks for the topics
//! — in sections whose heading names the topic, or in phrases that only appear when the topic is being
//! explained — not for file names or a word in passing.

use crate::context::Context;
use crate::finding::{Finding, Location, Severity};
use crate::repo::collect::{is_pr_template, TextFile};
use crate::rules::rule;
use crate::rules::CodeRule;

pub const UNDOCUMENTED_TESTING: &str = "process/undocumented-testing";
pub const UNDOCUMENTED_REVIEW: &str = "process/undocumented-review";
pub const UNDOCUMENTED_DEPLOYMENT: &str = "process/undocumented-deployment";
pub const NO_PR_TEMPLATE: &str = "process/no-pr-template";

const PROCESS_WHY: &str = "After test data reached the live police national database, the regulator asked for it \
    to be documented how code is to be tested, reviewed and deployed — especially for software handling \
    sensitive data — and for staff to be trained in it; the MOPAC reprimand found no policy at all on how \
    permissions were granted. A process that is not written down is not followed consistently, cannot be \
    taught, and leaves nothing to audit.";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: UNDOCUMENTED_TESTING,
        fires_in: "process::documents_outside_the_candidates_and_passing_mentions_do_not_count",
        title: "The repository does not say how code is tested",
        severity: Severity::Warning,
        why: PROCESS_WHY,
        fix: "Add a 'Testing' section to CONTRIBUTING.md (or README.md): the command that runs the tests \
              (e.g. `cargo test`, `pytest`), what must pass before a merge (CI checks), where test data lives \
              and that it must never be used in production, and how to test changes to data loads or migrations.",
        example: "no README/CONTRIBUTING/docs section or instructions about testing",
    },
    CodeRule {
        id: UNDOCUMENTED_REVIEW,
        fires_in: "process::each_undocumented_topic_and_a_missing_template_is_a_warning",
        title: "The repository does not say how changes are reviewed",
        severity: Severity::Warning,
        why: PROCESS_WHY,
        fix: "Add a 'Code review' section to CONTRIBUTING.md: every change goes through a pull request, how many \
              approvals it needs and from whom (CODEOWNERS for sensitive paths), what reviewers check (tests, \
              data protection, access changes — who gets access to what and why), and that nobody merges their \
              own unreviewed change to a deployment branch.",
        example: "no README/CONTRIBUTING/docs section about code review or approval",
    },
    CodeRule {
        id: UNDOCUMENTED_DEPLOYMENT,
        fires_in: "process::each_undocumented_topic_and_a_missing_template_is_a_warning",
        title: "The repository does not say how code is deployed",
        severity: Severity::Warning,
        why: PROCESS_WHY,
        fix: "Add a 'Deployment' or 'Releasing' section (or docs/releasing.md): which branches deploy where, who \
              may deploy and with what approval (environments), how a release is checked after it goes out \
              (data loads verified, monitoring), and how to roll back.",
        example: "no README/CONTRIBUTING/docs section about deploying or releasing",
    },
    CodeRule {
        id: NO_PR_TEMPLATE,
        fires_in: "process::each_undocumented_topic_and_a_missing_template_is_a_warning",
        title: "No pull-request template",
        severity: Severity::Warning,
        why: "A pull-request template puts the written process in front of every author and reviewer at the moment \
              it matters: what was tested, whether test data or access settings changed, who must review. It \
              turns the documentation the regulator asked for into a checklist that is actually used.",
        fix: "Add .github/pull_request_template.md with: a summary; how it was tested (commands, evidence); a \
              checklist — tests pass, no test data or debug switches in production code, access/permission \
              changes listed with who gains access and why, migrations reviewed, rollback plan; and the \
              reviewer's sign-off.",
        example: "no .github/pull_request_template.md, .github/PULL_REQUEST_TEMPLATE/*, docs/pull_request_template.md or .gitlab/merge_request_templates/*",
    },
];

struct Topic {
    rule: &'static CodeRule,
    name: &'static str,
    /// Words that make a heading about the topic.
    heading: &'static [&'static str],
    /// Phrases that make a heading about the topic (`new version`).
    heading_phrases: &'static [&'static str],
    /// Phrases that show the topic is being explained in prose.
    phrases: &'static [&'static str],
    /// A sentence shape that shows it too, beyond fixed phrases (a step that has the pull request reviewed).
    step: Option<fn(&str) -> bool>,
}

const TOPICS: &[Topic] = &[
    Topic {
        rule: rule!(UNDOCUMENTED_TESTING),
        name: "how code is tested",
        heading: &["test", "tests", "testing"],
        heading_phrases: &["quality assurance"],
        phrases: &[
            "run the tests",
            "running the tests",
            "run tests",
            "running tests",
            "test suite",
            "unit tests",
            "integration tests",
            "cargo test",
            "npm test",
            "npm run test",
            "yarn test",
            "pnpm test",
            "pytest",
            "go test",
            "make test",
            "mvn test",
            "gradle test",
            "gradlew test",
            "rspec",
            "tox",
            "phpunit",
            "dotnet test",
            "bundle exec rake test",
        ],
        step: None,
    },
    Topic {
        rule: rule!(UNDOCUMENTED_REVIEW),
        name: "how changes are reviewed",
        heading: &[
            "review",
            "reviews",
            "reviewing",
            "reviewer",
            "reviewers",
            "approval",
            "approvals",
            "codeowners",
        ],
        heading_phrases: &[
            "pull request",
            "pull requests",
            "merge request",
            "merge requests",
        ],
        phrases: &[
            "code review",
            "reviewed by",
            "review from",
            "must be reviewed",
            "needs review",
            "require review",
            "requires review",
            "required review",
            "ready for review",
            "approval",
            "approved by",
            "reviewers",
            "code owners",
            "codeowners",
            // "During the pull request review we will check …": the review as a stage of the change.
            "pull request review",
            "pull request reviews",
            "merge request review",
            "merge request reviews",
            // "changes … have to go through a review first", "wait for someone from our team to review".
            "go through a review",
            "goes through a review",
            "go through review",
            "goes through review",
            "someone from our team to review",
            "a member of the team to review",
        ],
        step: Some(review_step),
    },
    Topic {
        rule: rule!(UNDOCUMENTED_DEPLOYMENT),
        name: "how code is deployed or released",
        heading: &[
            "deploy",
            "deploying",
            "deployment",
            "deployments",
            "release",
            "releases",
            "releasing",
            "rollout",
            "publishing",
            "shipping",
        ],
        heading_phrases: &[
            "new version",
            "going live",
            "go live",
            "version bump",
            "bumping the version",
        ],
        phrases: &[
            "deploy",
            "deployment",
            "deployed",
            "release process",
            "releasing",
            "cut a release",
            "publish a release",
            "rollout",
            "roll out",
            "rollback",
            "roll back",
            "deploying",
            // The UK public sector's name for the way a change reaches production ("the 'main' branch
            // forms the route to live").
            "route to live",
            "path to live",
        ],
        step: None,
    },
];

pub fn run(ctx: &Context) -> Vec<Finding> {
    let docs = &ctx.repo.docs;
    let looked: Vec<&str> = docs.iter().map(|d| d.path.as_str()).collect();
    let looked = match looked.len() {
        0 => "no README, CONTRIBUTING or docs/ process document found".to_string(),
        n if n > 6 => format!("looked in {} and {} more", looked[..6].join(", "), n - 6),
        _ => format!("looked in {}", looked.join(", ")),
    };
    let mut out: Vec<Finding> = TOPICS
        .iter()
        .filter(|t| !docs.iter().any(|d| documents(d, t)))
        .map(|t| {
            t.rule
                .finding(
                    format!("the repository does not document {} ({looked})", t.name),
                    Location::Repository,
                )
                .with_help(format!(
                    "`shipgate explain {}` says what a good section contains",
                    t.rule.id
                ))
        })
        .collect();
    if !ctx.files.iter().any(|f| is_pr_template(&f.path)) {
        out.push(
            rule!(NO_PR_TEMPLATE).finding("no pull-request template (.github/pull_request_template.md or .github/PULL_REQUEST_TEMPLATE/)",
                Location::Repository)
            .with_help(format!("`shipgate explain {NO_PR_TEMPLATE}` says what a good one contains")),
        );
    }
    out
}

/// Does the document have a section about the topic — a heading that names it, over some text of its own
/// — or explain it in prose? A heading that is a sentence about something else ("2.0 is a major
/// release") names no section, and a list's bullets (`*` or `-`) are never headings outside Org files.
fn documents(doc: &TextFile, topic: &Topic) -> bool {
    let syntax = Syntax::of(&doc.path);
    let lines: Vec<&str> = doc.text.lines().collect();
    let headings: Vec<(usize, usize)> = (0..lines.len())
        .filter_map(|i| {
            let next = lines.get(i + 1).copied().unwrap_or("");
            heading_level(syntax, lines[i], next).map(|level| (i, level))
        })
        .collect();
    let section_about_topic = headings.iter().enumerate().any(|(k, &(i, level))| {
        let title = heading_text(lines[i]).to_ascii_lowercase();
        // The section runs to the next heading of the same or a higher level.
        let end = headings[k + 1..]
            .iter()
            .find(|(_, l)| *l <= level)
            .map_or(lines.len(), |(j, _)| *j);
        names_topic(&title, topic) && has_body(&lines[i + 1..end])
    });
    // Prose: the lines that are no heading (a heading is judged as a title above).
    section_about_topic
        || links_to_topic(&doc.text, topic)
        || lines.iter().enumerate().any(|(i, line)| {
            let lower = line.to_ascii_lowercase();
            !headings.iter().any(|(h, _)| *h == i)
                && (topic.phrases.iter().any(|p| has_phrase(&lower, p))
                    || topic
                        .step
                        .is_some_and(|step| step(&list_item(&lines, i).to_ascii_lowercase())))
        })
}

/// A list item with the lines that continue it (indented, not a new item): Markdown wraps a step over
/// several lines ("3. Once the tests pass, another engineer reviews and approves the\n   PR."), and a
/// step is judged whole.
fn list_item(lines: &[&str], i: usize) -> String {
    let mut item = lines[i].to_string();
    for next in &lines[i + 1..] {
        let t = next.trim_start();
        let bullet = t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ");
        let numbered = t
            .find(['.', ')'])
            .is_some_and(|k| k > 0 && t[..k].bytes().all(|b| b.is_ascii_digit()));
        let continues = next.len() > t.len() && !t.is_empty() && !bullet && !numbered;
        if !continues {
            break;
        }
        item.push(' ');
        item.push_str(t);
    }
    item
}

/// A step that has a change reviewed or approved by someone: a numbered or bulleted step ("1. Get that
/// pull request code reviewed and approved", "- The pull request should be reviewed", "1. Review and
/// merge the release pull request"). The change (a pull or merge request, the code, the changes) is what
/// is reviewed: it comes a few words before `reviewed`/`approved`, or a pull request a few words after
/// `review`/`approve`. Prose that only passes by ("having reviewed the notes above, submit your pull
/// request", "before you push a pull request, review this list"), an author's own check ("I have
/// reviewed my code", "self-review") and a line with neither ("3.0 is a major release") say nothing of
/// how changes are reviewed.
fn review_step(line: &str) -> bool {
    let t = line.trim_start();
    let numbered = t
        .find(['.', ')'])
        .is_some_and(|i| i > 0 && t[..i].bytes().all(|b| b.is_ascii_digit()));
    let bullet = t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ");
    if !(numbered || bullet) {
        return false;
    }
    let ws: Vec<&str> = words(line).collect();
    let has = |list: &[&str]| ws.iter().any(|w| list.contains(w));
    if has(&["i", "my", "myself", "self", "own", "yourself"]) {
        return false;
    }
    // A pull or merge request named at word `k`.
    let request_at = |k: usize| {
        matches!(ws[k], "pr" | "prs" | "mr" | "mrs")
            || matches!(ws[k], "request" | "requests")
                && k > 0
                && matches!(ws[k - 1], "pull" | "merge")
    };
    let change_at = |k: usize| {
        request_at(k) || matches!(ws[k], "code" | "change" | "changes" | "commit" | "commits")
    };
    // "Review your pull request" is the author's own check, unless someone else is asked to.
    let by_another = !has(&["your"])
        || has(&[
            "someone",
            "another",
            "other",
            "others",
            "reviewer",
            "colleague",
            "maintainer",
            "team",
        ]);
    ws.iter().enumerate().any(|(i, w)| match *w {
        "reviewed" | "approved" => (i.saturating_sub(4)..i).any(change_at),
        "review" | "approve" | "reviews" | "approves" => {
            by_another && (i + 1..ws.len().min(i + 7)).any(request_at)
        }
        _ => false,
    })
}

/// Documented by reference: a link whose target names the topic's process — the team manual's
/// `development-pipeline.html#merge-your-own-pull-request`, `pull-request-checklist.md`,
/// `readme/testing.md`. The link's target, not its text: "open pull requests" linking to `/pulls` is none.
fn links_to_topic(text: &str, topic: &Topic) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find([')', ' ', '\n']).unwrap_or(after.len());
        let target = after[..end].to_ascii_lowercase();
        // The path and fragment, as words: `merge-your-own-pull-request` → merge your own pull request.
        let path = target.split_once("://").map_or(target.as_str(), |(_, r)| {
            r.split_once('/').map_or("", |(_, p)| p)
        });
        // Only a document (`.md`, `.html`, a section `#…`), not a badge, a workflow run or the releases page.
        let (file, fragment) = path.split_once('#').unwrap_or((path, ""));
        let document = !fragment.is_empty()
            || [".md", ".html", ".htm", ".rst", ".adoc", ".txt"]
                .iter()
                .any(|e| file.ends_with(e));
        let words: String = words(path).collect::<Vec<_>>().join(" ");
        if !document || ["/actions/", "badge"].iter().any(|m| path.contains(m)) {
            rest = &after[end..];
            continue;
        }
        if words.split(' ').any(|w| topic.heading.contains(&w))
            || topic.heading_phrases.iter().any(|p| has_phrase(&words, p))
        {
            return true;
        }
        rest = &after[end..];
    }
    false
}

/// Is a heading the title of a section about the topic: a topic word or phrase, in a title rather than a
/// sentence (`Releasing`, `Packaging a new version`, `How to deploy`; not `2.0 is a major release`)?
fn names_topic(title: &str, topic: &Topic) -> bool {
    let ws: Vec<&str> = words(title).collect();
    let sentence = ws.len() > 10
        || ws
            .iter()
            .any(|w| matches!(*w, "is" | "are" | "was" | "were" | "has" | "have" | "will"));
    !sentence
        && (ws.iter().any(|w| topic.heading.contains(w))
            || topic.heading_phrases.iter().any(|p| has_phrase(title, p)))
}

/// Does a section have text of its own (not only an underline, blank lines or empty markers)?
fn has_body(lines: &[&str]) -> bool {
    lines.iter().any(|l| {
        let t = l.trim();
        !t.is_empty()
            && !t
                .chars()
                .all(|c| matches!(c, '=' | '-' | '~' | '^' | '#' | '*'))
    })
}

/// How a document marks headings, by its file name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Markdown,
    AsciiDoc,
    Org,
    /// reStructuredText and plain text: underlined titles only.
    Underlined,
}

impl Syntax {
    fn of(path: &str) -> Syntax {
        let lower = path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        match name.rsplit_once('.').map(|(_, e)| e) {
            Some("adoc" | "asciidoc") => Syntax::AsciiDoc,
            Some("org") => Syntax::Org,
            Some("rst" | "txt") => Syntax::Underlined,
            // README without an extension, .md, .markdown.
            _ => Syntax::Markdown,
        }
    }
}

/// The level of a heading line (1 = top), or None: Markdown `#`, AsciiDoc `=`, Org `*` — each only in its
/// own syntax — or a line underlined with `===`/`---`/`~~~` (setext, reStructuredText).
fn heading_level(syntax: Syntax, line: &str, next: &str) -> Option<usize> {
    let t = line.trim_start();
    let marker = match syntax {
        Syntax::Markdown => Some('#'),
        Syntax::AsciiDoc => Some('='),
        Syntax::Org => Some('*'),
        Syntax::Underlined => None,
    };
    if let Some(m) = marker {
        let count = t.chars().take_while(|c| *c == m).count();
        if count > 0 && t[count..].starts_with(' ') && (m != '*' || line.starts_with('*')) {
            return Some(count);
        }
    }
    let n = next.trim();
    let underlined = !t.is_empty()
        && n.len() >= 3
        && n.chars().all(|c| matches!(c, '=' | '-' | '~' | '^'))
        && !t.starts_with('|')
        && !t.starts_with(['-', '*', '+', '>']);
    underlined.then(|| if n.starts_with('=') { 1 } else { 2 })
}

/// A heading's text without its markers.
fn heading_text(line: &str) -> &str {
    line.trim()
        .trim_start_matches(['#', '=', '*'])
        .trim_end_matches(['#', '='])
        .trim()
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// `phrase` in `hay` with word boundaries on both sides.
fn has_phrase(hay: &str, phrase: &str) -> bool {
    let b = hay.as_bytes();
    let mut from = 0;
    while let Some(i) = hay[from..].find(phrase) {
        let s = from + i;
        let e = s + phrase.len();
        let before = s == 0 || !b[s - 1].is_ascii_alphanumeric();
        let after = e >= b.len() || !b[e].is_ascii_alphanumeric();
        if before && after {
            return true;
        }
        from = s + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> TextFile {
        TextFile {
            path: "CONTRIBUTING.md".into(),
            text: text.into(),
        }
    }

    fn topics(text: &str) -> Vec<&'static str> {
        let d = doc(text);
        TOPICS
            .iter()
            .filter(|t| documents(&d, t))
            .map(|t| t.name)
            .collect()
    }

    #[test]
    fn headings_and_phrases_count_but_mentions_in_passing_do_not() {
        assert_eq!(topics("# Testing\nstuff\n").len(), 1);
        assert_eq!(
            topics("Release process\n===============\n\nTag the commit.\n"),
            vec!["how code is deployed or released"]
        );
        assert_eq!(
            topics("Every change needs an approval from a maintainer.\n"),
            vec!["how changes are reviewed"]
        );
        assert_eq!(
            topics("Run `cargo test` before pushing.\n"),
            vec!["how code is tested"]
        );
        assert!(topics("This library is latest and greatest.\nContest results.\n").is_empty());
        assert!(topics("# Protests\n# Previewing\n").is_empty());
    }

    #[test]
    fn sections_decide_not_bullets_or_sentences() {
        let readme = |text: &str| {
            let d = TextFile {
                path: "README.md".into(),
                text: text.into(),
            };
            TOPICS
                .iter()
                .filter(|t| documents(&d, t))
                .map(|t| t.name)
                .collect::<Vec<_>>()
        };
        // A bullet is a bullet, `*` or `-`; a heading that is a sentence names no section.
        for text in [
            "# Changes\n\n* 3.0 is a major release\n",
            "# Changes\n\n- 3.0 is a major release\n",
            "## 3.0 is a major release\n\nMany changes.\n",
            "# Releasing\n\n# Other\n",
        ] {
            assert!(readme(text).is_empty(), "{text}");
        }
        assert_eq!(
            readme(
                "# Maintainers\n\n## Packaging a new version\n\n1. Bump the version in setup.py.\n"
            ),
            vec!["how code is deployed or released"]
        );
        // Org headings in Org files only.
        let org = TextFile {
            path: "README.org".into(),
            text: "* Releasing\nTag and push.\n".into(),
        };
        assert!(TOPICS.iter().any(|t| documents(&org, t)));
        // A section's sub-headings are its body.
        assert_eq!(
            readme("## Deployment\n### Steps\nRun the pipeline.\n"),
            vec!["how code is deployed or released"]
        );
    }

    #[test]
    fn a_step_wrapped_over_lines_is_judged_whole() {
        let wrapped = "## Git workflow\n\n1. Open a pull request.\n2. Once the PR tests pass, another engineer reviews and approves the\n   PR.\n3. Merge it.\n";
        assert!(topics(wrapped).contains(&"how changes are reviewed"));
        // The twin: the author's own check, wrapped the same way, documents no review.
        let own = "## Git workflow\n\n1. Open a pull request.\n2. Once the tests pass, check that you are happy with the\n   changes.\n";
        assert!(!topics(own).contains(&"how changes are reviewed"));
    }

    #[test]
    fn a_link_to_the_process_documents_it_by_reference() {
        let d = |text: &str| TextFile {
            path: ".github/pull_request_template.md".into(),
            text: text.into(),
        };
        let review = TOPICS.iter().find(|t| t.name == "how changes are reviewed");
        let review = review.map(|t| documents(&d("Make sure you [follow the guidance](https://docs.publishing.service.gov.uk/manual/development-pipeline.html#merge-your-own-pull-request)\n"), t));
        assert_eq!(review, Some(true));
        for text in [
            "See the [open pull requests](https://github.com/acme/app/pulls).\n",
            "[![Tests](https://github.com/acme/app/actions/workflows/tests.yml/badge.svg)](https://github.com/acme/app/actions)\n",
            "Download from [the releases](https://github.com/acme/app/releases).\n",
        ] {
            assert!(TOPICS.iter().all(|t| !documents(&d(text), t)), "{text}");
        }
    }

    #[test]
    fn steps_that_have_a_change_reviewed_document_review() {
        let review = |text: &str| {
            let d = TextFile {
                path: "doc/deployment.md".into(),
                text: text.into(),
            };
            TOPICS
                .iter()
                .any(|t| t.name == "how changes are reviewed" && documents(&d, t))
        };
        for text in [
            "## Staging\n\n1. Open a pull request into `main`\n1. Get that pull request code reviewed and approved\n",
            "- The pull request should be reviewed to confirm that the release is safe.\n",
            "1. Review and merge the release pull request\n",
            "- Ask a colleague to review your PR\n",
            "* Changes are approved in the merge request before merging.\n",
        ] {
            assert!(review(text), "{text}");
        }
        for text in [
            "3.0 is a major release\n",
            "- [ ] I have reviewed my own code\n",
            "- [ ] I have performed a self-review of my changes\n",
            "Review your pull request before you push it.\n",
            "* [ ] Unit tests are all passing\n* [ ] Requirements have been updated\n",
            "- Dependencies are reviewed monthly.\n",
            "Run black and flake8 before raising a merge request.\n",
            "If, having reviewed the notes above, you are ready to submit your pull request, describe it.\n",
            "Before you push a pull request, review this list:\n",
            "Once your changes are approved in a PR, make a new release of the library.\n",
            "- [ ] Read the guidelines, then review the checklist before opening a pull request.\n",
        ] {
            assert!(!review(text), "{text}");
        }
    }

    #[test]
    fn phrase_boundaries() {
        assert!(has_phrase("see the deploy guide", "deploy"));
        assert!(!has_phrase("redeployable", "deploy"));
        assert!(has_phrase("tox", "tox"));
        assert!(!has_phrase("toxic", "tox"));
    }
}
