//! The media bridge of one call: the agent's side (a WebRTC leg, or a trunk leg for a
//! callback) ↔ the customer's trunk leg, one 20 ms frame each way per tick.
//!
//! Transcoding: everything meets at 8 kHz, the trunk's rate. Agent → customer: RTP
//! payloads (Opus 48 kHz or PCMU) go into a small playout buffer ([`Playout`], ordered by
//! sequence number, 60 ms to start, loss concealed by the decoder, Opus FEC from the next
//! packet), and are decoded straight to 8 kHz by `seatline-media`'s decoder (which
//! resamples). Customer → agent: 8 kHz frames from the trunk go through a short queue
//! ([`FrameQueue`], 40 ms to start) and are encoded by `seatline-media`'s encoder (which
//! resamples to 48 kHz for Opus). A callback bridges two trunk legs: two frame queues.
//!
//! Pacing: one tokio interval of 20 ms drives both directions; a missed tick is made up at
//! once (`Burst`), so the number of frames sent matches the time elapsed and the far
//! ends' jitter buffers see a steady stream. With nothing to play, silence is sent.
//!
//! Hold (R17): the customer hears [`HoldMusic`] instead of the agent, the agent hears
//! silence; the agent's incoming audio keeps being drained so the playout buffer is fresh
//! on resume.

use crate::trunk::TrunkMedia;
use seatline_media::tone::SineGenerator;
use seatline_media::{AudioFrame, CodecError, Decoder, Encoder, SampleRate};
use seatline_webrtc::driver::LegHandle;
use seatline_webrtc::{AudioCodec, RtpPayload};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use super::gateway::media_codec;

/// One frame per direction per tick.
pub const TICK: Duration = Duration::from_millis(20);
/// The rate every leg meets at.
const RATE: SampleRate = SampleRate::Hz8000;
/// Packets the agent playout buffer holds before it starts (60 ms).
const PLAYOUT_START: usize = 3;
/// More than this (240 ms) and the oldest are dropped down to `PLAYOUT_START`.
const PLAYOUT_MAX: usize = 12;
/// Frames a trunk queue holds before it starts (40 ms), and its ceiling (200 ms).
const QUEUE_START: usize = 2;
const QUEUE_MAX: usize = 10;
/// A tick this late counts as late in the stats.
const LATE: Duration = Duration::from_millis(5);

/// An RTP packet from the agent's WebRTC leg, forwarded by the call task.
#[derive(Debug)]
pub struct AgentPacket {
    pub codec: AudioCodec,
    pub packet: RtpPayload,
}

/// The agent's side of the bridge.
pub enum AgentMedia {
    /// VoIP: RTP payloads in (from the call task), payloads out through the leg's driver
    /// in `codec`.
    Webrtc {
        leg: LegHandle,
        codec: AudioCodec,
        packets: mpsc::Receiver<AgentPacket>,
    },
    /// Callback (R13): the agent's own phone on a trunk leg.
    Trunk(TrunkMedia),
}

/// What the bridge measured, logged when the call ends.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BridgeStats {
    pub ticks: u64,
    /// Ticks that fired more than 5 ms after their slot.
    pub late_ticks: u64,
    pub max_lateness_us: u64,
    /// Frames of the agent's voice that reached the customer.
    pub agent_frames: u64,
    /// Frames of the customer's voice that reached the agent.
    pub customer_frames: u64,
    /// Agent frames the decoder had to conceal (lost or late packets).
    pub concealed: u64,
    /// Hold music frames sent to the customer.
    pub hold_frames: u64,
}

enum BridgeCommand {
    Hold(bool),
}

/// A running bridge. Dropping it stops the task too (its command channel closes).
pub struct Bridge {
    commands: mpsc::Sender<BridgeCommand>,
    task: JoinHandle<BridgeStats>,
}

impl Bridge {
    /// Starts bridging. Fails only if the agent side's codec cannot be set up.
    pub fn start(agent: AgentMedia, customer: TrunkMedia) -> Result<Bridge, CodecError> {
        let agent = AgentSide::new(agent)?;
        let (commands, rx) = mpsc::channel(8);
        let task = tokio::spawn(run(agent, customer, rx));
        Ok(Bridge { commands, task })
    }

    /// R17: music to the customer and silence to the agent (`true`), or talk (`false`).
    pub fn hold(&self, on: bool) {
        let _ = self.commands.try_send(BridgeCommand::Hold(on));
    }

