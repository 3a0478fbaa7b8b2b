//! Every route the router serves answers (not a 404), and the OpenAPI document served
//! lists exactly those routes.

use crate::common::TestDb;
use crate::demo;
use seatline_platform::api::ROUTES;

both_backends!(every_route_answers_and_is_documented);

async fn every_route_answers_and_is_documented(db: &TestDb) {
    let p = demo(db).await;
    let doc = p
        .api
        .send("GET", "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(doc["openapi"], "3.1.0");
    for (method, path) in ROUTES {
        let concrete = path.replace("{id}", "1");
        let r = p.api.send(method, &concrete, None, None).await;
        let expected: &[u16] = match *path {
            "/healthz" | "/api/v1/openapi.json" => &[200],
            "/api/v1/auth/login" | "/api/v1/admin/login" => &[400],
            _ => &[401],
        };
        assert!(
            expected.contains(&r.status),
            "{method} {path}: {} {}",
            r.status,
            r.body
        );
        if r.status >= 400 {
            assert!(
                r.body["code"].is_string(),
                "{method} {path}: error body is an ApiError"
            );
        }
        assert!(
            doc["paths"][path][method.to_ascii_lowercase()].is_object(),
            "{method} {path} missing from the served document"
        );
    }
}
