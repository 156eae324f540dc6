//! Test-support endpoints production serves: a route that exists for automated tests (`POST
//! /test-support/create-claim`, a `/__test__/login`), or a test router, blueprint, urlconf or engine
//! mounted, in the code or config production runs. Registered unconditionally it is an error; behind an
//! environment flag, a note naming the flag and its default (an error when the flag is on by default);
//! one level higher when it also bypasses authentication or CSRF protection, which such endpoints often
//! do so that test tools can call them.
//!
//! Express and other JavaScript routers, Flask/FastAPI/Django, Rails' `config/routes.rb`, and Play: its
//! routes files (`conf/*.routes`) and the router the shipped `conf/application.conf` selects. Play keeps
//! test-only routes in `testOnlyDoNotUseInAppConf.routes` and `app/testOnly/`: that is safe only while
//! `play.http.router` stays `prod.Routes` and the production routes do not include the test-only ones.

use super::aspnet::{self, ConfigFlag};
use super::paths;
use super::reach_rules::TEST_ROUTE;
use super::tokens::{
    call_args, contains, is_ident, line_range, literal_at, skip_ws, trimmed_lines, whole_literal,
    word_occurrences,
};
use super::{Extracted, Source};
use crate::finding::Severity;
use crate::repo::reach_guard::{guard_at, Guard, Reads};
use std::ops::Range;

/// Code files: route registrations and mounts.
pub(crate) fn extract(src: &mut Source, out: &mut Extracted, lang: Lang) {
    // The caller has checked that the file holds a test word (`anchors`): no test word, no test route.
    let found = match lang {
        Lang::JavaScript => {
            let mut found = javascript(src);
            found.extend(hapi(src));
            found
        }
        Lang::Python => python(src),
        Lang::Ruby => ruby(src),
        Lang::CSharp => return csharp_extract(src, out),
    };
    for r in found {
        if !src.in_code(r.keyword) {
            continue;
        }
        let guard = guard_at(src.text, r.at.start);
        // A Rails route with no guard of its own may be guarded by its controller: judged once the
        // controllers are read.
        let candidates = match (lang, &guard) {
            (Lang::Ruby, None) => {
                let line = String::from_utf8_lossy(
                    &src.text[super::tokens::line_range(src.text, r.keyword)],
                )
                .into_owned();
                super::rails_controllers::controller_files(src.text, r.keyword, &line)
            }
            _ => Vec::new(),
        };
        report(src, out, r, guard);
        if !candidates.is_empty() {
            if let Some(finding) = out.findings.pop() {
                out.facts.push(super::Fact::RailsRoute {
                    candidates,
                    finding: Box::new(finding),
                });
            }
        }
    }
}

