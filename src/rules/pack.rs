//! Rule packs: TOML files of pattern rules (`rules/*.toml` built in, `.shipgate/rules/*.toml` from users).
//!
//! Each rule is compiled and then tested against its own `example` (must match) and `near-miss` entries
//! (must not), through the same keyword gate and validator the scanner uses. A rule whose keywords its
//! regex does not require would silently miss matches, so that is caught here too.

use super::pattern;
use super::validators;
use super::vocab::normalised;
pub use super::vocab::ClassSet;
use super::RuleDoc;
use crate::diag::{did_you_mean, SourceDiag};
use crate::finding::Severity;
use crate::repo::classify::FileClass;
use regex_automata::meta::Regex;
use serde::Deserialize;
use toml::Spanned;

/// The classes a rule applies to when it does not say.
pub const DEFAULT_CLASSES: &[FileClass] = &[
    FileClass::Code,
    FileClass::Template,
    FileClass::Config,
    FileClass::Migration,
    FileClass::Deploy,
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: Spanned<String>,
    title: String,
    severity: Spanned<String>,
    pattern: Spanned<String>,
    #[serde(default)]
    case_insensitive: bool,
    #[serde(default)]
    unicode: bool,
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    validator: Option<Spanned<String>>,
    capture: Option<Spanned<usize>>,
    #[serde(default)]
    hint_downgrade: bool,
    /// Severity when the match is the value of a top-level setting (`ADMIN = "ops@example.com"`,
    /// `FIRST_SUPERUSER=admin@example.com`): a production setting holding test data is a stronger
    /// signal than the same value anywhere else.
    setting_severity: Option<Spanned<String>>,
    applies_to: Option<Vec<Spanned<String>>>,
    why: String,
    fix: String,
    example: Spanned<String>,
    #[serde(default)]
    near_miss: Vec<Spanned<String>>,
}

/// A compiled pattern rule.
#[derive(Debug, Clone)]
pub struct PatternRule {
    pub doc: RuleDoc,
    pub regex: Regex,
    /// No match can span lines, so the regex need only run on lines where a keyword occurs.
    pub single_line: bool,
    pub keywords: Vec<String>,
    pub case_insensitive: bool,
    pub validator: Option<fn(&[u8]) -> bool>,
    pub capture: Option<usize>,
    pub hint_downgrade: bool,
    pub setting_severity: Option<Severity>,
    /// The user chose this rule's severity in `[rules]`: it applies to every hit as set, without the
    /// built-in calibration (setting values, weak forms of a switch).
    pub severity_set_by_user: bool,
    pub applies: ClassSet,
}

