//! The customer library (R15, R16, R40), scoped by enterprise in every statement.
//!
//! Every write bumps `enterprises.change_seq` first, in the same transaction, and stamps
//! the customer with the new value: the bump takes the enterprise's row lock, so change
//! sequence numbers become visible in order and the changes feed (`change_seq > N`)
//! never skips one. A write that turns out to change nothing rolls back, bump included.

use super::accounts::parse;
use super::{Store, StoreError, StoreResult};
use seatline_proto::search::like_contains;
use seatline_proto::{
    CardText, ContactKind, ContactMethod, Customer, CustomerChanges, CustomerPage, CustomerPatch,
    ErrorCode, FieldConflict, PatchOutcome, PhoneNumber,
};
use serde::Serialize;

const COLUMNS: &str = "c.id, c.mobile, c.name, c.company, c.title, c.owner_agent_id, \
                       c.change_seq, c.created_at_ms, c.updated_at_ms";

#[derive(Debug, Clone, sqlx::FromRow)]
struct CustomerRow {
    id: i64,
    mobile: String,
    name: Option<String>,
    company: Option<String>,
    title: Option<String>,
    owner_agent_id: Option<i64>,
    change_seq: i64,
    created_at_ms: i64,
    updated_at_ms: i64,
}

/// A customer to add: what `NewCustomer` says, with the owner resolved.
#[derive(Debug, Clone)]
pub struct CustomerRecord {
    pub mobile: PhoneNumber,
    pub name: Option<CardText>,
    pub company: Option<CardText>,
    pub title: Option<CardText>,
    pub owner_agent_id: Option<i64>,
    /// Contact methods, already validated (`ContactKind::validate`).
    pub contacts: Vec<(ContactKind, String)>,
}

/// A search of `GET /customers`, already validated.
#[derive(Debug, Clone, Default)]
pub struct CustomerSearch {
    pub q: Option<String>,
    /// R40: only this agent's customers.
    pub owner: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Bumps the enterprise change sequence inside a transaction; evaluates to the new value.
macro_rules! next_change_seq {
    ($tx:expr, $enterprise_id:expr) => {{
        let seq: i64 = sqlx::query_scalar(
            "UPDATE enterprises SET change_seq = change_seq + 1 WHERE id = $1 \
             RETURNING change_seq",
        )
        .bind($enterprise_id)
        .fetch_one(&mut *$tx)
        .await?;
        seq
    }};
}

/// Loads customers (rows already fetched) with their contacts through `$exec`.
macro_rules! with_contacts {
    ($exec:expr, $rows:expr) => {{
        let rows: Vec<CustomerRow> = $rows;
        let contacts: Vec<(i64, String, String)> = if rows.is_empty() {
            Vec::new()
        } else {
            // Ids are numbers from our own rows; placeholders keep the statement uniform.
            let marks: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT customer_id, kind, value FROM customer_contacts \
                 WHERE customer_id IN ({}) ORDER BY id",
                marks.join(", ")
            );
            let mut q = sqlx::query_as(&sql);
            for r in &rows {
                q = q.bind(r.id);
            }
            q.fetch_all($exec).await?
        };
        assemble(rows, contacts)?
    }};
}

