//! Database bootstrap that only development runs. Two shapes, each decided by what runs the data rather
//! than by where it sits:
//!
//! - SQL a local docker-compose file mounts at a database container's `/docker-entrypoint-initdb.d` (the
//!   official MySQL, PostgreSQL and MariaDB images run those scripts once, into an empty volume): the
//!   developer's local database, unless a production file (a Dockerfile, a compose file named for
//!   production, a deployment manifest) bootstraps a database that way too.
//! - Prisma's seed script (the command in `package.json`'s `prisma.seed` or `prisma.config.*`'s `seed:`),
//!   which only `prisma db seed` runs, and the development commands `prisma migrate dev` and
//!   `prisma migrate reset` — never `prisma migrate deploy`. It is production's when a file production
//!   runs (a Dockerfile, a CI workflow, a deploy pipeline, a `start`/`postinstall` script) runs one of
//!   those commands, directly or through the package scripts that do.
//!
//! The markers stage shows every file it reads to `note` for these facts, and hands over the `data/`
//! findings of SQL files to hold; once the walk is done, `judge` makes notes of the `data/` findings in
//! such files (those held here, and the JavaScript ones `dev_tooling` held), saying which declaration made
//! them development data. Anything not shown to be development's is judged as before.

use super::leak::paths::{extension, file_name, is_under, join, parent};
use crate::finding::{Finding, Location, Severity};
use crate::repo::classify::FileClass;
use crate::repo::files::FileEntry;
use crate::sync::lock;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

/// Where the official database images look for scripts to run on an empty volume.
const INITDB: &str = "/docker-entrypoint-initdb.d";
/// A manifest larger than this is not read for these facts.
const MAX_MANIFEST_BYTES: usize = 1024 * 1024;
/// npm lifecycle scripts that a production install, build or start runs by itself.
const LIFECYCLE: &[&str] = &[
    "start",
    "prestart",
    "poststart",
    "install",
    "preinstall",
    "postinstall",
    "prepare",
    "build",
    "prebuild",
    "postbuild",
];
/// Prisma commands that run the seed script.
const SEEDING_COMMANDS: &[&str] = &["db seed", "migrate dev", "migrate reset"];

/// A file that runs something: the package scripts it invokes and whether it runs Prisma's seeding
/// commands or a seed file by name.
#[derive(Debug)]
struct Runner {
    path: String,
    class: FileClass,
    /// Script names after `npm run`, `yarn`, `pnpm`, `bun run`.
    scripts: Vec<String>,
    /// Runs `prisma db seed` (or `migrate dev` / `migrate reset`).
    prisma_seeds: bool,
    /// Script files it names whose name holds `seed` (`node prisma/seed.js`), lower-case file names.
    seed_files: Vec<String>,
}

#[derive(Default)]
pub struct Seeds {
    /// (compose file, its class, the mounted directory or file) for each `…:/docker-entrypoint-initdb.d`.
    initdb_mounts: Mutex<Vec<(String, FileClass, String)>>,
    /// A production file puts something into `/docker-entrypoint-initdb.d`: bootstrap SQL may be
    /// production's, so none is judged local.
    production_initdb: Mutex<Option<String>>,
    /// (declaring file, the seed script it names) for Prisma's seed.
    prisma_seeds: Mutex<Vec<(String, String)>>,
    /// Package scripts of every `package.json`: name → commands.
    scripts: Mutex<BTreeMap<String, Vec<String>>>,
    runners: Mutex<Vec<Runner>>,
    /// `data/` findings of SQL files, held until `judge`.
    held: Mutex<Vec<Finding>>,
}

impl Seeds {
    /// Should this file be read for its facts beside those the markers stage reads anyway (a Makefile
    /// that may run the seed)?
    pub fn wants(file: &FileEntry) -> bool {
        matches!(
            file_name(&file.path).to_ascii_lowercase().as_str(),
            "makefile" | "justfile"
        )
    }

    /// Does it hold the findings of such a file until the walk is done (a SQL file)? Then a stage that
    /// takes another evaluation's findings for it must check it again.
    pub fn holds(file: &FileEntry) -> bool {
        extension(file_name(&file.path)).eq_ignore_ascii_case("sql")
    }

