//! The admin's workspace through HTTP: users, purchasers, organisations, dead notifications and
//! the admin's home. Each page answers whom the API answers; each form's happy path writes
//! what the API would, and each refusal shows its message and writes nothing; no other role,
//! the supervisor first, can use any admin form.

use entity::rules::vocab::{Locale, Role};
use serde_json::json;
use tests::browser::zh;
use tests::web::{Browser, csrf_of, location};
use tests::{Login, TestApp};
use uuid::Uuid;

/// The message of an error code, in Chinese.
fn zh_error(code: &str) -> String {
    zh(&jobs::i18n::error_key(code))
}

/// A catalogue text with its `$count`, in Chinese.
fn zh_n(key: &str, n: i64) -> String {
    jobs::i18n::text_with(Locale::ZhCn, key, &[("count", n.to_string())])
}

async fn user_json(app: &TestApp, admin: &Login, id: &str) -> serde_json::Value {
    app.get(&format!("/api/v1/users/{id}"), &admin.token)
        .await
        .expect(200)
        .body
}

/// The id a page redirected to (`/users/<id>`).
fn id_in(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

/// A queued notification made dead (as the sender leaves it after 8 failed attempts).
async fn dead_notification(app: &TestApp) -> Uuid {
    app.contract_with_milestone("2026-03-03").await;
    app.run_job("milestone_reminders").await;
    app.kill_oldest_notification("550 mailbox unavailable")
        .await
}

async fn notification_status(app: &TestApp, id: Uuid) -> String {
    use entity::model::notification;
    use sea_orm::EntityTrait;
    notification::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .status
        .to_string()
}

#[tokio::test]
async fn the_admin_pages_answer_whom_the_api_answers() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let sup = app.user(Role::Supervisor).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let staff = app.user(Role::Organisation).await;
    let other_org = app.organisation().await;
    let own_org = staff.organisation_id.unwrap();
    let purchaser = fo.purchaser_id.unwrap();
    let user = fo.user_id;
    // Pages of a list or a record, and the API path that answers the same reader.
    let read = [
        ("/users".to_string(), "/api/v1/users".to_string()),
        (format!("/users/{user}"), format!("/api/v1/users/{user}")),
        ("/purchasers".into(), "/api/v1/purchasers".into()),
        (
            format!("/purchasers/{purchaser}"),
            format!("/api/v1/purchasers/{purchaser}"),
        ),
        ("/organisations".into(), "/api/v1/organisations".into()),
        (
            format!("/organisations/{other_org}"),
            format!("/api/v1/organisations/{other_org}"),
        ),
        (
            format!("/organisations/{own_org}"),
            format!("/api/v1/organisations/{own_org}"),
        ),
    ];
    // Pages only an admin opens (their forms are the admin's).
    let admin_only = [
        "/users/new",
        "/purchasers/new",
        "/organisations/new",
        "/outbox",
    ];
    for who in [&admin, &sup, &fo, &staff] {
        let mut b = Browser::signed_in(&app, who);
        for (page, api) in &read {
            let a = b.get(page).await;
            let expected = app.get(api, &who.token).await.status;
            assert_eq!(a.status, expected, "{page}: {}", a.text);
        }
        for page in admin_only {
            let a = b.get(page).await;
            let expected = if std::ptr::eq(who, &admin) { 200 } else { 403 };
            assert_eq!(a.status.as_u16(), expected, "{page}: {}", a.text);
        }
    }
    // An address that names no record: not found, as in the API.
    let mut b = Browser::signed_in(&app, &admin);
    for page in ["/users/not-an-id", "/purchasers/1", "/organisations/x"] {
        b.get(page).await.expect(404);
    }
    // Another organisation's page is "not found" to an organisation's staff, as in the API.
    let mut b = Browser::signed_in(&app, &staff);
    b.get(&format!("/organisations/{other_org}"))
        .await
        .expect(404);
    // A supervisor reads users and parties but is offered no form.
    let mut b = Browser::signed_in(&app, &sup);
    for page in [
        "/users".to_string(),
        format!("/users/{user}"),
        format!("/purchasers/{purchaser}"),
        format!("/organisations/{other_org}"),
    ] {
        let a = b.get(&page).await.expect(200);
        assert!(
            !a.text.contains("method=\"post\" action=\"/users"),
            "{page}"
        );
        assert!(
            !a.text.contains("method=\"post\" action=\"/purchasers"),
            "{page}"
        );
        assert!(
            !a.text.contains("method=\"post\" action=\"/organisations"),
            "{page}"
        );
        assert!(!a.text.contains("href=\"/users/new\""), "{page}");
    }
}

