//! A real PostgreSQL server for the live-data tests: Debian's `postgresql` package, a cluster made with
//! `initdb` in a temporary directory, listening on a private port (127.0.0.1) and a socket in its own
//! directory, run as an unprivileged user (`postgres` when the tests run as root, as CI does: initdb
//! refuses root). One cluster per test binary, started on first use; each test gets its own database.
//!
//! The server is started under a small shell that waits on its standard input: when this test process
//! exits, the pipe closes, the shell stops the server and removes the directory — no server outlives the
//! tests, whatever way they end.
//!
//! Without PostgreSQL the tests fail saying how to install it, unless `SHIPGATE_SKIP_POSTGRES=1`.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The superuser's name (it authenticates over the socket only, by trust).
pub const SUPERUSER: &str = "postgres";
/// A least-privilege role, as the README tells teams to create.
pub const READER: &str = "shipgate_reader";
pub const READER_PASSWORD: &str = "Rd-7xq!pw@Zk9";
/// A role that could write (the application's own, as teams are tempted to reuse).
pub const WRITER: &str = "app_writer";
pub const WRITER_PASSWORD: &str = "Wr-3mv#pw/Qa2";

pub struct Cluster {
    pub port: u16,
    pub dir: PathBuf,
    pub bin: PathBuf,
    /// Certificates of a TLS cluster: the CA that signed the server's certificate.
    pub ca: Option<PathBuf>,
    /// Kept open for the process's life: closing it stops the server.
    _keepalive: Mutex<ChildStdin>,
    /// The shell that runs the server: it ends when this process does (see above).
    _shell: Mutex<Child>,
}

static PLAIN: OnceLock<Option<Cluster>> = OnceLock::new();
static TLS: OnceLock<Option<Cluster>> = OnceLock::new();

/// The shared cluster without TLS, or None when `SHIPGATE_SKIP_POSTGRES=1` and PostgreSQL is missing.
pub fn cluster() -> Option<&'static Cluster> {
    PLAIN.get_or_init(|| start(false)).as_ref()
}

/// A cluster that offers TLS with a certificate for `db.internal` signed by its own CA.
pub fn tls_cluster() -> Option<&'static Cluster> {
    TLS.get_or_init(|| start(true)).as_ref()
}