/// ASP.NET: a route behind a configuration flag is judged once the settings files are known (`aspnet`).
fn csharp_extract(src: &mut Source, out: &mut Extracted) {
    for (r, pre) in csharp(src) {
        if !src.in_code(r.keyword) {
            continue;
        }
        let (guard, flag) = match pre {
            Some((g, f)) => (Some(g), f),
            None => {
                let g = csharp_guard(src.text, r.at.start);
                let f = g
                    .as_ref()
                    .and_then(|g| aspnet::config_flag(src.text, &g.condition));
                (g, f)
            }
        };
        match (guard, flag) {
            (Some(g), Some(f)) => {
                let fact = aspnet::flagged(src, r, f, &g);
                out.facts.push(fact);
            }
            (guard, _) => report(src, out, r, guard),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    JavaScript,
    Python,
    Ruby,
    /// ASP.NET Core: controllers, attribute routes and endpoint mappings.
    CSharp,
}

/// One registration found: what is served, where, and any bypass it states.
pub(crate) struct Route {
    /// The span to report (the path or the mounted name).
    pub at: Range<usize>,
    /// Where the registration's keyword is: it must be code, not a comment or string.
    pub keyword: usize,
    /// `POST /test-support/create-claim`, `the blueprint \`test_support_bp\``.
    pub what: String,
    /// `csrf_exempt`, `before \`app.use(requireAuth)\``: how it bypasses authentication or CSRF.
    pub bypass: Option<String>,
}

pub(super) fn report(src: &mut Source, out: &mut Extracted, r: Route, guard: Option<Guard>) {
    let (severity, how) = judged(guard.as_ref());
    let (severity, bypass) = match &r.bypass {
        Some(b) => (
            raise(severity),
            format!("; it bypasses authentication or CSRF protection ({b})"),
        ),
        None => (severity, String::new()),
    };
    let evidence = src.str(r.at.clone());
    let at = src.span(r.at);
    let msg = format!(
        "test-support endpoint {} served in production, {how}{bypass}",
        r.what
    );
    let mut f = super::make_finding(&TEST_ROUTE, at, msg, &evidence);
    f.severity = severity;
    out.findings.push(f);
}

/// Severity and wording from the guard: unguarded, the rule's; behind a flag that is on by default,
/// still an error; behind one that is off (or only outside production), a note naming it.
fn judged(guard: Option<&Guard>) -> (Severity, String) {
    match guard {
        None => (Severity::Error, "unguarded".to_string()),
        Some(g) if g.outside_production() => {
            (Severity::Note, format!("only outside production: {g}"))
        }
        Some(g) if g.on_by_default() == Some(true) => {
            (Severity::Error, format!("on by default: {g}"))
        }
        Some(g) => (Severity::Note, g.to_string()),
    }
}

fn raise(s: Severity) -> Severity {
    match s {
        Severity::Note => Severity::Warning,
        _ => Severity::Error,
    }
}

/// Is one segment of a route's path for test tooling: `test-support`, `__test__`, `e2e`, `testonly`,
/// `test-login`, `fake-sign-in`, `backdoor`? A bare `test` is not (a driving test, an MOT test are
/// product words), nor `tests` or `testimonials`.
pub(crate) fn is_test_segment(seg: &str) -> bool {
    let lower = seg.to_ascii_lowercase();
    let lower = lower.trim_matches(|c: char| c == ':' || c == '{' || c == '}');
    if matches!(
        lower,
        "__test__"
            | "__tests__"
            | "_test"
            | "e2e"
            | "cypress"
            | "backdoor"
            | "testonly"
            | "testsupport"
            | "test_only"
            | "test-only"
            | "test-support"
            | "test_support"
    ) {
        return true;
    }
    let words: Vec<&str> = lower
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let first = matches!(
        words.first().copied(),
        Some(
            "test" | "testing" | "e2e" | "cypress" | "fake" | "stub" | "mock" | "dev" | "backdoor"
        )
    );
    let second = words.get(1).is_some_and(|w| {
        matches!(
            *w,
            "support"
                | "only"
                | "helpers"
                | "helper"
                | "utils"
                | "login"
                | "signin"
                | "sign"
                | "session"
                | "auth"
                | "user"
                | "users"
                | "setup"
                | "reset"
                | "seed"
                | "fixtures"
                | "data"
                | "hooks"
        )
    });
    first && second && words.len() <= 4
}

/// Is a route's path (`/test-support/create-claim`, `^__test__/`) for test tooling?
pub(crate) fn is_test_path(path: &str) -> bool {
    path.split(['/', '^', '$', '?']).any(is_test_segment)
}

/// Is an identifier or module a test router (`testSupportRouter`, `test_bp`, `TestSupport::Engine`,
/// `app.test_support.urls`, `testOnlyDoNotUseInAppConf.Routes`)? One of its words is a test word and it
/// is not an English word that contains one (`latest`, `contest`, `testimonials`).
pub(crate) fn is_test_name(name: &str) -> bool {
    name.split(['.', ':', '/'])
        .filter(|p| !p.is_empty())
        .any(|part| {
            part.split(['_', '-']).any(|w| {
                humps(w).any(|h| {
                    matches!(
                        h.to_ascii_lowercase().as_str(),
                        "test" | "testing" | "testonly" | "testsupport" | "e2e" | "cypress"
                    )
                })
            })
        })
}

/// camelCase and PascalCase humps of a word, lower-case words whole.
pub(crate) fn humps(w: &str) -> impl Iterator<Item = &str> {
    let b = w.as_bytes();
    let mut cuts = vec![0];
    for i in 1..b.len() {
        if b[i].is_ascii_uppercase() && (b[i - 1].is_ascii_lowercase() || b[i - 1].is_ascii_digit())
        {
            cuts.push(i);
        }
    }
    cuts.push(b.len());
    let spans: Vec<(usize, usize)> = cuts.windows(2).map(|p| (p[0], p[1])).collect();
    spans.into_iter().map(move |(a, z)| &w[a..z])
}

// ---------------------------------------------------------------- JavaScript

const JS_METHODS: &[&[u8]] = &[
    b"get", b"post", b"put", b"patch", b"delete", b"del", b"all", b"use", b"route",
];

fn javascript(src: &Source) -> Vec<Route> {
    let text = src.text;
    let mut out = Vec::new();
    for method in JS_METHODS {
        for at in word_occurrences(text, method, true) {
            // A member call: `router.post(`, `app.use(`.
            if at == 0 || text[at - 1] != b'.' || text.get(at + method.len()) != Some(&b'(') {
                continue;
            }
            let open = at + method.len();
            let Some((args, end)) = call_args(text, open, 4000) else {
                continue;
            };
            let verb = String::from_utf8_lossy(method).to_ascii_uppercase();
            let first = args.first();
            let path = first.and_then(|a| whole_literal(text, a));
            if let Some(p) = &path {
                let s = String::from_utf8_lossy(&text[p.clone()]).into_owned();
                if is_test_path(&s) {
                    let what = if *method == b"use" {
                        format!("mounted at `{s}`")
                    } else {
                        format!("`{verb} {s}`")
                    };
                    let bypass = js_bypass(text, &text[open..end], end);
                    out.push(Route {
                        at: p.clone(),
                        keyword: at,
                        what,
                        bypass,
                    });
                    continue;
                }
            }
            // `app.use('/x', testSupportRouter)` / `app.use(testRoutes)`: a test router mounted.
            if *method == b"use" {
                let mounted = args.iter().skip(usize::from(path.is_some())).find(|a| {
                    let t = &text[(*a).clone()];
                    t.iter().all(|b| is_ident(*b) || *b == b'.')
                        && is_test_name(&String::from_utf8_lossy(t))
                });
                if let Some(m) = mounted {
                    let name = String::from_utf8_lossy(&text[m.clone()]).into_owned();
                    out.push(Route {
                        at: m.clone(),
                        keyword: at,
                        what: format!("router `{name}` mounted"),
                        bypass: js_bypass(text, &text[open..end], end),
                    });
                }
            }
        }
    }
    out.sort_by_key(|r| r.at.start);
    out
}

/// How a JavaScript route bypasses authentication or CSRF: an option saying so in its registration,
/// or authentication middleware installed after it in the same file (Express runs middleware in
/// order, so a route registered first is served without it).
fn js_bypass(text: &[u8], call: &[u8], after: usize) -> Option<String> {
    for opt in [
        &b"csrf: false"[..],
        b"skipAuth",
        b"noAuth",
        b"auth: false",
        b"public: true",
    ] {
        if memchr::memmem::find(call, opt).is_some() {
            return Some(format!("`{}`", String::from_utf8_lossy(opt)));
        }
    }
    for at in memchr::memmem::find_iter(&text[after..], b".use(").map(|i| after + i) {
        let line = &text[line_range(text, at)];
        let lower = line.to_ascii_lowercase();
        if [
            "auth",
            "login",
            "passport",
            "csrf",
            "session",
            "ensureloggedin",
            "requireuser",
        ]
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
        {
            let shown = crate::repo::text::evidence(line.trim_ascii(), 80);
            return Some(format!("registered before `{shown}`"));
        }
    }
    None
}

// ---------------------------------------------------------------- hapi

/// hapi route objects (`{ method: 'GET', path: '/error', handler }`): a test-support path, or a path
/// named for an error (`/error`, `/test-error`) whose handler does nothing but fail on purpose — a route
/// that exists to test error handling. A handler that fails only when its work fails is not one.
fn hapi(src: &Source) -> Vec<Route> {
    let text = src.text;
    super::hapi::registrations(text)
        .into_iter()
        .filter_map(|r| {
            let path = String::from_utf8_lossy(&text[r.path.clone()]).into_owned();
            let deliberate = r.fails_on_purpose && names_an_error(&path);
            if !deliberate && !is_test_path(&path) {
                return None;
            }
            let why = if deliberate {
                " (its handler does nothing but fail on purpose: a route to test error handling)"
            } else {
                ""
            };
            Some(Route {
                at: r.path,
                keyword: r.keyword,
                what: format!("`{} {path}`{why}", r.method),
                bypass: None,
            })
        })
        .collect()
}

/// The path's last segment names an error or a crash: `error`, `test-error`, `crash`, `boom`.
fn names_an_error(path: &str) -> bool {
    path.rsplit('/').find(|s| !s.is_empty()).is_some_and(|seg| {
        seg.to_ascii_lowercase().split(['-', '_', '.']).any(|w| {
            matches!(
                w,
                "error" | "errors" | "crash" | "boom" | "exception" | "throw"
            )
        })
    })
}

// ---------------------------------------------------------------- Python

fn python(src: &Source) -> Vec<Route> {
    let text = src.text;
    let mut out = Vec::new();
    // Flask / FastAPI decorators and add_url_rule; Django path/re_path/url.
    let calls: &[(&[u8], bool)] = &[
        (b"route", true),
        (b"get", true),
        (b"post", true),
        (b"put", true),
        (b"patch", true),
        (b"delete", true),
        (b"add_url_rule", true),
        (b"path", false),
        (b"re_path", false),
        (b"url", false),
    ];
    for (word, member) in calls {
        for at in word_occurrences(text, word, true) {
            let is_member = at > 0 && text[at - 1] == b'.';
            if *member != is_member || text.get(at + word.len()) != Some(&b'(') {
                continue;
            }
            // Decorators and urlpatterns only: `@bp.post(` or a call at a line's start / in a list.
            let line = line_range(text, at);
            let lead = text[line.start..at].trim_ascii_start();
            let decorator = lead.first() == Some(&b'@');
            if *member && !decorator && *word != b"add_url_rule" {
                continue;
            }
            let open = at + word.len();
            let Some((args, end)) = call_args(text, open, 4000) else {
                continue;
            };
            let Some(p) = args.first().and_then(|a| python_literal(text, a)) else {
                continue;
            };
            let s = String::from_utf8_lossy(&text[p.clone()]).into_owned();
            if !is_test_path(&s) {
                continue;
            }
            let verb = if matches!(*word, b"get" | b"post" | b"put" | b"patch" | b"delete") {
                String::from_utf8_lossy(word).to_ascii_uppercase()
            } else {
                "route".to_string()
            };
            let bypass = python_bypass(text, line.start, &text[open..end], decorator);
            out.push(Route {
                at: p,
                keyword: at,
                what: format!("{verb} `{s}`"),
                bypass,
            });
        }
    }
    // Mounted test blueprints, routers and urlconfs.
    for (word, what) in [
        (&b"register_blueprint"[..], "blueprint"),
        (b"include_router", "router"),
        (b"include", "urlconf"),
    ] {
        for at in word_occurrences(text, word, true) {
            let open = at + word.len();
            let Some((args, _)) = call_args(text, open, 2000) else {
                continue;
            };
            let Some(first) = args.first() else { continue };
            let arg = &text[first.clone()];
            let (span, name) = match python_literal(text, first) {
                Some(l) => (l.clone(), String::from_utf8_lossy(&text[l]).into_owned()),
                None if arg.iter().all(|b| is_ident(*b) || *b == b'.') => {
                    (first.clone(), String::from_utf8_lossy(arg).into_owned())
                }
                None => continue,
            };
            let prefix = args.iter().skip(1).find_map(|a| {
                let t = String::from_utf8_lossy(&text[a.clone()]).into_owned();
                t.split_once('=')
                    .filter(|(k, _)| k.trim() == "url_prefix" || k.trim() == "prefix")
                    .map(|(_, v)| v.trim().trim_matches(['"', '\'']).to_string())
            });
            if is_test_name(&name) || prefix.as_deref().is_some_and(is_test_path) {
                out.push(Route {
                    at: span,
                    keyword: at,
                    what: format!("{what} `{name}` mounted"),
                    bypass: None,
                });
            }
        }
    }
    out.sort_by_key(|r| r.at.start);
    out.dedup_by_key(|r| r.at.start);
    out
}

/// A plain or raw string literal argument (`"x/"`, `r"^x/$"`).
fn python_literal(text: &[u8], arg: &Range<usize>) -> Option<Range<usize>> {
    whole_literal(text, arg)
}

/// `@csrf_exempt` / `@csrf.exempt` / `@login_not_required` on the view, or `csrf_exempt(view)` in the
/// registration.
fn python_bypass(text: &[u8], line_start: usize, call: &[u8], decorator: bool) -> Option<String> {
    const MARKS: &[&[u8]] = &[
        b"csrf_exempt",
        b"csrf.exempt",
        b"login_not_required",
        b"no_auth",
        b"public_endpoint",
        b"allow_anonymous",
    ];
    if let Some(m) = MARKS
        .iter()
        .find(|m| memchr::memmem::find(call, m).is_some())
    {
        return Some(format!("`{}`", String::from_utf8_lossy(m)));
    }
    if !decorator {
        return None;
    }
    // The decorators stacked with this one, and the `def` they decorate.
    let after = &text[line_start..];
    let block_end = memchr::memmem::find(after, b"def ").map_or(after.len(), |i| i);
    let before_start = text[..line_start]
        .rsplitn(6, |b| *b == b'\n')
        .take_while(|l| l.trim_ascii_start().starts_with(b"@"))
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let stack = &text[line_start.saturating_sub(before_start)..line_start + block_end];
    MARKS
        .iter()
        .find(|m| memchr::memmem::find(stack, m).is_some())
        .map(|m| format!("`@{}`", String::from_utf8_lossy(m)))
}

// ---------------------------------------------------------------- Ruby (config/routes.rb)

fn ruby(src: &Source) -> Vec<Route> {
    if !src.path.ends_with("routes.rb") && !src.path.contains("/routes/") {
        return Vec::new();
    }
    let text = src.text;
    let mut out = Vec::new();
    for verb in [
        &b"get"[..],
        b"post",
        b"put",
        b"patch",
        b"delete",
        b"match",
        b"scope",
    ] {
        for at in word_occurrences(text, verb, false) {
            let mut j = at + verb.len();
            if text.get(j) == Some(&b'(') {
                j += 1;
            }
            while text.get(j) == Some(&b' ') {
                j += 1;
            }
            let Some(lit) = literal_at(text, j) else {
                continue;
            };
            let s = String::from_utf8_lossy(&text[lit.content.clone()]).into_owned();
            let line = &text[line_range(text, at)];
            let to = ruby_controller(line);
            if is_test_path(&s) || to.as_deref().is_some_and(is_test_segment) {
                let v = String::from_utf8_lossy(verb).to_ascii_uppercase();
                out.push(Route {
                    at: lit.content,
                    keyword: at,
                    what: format!("`{v} {s}`"),
                    bypass: None,
                });
            }
        }
    }
    for (kw, what) in [
        (&b"namespace"[..], "namespace"),
        (b"resources", "resources"),
        (b"resource", "resource"),
    ] {
        for at in word_occurrences(text, kw, false) {
            let j = at + kw.len();
            let rest = &text[j..line_range(text, at).end];
            let rest_trim = rest.trim_ascii_start();
            let Some(sym) = rest_trim.strip_prefix(b":") else {
                continue;
            };
            let n = sym.iter().take_while(|b| is_ident(**b)).count();
            let name = String::from_utf8_lossy(&sym[..n]).into_owned();
            if is_test_segment(&name) || is_test_name(&name) && name.contains("support") {
                let start = j + (rest.len() - rest_trim.len()) + 1;
                out.push(Route {
                    at: start..start + n,
                    keyword: at,
                    what: format!("{what} `:{name}`"),
                    bypass: None,
                });
            }
        }
    }
    for at in word_occurrences(text, b"mount", false) {
        let line = line_range(text, at);
        let rest = &text[at + 5..line.end];
        let name_start = at
            + 5
            + rest
                .iter()
                .take_while(|b| **b == b' ' || **b == b'(')
                .count();
        let n = text[name_start..line.end]
            .iter()
            .take_while(|b| is_ident(**b) || **b == b':')
            .count();
        let name = String::from_utf8_lossy(&text[name_start..name_start + n]).into_owned();
        let path = memchr::memmem::find(rest, b"=>")
            .and_then(|i| {
                let k = at + 5 + i + 2;
                let k = k + text[k..].iter().take_while(|b| **b == b' ').count();
                literal_at(text, k)
            })
            .map(|l| String::from_utf8_lossy(&text[l.content]).into_owned());
        if is_test_name(&name) || path.as_deref().is_some_and(is_test_path) {
            out.push(Route {
                at: name_start..name_start + n,
                keyword: at,
                what: format!("engine `{name}` mounted"),
                bypass: None,
            });
        }
    }
    out.sort_by_key(|r| r.at.start);
    out.dedup_by_key(|r| r.at.start);
    out
}

/// `to: "test_support#sign_in"` / `controller: :test_support`: the controller a route names.
fn ruby_controller(line: &[u8]) -> Option<String> {
    for key in [&b"to: "[..], b"controller: ", b"=> "] {
        if let Some(i) = memchr::memmem::find(line, key) {
            let rest = line[i + key.len()..].trim_ascii_start();
            let rest = rest.strip_prefix(b":").unwrap_or(rest);
            let lit = literal_at(rest, 0)
                .map(|l| rest[l.content].to_vec())
                .unwrap_or_else(|| rest.iter().take_while(|b| is_ident(**b)).copied().collect());
            let s = String::from_utf8_lossy(&lit).into_owned();
            let controller = s.split('#').next().unwrap_or("").to_string();
            if !controller.is_empty() {
                return Some(controller);
            }
        }
    }
    None
}

// ---------------------------------------------------------------- ASP.NET Core (C#)

/// `app.MapGet("/test-support/reset", …)`, `endpoints.MapControllerRoute("e2e", "e2e/{action}")`.
const CS_MAPS: &[&[u8]] = &[
    b"MapGet",
    b"MapPost",
    b"MapPut",
    b"MapPatch",
    b"MapDelete",
    b"MapMethods",
    b"Map",
    b"MapGroup",
    b"MapWhen",
    b"MapControllerRoute",
    b"MapAreaControllerRoute",
    b"MapRoute",
];

/// `[Route("…")]`, `[HttpGet("…")]`: attribute routes on controllers and their actions.
const CS_ATTRIBUTES: &[&[u8]] = &[
    b"Route",
    b"HttpGet",
    b"HttpPost",
    b"HttpPut",
    b"HttpPatch",
    b"HttpDelete",
];

/// A route found in C#, with the guard its action's body opens with when it has one (else the guard is
/// read around the route).
type CsRoute = (Route, Option<(Guard, Option<ConfigFlag>)>);

fn csharp(src: &Source) -> Vec<CsRoute> {
    let text = src.text;
    let mut out: Vec<CsRoute> = Vec::new();
    // The attribute routes that name a test controller's route: said once, with the controller.
    let mut told: Vec<usize> = Vec::new();
    for at in word_occurrences(text, b"class", false) {
        let name_start = skip_ws(text, at + 5, text.len());
        let name_end = (name_start..text.len())
            .find(|&i| !is_ident(text[i]))
            .unwrap_or(text.len());
        let name = String::from_utf8_lossy(&text[name_start..name_end]).into_owned();
        let Some(stem) = name.strip_suffix("Controller") else {
            continue;
        };
        // A controller derives from `Controller` or `ControllerBase` (or a base of the app's own).
        let head_end = memchr::memchr(b'{', &text[name_end..]).map_or(text.len(), |i| name_end + i);
        let bases = &text[name_end..head_end];
        if !bases.contains(&b':') || !contains(bases, b"Controller") {
            continue;
        }
        if !is_test_controller(stem) {
            if head_end < text.len() {
                out.extend(csharp_actions(text, head_end, &name));
            }
            continue;
        }
        let attrs = attributes_above(text, line_range(text, at).start);
        let route = attrs.iter().find_map(|(a, lit)| {
            let raw = String::from_utf8_lossy(&text[lit.clone()]).into_owned();
            (a == "Route").then(|| (lit.start, raw.replace("[controller]", stem)))
        });
        let where_ = match &route {
            Some((start, r)) => {
                told.push(*start);
                format!(" at `/{}`", r.trim_start_matches('/'))
            }
            None => format!(" (conventional routing serves it at `/{stem}/…`)"),
        };
        let bypass = attrs
            .iter()
            .any(|(a, _)| a == "AllowAnonymous")
            .then(|| "`[AllowAnonymous]`".to_string());
        out.push((
            Route {
                at: name_start..name_end,
                keyword: at,
                what: format!("controller `{name}`{where_}"),
                bypass,
            },
            None,
        ));
    }
    for attr in CS_ATTRIBUTES {
        for at in word_occurrences(text, attr, false) {
            // `[Route("…")]` or `[HttpGet("…"), …]`: an attribute, opened by `[` or a `,` in one.
            let before = text[..at].trim_ascii_end();
            if !matches!(before.last(), Some(b'[' | b',')) {
                continue;
            }
            let Some((args, _)) = call_args(text, at + attr.len(), 400) else {
                continue;
            };
            let Some(lit) = args.first().and_then(|a| whole_literal(text, a)) else {
                continue;
            };
            let path = String::from_utf8_lossy(&text[lit.clone()]).into_owned();
            if told.contains(&lit.start)
                || !(is_test_path(&path) || aspnet::is_diagnostic_path(&path))
            {
                continue;
            }
            let verb = String::from_utf8_lossy(attr)
                .strip_prefix("Http")
                .map(str::to_string);
            out.push((cs_route(lit, at, verb.as_deref(), &path), None));
        }
    }
    for method in CS_MAPS {
        for at in word_occurrences(text, method, true) {
            if at == 0 || text[at - 1] != b'.' {
                continue;
            }
            let Some((args, _)) = call_args(text, at + method.len(), 4000) else {
                continue;
            };
            // The path is the first argument, or the pattern of a named route (`pattern: "…"`).
            let found = args.iter().take(3).find_map(|a| {
                let a = match text[a.clone()].iter().position(|b| *b == b':') {
                    Some(c) if text[a.start..a.start + c].iter().all(|b| is_ident(*b)) => {
                        skip_ws(text, a.start + c + 1, a.end)..a.end
                    }
                    _ => a.clone(),
                };
                // `"/x"`, or `$"{prefix}x"` with the prefix a constant of the file.
                let (lit, path) = match whole_literal(text, &a) {
                    Some(lit) => {
                        let path = String::from_utf8_lossy(&text[lit.clone()]).into_owned();
                        (lit, path)
                    }
                    None => (a.clone(), aspnet::interpolated(text, &a)?),
                };
                (is_test_path(&path) || aspnet::is_diagnostic_path(&path)).then_some((lit, path))
            });
            if let Some((lit, path)) = found {
                let verb = String::from_utf8_lossy(method)
                    .strip_prefix("Map")
                    .filter(|v| matches!(*v, "Get" | "Post" | "Put" | "Patch" | "Delete"))
                    .map(str::to_string);
                out.push((cs_route(lit, at, verb.as_deref(), &path), None));
            }
        }
    }
    out.sort_by_key(|r| r.0.at.start);
    out
}

/// The actions of a controller (not one that exists for tests: that is reported whole) that are test
/// support or debugging by what they do: a debugging echo of the request (whatever guards it), or an
/// action named for resetting data, setting the session or signing in from a token that a flag or the
/// environment switches on (the switch is what says it is not the product's own).
fn csharp_actions(text: &[u8], open: usize, class: &str) -> Vec<CsRoute> {
    let close = aspnet::block_end(text, open, b'{', b'}');
    let mut out = Vec::new();
    for a in aspnet::actions(text, open..close, class) {
        let name = String::from_utf8_lossy(&text[a.name.clone()]).into_owned();
        let echo = aspnet::echoes_request(text, &a.body);
        let kind = aspnet::backdoor_kind(&name);
        if echo.is_none() && kind.is_none() {
            continue;
        }
        let exit = aspnet::early_exit(text, &a.body);
        let debug = csharp_guard(text, a.name.start).filter(|g| g.condition == "#if DEBUG");
        if echo.is_none() && exit.is_none() && debug.is_none() {
            continue;
        }
        let attrs = attributes_above(text, line_range(text, a.name.start).start);
        let route = attrs
            .iter()
            .filter(|(n, lit)| !lit.is_empty() && (n == "Route" || n.starts_with("Http")))
            .map(|(_, lit)| String::from_utf8_lossy(&text[lit.clone()]).into_owned())
            .next()
            .unwrap_or_else(|| name.clone());
        let doing = match (echo, kind) {
            (Some("headers"), _) => "a debugging echo of the request's own headers (through a \
                                     gateway or proxy it hands back the authentication headers added \
                                     on the way)"
                .to_string(),
            (Some(what), _) => format!("a debugging echo of the request's own {what}"),
            (None, Some(k)) => format!("which {k}, switched on by configuration or the environment"),
            (None, None) => continue,
        };
        let bypass = attrs
            .iter()
            .any(|(n, _)| n == "AllowAnonymous")
            .then(|| "`[AllowAnonymous]`".to_string());
        out.push((
            Route {
                at: a.name.clone(),
                keyword: a.name.start,
                what: format!("`{route}` (action `{name}`, {doing})"),
                bypass,
            },
            if debug.is_some() { None } else { exit },
        ));
    }
    out
}

/// Is a controller's name (without `Controller`) one for tests: `Test`, `Testing`, `TestSupport`,
/// `TestData`, `E2e`, or a test of error handling (`ErrorTest`, `ExceptionTest`)? A test the product is
/// about (`MotTest`, `TheoryTest`, `TestCentre`) is not.
pub(crate) fn is_test_controller(stem: &str) -> bool {
    let words: Vec<String> = humps(stem).map(str::to_ascii_lowercase).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["test" | "tests" | "testing" | "e2e" | "cypress" | "testsupport" | "testonly"] => true,
        ["error" | "errors" | "exception" | "exceptions" | "crash", "test"] => true,
        ["test", "error" | "errors" | "exception" | "exceptions"] => true,
        [first, ..] if matches!(*first, "test" | "testing" | "e2e" | "cypress") => {
            is_test_segment(&w.join("-"))
        }
        _ => false,
    }
}

/// The attributes on the lines just above a declaration (`[Route("api/[controller]")]`,
/// `[AllowAnonymous]`): each name, and its first argument's literal content when it has one.
fn attributes_above(text: &[u8], line_start: usize) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut end = line_start;
    while end > 0 {
        let r = line_range(text, end - 1);
        let line = text[r.clone()].trim_ascii();
        if line.is_empty() || line.starts_with(b"//") {
            end = r.start;
            continue;
        }
        if !line.starts_with(b"[") {
            break;
        }
        let first = r.start + (text[r.clone()].len() - text[r.clone()].trim_ascii_start().len());
        let mut i = first + 1;
        // One line may hold several: `[Route("x"), AllowAnonymous]`.
        while i < r.end {
            let name_end = (i..r.end).find(|&k| !is_ident(text[k])).unwrap_or(r.end);
            let name = String::from_utf8_lossy(&text[i..name_end]).into_owned();
            let lit = call_args(text, name_end, 400)
                .and_then(|(args, _)| args.first().and_then(|a| whole_literal(text, a)))
                .unwrap_or(name_end..name_end);
            if !name.is_empty() {
                out.push((name, lit));
            }
            match memchr::memchr2(b',', b']', &text[name_end..r.end]) {
                Some(k) if text[name_end + k] == b',' => {
                    i = skip_ws(text, name_end + k + 1, r.end);
                }
                _ => break,
            }
        }
        end = r.start;
    }
    out
}

