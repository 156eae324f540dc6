//! What git tracks. The walk honours `.gitignore` so that untracked build output and dependencies stay out,
//! but an ignore rule never hides a file git tracks (`git add -f`, or a rule added after the file was
//! committed): such a file ships like any other. After the walk, the index's paths that it did not reach
//! are handed back to be walked as well.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Index modes of entries that are not files in this repository: a symbolic link is counted by the walk
/// wherever it is reached; a gitlink (submodule) is another repository.
const MODE_SYMLINK: u32 = 0o120000;
const MODE_GITLINK: u32 = 0o160000;

/// Tracked paths under `root` that exist in the working tree but that the walk did not visit: `seen` says
/// whether the walk visited a path (relative to `root`, `/`-separated, as the walk spells it). Paths under a
/// nested repository are left out. `Err` when `root` is in a repository whose index cannot be read.
/// Not in a repository (or a bare one): nothing.
pub fn unvisited(
    root: &Path,
    nested_repos: &[String],
    seen: impl Fn(&str) -> bool,
) -> Result<Vec<PathBuf>, String> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Ok(Vec::new());
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(Vec::new());
    };
    let prefix = match prefix_in(workdir, root) {
        Some(p) => p,
        None => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    let mut listed: HashSet<Vec<u8>> = HashSet::new();
    let mut consider = |mode: u32, path: &[u8]| {
        if mode == MODE_GITLINK || mode == MODE_SYMLINK || mode & 0o170000 == 0o040000 {
            return;
        }
        let Some(rel) = path.strip_prefix(prefix.as_slice()) else {
            return;
        };
        // Keyed as the walk keys what it visits: a name with a byte that needs escaping (`\xff`, a
        // tab, a backslash) must not look unvisited, or it would be walked and reported twice.
        let rel_str = crate::repo::files::path_key(rel);
        if rel.is_empty()
            || seen(&rel_str)
            || nested_repos.iter().any(|n| {
                rel_str
                    .strip_prefix(n.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            })
        {
            return;
        }
        let path = root.join(bytes_to_path(rel));
        // Deleted in the working tree (or outside a sparse checkout): nothing to read.
        if path.symlink_metadata().is_err() {
            return;
        }
        // A conflicted path has one entry per stage.
        if listed.insert(rel.to_vec()) {
            out.push(path);
        }
    };
    // The index is streamed from its file (the walk already holds one entry per file; libgit2's
    // in-memory index would add as much again). Formats this reader does not know (a split index, a
    // damaged file) are read through libgit2 instead.
    let hash_len = match repo
        .config()
        .and_then(|c| c.get_string("extensions.objectformat"))
    {
        Ok(f) if f.eq_ignore_ascii_case("sha256") => 32,
        _ => 20,
    };
    let index_file = repo.path().join("index");
    if !index_file.exists() {
        return Ok(Vec::new());
    }
    if read_index(&index_file, hash_len, &mut consider).is_err() {
        // Paths the reader gave before it stopped are not listed twice (`listed`).
        let index = repo.index().map_err(|e| e.message().to_string())?;
        for entry in index.iter() {
            consider(entry.mode, &entry.path);
        }
    }
    Ok(out)
}

/// Read git's index file entry by entry (versions 2 to 4), calling `each(mode, path)`. Err for anything
/// it does not know: an unknown version, a split index (`link` extension), a short or damaged file.
fn read_index(
    file: &Path,
    hash_len: usize,
    mut each: impl FnMut(u32, &[u8]),
) -> Result<(), String> {
    use std::io::{BufRead, BufReader, Read};
    let err = |e: std::io::Error| e.to_string();
    let len = std::fs::metadata(file).map_err(err)?.len();
    let mut r = BufReader::with_capacity(64 * 1024, std::fs::File::open(file).map_err(err)?);
    let mut header = [0u8; 12];
    r.read_exact(&mut header).map_err(err)?;
    if &header[..4] != b"DIRC" {
        return Err("not an index file".into());
    }
    let version = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
    let count = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
    if !(2..=4).contains(&version) {
        return Err(format!("index version {version}"));
    }
    // ctime, mtime (8 each), dev, ino, mode, uid, gid, size (4 each), the object id, flags (2).
    let fixed = 40 + hash_len + 2;
    let mut head = vec![0u8; fixed];
    let mut path: Vec<u8> = Vec::new();
    let mut suffix: Vec<u8> = Vec::new();
    let mut consumed: u64 = 12;
    for _ in 0..count {
        r.read_exact(&mut head).map_err(err)?;
        let mode = u32::from_be_bytes([head[24], head[25], head[26], head[27]]);
        let flags = u16::from_be_bytes([head[fixed - 2], head[fixed - 1]]);
        let mut entry_len = fixed;
        if version >= 3 && flags & 0x4000 != 0 {
            let mut ext = [0u8; 2];
            r.read_exact(&mut ext).map_err(err)?;
            entry_len += 2;
        }
        if version == 4 {
            // The path is the previous one less N trailing bytes (git's offset varint), plus a
            // NUL-terminated suffix.
            let mut byte = [0u8; 1];
            r.read_exact(&mut byte).map_err(err)?;
            entry_len += 1;
            let mut strip = usize::from(byte[0] & 0x7f);
            while byte[0] & 0x80 != 0 {
                r.read_exact(&mut byte).map_err(err)?;
                entry_len += 1;
                strip = strip
                    .checked_add(1)
                    .and_then(|v| v.checked_mul(128))
                    .and_then(|v| v.checked_add(usize::from(byte[0] & 0x7f)))
                    .ok_or("bad path prefix")?;
            }
            if strip > path.len() {
                return Err("bad path prefix".into());
            }
            path.truncate(path.len() - strip);
            suffix.clear();
            r.read_until(0, &mut suffix).map_err(err)?;
            if suffix.pop() != Some(0) {
                return Err("unterminated path".into());
            }
            entry_len += suffix.len() + 1;
            path.extend_from_slice(&suffix);
        } else {
            path.clear();
            r.read_until(0, &mut path).map_err(err)?;
            if path.pop() != Some(0) {
                return Err("unterminated path".into());
            }
            // Entries are padded with NULs to a multiple of 8 bytes (at least one NUL).
            let total = (entry_len + path.len() + 8) & !7;
            let pad = total - entry_len - path.len() - 1;
            let mut skip = [0u8; 8];
            r.read_exact(&mut skip[..pad]).map_err(err)?;
            entry_len = total;
        }
        consumed += entry_len as u64;
        each(mode, &path);
    }
    // Extensions: only a split index changes which entries exist.
    while consumed + 8 + hash_len as u64 <= len {
        let mut ext = [0u8; 8];
        r.read_exact(&mut ext).map_err(err)?;
        if &ext[..4] == b"link" {
            return Err("split index".into());
        }
        let size = u32::from_be_bytes([ext[4], ext[5], ext[6], ext[7]]);
        r.seek_relative(i64::from(size)).map_err(err)?;
        consumed += 8 + u64::from(size);
    }
    Ok(())
}

/// The index's path prefix (`sub/dir/`, as bytes) for `root` inside the work tree `workdir`; empty at the
/// top. None when `root` is not inside it.
fn prefix_in(workdir: &Path, root: &Path) -> Option<Vec<u8>> {
    let workdir = workdir.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    let rel = root.strip_prefix(&workdir).ok()?;
    let mut prefix = Vec::new();
    for part in rel.components() {
        prefix.extend_from_slice(&os_bytes(part.as_os_str()));
        prefix.push(b'/');
    }
    Some(prefix)
}

#[cfg(unix)]
fn bytes_to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn bytes_to_path(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).replace('/', std::path::MAIN_SEPARATOR_STR))
}

