//! Shared test harness: fresh databases on both backends, the real platform binary, and
//! small HTTP / WebSocket helpers.
//!
//! PostgreSQL: tests read `SEATLINE_TEST_PG_URL` (e.g. from `scripts/postgres.sh start`)
//! and create a fresh database per test from it. Unset, the PostgreSQL variants print a
//! note and pass, unless `SEATLINE_REQUIRE_PG=1`, which makes them fail instead.
#![allow(dead_code, clippy::unwrap_used)]

use futures_util::{SinkExt, StreamExt};
use seatline_proto::{EventFrame, LoginResponse};
use serde_json::{json, Value};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub const BIN: &str = env!("CARGO_BIN_EXE_seatline-platform");

/// Runs `$case(db)` once on SQLite and once on PostgreSQL (when configured), as two
/// tests named `<case>::sqlite` and `<case>::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = $crate::common::TestDb::sqlite();
                super::$case(&db).await;
                db.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let Some(db) = $crate::common::TestDb::postgres().await else { return };
                super::$case(&db).await;
                db.cleanup().await;
            }
        }
    )*};
}

// ------------------------------------------------------------------ databases

/// A fresh, empty database for one test.
pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("platform.db").display());
        TestDb {
            url,
            backend: "sqlite",
            _dir: Some(dir),
            pg: None,
        }
    }

    /// `None` (after printing why) when PostgreSQL is not configured and not required.
    pub async fn postgres() -> Option<TestDb> {
        let base = match std::env::var("SEATLINE_TEST_PG_URL") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                if std::env::var("SEATLINE_REQUIRE_PG").as_deref() == Ok("1") {
                    panic!("SEATLINE_REQUIRE_PG=1 but SEATLINE_TEST_PG_URL is not set");
                }
                // Straight to the process's stderr, past the test harness's capture, once.
                static NOTE: std::sync::Once = std::sync::Once::new();
                NOTE.call_once(|| {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "note: SEATLINE_TEST_PG_URL is not set; the PostgreSQL variants are \
                         skipped (scripts/postgres.sh start prints a URL)"
                    );
                });
                return None;
            }
        };
        let name = format!(
            "seatline_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let admin = sqlx::PgPool::connect(&base)
            .await
            .expect("connect to SEATLINE_TEST_PG_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let url = with_database(&base, &name);
        Some(TestDb {
            url,
            backend: "postgres",
            _dir: None,
            pg: Some((base, name)),
        })
    }

    /// Drops a PostgreSQL test database (SQLite's goes with its temp dir).
    pub async fn cleanup(self) {
        if let Some((base, name)) = &self.pg {
            if let Ok(admin) = sqlx::PgPool::connect(base).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
                admin.close().await;
            }
        }
    }

    pub async fn store(&self) -> seatline_platform::store::Store {
        seatline_platform::store::Store::connect(&self.url)
            .await
            .unwrap()
    }
}