#[tokio::test]
async fn the_admin_creates_a_user_who_must_change_the_password_at_the_first_sign_in() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let purchaser = app.purchaser().await.to_string();
    let mut b = Browser::signed_in(&app, &admin);
    let form = b.get("/users/new").await.expect(200);
    assert!(
        form.text.contains(&purchaser),
        "the purchasers to choose from"
    );
    let created = b
        .submit(
            "/users/new",
            "/users",
            &[
                ("email", "Li.Kuaiji@County.gov.cn"),
                ("display_name", "李会计"),
                ("role", "finance_officer"),
                ("purchaser_id", &purchaser),
                ("organisation_id", ""),
                ("password", "chushi-mima-2026"),
                ("locale", "zh-CN"),
            ],
        )
        .await
        .expect(303);
    let at = location(&created);
    assert!(at.starts_with("/users/"), "{at}");
    let page = b.get(&at).await.expect(200);
    assert!(
        page.text.contains(&zh("flash-user-created")),
        "{}",
        page.text
    );
    assert!(page.text.contains(&zh("users-must-change")));
    let u = user_json(&app, &admin, &id_in(&at)).await;
    assert_eq!(u["email"], "li.kuaiji@county.gov.cn");
    assert_eq!(u["role"], "finance_officer");
    assert_eq!(u["purchaser_id"], purchaser.as_str());
    assert_eq!(u["must_change_password"], true);

    // The new user signs in and is sent to change the password before anything else.
    let mut them = Browser::new(&app);
    them.sign_in("li.kuaiji@county.gov.cn", "chushi-mima-2026")
        .await;
    for page in ["/", "/budget-lines", "/tenders"] {
        let a = them.get(page).await.expect(303);
        assert_eq!(location(&a), "/profile", "{page}");
    }
    let profile = them.get("/profile").await.expect(200);
    assert!(profile.text.contains(&zh("profile-password-required")));
    them.submit(
        "/profile",
        "/profile/password",
        &[
            ("current_password", "chushi-mima-2026"),
            ("new_password", "wode-xin-mima-2026"),
        ],
    )
    .await
    .expect(303);
    them.get("/").await.expect(200);
    let u = user_json(&app, &admin, &id_in(&at)).await;
    assert_eq!(u["must_change_password"], false);
}

#[tokio::test]
async fn a_refused_user_form_shows_each_message_and_creates_nobody() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let org = app.organisation().await.to_string();
    let purchaser = app.purchaser().await.to_string();
    let taken = app.get("/api/v1/me", &admin.token).await.body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = Browser::signed_in(&app, &admin);
    let users = app.count("app_user").await;
    let good = [
        ("email", "new@example.org"),
        ("display_name", "新用户"),
        ("role", "organisation"),
        ("purchaser_id", ""),
        ("organisation_id", org.as_str()),
        ("password", "long-enough-password"),
        ("locale", "zh-CN"),
    ];
    let with = |field: &str, value: &str| -> Vec<(String, String)> {
        good.iter()
            .map(|(k, v)| {
                let v = if *k == field { value } else { v };
                (k.to_string(), v.to_string())
            })
            .collect()
    };
    for (fields, status, code) in [
        (with("email", "not-an-email"), 422, "field.email"),
        (with("password", "short"), 422, "password.too_short"),
        (with("role", ""), 422, "field.required"),
        (with("role", "king"), 422, "field.choice"),
        (with("organisation_id", ""), 422, "field.required"),
        (with("purchaser_id", &purchaser), 422, "field.not_for_role"),
        (with("display_name", " "), 422, "field.required"),
        (with("email", &taken), 409, "user.email_taken"),
    ] {
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let a = b.submit("/users/new", "/users", &fields).await;
        assert_eq!(a.status.as_u16(), status, "{fields:?}: {}", a.text);
        assert!(a.text.contains(&zh_error(code)), "{code}: {}", a.text);
        // What was typed stays, but the password is never sent back.
        let email = fields.iter().find(|(k, _)| *k == "email").unwrap().1;
        assert!(a.text.contains(&format!("value=\"{email}\"")), "{code}");
        assert!(!a.text.contains("long-enough-password"), "{code}");
        assert_eq!(app.count("app_user").await, users, "{code}: nobody created");
    }
}

