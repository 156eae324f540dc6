//! The second phase: judge the references collected during the walk against the complete file index.
//!
//! Every target is classified the way the walk classified it (the user's `[paths]` globs first, then the
//! conventions), so `[paths] test = ["qa/"]` makes an import of `qa/helpers.py` a leak too. A reference
//! whose target is not in the tree (a third-party module, a generated file) is not judged: no guessing.
//!
//! This file holds what every language shares: the index, the dispatch of each reference to its language's
//! module (where it was extracted, and where its resolution lives), and the judgement of a target.

use super::jvm::JvmIndex;
use super::manifests::{self, class_word};
use super::paths::{self, file_name, parent};
use super::reach_rules::{NONPROD_DEFAULT, STAND_IN, UNEVALUATED_REACH};
use super::ruby_reach::Reach;
use super::rule_docs::{FIXTURE_IMPORT, FIXTURE_READ, TEST_IMPORT};
use super::stand_ins::Uses;
use super::{
    archives, docker, gcloud, go, javascript, jvm, msbuild_publish, python, python_packaging, ruby,
    rust_lang,
};
use super::{make_finding, Extracted, Fact, Pending, Use, Want};
use crate::config::Config;
use crate::finding::Severity;
use crate::finding::{FileSpan, Finding};
use crate::repo::classify::{classify_default, FileClass};
use crate::repo::files::{self, FileEntry};
use crate::repo::reach::{gated_class, How, Reached};
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

pub(crate) fn resolve_all(
    config: &Config,
    files: &[FileEntry],
    submodules: &[String],
    collected: Vec<Extracted>,
) -> Vec<Finding> {
    let next_configs: Vec<(String, super::next_pages::PageExtensions)> = collected
        .iter()
        .flat_map(|e| &e.facts)
        .filter_map(|f| match f {
            Fact::NextConfig { dir, pages } => Some((dir.clone(), pages.clone())),
            _ => None,
        })
        .collect();
    let guarded: Vec<(String, String)> = collected
        .iter()
        .flat_map(|e| &e.facts)
        .filter_map(|f| match f {
            Fact::GuardedPage { path, guard } => Some((path.clone(), guard.clone())),
            _ => None,
        })
        .collect();
    let mut found = super::next_pages::judge(files, &next_configs, &guarded);
    let settings: Vec<&super::aspnet::Settings> = collected
        .iter()
        .flat_map(|e| &e.facts)
        .filter_map(|f| match f {
            Fact::AspNetSettings(s) => Some(&**s),
            _ => None,
        })
        .collect();
    let flagged: Vec<super::aspnet::Flagged> = collected
        .iter()
        .flat_map(|e| &e.facts)
        .filter_map(|f| match f {
            Fact::AspNetFlagged(r) => Some((**r).clone()),
            _ => None,
        })
        .collect();
    found.extend(super::aspnet::judge(flagged, &settings));
    let guarded_controllers: Vec<(String, String)> = collected
        .iter()
        .flat_map(|e| &e.facts)
        .filter_map(|f| match f {
            Fact::RailsGuardedController { path, guard } => Some((path.clone(), guard.clone())),
            _ => None,
        })
        .collect();
    let rails_routes: Vec<(Vec<String>, Finding)> = collected
        .iter()
        .flat_map(|e| &e.facts)
        .filter_map(|f| match f {
            Fact::RailsRoute {
                candidates,
                finding,
            } => Some((candidates.clone(), (**finding).clone())),
            _ => None,
        })
        .collect();
    found.extend(super::rails_controllers::judge(
        rails_routes,
        &guarded_controllers,
    ));
    if collected.iter().all(|e| e.pending.is_empty()) {
        return found;
    }
    let mut collected = collected;
    let facts = collected
        .iter_mut()
        .flat_map(|e| std::mem::take(&mut e.facts))
        .collect();
    let mut index = Index::new(config, files, facts);
    index.submodules = submodules;
    found.extend(
        collected
            .iter()
            .flat_map(|e| e.pending.iter().map(move |p| (&*e.path, p)))
            .filter_map(|(file, p)| index.resolve(file, p)),
    );
    found
}

