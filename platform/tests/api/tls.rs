//! TLS where the platform faces the internet: `serve --tls-cert --tls-key` speaks HTTPS
//! with the given certificate, and plain HTTP to that port gets nowhere.

use crate::common::{seed, Platform, TestDb};
use serde_json::json;
use std::process::Stdio;

#[tokio::test]
async fn tls_serves_https_with_the_given_certificate() {
    let db = TestDb::sqlite();
    seed(&db).await;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let args = [
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    let p = Platform::start_args(&db, "warn", Stdio::inherit(), &args).await;
    assert!(p.base.starts_with("https://127.0.0.1:"), "{}", p.base);
    let base = p.base.replace("127.0.0.1", "localhost");

    let trusting = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap(),
        )
        .build()
        .unwrap();
    let r = trusting
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let login = json!({"enterprise": "demo", "job_number": "1001", "password": "1001pass",
                       "device_kind": "pc", "device_id": "tls-pc"});
    let r = trusting
        .post(format!("{base}/api/v1/auth/login"))
        .json(&login)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // A client that does not trust the certificate is refused by its own TLS check.
    let default = reqwest::Client::new();
    assert!(default.get(format!("{base}/healthz")).send().await.is_err());
    // Plain HTTP to the TLS port is not served.
    let plain = p.base.replace("https://", "http://");
    let r = default.get(format!("{plain}/healthz")).send().await;
    assert!(r.map(|r| r.status() != 200).unwrap_or(true));
    db.cleanup().await;
}
