//! Held-out batch 6: each class of false finding it showed, stated once, with a made-up instance and a
//! twin that must still be reported.
use crate::common::*;

fn gate(files: &[(&str, &str)]) -> (i32, Vec<(String, String, u64, String)>) {
    let repo = Repo::new();
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c");
    let (code, report) = check_json(repo.path(), &[]);
    let switches = located_with_severity(&report)
        .into_iter()
        .filter(|f| f.0.starts_with("switch/"))
        .collect();
    (code, switches)
}

const LAUNCH_SETTINGS: &str = r#"{
  "profiles": {
    "Portal": {
      "commandName": "Project",
      "applicationUrl": "https://localhost:7001",
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development"
      }
    }
  }
}
"#;

/// ASP.NET's `Properties/launchSettings.json` holds the launch profiles of Visual Studio and `dotnet run`
/// on a developer's machine: `dotnet publish` leaves it out and no deployed app reads it. The same
/// setting in what the production image runs is still an error.
#[test]
fn a_local_launch_profile_is_not_production_configuration() {
    let (code, switches) = gate(&[
        ("src/Portal/Properties/launchSettings.json", LAUNCH_SETTINGS),
        (
            "src/Portal/Program.cs",
            "var app = WebApplication.Create(args);\napp.Run();\n",
        ),
    ]);
    assert_eq!(switches, vec![]);
    assert_eq!(code, 0);
    // Twin: the image production runs sets the development environment.
    let (code, switches) = gate(&[
        ("src/Portal/Properties/launchSettings.json", LAUNCH_SETTINGS),
        (
            "Dockerfile",
            "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nENV ASPNETCORE_ENVIRONMENT=Development\nCOPY out/ /app\nENTRYPOINT [\"dotnet\", \"/app/Portal.dll\"]\n",
        ),
    ]);
    assert_eq!(
        switches,
        vec![(
            "switch/dev-environment".to_string(),
            "Dockerfile".to_string(),
            2,
            "error".to_string()
        )]
    );
    assert_eq!(code, 1);
}
