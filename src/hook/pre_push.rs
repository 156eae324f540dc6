//! `shipgate hook pre-push REMOTE URL`: what the hook runs. git gives one line per ref on stdin,
//! `<local ref> <local sha> <remote ref> <remote sha>`; each is judged on its own:
//! - deleting a deployment branch is refused;
//! - updating one directly is refused (unless `[hook] allow-direct-push`): deployment branches change
//!   through reviewed pull requests, merged on the server, never by a push from a laptop;
//! - the pushed commits' added lines are scanned with the engine's file checks, and the leak check's
//!   references from changed files are resolved against the pushed commit's whole tree.

use crate::checks::{self, registry::Stage};
use crate::config::{self, policy::PolicyFiles, Config};
use crate::diag::SourceDiag;
use crate::finding::{self, Finding, Location};
use crate::repo::changes;
use crate::repo::files::{self, FileCheck, FileEntry};
use crate::repo::history::{self, DeployPolicy};
use crate::rules::Catalogue;
use crate::suppress::{self, inline::InlineAllows};
use git2::{Delta, ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};
use std::collections::HashSet;
use std::io::Write;

/// One line of git's pre-push input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RefUpdate {
    local_ref: String,
    local: Oid,
    remote_ref: String,
    remote: Oid,
}

fn parse_line(line: &str) -> Option<RefUpdate> {
    let mut f = line.split_whitespace();
    let update = RefUpdate {
        local_ref: f.next()?.to_string(),
        local: Oid::from_str(f.next()?).ok()?,
        remote_ref: f.next()?.to_string(),
        remote: Oid::from_str(f.next()?).ok()?,
    };
    f.next().is_none().then_some(update)
}

/// Why one ref's push is refused.
enum Refusal {
    Delete,
    DirectPush { new_commits: usize },
    Findings(Vec<Finding>),
}

/// Judge every ref in `input`; the report goes to `out` (git shows the hook's stderr). Exit code: 0 push
/// allowed, 1 refused, 2 could not evaluate (git refuses the push either way).
pub fn pre_push(remote: &str, input: &str, out: &mut dyn Write) -> Result<u8, SourceDiag> {
    history::tune_libgit2();
    let repo = Repository::open_from_env().map_err(|e| {
        SourceDiag::plain(
            "hook/not-a-repository",
            format!(
                "the pre-push hook is not running in a git repository: {}",
                e.message()
            ),
        )
    })?;
    let root = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    // The policy is the remote's, not the one being pushed: a push cannot weaken the gate that judges it.
    // Pushed to a URL, the remote is the configured one with that URL; a URL none has is refused.
    let remote = &remote_name(&repo, remote)?;
    let remote_policy = remote_policy_commit(&repo, remote);
    let source = match remote_policy {
        Some(commit) => config::policy::Source::Commit {
            repo: &repo,
            commit,
            prefix: "",
        },
        None => config::policy::Source::WorkTree,
    };
    let policy_files = config::policy::read(&root, None, source, None)?;
    let config = policy_files.config.clone();
    let catalogue = checks::catalogue(Some((&config, &policy_files.packs)))?;
    let judged_by = remote_policy.map(|_| (&policy_files, &catalogue));
    let policy = DeployPolicy::new(Some(&repo), &config, remote);

    let mut updates = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        updates.push(parse_line(line).ok_or_else(|| {
            SourceDiag::plain(
                "hook/bad-input",
                format!("unexpected pre-push input line: `{line}`"),
            )
            .with_help("git passes `<local ref> <local sha> <remote ref> <remote sha>` lines; run this only from the hook")
        })?);
    }

    let mut refused: Vec<(String, Refusal)> = Vec::new();
    let mut warnings: Vec<(String, Vec<Finding>)> = Vec::new();
    // The registry's file stages, as the engine's walk runs them.
    let stages = checks::registry::file_stages(&checks::registry::Setup {
        catalogue: &catalogue,
        config: &config,
    })?;
    for u in &updates {
        let git_err = |e: git2::Error| {
            SourceDiag::plain(
                "hook/git",
                format!("cannot check the push of {}: {}", u.remote_ref, e.message()),
            )
        };
        let branch = u.remote_ref.strip_prefix("refs/heads/");
        let deploys = branch.is_some_and(|b| policy.matches(b));
        if u.local.is_zero() {
            if deploys {
                refused.push((u.remote_ref.clone(), Refusal::Delete));
            }
            continue;
        }
        let Some(u) = &peeled(&repo, u) else {
            continue; // a tag of a tree or blob: no commits to judge
        };
        if deploys && !config.hook.allow_direct_push {
            if let Some(new_commits) = direct_push(&repo, u, remote).map_err(git_err)? {
                refused.push((u.remote_ref.clone(), Refusal::DirectPush { new_commits }));
            }
        }
        let judge = Judge {
            config: &config,
            catalogue: &catalogue,
            judged_by,
        };
        let found = scan(&repo, u, remote, &stages, &judge).map_err(git_err)?;
        let (failing, below): (Vec<Finding>, Vec<Finding>) = found
            .into_iter()
            .partition(|f| f.severity >= config.fail_on);
        if !failing.is_empty() {
            refused.push((u.remote_ref.clone(), Refusal::Findings(failing)));
        }
        if !below.is_empty() {
            warnings.push((u.remote_ref.clone(), below));
        }
    }

    report(out, remote, &updates, &refused, &warnings)
        .map_err(|e| SourceDiag::plain("hook/io", format!("cannot write the report: {e}")))?;
    Ok(if refused.is_empty() { 0 } else { 1 })
}

