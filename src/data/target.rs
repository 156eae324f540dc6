//! Which database to read and how to reach it: a libpq connection string (`postgres://…` or
//! `host=… dbname=…`), else `DATABASE_URL`, with the usual `PG*` variables filling what it leaves out,
//! and the TLS it must use. The password is registered with `redact` the moment it is read, and the
//! target is only ever shown without it.

use crate::diag::SourceDiag;
use crate::redact::visible_line;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// libpq's `sslmode`. The default over TCP is `VerifyFull`: the check sends a password and reads personal
/// data, so it verifies whom it talks to unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    /// TLS if the server offers it, else in clear (libpq's default, and a downgrade anyone on the path can
    /// force): honoured when asked for, and reported.
    Prefer,
    /// Encrypted, the server's certificate not checked.
    Require,
    /// The certificate chains to a trusted CA; its name is not checked.
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    fn parse(s: &str) -> Option<TlsMode> {
        Some(match s {
            "disable" => TlsMode::Disable,
            // libpq's `allow` tries clear text first: no weaker than prefer here, and reported the same.
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            _ => return None,
        })
    }
}

/// Where trusted CA certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The operating system's store (also libpq's `sslrootcert=system`).
    System,
    File(PathBuf),
}

/// A database to connect to.
pub struct Target {
    pub config: postgres::Config,
    pub tls: TlsMode,
    pub roots: Roots,
    /// `postgres://user@host:port/db`: never the password.
    pub shown: String,
    /// Every host is a Unix socket (TLS does not apply).
    pub unix_socket: bool,
    /// Every host is this machine (loopback address or `localhost`) or a socket.
    pub local: bool,
}

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The target named by `conn` (the command line), else `DATABASE_URL`, with `PG*` variables filling
/// what the string leaves out; `ca_file` (`--ca-file`) wins over `sslrootcert`.
pub fn resolve(
    conn: Option<&str>,
    ca_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Target, SourceDiag> {
    let given = conn
        .map(str::to_string)
        .or_else(|| env("DATABASE_URL").filter(|s| !s.trim().is_empty()));
    let (rest, ours) = match &given {
        Some(s) => split_our_options(s.trim())?,
        None => (String::new(), Vec::new()),
    };
    let mut config: postgres::Config = if rest.is_empty() {
        postgres::Config::new()
    } else {
        rest.parse().map_err(|e: postgres::Error| {
            SourceDiag::plain(
                "live/bad-url",
                format!(
                    "invalid connection string: {}",
                    visible_line(&e.to_string())
                ),
            )
            .with_help(
                "connection strings follow libpq: postgres://USER@HOST:PORT/DB?sslmode=verify-full",
            )
        })?
    };
    // What the string left out, from the environment (as libpq does).
    let var = |k: &str| env(k).filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        match var("PGHOST") {
            Some(hosts) => {
                for h in hosts.split(',') {
                    config.host(h);
                }
            }
            None => {
                let socket_dir = Path::new("/var/run/postgresql");
                config.host(if socket_dir.is_dir() {
                    "/var/run/postgresql"
                } else {
                    "localhost"
                });
            }
        }
    }
    if config.get_ports().is_empty() {
        if let Some(p) = var("PGPORT") {
            let port = p.parse::<u16>().map_err(|_| {
                SourceDiag::plain("live/bad-url", "PGPORT is not a port number".to_string())
            })?;
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        let user = var("PGUSER")
            .or_else(|| var("USER"))
            .or_else(|| var("LOGNAME"))
            .ok_or_else(|| {
                SourceDiag::plain("live/bad-url", "no user: put it in the URL or set PGUSER")
            })?;
        config.user(&user);
    }
    if config.get_password().is_none() {
        if let Some(pw) = var("PGPASSWORD") {
            config.password(pw);
        }
    }
    if let Some(pw) = config.get_password() {
        crate::redact::register_secret(&String::from_utf8_lossy(pw));
    }
    if config.get_dbname().is_none() {
        if let Some(db) = var("PGDATABASE") {
            config.dbname(&db);
        }
    }
    if config.get_connect_timeout().is_none() {
        let secs = var("PGCONNECT_TIMEOUT").and_then(|s| s.parse::<u64>().ok());
        config.connect_timeout(secs.map_or(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs));
    }
    config.application_name("shipgate data");

    let option = |name: &str| {
        ours.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    for unsupported in ["sslcert", "sslkey", "sslpassword", "sslcrl"] {
        if option(unsupported).is_some() {
            return Err(SourceDiag::plain(
                "live/bad-url",
                format!("`{unsupported}` is not supported yet (client certificates): authenticate with a password"),
            ));
        }
    }
    let hosts = config.get_hosts().to_vec();
    let unix_socket = hosts
        .iter()
        .all(|h| matches!(h, postgres::config::Host::Unix(_)));
    let local = hosts.iter().all(|h| match h {
        postgres::config::Host::Unix(_) => true,
        postgres::config::Host::Tcp(name) => {
            name == "localhost"
                || name
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    });
    let asked = option("sslmode").or_else(|| var("PGSSLMODE"));
    let tls = match &asked {
        Some(m) => TlsMode::parse(m).ok_or_else(|| {
            SourceDiag::plain(
                "live/bad-url",
                format!("unknown sslmode `{}`", visible_line(m)),
            )
            .with_help("sslmode is disable, allow, prefer, require, verify-ca or verify-full")
        })?,
        None if unix_socket => TlsMode::Disable,
        None => TlsMode::VerifyFull,
    };
    if unix_socket && !matches!(tls, TlsMode::Disable | TlsMode::Prefer) {
        return Err(SourceDiag::plain(
            "live/tls",
            format!(
                "TLS is required (sslmode={}) but the connection is a Unix socket, which does not use TLS",
                tls.as_str()
            ),
        )
        .with_help("connect over TCP (host=NAME), or leave sslmode out for a socket on this machine"));
    }
    let roots = match ca_file
        .map(Path::to_path_buf)
        .or_else(|| option("sslrootcert").map(PathBuf::from))
        .or_else(|| var("PGSSLROOTCERT").map(PathBuf::from))
    {
        Some(p) if p == Path::new("system") => Roots::System,
        Some(p) => Roots::File(p),
        None => Roots::System,
    };
    config.ssl_mode(match tls {
        TlsMode::Disable => postgres::config::SslMode::Disable,
        TlsMode::Prefer => postgres::config::SslMode::Prefer,
        _ => postgres::config::SslMode::Require,
    });
    let shown = shown(&config);
    Ok(Target {
        config,
        tls,
        roots,
        shown,
        unix_socket,
        local,
    })
}

/// `postgres://user@host:port/db`, never the password.
fn shown(config: &postgres::Config) -> String {
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match h {
                postgres::config::Host::Tcp(name) => format!("{name}:{port}"),
                postgres::config::Host::Unix(path) => {
                    format!("[{}]:{port}", path.display())
                }
            }
        })
        .collect();
    let user = config.get_user().unwrap_or("");
    let db = config.get_dbname().unwrap_or(user);
    visible_line(&format!("postgres://{user}@{}/{db}", hosts.join(","))).into_owned()
}

/// Options tokio-postgres does not know (it has no verify-ca/verify-full, no CA file): taken out of the
/// string and applied here. Returns the rest of the string and `(key, value)` of what was taken.
type Options = Vec<(String, String)>;

const OURS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcrl",
];

