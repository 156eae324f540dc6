//! Dockerfiles: the production stage must not `COPY`/`ADD` tests or fixtures, and `COPY . .` into it needs a
//! .dockerignore that keeps them out.
//!
//! Multi-stage aware (stages and the production stage as `repo::dockerfile` says). Builder and test stages
//! may copy and run whatever they like. `COPY --from=stage /src /dst` copies built output from another
//! stage: its source path is judged the same way, and when that stage holds the whole build context at or
//! below `/src` (a `COPY . .` there), the production image holds it too, like a `COPY . .` of its own. So
//! does a production stage built `FROM` such a stage.

use super::paths;
use super::resolve::Index;
use super::rule_docs::{DOCKER_COPIES_TESTS, DOCKER_COPY_ALL};
use super::{make_finding, Extracted, Fact, Pending, Source, Want};
use crate::finding::Finding;
use crate::repo::classify::FileClass;
use crate::repo::dockerfile::{self, Instruction};
use crate::repo::files;
use std::ops::Range;

pub(crate) use crate::repo::dockerfile::is_production_dockerfile as is_dockerfile;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let stages = dockerfile::stages(text);
    let Some(prod) = dockerfile::production_stage(&stages) else {
        return;
    };
    let places = context_places(text, &stages);
    // Built FROM a stage that holds the whole context: the production image holds it too.
    if let Some(base) = dockerfile::base_stage(text, &stages, prod) {
        if let (false, Some(image)) = (places[base].is_empty(), stages[prod].image.clone()) {
            let name = src.str(image.clone());
            let at = src.span(image);
            let via = Some(name.clone().into_boxed_str());
            out.pending(at, name, Want::DockerCopyAll { via });
        }
    }
    for ins in &stages[prod].instructions {
        if ins.keyword != "COPY" && ins.keyword != "ADD" {
            continue;
        }
        let Some(copy) = Copy::parse(text, ins) else {
            continue;
        };
        let from_index = copy
            .from
            .as_deref()
            .and_then(|f| dockerfile::stage_named(&stages, prod, f));
        for source in &copy.sources {
            // `COPY --from=build /app /app` where `build` copied the whole context to /app.
            if let Some(j) = from_index {
                let raw = src.str(source.clone());
                let whole = absolute("/", &raw)
                    .is_some_and(|s| places[j].iter().any(|p| under(p, &s).is_some()));
                if whole {
                    let at = src.span(source.clone());
                    let via = copy.from.clone().map(String::into_boxed_str);
                    out.pending(at, raw, Want::DockerCopyAll { via });
                    continue;
                }
            }
            copy_source(src, out, source.clone(), copy.from.as_deref(), &ins.keyword);
        }
    }
}

/// A `COPY`/`ADD`: `--from`, the sources, and the destination. None for heredocs and malformed lines.
struct Copy {
    from: Option<String>,
    sources: Vec<Range<usize>>,
    dest: Range<usize>,
}

impl Copy {
    fn parse(text: &[u8], ins: &Instruction) -> Option<Copy> {
        let mut from = None;
        let mut operands: Vec<Range<usize>> = Vec::new();
        for a in &ins.args {
            let w = &text[a.clone()];
            if let Some(v) = w.strip_prefix(b"--from=") {
                from = Some(String::from_utf8_lossy(v).into_owned());
            } else if !w.starts_with(b"--") {
                operands.push(a.clone());
            }
        }
        // Heredocs (`COPY <<EOF`) carry their content inline; the last operand is the destination.
        if operands.len() < 2 || text[operands[0].clone()].starts_with(b"<<") {
            return None;
        }
        let dest = operands.pop()?;
        Some(Copy {
            from,
            sources: operands,
            dest,
        })
    }
}

/// What is known, at one point of a stage, about where the build context is.
#[derive(Clone)]
struct StageState {
    /// Directories (absolute, normalised) holding the whole build context.
    places: Vec<String>,
    /// None once a `WORKDIR` could not be resolved: nothing relative to it is followed.
    workdir: Option<String>,
    vars: Vec<(String, String)>,
}

