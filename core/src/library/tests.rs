//! Library tests: search (R15, R16, R32, R40) and sync against an in-memory platform that
//! applies the same rules as the real one (ADR 0004: creation keyed by mobile, three-way
//! field edits, contacts as a union, change feed with a cursor).
#![allow(clippy::unwrap_used)]

use super::*;
use seatline_proto::{
    CardText, ContactKind, ContactMethod, CustomerChanges, ErrorCode, FieldChange, FieldConflict,
    PatchOutcome,
};
use std::collections::BTreeMap;
use std::sync::Mutex;

fn text(s: &str) -> Option<CardText> {
    Some(CardText::parse(s).unwrap())
}

fn new_customer(mobile: &str, name: Option<&str>, company: Option<&str>) -> NewCustomer {
    NewCustomer {
        mobile: PhoneNumber::parse(mobile).unwrap(),
        name: name.and_then(text),
        company: company.and_then(text),
        title: None,
        owned_by_me: false,
    }
}

fn library() -> Library {
    Library::new(Arc::new(Db::open_in_memory().unwrap()))
}

fn names(found: &[Customer]) -> Vec<String> {
    found
        .iter()
        .map(|c| {
            c.name
                .as_ref()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default()
        })
        .collect()
}

// ------------------------------------------------------------------ a fake platform

#[derive(Default)]
struct Platform {
    customers: BTreeMap<i64, Customer>,
    next_id: i64,
    seq: i64,
    /// Every call, in order: "create <mobile>", "patch <id>", "contact <id>", "changes <since>".
    calls: Vec<String>,
    /// Calls answered before the network "goes down"; `None`: always up.
    up_for: Option<usize>,
    /// Creates with this mobile number are refused with a bad request.
    refuse_mobile: Option<String>,
    /// Every call is refused as unauthorized.
    logged_out: bool,
    agent_id: i64,
}

struct FakeRemote(Mutex<Platform>);

impl FakeRemote {
    fn new() -> Self {
        FakeRemote(Mutex::new(Platform {
            next_id: 100,
            agent_id: 7,
            ..Default::default()
        }))
    }
    fn with<T>(&self, f: impl FnOnce(&mut Platform) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }
    /// A customer created on the platform by someone else.
    fn seed(&self, mobile: &str, name: Option<&str>) -> i64 {
        self.with(|p| p.insert(&new_customer(mobile, name, None), None))
    }
    fn customer(&self, id: i64) -> Customer {
        self.with(|p| p.customers[&id].clone())
    }
    fn calls(&self) -> Vec<String> {
        self.with(|p| p.calls.clone())
    }
}

impl Platform {
    fn insert(&mut self, c: &NewCustomer, owner: Option<i64>) -> i64 {
        self.next_id += 1;
        self.seq += 1;
        let id = self.next_id;
        self.customers.insert(
            id,
            Customer {
                id,
                mobile: c.mobile.clone(),
                name: c.name.clone(),
                company: c.company.clone(),
                title: c.title.clone(),
                owner_agent_id: owner,
                contacts: Vec::new(),
                change_seq: self.seq,
                created_at_ms: 1,
                updated_at_ms: 1,
            },
        );
        id
    }

    /// Counts the call and says whether the network is up for it.
    fn answer(&mut self, call: String) -> Result<(), RemoteError> {
        if let Some(n) = self.up_for.as_mut() {
            if *n == 0 {
                return Err(RemoteError::Unreachable("connection refused".into()));
            }
            *n -= 1;
        }
        self.calls.push(call);
        if self.logged_out {
            return Err(RemoteError::Rejected(ApiError::new(
                ErrorCode::Unauthorized,
                "token expired",
            )));
        }
        Ok(())
    }

    fn edit(&mut self, id: i64, f: impl FnOnce(&mut Customer)) {
        self.seq += 1;
        let c = self.customers.get_mut(&id).unwrap();
        f(c);
        c.change_seq = self.seq;
    }
}

