//! One parallel walk of the tree. Each file is classified, and read once — only when some check wants
//! its content — into a buffer reused by its thread (the design's measured 6x over a fresh read per file).

use crate::config::{Config, PathOverride};
use crate::finding::{Finding, Location, Severity};
use crate::repo::classify::{classify_default, FileClass, Lang};
use crate::repo::reach::{How, Reached};
use ignore::WalkState;
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

/// A file in the tree, as checks see it.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    /// Relative to the scanned root, `/`-separated. A boxed str, not a String: the walk keeps one entry
    /// per file, and the capacity word is 8 bytes per file for nothing.
    pub path: Box<str>,
    pub class: FileClass,
    pub lang: Lang,
    /// In bytes, learnt when the file is opened; 0 for a file the walk never opened (no check wanted it).
    pub size: u64,
}

impl FileEntry {
    pub fn new(path: String, class: FileClass, size: u64) -> FileEntry {
        FileEntry {
            lang: Lang::from_extension(path.rsplit_once('.').map_or("", |(_, e)| e)),
            path: path.into_boxed_str(),
            class,
            size,
        }
    }
}

/// A check that looks at file contents. It runs inside the walk, on the walker's thread, so it must be a
/// pure function of the file and its bytes.
pub trait FileCheck: Sync {
    fn wants(&self, file: &FileEntry) -> bool;
    fn check(&self, file: &FileEntry, content: &[u8], out: &mut Vec<Finding>);
    /// A passive check sees files that other checks caused to be read, but never causes a read itself
    /// (inline suppressions only matter where something can be found).
    fn passive(&self) -> bool {
        false
    }
    /// Files production reaches (as collected so far) that the walk did not gate as production: a
    /// vendored file or a file named as docs that production code imports. The walk reads them, gated
    /// as production, and asks again until nothing new is reached.
    fn reached(&self, _files: &[FileEntry]) -> Vec<Reached> {
        Vec::new()
    }
    /// Before the walk: the submodules git tracks (keys), which the walk will not enter.
    fn submodules(&self, _paths: &[String]) {}
    /// Does it want `file`, a file production reaches, read again as its production class after the
    /// walk read it as `seen` (None: the walk did not read it)? A check that saw it then does not see
    /// it twice.
    fn wants_reached(&self, file: &FileEntry, seen: Option<&FileEntry>) -> bool {
        self.wants(file) && !seen.is_some_and(|s| self.wants(s))
    }
    /// Check a reached file (see `wants_reached`).
    fn check_reached(
        &self,
        file: &FileEntry,
        seen: Option<&FileEntry>,
        content: &[u8],
        out: &mut Vec<Finding>,
    ) {
        let _ = seen;
        self.check(file, content, out);
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WalkStats {
    pub files: u64,
    pub scanned: u64,
    pub bytes_scanned: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    pub ignored: u64,
    pub unreadable: u64,
    pub symlinks: u64,
    /// Submodules and other nested repositories: not walked (see `Worker::nested_repository`).
    pub nested_repos: u64,
    /// Third-party files checked in (`vendor/`, `node_modules/`, `third_party/`, …): listed, not gated
    /// as production code; counted so the summary says how much was left to its upstream.
    pub vendored: u64,
    /// The third-party trees those files lie in (`vendor/`, `app/vendor/`, `node_modules/`, …).
    pub vendored_trees: u64,
    /// Vendored files production code imports: gated as production code (see `gate_reached`).
    pub vendored_gated: u64,
    /// Other files production reaches although named otherwise (docs, examples, dev tooling, the
    /// targets of links where production files are): gated as production.
    pub reached_gated: u64,
    /// Files inside production code that the naming conventions made tests or fixtures, and why.
    pub skipped_as_tests: crate::repo::reach::SkippedAsTests,
}

impl WalkStats {
    fn add(&mut self, o: &WalkStats) {
        self.files += o.files;
        self.scanned += o.scanned;
        self.bytes_scanned += o.bytes_scanned;
        self.skipped_binary += o.skipped_binary;
        self.skipped_large += o.skipped_large;
        self.ignored += o.ignored;
        self.unreadable += o.unreadable;
        self.symlinks += o.symlinks;
        self.nested_repos += o.nested_repos;
        self.vendored += o.vendored;
        self.vendored_trees += o.vendored_trees;
        self.vendored_gated += o.vendored_gated;
        self.reached_gated += o.reached_gated;
    }
}

#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<FileEntry>,
    pub findings: Vec<Finding>,
    pub stats: WalkStats,
    /// Submodules and nested repositories that were not walked, relative to the root, sorted.
    pub nested_repos: Vec<String>,
    /// Files production reaches that the walk gated after it (vendored, named otherwise, link targets).
    pub reached: Vec<Reached>,
    /// Symbolic links: (the link's key, its target as stored), for `reach::link_targets`.
    links: Vec<(String, Vec<u8>)>,
    /// Paths the walk visited but did not list (ignored by config, unreadable): not walked twice when
    /// the index's tracked paths are added. Emptied before the walk returns.
    passed_over: Vec<Box<str>>,
}

/// Rule for a file or directory that could not be read. Nothing is silently dropped.
pub const UNREADABLE: &str = "gate/unreadable-file";

/// How many leading bytes decide "binary" (a NUL byte among them), as git and ripgrep do.
const BINARY_PROBE: usize = 8 * 1024;

/// Classify a path: the user's globs first, then the conventions. None: ignored by config.
pub fn classify(config: &Config, rel: &str) -> Option<FileClass> {
    match config.paths.lookup(rel) {
        Some(PathOverride::Ignore) => None,
        Some(PathOverride::Class(c)) => Some(c),
        None => Some(classify_default(rel)),
    }
}

pub fn walk(root: &Path, config: &Config, checks: &[&dyn FileCheck]) -> Walked {
    let submodules = crate::repo::tracked::submodules(root);
    if !submodules.is_empty() {
        checks.iter().for_each(|c| c.submodules(&submodules));
    }
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some(".git" | ".hg" | ".svn")))
        .build_parallel();
    let mut all = run_walker(walker, root, config, checks);
    all.files.sort_by(|a, b| a.path.cmp(&b.path));
    // `.gitignore` never hides a file git tracks: what the walk skipped for an ignore rule is walked now.
    all.passed_over.sort();
    let seen = |rel: &str| {
        all.files.binary_search_by(|f| (*f.path).cmp(rel)).is_ok()
            || all.passed_over.binary_search_by(|p| (**p).cmp(rel)).is_ok()
    };
    match crate::repo::tracked::unvisited(root, &all.nested_repos, seen) {
        Ok(paths) if paths.is_empty() => {}
        Ok(paths) => {
            // A tracked link that an ignore rule hid is kept as the walk keeps links (never read
            // through: a walker given a link as its root would follow it).
            let (links, paths): (Vec<_>, Vec<_>) = paths.into_iter().partition(|p| {
                p.symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink())
            });
            for link in links {
                all.stats.symlinks += 1;
                if let Ok(target) = std::fs::read_link(&link) {
                    all.links
                        .push((relative(root, &link), os_bytes(target.as_os_str())));
                }
            }
            let Some(first) = paths.first() else {
                return finish_walk(root, config, checks, all);
            };
            let mut builder = ignore::WalkBuilder::new(first);
            for p in &paths[1..] {
                builder.add(p);
            }
            let extra = run_walker(builder.build_parallel(), root, config, checks);
            all.files.extend(extra.files);
            all.findings.extend(extra.findings);
            all.stats.add(&extra.stats);
            all.links.extend(extra.links);
            all.files.sort_by(|a, b| a.path.cmp(&b.path));
        }
        Err(why) => {
            let mut w = Worker::new(root, config, checks);
            w.unreadable(
                ".git/index",
                &format!("git's index could not be read: {why}"),
            );
            let part = std::mem::take(&mut w.local);
            all.findings.extend(part.findings);
            all.stats.add(&part.stats);
        }
    }
    finish_walk(root, config, checks, all)
}

