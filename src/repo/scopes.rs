//! What the blocks around a position say about it, read from indentation alone.
//!
//! Services keep every environment's settings in one file: `class Development(Config): DEBUG = True`
//! next to `class Production(Config)`, a YAML `development:` section, `if Rails.env.development?`,
//! `if (process.env.NODE_ENV === "development") {`. The enclosing headers — the nearest earlier lines
//! indented less than the line in question, outwards to the margin — name the environment the line
//! belongs to. This works the same for Python, YAML, Ruby, JavaScript and shell, needs no parser, and
//! only looks at the few lines that hold a hit.

use crate::repo::environments::{self, Tier};

/// What the enclosing headers of a line say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A block named for an environment other than production (development, test, local, CI, a review
    /// app), or guarded by "unless production": its settings and data are dev config.
    NonProduction,
    /// A block named for examples (`def get_example_csv_rows`, `sample_rows:`, `preview`): values in it
    /// are meant to be shown as examples.
    Example,
    /// Nothing said, or production itself.
    Plain,
}

/// The scope of the line holding byte `at`. The innermost header that says something wins, and a header
/// naming production ends the search (`class Production(Development)` is production).
pub fn scope_at(content: &[u8], at: usize) -> Scope {
    let at = at.min(content.len());
    let line_start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let mut limit = indent(&content[line_start..]);
    let mut end = line_start;
    while limit > 0 && end > 0 {
        // The previous line: content[start..end - 1] (without its `\n`).
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let line = &content[start..end - 1];
        end = start;
        let width = indent(line);
        let text = &line[width.min(line.len())..];
        if text.is_empty() || is_comment(text) || width >= limit {
            continue;
        }
        // A brace on a line of its own (C#, Java in Allman style) opens the block of the header above
        // it, at its own indent.
        if is_lone_brace(text) {
            limit = width + 1;
            continue;
        }
        limit = width;
        match header_says(text) {
            Scope::Plain => {}
            said => return said,
        }
        if names_production(text) {
            return Scope::Plain;
        }
    }
    Scope::Plain
}

/// `{` on a line of its own: the block of the line above it, not a header of its own.
fn is_lone_brace(text: &[u8]) -> bool {
    text.trim_ascii_end() == b"{"
}

/// The scope of a hit at byte `at`: a guard on its own line first (`Rails.env.test? ? a : b`,
/// `x if Rails.env.development?`), then the enclosing headers ([`scope_at`]).
pub fn scope_of_hit(content: &[u8], at: usize) -> Scope {
    if guarded_on_line(content, at) {
        return Scope::NonProduction;
    }
    scope_at(content, at)
}

/// Is byte `at` in the branch of a one-line condition that only runs outside production? The
/// then-branch of a ternary (`Rails.env.test? ? Rails.root.join("spec/support/") : ""`,
/// `process.env.NODE_ENV === "test" ? a : b`), or a statement with a trailing guard
/// (`seed! if Rails.env.development?`, `x unless Rails.env.production?`, Python's `a if TESTING else b`).
fn guarded_on_line(content: &[u8], at: usize) -> bool {
    let at = at.min(content.len());
    let start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i);
    let (before, after) = (&content[start..at], &content[at..end]);
    // A ternary: the condition before ` ? `, and the hit before the branch's ` : `.
    if let Some(q) = memchr::memmem::rfind(before, b" ? ") {
        if memchr::memmem::find(&before[q..], b" : ").is_none()
            && guard_says_non_production(&before[..q])
        {
            return true;
        }
    }
    // A trailing guard after the hit.
    for kw in [&b" if "[..], b" unless "] {
        if let Some(i) = memchr::memmem::find(after, kw) {
            let cond = &after[i + 1..];
            let cond = match memchr::memmem::find(cond, b" else ") {
                Some(e) => &cond[..e],
                None => cond,
            };
            if guard_says_non_production(cond) {
                return true;
            }
        }
    }
    false
}

/// A condition that holds only outside production. One naming a non-production environment must not be
/// negated (`!Rails.env.test?` runs in production); one naming production must be (`unless …production?`).
fn guard_says_non_production(cond: &[u8]) -> bool {
    if header_says(cond) != Scope::NonProduction {
        return false;
    }
    let negated = cond.contains(&b'!')
        || memchr::memmem::find(cond, b"not ").is_some()
        || memchr::memmem::find(cond, b"unless").is_some();
    names_production(cond) || !negated
}

