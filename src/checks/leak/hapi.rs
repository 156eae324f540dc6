//! hapi's route objects (`server.route({ method: 'GET', path: '/error', handler })`, or a module that
//! exports one for `server.route(require('./routes'))`): where each is, and whether its handler does
//! nothing but fail on purpose — `return Boom.badImplementation('…')`, `throw new Error('…')` — which is
//! a route that exists to test error handling (the route judgement is in `routes`).

use super::tokens::{literal_at, skip_space, word_occurrences};
use std::ops::Range;

/// One route object.
pub(crate) struct Registration {
    /// The path literal's content.
    pub path: Range<usize>,
    /// Where the `path` key is.
    pub keyword: usize,
    /// `GET`, as written in `method:`.
    pub method: String,
    /// The handler's body is a single statement that throws or returns a server error.
    pub fails_on_purpose: bool,
}

/// Route objects: a `path: '<literal>'` key with a `method: '<literal>'` key in the same object.
pub(crate) fn registrations(text: &[u8]) -> Vec<Registration> {
    let mut out = Vec::new();
    for at in word_occurrences(text, b"path", false) {
        let Some(lit) = value_literal(text, at + 4) else {
            continue;
        };
        let Some(object) = enclosing_object(text, at) else {
            continue;
        };
        let method = word_occurrences(&text[object.clone()], b"method", false)
            .find_map(|m| value_literal(text, object.start + m + 6))
            .map(|m| String::from_utf8_lossy(&text[m]).to_ascii_uppercase());
        let Some(method) = method else {
            continue;
        };
        let fails_on_purpose = word_occurrences(&text[object.clone()], b"handler", false)
            .next()
            .and_then(|h| handler_body(text, object.start + h, object.end))
            .is_some_and(|b| fails_on_purpose(&text[b]));
        out.push(Registration {
            path: lit,
            keyword: at,
            method,
            fails_on_purpose,
        });
    }
    out
}

/// After a key: `: '<literal>'` (the key may be quoted); the literal's content.
fn value_literal(text: &[u8], after_key: usize) -> Option<Range<usize>> {
    let mut i = after_key;
    if matches!(text.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    i = skip_space(text, i, text.len());
    if text.get(i) != Some(&b':') {
        return None;
    }
    i = skip_space(text, i + 1, text.len());
    Some(literal_at(text, i)?.content)
}

/// The `{ … }` around `at`: found by scanning back for an unmatched `{` and forward for its `}`,
/// skipping string literals; capped at a few thousand bytes either way.
fn enclosing_object(text: &[u8], at: usize) -> Option<Range<usize>> {
    let floor = at.saturating_sub(2000);
    let mut depth = 0usize;
    let mut i = at;
    let open = loop {
        if i == floor {
            return None;
        }
        i -= 1;
        match text[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => break i,
            b'{' => depth -= 1,
            _ => {}
        }
    };
    let close = matching(text, open, open + 6000)?;
    Some(open..close + 1)
}

/// The `}` matching the `{` at `open`, skipping string literals and comments; None past `limit`.
fn matching(text: &[u8], open: usize, limit: usize) -> Option<usize> {
    super::tokens::closing(text, open, b'{', b'}', limit)
}

/// The handler's body: the block of `handler: async (request, h) => { … }`, `handler(request) { … }`
/// or `handler: function () { … }`; or the expression of `handler: () => Boom.internal()`.
fn handler_body(text: &[u8], key: usize, end: usize) -> Option<Range<usize>> {
    let rest = &text[key..end];
    let arrow = memchr::memmem::find(rest, b"=>");
    let brace = memchr::memchr(b'{', rest);
    match (arrow, brace) {
        (Some(a), b) if b.is_none_or(|b| a < b) => {
            let i = skip_space(text, key + a + 2, end);
            if text.get(i) == Some(&b'{') {
                let close = matching(text, i, end)?;
                return Some(i + 1..close);
            }
            // An expression body: up to the object's next top-level comma or its end.
            let stop = text[i..end]
                .iter()
                .position(|b| matches!(b, b',' | b'\n'))
                .map_or(end, |p| i + p);
            Some(i..stop)
        }
        (_, Some(b)) => {
            let close = matching(text, key + b, end)?;
            Some(key + b + 1..close)
        }
        _ => None,
    }
}

/// Boom's server errors (5xx).
const SERVER_ERRORS: &[&str] = &[
    "badImplementation",
    "internal",
    "notImplemented",
    "badGateway",
    "serverUnavailable",
    "gatewayTimeout",
];

/// The body is one statement (comments aside) that throws, or returns a Boom server error.
fn fails_on_purpose(body: &[u8]) -> bool {
    let body = String::from_utf8_lossy(body);
    let code: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect();
    let [statement] = code.as_slice() else {
        return false;
    };
    let s = statement.strip_prefix("return ").unwrap_or(statement);
    s.starts_with("throw ")
        || s.strip_prefix("Boom.").is_some_and(|call| {
            SERVER_ERRORS
                .iter()
                .any(|e| call.strip_prefix(e).is_some_and(|c| c.starts_with('(')))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(code: &str) -> Vec<(String, String, bool)> {
        registrations(code.as_bytes())
            .into_iter()
            .map(|r| (r.method, code[r.path].to_string(), r.fails_on_purpose))
            .collect()
    }

    #[test]
    fn route_objects_and_handlers_that_fail_on_purpose() {
        let throws = "module.exports = {\n  method: 'GET',\n  path: '/crash',\n  options: {\n    handler: async (request, h) => {\n      return Boom.badImplementation('on purpose')\n    }\n  }\n}\n";
        assert_eq!(found(throws), vec![("GET".into(), "/crash".into(), true)]);
        let expr =
            "server.route({ method: 'POST', path: '/boom', handler: () => Boom.internal('x') })\n";
        assert_eq!(found(expr), vec![("POST".into(), "/boom".into(), true)]);
        let works = "module.exports = {\n  method: 'GET',\n  path: '/crash',\n  handler: async (request, h) => {\n    try {\n      return await request.pg.client.query('select 1')\n    } catch (err) {\n      return Boom.badImplementation('db call failed', err)\n    }\n  }\n}\n";
        assert_eq!(found(works), vec![("GET".into(), "/crash".into(), false)]);
        // A path with no method beside it is no route object (a `path:` of a file option).
        assert_eq!(found("const o = { path: '/tmp/x' }\n"), vec![]);
    }
}
