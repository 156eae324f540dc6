//! What production ships, through the binary (continued from `ship.rs`): archives a pipeline packs from
//! the checkout and deploys, what the production image's package install brings in, and development
//! images nothing builds for production. Each shape has a twin that stays quiet, or one that still fires.
use crate::common::*;

/// A finding as (rule, path, line, column, severity), and its message.
type Short = (String, String, u64, u64, String);

/// Commit `files` in a fresh repository and gate it (failing on warnings): the exit code and every
/// finding, sorted, with its message.
fn gate(files: &[(&str, &str)]) -> (i32, Vec<(Short, String)>) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &["--fail-on", "warning"]);
    let mut found: Vec<(Short, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = &f["location"];
            (
                (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    at["path"].as_str().unwrap_or("").to_string(),
                    at["line"].as_u64().unwrap_or(0),
                    at["column"].as_u64().unwrap_or(0),
                    f["severity"].as_str().unwrap_or("").to_string(),
                ),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    found.sort();
    (code, found)
}

/// Exactly one finding, `rule` at `path:line:column` with `severity`, its message containing every one of
/// `says`; the gate fails.
#[track_caller]
fn fails_once(files: &[(&str, &str)], at: (&str, &str, u64, u64, &str), says: &[&str]) {
    let (code, found) = gate(files);
    let want = (
        at.0.to_string(),
        at.1.to_string(),
        at.2,
        at.3,
        at.4.to_string(),
    );
    assert_eq!(
        found.iter().map(|f| f.0.clone()).collect::<Vec<_>>(),
        vec![want],
        "{found:#?}"
    );
    for s in says {
        assert!(found[0].1.contains(s), "{:?} lacks {s:?}", found[0].1);
    }
    assert_eq!(code, 1);
}

#[track_caller]
fn passes(files: &[(&str, &str)]) {
    let (code, found) = gate(files);
    assert_eq!((code, found), (0, vec![]));
}

/// `files` plus `extra`, the extra ones replacing files of the same path.
fn with<'a>(files: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = files
        .iter()
        .filter(|(p, _)| !extra.iter().any(|(q, _)| q == p))
        .copied()
        .collect();
    out.extend_from_slice(extra);
    out
}

// ------------------------------------------------------------- deploy archives

/// A made-up Node service: its code, a unit test beside it and a helpers folder for the tests.
const NODE_SERVICE: &[(&str, &str)] = &[
    (
        "package.json",
        "{\n  \"name\": \"permits\",\n  \"scripts\": { \"start\": \"node src/server.js\" }\n}\n",
    ),
    ("src/server.js", "require('./permits');\n"),
    ("src/permits.js", "module.exports = {};\n"),
    (
        "src/permits.test.js",
        "test('permits', () => { expect(1).toBe(1); });\n",
    ),
    ("tests/helpers/world.js", "module.exports = {};\n"),
];

/// The build workflow packs the checkout (`zip … ./* -r`, after removing the coverage folder) and
/// uploads it; `{zip}` is the packing command.
fn build_workflow(zip: &str) -> String {
    format!(
        "name: Build\non:\n  workflow_call:\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n      - name: Remove reports\n        run: rm -rf coverage\n      - name: Package\n        run: {zip}\n      - uses: actions/upload-artifact@v4\n        with:\n          name: site\n          path: site.zip\n"
    )
}

/// A reusable deploy workflow that downloads the `site` artifact and deploys it to App Service.
const DEPLOY_WORKFLOW: &str = "name: Deploy\non:\n  workflow_call:\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: actions/download-artifact@v4\n        with:\n          name: site\n      - uses: azure/webapps-deploy@v3\n        with:\n          app-name: permits\n          publish-profile: ${{ secrets.PROFILE }}\n          package: site.zip\n";

