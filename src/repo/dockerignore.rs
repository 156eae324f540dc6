//! `.dockerignore` with Docker's own semantics (moby's `patternmatcher` and `ignorefile`, which BuildKit
//! uses), not gitignore's. The differences matter for a gate:
//!
//! - patterns are relative to the build context's root: `spec` excludes `spec/…` but not `app/spec/…`
//!   (gitignore would exclude both), and `*.md` only the top level's;
//! - a pattern that matches a directory excludes everything below it (`MatchesOrParentMatches`);
//! - `**` matches any number of directories, including none (`**/fixtures`, `spec/**`);
//! - `!` exceptions re-include, and the last matching pattern wins, in file order;
//! - lines are trimmed, `#` starts a comment only at the start of a line, a leading `/` is dropped, paths
//!   are cleaned (`./a//b/` is `a/b`), and a UTF-8 BOM is ignored.
//!
//! A pattern Docker would reject (an unclosed `[`) makes the build fail; here such a file excludes nothing
//! (the gate judges what would ship if the pattern were fixed, and says the pattern is invalid).

use regex::Regex;

/// Patterns kept at most: a hostile file of a million lines must not cost a million regexes per path.
pub const MAX_PATTERNS: usize = 4096;

#[derive(Debug, Clone)]
enum Matcher {
    Exact(String),
    /// `foo/**`: everything that starts with `foo/`.
    Prefix(String),
    /// `**/foo`: anything that ends with `/foo`, or is `foo`.
    Suffix(String),
    Regex(Regex),
}

#[derive(Debug, Clone)]
struct Pattern {
    matcher: Matcher,
    exclusion: bool,
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact(p) => path == p,
            Matcher::Prefix(p) => path.starts_with(p.as_str()),
            Matcher::Suffix(s) => {
                path.ends_with(s.as_str()) || s.strip_prefix('/').is_some_and(|bare| path == bare)
            }
            Matcher::Regex(r) => r.is_match(path),
        }
    }
}

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    /// The patterns as Docker reads them (cleaned, `!` kept), for messages.
    lines: Vec<String>,
    /// Why the file could not be used as written (an invalid pattern, too many patterns), if so.
    pub problem: Option<String>,
}

impl DockerIgnore {
    /// Read a `.dockerignore`'s bytes as Docker's `ignorefile.ReadAll` does.
    pub fn parse(bytes: &[u8]) -> DockerIgnore {
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
        let mut lines = Vec::new();
        for raw in text.lines() {
            if raw.starts_with('#') {
                continue;
            }
            let mut p = raw.trim();
            if p.is_empty() {
                continue;
            }
            let invert = p.starts_with('!');
            if invert {
                p = p[1..].trim();
            }
            let mut cleaned = String::new();
            if !p.is_empty() {
                cleaned = clean(p);
                if cleaned.len() > 1 && cleaned.starts_with('/') {
                    cleaned.remove(0);
                }
            }
            lines.push(if invert {
                format!("!{cleaned}")
            } else {
                cleaned
            });
        }
        Self::from_lines(lines)
    }

