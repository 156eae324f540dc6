//! The one list of checks (zizmor's `registry.rs` is the model). Each entry says which rules the check
//! owns, what it reads, which control of the evidence report its findings are evidence for, and how it
//! runs. Everything that needs to know the checks reads `REGISTRY`: the rule catalogue (`shipgate rules`,
//! `explain`, the README table), the engine (file checks in the walk, repository checks after it), the
//! pre-push hook (the same file checks on pushed blobs) and the evidence report's controls.
//!
//! Adding a check: write its module (rules as `pub const RULES: &[CodeRule]`, and its `run`), then add one
//! `Check` here. See CONTRIBUTING.md.

use super::{
    access, branch_protection, data_readers, data_seeds, declared, deploy_env, dev_images,
    dev_tooling, gate, leak, live_data, owners, process_docs, review_git, review_github,
    spring_profiles, suppression, test_data, workflows,
};
use crate::config::Config;
use crate::context::Context;
use crate::diag::SourceDiag;
use crate::finding::Finding;
use crate::repo::files::{FileCheck, FileEntry};
use crate::rules::scanner::Scanner;
use crate::rules::{Catalogue, CodeRule};

/// The evidence report's controls, in the regulator's terms (their titles live in `report::evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    ProtectedBranches,
    Reviewed,
    NothingTestOnly,
    AccessReviewed,
    Documented,
    /// The live system itself holds no test data (`shipgate data`, against the database or its dump).
    LiveDataClean,
}

/// What a check reads besides the config.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// Each file's bytes, during the walk.
    pub file_bytes: bool,
    /// The complete file index (paths and classes), and the repository files parsed once.
    pub file_index: bool,
    /// The deployment branches' git history.
    pub history: bool,
    /// Facts from the GitHub API.
    pub github: bool,
}

/// What a file check is built from.
pub struct Setup<'a> {
    pub catalogue: &'a Catalogue,
    pub config: &'a Config,
}

/// A check that reads file bytes during the walk, then judges what it collected once the file index is
/// complete. The pre-push hook runs the same stages on the pushed blobs.
pub trait FileStage: FileCheck {
    fn as_file_check(&self) -> &dyn FileCheck;
    /// A file the stage must read even when a partial scan (the pre-push hook's changed files) leaves it
    /// out: it states facts the stage's judgement of other files needs.
    fn reads_unchanged(&self, _file: &FileEntry) -> bool {
        false
    }
    /// Judge what was collected so far against the complete file index, and start afresh.
    fn finish(&self, _config: &Config, _files: &[FileEntry]) -> Vec<Finding> {
        Vec::new()
    }
    /// `check --diff`: a file the merge base and the head hold unchanged, given to the base
    /// evaluation's instance of this stage with the same bytes; `head` is what the head's instance
    /// found in it. Record what the stage keeps for its judgement of other files, and give the file's
    /// findings: by default by checking it again, or, where a stage can, by taking the head's.
    fn check_shared(
        &self,
        file: &FileEntry,
        content: &[u8],
        head: &[Finding],
        out: &mut Vec<Finding>,
    ) {
        let _ = head;
        self.check(file, content, out);
    }
}

