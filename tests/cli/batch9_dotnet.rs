//! Batch 9, .NET: in .NET test code is a test project, not a file name; a controller that exists for
//! tests is a test route; what a project adds to its publish output ships with it.
use crate::common::*;

fn gate(files: &[(&str, &str)]) -> (i32, serde_json::Value) {
    gate_files(files)
}

/// (rule, path, line, severity) of the findings of one rule.
fn of(report: &serde_json::Value, rule: &str) -> Vec<(String, String, u64, String)> {
    located_with_severity(report)
        .into_iter()
        .filter(|f| f.0 == rule)
        .collect()
}

const WEB_PROJECT: &str = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
  </PropertyGroup>
</Project>
"#;

const TEST_PROJECT: &str = r#"<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="17.8.0" />
    <PackageReference Include="xunit" Version="2.6.0" />
  </ItemGroup>
  <ItemGroup>
    <ProjectReference Include="..\Parcels.Web\Parcels.Web.csproj" />
  </ItemGroup>
</Project>
"#;

const PING_CONTROLLER: &str = r#"using Microsoft.AspNetCore.Mvc;

namespace Parcels.Web.Controllers
{
    [Route("parcels/api/[controller]")]
    public class TestController : Controller
    {
        [HttpGet]
        public IActionResult Get()
        {
            return Content("checking the sign-in works");
        }
    }
}
"#;

const THROWING_CONTROLLER: &str = r#"using System;
using Microsoft.AspNetCore.Mvc;

namespace Parcels.Web.Controllers
{
    public class ErrorTestController : Controller
    {
        public IActionResult Index()
        {
            throw new Exception("checking the error page");
        }
    }
}
"#;

/// Class 1: a `*Test.cs` / `Test*.cs` file that a project which is not a test project compiles is
/// production code, and a controller that exists for tests, served with no guard, is a test route.
#[test]
fn a_test_controller_compiled_into_the_web_project_is_a_test_route() {
    let (code, report) = gate(&[
        ("Parcels.Web/Parcels.Web.csproj", WEB_PROJECT),
        ("Parcels.Web/Controllers/TestController.cs", PING_CONTROLLER),
        (
            "Parcels.Web/Controllers/ErrorTestController.cs",
            THROWING_CONTROLLER,
        ),
        ("Parcels.Web.Tests/Parcels.Web.Tests.csproj", TEST_PROJECT),
    ]);
    assert_eq!(
        of(&report, "leak/test-route"),
        vec![
            (
                "leak/test-route".into(),
                "Parcels.Web/Controllers/ErrorTestController.cs".into(),
                6,
                "error".into()
            ),
            (
                "leak/test-route".into(),
                "Parcels.Web/Controllers/TestController.cs".into(),
                6,
                "error".into()
            ),
        ],
        "{report}"
    );
    let messages: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "leak/test-route")
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`TestController` at `/parcels/api/Test`")),
        "{messages:?}"
    );
    assert_eq!(code, 1, "{report}");

    // A pull request that marks the web project `<IsTestProject>true</IsTestProject>` (or gives it a
    // test framework) does not make the application a test project: its test controller is still served.
    for marking in [
        "<PropertyGroup>\n    <IsTestProject>true</IsTestProject>\n  </PropertyGroup>\n  ",
        "<ItemGroup>\n    <PackageReference Include=\"xunit\" Version=\"2.6.0\" />\n  </ItemGroup>\n  ",
    ] {
        let marked = WEB_PROJECT.replacen("<PropertyGroup>", &format!("{marking}<PropertyGroup>"), 1);
        let (code, report) = gate(&[
            ("Parcels.Web/Parcels.Web.csproj", &marked),
            ("Parcels.Web/Controllers/TestController.cs", PING_CONTROLLER),
        ]);
        assert_eq!(
            of(&report, "leak/test-route"),
            vec![(
                "leak/test-route".into(),
                "Parcels.Web/Controllers/TestController.cs".into(),
                6,
                "error".into()
            )],
            "{marking}: {report}"
        );
        assert_eq!(code, 1);
    }
}

