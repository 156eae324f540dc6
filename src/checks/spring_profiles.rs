//! A Spring profile is what the repository configures for it: `application-local.yml`, a document with
//! `spring.config.activate.on-profile: local`, a `@Profile("local")` bean, a logback
//! `<springProfile name="local">` block, a profile group. Activating `local` by default
//! (`${SPRING_PROFILE:local}`) in production loads exactly that — so when nothing in the repository
//! belongs to the profile, the activation changes nothing today, and the finding is a note that says so
//! (a later `application-local.yml` would make it an error again, in the pull request that adds it).
//!
//! The markers stage holds `switch/spring-nonprod-profile` findings until the walk is done; the files it
//! reads say which profiles they configure, and the file list which profile files exist.

use super::leak::paths::{extension, file_name};
use crate::finding::{Finding, Severity};
use crate::repo::files::FileEntry;
use crate::sync::lock;
use regex::Regex;
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

const RULE: &str = "switch/spring-nonprod-profile";
/// The profile names the rule reports (its pattern's list).
const NON_PRODUCTION: &[&str] = &["development", "dev", "local", "test", "testing"];

/// Where a profile's own configuration is declared in a file's text (group 1 or 2: the names).
/// None only if the pattern failed to compile: then nothing is known to be configured and no finding
/// is lowered (fails closed).
static DECLARES: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)@Profile\s*\(\s*(?:value\s*=\s*)?([^)]*)\)|on-profile\s*[:=]\s*([^\r\n#]+)|^\s*spring\.profiles\s*[:=]\s*([^\r\n#]+)|<springProfile\s+name\s*=\s*"([^"]+)"|profiles\.group\.([A-Za-z0-9_-]+)"#,
    )
    .ok()
});

#[derive(Default)]
pub struct SpringProfiles {
    /// Lower-case profile names something in the repository configures.
    configured: Mutex<HashSet<String>>,
    held: Mutex<Vec<Finding>>,
}

/// Can the file declare a profile's configuration (source, YAML, properties, logback XML)?
fn may_declare(file: &FileEntry) -> bool {
    !file.class.is_test_side()
        && matches!(
            extension(file_name(&file.path)),
            "java" | "kt" | "groovy" | "yml" | "yaml" | "properties" | "xml"
        )
}

/// The profile names of a list as written (`"local"`, `{"dev", "local"}`, `local, dev`, `!prod`).
fn names(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
}

/// The profile a file name configures: `application-local.yml`, `bootstrap-dev.properties`.
fn profile_of_file(path: &str) -> Option<String> {
    let name = file_name(path);
    let stem = name.rsplit_once('.').map(|(s, _)| s)?;
    if !matches!(extension(name), "yml" | "yaml" | "properties") {
        return None;
    }
    let rest = stem
        .strip_prefix("application-")
        .or_else(|| stem.strip_prefix("bootstrap-"))?;
    Some(rest.to_ascii_lowercase())
}

/// The non-production profiles a finding's evidence activates (`spring: profiles: active:
/// ${SPRING_PROFILE:local}` → `local`).
fn activated(evidence: &str) -> Vec<String> {
    let after = evidence
        .rfind("active")
        .map_or(evidence, |at| &evidence[at + "active".len()..]);
    let after = after.rsplit_once(':').map_or(after, |(_, v)| v);
    let after = after.trim_start_matches(['=', ' ']);
    names(after)
        .filter(|n| NON_PRODUCTION.contains(&n.as_str()))
        .collect()
}

impl SpringProfiles {
    /// Record the profiles a file configures; hold its `switch/spring-nonprod-profile` findings.
    pub fn take(&self, file: &FileEntry, content: &[u8], found: &mut Vec<Finding>) {
        if let (true, Some(declares)) = (
            may_declare(file) && memchr::memmem::find(content, b"rofile").is_some(),
            DECLARES.as_ref(),
        ) {
            let text = String::from_utf8_lossy(content);
            let mut declared = Vec::new();
            for c in declares.captures_iter(&text) {
                if let Some(m) = (1..=5).find_map(|i| c.get(i)) {
                    declared.extend(names(m.as_str()).filter(|n| n != "value"));
                }
            }
            if !declared.is_empty() {
                lock(&self.configured).extend(declared);
            }
        }
        if found.iter().any(|f| f.rule == RULE) {
            let (mine, rest): (Vec<Finding>, Vec<Finding>) = std::mem::take(found)
                .into_iter()
                .partition(|f| f.rule == RULE);
            *found = rest;
            lock(&self.held).extend(mine);
        }
    }

    /// The held findings: a note when nothing in the repository configures the profiles they activate.
    pub fn finish(&self, files: &[FileEntry]) -> Vec<Finding> {
        let mut configured = std::mem::take(&mut *lock(&self.configured));
        configured.extend(
            files
                .iter()
                .filter(|f| !f.class.is_test_side())
                .filter_map(|f| profile_of_file(&f.path)),
        );
        let mut out = std::mem::take(&mut *lock(&self.held));
        if DECLARES.is_none() {
            return out;
        }
        for f in &mut out {
            let profiles = activated(f.evidence.as_deref().unwrap_or(""));
            if profiles.is_empty() || profiles.iter().any(|p| configured.contains(p)) {
                continue;
            }
            if f.severity > Severity::Note {
                f.severity = Severity::Note;
                f.message.push_str(&format!(
                    " — but nothing in the repository configures `{}` (no `application-{}.*`, `on-profile` document, `@Profile` bean or logback `<springProfile>`): activating it changes nothing today",
                    profiles.join("`, `"),
                    profiles[0],
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activated_profile_is_read_from_the_evidence() {
        assert_eq!(
            activated("spring: profiles: active: ${SPRING_PROFILE:local}"),
            vec!["local"]
        );
        assert_eq!(activated("spring.profiles.active=prod,dev"), vec!["dev"]);
        assert_eq!(activated("-Dspring.profiles.active=test "), vec!["test"]);
    }

    #[test]
    fn profile_files_and_declarations_name_their_profiles() {
        assert_eq!(
            profile_of_file("src/main/resources/application-local.yml"),
            Some("local".into())
        );
        assert_eq!(profile_of_file("src/main/resources/application.yml"), None);
        let text = "@Profile({\"dev\", \"local\"})\nclass A {}\n---\nspring.config.activate.on-profile: test\n<springProfile name=\"testing\">\n";
        let Some(declares) = DECLARES.as_ref() else {
            panic!("the pattern does not compile");
        };
        let found: Vec<String> = declares
            .captures_iter(text)
            .flat_map(|c| {
                (1..=5)
                    .find_map(|i| c.get(i))
                    .map(|m| names(m.as_str()).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(found, vec!["dev", "local", "test", "testing"]);
    }
}
