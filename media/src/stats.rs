//! Call quality figures: RFC 3550 reception statistics (interarrival jitter, cumulative
//! and fraction lost), round-trip time from RTCP report blocks, and an E-model
//! (ITU-T G.107, simplified) estimate of the MOS a listener would give.

use crate::codec::Codec;
use crate::jitter::JitterStats;
use std::time::Duration;

/// Reception statistics of one incoming RTP stream (RFC 3550 §6.4.1 and Appendix A).
#[derive(Debug, Clone, Default)]
pub struct ReceiveStats {
    clock_rate: u32,
    base_seq: Option<i64>,
    highest_seq: i64,
    received: u64,
    /// Previous packet's transit time in timestamp units, for the jitter estimate.
    last_transit: Option<f64>,
    /// RFC 3550 interarrival jitter, in timestamp units (A.8's `jitter`, unscaled).
    jitter: f64,
    /// Expected and received at the last [`ReceiveStats::take_fraction_lost`].
    expected_prior: u64,
    received_prior: u64,
}

impl ReceiveStats {
    /// Statistics for a stream with an RTP clock of `clock_rate` Hz.
    pub fn new(clock_rate: u32) -> Self {
        ReceiveStats {
            clock_rate: clock_rate.max(1),
            ..ReceiveStats::default()
        }
    }

    /// Counts one arrived packet (duplicates included, as RFC 3550 does).
    pub fn on_packet(&mut self, sequence: u16, timestamp: u32, arrival: Duration) {
        match self.base_seq {
            None => {
                self.base_seq = Some(i64::from(sequence));
                self.highest_seq = i64::from(sequence);
            }
            Some(_) => {
                let seq = extend16(self.highest_seq, sequence);
                self.highest_seq = self.highest_seq.max(seq);
            }
        }
        self.received += 1;
        // A.8: transit in timestamp units; D = difference of transits; J += (|D| - J)/16.
        let arrival_units = arrival.as_secs_f64() * f64::from(self.clock_rate);
        let transit = arrival_units - f64::from(timestamp);
        if let Some(last) = self.last_transit {
            // Timestamps wrap: take the difference modulo 2^32 to the nearest value.
            let mut d = transit - last;
            let wrap = f64::from(u32::MAX) + 1.0;
            if d > wrap / 2.0 {
                d -= wrap;
            } else if d < -wrap / 2.0 {
                d += wrap;
            }
            self.jitter += (d.abs() - self.jitter) / 16.0;
        }
        self.last_transit = Some(transit);
    }

    /// Interarrival jitter in ms.
    pub fn jitter_ms(&self) -> f64 {
        self.jitter * 1000.0 / f64::from(self.clock_rate)
    }

    /// Interarrival jitter in timestamp units, as RTCP report blocks carry it.
    pub fn jitter_rtp_units(&self) -> u32 {
        self.jitter as u32
    }

    /// Packets expected from the sequence numbers seen (A.3).
    pub fn expected(&self) -> u64 {
        self.base_seq
            .map_or(0, |base| (self.highest_seq - base + 1).max(0) as u64)
    }

    /// Packets that arrived.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Cumulative packets lost: expected minus received (negative with duplicates,
    /// which RFC 3550 allows; clamped at 0 here).
    pub fn cumulative_lost(&self) -> u64 {
        self.expected().saturating_sub(self.received)
    }

    /// Lost share of all expected packets so far, in percent.
    pub fn loss_pct(&self) -> f64 {
        match self.expected() {
            0 => 0.0,
            e => self.cumulative_lost() as f64 * 100.0 / e as f64,
        }
    }

    /// RTCP's fraction lost (loss since the last call, as 8-bit fixed point of 1/256),
    /// and starts the next interval (A.3).
    pub fn take_fraction_lost(&mut self) -> u8 {
        let expected = self.expected();
        let expected_interval = expected.saturating_sub(self.expected_prior);
        let received_interval = self.received.saturating_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost = expected_interval.saturating_sub(received_interval);
        if expected_interval == 0 || lost == 0 {
            0
        } else {
            ((lost << 8) / expected_interval).min(255) as u8
        }
    }
}

fn extend16(highest: i64, seq: u16) -> i64 {
    let delta = seq.wrapping_sub(highest.rem_euclid(1 << 16) as u16) as i16;
    highest + i64::from(delta)
}

