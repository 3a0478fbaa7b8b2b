//! The customer mirror: reading rows back into wire types, local (optimistic) writes,
//! applying the platform's versions, and moving provisional ids to platform ids.
//!
//! The mirror always shows "the platform's last known version, plus this device's queued
//! edits replayed on top" (the overlay). The replay uses the platform's own three-way rule,
//! so what an agent sees offline is what the platform will most likely end up with.

use super::outbox::{self, Op};
use super::search::search_form;
use super::LibraryError;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use seatline_proto::{
    CardText, ContactKind, ContactMethod, Customer, CustomerPatch, FieldChange, NewContact,
    NewCustomer, PhoneNumber,
};

/// The columns of a customer row plus its contacts as a JSON array of `[kind, value]`
/// pairs in insertion order, so one statement loads a whole customer. Use with
/// `FROM customers c`.
pub(crate) const CUSTOMER_COLUMNS: &str = "c.id, c.mobile, c.name, c.company, c.title, \
     c.owner_agent_id, c.change_seq, c.created_at_ms, c.updated_at_ms, \
     (SELECT json_group_array(json_array(kind, value)) \
        FROM (SELECT kind, value FROM contacts WHERE customer_id = c.id ORDER BY id))";

fn conversion(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

fn card_text(r: &Row<'_>, col: usize) -> rusqlite::Result<Option<CardText>> {
    r.get::<_, Option<String>>(col)?
        .map(|s| CardText::parse(&s).map_err(|e| conversion(col, e)))
        .transpose()
}

/// Reads a row selected with [`CUSTOMER_COLUMNS`]. Stored values were validated when they
/// were written; they are validated again so a damaged file cannot smuggle bad values out.
pub(crate) fn customer_from_row(r: &Row<'_>) -> rusqlite::Result<Customer> {
    let mobile: String = r.get(1)?;
    let contacts_json: String = r.get(9)?;
    let pairs: Vec<(String, String)> =
        serde_json::from_str(&contacts_json).map_err(|e| conversion(9, e))?;
    let contacts = pairs
        .into_iter()
        .map(|(kind, value)| {
            Ok(ContactMethod {
                kind: ContactKind::parse(&kind).map_err(|e| conversion(9, e))?,
                value,
            })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Customer {
        id: r.get(0)?,
        mobile: PhoneNumber::parse(&mobile).map_err(|e| conversion(1, e))?,
        name: card_text(r, 2)?,
        company: card_text(r, 3)?,
        title: card_text(r, 4)?,
        owner_agent_id: r.get(5)?,
        contacts,
        change_seq: r.get(6)?,
        created_at_ms: r.get(7)?,
        updated_at_ms: r.get(8)?,
    })
}

/// Runs a statement that selects [`CUSTOMER_COLUMNS`] and collects the customers.
pub(crate) fn query_customers(
    conn: &Connection,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Customer>, LibraryError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), customer_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(crate) fn load(conn: &Connection, id: i64) -> Result<Option<Customer>, LibraryError> {
    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE c.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], customer_from_row)
        .optional()?)
}

