//! GitHub Actions expressions (`if:` conditions, `${{ … }}` values), evaluated three-valued.
//!
//! A check asks "could this job run when the event is X on branch Y?". Contexts the scenario fixes
//! (`github.event_name`, `github.ref`, …) have values; everything else is `Unknown`, and an unknown
//! condition may be true. So `github.ref == 'refs/heads/main'` rules a feature-branch push out, while
//! `success() && inputs.deploy` keeps it possible. Parse errors are `Unknown` too: never a reason to pass.

/// A value, or "cannot tell".
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Unknown,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Val>),
}

impl Val {
    /// GitHub's truthiness; None when unknown.
    pub fn truthy(&self) -> Option<bool> {
        match self {
            Val::Unknown => None,
            Val::Null => Some(false),
            Val::Bool(b) => Some(*b),
            Val::Num(n) => Some(*n != 0.0 && !n.is_nan()),
            Val::Str(s) => Some(!s.is_empty()),
            Val::Arr(_) => Some(true),
        }
    }
}

/// Context lookups: `path` is lower-case and dotted (`github.event.pull_request.head.sha`).
pub trait Scope {
    fn lookup(&self, path: &str) -> Val;
    /// Did a job this one needs fail (`Some(true)`: a rejected approval), for the status functions
    /// (`always()`, `!cancelled()`, `failure()`); None when the scope does not say.
    fn needs_failed(&self) -> Option<bool> {
        None
    }
}

/// Evaluate an `if:` condition. GitHub accepts it with or without `${{ }}`; text around a `${{ }}` makes it
/// a non-empty string, which is always true (a classic mistake that GitHub evaluates exactly so).
pub fn eval_condition(cond: &str, scope: &dyn Scope) -> Val {
    let t = cond.trim();
    match strip_braces(t) {
        Some(inner) => eval(inner, scope),
        None if t.contains("${{") => Val::Bool(true),
        None => eval(t, scope),
    }
}

/// Evaluate a value such as `with: push: ${{ github.event_name != 'pull_request' }}`: a whole `${{ }}`
/// is evaluated, `true`/`false` are booleans (as YAML and action inputs read them), other text is a
/// literal string, and interpolation is unknown.
pub fn eval_value(value: &str, scope: &dyn Scope) -> Val {
    let t = value.trim();
    match strip_braces(t) {
        Some(inner) => eval(inner, scope),
        None if t.contains("${{") => Val::Unknown,
        None if t.eq_ignore_ascii_case("true") => Val::Bool(true),
        None if t.eq_ignore_ascii_case("false") => Val::Bool(false),
        None => Val::Str(t.to_string()),
    }
}

fn strip_braces(t: &str) -> Option<&str> {
    let inner = t.strip_prefix("${{")?.strip_suffix("}}")?;
    (!inner.contains("${{")).then_some(inner)
}

pub fn eval(expr: &str, scope: &dyn Scope) -> Val {
    let Some(tokens) = lex(expr) else {
        return Val::Unknown;
    };
    let mut p = Parser {
        tokens: &tokens,
        i: 0,
        scope,
        depth: 0,
    };
    match p.or() {
        Some(v) if p.i == tokens.len() => v,
        _ => Val::Unknown,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Op(&'static str),
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'\'' {
            let mut lit = String::new();
            let mut j = i + 1;
            loop {
                let rest = s.get(j..)?;
                let k = rest.find('\'')?;
                lit.push_str(&rest[..k]);
                j += k + 1;
                if b.get(j) == Some(&b'\'') {
                    lit.push('\'');
                    j += 1;
                } else {
                    break;
                }
            }
            out.push(Tok::Str(lit));
            i = j;
            continue;
        }
        let two = s.get(i..i + 2).unwrap_or("");
        if let Some(op) = ["==", "!=", "<=", ">=", "&&", "||"]
            .into_iter()
            .find(|o| *o == two)
        {
            out.push(Tok::Op(op));
            i += 2;
            continue;
        }
        if let Some(op) = ["(", ")", "[", "]", ".", "!", "<", ">", ",", "*"]
            .into_iter()
            .find(|o| o.as_bytes()[0] == c)
        {
            out.push(Tok::Op(op));
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Num(s[start..i].parse().ok()?));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-')) {
                i += 1;
            }
            out.push(Tok::Ident(s[start..i].to_ascii_lowercase()));
            continue;
        }
        return None;
    }
    Some(out)
}

