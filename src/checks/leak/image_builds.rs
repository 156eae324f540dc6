//! Which image a repository builds for production: the `docker build` commands and
//! `docker/build-push-action` steps of its workflows, and the `build:` sections of its production compose
//! files, each naming a Dockerfile, a build context and a target stage.
//!
//! Read as text, line by line (a workflow's YAML is parsed elsewhere, for its own rules; here only three
//! keys and one command matter). A value the file computes (`${{ matrix.target }}`, `$TARGET`) is
//! unknown, and an unknown target makes every stage not named for tests or development a possible target.

use super::paths;
use super::{Extracted, Fact, Source};

/// The target stage a build names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// No `--target`: the last stage.
    Default,
    Named(String),
    /// Computed by the workflow or compose file: any stage could be it.
    Unknown,
}

/// One image build a workflow or compose file declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageBuild {
    /// The workflow or compose file (for messages).
    pub declared_in: String,
    /// Repository path of the Dockerfile.
    pub dockerfile: String,
    /// Repository path of the build context (`""`: the root).
    pub context: String,
    pub target: Target,
}

/// A workflow: `docker build` / `docker buildx build` commands and `docker/build-push-action` steps.
pub(crate) fn extract_workflow(src: &Source, out: &mut Extracted) {
    let text = String::from_utf8_lossy(src.text);
    let lines: Vec<&str> = text.lines().collect();
    for build in shell_builds(&lines)
        .into_iter()
        .chain(action_builds(&lines))
    {
        let (dockerfile, context) = build;
        out.facts.push(Fact::ImageBuild(Box::new(ImageBuild {
            declared_in: src.path.to_string(),
            dockerfile: dockerfile.0,
            context,
            target: dockerfile.1,
        })));
    }
}

/// Every Dockerfile path a CI file names, however it builds it (`-f docker/Dockerfile` in a script, an
/// Azure template's `dockerfilePath:`, a Jenkinsfile's `docker.build(…, '-f web/Dockerfile .')`): a
/// Dockerfile a pipeline names is one it may build for production.
pub(crate) fn dockerfiles_named(src: &Source, out: &mut Extracted) {
    let text = String::from_utf8_lossy(src.text);
    let mut seen: Vec<String> = Vec::new();
    for word in text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '=' | ',' | '(' | ')' | '[' | ']' | '{' | '}'
            )
    }) {
        let word = word.trim_end_matches([':', ';']);
        let name = paths::file_name(word);
        if name.is_empty() || !crate::repo::dockerfile::names_a_dockerfile(name) {
            continue;
        }
        // The checkout's root as a variable (`$(Build.SourcesDirectory)/web/Dockerfile`), `./`.
        let path = match word.rfind([')', '}']) {
            Some(i) if word.starts_with('$') => &word[i + 1..],
            _ => word,
        };
        let path = path.trim_start_matches("./").trim_start_matches('/');
        if !path.is_empty() && !path.contains('$') && !seen.iter().any(|s| s == path) {
            seen.push(path.to_string());
        }
    }
    out.facts
        .extend(seen.into_iter().map(|path| Fact::DockerfileNamed { path }));
}

type Declared = ((String, Target), String);

/// `docker build -f docker/Dockerfile --target web .`, joined across `\` continuations.
fn shell_builds(lines: &[&str]) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut command = lines[i].trim().to_string();
        while command.ends_with('\\') && i + 1 < lines.len() {
            command.pop();
            i += 1;
            command.push(' ');
            command.push_str(lines[i].trim());
        }
        i += 1;
        let words = shell_words(&command);
        let Some(at) = words.windows(4).position(|w| {
            w[0] == "docker"
                && (w[1] == "build"
                    || w[1] == "buildx" && w[2] == "build"
                    || w[1] == "image" && w[2] == "build")
        }) else {
            continue;
        };
        let skip = if words[at + 1] == "build" { 2 } else { 3 };
        if let Some(d) = parse_build_args(&words[at + skip..]) {
            out.push(d);
        }
    }
    out
}

/// Words of a shell command line: quotes group and are removed, and a `${{ … }}` expression is one word.
fn shell_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut expr = 0usize;
    // `$( … )` command substitutions, nested.
    let mut subst = 0usize;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'(') => {
                subst += 1;
                cur.push(c);
                if let Some(p) = chars.next() {
                    cur.push(p);
                }
            }
            ')' if subst > 0 => {
                subst -= 1;
                cur.push(c);
            }
            c if subst > 0 => cur.push(c),
            '$' if chars.peek() == Some(&'{') => {
                expr += 1;
                cur.push(c);
            }
            '}' if expr > 0 => {
                cur.push(c);
                if chars.peek() != Some(&'}') {
                    expr -= 1;
                }
            }
            q @ ('"' | '\'') if quote.is_none() && expr == 0 => quote = Some(q),
            q if Some(q) == quote => quote = None,
            c if c.is_whitespace() && quote.is_none() && expr == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Flags of `docker build` that take a value as the next word.
