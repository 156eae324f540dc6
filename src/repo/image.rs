//! What a production image ships from its build context: which repository files end up in the image a
//! Dockerfile's target stage builds, and by which instruction they got there.
//!
//! A stage's filesystem holds what its `COPY`/`ADD` instructions took from the build context, what it
//! inherited from the stage it is built `FROM`, and what its `COPY --from=<stage>` instructions took from
//! other stages — followed through chains of any depth. A `RUN rm -rf <dir>` afterwards takes a directory
//! out again. The build context's `.dockerignore` (and a `COPY --exclude`) decide which of the context's
//! files exist at all.
//!
//! [`plan`] follows the stages that the target needs, once each, in file order, so a chain of stages
//! costs its length; a stage's state is handed on to the one stage built from it rather than copied, and
//! the number of paths followed is capped ([`MAX_MOUNTS`]): past it, the Dockerfile is refused with
//! [`TooComplex`] (a fan-out of `COPY --from` can double the paths at every stage).
//!
//! [`shipped`] then lists the repository files that the image holds. Other checks may treat them as
//! production files, whatever their folder or name.

use super::dockerfile::{Dockerfile, Instruction, TooComplex};
use super::dockerignore::{clean, DockerIgnore};
use super::files::FileEntry;
use super::image_prune;
use std::ops::Range;
use std::sync::Arc;

/// Paths followed at most, summed over all stages (mounts made, copied or handed on by `COPY --from`).
pub const MAX_MOUNTS: usize = 20_000;
/// `RUN rm` paths remembered per mount; beyond it, further removals are not credited (the image is
/// assumed to keep what they would have removed: the gate over-reports rather than under-reports).
const MAX_REMOVED: usize = 64;

/// The build context: the directory (repository-relative, `""` for the root) and the repository's files,
/// sorted by path (as `Context::files` is).
#[derive(Clone, Copy)]
pub struct BuildContext<'a> {
    pub dir: &'a str,
    pub files: &'a [FileEntry],
}

impl<'a> BuildContext<'a> {
    /// The repository path of a context-relative path.
    pub fn repo_path(&self, rel: &str) -> String {
        match (self.dir.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_string(),
            (false, true) => self.dir.to_string(),
            (false, false) => format!("{}/{rel}", self.dir),
        }
    }

    /// The context-relative path of a repository path inside the context.
    pub fn rel<'p>(&self, repo_path: &'p str) -> Option<&'p str> {
        if self.dir.is_empty() {
            return Some(repo_path);
        }
        repo_path.strip_prefix(self.dir)?.strip_prefix('/')
    }

    /// The files at or under a context-relative path (the whole context for `""`): a run of the sorted
    /// list.
    pub fn under(&self, rel: &str) -> &'a [FileEntry] {
        let path = self.repo_path(rel);
        if path.is_empty() {
            return self.files;
        }
        let prefix = format!("{path}/");
        let start = self.files.partition_point(|e| *e.path < *path.as_str());
        let mut end = start;
        if self.files.get(end).is_some_and(|e| *e.path == *path) {
            end += 1;
        }
        let len = self.files[end..].partition_point(|e| e.path.starts_with(&prefix));
        &self.files[start..end + len]
    }

    fn is_file(&self, rel: &str) -> bool {
        let path = self.repo_path(rel);
        self.files
            .binary_search_by(|e| (*e.path).cmp(path.as_str()))
            .is_ok()
    }
}

/// One way build-context files reach the target stage: everything at or under `src` in the context
/// lands at or under `img` in the image, less what was removed or excluded.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Context-relative source (`""`: the whole context).
    pub src: String,
    /// Absolute image path where `src` lands.
    pub img: String,
    /// Image paths removed after the copy (`RUN rm -rf spec`).
    pub removed: Vec<String>,
    /// `COPY --exclude` patterns, with the context path they are relative to.
    pub excludes: Vec<(String, Arc<DockerIgnore>)>,
    /// The source word of the `COPY` that took it from the context, and that instruction's stage.
    pub origin: Range<usize>,
    pub origin_stage: usize,
    /// The last hop: the stage it arrived in, the word it arrived by (a `COPY --from` source, or the
    /// origin), and the stage it came from when that was another stage.
    pub hop_stage: usize,
    pub hop: Range<usize>,
    /// The stage it was copied from (`--from=`, as written, and the stage's index).
    pub hop_from: Option<(usize, Arc<str>)>,
}

/// Where the target stage got a mount: the word (a source, or the `FROM` image) and the stage it came
/// from when not the build context directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub at: Range<usize>,
    /// The stage, as written in the `--from=` or the `FROM`.
    pub from_stage: Option<Arc<str>>,
}

