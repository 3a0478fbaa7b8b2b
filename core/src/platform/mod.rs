//! The platform client: REST commands and queries over reqwest, and the device's event
//! socket over tokio-tungstenite. Both speak the `seatline-proto` contract.

mod rest;
mod socket;

pub use rest::{PlatformClient, RemoteError};
pub use socket::{connect_events, EventSocket, SocketError};
