//! WAV files in and out (`hound`): recorded phrases for call tests, the prompts a peer
//! plays, and recordings of what was heard.
//!
//! Reading takes any rate and 8/16/24/32-bit integer or float samples, mixes all channels
//! down to mono and converts to 8 or 48 kHz with `rubato`'s FFT resampler (offline, so
//! its delay is trimmed and does not matter here; the live path uses
//! [`crate::Resampler`]). Writing makes mono 16-bit files.

use crate::frame::{AudioFrame, SampleRate};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler as _};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Why a WAV file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// Not a WAV file hound can read, or an I/O failure underneath.
    #[error("wav: {0}")]
    Format(#[from] hound::Error),
    /// A header that claims no channels or no sample rate.
    #[error("wav header has {channels} channels at {rate} Hz")]
    BadHeader {
        /// Channels the header claims.
        channels: u16,
        /// Sample rate the header claims.
        rate: u32,
    },
    /// Frames to write that are not all at one rate.
    #[error("frames to write are at different sample rates")]
    MixedRates,
    /// rubato refused the conversion.
    #[error("resampling the file: {0}")]
    Resample(String),
}

/// Reads a WAV file into 20 ms frames at `rate` (the last frame padded with silence).
pub fn read_file(path: impl AsRef<Path>, rate: SampleRate) -> Result<Vec<AudioFrame>, WavError> {
    read(hound::WavReader::open(path)?, rate)
}

/// Reads WAV data from any reader into 20 ms frames at `rate`.
pub fn read_from<R: Read>(reader: R, rate: SampleRate) -> Result<Vec<AudioFrame>, WavError> {
    read(hound::WavReader::new(reader)?, rate)
}

fn read<R: Read>(
    reader: hound::WavReader<R>,
    rate: SampleRate,
) -> Result<Vec<AudioFrame>, WavError> {
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(WavError::BadHeader {
            channels: spec.channels,
            rate: spec.sample_rate,
        });
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.into_samples::<f32>().collect::<Result<_, _>>()?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()?
        }
    };
    let channels = usize::from(spec.channels);
    let mono: Vec<f32> = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    let at_rate = resample_offline(&mono, spec.sample_rate, rate.hz())?;
    Ok(to_frames(&at_rate, rate))
}

