//! The real `seatline-platform` binary as a child process: seeded with the demo data in a
//! temporary SQLite file, killed and restarted on the same database and the same port.

use crate::api::Rest;
use crate::{err, Result};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

/// How long a start may take to print its ready line (a debug build on a busy machine).
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a restart keeps trying to bind the old port (another socket may hold it for
/// a moment after the kill).
const REBIND_FOR: Duration = Duration::from_secs(10);

/// The platform binary: `SEATLINE_PLATFORM_BIN` if set (used as is), else
/// `<target>/<profile>/seatline-platform` next to this test binary, built (or rebuilt
/// when older than the platform's or the contract's sources) once per test process.
pub fn platform_bin() -> Result<PathBuf> {
    static BIN: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| locate_and_build().map_err(|e| e.to_string()))
        .clone()
        .map_err(err)
}

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `<target>/<profile>`: this test binary lives in `<target>/<profile>/deps/`.
fn profile_dir() -> PathBuf {
    let from_exe = std::env::current_exe().ok().and_then(|exe| {
        let deps = exe.parent()?;
        (deps.file_name()? == "deps").then(|| deps.parent().map(Path::to_path_buf))?
    });
    from_exe.unwrap_or_else(|| workspace_root().join("target").join("debug"))
}

fn locate_and_build() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("SEATLINE_PLATFORM_BIN") {
        let bin = PathBuf::from(bin);
        if !bin.is_file() {
            return Err(err(format!(
                "SEATLINE_PLATFORM_BIN={} is not a file",
                bin.display()
            )));
        }
        return Ok(bin);
    }
    let dir = profile_dir();
    let bin = dir.join(format!("seatline-platform{}", std::env::consts::EXE_SUFFIX));
    let root = workspace_root();
    let built_at = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    let sources = [
        "platform/src",
        "platform/migrations",
        "platform/Cargo.toml",
        "proto/src",
    ];
    let newest = sources
        .iter()
        .filter_map(|s| newest_mtime(&root.join(s)))
        .max();
    let fresh = matches!((built_at, newest), (Some(b), Some(n)) if b >= n)
        || (built_at.is_some() && newest.is_none());
    if fresh {
        return Ok(bin);
    }
    // Cargo's own lock serialises this with any other build of the target directory.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root).args([
        "build",
        "-p",
        "seatline-platform",
        "--bin",
        "seatline-platform",
    ]);
    if dir.file_name().is_some_and(|p| p == "release") {
        cmd.arg("--release");
    }
    if let Some(target) = dir.parent() {
        cmd.env("CARGO_TARGET_DIR", target);
    }
    let status = cmd
        .stdout(Stdio::null())
        .status()
        .map_err(|e| err(format!("running cargo build: {e}")))?;
    if !status.success() || !bin.is_file() {
        return Err(err(format!(
            "cargo build -p seatline-platform failed ({status}); expected {}",
            bin.display()
        )));
    }
    Ok(bin)
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest_mtime(&e.path()))
        .max()
}

/// A running (or stopped) platform with its own database and log files.
pub struct Platform {
    bin: PathBuf,
    child: Option<Child>,
    addr: SocketAddr,
    db_url: String,
    dir: tempfile::TempDir,
    starts: u32,
}

impl Platform {
    /// A fresh database seeded with `seed-demo`, and the server on `127.0.0.1:0`.
    pub async fn start() -> Result<Platform> {
        let bin = platform_bin()?;
        let dir = tempfile::Builder::new().prefix("seatline-e2e-").tempdir()?;
        let db_url = format!("sqlite://{}", dir.path().join("platform.db").display());
        let out = tokio::process::Command::new(&bin)
            .args(["seed-demo", "--db", &db_url])
            .env("RUST_LOG", "warn")
            .output()
            .await?;
        if !out.status.success() {
            return Err(err(format!(
                "seed-demo failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let mut p = Platform {
            bin,
            child: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_url,
            dir,
            starts: 0,
        };
        p.addr = p.spawn(p.addr).await?;
        Ok(p)
    }

    /// `http://127.0.0.1:PORT`: the same across restarts.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn rest(&self) -> Rest {
        Rest::new(&self.url())
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// The pid of the running child, for messages.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no shutdown code runs, sockets drop as on a crash. Waits for the exit.
    pub async fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            tokio::task::spawn_blocking(move || child.wait()).await??;
        }
        Ok(())
    }

    /// SIGTERM (graceful: the platform closes its sockets with "going away"), then waits
    /// up to 10 s before falling back to SIGKILL.
    pub async fn terminate(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let pid = child.id().to_string();
        let sent = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await;
        let deadline = Instant::now() + Duration::from_secs(10);
        if sent.is_ok_and(|s| s.success()) {
            while Instant::now() < deadline {
                if child.try_wait()?.is_some() {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        child.kill()?;
        tokio::task::spawn_blocking(move || child.wait()).await??;
        Ok(())
    }

    /// Starts the server again on the same database and the same port. The port was
    /// released by the kill; if something else holds it for a moment, this retries.
    pub async fn restart(&mut self) -> Result<()> {
        if self.child.is_some() {
            return Err(err("restart: the platform is still running"));
        }
        let deadline = Instant::now() + REBIND_FOR;
        loop {
            match self.spawn(self.addr).await {
                Ok(addr) if addr == self.addr => return Ok(()),
                Ok(addr) => return Err(err(format!("restart bound {addr}, not {}", self.addr))),
                Err(e) if Instant::now() >= deadline => {
                    return Err(err(format!(
                        "restart on {} failed: {e}; log: {}",
                        self.addr,
                        self.log_tail()
                    )))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// The last lines of the current log file, for failure messages.
    pub fn log_tail(&self) -> String {
        let path = self.log_path(self.starts);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Every log file of this platform's runs, concatenated.
    pub fn logs(&self) -> String {
        (1..=self.starts)
            .map(|n| std::fs::read_to_string(self.log_path(n)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn log_path(&self, start: u32) -> PathBuf {
        self.dir.path().join(format!("platform-{start}.log"))
    }

    /// Spawns `serve` on `addr`, waits for `listening on http://ADDR`, returns ADDR.
    async fn spawn(&mut self, addr: SocketAddr) -> Result<SocketAddr> {
        self.starts += 1;
        let log = std::fs::File::create(self.log_path(self.starts))?;
        let mut child = Command::new(&self.bin)
            .args(["serve", "--db", &self.db_url, "--listen", &addr.to_string()])
            .env(
                "RUST_LOG",
                std::env::var("SEATLINE_E2E_PLATFORM_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| err("no stdout pipe"))?;
        // A thread reads the ready line, then drains stdout so the pipe never fills.
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines.by_ref() {}
        });
        let line = tokio::task::spawn_blocking(move || rx.recv_timeout(READY_TIMEOUT)).await?;
        let parsed = line.ok().and_then(|l| {
            l.trim()
                .strip_prefix("listening on http://")
                .and_then(|a| a.parse::<SocketAddr>().ok())
        });
        match parsed {
            Some(bound) => {
                self.child = Some(child);
                Ok(bound)
            }
            None => {
                let _ = child.kill();
                let _ = tokio::task::spawn_blocking(move || child.wait()).await;
                Err(err(format!(
                    "the platform did not report listening on {addr}: {}",
                    self.log_tail()
                )))
            }
        }
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