    /// Record what `file` says about database bootstrap; hold the `data/` findings of a SQL file (true
    /// then).
    pub fn take(&self, file: &FileEntry, content: &[u8], found: &mut Vec<Finding>) -> bool {
        self.note(file, content);
        let held = |f: &Finding| f.rule.starts_with("data/");
        if !Self::holds(file) || !found.iter().any(held) {
            return false;
        }
        let (mine, rest): (Vec<Finding>, Vec<Finding>) =
            std::mem::take(found).into_iter().partition(held);
        *found = rest;
        lock(&self.held).extend(mine);
        true
    }

    /// Record what `file` says about database bootstrap (a compose mount, Prisma's seed, a command that
    /// runs it).
    pub fn note(&self, file: &FileEntry, content: &[u8]) {
        let name = file_name(&file.path).to_ascii_lowercase();
        if name == "package.json" {
            self.note_package(&file.path, content);
            return;
        }
        let config = name.starts_with("prisma.config.");
        // What runs seeding or mounts a database's init directory is a deploy, CI, compose or shell file, a
        // manifest, a Makefile or Prisma's config, not source code or data: the bulk of the files read are
        // not searched.
        let shell = matches!(extension(&name), "sh" | "bash" | "");
        let runs_things = matches!(
            file.class,
            FileClass::Deploy | FileClass::Ci | FileClass::DevConfig | FileClass::Manifest
        );
        if !(config || shell || runs_things || Self::wants(file)) {
            return;
        }
        // Most files say nothing of this: look for the words before reading any further.
        let words = words_in(content);
        let initdb = words.initdb;
        let managers = words.managers;
        let prisma = words.prisma;
        let seed = words.seed;
        if !(config || initdb || managers || prisma || seed) {
            return;
        }
        let text = String::from_utf8_lossy(content);
        if config {
            if let Some(cmd) = prisma_config_seed(&text) {
                lock(&self.prisma_seeds).push((file.path.to_string(), cmd));
            }
        }
        if initdb {
            self.note_initdb(file, &text);
        }
        let runner = Runner {
            path: file.path.to_string(),
            class: file.class,
            scripts: if managers {
                invoked_scripts(&text)
            } else {
                Vec::new()
            },
            prisma_seeds: prisma && runs_prisma_seeding(&text),
            seed_files: if seed {
                seed_files_named(&text)
            } else {
                Vec::new()
            },
        };
        if !runner.scripts.is_empty() || runner.prisma_seeds || !runner.seed_files.is_empty() {
            lock(&self.runners).push(runner);
        }
    }

    fn note_package(&self, path: &str, content: &[u8]) {
        if content.len() > MAX_MANIFEST_BYTES {
            return;
        }
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(content) else {
            return;
        };
        if let Some(cmd) = v.pointer("/prisma/seed").and_then(|s| s.as_str()) {
            lock(&self.prisma_seeds).push((path.to_string(), cmd.to_string()));
        }
        if let Some(scripts) = v.get("scripts").and_then(|s| s.as_object()) {
            let mut all = lock(&self.scripts);
            for (name, cmd) in scripts {
                if let Some(cmd) = cmd.as_str() {
                    all.entry(name.clone()).or_default().push(cmd.to_string());
                }
            }
        }
    }

    /// A compose volume (`- ./init:/docker-entrypoint-initdb.d`, or `source:` beside
    /// `target: /docker-entrypoint-initdb.d`) or a Dockerfile's `COPY … /docker-entrypoint-initdb.d/`.
    fn note_initdb(&self, file: &FileEntry, text: &str) {
        let lower = file_name(&file.path).to_ascii_lowercase();
        let compose = lower.starts_with("docker-compose") || lower.starts_with("compose.");
        let local = compose && file.class == FileClass::DevConfig;
        if !local {
            // Anything else that fills a database container's init directory — a production image, a
            // compose file for production, a manifest — may bootstrap production's database.
            if file.class.is_production() || file.class == FileClass::Ci {
                lock(&self.production_initdb).get_or_insert_with(|| file.path.to_string());
            }
            return;
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.contains(INITDB) {
                continue;
            }
            let source = short_volume_source(line).or_else(|| long_volume_source(&lines, i));
            let Some(source) = source else {
                continue;
            };
            // Only a path on the host (`./init`, `../db`), not a named volume.
            if !(source.starts_with("./") || source.starts_with("../") || source == ".") {
                continue;
            }
            if let Some(dir) = join(parent(&file.path), &source) {
                lock(&self.initdb_mounts).push((file.path.to_string(), file.class, dir));
            }
        }
    }