/// The condition a C# line runs under: a `#if DEBUG` region (compiled only into a Debug build, never
/// the release build that is published), or the enclosing `if` (`env.IsDevelopment()`).
fn csharp_guard(text: &[u8], at: usize) -> Option<Guard> {
    // The open `#if` regions before `at`: (debug only?, line).
    let mut open: Vec<(bool, u32)> = Vec::new();
    for (no, (start, end)) in trimmed_lines(&text[..at.min(text.len())]).enumerate() {
        let line = text[start..end].trim_ascii_end();
        let Some(directive) = line.strip_prefix(b"#") else {
            continue;
        };
        let directive = directive.trim_ascii_start();
        let words: Vec<&[u8]> = directive
            .split(|b| !is_ident(*b) && *b != b'!')
            .filter(|w| !w.is_empty())
            .collect();
        match words.first().copied() {
            Some(b"if") => open.push((words.len() == 2 && words[1] == b"DEBUG", no as u32 + 1)),
            // The other branch of `#if DEBUG` is the release build's.
            Some(b"else" | b"elif") => {
                if let Some(last) = open.last_mut() {
                    last.0 = false;
                }
            }
            Some(b"endif") => {
                open.pop();
            }
            _ => {}
        }
    }
    if let Some(&(_, line)) = open.iter().find(|(debug, _)| *debug) {
        return Some(Guard {
            condition: "#if DEBUG".into(),
            line,
            reads: Reads::Environment { production: false },
            negated: false,
        });
    }
    guard_at(text, at)
}

