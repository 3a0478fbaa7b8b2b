//! What the core tells the app, and the listener registry with cancel-on-drop handles.

use crate::answer::{AnswerRefusal, AnswerState};
use crate::session::PhoneState;
use seatline_proto::events::SessionEndReason;
use seatline_proto::DeviceKind;
use std::sync::{Arc, Mutex, Weak};

/// The phone panel as one value: what the status line of every shell renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneView {
    pub phone: PhoneState,
    pub answer: AnswerState,
    /// A switch of the answer state is on its way to the platform.
    pub answer_pending: bool,
    pub reception_open: bool,
    pub devices_online: Vec<DeviceKind>,
    /// The device holding the answer lease, if any (R5).
    pub answer_holder: Option<DeviceKind>,
}

impl PhoneView {
    /// The status line text in zh-CN: the phone state when it speaks (R2, R9), else the
    /// answer state (R4).
    pub fn text_zh(&self) -> &'static str {
        self.phone.text_zh().unwrap_or(self.answer.text_zh())
    }
    pub fn text_en(&self) -> &'static str {
        self.phone.text_en().unwrap_or(self.answer.text_en())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The phone panel changed (login state, fault, answer state, reception, devices).
    PhoneChanged(PhoneView),
    /// The call panel changed (phase, hold, mute, voice link, statistics every second):
    /// read `SeatlineClient::call()`.
    CallChanged,
    /// A switch of the answer state was refused (R3, R5, R31).
    AnswerRefused(AnswerRefusal),
    /// R10: "请插入麦克风".
    MicrophonePrompt,
    /// The local customer library changed (a sync brought or pushed changes).
    LibraryChanged,
    /// The platform ended this session (R2): the device is logged out.
    SessionEnded(SessionEndReason),
    /// The event socket went up or down.
    Connection { up: bool },
    /// R38: the agent's call records changed (a call was recorded, a native call
    /// uploaded, a record deleted): read them again.
    RecordsChanged,
}

pub trait ClientListener: Send + Sync {
    fn on_event(&self, event: ClientEvent);
}

type Entry = (u64, Arc<dyn ClientListener>);

#[derive(Default)]
pub(crate) struct Listeners {
    entries: Mutex<(u64, Vec<Entry>)>,
}

impl Listeners {
    pub(crate) fn add(self: &Arc<Self>, listener: Arc<dyn ClientListener>) -> Subscription {
        let id = match self.entries.lock() {
            Ok(mut e) => {
                e.0 += 1;
                let id = e.0;
                e.1.push((id, listener));
                id
            }
            Err(_) => 0,
        };
        Subscription {
            listeners: Arc::downgrade(self),
            id,
        }
    }

    /// Calls every listener without holding the lock, so a listener may subscribe,
    /// unsubscribe or call back into the client.
    pub(crate) fn emit(&self, event: &ClientEvent) {
        let snapshot: Vec<Arc<dyn ClientListener>> = match self.entries.lock() {
            Ok(e) => e.1.iter().map(|(_, l)| l.clone()).collect(),
            Err(_) => return,
        };
        for l in snapshot {
            l.on_event(event.clone());
        }
    }

    fn remove(&self, id: u64) {
        if let Ok(mut e) = self.entries.lock() {
            e.1.retain(|(i, _)| *i != id);
        }
    }
}

/// Keeps a listener registered; dropping it (or calling `cancel`) unregisters it.
pub struct Subscription {
    listeners: Weak<Listeners>,
    id: u64,
}

impl Subscription {
    pub fn cancel(&self) {
        if let Some(l) = self.listeners.upgrade() {
            l.remove(self.id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}
