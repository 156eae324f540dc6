//! Where the policy is read from: `shipgate.toml`, the user's rule packs and the baseline.
//!
//! On a branch of one's own the working tree is the policy. In pre-merge mode (`check --diff BASE`, the
//! Action on a pull request, the pre-push hook) the change under review must not be able to weaken the
//! gate that judges it, so the policy is read from a commit the change does not control — the base
//! branch's tip, or the remote's default branch — as git blobs. Either way policy files are read without following
//! symlinks, and never from outside the repository.

use super::{parse, Config, CONFIG_LOCATIONS};
use crate::diag::SourceDiag;
use git2::{ObjectType, Oid, Repository};
use std::path::{Component, Path, PathBuf};

/// Policy files are small: anything larger is refused rather than read into memory.
const MAX_POLICY_FILE: u64 = 16 * 1024 * 1024;

/// Where policy files come from.
#[derive(Clone, Copy)]
pub enum Source<'r> {
    /// The files on disk under the scanned root.
    WorkTree,
    /// The tree of `commit`; `prefix` is the scanned root's place in the work tree (`""` or `sub/dir/`).
    Commit {
        repo: &'r Repository,
        commit: Oid,
        prefix: &'r str,
    },
}

impl Source<'_> {
    /// How the source is named in the summary.
    pub fn describe(&self) -> String {
        match self {
            Source::WorkTree => "the working tree".to_string(),
            Source::Commit { commit, .. } => {
                let id = commit.to_string();
                format!("commit {}", &id[..id.len().min(7)])
            }
        }
    }
}

/// The policy as read: config (with its file's text, for diagnostics), rule packs, baseline text.
#[derive(Debug, Clone)]
pub struct PolicyFiles {
    pub config: Config,
    /// `(shown path, text)` of each user rule pack, sorted by path.
    pub packs: Vec<(String, String)>,
    /// `(shown path, text)` of the baseline, if there is one and it was asked for.
    pub baseline: Option<(String, String)>,
    /// `the working tree` or `commit abc1234`.
    pub from: String,
}

/// Read the whole policy for `root` from `source`. `explicit` is `--config`: read from disk when it is
/// outside the repository (the user named it on the command line), from `source` when inside.
pub fn read(
    root: &Path,
    explicit: Option<&Path>,
    source: Source<'_>,
    baseline: Option<&str>,
) -> Result<PolicyFiles, SourceDiag> {
    let config = read_config(root, explicit, source)?;
    let packs = read_packs(root, &config.rule_packs, source)?;
    let baseline = match baseline {
        Some(rel) => read_file(root, source, rel, "baseline")?.map(|bytes| {
            (
                rel.to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        }),
        None => None,
    };
    Ok(PolicyFiles {
        config,
        packs,
        baseline,
        from: source.describe(),
    })
}

fn read_config(
    root: &Path,
    explicit: Option<&Path>,
    source: Source<'_>,
) -> Result<Config, SourceDiag> {
    let (shown, bytes) = match explicit {
        Some(p) => match inside(root, p) {
            // Named on the command line but inside the repository: still the policy's own file.
            Some(rel) => {
                let bytes = read_file(root, source, &rel, "--config")?.ok_or_else(|| {
                    SourceDiag::plain(
                        "config/unreadable",
                        format!(
                            "cannot read config {rel}: it does not exist in {}",
                            source.describe()
                        ),
                    )
                })?;
                (rel, bytes)
            }
            None => {
                let bytes = std::fs::read(p).map_err(|e| {
                    SourceDiag::plain(
                        "config/unreadable",
                        format!("cannot read config {}: {e}", p.display()),
                    )
                })?;
                (p.display().to_string(), bytes)
            }
        },
        None => {
            let mut found = None;
            for rel in CONFIG_LOCATIONS {
                if let Some(bytes) = read_file(root, source, rel, "config")? {
                    found = Some((rel.to_string(), bytes));
                    break;
                }
            }
            match found {
                Some(f) => f,
                None => return Ok(Config::default()),
            }
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        SourceDiag::plain(
            "config/not-utf8",
            format!(
                "config {shown} is not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .with_help("save the file as UTF-8")
    })?;
    parse(&shown, &text).map(|mut c| {
        c.source = Some((PathBuf::from(&shown), text));
        c
    })
}

/// `path` relative to `root` when it names something inside it (lexically, `..` resolved), `/`-separated.
fn inside(root: &Path, path: &Path) -> Option<String> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut parts: Vec<Component> = Vec::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir => {}
            c => parts.push(c),
        }
    }
    let abs: PathBuf = parts.iter().collect();
    let abs = abs
        .parent()
        .and_then(|d| d.canonicalize().ok())
        .map_or(abs.clone(), |d| d.join(abs.file_name().unwrap_or_default()));
    let rel = abs.strip_prefix(root).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// Is `rel` a plain relative path that stays inside the root (no `..`, not absolute)?
pub fn stays_inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.starts_with('/')
        && !rel.starts_with('\\')
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Read one policy file. None: it does not exist. A symlink (the file or a directory on its way), or
/// anything that is not a regular file, is refused: a policy file must be the repository's own text.
pub fn read_file(
    root: &Path,
    source: Source<'_>,
    rel: &str,
    setting: &str,
) -> Result<Option<Vec<u8>>, SourceDiag> {
    if !stays_inside(rel) {
        return Err(outside(setting, rel));
    }
    match source {
        Source::WorkTree => read_disk(root, rel, setting),
        Source::Commit {
            repo,
            commit,
            prefix,
        } => read_blob(repo, commit, &format!("{prefix}{rel}"), rel, setting),
    }
}

/// How a policy file is named in messages: `config`, `baseline`, `rule pack`.
fn what(setting: &str) -> &'static str {
    match setting {
        "config" | "--config" => "config",
        "baseline" => "baseline",
        _ => "rule pack",
    }
}