fn three_way<T: PartialEq + Clone + serde::Serialize>(
    field: &'static str,
    cur: &mut T,
    change: &Option<FieldChange<T>>,
    conflicts: &mut Vec<FieldConflict>,
) -> bool {
    let Some(c) = change else { return false };
    if *cur == c.to {
        // Already there (a retried edit, or the same edit from two agents): no conflict.
        false
    } else if *cur == c.from {
        let changed = *cur != c.to;
        *cur = c.to.clone();
        changed
    } else {
        conflicts.push(FieldConflict {
            field: field.into(),
            yours: serde_json::to_value(&c.to).unwrap(),
            kept: serde_json::to_value(&*cur).unwrap(),
        });
        false
    }
}

impl CustomerRemote for FakeRemote {
    async fn create(&self, c: &NewCustomer) -> Result<Customer, RemoteError> {
        self.with(|p| {
            p.answer(format!("create {}", c.mobile))?;
            if p.refuse_mobile.as_deref() == Some(c.mobile.as_str()) {
                return Err(RemoteError::Rejected(ApiError::bad_request(
                    Some("mobile"),
                    "refused",
                )));
            }
            if let Some(existing) = p.customers.values().find(|x| x.mobile == c.mobile) {
                return Err(RemoteError::Rejected(ApiError::new(
                    ErrorCode::DuplicateCustomer {
                        existing_id: existing.id,
                    },
                    "duplicate",
                )));
            }
            let owner = c.owned_by_me.then_some(p.agent_id);
            let id = p.insert(c, owner);
            Ok(p.customers[&id].clone())
        })
    }

    async fn patch(&self, id: i64, patch: &CustomerPatch) -> Result<PatchOutcome, RemoteError> {
        self.with(|p| {
            p.answer(format!("patch {id}"))?;
            let Some(mut c) = p.customers.get(&id).cloned() else {
                return Err(RemoteError::Rejected(ApiError::new(
                    ErrorCode::NotFound,
                    "no such customer",
                )));
            };
            let mut conflicts = Vec::new();
            let mut changed = three_way("name", &mut c.name, &patch.name, &mut conflicts);
            changed |= three_way("company", &mut c.company, &patch.company, &mut conflicts);
            changed |= three_way("title", &mut c.title, &patch.title, &mut conflicts);
            changed |= three_way(
                "owner_agent_id",
                &mut c.owner_agent_id,
                &patch.owner_agent_id,
                &mut conflicts,
            );
            if changed {
                p.edit(id, |x| *x = c);
            }
            Ok(PatchOutcome {
                customer: p.customers[&id].clone(),
                conflicts,
            })
        })
    }

    async fn add_contact(&self, id: i64, nc: &NewContact) -> Result<Customer, RemoteError> {
        self.with(|p| {
            p.answer(format!("contact {id}"))?;
            let Some(c) = p.customers.get(&id) else {
                return Err(RemoteError::Rejected(ApiError::new(
                    ErrorCode::NotFound,
                    "no such customer",
                )));
            };
            let m = ContactMethod {
                kind: nc.kind,
                value: nc.value.clone(),
            };
            if !c.contacts.contains(&m) {
                p.edit(id, |x| x.contacts.push(m));
            }
            Ok(p.customers[&id].clone())
        })
    }

    async fn changes(&self, since: i64, limit: u32) -> Result<CustomerChanges, RemoteError> {
        self.with(|p| {
            p.answer(format!("changes {since}"))?;
            let mut all: Vec<Customer> = p
                .customers
                .values()
                .filter(|c| c.change_seq > since)
                .cloned()
                .collect();
            all.sort_by_key(|c| c.change_seq);
            let more = all.len() > limit as usize;
            all.truncate(limit as usize);
            let next = all.last().map_or(since, |c| c.change_seq);
            Ok(CustomerChanges {
                customers: all,
                next,
                more,
            })
        })
    }
}

// ------------------------------------------------------------------ search

fn sample() -> Library {
    let lib = library();
    for (mobile, name, company) in [
        ("13800138000", "张三丰", "武当科技有限公司"),
        ("13912345678", "张伟", "华为技术有限公司"),
        ("15011112222", "李华", "张江高科"),
        ("18600001111", "王小明", "阿里巴巴"),
        ("13700000000", "Li Lei", "Oracle China"),
        ("13611110000", "O'Neil 100%", "a_b \"quoted\" OR NEAR"),
    ] {
        lib.add_customer(new_customer(mobile, Some(name), Some(company)))
            .unwrap();
    }
    lib
}

