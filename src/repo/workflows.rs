//! GitHub Actions workflow files as a small model with source positions. Pure: text in, model out.
//!
//! YAML crate: `saphyr` (with `saphyr-parser`). It is a YAML 1.2 parser, which is what GitHub needs (`on:`
//! stays the string "on", not the YAML 1.1 boolean); its `MarkedYaml` tree keeps a span (line, column,
//! character index) on every node including mapping keys; it resolves anchors and aliases (GitHub accepts
//! them since September 2025) with a node budget against alias bombs, and gives an alias the alias's own
//! span; it reads multi-document streams; it is pure Rust under MIT/Apache-2.0 with our MSRV (1.85).
//! `yaml-rust2` is the same parser lineage but exposes positions only as events, so we would rebuild the
//! tree ourselves; `marked-yaml` refuses anchors outright. Scalars are loaded as written (no early
//! typing), so `branches: [1.10]` stays "1.10" rather than becoming a float.

use saphyr::{MarkedYaml, Scalar, YamlData, YamlLoader};

pub use crate::finding::Pos;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

/// A YAML error: GitHub would refuse the file too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

/// One workflow document (a file normally holds one; every document of a multi-document file is read).
#[derive(Debug, Clone, Default)]
pub struct Workflow {
    pub path: String,
    /// The whole file's text (shared by its documents), to locate things inside scalars.
    pub text: std::sync::Arc<str>,
    pub name: Option<String>,
    /// The `on` key, where workflow-level findings point; the document start when there is none.
    pub anchor: Pos,
    pub triggers: Vec<Trigger>,
    pub permissions: Option<Spanned<Permissions>>,
    /// The workflow's `env:` (scalar values as written), which every job's `env` context starts from.
    pub env: Vec<(String, String)>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub event: Spanned<String>,
    /// `branches:` (None when absent: every branch), `branches-ignore:`.
    pub branches: Option<Vec<String>>,
    pub branches_ignore: Option<Vec<String>>,
    /// `tags:` or `tags-ignore:` present: with no `branches`, a push trigger then runs for tags only.
    pub tags: bool,
    /// `types:` (None when absent: the event's default activity types).
    pub types: Option<Vec<String>>,
    /// `workflow_run.workflows`: names of the workflows whose runs trigger this one.
    pub workflows: Vec<String>,
    /// `workflow_dispatch.inputs` / `workflow_call.inputs`: what a manual run or a caller may pass.
    pub inputs: Vec<Input>,
}

/// One input of a manual run or a reusable workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub name: String,
    /// A `type: choice` input's `options:` (a manual run can pick only these).
    pub options: Vec<String>,
    pub default: Option<String>,
}

/// A job's `strategy.matrix`: each key with its values (the listed ones and those `include:` adds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    pub keys: Vec<(String, Vec<String>)>,
    /// The matrix (or one of its lists) is an expression (`${{ fromJSON(...) }}`) or holds values that are
    /// not plain scalars: its values are not known from the file.
    pub dynamic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    ReadAll,
    WriteAll,
    /// `{}` or explicit scopes: (scope, level).
    Scopes(Vec<(String, String)>),
    /// Anything else (an expression): not judged.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub cond: Option<Spanned<String>>,
    /// `environment: prod` or `environment: {name: prod}`.
    pub environment: Option<Spanned<String>>,
    pub permissions: Option<Spanned<Permissions>>,
    /// A reusable-workflow call (`uses:` on the job).
    pub uses: Option<Spanned<String>>,
    /// A reusable-workflow call's `with:` (the called workflow's `inputs`).
    pub with: Vec<(String, Spanned<String>)>,
    /// `strategy.matrix`, when the job has one.
    pub matrix: Option<Matrix>,
    /// Jobs this one waits for (`needs:`); it is skipped when one of them is, unless its `if:` says otherwise.
    pub needs: Vec<String>,
    /// Can the job authenticate to anything outside the runner: it mentions `secrets.` or `github.token`,
    /// may request an OIDC token (`id-token: write`), or runs on a self-hosted runner (ambient credentials).
    /// A deploy command in a job that cannot is aimed at something local (a kind cluster, a dry run).
    pub credentials: bool,
    /// The job's own `env:` (scalar values as written).
    pub env: Vec<(String, String)>,
    /// The job's `outputs:` (name, the expression as written), which later jobs read as
    /// `needs.<id>.outputs.<name>`.
    pub outputs: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub pos: Pos,
    /// `id:`, by which later steps and the job's `outputs:` read the step's outputs.
    pub id: Option<String>,
    pub name: Option<String>,
    pub cond: Option<Spanned<String>>,
    pub uses: Option<Spanned<String>>,
    pub run: Option<Spanned<String>>,
    pub with: Vec<(String, Spanned<String>)>,
    /// The step's own `env:` (scalar values as written).
    pub env: Vec<(String, String)>,
}

