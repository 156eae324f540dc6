//! node-config's per-environment files. A `config/` folder holding `default.*` is node-config's layout:
//! it loads `default.*`, then `<NODE_ENV>.*` for the environment it runs in only — as Rails loads
//! `config/environments/test.rb` only under test. So `config/test.js` beside `config/default.yml` is the
//! test environment's settings, inert in an image that runs as production, not test material shipped.

use crate::repo::environments::{tier_of_word, Tier};
use crate::repo::files::FileEntry;

/// Is `path` a non-production environment's file of a node-config folder (`config/test.js` beside
/// `config/default.json`)? `files` sorted by path. The file's whole stem must be the environment's name:
/// `config/test-fixtures.json` is data, whatever folder holds it; a `config/` folder without `default.*`
/// is not node-config's.
pub(crate) fn is_environment_file(files: &[FileEntry], path: &str) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    if dir.rsplit('/').next() != Some("config") {
        return false;
    }
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    if ext.contains('.') || tier_of_word(&stem.to_ascii_lowercase()) != Some(Tier::NonProduction) {
        return false;
    }
    let defaults = format!("{dir}/default.");
    let from = files.partition_point(|f| &*f.path < defaults.as_str());
    files[from..]
        .iter()
        .take_while(|f| f.path.starts_with(&defaults))
        .any(|f| !f.path[defaults.len()..].contains('/'))
}
