//! The live-data check's own rules (family `live/`): what `shipgate data` reports about the live database
//! itself besides the test-data pattern rules it shares with the code scan (`data/…`). The check runs in
//! `crate::data`, by its own command, against a database, a dump or CSV exports; only its documentation
//! lives here, so `rules`, `explain`, the README table and the evidence report read it from the registry.

use crate::finding::Severity;
use crate::rules::CodeRule;

pub const DECLARED_TEST_ACCOUNT: &str = "live/declared-test-account";
pub const ROLE_CAN_WRITE: &str = "live/role-can-write";
pub const TABLE_NOT_READ: &str = "live/table-not-read";
pub const UNUSED_ALLOW: &str = "live/unused-allow";
pub const TLS_UNVERIFIED: &str = "live/tls-unverified";

pub const RULES: &[CodeRule] = &[
    CodeRule {
        id: DECLARED_TEST_ACCOUNT,
        fires_in: "data::declared_test_accounts_are_found_and_exceptions_apply",
        title: "A test account the team declared is in the live system",
        severity: Severity::Error,
        why: "The generic rules know reserved domains and published test numbers; only the team knows its own \
              test accounts (`qa.tester@our-service.gov.uk`, `TESTUSER01`). One of them in the live database is \
              test data that reached the live system, the failure the ICO found at the Police National \
              Database, where test data loaded by a coding issue went unnoticed for months.",
        fix: "Remove the test records from the live database (through the service's own, reviewed data-fix \
              process) and find the code path or seed that wrote them. If production is meant to hold this \
              account (a smoke-test user), add an exception with its reason: `[[data.allow]] value = \"…\" \
              reason = \"…\"`.",
        example: "public.users.email: 2 rows hold the declared test account `q***@our-service.gov.uk`",
    },
    CodeRule {
        id: ROLE_CAN_WRITE,
        fires_in: "data_pg::a_role_that_could_write_is_warned_about",
        title: "The role shipgate connects as could write to the database",
        severity: Severity::Warning,
        why: "shipgate reads in read-only transactions with `default_transaction_read_only` set, so it writes \
              nothing whatever its role. But a credential kept in a scheduled job is a credential that can leak; \
              one that can insert, update, delete or create turns a leaked read-only check into a way to change \
              the live system. Least privilege keeps the check harmless even when its secret is not.",
        fix: "Connect as a role that can only read: `CREATE ROLE shipgate_reader LOGIN NOSUPERUSER NOCREATEDB \
              NOCREATEROLE; GRANT pg_read_all_data TO shipgate_reader;` (PostgreSQL 14+; before that GRANT \
              SELECT on the tables), and `ALTER ROLE shipgate_reader SET default_transaction_read_only = on`. \
              The README's `shipgate data` section has the whole recipe.",
        example: "role `app` can write: owner of or INSERT/UPDATE/DELETE/TRUNCATE on 12 tables (public.cases, …)",
    },
    CodeRule {
        id: TABLE_NOT_READ,
        fires_in: "data_pg::a_locked_table_times_out_and_is_not_evaluated",
        title: "A table could not be read",
        severity: Severity::Error,
        why: "A check that skips what it cannot read passes a database it never looked at; at the Police \
              National Database nothing noticed failures for months. A table that timed out on a lock, was \
              refused by permissions, is hidden by row-level security, or was not reached within the time \
              budget is listed and fails the run closed (exit 2).",
        fix: "Grant the role SELECT on the table (and BYPASSRLS where row-level security applies), run the check \
              off-peak or against a replica, raise `--lock-timeout` / `--time-budget`, or leave the table out \
              on purpose with `[data] exclude-tables` (listed in every report). `[data] fail-closed = false` \
              reports unread tables as warnings instead.",
        example: "public.cases: canceling statement due to lock timeout (lock-timeout 2s)",
    },
    CodeRule {
        id: UNUSED_ALLOW,
        fires_in: "data::declared_test_accounts_are_found_and_exceptions_apply",
        title: "An exception in [data] matched nothing",
        severity: Severity::Warning,
        why: "An exception that no longer matches anything (the account was removed, the table renamed) still \
              reads as a reason to let test data stay, and the next value that happens to match it would pass \
              unseen. Stale exceptions are reported, like cargo-deny's unmatched entries, so they are removed. \
              Only tables read completely can prove an exception unused: a sample cannot.",
        fix: "Delete the `[[data.allow]]` entry from shipgate.toml, or correct its table, column or value.",
        example: "[[data.allow]] value = \"smoke@example.com\" matched nothing in 4 tables read completely",
    },
    CodeRule {
        id: TLS_UNVERIFIED,
        fires_in: "data_pg::tls_that_is_not_verified_is_reported",
        title: "The database connection is not verified TLS",
        severity: Severity::Warning,
        why: "The check sends the role's password and reads personal data. Without TLS (`sslmode=disable` or a \
              `prefer` that fell back) both cross the network in clear; with `sslmode=require` the traffic is \
              encrypted but anyone who can intercept it can pose as the server. Managed databases publish the \
              CA that verifies them.",
        fix: "Use `sslmode=verify-full` (the default) with the provider's CA: `--ca-file rds-ca.pem` or \
              `sslrootcert=` in the URL. On the same machine, connect over the Unix socket or loopback.",
        example: "connected to db.internal:5432 without TLS (sslmode=prefer fell back)",
    },
];