#[tokio::test]
async fn the_admin_changes_a_role_resets_a_password_and_deactivates_a_user() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let target = app.user(Role::Supervisor).await;
    let purchaser = app.purchaser().await.to_string();
    let id = target.user_id.to_string();
    let page = format!("/users/{id}");
    let mut b = Browser::signed_in(&app, &admin);

    // A role its party does not come with: refused, nothing changed, the session kept.
    let a = b
        .submit(
            &page,
            &format!("{page}/role"),
            &[
                ("role", "finance_officer"),
                ("purchaser_id", ""),
                ("organisation_id", ""),
            ],
        )
        .await
        .expect(422);
    assert!(a.text.contains(&zh_error("field.required")), "{}", a.text);
    assert!(
        a.text
            .contains("<option value=\"finance_officer\" selected>")
    );
    assert_eq!(user_json(&app, &admin, &id).await["role"], "supervisor");
    app.get("/api/v1/me", &target.token).await.expect(200);
    // With its purchaser: changed, and the user signed out everywhere.
    let a = b
        .submit(
            &page,
            &format!("{page}/role"),
            &[
                ("role", "finance_officer"),
                ("purchaser_id", &purchaser),
                ("organisation_id", ""),
            ],
        )
        .await
        .expect(303);
    assert_eq!(location(&a), page);
    let u = user_json(&app, &admin, &id).await;
    assert_eq!(
        (u["role"].as_str(), u["purchaser_id"].as_str()),
        (Some("finance_officer"), Some(purchaser.as_str()))
    );
    app.get("/api/v1/me", &target.token).await.expect(401);
    assert!(
        b.get(&page)
            .await
            .text
            .contains(&zh("flash-user-role-changed"))
    );

    // A password too short: refused; then a good one: the user must change it.
    let a = b
        .submit(&page, &format!("{page}/password"), &[("password", "short")])
        .await
        .expect(422);
    assert!(a.text.contains(&zh_error("password.too_short")));
    assert_eq!(
        user_json(&app, &admin, &id).await["must_change_password"],
        false
    );
    b.submit(
        &page,
        &format!("{page}/password"),
        &[("password", "reset-password-2026")],
    )
    .await
    .expect(303);
    assert_eq!(
        user_json(&app, &admin, &id).await["must_change_password"],
        true
    );
    let email = user_json(&app, &admin, &id).await["email"].clone();
    app.login(email.as_str().unwrap(), "reset-password-2026")
        .await;

    // Deactivated, then reactivated; an answer that is neither is refused.
    b.submit(&page, &format!("{page}/active"), &[("active", "maybe")])
        .await
        .expect(422);
    assert_eq!(user_json(&app, &admin, &id).await["active"], true);
    b.submit(&page, &format!("{page}/active"), &[("active", "false")])
        .await
        .expect(303);
    assert_eq!(user_json(&app, &admin, &id).await["active"], false);
    let shown = b.get(&page).await.expect(200);
    assert!(shown.text.contains(&zh("flash-user-deactivated")));
    assert!(shown.text.contains(&zh("users-reactivate")));
    b.submit(&page, &format!("{page}/active"), &[("active", "true")])
        .await
        .expect(303);
    assert_eq!(user_json(&app, &admin, &id).await["active"], true);

    // Nobody deactivates themselves: not offered, and refused when forced.
    let own = format!("/users/{}", admin.user_id);
    let mine = b.get(&own).await.expect(200);
    assert!(!mine.text.contains(&format!("action=\"{own}/active\"")));
    let a = b
        .submit(&own, &format!("{own}/active"), &[("active", "false")])
        .await
        .expect(422);
    assert!(
        a.text.contains(&zh_error("user.self_deactivate")),
        "{}",
        a.text
    );
    app.get("/api/v1/me", &admin.token).await.expect(200);
    // An unknown user: 404, as the API.
    b.submit(
        &own,
        &format!("/users/{}/active", Uuid::now_v7()),
        &[("active", "false")],
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn a_purchaser_is_created_and_changed_and_a_refused_form_changes_nothing() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let mut b = Browser::signed_in(&app, &admin);
    let count = app.count("purchaser").await;
    let a = b
        .submit(
            "/purchasers/new",
            "/purchasers",
            &[
                ("name", "汤阴县民政局"),
                ("division_code", "41052"),
                ("contact_email", "mzj@tangyin.gov.cn"),
            ],
        )
        .await
        .expect(422);
    assert!(a.text.contains(&zh_error("division.invalid")), "{}", a.text);
    assert!(a.text.contains("value=\"汤阴县民政局\""));
    assert_eq!(app.count("purchaser").await, count);
    let a = b
        .submit(
            "/purchasers/new",
            "/purchasers",
            &[
                ("name", "汤阴县民政局"),
                ("division_code", "410523"),
                ("contact_email", "mzj@tangyin.gov.cn"),
            ],
        )
        .await
        .expect(303);
    let page = location(&a);
    let id = id_in(&page);
    let shown = b.get(&page).await.expect(200);
    assert!(shown.text.contains(&zh("flash-purchaser-created")));
    let list = b.get("/purchasers").await.expect(200);
    assert!(list.text.contains(&format!("href=\"/purchasers/{id}\"")));

    let a = b
        .submit(
            &page,
            &page,
            &[
                ("name", "汤阴县民政局（改）"),
                ("division_code", "410523"),
                ("contact_email", "not-an-address"),
            ],
        )
        .await
        .expect(422);
    assert!(a.text.contains(&zh_error("field.email")));
    let p = app
        .get(&format!("/api/v1/purchasers/{id}"), &admin.token)
        .await
        .body;
    assert_eq!(p["name"], "汤阴县民政局");
    b.submit(
        &page,
        &page,
        &[
            ("name", "汤阴县民政局（改）"),
            ("division_code", "410523001"),
            ("contact_email", "mzj2@tangyin.gov.cn"),
        ],
    )
    .await
    .expect(303);
    let p = app
        .get(&format!("/api/v1/purchasers/{id}"), &admin.token)
        .await
        .body;
    assert_eq!(
        (
            p["name"].as_str(),
            p["division_code"].as_str(),
            p["contact_email"].as_str()
        ),
        (
            Some("汤阴县民政局（改）"),
            Some("410523001"),
            Some("mzj2@tangyin.gov.cn")
        )
    );
}

