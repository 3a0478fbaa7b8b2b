//! Sync of the mirror with the platform, the source of truth (ADR 0004): push the outbox
//! in order, then pull the platform's changes after the cursor, page by page.
//!
//! No database lock or transaction is held across a network call: each step reads what it
//! needs, releases the lock, awaits the platform, then writes the outcome in one short
//! transaction. A crash between two steps leaves the entry queued, and pushing it again is
//! harmless: a create comes back as a duplicate (merged), a patch as a no-op or a
//! conflict, a contact as a no-op.

use super::outbox::{self, Entry, Op};
use super::{store, Library, LibraryError};
use seatline_proto::{
    ApiError, Customer, CustomerChanges, CustomerPatch, ErrorCode, NewContact, NewCustomer,
    PatchOutcome,
};
use std::future::Future;

/// Customers asked for per pull request.
pub const PULL_PAGE: u32 = 500;

/// Why a call to the platform failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// No answer (no network, timeout, connection refused, 5xx from a proxy): the request
    /// may or may not have arrived. Try again later; the entry stays queued, in order.
    #[error("platform unreachable: {0}")]
    Unreachable(String),
    /// The platform answered with its typed error body. Final for this request, except
    /// `Unauthorized`, `Internal` and `TooManyAttempts`, which say nothing about the
    /// request itself: the library keeps the entry for those too.
    #[error("platform refused: {0}")]
    Rejected(ApiError),
}

/// The platform's customer API as the library needs it. The core's platform client
/// implements it over REST (`paths::CUSTOMERS` and friends); tests use an in-memory fake.
pub trait CustomerRemote: Send + Sync {
    /// `POST /customers`. A customer with the same mobile number answers
    /// `Rejected(DuplicateCustomer { existing_id })`.
    fn create(&self, c: &NewCustomer)
        -> impl Future<Output = Result<Customer, RemoteError>> + Send;
    /// `PATCH /customers/{id}` with the three-way rule per field.
    fn patch(
        &self,
        id: i64,
        p: &CustomerPatch,
    ) -> impl Future<Output = Result<PatchOutcome, RemoteError>> + Send;
    /// `POST /customers/{id}/contacts`; adding a method that is there is a no-op.
    fn add_contact(
        &self,
        id: i64,
        c: &NewContact,
    ) -> impl Future<Output = Result<Customer, RemoteError>> + Send;
    /// `GET /customers/changes?since=&limit=`.
    fn changes(
        &self,
        since: i64,
        limit: u32,
    ) -> impl Future<Output = Result<CustomerChanges, RemoteError>> + Send;
}

/// What one `sync` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Queued edits the platform accepted.
    pub pushed: u32,
    /// Offline creates that met an existing customer and were merged into it.
    pub merged: u32,
    /// Field conflicts recorded (see `Library::conflicts`).
    pub conflicts: u32,
    /// Queued edits the platform refused and that were dropped (see `Library::rejections`).
    pub rejected: u32,
    /// Customers received from the platform.
    pub pulled: u32,
    /// Edits still queued after this sync.
    pub pending: u32,
    /// Set when the sync stopped early because the platform could not be reached (or had
    /// a server error); what is left is retried by the next sync.
    pub interrupted: Option<String>,
}

/// Errors that are about the platform or the session, not about one queued edit.
fn retry_later(code: &ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Internal | ErrorCode::TooManyAttempts { .. }
    )
}

enum Accepted {
    Created(Customer),
    Patched(PatchOutcome),
    ContactAdded(Customer),
}

enum Step {
    Continue,
    Stop(String),
}

pub(crate) async fn run<R: CustomerRemote>(
    lib: &Library,
    remote: &R,
) -> Result<SyncReport, LibraryError> {
    // One sync at a time: two would push the same entry twice.
    let _running = lib.sync_lock.lock().await;
    let mut report = SyncReport::default();
    let stopped = push(lib, remote, &mut report).await?;
    // Pulling while edits wait would only be overlaid by them; and if the platform did
    // not answer the push, it will not answer the pull either.
    if stopped.is_none() {
        report.interrupted = pull(lib, remote, &mut report).await?;
    } else {
        report.interrupted = stopped;
    }
    report.pending = lib.db.with_conn(outbox::len)?;
    tracing::info!(
        pushed = report.pushed,
        merged = report.merged,
        conflicts = report.conflicts,
        rejected = report.rejected,
        pulled = report.pulled,
        pending = report.pending,
        interrupted = report.interrupted.is_some(),
        "customer library synced"
    );
    Ok(report)
}

async fn push<R: CustomerRemote>(
    lib: &Library,
    remote: &R,
    report: &mut SyncReport,
) -> Result<Option<String>, LibraryError> {
    loop {
        let Some(entry) = lib.db.with_tx(outbox::next)? else {
            return Ok(None);
        };
        match push_one(lib, remote, &entry, report).await? {
            Step::Continue => {}
            Step::Stop(why) => return Ok(Some(why)),
        }
    }
}

