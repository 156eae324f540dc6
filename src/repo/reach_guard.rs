//! The condition a line runs under, and what it reads: production reaches a route, a stand-in or a
//! login bypass only when its guard lets it, so severity follows the guard and the finding names it —
//! the flag (`ENABLE_TEST_SUPPORT`, `settings.USE_STUBS`), and what it is when nothing sets it.
//!
//! Read like `scopes`: from indentation (the nearest enclosing `if`/`unless`/`elif`/`when` header, or
//! the `else` of one), and from the line itself (a ternary, Python's `a if c else b`, Ruby's trailing
//! `if`/`unless`, `c && a`). No parser; only asked about the few lines that hold a finding.

use std::fmt;

/// A condition that decides whether a line runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The condition as written (one line, at most 120 characters).
    pub condition: String,
    /// 1-based line of the condition.
    pub line: u32,
    /// What the condition reads.
    pub reads: Reads,
    /// Is the line in the branch where the condition is false (`else`, `unless`, `: b`)?
    pub negated: bool,
}

/// What a guard's condition reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reads {
    /// An environment variable (`process.env.E2E`, `os.environ.get("E2E")`, `ENV["E2E"]`).
    Env { name: String, default: Default },
    /// The environment's name (`Rails.env.test?`, `NODE_ENV === 'test'`, `settings.DEBUG`): runs in
    /// `production` only when the condition says so.
    Environment { production: bool },
    /// A setting or feature flag (`settings.USE_STUBS`, `app.config["TESTING"]`, `FeatureFlag.active?`).
    Setting { name: String },
    /// Something else (a request value, a variable).
    Other,
}

/// What a flag is when nothing sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// Unset, the guarded code does not run.
    Off,
    /// Unset, it runs: production must set the flag to turn it off.
    On,
    Unknown,
}

impl Guard {
    /// Does the guarded code run when nothing is configured (the flag unset, the environment's name not
    /// `production`)? None when that cannot be known from here (a setting defined elsewhere).
    pub fn on_by_default(&self) -> Option<bool> {
        let on = match &self.reads {
            Reads::Env { default, .. } => match default {
                Default::Off => false,
                Default::On => true,
                Default::Unknown => return None,
            },
            Reads::Environment { production } => !production,
            Reads::Setting { .. } | Reads::Other => return None,
        };
        Some(on != self.negated)
    }

    /// Does the guard only let the code run outside production (`if Rails.env.test?`,
    /// `unless production`)? Then production never reaches it by its environment's name.
    pub fn outside_production(&self) -> bool {
        matches!(self.reads, Reads::Environment { production } if production == self.negated)
    }

    /// Does the condition read configuration (an environment variable, a setting, the environment's
    /// name) rather than something decided at run time (a command's option, a request's field)?
    pub fn reads_configuration(&self) -> bool {
        !matches!(self.reads, Reads::Other)
    }

    /// The flag's name, or the condition as written.
    pub fn flag(&self) -> &str {
        match &self.reads {
            Reads::Env { name, .. } | Reads::Setting { name } => name,
            _ => &self.condition,
        }
    }
}

impl fmt::Display for Guard {
    /// `behind \`process.env.E2E === 'true'\` (line 4; E2E, off unless set)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let branch = if self.negated { "when not " } else { "behind " };
        write!(f, "{branch}`{}` (line {}", self.condition, self.line)?;
        match (&self.reads, self.on_by_default()) {
            (Reads::Env { name, .. }, Some(false)) => write!(f, "; `{name}`, off unless set)"),
            (Reads::Env { name, .. }, Some(true)) => {
                write!(f, "; `{name}`, ON unless production sets it otherwise)")
            }
            (Reads::Env { name, .. }, None) => write!(f, "; `{name}`, default not known)"),
            (Reads::Environment { .. }, Some(true)) => {
                write!(f, "; runs in every environment not named production)")
            }
            (Reads::Environment { .. }, _) => write!(f, "; by the environment's name)"),
            (Reads::Setting { name }, _) => {
                write!(f, "; the setting `{name}`, whose value is set elsewhere)")
            }
            (Reads::Other, _) => write!(f, ")"),
        }
    }
}

/// The innermost condition the line holding byte `at` runs under, if any: a one-line form around the
/// hit first, then the enclosing headers.
pub fn guard_at(content: &[u8], at: usize) -> Option<Guard> {
    let at = at.min(content.len());
    let start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let line_no = 1 + memchr::memchr_iter(b'\n', &content[..start]).count() as u32;
    let g = on_line(content, start, at, line_no).or_else(|| enclosing(content, start, line_no))?;
    Some(configured(content, g))
}