/// A pushed annotated tag names a tag object; judge the commits it points to. None: not a commit at all.
fn peeled(repo: &Repository, u: &RefUpdate) -> Option<RefUpdate> {
    let commit = |oid: Oid| {
        repo.find_object(oid, None)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .ok()
    };
    Some(RefUpdate {
        local: commit(u.local)?,
        // The remote's old tip may not be here (not fetched); range_base copes with that.
        remote: if u.remote.is_zero() {
            u.remote
        } else {
            commit(u.remote).unwrap_or(u.remote)
        },
        ..u.clone()
    })
}

/// Is this update of a deployment branch a direct push? Some(count of commits new to the remote) if so.
/// Creating the branch at a commit the remote already has (cutting `release/2.0` from reviewed `main`)
/// adds nothing unreviewed and is allowed; every other update bypasses review.
fn direct_push(
    repo: &Repository,
    u: &RefUpdate,
    remote: &str,
) -> Result<Option<usize>, git2::Error> {
    let on_remote = remote_tips(repo, remote)?;
    if u.remote.is_zero() {
        for tip in &on_remote {
            if *tip == u.local || repo.graph_descendant_of(*tip, u.local)? {
                return Ok(None);
            }
        }
    }
    let mut walk = repo.revwalk()?;
    walk.push(u.local)?;
    for tip in on_remote
        .iter()
        .chain(Some(&u.remote).filter(|r| !r.is_zero()))
    {
        // A tip we do not have locally cannot be hidden; the count is then an upper bound.
        let _ = walk.hide(*tip);
    }
    Ok(Some(walk.take(10_000).count()))
}

/// The commits of every remote-tracking branch of `remote`: what the remote already has.
fn remote_tips(repo: &Repository, remote: &str) -> Result<Vec<Oid>, git2::Error> {
    let prefix = format!("refs/remotes/{remote}/");
    let mut tips = Vec::new();
    for r in repo.references()? {
        let r = r?;
        if r.name().is_ok_and(|n| n.starts_with(&prefix)) {
            if let Ok(c) = r.peel_to_commit() {
                tips.push(c.id());
            }
        }
    }
    Ok(tips)
}

/// Where the pushed range starts: the remote's old tip (or, after a rewrite, where the two forked); for a
/// new branch, its fork point from the default branch. None: nothing to compare with, every file is new.
fn range_base(repo: &Repository, u: &RefUpdate, remote: &str) -> Option<Oid> {
    if !u.remote.is_zero() && repo.find_commit(u.remote).is_ok() {
        return repo.merge_base(u.remote, u.local).ok();
    }
    let default = history::default_branch(repo, remote)?;
    let base = repo
        .refname_to_id(&format!("refs/remotes/{remote}/{default}"))
        .or_else(|_| repo.refname_to_id(&format!("refs/heads/{default}")))
        .ok()?;
    repo.merge_base(base, u.local).ok()
}

