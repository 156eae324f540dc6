//! A Rails route to a controller that refuses to serve outside test environments is guarded where the
//! controller is: `before_action :redirect_unless_test_environment` whose method redirects (or raises, or
//! answers 404) `unless HostingEnvironment.test_environment?`. `config/routes.rb` names the route; the
//! controller file holds its guard. The route's finding waits for the controllers to be read
//! (`Fact::RailsRoute`), and becomes a note naming the guard when its controller refuses.
//!
//! Only a guard for the whole controller counts (a `before_action` with no `only:`/`except:`), and only a
//! condition that holds outside production: a test or development environment by Rails' name or the
//! service's own predicate (`test_environment?`), or production by name in an `if`.

use super::tokens::line_range;
use super::{Extracted, Fact, Source};
use crate::finding::{Finding, Severity};

/// Words of a refusal in a filter's body.
const REFUSALS: &[&str] = &[
    "redirect_to",
    "head :not_found",
    "head :forbidden",
    "head(:not_found",
    "raise",
    "render_not_found",
    "not_found",
];

/// Conditions that hold only outside production (after `unless`).
const OUTSIDE_PRODUCTION: &[&str] = &[
    "test_environment?",
    "rails.env.test?",
    "rails.env.development?",
    "non_production?",
    "nonproduction?",
    "development_environment?",
];

/// Record a controller that refuses to serve outside test or development environments.
pub(crate) fn extract(src: &Source, out: &mut Extracted) {
    let text = String::from_utf8_lossy(src.text);
    for line in text.lines() {
        let t = line.trim();
        let Some(rest) = t.strip_prefix("before_action :") else {
            continue;
        };
        if t.contains("only:")
            || t.contains("except:")
            || t.contains("if:")
            || t.contains("unless:")
        {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '?' | '!'))
            .collect();
        if let Some(why) = refusing_filter(&text, &name) {
            out.facts.push(Fact::RailsGuardedController {
                path: src.path.to_string(),
                guard: format!("`before_action :{name}` ({why})"),
            });
            return;
        }
    }
}

/// The condition under which the filter `name` refuses, when it refuses outside test environments.
fn refusing_filter(text: &str, name: &str) -> Option<String> {
    let def = format!("def {name}");
    let at = text.match_indices(&def).map(|(i, _)| i).find(|&i| {
        text[i + def.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })?;
    let start = line_range(text.as_bytes(), at).start;
    let indent = text[start..at].len();
    let mut body = Vec::new();
    for line in text[at..].lines().skip(1) {
        let w = line.len() - line.trim_start().len();
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if w <= indent {
            break;
        }
        body.push(t.to_ascii_lowercase());
    }
    let joined = body.join("\n");
    if !REFUSALS.iter().any(|r| joined.contains(r)) {
        return None;
    }
    body.iter().find_map(|l| {
        let cond = l
            .split_once("unless ")
            .map(|(_, c)| (c, true))
            .or_else(|| l.split_once("if ").map(|(_, c)| (c, false)))?;
        let holds_outside = match cond {
            (c, true) => OUTSIDE_PRODUCTION.iter().any(|p| c.contains(p)),
            (c, false) => c.contains("production?") && !c.contains('!') && !c.contains("not "),
        };
        holds_outside.then(|| {
            format!(
                "refuses {} `{}`",
                if cond.1 { "unless" } else { "if" },
                cond.0.trim()
            )
        })
    })
}

/// The controller files a route in `config/routes.rb` may be served by: its namespaces (`namespace
/// :support_interface do`, `scope module: :admin`) and its controller (`to: "test_users#authenticate"`,
/// `controller: :x`, or the `resources :test_users` it is or is inside).
pub(crate) fn controller_files(text: &[u8], at: usize, route_line: &str) -> Vec<String> {
    let headers: Vec<String> = crate::repo::enclosing::headers(text, at)
        .into_iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let mut namespaces: Vec<String> = headers
        .iter()
        .rev()
        .filter_map(|h| {
            let rest = h
                .strip_prefix("namespace :")
                .or_else(|| h.split_once("module: :").map(|(_, r)| r))
                .or_else(|| h.split_once("module: \"").map(|(_, r)| r))?;
            let n: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '/')
                .collect();
            (!n.is_empty()).then_some(n)
        })
        .collect();
    let controller = controller_of(route_line).or_else(|| {
        std::iter::once(route_line.trim())
            .chain(headers.iter().map(String::as_str))
            .find_map(|h| {
                let rest = h
                    .strip_prefix("resources :")
                    .or_else(|| h.strip_prefix("resource :"))?;
                Some(
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>(),
                )
            })
    });
    let Some(controller) = controller.filter(|c| !c.is_empty()) else {
        return Vec::new();
    };
    // `to: "admin/users#x"` names its own namespace: relative to the enclosing ones.
    namespaces.push(controller);
    let base = namespaces.join("/");
    vec![format!("app/controllers/{base}_controller.rb")]
}

