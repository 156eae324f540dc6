//! What a run concluded and what it could not evaluate: plain values that every layer may name (the
//! checks that find gaps, the GitHub client that reports them, the engine and the renderers), so they
//! live in a leaf module rather than in the engine that orchestrates them.

/// A setting in effect that lets a source's failures pass the gate instead of failing it closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailOpen {
    /// `git`, `filesystem`, `github` (config errors cannot be opted out of).
    pub source: &'static str,
    /// As written in shipgate.toml, e.g. `[github] fail-closed = false`.
    pub setting: String,
    /// What it changes, e.g. "GitHub API failures are warnings".
    pub effect: String,
}

impl std::fmt::Display for FailOpen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} — {}", self.setting, self.effect)
    }
}

/// A part of the gate that did not run, which rule families it would have fed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotEvaluated {
    /// Rule families (`branch`, `review`, ...) whose evidence is missing because of this.
    pub families: Vec<&'static str>,
    pub what: String,
    pub why: String,
}

impl std::fmt::Display for NotEvaluated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.why)
    }
}

/// What the run concluded, and the exit code that says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    /// Could not evaluate something it had to (unreadable file, API failure): fails closed.
    Incomplete,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::Incomplete => 2,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Incomplete => "error",
        }
    }
}