#[cfg(unix)]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    type R = Result<(), Box<dyn std::error::Error>>;

    fn git(dir: &Path, args: &[&str]) -> R {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()?;
        assert!(out.status.success(), "git {args:?}: {out:?}");
        Ok(())
    }

    /// The stream reader gives what libgit2 gives, for index versions 2, 3 (an intent-to-add entry has
    /// extended flags) and 4 (prefix-compressed paths), with names of every length mod 8.
    #[test]
    fn the_index_reader_agrees_with_libgit2() -> R {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        git(root, &["init", "-q"])?;
        let mut names = Vec::new();
        for n in 1..=17 {
            names.push(format!("d{}/{}", n % 3, "f".repeat(n)));
        }
        names.push("dir/sub/é-non-ascii.txt".to_string());
        for n in &names {
            let p = root.join(n);
            std::fs::create_dir_all(p.parent().ok_or("parent")?)?;
            std::fs::write(p, n)?;
        }
        git(root, &["add", "."])?;
        std::fs::write(root.join("later.txt"), "x")?;
        git(root, &["add", "-N", "later.txt"])?;
        let index = root.join(".git/index");
        for version in ["3", "4", "2"] {
            if version == "2" {
                git(root, &["rm", "-q", "--cached", "later.txt"])?;
            }
            git(root, &["update-index", "--index-version", version])?;
            let mut streamed = Vec::new();
            read_index(&index, 20, |mode, p| streamed.push((mode, p.to_vec())))?;
            let repo = git2::Repository::open(root)?;
            let expected: Vec<(u32, Vec<u8>)> =
                repo.index()?.iter().map(|e| (e.mode, e.path)).collect();
            assert_eq!(streamed, expected, "version {version}");
            assert!(streamed.len() >= names.len());
        }
        Ok(())
    }

    #[test]
    fn a_damaged_index_is_an_error_not_a_panic() -> R {
        let dir = tempfile::tempdir()?;
        let f = dir.path().join("index");
        for bytes in [
            &b""[..],
            b"DIRC",
            b"DIRC\0\0\0\x02\0\0\0\x05",
            b"DIRC\0\0\0\x09\0\0\0\x01",
            b"XXXX\0\0\0\x02\0\0\0\x00",
        ] {
            std::fs::write(&f, bytes)?;
            assert!(read_index(&f, 20, |_, _| {}).is_err(), "{bytes:?}");
        }
        // A v4 entry whose prefix strip is longer than the previous path.
        let mut v4 = b"DIRC\0\0\0\x04\0\0\0\x01".to_vec();
        v4.extend_from_slice(&[0u8; 62]);
        v4.extend_from_slice(&[0x05, b'a', 0]);
        std::fs::write(&f, &v4)?;
        assert!(read_index(&f, 20, |_, _| {}).is_err());
        Ok(())
    }
}