/// Run the file checks on the blobs the push adds, apply the config and inline allows as `check` does,
/// and keep the findings on added lines.
fn scan(
    repo: &Repository,
    u: &RefUpdate,
    remote: &str,
    stages: &[Stage],
    judge: &Judge<'_>,
) -> Result<Vec<Finding>, git2::Error> {
    let Judge {
        config,
        catalogue,
        judged_by,
    } = *judge;
    let base = range_base(repo, u, remote);
    let (diff, added) = changes::between_commits(repo, base, u.local)?;
    // Allows are collected per ref: the same path may differ between the refs of one push.
    let allows = InlineAllows::default();
    let mut found = Vec::new();
    let mut changed = HashSet::new();
    for delta in diff.deltas() {
        if matches!(delta.status(), Delta::Deleted) {
            continue;
        }
        let new = delta.new_file();
        let Some(path) = new.path_bytes().map(files::path_key) else {
            continue;
        };
        let Some(class) = files::classify(config, &path) else {
            continue;
        };
        let entry = FileEntry::new(path, class, new.size());
        changed.insert(entry.path.clone());
        let wanted: Vec<&dyn FileCheck> = stages
            .iter()
            .map(|s| s.stage.as_file_check())
            .filter(|c| c.wants(&entry))
            .collect();
        if !wanted.iter().any(|c| !c.passive()) || entry.size > config.max_file_size {
            continue;
        }
        let Ok(blob) = repo.find_blob(new.id()) else {
            continue; // a submodule commit, not a file
        };
        // Text by content, as the walk reads it (UTF-16 decoded); binary is skipped.
        let Some(content) = files::as_text(blob.content()) else {
            continue;
        };
        for c in wanted {
            c.check(&entry, &content, &mut found);
        }
        allows.check(&entry, &content, &mut found);
    }
    // References in the changed files resolve against the pushed tree, with the facts its unchanged
    // files state; whatever those files would be reported for themselves is not on an added line.
    let tree = pushed_tree(repo, u.local, config)?;
    for (entry, id) in &tree {
        if changed.contains(&entry.path) {
            continue;
        }
        for s in stages.iter().filter(|s| s.stage.reads_unchanged(entry)) {
            if let Ok(blob) = repo.find_blob(*id) {
                s.stage.check(entry, blob.content(), &mut found);
            }
        }
    }
    let tree: Vec<FileEntry> = tree.into_iter().map(|(entry, _)| entry).collect();
    for s in stages {
        found.extend(s.stage.finish(config, &tree));
    }
    finding::finalize(&mut found);
    // Judged by the remote's policy: the allows this push adds are policy changes, not suppressions.
    let (held, directives): (Vec<_>, Vec<_>) = allows
        .into_directives()
        .into_iter()
        .partition(|d| judged_by.is_some() && added.introduces(&d.span));
    let changed_policy = match judged_by {
        Some(base) => pushed_policy_changes(repo, u.local, base, &held),
        None => Vec::new(),
    };
    let inputs = suppress::Inputs {
        config,
        catalogue,
        directives,
        held,
        baseline: None,
        enabled: true,
        unevaluated: suppress::Unevaluated::default(),
        cover: None,
    };
    let (mut found, _) = suppress::apply(found, inputs);
    found.extend(changed_policy);
    // The hook prints these to the pusher's terminal: redacted like every other output.
    crate::redact::findings(&mut found);
    Ok(found
        .into_iter()
        .filter(|f| match &f.location {
            _ if f.rule == suppress::policy::POLICY_CHANGED => true,
            Location::File(span) => added.introduces(span),
            _ => true,
        })
        .collect())
}

/// The policy a push is judged by, and (when it is the remote's) the files it was read from.
#[derive(Clone, Copy)]
struct Judge<'a> {
    config: &'a Config,
    catalogue: &'a Catalogue,
    judged_by: Option<(&'a PolicyFiles, &'a Catalogue)>,
}

