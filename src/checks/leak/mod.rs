//! Rule family `leak/…`: the paths by which test code and fixtures get into production — imports of test
//! modules, reads of fixture files, test libraries in production code and dependencies, and artefacts
//! (Docker images, packages) that ship tests. Marker rules (`data/…`) catch test *data*; these catch the
//! *routes* it takes.
//!
//! # Two phases: collect during the walk, resolve after it
//!
//! Whether `from tests.factories import x` is a leak depends on where `tests/factories.py` is and how it is
//! classified; whether `import com.acme.OwnerFixtures;` is one depends on every Java file in the tree. The
//! walk reads each file once, in parallel, before the file index is complete — so a reference cannot be
//! judged where it is found. [`LeakCheck`] therefore has two halves:
//!
//! 1. as a [`FileCheck`] it runs inside the walk on each file's bytes, and a per-language extractor turns
//!    them into an [`Extracted`]: findings that the file alone decides (a test library imported by
//!    production code, a Dockerfile's final stage copying `tests/`), [`Pending`] references with their
//!    exact spans, and [`Fact`]s other files' references need (a `go.mod`'s module path, a
//!    `.dockerignore`). Extractors are pure functions of (path, class, bytes), unit-tested per language.
//! 2. as a registry file stage it is finished once on the complete file index: it builds an [`resolve::Index`] from the
//!    file list and the facts, and resolves each pending reference against the path classification
//!    (`files::classify`), keeping the ones that land on test code or fixtures.
//!
//! The alternative, a separate repository check re-reading files after the walk, would break the design's
//! "read each file once" rule; a thread-safe collector inside the walk keeps it. The collector takes one
//! lock per file that yields something, and keeps only references that could resolve to test code (a cheap
//! word filter at walk time), so memory stays proportional to the suspicious references, not to the tree.

mod anchors;
mod archives;
mod aspnet;
mod bundler;
mod defaults;
mod docker;
mod dotnet_projects;
mod factories;
mod gcloud;
mod go;
mod gradle;
mod hapi;
mod image_builds;
mod image_installs;
mod javascript;
mod jvm;
mod libraries;
mod manifests;
mod maven;
mod msbuild_publish;
mod next_pages;
mod node_config;
mod nuget;
pub(crate) mod paths;
mod python;
mod python_packaging;
mod python_settings;
mod rails_controllers;
mod reach_rules;
mod resolve;
mod roots;
mod routes;
mod ruby;
mod ruby_reach;
mod rule_docs;
mod rust_lang;
mod sbt;
mod spring_datasource;
mod spring_routes;
mod stand_ins;
mod test_fallbacks;
mod tokens;
mod ts_build;
mod ts_types;
mod xml_events;

pub use reach_rules::UNEVALUATED_REACH;
pub use rule_docs::RULES;
/// A Dockerfile the gate could not follow: an evaluation failure (exit code 2), not a finding.
pub const DOCKERFILE_NOT_EVALUATED: &str = docker::DOCKERFILE_NOT_EVALUATED.id;

use crate::config::Config;
use crate::finding::{FileSpan, Finding, Location};
use crate::repo::classify::{FileClass, Lang};
use crate::repo::files::{FileCheck, FileEntry};
use crate::repo::lexer::{self, Syntax};
use crate::repo::reach::Reached;
use crate::repo::scopes::{self, Scope};
use crate::repo::text::LineIndex;
use crate::rules::CodeRule;
use std::ops::Range;
use std::sync::Mutex;

/// The leak check: a file check that collects, and a repository check that resolves.
pub struct LeakCheck {
    /// Its own copy: the walk-time filter honours the user's `[paths]` globs, and the Context takes the
    /// original once the walk is done.
    config: Config,
    collected: Mutex<Vec<Extracted>>,
    /// The submodules git tracks (told before the walk): references into them cannot be evaluated.
    submodules: std::sync::OnceLock<Vec<String>>,
}

impl LeakCheck {
    pub fn new(config: &Config) -> Self {
        LeakCheck {
            config: config.clone(),
            collected: Mutex::new(Vec::new()),
            submodules: std::sync::OnceLock::new(),
        }
    }
}

impl FileCheck for LeakCheck {
    fn wants(&self, file: &FileEntry) -> bool {
        Kind::of(file).is_some()
    }

    fn reached(&self, files: &[FileEntry]) -> Vec<Reached> {
        LeakCheck::reached(self, files)
    }

    fn submodules(&self, paths: &[String]) {
        let _ = self.submodules.set(paths.to_vec());
    }

    fn check(&self, file: &FileEntry, content: &[u8], out: &mut Vec<Finding>) {
        let Some(kind) = Kind::of(file) else { return };
        let submodules = self.submodules.get().map_or(&[][..], Vec::as_slice);
        let mut extracted = extract(&self.config, submodules, kind, file, content);
        let loaded =
            manifests::LibraryLoaded::of(&file.path, &extracted.findings, &extracted.facts);
        extracted.facts.extend(loaded);
        out.append(&mut extracted.findings);
        if !extracted.pending.is_empty() || !extracted.facts.is_empty() {
            self.collected
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(extracted);
        }
    }
}

impl LeakCheck {
    /// Resolve the references collected so far against `files` (sorted by path), and start afresh.
    pub fn resolve(&self, config: &Config, files: &[FileEntry]) -> Vec<Finding> {
        let collected =
            std::mem::take(&mut *self.collected.lock().unwrap_or_else(|p| p.into_inner()));
        let submodules = self.submodules.get().map_or(&[][..], Vec::as_slice);
        resolve::resolve_all(config, files, submodules, collected)
    }

