//! SIPp 3.6 as a scripted SIP peer: a UAS that answers, challenges, rejects or checks
//! session timers, or a UAC that calls, bursts or cancels. The scenarios live in
//! `testpeers/sipp/` (see [`Scenario`]).
//!
//! SIPp runs with `-nostdin` and no terminal; the counts come from its `-trace_stat` CSV
//! (written every second and at exit), with the final screen (`-trace_screen`) as a
//! fallback, and its exit code says whether every call passed.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use seatline_testpeers::sipp::{Scenario, Sipp, SippConfig};
//! let mut uas = Sipp::start(SippConfig { calls: Some(5), ..SippConfig::uas(Scenario::UasAnswerPcmu) }).await?;
//! let mut uac = Sipp::start(SippConfig {
//!     calls: Some(5),
//!     rate: 10.0,
//!     ..SippConfig::uac(Scenario::UacCall, uas.local_addr())
//! })
//! .await?;
//! let outcome = uac.wait().await?;
//! assert_eq!((outcome.successful, outcome.failed), (5, 0));
//! uas.wait().await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

use crate::ports;
use crate::process::{require_binary, PeerProcess};

/// How long `start` waits for a SIPp UAS to bind its port.
const BIND_TIMEOUT: Duration = Duration::from_secs(5);
/// Added to the configured timeout when waiting for SIPp to exit: it ends calls in
/// progress and writes its files after its own timeout fires.
const EXIT_GRACE: Duration = Duration::from_secs(10);

/// The scenario files shipped in `testpeers/sipp/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    /// UAS: 100, 180, 200 with PCMU SDP; waits for the BYE.
    UasAnswerPcmu,
    /// UAS: 401 digest challenge, checks the retried INVITE's credentials
    /// ([`SippConfig::auth`]), then answers like `UasAnswerPcmu` (403 if wrong).
    UasAuth401,
    /// UAS: 486 Busy Here.
    UasBusy486,
    /// UAS: 503 Service Unavailable (Retry-After: 30).
    UasUnavailable503,
    /// UAS: answers with `Session-Expires: 90;refresher=uac`, then requires a refresh
    /// (re-INVITE or UPDATE) within 60 s before the BYE.
    UasSessionTimer,
    /// UAC: INVITE with PCMU/PCMA SDP (answers 401/407 with [`SippConfig::auth`]), holds
    /// the call for [`SippConfig::call_length`], then BYE.
    UacCall,
    /// UAC for load: the `UacCall` flow, meant for [`SippConfig::rate`] and `calls`.
    UacBurst,
    /// UAC: INVITE, CANCEL once it rings (180/183), expects 200 for the CANCEL and 487.
    UacCancel,
    /// UAC: the `UacCall` flow offering `Session-Expires: 90;refresher=uac`, with a
    /// refreshing re-INVITE after [`SippConfig::call_length`] (pairs with `UasSessionTimer`).
    UacSessionRefresh,
    /// Any other scenario file.
    File(PathBuf),
}

impl Scenario {
    /// The folder with the shipped scenario files.
    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sipp")
    }

    /// The scenario file.
    pub fn path(&self) -> PathBuf {
        let name = match self {
            Scenario::UasAnswerPcmu => "uas_answer_pcmu.xml",
            Scenario::UasAuth401 => "uas_auth_401.xml",
            Scenario::UasBusy486 => "uas_busy_486.xml",
            Scenario::UasUnavailable503 => "uas_unavailable_503.xml",
            Scenario::UasSessionTimer => "uas_session_timer.xml",
            Scenario::UacCall => "uac_call.xml",
            Scenario::UacBurst => "uac_burst.xml",
            Scenario::UacCancel => "uac_cancel.xml",
            Scenario::UacSessionRefresh => "uac_session_refresh.xml",
            Scenario::File(path) => return path.clone(),
        };
        Self::dir().join(name)
    }

    fn is_uas(&self) -> bool {
        matches!(
            self,
            Scenario::UasAnswerPcmu
                | Scenario::UasAuth401
                | Scenario::UasBusy486
                | Scenario::UasUnavailable503
                | Scenario::UasSessionTimer
        )
    }
}

/// The SIP transport SIPp uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    #[default]
    Udp,
    Tcp,
}

