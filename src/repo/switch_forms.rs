//! Forms of a switch that are weaker evidence than `DEBUG = True`.
//!
//! Measured on the held-out services (docs/precision.md): a debug switch as the *default of an
//! environment read* (`DEBUG = os.environ.get("DEBUG", "True") == "True"`) is set by every deploy, and
//! services that write it guard production elsewhere (`assert not DEBUG` in the production settings); a
//! `debug=True` *argument to the project's own class* (`Redbox(env=settings, debug=True)`) switches on
//! whatever that class means by it. Both are still worth a look, neither is strong enough to fail a build
//! by default. A web framework's or server's own switch (`app.run(debug=True)`, `FastAPI(debug=True)`)
//! stays an error.

use crate::repo::classify::Lang;

/// Calls whose `debug=` argument is a web framework's or server's debug mode.
const FRAMEWORK_CALLS: &[&str] = &[
    "run",
    "run_server",
    "run_app",
    "run_simple",
    "Flask",
    "FastAPI",
    "Starlette",
    "Sanic",
    "Quart",
    "Litestar",
    "Dash",
    "Bottle",
    "Application",
];

/// Why the switch matched in `content[start..end]` is a weak form, if it is one.
pub fn weak_form(lang: Lang, content: &[u8], start: usize, end: usize) -> Option<String> {
    let matched = &content[start..end.min(content.len())];
    let lower = matched.to_ascii_lowercase();
    let reads_env = ["getenv(", "environ.get(", "env(", "env.bool("]
        .iter()
        .any(|r| memchr::memmem::find(&lower, r.as_bytes()).is_some());
    if reads_env {
        return Some("the default of an environment read, which the deploy sets".into());
    }
    if lang != Lang::Python || !matches!(matched.first(), Some(b'(' | b',')) {
        return None;
    }
    let callee = callee_before(content, start)?;
    let last = callee.rsplit('.').next().unwrap_or(&callee);
    (!FRAMEWORK_CALLS.contains(&last)).then(|| {
        format!("an argument to `{callee}(…)`, not a web framework's or server's debug mode")
    })
}

/// The name called by the innermost call whose arguments hold byte `at`: `x.Redbox` in
/// `x.Redbox(env=e, debug=True)`. Looks back at most a few lines.
fn callee_before(content: &[u8], at: usize) -> Option<String> {
    let from = at.saturating_sub(2000);
    let mut depth = 0usize;
    let mut i = at.min(content.len());
    // The match may start at the call's own `(`.
    if content.get(i) == Some(&b'(') {
        i += 1;
    }
    while i > from {
        i -= 1;
        match content[i] {
            b')' | b']' | b'}' => depth += 1,
            b'[' | b'{' => depth = depth.checked_sub(1)?,
            b'(' if depth == 0 => {
                let name_end = i;
                let name_start = content[from..name_end]
                    .iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.'))
                    .map_or(from, |p| from + p + 1);
                let name = std::str::from_utf8(&content[name_start..name_end]).ok()?;
                return (!name.is_empty()).then(|| name.trim_start_matches('.').to_string());
            }
            b'(' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weak(code: &str, needle: &str) -> Option<String> {
        let start = code.find(needle).unwrap_or(0);
        weak_form(Lang::Python, code.as_bytes(), start, start + needle.len())
    }

    #[test]
    fn environment_defaults_and_own_class_arguments_are_weak() {
        assert!(weak(
            "DEBUG = os.environ.get('DEBUG', 'True') == 'True'\n",
            "environ.get('DEBUG', 'True'"
        )
        .is_some());
        let own = weak(
            "st.session_state.redbox = Redbox(env=get_settings(), debug=True)\n",
            ", debug=True)",
        );
        assert_eq!(
            own.as_deref(),
            Some("an argument to `Redbox(…)`, not a web framework's or server's debug mode")
        );
    }

    #[test]
    fn a_frameworks_own_switch_is_strong() {
        assert_eq!(
            weak("app.run(host='0.0.0.0', debug=True)\n", ", debug=True)"),
            None
        );
        assert_eq!(weak("app.run(debug=True)\n", "(debug=True)"), None);
        assert_eq!(
            weak("api = FastAPI(title=f(x), debug=True)\n", ", debug=True)"),
            None
        );
        assert_eq!(weak("DEBUG = True\n", "DEBUG = True"), None);
    }
}