/// The configured remote a push goes to. git passes the remote's name, or, for `git push URL`, the URL
/// (or path) itself: then the remote configured with that URL (or push URL) is the one, and a URL no
/// configured remote has is refused — its branches were never fetched, so nothing but the pushed
/// commit's own policy could judge the push.
fn remote_name(repo: &Repository, given: &str) -> Result<String, SourceDiag> {
    if repo.find_remote(given).is_ok() {
        return Ok(given.to_string());
    }
    let same = |url: Option<&str>| url.is_some_and(|u| normal_url(u) == normal_url(given));
    if let Ok(names) = repo.remotes() {
        for name in names.iter().flatten().flatten() {
            if let Ok(r) = repo.find_remote(name) {
                if same(r.url().ok()) || same(r.pushurl().ok().flatten()) {
                    return Ok(name.to_string());
                }
            }
        }
    }
    Err(SourceDiag::plain(
        "hook/unknown-remote",
        format!(
            "the push goes to `{}`, which is no configured remote: shipgate cannot read the policy that judges it (the pushed commit's own would judge itself), so the push is refused",
            crate::redact::visible_line(&crate::github::client::mask_userinfo(given))
        ),
    )
    .with_help("add it as a remote and fetch it (`git remote add upstream URL && git fetch upstream`), then push by name (`git push upstream …`)"))
}

/// A URL as compared: without a trailing `/` or `.git`.
fn normal_url(url: &str) -> &str {
    let url = url.trim_end_matches('/');
    url.strip_suffix(".git").unwrap_or(url)
}

/// The commit whose policy judges a push: the remote's default branch, when it has been fetched.
fn remote_policy_commit(repo: &Repository, remote: &str) -> Option<Oid> {
    let default = history::default_branch(repo, remote)?;
    repo.refname_to_id(&format!("refs/remotes/{remote}/{default}"))
        .ok()
}

/// The pushed commit's own policy compared with the remote's: what it weakens, and the allows it adds.
fn pushed_policy_changes(
    repo: &Repository,
    pushed: Oid,
    base: (&PolicyFiles, &Catalogue),
    held: &[suppress::inline::Directive],
) -> Vec<Finding> {
    let source = config::policy::Source::Commit {
        repo,
        commit: pushed,
        prefix: "",
    };
    let root = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    let head = config::policy::read(&root, None, source, None)
        .map_err(|d| d.message)
        .and_then(|h| {
            let cat = checks::catalogue(Some((&h.config, &h.packs))).map_err(|d| d.message)?;
            Ok((h, cat))
        });
    let Some(severity) = suppress::policy::severity(base) else {
        return Vec::new();
    };
    suppress::policy::weakenings(
        severity,
        base,
        None,
        suppress::policy::Proposed {
            files: head.as_ref().map(|(h, c)| (h, c)).map_err(Clone::clone),
            baseline: None,
        },
        held,
    )
}

/// Every file in the pushed commit's tree that the config does not ignore, sorted by path as the walk's
/// file list is, with its blob.
fn pushed_tree(
    repo: &Repository,
    commit: Oid,
    config: &Config,
) -> Result<Vec<(FileEntry, Oid)>, git2::Error> {
    let tree = repo.find_commit(commit)?.tree()?;
    let mut out = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, e| {
        if e.kind() == Some(ObjectType::Blob) {
            let path = format!("{dir}{}", files::path_key(e.name_bytes()));
            if let Some(class) = files::classify(config, &path) {
                // The size is not needed to resolve references; reading every blob's header is.
                out.push((FileEntry::new(path, class, 0), e.id()));
            }
        }
        TreeWalkResult::Ok
    })?;
    out.sort_unstable_by(|a, b| a.0.path.cmp(&b.0.path));
    Ok(out)
}

fn report(
    out: &mut dyn Write,
    remote: &str,
    updates: &[RefUpdate],
    refused: &[(String, Refusal)],
    warnings: &[(String, Vec<Finding>)],
) -> std::io::Result<()> {
    for (r, found) in warnings {
        writeln!(out, "shipgate: {r}: below the gate's fail-on, not refused:")?;
        for f in found {
            finding_line(out, f)?;
        }
    }
    if refused.is_empty() {
        let n = updates.len();
        writeln!(
            out,
            "shipgate: push to {remote} checked ({n} ref{}): nothing to refuse",
            if n == 1 { "" } else { "s" }
        )?;
        return Ok(());
    }
    writeln!(out, "shipgate: push to {remote} refused")?;
    for (r, why) in refused {
        match why {
            Refusal::Delete => {
                writeln!(
                    out,
                    "  ✗ {}: deleting a deployment branch",
                    crate::redact::visible_line(r)
                )?;
                writeln!(out, "    deployment branches are removed deliberately, by an administrator, not by a push")?;
            }
            Refusal::DirectPush { new_commits } => {
                writeln!(
                    out,
                    "  ✗ {r}: direct push to deployment branch `{}` ({new_commits} commit{} not yet on {remote})",
                    r.trim_start_matches("refs/heads/"),
                    if *new_commits == 1 { "" } else { "s" }
                )?;
                writeln!(
                    out,
                    "    deployment branches change only through a reviewed pull request: push your work to a \
                     branch (git push {remote} HEAD:refs/heads/my-change) and open a pull request"
                )?;
            }
            Refusal::Findings(found) => {
                writeln!(
                    out,
                    "  ✗ {r}: the pushed commits add {} finding{}:",
                    found.len(),
                    if found.len() == 1 { "" } else { "s" }
                )?;
                for f in found {
                    finding_line(out, f)?;
                }
            }
        }
    }
    writeln!(
        out,
        "fix the above and push again; `shipgate explain RULE-ID` says why each rule matters."
    )?;
    writeln!(
        out,
        "(to skip every hook once, knowingly: git push --no-verify — CI runs the same gate)"
    )
}

