//! Values are never shown in full: a report names where test data is and what kind, enough to find the
//! rows, never enough to copy a person's details into a CI log.

use crate::redact::visible_line;

/// A value masked for output, one line, control characters escaped.
///
/// - An e-mail address keeps its first character and its domain (the domain is what makes it test
///   data): `qa.tester@example.com` → `q***@example.com`.
/// - Anything else keeps the first third of its letters and digits (at least one) and every separator,
///   the rest starred: `4242 4242 4242 4242` → `4242 4*** **** ****`, `John Doe` → `Jo** ***`.
pub fn value(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim();
    let masked = match text.rfind('@') {
        Some(at) if at > 0 && !text[at + 1..].is_empty() => {
            let first = text.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{}", &text[at + 1..])
        }
        _ => leading_third(text),
    };
    visible_line(&masked).into_owned()
}

fn leading_third(text: &str) -> String {
    let total = text.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = (total / 3).max(1);
    let mut seen = 0;
    text.chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= keep {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// A row's key as shown: numbers, UUIDs and row positions (`(0,3)`) as they are, which identify a row
/// and say nothing about a person; any other key (an e-mail used as a key) masked like a value.
pub fn key(raw: &[u8]) -> String {
    let plain = !raw.is_empty()
        && raw
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'(' | b')' | b',' | b'-' | b'.'))
        || is_uuid(raw);
    if plain {
        String::from_utf8_lossy(raw).into_owned()
    } else {
        value(raw)
    }
}

fn is_uuid(raw: &[u8]) -> bool {
    raw.len() == 36
        && raw.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_what_makes_them_test_data_and_no_more() {
        assert_eq!(value(b"qa.tester@example.com"), "q***@example.com");
        assert_eq!(value(b"4242 4242 4242 4242"), "4242 4*** **** ****");
        assert_eq!(value(b"John Doe"), "Jo** ***");
        assert_eq!(value(b"999 000 0018"), "999 *** ****");
        assert_eq!(value(b"QQ 12 34 56 C"), "QQ 1* ** ** *");
        assert_eq!(value(b"x"), "x");
        assert_eq!(value(b"a\x1b[31mb@example.com"), "a***@example.com");
        assert_eq!(value(b"\x1b]8;;x\x07"), "\\x1b]8;;*\\x07");
    }

    #[test]
    fn keys_are_shown_when_they_say_nothing_about_a_person() {
        assert_eq!(key(b"42"), "42");
        assert_eq!(key(b"(0,3)"), "(0,3)");
        assert_eq!(
            key(b"0f8fad5b-d9cb-469f-a165-70867728950e"),
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        );
        assert_eq!(key(b"someone@corp.example"), "s***@corp.example");
    }
}
