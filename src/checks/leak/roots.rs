//! Roots: what production runs. A Procfile's processes, a Dockerfile's `CMD`/`ENTRYPOINT`, a
//! package's `main`, `bin` and `start` script, the WSGI/ASGI module a server is given
//! (`gunicorn app.wsgi:application`), the settings module a deployment selects
//! (`DJANGO_SETTINGS_MODULE=config.settings.production`). Each is a reference from the file that names
//! it to the file it runs, resolved like an import: a root that is test code is a leak (production runs
//! it), and one named as docs, an example or dev tooling is gated as production.
//!
//! The production image's own contents (which stage, what it copies) are the Docker rules' concern; the
//! commands read here are those of every stage not named for tests or development.

use super::paths;
use super::tokens::line_range;
use super::{Extracted, Source, Use, Want};
use std::ops::Range;

/// `web: gunicorn app.wsgi:application`, `worker: node demo/worker.js`.
pub(crate) fn procfile(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut pos = 0;
    while pos < text.len() {
        let line = line_range(text, pos);
        pos = line.end + 1;
        let l = &text[line.clone()];
        if l.starts_with(b"#") {
            continue;
        }
        let Some(colon) = l.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = String::from_utf8_lossy(&l[..colon])
            .trim()
            .to_ascii_lowercase();
        // `release:` runs migrations; `web`, `worker`, `clock`… are the service.
        if name.contains("dev") || name.contains("test") {
            continue;
        }
        command(src, out, line.start + colon + 1..line.end, "");
    }
}

/// `CMD ["node", "demo/server.js"]`, `ENTRYPOINT python -m app.main`, with `WORKDIR` stripped from
/// absolute paths, in stages not named for tests or development.
pub(crate) fn dockerfile(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let mut workdir = String::new();
    let mut stage_dev = false;
    let mut pos = 0;
    while pos < text.len() {
        let line = line_range(text, pos);
        pos = line.end + 1;
        let l = text[line.clone()].trim_ascii_start();
        let lead = line.end - line.start - l.len();
        let upper: Vec<u8> = l.iter().take(11).map(u8::to_ascii_uppercase).collect();
        if upper.starts_with(b"FROM ") {
            let lower = String::from_utf8_lossy(l).to_ascii_lowercase();
            let stage = lower.rsplit(" as ").next().unwrap_or("").trim().to_string();
            stage_dev = lower.contains(" as ")
                && stage.split(['-', '_']).any(|w| {
                    matches!(
                        w,
                        "test" | "tests" | "dev" | "development" | "ci" | "e2e" | "local"
                    )
                });
            continue;
        }
        if upper.starts_with(b"WORKDIR ") {
            workdir = String::from_utf8_lossy(&l[8..])
                .trim()
                .trim_end_matches('/')
                .to_string();
            continue;
        }
        let kw = if upper.starts_with(b"CMD ") {
            4
        } else if upper.starts_with(b"ENTRYPOINT ") {
            11
        } else {
            continue;
        };
        if stage_dev {
            continue;
        }
        let start = line.start + lead + kw;
        command(src, out, start..line.end, &workdir);
    }
}

/// `"main": "demo/index.js"`, `"bin": {"x": "bin/x.js"}`, `"scripts": {"start": "node demo/server.js"}`.
pub(crate) fn package_json(src: &mut Source, out: &mut Extracted) {
    let text = src.text;
    let tooling = development_tooling(text);
    for key in [&b"\"main\""[..], b"\"start\"", b"\"bin\""] {
        if tooling && key == b"\"main\"" {
            continue;
        }
        for at in memchr::memmem::find_iter(text, key) {
            let line = line_range(text, at);
            let rest = &text[at + key.len()..line.end];
            let Some(colon) = rest.iter().position(|b| *b == b':') else {
                continue;
            };
            let v_from = at + key.len() + colon + 1;
            let v = &text[v_from..line.end];
            let Some(q) = v.iter().position(|b| *b == b'"') else {
                continue;
            };
            let s = v_from + q + 1;
            let Some(len) = text[s..line.end].iter().position(|b| *b == b'"') else {
                continue;
            };
            if key == b"\"main\"" && names_task_runner_file(&text[s..s + len]) {
                continue;
            }
            if key == b"\"start\"" {
                // `"start": "node server.js"`: a package started as a Node process is a service that
                // is deployed somewhere (a library's `start` builds or watches), so its environment
                // defaults are production's, whether or not its deployment files live here.
                if text[s..s + len].starts_with(b"node ") {
                    out.facts.push(super::Fact::Deploys);
                }
                command(src, out, s..s + len, "");
            } else {
                reference(
                    src,
                    out,
                    s..s + len,
                    &String::from_utf8_lossy(&text[s..s + len]),
                    "",
                );
            }
        }
    }
}