/// Nesting deeper than this is refused (as Unknown) rather than risking the stack on a hostile file.
const MAX_DEPTH: u32 = 64;

struct Parser<'a> {
    tokens: &'a [Tok],
    i: usize,
    scope: &'a dyn Scope,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.i)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Option<Val> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.and()?;
            left = match left.truthy() {
                Some(true) => left,
                Some(false) => right,
                None => match right.truthy() {
                    Some(true) => Val::Bool(true),
                    _ => Val::Unknown,
                },
            };
        }
        self.depth -= 1;
        Some(left)
    }

    fn and(&mut self) -> Option<Val> {
        let mut left = self.cmp()?;
        while self.eat("&&") {
            let right = self.cmp()?;
            left = match left.truthy() {
                Some(false) => left,
                Some(true) => right,
                None => match right.truthy() {
                    Some(false) => Val::Bool(false),
                    _ => Val::Unknown,
                },
            };
        }
        Some(left)
    }

    fn cmp(&mut self) -> Option<Val> {
        let left = self.unary()?;
        let op = match self.peek() {
            Some(Tok::Op(o @ ("==" | "!=" | "<" | ">" | "<=" | ">="))) => *o,
            _ => return Some(left),
        };
        self.i += 1;
        let right = self.unary()?;
        Some(compare(&left, op, &right))
    }

    fn unary(&mut self) -> Option<Val> {
        if self.eat("!") {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return None;
            }
            let v = self.unary()?;
            self.depth -= 1;
            return Some(v.truthy().map_or(Val::Unknown, |t| Val::Bool(!t)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Option<Val> {
        let tok = self.peek()?.clone();
        self.i += 1;
        match tok {
            Tok::Str(s) => Some(Val::Str(s)),
            Tok::Num(n) => Some(Val::Num(n)),
            Tok::Op("(") => {
                let v = self.or()?;
                self.eat(")").then_some(v)
            }
            Tok::Ident(name) if self.eat("(") => {
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.or()?);
                        if self.eat(")") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                }
                let value = call(&name, &args, self.scope);
                // `fromJSON(x).field`, `fromJSON(x)[0]`: objects are not modelled, so any member is unknown.
                if self.skip_members()? {
                    Some(Val::Unknown)
                } else {
                    Some(value)
                }
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Some(Val::Bool(true)),
                "false" => Some(Val::Bool(false)),
                "null" => Some(Val::Null),
                _ => self.path(name),
            },
            Tok::Op(_) => None,
        }
    }

    /// Consume `.member` / `[index]` accessors; Some(true) if there were any, None on a syntax error.
    fn skip_members(&mut self) -> Option<bool> {
        let mut any = false;
        loop {
            if self.eat(".") {
                match self.peek()? {
                    Tok::Ident(_) | Tok::Op("*") => self.i += 1,
                    _ => return None,
                }
            } else if self.eat("[") {
                self.or()?;
                if !self.eat("]") {
                    return None;
                }
            } else {
                return Some(any);
            }
            any = true;
        }
    }

    /// `github.event.pull_request.head.sha`, `github['ref']`, `labels.*.name`: a dotted lookup.
    fn path(&mut self, mut path: String) -> Option<Val> {
        loop {
            if self.eat(".") {
                match self.peek()?.clone() {
                    Tok::Ident(p) => path.push_str(&format!(".{p}")),
                    Tok::Op("*") => path.push_str(".*"),
                    _ => return None,
                }
                self.i += 1;
            } else if self.eat("[") {
                match self.or()? {
                    Val::Str(s) => path.push_str(&format!(".{}", s.to_ascii_lowercase())),
                    _ => path.push_str(".*"),
                }
                if !self.eat("]") {
                    return None;
                }
            } else {
                return Some(self.scope.lookup(&path));
            }
        }
    }
}

