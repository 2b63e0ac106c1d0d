//! The admin's and the supervisor's workspaces in the browser: the admin creates a user who then
//! signs in and must change the password before anything else; every page of the audit trail,
//! the jobs and the admin's workspace screenshot at a desk and on a phone (and checked to fit
//! the narrowest phone).

use tests::browser::{ADMIN, DEMO_PASSWORD, DESK, NARROW, SIZES, SUPERVISOR, Site, en, items, zh};

use super::start;

#[tokio::test]
async fn the_admin_creates_a_user_who_must_change_the_password_before_anything_else() {
    let Some((site, b)) = start(DESK).await else {
        return;
    };
    let token = site.app.login(ADMIN, DEMO_PASSWORD).await;
    let orgs = site
        .app
        .get("/api/v1/organisations", &token)
        .await
        .expect(200)
        .body;
    let org = items(&orgs)[0]["name"].as_str().unwrap().to_string();

    b.sign_in(ADMIN, DEMO_PASSWORD).await;
    b.click_link(&zh("nav-users")).await;
    assert_eq!(b.path().await, "/users");
    b.click_link(&zh("users-new")).await;
    assert_eq!(b.path().await, "/users/new");
    b.fill(&zh("users-email"), "wang.shegong@huimin.demo").await;
    b.fill(&zh("users-name"), "王社工").await;
    b.fill(&zh("users-role"), &zh("role-organisation")).await;
    b.fill(&zh("users-organisation"), &org).await;
    b.fill(&zh("users-initial-password"), "short").await;
    b.click_button(&zh("users-create")).await;
    // Refused: the message beside the field, the rest kept.
    b.see(&zh("error-password-too-short")).await;
    assert_eq!(b.path().await, "/users");
    b.screenshot("admin-user-new-refused").await;
    b.fill(&zh("users-initial-password"), "chushi-mima-2026")
        .await;
    b.click_button(&zh("users-create")).await;
    b.see(&zh("flash-user-created")).await;
    b.see(&zh("users-must-change")).await;
    assert!(b.path().await.starts_with("/users/"));
    b.screenshot("admin-user-created").await;
    b.sign_out().await;

    // The new user signs in: the password first, whatever page they ask for.
    b.sign_in("wang.shegong@huimin.demo", "chushi-mima-2026")
        .await;
    assert_eq!(b.path().await, "/profile");
    b.see(&zh("profile-password-required")).await;
    b.goto("/tenders").await;
    assert_eq!(b.path().await, "/profile");
    b.screenshot("new-user-must-change-password").await;
    b.fill(&zh("profile-current-password"), "chushi-mima-2026")
        .await;
    b.fill(&zh("profile-new-password"), "wode-xin-mima-2026")
        .await;
    b.click_button(&zh("profile-password-submit")).await;
    b.see(&zh("flash-password-changed")).await;
    assert_eq!(b.path().await, "/");
    b.goto("/tenders").await;
    assert_eq!(b.path().await, "/tenders");
    b.close().await;
}

/// The record pages to screenshot: a user's, a purchaser's, an organisation's, an audit event's.
async fn record_pages(site: &Site) -> Vec<(String, String)> {
    let token = site.app.login(ADMIN, DEMO_PASSWORD).await;
    let first = |path: &'static str| {
        let token = token.clone();
        async move {
            let list = site.app.get(path, &token).await.expect(200).body;
            items(&list)[0]["id"].as_str().unwrap().to_string()
        }
    };
    let user = first("/api/v1/users?role=organisation").await;
    let purchaser = first("/api/v1/purchasers").await;
    let organisation = first("/api/v1/organisations").await;
    // An event with a before and an after: the latest update.
    let events = site
        .app
        .get("/api/v1/audit?action=update&limit=500", &token)
        .await
        .expect(200)
        .body;
    let seq = items(&events)
        .last()
        .map_or(1, |e| e["seq"].as_i64().unwrap());
    vec![
        ("admin-user".into(), format!("/users/{user}")),
        ("admin-purchaser".into(), format!("/purchasers/{purchaser}")),
        (
            "admin-organisation".into(),
            format!("/organisations/{organisation}"),
        ),
        ("audit-event".into(), format!("/audit/events/{seq}")),
    ]
}

#[tokio::test]
async fn the_audit_jobs_and_admin_pages_fit_a_desk_and_a_phone_and_are_screenshot() {
    let Some(site) = Site::demo().await else {
        return;
    };
    // A failed notification, so that its list shows one.
    site.app.run_job("milestone_reminders").await;
    site.app
        .kill_oldest_notification("550 5.1.1 mailbox unavailable")
        .await;
    site.app.run_job("audit_anchor").await;
    let mut admin_pages: Vec<(String, String)> = [
        ("admin-home", "/"),
        ("admin-users", "/users"),
        ("admin-user-new", "/users/new"),
        ("admin-purchasers", "/purchasers"),
        ("admin-purchaser-new", "/purchasers/new"),
        ("admin-organisations", "/organisations"),
        ("admin-organisation-new", "/organisations/new"),
        ("admin-outbox", "/outbox"),
        ("admin-jobs", "/jobs"),
        ("admin-audit", "/audit"),
    ]
    .iter()
    .map(|(n, p)| (n.to_string(), p.to_string()))
    .collect();
    admin_pages.extend(record_pages(&site).await);
    let supervisor_pages = [
        ("supervisor-audit", "/audit"),
        ("supervisor-audit-verify", "/audit/verify"),
        ("supervisor-jobs", "/jobs"),
    ];
    for size in SIZES.into_iter().chain([NARROW]) {
        let b = site.chrome(size).await;
        b.sign_in(ADMIN, DEMO_PASSWORD).await;
        for (name, path) in &admin_pages {
            b.goto(path).await;
            assert_eq!(&b.path().await, path, "{name}");
            let title = b.title().await;
            assert!(title.ends_with(&zh("app-name")), "{path}: {title}");
            if size == NARROW {
                b.assert_fits().await;
            } else {
                b.screenshot(name).await;
            }
        }
        b.sign_out().await;
        b.sign_in(SUPERVISOR, DEMO_PASSWORD).await;
        for (name, path) in supervisor_pages {
            b.goto(path).await;
            assert_eq!(b.path().await, path, "{name}");
            if size == NARROW {
                b.assert_fits().await;
            } else {
                b.screenshot(name).await;
            }
        }
        if size == DESK {
            // The trail in English.
            b.switch_language().await;
            b.goto("/audit/verify").await;
            b.see(&en("audit-verify-result")).await;
            b.screenshot("supervisor-audit-verify-en").await;
            b.switch_language().await;
        }
        b.close().await;
    }
}