// ---------------------------------------------------------------- Play

/// A Play routes file production loads (`conf/prod.routes`, `conf/app.routes`, `conf/routes`): routes
/// into test-only controllers, an include of the test-only router, and `+ nocsrf` on them.
pub(crate) fn play_routes(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut nocsrf = false;
    let mut found = Vec::new();
    for (start, end) in super::tokens::trimmed_lines(text) {
        let line = &text[start..end];
        if line.starts_with(b"#") || line.is_empty() {
            continue;
        }
        if line.starts_with(b"+") {
            nocsrf |= memchr::memmem::find(line, b"nocsrf").is_some();
            continue;
        }
        let words: Vec<(usize, &[u8])> = split_words(line)
            .into_iter()
            .map(|(i, w)| (start + i, w))
            .collect();
        let bypass = std::mem::take(&mut nocsrf).then(|| "`+ nocsrf`".to_string());
        match words.as_slice() {
            [(_, b"->"), (_, path), (at, router), ..] => {
                let name = String::from_utf8_lossy(router).into_owned();
                let p = String::from_utf8_lossy(path).into_owned();
                if is_test_name(&name) || is_test_path(&p) {
                    found.push(Route {
                        at: *at..*at + router.len(),
                        keyword: *at,
                        what: format!("router `{name}` included at `{p}`"),
                        bypass,
                    });
                }
            }
            [(_, verb), (_, path), (at, action), ..] if is_http_verb(verb) => {
                let action_name = String::from_utf8_lossy(action);
                let controller = action_name.split('(').next().unwrap_or("").to_string();
                let p = String::from_utf8_lossy(path).into_owned();
                // A package of test-only controllers (`testOnly`, `test_only`), not a bare `test`.
                let test_controller = controller
                    .split('.')
                    .any(|part| is_test_segment(part) && !part.starts_with(char::is_uppercase))
                    || is_test_path(&p);
                if test_controller {
                    let v = String::from_utf8_lossy(verb);
                    found.push(Route {
                        at: *at..*at + controller.len(),
                        keyword: *at,
                        what: format!("`{v} {p}` → `{controller}`"),
                        bypass,
                    });
                }
            }
            _ => {}
        }
    }
    for r in found {
        let guard = guard_at(src.text, r.at.start);
        report(src, out, r, guard);
    }
}

