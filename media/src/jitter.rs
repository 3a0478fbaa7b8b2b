//! Adaptive jitter buffer: packets go in as they arrive (out of order, duplicated, late),
//! and one 20 ms frame's worth comes out each time the caller's audio clock ticks.
//!
//! Playout follows the RTP timestamps: the slot for timestamp T plays at
//! `T / clock + base transit + target delay`, where the base transit is the smallest
//! network transit seen over the last few seconds and the target delay is the spread of
//! transits over the same window (the delay that would have caught every packet).
//! The target grows at once when a packet needs more, and shrinks slowly, and the
//! playout point follows it by stretching (one concealed frame, no packet used) or
//! shrinking (skipping a frame, preferably in a silence gap, at most one every
//! [`SHRINK_EVERY_FRAMES`] in speech).
//!
//! All times are `Duration`s since any epoch the caller likes (sans-IO): arrival times
//! in [`JitterBuffer::push`] and the playout clock in [`JitterBuffer::pop`].
//! Telephone events (RFC 4733) share the timestamps of audio: take them out before.

use crate::rtp::RtpPacket;
use bytes::Bytes;
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// How long a window the transit statistics (base and spread) cover.
const WINDOW: Duration = Duration::from_secs(5);
/// How fast the target shrinks when the window allows it: per popped frame.
const SHRINK_STEP: Duration = Duration::from_micros(500);
/// In speech, skip at most one frame in this many to catch up (5 % faster playout).
pub const SHRINK_EVERY_FRAMES: u32 = 20;
/// After the last packet, keep concealing this many frames on an underrun before
/// calling it silence (Opus PLC and G.711 fade are silent by then anyway).
const UNDERRUN_CONCEAL_FRAMES: u32 = 5;
/// The share of packets the target delay is sized to catch: one outlier in a window
/// (a Wi-Fi scan, a GC pause) should cost one concealed frame, not seconds of delay.
pub const CATCH_QUANTILE: f64 = 0.97;
/// This many late packets in a row mean the sender's clock went back: start over.
const RESET_AFTER_LATE_RUN: u32 = 10;
/// A packet "arriving" this much (plus `max_delay`) earlier than the fastest transit
/// seen means the sender's timestamps jumped forward: start over rather than wait out
/// the gap. Adding `max_delay` keeps jitter the buffer is built for from triggering it.
const EARLY_JUMP: Duration = Duration::from_millis(200);
/// Margin over the measured spread, for the caller's tick granularity.
const MARGIN: Duration = Duration::from_millis(5);

/// Limits and clock of a jitter buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JitterConfig {
    /// RTP clock rate of the stream (8 000 for G.711, 48 000 for Opus).
    pub clock_rate: u32,
    /// The target delay never goes below this.
    pub min_delay: Duration,
    /// ...nor above this; packets that would need more are late.
    pub max_delay: Duration,
    /// The target before anything has been measured.
    pub initial_delay: Duration,
    /// A timestamp this far from the playout point (either way) is a new stream: reset.
    pub reset_after_jump: Duration,
}

impl JitterConfig {
    /// Seatline's defaults for a stream at `clock_rate`: 20..300 ms, starting at 60 ms.
    pub fn new(clock_rate: u32) -> Self {
        JitterConfig {
            clock_rate,
            min_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(300),
            initial_delay: Duration::from_millis(60),
            reset_after_jump: Duration::from_secs(3),
        }
    }
}

/// What the caller plays for one 20 ms tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Playout {
    /// Decode this packet's payload.
    Packet {
        /// The RTP payload.
        payload: Bytes,
        /// Its RTP sequence number.
        sequence: u16,
        /// Its RTP timestamp.
        timestamp: u32,
    },
    /// No packet for this slot though one was due (lost, very late, or the buffer
    /// stretching): conceal. `next` is the following packet's payload when it is
    /// already here, for Opus FEC ([`crate::Decoder::decode_fec`]).
    Lost {
        /// The next packet's payload, if it is already buffered.
        next: Option<Bytes>,
    },
    /// Nothing to play: before the stream started, or a silence gap the sender left
    /// (timestamps moved on, sequence numbers did not). Play silence or comfort noise.
    Empty,
}

/// What became of a pushed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Stored for playout.
    Buffered,
    /// Its slot has already been played: dropped and counted.
    Late,
    /// Already buffered or played: dropped and counted.
    Duplicate,
}

