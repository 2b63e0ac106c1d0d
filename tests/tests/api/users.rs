use axum::http::Method;
use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

fn new_user(email: &str, role: &str) -> serde_json::Value {
    json!({"email": email, "display_name": "新用户", "role": role, "password": "long-enough-pw"})
}

#[tokio::test]
async fn admin_creates_users_and_other_roles_are_refused_without_writing() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let created = app
        .post(
            "/api/v1/users",
            &admin.token,
            new_user("Sup@Example.org", "supervisor"),
        )
        .await
        .expect(201);
    assert_eq!(created.body["email"], "sup@example.org");
    assert_eq!(created.body["active"], true);
    assert!(created.body.get("password").is_none() && created.body.get("password_hash").is_none());
    app.login("sup@example.org", "long-enough-pw").await;

    for role in [Role::FinanceOfficer, Role::Organisation, Role::Supervisor] {
        let u = app.user(role).await;
        let before = app.count("app_user").await;
        app.post(
            "/api/v1/users",
            &u.token,
            new_user("x@example.org", "admin"),
        )
        .await
        .expect(403);
        assert_eq!(app.count("app_user").await, before);
    }
}

#[tokio::test]
async fn bad_user_input_is_refused_with_the_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let before = app.count("app_user").await;
    let cases = [
        (
            json!({"email": "a@example.org", "display_name": "A", "role": "admin", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "not-an-email", "display_name": "A", "role": "admin", "password": "long-enough-pw"}),
            "email",
        ),
        (
            json!({"email": "a@example.org", "display_name": "A", "role": "king", "password": "long-enough-pw"}),
            "role",
        ),
        (
            json!({"email": "a@example.org", "display_name": "A", "role": "finance_officer", "password": "long-enough-pw"}),
            "purchaser_id",
        ),
        (
            json!({"email": "a@example.org", "display_name": "A", "role": "admin", "password": "long-enough-pw", "id": "x"}),
            "id",
        ),
        (
            json!({"email": "a@example.org", "display_name": "x".repeat(201), "role": "admin", "password": "long-enough-pw"}),
            "display_name",
        ),
        (
            json!({"email": "a@example.org", "display_name": "A", "role": "organisation", "organisation_id": uuid::Uuid::now_v7(), "password": "long-enough-pw"}),
            "organisation_id",
        ),
    ];
    for (body, field) in cases {
        let a = app
            .post("/api/v1/users", &admin.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{}", a.text);
    }
    app.post(
        "/api/v1/users",
        &admin.token,
        new_user("dup@example.org", "admin"),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/users",
        &admin.token,
        new_user("DUP@example.org", "admin"),
    )
    .await
    .expect(409);
    assert_eq!(app.count("app_user").await, before + 1);
}

#[tokio::test]
async fn supervisors_read_users_and_parties_staff_may_not() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.user(Role::Organisation).await;
    let list = app
        .get("/api/v1/users?role=finance_officer", &sup.token)
        .await
        .expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], fo.user_id.to_string());
    app.get(&format!("/api/v1/users/{}", fo.user_id), &sup.token)
        .await
        .expect(200);
    app.get(
        &format!("/api/v1/users/{}", uuid::Uuid::now_v7()),
        &sup.token,
    )
    .await
    .expect(404);
    for t in [&fo.token, &org.token] {
        app.get("/api/v1/users", t).await.expect(403);
        app.get(&format!("/api/v1/users/{}", sup.user_id), t)
            .await
            .expect(403);
    }
    app.patch(
        &format!("/api/v1/users/{}", fo.user_id),
        &sup.token,
        json!({"active": false}),
    )
    .await
    .expect(403);
}

#[tokio::test]
async fn deactivating_or_resetting_a_password_ends_the_users_sessions() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let path = format!("/api/v1/users/{}", fo.user_id);
    let a = app
        .patch(&path, &admin.token, json!({"active": false}))
        .await
        .expect(200);
    assert_eq!(a.body["active"], false);
    app.get("/api/v1/me", &fo.token).await.expect(401);

    app.patch(
        &path,
        &admin.token,
        json!({"active": true, "password": "reset-password-1"}),
    )
    .await
    .expect(200);
    let email = a.body["email"].as_str().unwrap();
    app.login(email, "reset-password-1").await;

    app.patch(&path, &admin.token, json!({"password": "short"}))
        .await
        .expect(422);
    app.patch(
        &format!("/api/v1/users/{}", admin.user_id),
        &admin.token,
        json!({"active": false}),
    )
    .await
    .expect(422);
    app.patch(
        &format!("/api/v1/users/{}", uuid::Uuid::now_v7()),
        &admin.token,
        json!({"active": false}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn changing_a_role_relinks_the_user_and_checks_the_links() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.organisation().await;
    let path = format!("/api/v1/users/{}", fo.user_id);
    app.patch(&path, &admin.token, json!({"role": "organisation"}))
        .await
        .expect(422);
    let a = app
        .patch(
            &path,
            &admin.token,
            json!({"role": "organisation", "organisation_id": org}),
        )
        .await
        .expect(200);
    assert_eq!(a.body["purchaser_id"], serde_json::Value::Null);
    assert_eq!(a.body["organisation_id"], org.to_string());
    app.call(Method::GET, "/api/v1/me", Some(&fo.token), None)
        .await
        .expect(401);
}