/// A condition on a name the file takes from its configuration module (`const { useMockDb } =
/// require('../lib/config')`, `from app.config import USE_STUBS`) reads a setting, like
/// `settings.USE_STUBS` does: its value is set where the configuration is.
fn configured(content: &[u8], mut g: Guard) -> Guard {
    if g.reads != Reads::Other {
        return g;
    }
    let cond = g.condition.trim_start_matches(['!', '(', ' ']);
    let cond = cond.strip_prefix("not ").unwrap_or(cond);
    let name: String = cond
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$'))
        .collect();
    if !name.is_empty() && bound_from_configuration(content, &name) {
        g.reads = Reads::Setting { name };
    }
    g
}

/// Module names that hold a program's configuration (`../lib/config`, `app.settings`, `./conf`).
fn is_configuration_module(spec: &str) -> bool {
    let parts: Vec<&str> = spec
        .split(['/', '.'])
        .filter(|p| !p.is_empty() && !matches!(*p, "js" | "ts" | "cjs" | "mjs" | "json"))
        .collect();
    let last = match parts.as_slice() {
        [.., dir, "index"] => dir,
        [.., last] => last,
        [] => return false,
    };
    matches!(
        last.to_ascii_lowercase().as_str(),
        "config"
            | "configuration"
            | "settings"
            | "conf"
            | "app-config"
            | "app_config"
            | "appconfig"
    )
}

/// Does a statement of the file bind `name` from a configuration module: JavaScript's `const { … name
/// … } = require('…config')` / `import { name } from '…config'` (the binding may span lines), or
/// Python's `from app.config import name`?
fn bound_from_configuration(content: &[u8], name: &str) -> bool {
    let text = String::from_utf8_lossy(content);
    let is_word = |hay: &str| {
        hay.match_indices(name).any(|(i, _)| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + name.len()..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        })
    };
    let quoted = |rest: &str| -> Option<String> {
        let rest = rest.trim_start().trim_start_matches('(').trim_start();
        let q = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))?;
        rest[1..].split(q).next().map(str::to_string)
    };
    for (at, _) in text
        .match_indices("require(")
        .chain(text.match_indices(" from "))
    {
        let keyword_len = if text[at..].starts_with("require(") {
            8
        } else {
            6
        };
        let Some(spec) = quoted(&text[at + keyword_len..]) else {
            continue;
        };
        if !is_configuration_module(&spec) {
            continue;
        }
        // The statement, back to the line that starts it (at most 20 lines up).
        let before = &text[..at];
        let line_starts = before
            .rmatch_indices('\n')
            .map(|(i, _)| i + 1)
            .chain(std::iter::once(0))
            .take(21);
        let start = line_starts
            .take_while(|&i| !text[i..].trim_start().starts_with(';'))
            .find(|&i| {
                ["const ", "let ", "var ", "import "]
                    .iter()
                    .any(|k| text[i..].trim_start().starts_with(k))
            });
        if start.is_some_and(|start| is_word(&text[start..at])) {
            return true;
        }
    }
    // Python: `from app.config import A, B` (parenthesised across lines).
    for (at, _) in text.match_indices("from ") {
        if at > 0 && !text[..at].ends_with('\n') {
            continue;
        }
        let rest = &text[at + 5..];
        let Some((module, names)) = rest.split_once(" import ") else {
            continue;
        };
        if module.contains('\n') || !is_configuration_module(module.trim()) {
            continue;
        }
        let names = if names.trim_start().starts_with('(') {
            names.split(')').next().unwrap_or("")
        } else {
            names.split('\n').next().unwrap_or("")
        };
        if is_word(names) {
            return true;
        }
    }
    false
}

/// A statement at the margin that stops the rest of the file from running under a condition:
/// `return if Rails.env.production?`, `exit unless ENV["SEED"]`, Python's `if settings.ENV == "production":
/// sys.exit()`, `if (process.env.NODE_ENV === 'production') return;` — one line, or a block whose body only
/// exits (and says so on its way out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlyExit {
    /// The condition the rest of the file runs under: the exit's, negated for `if` (the rest runs when
    /// it does not hold), as written for `unless`.
    pub guard: Guard,
    /// Byte where the rest begins: the line after the exit (after the block's `end` or `}`).
    pub rest: usize,
}