/// Follows a provisional id to the platform id that replaced it, if any.
pub(crate) fn resolve(conn: &Connection, id: i64) -> Result<i64, LibraryError> {
    if id >= 0 {
        return Ok(id);
    }
    let mapped: Option<i64> = conn
        .prepare_cached("SELECT platform_id FROM id_remap WHERE local_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(mapped.unwrap_or(id))
}

pub(crate) fn current_agent(conn: &Connection) -> Result<Option<i64>, LibraryError> {
    Ok(
        conn.query_row("SELECT agent_id FROM library_state WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}

pub(crate) fn set_agent(conn: &Connection, agent: Option<i64>) -> Result<(), LibraryError> {
    conn.execute(
        "UPDATE library_state SET agent_id = ?1 WHERE id = 1",
        [agent],
    )?;
    Ok(())
}

pub(crate) fn cursor(conn: &Connection) -> Result<i64, LibraryError> {
    Ok(
        conn.query_row("SELECT cursor FROM library_state WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}

pub(crate) fn set_cursor(tx: &Transaction<'_>, cursor: i64) -> Result<(), LibraryError> {
    tx.execute(
        "UPDATE library_state SET cursor = ?1 WHERE id = 1",
        [cursor],
    )?;
    Ok(())
}

/// The editable fields of a customer, as the three-way rule compares them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fields {
    name: Option<CardText>,
    company: Option<CardText>,
    title: Option<CardText>,
    owner: Option<i64>,
}

fn load_fields(conn: &Connection, id: i64) -> Result<Option<Fields>, LibraryError> {
    Ok(conn
        .prepare_cached("SELECT name, company, title, owner_agent_id FROM customers WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Fields {
                name: card_text(r, 0)?,
                company: card_text(r, 1)?,
                title: card_text(r, 2)?,
                owner: r.get(3)?,
            })
        })
        .optional()?)
}

fn store_fields(
    tx: &Transaction<'_>,
    id: i64,
    f: &Fields,
    touch: bool,
) -> Result<(), LibraryError> {
    let text = |t: &Option<CardText>| t.as_ref().map(|t| t.as_str().to_owned());
    tx.prepare_cached(
        "UPDATE customers SET name = ?2, company = ?3, title = ?4, owner_agent_id = ?5,
             updated_at_ms = CASE WHEN ?6 THEN ?7 ELSE updated_at_ms END,
             fts_name = ?8, fts_company = ?9
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        text(&f.name),
        text(&f.company),
        text(&f.title),
        f.owner,
        touch,
        outbox::now_ms(),
        search_form(&f.name),
        search_form(&f.company)
    ])?;
    Ok(())
}

/// Adds a contact method unless the customer already has it. Returns whether it was new.
fn insert_contact(
    tx: &Transaction<'_>,
    id: i64,
    kind: ContactKind,
    value: &str,
) -> Result<bool, LibraryError> {
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO contacts(customer_id, kind, value) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, kind.as_str(), value])?;
    Ok(n > 0)
}

/// The three-way rule of one field: apply `to` only where the field still holds `from`.
fn three_way<T: PartialEq + Clone>(field: &mut T, change: &Option<FieldChange<T>>) {
    if let Some(c) = change {
        if *field == c.from {
            *field = c.to.clone();
        }
    }
}

/// What a create that met an existing customer asks of it: each field the create set,
/// changed from "empty" (what the creator saw) to its value. Where the platform already
/// has a value, the three-way rule keeps the platform's and reports a conflict.
pub(crate) fn create_as_patch(c: &NewCustomer, agent: Option<i64>) -> CustomerPatch {
    let set = |v: &Option<CardText>| {
        v.clone().map(|v| FieldChange {
            from: None,
            to: Some(v),
        })
    };
    CustomerPatch {
        name: set(&c.name),
        company: set(&c.company),
        title: set(&c.title),
        owner_agent_id: match (c.owned_by_me, agent) {
            (true, Some(me)) => Some(FieldChange {
                from: None,
                to: Some(me),
            }),
            _ => None,
        },
    }
}

/// Replays this customer's queued edits on top of its row (see the module doc).
fn overlay_pending(tx: &Transaction<'_>, id: i64) -> Result<(), LibraryError> {
    let ops = outbox::pending_for(tx, id)?;
    if ops.is_empty() {
        return Ok(());
    }
    let Some(before) = load_fields(tx, id)? else {
        return Ok(());
    };
    let agent = current_agent(tx)?;
    let mut f = before.clone();
    for op in &ops {
        match op {
            Op::Create(c) => {
                let p = create_as_patch(c, agent);
                apply_patch(&mut f, &p);
            }
            Op::Patch(p) => apply_patch(&mut f, p),
            Op::Contact(c) => {
                insert_contact(tx, id, c.kind, &c.value)?;
            }
        }
    }
    if f != before {
        store_fields(tx, id, &f, false)?;
    }
    Ok(())
}

fn apply_patch(f: &mut Fields, p: &CustomerPatch) {
    three_way(&mut f.name, &p.name);
    three_way(&mut f.company, &p.company);
    three_way(&mut f.title, &p.title);
    three_way(&mut f.owner, &p.owner_agent_id);
}