/// Twins of class 1: the same controllers inside a real test project, or compiled only into a Debug
/// build, or a test route mapped only in development, are not production's; a product word is not a
/// test controller.
#[test]
fn test_controllers_in_test_projects_or_debug_builds_stay_quiet() {
    let (_, report) = gate(&[
        ("Parcels.Web/Parcels.Web.csproj", WEB_PROJECT),
        ("Parcels.Web.Tests/Parcels.Web.Tests.csproj", TEST_PROJECT),
        (
            "Parcels.Web.Tests/Controllers/TestController.cs",
            PING_CONTROLLER,
        ),
        // A helpers library only test projects reference is test code too.
        (
            "Parcels.Helpers/Parcels.Helpers.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\">\n</Project>\n",
        ),
        (
            "Parcels.Helpers/TestController.cs",
            PING_CONTROLLER,
        ),
        (
            "Parcels.Web.Tests/More.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <IsTestProject>true</IsTestProject>\n  </PropertyGroup>\n  <ItemGroup>\n    <ProjectReference Include=\"..\\Parcels.Helpers\\Parcels.Helpers.csproj\" />\n  </ItemGroup>\n</Project>\n",
        ),
        (
            "Parcels.Web/Controllers/ErrorTestController.cs",
            &format!("#if DEBUG\n{THROWING_CONTROLLER}#endif\n"),
        ),
        (
            "Parcels.Web/Controllers/MotTestController.cs",
            &PING_CONTROLLER.replace("class TestController", "class MotTestController"),
        ),
        (
            "Parcels.Web/Program.cs",
            "var app = WebApplication.CreateBuilder(args).Build();\nif (app.Environment.IsDevelopment())\n{\n    app.MapPost(\"/test-support/reset\", () => Results.Ok());\n}\napp.Run();\n",
        ),
    ]);
    let found = of(&report, "leak/test-route");
    assert!(
        found.iter().all(|f| f.3 == "note"),
        "only notes expected: {report}"
    );
    let paths: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "Parcels.Web/Controllers/ErrorTestController.cs",
            "Parcels.Web/Program.cs"
        ],
        "{report}"
    );

    // The same mapping with no guard is an error.
    let (_, report) = gate(&[
        ("Parcels.Web/Parcels.Web.csproj", WEB_PROJECT),
        (
            "Parcels.Web/Program.cs",
            "var app = WebApplication.CreateBuilder(args).Build();\napp.MapPost(\"/test-support/reset\", () => Results.Ok());\napp.Run();\n",
        ),
    ]);
    assert_eq!(
        of(&report, "leak/test-route"),
        vec![(
            "leak/test-route".into(),
            "Parcels.Web/Program.cs".into(),
            2,
            "error".into()
        )],
        "{report}"
    );
}

fn spa_project(dist: &str) -> String {
    format!(
        r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <SpaRoot>ClientApp\</SpaRoot>
  </PropertyGroup>
  <Target Name="PublishClient" AfterTargets="ComputeFilesToPublish">
    <ItemGroup>
      <DistFiles Include="{dist}" />
      <ResolvedFileToPublish Include="@(DistFiles->'%(FullPath)')" Exclude="@(ResolvedFileToPublish)">
        <RelativePath>%(DistFiles.Identity)</RelativePath>
      </ResolvedFileToPublish>
    </ItemGroup>
  </Target>
</Project>
"#
    )
}

const CLIENT: &[(&str, &str)] = &[
    (
        "Parcels.Web/ClientApp/src/components/__tests__/Label.test.js",
        "it('renders', () => {});\n",
    ),
    (
        "Parcels.Web/ClientApp/src/setupTests.js",
        "import '@testing-library/jest-dom';\n",
    ),
    (
        "Parcels.Web/ClientApp/src/components/Label.js",
        "export const Label = () => null;\n",
    ),
    ("Parcels.Web/ClientApp/build/index.html", "<html></html>\n"),
];

