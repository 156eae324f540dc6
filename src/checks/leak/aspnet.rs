//! ASP.NET Core endpoints that exist for tests or debugging, read where `routes` cannot: inside a
//! controller's actions, and against the configuration that switches them on.
//!
//! - A flag read from configuration (`configuration.GetValue<bool>("X", true)`, `config["X"]`, or a
//!   field set from one) is judged by its default: the code's fallback, overridden by the base
//!   `appsettings.json` (which every environment loads, unlike `appsettings.Development.json`), overridden
//!   by `appsettings.Production.json`. On by default, production serves the endpoint unless its own
//!   settings turn it off: an error naming the flag. Off by default, a note naming it. The settings
//!   files are other files, so such routes are judged once the walk is done (`judge`).
//! - A controller action gated by such a flag (or by the environment's name) whose name says what it is
//!   for — resetting or seeding data, setting the session, signing in from a bare token — is test
//!   support; a feature-flagged action of any other name is not.
//! - An action whose response is the request's own headers or raw body is a debugging echo: it hands
//!   back whatever a gateway or proxy added (authentication headers, API keys).

use super::routes::Route;
use super::tokens::{
    call_args, is_ident, line_range, literal_at, skip_space, whole_literal, word_occurrences,
};
use super::{paths, Fact};
use crate::finding::{Finding, Severity};
use crate::repo::reach_guard::{guard_at, Guard, Reads};
use std::collections::HashMap;
use std::ops::Range;

/// A flag read from configuration: its key, and the code's fallback when it says one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigFlag {
    pub key: String,
    pub code_default: Option<bool>,
}

/// A test-support endpoint behind a configuration flag, to be judged against the settings files.
#[derive(Debug, Clone)]
pub(crate) struct Flagged {
    /// The C# file.
    pub path: String,
    pub flag: ConfigFlag,
    /// Is the endpoint served when the flag is true (`if (flag)`, `if (!flag) return NotFound();`)?
    pub served_when: bool,
    /// The condition as written, and its line.
    pub condition: String,
    pub line: u32,
    /// The finding, its message up to the guard (`test-support endpoint … served in production`).
    pub finding: Finding,
    /// `; it bypasses …`, or empty.
    pub bypass: String,
}

/// The boolean values an `appsettings.json` or `appsettings.Production.json` sets, by key
/// (`Section:Key`, lower-cased: configuration keys are case-insensitive).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub path: String,
    pub values: HashMap<String, bool>,
}

/// Is this file a settings file whose values production loads?
pub(crate) fn is_settings_file(name: &str) -> bool {
    name.eq_ignore_ascii_case("appsettings.json")
        || name.eq_ignore_ascii_case("appsettings.Production.json")
}

/// The boolean values a settings file sets (nothing when it does not parse: the flag's default is then
/// the code's).
pub(crate) fn settings(path: &str, text: &[u8]) -> Option<Fact> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let value: serde_json::Value = serde_json::from_slice(text)
        .or_else(|_| serde_json::from_slice(&without_comments(text)))
        .ok()?;
    let mut values = HashMap::new();
    flatten(&value, String::new(), &mut values, 0);
    Some(Fact::AspNetSettings(Box::new(Settings {
        path: path.to_string(),
        values,
    })))
}

fn flatten(v: &serde_json::Value, prefix: String, out: &mut HashMap<String, bool>, depth: usize) {
    if depth > 16 {
        return;
    }
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.to_ascii_lowercase()
                } else {
                    format!("{prefix}:{}", k.to_ascii_lowercase())
                };
                flatten(v, key, out, depth + 1);
            }
        }
        serde_json::Value::Bool(b) => {
            out.insert(prefix, *b);
        }
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => {
            out.insert(prefix, true);
        }
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => {
            out.insert(prefix, false);
        }
        _ => {}
    }
}