/// The middle 32 bits of a 64-bit NTP timestamp (RTCP's LSR/DLSR unit: 1/65536 s), for
/// a time given as the duration since the NTP epoch (1900-01-01).
pub fn compact_ntp(since_ntp_epoch: Duration) -> u32 {
    let secs = since_ntp_epoch.as_secs() as u32; // NTP seconds wrap in 2036 by design
    let frac = (u64::from(since_ntp_epoch.subsec_nanos()) << 16) / 1_000_000_000;
    (secs << 16) | (frac as u32 & 0xFFFF)
}

/// Round-trip time from an RTCP report block about our stream (RFC 3550 §6.4.1):
/// `arrival - LSR - DLSR`, all in compact NTP. `None` when the peer has not yet received
/// a sender report (LSR 0) or the figures do not add up (clock trouble).
pub fn rtt_from_report(arrival_compact_ntp: u32, lsr: u32, dlsr: u32) -> Option<Duration> {
    if lsr == 0 {
        return None;
    }
    let rtt = arrival_compact_ntp.wrapping_sub(lsr).wrapping_sub(dlsr);
    // More than 18 hours (half the 16.16 range) means it went negative.
    if rtt > 0x8000_0000 {
        return None;
    }
    Some(Duration::from_nanos(
        u64::from(rtt) * 1_000_000_000 / 65_536,
    ))
}

/// Equipment impairment figures for the E-model (ITU-T G.113 Appendix I).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Impairment {
    /// Ie: the codec's own impairment with no loss.
    pub ie: f64,
    /// Bpl: packet-loss robustness (higher = loss hurts less).
    pub bpl: f64,
}

impl Impairment {
    /// G.711 with packet loss concealment: Ie 0, Bpl 25.1 (G.113 Appendix I).
    pub const G711_PLC: Impairment = Impairment { ie: 0.0, bpl: 25.1 };
    /// Opus at 24-32 kbit/s is not tabulated in G.113. Taken as no worse than G.711
    /// with PLC in the narrowband E-model: Ie 0, Bpl 25.1; the loss it is given is what
    /// is left after FEC recovered what it could.
    pub const OPUS: Impairment = Impairment { ie: 0.0, bpl: 25.1 };

    /// The figures for `codec`.
    pub const fn of(codec: Codec) -> Impairment {
        match codec {
            Codec::Opus => Impairment::OPUS,
            Codec::Pcmu | Codec::Pcma => Impairment::G711_PLC,
        }
    }
}

/// G.107 default basic signal-to-noise ratio minus simultaneous impairments (R0 - Is).
const R_DEFAULT: f64 = 93.2;

/// The E-model's transmission rating R for a one-way mouth-to-ear delay, the share of
/// frames lost after concealment (percent, random loss: BurstR = 1), and a codec.
/// Echo is taken as cancelled (only the absolute-delay term Idd of Id is used).
pub fn r_factor(one_way_delay: Duration, effective_loss_pct: f64, impairment: Impairment) -> f64 {
    let ta = one_way_delay.as_secs_f64() * 1000.0;
    // G.107 §7.2 Idd: no impairment up to 100 ms.
    let idd = if ta <= 100.0 {
        0.0
    } else {
        let x = (ta / 100.0).log2();
        25.0 * ((1.0 + x.powi(6)).powf(1.0 / 6.0) - 3.0 * (1.0 + (x / 3.0).powi(6)).powf(1.0 / 6.0)
            + 2.0)
    };
    let ppl = effective_loss_pct.clamp(0.0, 100.0);
    let ie_eff = impairment.ie + (95.0 - impairment.ie) * ppl / (ppl + impairment.bpl);
    R_DEFAULT - idd - ie_eff
}

/// G.107 Annex B: MOS (conversational quality, 1..4.5) from R.
pub fn mos_from_r(r: f64) -> f64 {
    if r <= 0.0 {
        1.0
    } else if r >= 100.0 {
        4.5
    } else {
        (1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6).clamp(1.0, 4.5)
    }
}

