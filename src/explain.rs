//! `shipgate explain`: every code shipgate prints can be looked up — the rules of the catalogue, and the
//! diagnostic codes of runs that stop before any finding (`gate/bad-path`, `config/invalid`, …). Lookups
//! forgive case and a missing family (`explain reserved-email`), and suggest the closest code otherwise.

use crate::finding::Severity;
use crate::rules::{Catalogue, CodeRule, RuleDoc};

/// Diagnostic codes: what stopped a run (exit 2) before it could report findings. Each one is printed as
/// `error[CODE]` and explained here like a rule.
pub const DIAGNOSTICS: &[CodeRule] = &[
    diag(
        "gate/bad-path",
        "The path to check is not a checkout",
        "shipgate checks a directory: the repository's work tree. A missing directory, a file, or a bare repository has no files to check, and passing it would pass a gate that looked at nothing (a wrong `path:` in CI is the usual cause).",
        "Pass the repository's root directory (`shipgate check .`), or in the Action fix the `path` input; for a bare repository, clone it first.",
        "cannot check `servcie`: No such file or directory (os error 2)",
    ),
    diag(
        "gate/no-files",
        "No files were scanned",
        "A run that scanned zero files proves nothing: an empty directory, a `path:` pointing at the wrong place, or `[paths] ignore` matching everything would otherwise pass. The gate fails closed instead (exit 2).",
        "Point shipgate at the repository root (`shipgate check .`, the Action's `path` input), check `[paths] ignore` in shipgate.toml, or pass `--allow-empty` when an empty tree is really expected.",
        "no files scanned in `build/`: nothing was checked",
    ),
    diag(
        "gate/diff-base",
        "The --diff base could not be resolved",
        "`--diff BASE` judges the change by comparing the tree it would produce with the merge base's, under the base branch's policy. Without that base (not fetched, misspelt, a shallow clone) shipgate cannot tell new findings from old ones, so it stops rather than guess; a name that more than one ref answers to (a tag called `origin/main` next to the remote-tracking branch) is refused too, because the change could then pick what it is compared with and whose policy judges it.",
        "Fetch the base (`git fetch origin main`, or `fetch-depth: 0` with actions/checkout), check its spelling (`origin/main`, not `main` in a CI clone), name an ambiguous base in full (`--diff refs/remotes/origin/main`), or drop `--diff` to check the whole tree.",
        "--diff origin/main: no such ref (fetch it: git fetch origin main)",
    ),
    diag(
        "gate/output",
        "The report could not be written",
        "A report that was not written is a run nobody can read: writing `--output`, `--sarif-file`, `--report` or GITHUB_OUTPUT failed, so the run ends with exit 2.",
        "Make sure the output's directory exists and is writable, and that the disk is not full.",
        "cannot create out/report.sarif: No such file or directory (os error 2)",
    ),
    diag(
        "baseline/invalid",
        "The baseline file is not valid",
        "The baseline hides accepted findings by fingerprint. A damaged baseline could hide nothing or the wrong things, so it is an error, located on the line at fault.",
        "Fix the JSON at the position shown, or regenerate the baseline with `shipgate baseline` (and review the diff in a pull request).",
        "invalid baseline: expected `,` or `]` at line 3 column 5",
    ),
    diag(
        "baseline/io",
        "The baseline could not be written",
        "`shipgate baseline` writes .shipgate/baseline.json through a temporary file and a rename, so a failure leaves the previous baseline as it was; the run says so and exits 2.",
        "Make sure .shipgate/ is writable (and not a file), then run `shipgate baseline` again.",
        "cannot write .shipgate/baseline.json: Permission denied (os error 13)",
    ),
    diag(
        "baseline/not-evaluated",
        "Not writing a baseline from a run that could not evaluate everything",
        "A baseline written from an incomplete run (a shallow clone, an unreadable file, an API failure) would drop the entries of what was not looked at, and later runs would report them as new or as stale. `shipgate baseline` therefore writes nothing and leaves the old baseline untouched.",
        "Fix what `shipgate check` reports as could not evaluate (e.g. `git fetch --unshallow`), then run `shipgate baseline` again.",
        "not writing .shipgate/baseline.json: gate/shallow-clone: shallow clone: the history of main is missing",
    ),
    diag(
        "baseline/unreadable",
        "The baseline file could not be read",
        "A baseline that exists but cannot be read would silently stop hiding accepted findings — or, worse, the run would pass without applying it. It is an error instead.",
        "Check the file's permissions, or remove it and regenerate it with `shipgate baseline`.",
        "cannot read baseline .shipgate/baseline.json: Permission denied (os error 13)",
    ),
    diag(
        "baseline/version",
        "The baseline was written by an incompatible shipgate",
        "Fingerprints are versioned with the baseline format; reading another version could match the wrong findings.",
        "Regenerate it with `shipgate baseline` using this version, and review the diff in a pull request.",
        "baseline .shipgate/baseline.json has version 2, this shipgate reads 1",
    ),
    diag(
        "config/invalid",
        "shipgate.toml is not valid",
        "A config the gate cannot understand could loosen it silently (a misspelt `fail-on`, a path glob that matches nothing), so every unknown key, bad value or bad glob is an error on its own line.",
        "Fix the key or value at the position shown; `shipgate init` writes a commented starter file to compare with.",
        "unknown key `fial-on` (did you mean `fail-on`?)",
    ),
    diag(
        "config/repository-kind",
        "`[repository] kind` declares what the repository is, with a reason",
        "Some repositories exist only for other software's tests: a stub of an API, a fake identity provider, a test harness, whose README says it must never run in production. Test data, test code and test switches are their purpose, so `kind = \"test-support\"` makes their `data/`, `leak/` and `switch/` findings notes (each says why), and the summary of every run names the kind. What protects how the repository is changed and deployed still holds: protected branches, review, CODEOWNERS, workflow and environment rules, and access rules — its credentials, deploys and permissions are real. Because the declaration changes what fails, it needs a `reason`, and in pre-merge mode a change that declares it is reported (`gate/policy-changed`) for the policy's owners to approve.",
        "Add `[repository]` with `kind = \"test-support\"` and `reason = \"…\"` (what it supports, and where it says it never runs in production); leave it out (or `kind = \"service\"`) for anything that runs in production.",
        "[repository] kind = \"test-support\" needs a `reason`",
    ),
    diag(
        "config/outside-repository",
        "A policy path points outside the repository",
        "Policy files (config, rule packs, baseline) decide what the gate reports. A path that leaves the repository (`../`, an absolute path, a glob reaching up) would let a change read — and quote in its diagnostics — files the repository does not own, or swap the policy for one nobody reviewed.",
        "Keep rule packs and the baseline inside the repository and name them by relative paths (`.shipgate/rules/*.toml`).",
        "[scan] rule-packs = [\"../outside/secret.txt\"]",
    ),
    diag(
        "config/symlink",
        "A policy file is a symbolic link",
        "A symlinked shipgate.toml, rule pack or baseline can point anywhere on the machine, so its content would not be what the repository's reviewers approved. Policy files are read only as regular files.",
        "Replace the link with the file itself, committed in the repository.",
        "shipgate.toml -> /etc/passwd",
    ),
    diag(
        "config/not-utf8",
        "shipgate.toml is not UTF-8",
        "TOML is UTF-8 by definition; a file in another encoding cannot be read faithfully.",
        "Save the file as UTF-8.",
        "config shipgate.toml is not valid UTF-8 (first bad byte at offset 120)",
    ),
    diag(
        "config/unknown-rule",
        "shipgate.toml names a rule that does not exist",
        "An override for a misspelt rule id changes nothing, so the rule the author meant to tune still runs as before — or the author believes it is off when it is not.",
        "Use an id from `shipgate rules` (the diagnostic suggests the closest one).",
        "[rules] \"data/reserved-emial\": no such rule (did you mean `data/reserved-email`?)",
    ),
    diag(
        "config/unreadable",
        "The config file could not be read",
        "A config that exists but cannot be read must not be replaced by the defaults: the repository's own policy would be ignored.",
        "Check the path given to --config and the file's permissions.",
        "cannot read config shipgate.toml: Permission denied (os error 13)",
    ),
    diag(
        "explain/unknown-rule",
        "No rule or code with that id",
        "`shipgate explain` knows every rule and every diagnostic code shipgate prints; the id given matches none of them.",
        "Run `shipgate rules` for the list; ids are `family/name` (the family may be left out when the name is unique).",
        "no rule `data/reserved-emial`",
    ),
    diag(
        "hook/bad-input",
        "The pre-push hook got input it does not understand",
        "git passes `<local ref> <local sha> <remote ref> <remote sha>` lines to a pre-push hook. Input that is not that cannot be checked, so the push is refused rather than passed unchecked.",
        "Run the hook through git (`git push`), or through the pre-commit framework's pre-push stage.",
        "cannot read the pushed refs from stdin: stream did not contain valid UTF-8",
    ),
    diag(
        "hook/exists",
        "A pre-push hook that shipgate did not write is already installed",
        "Replacing someone's hook silently would drop whatever it guarded.",
        "Use `shipgate hook install --chain` to keep it and run it first, or `--force` to replace it.",
        ".git/hooks/pre-push exists and was not written by shipgate",
    ),
    diag(
        "hook/git",
        "git could not be read by the pre-push hook",
        "The hook checks what is being pushed; when git cannot say what that is, it refuses the push rather than let it through unchecked.",
        "Check the repository (`git fsck`), then push again.",
        "cannot resolve refs/heads/main: reference not found",
    ),
    diag(
        "gate/base-tree",
        "The --diff base tree could not be read",
        "A pull request is judged by comparing two evaluations: the merge base's tree and the head's. A base file git cannot read (a partial clone missing the blob, a damaged object) leaves the comparison without its reference, so the run stops rather than guess which findings are new.",
        "Fetch the full history and objects (`git fetch --unshallow`, or `fetch-depth: 0` without a blob filter in actions/checkout), then run again.",
        "--diff: cannot read app/settings.py from the merge base abc1234: object not found",
    ),
    diag(
        "hook/io",
        "The hook file could not be written or removed",
        "Installing or removing the hook touches .git/hooks (or core.hooksPath); a failure there leaves the repository unguarded or half-configured, so it is reported.",
        "Check the hooks directory's permissions (and core.hooksPath), then run the command again.",
        "cannot write .git/hooks/pre-push: Permission denied (os error 13)",
    ),
    diag(
        "hook/not-a-repository",
        "Not inside a git repository",
        "The hook is installed into a repository's hooks directory; outside one there is nothing to install into.",
        "Run `shipgate hook install` inside a clone (or pass its path).",
        "`/tmp/x` is not inside a git repository",
    ),
    diag(
        "hook/not-ours",
        "The pre-push hook was not written by shipgate",
        "`shipgate hook uninstall` only removes what it installed, so another tool's hook is never deleted by mistake.",
        "Remove that hook by hand if it should go.",
        ".git/hooks/pre-push was not written by shipgate; leaving it",
    ),
    diag(
        "hook/unknown-remote",
        "The push goes to a URL that is no configured remote",
        "The pre-push hook judges a push by the remote's own policy (its default branch's shipgate.toml, as fetched), so a push cannot weaken the gate that judges it. Pushed straight to a URL that no configured remote has, there is no fetched policy to read: the pushed commit's own would judge itself, so the push is refused.",
        "Add the URL as a remote and fetch it (`git remote add upstream URL && git fetch upstream`), then push by name (`git push upstream my-branch`).",
        "the push goes to `https://example.org/x.git`, which is no configured remote",
    ),
    diag(
        "init/exists",
        "shipgate.toml already exists",
        "`shipgate init` never overwrites a config: it may hold decisions someone reviewed.",
        "Edit the existing file, or remove it first if you want the starter file.",
        "shipgate.toml already exists; not overwriting it",
    ),
    diag(
        "init/io",
        "The starter config could not be written",
        "`shipgate init` writes shipgate.toml in the given directory; writing it failed.",
        "Check that the directory exists and is writable.",
        "cannot create shipgate.toml: Read-only file system (os error 30)",
    ),
    diag(
        "rules/bad-glob",
        "A rule pack's path glob is not valid",
        "A rule whose `paths` glob cannot be compiled would match nothing, silently turning the rule off.",
        "Fix the glob at the position shown (globset syntax: `**/*.py`, `config/{a,b}.yml`).",
        "invalid glob `src/[a-`: unclosed character class",
    ),
    diag(
        "rules/duplicate-id",
        "Two rules share one id",
        "Overrides, allows and baselines name rules by id; two rules with one id make all of them ambiguous.",
        "Rename one of the rules in your rule pack (ids are `family/name`).",
        "rule id `data/internal-host` is defined twice (rules/acme.toml and built-in)",
    ),
    diag(
        "rules/invalid",
        "A rule pack is not valid",
        "A rule that cannot be compiled (bad TOML, a bad regex, an example it does not match, a near-miss it matches) would test nothing or the wrong thing, so loading it is an error located on the rule.",
        "Fix the rule at the position shown; every rule needs an `example` it reports and may list `near-miss` lines it must not.",
        "rule `acme/host`: its example `db.acme.internal` is not reported by its pattern",
    ),
    diag(
        "rules/missing-pack",
        "A configured rule pack does not exist",
        "`rule-packs` in shipgate.toml names files of extra rules; a missing one would silently run without them.",
        "Fix the path (relative to the repository root) or remove the entry.",
        "rule pack `rules/acme.toml` not found",
    ),
    diag(
        "rules/too-large",
        "The rules could not be compiled",
        "The rules' keywords are compiled into one searcher; when that fails, no pattern rule can run, so the run stops.",
        "Shorten or reduce the user rule packs' keywords, then run again.",
        "the rule keywords could not be compiled: pattern too large",
    ),
    diag(
        "rules/unreadable",
        "A rule pack could not be read",
        "A configured rule pack that cannot be read would silently run without its rules.",
        "Check the file's permissions and encoding (UTF-8).",
        "cannot read rule pack rules/acme.toml: Permission denied (os error 13)",
    ),
    diag(
        "remote/bad-repository",
        "--remote names no GitHub repository",
        "`check --remote OWNER/NAME` checks one repository on GitHub through the API. A value that is not an owner and a name (letters, digits, `-`, `_`, `.`) cannot name one, and guessing would check the wrong thing.",
        "Pass the repository as GitHub shows it, e.g. `shipgate check --remote octo-org/octo-app`.",
        "`octo-org` is not a GitHub repository name (OWNER/NAME)",
    ),
    diag(
        "remote/no-token",
        "--remote and org commands need a token",
        "Without a clone, everything shipgate checks comes from the GitHub API, which needs a token; without one nothing could be verified, so the run stops instead of passing.",
        "Set GITHUB_TOKEN or GH_TOKEN. For an organisation audit use a GitHub App installation token with Administration: read, Contents: read, Metadata: read, Pull requests: read and Environments: read — never a personal token.",
        "--remote needs a token: set GITHUB_TOKEN or GH_TOKEN",
    ),
    diag(
        "remote/unavailable",
        "The repository could not be read through the API",
        "`check --remote` first reads the repository's workflows, CODEOWNERS, config, process documents and recent history in one GraphQL query. When that fails (not visible to the token, 5xx after retries, rate limit) there is nothing to judge: the gate fails closed (exit 2). In `org run` the repository is reported as not verified and the shard goes on.",
        "Check that the token can read the repository (Contents: read, Metadata: read) and GITHUB_API_URL; re-run when GitHub recovers.",
        "the repository could not be read through the API: POST https://api.github.com/graphql: 500 Internal Server Error after 3 attempts",
    ),
    diag(
        "remote/io",
        "The files read through the API could not be written locally",
        "`check --remote` writes the files it read into a private temporary directory and runs the normal checks on it; if that fails the checks cannot run.",
        "Make sure the temporary directory (TMPDIR) is writable and not full.",
        "cannot create a temporary directory: No space left on device (os error 28)",
    ),
    diag(
        "org/bad-name",
        "Not an organisation name",
        "`org plan ORG` lists one organisation's repositories; a value that cannot be a GitHub login would be sent to the API as given.",
        "Pass the organisation's login as in its URL, e.g. `shipgate org plan octo-org`.",
        "`octo org` is not a GitHub organisation name",
    ),
    diag(
        "org/bad-filter",
        "An `org plan` filter is not valid",
        "Filters decide which repositories are audited. A glob that does not compile, an unreadable --repos-file, or a line naming another organisation's repository would silently audit the wrong set.",
        "Fix the glob or the file at the line shown (names, or OWNER/NAME of this organisation; `#` comments).",
        "repos.txt:3: `other-org/x` is not in organisation octo-org",
    ),
    diag(
        "org/bad-shards",
        "The shard count is not possible",
        "A GitHub Actions matrix runs at most 256 jobs, and zero shards audit nothing.",
        "Raise --per-shard or lower --shards so that 1 to 256 shards result.",
        "300 shards: a GitHub Actions matrix runs at most 256 jobs",
    ),
    diag(
        "org/unavailable",
        "The organisation's repositories could not be listed",
        "The plan is the audit's scope: a partial list (an error on page 7, a list past the cap) would audit part of the organisation and report it as the whole, so `org plan` fails closed.",
        "Check the token (an App installation on the organisation, Metadata: read) and GITHUB_API_URL; re-run when GitHub recovers.",
        "listing the repositories of octo-org failed (200): Could not resolve to an Organization with the login of 'octo-org'.",
    ),
    diag(
        "org/bad-shard",
        "The shard file is not one `org plan` wrote",
        "`org run` gates the repositories a shard file names. A file of another shape (or too large) may be an artifact from elsewhere; it is refused rather than guessed at. Each name in it is still checked: one that is not OWNER/NAME becomes a not-verified result.",
        "Pass a `shard-NNN.json` written by `shipgate org plan` (in the workflow: the plan job's artifact).",
        "shards/shard-000.json is not a shard written by `shipgate org plan` (schema `x`)",
    ),
    diag(
        "org/bad-results",
        "No repository results to report",
        "`org report` merges the JSON results `org run` wrote. A directory without any (or a --previous file that is not an org report) would produce a report about nothing.",
        "Point at the directory holding every shard's results (in the workflow: the downloaded artifacts, merged), and at a previous report.json.",
        "no repository results in results/: nothing to report",
    ),
    diag(
        "org/bad-plan",
        "The plan file is not one `org plan` wrote",
        "`org report --plan` reconciles the results with the plan: every planned repository without a result is reported as not verified, by name. A file of another shape (or too large) cannot say what was planned, so it is refused rather than guessed at.",
        "Pass the `plan.json` written by `shipgate org plan` (in the workflow: the plan job's shards artifact).",
        "shards/plan.json is not a plan written by `shipgate org plan` (schema `x`)",
    ),
    diag(
        "org/bad-declared",
        "The config repository given to `org run --declared` cannot be read",
        "Declared settings are compared with what GitHub enforces: a config repository that cannot be read, or declares nothing, would make every repository look undeclared, so the run stops with exit 2 rather than report that.",
        "Pass the directory of the config repository (its Terraform or safe-settings files), or OWNER/REPO with a token that can read its contents.",
        "--declared octo-org/github-config: the file tree of octo-org/github-config could not be read (404 Not Found)",
    ),
    diag(
        "org/output",
        "An org file could not be written",
        "Shard files, results and reports that were not written are an audit nobody can read; the command stops with exit 2.",
        "Make sure the --out directory is writable and the disk is not full.",
        "cannot write shipgate-org/report/report.html: Permission denied (os error 13)",
    ),
    diag(
        "live/no-source",
        "`shipgate data` was not told what to read",
        "The live-data check reads one source: a PostgreSQL database (a URL, DATABASE_URL or the PG* variables), a plain-SQL pg_dump file, or CSV exports. With none, or with several at once, it would check nothing or guess; it stops instead.",
        "Pass a URL (`shipgate data postgres://reader@db/app`), set DATABASE_URL or PGHOST/PGDATABASE, or use `--dump FILE` or `--csv FILE` (one kind of source per run).",
        "no source: give a postgres:// URL, set DATABASE_URL or the PG* variables, or pass --dump or --csv",
    ),
    diag(
        "live/unsupported-source",
        "That database engine is not supported yet",
        "This version reads PostgreSQL (live, or a plain-SQL dump) and CSV. A URL for another engine (MySQL, SQL Server, Oracle, SQLite) is refused rather than half-read.",
        "Export the tables as CSV (with a header row) and pass them with `--csv`; other engines are planned.",
        "mysql:// databases are not supported yet: export the tables as CSV and use --csv",
    ),
    diag(
        "live/bad-url",
        "The connection string could not be read",
        "A connection string that does not parse (a bad port, an unknown option, an sslmode libpq does not know) would connect somewhere other than meant, or with weaker TLS than asked; it is refused with the option at fault. The password is never shown.",
        "Fix the option named; connection strings follow libpq (`postgres://user@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem`).",
        "invalid connection string: invalid value for option `port`",
    ),
    diag(
        "live/connect",
        "Could not connect to the database",
        "No connection, no evidence: a host that does not answer, a refused password or a database that does not exist leaves the live system unchecked, so the run ends with exit 2 rather than passing.",
        "Check the host, port and database name, the role's password (from the URL, PGPASSWORD or the secret store), and that the job's network can reach the database.",
        "cannot connect to postgres://reader@db.internal:5432/app: password authentication failed for user \"reader\"",
    ),
    diag(
        "live/tls",
        "The database connection's TLS was refused",
        "The check sends a password and reads personal data. By default it requires TLS with the server's certificate verified (sslmode=verify-full) over TCP: a server that offers no TLS, a certificate that does not verify or names another host, or a CA file that cannot be read stops the run.",
        "Enable TLS on the server, pass the provider's CA with `--ca-file` (or `sslrootcert=` in the URL), and connect by the name on its certificate. For a database on the same machine or a private network, `sslmode=disable` turns TLS off explicitly.",
        "TLS is required (sslmode=verify-full) but the server at 10.0.0.5:5432 does not offer it",
    ),
    diag(
        "live/not-read-only",
        "The database session could not be made read-only",
        "`shipgate data` writes nothing by construction: the session sets `default_transaction_read_only`, `statement_timeout` and `lock_timeout` and every read runs in a read-only transaction. If the server does not confirm the session is read-only (a pooler that drops settings), the check stops before reading anything.",
        "Connect to the database directly or through a pooler in session mode, or give the role `ALTER ROLE … SET default_transaction_read_only = on`.",
        "the server did not confirm default_transaction_read_only = on",
    ),
    diag(
        "live/catalogue",
        "The database's catalogue could not be read",
        "Which tables and columns exist is read from the system catalogue; without it nothing can be listed as read or unread, so the run stops.",
        "Make sure the role can connect to the database and read pg_catalog (every role can by default).",
        "cannot read the catalogue: permission denied for table pg_class",
    ),
    diag(
        "live/dump",
        "The dump file could not be read",
        "A dump is read as pg_dump writes it in plain SQL: CREATE TABLE and COPY … FROM stdin blocks. A file that cannot be read, a custom-format archive, or a dump of INSERT statements would be checked only in part, so it is refused.",
        "Dump in plain format with COPY (`pg_dump --format=plain`, without `--inserts`), or turn an archive into SQL with `pg_restore -f dump.sql archive.dump`.",
        "dump.sql holds INSERT statements (pg_dump --inserts): dump without --inserts",
    ),
    diag(
        "live/csv",
        "A CSV file could not be read",
        "CSV exports are read with their header row naming the columns. A file that cannot be read, has no header, or has a malformed row would be checked only in part, so the run stops.",
        "Export with a header row (`COPY … TO … WITH (FORMAT csv, HEADER)`), as UTF-8, and pass each file (or a directory of .csv files) with `--csv`.",
        "people.csv: line 7: found 3 fields, the header has 5",
    ),
];

