//! The second phase: judge the references collected during the walk against the complete file index.
//!
//! Every target is classified the way the walk classified it (the user's `[paths]` globs first, then the
//! conventions), so `[paths] test = ["qa/"]` makes an import of `qa/helpers.py` a leak too. A reference
//! whose target is not in the tree (a third-party module, a generated file) is not judged: no guessing.

use super::docker::ignore_excludes_tests;
use super::manifests::class_word;
use super::paths::{self, file_name, parent, under};
use super::ruby_reach::Reach;
use super::rule_docs::{
    DOCKER_COPY_ALL, FAKER_DEPENDENCY, FIXTURE_IMPORT, FIXTURE_READ, PACKAGE_SHIPS_TESTS,
    TEST_IMPORT,
};
use super::{make_finding, Extracted, Fact, Pending, Use, VendoredImport, Want};
use crate::config::Config;
use crate::finding::{FileSpan, Finding};
use crate::repo::classify::{classify_default, FileClass};
use crate::repo::files::{self, FileEntry};
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

pub(crate) fn resolve_all(
    config: &Config,
    files: &[FileEntry],
    collected: Vec<Extracted>,
) -> Vec<Finding> {
    if collected.iter().all(|e| e.pending.is_empty()) {
        return Vec::new();
    }
    let mut collected = collected;
    let facts = collected
        .iter_mut()
        .flat_map(|e| std::mem::take(&mut e.facts))
        .collect();
    let index = Index::new(config, files, facts);
    collected
        .iter()
        .flat_map(|e| e.pending.iter().map(move |p| (&*e.path, p)))
        .filter_map(|(file, p)| index.resolve(file, p))
        .collect()
}

/// The vendored files that production code's imports land on (see `LeakCheck::imported_vendored`).
pub(crate) fn vendored_imports(
    config: &Config,
    files: &[FileEntry],
    collected: &[Extracted],
) -> Vec<VendoredImport> {
    if collected.iter().all(|e| e.pending.is_empty()) {
        return Vec::new();
    }
    // No facts: they only decide whether a target is a test, never where an import lands.
    let index = Index::new(config, files, Vec::new());
    let mut found: Vec<(String, FileSpan)> = collected
        .iter()
        .flat_map(|e| e.pending.iter().map(move |p| (&*e.path, p)))
        .filter_map(|(file, p)| Some((index.vendored_target(file, p)?, p.at.in_file(file))))
        .collect();
    found.sort_by(|a, b| (&a.0, &a.1.path, a.1.span).cmp(&(&b.0, &b.1.path, b.1.span)));
    let mut out: Vec<VendoredImport> = Vec::new();
    for (path, at) in found {
        match out.last_mut() {
            Some(last) if last.path == path => last.imported_at.push(at),
            _ => out.push(VendoredImport {
                path,
                imported_at: vec![at],
            }),
        }
    }
    out
}

/// The tree as resolution needs it: the Context's file list, which is sorted by path, searched in place
/// (no map over every path: memory stays flat as the tree grows). Java's class table is built on first use.
pub(crate) struct Index<'a> {
    config: &'a Config,
    /// Sorted by path, as `Context::files` is.
    files: &'a [FileEntry],
    /// `(module path, directory)`, longest module first.
    go_modules: Vec<(String, String)>,
    rust_cfg_test: HashSet<String>,
    python_not_tests: HashSet<String>,
    dockerignores: HashMap<String, Vec<String>>,
    jvm: OnceCell<JvmIndex>,
    ruby: Reach,
}

impl<'a> Index<'a> {
    /// `files` must be sorted by path (`Context::files` is).
    pub fn new(config: &'a Config, files: &'a [FileEntry], facts: Vec<Fact>) -> Self {
        let mut index = Index {
            config,
            files,
            go_modules: Vec::new(),
            rust_cfg_test: HashSet::new(),
            python_not_tests: HashSet::new(),
            dockerignores: HashMap::new(),
            jvm: OnceCell::new(),
            ruby: Reach::default(),
        };
        let mut ruby_files = Vec::new();
        for fact in facts {
            match fact {
                Fact::GoModule { dir, module } => index.go_modules.push((module, dir)),
                Fact::RustCfgTestFile { path } => {
                    index.rust_cfg_test.insert(path);
                }
                Fact::PythonNotATest { path } => {
                    index.python_not_tests.insert(path);
                }
                Fact::DockerIgnore { path, patterns } => {
                    index.dockerignores.insert(path, patterns);
                }
                Fact::RubyConstants { path, constants } => ruby_files.push((path, *constants)),
            }
        }
        index.ruby = Reach::new(ruby_files);
        index
            .go_modules
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        index
    }

