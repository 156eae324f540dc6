//! Which databases a Spring service's own configuration connects to: `spring.datasource.url:
//! jdbc:postgresql://…` in `application.yml`, `jdbc:h2:mem:` in a profile's file. An embedded database
//! (H2, HSQLDB, Derby) in the production dependencies is test support only when no configuration the
//! service ships names it and some configuration names another database: then the tests' configuration
//! (`src/test/resources/application-test.yml`) is its only user, and the jar carries it for nothing.
//! With no datasource in the base configuration Spring Boot starts the embedded database itself (a
//! profile's URL only replaces it in that profile): that is production's.

use super::paths::{extension, file_name};
use super::{Extracted, Fact, Source};

/// Embedded databases by their JDBC scheme.
const EMBEDDED: &[&str] = &["h2", "hsqldb", "derby"];

/// A Spring Boot configuration file: `application*.yml|yaml|properties`, `bootstrap*.…`.
pub(crate) fn is_spring_config(name: &str) -> bool {
    (name.starts_with("application") || name.starts_with("bootstrap"))
        && matches!(extension(name), "yml" | "yaml" | "properties")
}

/// `application.yml`, `bootstrap.properties`: no profile suffix.
fn is_base(name: &str) -> bool {
    matches!(
        name.rsplit_once('.').map(|(stem, _)| stem),
        Some("application" | "bootstrap")
    )
}

/// Record each JDBC URL's database: embedded or not.
pub(crate) fn extract(src: &Source, out: &mut Extracted) {
    if !is_spring_config(file_name(src.path)) {
        return;
    }
    for at in memchr::memmem::find_iter(src.text, b"jdbc:") {
        let scheme: String = src.text[at + "jdbc:".len()..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        if scheme.is_empty() {
            continue;
        }
        let embedded = EMBEDDED.contains(&scheme.as_str());
        // Another database counts only in the base file every profile loads: with a profile's URL alone
        // (`application-postgres.properties`), the default profile still starts the embedded one.
        if embedded || is_base(file_name(src.path)) {
            out.facts.push(Fact::JdbcUrl { embedded });
        }
    }
}
