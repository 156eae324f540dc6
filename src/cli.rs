//! Command-line interface: argument definitions and dispatch. Every command returns an exit code;
//! nothing below here calls `process::exit`.

use crate::checks;
use crate::config;
use crate::diag::SourceDiag;
use crate::engine::{self, CheckOptions};
use crate::finding::Severity;
use crate::hook;
use crate::repo::changes::DiffBase;
use crate::report::{self, Format, RenderOptions};
use crate::rules::{Catalogue, RuleDoc};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  shipgate check                          gate the current repository (human output)
  shipgate check --format sarif > s.sarif SARIF 2.1.0 for GitHub code scanning
  shipgate check --format github          annotations + job summary inside GitHub Actions
  shipgate check --fail-on warning path/  fail on warnings too
  shipgate check --diff origin/main       only what this branch adds since it forked from origin/main
  shipgate check --drift                  declared branch protection (Terraform, settings.yml) vs GitHub
  shipgate hook install                   refuse direct pushes to deployment branches (git pre-push hook)
  shipgate rules                          list every rule
  shipgate explain data/reserved-email    why a rule matters and how to fix it
  shipgate init                           write a commented shipgate.toml

Exit codes: 0 passed, 1 findings at or above --fail-on, 2 could not evaluate (usage, config, I/O).";

