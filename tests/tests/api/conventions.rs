use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::Method;
use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

#[tokio::test]
async fn malformed_json_wrong_media_type_and_huge_bodies_get_problems_and_write_nothing() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let before = app.count("purchaser").await;
    let send = |body: Body, ct: Option<&'static str>| {
        app.send_from(
            None,
            Method::POST,
            "/api/v1/purchasers",
            Some(&admin.token),
            Some(body),
            ct,
        )
    };
    let a = send(Body::from("{\"name\": "), Some("application/json"))
        .await
        .expect(400);
    assert_eq!(a.headers["content-type"], "application/problem+json");
    assert_eq!(a.body["status"], 400);
    send(
        Body::from("name=x"),
        Some("application/x-www-form-urlencoded"),
    )
    .await
    .expect(415);
    send(Body::from("{}"), None).await.expect(415);
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(10 * 1024 * 1024));
    let big = send(Body::from(huge), Some("application/json"))
        .await
        .expect(413);
    assert_eq!(big.body["status"], 413);
    let wrong_type = app
        .post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": 5, "division_code": "410523", "contact_email": "a@b.cn"}),
        )
        .await
        .expect(422);
    assert_eq!(wrong_type.error_fields(), ["name"]);
    let missing = app
        .post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"division_code": "410523", "contact_email": "a@b.cn"}),
        )
        .await
        .expect(422);
    assert_eq!(missing.error_fields(), ["name"]);
    let long = app
        .post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": "长".repeat(201), "division_code": "410523", "contact_email": "a@b.cn"}),
        )
        .await
        .expect(422);
    assert_eq!(long.error_fields(), ["name"]);
    assert_eq!(app.count("purchaser").await, before);
}

/// SQL in a stored string stays text, and SQL in a filter matches nothing: the list answers
/// exactly the purchasers the filter names (an injected `OR 1=1` would answer both).
#[tokio::test]
async fn sql_looking_strings_are_stored_as_text() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let name = "x'); DROP TABLE purchaser; --";
    let p = app
        .post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": name, "division_code": "410523", "contact_email": "a@b.cn"}),
        )
        .await
        .expect(201);
    let other = app
        .post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": "某镇财政所", "division_code": "410500", "contact_email": "c@d.cn"}),
        )
        .await
        .expect(201);
    assert_eq!(
        app.get(&format!("/api/v1/purchasers/{}", p.id()), &admin.token)
            .await
            .expect(200)
            .body["name"],
        name
    );
    let list = |query: &'static str| {
        let token = admin.token.clone();
        let app = &app;
        async move {
            let body = app
                .get(&format!("/api/v1/purchasers{query}"), &token)
                .await
                .expect(200)
                .body;
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["id"].as_str().unwrap().to_string(),
                        p["name"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("?division_code=%27%20OR%201%3D1%20--").await,
        [],
        "a filter holding SQL matches no purchaser"
    );
    assert_eq!(
        list("?division_code=410523").await,
        [(p.id().to_string(), name.to_string())]
    );
    let mut all = list("").await;
    all.sort();
    let mut expected = vec![
        (p.id().to_string(), name.to_string()),
        (other.id().to_string(), "某镇财政所".to_string()),
    ];
    expected.sort();
    assert_eq!(all, expected, "the table is whole");
}

#[tokio::test]
async fn unknown_routes_and_ids_answer_problem_404_and_requests_carry_an_id() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let a = app
        .get("/api/v1/nothing-here", &admin.token)
        .await
        .expect(404);
    assert_eq!(a.headers["content-type"], "application/problem+json");
    assert!(a.headers.contains_key("x-request-id"));
    // A path id that cannot be an id names no record: a problem, not axum's plain text.
    for path in [
        "/api/v1/purchasers/not-a-uuid",
        "/api/v1/users/not-a-uuid",
        "/api/v1/organisations/1",
    ] {
        let a = app.get(path, &admin.token).await;
        assert_eq!(a.status, 404, "{path}: {}", a.text);
        assert_eq!(
            a.headers["content-type"], "application/problem+json",
            "{path}"
        );
        assert_eq!(a.body["status"], 404, "{path}");
    }
    app.get(
        &format!("/api/v1/purchasers/{}", uuid::Uuid::now_v7()),
        &admin.token,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn health_ready_and_metrics_answer() {
    let app = TestApp::new().await;
    assert_eq!(
        app.call(Method::GET, "/health", None, None)
            .await
            .expect(200)
            .body["status"],
        "ok"
    );
    assert_eq!(
        app.call(Method::GET, "/ready", None, None)
            .await
            .expect(200)
            .body["status"],
        "ready"
    );
    app.call(Method::GET, "/api/v1/me", None, None)
        .await
        .expect(401);
    let m = app.metrics().await.expect(200);
    assert!(
        m.text
            .contains("http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"}"),
        "{}",
        m.text
    );
    assert!(
        m.text
            .contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\""),
        "{}",
        m.text
    );
}

