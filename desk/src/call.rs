//! `seatline-desk call`: one call from the command line, for scripts and the demo. It
//! prints each phase as the core reports it, the voice quality while talking, and the
//! outcome; the record then shows up in `seatline-desk records` (R38).

use crate::render;
use anyhow::Context;
use seatline_core::call::CallStage;
use seatline_core::client::CallView;
use seatline_core::dialpad::DialPad;
use seatline_core::{ClientEvent, ClientListener, SeatlineClient};
use seatline_proto::{CallMethod, CallOutcome};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// What the caller asked the call to do once connected.
pub struct CallPlan {
    pub method: CallMethod,
    /// Hang up this long after the customer answers.
    pub talk: Duration,
    /// R17: hold from `hold_at` for `hold_for`.
    pub hold_at: Option<Duration>,
    pub hold_for: Duration,
    pub dtmf: Option<String>,
}

/// Longest wait for the customer to answer before hanging up.
const RING_LIMIT: Duration = Duration::from_secs(60);
/// Longest wait for the platform to confirm the end after hanging up.
const END_LIMIT: Duration = Duration::from_secs(10);

struct Wake(mpsc::UnboundedSender<()>);

impl ClientListener for Wake {
    fn on_event(&self, event: ClientEvent) {
        if matches!(event, ClientEvent::CallChanged) {
            let _ = self.0.send(());
        }
    }
}

/// Places the call and follows it to its end. `Ok(true)` when the customer answered.
pub async fn run(
    client: &SeatlineClient,
    text: &str,
    plan: CallPlan,
    json: bool,
) -> anyhow::Result<bool> {
    // R14: the same dial pad as the UI: pasted text keeps digits, 20 at most.
    let mut pad = DialPad::new();
    pad.paste(text);
    let number = pad
        .enter()
        .map_err(|e| anyhow::anyhow!("拨号盘 / dial pad: {e}"))?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _subscription = client.subscribe(Arc::new(Wake(tx)));
    let started = Instant::now();
    let call_id = client.start_call(plan.method, number.as_str()).await?;
    if !json {
        println!("呼叫 / Calling {number} ({call_id})");
    }

    let mut last_stage = None;
    let mut connected_at: Option<Instant> = None;
    let mut hold_done = false;
    let mut resume_at: Option<Instant> = None;
    let mut hung_up_at: Option<Instant> = None;
    let mut last_quality = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = rx.recv() => {}
            _ = tick.tick() => {}
        }
        let Some(view) = client.call() else { continue };
        if last_stage != Some(view.phase) {
            last_stage = Some(view.phase);
            print_phase(&view, started.elapsed(), json);
        }
        let now = Instant::now();
        match view.phase {
            CallStage::Ended { outcome, .. } => {
                print_end(&view, json);
                return Ok(outcome == CallOutcome::Answered);
            }
            CallStage::Connected | CallStage::Held if connected_at.is_none() => {
                connected_at = Some(now);
                if let Some(digits) = &plan.dtmf {
                    client.send_dtmf(digits).await.context("DTMF")?;
                }
            }
            _ => {}
        }
        if let Some(t0) = connected_at {
            let talking = now - t0;
            if let (Some(at), false) = (plan.hold_at, hold_done) {
                if talking >= at {
                    hold_done = true;
                    client.set_hold(true).await.context("hold")?;
                    resume_at = Some(now + plan.hold_for);
                }
            }
            if resume_at.is_some_and(|t| now >= t) {
                resume_at = None;
                client.set_hold(false).await.context("resume")?;
            }
            if now - last_quality >= Duration::from_secs(2) {
                last_quality = now;
                if let (Some(stats), false) = (&view.stats, json) {
                    println!(
                        "   MOS {:.2}  抖动 / jitter {:.1} ms  丢包 / loss {:.1}%  时延 / delay {:.0} ms",
                        stats.mos, stats.jitter_ms, stats.loss_pct, stats.one_way_delay_ms
                    );
                }
            }
            if talking >= plan.talk && hung_up_at.is_none() {
                hung_up_at = Some(now);
                client.hang_up().await.context("hang up")?;
            }
        } else if started.elapsed() >= RING_LIMIT && hung_up_at.is_none() {
            hung_up_at = Some(now);
            client.hang_up().await.context("hang up")?;
        }
        if hung_up_at.is_some_and(|t| now - t >= END_LIMIT) {
            anyhow::bail!("the platform did not confirm the end of the call");
        }
    }
}

fn print_phase(view: &CallView, at: Duration, json: bool) {
    if json {
        println!(
            "{}",
            json!({ "at_ms": at.as_millis() as u64, "phase": view.text_en(), "held": view.held })
        );
    } else {
        println!(
            "[{:>5.1}s] {} / {}",
            at.as_secs_f64(),
            view.text_zh(),
            view.text_en()
        );
    }
}

fn print_end(view: &CallView, json: bool) {
    let talk_s = match (view.connected_at_ms, view.ended_at_ms) {
        (Some(a), Some(b)) => Some((b - a) as f64 / 1000.0),
        _ => None,
    };
    if json {
        println!(
            "{}",
            json!({
                "ended": view.text_en(),
                "talk_s": talk_s,
                "mos": view.stats.as_ref().map(|s| s.mos),
            })
        );
        return;
    }
    if let Some(s) = talk_s {
        println!("通话时长 / Talk time: {s:.1} s");
    }
    if let Some(stats) = &view.stats {
        println!(
            "语音质量 / Voice quality: MOS {:.2}, {}",
            stats.mos,
            render::quality_word(stats.mos)
        );
    }
}