    /// Patterns already read (cleaned; `!` for exceptions), as `patternmatcher.New` takes them.
    pub fn from_lines(lines: Vec<String>) -> DockerIgnore {
        let mut out = DockerIgnore::default();
        if lines.len() > MAX_PATTERNS {
            out.problem = Some(format!(
                "it has more than {MAX_PATTERNS} patterns, so none of them was applied"
            ));
            out.lines = lines;
            return out;
        }
        for line in &lines {
            let (exclusion, p) = match line.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, line.as_str()),
            };
            if p.is_empty() {
                out.problem =
                    Some("it has an empty `!` exception (Docker refuses the file)".into());
                continue;
            }
            match compile(&clean(p)) {
                Some(matcher) => out.patterns.push(Pattern { matcher, exclusion }),
                None => {
                    out.problem = Some(format!(
                        "its pattern `{}` is invalid (Docker refuses the file)",
                        crate::repo::text::evidence(line.as_bytes(), 80)
                    ));
                }
            }
        }
        if out.problem.is_some() {
            // Docker would refuse to build; nothing is assumed excluded.
            out.patterns.clear();
        }
        out.lines = lines;
        out
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Is `path` (relative to the build context, `/`-separated) left out of the context? The last
    /// pattern that matches the path or one of its parent directories decides.
    pub fn excludes(&self, path: &str) -> bool {
        let path = path.trim_matches('/');
        if self.patterns.is_empty() || path.is_empty() || path == "." {
            return false;
        }
        let mut matched = false;
        for pattern in &self.patterns {
            // As moby: an inclusion only matters while not yet excluded, an exception only once excluded.
            if pattern.exclusion != matched {
                continue;
            }
            if pattern.matches(path) || parents(path).any(|d| pattern.matches(d)) {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// A matcher for many paths of one context: caches, per directory, which patterns match it or one of
    /// its parents, so each path costs one match per pattern.
    pub fn matcher(&self) -> CachedMatcher<'_> {
        CachedMatcher {
            ignore: self,
            dirs: std::collections::HashMap::new(),
        }
    }
}

/// See [`DockerIgnore::matcher`].
pub struct CachedMatcher<'a> {
    ignore: &'a DockerIgnore,
    dirs: std::collections::HashMap<String, Vec<bool>>,
}