    /// Stops the bridge and returns what it measured.
    pub async fn stop(self) -> BridgeStats {
        drop(self.commands);
        self.task.await.unwrap_or_default()
    }
}

enum AgentSide {
    Webrtc {
        leg: LegHandle,
        encoder: Box<Encoder>,
        samples: u32,
        first: bool,
        packets: mpsc::Receiver<AgentPacket>,
        playout: Box<Playout>,
    },
    Trunk {
        media: TrunkMedia,
        queue: FrameQueue,
    },
}

impl AgentSide {
    fn new(agent: AgentMedia) -> Result<AgentSide, CodecError> {
        Ok(match agent {
            AgentMedia::Webrtc {
                leg,
                codec,
                packets,
            } => AgentSide::Webrtc {
                leg,
                encoder: Box::new(Encoder::new(media_codec(codec))?),
                samples: codec.clock_rate() / 50,
                first: true,
                packets,
                playout: Box::default(),
            },
            AgentMedia::Trunk(media) => AgentSide::Trunk {
                media,
                queue: FrameQueue::default(),
            },
        })
    }

    /// The agent's next 8 kHz frame, if there is one to play.
    fn pull(&mut self, stats: &mut BridgeStats) -> Option<AudioFrame> {
        match self {
            AgentSide::Webrtc { playout, .. } => {
                let (frame, concealed) = playout.pop()?;
                stats.concealed += u64::from(concealed);
                Some(frame)
            }
            AgentSide::Trunk { queue, .. } => queue.pop(),
        }
    }

    /// Sends one 8 kHz frame to the agent.
    fn push(&mut self, frame: &AudioFrame) {
        match self {
            AgentSide::Webrtc {
                leg,
                encoder,
                samples,
                first,
                ..
            } => match encoder.encode(frame) {
                Ok(payload) => {
                    // A full queue or a leg not yet connected only loses this frame.
                    let _ = leg.send_audio(payload, *samples, std::mem::take(first));
                }
                Err(e) => tracing::debug!(error = %e, "bridge: encoding for the agent failed"),
            },
            AgentSide::Trunk { media, .. } => {
                let _ = media.to_network.try_send(frame.clone());
            }
        }
    }
}

async fn run(
    mut agent: AgentSide,
    mut customer: TrunkMedia,
    mut commands: mpsc::Receiver<BridgeCommand>,
) -> BridgeStats {
    let mut stats = BridgeStats::default();
    let mut from_customer = FrameQueue::default();
    let mut music = HoldMusic::new();
    let mut held = false;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let silence = AudioFrame::silence(RATE);
    // A leg's stream ends with its call; the call task hears that on the leg's events
    // and stops the bridge. Until then the closed stream is simply not polled.
    let (mut customer_open, mut agent_open) = (true, true);
    loop {
        tokio::select! {
            cmd = commands.recv() => match cmd {
                Some(BridgeCommand::Hold(on)) => held = on,
                None => break,
            },
            slot = tick.tick() => {
                let late = Instant::now().saturating_duration_since(slot);
                stats.ticks += 1;
                if late > LATE {
                    stats.late_ticks += 1;
                }
                stats.max_lateness_us = stats.max_lateness_us.max(late.as_micros() as u64);
                let agent_voice = agent.pull(&mut stats);
                let customer_voice = from_customer.pop();
                let to_customer = if held {
                    stats.hold_frames += 1;
                    music.next_frame()
                } else {
                    stats.agent_frames += u64::from(agent_voice.is_some());
                    agent_voice.unwrap_or_else(|| silence.clone())
                };
                // A full queue means the trunk's RTP task is gone or stuck: lose the frame.
                let _ = customer.to_network.try_send(to_customer);
                let to_agent = match (held, customer_voice) {
                    (false, Some(f)) => {
                        stats.customer_frames += 1;
                        f
                    }
                    _ => silence.clone(),
                };
                agent.push(&to_agent);
            }
            f = customer.from_network.recv(), if customer_open => match f {
                Some(f) => from_customer.push(f),
                None => customer_open = false,
            },
            p = agent_packet(&mut agent), if agent_open => match p {
                Some(In::Packet(p)) => {
                    if let AgentSide::Webrtc { playout, .. } = &mut agent {
                        playout.push(p.codec, p.packet);
                    }
                }
                Some(In::Frame(f)) => {
                    if let AgentSide::Trunk { queue, .. } = &mut agent {
                        queue.push(f);
                    }
                }
                None => agent_open = false,
            },
        }
    }
    stats
}

enum In {
    Packet(AgentPacket),
    Frame(AudioFrame),
}

