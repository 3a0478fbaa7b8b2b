//! One direction of a call through every piece, on simulated time: encoder, RTP, a
//! seeded lossy and jittery network, RTP parsing, reception statistics, the jitter
//! buffer, decoding with FEC and concealment; then the delay of a known phrase is
//! measured at the far end by cross-correlation, and the call's MOS estimated.

use rand::{Rng, SeedableRng};
use seatline_media::jitter::{JitterBuffer, JitterConfig, Playout};
use seatline_media::stats::{CallStats, QualityInputs, ReceiveStats};
use seatline_media::tone::{align, SineGenerator};
use seatline_media::{AudioFrame, Codec, Decoder, Encoder, RtpPacket, RtpSender, SampleRate};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

/// A rising chirp: a phrase with one clear alignment.
fn chirp(rate: SampleRate, samples: usize) -> Vec<i16> {
    let sr = f64::from(rate.hz());
    (0..samples)
        .map(|i| {
            let t = i as f64 / sr;
            ((2.0 * std::f64::consts::PI * (300.0 + 1200.0 * t) * t).sin() * 9000.0) as i16
        })
        .collect()
}

struct Outcome {
    stats: CallStats,
    /// Mouth-to-ear delay of the phrase, measured.
    phrase_delay: Duration,
    score: f64,
}

fn run_call(codec: Codec, loss: f64, max_jitter_ms: u64, seed: u64) -> Outcome {
    let rate = SampleRate::Hz48000;
    let n = rate.samples_per_frame();
    let frames = 300; // 6 s
                      // The talker: a low hum, and the phrase (1 s chirp) starting at 2 s.
    let phrase = chirp(rate, 48_000);
    let mut hum = SineGenerator::new(rate, 150.0, 0.05);
    let mut input: Vec<i16> = (0..frames).flat_map(|_| hum.next_frame().samples).collect();
    for (i, &s) in phrase.iter().enumerate() {
        input[96_000 + i] = input[96_000 + i].saturating_add(s);
    }

    let mut encoder = Encoder::new(codec).expect("encoder");
    encoder
        .set_packet_loss_perc((loss * 100.0) as u8)
        .expect("loss");
    let mut sender = RtpSender::new(
        0xCA11,
        codec.default_payload_type(),
        codec.clock_rate(),
        40_000,
        7,
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let base = MS * 30;
    let mut wire: Vec<(Duration, Vec<u8>)> = Vec::new();
    for (i, chunk) in input.chunks(n).enumerate() {
        let frame = AudioFrame::new(rate, chunk.to_vec()).expect("frame");
        let packet = sender.packetize(encoder.encode(&frame).expect("encode"));
        if rng.gen_bool(loss) {
            continue;
        }
        let sent = MS * 20 * i as u32;
        let jitter = MS * rng.gen_range(0..=max_jitter_ms) as u32;
        wire.push((sent + base + jitter, packet.to_bytes()));
    }
    wire.sort_by_key(|(t, _)| *t);

    let mut received = ReceiveStats::new(codec.clock_rate());
    let mut buffer = JitterBuffer::new(JitterConfig::new(codec.clock_rate()));
    let mut decoder = Decoder::with_output_rate(codec, rate).expect("decoder");
    let mut output: Vec<i16> = Vec::new();
    let mut fec_recovered = 0;
    let mut next = 0;
    let mut now = MS * 3;
    while output.len() < input.len() + 48_000 {
        while next < wire.len() && wire[next].0 <= now {
            let (arrival, bytes) = &wire[next];
            let packet = RtpPacket::parse(bytes).expect("valid rtp");
            received.on_packet(packet.sequence, packet.timestamp, *arrival);
            buffer.push(&packet, *arrival);
            next += 1;
        }
        let frame = match buffer.pop(now) {
            Playout::Packet { payload, .. } => decoder.decode(Some(&payload)).expect("decode"),
            Playout::Lost { next: Some(next) } if codec == Codec::Opus => {
                fec_recovered += 1;
                decoder.decode_fec(&next).expect("fec")
            }
            Playout::Lost { .. } => decoder.conceal().expect("conceal"),
            Playout::Empty => AudioFrame::silence(rate),
        };
        output.extend(frame.samples);
        now += MS * 20;
    }

    // Search the 250 ms after the phrase was spoken (2 s): enough for any delay here,
    // and a search over the whole call would cost seconds in a debug build.
    let from = 96_000;
    let found = align(&phrase[..4800], &output[from..], 12_000).expect("phrase found");
    let stats = CallStats::compute(
        &received,
        &buffer.stats(),
        QualityInputs {
            codec,
            rtt: Some(base * 2),
            jitter_buffer_delay: buffer.target_delay(),
            fec_recovered,
        },
    );
    Outcome {
        stats,
        // The search started at 2 s of output, where the phrase started at the talker;
        // the receiver's clock started 3 ms after the sender's.
        phrase_delay: found.delay(rate) + MS * 3,
        score: found.score,
    }
}

#[test]
fn opus_call_with_loss_and_jitter() {
    let out = run_call(Codec::Opus, 0.05, 60, 1);
    let s = &out.stats;
    eprintln!(
        "opus: delay {:?}, score {:.2}, loss {:.1} %, effective {:.1} %, jitter {:.1} ms, \
         buffer {:.0} ms, fec {}, MOS {:.2}",
        out.phrase_delay,
        out.score,
        s.loss_pct,
        s.effective_loss_pct,
        s.jitter_ms,
        s.jitter_buffer_ms,
        s.fec_recovered,
        s.mos
    );
    assert!((2.0..9.0).contains(&s.loss_pct), "{s:?}");
    assert!(
        s.effective_loss_pct < s.loss_pct,
        "FEC recovered some: {s:?}"
    );
    assert!(s.jitter_ms > 5.0 && s.jitter_ms < 40.0, "{s:?}");
    assert!(out.score > 0.5, "{}", out.score);
    // Network 30-90 ms, a jitter buffer sized for 60 ms of jitter, Opus's 6.5 ms.
    assert!(
        out.phrase_delay > MS * 60 && out.phrase_delay < MS * 200,
        "{:?}",
        out.phrase_delay
    );
    assert!(s.mos > 3.8 && s.mos <= 4.5, "{s:?}");
}

#[test]
fn g711_call_on_a_clean_network() {
    let out = run_call(Codec::Pcma, 0.0, 5, 2);
    let s = &out.stats;
    assert_eq!(s.packets_lost, 0);
    assert!(out.score > 0.9, "{}", out.score);
    // 30-35 ms on the wire and a 20 ms floor for the buffer, plus resampling (8 ms).
    assert!(
        out.phrase_delay > MS * 40 && out.phrase_delay < MS * 110,
        "{:?}",
        out.phrase_delay
    );
    assert!(s.mos > 4.3, "{s:?}");
}

#[test]
fn heavy_loss_costs_quality() {
    let clean = run_call(Codec::Opus, 0.0, 20, 3).stats.mos;
    let lossy = run_call(Codec::Opus, 0.2, 20, 3).stats.mos;
    assert!(lossy < clean - 0.5, "clean {clean}, 20 % loss {lossy}");
}