#[derive(Debug, Parser)]
#[command(name = "shipgate", version, about = "A deployment-safety gate: no test data in production, reviewed and protected deployments.", after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gate on a repository.
    #[command(after_help = EXAMPLES)]
    Check(CheckArgs),
    /// List every rule: id, default severity, title.
    Rules {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        /// Also load the user rule packs configured for this repository.
        #[arg(long, default_value = ".")]
        path: PathBuf,
    },
    /// Explain a rule: what it finds, why it matters, how to fix it, an example.
    Explain {
        rule: String,
        #[arg(long, default_value = ".")]
        path: PathBuf,
    },
    /// Accept today's findings: write their fingerprints to .shipgate/baseline.json, so `check` fails only on
    /// new ones (and reports baseline entries that no longer match, so the baseline shrinks).
    Baseline {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Write a commented starter shipgate.toml (never overwrites).
    Init {
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// The git pre-push hook: refuses direct pushes to deployment branches and pushes that add test data.
    Hook {
        #[command(subcommand)]
        action: HookCommand,
    },
    /// Check the live system itself for test data: a PostgreSQL database (read-only), a plain-SQL
    /// pg_dump file, or CSV exports.
    #[command(after_help = DATA_EXAMPLES)]
    Data(Box<DataArgs>),
    /// Audit a whole GitHub organisation in a job matrix: plan shards, run one shard, merge a report.
    Org {
        #[command(subcommand)]
        action: OrgCommand,
    },
}

const DATA_EXAMPLES: &str = "\
Examples:
  DATABASE_URL=postgres://reader@db.internal/app shipgate data --ca-file rds-ca.pem
  shipgate data postgres://reader@10.0.0.5:5432/app?sslmode=verify-full --report live-data.md
  shipgate data --full --format json --output live-data.json     every row, as JSON
  shipgate data --dump nightly.sql                               a plain-SQL pg_dump file
  shipgate data --csv exports/                                   CSV exports, one table a file

Reads text-like columns (and values inside JSON) of every table in read-only transactions, a sample of
each table unless --full. Other engines (MySQL, SQL Server, Oracle) are not read yet: export CSV.
Exit codes: 0 no test data found, 1 findings at or above --fail-on, 2 could not evaluate (a table not
read, no connection, bad config).";

/// `shipgate data`'s options.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// PostgreSQL connection string: postgres://USER@HOST:PORT/DB?sslmode=verify-full or `key=value`
    /// pairs [default: DATABASE_URL, else the PG* variables]. Pass the password in DATABASE_URL or
    /// PGPASSWORD: a command line can be seen by other users of the machine.
    #[arg(value_name = "URL", conflicts_with_all = ["dump", "csv"])]
    pub url: Option<String>,
    /// Read a plain-SQL pg_dump file instead of a live database.
    #[arg(long, value_name = "FILE", conflicts_with = "csv")]
    pub dump: Option<PathBuf>,
    /// Read CSV exports with a header row, one table a file (`public.people.csv`); a directory stands for
    /// its .csv files. Repeatable.
    #[arg(long, value_name = "FILE|DIR")]
    pub csv: Vec<PathBuf>,
    /// CA certificates (PEM) that verify the database server [default: sslrootcert, else the system's].
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Read every row of every table (default: a bounded sample per table).
    #[arg(long)]
    pub full: bool,
    /// Rows read per table when sampling [default: [data] sample-rows, else 10000].
    #[arg(long, value_name = "N", conflicts_with = "full", value_parser = clap::value_parser!(u64).range(1..))]
    pub sample_rows: Option<u64>,
    /// Seed of the page sample [default: today's date: nightly runs sample different pages].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Time for the whole run, e.g. 30m; tables not read in time are not evaluated [default: [data]
    /// time-budget, else 30m].
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub time_budget: Option<std::time::Duration>,
    /// Time one table's read may take [default: [data] statement-timeout, else 5m].
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub statement_timeout: Option<std::time::Duration>,
    /// Time to wait for a lock another session holds [default: [data] lock-timeout, else 5s].
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub lock_timeout: Option<std::time::Duration>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: DataFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the evidence report to FILE: HTML when it ends in .html/.htm, else Markdown.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Config file [default: shipgate.toml or .github/shipgate.toml of the repository around the working
    /// directory, else the defaults].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fail on findings at or above this severity [default: the config's `fail-on`, else error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DataFormat {
    Human,
    Json,
}

fn duration(s: &str) -> Result<std::time::Duration, String> {
    crate::data::policy::parse_duration(s)
        .ok_or_else(|| format!("`{s}` is not a duration (e.g. 500ms, 30s, 5m, 1h)"))
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// List the organisation's repositories and cut them into shards: prints the matrix JSON for
    /// `strategy.matrix` (also `matrix=` in $GITHUB_OUTPUT) and writes one shard file per job.
    Plan {
        org: String,
        /// Directory for the shard files and plan.json.
        #[arg(long, default_value = "shipgate-org/shards")]
        out: PathBuf,
        /// This many shards (balanced).
        #[arg(long, conflicts_with = "per_shard")]
        shards: Option<usize>,
        /// At most this many repositories a shard [default: 100].
        #[arg(long)]
        per_shard: Option<usize>,
        #[arg(long)]
        include_archived: bool,
        #[arg(long)]
        include_forks: bool,
        /// public, private or internal (repeatable: any of them).
        #[arg(long)]
        visibility: Vec<String>,
        /// Only repositories with this topic (repeatable: any of them).
        #[arg(long)]
        topic: Vec<String>,
        /// Only repositories whose name matches this glob (repeatable: any of them).
        #[arg(long, value_name = "GLOB")]
        name: Vec<String>,
        /// Only the repositories named in FILE (one a line, `#` comments).
        #[arg(long, value_name = "FILE")]
        repos_file: Option<PathBuf>,
    },
    /// Gate one shard's repositories through the API, writing one JSON result per repository.
    Run {
        #[arg(long, value_name = "FILE")]
        shard: PathBuf,
        #[arg(long, default_value = "shipgate-org/results")]
        out: PathBuf,
        /// Repositories checked at once.
        #[arg(long, default_value_t = 4)]
        jobs: usize,
        /// Seconds the shard may take; repositories not started by then are reported not verified.
        #[arg(long, default_value_t = 3000)]
        deadline: u64,
        /// Requests of the rate limit left for others (the installation's budget is shared by shards).
        #[arg(long, default_value_t = 100)]
        reserve: u64,
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// The organisation's config repository (a directory, or OWNER/REPO read through the API):
        /// report each repository's declared settings, observed settings and drift side by side.
        #[arg(long, value_name = "PATH|OWNER/REPO")]
        declared: Option<String>,
        /// Memory each repository's check may use, in MiB (0: no limit). Each repository is checked in
        /// a process of its own: one that goes over is reported not verified, and the shard goes on.
        #[arg(long, value_name = "MIB", default_value_t = 2048)]
        memory_limit: u64,
        /// The auditor's policy (default: shipgate's defaults). Each repository's own shipgate.toml
        /// and baseline are reported in its result (`policy_overrides`), never applied.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// One repository of `org run`, in the child process `org run` starts for it (internal).
    #[command(hide = true)]
    GateOne {
        #[arg(long)]
        repository: String,
        #[arg(long)]
        api_deadline_ms: u64,
        #[arg(long, default_value_t = 0)]
        memory_limit: u64,
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// The config repository `org run --declared` staged, and how to name it.
        #[arg(long, requires = "declared_shown")]
        declared_dir: Option<PathBuf>,
        #[arg(long)]
        declared_shown: Option<String>,
        /// The auditor's config (absolute), as `org run --config` named it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Merge the per-repository results into one evidence report (report.md, report.html, report.json).
    Report {
        /// The directory of results (every shard's, together).
        dir: PathBuf,
        /// The plan.json `org plan` wrote: every planned repository without a result is reported as not
        /// verified, by name, and results for repositories it does not name are left out.
        #[arg(long, value_name = "PLAN.json")]
        plan: Option<PathBuf>,
        #[arg(long, default_value = "shipgate-org/report")]
        out: PathBuf,
        /// The previous report.json, to show what got better or worse.
        #[arg(long, value_name = "OLD.json")]
        previous: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write the pre-push hook into the repository's hooks directory (honours core.hooksPath).
    Install {
        /// Repository to guard.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Replace an existing pre-push hook that shipgate did not write.
        #[arg(long, conflicts_with = "chain")]
        force: bool,
        /// Keep an existing pre-push hook as pre-push.local and run it before shipgate.
        #[arg(long)]
        chain: bool,
    },
    /// Remove the hook shipgate wrote (restoring a chained one); never touches a hook it did not write.
    Uninstall {
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// What the hook runs: reads git's `<local ref> <local sha> <remote ref> <remote sha>` lines on stdin
    /// (or, under the pre-commit framework, the ref from its PRE_COMMIT_* variables).
    PrePush {
        /// The remote's name (or URL) as git passes it [default: PRE_COMMIT_REMOTE_NAME, else origin].
        remote: Option<String>,
        /// The remote's URL as git passes it (unused).
        url: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Repository root to check.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Config file (default: shipgate.toml or .github/shipgate.toml in the repository).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not contact the GitHub API; online checks are reported as not evaluated.
    #[arg(long)]
    pub offline: bool,
    /// Fail on findings at or above this severity (default: the config's `fail-on`, else error).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Print nothing when the gate passes; otherwise only what fails it.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write SARIF 2.1.0 to FILE, whatever the --format (for code-scanning upload next to annotations).
    #[arg(long, value_name = "FILE")]
    pub sarif_file: Option<PathBuf>,
    /// Show everything: ignore inline `shipgate:allow(...)` comments and the baseline.
    #[arg(long)]
    pub no_suppress: bool,
    /// Judge the change against BASE: the merge base's tree and the head's (uncommitted work included)
    /// are both evaluated under the policy of BASE's tip, and only findings the head has without a
    /// counterpart at the merge base fail; older ones are counted, not failed on. BASE is a full ref
    /// name or a name only one ref answers to. Without a value (or `auto`): in a GitHub Actions
    /// pull_request run the base commit from the event payload (else origin/$GITHUB_BASE_REF), in
    /// other Actions runs the whole tree, elsewhere the default branch (origin/HEAD, main or master).
    #[arg(long, value_name = "BASE", num_args = 0..=1, default_missing_value = "auto")]
    pub diff: Option<String>,
    /// Also write the evidence report for auditors to FILE: HTML when it ends in .html/.htm, else Markdown.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Pass a run that found no files to scan (by default that is exit 2: an empty directory or a
    /// wrong `path:` must not pass the gate).
    #[arg(long)]
    pub allow_empty: bool,
    /// Check a repository on GitHub without a clone (OWNER/NAME): its settings, reviews, workflows,
    /// CODEOWNERS and process documents read through the API; other file contents are not evaluated.
    /// Judged by your policy (`--config`, else the defaults): the repository's own shipgate.toml and
    /// baseline are reported, never applied.
    #[arg(long, value_name = "OWNER/NAME", conflicts_with_all = ["diff", "offline"])]
    pub remote: Option<String>,
    /// The pull request this `--diff` run checks, whose code owners' approvals can accept a change to
    /// the gate's own policy (default: from the GitHub Actions pull_request event).
    #[arg(long, value_name = "N")]
    pub pull_request: Option<u64>,
    /// Compare the branch protection this tree declares (Terraform, safe-settings) with the live
    /// settings of each declared repository, and report every difference (needs a token).
    #[arg(long, conflicts_with_all = ["offline", "remote"])]
    pub drift: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    /// A Markdown table, as embedded in the README (`scripts/readme-rules.sh` refreshes it).
    Markdown,
}

/// Run a parsed command; the returned code is the process exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules { format, path } => rules(format, &path),
        Command::Explain { rule, path } => explain(&rule, &path),
        Command::Baseline { path, config } => write_baseline(&path, config),
        Command::Init { path } => init(&path),
        Command::Hook { action } => hook(action),
        Command::Org { action } => org(action),
        Command::Data(args) => data(&args),
    };
    match result {
        Ok(code) => code,
        Err(diag) => {
            print_error(diag);
            2
        }
    }
}

/// Print a diagnostic to stderr, redacted (it may quote the user's config or rule pack), and without
/// the quote when its lines are too wide to show.
pub fn print_error(diag: SourceDiag) {
    let diag = visible_diag(diag.redacted().quotable_or_located());
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut text = String::new();
    if report::human::handler(color)
        .render_report(&mut text, &diag)
        .is_err()
    {
        text = format!("error[{}]: {}\n", diag.code, diag.message);
    }
    let text = crate::redact::neutralise_commands(&text);
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// A diagnostic quoting repository text (a config line, a file name) with its control characters made
/// visible, labels moved with the quoted text.
fn visible_diag(mut diag: SourceDiag) -> SourceDiag {
    use crate::redact::{visible, visible_line, visible_with_offsets};
    diag.message = visible_line(&diag.message).into_owned();
    diag.help = diag.help.map(|h| visible(&h).into_owned());
    if let Some(src) = diag.src.take() {
        let mut offsets: Vec<usize> = diag
            .labels
            .iter()
            .flat_map(|l| [l.offset(), l.offset() + l.len()])
            .collect();
        let text = visible_with_offsets(src.inner(), &mut offsets);
        diag.labels = diag
            .labels
            .iter()
            .zip(offsets.chunks(2))
            .map(|(l, at)| {
                let label = l.label().map(|t| visible_line(t).into_owned());
                miette::LabeledSpan::new_with_span(label, at[0]..at[1].max(at[0]))
            })
            .collect();
        diag.src =
            Some(miette::NamedSource::new(visible_line(src.name()), text).with_language("toml"));
    }
    diag
}

fn check(args: &CheckArgs) -> Result<u8, SourceDiag> {
    // `--remote`: the files live in a temporary directory until the report is rendered.
    let mut _remote_dir = None;
    let outcome = match &args.remote {
        Some(name) => {
            let repo = crate::remote::parse_repo(name)?;
            let settings = crate::github::Settings::from_env();
            let opts = crate::remote::RemoteOptions {
                fail_on: args.fail_on.map(Severity::from),
                no_suppress: args.no_suppress,
                deadline: None,
                declared: None,
                policy: crate::remote::auditor_policy(args.config.as_deref())?,
            };
            match crate::remote::check(&repo, &settings, &opts) {
                Ok(mut r) => {
                    if let crate::github::GithubFacts::Gathered(f) = &mut r.outcome.ctx.github {
                        f.requests = r.requests;
                    }
                    _remote_dir = Some(r.dir);
                    r.outcome
                }
                Err(e) => return Err(could_not_evaluate(e.into_diag())),
            }
        }
        None => local_outcome(args)?,
    };
    if outcome.ctx.stats.files == 0 && !args.allow_empty && args.remote.is_none() {
        return Err(no_files(&outcome));
    }
    report_outcome(args, &outcome)
}

/// Could not evaluate: later steps of the job still see a result, and it is not "passed".
fn could_not_evaluate(diag: SourceDiag) -> SourceDiag {
    if let Some(path) = env_path("GITHUB_OUTPUT") {
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(b"result=error\nexit-code=2\n"));
    }
    diag
}

fn local_outcome(args: &CheckArgs) -> Result<engine::Outcome, SourceDiag> {
    let opts = CheckOptions {
        root: args.path.clone(),
        // No path (or `.`): run where you stand, so the repository around you is the unit.
        find_repository_root: args.path == Path::new("."),
        config: args.config.clone(),
        offline: args.offline,
        fail_on: args.fail_on.map(Severity::from),
        diff: args.diff.as_deref().map(diff_base),
        no_suppress: args.no_suppress,
        ignore_baseline: false,
        remote: None,
        pull_request: args.pull_request.or_else(|| {
            let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            crate::github::approvals::pull_from_event(
                var("GITHUB_EVENT_NAME").as_deref(),
                var("GITHUB_EVENT_PATH").as_deref().map(Path::new),
            )
        }),
        drift: args.drift,
        declared: None,
        policy: None,
    };
    engine::check(&opts).map_err(could_not_evaluate)
}

fn report_outcome(args: &CheckArgs, outcome: &engine::Outcome) -> Result<u8, SourceDiag> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let render = RenderOptions {
        quiet: args.quiet,
        color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        step_summary: env_path("GITHUB_STEP_SUMMARY"),
        step_outputs: env_path("GITHUB_OUTPUT"),
    };
    write_output(args.output.as_deref(), |out| {
        report::render(args.format, outcome, &render, out)
    })?;
    if let Some(path) = &args.sarif_file {
        write_output(Some(path), |out| report::sarif::render(outcome, out))?;
    }
    if let Some(path) = &args.report {
        let html = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        write_output(Some(path), |out| {
            if html {
                report::evidence_html::render(outcome, out)
            } else {
                report::evidence_md::render(outcome, out)
            }
        })?;
    }
    // The report went to a file: the CI log still shows the verdict.
    if let Some(path) = &args.output {
        eprintln!(
            "shipgate: {} · report written to {}",
            report::summary_line(outcome),
            path.display()
        );
    }
    // Inside GitHub Actions, whatever the format: later steps can branch on the result.
    if let Some(path) = &render.step_outputs {
        let io = |e: std::io::Error| {
            SourceDiag::plain(
                "gate/output",
                format!("cannot append to GITHUB_OUTPUT: {e}"),
            )
        };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let mut written = Vec::new();
        if let Some(p) = &args.sarif_file {
            written.push(("sarif-file", p.as_path()));
        }
        if let Some(p) = &args.report {
            written.push(("report", p.as_path()));
        }
        file.write_all(report::github::step_outputs(outcome, &written).as_bytes())
            .map_err(io)?;
    }
    Ok(outcome.verdict().exit_code())
}

fn org(action: OrgCommand) -> Result<u8, SourceDiag> {
    use crate::org::{plan, report, run};
    let settings = crate::github::Settings::from_env();
    match action {
        OrgCommand::Plan {
            org,
            out,
            shards,
            per_shard,
            include_archived,
            include_forks,
            visibility,
            topic,
            name,
            repos_file,
        } => {
            let filters = plan::Filters {
                include_archived,
                include_forks,
                visibility,
                topics: topic,
                names: name,
                repos_file,
            };
            let sharding = match shards {
                Some(n) => plan::Sharding::Shards(n),
                None => plan::Sharding::PerShard(per_shard.unwrap_or(100)),
            };
            let p = plan::plan(&org, &filters, sharding, &out, &settings)?;
            let matrix = p.matrix.to_string();
            write_output(None, |o| writeln!(o, "{matrix}"))?;
            if let Some(path) = env_path("GITHUB_OUTPUT") {
                let text = format!(
                    "matrix={matrix}\nshards={}\nrepositories={}\n",
                    p.shards, p.selected
                );
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
                    .map_err(|e| {
                        SourceDiag::plain(
                            "gate/output",
                            format!("cannot append to GITHUB_OUTPUT: {e}"),
                        )
                    })?;
            }
            eprintln!(
                "shipgate org plan: {} repositories listed, {} selected, {} shard(s) in {}; {} API request(s){}",
                p.listed,
                p.selected,
                p.shards,
                out.display(),
                p.requests,
                if p.not_found.is_empty() {
                    String::new()
                } else {
                    format!("; not found: {}", p.not_found.join(", "))
                }
            );
            Ok(0)
        }
        OrgCommand::Run {
            shard,
            out,
            jobs,
            deadline,
            reserve,
            fail_on,
            memory_limit,
            declared,
            config,
        } => {
            let opts = run::RunOptions {
                declared,
                shard,
                out: out.clone(),
                jobs,
                deadline: std::time::Duration::from_secs(deadline),
                reserve,
                fail_on: fail_on.map(Severity::from),
                memory_mib: memory_limit,
                // Read once here, so a bad file is one clear error before any child starts.
                policy: crate::remote::auditor_policy(config.as_deref())?,
                config: config
                    .as_deref()
                    .map(|c| c.canonicalize().unwrap_or_else(|_| c.to_path_buf())),
            };
            let t = run::run(&opts)?;
            eprintln!(
                "shipgate org run: {} repositories: {} pass, {} fail, {} not verified; {} API request(s); results in {}",
                t.repositories,
                t.passed,
                t.failed,
                t.not_verified,
                t.requests,
                out.display()
            );
            Ok(0)
        }
        OrgCommand::GateOne {
            repository,
            api_deadline_ms,
            memory_limit,
            fail_on,
            declared_dir,
            declared_shown,
            config,
        } => {
            crate::org::isolate::limit_own_memory(memory_limit)
                .map_err(|e| SourceDiag::plain("org/output", e))?;
            let repo = crate::remote::parse_repo(&repository)?;
            let source = match (&declared_dir, &declared_shown) {
                (Some(dir), Some(shown)) => Some(crate::org::declared::load_staged(dir, shown)?),
                _ => None,
            };
            let answer = run::gate_checked(
                &repo,
                &settings,
                fail_on.map(Severity::from),
                std::time::Duration::from_millis(api_deadline_ms),
                source.as_ref(),
                crate::remote::auditor_policy(config.as_deref())?,
            );
            let text = serde_json::to_string(&answer).map_err(|e| {
                SourceDiag::plain("org/output", format!("cannot encode a result: {e}"))
            })?;
            println!("{text}");
            Ok(0)
        }
        OrgCommand::Report {
            dir,
            plan,
            out,
            previous,
        } => {
            let r = report::report(&dir, plan.as_deref(), previous.as_deref(), &out)?;
            if let Some(path) = env_path("GITHUB_STEP_SUMMARY") {
                let _ = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .and_then(|mut f| f.write_all(report::markdown_summary(&r).as_bytes()));
            }
            eprintln!(
                "shipgate org report: {} repositories: {} pass, {} pass with warnings, {} fail, {} not verified{}; written to {}",
                r.scope.repositories,
                r.totals.pass,
                r.totals.pass_with_warnings,
                r.totals.fail,
                r.totals.not_verified,
                if r.scope.missing.is_empty() {
                    String::new()
                } else {
                    format!(" ({} planned without a result)", r.scope.missing.len())
                },
                out.display()
            );
            Ok(0)
        }
    }
}

/// `shipgate data`: the environment (DATABASE_URL, PG*) is read here, so `data` stays testable.
fn data(args: &DataArgs) -> Result<u8, SourceDiag> {
    use crate::data::{self, SourceSpec};
    let source = if let Some(dump) = &args.dump {
        SourceSpec::Dump(dump.clone())
    } else if !args.csv.is_empty() {
        SourceSpec::Csv(args.csv.clone())
    } else {
        let named =
            args.url.is_some() || std::env::var_os("DATABASE_URL").is_some_and(|v| !v.is_empty());
        let pg = ["PGHOST", "PGDATABASE", "PGSERVICE"]
            .iter()
            .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()));
        if !named && !pg {
            return Err(could_not_evaluate(
                SourceDiag::plain(
                    "live/no-source",
                    "no source: give a postgres:// URL, set DATABASE_URL or the PG* variables, or pass --dump or --csv",
                )
                .with_help("e.g. `shipgate data postgres://reader@db.internal/app` (the password in PGPASSWORD)"),
            ));
        }
        SourceSpec::Postgres {
            conn: args.url.clone(),
            ca_file: args.ca_file.clone(),
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = git2::Repository::discover(&cwd)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or(cwd);
    let opts = data::Options {
        source,
        root,
        config: args.config.clone(),
        full: args.full,
        sample_rows: args.sample_rows,
        seed: args.seed,
        time_budget: args.time_budget,
        statement_timeout: args.statement_timeout,
        lock_timeout: args.lock_timeout,
        fail_on: args.fail_on.map(Severity::from),
    };
    let outcome = data::run(&opts, &|k| std::env::var(k).ok()).map_err(could_not_evaluate)?;
    let text = match args.format {
        DataFormat::Human => data::report::human(&outcome),
        DataFormat::Json => data::report::json(&outcome),
    };
    let text = data::report::safe(&text);
    write_output(args.output.as_deref(), |out| out.write_all(text.as_bytes()))?;
    if let Some(path) = &args.report {
        let html = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        let report = if html {
            data::evidence::html(&outcome)
        } else {
            data::evidence::markdown(&outcome)
        };
        let report = data::report::safe(&report);
        write_output(Some(path), |out| out.write_all(report.as_bytes()))?;
    }
    if args.output.is_some() {
        eprintln!(
            "{}",
            data::report::safe(&format!(
                "shipgate data: {}",
                data::report::summary_line(&outcome)
            ))
        );
    }
    let verdict = outcome.verdict();
    let append = |var: &str, text: String| -> Result<(), SourceDiag> {
        let Some(path) = env_path(var) else {
            return Ok(());
        };
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(data::report::safe(&text).as_bytes()))
            .map_err(|e| SourceDiag::plain("gate/output", format!("cannot append to {var}: {e}")))
    };
    // Inside GitHub Actions: the evidence in the job summary, the result for later steps.
    append("GITHUB_STEP_SUMMARY", data::evidence::markdown(&outcome))?;
    append(
        "GITHUB_OUTPUT",
        format!(
            "result={}\nexit-code={}\n",
            verdict.as_str(),
            verdict.exit_code()
        ),
    )?;
    Ok(verdict.exit_code())
}

/// `--diff` / `--diff auto` read the GitHub Actions environment here, so the engine stays testable.
/// On a pull request the base commit comes from the event payload (`GITHUB_EVENT_PATH`), not a name.
fn diff_base(arg: &str) -> DiffBase {
    if arg == "auto" {
        let var = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        DiffBase::Auto {
            github_base_ref: var("GITHUB_BASE_REF"),
            github_actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
            event: var("GITHUB_EVENT_NAME").map(|name| crate::repo::changes::ActionsEvent {
                name,
                payload: env_path("GITHUB_EVENT_PATH"),
            }),
        }
    } else {
        DiffBase::Ref(arg.to_string())
    }
}

fn hook(action: HookCommand) -> Result<u8, SourceDiag> {
    let done = match action {
        HookCommand::Install { path, force, chain } => {
            let mode = if force {
                hook::InstallMode::Force
            } else if chain {
                hook::InstallMode::Chain
            } else {
                hook::InstallMode::Safe
            };
            hook::install(&path, mode)?
        }
        HookCommand::Uninstall { path } => hook::uninstall(&path)?,
        HookCommand::PrePush { remote, url: _ } => {
            let (remote, input) = match hook::pre_commit_input(|k| std::env::var(k).ok()) {
                Some((from_env, line)) => (remote.or(from_env), line),
                None => (
                    remote,
                    hook::read_stdin().map_err(|e| {
                        SourceDiag::plain(
                            "hook/bad-input",
                            format!("cannot read the pushed refs from stdin: {e}"),
                        )
                    })?,
                ),
            };
            let remote = remote.unwrap_or_else(|| crate::repo::history::REMOTE.to_string());
            let stderr = std::io::stderr();
            return hook::pre_push(&remote, &input, &mut stderr.lock());
        }
    };
    println!("{done}");
    Ok(0)
}

/// A path from the environment, if set and not empty (as GitHub Actions sets its file-command variables).
fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

/// Write to FILE or stdout. A closed stdout pipe (`| head`) is not an error worth a diagnostic.
fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), SourceDiag> {
    let io_err =
        |what: String, e: std::io::Error| SourceDiag::plain("gate/output", format!("{what}: {e}"));
    match path {
        Some(p) => {
            let file = std::fs::File::create(p)
                .map_err(|e| io_err(format!("cannot create {}", p.display()), e))?;
            let mut w = std::io::BufWriter::new(file);
            write(&mut w)
                .and_then(|_| w.flush())
                .map_err(|e| io_err(format!("cannot write {}", p.display()), e))
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            match write(&mut w).and_then(|_| w.flush()) {
                Err(e) if is_broken_pipe(&e) => Ok(()),
                other => other.map_err(|e| io_err("cannot write to standard output".into(), e)),
            }
        }
    }
}

/// The catalogue for `rules`/`explain`: built-in rules plus the user's packs when a config is found.
fn catalogue_for(path: &Path) -> Result<Catalogue, SourceDiag> {
    if !path.is_dir() {
        return checks::catalogue(None);
    }
    let policy = config::policy::read(path, None, config::policy::Source::WorkTree, None)?;
    checks::catalogue(Some((&policy.config, &policy.packs)))
}

fn rules(format: ListFormat, path: &Path) -> Result<u8, SourceDiag> {
    let cat = catalogue_for(path)?;
    let mut docs: Vec<&RuleDoc> = cat.docs.iter().collect();
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    write_output(None, |out| match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &docs).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        ListFormat::Markdown => {
            writeln!(out, "| Rule | Default | What it finds |\n|---|---|---|")?;
            for d in &docs {
                writeln!(
                    out,
                    "| `{}` | {} | {} |",
                    d.id,
                    d.severity,
                    d.title.replace('|', "\\|")
                )?;
            }
            Ok(())
        }
        ListFormat::Table => {
            let width = docs.iter().map(|d| d.id.len()).max().unwrap_or(0);
            writeln!(out, "{:width$}  {:8}  TITLE", "RULE", "SEVERITY")?;
            for d in &docs {
                writeln!(
                    out,
                    "{:width$}  {:8}  {}",
                    d.id,
                    d.severity.as_str(),
                    d.title
                )?;
            }
            writeln!(
                out,
                "\n{} rules. `shipgate explain RULE-ID` for details.",
                docs.len()
            )
        }
    })?;
    Ok(0)
}

