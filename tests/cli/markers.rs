//! Test-data markers and switches: every rule fires on its own example in production paths and stays
//! silent on tests, fixtures and docs; hand-picked cases pin the behaviours users rely on.
use crate::common::*;

/// A production path for a rule's example, by what the example looks like.
fn production_path(id: &str) -> &'static str {
    match id {
        i if i.starts_with("switch/spring") => "src/main/resources/application.properties",
        // A call in C# code, where the identity server is configured.
        "switch/developer-signing-key" | "data/sample-client-secret" => "src/Identity/Program.cs",
        // A setting of the base settings file every ASP.NET environment loads.
        "switch/token-validation-off" => "src/Api/appsettings.json",
        i if i.starts_with("switch/") => "config/production.env",
        // Infrastructure as code: the class every access rule applies to.
        i if i.starts_with("access/") => "infra/main.tf",
        _ => "app/service.py",
    }
}

#[test]
fn every_pattern_rule_fires_on_its_example_in_production_and_not_in_tests_fixtures_or_docs() {
    let rules: Vec<_> = rule_catalogue()
        .into_iter()
        .filter(|r| r["pattern"].is_string())
        .collect();
    assert!(
        rules.len() >= 12,
        "expected the built-in marker and switch packs, got {}",
        rules.len()
    );
    let repo = Repo::new();
    let mut expected = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let id = rule["id"].as_str().unwrap();
        let example = rule["example"].as_str().unwrap();
        // One directory per rule so each finding can be attributed.
        let prod = format!("r{i}/{}", production_path(id));
        repo.write(&prod, format!("{example}\n"));
        for non_prod in [
            "tests/test_service.py",
            "tests/fixtures/data.json",
            "docs/guide.md",
            "README.md",
            "src/app.test.ts",
        ] {
            repo.write(&format!("r{i}/{non_prod}"), format!("{example}\n"));
        }
        expected.push((id.to_string(), prod));
    }
    repo.commit("examples");
    let (code, report) = check_json(repo.path(), &[]);
    assert!(code == 1 || code == 0, "{report}");
    let found = findings(&report);
    for (id, path) in &expected {
        assert!(
            found
                .iter()
                .any(|(r, p, line)| r == id && p == path && *line == 1),
            "{id} did not fire on its example in {path}"
        );
    }
    let outside: Vec<_> = found
        .iter()
        .filter(|(_, p, _)| !expected.iter().any(|(_, e)| e == p))
        .collect();
    assert!(
        outside.is_empty(),
        "findings outside production paths: {outside:?}"
    );
}

fn scan(files: &[(&str, &str)]) -> Vec<(String, String, u64)> {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    let (_, report) = check_json(repo.path(), &[]);
    findings(&report)
}

fn rules_of(found: &[(String, String, u64)]) -> Vec<&str> {
    found.iter().map(|(r, _, _)| r.as_str()).collect()
}

#[test]
fn reserved_email_in_code_config_and_migration_but_not_tests() {
    let found = scan(&[
        ("src/users.py", "DEFAULT_ADMIN = 'ops@example.com'\n"),
        (
            "config/production.yml",
            "smtp:\n  from: noreply@mail.example.org\n",
        ),
        (
            "db/migrate/20240101_seed_admin.rb",
            "User.create!(email: 'qa@corp.test')\n",
        ),
        ("tests/test_users.py", "EMAIL = 'ops@example.com'\n"),
        ("src/valid.py", "SUPPORT = 'help@examples.com'\n"),
    ]);
    assert_eq!(
        found,
        vec![
            (
                "data/reserved-email".into(),
                "config/production.yml".into(),
                2
            ),
            (
                "data/reserved-email".into(),
                "db/migrate/20240101_seed_admin.rb".into(),
                1
            ),
            ("data/reserved-email".into(), "src/users.py".into(), 1),
        ]
    );
}

#[test]
fn test_card_numbers_are_the_published_list_not_any_luhn_number() {
    let found = scan(&[
        ("src/pay.py", "CARD = '4242 4242 4242 4242'\n"),
        // Luhn-valid but not a published test card.
        ("src/other.py", "CARD = '4539 1488 0343 6467'\n"),
    ]);
    assert_eq!(rules_of(&found), vec!["data/test-card-number"]);
    assert_eq!(found[0].1, "src/pay.py");
}

#[test]
fn drama_phone_numbers_error_in_code_but_ui_hints_produce_nothing() {
    let repo = Repo::new();
    repo.write("src/notify.py", "ON_CALL = '07700 900461'\n");
    repo.write(
        "app/templates/contact.html",
        "<div class=\"govuk-hint\">For example, 07700 900 982</div>\n",
    );
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!(code, 1);
    let sev: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(sev, vec![("src/notify.py", "error")]);
}