pub enum Run {
    /// Once, after the walk, on the gathered Context: a pure function of it.
    Repository(fn(&Context) -> Vec<Finding>),
    /// During the walk on each file's bytes, then once on the file index (`FileStage`).
    Files(fn(&Setup<'_>) -> Result<Box<dyn FileStage>, SourceDiag>),
    /// After every other check, on the Context and their findings (before anything is suppressed).
    Findings(fn(&Context, &[Finding]) -> Vec<Finding>),
    /// The rules are reported by a later stage of the run, named here (the suppression stage).
    Stage(&'static str),
    /// Not part of `check`: its own command runs it (`shipgate data`, against the live database).
    Command(&'static str),
}

pub struct Check {
    /// Kebab-case, unique.
    pub name: &'static str,
    pub about: &'static str,
    /// The rule families (`branch`, `leak`, ...) this check reports, each with the control its findings
    /// are evidence for (None: about the gate itself).
    pub families: &'static [(&'static str, Option<Control>)],
    /// Rules implemented in code.
    pub rules: &'static [CodeRule],
    /// Built-in rule packs (`rules/*.toml`) whose pattern rules this check owns.
    pub packs: &'static [&'static str],
    pub needs: Needs,
    pub run: Run,
}

const NEEDS_NOTHING: Needs = Needs {
    file_bytes: false,
    file_index: false,
    history: false,
    github: false,
};
const FILE_BYTES: Needs = Needs {
    file_bytes: true,
    file_index: true,
    ..NEEDS_NOTHING
};
const FILE_INDEX: Needs = Needs {
    file_index: true,
    ..NEEDS_NOTHING
};
const GITHUB: Needs = Needs {
    github: true,
    ..NEEDS_NOTHING
};

/// Every check, in the order the engine runs them.
pub const REGISTRY: &[Check] = &[
    Check {
        name: "test-data",
        about: "Test data and test switches in production files: the pattern rules of every enabled pack, \
                built-in and the user's, behind one keyword gate.",
        families: &[
            ("data", Some(Control::NothingTestOnly)),
            ("switch", Some(Control::NothingTestOnly)),
        ],
        rules: &[],
        packs: &["rules/markers.toml", "rules/switches.toml"],
        needs: FILE_BYTES,
        run: Run::Files(test_data_stage),
    },
    Check {
        name: "leak",
        about: "Production code that imports, reads, copies or ships test code and test-only libraries.",
        families: &[("leak", Some(Control::NothingTestOnly)), ("gate", None)],
        rules: leak::RULES,
        packs: &[],
        needs: FILE_BYTES,
        run: Run::Files(leak_stage),
    },
    Check {
        name: "gate",
        about: "What the gate could not evaluate: GitHub unavailable or required, a shallow or unreadable \
                history, an unreadable file.",
        families: &[("gate", None)],
        rules: gate::RULES,
        packs: &[],
        needs: Needs {
            history: true,
            github: true,
            ..NEEDS_NOTHING
        },
        run: Run::Repository(gate::run),
    },
    Check {
        name: "branch-protection",
        about: "Deployment branches' effective protection on GitHub (classic rules and rulesets).",
        families: &[("branch", Some(Control::ProtectedBranches))],
        rules: branch_protection::RULES,
        packs: &[],
        needs: Needs {
            file_index: true,
            github: true,
            ..NEEDS_NOTHING
        },
        run: Run::Repository(branch_protection::run),
    },
    Check {
        name: "deploy-env",
        about: "GitHub deployment environments that production deploys go through.",
        families: &[("deploy", Some(Control::ProtectedBranches))],
        rules: deploy_env::RULES,
        packs: &[],
        needs: Needs {
            file_index: true,
            github: true,
            ..NEEDS_NOTHING
        },
        run: Run::Repository(deploy_env::run),
    },
    Check {
        name: "declared",
        about: "Branch protection and environments declared as code (Terraform's GitHub provider, \
                safe-settings / Probot settings.yml): judged offline by the branch and deploy rules, a \
                change that weakens them, and drift from the live settings.",
        families: &[("declared", Some(Control::ProtectedBranches))],
        rules: declared::RULES,
        packs: &[],
        needs: FILE_INDEX,
        run: Run::Repository(declared::run),
    },
    Check {
        name: "review-github",
        about: "Review evidence from GitHub: the pull requests that brought each deployment commit.",
        families: &[("review", Some(Control::Reviewed))],
        rules: review_github::RULES,
        packs: &[],
        needs: GITHUB,
        run: Run::Repository(review_github::run),
    },
    Check {
        name: "review-git",
        about: "Review evidence from git: how each commit arrived on a deployment branch (merge, squash, \
                direct push).",
        families: &[("review", Some(Control::Reviewed))],
        rules: review_git::RULES,
        packs: &[],
        needs: Needs {
            history: true,
            github: true,
            ..NEEDS_NOTHING
        },
        run: Run::Repository(review_git::run),
    },
    Check {
        name: "owners",
        about: "CODEOWNERS: present, valid, and covering what decides access and deployment.",
        families: &[("owners", Some(Control::Reviewed))],
        rules: owners::RULES,
        packs: &[],
        needs: FILE_INDEX,
        run: Run::Repository(owners::run),
    },
    Check {
        name: "workflows",
        about: "GitHub Actions workflows that deploy: triggers, branches, environments, permissions.",
        families: &[("workflow", Some(Control::ProtectedBranches))],
        rules: workflows::RULES,
        packs: &[],
        needs: FILE_INDEX,
        run: Run::Repository(workflows::run),
    },
    Check {
        name: "process-docs",
        about: "How code is tested, reviewed and deployed, written down in the repository.",
        families: &[("process", Some(Control::Documented))],
        rules: process_docs::RULES,
        packs: &[],
        needs: FILE_INDEX,
        run: Run::Repository(process_docs::run),
    },
    Check {
        name: "access",
        about: "Settings that widen access (pattern rules, scanned with the test-data check's keyword \
                gate), and in `--diff` mode a change to access with no code owner to review it.",
        families: &[("access", Some(Control::AccessReviewed))],
        rules: access::RULES,
        packs: &["rules/access.toml"],
        needs: FILE_INDEX,
        run: Run::Findings(access::run),
    },
    Check {
        name: "live-data",
        about: "Test data in the live system itself: a read-only pass over a PostgreSQL database, a plain-SQL \
                dump or CSV exports with the test-data rules, column-aware (`shipgate data`).",
        families: &[("live", Some(Control::LiveDataClean))],
        rules: live_data::RULES,
        packs: &[],
        needs: NEEDS_NOTHING,
        run: Run::Command("data"),
    },
    Check {
        name: "suppression",
        about: "Suppressions that must stay honest (an allow needs a reason and a rule that exists; stale \
                entries are reported), and policy weakenings a change proposes in pre-merge mode.",
        families: &[("suppress", None), ("gate", None)],
        rules: suppression::RULES,
        packs: &[],
        needs: FILE_BYTES,
        run: Run::Stage("suppress"),
    },
];

/// Every rule implemented in code, in registry order.
pub fn code_rules() -> Vec<&'static CodeRule> {
    REGISTRY.iter().flat_map(|c| c.rules.iter()).collect()
}