fn bin_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHIPGATE_PG_BIN") {
        let bin = PathBuf::from(p);
        return bin.join("initdb").exists().then_some(bin);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    bin.join("initdb").exists().then_some(bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The unprivileged user the server runs as when the tests run as root.
fn server_user() -> Option<&'static str> {
    if !is_root() {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let has = |u: &str| passwd.lines().any(|l| l.starts_with(&format!("{u}:")));
    Some(if has("postgres") {
        "postgres"
    } else {
        "nobody"
    })
}

/// `program args` as the server's user.
fn as_server(program: &Path) -> Command {
    match server_user() {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start(with_tls: bool) -> Option<Cluster> {
    let Some(bin) = bin_dir() else {
        if std::env::var("SHIPGATE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
            eprintln!("PostgreSQL is not installed: SHIPGATE_SKIP_POSTGRES=1, so the live-data tests are skipped");
            return None;
        }
        panic!(
            "PostgreSQL is not installed, and the live-data tests need a real server.\n\
             Install it: apt-get install -y postgresql (Debian/Ubuntu), or point SHIPGATE_PG_BIN at the\n\
             directory holding initdb and postgres. SHIPGATE_SKIP_POSTGRES=1 skips these tests."
        );
    };
    remove_stale_clusters();
    let dir = std::env::temp_dir().join(format!(
        "shipgate-pg-{}-{}",
        std::process::id(),
        if with_tls { "tls" } else { "plain" }
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cluster dir");
    let data = dir.join("data");
    if let Some(user) = server_user() {
        let ok = Command::new("chown")
            .arg(user)
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown {user} {}", dir.display());
    }
    let out = as_server(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", SUPERUSER, "-E", "UTF8", "--locale=C", "--no-sync"])
        .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
        .output()
        .expect("run initdb");
    assert!(
        out.status.success(),
        "initdb failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ca = None;
    let mut settings = vec![
        "-c listen_addresses=127.0.0.1".to_string(),
        "-c fsync=off".to_string(),
        "-c full_page_writes=off".to_string(),
        "-c synchronous_commit=off".to_string(),
        "-c max_connections=60".to_string(),
        "-c TimeZone=Europe/London".to_string(),
    ];
    if with_tls {
        ca = Some(make_certificates(&dir, &data));
        settings.push("-c ssl=on".to_string());
        settings.push("-c ssl_cert_file=server.crt".to_string());
        settings.push("-c ssl_key_file=server.key".to_string());
    }
    let port = free_port();
    // The shell waits on stdin; EOF (this process ended) stops the server and removes its directory.
    let script = format!(
        "\"$1/postgres\" -D \"$2\" -p \"$3\" -k \"$4\" {} >\"$4/server.log\" 2>&1 & pid=$!; read _; kill -INT $pid; wait $pid; rm -rf \"$4\"",
        settings.join(" ")
    );
    let mut child = as_server(Path::new("/bin/sh"))
        .arg("-c")
        .arg(&script)
        .arg("sh")
        .arg(&bin)
        .arg(&data)
        .arg(port.to_string())
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start postgres");
    let stdin = child.stdin.take().expect("stdin");
    let cluster = Cluster {
        port,
        dir: dir.clone(),
        bin,
        ca,
        _keepalive: Mutex::new(stdin),
        _shell: Mutex::new(child),
    };
    let begun = Instant::now();
    loop {
        match cluster.try_superuser("postgres") {
            Ok(_) => break,
            Err(e) if begun.elapsed() > Duration::from_secs(60) => panic!(
                "PostgreSQL did not start on port {port}: {e}\n{}",
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            ),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    cluster.superuser("postgres").batch_execute(&format!(
        "CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}' NOSUPERUSER NOCREATEDB NOCREATEROLE;
         ALTER ROLE {READER} SET default_transaction_read_only = on;
         GRANT pg_read_all_data TO {READER};
         CREATE ROLE {WRITER} LOGIN PASSWORD '{WRITER_PASSWORD}';"
    )).expect("roles");
    Some(cluster)
}

/// Directories of clusters whose test process is gone (killed before its server started).
fn remove_stale_clusters() {
    for e in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("shipgate-pg-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A CA and a server certificate for `db.internal` (not 127.0.0.1: verify-full by address must fail).
fn make_certificates(dir: &Path, data: &Path) -> PathBuf {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl (Debian's postgresql depends on it)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=shipgate test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:db.internal\n").expect("ext");
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=db.internal",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.crt",
    ]);
    for f in ["server.crt", "server.key"] {
        std::fs::copy(dir.join(f), data.join(f)).expect("copy cert");
        if let Some(user) = server_user() {
            Command::new("chown")
                .arg(user)
                .arg(data.join(f))
                .status()
                .expect("chown");
        }
    }
    Command::new("chmod")
        .arg("600")
        .arg(data.join("server.key"))
        .status()
        .expect("chmod");
    dir.join("ca.crt")
}

impl Cluster {
    fn try_superuser(&self, db: &str) -> Result<postgres::Client, postgres::Error> {
        postgres::Config::new()
            .host_path(&self.dir)
            .port(self.port)
            .user(SUPERUSER)
            .dbname(db)
            .connect_timeout(Duration::from_secs(5))
            .connect(postgres::NoTls)
    }

    /// The superuser, over the socket, in `db`.
    pub fn superuser(&self, db: &str) -> postgres::Client {
        self.try_superuser(db).expect("connect as superuser")
    }

    /// A fresh database named `name`, seeded with `sql` (run as the superuser).
    pub fn database(&self, name: &str, sql: &str) -> String {
        let mut admin = self.superuser("postgres");
        // One statement each: several in one batch would run in a transaction, which they refuse.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .expect("drop database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        self.superuser(name).batch_execute(sql).expect("seed");
        name.to_string()
    }

    /// `postgres://USER:PASSWORD@127.0.0.1:PORT/DB` plus `query` (e.g. `sslmode=disable`).
    pub fn url(&self, user: &str, password: &str, db: &str, query: &str) -> String {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!(
            "postgres://{}:{}@127.0.0.1:{}/{db}{q}",
            enc(user),
            enc(password),
            self.port
        )
    }

    pub fn reader_url(&self, db: &str) -> String {
        self.url(READER, READER_PASSWORD, db, "sslmode=disable")
    }

    /// A program of the server's package (pg_dump), as this user.
    pub fn tool(&self, name: &str) -> Command {
        Command::new(self.bin.join(name))
    }
}

/// Skip a test (return) when PostgreSQL is absent and skipping was asked for.
#[macro_export]
macro_rules! postgres_or_skip {
    () => {
        match $crate::data_server::cluster() {
            Some(c) => c,
            None => return,
        }
    };
}

/// Write `text` to a new file in `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).expect("create");
    f.write_all(text.as_bytes()).expect("write");
    p
}