async fn agent_packet(agent: &mut AgentSide) -> Option<In> {
    match agent {
        AgentSide::Webrtc { packets, .. } => packets.recv().await.map(In::Packet),
        AgentSide::Trunk { media, .. } => media.from_network.recv().await.map(In::Frame),
    }
}

/// A short queue of 8 kHz frames from a trunk leg: starts after [`QUEUE_START`] frames,
/// drops the oldest past [`QUEUE_MAX`], starts over when it runs dry.
#[derive(Default)]
struct FrameQueue {
    frames: VecDeque<AudioFrame>,
    playing: bool,
}

impl FrameQueue {
    fn push(&mut self, f: AudioFrame) {
        if f.rate != RATE {
            return;
        }
        self.frames.push_back(f);
        if self.frames.len() > QUEUE_MAX {
            let drop = self.frames.len() - QUEUE_START;
            self.frames.drain(..drop);
        }
    }

    fn pop(&mut self) -> Option<AudioFrame> {
        if !self.playing {
            if self.frames.len() < QUEUE_START {
                return None;
            }
            self.playing = true;
        }
        let f = self.frames.pop_front();
        self.playing = f.is_some();
        f
    }
}

/// The agent's RTP packets in sequence order, decoded to 8 kHz on the tick.
#[derive(Default)]
struct Playout {
    decoder: Option<(AudioCodec, Decoder)>,
    /// Extended sequence number → payload.
    packets: BTreeMap<u64, Vec<u8>>,
    highest: Option<u64>,
    next: Option<u64>,
    playing: bool,
}

impl Playout {
    /// The 16-bit sequence number extended to 64 bits, next to the highest seen.
    fn extend(&self, seq: u16) -> u64 {
        let Some(h) = self.highest else {
            return (1 << 32) + u64::from(seq);
        };
        let base = h & !0xffff;
        [base.wrapping_sub(1 << 16), base, base + (1 << 16)]
            .into_iter()
            .map(|b| b + u64::from(seq))
            .min_by_key(|c| c.abs_diff(h))
            .unwrap_or(base + u64::from(seq))
    }

    fn push(&mut self, codec: AudioCodec, p: RtpPayload) {
        if self.decoder.as_ref().is_none_or(|(c, _)| *c != codec) {
            match Decoder::with_output_rate(media_codec(codec), RATE) {
                Ok(d) => self.decoder = Some((codec, d)),
                Err(e) => {
                    tracing::debug!(error = %e, "bridge: no decoder for the agent's codec");
                    return;
                }
            }
            self.packets.clear();
            self.highest = None;
            self.next = None;
            self.playing = false;
        }
        let ext = self.extend(p.seq);
        if self.next.is_some_and(|n| ext < n) {
            return; // too late: its slot was concealed already
        }
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
        self.packets.entry(ext).or_insert(p.payload);
        if self.packets.len() > PLAYOUT_MAX {
            while self.packets.len() > PLAYOUT_START {
                self.packets.pop_first();
            }
            self.next = self.packets.keys().next().copied();
        }
    }

    /// The next frame and whether it was concealed; `None` while (re)starting.
    fn pop(&mut self) -> Option<(AudioFrame, bool)> {
        if !self.playing {
            if self.packets.len() < PLAYOUT_START {
                return None;
            }
            self.playing = true;
            self.next = self.packets.keys().next().copied();
        }
        let n = self.next?;
        self.next = Some(n + 1);
        let (codec, decoder) = self.decoder.as_mut()?;
        if let Some(payload) = self.packets.remove(&n) {
            if let Ok(f) = decoder.decode(Some(&payload)) {
                return Some((f, false));
            }
        } else if self.packets.is_empty() {
            // Ran dry: the agent stopped sending (muted, network). Start over.
            self.playing = false;
        }
        let fec = match (*codec, self.packets.get(&(n + 1))) {
            (AudioCodec::Opus, Some(next)) => decoder.decode_fec(next).ok(),
            _ => None,
        };
        let frame = fec.or_else(|| decoder.conceal().ok())?;
        Some((frame, true))
    }
}

/// Hold music (R17): a slow arpeggio (C5 E5 G5 E5), 400 ms a note with soft edges, at
/// 8 kHz. None of its notes is near 440 Hz or 1 kHz, so tests can tell it from the
/// agent's and the customer's test tones.
pub struct HoldMusic {
    note: usize,
    frame_in_note: usize,
    sine: SineGenerator,
}