    fn class_of(&self, p: &str) -> Option<FileClass> {
        self.files
            .binary_search_by(|e| (*e.path).cmp(p))
            .ok()
            .map(|i| self.files[i].class)
    }

    fn is_file(&self, p: &str) -> bool {
        self.class_of(p).is_some()
    }

    /// Every file under directory `dir` (the whole tree for `""`): a contiguous run of the sorted list.
    fn under_dir(&self, dir: &str) -> &'a [FileEntry] {
        if dir.is_empty() {
            return self.files;
        }
        let prefix = format!("{dir}/");
        let start = self.files.partition_point(|e| &*e.path < prefix.as_str());
        let len = self.files[start..].partition_point(|e| e.path.starts_with(&prefix));
        &self.files[start..start + len]
    }

    fn is_dir(&self, dir: &str) -> bool {
        !dir.is_empty() && !self.under_dir(dir).is_empty()
    }

    /// The first candidate that exists, with its class: a file's own, or for a directory what a file
    /// directly inside it would be.
    fn target(&self, candidates: &[String]) -> Option<(String, FileClass)> {
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
        match &p.want {
            Want::Path { candidates, used } => {
                let (path, class) = self.target(candidates)?;
                self.leak(file, p, *used, "imports", &path, class)
            }
            Want::PythonModule { module, alt } => {
                let candidates = self.python_candidates(file, module, alt.as_deref());
                let (path, class) = self.target(&candidates)?;
                if self.python_not_tests.contains(&path) {
                    return None;
                }
                self.leak(file, p, Use::Import, "imports", &path, class)
            }
            Want::JsModule { base } => {
                let (path, class) = self.target(&js_candidates(base))?;
                self.leak(file, p, Use::Import, "imports", &path, class)
            }
            Want::RubyFeature { feature } => {
                let candidates = ruby_candidates(file, feature);
                let (path, class) = self.target(&candidates)?;
                self.leak(file, p, Use::Import, "requires", &path, class)
            }
            Want::GoPackage { import } => self.go_package(file, p, import),
            Want::JvmImport { wildcard, kotlin } => {
                let name = &*p.evidence;
                let (path, class) = self.jvm().test_only(name, *wildcard, *kotlin)?;
                let at = p.at.in_file(file);
                let rule = if class == FileClass::Fixture {
                    &FIXTURE_IMPORT
                } else {
                    &TEST_IMPORT
                };
                let msg = format!(
                    "imports `{name}`, which exists only in test sources (`{path}`, {})",
                    class_word(class)
                );
                Some(make_finding(rule, at, msg, &p.evidence))
            }
            Want::RustMod { candidates } => {
                let (path, class) = self.target(candidates)?;
                if self.rust_cfg_test.contains(&path) || !is_rust_test_module(&path) {
                    return None;
                }
                self.leak(file, p, Use::Import, "declares module", &path, class)
            }
            Want::RustCrateRelative { rel, used } => {
                let mut d = parent(file);
                loop {
                    if self.is_file(&under(d, "Cargo.toml")) {
                        break;
                    }
                    if d.is_empty() {
                        return None;
                    }
                    d = parent(d);
                }
                let target = paths::join(d, rel.trim_start_matches('/'))?;
                let (path, class) = self.target(&[target])?;
                self.leak(file, p, *used, "imports", &path, class)
            }
            Want::DockerCopyAll { via } => self.docker_copy_all(file, p, via.as_deref()),
            Want::FindPackages(f) => {
                let (pkg, evidence) =
                    self.find_packages(&f.base, f.namespaces, &f.include, &f.exclude)?;
                let msg = format!(
                    "{} installs the top-level test package `{pkg}` ({evidence}) into site-packages",
                    f.call
                );
                Some(make_finding(
                    &PACKAGE_SHIPS_TESTS,
                    p.at.in_file(file),
                    msg,
                    &p.evidence,
                ))
            }
            Want::GemfileFaker { gem } => {
                let dir = parent(file);
                let has_gemspec = self
                    .under_dir(dir)
                    .iter()
                    .any(|e| parent(&e.path) == dir && e.path.ends_with(".gemspec"));
                if has_gemspec {
                    return None;
                }
                let msg = format!(
                    "production dependency `{gem}` (a generator of made-up records) in the Gemfile's default group"
                );
                Some(make_finding(
                    &FAKER_DEPENDENCY,
                    p.at.in_file(file),
                    msg,
                    gem,
                ))
            }
        }
    }

    /// The vendored file an import by `file` lands on, if it lands on one: found as `resolve` finds
    /// the targets of imports (a file, not a directory; reads and embeds are data, not code).
    fn vendored_target(&self, file: &str, p: &Pending) -> Option<String> {
        let candidates = match &p.want {
            Want::Path {
                candidates,
                used: Use::Import,
            } => candidates.clone(),
            Want::PythonModule { module, alt } => {
                self.python_candidates(file, module, alt.as_deref())
            }
            Want::JsModule { base } => js_candidates(base),
            Want::RubyFeature { feature } => ruby_candidates(file, feature),
            _ => return None,
        };
        let (path, class) = self.target(&candidates)?;
        (class == FileClass::Vendor && self.is_file(&path)).then_some(path)
    }

    /// A finding if `class` is test-side.
    fn leak(
        &self,
        file: &str,
        p: &Pending,
        used: Use,
        verb: &str,
        path: &str,
        class: FileClass,
    ) -> Option<Finding> {
        if !class.is_test_side() {
            return None;
        }
        // A Ruby class only environment-guarded code reaches (a dev or review-app seeder).
        if self.ruby.only_outside_production(file, p.at.start) {
            return None;
        }
        if used == Use::Import && self.is_mocking_api(file, path) {
            return None;
        }
        let what = class_word(class);
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
        };
        Some(make_finding(rule, p.at.in_file(file), msg, &p.evidence))
    }

    /// A module that is test-side only because it sits in a `mock/`, `fake/` or `stubs/` directory, imported
    /// by JavaScript, Python or Ruby code, is more often a feature than a fixture: undici's `lib/mock/`
    /// is its public MockAgent API, and an app's `src/mocks/` (msw) is loaded by a development-only
    /// branch. Not judged unless the user's `[paths]` globs say it is test code. Go `mocks` packages,
    /// generated for tests, and anything under `tests/`, `__mocks__/` or `fixtures/` are still judged.
    fn is_mocking_api(&self, importer: &str, target: &str) -> bool {
        const MOCK_DIRS: &[&str] = &["mock", "mocks", "fake", "fakes", "stubs", "dummy"];
        let lang = paths::extension(file_name(importer));
        if matches!(lang, "go" | "rs" | "java" | "kt" | "kts")
            || self.config.paths.lookup(target).is_some()
        {
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

    /// Python's import roots for a module: the repository root, `src/` and `lib/`, the directory above
    /// the importer's top-level package, and the importer's own directory (a script's `sys.path[0]`).
    fn python_candidates(&self, importer: &str, module: &str, alt: Option<&str>) -> Vec<String> {
        let dir = parent(importer);
        let mut top = dir;
        while !top.is_empty() && self.is_file(&under(top, "__init__.py")) {
            top = parent(top);
        }
        let mut roots = vec!["", "src", "lib", top, dir];
        roots.dedup();
        let mut out = Vec::new();
        for m in std::iter::once(module).chain(alt) {
            for r in &roots {
                out.push(under(r, &format!("{m}.py")));
                out.push(under(r, &format!("{m}/__init__.py")));
            }
        }
        out
    }

    fn go_package(&self, file: &str, p: &Pending, import: &str) -> Option<Finding> {
        let local = self.go_modules.iter().find_map(|(module, dir)| {
            if import == module {
                Some(dir.clone())
            } else {
                import
                    .strip_prefix(module.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .map(|rest| under(dir, rest))
            }
        });
        // Not this repository's: third-party packages are judged only by the library list (at walk
        // time). Their directory names say little: client_golang's `testutil/promlint` is a production
        // linter that promtool uses.
        let dir = local?;
        // The package: the non-test `.go` files directly in its directory.
        let members: Vec<FileClass> = self
            .under_dir(&dir)
            .iter()
            .filter(|e| {
                parent(&e.path) == dir && e.path.ends_with(".go") && !e.path.ends_with("_test.go")
            })
            .map(|e| e.class)
            .collect();
        if members.is_empty() || !members.iter().all(|c| c.is_test_side()) {
            return None;
        }
        let class = if members.contains(&FileClass::Fixture) {
            FileClass::Fixture
        } else {
            FileClass::Test
        };
        self.leak(file, p, Use::Import, "imports package", &dir, class)
    }

    fn docker_copy_all(&self, dockerfile: &str, p: &Pending, via: Option<&str>) -> Option<Finding> {
        let dir = parent(dockerfile);
        let ignores = [
            under(dir, ".dockerignore"),
            format!("{dockerfile}.dockerignore"),
            ".dockerignore".to_string(),
        ];
        if ignores
            .iter()
            .filter_map(|i| self.dockerignores.get(i))
            .any(|pats| ignore_excludes_tests(pats))
        {
            return None;
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut count = 0usize;
        let mut first: Option<&str> = None;
        for e in self
            .under_dir(dir)
            .iter()
            .filter(|e| e.class.is_test_side())
        {
            count += 1;
            if first.is_none() {
                first = Some(&*e.path);
            }
        }
        let first = &first?[prefix.len()..];
        let what = match via {
            None => "the production stage copies the whole build context".to_string(),
            Some(stage) => format!(
                "the production stage takes the whole build context from stage `{stage}` (which copied it in)"
            ),
        };
        let msg = format!(
            "{what}, which holds {count} test and fixture files (`{first}`, …), and no .dockerignore excludes them"
        );
        Some(make_finding(
            &DOCKER_COPY_ALL,
            p.at.in_file(dockerfile),
            msg,
            &p.evidence,
        ))
    }

    /// The first top-level test package under `base` that the find configuration would pick up.
    fn find_packages(
        &self,
        base: &str,
        namespaces: bool,
        include: &[String],
        exclude: &[String],
    ) -> Option<(String, String)> {
        // The directories directly under `base`, in order (the list is sorted, so each is one run).
        let mut candidates: Vec<String> = Vec::new();
        for e in self.under_dir(base) {
            let rest = if base.is_empty() {
                &*e.path
            } else {
                &e.path[base.len() + 1..]
            };
            if let Some((top, _)) = rest.split_once('/') {
                let d = under(base, top);
                if candidates.last() != Some(&d) {
                    candidates.push(d);
                }
            }
        }
        for d in &candidates {
            let d = d.as_str();
            let name = file_name(d);
            let class = files::classify(self.config, &format!("{d}/_"));
            if !class.is_some_and(|c| c.is_test_side()) {
                continue;
            }
            let init = under(d, "__init__.py");
            let evidence = if self.is_file(&init) {
                init
            } else if namespaces {
                let has_py = self
                    .under_dir(d)
                    .iter()
                    .any(|e| e.path.ends_with(".py") && parent(&e.path) == d);
                if !has_py {
                    continue;
                }
                format!("{d}/, a namespace package")
            } else {
                continue;
            };
            if exclude.iter().any(|pat| glob_match(pat, name)) {
                continue;
            }
            if !include.is_empty() && !include.iter().any(|pat| glob_match(pat, name)) {
                continue;
            }
            return Some((name.to_string(), evidence));
        }
        None
    }

    fn jvm(&self) -> &JvmIndex {
        self.jvm
            .get_or_init(|| JvmIndex::new(self.config, self.files))
    }
}

/// `mod x;` compiles `x` into the crate; it is test code only if named as Rust names test modules
/// (`tests.rs`, `test.rs`, `*_test(s).rs`, or inside a test directory). A production `test_email.rs`
/// (crates.io's admin command that sends a test e-mail) is not.
fn is_rust_test_module(path: &str) -> bool {
    let name = match path.strip_suffix("/mod.rs") {
        Some(dir) => file_name(dir),
        None => paths::stem(file_name(path)),
    };
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "test" | "tests")
        || lower.ends_with("_test")
        || lower.ends_with("_tests")
        || parent(path)
            .split('/')
            .any(|d| !d.is_empty() && classify_default(&format!("{d}/_")).is_test_side())
}

/// How a relative JS/TS specifier resolves: as written, with an extension, or as a directory index;
/// TypeScript's ESM style (`./x.js` meaning `./x.ts`) too.
fn js_candidates(base: &str) -> Vec<String> {
    const EXTS: &[&str] = &[
        "ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts", "vue", "svelte", "json",
    ];
    let mut out = vec![base.to_string()];
    out.extend(EXTS.iter().map(|e| format!("{base}.{e}")));
    out.extend(EXTS.iter().map(|e| format!("{base}/index.{e}")));
    for (js, ts) in [
        ("js", "ts"),
        ("js", "tsx"),
        ("mjs", "mts"),
        ("cjs", "cts"),
        ("jsx", "tsx"),
    ] {
        if let Some(stem) = base.strip_suffix(&format!(".{js}")) {
            out.push(format!("{stem}.{ts}"));
        }
    }
    // A bare directory (`./__mocks__`) is only a target through its index file.
    out.retain(|c| c != base || file_name(base).contains('.'));
    out
}

/// Ruby's load paths by convention: the root, `lib/`, `app/`, the importer's own gem `lib/`, and the
/// `spec/` / `test/` directories test runners add.
fn ruby_candidates(importer: &str, feature: &str) -> Vec<String> {
    let file = if feature.ends_with(".rb") {
        feature.to_string()
    } else {
        format!("{feature}.rb")
    };
    let mut roots: Vec<String> = vec![
        String::new(),
        "lib".into(),
        "app".into(),
        "spec".into(),
        "test".into(),
    ];
    let comps: Vec<&str> = importer.split('/').collect();
    if let Some(i) = comps.iter().position(|c| *c == "lib" || *c == "app") {
        let project = comps[..i].join("/");
        for sub in ["lib", "spec", "test"] {
            roots.push(under(&project, sub));
        }
    }
    roots.dedup();
    roots.iter().map(|r| under(r, &file)).collect()
}

/// Shell-style `*` / `?` matching, as setuptools' include/exclude patterns use.
fn glob_match(pat: &str, s: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => m(&p[1..], s) || !s.is_empty() && m(p, &s[1..]),
            (Some(b'?'), Some(_)) => m(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &s[1..]),
            _ => false,
        }
    }
    m(pat.as_bytes(), s.as_bytes())
}

