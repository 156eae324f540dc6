//! The value a `run:` step gives one of its outputs (`echo "deploy=true" >> $GITHUB_OUTPUT`), as far as
//! the script fixes it in a scenario. A gate job that writes `deploy=true` only inside
//! `if [[ "${{ github.event.pull_request.merged }}" == "true" ]]` lets the jobs that wait for that output
//! run only for a merged pull request; under any other event its `else` writes `deploy=false`.
//!
//! Only a script made wholly of what is read here is judged: `if`/`elif`/`else`/`fi` whose tests compare
//! literals and `${{ }}` expressions (joined by `&&`), `echo name=value` lines, comments, `set` and `exit`.
//! Anything else (a command, a loop, a variable, a write in another form) could write the output too, so
//! the value stays unknown: an unknown value is judged as possibly the one that deploys.

use crate::repo::expr::{self, Scope, Val};
use crate::repo::workflows::Job;

/// Scripts longer than this are not read (unknown): a cap that fails closed.
const MAX_LINES: usize = 200;

/// The value step `id` of `job` gives its output `name` in `scope` (the job's scope): `Str` when the
/// script fixes it (`""` when no write can run), otherwise unknown.
pub fn step_output(job: &Job, id: &str, name: &str, scope: &dyn Scope) -> Val {
    let Some(step) = job
        .steps
        .iter()
        .find(|s| s.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
    else {
        return Val::Unknown;
    };
    // A skipped step sets no outputs: they read as ''.
    if let Some(c) = &step.cond {
        if expr::eval_condition(&c.value, scope).truthy() == Some(false) {
            return Val::Str(String::new());
        }
    }
    match &step.run {
        Some(run) => script_output(&run.value, name, scope),
        // An action's outputs are the action's.
        None => Val::Unknown,
    }
}

/// One branch of an `if` chain being read.
#[derive(Clone, Copy)]
struct Frame {
    /// Some branch before this one in the chain may have been taken.
    earlier_may: bool,
    /// A branch before this one was certainly taken (every later branch is dead).
    earlier_taken: bool,
    /// This branch may run / certainly runs.
    may: bool,
    sure: bool,
    /// The enclosing block's state.
    outer_may: bool,
    outer_sure: bool,
}

/// A write the script may make: its value (None: not a literal), whether it may run, whether it surely
/// runs.
struct Write {
    value: Option<String>,
    may: bool,
    sure: bool,
}

fn script_output(script: &str, name: &str, scope: &dyn Scope) -> Val {
    let mut stack: Vec<Frame> = Vec::new();
    let (mut may, mut sure) = (true, true);
    let mut exited = false;
    let mut writes: Vec<Write> = Vec::new();
    let mut pending: Option<(bool, Option<bool>)> = None; // (is elif, condition) waiting for `then`
    for (n, raw) in script.lines().enumerate() {
        if n >= MAX_LINES {
            return Val::Unknown;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((is_elif, cond)) = pending.take() {
            if line != "then" {
                return Val::Unknown;
            }
            open_branch(&mut stack, &mut may, &mut sure, is_elif, cond, exited);
            continue;
        }
        let (head, then) = match line.strip_suffix("then") {
            Some(h) if h.trim_end().ends_with(';') => (h.trim_end().trim_end_matches(';'), true),
            _ => (line, false),
        };
        let keyword = |k: &str| head.strip_prefix(k).filter(|r| r.starts_with(' '));
        if let Some(cond) = keyword("if").or_else(|| keyword("elif")) {
            let is_elif = head.starts_with("elif");
            if is_elif && stack.is_empty() {
                return Val::Unknown;
            }
            let c = condition(cond, scope);
            if then {
                open_branch(&mut stack, &mut may, &mut sure, is_elif, c, exited);
            } else {
                pending = Some((is_elif, c));
            }
        } else if line == "else" {
            let Some(f) = stack.last_mut() else {
                return Val::Unknown;
            };
            let taken_now = f.earlier_taken || (f.sure && !f.earlier_may);
            let may_before = f.earlier_may || f.may;
            *f = Frame {
                earlier_may: may_before,
                earlier_taken: taken_now,
                may: f.outer_may && !taken_now,
                sure: f.outer_sure && !may_before && !exited,
                ..*f
            };
            (may, sure) = (f.may, f.sure);
        } else if line == "fi" {
            let Some(f) = stack.pop() else {
                return Val::Unknown;
            };
            (may, sure) = (f.outer_may, f.outer_sure && !exited);
        } else if line.starts_with("exit") || line.starts_with("set ") {
            // After an `exit` nothing later surely runs; `set -e` and the like change no output.
            if line.starts_with("exit") {
                exited = true;
                sure = false;
            }
        } else if let Some(w) = echo(line) {
            match w {
                Echo::Plain => {}
                Echo::Output(key, value) => {
                    if key.eq_ignore_ascii_case(name) {
                        writes.push(Write { value, may, sure });
                    }
                }
            }
        } else {
            return Val::Unknown;
        }
    }
    if pending.is_some() || !stack.is_empty() {
        return Val::Unknown;
    }
    let possible: Vec<&Write> = writes.iter().filter(|w| w.may).collect();
    if possible.is_empty() {
        return Val::Str(String::new());
    }
    let first = possible[0].value.as_deref();
    let one_value = possible.iter().all(|w| w.value.as_deref() == first);
    match first {
        Some(v) if one_value && possible.iter().any(|w| w.sure) => Val::Str(v.to_string()),
        _ => Val::Unknown,
    }
}

/// Enter an `if` (a new chain) or an `elif` (the next branch of the current chain).
fn open_branch(
    stack: &mut Vec<Frame>,
    may: &mut bool,
    sure: &mut bool,
    is_elif: bool,
    cond: Option<bool>,
    exited: bool,
) {
    let f = if is_elif {
        // `elif` without an open chain was refused by the caller.
        let Some(prev) = stack.pop() else { return };
        let taken_now = prev.earlier_taken || (prev.sure && !prev.earlier_may);
        let may_before = prev.earlier_may || prev.may;
        Frame {
            earlier_may: may_before,
            earlier_taken: taken_now,
            may: prev.outer_may && !taken_now && cond != Some(false),
            sure: prev.outer_sure && !may_before && cond == Some(true) && !exited,
            ..prev
        }
    } else {
        Frame {
            earlier_may: false,
            earlier_taken: false,
            may: *may && cond != Some(false),
            sure: *sure && cond == Some(true),
            outer_may: *may,
            outer_sure: *sure,
        }
    };
    (*may, *sure) = (f.may, f.sure);
    stack.push(f);
}

enum Echo {
    /// Output that goes to the log (or the step summary, or stderr).
    Plain,
    /// `name=value` appended to `$GITHUB_OUTPUT`; the value when it is a literal.
    Output(String, Option<String>),
}

/// An `echo` line: one that writes `name=value` to `$GITHUB_OUTPUT`, or one that writes only to the log.
/// None for anything else (another redirect, a command substitution, a second command on the line).
fn echo(line: &str) -> Option<Echo> {
    let rest = line.strip_prefix("echo ")?.trim();
    if rest.contains(['`', ';', '|', '&']) || rest.contains("$(") {
        return None;
    }
    let Some(at) = rest.find(">>") else {
        return (!rest.contains('>')).then_some(Echo::Plain);
    };
    let (text, target) = (rest[..at].trim(), rest[at + 2..].trim());
    let target = target.trim_matches('"');
    match target {
        "$GITHUB_OUTPUT" | "${GITHUB_OUTPUT}" => {}
        "$GITHUB_STEP_SUMMARY" | "${GITHUB_STEP_SUMMARY}" => return Some(Echo::Plain),
        _ => return None,
    }
    let text = unquote(text)?;
    let (key, value) = text.split_once('=')?;
    let literal = !value.contains('$') && !value.contains('\\');
    Some(Echo::Output(
        key.to_string(),
        literal.then(|| value.to_string()),
    ))
}

/// A word without its quotes (`"a"`, `'a'`, `a`); None for a word with quotes inside.
fn unquote(word: &str) -> Option<&str> {
    let inner = ['"', '\'']
        .iter()
        .find_map(|q| word.strip_prefix(*q).and_then(|w| w.strip_suffix(*q)))
        .unwrap_or(word);
    (!inner.contains(['"', '\'', ' ', '\t'])).then_some(inner)
}

/// A test such as `[[ "${{ github.event_name }}" == "push" && "${{ x }}" == "true" ]]`: Some when every
/// part is decided, Some(false) when one `&&` part is false; None otherwise (`||`, `!`, a variable).
fn condition(cond: &str, scope: &dyn Scope) -> Option<bool> {
    let cond = cond.trim();
    if cond.contains("||") {
        return None;
    }
    let mut all_true = true;
    for part in cond.split("&&") {
        let p = part.trim();
        let p = p
            .strip_prefix("[[")
            .and_then(|p| p.strip_suffix("]]"))
            .or_else(|| p.strip_prefix('[').and_then(|p| p.strip_suffix(']')))
            .or_else(|| p.strip_prefix("[[").or_else(|| p.strip_prefix('[')))
            .or_else(|| p.strip_suffix("]]").or_else(|| p.strip_suffix(']')))
            .unwrap_or(p)
            .trim();
        match test(p, scope) {
            Some(false) => return Some(false),
            Some(true) => {}
            None => all_true = false,
        }
    }
    all_true.then_some(true)
}

/// `A == B`, `A = B`, `A != B` between literals and whole `${{ }}` expressions.
fn test(t: &str, scope: &dyn Scope) -> Option<bool> {
    let (op, at) = ["!=", "==", "="]
        .iter()
        .find_map(|op| t.find(op).map(|at| (*op, at)))?;
    let (a, b) = (
        operand(&t[..at], scope)?,
        operand(&t[at + op.len()..], scope)?,
    );
    Some((a == b) != (op == "!="))
}

fn operand(word: &str, scope: &dyn Scope) -> Option<String> {
    let w = word.trim();
    let quoted = w.starts_with(['"', '\'']);
    let inner = unquote_expr(w)?;
    if let Some(e) = inner.strip_prefix("${{").and_then(|e| e.strip_suffix("}}")) {
        if e.contains("${{") {
            return None;
        }
        return match expr::eval(e, scope) {
            Val::Str(s) => Some(s),
            Val::Bool(b) => Some(b.to_string()),
            Val::Num(n) => Some(n.to_string()),
            Val::Null => Some(String::new()),
            _ => None,
        };
    }
    // A variable, or (unquoted, in `[[ ]]`) a glob pattern: not a literal.
    if inner.contains(['$', '`', '\\']) || (!quoted && inner.contains(['*', '?', '['])) {
        return None;
    }
    Some(inner.to_string())
}

/// Like `unquote`, but the word may hold spaces inside `${{ }}`.
fn unquote_expr(word: &str) -> Option<&str> {
    let inner = ['"', '\'']
        .iter()
        .find_map(|q| word.strip_prefix(*q).and_then(|w| w.strip_suffix(*q)))
        .unwrap_or(word);
    if inner.contains(['"', '\'']) {
        return None;
    }
    let outside = match (inner.find("${{"), inner.rfind("}}")) {
        (Some(0), Some(end)) if end + 2 == inner.len() => "",
        _ => inner,
    };
    (!outside.contains([' ', '\t'])).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Event {
        name: &'static str,
        merged: bool,
    }
    impl Scope for Event {
        fn lookup(&self, path: &str) -> Val {
            match path {
                "github.event_name" => Val::Str(self.name.into()),
                "github.event.pull_request.merged" => Val::Bool(self.merged),
                _ => Val::Unknown,
            }
        }
    }

    const GATE: &str = "if [[ \"${{ github.event_name }}\" == \"workflow_dispatch\" ]]; then\n  echo \"go=true\" >> $GITHUB_OUTPUT\nelif [[ \"${{ github.event_name }}\" == \"pull_request\" && \"${{ github.event.pull_request.merged }}\" == \"true\" ]]; then\n  echo \"go=true\" >> $GITHUB_OUTPUT\n  echo \"merged\"\nelse\n  echo \"go=false\" >> \"$GITHUB_OUTPUT\"\nfi\n";

    fn go(script: &str, name: &'static str, merged: bool) -> Val {
        script_output(script, "go", &Event { name, merged })
    }

    #[test]
    fn a_gate_written_only_for_a_merged_pull_request() {
        assert_eq!(go(GATE, "pull_request", false), Val::Str("false".into()));
        assert_eq!(go(GATE, "pull_request", true), Val::Str("true".into()));
        assert_eq!(
            go(GATE, "workflow_dispatch", false),
            Val::Str("true".into())
        );
        assert_eq!(go(GATE, "push", false), Val::Str("false".into()));
    }

    #[test]
    fn what_is_not_read_stays_unknown() {
        // A command could write the output too.
        let cmd = format!("./decide.sh\n{GATE}");
        assert_eq!(go(&cmd, "pull_request", false), Val::Unknown);
        // A condition on a variable may be true.
        let var = GATE.replace("${{ github.event.pull_request.merged }}", "$MERGED");
        assert_eq!(go(&var, "pull_request", false), Val::Unknown);
        // `||` may be true.
        let or = GATE.replace(" && ", " || ");
        assert_eq!(go(&or, "pull_request", false), Val::Unknown);
        // A value from a variable.
        assert_eq!(
            go("echo \"go=$X\" >> $GITHUB_OUTPUT\n", "push", false),
            Val::Unknown
        );
        // Unclosed `if`.
        assert_eq!(
            go(
                "if [ a = a ]; then\necho go=true >> $GITHUB_OUTPUT\n",
                "push",
                false
            ),
            Val::Unknown
        );
    }

    #[test]
    fn a_write_under_an_undecided_condition_may_be_missing() {
        let s = "if [ \"${{ vars.X }}\" = \"1\" ]; then\n  echo go=false >> $GITHUB_OUTPUT\nfi\n";
        // `false` or unset: not known to be one value.
        assert_eq!(go(s, "push", false), Val::Unknown);
        assert_eq!(
            go("echo go=yes >> $GITHUB_OUTPUT\n", "push", false),
            Val::Str("yes".into())
        );
        assert_eq!(go("echo hello\n", "push", false), Val::Str(String::new()));
    }
}