impl Workflow {
    /// Where `needle` first occurs inside the node at `within` (e.g. one line of a multi-line `run:`
    /// script), or `within` itself if it cannot be found (folded or escaped scalars).
    pub fn locate(&self, within: Pos, needle: &str) -> Pos {
        let end = if within.end > within.start {
            within.end
        } else {
            self.text.len()
        };
        let found = self
            .text
            .get(within.start..end)
            .and_then(|hay| hay.find(needle))
            .filter(|_| !needle.is_empty());
        let Some(i) = found else {
            return within;
        };
        let start = within.start + i;
        let mut lines = crate::repo::text::LineIndex::new(self.text.as_bytes());
        let span = lines.span("", start, start + needle.len());
        Pos {
            start,
            end: start + needle.len(),
            line: span.line,
            column: span.column,
            end_line: span.end_line,
            end_column: span.end_column,
        }
    }
}

impl Step {
    pub fn with(&self, key: &str) -> Option<&Spanned<String>> {
        self.with.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Is `path` a workflow file GitHub runs?
pub fn is_workflow_path(path: &str) -> bool {
    path.strip_prefix(".github/workflows/").is_some_and(|name| {
        !name.contains('/') && (name.ends_with(".yml") || name.ends_with(".yaml"))
    })
}

/// Parse every document of a workflow file.
pub fn parse(path: &str, text: &str) -> Result<Vec<Workflow>, YamlError> {
    let shared: std::sync::Arc<str> = std::sync::Arc::from(text);
    with_documents(text, |reader, docs| {
        docs.iter()
            .filter_map(|doc| reader.workflow(path, doc))
            .map(|mut wf| {
                wf.text = shared.clone();
                wf
            })
            .collect()
    })
}

/// Load every document of a YAML file within bounds, and hand them to `read`.
fn with_documents<T>(text: &str, read: impl FnOnce(&Reader, &[Node]) -> T) -> Result<T, YamlError> {
    let offsets = Offsets::new(text);
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    // Not `parser.load`: it recurses once per level of nesting (see yaml_bounds).
    let loaded = super::yaml_bounds::load(&mut parser, &mut loader);
    let error = loaded.err().or_else(|| loader.error().cloned());
    if let Some(e) = error {
        let m = e.marker();
        let start = offsets.byte(m.index());
        return Err(YamlError {
            message: e.info().to_string(),
            pos: Pos {
                start,
                end: start,
                line: to_u32(m.line()),
                column: to_u32(m.col() + 1),
                end_line: to_u32(m.line()),
                end_column: to_u32(m.col() + 1),
            },
        });
    }
    let reader = Reader { offsets };
    let docs = loader.into_documents();
    Ok(read(&reader, &docs))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// saphyr counts characters; findings carry byte offsets. For ASCII files (nearly all workflows) the two
/// agree and no table is built.
struct Offsets {
    /// Byte offset of each character, plus the end; empty when the text is ASCII.
    table: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let table = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect()
        };
        Offsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.table.is_empty() {
            char_index.min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

struct Reader {
    offsets: Offsets,
}

type Node<'a> = MarkedYaml<'a>;

impl Reader {
    fn pos(&self, node: &Node) -> Pos {
        let (s, e) = (node.span.start, node.span.end);
        // Some nodes (empty values) carry no end; make the span at least start..start.
        let (e_line, e_col, e_idx) = if e.line() == 0 || e.index() < s.index() {
            (s.line(), s.col(), s.index())
        } else {
            (e.line(), e.col(), e.index())
        };
        Pos {
            start: self.offsets.byte(s.index()),
            end: self.offsets.byte(e_idx),
            line: to_u32(s.line()),
            column: to_u32(s.col() + 1),
            end_line: to_u32(e_line),
            end_column: to_u32(e_col + 1),
        }
    }

    fn spanned(&self, node: &Node) -> Option<Spanned<String>> {
        scalar(node).map(|s| Spanned {
            value: s.to_string(),
            pos: self.pos(node),
        })
    }

    fn workflow(&self, path: &str, doc: &Node) -> Option<Workflow> {
        let map = mapping(doc)?;
        let mut wf = Workflow {
            path: path.to_string(),
            anchor: self.pos(doc),
            ..Workflow::default()
        };
        let mut shared_credentials = false;
        for (k, v) in map {
            match scalar(k) {
                Some("name") => wf.name = scalar(v).map(str::to_string),
                Some("on") => {
                    wf.anchor = self.pos(k);
                    wf.triggers = self.triggers(v);
                }
                Some("permissions") => {
                    wf.permissions = Some(self.permissions(v));
                    shared_credentials |= grants_id_token(v);
                }
                Some("env") => {
                    shared_credentials |= mentions_credentials(v, 0);
                    wf.env = scalars(v);
                }
                Some("jobs") => {
                    for (id, job) in mapping(v).into_iter().flatten() {
                        if let (Some(id), Some(job)) = (self.spanned(id), mapping(job)) {
                            wf.jobs.push(self.job(id, job));
                        }
                    }
                }
                _ => {}
            }
        }
        if shared_credentials {
            wf.jobs.iter_mut().for_each(|j| j.credentials = true);
        }
        Some(wf)
    }

    fn triggers(&self, on: &Node) -> Vec<Trigger> {
        let bare = |event: Spanned<String>| Trigger {
            event,
            branches: None,
            branches_ignore: None,
            tags: false,
            types: None,
            workflows: Vec::new(),
            inputs: Vec::new(),
        };
        if let Some(seq) = sequence(on) {
            return seq
                .iter()
                .filter_map(|e| self.spanned(e))
                .map(bare)
                .collect();
        }
        let Some(map) = mapping(on) else {
            return self.spanned(on).map(bare).into_iter().collect();
        };
        let mut out = Vec::new();
        for (k, v) in map {
            let Some(event) = self.spanned(k) else {
                continue;
            };
            let mut t = bare(event);
            for (fk, fv) in mapping(v).into_iter().flatten() {
                match scalar(fk) {
                    Some("branches") => t.branches = Some(strings(fv)),
                    Some("branches-ignore") => t.branches_ignore = Some(strings(fv)),
                    Some("tags" | "tags-ignore") => t.tags = true,
                    Some("types") => t.types = Some(strings(fv)),
                    Some("workflows") => t.workflows = strings(fv),
                    Some("inputs") => t.inputs = inputs(fv),
                    _ => {}
                }
            }
            out.push(t);
        }
        out
    }

    fn permissions(&self, node: &Node) -> Spanned<Permissions> {
        let value = match (scalar(node), mapping(node)) {
            (Some("read-all"), _) => Permissions::ReadAll,
            (Some("write-all"), _) => Permissions::WriteAll,
            (_, Some(map)) => Permissions::Scopes(
                map.iter()
                    .filter_map(|(k, v)| Some((scalar(k)?.to_string(), scalar(v)?.to_string())))
                    .collect(),
            ),
            (Some(other), _) => Permissions::Other(other.to_string()),
            (None, None) => Permissions::Other(String::new()),
        };
        Spanned {
            value,
            pos: self.pos(node),
        }
    }

    fn job(&self, id: Spanned<String>, map: &saphyr::AnnotatedMapping<'_, Node>) -> Job {
        let mut job = Job {
            id,
            name: None,
            cond: None,
            environment: None,
            permissions: None,
            uses: None,
            with: Vec::new(),
            matrix: None,
            needs: Vec::new(),
            credentials: false,
            env: Vec::new(),
            outputs: Vec::new(),
            steps: Vec::new(),
        };
        for (k, v) in map {
            match scalar(k) {
                Some("name") => job.name = scalar(v).map(str::to_string),
                Some("needs") => job.needs = strings(v),
                Some("runs-on") => {
                    job.credentials |= strings(v).iter().any(|r| r.contains("self-hosted"));
                }
                Some("if") => job.cond = self.spanned(v),
                Some("environment") => {
                    job.environment = match mapping(v) {
                        Some(env) => env
                            .iter()
                            .find(|(k, _)| scalar(k) == Some("name"))
                            .and_then(|(_, n)| self.spanned(n)),
                        None => self.spanned(v),
                    }
                    .filter(|e| !is_null(&e.value));
                }
                Some("permissions") => {
                    job.permissions = Some(self.permissions(v));
                    job.credentials |= grants_id_token(v);
                }
                Some("uses") => job.uses = self.spanned(v),
                Some("with") => job.with = self.with(v),
                Some("env") => job.env = scalars(v),
                Some("outputs") => job.outputs = scalars(v),
                Some("strategy") => {
                    job.matrix = mapping(v)
                        .and_then(|m| m.iter().find(|(k, _)| scalar(k) == Some("matrix")))
                        .map(|(_, m)| matrix(m));
                }
                Some("steps") => {
                    job.steps = sequence(v)
                        .into_iter()
                        .flatten()
                        .filter_map(|s| self.step(s))
                        .collect();
                }
                _ => {}
            }
            job.credentials |= mentions_credentials(v, 0);
        }
        job
    }

    fn step(&self, node: &Node) -> Option<Step> {
        let map = mapping(node)?;
        let mut step = Step {
            pos: self.pos(node),
            id: None,
            name: None,
            cond: None,
            uses: None,
            run: None,
            with: Vec::new(),
            env: Vec::new(),
        };
        for (k, v) in map {
            match scalar(k) {
                Some("id") => step.id = scalar(v).map(str::to_string),
                Some("name") => step.name = scalar(v).map(str::to_string),
                Some("if") => step.cond = self.spanned(v),
                Some("uses") => step.uses = self.spanned(v),
                Some("run") => step.run = self.spanned(v),
                Some("with") => step.with = self.with(v),
                Some("env") => step.env = scalars(v),
                _ => {}
            }
        }
        Some(step)
    }
}

impl Reader {
    /// A `with:` mapping of scalar values.
    fn with(&self, node: &Node) -> Vec<(String, Spanned<String>)> {
        mapping(node)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((scalar(k)?.to_string(), self.spanned(v)?)))
            .collect()
    }
}

// ------------------------------------------------------------------ steps of any CI pipeline

/// A list of steps in any CI pipeline file — a GitHub Actions job, an Azure Pipelines job, deployment
/// job or step template — read without knowing the schema: every mapping with a `steps:` sequence is
/// one, wherever it sits (Azure templates nest them under parameters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineJob {
    /// The keys from the document's root down to the mapping that holds `steps:` (`jobs`, `build`; or
    /// `extends`, `parameters`, `deploymentJobs`).
    pub ancestors: Vec<String>,
    /// The names of that mapping's own keys (`deployment`, `environment`, `runs-on`).
    pub keys: Vec<String>,
    pub steps: Vec<PipelineStep>,
}

/// One step: its scalar fields (`run`, `script`, `uses`, `task`, `publish`, `download`, `artifact`,
/// `template`, `working-directory`) and the scalar fields of its `with:`, `inputs:` and `parameters:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStep {
    pub pos: Pos,
    pub fields: Vec<(String, Spanned<String>)>,
    pub inputs: Vec<(String, Spanned<String>)>,
}

impl PipelineStep {
    pub fn field(&self, key: &str) -> Option<&Spanned<String>> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// An input, by name without regard to case (Azure task inputs are case-insensitive).
    pub fn input(&self, key: &str) -> Option<&Spanned<String>> {
        self.inputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
}

/// Every list of steps in a pipeline file, in document order.
pub fn pipeline_jobs(text: &str) -> Result<Vec<PipelineJob>, YamlError> {
    with_documents(text, |reader, docs| {
        let mut out = Vec::new();
        for doc in docs {
            reader.steps_lists(doc, &mut Vec::new(), &mut out);
        }
        out
    })
}

impl Reader {
    fn steps_lists(&self, node: &Node, keys: &mut Vec<String>, out: &mut Vec<PipelineJob>) {
        if let Some(seq) = sequence(node) {
            for item in seq {
                self.steps_lists(item, keys, out);
            }
            return;
        }
        let Some(map) = mapping(node) else {
            return;
        };
        let steps = map
            .iter()
            .find(|(k, _)| scalar(k) == Some("steps"))
            .and_then(|(_, v)| sequence(v));
        if let Some(steps) = steps {
            out.push(PipelineJob {
                ancestors: keys.clone(),
                keys: map
                    .iter()
                    .filter_map(|(k, _)| scalar(k).map(str::to_string))
                    .collect(),
                steps: steps.iter().filter_map(|s| self.pipeline_step(s)).collect(),
            });
        }
        for (k, v) in map {
            keys.push(scalar(k).unwrap_or("").to_string());
            self.steps_lists(v, keys, out);
            keys.pop();
        }
    }

