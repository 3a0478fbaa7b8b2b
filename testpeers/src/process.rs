//! A guard around a peer's child process: ended by pid when dropped, its output kept in
//! files and printed into the test's log when the test fails.
//!
//! Output goes to files rather than pipes so a chatty peer (baresip prints a status line
//! several times a second) can never block on a full pipe that nobody reads.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// How long a peer gets to exit after SIGTERM before it is killed.
pub const TERM_GRACE: Duration = Duration::from_millis(1500);

/// How much of each output file is printed into a failing test's log.
const LOG_TAIL_BYTES: usize = 16 * 1024;

/// Finds `binary` on `PATH`, or fails naming the Debian package and `make setup-apt`.
///
/// Tests never skip silently when a peer is missing: a missing peer is a broken machine.
pub fn require_binary(binary: &str, debian_package: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/sbin")]) {
        let candidate = dir.join(binary);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "`{binary}` is not installed (Debian package `{debian_package}`): run `make setup-apt` \
         to install the test peers"
    )
}

/// A running peer process. Dropping it ends the process (SIGTERM, then SIGKILL) by its pid.
#[derive(Debug)]
pub struct PeerProcess {
    name: String,
    child: Child,
    stdout_path: PathBuf,
    stderr_path: PathBuf,
    exit: Option<ExitStatus>,
}

impl PeerProcess {
    /// Starts `command` with stdin closed and stdout/stderr written to
    /// `<log_dir>/<name>.stdout` and `.stderr`.
    pub fn spawn(name: &str, mut command: Command, log_dir: &Path) -> Result<Self> {
        let stdout_path = log_dir.join(format!("{name}.stdout"));
        let stderr_path = log_dir.join(format!("{name}.stderr"));
        let stdout = File::create(&stdout_path)
            .with_context(|| format!("creating {}", stdout_path.display()))?;
        let stderr = File::create(&stderr_path)
            .with_context(|| format!("creating {}", stderr_path.display()))?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::from(stderr));
        let child = command
            .spawn()
            .with_context(|| format!("starting {name}: {command:?}"))?;
        tracing::debug!(peer = name, pid = child.id(), "peer started");
        Ok(Self {
            name: name.to_owned(),
            child,
            stdout_path,
            stderr_path,
            exit: None,
        })
    }

    /// The peer's name in logs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has ended, without waiting.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        if self.exit.is_none() {
            self.exit = self
                .child
                .try_wait()
                .with_context(|| format!("checking whether {} exited", self.name))?;
        }
        Ok(self.exit)
    }

    /// Waits for the process to exit on its own, at most `timeout`; on timeout it is ended
    /// and an error returned.
    pub async fn wait_timeout(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                self.terminate();
                bail!("{} did not exit within {timeout:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Ends the process: SIGTERM, up to [`TERM_GRACE`] to exit, then SIGKILL. Idempotent.
    pub fn terminate(&mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.try_wait() {
            return Some(status);
        }
        let pid = i32::try_from(self.child.id()).ok().map(Pid::from_raw);
        if let Some(pid) = pid {
            let _ = kill(pid, Signal::SIGTERM);
            let deadline = Instant::now() + TERM_GRACE;
            while Instant::now() < deadline {
                if let Ok(Some(status)) = self.try_wait() {
                    return Some(status);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.child.kill();
        self.exit = self.child.wait().ok();
        self.exit
    }

    /// Everything the process wrote to stdout so far.
    pub fn stdout(&self) -> String {
        read_lossy(&self.stdout_path)
    }

    /// Everything the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        read_lossy(&self.stderr_path)
    }

    /// Prints the tail of stdout and stderr into the test's (captured) output.
    pub fn dump_logs(&self) {
        for (stream, text) in [("stdout", self.stdout()), ("stderr", self.stderr())] {
            eprintln!(
                "----- {} {stream} (pid {}) -----\n{}",
                self.name,
                self.pid(),
                tail(&text, LOG_TAIL_BYTES)
            );
        }
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        self.terminate();
        if std::thread::panicking() {
            self.dump_logs();
        }
    }
}

fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// The last `max` bytes of `text`, cut at a character boundary.
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drop_ends_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let peer = PeerProcess::spawn("sleeper", cmd, dir.path()).unwrap();
        let pid = Pid::from_raw(i32::try_from(peer.pid()).unwrap());
        drop(peer);
        // The child was reaped, so the pid no longer names a process of ours.
        assert!(kill(pid, None).is_err());
    }

    #[tokio::test]
    async fn output_is_captured_and_exit_waited() {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let mut peer = PeerProcess::spawn("echo", cmd, dir.path()).unwrap();
        let status = peer.wait_timeout(Duration::from_secs(5)).await.unwrap();
        assert_eq!(status.code(), Some(3));
        assert_eq!(peer.stdout(), "out\n");
        assert_eq!(peer.stderr(), "err\n");
    }

    #[tokio::test]
    async fn wait_timeout_ends_a_hung_process() {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let mut peer = PeerProcess::spawn("hung", cmd, dir.path()).unwrap();
        let err = peer.wait_timeout(Duration::from_millis(100)).await;
        assert!(err.is_err());
        assert!(peer.try_wait().unwrap().is_some());
    }

    #[test]
    fn missing_binary_names_make_setup_apt() {
        let err = require_binary("seatline-no-such-peer", "no-such-package").unwrap_err();
        assert!(err.to_string().contains("make setup-apt"));
    }

    #[test]
    fn tail_respects_char_boundaries() {
        assert_eq!(tail("héllo", 4), "llo");
        assert_eq!(tail("abc", 10), "abc");
    }
}