/// Paths registered with axum's own routing anywhere in the backend's source (`.route(`,
/// `.route_service(`, `.nest_service(`), which the OpenAPI router never sees, and the
/// prefixes of `.nest(`. Routes registered through utoipa-axum's `routes!` are documented by
/// construction (their path comes from their annotation); these are the ones that could
/// escape the document. A registration whose path is not a string literal fails the test.
/// The pages (`backend/src/web/`) are left out: they are the web interface, not the API.
fn plain_routes() -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let p = e.path();
            // The web interface's pages are not operations of the API document.
            if p.is_dir() && !p.ends_with("web") {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../backend/src"),
        &mut files,
    );
    assert!(files.len() > 10, "the backend's source: {files:?}");
    let (mut routes, mut prefixes) = (BTreeSet::new(), BTreeSet::new());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for call in [".route(", ".route_service(", ".nest_service(", ".nest("] {
            for (at, _) in text.match_indices(call) {
                let rest = text[at + call.len()..].trim_start();
                let literal = rest
                    .strip_prefix('"')
                    .and_then(|r| r.split_once('"'))
                    .map(|(l, _)| l.to_string())
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: {call} without a literal path: {}",
                            f.display(),
                            &rest[..rest.len().min(60)]
                        )
                    });
                if call == ".nest(" {
                    prefixes.insert(literal);
                } else {
                    routes.insert(literal);
                }
            }
        }
    }
    (routes, prefixes)
}

/// The operations the router serves at each of `paths` (`{param}` filled in): a request with
/// a method no route uses (TRACE) answers 405 with `Allow` naming the methods served there
/// (HEAD comes with GET and is not an operation); a path nothing serves answers the
/// fallback's 404.
async fn served(app: &TestApp, paths: &BTreeSet<String>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for path in paths {
        let concrete: String = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "00000000-0000-0000-0000-000000000000"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let a = app
            .send_from(None, Method::TRACE, &concrete, None, None, None)
            .await;
        match a.status.as_u16() {
            404 => {}
            405 => {
                let allow = a.headers["allow"].to_str().unwrap().to_ascii_lowercase();
                for m in allow.split(',').map(str::trim).filter(|m| *m != "head") {
                    out.insert((path.clone(), m.to_string()));
                }
            }
            s => panic!("TRACE {concrete} answered {s}: a route serving any method?"),
        }
    }
    out
}

/// The document and the router list the same operations: every served (path, method) is
/// documented and every documented one is served. The served set is read from the router
/// itself (see [`served`]) at every documented path and every path registered outside the
/// OpenAPI router (see [`plain_routes`]), so a route added with plain axum routing and a
/// documented path or method that nothing serves both fail here.
#[tokio::test]
async fn openapi_covers_every_route_and_docs_work_offline() {
    let app = TestApp::new().await;
    let doc = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = doc.body["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|k| {
                    [
                        "get", "post", "put", "patch", "delete", "head", "options", "trace",
                    ]
                    .contains(&k.as_str())
                })
                .map(move |m| (path.clone(), m.clone()))
        })
        .collect();
    let (plain, prefixes) = plain_routes();
    let mut candidates: BTreeSet<String> = documented.iter().map(|(p, _)| p.clone()).collect();
    for r in &plain {
        candidates.insert(r.clone());
        for p in &prefixes {
            candidates.insert(format!("{p}{r}"));
        }
    }
    let served = served(&app, &candidates).await;
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && unserved.is_empty(),
        "served but not documented: {undocumented:?}\ndocumented but not served: {unserved:?}"
    );
    // Not an empty document matching an empty router: the operations of SPEC §6 are there.
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}", "patch"),
        ("/api/v1/purchasers", "post"),
        ("/api/v1/purchasers/{id}", "patch"),
        ("/api/v1/organisations", "get"),
        ("/api/v1/organisations/{id}", "patch"),
        ("/api/v1/budget-lines", "post"),
        ("/api/v1/budget-lines/{id}", "get"),
        ("/api/v1/milestones/{id}/reports", "post"),
        ("/api/v1/reports/{id}/files/{sha256}", "get"),
        ("/api/v1/reports/spending", "get"),
        ("/api/v1/ocds/releases", "get"),
        ("/api/v1/audit/verify", "get"),
        ("/health", "get"),
        ("/ready", "get"),
        ("/metrics", "get"),
    ] {
        assert!(
            served.contains(&(path.to_string(), method.to_string())),
            "{method} {path} missing"
        );
    }
    let html = app
        .call(Method::GET, "/docs/", None, None)
        .await
        .expect(200);
    assert!(html.text.contains("swagger"), "{}", html.text);
    assert!(
        !html.text.contains("https://"),
        "the docs page must not load from a CDN"
    );
    let init = app
        .call(Method::GET, "/docs/swagger-initializer.js", None, None)
        .await
        .expect(200);
    assert!(init.text.contains("/api/openapi.json"));
}
