//! Switches on by default (`leak/nonprod-default`): production code or config whose default is a
//! non-production mode, so that the live service runs as development, with stubs, or without login
//! unless someone remembered to turn it off:
//!
//! - a production setting falling back to a test value (`process.env.SIGNING_KEY || 'dummy-key'`, a
//!   test inbox, a test password: `test_fallbacks`), quiet when a deployment file sets the variable;
//! - the environment's name defaulting to development (`process.env.NODE_ENV || 'development'`,
//!   `os.environ.get("FLASK_ENV", "development")`, `ENV.fetch("RAILS_ENV", "development")`, a WSGI
//!   module's `setdefault("DJANGO_SETTINGS_MODULE", "….local")`) in a repository that deploys a service
//!   (a Dockerfile, Procfile or manifest: a library's default is its users' to set) — quiet when a
//!   deployment file of the repository sets that variable for production (`ENV NODE_ENV=production`);
//! - a test or e2e mode that signs a made-up user in or skips login, guarded only by a flag;
//! - stubs or mocks switched on in a shipped base config (`enrolment-stubs.enabled = true`);
//! - Rails' `config.consider_all_requests_local = true` (full error pages for everyone) and test
//!   delivery adapters in `config/environments/production.rb`.

use super::paths;
use super::reach_rules::NONPROD_DEFAULT;
use super::tokens::{line_range, trimmed_lines, word_occurrences};
use super::{Extracted, Fact, Source, Want};
use crate::finding::Severity;
use crate::repo::reach_guard::{guard_at, Reads};

/// Variables that name the environment a program runs as.
pub(super) const ENV_NAME_VARS: &[&str] = &[
    "NODE_ENV",
    "RAILS_ENV",
    "RACK_ENV",
    "FLASK_ENV",
    "APP_ENV",
    "ENVIRONMENT",
    "ENV",
    "DJANGO_ENV",
    "PYTHON_ENV",
    "SPRING_PROFILES_ACTIVE",
    "DJANGO_SETTINGS_MODULE",
];

/// Values that name a non-production environment or settings module.
fn non_production_value(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    lower.split(['.', '-', '_', '/']).any(|w| {
        matches!(
            w,
            "development" | "dev" | "local" | "test" | "testing" | "e2e"
        )
    })
}

/// Production code: environment names defaulting to development, login bypasses behind a flag, and
/// Rails' production environment file.
pub(crate) fn extract_code(
    src: &mut Source,
    out: &mut Extracted,
    anchors: super::anchors::Anchors,
) {
    if anchors.env_names {
        env_name_defaults(src, out);
    }
    if super::test_fallbacks::may_hold(src.text, anchors.test_words) {
        super::test_fallbacks::extract(src, out, ENV_NAME_VARS);
    }
    if anchors.logins {
        login_bypasses(src, out);
    }
    if src.path.ends_with("config/environments/production.rb") {
        rails_production(src, out);
    }
}

/// `X || 'development'`, `X ?? 'dev'`, `get("X", "development")`, `fetch("X", "development")`,
/// `getOrDefault("X", "dev")`, `setdefault("DJANGO_SETTINGS_MODULE", "….local")` for an
/// environment-name variable: kept until the deployment files are known.
fn env_name_defaults(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    for var in ENV_NAME_VARS {
        for at in word_occurrences(text, var.as_bytes(), true) {
            let line = line_range(text, at);
            let rest = &text[at + var.len()..line.end];
            let Some((value, value_at)) = default_after(rest) else {
                continue;
            };
            let value_at = at + var.len() + value_at;
            // The name may be a string argument (`get("FLASK_ENV", …)`): the call around it is code.
            let quoted = at > 0 && matches!(text[at - 1], b'"' | b'\'' | b'`');
            let probe = if quoted { at.saturating_sub(2) } else { at };
            if !non_production_value(&value) || !src.in_code(probe) {
                continue;
            }
            // `DJANGO_SETTINGS_MODULE` matters only where the WSGI/ASGI app is built: elsewhere a default
            // chooses for a script run by hand.
            if *var == "DJANGO_SETTINGS_MODULE"
                && !["get_wsgi_application", "get_asgi_application"]
                    .iter()
                    .any(|n| memchr::memmem::find(text, n.as_bytes()).is_some())
            {
                continue;
            }
            // Only what production runs: not under a guard naming another environment.
            if guard_at(text, at).is_some_and(|g| g.outside_production()) {
                continue;
            }
            let span = src.span(value_at..value_at + value.len());
            out.pending(
                span,
                value.clone(),
                Want::EnvDefault {
                    var: (*var).to_string(),
                },
            );
        }
    }
}

