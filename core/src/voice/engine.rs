//! The engine task: a UDP socket, the WebRTC leg (offerer), the sound device, and the
//! [`AudioPath`] between them, paced by a 20 ms timer.

use super::levels::Levels;
use super::path::AudioPath;
use super::sdp::answered_codec;
use crate::audio::{AudioBackend, AudioStreams, Pacing, StreamConfig, WavBackend};
use crate::call::MediaEvent;
use seatline_media::stats::CallStats;
use seatline_media::{AudioFrame, Codec, SampleRate};
use seatline_webrtc::driver::{self, LegHandle};
use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

const FRAME: Duration = Duration::from_millis(20);
const STATS_EVERY: Duration = Duration::from_secs(1);
/// Realtime devices: keep this many frames queued for the speaker.
const PLAYBACK_QUEUE: usize = 2;

/// What one call's engine needs.
pub struct VoiceConfig {
    pub call_id: String,
    /// The sound device (R8's choice inside `stream`).
    pub backend: Arc<dyn AudioBackend>,
    pub stream: StreamConfig,
    /// The local address to offer; `None`: the interface that reaches the platform.
    pub local_ip: Option<IpAddr>,
    /// The platform's `host:port`: the local address is the one towards it, and after a
    /// network change the engine looks again and moves to a new socket if it changed.
    pub platform: Option<String>,
    /// In preference order; Opus (in-band FEC) first, PCMU as the fallback.
    pub codecs: Vec<AudioCodec>,
    /// Volume, gain, mute, AGC: shared with the client's sliders.
    pub levels: Arc<Levels>,
    /// Rewrites the gateway's SDP answer before it is applied (tests route the media
    /// through a fault relay this way); `None` in the apps.
    pub answer_filter: Option<AnswerFilter>,
}

/// See [`VoiceConfig::answer_filter`].
pub type AnswerFilter = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// What the engine tells the shell.
#[derive(Debug, Clone)]
pub enum VoiceEvent {
    /// An SDP offer to send as `DeviceFrame::CallSignal{Offer}`: the first one, an ICE
    /// restart, or the first one again if it was never answered.
    Offer(String),
    /// The leg's state, for the call machine.
    Media(MediaEvent),
    /// The call's statistics, every second once audio flows.
    Stats(CallStats),
    /// The sound device failed; the call goes on without it (silence both ways).
    AudioFailed(String),
}

enum Command {
    Answer(String),
    RestartIce,
    Stop,
}

/// Controls one running engine. Dropping it (or [`VoiceHandle::stop`]) ends the engine.
#[derive(Debug)]
pub struct VoiceHandle {
    call_id: String,
    tx: mpsc::UnboundedSender<Command>,
}

impl VoiceHandle {
    pub fn call_id(&self) -> &str {
        &self.call_id
    }
    /// The gateway's SDP answer (to the first offer or an ICE restart).
    pub fn accept_answer(&self, sdp: String) {
        let _ = self.tx.send(Command::Answer(sdp));
    }
    /// Restart ICE: a new offer comes back as [`VoiceEvent::Offer`].
    pub fn restart_ice(&self) {
        let _ = self.tx.send(Command::RestartIce);
    }
    pub fn stop(&self) {
        let _ = self.tx.send(Command::Stop);
    }
    /// The engine has ended (stopped, or its leg closed for good).
    pub fn is_finished(&self) -> bool {
        self.tx.is_closed()
    }
}

pub type EventSink = Arc<dyn Fn(VoiceEvent) + Send + Sync>;

/// Starts the engine of one call on `rt`.
pub fn spawn(rt: &Handle, cfg: VoiceConfig, on_event: EventSink) -> VoiceHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let call_id = cfg.call_id.clone();
    rt.spawn(run(cfg, rx, on_event));
    VoiceHandle { call_id, tx }
}

/// The local address the OS would use to reach `remote` (no packet is sent).
pub fn local_ip_towards(remote: SocketAddr) -> std::io::Result<IpAddr> {
    let any: SocketAddr = if remote.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let s = std::net::UdpSocket::bind(any)?;
    s.connect(remote)?;
    Ok(s.local_addr()?.ip())
}

fn media_codec(c: AudioCodec) -> Codec {
    match c {
        AudioCodec::Opus => Codec::Opus,
        _ => Codec::Pcmu,
    }
}