/// For each stage, the directories (absolute, normalised) where the whole build context lands in its
/// filesystem: a `COPY . <dir>` in it or in the stages it is built from, or a `COPY --from` of such a
/// directory from another stage; a `RUN rm …` of a test directory afterwards clears them. `ENV`/`ARG`
/// values with a default are substituted in paths; a path that still holds an unknown variable is
/// followed no further.
fn context_places(text: &[u8], stages: &[dockerfile::Stage]) -> Vec<Vec<String>> {
    let mut states: Vec<StageState> = Vec::with_capacity(stages.len());
    for (i, stage) in stages.iter().enumerate() {
        let mut st = match dockerfile::base_stage(text, stages, i) {
            Some(b) => states[b].clone(),
            None => StageState {
                places: Vec::new(),
                workdir: Some("/".to_string()),
                vars: Vec::new(),
            },
        };
        let word = |r: &Range<usize>| String::from_utf8_lossy(&text[r.clone()]).into_owned();
        for ins in &stage.instructions {
            match ins.keyword.as_str() {
                "ENV" | "ARG" => {
                    let words: Vec<String> = ins.args.iter().map(word).collect();
                    if ins.keyword == "ENV" && words.len() == 2 && !words[0].contains('=') {
                        st.vars.push((words[0].clone(), words[1].clone()));
                    } else {
                        for w in &words {
                            if let Some((k, v)) = w.split_once('=') {
                                st.vars
                                    .push((k.to_string(), v.trim_matches('"').to_string()));
                            }
                        }
                    }
                }
                "WORKDIR" => {
                    st.workdir = match (&st.workdir, ins.args.first()) {
                        (Some(wd), Some(r)) => {
                            substitute(&word(r), &st.vars).and_then(|d| absolute(wd, &d))
                        }
                        _ => None,
                    };
                }
                // `RUN rm -rf spec test` after copying the context: the stage cleaned the tests out.
                "RUN" => {
                    let mut in_rm = false;
                    let mut removes_tests = false;
                    for w in ins.args.iter().map(word) {
                        if matches!(w.as_str(), "&&" | "||" | ";" | "|") {
                            in_rm = false;
                            continue;
                        }
                        if w == "rm" {
                            in_rm = true;
                            continue;
                        }
                        removes_tests |= in_rm && names_test_dir(w.trim_end_matches(';'));
                        in_rm &= !w.ends_with(';');
                    }
                    if removes_tests {
                        st.places.clear();
                    }
                }
                "COPY" | "ADD" => {
                    let Some(copy) = Copy::parse(text, ins) else {
                        continue;
                    };
                    let Some(dest) = st.workdir.as_ref().and_then(|wd| {
                        substitute(&word(&copy.dest), &st.vars).and_then(|d| absolute(wd, &d))
                    }) else {
                        continue;
                    };
                    let Some(f) = copy.from.as_deref() else {
                        let all = |s: &Range<usize>| matches!(&text[s.clone()], b"." | b"./");
                        if copy.sources.iter().any(all) {
                            st.places.push(dest);
                        }
                        continue;
                    };
                    let Some(j) = dockerfile::stage_named(stages, i, f) else {
                        continue;
                    };
                    for s in &copy.sources {
                        let Some(s) =
                            substitute(&word(s), &st.vars).and_then(|s| absolute("/", &s))
                        else {
                            continue;
                        };
                        let landed: Vec<String> = states[j]
                            .places
                            .iter()
                            .filter_map(|p| under(p, &s))
                            .map(|rest| join_abs(&dest, rest))
                            .collect();
                        st.places.extend(landed);
                    }
                }
                _ => {}
            }
        }
        states.push(st);
    }
    states.into_iter().map(|s| s.places).collect()
}

/// A path naming a test directory (`spec`, `./test/`, `app/__tests__`), as `rm` removes it.
fn names_test_dir(word: &str) -> bool {
    !word.starts_with('-')
        && word.split('/').any(|c| {
            matches!(
                c.to_ascii_lowercase().as_str(),
                "spec" | "specs" | "test" | "tests" | "__tests__" | "features" | "cypress" | "e2e"
            )
        })
}

