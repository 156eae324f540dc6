//! Held-out batch 9: classes of false finding and of missed leak it showed (and one carried from batch 7),
//! each with a made-up instance and a twin that must still be (or, for a miss, not be) reported. The
//! workflow, .NET and JavaScript classes are in `batch9_*.rs`.
use crate::common::*;

/// Commit `files` and run the gate: (exit code, (rule, path, line, severity) of every finding whose rule
/// starts with `prefix`).
fn gate(files: &[(&str, &str)], prefix: &str) -> (i32, Vec<(String, String, u64, String)>) {
    let (code, report) = gate_files(files);
    let found = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with(prefix))
        .collect();
    (code, found)
}

fn with<'a>(base: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut out = base.to_vec();
    out.extend_from_slice(extra);
    out
}

fn severity_of(found: &[(String, String, u64, String)], rule: &str, path: &str) -> Option<String> {
    found
        .iter()
        .find(|f| f.0 == rule && f.1 == path)
        .map(|f| f.3.clone())
}

const RAILS_ON_CF: &[(&str, &str)] = &[
    ("Gemfile", "source 'https://rubygems.org'\ngem 'rails'\ngroup :test do\n  gem 'rspec-rails'\nend\n"),
    ("config/application.rb", "require 'rails/all'\nBundler.require(*Rails.groups)\n"),
    ("app/models/case.rb", "class Case < ApplicationRecord\nend\n"),
    ("spec/models/case_spec.rb", "RSpec.describe Case do\n  it { expect(1).to eq 1 }\nend\n"),
    (
        "manifest.yml",
        "applications:\n- name: cases\n  buildpacks:\n  - ruby_buildpack\n  command: bin/rails db:migrate && bin/rails server\n",
    ),
    (".cfignore", "/tmp\n/log\n"),
    (
        "docker/web/Dockerfile",
        "FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile ./\nRUN bundle install\nCOPY . .\nCMD [\"bin/rails\", \"server\"]\n",
    ),
];

const CF_DEPLOY_SCRIPT: (&str, &str) = (
    "deploy.sh",
    "#!/bin/bash\nset -e\ncf7 push $APP_NAME -f manifest.yml --strategy rolling\n",
);

/// Class: when a CI file or script pushes the service to Cloud Foundry and nothing builds the Dockerfile
/// whose context holds the manifest, production is the push: `.cfignore` decides what ships (a warning),
/// and the image is a developer's (a note that says so). The twin without the push keeps the image's
/// warning; with a Dockerfile beside the manifest and no push, the `.cfignore` is the note.
#[test]
fn a_cloud_foundry_push_in_ci_is_how_the_service_ships_not_the_unbuilt_image() {
    let (_, pushed) = gate(&with(RAILS_ON_CF, &[CF_DEPLOY_SCRIPT]), "leak/");
    assert_eq!(
        severity_of(&pushed, "leak/package-ships-tests", ".cfignore").as_deref(),
        Some("warning"),
        "{pushed:?}"
    );
    assert_eq!(
        severity_of(&pushed, "leak/docker-copy-all", "docker/web/Dockerfile").as_deref(),
        Some("note"),
        "{pushed:?}"
    );
    let (_, unpushed) = gate(RAILS_ON_CF, "leak/");
    assert_eq!(
        severity_of(&unpushed, "leak/docker-copy-all", "docker/web/Dockerfile").as_deref(),
        Some("warning"),
        "{unpushed:?}"
    );
    // A Dockerfile beside the manifest and no push anywhere: the service has likely moved to the image.
    let mut beside = RAILS_ON_CF.to_vec();
    beside.retain(|f| f.0 != "docker/web/Dockerfile");
    beside.push((
        "Dockerfile",
        "FROM ruby:3.3\nWORKDIR /app\nCOPY app app\nCMD [\"bin/rails\", \"server\"]\n",
    ));
    let (_, moved) = gate(&beside, "leak/");
    assert_eq!(
        severity_of(&moved, "leak/package-ships-tests", ".cfignore").as_deref(),
        Some("note"),
        "{moved:?}"
    );
    beside.push(CF_DEPLOY_SCRIPT);
    let (_, still_pushed) = gate(&beside, "leak/");
    assert_eq!(
        severity_of(&still_pushed, "leak/package-ships-tests", ".cfignore").as_deref(),
        Some("warning"),
        "{still_pushed:?}"
    );
}

const PUMA: (&str, &str) = (
    "config/puma.rb",
    "threads 5, 5\nworker_timeout 3600 if ENV.fetch(\"RAILS_ENV\", \"development\") == \"development\"\nport ENV.fetch(\"PORT\") { 3000 }\n",
);

