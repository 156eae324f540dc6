//! Terraform's GitHub provider, read statically: every root module of the tree (a directory of `.tf`
//! files that no other module calls), its variables (defaults, `terraform.tfvars`, `*.auto.tfvars` and
//! the `var-files` the policy names), locals, `for_each`/`count`, `dynamic` blocks and calls to modules
//! with a local `source`. The result is each GitHub resource instance's body as a `Val`, with the place
//! each value was written. Whatever needs a plan to be known (a module output, a file read, an input with
//! no value) is an `Unknown` naming the expression: reported, never guessed.
//!
//! Parser: `hcl-edit`, the span-keeping parser of the hcl-rs project (hcl-rs's own `Body` drops spans,
//! and a finding must point at the line that sets the value).

use super::value::{At, Lines, Unresolved, Val, V};
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Resource types whose instances shipgate reads.
pub const RESOURCES: &[&str] = &[
    "github_repository",
    "github_branch_default",
    "github_branch_protection",
    "github_branch_protection_v3",
    "github_repository_ruleset",
    "github_organization_ruleset",
    "github_repository_environment",
    "github_repository_deployment_branch_policy",
    "github_repository_environment_deployment_policy",
];

/// Module calls nest at most this deep (a cycle of local modules must end).
const MAX_MODULE_DEPTH: usize = 16;
/// `for_each`/`count` expand to at most this many instances per resource (a hostile config cannot
/// make the gate allocate without bound); more is reported as unresolved, never cut silently.
const MAX_INSTANCES: usize = 10_000;

/// Brackets, braces and parentheses nest at most this deep: the parser and the evaluator recurse once
/// per level, and a hostile file must fail as unreadable, not overflow the stack.
const MAX_NESTING: usize = 128;
/// Expressions evaluated in one read, at most: locals that multiply each other (`a = [b, b, b]`,
/// `b = [c, c, c]`, …) must end as unresolved, not hold the gate.
const MAX_EVALUATIONS: usize = 2_000_000;

/// The offset where nesting first exceeds `MAX_NESTING` (strings and comments skipped roughly: a quote
/// toggles a string, `#`/`//` end at the line's end).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut comment = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if comment {
            comment = b != b'\n';
        } else if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                // An interpolation opens a nesting level inside the string.
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    depth += 1;
                    in_string = false;
                    i += 1;
                }
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'#' => comment = true,
                b'/' if bytes.get(i + 1) == Some(&b'/') => comment = true,
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(i);
                    }
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// One instance of a GitHub resource.
#[derive(Debug, Clone)]
pub struct Instance {
    pub kind: String,
    /// `module.repos["app"].github_branch_protection.main`.
    pub address: String,
    /// Attributes and nested blocks (a block is a list of maps under its name).
    pub body: Val,
    /// The resource block.
    pub at: At,
}

#[derive(Debug, Default)]
pub struct Read {
    pub instances: Vec<Instance>,
    /// `provider "github" { owner = … }` of a root module.
    pub owner: Option<Val>,
    /// Files that do not parse: (where, what the parser said).
    pub errors: Vec<(At, String)>,
    /// Whole resources whose instances are unknown (their `for_each` could not be resolved).
    pub unresolved: Vec<(String, Unresolved)>,
    pub notes: Vec<String>,
    /// Files read (`.tf`, `.tfvars`).
    pub files: usize,
}

struct File {
    path: Arc<str>,
    lines: Lines,
    body: Body,
}

impl File {
    fn at(&self, span: Option<std::ops::Range<usize>>) -> At {
        At {
            path: self.path.clone(),
            pos: self.lines.pos(span.unwrap_or(0..0)),
        }
    }
    fn src(&self, span: Option<std::ops::Range<usize>>) -> &str {
        span.and_then(|r| self.lines.text().get(r)).unwrap_or("")
    }
}

/// Read every module of `files` (path, text): `.tf` files and `.tfvars` files. `var_files`: extra
/// variable files the policy names (repository-relative).
pub fn read(files: &[(String, Arc<str>)], var_files: &[String]) -> Read {
    let mut out = Read::default();
    let mut parsed: Vec<File> = Vec::new();
    let mut unparsed_elsewhere = 0usize;
    for (path, text) in files {
        if path.split('/').any(|c| c == ".terraform") {
            continue; // provider and module caches, not the config
        }
        let lines = Lines::new(text.clone());
        if let Some(offset) = too_deep(text) {
            out.errors.push((
                At {
                    path: Arc::from(path.as_str()),
                    pos: lines.pos(offset..offset),
                },
                format!("brackets nested more than {MAX_NESTING} deep"),
            ));
            continue;
        }
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => parsed.push(File {
                path: Arc::from(path.as_str()),
                lines,
                body,
            }),
            // A file that does not parse and never mentions GitHub cannot declare GitHub settings (the
            // rest of a repository's Terraform: AWS, Azure): left out, and counted in a note.
            Err(_) if !mentions_github(text) => unparsed_elsewhere += 1,
            Err(e) => {
                let offset = e.location().offset();
                out.errors.push((
                    At {
                        path: Arc::from(path.as_str()),
                        pos: lines.pos(offset..offset),
                    },
                    e.message().to_string(),
                ));
            }
        }
    }
    out.files = parsed.len() + out.errors.len() + unparsed_elsewhere;
    if unparsed_elsewhere > 0 {
        out.notes.push(format!(
            "{unparsed_elsewhere} Terraform file(s) that do not parse were not read for settings: none mentions GitHub"
        ));
    }
    let dirs: BTreeSet<String> = parsed
        .iter()
        .filter(|f| f.path.ends_with(".tf"))
        .map(|f| dir_of(&f.path).to_string())
        .collect();
    // A directory another module calls by a local path is a module, not a root.
    let mut called = BTreeSet::new();
    // (caller, callee) directories of local module calls.
    let mut called_by: Vec<(String, String)> = Vec::new();
    for f in parsed.iter().filter(|f| f.path.ends_with(".tf")) {
        for block in f.body.get_blocks("module") {
            if let Some(src) = block
                .body
                .get_attribute("source")
                .and_then(|a| a.value.as_str())
            {
                if let Some(d) = local_source(dir_of(&f.path), src) {
                    called_by.push((dir_of(&f.path).to_string(), d.clone()));
                    called.insert(d);
                }
            }
        }
    }
    let relevant = about_github(&parsed, &called_by);
    let eval = Evaluator {
        relevant: &relevant,
        files: &parsed,
        var_files,
        out: RefCell::new(out),
        evaluations: std::cell::Cell::new(MAX_EVALUATIONS),
        instances_left: std::cell::Cell::new(MAX_INSTANCES * 10),
        locals: RefCell::new(BTreeMap::new()),
    };
    for dir in dirs
        .iter()
        .filter(|d| !called.contains(*d) && relevant.contains(*d))
    {
        let vars = eval.root_vars(dir);
        eval.module(dir, "", vars, 0);
    }
    eval.out.into_inner()
}