    /// Does the file state a fact that other files' references are resolved with (`go.mod`'s module
    /// path, `.dockerignore`, a `#![cfg(test)]` Rust test module, the classes a Ruby file uses)? A check of only the changed files (the
    /// pre-push hook) must still read these, or a reference that they make legitimate would be reported.
    pub fn states_facts(file: &FileEntry) -> bool {
        matches!(
            Kind::of(file),
            Some(
                Kind::DockerIgnore
                    | Kind::NextConfig
                    | Kind::NextPageTest
                    | Kind::Workflow
                    | Kind::Pipeline
                    | Kind::ShellScript
                    | Kind::Compose
                    | Kind::Dockerfile
                    | Kind::DeployEnv
                    | Kind::Ruby
                    | Kind::RustTestModule
                    | Kind::DotnetTestProject
                    | Kind::AspNetSettings
                    | Kind::Manifest(manifests::ManifestKind::DotnetProject)
                    | Kind::NamedTest
                    | Kind::Factory
                    | Kind::TestTypes
                    | Kind::TsConfig
                    | Kind::Manifest(manifests::ManifestKind::GoMod)
                    | Kind::Manifest(manifests::ManifestKind::PackageJson)
            )
        )
    }
}

/// Could this file build or name Dockerfiles: a workflow, another CI file, a production compose file?
pub fn names_dockerfiles(file: &FileEntry) -> bool {
    // Only these classes can be such files (see `Kind::of`): asked of every file, so the class first.
    matches!(
        file.class,
        FileClass::Ci | FileClass::Config | FileClass::Other | FileClass::Deploy
    ) && matches!(
        Kind::of(file),
        Some(Kind::Workflow | Kind::Pipeline | Kind::Compose)
    )
}

/// The Dockerfiles such a file builds or names, as the Docker rules read them (for the test-data
/// check's judgement of development images).
pub fn dockerfiles_named_by(file: &FileEntry, content: &[u8]) -> Vec<String> {
    let config = Config::default();
    let src = Source::new(&config, &file.path, content, Syntax::Hash);
    let mut out = Extracted::default();
    match Kind::of(file) {
        Some(Kind::Workflow) => {
            image_builds::extract_workflow(&src, &mut out);
            image_builds::dockerfiles_named(&src, &mut out);
        }
        Some(Kind::Pipeline) => image_builds::dockerfiles_named(&src, &mut out),
        Some(Kind::Compose) => image_builds::extract_compose(&src, &mut out),
        _ => {}
    }
    out.facts
        .into_iter()
        .filter_map(|f| match f {
            Fact::ImageBuild(b) => Some(b.dockerfile),
            Fact::DockerfileNamed { path } => Some(path),
            _ => None,
        })
        .collect()
}