impl CachedMatcher<'_> {
    pub fn excludes(&mut self, path: &str) -> bool {
        let path = path.trim_matches('/');
        let patterns = &self.ignore.patterns;
        if patterns.is_empty() || path.is_empty() {
            return false;
        }
        let parent_hits = match path.rfind('/') {
            Some(i) => self.dir_hits(&path[..i]).clone(),
            None => vec![false; patterns.len()],
        };
        let mut matched = false;
        for (pattern, parent_hit) in patterns.iter().zip(parent_hits) {
            if pattern.exclusion != matched {
                continue;
            }
            if parent_hit || pattern.matches(path) {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// For each pattern: does it match `dir` or one of its parents?
    fn dir_hits(&mut self, dir: &str) -> &Vec<bool> {
        if !self.dirs.contains_key(dir) {
            let mut hits = match dir.rfind('/') {
                Some(i) => self.dir_hits(&dir[..i]).clone(),
                None => vec![false; self.ignore.patterns.len()],
            };
            for (hit, pattern) in hits.iter_mut().zip(&self.ignore.patterns) {
                *hit = *hit || pattern.matches(dir);
            }
            self.dirs.insert(dir.to_string(), hits);
        }
        &self.dirs[dir]
    }
}

/// `a/b/c` → `a`, `a/b`.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// Go's `filepath.Clean` for `/`-separated paths.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// moby's `Pattern.compile`: exact, prefix (`a/**`), suffix (`**/a`) or a regular expression where `*` and
/// `?` stop at `/` and `**` crosses any number of directories. None when the pattern is invalid.
fn compile(pattern: &str) -> Option<Matcher> {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut re = String::from("^");
    let mut kind = Kind::Exact;
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut first = true;
    let mut depth = 0i32;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if first {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Kind::Regex;
            }
            '\\' => {
                if let Some(&next) = chars.get(i) {
                    i += 1;
                    re.push_str(&regex::escape(&next.to_string()));
                    kind = Kind::Regex;
                } else {
                    re.push_str("\\\\");
                }
            }
            '[' => {
                depth += 1;
                re.push('[');
                kind = Kind::Regex;
                // `[!a]` is not negation in Go's filepath.Match (`[^a]` is); keep Go's reading.
            }
            ']' => {
                depth -= 1;
                re.push(']');
                kind = Kind::Regex;
            }
            c if depth > 0 => re.push(c),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        first = false;
    }
    if depth != 0 {
        return None;
    }
    Some(match kind {
        Kind::Exact => Matcher::Exact(pattern.to_string()),
        Kind::Prefix => Matcher::Prefix(pattern[..pattern.len() - 2].to_string()),
        Kind::Suffix => Matcher::Suffix(pattern[2..].to_string()),
        Kind::Regex => {
            re.push('$');
            Matcher::Regex(
                regex::RegexBuilder::new(&re)
                    .size_limit(1 << 20)
                    .build()
                    .ok()?,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignores(file: &str, path: &str) -> bool {
        let d = DockerIgnore::parse(file.as_bytes());
        let cached = d.matcher().excludes(path);
        assert_eq!(d.excludes(path), cached, "{file:?} {path}");
        cached
    }

    #[test]
    fn patterns_are_relative_to_the_context_root_unlike_gitignore() {
        assert!(ignores("spec\n", "spec/models/user_spec.rb"));
        assert!(!ignores("spec\n", "app/spec/user_spec.rb"));
        assert!(ignores("*.md\n", "README.md"));
        assert!(!ignores("*.md\n", "docs/README.md"));
        assert!(ignores("/spec/\n", "spec/a.rb"));
        assert!(ignores("./spec//\n", "spec/a.rb"));
        assert!(ignores("  spec  \n", "spec/a.rb"));
        // `#` starts a comment only at the very start of the line.
        assert!(!ignores("# spec\n", "spec/a.rb"));
        assert!(ignores(" #spec\n", "#spec/a.rb"));
        assert!(ignores("\u{feff}spec\n", "spec/a.rb"));
    }

    #[test]
    fn double_star_crosses_directories_and_exceptions_come_last() {
        assert!(ignores("**/__tests__\n", "src/a/__tests__/x.test.js"));
        assert!(ignores("**/__tests__\n", "__tests__/x.test.js"));
        assert!(ignores("spec/**\n", "spec/a/b.rb"));
        assert!(ignores("**/*.test.js\n", "src/x.test.js"));
        assert!(ignores("src/**/fixtures\n", "src/fixtures/a.json"));
        assert!(ignores("src/**/fixtures\n", "src/a/b/fixtures/a.json"));
        assert!(!ignores("src/*/fixtures\n", "src/a/b/fixtures/a.json"));
        assert!(ignores("*\n!app\n", "test/a.rb"));
        assert!(!ignores("*\n!app\n", "app/models/user.rb"));
        assert!(ignores("*\n!app\napp/spec\n", "app/spec/a.rb"));
        // Order: a later exclusion wins over an earlier exception.
        assert!(ignores("!test\ntest\n", "test/a.rb"));
        assert!(!ignores("test\n!test/keep.rb\n", "test/keep.rb"));
        assert!(ignores("test\n!test/keep.rb\n", "test/other.rb"));
        assert!(ignores("te?t\n", "test/a.rb"));
        assert!(ignores("[st]pec\n", "spec/a.rb"));
    }

    #[test]
    fn an_invalid_file_excludes_nothing_and_says_why() {
        let d = DockerIgnore::parse(b"spec\n[abc\n");
        assert!(!d.excludes("spec/a.rb"));
        assert!(d.problem.as_deref().unwrap_or("").contains("`[abc`"));
        let many = "x\n".repeat(MAX_PATTERNS + 1) + "spec\n";
        let d = DockerIgnore::parse(many.as_bytes());
        assert!(!d.excludes("spec/a.rb") && d.problem.is_some());
        // Regex metacharacters are literal.
        assert!(ignores("a.b+(c)\n", "a.b+(c)/x"));
        assert!(!ignores("a.b\n", "axb"));
    }

    #[test]
    fn go_clean() {
        assert_eq!(clean("./a//b/../c/"), "a/c");
        assert_eq!(clean("/a/.."), "/");
        assert_eq!(clean("../a"), "../a");
        assert_eq!(clean(""), ".");
    }
}