/// A summary of one call direction's quality, for logs, the agent's call screen and
/// the platform's records.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallStats {
    /// RFC 3550 interarrival jitter.
    pub jitter_ms: f64,
    /// Packets lost on the network, percent of expected.
    pub loss_pct: f64,
    /// Frames not played from a packet (lost or late, after FEC), percent of expected.
    pub effective_loss_pct: f64,
    /// Round-trip time from RTCP, when known.
    pub rtt_ms: Option<f64>,
    /// The jitter buffer's current target delay.
    pub jitter_buffer_ms: f64,
    /// Estimated one-way mouth-to-ear delay (RTT/2 + jitter buffer + codec framing).
    pub one_way_delay_ms: f64,
    /// E-model R factor.
    pub r_factor: f64,
    /// MOS estimated from R.
    pub mos: f64,
    /// Packets expected from the sequence numbers.
    pub packets_expected: u64,
    /// Packets that arrived.
    pub packets_received: u64,
    /// Packets expected but never received.
    pub packets_lost: u64,
    /// Packets that came after their playout slot.
    pub late: u64,
    /// Packets dropped as duplicates or because the buffer overflowed.
    pub discarded: u64,
    /// Frames recovered from Opus in-band FEC.
    pub fec_recovered: u64,
    /// The codec of the stream.
    pub codec: Codec,
}

/// Delay a packetized codec adds at the two ends besides the jitter buffer: one frame
/// of packetization plus look-ahead and device buffers, a common 20 ms + 20 ms planning
/// figure (G.114 planning uses similar per-codec allowances).
const ENDPOINT_DELAY: Duration = Duration::from_millis(40);

/// Everything [`CallStats::compute`] needs beyond the reception counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityInputs {
    /// The stream's codec (its E-model impairment).
    pub codec: Codec,
    /// Round-trip time from RTCP, if known yet.
    pub rtt: Option<Duration>,
    /// The jitter buffer's target delay ([`crate::JitterBuffer::target_delay`]).
    pub jitter_buffer_delay: Duration,
    /// Frames recovered through FEC (counted by the caller when `decode_fec` was used).
    pub fec_recovered: u64,
}