/// The files production code's references land on that the walk did not gate as production (see
/// `LeakCheck::reached`), each once with every place it is reached from.
pub(crate) fn reached(
    config: &Config,
    files: &[FileEntry],
    collected: &[Extracted],
) -> Vec<Reached> {
    if collected.iter().all(|e| e.pending.is_empty()) {
        return Vec::new();
    }
    // No facts: they only decide whether a target is a test, never where a reference lands.
    let index = Index::new(config, files, Vec::new());
    let mut found: Vec<(String, How, FileSpan)> = collected
        .iter()
        // What vendored code imports in turn is its upstream's concern.
        .filter(|e| index.class_of(&e.path) != Some(FileClass::Vendor))
        .flat_map(|e| e.pending.iter().map(move |p| (&*e.path, p)))
        .filter_map(|(file, p)| {
            let (path, how) = index.reached_target(file, p)?;
            Some((path, how, p.at.in_file(file)))
        })
        .collect();
    found.sort_by(|a, b| (&a.0, &a.2.path, a.2.span).cmp(&(&b.0, &b.2.path, b.2.span)));
    let mut out: Vec<Reached> = Vec::new();
    for (path, how, at) in found {
        match out.last_mut() {
            Some(last) if last.path == path => last.imported_at.push(at),
            _ => out.push(Reached {
                class: match how {
                    How::Vendored => FileClass::Code,
                    _ => gated_class(&path),
                },
                path,
                imported_at: vec![at],
                how,
            }),
        }
    }
    out
}

/// The tree as resolution needs it: the Context's file list, which is sorted by path, searched in place
/// (no map over every path: memory stays flat as the tree grows). Java's class table is built on first use.
pub(crate) struct Index<'a> {
    pub(super) config: &'a Config,
    /// Sorted by path, as `Context::files` is.
    pub(super) files: &'a [FileEntry],
    /// `(module path, directory)`, longest module first.
    pub(super) go_modules: Vec<(String, String)>,
    pub(super) rust_cfg_test: HashSet<String>,
    /// Modules named like tests that hold none (`NotATest`): production importing them is no leak.
    pub(super) not_tests: HashSet<String>,
    /// Modules named as test support that use no test framework (`PlainSupport`).
    plain_support: HashSet<String>,
    /// Whether a Spring configuration the service ships names an embedded database, and another one.
    pub(super) jdbc_embedded: bool,
    pub(super) jdbc_other: bool,
    /// Upper-case settings of Python configuration modules, by name: their default when unset.
    setting_defaults: HashMap<String, super::python_settings::Default>,
    /// Scripts named as test support that use a test framework (`TestCode`): test code wherever they are.
    test_code: HashSet<String>,
    /// Test-side TypeScript modules that declare only types (`TypesOnly`): importing one loads nothing.
    pub(super) types_only: HashSet<String>,
    /// tsconfig files by path.
    pub(super) ts_configs: HashMap<String, super::ts_build::TsConfig>,
    pub(super) dockerignores: HashMap<String, Vec<String>>,
    pub(super) image_builds: Vec<super::image_builds::ImageBuild>,
    /// package.json path → the test libraries among its development dependencies.
    pub(super) dev_test_libraries: HashMap<String, Vec<String>>,
    /// Dockerfile paths CI files name, as written.
    pub(super) dockerfiles_named: Vec<String>,
    /// Shell scripts that start a development server.
    pub(super) dev_server_scripts: HashSet<String>,
    /// CI files and scripts that run `cf push`.
    pub(super) cf_pushes: Vec<String>,
    /// Pipeline jobs that deploy archives.
    pub(super) archive_deploys: Vec<archives::ArchiveDeploy>,
    pub(super) libraries_loaded: Vec<super::manifests::LibraryLoaded>,
    /// Environment variables a deployment file sets for production.
    env_for_production: HashSet<String>,
    /// Environment variables a deployment file sets at all (to anything but a test value).
    env_set_by_deployment: HashSet<String>,
    /// Whether the repository deploys a service at all (a library's defaults are its users' to set).
    deploys: bool,
    pub(super) jvm: OnceCell<JvmIndex>,
    ruby: Reach,
    /// Submodules (keys): not walked, so what production reaches in them cannot be evaluated.
    submodules: &'a [String],
}