#[test]
fn r15_search_finds_name_and_company_word_prefixes() {
    let lib = sample();
    assert_eq!(names(&lib.search("王", 20, 0).unwrap()), ["王小明"]);
    assert_eq!(names(&lib.search("li", 20, 0).unwrap()), ["Li Lei"]);
    assert_eq!(
        names(&lib.search("orac", 20, 0).unwrap()),
        ["Li Lei"],
        "company prefix"
    );
    assert_eq!(
        names(&lib.search("张 华为", 20, 0).unwrap()),
        ["张伟"],
        "name and company together"
    );
}

#[test]
fn r15_a_name_hit_ranks_above_a_company_hit() {
    let lib = sample();
    // 张三丰 and 张伟 have 张 in the name; 李华 only in the company (张江高科).
    let found = names(&lib.search("张", 20, 0).unwrap());
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[2], "李华", "{found:?}");
}

#[test]
fn r15_cjk_substrings_of_one_or_two_characters_are_found() {
    let lib = sample();
    // unicode61 makes 张三丰 one token: "三丰" and "丰" are not prefixes of it.
    assert_eq!(names(&lib.search("三丰", 20, 0).unwrap()), ["张三丰"]);
    assert_eq!(names(&lib.search("丰", 20, 0).unwrap()), ["张三丰"]);
    assert_eq!(
        names(&lib.search("巴巴", 20, 0).unwrap()),
        ["王小明"],
        "company substring"
    );
    assert_eq!(names(&lib.search("小明 阿里", 20, 0).unwrap()), ["王小明"]);
    assert!(
        lib.search("丰 华为", 20, 0).unwrap().is_empty(),
        "every word must match"
    );
}

#[test]
fn r16_any_part_of_a_number_is_found() {
    let lib = sample();
    let id = lib.search("张三丰", 1, 0).unwrap()[0].id;
    lib.add_contact(
        id,
        NewContact {
            kind: ContactKind::Landline,
            value: "010-6655 4433".into(),
        },
    )
    .unwrap();
    assert_eq!(
        names(&lib.search("0013800", 20, 0).unwrap()),
        ["张三丰"],
        "middle of the mobile"
    );
    assert_eq!(
        names(&lib.search("66554", 20, 0).unwrap()),
        ["张三丰"],
        "a landline contact"
    );
    assert_eq!(
        names(&lib.search("138 0013 8000", 20, 0).unwrap()),
        ["张三丰"],
        "written with spaces"
    );
    assert_eq!(
        names(&lib.search("５６７８", 20, 0).unwrap()),
        ["张伟"],
        "full-width digits"
    );
    // Two digits: LIKE, bounded.
    let two = names(&lib.search("78", 20, 0).unwrap());
    assert_eq!(two, ["张伟"]);
    assert_eq!(lib.search("1", 20, 0).unwrap().len(), 6);
    // A number that starts with the digits ranks first.
    let found = lib.search("138", 20, 0).unwrap();
    assert_eq!(found[0].mobile.as_str(), "13800138000");
}

