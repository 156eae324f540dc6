//! Spring MVC endpoints that exist for tests: a handler in a `@RestController`/`@Controller` whose path is
//! for test tooling (`/testing-support/…`), whose controller is named for tests (`TestingSupportController`),
//! or whose own description says so — its Javadoc ("This API is used only for testing purposes") or its
//! OpenAPI summary (`@Operation(summary = "Delete payment failure … for functional test")`). Such an
//! endpoint in `src/main` is served by the production jar unless a guard keeps it out: a `@Profile` on the
//! handler or its class (a note naming it), or `@ConditionalOnProperty` (a note when the property is off
//! unless set, an error when `matchIfMissing = true`).

use super::routes::{is_test_controller, is_test_path, Route};
use super::tokens::{closing, literal_at};
use super::{Extracted, Source};
use crate::repo::reach_guard::{Default, Guard, Reads};

const MAPPINGS: &[(&str, &str)] = &[
    ("@GetMapping", "GET"),
    ("@PostMapping", "POST"),
    ("@PutMapping", "PUT"),
    ("@PatchMapping", "PATCH"),
    ("@DeleteMapping", "DELETE"),
    ("@RequestMapping", ""),
];

/// What a handler's description says when it exists only for tests (lower-case).
const DESCRIBED_FOR_TESTS: &[&str] = &[
    "only for testing",
    "used only for testing",
    "for testing purposes",
    "for test purposes",
    "testing purposes only",
    "for testing only",
    "for functional test",
    "for functional tests",
    "for functional testing",
    "used by the functional tests",
    "for end to end test",
    "for end-to-end test",
    "for e2e test",
    "for smoke test",
];

/// A limit on how far an annotation's arguments are read.
const MAX_ANNOTATION: usize = 4096;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    if memchr::memmem::find(text, b"Mapping").is_none()
        || memchr::memmem::find(text, b"Controller").is_none()
    {
        return;
    }
    let Some(class_at) = class_keyword(text) else {
        return;
    };
    let header = &text[..class_at];
    let class_name = identifier(&text[class_at + "class ".len()..]);
    let class_path = MAPPINGS
        .iter()
        .filter_map(|(a, _)| find_annotation(header, a))
        .filter_map(|at| mapping_path(header, at).map(|(p, _)| p))
        .next()
        .unwrap_or_default();
    let test_class =
        is_test_controller(class_name.strip_suffix("Controller").unwrap_or(&class_name))
            || is_test_path(&class_path);
    let class_guard = guard_in(header, 0, class_at, text);
    let mut found = Vec::new();
    for (annotation, verb) in MAPPINGS {
        for at in memchr::memmem::find_iter(&text[class_at..], annotation.as_bytes()) {
            let at = class_at + at;
            let after = text.get(at + annotation.len()).copied().unwrap_or(b' ');
            if after.is_ascii_alphanumeric() || !src.in_code(at) {
                continue;
            }
            found.push((at, *annotation, *verb));
        }
    }
    found.sort_unstable();
    for (at, annotation, verb) in found {
        let (path, span) =
            mapping_path(text, at).unwrap_or_else(|| (String::new(), at..at + annotation.len()));
        let full = join(&class_path, &path);
        let stack = stack_above(text, at);
        let label = described_for_tests(&text[stack.clone()]);
        if !(test_class || is_test_path(&full) || label.is_some()) {
            continue;
        }
        let verb = if verb.is_empty() {
            request_method(text, at)
        } else {
            verb.to_string()
        };
        let described = label
            .map(|l| format!(" (described as {l})"))
            .unwrap_or_default();
        let route = Route {
            at: span,
            keyword: at,
            what: format!("`{} {full}`{described}", verb.trim()),
            bypass: None,
        };
        let end = method_signature_end(text, at);
        let guard = guard_in(text, stack.start, end, text).or_else(|| class_guard.clone());
        super::routes::report(src, out, route, guard);
    }
}

/// The `class` keyword of the (first) controller class, at the start of a declaration.
fn class_keyword(text: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(text, b"class ").find(|&at| {
        let before = &text[super::tokens::line_range(text, at).start..at];
        before.iter().all(|b| b.is_ascii_whitespace())
            || before.ends_with(b" ")
                && before
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|w| !w.is_empty())
                    .all(|w| {
                        matches!(
                            w,
                            b"public" | b"final" | b"open" | b"abstract" | b"internal" | b"data"
                        ) || w.starts_with(b"@")
                    })
    })
}

fn identifier(text: &[u8]) -> String {
    String::from_utf8_lossy(
        &text
            .iter()
            .copied()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .collect::<Vec<u8>>(),
    )
    .into_owned()
}