impl LeakCheck {
    /// The files production code collected so far reaches (imports, requires, reads) that the walk did
    /// not gate as production, sorted and once each: vendored files (`vendor/`, `node_modules/`, … or
    /// `[paths] vendor`) it imports, and files named as docs, examples or dev tooling it imports or
    /// reads. Anything production reaches is production whatever its name. What a vendored file
    /// imports in turn is its upstream's concern; what a reached file of this repository imports is
    /// followed (the walk asks again after reading it).
    pub fn reached(&self, files: &[FileEntry]) -> Vec<Reached> {
        let collected = self.collected.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = resolve::reached(&self.config, files, &collected);
        let projects: Vec<&dotnet_projects::Project> = collected
            .iter()
            .flat_map(|e| &e.facts)
            .filter_map(|f| match f {
                Fact::DotnetProject(p) => Some(&**p),
                _ => None,
            })
            .collect();
        let known: std::collections::HashSet<String> = out.iter().map(|r| r.path.clone()).collect();
        out.extend(
            dotnet_projects::reached(&self.config, files, &projects)
                .into_iter()
                .filter(|r| !known.contains(&r.path)),
        );
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

/// Which extractor a file goes to. Only production-side files are read for references (a test file may
/// import whatever it likes: that is the legitimate twin of every rule here), plus the few test-side and
/// dot-files whose facts production references need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Python,
    JavaScript,
    Go,
    Rust,
    Jvm,
    Ruby,
    /// C# production code: ASP.NET test-support controllers and routes.
    CSharp,
    /// A .NET project file classified as test-side (`Api.Tests/Api.Tests.csproj`): what it is and what it
    /// references decide which projects are test projects (`dotnet_projects`).
    DotnetTestProject,
    /// A Rust file classified as test code inside a `src/` tree: `mod tests;` may point at it, and whether
    /// it starts with `#![cfg(test)]` decides whether that is a leak.
    RustTestModule,
    /// A Python or JavaScript/TypeScript module that is test code by its name alone (`means_test.py`, a
    /// legal-aid means test; `test-language.ts`, the language of a driving test being booked): whether
    /// it holds any test decides whether importing it is a leak.
    NamedTest,
    /// A JavaScript, Python or Ruby module of a `factories/` directory among production sources: a
    /// fixture by its place alone, and test data only when it uses a test-data library.
    Factory,
    Dockerfile,
    DockerIgnore,
    /// A workflow, or a production compose file: the image builds it declares.
    Workflow,
    Compose,
    Manifest(manifests::ManifestKind),
    /// An extensionless program in a `bin/` directory (`bin/www`, an Express app's entry point): its
    /// `#!` line says which language it is.
    Script,
    /// A Play routes file production loads (`conf/prod.routes`, `conf/routes`).
    PlayRoutes,
    /// A Play configuration file (`conf/application.conf`): which router it selects, stubs it turns on.
    PlayConf,
    /// Other production configuration: stubs or mocks it switches on.
    Config,
    /// ASP.NET's `appsettings.json` / `appsettings.Production.json`: also the flags production loads.
    AspNetSettings,
    /// A deployment file (manifests, platform config, Procfile): the environment it sets.
    DeployEnv,
    /// What a Google Cloud or Cloud Foundry source upload leaves out (`.gcloudignore`, `.cfignore`).
    GcloudIgnore,
    /// An Azure Pipelines file or template, or another CI file (a Jenkinsfile): the archives it makes
    /// and deploys, and the Dockerfiles it names.
    Pipeline,
    /// A shell script of the repository: whether it starts a development server (an image's entry
    /// point that does is a developer's image).
    ShellScript,
    /// A Next.js `next.config.*`: whether it narrows which files under `pages/` are routes.
    NextConfig,
    /// A test file under a `pages/` directory: the guard its handler opens with, if any.
    NextPageTest,
    /// A test-side TypeScript module (not a runner's `*.test.ts`): whether it declares only types, which
    /// the compiler erases (`test-helpers/index.ts` holding the helpers' interfaces).
    TestTypes,
    /// A `tsconfig*.json`: what a TypeScript build compiles, and into which directory.
    TsConfig,
}

impl Kind {
    fn of(file: &FileEntry) -> Option<Kind> {
        let name = paths::file_name(&file.path);
        if next_pages::is_next_config(name) && !file.class.is_test_side() {
            return Some(Kind::NextConfig);
        }
        if file.class == FileClass::Test
            && matches!(file.lang, Lang::JavaScript | Lang::TypeScript)
            && next_pages::under_pages(&file.path)
        {
            return Some(Kind::NextPageTest);
        }
        if name == ".dockerignore" || name.ends_with(".dockerignore") {
            return Some(Kind::DockerIgnore);
        }
        if name == ".gcloudignore" || name == ".cfignore" {
            return Some(Kind::GcloudIgnore);
        }
        if file.class == FileClass::Manifest {
            return manifests::ManifestKind::of(name).map(Kind::Manifest);
        }
        if file.class.is_test_side() && name.ends_with(".csproj") {
            return Some(Kind::DotnetTestProject);
        }
        // `build.sbt`, `project/AppDependencies.scala`, `requirements/base.txt`: manifests by place.
        if !file.class.is_test_side() && file.class != FileClass::Vendor {
            if let Some(m) = manifests::ManifestKind::of_path(&file.path) {
                return Some(Kind::Manifest(m));
            }
        }
        if file.class == FileClass::Ci && crate::repo::workflows::is_workflow_path(&file.path) {
            return Some(Kind::Workflow);
        }
        if file.class == FileClass::Ci
            || matches!(file.class, FileClass::Config | FileClass::Other)
                && archives::is_pipeline_file(&file.path)
        {
            return Some(Kind::Pipeline);
        }
        if file.class == FileClass::Deploy
            && (name.starts_with("docker-compose") || name.starts_with("compose."))
        {
            return Some(Kind::Compose);
        }
        if file.class == FileClass::Deploy && docker::is_dockerfile(name) {
            return Some(Kind::Dockerfile);
        }
        if file.class == FileClass::Deploy
            || file.class == FileClass::DevConfig && is_helm_partial(&file.path)
        {
            return Some(Kind::DeployEnv);
        }
        if file.lang == Lang::Rust
            && file.class.is_test_side()
            && (file.path.starts_with("src/") || file.path.contains("/src/"))
        {
            return Some(Kind::RustTestModule);
        }
        // Only a test by the naming convention alone: a class the user's `[paths]` gave is never
        // second-guessed.
        // The cheap tests first: every file of a test tree comes here.
        // A script named as test support beside production code (`src/domain/test-data-csv.ts`) too:
        // what it holds, and whether it has a unit test of its own, decide.
        if file.class == FileClass::Test
            && match file.lang {
                Lang::Python => true,
                Lang::JavaScript | Lang::TypeScript => {
                    javascript::named_like_a_test(&file.path)
                        || javascript::named_as_test_support(&file.path)
                }
                _ => false,
            }
            && crate::repo::classify::classify_default(&file.path) == FileClass::Test
            && !crate::repo::classify::classify_default(&format!("{}/_", paths::parent(&file.path)))
                .is_test_side()
        {
            return Some(Kind::NamedTest);
        }
        // A script that is a test only by a compound directory name (`app/_components/smoke-tests/`):
        // judged by what it holds, as a compound file name is.
        if file.class == FileClass::Test
            && matches!(file.lang, Lang::JavaScript | Lang::TypeScript)
            && crate::repo::classify::classify_default(&file.path) == FileClass::Test
            && javascript::test_only_by_compound_dir(&file.path)
        {
            return Some(Kind::NamedTest);
        }
        // Only a fixture by the `factories/` convention: a class the user's `[paths]` gave stands.
        if file.class == FileClass::Fixture
            && matches!(
                file.lang,
                Lang::JavaScript | Lang::TypeScript | Lang::Python | Lang::Ruby
            )
            && paths::is_factories_module(&file.path)
            && crate::repo::classify::classify_default(&file.path) == FileClass::Fixture
        {
            return Some(Kind::Factory);
        }
        if file.class.is_test_side()
            && file.lang == Lang::TypeScript
            && ts_types::may_declare_only_types(name)
        {
            return Some(Kind::TestTypes);
        }
        if file.class == FileClass::Other && file.lang == Lang::Other && is_bin_script(&file.path) {
            return Some(Kind::Script);
        }
        if ts_build::is_tsconfig(name)
            && !file.class.is_test_side()
            && file.class != FileClass::Vendor
        {
            return Some(Kind::TsConfig);
        }
        if file.class == FileClass::Config && paths::file_name(paths::parent(&file.path)) == "conf"
        {
            if name == "routes" || name.ends_with(".routes") {
                return Some(Kind::PlayRoutes);
            }
            if name.ends_with(".conf") {
                return Some(Kind::PlayConf);
            }
        }
        if file.class == FileClass::Config {
            if aspnet::is_settings_file(name) {
                return Some(Kind::AspNetSettings);
            }
            return Some(Kind::Config);
        }
        // A Spring profile's settings (`application-dev.yml`): read only for the databases it names.
        if file.class == FileClass::DevConfig && spring_datasource::is_spring_config(name) {
            return Some(Kind::Config);
        }
        if paths::extension(name) == "sh"
            && !file.class.is_test_side()
            && file.class != FileClass::Vendor
        {
            return Some(Kind::ShellScript);
        }
        // Production code, migrations (they run against the live database) and single-file components.
        let importer = matches!(file.class, FileClass::Code | FileClass::Migration)
            || file.class == FileClass::Template
                && matches!(paths::extension(name), "vue" | "svelte" | "astro");
        if !importer {
            return None;
        }
        match file.lang {
            Lang::Python => Some(Kind::Python),
            Lang::JavaScript | Lang::TypeScript => Some(Kind::JavaScript),
            Lang::Go => Some(Kind::Go),
            Lang::Rust => Some(Kind::Rust),
            Lang::Java | Lang::Kotlin | Lang::Scala => Some(Kind::Jvm),
            Lang::Ruby => Some(Kind::Ruby),
            Lang::CSharp => Some(Kind::CSharp),
            _ if file.class == FileClass::Template => Some(Kind::JavaScript),
            _ => None,
        }
    }

