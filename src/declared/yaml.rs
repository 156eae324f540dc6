//! YAML settings files (safe-settings, Probot settings) as `Val`s that remember where each value was
//! written. Plain scalars are typed as YAML 1.2 core types (`true`, `2`, `null`); quoted ones stay
//! strings. Loaded through `repo::yaml_depth`, so a deeply nested file is an error, not a stack overflow.

use super::value::{At, Lines, Val, V};
use saphyr::{MarkedYaml, Scalar, ScalarStyle, YamlData, YamlLoader};
use std::sync::Arc;

type Node<'a> = MarkedYaml<'a>;

/// The first document of a YAML file; Err: where and why it does not parse.
pub fn parse(path: &str, text: &str) -> Result<Val, (At, String)> {
    let path: Arc<str> = Arc::from(path);
    let lines = Lines::new(Arc::from(text));
    let chars: Vec<usize> = if text.is_ascii() {
        Vec::new()
    } else {
        text.char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect()
    };
    let byte = |ci: usize| {
        if chars.is_empty() {
            ci.min(text.len())
        } else {
            chars.get(ci).copied().unwrap_or(text.len())
        }
    };
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    let loaded = crate::repo::yaml_bounds::load(&mut parser, &mut loader);
    if let Some(e) = loaded.err().or_else(|| loader.error().cloned()) {
        let b = byte(e.marker().index());
        return Err((
            At {
                path,
                pos: lines.pos(b..b),
            },
            e.info().to_string(),
        ));
    }
    let docs = loader.into_documents();
    let conv = Conv {
        path: &path,
        lines: &lines,
        byte: &byte,
    };
    Ok(docs.first().map_or_else(Val::null, |d| conv.val(d)))
}

struct Conv<'a> {
    path: &'a Arc<str>,
    lines: &'a Lines,
    byte: &'a dyn Fn(usize) -> usize,
}

impl Conv<'_> {
    fn at(&self, node: &Node) -> At {
        let (s, e) = (node.span.start.index(), node.span.end.index());
        At {
            path: self.path.clone(),
            pos: self.lines.pos((self.byte)(s)..(self.byte)(e.max(s))),
        }
    }

    fn val(&self, node: &Node) -> Val {
        let at = Some(self.at(node));
        let v = match &node.data {
            YamlData::Representation(s, style, _) => match style {
                ScalarStyle::Plain => plain(s),
                _ => V::Str(s.to_string()),
            },
            YamlData::Value(Scalar::String(s)) => V::Str(s.to_string()),
            YamlData::Value(Scalar::Boolean(b)) => V::Bool(*b),
            YamlData::Value(Scalar::Integer(i)) => V::Num(*i as f64),
            YamlData::Value(Scalar::FloatingPoint(f)) => V::Num(f.into_inner()),
            YamlData::Value(Scalar::Null) => V::Null,
            YamlData::Sequence(items) => V::List(items.iter().map(|i| self.val(i)).collect()),
            YamlData::Mapping(m) => V::Map(
                m.iter()
                    .map(|(k, v)| {
                        let key = match &k.data {
                            YamlData::Representation(s, _, _) => s.to_string(),
                            YamlData::Value(Scalar::String(s)) => s.to_string(),
                            _ => String::new(),
                        };
                        (key, self.val(v))
                    })
                    .collect(),
            ),
            YamlData::Tagged(_, inner) => return self.val(inner),
            _ => V::Null,
        };
        Val::new(v, at)
    }
}

fn plain(s: &str) -> V {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => V::Null,
        "true" | "True" | "TRUE" => V::Bool(true),
        "false" | "False" | "FALSE" => V::Bool(false),
        _ => match s.parse::<f64>() {
            Ok(n)
                if s.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.') =>
            {
                V::Num(n)
            }
            _ => V::Str(s.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_and_located() {
        let v = parse(
            ".github/settings.yml",
            "branches:\n  - name: main\n    protection:\n      enforce_admins: true\n      count: 2\n      q: \"2\"\n",
        );
        let Ok(v) = v else { return assert!(v.is_ok()) };
        let b = v
            .get("branches")
            .and_then(|b| b.as_list())
            .and_then(|l| l.first());
        let p = b.and_then(|b| b.get("protection"));
        assert_eq!(
            p.and_then(|p| p.get("enforce_admins"))
                .and_then(Val::as_bool),
            Some(true)
        );
        assert_eq!(
            p.and_then(|p| p.get("count")).and_then(Val::as_u64),
            Some(2)
        );
        assert_eq!(
            p.and_then(|p| p.get("q")).map(|q| q.v.clone()),
            Some(V::Str("2".into()))
        );
        let at = p
            .and_then(|p| p.get("enforce_admins"))
            .and_then(|v| v.at.clone());
        assert_eq!(at.map(|a| (a.pos.line, a.pos.column)), Some((4, 23)));
        assert!(parse("x.yml", "a: [").is_err());
    }
}
