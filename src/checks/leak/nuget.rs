//! .NET project files (`*.csproj`): test libraries in a project that is not a test project. A
//! `PackageReference` ships with what `dotnet publish` outputs for the project, so xUnit, Moq or
//! coverlet referenced by the web project are in the deployed app. A test project (it references the
//! test SDK, `Microsoft.NET.Test.Sdk`, or says `<IsTestProject>true</IsTestProject>`) depends on them on
//! purpose, and an `<ItemGroup>` whose `Condition` names a debug or test configuration is not the
//! release build's.

use super::libraries::{self, Registry};
use super::manifests::{dependency, TestDep};
use super::xml_events::XmlEvents;
use super::{Extracted, Source};
use quick_xml::events::{BytesStart, Event};
use std::ops::Range;

pub(crate) fn extract(src: &mut Source, out: &mut Extracted) {
    let Some(is_test_project) = project(src, out) else {
        return;
    };
    if is_test_project {
        return;
    }
    super::msbuild_publish::extract(src, out);
}

/// Read a project file: the test libraries of a project that is not a test project are reported, and
/// what the project is (a test project or not, what it references, which sources it leaves out) is
/// stated for the sources' classification. None when the file does not parse.
pub(crate) fn project(src: &mut Source, out: &mut Extracted) -> Option<bool> {
    let text = src.text;
    // Depth of a conditional item group that is not the release build's (0: none open).
    let mut skipped_group = 0usize;
    let mut depth = 0usize;
    let mut is_test_project = false;
    let mut in_is_test_project = false;
    let mut refs: Vec<(String, Range<usize>)> = Vec::new();
    let mut projects: Vec<String> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut app = false;
    let mut in_app_property = false;
    for item in XmlEvents::new(text) {
        // A project file MSBuild cannot read is MSBuild's to report.
        let Ok((event, tag)) = item else { return None };
        if let Event::Start(e) | Event::Empty(e) = &event {
            in_app_property = false;
            match e.local_name().as_ref() {
                b"Project" => app |= attribute(e, b"Sdk").is_some_and(|s| is_app_sdk(&s)),
                b"AzureFunctionsVersion" => app = true,
                b"OutputType" => in_app_property = true,
                b"ProjectReference" => projects.extend(attribute(e, b"Include")),
                b"Compile" => removed.extend(attribute(e, b"Remove")),
                _ => {}
            }
        }
        match event {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name();
                if name.as_ref() == b"ItemGroup"
                    && skipped_group == 0
                    && condition(&e).is_some_and(|c| nonrelease_condition(&c))
                {
                    skipped_group = depth;
                }
                in_is_test_project = name.as_ref() == b"IsTestProject";
                if name.as_ref() == b"PackageReference" && skipped_group == 0 {
                    refs.extend(include(&e, text, tag.clone()));
                }
            }
            Event::Empty(e)
                if e.local_name().as_ref() == b"PackageReference" && skipped_group == 0 =>
            {
                refs.extend(include(&e, text, tag.clone()));
            }
            Event::End(_) => {
                if depth == skipped_group {
                    skipped_group = 0;
                }
                depth = depth.saturating_sub(1);
                in_is_test_project = false;
                in_app_property = false;
            }
            Event::Text(t) if in_app_property => {
                let raw: &[u8] = &t;
                let kind = raw.trim_ascii();
                app |= kind.eq_ignore_ascii_case(b"exe") || kind.eq_ignore_ascii_case(b"winexe");
            }
            Event::Text(t) if in_is_test_project => {
                let raw: &[u8] = &t;
                is_test_project |= raw.trim_ascii().eq_ignore_ascii_case(b"true");
            }
            _ => {}
        }
    }
    // An application (a web app, a worker, Azure Functions, an executable) is a test project only when
    // it runs tests — the test SDK — never by the `IsTestProject` property alone, which a pull request
    // can add to any project to have its test-named controllers and test references passed over.
    // ASP.NET integration-test projects use the Web SDK too, and reference the test SDK.
    is_test_project &= !app;
    is_test_project |= refs
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("Microsoft.NET.Test.Sdk"));
    is_test_project |= super::gradle::is_test_support_module(src.path);
    // A library that references a test framework holds tests, whatever else it is: its sources are test
    // code (the reference itself is reported below when the project is not a test project). An
    // application that does is still the application.
    let test_framework = !app && refs.iter().any(|(n, _)| is_test_framework(n));
    out.facts.push(super::Fact::DotnetProject(Box::new(
        super::dotnet_projects::Project {
            path: src.path.to_string(),
            test: is_test_project || test_framework,
            app,
            references: projects,
            removed,
        },
    )));
    if is_test_project {
        return Some(true);
    }
    for (name, span) in refs {
        let Some(kind) = libraries::nuget_package(&name) else {
            continue;
        };
        let dep = TestDep {
            registry: Registry::NuGet,
            name,
            kind,
            section: " (a `PackageReference` of a project that is not a test project)".into(),
        };
        dependency(src, out, dep, span);
    }
    Some(false)
}