    fn pipeline_step(&self, node: &Node) -> Option<PipelineStep> {
        let map = mapping(node)?;
        let mut step = PipelineStep {
            pos: self.pos(node),
            fields: Vec::new(),
            inputs: Vec::new(),
        };
        for (k, v) in map {
            let Some(key) = scalar(k) else { continue };
            if matches!(key, "with" | "inputs" | "parameters") {
                step.inputs.extend(self.with(v));
            } else if let Some(value) = self.spanned(v) {
                step.fields.push((key.to_string(), value));
            }
        }
        Some(step)
    }
}

/// `inputs:` of `workflow_dispatch` or `workflow_call`.
fn inputs(node: &Node) -> Vec<Input> {
    mapping(node)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let field = |name: &str| {
                mapping(v).and_then(|m| m.iter().find(|(fk, _)| scalar(fk) == Some(name)))
            };
            Some(Input {
                name: scalar(k)?.to_string(),
                options: field("options")
                    .map(|(_, o)| strings(o))
                    .unwrap_or_default(),
                default: field("default")
                    .and_then(|(_, d)| scalar(d))
                    .map(str::to_string),
            })
        })
        .collect()
}

/// `strategy.matrix`: lists of scalars per key, plus the values `include:` entries add. `exclude:` only
/// removes combinations, so the values any run may see are still among these.
fn matrix(node: &Node) -> Matrix {
    let mut out = Matrix::default();
    let Some(map) = mapping(node) else {
        out.dynamic = true;
        return out;
    };
    for (k, v) in map {
        match scalar(k) {
            Some("exclude") => {}
            Some("include") => {
                for entry in sequence(v).into_iter().flatten() {
                    for (ik, iv) in mapping(entry).into_iter().flatten() {
                        if let Some(ik) = scalar(ik) {
                            add_values(&mut out, ik, iv);
                        }
                    }
                }
                if sequence(v).is_none() {
                    out.dynamic = true;
                }
            }
            Some(key) => add_values(&mut out, key, v),
            None => out.dynamic = true,
        }
    }
    out
}