/// The scope of every line of a file in one pass, each the same as [`scope_at`] says, in time linear in
/// the file: for code that asks about most lines (the Ruby reach reads every constant), where calling
/// `scope_at` per line walks back over the same headers again and again.
#[derive(Debug, Default)]
pub struct LineScopes {
    /// The enclosing header lines of the last code line, outermost first: (indent, the scope of the lines
    /// beneath that header). Indents strictly increase.
    stack: Vec<(usize, Scope)>,
}

impl LineScopes {
    /// The scope of `line` (without its `\n`). Lines must be given in order, every one of them.
    pub fn next(&mut self, line: &[u8]) -> Scope {
        let width = indent(line);
        let text = &line[width.min(line.len())..];
        if text.is_empty() || is_comment(text) || is_lone_brace(text) {
            // Not a header for later lines: answer without changing the enclosing blocks.
            return self
                .stack
                .iter()
                .rev()
                .find(|(w, _)| *w < width)
                .map_or(Scope::Plain, |(_, s)| *s);
        }
        while self.stack.last().is_some_and(|(w, _)| *w >= width) {
            self.stack.pop();
        }
        let scope = self.stack.last().map_or(Scope::Plain, |(_, s)| *s);
        // What this line, as a header, makes of the lines beneath it (`scope_at`'s order: what it says,
        // then production ends the search, then its own enclosing headers).
        // Most lines hold no telling word: one search answers for both questions below.
        let beneath = if !may_tell(text) {
            scope
        } else {
            match header_says(text) {
                Scope::Plain if names_production(text) => Scope::Plain,
                Scope::Plain => scope,
                said => said,
            }
        };
        self.stack.push((width, beneath));
        scope
    }
}

/// The regions of a file that only run outside production, each as narrow as the idiom that says so
/// (computed once per file, only for files that hold a hit):
///
/// - a Rails controller that refuses to serve in production (`before_action -> { raise … if
///   Rails.env.production? }`, or `head :not_found`): the body of that class, or with `only:` /
///   `except:` the actions it names (or does not);
/// - a script's `if __name__ == "__main__":` block that wraps the app in a profiler and starts the
///   development server: that block; a profiling harness (a script that wraps the app in a profiler and
///   starts it at its top level): the whole script;
/// - a dev settings module chosen (`os.environ["DJANGO_SETTINGS_MODULE"] = "x.settings.local"`,
///   `export DJANGO_SETTINGS_MODULE=x.settings.dev`, or a script's `setdefault`): from that line to the
///   end of its block. In the module that builds the WSGI/ASGI application (every generated `wsgi.py`
///   defaults to some settings module) a default decides nothing: the live service sets the variable;
/// - the rest of a file after an exit at the margin in production (`return if Rails.env.production?`):
///   from that exit to the end (`regions::after_production_exit`).
///
/// One idiom never exempts the rest of the file: the other classes, functions and lines are judged on
/// their own.
pub fn non_production_regions(content: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    if memchr::memmem::find(content, b"before_action").is_some() {
        refusing_controllers(content, &mut out);
    }
    if memchr::memmem::find(content, b".run(").is_some() {
        dev_server_blocks(content, &mut out);
    }
    if memchr::memmem::find(content, b"DJANGO_SETTINGS_MODULE").is_some() {
        forced_dev_settings(content, &mut out);
    }
    out.extend(crate::repo::regions::after_production_exit(content));
    out.sort_by_key(|r| r.start);
    out
}

/// Is `at` inside one of `regions`?
pub fn in_regions(regions: &[std::ops::Range<usize>], at: usize) -> bool {
    regions.iter().any(|r| r.contains(&at))
}

/// Lines of `content` as (start, end without the newline).
fn lines(content: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= content.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &content[pos..]).map_or(content.len(), |i| pos + i);
        let start = pos;
        pos = end + 1;
        Some((start, end))
    })
}