/// How to run SIPp. Start from [`SippConfig::uas`] or [`SippConfig::uac`].
#[derive(Debug, Clone)]
pub struct SippConfig {
    pub scenario: Scenario,
    /// Where a UAC sends its calls; `None` for a UAS.
    pub remote: Option<SocketAddr>,
    /// Local SIP port on 127.0.0.1; `None` picks a free one.
    pub local_port: Option<u16>,
    pub transport: Transport,
    /// `-m`: exit after this many calls; `None` runs until dropped or timed out.
    pub calls: Option<u32>,
    /// `-r`: new calls per `rate_period` (UAC).
    pub rate: f64,
    /// `-rp`.
    pub rate_period: Duration,
    /// `-l`: most calls at once.
    pub call_limit: Option<u32>,
    /// `-d`: how long the UAC holds each call.
    pub call_length: Duration,
    /// `-s`: the user part of the request URI.
    pub service: Option<String>,
    /// Digest credentials: a UAC answers challenges with them (`-au`/`-ap`); the
    /// `UasAuth401` scenario expects them.
    pub auth: Option<(String, String)>,
    /// SIPp's global `-timeout` (a run past it fails); also bounds [`Sipp::wait`].
    pub timeout: Duration,
    /// More command-line arguments.
    pub extra_args: Vec<String>,
}

impl SippConfig {
    /// A UAS running `scenario` on a free port until dropped.
    pub fn uas(scenario: Scenario) -> Self {
        Self {
            scenario,
            remote: None,
            local_port: None,
            transport: Transport::Udp,
            calls: None,
            rate: 10.0,
            rate_period: Duration::from_secs(1),
            call_limit: None,
            call_length: Duration::from_millis(200),
            service: None,
            auth: None,
            timeout: Duration::from_secs(60),
            extra_args: Vec::new(),
        }
    }

    /// A UAC running `scenario` against `remote`, one call unless `calls` says more.
    pub fn uac(scenario: Scenario, remote: SocketAddr) -> Self {
        Self {
            remote: Some(remote),
            calls: Some(1),
            ..Self::uas(scenario)
        }
    }
}

/// How SIPp ended, from its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SippExit {
    /// 0: every call succeeded.
    AllSucceeded,
    /// 1: at least one call failed.
    SomeFailed,
    /// 97: stopped by an internal command.
    InternalCommand,
    /// 99: normal exit without any call processed.
    NoCalls,
    /// 255/254 and anything else: a fatal error (e.g. it could not bind its socket).
    Fatal(i32),
    /// Ended by a signal (dropped or timed out).
    Killed,
}

impl SippExit {
    fn from_code(code: Option<i32>) -> Self {
        match code {
            Some(0) => Self::AllSucceeded,
            Some(1) => Self::SomeFailed,
            Some(97) => Self::InternalCommand,
            Some(99) => Self::NoCalls,
            Some(other) => Self::Fatal(other),
            None => Self::Killed,
        }
    }
}

/// What a finished SIPp run reports.
#[derive(Debug, Clone)]
pub struct SippOutcome {
    pub exit: SippExit,
    pub exit_code: Option<i32>,
    /// Cumulative successful calls (`SuccessfulCall(C)`).
    pub successful: u64,
    /// Cumulative failed calls (`FailedCall(C)`).
    pub failed: u64,
    /// Calls created (`TotalCallCreated`).
    pub created: u64,
    /// Every column of the last `-trace_stat` row, by name.
    pub stats: HashMap<String, String>,
    /// SIPp's error log (unexpected messages, timeouts), possibly empty.
    pub errors: String,
}

/// A running SIPp. Dropping it ends the process by pid.
pub struct Sipp {
    process: PeerProcess,
    local_port: u16,
    media_port: u16,
    timeout: Duration,
    started: Instant,
    stat_file: PathBuf,
    screen_file: PathBuf,
    error_file: PathBuf,
    dir: TempDir,
}

