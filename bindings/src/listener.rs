//! Traits the apps implement, and the handle that keeps a listener registered.

use crate::types::{AudioDeviceInfo, ClientEvent};
use std::sync::{Arc, Mutex};

/// Receives the core's events (on a core thread: hop to the UI thread in the app).
#[uniffi::export(with_foreign)]
pub trait EventListener: Send + Sync {
    fn on_event(&self, event: ClientEvent);
}

/// The device's audio hardware (R8, R10): AudioManager on Android, AVAudioSession on iOS.
#[uniffi::export(with_foreign)]
pub trait AudioDevicesProvider: Send + Sync {
    fn microphones(&self) -> Vec<AudioDeviceInfo>;
    fn speakers(&self) -> Vec<AudioDeviceInfo>;
}

/// Bridges the app's listener to the core's.
pub(crate) struct ForwardEvents(pub(crate) Arc<dyn EventListener>);

impl seatline_core::ClientListener for ForwardEvents {
    fn on_event(&self, event: seatline_core::ClientEvent) {
        self.0.on_event(event.into());
    }
}

pub(crate) struct ForwardAudio(pub(crate) Arc<dyn AudioDevicesProvider>);

impl seatline_core::settings::AudioDevices for ForwardAudio {
    fn microphones(&self) -> Vec<seatline_core::settings::AudioDevice> {
        self.0
            .microphones()
            .into_iter()
            .map(|d| seatline_core::settings::AudioDevice {
                id: d.id,
                name: d.name,
            })
            .collect()
    }
    fn speakers(&self) -> Vec<seatline_core::settings::AudioDevice> {
        self.0
            .speakers()
            .into_iter()
            .map(|d| seatline_core::settings::AudioDevice {
                id: d.id,
                name: d.name,
            })
            .collect()
    }
}

/// Keeps a listener subscribed. Dropping it (Kotlin `close()`, Swift deinit) or calling
/// `cancel()` unsubscribes.
#[derive(uniffi::Object)]
pub struct SubscriptionHandle {
    inner: Mutex<Option<seatline_core::Subscription>>,
}

impl SubscriptionHandle {
    pub(crate) fn new(sub: seatline_core::Subscription) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(Some(sub)),
        })
    }
}

#[uniffi::export]
impl SubscriptionHandle {
    pub fn cancel(&self) {
        if let Ok(mut s) = self.inner.lock() {
            s.take();
        }
    }
}
