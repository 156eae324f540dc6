//! Values read from declared settings (Terraform and YAML alike), each remembering where it was written,
//! and what could not be worked out offline. A value that cannot be known without applying the config
//! (an input with no value, a function shipgate does not evaluate) is `Unknown`, naming the expression:
//! it is reported, never replaced by a guess.

use crate::finding::{FileSpan, Pos};
use std::sync::Arc;

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub path: Arc<str>,
    pub pos: Pos,
}

impl At {
    pub fn span(&self) -> FileSpan {
        self.pos.in_file(&self.path)
    }

    /// `repos.tf:12:5`.
    pub fn show(&self) -> String {
        format!("{}:{}:{}", self.path, self.pos.line, self.pos.column)
    }
}

/// An expression whose value is not known offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The expression as written (shortened).
    pub expr: String,
    /// Why it is not known, e.g. "variable `approvals` has no default and no value in a tfvars file".
    pub why: String,
    pub at: At,
}

#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    /// Objects and maps alike, in the order written.
    Map(Vec<(String, Val)>),
    /// A reference to something only known once applied (`github_team.release.id`): stands for itself
    /// where an identity is enough (a reviewer, a bypass actor), unknown where a value is needed.
    Ref(String),
    Unknown(Box<Unresolved>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Val {
    pub v: V,
    pub at: Option<At>,
}

impl Val {
    pub fn new(v: V, at: Option<At>) -> Val {
        Val { v, at }
    }

    pub fn null() -> Val {
        Val::new(V::Null, None)
    }

    pub fn unknown(expr: &str, why: impl Into<String>, at: At) -> Val {
        let mut expr: String = expr.split_whitespace().collect::<Vec<_>>().join(" ");
        if expr.chars().count() > 80 {
            expr = expr.chars().take(77).collect::<String>() + "...";
        }
        Val::new(
            V::Unknown(Box::new(Unresolved {
                expr,
                why: why.into(),
                at: at.clone(),
            })),
            Some(at),
        )
    }

    pub fn is_null(&self) -> bool {
        matches!(self.v, V::Null)
    }

    pub fn unresolved(&self) -> Option<&Unresolved> {
        match &self.v {
            V::Unknown(u) => Some(u),
            _ => None,
        }
    }

    /// The first unknown inside this value (itself, or any element or member).
    pub fn first_unknown(&self) -> Option<&Unresolved> {
        match &self.v {
            V::Unknown(u) => Some(u),
            V::List(items) => items.iter().find_map(Val::first_unknown),
            V::Map(entries) => entries.iter().find_map(|(_, v)| v.first_unknown()),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.v {
            V::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.v {
            V::Bool(b) => Some(*b),
            V::Str(s) if s == "true" => Some(true),
            V::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match &self.v {
            V::Num(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 1e15 => Some(*n as u64),
            V::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Val]> {
        match &self.v {
            V::List(l) => Some(l),
            _ => None,
        }
    }

    /// A nested block or object: `{…}`, or (Terraform blocks) a list holding one.
    pub fn block(&self, key: &str) -> Option<&Val> {
        let v = self.get(key)?;
        match &v.v {
            V::List(items) => items.first(),
            V::Null => None,
            _ => Some(v),
        }
    }

    /// Every nested block of this name (Terraform) or every item of the list (YAML).
    pub fn blocks(&self, key: &str) -> Vec<&Val> {
        match self.get(key).map(|v| &v.v) {
            Some(V::List(items)) => items.iter().collect(),
            Some(V::Map(_)) => self.get(key).into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// As text for messages and identities.
    pub fn show(&self) -> String {
        match &self.v {
            V::Null => "null".into(),
            V::Bool(b) => b.to_string(),
            V::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            V::Num(n) => n.to_string(),
            V::Str(s) => s.clone(),
            V::Ref(r) => r.clone(),
            V::List(l) => format!(
                "[{}]",
                l.iter().map(Val::show).collect::<Vec<_>>().join(", ")
            ),
            V::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k} = {}", v.show()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            V::Unknown(u) => u.expr.clone(),
        }
    }
}

/// Byte offset → line and column (code points), for one file's text.
#[derive(Debug, Clone)]
pub struct Lines {
    text: Arc<str>,
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: Arc<str>) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
    }

    pub fn pos(&self, range: std::ops::Range<usize>) -> Pos {
        let (line, column) = self.line_col(range.start);
        let (end_line, end_column) = self.line_col(range.end.max(range.start));
        Pos {
            start: range.start,
            end: range.end.max(range.start),
            line,
            column,
            end_line,
            end_column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_code_points() {
        let l = Lines::new(Arc::from("a = 1\n# é\nb = 2\n"));
        let p = l.pos(11..16);
        assert_eq!((p.line, p.column, p.end_line, p.end_column), (3, 1, 3, 6));
        let p = l.pos(8..10);
        assert_eq!((p.line, p.column), (2, 3));
    }

    #[test]
    fn unknowns_are_found_inside_values() {
        let at = At {
            path: Arc::from("a.tf"),
            pos: Pos::default(),
        };
        let v = Val::new(
            V::Map(vec![(
                "x".into(),
                Val::new(
                    V::List(vec![Val::unknown("var.a", "no default", at.clone())]),
                    None,
                ),
            )]),
            None,
        );
        assert_eq!(v.first_unknown().map(|u| u.expr.as_str()), Some("var.a"));
    }
}
