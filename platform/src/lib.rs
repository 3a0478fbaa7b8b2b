//! The Seatline platform server: accounts and job numbers, sessions, answer leases, the
//! customer library and the WebSocket event stream, over SQLite or PostgreSQL.
//!
//! `seatline-platform serve` runs [`api::router`] on a [`store::Store`]; the wire
//! contract is the `seatline-proto` crate.

pub mod api;
pub mod auth;
pub mod calls;
pub mod cli;
pub mod config;
pub mod hub;
pub mod seed;
pub mod store;
pub mod trunk;
