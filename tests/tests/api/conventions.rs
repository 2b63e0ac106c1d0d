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
    assert_eq!(
        app.get(&format!("/api/v1/purchasers/{}", p.id()), &admin.token)
            .await
            .expect(200)
            .body["name"],
        name
    );
    app.get(
        "/api/v1/purchasers?division_code=%27%20OR%201%3D1%20--",
        &admin.token,
    )
    .await
    .expect(200);
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
    app.get("/api/v1/purchasers/not-a-uuid", &admin.token).await;
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

#[tokio::test]
async fn openapi_covers_every_route_and_docs_work_offline() {
    let app = TestApp::new().await;
    let doc = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().unwrap();
    let expected = [
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
        ("/api/v1/audit/verify", "get"),
        ("/health", "get"),
        ("/ready", "get"),
        ("/metrics", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
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