/// Class: Cloud Foundry's and Heroku's Ruby buildpacks set `RAILS_ENV=production` themselves, so the
/// stock `puma.rb` fallback to `development` never applies to an app whose manifest names that
/// buildpack. The twin, an app deployed by a manifest with another buildpack, is still warned.
#[test]
fn the_ruby_buildpack_sets_the_rails_environment() {
    let (_, found) = gate(
        &with(RAILS_ON_CF, &[PUMA, CF_DEPLOY_SCRIPT]),
        "leak/nonprod-default",
    );
    assert!(found.is_empty(), "{found:?}");
    let mut other = with(RAILS_ON_CF, &[PUMA, CF_DEPLOY_SCRIPT]);
    for f in other.iter_mut() {
        if f.0 == "manifest.yml" {
            f.1 = "applications:\n- name: cases\n  docker:\n    image: ghcr.io/acme/cases:latest\n";
        }
    }
    let (_, found) = gate(&other, "leak/nonprod-default");
    assert_eq!(
        found.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        vec!["config/puma.rb"],
        "{found:?}"
    );
}

/// Class (batch 7's miss): `turbo prune <workspace> --docker` copies the workspace into `out/full`,
/// which later stages take; the production image then holds that workspace's tests. Twin: another
/// workspace the prune leaves out is not reported as shipped.
#[test]
fn a_turbo_prune_carries_the_workspaces_tests_into_the_image() {
    let df = "FROM node:20 AS builder\nWORKDIR /app\nCOPY . .\nRUN npx turbo prune --scope=ingest --docker\n\nFROM node:20 AS installer\nWORKDIR /app\nCOPY --from=builder /app/out/json/ .\nRUN npm ci\nCOPY --from=builder /app/out/full/ .\nCOPY turbo.json turbo.json\nRUN npm run build\n\nFROM node:20 AS runner\nWORKDIR /app\nCOPY --from=installer /app .\nCMD node apps/ingest/dist/index.js\n";
    let files = [
        (
            "package.json",
            "{ \"name\": \"root\", \"private\": true, \"workspaces\": [\"apps/*\"] }\n",
        ),
        (
            "apps/ingest/package.json",
            "{ \"name\": \"ingest\", \"dependencies\": { \"pg\": \"8\" } }\n",
        ),
        ("apps/ingest/src/index.ts", "export const run = () => 1;\n"),
        (
            "apps/ingest/src/tests/run.spec.ts",
            "test('runs', () => {});\n",
        ),
        ("apps/web/package.json", "{ \"name\": \"web\" }\n"),
        ("apps/web/src/page.spec.ts", "test('page', () => {});\n"),
        ("apps/ingest/Dockerfile", df),
        (".dockerignore", "node_modules\n.git\n"),
        ("turbo.json", "{ \"pipeline\": {} }\n"),
    ];
    let (_, report) = gate_files(&files);
    let copies: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("leak/docker-cop"))
        })
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(copies[0].contains("apps/ingest"), "{copies:?}");
    assert!(!copies[0].contains("apps/web"), "{copies:?}");
}

/// Class: `COPY package.json /app` after `RUN mkdir -p /app` puts the manifest inside `/app`, so the
/// `npm ci` run there installs its development dependencies (test libraries) into the image. The twin
/// installs with `--omit=dev` and is quiet.
#[test]
fn a_manifest_copied_into_a_made_directory_is_the_one_npm_installs() {
    let df = |install: &str| {
        format!("FROM node:22-alpine\nRUN mkdir -p /web\nCOPY package.json /web\nCOPY package-lock.json /web\nWORKDIR /web\nRUN {install}\nCOPY ./dist /web/dist\nCMD [\"node\", \"dist/server.js\"]\n")
    };
    let pkg = "{ \"name\": \"web\", \"dependencies\": { \"next\": \"14\" }, \"devDependencies\": { \"axios-mock-adapter\": \"1\" } }\n";
    let all = df("npm ci --no-audit");
    let (_, found) = gate(
        &[
            ("web/package.json", pkg),
            ("web/package-lock.json", "{}\n"),
            ("web/Dockerfile", &all),
        ],
        "leak/test-dependency",
    );
    assert_eq!(
        found.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        vec!["web/Dockerfile"],
        "{found:?}"
    );
    let prod = df("npm ci --omit=dev");
    let (_, found) = gate(
        &[
            ("web/package.json", pkg),
            ("web/package-lock.json", "{}\n"),
            ("web/Dockerfile", &prod),
        ],
        "leak/test-dependency",
    );
    assert!(found.is_empty(), "{found:?}");
}