const VALUE_FLAGS: &[&str] = &[
    "-t",
    "--tag",
    "--build-arg",
    "--label",
    "--platform",
    "--cache-from",
    "--cache-to",
    "--secret",
    "--ssh",
    "-o",
    "--output",
    "--network",
    "--progress",
    "--iidfile",
    "--metadata-file",
    "--builder",
    "--add-host",
    "--build-context",
    "--annotation",
    "--attest",
    "--provenance",
    "--sbom",
    "--shm-size",
    "-m",
    "--memory",
    "--ulimit",
    "--allow",
    "--call",
];

fn parse_build_args(words: &[String]) -> Option<Declared> {
    let mut file: Option<String> = None;
    let mut target = Target::Default;
    let mut context: Option<String> = None;
    let mut k = 0;
    while k < words.len() {
        let w = &words[k];
        k += 1;
        if matches!(w.as_str(), "&&" | "||" | ";" | "|") || w.starts_with('#') {
            break;
        }
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| {
                let v = words.get(k).cloned();
                k += 1;
                v
            })
        };
        match flag {
            "-f" | "--file" => file = value(),
            "--target" => {
                target = match value() {
                    Some(v) if is_computed(&v) => Target::Unknown,
                    Some(v) => Target::Named(v),
                    None => Target::Unknown,
                }
            }
            f if VALUE_FLAGS.contains(&f) => {
                value();
            }
            f if f.starts_with('-') => {}
            _ if context.is_none() => context = Some(w.clone()),
            _ => {}
        }
    }
    let context = context?;
    resolve_paths("", &context, file.as_deref()).map(|(d, c)| ((d, target), c))
}

/// Is a value computed (`${{ … }}`, `$VAR`)?
fn is_computed(v: &str) -> bool {
    v.contains('$')
}

/// The Dockerfile and context, repository-relative, of a build run from `base` (the compose file's
/// directory, or the root) with `context` and an optional `file` (relative to the context for compose,
/// to the working directory for the CLI: both are `base` here when `file_base` is).
fn resolve_paths(base: &str, context: &str, file: Option<&str>) -> Option<(String, String)> {
    if is_computed(context) || context.contains("://") || context.starts_with("git@") {
        return None;
    }
    let ctx = paths::join(base, context.trim_end_matches('/'))?;
    let dockerfile = match file {
        Some(f) if is_computed(f) => return None,
        Some(f) => paths::join(base, f)?,
        None => paths::under(&ctx, "Dockerfile"),
    };
    Some((dockerfile, ctx))
}

/// `uses: docker/build-push-action@…` steps: their `context:`, `file:` and `target:` inputs.
fn action_builds(lines: &[&str]) -> Vec<Declared> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start().trim_start_matches("- ").trim_start();
        let Some(rest) = t.strip_prefix("uses:") else {
            continue;
        };
        if !rest
            .trim()
            .trim_matches(['"', '\''])
            .starts_with("docker/build-push-action@")
        {
            continue;
        }
        // The step: back to its `- ` line, forward while indented deeper than that dash.
        let start = (0..=i)
            .rev()
            .find(|&j| lines[j].trim_start().starts_with("- "))
            .unwrap_or(i);
        let dash = indent(lines[start]);
        let mut end = start + 1;
        while end < lines.len() && (lines[end].trim().is_empty() || indent(lines[end]) > dash) {
            end += 1;
        }
        let mut context = ".".to_string();
        let mut file = None;
        let mut target = Target::Default;
        for l in &lines[start..end] {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            let Some((key, value)) = t.split_once(':') else {
                continue;
            };
            let value = value
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
                .to_string();
            match key.trim() {
                "context" => context = value,
                "file" => file = Some(value),
                "target" if is_computed(&value) || value.is_empty() => target = Target::Unknown,
                "target" => target = Target::Named(value),
                _ => {}
            }
        }
        if let Some((d, c)) = resolve_paths("", &context, file.as_deref()) {
            out.push(((d, target), c));
        }
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A production compose file (`docker-compose.prod.yml`): each service's `build:` context, Dockerfile and
/// target. Services named for tests or development are left out.
pub(crate) fn extract_compose(src: &Source, out: &mut Extracted) {
    let text = String::from_utf8_lossy(src.text);
    let lines: Vec<&str> = text.lines().collect();
    let base = src.dir();
    let Some(services) = lines.iter().position(|l| l.trim_end() == "services:") else {
        return;
    };
    let mut i = services + 1;
    let mut service_indent: Option<usize> = None;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            i += 1;
            continue;
        }
        let ind = indent(line);
        if ind == 0 {
            break;
        }
        let si = *service_indent.get_or_insert(ind);
        if ind != si {
            i += 1;
            continue;
        }
        let name = line.trim().trim_end_matches(':').trim_matches(['"', '\'']);
        let mut end = i + 1;
        while end < lines.len() && (lines[end].trim().is_empty() || indent(lines[end]) > si) {
            end += 1;
        }
        if !crate::repo::dockerfile::is_nonprod_stage_name(name) {
            if let Some(b) = compose_build(&lines[i + 1..end], base) {
                out.facts.push(Fact::ImageBuild(Box::new(ImageBuild {
                    declared_in: src.path.to_string(),
                    dockerfile: b.0 .0,
                    context: b.1,
                    target: b.0 .1,
                })));
            }
        }
        i = end;
    }
}