/// `"main": "gulpfile.js"`: a task runner's file (gulp, Grunt, Jake) is what a developer's or a build's
/// `gulp` command loads, never a module production imports: no production entry point.
fn names_task_runner_file(value: &[u8]) -> bool {
    let value = String::from_utf8_lossy(value).to_ascii_lowercase();
    let name = value.rsplit('/').next().unwrap_or("");
    ["gulpfile.", "gruntfile.", "jakefile."]
        .iter()
        .any(|p| name.starts_with(p))
}

/// Is the package development tooling — development dependencies only, no `start` script, no `bin`
/// and nothing that publishes it (`files`, `exports`, `module`, `types`, `publishConfig`)? A package.json
/// holding only the test runner's devDependencies (a Python service's JavaScript unit tests) runs
/// nothing in production and is installed by nobody: its `main` (often `npm init`'s guess, the first
/// `.js` file it saw) is no production entry point. One that does not parse is judged as written.
fn development_tooling(text: &[u8]) -> bool {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(text) else {
        return false;
    };
    let nonempty = |k: &str| match &json[k] {
        serde_json::Value::Null => false,
        serde_json::Value::Object(m) => !m.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::String(s) => !s.is_empty(),
        _ => true,
    };
    let dependencies = [
        "dependencies",
        "optionalDependencies",
        "peerDependencies",
        "bundledDependencies",
        "bundleDependencies",
    ]
    .iter()
    .any(|k| nonempty(k));
    let published = [
        "bin",
        "files",
        "exports",
        "module",
        "browser",
        "types",
        "typings",
        "publishConfig",
    ]
    .iter()
    .any(|k| nonempty(k));
    let started = !json["scripts"]["start"].is_null();
    // Only development dependencies: what it exists for is installing tools. A package with none at
    // all is a module whose `main` is its point.
    json.is_object() && nonempty("devDependencies") && !dependencies && !published && !started
}

/// One command line: the files it runs (`node x.js`, `python x.py`, `ruby x.rb`), the module a Python
/// server or `-m` is given (`app.wsgi:application`, `-m app.main`).
fn command(src: &mut Source, out: &mut Extracted, range: Range<usize>, workdir: &str) {
    let text = src.text;
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut i = range.start;
    while i < range.end {
        while i < range.end && matches!(text[i], b' ' | b'\t' | b'[' | b']' | b',' | b'"' | b'\'') {
            i += 1;
        }
        let s = i;
        while i < range.end && !matches!(text[i], b' ' | b'\t' | b'[' | b']' | b',' | b'"' | b'\'')
        {
            i += 1;
        }
        if i > s {
            words.push(s..i);
        }
    }
    let server = words.iter().any(|w| {
        matches!(
            paths::file_name(&String::from_utf8_lossy(&text[w.clone()])),
            "gunicorn" | "uvicorn" | "waitress-serve" | "hypercorn" | "daphne" | "uwsgi"
        )
    });
    let mut module_next = false;
    for w in words {
        let word = String::from_utf8_lossy(&text[w.clone()]).into_owned();
        if module_next {
            module_next = false;
            module(src, out, w, &word);
            continue;
        }
        if word == "-m" {
            module_next = true;
            continue;
        }
        let ext = paths::extension(paths::file_name(&word));
        if matches!(ext, "js" | "mjs" | "cjs" | "ts" | "py" | "rb") && !word.contains("://") {
            reference(src, out, w, &word, workdir);
        } else if server && word.contains(':') && !word.starts_with('-') && !word.contains('/') {
            // `app.wsgi:application`: the module before the colon.
            let m = word.split(':').next().unwrap_or("").to_string();
            let r = w.start..w.start + m.len();
            module(src, out, r, &m);
        }
    }
}

/// A Python module a command runs (`app.main`, `app.wsgi`).
fn module(src: &mut Source, out: &mut Extracted, span: Range<usize>, module: &str) {
    let starts_as_name = module
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if !starts_as_name
        || !module
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        return;
    }
    let p = module.replace('.', "/");
    let dir = src.dir();
    let candidates = vec![
        paths::under(dir, &format!("{p}.py")),
        paths::under(dir, &format!("{p}/__init__.py")),
        paths::under(dir, &format!("{p}/__main__.py")),
    ];
    let at = src.span(span);
    out.pending(
        at,
        module.to_string(),
        Want::Path {
            candidates,
            used: Use::Run,
        },
    );
}

