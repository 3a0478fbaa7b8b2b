//! Reconnect delays: exponential with jitter, capped. Pure: the caller passes the jitter
//! draw in, so tests see the same delays every run.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Default for Backoff {
    /// 0.5 s, 1 s, 2 s ... up to 30 s: quick after a blip, gentle on a platform that is down.
    fn default() -> Self {
        Self::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            attempt: 0,
        }
    }

    /// The delay before the next attempt. `jitter` in `[0, 1)` spreads reconnects of many
    /// devices after a platform restart over the upper half of the window ("equal jitter").
    pub fn next_delay(&mut self, jitter: f64) -> Duration {
        let exp = self.base.saturating_mul(1u32 << self.attempt.min(16));
        let window = exp.min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let jitter = jitter.clamp(0.0, 1.0);
        window / 2 + window.mul_f64(jitter / 2.0)
    }

    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let mut b = Backoff::default();
        let d: Vec<_> = (0..10).map(|_| b.next_delay(1.0)).collect();
        assert_eq!(d[0], Duration::from_millis(500));
        assert_eq!(d[1], Duration::from_secs(1));
        assert_eq!(d[2], Duration::from_secs(2));
        assert_eq!(d[9], Duration::from_secs(30));
        b.reset();
        assert_eq!(b.next_delay(0.0), Duration::from_millis(250));
    }
}