/// The literal a lookup falls back to, right after the variable's name: `|| 'x'`, `?? "x"`, `", "x")`
/// (the second argument of `get`/`fetch`/`getOrDefault`/`setdefault`/`getenv`), `:-x}` (a shell
/// default). Returns the value and its offset in `rest`.
fn default_after(rest: &[u8]) -> Option<(String, usize)> {
    let mut i = 0;
    // The name's closing quote/bracket: `NODE_ENV'`, `NODE_ENV"]`, `NODE_ENV)`.
    while i < rest.len() && matches!(rest[i], b'"' | b'\'' | b'`' | b']') {
        i += 1;
    }
    let after = &rest[i..];
    let skip = after.iter().take_while(|b| **b == b' ').count();
    let op = &after[skip..];
    let lit_from = if op.starts_with(b"||") || op.starts_with(b"??") {
        i + skip + 2
    } else if op.starts_with(b",") {
        i + skip + 1
    } else if op.starts_with(b":-") {
        i + skip + 2
    } else {
        return None;
    };
    let body = &rest[lit_from..];
    let lead = body.iter().take_while(|b| **b == b' ').count();
    let body = &body[lead..];
    let (quoted, start) = match body.first() {
        Some(b'"' | b'\'' | b'`') => (true, 1),
        _ => (false, 0),
    };
    let len = body[start..]
        .iter()
        .take_while(|b| {
            if quoted {
                !matches!(b, b'"' | b'\'' | b'`')
            } else {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
            }
        })
        .count();
    if len == 0 {
        return None;
    }
    let value = String::from_utf8_lossy(&body[start..start + len]).into_owned();
    Some((value, lit_from + lead + start))
}

/// Statements that sign a user in or let a request through without login.
const LOGIN_BYPASSES: &[&[u8]] = &[
    b"req.user =",
    b"req.session.user =",
    b"req.session.userId =",
    b"res.locals.user =",
    b"request.user =",
    b"g.user =",
    b"login_user(",
    b"sign_in(",
    b"session[:user_id] =",
    b"current_user =",
    b"skip_before_action :authenticate",
    b"skip_before_action :require_login",
    b"skip_before_action :authenticate_user!",
];

/// Words of a flag that means a test mode or no login.
fn test_mode_flag(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.split(['_', '.', '-', '?', ':', '[']).any(|w| {
        matches!(
            w,
            "E2E"
                | "TEST"
                | "TESTING"
                | "CYPRESS"
                | "PLAYWRIGHT"
                | "SKIP"
                | "BYPASS"
                | "FAKE"
                | "MOCK"
                | "STUB"
                | "STUBBED"
                | "DISABLE"
                | "DISABLED"
                | "NOAUTH"
        )
    }) || upper.contains("SKIPAUTH")
        || upper.contains("TESTMODE")
}

/// A login bypass guarded only by a flag: a warning naming the flag and its default (an error when on
/// by default). Bypasses under a guard naming another environment are dev code; unguarded ones are
/// the application's own login.
fn login_bypasses(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    for pattern in LOGIN_BYPASSES {
        for at in memchr::memmem::find_iter(text, pattern) {
            let Some(g) = guard_at(text, at) else {
                continue;
            };
            let flagged = match &g.reads {
                Reads::Env { name, .. } | Reads::Setting { name } => test_mode_flag(name),
                Reads::Environment { .. } => g.on_by_default() == Some(true),
                Reads::Other => false,
            };
            if !flagged || g.outside_production() || !src.in_code(at) {
                continue;
            }
            let on = g.on_by_default() == Some(true);
            let what = String::from_utf8_lossy(pattern)
                .trim_end_matches([' ', '=', '('])
                .to_string();
            let where_ = if on {
                "it is on unless production sets the flag otherwise"
            } else {
                "production must keep the flag off, and should refuse to start with it on"
            };
            let msg = format!(
                "a test mode signs users in or skips login (`{what}`), guarded only {g}: {where_}"
            );
            let span = src.span(at..at + pattern.len());
            let mut f = super::make_finding(&NONPROD_DEFAULT, span, msg, &what);
            f.severity = if on {
                Severity::Error
            } else {
                Severity::Warning
            };
            out.findings.push(f);
        }
    }
}

