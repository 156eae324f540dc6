//! One pass over a code file says which of the reach detectors (test routes, environment defaults,
//! login bypasses) can find anything in it, so that each is run only on the few files holding its
//! words, instead of each scanning every file.

use std::sync::LazyLock;

/// Which detectors a file's text can feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Anchors {
    /// A test-support word (`test`, `e2e`, `cypress`, `backdoor`, `stub`…): test routes.
    pub test_words: bool,
    /// An environment-name variable (`…ENV…`, `DJANGO_SETTINGS_MODULE`, `SPRING_PROFILES_ACTIVE`).
    pub env_names: bool,
    /// A way of signing a user in or skipping login.
    pub logins: bool,
}

/// (pattern, which anchor) — case-sensitive, as the detectors read them.
const PATTERNS: &[(&str, u8)] = &[
    ("test", 0),
    ("Test", 0),
    ("TEST", 0),
    ("e2e", 0),
    ("cypress", 0),
    ("Cypress", 0),
    ("backdoor", 0),
    ("fake", 0),
    ("Fake", 0),
    ("stub", 0),
    ("Stub", 0),
    ("mock", 0),
    ("Mock", 0),
    ("dev-", 0),
    ("dev_", 0),
    ("ENV", 1),
    ("DJANGO_SETTINGS_MODULE", 1),
    ("SPRING_PROFILES_ACTIVE", 1),
    ("user =", 2),
    ("User =", 2),
    ("userId =", 2),
    ("user_id] =", 2),
    ("login_user(", 2),
    ("sign_in(", 2),
    ("skip_before_action", 2),
];

/// One packed searcher per detector: each stops at its first hit, so a file is scanned at most three
/// times at memory speed instead of stopping at every occurrence of a common word.
static SEARCHERS: LazyLock<Option<[aho_corasick::packed::Searcher; 3]>> = LazyLock::new(|| {
    let group = |g: u8| {
        let mut b = aho_corasick::packed::Config::new().builder();
        for (p, _) in PATTERNS.iter().filter(|(_, k)| *k == g) {
            b.add(p);
        }
        b.build()
    };
    Some([group(0)?, group(1)?, group(2)?])
});

/// The anchors present in `text` (all of them when the searchers could not be built: no detector is
/// skipped for want of one).
pub(crate) fn of(text: &[u8]) -> Anchors {
    let Some(searchers) = SEARCHERS.as_ref() else {
        return Anchors {
            test_words: true,
            env_names: true,
            logins: true,
        };
    };
    let hit = |i: usize| searchers[i].find(text).is_some();
    Anchors {
        test_words: hit(0),
        env_names: hit(1),
        logins: hit(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_name_the_detectors_a_file_can_feed() {
        assert_eq!(of(b"x = 1\n"), Anchors::default());
        let a = of(b"const env = process.env.NODE_ENV || 'dev'\nrouter.post('/test-support/x')\n");
        assert!(a.env_names && a.test_words && !a.logins);
        assert!(of(b"req.user = { id: 1 }\n").logins);
    }
}