#[test]
fn nhs_test_numbers_need_a_valid_check_digit() {
    // Find the first 999-range number with a valid modulus-11 check digit, and the same with a wrong one.
    let mut valid = None;
    for n in 0..100_000u32 {
        let digits: Vec<u32> = format!("999{n:06}")
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect();
        let sum: u32 = digits
            .iter()
            .enumerate()
            .map(|(i, d)| d * (10 - i as u32))
            .sum();
        let check = (11 - sum % 11) % 11;
        if check < 10 {
            valid = Some((
                format!("999{n:06}{check}"),
                format!("999{n:06}{}", (check + 1) % 10),
            ));
            break;
        }
    }
    let (good, bad) = valid.unwrap();
    let good_spaced = format!("{} {} {}", &good[..3], &good[3..6], &good[6..]);
    let found = scan(&[
        ("src/patient.py", &format!("NHS = '{good_spaced}'\n")),
        ("src/other.py", &format!("NHS = '{bad}'\n")),
    ]);
    assert_eq!(
        found,
        vec![("data/nhs-test-number".into(), "src/patient.py".into(), 1)]
    );
}

#[test]
fn switches_in_production_config_but_not_dev_config() {
    let found = scan(&[
        ("config/settings/production.py", "DEBUG = True\n"),
        ("config/settings/dev.py", "DEBUG = True\n"),
        (".env", "NODE_ENV=test\n"),
        (".env.development", "NODE_ENV=development\n"),
        (
            "src/main/resources/application.properties",
            "spring.profiles.active=dev\n",
        ),
        (
            "src/main/resources/application-dev.properties",
            "spring.profiles.active=dev\n",
        ),
        ("src/app.py", "if settings.DEBUG:\n    log.debug('x')\n"),
    ]);
    let mut got: Vec<(&str, &str)> = found
        .iter()
        .map(|(r, p, _)| (r.as_str(), p.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("switch/debug-enabled", "config/settings/production.py"),
            ("switch/node-env-nonprod", ".env"),
            (
                "switch/spring-nonprod-profile",
                "src/main/resources/application.properties"
            ),
        ]
    );
}