/// `config/environments/production.rb` settings only development and tests should have.
fn rails_production(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    for (setting, value, why) in [
        (
            &b"config.consider_all_requests_local"[..],
            &b"true"[..],
            "shows full error reports (code, parameters, environment) to every visitor",
        ),
        (
            b"config.action_mailer.delivery_method",
            b":test",
            "keeps e-mails in memory instead of sending them",
        ),
        (
            b"config.active_job.queue_adapter",
            b":test",
            "never runs background jobs",
        ),
    ] {
        for at in memchr::memmem::find_iter(text, setting) {
            let line = line_range(text, at);
            let rest = &text[at + setting.len()..line.end];
            let rest = rest.trim_ascii_start();
            let Some(v) = rest.strip_prefix(b"=") else {
                continue;
            };
            if !v.trim_ascii_start().starts_with(value) || !src.in_code(at) {
                continue;
            }
            if guard_at(text, at).is_some_and(|g| g.outside_production()) {
                continue;
            }
            let name = String::from_utf8_lossy(setting);
            let v = String::from_utf8_lossy(value);
            let msg = format!(
                "`{name} = {v}` in the production environment {why}: set it as production needs in config/environments/production.rb"
            );
            let span = src.span(at..line.end);
            out.finding(&NONPROD_DEFAULT, span, msg, &format!("{name} = {v}"));
        }
    }
}

/// A shipped base config (`conf/application.conf`, `application.yml`, `config/default.json`, `.env`)
/// switching stubs or mocks on: `enrolment-stubs.enabled = true`, `USE_STUBS=true`, `stubs:` /
/// `  enabled: true`. Sections named for other environments are theirs.
pub(crate) fn extract_config(src: &mut Source, out: &mut Extracted) {
    // A file named for another environment (`values-uat.yaml`, `application-staging.yml`) is theirs.
    let name = paths::stem(paths::file_name(src.path));
    if crate::repo::environments::is_nonprod_environment(name) {
        return;
    }
    let text = src.text;
    let words: [&[u8]; 12] = [
        b"stub", b"Stub", b"STUB", b"mock", b"Mock", b"MOCK", b"fake", b"Fake", b"FAKE", b"dummy",
        b"Dummy", b"DUMMY",
    ];
    if !words
        .iter()
        .any(|w| memchr::memmem::find(text, w).is_some())
    {
        return;
    }
    // The YAML/HOCON headers enclosing each line: (indent, key).
    let mut headers: Vec<(usize, String)> = Vec::new();
    for (start, end) in trimmed_lines(text) {
        let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |i| i + 1);
        let indent = start - line_start;
        let line = &text[start..end];
        if line.is_empty() || line.starts_with(b"#") || line.starts_with(b"//") {
            continue;
        }
        while headers.last().is_some_and(|(w, _)| *w >= indent) {
            headers.pop();
        }
        let Some(sep) = line.iter().position(|b| matches!(b, b'=' | b':')) else {
            continue;
        };
        let key = String::from_utf8_lossy(&line[..sep])
            .trim()
            .trim_matches(['"', '\''])
            .to_string();
        let value = line[sep + 1..].trim_ascii();
        let value = value.strip_suffix(b",").unwrap_or(value).trim_ascii();
        let value = value
            .strip_prefix(b"\"")
            .and_then(|v| v.strip_suffix(b"\""))
            .unwrap_or(value);
        if value.is_empty() || value == b"{" {
            headers.push((indent, key));
            continue;
        }
        let path: Vec<&str> = headers
            .iter()
            .map(|(_, k)| k.as_str())
            .chain(std::iter::once(key.as_str()))
            .collect();
        let full = path.join(".");
        let on = matches!(
            value.to_ascii_lowercase().as_slice(),
            b"true" | b"yes" | b"on" | b"enabled" | b"1"
        );
        let stand_in_key = full.to_ascii_lowercase().split(['.', '-', '_']).any(|w| {
            matches!(
                w,
                "stub"
                    | "stubs"
                    | "stubbed"
                    | "mock"
                    | "mocks"
                    | "mocked"
                    | "fake"
                    | "fakes"
                    | "dummy"
            )
        });
        if !on || !stand_in_key {
            continue;
        }
        if crate::repo::scopes::scope_at(text, start) == crate::repo::scopes::Scope::NonProduction {
            continue;
        }
        let shown = crate::repo::text::evidence(line, 120);
        let msg = format!(
            "stubs or mocks switched on in shipped config (`{full}` = {}): every environment that does not override it runs them; default it off here and switch it on in development and test config",
            String::from_utf8_lossy(value)
        );
        let span = src.span(start..end);
        out.finding(&NONPROD_DEFAULT, span, msg, &shown);
    }
}

