//! Test data and test switches in production files (rule families `data/` and `switch/`), from TOML packs.
//!
//! The patterns live in `rules/markers.toml` and `rules/switches.toml`; this module turns the scanner's hits
//! into findings, leaving out what sits in test-only regions of production files (Rust `#[cfg(test)]`),
//! settings quoted in strings, and examples in Python docstrings.

use super::leak::paths::{file_name, parent};
use crate::finding::{Finding, Location, Severity};
use crate::repo::classify::Lang;
use crate::repo::doc_examples;
use crate::repo::dockerfile;
use crate::repo::files::{FileCheck, FileEntry};
use crate::repo::lexer::{self, NonCode, Syntax};
use crate::repo::regions;
use crate::repo::scopes::{self, Scope};
use crate::repo::switch_forms;
use crate::repo::text::{evidence, LineIndex};
use crate::rules::scanner::{hint_words_before, Hit, Scanner, Scratch};
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
                let id = &self.scanner.rule(h.rule).0.doc.id;
                !regions::contains(&test_regions, h.start)
                    && !scopes::in_regions(&dev_regions, h.start)
                    && !quoted.hides(id, h)
                    && !documented_example(id, content, h)
                    // Inside the value (the match may start at the `(` before `debug=True`).
                    && !(id == "switch/debug-enabled"
                        && (in_sdk_configuration(content, h.end.saturating_sub(1))
                            || in_dev_server_command(content, h.end.saturating_sub(1))))
            }) {
                // A block named for another environment is dev config; one named for examples
                // holds text meant to be shown, reported like UI hint text.
                let shown_as_example = match scopes::scope_of_hit(content, hit.start) {
                    Scope::NonProduction => continue,
                    Scope::Example => true,
                    Scope::Plain => false,
                };
                // A test-only marker over code that is commented out marks nothing that runs; one
                // documenting a hook named for tests says what the name says.
                let mut hook = None;
                if self.scanner.rule(hit.rule).0.doc.id == "data/test-only-marker"
                    && quoted.in_comment(hit.start)
                {
                    if heads_commented_out_code(content, hit.start) {
                        continue;
                    }
                    hook = test_hook_documented(&quoted, content, hit.start);
                }
                let mut f = finding(
                    self.scanner,
                    file,
                    content,
                    hit,
                    shown_as_example,
                    &mut lines,
                );
                // Made-up records written only when a variable nobody sets in production is set
                // (`if ENV["SEED_DUMMY_DATA"]`, `if (process.env.DEMO_DATA === 'true')`): a note that
                // names the flag. The guard is what runs, whoever wrote it: no claim to judge.
                if f.severity > Severity::Note && f.rule.starts_with("data/") {
                    if let Some(g) = crate::repo::reach_guard::guard_at(content, hit.start).filter(|g| {
                        matches!(g.reads, crate::repo::reach_guard::Reads::Env { .. })
                            && g.on_by_default() == Some(false)
                    }) {
                        f.severity = Severity::Note;
                        f.message
                            .push_str(&format!(" (only {g}: production must keep it unset)"));
                    }
                }
                if let Some(name) = hook {
                    if f.severity > Severity::Note {
                        f.severity = Severity::Note;
                        f.message.push_str(&format!(
                            " (documents `{name}`, a hook named for tests: reported as a note; check that only tests call it)"
                        ));
                    }
                }
                out.push(f);
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

    /// The comment or docstring holding byte `at`, if any, and whether it is a docstring.
    fn comment_at(&self, at: usize) -> Option<(std::ops::Range<usize>, bool)> {
        let i = self.0.partition_point(|(r, _)| r.end <= at);
        self.0
            .get(i)
            .filter(|(r, kind)| {
                r.start <= at && matches!(kind, NonCode::Comment | NonCode::Docstring)
            })
            .map(|(r, kind)| (r.clone(), *kind == NonCode::Docstring))
    }

    fn in_comment(&self, at: usize) -> bool {
        self.comment_at(at).is_some()
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

/// Is a data hit an example written for documentation — the value of a schema's or an API's example
/// (`Field(example=…)`, `@Schema(example = …)`, `.example(…)`, OpenAPI `examples:`), or example text shown
/// to users that hint words introduce ("For example, QQ 12 34 56 C", "like name@example.com", Welsh "er
/// enghraifft")? Such values are shown, never stored or sent: they produce nothing. Markers written in
/// prose (`do not ship`) are never examples.
fn documented_example(rule: &str, content: &[u8], hit: &Hit) -> bool {
    rule.starts_with("data/")
        && !WRITTEN_IN_PROSE.contains(&rule)
        && ((hit.hint && hint_words_before(content, hit.start))
            || doc_examples::in_documented_example(content, hit.start))
}

/// Error-reporting and monitoring SDKs whose configuration has a `debug` option of its own: it makes the
/// SDK log what it sends (Sentry's `config.debug = true`, `sentry_sdk.init(debug=True)`), and changes
/// nothing of how the application behaves.
const MONITORING_SDKS: &[&str] = &[
    "sentry",
    "sentry_sdk",
    "raven",
    "honeybadger",
    "rollbar",
    "bugsnag",
    "airbrake",
    "datadog",
    "appsignal",
    "newrelic",
    "elasticapm",
];

/// Is byte `at` inside a monitoring SDK's configuration: an argument of its `init`/`configure` call
/// (`sentry_sdk.init(dsn=…, debug=True)`, `Sentry.init({ debug: true })`), or the body of its Ruby
/// configuration block (`Sentry.init do |config|` … `config.debug = true`)?
fn in_sdk_configuration(content: &[u8], at: usize) -> bool {
    let is_sdk_call = |callee: &str| {
        let mut parts = callee.rsplitn(2, '.');
        let method = parts.next().unwrap_or("");
        let owner = parts.next().unwrap_or("");
        matches!(method, "init" | "configure" | "config" | "setup")
            && MONITORING_SDKS.contains(&owner.rsplit('.').next().unwrap_or(owner))
    };
    if doc_examples::enclosing_calls(content, at)
        .iter()
        .any(|c| is_sdk_call(c))
    {
        return true;
    }
    // A Ruby block: the nearest less-indented line above opens `Sentry.init do |config|`.
    let line_start = memchr::memrchr(b'\n', &content[..at.min(content.len())]).map_or(0, |i| i + 1);
    let width = |l: &[u8]| l.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    let own = width(&content[line_start..]);
    let mut end = line_start;
    let mut looked = 0;
    while end > 0 && own > 0 && looked < 2000 {
        looked += 1;
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let line = &content[start..end - 1];
        end = start;
        let text = String::from_utf8_lossy(line).trim().to_ascii_lowercase();
        if text.is_empty() || text.starts_with('#') || width(line) >= own {
            if start == 0 {
                break;
            }
            continue;
        }
        let opens_block = text.ends_with('|') || text.ends_with(" do");
        let callee = text.split([' ', '(']).next().unwrap_or("");
        return opens_block && is_sdk_call(callee);
    }
    false
}

/// Is byte `at` an argument of a development server's start (`app.run(debug=True)`) inside a command
/// named for running that server (`def runserver():`, `def run_dev_server():`)? Flask's `app.run` is its
/// development server; production starts the application under a WSGI server, which never calls the
/// command. The same `app.run(debug=True)` anywhere else (`def main():`, the module's top level) is judged.
fn in_dev_server_command(content: &[u8], at: usize) -> bool {
    let starts_server = doc_examples::enclosing_calls(content, at)
        .first()
        .is_some_and(|c| c.ends_with(".run") || c == "run_simple");
    starts_server
        && enclosing_function(content, at).is_some_and(|name| {
            let tokens: Vec<&str> = name.split('_').collect();
            let has = |words: &[&str]| tokens.iter().any(|t| words.contains(t));
            has(&["runserver", "devserver", "runsslserver"])
                || has(&["run", "serve", "server", "start"])
                    && tokens.iter().any(|t| {
                        *t == "debug"
                            || crate::repo::environments::tier_of_code_word(t)
                                == Some(crate::repo::environments::Tier::NonProduction)
                    })
        })
}

/// The name of the Python function whose body holds byte `at` (the nearest less-indented `def`), lower-case.
fn enclosing_function(content: &[u8], at: usize) -> Option<String> {
    let at = at.min(content.len());
    let line_start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let width = |l: &[u8]| l.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    let mut limit = width(&content[line_start..]);
    let mut end = line_start;
    let mut looked = 0;
    while end > 0 && limit > 0 && looked < 2000 {
        looked += 1;
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let line = &content[start..end - 1];
        end = start;
        let t = line.trim_ascii_start();
        if t.is_empty() || t.starts_with(b"#") || width(line) >= limit {
            continue;
        }
        limit = width(line);
        let t = t.strip_prefix(b"async ").unwrap_or(t);
        if let Some(rest) = t.strip_prefix(b"def ") {
            let name: Vec<u8> = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .map(u8::to_ascii_lowercase)
                .collect();
            return Some(String::from_utf8_lossy(&name).into_owned());
        }
    }
    None
}

/// Line comment openers, longest first.
const LINE_COMMENTS: &[&str] = &["//", "#", "--"];

/// The line holding byte `at` and each line after it (without their newlines).
fn lines_from(content: &[u8], at: usize) -> impl Iterator<Item = &[u8]> + '_ {
    let start = memchr::memrchr(b'\n', &content[..at.min(content.len())]).map_or(0, |i| i + 1);
    content[start..].split(|b| *b == b'\n')
}

/// Does the line comment holding byte `at` head code that is commented out: every line after it, up to
/// a blank line or the end, a comment that reads as code (`// submitObjects.forEach(`, `// );`)? The
/// marker then labels nothing that runs. A marker above live code, or above an explanation in words,
/// heads no such block.
fn heads_commented_out_code(content: &[u8], at: usize) -> bool {
    let mut lines = lines_from(content, at);
    let Some(first) = lines.next() else {
        return false;
    };
    let Some(opener) = LINE_COMMENTS
        .iter()
        .find(|o| first.trim_ascii_start().starts_with(o.as_bytes()))
    else {
        return false;
    };
    let mut commented = 0;
    for line in lines {
        let t = line.trim_ascii();
        if t.is_empty() {
            break;
        }
        let Some(body) = t.strip_prefix(opener.as_bytes()) else {
            return false; // live code follows: the marker may label it
        };
        let body = body.trim_ascii();
        if !(body.is_empty() || body.starts_with(opener.as_bytes()) || reads_as_code(body)) {
            return false;
        }
        commented += 1;
    }
    commented > 0
}

/// Does a commented-out line read as code rather than words: it ends as a statement or a bracket does,
/// or it assigns or passes a function?
fn reads_as_code(body: &[u8]) -> bool {
    let body = body.trim_ascii_end();
    body.last()
        .is_some_and(|b| matches!(b, b';' | b'{' | b'}' | b'(' | b')' | b'[' | b']' | b','))
        || memchr::memmem::find(body, b"=>").is_some()
        || memchr::memmem::find(body, b" = ").is_some()
}

/// The name of the declaration a comment holding byte `at` documents, when that name says it exists for
/// tests (`clearCacheForTesting`, `reset_for_tests`, `setTestOnlyHook`, or any name under
/// `@VisibleForTesting`): the declaration right after the comment (annotations between them), or the
/// `def` a docstring opens.
fn test_hook_documented(quoted: &Quoted, content: &[u8], at: usize) -> Option<String> {
    let (comment, docstring) = quoted.comment_at(at)?;
    if docstring {
        // The `def` line just above it.
        let start = memchr::memrchr(b'\n', &content[..comment.start]).map_or(0, |i| i + 1);
        let above_end = start.checked_sub(1)?;
        let above_start = memchr::memrchr(b'\n', &content[..above_end]).map_or(0, |i| i + 1);
        let above = content[above_start..above_end].trim_ascii();
        let def = above
            .strip_prefix(b"async ")
            .unwrap_or(above)
            .strip_prefix(b"def ")?;
        let name = declared_name(def)?;
        return named_for_tests(&name).then_some(name);
    }
    // The comment's own consecutive line comments, then what they document.
    let mut pos = comment.end;
    // Guava's and AndroidX's `@VisibleForTesting` says it of any name.
    let mut annotated = false;
    loop {
        let next = memchr::memchr(b'\n', &content[pos..]).map_or(content.len(), |i| pos + i + 1);
        if next >= content.len() {
            break;
        }
        let end = memchr::memchr(b'\n', &content[next..]).map_or(content.len(), |i| next + i);
        let t = content[next..end].trim_ascii();
        let comment_line = LINE_COMMENTS.iter().any(|o| t.starts_with(o.as_bytes()))
            || t.starts_with(b"*")
            || t.starts_with(b"/*");
        let annotation = t.starts_with(b"@");
        annotated |= annotation && t.ends_with(b"VisibleForTesting");
        if !(comment_line || annotation) {
            let name = declared_name(t)?;
            return (annotated || named_for_tests(&name)).then_some(name);
        }
        pos = end;
    }
    None
}

/// The name a declaration line declares: the identifier before its first `(`, `=`, `:` or `<`
/// (`export const clearForTesting = …`, `public void resetForTests() {`, `def reset_for_tests(self):`).
fn declared_name(line: &[u8]) -> Option<String> {
    let end = line
        .iter()
        .position(|b| matches!(b, b'(' | b'=' | b':' | b'<'))?;
    let head = line[..end].trim_ascii_end();
    let start = head
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'))
        .map_or(0, |i| i + 1);
    let name = &head[start..];
    (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned())
}

/// Does a name say it exists for tests: `…ForTesting`, `…_for_tests`, `…TestOnly…`?
fn named_for_tests(name: &str) -> bool {
    let words = crate::repo::classify::words_split_at(name, |c| !c.is_ascii_alphanumeric());
    let test = |w: &str| matches!(w, "test" | "tests" | "testing");
    words
        .windows(2)
        .any(|w| w[0] == "for" && test(&w[1]) || test(&w[0]) && w[1] == "only")
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
    /// Environment variables a deploy file sets to a production value (`APP_ENV=prod` in cloudbuild.yaml),
    /// upper-case → the first such file.
    overridden: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The framework switches a committed `.env` sets and a deploy file may set again for production.
const SWITCH_VARIABLES: &[&str] = &[
    "APP_ENV",
    "RAILS_ENV",
    "RACK_ENV",
    "FLASK_ENV",
    "NODE_ENV",
    "MIX_ENV",
    "ASPNETCORE_ENVIRONMENT",
    "DOTNET_ENVIRONMENT",
    "SPRING_PROFILES_ACTIVE",
    "FLASK_DEBUG",
    "DJANGO_DEBUG",
    "APP_DEBUG",
    "DEBUG",
];

/// `VAR=value`, `VAR: value`, `- 'VAR=value'`, Dockerfile `ENV VAR value`: a switch variable and its value.
static ASSIGNMENT: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    let names = SWITCH_VARIABLES.join("|");
    regex::Regex::new(&format!(
        r#"(?m)(?:^|[\s"'\[{{,-])({names})["']?(?:\s*[:=]\s*|[ \t]+)["']?([A-Za-z0-9_.-]+)"#
    ))
    .ok()
});

