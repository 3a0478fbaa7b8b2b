//! What the core keeps about itself in the database's key-value table: the device id, the
//! settings, the saved session (for R8 auto-login and the console's subcommands) and the
//! identity the local library belongs to.

use crate::db::Db;
use crate::error::CoreError;
use crate::settings::Settings;
use seatline_proto::DeviceId;
use serde::{Deserialize, Serialize};

const DEVICE_ID: &str = "device_id";
const SETTINGS: &str = "settings";
const SESSION: &str = "session";
const IDENTITY: &str = "library_identity";

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SavedSession {
    pub(crate) token: String,
    pub(crate) enterprise: String,
    pub(crate) agent_id: i64,
}

impl std::fmt::Debug for SavedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedSession")
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

/// This installation's id, made once: the platform tells a re-login of the same device
/// from a second device of the same kind by it.
pub(crate) fn device_id(db: &Db) -> Result<DeviceId, CoreError> {
    if let Some(id) = db.get_kv(DEVICE_ID)? {
        if let Ok(id) = DeviceId::parse(&id) {
            return Ok(id);
        }
    }
    let id = format!("dev-{:016x}", rand::random::<u64>());
    db.put_kv(DEVICE_ID, &id)?;
    Ok(DeviceId::parse(&id)?)
}

pub(crate) fn load_settings(db: &Db) -> Result<Settings, CoreError> {
    Ok(match db.get_kv(SETTINGS)? {
        // Settings written by a newer or older version that no longer parse fall back to
        // the defaults rather than locking the agent out.
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "stored settings unreadable; using defaults");
            Settings::default()
        }),
        None => Settings::default(),
    })
}

pub(crate) fn save_settings(db: &Db, settings: &Settings) -> Result<(), CoreError> {
    let json = serde_json::to_string(settings).map_err(|e| CoreError::Storage(e.to_string()))?;
    Ok(db.put_kv(SETTINGS, &json)?)
}

pub(crate) fn load_session(db: &Db) -> Result<Option<SavedSession>, CoreError> {
    Ok(db
        .get_kv(SESSION)?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

pub(crate) fn save_session(db: &Db, session: &SavedSession) -> Result<(), CoreError> {
    let json = serde_json::to_string(session).map_err(|e| CoreError::Storage(e.to_string()))?;
    Ok(db.put_kv(SESSION, &json)?)
}

pub(crate) fn clear_session(db: &Db) -> Result<(), CoreError> {
    db.delete_kv(SESSION)?;
    Ok(())
}

/// The enterprise whose customers the local library holds.
pub(crate) fn load_identity(db: &Db) -> Result<Option<String>, CoreError> {
    Ok(db.get_kv(IDENTITY)?)
}

pub(crate) fn save_identity(db: &Db, enterprise: &str) -> Result<(), CoreError> {
    Ok(db.put_kv(IDENTITY, enterprise)?)
}