#[test]
fn query_metacharacters_are_plain_text() {
    let lib = sample();
    for q in [
        "\"",
        "*",
        "OR",
        "'",
        "%",
        "_",
        "\\",
        "a\" OR \"b",
        "NEAR(a b)",
        "name:张",
        "^王",
        "王*",
        "(",
        ")",
        "'; DROP TABLE customers; --",
        "\" OR 1=1 --",
        "王%",
        "%%%",
        "- -",
        "AND NOT",
        "{a b}",
    ] {
        lib.search(q, 20, 0)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
    assert!(
        lib.search("%", 20, 0).unwrap().is_empty(),
        "% is not a wildcard"
    );
    assert!(lib.search("*", 20, 0).unwrap().is_empty());
    assert!(lib.search("_", 20, 0).unwrap().is_empty());
    assert_eq!(
        names(&lib.search("OR", 20, 0).unwrap()),
        ["Li Lei", "O'Neil 100%"],
        "a word, not an operator"
    );
    assert_eq!(
        names(&lib.search("O'Neil", 20, 0).unwrap()),
        ["O'Neil 100%"]
    );
    assert_eq!(names(&lib.search("100%", 20, 0).unwrap()), ["O'Neil 100%"]);
    assert_eq!(
        names(&lib.search("\"quoted\"", 20, 0).unwrap()),
        ["O'Neil 100%"]
    );
    // Inside a word, punctuation separates tokens (as in "O'Neil"); it never widens the
    // match: "三%" is the character 三, not "三 followed by anything".
    assert_eq!(names(&lib.search("王%", 20, 0).unwrap()), ["王小明"]);
    assert_eq!(names(&lib.search("三%", 20, 0).unwrap()), ["张三丰"]);
    assert!(lib.search("三_丰", 20, 0).unwrap().len() == 1);
    assert!(
        lib.search("三%武", 20, 0).unwrap().is_empty(),
        "三 and 武 are not side by side"
    );
    assert_eq!(
        lib.search("", 100, 0).unwrap().len(),
        6,
        "the table is still there"
    );
}

#[test]
fn search_pages_with_limit_and_offset() {
    let lib = library();
    for i in 0..30 {
        lib.add_customer(new_customer(
            &format!("1390000{i:04}"),
            Some(&format!("陈{i:02}")),
            None,
        ))
        .unwrap();
    }
    let all: Vec<i64> = lib
        .search("陈", 200, 0)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all.len(), 30);
    let mut paged = Vec::new();
    for page in 0..3 {
        paged.extend(
            lib.search("陈", 10, page * 10)
                .unwrap()
                .iter()
                .map(|c| c.id),
        );
    }
    assert_eq!(paged, all, "pages are stable and do not overlap");
    assert!(lib.search("陈", 10, MAX_OFFSET + 1).is_err());
    assert_eq!(
        lib.search("陈", 0, 0).unwrap().len(),
        1,
        "limit is at least 1"
    );
    assert!(
        lib.search(&"陈".repeat(65), 10, 0).is_err(),
        "query text is bounded"
    );
}

#[test]
fn r40_my_customers_are_those_the_agent_owns() {
    let lib = library();
    lib.set_current_agent(Some(7)).unwrap();
    let mut mine = new_customer("13800000001", Some("乙"), None);
    mine.owned_by_me = true;
    lib.add_customer(mine).unwrap();
    let mut mine2 = new_customer("13800000002", Some("甲"), None);
    mine2.owned_by_me = true;
    lib.add_customer(mine2).unwrap();
    lib.add_customer(new_customer("13800000003", Some("丙"), None))
        .unwrap();
    assert_eq!(
        names(&lib.my_customers(7, 50, 0).unwrap()),
        ["乙", "甲"],
        "by name, code-point order"
    );
    assert!(lib.my_customers(8, 50, 0).unwrap().is_empty());
}

#[test]
fn r16_by_mobile_finds_the_card_of_a_number() {
    let lib = sample();
    let n = PhoneNumber::parse("13912345678").unwrap();
    assert_eq!(lib.by_mobile(&n).unwrap().unwrap().name, text("张伟"));
    let id = lib.by_mobile(&n).unwrap().unwrap().id;
    lib.add_contact(
        id,
        NewContact {
            kind: ContactKind::Mobile,
            value: "18811112222".into(),
        },
    )
    .unwrap();
    let other = PhoneNumber::parse("18811112222").unwrap();
    assert_eq!(
        lib.by_mobile(&other).unwrap().unwrap().id,
        id,
        "a contact number finds its customer"
    );
    assert!(lib
        .by_mobile(&PhoneNumber::parse("10086").unwrap())
        .unwrap()
        .is_none());
}

#[test]
fn r15_the_mobile_number_is_the_unique_key() {
    let lib = sample();
    let again = lib.add_customer(new_customer("13800138000", Some("另一个"), None));
    assert!(
        matches!(again, Err(LibraryError::Duplicate { .. })),
        "{again:?}"
    );
    assert_eq!(lib.pending().unwrap(), 6);
}