/// Counters since the buffer was made (they survive resets).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JitterStats {
    /// Frames played from a packet.
    pub played: u64,
    /// Frames concealed because their packet was missing when due and a later packet was
    /// already here (a loss, or a packet later than the target delay).
    pub concealed: u64,
    /// Frames concealed because the buffer ran dry mid-talkspurt (loss, a late burst,
    /// or the sender going silent: the receiver cannot tell yet).
    pub underruns: u64,
    /// Frames concealed to grow the delay (no packet was missing).
    pub stretched: u64,
    /// Frames skipped to shrink the delay.
    pub shrunk: u64,
    /// Packets that arrived after their slot had been played.
    pub late: u64,
    /// Packets received twice.
    pub duplicates: u64,
    /// Packets thrown away because the buffer held more than `max_delay` of audio.
    pub overflow: u64,
    /// Times the buffer started over (new SSRC, timestamp jump).
    pub resets: u64,
}

#[derive(Debug, Clone)]
struct Entry {
    ext_seq: i64,
    payload: Bytes,
}

/// The per-stream state that a reset clears.
#[derive(Debug, Clone, Default)]
struct Stream {
    ssrc: Option<u32>,
    highest_seq: Option<i64>,
    highest_ts: Option<i64>,
    /// Packets waiting, by extended timestamp.
    packets: BTreeMap<i64, Entry>,
    /// Extended timestamp the next pop plays; `None` until playout starts.
    playout_ts: Option<i64>,
    /// Extended sequence number of the last slot played or concealed.
    last_seq: Option<i64>,
    /// Bit i set: extended sequence `last_seq - i` was played (duplicate detection).
    played_bits: u64,
    /// (arrival, transit) of recent packets, transit in ms = arrival - timestamp.
    transits: VecDeque<(Duration, f64)>,
    /// Frames popped since the last packet was played.
    since_packet: u32,
    /// Frames popped since the last skip in speech.
    since_shrink: u32,
    /// Packets in a row that came too late.
    late_run: u32,
}

/// An adaptive jitter buffer for one incoming RTP stream.
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    config: JitterConfig,
    step: i64,
    target: Duration,
    stream: Stream,
    stats: JitterStats,
}

impl JitterBuffer {
    /// An empty buffer.
    pub fn new(config: JitterConfig) -> Self {
        let step = i64::from(config.clock_rate * crate::FRAME_MS / 1000).max(1);
        let target = config
            .initial_delay
            .clamp(config.min_delay, config.max_delay);
        JitterBuffer {
            config,
            step,
            target,
            stream: Stream::default(),
            stats: JitterStats::default(),
        }
    }

    /// The delay the buffer is steering towards now.
    pub fn target_delay(&self) -> Duration {
        self.target
    }

    /// Audio buffered ahead of the playout point.
    pub fn buffered(&self) -> Duration {
        let (Some(play), Some((&last, _))) =
            (self.stream.playout_ts, self.stream.packets.last_key_value())
        else {
            return Duration::ZERO;
        };
        self.ts_to_duration(last + self.step - play)
    }

    /// Counters so far.
    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Takes in one packet that arrived at `arrival`.
    pub fn push(&mut self, packet: &RtpPacket, arrival: Duration) -> Push {
        if self.stream.ssrc.is_some_and(|s| s != packet.ssrc) {
            self.reset();
        }
        if self.is_new_timeline(packet, arrival) {
            self.reset();
        }
        let ext_ts = extend(self.stream.highest_ts, i64::from(packet.timestamp), 32);
        let ext_seq = extend(self.stream.highest_seq, i64::from(packet.sequence), 16);
        self.stream.ssrc = Some(packet.ssrc);

        if self.was_played(ext_seq)
            || self
                .stream
                .packets
                .get(&ext_ts)
                .is_some_and(|e| e.ext_seq == ext_seq)
        {
            self.stats.duplicates += 1;
            return Push::Duplicate;
        }
        if self.stream.playout_ts.is_some_and(|play| ext_ts < play) {
            self.stats.late += 1;
            self.stream.late_run += 1;
            // A late packet still tells how much delay would have been needed.
            self.observe_transit(ext_ts, arrival);
            return Push::Late;
        }
        self.stream.late_run = 0;
        self.stream.highest_seq = Some(self.stream.highest_seq.map_or(ext_seq, |h| h.max(ext_seq)));
        self.stream.highest_ts = Some(self.stream.highest_ts.map_or(ext_ts, |h| h.max(ext_ts)));
        self.observe_transit(ext_ts, arrival);
        self.stream.packets.insert(
            ext_ts,
            Entry {
                ext_seq,
                payload: packet.payload.clone(),
            },
        );
        self.trim_overflow();
        Push::Buffered
    }