/// Converts a whole clip between any two rates, delay trimmed.
fn resample_offline(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, WavError> {
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let backend = |e: &dyn std::fmt::Display| WavError::Resample(e.to_string());
    let mut fft = Fft::<f32>::new(from as usize, to as usize, 1024, 1, FixedSync::Input)
        .map_err(|e| backend(&e))?;
    let mut output = vec![0.0f32; fft.process_all_needed_output_len(input.len())];
    let in_len = input.len();
    let out_len = output.len();
    let source = InterleavedSlice::new(input, 1, in_len).map_err(|e| backend(&e))?;
    let mut sink =
        InterleavedSlice::new_mut(&mut output[..], 1, out_len).map_err(|e| backend(&e))?;
    let (_, written) = fft
        .process_all_into_buffer(&source, &mut sink, in_len, None)
        .map_err(|e| backend(&e))?;
    output.truncate(written);
    Ok(output)
}

fn to_frames(samples: &[f32], rate: SampleRate) -> Vec<AudioFrame> {
    samples
        .chunks(rate.samples_per_frame())
        .map(|chunk| {
            let mut pcm: Vec<i16> = chunk
                .iter()
                .map(|&x| (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
                .collect();
            pcm.resize(rate.samples_per_frame(), 0);
            AudioFrame { rate, samples: pcm }
        })
        .collect()
}

/// Writes frames (all at one rate) as a mono 16-bit WAV file.
pub fn write_file(path: impl AsRef<Path>, frames: &[AudioFrame]) -> Result<(), WavError> {
    let rate = common_rate(frames)?;
    let writer = hound::WavWriter::create(path, spec(rate))?;
    write(writer, frames)
}

/// Writes frames as mono 16-bit WAV data to any seekable writer.
pub fn write_to<W: Write + Seek>(writer: W, frames: &[AudioFrame]) -> Result<(), WavError> {
    let rate = common_rate(frames)?;
    write(hound::WavWriter::new(writer, spec(rate))?, frames)
}

fn write<W: Write + Seek>(
    mut writer: hound::WavWriter<W>,
    frames: &[AudioFrame],
) -> Result<(), WavError> {
    for frame in frames {
        for &s in &frame.samples {
            writer.write_sample(s)?;
        }
    }
    writer.finalize()?;
    Ok(())
}

fn common_rate(frames: &[AudioFrame]) -> Result<SampleRate, WavError> {
    let rate = frames.first().map_or(SampleRate::Hz8000, |f| f.rate);
    if frames.iter().any(|f| f.rate != rate) {
        return Err(WavError::MixedRates);
    }
    Ok(rate)
}

fn spec(rate: SampleRate) -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: rate.hz(),
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::{dominant_frequency, level_dbfs, SineGenerator};
    use std::io::Cursor;

    /// A WAV in memory: `channels` x samples from `gen(channel, index)` at `rate`.
    fn wav_bytes(spec: hound::WavSpec, len: usize, gen: impl Fn(u16, usize) -> f64) -> Vec<u8> {
        let mut cursor = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut cursor, spec).expect("writer");
        for i in 0..len {
            for c in 0..spec.channels {
                let x = gen(c, i);
                match (spec.sample_format, spec.bits_per_sample) {
                    (hound::SampleFormat::Float, _) => w.write_sample(x as f32).expect("w"),
                    (_, 16) => w.write_sample((x * 32767.0) as i16).expect("w"),
                    (_, bits) => w
                        .write_sample((x * ((1i64 << (bits - 1)) - 1) as f64) as i32)
                        .expect("w"),
                }
            }
        }
        w.finalize().expect("finalize");
        cursor.into_inner()
    }

    fn sine(hz: f64, rate: f64) -> impl Fn(u16, usize) -> f64 {
        move |_, i| 0.5 * (2.0 * std::f64::consts::PI * hz * i as f64 / rate).sin()
    }

    #[test]
    fn reads_44k1_stereo_16_bit_into_8k_frames() {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        // One second; the right channel is silent, so the mono mix is half level.
        let bytes = wav_bytes(spec, 44_100, |c, i| {
            if c == 0 {
                sine(440.0, 44_100.0)(c, i)
            } else {
                0.0
            }
        });
        let frames = read_from(Cursor::new(bytes), SampleRate::Hz8000).expect("read");
        assert!((frames.len() as i64 - 50).abs() <= 1, "{}", frames.len());
        let pcm: Vec<i16> = frames.iter().flat_map(|f| f.samples.clone()).collect();
        let f = dominant_frequency(&pcm[800..7200], SampleRate::Hz8000, 100.0, 3900.0, 20.0);
        assert!((f - 440.0).abs() <= 2.0, "{f}");
        // Half of a half-scale sine: -15 dBFS.
        assert!(
            (level_dbfs(&pcm[800..7200]) + 15.05).abs() < 0.5,
            "{}",
            level_dbfs(&pcm[800..7200])
        );
    }

    #[test]
    fn reads_float_and_24_bit_and_keeps_8k_as_is() {
        for (format, bits) in [
            (hound::SampleFormat::Float, 32),
            (hound::SampleFormat::Int, 24),
        ] {
            let spec = hound::WavSpec {
                channels: 1,
                sample_rate: 16_000,
                bits_per_sample: bits,
                sample_format: format,
            };
            let bytes = wav_bytes(spec, 16_000, sine(1000.0, 16_000.0));
            let frames = read_from(Cursor::new(bytes), SampleRate::Hz48000).expect("read");
            let pcm: Vec<i16> = frames.iter().flat_map(|f| f.samples.clone()).collect();
            let f = dominant_frequency(&pcm[4800..43200], SampleRate::Hz48000, 100.0, 7000.0, 50.0);
            assert!((f - 1000.0).abs() <= 2.0, "{format:?}: {f}");
        }
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let bytes = wav_bytes(spec, 200, |_, i| i as f64 / 32767.0);
        let frames = read_from(Cursor::new(bytes), SampleRate::Hz8000).expect("read");
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].samples[5], 5);
        assert_eq!(frames[1].samples[39], 199);
        assert_eq!(frames[1].samples[40], 0, "padded");
    }

    #[test]
    fn writes_and_reads_back() {
        let mut g = SineGenerator::new(SampleRate::Hz48000, 700.0, 0.3);
        let frames: Vec<AudioFrame> = (0..10).map(|_| g.next_frame()).collect();
        let mut cursor = Cursor::new(Vec::new());
        write_to(&mut cursor, &frames).expect("write");
        let back = read_from(Cursor::new(cursor.into_inner()), SampleRate::Hz48000).expect("read");
        assert_eq!(back, frames);
        let dir = std::env::temp_dir().join(format!("seatline-media-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("tone.wav");
        write_file(&path, &frames).expect("write file");
        assert_eq!(
            read_file(&path, SampleRate::Hz48000).expect("read file"),
            frames
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert!(matches!(
            read_from(
                Cursor::new(b"RIFF\x10\0\0\0WAVEjunk".to_vec()),
                SampleRate::Hz8000
            ),
            Err(WavError::Format(_))
        ));
        assert!(matches!(
            read_from(Cursor::new(Vec::new()), SampleRate::Hz8000),
            Err(WavError::Format(_))
        ));
        let mixed = [
            AudioFrame::silence(SampleRate::Hz8000),
            AudioFrame::silence(SampleRate::Hz48000),
        ];
        assert!(matches!(
            write_to(Cursor::new(Vec::new()), &mixed),
            Err(WavError::MixedRates)
        ));
        assert!(read_file("/nonexistent/seatline.wav", SampleRate::Hz8000).is_err());
        // A valid header followed by truncated data.
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut bytes = wav_bytes(spec, 100, |_, _| 0.1);
        bytes.truncate(bytes.len() - 101);
        assert!(read_from(Cursor::new(bytes), SampleRate::Hz8000).is_err());
    }
}