/// The file's early exits at the margin, first to last. A `return` inside a method or a block is indented
/// and ends only that method or block, so only unindented statements count; a block with an `else` is a
/// branch, not an exit.
pub fn early_exits(content: &[u8]) -> Vec<EarlyExit> {
    let words: [&[u8]; 6] = [b"return", b"exit", b"abort", b"raise", b"throw", b"quit"];
    if !words
        .iter()
        .any(|w| memchr::memmem::find(content, w).is_some())
    {
        return Vec::new();
    }
    let lines = lines_of(content);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, end) = lines[i];
        let line = &content[start..end];
        i += 1;
        if line.first().is_none_or(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let text = line.trim_ascii_end();
        let text = text.strip_suffix(b";").unwrap_or(text).trim_ascii_end();
        let line_no = i as u32;
        let rest_of = |k: usize| lines.get(k).map_or(content.len(), |(s, _)| *s);
        // `return if cond`, `exit unless cond`.
        if let Some((stmt, cond, negated)) = trailing_modifier(text) {
            if is_exit(stmt) {
                out.push(EarlyExit {
                    guard: guard(cond, line_no, negated),
                    rest: rest_of(i),
                });
            }
            continue;
        }
        let Some((cond, negated, after)) = condition_at_margin(text) else {
            continue;
        };
        let after = after.trim_ascii();
        let inline = after
            .strip_prefix(b"{")
            .and_then(|a| a.strip_suffix(b"}"))
            .unwrap_or(after)
            .trim_ascii();
        let inline = inline.strip_suffix(b";").unwrap_or(inline).trim_ascii_end();
        // `if (cond) return;`, `if cond: sys.exit()`, `if (cond) { process.exit(0) }`.
        if !inline.is_empty() && inline != b"{" && inline != b"then" {
            if is_exit(inline) {
                out.push(EarlyExit {
                    guard: guard(cond, line_no, !negated),
                    rest: rest_of(i),
                });
            }
            continue;
        }
        // A block: its body until the margin, which must close it (`end`, `}`) or, in Python, simply
        // follow it; the body only exits.
        let mut exits = false;
        let mut only_exits = true;
        let mut j = i;
        let mut rest = None;
        while j < lines.len() {
            let (s, e) = lines[j];
            let body = &content[s..e];
            j += 1;
            let t = body.trim_ascii();
            if t.is_empty() || is_comment(t) {
                continue;
            }
            if !body[0].is_ascii_whitespace() {
                let closes = matches!(t, b"end" | b"}" | b"};" | b"fi");
                let python = text.ends_with(b":");
                rest = if closes {
                    Some(rest_of(j))
                } else if python && !t.starts_with(b"else") && !t.starts_with(b"elif") {
                    Some(s)
                } else {
                    None
                };
                break;
            }
            let t = t.strip_suffix(b";").unwrap_or(t).trim_ascii_end();
            if is_exit(t) {
                exits = true;
            } else if !is_message(t) {
                only_exits = false;
            }
        }
        if let (Some(rest), true, true) = (rest, exits, only_exits) {
            out.push(EarlyExit {
                guard: guard(cond, line_no, !negated),
                rest,
            });
        }
        i = i.max(j.saturating_sub(1));
    }
    out
}