    /// Source code, whose blocks can be scoped to an environment (manifests and Dockerfiles cannot).
    fn is_code(self) -> bool {
        matches!(
            self,
            Kind::Python
                | Kind::JavaScript
                | Kind::Go
                | Kind::Rust
                | Kind::Jvm
                | Kind::Ruby
                | Kind::Script
        )
    }

    fn syntax(self, lang: Lang) -> Syntax {
        match self {
            Kind::Python => Syntax::Python,
            Kind::Ruby => Syntax::Ruby,
            Kind::Rust | Kind::RustTestModule => Syntax::Rust,
            Kind::Go => Syntax::Go,
            Kind::JavaScript | Kind::Jvm | Kind::CSharp => Syntax::CLike,
            Kind::NamedTest if lang == Lang::Python => Syntax::Python,
            Kind::NamedTest | Kind::TestTypes | Kind::TsConfig => Syntax::CLike,
            _ => Syntax::Hash,
        }
    }
}

/// A Helm chart's template partial (`helm_deploy/app/templates/_envs.tpl`): named like a template to
/// fill in, but the chart's manifests include it, so the environment it sets is the deployment's — as
/// a YAML manifest beside it would be.
fn is_helm_partial(path: &str) -> bool {
    let dir = paths::parent(path);
    paths::extension(paths::file_name(path)) == "tpl"
        && paths::file_name(dir) == "templates"
        && crate::repo::classify::classify_default(&format!("{dir}/manifest.yaml"))
            == FileClass::Deploy
}

/// `bin/www`, `app/bin/server`: a file without an extension directly in a `bin` directory.
fn is_bin_script(path: &str) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    paths::file_name(dir) == "bin" && !name.contains('.') && !name.is_empty()
}

/// The language a `#!` line names, for the extractors that read it.
fn script_kind(content: &[u8]) -> Option<Kind> {
    let first = content.split(|b| *b == b'\n').next()?.strip_prefix(b"#!")?;
    let words = first.split(|b| matches!(b, b' ' | b'\t' | b'/' | b'\r'));
    for w in words {
        match w {
            b"node" | b"nodejs" | b"ts-node" | b"tsx" | b"bun" | b"deno" => {
                return Some(Kind::JavaScript)
            }
            w if w.starts_with(b"python") => return Some(Kind::Python),
            b"ruby" => return Some(Kind::Ruby),
            _ => {}
        }
    }
    None
}