/// `$NAME` and `${NAME}` replaced by their values; None when one is unknown (or uses `${x:-y}` forms).
fn substitute(word: &str, vars: &[(String, String)]) -> Option<String> {
    if !word.contains('$') {
        return Some(word.to_string());
    }
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, next) = if let Some(b) = after.strip_prefix('{') {
            let close = b.find('}')?;
            (&b[..close], &b[close + 1..])
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        let value = vars.iter().rev().find(|(k, _)| k == name)?;
        out.push_str(&value.1);
        rest = next;
    }
    out.push_str(rest);
    Some(out)
}

/// `path` made absolute against `dir` and normalised (`.` and empty parts dropped, `..` applied); None
/// for globs, URLs and variables.
fn absolute(dir: &str, path: &str) -> Option<String> {
    if path.contains(['*', '?', '[', '$']) || path.contains("://") {
        return None;
    }
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// What is left of `path` below `dir` (`""` when equal), if `path` is `dir` or inside it.
fn under<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir == "/" {
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

fn copy_source(
    src: &mut Source,
    out: &mut Extracted,
    range: Range<usize>,
    from_stage: Option<&str>,
    keyword: &str,
) {
    let raw = src.str(range.clone());
    if raw.contains("://") || raw.starts_with('$') {
        return;
    }
    let trimmed = raw.trim_end_matches('/');
    if trimmed == "." || trimmed.is_empty() {
        if from_stage.is_none() {
            let at = src.span(range);
            out.pending(at, raw.clone(), Want::DockerCopyAll { via: None });
        }
        return;
    }
    // The build context is usually the Dockerfile's directory, sometimes the repository root: a path
    // that is test-side either way is reported. Globs are judged by their literal directories.
    let literal = trimmed
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[']))
        .collect::<Vec<_>>()
        .join("/");
    let whole = !trimmed.contains(['*', '?', '[']);
    let mut places = Vec::new();
    for base in [src.dir(), ""] {
        let Some(p) = paths::join(base, trimmed.trim_start_matches('/')) else {
            continue;
        };
        if whole {
            places.push(p.clone());
        }
        if let Some(d) = paths::join(base, literal.trim_start_matches('/')) {
            if !d.is_empty() {
                // As a directory: what a file inside it would be.
                places.push(format!("{d}/_"));
            }
        }
    }
    // `tests/fixtures/` is a test path as a file and a fixture path as a directory: the narrower wins.
    let classes: Vec<FileClass> = places
        .iter()
        .filter_map(|p| files::classify(src.config, p))
        .filter(|c| c.is_test_side())
        .collect();
    let Some(&first) = classes.first() else {
        return;
    };
    let class = if classes.contains(&FileClass::Fixture) {
        FileClass::Fixture
    } else {
        first
    };
    let what = super::manifests::class_word(class);
    let from = from_stage.map_or(String::new(), |s| format!(" from stage `{s}`"));
    let verb = if keyword == "ADD" { "adds" } else { "copies" };
    let message = format!("the production stage {verb} `{raw}` ({what}){from} into the image");
    let at = src.span(range);
    out.finding(&DOCKER_COPIES_TESTS, at, message, &raw);
}

/// A .dockerignore: its patterns, for `COPY . .` in Dockerfiles of the same directory.
pub(crate) fn extract_ignore(src: &Source, out: &mut Extracted) {
    let patterns = src
        .text
        .split(|b| *b == b'\n')
        .map(|l| String::from_utf8_lossy(l).trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    out.facts.push(Fact::DockerIgnore {
        path: src.path.to_string(),
        patterns,
    });
}

/// Do these .dockerignore patterns keep tests out of the context? Either a pattern names a test
/// location (`tests`, `**/__tests__`, `*_test.go`), or everything is excluded (`*`) and no later `!`
/// exception lets a test location back in.
pub(crate) fn ignore_excludes_tests(patterns: &[String]) -> bool {
    let mut excluded = false;
    for p in patterns {
        if let Some(neg) = p.strip_prefix('!') {
            if paths::has_test_word(neg) {
                excluded = false;
            }
            continue;
        }
        let bare = p.trim_start_matches('/').trim_end_matches('/');
        if matches!(bare, "*" | "**" | "**/*") || paths::has_test_word(bare) {
            excluded = true;
        }
    }
    excluded
}

/// Resolve `COPY . .` into the production stage of `dockerfile`: a leak unless a .dockerignore excludes the
/// tests, and only if the build context holds test or fixture files.
pub(crate) fn resolve_copy_all(
    index: &Index,
    dockerfile: &str,
    p: &Pending,
    via: Option<&str>,
) -> Option<Finding> {
    let dir = paths::parent(dockerfile);
    let ignores = [
        paths::under(dir, ".dockerignore"),
        format!("{dockerfile}.dockerignore"),
        ".dockerignore".to_string(),
    ];
    if ignores
        .iter()
        .filter_map(|i| index.dockerignores.get(i))
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
    for e in index
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

#[cfg(test)]
mod tests {
    use super::super::resolve::testing::{judge, rule};
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, text: &str) -> Extracted {
        super::super::extract_for_test(path, text, Syntax::Hash, extract)
    }

    fn copied(out: &Extracted) -> Vec<(String, u32, u32)> {
        out.findings
            .iter()
            .map(|f| {
                let crate::finding::Location::File(s) = &f.location else {
                    return (String::new(), 0, 0);
                };
                (f.evidence.clone().unwrap_or_default(), s.line, s.column)
            })
            .collect()
    }

    #[test]
    fn only_the_production_stage_is_judged() {
        let df = "FROM python:3.12 AS builder\nCOPY . .\nCOPY tests/ tests/\nRUN pytest\n\nFROM python:3.12-slim\nCOPY --from=builder /app/dist /app\nCOPY app/ /app/app/\nCOPY --chown=app tests/fixtures \\\n     /app/fixtures\nADD [\"conftest.py\", \"/app/\"]\n";
        let out = run("Dockerfile", df);
        assert_eq!(
            copied(&out),
            vec![
                ("tests/fixtures".into(), 9, 18),
                ("conftest.py".into(), 11, 7)
            ]
        );
        assert!(out.pending.is_empty());
    }

    #[test]
    fn copy_all_waits_for_the_dockerignore_and_test_stages_are_not_production() {
        let out = run("Dockerfile", "FROM node:20\nWORKDIR /app\nCOPY . .\n");
        assert_eq!(out.pending.len(), 1);
        assert_eq!((out.pending[0].at.line, out.pending[0].at.column), (3, 6));
        let out = run(
            "Dockerfile",
            "FROM node:20 AS prod\nCOPY dist/ /app/\n\nFROM prod AS test\nCOPY test/ /app/test/\nCOPY . .\n",
        );
        assert!(out.findings.is_empty() && out.pending.is_empty());
        let out = run(
            "svc/Dockerfile",
            "FROM x\nCOPY --from=builder /src/tests /tests\n",
        );
        assert_eq!(copied(&out), vec![("/src/tests".into(), 2, 21)]);
    }

    #[test]
    fn only_an_rm_of_a_test_directory_cleans_the_copied_context() {
        let df = |run: &str| {
            format!("FROM x AS build\nWORKDIR /app\nCOPY . .\n{run}\nFROM y\nCOPY --from=build /app /app\n")
        };
        assert!(run("Dockerfile", &df("RUN make && rm -rf spec test"))
            .pending
            .is_empty());
        for keeps in [
            "RUN rm -rf /var/lib/apt/lists/* && npm test",
            "RUN rm -rf /tmp/latest",
            "RUN npm test",
        ] {
            assert_eq!(run("Dockerfile", &df(keeps)).pending.len(), 1, "{keeps}");
        }
    }

    #[test]
    fn dockerfile_names_and_ignore_patterns() {
        assert!(is_dockerfile("Dockerfile") && is_dockerfile("api.Dockerfile"));
        assert!(!is_dockerfile("Dockerfile.dev") && !is_dockerfile("ci.Dockerfile"));
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(ignore_excludes_tests(&p(&[".git", "tests/"])));
        assert!(ignore_excludes_tests(&p(&["**/__tests__"])));
        assert!(ignore_excludes_tests(&p(&["*", "!app/"])));
        assert!(!ignore_excludes_tests(&p(&["*", "!tests/"])));
        assert!(!ignore_excludes_tests(&p(&[".git", "node_modules"])));
    }

    #[test]
    fn copy_all_is_fine_when_a_dockerignore_excludes_the_tests() {
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
    }
}
