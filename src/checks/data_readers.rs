//! Data files read only by non-production code. A demo-data file (`demo_data/clinics.yml`) holding test
//! e-mail addresses is a dev seed when the only code that reads it is a non-production app's seed command
//! (`nonprod/management/commands/seed_demo.py`) — also when that command finds the file's name in another
//! data file (`demo_data/manifest.yml: files: [clinics]`) rather than naming it itself.
//!
//! During the walk every file the markers stage reads is indexed by the file names it mentions (and a
//! data list's bare words, which may be a file's stem); the `data/` findings of data files are held. Once
//! the walk is done, a data file whose every reader — followed through the data lists that name it — is
//! non-production code gets notes saying so. A file with no reader found, or any production reader, is
//! judged as before: a name built at run time is invisible here, so absence of a production reader alone
//! proves nothing, and the findings only become notes (still shown), never disappear.

use super::leak::paths::{extension, file_name, stem};
use crate::finding::{Finding, Location, Severity};
use crate::repo::classify::FileClass;
use crate::repo::files::FileEntry;
use crate::sync::lock;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Extensions of data files whose readers are followed.
const DATA_EXTS: &[&str] = &["yml", "yaml", "json", "csv"];
/// A data list is small; a larger file's bare words are not indexed.
const MAX_LIST_BYTES: usize = 64 * 1024;
/// Data lists followed from a data file to the code that reads them.
const MAX_DEPTH: u8 = 4;

#[derive(Default)]
pub struct DataReaders {
    /// Lower-case file name or data-list word → the files that mention it, with their classes.
    mentions: Mutex<HashMap<String, Vec<(String, FileClass)>>>,
    /// `data/` findings in data files, held until `finish`.
    held: Mutex<Vec<Finding>>,
}

/// Is this a data file whose findings are held?
fn is_data_file(file: &FileEntry) -> bool {
    file.class == FileClass::Config && DATA_EXTS.contains(&extension(file_name(&file.path)))
}

impl DataReaders {
    /// Should the file be read for the names it mentions: non-production code that may read data (a
    /// `nonprod` app, CI), beside the production files the markers stage reads anyway?
    pub fn wants(file: &FileEntry) -> bool {
        matches!(file.class, FileClass::DevConfig | FileClass::Ci)
    }

    /// Index the names `file` mentions; hold its `data/` findings if it is a data file (true then).
    pub fn take(&self, file: &FileEntry, content: &[u8], found: &mut Vec<Finding>) -> bool {
        let mut names = literal_file_names(content);
        if is_data_file(file) && content.len() <= MAX_LIST_BYTES {
            names.extend(bare_words(content));
        }
        if !names.is_empty() {
            let mut mentions = lock(&self.mentions);
            for n in names {
                mentions
                    .entry(n)
                    .or_default()
                    .push((file.path.to_string(), file.class));
            }
        }
        if is_data_file(file) && found.iter().any(|f| f.rule.starts_with("data/")) {
            let (data, rest): (Vec<Finding>, Vec<Finding>) = std::mem::take(found)
                .into_iter()
                .partition(|f| f.rule.starts_with("data/"));
            *found = rest;
            lock(&self.held).extend(data);
            return true;
        }
        false
    }

    /// The held findings: notes where every reader of their file is non-production code.
    pub fn finish(&self) -> Vec<Finding> {
        let mentions = std::mem::take(&mut *lock(&self.mentions));
        let mut out = std::mem::take(&mut *lock(&self.held));
        let mut judged: HashMap<String, Option<Vec<String>>> = HashMap::new();
        for f in &mut out {
            let Location::File(span) = &f.location else {
                continue;
            };
            let readers = judged
                .entry(span.path.clone())
                .or_insert_with(|| {
                    let mut seen = HashSet::new();
                    nonprod_readers(&mentions, &span.path, 0, &mut seen)
                })
                .clone();
            if let Some(readers) = readers.filter(|r| !r.is_empty()) {
                if f.severity > Severity::Note {
                    f.severity = Severity::Note;
                    f.message.push_str(&format!(
                        " (read only by non-production code: {})",
                        readers.join(", ")
                    ));
                }
            }
        }
        out
    }
}