fn open_audio(cfg: &VoiceConfig, emit: &EventSink) -> AudioStreams {
    match cfg.backend.open(&cfg.stream) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, backend = cfg.backend.name(), "sound device not opened; the call goes on silent");
            emit(VoiceEvent::AudioFailed(e.to_string()));
            // A silent microphone and a speaker that discards, on a device clock.
            match WavBackend::new(Pacing::Realtime).open(&cfg.stream) {
                Ok(s) => s,
                Err(_) => {
                    // The WAV backend cannot fail without files; as a last resort pull
                    // mode, stepped by the engine's own timer.
                    #[allow(clippy::expect_used)]
                    WavBackend::new(Pacing::Pull)
                        .open(&StreamConfig::default())
                        .expect("silent WAV device")
                }
            }
        }
    }
}

struct Engine {
    cfg: VoiceConfig,
    platform_addr: Option<SocketAddr>,
    emit: EventSink,
    leg: LegHandle,
    local_ip: IpAddr,
    streams: AudioStreams,
    path: Option<AudioPath>,
    epoch: Instant,
    first_offer: String,
    answered: bool,
    connected: bool,
    marker: bool,
    prev_sent: u64,
    prev_lost: i64,
}

async fn run(cfg: VoiceConfig, mut commands: mpsc::UnboundedReceiver<Command>, emit: EventSink) {
    let platform_addr = match &cfg.platform {
        Some(host) => tokio::net::lookup_host(host.as_str())
            .await
            .ok()
            .and_then(|mut a| a.next()),
        None => None,
    };
    let local_ip = cfg
        .local_ip
        .or_else(|| platform_addr.and_then(|a| local_ip_towards(a).ok()))
        .unwrap_or_else(|| {
            tracing::warn!("no route to the platform known; offering loopback");
            IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
        });
    let socket = match UdpSocket::bind(SocketAddr::new(local_ip, 0)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "voice socket not bound");
            emit(VoiceEvent::Media(MediaEvent::Failed));
            return;
        }
    };
    let local = match socket.local_addr() {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "voice socket has no address");
            emit(VoiceEvent::Media(MediaEvent::Failed));
            return;
        }
    };
    let leg_cfg = LegConfig::new(vec![local], cfg.codecs.clone());
    let (leg, offer) = match AudioLeg::offerer(leg_cfg, Instant::now()) {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(error = %e, "no WebRTC offer");
            emit(VoiceEvent::Media(MediaEvent::Failed));
            return;
        }
    };
    let (leg, mut leg_events) = driver::spawn(leg, socket);
    emit(VoiceEvent::Offer(offer.clone()));
    let streams = open_audio(&cfg, &emit);
    let mut e = Engine {
        local_ip,
        platform_addr,
        cfg,
        emit,
        leg,
        streams,
        path: None,
        epoch: Instant::now(),
        first_offer: offer,
        answered: false,
        connected: false,
        marker: true,
        prev_sent: 0,
        prev_lost: 0,
    };
    let mut tick = tokio::time::interval(FRAME);
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut stats = tokio::time::interval(STATS_EVERY);
    stats.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = tick.tick() => e.audio_tick(),
            event = leg_events.recv() => match event {
                Some(event) => {
                    if !e.on_leg_event(event) {
                        break;
                    }
                }
                None => {
                    (e.emit)(VoiceEvent::Media(MediaEvent::Failed));
                    break;
                }
            },
            command = commands.recv() => match command {
                None | Some(Command::Stop) => break,
                Some(Command::Answer(sdp)) => e.on_answer(sdp).await,
                Some(Command::RestartIce) => e.restart_ice().await,
            },
            _ = stats.tick() => e.report_stats().await,
        }
    }
    e.leg.close().await;
    if let Err(err) = e.streams.close() {
        tracing::warn!(error = %err, "sound device did not close cleanly");
    }
    tracing::debug!("voice engine ended");
}

impl Engine {
    /// One 20 ms period: play one frame, run the device (pull mode), send what the
    /// microphone captured.
    fn audio_tick(&mut self) {
        let now = self.epoch.elapsed();
        let frame = match self.path.as_mut() {
            Some(p) => p.playout(now),
            None => AudioFrame::silence(SampleRate::Hz48000),
        };
        let pull = self.streams.pacing() == Pacing::Pull;
        if pull || self.streams.playback.queued_frames() < PLAYBACK_QUEUE {
            if let Err(err) = self.streams.playback.write_frame(&frame) {
                tracing::trace!(error = %err, "playback frame refused");
            }
        }
        if pull {
            if let Err(err) = self.streams.step() {
                tracing::debug!(error = %err, "sound device period failed");
            }
        }
        while let Some(mut captured) = self.streams.capture.read_frame() {
            let Some(path) = self.path.as_mut().filter(|_| self.connected) else {
                continue;
            };
            match path.capture(&mut captured) {
                Ok(payload) => {
                    let samples = path.samples_per_packet();
                    if let Err(err) = self.leg.send_audio(payload, samples, self.marker) {
                        tracing::trace!(error = %err, "audio packet not queued");
                    }
                    self.marker = false;
                }
                Err(err) => tracing::trace!(error = %err, "frame not encoded"),
            }
        }
    }