/// The mounts that reach the target stage.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub target: usize,
    pub mounts: Vec<Mount>,
}

impl Plan {
    /// How the target stage got mount `m`: by its own instruction, or through its `FROM`.
    pub fn arrival(&self, df: &Dockerfile, m: &Mount) -> Arrival {
        if m.hop_stage == self.target {
            return Arrival {
                at: m.hop.clone(),
                from_stage: m.hop_from.as_ref().map(|(_, w)| w.clone()),
            };
        }
        let stage = &df.stages[self.target];
        let at = stage
            .image
            .clone()
            .unwrap_or(stage.span.start..stage.span.start);
        let from_stage = stage
            .base
            .and_then(|b| df.stages[b].name.as_deref())
            .map(Arc::from);
        Arrival { at, from_stage }
    }
}

/// A repository file the image ships, and the mount that ships it.
#[derive(Debug, Clone, Copy)]
pub struct Shipped<'a> {
    pub file: &'a FileEntry,
    pub mount: usize,
}

#[derive(Clone, Default)]
struct Var {
    name: String,
    value: String,
    /// `ENV` values persist into stages built from this one; an `ARG` only in the stage that declares it.
    env: bool,
    stage: usize,
}

/// A persistent list, newest first: a stage built `FROM` another shares its list instead of copying it,
/// so a chain of stages costs its length, not its length squared.
struct List<T>(Option<Arc<Node<T>>>);

struct Node<T> {
    item: T,
    next: List<T>,
}

impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        List(self.0.clone())
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

impl<T> List<T> {
    fn push(&mut self, item: T) {
        let next = List(self.0.take());
        self.0 = Some(Arc::new(Node { item, next }));
    }

    /// Newest first.
    fn iter(&self) -> impl Iterator<Item = &T> {
        let mut at = self.0.as_deref();
        std::iter::from_fn(move || {
            let node = at?;
            at = node.next.0.as_deref();
            Some(&node.item)
        })
    }
}

impl<T> Drop for List<T> {
    // Without this, dropping a long list recurses once per node.
    fn drop(&mut self) {
        let mut next = self.0.take();
        while let Some(node) = next {
            match Arc::try_unwrap(node) {
                Ok(mut n) => next = n.next.0.take(),
                Err(_) => break,
            }
        }
    }
}

#[derive(Clone)]
struct State {
    mounts: List<Mount>,
    /// None once a `WORKDIR` could not be resolved: nothing relative to it is followed.
    workdir: Option<String>,
    /// Directories known to exist (a `WORKDIR`, a `RUN mkdir`): a file copied to one lands inside it.
    dirs: List<String>,
    vars: List<Var>,
    stage: usize,
}

impl State {
    fn fresh(stage: usize) -> State {
        State {
            mounts: List::default(),
            workdir: Some("/".into()),
            dirs: List::default(),
            vars: List::default(),
            stage,
        }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|v| v.name == name && (v.env || v.stage == self.stage))
            .map(|v| v.value.as_str())
    }

    fn substitute(&self, word: &str) -> Option<String> {
        substitute(word, |n| self.var(n))
    }
}

/// Follow the stages that `target` needs and return the mounts that reach it.
pub fn plan(
    df: &Dockerfile,
    text: &[u8],
    target: usize,
    ctx: BuildContext<'_>,
) -> Result<Plan, TooComplex> {
    let n = df.stages.len();
    if target >= n {
        return Ok(Plan::default());
    }
    // What each stage reads: its base, and the stages its `COPY --from`s name.
    let froms: Vec<Vec<Option<usize>>> = df
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.instructions
                .iter()
                .map(|ins| copy_from(text, ins).and_then(|f| df.stage_named(i, &f)))
                .collect()
        })
        .collect();
    let mut needed = vec![false; n];
    needed[target] = true;
    let mut uses = vec![0usize; n];
    for i in (0..=target).rev() {
        if !needed[i] {
            continue;
        }
        for j in df.stages[i]
            .base
            .into_iter()
            .chain(froms[i].iter().flatten().copied())
        {
            needed[j] = true;
            uses[j] += 1;
        }
    }
    let mut budget = Budget(0);
    let mut states: Vec<Option<State>> = vec![None; n];
    for i in 0..=target {
        if !needed[i] {
            continue;
        }
        let mut st = match df.stages[i].base {
            Some(b) => {
                uses[b] -= 1;
                // Handed on to the last stage that needs it; shared (not copied) before that.
                let inherited = if uses[b] == 0 {
                    states[b].take()
                } else {
                    states[b].clone()
                };
                let mut st = inherited.unwrap_or_else(|| State::fresh(i));
                st.stage = i;
                st
            }
            None => State::fresh(i),
        };
        for (k, ins) in df.stages[i].instructions.iter().enumerate() {
            let from = froms[i][k];
            apply(&mut st, text, i, ins, from, &states, ctx, &mut budget)?;
            if let Some(j) = from {
                uses[j] -= 1;
                if uses[j] == 0 {
                    states[j] = None;
                }
            }
        }
        states[i] = Some(st);
    }
    let mut mounts: Vec<Mount> = states[target]
        .take()
        .map_or_else(Vec::new, |s| s.mounts.iter().cloned().collect());
    mounts.reverse();
    Ok(Plan { target, mounts })
}

