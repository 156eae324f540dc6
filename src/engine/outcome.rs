//! A pull request is judged by its outcome: the head tree's findings against the merge base's, both
//! evaluated under the base branch's policy. A head finding fails the change when it has no counterpart
//! at the base — or its counterpart was hidden there and is not any more — whatever lines it touches.
//!
//! Counterparts match by identity, as code scanning matches alerts by fingerprint, never by line number
//! or "touched line": the rule, the file across renames (git's rename detection between the two trees),
//! the finding's content (its evidence with whitespace normalised, else its source text) and its
//! enclosing scope (`repo::enclosing`), as a multiset — two identical findings at the head against one at
//! the base leave one new. Where a group has more than one candidate, the diff's line mapping only
//! decides which of equals is the old one (so the new line is the one named).
//!
//! Suppressions carry over by the same identity: an inline allow hides at the head only the counterpart
//! of a finding it hid at the base (never a new finding moved under it), and a baseline entry hides the
//! counterpart of the finding it hid there (never "the next occurrence" that took its fingerprint).

use super::base::{work_tree_bytes, Reader};
use crate::checks;
use crate::config::Config;
use crate::finding::{Finding, Location, Severity};
use crate::repo::changes::ChangeSet;
use crate::repo::enclosing;
use crate::rules::Catalogue;
use crate::suppress::{self, baseline::Baseline, inline::Directive, Cover, HiddenBy, Suppressed};
use std::collections::{HashMap, HashSet};

/// One evaluation's findings (fingerprinted, before suppression) and inline allows.
pub struct Evaluated {
    pub findings: Vec<Finding>,
    pub directives: Vec<Directive>,
}

/// What judging needs besides the two evaluations: the policy's suppression settings and the change.
pub struct Judge<'a> {
    pub config: &'a Config,
    pub catalogue: &'a Catalogue,
    pub baseline: Option<(Baseline, String)>,
    /// False with `--no-suppress`.
    pub enabled: bool,
    pub unevaluated: suppress::Unevaluated,
    pub changes: &'a ChangeSet,
    pub reader: &'a Reader<'a>,
    /// The repository-wide claims the merge base makes (`checks::prototype::claims`).
    pub base_claims: Vec<&'static str>,
}

/// The change's verdict material.
#[derive(Debug, Default)]
pub struct Judged {
    /// What the change introduces (and what the gate could not evaluate): what the run reports.
    pub introduced: Vec<Finding>,
    /// Head findings the base already had, as visible there: not failed on, but part of the tree.
    pub pre_existing: Vec<Finding>,
    /// Inline allows the change adds: policy changes, never suppressing.
    pub held: Vec<Directive>,
    pub suppressed: Suppressed,
}

