//! The platform with its SIP trunk and media ports, for the call suites: `serve` with
//! `--trunk-route`s to the tests' baresip phones, on free ports, with the demo data.

use crate::{err, platform_bin, Result};
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The platform's media port block: trunk RTP in the lower half, WebRTC in the upper.
pub const MEDIA_PORTS: u16 = 16;

/// The platform with a trunk: `serve` with routes to the test's phones (`PREFIX=IP:PORT`,
/// see `--trunk-route`) and `extra` flags. Ends on drop.
pub struct CallPlatform {
    child: Child,
    addr: SocketAddr,
    /// First of the media ports; the WebRTC legs use the upper half.
    media: u16,
    dir: tempfile::TempDir,
}

impl CallPlatform {
    pub async fn start(routes: &[String], extra: &[&str]) -> Result<CallPlatform> {
        let bin = platform_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("seatline-calls-")
            .tempdir()?;
        let db = format!("sqlite://{}", dir.path().join("platform.db").display());
        let out = tokio::process::Command::new(&bin)
            .args(["seed-demo", "--db", &db])
            .env("RUST_LOG", "warn")
            .output()
            .await?;
        if !out.status.success() {
            return Err(err(format!(
                "seed-demo: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let media = seatline_testpeers::ports::free_block(MEDIA_PORTS)?;
        let log = std::fs::File::create(dir.path().join("platform.log"))?;
        let mut args: Vec<String> = [
            "serve",
            "--db",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--sip-listen",
            "127.0.0.1:0",
            "--rtp-ports",
            &format!("{}-{}", media, media + MEDIA_PORTS - 1),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for r in routes {
            args.push("--trunk-route".into());
            args.push(r.clone());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut child = Command::new(&bin)
            .args(&args)
            .env(
                "RUST_LOG",
                std::env::var("SEATLINE_E2E_PLATFORM_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| err("no stdout"))?;
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                let _ = tx.send(line);
            }
        });
        let found = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
                match rx.recv_timeout(left) {
                    Ok(line) => {
                        if let Some(a) = line.trim().strip_prefix("listening on http://") {
                            return a.parse::<SocketAddr>().ok();
                        }
                    }
                    Err(_) => return None,
                }
            }
            None
        })
        .await?;
        let mut platform = CallPlatform {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            media,
            dir,
        };
        match found {
            Some(addr) => {
                platform.addr = addr;
                Ok(platform)
            }
            None => Err(err(format!(
                "the platform did not start: {}",
                platform.log_tail()
            ))),
        }
    }

    /// The REST and WebSocket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn log_tail(&self) -> String {
        let text =
            std::fs::read_to_string(self.dir.path().join("platform.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Holds all WebRTC ports but the first, so the gateway's leg binds that one.
    pub fn pin_gateway_port(&self) -> Result<(SocketAddr, Vec<UdpSocket>)> {
        let half = MEDIA_PORTS / 2;
        let held = (self.media + half + 1..self.media + MEDIA_PORTS)
            .map(|p| UdpSocket::bind(("127.0.0.1", p)))
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok((SocketAddr::from(([127, 0, 0, 1], self.media + half)), held))
    }
}

impl Drop for CallPlatform {
    fn drop(&mut self) {
        // Our own child, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