fn call(name: &str, args: &[Val], scope: &dyn Scope) -> Val {
    let str_args = || match args {
        [Val::Str(a), Val::Str(b)] => Some((a.to_ascii_lowercase(), b.to_ascii_lowercase())),
        _ => None,
    };
    match name {
        // Status checks: a deploy after `success()` runs when earlier steps pass, i.e. may run — unless
        // the scope says a job it needs failed. A rejected approval is a failure, not a cancellation.
        "always" => Val::Bool(true),
        "success" => Val::Bool(scope.needs_failed() != Some(true)),
        "failure" => scope.needs_failed().map_or(Val::Unknown, Val::Bool),
        "cancelled" => scope
            .needs_failed()
            .map_or(Val::Unknown, |_| Val::Bool(false)),
        "startswith" => str_args().map_or(Val::Unknown, |(a, b)| Val::Bool(a.starts_with(&b))),
        "endswith" => str_args().map_or(Val::Unknown, |(a, b)| Val::Bool(a.ends_with(&b))),
        "contains" => match args {
            [Val::Arr(items), needle] if *needle != Val::Unknown => {
                if items
                    .iter()
                    .any(|i| compare(i, "==", needle) == Val::Bool(true))
                {
                    Val::Bool(true)
                } else if items.iter().all(|i| *i != Val::Unknown) {
                    Val::Bool(false)
                } else {
                    Val::Unknown
                }
            }
            _ => str_args().map_or(Val::Unknown, |(a, b)| Val::Bool(a.contains(&b))),
        },
        "fromjson" => match args {
            [Val::Str(s)] => from_json(s),
            _ => Val::Unknown,
        },
        _ => Val::Unknown,
    }
}

/// Only what conditions use in practice: an array of strings, a string, a boolean, a number.
fn from_json(s: &str) -> Val {
    fn conv(v: &serde_json::Value) -> Val {
        match v {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => n.as_f64().map_or(Val::Unknown, Val::Num),
            serde_json::Value::String(s) => Val::Str(s.clone()),
            serde_json::Value::Array(a) => Val::Arr(a.iter().map(conv).collect()),
            serde_json::Value::Object(_) => Val::Unknown,
        }
    }
    serde_json::from_str::<serde_json::Value>(s).map_or(Val::Unknown, |v| conv(&v))
}

/// GitHub's loose comparison: strings case-insensitively; mixed types through numbers.
fn compare(a: &Val, op: &str, b: &Val) -> Val {
    use std::cmp::Ordering;
    if *a == Val::Unknown || *b == Val::Unknown {
        return Val::Unknown;
    }
    let ord = match (a, b) {
        (Val::Str(x), Val::Str(y)) => Some(x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase())),
        (Val::Null, Val::Null) => Some(Ordering::Equal),
        (Val::Arr(_), _) | (_, Val::Arr(_)) => None,
        _ => number(a).partial_cmp(&number(b)),
    };
    let result = match (op, ord) {
        ("==", o) => o == Some(Ordering::Equal),
        ("!=", o) => o != Some(Ordering::Equal),
        ("<", o) => o == Some(Ordering::Less),
        (">", o) => o == Some(Ordering::Greater),
        ("<=", o) => matches!(o, Some(Ordering::Less | Ordering::Equal)),
        (">=", o) => matches!(o, Some(Ordering::Greater | Ordering::Equal)),
        _ => return Val::Unknown,
    };
    Val::Bool(result)
}

