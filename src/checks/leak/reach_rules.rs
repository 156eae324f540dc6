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

pub const TEST_ROUTE: CodeRule = CodeRule {
    id: "leak/test-route",
    fires_in: "reach::test_support_endpoints_reachable_in_production",
    title: "A test-support endpoint is served in production",
    severity: Severity::Error,
    why: "Services add endpoints for their automated tests — create a claim, sign in as a made-up user, reset \
          the database — and often exempt them from login and CSRF protection so that the test tools can call \
          them. Registered unconditionally, or mounted in production's router, they are a way for anyone to write \
          test data into the live store: how a small set of test data reached the live Police National Database, \
          unnoticed for months. The ICO recommended steps to prevent code being inadvertently added to live \
          systems. Behind an environment flag the endpoint is reported as a note naming the flag and its default \
          (an error when the flag is on unless production turns it off); one level higher when it also bypasses \
          authentication or CSRF protection.",
    fix: "Register test-support routes only in the test environment, behind a guard that is off unless set \
          (`if (process.env.ENABLE_TEST_SUPPORT === 'true')`, `if Rails.env.test?`), or in a separate app the \
          tests start; never exempt them from authentication in production. For Play, keep \
          `play.http.router = prod.Routes` in the shipped `conf/application.conf`, select \
          `testOnlyDoNotUseInAppConf.Routes` only in the test or local run configuration, and keep the \
          production routes free of test-only controllers.",
    example: "src/routes.js:12:13 test-support endpoint `POST /test-support/create-claim` served in production, \
              unguarded; it bypasses authentication or CSRF protection (registered before `app.use(requireAuth)`)",
};
