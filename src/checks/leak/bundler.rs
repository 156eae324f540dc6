//! Ruby dependencies: a Gemfile's gems outside its test and development groups, and a gemspec's runtime
//! dependencies (`add_dependency`, `add_runtime_dependency`; not `add_development_dependency`).
//!
//! Bundler installs the default group and any group not excluded (`BUNDLE_WITHOUT=development:test` is
//! what production images set), and Rails requires the default group at boot. A gem is production when it
//! is at the Gemfile's top level or in a group whose names include one not named for tests or
//! development (`group :production`, `group :default, :test`). Blocks that are not groups (`platforms`,
//! `source … do`, `if`/`unless`) keep the group they are in.

use super::libraries::{self, Registry};
use super::manifests::{dependency, is_nonprod_section, TestDep};
use super::{Extracted, Source};

/// One `gem "name", …` line's name span, if the line is one.
fn gem_name(code: &str, keyword: &str) -> Option<(usize, usize)> {
    let rest = code.strip_prefix(keyword)?;
    if !rest.starts_with([' ', '(', '\t']) {
        return None;
    }
    let q = code.find(['"', '\''])?;
    // `%q<rspec>` / `%q{rspec}` in older gemspecs.
    let pct = code.find("%q").filter(|p| *p < q);
    let (start, close) = match pct {
        Some(p) => {
            let open = *code.as_bytes().get(p + 2)?;
            let close = match open {
                b'<' => '>',
                b'{' => '}',
                b'(' => ')',
                b'[' => ']',
                other => other as char,
            };
            (p + 3, close)
        }
        None => (q + 1, code.as_bytes()[q] as char),
    };
    let len = code[start..].find(close)?;
    (len > 0).then_some((start, len))
}

/// The groups named on a line (`group :test, :development do`, `gem 'x', group: [:test]`,
/// `:groups => [:test]`): the symbols after the `group`/`groups` keyword. None when it names none.
fn named_groups(code: &str) -> Option<Vec<String>> {
    let at = code.find("group")?;
    let rest = &code[at..];
    let groups: Vec<String> = rest
        .split(|c: char| {
            !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '"' || c == '\'')
        })
        .skip(1)
        .filter_map(|w| {
            let w = w.trim_matches(['"', '\'']);
            w.strip_prefix(':').map(str::to_string).or_else(|| {
                (!w.is_empty() && !w.ends_with(':') && w != "do" && w != "=>")
                    .then(|| w.to_string())
            })
        })
        .filter(|w| w != "do" && !w.is_empty())
        .collect();
    (!groups.is_empty()).then_some(groups)
}

/// Every group is named for tests, development or another non-production environment: Rails requires
/// `:default` and the running environment's group, so `group :test, :staging, :review` never loads in
/// production.
fn nonprod(groups: &[String]) -> bool {
    groups.iter().all(|g| {
        is_nonprod_section(g)
            || matches!(
                g.as_str(),
                "staging"
                    | "sandbox"
                    | "review"
                    | "uat"
                    | "preprod"
                    | "pre_production"
                    | "preproduction"
                    | "demo"
                    | "migration"
                    | "integration"
                    | "training"
                    | "end_to_end"
                    | "endtoend"
                    | "acceptance"
                    | "cucumber"
            )
    })
}

/// Does a `gem` line say `require: false` (or `:require => false`): Bundler installs the gem but
/// `Bundler.require` does not load it.
fn not_required(code: &str) -> bool {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("require:false") || compact.contains(":require=>false")
}

/// Where a Gemfile's gem outside any group is: Rails requires it at boot.
pub(crate) const DEFAULT_GROUP: &str = " in the Gemfile's default group";

/// A block of a Gemfile, for the group its gems are in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    /// A group named only for tests, development or another non-production environment.
    NonProduction,
    /// A group named otherwise (`group :end_to_end_staging do`), not the default or production one: the
    /// names, joined.
    Group(String),
    /// Anything else (`platforms`, `if`, `source … do`, `group :default`).
    Other,
}