fn number(v: &Val) -> f64 {
    match v {
        Val::Null => 0.0,
        Val::Bool(b) => f64::from(u8::from(*b)),
        Val::Num(n) => *n,
        Val::Str(s) if s.trim().is_empty() => 0.0,
        Val::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        Val::Unknown | Val::Arr(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, Val>);
    impl Scope for Map {
        fn lookup(&self, path: &str) -> Val {
            self.0.get(path).cloned().unwrap_or(Val::Unknown)
        }
    }

    fn push_to(branch: &str) -> Map {
        let r = format!("refs/heads/{branch}");
        Map(HashMap::from([
            ("github.event_name", Val::Str("push".into())),
            ("github.ref", Val::Str(r)),
            ("github.ref_name", Val::Str(branch.into())),
        ]))
    }

    #[test]
    fn branch_and_event_conditions() {
        let main = push_to("main");
        let feat = push_to("feature/x");
        let c = "github.ref == 'refs/heads/main' && github.event_name == 'push'";
        assert_eq!(eval(c, &main), Val::Bool(true));
        assert_eq!(eval(c, &feat), Val::Bool(false));
        let c = "${{ github.event_name != 'pull_request' }}";
        assert_eq!(eval_condition(c, &feat), Val::Bool(true));
        assert_eq!(
            eval("startsWith(github.ref, 'refs/tags/')", &main),
            Val::Bool(false)
        );
        assert_eq!(eval("github.ref_name == 'MAIN'", &main), Val::Bool(true));
        assert_eq!(
            eval(
                "contains(fromJSON('[\"main\",\"prod\"]'), github.ref_name)",
                &feat
            ),
            Val::Bool(false)
        );
    }

    #[test]
    fn unknowns_stay_unknown_unless_decided() {
        let feat = push_to("feature/x");
        assert_eq!(eval("inputs.deploy", &feat), Val::Unknown);
        assert_eq!(
            eval("inputs.deploy && github.ref == 'refs/heads/main'", &feat),
            Val::Bool(false)
        );
        assert_eq!(
            eval("inputs.deploy || github.ref_name == 'feature/x'", &feat),
            Val::Bool(true)
        );
        assert_eq!(eval("!inputs.deploy", &feat), Val::Unknown);
        assert_eq!(eval("github.ref == (", &feat), Val::Unknown);
        assert_eq!(eval("success() && !cancelled()", &feat).truthy(), None);
    }

    #[test]
    fn status_functions_after_a_failed_dependency() {
        struct Failed;
        impl Scope for Failed {
            fn lookup(&self, _: &str) -> Val {
                Val::Unknown
            }
            fn needs_failed(&self) -> Option<bool> {
                Some(true)
            }
        }
        for (cond, runs) in [
            ("always()", true),
            ("!cancelled()", true),
            ("failure()", true),
            ("success()", false),
            ("success() && !cancelled()", false),
            ("cancelled()", false),
        ] {
            assert_eq!(eval(cond, &Failed).truthy(), Some(runs), "{cond}");
        }
    }

    #[test]
    fn ternary_idiom_gives_values() {
        let main = push_to("main");
        let v = eval(
            "github.ref == 'refs/heads/main' && 'production' || 'preview'",
            &main,
        );
        assert_eq!(v, Val::Str("production".into()));
        let v = eval_value(
            "${{ github.ref_name == 'main' && 'prod' || 'dev' }}",
            &push_to("x"),
        );
        assert_eq!(v, Val::Str("dev".into()));
    }

    #[test]
    fn text_around_braces_is_always_true() {
        let feat = push_to("feature/x");
        assert_eq!(
            eval_condition("${{ github.ref == 'refs/heads/main' }} && true", &feat),
            Val::Bool(true)
        );
        assert_eq!(
            eval_condition("github.ref == 'refs/heads/main'", &feat),
            Val::Bool(false)
        );
    }

    #[test]
    fn index_and_wildcard_paths() {
        let s = Map(HashMap::from([(
            "github.event.inputs.env",
            Val::Str("prod".into()),
        )]));
        assert_eq!(
            eval("github.event.inputs['env'] == 'prod'", &s),
            Val::Bool(true)
        );
        assert_eq!(
            eval(
                "contains(github.event.pull_request.labels.*.name, 'ok')",
                &s
            ),
            Val::Unknown
        );
        assert_eq!(eval("'it''s' == 'IT''S'", &s), Val::Bool(true));
        assert_eq!(eval("fromJSON(inputs.plan).tag", &s), Val::Unknown);
        let ruff = "inputs.plan != '' && !fromJson(inputs.plan).implicit && 'release' || ''";
        let no_inputs = Map(HashMap::from([("inputs.plan", Val::Null)]));
        assert_eq!(eval(ruff, &no_inputs), Val::Str(String::new()));
    }
}
