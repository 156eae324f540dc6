//! safe-settings and Probot settings files → declarations (`model`).
//!
//! Two layouts. In an application repository, `.github/settings.yml` is that repository's own settings
//! (the Probot settings app). In a safe-settings admin repository (it has `.github/repos/` or
//! `.github/suborgs/`), `.github/settings.yml` holds the organisation's defaults, each
//! `.github/suborgs/*.yml` adds settings for the repositories its `suborgrepos` globs match, and each
//! `.github/repos/NAME.yml` the settings of repository NAME; the most specific wins, merged as
//! safe-settings merges them (maps deeply, lists of named entries by name).

use super::model::{
    bypass_actors, classic_rest, environment, ref_conditions, rules_rest, ClassicDecl, Declared,
    EnvDecl, Origin, RepoDecl, RulesetDecl, Tool,
};
use super::value::{At, Val, V};
use globset::GlobBuilder;

pub const SETTINGS: &str = ".github/settings.yml";
const REPOS_DIR: &str = ".github/repos/";
const SUBORGS_DIR: &str = ".github/suborgs/";

/// Is `path` a settings file this reader takes?
pub fn is_settings_path(path: &str) -> bool {
    let yaml =
        |rest: &str| !rest.contains('/') && (rest.ends_with(".yml") || rest.ends_with(".yaml"));
    path == SETTINGS
        || path == ".github/settings.yaml"
        || path.strip_prefix(REPOS_DIR).is_some_and(yaml)
        || path.strip_prefix(SUBORGS_DIR).is_some_and(yaml)
}

/// The parsed settings files, kept so an organisation audit can compute any repository's settings.
#[derive(Debug, Clone, Default)]
pub struct SafeSettings {
    /// `.github/settings.yml`: the organisation's defaults (admin layout) or the repository's own.
    pub base: Option<Val>,
    /// (file, `suborgrepos` globs, settings).
    pub suborgs: Vec<(String, Vec<String>, Val)>,
    /// (repository name, settings).
    pub repos: Vec<(String, Val)>,
    pub admin_layout: bool,
}

impl SafeSettings {
    /// Settings of repository `name` in the admin layout: defaults, matching suborgs, its own file.
    pub fn merged_for(&self, name: &str) -> Option<(Val, String)> {
        let mut out: Option<Val> = self.base.clone();
        let mut from = vec![SETTINGS.to_string()];
        for (file, globs, v) in &self.suborgs {
            if globs.iter().any(|g| glob_match(g, name)) {
                out = Some(merge(out, v.clone()));
                from.push(file.clone());
            }
        }
        if let Some((_, v)) = self.repos.iter().find(|(n, _)| n == name) {
            out = Some(merge(out, v.clone()));
            from.push(format!("{REPOS_DIR}{name}.yml"));
        }
        out.map(|v| (v, from.join(" + ")))
    }
}