fn controller_of(line: &str) -> Option<String> {
    for key in [
        "to: \"",
        "to: '",
        "controller: :",
        "controller: \"",
        "controller: '",
    ] {
        if let Some((_, rest)) = line.split_once(key) {
            let c: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '/')
                .collect();
            if !c.is_empty() {
                return Some(c);
            }
        }
    }
    None
}

/// The routes waiting for their controllers: a note naming the guard when a controller refuses outside
/// test environments, the finding as it was otherwise.
pub(crate) fn judge(
    routes: Vec<(Vec<String>, Finding)>,
    guarded: &[(String, String)],
) -> Vec<Finding> {
    routes
        .into_iter()
        .map(|(candidates, mut f)| {
            let guard = guarded.iter().find(|(path, _)| {
                candidates
                    .iter()
                    .any(|c| path == c || path.ends_with(&format!("/{c}")))
            });
            if let Some((path, guard)) = guard {
                f.severity = Severity::Note;
                f.message = f.message.replacen(
                    "served in production, unguarded",
                    &format!("only outside production: its controller `{path}` has {guard}"),
                    1,
                );
            }
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_that_redirects_unless_a_test_environment_refuses() {
        let rb = "class TestUsersController < ApplicationController\n  before_action :redirect_unless_test_environment\n\n  def index; end\n\n  private\n\n  def redirect_unless_test_environment\n    unless HostingEnvironment.test_environment?\n      redirect_to root_path\n    end\n  end\nend\n";
        assert!(refusing_filter(rb, "redirect_unless_test_environment").is_some());
        let open = rb.replace("redirect_to root_path", "log(:x)");
        assert!(refusing_filter(&open, "redirect_unless_test_environment").is_none());
        let auth = rb.replace(
            "HostingEnvironment.test_environment?",
            "current_user.admin?",
        );
        assert!(refusing_filter(&auth, "redirect_unless_test_environment").is_none());
    }

    #[test]
    fn a_route_names_its_controller_file() {
        let routes = "Rails.application.routes.draw do\n  namespace :support_interface, path: \"/support\" do\n    resources :test_users, only: %i[index create] do\n      put \"/authenticate\", on: :member, to: \"test_users#authenticate\"\n    end\n  end\nend\n";
        let at = routes.find("put").unwrap_or(0);
        assert_eq!(
            controller_files(
                routes.as_bytes(),
                at,
                "      put \"/authenticate\", on: :member, to: \"test_users#authenticate\""
            ),
            vec!["app/controllers/support_interface/test_users_controller.rb".to_string()]
        );
        let at = routes.find("resources").unwrap_or(0);
        assert_eq!(
            controller_files(
                routes.as_bytes(),
                at,
                "    resources :test_users, only: %i[index create] do"
            ),
            vec!["app/controllers/support_interface/test_users_controller.rb".to_string()]
        );
    }
}
