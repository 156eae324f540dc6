//! Values written as documentation examples: the example of a schema or an API parameter, shown in the
//! API's documentation and never stored or sent. Joi/zod/yup `.example('a@example.com')`, Java/Kotlin
//! `@Schema(example = "…")` and `@ApiModelProperty(example = "…")`, pydantic `Field(example=…,
//! examples=[…])` and `json_schema_extra={"example": {…}}`, OpenAPI `example:` / `examples:` in YAML or
//! JSON. The value counts when it is the example's own value or nested anywhere inside it; the same value
//! as a default, a constant or a record is not an example and is still judged.

/// How far back to look for the construct (an example object can be long; a hostile file must not make
/// every hit scan the whole file).
const LOOK_BACK: usize = 4096;
/// Enclosing brackets or YAML headers to climb.
const MAX_LEVELS: usize = 12;

/// Keys and calls that introduce an example.
fn is_example_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "example" | "examples" | "exampleobject" | "x-example" | "x-examples"
    )
}

/// Is byte `at` inside the value of a documentation example?
pub fn in_documented_example(content: &[u8], at: usize) -> bool {
    let at = at.min(content.len());
    in_bracketed_example(content, at) || under_yaml_example_key(content, at)
}

/// Walk back from `at`: first along its own line at its own level, where a key written before the value
/// (`example = `, `"example":`, `examples=`) names an example; then out through the brackets enclosing
/// it, each named by what is written before it (`examples=[`, `"example": {`, `.example(`,
/// `@ExampleObject(`, `example=Person(`).
fn in_bracketed_example(content: &[u8], at: usize) -> bool {
    let floor = at.saturating_sub(LOOK_BACK);
    let mut i = at;
    let mut depth: usize = 0;
    // The hit's own line.
    while i > floor {
        let c = content[i - 1];
        match c {
            b'\n' => break,
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' | b'[' | b'{' => break,
            b'=' | b':' if depth == 0 => {
                // `==`, `!=`, `::` and `://` are no assignment.
                let prev = i.checked_sub(2).map(|p| content[p]);
                let next = content.get(i).copied();
                let assigns = !matches!(prev, Some(b'=' | b'!' | b'<' | b'>' | b':'))
                    && !matches!(next, Some(b'=' | b':' | b'/'));
                if assigns && is_example_name(&key_before(&content[floor..i - 1])) {
                    return true;
                }
            }
            _ => {}
        }
        i -= 1;
    }
    // The enclosing brackets, outwards.
    for _ in 0..MAX_LEVELS {
        let Some(open) = enclosing_bracket(content, floor, i) else {
            return false;
        };
        if names_example_before(&content[floor..open], content[open] == b'(') {
            return true;
        }
        i = open;
    }
    false
}

/// The nearest unmatched opening bracket before `i` (within the look-back).
fn enclosing_bracket(content: &[u8], floor: usize, i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    while j > floor {
        j -= 1;
        match content[j] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' | b'[' | b'{' => return Some(j),
            _ => {}
        }
    }
    None
}

/// The calls enclosing byte `at`, innermost first: the callee written before each enclosing `(` (`({` and
/// `(**` included), lower-case with its dotted path (`sentry_sdk.init`, `sentry.init`).
pub fn enclosing_calls(content: &[u8], at: usize) -> Vec<String> {
    let at = at.min(content.len());
    let floor = at.saturating_sub(LOOK_BACK);
    let mut out = Vec::new();
    let mut i = at;
    for _ in 0..MAX_LEVELS {
        let Some(open) = enclosing_bracket(content, floor, i) else {
            break;
        };
        if content[open] == b'(' {
            let before = trim_blanks(&content[floor..open]);
            let start = before
                .iter()
                .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$')))
                .map_or(0, |p| p + 1);
            out.push(String::from_utf8_lossy(&before[start..]).to_ascii_lowercase());
        }
        i = open;
    }
    out
}

/// The text before an opening bracket names an example: `examples=`, `"example": `, `example:` before
/// `[`/`{`/`(`, or (for a call) `.example` / `@ExampleObject` right before `(`.
fn names_example_before(before: &[u8], call: bool) -> bool {
    // On the bracket's own line: `example:` ending the line before is a block header, not this value's key.
    let mut trimmed = trim_blanks(before);
    if call {
        let name = ident_before(trimmed);
        if is_example_name(name) {
            return true;
        }
        // `example=Person(…)`, `"example": dict(…)`: the key before the callee (and its dotted path).
        let callee = trimmed
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@')))
            .map_or(0, |p| p + 1);
        trimmed = trim_blanks(&trimmed[..callee]);
    }
    match trimmed.last() {
        Some(b'=' | b':') => is_example_name(&key_before(&trimmed[..trimmed.len() - 1])),
        _ => false,
    }
}

/// The key written before an `=` or `:`: an identifier, possibly quoted (`"example"`, `'examples'`).
fn key_before(before: &[u8]) -> String {
    let t = trim_end(before);
    let t = t
        .strip_suffix(b"\"")
        .or_else(|| t.strip_suffix(b"'"))
        .unwrap_or(t);
    String::from_utf8_lossy(ident_bytes_before(t)).into_owned()
}

fn ident_before(before: &[u8]) -> &str {
    let before = before.strip_prefix(b"@").unwrap_or(before);
    std::str::from_utf8(ident_bytes_before(before)).unwrap_or("")
}

fn ident_bytes_before(before: &[u8]) -> &[u8] {
    let start = before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
        .map_or(0, |p| p + 1);
    &before[start..]
}

fn trim_blanks(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !matches!(c, b' ' | b'\t'))
        .map_or(0, |p| p + 1);
    &b[..end]
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &b[..end]
}

/// YAML by indentation: the hit's line or one of the less-indented lines above it (its headers) is an
/// `example:` or `examples:` key (`examples:` → `default:` → `value:` → `email: a@example.com`).
fn under_yaml_example_key(content: &[u8], at: usize) -> bool {
    let floor = at.saturating_sub(LOOK_BACK);
    let line_start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let line = &content[line_start..at];
    if yaml_key(line).is_some_and(is_example_name) {
        return true;
    }
    let mut limit = indent(line);
    let mut end = line_start;
    let mut levels = 0;
    while limit > 0 && end > floor && levels < MAX_LEVELS {
        let start = memchr::memrchr(b'\n', &content[..end - 1]).map_or(0, |i| i + 1);
        let l = &content[start..end - 1];
        end = start;
        let trimmed = trim_end(l);
        if trimmed.is_empty() || trimmed.trim_ascii_start().starts_with(b"#") {
            continue;
        }
        let width = indent(l);
        if width < limit {
            if yaml_key(l).is_some_and(is_example_name) {
                return true;
            }
            limit = width;
            levels += 1;
        }
        if start == 0 {
            break;
        }
    }
    false
}

/// The key of a YAML line (`  - "examples":` → `examples`), when the line starts with one.
fn yaml_key(line: &[u8]) -> Option<&str> {
    let t = line.trim_ascii_start();
    let t = t.strip_prefix(b"- ").unwrap_or(t).trim_ascii_start();
    let t = t
        .strip_prefix(b"\"")
        .or_else(|| t.strip_prefix(b"'"))
        .unwrap_or(t);
    let len = t
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    let rest = t[len..]
        .strip_prefix(b"\"")
        .or_else(|| t[len..].strip_prefix(b"'"))
        .unwrap_or(&t[len..]);
    (len > 0 && rest.starts_with(b":")).then(|| std::str::from_utf8(&t[..len]).unwrap_or(""))
}

fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> bool {
        let i = text.find(needle).unwrap_or(0);
        in_documented_example(text.as_bytes(), i)
    }

    #[test]
    fn example_constructs() {
        for (text, value) in [
            ("email: Joi.string().email().example('jo@example.com'),", "jo@"),
            ("  @Schema(description = \"Email\", example = \"jo@example.com\")", "jo@"),
            ("  @ApiModelProperty(value = \"Card\", example = \"4242424242424242\")", "4242"),
            ("    email: str = Field(..., example=\"jo@example.com\")", "jo@"),
            ("    email: str = Field(examples=[\"a@example.com\", \"jo@example.com\"])", "jo@"),
            ("    phone: str = Field(\n        examples=[\n            \"07700 900 982\",\n        ],\n    )", "07700"),
            ("model_config = {\"json_schema_extra\": {\"example\": {\"email\": \"jo@example.com\"}}}", "jo@"),
            ("    schema:\n      type: string\n      example: jo@example.com\n", "jo@"),
            ("  examples:\n    default:\n      value:\n        email: jo@example.com\n", "jo@"),
            ("{\"example\": {\"person\": {\"email\": \"jo@example.com\"}}}", "jo@"),
            ("const s = z.string().email().openapi({ example: 'jo@example.com' })", "jo@"),
            ("@ExampleObject(name = \"x\", value = \"{\\\"email\\\": \\\"jo@example.com\\\"}\")", "jo@"),
            ("    example=Person(name=\"Jo\", email=\"jo@example.com\"),", "jo@"),
        ] {
            assert!(at(text, value), "{text}");
        }
    }

    #[test]
    fn any_bytes_at_any_position_never_panic() {
        let mut samples: Vec<Vec<u8>> = vec![
            "é(\n)]}{[ example: \"ü\" ((((".as_bytes().to_vec(),
            b"\n\n\n  \n\t- examples:\n    - x".to_vec(),
            (0u8..=255).collect(),
        ];
        samples.push("(".repeat(10_000).into_bytes());
        for s in &samples {
            for at in 0..=s.len() + 1 {
                let _ = in_documented_example(s, at);
                let _ = enclosing_calls(s, at);
            }
        }
    }

    #[test]
    fn the_same_values_elsewhere_are_not_examples() {
        for (text, value) in [
            ("DEFAULT_EMAIL = \"jo@example.com\"", "jo@"),
            ("    email: str = Field(default=\"jo@example.com\")", "jo@"),
            (
                "  @Schema(description = \"Email\")\n  String email = \"jo@example.com\";",
                "jo@",
            ),
            ("examples = load()\nADMIN = \"jo@example.com\"", "jo@"),
            ("admin:\n  email: jo@example.com\n", "jo@"),
            ("if x == example:\n    send(\"jo@example.com\")", "jo@"),
            ("users.create(email: \"jo@example.com\")", "jo@"),
            (
                "example: str = \"x\"\nemail: str = Field(default=\"jo@example.com\")",
                "jo@",
            ),
            (
                "Field(\n    example=\"a@example.org\",\n    default=\"jo@example.com\",\n)",
                "jo@",
            ),
        ] {
            assert!(!at(text, value), "{text}");
        }
    }
}
