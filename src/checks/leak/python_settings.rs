//! The defaults of a Python service's own settings: `USE_LOCAL_DATA = strtobool(getenv("USE_LOCAL_DATA",
//! "False"))` in `config/envs/default.py` says the flag is off unless production sets it. Code guarded by
//! `if Config.USE_LOCAL_DATA:` is then judged like code behind an environment variable that is off by
//! default (a note naming the flag), instead of "a setting whose value is set elsewhere".
//!
//! Only configuration modules are read (a path naming `config` or `settings`), and only assignments
//! production can load: a class or module named for another environment (`DevelopmentConfig`,
//! `config/envs/unit_test.py`) sets that environment's value, not production's. A flag any production
//! assignment turns on, or sets to something not understood, has no default here.

use super::paths::{file_name, stem};
use super::{Extracted, Fact, Source};

/// What one assignment makes a flag when nothing sets its environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Default {
    Off,
    On,
    Unknown,
}

/// Words that name an environment other than production, in a class or module name.
const NON_PRODUCTION: &[&str] = &[
    "dev",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "unit",
    "unittest",
    "ci",
    "e2e",
];

/// Is this file a configuration module whose settings production may load?
pub(crate) fn is_settings_module(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.contains("config") || lower.contains("settings"))
        && !names_other_environment(stem(file_name(&lower)))
}

/// Does a class or module name say it is another environment's (`DevelopmentConfig`, `unit_test`)?
fn names_other_environment(name: &str) -> bool {
    crate::repo::text::name_words(name)
        .iter()
        .any(|w| NON_PRODUCTION.contains(&w.as_str()))
}

/// Record the default of every upper-case setting the module assigns (in a class body, or at its top
/// level as Django's `settings.py` does), skipping classes named for other environments.
pub(crate) fn extract(src: &Source, out: &mut Extracted) {
    let text = String::from_utf8_lossy(src.text);
    let mut other_environment = false;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if indent == 0 {
            if let Some(rest) = t.strip_prefix("class ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                other_environment = names_other_environment(&name);
                continue;
            }
            if !t.is_empty() && !t.starts_with('#') && !t.starts_with('@') {
                other_environment = false;
            }
        }
        if other_environment {
            continue;
        }
        let Some((name, value)) = assignment(t) else {
            continue;
        };
        out.facts.push(Fact::SettingDefault {
            name: name.to_string(),
            default: default_of(value),
        });
    }
}

/// `NAME = value` (or `NAME: bool = value`) with an upper-case name.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let end = line
        .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let rest = line[end..].trim_start();
    let rest = match rest.strip_prefix(':') {
        Some(typed) => typed.split_once('=').map(|(_, v)| v)?,
        None => rest.strip_prefix('=').filter(|r| !r.starts_with('='))?,
    };
    Some((name, rest.trim()))
}

/// What a value makes the flag when its environment variable is unset.
pub(crate) fn default_of(value: &str) -> Default {
    let v = value.split(" #").next().unwrap_or(value).trim();
    match v {
        "False" | "None" | "0" | "\"\"" | "''" => return Default::Off,
        "True" | "1" => return Default::On,
        _ => {}
    }
    // An environment read: `getenv("X", "False")`, `os.environ.get("X")`, wrapped in `strtobool(…)`,
    // `bool(…)` or compared with a true value.
    let Some(at) = ["getenv(", "environ.get(", "env.bool(", "env("]
        .iter()
        .find_map(|k| v.find(k).map(|i| i + k.len()))
    else {
        return Default::Unknown;
    };
    let args = &v[at..];
    let close = args.find(')').unwrap_or(args.len());
    let inner = &args[..close];
    let fallback = inner.split_once(',').map(|(_, d)| {
        let d = d.trim();
        d.strip_prefix("default=").unwrap_or(d).trim()
    });
    let after = &args[close..];
    let compared_true = [
        "== \"true\"",
        "== 'true'",
        "== \"1\"",
        "== 'True'",
        "== \"True\"",
    ]
    .iter()
    .any(|c| after.contains(c));
    let fallback_on = match fallback.map(|d| d.trim_matches(['"', '\''])) {
        None | Some("") => false,
        Some(d) => match d.to_ascii_lowercase().as_str() {
            "false" | "0" | "no" | "off" | "none" => false,
            "true" | "1" | "yes" | "on" => true,
            _ => return Default::Unknown,
        },
    };
    if compared_true {
        // `getenv("X", "false").lower() == "true"`: on only when the fallback is the true value.
        return if fallback_on {
            Default::On
        } else {
            Default::Off
        };
    }
    // `getenv("X")` used as it is: the string or None, set only when the variable is.
    if fallback_on {
        Default::On
    } else {
        Default::Off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_read_from_the_assignment() {
        assert_eq!(
            default_of("strtobool(getenv(\"USE_LOCAL_DATA\", \"False\"))"),
            Default::Off
        );
        assert_eq!(
            default_of("strtobool(getenv(\"USE_LOCAL_DATA\", \"True\"))"),
            Default::On
        );
        assert_eq!(default_of("os.environ.get(\"STUBS\")"), Default::Off);
        assert_eq!(
            default_of("os.getenv(\"STUBS\", \"false\").lower() == \"true\""),
            Default::Off
        );
        assert_eq!(default_of("False"), Default::Off);
        assert_eq!(default_of("True"), Default::On);
        assert_eq!(default_of("load_flag()"), Default::Unknown);
        assert_eq!(default_of("getenv(\"X\", DEFAULT_X)"), Default::Unknown);
    }

    #[test]
    fn other_environments_are_named_by_class_and_module() {
        assert!(names_other_environment("DevelopmentConfig"));
        assert!(names_other_environment("UnitTestConfig"));
        assert!(names_other_environment("unit_test"));
        assert!(!names_other_environment("ProductionConfig"));
        assert!(!names_other_environment("DefaultConfig"));
        assert!(is_settings_module("config/envs/default.py"));
        assert!(!is_settings_module("config/envs/development.py"));
        assert!(!is_settings_module("app/default/data.py"));
        assert_eq!(
            assignment("USE_LOCAL_DATA = strtobool(getenv(\"X\", \"False\"))"),
            Some(("USE_LOCAL_DATA", "strtobool(getenv(\"X\", \"False\"))"))
        );
        assert_eq!(assignment("DEBUG: bool = False"), Some(("DEBUG", "False")));
        assert_eq!(assignment("X == 1"), None);
    }
}