/// The rule families whose findings are evidence for `control`.
pub fn families_for(control: Control) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (family, c) in REGISTRY.iter().flat_map(|c| c.families.iter()) {
        if *c == Some(control) && !out.contains(family) {
            out.push(family);
        }
    }
    out
}

/// The command that gathers `control`'s evidence when no check of `check` does (`data` for the live
/// system): a `check` run reports such a control as not verified, pointing at the command.
pub fn command_for(control: Control) -> Option<&'static str> {
    let mut serving = REGISTRY
        .iter()
        .filter(|c| c.families.iter().any(|(_, f)| *f == Some(control)))
        .peekable();
    serving.peek()?;
    let mut command = None;
    for check in serving {
        match check.run {
            Run::Command(name) => command = Some(name),
            _ => return None,
        }
    }
    command
}

/// A file stage built for one run, with the check it belongs to.
pub struct Stage {
    pub check: &'static Check,
    pub stage: Box<dyn FileStage>,
}

/// Every file stage of the registry, built for this catalogue and config: what the walk runs (and the
/// pre-push hook, on pushed blobs).
pub fn file_stages(setup: &Setup<'_>) -> Result<Vec<Stage>, SourceDiag> {
    let mut out = Vec::new();
    for check in REGISTRY {
        if let Run::Files(build) = check.run {
            out.push(Stage {
                check,
                stage: build(setup)?,
            });
        }
    }
    Ok(out)
}

