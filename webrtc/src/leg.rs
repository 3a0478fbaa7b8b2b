//! [`AudioLeg`]: one `RTCPeerConnection` with one sendrecv audio transceiver, shaped sans-IO like
//! `rtc` itself. The caller owns the sockets and the clock: datagrams and timeouts go in with the
//! time as an argument; datagrams to send and events are polled out.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rtc::interceptor::Registry;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::configure_rtcp_reports;
use rtc::peer_connection::configuration::media_engine::MediaEngine;
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::event::{RTCPeerConnectionEvent, RTCTrackEvent};
use rtc::peer_connection::message::{RTCMessage, TaggedRTCMessage};
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::state::{RTCIceConnectionState, RTCPeerConnectionState};
use rtc::peer_connection::transport::{
    CandidateConfig, CandidateHostConfig, RTCDtlsRole, RTCIceCandidate, RTCIceCandidateInit,
};
use rtc::peer_connection::{RTCPeerConnection, RTCPeerConnectionBuilder};
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use rtc::rtp_transceiver::{RTCRtpReceiverId, RTCRtpSenderId};
use rtc::sansio::Protocol;
use rtc::shared::{TaggedBytesMut, TransportContext, TransportProtocol};
use rtc::statistics::report::RTCStatsReportEntry;
use rtc::statistics::StatsSelector;

use crate::codec::{self, AudioCodec};
use crate::error::LegError;
use crate::event::{LegEvent, LegStats, RtpPayload, Transmit};
use crate::sdp;

/// How to build a leg.
#[derive(Debug, Clone)]
pub struct LegConfig {
    /// The UDP sockets the caller has bound; each becomes a host candidate. Datagrams for the
    /// leg must be fed in with the address of the socket they arrived on.
    pub local_addrs: Vec<SocketAddr>,
    /// Codecs in preference order. telephone-event is added for each codec's clock rate.
    pub codecs: Vec<AudioCodec>,
    /// Answer as an ICE-lite agent (RFC 8445 §2.5). Only for a server with public addresses;
    /// the client is always full ICE.
    pub ice_lite: bool,
}

impl LegConfig {
    /// A full-ICE leg on these sockets with these codecs.
    pub fn new(local_addrs: Vec<SocketAddr>, codecs: Vec<AudioCodec>) -> Self {
        Self {
            local_addrs,
            codecs,
            ice_lite: false,
        }
    }
}

/// What the leg's offer/answer settled on for sending.
#[derive(Debug, Clone, Copy)]
struct Negotiated {
    codec: AudioCodec,
    payload_type: u8,
    /// telephone-event payload type with the same clock as `codec`, if the peer has it.
    telephone_event: Option<u8>,
}

/// What an incoming payload type means.
#[derive(Debug, Clone, Copy)]
enum Incoming {
    Audio(AudioCodec),
    TelephoneEvent(u32),
}

/// Our outgoing RTP stream: sequence and timestamp continue across codec changes and ICE
/// restarts, as RFC 3550 wants for one SSRC.
#[derive(Debug)]
struct Outgoing {
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    /// Timestamp of the telephone-event being sent (all its packets carry its start time).
    event_timestamp: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Offer sent, waiting for the answer.
    AwaitingAnswer,
    /// Offer/answer done (media flows once `Connected`).
    Stable,
    Closed,
}

/// One audio leg over WebRTC: ICE, DTLS-SRTP, one sendrecv audio m-line.
pub struct AudioLeg {
    pc: RTCPeerConnection,
    codecs: Vec<AudioCodec>,
    local_addrs: Vec<SocketAddr>,
    sender: RTCRtpSenderId,
    receivers: HashMap<String, RTCRtpReceiverId>,
    incoming: HashMap<u8, Incoming>,
    negotiated: Option<Negotiated>,
    out: Outgoing,
    phase: Phase,
    connection: RTCPeerConnectionState,
    /// An ICE restart is under way: `Connected` is announced again once ICE has its new path.
    restarting: bool,
    events: VecDeque<LegEvent>,
}