/// A deploy that uploads an archive of a folder ships what the folder holds: the build workflow zips the
/// whole checkout, another workflow deploys that zip, so the unit test and the test helpers ship. The
/// twins: the same zip excluding the tests, a zip of the build output, and a zip nothing deploys.
#[test]
fn an_archive_of_the_checkout_that_a_deploy_uses_ships_its_tests() {
    let tree = |zip: &str, deploy: bool| {
        let mut files: Vec<(String, String)> = NODE_SERVICE
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        files.push((".github/workflows/build.yml".into(), build_workflow(zip)));
        if deploy {
            files.push((
                ".github/workflows/deploy.yml".into(),
                DEPLOY_WORKFLOW.into(),
            ));
        }
        files
    };
    let refs = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
    let run = |zip: &str, deploy: bool| {
        let files = refs(&tree(zip, deploy));
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        gate(&borrowed)
    };
    let (code, found) = run("zip site.zip ./* -r", true);
    let want = (
        "leak/package-ships-tests".to_string(),
        ".github/workflows/build.yml".to_string(),
        15,
        14,
        "warning".to_string(),
    );
    assert_eq!(
        found.iter().map(|f| f.0.clone()).collect::<Vec<_>>(),
        vec![want],
        "{found:#?}"
    );
    let msg = &found[0].1;
    for says in [
        "`site.zip`",
        "2 test and fixture files",
        "`src/permits.test.js`",
        "azure/webapps-deploy",
    ] {
        assert!(msg.contains(says), "{msg:?} lacks {says:?}");
    }
    assert_eq!(code, 1);
    // Twins: the tests excluded; only the build output packed; nothing deploys the archive.
    for (zip, deploy) in [
        ("zip -r site.zip . -x '*.test.js' 'tests/*'", true),
        ("npm run build && cd dist && zip -r ../site.zip .", true),
        ("zip site.zip ./* -r", false),
    ] {
        let (code, found) = run(zip, deploy);
        assert_eq!((code, found), (0, vec![]), "{zip}");
    }
}

/// An Azure Pipelines build archives a package folder with `ArchiveFiles@2` and publishes it; the release
/// pipeline's deployment job downloads that artifact and deploys it as the function app. A `tar` of the
/// same folder that excludes its tests, deployed by name, stays quiet; without the exclusion it fires.
#[test]
fn an_azure_pipelines_archive_deployed_as_a_function_app_ships_its_tests() {
    let functions: &[(&str, &str)] = &[
        ("functions/host.json", "{ \"version\": \"2.0\" }\n"),
        (
            "functions/intake/index.js",
            "module.exports = async () => {};\n",
        ),
        (
            "functions/intake/__tests__/index.test.js",
            "test('intake', () => {});\n",
        ),
        (
            "functions/fixtures/case.json",
            "{ \"reference\": \"X1\" }\n",
        ),
    ];
    let build = "trigger:\n  branches:\n    include: [main]\nstages:\n  - stage: Build\n    jobs:\n      - job: Functions\n        steps:\n          - script: npm ci --omit=dev\n            workingDirectory: functions\n          - task: ArchiveFiles@2\n            inputs:\n              rootFolderOrFile: $(Build.Repository.LocalPath)/functions\n              includeRootFolder: false\n              archiveFile: $(System.DefaultWorkingDirectory)/functions.zip\n          - publish: $(System.DefaultWorkingDirectory)/functions.zip\n            artifact: intake-functions\n";
    let release = "trigger: none\nresources:\n  pipelines:\n    - pipeline: build\n      source: Intake Build\nstages:\n  - stage: Prod\n    jobs:\n      - deployment: Functions\n        environment: prod\n        strategy:\n          runOnce:\n            deploy:\n              steps:\n                - download: build\n                  artifact: intake-functions\n                - task: AzureFunctionApp@2\n                  inputs:\n                    appName: intake-prod\n                    package: $(Pipeline.Workspace)/build/intake-functions\n";
    let tree = with(
        functions,
        &[
            ("azure-pipelines-build.yml", build),
            ("azure-pipelines-release.yml", release),
        ],
    );
    fails_once(
        &tree,
        (
            "leak/package-ships-tests",
            "azure-pipelines-build.yml",
            11,
            19,
            "warning",
        ),
        &[
            "`functions.zip`",
            "`functions/`",
            "2 test and fixture files",
            "task AzureFunctionApp@2",
        ],
    );
    // The release downloads another artifact: nothing deploys this archive.
    passes(&with(
        &tree,
        &[(
            "azure-pipelines-release.yml",
            &release.replace("artifact: intake-functions", "artifact: web"),
        )],
    ));
    // A `tar` of the folder, deployed by name in the same job: with `--exclude` quiet, without it found.
    let tar = |exclude: &str| {
        format!("trigger:\n  branches:\n    include: [main]\njobs:\n  - job: Ship\n    steps:\n      - bash: |\n          tar -czf intake.tgz -C functions {exclude}.\n          az functionapp deployment source config-zip -g rg -n intake --src intake.tgz\n")
    };
    let quiet = tar("--exclude=__tests__ --exclude=fixtures ");
    passes(&with(functions, &[("azure-pipelines.yml", &quiet)]));
    let loud = tar("");
    fails_once(
        &with(functions, &[("azure-pipelines.yml", &loud)]),
        (
            "leak/package-ships-tests",
            "azure-pipelines.yml",
            8,
            11,
            "warning",
        ),
        &[
            "`intake.tgz`",
            "`az functionapp deployment source config-zip",
        ],
    );
}

