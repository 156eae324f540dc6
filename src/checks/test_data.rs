//! Test data and test switches in production files (rule families `data/` and `switch/`), from TOML packs.
//!
//! The patterns live in `rules/markers.toml` and `rules/switches.toml`; this module turns the scanner's hits
//! into findings, leaving out what sits in test-only regions of production files (Rust `#[cfg(test)]`),
//! settings quoted in strings, and examples in Python docstrings.

use super::leak::paths::{file_name, parent};
use crate::finding::{Finding, Location, Severity};
use crate::repo::classify::Lang;
use crate::repo::dockerfile;
use crate::repo::files::{FileCheck, FileEntry};
use crate::repo::lexer::{self, NonCode, Syntax};
use crate::repo::regions;
use crate::repo::scopes::{self, Scope};
use crate::repo::switch_forms;
use crate::repo::text::{evidence, LineIndex};
use crate::rules::scanner::{Hit, Scanner, Scratch};
use crate::sync::lock;
use std::cell::RefCell;

pub struct TestDataMarkers<'a> {
    pub scanner: &'a Scanner,
}

thread_local! {
    static SCRATCH: RefCell<(Scratch, Vec<Hit>)> = RefCell::new((Scratch::default(), Vec::new()));
}

impl FileCheck for TestDataMarkers<'_> {
    fn wants(&self, file: &FileEntry) -> bool {
        self.scanner.applies_to(file.class)
    }

    fn check(&self, file: &FileEntry, content: &[u8], out: &mut Vec<Finding>) {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (scratch, hits) = &mut *guard;
            hits.clear();
            self.scanner.scan(file.class, content, scratch, hits);
            if hits.is_empty() {
                return;
            }
            hits.sort_by_key(|h| (h.start, h.rule));
            // Rust `#[cfg(test)]` items, and Dockerfile stages the production image is not built from
            // (`FROM base AS test` with `ENV RAILS_ENV=test`), are test-only regions of a production file.
            let test_regions = if file.lang == Lang::Rust {
                regions::rust_test_regions(content)
            } else if is_dockerfile(file) {
                dockerfile::stages_outside_final_image(content)
            } else {
                Vec::new()
            };
            // A script's block that forces dev settings, a controller (or its actions) refusing
            // production, a development server under `__main__`: dev code, each only its region.
            let dev_regions = scopes::non_production_regions(content);
            let quoted = Quoted::new(file.lang, content);
            let mut lines = LineIndex::new(content);
            for hit in hits.iter().filter(|h| {
                !regions::contains(&test_regions, h.start)
                    && !scopes::in_regions(&dev_regions, h.start)
                    && !quoted.hides(&self.scanner.rule(h.rule).0.doc.id, h)
            }) {
                // A block named for another environment is dev config; one named for examples
                // holds text meant to be shown, reported like UI hint text.
                let shown_as_example = match scopes::scope_of_hit(content, hit.start) {
                    Scope::NonProduction => continue,
                    Scope::Example => true,
                    Scope::Plain => false,
                };
                out.push(finding(
                    self.scanner,
                    file,
                    content,
                    hit,
                    shown_as_example,
                    &mut lines,
                ));
            }
        });
    }
}

/// Addresses framework generators write (Rails' `ApplicationMailer`, Devise's initializer): left in place
/// where the real sender is set elsewhere (GOV.UK Notify, the app's own Devise mailer), measured false on
/// every service that had one. Shown as a note, so that one left in use is still seen.
const GENERATOR_PLACEHOLDERS: &[&str] = &[
    "from@example.com",
    "please-change-me-at-config-initializers-devise@example.com",
];

/// Is the placeholder on the line its generator writes — Rails' `default from: "from@example.com"` in
/// a mailer, Devise's `config.mailer_sender = '…'`? The same address elsewhere (a Python setting, a
/// form's sender) is the rule's finding like any other.
fn written_by_generator(file: &FileEntry, content: &[u8], at: usize) -> bool {
    let start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let mut line = content[start..at].trim_ascii();
    // The value alone on its line continues the statement above (`config.mailer_sender =` / `"…"`).
    if line.is_empty() || line == b"\"" || line == b"'" {
        let prev_start =
            memchr::memrchr(b'\n', &content[..start.saturating_sub(1)]).map_or(0, |i| i + 1);
        line = content[prev_start..start.saturating_sub(1)].trim_ascii();
    }
    file.lang == Lang::Ruby
        && (line.starts_with(b"default from:")
            || line.starts_with(b"default(from:")
            || line.starts_with(b"config.mailer_sender"))
}