#[test]
fn settings_quoted_in_strings_and_examples_in_docstrings_are_not_reported() {
    // The shapes of flask's config.py docstring, sentry-python's error message and fastapi's docstring.
    let src = r#""""Configuration.

Example::

    DEBUG = True
    app.testing = True
    contact: admin@example.com
"""
import logging


def init(**opts):
    """Start the SDK. For testing only.

    Write to ops@example.com for help.
    """
    raise ValueError("to see more, pass init(debug=True)")


DEBUG = True
SUPPORT = """
Write to help@example.com
"""
"#;
    let found = scan(&[("app/settings.py", src)]);
    assert_eq!(
        found,
        vec![
            ("data/test-only-marker".into(), "app/settings.py".into(), 13),
            ("switch/debug-enabled".into(), "app/settings.py".into(), 20),
            ("data/reserved-email".into(), "app/settings.py".into(), 22),
        ],
        "only the marker, the real assignment and the string that is data"
    );
}

#[test]
fn rust_cfg_test_modules_are_test_code() {
    let src = "pub fn admin() -> &'static str { \"root@corp.internal\" }\n\n#[cfg(test)]\nmod tests {\n    const E: &str = \"qa@example.com\";\n}\n\npub const FALLBACK: &str = \"ops@example.net\";\n";
    let found = scan(&[("src/lib.rs", src)]);
    assert_eq!(
        found,
        vec![("data/reserved-email".into(), "src/lib.rs".into(), 8)]
    );
}

#[test]
fn user_path_classes_override_conventions() {
    let repo = Repo::new();
    repo.write("qa/load.py", "EMAIL = 'x@example.com'\n")
        .write("src/app.py", "EMAIL = 'x@example.com'\n");
    repo.write(
        "shipgate.toml",
        "[paths]\ntest = [\"qa/\"]\nignore = [\"src/app.py\"]\n",
    );
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report}");
    assert_eq!(
        report["summary"]["ignored"], 1,
        "ignored files are counted, not hidden"
    );
}

/// Issue 23: examples written for documentation — a schema's or an API's example, and the hint and error
/// text of a GOV.UK form — are shown, never stored or sent: they produce nothing, not even a note.
#[test]
fn examples_written_for_documentation_produce_nothing() {
    let joi = "const schema = Joi.object({\n  email: Joi.string().email().example('jo@example.com'),\n  phone: Joi.string().example('07700 900 982'),\n});\n";
    let java = "public class UserDto {\n    @Schema(description = \"Email\", example = \"jo@example.com\")\n    private String email;\n    @ApiModelProperty(value = \"Card\", example = \"4242424242424242\")\n    private String card;\n}\n";
    let pydantic = "class Claimant(BaseModel):\n    email: str = Field(..., example=\"jo@example.com\")\n    nino: str = Field(\n        examples=[\n            \"QQ 12 34 56 C\",\n        ],\n    )\n";
    let openapi = "components:\n  schemas:\n    User:\n      properties:\n        email:\n          type: string\n          example: jo@example.com\n  examples:\n    claimant:\n      value:\n        phone: 07700 900 982\n";
    let hint = "<div class=\"govuk-hint\">For example, QQ 12 34 56 C</div>\n";
    let locale = "en:\n  errors:\n    email: Enter an email address in the correct format, like name@example.com\n";
    let welsh = "cy:\n  hints:\n    nino: Er enghraifft, QQ 12 34 56 C\n    email: Rhowch gyfeiriad e-bost yn y ffurf gywir, fel name@example.com\n";
    let repo = Repo::new();
    for (p, c) in [
        ("src/schemas/user.js", joi),
        ("src/main/java/uk/gov/claims/UserDto.java", java),
        ("app/schemas.py", pydantic),
        // A schema in the service's config (OpenAPI documents themselves are docs by name).
        ("config/schemas/claimant.yml", openapi),
        ("app/templates/nino.html", hint),
        ("config/locales/en.yml", locale),
        ("config/locales/cy.yml", welsh),
    ] {
        repo.write(p, c);
    }
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    let data: Vec<_> = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("data/"))
        .collect();
    assert_eq!(data, vec![], "{report}");
    assert_eq!(code, 0, "{report}");

    // Twins: the same values outside an example construct are still judged.
    let found = scan(&[
        (
            "src/schemas/user.js",
            "const ADMIN = 'jo@example.com';\nconst schema = Joi.string().default('07700 900 982');\n",
        ),
        (
            "src/main/java/uk/gov/claims/UserDto.java",
            "public class UserDto {\n    @Schema(description = \"Email\")\n    private String email = \"jo@example.com\";\n    private String card = \"4242424242424242\";\n}\n",
        ),
        (
            "app/schemas.py",
            "class Claimant(BaseModel):\n    email: str = Field(default=\"jo@example.com\")\n    nino: str = \"QQ 12 34 56 C\"\n",
        ),
        (
            "config/schemas/claimant.yml",
            "servers:\n  contact:\n    email: jo@example.com\n",
        ),
        ("app/templates/nino.html", "<p>Your number: QQ 12 34 56 C</p>\n"),
    ]);
    assert_eq!(
        found,
        vec![
            ("data/reserved-email".into(), "app/schemas.py".into(), 2),
            ("data/never-issued-nino".into(), "app/schemas.py".into(), 3),
            (
                "data/never-issued-nino".into(),
                "app/templates/nino.html".into(),
                1
            ),
            (
                "data/reserved-email".into(),
                "config/schemas/claimant.yml".into(),
                3
            ),
            (
                "data/reserved-email".into(),
                "src/main/java/uk/gov/claims/UserDto.java".into(),
                3
            ),
            (
                "data/test-card-number".into(),
                "src/main/java/uk/gov/claims/UserDto.java".into(),
                4
            ),
            (
                "data/reserved-email".into(),
                "src/schemas/user.js".into(),
                1
            ),
            (
                "data/uk-drama-phone".into(),
                "src/schemas/user.js".into(),
                2
            ),
        ]
    );
}

/// A payment provider's sandbox accepts the published test cards on purpose: the table of them is the
/// sandbox's product feature, for integrators to test against, not test data leaking into production.
#[test]
fn a_payment_sandbox_table_of_published_test_cards_is_not_test_data() {
    let table = |class: &str| {
        format!(
            "package uk.gov.pay.connector.gateway.sandbox;\n\npublic class {class} {{\n    private static final List<String> GOOD_CARDS = List.of(\n            \"4444333322221111\",\n            \"4242424242424242\");\n}}\n"
        )
    };
    let path = "src/main/java/uk/gov/pay/connector/gateway/Cards.java";
    assert_eq!(scan(&[(path, &table("SandboxCardNumbers"))]), vec![]);
    // Twin: the same table as a payment service's defaults is test data in production (one finding
    // for the file, with its count).
    assert_eq!(
        scan(&[(path, &table("PaymentDefaults"))]),
        vec![("data/test-card-number".into(), path.into(), 5)]
    );
}