fn explain(id: &str, path: &Path) -> Result<u8, SourceDiag> {
    let cat = catalogue_for(path)?;
    let doc = match crate::explain::lookup(&cat, id) {
        Ok(crate::explain::Found::Rule(doc)) => doc,
        Ok(crate::explain::Found::Diagnostic(code)) => {
            write_output(None, |out| {
                writeln!(out, "{} — {}", code.id, code.title)?;
                writeln!(
                    out,
                    "a diagnostic: the run stops with exit code 2 (could not evaluate)"
                )?;
                writeln!(out, "\nWHY IT MATTERS\n{}\n", wrap(code.why))?;
                writeln!(out, "HOW TO FIX\n{}\n", wrap(code.fix))?;
                writeln!(out, "EXAMPLE\n    error[{}]: {}", code.id, code.example)
            })?;
            return Ok(0);
        }
        Err(help) => {
            return Err(
                SourceDiag::plain("explain/unknown-rule", format!("no rule `{id}`"))
                    .with_help(help),
            )
        }
    };
    write_output(None, |out| {
        writeln!(out, "{} — {}", doc.id, doc.title)?;
        writeln!(
            out,
            "default severity: {}   defined in: {}",
            doc.severity, doc.origin
        )?;
        if !doc.applies_to.is_empty() {
            let classes: Vec<&str> = doc.applies_to.iter().map(|c| c.as_str()).collect();
            writeln!(out, "applies to: {} files", classes.join(", "))?;
        }
        writeln!(out, "\nWHY IT MATTERS\n{}\n", wrap(&doc.why))?;
        writeln!(out, "HOW TO FIX\n{}\n", wrap(&doc.fix))?;
        writeln!(out, "EXAMPLE (reported)\n    {}", doc.example)?;
        if let Some(p) = &doc.pattern {
            writeln!(
                out,
                "\nPATTERN{}\n    {}",
                if doc.case_insensitive {
                    " (case-insensitive)"
                } else {
                    ""
                },
                p
            )?;
        }
        writeln!(
            out,
            "\nChange its severity in shipgate.toml:  [rules] \"{0}\" = \"warning\"   (or \"off\" to turn it off)",
            doc.id
        )
    })?;
    Ok(0)
}

