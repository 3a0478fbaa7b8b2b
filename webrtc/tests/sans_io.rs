//! Two legs wired back to back in memory, on a simulated clock (no sockets, no sleeping):
//! the sans-IO shape lets the whole ICE/DTLS/SRTP exchange run deterministically and fast, and
//! lets us measure timer behaviour (how long until a dead peer is noticed) without waiting.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent};

struct Net {
    a: AudioLeg,
    b: AudioLeg,
    start: Instant,
    now: Instant,
    /// When false, every datagram is lost.
    link_up: bool,
    events_a: Vec<(Duration, LegEvent)>,
    events_b: Vec<(Duration, LegEvent)>,
    /// Timer firings, and how many of them found the deadline already past (`rtc` asked to be
    /// woken at or before `now` again).
    wakeups: u64,
    stale: u64,
}

impl Net {
    fn new(codecs_b: Vec<AudioCodec>) -> Self {
        let addr_a: SocketAddr = "127.0.0.1:40000".parse().expect("addr");
        let addr_b: SocketAddr = "127.0.0.1:40002".parse().expect("addr");
        let start = Instant::now();
        let (mut a, offer) = AudioLeg::offerer(
            LegConfig::new(vec![addr_a], vec![AudioCodec::Opus, AudioCodec::Pcmu]),
            start,
        )
        .expect("offer");
        let (b, answer) = AudioLeg::answerer(LegConfig::new(vec![addr_b], codecs_b), start, &offer)
            .expect("answer");
        a.accept_answer(start, &answer).expect("accept");
        Self {
            a,
            b,
            start,
            now: start,
            link_up: true,
            events_a: vec![],
            events_b: vec![],
            wakeups: 0,
            stale: 0,
        }
    }

    /// Delivers datagrams (zero latency) until both sides are quiet, then collects events.
    fn flush(&mut self) {
        loop {
            let mut moved = false;
            while let Some(t) = self.a.poll_transmit() {
                moved = true;
                if self.link_up {
                    self.b.handle_datagram(self.now, t.remote, t.local, &t.data);
                }
            }
            while let Some(t) = self.b.poll_transmit() {
                moved = true;
                if self.link_up {
                    self.a.handle_datagram(self.now, t.remote, t.local, &t.data);
                }
            }
            if !moved {
                break;
            }
        }
        let at = self.now - self.start;
        while let Some(e) = self.a.poll_event() {
            self.events_a.push((at, e));
        }
        while let Some(e) = self.b.poll_event() {
            self.events_b.push((at, e));
        }
    }

    /// Runs the clock forward to `until`, firing timers as they come due.
    fn run_until(&mut self, until: Instant) {
        loop {
            self.flush();
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(until);
            if next > until {
                self.now = until;
                self.flush();
                return;
            }
            // A timer that stays due after firing (some of `rtc`'s do, until their next
            // interval) must not stall the simulation: the clock always moves on by at least
            // 1 ms, as a real loop's would.
            self.wakeups += 1;
            if next <= self.now {
                self.stale += 1;
            }
            self.now = next.max(self.now + Duration::from_millis(1));
            self.a.handle_timeout(self.now);
            self.b.handle_timeout(self.now);
        }
    }

    fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    fn first(events: &[(Duration, LegEvent)], want: &LegEvent) -> Option<Duration> {
        events.iter().find(|(_, e)| e == want).map(|(t, _)| *t)
    }
}

#[test]
fn connects_and_carries_media_on_a_simulated_clock() {
    let mut net = Net::new(vec![AudioCodec::Opus, AudioCodec::Pcmu]);
    net.run_for(Duration::from_secs(2));
    let ta = Net::first(&net.events_a, &LegEvent::Connected).expect("offerer connected");
    let tb = Net::first(&net.events_b, &LegEvent::Connected).expect("answerer connected");
    // Zero latency: ICE and DTLS complete on the first timers, well under a second.
    assert!(
        ta < Duration::from_secs(1) && tb < Duration::from_secs(1),
        "{ta:?} {tb:?}"
    );

    for i in 0..50u8 {
        net.a
            .send_audio(net.now, &[i; 40], 960, i == 0)
            .expect("send a");
        net.b
            .send_audio(net.now, &[i; 40], 960, i == 0)
            .expect("send b");
        net.run_for(Duration::from_millis(20));
    }
    let audio = |ev: &[(Duration, LegEvent)]| {
        ev.iter()
            .filter_map(|(_, e)| match e {
                LegEvent::Audio {
                    codec: AudioCodec::Opus,
                    packet,
                } => Some(packet.payload[0]),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(audio(&net.events_b), (0..50).collect::<Vec<_>>());
    assert_eq!(audio(&net.events_a), (0..50).collect::<Vec<_>>());

    // Counters cover the whole call.
    for _ in 0..250 {
        net.a
            .send_audio(net.now, &[0; 40], 960, false)
            .expect("send a");
        net.b
            .send_audio(net.now, &[0; 40], 960, false)
            .expect("send b");
        net.run_for(Duration::from_millis(20));
    }
    let stats = net.a.stats(net.now);
    assert_eq!(stats.packets_sent, 300, "{stats:?}");
    assert_eq!(stats.packets_received, 300, "{stats:?}");
    eprintln!(
        "offerer stats after 6 s: {stats:?}; {} wakeups, {} stale",
        net.wakeups, net.stale
    );
}

#[test]
fn garbage_datagrams_change_nothing() {
    let mut net = Net::new(vec![AudioCodec::Opus]);
    net.run_for(Duration::from_secs(2));
    let stranger: SocketAddr = "127.0.0.1:9999".parse().expect("addr");
    let local: SocketAddr = "127.0.0.1:40000".parse().expect("addr");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for len in [0usize, 1, 2, 12, 13, 20, 100, 1500] {
        for first in [0u8, 1, 20, 23, 64, 128, 0x80, 0xC8, 255] {
            let data: Vec<u8> = std::iter::once(first)
                .chain((1..len).map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                }))
                .take(len)
                .collect();
            net.a.handle_datagram(net.now, local, stranger, &data);
        }
    }
    net.flush();
    assert!(net.a.is_connected());
    net.a
        .send_audio(net.now, &[7; 10], 960, true)
        .expect("still sends");
    net.run_for(Duration::from_millis(20));
    assert!(net.events_b.iter().any(
        |(_, e)| matches!(e, LegEvent::Audio { packet, .. } if packet.payload == vec![7; 10])
    ));
}