/// A file a command or manifest names, relative to the naming file's directory (an absolute path under
/// the image's `WORKDIR` relative to the Dockerfile's).
fn reference(src: &mut Source, out: &mut Extracted, span: Range<usize>, word: &str, workdir: &str) {
    let rel = match word.strip_prefix('/') {
        Some(_) if !workdir.is_empty() => match word.strip_prefix(workdir) {
            Some(r) => r.trim_start_matches('/').to_string(),
            None => return,
        },
        Some(_) => return,
        None => word.to_string(),
    };
    let Some(path) = paths::join(src.dir(), &rel) else {
        return;
    };
    let at = src.span(span);
    out.pending(
        at,
        word.to_string(),
        Want::Path {
            candidates: vec![path],
            used: Use::Run,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::lexer::Syntax;

    fn run(path: &str, text: &str, f: fn(&mut Source, &mut Extracted)) -> Vec<(String, String)> {
        super::super::extract_for_test(path, text, Syntax::Hash, f)
            .pending
            .iter()
            .map(|p| match &p.want {
                Want::Path { candidates, .. } => (p.evidence.to_string(), candidates[0].clone()),
                other => (format!("{other:?}"), String::new()),
            })
            .collect()
    }

    #[test]
    fn what_production_runs() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            run("Procfile", "web: gunicorn app.wsgi:application --bind 0.0.0.0:$PORT\nworker: node demo/worker.js\ndev: node dev/server.js\n", procfile),
            pairs(&[("app.wsgi", "app/wsgi.py"), ("demo/worker.js", "demo/worker.js")])
        );
        assert_eq!(
            run("Dockerfile", "FROM node:20 AS dev\nCMD [\"node\", \"dev.js\"]\nFROM node:20\nWORKDIR /app\nCMD [\"node\", \"/app/demo/server.js\"]\n", dockerfile),
            pairs(&[("/app/demo/server.js", "demo/server.js")])
        );
        assert_eq!(
            run("svc/package.json", "{\n  \"main\": \"examples/index.js\",\n  \"scripts\": {\n    \"start\": \"node demo/server.js\"\n  }\n}\n", package_json),
            pairs(&[("examples/index.js", "svc/examples/index.js"), ("demo/server.js", "svc/demo/server.js")])
        );
        assert_eq!(
            run(
                "Dockerfile",
                "FROM python:3\nENTRYPOINT python -m app.main\n",
                dockerfile
            ),
            pairs(&[("app.main", "app/main.py")])
        );
    }

    #[test]
    fn a_task_runners_file_is_no_production_main() {
        let tasks = "{\n  \"name\": \"platform\",\n  \"main\": \"gulpfile.js\",\n  \"dependencies\": {\"gulp\": \"4\", \"pm2\": \"5\"}\n}\n";
        assert_eq!(run("package.json", tasks, package_json), vec![]);
        let server = tasks.replace("gulpfile.js", "server/gulp.js");
        assert_eq!(run("package.json", &server, package_json).len(), 1);
    }

    #[test]
    fn a_package_of_development_tooling_has_no_production_main() {
        let tooling = "{\n  \"name\": \"web-ui-tests\",\n  \"main\": \"jasmine.conf.js\",\n  \"dependencies\": {},\n  \"devDependencies\": {\"jasmine\": \"^5\"},\n  \"scripts\": {\"test\": \"jasmine\"}\n}\n";
        assert_eq!(run("package.json", tooling, package_json), vec![]);
        assert_eq!(
            run(
                "package.json",
                "{\"main\": \"spec/helpers.js\"}\n",
                package_json
            )
            .len(),
            1
        );
        // Twins: a dependency, a start script, a published package: `main` is production's (and a
        // package with no dependencies of any kind is a module whose `main` is its point).
        for extra in [
            "\"dependencies\": {\"express\": \"^4\"}",
            "\"scripts\": {\"start\": \"node x.js\"}",
            "\"files\": [\"lib\"]",
        ] {
            let text = format!("{{\n  \"main\": \"spec/helpers.js\",\n  \"devDependencies\": {{\"jasmine\": \"^5\"}},\n  {extra}\n}}\n");
            assert_eq!(
                run("package.json", &text, package_json)
                    .into_iter()
                    .filter(|(e, _)| e == "spec/helpers.js")
                    .count(),
                1,
                "{text}"
            );
        }
    }
}