#[tokio::test]
async fn an_organisation_is_registered_and_suspended_with_its_reason_and_end_date() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let mut b = Browser::signed_in(&app, &admin);
    let count = app.count("organisation").await;
    let code = backend::demo::demo_credit_code(4_321_987);
    let mut bad = code.clone();
    bad.replace_range(17.., if code.ends_with('0') { "1" } else { "0" });
    fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        v.iter().map(|(k, s)| (*k, s.as_str())).collect()
    }
    let new = |credit: &str| {
        vec![
            ("name", "汤阴县阳光社工服务中心".to_string()),
            ("credit_code", credit.to_string()),
            ("contact_email", "sun@example.org".to_string()),
            ("status", "active".to_string()),
            ("status_reason", String::new()),
            ("status_until", String::new()),
        ]
    };
    let typed = new(&bad);
    let a = b
        .submit("/organisations/new", "/organisations", &refs(&typed))
        .await
        .expect(422);
    assert!(
        a.text.contains(&zh_error("credit_code.invalid")),
        "{}",
        a.text
    );
    assert_eq!(app.count("organisation").await, count);
    let typed = new(&code);
    let a = b
        .submit("/organisations/new", "/organisations", &refs(&typed))
        .await
        .expect(303);
    let page = location(&a);
    let id = id_in(&page);
    // The same code twice: 409, shown above the form.
    let a = b
        .submit("/organisations/new", "/organisations", &refs(&typed))
        .await
        .expect(409);
    assert!(a.text.contains(&zh_error("organisation.duplicate")));
    assert_eq!(app.count("organisation").await, count + 1);

    let status = format!("{page}/status");
    let org = || async {
        app.get(&format!("/api/v1/organisations/{id}"), &admin.token)
            .await
            .expect(200)
            .body
    };
    // Suspended without a reason, or until a day that does not exist: refused.
    let a = b
        .submit(
            &page,
            &status,
            &[
                ("status", "suspended"),
                ("status_reason", ""),
                ("status_until", ""),
            ],
        )
        .await
        .expect(422);
    assert!(
        a.text
            .contains(&zh_error("organisation.status_reason_required")),
        "{}",
        a.text
    );
    assert!(a.text.contains("<option value=\"suspended\" selected>"));
    let a = b
        .submit(
            &page,
            &status,
            &[
                ("status", "suspended"),
                ("status_reason", "年检不合格"),
                ("status_until", "2026-02-30"),
            ],
        )
        .await
        .expect(422);
    assert!(a.text.contains(&zh_error("field.date")));
    assert!(a.text.contains("年检不合格"), "the reason typed stays");
    assert_eq!(org().await["status"], "active");
    // With its reason and end date.
    b.submit(
        &page,
        &status,
        &[
            ("status", "suspended"),
            ("status_reason", "年检不合格"),
            ("status_until", "2026-06-30"),
        ],
    )
    .await
    .expect(303);
    let o = org().await;
    assert_eq!(
        (
            o["status"].as_str(),
            o["status_reason"].as_str(),
            o["status_until"].as_str()
        ),
        (Some("suspended"), Some("年检不合格"), Some("2026-06-30"))
    );
    let shown = b.get(&page).await.expect(200);
    assert!(
        shown
            .text
            .contains(&zh("flash-organisation-status-changed"))
    );
    assert!(shown.text.contains("2026年6月30日"), "{}", shown.text);
    let list = b.get("/organisations?status=suspended").await.expect(200);
    assert!(list.text.contains(&format!("/organisations/{id}")));
    assert!(list.text.contains("年检不合格"));
    // Name and contact address, refused then saved; the status stays.
    b.submit(
        &page,
        &page,
        &[("name", ""), ("contact_email", "sun@example.org")],
    )
    .await
    .expect(422);
    b.submit(
        &page,
        &page,
        &[
            ("name", "汤阴县阳光社会工作服务中心"),
            ("contact_email", "info@sun.org.cn"),
        ],
    )
    .await
    .expect(303);
    let o = org().await;
    assert_eq!(o["name"], "汤阴县阳光社会工作服务中心");
    assert_eq!(o["status"], "suspended");
}

