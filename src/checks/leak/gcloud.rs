//! Source uploads to a platform: Google Cloud's (`gcloud app deploy`, `gcloud functions deploy`, `gcloud
//! run deploy --source`) and Cloud Foundry's (`cf push`, GOV.UK PaaS and its successors). Everything under
//! the directory of a `.gcloudignore` or `.cfignore` is uploaded and runs in production except what the
//! file excludes, with `.gitignore` syntax. Test code the file leaves in (a `Test/` directory under
//! `src/`, while it excludes only the top-level `tests/`; a Rails app's `spec/`) ships with the service.

use super::resolve::Index;
use super::rule_docs::PACKAGE_SHIPS_TESTS;
use super::{make_finding, paths, Extracted, Fact, Pending, Source, Want};
use crate::finding::Finding;

/// Read a `.gcloudignore`: its patterns (gitignore syntax; `#!include:` directives are left out, they
/// only exclude more), to be applied once the tree is known.
pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let patterns: Vec<String> = String::from_utf8_lossy(src.text)
        .lines()
        .map(str::to_string)
        .collect();
    let at = src.span(0..0);
    let name = paths::file_name(src.path).to_string();
    out.pending(at, name, Want::GcloudUpload(patterns));
}

/// A CI file or script that runs `cf push` (`cf7 push`, the zero-downtime plugins) outside a comment:
/// the evidence that the service is deployed by a Cloud Foundry push, whatever Dockerfile sits beside
/// its manifest.
pub(crate) fn cf_push(src: &Source, out: &mut Extracted) {
    let runs = String::from_utf8_lossy(src.text).lines().any(|line| {
        let code = line.split('#').next().unwrap_or("");
        let words: Vec<&str> = code
            .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | '"' | '\''))
            .filter(|w| !w.is_empty())
            .collect();
        words.windows(2).any(|w| {
            let cf = w[0].rsplit('/').next().unwrap_or(w[0]);
            matches!(cf, "cf" | "cf7" | "cf8")
                && matches!(
                    w[1],
                    "push" | "blue-green-deploy" | "zero-downtime-push" | "v3-zdt-push"
                )
        })
    });
    if runs {
        out.facts.push(Fact::CfPush {
            path: src.path.to_string(),
        });
    }
}

/// The CI file or script that pushes to Cloud Foundry, if any (the first by path).
pub(crate) fn cf_pusher<'i>(index: &'i Index) -> Option<&'i str> {
    index.cf_pushes.iter().min().map(String::as_str)
}

/// The test and fixture files the upload from `file`'s directory carries.
pub(crate) fn resolve(
    index: &Index,
    file: &str,
    p: &Pending,
    patterns: &[String],
) -> Option<Finding> {
    let dir = paths::parent(file);
    // A `.cfignore` says how a folder would be pushed; the folder is pushed when a Cloud Foundry
    // manifest sits beside it. With a Dockerfile there too, the service has likely moved to an image
    // (GOV.UK PaaS closed in 2024) and kept the old files: a note that says so, which a pull request
    // adding that Dockerfile cannot make (`Finding::lower_to_note`, judged against the base).
    let mut moved_to_image = false;
    if paths::file_name(file) == ".cfignore" {
        let manifest = ["manifest.yml", "manifest.yaml"]
            .iter()
            .any(|m| index.is_file(&paths::under(dir, m)));
        if !manifest {
            return None;
        }
        // A CI file that runs `cf push` says the push is how the service ships, Dockerfile or not.
        moved_to_image =
            index.is_file(&paths::under(dir, "Dockerfile")) && cf_pusher(index).is_none();
    }
    let root = std::path::Path::new("/upload");
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    for line in patterns {
        // A pattern gcloud would reject is one the upload does not apply: the file stays in.
        let _ = builder.add_line(None, line);
    }
    let matcher = builder.build().ok()?;
    let shipped: Vec<&str> = index
        .test_files_under(dir)
        // CI's own folders and dotfiles (`.github/actions/…`, `.coveragerc`) configure tools, not the
        // service.
        .filter(|(_, rel)| !rel.split('/').any(|seg| seg.starts_with('.')))
        .filter(|(_, rel)| {
            !matcher
                .matched_path_or_any_parents(root.join(rel), false)
                .is_ignore()
        })
        .map(|(path, _)| path)
        .collect();
    let first = shipped.first()?;
    let (upload, ignore_file) = if paths::file_name(file) == ".cfignore" {
        ("Cloud Foundry push (`cf push`)", ".cfignore")
    } else {
        ("Google Cloud source upload", ".gcloudignore")
    };
    let msg = format!(
        "the {upload} from {} carries {} test and fixture {} (`{first}`{}), which `{ignore_file}` does not exclude",
        if dir.is_empty() { "the repository's root".to_string() } else { format!("`{dir}/`") },
        shipped.len(),
        if shipped.len() == 1 { "file" } else { "files" },
        if shipped.len() > 1 { ", …" } else { "" },
    );
    let mut f = make_finding(&PACKAGE_SHIPS_TESTS, p.at.in_file(file), msg, ignore_file);
    if moved_to_image {
        f.lower_to_note(" (a Dockerfile sits beside it: the service likely ships as that image now, and the manifest and `.cfignore` are left from `cf push`)");
    }
    Some(f)
}
