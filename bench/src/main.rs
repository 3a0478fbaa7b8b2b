//! `voice_bench`: the voice figures of `make bench`, each beside a named peer.
//!
//! scripts/bench.sh starts the peers (SIPp, Kamailio, rtpengine) and calls one subcommand
//! per figure. Every subcommand prints one line `RESULT <name> key=value ...` that the
//! script puts in its table; CPU times come from `/proc/<pid>/stat` (utime + stime, all
//! threads) read at the start and end of the measured phase.
//!
//! | subcommand | what it measures |
//! | --- | --- |
//! | `cpu PID...` | prints the CPU seconds of the processes (for the script) |
//! | `baresip-echo` | baresip calls a SIPp echo: round trip and baresip's CPU |
//! | `core-echo` | a core client's VoIP call through a real platform to a SIPp echo |
//! | `rtpengine` | N calls relayed by rtpengine (ng offer/answer), RTP both ways |
//! | `trunk-bridge` | N calls bridged by the platform's trunk and bridge (callback shape) |
//! | `trunk-dial` | the trunk placing calls at a fixed rate to a SIPp UAS |

mod cpu;
mod rtpengine;
mod trunk_load;
mod voice;

use anyhow::{bail, Context, Result};
use std::collections::HashMap;

/// `--key value` pairs after the subcommand.
pub struct Args {
    values: HashMap<String, String>,
    pub rest: Vec<String>,
}

impl Args {
    fn parse(items: &[String]) -> Result<Args> {
        let mut values = HashMap::new();
        let mut rest = Vec::new();
        let mut it = items.iter();
        while let Some(a) = it.next() {
            if let Some(key) = a.strip_prefix("--") {
                let v = it
                    .next()
                    .with_context(|| format!("--{key} needs a value"))?;
                values.insert(key.to_string(), v.clone());
            } else {
                rest.push(a.clone());
            }
        }
        Ok(Args { values, rest })
    }

    pub fn str(&self, key: &str) -> Result<String> {
        self.values
            .get(key)
            .cloned()
            .with_context(|| format!("--{key} is required"))
    }

    pub fn num<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T> {
        match self.values.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| anyhow::anyhow!("--{key}: not a number: {v}")),
        }
    }

    pub fn opt(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = argv.split_first() else {
        bail!("usage: voice_bench <cpu|baresip-echo|core-echo|rtpengine|trunk-bridge|trunk-dial> [--key value]...");
    };
    let args = Args::parse(rest)?;
    match cmd.as_str() {
        "cpu" => {
            let pids = args
                .rest
                .iter()
                .map(|p| p.parse::<u32>().context("pid"))
                .collect::<Result<Vec<_>>>()?;
            println!("{:.3}", cpu::seconds(&pids));
            Ok(())
        }
        "baresip-echo" => voice::baresip_echo(&args).await,
        "core-echo" => voice::core_echo(&args).await,
        "rtpengine" => rtpengine::run(&args).await,
        "trunk-bridge" => trunk_load::bridge(&args).await,
        "trunk-dial" => trunk_load::dial(&args).await,
        other => bail!("unknown subcommand {other}"),
    }
}