#[tokio::test]
async fn dead_notifications_are_listed_and_put_back_in_the_queue() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let dead = dead_notification(&app).await;
    let mut b = Browser::signed_in(&app, &admin);
    let page = b.get("/outbox").await.expect(200);
    assert!(
        page.text.contains("550 mailbox unavailable"),
        "{}",
        page.text
    );
    assert!(page.text.contains(&zh_n("outbox-attempts", 8)));
    let retry = format!("/outbox/{dead}/retry");
    assert!(page.text.contains(&format!("action=\"{retry}\"")));
    let a = b.submit("/outbox", &retry, &[]).await.expect(303);
    assert_eq!(location(&a), "/outbox");
    assert_eq!(notification_status(&app, dead).await, "pending");
    let after = b.get("/outbox").await.expect(200);
    assert!(after.text.contains(&zh("flash-notification-retried")));
    assert!(after.text.contains(&zh("outbox-none")));
    // Only a dead one is retried: 409, said on the page.
    let token = csrf_of(&after.text).unwrap();
    let a = b.post_raw(&retry, &[("_csrf", &token)]).await.expect(409);
    assert!(
        a.text.contains(&zh_error("notification.not_dead")),
        "{}",
        a.text
    );
    b.post_raw(
        &format!("/outbox/{}/retry", Uuid::now_v7()),
        &[("_csrf", &token)],
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn no_other_role_can_use_any_admin_form() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let staff = app.user(Role::Organisation).await;
    let org = staff.organisation_id.unwrap();
    let purchaser = fo.purchaser_id.unwrap();
    let dead = dead_notification(&app).await;
    let target = fo.user_id;
    let code = backend::demo::demo_credit_code(5_432_198);
    let forms: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            "/users".into(),
            vec![
                ("email", "x@example.org".into()),
                ("display_name", "X".into()),
                ("role", "admin".into()),
                ("password", "long-enough-password".into()),
            ],
        ),
        (
            format!("/users/{target}/role"),
            vec![("role", "admin".into())],
        ),
        (
            format!("/users/{target}/password"),
            vec![("password", "long-enough-password".into())],
        ),
        (
            format!("/users/{target}/active"),
            vec![("active", "false".into())],
        ),
        (
            "/purchasers".into(),
            vec![
                ("name", "P".into()),
                ("division_code", "410523".into()),
                ("contact_email", "p@example.org".into()),
            ],
        ),
        (
            format!("/purchasers/{purchaser}"),
            vec![
                ("name", "P".into()),
                ("division_code", "410523".into()),
                ("contact_email", "p@example.org".into()),
            ],
        ),
        (
            "/organisations".into(),
            vec![
                ("name", "O".into()),
                ("credit_code", code),
                ("contact_email", "o@example.org".into()),
            ],
        ),
        (
            format!("/organisations/{org}"),
            vec![
                ("name", "O".into()),
                ("contact_email", "o@example.org".into()),
            ],
        ),
        (
            format!("/organisations/{org}/status"),
            vec![
                ("status", "blacklisted".into()),
                ("status_reason", "x".into()),
            ],
        ),
        (format!("/outbox/{dead}/retry"), vec![]),
    ];
    let counts = || async {
        (
            app.count("app_user").await,
            app.count("purchaser").await,
            app.count("organisation").await,
            app.count("audit_event").await,
        )
    };
    let before = counts().await;
    for who in [&sup, &fo, &staff] {
        let mut b = Browser::signed_in(&app, who);
        let token = csrf_of(&b.get("/profile").await.expect(200).text).unwrap();
        for (path, fields) in &forms {
            let mut all = vec![("_csrf", token.as_str())];
            all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            let a = b.post_raw(path, &all).await;
            assert_eq!(a.status.as_u16(), 403, "{path}: {}", a.text);
        }
    }
    assert_eq!(counts().await, before, "nothing written");
    assert_eq!(notification_status(&app, dead).await, "dead");
    let fo_now = app.get("/api/v1/me", &fo.token).await.expect(200).body;
    assert_eq!(fo_now["role"], "finance_officer", "still active, same role");
}