/// `Microsoft.NET.Sdk.Web`, `Microsoft.NET.Sdk.Worker`, `Microsoft.NET.Sdk.BlazorWebAssembly`: an
/// application's SDK, not a library's.
fn is_app_sdk(sdk: &str) -> bool {
    let lower = sdk.to_ascii_lowercase();
    [".web", ".worker", ".blazorwebassembly"]
        .iter()
        .any(|s| lower.split('/').next().unwrap_or("").ends_with(s))
}

/// xUnit, NUnit, MSTest: the frameworks a test project is built on.
fn is_test_framework(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "xunit" | "xunit.core" | "xunit.v3" | "nunit" | "mstest" | "mstest.testframework"
    )
}

fn attribute(e: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .map(|a| String::from_utf8_lossy(&a.value).trim().to_string())
        .filter(|v| !v.is_empty())
}

fn condition(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == b"Condition")
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// `'$(Configuration)' == 'Debug'`, `'$(Configuration)|$(Platform)'=='Test|AnyCPU'`.
fn nonrelease_condition(c: &str) -> bool {
    let lower = c.to_ascii_lowercase();
    ["'debug", "'test"].iter().any(|w| lower.contains(w))
        && lower.contains("==")
        && lower.contains("configuration")
}

/// The package a `PackageReference` names (`Include`, or `Update` of a centrally managed version) and
/// the span of that name in the file.
fn include(e: &BytesStart<'_>, text: &[u8], tag: Range<usize>) -> Option<(String, Range<usize>)> {
    let value = e
        .attributes()
        .flatten()
        .find(|a| matches!(a.key.local_name().as_ref(), b"Include" | b"Update"))?;
    let name = String::from_utf8_lossy(&value.value).trim().to_string();
    if name.is_empty() {
        return None;
    }
    let raw = &text[tag.clone()];
    let span = memchr::memmem::find(raw, name.as_bytes())
        .map_or(tag.clone(), |k| tag.start + k..tag.start + k + name.len());
    Some((name, span))
}

#[cfg(test)]
mod tests {
    use super::super::Want;
    use super::*;
    use crate::repo::lexer::Syntax;

    fn deps(path: &str, text: &str) -> Vec<String> {
        let out = super::super::extract_for_test(path, text, Syntax::Hash, extract);
        out.pending
            .iter()
            .filter_map(|p| match &p.want {
                Want::TestDependency(d) => Some(d.name.clone()),
                _ => None,
            })
            .collect()
    }

    const WEB: &str = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <ItemGroup>
    <PackageReference Include="Microsoft.EntityFrameworkCore" Version="8.0.0" />
    <PackageReference Include="coverlet.collector" Version="3.1.2">
      <PrivateAssets>all</PrivateAssets>
    </PackageReference>
    <PackageReference Include="Moq" Version="4.20.0" />
  </ItemGroup>
  <ItemGroup Condition="'$(Configuration)' == 'Debug'">
    <PackageReference Include="xunit" Version="2.6.0" />
  </ItemGroup>
</Project>
"#;

    #[test]
    fn test_libraries_of_a_project_that_is_not_a_test_project() {
        assert_eq!(
            deps("src/Api/Api.csproj", WEB),
            vec!["coverlet.collector".to_string(), "Moq".to_string()]
        );
        // A test project references them on purpose.
        let tests = WEB.replace(
            "<ItemGroup>\n",
            "<ItemGroup>\n    <PackageReference Include=\"Microsoft.NET.Test.Sdk\" Version=\"17.8.0\" />\n",
        );
        assert_eq!(deps("src/Api/Api.csproj", &tests), Vec::<String>::new());
        // `IsTestProject` alone does not make a web application a test project (a pull request could
        // add it to hide the app's test references); on a library it does.
        let flag =
            "  <PropertyGroup>\n    <IsTestProject>true</IsTestProject>\n  </PropertyGroup>\n";
        let flagged = WEB.replace(
            "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n",
            &format!("<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n{flag}"),
        );
        assert_eq!(
            deps("src/Api/Api.csproj", &flagged),
            vec!["coverlet.collector".to_string(), "Moq".to_string()]
        );
        let library = WEB.replace(
            "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n",
            &format!("<Project Sdk=\"Microsoft.NET.Sdk\">\n{flag}"),
        );
        assert_eq!(deps("src/Api/Api.csproj", &library), Vec::<String>::new());
        assert_eq!(
            deps("src/Api/Api.csproj", "<Project><oops"),
            Vec::<String>::new()
        );
    }
}
