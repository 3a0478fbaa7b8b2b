//! Seatline core: the client logic shared by the Android app, the iOS app and the PC console.

pub mod db;
pub mod dialpad;
pub mod library;
