//! Production settings whose fallback is a test value (`leak/nonprod-default`): an environment lookup
//! in production code that, when the variable is unset, falls back to something made for the test run
//! — `process.env.ENCRYPTION_KEY || 'dummy-key-for-the-tests'`, `os.getenv("REPORTS_INBOX",
//! "qa.test.inbox@gmail.com")`, `ENV.fetch("SUPPORT_PASSWORD", "test")`. The fallback is then a switch
//! on by default: production encrypts with a key published in the repository, e-mails people's
//! details to a test inbox, or takes a test password, unless its deployment remembered to set the
//! variable.
//!
//! A test value names a test word as a whole word (`test`, `testing`, `testrun`, `dummy`, `fake`,
//! `mock`, `stub`: not `latest`, `contest` or `attestation`), or is an e-mail address whose mailbox is a
//! test one (`fsatestinbox@…`). The environment's own name (`NODE_ENV || 'test'`) is the environment
//! defaults' concern, and a variable named for tests (`E2E_USER || 'test'`) is a test setting, not a
//! production one; one the hosting platform sets itself (`WEBSITE_SITE_NAME`, `K_SERVICE`) never
//! falls back where the service runs. Like those defaults, the finding stands only in a repository
//! that deploys a service and when no deployment file of the repository sets the variable
//! (`resolve`).

use super::manifests::words;
use super::tokens::{is_ident, line_range, literal_at, skip_ws};
use super::{Extracted, Source, Want};
use crate::repo::reach_guard::{guard_at, Reads};

/// Where an environment lookup starts, and whether the variable's name is quoted after it.
const LOOKUPS: &[(&[u8], bool)] = &[
    (b"process.env.", false),
    (b"process.env[", true),
    (b"environ.get(", true),
    (b"getenv(", true),
    (b"ENV.fetch(", true),
    (b"ENV[", true),
];

/// Variables the hosting platform sets itself wherever the service runs (Azure App Service, Cloud Run,
/// App Engine, Lambda, ECS, Cloud Foundry, Heroku, Kubernetes, Fly, Render): a fallback for them only
/// applies off the platform, on a developer's machine or in a test run.
const PLATFORM_VARS: &[&str] = &[
    "WEBSITE_SITE_NAME",
    "WEBSITE_HOSTNAME",
    "WEBSITE_INSTANCE_ID",
    "WEBSITE_RESOURCE_GROUP",
    "WEBSITE_OWNER_NAME",
    "K_SERVICE",
    "K_REVISION",
    "K_CONFIGURATION",
    "GAE_SERVICE",
    "GAE_VERSION",
    "GAE_INSTANCE",
    "GOOGLE_CLOUD_PROJECT",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_EXECUTION_ENV",
    "ECS_CONTAINER_METADATA_URI",
    "ECS_CONTAINER_METADATA_URI_V4",
    "VCAP_APPLICATION",
    "VCAP_SERVICES",
    "CF_INSTANCE_INDEX",
    "DYNO",
    "HOSTNAME",
    "KUBERNETES_SERVICE_HOST",
    "FLY_APP_NAME",
    "RENDER_SERVICE_NAME",
];

/// Whole words a test value names.
const TEST_VALUE_WORDS: &[&str] = &[
    "test", "tests", "testing", "testrun", "dummy", "dummies", "fake", "fakes", "mock", "mocks",
    "mocked", "stub", "stubs", "stubbed",
];

/// Is a cheap pass worth it: a test word and an environment lookup somewhere in the text?
pub(crate) fn may_hold(text: &[u8], test_words: bool) -> bool {
    let has = |w: &[u8]| memchr::memmem::find(text, w).is_some();
    (test_words || has(b"dummy") || has(b"Dummy") || has(b"DUMMY")) && (has(b"env") || has(b"ENV"))
}

/// Every lookup in production code whose fallback is a test value, kept until the deployment files are
/// known (`Want::TestFallback`).
pub(crate) fn extract(src: &mut Source, out: &mut Extracted, env_names: &[&str]) {
    let text = src.text;
    for (opener, quoted) in LOOKUPS {
        for at in memchr::memmem::find_iter(text, opener) {
            // `process.env.` / `ENV[` start a lookup only as a whole name (`MY_ENV[` is not Ruby's ENV).
            if at > 0 && (is_ident(text[at - 1]) && !opener.starts_with(b"environ")) {
                continue;
            }
            let Some((var, value, value_at)) = lookup_at(text, at + opener.len(), *quoted) else {
                continue;
            };
            if env_names.contains(&var.as_str())
                || PLATFORM_VARS.contains(&var.as_str())
                || names_a_test_setting(&var)
            {
                continue;
            }
            let Some(why) = test_value(&value) else {
                continue;
            };
            if !src.in_code(at) {
                continue;
            }
            // A lookup only a test mode or another environment runs is theirs.
            if guard_at(text, at).is_some_and(|g| {
                g.outside_production()
                    || matches!(&g.reads, Reads::Env { name, .. } | Reads::Setting { name }
                        if names_a_test_setting(name))
            }) {
                continue;
            }
            let span = src.span(value_at..value_at + value.len());
            out.pending(span, value, Want::TestFallback { var, why });
        }
    }
}