/// Class 3: an MSBuild item that copies the client's sources into the publish output ships their tests.
#[test]
fn publish_items_that_copy_client_sources_ship_their_tests() {
    let project = spa_project("$(SpaRoot)build\\**;$(SpaRoot)src\\**");
    let mut files = vec![("Parcels.Web/Parcels.Web.csproj", project.as_str())];
    files.extend_from_slice(CLIENT);
    let (_, report) = gate(&files);
    assert_eq!(
        of(&report, "leak/package-ships-tests"),
        vec![(
            "leak/package-ships-tests".into(),
            "Parcels.Web/Parcels.Web.csproj".into(),
            7,
            "warning".into()
        )],
        "{report}"
    );
    let msg = message_of(&report, "leak/package-ships-tests");
    assert!(msg.contains("copies 2 test and fixture files"), "{msg}");
    assert!(msg.contains("Label.test.js"), "{msg}");

    // `Content` copied to the publish directory is published too.
    let content = "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <ItemGroup>\n    <Content Include=\"ClientApp\\src\\**\" CopyToPublishDirectory=\"PreserveNewest\" />\n  </ItemGroup>\n</Project>\n";
    let mut files = vec![("Parcels.Web/Parcels.Web.csproj", content)];
    files.extend_from_slice(CLIENT);
    let (_, report) = gate(&files);
    assert_eq!(of(&report, "leak/package-ships-tests").len(), 1, "{report}");
}

/// Twin of class 3: the built bundle alone, or sources copied with `Never`, ship no tests.
#[test]
fn publish_items_of_the_built_bundle_stay_quiet() {
    let project = spa_project("$(SpaRoot)build\\**");
    let never = "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <ItemGroup>\n    <None Include=\"ClientApp\\src\\**\" CopyToPublishDirectory=\"Never\" />\n  </ItemGroup>\n</Project>\n";
    for p in [project.as_str(), never] {
        let mut files = vec![("Parcels.Web/Parcels.Web.csproj", p)];
        files.extend_from_slice(CLIENT);
        let (_, report) = gate(&files);
        assert_eq!(of(&report, "leak/package-ships-tests"), vec![], "{report}");
    }
}