/// A production env file (`.env.production`, `.env.prod`) whose service URLs name a development or
/// test host (`https://cms-dev.example.digital/api`, `api.test.service.gov.uk`): the production build
/// talks to development's services (a copy of `.env.development` left as it was). Only URLs count, by
/// the host's labels; `localhost` is the machine's own (a sidecar), not another environment.
pub(crate) fn development_hosts(src: &mut Source, out: &mut Extracted) {
    let name = paths::file_name(src.path).to_ascii_lowercase();
    let Some(env) = name.strip_prefix(".env.") else {
        return;
    };
    if crate::repo::environments::tier_of_word(env)
        != Some(crate::repo::environments::Tier::Production)
    {
        return;
    }
    let text = src.text;
    for (start, end) in trimmed_lines(text) {
        let line = &text[start..end];
        if line.starts_with(b"#") {
            continue;
        }
        let Some(sep) = line.iter().position(|b| *b == b'=') else {
            continue;
        };
        let value = String::from_utf8_lossy(&line[sep + 1..]);
        let value = value.trim().trim_matches(['"', '\'']);
        let Some(host) = url_host(value) else {
            continue;
        };
        let Some(word) = host
            .split(['.', '-', '_'])
            .find(|w| {
                matches!(
                    crate::repo::environments::tier_of_word(w),
                    Some(crate::repo::environments::Tier::NonProduction)
                )
            })
            .map(str::to_string)
        else {
            continue;
        };
        let key = String::from_utf8_lossy(&line[..sep]).trim().to_string();
        let msg = format!(
            "the production env file sets `{key}` to a `{word}` host (`{host}`): the production build talks to a non-production service; point it at production's, or have the deployment set it"
        );
        let shown = crate::repo::text::evidence(line, 120);
        let span = src.span(start..end);
        out.finding(&NONPROD_DEFAULT, span, msg, &shown);
    }
}

/// The host of an `http(s)://` URL, lower case; None for anything else and for the machine itself.
fn url_host(value: &str) -> Option<String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    let host = rest
        .split(['/', ':', '?', '#'])
        .next()?
        .to_ascii_lowercase();
    (!host.is_empty() && host != "localhost" && !host.starts_with("127.") && host != "0.0.0.0")
        .then_some(host)
}