/// What follows the walk proper: the summary's counts, and the files production reaches beyond it.
fn finish_walk(root: &Path, config: &Config, checks: &[&dyn FileCheck], mut all: Walked) -> Walked {
    all.passed_over = Vec::new();
    all.nested_repos.sort();
    all.stats.vendored_trees = vendored_trees(config, &all.files);
    all.stats.skipped_as_tests = crate::repo::reach::skipped_as_tests(config, &all.files);
    gate_reached(root, config, checks, &mut all);
    all
}

/// Production's reach beyond the walk's classes: the targets of links where production files are, then
/// whatever the checks say production reaches (imports of vendored files and of files named as docs or
/// dev tooling), read and gated as production; again until nothing new is reached (what a reached file
/// imports is reached too). Each file is read at most once.
fn gate_reached(root: &Path, config: &Config, checks: &[&dyn FileCheck], all: &mut Walked) {
    let links = std::mem::take(&mut all.links);
    let mut next = crate::repo::reach::link_targets(config, &links, &all.files);
    let mut done: std::collections::HashSet<String> = std::collections::HashSet::new();
    loop {
        next.extend(checks.iter().flat_map(|c| c.reached(&all.files)));
        next.retain(|r| !done.contains(&r.path));
        next.sort_by(|a, b| a.path.cmp(&b.path));
        next.dedup_by(|a, b| a.path == b.path);
        if next.is_empty() {
            break;
        }
        done.extend(next.iter().map(|r| r.path.clone()));
        gate_as(root, config, checks, &next, all);
        all.reached.append(&mut next);
    }
    all.reached.sort_by(|a, b| a.path.cmp(&b.path));
}

