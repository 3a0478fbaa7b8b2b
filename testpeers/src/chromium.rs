//! Headless Chromium as a test peer (WebRTC interop, browser desk).
//!
//! [`Chromium::launch`] starts `/usr/bin/chromium` itself, in its own process group, with a fresh
//! profile and the flags ENVIRONMENT.md lists, so the test owns every Chromium process and ends
//! them all on drop. [`Chromium::open_page`] then starts `testpeers/chromium/driver.cjs` (node +
//! `playwright-core` over CDP), which serves one HTML page on loopback and calls the page's
//! `window` functions for the test, one JSON line per call.
//!
//! `playwright-core` is installed on first use by `testpeers/chromium/install.sh` into the
//! gitignored `$TOOLS/node` (`.tools/node` of the repository by default), so a fresh clone's
//! `make test` works without a manual step.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use serde_json::{json, Value};

use crate::process::{require_binary, PeerProcess};

/// The `playwright-core` the driver runs with (pinned: a fresh clone gets the same one).
pub const PLAYWRIGHT_CORE_VERSION: &str = "1.65.1";

/// How long Chromium gets to open its DevTools port.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the driver gets to connect and load the page (includes node's start).
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository's `testpeers/chromium/` folder (driver, install script, pages).
pub fn peer_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("chromium")
}

/// Installs `playwright-core` if missing and returns the package's folder.
pub fn ensure_playwright() -> Result<PathBuf> {
    let tools = std::env::var_os("TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools"));
    let dir = tools
        .join("node")
        .join(format!("playwright-core-{PLAYWRIGHT_CORE_VERSION}"));
    let package = dir.join("node_modules/playwright-core");
    if package.join("package.json").is_file() {
        return Ok(package);
    }
    let status = Command::new("bash")
        .arg(peer_dir().join("install.sh"))
        .arg(&dir)
        .arg(PLAYWRIGHT_CORE_VERSION)
        .status()
        .context("running testpeers/chromium/install.sh")?;
    if !status.success() || !package.join("package.json").is_file() {
        bail!(
            "installing playwright-core {PLAYWRIGHT_CORE_VERSION} into {} failed ({status})",
            dir.display()
        );
    }
    Ok(package)
}

/// Writes a mono 16-bit 48 kHz WAV with a sine tone: a fake microphone for
/// `--use-file-for-fake-audio-capture` (Chromium loops it).
pub fn write_tone_wav(path: &Path, hz: f32, seconds: f32) -> Result<()> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)
        .with_context(|| format!("creating {}", path.display()))?;
    let n = (48_000.0 * seconds) as u32;
    for i in 0..n {
        let t = i as f32 / 48_000.0;
        let s = (t * hz * std::f32::consts::TAU).sin() * 0.3 * f32::from(i16::MAX);
        w.write_sample(s as i16)?;
    }
    w.finalize()?;
    Ok(())
}

/// What to start Chromium with.
#[derive(Debug, Clone, Default)]
pub struct ChromiumOptions {
    /// A WAV to use as the microphone (fake device, permission granted without a prompt).
    pub fake_audio: Option<PathBuf>,
    /// More command-line flags.
    pub extra_args: Vec<String>,
}