/// Read the settings files (path, text). Files that do not parse are errors in the result.
pub fn read(files: &[(String, std::sync::Arc<str>)]) -> (Declared, SafeSettings) {
    let mut d = Declared {
        tools: vec![Tool::Settings],
        ..Declared::default()
    };
    let mut s = SafeSettings {
        admin_layout: files
            .iter()
            .any(|(p, _)| p.starts_with(REPOS_DIR) || p.starts_with(SUBORGS_DIR)),
        ..SafeSettings::default()
    };
    for (path, text) in files {
        let v = match super::yaml::parse(path, text) {
            Ok(v) => v,
            Err(e) => {
                d.errors.push(e);
                continue;
            }
        };
        if path == SETTINGS || path == ".github/settings.yaml" {
            s.base = Some(v);
        } else if path.starts_with(SUBORGS_DIR) {
            let globs = match v.get("suborgrepos").map(|g| &g.v) {
                Some(V::List(l)) => l.iter().map(Val::show).collect(),
                _ => Vec::new(),
            };
            s.suborgs.push((path.clone(), globs, v));
        } else {
            let stem = path
                .rsplit('/')
                .next()
                .unwrap_or("")
                .trim_end_matches(".yml")
                .trim_end_matches(".yaml")
                .to_string();
            let name = v
                .block("repository")
                .and_then(|r| r.get("name"))
                .and_then(Val::as_str)
                .map_or(stem, str::to_string);
            s.repos.push((name, v));
        }
    }
    if s.admin_layout {
        let names: Vec<String> = s.repos.iter().map(|(n, _)| n.clone()).collect();
        for name in names {
            if let Some((v, from)) = s.merged_for(&name) {
                declare(&mut d, Some(name.clone()), &v, &from);
            }
        }
        if let Some(base) = &s.base {
            if base.get("_extends").is_some() {
                d.notes.push(format!(
                    "{SETTINGS} `_extends` another repository's settings: they were not read"
                ));
            }
        }
    } else if let Some(base) = &s.base {
        let name = base
            .block("repository")
            .and_then(|r| r.get("name"))
            .and_then(Val::as_str)
            .map(str::to_string);
        if let Some(ext) = base.get("_extends") {
            d.notes.push(format!(
                "{SETTINGS} extends `{}`: the settings it inherits were not read, only those written here",
                ext.show()
            ));
        }
        declare(&mut d, name, base, SETTINGS);
    }
    (d, s)
}

/// The declarations of one repository's (merged) settings.
pub fn declare(d: &mut Declared, repo: Option<String>, v: &Val, from: &str) {
    let at_of = |x: &Val| {
        x.at.clone().unwrap_or_else(|| At {
            path: std::sync::Arc::from(from.split(" + ").last().unwrap_or(from)),
            pos: crate::finding::Pos::default(),
        })
    };
    let shown = repo.clone().unwrap_or_else(|| "this repository".into());
    let r = v.block("repository");
    d.repos.push(RepoDecl {
        name: repo.clone(),
        default_branch: r
            .and_then(|r| r.get("default_branch"))
            .and_then(Val::as_str)
            .map(str::to_string),
        origin: Origin::new(
            Tool::Settings,
            format!("{from} ({shown})"),
            r.map_or_else(|| at_of(v), at_of),
        ),
    });
    for b in v.blocks("branches") {
        let Some(name) = b.get("name").and_then(Val::as_str) else {
            continue;
        };
        let mut origin = Origin::new(Tool::Settings, format!("{from} branches[{name}]"), at_of(b));
        // `protection: null` or `{}` removes protection: nothing is declared for the branch.
        let Some(p) = b
            .get("protection")
            .filter(|p| matches!(&p.v, V::Map(m) if !m.is_empty()))
        else {
            continue;
        };
        origin.at = at_of(p);
        if let Some(at) = b.get("name").and_then(|n| n.at.clone()) {
            origin.settings.insert("pattern".into(), at);
        }
        let protection = classic_rest(p, &mut origin, false);
        d.classic.push(ClassicDecl {
            repo: repo.clone(),
            pattern: if name == "default" {
                "~DEFAULT_BRANCH".into()
            } else {
                name.to_string()
            },
            protection,
            origin,
        });
    }
    for (i, e) in v.blocks("environments").into_iter().enumerate() {
        let Some(name) = e.get("name").and_then(Val::as_str) else {
            continue;
        };
        let mut origin = Origin::new(
            Tool::Settings,
            format!("{from} environments[{name}]"),
            at_of(e),
        );
        let facts = environment(name, e, &mut origin, i as u64 + 1);
        d.environments.push(EnvDecl {
            repo: repo.clone(),
            facts,
            origin,
        });
    }
    for rs in v.blocks("rulesets") {
        let name = rs.get("name").map(Val::show).unwrap_or_default();
        if rs
            .get("target")
            .and_then(Val::as_str)
            .is_some_and(|t| t != "branch")
        {
            continue;
        }
        let mut origin = Origin::new(
            Tool::Settings,
            format!("{from} rulesets[{name}]"),
            at_of(rs),
        );
        let (include, exclude) = ref_conditions(rs, &mut origin);
        let (bypass, bypass_written) = bypass_actors(rs, &mut origin);
        let rules = rules_rest(rs, &mut origin);
        d.rulesets.push(RulesetDecl {
            repo: repo.clone(),
            org: None,
            name,
            enforcement: rs
                .get("enforcement")
                .map_or_else(|| "active".to_string(), Val::show),
            include,
            exclude,
            rules,
            bypass,
            bypass_written,
            origin,
        });
    }
}