/// How many third-party trees the vendored files lie in: each file's conventional root
/// (`vendor_root`), or for a file the user's `[paths]` made vendored outside one, its directory.
fn vendored_trees(config: &Config, files: &[FileEntry]) -> u64 {
    let mut roots: Vec<&str> = files
        .iter()
        .filter(|f| f.class == FileClass::Vendor)
        .map(|f| {
            let conventional = match config.paths.lookup(&f.path) {
                Some(PathOverride::Class(_)) => None,
                _ => crate::repo::classify::vendor_root(&f.path),
            };
            conventional.unwrap_or_else(|| f.path.rsplit_once('/').map_or("", |(d, _)| d))
        })
        .collect();
    roots.sort_unstable();
    roots.dedup();
    roots.len() as u64
}

/// Read the files production reaches (keys as the walk gave them) and run `checks` on each as a file of
/// its production class; their findings say who reaches them. Only these files are read; findings and
/// stats are added to `walked`. A file that is gone, not a regular file or unreadable is
/// `gate/unreadable-file`, as in the walk.
fn gate_as(
    root: &Path,
    config: &Config,
    checks: &[&dyn FileCheck],
    reached: &[Reached],
    walked: &mut Walked,
) {
    let mut w = Worker::new(root, config, checks);
    for r in reached {
        // The walk's own entry: checks that read the file then (the collector, inline allows, and any
        // check its class already interested) do not read it twice.
        let seen = walked
            .files
            .binary_search_by(|f| (*f.path).cmp(r.path.as_str()))
            .ok()
            .map(|i| walked.files[i].clone());
        let Some(bytes) = path_from_key(&r.path) else {
            continue;
        };
        let full = root.join(os_path(&bytes));
        let mut file = FileEntry::new(r.path.clone(), r.class, 0);
        let first = w.local.findings.len();
        match full.symlink_metadata() {
            Ok(m) if m.file_type().is_file() => {
                if w.read_and_check_as(&mut file, &full, Why::Reached(seen.as_ref())) == Some(true)
                {
                    match r.how {
                        How::Vendored => w.local.stats.vendored_gated += 1,
                        How::Named(_) | How::Link => w.local.stats.reached_gated += 1,
                    }
                }
            }
            Ok(_) => w.unreadable(&r.path, "not a regular file"),
            Err(e) => w.unreadable(&r.path, &e.to_string()),
        }
        let note = r.note();
        for f in &mut w.local.findings[first..] {
            f.message.push_str(&note);
        }
    }
    let part = std::mem::take(&mut w.local);
    walked.findings.extend(part.findings);
    walked.stats.add(&part.stats);
}