/// The non-production files that read `path`, when every reader is one (through the data lists that name
/// it); None when any reader is production code, or none is found.
fn nonprod_readers(
    mentions: &HashMap<String, Vec<(String, FileClass)>>,
    path: &str,
    depth: u8,
    seen: &mut HashSet<String>,
) -> Option<Vec<String>> {
    if depth > MAX_DEPTH || !seen.insert(path.to_string()) {
        return None;
    }
    let name = file_name(path).to_ascii_lowercase();
    let by_stem = stem(&name).to_string();
    let mut readers: Vec<(String, FileClass)> = Vec::new();
    for key in [&name, &by_stem] {
        for (p, class) in mentions.get(key.as_str()).into_iter().flatten() {
            // A bare word names a file only in a data list; in code it is any identifier.
            let literal = key == &name;
            if p != path
                && (literal || is_data_list(p, *class))
                && !readers.iter().any(|(r, _)| r == p)
            {
                readers.push((p.clone(), *class));
            }
        }
    }
    if readers.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for (reader, class) in readers {
        match class {
            FileClass::DevConfig | FileClass::Ci | FileClass::Test | FileClass::Fixture => {
                out.push(reader)
            }
            FileClass::Docs | FileClass::Other | FileClass::Vendor => {}
            // A data list: whoever reads it reads this file.
            c if is_data_list(&reader, c) => {
                out.extend(nonprod_readers(mentions, &reader, depth + 1, seen)?);
            }
            _ => return None,
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

fn is_data_list(path: &str, class: FileClass) -> bool {
    class == FileClass::Config && DATA_EXTS.contains(&extension(file_name(path)))
}

/// File names written literally (`"demo_data/manifest.yml"`, `clinics.json`): the lower-case last path
/// segment of each word ending in a data extension.
fn literal_file_names(content: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // One pass over the dots, not one search per extension: every file the markers stage reads comes here.
    for at in memchr::memchr_iter(b'.', content) {
        let after = &content[at + 1..];
        let Some(ext) = [&b"yml"[..], b"yaml", b"json", b"csv"]
            .into_iter()
            .find(|e| after.starts_with(e))
        else {
            continue;
        };
        let end = at + 1 + ext.len();
        if content
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            continue;
        }
        // A name is short: look back at most 129 bytes (a hostile run of name characters must not make
        // every hit scan the file).
        let floor = at.saturating_sub(129);
        let start = content[floor..at]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
            .map_or(floor, |p| floor + p + 1);
        if start < at && at - start <= 128 && (start > floor || floor == 0) {
            let name = String::from_utf8_lossy(&content[start..end]).to_ascii_lowercase();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The bare words of a data list (`- clinics`, `"practitioners"`): candidate file stems.
fn bare_words(content: &[u8]) -> Vec<String> {
    let mut out: HashSet<String> = HashSet::new();
    for word in content.split(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))) {
        if (2..=64).contains(&word.len()) && word.iter().any(u8::is_ascii_alphabetic) {
            out.insert(String::from_utf8_lossy(word).to_ascii_lowercase());
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_written_in_code_and_lists() {
        let code =
            b"with open(BASE / \"demo_data/manifest.yml\") as f:\n    load(f'{name}.yaml')\n";
        assert_eq!(literal_file_names(code), vec!["manifest.yml"]);
        let mut words = bare_words(b"files:\n  - clinics\n  - \"practitioners\"\n  - 42\n");
        words.sort();
        assert_eq!(words, vec!["clinics", "files", "practitioners"]);
    }

    #[test]
    fn readers_are_followed_through_lists() {
        let mut m: HashMap<String, Vec<(String, FileClass)>> = HashMap::new();
        fn add(
            m: &mut HashMap<String, Vec<(String, FileClass)>>,
            name: &str,
            path: &str,
            class: FileClass,
        ) {
            m.entry(name.to_string())
                .or_default()
                .push((path.to_string(), class));
        }
        add(
            &mut m,
            "manifest.yml",
            "nonprod/seed.py",
            FileClass::DevConfig,
        );
        add(&mut m, "clinics", "demo/manifest.yml", FileClass::Config);
        add(&mut m, "clinics", "app/views.py", FileClass::Code);
        let got = nonprod_readers(&m, "demo/clinics.yml", 0, &mut HashSet::new());
        assert_eq!(got, Some(vec!["nonprod/seed.py".to_string()]));
        // A production reader of the list makes the file production data.
        add(&mut m, "manifest.yml", "app/loader.py", FileClass::Code);
        let got = nonprod_readers(&m, "demo/clinics.yml", 0, &mut HashSet::new());
        assert_eq!(got, None);
        // No reader at all: nothing is known.
        assert_eq!(
            nonprod_readers(&m, "x/other.yml", 0, &mut HashSet::new()),
            None
        );
    }
}