/// The variable and the quoted fallback of a lookup whose name starts at `i`: `X || 'v'`, `X ?? 'v'`,
/// `'X'] || 'v'`, `"X", "v")`, `"X", default="v")`, `"X") { "v" }`. Returns (variable, fallback, offset
/// of the fallback's content).
fn lookup_at(text: &[u8], i: usize, quoted: bool) -> Option<(String, String, usize)> {
    let line = line_range(text, i);
    let mut j = i;
    if quoted {
        if !matches!(text.get(j), Some(b'"' | b'\'' | b'`')) {
            return None;
        }
        j += 1;
    }
    let name_start = j;
    while j < line.end && (text[j].is_ascii_alphanumeric() || text[j] == b'_') {
        j += 1;
    }
    if j == name_start {
        return None;
    }
    let var = String::from_utf8_lossy(&text[name_start..j]).into_owned();
    if quoted {
        if !matches!(text.get(j), Some(b'"' | b'\'' | b'`')) {
            return None;
        }
        j += 1;
    }
    j = skip_ws(text, j, line.end);
    let rest = &text[j..line.end];
    let lit_from = if rest.starts_with(b"]") {
        // `process.env['X'] || 'v'`, `ENV['X'] || 'v'`.
        let k = skip_ws(text, j + 1, line.end);
        operator(text, k, line.end)?
    } else if rest.starts_with(b",") {
        let k = skip_ws(text, j + 1, line.end);
        let after = &text[k..line.end];
        match after.strip_prefix(b"default=") {
            Some(_) => k + 8,
            None => k,
        }
    } else if rest.starts_with(b")") {
        // Ruby's block form: `ENV.fetch("X") { "v" }`.
        let k = skip_ws(text, j + 1, line.end);
        (text.get(k) == Some(&b'{')).then(|| skip_ws(text, k + 1, line.end))?
    } else {
        operator(text, j, line.end)?
    };
    let lit = literal_at(text, lit_from)?;
    // Only a whole literal: a template with a placeholder is not one value.
    if lit.content.end + 1 != lit.end || lit.content.is_empty() {
        return None;
    }
    let value = String::from_utf8_lossy(&text[lit.content.clone()]).into_owned();
    Some((var, value, lit.content.start))
}

/// `|| ` / `?? ` at `k`: the offset of what follows.
fn operator(text: &[u8], k: usize, end: usize) -> Option<usize> {
    let op = &text[k..end];
    (op.starts_with(b"||") || op.starts_with(b"??")).then(|| skip_ws(text, k + 2, end))
}

/// A variable named for tests (`TEST_USER_EMAIL`, `E2E_PASSWORD`, `MOCK_API_URL`): a test setting,
/// whose fallback may well be a test value.
fn names_a_test_setting(var: &str) -> bool {
    // `E2E_USER` splits at `_` only (`words` would split `E2E` at its humps); `e2eUser` at humps.
    let lower = var.to_ascii_lowercase();
    let plain = lower.split(|c: char| !c.is_ascii_alphanumeric());
    let humps = words(var);
    plain.chain(humps.iter().map(String::as_str)).any(|w| {
        matches!(
            w,
            "test"
                | "tests"
                | "testing"
                | "e2e"
                | "cypress"
                | "playwright"
                | "jest"
                | "mock"
                | "mocks"
                | "stub"
                | "stubs"
                | "fake"
                | "dummy"
        )
    })
}

/// Why a fallback is a test value, or None: a test word as a whole word (`dummy-key-for-the-testrun`,
/// `fake-api-key`, `https://test-api.example`), or an e-mail address whose mailbox names a test one
/// (`fsatestinbox.valid@gmail.com`).
pub(crate) fn test_value(value: &str) -> Option<String> {
    if let Some(w) = words(value)
        .into_iter()
        .find(|w| TEST_VALUE_WORDS.contains(&w.as_str()))
    {
        return Some(format!("it names `{w}`"));
    }
    let (mailbox, domain) = value.split_once('@')?;
    let is_address = !mailbox.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !value.contains(char::is_whitespace)
        && !mailbox.contains('/');
    (is_address && test_mailbox(mailbox)).then(|| "a test e-mail address".to_string())
}