/// `postgres://u@h:p/db?x` with the database replaced by `name`.
fn with_database(base: &str, name: &str) -> String {
    let (scheme, rest) = base.split_once("://").expect("url scheme");
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or(before_query);
    let mut url = format!("{scheme}://{authority}/{name}");
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

// ------------------------------------------------------------------ the binary

/// Runs `seatline-platform seed-demo` on the database.
pub async fn seed(db: &TestDb) {
    let out = Command::new(BIN)
        .args(["seed-demo", "--db", &db.url])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "seed-demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running `seatline-platform serve` on `127.0.0.1:0`.
pub struct Platform {
    child: Child,
    pub base: String,
    pub api: Api,
}

impl Platform {
    /// Starts the binary and waits for its `listening on http://ADDR` line.
    /// Its log (stderr) goes to the test's stderr at `warn`, or `SEATLINE_TEST_LOG`.
    pub async fn start(db: &TestDb) -> Platform {
        let level = std::env::var("SEATLINE_TEST_LOG").unwrap_or_else(|_| "warn".into());
        Self::start_with(db, &level, Stdio::inherit()).await
    }

    /// Starts the binary with `RUST_LOG=level`, its stderr going to `stderr`.
    pub async fn start_with(db: &TestDb, level: &str, stderr: Stdio) -> Platform {
        Self::start_args(db, level, stderr, &[]).await
    }

    /// As `start_with`, with more `serve` arguments (e.g. the TLS files).
    pub async fn start_args(db: &TestDb, level: &str, stderr: Stdio, extra: &[&str]) -> Platform {
        let mut child = Command::new(BIN)
            .args(["serve", "--db", &db.url, "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("RUST_LOG", level)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("platform did not print its ready line in time")
            .unwrap()
            .expect("platform exited before listening");
        let base = line
            .strip_prefix("listening on ")
            .expect("ready line")
            .trim()
            .to_string();
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Platform {
            child,
            api: Api::new(&base),
            base,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    /// Waits for the process to exit; `None` if it has not within `wait`.
    pub async fn wait_exit(&mut self, wait: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(wait, self.child.wait())
            .await
            .ok()
            .map(Result::unwrap)
    }

    /// SIGKILL: no shutdown code runs.
    pub async fn kill(&mut self) {
        self.child.start_kill().unwrap();
        let _ = self.child.wait().await;
    }
}

// ------------------------------------------------------------------ HTTP

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

/// A status and JSON body (Null when the body is empty or not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected reply: {}", self.body);
        self.body
    }
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "unexpected reply: {}",
            self.body
        );
    }
}

impl Api {
    pub fn new(base: &str) -> Api {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Api {
            http,
            base: base.to_string(),
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let body = body.map(|b| b.to_string().into_bytes());
        self.raw(method, path, token, body).await
    }

    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send("GET", path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send("POST", path, Some(token), Some(body)).await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send("PATCH", path, Some(token), Some(body)).await
    }

    pub async fn try_login(
        &self,
        enterprise: &str,
        job: &str,
        password: &str,
        kind: &str,
    ) -> Reply {
        let body = json!({
            "enterprise": enterprise, "job_number": job, "password": password,
            "device_kind": kind, "device_id": format!("{kind}-{job}-test"),
        });
        self.send("POST", "/api/v1/auth/login", None, Some(body))
            .await
    }

    /// Logs an agent in and returns the response.
    pub async fn login(
        &self,
        enterprise: &str,
        job: &str,
        password: &str,
        kind: &str,
    ) -> LoginResponse {
        let body = self
            .try_login(enterprise, job, password, kind)
            .await
            .expect(200);
        serde_json::from_value(body).unwrap()
    }

    /// Logs an administrator in and returns the token.
    pub async fn admin_login(&self, enterprise: &str, user: &str, password: &str) -> String {
        let body = json!({ "enterprise": enterprise, "username": user, "password": password });
        let r = self
            .send("POST", "/api/v1/admin/login", None, Some(body))
            .await
            .expect(200);
        r["token"].as_str().unwrap().to_string()
    }

    /// The demo agent `job`'s id, through the demo administrator.
    pub async fn agent_id(&self, admin_token: &str, job: &str) -> i64 {
        let agents = self
            .get("/api/v1/admin/agents", admin_token)
            .await
            .expect(200);
        agents
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["job_number"] == job)
            .and_then(|a| a["agent_id"].as_i64())
            .unwrap()
    }
}

// ------------------------------------------------------------------ WebSocket

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the event socket with the bearer token; returns it with its `Hello` frame.
pub async fn events(base: &str, token: &str) -> (Ws, EventFrame) {
    let mut ws = try_events(base, token).await.expect("event socket refused");
    let hello = next_frame(&mut ws, Duration::from_secs(5))
        .await
        .expect("hello frame");
    assert!(
        matches!(hello.event, seatline_proto::Event::Hello { .. }),
        "first frame must be hello: {hello:?}"
    );
    (ws, hello)
}

pub async fn try_events(
    base: &str,
    token: &str,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let url = format!("{}/api/v1/events", base.replacen("http://", "ws://", 1));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// What the next message on the socket was.
#[derive(Debug)]
pub enum Incoming {
    Frame(EventFrame),
    /// A text frame that is not an EventFrame (an ApiError).
    Other(Value),
    Closed(Option<u16>),
    Timeout,
}

pub async fn next_incoming(ws: &mut Ws, wait: Duration) -> Incoming {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return Incoming::Timeout,
            Ok(None) | Ok(Some(Err(_))) => return Incoming::Closed(None),
            Ok(Some(Ok(Message::Text(t)))) => {
                return match serde_json::from_str::<EventFrame>(t.as_str()) {
                    Ok(f) => Incoming::Frame(f),
                    Err(_) => {
                        Incoming::Other(serde_json::from_str(t.as_str()).unwrap_or(Value::Null))
                    }
                }
            }
            Ok(Some(Ok(Message::Close(f)))) => {
                return Incoming::Closed(f.map(|f| u16::from(f.code)))
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

pub async fn next_frame(ws: &mut Ws, wait: Duration) -> Option<EventFrame> {
    match next_incoming(ws, wait).await {
        Incoming::Frame(f) => Some(f),
        _ => None,
    }
}

/// Waits for the first frame whose event satisfies `want`, skipping others.
pub async fn wait_for(
    ws: &mut Ws,
    wait: Duration,
    want: impl Fn(&seatline_proto::Event) -> bool,
) -> Option<EventFrame> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match next_frame(ws, left).await {
            Some(f) if want(&f.event) => return Some(f),
            Some(_) => continue,
            None => return None,
        }
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.into())).await.unwrap();
}

/// Percentile of a sorted sample.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}
