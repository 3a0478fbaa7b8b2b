//! Runtime fault settings and counters shared by a relay and the test that drives it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// SplitMix64: tiny, seedable and the same on every platform and crate version, so a
/// seed gives the same losses and delays everywhere.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        // 53 random bits: exactly representable.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug)]
struct Settings {
    rng: SplitMix64,
    loss_percent: f64,
    delay: Duration,
    jitter: Duration,
    down: bool,
    down_until: Option<Instant>,
}

/// What happens to one packet or chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Forward after this delay (zero: now).
    Pass(Duration),
    Drop,
}

/// Counts of what a relay did, over both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultStats {
    /// Datagrams (UDP) or chunks (TCP) forwarded.
    pub passed: u64,
    /// Datagrams dropped by loss, an outage or a full delay queue.
    pub dropped: u64,
    /// TCP connections cut or refused because the relay was down.
    pub connections_cut: u64,
}

#[derive(Debug)]
struct Inner {
    settings: Mutex<Settings>,
    passed: AtomicU64,
    dropped: AtomicU64,
    connections_cut: AtomicU64,
    /// Bumped each time the relay goes down, so TCP connections know to end.
    down_epoch: watch::Sender<u64>,
}

/// The handle a test uses to set faults; cheap to clone, shared with the relay.
#[derive(Debug, Clone)]
pub struct FaultControls {
    inner: Arc<Inner>,
}

impl FaultControls {
    /// No faults yet; `seed` drives loss and jitter.
    pub fn new(seed: u64) -> Self {
        let (down_epoch, _) = watch::channel(0);
        Self {
            inner: Arc::new(Inner {
                settings: Mutex::new(Settings {
                    rng: SplitMix64(seed),
                    loss_percent: 0.0,
                    delay: Duration::ZERO,
                    jitter: Duration::ZERO,
                    down: false,
                    down_until: None,
                }),
                passed: AtomicU64::new(0),
                dropped: AtomicU64::new(0),
                connections_cut: AtomicU64::new(0),
                down_epoch,
            }),
        }
    }

    fn settings(&self) -> MutexGuard<'_, Settings> {
        self.inner
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Drops this share of UDP datagrams at random (0..=100; clamped). TCP is reliable and
    /// is not subject to loss.
    pub fn set_loss_percent(&self, percent: f64) {
        let percent = if percent.is_nan() {
            0.0
        } else {
            percent.clamp(0.0, 100.0)
        };
        self.settings().loss_percent = percent;
    }

    /// Delays each datagram or chunk by `delay` plus a uniform amount in `-jitter..=jitter`
    /// (never below zero). UDP datagrams may overtake each other, as with real jitter; TCP
    /// keeps its byte order.
    pub fn set_delay(&self, delay: Duration, jitter: Duration) {
        let mut s = self.settings();
        s.delay = delay;
        s.jitter = jitter;
    }

    /// Drops everything while `down` (TCP: cuts existing connections and refuses new ones).
    pub fn set_down(&self, down: bool) {
        let was_down = self.is_down();
        {
            let mut s = self.settings();
            s.down = down;
            if !down {
                s.down_until = None;
            }
        }
        if down && !was_down {
            self.inner.down_epoch.send_modify(|e| *e += 1);
        }
    }

    /// Goes down now and comes back by itself after `duration`.
    pub fn outage(&self, duration: Duration) {
        self.settings().down_until = Some(Instant::now() + duration);
        self.inner.down_epoch.send_modify(|e| *e += 1);
    }

    /// Whether the relay is down now (set down or inside an outage).
    pub fn is_down(&self) -> bool {
        let s = self.settings();
        s.down || s.down_until.is_some_and(|until| Instant::now() < until)
    }

    /// Removes every fault (loss, delay, down, outage); counters are kept.
    pub fn clear(&self) {
        let mut s = self.settings();
        s.loss_percent = 0.0;
        s.delay = Duration::ZERO;
        s.jitter = Duration::ZERO;
        s.down = false;
        s.down_until = None;
    }

    /// The counters so far.
    pub fn stats(&self) -> FaultStats {
        FaultStats {
            passed: self.inner.passed.load(Ordering::Relaxed),
            dropped: self.inner.dropped.load(Ordering::Relaxed),
            connections_cut: self.inner.connections_cut.load(Ordering::Relaxed),
        }
    }

    /// Decides the fate of one datagram (`lossy`) or TCP chunk (not lossy). Draws from the
    /// generator the same way whatever the settings, so changing one fault does not shift
    /// the random sequence of another.
    pub(crate) fn judge(&self, lossy: bool) -> Verdict {
        let mut s = self.settings();
        let loss_draw = s.rng.next_f64();
        let jitter_draw = s.rng.next_f64();
        let down = s.down || s.down_until.is_some_and(|until| Instant::now() < until);
        if down || (lossy && loss_draw * 100.0 < s.loss_percent) {
            return Verdict::Drop;
        }
        let jitter = s.jitter.as_secs_f64();
        let offset = (jitter_draw * 2.0 - 1.0) * jitter;
        let delay = (s.delay.as_secs_f64() + offset).max(0.0);
        Verdict::Pass(Duration::from_secs_f64(delay))
    }

    pub(crate) fn count_passed(&self) {
        self.inner.passed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_dropped(&self) {
        self.inner.dropped.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_cut(&self) {
        self.inner.connections_cut.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn subscribe_down(&self) -> watch::Receiver<u64> {
        self.inner.down_epoch.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts(seed: u64) -> Vec<Verdict> {
        let c = FaultControls::new(seed);
        c.set_loss_percent(30.0);
        c.set_delay(Duration::from_millis(60), Duration::from_millis(20));
        (0..1000).map(|_| c.judge(true)).collect()
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_faults() {
        assert_eq!(verdicts(7), verdicts(7));
        assert_ne!(verdicts(7), verdicts(8));
    }

    #[tokio::test]
    async fn loss_and_jitter_stay_in_their_bounds() {
        let v = verdicts(1);
        let dropped = v.iter().filter(|v| **v == Verdict::Drop).count();
        assert!(
            (240..=360).contains(&dropped),
            "{dropped} of 1000 dropped at 30%"
        );
        for verdict in v {
            if let Verdict::Pass(d) = verdict {
                assert!(d >= Duration::from_millis(40) && d <= Duration::from_millis(80));
            }
        }
    }

    #[tokio::test]
    async fn tcp_chunks_are_never_lost_but_outages_drop() {
        let c = FaultControls::new(3);
        c.set_loss_percent(100.0);
        assert_eq!(c.judge(false), Verdict::Pass(Duration::ZERO));
        assert_eq!(c.judge(true), Verdict::Drop);
        c.clear();
        c.set_down(true);
        assert!(c.is_down());
        assert_eq!(c.judge(false), Verdict::Drop);
        c.set_down(false);
        assert!(!c.is_down());
    }

    #[tokio::test(start_paused = true)]
    async fn an_outage_ends_by_itself() {
        let c = FaultControls::new(3);
        let mut epoch = c.subscribe_down();
        c.outage(Duration::from_millis(500));
        assert!(c.is_down());
        assert!(epoch.has_changed().unwrap());
        epoch.borrow_and_update();
        tokio::time::advance(Duration::from_millis(600)).await;
        assert!(!c.is_down());
    }
}