impl<'a> Index<'a> {
    /// `files` must be sorted by path (`Context::files` is).
    pub fn new(config: &'a Config, files: &'a [FileEntry], facts: Vec<Fact>) -> Self {
        let mut index = Index {
            config,
            files,
            go_modules: Vec::new(),
            rust_cfg_test: HashSet::new(),
            not_tests: HashSet::new(),
            plain_support: HashSet::new(),
            setting_defaults: HashMap::new(),
            jdbc_embedded: false,
            jdbc_other: false,
            test_code: HashSet::new(),
            types_only: HashSet::new(),
            ts_configs: HashMap::new(),
            dockerignores: HashMap::new(),
            image_builds: Vec::new(),
            archive_deploys: Vec::new(),
            dockerfiles_named: Vec::new(),
            dev_server_scripts: HashSet::new(),
            cf_pushes: Vec::new(),
            dev_test_libraries: HashMap::new(),
            libraries_loaded: Vec::new(),
            env_for_production: HashSet::new(),
            env_set_by_deployment: HashSet::new(),
            deploys: false,
            jvm: OnceCell::new(),
            ruby: Reach::default(),
            submodules: &[],
        };
        let mut ruby_files = Vec::new();
        for fact in facts {
            match fact {
                Fact::GoModule { dir, module } => index.go_modules.push((module, dir)),
                Fact::RustCfgTestFile { path } => {
                    index.rust_cfg_test.insert(path);
                }
                Fact::TestCode { path } => {
                    index.test_code.insert(path);
                }
                Fact::NotATest { path } => {
                    index.not_tests.insert(path);
                }
                Fact::PlainSupport { path } => {
                    index.plain_support.insert(path);
                }
                Fact::JdbcUrl { embedded } => {
                    if embedded {
                        index.jdbc_embedded = true;
                    } else {
                        index.jdbc_other = true;
                    }
                }
                Fact::SettingDefault { name, default } => {
                    use super::python_settings::Default as D;
                    // Every production assignment must agree; one that turns it on wins.
                    let merged = match index.setting_defaults.get(&name) {
                        None => default,
                        Some(&d) if d == default => d,
                        Some(&d) if d == D::On || default == D::On => D::On,
                        Some(_) => D::Unknown,
                    };
                    index.setting_defaults.insert(name, merged);
                }
                Fact::TypesOnly { path } => {
                    index.types_only.insert(path);
                }
                Fact::TsConfig(c) => {
                    index.ts_configs.insert(c.path.clone(), *c);
                }
                Fact::DockerIgnore { path, patterns } => {
                    index.dockerignores.insert(path, patterns);
                }
                Fact::RubyConstants { path, constants } => ruby_files.push((path, *constants)),
                Fact::ImageBuild(b) => index.image_builds.push(*b),
                Fact::LibraryLoaded(l) => index.libraries_loaded.push(*l),
                Fact::EnvSetForProduction { var } => {
                    index.env_for_production.insert(var);
                }
                Fact::EnvSetByDeployment { var } => {
                    index.env_set_by_deployment.insert(var);
                }
                Fact::Deploys => index.deploys = true,
                Fact::NextConfig { .. }
                | Fact::GuardedPage { .. }
                | Fact::DotnetProject(_)
                | Fact::AspNetSettings(_)
                | Fact::AspNetFlagged(_)
                | Fact::RailsGuardedController { .. }
                | Fact::RailsRoute { .. } => {}
                Fact::ArchiveDeploy(d) => index.archive_deploys.push(*d),
                Fact::DockerfileNamed { path } => index.dockerfiles_named.push(path),
                Fact::DevServerScript { path } => {
                    index.dev_server_scripts.insert(path);
                }
                Fact::CfPush { path } => index.cf_pushes.push(path),
                Fact::DevTestLibraries { path, libs } => {
                    index.dev_test_libraries.insert(path, libs);
                }
            }
        }
        index.ruby = Reach::new(ruby_files);
        index
            .go_modules
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        index
    }