pub(crate) fn gemfile(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    // Each open block: a non-production group, another named group, or no group.
    let mut blocks: Vec<Block> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let start = super::tokens::skip_ws(text, pos, end);
        pos = end + 1;
        let line = String::from_utf8_lossy(&text[start..end]).into_owned();
        let code = line.split(" #").next().unwrap_or("").trim_end();
        if code.starts_with('#') || code.is_empty() {
            continue;
        }
        let in_nonprod = blocks.contains(&Block::NonProduction);
        let in_group = blocks.iter().rev().find_map(|b| match b {
            Block::Group(g) => Some(g.clone()),
            _ => None,
        });
        if code == "end" || code.starts_with("end ") {
            blocks.pop();
            continue;
        }
        if code.starts_with("group") && (code.ends_with(" do") || code.contains(" do |")) {
            let groups = named_groups(code).unwrap_or_default();
            blocks.push(if groups.is_empty() {
                Block::Other
            } else if nonprod(&groups) {
                Block::NonProduction
            } else if groups.iter().any(|g| g == "default" || g == "production") {
                Block::Other
            } else {
                Block::Group(groups.join(", :"))
            });
            continue;
        }
        let opens = code.ends_with(" do")
            || code.contains(" do |")
            || ["if ", "unless ", "case ", "begin", "while "]
                .iter()
                .any(|k| code.starts_with(k));
        if opens {
            blocks.push(Block::Other);
            continue;
        }
        let Some((name_start, len)) = gem_name(code, "gem") else {
            continue;
        };
        if in_nonprod || named_groups(code).is_some_and(|g| nonprod(&g)) {
            continue;
        }
        let gem = &code[name_start..name_start + len];
        let Some(kind) = libraries::gem(gem) else {
            continue;
        };
        let dep = TestDep {
            registry: Registry::Gems,
            name: gem.to_string(),
            kind,
            section: match in_group {
                // Installed unless BUNDLE_WITHOUT leaves the group out, but Rails requires only the
                // default group and the running environment's: not loaded at boot.
                Some(g) => format!(" in the Gemfile's group `:{g}` (installed unless `BUNDLE_WITHOUT` leaves it out)"),
                // `require: false`: installed with the app, but `Bundler.require` leaves it unloaded.
                None if not_required(code) => {
                    " in the Gemfile's default group with `require: false` (installed, not loaded at boot)".into()
                }
                None => DEFAULT_GROUP.into(),
            },
        };
        dependency(src, out, dep, start + name_start..start + name_start + len);
    }
}

/// A gemspec's runtime dependencies. A gem that is itself a test tool (`rspec-rails`) may depend on one.
pub(crate) fn gemspec(src: &mut Source, out: &mut Extracted) {
    let own = super::paths::stem(super::paths::file_name(src.path)).to_string();
    if super::manifests::is_test_tool_package(&own) || libraries::gem(&own).is_some() {
        return;
    }
    let text = src.text;
    let mut pos = 0;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let start = super::tokens::skip_ws(text, pos, end);
        pos = end + 1;
        let line = String::from_utf8_lossy(&text[start..end]).into_owned();
        let Some(dot) = line.find(".add_") else {
            continue;
        };
        let call = &line[dot + 1..];
        let keyword = ["add_runtime_dependency", "add_dependency"]
            .into_iter()
            .find(|k| gem_name(call, k).is_some());
        let Some(keyword) = keyword else {
            continue;
        };
        let Some((name_start, len)) = gem_name(call, keyword) else {
            continue;
        };
        let gem = &call[name_start..name_start + len];
        let Some(kind) = libraries::gem(gem) else {
            continue;
        };
        let from = start + dot + 1 + name_start;
        let dep = TestDep {
            registry: Registry::Gems,
            name: gem.to_string(),
            kind,
            section: format!(" (`{keyword}` in the gemspec)"),
        };
        dependency(src, out, dep, from..from + len);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Want;
    use super::*;
    use crate::repo::lexer::Syntax;

    fn deps(path: &str, text: &str, f: fn(&mut Source, &mut Extracted)) -> Vec<(String, u32, u32)> {
        let out = super::super::extract_for_test(path, text, Syntax::Hash, f);
        out.pending
            .iter()
            .filter(|p| matches!(p.want, Want::TestDependency(_)))
            .map(|p| (p.evidence.to_string(), p.at.line, p.at.column))
            .collect()
    }

    #[test]
    fn gemfile_groups() {
        let g = "source 'https://rubygems.org'\ngem 'rails'\ngem 'webmock'\ngroup :development, :test do\n  gem 'rspec-rails'\n  if ENV['CI']\n    gem 'simplecov'\n  end\n  gem 'factory_bot_rails'\nend\ngroup :production do\n  gem 'capybara'\nend\ngem 'vcr', group: :test\ngem 'timecop', :group => [:development, :test]\ngroup :test, :staging, :review do\n  gem 'capybara'\nend\ngem 'mock_redis', groups: [:default, :test]\nplatforms :jruby do\n  gem 'shoulda-matchers'\nend\n";
        assert_eq!(
            deps("Gemfile", g, gemfile),
            vec![
                ("webmock".into(), 3, 6),
                ("capybara".into(), 12, 8),
                ("mock_redis".into(), 19, 6),
                ("shoulda-matchers".into(), 21, 8),
            ]
        );
    }

    #[test]
    fn gemspec_runtime_but_not_development_dependencies() {
        let g = "Gem::Specification.new do |spec|\n  spec.name = 'claims'\n  spec.add_dependency 'rails', '>= 7'\n  spec.add_runtime_dependency(%q<webmock>, ['>= 3'])\n  spec.add_development_dependency 'rspec'\n  s.add_dependency \"factory_bot\"\nend\n";
        assert_eq!(
            deps("claims.gemspec", g, gemspec),
            vec![("webmock".into(), 4, 34), ("factory_bot".into(), 6, 21)]
        );
        assert!(deps("rspec-rails.gemspec", g, gemspec).is_empty());
    }
}