fn extract(
    config: &Config,
    submodules: &[String],
    kind: Kind,
    file: &FileEntry,
    content: &[u8],
) -> Extracted {
    let kind = match kind {
        Kind::Script => match script_kind(content) {
            Some(k) => k,
            None => {
                return Extracted {
                    path: file.path.to_string(),
                    ..Extracted::default()
                }
            }
        },
        k => k,
    };
    let mut src = Source::new(config, &file.path, content, kind.syntax(file.lang));
    src.submodules = submodules;
    let mut out = Extracted {
        path: file.path.to_string(),
        ..Extracted::default()
    };
    match kind {
        Kind::Python => python::extract(&mut src, &mut out),
        Kind::JavaScript => {
            javascript::extract(&mut src, &mut out);
            // A page named for testing is read for its guard like a test under `pages/`.
            if next_pages::may_be_test_page(&file.path) {
                next_pages::extract_page(&src, &mut out);
            }
        }
        Kind::Go => go::extract(&mut src, &mut out),
        Kind::Rust => rust_lang::extract(&mut src, &mut out),
        Kind::RustTestModule => rust_lang::extract_test_module(&src, &mut out),
        Kind::NamedTest if file.lang == Lang::Python => python::extract_named_test(&src, &mut out),
        Kind::NamedTest => javascript::extract_named_test(&src, &mut out),
        Kind::Factory => factories::extract(&src, file.lang, &mut out),
        Kind::TestTypes => ts_types::extract(&src, &mut out),
        Kind::TsConfig => {
            ts_build::extract_config(&mut src, &mut out);
            if file.class == FileClass::Config {
                defaults::extract_config(&mut src, &mut out);
                defaults::development_hosts(&mut src, &mut out);
            }
        }
        Kind::Jvm => jvm::extract(&mut src, &mut out),
        Kind::Ruby => ruby::extract(&mut src, &mut out),
        Kind::Dockerfile => {
            docker::extract(&mut src, &mut out);
            defaults::deployment_env(&src, &mut out);
            defaults::example_config_installed(&mut src, &mut out);
            roots::dockerfile(&mut src, &mut out);
        }
        Kind::DockerIgnore => docker::extract_ignore(&src, &mut out),
        Kind::NextConfig => next_pages::extract(&src, &mut out),
        Kind::NextPageTest => next_pages::extract_page(&src, &mut out),
        Kind::GcloudIgnore => gcloud::extract(&mut src, &mut out),
        Kind::Workflow => {
            gcloud::cf_push(&src, &mut out);
            image_builds::extract_workflow(&src, &mut out);
            image_builds::dockerfiles_named(&src, &mut out);
            archives::extract(&mut src, &mut out);
        }
        Kind::Pipeline => {
            gcloud::cf_push(&src, &mut out);
            image_builds::dockerfiles_named(&src, &mut out);
            archives::extract(&mut src, &mut out);
            if file.class == FileClass::Config {
                defaults::extract_config(&mut src, &mut out);
            }
        }
        Kind::Compose => image_builds::extract_compose(&src, &mut out),
        // Read by the routes below.
        Kind::CSharp => {}
        Kind::DotnetTestProject => {
            // Only what the project is: a test project's test libraries are its own business.
            let _ = nuget::project(&mut src, &mut out);
            out.findings.clear();
            out.pending.clear();
        }
        Kind::Manifest(m) => {
            manifests::extract(m, &mut src, &mut out);
            if m == manifests::ManifestKind::PackageJson {
                roots::package_json(&mut src, &mut out);
                ts_build::extract_build(&mut src, &mut out);
            }
        }
        Kind::PlayRoutes => routes::play_routes(&mut src, &mut out),
        Kind::PlayConf => {
            routes::play_conf(&mut src, &mut out);
            defaults::extract_config(&mut src, &mut out);
        }
        Kind::Config | Kind::AspNetSettings => {
            if kind == Kind::AspNetSettings {
                out.facts.extend(aspnet::settings(&file.path, content));
            }
            spring_datasource::extract(&src, &mut out);
            if file.class == FileClass::DevConfig {
                return out;
            }
            defaults::buildpack_env(&src, &mut out);
            defaults::extract_config(&mut src, &mut out);
            defaults::development_hosts(&mut src, &mut out);
        }
        Kind::ShellScript => {
            docker::dev_server_script(&src, &mut out);
            gcloud::cf_push(&src, &mut out);
        }
        Kind::DeployEnv => {
            if paths::extension(&file.path) == "sh" {
                docker::dev_server_script(&src, &mut out);
                gcloud::cf_push(&src, &mut out);
            }
            defaults::deployment_env(&src, &mut out);
            defaults::buildpack_env(&src, &mut out);
            if paths::file_name(&file.path).eq_ignore_ascii_case("procfile") {
                roots::procfile(&mut src, &mut out);
            }
        }
        Kind::Script => {}
    }
    // The file's regions that only run outside production, once per file, when anything needs them.
    let regions = if kind == Kind::Ruby
        || kind.is_code() && !(out.pending.is_empty() && out.findings.is_empty())
    {
        scopes::non_production_regions(content)
    } else {
        Vec::new()
    };
    if kind.is_code() {
        drop_non_production_scopes(content, &regions, &mut out);
    }
    // Test-support routes: judged by their own guards (a guarded route is a note naming the flag).
    let route_lang = match kind {
        Kind::Python => Some(routes::Lang::Python),
        Kind::JavaScript => Some(routes::Lang::JavaScript),
        Kind::Ruby => Some(routes::Lang::Ruby),
        Kind::CSharp => Some(routes::Lang::CSharp),
        _ => None,
    };
    // One pass says which of the reach detectors can find anything here.
    let anchors = if route_lang.is_some() || kind == Kind::Jvm {
        anchors::of(content)
    } else {
        anchors::Anchors::default()
    };
    // ASP.NET's actions are read whatever their words: a debugging echo or a flag-gated reset holds none.
    if let Some(lang) = route_lang.filter(|l| anchors.test_words || *l == routes::Lang::CSharp) {
        routes::extract(&mut src, &mut out, lang);
    }
    // Spring handlers: a test path, a test controller or a description that says "for testing".
    if kind == Kind::Jvm && anchors.test_words {
        spring_routes::extract(&mut src, &mut out);
    }
    let stand_in_lang = match kind {
        Kind::Python => Some(stand_ins::Lang::Python),
        Kind::JavaScript => Some(stand_ins::Lang::JavaScript),
        Kind::Ruby => Some(stand_ins::Lang::Ruby),
        _ => None,
    };
    if let Some(lang) = stand_in_lang {
        describe_stand_in_uses(&mut src, lang, &mut out);
    }
    if matches!(
        kind,
        Kind::Python | Kind::JavaScript | Kind::Ruby | Kind::Jvm
    ) {
        defaults::extract_code(&mut src, &mut out, anchors);
    }
    if kind == Kind::Ruby && file.path.contains("controllers/") {
        rails_controllers::extract(&src, &mut out);
    }
    if kind == Kind::Ruby {
        let constants = ruby_reach::extract(content, &regions);
        if !constants.uses.is_empty() || !constants.definitions.is_empty() {
            out.facts.push(Fact::RubyConstants {
                path: file.path.to_string(),
                constants: Box::new(constants),
            });
        }
    }
    out
}