/// Java/Kotlin classes by fully-qualified name, from the standard source-set layout
/// (`<module>/src/<set>/<java|kotlin|groovy|scala>/com/acme/Owner.java`).
struct JvmIndex {
    /// Classes that exist in a test-side source set and nowhere in production.
    test_only: HashMap<String, (String, FileClass)>,
    production: HashSet<String>,
    test_only_packages: HashMap<String, (String, FileClass)>,
    production_packages: HashSet<String>,
}

impl JvmIndex {
    fn new(config: &Config, files: &[FileEntry]) -> JvmIndex {
        let mut test: HashMap<String, (String, FileClass)> = HashMap::new();
        let mut production = HashSet::new();
        let mut test_pkgs: HashMap<String, (String, FileClass)> = HashMap::new();
        let mut production_packages = HashSet::new();
        for (path, class) in files.iter().map(|e| (&*e.path, e.class)) {
            let Some((fqn, test_set)) = jvm_fqn(path) else {
                continue;
            };
            let pkg = fqn.rsplit_once('.').map_or("", |(p, _)| p).to_string();
            // The source set decides: `src/main/java/…/testing/TestFailuresPlugin.java` is production code
            // even though its path looks like a test's, unless the user's globs say otherwise.
            if test_set || (class.is_test_side() && config_says_test(config, path)) {
                test.entry(fqn).or_insert_with(|| (path.to_string(), class));
                test_pkgs
                    .entry(pkg)
                    .or_insert_with(|| (path.to_string(), class));
            } else {
                production.insert(fqn);
                production_packages.insert(pkg);
            }
        }
        test.retain(|k, _| !production.contains(k));
        test_pkgs.retain(|k, _| !production_packages.contains(k));
        JvmIndex {
            test_only: test,
            production,
            test_only_packages: test_pkgs,
            production_packages,
        }
    }