fn add_values(out: &mut Matrix, key: &str, value: &Node) {
    match (scalar(value), sequence(value)) {
        (Some(v), _) if !v.contains("${{") => push_value(out, key, v),
        (_, Some(seq)) => {
            for item in seq {
                match scalar(item) {
                    Some(v) if !v.contains("${{") => push_value(out, key, v),
                    // An object or an expression as a value: what `matrix.key` holds is not known.
                    _ => out.dynamic = true,
                }
            }
        }
        _ => out.dynamic = true,
    }
}

fn push_value(out: &mut Matrix, key: &str, value: &str) {
    match out.keys.iter_mut().find(|(k, _)| k == key) {
        Some((_, values)) if !values.iter().any(|v| v == value) => values.push(value.to_string()),
        Some(_) => {}
        None => out.keys.push((key.to_string(), vec![value.to_string()])),
    }
}

/// Does any scalar under `node` read a secret or the workflow token?
fn mentions_credentials(node: &Node, depth: u32) -> bool {
    if depth > 32 {
        return false;
    }
    if let Some(s) = scalar(node) {
        let lower = s.to_ascii_lowercase();
        return lower.contains("secrets.")
            || lower.contains("secrets[")
            || lower.contains("github.token");
    }
    match (mapping(node), sequence(node)) {
        (Some(m), _) => m
            .iter()
            .any(|(k, v)| mentions_credentials(k, depth + 1) || mentions_credentials(v, depth + 1)),
        (_, Some(seq)) => seq.iter().any(|v| mentions_credentials(v, depth + 1)),
        _ => false,
    }
}

