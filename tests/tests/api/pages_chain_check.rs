//! The chain's last verification on the supervisor's home (`chain_check`): never verified on
//! a fresh install; verified through the audit trail page or the API, the home names who
//! verified, when, intact or where it broke, and how many events were checked.

use entity::model::{chain_check, user};
use entity::rules::vocab::{Locale, Role};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;
use tests::browser::zh;
use tests::web::Browser;
use tests::{Login, TestApp};

use crate::pages_supervisor::text;

/// A catalogue text with its `$count`, in Chinese.
fn zh_n(key: &str, n: i64) -> String {
    jobs::i18n::text_with(Locale::ZhCn, key, &[("count", n.to_string())])
}

/// The display name of a test user.
async fn name(app: &TestApp, who: &Login) -> String {
    user::Entity::find_by_id(who.user_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .display_name
}

/// The text of the home's last verification (from its heading to its link to the trail).
fn last_verification(html: &str) -> String {
    let part = html
        .split("id=\"sup-verified\"")
        .nth(1)
        .expect("the last verification")
        .split("href=\"/audit\"")
        .next()
        .unwrap();
    text(part)
}

/// The newest recorded verification.
async fn newest(app: &TestApp) -> chain_check::Model {
    chain_check::Entity::find()
        .order_by_desc(chain_check::Column::CheckedAt)
        .order_by_desc(chain_check::Column::Id)
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("a recorded verification")
}

#[tokio::test]
async fn a_fresh_install_has_never_been_verified() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    let home = Browser::signed_in(&app, &sup).get("/").await.expect(200);
    let shown = last_verification(&home.text);
    assert!(shown.contains(&zh("sup-home-never-verified")), "{shown}");
    // With the way to the trail that verifies it.
    let panel = home.text.split("id=\"sup-verified\"").nth(1).unwrap();
    assert!(panel.contains("href=\"/audit\""));
    assert_eq!(app.count("chain_check").await, 0);
}

#[tokio::test]
async fn a_verification_through_the_page_or_the_api_shows_on_the_home() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let sup = app.user(Role::Supervisor).await;
    app.post(
        "/api/v1/purchasers",
        &admin.token,
        json!({"name": "县民政局", "division_code": "410523", "contact_email": "mzj@example.gov.cn"}),
    )
    .await
    .expect(201);
    let mut b = Browser::signed_in(&app, &sup);

    // Through the audit trail's button, as the supervisor.
    b.get("/audit/verify").await.expect(200);
    let check = newest(&app).await;
    assert_eq!(check.checked_by, Some(sup.user_id));
    assert!(check.intact);
    assert!(check.checked >= 2, "{check:?}");
    assert_eq!(check.head_seq, Some(check.checked));
    let home = b.get("/").await.expect(200);
    let shown = last_verification(&home.text);
    let sup_name = name(&app, &sup).await;
    assert!(shown.contains(&sup_name), "{shown}");
    assert!(shown.contains(&zh("sup-home-verified-intact")), "{shown}");
    let checked = format!("{} {}", zh("sup-home-verified-checked"), check.checked);
    assert!(shown.contains(&checked), "{shown}");
    assert!(!shown.contains(&zh("sup-home-never-verified")), "{shown}");

    // Through the API, as the admin, a day later: recorded too, and now the last one.
    app.clock.advance(chrono::Duration::days(1));
    let api = app
        .get("/api/v1/audit/verify", &admin.token)
        .await
        .expect(200)
        .body;
    assert_eq!(api["intact"], true);
    let check = newest(&app).await;
    assert_eq!(check.checked_by, Some(admin.user_id));
    assert_eq!(Some(check.checked), api["checked"].as_i64());
    assert_eq!(app.count("chain_check").await, 2);
    let shown = last_verification(&b.get("/").await.expect(200).text);
    assert!(shown.contains(&name(&app, &admin).await), "{shown}");
    assert!(!shown.contains(&sup_name), "{shown}");

    // A broken chain: the home says where.
    app.tamper("UPDATE audit_event SET action = 'delete' WHERE seq = 1")
        .await;
    app.clock.advance(chrono::Duration::days(1));
    let api = app
        .get("/api/v1/audit/verify", &sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(api["first_bad_seq"], 1);
    let check = newest(&app).await;
    assert_eq!((check.intact, check.first_bad_seq), (false, Some(1)));
    let shown = last_verification(&b.get("/").await.expect(200).text);
    assert!(
        shown.contains(&zh_n("sup-home-verified-broken", 1)),
        "{shown}"
    );
    assert!(!shown.contains(&zh("sup-home-verified-intact")), "{shown}");

    // Anyone else still cannot verify, and nothing is recorded for them.
    let staff = app.user(Role::Organisation).await;
    app.get("/api/v1/audit/verify", &staff.token)
        .await
        .expect(403);
    assert_eq!(app.count("chain_check").await, 3);
}
