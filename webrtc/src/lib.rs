//! One audio leg over WebRTC. See ADR 0007 for why this is webrtc-rs's sans-IO `rtc` core.