/// Writes a customer created on this device, under a new provisional id, and queues its
/// create. The mobile number is the unique key (R15): a second customer with the same one
/// is refused.
pub(crate) fn create_local(tx: &Transaction<'_>, c: &NewCustomer) -> Result<i64, LibraryError> {
    let existing: Option<i64> = tx
        .prepare_cached("SELECT id FROM customers WHERE mobile = ?1")?
        .query_row([c.mobile.as_str()], |r| r.get(0))
        .optional()?;
    if let Some(existing_id) = existing {
        return Err(LibraryError::Duplicate { existing_id });
    }
    let next: i64 = tx.query_row(
        "SELECT next_local_id FROM library_state WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE library_state SET next_local_id = next_local_id + 1 WHERE id = 1",
        [],
    )?;
    let id = -next;
    let owner = if c.owned_by_me {
        current_agent(tx)?
    } else {
        None
    };
    let text = |t: &Option<CardText>| t.as_ref().map(|t| t.as_str().to_owned());
    let now = outbox::now_ms();
    tx.prepare_cached(
        "INSERT INTO customers(id, mobile, name, company, title, owner_agent_id, change_seq,
                               created_at_ms, updated_at_ms, fts_name, fts_company)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7, ?8, ?9)",
    )?
    .execute(params![
        id,
        c.mobile.as_str(),
        text(&c.name),
        text(&c.company),
        text(&c.title),
        owner,
        now,
        search_form(&c.name),
        search_form(&c.company)
    ])?;
    outbox::enqueue(tx, id, &Op::Create(c.clone()))?;
    Ok(id)
}

/// Applies an agent's edit to the mirror and queues it. The agent edited what the card
/// showed: if a field no longer holds the patch's `from` (a sync changed it meanwhile),
/// the whole edit is refused as stale and nothing is written.
pub(crate) fn edit_local(
    tx: &Transaction<'_>,
    id: i64,
    p: &CustomerPatch,
) -> Result<(), LibraryError> {
    let Some(before) = load_fields(tx, id)? else {
        return Err(LibraryError::NotFound);
    };
    if let Some(FieldChange {
        to: Some(owner), ..
    }) = &p.owner_agent_id
    {
        if *owner <= 0 {
            return Err(
                seatline_proto::InvalidValue::new("owner_agent_id", "not an agent id").into(),
            );
        }
    }
    fn check<T: PartialEq>(
        field: &'static str,
        cur: &T,
        c: &Option<FieldChange<T>>,
    ) -> Result<(), LibraryError> {
        match c {
            Some(c) if *cur != c.from => Err(LibraryError::Stale { field }),
            _ => Ok(()),
        }
    }
    check("name", &before.name, &p.name)?;
    check("company", &before.company, &p.company)?;
    check("title", &before.title, &p.title)?;
    check("owner_agent_id", &before.owner, &p.owner_agent_id)?;
    // Fields whose `from` equals `to` change nothing; leave them out of the queue.
    fn keep<T: PartialEq>(c: &Option<FieldChange<T>>) -> bool {
        c.as_ref().is_some_and(|c| c.from != c.to)
    }
    let p = CustomerPatch {
        name: p.name.clone().filter(|_| keep(&p.name)),
        company: p.company.clone().filter(|_| keep(&p.company)),
        title: p.title.clone().filter(|_| keep(&p.title)),
        owner_agent_id: p.owner_agent_id.clone().filter(|_| keep(&p.owner_agent_id)),
    };
    if p.is_empty() {
        return Ok(());
    }
    let mut f = before;
    apply_patch(&mut f, &p);
    store_fields(tx, id, &f, true)?;
    outbox::enqueue(tx, id, &Op::Patch(p))
}

/// Adds a contact method (already validated) and queues it, unless the customer has it:
/// contacts are a union, adding one twice is a no-op.
pub(crate) fn add_contact_local(
    tx: &Transaction<'_>,
    id: i64,
    c: &NewContact,
) -> Result<(), LibraryError> {
    if load_fields(tx, id)?.is_none() {
        return Err(LibraryError::NotFound);
    }
    if insert_contact(tx, id, c.kind, &c.value)? {
        tx.prepare_cached("UPDATE customers SET updated_at_ms = ?2 WHERE id = ?1")?
            .execute(params![id, outbox::now_ms()])?;
        outbox::enqueue(tx, id, &Op::Contact(c.clone()))?;
    }
    Ok(())
}

