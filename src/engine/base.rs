//! The base evaluation of `check --diff`: the merge base's tree, gated by the same checks under the same
//! policy as the head, read from git — never from the work tree the change controls.
//!
//! It costs what the change touched, not a second full run: the walk hands every file the change left
//! as it was (same path, same content) to both evaluations' checks with the bytes it read once
//! ([`Twin`]); only the files the change modified, renamed or deleted are read from the merge base's
//! blobs afterwards ([`evaluate`]). Repository checks then run on the base's own file index and
//! repository files, with the history and GitHub facts gathered once for both.

use crate::checks::registry::{self, Stage};
use crate::config::Config;
use crate::context::Context;
use crate::diag::SourceDiag;
use crate::finding::{self, Finding};
use crate::repo::changes::ChangeSet;
use crate::repo::classify::FileClass;
use crate::repo::files::{self, FileCheck, FileEntry};
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// The merge base's regular files under the scanned root: path (keyed as the walk keys files) → blob.
#[derive(Debug, Default)]
pub struct BaseTree {
    blobs: HashMap<String, Oid>,
}

impl BaseTree {
    /// List `commit`'s tree below `prefix` (`""` or `sub/dir/`). Symbolic links and submodules are left
    /// out, as the walk leaves them out of the file index.
    pub fn read(repo: &Repository, commit: Oid, prefix: &str) -> Result<BaseTree, git2::Error> {
        let tree = repo.find_commit(commit)?.tree()?;
        let mut blobs = HashMap::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, e| {
            let regular = matches!(e.filemode(), 0o100644 | 0o100755);
            if e.kind() == Some(ObjectType::Blob) && regular {
                let path = format!("{dir}{}", files::path_key(e.name_bytes()));
                if let Some(rel) = path.strip_prefix(prefix) {
                    blobs.insert(rel.to_string(), e.id());
                }
            }
            TreeWalkResult::Ok
        })?;
        Ok(BaseTree { blobs })
    }

    pub fn contains(&self, path: &str) -> bool {
        self.blobs.contains_key(path)
    }
}

/// Which files both trees hold unchanged: present in the merge base, and not touched by the change.
pub struct Shared<'a> {
    pub tree: &'a BaseTree,
    pub changes: &'a ChangeSet,
    old: HashSet<&'a str>,
}

impl<'a> Shared<'a> {
    pub fn new(tree: &'a BaseTree, changes: &'a ChangeSet) -> Shared<'a> {
        Shared {
            tree,
            changes,
            old: changes.old_paths().collect(),
        }
    }

    /// Is the file at `path` the same in both trees (so the base evaluation may use the work tree's
    /// bytes for it)?
    pub fn unchanged(&self, path: &str) -> bool {
        self.tree.contains(path)
            && !self.changes.files.contains_key(path)
            && !self.old.contains(path)
    }

    /// Is `path` of the merge base touched by the change (modified, renamed away, deleted)?
    pub fn touched_at_base(&self, path: &str) -> bool {
        self.old.contains(path)
    }
}

/// The walk's one file check in `--diff` mode: the head's checks on every file, and the base's checks
/// too on each file both trees hold unchanged, with the same bytes. A base stage takes the head stage's
/// findings for such a file where it can (`FileStage::check_shared`): the scan is not run twice. The
/// base's findings are kept apart.
pub struct Twin<'a> {
    pub head_stages: &'a [Stage],
    pub base_stages: &'a [Stage],
    /// The other file checks (the repository files' collector, the inline allows), each side's.
    pub head_rest: &'a [&'a dyn FileCheck],
    pub base_rest: &'a [&'a dyn FileCheck],
    pub shared: &'a Shared<'a>,
    found: Mutex<Vec<Finding>>,
}

