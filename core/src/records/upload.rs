//! Sending the pending native calls to the platform (`POST /records`), one pass at a
//! time, in the background. The platform stores a retried upload once (by `client_ref`),
//! so a pass that dies half-way is simply repeated.

use super::store;
use crate::client::Inner;
use crate::error::CoreError;
use crate::platform::RemoteError;
use seatline_proto::{paths, CallRecord, ErrorCode};
use std::sync::Arc;

/// Starts a background pass unless one is already waiting to start (it will see the
/// rows written before it starts).
pub(crate) fn request(inner: &Arc<Inner>) {
    if inner.native.take_queue() {
        return;
    }
    let weak = Arc::downgrade(inner);
    inner.rt.spawn(async move {
        let Some(me) = weak.upgrade() else { return };
        if let Err(e) = pass(&me).await {
            tracing::info!(error = %e, "native call upload did not finish");
        }
    });
}

/// One pass: every pending call of the logged-in agent, oldest first. Stops at the first
/// call the platform cannot be reached for (the next reconnect tries again).
pub(crate) async fn pass(inner: &Inner) -> Result<(), CoreError> {
    let _turn = inner.native.uploading.lock().await;
    inner.native.clear_queue();
    let Some(agent_id) = inner.lock().session.status().map(|s| s.profile.agent_id) else {
        return Ok(());
    };
    if inner.platform.token().is_none() {
        return Ok(());
    }
    for call in store::pending(&inner.db, agent_id)? {
        let sent: Result<CallRecord, RemoteError> =
            inner.platform.post(paths::RECORDS, &call.record).await;
        match sent {
            Ok(saved) => store::mark_sent(&inner.db, &call.record, saved.id)?,
            Err(RemoteError::Unreachable(why)) => {
                store::mark_failed(&inner.db, &call.client_ref, &why, false)?;
                return Err(CoreError::Unreachable(why));
            }
            // The session is gone: the call waits for the agent's next login.
            Err(RemoteError::Rejected(e)) if e.code == ErrorCode::Unauthorized => {
                return Err(CoreError::Rejected(e));
            }
            Err(RemoteError::Rejected(e)) => {
                // Refused for good (a PC session, bad data): kept, not sent again.
                tracing::warn!(code = ?e.code, "the platform refused a native call's record");
                store::mark_failed(&inner.db, &call.client_ref, &e.message, true)?;
            }
        }
    }
    Ok(())
}