/// Wrap prose at 100 columns for the terminal.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > 100 {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&line);
        out.push_str("\n\n");
    }
    out.trim_end().to_string()
}

fn write_baseline(path: &Path, config: Option<PathBuf>) -> Result<u8, SourceDiag> {
    let opts = CheckOptions {
        root: path.to_path_buf(),
        find_repository_root: path == Path::new("."),
        config,
        offline: true,
        ignore_baseline: true,
        ..CheckOptions::default()
    };
    let outcome = engine::check(&opts)?;
    let shown = crate::suppress::baseline::DEFAULT_PATH;
    let target = outcome.ctx.root.join(shown);
    // An incomplete run writes nothing: the old baseline stays exactly as it was.
    if outcome.verdict() == engine::Verdict::Incomplete {
        let why: Vec<String> = outcome
            .findings
            .iter()
            .filter(|f| {
                crate::checks::gate::is_evaluation_failure(&f.rule) && f.severity == Severity::Error
            })
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect();
        return Err(SourceDiag::plain(
            "baseline/not-evaluated",
            format!(
                "not writing {shown}: the gate could not evaluate everything, and a baseline written now would drop what it did not look at\n  {}",
                why.join("\n  ")
            ),
        )
        .with_help("fix what `shipgate check` reports as could not evaluate (e.g. `git fetch --unshallow`), then run `shipgate baseline` again"));
    }
    let old = crate::suppress::baseline::load(&target, shown)?;
    let unevaluated = crate::suppress::Unevaluated::of(&outcome.ctx);
    let kept = crate::suppress::baseline::kept_entries(old.as_ref(), unevaluated);
    // Problems with suppressions themselves, and opted-out evaluation failures, are never accepted.
    let accepted: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| {
            !crate::checks::gate::is_evaluation_failure(&f.rule) && !f.rule.starts_with("suppress/")
        })
        .cloned()
        .collect();
    let text = crate::suppress::baseline::render_with(&accepted, kept.clone());
    crate::suppress::baseline::write_atomic(&target, &text)
        .map_err(|e| SourceDiag::plain("baseline/io", format!("cannot write {shown}: {e}")))?;
    println!(
        "wrote {} {} to {shown}",
        accepted.len() + kept.len(),
        if accepted.len() + kept.len() == 1 {
            "finding"
        } else {
            "findings"
        }
    );
    // What was accepted, rule by rule, before anyone commits it.
    let entries = crate::suppress::baseline::entries(&accepted);
    print!("{}", crate::suppress::baseline::summary(&entries, shown));
    if !kept.is_empty() {
        println!(
            "kept {} {} from the previous baseline: {} could not be evaluated in this run",
            kept.len(),
            if kept.len() == 1 { "entry" } else { "entries" },
            unevaluated.describe()
        );
    }
    println!(
        "commit it through a pull request, so the accepted findings are reviewed like any change"
    );
    let left_out = outcome.findings.len() - accepted.len();
    if left_out > 0 {
        println!("{left_out} {} not baselined: a suppression is malformed or an opted-out source could not be evaluated — run `shipgate check`", if left_out == 1 { "finding" } else { "findings" });
        return Ok(outcome.verdict().exit_code().max(1));
    }
    Ok(0)
}

