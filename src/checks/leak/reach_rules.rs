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
          production routes free of test-only controllers. For Spring, put a handler that exists for tests \
          in a controller under a `@Profile` production never activates, or in the test sources.",
    example: "src/routes.js:12:13 test-support endpoint `POST /test-support/create-claim` served in production, \
              unguarded; it bypasses authentication or CSRF protection (registered before `app.use(requireAuth)`)",
};

pub const STAND_IN: CodeRule = CodeRule {
    id: "leak/stand-in",
    fires_in: "reach::stand_ins_production_imports_are_judged_by_how_they_are_used",
    title: "Production code uses a stand-in (a mock, stub or fake)",
    severity: Severity::Error,
    why: "A stub client that pretends to send letters, a fake identity check that always passes, a mock API \
          answering with made-up people: stand-ins exist so that tests and local runs need not touch the real \
          thing. Imported and used by production code with no condition, one runs in the live service; chosen \
          by a flag, it runs whenever the flag is set wrongly — and a flag on by default is no guard at all. \
          That is how test data reaches a live system, as it reached the Police National Database, unnoticed \
          for months; the ICO recommended steps to prevent code being inadvertently added to live systems. \
          A stand-in chosen by a flag that is off unless set is a warning that names the flag; one used only \
          where the environment is not production, or only re-exported for users' tests, is not reported.",
    fix: "Use the real implementation in production code and inject the stand-in from tests or from a \
          development-only configuration. Where a flag must choose it, make the flag off unless set, check \
          it fails closed in production (refuse to start with the stand-in when the environment is \
          production), and set it explicitly in the production deployment.",
    example: "app/clients/__init__.py:1:6 uses the stand-in `app/clients/notify_stub.py` (a mock, stub or fake \
              by its name) with no condition (line 3): it runs in production",
};

pub const NONPROD_DEFAULT: CodeRule = CodeRule {
    id: "leak/nonprod-default",
    fires_in: "reach::switches_on_by_default",
    title: "A non-production mode is on by default",
    severity: Severity::Warning,
    why: "A default is what production gets when nobody remembered: `process.env.NODE_ENV || 'development'` \
          runs the live service as development unless its deployment sets the variable; a setting whose fallback \
          is the test run's value (`process.env.SIGNING_KEY || 'dummy-key-for-the-tests'`, a test inbox, a \
          password `test`) encrypts with a published key or sends people's details to a test mailbox \
          wherever the deployment forgot it; a test mode that signs \
          made-up users in is one missing setting away from production; stubs switched on in the shipped base \
          config answer for the real service in every environment that does not override them; Rails' \
          `consider_all_requests_local = true` in production shows every visitor full error reports; an image \
          that installs `.env.example` as its `.env` starts with the example's fixed secrets and test URLs; a \
          `.env.production` left as a copy of `.env.development` points the production build at development's \
          services (`https://cms-dev.…`). This is \
          how test behaviour and test data reach a live system — as they reached the Police National Database, \
          unnoticed for months — and the ICO recommended steps to prevent code being inadvertently added to \
          live systems. Reported as a warning naming the default and where production must override it (an \
          error when a login bypass is on unless production turns it off); an environment default or a test \
          fallback is not reported when a deployment file of the repository sets the variable for production.",
    fix: "Default to production (or fail to start when the variable is missing), and set development and test \
          values in development and test configuration; a secret, an address or a credential has no safe \
          default: read it without one and refuse to start when it is unset. Guard test modes with a flag that is off unless set, \
          and refuse to start with it on when the environment is production. Keep stubs off in the base config \
          and switch them on in development and test config. Ship no env file in an image: the deployment sets \
          each variable.",
    example: "src/config.js:3:40 `NODE_ENV` defaults to `development` when unset: production runs as development \
              unless its deployment sets NODE_ENV (no deployment file in the repository sets it for production)",
};
