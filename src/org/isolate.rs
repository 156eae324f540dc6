//! One repository's gate in a child process of its own, bounded in memory and time.
//!
//! An audited repository is hostile input: its workflows, CODEOWNERS and config are parsed here. Every
//! parser shipgate knows to be attackable is bounded (YAML nesting and aliases, list pages, body sizes),
//! but a shard of a hundred repositories must not depend on there being no next bomb: an 860-byte
//! workflow that took the whole process past 4 GB used to kill the shard, and the repositories it had
//! not written yet dropped out of the report without a word. So `org run` gates each repository in a
//! child (`shipgate org gate-one`, the same binary) that caps its own data segment, and the parent
//! kills it at its time limit. Whatever happens to the child — an allocation failure, a crash, a hang,
//! garbage on stdout — the parent writes that repository's *not verified* result with the reason and
//! goes on with the next.

use super::RepoResult;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a child prints on stdout: its result and the rate limit GitHub last reported to it (the parent
/// keeps the shard's shared budget).
#[derive(Debug, Serialize, Deserialize)]
pub struct ChildAnswer {
    pub schema: String,
    pub result: RepoResult,
    pub rate: Option<(u64, u64)>,
}

pub const CHILD_SCHEMA: &str = "shipgate-org-child/1";

/// A child's stdout larger than this is not a result (results are a few kilobytes to a few megabytes).
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;
/// What is kept of a child's stderr for the reason: its last line says what went wrong.
const STDERR_TAIL: usize = 2048;
/// Time a child has after its API deadline to judge what it read (a few small files).
pub const JUDGING_GRACE: Duration = Duration::from_secs(60);

/// How a child is bounded.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Data segment (heap) of the child, in MiB; 0 = no limit.
    pub memory_mib: u64,
    /// Wall time, after which the child is killed.
    pub time: Duration,
}

/// What the parent passes to a child besides the repository name (the environment is inherited: the
/// token travels there, never on a command line another user could read).
pub struct ChildArgs<'a> {
    pub repository: &'a str,
    pub api_deadline: Duration,
    pub fail_on: Option<&'a str>,
    /// `org run --declared`: the config repository, staged once for every child.
    pub declared: Option<&'a super::declared::Staged>,
    /// `org run --config`: the auditor's policy, read again by the child.
    pub config: Option<&'a std::path::Path>,
}

/// Run one repository's gate in a child and read its answer; `Err` says why there is none.
pub fn gate_in_child(args: &ChildArgs<'_>, limits: Limits) -> Result<ChildAnswer, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find shipgate's own executable to check it in: {e}"))?;
    let mut cmd = child_command(exe, args, limits);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start a process to check it in: {e}"))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout {
            // One byte over the cap tells a full answer from a cut one.
            let _ = s.take(MAX_ANSWER_BYTES + 1).read_to_end(&mut buf);
        }
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr {
            let _ = s.take(MAX_ANSWER_BYTES).read_to_end(&mut buf);
        }
        let start = buf.len().saturating_sub(STDERR_TAIL);
        buf.split_off(start)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() >= limits.time => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!(
                    "its check did not finish within {} s and was stopped",
                    limits.time.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                let _ = child.kill();
                break Err(format!("cannot wait for its check: {e}"));
            }
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    let status = status?;
    if !status.success() {
        return Err(abnormal_end(status, &err, limits));
    }
    if out.len() as u64 > MAX_ANSWER_BYTES {
        return Err(format!(
            "its check answered with more than {MAX_ANSWER_BYTES} bytes; the answer was not read"
        ));
    }
    let answer: ChildAnswer = serde_json::from_slice(&out)
        .map_err(|e| format!("its check's answer could not be read: {e}"))?;
    if answer.schema != CHILD_SCHEMA || answer.result.repository != args.repository {
        return Err("its check answered for something else".into());
    }
    Ok(answer)
}

fn child_command(exe: PathBuf, args: &ChildArgs<'_>, limits: Limits) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args(["org", "gate-one", "--repository", args.repository])
        .arg("--api-deadline-ms")
        .arg(args.api_deadline.as_millis().to_string())
        .arg("--memory-limit")
        .arg(limits.memory_mib.to_string());
    if let Some(f) = args.fail_on {
        cmd.args(["--fail-on", f]);
    }
    if let Some(c) = args.config {
        cmd.arg("--config").arg(c);
    }
    if let Some(d) = args.declared {
        cmd.arg("--declared-dir")
            .arg(&d.dir)
            .args(["--declared-shown", &d.shown]);
    }
    cmd
}

/// The reason for a child that did not end well: the signal or code, whether the memory cap explains
/// it, and the last line it wrote (escaped and redacted: it may quote the repository).
fn abnormal_end(status: ExitStatus, stderr: &[u8], limits: Limits) -> String {
    let last = String::from_utf8_lossy(stderr)
        .lines()
        .rev()
        // A panic ends with a note on how to get a backtrace; the line before says what happened.
        .find(|l| !l.trim().is_empty() && !l.starts_with("note: "))
        .map(|l| crate::redact::text(&crate::redact::visible_line(l.trim())).into_owned())
        .unwrap_or_default();
    let how = match (status.code(), signal_of(status)) {
        (Some(code), _) => format!("its check exited with code {code}"),
        (None, Some(sig)) => format!("its check was ended by signal {sig}"),
        (None, None) => "its check ended abnormally".to_string(),
    };
    let memory = if limits.memory_mib > 0 && out_of_memory(stderr) {
        format!(
            " (over the {} MiB memory limit per repository, `--memory-limit`)",
            limits.memory_mib
        )
    } else {
        String::new()
    };
    if last.is_empty() {
        format!("{how}{memory}")
    } else {
        format!("{how}{memory}: {last}")
    }
}

/// Does what the child wrote say that it ran out of memory? An allocation failure aborts with
/// "memory allocation of N bytes failed"; a thread or buffer that could not get its memory panics with
/// the OS error (ENOMEM, os error 12) instead, depending on where the limit was hit.
fn out_of_memory(stderr: &[u8]) -> bool {
    let text = String::from_utf8_lossy(stderr);
    [
        "memory allocation of",
        "Cannot allocate memory",
        "os error 12",
        "out of memory",
    ]
    .iter()
    .any(|m| text.contains(m))
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal_of(_: ExitStatus) -> Option<i32> {
    None
}

/// In the child: cap this process's data segment before reading anything of the repository.
pub fn limit_own_memory(memory_mib: u64) -> Result<(), String> {
    if memory_mib == 0 {
        return Ok(());
    }
    let bytes = memory_mib.saturating_mul(1024 * 1024);
    set_data_limit(bytes)
        .map_err(|e| format!("cannot limit the check's memory to {memory_mib} MiB: {e}"))
}

#[cfg(unix)]
fn set_data_limit(bytes: u64) -> std::io::Result<()> {
    rlimit::setrlimit(rlimit::Resource::DATA, bytes, bytes)
}

#[cfg(not(unix))]
fn set_data_limit(_: u64) -> std::io::Result<()> {
    Ok(()) // no per-process data limit here: the time limit still holds
}