/// C5, E5, G5, E5.
pub const HOLD_NOTES_HZ: [f64; 4] = [523.25, 659.25, 783.99, 659.25];
const FRAMES_PER_NOTE: usize = 20;
const HOLD_AMPLITUDE: f64 = 0.2;

impl Default for HoldMusic {
    fn default() -> Self {
        Self::new()
    }
}

impl HoldMusic {
    pub fn new() -> HoldMusic {
        HoldMusic {
            note: 0,
            frame_in_note: 0,
            sine: SineGenerator::new(RATE, HOLD_NOTES_HZ[0], HOLD_AMPLITUDE),
        }
    }

    pub fn next_frame(&mut self) -> AudioFrame {
        let mut frame = self.sine.next_frame();
        // Fade the first and last frame of a note so the note changes do not click.
        let edge = self.frame_in_note == 0 || self.frame_in_note + 1 == FRAMES_PER_NOTE;
        if edge {
            let n = frame.samples.len() as f64;
            let rising = self.frame_in_note == 0;
            for (i, s) in frame.samples.iter_mut().enumerate() {
                let x = i as f64 / n;
                let g = if rising { x } else { 1.0 - x };
                *s = (f64::from(*s) * g) as i16;
            }
        }
        self.frame_in_note += 1;
        if self.frame_in_note == FRAMES_PER_NOTE {
            self.frame_in_note = 0;
            self.note = (self.note + 1) % HOLD_NOTES_HZ.len();
            self.sine = SineGenerator::new(RATE, HOLD_NOTES_HZ[self.note], HOLD_AMPLITUDE);
        }
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatline_media::tone::{dominant_frequency, goertzel_power};

    fn pcmu(seq: u16, gen: &mut SineGenerator) -> RtpPayload {
        let f = gen.next_frame();
        RtpPayload {
            seq,
            timestamp: u32::from(seq) * 160,
            marker: false,
            payload: seatline_media::g711::encode(seatline_media::g711::Law::Ulaw, &f.samples),
        }
    }

    #[test]
    fn playout_reorders_and_conceals() {
        let mut gen = SineGenerator::new(RATE, 440.0, 0.3);
        let mut p = Playout::default();
        // Ten packets across the sequence wrap (within the 240 ms cap).
        let packets: Vec<RtpPayload> = (65532u16..=65535)
            .chain(0..6)
            .map(|s| pcmu(s, &mut gen))
            .collect();
        // Swap two (65535 and 0), lose one (3).
        let mut order: Vec<usize> = (0..packets.len()).collect();
        order.swap(3, 4);
        order.retain(|&i| i != 7);
        for i in order {
            p.push(AudioCodec::Pcmu, packets[i].clone());
        }
        let mut out = Vec::new();
        let mut concealed = 0;
        for slot in 0..10 {
            let (f, c) = p.pop().unwrap_or_else(|| panic!("slot {slot} played"));
            concealed += u32::from(c);
            out.extend(f.samples);
        }
        assert_eq!(concealed, 1, "only the lost packet is concealed");
        // Ran dry: one more concealed frame, then it waits to start over.
        assert!(p.pop().is_some_and(|(_, c)| c));
        assert!(p.pop().is_none());
        let f = dominant_frequency(&out, RATE, 100.0, 2000.0, 5.0);
        assert!((f - 440.0).abs() < 15.0, "{f}");
    }

    #[test]
    fn frame_queue_starts_after_two_and_caps() {
        let mut q = FrameQueue::default();
        q.push(AudioFrame::silence(RATE));
        assert!(q.pop().is_none());
        q.push(AudioFrame::silence(RATE));
        assert!(q.pop().is_some());
        for _ in 0..30 {
            q.push(AudioFrame::silence(RATE));
        }
        assert!(q.frames.len() <= QUEUE_MAX);
        q.push(AudioFrame::silence(SampleRate::Hz48000));
        assert!(q.frames.iter().all(|f| f.rate == RATE));
    }

    #[test]
    fn hold_music_is_not_the_test_tones() {
        let mut m = HoldMusic::new();
        let samples: Vec<i16> = (0..200).flat_map(|_| m.next_frame().samples).collect();
        let total: f64 = HOLD_NOTES_HZ
            .iter()
            .map(|hz| goertzel_power(&samples, RATE, *hz))
            .sum();
        let a440 = goertzel_power(&samples, RATE, 440.0);
        let k1 = goertzel_power(&samples, RATE, 1000.0);
        assert!(
            total > 50.0 * (a440 + k1),
            "music {total}, 440 {a440}, 1k {k1}"
        );
    }
}