    /// The frame to play at `now` (call once per 20 ms tick).
    pub fn pop(&mut self, now: Duration) -> Playout {
        let Some(play) = self.stream.playout_ts else {
            return self.start(now);
        };
        self.relax_target();
        let lag = self.schedule_error(play, now);
        let frame = self.frame_duration();

        // Behind schedule by more than a frame: the delay is longer than the target.
        if lag > frame.as_secs_f64() {
            if let Some(skipped) = self.try_shrink(play) {
                return skipped;
            }
        }
        // Ahead of schedule by more than half a frame: the target grew; stretch by one
        // frame (again next tick if still ahead) without moving the playout point: a
        // concealed frame in speech, a longer silence in a gap the sender left.
        if lag < -frame.as_secs_f64() / 2.0 {
            if self.stream.since_packet == 0 {
                self.stats.stretched += 1;
                return Playout::Lost { next: None };
            }
            if !self.stream.packets.contains_key(&play) && self.next_is_contiguous() {
                self.stats.stretched += 1;
                return Playout::Empty;
            }
        }
        self.play_slot(play)
    }

    /// Whether `packet` belongs to another timeline than the one playing: another SSRC,
    /// a timestamp far from the playout point, a timestamp that ran ahead of the clock
    /// (the sender jumped forward: it cannot really arrive that early), or a run of late
    /// packets (the sender jumped back or paused its clock, e.g. across a hold).
    fn is_new_timeline(&self, packet: &RtpPacket, arrival: Duration) -> bool {
        if self.stream.ssrc.is_some_and(|s| s != packet.ssrc) {
            return true;
        }
        let Some(play) = self.stream.playout_ts else {
            return false;
        };
        let ext_ts = extend(self.stream.highest_ts, i64::from(packet.timestamp), 32);
        let jump = self.config.reset_after_jump.as_secs_f64() * f64::from(self.config.clock_rate);
        if ((ext_ts - play) as f64).abs() > jump {
            return true;
        }
        if self.stream.late_run >= RESET_AFTER_LATE_RUN {
            return true;
        }
        let transit = arrival.as_secs_f64() - self.ts_to_secs(ext_ts);
        let early = (EARLY_JUMP + self.config.max_delay).as_secs_f64();
        self.base_transit()
            .is_some_and(|base| transit < base - early)
    }

    /// Plays the slot at `play` and moves the playout point on.
    fn play_slot(&mut self, play: i64) -> Playout {
        self.stream.playout_ts = Some(play + self.step);
        self.stream.since_shrink = self.stream.since_shrink.saturating_add(1);
        if let Some(entry) = self.stream.packets.remove(&play) {
            self.mark_played(entry.ext_seq);
            self.stream.since_packet = 0;
            self.stats.played += 1;
            return Playout::Packet {
                payload: entry.payload,
                sequence: entry.ext_seq as u16,
                timestamp: play as u32,
            };
        }
        self.stream.since_packet = self.stream.since_packet.saturating_add(1);
        let contiguous_next = self.next_is_contiguous();
        let buffer_empty = self.stream.packets.is_empty();
        if contiguous_next || (buffer_empty && self.stream.since_packet > UNDERRUN_CONCEAL_FRAMES) {
            // The sender skipped this slot on purpose (or has stopped): silence.
            return Playout::Empty;
        }
        // Missing: conceal. It used up one sequence number, which is not marked as
        // played: if it turns up now it is late, not a duplicate.
        if let Some(last) = self.stream.last_seq {
            self.advance_seq(last + 1);
        }
        if buffer_empty {
            self.stats.underruns += 1;
        } else {
            self.stats.concealed += 1;
        }
        let next = self
            .stream
            .packets
            .get(&(play + self.step))
            .map(|e| e.payload.clone());
        Playout::Lost { next }
    }

    /// Whether the first buffered packet directly follows the last one played: then a
    /// missing slot before it is a gap the sender left (silence), not a loss.
    fn next_is_contiguous(&self) -> bool {
        match (self.stream.packets.first_key_value(), self.stream.last_seq) {
            (Some((_, next)), Some(last)) => next.ext_seq == last + 1,
            _ => false,
        }
    }