    /// Notes for the `data/` findings of development's bootstrap: `others` (findings other collectors
    /// held) and those held here.
    pub fn judge(&self, others: &mut Vec<Finding>) {
        others.append(&mut lock(&self.held));
        let mounts = std::mem::take(&mut *lock(&self.initdb_mounts));
        let production_initdb = lock(&self.production_initdb).clone();
        let seeds = self.prisma_seed_files();
        for f in others.iter_mut() {
            let Location::File(span) = &f.location else {
                continue;
            };
            if !f.rule.starts_with("data/") || f.severity <= Severity::Note {
                continue;
            }
            let path = span.path.clone();
            let mount = mounts
                .iter()
                .find(|(_, _, dir)| is_under(&path, dir))
                .filter(|_| production_initdb.is_none());
            if let Some((compose, _, dir)) = mount {
                f.severity = Severity::Note;
                f.message.push_str(&format!(
                    " (local database bootstrap: {compose} mounts `{dir}` at {INITDB}, which the database image runs into an empty volume; no production file does)"
                ));
                continue;
            }
            if let Some((declared, runners)) = seeds
                .iter()
                .find(|(s, _, _)| *s == path)
                .map(|(_, d, r)| (d, r))
            {
                let Some(runners) = runners else {
                    continue;
                };
                f.severity = Severity::Note;
                let by = if runners.is_empty() {
                    "no file production runs does".to_string()
                } else {
                    format!("run only by non-production files: {}", runners.join(", "))
                };
                f.message.push_str(&format!(
                    " (Prisma's seed script, declared in {declared}: only `prisma db seed`, `migrate dev` and `migrate reset` run it, never `migrate deploy`; {by})"
                ));
            }
        }
    }

    /// Prisma's seed scripts: (the script, where it is declared, the non-production files that run it —
    /// None when a production file or a lifecycle script runs it).
    fn prisma_seed_files(&self) -> Vec<(String, String, Option<Vec<String>>)> {
        let declared = lock(&self.prisma_seeds).clone();
        if declared.is_empty() {
            return Vec::new();
        }
        let scripts = lock(&self.scripts);
        let runners = lock(&self.runners);
        let mut out = Vec::new();
        for (decl, cmd) in declared {
            let Some(script) = seed_script_path(parent(&decl), &cmd) else {
                continue;
            };
            let seed_name = file_name(&script).to_ascii_lowercase();
            let names_seed =
                |cmd: &str| runs_prisma_seeding(cmd) || seed_files_named(cmd).contains(&seed_name);
            let seeding = seeding_scripts(&scripts, &names_seed);
            let verdict = if seeding.iter().any(|s| LIFECYCLE.contains(&s.as_str())) {
                None
            } else {
                let mut by: Vec<String> = Vec::new();
                let mut production = false;
                for r in runners.iter() {
                    let runs = r.prisma_seeds
                        || r.seed_files.contains(&seed_name)
                        || r.scripts.iter().any(|s| seeding.contains(s));
                    // The seed itself, and the configuration that declares it, run nothing.
                    if !runs || r.path == script || r.path == decl {
                        continue;
                    }
                    if matches!(
                        r.class,
                        FileClass::DevConfig
                            | FileClass::Test
                            | FileClass::Fixture
                            | FileClass::Docs
                    ) {
                        by.push(r.path.clone());
                    } else {
                        production = true;
                    }
                }
                by.sort();
                by.dedup();
                (!production).then_some(by)
            };
            out.push((script, decl, verdict));
        }
        out
    }
}

