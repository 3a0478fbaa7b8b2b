//! `seed-demo`: the demo enterprises, accounts and a library of realistic customers.
//! Deterministic and idempotent: running it again adds nothing and changes no password.
//!
//! - `demo` (online-service package): administrator `admin` / `admin123`; agents `1001`
//!   (`1001pass`, bound 13800000001), `1002` (`1002pass`, bound 13800000002), `1003`
//!   (`1003pass`, no bound number); 300 customers, 40 of them owned by 1001, the rest in
//!   the public pool. Main number 4008001001; 1001 may delete call records (R38).
//! - `acme` (phone package only): administrator `admin` / `admin123`; agent `2001`
//!   (`2001pass`, bound 13900000001); 20 customers. Main number 4008002002.

use crate::auth::password;
use crate::store::{now_ms, AgentChanges, CustomerRecord, Store};
use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seatline_proto::{CardText, ContactKind, EnterpriseCode, JobNumber, PhoneNumber};
use std::collections::HashSet;

struct AgentSeed {
    job: &'static str,
    name: &'static str,
    password: &'static str,
    bound: Option<&'static str>,
    /// R38: may delete call records.
    can_delete_records: bool,
}

struct EnterpriseSeed {
    code: &'static str,
    name: &'static str,
    online_service: bool,
    /// R12: the number VoIP and callback calls show.
    main_number: &'static str,
    agents: &'static [AgentSeed],
    customers: usize,
    /// How many customers the first agent owns (R40); the rest are in the public pool.
    owned_by_first: usize,
    rng_seed: u64,
}

const ADMIN_USER: &str = "admin";
const ADMIN_PASSWORD: &str = "admin123";

const ENTERPRISES: &[EnterpriseSeed] = &[
    EnterpriseSeed {
        code: "demo",
        name: "示例科技有限公司",
        online_service: true,
        main_number: "4008001001",
        agents: &[
            AgentSeed {
                job: "1001",
                name: "张晓明",
                password: "1001pass",
                bound: Some("13800000001"),
                can_delete_records: true,
            },
            AgentSeed {
                job: "1002",
                name: "李静",
                password: "1002pass",
                bound: Some("13800000002"),
                can_delete_records: false,
            },
            AgentSeed {
                job: "1003",
                name: "王磊",
                password: "1003pass",
                bound: None,
                can_delete_records: false,
            },
        ],
        customers: 300,
        owned_by_first: 40,
        rng_seed: 1001,
    },
    EnterpriseSeed {
        code: "acme",
        name: "艾克米贸易有限公司",
        online_service: false,
        main_number: "4008002002",
        agents: &[AgentSeed {
            job: "2001",
            name: "陈芳",
            password: "2001pass",
            bound: Some("13900000001"),
            can_delete_records: false,
        }],
        customers: 20,
        owned_by_first: 5,
        rng_seed: 2001,
    },
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕", "婷",
    "子轩", "雨涵", "浩然", "欣怡", "俊杰", "思远",
];
const CITIES: &[&str] = &[
    "北京", "上海", "深圳", "杭州", "广州", "成都", "南京", "武汉", "苏州", "西安",
];
const BRANDS: &[&str] = &[
    "星辰", "华信", "远景", "博创", "云帆", "恒达", "启明", "瑞丰", "天成", "众合", "新航", "嘉禾",
];
const TRADES: &[&str] = &[
    "科技",
    "贸易",
    "物流",
    "电子",
    "信息技术",
    "医疗器械",
    "教育咨询",
    "食品",
    "建材",
    "文化传媒",
];
const TITLES: &[&str] = &[
    "总经理",
    "采购经理",
    "技术总监",
    "销售主管",
    "财务经理",
    "行政专员",
    "项目经理",
    "市场部经理",
];
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "139", "150", "151", "152", "155", "156",
    "158", "159", "176", "177", "186", "187", "188", "189", "199",
];

fn card(s: &str) -> anyhow::Result<CardText> {
    CardText::parse(s).context("seed text")
}

