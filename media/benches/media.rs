//! Per-frame CPU cost of the media pieces a call runs every 20 ms, so that `make bench`
//! can turn them into CPU per call-minute (x 3000 frames per minute per direction).

use criterion::{criterion_group, criterion_main, Criterion};
use seatline_media::jitter::{JitterBuffer, JitterConfig};
use seatline_media::tone::SineGenerator;
use seatline_media::{g711, AudioFrame, Codec, Decoder, Encoder, Resampler, RtpSender, SampleRate};
use std::hint::black_box;
use std::time::Duration;

/// One second of a voice-like signal at 48 kHz: harmonics of a gliding pitch.
fn voice_48k() -> Vec<AudioFrame> {
    let mut low = SineGenerator::new(SampleRate::Hz48000, 180.0, 0.3);
    let mut high = SineGenerator::new(SampleRate::Hz48000, 1260.0, 0.1);
    (0..50)
        .map(|_| {
            let a = low.next_frame();
            let b = high.next_frame();
            let samples = a
                .samples
                .iter()
                .zip(&b.samples)
                .map(|(x, y)| x.saturating_add(*y))
                .collect();
            AudioFrame {
                rate: SampleRate::Hz48000,
                samples,
            }
        })
        .collect()
}

fn codecs(c: &mut Criterion) {
    let frames = voice_48k();
    let mut enc = Encoder::new(Codec::Opus).expect("opus encoder");
    let packets: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| enc.encode(f).expect("encode"))
        .collect();

    let mut i = 0;
    c.bench_function("opus_encode_20ms", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            black_box(enc.encode(black_box(&frames[i])).expect("encode"))
        })
    });
    let mut dec = Decoder::new(Codec::Opus).expect("opus decoder");
    c.bench_function("opus_decode_20ms", |b| {
        b.iter(|| {
            i = (i + 1) % packets.len();
            black_box(dec.decode(Some(black_box(&packets[i]))).expect("decode"))
        })
    });
    c.bench_function("opus_plc_20ms", |b| {
        b.iter(|| black_box(dec.conceal().expect("plc")))
    });

    let pcm8: Vec<i16> = SineGenerator::new(SampleRate::Hz8000, 440.0, 0.5).samples(160);
    c.bench_function("g711_ulaw_encode_20ms", |b| {
        b.iter(|| black_box(g711::encode(g711::Law::Ulaw, black_box(&pcm8))))
    });
    let ulaw = g711::encode(g711::Law::Ulaw, &pcm8);
    c.bench_function("g711_ulaw_decode_20ms", |b| {
        b.iter(|| black_box(g711::decode(g711::Law::Ulaw, black_box(&ulaw))))
    });
    // The trunk leg's whole send path from a 48 kHz device frame: resample + PCMA.
    let mut pcma = Encoder::new(Codec::Pcma).expect("pcma");
    c.bench_function("pcma_encode_from_48k_20ms", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            black_box(pcma.encode(black_box(&frames[i])).expect("encode"))
        })
    });
}

fn resampling(c: &mut Criterion) {
    let frame8 = SineGenerator::new(SampleRate::Hz8000, 440.0, 0.5).next_frame();
    let frame48 = SineGenerator::new(SampleRate::Hz48000, 440.0, 0.5).next_frame();
    let mut up = Resampler::new(SampleRate::Hz8000, SampleRate::Hz48000);
    let mut down = Resampler::new(SampleRate::Hz48000, SampleRate::Hz8000);
    c.bench_function("resample_8k_to_48k_20ms", |b| {
        b.iter(|| black_box(up.process(black_box(&frame8)).expect("up")))
    });
    c.bench_function("resample_48k_to_8k_20ms", |b| {
        b.iter(|| black_box(down.process(black_box(&frame48)).expect("down")))
    });
}

fn jitter_buffer(c: &mut Criterion) {
    // Steady state: each iteration is one packet in and one frame out, 20 ms apart,
    // with a window of transits full (5 s), as in a running call.
    let mut rtp = RtpSender::new(1, 0, 8000, 0, 0);
    let mut jb = JitterBuffer::new(JitterConfig::new(8000));
    let mut t = Duration::ZERO;
    let payload = vec![0u8; 160];
    let mut step = |jb: &mut JitterBuffer, t: &mut Duration| {
        let p = rtp.packetize(payload.clone());
        let jitter = Duration::from_millis(u64::from(p.sequence % 7) * 5);
        jb.push(&p, *t + jitter);
        *t += Duration::from_millis(20);
        jb.pop(*t)
    };
    for _ in 0..300 {
        step(&mut jb, &mut t);
    }
    c.bench_function("jitter_push_pop", |b| {
        b.iter(|| black_box(step(&mut jb, &mut t)))
    });
}

criterion_group!(benches, codecs, resampling, jitter_buffer);
criterion_main!(benches);