/// The package scripts that run the seed, directly (`prisma db seed`, `node prisma/seed.js`) or by running
/// another such script (`npm run db:seed --workspace …`), across every `package.json`.
fn seeding_scripts(
    scripts: &BTreeMap<String, Vec<String>>,
    names_seed: &dyn Fn(&str) -> bool,
) -> HashSet<String> {
    let mut seeding: HashSet<String> = HashSet::new();
    loop {
        let before = seeding.len();
        for (name, cmds) in scripts {
            if seeding.contains(name) {
                continue;
            }
            if cmds
                .iter()
                .any(|c| names_seed(c) || invoked_scripts(c).iter().any(|s| seeding.contains(s)))
            {
                seeding.insert(name.clone());
            }
        }
        if seeding.len() == before {
            return seeding;
        }
    }
}

/// The script file a seed command runs (`node prisma/seed.js`, `ts-node prisma/seed.ts`), relative to
/// the repository: the first word with a script's extension, resolved from the declaring file's directory.
fn seed_script_path(dir: &str, cmd: &str) -> Option<String> {
    let word = cmd.split_whitespace().find(|w| {
        matches!(
            extension(w),
            "js" | "ts" | "mjs" | "cjs" | "mts" | "cts" | "py" | "sql"
        )
    })?;
    let word = word.trim_matches(['"', '\'']);
    if word.starts_with('/') {
        return None;
    }
    join(dir, word)
}

