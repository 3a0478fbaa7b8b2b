//! Free loopback ports for peers that must be told their port before they start.
//!
//! A port is handed out only after both UDP and TCP binds on `127.0.0.1` succeeded for every
//! port of the block, because SIP peers listen on both transports. The search starts from an
//! offset derived from the process id, so parallel test processes (nextest) rarely probe the
//! same ports, and a process-wide cursor never hands out the same port twice. The range stays
//! below Linux's ephemeral range (32768..) so the kernel's own client ports do not land on
//! a port we promised to a peer, and above 20000 so it does not meet baresip's default RTP
//! range (10000-20000).

use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{bail, Result};

/// First port the allocator may hand out.
pub const RANGE_START: u16 = 20_000;
/// One past the last port the allocator may hand out.
pub const RANGE_END: u16 = 32_000;

/// Ports a baresip instance needs: SIP on `port`, and it also listens on TCP `port + 1`.
pub const BARESIP_SPACING: u16 = 2;

/// Offset of the next probe inside the range; `u32::MAX` until first use.
static CURSOR: AtomicU32 = AtomicU32::new(u32::MAX);

fn range_len() -> u32 {
    u32::from(RANGE_END - RANGE_START)
}

fn next_offset(block: u16) -> u32 {
    let len = range_len();
    let start = (std::process::id().wrapping_mul(2_654_435_761) % len) & !1;
    let _ = CURSOR.compare_exchange(u32::MAX, start, Ordering::SeqCst, Ordering::SeqCst);
    CURSOR.fetch_add(u32::from(block), Ordering::SeqCst) % len
}

fn is_free(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    UdpSocket::bind(addr).is_ok() && TcpListener::bind(addr).is_ok()
}

/// The first port of `block` consecutive ports that are free on loopback for UDP and TCP.
///
/// The ports are released again before this returns (the peer binds them), so there is a
/// small window in which another process could take them; the spread start keeps it rare.
pub fn free_block(block: u16) -> Result<u16> {
    if block == 0 || block > 64 {
        bail!("port block of {block} is out of bounds (1..=64)");
    }
    let attempts = range_len() / u32::from(block);
    for _ in 0..attempts {
        let offset = next_offset(block);
        let Ok(first) = u16::try_from(u32::from(RANGE_START) + offset) else {
            continue;
        };
        if u32::from(first) + u32::from(block) > u32::from(RANGE_END) {
            continue;
        }
        if (first..first + block).all(is_free) {
            return Ok(first);
        }
    }
    bail!("no free block of {block} loopback ports in {RANGE_START}..{RANGE_END}")
}

/// A loopback port free for both UDP and TCP.
pub fn free_port() -> Result<u16> {
    free_block(1)
}

/// A SIP port for baresip: `port` and `port + 1` are free (it listens on both).
pub fn baresip_sip_port() -> Result<u16> {
    free_block(BARESIP_SPACING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_and_in_range() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            let p = baresip_sip_port().unwrap();
            assert!((RANGE_START..RANGE_END - 1).contains(&p));
            assert!(
                seen.insert(p) && seen.insert(p + 1),
                "port {p} handed out twice"
            );
        }
    }

    #[test]
    fn a_bound_port_is_skipped() {
        let p = free_port().unwrap();
        let _held = UdpSocket::bind((Ipv4Addr::LOCALHOST, p)).unwrap();
        assert!(!is_free(p));
    }
}
