//! One call's audio processing, sans-IO: packets and captured frames in with the time as
//! an argument, payloads to send and frames to play out. The engine task only moves data
//! between this, the sound device and the leg, so everything here is tested without a
//! network or a sound card.

use super::levels::Levels;
use seatline_media::gain::{AgcConfig, Microphone, OutputVolume};
use seatline_media::jitter::{JitterBuffer, JitterConfig, Playout};
use seatline_media::stats::{CallStats, QualityInputs, ReceiveStats};
use seatline_media::{AudioFrame, Codec, CodecError, Decoder, Encoder, RtpPacket, SampleRate};
use std::sync::Arc;
use std::time::Duration;

/// The rate of the sound device side (the audio layer's format).
const DEVICE_RATE: SampleRate = SampleRate::Hz48000;
/// The Opus encoder always plans for at least this much loss, so a sudden burst on a
/// phone's radio finds FEC already in the packets (costs a few kbit/s).
pub const MIN_PLANNED_LOSS_PCT: u8 = 5;

pub struct AudioPath {
    codec: Codec,
    encoder: Encoder,
    decoder: Decoder,
    jitter: JitterBuffer,
    recv: ReceiveStats,
    microphone: Microphone,
    volume: OutputVolume,
    agc_on: bool,
    levels: Arc<Levels>,
    fec_recovered: u64,
    sent: u64,
    rtt: Option<Duration>,
    planned_loss: u8,
}

impl std::fmt::Debug for AudioPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioPath")
            .field("codec", &self.codec)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl AudioPath {
    pub fn new(codec: Codec, levels: Arc<Levels>) -> Result<Self, CodecError> {
        // The encoder starts planning for `OPUS_DEFAULT_LOSS_PERC` until stats come in.
        Ok(Self {
            codec,
            encoder: Encoder::new(codec)?,
            decoder: Decoder::with_output_rate(codec, DEVICE_RATE)?,
            jitter: JitterBuffer::new(JitterConfig::new(codec.clock_rate())),
            recv: ReceiveStats::new(codec.clock_rate()),
            microphone: Microphone::new(),
            volume: OutputVolume::new(),
            agc_on: true,
            levels,
            fec_recovered: 0,
            sent: 0,
            rtt: None,
            planned_loss: seatline_media::codec::OPUS_DEFAULT_LOSS_PERC,
        })
    }

    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// RTP timestamp units of one 20 ms packet.
    pub fn samples_per_packet(&self) -> u32 {
        self.codec.timestamp_step()
    }

    /// Packets encoded so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// A received audio packet, `arrival` on the engine's clock.
    pub fn receive(
        &mut self,
        sequence: u16,
        timestamp: u32,
        marker: bool,
        payload: Vec<u8>,
        arrival: Duration,
    ) {
        self.recv.on_packet(sequence, timestamp, arrival);
        let packet = RtpPacket {
            payload_type: 0,
            marker,
            sequence,
            timestamp,
            // One remote stream per leg; the leg already demultiplexed by SSRC.
            ssrc: 0,
            payload: payload.into(),
        };
        self.jitter.push(&packet, arrival);
    }

    /// The frame to play at `now` (one call per 20 ms), at the device rate, with the
    /// agent's output volume applied. Lost packets are recovered from the next packet's
    /// FEC when it is here (Opus), else concealed.
    pub fn playout(&mut self, now: Duration) -> AudioFrame {
        let decoded = match self.jitter.pop(now) {
            Playout::Packet { payload, .. } => self.decoder.decode(Some(&payload)),
            Playout::Lost {
                next: Some(next), ..
            } if self.codec == Codec::Opus => {
                self.fec_recovered += 1;
                self.decoder.decode_fec(&next)
            }
            Playout::Lost { .. } => self.decoder.conceal(),
            Playout::Empty => Ok(AudioFrame::silence(DEVICE_RATE)),
        };
        let mut frame = decoded.unwrap_or_else(|e| {
            tracing::trace!(error = %e, "undecodable packet played as silence");
            AudioFrame::silence(DEVICE_RATE)
        });
        self.volume.set(self.levels.volume());
        self.volume.apply(&mut frame);
        frame
    }

    /// One captured frame to one payload: microphone gain, AGC (R17), mute, encode.
    pub fn capture(&mut self, frame: &mut AudioFrame) -> Result<Vec<u8>, CodecError> {
        let gain = self.levels.mic_gain();
        // A linear factor 0..=4 as dB; the microphone takes -20..=+20.
        let db = if gain > 0.0 {
            20.0 * gain.log10()
        } else {
            -20.0
        };
        self.microphone.set_gain_db(db);
        self.microphone.set_muted(self.levels.muted());
        let agc = self.levels.agc();
        if agc != self.agc_on {
            self.agc_on = agc;
            self.microphone.set_agc(agc.then(AgcConfig::default));
        }
        self.microphone.process(frame);
        let payload = self.encoder.encode(frame)?;
        self.sent += 1;
        Ok(payload)
    }

    /// Round-trip time from RTCP or ICE, for the statistics.
    pub fn set_rtt(&mut self, rtt: Option<Duration>) {
        if rtt.is_some() {
            self.rtt = rtt;
        }
    }

    /// The loss the far end sees of our stream, in percent: Opus plans its FEC for it.
    pub fn set_send_loss(&mut self, pct: f64) {
        let planned = (pct.clamp(0.0, 50.0).ceil() as u8).max(MIN_PLANNED_LOSS_PCT);
        if planned != self.planned_loss {
            if let Err(e) = self.encoder.set_packet_loss_perc(planned) {
                tracing::debug!(error = %e, "opus loss setting refused");
            } else {
                self.planned_loss = planned;
            }
        }
    }

    /// The receive direction's quality now.
    pub fn stats(&self) -> CallStats {
        CallStats::compute(
            &self.recv,
            &self.jitter.stats(),
            QualityInputs {
                codec: self.codec,
                rtt: self.rtt,
                jitter_buffer_delay: self.jitter.target_delay(),
                fec_recovered: self.fec_recovered,
            },
        )
    }

    /// Received-loss percentage (what the far end's stream loses on its way here).
    pub fn receive_loss_pct(&self) -> f64 {
        self.recv.loss_pct()
    }
}