fn split_our_options(s: &str) -> Result<(String, Options), SourceDiag> {
    if let Some((scheme, _)) = s.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "postgres" && scheme != "postgresql" {
            return Err(unsupported(&scheme));
        }
        return Ok(split_url(s));
    }
    if !s.contains('=') {
        return Err(SourceDiag::plain(
            "live/bad-url",
            "the connection string is neither a postgres:// URL nor key=value pairs",
        ));
    }
    split_key_values(s)
}

fn unsupported(scheme: &str) -> SourceDiag {
    SourceDiag::plain(
        "live/unsupported-source",
        format!(
            "{}:// databases are not supported yet: this version reads PostgreSQL, plain-SQL pg_dump files and CSV exports",
            visible_line(scheme)
        ),
    )
    .with_help("export the tables as CSV with a header row and pass them with --csv")
}

fn split_url(s: &str) -> (String, Options) {
    let Some((base, query)) = s.split_once('?') else {
        return (s.to_string(), Vec::new());
    };
    let mut kept = Vec::new();
    let mut ours = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k);
        if OURS.contains(&key.as_str()) {
            ours.push((key, percent_decode(v)));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, ours)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `key = value` pairs as libpq reads them (values bare, or single-quoted with backslash escapes).
fn split_key_values(s: &str) -> Result<(String, Options), SourceDiag> {
    let bad = |what: &str| {
        SourceDiag::plain("live/bad-url", format!("invalid connection string: {what}"))
    };
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut kept: Vec<String> = Vec::new();
    let mut ours = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        skip_ws(&mut i);
        if chars.get(i) != Some(&'=') {
            return Err(bad(&format!("expected `=` after `{}`", visible_line(&key))));
        }
        i += 1;
        skip_ws(&mut i);
        let mut value = String::new();
        if chars.get(i) == Some(&'\'') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(bad("unterminated quoted value")),
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        if let Some(c) = chars.get(i + 1) {
                            value.push(*c);
                        }
                        i += 2;
                    }
                    Some(c) => {
                        value.push(*c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '\\' {
                    if let Some(c) = chars.get(i + 1) {
                        value.push(*c);
                    }
                    i += 2;
                } else {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if OURS.contains(&key.as_str()) {
            ours.push((key, value));
        } else {
            let quoted = value.replace('\\', "\\\\").replace('\'', "\\'");
            kept.push(format!("{key}='{quoted}'"));
        }
    }
    Ok((kept.join(" "), ours))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn target(conn: Option<&str>, vars: &'static [(&'static str, &'static str)]) -> Target {
        match resolve(conn, None, &env(vars)) {
            Ok(t) => t,
            Err(e) => panic!("{}: {}", e.code, e.message),
        }
    }

    fn error(conn: Option<&str>, vars: &'static [(&'static str, &'static str)]) -> SourceDiag {
        match resolve(conn, None, &env(vars)) {
            Ok(t) => panic!("resolved {}", t.shown),
            Err(e) => e,
        }
    }

    #[test]
    fn a_url_is_shown_without_its_password_and_tls_defaults_to_verify_full() {
        let t = target(
            Some("postgres://reader:s3cret-Pw@db.internal:6543/app"),
            &[],
        );
        assert_eq!(t.shown, "postgres://reader@db.internal:6543/app");
        assert_eq!(t.tls, TlsMode::VerifyFull);
        assert_eq!(t.roots, Roots::System);
        assert!(!t.local);
        assert_eq!(crate::redact::text("x s3cret-Pw y"), "x ********* y");
    }

    #[test]
    fn our_tls_options_are_taken_out_of_url_and_key_value_forms() {
        let t = target(
            Some("postgresql://u@127.0.0.1/app?sslmode=verify-ca&sslrootcert=%2Ftmp%2Fca.pem&connect_timeout=3"),
            &[],
        );
        assert_eq!(t.tls, TlsMode::VerifyCa);
        assert_eq!(t.roots, Roots::File(PathBuf::from("/tmp/ca.pem")));
        assert!(t.local);
        let t = target(
            Some(r"host=db port=5433 user=u password='it\'s' sslmode=require dbname=app"),
            &[],
        );
        assert_eq!(t.tls, TlsMode::Require);
        assert_eq!(t.shown, "postgres://u@db:5433/app");
    }

    #[test]
    fn pg_variables_fill_what_the_string_leaves_out() {
        let t = target(
            None,
            &[
                ("PGHOST", "10.1.2.3"),
                ("PGPORT", "5999"),
                ("PGUSER", "reader"),
                ("PGDATABASE", "cases"),
                ("PGPASSWORD", "Env-Pw-77"),
                ("PGSSLMODE", "require"),
            ],
        );
        assert_eq!(t.shown, "postgres://reader@10.1.2.3:5999/cases");
        assert_eq!(t.tls, TlsMode::Require);
        assert_eq!(t.config.get_password(), Some(&b"Env-Pw-77"[..]));
        let t = target(
            None,
            &[("DATABASE_URL", "postgres://a@h/d"), ("PGUSER", "b")],
        );
        assert_eq!(t.shown, "postgres://a@h:5432/d", "the URL wins over PG*");
    }

    #[test]
    fn other_engines_bad_modes_and_client_certificates_are_refused() {
        assert_eq!(
            error(Some("mysql://root:pw@db/app"), &[]).code,
            "live/unsupported-source"
        );
        assert_eq!(
            error(Some("postgres://u@h/d?sslmode=verify-fully"), &[]).code,
            "live/bad-url"
        );
        assert_eq!(
            error(Some("postgres://u@h/d?sslcert=c.pem"), &[]).code,
            "live/bad-url"
        );
        assert_eq!(
            error(Some("postgres://u@h:notaport/d"), &[]).code,
            "live/bad-url"
        );
        assert_eq!(
            error(
                Some("host=/var/run/postgresql user=u sslmode=verify-full"),
                &[]
            )
            .code,
            "live/tls"
        );
    }
}