/// The switch variables a deploy file sets to a production value (`prod`, `production`; `false`/`0` for
/// the debug switches).
fn production_overrides(content: &[u8]) -> Vec<String> {
    let Some(re) = ASSIGNMENT.as_ref() else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(content);
    let mut out: Vec<String> = Vec::new();
    for c in re.captures_iter(&text) {
        let (Some(var), Some(value)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let var = var.as_str();
        let value = value.as_str().to_ascii_lowercase();
        let safe = if var.ends_with("DEBUG") {
            matches!(value.as_str(), "false" | "0" | "no" | "off")
        } else {
            crate::repo::environments::tier_of_name(&value)
                == Some(crate::repo::environments::Tier::Production)
        };
        if safe && !out.iter().any(|v| v == var) {
            out.push(var.to_string());
        }
    }
    out
}

impl EnvFiles {
    /// Should this file be read for what it says about `.env` files (a `.dockerignore`)?
    pub fn wants(file: &FileEntry) -> bool {
        file_name(&file.path) == ".dockerignore"
    }

    /// Record the switch variables a deploy or production config file sets to production values
    /// (`cloudbuild.yaml`, a Cloud Foundry `manifest.yml`, an App Engine `app.yaml`, a Dockerfile's
    /// `ENV`); the markers stage reads them anyway. `.env` files themselves say nothing of production.
    pub fn note_deploy_file(&self, file: &FileEntry, content: &[u8]) {
        use crate::repo::classify::FileClass;
        let name = file_name(&file.path);
        if !matches!(file.class, FileClass::Deploy | FileClass::Config)
            || name.starts_with(".env")
            || name.ends_with(".env")
        {
            return;
        }
        let vars = production_overrides(content);
        if vars.is_empty() {
            return;
        }
        let mut overridden = lock(&self.overridden);
        for v in vars {
            overridden.entry(v).or_insert_with(|| file.path.to_string());
        }
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

    /// The held findings: a note where the `.dockerignore` beside the `.env` (or at the root) excludes it,
    /// or where a deploy file sets the switch the finding is about to a production value (Symfony's
    /// skeleton `.env` says `APP_ENV=dev`; the deploy writes `APP_ENV=prod`, and real variables win).
    pub fn finish(&self) -> Vec<Finding> {
        let ignores = lock(&self.ignores);
        let overridden = lock(&self.overridden);
        let mut out = std::mem::take(&mut *lock(&self.held));
        for f in &mut out {
            let Location::File(span) = &f.location else {
                continue;
            };
            let var = f
                .evidence
                .as_deref()
                .and_then(|e| e.split(['=', ':', ' ']).next())
                .map(|v| v.trim().trim_start_matches("export ").to_ascii_uppercase());
            let by = var
                .as_deref()
                .filter(|_| f.rule.starts_with("switch/"))
                .and_then(|v| overridden.get(v).map(|p| (v, p)));
            if let Some((var, deploy)) = by {
                if f.severity > Severity::Note {
                    f.severity = Severity::Note;
                    f.message.push_str(&format!(
                        " (the deploy configuration sets {var} for production: {deploy}, and a real environment variable wins over .env)"
                    ));
                }
                continue;
            }
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
    use super::{heads_commented_out_code, test_hook_documented, Quoted};
    use crate::repo::classify::Lang;

    fn hook(lang: Lang, text: &str, marker: &str) -> Option<String> {
        let at = text.find(marker).unwrap_or(0);
        test_hook_documented(&Quoted::new(lang, text.as_bytes()), text.as_bytes(), at)
    }

    #[test]
    fn a_marker_documenting_a_test_hook() {
        let ts = "/** Exported for tests only. */\nexport const resetCacheForTesting = () => cache.clear();\n";
        assert_eq!(
            hook(Lang::TypeScript, ts, "tests only").as_deref(),
            Some("resetCacheForTesting")
        );
        let java = "// For tests only.\n@VisibleForTesting\nvoid reset() {\n  cache.clear();\n}\n";
        assert_eq!(
            hook(Lang::Java, java, "tests only").as_deref(),
            Some("reset")
        );
        let py = "def reset_for_tests():\n    \"\"\"For tests only.\"\"\"\n    CACHE.clear()\n";
        assert_eq!(
            hook(Lang::Python, py, "tests only").as_deref(),
            Some("reset_for_tests")
        );
        // Twins: a name that says nothing of tests, and a blank line between the comment and the code.
        let live = "// TEST ONLY: remove before release\nconst skipSignature = true;\n";
        assert_eq!(hook(Lang::JavaScript, live, "TEST ONLY"), None);
        let apart = "/** For tests only. */\n\nexport const resetCacheForTesting = () => 1;\n";
        assert_eq!(hook(Lang::TypeScript, apart, "tests only"), None);
    }

    #[test]
    fn a_marker_heading_commented_out_code() {
        let heads =
            |text: &str| heads_commented_out_code(text.as_bytes(), text.find("TEST").unwrap_or(0));
        assert!(heads("  // TESTING ONLY\n  // items.forEach(\n  //   (i) => (i.url = \"x\")\n  // );\n\n  run();\n"));
        assert!(heads("# TEST ONLY\n# client = FakeClient()\n"));
        // Twins: live code under it, prose under it, nothing under it.
        assert!(!heads(
            "// TEST ONLY\n// items.forEach(f);\nitems.forEach(g);\n"
        ));
        assert!(!heads(
            "// TEST ONLY\n// skips the signature check for the demo\n\nverify = false;\n"
        ));
        assert!(!heads("// TEST ONLY\nverify = false;\n"));
    }

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