/// Does the text mention GitHub (a `github_…` resource, the `github` provider, a module whose source
/// says so)? Compared ignoring case.
fn mentions_github(text: &str) -> bool {
    text.as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"github"))
}

/// The module directories that declare GitHub settings: those whose files mention GitHub, and those that
/// call one of them (directly or through other local modules). The rest of a repository's Terraform is
/// about other platforms and is not evaluated: its unresolvable counts are not GitHub's.
fn about_github(parsed: &[File], called_by: &[(String, String)]) -> BTreeSet<String> {
    let mut relevant: BTreeSet<String> = parsed
        .iter()
        .filter(|f| f.path.ends_with(".tf") && mentions_github(f.lines.text()))
        .map(|f| dir_of(&f.path).to_string())
        .collect();
    loop {
        let more: Vec<String> = called_by
            .iter()
            .filter(|(caller, callee)| relevant.contains(callee) && !relevant.contains(caller))
            .map(|(caller, _)| caller.clone())
            .collect();
        if more.is_empty() {
            return relevant;
        }
        relevant.extend(more);
    }
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `./modules/repo` called from `infra` → `infra/modules/repo`; None for a registry or remote source,
/// or one that leaves the repository.
fn local_source(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in source.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// What names mean where an expression is evaluated.
#[derive(Clone, Default)]
struct Scope {
    module: String,
    /// Module path prefix for addresses (`module.repos["app"].`).
    prefix: String,
    vars: Arc<BTreeMap<String, Val>>,
    each: Option<(Val, Val)>,
    count: Option<usize>,
    /// For-expression and `dynamic` iterator names.
    names: Vec<(String, Val)>,
}

struct Evaluator<'a> {
    /// Module directories that declare GitHub settings (`about_github`): the only ones followed.
    relevant: &'a BTreeSet<String>,
    files: &'a [File],
    var_files: &'a [String],
    out: RefCell<Read>,
    /// Evaluations left (`MAX_EVALUATIONS`), and instances left (`MAX_INSTANCES` overall).
    evaluations: std::cell::Cell<usize>,
    instances_left: std::cell::Cell<usize>,
    /// Each module instance's locals, evaluated once.
    locals: RefCell<BTreeMap<(String, String), Val>>,
}

impl<'a> Evaluator<'a> {
    fn module_files(&self, dir: &str) -> impl Iterator<Item = &'a File> + '_ {
        let dir = dir.to_string();
        self.files
            .iter()
            .filter(move |f| f.path.ends_with(".tf") && dir_of(&f.path) == dir)
    }

    /// Each `variable` block: (name, file, block).
    fn variables(&self, dir: &str) -> Vec<(String, &'a File, &'a Block)> {
        let mut out = Vec::new();
        for f in self.module_files(dir) {
            for b in f.body.get_blocks("variable") {
                if let Some(l) = b.labels.first() {
                    out.push((l.as_str().to_string(), f, b));
                }
            }
        }
        out
    }

    /// A root module's variables: tfvars over defaults.
    fn root_vars(&self, dir: &str) -> BTreeMap<String, Val> {
        let mut vars = BTreeMap::new();
        for (name, f, b) in self.variables(dir) {
            vars.insert(name.clone(), self.default_of(&name, f, b, "a tfvars file"));
        }
        let mut loaded: Vec<&File> = Vec::new();
        let in_dir = |f: &&File| dir_of(&f.path) == dir;
        loaded.extend(
            self.files.iter().filter(in_dir).filter(|f| {
                f.path.ends_with("/terraform.tfvars") || &*f.path == "terraform.tfvars"
            }),
        );
        loaded.extend(
            self.files
                .iter()
                .filter(in_dir)
                .filter(|f| f.path.ends_with(".auto.tfvars")),
        );
        loaded.extend(self.files.iter().filter(|f| {
            self.var_files
                .iter()
                .any(|v| v.trim_start_matches("./") == &*f.path)
        }));
        let mut seen = BTreeSet::new();
        for f in loaded {
            if !seen.insert(f.path.clone()) {
                continue;
            }
            let scope = Scope {
                module: dir.to_string(),
                ..Scope::default()
            };
            for s in f.body.iter() {
                if let Structure::Attribute(a) = s {
                    vars.insert(a.key.as_str().to_string(), self.eval(&a.value, f, &scope));
                }
            }
        }
        let unused: Vec<&str> = self
            .files
            .iter()
            .filter(|f| in_dir(f) && f.path.ends_with(".tfvars"))
            .filter(|f| !seen.contains(&f.path))
            .map(|f| &*f.path)
            .collect();
        if !unused.is_empty() {
            self.out.borrow_mut().notes.push(format!(
                "Terraform variable files not loaded automatically and not named in `[declared] var-files`: {} (their values were not used)",
                unused.join(", ")
            ));
        }
        vars
    }

    fn default_of(&self, name: &str, f: &File, b: &Block, from: &str) -> Val {
        match b.body.get_attribute("default") {
            Some(a) => self.eval(&a.value, f, &Scope::default()),
            None => Val::unknown(
                &format!("var.{name}"),
                format!("variable `{name}` has no default and no value in {from}"),
                f.at(b.span()),
            ),
        }
    }

    fn module(&self, dir: &str, prefix: &str, vars: BTreeMap<String, Val>, depth: usize) {
        if depth > MAX_MODULE_DEPTH {
            self.out.borrow_mut().notes.push(format!(
                "Terraform modules nest more than {MAX_MODULE_DEPTH} deep at `{prefix}`: not read further"
            ));
            return;
        }
        let scope = Scope {
            module: dir.to_string(),
            prefix: prefix.to_string(),
            vars: Arc::new(vars),
            ..Scope::default()
        };
        for f in self.module_files(dir) {
            for s in f.body.iter() {
                let Structure::Block(b) = s else { continue };
                match (b.ident.as_str(), b.labels.as_slice()) {
                    ("resource", [kind, name]) if RESOURCES.contains(&kind.as_str()) => {
                        self.resource(kind.as_str(), name.as_str(), f, b, &scope);
                    }
                    ("provider", [name]) if name.as_str() == "github" && depth == 0 => {
                        if let Some(a) = b.body.get_attribute("owner") {
                            let owner = self.eval(&a.value, f, &scope);
                            self.out.borrow_mut().owner.get_or_insert(owner);
                        }
                    }
                    ("module", [name]) => self.call(name.as_str(), f, b, &scope, depth),
                    _ => {}
                }
            }
        }
    }

    fn call(&self, name: &str, f: &File, b: &Block, scope: &Scope, depth: usize) {
        let Some(source) = b
            .body
            .get_attribute("source")
            .and_then(|a| a.value.as_str())
        else {
            return;
        };
        let Some(child) = local_source(&scope.module, source) else {
            return; // a registry module: its resources are not in this tree
        };
        if !self.relevant.contains(&child) {
            return; // a module about another platform (or not in the tree): no GitHub settings
        }
        let address = format!("{}module.{name}", scope.prefix);
        let child_vars = self.variables(&child);
        for (key, inst) in self.instances(&address, f, b, scope) {
            let mut vars = BTreeMap::new();
            for (var, vf, vb) in &child_vars {
                let v = match b.body.get_attribute(var) {
                    Some(a) => self.eval(&a.value, f, &inst),
                    None => self.default_of(var, vf, vb, &format!("the call `{address}`")),
                };
                vars.insert(var.clone(), v);
            }
            let prefix = format!("{address}{key}.");
            self.module(&child, &prefix, vars, depth + 1);
        }
    }

    /// The instances of a resource or module block: (address suffix, scope with `each`/`count`).
    fn instances(&self, address: &str, f: &File, b: &Block, scope: &Scope) -> Vec<(String, Scope)> {
        let all = self.instances_unbudgeted(address, f, b, scope);
        let left = self.instances_left.get();
        if all.len() > left {
            self.too_many(address, f, b.span());
            return Vec::new();
        }
        self.instances_left.set(left - all.len());
        all
    }

    fn instances_unbudgeted(
        &self,
        address: &str,
        f: &File,
        b: &Block,
        scope: &Scope,
    ) -> Vec<(String, Scope)> {
        if let Some(a) = b.body.get_attribute("for_each") {
            let v = self.eval(&a.value, f, scope);
            if let Some(u) = v
                .first_unknown()
                .filter(|_| !matches!(v.v, V::List(_) | V::Map(_)))
                .or_else(|| v.unresolved())
            {
                self.out
                    .borrow_mut()
                    .unresolved
                    .push((address.to_string(), u.clone()));
                return Vec::new();
            }
            let items: Vec<(String, Val, Val)> = match &v.v {
                V::Map(entries) => entries
                    .iter()
                    .map(|(k, val)| {
                        (
                            k.clone(),
                            Val::new(V::Str(k.clone()), val.at.clone()),
                            val.clone(),
                        )
                    })
                    .collect(),
                V::List(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(|s| (s.to_string(), i.clone(), i.clone())))
                    .collect(),
                _ => Vec::new(),
            };
            if let Some(bad) = v
                .as_list()
                .and_then(|l| l.iter().find(|i| i.as_str().is_none()))
            {
                let u = bad.first_unknown().cloned().unwrap_or_else(|| Unresolved {
                    expr: bad.show(),
                    why: "for_each over a set takes strings".into(),
                    at: bad.at.clone().unwrap_or_else(|| f.at(a.value.span())),
                });
                self.out
                    .borrow_mut()
                    .unresolved
                    .push((address.to_string(), u));
                return Vec::new();
            }
            if items.len() > MAX_INSTANCES {
                self.too_many(address, f, a.value.span());
                return Vec::new();
            }
            return items
                .into_iter()
                .map(|(k, key, value)| {
                    let mut s = scope.clone();
                    s.each = Some((key, value));
                    (format!("[{k:?}]"), s)
                })
                .collect();
        }
        if let Some(a) = b.body.get_attribute("count") {
            let v = self.eval(&a.value, f, scope);
            let Some(n) = v.as_u64() else {
                let u = v.first_unknown().cloned().unwrap_or_else(|| Unresolved {
                    expr: f.src(a.value.span()).to_string(),
                    why: "count is not a whole number".into(),
                    at: f.at(a.value.span()),
                });
                self.out
                    .borrow_mut()
                    .unresolved
                    .push((address.to_string(), u));
                return Vec::new();
            };
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if n > MAX_INSTANCES {
                self.too_many(address, f, a.value.span());
                return Vec::new();
            }
            return (0..n)
                .map(|i| {
                    let mut s = scope.clone();
                    s.count = Some(i);
                    (format!("[{i}]"), s)
                })
                .collect();
        }
        vec![(String::new(), scope.clone())]
    }

    fn too_many(&self, address: &str, f: &File, span: Option<std::ops::Range<usize>>) {
        self.out.borrow_mut().unresolved.push((
            address.to_string(),
            Unresolved {
                expr: f.src(span.clone()).chars().take(80).collect(),
                why: format!("more than {MAX_INSTANCES} instances"),
                at: f.at(span),
            },
        ));
    }

    fn resource(&self, kind: &str, name: &str, f: &File, b: &Block, scope: &Scope) {
        let address = format!("{}{kind}.{name}", scope.prefix);
        for (key, inst) in self.instances(&address, f, b, scope) {
            let body = self.body(&b.body, f, &inst);
            let instance = Instance {
                kind: kind.to_string(),
                address: format!("{address}{key}"),
                body,
                at: f.at(b.span()),
            };
            self.out.borrow_mut().instances.push(instance);
        }
    }

    /// A block body as a map: attributes, and nested blocks as lists of maps (dynamic ones expanded).
    fn body(&self, body: &Body, f: &File, scope: &Scope) -> Val {
        let mut entries: Vec<(String, Val)> = Vec::new();
        let push_block = |entries: &mut Vec<(String, Val)>, name: &str, v: Val| match entries
            .iter_mut()
            .find(|(k, _)| k == name)
        {
            Some((_, Val { v: V::List(l), .. })) => l.push(v),
            _ => entries.push((name.to_string(), Val::new(V::List(vec![v]), None))),
        };
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let k = a.key.as_str();
                    if matches!(k, "for_each" | "count" | "depends_on" | "provider") {
                        continue;
                    }
                    let mut v = self.eval(&a.value, f, scope);
                    if v.at.is_none() {
                        v.at = Some(f.at(a.value.span()));
                    }
                    entries.push((k.to_string(), attr_val(v, f.at(a.span()))));
                }
                Structure::Block(b) if b.ident.as_str() == "dynamic" => {
                    let Some(label) = b.labels.first().map(|l| l.as_str().to_string()) else {
                        continue;
                    };
                    let Some(content) = b.body.get_blocks("content").next() else {
                        continue;
                    };
                    let iterator = b
                        .body
                        .get_attribute("iterator")
                        .and_then(|a| match &a.value {
                            Expression::Variable(v) => Some(v.as_str().to_string()),
                            _ => None,
                        })
                        .unwrap_or_else(|| label.clone());
                    let Some(fe) = b.body.get_attribute("for_each") else {
                        continue;
                    };
                    let coll = self.eval(&fe.value, f, scope);
                    let items: Vec<(Val, Val)> = match &coll.v {
                        V::Map(m) => m
                            .iter()
                            .map(|(k, v)| (Val::new(V::Str(k.clone()), v.at.clone()), v.clone()))
                            .collect(),
                        V::List(l) => l
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (Val::new(V::Num(i as f64), None), v.clone()))
                            .collect(),
                        _ => {
                            // The blocks it would make are unknown: say so where they would be.
                            let u = coll.first_unknown().cloned().map_or_else(
                                || {
                                    Val::unknown(
                                        f.src(fe.value.span()),
                                        "dynamic block's for_each is not a collection",
                                        f.at(fe.value.span()),
                                    )
                                },
                                |u| Val::new(V::Unknown(Box::new(u)), Some(f.at(b.span()))),
                            );
                            push_block(&mut entries, &label, u);
                            continue;
                        }
                    };
                    for (k, v) in items {
                        let mut s = scope.clone();
                        s.names.push((
                            iterator.clone(),
                            Val::new(V::Map(vec![("key".into(), k), ("value".into(), v)]), None),
                        ));
                        let mut inner = self.body(&content.body, f, &s);
                        inner.at = Some(f.at(b.span()));
                        push_block(&mut entries, &label, inner);
                    }
                }
                Structure::Block(b) => {
                    if b.ident.as_str() == "lifecycle" {
                        continue;
                    }
                    let mut inner = self.body(&b.body, f, scope);
                    inner.at = Some(f.at(b.span()));
                    push_block(&mut entries, b.ident.as_str(), inner);
                }
            }
        }
        Val::new(V::Map(entries), None)
    }

    fn eval(&self, e: &Expression, f: &File, scope: &Scope) -> Val {
        let at = f.at(e.span());
        let left = self.evaluations.get();
        if left == 0 {
            return Val::unknown(
                f.src(e.span()),
                format!("the config needs more than {MAX_EVALUATIONS} evaluations; shipgate stops there"),
                at,
            );
        }
        self.evaluations.set(left - 1);
        let here = |v: V| Val::new(v, Some(at.clone()));
        match e {
            Expression::Null(_) => here(V::Null),
            Expression::Bool(b) => here(V::Bool(*b.value())),
            Expression::Number(n) => here(n.as_f64().map_or(V::Null, V::Num)),
            Expression::String(s) => here(V::Str(s.value().clone())),
            Expression::Array(a) => {
                here(V::List(a.iter().map(|x| self.eval(x, f, scope)).collect()))
            }
            Expression::Object(o) => {
                let mut entries = Vec::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(x) => {
                            let kv = self.eval(x, f, scope);
                            match &kv.v {
                                V::Str(s) => s.clone(),
                                V::Num(_) | V::Bool(_) => kv.show(),
                                _ => {
                                    return unknown_from(
                                        kv,
                                        f.src(x.span()),
                                        "an object key is not known",
                                        at,
                                    )
                                }
                            }
                        }
                    };
                    entries.push((key, self.eval(v.expr(), f, scope)));
                }
                here(V::Map(entries))
            }
            Expression::StringTemplate(t) => self.template(t.iter(), f, scope, at),
            Expression::HeredocTemplate(h) => self.template(h.template.iter(), f, scope, at),
            Expression::Parenthesis(p) => self.eval(p.inner(), f, scope),
            Expression::Variable(v) => self.traverse(v.as_str(), &[], f, scope, e),
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(root) => {
                    let ops: Vec<&TraversalOperator> =
                        t.operators.iter().map(|o| o.value()).collect();
                    self.traverse(root.as_str(), &ops, f, scope, e)
                }
                other => {
                    let base = self.eval(other, f, scope);
                    let ops: Vec<&TraversalOperator> =
                        t.operators.iter().map(|o| o.value()).collect();
                    self.apply(base, &ops, f, scope, e)
                }
            },
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, f, scope);
                match cond.as_bool() {
                    Some(true) => self.eval(&c.true_expr, f, scope),
                    Some(false) => self.eval(&c.false_expr, f, scope),
                    None => unknown_from(cond, f.src(e.span()), "the condition is not known", at),
                }
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, f, scope);
                match (*u.operator.value(), &v.v) {
                    (UnaryOperator::Not, V::Bool(b)) => here(V::Bool(!b)),
                    (UnaryOperator::Neg, V::Num(n)) => here(V::Num(-n)),
                    _ => unknown_from(v, f.src(e.span()), "the operand is not known", at),
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.eval(&b.lhs_expr, f, scope);
                let r = self.eval(&b.rhs_expr, f, scope);
                binary(*b.operator.value(), l, r, f.src(e.span()), at)
            }
            Expression::FuncCall(call) => self.func(call, f, scope, at),
            Expression::ForExpr(fe) => self.for_expr(fe, f, scope, at),
        }
    }

    fn template<'t>(
        &self,
        elements: impl Iterator<Item = &'t Element>,
        f: &File,
        scope: &Scope,
        at: At,
    ) -> Val {
        let mut s = String::new();
        for el in elements {
            match el {
                Element::Literal(l) => s.push_str(l.value()),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, f, scope);
                    match &v.v {
                        V::Str(_) | V::Num(_) | V::Bool(_) => s.push_str(&v.show()),
                        V::Ref(r) => return Val::new(V::Ref(r.clone()), Some(at)),
                        _ => {
                            return unknown_from(
                                v,
                                f.src(i.expr.span()),
                                "an interpolated value is not known",
                                at,
                            )
                        }
                    }
                }
                Element::Directive(d) => {
                    return Val::unknown(
                        f.src(d.span()),
                        "template directives are not evaluated",
                        at,
                    )
                }
            }
        }
        Val::new(V::Str(s), Some(at))
    }

    /// `root.op.op…`: variables, locals, `each`, iterators, and references to other resources.
    fn traverse(
        &self,
        root: &str,
        ops: &[&TraversalOperator],
        f: &File,
        scope: &Scope,
        e: &Expression,
    ) -> Val {
        let at = f.at(e.span());
        let text = f.src(e.span());
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        if let Some((_, v)) = scope.names.iter().rev().find(|(n, _)| n == root) {
            return self.apply(v.clone(), ops, f, scope, e);
        }
        match root {
            "var" => match attr(0) {
                Some(name) => match scope.vars.get(name) {
                    // Unknown: said where it is used (the setting it leaves unknown), not where declared.
                    Some(v) if v.unresolved().is_some() => {
                        let u = v
                            .unresolved()
                            .map(|u| (u.expr.clone(), u.why.clone()))
                            .unwrap_or_default();
                        Val::unknown(&u.0, u.1, at)
                    }
                    Some(v) => self.apply(v.clone(), &ops[1..], f, scope, e),
                    None => Val::unknown(text, format!("no variable `{name}` is declared"), at),
                },
                None => Val::unknown(text, "not a variable reference", at),
            },
            "local" => match attr(0) {
                Some(name) => {
                    let v = self.local(name, scope, at.clone(), text);
                    self.apply(v, &ops[1..], f, scope, e)
                }
                None => Val::unknown(text, "not a local reference", at),
            },
            "each" => match (&scope.each, attr(0)) {
                (Some((k, _)), Some("key")) => self.apply(k.clone(), &ops[1..], f, scope, e),
                (Some((_, v)), Some("value")) => self.apply(v.clone(), &ops[1..], f, scope, e),
                _ => Val::unknown(text, "`each` outside a for_each", at),
            },
            "count" => match (scope.count, attr(0)) {
                (Some(i), Some("index")) => Val::new(V::Num(i as f64), Some(at)),
                _ => Val::unknown(text, "`count` outside a counted resource", at),
            },
            "path" => Val::new(V::Str(scope.module.clone()), Some(at)),
            "module" => Val::unknown(
                text,
                "module outputs are known only after a plan; shipgate does not evaluate them",
                at,
            ),
            "data" => match (attr(0), attr(1)) {
                (Some("github_repository"), Some(name)) => {
                    self.repo_ref("data", "github_repository", name, &ops[2..], f, scope, e)
                }
                _ => Val::new(V::Ref(text.to_string()), Some(at)),
            },
            "github_repository" => match attr(0) {
                Some(name) => self.repo_ref(
                    "resource",
                    "github_repository",
                    name,
                    &ops[1..],
                    f,
                    scope,
                    e,
                ),
                None => Val::unknown(text, "not a resource reference", at),
            },
            kind if kind.contains('_') => Val::new(V::Ref(text.to_string()), Some(at)),
            other => Val::unknown(text, format!("`{other}` is not a name shipgate knows"), at),
        }
    }

    /// `github_repository.app.name` (or `.node_id`, `[key]`): the repository's name as declared, which
    /// identifies it for every resource that names it.
    #[allow(clippy::too_many_arguments)]
    fn repo_ref(
        &self,
        block: &str,
        kind: &str,
        name: &str,
        ops: &[&TraversalOperator],
        f: &File,
        scope: &Scope,
        e: &Expression,
    ) -> Val {
        let at = f.at(e.span());
        let text = f.src(e.span());
        let found = self.module_files(&scope.module).find_map(|rf| {
            rf.body
                .get_blocks(block)
                .find(|b| b.has_exact_labels(&[kind, name]))
                .map(|b| (rf, b))
        });
        let Some((rf, b)) = found else {
            return Val::new(V::Ref(text.to_string()), Some(at));
        };
        let (key, rest) = match ops.first() {
            Some(TraversalOperator::Index(ix)) => (Some(self.eval(ix, f, scope)), &ops[1..]),
            _ => (None, ops),
        };
        let mut inst = Scope {
            module: scope.module.clone(),
            vars: scope.vars.clone(),
            prefix: scope.prefix.clone(),
            ..Scope::default()
        };
        if let Some(k) = &key {
            let Some(ks) = k.as_str().map(str::to_string) else {
                return unknown_from(k.clone(), text, "the instance key is not known", at);
            };
            let all = self.instances_quiet(rf, b, &inst);
            match all.into_iter().find(|(k, _)| *k == format!("[{ks:?}]")) {
                Some((_, s)) => inst = s,
                None => {
                    return Val::unknown(text, format!("{kind}.{name} has no instance `{ks}`"), at)
                }
            }
        }
        let field = match rest.first() {
            Some(TraversalOperator::GetAttr(a)) => a.as_str(),
            _ => return Val::new(V::Ref(text.to_string()), Some(at)),
        };
        match field {
            "name" | "id" | "node_id" | "repo_id" => {
                let attr = if block == "data" && b.body.get_attribute("name").is_none() {
                    "full_name"
                } else {
                    "name"
                };
                match b.body.get_attribute(attr) {
                    Some(a) => {
                        let v = self.eval(&a.value, rf, &inst);
                        match (&v.v, attr) {
                            (V::Str(s), "full_name") => Val::new(
                                V::Str(
                                    s.rsplit_once('/')
                                        .map_or(s.as_str(), |(_, n)| n)
                                        .to_string(),
                                ),
                                v.at,
                            ),
                            _ => v,
                        }
                    }
                    None => Val::unknown(text, format!("{kind}.{name} has no `name`"), at),
                }
            }
            _ => Val::new(V::Ref(text.to_string()), Some(at)),
        }
    }

    /// `instances` without reporting (a reference re-expands a resource already reported).
    fn instances_quiet(&self, f: &File, b: &Block, scope: &Scope) -> Vec<(String, Scope)> {
        let before = self.out.borrow().unresolved.len();
        let all = self.instances("", f, b, scope);
        self.out.borrow_mut().unresolved.truncate(before);
        all
    }

    fn local(&self, name: &str, scope: &Scope, at: At, text: &str) -> Val {
        thread_local! {
            static STACK: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
        }
        let cache_key = (
            scope.prefix.clone() + "\u{0}" + &scope.module,
            name.to_string(),
        );
        if let Some(v) = self.locals.borrow().get(&cache_key) {
            return v.clone();
        }
        let key = format!("{}\u{0}{name}", scope.module);
        if STACK.with(|s| s.borrow().contains(&key) || s.borrow().len() > 64) {
            return Val::unknown(text, format!("local `{name}` refers to itself"), at);
        }
        let found = self.module_files(&scope.module).find_map(|f| {
            f.body
                .get_blocks("locals")
                .find_map(|b| b.body.get_attribute(name))
                .map(|a| (f, a))
        });
        let Some((f, a)) = found else {
            return Val::unknown(text, format!("no local `{name}` is declared"), at);
        };
        STACK.with(|s| s.borrow_mut().push(key));
        // Locals see the module's variables, never the resource's `each`.
        let s = Scope {
            module: scope.module.clone(),
            prefix: scope.prefix.clone(),
            vars: scope.vars.clone(),
            ..Scope::default()
        };
        let mut v = self.eval(&a.value, f, &s);
        STACK.with(|s| s.borrow_mut().pop());
        if nodes(&v, MAX_LOCAL_NODES) > MAX_LOCAL_NODES {
            v = Val::unknown(
                text,
                format!("local `{name}` is larger than {MAX_LOCAL_NODES} values"),
                at,
            );
        }
        self.locals.borrow_mut().insert(cache_key, v.clone());
        v
    }

    fn apply(
        &self,
        mut v: Val,
        ops: &[&TraversalOperator],
        f: &File,
        scope: &Scope,
        e: &Expression,
    ) -> Val {
        let text = f.src(e.span());
        for (i, op) in ops.iter().enumerate() {
            if v.unresolved().is_some() {
                return v;
            }
            if let V::Ref(r) = &v.v {
                return Val::new(V::Ref(format!("{r}{}", op_text(op, f))), v.at);
            }
            v = match op {
                TraversalOperator::GetAttr(a) => match v.get(a.as_str()) {
                    Some(x) => x.clone(),
                    None => missing(
                        text,
                        &format!("no attribute `{}`", a.as_str()),
                        f.at(e.span()),
                    ),
                },
                TraversalOperator::Index(ix) => {
                    let k = self.eval(ix, f, scope);
                    match (&v.v, &k.v) {
                        (V::List(l), V::Num(n)) => match l.get(*n as usize) {
                            Some(x) => x.clone(),
                            None => missing(text, "index out of range", f.at(e.span())),
                        },
                        (V::Map(_), V::Str(s)) => match v.get(s) {
                            Some(x) => x.clone(),
                            None => missing(text, &format!("no key `{s}`"), f.at(e.span())),
                        },
                        _ => {
                            return unknown_from(k, text, "the index is not known", f.at(e.span()))
                        }
                    }
                }
                TraversalOperator::LegacyIndex(n) => {
                    match v.as_list().and_then(|l| l.get(*n.value() as usize)) {
                        Some(x) => x.clone(),
                        None => missing(text, "index out of range", f.at(e.span())),
                    }
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match &v.v {
                        V::List(l) => l.clone(),
                        V::Null => Vec::new(),
                        _ => vec![v.clone()],
                    };
                    let rest = &ops[i + 1..];
                    let mapped = items
                        .into_iter()
                        .map(|x| self.apply(x, rest, f, scope, e))
                        .collect();
                    return Val::new(V::List(mapped), Some(f.at(e.span())));
                }
            };
        }
        v
    }

    fn for_expr(&self, fe: &ForExpr, f: &File, scope: &Scope, at: At) -> Val {
        let coll = self.eval(&fe.intro.collection_expr, f, scope);
        let items: Vec<(Val, Val)> = match &coll.v {
            V::Map(m) => m
                .iter()
                .map(|(k, v)| (Val::new(V::Str(k.clone()), v.at.clone()), v.clone()))
                .collect(),
            V::List(l) => l
                .iter()
                .enumerate()
                .map(|(i, v)| (Val::new(V::Num(i as f64), None), v.clone()))
                .collect(),
            _ => {
                return unknown_from(
                    coll,
                    f.src(fe.intro.collection_expr.span()),
                    "the collection is not known",
                    at,
                )
            }
        };
        let mut list = Vec::new();
        let mut map: Vec<(String, Val)> = Vec::new();
        for (k, v) in items {
            let mut s = scope.clone();
            if let Some(kv) = &fe.intro.key_var {
                s.names.push((kv.as_str().to_string(), k));
            }
            s.names.push((fe.intro.value_var.as_str().to_string(), v));
            if let Some(c) = &fe.cond {
                let keep = self.eval(&c.expr, f, &s);
                match keep.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        return unknown_from(
                            keep,
                            f.src(c.expr.span()),
                            "the filter is not known",
                            at,
                        )
                    }
                }
            }
            let value = self.eval(&fe.value_expr, f, &s);
            match &fe.key_expr {
                Some(ke) => {
                    let key = self.eval(ke, f, &s);
                    let Some(key) = key
                        .as_str()
                        .map(str::to_string)
                        .or_else(|| matches!(key.v, V::Num(_) | V::Bool(_)).then(|| key.show()))
                    else {
                        return unknown_from(key, f.src(ke.span()), "a key is not known", at);
                    };
                    if fe.grouping {
                        match map.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, Val { v: V::List(l), .. })) => l.push(value),
                            _ => map.push((key, Val::new(V::List(vec![value]), None))),
                        }
                    } else {
                        map.push((key, value));
                    }
                }
                None => list.push(value),
            }
        }
        if fe.key_expr.is_some() {
            Val::new(V::Map(map), Some(at))
        } else {
            Val::new(V::List(list), Some(at))
        }
    }

    fn func(&self, call: &FuncCall, f: &File, scope: &Scope, at: At) -> Val {
        let name = call.name.name.as_str();
        let text = f.src(call.span());
        let args: Vec<Val> = call.args.iter().map(|a| self.eval(a, f, scope)).collect();
        let here = |v: V| Val::new(v, Some(at.clone()));
        // `try` and `can` catch evaluation errors (a missing key), never what is unknown offline.
        if name == "try" {
            for a in &args {
                match a.first_unknown() {
                    None => return a.clone(),
                    Some(u) if is_error(u) => continue,
                    Some(_) => return a.clone(),
                }
            }
            return Val::unknown(text, "no argument of try() could be evaluated", at);
        }
        if name == "can" {
            return match args.first().and_then(Val::first_unknown) {
                None => here(V::Bool(true)),
                Some(u) if is_error(u) => here(V::Bool(false)),
                Some(_) => Val::unknown(text, "can() of a value not known offline", at),
            };
        }
        if let Some(u) = args.iter().find_map(Val::unresolved) {
            return Val::new(V::Unknown(Box::new(u.clone())), Some(at));
        }
        match (name, args.as_slice()) {
            ("merge", maps) => {
                let mut out: Vec<(String, Val)> = Vec::new();
                for m in maps {
                    match &m.v {
                        V::Map(entries) => {
                            for (k, v) in entries {
                                out.retain(|(x, _)| x != k);
                                out.push((k.clone(), v.clone()));
                            }
                        }
                        V::Null => {}
                        _ => return Val::unknown(text, "merge() of something not a map", at),
                    }
                }
                here(V::Map(out))
            }
            ("lookup", [m, k, rest @ ..]) => {
                match (m.get(k.as_str().unwrap_or_default()), rest.first()) {
                    (Some(v), _) => v.clone(),
                    (None, Some(d)) => d.clone(),
                    (None, None) => missing(text, "lookup() found no such key", at),
                }
            }
            ("concat", lists) => {
                let mut out = Vec::new();
                for l in lists {
                    match &l.v {
                        V::List(items) => out.extend(items.iter().cloned()),
                        _ => return Val::unknown(text, "concat() of something not a list", at),
                    }
                }
                here(V::List(out))
            }
            ("flatten", [l]) => {
                fn flat(v: &Val, out: &mut Vec<Val>) {
                    match &v.v {
                        V::List(items) => items.iter().for_each(|i| flat(i, out)),
                        _ => out.push(v.clone()),
                    }
                }
                let mut out = Vec::new();
                flat(l, &mut out);
                here(V::List(out))
            }
            ("toset" | "distinct", [l]) => match &l.v {
                V::List(items) => {
                    let mut seen = BTreeSet::new();
                    here(V::List(
                        items
                            .iter()
                            .filter(|i| seen.insert(i.show()))
                            .cloned()
                            .collect(),
                    ))
                }
                _ => Val::unknown(text, format!("{name}() of something not a list"), at),
            },
            ("tolist" | "tomap", [v]) => v.clone(),
            ("keys", [m]) => match &m.v {
                V::Map(e) => here(V::List(
                    e.iter()
                        .map(|(k, _)| Val::new(V::Str(k.clone()), None))
                        .collect(),
                )),
                _ => Val::unknown(text, "keys() of something not a map", at),
            },
            ("values", [m]) => match &m.v {
                V::Map(e) => here(V::List(e.iter().map(|(_, v)| v.clone()).collect())),
                _ => Val::unknown(text, "values() of something not a map", at),
            },
            ("length", [v]) => match &v.v {
                V::List(l) => here(V::Num(l.len() as f64)),
                V::Map(m) => here(V::Num(m.len() as f64)),
                V::Str(s) => here(V::Num(s.chars().count() as f64)),
                _ => Val::unknown(text, "length() of an unknown value", at),
            },
            ("contains", [l, x]) => match &l.v {
                V::List(items) => here(V::Bool(items.iter().any(|i| i.show() == x.show()))),
                _ => Val::unknown(text, "contains() of something not a list", at),
            },
            ("coalesce", vals) => vals
                .iter()
                .find(|v| !v.is_null() && v.as_str() != Some(""))
                .cloned()
                .unwrap_or_else(|| Val::unknown(text, "coalesce() of nothing", at)),
            ("lower", [s]) => here(V::Str(s.show().to_lowercase())),
            ("upper", [s]) => here(V::Str(s.show().to_uppercase())),
            ("join", [sep, l]) => match &l.v {
                V::List(items) => here(V::Str(
                    items
                        .iter()
                        .map(Val::show)
                        .collect::<Vec<_>>()
                        .join(&sep.show()),
                )),
                _ => Val::unknown(text, "join() of something not a list", at),
            },
            ("format", [fmt, rest @ ..]) => {
                let mut out = String::new();
                let mut args = rest.iter();
                let fmt = fmt.show();
                let mut chars = fmt.chars();
                while let Some(c) = chars.next() {
                    if c == '%' {
                        match chars.next() {
                            Some('%') => out.push('%'),
                            Some('s' | 'd' | 'v') => match args.next() {
                                Some(a) => out.push_str(&a.show()),
                                None => {
                                    return Val::unknown(text, "format() has too few arguments", at)
                                }
                            },
                            _ => return Val::unknown(text, "format() verb not evaluated", at),
                        }
                    } else {
                        out.push(c);
                    }
                }
                here(V::Str(out))
            }
            _ => Val::unknown(
                text,
                format!("function `{name}()` is not evaluated offline"),
                at,
            ),
        }
    }
}