/// Is the match the value of a top-level setting: a line that starts, at the margin, with an
/// UPPER_CASE name assigned with `=` or `:` (`ADMIN = "…"`, `FIRST_SUPERUSER=…`, `export FROM=…`)?
fn is_setting(content: &[u8], at: usize) -> bool {
    let start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let mut line = &content[start..at];
    if let Some(rest) = line.strip_prefix(b"\xEF\xBB\xBF") {
        line = rest; // a byte-order mark before the first line
    }
    if let Some(rest) = line.strip_prefix(b"export ") {
        line = rest;
    }
    let name_len = line
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
        .count();
    let rest = &line[name_len..];
    let after = rest
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .map(|i| rest[i]);
    name_len >= 1 && line[0].is_ascii_uppercase() && matches!(after, Some(b'=' | b':'))
}

fn is_dockerfile(file: &FileEntry) -> bool {
    let name = file
        .path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    name == "dockerfile" || name.starts_with("dockerfile.") || name.ends_with(".dockerfile")
}

/// Text that is not code in a source file: a `switch/` rule matched inside a string or comment is a
/// setting quoted (`"pass init(debug=True)"`), not set; a `data/` rule matched inside a comment or a Python
/// docstring is documentation (`# show NINOs in the form of "QQ 12 34 56 C"`), which never reaches a live
/// system. Data in other strings is exactly what the data rules look for; comments are where `do not
/// ship` markers live, so those rules still read them.
struct Quoted(Vec<(std::ops::Range<usize>, NonCode)>);

impl Quoted {
    fn new(lang: Lang, content: &[u8]) -> Quoted {
        let syntax = match lang {
            Lang::Python => Syntax::Python,
            Lang::Ruby => Syntax::Ruby,
            Lang::JavaScript | Lang::TypeScript | Lang::Java | Lang::Kotlin | Lang::Scala => {
                Syntax::CLike
            }
            Lang::Go => Syntax::Go,
            Lang::Rust => Syntax::Rust,
            _ => return Quoted(Vec::new()),
        };
        Quoted(lexer::non_code(syntax, content))
    }

    fn hides(&self, rule: &str, hit: &Hit) -> bool {
        let i = self.0.partition_point(|(r, _)| r.end <= hit.start);
        let Some((range, kind)) = self.0.get(i) else {
            return false;
        };
        let within = range.start <= hit.start && hit.end <= range.end;
        within
            && (rule.starts_with("switch/")
                || rule.starts_with("data/")
                    && matches!(kind, NonCode::Docstring | NonCode::Comment)
                    && !WRITTEN_IN_PROSE.contains(&rule))
    }
}

/// Data rules whose matches are markers people write in comments and docstrings ("For testing only."):
/// a docstring is where they are found, not a reason to leave them out.
const WRITTEN_IN_PROSE: &[&str] = &["data/do-not-ship-marker", "data/test-only-marker"];

fn finding(
    scanner: &Scanner,
    file: &FileEntry,
    content: &[u8],
    hit: &Hit,
    shown_as_example: bool,
    lines: &mut LineIndex,
) -> Finding {
    let (rule, severity) = scanner.rule(hit.rule);
    let matched = evidence(&content[hit.start..hit.end], 120);
    let generated = rule.doc.id == "data/reserved-email"
        && GENERATOR_PLACEHOLDERS.contains(&matched.as_str())
        && written_by_generator(file, content, hit.start);
    let hint = hit.hint || shown_as_example && rule.hint_downgrade || generated;
    // The value of a top-level setting is a stronger signal than the same value elsewhere (a severity
    // the user set for the rule clears `setting_severity` when the scanner is built, and wins).
    let severity = match rule.setting_severity {
        Some(s) if !hint && is_setting(content, hit.start) => s,
        _ => severity,
    };
    let weak = if rule.severity_set_by_user || !rule.doc.id.starts_with("switch/") {
        None
    } else {
        switch_forms::weak_form(file.lang, content, hit.start, hit.end)
    };
    let severity = if hint {
        severity.min(Severity::Note)
    } else if weak.is_some() {
        severity.min(Severity::Warning)
    } else {
        severity
    };
    let mut message = format!(
        "{}: `{matched}` in {} file",
        rule.doc.title,
        file.class.as_str()
    );
    if generated {
        message.push_str(" (a framework generator's placeholder: reported as a note)");
    } else if hint {
        message.push_str(" (example text shown to users: reported as a note)");
    } else if let Some(weak) = weak {
        message.push_str(&format!(" ({weak}: reported as a warning)"));
    }
    Finding::new(
        &rule.doc.id,
        severity,
        message,
        Location::File(lines.span(&file.path, hit.start, hit.end)),
    )
    .with_evidence(matched)
    .with_help(rule.doc.fix.clone())
}

