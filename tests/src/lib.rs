//! End-to-end harness for Seatline: the real platform binary (`platform`), real core
//! clients with their event recorders (`device`), the platform's REST API seen from the
//! outside (`api`), a device network that can be cut (`link`) and a log capture for the
//! personal-data check (`logs`).
//!
//! Every wait is bounded; every test starts its own platform on a free port (port 0, and
//! the same port again on restart), with its own SQLite file and its own device data
//! directories, so suites run in parallel with each other and with the other crates'.

pub mod api;
pub mod call_platform;
pub mod device;
pub mod link;
pub mod logs;
pub mod platform;

pub use api::Rest;
pub use call_platform::CallPlatform;
pub use device::{data_dir, dial_refusal, Device, Recorder};
pub use link::Link;
pub use platform::{platform_bin, Platform};

use std::future::Future;
use std::time::{Duration, Instant};

pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The default bound of a wait: generous for a loaded 2-core machine, yet short enough
/// that a hang fails the test quickly.
pub const WAIT: Duration = Duration::from_secs(10);

/// A test failure with a message.
pub fn err(msg: impl Into<String>) -> Error {
    msg.into().into()
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = check().await;
        match last {
            Ok(Some(v)) => return Ok(v),
            Ok(None) | Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(None) => return Err(err(format!("{what}: not within {timeout:?}"))),
            Err(e) => return Err(err(format!("{what}: not within {timeout:?}; last: {e}"))),
        }
    }
}

/// The demo data's accounts (platform/src/seed.rs).
pub mod demo {
    /// Enterprise `demo` (online-service package): agents 1001 and 1002 have bound
    /// numbers, 1003 has none.
    pub const ENTERPRISE: &str = "demo";
    pub const BOUND_1001: &str = "13800000001";
    pub const BOUND_1002: &str = "13800000002";
    /// Enterprise `acme` (phone package only), agent 2001.
    pub const ACME: &str = "acme";
    pub const DEMO_CUSTOMERS: usize = 300;
    pub const ACME_CUSTOMERS: usize = 20;

    pub fn password(job: &str) -> String {
        format!("{job}pass")
    }
}
