//! Seatline core: the client logic shared by the Android app, the iOS app and the PC console.

pub mod answer;
pub mod audio;
pub mod backoff;
pub mod call;
pub mod client;
pub mod db;
pub mod dialpad;
pub mod error;
pub mod library;
pub mod platform;
pub mod records;
pub mod session;
pub mod settings;
pub mod voice;

pub use client::{
    ClientConfig, ClientEvent, ClientListener, PhoneView, SeatlineClient, Subscription,
};
pub use error::CoreError;