#[test]
fn r15_bad_contact_values_are_refused_before_anything_is_written() {
    let lib = sample();
    let id = lib.search("王", 1, 0).unwrap()[0].id;
    let before = lib.pending().unwrap();
    for (kind, value) in [
        (ContactKind::Email, "not-an-address"),
        (ContactKind::Landline, "12"),
        (ContactKind::Qq, "12ab5"),
        (ContactKind::Mobile, "1' OR 1=1 --"),
    ] {
        let r = lib.add_contact(
            id,
            NewContact {
                kind,
                value: value.into(),
            },
        );
        assert!(
            matches!(r, Err(LibraryError::InvalidInput(_))),
            "{kind:?} {r:?}"
        );
    }
    assert_eq!(lib.pending().unwrap(), before);
    assert!(lib.get(id).unwrap().unwrap().contacts.is_empty());
    let r = lib.add_contact(
        -999,
        NewContact {
            kind: ContactKind::Qq,
            value: "12345".into(),
        },
    );
    assert!(matches!(r, Err(LibraryError::NotFound)));
}

#[test]
fn adding_a_contact_twice_is_a_no_op() {
    let lib = sample();
    let id = lib.search("王", 1, 0).unwrap()[0].id;
    let before = lib.pending().unwrap();
    for _ in 0..2 {
        lib.add_contact(
            id,
            NewContact {
                kind: ContactKind::Email,
                value: "Wang@Example.cn".into(),
            },
        )
        .unwrap();
    }
    assert_eq!(lib.pending().unwrap(), before + 1);
    assert_eq!(
        lib.get(id).unwrap().unwrap().contacts[0].value,
        "wang@example.cn"
    );
}

#[test]
fn an_edit_of_a_field_that_changed_meanwhile_is_stale() {
    let lib = sample();
    let c = lib.search("王", 1, 0).unwrap().remove(0);
    let edit = |from: &str, to: &str| CustomerPatch {
        name: Some(FieldChange {
            from: text(from),
            to: text(to),
        }),
        ..Default::default()
    };
    let r = lib.edit_customer(c.id, edit("王大明", "王二明"));
    assert!(
        matches!(r, Err(LibraryError::Stale { field: "name" })),
        "{r:?}"
    );
    let after = lib.edit_customer(c.id, edit("王小明", "王晓明")).unwrap();
    assert_eq!(after.name, text("王晓明"));
    assert_eq!(
        names(&lib.search("王晓", 5, 0).unwrap()),
        ["王晓明"],
        "the index follows edits"
    );
    assert!(lib.search("王小", 5, 0).unwrap().is_empty());
}

// ------------------------------------------------------------------ sync

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

#[test]
fn offline_edits_are_queued_then_pushed_and_provisional_ids_remapped() {
    let lib = library();
    let remote = FakeRemote::new();
    remote.with(|p| p.up_for = Some(0));
    let c = lib
        .add_customer(new_customer("13800138000", Some("张三"), None))
        .unwrap();
    assert!(Library::is_provisional(c.id));
    assert_eq!(
        names(&lib.search("张", 5, 0).unwrap()),
        ["张三"],
        "searchable offline at once"
    );
    // Later edits refer to the provisional id.
    lib.edit_customer(
        c.id,
        CustomerPatch {
            company: Some(FieldChange {
                from: None,
                to: text("武当"),
            }),
            ..Default::default()
        },
    )
    .unwrap();
    lib.add_contact(
        c.id,
        NewContact {
            kind: ContactKind::Wechat,
            value: "zhangsan".into(),
        },
    )
    .unwrap();
    assert_eq!(lib.pending().unwrap(), 3);

    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(report.pushed, 0);
    assert_eq!(report.pending, 3);
    assert!(report.interrupted.is_some());

    remote.with(|p| p.up_for = None);
    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(
        (report.pushed, report.pending, report.interrupted.clone()),
        (3, 0, None),
        "{report:?}"
    );
    let calls = remote.calls();
    assert_eq!(
        &calls[..3],
        ["create 13800138000", "patch 101", "contact 101"],
        "order kept, ids remapped"
    );

    let on_platform = remote.customer(101);
    assert_eq!(on_platform.company, text("武当"));
    assert_eq!(on_platform.contacts.len(), 1);
    let mirrored = lib.get(c.id).unwrap().unwrap();
    assert_eq!(
        mirrored.id, 101,
        "the provisional id resolves to the platform's"
    );
    assert_eq!(mirrored, on_platform);
    assert_eq!(lib.search("张三", 5, 0).unwrap()[0].id, 101);
    assert_eq!(lib.search("0013", 5, 0).unwrap()[0].id, 101);
    // Edits made with the old id after the remap still reach the right customer.
    lib.edit_customer(
        c.id,
        CustomerPatch {
            title: Some(FieldChange {
                from: None,
                to: text("经理"),
            }),
            ..Default::default()
        },
    )
    .unwrap();
    rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(remote.customer(101).title, text("经理"));
}