struct Budget(usize);

impl Budget {
    fn spend(&mut self, n: usize) -> Result<(), TooComplex> {
        self.0 += n;
        if self.0 > MAX_MOUNTS {
            return Err(TooComplex(format!(
                "following its stages' `COPY` and `COPY --from` instructions takes more than {MAX_MOUNTS} paths"
            )));
        }
        Ok(())
    }
}

fn word(text: &[u8], r: &Range<usize>) -> String {
    String::from_utf8_lossy(&text[r.clone()]).into_owned()
}

/// The `--from=` of a `COPY`/`ADD`.
fn copy_from(text: &[u8], ins: &Instruction) -> Option<String> {
    if ins.keyword != "COPY" && ins.keyword != "ADD" {
        return None;
    }
    ins.args
        .iter()
        .find_map(|a| text[a.clone()].strip_prefix(b"--from="))
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

#[allow(clippy::too_many_arguments)]
fn apply(
    st: &mut State,
    text: &[u8],
    stage: usize,
    ins: &Instruction,
    from: Option<usize>,
    states: &[Option<State>],
    ctx: BuildContext<'_>,
    budget: &mut Budget,
) -> Result<(), TooComplex> {
    match ins.keyword.as_str() {
        "ENV" | "ARG" => {
            let env = ins.keyword == "ENV";
            let words: Vec<String> = ins.args.iter().map(|r| word(text, r)).collect();
            if env && words.len() == 2 && !words[0].contains('=') {
                st.vars.push(Var {
                    name: words[0].clone(),
                    value: words[1].clone(),
                    env,
                    stage,
                });
            } else {
                for w in &words {
                    if let Some((k, v)) = w.split_once('=') {
                        st.vars.push(Var {
                            name: k.to_string(),
                            value: v.trim_matches('"').to_string(),
                            env,
                            stage,
                        });
                    }
                }
            }
            budget.spend(1)?;
        }
        "WORKDIR" => {
            st.workdir = match (&st.workdir, ins.args.first()) {
                (Some(wd), Some(r)) => st.substitute(&word(text, r)).and_then(|d| absolute(wd, &d)),
                _ => None,
            };
            if let Some(wd) = st.workdir.clone() {
                st.dirs.push(wd);
            }
        }
        "RUN" => {
            for dir in made_dirs(text, ins, st) {
                st.dirs.push(dir);
            }
            pruned(st, text, stage, ins, ctx, budget)?;
            let removed = removed_paths(text, ins, st);
            if !removed.is_empty() {
                let mut kept: Vec<Mount> = st.mounts.iter().cloned().collect();
                budget.spend(kept.len())?;
                kept.reverse();
                remove(&mut kept, &removed);
                st.mounts = List::default();
                for m in kept {
                    st.mounts.push(m);
                }
            }
        }
        "COPY" | "ADD" => copy(st, text, stage, ins, from, states, ctx, budget)?,
        _ => {}
    }
    Ok(())
}

/// The directories a `RUN mkdir [-p] a b && …` makes (absolute).
fn made_dirs(text: &[u8], ins: &Instruction, st: &State) -> Vec<String> {
    operands(text, ins, "mkdir")
        .iter()
        .filter_map(|w| image_path(st, w))
        .collect()
}

/// The operands (words that are not flags) of each `command` in a `RUN`, up to the next `&&`, `||`,
/// `;` or `|`.
fn operands(text: &[u8], ins: &Instruction, command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for w in ins.args.iter().map(|r| word(text, r)) {
        if matches!(w.as_str(), "&&" | "||" | ";" | "|") {
            inside = false;
            continue;
        }
        if w == command {
            inside = true;
            continue;
        }
        if inside && !w.starts_with('-') {
            out.push(w.trim_end_matches(';').to_string());
        }
        inside &= !w.ends_with(';');
    }
    out
}

/// A `RUN` operand as an absolute image path (variables substituted, relative to the working
/// directory); None when either is unknown.
fn image_path(st: &State, operand: &str) -> Option<String> {
    let wd = st.workdir.as_deref()?;
    st.substitute(operand).and_then(|p| absolute(wd, &p))
}

/// A `RUN turbo prune <workspace>`: the workspace's files, where the stage holds them, are copied again
/// into the prune's output folder under the working directory.
fn pruned(
    st: &mut State,
    text: &[u8],
    stage: usize,
    ins: &Instruction,
    ctx: BuildContext<'_>,
    budget: &mut Budget,
) -> Result<(), TooComplex> {
    let words: Vec<(String, Range<usize>)> = ins
        .args
        .iter()
        .map(|r| (word(text, r), r.clone()))
        .collect();
    let (Some(prune), Some(wd)) = (image_prune::parse(&words), st.workdir.clone()) else {
        return Ok(());
    };
    let out_root = join_abs(&wd, &prune.out);
    let mut derived = Vec::new();
    for dir in workspace_dirs(ctx, &prune.scopes) {
        for m in st.mounts.iter() {
            // Where the stage holds the workspace, if this mount brought it.
            let Some(inside) = under(&dir, &m.src) else {
                continue;
            };
            let held = join_abs(&m.img, inside);
            let Some(below_wd) = under(&held, &wd) else {
                continue;
            };
            if m.removed.iter().any(|r| under(&held, r).is_some()) {
                continue;
            }
            derived.push(Mount {
                src: dir.clone(),
                img: join_abs(&out_root, below_wd),
                removed: Vec::new(),
                hop_stage: stage,
                hop: prune.at.clone(),
                hop_from: None,
                ..m.clone()
            });
        }
    }
    budget.spend(derived.len())?;
    for m in derived {
        st.mounts.push(m);
    }
    Ok(())
}

/// The context folders (context-relative) holding a `package.json`, named like one of the workspaces.
fn workspace_dirs(ctx: BuildContext<'_>, scopes: &[String]) -> Vec<String> {
    let names: Vec<&str> = scopes.iter().map(|s| image_prune::folder_name(s)).collect();
    ctx.under("")
        .iter()
        .filter_map(|e| ctx.rel(&e.path)?.strip_suffix("/package.json"))
        .filter(|dir| names.contains(&file_name(dir)))
        .map(str::to_string)
        .collect()
}

/// The image paths a `RUN rm -rf a b && …` removes (absolute; a trailing `/*` removes the directory's
/// contents, which is the same for what it shipped).
fn removed_paths(text: &[u8], ins: &Instruction, st: &State) -> Vec<String> {
    operands(text, ins, "rm")
        .iter()
        .filter_map(|w| {
            let bare = w
                .strip_suffix("/*")
                .or_else(|| w.strip_suffix("/**"))
                .unwrap_or(w);
            image_path(st, bare)
        })
        .collect()
}

fn remove(mounts: &mut Vec<Mount>, removed: &[String]) {
    mounts.retain(|m| !removed.iter().any(|r| under(&m.img, r).is_some()));
    for m in mounts.iter_mut() {
        for r in removed {
            if under(r, &m.img).is_some() && m.removed.len() < MAX_REMOVED {
                m.removed.push(r.clone());
            }
        }
    }
}

/// A `COPY`/`ADD`: its flags, sources and destination. None for heredocs and malformed lines.
pub struct CopyArgs {
    pub from: Option<String>,
    pub excludes: Vec<String>,
    pub sources: Vec<Range<usize>>,
    pub dest: Range<usize>,
}

impl CopyArgs {
    pub fn parse(text: &[u8], ins: &Instruction) -> Option<CopyArgs> {
        let mut from = None;
        let mut excludes = Vec::new();
        let mut operands: Vec<Range<usize>> = Vec::new();
        for a in &ins.args {
            let w = &text[a.clone()];
            if let Some(v) = w.strip_prefix(b"--from=") {
                from = Some(String::from_utf8_lossy(v).into_owned());
            } else if let Some(v) = w.strip_prefix(b"--exclude=") {
                excludes.push(String::from_utf8_lossy(v).into_owned());
            } else if !w.starts_with(b"--") {
                operands.push(a.clone());
            }
        }
        // Heredocs (`COPY <<EOF`) carry their content inline; the last operand is the destination.
        if operands.len() < 2 || text[operands[0].clone()].starts_with(b"<<") {
            return None;
        }
        let dest = operands.pop()?;
        Some(CopyArgs {
            from,
            excludes,
            sources: operands,
            dest,
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn copy(
    st: &mut State,
    text: &[u8],
    stage: usize,
    ins: &Instruction,
    from: Option<usize>,
    states: &[Option<State>],
    ctx: BuildContext<'_>,
    budget: &mut Budget,
) -> Result<(), TooComplex> {
    let Some(args) = CopyArgs::parse(text, ins) else {
        return Ok(());
    };
    let Some(wd) = st.workdir.clone() else {
        return Ok(());
    };
    let raw_dest = word(text, &args.dest);
    let Some(dest) = st.substitute(&raw_dest).and_then(|d| absolute(&wd, &d)) else {
        return Ok(());
    };
    // Docker copies into the destination when it is written as a directory, when there are several
    // sources, or when the stage already holds a directory there (`RUN mkdir -p /app`, a `WORKDIR`).
    let into_dir =
        raw_dest.ends_with('/') || args.sources.len() > 1 || st.dirs.iter().any(|d| *d == dest);
    match (&args.from, from) {
        // From another image (`--from=nginx:1.27`), or a stage not found: nothing of the context.
        (Some(_), None) => {}
        (Some(written), Some(j)) => {
            let Some(source) = states[j].as_ref() else {
                return Ok(());
            };
            let written: Arc<str> = Arc::from(written.as_str());
            for s in &args.sources {
                let Some(sp) = st
                    .substitute(&word(text, s))
                    .and_then(|p| absolute("/", &p))
                else {
                    continue;
                };
                let mut derived = Vec::new();
                for m in source.mounts.iter() {
                    if let Some(d) = derive(m, &sp, &dest, into_dir, ctx) {
                        derived.push(Mount {
                            hop_stage: stage,
                            hop: s.clone(),
                            hop_from: Some((j, written.clone())),
                            ..d
                        });
                    }
                }
                budget.spend(derived.len())?;
                for m in derived {
                    st.mounts.push(m);
                }
            }
        }
        (None, _) => {
            let excludes: Vec<(String, Arc<DockerIgnore>)> = if args.excludes.is_empty() {
                Vec::new()
            } else {
                vec![(
                    String::new(),
                    Arc::new(DockerIgnore::from_lines(args.excludes.clone())),
                )]
            };
            for s in &args.sources {
                let raw = word(text, s);
                if raw.contains("://") || raw.starts_with("git@") {
                    continue;
                }
                let Some(sub) = st.substitute(&raw) else {
                    continue;
                };
                let rel = clean(sub.trim_start_matches('/'));
                let rel = if rel == "." { String::new() } else { rel };
                if rel.starts_with("..") {
                    continue; // outside the context: Docker refuses it
                }
                let sources = if rel.contains(['*', '?', '[']) {
                    expand_glob(ctx, &rel)
                } else {
                    vec![rel]
                };
                budget.spend(sources.len())?;
                for src in sources {
                    let img = if into_dir && !src.is_empty() && ctx.is_file(&src) {
                        join_abs(&dest, file_name(&src))
                    } else {
                        dest.clone()
                    };
                    st.mounts.push(Mount {
                        excludes: excludes.clone(),
                        src,
                        img,
                        removed: Vec::new(),
                        origin: s.clone(),
                        origin_stage: stage,
                        hop_stage: stage,
                        hop: s.clone(),
                        hop_from: None,
                    });
                }
            }
        }
    }
    Ok(())
}

/// What of mount `m` (in another stage) a `COPY --from=… <sp> <dest>` takes, as a mount of this stage.
fn derive(m: &Mount, sp: &str, dest: &str, into_dir: bool, ctx: BuildContext<'_>) -> Option<Mount> {
    if m.removed.iter().any(|r| under(sp, r).is_some()) {
        return None;
    }
    if let Some(rest) = under(&m.img, sp) {
        // The whole mount is inside what is copied.
        let img = if rest.is_empty() && into_dir && ctx.is_file(&m.src) {
            join_abs(dest, file_name(&m.src))
        } else {
            join_abs(dest, rest)
        };
        let removed = m
            .removed
            .iter()
            .filter_map(|r| under(r, sp).map(|rest| join_abs(dest, rest)))
            .collect();
        return Some(Mount {
            img,
            removed,
            ..m.clone()
        });
    }
    // A part of the mount is copied: the context path below its source.
    let part = under(sp, &m.img)?;
    let src = if m.src.is_empty() {
        part.to_string()
    } else {
        format!("{}/{part}", m.src)
    };
    if ctx.under(&src).is_empty() {
        return None;
    }
    let img = if into_dir && ctx.is_file(&src) {
        join_abs(dest, file_name(&src))
    } else {
        dest.to_string()
    };
    let removed = m
        .removed
        .iter()
        .filter_map(|r| under(r, sp).map(|rest| join_abs(dest, rest)))
        .collect();
    Some(Mount {
        src,
        img,
        removed,
        ..m.clone()
    })
}

/// The context entries (files, or directories holding files) that a `COPY` source glob names.
fn expand_glob(ctx: BuildContext<'_>, pattern: &str) -> Vec<String> {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal: Vec<&str> = parts
        .iter()
        .take_while(|p| !p.contains(['*', '?', '[']))
        .copied()
        .collect();
    let mut out: Vec<String> = Vec::new();
    for e in ctx.under(&literal.join("/")) {
        let Some(rel) = ctx.rel(&e.path) else {
            continue;
        };
        let comps: Vec<&str> = rel.split('/').collect();
        if comps.len() < parts.len() {
            continue;
        }
        let candidate = comps[..parts.len()].join("/");
        if out.last() == Some(&candidate) {
            continue;
        }
        if parts.iter().zip(&comps).all(|(p, c)| glob_component(p, c)) {
            out.push(candidate);
        }
    }
    out
}

/// Go's `filepath.Match` for one path component: `*`, `?`, `[…]` (with `^` negation and ranges).
pub fn glob_component(pattern: &str, name: &str) -> bool {
    fn class(p: &[char], c: char) -> Option<(bool, usize)> {
        // p starts after `[`; returns (matched, chars consumed including `]`).
        let mut i = 0;
        let negate = p.first() == Some(&'^');
        if negate {
            i += 1;
        }
        let mut hit = false;
        let mut first = true;
        while i < p.len() {
            if p[i] == ']' && !first {
                return Some((hit != negate, i + 1));
            }
            first = false;
            let lo = p[i];
            if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
                hit |= lo <= c && c <= p[i + 2];
                i += 3;
            } else {
                hit |= lo == c;
                i += 1;
            }
        }
        None
    }
    fn m(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => m(&p[1..], s) || !s.is_empty() && m(p, &s[1..]),
            Some('?') => !s.is_empty() && m(&p[1..], &s[1..]),
            Some('[') => match (s.first(), class(&p[1..], *s.first().unwrap_or(&'\0'))) {
                (Some(_), Some((true, used))) => m(&p[1 + used..], &s[1..]),
                _ => false,
            },
            Some('\\') if p.len() > 1 => s.first() == Some(&p[1]) && m(&p[2..], &s[1..]),
            Some(c) => s.first() == Some(c) && m(&p[1..], &s[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().take(256).collect();
    let s: Vec<char> = name.chars().collect();
    m(&p, &s)
}

/// The repository files the target stage holds, less those the context's `.dockerignore` leaves out, in
/// path order, each once (with the first mount that ships it). `keep` filters the candidates first (a
/// caller that only needs test files saves matching the rest).
pub fn shipped<'a>(
    plan: &Plan,
    ctx: BuildContext<'a>,
    ignore: Option<&DockerIgnore>,
    keep: impl Fn(&FileEntry) -> bool,
) -> Vec<Shipped<'a>> {
    let mut matcher = ignore.map(DockerIgnore::matcher);
    let mut out: Vec<Shipped<'a>> = Vec::new();
    for (k, m) in plan.mounts.iter().enumerate() {
        for file in ctx.under(&m.src) {
            if !keep(file) {
                continue;
            }
            let Some(rel) = ctx.rel(&file.path) else {
                continue;
            };
            let inside = under(rel, &m.src).unwrap_or("");
            let img = if inside.is_empty() {
                m.img.clone()
            } else {
                join_abs(&m.img, inside)
            };
            if m.removed.iter().any(|r| under(&img, r).is_some()) {
                continue;
            }
            if m.excludes.iter().any(|(base, ex)| {
                under(rel, base).is_some_and(|r| ex.excludes(r)) || ex.excludes(inside)
            }) {
                continue;
            }
            if matcher.as_mut().is_some_and(|mm| mm.excludes(rel)) {
                continue;
            }
            out.push(Shipped { file, mount: k });
        }
    }
    out.sort_by(|a, b| a.file.path.cmp(&b.file.path).then(a.mount.cmp(&b.mount)));
    out.dedup_by(|a, b| a.file.path == b.file.path);
    out
}

/// `$NAME`, `${NAME}` and `${NAME:-default}` replaced by their values; None when one is unknown.
fn substitute<'v>(word: &str, var: impl Fn(&str) -> Option<&'v str>) -> Option<String> {
    if !word.contains('$') {
        return Some(word.to_string());
    }
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (expr, next) = if let Some(b) = after.strip_prefix('{') {
            let close = b.find('}')?;
            (&b[..close], &b[close + 1..])
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        let (name, default) = match expr.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (expr, None),
        };
        match var(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(default?),
        }
        rest = next;
    }
    out.push_str(rest);
    Some(out)
}

/// `path` made absolute against `dir` and normalised; None for globs, URLs and variables.
fn absolute(dir: &str, path: &str) -> Option<String> {
    if path.contains(['*', '?', '[', '$']) || path.contains("://") {
        return None;
    }
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    };
    let c = clean(&joined);
    Some(if c == "." { "/".into() } else { c })
}

/// What is left of `path` below `dir` (`""` when equal), if `path` is `dir` or inside it. Works for
/// absolute image paths and for context-relative paths (where `""` is the root).
fn under<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir == "/" || dir.is_empty() {
        return Some(path.trim_start_matches('/'));
    }
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

fn join_abs(dir: &str, rest: &str) -> String {
    match (dir, rest) {
        (d, "") => d.to_string(),
        ("/", r) => format!("/{r}"),
        (d, r) => format!("{d}/{r}"),
    }
}

fn file_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::classify::{classify_default, Lang};

    fn entries(paths: &[&str]) -> Vec<FileEntry> {
        let mut v: Vec<FileEntry> = paths
            .iter()
            .map(|p| FileEntry {
                path: (*p).into(),
                class: classify_default(p),
                lang: Lang::Other,
                size: 1,
            })
            .collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    const TREE: &[&str] = &[
        "Dockerfile",
        "Gemfile",
        "app/models/user.rb",
        "spec/models/user_spec.rb",
        "src/main/App.java",
        "src/test/AppTest.java",
        "features/login.feature",
        "performance-tests/load.js",
    ];

    /// The shipped files of `df`'s default target (or `target`), with `ignore`.
    fn ships(df: &str, target: Option<&str>, ignore: &str) -> Vec<String> {
        let files = entries(TREE);
        let Ok(parsed) = Dockerfile::parse(df.as_bytes()) else {
            panic!("parses")
        };
        let t = match target {
            Some(n) => parsed.target(n),
            None => parsed.production_stage(),
        };
        let Some(t) = t else { panic!("no target") };
        let ctx = BuildContext {
            dir: "",
            files: &files,
        };
        let Ok(p) = plan(&parsed, df.as_bytes(), t, ctx) else {
            panic!("plans")
        };
        let ig = DockerIgnore::parse(ignore.as_bytes());
        shipped(&p, ctx, Some(&ig), |_| true)
            .into_iter()
            .map(|s| s.file.path.to_string())
            .collect()
    }

    #[test]
    fn copy_from_chains_of_any_depth_and_from_inheritance() {
        // Two `COPY --from` hops: context → build → assets → final.
        let df = "FROM a AS build\nWORKDIR /src\nCOPY . .\nFROM b AS assets\nCOPY --from=build /src /stage\nFROM c\nCOPY --from=assets /stage/spec /app/spec\n";
        assert_eq!(ships(df, None, ""), vec!["spec/models/user_spec.rb"]);
        // A production stage built FROM development, which copied src/ with src/test/.
        let df = "FROM jdk AS development\nWORKDIR /app\nCOPY src/ src/\nFROM development AS production\nCMD java\n";
        assert_eq!(
            ships(df, Some("production"), ""),
            vec!["src/main/App.java", "src/test/AppTest.java"]
        );
        // The web target is not the last stage.
        let df =
            "FROM ruby AS web\nCOPY app app\nCOPY spec spec\nFROM ruby AS worker\nCOPY app app\n";
        assert_eq!(ships(df, Some("web"), "").len(), 2);
        assert_eq!(ships(df, None, ""), vec!["app/models/user.rb"]);
    }

    #[test]
    fn a_turbo_prune_output_copied_on_carries_the_named_workspace_only() {
        let files = entries(&[
            "apps/ingest/package.json",
            "apps/ingest/src/index.ts",
            "apps/ingest/src/tests/run.spec.ts",
            "apps/web/package.json",
            "apps/web/src/page.spec.ts",
        ]);
        let ctx = BuildContext {
            dir: "",
            files: &files,
        };
        let df = "FROM node AS builder\nWORKDIR /app\nCOPY . .\nRUN turbo prune --scope=ingest --docker\nFROM node AS installer\nWORKDIR /app\nCOPY --from=builder /app/out/full/ .\nFROM node AS runner\nWORKDIR /app\nCOPY --from=installer /app .\n";
        let Ok(parsed) = Dockerfile::parse(df.as_bytes()) else {
            panic!("parses")
        };
        let Some(t) = parsed.production_stage() else {
            panic!("no target")
        };
        let Ok(p) = plan(&parsed, df.as_bytes(), t, ctx) else {
            panic!("plans")
        };
        let got: Vec<String> = shipped(&p, ctx, None, |_| true)
            .into_iter()
            .map(|s| s.file.path.to_string())
            .collect();
        assert_eq!(
            got,
            vec![
                "apps/ingest/package.json",
                "apps/ingest/src/index.ts",
                "apps/ingest/src/tests/run.spec.ts"
            ]
        );
    }

    #[test]
    fn a_file_copied_to_a_directory_the_stage_made_lands_inside_it() {
        let files = entries(TREE);
        let ctx = BuildContext {
            dir: "",
            files: &files,
        };
        let img_of = |df: &str| -> Vec<String> {
            let Ok(parsed) = Dockerfile::parse(df.as_bytes()) else {
                panic!("parses")
            };
            let Ok(p) = plan(&parsed, df.as_bytes(), 0, ctx) else {
                panic!("plans")
            };
            p.mounts.iter().map(|m| m.img.clone()).collect()
        };
        assert_eq!(
            img_of("FROM node\nRUN mkdir -p /srv/app\nCOPY Gemfile /srv/app\n"),
            vec!["/srv/app/Gemfile"]
        );
        assert_eq!(
            img_of("FROM node\nWORKDIR /srv\nCOPY Gemfile /srv\n"),
            vec!["/srv/Gemfile"]
        );
        // The twin: nothing made the directory, so the file is copied to that name.
        assert_eq!(
            img_of("FROM node\nCOPY Gemfile /srv/app\n"),
            vec!["/srv/app"]
        );
    }

    #[test]
    fn dockerignore_excludes_and_rm_take_files_out() {
        let df = "FROM x\nWORKDIR /app\nCOPY . .\n";
        let all = ships(df, None, "spec\n");
        assert!(all.contains(&"features/login.feature".to_string()));
        assert!(all.contains(&"performance-tests/load.js".to_string()));
        assert!(!all.iter().any(|p| p.starts_with("spec/")));
        let df = "FROM x AS build\nWORKDIR /app\nCOPY . .\nRUN rm -rf spec src/test\nFROM y\nCOPY --from=build /app /srv\n";
        let got = ships(df, None, "");
        assert!(!got
            .iter()
            .any(|p| p.starts_with("spec/") || p.contains("/test/")));
        assert!(got.contains(&"app/models/user.rb".to_string()));
        let df = "FROM x\nCOPY --exclude=spec --exclude=**/test . /app/\n";
        let got = ships(df, None, "");
        assert!(!got
            .iter()
            .any(|p| p.starts_with("spec/") || p.contains("/test/")));
        // Globs name entries at their depth.
        let df = "FROM x\nCOPY sp* Gem* /app/\n";
        assert_eq!(
            ships(df, None, ""),
            vec!["Gemfile", "spec/models/user_spec.rb"]
        );
    }

    #[test]
    fn fan_out_is_capped() {
        let mut df = String::from("FROM a AS s0\nCOPY . /a\n");
        for i in 1..40 {
            df.push_str(&format!(
                "FROM b AS s{i}\nCOPY --from=s{p} /a /a\nCOPY --from=s{p} /a /a/x\n",
                p = i - 1
            ));
        }
        let files = entries(TREE);
        let Ok(parsed) = Dockerfile::parse(df.as_bytes()) else {
            panic!("parses")
        };
        let ctx = BuildContext {
            dir: "",
            files: &files,
        };
        let Err(err) = plan(&parsed, df.as_bytes(), 39, ctx) else {
            panic!("the fan-out is refused")
        };
        assert!(err.0.contains("more than 20000 paths"), "{err:?}");
    }

    #[test]
    fn go_filepath_match_components() {
        assert!(glob_component("sp*", "spec"));
        assert!(glob_component("[st]pec", "spec"));
        assert!(!glob_component("[^s]pec", "spec"));
        assert!(glob_component("a?c", "abc") && !glob_component("a?c", "ac"));
        assert!(glob_component("[a-c]x", "bx"));
    }
}