/// A service's `build:` (a context path, a block, or a `{ … }` flow mapping).
fn compose_build(service: &[&str], base: &str) -> Option<Declared> {
    let at = service
        .iter()
        .position(|l| l.trim_start().starts_with("build:"))?;
    let line = service[at];
    let inline = line.trim_start()["build:".len()..].trim();
    let mut context = ".".to_string();
    let mut file = None;
    let mut target = Target::Default;
    let mut set = |key: &str, value: &str| {
        let value = value.trim().trim_matches(['"', '\'']).to_string();
        match key.trim() {
            "context" => context = value,
            "dockerfile" => file = Some(value),
            "target" if is_computed(&value) => target = Target::Unknown,
            "target" => target = Target::Named(value),
            _ => {}
        }
    };
    if let Some(flow) = inline.strip_prefix('{') {
        for pair in flow.trim_end_matches('}').split(',') {
            if let Some((k, v)) = pair.split_once(':') {
                set(k, v);
            }
        }
    } else if !inline.is_empty() {
        set("context", inline);
    } else {
        let ind = indent(line);
        for l in service[at + 1..]
            .iter()
            .take_while(|l| l.trim().is_empty() || indent(l) > ind)
        {
            if let Some((k, v)) = l.trim().split_once(':') {
                set(k, v.split(" #").next().unwrap_or(""));
            }
        }
    }
    let ctx = paths::join(base, context.trim_end_matches('/'))?;
    // A compose `dockerfile` is relative to the context.
    let (dockerfile, ctx) = resolve_paths(&ctx, ".", file.as_deref())?;
    Some(((dockerfile, target), ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn builds(path: &str, text: &str, f: fn(&Source, &mut Extracted)) -> Vec<ImageBuild> {
        let out = super::super::extract_for_test(path, text, Syntax::Hash, |s, o| f(s, o));
        out.facts
            .into_iter()
            .filter_map(|f| match f {
                Fact::ImageBuild(b) => Some(*b),
                _ => None,
            })
            .collect()
    }

    fn b(dockerfile: &str, context: &str, target: Target) -> (String, String, Target) {
        (dockerfile.into(), context.into(), target)
    }

    fn short(v: Vec<ImageBuild>) -> Vec<(String, String, Target)> {
        v.into_iter()
            .map(|x| (x.dockerfile, x.context, x.target))
            .collect()
    }

    #[test]
    fn workflow_commands_and_build_push_action_steps() {
        let wf = "jobs:\n  deploy:\n    steps:\n      - run: |\n          docker build --target web -t app:$SHA \\\n            --build-arg DATE=$(date +%Y-%m-%d %H) \\\n            -f docker/Dockerfile .\n          docker buildx build --target=\"${{ matrix.t }}\" svc\n      - name: Build\n        uses: docker/build-push-action@v6\n        with:\n          context: api\n          target: production # the image we ship\n          push: true\n      - uses: actions/checkout@v4\n        with:\n          target: nothing\n";
        assert_eq!(
            short(builds(".github/workflows/deploy.yml", wf, extract_workflow)),
            vec![
                b("docker/Dockerfile", "", Target::Named("web".into())),
                b("svc/Dockerfile", "svc", Target::Unknown),
                b("api/Dockerfile", "api", Target::Named("production".into())),
            ]
        );
    }

    #[test]
    fn compose_services_but_not_test_or_dev_ones() {
        let compose = "x-common: &c\n  restart: always\nservices:\n  web:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile\n      target: web\n  worker:\n    build: .\n  test:\n    build: { context: ., target: test }\n  db:\n    image: postgres:16\n";
        assert_eq!(
            short(builds(
                "deploy/docker-compose.prod.yml",
                compose,
                extract_compose
            )),
            vec![
                b("docker/Dockerfile", "", Target::Named("web".into())),
                b("deploy/Dockerfile", "deploy", Target::Default),
            ]
        );
    }
}
