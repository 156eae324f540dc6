//! Review evidence: how each commit on a deployment branch arrived there, as far as git alone shows.
//!
//! Git is a lower bound. A merge commit or a `(#12)` squash suffix says a pull request existed, not that
//! anyone approved it; a commit without them says only that git recorded no review. A later source (the
//! GitHub API) may replace an `Arrival` with a fact and set `source` accordingly — the rules in
//! `checks/review_git.rs` read only this struct, so they need not change when it does.

use super::history::{
    self, CommitFacts, DeployBranch, DeployPolicy, MergedSide, Person, Walk, Window,
};
use crate::config::Config;
use git2::Repository;

/// Trailers that record a review by someone (their value names the reviewer).
pub const REVIEWER_TRAILERS: &[&str] = &["Reviewed-by", "Approved-by"];
/// Trailers that record where a review happened (Gerrit's `Reviewed-on: URL`).
pub const REVIEW_LINK_TRAILERS: &[&str] = &["Reviewed-on"];

/// How a commit reached its deployment branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// The branch's first commit: there was nothing to review it against.
    Root,
    /// Its author (for a merge, its committer) is in `[history] exempt-authors` (bots whose changes are
    /// expected).
    Exempt { pattern: String },
    /// `git pull` on the branch itself: merges the remote's history back in. The commits it joins are on
    /// the first-parent line and judged there; the merge itself says nothing about review.
    SyncMerge,
    /// A merge commit bringing in commits from a side branch.
    Merge,
    /// A merge whose committer wrote every commit it brought in, with no other reviewer recorded.
    SelfMerged { merged: usize },
    /// A squash merge: the subject ends in a pull-request number.
    SquashMerge { pr: u64 },
    /// A review trailer names someone other than the author, or links to a review.
    ReviewTrailer { key: String, value: String },
    /// None of the above: committed to the branch directly.
    DirectPush,
}

impl Arrival {
    /// The arrivals no source of evidence (git or GitHub) asks a review of: the root commit, exempt
    /// authors, and sync merges. The one place this is decided, so offline and online agree.
    pub fn exempt_from_review(&self) -> bool {
        matches!(
            self,
            Arrival::Root | Arrival::Exempt { .. } | Arrival::SyncMerge
        )
    }
}

/// Where the evidence came from. Only git today; the GitHub API will take precedence when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceSource {
    Git,
}

/// A deployment-branch commit and how it arrived there, as git shows it (GitHub's evidence about the
/// same commit is `github::reviews::CommitEvidence`).
#[derive(Debug, Clone)]
pub struct CommitArrival {
    pub commit: CommitFacts,
    pub arrival: Arrival,
    pub source: EvidenceSource,
}

#[derive(Debug, Clone)]
pub struct BranchEvidence {
    pub branch: DeployBranch,
    pub commits: Vec<CommitArrival>,
    /// The walk reached the branch's first commit (the whole history was examined).
    pub complete: bool,
}

/// Why the history checks did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    NotARepository,
    NoDeployBranch,
    /// A shallow clone: the commits that reached the branches are missing.
    Shallow,
    /// Git could not be read (corrupt repository, permissions, ownership).
    Failed(String),
}

/// Everything the history rules read, gathered once per run.
#[derive(Debug, Clone, Default)]
pub struct HistoryFacts {
    pub skipped: Option<Skip>,
    /// The deployment-branch patterns in effect (configured or defaults).
    pub patterns: Vec<String>,
    /// Configured patterns that match no branch.
    pub unmatched: Vec<String>,
    pub branches: Vec<BranchEvidence>,
    /// Deployment branches left out because no commit landed on them within the window: (name, date of
    /// their last commit, Unix seconds). The default branch is never stale.
    pub stale: Vec<(String, i64)>,
}

impl HistoryFacts {
    fn skipped(skip: Skip) -> HistoryFacts {
        HistoryFacts {
            skipped: Some(skip),
            ..HistoryFacts::default()
        }
    }

    pub fn commits_examined(&self) -> usize {
        self.branches.iter().map(|b| b.commits.len()).sum()
    }
}