    pub(super) fn class_of(&self, p: &str) -> Option<FileClass> {
        self.files
            .binary_search_by(|e| (*e.path).cmp(p))
            .ok()
            .map(|i| self.files[i].class)
    }

    pub(super) fn is_file(&self, p: &str) -> bool {
        self.class_of(p).is_some()
    }

    /// Every file under directory `dir` (the whole tree for `""`): a contiguous run of the sorted list.
    /// The test-side files at or under `dir`: (repository path, path relative to `dir`) — what an
    /// upload or publish of that directory would carry of them, before its own exclusions.
    pub(super) fn test_files_under<'d>(
        &self,
        dir: &'d str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'd
    where
        'a: 'd,
    {
        self.under_dir(dir)
            .iter()
            .filter(|e| e.class.is_test_side())
            .map(move |e| {
                let path: &'a str = &e.path;
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(path)
                    .trim_start_matches('/');
                (path, rel)
            })
    }

    /// Is the guard a Python setting (`Config.USE_LOCAL_DATA`) that every production configuration
    /// module leaves off when its environment variable is unset, read the way that keeps the code off?
    fn setting_off_by_default(&self, g: &crate::repo::reach_guard::Guard) -> bool {
        use crate::repo::reach_guard::Reads;
        let Reads::Setting { name } = &g.reads else {
            return false;
        };
        let last = name
            .rsplit(['.', '[', '"', '\''])
            .find(|s| !s.is_empty() && *s != "]")
            .unwrap_or(name);
        !g.negated && self.setting_defaults.get(last) == Some(&super::python_settings::Default::Off)
    }

    /// Does a module have a unit test of its own: a `<stem>.test.*` or `<stem>.spec.*` beside it, or in a
    /// test directory that mirrors its place (`src/__tests__/domain/x.test.ts` for `src/domain/x.ts`)?
    /// Test support is not unit-tested as a product is: `domain/test-data-csv.ts` with
    /// `__tests__/domain/test-data-csv.test.ts` is the service's own code (a parser of the test data its
    /// users upload), whatever its name says.
    fn has_own_unit_test(&self, module: &str) -> bool {
        let dir = paths::parent(module);
        let stem = paths::stem(file_name(module));
        let mirrors = |test_dir: &str| {
            let stripped: Vec<&str> = test_dir
                .split('/')
                .filter(|d| !matches!(*d, "__tests__" | "__test__" | "test" | "tests" | "spec"))
                .collect();
            let stripped = stripped.join("/");
            stripped == dir || !stripped.is_empty() && dir.ends_with(&format!("/{stripped}"))
        };
        self.files.iter().any(|e| {
            let name = file_name(&e.path);
            e.class.is_test_side()
                && name
                    .strip_prefix(stem)
                    .is_some_and(|rest| rest.starts_with(".test.") || rest.starts_with(".spec."))
                && mirrors(paths::parent(&e.path))
        })
    }

