//! The read cache (`HUIMIN_READ_CACHE_MS`): per token, dropped by every write through the API.

use axum::http::Method;
use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

async fn purchasers(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/purchasers?limit=500", token)
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn cached_reads_are_per_token_and_every_write_through_the_api_refreshes_them() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.read_cache_ms = 60_000;
    })
    .await;
    let admin = app.user(Role::Admin).await;
    let before = purchasers(&app, &admin.token).await;
    // A purchaser written past this process's API (as another replica or the CLI would) …
    app.purchaser().await;
    // … is not seen through this token's cached answer until its time to live ends …
    assert_eq!(purchasers(&app, &admin.token).await, before);
    // … while another token's first read is fresh.
    let sup = app.user(Role::Supervisor).await;
    assert_eq!(purchasers(&app, &sup.token).await, before + 1);
    // A write through the API drops every cached answer at once.
    app.post(
        "/api/v1/purchasers",
        &admin.token,
        json!({"name": "某区民政局", "division_code": "410523", "contact_email": "a@b.cn"}),
    )
    .await
    .expect(201);
    assert_eq!(purchasers(&app, &admin.token).await, before + 2);
    assert_eq!(purchasers(&app, &sup.token).await, before + 2);
    // A revoked token is refused, never answered from the cache.
    app.call(Method::POST, "/api/v1/auth/logout", Some(&sup.token), None)
        .await
        .expect(204);
    app.call(
        Method::GET,
        "/api/v1/purchasers?limit=500",
        Some(&sup.token),
        None,
    )
    .await
    .expect(401);
}