/// The deterministic customers of one enterprise.
fn customers(seed: &EnterpriseSeed, owner: Option<i64>) -> anyhow::Result<Vec<CustomerRecord>> {
    let mut rng = StdRng::seed_from_u64(seed.rng_seed);
    let reserved: HashSet<&str> = seed.agents.iter().filter_map(|a| a.bound).collect();
    let mut used = HashSet::new();
    let mut out = Vec::with_capacity(seed.customers);
    while out.len() < seed.customers {
        let i = out.len();
        let prefix = MOBILE_PREFIXES[rng.gen_range(0..MOBILE_PREFIXES.len())];
        let mobile = format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32));
        if reserved.contains(mobile.as_str()) || !used.insert(mobile.clone()) {
            continue;
        }
        let name = format!(
            "{}{}",
            SURNAMES[rng.gen_range(0..SURNAMES.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())]
        );
        let company = format!(
            "{}{}{}有限公司",
            CITIES[rng.gen_range(0..CITIES.len())],
            BRANDS[rng.gen_range(0..BRANDS.len())],
            TRADES[rng.gen_range(0..TRADES.len())]
        );
        let title = TITLES[rng.gen_range(0..TITLES.len())];
        let mut contacts = Vec::new();
        if i % 5 == 0 {
            contacts.push((ContactKind::Email, format!("kehu{i:03}@example.cn")));
        }
        if i % 7 == 0 {
            contacts.push((
                ContactKind::Wechat,
                format!("wx_{}", rng.gen_range(100_000..999_999u32)),
            ));
        }
        if i % 9 == 0 {
            let landline = format!("010-6{:07}", rng.gen_range(0..10_000_000u32));
            contacts.push((
                ContactKind::Landline,
                ContactKind::Landline.validate(&landline)?,
            ));
        }
        out.push(CustomerRecord {
            mobile: PhoneNumber::parse(&mobile)?,
            // Some cards are sparse, as cards added during a call are (R15).
            name: (i % 11 != 3).then(|| card(&name)).transpose()?,
            company: (i % 4 != 1).then(|| card(&company)).transpose()?,
            title: (i % 3 == 0).then(|| card(title)).transpose()?,
            owner_agent_id: if i < seed.owned_by_first { owner } else { None },
            contacts,
        });
    }
    Ok(out)
}

/// Creates whatever of the demo data is missing; prints one line per enterprise.
pub async fn seed_demo(store: &Store) -> anyhow::Result<()> {
    for e in ENTERPRISES {
        let code = EnterpriseCode::parse(e.code)?;
        let enterprise_id = match store.enterprise_id(&code).await? {
            Some(id) => id,
            None => {
                let hash = password::hash(ADMIN_PASSWORD.to_string()).await?;
                store
                    .create_enterprise(&code, e.name, e.online_service, ADMIN_USER, &hash, now_ms())
                    .await?
            }
        };
        if !store.admin_exists(enterprise_id, ADMIN_USER).await? {
            let hash = password::hash(ADMIN_PASSWORD.to_string()).await?;
            store
                .ensure_admin(enterprise_id, ADMIN_USER, &hash, now_ms())
                .await?;
        }
        // Set once: an administrator's later choice is not overwritten by a re-seed.
        if store.enterprise_main_number(enterprise_id).await?.is_none() {
            let number = PhoneNumber::parse(e.main_number)?;
            store.set_main_number(enterprise_id, &number).await?;
        }
        let mut first_agent = None;
        for a in e.agents {
            let job = JobNumber::parse(a.job)?;
            let id = match store.agent_id(enterprise_id, &job).await? {
                Some(id) => id,
                None => {
                    let hash = password::hash(a.password.to_string()).await?;
                    let bound = a.bound.map(PhoneNumber::parse).transpose()?;
                    let id = store
                        .create_agent(enterprise_id, &job, a.name, &hash, bound.as_ref(), now_ms())
                        .await?;
                    if a.can_delete_records {
                        let allow = AgentChanges {
                            can_delete_records: Some(true),
                            ..AgentChanges::default()
                        };
                        store
                            .update_agent(enterprise_id, id, &allow, now_ms())
                            .await?;
                    }
                    id
                }
            };
            first_agent.get_or_insert(id);
        }
        let records = customers(e, first_agent)?;
        let (added, _) = store
            .import_customers(enterprise_id, &records, now_ms())
            .await?;
        println!(
            "seeded enterprise {} (id {enterprise_id}): {} agents, {added} new customers",
            e.code,
            e.agents.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_customers_are_valid_unique_and_deterministic() {
        let a = customers(&ENTERPRISES[0], Some(1)).expect("customers");
        let b = customers(&ENTERPRISES[0], Some(1)).expect("customers");
        assert_eq!(a.len(), 300);
        let mobiles: HashSet<_> = a.iter().map(|c| c.mobile.as_str().to_string()).collect();
        assert_eq!(mobiles.len(), 300);
        assert!(a.iter().all(|c| c.mobile.as_str().len() == 11));
        assert_eq!(a.iter().filter(|c| c.owner_agent_id == Some(1)).count(), 40);
        let same = a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.mobile == y.mobile && x.name == y.name);
        assert!(same);
    }
}
