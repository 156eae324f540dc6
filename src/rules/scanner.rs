//! The hot loop: find pattern-rule matches in one file's bytes.
//!
//! Every rule's keywords are searched first, in one SIMD pass per 64 keywords (Teddy, from aho-corasick's
//! packed searchers) over a normalised copy of the file: ASCII lower-case, `_` and `-` read as a space.
//! Normalising makes the gate a superset of every keyword's exact spelling, so one searcher serves
//! case-sensitive and case-insensitive rules alike, and `test_only`/`test-only`/`test only` are one keyword.
//! A rule then runs its regex only where one of its keywords occurs: on those lines when no match can span
//! lines (decided from the pattern, see `pattern.rs`), on the whole file otherwise. Rules that do not apply
//! to the file's class are never considered, so test files cost nothing.
//!
//! Why not one Aho-Corasick automaton: with ~150 keywords, many of them short or digits, its byte-at-a-time
//! DFA ran at ~350 MB/s and was 38% of a full run; the Teddy passes skip most bytes (bench/README.md).

use super::pack::PatternRule;
use super::vocab::{normalise_into, normalised, ClassSet};
use crate::finding::Severity;
use crate::repo::classify::FileClass;
use aho_corasick::{packed, AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_automata::Input;
use std::collections::HashMap;

/// Keywords per packed searcher. Teddy takes up to 64, but up to 32 it uses its "slim" form, which reads
/// twice the bytes per step and had fewer false candidates: measured 260 ms against 370 ms for 64 per
/// searcher over the benchmark corpus's 221 MB of production files.
const KEYWORDS_PER_SEARCHER: usize = 32;

/// Each packed searcher is a pass over the file (~45 ms per 221 MB in one thread, measured), the automaton
/// one pass whatever the number of keywords (~600 ms): beyond this many searchers (a large user pack),
/// the automaton is faster.
const MAX_PACKED_SEARCHERS: usize = 8;

/// The keyword searchers, and for each keyword the rules that its occurrence makes candidates.
struct Gate {
    search: KeywordSearch,
    rules_of: Vec<Vec<usize>>,
    /// The classes some keyword-gated rule applies to: other files skip the search.
    classes: ClassSet,
}

enum KeywordSearch {
    /// Leftmost-longest searchers over disjoint slices of the keywords, `offset` being each slice's first.
    Packed(Vec<(usize, packed::Searcher)>),
    /// Where SIMD is unavailable (packed searchers cannot be built): one overlapping automaton.
    Automaton(AhoCorasick),
}

pub struct Scanner {
    rules: Vec<(PatternRule, Severity)>,
    gate: Option<Gate>,
    /// Rules without keywords: they run on every file of their classes.
    ungated: Vec<usize>,
}

/// A match, before it becomes a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    /// Preceded on its line by UI hint words ("For example, 07700 900 982"): report as a note.
    pub hint: bool,
}

/// Per-thread scratch, reused across files so the hot loop does not allocate.
#[derive(Default)]
pub struct Scratch {
    normalised: Vec<u8>,
    /// (rule, offset of one of its keywords), for rules that apply to the file's class.
    candidates: Vec<(usize, usize)>,
}