/// Run every check but the file stages' walk: repository checks, the file stages' judgement on the
/// complete index, then the checks that judge findings. `raw` holds the walk's findings and receives
/// the rest, in registry order.
pub fn run_after_walk(ctx: &Context, stages: &[Stage], raw: &mut Vec<Finding>) {
    run_tree_checks(ctx, stages, raw);
    let found = run_finding_checks(ctx, raw);
    raw.extend(found);
}

/// The repository checks and the file stages' judgement on the complete index, in registry order.
pub fn run_tree_checks(ctx: &Context, stages: &[Stage], raw: &mut Vec<Finding>) {
    for check in REGISTRY {
        match check.run {
            Run::Repository(run) => raw.extend(run(ctx)),
            Run::Files(_) => {
                for s in stages.iter().filter(|s| std::ptr::eq(s.check, check)) {
                    raw.extend(s.stage.finish(&ctx.config, &ctx.files));
                }
            }
            Run::Findings(_) | Run::Stage(_) | Run::Command(_) => {}
        }
    }
    super::prototype::lower(ctx, raw);
}

/// The checks that judge other checks' findings (`Run::Findings`). `check --diff` runs them on what
/// the change introduces, once it is known.
pub fn run_finding_checks(ctx: &Context, findings: &[Finding]) -> Vec<Finding> {
    let mut out = Vec::new();
    for check in REGISTRY {
        if let Run::Findings(run) = check.run {
            out.extend(run(ctx, findings));
        }
    }
    out
}

struct Markers {
    scanner: Scanner,
    env_files: test_data::EnvFiles,
    data_readers: data_readers::DataReaders,
    dev_tooling: dev_tooling::DevTooling,
    dev_images: dev_images::DevImages,
    seeds: data_seeds::Seeds,
    spring_profiles: spring_profiles::SpringProfiles,
}

impl Markers {
    /// Files scanned, or read by the collectors that judge the scan's findings.
    fn scans(&self, file: &FileEntry) -> bool {
        data_readers::DataReaders::wants(file)
            || dev_tooling::DevTooling::wants(file)
            || data_seeds::Seeds::wants(file)
            || test_data::TestDataMarkers {
                scanner: &self.scanner,
            }
            .wants(file)
    }
}

impl FileCheck for Markers {
    fn wants(&self, file: &FileEntry) -> bool {
        test_data::EnvFiles::wants(file) || dev_images::DevImages::wants(file) || self.scans(file)
    }
    fn check(&self, file: &FileEntry, content: &[u8], out: &mut Vec<Finding>) {
        let mut found = Vec::new();
        // A `.dockerignore` is globs, read for what it says about `.env` files (also when unchanged in
        // a push): not scanned for markers.
        if test_data::EnvFiles::wants(file) {
            self.env_files.take(file, content, &mut found);
            return;
        }
        // A CI or compose file is read for the Dockerfiles it builds; a development image's switches
        // wait for them.
        self.dev_images.note(file, content);
        if !self.scans(file) {
            return;
        }
        test_data::TestDataMarkers {
            scanner: &self.scanner,
        }
        .check(file, content, &mut found);
        // Data files' findings wait for their readers to be known; `.env` files' for the `.dockerignore`
        // and the deploy files that may set their switches again.
        self.env_files.note_deploy_file(file, content);
        self.spring_profiles.take(file, content, &mut found);
        self.dev_images.take(file, content, &mut found);
        self.data_readers.take(file, content, &mut found);
        self.seeds.take(file, content, &mut found);
        if self.dev_tooling.take(file, content, &mut found) {
            out.append(&mut found);
            return;
        }
        if !self.env_files.take(file, content, &mut found) {
            out.append(&mut found);
        }
    }
    /// A file production reaches is scanned again under its production class, even when the walk read
    /// it (as dev config, say) for the collectors: what the scan reports depends on the class. The
    /// collectors do not take it: production reads it, which settles what they would wait to learn
    /// (who reads a data file).
    fn wants_reached(&self, file: &FileEntry, seen: Option<&FileEntry>) -> bool {
        let scan = test_data::TestDataMarkers {
            scanner: &self.scanner,
        };
        scan.wants(file) && !seen.is_some_and(|s| scan.wants(s))
    }
    fn check_reached(
        &self,
        file: &FileEntry,
        _seen: Option<&FileEntry>,
        content: &[u8],
        out: &mut Vec<Finding>,
    ) {
        test_data::TestDataMarkers {
            scanner: &self.scanner,
        }
        .check(file, content, out);
    }
}