impl<'a> Twin<'a> {
    pub fn new(
        (head_stages, head_rest): (&'a [Stage], &'a [&'a dyn FileCheck]),
        (base_stages, base_rest): (&'a [Stage], &'a [&'a dyn FileCheck]),
        shared: &'a Shared<'a>,
    ) -> Twin<'a> {
        Twin {
            head_stages,
            base_stages,
            head_rest,
            base_rest,
            shared,
            found: Mutex::new(Vec::new()),
        }
    }

    /// The base's findings from the files both trees share.
    pub fn into_base_findings(self) -> Vec<Finding> {
        self.found.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl FileCheck for Twin<'_> {
    /// Read a file when a head check that causes reads wants it (the base's checks are the same).
    fn wants(&self, file: &FileEntry) -> bool {
        self.head_checks().any(|c| !c.passive() && c.wants(file))
    }

    fn check(&self, file: &FileEntry, content: &[u8], out: &mut Vec<Finding>) {
        let shared = self.shared.unchanged(&file.path);
        let mut base = Vec::new();
        for (h, b) in self.head_stages.iter().zip(self.base_stages) {
            if !h.stage.wants(file) {
                continue;
            }
            let mut mine = Vec::new();
            h.stage.check(file, content, &mut mine);
            if shared {
                b.stage.check_shared(file, content, &mine, &mut base);
            }
            out.append(&mut mine);
        }
        for c in self.head_rest.iter().filter(|c| c.wants(file)) {
            c.check(file, content, out);
        }
        if shared {
            for c in self.base_rest.iter().filter(|c| c.wants(file)) {
                c.check(file, content, &mut base);
            }
            if !base.is_empty() {
                crate::sync::lock(&self.found).append(&mut base);
            }
        }
    }

    /// What the head's production reaches: the head's alone (the base follows its own references, in
    /// [`evaluate`]), so a file the change newly reaches has no counterpart at the base.
    fn reached(&self, files: &[FileEntry]) -> Vec<crate::repo::reach::Reached> {
        self.head_checks().flat_map(|c| c.reached(files)).collect()
    }

    fn wants_reached(&self, file: &FileEntry, seen: Option<&FileEntry>) -> bool {
        self.head_checks()
            .any(|c| !c.passive() && c.wants_reached(file, seen))
    }

    fn check_reached(
        &self,
        file: &FileEntry,
        seen: Option<&FileEntry>,
        content: &[u8],
        out: &mut Vec<Finding>,
    ) {
        for c in self.head_checks().filter(|c| c.wants_reached(file, seen)) {
            c.check_reached(file, seen, content, out);
        }
    }

    fn submodules(&self, paths: &[String]) {
        let base = self.base_stages.iter().map(|s| s.stage.as_file_check());
        for c in self.head_checks().chain(base) {
            c.submodules(paths);
        }
    }
}

impl Twin<'_> {
    fn head_checks(&self) -> impl Iterator<Item = &dyn FileCheck> + '_ {
        let stages = self.head_stages.iter().map(|s| s.stage.as_file_check());
        stages.chain(self.head_rest.iter().copied())
    }
}

/// Would the walk read `file` for `checks`: a check that causes reads wants it, and it is within the
/// size limit?
fn worth_reading(checks: &[&dyn FileCheck], config: &Config, file: &FileEntry) -> bool {
    file.size <= config.max_file_size && checks.iter().any(|c| !c.passive() && c.wants(file))
}

/// Run `checks` on one file's bytes as the walk would: only when it is worth reading and is not
/// binary. True when it was checked.
pub fn check_bytes(
    checks: &[&dyn FileCheck],
    config: &Config,
    file: &FileEntry,
    content: &[u8],
    out: &mut Vec<Finding>,
) -> bool {
    if !worth_reading(checks, config, file) {
        return false;
    }
    // Decided by content as the walk decides it (UTF-16 text is decoded, anything else with NUL
    // bytes is binary).
    let Some(text) = files::as_text(content) else {
        return false;
    };
    for c in checks.iter().filter(|c| c.wants(file)) {
        c.check(file, &text, out);
    }
    true
}

/// Where the base evaluation reads what the walk did not give it.
pub struct Reader<'a> {
    pub repo: &'a Repository,
    pub tree: &'a BaseTree,
    pub root: &'a std::path::Path,
    pub shared: &'a Shared<'a>,
    /// The merge base, for messages.
    pub commit: Oid,
}

impl Reader<'_> {
    /// The merge base's bytes of `path`: its blob, or the work tree's file when both trees hold it
    /// unchanged. None when the merge base has no such file.
    pub fn base_bytes(&self, path: &str) -> Result<Option<Vec<u8>>, SourceDiag> {
        if self.shared.unchanged(path) {
            return Ok(work_tree_bytes(self.root, path));
        }
        let Some(id) = self.tree.blobs.get(path) else {
            return Ok(None);
        };
        let blob = self
            .repo
            .find_blob(*id)
            .map_err(|e| self.unreadable(path, &e))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// The size of the merge base's blob at `path` (read from its header, not inflated); None when the
    /// merge base has no such file.
    fn base_size(&self, path: &str) -> Result<Option<u64>, SourceDiag> {
        let Some(id) = self.tree.blobs.get(path) else {
            return Ok(None);
        };
        let (size, _) = self
            .repo
            .odb()
            .and_then(|odb| odb.read_header(*id))
            .map_err(|e| self.unreadable(path, &e))?;
        Ok(Some(size as u64))
    }

    /// The merge base's `path` as a file of the walk: classified, sized, and read only when a check
    /// would read it (never a blob over the size limit). None when ignored by config or absent.
    fn base_file(
        &self,
        checks: &[&dyn FileCheck],
        config: &Config,
        path: &str,
        class: Option<FileClass>,
    ) -> Result<Option<BaseFile>, SourceDiag> {
        let Some(class) = class.or_else(|| files::classify(config, path)) else {
            return Ok(None);
        };
        let size = if self.shared.unchanged(path) {
            files::path_from_key(path)
                .and_then(|b| std::fs::symlink_metadata(self.root.join(os_path(&b))).ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
        } else {
            self.base_size(path)?
        };
        let Some(size) = size else {
            return Ok(None);
        };
        let entry = FileEntry::new(path.to_string(), class, size);
        if !worth_reading(checks, config, &entry) {
            return Ok(Some((entry, None)));
        }
        let bytes = self.base_bytes(path)?;
        Ok(Some((entry, bytes)))
    }

    fn unreadable(&self, path: &str, e: &git2::Error) -> SourceDiag {
        SourceDiag::plain(
            "gate/base-tree",
            format!(
                "--diff: cannot read {} from the merge base {}: {}",
                crate::redact::visible_line(path),
                short(self.commit),
                e.message()
            ),
        )
        .with_help("fetch the full history and objects (`git fetch --unshallow`; in GitHub Actions `fetch-depth: 0` without a blob filter)")
    }
}

/// A merge-base file as the walk would list it, with its bytes when a check would read it.
type BaseFile = (FileEntry, Option<Vec<u8>>);

/// A work-tree file's bytes by its key (None when it cannot be read: the walk reported that already).
pub fn work_tree_bytes(root: &std::path::Path, path: &str) -> Option<Vec<u8>> {
    let bytes = files::path_from_key(path)?;
    std::fs::read(root.join(os_path(&bytes))).ok()
}

#[cfg(unix)]
fn os_path(bytes: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::path::PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn os_path(bytes: &[u8]) -> std::path::PathBuf {
    std::path::PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

fn short(id: Oid) -> String {
    let s = id.to_string();
    s[..s.len().min(7)].to_string()
}

/// What the base evaluation is given: the head's file index (for the files both trees share), the
/// base's own stages, collector and allows (already fed those files by the walk's [`Twin`]), and the
/// facts gathered once.
pub struct Inputs<'a> {
    pub reader: &'a Reader<'a>,
    pub config: &'a Config,
    pub head_files: &'a [FileEntry],
    pub stages: &'a [Stage],
    pub checks: &'a [&'a dyn FileCheck],
    /// The base's findings from the files both trees share (`Twin::into_base_findings`).
    pub found: Vec<Finding>,
}

/// The base's file index and findings before suppression: the files both trees share (as the walk
/// listed them), the merge base's versions of the files the change touched (read from git), vendored
/// files its production code imports, and then the file stages' judgement on the complete index.
pub fn evaluate(
    inputs: Inputs<'_>,
    context: impl FnOnce(Vec<FileEntry>) -> Context,
) -> Result<(Context, Vec<Finding>), SourceDiag> {
    let Inputs {
        reader,
        config,
        head_files,
        stages,
        checks,
        mut found,
    } = inputs;
    let mut files: Vec<FileEntry> = head_files
        .iter()
        .filter(|f| reader.shared.unchanged(&f.path))
        .cloned()
        .collect();
    let mut touched: Vec<&str> = reader.shared.changes.old_paths().collect();
    touched.sort_unstable();
    touched.dedup();
    for path in touched {
        let Some((entry, bytes)) = reader.base_file(checks, config, path, None)? else {
            continue; // ignored by config, or not a regular file at the merge base
        };
        if let Some(bytes) = bytes {
            check_bytes(checks, config, &entry, &bytes, &mut found);
        }
        files.push(entry);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    gate_reached(reader, config, checks, &files, &mut found)?;
    let ctx = context(files);
    registry::run_tree_checks(&ctx, stages, &mut found);
    finding::finalize(&mut found);
    Ok((ctx, found))
}

/// What the merge base's production reaches beyond its classes (vendored files, files named as docs or
/// dev tooling that its production code imports), read from the base and gated as production, as the
/// walk gates the head's (`files::walk`); again until nothing new is reached. Link targets are the
/// head's alone: a finding in one is new to the change (it fails closed).
fn gate_reached(
    reader: &Reader<'_>,
    config: &Config,
    checks: &[&dyn FileCheck],
    files: &[FileEntry],
    found: &mut Vec<Finding>,
) -> Result<(), SourceDiag> {
    let mut done: HashSet<String> = HashSet::new();
    loop {
        let mut next: Vec<crate::repo::reach::Reached> =
            checks.iter().flat_map(|c| c.reached(files)).collect();
        next.retain(|r| !done.contains(&r.path));
        next.sort_by(|a, b| a.path.cmp(&b.path));
        next.dedup_by(|a, b| a.path == b.path);
        if next.is_empty() {
            return Ok(());
        }
        for r in &next {
            done.insert(r.path.clone());
            let Some((entry, Some(bytes))) =
                reader.base_file(checks, config, &r.path, Some(r.class))?
            else {
                continue;
            };
            let first_new = found.len();
            check_bytes(checks, config, &entry, &bytes, found);
            let note = r.note();
            for f in &mut found[first_new..] {
                f.message.push_str(&note);
            }
        }
    }
}