/// Judge the head against the base.
pub fn judge(j: &Judge<'_>, head: Evaluated, base: Evaluated) -> Judged {
    let mut ids = Identities::new(j);
    // The base as the whole tree reads it: what its allows and the baseline hid, and by what.
    let base_directive_keys: Vec<Item> = base
        .directives
        .iter()
        .map(|d| ids.directive(d, Side::Base))
        .collect();
    let base_items: Vec<Item> = base
        .findings
        .iter()
        .map(|f| ids.finding(f, Side::Base))
        .collect();
    let base_fps: Vec<String> = base
        .findings
        .iter()
        .map(|f| f.fingerprint.clone())
        .collect();
    // Each base finding's severity, and whether a check lowered it there.
    let base_severity: HashMap<String, (Severity, bool)> = base
        .findings
        .iter()
        .map(|f| {
            (
                f.fingerprint.clone(),
                (f.severity, f.lowered_from.is_some()),
            )
        })
        .collect();
    let base_applied = suppress::apply_recording(
        base.findings,
        suppress::Inputs {
            config: j.config,
            catalogue: j.catalogue,
            directives: base.directives,
            held: Vec::new(),
            baseline: j.baseline.clone(),
            enabled: j.enabled,
            unevaluated: j.unevaluated,
            cover: None,
        },
    );
    let visible_at_base: HashSet<&str> = base_applied
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let used_entries: HashSet<&str> = base_applied
        .hidden
        .values()
        .filter_map(|h| match h {
            HiddenBy::Baseline(e) => Some(e.as_str()),
            HiddenBy::Allow(_) => None,
        })
        .collect();

    // Allows: each head allow with a counterpart at the base is the same allow; the others are new.
    let head_directive_keys: Vec<Item> = head
        .directives
        .iter()
        .map(|d| ids.directive(d, Side::Head))
        .collect();
    let directive_pairs = pair(&head_directive_keys, &base_directive_keys, |_, _| false);
    let mut kept = Vec::new();
    let mut kept_base = Vec::new();
    let mut held = Vec::new();
    for (d, counterpart) in head.directives.into_iter().zip(directive_pairs) {
        match counterpart {
            Some(b) => {
                kept.push(d);
                kept_base.push(b);
            }
            None => held.push(d),
        }
    }

    // Findings: each head finding's counterpart at the base, by fingerprint.
    let head_items: Vec<Item> = head
        .findings
        .iter()
        .map(|f| ids.finding(f, Side::Head))
        .collect();
    let finding_pairs = pair(&head_items, &base_items, |h, b| ids.scope_renamed(h, b));
    let counterpart: HashMap<String, &str> = head
        .findings
        .iter()
        .zip(&finding_pairs)
        .filter_map(|(f, p)| p.map(|b| (f.fingerprint.clone(), base_fps[b].as_str())))
        .collect();
    let cover = Carried {
        counterpart: &counterpart,
        hidden_at_base: &base_applied.hidden,
        kept_base: &kept_base,
        used_entries: &used_entries,
    };
    let head_applied = suppress::apply_recording(
        head.findings,
        suppress::Inputs {
            config: j.config,
            catalogue: j.catalogue,
            directives: kept,
            held: held.clone(),
            baseline: j.baseline.clone(),
            enabled: j.enabled,
            unevaluated: j.unevaluated,
            cover: Some(&cover),
        },
    );

    // The suppression stage's own findings (an allow without a reason, a stale entry) are compared as
    // findings of their own.
    let stage_rule = |f: &Finding| f.rule.starts_with("suppress/");
    let base_stage: Vec<Item> = base_applied
        .findings
        .iter()
        .filter(|f| stage_rule(f))
        .map(|f| ids.finding(f, Side::Base))
        .collect();
    let head_stage: Vec<(usize, Item)> = head_applied
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| stage_rule(f))
        .map(|(i, f)| (i, ids.finding(f, Side::Head)))
        .collect();
    let stage_items: Vec<Item> = head_stage.iter().map(|(_, it)| it.clone()).collect();
    let stage_pairs = pair(&stage_items, &base_stage, |_, _| false);
    let old_stage: HashSet<usize> = head_stage
        .iter()
        .zip(&stage_pairs)
        .filter(|(_, p)| p.is_some())
        .map(|((i, _), _)| *i)
        .collect();

    let mut judged = Judged {
        held,
        suppressed: head_applied.counts,
        ..Judged::default()
    };
    for (i, mut f) in head_applied.findings.into_iter().enumerate() {
        // A lowering on a repository-wide claim the merge base does not make is the change's own, new
        // finding or old.
        if let (Some(was), Some(claim)) = (f.lowered_from, f.repo_claim) {
            if !j.base_claims.contains(&claim) {
                f.severity = was;
                f.message.push_str(&format!(
                    "; the merge base makes no such claim ({claim}): this change is what makes it read so, so it is judged as it would be without it"
                ));
                judged.introduced.push(f);
                continue;
            }
        }
        if let Some(was) = counterpart
            .get(&f.fingerprint)
            .filter(|b| visible_at_base.contains(**b))
            .and_then(|b| lowered_by_the_change(&f, base_severity.get(*b)))
        {
            f.severity = was;
            f.message.push_str(&format!(
                "; the merge base judged it as production ({was}): this change is what makes it read otherwise, so it is judged as it was"
            ));
            judged.introduced.push(f);
            continue;
        }
        // What could not be evaluated always stays; so does what the declared settings' own
        // comparison of the two trees (and drift) decided.
        let old = if checks::gate::is_evaluation_failure(&f.rule)
            || checks::declared::judged_by_outcome(&f.rule)
        {
            false
        } else if matches!(f.location, Location::Setting { .. }) {
            true // history and settings predate any one change
        } else if stage_rule(&f) {
            old_stage.contains(&i)
        } else {
            counterpart
                .get(&f.fingerprint)
                .is_some_and(|b| visible_at_base.contains(b))
        };
        if old {
            judged.pre_existing.push(f);
        } else {
            judged.introduced.push(f);
        }
    }
    judged
}