impl FileStage for Markers {
    fn as_file_check(&self) -> &dyn FileCheck {
        self
    }
    /// The scan of a file is a function of its bytes: the head's findings are the base's. A `.env`'s
    /// are held until `finish` (the head gave none out), so it is checked again (there are few).
    fn check_shared(
        &self,
        file: &FileEntry,
        content: &[u8],
        head: &[Finding],
        out: &mut Vec<Finding>,
    ) {
        let name = super::leak::paths::file_name(&file.path);
        if test_data::EnvFiles::wants(file) || name == ".env" || data_seeds::Seeds::holds(file) {
            self.check(file, content, out);
            return;
        }
        // What the file says about database bootstrap, for the judgement of the files that changed.
        self.seeds.note(file, content);
        let mut found = head.to_vec();
        // Which profiles the file configures, and its activations: judged against the whole tree.
        self.spring_profiles.take(file, content, &mut found);
        self.dev_images.note(file, content);
        self.dev_images.take(file, content, &mut found);
        if !self.env_files.take(file, content, &mut found) {
            out.append(&mut found);
        }
    }
    fn reads_unchanged(&self, file: &FileEntry) -> bool {
        test_data::EnvFiles::wants(file) || dev_images::DevImages::wants(file)
    }
    fn finish(&self, _config: &Config, files: &[FileEntry]) -> Vec<Finding> {
        let mut out = self.env_files.finish();
        out.extend(self.spring_profiles.finish(files));
        out.extend(self.data_readers.finish());
        out.extend(self.dev_tooling.finish());
        out.extend(self.dev_images.finish());
        // Development's database bootstrap, among the held findings and its own.
        self.seeds.judge(&mut out);
        out
    }
}

fn test_data_stage(setup: &Setup<'_>) -> Result<Box<dyn FileStage>, SourceDiag> {
    Ok(Box::new(Markers {
        scanner: build_scanner(setup.catalogue, setup.config)?,
        env_files: test_data::EnvFiles::default(),
        data_readers: data_readers::DataReaders::default(),
        dev_tooling: dev_tooling::DevTooling::default(),
        dev_images: dev_images::DevImages::default(),
        seeds: data_seeds::Seeds::default(),
        spring_profiles: spring_profiles::SpringProfiles::default(),
    }))
}

impl FileStage for leak::LeakCheck {
    fn as_file_check(&self) -> &dyn FileCheck {
        self
    }
    fn reads_unchanged(&self, file: &FileEntry) -> bool {
        leak::LeakCheck::states_facts(file)
    }
    fn finish(&self, config: &Config, files: &[FileEntry]) -> Vec<Finding> {
        self.resolve(config, files)
    }
}

fn leak_stage(setup: &Setup<'_>) -> Result<Box<dyn FileStage>, SourceDiag> {
    Ok(Box::new(leak::LeakCheck::new(setup.config)))
}