/// The messages of one rule's findings, by file.
fn messages(report: &serde_json::Value, rule: &str) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"] == rule)
                .map(|f| {
                    (
                        f["location"]["path"].as_str().unwrap_or("").to_string(),
                        f["severity"].as_str().unwrap_or("").to_string(),
                        f["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn diagnostics_extension(read: &str) -> String {
    format!(
        r#"using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Parcels.Web.Setup;
public static class FaultProbeExtensions
{{
    public static IApplicationBuilder UseFaultProbes(this IApplicationBuilder app, IConfiguration config)
    {{
        if ({read})
        {{
            const string root = "/__diag/parcels/";
            app.Map($"{{root}}boom", x => x.Run(ctx => throw new System.Exception("probe")));
        }}
        return app;
    }}
}}
"#
    )
}

fn sandbox_controller() -> &'static str {
    r#"using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;

namespace Parcels.Web.Controllers
{
    [Route("[controller]")]
    public class SandboxController : ControllerBase
    {
        private readonly bool wipeAllowed;

        public SandboxController(IConfiguration configuration)
        {
            wipeAllowed = configuration.GetValue<bool>("AllowParcelWipe");
        }

        [HttpPost("WipeData")]
        public IActionResult WipeData()
        {
            if (!wipeAllowed)
            {
                return NotFound();
            }
            return Ok("wiped");
        }

        [HttpGet("Export")]
        public IActionResult Export()
        {
            if (!wipeAllowed)
            {
                return NotFound();
            }
            return Ok("exported");
        }
    }
}
"#
}

/// Class 3: a test-support or diagnostics endpoint behind a configuration flag is judged by the flag's
/// default: the code's fallback (`GetValue<bool>("X", true)`) or the base `appsettings.json`, which every
/// environment loads. On by default it is an error naming the flag; a feature-flagged action not named
/// for test support stays quiet.
#[test]
fn a_flag_on_by_default_serves_test_support_endpoints() {
    let (code, report) = gate(&[
        ("Parcels.Web/Parcels.Web.csproj", WEB_PROJECT),
        (
            "Parcels.Web/Setup/FaultProbeExtensions.cs",
            &diagnostics_extension(r#"config.GetValue<bool>("FaultProbes", true)"#),
        ),
        (
            "Parcels.Web/Controllers/SandboxController.cs",
            sandbox_controller(),
        ),
        (
            "Parcels.Web/appsettings.json",
            "{\n  // switched on for the demo\n  \"AllowParcelWipe\": \"true\"\n}\n",
        ),
    ]);
    let found = messages(&report, "leak/test-route");
    assert_eq!(found.len(), 2, "{found:#?}");
    let probe = found
        .iter()
        .find(|f| f.0.ends_with("FaultProbeExtensions.cs"))
        .expect("the probe");
    assert_eq!(probe.1, "error", "{probe:?}");
    assert!(probe.2.contains("`/__diag/parcels/boom`"), "{probe:?}");
    assert!(probe.2.contains("`FaultProbes` to false"), "{probe:?}");
    assert!(probe.2.contains("the code's default is true"), "{probe:?}");
    let wipe = found
        .iter()
        .find(|f| f.0.ends_with("SandboxController.cs"))
        .expect("the wipe");
    assert_eq!(wipe.1, "error", "{wipe:?}");
    assert!(wipe.2.contains("`WipeData`"), "{wipe:?}");
    assert!(
        wipe.2
            .contains("Parcels.Web/appsettings.json`, which every environment loads"),
        "{wipe:?}"
    );
    assert_eq!(code, 1, "{report}");
}

/// Twins of class 3: the same flags off by default (no fallback, on only in the development settings,
/// or turned off by `appsettings.Production.json`) are notes naming the flag.
#[test]
fn a_flag_off_by_default_is_a_note() {
    let (_, report) = gate(&[
        ("Parcels.Web/Parcels.Web.csproj", WEB_PROJECT),
        (
            "Parcels.Web/Setup/FaultProbeExtensions.cs",
            &diagnostics_extension(r#"config.GetValue<bool>("FaultProbes", true)"#),
        ),
        (
            "Parcels.Web/Controllers/SandboxController.cs",
            sandbox_controller(),
        ),
        (
            "Parcels.Web/appsettings.Development.json",
            "{ \"AllowParcelWipe\": true }\n",
        ),
        (
            "Parcels.Web/appsettings.Production.json",
            "{ \"FaultProbes\": false }\n",
        ),
    ]);
    let found = messages(&report, "leak/test-route");
    assert_eq!(found.len(), 2, "{found:#?}");
    for f in &found {
        assert_eq!(f.1, "note", "{f:?}");
        assert!(f.2.contains("off by default"), "{f:?}");
    }
    assert!(
        found.iter().any(|f| f.2.contains("`AllowParcelWipe`")),
        "{found:#?}"
    );
}

const ECHO_CONTROLLER: &str = r#"using System.IO;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;

namespace Parcels.Web.Controllers
{
    [Route("api/inspect")]
    public class InspectController : ControllerBase
    {
        private readonly IWebHostEnvironment _env;

        public InspectController(IWebHostEnvironment env) { _env = env; }

        [AllowAnonymous]
        [HttpGet("mirror")]
        public IActionResult Mirror()
        {
            var seen = Request.Headers;
            var pairs = seen.ToDictionary(h => h.Key, h => h.Value.ToString());
            return Ok(pairs);
        }

        [HttpPost("replay")]
        public async Task<IActionResult> Replay()
        {
            if (!_env.IsDevelopment())
            {
                return NotFound();
            }
            var raw = await new StreamReader(Request.Body).ReadToEndAsync();
            return Ok(raw);
        }

        [HttpGet("parcel")]
        public IActionResult Parcel()
        {
            var tracking = Request.Headers["X-Tracking-Id"];
            return Ok(Lookup(tracking));
        }

        private static string Lookup(string id) { return id; }
    }
}
"#;

/// Class 4: an action whose response is the request's own headers or raw body is a debugging echo:
/// unguarded an error (anonymous, it bypasses authentication), under an environment guard a note. Twin:
/// an action that reads one header and returns something else stays quiet.
#[test]
fn debugging_echoes_of_the_request_are_test_routes() {
    let (code, report) = gate(&[
        ("Parcels.Web/Parcels.Web.csproj", WEB_PROJECT),
        (
            "Parcels.Web/Controllers/InspectController.cs",
            ECHO_CONTROLLER,
        ),
    ]);
    let found = messages(&report, "leak/test-route");
    assert_eq!(found.len(), 2, "{found:#?}");
    let mirror = found
        .iter()
        .find(|f| f.2.contains("`mirror`"))
        .expect("mirror");
    assert_eq!(mirror.1, "error", "{mirror:?}");
    assert!(mirror.2.contains("request's own headers"), "{mirror:?}");
    assert!(mirror.2.contains("[AllowAnonymous]"), "{mirror:?}");
    let replay = found
        .iter()
        .find(|f| f.2.contains("`replay`"))
        .expect("replay");
    assert_eq!(replay.1, "note", "{replay:?}");
    assert!(replay.2.contains("IsDevelopment()"), "{replay:?}");
    assert!(
        !found.iter().any(|f| f.2.contains("`parcel`")),
        "{found:#?}"
    );
    assert_eq!(code, 1, "{report}");
}

// ------------------------------------------------------------------- IdentityServer's sample client

/// A seed of IdentityServer clients, made up: `{secret}` is the client's secret expression.
fn identity_seed(secret: &str) -> String {
    format!(
        r#"using System.Collections.Generic;
using Duende.IdentityServer.Models;

namespace Ledger.Identity.Data
{{
    public static class ClientSeed
    {{
        public static IEnumerable<Client> Clients(IConfiguration configuration) =>
            new[]
            {{
                new Client
                {{
                    ClientId = "ledger.sample",
                    AllowedGrantTypes = GrantTypes.ClientCredentials,
                    ClientSecrets = {{ {secret} }},
                    AllowedScopes = {{ "ledger.read" }}
                }}
            }};
    }}
}}
"#
    )
}

/// IdentityServer's quickstart secret (`new Secret("secret".Sha256())`) in production code is a made-up
/// client written into the live identity store: an error on the line of the secret.
#[test]
fn identity_servers_sample_client_secret_in_production_code_is_test_data() {
    let seed = identity_seed(r#"new Secret("secret".Sha256())"#);
    let (code, report) = gate(&[
        ("src/Ledger.Identity/Ledger.Identity.csproj", WEB_PROJECT),
        ("src/Ledger.Identity/Data/ClientSeed.cs", &seed),
    ]);
    assert_eq!(
        of(&report, "data/sample-client-secret"),
        vec![(
            "data/sample-client-secret".to_string(),
            "src/Ledger.Identity/Data/ClientSeed.cs".to_string(),
            15,
            "error".to_string()
        )]
    );
    assert_eq!(code, 1);
    // The SHA-512 form is the same sample.
    let seed = identity_seed(r#"new Secret("secret".Sha512(), "sample")"#);
    let (_, report) = gate(&[("src/Ledger.Identity/Data/ClientSeed.cs", &seed)]);
    assert_eq!(of(&report, "data/sample-client-secret").len(), 1);
}

/// Twins: a secret read from configuration is a real client's; the sample seed inside
/// `if (env.IsDevelopment())` is development's; the same seed in a test project is the tests'.
#[test]
fn a_configured_secret_or_a_development_seed_stays_quiet() {
    let configured =
        identity_seed(r#"new Secret(configuration["Clients:Ledger:Secret"].Sha256())"#);
    let (_, report) = gate(&[("src/Ledger.Identity/Data/ClientSeed.cs", &configured)]);
    assert_eq!(of(&report, "data/sample-client-secret"), vec![]);
    let startup = r#"public class Startup
{
    public void Configure(IApplicationBuilder app, IWebHostEnvironment env)
    {
        if (env.IsDevelopment())
        {
            var store = app.ApplicationServices.GetRequiredService<ConfigurationDbContext>();
            store.Clients.Add(new Client
            {
                ClientId = "ledger.sample",
                ClientSecrets = { new Secret("secret".Sha256()) }
            }.ToEntity());
            store.SaveChanges();
        }
        app.UseIdentityServer();
    }
}
"#;
    let (code, report) = gate(&[("src/Ledger.Identity/Startup.cs", startup)]);
    assert_eq!(of(&report, "data/sample-client-secret"), vec![]);
    assert_eq!(code, 0, "{report}");
    let seed = identity_seed(r#"new Secret("secret".Sha256())"#);
    let (_, report) = gate(&[("tests/Ledger.Identity.Tests/ClientSeed.cs", &seed)]);
    assert_eq!(of(&report, "data/sample-client-secret"), vec![]);
    // Twin of the guard: outside it, the same seed is production's.
    let unguarded = startup.replace("if (env.IsDevelopment())", "if (app != null)");
    let (_, report) = gate(&[("src/Ledger.Identity/Startup.cs", &unguarded)]);
    assert_eq!(of(&report, "data/sample-client-secret").len(), 1);
}

// ------------------------------------------------------------------- JWT validation switched off

const JWT_SETTINGS: &str = r#"{
  "AllowedHosts": "*",
  "Jwt": {
    "Authority": "https://login.ledger.invalid",
    "TokenValidationParameters": {
      "ValidateAudience": false,
      "RequireSignedTokens": false,
      "ValidateLifetime": false
    }
  }
}
"#;

/// Token validation switched off in the base `appsettings.json` (every environment loads it) is a switch
/// left on: the API accepts unsigned and expired tokens. One finding per setting, each an error.
#[test]
fn jwt_validation_switched_off_in_the_base_settings_is_a_switch_left_on() {
    let (code, report) = gate(&[
        ("src/Ledger.Api/Ledger.Api.csproj", WEB_PROJECT),
        ("src/Ledger.Api/appsettings.json", JWT_SETTINGS),
    ]);
    let found: Vec<(String, u64, String)> = of(&report, "switch/token-validation-off")
        .into_iter()
        .map(|f| (f.1, f.2, f.3))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "src/Ledger.Api/appsettings.json".to_string(),
                7,
                "error".to_string()
            ),
            (
                "src/Ledger.Api/appsettings.json".to_string(),
                8,
                "error".to_string()
            ),
        ]
    );
    assert_eq!(code, 1);
    // In code, unguarded.
    let code_form = "builder.Services.AddAuthentication().AddJwtBearer(o =>\n{\n    o.TokenValidationParameters = new TokenValidationParameters\n    {\n        RequireSignedTokens = false,\n    };\n});\n";
    let (_, report) = gate(&[("src/Ledger.Api/Program.cs", code_form)]);
    assert_eq!(of(&report, "switch/token-validation-off").len(), 1);
}

/// Twins: the same settings in `appsettings.Development.json`, validation switched on, the lifetime
/// ignored in code to read an expired token for a refresh, and the code form inside
/// `if (builder.Environment.IsDevelopment())` stay quiet.
#[test]
fn jwt_validation_off_for_development_or_a_refresh_stays_quiet() {
    let on = JWT_SETTINGS.replace(": false", ": true");
    let (code, report) = gate(&[
        ("src/Ledger.Api/appsettings.Development.json", JWT_SETTINGS),
        ("src/Ledger.Api/appsettings.json", &on),
    ]);
    assert_eq!(of(&report, "switch/token-validation-off"), vec![]);
    assert_eq!(code, 0, "{report}");
    let refresh = "public ClaimsPrincipal FromExpiredToken(string token)\n{\n    var parameters = new TokenValidationParameters\n    {\n        ValidateLifetime = false,\n        IssuerSigningKey = _key,\n    };\n    return _handler.ValidateToken(token, parameters, out _);\n}\n";
    let (_, report) = gate(&[("src/Ledger.Api/Tokens.cs", refresh)]);
    assert_eq!(of(&report, "switch/token-validation-off"), vec![]);
    let guarded = "var builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddAuthentication().AddJwtBearer(o =>\n{\n    if (builder.Environment.IsDevelopment())\n    {\n        o.TokenValidationParameters.RequireSignedTokens = false;\n    }\n});\n";
    let (_, report) = gate(&[("src/Ledger.Api/Program.cs", guarded)]);
    assert_eq!(of(&report, "switch/token-validation-off"), vec![]);
    // Twin of the guard: without it, the same line is production's.
    let unguarded = guarded.replace("builder.Environment.IsDevelopment()", "acceptUnsigned");
    let (_, report) = gate(&[("src/Ledger.Api/Program.cs", &unguarded)]);
    assert_eq!(of(&report, "switch/token-validation-off").len(), 1);
}