/// For each import whose path names a stand-in (mock, stub, fake, dummy) or test code (test, spec,
/// fixture), how the file uses it: only those imports, so most files do no work here.
fn describe_stand_in_uses(src: &mut Source, lang: stand_ins::Lang, out: &mut Extracted) {
    for i in 0..out.pending.len() {
        let p = &out.pending[i];
        let import = match &p.want {
            Want::PythonModule { .. } | Want::JsModule { .. } | Want::RubyFeature { .. } => true,
            Want::Path { used, .. } => *used == Use::Import,
            _ => false,
        };
        if !import
            || !(stand_ins::names_stand_in(&p.evidence) || stand_ins::names_test_code(&p.evidence))
        {
            continue;
        }
        let start = p.at.start;
        let line_start =
            memchr::memrchr(b'\n', &src.text[..start.min(src.text.len())]).map_or(0, |i| i + 1);
        let keyword = line_start
            + src.text[line_start..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
        let module = p.evidence.to_string();
        let uses = stand_ins::uses(src, lang, keyword, &module);
        out.pending[i].uses = Some(Box::new(uses));
    }
}

/// A reference inside a block named for another environment (`case "unit_test": from config.envs.unit_test
/// import …`, `if Rails.env.development?`) only runs there: dev config, not a route into production.
fn drop_non_production_scopes(
    content: &[u8],
    regions: &[std::ops::Range<usize>],
    out: &mut Extracted,
) {
    // Most files reference nothing: then there is nothing to drop, and no need to read the file again.
    if out.pending.is_empty() && out.findings.is_empty() {
        return;
    }
    let in_prod = |at: usize| {
        !scopes::in_regions(regions, at)
            && scopes::scope_of_hit(content, at) != Scope::NonProduction
    };
    out.pending.retain(|p| in_prod(p.at.start));
    out.findings.retain(|f| match &f.location {
        Location::File(s) => in_prod(s.span.0),
        _ => true,
    });
}

/// The positions of everything the extractor for `file` yields from `content` — findings and pending
/// references — or None when no extractor reads such a file. Only for the fuzz targets
/// (`fuzz/fuzz_targets/leak_extractors.rs`, `deploy_artifacts.rs`): pending references stay private to
/// the check, and their spans are what the harness must see to check they lie inside the input.
#[doc(hidden)]
pub fn extracted_positions(config: &Config, file: &FileEntry, content: &[u8]) -> Option<Vec<Pos>> {
    let kind = Kind::of(file)?;
    let extracted = extract(config, &[], kind, file, content);
    let found = extracted.findings.iter().filter_map(|f| match &f.location {
        Location::File(s) => Some(Pos::of(s)),
        _ => None,
    });
    Some(
        found
            .chain(extracted.pending.iter().map(|p| p.at))
            .collect(),
    )
}

/// One file as an extractor sees it: its bytes, and lazily built helpers for positions and for telling
/// code from comments and strings.
pub(crate) struct Source<'a> {
    pub config: &'a Config,
    pub path: &'a str,
    pub text: &'a [u8],
    syntax: Syntax,
    /// Submodules (keys): a reference into one is kept, to be reported as not evaluable.
    pub submodules: &'a [String],
    lines: LineIndex<'a>,
    /// Comment and string-literal ranges, sorted; computed on first need (most files never need it).
    non_code: Option<Vec<Range<usize>>>,
}

impl<'a> Source<'a> {
    pub fn new(config: &'a Config, path: &'a str, text: &'a [u8], syntax: Syntax) -> Self {
        Source {
            config,
            path,
            text,
            syntax,
            submodules: &[],
            lines: LineIndex::new(text),
            non_code: None,
        }
    }

    pub fn span(&mut self, range: Range<usize>) -> FileSpan {
        self.lines.span(self.path, range.start, range.end)
    }

    /// Is `offset` in code, rather than inside a comment or a string literal?
    pub fn in_code(&mut self, offset: usize) -> bool {
        let ranges = self
            .non_code
            .get_or_insert_with(|| lexer::non_code_ranges(self.syntax, self.text));
        !lexer::contains(ranges, offset)
    }

