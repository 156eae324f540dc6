//! The rules of production's reach: what production imports but the gate cannot read, test-support
//! endpoints production serves, stand-ins production uses, and switches on by default.

use crate::finding::Severity;
use crate::rules::CodeRule;

pub const UNEVALUATED_REACH: CodeRule = CodeRule {
    id: "gate/unevaluated-reach",
    fires_in: "reach::production_importing_a_submodule_fails_closed",
    title: "Production code reaches what the gate cannot evaluate",
    severity: Severity::Error,
    why: "A submodule is another repository: the gate does not walk it, so nothing in it is checked. When \
          production code imports from one, the gate would pass code it never read — and a pull request can \
          add a submodule and an import of it in one change. Test data reached the live Police National \
          Database through a coding issue nobody noticed for months; the ICO recommended steps to prevent code \
          being inadvertently added to live systems, and a gate that passes what it could not read is the \
          opposite. So the gate fails closed (exit 2).",
    fix: "Gate the submodule's repository with shipgate on its own (and pin the commit you import), or vendor \
          the code you run into this repository, where it is gated as production. To report this as a warning \
          instead of failing the gate, set `[scan] fail-closed = false` (every summary then says so).",
    example: "app/auth.py:1:6 imports `lib.sso.client` from the submodule `lib/sso`, which the gate cannot evaluate",
};