/// A local's value holds at most this many values (a local built from copies of copies is refused).
const MAX_LOCAL_NODES: usize = 200_000;

/// How many values `v` holds, counting no further than `limit + 1`.
fn nodes(v: &Val, limit: usize) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        n += 1;
        if n > limit {
            break;
        }
        match &x.v {
            V::List(l) => stack.extend(l.iter()),
            V::Map(m) => stack.extend(m.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    n
}

/// An evaluation error `try()` may catch: a missing key or index.
fn missing(text: &str, why: &str, at: At) -> Val {
    Val::unknown(text, format!("error: {why}"), at)
}

fn is_error(u: &Unresolved) -> bool {
    u.why.starts_with("error: ")
}

/// An attribute's value, located at the value's own origin when it has one (a variable's default, a
/// tfvars entry), else at the attribute.
fn attr_val(mut v: Val, attr: At) -> Val {
    if v.at.is_none() {
        v.at = Some(attr);
    }
    v
}

/// Unknown because of `cause` (its own reason when it is unknown itself).
fn unknown_from(cause: Val, text: &str, why: &str, at: At) -> Val {
    match cause.v {
        V::Unknown(u) => Val::new(V::Unknown(u), Some(at)),
        V::Ref(r) => Val::unknown(
            text,
            format!("`{r}` is known only once Terraform has applied the config"),
            at,
        ),
        _ => Val::unknown(text, why, at),
    }
}

fn op_text(op: &TraversalOperator, f: &File) -> String {
    match op {
        TraversalOperator::GetAttr(a) => format!(".{}", a.as_str()),
        TraversalOperator::Index(e) => format!("[{}]", f.src(e.span())),
        TraversalOperator::LegacyIndex(n) => format!(".{}", n.value()),
        _ => ".*".into(),
    }
}

fn binary(op: BinaryOperator, l: Val, r: Val, text: &str, at: At) -> Val {
    let here = |v: V| Val::new(v, Some(at.clone()));
    if l.first_unknown().is_some() || matches!(l.v, V::Ref(_)) {
        return unknown_from(l, text, "an operand is not known", at);
    }
    if r.first_unknown().is_some() || matches!(r.v, V::Ref(_)) {
        return unknown_from(r, text, "an operand is not known", at);
    }
    let nums = match (&l.v, &r.v) {
        (V::Num(a), V::Num(b)) => Some((*a, *b)),
        _ => None,
    };
    match (op, nums) {
        (BinaryOperator::Eq, _) => here(V::Bool(l.show() == r.show())),
        (BinaryOperator::NotEq, _) => here(V::Bool(l.show() != r.show())),
        (BinaryOperator::And, _) => match (l.as_bool(), r.as_bool()) {
            (Some(a), Some(b)) => here(V::Bool(a && b)),
            _ => Val::unknown(text, "&& of something not a bool", at),
        },
        (BinaryOperator::Or, _) => match (l.as_bool(), r.as_bool()) {
            (Some(a), Some(b)) => here(V::Bool(a || b)),
            _ => Val::unknown(text, "|| of something not a bool", at),
        },
        (BinaryOperator::Plus, Some((a, b))) => here(V::Num(a + b)),
        (BinaryOperator::Minus, Some((a, b))) => here(V::Num(a - b)),
        (BinaryOperator::Mul, Some((a, b))) => here(V::Num(a * b)),
        (BinaryOperator::Less, Some((a, b))) => here(V::Bool(a < b)),
        (BinaryOperator::LessEq, Some((a, b))) => here(V::Bool(a <= b)),
        (BinaryOperator::Greater, Some((a, b))) => here(V::Bool(a > b)),
        (BinaryOperator::GreaterEq, Some((a, b))) => here(V::Bool(a >= b)),
        _ => Val::unknown(text, "operator not evaluated", at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, Arc<str>)> {
        list.iter()
            .map(|(p, t)| (p.to_string(), Arc::from(*t)))
            .collect()
    }

    fn attr<'a>(i: &'a Instance, path: &[&str]) -> Option<&'a Val> {
        let mut v = &i.body;
        let (last, walk) = path.split_last()?;
        for p in walk {
            v = v.block(p)?;
        }
        v.get(last)
    }

    #[test]
    fn for_each_over_a_map_variable_with_tfvars_and_locals() {
        let r = read(
            &files(&[
                (
                    "infra/main.tf",
                    r#"
provider "github" { owner = "octo-org" }
variable "repos" { default = {} }
locals { approvals = 2 }
resource "github_branch_protection" "main" {
  for_each      = var.repos
  repository_id = each.key
  pattern       = "main"
  required_pull_request_reviews {
    required_approving_review_count = try(each.value.approvals, local.approvals)
  }
}
"#,
                ),
                (
                    "infra/terraform.tfvars",
                    "repos = {\n  app = { approvals = 0 }\n  api = {}\n}\n",
                ),
            ]),
            &[],
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.owner.as_ref().and_then(Val::as_str), Some("octo-org"));
        let got: Vec<(String, Option<u64>, u32)> = r
            .instances
            .iter()
            .map(|i| {
                let v = attr(
                    i,
                    &[
                        "required_pull_request_reviews",
                        "required_approving_review_count",
                    ],
                );
                (
                    i.address.clone(),
                    v.and_then(Val::as_u64),
                    v.and_then(|v| v.at.as_ref()).map_or(0, |a| a.pos.line),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("github_branch_protection.main[\"app\"]".into(), Some(0), 2),
                ("github_branch_protection.main[\"api\"]".into(), Some(2), 4),
            ]
        );
    }

    #[test]
    fn unknowns_name_their_expression_and_modules_get_their_inputs() {
        let r = read(
            &files(&[
                (
                    "main.tf",
                    r#"
variable "approvals" {}
module "repos" {
  source   = "./modules/repo"
  for_each = toset(["app"])
  name     = each.key
  approvals = var.approvals
}
resource "github_repository_environment" "prod" {
  repository  = "app"
  environment = "production"
  reviewers { teams = [github_team.release.id] }
  can_admins_bypass = module.x.flag
}
"#,
                ),
                (
                    "modules/repo/main.tf",
                    r#"
variable "name" {}
variable "approvals" {}
resource "github_branch_protection_v3" "this" {
  repository = var.name
  branch     = "main"
  required_pull_request_reviews { required_approving_review_count = var.approvals }
}
"#,
                ),
            ]),
            &[],
        );
        let v3 = r
            .instances
            .iter()
            .find(|i| i.kind == "github_branch_protection_v3");
        assert_eq!(
            v3.map(|i| i.address.as_str()),
            Some("module.repos[\"app\"].github_branch_protection_v3.this")
        );
        let count = v3.and_then(|i| {
            attr(
                i,
                &[
                    "required_pull_request_reviews",
                    "required_approving_review_count",
                ],
            )
        });
        let u = count.and_then(Val::unresolved);
        assert_eq!(u.map(|u| u.expr.as_str()), Some("var.approvals"));
        assert!(u.is_some_and(|u| u.why.contains("no default")), "{u:?}");
        let env = r
            .instances
            .iter()
            .find(|i| i.kind == "github_repository_environment");
        let team = env.and_then(|i| attr(i, &["reviewers", "teams"]));
        assert_eq!(
            team.map(Val::show).as_deref(),
            Some("[github_team.release.id]")
        );
        let bypass = env
            .and_then(|i| attr(i, &["can_admins_bypass"]))
            .and_then(Val::unresolved);
        assert!(
            bypass.is_some_and(|u| u.why.contains("module outputs")),
            "{bypass:?}"
        );
    }

    #[test]
    fn hostile_configs_end_as_errors_or_unknowns() {
        let deep = format!(
            "locals {{ x = {}1{} }}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let r = read(&files(&[("deep.tf", &deep)]), &[]);
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].1.contains("nested more than"), "{:?}", r.errors);
        // Locals that multiply each other: bounded, and the resource's for_each is unresolved.
        let mut tf = String::from("locals {\n  l0 = [\"a\", \"b\", \"c\", \"d\"]\n");
        for i in 1..30 {
            tf.push_str(&format!(
                "  l{i} = [local.l{p}, local.l{p}, local.l{p}, local.l{p}]\n",
                p = i - 1
            ));
        }
        tf.push_str("}\nresource \"github_branch_protection\" \"x\" {\n  for_each = toset(flatten(local.l29))\n  repository_id = each.key\n  pattern = \"main\"\n}\n");
        let r = read(&files(&[("bomb.tf", &tf)]), &[]);
        assert!(r.instances.is_empty());
        assert_eq!(r.unresolved.len(), 1, "{:?}", r.unresolved);
    }

    #[test]
    fn an_unresolvable_for_each_is_reported_not_expanded() {
        let r = read(
            &files(&[(
                "main.tf",
                "resource \"github_branch_protection\" \"p\" {\n  for_each = yamldecode(file(\"repos.yaml\"))\n  repository_id = each.key\n  pattern = \"main\"\n}\n",
            )]),
            &[],
        );
        assert!(r.instances.is_empty());
        assert_eq!(r.unresolved.len(), 1);
        assert!(
            r.unresolved[0].1.why.contains("yamldecode") || r.unresolved[0].1.why.contains("file"),
            "{:?}",
            r.unresolved
        );
        assert_eq!(r.unresolved[0].1.at.pos.line, 2);
    }
}