    /// The class or package, present only in test sources, that an import names, if any.
    fn test_only(&self, name: &str, wildcard: bool, kotlin: bool) -> Option<(String, FileClass)> {
        if wildcard {
            if let Some(hit) = self.test_only_packages.get(name) {
                return Some(hit.clone());
            }
        }
        // `a.b.C`, `a.b.C.Inner`, `a.b.C.member` (static): the longest prefix that is a known class.
        let mut n = name;
        while n.matches('.').count() >= 1 {
            if self.production.contains(n) {
                return None;
            }
            if let Some(hit) = self.test_only.get(n) {
                return Some(hit.clone());
            }
            n = n.rsplit_once('.').map_or("", |(p, _)| p);
        }
        // Kotlin imports top-level functions by package: `import com.acme.fixtures.owner`.
        if kotlin {
            let pkg = name.rsplit_once('.').map_or("", |(p, _)| p);
            if !self.production_packages.contains(pkg) {
                return self.test_only_packages.get(pkg).cloned();
            }
        }
        None
    }
}

/// The class name of a source file in a standard source set, and whether the set is a test one
/// (`test`, `testFixtures`, `it`, `integrationTest`, `androidTest`, …).
fn jvm_fqn(path: &str) -> Option<(String, bool)> {
    let (stem, ext) = path.rsplit_once('.')?;
    if !matches!(ext, "java" | "kt" | "groovy" | "scala") {
        return None;
    }
    let comps: Vec<&str> = stem.split('/').collect();
    let i = comps
        .windows(3)
        .position(|w| w[0] == "src" && matches!(w[2], "java" | "kotlin" | "groovy" | "scala"))?;
    let set = comps[i + 1].to_ascii_lowercase();
    let test_set = set == "it" || set.contains("test");
    let rest = &comps[i + 3..];
    (!rest.is_empty()).then(|| (rest.join("."), test_set))
}