/// `permissions: write-all` or `id-token: write`: the job can get an OIDC token for a cloud.
fn grants_id_token(node: &Node) -> bool {
    scalar(node) == Some("write-all")
        || mapping(node).is_some_and(|m| {
            m.iter()
                .any(|(k, v)| scalar(k) == Some("id-token") && scalar(v) == Some("write"))
        })
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn scalar<'a>(node: &'a Node) -> Option<&'a str> {
    match &node.data {
        YamlData::Representation(s, _, _) => Some(s),
        YamlData::Value(Scalar::String(s)) => Some(s),
        YamlData::Tagged(_, inner) => scalar(inner),
        _ => None,
    }
}

fn mapping<'a, 'b>(node: &'a Node<'b>) -> Option<&'a saphyr::AnnotatedMapping<'b, Node<'b>>> {
    match &node.data {
        YamlData::Mapping(m) => Some(m),
        YamlData::Tagged(_, inner) => mapping(inner),
        _ => None,
    }
}

fn sequence<'a, 'b>(node: &'a Node<'b>) -> Option<&'a Vec<Node<'b>>> {
    match &node.data {
        YamlData::Sequence(s) => Some(s),
        YamlData::Tagged(_, inner) => sequence(inner),
        _ => None,
    }
}

/// A string or a list of strings (branch filters accept both).
/// A mapping's entries whose key and value are scalars (an `env:` or `outputs:` block).
fn scalars(node: &Node) -> Vec<(String, String)> {
    mapping(node)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((scalar(k)?.to_string(), scalar(v)?.to_string())))
        .collect()
}