fn assemble(
    rows: Vec<CustomerRow>,
    contacts: Vec<(i64, String, String)>,
) -> StoreResult<Vec<Customer>> {
    rows.into_iter()
        .map(|r| {
            let contacts = contacts
                .iter()
                .filter(|(id, _, _)| *id == r.id)
                .map(|(_, kind, value)| {
                    Ok(ContactMethod {
                        kind: parse(ContactKind::parse(kind), "contact kind")?,
                        value: value.clone(),
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Customer {
                id: r.id,
                mobile: parse(PhoneNumber::parse(&r.mobile), "customer mobile")?,
                name: card(r.name)?,
                company: card(r.company)?,
                title: card(r.title)?,
                owner_agent_id: r.owner_agent_id,
                contacts,
                change_seq: r.change_seq,
                created_at_ms: r.created_at_ms,
                updated_at_ms: r.updated_at_ms,
            })
        })
        .collect()
}

fn card(v: Option<String>) -> StoreResult<Option<CardText>> {
    v.map(|s| parse(CardText::parse(&s), "card text"))
        .transpose()
}

fn text(v: &Option<CardText>) -> Option<&str> {
    v.as_ref().map(CardText::as_str)
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The number form of a query: its digits (and `+`) when the query is written like a
/// number (`138 0013-8000`), so spaces and dashes do not hide a match.
fn number_pattern(q: &str) -> Option<String> {
    let numberish = q
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+'));
    let digits: String = q
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    (numberish && !digits.is_empty()).then(|| like_contains(&digits))
}

impl Store {
    /// Adds a customer (R15). A mobile number already in the enterprise's library is
    /// refused with `DuplicateCustomer { existing_id }`, decided by the unique key.
    pub async fn create_customer(
        &self,
        enterprise_id: i64,
        c: &CustomerRecord,
        now: i64,
    ) -> StoreResult<Customer> {
        write_tx!(self, |tx| {
            let seq = next_change_seq!(tx, enterprise_id);
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO customers (enterprise_id, mobile, name, company, title, \
                   owner_agent_id, change_seq, created_at_ms, updated_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                 ON CONFLICT (enterprise_id, mobile) DO NOTHING RETURNING id",
            )
            .bind(enterprise_id)
            .bind(c.mobile.as_str())
            .bind(text(&c.name))
            .bind(text(&c.company))
            .bind(text(&c.title))
            .bind(c.owner_agent_id)
            .bind(seq)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                let existing_id: i64 = sqlx::query_scalar(
                    "SELECT id FROM customers WHERE enterprise_id = $1 AND mobile = $2",
                )
                .bind(enterprise_id)
                .bind(c.mobile.as_str())
                .fetch_one(&mut *tx)
                .await?;
                return Err(StoreError::Refused(ErrorCode::DuplicateCustomer {
                    existing_id,
                }));
            };
            for (kind, value) in &c.contacts {
                sqlx::query(
                    "INSERT INTO customer_contacts (customer_id, kind, value, created_at_ms) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, kind, value) DO NOTHING",
                )
                .bind(id)
                .bind(kind.as_str())
                .bind(value)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let sql = format!("SELECT {COLUMNS} FROM customers c WHERE c.id = $1");
            let row: CustomerRow = sqlx::query_as(&sql).bind(id).fetch_one(&mut *tx).await?;
            let customer = with_contacts!(&mut *tx, vec![row]).pop();
            tx.commit().await?;
            customer.ok_or(StoreError::Corrupt("customer vanished"))
        })
    }

    /// One customer of the enterprise; another enterprise's id is `None` as well.
    pub async fn customer(&self, enterprise_id: i64, id: i64) -> StoreResult<Option<Customer>> {
        let sql =
            format!("SELECT {COLUMNS} FROM customers c WHERE c.id = $1 AND c.enterprise_id = $2");
        let found = read!(self, |p| {
            let rows: Vec<CustomerRow> = sqlx::query_as(&sql)
                .bind(id)
                .bind(enterprise_id)
                .fetch_all(p)
                .await?;
            with_contacts!(p, rows)
        });
        Ok(found.into_iter().next())
    }

    /// The id of the customer with this mobile number, if it is in the library (R16).
    pub async fn customer_id_by_mobile(
        &self,
        enterprise_id: i64,
        mobile: &PhoneNumber,
    ) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM customers WHERE enterprise_id = $1 AND mobile = $2";
        Ok(read!(self, |p| sqlx::query_scalar(sql)
            .bind(enterprise_id)
            .bind(mobile.as_str())
            .fetch_optional(p)
            .await?))
    }

    /// Search: `q` matches any part of the name or company (case-insensitive for ASCII:
    /// both engines' `LOWER` fold only ASCII, which Chinese text does not need), or any
    /// part of the mobile number or a contact value. The query is a bound `LIKE`
    /// pattern with `%`, `_` and `\` escaped: user text is only ever data.
    pub async fn search_customers(
        &self,
        enterprise_id: i64,
        s: &CustomerSearch,
    ) -> StoreResult<CustomerPage> {
        let mut conditions = vec!["c.enterprise_id = $1".to_string()];
        let mut ints = vec![enterprise_id];
        let mut texts: Vec<String> = Vec::new();
        if let Some(owner) = s.owner {
            ints.push(owner);
            conditions.push(format!("c.owner_agent_id = ${}", ints.len()));
        }
        // Text parameters come after the integer ones.
        if let Some(q) = s.q.as_deref().filter(|q| !q.is_empty()) {
            let text_pattern = like_contains(&q.to_lowercase());
            let number = number_pattern(q).unwrap_or_else(|| text_pattern.clone());
            let t = ints.len() + 1;
            let n = ints.len() + 2;
            texts.push(text_pattern);
            texts.push(number);
            conditions.push(format!(
                "(LOWER(COALESCE(c.name, '')) LIKE ${t} ESCAPE '\\' \
                  OR LOWER(COALESCE(c.company, '')) LIKE ${t} ESCAPE '\\' \
                  OR c.mobile LIKE ${n} ESCAPE '\\' \
                  OR EXISTS (SELECT 1 FROM customer_contacts cc WHERE cc.customer_id = c.id \
                     AND (LOWER(cc.value) LIKE ${t} ESCAPE '\\' OR cc.value LIKE ${n} ESCAPE '\\')))"
            ));
        }
        let filter = conditions.join(" AND ");
        let next = ints.len() + texts.len() + 1;
        let count_sql = format!("SELECT COUNT(*) FROM customers c WHERE {filter}");
        let page_sql = format!(
            "SELECT {COLUMNS} FROM customers c WHERE {filter} \
             ORDER BY c.updated_at_ms DESC, c.id DESC LIMIT ${} OFFSET ${}",
            next,
            next + 1
        );
        let (total, customers) = read!(self, |p| {
            let mut count = sqlx::query_scalar(&count_sql);
            let mut page = sqlx::query_as(&page_sql);
            for v in &ints {
                count = count.bind(*v);
                page = page.bind(*v);
            }
            for v in &texts {
                count = count.bind(v.as_str());
                page = page.bind(v.as_str());
            }
            let total: i64 = count.fetch_one(p).await?;
            let rows: Vec<CustomerRow> = page.bind(s.limit).bind(s.offset).fetch_all(p).await?;
            (total, with_contacts!(p, rows))
        });
        Ok(CustomerPage { customers, total })
    }

    /// Customers changed after `since`, oldest change first (the sync feed).
    pub async fn customer_changes(
        &self,
        enterprise_id: i64,
        since: i64,
        limit: i64,
    ) -> StoreResult<CustomerChanges> {
        let sql = format!(
            "SELECT {COLUMNS} FROM customers c WHERE c.enterprise_id = $1 AND c.change_seq > $2 \
             ORDER BY c.change_seq LIMIT $3"
        );
        let mut customers = read!(self, |p| {
            let rows: Vec<CustomerRow> = sqlx::query_as(&sql)
                .bind(enterprise_id)
                .bind(since)
                .bind(limit.saturating_add(1))
                .fetch_all(p)
                .await?;
            with_contacts!(p, rows)
        });
        let more = customers.len() as i64 > limit;
        customers.truncate(usize::try_from(limit).unwrap_or(0));
        let next = customers.last().map_or(since, |c| c.change_seq);
        Ok(CustomerChanges {
            customers,
            next,
            more,
        })
    }

    /// Applies a patch with the three-way rule: a field changes only if it still holds
    /// the `from` its editor saw; otherwise it is listed as a conflict and the platform's
    /// value stays. Returns the customer after the patch with the conflicts, and whether
    /// anything was written.
    pub async fn patch_customer(
        &self,
        enterprise_id: i64,
        id: i64,
        patch: &CustomerPatch,
        now: i64,
    ) -> StoreResult<(PatchOutcome, bool)> {
        write_tx!(self, |tx| {
            let seq = next_change_seq!(tx, enterprise_id);
            let sql = format!(
                "SELECT {COLUMNS} FROM customers c WHERE c.id = $1 AND c.enterprise_id = $2"
            );
            let row: Option<CustomerRow> = sqlx::query_as(&sql)
                .bind(id)
                .bind(enterprise_id)
                .fetch_optional(&mut *tx)
                .await?;
            let row = row.ok_or(StoreError::Refused(ErrorCode::NotFound))?;
            let current = with_contacts!(&mut *tx, vec![row])
                .pop()
                .ok_or(StoreError::Corrupt("customer vanished"))?;
            let mut next = current.clone();
            let mut conflicts = Vec::new();
            merge(
                "name",
                &patch.name,
                &current.name,
                &mut next.name,
                &mut conflicts,
            );
            merge(
                "company",
                &patch.company,
                &current.company,
                &mut next.company,
                &mut conflicts,
            );
            merge(
                "title",
                &patch.title,
                &current.title,
                &mut next.title,
                &mut conflicts,
            );
            merge(
                "owner_agent_id",
                &patch.owner_agent_id,
                &current.owner_agent_id,
                &mut next.owner_agent_id,
                &mut conflicts,
            );
            if next == current {
                // Nothing to write: the transaction (and its sequence bump) rolls back.
                return Ok((
                    PatchOutcome {
                        customer: current,
                        conflicts,
                    },
                    false,
                ));
            }
            sqlx::query(
                "UPDATE customers SET name = $2, company = $3, title = $4, owner_agent_id = $5, \
                   change_seq = $6, updated_at_ms = $7 WHERE id = $1",
            )
            .bind(id)
            .bind(text(&next.name))
            .bind(text(&next.company))
            .bind(text(&next.title))
            .bind(next.owner_agent_id)
            .bind(seq)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            next.change_seq = seq;
            next.updated_at_ms = now;
            Ok((
                PatchOutcome {
                    customer: next,
                    conflicts,
                },
                true,
            ))
        })
    }

    /// Adds a contact method (R15); one that is already there changes nothing.
    pub async fn add_contact(
        &self,
        enterprise_id: i64,
        id: i64,
        kind: ContactKind,
        value: &str,
        now: i64,
    ) -> StoreResult<(Customer, bool)> {
        let added = write_tx!(self, |tx| {
            let seq = next_change_seq!(tx, enterprise_id);
            let touched = sqlx::query(
                "UPDATE customers SET change_seq = $3, updated_at_ms = $4 \
                 WHERE id = $1 AND enterprise_id = $2",
            )
            .bind(id)
            .bind(enterprise_id)
            .bind(seq)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if touched.rows_affected() == 0 {
                return Err(StoreError::Refused(ErrorCode::NotFound));
            }
            let inserted = sqlx::query(
                "INSERT INTO customer_contacts (customer_id, kind, value, created_at_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, kind, value) DO NOTHING",
            )
            .bind(id)
            .bind(kind.as_str())
            .bind(value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 1 {
                tx.commit().await?;
                true
            } else {
                // Already there: roll the bump back.
                false
            }
        });
        let customer = self
            .customer(enterprise_id, id)
            .await?
            .ok_or(StoreError::Refused(ErrorCode::NotFound))?;
        Ok((customer, added))
    }

    /// Adds many customers in one transaction, skipping mobile numbers already there
    /// (the demo seed); returns how many were added and the last change sequence.
    pub async fn import_customers(
        &self,
        enterprise_id: i64,
        records: &[CustomerRecord],
        now: i64,
    ) -> StoreResult<(usize, i64)> {
        write_tx!(self, |tx| {
            let mut added = 0;
            let mut last_seq = 0;
            for c in records {
                let exists: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM customers WHERE enterprise_id = $1 AND mobile = $2",
                )
                .bind(enterprise_id)
                .bind(c.mobile.as_str())
                .fetch_one(&mut *tx)
                .await?;
                if exists > 0 {
                    continue;
                }
                let seq = next_change_seq!(tx, enterprise_id);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO customers (enterprise_id, mobile, name, company, title, \
                       owner_agent_id, change_seq, created_at_ms, updated_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                )
                .bind(enterprise_id)
                .bind(c.mobile.as_str())
                .bind(text(&c.name))
                .bind(text(&c.company))
                .bind(text(&c.title))
                .bind(c.owner_agent_id)
                .bind(seq)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for (kind, value) in &c.contacts {
                    sqlx::query(
                        "INSERT INTO customer_contacts (customer_id, kind, value, created_at_ms) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, kind, value) DO NOTHING",
                    )
                    .bind(id)
                    .bind(kind.as_str())
                    .bind(value)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                added += 1;
                last_seq = seq;
            }
            tx.commit().await?;
            Ok((added, last_seq))
        })
    }
}

/// One field of the three-way rule.
fn merge<T: Clone + PartialEq + Serialize>(
    field: &str,
    change: &Option<seatline_proto::FieldChange<T>>,
    current: &T,
    next: &mut T,
    conflicts: &mut Vec<FieldConflict>,
) {
    let Some(change) = change else { return };
    if change.from == *current {
        *next = change.to.clone();
    } else if change.to != *current {
        // Someone else changed the field first. (If they changed it to exactly what this
        // edit wanted, there is nothing to report.)
        conflicts.push(FieldConflict {
            field: field.to_string(),
            yours: json(&change.to),
            kept: json(current),
        });
    }
}
