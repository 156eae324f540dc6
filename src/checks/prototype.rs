//! A prototype made with a prototype kit (GOV.UK's or NHS.UK's) is a clickable mock-up of a service: its
//! pages show made-up people, example National Insurance numbers and placeholder text by design, its
//! made-up records come from a generator of them, and it holds no production data. Its `data/` findings
//! and its test-library findings are notes that say so — shown, never dropped.
//!
//! The kit is known from the root `package.json` (`repo::collect`), which a pull request controls: a
//! lowering the merge base did not make is undone when the change is judged (`engine::outcome`).

use crate::context::Context;
use crate::finding::Finding;

/// The repository-wide claim the lowering rests on (`Finding::repo_claim`).
pub const CLAIM: &str = "prototype";

/// The claims a tree makes, for the judgement of a pull request against its merge base.
pub fn claims(ctx: &Context) -> Vec<&'static str> {
    ctx.repo.prototype.iter().map(|_| CLAIM).collect()
}

/// The rules whose findings are a prototype's by design.
fn made_up_by_design(rule: &str) -> bool {
    rule.starts_with("data/")
        || matches!(
            rule,
            "leak/test-library-import" | "leak/test-dependency" | "leak/faker-dependency"
        )
}

/// Lower the prototype's made-up data and test libraries to notes.
pub fn lower(ctx: &Context, raw: &mut [Finding]) {
    let Some(why) = &ctx.repo.prototype else {
        return;
    };
    let because = format!(
        " (a prototype: {why}; a prototype kit's pages show made-up data by design and it holds no production data)"
    );
    for f in raw.iter_mut().filter(|f| made_up_by_design(&f.rule)) {
        f.lower_to_note(&because);
        f.repo_claim = Some(CLAIM);
    }
}