impl Scanner {
    /// `rules` are the enabled rules with their effective severities.
    pub fn new(rules: Vec<(PatternRule, Severity)>) -> Result<Scanner, aho_corasick::BuildError> {
        // Each distinct keyword once, with the rules it gates (a user pack may bring thousands).
        let mut by_keyword: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut ungated = Vec::new();
        for (i, (rule, _)) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                ungated.push(i);
            }
            for k in own_keywords(rule) {
                by_keyword.entry(k).or_default().push(i);
            }
        }
        // Digits first, as `keyword_search` wants; then by keyword, so the order is reproducible.
        let mut pairs: Vec<(Vec<u8>, Vec<usize>)> = by_keyword.into_iter().collect();
        pairs.sort_by(|a, b| (!is_digits(&a.0), &a.0).cmp(&(!is_digits(&b.0), &b.0)));
        let (keywords, rules_of): (Vec<Vec<u8>>, Vec<Vec<usize>>) = pairs.into_iter().unzip();
        let gate = if keywords.is_empty() {
            None
        } else {
            let classes = ClassSet::union(
                rules
                    .iter()
                    .filter(|(r, _)| !r.keywords.is_empty())
                    .map(|(r, _)| r.applies),
            );
            Some(Gate {
                classes,
                rules_of: with_prefix_rules(&keywords, rules_of),
                search: keyword_search(&keywords)?,
            })
        };
        Ok(Scanner {
            rules,
            gate,
            ungated,
        })
    }

    pub fn rule(&self, i: usize) -> (&PatternRule, Severity) {
        let (r, s) = &self.rules[i];
        (r, *s)
    }

    /// Does any rule apply to files of this class? If not, the file need not even be read.
    pub fn applies_to(&self, class: FileClass) -> bool {
        self.rules.iter().any(|(r, _)| r.applies.contains(class))
    }

    /// Append every match in `hay` to `hits`, in rule order then position.
    pub fn scan(&self, class: FileClass, hay: &[u8], scratch: &mut Scratch, hits: &mut Vec<Hit>) {
        let applies = |i: usize| self.rules[i].0.applies.contains(class);
        let cands = &mut scratch.candidates;
        cands.clear();
        cands.extend(
            self.ungated
                .iter()
                .filter(|&&i| applies(i))
                .map(|&i| (i, 0)),
        );
        if let Some(gate) = &self.gate {
            if gate.classes.contains(class) {
                normalise_into(hay, &mut scratch.normalised);
                gate.search.each(&scratch.normalised, |keyword, at| {
                    cands.extend(
                        gate.rules_of[keyword]
                            .iter()
                            .filter(|&&i| applies(i))
                            .map(|&i| (i, at)),
                    );
                });
            }
        }
        cands.sort_unstable();
        let mut next = 0;
        while let Some(&(rule, _)) = cands.get(next) {
            let end = next + cands[next..].partition_point(|c| c.0 == rule);
            let (r, _) = &self.rules[rule];
            if r.single_line && !r.keywords.is_empty() {
                // One search per line that holds a keyword; later keywords on a searched line are skipped.
                let mut searched_to = 0;
                for &(_, at) in &cands[next..end] {
                    if at < searched_to {
                        continue;
                    }
                    let line = line_around(hay, at);
                    searched_to = line.end.max(at + 1);
                    collect(rule, r, hay, line, hits);
                }
            } else {
                collect(rule, r, hay, 0..hay.len(), hits);
            }
            next = end;
        }
    }
}

/// A rule's keywords as the gate sees them, leaving out those that contain another of its keywords
/// (which already makes the rule a candidate wherever the longer one occurs, on the same line).
fn own_keywords(rule: &PatternRule) -> Vec<Vec<u8>> {
    let mut ks: Vec<Vec<u8>> = rule
        .keywords
        .iter()
        .map(|k| normalised(k.as_bytes()))
        .collect();
    ks.sort_by_key(|k| k.len());
    ks.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for k in ks {
        if !kept.iter().any(|s| memchr::memmem::find(&k, s).is_some()) {
            kept.push(k);
        }
    }
    kept
}

/// Leftmost-longest search reports one keyword per position; any other keyword found there is a prefix of
/// it. So a keyword's occurrence also stands for the rules of every keyword that is a prefix of it.
fn with_prefix_rules(keywords: &[Vec<u8>], own: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let index: HashMap<&[u8], usize> = keywords
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_slice(), i))
        .collect();
    keywords
        .iter()
        .map(|k| {
            let mut rules: Vec<usize> = (1..=k.len())
                .filter_map(|n| index.get(&k[..n]))
                .flat_map(|&p| own[p].iter().copied())
                .collect();
            rules.sort_unstable();
            rules.dedup();
            rules
        })
        .collect()
}

/// Packed searchers over slices of `keywords`, all-digit keywords (card prefixes, phone ranges) kept apart
/// from words: mixed, each kind's common bytes raise the other's false candidates. Needs `keywords` ordered
/// digits first (see `Scanner::new`).
fn keyword_search(keywords: &[Vec<u8>]) -> Result<KeywordSearch, aho_corasick::BuildError> {
    let digits = keywords.partition_point(|k| is_digits(k));
    let (d, w) = keywords.split_at(digits);
    let mut offset = 0;
    let packed: Option<Vec<_>> = d
        .chunks(KEYWORDS_PER_SEARCHER)
        .chain(w.chunks(KEYWORDS_PER_SEARCHER))
        .map(|chunk| {
            let at = offset;
            offset += chunk.len();
            packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostLongest)
                .builder()
                .extend(chunk)
                .build()
                .map(|s| (at, s))
        })
        .collect();
    match packed {
        Some(searchers) if searchers.len() <= MAX_PACKED_SEARCHERS => {
            return Ok(KeywordSearch::Packed(searchers))
        }
        _ => {}
    }
    let automaton = AhoCorasickBuilder::new()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::Standard)
        .build(keywords)?;
    Ok(KeywordSearch::Automaton(automaton))
}