/// The block a header line opens: from the header's start to the start of the next code line indented
/// no deeper than the header (a Ruby `end` at the header's indent closes it too), or the file's end.
fn block(content: &[u8], header_start: usize) -> std::ops::Range<usize> {
    let width = indent(&content[header_start..]);
    let after = memchr::memchr(b'\n', &content[header_start..])
        .map_or(content.len(), |i| header_start + i + 1);
    for (start, end) in lines(&content[after..]).map(|(s, e)| (after + s, after + e)) {
        let line = &content[start..end];
        let w = indent(line);
        let text = &line[w.min(line.len())..];
        if text.is_empty() || is_comment(text) {
            continue;
        }
        if w <= width {
            let closing = text == b"end" || text.starts_with(b"end ") || text == b"}";
            return header_start..if closing { end } else { start };
        }
    }
    header_start..content.len()
}

/// The nearest enclosing line (indented less than the one at `at`) that starts with `keyword`.
fn enclosing_header(content: &[u8], at: usize, keyword: &[u8]) -> Option<usize> {
    let mut limit = indent(&content[memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1)..]);
    let mut end = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    while end > 0 && limit > 0 {
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let line = &content[start..end - 1];
        end = start;
        let w = indent(line);
        let text = &line[w.min(line.len())..];
        if text.is_empty() || is_comment(text) || w >= limit {
            continue;
        }
        limit = w;
        if text.starts_with(keyword) {
            return Some(start);
        }
    }
    None
}

fn refusing_controllers(content: &[u8], out: &mut Vec<std::ops::Range<usize>>) {
    for at in memchr::memmem::find_iter(content, b"before_action") {
        let (start, end) = line_around(content, at);
        let line = &content[start..end];
        let refuses = memchr::memmem::find(line, b"Rails.env.production?").is_some()
            && (memchr::memmem::find(line, b"raise").is_some()
                || memchr::memmem::find(line, b"head :not_found").is_some())
            && memchr::memmem::find(line, b"unless Rails.env.production?").is_none();
        if !refuses {
            continue;
        }
        let Some(class_start) = enclosing_header(content, at, b"class ") else {
            continue;
        };
        let class = block(content, class_start);
        let only = action_list(line, b"only:");
        let except = action_list(line, b"except:");
        if only.is_empty() && except.is_empty() {
            out.push(class);
            continue;
        }
        for at in
            memchr::memmem::find_iter(&content[class.clone()], b"def ").map(|i| class.start + i)
        {
            let (ls, le) = line_around(content, at);
            if content[ls..at].iter().any(|b| !b.is_ascii_whitespace()) {
                continue;
            }
            let name: Vec<u8> = content[at + 4..le]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'?' | b'!'))
                .copied()
                .collect();
            let listed = |l: &[Vec<u8>]| l.contains(&name);
            if (!only.is_empty() && listed(&only)) || (!except.is_empty() && !listed(&except)) {
                out.push(block(content, ls));
            }
        }
    }
}

/// `only: [:preview, :show]` / `only: :preview` / `only: %i[preview show]`: the action names.
fn action_list(line: &[u8], key: &[u8]) -> Vec<Vec<u8>> {
    let Some(i) = memchr::memmem::find(line, key) else {
        return Vec::new();
    };
    let rest = &line[i + key.len()..];
    let rest = rest.trim_ascii_start();
    let list_end = if rest.starts_with(b"[") || rest.starts_with(b"%i[") {
        rest.iter().position(|b| *b == b']').unwrap_or(rest.len())
    } else {
        rest.iter()
            .position(|b| *b == b',' || *b == b')')
            .unwrap_or(rest.len())
    };
    rest[..list_end]
        .split(|b| matches!(b, b' ' | b',' | b'[' | b':' | b'%'))
        .filter(|w| !w.is_empty() && *w != b"i")
        .map(|w| {
            w.iter()
                .copied()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'?' | b'!'))
                .collect::<Vec<u8>>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn line_around(content: &[u8], at: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i);
    (start, end)
}

/// `if __name__ == "__main__":` blocks that start the development server, and profiling harness scripts.
fn dev_server_blocks(content: &[u8], out: &mut Vec<std::ops::Range<usize>>) {
    for (start, end) in lines(content) {
        let line = &content[start..end];
        if line.starts_with(b"if __name__") && memchr::memmem::find(line, b"__main__").is_some() {
            // A profiling setup run by hand: the block wraps the app in a profiler and serves it. A plain
            // `app.run(debug=True)` there is judged like any line (some services are started so).
            let b = block(content, start);
            let body = &content[b.clone()];
            let find = |needle: &[u8]| memchr::memmem::find(body, needle).is_some();
            let profiles =
                find(b"ProfilerMiddleware") || find(b"cProfile") || find(b"pyinstrument");
            if profiles && find(b".run(") {
                out.push(b);
            }
        }
    }
    // A script that starts the development server at its top level cannot be imported without
    // serving, so no WSGI server imports it: wrapping the app in a profiler, it is a harness run by hand.
    let find = |needle: &[u8]| memchr::memmem::find(content, needle).is_some();
    let profiles = find(b"ProfilerMiddleware") || find(b"import cProfile") || find(b"pyinstrument");
    let serves_at_margin = memchr::memmem::find_iter(content, b".run(").any(|at| {
        let (s, _) = line_around(content, at);
        indent(&content[s..]) == 0
    });
    if profiles && serves_at_margin {
        out.push(0..content.len());
    }
}