    pub(super) fn under_dir(&self, dir: &str) -> &'a [FileEntry] {
        if dir.is_empty() {
            return self.files;
        }
        let prefix = format!("{dir}/");
        let start = self.files.partition_point(|e| &*e.path < prefix.as_str());
        let len = self.files[start..].partition_point(|e| e.path.starts_with(&prefix));
        &self.files[start..start + len]
    }

    pub(super) fn is_dir(&self, dir: &str) -> bool {
        !dir.is_empty() && !self.under_dir(dir).is_empty()
    }

    /// The first candidate that exists, with its class: a file's own, or for a directory what a file
    /// directly inside it would be.
    pub(super) fn target(&self, candidates: &[String]) -> Option<(String, FileClass)> {
        for c in candidates {
            if let Some(class) = self.class_of(c) {
                return Some((c.clone(), class));
            }
            if self.is_dir(c) {
                let class = files::classify(self.config, &format!("{c}/_"))?;
                return Some((c.clone(), class));
            }
        }
        None
    }

    /// Judge one reference made by `file`.
    fn resolve(&self, file: &str, p: &Pending) -> Option<Finding> {
        if let Some(f) = self.in_a_submodule(file, p) {
            return Some(f);
        }
        match &p.want {
            Want::Path { candidates, used } => {
                let (path, class) = self.target(candidates)?;
                self.leak(file, p, *used, "imports", &path, class)
            }
            Want::PythonModule { module, alt } => {
                python::resolve_import(self, file, p, module, alt.as_deref())
            }
            Want::JsModule { base } => javascript::resolve_import(self, file, p, base),
            Want::RubyFeature { feature } => ruby::resolve_require(self, file, p, feature),
            Want::GoPackage { import } => go::resolve_package(self, file, p, import),
            Want::JvmImport { wildcard, kotlin } => {
                jvm::resolve_import(self, file, p, *wildcard, *kotlin)
            }
            Want::RustMod { candidates } => rust_lang::resolve_mod(self, file, p, candidates),
            Want::RustCrateRelative { rel, used } => {
                rust_lang::resolve_crate_relative(self, file, p, rel, *used)
            }
            Want::DockerSite(image) => docker::resolve_site(self, file, p, image),
            Want::GcloudUpload(patterns) => gcloud::resolve(self, file, p, patterns),
            Want::Publish(item) => msbuild_publish::resolve(self, file, p, item),
            Want::Archive(a) => archives::resolve_archive(self, file, p, a),
            Want::FindPackages(f) => python_packaging::resolve_find_packages(self, file, p, f),
            Want::TestDependency(dep) => manifests::resolve_test_dependency(self, file, p, dep),
            Want::TsBuild { candidates, script } => {
                super::ts_build::resolve(self, file, p, candidates, script)
            }
            // A setting production may leave unset: judged only where the repository deploys and no
            // deployment file sets it.
            Want::EnvDefault { var } => (self.deploys && !self.env_for_production.contains(var))
                .then(|| {
                    format!(
                        "`{var}` defaults to `{}` when unset: production runs that way unless its deployment sets {var} (no deployment file in the repository sets it for production)",
                        p.evidence
                    )
                })
                .map(|msg| make_finding(&NONPROD_DEFAULT, p.at.in_file(file), msg, &p.evidence)),
            Want::TestFallback { var, why } => (self.deploys
                && !self.env_set_by_deployment.contains(var))
            .then(|| {
                format!(
                    "`{var}` falls back to the test value `{}` when unset ({why}): production runs with it unless its deployment sets {var} (no deployment file in the repository sets it); set it in every deployed environment and have the service refuse to start without it",
                    p.evidence
                )
            })
            .map(|msg| make_finding(&NONPROD_DEFAULT, p.at.in_file(file), msg, &p.evidence)),
        }
    }

    /// A reference that lands in a submodule (none of its candidates in the tree, one inside a
    /// submodule): production reaches code the gate cannot read, which fails closed.
    fn in_a_submodule(&self, file: &str, p: &Pending) -> Option<Finding> {
        if self.submodules.is_empty() {
            return None;
        }
        let (candidates, _) = self.candidates(file, p)?;
        if self.target(&candidates).is_some() {
            return None;
        }
        let sub = self
            .submodules
            .iter()
            .find(|s| candidates.iter().any(|c| paths::is_under(c, s)))?;
        let msg = format!(
            "imports `{}` from the submodule `{sub}`, which the gate cannot evaluate (another repository, not walked)",
            p.evidence
        );
        let mut f = make_finding(&UNEVALUATED_REACH, p.at.in_file(file), msg, &p.evidence);
        if !self.config.scan_fail_closed {
            f.severity = crate::finding::Severity::Warning;
        }
        Some(f)
    }

    /// The repository paths a reference may land on, and how it is used; None for references that
    /// are not to one file (Go packages, Java imports, manifests).
    fn candidates(&self, file: &str, p: &Pending) -> Option<(Vec<String>, Use)> {
        Some(match &p.want {
            Want::Path { candidates, used } => (candidates.clone(), *used),
            Want::PythonModule { module, alt } => (
                python::module_candidates(self, file, module, alt.as_deref()),
                Use::Import,
            ),
            Want::JsModule { base } => (javascript::module_candidates(base), Use::Import),
            Want::RubyFeature { feature } => (ruby::feature_candidates(file, feature), Use::Import),
            _ => return None,
        })
    }

    /// The file a reference made by `file` lands on when the walk did not gate it as production: a
    /// vendored file it imports (reads and embeds of vendored files are data, not code), or a file
    /// named as docs or dev tooling that it imports or reads. Found as `resolve` finds targets: a file,
    /// not a directory.
    fn reached_target(&self, file: &str, p: &Pending) -> Option<(String, How)> {
        let (candidates, used) = self.candidates(file, p)?;
        let (path, class) = self.target(&candidates)?;
        if !self.is_file(&path) {
            return None;
        }
        // A stand-in is production's only where the file uses it with no condition.
        if used == Use::Import && self.is_stand_in(file, &path, class) {
            return (matches!(p.uses.as_deref(), Some(Uses::Unguarded { .. }))
                && !self.is_story(file))
            .then_some((path, How::Named(class)));
        }
        // An API description (OpenAPI, Swagger) production serves is documentation wherever it is
        // served from: its `example` values are examples.
        if class == FileClass::Docs && is_api_description(&path) {
            return None;
        }
        match class {
            FileClass::Vendor if matches!(used, Use::Import | Use::Run) => {
                Some((path, How::Vendored))
            }
            FileClass::Docs | FileClass::DevConfig | FileClass::Other => {
                Some((path, How::Named(class)))
            }
            _ => None,
        }
    }

    /// A finding if `class` is test-side.
    pub(super) fn leak(
        &self,
        file: &str,
        p: &Pending,
        used: Use,
        verb: &str,
        path: &str,
        class: FileClass,
    ) -> Option<Finding> {
        // A module of nothing but types (interfaces for the test helpers): the compiler erases it, so
        // importing or re-exporting it loads no test code.
        if used == Use::Import && self.types_only.contains(path) {
            return None;
        }
        // A stand-in (mock, stub, fake by its name) imported by JavaScript, Python or Ruby: judged by
        // how the file uses it.
        if used == Use::Import && self.is_stand_in(file, path, class) {
            return self.stand_in(file, p, path);
        }
        // A script named as test support that uses a test framework is test code wherever it sits.
        let class = if !class.is_test_side() && self.test_code.contains(path) {
            FileClass::Test
        } else {
            class
        };
        if !class.is_test_side()
            || self.not_tests.contains(path)
            || self.plain_support.contains(path) && self.has_own_unit_test(path)
        {
            return None;
        }
        // A Ruby class only environment-guarded code reaches (a dev or review-app seeder).
        if self.ruby.only_outside_production(file, p.at.start) {
            return None;
        }
        let what = class_word(class);
        // Imported test code whose every use sits behind a flag that is off by default, or behind the
        // environment's name, is guarded like a test route: a note naming the flag, or nothing.
        let guarded_use = matches!(used, Use::Import | Use::Read);
        let guard = match p.uses.as_deref() {
            Some(Uses::OutsideProduction) if guarded_use => return None,
            Some(Uses::Guarded(g)) if guarded_use && g.reads_configuration() => Some((
                g.on_by_default() == Some(false) || self.setting_off_by_default(g),
                g,
            )),
            _ => None,
        };
        let (rule, msg) = match used {
            Use::Import if class == FileClass::Fixture => {
                (&FIXTURE_IMPORT, format!("{verb} `{path}` ({what})"))
            }
            Use::Import => (&TEST_IMPORT, format!("{verb} `{path}` ({what})")),
            Use::Read => (
                &FIXTURE_READ,
                format!("reads `{path}` ({what}) at run time"),
            ),
            Use::Embed => (
                &FIXTURE_READ,
                format!("embeds `{path}` ({what}) into the build"),
            ),
            Use::Run => (
                &TEST_IMPORT,
                format!("runs `{path}` ({what}) in production"),
            ),
        };
        let mut f = make_finding(rule, p.at.in_file(file), msg, &p.evidence);
        if let Some((off, g)) = guard {
            let then = if off && self.setting_off_by_default(g) {
                "the configuration production loads leaves it off unless its environment variable is set: production must keep it off"
            } else if off {
                "off unless production sets it: production must keep it off"
            } else {
                "production must keep it off"
            };
            f.message = format!("{} — used only {g}: {then}", f.message);
            f.severity = if off {
                Severity::Note
            } else {
                Severity::Warning
            };
        }
        Some(f)
    }

    /// Is `target` a stand-in that an importer in JavaScript, Python or Ruby uses: a module test-side
    /// only because it sits in a `mock/`, `fake/`, `stubs/` or `dummy/` directory, or dev code only
    /// because its name says it stands in (`notify_stub.py`, `fake_dvla.rb`, `mocks.ts`)? How the
    /// importing file uses it decides (`stand_ins`): undici's `lib/mock/` is a public API its index
    /// re-exports; an app's `src/mocks/` loaded by a development-only branch is dev code; one used with
    /// no condition runs in production. A class the user's `[paths]` gave is never second-guessed, and
    /// anything under `tests/`, `__mocks__/` or `fixtures/` is judged as test code.
    fn is_stand_in(&self, importer: &str, target: &str, class: FileClass) -> bool {
        const MOCK_DIRS: &[&str] = &["mock", "mocks", "fake", "fakes", "stubs", "dummy"];
        let lang = paths::extension(file_name(importer));
        if !matches!(
            lang,
            "py" | "js"
                | "mjs"
                | "cjs"
                | "jsx"
                | "ts"
                | "tsx"
                | "mts"
                | "cts"
                | "rb"
                | "vue"
                | "svelte"
        ) || self.config.paths.lookup(target).is_some()
        {
            return false;
        }
        if class == FileClass::DevConfig {
            return paths::stem(file_name(target))
                .split(['_', '-', '.'])
                .any(|w| {
                    matches!(
                        w.to_ascii_lowercase().as_str(),
                        "mock"
                            | "mocks"
                            | "mocked"
                            | "fake"
                            | "fakes"
                            | "stub"
                            | "stubs"
                            | "stubbed"
                            | "dummy"
                    )
                });
        }
        if !class.is_test_side() {
            return false;
        }
        let dirs: Vec<&str> = parent(target)
            .split('/')
            .filter(|d| !d.is_empty())
            .collect();
        let mocky = dirs
            .iter()
            .any(|d| MOCK_DIRS.contains(&d.to_ascii_lowercase().as_str()));
        let otherwise_test = dirs.iter().any(|d| {
            !MOCK_DIRS.contains(&d.to_ascii_lowercase().as_str())
                && classify_default(&format!("{d}/_")).is_test_side()
        }) || classify_default(file_name(target)).is_test_side();
        mocky && !otherwise_test
    }

    /// Is `file` a component's story: named `<Component>Story.*` or `<Component>Stories.*` beside the
    /// component (`AddUserFormStory.svelte.ts` next to `AddUserForm.svelte`)?
    fn is_story(&self, file: &str) -> bool {
        let name = file_name(file);
        let first = name.split('.').next().unwrap_or(name);
        let Some(component) = first
            .strip_suffix("Story")
            .or_else(|| first.strip_suffix("Stories"))
            .filter(|c| !c.is_empty())
        else {
            return false;
        };
        // The component beside it: `AddUserForm.svelte`, or one whose name it starts
        // (`DeleteUserForm.svelte` for `DeleteUserStory`).
        let dir = parent(file);
        let prefix = paths::under(dir, component);
        let start = self.files.partition_point(|e| *e.path < *prefix.as_str());
        self.files[start..]
            .iter()
            .take_while(|e| e.path.starts_with(&prefix))
            .any(|e| {
                let rest = &e.path[prefix.len()..];
                !rest.contains('/')
                    && matches!(
                        rest.rsplit('.').next().unwrap_or(""),
                        "svelte" | "vue" | "tsx" | "jsx" | "astro"
                    )
            })
    }

    /// The finding for an import of the stand-in `target`, by how the file uses it.
    fn stand_in(&self, file: &str, p: &Pending, target: &str) -> Option<Finding> {
        // A component's story (`ButtonStory.svelte.ts` beside `Button.svelte`) renders it with made-up
        // data for development: its stand-ins are the story's.
        if self.is_story(file) {
            return None;
        }
        let (severity, how) = match p.uses.as_deref() {
            None | Some(Uses::Exported | Uses::OutsideProduction) => return None,
            Some(Uses::Unguarded { line }) => (
                Severity::Error,
                format!("with no condition (line {line}): it runs in production"),
            ),
            Some(Uses::InFunction { line }) => (
                Severity::Warning,
                format!(
                    "with no condition in this file, inside a function (line {line}): production runs it whenever that function is called"
                ),
            ),
            Some(Uses::NoRunningUse { line }) => (
                Severity::Warning,
                format!("(imported at line {line}; no use here that runs it: check where it is chosen)"),
            ),
            Some(Uses::Guarded(g)) => {
                let on = g.on_by_default() == Some(true);
                let severity = if on {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                let then = if on {
                    "it is on unless production sets the flag otherwise"
                } else {
                    "production must keep it off"
                };
                (severity, format!("chosen {g}: {then}"))
            }
        };
        let mut msg =
            format!("uses the stand-in `{target}` (a mock, stub or fake by its name) {how}");
        // A stand-in logger (`DummyLogger`, `fake_logger.py`) silences logs and fakes nothing the
        // service's answers depend on: shown as a note, never dropped.
        let severity = if file_name(target).to_ascii_lowercase().contains("logger") {
            msg.push_str(" — a stand-in logger: it silences logging and fakes no data or service");
            Severity::Note
        } else {
            severity
        };
        let mut f = make_finding(&STAND_IN, p.at.in_file(file), msg, &p.evidence);
        f.severity = severity;
        Some(f)
    }
}