/// An image that installs an example or development env file as its real one (`COPY .env.example .env`,
/// `RUN cp .env.sample .env`): the service then starts with the example's values (fixed secrets, test
/// URLs, development modes) wherever the deployment does not override each one. Stages named for tests
/// or development are theirs.
pub(crate) fn example_config_installed(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut stage_is_dev = false;
    for (line_start, line_end) in trimmed_lines(text) {
        let code = &text[line_start..line_end];
        let words: Vec<&[u8]> = code
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        let Some(first) = words.first() else { continue };
        if first.eq_ignore_ascii_case(b"FROM") {
            stage_is_dev = words.len() >= 4
                && words[words.len() - 2].eq_ignore_ascii_case(b"AS")
                && String::from_utf8_lossy(words[words.len() - 1])
                    .split(['-', '_', '.'])
                    .any(|w| {
                        crate::repo::environments::tier_of_word(&w.to_ascii_lowercase())
                            == Some(crate::repo::environments::Tier::NonProduction)
                    });
            continue;
        }
        if stage_is_dev {
            continue;
        }
        let copies = first.eq_ignore_ascii_case(b"COPY") || first.eq_ignore_ascii_case(b"ADD");
        let runs = first.eq_ignore_ascii_case(b"RUN");
        let pairs: Vec<(&[u8], &[u8])> = if copies {
            let args: Vec<&[u8]> = words[1..]
                .iter()
                .copied()
                .filter(|w| !w.starts_with(b"--"))
                .collect();
            match args.split_last() {
                Some((dest, sources)) => sources.iter().map(|s| (*s, *dest)).collect(),
                None => Vec::new(),
            }
        } else if runs {
            // `cp .env.example .env` / `mv` inside a RUN.
            words
                .windows(3)
                .filter(|w| w[0] == b"cp" || w[0] == b"mv")
                .map(|w| (w[1], w[2]))
                .collect()
        } else {
            Vec::new()
        };
        for (from, to) in pairs {
            let name = |p: &[u8]| {
                String::from_utf8_lossy(p.rsplit(|b| *b == b'/').next().unwrap_or(p))
                    .trim_matches(['"', '\'', ','])
                    .to_ascii_lowercase()
            };
            let (from_name, to_name) = (name(from), name(to));
            if to_name != ".env" || !is_example_env(&from_name) {
                continue;
            }
            let span = src.span(line_start..line_end);
            let shown = crate::repo::text::evidence(code, 120);
            let msg = format!(
                "the production image installs `{from_name}` as its `.env`: the service starts with the example's values (secrets, URLs, modes) wherever the deployment does not set each one; ship no env file, and have the deployment set every variable"
            );
            out.finding(&NONPROD_DEFAULT, span, msg, &shown);
        }
    }
}

/// `.env.example`, `.env.sample`, `.env.development`, `example.env`: an env file for another purpose than
/// production's.
fn is_example_env(name: &str) -> bool {
    let words: Vec<&str> = name.split('.').filter(|w| !w.is_empty()).collect();
    (name.starts_with(".env.") || name.ends_with(".env"))
        && words.iter().any(|w| {
            matches!(*w, "example" | "sample" | "template" | "dist" | "defaults")
                || crate::repo::environments::tier_of_word(w)
                    == Some(crate::repo::environments::Tier::NonProduction)
        })
}

/// Environment variables a deployment file sets to a production value (`ENV NODE_ENV=production`,
/// `NODE_ENV: production`, `- name: NODE_ENV` / `value: production`, `NODE_ENV=production` in a
/// Procfile), or to a value the deployment fills in per environment (`FLASK_ENV:
/// ${COPILOT_ENVIRONMENT_NAME}`, CloudFormation's `Value: !Ref Environment`, Helm's `{{ .Values.env }}`):
/// a default to development is then overridden where production runs.
/// A platform that sets the framework environment itself: Cloud Foundry's and Heroku's Ruby buildpacks
/// set `RAILS_ENV` and `RACK_ENV` to `production` when the app does not. A Cloud Foundry manifest
/// (`applications:`) or a Heroku `app.json` naming the Ruby buildpack says production runs with them, so
/// a stock `puma.rb` fallback to `development` never applies there.
pub(crate) fn buildpack_env(src: &Source, out: &mut Extracted) {
    let name = paths::file_name(src.path);
    let text = String::from_utf8_lossy(src.text);
    let platform = match name {
        "manifest.yml" | "manifest.yaml" => text.lines().any(|l| l.starts_with("applications:")),
        "app.json" => true,
        _ => false,
    };
    let ruby = text.lines().any(|l| {
        let l = l.split('#').next().unwrap_or("");
        l.contains("ruby_buildpack") || l.contains("ruby-buildpack") || l.contains("heroku/ruby")
    });
    if platform && ruby {
        for var in ["RAILS_ENV", "RACK_ENV"] {
            out.facts
                .push(Fact::EnvSetForProduction { var: var.into() });
        }
    }
}

