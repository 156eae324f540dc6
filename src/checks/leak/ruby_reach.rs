//! Ruby: which classes only non-production code reaches.
//!
//! Rails services pick a seeder by environment in `db/seeds.rb`:
//! `seeder = if Rails.env.development? … Seeders::Development.new elsif Rails.env.review_app? … else
//! Seeders::Null.new end`. The development and review seeders, and the base class only they derive from,
//! run only where the guard says; a fixture file they read is dev seeding, not test data loaded into the
//! live service. The repository says so itself, in the blocks around each use of the class.
//!
//! During the walk each production Ruby file states the classes and modules it defines and the constants
//! it uses, each use with the class it sits in and whether a block named for another environment
//! encloses it ([`LineScopes`], one pass). After the walk a class is *reached only outside production* when it
//! is used at all, and every use is either guarded or inside a class that is itself reached only outside
//! production (the least fixed point: a class nobody is seen using stays production, and so does one used
//! only from a cycle). Test files are not read, so their uses never count either way.

use crate::repo::scopes::{LineScopes, Scope};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

/// A class or module, by its qualified name (`Seeders::Base`), with its body's byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Definition {
    pub name: Box<str>,
    pub body: Range<usize>,
}

/// One use of a constant, as written, with the lexical nesting that resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ConstUse {
    /// As written, without a leading `::` (`Base`, `Seeders::Development`).
    pub written: Box<str>,
    /// The enclosing class and module names, qualified, innermost last (`["Seeders", "Seeders::Review"]`);
    /// shared by every use under the same blocks.
    pub nesting: Arc<[Box<str>]>,
    /// Inside a block named for another environment (`if Rails.env.development?`).
    pub guarded: bool,
}

impl ConstUse {
    /// The innermost class or module the use sits in (its header line included: `class Review < Base`).
    pub fn inside(&self) -> Option<&str> {
        self.nesting.last().map(|n| &**n)
    }
}

/// What one file says: its definitions and its distinct uses.
#[derive(Debug, Default, Clone)]
pub(crate) struct FileConstants {
    pub definitions: Vec<Definition>,
    pub uses: Vec<ConstUse>,
}

/// Read the definitions and uses of one Ruby file. Indentation gives the nesting, as Ruby style has it;
/// a file indented otherwise yields fewer or wider bodies, which only keeps more findings.
/// `regions`: the file's regions that only run outside production (`scopes::non_production_regions`):
/// a use inside one is guarded.
pub(crate) fn extract(text: &[u8], regions: &[std::ops::Range<usize>]) -> FileConstants {
    let mut out = FileConstants::default();
    // Distinct uses, keyed by the nesting's allocation rather than its names (hashing every enclosing
    // name for every constant was a hot spot on Rails): a nesting rebuilt with the same names only
    // repeats a use, which the judgement does not count. An address in `seen` cannot be reused by a later
    // nesting: the use pushed with it holds that allocation alive.
    let mut seen: HashSet<(Box<str>, usize, bool)> = HashSet::new();
    // Open blocks: (indent, qualified name, body start).
    let mut open: Vec<(usize, Box<str>, usize)> = Vec::new();
    // The open blocks' names, rebuilt only when a block opens or closes.
    let mut nesting: Arc<[Box<str>]> = Arc::new([]);
    let mut line_scopes = LineScopes::default();
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end =
            memchr::memchr(b'\n', &text[line_start..]).map_or(text.len(), |i| line_start + i);
        let line = &text[line_start..line_end];
        let indent = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let code = &line[indent..];
        if code.is_empty() || code[0] == b'#' {
            line_start = line_end + 1;
            continue;
        }
        let scope = line_scopes.next(line);
        let depth = open.len();
        while open
            .last()
            .is_some_and(|(open_indent, _, _)| indent <= *open_indent)
        {
            let Some((open_indent, name, start)) = open.pop() else {
                break;
            };
            let closes_here = indent == open_indent && starts_with_word(code, b"end");
            let end = if closes_here { line_end } else { line_start };
            out.definitions.push(Definition {
                name,
                body: start..end,
            });
            if closes_here {
                break;
            }
        }
        let header = header_name(code).map(|(kw_len, name)| {
            let qualified: Box<str> = match open.last() {
                Some((_, parent, _)) if !name.starts_with("::") => {
                    format!("{parent}::{name}").into()
                }
                _ => name.trim_start_matches("::").into(),
            };
            (kw_len, qualified)
        });
        if let Some((_, qualified)) = &header {
            open.push((indent, qualified.clone(), line_start));
        }
        if header.is_some() || open.len() != depth {
            nesting = open.iter().map(|(_, n, _)| n.clone()).collect();
        }
        let skip_own_name = header.as_ref().map_or(0, |(kw_len, _)| indent + kw_len);
        let guarded =
            scope == Scope::NonProduction || crate::repo::scopes::in_regions(regions, line_start);
        for token in constants(line, skip_own_name) {
            let written: Box<str> = String::from_utf8_lossy(&line[token])
                .trim_start_matches("::")
                .into();
            let key = (
                written,
                Arc::as_ptr(&nesting).cast::<u8>() as usize,
                guarded,
            );
            if seen.contains(&key) {
                continue;
            }
            out.uses.push(ConstUse {
                written: key.0.clone(),
                nesting: Arc::clone(&nesting),
                guarded,
            });
            seen.insert(key);
        }
        line_start = line_end + 1;
    }
    while let Some((_, name, start)) = open.pop() {
        out.definitions.push(Definition {
            name,
            body: start..text.len(),
        });
    }
    out
}