impl CallStats {
    /// Summarizes a stream from its reception counters and jitter buffer.
    pub fn compute(recv: &ReceiveStats, jitter: &JitterStats, inputs: QualityInputs) -> CallStats {
        let expected = recv.expected();
        let lost = recv.cumulative_lost();
        let not_played = (lost + jitter.late).saturating_sub(inputs.fec_recovered);
        let pct = |n: u64| {
            if expected == 0 {
                0.0
            } else {
                n as f64 * 100.0 / expected as f64
            }
        };
        let effective_loss_pct = pct(not_played).min(100.0);
        let one_way =
            inputs.rtt.unwrap_or(Duration::ZERO) / 2 + inputs.jitter_buffer_delay + ENDPOINT_DELAY;
        let r = r_factor(one_way, effective_loss_pct, Impairment::of(inputs.codec));
        CallStats {
            jitter_ms: recv.jitter_ms(),
            loss_pct: recv.loss_pct(),
            effective_loss_pct,
            rtt_ms: inputs.rtt.map(|d| d.as_secs_f64() * 1000.0),
            jitter_buffer_ms: inputs.jitter_buffer_delay.as_secs_f64() * 1000.0,
            one_way_delay_ms: one_way.as_secs_f64() * 1000.0,
            r_factor: r,
            mos: mos_from_r(r),
            packets_expected: expected,
            packets_received: recv.received(),
            packets_lost: lost,
            late: jitter.late,
            discarded: jitter.duplicates + jitter.overflow,
            fec_recovered: inputs.fec_recovered,
            codec: inputs.codec,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn known_e_model_points() {
        // No loss, 50 ms: R = 93.2, MOS 4.41 for G.711.
        let r = r_factor(MS * 50, 0.0, Impairment::G711_PLC);
        assert!((r - 93.2).abs() < 1e-9);
        assert!((mos_from_r(r) - 4.41).abs() < 0.01, "{}", mos_from_r(r));
        // 5 % random loss with PLC: Ie_eff = 95*5/30.1 = 15.8, R 77.4, MOS about 3.9.
        let lossy = mos_from_r(r_factor(MS * 50, 5.0, Impairment::G711_PLC));
        assert!((3.8..4.0).contains(&lossy), "{lossy}");
        // Delay: 150 ms barely matters, 400 ms does (G.114: keep one-way under 150 ms).
        let at_150 = mos_from_r(r_factor(MS * 150, 0.0, Impairment::G711_PLC));
        let at_400 = mos_from_r(r_factor(MS * 400, 0.0, Impairment::G711_PLC));
        assert!(at_150 > 4.3, "{at_150}");
        assert!(at_400 < 3.8 && at_400 > 2.5, "{at_400}");
        // Monotonic in loss; never outside 1..4.5.
        let mut last = 5.0;
        for loss in [0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0] {
            let m = mos_from_r(r_factor(MS * 80, loss, Impairment::OPUS));
            assert!(m <= last && (1.0..=4.5).contains(&m), "{loss}: {m}");
            last = m;
        }
        assert_eq!(mos_from_r(-5.0), 1.0);
        assert_eq!(mos_from_r(120.0), 4.5);
    }

    #[test]
    fn rfc3550_jitter_and_loss() {
        let mut s = ReceiveStats::new(8000);
        // Perfectly paced: no jitter.
        for i in 0..50u16 {
            s.on_packet(i, u32::from(i) * 160, MS * 20 * u32::from(i));
        }
        assert!(s.jitter_ms() < 1e-9);
        assert_eq!(
            (s.expected(), s.received(), s.cumulative_lost()),
            (50, 50, 0)
        );
        assert_eq!(s.take_fraction_lost(), 0);
        // Every other packet 10 ms late: |D| = 10 ms each time, J converges to 10 ms.
        for i in 50..1050u16 {
            let wobble = if i % 2 == 0 { MS * 10 } else { Duration::ZERO };
            s.on_packet(i, u32::from(i) * 160, MS * 20 * u32::from(i) + wobble);
        }
        assert!((s.jitter_ms() - 10.0).abs() < 0.1, "{}", s.jitter_ms());
        assert!((79..=80).contains(&s.jitter_rtp_units()));
        // Lose one in four of the next 100.
        s.take_fraction_lost();
        for i in 1050..1150u16 {
            if i % 4 != 0 {
                s.on_packet(i, u32::from(i) * 160, MS * 20 * u32::from(i));
            }
        }
        assert_eq!(s.cumulative_lost(), 25);
        assert_eq!(s.take_fraction_lost(), 64); // 25 % of 256
        assert!((s.loss_pct() - 25.0 * 100.0 / 1150.0).abs() < 1e-9);
    }

    #[test]
    fn sequence_wrap_counts_right() {
        let mut s = ReceiveStats::new(8000);
        for i in 0..100u16 {
            let seq = 65_500u16.wrapping_add(i);
            if i != 50 {
                s.on_packet(seq, u32::from(i) * 160, MS * 20 * u32::from(i));
            }
        }
        assert_eq!((s.expected(), s.cumulative_lost()), (100, 1));
    }

    #[test]
    fn rtt_from_lsr_and_dlsr() {
        // Sent SR at 1000.5 s, peer held it 0.25 s, report back at 1000.85 s: RTT 100 ms.
        let lsr = compact_ntp(Duration::from_millis(1_000_500));
        let dlsr = 65_536 / 4;
        let arrival = compact_ntp(Duration::from_millis(1_000_850));
        let rtt = rtt_from_report(arrival, lsr, dlsr).expect("rtt");
        assert!((rtt.as_secs_f64() - 0.1).abs() < 0.0001, "{rtt:?}");
        assert_eq!(rtt_from_report(arrival, 0, dlsr), None);
        // Arrival before LSR + DLSR: clock trouble, no figure rather than 18 hours.
        assert_eq!(rtt_from_report(lsr, lsr, dlsr), None);
    }

    #[test]
    fn call_stats_put_it_together_and_serialize() {
        let mut recv = ReceiveStats::new(48000);
        for i in 0..100u16 {
            if i % 20 != 10 {
                recv.on_packet(i, u32::from(i) * 960, MS * 20 * u32::from(i));
            }
        }
        let jitter = JitterStats {
            late: 1,
            ..JitterStats::default()
        };
        let inputs = QualityInputs {
            codec: Codec::Opus,
            rtt: Some(MS * 60),
            jitter_buffer_delay: MS * 40,
            fec_recovered: 3,
        };
        let stats = CallStats::compute(&recv, &jitter, inputs);
        assert_eq!(stats.packets_lost, 5);
        assert!((stats.loss_pct - 5.0).abs() < 1e-9);
        assert!((stats.effective_loss_pct - 3.0).abs() < 1e-9);
        assert!((stats.one_way_delay_ms - 110.0).abs() < 1e-6);
        assert!(stats.mos > 3.9 && stats.mos < 4.3, "{}", stats.mos);
        let json = serde_json::to_string(&stats).expect("json");
        let back: CallStats = serde_json::from_str(&json).expect("back");
        assert_eq!(back.packets_lost, 5);
        assert!((back.mos - stats.mos).abs() < 1e-9);
        assert!(json.contains("\"codec\":\"Opus\""), "{json}");
    }
}