pub(crate) fn deployment_env(src: &Source, out: &mut Extracted) {
    let text = src.text;
    // Templates a generator fills in (`Dockerfile.tt`, `Procfile.erb`) deploy nothing of this repository.
    let ext = paths::extension(paths::file_name(src.path));
    if !matches!(
        ext,
        "tt" | "erb" | "j2" | "jinja" | "tmpl" | "tpl" | "template" | "example" | "sample"
    ) {
        out.facts.push(Fact::Deploys);
    }
    let mut set = Vec::new();
    for var in ENV_NAME_VARS {
        for at in word_occurrences(text, var.as_bytes(), true) {
            let line = line_range(text, at);
            let rest = &text[at + var.len()..line.end];
            let after = rest.trim_ascii_start();
            // `VAR=value`, `VAR: value`, or a `name: VAR` line whose value follows; anything else
            // (Dockerfile's own `ENV` instruction, a mention in prose) sets nothing.
            let mut value = match after
                .strip_prefix(b"=")
                .or_else(|| after.strip_prefix(b":"))
            {
                Some(v) => v.trim_ascii().to_vec(),
                None if after.is_empty() || after == b"\"" || after == b"'" => Vec::new(),
                None => continue,
            };
            // Kubernetes: `- name: NODE_ENV` then `value: production` on the next line.
            if value.is_empty() || value.ends_with(b"\"") && value.len() == 1 {
                let next = line.end + 1;
                if next < text.len() {
                    let nl = line_range(text, next);
                    let t = text[nl.clone()].trim_ascii();
                    if t.len() >= 6 && t[..6].eq_ignore_ascii_case(b"value:") {
                        value = t[6..].trim_ascii().to_vec();
                        // `Value:` alone, the value on the line below (a CloudFormation `!If`).
                        let below = nl.end + 1;
                        if value.is_empty() && below < text.len() {
                            value = text[line_range(text, below)].trim_ascii().to_vec();
                        }
                    }
                }
            }
            let v = String::from_utf8_lossy(&value)
                .trim_matches(['"', '\''])
                .to_string();
            let production = v.split(['.', '-', '_', '/', ' ']).any(|w| {
                crate::repo::environments::tier_of_word(&w.to_ascii_lowercase())
                    == Some(crate::repo::environments::Tier::Production)
            });
            if production || filled_in_per_environment(&v) {
                set.push((*var).to_string());
            }
        }
    }
    set.sort();
    set.dedup();
    for var in set {
        out.facts.push(Fact::EnvSetForProduction { var });
    }
    for var in variables_set(text) {
        out.facts.push(Fact::EnvSetByDeployment { var });
    }
}