/// The last occurrence of `annotation` (as a whole name) in `text`.
fn find_annotation(text: &[u8], annotation: &str) -> Option<usize> {
    memchr::memmem::rfind_iter(text, annotation.as_bytes()).find(|&at| {
        !text
            .get(at + annotation.len())
            .is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

/// The path an annotation maps (`@GetMapping("/x")`, `@RequestMapping(value = "/x", …)`,
/// `path = {"/x"}`), and the span of its literal.
fn mapping_path(text: &[u8], at: usize) -> Option<(String, std::ops::Range<usize>)> {
    let open = at + text[at..].iter().position(|b| *b == b'(' || *b == b'\n')?;
    if text[open] != b'(' {
        return None;
    }
    let close = closing(text, open, b'(', b')', open + MAX_ANNOTATION)?;
    let args = &text[open + 1..close];
    // A `value`/`path` argument, or the first positional literal.
    let key_at = ["value", "path"].iter().find_map(|k| {
        memchr::memmem::find_iter(args, k.as_bytes()).find(|&i| {
            (i == 0 || !args[i - 1].is_ascii_alphanumeric())
                && args[i + k.len()..].trim_ascii_start().starts_with(b"=")
        })
    });
    let from = open + 1 + key_at.unwrap_or(0);
    let q = from + text[from..close].iter().position(|b| *b == b'"')?;
    let lit = literal_at(text, q)?;
    Some((
        String::from_utf8_lossy(&text[lit.content.clone()]).into_owned(),
        lit.content,
    ))
}

/// `RequestMethod.DELETE` / `method = PATCH` in a `@RequestMapping`: the verb, or `ANY`.
fn request_method(text: &[u8], at: usize) -> String {
    let line = &text[at..super::tokens::line_range(text, at).end];
    for verb in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        if memchr::memmem::find(line, verb.as_bytes()).is_some() {
            return verb.to_string();
        }
    }
    "ANY".to_string()
}

fn join(base: &str, path: &str) -> String {
    match (base.trim_end_matches('/'), path) {
        ("", p) => p.to_string(),
        (b, "") => b.to_string(),
        (b, p) => format!("{b}/{}", p.trim_start_matches('/')),
    }
}

/// The handler's annotations and the comment above them: back from the mapping to the end of the
/// previous member (a line ending in `;`, `}` or `{`).
fn stack_above(text: &[u8], at: usize) -> std::ops::Range<usize> {
    let mut start = super::tokens::line_range(text, at).start;
    // Unclosed `(` above, seen from below: inside an annotation's arguments (`@ApiResponses(value = {`
    // … `})`), where a line may end in `{` or `}` without ending a member.
    let mut depth = 0isize;
    while start > 0 {
        let prev = super::tokens::line_range(text, start - 1);
        let line = text[prev.clone()].trim_ascii();
        let count = |c: u8| line.iter().filter(|b| **b == c).count() as isize;
        depth += count(b')') - count(b'(');
        let ends_member = line.ends_with(b";") || line.ends_with(b"}") || line.ends_with(b"{");
        if ends_member && depth <= 0 && !line.starts_with(b"@") {
            break;
        }
        start = prev.start;
    }
    start..at
}

/// Where the handler's signature ends (its body's `{`, or the end of the text).
fn method_signature_end(text: &[u8], at: usize) -> usize {
    memchr::memchr(b'{', &text[at..]).map_or(text.len(), |i| at + i)
}

/// The phrase of a description that says the handler exists for tests, quoted.
fn described_for_tests(stack: &[u8]) -> Option<String> {
    let lower = String::from_utf8_lossy(stack).to_ascii_lowercase();
    let lower = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    DESCRIBED_FOR_TESTS
        .iter()
        .find(|p| lower.contains(*p))
        .map(|p| format!("\"…{p}…\""))
}

/// A `@Profile` or `@ConditionalOnProperty` between `from` and `to`: what keeps the endpoint out of
/// production, if anything.
fn guard_in(region_text: &[u8], from: usize, to: usize, text: &[u8]) -> Option<Guard> {
    let region = &region_text[from..to.min(region_text.len())];
    let line_of = |i: usize| 1 + memchr::memchr_iter(b'\n', &text[..from + i]).count() as u32;
    // The annotation as written, to the end of its line.
    let written = |i: usize| {
        let end = region[i..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(region.len(), |e| i + e);
        String::from_utf8_lossy(&region[i..end]).trim().to_string()
    };
    if let Some(i) = memchr::memmem::find(region, b"@Profile") {
        let condition = written(i);
        return Some(Guard {
            condition,
            line: line_of(i),
            reads: Reads::Environment { production: false },
            negated: false,
        });
    }
    if let Some(i) = memchr::memmem::find(region, b"@ConditionalOnProperty") {
        let condition = written(i);
        let on = condition.replace(' ', "").contains("matchIfMissing=true");
        let name = condition
            .split('"')
            .nth(1)
            .unwrap_or("the property")
            .to_string();
        return Some(Guard {
            condition,
            line: line_of(i),
            reads: Reads::Env {
                name,
                default: if on { Default::On } else { Default::Off },
            },
            negated: false,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_paths_and_descriptions_are_read() {
        let t = b"@RequestMapping(value = \"/payments/{ccd}/lag_time\", method = PATCH)";
        assert_eq!(
            mapping_path(t, 0).map(|p| p.0),
            Some("/payments/{ccd}/lag_time".to_string())
        );
        assert_eq!(
            mapping_path(b"@DeleteMapping(\"/x/{r}\")", 0).map(|p| p.0),
            Some("/x/{r}".to_string())
        );
        assert_eq!(request_method(t, 0), "PATCH");
        assert!(described_for_tests(
            b"/**\n * This API is used only for testing\n * purposes.\n */"
        )
        .is_some());
        assert!(described_for_tests(b"@Operation(summary = \"Delete the case\")").is_none());
        assert_eq!(join("/api", "/x"), "/api/x");
    }
}