/// A running headless Chromium. Dropping it ends its whole process group.
pub struct Chromium {
    process: Option<PeerProcess>,
    pgid: Pid,
    endpoint: String,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for Chromium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chromium")
            .field("pgid", &self.pgid)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

impl Chromium {
    /// Starts Chromium and waits for its DevTools endpoint. Blocking (at most 30 s).
    pub fn launch(opts: ChromiumOptions) -> Result<Self> {
        let binary = match std::env::var_os("SEATLINE_CHROMIUM") {
            Some(path) => PathBuf::from(path),
            None => require_binary("chromium", "chromium")?,
        };
        let dir = tempfile::tempdir().context("temp dir for chromium")?;
        let profile = dir.path().join("profile");
        let mut cmd = Command::new(binary);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--mute-audio",
            // Loopback only: let WebRTC use 127.0.0.1 and show real host addresses rather than
            // mDNS names our leg cannot resolve.
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
        ]);
        cmd.arg(format!("--user-data-dir={}", profile.display()));
        if let Some(wav) = &opts.fake_audio {
            cmd.args([
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
            ]);
            cmd.arg(format!(
                "--use-file-for-fake-audio-capture={}",
                wav.display()
            ));
        }
        cmd.args(&opts.extra_args);
        cmd.arg("about:blank");
        // Its own process group, so that drop ends the renderers and helpers too, by group id.
        cmd.process_group(0);
        let process = PeerProcess::spawn("chromium", cmd, dir.path())?;
        let pgid = Pid::from_raw(i32::try_from(process.pid()).context("pid")?);
        let mut chromium = Self {
            process: Some(process),
            pgid,
            endpoint: String::new(),
            dir,
        };
        chromium.endpoint = chromium.wait_endpoint(&profile)?;
        Ok(chromium)
    }

    /// Chromium's DevTools websocket (`ws://127.0.0.1:<port>/devtools/browser/<id>`).
    pub fn cdp_endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Opens `page` (an HTML file) through the node driver; see [`ChromiumPage`].
    pub fn open_page(&self, page: &Path) -> Result<ChromiumPage> {
        ChromiumPage::open(self, page)
    }

    /// Chromium writes `DevToolsActivePort` (port, then path) into the profile once listening.
    fn wait_endpoint(&mut self, profile: &Path) -> Result<String> {
        let file = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + LAUNCH_TIMEOUT;
        loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    return Ok(format!("ws://127.0.0.1:{port}{path}"));
                }
            }
            if let Some(p) = self.process.as_mut() {
                if let Some(status) = p.try_wait()? {
                    p.dump_logs();
                    bail!("chromium exited at start ({status})");
                }
            }
            if Instant::now() > deadline {
                if let Some(p) = &self.process {
                    p.dump_logs();
                }
                bail!("chromium did not open its DevTools port within {LAUNCH_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // The group first (renderers, GPU and audio helpers), then the PeerProcess guard reaps
        // the browser process itself by its pid.
        let _ = killpg(self.pgid, Signal::SIGTERM);
        drop(self.process.take());
        let _ = killpg(self.pgid, Signal::SIGKILL);
        let _ = &self.dir;
    }
}

/// One page driven by `driver.cjs`: [`ChromiumPage::call`] runs `window[name](...args)` in the
/// page and returns its (JSON) result. Dropping it ends the driver.
pub struct ChromiumPage {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    next_id: u64,
    stderr_path: PathBuf,
}

impl std::fmt::Debug for ChromiumPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChromiumPage")
            .field("pid", &self.child.id())
            .finish()
    }
}

impl ChromiumPage {
    fn open(chromium: &Chromium, page: &Path) -> Result<Self> {
        let playwright = ensure_playwright()?;
        let node = require_binary("node", "nodejs")?;
        let stderr_path = chromium
            .dir
            .path()
            .join(format!("driver-{}.stderr", std::process::id()));
        let stderr = File::create(&stderr_path)?;
        let mut child = Command::new(node)
            .arg(peer_dir().join("driver.cjs"))
            .env("PLAYWRIGHT_CORE", &playwright)
            .env("CDP_ENDPOINT", chromium.cdp_endpoint())
            .env("PAGE_FILE", page)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .context("starting node testpeers/chromium/driver.cjs")?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("driver stdout"))?;
        let stdin = child.stdin.take();
        // A thread reads the driver's lines so that `call` can wait with a timeout.
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut page = Self {
            child,
            stdin,
            lines,
            next_id: 1,
            stderr_path,
        };
        let ready = page.read(PAGE_TIMEOUT)?;
        if ready.get("ready") != Some(&Value::Bool(true)) {
            bail!("driver did not start: {ready}\n{}", page.stderr());
        }
        Ok(page)
    }

    /// Calls `window[name](...args)` in the page and waits (at most `timeout`) for the result.
    pub fn call(&mut self, name: &str, args: Vec<Value>, timeout: Duration) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let line = json!({ "id": id, "call": name, "args": args }).to_string();
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| anyhow!("driver closed"))?;
        writeln!(stdin, "{line}").context("writing to the driver")?;
        stdin.flush()?;
        loop {
            let reply = self.read(timeout)?;
            if reply.get("id").and_then(Value::as_u64) != Some(id) {
                continue;
            }
            if let Some(err) = reply.get("err") {
                bail!("page {name}() failed: {err}");
            }
            return Ok(reply.get("ok").cloned().unwrap_or(Value::Null));
        }
    }

    /// What the driver and the page's console wrote to stderr.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    fn read(&mut self, timeout: Duration) -> Result<Value> {
        let line = self.lines.recv_timeout(timeout).map_err(|e| {
            anyhow!(
                "no answer from the chromium driver within {timeout:?} ({e})\n{}",
                self.stderr()
            )
        })?;
        serde_json::from_str(&line).with_context(|| format!("driver wrote {line:?}"))
    }
}

impl Drop for ChromiumPage {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("----- chromium driver stderr -----\n{}", self.stderr());
        }
        // EOF on stdin closes the page and ends the driver; kill it if it does not.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
