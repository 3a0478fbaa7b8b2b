//! Calls for Kotlin and Swift (R12–R17): place, hang up, hold, DTMF, mute, volume, and
//! the call panel as one record. The state lives in the core's call machine; this file
//! only converts.

use crate::client::Seatline;
use crate::error::SeatlineError;
use crate::records::{CallMethod, CallOutcome};
use crate::types::Customer;
use seatline_core::audio::{Repeat, WavBackend, WavInput};
use std::sync::Arc;

/// Which side ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Party {
    Agent,
    Customer,
    Platform,
}

/// Where the call is. `Ended` stays on the panel until the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CallPhase {
    Placing,
    /// R13: the platform rings the agent's own phone.
    CallingAgent,
    /// "正在接通中" (R18).
    CallingCustomer,
    Ringing,
    Connected,
    /// R17: the customer hears music.
    Held,
    Ending,
    Ended {
        outcome: CallOutcome,
        by: Option<Party>,
    },
}

/// The voice link of a VoIP call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VoiceLink {
    /// Callback: the agent talks on their own phone (R13).
    NoVoice,
    Connecting,
    Up,
    /// Lost for now; the core is restarting ICE (a short outage is survived).
    Reconnecting,
}

/// Quality of the received audio, updated every second (VoIP only).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct CallQuality {
    pub jitter_ms: f64,
    pub loss_pct: f64,
    pub rtt_ms: Option<f64>,
    pub one_way_delay_ms: f64,
    /// Estimated MOS (ITU-T G.107 E-model), 1.0–4.5.
    pub mos: f64,
}

/// The call panel: everything a shell draws while dialling, talking and just after.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CallView {
    pub call_id: Option<String>,
    pub method: CallMethod,
    /// The dialled number (R14); R15 prefills "add to library" with it.
    pub number: String,
    pub phase: CallPhase,
    /// zh-CN and English labels of the phase, as the core words them.
    pub text_zh: String,
    pub text_en: String,
    pub started_at_ms: i64,
    pub connected_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    pub held: bool,
    pub muted: bool,
    pub voice: VoiceLink,
    pub quality: Option<CallQuality>,
    /// R16: the library's card for the number; `None` offers "add to library" (R15).
    pub customer: Option<Customer>,
    /// The call is being placed, rings, talks or is being hung up.
    pub active: bool,
}

impl From<seatline_proto::Party> for Party {
    fn from(p: seatline_proto::Party) -> Self {
        match p {
            seatline_proto::Party::Agent => Party::Agent,
            seatline_proto::Party::Customer => Party::Customer,
            seatline_proto::Party::Platform => Party::Platform,
        }
    }
}

impl From<seatline_core::call::CallStage> for CallPhase {
    fn from(s: seatline_core::call::CallStage) -> Self {
        use seatline_core::call::CallStage as S;
        match s {
            S::Placing => CallPhase::Placing,
            S::CallingAgent => CallPhase::CallingAgent,
            S::CallingCustomer => CallPhase::CallingCustomer,
            S::Ringing => CallPhase::Ringing,
            S::Connected => CallPhase::Connected,
            S::Held => CallPhase::Held,
            S::Ending => CallPhase::Ending,
            S::Ended { outcome, by, .. } => CallPhase::Ended {
                outcome: outcome.into(),
                by: by.map(Into::into),
            },
        }
    }
}

impl From<seatline_core::client::VoiceState> for VoiceLink {
    fn from(v: seatline_core::client::VoiceState) -> Self {
        use seatline_core::client::VoiceState as V;
        match v {
            V::NoVoice => VoiceLink::NoVoice,
            V::Connecting => VoiceLink::Connecting,
            V::Up => VoiceLink::Up,
            V::Reconnecting => VoiceLink::Reconnecting,
        }
    }
}

impl From<seatline_core::client::CallView> for CallView {
    fn from(v: seatline_core::client::CallView) -> Self {
        CallView {
            text_zh: v.text_zh().into(),
            text_en: v.text_en().into(),
            active: v.is_active(),
            call_id: v.call_id,
            method: v.method.into(),
            number: v.number.to_string(),
            phase: v.phase.into(),
            started_at_ms: v.started_at_ms,
            connected_at_ms: v.connected_at_ms,
            ended_at_ms: v.ended_at_ms,
            held: v.held,
            muted: v.muted,
            voice: v.voice.into(),
            quality: v.stats.map(|s| CallQuality {
                jitter_ms: s.jitter_ms,
                loss_pct: s.loss_pct,
                rtt_ms: s.rtt_ms,
                one_way_delay_ms: s.one_way_delay_ms,
                mos: s.mos,
            }),
            customer: v.customer.map(Into::into),
        }
    }
}