fn strings(node: &Node) -> Vec<String> {
    match sequence(node) {
        Some(seq) => seq.iter().filter_map(scalar).map(str::to_string).collect(),
        None => scalar(node)
            .filter(|s| !is_null(s))
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Workflow {
        let mut docs = parse(".github/workflows/x.yml", text).unwrap_or_default();
        assert_eq!(docs.len(), 1, "{text}");
        docs.remove(0)
    }

    #[test]
    fn triggers_in_all_three_shapes() {
        assert_eq!(one("on: push\njobs: {}\n").triggers[0].event.value, "push");
        let wf = one("on: [push, pull_request]\njobs: {}\n");
        assert_eq!(wf.triggers.len(), 2);
        let wf = one(
            "on:\n  push:\n    branches: [main, 'release/**']\n  workflow_dispatch:\n  workflow_run:\n    workflows: [CI]\n",
        );
        assert_eq!(
            wf.triggers[0].branches,
            Some(vec!["main".to_string(), "release/**".to_string()])
        );
        assert_eq!(wf.triggers[1].event.value, "workflow_dispatch");
        assert_eq!(wf.triggers[2].workflows, vec!["CI".to_string()]);
        assert_eq!((wf.anchor.line, wf.anchor.column), (1, 1));
    }

    #[test]
    fn jobs_steps_and_positions() {
        let text = "on: push\njobs:\n  deploy:\n    environment:\n      name: production\n    if: github.ref == 'refs/heads/main'\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: main\n      - run: |\n          kubectl apply -f k8s/\n";
        let wf = one(text);
        let job = &wf.jobs[0];
        assert_eq!(job.id.value, "deploy");
        assert_eq!((job.id.pos.line, job.id.pos.column), (3, 3));
        let env = job
            .environment
            .as_ref()
            .map(|e| (e.value.as_str(), e.pos.line, e.pos.column));
        assert_eq!(env, Some(("production", 5, 13)));
        assert_eq!(job.steps.len(), 2);
        let with = job.steps[0]
            .with("ref")
            .map(|r| (r.value.as_str(), r.pos.line, r.pos.column));
        assert_eq!(with, Some(("main", 10, 16)));
        let run = job.steps[1]
            .run
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_default();
        assert!(run.contains("kubectl apply"), "{run}");
        let p = job.id.pos;
        assert_eq!(&text[p.start..p.end], "deploy");
    }

    #[test]
    fn anchors_aliases_and_multiple_documents() {
        let text = "on: push\npermissions: &perms write-all\njobs:\n  a:\n    permissions: *perms\n    steps: []\n---\non: pull_request\njobs: {}\n";
        let docs = parse("w.yml", text).unwrap_or_default();
        assert_eq!(docs.len(), 2);
        let job_perm = docs[0].jobs[0].permissions.as_ref();
        assert_eq!(job_perm.map(|p| &p.value), Some(&Permissions::WriteAll));
        // The alias is located where it is used, not at the anchor.
        assert_eq!(job_perm.map(|p| (p.pos.line, p.pos.column)), Some((5, 18)));
        assert_eq!(docs[1].triggers[0].event.value, "pull_request");
    }

    #[test]
    fn invalid_yaml_is_an_error_with_a_position() {
        let e = parse("w.yml", "on: push\njobs:\n  a: [unclosed\n");
        let e = e.err();
        assert!(e.as_ref().is_some_and(|e| e.pos.line >= 3), "{e:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // `- - - …` and `? ? ? …` nest a block sequence or mapping per two bytes. Before the limit,
        // saphyr's `Parser::load` recursed once per level and overflowed this test thread's 2 MiB stack,
        // aborting the process (found with the `workflow` fuzz target's harness; see docs/fuzzing.md).
        for text in ["- ".repeat(100_000) + "x\n", "? ".repeat(100_000) + "x\n"] {
            let e = parse("w.yml", &text).err();
            let at = e.as_ref().map(|e| (e.pos.line, e.pos.column, e.pos.start));
            assert_eq!(at, Some((1, 513, 512)), "{e:?}");
            assert!(e.is_some_and(|e| e.message.contains("nested more than 256")));
        }
        let deep_but_fine = "- ".repeat(super::super::yaml_bounds::MAX_DEPTH) + "x\n";
        assert!(parse("w.yml", &deep_but_fine).is_ok());
    }

    #[test]
    fn non_ascii_text_keeps_byte_offsets_right() {
        let text = "name: déploiement ✓\non: push\njobs:\n  ship:\n    steps: []\n";
        let wf = one(text);
        let p = wf.jobs[0].id.pos;
        assert_eq!(&text[p.start..p.end], "ship");
        assert_eq!((p.line, p.column), (4, 3));
    }

    #[test]
    fn steps_of_any_pipeline_wherever_they_sit() {
        let text = "extends:\n  template: cd.yml@templates\n  parameters:\n    deploymentJobs:\n      - name: Ship\n        steps:\n          - download: build\n            artifact: web\n          - task: AzureWebApp@1\n            inputs:\n              package: $(Pipeline.Workspace)/build/web/app.zip\n";
        let jobs = pipeline_jobs(text).unwrap_or_default();
        assert_eq!(jobs.len(), 1);
        assert_eq!(
            jobs[0].ancestors,
            ["extends", "parameters", "deploymentJobs"]
        );
        let steps = &jobs[0].steps;
        assert_eq!(
            steps[0].field("artifact").map(|a| a.value.as_str()),
            Some("web")
        );
        let package = steps[1]
            .input("Package")
            .map(|p| (p.value.as_str(), p.pos.line));
        assert_eq!(
            package,
            Some(("$(Pipeline.Workspace)/build/web/app.zip", 11))
        );
    }

    #[test]
    fn workflow_paths() {
        assert!(is_workflow_path(".github/workflows/ci.yml"));
        assert!(is_workflow_path(".github/workflows/ci.yaml"));
        assert!(!is_workflow_path(".github/workflows/sub/ci.yml"));
        assert!(!is_workflow_path(".github/workflows/README.md"));
        assert!(!is_workflow_path("x/.github/workflows/ci.yml"));
    }
}