impl std::fmt::Debug for AudioLeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioLeg")
            .field("phase", &self.phase)
            .field("connection", &self.connection)
            .field("negotiated", &self.negotiated)
            .finish_non_exhaustive()
    }
}

impl AudioLeg {
    /// A leg that offers (the agent's device). Returns the offer SDP, with host candidates and
    /// `a=end-of-candidates` (no trickle needed).
    pub fn offerer(cfg: LegConfig, now: Instant) -> Result<(Self, String), LegError> {
        let mut leg = Self::build(cfg, now, false)?;
        let offer = leg.pc.create_offer(None)?;
        leg.pc.set_local_description(now, offer)?;
        leg.add_local_candidates()?;
        leg.phase = Phase::AwaitingAnswer;
        let sdp = leg.local_sdp()?;
        Ok((leg, sdp))
    }

    /// Applies the answer to our offer (first offer or an ICE restart).
    pub fn accept_answer(&mut self, now: Instant, answer_sdp: &str) -> Result<(), LegError> {
        if self.phase != Phase::AwaitingAnswer {
            return Err(LegError::State("no offer is waiting for an answer"));
        }
        sdp::check_remote(answer_sdp, &self.codecs)?;
        let answer = RTCSessionDescription::answer(answer_sdp.to_owned())?;
        self.pc.set_remote_description(now, answer)?;
        self.phase = Phase::Stable;
        self.negotiate()
    }

    /// A leg that answers (the platform's gateway, or a test peer). Returns the answer SDP.
    pub fn answerer(
        cfg: LegConfig,
        now: Instant,
        offer_sdp: &str,
    ) -> Result<(Self, String), LegError> {
        sdp::check_remote(offer_sdp, &cfg.codecs)?;
        let mut leg = Self::build(cfg, now, true)?;
        let answer = leg.answer(now, offer_sdp)?;
        Ok((leg, answer))
    }

    /// Answers a new offer from the peer on an established leg (its ICE restart or a
    /// re-negotiation). Returns the answer SDP.
    pub fn accept_offer(&mut self, now: Instant, offer_sdp: &str) -> Result<String, LegError> {
        if self.phase != Phase::Stable {
            return Err(LegError::State("an offer needs a stable leg"));
        }
        sdp::check_remote(offer_sdp, &self.codecs)?;
        let answer = self.answer(now, offer_sdp)?;
        self.restarting = true;
        Ok(answer)
    }

    /// Adds a trickled remote candidate (`candidate:...` line, with or without `a=`).
    /// An empty string means end-of-candidates and is ignored.
    pub fn add_remote_candidate(&mut self, candidate: &str) -> Result<(), LegError> {
        let line = candidate.trim().trim_start_matches("a=");
        if line.is_empty() {
            return Ok(());
        }
        if self.phase == Phase::Closed {
            return Err(LegError::State("closed"));
        }
        self.pc
            .add_remote_candidate(RTCIceCandidateInit {
                candidate: line.to_owned(),
                ..Default::default()
            })
            .map_err(|e| LegError::Candidate(e.to_string()))
    }

    /// Starts an ICE restart (network change, signalling reconnect): new ICE credentials, the
    /// same DTLS session and RTP stream. `local_addrs` are the sockets to use from now on (the
    /// same ones, or new ones after a network change). Returns the new offer; feed the answer to
    /// [`AudioLeg::accept_answer`].
    pub fn restart_ice(
        &mut self,
        now: Instant,
        local_addrs: Vec<SocketAddr>,
    ) -> Result<String, LegError> {
        if self.phase != Phase::Stable {
            return Err(LegError::State("ICE restart needs a stable leg"));
        }
        if local_addrs.is_empty() {
            return Err(LegError::Config("no local address"));
        }
        self.pc.restart_ice();
        self.restarting = true;
        let offer = self.pc.create_offer(None)?;
        self.pc.set_local_description(now, offer)?;
        // The restart dropped the old generation's candidates (see `build`); announce the
        // sockets we have now.
        self.local_addrs = local_addrs;
        self.add_local_candidates()?;
        self.phase = Phase::AwaitingAnswer;
        self.local_sdp()
    }

