//! The platform's SIP trunk under load, in this process (its CPU is this process's):
//!
//! - `trunk-bridge`: 2N outbound calls to a SIPp UAS that echoes RTP, joined in pairs by
//!   the platform's media bridge (`calls::bridge::Bridge` with a trunk leg on the agent's
//!   side: the callback shape, R13). Each bridged call carries 50 pps each way on each
//!   leg, like a call relayed by rtpengine, plus the PCMU decode/encode the bridge does.
//! - `trunk-dial`: outbound calls at a fixed rate to a SIPp UAS: INVITE, 200, ACK, BYE.

use crate::{cpu, Args};
use anyhow::{bail, Context, Result};
use seatline_platform::calls::bridge::{AgentMedia, Bridge};
use seatline_platform::trunk::{
    CarrierRoute, Dial, RejectAllInbound, Transport, Trunk, TrunkCall, TrunkConfig, TrunkEvent,
};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CALLER: &str = "+861085550100";
const CALLEE: &str = "13912345678";

async fn start_trunk(uas: SocketAddr, ports: (u16, u16)) -> Result<Trunk> {
    let mut cfg = TrunkConfig::new(
        "127.0.0.1:0".parse()?,
        "127.0.0.1".parse()?,
        ports.0..ports.1,
    );
    cfg.routes.push(CarrierRoute {
        prefix: String::new(),
        address: uas,
        transport: Transport::Udp,
        auth: None,
    });
    cfg.ring_timeout = Duration::from_secs(30);
    Ok(Trunk::start(cfg, Arc::new(RejectAllInbound)).await?)
}

/// Waits for the answer; `Err` on failure or end.
async fn answered(call: &mut TrunkCall, timeout: Duration) -> Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, call.events.recv()).await {
            Err(_) => bail!("no answer within {timeout:?}"),
            Ok(None) => bail!("the call's events ended"),
            Ok(Some(TrunkEvent::Answered)) => return Ok(()),
            Ok(Some(TrunkEvent::Failed(f))) => bail!("failed: {f:?}"),
            Ok(Some(TrunkEvent::Ended { reason, .. })) => bail!("ended: {reason:?}"),
            Ok(Some(_)) => {}
        }
    }
}

async fn ended(call: &mut TrunkCall, timeout: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, call.events.recv()).await {
            Err(_) => return false,
            Ok(None) | Ok(Some(TrunkEvent::Ended { .. })) => return true,
            Ok(Some(_)) => {}
        }
    }
}

fn ports(args: &Args) -> Result<(u16, u16)> {
    let first: u16 = args.num("rtp-first", 30000)?;
    let count: u16 = args.num("rtp-count", 4000)?;
    Ok((first, first + count))
}

/// `trunk-bridge --uas ADDR --calls N --secs T`.
pub async fn bridge(args: &Args) -> Result<()> {
    let uas: SocketAddr = args.str("uas")?.parse()?;
    let calls: usize = args.num("calls", 50)?;
    let secs: f64 = args.num("secs", 20.0)?;
    let trunk = start_trunk(uas, ports(args)?).await?;
    // Place the 2N legs, a few at a time.
    let mut legs = Vec::new();
    for _ in 0..calls * 2 {
        let mut call = trunk.dial(Dial::new(CALLER, CALLEE)).await?;
        answered(&mut call, Duration::from_secs(20))
            .await
            .context("a bridge leg")?;
        legs.push(call);
    }
    let mut bridges = Vec::new();
    let mut controls = Vec::new();
    let mut drains = Vec::new();
    let mut it = legs.into_iter();
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        let TrunkCall {
            events: mut ev_a,
            media: media_a,
            control: ctl_a,
        } = a;
        let TrunkCall {
            events: mut ev_b,
            media: media_b,
            control: ctl_b,
        } = b;
        drains.push(tokio::spawn(
            async move { while ev_a.recv().await.is_some() {} },
        ));
        drains.push(tokio::spawn(
            async move { while ev_b.recv().await.is_some() {} },
        ));
        bridges.push(Bridge::start(AgentMedia::Trunk(media_a), media_b)?);
        controls.push(ctl_a);
        controls.push(ctl_b);
    }
    // One second to settle, then the measured span.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let load = cpu::load();
    let span = cpu::Span::start(&[std::process::id()]);
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let (cpu_s, wall) = span.stop();
    let mut agent_frames = 0;
    let mut customer_frames = 0;
    let mut late = 0;
    for b in bridges {
        let st = b.stop().await;
        agent_frames += st.agent_frames;
        customer_frames += st.customer_frames;
        late += st.late_ticks;
    }
    for c in &controls {
        c.hangup().await;
    }
    drop(controls);
    tokio::time::sleep(Duration::from_millis(500)).await;
    for d in drains {
        d.abort();
    }
    trunk.shutdown().await;
    println!(
        "RESULT trunk-bridge calls={calls} secs={wall:.1} frames_a_to_b={agent_frames} \
         frames_b_to_a={customer_frames} late_ticks={late} cpu_s={cpu_s:.3} \
         cpu_ms_per_call_min={:.1} load={load}",
        cpu_s * 1000.0 / calls as f64 * 60.0 / wall
    );
    Ok(())
}

/// `trunk-dial --uas ADDR --rate R --calls N [--hold-ms H]`.
pub async fn dial(args: &Args) -> Result<()> {
    let uas: SocketAddr = args.str("uas")?.parse()?;
    let rate: f64 = args.num("rate", 500.0)?;
    let calls: u64 = args.num("calls", 5000)?;
    let hold = Duration::from_millis(args.num("hold-ms", 0)?);
    let trunk = start_trunk(uas, ports(args)?).await?;
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let load = cpu::load();
    let span = cpu::Span::start(&[std::process::id()]);
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(calls as usize);
    for i in 0..calls {
        // Pace by the clock: call i leaves at i / rate seconds.
        let at = t0 + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(at.into()).await;
        let trunk = trunk.clone();
        let (ok, failed) = (ok.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let good = async {
                let mut call = trunk.dial(Dial::new(CALLER, CALLEE)).await?;
                answered(&mut call, Duration::from_secs(30)).await?;
                tokio::time::sleep(hold).await;
                call.hangup().await;
                anyhow::ensure!(
                    ended(&mut call, Duration::from_secs(30)).await,
                    "no end after the BYE"
                );
                Ok::<_, anyhow::Error>(())
            }
            .await;
            match good {
                Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                Err(_) => failed.fetch_add(1, Ordering::Relaxed),
            };
        }));
    }
    let offered = t0.elapsed().as_secs_f64();
    for t in tasks {
        let _ = t.await;
    }
    let (cpu_s, wall) = span.stop();
    trunk.shutdown().await;
    let ok = ok.load(Ordering::Relaxed);
    let failed = failed.load(Ordering::Relaxed);
    println!(
        "RESULT trunk-dial calls={calls} ok={ok} failed={failed} offered_rate={:.0} wall_s={wall:.1} \
         cpu_s={cpu_s:.3} cpu_us_per_call={:.0} load={load}",
        calls as f64 / offered,
        cpu_s * 1e6 / calls as f64
    );
    Ok(())
}