/// A head finding a check lowered on what its file says of itself, whose counterpart at the base was not
/// lowered: the change made the file say it (an image that now runs `nodemon`), and a change must not
/// decide how it is judged. The severity it had at the base.
fn lowered_by_the_change(f: &Finding, base: Option<&(Severity, bool)>) -> Option<Severity> {
    f.lowered_from?;
    match base {
        Some(&(was, false)) if was > f.severity => Some(was),
        _ => None,
    }
}

/// Suppressions as they were at the base, carried to the head by counterpart.
struct Carried<'a> {
    /// Head fingerprint → its counterpart's fingerprint at the base.
    counterpart: &'a HashMap<String, &'a str>,
    /// What hid each hidden base finding.
    hidden_at_base: &'a HashMap<String, HiddenBy>,
    /// For each head allow given to the suppression stage, its counterpart's index at the base.
    kept_base: &'a [usize],
    /// Baseline entries that hid a finding at the base.
    used_entries: &'a HashSet<&'a str>,
}

impl Cover for Carried<'_> {
    fn allow(&self, finding: &Finding, directive: usize) -> bool {
        let (Some(base), Some(&d)) = (
            self.counterpart.get(&finding.fingerprint),
            self.kept_base.get(directive),
        ) else {
            return false;
        };
        self.hidden_at_base.get(*base) == Some(&HiddenBy::Allow(d))
    }

    fn baseline(&self, finding: &Finding, known: &HashSet<&str>) -> Option<String> {
        match self.counterpart.get(&finding.fingerprint) {
            Some(base) => match self.hidden_at_base.get(*base) {
                Some(HiddenBy::Baseline(e)) => Some(e.clone()),
                _ => None,
            },
            // New at the head: an entry it happens to share a fingerprint with may hide it only when
            // that entry hid nothing at the base (else it would take over another finding's entry).
            None => (known.contains(finding.fingerprint.as_str())
                && !self.used_entries.contains(finding.fingerprint.as_str()))
            .then(|| finding.fingerprint.clone()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Head,
    Base,
}

/// A finding's (or an allow's) identity, and where it sits in the base's line numbering: None when it
/// is on a line the change added.
#[derive(Clone)]
struct Item {
    key: Key,
    base_line: Option<u32>,
    line: u32,
    /// The file on its own side (empty for a finding not in a file).
    path: String,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    rule: String,
    place: String,
    content: String,
    scope: String,
}

/// Identities of both sides' findings, reading the touched files' text once per side.
struct Identities<'a> {
    changes: &'a ChangeSet,
    reader: &'a Reader<'a>,
    texts: HashMap<(bool, String), Option<Vec<u8>>>,
}

impl<'a> Identities<'a> {
    fn new(j: &'a Judge<'a>) -> Identities<'a> {
        Identities {
            changes: j.changes,
            reader: j.reader,
            texts: HashMap::new(),
        }
    }

    /// Was the file at `path` touched by the change (so its text must be read to know its findings'
    /// content and scope)?
    fn touched(&self, side: Side, path: &str) -> bool {
        match side {
            Side::Head => self.changes.files.contains_key(path),
            Side::Base => self.reader.shared.touched_at_base(path),
        }
    }

    fn text(&mut self, side: Side, path: &str) -> Option<&[u8]> {
        let reader = self.reader;
        self.texts
            .entry((side == Side::Head, path.to_string()))
            .or_insert_with(|| match side {
                Side::Head => work_tree_bytes(reader.root, path),
                Side::Base => reader.base_bytes(path).ok().flatten(),
            })
            .as_deref()
    }

    /// The file's identity on the base's side: a head file's path before the change (a rename's old
    /// path); a file the change added is a place of its own, matching nothing at the base.
    fn place(&self, side: Side, path: &str) -> String {
        match side {
            Side::Base => path.to_string(),
            Side::Head => match self.changes.old_path(path) {
                Some(old) => old.to_string(),
                None => format!("(new) {path}"),
            },
        }
    }

    fn finding(&mut self, f: &Finding, side: Side) -> Item {
        let evidence = f.evidence.as_deref().map(normalise);
        let Location::File(span) = &f.location else {
            return Item {
                key: Key {
                    rule: f.rule.clone(),
                    place: f.location.display(),
                    content: evidence.unwrap_or_default(),
                    scope: String::new(),
                },
                base_line: Some(0),
                line: 0,
                path: String::new(),
            };
        };
        let place = self.place(side, &span.path);
        let (mut content, mut scope) = (evidence.clone().unwrap_or_default(), String::new());
        let comparable = side == Side::Base || !place.starts_with("(new) ");
        if comparable && span.line > 0 && self.touched(side, &span.path) {
            if let Some(text) = self.text(side, &span.path) {
                if evidence.is_none() {
                    let end = span.span.1.clamp(span.span.0, text.len());
                    let start = span.span.0.min(end);
                    content = normalise(&String::from_utf8_lossy(&text[start..end]));
                }
                scope = enclosing::scope(&span.path, text, span.span.0);
            }
        }
        Item {
            base_line: self.base_line(side, &span.path, span.line),
            line: span.line,
            path: span.path.clone(),
            key: Key {
                rule: f.rule.clone(),
                place,
                content,
                scope,
            },
        }
    }

    /// Were the scopes of a head finding and its would-be counterpart renamed into each other (a class,
    /// function or stage header edited, the finding kept), rather than the finding moved from one
    /// scope to another that both trees still have? Then they are the same finding.
    fn scope_renamed(&self, head: &Item, base: &Item) -> bool {
        let gone = |side: Side, path: &str, scope: &str| {
            let Some(header) = scope.rsplit(" › ").next().filter(|h| !h.is_empty()) else {
                return false; // the top level is in every file
            };
            let Some(Some(text)) = self.texts.get(&(side == Side::Head, path.to_string())) else {
                return false;
            };
            !String::from_utf8_lossy(text)
                .lines()
                .any(|l| normalise(l) == header)
        };
        head.key.scope != base.key.scope
            && gone(Side::Head, &head.path, &base.key.scope)
            && gone(Side::Base, &base.path, &head.key.scope)
    }

    fn directive(&mut self, d: &Directive, side: Side) -> Item {
        let rules: Vec<&str> = d.rules.iter().map(|(r, _)| r.as_str()).collect();
        Item {
            base_line: self.base_line(side, &d.span.path, d.line),
            line: d.line,
            path: d.span.path.clone(),
            key: Key {
                rule: String::new(),
                place: self.place(side, &d.span.path),
                content: normalise(&format!(
                    "{} {}",
                    rules.join(","),
                    d.reason.as_deref().unwrap_or("")
                )),
                scope: String::new(),
            },
        }
    }

    fn base_line(&self, side: Side, path: &str, line: u32) -> Option<u32> {
        match side {
            Side::Base => Some(line),
            Side::Head => self.changes.old_line(path, line),
        }
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Pair each head item with a base item of the same identity, each base item used once. Among equals,
/// a head item pairs first with the base item on the line it came from, then the rest in order, those
/// on added lines last: the ones left over are the new ones. Then leftovers that differ only in scope
/// pair when `renamed` says their scopes were renamed into each other.
fn pair(
    head: &[Item],
    base: &[Item],
    renamed: impl Fn(&Item, &Item) -> bool,
) -> Vec<Option<usize>> {
    let mut groups: HashMap<&Key, Vec<usize>> = HashMap::new();
    for (i, b) in base.iter().enumerate() {
        groups.entry(&b.key).or_default().push(i);
    }
    let mut by_key: HashMap<&Key, Vec<usize>> = HashMap::new();
    for (i, h) in head.iter().enumerate() {
        by_key.entry(&h.key).or_default().push(i);
    }
    let mut out = vec![None; head.len()];
    let mut left_heads = Vec::new();
    for (key, mut heads) in by_key {
        let mut bases = groups.remove(key).unwrap_or_default();
        // Exactly where it was.
        heads.retain(|&h| {
            let at = head[h].base_line;
            match bases.iter().position(|&b| Some(base[b].line) == at) {
                Some(p) => {
                    out[h] = Some(bases.remove(p));
                    false
                }
                None => true,
            }
        });
        heads.sort_by_key(|&h| (head[h].base_line.is_none(), head[h].line));
        bases.sort_by_key(|&b| base[b].line);
        let n = heads.len().min(bases.len());
        for (&h, b) in heads.iter().zip(bases.drain(..n)) {
            out[h] = Some(b);
        }
        left_heads.extend(heads.into_iter().skip(n));
        groups.insert(key, bases);
    }
    // A scope renamed around a finding keeps the finding.
    let mut left_bases: Vec<usize> = groups.into_values().flatten().collect();
    left_bases.sort_unstable();
    left_heads.sort_unstable();
    for h in left_heads {
        let unscoped = |k: &Key| (k.rule.clone(), k.place.clone(), k.content.clone());
        let found = left_bases.iter().position(|&b| {
            unscoped(&base[b].key) == unscoped(&head[h].key) && renamed(&head[h], &base[b])
        });
        if let Some(p) = found {
            out[h] = Some(left_bases.remove(p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(content: &str, line: u32, base_line: Option<u32>) -> Item {
        Item {
            path: "app/settings.py".into(),
            key: Key {
                rule: "switch/debug-enabled".into(),
                place: "app/settings.py".into(),
                content: content.into(),
                scope: String::new(),
            },
            base_line,
            line,
        }
    }

    #[test]
    fn equals_pair_by_where_they_came_from_and_the_added_one_is_left_over() {
        // base: DEBUG = True at line 3; head: a new one at line 1 (added), the old one moved to line 4.
        let base = vec![item("DEBUG = True", 3, Some(3))];
        let head = vec![
            item("DEBUG = True", 1, None),
            item("DEBUG = True", 4, Some(3)),
        ];
        assert_eq!(pair(&head, &base, |_, _| false), vec![None, Some(0)]);
        // Two at the base, one left: the survivor pairs, whichever line it is on.
        let base = vec![item("x", 1, Some(1)), item("x", 5, Some(5))];
        let head = vec![item("x", 9, Some(8))];
        assert_eq!(pair(&head, &base, |_, _| false), vec![Some(0)]);
        // Different content never pairs.
        assert_eq!(
            pair(&[item("y", 1, Some(1))], &base, |_, _| true),
            vec![None]
        );
        // A scope renamed around a finding: paired only when the caller says the scopes were renamed.
        let mut old = item("x", 2, Some(2));
        old.key.scope = "class Config:".into();
        let mut new = item("x", 2, Some(2));
        new.key.scope = "class BaseConfig:".into();
        assert_eq!(
            pair(&[new.clone()], &[old.clone()], |_, _| false),
            vec![None]
        );
        assert_eq!(pair(&[new], &[old], |_, _| true), vec![Some(0)]);
    }
}