fn outside(setting: &str, rel: &str) -> SourceDiag {
    SourceDiag::plain(
        "config/outside-repository",
        format!("{setting}: `{rel}` is outside the repository; policy files must live inside it"),
    )
    .with_help("use a path relative to the repository root, without `..` and not absolute")
}

fn symlinked(setting: &str, rel: &str) -> SourceDiag {
    SourceDiag::plain(
        "config/symlink",
        format!("cannot read {} {rel}: it is a symbolic link ({setting}); policy files are never read through links", what(setting)),
    )
    .with_help("commit the file itself in the repository instead of a link to it")
}

fn read_disk(root: &Path, rel: &str, setting: &str) -> Result<Option<Vec<u8>>, SourceDiag> {
    let mut at = root.to_path_buf();
    let parts: Vec<&str> = rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let meta = match at.symlink_metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(20) => return Ok(None), // ENOTDIR: a file on the way
            Err(e) => {
                return Err(SourceDiag::plain(
                    "config/unreadable",
                    format!("cannot read {} {rel}: {e}", what(setting)),
                ))
            }
        };
        if meta.file_type().is_symlink() {
            return Err(symlinked(setting, rel));
        }
        let last = i + 1 == parts.len();
        if !last && !meta.is_dir() {
            return Ok(None);
        }
        if last {
            if !meta.is_file() {
                return Err(SourceDiag::plain(
                    "config/unreadable",
                    format!(
                        "cannot read {} {rel}: it is not a regular file",
                        what(setting)
                    ),
                )
                .with_help(format!("make {rel} a file, or remove it")));
            }
            if meta.len() > MAX_POLICY_FILE {
                return Err(too_large(setting, rel, meta.len()));
            }
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    std::fs::read(&at).map(Some).map_err(|e| {
        SourceDiag::plain(
            "config/unreadable",
            format!("cannot read {} {rel}: {e}", what(setting)),
        )
    })
}

fn too_large(setting: &str, rel: &str, len: u64) -> SourceDiag {
    SourceDiag::plain(
        "config/unreadable",
        format!("cannot read {} {rel} ({setting}): it is {len} bytes, more than a policy file may be ({MAX_POLICY_FILE})", what(setting)),
    )
}

fn read_blob(
    repo: &Repository,
    commit: Oid,
    path: &str,
    rel: &str,
    setting: &str,
) -> Result<Option<Vec<u8>>, SourceDiag> {
    let git = |e: git2::Error| {
        SourceDiag::plain(
            "config/unreadable",
            format!(
                "cannot read {} {rel} from commit {commit}: {}",
                what(setting),
                e.message()
            ),
        )
    };
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(git)?;
    // Each directory on the way must be a real tree: a committed symlink is a blob, not a directory.
    let entry = match tree.get_path(Path::new(path)) {
        Ok(e) => e,
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            return link_on_the_way(&tree, path, rel, setting).map(|()| None)
        }
        Err(e) => return Err(git(e)),
    };
    if entry.filemode() == 0o120000 {
        return Err(symlinked(setting, rel));
    }
    if entry.kind() != Some(ObjectType::Blob) {
        return Err(SourceDiag::plain(
            "config/unreadable",
            format!(
                "cannot read {} {rel}: it is not a regular file",
                what(setting)
            ),
        ));
    }
    let blob = repo.find_blob(entry.id()).map_err(git)?;
    if blob.size() as u64 > MAX_POLICY_FILE {
        return Err(too_large(setting, rel, blob.size() as u64));
    }
    Ok(Some(blob.content().to_vec()))
}