const fn diag(
    id: &'static str,
    title: &'static str,
    why: &'static str,
    fix: &'static str,
    example: &'static str,
) -> CodeRule {
    CodeRule {
        id,
        title,
        severity: Severity::Error,
        why,
        fix,
        example,
        fires_in: "",
    }
}

/// What `explain ID` shows: a rule of the catalogue or a diagnostic code.
pub enum Found<'a> {
    Rule(&'a RuleDoc),
    Diagnostic(&'static CodeRule),
}

impl Found<'_> {
    pub fn id(&self) -> &str {
        match self {
            Found::Rule(d) => &d.id,
            Found::Diagnostic(c) => c.id,
        }
    }
}

/// Find `query`: exactly, then ignoring case, then by the name after the family (`reserved-email`).
/// Err carries the help to print: the candidates, or the closest id.
pub fn lookup<'a>(cat: &'a Catalogue, query: &str) -> Result<Found<'a>, String> {
    let q = query.trim().to_ascii_lowercase();
    let all: Vec<Found<'a>> = cat
        .docs
        .iter()
        .map(Found::Rule)
        .chain(DIAGNOSTICS.iter().map(Found::Diagnostic))
        .collect();
    let mut exact: Vec<Found<'a>> = Vec::new();
    let mut suffix: Vec<Found<'a>> = Vec::new();
    for f in all {
        let id = f.id().to_ascii_lowercase();
        if id == q {
            exact.push(f);
        } else if !q.is_empty() && id.ends_with(&format!("/{}", q.trim_start_matches('/'))) {
            suffix.push(f);
        }
    }
    if let Some(f) = exact.into_iter().next() {
        return Ok(f);
    }
    match suffix.len() {
        1 => return Ok(suffix.remove(0)),
        n if n > 1 => {
            let ids: Vec<String> = suffix.iter().map(|f| format!("`{}`", f.id())).collect();
            return Err(format!("several ids end in `{query}`: {}", ids.join(", ")));
        }
        _ => {}
    }
    let ids: Vec<&str> = cat.ids().chain(DIAGNOSTICS.iter().map(|d| d.id)).collect();
    // Compare with whole ids, and with the names after the family for a query without one.
    let by_name = if q.contains('/') {
        None
    } else {
        ids.iter()
            .map(|id| {
                (
                    strsim::jaro_winkler(&q, id.rsplit('/').next().unwrap_or(id)),
                    *id,
                )
            })
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| format!("did you mean `{id}`?"))
    };
    Err(by_name
        .or_else(|| crate::diag::did_you_mean(&q, ids.iter().copied()))
        .unwrap_or_else(|| "`shipgate rules` lists every rule id".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalogue {
        crate::checks::catalogue(None).unwrap_or_else(|_| std::process::abort())
    }

    #[test]
    fn exact_case_insensitive_and_suffix() {
        let c = cat();
        let id = |q: &str| lookup(&c, q).map(|f| f.id().to_string());
        assert_eq!(
            id("data/reserved-email").ok().as_deref(),
            Some("data/reserved-email")
        );
        assert_eq!(
            id("DATA/Reserved-Email").ok().as_deref(),
            Some("data/reserved-email")
        );
        assert_eq!(
            id("reserved-email").ok().as_deref(),
            Some("data/reserved-email")
        );
        assert_eq!(id("gate/diff-base").ok().as_deref(), Some("gate/diff-base"));
        assert_eq!(id("bad-path").ok().as_deref(), Some("gate/bad-path"));
        assert_eq!(
            id("reserved-emial").err().as_deref(),
            Some("did you mean `data/reserved-email`?")
        );
        assert!(id("zzzzzz").is_err());
    }

    #[test]
    fn diagnostic_codes_are_not_rule_ids() {
        let c = cat();
        for d in DIAGNOSTICS {
            assert!(
                c.get(d.id).is_none(),
                "{} is both a rule and a diagnostic",
                d.id
            );
        }
    }

    /// Every code the source can print is one `explain` knows: a string literal shaped like a code
    /// (`family/name`) of a known family, outside test modules, must be a rule or a diagnostic code.
    #[test]
    fn every_code_in_the_source_is_explained() {
        let c = cat();
        let known = |id: &str| c.get(id).is_some() || DIAGNOSTICS.iter().any(|d| d.id == id);
        let families: std::collections::BTreeSet<&str> = c
            .ids()
            .chain(DIAGNOSTICS.iter().map(|d| d.id))
            .filter_map(|id| id.split_once('/').map(|(f, _)| f))
            .collect();
        let mut files = Vec::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() > 20);
        let unknown_in = |code: &str| -> Vec<String> {
            let mut out = Vec::new();
            for lit in code.split('"').skip(1).step_by(2) {
                let Some((family, name)) = lit.split_once('/') else {
                    continue;
                };
                let shaped = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if shaped && families.contains(family) && !known(lit) {
                    out.push(lit.to_string());
                }
            }
            out
        };
        // The scan can fail: a made-up code is caught, a path is not a code.
        assert_eq!(
            unknown_in("f(\"gate/made-up\", \"rules/markers.toml\", \"gate/bad-path\")"),
            vec!["gate/made-up"]
        );
        let mut unknown = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for lit in unknown_in(code) {
                unknown.push(format!("{}: \"{lit}\"", f.display()));
            }
        }
        assert!(
            unknown.is_empty(),
            "codes explain does not know:\n{}",
            unknown.join("\n")
        );
        assert!(families.contains("gate") && known("gate/bad-path") && known("gate/diff-base"));
    }
}
