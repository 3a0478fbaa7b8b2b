//! The local customer library (客户库): a mirror of the platform's customers that reads and
//! writes offline, and syncs when the platform can be reached (ADR 0004).
//!
//! - [`Library::search`]: by name or company (word prefixes; any part of CJK text) or by
//!   any part of a number, ranked, paged.
//! - [`Library::by_mobile`]: the card for a number (R16: calls of a number in the library
//!   show the library's data; R32 screen pop).
//! - [`Library::my_customers`]: the agent's own customers (R40).
//! - [`Library::add_customer`] / [`Library::edit_customer`] / [`Library::add_contact`]:
//!   written to the mirror at once and queued; a new customer gets a provisional (negative)
//!   id until the platform accepts it (R15, R26).
//! - [`Library::sync`]: push the queue, pull the changes.
//!
//! `Library` is `Send + Sync`; share it as `Arc<Library>`. Its methods are synchronous and
//! short (one SQLite statement or transaction each), except `sync`, which awaits the
//! platform without holding the database.

mod outbox;
mod search;
mod store;
mod sync;

#[cfg(test)]
mod tests;

pub use outbox::{EditKind, SyncConflict, SyncRejection};
pub use search::{render_for_shell, MAX_OFFSET, MAX_WORDS};
pub use sync::{CustomerRemote, RemoteError, SyncReport, PULL_PAGE};

use crate::db::{Db, DbError};
use seatline_proto::{
    ApiError, Customer, CustomerPatch, CustomerQuery, InvalidValue, NewContact, NewCustomer,
    PhoneNumber,
};
use std::sync::Arc;

/// What can go wrong with the library.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// Bad input; nothing was written.
    #[error("invalid input: {0}")]
    InvalidInput(#[from] InvalidValue),
    #[error("no such customer")]
    NotFound,
    /// R15: the mobile number is the unique key and already belongs to this customer.
    #[error("a customer with this mobile number exists (id {existing_id})")]
    Duplicate { existing_id: i64 },
    /// The edit's `from` no longer matches the field (it changed since the card was
    /// shown): reload the customer and edit again. Nothing was written.
    #[error("the customer changed meanwhile ({field}); reload and edit again")]
    Stale { field: &'static str },
    /// The platform refused a sync as a whole (e.g. `Unauthorized`: log in again).
    #[error("platform: {0}")]
    Remote(ApiError),
    /// Stored data could not be encoded or decoded.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for LibraryError {
    fn from(e: rusqlite::Error) -> Self {
        LibraryError::Db(DbError::Sqlite(e))
    }
}

impl LibraryError {
    pub(crate) fn corrupt(e: impl std::fmt::Display) -> Self {
        LibraryError::Corrupt(e.to_string())
    }
}

/// The customer library over the core's database.
pub struct Library {
    db: Arc<Db>,
    /// Held for the whole of a sync (across awaits, hence tokio's mutex); it guards no
    /// data, only that two syncs never push the same entry twice.
    sync_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Library")
    }
}