/// JSON with `//` and `/* */` comments (which .NET's configuration reader accepts) blanked out.
fn without_comments(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < text.len() {
        let b = text[i];
        if in_string {
            out.push(b);
            if b == b'\\' && i + 1 < text.len() {
                out.push(text[i + 1]);
                i += 2;
                continue;
            }
            in_string = b != b'"';
            i += 1;
            continue;
        }
        match (b, text.get(i + 1)) {
            (b'"', _) => {
                in_string = true;
                out.push(b);
            }
            (b'/', Some(b'/')) => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            (b'/', Some(b'*')) => {
                i += 2;
                while i + 1 < text.len() && !(text[i] == b'*' && text[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

/// The configuration flag a condition reads (`configuration.GetValue<bool>("X", true)`,
/// `!_config["X"]…`, `this.IsEnabled` where the file sets `IsEnabled = configuration.GetValue<bool>("X")`),
/// whatever its negation: the caller knows which way the condition runs.
pub(crate) fn config_flag(text: &[u8], condition: &str) -> Option<ConfigFlag> {
    if let Some(f) = read_of(condition) {
        return Some(f);
    }
    let c = condition.trim().trim_start_matches(['!', '(']).trim();
    let c = c.trim_end_matches(')').trim();
    let c = c.strip_prefix("this.").unwrap_or(c);
    if c.is_empty() || !c.bytes().all(is_ident) {
        return None;
    }
    // Where the file gives that name its value: `Name = <a configuration read>;`.
    for at in word_occurrences(text, c.as_bytes(), true) {
        let after = skip_space(text, at + c.len(), text.len());
        let rest = &text[after..];
        let value = if rest.starts_with(b"=") && !rest.starts_with(b"==") {
            after + 1
        } else if rest.starts_with(b"=>") {
            after + 2
        } else if rest.starts_with(b"{ get; }") {
            // `bool Name { get; } = config…;`
            let k = skip_space(text, after + 8, text.len());
            if text.get(k) != Some(&b'=') {
                continue;
            }
            k + 1
        } else {
            continue;
        };
        let end = memchr::memchr(b';', &text[value..]).map_or(text.len(), |i| value + i);
        if end - value > 400 {
            continue;
        }
        if let Some(f) = read_of(&String::from_utf8_lossy(&text[value..end])) {
            return Some(f);
        }
    }
    None
}

/// A configuration read in an expression: `GetValue<bool>("X"[, default])`, or an indexer on a
/// configuration (`configuration["X"]`, `_config["Section:X"]`).
fn read_of(expr: &str) -> Option<ConfigFlag> {
    let b = expr.as_bytes();
    if let Some(i) = expr
        .find("GetValue<bool>(")
        .or_else(|| expr.find("GetValue<bool?>("))
    {
        let open = i + expr[i..].find('(')?;
        let (args, _) = call_args(b, open, 400)?;
        let key = args.first().and_then(|a| whole_literal(b, a))?;
        let code_default = args.get(1).and_then(|a| match expr[a.clone()].trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        });
        return Some(ConfigFlag {
            key: expr[key].to_string(),
            code_default,
        });
    }
    for (i, _) in expr.match_indices("[\"") {
        let owner: String = expr[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Read backwards: the owner's name ends with `config` or `configuration`.
        let owner = owner.to_ascii_lowercase();
        if !(owner.starts_with("gifnoc") || owner.starts_with("noitarugifnoc")) {
            continue;
        }
        let lit = literal_at(b, i + 1)?;
        return Some(ConfigFlag {
            key: expr[lit.content].to_string(),
            code_default: None,
        });
    }
    None
}

/// A controller's action: its name, its body, and the line its declaration starts on.
pub(crate) struct Action {
    pub name: Range<usize>,
    pub body: Range<usize>,
}

/// The actions (public methods with a body) declared directly in the class body `body` (`{…}`).
pub(crate) fn actions(text: &[u8], body: Range<usize>, class: &str) -> Vec<Action> {
    let mut out = Vec::new();
    let mut i = body.start + 1;
    let mut stmt = i;
    while i < body.end.saturating_sub(1) {
        match text[i] {
            b'"' | b'\'' => {
                i = literal_at(text, i).map_or(i + 1, |l| l.end);
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'/') => {
                i = line_range(text, i).end;
                stmt = stmt.max(i);
                continue;
            }
            b'[' => {
                // An attribute: skipped whole.
                i = block_end(text, i, b'[', b']');
                stmt = i;
                continue;
            }
            b';' => stmt = i + 1,
            b'{' => {
                let end = block_end(text, i, b'{', b'}');
                let header = &text[stmt..i];
                if let Some(name) = method_name(stmt, header) {
                    if &text[name.clone()] != class.as_bytes() {
                        out.push(Action { name, body: i..end });
                    }
                }
                i = end;
                stmt = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The name of a public method declared by `header` (which starts at `start`).
fn method_name(start: usize, header: &[u8]) -> Option<Range<usize>> {
    let words: Vec<&[u8]> = header
        .split(|b| !is_ident(*b))
        .filter(|w| !w.is_empty())
        .collect();
    if !words.contains(&&b"public"[..])
        || words.iter().any(|w| {
            matches!(
                *w,
                b"class" | b"struct" | b"interface" | b"enum" | b"record"
            )
        })
    {
        return None;
    }
    let open = memchr::memchr(b'(', header)?;
    let before = header[..open].trim_ascii_end();
    let n = before.iter().rev().take_while(|b| is_ident(**b)).count();
    (n > 0).then(|| start + before.len() - n..start + before.len())
}

/// The offset just past the bracket that closes the one at `open` (the text's end when none does).
pub(crate) fn block_end(text: &[u8], open: usize, o: u8, c: u8) -> usize {
    super::tokens::closing(text, open, o, c, text.len()).map_or(text.len(), |i| i + 1)
}

/// How an action's body turns itself away: `if (!flag) { return NotFound(); }`, `if
/// (!env.IsDevelopment()) return NotFound();` — the first such early return that reads configuration
/// or the environment. The guard says when the rest of the action runs.
pub(crate) fn early_exit(text: &[u8], body: &Range<usize>) -> Option<(Guard, Option<ConfigFlag>)> {
    for at in word_occurrences(&text[..body.end], b"if", false).filter(|&a| a > body.start) {
        let open = skip_space(text, at + 2, body.end);
        let Some((_, close)) = call_args(text, open, 600) else {
            continue;
        };
        let cond = String::from_utf8_lossy(&text[open + 1..close - 1])
            .trim()
            .to_string();
        let mut k = skip_space(text, close, body.end);
        let block = text.get(k) == Some(&b'{');
        if block {
            k = skip_space(text, k + 1, body.end);
        }
        if !text[k..body.end].starts_with(b"return") {
            continue;
        }
        let stmt_end = memchr::memchr(b';', &text[k..body.end]).map_or(body.end, |i| k + i + 1);
        if block && text.get(skip_space(text, stmt_end, body.end)) != Some(&b'}') {
            continue;
        }
        let line = 1 + memchr::memchr_iter(b'\n', &text[..at]).count() as u32;
        // The action goes on when the condition does not hold.
        let negated = !cond.starts_with('!');
        if let Some(flag) = config_flag(text, &cond) {
            let guard = Guard {
                condition: crate::repo::text::evidence(cond.as_bytes(), 120),
                line,
                reads: Reads::Setting {
                    name: flag.key.clone(),
                },
                negated,
            };
            return Some((guard, Some(flag)));
        }
        if let Some(mut g) = guard_at(text, k) {
            if matches!(g.reads, Reads::Environment { .. }) && g.line == line {
                g.negated = !g.negated;
                return Some((g, None));
            }
        }
    }
    None
}

/// What an action is for, by its name, when that is test support a flag or the environment switches
/// on: resetting or seeding data, setting the session, signing in from a bare token, a test.
pub(crate) fn backdoor_kind(name: &str) -> Option<&'static str> {
    let words: Vec<String> = name
        .split('_')
        .flat_map(super::routes::humps)
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(&w.as_str()));
    if has(&["reset", "seed", "wipe", "purge", "reseed", "truncate"])
        && has(&["data", "database", "db", "testdata", "tables"])
    {
        return Some("resets or seeds data");
    }
    if words.first().is_some_and(|w| w == "set") && has(&["session", "cookie", "claims"]) {
        return Some("sets the session from the request");
    }
    if has(&["token"]) && has(&["login", "logon", "signin"])
        || words
            .windows(3)
            .any(|w| w[0] == "token" && w[1] == "sign" && w[2] == "in")
    {
        return Some("signs a visitor in from a bare token");
    }
    if has(&["test", "testing", "e2e", "cypress", "backdoor"]) {
        return Some("named for tests");
    }
    None
}

/// What an action returns, when that is the request's own headers or raw body: `"headers"`/`"body"`.
pub(crate) fn echoes_request(text: &[u8], body: &Range<usize>) -> Option<&'static str> {
    let b = &text[body.clone()];
    if memchr::memmem::find(b, b"Request.Headers").is_none()
        && memchr::memmem::find(b, b"Request.Body").is_none()
    {
        return None;
    }
    // Names bound to the whole headers or body: `var headers = Request.Headers;`, `var raw = await new
    // StreamReader(Request.Body).ReadToEndAsync();`, `var list = headers.ToList();`.
    let mut bound: Vec<(String, &'static str)> = Vec::new();
    let stmts = String::from_utf8_lossy(b);
    for stmt in stmts.split(';') {
        let s = stmt.trim().trim_start_matches('{').trim();
        if let Some(ret) = s.strip_prefix("return ") {
            if let Some(what) = returned(ret.trim(), &bound) {
                return Some(what);
            }
            continue;
        }
        let Some((lhs, rhs)) = s.split_once('=') else {
            continue;
        };
        if rhs.starts_with(['=', '>']) {
            continue;
        }
        let name = lhs.split_whitespace().last().unwrap_or("");
        if name.is_empty() || !name.bytes().all(is_ident) {
            continue;
        }
        match whole_request(rhs.trim(), &bound) {
            Some(what) => bound.push((name.to_string(), what)),
            None => bound.retain(|(n, _)| n != name),
        }
    }
    None
}

/// `Ok(x)`, `Json(x)`, `Content(x)`, `new OkObjectResult(x)`, `new JsonResult(x)`, `Results.Ok(x)`: the
/// response is `x`; is `x` the whole request's headers or body?
fn returned(expr: &str, bound: &[(String, &'static str)]) -> Option<&'static str> {
    let expr = expr.strip_prefix("await ").unwrap_or(expr).trim();
    let expr = expr.strip_prefix("new ").unwrap_or(expr);
    let expr = expr.strip_prefix("Results.").unwrap_or(expr);
    let open = expr.find('(')?;
    if !matches!(
        &expr[..open],
        "Ok" | "Json" | "Content" | "OkObjectResult" | "JsonResult" | "ContentResult"
    ) {
        return None;
    }
    let (args, _) = call_args(expr.as_bytes(), open, 2000)?;
    let first = args.first()?;
    whole_request(&expr[first.clone()], bound)
}

/// Is an expression the request's headers or raw body, whole: `Request.Headers` (not one header:
/// `Request.Headers["X"]`), a body read to its end, or a name bound to either, with calls chained on
/// (`.ToList()`, `.ToDictionary(…)`)?
fn whole_request(expr: &str, bound: &[(String, &'static str)]) -> Option<&'static str> {
    let e = expr.trim();
    let e = e.strip_prefix("await ").unwrap_or(e).trim();
    let (root, rest, what) = if let Some(i) = e.find("Request.Headers") {
        let before = &e[..i];
        if !(before.is_empty() || before.ends_with('.')) || before.contains(['(', ' ']) {
            return None;
        }
        (i, &e[i + "Request.Headers".len()..], "headers")
    } else if e.contains("Request.Body") {
        // `new StreamReader(Request.Body).ReadToEndAsync()` and the like: the body's text.
        let starts = e.starts_with("new StreamReader(") || e.starts_with("Request.Body");
        let reads = e.ends_with("ReadToEndAsync()") || e.ends_with("ReadToEnd()");
        return (starts && (reads || e == "Request.Body")).then_some("body");
    } else {
        let n = e.bytes().take_while(|b| is_ident(*b)).count();
        let (_, what) = bound.iter().find(|(name, _)| *name == e[..n])?;
        (0, &e[n..], *what)
    };
    let _ = root;
    only_calls(rest).then_some(what)
}

/// Is `rest` nothing but chained calls (`.ToList()`, `.ToDictionary(h => h.Key, h => h.Value)`)?
fn only_calls(rest: &str) -> bool {
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'.' {
            return false;
        }
        let n = b[i + 1..].iter().take_while(|c| is_ident(**c)).count();
        if n == 0 {
            return false;
        }
        let open = i + 1 + n;
        let Some((_, end)) = call_args(b, open, 2000) else {
            return false;
        };
        i = end;
    }
    true
}

/// A C# interpolated path (`$"{p}unhandledex"`), its placeholders filled from the file's string
/// constants (`const string p = "/__diag/cmd/";`); a placeholder with no such constant stays as written.
pub(crate) fn interpolated(text: &[u8], arg: &Range<usize>) -> Option<String> {
    let a = &text[arg.clone()];
    let inner = a.strip_prefix(b"$\"")?.strip_suffix(b"\"")?;
    let inner = String::from_utf8_lossy(inner);
    let mut out = String::new();
    let mut rest = &*inner;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map(|c| open + c)?;
        let name = rest[open + 1..close].trim();
        match string_constant(text, name) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The value of `const string NAME = "…";` (or `string`/`var` NAME = "…") in the file.
fn string_constant(text: &[u8], name: &str) -> Option<String> {
    if name.is_empty() || !name.bytes().all(is_ident) {
        return None;
    }
    word_occurrences(text, name.as_bytes(), true).find_map(|at| {
        let line = &text[line_range(text, at).start..at];
        let line = line.trim_ascii();
        if !(line.ends_with(b"string") || line.ends_with(b"var")) {
            return None;
        }
        let k = skip_space(text, at + name.len(), text.len());
        if text.get(k) != Some(&b'=') {
            return None;
        }
        let lit = literal_at(text, skip_space(text, k + 1, text.len()))?;
        Some(String::from_utf8_lossy(&text[lit.content]).into_owned())
    })
}

/// Is a path segment one for developers' diagnostics, marked internal by its leading underscores
/// (`__diag`, `_debug`)? ASP.NET only: `/__debug__/` is how Django mounts its toolbar, judged there.
pub(crate) fn is_diagnostic_path(path: &str) -> bool {
    path.split(['/', '?']).any(|seg| {
        let lower = seg.to_ascii_lowercase();
        let bare = lower.trim_start_matches('_');
        bare.len() < lower.len()
            && matches!(
                bare.trim_end_matches('_'),
                "diag" | "diagnostics" | "debug" | "dev" | "devtools"
            )
    })
}

/// Judge the flagged routes against the settings files: the nearest directory above the route's file
/// holding `appsettings.json` or `appsettings.Production.json` gives the values production loads.
pub(crate) fn judge(flagged: Vec<Flagged>, settings: &[&Settings]) -> Vec<Finding> {
    let by_path: HashMap<&str, &Settings> = settings.iter().map(|s| (&*s.path, *s)).collect();
    let find = |dir: &str, name: &str| -> Option<&Settings> {
        by_path
            .iter()
            .find(|(p, _)| {
                paths::parent(p) == dir && paths::file_name(p).eq_ignore_ascii_case(name)
            })
            .map(|(_, s)| *s)
    };
    let mut out = Vec::new();
    for f in flagged {
        let key = f.flag.key.to_ascii_lowercase();
        let mut dir = paths::parent(&f.path);
        let (base, prod) = loop {
            let base = find(dir, "appsettings.json");
            let prod = find(dir, "appsettings.Production.json");
            if base.is_some() || prod.is_some() || dir.is_empty() {
                break (base, prod);
            }
            dir = paths::parent(dir);
        };
        let (value, source) = if let Some(v) = prod.and_then(|s| s.values.get(&key)) {
            let p = prod.map_or("", |s| &s.path);
            (*v, format!("`{p}` sets it {v}"))
        } else if let Some(v) = base.and_then(|s| s.values.get(&key)) {
            let p = base.map_or("", |s| &s.path);
            (
                *v,
                format!("the base `{p}`, which every environment loads, sets it {v}"),
            )
        } else if let Some(v) = f.flag.code_default {
            (
                v,
                format!("the code's default is {v} and no appsettings file sets it"),
            )
        } else {
            (
                false,
                "no appsettings file sets it, so it reads false".to_string(),
            )
        };
        let served = value == f.served_when;
        let k = &f.flag.key;
        let cond = format!("`{}` (line {})", f.condition, f.line);
        let mut finding = f.finding;
        if served {
            finding.severity = Severity::Error;
            let want = !f.served_when;
            finding.message = format!(
                "{}, on by default: behind {cond}, and {source}; production must set `{k}` to {want} \
                 (in `appsettings.Production.json` or the app's own settings) or the endpoint be removed{}",
                finding.message, f.bypass
            );
        } else {
            finding.severity = if f.bypass.is_empty() {
                Severity::Note
            } else {
                Severity::Warning
            };
            finding.message = format!(
                "{}, off by default: behind {cond}; the setting `{k}`: {source}{}",
                finding.message, f.bypass
            );
        }
        out.push(finding);
    }
    out
}

/// A route found by `routes` or here, guarded by a configuration flag: the fact to judge it by.
pub(crate) fn flagged(src: &mut super::Source, r: Route, flag: ConfigFlag, guard: &Guard) -> Fact {
    let evidence = src.str(r.at.clone());
    let at = src.span(r.at);
    let bypass = match &r.bypass {
        Some(b) => format!("; it bypasses authentication or CSRF protection ({b})"),
        None => String::new(),
    };
    let msg = format!("test-support endpoint {} served in production", r.what);
    let finding = super::make_finding(&super::reach_rules::TEST_ROUTE, at, msg, &evidence);
    Fact::AspNetFlagged(Box::new(Flagged {
        path: src.path.to_string(),
        flag,
        served_when: !guard.negated,
        condition: guard.condition.clone(),
        line: guard.line,
        finding,
        bypass,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_their_defaults() {
        let f = read_of(r#"configuration.GetValue<bool>("Diag", true)"#);
        assert_eq!(
            f,
            Some(ConfigFlag {
                key: "Diag".into(),
                code_default: Some(true)
            })
        );
        let f = read_of(r#"_configuration["Features:Reset"] == "true""#);
        assert_eq!(f.map(|f| f.key), Some("Features:Reset".to_string()));
        assert_eq!(read_of(r#"options["x"]"#), None);
        let text = b"Enabled = configuration.GetValue<bool>(\"ResetOn\");\nif (!this.Enabled) {}";
        assert_eq!(
            config_flag(text, "!this.Enabled").map(|f| f.key),
            Some("ResetOn".to_string())
        );
    }

    #[test]
    fn backdoor_names() {
        for n in [
            "ResetData",
            "SeedDatabase",
            "SetSession",
            "TokenLogin",
            "TestLogin",
        ] {
            assert!(backdoor_kind(n).is_some(), "{n}");
        }
        for n in [
            "Index",
            "ResetPassword",
            "Login",
            "SetPreferences",
            "Pending",
        ] {
            assert!(backdoor_kind(n).is_none(), "{n}");
        }
    }

    #[test]
    fn echoes() {
        let t = b"{ var h = Request.Headers; var l = h.ToList(); return Ok(l); }";
        assert_eq!(echoes_request(t, &(0..t.len())), Some("headers"));
        let t =
            b"{ var raw = await new StreamReader(Request.Body).ReadToEndAsync(); return Ok(raw); }";
        assert_eq!(echoes_request(t, &(0..t.len())), Some("body"));
        let t = b"{ var id = Request.Headers[\"X-Id\"]; return Ok(await svc.Get(id)); }";
        assert_eq!(echoes_request(t, &(0..t.len())), None);
        let t = b"{ return Ok(Request.Headers[\"X-Id\"].ToString()); }";
        assert_eq!(echoes_request(t, &(0..t.len())), None);
    }

    #[test]
    fn diagnostic_paths() {
        assert!(is_diagnostic_path("/__diag/cmd/x"));
        assert!(!is_diagnostic_path("/diagnostics"));
        assert!(!is_diagnostic_path("/health"));
    }
}