// ------------------------------------------------------------- what the production image installs

/// A made-up Node service whose development dependencies hold test libraries.
const NODE_APP: &[(&str, &str)] = &[
    (
        "package.json",
        "{\n  \"name\": \"bookings\",\n  \"dependencies\": { \"express\": \"^4.21.0\" },\n  \"devDependencies\": { \"jest\": \"^29.7.0\", \"supertest\": \"^7.0.0\", \"sass\": \"^1.80.0\" }\n}\n",
    ),
    ("package-lock.json", "{}\n"),
    ("src/server.js", "require('express')().listen(3000);\n"),
];

/// The only stage of the image runs `npm ci` with nothing that leaves the development dependencies
/// out, so Jest and Supertest are installed into the production image. The twins leave them out (by a
/// flag, by NODE_ENV, by a later prune, or in a build stage the production image only copies from);
/// Yarn 2+ ignores NODE_ENV, so that one still fires.
#[test]
fn a_production_image_that_installs_development_dependencies_ships_test_libraries() {
    let image = |run: &str| {
        format!(
            "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\n{run}\nCOPY src ./src\nCMD [\"node\", \"src/server.js\"]\n"
        )
    };
    let loud = image("RUN npm ci");
    fails_once(
        &with(NODE_APP, &[("Dockerfile", &loud)]),
        ("leak/test-dependency", "Dockerfile", 4, 5, "warning"),
        &[
            "development dependencies of `package.json`",
            "`jest`, `supertest`",
            "`--omit=dev`",
        ],
    );
    for run in [
        "RUN npm ci --omit=dev",
        "RUN npm ci --only=production",
        "ENV NODE_ENV=production\nRUN npm ci",
        "RUN npm ci && npm run build && npm prune --production",
        "RUN yarn install --production --frozen-lockfile",
        "ARG NODE_ENV=production\nRUN yarn install --frozen-lockfile",
    ] {
        let quiet = image(run);
        let (code, found) = gate(&with(NODE_APP, &[("Dockerfile", &quiet)]));
        assert_eq!((code, found), (0, vec![]), "{run}");
    }
    // Yarn 2+ (a `.yarnrc.yml`): only `yarn workspaces focus --production` leaves them out.
    let berry = with(NODE_APP, &[(".yarnrc.yml", "nodeLinker: node-modules\n")]);
    let focus = image("RUN yarn workspaces focus --all --production");
    passes(&with(&berry, &[("Dockerfile", &focus)]));
    let installs =
        image("ENV NODE_ENV=production\nRUN corepack enable && yarn install --immutable");
    fails_once(
        &with(&berry, &[("Dockerfile", &installs)]),
        ("leak/test-dependency", "Dockerfile", 5, 24, "warning"),
        &["`yarn workspaces focus --production`", "`jest`"],
    );
    // A build stage installs everything to build; the production stage installs without them.
    let staged = "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM node:22-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY --from=build /app/dist ./dist\nCMD [\"node\", \"dist/server.js\"]\n";
    passes(&with(NODE_APP, &[("Dockerfile", staged)]));
}

// ------------------------------------------------------------- local development images

/// A Node service with a unit test, whose Dockerfile copies everything and starts `entry.sh`.
const DEV_IMAGE_SERVICE: &[(&str, &str)] = &[
    (
        "package.json",
        "{\n  \"name\": \"licensing\",\n  \"scripts\": { \"start\": \"node src/server.js\" }\n}\n",
    ),
    ("src/server.js", "require('http').createServer().listen(4000);\n"),
    (
        "src/server.test.js",
        "test('server', () => { expect(1).toBe(1); });\n",
    ),
    (
        "Dockerfile",
        "FROM node:22\nWORKDIR /usr/src/app\nCOPY . /usr/src/app\nRUN chmod u+x /usr/src/app/entry.sh\nENTRYPOINT [\"/usr/src/app/entry.sh\"]\n",
    ),
];