    /// Skips a frame to catch up: free in a silence gap, rate-limited in speech.
    fn try_shrink(&mut self, play: i64) -> Option<Playout> {
        let in_gap = !self.stream.packets.contains_key(&play);
        if !in_gap && self.stream.since_shrink < SHRINK_EVERY_FRAMES {
            return None;
        }
        if let Some(entry) = self.stream.packets.remove(&play) {
            self.mark_played(entry.ext_seq);
        }
        self.stats.shrunk += 1;
        self.stream.since_shrink = 0;
        self.stream.playout_ts = Some(play + self.step);
        Some(self.play_slot(play + self.step))
    }

    /// Before playout: wait until the first packet has waited the target delay.
    fn start(&mut self, now: Duration) -> Playout {
        let Some((&first_ts, _)) = self.stream.packets.first_key_value() else {
            return Playout::Empty;
        };
        let Some(base) = self.base_transit() else {
            return Playout::Empty;
        };
        // When the first packet's slot is due: its timestamp plus base transit plus target.
        let due = self.ts_to_secs(first_ts) + base + self.target.as_secs_f64();
        if now.as_secs_f64() + 1e-9 < due {
            return Playout::Empty;
        }
        self.play_slot(first_ts)
    }

    /// Seconds the slot `play` is late at `now` compared with where the target puts it
    /// (negative: early).
    fn schedule_error(&self, play: i64, now: Duration) -> f64 {
        let Some(base) = self.base_transit() else {
            return 0.0;
        };
        let due = self.ts_to_secs(play) + base + self.target.as_secs_f64();
        now.as_secs_f64() - due
    }

    fn observe_transit(&mut self, ext_ts: i64, arrival: Duration) {
        let transit = arrival.as_secs_f64() - self.ts_to_secs(ext_ts);
        let transits = &mut self.stream.transits;
        transits.push_back((arrival, transit));
        while transits
            .front()
            .is_some_and(|&(t, _)| arrival.saturating_sub(t) > WINDOW)
        {
            transits.pop_front();
        }
        // Grow at once to what the window needs, if this packet could have raised it
        // (the quantile is only worth recomputing for a transit above base + target).
        let could_grow = self
            .base_transit()
            .is_none_or(|base| transit - base + MARGIN.as_secs_f64() > self.target.as_secs_f64());
        if could_grow {
            let wanted = self.wanted_delay();
            if wanted > self.target {
                self.target = wanted;
            }
        }
    }

    /// Shrinks the target slowly towards what the window needs.
    fn relax_target(&mut self) {
        let wanted = self.wanted_delay();
        if wanted < self.target {
            self.target = self.target.saturating_sub(SHRINK_STEP).max(wanted);
        }
    }

    /// The delay that would have caught [`CATCH_QUANTILE`] of the window's packets.
    fn wanted_delay(&self) -> Duration {
        let mut transits: Vec<f64> = self.stream.transits.iter().map(|&(_, t)| t).collect();
        let spread = if transits.is_empty() {
            0.0
        } else {
            let min = transits.iter().copied().fold(f64::MAX, f64::min);
            let last = transits.len() - 1;
            let at = ((last as f64 * CATCH_QUANTILE).round() as usize).min(last);
            let (_, quantile, _) = transits.select_nth_unstable_by(at, f64::total_cmp);
            *quantile - min
        };
        (Duration::from_secs_f64(spread.max(0.0)) + MARGIN)
            .clamp(self.config.min_delay, self.config.max_delay)
    }

    fn base_transit(&self) -> Option<f64> {
        self.stream
            .transits
            .iter()
            .map(|&(_, t)| t)
            .min_by(f64::total_cmp)
    }

    /// Drops the oldest packets while more than `max_delay` of audio is buffered.
    fn trim_overflow(&mut self) {
        let max_ts =
            (self.config.max_delay.as_secs_f64() * f64::from(self.config.clock_rate)) as i64;
        while let (Some((&first, _)), Some((&last, _))) = (
            self.stream.packets.first_key_value(),
            self.stream.packets.last_key_value(),
        ) {
            let from = self.stream.playout_ts.map_or(first, |p| p.min(first));
            if last - from <= max_ts + self.step {
                break;
            }
            self.stream.packets.remove(&first);
            self.stats.overflow += 1;
            if let Some(p) = self.stream.playout_ts.as_mut() {
                *p = (*p).max(first + self.step);
            }
        }
    }