/// The user's `[paths]` globs make this file test-side (conventions alone do not, in a production set).
fn config_says_test(config: &Config, path: &str) -> bool {
    matches!(
        config.paths.lookup(path),
        Some(crate::config::PathOverride::Class(c)) if c.is_test_side()
    )
}

#[cfg(test)]
mod tests {
    use super::super::{FindPackages, Pos};
    use super::*;

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
    fn judge(
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
        };
        index.resolve(importer, &p).map(|f| (f.rule, f.message))
    }

    fn rule(found: Option<(String, String)>) -> Option<String> {
        found.map(|f| f.0)
    }

    #[test]
    fn python_modules_resolve_on_import_roots() {
        let files = [
            "app/__init__.py",
            "app/api/__init__.py",
            "app/api/views.py",
            "tests/__init__.py",
            "tests/factories.py",
            "src/flask/testing.py",
        ];
        let module = |module: &str, alt: Option<&str>| Want::PythonModule {
            module: module.into(),
            alt: alt.map(str::to_string),
        };
        let from_views = |want| judge(&files, vec![], "app/api/views.py", "e", want);
        assert_eq!(
            from_views(module(
                "tests/factories/UserFactory",
                Some("tests/factories")
            )),
            Some((
                "leak/test-import".into(),
                "imports `tests/factories.py` (test code)".into()
            ))
        );
        assert_eq!(from_views(module("flask/testing", None)), None);
        assert_eq!(from_views(module("tests/missing", None)), None);
    }

    #[test]
    fn js_go_and_rust_modules() {
        let files = [
            "src/__mocks__/payments.ts",
            "src/api.ts",
            "go.mod",
            "internal/testutil/db.go",
            "internal/store/store.go",
            "Cargo.toml",
            "src/tests.rs",
            "src/helpers_test.rs",
            "src/test_email.rs",
            "lib/mock/mock-agent.js",
        ];
        let js = Want::JsModule {
            base: "src/__mocks__/payments".into(),
        };
        assert_eq!(
            rule(judge(&files, vec![], "src/api.ts", "e", js)),
            Some("leak/fixture-import".into())
        );
        let go = || {
            vec![Fact::GoModule {
                dir: String::new(),
                module: "example.com/app".into(),
            }]
        };
        let gp = |i: &str| Want::GoPackage { import: i.into() };
        let from_store = |facts, want| judge(&files, facts, "internal/store/x.go", "e", want);
        assert_eq!(
            from_store(go(), gp("example.com/app/internal/testutil")),
            Some((
                "leak/test-import".into(),
                "imports package `internal/testutil` (test code)".into()
            ))
        );
        assert_eq!(from_store(go(), gp("example.com/app/internal/store")), None);
        assert_eq!(
            from_store(go(), gp("github.com/other/lib/testutil/promlint")),
            None
        );
        let m = |n: &str| Want::RustMod {
            candidates: vec![format!("src/{n}.rs"), format!("src/{n}/mod.rs")],
        };
        let cfg_test = || {
            vec![Fact::RustCfgTestFile {
                path: "src/tests.rs".into(),
            }]
        };
        let from_lib = |facts, want| judge(&files, facts, "src/lib.rs", "e", want);
        assert_eq!(from_lib(cfg_test(), m("tests")), None);
        assert_eq!(
            rule(from_lib(cfg_test(), m("helpers_test"))),
            Some("leak/test-import".into())
        );
        // Named like a test by its words, but not as Rust names test modules.
        assert_eq!(from_lib(vec![], m("test_email")), None);
        // A library's mocking API (undici's lib/mock) is a feature.
        let mock = Want::JsModule {
            base: "lib/mock/mock-agent".into(),
        };
        assert_eq!(judge(&files, vec![], "index.js", "e", mock), None);
        let crate_rel = Want::RustCrateRelative {
            rel: "/src/tests.rs".into(),
            used: Use::Embed,
        };
        assert_eq!(
            rule(from_lib(vec![], crate_rel)),
            Some("leak/fixture-read".into())
        );
    }

    #[test]
    fn jvm_test_only_classes() {
        let files = [
            "src/main/java/com/acme/testing/TestFailures.java",
            "src/main/java/com/acme/Owner.java",
            "src/test/java/com/acme/Owner.java",
            "src/test/java/com/acme/OwnerFixtures.java",
            "src/test/kotlin/com/acme/fixtures/Data.kt",
        ];
        let import = |name: &str, wildcard: bool, kotlin: bool| {
            judge(
                &files,
                vec![],
                "src/main/java/com/acme/A.java",
                name,
                Want::JvmImport { wildcard, kotlin },
            )
        };
        assert_eq!(import("com.acme.Owner", false, false), None);
        assert_eq!(
            rule(import("com.acme.OwnerFixtures.make", false, false)),
            Some("leak/test-import".into())
        );
        assert_eq!(
            rule(import("com.acme.fixtures", true, false)),
            Some("leak/fixture-import".into())
        );
        assert_eq!(
            rule(import("com.acme.fixtures.owner", false, true)),
            Some("leak/fixture-import".into())
        );
        assert_eq!(import("com.acme", true, false), None);
        // A production source set with a test-looking package is production.
        assert_eq!(import("com.acme.testing.TestFailures", false, false), None);
    }

    #[test]
    fn docker_find_packages_and_gemfiles() {
        let files = [
            "Dockerfile",
            "app/main.py",
            "tests/__init__.py",
            "tests/test_main.py",
        ];
        let from_df = |facts, want| judge(&files, facts, "Dockerfile", ".", want);
        assert_eq!(
            rule(from_df(vec![], Want::DockerCopyAll { via: None })),
            Some("leak/docker-copy-all".into())
        );
        let ignore = vec![Fact::DockerIgnore {
            path: ".dockerignore".into(),
            patterns: vec!["tests/".into()],
        }];
        assert_eq!(from_df(ignore, Want::DockerCopyAll { via: None }), None);
        let fp = |ex: &[&str], inc: &[&str]| {
            Want::FindPackages(Box::new(FindPackages {
                base: String::new(),
                namespaces: false,
                include: inc.iter().map(|s| s.to_string()).collect(),
                exclude: ex.iter().map(|s| s.to_string()).collect(),
                call: "find_packages()".into(),
            }))
        };
        let from_setup = |want| judge(&files, vec![], "setup.py", "e", want);
        assert_eq!(
            from_setup(fp(&[], &[])).map(|f| f.1),
            Some("find_packages() installs the top-level test package `tests` (tests/__init__.py) into site-packages".into())
        );
        assert_eq!(from_setup(fp(&["tests*"], &[])), None);
        assert_eq!(from_setup(fp(&[], &["app*"])), None);
        assert!(glob_match("*.tests", "a.tests") && !glob_match("tests.*", "tests"));
        let faker = || Want::GemfileFaker {
            gem: "faker".into(),
        };
        assert_eq!(
            rule(judge(&["Gemfile"], vec![], "Gemfile", "faker", faker())),
            Some("leak/faker-dependency".into())
        );
        let gem = ["Gemfile", "mygem.gemspec"];
        assert_eq!(judge(&gem, vec![], "Gemfile", "faker", faker()), None);
    }
}