async fn push_one<R: CustomerRemote>(
    lib: &Library,
    remote: &R,
    entry: &Entry,
    report: &mut SyncReport,
) -> Result<Step, LibraryError> {
    let id = entry.customer_id;
    let sent = match &entry.op {
        Op::Create(c) => remote.create(c).await.map(Accepted::Created),
        // Still provisional after its create left the queue: the create was refused and
        // this entry escaped the clean-up. It can never be sent.
        _ if id < 0 => {
            let why = ApiError::new(
                ErrorCode::NotFound,
                "the customer was never created on the platform",
            );
            lib.db.with_tx(|tx| outbox::reject_entry(tx, entry, &why))?;
            report.rejected += 1;
            return Ok(Step::Continue);
        }
        Op::Patch(p) => remote.patch(id, p).await.map(Accepted::Patched),
        Op::Contact(c) => remote.add_contact(id, c).await.map(Accepted::ContactAdded),
    };
    match sent {
        Ok(accepted) => {
            let conflicts = lib.db.with_tx(|tx| accept(tx, entry, &accepted))?;
            report.pushed += 1;
            report.conflicts += conflicts;
            Ok(Step::Continue)
        }
        Err(RemoteError::Unreachable(why)) => {
            lib.db
                .with_tx(|tx| outbox::note_attempt(tx, entry.seq, &why))?;
            Ok(Step::Stop(why))
        }
        Err(RemoteError::Rejected(e)) => match (&entry.op, &e.code) {
            (Op::Create(c), ErrorCode::DuplicateCustomer { existing_id }) => {
                lib.db
                    .with_tx(|tx| merge_into_existing(tx, entry, c, *existing_id))?;
                report.merged += 1;
                Ok(Step::Continue)
            }
            (_, ErrorCode::Unauthorized) => {
                lib.db
                    .with_tx(|tx| outbox::note_attempt(tx, entry.seq, &e.message))?;
                Err(LibraryError::Remote(e))
            }
            (_, code) if retry_later(code) => {
                lib.db
                    .with_tx(|tx| outbox::note_attempt(tx, entry.seq, &e.message))?;
                Ok(Step::Stop(e.to_string()))
            }
            _ => {
                tracing::warn!(seq = entry.seq, kind = entry.op.kind().as_str(), code = ?e.code,
                    "platform refused a queued customer edit; dropped and recorded");
                report.rejected += lib.db.with_tx(|tx| reject(tx, entry, &e))?;
                Ok(Step::Continue)
            }
        },
    }
}

/// Writes what the platform accepted; returns the number of conflicts recorded.
fn accept(
    tx: &rusqlite::Transaction<'_>,
    entry: &Entry,
    accepted: &Accepted,
) -> Result<u32, LibraryError> {
    // Remove the entry first, so replaying the queue onto the platform's version does not
    // apply this edit a second time.
    outbox::remove(tx, entry.seq)?;
    match accepted {
        Accepted::Created(c) => {
            store::remap(tx, entry.customer_id, c.id)?;
            store::apply_remote(tx, c)?;
            Ok(0)
        }
        Accepted::Patched(outcome) => {
            let recorded = outbox::record_conflicts(tx, outcome.customer.id, &outcome.conflicts)?;
            store::apply_remote(tx, &outcome.customer)?;
            Ok(recorded)
        }
        Accepted::ContactAdded(c) => {
            store::apply_remote(tx, c)?;
            Ok(0)
        }
    }
}

/// A create met a customer with the same mobile number (R15's unique key): the local
/// customer becomes that one, and the create turns, in its place in the queue, into a
/// patch of the fields it set (from "empty"), so nothing typed offline is lost: it is
/// applied where the platform's field is empty and recorded as a conflict elsewhere. The
/// contacts queued after it follow the id and are added next.
fn merge_into_existing(
    tx: &rusqlite::Transaction<'_>,
    entry: &Entry,
    c: &NewCustomer,
    existing_id: i64,
) -> Result<(), LibraryError> {
    let patch = store::create_as_patch(c, store::current_agent(tx)?);
    store::remap(tx, entry.customer_id, existing_id)?;
    if patch.is_empty() {
        outbox::remove(tx, entry.seq)
    } else {
        outbox::rewrite(tx, entry.seq, existing_id, &Op::Patch(patch))
    }
}

/// Drops a refused entry and records it. A refused create takes its provisional customer
/// and the edits queued for it along: they can never reach the platform. Returns how many
/// entries were dropped.
fn reject(
    tx: &rusqlite::Transaction<'_>,
    entry: &Entry,
    e: &ApiError,
) -> Result<u32, LibraryError> {
    outbox::reject_entry(tx, entry, e)?;
    if matches!(entry.op, Op::Create(_)) && entry.customer_id < 0 {
        let why = ApiError::new(
            e.code.clone(),
            format!("its customer was refused: {}", e.message),
        );
        let dependents = outbox::reject_all_for(tx, entry.customer_id, &why)?;
        store::delete(tx, entry.customer_id)?;
        return Ok(1 + dependents);
    }
    Ok(1)
}

async fn pull<R: CustomerRemote>(
    lib: &Library,
    remote: &R,
    report: &mut SyncReport,
) -> Result<Option<String>, LibraryError> {
    loop {
        let since = lib.db.with_conn(store::cursor)?;
        let page = match remote.changes(since, PULL_PAGE).await {
            Ok(page) => page,
            Err(RemoteError::Unreachable(why)) => return Ok(Some(why)),
            Err(RemoteError::Rejected(e)) if retry_later(&e.code) => {
                return Ok(Some(e.to_string()))
            }
            Err(RemoteError::Rejected(e)) => return Err(LibraryError::Remote(e)),
        };
        lib.db.with_tx(|tx| -> Result<(), LibraryError> {
            for c in &page.customers {
                store::apply_remote(tx, c)?;
            }
            // The page and the cursor move together, so a crash re-fetches the page.
            store::set_cursor(tx, page.next.max(since))
        })?;
        report.pulled += page.customers.len() as u32;
        // A page that does not move the cursor would be asked for forever.
        if !page.more || page.next <= since {
            return Ok(None);
        }
    }
}
