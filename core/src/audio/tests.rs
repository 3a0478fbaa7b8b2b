//! The device layer's behaviour through the WAV backend: same rings, same xrun policy as
//! the real backends, but paced by the test.

use std::path::Path;
use std::time::Duration;

use seatline_media::{AudioFrame, SampleRate};

use super::*;

fn ramp(frames: usize) -> Vec<i16> {
    (0..frames * FRAME_SAMPLES)
        .map(|i| (i % 30_000) as i16)
        .collect()
}

fn frame_of(v: i16) -> AudioFrame {
    AudioFrame {
        rate: RATE,
        samples: vec![v; FRAME_SAMPLES],
    }
}

fn pull(input: WavInput) -> WavBackend {
    WavBackend::new(Pacing::Pull).with_input(input)
}

fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create test wav");
    for &s in samples {
        w.write_sample(s).expect("write test wav");
    }
    w.finalize().expect("finish test wav");
}

#[test]
fn streams_are_send() {
    fn is_send<T: Send>() {}
    is_send::<AudioStreams>();
    is_send::<CaptureStream>();
    is_send::<PlaybackStream>();
}

#[test]
fn pull_capture_gives_the_file_frame_by_frame_then_silence() {
    let samples = ramp(3);
    let mut s = pull(WavInput::Samples {
        samples: samples.clone(),
        repeat: Repeat::Once,
    })
    .open(&StreamConfig::default())
    .expect("open");
    assert_eq!(s.pacing(), Pacing::Pull);
    assert!(
        s.capture.read_frame().is_none(),
        "nothing before the first period"
    );
    for chunk in samples.chunks(FRAME_SAMPLES) {
        s.step().expect("step");
        let frame = s.capture.read_frame().expect("one frame per period");
        assert_eq!(frame.rate, SampleRate::Hz48000);
        assert_eq!(frame.samples, chunk);
        assert!(s.capture.read_frame().is_none());
    }
    s.step().expect("step");
    assert_eq!(s.capture.read_frame(), Some(AudioFrame::silence(RATE)));
    assert_eq!(s.stats(), AudioStats::default());
}

#[test]
fn looping_input_starts_over() {
    let samples = ramp(2);
    let mut s = pull(WavInput::Samples {
        samples: samples.clone(),
        repeat: Repeat::Loop,
    })
    .open(&StreamConfig::default())
    .expect("open");
    let mut got = Vec::new();
    for _ in 0..4 {
        s.step().expect("step");
        got.extend(s.capture.read_frame().expect("frame").samples);
    }
    assert_eq!(got[..2 * FRAME_SAMPLES], samples[..]);
    assert_eq!(got[2 * FRAME_SAMPLES..], samples[..]);
}

#[test]
fn a_slow_engine_gets_recent_audio_and_the_overrun_is_counted() {
    let samples = ramp(10);
    let cfg = StreamConfig::default();
    let mut s = pull(WavInput::Samples {
        samples: samples.clone(),
        repeat: Repeat::Once,
    })
    .open(&cfg)
    .expect("open");
    for _ in 0..10 {
        s.step().expect("step");
    }
    // The oldest frames beyond the backlog bound are gone; what is left ends with the
    // newest frame.
    let mut got = Vec::new();
    while let Some(f) = s.capture.read_frame() {
        got.push(f);
    }
    assert_eq!(got.len(), cfg.max_backlog_frames + 1);
    let last = got.last().expect("frames");
    assert_eq!(last.samples, samples[9 * FRAME_SAMPLES..]);
    assert!(s.stats().capture_overruns >= 1);
}

#[test]
fn playback_records_what_the_engine_wrote_and_counts_underruns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("played.wav");
    let mut s = WavBackend::new(Pacing::Pull)
        .record_to(&out)
        .open(&StreamConfig::default())
        .expect("open");
    // Before the engine's first frame: silence, not counted as an underrun.
    s.step().expect("step");
    s.playback.write_frame(&frame_of(100)).expect("write");
    s.playback.write_frame(&frame_of(200)).expect("write");
    assert_eq!(s.playback.queued_frames(), 2);
    s.step().expect("step");
    s.step().expect("step");
    // The engine is late: this period plays silence and counts.
    s.step().expect("step");
    s.playback.write_frame(&frame_of(300)).expect("write");
    s.step().expect("step");
    assert_eq!(s.stats().playback_underruns, 1);
    s.close().expect("close finishes the file");

    let played = read_recording(&out).expect("read back");
    let expect: Vec<i16> = [0, 100, 200, 0, 300]
        .iter()
        .flat_map(|&v| std::iter::repeat_n(v, FRAME_SAMPLES))
        .collect();
    assert_eq!(played, expect);
}

#[test]
fn an_engine_that_runs_ahead_loses_the_oldest_playback() {
    let cfg = StreamConfig::default();
    let mut s = WavBackend::new(Pacing::Pull).open(&cfg).expect("open");
    for v in 1..=20 {
        s.playback.write_frame(&frame_of(v)).expect("write");
    }
    let stats = s.stats();
    assert!(stats.playback_overruns >= 1, "{stats:?}");
    s.step().expect("step");
    assert_eq!(s.playback.queued_frames(), cfg.max_backlog_frames - 1);
}

#[test]
fn playback_refuses_frames_in_another_format() {
    let mut s = WavBackend::new(Pacing::Pull)
        .open(&StreamConfig::default())
        .expect("open");
    let narrow = AudioFrame::silence(SampleRate::Hz8000);
    assert!(matches!(
        s.playback.write_frame(&narrow),
        Err(AudioError::Unsupported(_))
    ));
}