fn starts_with_word(code: &[u8], word: &[u8]) -> bool {
    code.starts_with(word) && code.get(word.len()).is_none_or(|b| !is_ident(*b))
}

/// `class Name`, `class Name < Base`, `module A::B`: the keyword's length with its space, and the name.
/// `class << self` opens no constant.
fn header_name(code: &[u8]) -> Option<(usize, String)> {
    let kw = [&b"class "[..], b"module "]
        .into_iter()
        .find(|kw| code.starts_with(kw))?;
    let rest = &code[kw.len()..];
    let rest_start = rest.iter().take_while(|b| **b == b' ').count();
    let name = constant_at(rest, rest_start)?;
    Some((
        kw.len() + name.end,
        String::from_utf8_lossy(&rest[name]).into_owned(),
    ))
}

/// Every constant path in `line` (`Seeders::Base`, `::Foo`) from byte `from` on, outside string literals
/// and trailing comments.
fn constants(line: &[u8], from: usize) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' | b'\'' => quote = Some(b),
            b'#' => break,
            _ if i >= from && (i == 0 || !is_ident(line[i - 1]) && line[i - 1] != b':') => {
                if let Some(c) = constant_at(line, i) {
                    i = c.end;
                    found.push(c);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// A constant path starting at `at`: `[::]Upper\w*(::Upper\w*)*`.
fn constant_at(line: &[u8], at: usize) -> Option<Range<usize>> {
    let mut i = at;
    if line[i..].starts_with(b"::") {
        i += 2;
    }
    let mut end = None;
    loop {
        if !line.get(i).is_some_and(u8::is_ascii_uppercase) {
            break;
        }
        i += line[i..].iter().take_while(|b| is_ident(**b)).count();
        end = Some(i);
        if line[i..].starts_with(b"::") && line.get(i + 2).is_some_and(u8::is_ascii_uppercase) {
            i += 2;
        } else {
            break;
        }
    }
    end.map(|e| at..e)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where a class is used: (guarded, the class the use sits in).
type UseSite = (bool, Option<Box<str>>);

/// All files' definitions and uses, judged once: the classes reached only outside production.
#[derive(Debug, Default)]
pub(crate) struct Reach {
    /// File → its definitions.
    definitions: HashMap<String, Vec<Definition>>,
    outside_production: HashSet<Box<str>>,
}

impl Reach {
    pub fn new(files: Vec<(String, FileConstants)>) -> Reach {
        let defined: HashSet<Box<str>> = files
            .iter()
            .flat_map(|(_, f)| f.definitions.iter().map(|d| d.name.clone()))
            .collect();
        // Each defined class's uses: (guarded, the class the use sits in).
        let mut uses: HashMap<Box<str>, Vec<UseSite>> = HashMap::new();
        for (_, file) in &files {
            for u in &file.uses {
                if let Some(target) = resolve(&defined, u) {
                    if u.inside() != Some(&*target) {
                        uses.entry(target)
                            .or_default()
                            .push((u.guarded, u.inside().map(Into::into)));
                    }
                }
            }
        }
        let mut outside_production: HashSet<Box<str>> = HashSet::new();
        loop {
            let before = outside_production.len();
            for (class, class_uses) in &uses {
                let all_outside = class_uses.iter().all(|(guarded, inside)| {
                    *guarded
                        || inside
                            .as_ref()
                            .is_some_and(|c| outside_production.contains(c))
                });
                if all_outside {
                    outside_production.insert(class.clone());
                }
            }
            if outside_production.len() == before {
                break;
            }
        }
        let definitions = files
            .into_iter()
            .map(|(path, f)| (path, f.definitions))
            .collect();
        Reach {
            definitions,
            outside_production,
        }
    }

    /// Is byte `at` of `file` inside a class that only non-production code reaches? The innermost class
    /// around it decides.
    pub fn only_outside_production(&self, file: &str, at: usize) -> bool {
        let Some(defs) = self.definitions.get(file) else {
            return false;
        };
        defs.iter()
            .filter(|d| d.body.contains(&at))
            .min_by_key(|d| d.body.len())
            .is_some_and(|d| self.outside_production.contains(&d.name))
    }
}

/// Ruby's lexical lookup, as far as names go: `Base` inside `module Seeders` is `Seeders::Base` if that is
/// defined, else a top-level `Base`.
fn resolve(defined: &HashSet<Box<str>>, u: &ConstUse) -> Option<Box<str>> {
    u.nesting
        .iter()
        .rev()
        .map(|n| format!("{n}::{}", u.written))
        .chain(std::iter::once(u.written.to_string()))
        .find(|c| defined.contains(c.as_str()))
        .map(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEEDS: &str = "require_relative \"seeders/base\"\n\nseeder = if Rails.env.development?\n  Seeders::Development.new\nelsif Rails.env.review_app?\n  Seeders::Review.new\nelse\n  Seeders::Null.new\nend\n\nseeder.call\n";
    const BASE: &str = "module Seeders\n  class Base\n    def call\n      File.read(Rails.root.join(\"spec/fixtures/x.csv\"))\n    end\n  end\nend\n";

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).unwrap_or(usize::MAX)
    }

    fn reach(files: &[(&str, &str)]) -> Reach {
        Reach::new(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), extract(t.as_bytes(), &[])))
                .collect(),
        )
    }

    #[test]
    fn definitions_nest_by_indentation() {
        let f = extract(BASE.as_bytes(), &[]);
        let names: Vec<(&str, usize, usize)> = f
            .definitions
            .iter()
            .map(|d| (&*d.name, d.body.start, d.body.end))
            .collect();
        assert_eq!(
            names,
            [
                ("Seeders::Base", 15, BASE.len() - 5),
                ("Seeders", 0, BASE.len() - 1)
            ]
        );
    }

    #[test]
    fn a_base_class_only_environment_guarded_seeders_derive_from_is_outside_production() {
        let dev = "module Seeders\n  class Development < Base\n  end\nend\n";
        let review = "module Seeders\n  class Review < Base\n  end\nend\n";
        let null = "module Seeders\n  class Null\n    def call; end\n  end\nend\n";
        let r = reach(&[
            ("db/seeds.rb", SEEDS),
            ("db/seeders/base.rb", BASE),
            ("db/seeders/development.rb", dev),
            ("db/seeders/review.rb", review),
            ("db/seeders/null.rb", null),
        ]);
        let read_at = at(BASE, "File.read");
        assert!(r.only_outside_production("db/seeders/base.rb", read_at));
        // The null seeder runs in production.
        assert!(!r.only_outside_production("db/seeders/null.rb", 20));
    }

    #[test]
    fn one_production_use_keeps_the_class_in_production() {
        // The null seeder derives from Base too: production runs Base's code.
        let null = "module Seeders\n  class Null < Base\n  end\nend\n";
        let dev = "module Seeders\n  class Development < Base\n  end\nend\n";
        let r = reach(&[
            ("db/seeds.rb", SEEDS),
            ("db/seeders/base.rb", BASE),
            ("db/seeders/development.rb", dev),
            ("db/seeders/null.rb", null),
        ]);
        assert!(!r.only_outside_production("db/seeders/base.rb", at(BASE, "File")));
        // An admin controller calling the seeder directly, unguarded.
        let admin = "class AdminController < ApplicationController\n  def reseed\n    Seeders::Base.new.call\n  end\nend\n";
        let r = reach(&[
            ("db/seeds.rb", SEEDS),
            ("db/seeders/base.rb", BASE),
            ("app/controllers/admin_controller.rb", admin),
        ]);
        assert!(!r.only_outside_production("db/seeders/base.rb", at(BASE, "File")));
    }

    #[test]
    fn a_class_nobody_uses_stays_production() {
        let r = reach(&[("db/seeders/base.rb", BASE)]);
        assert!(!r.only_outside_production("db/seeders/base.rb", at(BASE, "File")));
    }

    #[test]
    fn constants_in_strings_and_comments_are_not_uses() {
        let f = extract(
            b"x = \"Seeders::Base\" # Seeders::Other\ny = Real::Thing.new\n",
            &[],
        );
        let written: Vec<&str> = f.uses.iter().map(|u| &*u.written).collect();
        assert_eq!(written, ["Real::Thing"]);
    }
}
