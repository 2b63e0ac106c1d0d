//! The demo data set gives every demo login something to do on the day it is loaded: the
//! finance officer's home counts each kind of to-do at least once, an organisation has a
//! milestone due soon and a tender open for bids, the supervisor an open finding.

use backend::demo::DEMO_PASSWORD;
use chrono::{Duration, NaiveDate};
use entity::rules::vocab::Locale;
use serde_json::Value;
use tests::TestApp;
use tests::web::Browser;

/// The count a home page shows before the text of `key` (`{ $count } …`), if it shows it.
fn shown_count(page: &str, key: &str) -> Option<i64> {
    let text = jobs::i18n::text_with(Locale::ZhCn, key, &[("count", "\u{1}".to_string())]);
    let (before, after) = text.split_once('\u{1}')?;
    let head = &page[..page.find(after)?];
    let head = head.strip_suffix(before).unwrap_or(head);
    let start = head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    head[start..].parse().ok()
}

async fn demo() -> TestApp {
    let app = TestApp::new().await;
    backend::demo::load(&app.state).await.expect("demo data");
    app.seal().await;
    app
}

fn today(app: &TestApp) -> NaiveDate {
    jobs::clock::local_today(&app.clock, app.state.config.tz)
}

fn items(a: &Value) -> &Vec<Value> {
    a["items"].as_array().expect("a list")
}

/// What `/api/v1/contracts/{id}/{what}` lists, for every contract `token` may read.
async fn of_contracts(app: &TestApp, token: &str, what: &str) -> Vec<Value> {
    let contracts = app
        .get("/api/v1/contracts?limit=100", token)
        .await
        .expect(200)
        .body;
    let mut out = Vec::new();
    for k in items(&contracts) {
        let id = k["id"].as_str().unwrap();
        let list = app
            .get(&format!("/api/v1/contracts/{id}/{what}"), token)
            .await
            .expect(200)
            .body;
        out.extend(
            list["items"]
                .as_array()
                .or(list.as_array())
                .cloned()
                .unwrap_or_default(),
        );
    }
    out
}

#[tokio::test]
async fn the_demo_officers_home_has_one_of_each_thing_to_do() {
    let app = demo().await;
    let mut b = Browser::new(&app);
    b.sign_in("finance@huimin.demo", DEMO_PASSWORD).await;
    let home = b.get("/").await;
    assert_eq!(home.status.as_u16(), 200);
    for key in [
        "home-reports-awaiting",
        "home-overdue-milestones",
        "home-tenders-past-deadline",
        "home-contracts-ending",
        "home-draft-contracts",
        "home-open-findings",
    ] {
        let n = shown_count(&home.text, key)
            .unwrap_or_else(|| panic!("the home page does not count {key}: {}", home.text));
        assert!(n >= 1, "{key}: {n}");
    }
}

#[tokio::test]
async fn the_demo_organisation_and_supervisor_have_something_pending() {
    let app = demo().await;
    let today = today(&app);

    // The first organisation: a milestone due within 30 days, a published tender still open.
    let org = app.login("org1@huimin.demo", DEMO_PASSWORD).await;
    let due_soon: Vec<_> = of_contracts(&app, &org, "milestones")
        .await
        .into_iter()
        .filter(|m| {
            let due: NaiveDate = m["due_date"].as_str().unwrap().parse().unwrap();
            let open = !["accepted", "cancelled"].contains(&m["status"].as_str().unwrap());
            open && due >= today && due <= today + Duration::days(30)
        })
        .collect();
    assert!(!due_soon.is_empty(), "no milestone due soon");
    let tenders = app
        .get("/api/v1/tenders?status=published", &org)
        .await
        .expect(200)
        .body;
    let now = app.state.clock.now();
    assert!(
        items(&tenders).iter().any(|t| {
            let deadline: chrono::DateTime<chrono::Utc> =
                t["bid_deadline"].as_str().unwrap().parse().unwrap();
            deadline > now
        }),
        "no tender open for bids: {tenders}"
    );

    // The supervisor: an open finding on some contract.
    let sup = app.login("supervisor@huimin.demo", DEMO_PASSWORD).await;
    let findings = of_contracts(&app, &sup, "findings").await;
    assert!(
        findings.iter().any(|f| f["status"] == "open"),
        "no open finding: {findings:?}"
    );
}

#[tokio::test]
async fn the_demo_has_payment_requests_in_every_state_and_work_for_the_reminders_job() {
    let app = demo().await;
    let fo = app.login("finance@huimin.demo", DEMO_PASSWORD).await;
    let list = app
        .get("/api/v1/payment-requests?limit=100", &fo)
        .await
        .expect(200)
        .body;
    let statuses: std::collections::BTreeSet<&str> = items(&list)
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    for s in [
        "submitted",
        "verified",
        "approved",
        "paid",
        "returned",
        "withdrawn",
    ] {
        assert!(statuses.contains(s), "no {s} request: {statuses:?}");
    }
    assert!(
        items(&list)
            .iter()
            .filter(|r| r["status"] == "returned")
            .all(|r| !r["return_comment"].as_str().unwrap_or("").is_empty()),
        "a returned request says why"
    );

    // Requests wait long enough for the reminders: to the approver, the officer (to pay), the
    // organisation (to correct), and past 15 days to the supervisor.
    let run = app
        .run_job("payment_request_reminders")
        .await
        .expect("the slot is free");
    assert_eq!(run.errors, 0);
    assert_eq!(
        run.examined, 3,
        "approved, verified and returned: the submitted one is new"
    );
    let sent = app.outbox().await;
    let to = |kind: &str| -> std::collections::BTreeSet<String> {
        sent.iter()
            .filter(|(k, _, _)| k == kind)
            .map(|(_, e, _)| e.clone())
            .collect()
    };
    let waiting = to("payment_request_waiting");
    for who in [
        "approver@huimin.demo",
        "finance@huimin.demo",
        "sunshine@ngo.demo",
        "org1@huimin.demo",
    ] {
        assert!(waiting.contains(who), "{who} in {waiting:?}");
    }
    assert_eq!(
        to("payment_request_escalation"),
        ["supervisor@huimin.demo".to_string()].into()
    );
}