    /// The directory of this file, `""` at the root.
    pub fn dir(&self) -> &'a str {
        paths::parent(self.path)
    }

    /// Text of a byte range, lossily.
    pub fn str(&self, range: Range<usize>) -> String {
        String::from_utf8_lossy(&self.text[range]).into_owned()
    }

    /// Literal path pieces (`join('spec', 'fixtures', 'x.yml')`) as one `/`-joined path, with the span from
    /// the first piece to the last; None when there are none.
    pub fn joined_path(&self, pieces: &[Range<usize>]) -> Option<(Range<usize>, String)> {
        let span = pieces.first()?.start..pieces.last()?.end;
        let parts: Vec<String> = pieces.iter().map(|p| self.str(p.clone())).collect();
        Some((span, parts.join("/")))
    }

    /// Could any of these repository paths be test code or fixtures (a leak), or vendored code or a
    /// file named as docs or dev tooling (which production code's import makes production code)? A
    /// cheap walk-time filter: the conventions' words, third-party directories and non-production
    /// names, or the user's own `[paths]` globs. Exact classification happens at resolution.
    pub fn worth_resolving<S: AsRef<str>>(&self, candidates: &[S]) -> bool {
        candidates.iter().any(|c| {
            let c = c.as_ref();
            paths::has_test_word(c)
                || crate::repo::classify::vendor_root(c).is_some()
                || paths::names_non_production(c)
                || self.submodules.iter().any(|s| paths::is_under(c, s))
                || matches!(
                    self.config.paths.lookup(c),
                    Some(crate::config::PathOverride::Class(k))
                        if k.is_test_side() || k == FileClass::Vendor
                )
        })
    }
}

/// What one file yielded.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    /// The file's path, once for all its references.
    pub path: String,
    /// Decided on the file alone.
    pub findings: Vec<Finding>,
    /// References to resolve once the whole tree is known.
    pub pending: Vec<Pending>,
    /// Facts other files' references need.
    pub facts: Vec<Fact>,
}

impl Extracted {
    pub fn finding(&mut self, rule: &CodeRule, at: FileSpan, message: String, evidence: &str) {
        self.findings
            .push(make_finding(rule, at, message, evidence));
    }

    pub fn pending(&mut self, at: FileSpan, evidence: String, want: Want) {
        self.pending.push(Pending {
            at: Pos::of(&at),
            evidence: evidence.into_boxed_str(),
            want,
            uses: None,
        });
    }
}

pub(crate) fn make_finding(
    rule: &CodeRule,
    at: FileSpan,
    message: String,
    evidence: &str,
) -> Finding {
    Finding::new(rule.id, rule.severity, message, Location::File(at))
        .with_evidence(crate::repo::text::evidence(evidence.as_bytes(), 120))
        .with_help(rule.fix)
}

/// A reference found in a production file, with the exact span of the referenced name or path. Kept
/// small (a large tree holds tens of thousands of Java imports until resolution): the file's path is
/// stored once in its `Extracted`, positions as integers.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub at: Pos,
    /// The reference as written (`tests.factories`, `../fixtures/users.json`, a Java import's name).
    pub evidence: Box<str>,
    pub want: Want,
    /// For an import whose path names a stand-in (mock, stub, fake): how the importing file uses it.
    pub uses: Option<Box<stand_ins::Uses>>,
}

pub(crate) use crate::finding::Pos;

/// How a reference is used: importing code, reading a file at run time, embedding it at build time, or
/// running it (a Procfile's process, a Dockerfile's `CMD`, a package's `main`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    Import,
    Read,
    Embed,
    Run,
}

/// What a reference points at, in the terms needed to find it in the tree.
#[derive(Debug, Clone)]
pub(crate) enum Want {
    /// A Google Cloud source upload from the `.gcloudignore`'s directory, and that file's patterns.
    GcloudUpload(Vec<String>),
    /// An archive a pipeline step makes of a folder: judged once the deploys that use it are known.
    Archive(Box<archives::Archive>),
    /// Repository paths; the first that exists (as a file, or a directory) is the target.
    Path { candidates: Vec<String>, used: Use },
    /// A Python module (`a/b/c`, from `a.b.c`), or `alt` when the last part is a name, not a module.
    PythonModule { module: String, alt: Option<String> },
    /// A JS/TS module path without extension resolution yet (`src/__mocks__/api`).
    JsModule { base: String },
    /// `require 'x/y'`: searched on the load paths a Ruby program conventionally has.
    RubyFeature { feature: String },
    /// A Go import path; in-repo packages are found through the `go.mod` facts.
    GoPackage { import: String },
    /// A Java/Kotlin import (the name is the evidence): a class, a static member, or `pkg.*`.
    JvmImport { wildcard: bool, kotlin: bool },
    /// `mod x;`: the candidate files, and whether a `#![cfg(test)]` inside the target makes it fine.
    RustMod { candidates: Vec<String> },
    /// A path relative to the crate root (`concat!(env!("CARGO_MANIFEST_DIR"), "/tests/x")`).
    RustCrateRelative { rel: String, used: Use },
    /// A place in a Dockerfile (a `COPY` source, a `FROM` image) where its production image may take in
    /// tests or fixtures: judged once the builds, contexts and .dockerignore files are known.
    DockerSite(std::sync::Arc<docker::DockerImage>),
    /// `find_packages()` / `[tool.setuptools.packages.find]`: does it pick up a top-level test package?
    FindPackages(Box<FindPackages>),
    /// A test library in a production dependency list: a warning, an error when production code loads
    /// it, a note for a generator of made-up records; nothing in a gem's own Gemfile.
    TestDependency(Box<manifests::TestDep>),
    /// A package's build script compiles TypeScript with the first of these tsconfig files: judged once
    /// every tsconfig and file is known.
    TsBuild {
        candidates: Vec<String>,
        script: String,
    },
    /// An environment-name variable defaulting to a non-production value (the evidence): fine when a
    /// deployment file sets the variable for production.
    EnvDefault { var: String },
    /// A production setting falling back to a test value (the evidence), and why it is one: fine when a
    /// deployment file sets the variable.
    TestFallback { var: String, why: String },
    /// Files a .NET project copies into its publish output (`DistFiles`, `Content` with
    /// `CopyToPublishDirectory`): judged against the tree's test files.
    Publish(Box<msbuild_publish::Published>),
}

