use std::net::SocketAddr;

use axum::body::Body;
use axum::http::Method;
use chrono::Duration;
use entity::rules::vocab::Role;
use serde_json::json;
use tests::{PASSWORD, TestApp};

#[tokio::test]
async fn login_answers_a_token_and_me_shows_the_user() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let me = app.get("/api/v1/me", &fo.token).await.expect(200);
    assert_eq!(me.body["id"], fo.user_id.to_string());
    assert_eq!(me.body["role"], "finance_officer");
    assert_eq!(
        me.body["purchaser_id"],
        fo.purchaser_id.unwrap().to_string()
    );
    assert_eq!(me.body["locale"], "zh-CN");
    assert!(me.body.get("password_hash").is_none());
    for key in [
        "id",
        "email",
        "display_name",
        "role",
        "purchaser_id",
        "organisation_id",
        "locale",
    ] {
        assert!(me.body.get(key).is_some(), "me lacks {key}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_the_same_401() {
    let app = TestApp::new().await;
    let fo = app.user(Role::Supervisor).await;
    let email = app.get("/api/v1/me", &fo.token).await.body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let a = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": "wrong-password-1"})),
        )
        .await
        .expect(401);
    let b = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "nobody@x.example", "password": "wrong-password-1"})),
        )
        .await
        .expect(401);
    assert_eq!(a.body["detail"], b.body["detail"]);
    assert_eq!(a.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn missing_forged_expired_and_revoked_tokens_answer_401() {
    let app = TestApp::with_config(|c| c.token_ttl_hours = 12).await;
    let u = app.user(Role::Admin).await;
    app.call(Method::GET, "/api/v1/me", None, None)
        .await
        .expect(401);
    app.get("/api/v1/me", "hm_forged-token-that-was-never-issued")
        .await
        .expect(401);
    app.get("/api/v1/me", &format!("{}x", u.token))
        .await
        .expect(401);

    app.clock
        .advance(Duration::hours(12) + Duration::seconds(1));
    app.get("/api/v1/me", &u.token).await.expect(401);

    let fresh = app.user(Role::Admin).await;
    app.call(
        Method::POST,
        "/api/v1/auth/logout",
        Some(&fresh.token),
        None,
    )
    .await
    .expect(204);
    app.get("/api/v1/me", &fresh.token).await.expect(401);
}

#[tokio::test]
async fn five_failures_on_an_account_answer_429_with_retry_after_until_the_window_passes() {
    let app = TestApp::new().await;
    let u = app.user(Role::Supervisor).await;
    let email = app.get("/api/v1/me", &u.token).await.body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let bad = json!({"email": email, "password": "not-the-password"});
    for _ in 0..5 {
        app.call(Method::POST, "/api/v1/auth/login", None, Some(bad.clone()))
            .await
            .expect(401);
    }
    let good = json!({"email": email, "password": PASSWORD});
    let blocked = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(good.clone()))
        .await
        .expect(429);
    let retry: i64 = blocked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "retry-after {retry}");
    assert_eq!(blocked.headers["content-type"], "application/problem+json");

    app.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    app.call(Method::POST, "/api/v1/auth/login", None, Some(good))
        .await
        .expect(200);
}

#[tokio::test]
async fn twenty_failures_from_one_address_answer_429_for_every_account() {
    let app = TestApp::new().await;
    let addr: SocketAddr = "203.0.113.7:5000".parse().unwrap();
    let other: SocketAddr = "203.0.113.8:5000".parse().unwrap();
    let send = |email: String, from: SocketAddr| {
        let body = Body::from(json!({"email": email, "password": "not-the-password"}).to_string());
        app.send_from(
            Some(from),
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(body),
            Some("application/json"),
        )
    };
    for i in 0..20 {
        send(format!("user{i}@x.example"), addr).await.expect(401);
    }
    send("fresh@x.example".into(), addr).await.expect(429);
    send("fresh@x.example".into(), other).await.expect(401);
}

#[tokio::test]
async fn changing_the_password_checks_the_old_one_and_ends_other_sessions() {
    let app = TestApp::new().await;
    let u = app.user(Role::Organisation).await;
    let email = app.get("/api/v1/me", &u.token).await.body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let other_session = app.login(&email, PASSWORD).await;

    let short = app
        .post(
            "/api/v1/me/password",
            &u.token,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await
        .expect(422);
    assert_eq!(short.error_fields(), ["new_password"]);
    let wrong = app
        .post(
            "/api/v1/me/password",
            &u.token,
            json!({"current_password": "not-it-at-all", "new_password": "a-new-long-password"}),
        )
        .await
        .expect(422);
    assert_eq!(wrong.error_fields(), ["current_password"]);

    app.post(
        "/api/v1/me/password",
        &u.token,
        json!({"current_password": PASSWORD, "new_password": "a-new-long-password"}),
    )
    .await
    .expect(204);
    app.get("/api/v1/me", &u.token).await.expect(200);
    app.get("/api/v1/me", &other_session).await.expect(401);
    app.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await
    .expect(401);
    app.login(&email, "a-new-long-password").await;
}