/// Why the walk reads a file: as it walks, or as a file production reaches (after the walk read it as
/// the entry given, if it did).
#[derive(Clone, Copy)]
enum Why<'a> {
    Walk,
    Reached(Option<&'a FileEntry>),
}

#[cfg(unix)]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    s.to_string_lossy().replace('\\', "/").into_bytes()
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

fn run_walker(
    walker: ignore::WalkParallel,
    root: &Path,
    config: &Config,
    checks: &[&dyn FileCheck],
) -> Walked {
    let results: Mutex<Vec<Walked>> = Mutex::new(Vec::new());
    walker.run(|| {
        let mut worker = Worker::new(root, config, checks);
        worker.results = Some(&results);
        Box::new(move |entry| worker.visit(entry))
    });
    let parts = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut all = Walked::default();
    // The file list lives for the whole run: sized exactly, not grown by doubling past its length.
    all.files
        .reserve_exact(parts.iter().map(|p| p.files.len()).sum());
    for part in parts {
        all.files.extend(part.files);
        all.findings.extend(part.findings);
        all.stats.add(&part.stats);
        all.nested_repos.extend(part.nested_repos);
        all.passed_over.extend(part.passed_over);
        all.links.extend(part.links);
    }
    all
}

struct Worker<'a> {
    root: &'a Path,
    config: &'a Config,
    checks: &'a [&'a dyn FileCheck],
    buf: Vec<u8>,
    /// The checks that want the file at hand, reused from file to file (no allocation per file).
    wanted: Vec<&'a dyn FileCheck>,
    local: Walked,
    results: Option<&'a Mutex<Vec<Walked>>>,
}

impl<'a> Worker<'a> {
    fn new(root: &'a Path, config: &'a Config, checks: &'a [&'a dyn FileCheck]) -> Worker<'a> {
        Worker {
            root,
            config,
            checks,
            buf: Vec::with_capacity(64 * 1024),
            wanted: Vec::with_capacity(checks.len()),
            local: Walked::default(),
            results: None,
        }
    }
}

/// Each thread hands its results over when the walk drops its closure.
impl Drop for Worker<'_> {
    fn drop(&mut self) {
        if let Some(results) = self.results {
            let local = std::mem::take(&mut self.local);
            results
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(local);
        }
    }
}

