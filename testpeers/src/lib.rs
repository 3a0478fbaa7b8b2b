//! Real peers for Seatline's tests. Only loopback and the tests' own processes are targets.
//!
//! - [`ports`]: free loopback ports (UDP and TCP), spaced for baresip.
//! - [`process`]: a child-process guard that ends its peer by pid and prints the peer's
//!   output into the log of a failing test.
//! - [`baresip`]: a headless baresip phone driven over `ctrl_tcp` ([`ctrl`]).
//! - [`sipp`]: SIPp 3.6 running the scenarios in `testpeers/sipp/`, with its counts.
//! - [`fault`]: UDP and TCP relays with seeded loss, delay with jitter, and outages
//!   (instead of `tc netem`, which the build machines lack).

pub mod baresip;
pub mod chromium;
pub mod ctrl;
pub mod fault;
pub mod ports;
pub mod process;
pub mod sipp;