    fn was_played(&self, ext_seq: i64) -> bool {
        let Some(last) = self.stream.last_seq else {
            return false;
        };
        let age = last - ext_seq;
        (0..64).contains(&age) && self.stream.played_bits & (1 << age) != 0
    }

    /// Moves the sequence window to `ext_seq` without marking it played.
    fn advance_seq(&mut self, ext_seq: i64) {
        if let Some(last) = self.stream.last_seq {
            if ext_seq > last {
                let shift = ext_seq - last;
                self.stream.played_bits = if shift >= 64 {
                    0
                } else {
                    self.stream.played_bits << shift
                };
                self.stream.last_seq = Some(ext_seq);
            }
        }
    }

    fn mark_played(&mut self, ext_seq: i64) {
        match self.stream.last_seq {
            Some(last) if ext_seq <= last => {
                let age = last - ext_seq;
                if age < 64 {
                    self.stream.played_bits |= 1 << age;
                }
            }
            Some(last) => {
                let shift = ext_seq - last;
                self.stream.played_bits = if shift >= 64 {
                    0
                } else {
                    self.stream.played_bits << shift
                };
                self.stream.played_bits |= 1;
                self.stream.last_seq = Some(ext_seq);
            }
            None => {
                self.stream.played_bits = 1;
                self.stream.last_seq = Some(ext_seq);
            }
        }
    }

    fn reset(&mut self) {
        self.stream = Stream::default();
        self.target = self
            .config
            .initial_delay
            .clamp(self.config.min_delay, self.config.max_delay);
        self.stats.resets += 1;
    }

    fn frame_duration(&self) -> Duration {
        Duration::from_millis(u64::from(crate::FRAME_MS))
    }

    fn ts_to_secs(&self, ts: i64) -> f64 {
        ts as f64 / f64::from(self.config.clock_rate)
    }

    fn ts_to_duration(&self, ts: i64) -> Duration {
        Duration::from_secs_f64(self.ts_to_secs(ts.max(0)))
    }
}