/// A dev settings module forced on: from its line to the end of the enclosing block.
fn forced_dev_settings(content: &[u8], out: &mut Vec<std::ops::Range<usize>>) {
    let builds_app = [
        &b"get_wsgi_application"[..],
        b"get_asgi_application",
        b"WSGIHandler",
        b"ASGIHandler",
    ]
    .iter()
    .any(|n| memchr::memmem::find(content, n).is_some());
    for at in memchr::memmem::find_iter(content, b"DJANGO_SETTINGS_MODULE") {
        let (start, end) = line_around(content, at);
        let line = &content[start..end];
        let rest = &content[at..end];
        let assigned = line.trim_ascii_start().starts_with(b"export ")
            || rest.starts_with(b"DJANGO_SETTINGS_MODULE=")
            || memchr::memmem::find(rest, b"] =").is_some()
            || memchr::memmem::find(rest, b"]=").is_some();
        // A default chooses for a script run by hand; in the module that builds the WSGI/ASGI
        // application (what production runs), the live service sets the variable.
        let defaulted = memchr::memmem::find(line, b"setdefault").is_some() && !builds_app;
        let forced = assigned || defaulted;
        let dev = words(rest)
            .iter()
            .skip(1)
            .any(|w| environments::tier_of_word(w) == Some(Tier::NonProduction));
        if !(forced && dev) {
            continue;
        }
        let w = indent(line);
        let block_end = if w == 0 {
            content.len()
        } else {
            match enclosing_header(content, at, b"") {
                Some(h) => block(content, h).end,
                None => content.len(),
            }
        };
        // A shell script's exports are its environment: every command it runs has them.
        let shell = line.trim_ascii_start().starts_with(b"export ")
            || rest.starts_with(b"DJANGO_SETTINGS_MODULE=");
        let block_start = if shell && w == 0 { 0 } else { start };
        out.push(block_start..block_end);
    }
}

/// Leading spaces and tabs (a tab counts as one: files mix them rarely, and only the order matters).
pub(crate) fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

/// A line (already trimmed) that is a comment in one of the languages read here (`#`, `//`, `/* *`, SQL's
/// `--`).
pub(crate) fn is_comment(text: &[u8]) -> bool {
    text.starts_with(b"#")
        || text.starts_with(b"//")
        || text.starts_with(b"/*")
        || text.starts_with(b"*")
        || text.starts_with(b"--")
}