/// Zero files scanned proves nothing: an empty directory or a wrong `path:` must not pass.
fn no_files(outcome: &engine::Outcome) -> SourceDiag {
    let s = &outcome.ctx.stats;
    SourceDiag::plain(
        "gate/no-files",
        format!(
            "no files scanned in `{}` ({} ignored by config, {} symlinks, {} nested repositories): nothing was checked",
            outcome.ctx.root.display(),
            s.ignored,
            s.symlinks,
            s.nested_repos
        ),
    )
    .with_help("point shipgate at the repository root (the Action's `path` input), check `[paths] ignore`, or pass --allow-empty if an empty tree is expected")
}

/// A reader that went away (`| head`): not an error worth a diagnostic. serde_json wraps the I/O error.
fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<serde_json::Error>())
            .and_then(serde_json::Error::io_error_kind)
            == Some(std::io::ErrorKind::BrokenPipe)
}

fn init(path: &Path) -> Result<u8, SourceDiag> {
    let target = path.join("shipgate.toml");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                SourceDiag::plain(
                    "init/exists",
                    format!("{} already exists; not overwriting it", target.display()),
                )
                .with_help("edit it, or remove it first if you want the starter file")
            } else {
                SourceDiag::plain(
                    "init/io",
                    format!("cannot create {}: {e}", target.display()),
                )
            }
        })?;
    file.write_all(config::STARTER.as_bytes()).map_err(|e| {
        SourceDiag::plain("init/io", format!("cannot write {}: {e}", target.display()))
    })?;
    println!("wrote {} — run `shipgate check` next", target.display());
    Ok(0)
}
