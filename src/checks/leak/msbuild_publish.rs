//! What a .NET project adds to its publish output beyond the compiled app: `dotnet publish` copies
//! `ResolvedFileToPublish` items, and `Content`/`None` items marked `CopyToPublishDirectory` or
//! `CopyToOutputDirectory`, into the folder that is deployed. The single-page-app templates add a
//! `DistFiles` item (`$(SpaRoot)build\**`) and publish it as `ResolvedFileToPublish`; a project that
//! widens it to the client's sources (`$(SpaRoot)src\**`, for server-side rendering) ships their
//! `__tests__` folders and `setupTests.js` with the app. Judged once the tree is known: the test and
//! fixture files the globs match are what ships.

use super::resolve::Index;
use super::rule_docs::PACKAGE_SHIPS_TESTS;
use super::xml_events::XmlEvents;
use super::{make_finding, paths, Extracted, Pending, Source, Want};
use crate::finding::Finding;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::ops::Range;

/// Items a project publishes, globs relative to the project's directory.
#[derive(Debug, Clone)]
pub(crate) struct Published {
    /// `DistFiles`, `Content`, …
    pub item: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// One item element as read: its name, `Include`/`Exclude`, whether it is marked to be copied, and
/// the span of its `Include` value.
struct Item {
    name: String,
    include: String,
    exclude: String,
    copied: bool,
    at: Range<usize>,
}

/// Read the publish items of a project that is not a test project.
pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut props: HashMap<String, String> = HashMap::new();
    let mut items: Vec<Item> = Vec::new();
    // The element path: `Project/PropertyGroup/SpaRoot`, `Project/ItemGroup/Content/CopyToPublishDirectory`.
    let mut stack: Vec<String> = Vec::new();
    // An item element opened (not self-closed): its metadata children follow.
    let mut open_item: Option<usize> = None;
    for ev in XmlEvents::new(text) {
        let Ok((event, tag)) = ev else { return };
        match event {
            Event::Start(e) => {
                let name = local(&e);
                if is_item_parent(&stack) {
                    if let Some(item) = item(&e, text, tag) {
                        items.push(item);
                        open_item = Some(stack.len());
                    }
                }
                stack.push(name);
            }
            Event::Empty(e) if is_item_parent(&stack) => items.extend(item(&e, text, tag)),
            Event::Text(t) => {
                let value = String::from_utf8_lossy(&t).trim().to_string();
                let n = stack.len();
                if n >= 2 && stack[n - 2] == "PropertyGroup" {
                    // A later definition wins, as in MSBuild; a conditional one is still the likeliest.
                    props.insert(stack[n - 1].clone(), value);
                } else if open_item.is_some_and(|d| n == d + 2) && copies(&stack[n - 1], &value) {
                    if let Some(last) = items.last_mut() {
                        last.copied = true;
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
                if open_item.is_some_and(|d| stack.len() <= d) {
                    open_item = None;
                }
            }
            _ => {}
        }
    }
    // The SPA templates' `DistFiles` is published only through `ResolvedFileToPublish`.
    let dist_published = items
        .iter()
        .any(|i| i.name == "ResolvedFileToPublish" && i.include.contains("@(DistFiles"));
    for i in &items {
        let published = match i.name.as_str() {
            "ResolvedFileToPublish" => !i.include.contains("@("),
            "DistFiles" => dist_published,
            "Content" | "None" | "EmbeddedResource" => i.copied,
            _ => false,
        };
        if !published {
            continue;
        }
        let include = globs(&i.include, &props);
        if include.is_empty() {
            continue;
        }
        let want = Want::Publish(Box::new(Published {
            item: i.name.clone(),
            include,
            exclude: globs(&i.exclude, &props),
        }));
        let at = src.span(i.at.clone());
        out.pending(at, i.include.clone(), want);
    }
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// Items sit in an `ItemGroup`, at the project's top level or inside a `Target`.
fn is_item_parent(stack: &[String]) -> bool {
    stack.last().is_some_and(|s| s == "ItemGroup")
}

fn item(e: &BytesStart<'_>, text: &[u8], tag: Range<usize>) -> Option<Item> {
    let mut include = None;
    let mut exclude = String::new();
    let mut copied = false;
    for a in e.attributes().flatten() {
        let value = String::from_utf8_lossy(&a.value).into_owned();
        match a.key.local_name().as_ref() {
            b"Include" => include = Some(value),
            b"Exclude" => exclude = value,
            k => copied |= copies(&String::from_utf8_lossy(k), &value),
        }
    }
    let include = include?;
    let raw = &text[tag.clone()];
    let at = memchr::memmem::find(raw, include.as_bytes()).map_or(tag.clone(), |k| {
        tag.start + k..tag.start + k + include.len()
    });
    Some(Item {
        name: local(e),
        include,
        exclude,
        copied,
        at,
    })
}

/// `CopyToPublishDirectory="PreserveNewest"`, `<CopyToOutputDirectory>Always</…>`: the item is copied
/// to what is deployed (`Never` is not).
fn copies(key: &str, value: &str) -> bool {
    matches!(key, "CopyToPublishDirectory" | "CopyToOutputDirectory")
        && !value.trim().eq_ignore_ascii_case("never")
        && !value.trim().is_empty()
}

/// An item's `;`-separated globs with the project's properties expanded and `/` separators; a glob
/// naming a property the project does not define, or an item list (`@(…)`), is left out: where it
/// points is not known.
fn globs(spec: &str, props: &HashMap<String, String>) -> Vec<String> {
    spec.split(';')
        .filter_map(|g| {
            let mut g = g.trim().to_string();
            // A property defined through itself never settles: after a few rounds, unknown.
            for _ in 0..8 {
                let Some(i) = g.find("$(") else { break };
                let end = i + g[i..].find(')')?;
                let value = props.get(&g[i + 2..end])?.clone();
                g.replace_range(i..=end, &value);
            }
            if g.is_empty() || g.contains("$(") || g.contains("@(") || g.contains("%(") {
                return None;
            }
            let g = g.replace('\\', "/");
            let g = g.trim_start_matches("./").to_string();
            // Outside the project's directory: not a path this reader follows.
            (!g.starts_with("../") && !g.starts_with('/')).then_some(g)
        })
        .collect()
}

/// The test and fixture files a project's publish item copies into the publish output.
pub(crate) fn resolve(index: &Index, file: &str, p: &Pending, item: &Published) -> Option<Finding> {
    let dir = paths::parent(file);
    let set = |pats: &[String]| {
        let mut b = globset::GlobSetBuilder::new();
        for pat in pats {
            // A glob MSBuild would not expand is one that publishes nothing.
            if let Ok(g) = globset::GlobBuilder::new(pat)
                .literal_separator(true)
                .build()
            {
                b.add(g);
            }
        }
        b.build().ok()
    };
    let include = set(&item.include)?;
    let exclude = set(&item.exclude)?;
    let shipped: Vec<&str> = index
        .test_files_under(dir)
        .filter(|(_, rel)| include.is_match(rel) && !exclude.is_match(rel))
        .map(|(path, _)| path)
        .collect();
    let first = shipped.first()?;
    let more = match shipped.get(1) {
        Some(second) if shipped.len() > 2 => format!(", `{second}`, …"),
        Some(second) => format!(", `{second}`"),
        None => String::new(),
    };
    let msg = format!(
        "`{}` item `{}` copies {} test and fixture {} into the publish output (`{first}`{more}): `dotnet publish` ships them with the app",
        item.item,
        p.evidence,
        shipped.len(),
        if shipped.len() == 1 { "file" } else { "files" },
    );
    Some(make_finding(
        &PACKAGE_SHIPS_TESTS,
        p.at.in_file(file),
        msg,
        &p.evidence,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_expand_properties_and_drop_unknown_ones() {
        let props: HashMap<String, String> =
            [("SpaRoot".to_string(), "ClientApp\\".to_string())].into();
        assert_eq!(
            globs(
                "$(SpaRoot)build\\**; $(SpaRoot)src\\**;$(Nope)x;@(Other)",
                &props
            ),
            vec![
                "ClientApp/build/**".to_string(),
                "ClientApp/src/**".to_string()
            ]
        );
        assert_eq!(globs("$(Unclosed", &props), Vec::<String>::new());
        assert_eq!(globs("..\\shared\\**", &props), Vec::<String>::new());
    }
}