fn finding_line(out: &mut dyn Write, f: &Finding) -> std::io::Result<()> {
    use crate::redact::visible_line;
    writeln!(
        out,
        "    {}  {} {}  {}",
        visible_line(&f.location.display()),
        f.severity,
        visible_line(&f.rule),
        visible_line(&f.message)
    )?;
    if let Some(help) = &f.help {
        writeln!(out, "      fix: {}", visible_line(help))?;
    }
    Ok(())
}

/// Under the pre-commit framework (`.pre-commit-hooks.yaml`), git's stdin is read by pre-commit itself,
/// which runs the hook once per pushed ref with the ref in `PRE_COMMIT_*` variables. Returns the remote's
/// name and the equivalent git input line, when those variables are set. (pre-commit does not run hooks
/// for deletions; `shipgate hook install` does see them.)
pub fn pre_commit_input(var: impl Fn(&str) -> Option<String>) -> Option<(Option<String>, String)> {
    let to = var("PRE_COMMIT_TO_REF").filter(|v| !v.is_empty())?;
    let zero = "0".repeat(40);
    let from = var("PRE_COMMIT_FROM_REF")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| zero.clone());
    let local_ref = var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_else(|| "HEAD".into());
    // An update of an unnamed ref is judged as a push to the same name.
    let remote_ref = var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_else(|| local_ref.clone());
    Some((
        var("PRE_COMMIT_REMOTE_NAME").filter(|v| !v.is_empty()),
        format!("{local_ref} {to} {remote_ref} {from}\n"),
    ))
}

/// Read all of standard input (git's ref lines).
pub fn read_stdin() -> std::io::Result<String> {
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_commit_variables_become_a_git_line() {
        let a = "1111111111111111111111111111111111111111";
        let b = "2222222222222222222222222222222222222222";
        let env = |k: &str| match k {
            "PRE_COMMIT_TO_REF" => Some(a.to_string()),
            "PRE_COMMIT_FROM_REF" => Some(b.to_string()),
            "PRE_COMMIT_LOCAL_BRANCH" => Some("refs/heads/main".to_string()),
            "PRE_COMMIT_REMOTE_BRANCH" => Some("refs/heads/main".to_string()),
            "PRE_COMMIT_REMOTE_NAME" => Some("upstream".to_string()),
            _ => None,
        };
        let (remote, line) = pre_commit_input(env).unwrap_or_default();
        assert_eq!(remote.as_deref(), Some("upstream"));
        assert_eq!(
            parse_line(line.trim()).map(|u| u.remote.to_string()),
            Some(b.to_string())
        );
        assert!(pre_commit_input(|_| None).is_none());
    }

    #[test]
    fn parses_git_lines() {
        let z = "0000000000000000000000000000000000000000";
        let a = "1111111111111111111111111111111111111111";
        let u = parse_line(&format!("refs/heads/main {a} refs/heads/main {z}"));
        assert!(u.is_some_and(|u| u.remote.is_zero() && !u.local.is_zero()));
        assert!(parse_line(&format!("(delete) {z} refs/heads/old {a}")).is_some());
        assert!(parse_line("refs/heads/main abc refs/heads/main").is_none());
        assert!(parse_line(&format!("a {a} b {a} extra")).is_none());
    }
}
