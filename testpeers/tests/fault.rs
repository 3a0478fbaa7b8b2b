//! The fault relays against small loopback servers: each fault on its own.

use std::net::SocketAddr;
use std::time::Duration;

use seatline_testpeers::fault::{TcpRelay, UdpRelay};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::time::{timeout, Instant};

/// A UDP server that sends every datagram back.
async fn udp_echo() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind echo");
    let addr = sock.local_addr().expect("echo addr");
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = sock.recv_from(&mut buf).await {
            let _ = sock.send_to(&buf[..n], from).await;
        }
    });
    (addr, task)
}

/// A UDP server that reports what arrived (sequence number, arrival time).
async fn udp_sink() -> (
    SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<(u32, Instant)>,
) {
    let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind sink");
    let addr = sock.local_addr().expect("sink addr");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut buf = [0u8; 64];
        while let Ok(n) = sock.recv(&mut buf).await {
            if n >= 4 {
                let seq = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
                if tx.send((seq, Instant::now())).is_err() {
                    break;
                }
            }
        }
    });
    (addr, rx)
}

async fn client() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.expect("bind client")
}

/// Sends `count` numbered datagrams `gap` apart, returning the send times.
async fn send_numbered(
    sock: &UdpSocket,
    to: SocketAddr,
    count: u32,
    gap: Duration,
) -> Vec<Instant> {
    let mut sent = Vec::new();
    for seq in 0..count {
        sent.push(Instant::now());
        sock.send_to(&seq.to_be_bytes(), to).await.expect("send");
        if !gap.is_zero() {
            tokio::time::sleep(gap).await;
        } else if seq % 25 == 24 {
            // Paced so the relay's socket buffer never overflows: the kernel, not the
            // relay, would drop them then, and the counts would not add up.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    sent
}

async fn drain(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(u32, Instant)>,
    quiet: Duration,
) -> Vec<(u32, Instant)> {
    let mut got = Vec::new();
    while let Ok(Some(item)) = timeout(quiet, rx.recv()).await {
        got.push(item);
    }
    got
}

#[tokio::test]
async fn udp_passes_both_ways_and_learns_the_client() {
    let (echo, _task) = udp_echo().await;
    let relay = UdpRelay::start(echo, 1).await.unwrap();
    let sock = client().await;
    let mut buf = [0u8; 64];
    for i in 0..20u8 {
        sock.send_to(&[i], relay.local_addr()).await.unwrap();
        let (n, from) = timeout(Duration::from_secs(2), sock.recv_from(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((&buf[..n], from), (&[i][..], relay.local_addr()));
    }
    let stats = relay.faults().stats();
    assert_eq!((stats.passed, stats.dropped), (40, 0));
}

async fn lost_with_seed(seed: u64) -> Vec<u32> {
    let (sink, mut rx) = udp_sink().await;
    let relay = UdpRelay::start(sink, seed).await.expect("relay");
    relay.faults().set_loss_percent(30.0);
    let sock = client().await;
    send_numbered(&sock, relay.local_addr(), 1000, Duration::ZERO).await;
    let got: Vec<u32> = drain(&mut rx, Duration::from_millis(300))
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let stats = relay.faults().stats();
    assert_eq!(stats.passed + stats.dropped, 1000);
    assert_eq!(
        got.len() as u64,
        stats.passed,
        "loopback itself lost datagrams"
    );
    (0..1000).filter(|s| !got.contains(s)).collect()
}

#[tokio::test]
async fn udp_loss_is_seeded_and_near_the_percentage() {
    let lost = lost_with_seed(7).await;
    assert!(
        (240..=360).contains(&lost.len()),
        "lost {} of 1000 at 30%",
        lost.len()
    );
    assert_eq!(lost, lost_with_seed(7).await, "same seed, same losses");
    assert_ne!(lost, lost_with_seed(8).await);
}

#[tokio::test]
async fn udp_delay_with_jitter_delays_and_reorders() {
    let (sink, mut rx) = udp_sink().await;
    let relay = UdpRelay::start(sink, 3).await.unwrap();
    relay
        .faults()
        .set_delay(Duration::from_millis(60), Duration::from_millis(20));
    let sock = client().await;
    let sent = send_numbered(&sock, relay.local_addr(), 100, Duration::from_millis(2)).await;
    let got = drain(&mut rx, Duration::from_millis(300)).await;
    assert_eq!(got.len(), 100);
    for (seq, at) in &got {
        let delay = *at - sent[usize::try_from(*seq).unwrap()];
        assert!(
            delay >= Duration::from_millis(39) && delay <= Duration::from_millis(120),
            "datagram {seq} took {delay:?} (60 ms ± 20 ms asked)"
        );
    }
    let reordered = got.windows(2).filter(|w| w[1].0 < w[0].0).count();
    assert!(
        reordered > 0,
        "jitter of ±20 ms on a 2 ms spacing should reorder"
    );
}

#[tokio::test]
async fn udp_outage_drops_everything_then_recovers() {
    let (sink, mut rx) = udp_sink().await;
    let relay = UdpRelay::start(sink, 5).await.unwrap();
    let sock = client().await;
    relay.faults().outage(Duration::from_millis(300));
    send_numbered(&sock, relay.local_addr(), 10, Duration::ZERO).await;
    assert!(drain(&mut rx, Duration::from_millis(100)).await.is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!relay.faults().is_down());
    send_numbered(&sock, relay.local_addr(), 10, Duration::ZERO).await;
    assert_eq!(drain(&mut rx, Duration::from_millis(200)).await.len(), 10);

    relay.faults().set_down(true);
    send_numbered(&sock, relay.local_addr(), 5, Duration::ZERO).await;
    // Let the relay judge them before it comes back up.
    assert!(drain(&mut rx, Duration::from_millis(100)).await.is_empty());
    relay.faults().set_down(false);
    let stats = relay.faults().stats();
    assert_eq!((stats.passed, stats.dropped), (10, 15));
}

#[tokio::test]
async fn udp_relay_stops_when_dropped() {
    let (sink, mut rx) = udp_sink().await;
    let relay = UdpRelay::start(sink, 1).await.unwrap();
    let addr = relay.local_addr();
    drop(relay);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let sock = client().await;
    let _ = sock.send_to(&0u32.to_be_bytes(), addr).await;
    assert!(drain(&mut rx, Duration::from_millis(100)).await.is_empty());
    // The port is free again.
    UdpSocket::bind(addr).await.unwrap();
}

/// A TCP server that echoes every connection.
async fn tcp_echo() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind tcp echo");
    let addr = listener.local_addr().expect("tcp echo addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = sock.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    addr
}

async fn round_trip(sock: &mut TcpStream, msg: &[u8]) -> std::io::Result<Vec<u8>> {
    sock.write_all(msg).await?;
    let mut buf = vec![0u8; msg.len()];
    timeout(Duration::from_secs(2), sock.read_exact(&mut buf))
        .await
        .map_err(|_| std::io::Error::other("timed out"))??;
    Ok(buf)
}

#[tokio::test]
async fn tcp_passes_and_delays_in_order() {
    let relay = TcpRelay::start(tcp_echo().await, 1).await.unwrap();
    let mut sock = TcpStream::connect(relay.local_addr()).await.unwrap();
    assert_eq!(round_trip(&mut sock, b"hello").await.unwrap(), b"hello");

    relay
        .faults()
        .set_delay(Duration::from_millis(50), Duration::from_millis(20));
    // Loss does not apply to TCP.
    relay.faults().set_loss_percent(100.0);
    let start = Instant::now();
    let mut all = Vec::new();
    for i in 0..20u8 {
        all.extend(round_trip(&mut sock, &[i; 100]).await.unwrap());
    }
    let expected: Vec<u8> = (0..20u8).flat_map(|i| [i; 100]).collect();
    assert_eq!(all, expected);
    // 20 round trips of two delayed legs, each at least 30 ms.
    assert!(start.elapsed() >= Duration::from_millis(20 * 60));
}

#[tokio::test]
async fn tcp_down_cuts_connections_and_refuses_new_ones() {
    let relay = TcpRelay::start(tcp_echo().await, 1).await.unwrap();
    let mut sock = TcpStream::connect(relay.local_addr()).await.unwrap();
    assert_eq!(round_trip(&mut sock, b"up").await.unwrap(), b"up");

    relay.faults().set_down(true);
    let mut buf = [0u8; 8];
    let read = timeout(Duration::from_secs(2), sock.read(&mut buf))
        .await
        .unwrap();
    assert!(matches!(read, Ok(0) | Err(_)), "an open connection is cut");

    let mut refused = TcpStream::connect(relay.local_addr()).await.unwrap();
    assert!(
        round_trip(&mut refused, b"x").await.is_err(),
        "a new connection is closed"
    );

    relay.faults().set_down(false);
    let mut again = TcpStream::connect(relay.local_addr()).await.unwrap();
    assert_eq!(round_trip(&mut again, b"back").await.unwrap(), b"back");
    assert!(relay.faults().stats().connections_cut >= 2);
}

#[tokio::test]
async fn tcp_outage_ends_by_itself() {
    let relay = TcpRelay::start(tcp_echo().await, 1).await.unwrap();
    relay.faults().outage(Duration::from_millis(200));
    let mut refused = TcpStream::connect(relay.local_addr()).await.unwrap();
    assert!(round_trip(&mut refused, b"x").await.is_err());
    tokio::time::sleep(Duration::from_millis(250)).await;
    let mut sock = TcpStream::connect(relay.local_addr()).await.unwrap();
    assert_eq!(round_trip(&mut sock, b"ok").await.unwrap(), b"ok");
}

#[tokio::test]
async fn relays_refuse_non_loopback_addresses() {
    let outside: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    assert!(UdpRelay::start(outside, 1).await.is_err());
    assert!(TcpRelay::start(outside, 1).await.is_err());
}
