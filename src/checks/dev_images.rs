//! Switches set in a local development image (`ENV FLASK_DEBUG=1` in the Dockerfile a developer's
//! compose file builds) are the developer's, not production's: the image is not the production image.
//!
//! A Dockerfile's `switch/` findings are held until the walk is over when its production stage says it
//! is a developer's image (`repo::dev_image`: a development base image, localhost with a `LOCAL`
//! stamp, a reloader or debugger in its command or in the options it gives the server). Then they
//! become notes that say why — unless a workflow, pipeline or production compose file builds or names
//! that Dockerfile: what a pipeline builds is production, whatever it looks like. Only the image's own
//! instructions count, never a comment about it.

use super::leak;
use crate::finding::Finding;
use crate::repo::classify::FileClass;
use crate::repo::dev_image;
use crate::repo::dockerfile::Dockerfile;
use crate::repo::files::FileEntry;
use crate::sync::lock;
use std::sync::Mutex;

#[derive(Default)]
pub struct DevImages {
    /// Per Dockerfile held: its path, why it is a developer's image, and its switch findings.
    held: Mutex<Vec<(String, String, Vec<Finding>)>>,
    /// Dockerfile paths that CI files and production compose files build or name.
    named: Mutex<Vec<String>>,
}

impl DevImages {
    /// Files read for the Dockerfiles they build or name: CI files and compose files.
    pub fn wants(file: &FileEntry) -> bool {
        leak::names_dockerfiles(file) || is_dockerfile(file)
    }

    /// Record what a CI or compose file builds or names.
    pub fn note(&self, file: &FileEntry, content: &[u8]) {
        if leak::names_dockerfiles(file) {
            let named = leak::dockerfiles_named_by(file, content);
            if !named.is_empty() {
                lock(&self.named).extend(named);
            }
        }
    }

    /// Hold the `switch/` findings of a Dockerfile that is a developer's image by its own
    /// instructions.
    pub fn take(&self, file: &FileEntry, content: &[u8], found: &mut Vec<Finding>) {
        if !is_dockerfile(file) || !found.iter().any(|f| f.rule.starts_with("switch/")) {
            return;
        }
        let Ok(df) = Dockerfile::parse(content) else {
            return;
        };
        let Some(target) = df.production_stage() else {
            return;
        };
        let Some(why) = dev_image::signal(&df, content, target).0 else {
            return;
        };
        let (switches, rest): (Vec<Finding>, Vec<Finding>) = std::mem::take(found)
            .into_iter()
            .partition(|f| f.rule.starts_with("switch/"));
        *found = rest;
        lock(&self.held).push((file.path.to_string(), why.describe(), switches));
    }

    /// The held findings: unchanged for a Dockerfile something builds or names, notes otherwise.
    pub fn finish(&self) -> Vec<Finding> {
        let named = lock(&self.named);
        let mut out = Vec::new();
        for (path, why, findings) in std::mem::take(&mut *lock(&self.held)) {
            let built = dev_image::named(&named, &path);
            for mut f in findings {
                if !built {
                    f.lower_to_note(&dev_image::lowered_because(&why));
                }
                out.push(f);
            }
        }
        out
    }
}

fn is_dockerfile(file: &FileEntry) -> bool {
    file.class == FileClass::Deploy
        && crate::repo::dockerfile::is_production_dockerfile(super::leak::paths::file_name(
            &file.path,
        ))
}