#[derive(Debug, Clone)]
pub(crate) struct FindPackages {
    pub base: String,
    pub namespaces: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub call: String,
}

/// Facts about the tree that other files' references need.
#[derive(Debug, Clone)]
pub(crate) enum Fact {
    /// A Next.js project's `next.config.*` (its directory), and which files it builds as pages.
    NextConfig {
        dir: String,
        pages: next_pages::PageExtensions,
    },
    /// A test file under `pages/` whose handler turns itself away unless a flag is set (why).
    GuardedPage {
        path: String,
        guard: String,
    },
    GoModule {
        dir: String,
        module: String,
    },
    RustCfgTestFile {
        path: String,
    },
    /// A script named as test support (`UnitTestHelpers.tsx`) that uses a test framework: test code,
    /// whatever class its place gives it.
    TestCode {
        path: String,
    },
    /// A script named as test support (`test-data.ts`, `test-data-csv.ts`) that uses no test framework:
    /// production code when it has a unit test of its own (see `Index::leak`).
    PlainSupport {
        path: String,
    },
    /// What a Python configuration module's assignment makes an upper-case setting when its environment
    /// variable is unset (`USE_LOCAL_DATA = strtobool(getenv("USE_LOCAL_DATA", "False"))`: off).
    SettingDefault {
        name: String,
        default: python_settings::Default,
    },
    /// A module named like a test (`*_test.py`, `test_*.py`, `test-*.ts`) that holds no test.
    NotATest {
        path: String,
    },
    /// A test-side TypeScript module that declares only types: compiled, it is empty.
    TypesOnly {
        path: String,
    },
    /// A tsconfig file: what it compiles, into which directory.
    TsConfig(Box<ts_build::TsConfig>),
    DockerIgnore {
        path: String,
        patterns: Vec<String>,
    },
    /// An image build a workflow or production compose file declares (Dockerfile, context, target).
    ImageBuild(Box<image_builds::ImageBuild>),
    /// Production code imports a test library (as its language's extractor reported it).
    LibraryLoaded(Box<manifests::LibraryLoaded>),
    /// A deployment file sets this environment variable to a production value.
    EnvSetForProduction {
        var: String,
    },
    /// A deployment file sets this environment variable (to anything but a test value).
    EnvSetByDeployment {
        var: String,
    },
    /// The repository deploys a service (a Dockerfile, Procfile or deployment manifest).
    Deploys,
    /// The test libraries a package.json lists as development dependencies.
    DevTestLibraries {
        path: String,
        libs: Vec<String>,
    },
    /// A CI file names a Dockerfile (`-f docker/Dockerfile`, `dockerfilePath: …/Dockerfile`): the
    /// path as written, without the checkout's root.
    DockerfileNamed {
        path: String,
    },
    /// A shell script that starts a development server (`npm run local:debug`, `nodemon`).
    DevServerScript {
        path: String,
    },
    /// A CI file or script that runs `cf push`.
    CfPush {
        path: String,
    },
    /// A pipeline job that deploys archives: the ones it names and the artifacts it downloads.
    ArchiveDeploy(Box<archives::ArchiveDeploy>),
    /// The classes a production Ruby file defines and the constants it uses, for following a class back
    /// to the environment guards around its uses.
    RubyConstants {
        path: String,
        constants: Box<ruby_reach::FileConstants>,
    },
    /// A .NET project file: whether it is a test project, and the projects it references.
    DotnetProject(Box<dotnet_projects::Project>),
    /// The boolean values an ASP.NET `appsettings.json` or `appsettings.Production.json` sets.
    AspNetSettings(Box<aspnet::Settings>),
    /// An ASP.NET test-support endpoint behind a configuration flag, judged by the flag's default.
    AspNetFlagged(Box<aspnet::Flagged>),
    /// A JDBC URL in a Spring configuration file the service ships (production's or a profile's): whether
    /// its database is an embedded one (H2, HSQLDB, Derby).
    JdbcUrl {
        embedded: bool,
    },
    /// A Rails controller that refuses to serve outside test environments, and the guard that says so.
    RailsGuardedController {
        path: String,
        guard: String,
    },
    /// A test route in `config/routes.rb`, judged once its controller (one of `candidates`) is read.
    RailsRoute {
        candidates: Vec<String>,
        finding: Box<Finding>,
    },
}

/// Run one extractor on `code` as the file at `path`, for the language modules' unit tests.
#[cfg(test)]
pub(crate) fn extract_for_test(
    path: &str,
    code: &str,
    syntax: Syntax,
    extractor: impl FnOnce(&mut Source, &mut Extracted),
) -> Extracted {
    let config = Config::default();
    let mut src = Source::new(&config, path, code.as_bytes(), syntax);
    let mut out = Extracted::default();
    extractor(&mut src, &mut out);
    out
}