/// The enabled pattern rules with their configured severities.
fn build_scanner(catalogue: &Catalogue, config: &Config) -> Result<Scanner, SourceDiag> {
    let enabled = catalogue
        .patterns
        .iter()
        .filter_map(|r| {
            let mut rule = r.clone();
            // A severity the user chose applies to every hit, settings included.
            if config.setting_for(&r.doc.id).is_some() {
                rule.setting_severity = None;
                rule.severity_set_by_user = true;
            }
            catalogue
                .effective(&r.doc.id, r.doc.severity, config)
                .map(|s| (rule, s))
        })
        .collect();
    Scanner::new(enabled).map_err(|e| {
        SourceDiag::plain(
            "rules/too-large",
            format!("the rule keywords could not be compiled: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    fn family(id: &str) -> &str {
        id.split('/').next().unwrap_or("")
    }

    /// `#[test] fn name(` in tests/cli/<module>.rs.
    fn integration_test_exists(module: &str, name: &str) -> bool {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/cli")
            .join(format!("{module}.rs"));
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines.windows(2).any(|w| {
            w[0].trim() == "#[test]" && w[1].trim_start().starts_with(&format!("fn {name}("))
        })
    }

    /// Every rule implemented in code names the integration test that makes it fire through the binary
    /// (`CodeRule::fires_in`). Pattern rules prove themselves: a pack does not load unless each rule
    /// reports its own `example` (see `rules::pack`).
    #[test]
    fn every_code_rule_has_an_integration_test_that_makes_it_fire() {
        let rules = code_rules();
        assert!(rules.len() > 40, "the registry lists the code rules");
        for rule in &rules {
            let Some((module, name)) = rule.fires_in.split_once("::") else {
                panic!(
                    "{}: fires_in must name `module::test` in tests/cli/, not `{}`",
                    rule.id, rule.fires_in
                );
            };
            assert!(
                integration_test_exists(module, name),
                "{}: tests/cli/{module}.rs has no #[test] fn {name}",
                rule.id
            );
        }
        // The lookup itself can fail.
        assert!(!integration_test_exists("access", "no_such_test"));
    }

    #[test]
    fn checks_are_named_once_and_own_their_families_and_packs() {
        let mut names = BTreeSet::new();
        let mut control_of: HashMap<&str, Option<Control>> = HashMap::new();
        for check in REGISTRY {
            assert!(
                names.insert(check.name),
                "check `{}` registered twice",
                check.name
            );
            assert!(!check.about.is_empty());
            for rule in check.rules {
                assert!(
                    check.families.iter().any(|(f, _)| *f == family(rule.id)),
                    "{}: rule {} is outside its families",
                    check.name,
                    rule.id
                );
            }
            for (f, c) in check.families {
                let before = control_of.insert(f, *c);
                assert!(
                    before.is_none() || before == Some(*c),
                    "family `{f}` serves two controls"
                );
            }
            assert_eq!(
                matches!(check.run, Run::Files(_)),
                check.needs.file_bytes && !matches!(check.run, Run::Stage(_)),
                "{}: only file stages read file bytes during the walk",
                check.name
            );
        }
        // Each built-in pack is owned by exactly one check, and its rules are in that check's families.
        let cat = crate::checks::catalogue(None);
        assert!(cat.is_ok(), "{:?}", cat.err());
        let Ok(cat) = cat else { return };
        for (pack, _) in crate::rules::BUILTIN_PACKS {
            let owners: Vec<&Check> = REGISTRY.iter().filter(|c| c.packs.contains(pack)).collect();
            assert_eq!(owners.len(), 1, "{pack} must be owned by one check");
            for d in cat.docs.iter().filter(|d| d.origin.ends_with(pack)) {
                assert!(
                    owners[0].families.iter().any(|(f, _)| *f == family(&d.id)),
                    "{}: pattern rule {} is outside its families",
                    owners[0].name,
                    d.id
                );
                assert!(!d.example.is_empty(), "{} has no example", d.id);
            }
        }
        assert_eq!(
            families_for(Control::NothingTestOnly),
            vec!["data", "switch", "leak"]
        );
    }

    #[test]
    fn only_the_live_data_control_is_gathered_by_another_command() {
        assert_eq!(command_for(Control::LiveDataClean), Some("data"));
        for c in [
            Control::ProtectedBranches,
            Control::Reviewed,
            Control::NothingTestOnly,
            Control::AccessReviewed,
            Control::Documented,
        ] {
            assert_eq!(command_for(c), None, "{c:?}");
        }
    }
}
