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
        if text.is_empty() || is_comment(text) {
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
        let beneath = match header_says(text) {
            Scope::Plain if names_production(text) => Scope::Plain,
            Scope::Plain => scope,
            said => said,
        };
        self.stack.push((width, beneath));
        scope
    }
}

/// Does the file say, as a whole, that it runs outside production? A script that selects a local or dev
/// settings module (`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")`, the same
/// in a shell `export`), or a Rails controller that refuses to serve in production
/// (`before_action -> { raise … if Rails.env.production? }`), or a profiling harness: a script that wraps
/// the app in a profiler and starts the development server itself (`ProfilerMiddleware` … `app.run(`) —
/// the live service is started by its WSGI server, never by such a script.
pub fn file_is_non_production(content: &[u8]) -> bool {
    let settings = memchr::memmem::find_iter(content, b"DJANGO_SETTINGS_MODULE").any(|at| {
        let line_end = memchr::memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i);
        let rest = &content[at..line_end];
        words(rest)
            .iter()
            .skip(3)
            .any(|w| environments::tier_of_word(w) == Some(Tier::NonProduction))
    });
    let refuses_production = memchr::memmem::find(content, b"before_action").is_some()
        && memchr::memmem::find_iter(content, b"Rails.env.production?").any(|at| {
            let start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
            let line = &content[start..at];
            memchr::memmem::find(line, b"raise").is_some()
                || memchr::memmem::find(line, b"head :not_found").is_some()
        });
    settings || refuses_production || is_profiling_harness(content)
}

fn is_profiling_harness(content: &[u8]) -> bool {
    let find = |needle: &[u8]| memchr::memmem::find(content, needle).is_some();
    let profiles = find(b"ProfilerMiddleware") || find(b"import cProfile") || find(b"pyinstrument");
    profiles
        && memchr::memmem::find_iter(content, b".run(").any(|at| {
            // The server started at the margin (or under `if __name__`), not inside a request handler.
            let start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
            indent(&content[start..]) <= 4
        })
}

/// Leading spaces and tabs (a tab counts as one: files mix them rarely, and only the order matters).
fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

fn is_comment(text: &[u8]) -> bool {
    text.starts_with(b"#")
        || text.starts_with(b"//")
        || text.starts_with(b"/*")
        || text.starts_with(b"*")
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

    #[test]
    fn files_that_declare_themselves_non_production() {
        assert!(file_is_non_production(
            b"import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')\n"
        ));
        assert!(file_is_non_production(
            b"export DJANGO_SETTINGS_MODULE=\"config.settings.dev\"\n"
        ));
        assert!(!file_is_non_production(
            b"os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.production')\n"
        ));
        assert!(file_is_non_production(
            b"class PreviewsController < ApplicationController\n  before_action -> { raise ActiveRecord::RecordNotFound if Rails.env.production? }\n"
        ));
        assert!(!file_is_non_production(
            b"class UsersController < ApplicationController\n  before_action :authenticate\n  def x = Rails.env.production?\n"
        ));
        let harness = "from werkzeug.middleware.profiler import ProfilerMiddleware\nfrom app import create_app\n\napp = create_app()\napp.wsgi_app = ProfilerMiddleware(app.wsgi_app)\napp.debug = True\napp.run(debug=True)\n";
        assert!(file_is_non_production(harness.as_bytes()));
        // The app factory that offers profiling behind a setting is still the live app.
        let factory = "from werkzeug.middleware.profiler import ProfilerMiddleware\n\ndef create_app():\n    app = Flask(__name__)\n    if app.config['PROFILE']:\n        app.wsgi_app = ProfilerMiddleware(app.wsgi_app)\n    app.debug = True\n    return app\n";
        assert!(!file_is_non_production(factory.as_bytes()));
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