    /// Feeds a datagram that arrived on the socket bound to `local` from `remote`. Bad datagrams
    /// are dropped (logged at debug), never an error: anyone can send to our port.
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        data: &[u8],
    ) {
        if self.phase == Phase::Closed {
            return;
        }
        let msg = TaggedBytesMut {
            now,
            transport: TransportContext {
                local_addr: local,
                peer_addr: remote,
                ecn: None,
                transport_protocol: TransportProtocol::UDP,
            },
            message: BytesMut::from(data),
        };
        if let Err(e) = self.pc.handle_read(msg) {
            tracing::debug!(error = %e, len = data.len(), "webrtc: datagram dropped");
        }
        self.pump();
    }

    /// The next datagram to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let msg = self.pc.poll_write()?;
        Some(Transmit {
            local: msg.transport.local_addr,
            remote: msg.transport.peer_addr,
            data: msg.message.to_vec(),
        })
    }

    /// When `handle_timeout` must be called next.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        if self.phase == Phase::Closed {
            return None;
        }
        self.pc.poll_timeout()
    }

    /// Runs the timers due at `now` (ICE checks, DTLS retransmits, RTCP reports, consent).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase == Phase::Closed {
            return;
        }
        if let Err(e) = self.pc.handle_timeout(now) {
            tracing::debug!(error = %e, "webrtc: timeout handling failed");
        }
        self.pump();
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<LegEvent> {
        self.pump();
        self.events.pop_front()
    }

    /// Sends one audio packet in the negotiated codec. `samples` is the packet's duration in the
    /// codec's clock (960 for 20 ms of Opus, 160 for 20 ms of PCMU): the next packet's timestamp
    /// moves on by it. `marker` starts a talkspurt.
    pub fn send_audio(
        &mut self,
        now: Instant,
        payload: &[u8],
        samples: u32,
        marker: bool,
    ) -> Result<(), LegError> {
        let n = self.ready_to_send()?;
        let ts = self.out.timestamp;
        self.write(now, n.payload_type, ts, marker, payload)?;
        self.out.timestamp = ts.wrapping_add(samples);
        Ok(())
    }

    /// Sends one RFC 4733 telephone-event packet (the 4-byte event payload). `new_event` marks
    /// the first packet of an event: it takes the current timestamp, and later packets of the
    /// same event repeat it. `samples` moves the stream's clock on as `send_audio` does, so
    /// audio after the event continues on the same timeline.
    pub fn send_telephone_event(
        &mut self,
        now: Instant,
        payload: &[u8],
        new_event: bool,
        samples: u32,
    ) -> Result<(), LegError> {
        let n = self.ready_to_send()?;
        let pt = n
            .telephone_event
            .ok_or(LegError::State("telephone-event was not negotiated"))?;
        if new_event {
            self.out.event_timestamp = self.out.timestamp;
        }
        self.write(now, pt, self.out.event_timestamp, new_event, payload)?;
        self.out.timestamp = self.out.timestamp.wrapping_add(samples);
        Ok(())
    }

    /// Our current (or pending) SDP with its candidates: the offer again if the signalling
    /// channel lost it, or the answer we gave.
    pub fn local_description(&self) -> Option<String> {
        self.pc.local_description().map(|d| d.sdp)
    }

    /// The codec we send, once offer/answer is done.
    pub fn negotiated_codec(&self) -> Option<AudioCodec> {
        self.negotiated.map(|n| n.codec)
    }

    /// Whether telephone-event was negotiated for the sending codec's clock.
    pub fn telephone_event_negotiated(&self) -> bool {
        self.negotiated.is_some_and(|n| n.telephone_event.is_some())
    }

    /// True between `Connected` and `Disconnected`/`Failed`/`Closed`.
    pub fn is_connected(&self) -> bool {
        self.connection == RTCPeerConnectionState::Connected
    }

    /// Packet counters and the round-trip time.
    pub fn stats(&mut self, now: Instant) -> LegStats {
        let report = self.pc.get_stats(now, StatsSelector::None);
        let mut s = LegStats::default();
        for entry in report.iter() {
            match entry {
                RTCStatsReportEntry::OutboundRtp(o) => {
                    s.packets_sent += o.sent_rtp_stream_stats.packets_sent;
                    s.bytes_sent += o.sent_rtp_stream_stats.bytes_sent;
                }
                RTCStatsReportEntry::InboundRtp(i) => {
                    s.packets_received += i.received_rtp_stream_stats.packets_received;
                    s.bytes_received += i.bytes_received;
                }
                RTCStatsReportEntry::RemoteInboundRtp(r) => {
                    s.packets_lost += r.received_rtp_stream_stats.packets_lost;
                }
                RTCStatsReportEntry::IceCandidatePair(p) if p.nominated => {
                    s.rtt = secs(p.current_round_trip_time).or(s.rtt);
                }
                _ => {}
            }
        }
        s
    }

    /// Closes the leg (DTLS close_notify goes out through `poll_transmit`). Idempotent.
    pub fn close(&mut self) {
        if self.phase == Phase::Closed {
            return;
        }
        if let Err(e) = self.pc.close() {
            tracing::debug!(error = %e, "webrtc: close");
        }
        self.phase = Phase::Closed;
        self.pump();
        if self.connection != RTCPeerConnectionState::Closed {
            self.connection = RTCPeerConnectionState::Closed;
            self.events.push_back(LegEvent::Closed);
        }
    }

    fn build(cfg: LegConfig, now: Instant, answering: bool) -> Result<Self, LegError> {
        if cfg.codecs.is_empty() {
            return Err(LegError::Config("no codec"));
        }
        if cfg.local_addrs.is_empty() {
            return Err(LegError::Config("no local address"));
        }
        let mut media_engine = MediaEngine::default();
        codec::register(&mut media_engine, &cfg.codecs)?;
        // Sender and receiver reports only: they give the RTT and loss counters. NACK and TWCC
        // are for video; audio repairs loss with Opus in-band FEC.
        let registry = configure_rtcp_reports(Registry::new());

        let mut settings = SettingEngineBuilder::new()
            // The answerer takes the DTLS client role (RFC 8842 §5.3 recommends `active`):
            // it then starts the handshake as soon as ICE is up, one round trip sooner.
            .with_answering_dtls_role(RTCDtlsRole::Client)
            // An ICE restart after a network change comes with new sockets: the old generation's
            // candidates name addresses nothing is bound to, so drop them and add the new ones.
            .with_discard_local_candidates_during_ice_restart(true);
        if answering && cfg.ice_lite {
            settings = settings.with_lite(true);
        }

        let mut pc = RTCPeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_setting_engine(settings.build())
            .with_media_engine(media_engine)
            .with_interceptor_registry(registry)
            .build(now)?;

        let ssrc = rand::random::<u32>();
        let first = cfg.codecs[0];
        let track = MediaStreamTrack::new(
            "seatline".to_owned(),
            "seatline-audio".to_owned(),
            "audio".to_owned(),
            RtpCodecKind::Audio,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: first.rtp_codec(),
                ..Default::default()
            }],
        );
        let sender = pc.add_track(track)?;
        // `add_track` limits the transceiver to the track's one codec. An empty preference list
        // means "the media engine's codecs", i.e. all of ours in our order with telephone-event
        // (an explicit list would not do: `rtc` matches telephone-event by fmtp alone, so the
        // 8 kHz one would collapse into the 48 kHz one).
        let transceiver = pc
            .get_transceivers()
            .next()
            .ok_or(LegError::State("no transceiver after add_track"))?;
        if let Some(mut t) = pc.rtp_transceiver(transceiver) {
            t.set_codec_preferences(Vec::new())?;
        }

        Ok(Self {
            pc,
            codecs: cfg.codecs,
            local_addrs: cfg.local_addrs,
            sender,
            receivers: HashMap::new(),
            incoming: HashMap::new(),
            negotiated: None,
            out: Outgoing {
                ssrc,
                seq: rand::random(),
                timestamp: rand::random(),
                event_timestamp: 0,
            },
            phase: Phase::Stable,
            connection: RTCPeerConnectionState::New,
            restarting: false,
            events: VecDeque::new(),
        })
    }

    fn answer(&mut self, now: Instant, offer_sdp: &str) -> Result<String, LegError> {
        let offer = RTCSessionDescription::offer(offer_sdp.to_owned())?;
        self.pc.set_remote_description(now, offer)?;
        let answer = self.pc.create_answer(None)?;
        self.pc.set_local_description(now, answer)?;
        self.add_local_candidates()?;
        self.phase = Phase::Stable;
        self.negotiate()?;
        self.local_sdp()
    }

    fn add_local_candidates(&mut self) -> Result<(), LegError> {
        for addr in &self.local_addrs {
            let candidate = CandidateHostConfig {
                base_config: CandidateConfig {
                    network: "udp".to_owned(),
                    address: addr.ip().to_string(),
                    port: addr.port(),
                    component: 1,
                    ..Default::default()
                },
                ..Default::default()
            }
            .new_candidate_host()?;
            let init = RTCIceCandidate::from(&candidate).to_json()?;
            self.pc.add_local_candidate(init)?;
        }
        // Host candidates are all we have: gathering is complete, and the SDP says so
        // (`a=end-of-candidates`), so the peer need not wait for trickle.
        self.pc
            .add_local_candidate(RTCIceCandidateInit::default())?;
        Ok(())
    }

    fn local_sdp(&self) -> Result<String, LegError> {
        self.local_description()
            .ok_or(LegError::State("no local description"))
    }

    /// Reads what offer/answer settled on from the sender's negotiated parameters.
    fn negotiate(&mut self) -> Result<(), LegError> {
        let codecs: Vec<RTCRtpCodecParameters> = self
            .pc
            .rtp_sender(self.sender)
            .map(|mut s| s.get_parameters().rtp_parameters.codecs.clone())
            .unwrap_or_default();
        self.incoming.clear();
        let mut negotiated: Option<Negotiated> = None;
        for c in &codecs {
            let mime = &c.rtp_codec.mime_type;
            if codec::is_telephone_event(mime) {
                self.incoming.insert(
                    c.payload_type,
                    Incoming::TelephoneEvent(c.rtp_codec.clock_rate),
                );
            } else if let Some(ac) = AudioCodec::from_name(mime) {
                self.incoming.insert(c.payload_type, Incoming::Audio(ac));
                if negotiated.is_none() && self.codecs.contains(&ac) {
                    negotiated = Some(Negotiated {
                        codec: ac,
                        payload_type: c.payload_type,
                        telephone_event: None,
                    });
                }
            }
        }
        let mut n = negotiated.ok_or(LegError::NoCommonCodec {
            remote: codecs
                .iter()
                .map(|c| c.rtp_codec.mime_type.clone())
                .collect(),
        })?;
        n.telephone_event = codecs
            .iter()
            .find(|c| {
                codec::is_telephone_event(&c.rtp_codec.mime_type)
                    && c.rtp_codec.clock_rate == n.codec.clock_rate()
            })
            .map(|c| c.payload_type);
        tracing::debug!(codec = ?n.codec, pt = n.payload_type, te = ?n.telephone_event, "webrtc: negotiated");
        self.negotiated = Some(n);
        Ok(())
    }

    fn ready_to_send(&self) -> Result<Negotiated, LegError> {
        if self.phase == Phase::Closed {
            return Err(LegError::State("closed"));
        }
        if !self.is_connected() {
            return Err(LegError::State("not connected"));
        }
        self.negotiated.ok_or(LegError::State("not negotiated"))
    }

    fn write(
        &mut self,
        now: Instant,
        payload_type: u8,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), LegError> {
        let packet = rtc::rtp::Packet {
            header: rtc::rtp::Header {
                version: 2,
                marker,
                payload_type,
                sequence_number: self.out.seq,
                timestamp,
                ssrc: self.out.ssrc,
                ..Default::default()
            },
            payload: Bytes::copy_from_slice(payload),
        };
        let mut sender = self
            .pc
            .rtp_sender(self.sender)
            .ok_or(LegError::State("no sender"))?;
        sender.write_rtp(now, packet)?;
        self.out.seq = self.out.seq.wrapping_add(1);
        Ok(())
    }

    /// Moves `rtc`'s events and received messages into our event queue.
    fn pump(&mut self) {
        while let Some(event) = self.pc.poll_event() {
            match event {
                RTCPeerConnectionEvent::OnConnectionStateChangeEvent(state) => self.on_state(state),
                RTCPeerConnectionEvent::OnIceConnectionStateChangeEvent(state) => {
                    tracing::debug!(?state, "webrtc: ICE state");
                    if state == RTCIceConnectionState::Connected
                        && self.restarting
                        && self.is_connected()
                    {
                        self.restarting = false;
                        self.events.push_back(LegEvent::Connected);
                    }
                }
                RTCPeerConnectionEvent::OnTrack(RTCTrackEvent::OnOpen(init)) => {
                    self.receivers.insert(init.track_id, init.receiver_id);
                }
                other => tracing::trace!(event = ?other, "webrtc: event"),
            }
        }
        while let Some(TaggedRTCMessage { message, .. }) = self.pc.poll_read() {
            if let RTCMessage::RtpPacket(_track, packet) = message {
                self.on_rtp(packet);
            }
            // RTCP is consumed by the report interceptors (stats); data channels are not used.
        }
    }

    fn on_state(&mut self, state: RTCPeerConnectionState) {
        if state == self.connection {
            return;
        }
        self.connection = state;
        let event = match state {
            RTCPeerConnectionState::Connected => LegEvent::Connected,
            RTCPeerConnectionState::Disconnected => LegEvent::Disconnected,
            RTCPeerConnectionState::Failed => LegEvent::Failed,
            RTCPeerConnectionState::Closed => LegEvent::Closed,
            _ => return,
        };
        tracing::debug!(?state, "webrtc: connection state");
        self.events.push_back(event);
    }

    fn on_rtp(&mut self, packet: rtc::rtp::Packet) {
        let h = &packet.header;
        let payload = RtpPayload {
            seq: h.sequence_number,
            timestamp: h.timestamp,
            marker: h.marker,
            payload: packet.payload.to_vec(),
        };
        match self.incoming.get(&h.payload_type) {
            Some(Incoming::Audio(codec)) => self.events.push_back(LegEvent::Audio {
                codec: *codec,
                packet: payload,
            }),
            Some(Incoming::TelephoneEvent(clock_rate)) => {
                self.events.push_back(LegEvent::TelephoneEvent {
                    clock_rate: *clock_rate,
                    packet: payload,
                })
            }
            None => tracing::trace!(
                pt = h.payload_type,
                "webrtc: RTP with an unknown payload type dropped"
            ),
        }
    }
}

fn secs(s: f64) -> Option<Duration> {
    (s.is_finite() && s > 0.0).then(|| Duration::from_secs_f64(s))
}