/// Gather the deployment branches and their review evidence. Never fails: what could not be read is
/// recorded in `skipped` for the gate rules to judge (fail closed, or not evaluated).
pub fn gather(repo: Option<&Repository>, config: &Config, now: i64) -> HistoryFacts {
    let Some(repo) = repo else {
        return HistoryFacts::skipped(Skip::NotARepository);
    };
    let policy = DeployPolicy::new(Some(repo), config, history::REMOTE);
    let (deploy, names) = match history::deployment_branches(repo, &policy, history::REMOTE) {
        Ok(found) => found,
        Err(e) => return HistoryFacts::skipped(Skip::Failed(e.message().to_string())),
    };
    let mut facts = HistoryFacts {
        skipped: None,
        unmatched: if policy.configured {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            policy
                .unmatched(&names)
                .into_iter()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        },
        patterns: policy.patterns,
        branches: Vec::new(),
        stale: Vec::new(),
    };
    if deploy.is_empty() {
        facts.skipped = Some(Skip::NoDeployBranch);
        return facts;
    }
    if repo.is_shallow() {
        facts.skipped = Some(Skip::Shallow);
        facts.branches = deploy
            .into_iter()
            .map(|branch| BranchEvidence {
                branch,
                commits: Vec::new(),
                complete: false,
            })
            .collect();
        return facts;
    }
    let window = Window::from_config(&config.history, now);
    let default = history::default_branch(repo, history::REMOTE);
    for branch in deploy {
        if let Some(cutoff) = window.since {
            let last = repo
                .find_commit(branch.head)
                .map_or(0, |c| c.committer().when().seconds());
            if last < cutoff && default.as_deref() != Some(branch.name.as_str()) {
                facts.stale.push((branch.name, last));
                continue;
            }
        }
        match history::first_parent_walk(repo, branch.head, &window) {
            Ok(walk) => facts.branches.push(evidence(branch, walk, config)),
            Err(e) => {
                facts.skipped = Some(Skip::Failed(format!(
                    "reading the history of `{}`: {}",
                    branch.name,
                    e.message()
                )));
                return facts;
            }
        }
    }
    facts
}

fn evidence(branch: DeployBranch, walk: Walk, config: &Config) -> BranchEvidence {
    let commits = walk
        .commits
        .into_iter()
        .map(|commit| CommitArrival {
            arrival: arrival(&commit, &branch.name, &config.history.exempt_authors),
            commit,
            source: EvidenceSource::Git,
        })
        .collect();
    BranchEvidence {
        branch,
        commits,
        complete: walk.complete,
    }
}

/// Classify one first-parent commit of `branch`.
pub fn arrival(c: &CommitFacts, branch: &str, exempt: &[String]) -> Arrival {
    if c.parents.is_empty() {
        return Arrival::Root;
    }
    if c.parents.len() > 1 {
        return merge_arrival(c, branch, exempt);
    }
    if let Some(pattern) = exempt_match(exempt, &c.author) {
        return Arrival::Exempt {
            pattern: pattern.to_string(),
        };
    }
    if let Some(pr) = history::squash_pr(&c.subject) {
        return Arrival::SquashMerge { pr };
    }
    if let Some(t) = review_trailer(c, &c.author) {
        return t;
    }
    Arrival::DirectPush
}

fn merge_arrival(c: &CommitFacts, branch: &str, exempt: &[String]) -> Arrival {
    // `git pull` on the branch itself merges the remote's history back in: the local commits it joins
    // are on the first-parent line and judged there; the merge says nothing about review.
    if is_sync_merge(&c.subject, branch) {
        return Arrival::SyncMerge;
    }
    if let Some(pattern) = exempt_match(exempt, &c.committer) {
        return Arrival::Exempt {
            pattern: pattern.to_string(),
        };
    }
    match c.merged {
        Some(MergedSide::AllByCommitter(merged)) if review_trailer(c, &c.committer).is_none() => {
            Arrival::SelfMerged { merged }
        }
        _ => Arrival::Merge,
    }
}

/// A review trailer that names someone other than `own` (a self-review is no review), or a review link.
fn review_trailer(c: &CommitFacts, own: &Person) -> Option<Arrival> {
    c.trailers.iter().find_map(|t| {
        let is_reviewer = REVIEWER_TRAILERS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&t.key));
        let is_link = REVIEW_LINK_TRAILERS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&t.key));
        ((is_reviewer && !Person::parse(&t.value).same_as(own)) || is_link).then(|| {
            Arrival::ReviewTrailer {
                key: t.key.clone(),
                value: t.value.clone(),
            }
        })
    })
}