/// (start, end without the newline) of each line.
fn lines_of(content: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < content.len() {
        let end = memchr::memchr(b'\n', &content[pos..]).map_or(content.len(), |i| pos + i);
        let end_text = if end > pos && content[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        out.push((pos, end_text));
        pos = end + 1;
    }
    out
}

/// `stmt if cond` / `stmt unless cond` (Ruby's modifiers): the statement, the condition, and whether the
/// statement runs when the condition does not hold (`unless`)... as seen by what follows it: the rest
/// runs when the exit does not, so `if` gives a negated guard.
fn trailing_modifier(text: &[u8]) -> Option<(&[u8], &[u8], bool)> {
    for (kw, negated) in [(&b" if "[..], true), (b" unless ", false)] {
        if let Some(i) = memchr::memmem::find(text, kw) {
            let stmt = text[..i].trim_ascii();
            if stmt.starts_with(b"if") || stmt.starts_with(b"unless") {
                return None;
            }
            return Some((stmt, &text[i + kw.len()..], negated));
        }
    }
    None
}

/// A condition opening a line at the margin: `if cond:` / `if cond` / `unless cond` / `if (cond) …`,
/// with whether it is an `unless`, and what follows the condition on the line.
fn condition_at_margin(text: &[u8]) -> Option<(&[u8], bool, &[u8])> {
    let (rest, negated) = if let Some(r) = text.strip_prefix(b"unless ") {
        (r, true)
    } else if let Some(r) = text.strip_prefix(b"if") {
        (r, false)
    } else {
        return None;
    };
    let rest = rest.trim_ascii_start();
    if rest.first() == Some(&b'(') {
        // `if (cond) …`: the condition runs to the matching parenthesis.
        let mut depth = 0usize;
        for (k, b) in rest.iter().enumerate() {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        let after = &rest[k + 1..];
                        // Python's `if (cond):` keeps its colon.
                        let after = after.trim_ascii_start();
                        let after = after.strip_prefix(b":").unwrap_or(after);
                        return Some((&rest[..=k], negated, after));
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    if !text.starts_with(b"if ") && !negated {
        return None;
    }
    // Python `if cond: stmt` / `if cond:`; Ruby `if cond` / `if cond then`.
    if let Some(k) =
        memchr::memmem::find(rest, b": ").or_else(|| rest.ends_with(b":").then(|| rest.len() - 1))
    {
        return Some((&rest[..k], negated, &rest[k + 1..]));
    }
    let (cond, after) = match memchr::memmem::find(rest, b" then") {
        Some(k) => (&rest[..k], &rest[k + 5..]),
        None => (rest, &b""[..]),
    };
    Some((cond, negated, after))
}

/// A statement that ends the file's run: `return`, `exit`, `abort`, `raise …`, `throw …`, `sys.exit()`,
/// `process.exit(0)`, `quit()`.
fn is_exit(stmt: &[u8]) -> bool {
    let word = |w: &[u8]| {
        stmt == w
            || stmt
                .strip_prefix(w)
                .is_some_and(|r| r.starts_with(b" ") || r.starts_with(b"(") || r.starts_with(b";"))
    };
    [
        "return",
        "exit",
        "exit!",
        "abort",
        "raise",
        "throw",
        "quit",
        "sys.exit",
        "os._exit",
        "process.exit",
    ]
    .iter()
    .any(|w| word(w.as_bytes()))
}

/// A line that only says why it exits: `puts "…"`, `print(…)`, `console.log(…)`, `logger.info(…)`.
fn is_message(stmt: &[u8]) -> bool {
    [
        &b"puts"[..],
        b"print",
        b"warn",
        b"console.",
        b"logger.",
        b"logging.",
        b"Rails.logger.",
        b"$stderr.",
        b"STDERR.",
        b"echo",
    ]
    .iter()
    .any(|p| stmt.starts_with(p))
}

/// A ternary, a trailing modifier or `cond && hit` on the hit's own line.
fn on_line(content: &[u8], start: usize, at: usize, line_no: u32) -> Option<Guard> {
    let end = memchr::memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i);
    let (before, after) = (&content[start..at], &content[at..end]);
    // `cond ? hit : other` and `cond ? other : hit`.
    if let Some(q) = memchr::memmem::rfind(before, b" ? ") {
        let cond = assigned_value(&before[..q]);
        let negated = memchr::memmem::find(&before[q..], b" : ").is_some();
        return Some(guard(cond, line_no, negated));
    }
    // Python `hit if cond else other`, Ruby `hit if cond` / `hit unless cond`.
    for (kw, negated) in [(&b" if "[..], false), (b" unless ", true)] {
        if let Some(i) = memchr::memmem::find(after, kw) {
            let cond = &after[i + kw.len()..];
            let cond = match memchr::memmem::find(cond, b" else ") {
                Some(e) => &cond[..e],
                None => cond,
            };
            return Some(guard(cond, line_no, negated));
        }
    }
    // Python `other if cond else hit`.
    if let Some(e) = memchr::memmem::rfind(before, b" else ") {
        if let Some(i) = memchr::memmem::rfind(&before[..e], b" if ") {
            return Some(guard(&before[i + 4..e], line_no, true));
        }
    }
    // `cond && hit` (JSX, shell, JS short-circuit).
    if let Some(i) = memchr::memmem::rfind(before, b" && ") {
        return Some(guard(assigned_value(&before[..i]), line_no, false));
    }
    None
}

/// The right-hand side of `x = cond`, or the text itself.
fn assigned_value(text: &[u8]) -> &[u8] {
    let mut last = None;
    for (i, w) in text.windows(3).enumerate() {
        if w[1] == b'=' && w[0] == b' ' && w[2] == b' ' {
            last = Some(i + 3);
        }
    }
    let rest = last.map_or(text, |i| &text[i..]);
    let rest = rest.trim_ascii();
    rest.strip_prefix(b"return ").unwrap_or(rest)
}

/// The nearest enclosing header that is a condition (or the `else` of one).
fn enclosing(content: &[u8], line_start: usize, line_no: u32) -> Option<Guard> {
    let mut limit = indent(&content[line_start..]);
    let mut end = line_start;
    let mut no = line_no;
    while limit > 0 && end > 0 {
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let line = &content[start..end - 1];
        end = start;
        no -= 1;
        let width = indent(line);
        let text = line[width.min(line.len())..].trim_ascii_end();
        // A brace on its own line (C#'s and some JavaScript's style) opens the block of the header
        // above it, at the same indent.
        if text.is_empty() || is_comment(text) || width >= limit || text == b"{" {
            continue;
        }
        limit = width;
        if let Some(cond) = condition_of(text) {
            return Some(guard(cond, no, negates(text)));
        }
        if is_else(text) {
            // The `if` this `else` belongs to: the previous header at the same indent.
            return sibling_if(content, start, width, no).map(|mut g| {
                g.negated = true;
                g
            });
        }
    }
    None
}

fn sibling_if(content: &[u8], else_start: usize, width: usize, else_no: u32) -> Option<Guard> {
    let mut end = else_start;
    let mut no = else_no;
    while end > 0 {
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let line = &content[start..end - 1];
        end = start;
        no -= 1;
        let w = indent(line);
        let text = line[w.min(line.len())..].trim_ascii_end();
        if text.is_empty() || is_comment(text) || w > width {
            continue;
        }
        if w < width {
            return None;
        }
        if let Some(cond) = condition_of(text) {
            return Some(guard(cond, no, negates(text)));
        }
        if !text.starts_with(b"}") && !text.starts_with(b"elif") && !text.starts_with(b"elsif") {
            return None;
        }
    }
    None
}

/// The condition of a header line: `if x:`, `if (x) {`, `} else if (x) {`, `elif x:`, `unless x`,
/// `when x`; None for other lines.
fn condition_of(text: &[u8]) -> Option<&[u8]> {
    let t = text
        .strip_prefix(b"} ")
        .unwrap_or(text)
        .strip_prefix(b"else ")
        .unwrap_or(text.strip_prefix(b"} ").unwrap_or(text));
    for kw in [
        &b"if "[..],
        b"if(",
        b"elif ",
        b"elsif ",
        b"unless ",
        b"when ",
    ] {
        if let Some(rest) = t.strip_prefix(kw) {
            let rest = if kw == b"if(" { &t[2..] } else { rest };
            let rest = rest
                .strip_suffix(b"{")
                .or_else(|| rest.strip_suffix(b":"))
                .or_else(|| rest.strip_suffix(b" then"))
                .or_else(|| rest.strip_suffix(b" do"))
                .unwrap_or(rest)
                .trim_ascii();
            return Some(rest);
        }
    }
    None
}

fn negates(text: &[u8]) -> bool {
    text.starts_with(b"unless ")
}

fn is_else(text: &[u8]) -> bool {
    matches!(text, b"else" | b"else:" | b"} else {" | b"else {")
}

fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

fn is_comment(text: &[u8]) -> bool {
    text.starts_with(b"#") || text.starts_with(b"//") || text.starts_with(b"*")
}

/// A guard from a condition's text.
fn guard(cond: &[u8], line: u32, negated: bool) -> Guard {
    let cond = cond.trim_ascii();
    let cond = cond
        .strip_prefix(b"(")
        .and_then(|c| c.strip_suffix(b")"))
        .unwrap_or(cond)
        .trim_ascii();
    let shown: String = crate::repo::text::evidence(cond, 120);
    let (reads, inverted) = reads_of(cond);
    Guard {
        condition: shown,
        line,
        reads,
        negated: negated != inverted,
    }
}

/// What a condition reads, and whether it reads it negated (`!process.env.X`, `not os.environ.get(…)`).
fn reads_of(cond: &[u8]) -> (Reads, bool) {
    let text = String::from_utf8_lossy(cond);
    let inverted = text.starts_with('!') && !text.starts_with("!=") || text.starts_with("not ");
    if let Some(env) = environment_name(&text) {
        // `NODE_ENV !== 'production'` holds everywhere but production: the name compared unequal.
        let unequal = text.contains("!=") || text.contains(" ne ");
        return (env, inverted != unequal);
    }
    if let Some((name, default)) = env_var(&text) {
        return (Reads::Env { name, default }, inverted);
    }
    if let Some(name) = setting(&text) {
        return (Reads::Setting { name }, inverted);
    }
    (Reads::Other, inverted)
}

/// `Rails.env.test?`, `Rails.env.production?`, `process.env.NODE_ENV === 'test'`, `app.debug`,
/// `settings.DEBUG`, `env == "development"`: the environment's name (or debug mode, which only
/// development has).
fn environment_name(text: &str) -> Option<Reads> {
    const VARS: &[&str] = &[
        "NODE_ENV",
        "RAILS_ENV",
        "RACK_ENV",
        "FLASK_ENV",
        "APP_ENV",
        "ENVIRONMENT",
        "DJANGO_ENV",
        "Rails.env",
        "settings.DEBUG",
        "app.debug",
        "config.DEBUG",
        // ASP.NET Core's `IHostEnvironment`: `env.IsDevelopment()`, `app.Environment.IsProduction()`.
        "IsDevelopment()",
        "IsProduction()",
        "IsStaging()",
        "IsEnvironment(",
    ];
    if !VARS.iter().any(|v| text.contains(v)) && !compares_environment_name(text) {
        return None;
    }
    // `settings.DEBUG`: true only in development.
    let production = crate::repo::scopes::mentions_production(text.as_bytes());
    Some(Reads::Environment { production })
}

/// A setting named for the environment compared with an environment's name: `settings.ENV ==
/// 'production'`, `config.environment != "dev"`. An environment variable compared so
/// (`process.env.MODE === 'test'`) is that variable's flag, off unless set: `env_var` reads it.
fn compares_environment_name(text: &str) -> bool {
    if env_name(text).is_some() {
        return false;
    }
    let Some(op) = text.find("==").or_else(|| text.find("!=")) else {
        return false;
    };
    let (left, right) = (&text[..op], &text[op..]);
    let literal = right
        .split(['\'', '"', '`'])
        .nth(1)
        .map(str::to_ascii_lowercase);
    left.to_ascii_lowercase().contains("env")
        && literal.is_some_and(|l| crate::repo::environments::tier_of_code_word(&l).is_some())
}

/// An environment variable read, and its default: the literal a lookup falls back to
/// (`os.environ.get("X", "true")`, `process.env.X || 'true'`, `ENV.fetch("X", "false")`), or off when a
/// lookup without one is compared to a true value or read as truthy, on when compared unequal to false.
fn env_var(text: &str) -> Option<(String, Default)> {
    let name = env_name(text)?;
    let lower = text.to_ascii_lowercase();
    let fallback = fallback_literal(text);
    let truthy = |v: &str| matches!(v, "true" | "1" | "yes" | "on" | "enabled" | "y" | "t");
    let default = match fallback {
        Some(v) if truthy(&v.to_ascii_lowercase()) => Default::On,
        Some(_) => Default::Off,
        // Unset is unequal to any value: `X !== 'false'` and `X !== 'true'` both hold when nothing sets
        // X (the second is how a handler turns itself away unless the flag is on).
        None if lower.contains("!==") || lower.contains("!=") => {
            let compared_to_a_flag_value = ["'", "\""].iter().any(|q| {
                ["false", "0", "true", "1", "yes", "on", "enabled"]
                    .iter()
                    .any(|v| lower.contains(&format!("{q}{v}{q}")))
            });
            if compared_to_a_flag_value {
                Default::On
            } else {
                Default::Unknown
            }
        }
        None => Default::Off,
    };
    Some((name, default))
}

/// The variable's name in `process.env.X`, `process.env['X']`, `os.environ.get("X"`, `os.environ["X"]`,
/// `os.getenv("X"`, `env("X"`, `env.bool("X"`, `ENV["X"]`, `ENV.fetch("X"`, `System.getenv("X"`.
fn env_name(text: &str) -> Option<String> {
    if let Some(i) = text.find("process.env.") {
        let rest = &text[i + 12..];
        let n: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return (!n.is_empty()).then_some(n);
    }
    for opener in [
        "process.env[",
        "os.environ.get(",
        "os.environ[",
        "os.getenv(",
        "environ.get(",
        "env.bool(",
        "env.str(",
        "env(",
        "ENV[",
        "ENV.fetch(",
        "System.getenv(",
        "getenv(",
    ] {
        if let Some(i) = text.find(opener) {
            let rest = text[i + opener.len()..].trim_start();
            let rest = rest.strip_prefix(['"', '\'', '`'])?;
            let n: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            return (!n.is_empty()).then_some(n);
        }
    }
    None
}

/// The literal a lookup falls back to: the second argument of `get("X", "v")` / `fetch("X", "v")` /
/// `env.bool("X", default=True)`, or what follows `||` / `??`.
fn fallback_literal(text: &str) -> Option<String> {
    let unquote = |s: &str| {
        let s = s.trim().trim_end_matches([')', ']', ' ']);
        let s = s.strip_prefix("default=").unwrap_or(s);
        s.trim_matches(['"', '\'', '`']).to_string()
    };
    for op in ["||", "??"] {
        if let Some(i) = text.find(op) {
            let rest = &text[i + op.len()..];
            let lit: String = rest
                .trim_start()
                .chars()
                .take_while(|c| !matches!(c, ')' | '=' | '!' | '&' | '|' | ' '))
                .collect();
            return Some(unquote(&lit));
        }
    }
    let call = ["get(", "fetch(", "getenv(", "bool(", "env("]
        .iter()
        .find_map(|k| text.find(k).map(|i| i + k.len()))?;
    let args = &text[call..];
    let close = args.find(')')?;
    let (_, second) = args[..close].split_once(',')?;
    Some(unquote(second))
}

/// `settings.USE_STUBS`, `app.config["TESTING"]`, `config.x`, `Rails.configuration.x.y`,
/// `FeatureFlag.active?(:x)`, `Settings.x`: a setting whose value this file does not decide.
fn setting(text: &str) -> Option<String> {
    for opener in [
        "settings.",
        "Settings.",
        // Flask's configuration class, imported as `Config` (`if Config.USE_LOCAL_DATA:`).
        "Config.",
        "app.config[",
        "config[",
        "current_app.config[",
        "Rails.configuration.",
        "config.",
        "FeatureFlag.",
        "Feature.",
        "features.",
        "flags.",
    ] {
        if let Some(i) = text.find(opener) {
            let rest = &text[i + opener.len()..];
            let rest = rest.trim_start_matches(['"', '\'']);
            let n: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '?' | ':'))
                .collect();
            let n = n.trim_end_matches('.').to_string();
            if !n.is_empty() {
                // `config["X"]` names the setting X; `settings.X` is written whole.
                return Some(match opener.strip_suffix('[') {
                    Some(_) => n,
                    None => format!("{opener}{n}"),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> Option<Guard> {
        guard_at(text.as_bytes(), text.find(needle).unwrap_or(0))
    }

    /// The guard at `needle`, which the test expects to exist.
    fn guard_of(text: &str, needle: &str) -> Guard {
        at(text, needle).unwrap_or_else(|| panic!("no guard at {needle:?} in {text:?}"))
    }

    #[test]
    fn enclosing_blocks_and_their_flags() {
        let js = "const router = express.Router()\nif (process.env.ENABLE_TEST_SUPPORT === 'true') {\n  router.post('/test-support/x', h)\n}\nrouter.get('/a', b)\n";
        let g = guard_of(js, "router.post");
        assert_eq!(g.flag(), "ENABLE_TEST_SUPPORT");
        assert_eq!((g.line, g.on_by_default()), (2, Some(false)));
        assert_eq!(
            g.to_string(),
            "behind `process.env.ENABLE_TEST_SUPPORT === 'true'` (line 2; `ENABLE_TEST_SUPPORT`, off unless set)"
        );
        assert_eq!(at(js, "router.get"), None);

        let on = "if (process.env.DISABLE_TEST_ROUTES !== 'false') {\n  x()\n}\n";
        assert_eq!(guard_of(on, "x()").on_by_default(), Some(true));
        let neg = "if (!process.env.REAL_AUTH) {\n  x()\n}\n";
        assert_eq!(guard_of(neg, "x()").on_by_default(), Some(true));

        let py = "if os.environ.get(\"USE_STUBS\", \"true\") == \"true\":\n    client = Stub()\nelse:\n    client = Real()\n";
        let g = guard_of(py, "Stub()");
        assert_eq!((g.flag(), g.on_by_default()), ("USE_STUBS", Some(true)));
        let g = guard_of(py, "Real()");
        assert!(g.negated);
        assert_eq!(g.on_by_default(), Some(false));

        let rb = "Rails.application.routes.draw do\n  if Rails.env.test?\n    get '/test_support/login'\n  end\n  unless Rails.env.production?\n    get '/x'\n  end\nend\n";
        assert!(guard_of(rb, "get '/test").outside_production());
        assert!(guard_of(rb, "get '/x'").outside_production());

        let py =
            "if settings.USE_NOTIFY_STUB:\n    from app.clients.notify_stub import NotifyStub\n";
        let g = guard_of(py, "from");
        assert_eq!(
            (g.flag(), g.on_by_default()),
            ("settings.USE_NOTIFY_STUB", None)
        );
    }

    /// The byte where the rest outside production begins, if an early exit makes it so.
    fn rest_outside_production(text: &str) -> Option<usize> {
        early_exits(text.as_bytes())
            .into_iter()
            .find(|e| e.guard.outside_production())
            .map(|e| e.rest)
    }

    #[test]
    fn early_exits_at_the_margin_guard_the_rest_of_the_file() {
        let rb = "Office.create!\nreturn if Rails.env.production?\nrequire 'faker'\n";
        assert_eq!(rest_outside_production(rb), rb.find("require"));
        let rb = "Office.create!\nif Rails.env.production?\n  puts 'done'\n  return\nend\n\nrequire 'faker'\n";
        assert_eq!(rest_outside_production(rb), rb.find("\nrequire"));
        let rb = "exit unless Rails.env.development?\nseed!\n";
        assert_eq!(rest_outside_production(rb), rb.find("seed!"));
        let py = "import sys\nfrom app import settings\n\nif settings.ENV == 'production':\n    sys.exit(0)\nimport factory\n";
        assert_eq!(rest_outside_production(py), py.find("import factory"));
        let py = "if settings.ENV == \"production\": sys.exit()\nimport factory\n";
        assert_eq!(rest_outside_production(py), py.find("import factory"));
        let js = "'use strict';\nif (process.env.NODE_ENV === 'production') return;\nconst { faker } = require('@faker-js/faker');\n";
        assert_eq!(rest_outside_production(js), js.find("const"));
        let js = "if (process.env.NODE_ENV === 'production') {\n  console.log('skip');\n  process.exit(0);\n}\nseed();\n";
        assert_eq!(rest_outside_production(js), js.find("seed()"));
    }

    #[test]
    fn an_environment_compared_unequal_holds_everywhere_else() {
        let js = "if (process.env.NODE_ENV !== 'production') {\n  app.use('/test-support', t)\n}\n";
        assert!(guard_of(js, "app.use").outside_production());
        let js = "if (process.env.NODE_ENV != 'test') {\n  app.use('/x', t)\n}\n";
        assert!(!guard_of(js, "app.use").outside_production());
        let js = "if (process.env.NODE_ENV === 'production') return;\nseed();\n";
        assert!(early_exits(js.as_bytes())[0].guard.outside_production());
        let js = "if (process.env.NODE_ENV !== 'production') return;\nseed();\n";
        assert!(!early_exits(js.as_bytes())[0].guard.outside_production());
    }

    #[test]
    fn exits_that_guard_nothing() {
        for text in [
            // Only production gets through: the rest is production's.
            "return unless Rails.env.production?\nrequire 'faker'\n",
            // Development exits: production runs the rest.
            "return if Rails.env.development?\nrequire 'faker'\n",
            // Inside a method or a block: it ends that, not the file.
            "def seed\n  return if Rails.env.production?\nend\nrequire 'faker'\n",
            "task seed: :environment do\n  next if Rails.env.production?\nend\n",
            // A branch with an else is no exit.
            "if Rails.env.production?\n  return\nelse\n  load 'x'\nend\nrequire 'faker'\n",
            // The block does something else before exiting.
            "if Rails.env.production?\n  Office.create!\n  return\nend\nrequire 'faker'\n",
            // Not the environment: a flag or a data check.
            "return if Application.exists?\nrequire 'faker'\n",
            "if (process.env.MODE === 'production') return;\nrequire('x')\n",
        ] {
            assert_eq!(rest_outside_production(text), None, "{text}");
        }
    }

    #[test]
    fn one_line_forms() {
        let js = "const client = process.env.USE_MOCK_API ? new MockApi() : new Api()\n";
        let g = guard_of(js, "MockApi");
        assert_eq!(
            (g.flag(), g.negated, g.on_by_default()),
            ("USE_MOCK_API", false, Some(false))
        );
        assert!(guard_of(js, "new Api").negated);
        let py = "client = NotifyStub() if os.getenv('STUB_NOTIFY') else Notify()\n";
        assert_eq!(guard_of(py, "NotifyStub").flag(), "STUB_NOTIFY");
        assert!(guard_of(py, "Notify()").negated);
        let rb = "mount TestSupport::Engine => '/test' if ENV.fetch('TEST_SUPPORT', 'false') == 'true'\n";
        let g = guard_of(rb, "mount");
        assert_eq!((g.flag(), g.on_by_default()), ("TEST_SUPPORT", Some(false)));
        assert_eq!(at("x = 1\n", "x"), None);
    }

    #[test]
    fn names_taken_from_the_configuration_module_are_settings() {
        let js = "const {\n  storage: { mode }\n} = require('../lib/config');\nconst other = require('./other');\nif (mode === 'memory') {\n  x()\n}\nif (other === 'memory') {\n  y()\n}\n";
        let g = guard_of(js, "x()");
        assert_eq!(
            g.reads,
            Reads::Setting {
                name: "mode".into()
            }
        );
        assert_eq!(g.on_by_default(), None);
        assert_eq!(guard_of(js, "y()").reads, Reads::Other);
        let esm = "import { useMockDb } from './config/index.js'\nconst db = useMockDb ? mock() : real()\n";
        assert_eq!(guard_of(esm, "mock()").flag(), "useMockDb");
        let py = "from app.config import (\n    USE_FAKE_DB,\n)\n\nif USE_FAKE_DB:\n    x()\n";
        assert_eq!(guard_of(py, "x()").flag(), "USE_FAKE_DB");
        // A name from another module, or a local value, stays a run-time condition.
        let local = "const { mode } = require('./state');\nif (mode === 'x') {\n  x()\n}\n";
        assert_eq!(guard_of(local, "x()").reads, Reads::Other);
    }
}