impl Sipp {
    /// Starts SIPp; for a UAS, returns once it is bound to its port.
    pub async fn start(config: SippConfig) -> Result<Self> {
        let binary = require_binary("sipp", "sip-tester")?;
        let scenario = config.scenario.path();
        if !scenario.is_file() {
            bail!("SIPp scenario {} does not exist", scenario.display());
        }
        if let Some(remote) = config.remote {
            anyhow::ensure!(remote.ip().is_loopback(), "SIPp only calls loopback peers");
        }
        let dir = tempfile::Builder::new()
            .prefix("seatline-sipp-")
            .tempdir()
            .context("creating SIPp's work dir")?;
        let local_port = match config.local_port {
            Some(port) => port,
            None => ports::free_port()?,
        };
        // -mp binds RTP (and the ports after it for RTCP and video).
        let media_port = ports::free_block(4)?;
        let stat_file = dir.path().join("stat.csv");
        let screen_file = dir.path().join("screen.log");
        let error_file = dir.path().join("errors.log");

        let mut command = Command::new(binary);
        command.current_dir(dir.path());
        if let Some(remote) = config.remote {
            command.arg(remote.to_string());
        }
        command.arg("-sf").arg(&scenario);
        command.args(["-i", "127.0.0.1", "-mi", "127.0.0.1"]);
        command.arg("-p").arg(local_port.to_string());
        command.arg("-mp").arg(media_port.to_string());
        command.args([
            "-t",
            if config.transport == Transport::Tcp {
                "t1"
            } else {
                "u1"
            },
        ]);
        command.args(["-nostdin", "-trace_stat", "-fd", "1"]);
        command.arg("-stf").arg(&stat_file);
        command
            .arg("-trace_screen")
            .arg("-screen_file")
            .arg(&screen_file);
        command
            .arg("-trace_err")
            .arg("-error_file")
            .arg(&error_file);
        command
            .arg("-timeout")
            .arg(format!("{}s", config.timeout.as_secs().max(1)));
        command.arg("-timeout_error");
        if let Some(calls) = config.calls {
            command.arg("-m").arg(calls.to_string());
        }
        command.arg("-r").arg(config.rate.to_string());
        command
            .arg("-rp")
            .arg(format!("{}", config.rate_period.as_millis().max(1)));
        if let Some(limit) = config.call_limit {
            command.arg("-l").arg(limit.to_string());
        }
        command
            .arg("-d")
            .arg(format!("{}", config.call_length.as_millis()));
        if let Some(service) = &config.service {
            command.arg("-s").arg(service);
        }
        if let Some((user, password)) = &config.auth {
            if config.scenario.is_uas() {
                command.args(["-set", "auth_user", user, "-set", "auth_pass", password]);
            } else {
                command.args(["-au", user, "-ap", password]);
            }
        }
        command.args(&config.extra_args);

        let name = format!(
            "sipp-{}",
            scenario.file_stem().unwrap_or_default().to_string_lossy()
        );
        let mut process = PeerProcess::spawn(&name, command, dir.path())?;
        if config.remote.is_none() {
            wait_bound(&mut process, local_port, config.transport).await?;
        }
        Ok(Self {
            process,
            local_port,
            media_port,
            timeout: config.timeout,
            started: Instant::now(),
            stat_file,
            screen_file,
            error_file,
            dir,
        })
    }

    /// SIPp's SIP address (what a UAC dials to reach this UAS).
    pub fn local_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.local_port))
    }

    /// Its RTP port (`-mp`) as advertised in its SDP.
    pub fn media_port(&self) -> u16 {
        self.media_port
    }

    /// `sip:<user>@127.0.0.1:<port>`: a URI for another peer to dial.
    pub fn sip_uri(&self, user: &str) -> String {
        format!("sip:{user}@127.0.0.1:{}", self.local_port)
    }

    /// Waits for SIPp to finish (bounded by the configured timeout plus a grace period;
    /// past it, SIPp is killed and an error returned) and reads its counts.
    pub async fn wait(&mut self) -> Result<SippOutcome> {
        let left = (self.timeout + EXIT_GRACE).saturating_sub(self.started.elapsed());
        let status = self
            .process
            .wait_timeout(left)
            .await
            .context("SIPp did not finish")?;
        self.outcome(status.code())
    }

    /// Stops SIPp now (a UAS that runs without `-m`) and reads its counts.
    pub fn stop(&mut self) -> Result<SippOutcome> {
        let status = self.process.terminate();
        self.outcome(status.and_then(|s| s.code()))
    }

    /// The process guard (pid, output).
    pub fn process(&self) -> &PeerProcess {
        &self.process
    }

    /// SIPp's work dir (stat CSV, screen and error logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn outcome(&self, exit_code: Option<i32>) -> Result<SippOutcome> {
        let stats = read_stat_csv(&self.stat_file).unwrap_or_default();
        let screen = std::fs::read_to_string(&self.screen_file).unwrap_or_default();
        let count = |column: &str, screen_label: &str| -> u64 {
            stats
                .get(column)
                .and_then(|v| v.trim().parse().ok())
                .or_else(|| screen_count(&screen, screen_label))
                .unwrap_or(0)
        };
        let outcome = SippOutcome {
            exit: SippExit::from_code(exit_code),
            exit_code,
            successful: count("SuccessfulCall(C)", "Successful call"),
            failed: count("FailedCall(C)", "Failed call"),
            created: count("TotalCallCreated", "Total calls created"),
            errors: std::fs::read_to_string(&self.error_file).unwrap_or_default(),
            stats,
        };
        if matches!(outcome.exit, SippExit::Fatal(_)) {
            self.process.dump_logs();
        }
        Ok(outcome)
    }
}