/// Every environment variable a deployment file sets to something other than a test value:
/// `VAR=value`, `VAR: value`, `VAR = "value"`, `"VAR": "value"`, Dockerfile's `ENV VAR value`, and a
/// `name: VAR` entry (Kubernetes, ECS, CloudFormation) unless its `value:` is a test value (a
/// `valueFrom:` secret sets it). Names are upper-case (`SIGNING_KEY`), as environment variables are;
/// the code's own fallback then never applies where this file deploys.
fn variables_set(text: &[u8]) -> Vec<String> {
    let is_var = |n: &str| {
        n.len() >= 2
            && n.starts_with(|c: char| c.is_ascii_uppercase())
            && n.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    };
    let unquote = |s: &str| s.trim().trim_matches(['"', '\'', ',']).trim().to_string();
    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    let mut set = Vec::new();
    for (n, raw) in lines.iter().enumerate() {
        let line = String::from_utf8_lossy(raw);
        let mut l = line.trim().trim_start_matches("- ").trim();
        l = l.strip_prefix("export ").unwrap_or(l).trim_start();
        // Dockerfile's `ENV VAR value`: the only form where a space separates name and value.
        let dockerfile_env = l.starts_with("ENV ");
        l = l.strip_prefix("ENV ").unwrap_or(l).trim_start();
        // `name: VAR` / `"name": "VAR"`: the value, if any, on the lines below.
        let lower = l.to_ascii_lowercase();
        if let Some(rest) = ["name:", "\"name\":"]
            .iter()
            .find_map(|k| lower.starts_with(k).then(|| &l[k.len()..]))
        {
            let var = unquote(rest);
            if !is_var(&var) {
                continue;
            }
            let value = lines[n + 1..]
                .iter()
                .take(3)
                .map(|v| String::from_utf8_lossy(v).trim().to_string())
                .find_map(|v| {
                    let lv = v.to_ascii_lowercase();
                    ["value:", "\"value\":"]
                        .iter()
                        .find_map(|k| lv.starts_with(k).then(|| unquote(&v[k.len()..])))
                });
            if value.is_none_or(|v| super::test_fallbacks::test_value(&v).is_none()) {
                set.push(var);
            }
            continue;
        }
        // `VAR=value`, `VAR: value`, `VAR = value`, `"VAR": "value"`, `ENV VAR value`.
        let cut = if dockerfile_env {
            l.find(['=', ' '])
        } else {
            l.find(['=', ':'])
        };
        let Some(cut) = cut else {
            continue;
        };
        let var = unquote(&l[..cut]);
        let value = unquote(l[cut..].trim_start_matches([' ', '=', ':']));
        if is_var(&var) && !value.is_empty() && super::test_fallbacks::test_value(&value).is_none()
        {
            set.push(var);
        }
    }
    set.sort();
    set.dedup();
    set
}