/// A path not found in a tree because a directory on its way is a committed symlink is refused too.
fn link_on_the_way(
    tree: &git2::Tree<'_>,
    path: &str,
    rel: &str,
    setting: &str,
) -> Result<(), SourceDiag> {
    let mut sofar = String::new();
    for part in path.split('/') {
        if !sofar.is_empty() {
            sofar.push('/');
        }
        sofar.push_str(part);
        match tree.get_path(Path::new(&sofar)) {
            Ok(e) if e.filemode() == 0o120000 => return Err(symlinked(setting, rel)),
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Expand the rule-pack globs and read each pack. A glob naming a file explicitly must exist.
fn read_packs(
    root: &Path,
    globs: &[String],
    source: Source<'_>,
) -> Result<Vec<(String, String)>, SourceDiag> {
    let setting = "[scan] rule-packs";
    let mut names: Vec<String> = Vec::new();
    for g in globs {
        let g = g.trim_start_matches("./");
        if !stays_inside(g) {
            return Err(outside(setting, g));
        }
        let is_pattern = g.contains(['*', '?', '[', '{']);
        if !is_pattern {
            names.push(g.to_string());
            continue;
        }
        let matcher = super::path_glob(g)
            .map_err(|e| {
                SourceDiag::plain("rules/bad-glob", format!("bad rule-pack glob `{g}`: {e}"))
            })?
            .compile_matcher();
        // Only the glob's fixed directory prefix is listed (e.g. `.shipgate/rules`).
        let fixed: Vec<&str> = g
            .split('/')
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .collect();
        let fixed = fixed.join("/");
        for rel in list(root, source, &fixed)? {
            if matcher.is_match(&rel) {
                names.push(rel);
            }
        }
    }
    names.sort();
    names.dedup();
    let mut packs = Vec::new();
    for rel in names {
        let bytes = read_file(root, source, &rel, setting)?.ok_or_else(|| {
            SourceDiag::plain(
                "rules/missing-pack",
                format!("rule pack `{rel}` named in the config does not exist"),
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            SourceDiag::plain(
                "rules/unreadable",
                format!("cannot read rule pack {rel}: it is not valid UTF-8"),
            )
        })?;
        packs.push((rel, text));
    }
    Ok(packs)
}

/// Regular files under `dir` (relative to the root), recursively, symlinks left out, `/`-separated.
fn list(root: &Path, source: Source<'_>, dir: &str) -> Result<Vec<String>, SourceDiag> {
    let mut out = Vec::new();
    match source {
        Source::WorkTree => {
            let mut base = root.to_path_buf();
            for part in dir.split('/').filter(|p| !p.is_empty()) {
                base.push(part);
                match base.symlink_metadata() {
                    Ok(m) if m.is_dir() => {}
                    Ok(m) if m.file_type().is_symlink() => {
                        return Err(symlinked("[scan] rule-packs", dir))
                    }
                    _ => return Ok(out),
                }
            }
            for entry in ignore::WalkBuilder::new(&base)
                .hidden(false)
                .follow_links(false)
                .build()
            {
                let entry = entry.map_err(|e| {
                    SourceDiag::plain(
                        "rules/unreadable",
                        format!("cannot list rule packs under {dir}: {e}"),
                    )
                })?;
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    if let Ok(rel) = entry.path().strip_prefix(root) {
                        out.push(rel.to_string_lossy().replace('\\', "/"));
                    }
                }
            }
        }
        Source::Commit {
            repo,
            commit,
            prefix,
        } => {
            let git = |e: git2::Error| {
                SourceDiag::plain(
                    "rules/unreadable",
                    format!("cannot list rule packs under {dir}: {}", e.message()),
                )
            };
            let tree = repo
                .find_commit(commit)
                .and_then(|c| c.tree())
                .map_err(git)?;
            let start = format!("{prefix}{dir}");
            let tree = if start.trim_end_matches('/').is_empty() {
                tree
            } else {
                match tree.get_path(Path::new(start.trim_end_matches('/'))) {
                    Ok(e) if e.kind() == Some(ObjectType::Tree) => {
                        repo.find_tree(e.id()).map_err(git)?
                    }
                    _ => return Ok(out),
                }
            };
            let dir_prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{}/", dir.trim_end_matches('/'))
            };
            tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
                if entry.kind() == Some(ObjectType::Blob) && entry.filemode() != 0o120000 {
                    if let Ok(name) = entry.name() {
                        out.push(format!("{dir_prefix}{parent}{name}"));
                    }
                }
                git2::TreeWalkResult::Ok
            })
            .map_err(git)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_stay_inside() {
        assert!(stays_inside(".shipgate/rules/a.toml"));
        assert!(stays_inside("./x.toml"));
        for bad in ["../x", "/etc/passwd", "a/../../b", "..", "\\\\server\\x"] {
            assert!(!stays_inside(bad), "{bad}");
        }
    }
}