/// `seed: 'node prisma/seed.js'` in a `prisma.config.*`.
fn prisma_config_seed(text: &str) -> Option<String> {
    let i = text.find("seed")?;
    let rest = text[i + 4..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let body = &rest[1..];
    let end = body.find(quote)?;
    Some(body[..end].to_string())
}

/// Does the text run one of Prisma's seeding commands (`prisma db seed`, `prisma migrate reset`)?
fn runs_prisma_seeding(text: &str) -> bool {
    let mut from = 0;
    while let Some(i) = text[from..].find("prisma ") {
        let rest = text[from + i + 7..].trim_start();
        if SEEDING_COMMANDS.iter().any(|c| rest.starts_with(c)) {
            return true;
        }
        from += i + 7;
    }
    false
}

/// Script names run through a package manager: `npm run X`, `npm run-script X`, `yarn X`, `yarn run X`,
/// `pnpm X`, `pnpm run X`, `bun run X`, `npm start`.
fn invoked_scripts(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let words: Vec<&str> = text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ';' | '(' | ')' | '&' | '|')
        })
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        let name = match *w {
            "npm" | "bun" => match next(1) {
                "run" | "run-script" => next(2),
                "start" => "start",
                _ => "",
            },
            "yarn" | "pnpm" => match next(1) {
                "run" => next(2),
                n => n,
            },
            _ => "",
        };
        if !name.is_empty()
            && !name.starts_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.'))
            && !out.iter().any(|o| o == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// Lower-case names of script files the text names whose name holds `seed` (`prisma/seed.js`).
/// Which of the words `note` acts on a file holds.
#[derive(Default)]
struct Words {
    initdb: bool,
    managers: bool,
    prisma: bool,
    seed: bool,
}

/// The words `note` looks for, each a searcher built once (every file the markers stage reads comes
/// here): memchr's vectorised search skips most bytes, as one automaton over all of them did not.
const WORDS: [&str; 7] = [INITDB, "npm ", "yarn ", "pnpm ", "bun ", "prisma ", "seed"];
static WORD_FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
    std::sync::LazyLock::new(|| WORDS.iter().map(memchr::memmem::Finder::new).collect());

fn words_in(content: &[u8]) -> Words {
    let has = |i: usize| {
        WORD_FINDERS
            .get(i)
            .is_none_or(|f| f.find(content).is_some())
    };
    Words {
        initdb: has(0),
        managers: (1..=4).any(has),
        prisma: has(5),
        seed: has(6),
    }
}

/// The script files named for seeding in `text` (`node prisma/seed.js`, `tsx ./db/seed-dev.ts`). Found
/// from each "seed" in a lower-case copy, not by splitting every word of the file.
fn seed_files_named(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let delimiter =
        |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ';' | ',' | '(' | ')');
    let mut out: Vec<String> = Vec::new();
    let mut next = 0;
    for at in memchr::memmem::find_iter(lower.as_bytes(), b"seed") {
        if at < next {
            continue;
        }
        // After the delimiter, which may be a multi-byte space (U+00A0).
        let start = lower[..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| delimiter(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = lower[at..].find(delimiter).map_or(lower.len(), |i| at + i);
        next = end;
        let w = &lower[start..end];
        let name = file_name(w);
        let script = matches!(
            extension(name).to_ascii_lowercase().as_str(),
            "js" | "ts" | "mjs" | "cjs" | "mts" | "cts"
        );
        if !script {
            continue;
        }
        let name = name.to_ascii_lowercase();
        if name.contains("seed") && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The host path of a compose short-syntax volume on this line: `- ./init:/docker-entrypoint-initdb.d`,
/// `- "./db/x.sql:/docker-entrypoint-initdb.d/x.sql:ro"`.
fn short_volume_source(line: &str) -> Option<String> {
    let t = line.trim().trim_start_matches('-').trim();
    let t = t.trim_matches(['"', '\'']);
    let at = t.find(&format!(":{INITDB}"))?;
    Some(t[..at].trim().to_string())
}

/// The `source:` of a compose long-syntax volume whose `target:` is on line `i`.
fn long_volume_source(lines: &[&str], i: usize) -> Option<String> {
    let target = lines[i].trim().trim_start_matches('-').trim();
    if !target.starts_with("target:") {
        return None;
    }
    let lo = i.saturating_sub(3);
    let hi = (i + 4).min(lines.len());
    lines[lo..hi].iter().find_map(|l| {
        let t = l.trim().trim_start_matches('-').trim();
        t.strip_prefix("source:")
            .map(|s| s.trim().trim_matches(['"', '\'']).to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_that_run_the_seed() {
        assert!(runs_prisma_seeding("npx prisma db seed"));
        assert!(runs_prisma_seeding("npx prisma migrate reset --force"));
        assert!(!runs_prisma_seeding("npx prisma migrate deploy"));
        assert_eq!(
            invoked_scripts("npm run db:seed --workspace=@acme/api && yarn build; pnpm run lint"),
            vec!["db:seed", "build", "lint"]
        );
        assert_eq!(invoked_scripts("npm start"), vec!["start"]);
        assert_eq!(
            seed_files_named("node prisma/seed.js && node server.js"),
            vec!["seed.js"]
        );
        // Names after a multi-byte space, in any case, each once; a long run of "seed" is one word.
        assert_eq!(
            seed_files_named("run\u{a0}Db/Seed-Dev.TS then (node ./seed.mjs) and seed.mjs"),
            vec!["seed-dev.ts", "seed.mjs"]
        );
        assert_eq!(
            seed_files_named(&"seed".repeat(10_000)),
            Vec::<String>::new()
        );
        assert_eq!(
            prisma_config_seed("migrations: {\n  seed: 'node prisma/seed.js'\n}"),
            Some("node prisma/seed.js".into())
        );
        assert_eq!(
            seed_script_path("packages/api", "ts-node prisma/seed.ts"),
            Some("packages/api/prisma/seed.ts".into())
        );
    }

    #[test]
    fn seeding_scripts_follow_each_other() {
        let mut scripts = BTreeMap::new();
        scripts.insert(
            "db:seed".to_string(),
            vec!["npx prisma db seed".to_string()],
        );
        scripts.insert(
            "setup".to_string(),
            vec!["npm run db:migrate && npm run db:seed".to_string()],
        );
        scripts.insert(
            "db:migrate".to_string(),
            vec!["npx prisma migrate deploy".to_string()],
        );
        let got = seeding_scripts(&scripts, &|c: &str| runs_prisma_seeding(c));
        let mut got: Vec<String> = got.into_iter().collect();
        got.sort();
        assert_eq!(got, vec!["db:seed", "setup"]);
    }

    #[test]
    fn compose_volumes() {
        assert_eq!(
            short_volume_source("      - ./init:/docker-entrypoint-initdb.d"),
            Some("./init".into())
        );
        assert_eq!(
            short_volume_source("  - \"./db/a.sql:/docker-entrypoint-initdb.d/a.sql:ro\""),
            Some("./db/a.sql".into())
        );
        let lines = [
            "    - type: bind",
            "      source: ./init",
            "      target: /docker-entrypoint-initdb.d",
        ];
        assert_eq!(long_volume_source(&lines, 2), Some("./init".into()));
    }
}