/// Polls until SIPp holds `port` (our own bind fails) or it exits.
async fn wait_bound(process: &mut PeerProcess, port: u16, transport: Transport) -> Result<()> {
    let deadline = Instant::now() + BIND_TIMEOUT;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        if let Some(status) = process.try_wait()? {
            process.dump_logs();
            bail!("SIPp exited while starting ({status}); its output is above");
        }
        let bound = match transport {
            Transport::Udp => UdpSocket::bind(addr).is_err(),
            Transport::Tcp => TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok(),
        };
        if bound {
            return Ok(());
        }
        if Instant::now() >= deadline {
            process.dump_logs();
            bail!("SIPp did not bind {addr} within {BIND_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The last row of SIPp's `;`-separated statistics file, keyed by the header.
fn read_stat_csv(path: &Path) -> Option<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    parse_stat_csv(&text)
}

fn parse_stat_csv(text: &str) -> Option<HashMap<String, String>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next()?.split(';').collect();
    let last = lines.next_back()?;
    Some(
        header
            .iter()
            .zip(last.split(';'))
            .map(|(k, v)| ((*k).to_owned(), v.to_owned()))
            .collect(),
    )
}

/// A cumulative count from SIPp's screen, e.g. `Successful call | 0 | 3`: the last number
/// on the line.
fn screen_count(screen: &str, label: &str) -> Option<u64> {
    screen
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with(label))
        .and_then(|l| l.rsplit('|').next())
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_scenario_exists() {
        for s in [
            Scenario::UasAnswerPcmu,
            Scenario::UasAuth401,
            Scenario::UasBusy486,
            Scenario::UasUnavailable503,
            Scenario::UasSessionTimer,
            Scenario::UacCall,
            Scenario::UacBurst,
            Scenario::UacCancel,
            Scenario::UacSessionRefresh,
        ] {
            assert!(s.path().is_file(), "{} is missing", s.path().display());
        }
    }

    #[test]
    fn stat_csv_last_row_is_read_by_column() {
        let csv = "A;SuccessfulCall(C);FailedCall(C)\n1;0;0\n2;5;1\n";
        let stats = parse_stat_csv(csv).unwrap();
        assert_eq!(stats["SuccessfulCall(C)"], "5");
        assert_eq!(stats["FailedCall(C)"], "1");
    }

    #[test]
    fn screen_counts_are_read() {
        let screen = "  Successful call        |        0                  |        3\n\
                      \x20 Failed call            |        0                  |        1\n";
        assert_eq!(screen_count(screen, "Successful call"), Some(3));
        assert_eq!(screen_count(screen, "Failed call"), Some(1));
    }

    #[test]
    fn exit_codes_are_named() {
        assert_eq!(SippExit::from_code(Some(0)), SippExit::AllSucceeded);
        assert_eq!(SippExit::from_code(Some(1)), SippExit::SomeFailed);
        assert_eq!(SippExit::from_code(Some(99)), SippExit::NoCalls);
        assert_eq!(SippExit::from_code(Some(255)), SippExit::Fatal(255));
        assert_eq!(SippExit::from_code(None), SippExit::Killed);
    }
}