/// Bare `.env` files, judged once the walk has seen the `.dockerignore` files. A committed `.env` is what
/// a container starts with, so its values are production settings — unless the repository keeps it out
/// of the image: peoplefinder commits a local-development `.env` (`SUPPORT_EMAIL=support@example.com`)
/// and its `.dockerignore` lists `.env`. Then its findings are notes that say why.
#[derive(Default)]
pub struct EnvFiles {
    /// Findings in `.env` files, held until `finish`.
    held: std::sync::Mutex<Vec<Finding>>,
    /// Directory → the patterns of the `.dockerignore` in it.
    ignores: std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>,
}

impl EnvFiles {
    /// Should this file be read for what it says about `.env` files (a `.dockerignore`)?
    pub fn wants(file: &FileEntry) -> bool {
        file_name(&file.path) == ".dockerignore"
    }

    /// Record a `.dockerignore`, or hold the findings of a `.env`; false for any other file.
    pub fn take(&self, file: &FileEntry, content: &[u8], found: &mut Vec<Finding>) -> bool {
        match file_name(&file.path) {
            ".dockerignore" => {
                let patterns = String::from_utf8_lossy(content)
                    .lines()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .collect();
                lock(&self.ignores).insert(parent(&file.path).to_string(), patterns);
                false
            }
            ".env" => {
                lock(&self.held).append(found);
                true
            }
            _ => false,
        }
    }

    /// The held findings: a note where the `.dockerignore` beside the `.env` (or at the root) excludes it.
    pub fn finish(&self) -> Vec<Finding> {
        let ignores = lock(&self.ignores);
        let mut out = std::mem::take(&mut *lock(&self.held));
        for f in &mut out {
            let Location::File(span) = &f.location else {
                continue;
            };
            let dir = parent(&span.path);
            let excluded = [dir, ""]
                .iter()
                .filter_map(|d| ignores.get(*d).map(|p| (*d, p)))
                .any(|(d, patterns)| excludes_env(patterns, dir.strip_prefix(d).unwrap_or(dir)));
            if excluded && f.severity > Severity::Note {
                f.severity = Severity::Note;
                f.message
                    .push_str(" (not in the image: .dockerignore excludes this .env)");
            }
        }
        out
    }
}

/// Does a `.dockerignore` exclude the `.env` in `rel` (its directory relative to the `.dockerignore`'s)?
/// The last matching pattern wins, as Docker reads them; `!.env` lets it back in.
fn excludes_env(patterns: &[String], rel: &str) -> bool {
    let path = if rel.is_empty() {
        ".env".to_string()
    } else {
        format!("{}/.env", rel.trim_matches('/'))
    };
    let mut excluded = false;
    for p in patterns {
        let (negated, pat) = match p.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, p.as_str()),
        };
        let pat = pat.trim_start_matches('/');
        let hit = pat == path
            || pat == "**/.env"
            || pat == "*"
            || pat == "**"
            || (pat.ends_with('*')
                && !pat.contains('/')
                && rel.is_empty()
                && ".env".starts_with(pat.trim_end_matches('*')));
        if hit {
            excluded = !negated;
        }
    }
    excluded
}

#[cfg(test)]
mod tests {
    use super::excludes_env;

    fn pats(s: &[&str]) -> Vec<String> {
        s.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn which_dockerignore_patterns_exclude_a_dot_env() {
        assert!(excludes_env(&pats(&[".git", ".env"]), ""));
        assert!(excludes_env(&pats(&["/.env"]), ""));
        assert!(excludes_env(&pats(&[".env*"]), ""));
        assert!(excludes_env(&pats(&["**/.env"]), "app"));
        assert!(excludes_env(&pats(&["app/.env"]), "app"));
        assert!(!excludes_env(&pats(&[".env"]), "app"));
        assert!(!excludes_env(&pats(&[".env.local", "spec"]), ""));
        assert!(!excludes_env(&pats(&["*", "!.env"]), ""));
        assert!(excludes_env(&pats(&["!.env", "*"]), ""));
    }
}