/// `swagger/v1/api_spec.json`, `openapi.yaml`, `docs/openapi/…`: an API's published description.
fn is_api_description(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = file_name(&lower);
    lower
        .split('/')
        .any(|d| matches!(d, "openapi" | "swagger" | "api-docs" | "apidocs"))
        || name.starts_with("openapi.")
        || name.starts_with("swagger.")
}

/// Resolving one reference in a small tree, for the unit tests here and in the language modules.
#[cfg(test)]
pub(crate) mod testing {
    use super::super::{Fact, Pending, Pos, Want};
    use super::Index;
    use crate::config::Config;
    use crate::repo::classify::classify_default;
    use crate::repo::files::FileEntry;

    fn entries(paths: &[&str]) -> Vec<FileEntry> {
        let mut sorted = paths.to_vec();
        sorted.sort_unstable();
        sorted
            .iter()
            .map(|p| FileEntry {
                path: (*p).into(),
                class: classify_default(p),
                lang: crate::repo::classify::Lang::Other,
                size: 1,
            })
            .collect()
    }

    /// Resolve one reference (`evidence`, `want`) made by `importer` in a tree of `files`.
    pub(crate) fn judge(
        files: &[&str],
        facts: Vec<Fact>,
        importer: &str,
        evidence: &str,
        want: Want,
    ) -> Option<(String, String)> {
        let config = Config::default();
        let e = entries(files);
        let index = Index::new(&config, &e, facts);
        let p = Pending {
            at: Pos {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 2,
                start: 0,
                end: 1,
            },
            evidence: evidence.into(),
            want,
            uses: None,
        };
        index.resolve(importer, &p).map(|f| (f.rule, f.message))
    }

    pub(crate) fn rule(found: Option<(String, String)>) -> Option<String> {
        found.map(|f| f.0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Want;
    use super::testing::judge;

    #[test]
    fn mocking_apis_are_features() {
        // A library's mocking API (undici's lib/mock) is a feature.
        let mock = Want::JsModule {
            base: "lib/mock/mock-agent".into(),
        };
        assert_eq!(
            judge(&["lib/mock/mock-agent.js"], vec![], "index.js", "e", mock),
            None
        );
    }
}