/// Does a mailbox hold a test word inside a longer word (`fsatestemail`, `testinbox2`, `qadummy`)? The
/// English words that contain `test` (`latest`, `contest`, `attestation`) are not one.
fn test_mailbox(mailbox: &str) -> bool {
    const ENGLISH: &[&str] = &[
        "latest",
        "greatest",
        "contest",
        "protest",
        "attest",
        "detest",
        "intestin",
        "testimon",
        "testament",
        "testif",
    ];
    let mut lower = mailbox.to_ascii_lowercase();
    for w in ENGLISH {
        lower = lower.replace(w, " ");
    }
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|part| {
            // `…test` at a word's end is a superlative (`fastest`, `hottest`) more often than a test.
            let test_inside = part
                .match_indices("test")
                .any(|(i, _)| i == 0 || i + 4 < part.len());
            test_inside
                || ["dummy", "fake", "mock", "stub"]
                    .iter()
                    .any(|w| part.contains(w))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn found(path: &str, code: &str) -> Vec<(String, String)> {
        let syntax = match super::super::paths::extension(path) {
            "py" => Syntax::Python,
            "rb" => Syntax::Ruby,
            _ => Syntax::CLike,
        };
        let out = super::super::extract_for_test(path, code, syntax, |s, o| {
            extract(s, o, super::super::defaults::ENV_NAME_VARS)
        });
        let mut got: Vec<(String, String)> = out
            .pending
            .iter()
            .map(|p| match &p.want {
                Want::TestFallback { var, .. } => (var.clone(), p.evidence.to_string()),
                other => (format!("{other:?}"), String::new()),
            })
            .collect();
        got.sort();
        got
    }

    fn one(var: &str, value: &str) -> Vec<(String, String)> {
        vec![(var.to_string(), value.to_string())]
    }

    #[test]
    fn lookups_falling_back_to_test_values() {
        assert_eq!(
            found(
                "src/config.js",
                "module.exports = {\n  key: process.env.SIGNING_KEY || 'dummy-key-for-the-testrun',\n}\n"
            ),
            one("SIGNING_KEY", "dummy-key-for-the-testrun")
        );
        assert_eq!(
            found(
                "src/config.js",
                "const inbox = process.env['REPORTS_INBOX'] ?? \"qateaminbox.testing@mail.example\"\n"
            ),
            one("REPORTS_INBOX", "qateaminbox.testing@mail.example")
        );
        assert_eq!(
            found(
                "app/settings.py",
                "SECRET = os.environ.get(\"SIGNING_SECRET\", \"fake-secret\")\nINBOX = os.getenv('INBOX', default='opsdummy@mail.example')\n"
            ),
            vec![
                ("INBOX".to_string(), "opsdummy@mail.example".to_string()),
                ("SIGNING_SECRET".to_string(), "fake-secret".to_string()),
            ]
        );
        assert_eq!(
            found(
                "app/lib/auth.rb",
                "PASSWORD = ENV.fetch(\"ADMIN_PASSWORD\", \"test\")\nKEY = ENV[\"PAY_KEY\"] || \"stubbedKey\"\nURL = ENV.fetch(\"PAY_URL\") { \"https://mock-pay.example\" }\n"
            ),
            vec![
                ("ADMIN_PASSWORD".to_string(), "test".to_string()),
                ("PAY_KEY".to_string(), "stubbedKey".to_string()),
                ("PAY_URL".to_string(), "https://mock-pay.example".to_string()),
            ]
        );
    }

    #[test]
    fn ordinary_defaults_and_test_settings_stay_quiet() {
        for code in [
            "const host = process.env.HOST || 'localhost'\n",
            "const port = process.env.PORT || '3000'\n",
            "const level = process.env.LOG_LEVEL || 'info'\n",
            "const api = process.env.API_URL || 'https://api.example.gov.uk'\n",
            "const feed = process.env.FEED || 'latest'\n",
            "const c = process.env.CONTACT || 'contest.entries@agency.example'\n",
            "const a = process.env.ATTESTATION_URL || 'https://attestation.example'\n",
            "const b = process.env.BEST || 'fastest@mail.example'\n",
            // The environment's name is the environment defaults' concern.
            "const env = process.env.NODE_ENV || 'test'\n",
            // A setting named for tests.
            "const user = process.env.E2E_USER || 'test-user'\n",
            // A placeholder, not one value.
            "const u = process.env.U || `test-${id}`\n",
            // The platform sets it wherever the service runs.
            "const id = process.env.WEBSITE_SITE_NAME || 'APP-MOCK-CONTEXT'\n",
            // Only outside production.
            "if (process.env.NODE_ENV === 'test') {\n  key = process.env.KEY || 'dummy'\n}\n",
            "// key = process.env.KEY || 'dummy'\n",
        ] {
            assert_eq!(found("src/config.js", code), vec![], "{code}");
        }
        assert_eq!(
            found(
                "app/settings.py",
                "ENV = os.environ.get(\"DJANGO_ENV\", \"test\")\nX = os.environ.get(\"X\", \"production\")\n"
            ),
            vec![]
        );
    }

    #[test]
    fn test_values_are_whole_words_or_test_mailboxes() {
        for v in [
            "test",
            "dummy-key",
            "fakeKey",
            "https://test-catalogue.example",
            "my_testrun",
            "fsatestemail.valid@gmail.com",
            "testinbox@mail.example",
        ] {
            assert!(test_value(v).is_some(), "{v}");
        }
        for v in [
            "latest",
            "contest",
            "attestation",
            "protests",
            "smallest@mail.example",
            "latestnews@mail.example",
            "info@example.com",
        ] {
            assert!(test_value(v).is_none(), "{v}");
        }
    }
}