#[test]
fn a_create_that_meets_an_existing_customer_merges_into_it() {
    let lib = library();
    lib.set_current_agent(Some(7)).unwrap();
    let remote = FakeRemote::new();
    // Someone else created the customer on the platform, with a name and no company.
    let existing = remote.seed("13800138000", Some("张三"));
    // This device, offline, creates the same number with other data and a contact.
    let mut nc = new_customer("13800138000", Some("张老三"), Some("武当"));
    nc.owned_by_me = true;
    let c = lib.add_customer(nc).unwrap();
    lib.add_contact(
        c.id,
        NewContact {
            kind: ContactKind::Qq,
            value: "123456".into(),
        },
    )
    .unwrap();

    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(report.merged, 1, "{report:?}");
    assert_eq!(
        report.conflicts, 1,
        "the name differs: the platform keeps its own"
    );
    assert_eq!(report.pending, 0);
    let on_platform = remote.customer(existing);
    assert_eq!(on_platform.name, text("张三"));
    assert_eq!(
        on_platform.company,
        text("武当"),
        "empty fields take the offline values"
    );
    assert_eq!(
        on_platform.owner_agent_id,
        Some(7),
        "the owner claim of the create went through"
    );
    assert_eq!(on_platform.contacts.len(), 1, "the queued contact followed");
    assert_eq!(lib.get(c.id).unwrap().unwrap(), on_platform);
    let conflicts = lib.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].customer_id, existing);
    assert_eq!(conflicts[0].field, "name");
    assert_eq!(conflicts[0].yours, serde_json::json!("张老三"));
    assert_eq!(conflicts[0].kept, serde_json::json!("张三"));
    lib.dismiss_conflict(conflicts[0].id).unwrap();
    assert!(lib.conflicts().unwrap().is_empty());
}

#[test]
fn a_conflicting_field_edit_keeps_the_platform_value_and_is_recorded() {
    let lib = library();
    let remote = FakeRemote::new();
    let id = remote.seed("13800138000", Some("张三"));
    rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(lib.get(id).unwrap().unwrap().name, text("张三"));

    lib.edit_customer(
        id,
        CustomerPatch {
            name: Some(FieldChange {
                from: text("张三"),
                to: text("张叁"),
            }),
            title: Some(FieldChange {
                from: None,
                to: text("总监"),
            }),
            ..Default::default()
        },
    )
    .unwrap();
    // Meanwhile someone renames the customer on the platform.
    remote.with(|p| p.edit(id, |c| c.name = text("张三丰")));

    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!((report.pushed, report.conflicts), (1, 1), "{report:?}");
    let mirrored = lib.get(id).unwrap().unwrap();
    assert_eq!(mirrored.name, text("张三丰"), "the platform's value stays");
    assert_eq!(
        mirrored.title,
        text("总监"),
        "the other field of the edit applied"
    );
    assert_eq!(lib.conflicts().unwrap()[0].yours, serde_json::json!("张叁"));
}

#[test]
fn unreachable_mid_push_keeps_the_rest_in_order() {
    let lib = library();
    let remote = FakeRemote::new();
    for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
        lib.add_customer(new_customer(&format!("1380000000{i}"), Some(name), None))
            .unwrap();
    }
    remote.with(|p| p.up_for = Some(1));
    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!((report.pushed, report.pending), (1, 2), "{report:?}");
    assert!(report.interrupted.is_some());
    assert_eq!(
        remote.calls(),
        ["create 13800000000"],
        "no pull after the network went away"
    );

    remote.with(|p| p.up_for = None);
    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!((report.pushed, report.pending), (2, 0));
    assert_eq!(
        &remote.calls()[1..3],
        ["create 13800000001", "create 13800000002"]
    );
    let ids: Vec<i64> = lib
        .search("", 10, 0)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert!(ids.iter().all(|id| *id > 0), "all remapped: {ids:?}");
}