    /// False when the engine should end.
    fn on_leg_event(&mut self, event: LegEvent) -> bool {
        match event {
            LegEvent::Audio { codec, packet } => {
                let codec = media_codec(codec);
                if self.path.as_ref().map(AudioPath::codec) != Some(codec) {
                    tracing::debug!(?codec, "receiving in another codec; switching the path");
                    self.path = AudioPath::new(codec, self.cfg.levels.clone()).ok();
                }
                if let Some(path) = self.path.as_mut() {
                    path.receive(
                        packet.seq,
                        packet.timestamp,
                        packet.marker,
                        packet.payload,
                        self.epoch.elapsed(),
                    );
                }
            }
            LegEvent::Connected => {
                self.connected = true;
                self.marker = true;
                (self.emit)(VoiceEvent::Media(MediaEvent::Connected));
            }
            LegEvent::Disconnected => {
                self.connected = false;
                (self.emit)(VoiceEvent::Media(MediaEvent::Disconnected));
            }
            LegEvent::Failed => {
                self.connected = false;
                (self.emit)(VoiceEvent::Media(MediaEvent::Failed));
            }
            LegEvent::Closed => {
                // The gateway closed DTLS: this leg is over for good.
                (self.emit)(VoiceEvent::Media(MediaEvent::Failed));
                return false;
            }
            _ => {}
        }
        true
    }

    async fn on_answer(&mut self, sdp: String) {
        let sdp = match &self.cfg.answer_filter {
            Some(filter) => filter(&sdp),
            None => sdp,
        };
        match self.leg.accept_answer(sdp.clone()).await {
            Ok(()) => {
                self.answered = true;
                let codec = answered_codec(&sdp).unwrap_or(Codec::Pcmu);
                if self.path.as_ref().map(AudioPath::codec) != Some(codec) {
                    match AudioPath::new(codec, self.cfg.levels.clone()) {
                        Ok(p) => self.path = Some(p),
                        Err(e) => tracing::warn!(error = %e, ?codec, "codec not available"),
                    }
                }
                tracing::debug!(?codec, "gateway answered");
            }
            // A repeated answer, or one to an offer we replaced: harmless.
            Err(e) => tracing::info!(error = %e, "SDP answer not applied"),
        }
    }

    async fn restart_ice(&mut self) {
        if !self.answered {
            // The first offer was lost (the socket was down): send it again.
            (self.emit)(VoiceEvent::Offer(self.first_offer.clone()));
            return;
        }
        let socket = self.moved_socket().await;
        match self.leg.restart_ice(socket).await {
            Ok(offer) => (self.emit)(VoiceEvent::Offer(offer)),
            Err(e) => tracing::warn!(error = %e, "ICE restart refused"),
        }
    }

    /// A new socket when the local address towards the platform changed (network
    /// change); `None` to keep the current one.
    async fn moved_socket(&mut self) -> Option<UdpSocket> {
        let ip = local_ip_towards(self.platform_addr?).ok()?;
        if ip == self.local_ip {
            return None;
        }
        let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).await.ok()?;
        tracing::info!("network changed; voice moves to a new socket");
        self.local_ip = ip;
        Some(socket)
    }

    async fn report_stats(&mut self) {
        if self.path.is_none() || !self.answered {
            return;
        }
        let leg = self.leg.stats().await.ok();
        let Some(path) = self.path.as_mut() else {
            return;
        };
        if let Some(ls) = leg {
            path.set_rtt(ls.rtt);
            let sent = ls.packets_sent.saturating_sub(self.prev_sent);
            let lost = (ls.packets_lost - self.prev_lost).max(0) as u64;
            self.prev_sent = ls.packets_sent;
            self.prev_lost = ls.packets_lost;
            let remote = if sent > 0 {
                lost as f64 * 100.0 / sent as f64
            } else {
                0.0
            };
            // The far end's reports lag; the loss we see ourselves is the same path's
            // other direction, a fair guess until they come.
            path.set_send_loss(remote.max(path.receive_loss_pct()));
        }
        (self.emit)(VoiceEvent::Stats(path.stats()));
    }
}