/// safe-settings' deep merge: maps member by member, lists of named entries entry by name, anything
/// else replaced by the more specific value.
pub fn merge(base: Option<Val>, over: Val) -> Val {
    let Some(base) = base else { return over };
    match (base.v, over.v) {
        (V::Map(mut b), V::Map(o)) => {
            for (k, v) in o {
                match b.iter_mut().find(|(x, _)| *x == k) {
                    Some((_, slot)) => *slot = merge(Some(slot.clone()), v),
                    None => b.push((k, v)),
                }
            }
            Val::new(V::Map(b), over.at)
        }
        (V::List(mut b), V::List(o)) if o.iter().all(|i| i.get("name").is_some()) => {
            for item in o {
                let name = item.get("name").map(Val::show);
                match b.iter_mut().find(|x| x.get("name").map(Val::show) == name) {
                    Some(slot) => *slot = merge(Some(slot.clone()), item),
                    None => b.push(item),
                }
            }
            Val::new(V::List(b), over.at)
        }
        (_, o) => Val::new(o, over.at),
    }
}

fn glob_match(pattern: &str, name: &str) -> bool {
    GlobBuilder::new(pattern)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn files(list: &[(&str, &str)]) -> Vec<(String, Arc<str>)> {
        list.iter()
            .map(|(p, t)| (p.to_string(), Arc::from(*t)))
            .collect()
    }

    #[test]
    fn admin_layout_merges_defaults_suborgs_and_repo_files() {
        let (d, _) = read(&files(&[
            (
                SETTINGS,
                "branches:\n  - name: default\n    protection:\n      enforce_admins: true\n      required_pull_request_reviews:\n        required_approving_review_count: 2\n",
            ),
            (
                ".github/suborgs/payments.yml",
                "suborgrepos: ['pay-*']\nbranches:\n  - name: default\n    protection:\n      required_pull_request_reviews:\n        required_approving_review_count: 3\n",
            ),
            (
                ".github/repos/pay-api.yml",
                "repository:\n  default_branch: trunk\nenvironments:\n  - name: production\n    reviewers:\n      - type: Team\n        id: 7\n",
            ),
            (".github/repos/web.yml", "repository:\n  name: web\n"),
        ]));
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let pay = d
            .classic
            .iter()
            .find(|c| c.repo.as_deref() == Some("pay-api"));
        let reviews = pay.and_then(|c| c.protection.required_pull_request_reviews.as_ref());
        assert_eq!(reviews.map(|r| r.required_approving_review_count), Some(3));
        assert_eq!(pay.map(|c| c.pattern.as_str()), Some("~DEFAULT_BRANCH"));
        assert!(pay.is_some_and(|c| c.protection.enforce_admins.is_some_and(|e| e.enabled)));
        let web = d.classic.iter().find(|c| c.repo.as_deref() == Some("web"));
        let reviews = web.and_then(|c| c.protection.required_pull_request_reviews.as_ref());
        assert_eq!(reviews.map(|r| r.required_approving_review_count), Some(2));
        assert_eq!(
            d.repos
                .iter()
                .find(|r| r.name.as_deref() == Some("pay-api"))
                .and_then(|r| r.default_branch.clone()),
            Some("trunk".into())
        );
        assert_eq!(d.environments.len(), 1);
    }
}
