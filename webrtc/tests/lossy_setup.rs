//! Call setup through a lossy, jittery path from the first packet, on a simulated clock: two
//! legs back to back with every datagram delayed by 70 ± 60 ms (so they overtake each other)
//! and 5% of them lost, as `voip_under_loss_and_jitter_reports_mos` does with the fault relay.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent};

/// SplitMix64, seeded: the same losses and delays on every run.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct InFlight {
    to_b: bool,
    local: SocketAddr,
    remote: SocketAddr,
    data: Vec<u8>,
}

/// Connects two legs over the lossy path; returns when each side saw `Connected` (None: never
/// within `limit`), plus the numbers of datagrams sent and lost.
fn connect(
    seed: u64,
    loss: f64,
    limit: Duration,
) -> (Option<Duration>, Option<Duration>, u64, u64) {
    let addr_a: SocketAddr = "127.0.0.1:40000".parse().expect("addr");
    let addr_b: SocketAddr = "127.0.0.1:40002".parse().expect("addr");
    let start = Instant::now();
    let (mut a, offer) = AudioLeg::offerer(
        LegConfig::new(vec![addr_a], vec![AudioCodec::Opus, AudioCodec::Pcmu]),
        start,
    )
    .expect("offer");
    let (mut b, answer) = AudioLeg::answerer(
        LegConfig::new(vec![addr_b], vec![AudioCodec::Opus, AudioCodec::Pcmu]),
        start,
        &offer,
    )
    .expect("answer");
    a.accept_answer(start, &answer).expect("accept");

    let mut rng = Rng(seed);
    let mut now = start;
    let mut queue: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
    let mut packets: std::collections::HashMap<u64, InFlight> = Default::default();
    let mut next_id = 0u64;
    let (mut sent, mut lost) = (0u64, 0u64);
    let (mut ca, mut cb) = (None, None);
    let end = start + limit;
    while now < end && (ca.is_none() || cb.is_none()) {
        // Everything the legs want to send goes into the path.
        for to_b in [true, false] {
            let leg = if to_b { &mut a } else { &mut b };
            while let Some(t) = leg.poll_transmit() {
                sent += 1;
                let drop = rng.next_f64() * 100.0 < loss;
                let jitter = rng.next_f64() * 2.0 - 1.0;
                if drop {
                    lost += 1;
                    continue;
                }
                let delay = Duration::from_secs_f64((0.070 + jitter * 0.060).max(0.0));
                queue.push(Reverse((now + delay, next_id)));
                packets.insert(
                    next_id,
                    InFlight {
                        to_b,
                        local: t.remote,
                        remote: t.local,
                        data: t.data,
                    },
                );
                next_id += 1;
            }
        }
        for (leg, seen) in [(&mut a, &mut ca), (&mut b, &mut cb)] {
            while let Some(e) = leg.poll_event() {
                if e == LegEvent::Connected && seen.is_none() {
                    *seen = Some(now - start);
                }
            }
        }
        let next_timer = [a.poll_timeout(), b.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(end);
        let next_packet = queue.peek().map(|Reverse((at, _))| *at).unwrap_or(end);
        if next_packet <= next_timer && !queue.is_empty() {
            let Reverse((at, id)) = queue.pop().expect("peeked");
            now = now.max(at);
            let p = packets.remove(&id).expect("in flight");
            let leg = if p.to_b { &mut b } else { &mut a };
            leg.handle_datagram(now, p.local, p.remote, &p.data);
        } else {
            now = next_timer.max(now + Duration::from_millis(1));
            a.handle_timeout(now);
            b.handle_timeout(now);
        }
    }
    (ca, cb, sent, lost)
}

/// KNOWN DEFECT in `rtc-dtls` 0.21.1 (not in our code): about 1 seed in 20 never connects
/// (95 of seeds 1..=2000; the first are 36, 53, 113, 121, 166). Seed 53 loses a single
/// datagram, the DTLS server's flight 4 (ServerHello..ServerHelloDone, 730 bytes, offerer to
/// answerer). The client (the answerer, `active`) then retransmits its cookie ClientHello
/// (flight 3) every second, and each one arrives at the server before the server's own 1 s
/// retransmit timer fires. `Handshaker::wait` (handshaker.rs) clears
/// `current_retransmit_timer` on any incoming handshake packet, then `Flight4::parse` finds no
/// ClientKeyExchange and returns `Err((None, None))`: the server stays in `Waiting` with no
/// timer, and a repeated flight 3 never makes it resend flight 4 (RFC 6347 §4.2.4 wants
/// both). The client gives up its retransmits after a few seconds; ICE stays up without DTLS
/// and the core's 10 s media grace ends the call. Only seed 53 was traced; the mirror case
/// (flight 5 lost, the server's flight 4 retransmits clearing the client's timer) is likely
/// the same. Not the cause: our driver and the core/gateway loops drive `poll_timeout` /
/// `handle_timeout` (seeds without this timing connect after DTLS and ICE retransmits, and
/// reordering alone is fine, see `connects_through_jitter_alone`). The fix belongs in
/// `rtc-dtls` (keep the timer armed when the parse yields nothing new, or resend our last
/// flight when the peer repeats its previous one), e.g. as a `[patch.crates-io]`.
#[test]
#[ignore = "rtc-dtls 0.21.1 never resends DTLS flight 4 when the client's retransmitted ClientHello clears its timer (seed 53); see the comment"]
fn connects_through_loss_and_jitter_from_the_start() {
    let mut failed = vec![];
    for seed in 1..=200u64 {
        let (ca, cb, sent, lost) = connect(seed, 5.0, Duration::from_secs(20));
        if ca.is_none() || cb.is_none() {
            eprintln!("seed {seed}: offerer {ca:?} answerer {cb:?}; {lost} of {sent} lost");
            failed.push(seed);
        }
    }
    assert!(failed.is_empty(), "never connected with seeds {failed:?}");
}

#[test]
fn connects_through_jitter_alone() {
    for seed in 1..=10u64 {
        let (ca, cb, sent, lost) = connect(seed, 0.0, Duration::from_secs(20));
        eprintln!("seed {seed}: offerer {ca:?} answerer {cb:?}; {lost} of {sent} lost");
        assert!(ca.is_some() && cb.is_some(), "seed {seed}");
    }
}