/// Parse and compile a pack. `name` is how the file is shown in diagnostics.
pub fn parse(name: &str, text: &str) -> Result<Vec<PatternRule>, SourceDiag> {
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        SourceDiag::at(
            "rules/invalid",
            format!("invalid rule pack: {}", e.message().trim()),
            name,
            text,
            e.span().unwrap_or(0..0),
            "here",
        )
    })?;
    let err = |span: std::ops::Range<usize>, msg: String, label: &str| {
        SourceDiag::at("rules/invalid", msg, name, text, span, label)
    };
    let mut out = Vec::with_capacity(raw.rule.len());
    for spanned in raw.rule {
        let rule_span = spanned.span();
        let r = spanned.into_inner();
        let id = r.id.get_ref().clone();
        if !valid_id(&id) {
            return Err(err(
                r.id.span(),
                format!("rule id `{id}` must look like `family/name` (lowercase, digits, dashes)"),
                "bad id",
            ));
        }
        let severity = Severity::parse(r.severity.get_ref()).ok_or_else(|| {
            err(
                r.severity.span(),
                format!("rule `{id}`: severity must be error, warning or note"),
                "not a severity",
            )
            .with_help(
                did_you_mean(r.severity.get_ref(), ["error", "warning", "note"])
                    .unwrap_or_default(),
            )
        })?;
        let compiled = pattern::compile(r.pattern.get_ref(), r.unicode, r.case_insensitive)
            .map_err(|e| {
                err(
                    r.pattern.span(),
                    format!("rule `{id}`: the pattern does not compile"),
                    &first_line(&e),
                )
                .with_help(e)
            })?;
        let regex = compiled.regex;
        let setting_severity = match &r.setting_severity {
            None => None,
            Some(v) => Some(Severity::parse(v.get_ref()).ok_or_else(|| {
                err(
                    v.span(),
                    format!("rule `{id}`: setting-severity must be error, warning or note"),
                    "not a severity",
                )
            })?),
        };
        let validator = match &r.validator {
            None => None,
            Some(v) => Some(validators::by_name(v.get_ref()).ok_or_else(|| {
                err(
                    v.span(),
                    format!("rule `{id}`: unknown validator `{}`", v.get_ref()),
                    "no such validator",
                )
                .with_help(format!("validators: {}", validators::NAMES.join(", ")))
            })?),
        };
        if let Some(c) = &r.capture {
            if *c.get_ref() >= regex.captures_len() {
                return Err(err(
                    c.span(),
                    format!(
                        "rule `{id}`: the pattern has no capture group {}",
                        c.get_ref()
                    ),
                    "no such group",
                ));
            }
        }
        for k in &r.keywords {
            if k.get_ref().is_empty() {
                return Err(err(
                    k.span(),
                    format!("rule `{id}`: empty keyword"),
                    "empty",
                ));
            }
        }
        let classes = match &r.applies_to {
            None => DEFAULT_CLASSES.to_vec(),
            Some(list) => list
                .iter()
                .map(|c| {
                    FileClass::parse(c.get_ref()).ok_or_else(|| {
                        err(
                            c.span(),
                            format!("rule `{id}`: unknown file class `{}`", c.get_ref()),
                            "no such class",
                        )
                        .with_help(
                            did_you_mean(c.get_ref(), FileClass::ALL.iter().map(|c| c.as_str()))
                                .unwrap_or_else(|| {
                                    format!(
                                        "classes: {}",
                                        FileClass::ALL
                                            .iter()
                                            .map(|c| c.as_str())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    )
                                }),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let rule = PatternRule {
            doc: RuleDoc {
                id: id.clone(),
                title: r.title,
                severity,
                why: r.why.trim().to_string(),
                fix: r.fix.trim().to_string(),
                example: r.example.get_ref().clone(),
                origin: name.to_string(),
                pattern: Some(r.pattern.get_ref().clone()),
                case_insensitive: r.case_insensitive,
                applies_to: classes.clone(),
            },
            regex,
            single_line: compiled.single_line,
            keywords: r.keywords.iter().map(|k| k.get_ref().clone()).collect(),
            case_insensitive: r.case_insensitive,
            validator,
            capture: r.capture.as_ref().map(|c| *c.get_ref()),
            hint_downgrade: r.hint_downgrade,
            setting_severity,
            severity_set_by_user: false,
            applies: ClassSet::of(&classes),
        };
        self_test(&rule, &r.example, &r.near_miss)
            .map_err(|(span, msg)| err(span, format!("rule `{id}`: {msg}"), "here"))?;
        let _ = rule_span;
        out.push(rule);
    }
    Ok(out)
}

/// The example must be found, through the keyword gate, and no near-miss may be.
fn self_test(
    rule: &PatternRule,
    example: &Spanned<String>,
    near_miss: &[Spanned<String>],
) -> Result<(), (std::ops::Range<usize>, String)> {
    let ex = example.get_ref().as_bytes();
    if !rule.regex.is_match(ex) {
        return Err((
            example.span(),
            "the example does not match the pattern".into(),
        ));
    }
    if !rule.keywords.is_empty() {
        for m in rule.regex.find_iter(ex) {
            let m = &ex[m.range()];
            if !contains_keyword(rule, m) {
                return Err((
                    example.span(),
                    format!(
                        "the match `{}` contains none of the keywords, so the keyword gate would hide it",
                        String::from_utf8_lossy(m)
                    ),
                ));
            }
        }
    }
    if !finds(rule, ex) {
        return Err((
            example.span(),
            "the example matches the pattern but the validator rejects it".into(),
        ));
    }
    for nm in near_miss {
        if finds(rule, nm.get_ref().as_bytes())
            && (rule.keywords.is_empty() || contains_keyword(rule, nm.get_ref().as_bytes()))
        {
            return Err((
                nm.span(),
                "this near-miss is reported, but must not be".into(),
            ));
        }
    }
    Ok(())
}

/// Does the rule report anything in `hay` (regex + validator, no gate)?
pub fn finds(rule: &PatternRule, hay: &[u8]) -> bool {
    rule.regex.captures_iter(hay).any(|c| {
        let m = rule
            .capture
            .and_then(|i| c.get_group(i))
            .or_else(|| c.get_group(0));
        m.is_some_and(|m| rule.validator.is_none_or(|v| v(&hay[m.range()])))
    })
}

/// Would the scanner's keyword gate see one of the rule's keywords in `hay`? (Same normalisation.)
fn contains_keyword(rule: &PatternRule, hay: &[u8]) -> bool {
    let hay = normalised(hay);
    rule.keywords.iter().any(|k| {
        let k = normalised(k.as_bytes());
        memchr::memmem::find(&hay, &k).is_some()
    })
}

fn valid_id(id: &str) -> bool {
    let Some((family, name)) = id.split_once('/') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    ok(family) && ok(name)
}

fn first_line(s: &str) -> String {
    s.lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| s.lines().last().unwrap_or(""))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[rule]]
id = "acme/internal-host"
title = "Staging host in production"
severity = "warning"
pattern = 'staging\.acme\.internal'
keywords = ["staging.acme"]
why = "w"
fix = "f"
example = 'url = "https://staging.acme.internal/api"'
near-miss = ['url = "https://acme.internal/api"']
"#;

    #[test]
    fn a_good_pack_compiles() {
        let rules = parse("p.toml", GOOD);
        assert!(
            rules
                .as_ref()
                .is_ok_and(|r| r.len() == 1 && r[0].doc.severity == Severity::Warning),
            "{:?}",
            rules.err()
        );
    }

    fn error_of(text: &str) -> SourceDiag {
        match parse("p.toml", text) {
            Ok(_) => SourceDiag::plain("none", "parsed without error"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_bad_regex_points_at_the_pattern_line() {
        let e = error_of(&GOOD.replace(r"staging\.acme\.internal", r"staging(\.acme"));
        assert!(e.message.contains("does not compile"), "{}", e.message);
        assert_eq!(e.line(), Some(6));
    }

    #[test]
    fn an_example_that_does_not_match_is_refused() {
        let e = error_of(&GOOD.replace(
            "https://staging.acme.internal/api\"'",
            "https://prod.acme.internal/api\"'",
        ));
        assert!(
            e.message.contains("example does not match"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_keyword_the_regex_does_not_require_is_refused() {
        let e = error_of(&GOOD.replace(r#"keywords = ["staging.acme"]"#, r#"keywords = ["prod"]"#));
        assert!(
            e.message.contains("keyword gate would hide it"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_matching_near_miss_is_refused() {
        let e = error_of(&GOOD.replace(
            "https://acme.internal/api",
            "https://staging.acme.internal/x",
        ));
        assert!(e.message.contains("near-miss is reported"), "{}", e.message);
    }

    #[test]
    fn unknown_fields_validators_and_classes_are_located() {
        assert!(error_of(&GOOD.replace("title =", "titel ="))
            .message
            .contains("unknown field"));
        let e = error_of(&GOOD.replace("fix = \"f\"", "fix = \"f\"\nvalidator = \"luhnn\""));
        assert!(e.message.contains("unknown validator"), "{}", e.message);
        let e = error_of(&GOOD.replace("fix = \"f\"", "fix = \"f\"\napplies-to = [\"prod\"]"));
        assert!(e.message.contains("unknown file class"), "{}", e.message);
    }

    #[test]
    fn class_sets() {
        let s = ClassSet::of(&[FileClass::Code, FileClass::Deploy]);
        assert!(
            s.contains(FileClass::Code)
                && s.contains(FileClass::Deploy)
                && !s.contains(FileClass::Test)
        );
    }
}
