//! `cargo bench -p seatline-core --bench library_search` (`make bench`).
//!
//! Builds a customer library of 100,000 synthetic customers (deterministic: the same file
//! every run) by pulling them through `Library::sync` from an in-memory platform, exactly
//! as a device fills its mirror, then times page-of-20 searches of four kinds through
//! `Library::search`, and the very same SQL statements (`render_for_shell`) in the Debian
//! `sqlite3` shell on the same file.
//!
//! What is measured:
//! - Library: wall time of each `search` call (plan, bind, step, decode into `Customer`s);
//!   p50, p99 and mean over all queries of a kind, after one warm-up pass.
//! - sqlite3 shell: one process per batch runs all queries of a kind with output to
//!   /dev/null; its wall time minus that of the same process running one trivial query
//!   (process start, opening the file, reading the schema) divided by the number of
//!   queries: a mean per query, best of 3 runs each. The shell prepares every statement
//!   anew and prints rows as text; the library reuses prepared statements.

use seatline_core::db::Db;
use seatline_core::library::{render_for_shell, CustomerRemote, Library, RemoteError};
use seatline_proto::{
    CardText, ContactKind, ContactMethod, Customer, CustomerChanges, CustomerPatch, NewContact,
    NewCustomer, PatchOutcome, PhoneNumber,
};
use std::collections::HashSet;
use std::error::Error;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 100_000;
const QUERIES_PER_KIND: usize = 300;
const PAGE: u32 = 20;
const SHELL: &str = "/usr/bin/sqlite3";

/// splitmix64: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// Common surnames, most frequent first; picked with a skewed distribution so that
/// "王" or "李" match thousands of customers, as in a real library.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "欧阳", "司马", "上官",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "文", "辉", "玲", "鹏", "飞", "宇", "浩",
    "晨", "欣", "怡", "博", "志", "新", "国", "海", "佳", "子", "梓", "睿", "思", "雨", "嘉", "俊",
    "婷", "雪", "琳", "晓", "峰", "斌", "波", "丹", "萍", "红", "春", "冬",
];
const CITIES: &[&str] = &[
    "北京", "上海", "深圳", "广州", "杭州", "成都", "武汉", "南京", "苏州", "西安", "重庆", "天津",
    "长沙", "郑州", "青岛", "厦门",
];
const WORDS: &[&str] = &[
    "恒通", "星辰", "远航", "蓝海", "金桥", "博远", "华信", "中联", "新锐", "天成", "宏达", "瑞丰",
    "云帆", "鼎盛", "启明", "汇智", "长城", "东方", "嘉禾", "明德",
];
const SUFFIXES: &[&str] = &[
    "科技有限公司",
    "贸易有限公司",
    "网络科技有限公司",
    "信息技术有限公司",
    "实业集团",
    "物流有限公司",
];
const RARE: &[&str] = &["龘", "靐", "齉", "爩", "鱻", "麤", "灥", "厵"];
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "157", "158", "159", "170", "176", "177", "180", "181", "182", "185", "186", "187", "188",
    "189", "199",
];

fn skewed(rng: &mut Rng, n: usize) -> usize {
    // The minimum of two uniform draws favours the front of the list.
    rng.below(n).min(rng.below(n))
}

fn card(s: &str) -> Result<Option<CardText>, Box<dyn Error>> {
    Ok(Some(CardText::parse(s)?))
}

fn generate(rng: &mut Rng) -> Result<Vec<Customer>, Box<dyn Error>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(CUSTOMERS);
    while out.len() < CUSTOMERS {
        let mobile = format!("{}{}", rng.pick(MOBILE_PREFIXES), rng.digits(8));
        if !seen.insert(mobile.clone()) {
            continue;
        }
        let mut name = SURNAMES[skewed(rng, SURNAMES.len())].to_owned();
        for _ in 0..1 + rng.below(2) {
            name.push_str(rng.pick(GIVEN));
        }
        let company = format!(
            "{}{}{}",
            rng.pick(CITIES),
            rng.pick(WORDS),
            rng.pick(SUFFIXES)
        );
        let mut contacts = Vec::new();
        if rng.below(10) < 3 {
            let value = format!("0{}{}", 10 + rng.below(900), rng.digits(8));
            contacts.push(ContactMethod {
                kind: ContactKind::Landline,
                value,
            });
        }
        if rng.below(10) < 2 {
            let value = format!("{}{}", rng.pick(MOBILE_PREFIXES), rng.digits(8));
            contacts.push(ContactMethod {
                kind: ContactKind::Mobile,
                value,
            });
        }
        let seq = out.len() as i64 + 1;
        out.push(Customer {
            id: seq,
            mobile: PhoneNumber::parse(&mobile)?,
            name: card(&name)?,
            company: card(&company)?,
            title: None,
            owner_agent_id: (rng.below(4) == 0).then(|| 1 + rng.below(50) as i64),
            contacts,
            change_seq: seq,
            created_at_ms: 1_700_000_000_000 + seq,
            updated_at_ms: 1_700_000_000_000 + seq,
        });
    }
    Ok(out)
}

