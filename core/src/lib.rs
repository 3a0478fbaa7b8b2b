//! Seatline core: the client logic shared by the Android app, the iOS app and the PC console.