#[test]
fn a_refused_edit_is_recorded_and_dropped_and_the_rest_goes_on() {
    let lib = library();
    let remote = FakeRemote::new();
    remote.with(|p| p.refuse_mobile = Some("13800000000".into()));
    let bad = lib
        .add_customer(new_customer("13800000000", Some("坏"), None))
        .unwrap();
    lib.add_contact(
        bad.id,
        NewContact {
            kind: ContactKind::Qq,
            value: "123456".into(),
        },
    )
    .unwrap();
    lib.add_customer(new_customer("13800000001", Some("好"), None))
        .unwrap();

    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(
        (report.pushed, report.rejected, report.pending),
        (1, 2, 0),
        "{report:?}"
    );
    assert!(
        lib.get(bad.id).unwrap().is_none(),
        "the refused customer leaves the mirror"
    );
    assert_eq!(names(&lib.search("", 10, 0).unwrap()), ["好"]);
    let rejections = lib.rejections().unwrap();
    assert_eq!(rejections.len(), 2);
    assert_eq!(rejections[0].kind, EditKind::Create);
    assert!(matches!(
        rejections[0].error.code,
        ErrorCode::BadRequest { .. }
    ));
    assert_eq!(rejections[0].body["mobile"], "13800000000");
    assert_eq!(
        rejections[1].kind,
        EditKind::Contact,
        "its queued contact went with it"
    );
    lib.dismiss_rejection(rejections[0].id).unwrap();
    assert_eq!(lib.rejections().unwrap().len(), 1);
}

#[test]
fn unauthorized_keeps_the_queue() {
    let lib = library();
    let remote = FakeRemote::new();
    lib.add_customer(new_customer("13800000000", None, None))
        .unwrap();
    remote.with(|p| p.logged_out = true);
    let r = rt().block_on(lib.sync(&remote));
    assert!(
        matches!(
            r,
            Err(LibraryError::Remote(ApiError {
                code: ErrorCode::Unauthorized,
                ..
            }))
        ),
        "{r:?}"
    );
    assert_eq!(lib.pending().unwrap(), 1);
    assert!(lib.rejections().unwrap().is_empty());
}

#[test]
fn pull_pages_through_the_changes_and_moves_the_cursor() {
    let lib = library();
    let remote = FakeRemote::new();
    let n = PULL_PAGE as usize * 2 + 17;
    for i in 0..n {
        remote.seed(&format!("139{i:08}"), Some(&format!("客户{i}")));
    }
    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(report.pulled as usize, n);
    assert_eq!(remote.calls().len(), 3, "three pages");
    assert_eq!(lib.cursor().unwrap(), n as i64);
    assert_eq!(
        lib.search("客户12", 200, 0).unwrap().len(),
        11,
        "客户12 and 客户120..129 (prefix)"
    );

    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(report.pulled, 0);
    remote.with(|p| p.edit(101, |c| c.company = text("新公司")));
    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(report.pulled, 1);
    assert_eq!(lib.get(101).unwrap().unwrap().company, text("新公司"));
}

#[test]
fn a_pulled_customer_with_the_number_of_a_provisional_one_takes_its_place() {
    // The create is still queued (the sync that pulls started before it was made), and
    // the platform already has that number: the mirror keeps one customer, the platform's,
    // with the queued create replayed on its empty fields.
    let lib = library();
    let remote = FakeRemote::new();
    let id = remote.seed("13800138000", Some("张三"));
    let local = lib
        .add_customer(new_customer("13800138000", Some("张老三"), Some("武当")))
        .unwrap();
    let page = rt().block_on(remote.changes(0, 10)).unwrap();
    lib.db
        .with_tx(|tx| store::apply_remote(tx, &page.customers[0]))
        .unwrap();
    let mirrored = lib.get(local.id).unwrap().unwrap();
    assert_eq!(mirrored.id, id);
    assert_eq!(mirrored.name, text("张三"), "the platform's name");
    assert_eq!(
        mirrored.company,
        text("武当"),
        "the queued create fills the empty company"
    );
    assert_eq!(lib.search("", 10, 0).unwrap().len(), 1);
    // The queued create then merges as usual.
    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(
        (report.merged, report.conflicts, report.pending),
        (1, 1, 0),
        "{report:?}"
    );
    assert_eq!(remote.customer(id).company, text("武当"));
}