impl Worker<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                self.unreadable(&walk_error_path(self.root, &err), &err.to_string());
                return WalkState::Continue;
            }
        };
        if entry.path_is_symlink() {
            // Never followed by the walk (a link may point outside the repository, or loop); counted,
            // not hidden, and kept: a link where a production file is stands for its target, which is
            // gated as production after the walk if it lies inside the repository.
            self.local.stats.symlinks += 1;
            let rel = relative(self.root, entry.path());
            if let Ok(target) = std::fs::read_link(entry.path()) {
                self.local
                    .links
                    .push((rel.clone(), os_bytes(target.as_os_str())));
            }
            // Seen: the index's tracked links are not walked again.
            self.local.passed_over.push(rel.into_boxed_str());
            return WalkState::Continue;
        }
        if self.nested_repository(&entry) {
            return WalkState::Skip;
        }
        // Only regular files are read: a FIFO, socket or device could block a read forever.
        if entry.file_type().is_some_and(|t| t.is_file()) {
            self.file(&entry);
        }
        WalkState::Continue
    }

    /// A directory below the root with its own `.git` (a submodule, an initialised or cloned-in
    /// repository, a linked worktree) is another repository: its history, owners and gate are its own,
    /// and its findings could not be fixed here. It is not walked as if it were this product; it is
    /// counted and named in the summary instead. (An uninitialised submodule is an empty directory,
    /// walked as one.) A directory the config ignores is left to the ignore rule.
    fn nested_repository(&mut self, entry: &ignore::DirEntry) -> bool {
        if entry.depth() == 0
            || !entry.file_type().is_some_and(|t| t.is_dir())
            || entry.path().join(".git").symlink_metadata().is_err()
        {
            return false;
        }
        let rel = relative(self.root, entry.path());
        if matches!(self.config.paths.lookup(&rel), Some(PathOverride::Ignore)) {
            return false;
        }
        self.local.stats.nested_repos += 1;
        self.local.nested_repos.push(rel);
        true
    }

    fn file(&mut self, entry: &ignore::DirEntry) {
        let rel = relative(self.root, entry.path());
        let Some(class) = classify(self.config, &rel) else {
            self.local.stats.ignored += 1;
            self.local.passed_over.push(rel.into_boxed_str());
            return;
        };
        // No stat here: two files in three are never read, and the size of one that is comes from the
        // open file (`read_text`), which costs no second path lookup.
        let mut file = FileEntry::new(rel, class, 0);
        self.local.stats.files += 1;
        if class == FileClass::Vendor {
            self.local.stats.vendored += 1;
        }
        // An unreadable file is reported, and still listed.
        self.read_and_check_as(&mut file, entry.path(), Why::Walk);
        self.local.files.push(file);
    }

    /// As `read_and_check`, leaving out the checks that already read the file as `seen` (the walk's
    /// entry for a file read again as production): each check sees a file once.
    /// Read `file` (at `full`) if a non-passive check wants it, and run the checks that want it; its
    /// `size` is set from the open file. Some(true): read and checked; Some(false): not read (not
    /// wanted, too large, binary); None: unreadable, reported.
    fn read_and_check_as(
        &mut self,
        file: &mut FileEntry,
        full: &Path,
        how: Why<'_>,
    ) -> Option<bool> {
        let reached = match how {
            Why::Walk => None,
            // The walk read it before when a check that causes reads wanted it then.
            Why::Reached(seen) => {
                Some(seen.filter(|s| self.checks.iter().any(|c| c.wants(s) && !c.passive())))
            }
        };
        let mut wanted = std::mem::take(&mut self.wanted);
        wanted.clear();
        wanted.extend(self.checks.iter().copied().filter(|c| match reached {
            None => c.wants(file),
            Some(seen) => c.wants_reached(file, seen),
        }));
        let read = wanted
            .iter()
            .any(|c| !c.passive())
            .then(|| self.read_checked(file, full, reached, &wanted));
        self.wanted = wanted;
        read.unwrap_or(Some(false))
    }

    /// `read_and_check_as` once some check wants the file: read it and run `wanted` on it.
    fn read_checked(
        &mut self,
        file: &mut FileEntry,
        full: &Path,
        reached: Option<Option<&FileEntry>>,
        wanted: &[&dyn FileCheck],
    ) -> Option<bool> {
        match read_text(full, self.config.max_file_size, &mut self.buf) {
            Ok(Opened::TooLarge(size)) => {
                file.size = size;
                self.local.stats.skipped_large += 1;
                Some(false)
            }
            Ok(Opened::Text(size)) => {
                file.size = size;
                self.local.stats.scanned += 1;
                self.local.stats.bytes_scanned += self.buf.len() as u64;
                for c in wanted {
                    match reached {
                        None => c.check(file, &self.buf, &mut self.local.findings),
                        Some(seen) => {
                            c.check_reached(file, seen, &self.buf, &mut self.local.findings)
                        }
                    }
                }
                Some(true)
            }
            Ok(Opened::Binary(size)) => {
                file.size = size;
                self.local.stats.skipped_binary += 1;
                Some(false)
            }
            Err(err) => {
                self.unreadable(&file.path, &err.to_string());
                None
            }
        }
    }

    fn unreadable(&mut self, rel: &str, why: &str) {
        self.local.stats.unreadable += 1;
        // `[scan] fail-closed = false` is the user's explicit opt-out: still reported, as a warning.
        let severity = if self.config.scan_fail_closed {
            Severity::Error
        } else {
            Severity::Warning
        };
        self.local.findings.push(
            Finding::new(UNREADABLE, severity, format!("could not read `{rel}`: {why}"), Location::File(crate::finding::FileSpan {
                path: rel.to_string(),
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
                span: (0, 0),
            }))
            .with_help("make the file readable by the user running shipgate, or exclude it with `[paths] ignore` in shipgate.toml"),
        );
    }
}