/// "Merge branch 'main' of github.com:org/repo" or "Merge remote-tracking branch 'origin/main'" on main.
fn is_sync_merge(subject: &str, branch: &str) -> bool {
    subject.starts_with(&format!("Merge branch '{branch}' of "))
        || (subject.starts_with("Merge remote-tracking branch '")
            && subject.ends_with(&format!("/{branch}'")))
}

/// The first `exempt-authors` pattern matching the person's name or e-mail.
pub fn exempt_match<'a>(patterns: &'a [String], who: &Person) -> Option<&'a str> {
    patterns
        .iter()
        .find(|p| wildcard(p, &who.name) || wildcard(p, &who.email))
        .map(String::as_str)
}

/// Case-insensitive match where `*` is any run of characters and everything else is literal — so
/// `dependabot[bot]` means exactly that name, as people write it.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::history::Trailer;

    fn commit(
        parents: usize,
        author: &str,
        subject: &str,
        trailers: &[(&str, &str)],
    ) -> CommitFacts {
        CommitFacts {
            id: git2::Oid::ZERO_SHA1,
            parents: vec![git2::Oid::ZERO_SHA1; parents],
            author: Person::parse(author),
            committer: Person::parse(author),
            time: 0,
            subject: subject.into(),
            trailers: trailers
                .iter()
                .map(|(k, v)| Trailer {
                    key: k.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            merged: None,
        }
    }

    const ANN: &str = "Ann <ann@x.org>";

    #[test]
    fn single_parent_commits() {
        let bots = vec!["dependabot[bot]".to_string()];
        let a = |c: &CommitFacts| arrival(c, "main", &bots);
        assert_eq!(a(&commit(0, ANN, "init", &[])), Arrival::Root);
        assert_eq!(a(&commit(1, ANN, "hotfix", &[])), Arrival::DirectPush);
        assert_eq!(
            a(&commit(1, ANN, "Fix (#12)", &[])),
            Arrival::SquashMerge { pr: 12 }
        );
        assert_eq!(
            a(&commit(
                1,
                "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
                "Bump x",
                &[]
            )),
            Arrival::Exempt {
                pattern: "dependabot[bot]".into()
            }
        );
        assert!(matches!(
            a(&commit(1, ANN, "fix", &[("Reviewed-by", "Bo <bo@x.org>")])),
            Arrival::ReviewTrailer { .. }
        ));
        assert_eq!(
            a(&commit(1, ANN, "fix", &[("Reviewed-by", ANN)])),
            Arrival::DirectPush,
            "reviewing your own commit is not review"
        );
        assert!(matches!(
            a(&commit(
                1,
                ANN,
                "fix",
                &[("Reviewed-on", "https://review.example/c/1")]
            )),
            Arrival::ReviewTrailer { .. }
        ));
    }

    #[test]
    fn merges() {
        let mut m = commit(2, ANN, "Merge branch 'feature'", &[]);
        m.merged = Some(MergedSide::AllByCommitter(1));
        assert_eq!(arrival(&m, "main", &[]), Arrival::SelfMerged { merged: 1 });
        m.trailers.push(Trailer {
            key: "Approved-by".into(),
            value: "Bo <bo@x.org>".into(),
        });
        assert_eq!(arrival(&m, "main", &[]), Arrival::Merge);
        let mut other = commit(2, ANN, "Merge pull request #3 from x/y", &[]);
        other.merged = Some(MergedSide::Others);
        assert_eq!(arrival(&other, "main", &[]), Arrival::Merge);
        let mut sync = commit(2, ANN, "Merge branch 'main' of github.com:o/r", &[]);
        sync.merged = Some(MergedSide::AllByCommitter(2));
        assert_eq!(arrival(&sync, "main", &[]), Arrival::SyncMerge);
        assert!(Arrival::SyncMerge.exempt_from_review());
        assert!(!Arrival::Merge.exempt_from_review());
        let mut unknown = commit(2, ANN, "Merge branch 'huge'", &[]);
        unknown.merged = Some(MergedSide::Unknown);
        assert_eq!(arrival(&unknown, "main", &[]), Arrival::Merge);
    }

    #[test]
    fn wildcards_are_star_only() {
        assert!(wildcard("dependabot[bot]", "Dependabot[bot]"));
        assert!(!wildcard("dependabot[bot]", "dependabotb"));
        assert!(wildcard("*@bots.example.org", "ci@bots.example.org"));
        assert!(wildcard("*bot*", "renovate-bot-1"));
        assert!(!wildcard("*@bots.example.org", "ci@example.org"));
        assert!(wildcard("*", ""));
    }
}