#[test]
fn no_microphone_is_a_typed_error_but_a_speaker_alone_opens() {
    let b = pull(WavInput::None);
    let err = b.open(&StreamConfig::default()).err();
    assert_eq!(err, Some(AudioError::NoMicrophone));
    assert!(err.is_some_and(|e| e.to_string().contains("请插入麦克风")));
    let speaker_only = StreamConfig {
        capture: false,
        ..StreamConfig::default()
    };
    assert!(b.open(&speaker_only).is_ok());
}

#[test]
fn a_missing_file_is_a_file_error() {
    let b = pull(WavInput::File {
        path: "/nonexistent/seatline.wav".into(),
        repeat: Repeat::Once,
    });
    assert!(matches!(
        b.open(&StreamConfig::default()),
        Err(AudioError::File { .. })
    ));
}

#[test]
fn wav_files_are_converted_to_48k_mono() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.wav");
    // 0.1 s of stereo at 44.1 kHz: left 1000, right 3000 → mono 2000.
    let stereo: Vec<i16> = (0..4410).flat_map(|_| [1000, 3000]).collect();
    write_wav(&path, 44_100, 2, &stereo);
    let mut s = pull(WavInput::File {
        path: path.clone(),
        repeat: Repeat::Once,
    })
    .open(&StreamConfig::default())
    .expect("open");
    let mut got = Vec::new();
    for _ in 0..6 {
        s.step().expect("step");
        got.extend(s.capture.read_frame().expect("frame").samples);
    }
    // 0.1 s is 4800 samples at 48 kHz; after the resampler's ramp-in from silence it is
    // all 2000.
    assert!(got[2..4790].iter().all(|&v| v == 2000), "{:?}", &got[..4]);
    assert!(got[4810..].iter().all(|&v| v == 0));

    // A 48 kHz mono file passes bit-exact.
    let samples = ramp(2);
    write_wav(&path, 48_000, 1, &samples);
    assert_eq!(read_recording(&path).expect("read"), samples);
}

#[test]
fn realtime_mode_runs_on_its_own_clock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("rt.wav");
    let mut s = WavBackend::new(Pacing::Realtime)
        .with_input(WavInput::Samples {
            samples: ramp(50),
            repeat: Repeat::Loop,
        })
        .record_to(&out)
        .open(&StreamConfig::default())
        .expect("open");
    assert_eq!(s.pacing(), Pacing::Realtime);
    assert!(matches!(s.step(), Err(AudioError::Unsupported(_))));
    let mut frames = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while frames < 10 && std::time::Instant::now() < deadline {
        while let Some(f) = s.capture.read_frame() {
            frames += 1;
            let _ = s.playback.write_frame(&f);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(frames >= 10, "only {frames} frames in 5 s");
    assert_eq!(s.device_state(), DeviceState::Running);
    s.close().expect("close");
    let played = read_recording(&out).expect("read back");
    assert!(played.len() >= 10 * FRAME_SAMPLES, "{}", played.len());
}

#[test]
fn mic_test_measures_the_level() {
    let tone = Tone {
        hz: 1000.0,
        amplitude: 0.5,
        duration: Duration::from_millis(400),
    };
    let samples: Vec<i16> = tone.frames().into_iter().flat_map(|f| f.samples).collect();
    let loud = pull(WavInput::Samples {
        samples,
        repeat: Repeat::Loop,
    });
    let level = mic_test(&loud, &StreamConfig::default(), 20).expect("mic test");
    assert_eq!(level.frames, 20);
    assert!((level.peak_dbfs - -6.0).abs() < 0.2, "{level:?}");
    // A sine's RMS is 3 dB under its peak.
    assert!((level.rms_dbfs - -9.0).abs() < 0.2, "{level:?}");
    assert!(level.hears_something());

    let quiet = mic_test(&pull(WavInput::Silence), &StreamConfig::default(), 5).expect("test");
    assert!(!quiet.hears_something());
    assert_eq!(
        mic_test(&pull(WavInput::None), &StreamConfig::default(), 5),
        Err(AudioError::NoMicrophone)
    );
}

#[test]
fn test_sound_plays_the_tone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("tone.wav");
    // No microphone: the speaker test must not need one.
    let b = pull(WavInput::None).record_to(&out);
    let tone = Tone::default();
    test_sound(&b, &StreamConfig::default(), &tone).expect("test sound");
    let played = read_recording(&out).expect("read back");
    let expect: Vec<i16> = tone.frames().into_iter().flat_map(|f| f.samples).collect();
    assert_eq!(played.len(), 50 * FRAME_SAMPLES);
    assert_eq!(played, expect);
}

#[test]
fn test_sound_in_realtime() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("tone-rt.wav");
    let b = WavBackend::new(Pacing::Realtime).record_to(&out);
    let tone = Tone {
        duration: Duration::from_millis(200),
        ..Tone::default()
    };
    test_sound(&b, &StreamConfig::default(), &tone).expect("test sound");
    let played = read_recording(&out).expect("read back");
    let expect: Vec<i16> = tone.frames().into_iter().flat_map(|f| f.samples).collect();
    // The clock ran before and after the tone; the tone itself is in there whole.
    let start = played.windows(expect.len()).position(|w| w == &expect[..]);
    assert!(
        start.is_some(),
        "tone not found in {} samples",
        played.len()
    );
}