/// A value the deployment fills in for each environment: a template placeholder (`${ENV}`, `{{ .Values.env
/// }}`, Concourse's `((env))`, `$ENV`) or a CloudFormation intrinsic (`!Ref Environment`, `!Sub …`,
/// `!If …`). Production's own value is then not this file's literal, and never the code's default.
fn filled_in_per_environment(v: &str) -> bool {
    v.contains("${")
        || v.contains("{{")
        || v.contains("((")
        || v.starts_with('$')
        || [
            "!Ref",
            "!Sub",
            "!If",
            "!FindInMap",
            "!ImportValue",
            "!Select",
        ]
        .iter()
        .any(|f| v.starts_with(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn defaults(code: &str) -> Vec<(String, String)> {
        let out = super::super::extract_for_test("app/config.js", code, Syntax::CLike, |s, o| {
            env_name_defaults(s, o)
        });
        out.pending
            .iter()
            .map(|p| match &p.want {
                Want::EnvDefault { var } => (var.clone(), p.evidence.to_string()),
                other => (format!("{other:?}"), String::new()),
            })
            .collect()
    }

    #[test]
    fn environment_names_defaulting_to_development() {
        assert_eq!(
            defaults("const env = process.env.NODE_ENV || 'development'\n"),
            vec![("NODE_ENV".to_string(), "development".to_string())]
        );
        assert_eq!(
            defaults("ENV = os.environ.get(\"FLASK_ENV\", \"development\")\n"),
            vec![("FLASK_ENV".to_string(), "development".to_string())]
        );
        assert_eq!(
            defaults("env = ENV.fetch(\"RAILS_ENV\", \"development\")\n"),
            vec![("RAILS_ENV".to_string(), "development".to_string())]
        );
        assert!(defaults("const env = process.env.NODE_ENV || 'production'\n").is_empty());
        assert!(defaults("if (process.env.NODE_ENV === 'development') {}\n").is_empty());
    }

    #[test]
    fn deployment_files_setting_the_environment() {
        let facts = |path: &str, text: &str| {
            let mut facts = super::super::extract_for_test(path, text, Syntax::Hash, |s, o| {
                deployment_env(s, o)
            })
            .facts;
            facts.retain(|f| !matches!(f, Fact::EnvSetByDeployment { .. }));
            facts
        };
        for text in [
            "FROM node:20\nENV NODE_ENV=production\n",
            "env:\n  - name: NODE_ENV\n    value: production\n",
            "[env]\n  NODE_ENV = \"production\"\n",
            "variables:\n  NODE_ENV: ${COPILOT_ENVIRONMENT_NAME}\n",
            "Environment:\n  - Name: NODE_ENV\n    Value: !Ref Environment\n",
            "Environment:\n  - Name: NODE_ENV\n    Value:\n      !If [UseSub, !Ref Sub, !Ref Environment]\n",
        ] {
            let got = facts("Dockerfile", text);
            assert!(
                matches!(got.as_slice(), [Fact::Deploys, Fact::EnvSetForProduction { var }] if var == "NODE_ENV"),
                "{text}: {got:?}"
            );
        }
        // Dockerfile's own `ENV` instruction is not the variable `ENV` being set; and the twin: a
        // deployment file setting it to development leaves the default's risk standing.
        for (path, text) in [
            (
                "Dockerfile",
                "FROM python:3\nENV APP_GIT_COMMIT=${APP_GIT_COMMIT}\n",
            ),
            (
                "docker-compose.yml",
                "environment:\n  NODE_ENV: development\n",
            ),
        ] {
            let got = facts(path, text);
            assert!(matches!(got.as_slice(), [Fact::Deploys]), "{text}: {got:?}");
        }
    }

    #[test]
    fn variables_a_deployment_file_sets() {
        let set = |text: &str| variables_set(text.as_bytes());
        assert_eq!(
            set("env:\n  - name: SIGNING_KEY\n    valueFrom:\n      secretKeyRef:\n        key: k\n  - name: INBOX\n    value: dummy@mail.example\n"),
            vec!["SIGNING_KEY"]
        );
        assert_eq!(
            set("FROM node:22\nENV API_URL https://api.example\nENV PORT=3000\n"),
            vec!["API_URL", "PORT"]
        );
        assert_eq!(
            set("app_settings = {\n  \"REPORTS_INBOX\" = var.reports_inbox\n  SIGNING_KEY = \"\"\n}\n"),
            vec!["REPORTS_INBOX"]
        );
        assert_eq!(
            set("[{\"name\": \"TOKEN\", \"value\": \"${TOKEN}\"}]\nLOG_LEVEL: test\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_example_env_installed_in_the_image() {
        let run = |text: &str| {
            super::super::extract_for_test("Dockerfile", text, Syntax::Hash, |s, o| {
                example_config_installed(s, o)
            })
            .findings
            .len()
        };
        assert_eq!(
            run("FROM node:20\nCOPY --from=build /app/.env.example /app/.env\n"),
            1
        );
        assert_eq!(
            run("FROM node:20\nRUN cp .env.sample .env && npm start\n"),
            1
        );
        // The twins: the real file, another destination, a development stage.
        assert_eq!(run("FROM node:20\nCOPY .env.production /app/.env\n"), 0);
        assert_eq!(run("FROM node:20\nCOPY .env.example /app/docs/\n"), 0);
        assert_eq!(run("FROM node:20 AS dev\nCOPY .env.example .env\n"), 0);
    }

    #[test]
    fn stubs_on_in_shipped_config() {
        let run = |path: &str, text: &str| {
            super::super::extract_for_test(path, text, Syntax::Hash, extract_config)
                .findings
                .len()
        };
        assert_eq!(
            run("conf/application.conf", "enrolment-stubs.enabled = true\n"),
            1
        );
        assert_eq!(
            run("conf/application.conf", "enrolment-stubs.enabled = false\n"),
            0
        );
        assert_eq!(
            run("config/application.yml", "stubs:\n  enabled: true\n"),
            1
        );
        assert_eq!(
            run(
                "config/application.yml",
                "development:\n  stubs:\n    enabled: true\n"
            ),
            0
        );
        assert_eq!(run(".env", "USE_MOCK_PAYMENTS=true\n"), 1);
        assert_eq!(run(".env", "PAYMENTS_URL=https://pay\n"), 0);
    }
}
