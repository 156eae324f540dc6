//! The rule catalogue: every rule shipgate knows, from code and from TOML packs, with its documentation.

pub mod pack;
pub mod pattern;
pub mod scanner;
pub mod validators;
pub mod vocab;

use crate::config::{Config, RuleSetting};
use crate::diag::{did_you_mean, SourceDiag};
use crate::finding::{Finding, Location, Severity};
use crate::repo::classify::FileClass;
use serde::Serialize;

pub use pack::PatternRule;

/// A rule implemented in code (branch policy, imports, ...). Declared as a `const` next to its check,
/// so the documentation lives beside the logic.
#[derive(Debug, Clone, Copy)]
pub struct CodeRule {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub why: &'static str,
    pub fix: &'static str,
    pub example: &'static str,
    /// The integration test that makes this rule fire through the binary, `module::test_name` in
    /// `tests/cli/<module>.rs` (a test in `checks::registry` proves it exists). Empty only for the
    /// diagnostics `explain` documents, which are not rules.
    pub fires_in: &'static str,
}

impl CodeRule {
    /// A finding of this rule, at the rule's own severity: checks emit through the rule, so the severity
    /// is stated once (here in the rule), and `[rules]` overrides apply to it later, in `suppress`.
    pub fn finding(&self, message: impl Into<String>, location: Location) -> Finding {
        Finding::new(self.id, self.severity, message, location)
    }
}

/// `rule!(ID)`: the rule with this id in the calling module's `RULES`, resolved at compile time (a
/// missing id fails the build, never the run). Emit with `rule!(ID).finding(message, location)`.
macro_rules! rule {
    ($id:expr) => {
        const { $crate::rules::find(RULES, $id) }
    };
    ($rules:path, $id:expr) => {
        const { $crate::rules::find($rules, $id) }
    };
}
pub(crate) use rule;

/// The rule with this id in `rules`. Only for `rule!`, which evaluates it at compile time.
#[doc(hidden)]
pub const fn find(rules: &'static [CodeRule], id: &str) -> &'static CodeRule {
    let mut i = 0;
    while i < rules.len() {
        if const_eq(rules[i].id, id) {
            return &rules[i];
        }
        i += 1;
    }
    panic!("no such rule in this check's RULES")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Everything `shipgate rules` and `shipgate explain` show about a rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleDoc {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub why: String,
    pub fix: String,
    pub example: String,
    /// `built-in`, `built-in rules/markers.toml`, or the user's pack path.
    pub origin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub case_insensitive: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<FileClass>,
}

impl From<&CodeRule> for RuleDoc {
    fn from(r: &CodeRule) -> Self {
        RuleDoc {
            id: r.id.to_string(),
            title: r.title.to_string(),
            severity: r.severity,
            why: r.why.to_string(),
            fix: r.fix.to_string(),
            example: r.example.to_string(),
            origin: "built-in".to_string(),
            pattern: None,
            case_insensitive: false,
            applies_to: Vec::new(),
        }
    }
}

/// The built-in packs, embedded in the binary.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "rules/markers.toml",
        include_str!("../../rules/markers.toml"),
    ),
    (
        "rules/switches.toml",
        include_str!("../../rules/switches.toml"),
    ),
    ("rules/access.toml", include_str!("../../rules/access.toml")),
];

pub struct Catalogue {
    pub docs: Vec<RuleDoc>,
    pub patterns: Vec<PatternRule>,
}

impl Catalogue {
    /// Built-in packs and the given code rules only (the check registry's: `checks::catalogue`).
    pub fn builtin(code_rules: &[&'static CodeRule]) -> Result<Catalogue, SourceDiag> {
        let mut cat = Catalogue {
            docs: code_rules.iter().copied().map(RuleDoc::from).collect(),
            patterns: Vec::new(),
        };
        for (name, text) in BUILTIN_PACKS {
            cat.add_pack(&format!("built-in {name}"), name, text)?;
        }
        Ok(cat)
    }

    /// Built-in rules plus the user's packs (`(shown path, text)`, as `config::policy` read them),
    /// checked against the config.
    pub fn from_packs(
        code_rules: &[&'static CodeRule],
        config: &Config,
        packs: &[(String, String)],
    ) -> Result<Catalogue, SourceDiag> {
        let mut cat = Catalogue::builtin(code_rules)?;
        for (shown, text) in packs {
            cat.add_pack(shown, shown, text)?;
        }
        cat.check_config(config)?;
        Ok(cat)
    }

    fn add_pack(&mut self, origin: &str, shown: &str, text: &str) -> Result<(), SourceDiag> {
        for rule in pack::parse(shown, text)? {
            if let Some(existing) = self.get(&rule.doc.id) {
                return Err(SourceDiag::plain(
                    "rules/duplicate-id",
                    format!(
                        "rule `{}` in {shown} is already defined ({})",
                        rule.doc.id, existing.origin
                    ),
                )
                .with_help("give your rule its own id, e.g. `yourteam/...`"));
            }
            let mut doc = rule.doc.clone();
            doc.origin = origin.to_string();
            self.docs.push(doc);
            self.patterns.push(rule);
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&RuleDoc> {
        self.docs.iter().find(|d| d.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.docs.iter().map(|d| d.id.as_str())
    }

    /// The severity a rule reports at under `config`, or None when turned off.
    pub fn effective(&self, id: &str, default: Severity, config: &Config) -> Option<Severity> {
        match config.setting_for(id) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Severity(s)) => Some(s),
            None => Some(default),
        }
    }

    /// Every rule named in `[rules]` must exist: a typo would silently leave a rule at its default.
    fn check_config(&self, config: &Config) -> Result<(), SourceDiag> {
        for o in &config.rules {
            if self.get(&o.id).is_none() {
                let mut d = config.diag_at(
                    "config/unknown-rule",
                    format!("unknown rule `{}`", o.id),
                    o.span.clone(),
                    "no such rule",
                );
                d.help = Some(
                    did_you_mean(&o.id, self.ids())
                        .unwrap_or_else(|| "`shipgate rules` lists every rule id".to_string()),
                );
                return Err(d);
            }
        }
        Ok(())
    }
}