fn placeable(method: CallMethod) -> Result<seatline_proto::CallMethod, SeatlineError> {
    match method {
        CallMethod::Voip => Ok(seatline_proto::CallMethod::Voip),
        CallMethod::Callback => Ok(seatline_proto::CallMethod::Callback),
        CallMethod::Native => Err(SeatlineError::InvalidInput {
            detail: "native calls go through start_native_call".into(),
        }),
    }
}

#[uniffi::export]
impl Seatline {
    /// R12/R13: place a VoIP or callback call to the dial pad's number (R14). Refusals
    /// (R2, R3, R9, R11, a call already going) come back as typed errors with zh/en texts.
    /// Returns the call id; follow the call with `call()` on each `CallChanged` event.
    pub async fn start_call(
        &self,
        method: CallMethod,
        number: String,
    ) -> Result<String, SeatlineError> {
        Ok(self.client.start_call(placeable(method)?, &number).await?)
    }

    pub async fn hang_up(&self) -> Result<(), SeatlineError> {
        Ok(self.client.hang_up().await?)
    }

    /// R17: the customer hears music while held.
    pub async fn set_hold(&self, on: bool) -> Result<(), SeatlineError> {
        Ok(self.client.set_hold(on).await?)
    }

    /// Digits `0-9 * # A-D` to the customer's side.
    pub async fn send_dtmf(&self, digits: String) -> Result<(), SeatlineError> {
        Ok(self.client.send_dtmf(&digits).await?)
    }

    pub fn set_muted(&self, on: bool) {
        self.client.set_muted(on);
    }

    /// Call volume, 0.0–2.0 (1.0 unchanged).
    pub fn set_output_volume(&self, volume: f32) {
        self.client.set_output_volume(volume);
    }

    /// Microphone gain, 0.0–4.0 (1.0 unchanged); the level also adapts by itself (R17).
    pub fn set_mic_gain(&self, gain: f32) {
        self.client.set_mic_gain(gain);
    }

    /// The call panel, or `None` before the first call.
    pub fn call(&self) -> Option<CallView> {
        self.client.call().map(Into::into)
    }

    /// The phone changed networks (Wi-Fi ⇄ cellular): restart ICE now.
    pub fn network_changed(&self) {
        self.client.network_changed();
    }

    /// The phone's own audio path with the platform's echo cancellation: AAudio's
    /// VoiceCommunication preset on Android, the VoiceProcessingIO unit on iOS. Call once
    /// after construction (on iOS after the AVAudioSession is configured).
    pub fn use_device_audio(&self) -> Result<(), SeatlineError> {
        #[cfg(target_os = "android")]
        {
            let backend = seatline_core::audio::AaudioBackend::new();
            self.client.set_audio_backend(Some(Arc::new(backend)));
            Ok(())
        }
        #[cfg(target_os = "ios")]
        {
            let backend = seatline_core::audio::CoreAudioBackend::new();
            self.client.set_audio_backend(Some(Arc::new(backend)));
            Ok(())
        }
        #[cfg(not(any(target_os = "android", target_os = "ios")))]
        Err(SeatlineError::Other {
            detail: "no device audio in this build; use use_wav_audio".into(),
        })
    }

    /// Tests and demos without a sound card: the microphone plays `input_wav` (looped;
    /// silence when `None`) and what the agent would hear is written to `record_wav`.
    pub fn use_wav_audio(&self, input_wav: Option<String>, record_wav: Option<String>) {
        let input = match input_wav {
            Some(path) => WavInput::File {
                path: path.into(),
                repeat: Repeat::Loop,
            },
            None => WavInput::Silence,
        };
        let mut backend = WavBackend::new(seatline_core::audio::Pacing::Realtime).with_input(input);
        if let Some(path) = record_wav {
            backend = backend.record_to(path);
        }
        self.client.set_audio_backend(Some(Arc::new(backend)));
    }
}
