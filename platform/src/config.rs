//! Server settings that are not on the command line: lifetimes, limits, intervals.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// How long a login (bearer token) lasts.
    pub session_ttl: Duration,
    /// How often the server pings each event socket (and re-checks its session).
    pub ping_interval: Duration,
    /// The largest request body accepted; larger ones get 413 `payload_too_large`.
    pub body_limit: usize,
    /// Events a socket may have queued before it counts as lagged and is closed.
    pub event_queue: usize,
    /// The call service: trunk, media ports, call timers.
    pub calls: crate::calls::CallsConfig,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            ping_interval: Duration::from_secs(20),
            body_limit: 64 * 1024,
            event_queue: 256,
            calls: Default::default(),
        }
    }
}

impl ServeConfig {
    pub fn session_ttl_ms(&self) -> i64 {
        i64::try_from(self.session_ttl.as_millis()).unwrap_or(i64::MAX)
    }
}