fn is_http_verb(w: &[u8]) -> bool {
    matches!(
        w,
        b"GET" | b"POST" | b"PUT" | b"PATCH" | b"DELETE" | b"HEAD" | b"OPTIONS" | b"*"
    )
}

fn split_words(line: &[u8]) -> Vec<(usize, &[u8])> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        let s = i;
        // An action's argument list may hold spaces: `controllers.A.b(id: String)` is one word.
        let mut depth = 0usize;
        while i < line.len() && (depth > 0 || !line[i].is_ascii_whitespace()) {
            match line[i] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        if i > s {
            out.push((s, &line[s..i]));
        }
    }
    out
}

/// The router a shipped Play config selects: `play.http.router = testOnlyDoNotUseInAppConf.Routes`
/// (or the older `application.router`) makes every test-only route production's.
pub(crate) fn play_conf(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    for key in [&b"play.http.router"[..], b"application.router"] {
        for at in memchr::memmem::find_iter(text, key) {
            let line = line_range(text, at);
            if text[line.start..at].trim_ascii_start() != b"" {
                continue; // commented out, or part of another key
            }
            let rest = &text[at + key.len()..line.end];
            let Some(eq) = rest.iter().position(|b| matches!(b, b'=' | b':')) else {
                continue;
            };
            let value_at = at + key.len() + eq + 1;
            let value = text[value_at..line.end].trim_ascii();
            let value = value
                .split(|b| *b == b'#')
                .next()
                .unwrap_or(value)
                .trim_ascii();
            let value = value
                .strip_prefix(b"\"")
                .and_then(|v| v.strip_suffix(b"\""))
                .unwrap_or(value);
            let name = String::from_utf8_lossy(value).into_owned();
            if !is_test_name(&name) {
                continue;
            }
            let start =
                value_at + memchr::memmem::find(&text[value_at..line.end], value).unwrap_or(0);
            let guard = guard_at(text, start);
            report(
                src,
                out,
                Route {
                    at: start..start + value.len(),
                    keyword: at,
                    what: format!(
                        "router `{name}` selected by the shipped `{}`",
                        paths::file_name(src.path)
                    ),
                    bypass: None,
                },
                guard,
            );
        }
    }
}