impl Library {
    pub fn new(db: Arc<Db>) -> Self {
        Self {
            db,
            sync_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// True for ids the platform has not assigned yet (customers created offline).
    pub fn is_provisional(id: i64) -> bool {
        id < 0
    }

    /// The agent this device is logged in as. Call it after login (with
    /// `AgentProfile::agent_id`): an offline `owned_by_me` create uses it for the local
    /// owner, and for the owner claim when that create merges into an existing customer.
    /// Remembered across restarts.
    pub fn set_current_agent(&self, agent_id: Option<i64>) -> Result<(), LibraryError> {
        self.db.with_conn(|c| store::set_agent(c, agent_id))
    }

    pub fn current_agent(&self) -> Result<Option<i64>, LibraryError> {
        self.db.with_conn(store::current_agent)
    }

    /// Adds a customer (R15: only the mobile number is needed; without an owner it is in
    /// the public pool). It is in the mirror, searchable, at once, under a provisional id,
    /// and queued for the platform in the same transaction.
    pub fn add_customer(&self, c: NewCustomer) -> Result<Customer, LibraryError> {
        let id = self.db.with_tx(|tx| store::create_local(tx, &c))?;
        tracing::debug!(id, mobile = ?c.mobile, "customer added locally");
        self.get(id)?.ok_or(LibraryError::NotFound)
    }

    /// Edits a customer's fields. `from` of each change is what the agent saw: if the
    /// mirror holds something else now, the edit is refused as [`LibraryError::Stale`].
    pub fn edit_customer(&self, id: i64, p: CustomerPatch) -> Result<Customer, LibraryError> {
        let id = self.db.with_tx(|tx| -> Result<i64, LibraryError> {
            let id = store::resolve(tx, id)?;
            store::edit_local(tx, id, &p)?;
            Ok(id)
        })?;
        self.get(id)?.ok_or(LibraryError::NotFound)
    }

    /// Adds a contact method (R15: five kinds). The value is checked for its kind and
    /// stored in canonical form; adding one the customer has is a no-op.
    pub fn add_contact(&self, id: i64, c: NewContact) -> Result<Customer, LibraryError> {
        let value = c.kind.validate(&c.value)?;
        let c = NewContact {
            kind: c.kind,
            value,
        };
        let id = self.db.with_tx(|tx| -> Result<i64, LibraryError> {
            let id = store::resolve(tx, id)?;
            store::add_contact_local(tx, id, &c)?;
            Ok(id)
        })?;
        self.get(id)?.ok_or(LibraryError::NotFound)
    }

    /// A customer by id. A provisional id that the platform has since replaced still
    /// finds the customer (under its platform id).
    pub fn get(&self, id: i64) -> Result<Option<Customer>, LibraryError> {
        self.db
            .with_conn(|c| store::load(c, store::resolve(c, id)?))
    }

    /// The customer a number belongs to (R16, R32): its mobile number first, else a
    /// mobile or landline contact method of it. Exact match on the digits as given.
    pub fn by_mobile(&self, number: &PhoneNumber) -> Result<Option<Customer>, LibraryError> {
        let sql_mobile = format!(
            "SELECT {} FROM customers c WHERE c.mobile = ?1",
            store::CUSTOMER_COLUMNS
        );
        let sql_contact = format!(
            "SELECT {} FROM customers c WHERE c.id =
                (SELECT customer_id FROM numbers WHERE number = ?1 ORDER BY customer_id LIMIT 1)",
            store::CUSTOMER_COLUMNS
        );
        let n = [rusqlite::types::Value::Text(number.as_str().to_owned())];
        self.db.with_conn(|c| {
            let mut found = store::query_customers(c, &sql_mobile, &n)?;
            if found.is_empty() {
                found = store::query_customers(c, &sql_contact, &n)?;
            }
            Ok(found.into_iter().next())
        })
    }

    /// R40: customers owned by `agent_id`, by name (code-point order), unnamed ones last.
    pub fn my_customers(
        &self,
        agent_id: i64,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Customer>, LibraryError> {
        let (limit, offset) = page(limit, offset)?;
        let sql = format!(
            "SELECT {} FROM customers c WHERE c.owner_agent_id = ?1
             ORDER BY c.name IS NULL, c.name, c.id LIMIT ?2 OFFSET ?3",
            store::CUSTOMER_COLUMNS
        );
        let params = [
            agent_id.into(),
            i64::from(limit).into(),
            i64::from(offset).into(),
        ];
        self.db
            .with_conn(|c| store::query_customers(c, &sql, &params))
    }

    /// Searches the mirror (see the `search` module doc for how `q` is read): ranked,
    /// `limit` clamped to 1..=200, `offset` at most [`MAX_OFFSET`].
    pub fn search(&self, q: &str, limit: u32, offset: u32) -> Result<Vec<Customer>, LibraryError> {
        let (limit, offset) = page(limit, offset)?;
        let plan = search::plan(q)?;
        let Some((sql, params)) = search::statement(&plan, limit, offset) else {
            return Ok(Vec::new());
        };
        self.db
            .with_conn(|c| store::query_customers(c, &sql, &params))
    }

    /// Pushes the queued edits in order, then pulls the platform's changes since the
    /// cursor (ADR 0004). An unreachable platform is not an error: the report says where
    /// the sync stopped, and the queue waits for the next one.
    pub async fn sync(&self, remote: &impl CustomerRemote) -> Result<SyncReport, LibraryError> {
        sync::run(self, remote).await
    }

    /// Empties the library: mirror, queued edits, conflicts, refusals, cursor, agent. For
    /// a device that another agent or enterprise logs in on, who must not see the previous
    /// one's customers. Queued edits of the previous identity are discarded (they could
    /// only be sent with its credentials). Returns how many queued edits were dropped.
    /// Call it while no sync is running.
    pub fn reset(&self) -> Result<u32, LibraryError> {
        let dropped = self.db.with_tx(|tx| -> Result<u32, LibraryError> {
            let dropped = outbox::len(tx)?;
            tx.execute_batch(
                "DELETE FROM customers;
                 DELETE FROM outbox;
                 DELETE FROM id_remap;
                 DELETE FROM sync_conflicts;
                 DELETE FROM sync_rejections;
                 UPDATE library_state SET cursor = 0, agent_id = NULL WHERE id = 1;",
            )?;
            Ok(dropped)
        })?;
        tracing::info!(dropped, "customer library reset");
        Ok(dropped)
    }

    /// How many edits wait for the platform.
    pub fn pending(&self) -> Result<u32, LibraryError> {
        self.db.with_conn(outbox::len)
    }

    /// The platform's change sequence the mirror is up to.
    pub fn cursor(&self) -> Result<i64, LibraryError> {
        self.db.with_conn(store::cursor)
    }

    /// Field edits the platform kept its own value for, oldest first.
    pub fn conflicts(&self) -> Result<Vec<SyncConflict>, LibraryError> {
        self.db.with_conn(outbox::conflicts)
    }

    pub fn dismiss_conflict(&self, id: i64) -> Result<(), LibraryError> {
        self.db
            .with_conn(|c| c.execute("DELETE FROM sync_conflicts WHERE id = ?1", [id]))?;
        Ok(())
    }

    /// Queued edits the platform refused (dropped from the queue), oldest first.
    pub fn rejections(&self) -> Result<Vec<SyncRejection>, LibraryError> {
        self.db.with_conn(outbox::rejections)
    }

    pub fn dismiss_rejection(&self, id: i64) -> Result<(), LibraryError> {
        self.db
            .with_conn(|c| c.execute("DELETE FROM sync_rejections WHERE id = ?1", [id]))?;
        Ok(())
    }
}

fn page(limit: u32, offset: u32) -> Result<(u32, u32), LibraryError> {
    if offset > MAX_OFFSET {
        return Err(InvalidValue::new("offset", "too deep; narrow the search").into());
    }
    Ok((limit.clamp(1, CustomerQuery::MAX_LIMIT), offset))
}