/// Moves a customer from one id to another (a provisional id to the platform's): its row,
/// contacts and index entries follow (ON UPDATE CASCADE and triggers), its queued edits
/// are retargeted, and the old id keeps resolving through `id_remap`.
pub(crate) fn remap(tx: &Transaction<'_>, from: i64, to: i64) -> Result<(), LibraryError> {
    if from == to {
        return Ok(());
    }
    let target_exists = load_fields(tx, to)?.is_some();
    if target_exists {
        // The platform's row is already mirrored: the provisional copy goes; its queued
        // edits (retargeted below) are replayed onto the platform's row by the caller.
        tx.prepare_cached("DELETE FROM customers WHERE id = ?1")?
            .execute([from])?;
    } else {
        tx.prepare_cached("UPDATE customers SET id = ?2 WHERE id = ?1")?
            .execute([from, to])?;
    }
    if from < 0 {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO id_remap(local_id, platform_id) VALUES (?1, ?2)",
        )?
        .execute([from, to])?;
        // Older provisional ids that pointed at `from` point at `to` now.
        tx.prepare_cached("UPDATE id_remap SET platform_id = ?2 WHERE platform_id = ?1")?
            .execute([from, to])?;
    }
    outbox::retarget(tx, from, to)?;
    if target_exists {
        overlay_pending(tx, to)?;
    }
    Ok(())
}

/// Deletes a customer from the mirror (its provisional create was refused).
pub(crate) fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), LibraryError> {
    tx.prepare_cached("DELETE FROM customers WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Writes the platform's version of a customer into the mirror, then replays this
/// device's queued edits on top. Versions older than the mirrored one are ignored.
pub(crate) fn apply_remote(tx: &Transaction<'_>, c: &Customer) -> Result<(), LibraryError> {
    let mirrored_seq: Option<i64> = tx
        .prepare_cached("SELECT change_seq FROM customers WHERE id = ?1")?
        .query_row([c.id], |r| r.get(0))
        .optional()?;
    if mirrored_seq.is_some_and(|seq| c.change_seq < seq) {
        return Ok(());
    }
    // Another mirror row holding this mobile number: a provisional customer made offline
    // (it becomes this one; its queued create will merge into it), or a stale row (the
    // platform now says the number belongs to `c`).
    let holder: Option<i64> = tx
        .prepare_cached("SELECT id FROM customers WHERE mobile = ?1 AND id != ?2")?
        .query_row(params![c.mobile.as_str(), c.id], |r| r.get(0))
        .optional()?;
    match holder {
        Some(h) if h < 0 => remap(tx, h, c.id)?,
        Some(h) => delete(tx, h)?,
        None => {}
    }
    let text = |t: &Option<CardText>| t.as_ref().map(|t| t.as_str().to_owned());
    tx.prepare_cached(
        "INSERT INTO customers(id, mobile, name, company, title, owner_agent_id, change_seq,
                               created_at_ms, updated_at_ms, fts_name, fts_company)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET
             mobile = excluded.mobile, name = excluded.name, company = excluded.company,
             title = excluded.title, owner_agent_id = excluded.owner_agent_id,
             change_seq = excluded.change_seq, created_at_ms = excluded.created_at_ms,
             updated_at_ms = excluded.updated_at_ms, fts_name = excluded.fts_name,
             fts_company = excluded.fts_company",
    )?
    .execute(params![
        c.id,
        c.mobile.as_str(),
        text(&c.name),
        text(&c.company),
        text(&c.title),
        c.owner_agent_id,
        c.change_seq,
        c.created_at_ms,
        c.updated_at_ms,
        search_form(&c.name),
        search_form(&c.company)
    ])?;
    replace_contacts(tx, c)?;
    overlay_pending(tx, c.id)
}

/// Makes the mirrored contacts the platform's list, touching nothing when they already
/// are (the usual case), so the number index is not churned.
fn replace_contacts(tx: &Transaction<'_>, c: &Customer) -> Result<(), LibraryError> {
    let mirrored: Vec<(String, String)> = tx
        .prepare_cached("SELECT kind, value FROM contacts WHERE customer_id = ?1 ORDER BY id")?
        .query_map([c.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let same = mirrored.len() == c.contacts.len()
        && mirrored
            .iter()
            .zip(&c.contacts)
            .all(|((k, v), m)| k == m.kind.as_str() && *v == m.value);
    if same {
        return Ok(());
    }
    tx.prepare_cached("DELETE FROM contacts WHERE customer_id = ?1")?
        .execute([c.id])?;
    for m in &c.contacts {
        insert_contact(tx, c.id, m.kind, &m.value)?;
    }
    Ok(())
}