/// Lower-case words of a header: split at anything not a letter or digit, and at camelCase humps
/// (`NonProdConfig` → non, prod, config; `review_app?` → review, app).
fn words(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &b in text.iter().take(200) {
        if b.is_ascii_alphanumeric() {
            if b.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
            cur.push(b.to_ascii_lowercase() as char);
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A word that names a non-production environment in code (`development`, `qa`, `ci`), or production
/// (the one list, in `environments`).
fn is_nonprod_word(w: &str) -> bool {
    environments::tier_of_code_word(w) == Some(Tier::NonProduction)
}
fn is_prod_word(w: &str) -> bool {
    environments::tier_of_code_word(w) == Some(Tier::Production)
}
const EXAMPLE_WORDS: &[&str] = &["example", "examples", "sample", "samples", "placeholder"];

/// Does a condition or value name production among its words (`Rails.env.production?`,
/// `NODE_ENV !== 'production'`, `config.settings.prod`)?
pub fn mentions_production(text: &[u8]) -> bool {
    names_production(text)
}

fn names_production(text: &[u8]) -> bool {
    may_tell(text) && words(text).iter().any(|w| is_prod_word(w))
}

/// Every word `header_says` and `names_production` act on, as case-insensitive substrings: a line holding
/// none of them says nothing, and most lines hold none (then no words are split out and allocated).
static TELLING: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        let words = environments::code_words()
            .chain(EXAMPLE_WORDS.iter().copied())
            .chain(["review", "defined?"]);
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .ok()
    });

fn may_tell(text: &[u8]) -> bool {
    TELLING.as_ref().is_none_or(|ac| ac.is_match(text))
}

fn header_says(text: &[u8]) -> Scope {
    if !may_tell(text) {
        return Scope::Plain;
    }
    // A class is named by its own name, not by what it inherits: `class Test(Production):` and Ruby's
    // `class Test < Production` are the test configuration.
    let text = class_name_only(text);
    let w = words(text);
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    let non_prod = w.windows(2).any(|p| p[0] == "non" && is_prod_word(&p[1]));
    let prod = w.iter().any(|x| is_prod_word(x)) && !non_prod;
    let review_app = w.windows(2).any(|p| p[0] == "review" && p[1] == "app");
    // `unless Rails.env.production?`, `if not IS_PRODUCTION:`, `if (!isProduction) {`
    let negated_prod = prod
        && (w.first().is_some_and(|f| f == "unless")
            || w.iter().any(|x| x == "not")
            || text
                .windows(2)
                .any(|p| p[0] == b'!' && (p[1].is_ascii_alphabetic() || p[1] == b'=')));
    // A function's name says what it does, not where it runs: `def smoke_tests():` serves production's
    // status page. Only conditions, classes and sections name environments.
    let function = matches!(
        w.first().map(String::as_str),
        Some("def" | "function" | "fn" | "func" | "async")
    );
    // `if defined? RSpec`: only where the test framework is installed (a Rakefile's spec task).
    let negated = w.first().is_some_and(|f| f == "unless")
        || w.iter().any(|x| x == "not")
        || memchr::memmem::find(text, b"!defined").is_some();
    let test_framework_loaded = memchr::memmem::find(text, b"defined?").is_some()
        && !negated
        && ["RSpec", "Minitest", "Cucumber"]
            .iter()
            .any(|f| memchr::memmem::find(text, f.as_bytes()).is_some());
    if !function
        && (negated_prod
            || non_prod
            || test_framework_loaded
            || (!prod && (w.iter().any(|x| is_nonprod_word(x)) || review_app)))
    {
        return Scope::NonProduction;
    }
    if !prod && has(EXAMPLE_WORDS) {
        return Scope::Example;
    }
    Scope::Plain
}

/// A class header up to its base classes (`class Test(Production):` → `class Test`; Java's `public class
/// TestConfig extends ProductionConfig {` → `public class TestConfig`); other headers whole.
fn class_name_only(text: &[u8]) -> &[u8] {
    let t = text.trim_ascii_start();
    let Some(at) = memchr::memmem::find(t, b"class ").filter(|&i| {
        i == 0
            || t[..i].split(|b| *b == b' ').all(|w| {
                matches!(
                    w,
                    b"" | b"public"
                        | b"private"
                        | b"protected"
                        | b"final"
                        | b"abstract"
                        | b"static"
                        | b"data"
                        | b"open"
                        | b"internal"
                )
            })
    }) else {
        return text;
    };
    let rest = &t[at..];
    let end = rest
        .iter()
        .position(|b| matches!(b, b'(' | b'<' | b':' | b'{'))
        .unwrap_or(rest.len());
    let end = memchr::memmem::find(&rest[..end], b" extends ")
        .or_else(|| memchr::memmem::find(&rest[..end], b" implements "))
        .unwrap_or(end);
    &t[..at + end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_is_named_by_its_own_name_not_its_base() {
        for (header, scope) in [
            ("class Test(Production):", Scope::NonProduction),
            ("class Test < Production", Scope::NonProduction),
            (
                "public class TestConfig extends ProductionConfig {",
                Scope::NonProduction,
            ),
            ("class Production(Development):", Scope::Plain),
            ("class Production(Base):", Scope::Plain),
        ] {
            assert_eq!(header_says(header.as_bytes()), scope, "{header}");
        }
    }

    fn scope_of(text: &str, needle: &str) -> Scope {
        let at = text.find(needle).unwrap_or(text.len());
        scope_at(text.as_bytes(), at)
    }

    /// Every line of `text`, judged by `LineScopes` in one pass and by `scope_at` on its own.
    fn both_ways(text: &str) -> Vec<(Scope, Scope)> {
        let mut scopes = LineScopes::default();
        let mut start = 0;
        let mut out = Vec::new();
        for line in text.split('\n') {
            out.push((
                scopes.next(line.as_bytes()),
                scope_at(text.as_bytes(), start),
            ));
            start += line.len() + 1;
        }
        out
    }

    #[test]
    fn line_scopes_agree_with_scope_at_on_every_line() {
        let samples = [
            "class Config:\n    DEBUG = False\n\n\nclass Development(Config):\n    # local\n    DEBUG = True\n\nclass Test(Development):\n    TESTING = True\n\nclass Production(Config):\n    DEBUG = True\n",
            "module Seeders\n  class Base\n    def call\n      if Rails.env.development?\n        X.new\n      # note\n        Y.new\n      else\n        Z.new\n      end\n    end\n  end\nend\n",
            "default: &default\n  adapter: x\ndevelopment:\n  <<: *default\n  debug: true\nproduction:\n  debug: true\n    deeper: 1\n  \n  back: 2\n",
            "if (process.env.NODE_ENV !== 'production') {\n  a()\n  if (x) {\n    b()\n  }\n}\nc()\n",
        ];
        let mut checked = 0;
        for text in samples {
            for (i, (one_pass, alone)) in both_ways(text).into_iter().enumerate() {
                assert_eq!(one_pass, alone, "line {} of {text:?}", i + 1);
                checked += 1;
            }
        }
        // Made-up files from a small vocabulary of headers, indents, blanks and comments.
        let vocab = [
            "class Development:",
            "class Production(Development):",
            "if Rails.env.development?",
            "unless Rails.env.production?",
            "def example_rows():",
            "sample_rows:",
            "x = 1",
            "# a comment",
            "",
            "describe 'test' do",
            "live:",
        ];
        let mut seed: u64 = 0x5eed;
        let mut rand = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut saw = [false; 3];
        for _ in 0..300 {
            let lines: Vec<String> = (0..12)
                .map(|_| format!("{}{}", " ".repeat(2 * rand(5)), vocab[rand(vocab.len())]))
                .collect();
            let text = lines.join("\n");
            for (one_pass, alone) in both_ways(&text) {
                assert_eq!(one_pass, alone, "{text:?}");
                saw[one_pass as usize] = true;
                checked += 1;
            }
        }
        assert!(checked > 3000 && saw.iter().all(|s| *s), "{saw:?}");
    }

    #[test]
    fn one_line_guards() {
        let hit = |text: &str, needle: &str| {
            scope_of_hit(text.as_bytes(), text.find(needle).unwrap_or(0))
        };
        let rb = "def base_upload_dir\n  Rails.env.test? ? Rails.root.join(\"spec/support/\") : \"\"\nend\n";
        assert_eq!(hit(rb, "spec/support"), Scope::NonProduction);
        let rb = "  Rails.env.production? ? Rails.root.join(\"spec/support/\") : \"\"\n";
        assert_eq!(hit(rb, "spec/support"), Scope::Plain);
        // The else branch of a test-only ternary runs in production.
        let rb = "  Rails.env.test? ? \"\" : Rails.root.join(\"spec/support/\")\n";
        assert_eq!(hit(rb, "spec/support"), Scope::Plain);
        let rb = "  !Rails.env.test? ? Rails.root.join(\"spec/support/\") : \"\"\n";
        assert_eq!(hit(rb, "spec/support"), Scope::Plain);
        let rb = "load_seed(\"spec/fixtures/a.yml\") if Rails.env.development?\n";
        assert_eq!(hit(rb, "spec/fixtures"), Scope::NonProduction);
        let rb = "load_seed(\"spec/fixtures/a.yml\") unless Rails.env.production?\n";
        assert_eq!(hit(rb, "spec/fixtures"), Scope::NonProduction);
        let rb = "load_seed(\"spec/fixtures/a.yml\") if Rails.env.production?\n";
        assert_eq!(hit(rb, "spec/fixtures"), Scope::Plain);
        let js = "const dir = process.env.NODE_ENV === 'test' ? 'test/fixtures' : 'data'\n";
        assert_eq!(hit(js, "test/fixtures"), Scope::NonProduction);
        assert_eq!(hit(js, "'data'"), Scope::Plain);
        let py = "PATH = \"tests/data.json\" if TESTING else \"data.json\"\n";
        assert_eq!(hit(py, "tests/data"), Scope::NonProduction);
        assert_eq!(
            hit("x = load(\"tests/data.json\")\n", "tests"),
            Scope::Plain
        );
    }

    #[test]
    fn python_classes_per_environment() {
        let cfg = "class Config:\n    DEBUG = False\n\n\nclass Development(Config):\n    # local\n    DEBUG = True\n\nclass Test(Development):\n    TESTING = True\n\nclass Production(Config):\n    DEBUG = True\n";
        assert_eq!(scope_of(cfg, "DEBUG = False"), Scope::Plain);
        assert_eq!(
            scope_of(cfg, "DEBUG = True\n\nclass Test"),
            Scope::NonProduction
        );
        assert_eq!(scope_of(cfg, "TESTING"), Scope::NonProduction);
        assert_eq!(scope_of(cfg, "DEBUG = True\n"), Scope::NonProduction);
        let prod_at = cfg.rfind("DEBUG = True").unwrap_or(0);
        assert_eq!(scope_at(cfg.as_bytes(), prod_at), Scope::Plain);
    }

    #[test]
    fn a_production_class_deriving_from_development_is_production() {
        let cfg = "class Production(Development):\n    DEBUG = True\n";
        assert_eq!(scope_of(cfg, "DEBUG"), Scope::Plain);
    }

    #[test]
    fn top_level_lines_have_no_scope() {
        assert_eq!(scope_of("DEBUG = True\n", "DEBUG"), Scope::Plain);
        assert_eq!(
            scope_of("class Test:\n    pass\nDEBUG = True\n", "DEBUG"),
            Scope::Plain
        );
    }

    #[test]
    fn yaml_sections_and_ruby_and_js_guards() {
        let yaml = "default: &default\n  adapter: x\ndevelopment:\n  <<: *default\n  debug: true\nproduction:\n  debug: true\n";
        assert_eq!(scope_of(yaml, "debug: true\nprod"), Scope::NonProduction);
        let prod_at = yaml.rfind("debug").unwrap_or(0);
        assert_eq!(scope_at(yaml.as_bytes(), prod_at), Scope::Plain);
        let rb = "if HostingEnvironment.local_development? || HostingEnvironment.review_app?\n  User.create!(email: \"a@example.com\")\nend\n";
        assert_eq!(scope_of(rb, "User"), Scope::NonProduction);
        let rb = "unless Rails.env.production?\n  config.debug = true\nend\n";
        assert_eq!(scope_of(rb, "config"), Scope::NonProduction);
        let rb = "if Rails.env.production?\n  config.debug = true\nend\n";
        assert_eq!(scope_of(rb, "config"), Scope::Plain);
        let js = "if (process.env.NODE_ENV === 'development') {\n  app.use(debug());\n}\n";
        assert_eq!(scope_of(js, "app.use"), Scope::NonProduction);
    }

    #[test]
    fn a_guard_on_the_test_framework_being_loaded() {
        let rake = "if defined? RSpec\n  require 'rspec/core/rake_task'\nend\n";
        assert_eq!(scope_of(rake, "require"), Scope::NonProduction);
        // Where RSpec is absent: production.
        let rake = "unless defined?(RSpec)\n  require 'rspec/core/rake_task'\nend\n";
        assert_eq!(scope_of(rake, "require"), Scope::Plain);
        assert_eq!(
            scope_of("if defined?(Sidekiq)\n  require 'x'\nend\n", "require"),
            Scope::Plain
        );
    }

    #[test]
    fn example_blocks() {
        let py = "def get_example_csv_rows(template):\n    return {\n        \"email\": [\"test@example.com\"],\n    }\n";
        assert_eq!(scope_of(py, "\"email\""), Scope::Example);
        let py = "def send_welcome(user):\n    return \"test@example.com\"\n";
        assert_eq!(scope_of(py, "return"), Scope::Plain);
        // A function named for tests is still production code if it lives there (a status page).
        let py = "@app.route(\"/status.json\")\ndef smoke_tests():\n    from app.tests.smoke import Checks\n";
        assert_eq!(scope_of(py, "from"), Scope::Plain);
    }

    fn in_region(text: &str, needle: &str) -> bool {
        let at = text.find(needle).unwrap_or(usize::MAX);
        in_regions(&non_production_regions(text.as_bytes()), at)
    }

    #[test]
    fn one_idiom_exempts_its_region_not_the_file() {
        // A generated wsgi.py defaults the settings module: a default decides nothing there.
        let wsgi = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\napplication = get_wsgi_application()\nDEBUG = True\n";
        assert!(!in_region(wsgi, "DEBUG"));
        // A data script run by hand with local settings is dev tooling from there on.
        let script = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\nDEBUG = True\n";
        assert!(in_region(script, "DEBUG"));
        // Forced on: the rest of the script runs with dev settings.
        let forced = "import os\nX = 1\nos.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'\nDEBUG = True\n";
        assert!(in_region(forced, "DEBUG"));
        assert!(!in_region(forced, "X = 1"));
        assert!(in_region(
            "export DEBUG=1\nexport DJANGO_SETTINGS_MODULE=\"config.settings.dev\"\nrun x\n",
            "DEBUG"
        ));

        // A controller that refuses production: that class, not the next one.
        let rb = "class PreviewsController < ApplicationController\n  before_action -> { raise ActiveRecord::RecordNotFound if Rails.env.production? }\n  def show\n    User.new(email: 'a@example.com')\n  end\nend\n\nclass UsersController < ApplicationController\n  def index\n    User.new(email: 'b@example.com')\n  end\nend\n";
        assert!(in_region(rb, "a@example.com"));
        assert!(!in_region(rb, "b@example.com"));
        // `only:` names the actions refused in production.
        let only = "class PagesController < ApplicationController\n  before_action -> { head :not_found if Rails.env.production? }, only: [:styleguide]\n  def styleguide\n    X.demo\n  end\n\n  def home\n    X.live\n  end\nend\n";
        assert!(in_region(only, "X.demo"));
        assert!(!in_region(only, "X.live"));
        let auth = "class UsersController < ApplicationController\n  before_action :authenticate\n  def x = Rails.env.production?\nend\n";
        assert!(non_production_regions(auth.as_bytes()).is_empty());

        // A profiler and the development server under `__main__`: that block; the app above it is
        // production. Without a profiler, `app.run(debug=True)` there is judged like any line.
        let plain =
            "app = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n";
        assert!(!in_region(plain, "app.run"));
        let app = "from werkzeug.middleware.profiler import ProfilerMiddleware\napp = create_app()\napp.config['DEBUG'] = True\n\nif __name__ == '__main__':\n    if os.environ.get('PROFILE'):\n        app.wsgi_app = ProfilerMiddleware(app.wsgi_app)\n    app.run(debug=True)\n";
        assert!(in_region(app, "app.run(debug=True)"));
        assert!(!in_region(app, "app.config['DEBUG']"));
        // A harness script that starts the server at its top level: the whole script.
        let harness = "from werkzeug.middleware.profiler import ProfilerMiddleware\nfrom app import create_app\n\napp = create_app()\napp.wsgi_app = ProfilerMiddleware(app.wsgi_app)\napp.debug = True\napp.run(debug=True)\n";
        assert!(in_region(harness, "app.debug = True"));
        // The app factory that offers profiling behind a setting is still the live app.
        let factory = "from werkzeug.middleware.profiler import ProfilerMiddleware\n\ndef create_app():\n    app = Flask(__name__)\n    if app.config['PROFILE']:\n        app.wsgi_app = ProfilerMiddleware(app.wsgi_app)\n    app.debug = True\n    app.run()\n    return app\n";
        assert!(!in_region(factory, "app.debug = True"));
    }

    #[test]
    fn words_split_camel_case_and_punctuation() {
        assert_eq!(
            words(b"class NonProdConfig(TestBase):"),
            ["class", "non", "prod", "config", "test", "base"]
        );
        assert_eq!(words(b"if review_app?"), ["if", "review", "app"]);
        assert_eq!(
            scope_of("class NonProdConfig:\n    DEBUG = True\n", "DEBUG"),
            Scope::NonProduction
        );
        let js = "if (process.env.NODE_ENV !== 'production') {\n  app.use(debug());\n}\n";
        assert_eq!(scope_of(js, "app.use"), Scope::NonProduction);
        // `latest`, `contest`, `attestation` are words of their own, not "test".
        assert_eq!(
            scope_of("def latest_contest():\n    x = 1\n", "x"),
            Scope::Plain
        );
    }
}