impl KeywordSearch {
    /// Call `found(keyword, offset)` for every position where a keyword starts (the longest one there).
    fn each(&self, hay: &[u8], mut found: impl FnMut(usize, usize)) {
        match self {
            KeywordSearch::Packed(searchers) => {
                for (offset, s) in searchers {
                    let mut at = 0;
                    while let Some(m) = s.find_in(hay, aho_corasick::Span::from(at..hay.len())) {
                        found(offset + m.pattern().as_usize(), m.start());
                        // Restart one byte on, not at the match's end: keywords may overlap.
                        at = m.start() + 1;
                    }
                }
            }
            KeywordSearch::Automaton(a) => {
                for m in a.find_overlapping_iter(hay) {
                    found(m.pattern().as_usize(), m.start());
                }
            }
        }
    }
}

fn is_digits(keyword: &[u8]) -> bool {
    keyword.iter().all(u8::is_ascii_digit)
}

/// The line holding `at`, without its `\n`.
fn line_around(hay: &[u8], at: usize) -> std::ops::Range<usize> {
    let start = memchr::memrchr(b'\n', &hay[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &hay[at..]).map_or(hay.len(), |i| at + i);
    start..end
}

/// Matches of rule `i` within `span` of `hay`; look-around (`\b`, `^`, `$`) still sees the whole file.
fn collect(
    i: usize,
    rule: &PatternRule,
    hay: &[u8],
    span: std::ops::Range<usize>,
    hits: &mut Vec<Hit>,
) {
    let mut push = |start: usize, end: usize| {
        if rule.validator.is_none_or(|v| v(&hay[start..end])) {
            hits.push(Hit {
                rule: i,
                start,
                end,
                hint: rule.hint_downgrade && on_example_line(hay, start, end),
            });
        }
    };
    let input = Input::new(hay).span(span);
    match rule.capture {
        None => rule
            .regex
            .find_iter(input)
            .for_each(|m| push(m.start(), m.end())),
        Some(g) => rule
            .regex
            .captures_iter(input)
            .filter_map(|c| c.get_group(g))
            .for_each(|m| push(m.start, m.end)),
    }
}

/// Words that introduce example values in UI text: the GOV.UK Design System writes "like
/// name@example.com" in error messages and "For example, 07700 900 982" in hints; Welsh
/// translations say "fel" and "er enghraifft".
const HINT_WORDS: &[&[u8]] = &[
    b"for example",
    b"e.g.",
    b"eg.",
    b"eg:",
    b"placeholder",
    b"such as",
    b"hint",
    b"example:",
    b" like ",
    b"correct format",
    b" fel ",
    b"er enghraifft",
];

/// Do hint words come before byte `start` on its line (up to 120 bytes back): example text shown to
/// users ("For example, 07700 900 982")?
pub fn hint_words_before(hay: &[u8], start: usize) -> bool {
    let before = line_before(hay, start);
    HINT_WORDS.iter().any(|w| {
        before
            .windows(w.len())
            .enumerate()
            .any(|(i, x)| x.eq_ignore_ascii_case(w) && !(*w == b" like " && sql_like(before, i)))
    })
}

fn line_before(hay: &[u8], start: usize) -> &[u8] {
    let start = start.min(hay.len());
    let from = start.saturating_sub(120);
    let before = &hay[from..start];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    &before[line_start..]
}

/// Is the match at `start..end` example text? Either hint words come before it on its line (up to 120
/// bytes back), or the line names an example elsewhere (`["test@example.com"] if use_example_as_example`).
fn on_example_line(hay: &[u8], start: usize, end: usize) -> bool {
    if hint_words_before(hay, start) {
        return true;
    }
    let before = line_before(hay, start);
    let to = (end + 120).min(hay.len());
    let after = &hay[end..to];
    let after = &after[..memchr::memchr(b'\n', after).unwrap_or(after.len())];
    names_example(before) || names_example(after) || names_simulated(before)
}

/// Is the ` like ` at `i` SQL's operator rather than prose ("like name@example.com")? Written upper case
/// (`WHERE email LIKE '%@example.com'`), or followed by a quoted pattern (`like '%…`).
fn sql_like(before: &[u8], i: usize) -> bool {
    let word = &before[i + 1..(i + 5).min(before.len())];
    let after = &before[(i + 6).min(before.len())..];
    word == b"LIKE" || matches!(after, [b'\'' | b'"', b'%' | b'_', ..])
}

/// A value assigned to a name that documents it as a stand-in the product offers on purpose:
/// `SIMULATED_SMS_NUMBERS = ("+447700900000", …)` — numbers a service's users send to in tests of their own.
fn names_simulated(before: &[u8]) -> bool {
    before.split(|b| !b.is_ascii_alphanumeric()).any(|w| {
        ["simulated", "simulation", "simulator"]
            .iter()
            .any(|s| w.eq_ignore_ascii_case(s.as_bytes()))
    })
}

/// The word "example" used as a word or identifier part, not as a domain (`@example.com`,
/// `name.example.org`): `use_example_as_example`, `# example row`.
fn names_example(text: &[u8]) -> bool {
    const WORD: &[u8] = b"example";
    text.windows(WORD.len()).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(WORD)
            && !matches!(i.checked_sub(1).map(|p| text[p]), Some(b'@' | b'.'))
            && !matches!(text.get(i + WORD.len()), Some(b'.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pack;

    fn scanner(pack_text: &str) -> Scanner {
        let rules = pack::parse("t.toml", pack_text).unwrap_or_default();
        assert!(!rules.is_empty());
        let rules = rules.into_iter().map(|r| {
            let s = r.doc.severity;
            (r, s)
        });
        Scanner::new(rules.collect()).unwrap_or_else(|_| Scanner {
            rules: vec![],
            gate: None,
            ungated: vec![],
        })
    }

    const PACK: &str = r#"
[[rule]]
id = "t/email"
title = "t"
severity = "error"
pattern = '[a-z]+@example\.com'
case-insensitive = true
keywords = ["@example.com"]
hint-downgrade = true
why = "w"
fix = "f"
example = 'a@example.com'
near-miss = ['a@example.org']

[[rule]]
id = "t/upper"
title = "t"
severity = "warning"
pattern = 'QQ\d\d'
keywords = ["QQ"]
applies-to = ["config"]
why = "w"
fix = "f"
example = 'QQ12'
near-miss = ['qq12']
"#;

    #[test]
    fn sql_like_is_a_query_not_example_wording() {
        let hay = b"DELETE FROM users WHERE email LIKE '%@example.com'";
        let at = hay.len() - 13;
        assert!(!on_example_line(hay, at, hay.len() - 1));
        let hay = b"users.where(\"email like '%@example.com'\")";
        let at = hay.len() - 15;
        assert!(!on_example_line(hay, at, hay.len() - 3));
        let prose = b"Enter an address like name@example.com";
        assert!(on_example_line(prose, prose.len() - 16, prose.len()));
    }

    #[test]
    fn gate_runs_only_rules_whose_keywords_occur_and_that_apply() {
        let s = scanner(PACK);
        let mut scratch = Scratch::default();
        let mut hits = Vec::new();
        s.scan(
            FileClass::Code,
            b"x = 'bob@EXAMPLE.com' QQ12",
            &mut scratch,
            &mut hits,
        );
        assert_eq!(
            hits.iter().map(|h| h.rule).collect::<Vec<_>>(),
            vec![0],
            "QQ rule applies to config only"
        );
        hits.clear();
        s.scan(
            FileClass::Config,
            b"id: qq12\nid: QQ34",
            &mut scratch,
            &mut hits,
        );
        assert_eq!(
            hits,
            vec![Hit {
                rule: 1,
                start: 13,
                end: 17,
                hint: false
            }]
        );
        hits.clear();
        s.scan(FileClass::Test, b"bob@example.com", &mut scratch, &mut hits);
        assert!(hits.is_empty());
        assert!(!s.applies_to(FileClass::Test));
    }

    #[test]
    fn example_words_on_the_line_downgrade() {
        let s = scanner(PACK);
        let mut scratch = Scratch::default();
        let mut hits = Vec::new();
        let text =
            b"invalid: Enter an email address in the correct format, like name@example.com\n\
\"email\": [\"test@example.com\"] if use_example_as_example else [user.email]\n\
ADMIN = \"admin@example.com\"\n\
A = \"a@example.com\", \"b@example.com\"\n\
SIMULATED_EMAILS = (\"sim@example.com\",)\n";
        s.scan(FileClass::Code, text, &mut scratch, &mut hits);
        hits.sort_by_key(|h| h.start);
        assert_eq!(
            hits.iter().map(|h| h.hint).collect::<Vec<_>>(),
            [true, true, false, false, false, true]
        );
    }

    #[test]
    fn hint_words_on_the_same_line_downgrade() {
        let s = scanner(PACK);
        let mut scratch = Scratch::default();
        let mut hits = Vec::new();
        s.scan(
            FileClass::Template,
            b"<p class=hint>For example, bob@example.com</p>\nbob@example.com",
            &mut scratch,
            &mut hits,
        );
        assert_eq!(
            hits.iter().map(|h| h.hint).collect::<Vec<_>>(),
            vec![true, false]
        );
    }

    fn rule(id: &str, pattern: &str, keywords: &str, example: &str) -> String {
        format!(
            "[[rule]]\nid = \"{id}\"\ntitle = \"t\"\nseverity = \"error\"\npattern = '{pattern}'\n\
             keywords = [{keywords}]\nwhy = \"w\"\nfix = \"f\"\nexample = '{example}'\n"
        )
    }

    fn hits(s: &Scanner, text: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        s.scan(FileClass::Code, text, &mut Scratch::default(), &mut out);
        out.iter().map(|h| (h.rule, h.start, h.end)).collect()
    }

    #[test]
    fn a_keyword_that_extends_another_rules_keyword_still_gates_both() {
        // Leftmost-longest finds "test data" where "test" also starts: rule 0 must still run.
        let pack = rule("t/a", r"\btest\b", r#""test""#, "a test")
            + &rule("t/b", "test data", r#""test data""#, "test data");
        let s = scanner(&pack);
        assert_eq!(hits(&s, b"x test data"), vec![(0, 2, 6), (1, 2, 11)]);
    }

    #[test]
    fn keywords_are_found_across_case_and_separators_but_the_regex_decides() {
        let s = scanner(&rule(
            "t/env",
            "NODE_ENV=test",
            r#""NODE_ENV""#,
            "NODE_ENV=test",
        ));
        assert_eq!(hits(&s, b"a\nNODE_ENV=test\n"), vec![(0, 2, 15)]);
        assert!(
            hits(&s, b"node-env=test\nNode_Env=test").is_empty(),
            "the regex is case-sensitive"
        );
    }

    #[test]
    fn line_scoped_search_keeps_look_around_context_of_the_whole_file() {
        // `\b` and `^`/`$` at the edges of the keyword's line see the neighbouring bytes.
        let s = scanner(&rule("t/w", r"(?m)^\bQQ\d\d\b$", r#""QQ""#, "QQ12"));
        assert_eq!(
            hits(&s, b"aQQ12\nQQ34\nQQ56b\nQQ78"),
            vec![(0, 6, 10), (0, 17, 21)]
        );
    }

    #[test]
    fn a_pattern_that_can_cross_lines_is_searched_over_the_whole_file() {
        let s = scanner(&rule("t/ml", r"key:\s+secret", r#""key:""#, "key: secret"));
        assert!(!s.rule(0).0.single_line);
        assert_eq!(hits(&s, b"key:\n  secret\n"), vec![(0, 0, 13)]);
    }

    #[test]
    fn the_automaton_fallback_finds_what_the_packed_searchers_find(
    ) -> Result<(), aho_corasick::BuildError> {
        let keywords: Vec<Vec<u8>> =
            vec![b"4111".to_vec(), b"test".to_vec(), b"test data".to_vec()];
        let hay = b"4111 test data 4111";
        let mut packed = Vec::new();
        let search = keyword_search(&keywords)?;
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("ssse3") {
            assert!(
                matches!(search, KeywordSearch::Packed(_)),
                "Teddy needs SSSE3"
            );
        }
        search.each(hay, |k, at| packed.push((k, at)));
        let automaton = AhoCorasickBuilder::new().build(&keywords)?;
        let mut all = Vec::new();
        KeywordSearch::Automaton(automaton).each(hay, |k, at| all.push((k, at)));
        packed.sort_unstable();
        all.sort_unstable();
        // Packed reports the longest keyword per position; the automaton every one. Rules of prefixes are
        // added through `with_prefix_rules`, so the positions, not the keyword sets, must agree.
        let positions = |v: &[(usize, usize)]| {
            let mut p: Vec<usize> = v.iter().map(|x| x.1).collect();
            p.dedup();
            p.sort_unstable();
            p.dedup();
            p
        };
        assert_eq!(positions(&packed), positions(&all));
        assert_eq!(positions(&all), vec![0, 5, 15]);
        Ok(())
    }

    #[test]
    fn a_large_pack_gets_one_automaton_not_hundreds_of_passes(
    ) -> Result<(), aho_corasick::BuildError> {
        let many: Vec<Vec<u8>> = (0..KEYWORDS_PER_SEARCHER * MAX_PACKED_SEARCHERS + 1)
            .map(|i| format!("tok{i}x").into_bytes())
            .collect();
        let search = keyword_search(&many)?;
        assert!(matches!(search, KeywordSearch::Automaton(_)));
        let mut found = Vec::new();
        search.each(b"a tok7x b tok250x", |k, at| found.push((k, at)));
        assert_eq!(found, vec![(7, 2), (250, 10)]);
        Ok(())
    }
}