/// A platform that only serves its change feed: the bench fills the mirror through the
/// same pull path a device uses.
struct Seed(Vec<Customer>);

impl CustomerRemote for Seed {
    async fn create(&self, _: &NewCustomer) -> Result<Customer, RemoteError> {
        Err(RemoteError::Unreachable("read-only seed".into()))
    }
    async fn patch(&self, _: i64, _: &CustomerPatch) -> Result<PatchOutcome, RemoteError> {
        Err(RemoteError::Unreachable("read-only seed".into()))
    }
    async fn add_contact(&self, _: i64, _: &NewContact) -> Result<Customer, RemoteError> {
        Err(RemoteError::Unreachable("read-only seed".into()))
    }
    async fn changes(&self, since: i64, limit: u32) -> Result<CustomerChanges, RemoteError> {
        let start = (since.max(0) as usize).min(self.0.len());
        let end = (start + limit as usize).min(self.0.len());
        Ok(CustomerChanges {
            customers: self.0[start..end].to_vec(),
            next: end as i64,
            more: end < self.0.len(),
        })
    }
}

struct Kind {
    label: &'static str,
    queries: Vec<String>,
}

fn queries(rng: &mut Rng, customers: &[Customer]) -> Vec<Kind> {
    let name_of = |c: &Customer| {
        c.name
            .as_ref()
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default()
    };
    let mut prefix = Vec::new();
    let mut both = Vec::new();
    let mut inner = Vec::new();
    let mut number = Vec::new();
    let mut none = Vec::new();
    for _ in 0..QUERIES_PER_KIND {
        let c = &customers[rng.below(customers.len())];
        let name: Vec<char> = name_of(c).chars().collect();
        // Surname alone, or surname and the first character of the given name.
        let take = 1 + rng.below(2).min(name.len() - 1);
        prefix.push(name[..take].iter().collect::<String>());
        // The surname and the start of the company ("王 上海星辰").
        let company: Vec<char> = c
            .company
            .as_ref()
            .map(|t| t.as_str().chars().collect())
            .unwrap_or_default();
        both.push(format!(
            "{} {}",
            name[0],
            company[..4].iter().collect::<String>()
        ));
        // The given name alone: inside the one-token run, so the CJK substring scan.
        inner.push(name[name.len() - 1..].iter().collect::<String>());
        // Two characters no customer has: the index answers "nothing" (with a LIKE
        // fallback this would be the worst case, a scan of every row).
        none.push(format!("{}{}", rng.pick(RARE), rng.pick(RARE)));
        // 4 to 7 digits from anywhere in the mobile number.
        let m = c.mobile.as_str();
        let len = 4 + rng.below(4);
        let at = rng.below(m.len() - len + 1);
        number.push(m[at..at + len].to_owned());
    }
    vec![
        Kind {
            label: "name prefix (王, 王伟)",
            queries: prefix,
        },
        Kind {
            label: "name + company (王 上海星辰)",
            queries: both,
        },
        Kind {
            label: "CJK inside a name (伟)",
            queries: inner,
        },
        Kind {
            label: "number part (4-7 digits)",
            queries: number,
        },
        Kind {
            label: "CJK, no match (龘靐)",
            queries: none,
        },
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs a script in one sqlite3 process and returns its wall time.
fn shell_run(db: &Path, script: &str) -> Result<(Duration, String), Box<dyn Error>> {
    let start = Instant::now();
    let mut child = Command::new(SHELL)
        .arg("-batch")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(script.as_bytes())?;
    let out = child.wait_with_output()?;
    let took = start.elapsed();
    if !out.status.success() || !out.stderr.is_empty() {
        return Err(format!("sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok((took, String::from_utf8_lossy(&out.stdout).into_owned()))
}

fn best_of(
    n: usize,
    mut f: impl FnMut() -> Result<Duration, Box<dyn Error>>,
) -> Result<Duration, Box<dyn Error>> {
    let mut best = Duration::MAX;
    for _ in 0..n {
        best = best.min(f()?);
    }
    Ok(best)
}

fn main() -> Result<(), Box<dyn Error>> {
    // `cargo bench` passes `--bench`; any other argument would be a filter, which this
    // harness does not have.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("library.db");
    let mut rng = Rng(0x5EA7_11E0);

    let t = Instant::now();
    let customers = generate(&mut rng)?;
    let kinds = queries(&mut rng, &customers);
    let numbers: usize = customers
        .iter()
        .map(|c| {
            1 + c
                .contacts
                .iter()
                .filter(|m| m.kind != ContactKind::Email)
                .count()
        })
        .sum();
    let lib = Library::new(Arc::new(Db::open(&path)?));
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let report = rt.block_on(lib.sync(&Seed(customers)))?;
    let build = t.elapsed();
    if report.pulled as usize != CUSTOMERS {
        return Err(format!("pulled {} customers, expected {CUSTOMERS}", report.pulled).into());
    }

    // Library::search, one warm-up pass, then the timed pass.
    let mut library_rows = Vec::new();
    let mut first_counts = Vec::new();
    for kind in &kinds {
        for q in &kind.queries {
            lib.search(q, PAGE, 0)?;
        }
        let mut times = Vec::with_capacity(kind.queries.len());
        let mut hits = 0usize;
        for q in &kind.queries {
            let start = Instant::now();
            let found = lib.search(q, PAGE, 0)?;
            times.push(start.elapsed());
            hits += found.len();
        }
        first_counts.push(lib.search(&kind.queries[0], PAGE, 0)?.len());
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        library_rows.push((
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            mean,
            hits as f64 / times.len() as f64,
        ));
    }
    // Close the library's connection: SQLite checkpoints the WAL into the file, so the
    // shell reads one plain database file.
    drop(lib);
    let size_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;

    // The sqlite3 shell on the same file and the same statements.
    let shell = Path::new(SHELL).exists();
    let mut shell_means = Vec::new();
    if shell {
        let baseline_script = ".output /dev/null\nSELECT count(*) FROM library_state;\n";
        let baseline = best_of(3, || Ok(shell_run(&path, baseline_script)?.0))?;
        for (kind, expected) in kinds.iter().zip(&first_counts) {
            let mut statements = Vec::with_capacity(kind.queries.len());
            for q in &kind.queries {
                let sql = render_for_shell(q, PAGE, 0)?.ok_or("query matches nothing")?;
                statements.push(format!(
                    "{};\n",
                    sql.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
            // Sanity: the shell returns as many rows as the library for the first query.
            let (_, rows) = shell_run(&path, &statements[0])?;
            if rows.lines().count() != *expected {
                return Err(format!(
                    "{}: shell returned {} rows, library {expected}",
                    kind.label,
                    rows.lines().count()
                )
                .into());
            }
            let script = format!(".output /dev/null\n{}", statements.concat());
            let batch = best_of(3, || Ok(shell_run(&path, &script)?.0))?;
            shell_means.push(Some(
                batch.saturating_sub(baseline) / kind.queries.len() as u32,
            ));
        }
        println!(
            "sqlite3 shell start + open + schema (subtracted): {:.1} ms",
            ms(baseline)
        );
    } else {
        shell_means.resize(kinds.len(), None);
    }

    println!(
        "customer library: {CUSTOMERS} customers, {numbers} phone numbers, {size_mb:.0} MB; built through Library::sync in {:.1} s",
        build.as_secs_f64()
    );
    println!("{QUERIES_PER_KIND} distinct queries per kind, page of {PAGE}; times in ms");
    println!();
    println!(
        "{:<30} {:>6} {:>9} {:>9} {:>9} {:>16}",
        "query kind", "hits", "lib p50", "lib p99", "lib mean", "sqlite3 mean"
    );
    for ((kind, (p50, p99, mean, hits)), shell) in kinds.iter().zip(&library_rows).zip(&shell_means)
    {
        let shell = shell.map_or("not installed".to_owned(), |d| format!("{:.3}", ms(d)));
        println!(
            "{:<30} {:>6.1} {:>9.3} {:>9.3} {:>9.3} {:>16}",
            kind.label,
            hits,
            ms(*p50),
            ms(*p99),
            ms(*mean),
            shell
        );
    }
    println!();
    println!(
        "lib: Library::search wall time per call (statement cached, rows decoded into Customer)."
    );
    println!("sqlite3: (batch wall time - start/open/schema) / queries; statements prepared anew, rows printed to /dev/null.");
    Ok(())
}