/// A local development image is not the production image: the Dockerfile's entry point runs the
/// package's `local:watch` script (a reloader), and nothing builds it for production, so its `COPY .`
/// is a developer's. The twins fire: an entry point that starts the real server, the same image built
/// and pushed by a workflow, and the same image named by a pipeline.
#[test]
fn a_local_development_image_that_nothing_builds_is_not_the_production_image() {
    let dev_entry = "#!/bin/sh\nnpm config set progress false\nnpm run local:watch\n";
    // Judged, and shown as a note that says why.
    let (code, found) = gate(&with(DEV_IMAGE_SERVICE, &[("entry.sh", dev_entry)]));
    assert_eq!(code, 0, "{found:#?}");
    assert_eq!(
        found.iter().map(|f| f.0.clone()).collect::<Vec<_>>(),
        vec![(
            "leak/docker-copy-all".to_string(),
            "Dockerfile".to_string(),
            3,
            6,
            "note".to_string()
        )]
    );
    assert!(
        found[0]
            .1
            .contains("its entry point `entry.sh` starts a development server"),
        "{found:#?}"
    );
    let copy_all = ("leak/docker-copy-all", "Dockerfile", 3, 6, "warning");
    // The script picks a reloader for one mode only: it is the production entry point.
    let chooses = "#!/bin/sh\nif [ \"$MODE\" = dev ]; then\n  exec nodemon src/server.js\nfi\nexec node src/server.js\n";
    fails_once(
        &with(DEV_IMAGE_SERVICE, &[("entry.sh", chooses)]),
        copy_all,
        &["copies the whole build context"],
    );
    let push = "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  image:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          push: true\n";
    fails_once(
        &with(
            DEV_IMAGE_SERVICE,
            &[
                ("entry.sh", dev_entry),
                (".github/workflows/image.yml", push),
            ],
        ),
        copy_all,
        &["built by `.github/workflows/image.yml`"],
    );
    let pipeline = "trigger:\n  branches:\n    include: [main]\nsteps:\n  - template: steps/docker_build_push.yml@templates\n    parameters:\n      dockerfilePath: $(Build.SourcesDirectory)/Dockerfile\n";
    fails_once(
        &with(
            DEV_IMAGE_SERVICE,
            &[("entry.sh", dev_entry), ("azure-pipelines.yml", pipeline)],
        ),
        copy_all,
        &["copies the whole build context"],
    );
}

/// A Flask image that runs gunicorn with `--reload` and nothing builds: its `FLASK_DEBUG=1` is a
/// developer's setting, a note that says why. Built by a workflow, the same line is the error.
#[test]
fn a_switch_in_a_development_image_that_nothing_builds_is_a_note() {
    let image = "FROM python:3.12-slim\nWORKDIR /src\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nENV FLASK_APP=app.main \\\n  FLASK_DEBUG=1 \\\n  GUNICORN_CMD_ARGS='--reload --bind 0.0.0.0:8080'\nCMD [\"gunicorn\", \"app.main:app\"]\n";
    let tree: &[(&str, &str)] = &[
        ("requirements.txt", "flask==3.1.0\ngunicorn==23.0.0\n"),
        (
            "app/main.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        ("Dockerfile", image),
    ];
    let (code, found) = gate(tree);
    let got: Vec<Short> = found.iter().map(|f| f.0.clone()).collect();
    assert_eq!(
        got,
        vec![(
            "switch/dev-environment".to_string(),
            "Dockerfile".to_string(),
            6,
            1,
            "note".to_string()
        )],
        "{found:#?}"
    );
    assert!(
        found[0].1.contains("GUNICORN_CMD_ARGS=--reload"),
        "{}",
        found[0].1
    );
    assert_eq!(code, 0);
    let build = "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  image:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: docker build -t registry.example.com/app:${{ github.sha }} . && docker push registry.example.com/app:${{ github.sha }}\n";
    fails_once(
        &with(tree, &[(".github/workflows/image.yml", build)]),
        ("switch/dev-environment", "Dockerfile", 6, 1, "error"),
        &["FLASK_DEBUG=1"],
    );
}