#[test]
fn library_is_shareable_across_tasks() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Library>();
    let lib = Arc::new(library());
    let remote = Arc::new(FakeRemote::new());
    lib.add_customer(new_customer("13800000000", Some("甲"), None))
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (l, r) = (lib.clone(), remote.clone());
    // `spawn` needs the sync future to be Send.
    let report = rt
        .block_on(async move { tokio::spawn(async move { l.sync(&*r).await }).await })
        .unwrap()
        .unwrap();
    assert_eq!(report.pushed, 1);
}

#[test]
fn reset_empties_the_library() {
    let lib = sample();
    lib.set_current_agent(Some(7)).unwrap();
    assert_eq!(lib.reset().unwrap(), 6, "six queued creates dropped");
    assert!(lib.search("", 10, 0).unwrap().is_empty());
    assert!(
        lib.search("138", 10, 0).unwrap().is_empty(),
        "the number index too"
    );
    assert!(
        lib.search("张", 10, 0).unwrap().is_empty(),
        "the text index too"
    );
    assert_eq!((lib.pending().unwrap(), lib.cursor().unwrap()), (0, 0));
    assert_eq!(lib.current_agent().unwrap(), None);
    lib.add_customer(new_customer("13800138000", Some("张三丰"), None))
        .unwrap();
    assert_eq!(names(&lib.search("张", 10, 0).unwrap()), ["张三丰"]);
}

#[test]
fn a_create_whose_answer_was_lost_is_sent_again_harmlessly() {
    // The platform committed the create but the answer never arrived (Unreachable): the
    // entry stays queued, comes back as a duplicate of itself, and merges without a
    // conflict, because every field already holds the wanted value (ADR 0004).
    let lib = library();
    let remote = FakeRemote::new();
    let nc = new_customer("13800138000", Some("张三"), Some("武当"));
    let local = lib.add_customer(nc.clone()).unwrap();
    let created = rt().block_on(remote.create(&nc)).unwrap();
    let report = rt().block_on(lib.sync(&remote)).unwrap();
    assert_eq!(
        (report.merged, report.conflicts, report.pending),
        (1, 0, 0),
        "{report:?}"
    );
    assert!(lib.conflicts().unwrap().is_empty());
    assert_eq!(
        lib.get(local.id).unwrap().unwrap(),
        remote.customer(created.id)
    );
}

/// Collects every field of every event at INFO and above (invariant 5 allows personal
/// data at debug only).
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() <= tracing::Level::INFO {
            let mut out = self.0.lock().unwrap();
            event.record(&mut Fields(&mut out));
            out.push('\n');
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn no_number_or_name_is_logged_above_debug() {
    let logged = Arc::new(Mutex::new(String::new()));
    // With a single registered dispatcher, tracing-core asks the *registering thread's*
    // default for a new callsite's interest, so a callsite first hit by another test's
    // thread would be cached as "never" for ours too. A second live dispatcher makes it
    // ask every registered one.
    let _second = tracing::Dispatch::new(Capture(Arc::new(Mutex::new(String::new()))));
    tracing::subscriber::with_default(Capture(logged.clone()), || {
        let lib = library();
        let remote = FakeRemote::new();
        remote.seed("13912345678", Some("张三"));
        remote.with(|p| p.refuse_mobile = Some("13800000000".into()));
        lib.add_customer(new_customer("13912345678", Some("李四"), None))
            .unwrap();
        lib.add_customer(new_customer("13800000000", Some("王五"), None))
            .unwrap();
        rt().block_on(lib.sync(&remote)).unwrap();
        lib.reset().unwrap();
    });
    let logged = logged.lock().unwrap().clone();
    assert!(
        logged.contains("customer library synced"),
        "the capture works: {logged}"
    );
    for secret in ["1391234", "13800000000", "张三", "李四", "王五"] {
        assert!(!logged.contains(secret), "{secret} was logged: {logged}");
    }
}