#[tokio::test]
async fn an_admin_form_without_its_token_is_refused_and_writes_nothing() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let mut b = Browser::signed_in(&app, &admin);
    let users = app.count("app_user").await;
    let fields = [
        ("email", "x@example.org"),
        ("display_name", "X"),
        ("role", "supervisor"),
        ("password", "long-enough-password"),
    ];
    b.post_raw("/users", &fields).await.expect(403);
    let mut forged = vec![("_csrf", "0000000000000000000000000000000000000000")];
    forged.extend(fields);
    b.post_raw("/users", &forged).await.expect(403);
    assert_eq!(app.count("app_user").await, users);
}

#[tokio::test]
async fn the_admins_home_shows_users_job_health_and_dead_mail_each_with_its_link() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    app.user(Role::FinanceOfficer).await;
    let gone = app.user(Role::Supervisor).await;
    app.patch(
        &format!("/api/v1/users/{}", gone.user_id),
        &admin.token,
        json!({"active": false}),
    )
    .await
    .expect(200);
    dead_notification(&app).await;
    app.run_job("audit_anchor").await;
    let mut b = Browser::signed_in(&app, &admin);
    let home = b.get("/").await.expect(200);
    for link in [
        "/users?role=finance_officer",
        "/users?role=admin",
        "/jobs?job=audit_anchor",
        "/jobs?job=milestone_reminders",
        "/outbox",
        "/users/new",
    ] {
        assert!(
            home.text.contains(&format!("href=\"{link}\"")),
            "{link}: {}",
            home.text
        );
    }
    assert!(
        home.text.contains(&zh_n("admin-home-dead", 1)),
        "{}",
        home.text
    );
    assert!(home.text.contains(&zh_n("admin-home-inactive", 1)));
    assert!(home.text.contains(&zh("jobs-name-audit-anchor")));
    assert!(!home.text.contains(&zh_n("admin-home-jobs-failing", 1)));
    // The admin's menu.
    for link in [
        "/users",
        "/purchasers",
        "/organisations",
        "/jobs",
        "/outbox",
        "/audit",
    ] {
        assert!(home.text.contains(&format!("<a href=\"{link}\"")), "{link}");
    }
    // A failed run shows on the home page.
    app.sql("UPDATE job_run SET outcome = 'error', error = 'boom' WHERE job = 'audit_anchor'")
        .await;
    let home = b.get("/").await.expect(200);
    assert!(
        home.text.contains(&zh_n("admin-home-jobs-failing", 1)),
        "{}",
        home.text
    );
    // In English too.
    b.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await
        .expect(303);
    let home = b.get("/").await.expect(200);
    assert!(home.text.contains("Job health"), "{}", home.text);
    assert!(home.text.contains("Failed notifications: 1"));
    let users = b.get("/users").await.expect(200);
    assert!(users.text.contains("<title>Users"), "{}", users.text);
}