/// An ASP.NET route on a test path: its literal, the attribute or `Map*` call, and `VERB /path`.
fn cs_route(lit: Range<usize>, keyword: usize, verb: Option<&str>, path: &str) -> Route {
    let verb = verb.map_or(String::new(), |v| format!("{} ", v.to_ascii_uppercase()));
    Route {
        at: lit,
        keyword,
        what: format!("`{verb}/{}`", path.trim_start_matches('/')),
        bypass: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_segments_and_names() {
        for s in [
            "test-support",
            "__test__",
            "e2e",
            "testonly",
            "test-login",
            "fake-sign-in",
            "backdoor",
            "test_support",
        ] {
            assert!(is_test_segment(s), "{s}");
        }
        for s in [
            "test",
            "tests",
            "mot-test",
            "test-centres",
            "testimonials",
            "latest",
            "driving-test",
            "contest",
        ] {
            assert!(!is_test_segment(s), "{s}");
        }
        for n in [
            "testSupportRouter",
            "test_bp",
            "TestSupport::Engine",
            "app.test_support.urls",
            "testOnlyDoNotUseInAppConf.Routes",
            "e2eRoutes",
        ] {
            assert!(is_test_name(n), "{n}");
        }
        for n in [
            "latestRouter",
            "contestRoutes",
            "testimonialsRouter",
            "prod.Routes",
            "app.urls",
            "attestation_bp",
        ] {
            assert!(!is_test_name(n), "{n}");
        }
    }
}