/// Extends a wrapping `bits`-bit counter to i64 around the highest value seen so far
/// (RFC 3550 Appendix A.1 style): the nearest candidate wins.
fn extend(highest: Option<i64>, value: i64, bits: u32) -> i64 {
    let Some(highest) = highest else {
        return value;
    };
    let modulus = 1i64 << bits;
    let low = highest.rem_euclid(modulus);
    let mut delta = value - low;
    if delta > modulus / 2 {
        delta -= modulus;
    } else if delta < -modulus / 2 {
        delta += modulus;
    }
    highest + delta
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    const MS: Duration = Duration::from_millis(1);

    fn packet(seq: u16, ts: u32) -> RtpPacket {
        RtpPacket {
            payload_type: 0,
            marker: false,
            sequence: seq,
            timestamp: ts,
            ssrc: 7,
            payload: Bytes::from(seq.to_be_bytes().to_vec()),
        }
    }

    fn seq_of(p: &Playout) -> Option<u16> {
        match p {
            Playout::Packet { sequence, .. } => Some(*sequence),
            _ => None,
        }
    }

    /// A simulated call: packet i is sent at 20 ms * i, delayed by `delay(i)` (None =
    /// lost); the receiver pops every 20 ms from `pop_offset`. Returns what played.
    fn simulate(
        jb: &mut JitterBuffer,
        count: u16,
        first_seq: u16,
        first_ts: u32,
        mut delay: impl FnMut(u16) -> Option<Duration>,
    ) -> Vec<Playout> {
        let mut arrivals: Vec<(Duration, RtpPacket)> = (0..count)
            .filter_map(|i| {
                let d = delay(i)?;
                let p = packet(
                    first_seq.wrapping_add(i),
                    first_ts.wrapping_add(u32::from(i) * 160),
                );
                Some((MS * 20 * u32::from(i) + d, p))
            })
            .collect();
        arrivals.sort_by_key(|(t, _)| *t);
        let mut out = Vec::new();
        let mut next = 0;
        let end = MS * 20 * (u32::from(count) + 30);
        let mut now = MS * 7; // the receiver's tick is not aligned with the sender's
        while now < end {
            while next < arrivals.len() && arrivals[next].0 <= now {
                jb.push(&arrivals[next].1, arrivals[next].0);
                next += 1;
            }
            out.push(jb.pop(now));
            now += MS * 20;
        }
        out
    }

    fn played(out: &[Playout]) -> Vec<u16> {
        out.iter().filter_map(seq_of).collect()
    }

    #[test]
    fn steady_stream_plays_in_order_with_a_small_delay() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        let out = simulate(&mut jb, 100, 0, 0, |_| Some(MS * 30));
        let seqs = played(&out);
        let stats = jb.stats();
        // From the 60 ms start the delay comes down to the 20 ms floor by skipping a
        // frame now and then (at most one in 20).
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(seqs.len() as u64 + stats.shrunk, 100, "{stats:?}");
        assert!(stats.shrunk <= 3, "{stats:?}");
        assert_eq!(stats.concealed, 0);
        // Only the tail after the last packet: a few frames of concealment, then silence.
        assert_eq!(stats.underruns, u64::from(UNDERRUN_CONCEAL_FRAMES));
        assert_eq!(jb.target_delay(), MS * 20);
    }

    #[test]
    fn reordering_and_duplicates() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        jb.push(&packet(1, 160), MS * 20);
        jb.push(&packet(0, 0), MS * 21);
        assert_eq!(jb.push(&packet(1, 160), MS * 22), Push::Duplicate);
        jb.push(&packet(2, 320), MS * 40);
        let mut seqs = Vec::new();
        for tick in 0..10 {
            seqs.extend(seq_of(&jb.pop(MS * (100 + 20 * tick))));
        }
        assert_eq!(seqs, [0, 1, 2]);
        // A copy of an already played packet is a duplicate too, not "late".
        assert_eq!(jb.push(&packet(0, 0), MS * 300), Push::Duplicate);
        assert_eq!(jb.stats().duplicates, 2);
    }

    #[test]
    fn loss_is_reported_with_the_next_payload_for_fec() {
        let mut jb = JitterBuffer::new(JitterConfig::new(48000));
        for (seq, ts) in [(10u16, 9600u32), (12, 9600 + 2 * 960), (13, 9600 + 3 * 960)] {
            jb.push(&packet(seq, ts), MS * 20 * u32::from(seq - 10));
        }
        // Each packet arrives 0 ms after it was sent; the initial target is 60 ms.
        let out: Vec<Playout> = (0..6).map(|i| jb.pop(MS * (60 + 20 * i))).collect();
        assert_eq!(seq_of(&out[0]), Some(10));
        assert_eq!(
            out[1],
            Playout::Lost {
                next: Some(Bytes::from(12u16.to_be_bytes().to_vec()))
            }
        );
        assert_eq!(seq_of(&out[2]), Some(12));
        assert_eq!(jb.stats().concealed, 1);
    }

    #[test]
    fn silence_gap_left_by_the_sender_is_empty_not_lost() {
        // Sequence numbers stay contiguous across the gap, timestamps jump 5 frames (the
        // sender's `skip_frame`). When the packet after the gap is already here, the
        // gap plays as silence, not as loss.
        // A 200 ms delay, so the packet after the gap is here before the gap plays.
        let config = JitterConfig {
            min_delay: MS * 200,
            initial_delay: MS * 200,
            ..JitterConfig::new(8000)
        };
        let mut jb = JitterBuffer::new(config);
        let sends = [
            (0u16, 0u32),
            (1, 160),
            (2, 320 + 5 * 160),
            (3, 480 + 5 * 160),
        ];
        let mut out = Vec::new();
        let mut next = 0;
        for tick in 0..25u32 {
            let now = MS * (20 * tick + 7);
            // Each packet arrives 10 ms after it was sent (timestamp / 8 ms).
            while next < sends.len() && MS * (sends[next].1 / 8 + 10) <= now {
                let (seq, ts) = sends[next];
                jb.push(&packet(seq, ts), MS * (ts / 8 + 10));
                next += 1;
            }
            out.push(jb.pop(now));
        }
        assert_eq!(played(&out), [0, 1, 2, 3], "{out:?}");
        let first = out.iter().position(|p| seq_of(p) == Some(1)).unwrap_or(0);
        assert!(
            out[first + 1..first + 6]
                .iter()
                .all(|p| *p == Playout::Empty),
            "{out:?}"
        );
        assert_eq!(jb.stats().concealed, 0, "{out:?}");
    }

    #[test]
    fn a_grown_target_stretches_speech_by_concealing_and_gaps_by_silence() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        // Packets arrive exactly when sent; seq 2 follows seq 1 after a 160 ms gap.
        for (seq, ts) in [(0u16, 0u32), (1, 160), (2, 160 * 10), (3, 160 * 11)] {
            jb.push(&packet(seq, ts), MS * (ts / 8));
        }
        let pop = |jb: &mut JitterBuffer, t: u32| jb.pop(MS * t);
        assert_eq!(seq_of(&pop(&mut jb, 60)), Some(0));
        // The network got worse: the target jumps by 100 ms. In speech that is five
        // concealed frames, then packet 1 in its (later) turn.
        jb.target += MS * 100;
        let speech: Vec<Playout> = (0..6).map(|i| pop(&mut jb, 80 + 20 * i)).collect();
        assert!(
            speech[..5]
                .iter()
                .all(|p| *p == Playout::Lost { next: None }),
            "{speech:?}"
        );
        assert_eq!(seq_of(&speech[5]), Some(1));
        assert_eq!(jb.stats().stretched, 5);
        // In the sender's silence gap, another 60 ms: longer silence, nothing concealed.
        assert_eq!(pop(&mut jb, 200), Playout::Empty);
        jb.target += MS * 60;
        let gap: Vec<Playout> = (0..20).map(|i| pop(&mut jb, 220 + 20 * i)).collect();
        assert_eq!(played(&gap), [2, 3]);
        // Up to packet 3 (after it the stream ends: the usual underrun tail).
        let until_3 = gap.iter().position(|p| seq_of(p) == Some(3)).unwrap_or(0);
        let in_gap = &gap[..until_3];
        assert!(
            in_gap
                .iter()
                .all(|p| matches!(p, Playout::Empty | Playout::Packet { .. })),
            "{gap:?}"
        );
        assert!(jb.stats().stretched >= 5 + 2, "{:?}", jb.stats());
        assert_eq!(jb.stats().concealed, 0);
    }

    #[test]
    fn underrun_conceals_briefly_then_goes_quiet() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        jb.push(&packet(0, 0), Duration::ZERO);
        let out: Vec<Playout> = (0..10).map(|i| jb.pop(MS * (60 + 20 * i))).collect();
        assert_eq!(seq_of(&out[0]), Some(0));
        let lost = out
            .iter()
            .filter(|p| matches!(p, Playout::Lost { .. }))
            .count();
        assert_eq!(lost as u32, UNDERRUN_CONCEAL_FRAMES);
        assert_eq!(out[9], Playout::Empty);
        assert_eq!(jb.stats().underruns, u64::from(UNDERRUN_CONCEAL_FRAMES));
        assert_eq!(jb.stats().concealed, 0);
    }

    #[test]
    fn late_packets_are_counted_and_dropped() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        // Packet 5 arrives 400 ms late: beyond the 300 ms maximum.
        let out = simulate(&mut jb, 60, 0, 0, |i| {
            Some(MS * if i == 5 { 420 } else { 20 })
        });
        assert!(!played(&out).contains(&5));
        let stats = jb.stats();
        assert_eq!(stats.late, 1, "{stats:?}");
        assert_eq!(stats.concealed, 1, "{stats:?}");
        // One outlier does not drag the delay up (the target catches 97 % of packets).
        assert!(jb.target_delay() <= MS * 60, "{:?}", jb.target_delay());
    }

    #[test]
    fn sequence_and_timestamp_wraparound() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        let out = simulate(&mut jb, 40, 65_520, u32::MAX - 160 * 20, |_| Some(MS * 15));
        let seqs = played(&out);
        let stats = jb.stats();
        assert!(seqs.len() as u64 + stats.shrunk >= 40, "{stats:?}");
        assert_eq!(seqs[0], 65_520);
        assert_eq!(*seqs.last().unwrap_or(&0), 23);
        // In order across the wrap: each step is +1 (or +2 over a skipped frame).
        assert!(seqs
            .windows(2)
            .all(|w| matches!(w[1].wrapping_sub(w[0]), 1 | 2)));
        assert_eq!(stats.resets + stats.late + stats.concealed, 0, "{stats:?}");
        assert_eq!(stats.played, seqs.len() as u64);
    }

    #[test]
    fn new_ssrc_or_timestamp_jump_resets() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        for i in 0..5u16 {
            jb.push(&packet(i, u32::from(i) * 160), MS * 20 * u32::from(i));
            jb.pop(MS * (100 + 20 * u32::from(i)));
        }
        // Timestamp jumps by an hour: a new stream.
        jb.push(&packet(5, 8000 * 3600), MS * 200);
        assert_eq!(jb.stats().resets, 1);
        let mut other = packet(100, 5);
        other.ssrc = 99;
        jb.push(&other, MS * 220);
        assert_eq!(jb.stats().resets, 2);
        let seqs: Vec<u16> = (0..10)
            .filter_map(|i| seq_of(&jb.pop(MS * (300 + 20 * i))))
            .collect();
        assert_eq!(seqs, [100]);
    }

    #[test]
    fn sender_clock_jumping_back_or_forward_resyncs_quickly() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        let mut seq = 0u16;
        let mut now = Duration::ZERO;
        let mut feed = |jb: &mut JitterBuffer, ts_of: &dyn Fn(u32) -> u32, frames: u32| {
            let mut played = 0;
            for i in 0..frames {
                jb.push(&packet(seq, ts_of(i)), now);
                seq = seq.wrapping_add(1);
                now += MS * 20;
                played += usize::from(seq_of(&jb.pop(now + MS * 7)).is_some());
            }
            played
        };
        feed(&mut jb, &|i| i * 160, 50);
        // The sender resumes from a hold with its clock 1 s back (under the 3 s limit).
        let played = feed(&mut jb, &|i| (50 + i) * 160 - 8000, 50);
        assert!(played >= 35, "played {played} of 50 after the jump back");
        assert_eq!(jb.stats().resets, 1);
        // ... then 2 s forward.
        let played = feed(&mut jb, &|i| 100 * 160 + 16000 + i * 160, 50);
        assert!(played >= 40, "played {played} of 50 after the jump forward");
        assert_eq!(jb.stats().resets, 2);
    }

    #[test]
    fn target_grows_fast_with_jitter_and_shrinks_slowly_after() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        // 10 s of 0..100 ms uniform jitter, 2 % loss.
        let out = simulate(&mut jb, 500, 1000, 0, |_| {
            (!rng.gen_bool(0.02)).then(|| MS * rng.gen_range(0..100))
        });
        let grown = jb.target_delay();
        assert!(grown >= MS * 90 && grown <= MS * 120, "{grown:?}");
        let stats = jb.stats();
        // Nearly every packet that was sent is played: only losses and a few early late
        // ones (before the target had grown) are concealed.
        assert!(stats.played >= 470, "{stats:?}");
        assert!(stats.late <= 10, "{stats:?}");
        assert_eq!(played(&out).windows(2).filter(|w| w[1] <= w[0]).count(), 0);

        // Then 10 s of a calm network: the target comes down, but not at once.
        let mut jb2 = jb.clone();
        let t0 = MS * 20 * 530;
        for i in 0..500u32 {
            let seq = 1500u16.wrapping_add(i as u16);
            let now = t0 + MS * 20 * i;
            jb2.push(&packet(seq, (500 + i) * 160 + 30 * 160), now);
            jb2.pop(now + MS * 7);
            if i == 50 {
                assert!(
                    jb2.target_delay() > MS * 60,
                    "shrank too fast: {:?}",
                    jb2.target_delay()
                );
            }
        }
        assert!(jb2.target_delay() < MS * 40, "{:?}", jb2.target_delay());
    }

    #[test]
    fn target_stays_within_bounds() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        // Jitter beyond what the buffer is built for (0..450 ms): capped at 300 ms.
        simulate(&mut jb, 300, 0, 0, |_| Some(MS * rng.gen_range(0..450)));
        assert_eq!(jb.target_delay(), MS * 300);
        assert_eq!(jb.stats().resets, 0);
        let mut calm = JitterBuffer::new(JitterConfig::new(8000));
        simulate(&mut calm, 300, 0, 0, |_| Some(MS * 40));
        assert!(calm.target_delay() >= MS * 20);
    }

    #[test]
    fn a_flood_does_not_grow_the_buffer_without_bound() {
        let mut jb = JitterBuffer::new(JitterConfig::new(8000));
        for i in 0..1000u16 {
            jb.push(&packet(i, u32::from(i) * 160), MS);
        }
        assert!(jb.stream.packets.len() <= 17, "{}", jb.stream.packets.len());
        assert!(jb.stats().overflow > 900);
    }

    #[test]
    fn extend_handles_wraps_both_ways() {
        assert_eq!(extend(Some(65_535), 0, 16), 65_536);
        assert_eq!(extend(Some(65_536), 65_535, 16), 65_535);
        assert_eq!(extend(Some(10), 5, 16), 5);
        assert_eq!(extend(None, 5, 16), 5);
        assert_eq!(
            extend(Some(i64::from(u32::MAX)), 100, 32),
            i64::from(u32::MAX) + 101
        );
    }
}