/// Read a whole file into `buf` as text; false if it is binary (a NUL byte in its first 8 KiB that is
/// not UTF-16 text, see `as_text`).
/// What `read_text` found; each with the file's size in bytes.
enum Opened {
    Text(u64),
    Binary(u64),
    /// Over `[scan] max-file-size`: not read.
    TooLarge(u64),
}

fn read_text(path: &Path, max: u64, buf: &mut Vec<u8>) -> std::io::Result<Opened> {
    buf.clear();
    let mut f = std::fs::File::open(path)?;
    // fstat on the open descriptor: no path lookup, and the size of the file actually read.
    let size = f.metadata()?.len();
    if size > max {
        return Ok(Opened::TooLarge(size));
    }
    let mut probe = [0u8; BINARY_PROBE];
    let mut filled = 0;
    while filled < BINARY_PROBE {
        match f.read(&mut probe[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    let zero = memchr::memchr(0, &probe[..filled]).is_some();
    if zero && utf16(&probe[..filled]).is_none() {
        return Ok(Opened::Binary(size));
    }
    buf.extend_from_slice(&probe[..filled]);
    if filled == BINARY_PROBE {
        f.read_to_end(buf)?;
    }
    if zero {
        match as_text(buf) {
            Some(std::borrow::Cow::Owned(text)) => *buf = text,
            Some(std::borrow::Cow::Borrowed(_)) => {}
            None => return Ok(Opened::Binary(size)),
        }
    }
    Ok(Opened::Text(size))
}

/// A file's bytes as UTF-8 text, decided by content as git and editors do: text without NUL bytes in its
/// first 8 KiB as it is, UTF-16 text (a byte-order mark, or the zero bytes ASCII has in every other
/// position) decoded, and None for anything else (binary). A `.gitattributes` line such as
/// `settings.py working-tree-encoding=UTF-16LE` makes git write a file that way in the checkout: it is
/// still the same production file, and is gated as one.
pub fn as_text(bytes: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if memchr::memchr(0, probe).is_none() {
        return Some(std::borrow::Cow::Borrowed(bytes));
    }
    let (little, bom) = utf16(probe)?;
    let body = &bytes[bom..];
    if body.len() % 2 != 0 {
        return None;
    }
    let units = body.chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let mut out = String::with_capacity(body.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok('\0') | Err(_) => return None,
            Ok(c) => out.push(c),
        }
    }
    Some(std::borrow::Cow::Owned(out.into_bytes()))
}

/// Is `probe` the start of UTF-16 text: (little-endian, byte-order mark length)? A byte-order mark
/// decides; without one, zero bytes only in odd positions (little-endian) or only in even ones
/// (big-endian), in at least half the code units, as ASCII-heavy text has and binary files do not.
fn utf16(probe: &[u8]) -> Option<(bool, usize)> {
    match probe {
        [0xFF, 0xFE, 0, 0, ..] => return None, // UTF-32
        [0xFF, 0xFE, ..] => return Some((true, 2)),
        [0xFE, 0xFF, ..] => return Some((false, 2)),
        _ => {}
    }
    let units = probe.len() / 2;
    if units < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in probe.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    match (even, odd) {
        (0, o) if o * 2 >= units => Some((true, 0)),
        (e, 0) if e * 2 >= units => Some((false, 0)),
        _ => None,
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    os_path_key(rel.as_os_str())
}

/// A path from the operating system (or git) as shipgate keys and shows it; see `path_key`.
pub fn os_path_key(path: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path_key(path.as_bytes())
    }
    #[cfg(not(unix))]
    {
        let s = path.to_string_lossy();
        path_key(s.replace(std::path::MAIN_SEPARATOR, "/").as_bytes())
    }
}

/// File names are bytes. The key a file is matched by (findings, inline allows, diffs, baselines) and
/// shown as is its name with every byte kept distinct and printable: valid UTF-8 stays as it is, except
/// `\` (written `\\`), control characters and invalid bytes (`\xNN`), and C1 controls and bidirectional
/// overrides (`\u{NNNN}`). Two different names never share a key (`settings\xff.py` and
/// `settings\xfe.py` stay apart), and a name cannot carry a carriage return or an escape sequence into
/// a log. `path_from_key` turns a key back into the bytes.
pub fn path_key(bytes: &[u8]) -> String {
    let needs = bytes
        .iter()
        .any(|&b| b < 0x20 || b == 0x7f || b == b'\\' || b >= 0x80);
    if !needs {
        // Plain printable ASCII: the common case, no work.
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
                c if is_invisible_control(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// C1 controls and the bidirectional-text controls that reorder what a reader sees.
fn is_invisible_control(c: char) -> bool {
    matches!(c as u32, 0x80..=0x9f | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

/// The bytes a `path_key` stands for (None: not a key `path_key` could have written).
pub fn path_from_key(key: &str) -> Option<Vec<u8>> {
    if !key.contains('\\') {
        return Some(key.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(key.len());
    let mut chars = key.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next()?.1 {
            '\\' => out.push(b'\\'),
            'x' => {
                let hex: String = [chars.next()?.1, chars.next()?.1].iter().collect();
                out.push(u8::from_str_radix(&hex, 16).ok()?);
            }
            'u' => {
                if chars.next()?.1 != '{' {
                    return None;
                }
                let mut hex = String::new();
                loop {
                    match chars.next()?.1 {
                        '}' => break,
                        h => hex.push(h),
                    }
                }
                let c = char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The file on disk a key names, under `root`.
pub fn disk_path(root: &Path, key: &str) -> Option<std::path::PathBuf> {
    let bytes = path_from_key(key)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(root.join(std::ffi::OsStr::from_bytes(&bytes)))
    }
    #[cfg(not(unix))]
    {
        Some(root.join(String::from_utf8(bytes).ok()?))
    }
}

fn walk_error_path(root: &Path, err: &ignore::Error) -> String {
    fn find(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            _ => None,
        }
    }
    find(err).map_or_else(|| ".".to_string(), |p| relative(root, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn text_is_decided_by_content_utf16_decoded() {
        let text = "DEBUG = True\nNAME = \"Gwasanaeth ✓\"\n";
        for bom in [true, false] {
            let got = as_text(&utf16le(text, bom)).map(|c| c.into_owned());
            assert_eq!(got.as_deref(), Some(text.as_bytes()), "bom {bom}");
        }
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(
            as_text(&be).map(|c| c.into_owned()).as_deref(),
            Some(text.as_bytes())
        );
        assert!(matches!(
            as_text(b"plain"),
            Some(std::borrow::Cow::Borrowed(b"plain"))
        ));
        // Binary stays binary: NULs in both positions, an odd length, an unpaired surrogate, UTF-32.
        for bin in [
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0"[..],
            b"a\0b\0c",
            &[0xFF, 0xFE, 0x00, 0xD8, b'a', 0],
            &[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0],
            b"\0\0\0\0",
        ] {
            assert!(as_text(bin).is_none(), "{bin:?}");
        }
    }

    #[test]
    fn path_keys_are_distinct_printable_and_reversible() {
        let names: [&[u8]; 8] = [
            b"app/settings.py",
            b"app/settings\xff.py",
            b"app/settings\xfe.py",
            b"app/settings\\xff.py",
            b"a\rb\x1b[31m.py",
            "caf\u{e9}/\u{202e}txt.py".as_bytes(),
            b"\xc2\x9b.py",
            b"",
        ];
        let keys: Vec<String> = names.iter().map(|n| path_key(n)).collect();
        assert_eq!(keys[1], "app/settings\\xff.py");
        assert_eq!(keys[3], "app/settings\\\\xff.py");
        assert_eq!(keys[4], "a\\x0db\\x1b[31m.py");
        assert_eq!(keys[5], "caf\u{e9}/\\u{202e}txt.py");
        for (n, k) in names.iter().zip(&keys) {
            assert!(!k.chars().any(char::is_control), "{k:?}");
            assert_eq!(path_from_key(k).as_deref(), Some(*n), "{k}");
        }
        let unique: std::collections::HashSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());
        assert_eq!(path_from_key("bad\\q"), None);
        assert_eq!(path_from_key("bad\\x"), None);
    }
}
