//! Tenders and sealed bids (SPEC §1–§3, §6): creating and editing drafts, publishing against
//! the budget line, closing, cancelling, marking unsuccessful, awarding, who sees which
//! tender, and who reads which bid before and after the deadline.

use std::collections::BTreeSet;

use axum::http::Method;
use chrono::{Duration, SecondsFormat, Utc};
use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp};
use uuid::Uuid;

fn tender_path(id: Uuid) -> String {
    format!("/api/v1/tenders/{id}")
}

fn bids_path(id: Uuid) -> String {
    format!("/api/v1/tenders/{id}/bids")
}

/// The ids of a list answer's items.
fn ids(a: &Answer) -> Vec<String> {
    a.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect()
}

/// A timestamp for a query string (`Z` rather than `+00:00`, which a query would read as a
/// space).
fn q_time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `(reserved, available)` of a budget line.
async fn figures(app: &TestApp, fo: &Login, line: Uuid) -> (String, String) {
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    (
        l["reserved"].as_str().expect("reserved").to_string(),
        l["available"].as_str().expect("available").to_string(),
    )
}

fn money(reserved: &str, available: &str) -> (String, String) {
    (reserved.to_string(), available.to_string())
}

async fn status_of(app: &TestApp, fo: &Login, tender: Uuid) -> String {
    app.get(&tender_path(tender), &fo.token)
        .await
        .expect(200)
        .body["status"]
        .as_str()
        .expect("status")
        .to_string()
}

async fn assert_audit_intact(app: &TestApp) {
    let sup = app.user(Role::Supervisor).await;
    let v = app
        .get("/api/v1/audit/verify", &sup.token)
        .await
        .expect(200);
    assert_eq!(v.body["intact"], true, "{}", v.text);
}

/// A draft tender from `body`.
async fn draft(app: &TestApp, fo: &Login, body: Value) -> Uuid {
    app.post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201)
        .id()
}

/// A tender from `body`, published, bid on by one new organisation per amount, and closed
/// after its deadline (the clock is moved 11 days on: `body` must have a nearer deadline).
async fn closed_from(
    app: &TestApp,
    fo: &Login,
    body: Value,
    amounts: &[&str],
) -> (Uuid, Vec<(Login, Uuid)>) {
    let t = draft(app, fo, body).await;
    app.act(&format!("/api/v1/tenders/{t}/publish"), &fo.token)
        .await
        .expect(200);
    let mut bids = Vec::new();
    for a in amounts {
        let org = app.user(Role::Organisation).await;
        let b = app.bid(&org, t, a).await;
        bids.push((org, b));
    }
    app.clock.advance(Duration::days(11));
    app.act(&format!("/api/v1/tenders/{t}/close"), &fo.token)
        .await
        .expect(200);
    (t, bids)
}

async fn suspend(app: &TestApp, org: Uuid) {
    let admin = app.user(Role::Admin).await;
    let s = app
        .patch(
            &format!("/api/v1/organisations/{org}"),
            &admin.token,
            json!({"status": "suspended", "status_reason": "年检不合格"}),
        )
        .await
        .expect(200);
    assert_eq!(s.body["status"], "suspended");
}

// --- create ---------------------------------------------------------------------------

#[tokio::test]
async fn an_officer_creates_a_draft_tender_on_a_line_of_its_purchaser() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let before = app.count("audit_event").await;

    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            app.tender_body(line, "300000.5"),
        )
        .await
        .expect(201);
    let t = &a.body;
    assert_eq!(t["status"], "draft");
    assert_eq!(t["purchaser_id"], fo.purchaser_id.unwrap().to_string());
    assert_eq!(t["budget_line_id"], line.to_string());
    assert_eq!(t["ceiling_amount"], "300000.50");
    assert_eq!(t["method"], "inquiry");
    assert_eq!(t["service_category"], "children");
    assert_eq!(t["service_start"], "2026-04-01");
    assert_eq!(t["service_end"], "2026-12-31");
    assert_eq!(t["published_at"], Value::Null);
    assert_eq!(t["awarded_bid_id"], Value::Null);

    // A colleague of the same purchaser reads it; a draft reserves nothing.
    let colleague = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    let read = app
        .get(&tender_path(a.id()), &colleague.token)
        .await
        .expect(200);
    assert_eq!(read.body["title"], "留守儿童关爱服务项目");
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));
    // Naming one's own purchaser is allowed.
    let mut named = app.tender_body(line, "1.00");
    named["purchaser_id"] = json!(fo.purchaser_id);
    app.post("/api/v1/tenders", &fo.token, named)
        .await
        .expect(201);

    assert_eq!(app.count("tender").await, 2);
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'tender' AND action = 'create'")
            .await,
        2
    );
    assert!(app.count("audit_event").await > before);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn only_finance_officers_create_tenders() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let body = app.tender_body(line, "100.00");
    for role in [Role::Admin, Role::Supervisor, Role::Organisation] {
        let u = app.user(role).await;
        app.post("/api/v1/tenders", &u.token, body.clone())
            .await
            .expect(403);
    }
    app.call(Method::POST, "/api/v1/tenders", None, Some(body))
        .await
        .expect(401);
    assert_eq!(app.count("tender").await, 0);
}

#[tokio::test]
async fn a_tender_on_another_purchasers_line_is_refused_on_budget_line_id() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let mine = app.budget_line(&fo, "1000000.00").await;
    let theirs = app.budget_line(&other, "1000000.00").await;
    let events = app.count("audit_event").await;

    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            app.tender_body(theirs, "100.00"),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["budget_line_id"]);
    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            app.tender_body(Uuid::new_v4(), "100.00"),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["budget_line_id"]);
    // The purchaser is the line's: naming another one is refused.
    let mut body = app.tender_body(mine, "100.00");
    body["purchaser_id"] = json!(other.purchaser_id);
    let a = app
        .post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["purchaser_id"]);

    assert_eq!(app.count("tender").await, 0);
    assert_eq!(app.count("audit_event").await, events);
}

#[tokio::test]
async fn bad_tender_fields_are_refused_naming_the_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let events = app.count("audit_event").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("title", json!(""), "title"),
        ("title", json!("   "), "title"),
        ("title", json!("长".repeat(201)), "title"),
        ("description", json!("x".repeat(20_001)), "description"),
        ("multi_year_reason", json!("  "), "multi_year_reason"),
        ("division_code", json!("41052"), "division_code"),
        ("division_code", json!("4105231"), "division_code"),
        ("division_code", json!("41052A"), "division_code"),
        ("division_code", json!(""), "division_code"),
        ("ceiling_amount", json!("0.00"), "ceiling_amount"),
        ("ceiling_amount", json!("0"), "ceiling_amount"),
        ("ceiling_amount", json!("-1.00"), "ceiling_amount"),
        ("ceiling_amount", json!("100.001"), "ceiling_amount"),
        ("ceiling_amount", json!(300000), "ceiling_amount"),
        ("ceiling_amount", json!(300000.5), "ceiling_amount"),
        ("ceiling_amount", json!("abc"), "ceiling_amount"),
        ("service_category", json!("pets"), "service_category"),
        ("method", json!("auction"), "method"),
        ("bid_deadline", json!("next week"), "bid_deadline"),
        ("service_start", json!("2026-02-30"), "service_start"),
        // More than a year without a reason (the last allowed day is 2027-03-31).
        ("service_end", json!("2027-04-01"), "service_end"),
        // Before the start.
        ("service_end", json!("2026-03-31"), "service_end"),
        // Unknown and server-set fields.
        ("colour", json!("red"), "colour"),
        ("status", json!("published"), "status"),
        ("id", json!(Uuid::new_v4()), "id"),
        (
            "published_at",
            json!("2026-03-02T01:00:00Z"),
            "published_at",
        ),
        ("status_reason", json!("x"), "status_reason"),
        ("awarded_bid_id", json!(Uuid::new_v4()), "awarded_bid_id"),
        ("reserved", json!("1.00"), "reserved"),
    ];
    for (key, value, field) in cases {
        let mut body = app.tender_body(line, "300000.00");
        body[key] = value.clone();
        let a = app
            .post("/api/v1/tenders", &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{key} = {value}: {}", a.text);
        assert_eq!(
            a.headers["content-type"], "application/problem+json",
            "{key}"
        );
    }
    // A missing required field is named too.
    for key in ["title", "budget_line_id", "ceiling_amount", "bid_deadline"] {
        let mut body = app.tender_body(line, "300000.00");
        body.as_object_mut().unwrap().remove(key);
        let a = app
            .post("/api/v1/tenders", &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [key], "missing {key}");
    }
    // Several bad fields are reported together.
    let mut body = app.tender_body(line, "0.00");
    body["title"] = json!("");
    body["division_code"] = json!("1");
    let a = app
        .post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(422);
    let mut fields = a.error_fields();
    fields.sort();
    assert_eq!(fields, ["ceiling_amount", "division_code", "title"]);

    assert_eq!(app.count("tender").await, 0);
    assert_eq!(app.count("audit_event").await, events);
}

#[tokio::test]
async fn a_title_of_200_characters_and_the_division_code_lengths_are_accepted() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut body = app.tender_body(line, "100.00");
    body["title"] = json!("长".repeat(200));
    app.post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201);
    for code in ["410523", "410523100", "410523100201"] {
        let mut body = app.tender_body(line, "100.00");
        body["division_code"] = json!(code);
        let a = app
            .post("/api/v1/tenders", &fo.token, body)
            .await
            .expect(201);
        assert_eq!(a.body["division_code"], code);
    }
}

#[tokio::test]
async fn a_service_period_over_one_year_needs_a_multi_year_reason_and_runs_at_most_three() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let with = |end: &str, reason: Option<&str>| {
        let mut b = app.tender_body(line, "100.00");
        b["service_end"] = json!(end);
        if let Some(r) = reason {
            b["multi_year_reason"] = json!(r);
        }
        b
    };
    let reason = "服务稳定、资金已落实";
    // One year less a day is the longest period without a reason.
    app.post("/api/v1/tenders", &fo.token, with("2027-03-31", None))
        .await
        .expect(201);
    let a = app
        .post("/api/v1/tenders", &fo.token, with("2027-04-01", None))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["service_end"]);
    let ok = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            with("2027-04-01", Some(reason)),
        )
        .await
        .expect(201);
    assert_eq!(ok.body["multi_year_reason"], reason);
    app.post(
        "/api/v1/tenders",
        &fo.token,
        with("2029-03-31", Some(reason)),
    )
    .await
    .expect(201);
    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            with("2029-04-01", Some(reason)),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["service_end"]);
    assert_eq!(app.count("tender").await, 3);

    // A multi-year draft publishes, and its award carries the reason to the contract.
    let mut body = with("2028-03-31", Some(reason));
    body["bid_deadline"] = json!((app.state.now() + Duration::days(10)).to_rfc3339());
    let (t, bids) = closed_from(&app, &fo, body, &["90.00", "95.00"]).await;
    let c = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bids[0].1}),
        )
        .await
        .expect(201);
    assert_eq!(c.body["end_date"], "2028-03-31");
    assert_eq!(c.body["multi_year_reason"], reason);
}

// --- edit -------------------------------------------------------------------------------

#[tokio::test]
async fn a_draft_is_edited_and_a_published_tender_is_not() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let line2 = app.budget_line(&fo, "500000.00").await;
    let theirs = app.budget_line(&other, "1000000.00").await;
    let t = draft(&app, &fo, app.tender_body(line, "300000.00")).await;
    let path = tender_path(t);

    let e = app
        .patch(
            &path,
            &fo.token,
            json!({"title": "  农村留守老人关爱服务  ", "ceiling_amount": "250000.00", "budget_line_id": line2, "method": "open"}),
        )
        .await
        .expect(200);
    assert_eq!(e.body["title"], "农村留守老人关爱服务");
    assert_eq!(e.body["ceiling_amount"], "250000.00");
    assert_eq!(e.body["budget_line_id"], line2.to_string());
    assert_eq!(e.body["method"], "open");
    assert_eq!(e.body["status"], "draft");
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'tender' AND action = 'update'")
            .await,
        1
    );

    let events = app.count("audit_event").await;
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"division_code": "12345"}), "division_code"),
        (json!({"ceiling_amount": "0.00"}), "ceiling_amount"),
        (json!({"ceiling_amount": 5}), "ceiling_amount"),
        (json!({"service_end": "2027-04-01"}), "service_end"),
        (json!({"service_end": "2026-01-01"}), "service_end"),
        (json!({"budget_line_id": theirs}), "budget_line_id"),
        (json!({"status": "published"}), "status"),
        (json!({"purchaser_id": other.purchaser_id}), "purchaser_id"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let a = app.patch(&path, &fo.token, body.clone()).await.expect(422);
        assert_eq!(a.error_fields(), [field], "{body}");
    }
    assert_eq!(app.count("audit_event").await, events);
    let read = app.get(&path, &fo.token).await.expect(200);
    assert_eq!(read.body["budget_line_id"], line2.to_string());
    assert_eq!(read.body["ceiling_amount"], "250000.00");

    app.act(&format!("{path}/publish"), &fo.token)
        .await
        .expect(200);
    app.patch(&path, &fo.token, json!({"title": "改名"}))
        .await
        .expect(409);
    let read = app.get(&path, &fo.token).await.expect(200);
    assert_eq!(read.body["title"], "农村留守老人关爱服务");
    assert_eq!(
        app.count("audit_event").await,
        events + 1,
        "only the publication"
    );

    // A cancelled draft is not edited either.
    let d = draft(&app, &fo, app.tender_body(line, "1.00")).await;
    app.post(
        &format!("{}/cancel", tender_path(d)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    app.patch(&tender_path(d), &fo.token, json!({"title": "改名"}))
        .await
        .expect(409);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn a_multi_year_reason_cleared_on_a_draft_brings_back_the_one_year_limit() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut body = app.tender_body(line, "100.00");
    body["service_end"] = json!("2027-12-31");
    body["multi_year_reason"] = json!("服务稳定、资金已落实");
    let t = draft(&app, &fo, body).await;
    let a = app
        .patch(&tender_path(t), &fo.token, json!({"multi_year_reason": ""}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["service_end"]);
    let ok = app
        .patch(
            &tender_path(t),
            &fo.token,
            json!({"multi_year_reason": "", "service_end": "2027-03-31"}),
        )
        .await
        .expect(200);
    assert_eq!(ok.body["multi_year_reason"], Value::Null);
}

#[tokio::test]
async fn only_finance_officers_edit_and_move_tenders() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let p = app.published_tender(&fo, line, "100.00").await;
    for role in [Role::Admin, Role::Supervisor, Role::Organisation] {
        let u = app.user(role).await;
        for t in [d, p] {
            let path = tender_path(t);
            app.patch(&path, &u.token, json!({"title": "x"}))
                .await
                .expect(403);
            for action in ["publish", "close"] {
                app.act(&format!("{path}/{action}"), &u.token)
                    .await
                    .expect(403);
            }
            for action in ["cancel", "unsuccessful"] {
                app.post(
                    &format!("{path}/{action}"),
                    &u.token,
                    json!({"reason": "x"}),
                )
                .await
                .expect(403);
            }
            app.post(
                &format!("{path}/award"),
                &u.token,
                json!({"bid_id": Uuid::new_v4()}),
            )
            .await
            .expect(403);
        }
    }
    assert_eq!(status_of(&app, &fo, d).await, "draft");
    assert_eq!(status_of(&app, &fo, p).await, "published");
}

// --- publish ----------------------------------------------------------------------------

#[tokio::test]
async fn publishing_reserves_the_ceiling_and_is_refused_when_the_line_lacks_it() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t1 = draft(&app, &fo, app.tender_body(line, "600000.00")).await;
    let t2 = draft(&app, &fo, app.tender_body(line, "600000.00")).await;

    let p = app
        .act(&format!("{}/publish", tender_path(t1)), &fo.token)
        .await
        .expect(200);
    assert_eq!(p.body["status"], "published");
    assert!(p.body["published_at"].is_string());
    assert_eq!(
        figures(&app, &fo, line).await,
        money("600000.00", "400000.00")
    );

    let events = app.count("audit_event").await;
    app.act(&format!("{}/publish", tender_path(t2)), &fo.token)
        .await
        .expect(409);
    assert_eq!(status_of(&app, &fo, t2).await, "draft");
    assert_eq!(
        figures(&app, &fo, line).await,
        money("600000.00", "400000.00")
    );
    assert_eq!(app.count("audit_event").await, events);
    // Publishing twice is a bad transition.
    app.act(&format!("{}/publish", tender_path(t1)), &fo.token)
        .await
        .expect(409);

    // Exactly what is available is enough.
    app.patch(
        &tender_path(t2),
        &fo.token,
        json!({"ceiling_amount": "400000.00"}),
    )
    .await
    .expect(200);
    app.act(&format!("{}/publish", tender_path(t2)), &fo.token)
        .await
        .expect(200);
    assert_eq!(figures(&app, &fo, line).await, money("1000000.00", "0.00"));
    // The reserved money cannot be taken by lowering the line either.
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"amount": "999999.99", "reason": "调减"}),
    )
    .await
    .expect(409);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn publishing_is_refused_with_a_deadline_in_the_past_or_after_the_service_start() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let now = app.state.now();
    let cases = [
        ((now - Duration::hours(1)).to_rfc3339(), "bid_deadline"),
        (now.to_rfc3339(), "bid_deadline"),
        ("2026-04-05T02:00:00Z".to_string(), "service_start"),
        // 2 April 00:30 in Shanghai: after a service starting on 1 April.
        ("2026-04-01T16:30:00Z".to_string(), "service_start"),
    ];
    let events = app.count("audit_event").await;
    for (deadline, field) in cases {
        let mut body = app.tender_body(line, "100.00");
        body["bid_deadline"] = json!(deadline);
        let t = draft(&app, &fo, body).await;
        let a = app
            .act(&format!("{}/publish", tender_path(t)), &fo.token)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{deadline}");
        assert_eq!(status_of(&app, &fo, t).await, "draft");
    }
    assert_eq!(
        app.count("audit_event").await,
        events + 4,
        "only the four creations"
    );
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    // 1 April 23:30 in Shanghai is still the service's first day: allowed.
    let mut body = app.tender_body(line, "100.00");
    body["bid_deadline"] = json!("2026-04-01T15:30:00Z");
    let t = draft(&app, &fo, body).await;
    app.act(&format!("{}/publish", tender_path(t)), &fo.token)
        .await
        .expect(200);
    // A deadline that was fixed in the past is fixed by editing the draft.
    let mut body = app.tender_body(line, "100.00");
    body["bid_deadline"] = json!((now - Duration::days(1)).to_rfc3339());
    let t = draft(&app, &fo, body).await;
    app.act(&format!("{}/publish", tender_path(t)), &fo.token)
        .await
        .expect(422);
    app.patch(
        &tender_path(t),
        &fo.token,
        json!({"bid_deadline": (now + Duration::days(5)).to_rfc3339()}),
    )
    .await
    .expect(200);
    app.act(&format!("{}/publish", tender_path(t)), &fo.token)
        .await
        .expect(200);
}

#[tokio::test]
async fn the_methods_minimum_bid_period_is_enforced_at_publication() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.min_bid_days =
            "open=20,invited=20,competitive_consultation=10,competitive_negotiation=3,inquiry=3"
                .into();
    })
    .await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let now = app.state.now();
    let cases = [
        ("open", Duration::days(19), 422),
        ("open", Duration::days(20) - Duration::seconds(1), 422),
        ("open", Duration::days(20), 200),
        ("open", Duration::days(25), 200),
        ("invited", Duration::days(19), 422),
        ("invited", Duration::days(21), 200),
        ("competitive_consultation", Duration::days(9), 422),
        ("competitive_consultation", Duration::days(10), 200),
        ("inquiry", Duration::days(2), 422),
        ("inquiry", Duration::days(3), 200),
    ];
    for (method, ahead, expected) in cases {
        let mut body = app.tender_body(line, "100.00");
        body["method"] = json!(method);
        body["bid_deadline"] = json!((now + ahead).to_rfc3339());
        let t = draft(&app, &fo, body).await;
        let a = app
            .act(&format!("{}/publish", tender_path(t)), &fo.token)
            .await;
        assert_eq!(a.status.as_u16(), expected, "{method} {ahead}: {}", a.text);
        if expected == 422 {
            assert_eq!(a.error_fields(), ["bid_deadline"]);
            assert_eq!(status_of(&app, &fo, t).await, "draft");
        }
    }
}

// --- close ------------------------------------------------------------------------------

#[tokio::test]
async fn a_tender_closes_only_from_published_and_after_its_deadline() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    app.act(&format!("{}/close", tender_path(d)), &fo.token)
        .await
        .expect(409);

    let t = app.published_tender(&fo, line, "100.00").await;
    let org = app.user(Role::Organisation).await;
    let close = format!("{}/close", tender_path(t));
    app.act(&close, &fo.token).await.expect(409);
    app.clock.advance(Duration::days(10) - Duration::seconds(1));
    app.act(&close, &fo.token).await.expect(409);
    assert_eq!(status_of(&app, &fo, t).await, "published");
    app.bid(&org, t, "99.00").await;

    // At the deadline bidding has ended and the tender may close.
    app.clock.advance(Duration::seconds(1));
    app.post(
        &bids_path(t),
        &org.token,
        json!({"amount": "98.00", "proposal": "迟到"}),
    )
    .await
    .expect(409);
    let c = app.act(&close, &fo.token).await.expect(200);
    assert_eq!(c.body["status"], "closed");
    app.act(&close, &fo.token).await.expect(409);
    // A closed tender still holds its ceiling.
    assert_eq!(figures(&app, &fo, line).await, money("100.00", "999900.00"));
    assert_audit_intact(&app).await;
}

// --- cancel and unsuccessful ------------------------------------------------------------

#[tokio::test]
async fn cancelling_a_draft_published_or_closed_tender_needs_a_reason_and_releases_the_ceiling() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;

    let d = draft(&app, &fo, app.tender_body(line, "100000.00")).await;
    let p = app.published_tender(&fo, line, "200000.00").await;
    assert_eq!(
        figures(&app, &fo, line).await,
        money("200000.00", "800000.00")
    );

    let events = app.count("audit_event").await;
    for body in [
        json!({"reason": ""}),
        json!({"reason": "   "}),
        json!({}),
        json!({"reason": "x".repeat(2001)}),
    ] {
        let a = app
            .post(&format!("{}/cancel", tender_path(p)), &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["reason"]);
    }
    app.act(&format!("{}/cancel", tender_path(p)), &fo.token)
        .await
        .expect(415);
    assert_eq!(status_of(&app, &fo, p).await, "published");
    assert_eq!(app.count("audit_event").await, events);

    for t in [d, p] {
        let c = app
            .post(
                &format!("{}/cancel", tender_path(t)),
                &fo.token,
                json!({"reason": "  需求变更  "}),
            )
            .await
            .expect(200);
        assert_eq!(c.body["status"], "cancelled");
        assert_eq!(c.body["status_reason"], "需求变更");
    }
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    let (closed, _) = app.closed_tender(&fo, line, "300000.00", &["100.00"]).await;
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );
    app.post(
        &format!("{}/cancel", tender_path(closed)),
        &fo.token,
        json!({"reason": "投标人不足"}),
    )
    .await
    .expect(200);
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    // From cancelled, nothing more.
    let events = app.count("audit_event").await;
    for t in [d, p, closed] {
        let path = tender_path(t);
        app.post(
            &format!("{path}/cancel"),
            &fo.token,
            json!({"reason": "再次"}),
        )
        .await
        .expect(409);
        app.act(&format!("{path}/publish"), &fo.token)
            .await
            .expect(409);
        app.act(&format!("{path}/close"), &fo.token)
            .await
            .expect(409);
        app.post(
            &format!("{path}/unsuccessful"),
            &fo.token,
            json!({"reason": "再次"}),
        )
        .await
        .expect(409);
    }
    assert_eq!(app.count("audit_event").await, events);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn an_awarded_tender_cannot_be_cancelled() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["100.00", "200.00"])
        .await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[0].1}),
    )
    .await
    .expect(201);
    for action in ["cancel", "unsuccessful"] {
        app.post(
            &format!("{}/{action}", tender_path(t)),
            &fo.token,
            json!({"reason": "改主意"}),
        )
        .await
        .expect(409);
    }
    assert_eq!(status_of(&app, &fo, t).await, "awarded");
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );
}

#[tokio::test]
async fn only_a_closed_tender_is_marked_unsuccessful_which_releases_the_ceiling() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let p = app.published_tender(&fo, line, "100.00").await;
    for t in [d, p] {
        app.post(
            &format!("{}/unsuccessful", tender_path(t)),
            &fo.token,
            json!({"reason": "无人投标"}),
        )
        .await
        .expect(409);
    }
    assert_eq!(status_of(&app, &fo, d).await, "draft");
    assert_eq!(status_of(&app, &fo, p).await, "published");
    app.post(
        &format!("{}/cancel", tender_path(p)),
        &fo.token,
        json!({"reason": "重新招标"}),
    )
    .await
    .expect(200);

    let (t, bids) = app.closed_tender(&fo, line, "300000.00", &["100.00"]).await;
    let path = tender_path(t);
    let a = app
        .post(
            &format!("{path}/unsuccessful"),
            &fo.token,
            json!({"reason": ""}),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["reason"]);
    assert_eq!(status_of(&app, &fo, t).await, "closed");
    let u = app
        .post(
            &format!("{path}/unsuccessful"),
            &fo.token,
            json!({"reason": "有效投标不足两家"}),
        )
        .await
        .expect(200);
    assert_eq!(u.body["status"], "unsuccessful");
    assert_eq!(u.body["status_reason"], "有效投标不足两家");
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    for (action, body) in [
        ("unsuccessful", json!({"reason": "再次"})),
        ("cancel", json!({"reason": "再次"})),
        ("award", json!({"bid_id": bids[0].1})),
    ] {
        app.post(&format!("{path}/{action}"), &fo.token, body)
            .await
            .expect(409);
    }
    assert_eq!(app.count("contract").await, 0);
    assert_audit_intact(&app).await;
}

// --- award ------------------------------------------------------------------------------

#[tokio::test]
async fn an_award_needs_three_bids_on_an_open_tender_and_two_on_an_inquiry() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "10000000.00").await;

    // Inquiry: one bid is too few, two suffice.
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["100000.00"])
        .await;
    let events = app.count("audit_event").await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[0].1}),
    )
    .await
    .expect(409);
    assert_eq!(status_of(&app, &fo, t).await, "closed");
    assert_eq!(app.count("contract").await, 0);
    assert_eq!(app.count("audit_event").await, events);

    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["100000.00", "120000.00"])
        .await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[1].1}),
    )
    .await
    .expect(201);

    // Each closing moves the clock 11 days: later services keep the deadlines before them.
    let later = |method: &str| {
        let mut body = app.tender_body(line, "300000.00");
        body["method"] = json!(method);
        body["service_start"] = json!("2026-09-01");
        body["service_end"] = json!("2027-08-31");
        body
    };
    // Open and invited: two are too few, three suffice.
    for method in ["open", "invited"] {
        let (t, bids) = closed_from(&app, &fo, later(method), &["1.00", "2.00"]).await;
        let a = app
            .post(
                &format!("{}/award", tender_path(t)),
                &fo.token,
                json!({"bid_id": bids[0].1}),
            )
            .await
            .expect(409);
        assert!(
            a.body["detail"].as_str().unwrap().contains('3'),
            "{}",
            a.text
        );
        assert_eq!(status_of(&app, &fo, t).await, "closed");

        let (t, bids) = closed_from(&app, &fo, later(method), &["1.00", "2.00", "3.00"]).await;
        app.post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bids[2].1}),
        )
        .await
        .expect(201);
    }
    // Competitive consultation may go on with two.
    let (t, bids) = closed_from(
        &app,
        &fo,
        later("competitive_consultation"),
        &["1.00", "2.00"],
    )
    .await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[0].1}),
    )
    .await
    .expect(201);
    assert_eq!(app.count("contract").await, 4);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn an_award_answers_201_with_a_draft_contract_for_the_bid_amount_and_only_once() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["280000.50", "290000.00"])
        .await;
    let (winner, bid) = (&bids[0].0, bids[0].1);
    let c = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bid}),
        )
        .await
        .expect(201);
    let k = &c.body;
    assert_eq!(k["status"], "draft");
    assert_eq!(k["value"], "280000.50");
    assert_eq!(k["tender_id"], t.to_string());
    assert_eq!(
        k["organisation_id"],
        winner.organisation_id.unwrap().to_string()
    );
    assert_eq!(k["purchaser_id"], fo.purchaser_id.unwrap().to_string());
    assert_eq!(k["budget_line_id"], line.to_string());
    assert_eq!(k["title"], "留守儿童关爱服务项目");
    assert_eq!(k["service_category"], "children");
    assert_eq!(k["division_code"], "410523");
    assert_eq!(k["start_date"], "2026-04-01");
    assert_eq!(k["end_date"], "2026-12-31");
    assert_eq!(k["direct_award_reason"], Value::Null);

    let tender = app.get(&tender_path(t), &fo.token).await.expect(200).body;
    assert_eq!(tender["status"], "awarded");
    assert_eq!(tender["awarded_bid_id"], bid.to_string());
    // The winner sees the award; the reservation stays until the contract is signed.
    let seen = app
        .get(&tender_path(t), &winner.token)
        .await
        .expect(200)
        .body;
    assert_eq!(seen["awarded_bid_id"], bid.to_string());
    app.get(&format!("/api/v1/contracts/{}", c.id()), &winner.token)
        .await
        .expect(200);
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );

    // Awarding again, the same bid or another, is refused and writes nothing.
    let events = app.count("audit_event").await;
    for b in [bid, bids[1].1] {
        app.post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": b}),
        )
        .await
        .expect(409);
    }
    assert_eq!(app.count("contract").await, 1);
    assert_eq!(app.count("audit_event").await, events);

    // An award before the tender is closed is refused.
    let p = app.published_tender(&fo, line, "100.00").await;
    let org = app.user(Role::Organisation).await;
    let b = app.bid(&org, p, "50.00").await;
    app.post(
        &format!("{}/award", tender_path(p)),
        &fo.token,
        json!({"bid_id": b}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("contract").await, 1);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn a_bid_of_another_tender_is_refused_on_bid_id() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t1, _) = app
        .closed_tender(&fo, line, "100000.00", &["1.00", "2.00"])
        .await;
    let (_, other_bids) = app
        .closed_tender(&fo, line, "100000.00", &["3.00", "4.00"])
        .await;
    let events = app.count("audit_event").await;
    for bid in [other_bids[0].1, Uuid::new_v4()] {
        let a = app
            .post(
                &format!("{}/award", tender_path(t1)),
                &fo.token,
                json!({"bid_id": bid}),
            )
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["bid_id"]);
    }
    for body in [
        json!({}),
        json!({"bid_id": "nope"}),
        json!({"bid_id": other_bids[0].1, "value": "1.00"}),
    ] {
        app.post(&format!("{}/award", tender_path(t1)), &fo.token, body)
            .await
            .expect(422);
    }
    assert_eq!(status_of(&app, &fo, t1).await, "closed");
    assert_eq!(app.count("contract").await, 0);
    assert_eq!(app.count("audit_event").await, events);
}

#[tokio::test]
async fn an_organisation_suspended_after_bidding_is_not_awarded() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let a = app.user(Role::Organisation).await;
    let b = app.user(Role::Organisation).await;
    let c = app.user(Role::Organisation).await;
    let bid_a = app.bid(&a, t, "200000.00").await;
    app.bid(&b, t, "210000.00").await;
    let bid_c = app.bid(&c, t, "220000.00").await;
    suspend(&app, a.organisation_id.unwrap()).await;
    app.clock.advance(Duration::days(11));
    app.act(&format!("{}/close", tender_path(t)), &fo.token)
        .await
        .expect(200);

    let events = app.count("audit_event").await;
    let r = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bid_a}),
        )
        .await
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("suspended"));
    assert_eq!(status_of(&app, &fo, t).await, "closed");
    assert_eq!(app.count("contract").await, 0);
    assert_eq!(app.count("audit_event").await, events);

    // The suspended bidder's bid still counts towards the minimum; another bidder may win.
    let k = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bid_c}),
        )
        .await
        .expect(201);
    assert_eq!(k.body["value"], "220000.00");
}

#[tokio::test]
async fn cancelling_the_awarded_draft_contract_reopens_the_tender_for_a_new_award() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["250000.00", "260000.00"])
        .await;
    let award = format!("{}/award", tender_path(t));
    let first = app
        .post(&award, &fo.token, json!({"bid_id": bids[0].1}))
        .await
        .expect(201)
        .id();
    let cancel = format!("/api/v1/contracts/{first}/cancel");
    let a = app
        .post(&cancel, &fo.token, json!({"reason": ""}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["reason"]);
    assert_eq!(status_of(&app, &fo, t).await, "awarded");

    let c = app
        .post(&cancel, &fo.token, json!({"reason": "中标人放弃"}))
        .await
        .expect(200);
    assert_eq!(c.body["status"], "cancelled");
    let tender = app.get(&tender_path(t), &fo.token).await.expect(200).body;
    assert_eq!(tender["status"], "closed");
    assert_eq!(tender["awarded_bid_id"], Value::Null);
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );

    let second = app
        .post(&award, &fo.token, json!({"bid_id": bids[1].1}))
        .await
        .expect(201);
    assert_eq!(second.body["value"], "260000.00");
    assert_ne!(second.id(), first);
    assert_eq!(
        app.get(&tender_path(t), &fo.token).await.expect(200).body["awarded_bid_id"],
        bids[1].1.to_string()
    );
    assert_eq!(app.count("contract").await, 2);
    // The cancelled contract stays cancelled.
    app.post(&cancel, &fo.token, json!({"reason": "再次"}))
        .await
        .expect(409);
    // Signing the new contract moves the ceiling reservation to a commitment of its value.
    app.act(
        &format!("/api/v1/contracts/{}/sign", second.id()),
        &fo.token,
    )
    .await
    .expect(200);
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "740000.00"));
    assert_audit_intact(&app).await;
}

// --- visibility -------------------------------------------------------------------------

#[tokio::test]
async fn another_purchasers_officer_gets_404_for_everything_about_a_tender() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let (c, bids) = app
        .closed_tender(&fo, line, "100.00", &["10.00", "20.00"])
        .await;
    let events = app.count("audit_event").await;
    for t in [d, c] {
        let path = tender_path(t);
        app.get(&path, &other.token).await.expect(404);
        app.patch(&path, &other.token, json!({"title": "x"}))
            .await
            .expect(404);
        app.get(&format!("{path}/bids"), &other.token)
            .await
            .expect(404);
        for action in ["publish", "close"] {
            app.act(&format!("{path}/{action}"), &other.token)
                .await
                .expect(404);
        }
        for action in ["cancel", "unsuccessful"] {
            app.post(
                &format!("{path}/{action}"),
                &other.token,
                json!({"reason": "x"}),
            )
            .await
            .expect(404);
        }
        app.post(
            &format!("{path}/award"),
            &other.token,
            json!({"bid_id": bids[0].1}),
        )
        .await
        .expect(404);
    }
    app.patch(
        &format!("/api/v1/bids/{}", bids[0].1),
        &other.token,
        json!({"score": 80}),
    )
    .await
    .expect(404);
    assert!(ids(&app.get("/api/v1/tenders", &other.token).await.expect(200)).is_empty());
    assert!(
        ids(&app
            .get(
                &format!("/api/v1/tenders?purchaser_id={}", fo.purchaser_id.unwrap()),
                &other.token
            )
            .await
            .expect(200))
        .is_empty()
    );
    assert_eq!(app.count("audit_event").await, events);
    assert_eq!(status_of(&app, &fo, d).await, "draft");
    assert_eq!(status_of(&app, &fo, c).await, "closed");
    assert_eq!(app.count("contract").await, 0);

    // Unknown ids are 404 for the owner too.
    let nobody = Uuid::new_v4();
    app.get(&tender_path(nobody), &fo.token).await.expect(404);
    app.act(&format!("{}/publish", tender_path(nobody)), &fo.token)
        .await
        .expect(404);
    app.patch(
        &format!("/api/v1/bids/{nobody}"),
        &fo.token,
        json!({"score": 80}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn supervisors_and_admins_read_every_tender_including_drafts() {
    let app = TestApp::new().await;
    let a = app.user(Role::FinanceOfficer).await;
    let b = app.user(Role::FinanceOfficer).await;
    let la = app.budget_line(&a, "1000000.00").await;
    let lb = app.budget_line(&b, "1000000.00").await;
    let da = draft(&app, &a, app.tender_body(la, "100.00")).await;
    let pb = app.published_tender(&b, lb, "100.00").await;
    for role in [Role::Supervisor, Role::Admin] {
        let u = app.user(role).await;
        app.get(&tender_path(da), &u.token).await.expect(200);
        app.get(&tender_path(pb), &u.token).await.expect(200);
        let mut all = ids(&app.get("/api/v1/tenders", &u.token).await.expect(200));
        all.sort();
        let mut expected = vec![da.to_string(), pb.to_string()];
        expected.sort();
        assert_eq!(all, expected);
    }
}

#[tokio::test]
async fn organisations_see_published_tenders_but_never_drafts() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.user(Role::Organisation).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let withdrawn = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    app.post(
        &format!("{}/cancel", tender_path(withdrawn)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    let p = app.published_tender(&fo, line, "100.00").await;

    for t in [d, withdrawn] {
        app.get(&tender_path(t), &org.token).await.expect(404);
        app.get(&bids_path(t), &org.token).await.expect(404);
        app.post(
            &bids_path(t),
            &org.token,
            json!({"amount": "10.00", "proposal": "方案"}),
        )
        .await
        .expect(404);
    }
    let seen = app.get(&tender_path(p), &org.token).await.expect(200);
    assert_eq!(seen.body["status"], "published");
    assert_eq!(
        ids(&app.get("/api/v1/tenders", &org.token).await.expect(200)),
        [p.to_string()]
    );
    assert!(
        ids(&app
            .get("/api/v1/tenders?status=draft", &org.token)
            .await
            .expect(200))
        .is_empty()
    );
    assert_eq!(app.count("bid").await, 0);

    // Once published, a tender stays visible to organisations whatever happens next.
    app.post(
        &format!("{}/cancel", tender_path(p)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    let seen = app.get(&tender_path(p), &org.token).await.expect(200);
    assert_eq!(seen.body["status"], "cancelled");
}

#[tokio::test]
async fn tenders_are_listed_with_filters() {
    let app = TestApp::new().await;
    let a = app.user(Role::FinanceOfficer).await;
    let b = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let la = app.budget_line(&a, "10000000.00").await;
    let lb = app.budget_line(&b, "10000000.00").await;
    let now = app.state.now();

    let mut body = app.tender_body(la, "100.00");
    body["bid_deadline"] = json!((now + Duration::days(5)).to_rfc3339());
    let a_draft_children = draft(&app, &a, body).await;

    let mut body = app.tender_body(la, "100.00");
    body["service_category"] = json!("elderly");
    body["division_code"] = json!("410523100");
    body["bid_deadline"] = json!((now + Duration::days(10)).to_rfc3339());
    let a_pub_elderly = draft(&app, &a, body).await;
    app.act(&format!("{}/publish", tender_path(a_pub_elderly)), &a.token)
        .await
        .expect(200);

    let mut body = app.tender_body(lb, "100.00");
    body["bid_deadline"] = json!((now + Duration::days(15)).to_rfc3339());
    let b_pub_children = draft(&app, &b, body).await;
    app.act(
        &format!("{}/publish", tender_path(b_pub_children)),
        &b.token,
    )
    .await
    .expect(200);

    let list = |q: String| {
        let token = sup.token.clone();
        let app = &app;
        async move {
            let mut v = ids(&app
                .get(&format!("/api/v1/tenders{q}"), &token)
                .await
                .expect(200));
            v.sort();
            v
        }
    };
    let sorted = |v: &[Uuid]| {
        let mut s: Vec<String> = v.iter().map(Uuid::to_string).collect();
        s.sort();
        s
    };
    assert_eq!(
        list(String::new()).await,
        sorted(&[a_draft_children, a_pub_elderly, b_pub_children])
    );
    assert_eq!(
        list("?status=published".into()).await,
        sorted(&[a_pub_elderly, b_pub_children])
    );
    assert_eq!(
        list("?status=draft".into()).await,
        sorted(&[a_draft_children])
    );
    assert!(list("?status=awarded".into()).await.is_empty());
    assert_eq!(
        list("?service_category=children".into()).await,
        sorted(&[a_draft_children, b_pub_children])
    );
    assert_eq!(
        list("?division_code=410523100".into()).await,
        sorted(&[a_pub_elderly])
    );
    assert_eq!(
        list("?division_code=410523".into()).await,
        sorted(&[a_draft_children, b_pub_children])
    );
    assert_eq!(
        list(format!("?purchaser_id={}", a.purchaser_id.unwrap())).await,
        sorted(&[a_draft_children, a_pub_elderly])
    );
    assert_eq!(
        list(format!(
            "?deadline_from={}",
            q_time(now + Duration::days(10))
        ))
        .await,
        sorted(&[a_pub_elderly, b_pub_children]),
        "deadline_from is inclusive"
    );
    assert_eq!(
        list(format!("?deadline_to={}", q_time(now + Duration::days(10)))).await,
        sorted(&[a_draft_children]),
        "deadline_to is exclusive"
    );
    assert_eq!(
        list(format!(
            "?deadline_from={}&deadline_to={}",
            q_time(now + Duration::days(6)),
            q_time(now + Duration::days(14))
        ))
        .await,
        sorted(&[a_pub_elderly])
    );
    assert_eq!(
        list(format!(
            "?status=published&service_category=children&purchaser_id={}",
            b.purchaser_id.unwrap()
        ))
        .await,
        sorted(&[b_pub_children])
    );
    // Filters combine with the officer's own scope.
    let mut own = ids(&app
        .get("/api/v1/tenders?service_category=children", &a.token)
        .await
        .expect(200));
    own.sort();
    assert_eq!(own, sorted(&[a_draft_children]));

    for q in [
        "?status=open",
        "?service_category=pets",
        "?purchaser_id=nope",
        "?deadline_from=yesterday",
        "?limit=0",
        "?limit=501",
        "?cursor=garbage",
        "?colour=red",
    ] {
        let r = app
            .get(&format!("/api/v1/tenders{q}"), &sup.token)
            .await
            .expect(422);
        assert_eq!(r.error_fields().len(), 1, "{q}: {}", r.text);
    }
}

#[tokio::test]
async fn cursor_pagination_walks_every_tender_once() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut created = Vec::new();
    for _ in 0..7 {
        created.push(
            draft(&app, &fo, app.tender_body(line, "1.00"))
                .await
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut url = "/api/v1/tenders?limit=3".to_string();
    loop {
        let page = app.get(&url, &fo.token).await.expect(200);
        pages += 1;
        seen.extend(ids(&page));
        match page.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/tenders?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created, "in creation order, each once");
    let one = app
        .get("/api/v1/tenders?limit=7", &fo.token)
        .await
        .expect(200);
    assert_eq!(ids(&one).len(), 7);
    assert_eq!(one.body["next_cursor"], Value::Null);
}

// --- bids -------------------------------------------------------------------------------

#[tokio::test]
async fn bids_are_sealed_until_the_deadline_and_each_bidder_reads_only_its_own() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let colleague = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let a = app.user(Role::Organisation).await;
    let b = app.user(Role::Organisation).await;
    let outsider = app.user(Role::Organisation).await;
    let bid_a = app.bid(&a, t, "280000.00").await;
    let bid_b = app.bid(&b, t, "290000.00").await;
    let path = bids_path(t);

    for u in [&fo, &colleague, &sup, &admin, &outsider] {
        let l = app.get(&path, &u.token).await.expect(200);
        assert_eq!(l.body["items"], json!([]), "{}", l.text);
    }
    assert_eq!(
        ids(&app.get(&path, &a.token).await.expect(200)),
        [bid_a.to_string()]
    );
    assert_eq!(
        ids(&app.get(&path, &b.token).await.expect(200)),
        [bid_b.to_string()]
    );
    let own = app.get(&path, &a.token).await.expect(200).body;
    assert_eq!(own["items"][0]["amount"], "280000.00");
    assert_eq!(
        own["items"][0]["organisation_id"],
        a.organisation_id.unwrap().to_string()
    );
    assert_eq!(own["items"][0]["score"], Value::Null);

    // After the deadline (closed or not) the purchaser, supervisors and admins read all.
    app.clock.advance(Duration::days(10));
    for u in [&fo, &colleague, &sup, &admin] {
        let mut got = ids(&app.get(&path, &u.token).await.expect(200));
        got.sort();
        let mut expected = vec![bid_a.to_string(), bid_b.to_string()];
        expected.sort();
        assert_eq!(got, expected);
    }
    // Bidders still read only their own; an organisation that did not bid reads nothing.
    assert_eq!(
        ids(&app.get(&path, &a.token).await.expect(200)),
        [bid_a.to_string()]
    );
    assert_eq!(
        ids(&app.get(&path, &b.token).await.expect(200)),
        [bid_b.to_string()]
    );
    assert!(ids(&app.get(&path, &outsider.token).await.expect(200)).is_empty());
    app.act(&format!("{}/close", tender_path(t)), &fo.token)
        .await
        .expect(200);
    assert_eq!(
        ids(&app.get(&path, &a.token).await.expect(200)),
        [bid_a.to_string()]
    );
    assert_eq!(ids(&app.get(&path, &fo.token).await.expect(200)).len(), 2);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn a_score_is_set_only_after_the_deadline_in_tenths_from_0_to_100() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let bid = app.bid(&org, t, "280000.00").await;
    let path = format!("/api/v1/bids/{bid}");

    let events = app.count("audit_event").await;
    app.patch(&path, &fo.token, json!({"score": 86.5}))
        .await
        .expect(404);
    assert_eq!(app.count("audit_event").await, events);
    assert_eq!(app.count("bid WHERE score_tenths IS NOT NULL").await, 0);

    app.clock.advance(Duration::days(11));
    for role in [Role::Supervisor, Role::Admin] {
        let u = app.user(role).await;
        app.patch(&path, &u.token, json!({"score": 86.5}))
            .await
            .expect(403);
    }
    app.patch(&path, &org.token, json!({"score": 86.5}))
        .await
        .expect(403);

    let s = app
        .patch(&path, &fo.token, json!({"score": 86.5}))
        .await
        .expect(200);
    assert_eq!(s.body["score"], json!(86.5));
    assert_eq!(s.body["id"], bid.to_string());
    let events = app.count("audit_event").await;
    for bad in [
        json!({"score": 86.55}),
        json!({"score": 101}),
        json!({"score": 100.1}),
        json!({"score": -1}),
        json!({"score": "86.5"}),
        json!({"score": null}),
        json!({}),
        json!({"score": 80, "amount": "1.00"}),
    ] {
        let a = app.patch(&path, &fo.token, bad.clone()).await.expect(422);
        assert_eq!(a.error_fields().len(), 1, "{bad}: {}", a.text);
    }
    assert_eq!(app.count("audit_event").await, events);
    let read = app.get(&bids_path(t), &fo.token).await.expect(200).body;
    assert_eq!(read["items"][0]["score"], json!(86.5));
    // The bidder reads its own score.
    let own = app.get(&bids_path(t), &org.token).await.expect(200).body;
    assert_eq!(own["items"][0]["score"], json!(86.5));

    for (score, shown) in [
        (json!(100), json!(100)),
        (json!(0), json!(0)),
        (json!(72.3), json!(72.3)),
    ] {
        let s = app
            .patch(&path, &fo.token, json!({"score": score}))
            .await
            .expect(200);
        assert_eq!(s.body["score"], shown);
    }
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn bad_bids_and_bids_over_the_ceiling_are_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let events = app.count("audit_event").await;
    for (body, field) in [
        (json!({"amount": "300000.01", "proposal": "方案"}), "amount"),
        (json!({"amount": "0.00", "proposal": "方案"}), "amount"),
        (json!({"amount": "-5.00", "proposal": "方案"}), "amount"),
        (json!({"amount": "100.001", "proposal": "方案"}), "amount"),
        (json!({"amount": 100, "proposal": "方案"}), "amount"),
        (json!({"amount": "100.00", "proposal": ""}), "proposal"),
        (json!({"amount": "100.00"}), "proposal"),
        (
            json!({"amount": "100.00", "proposal": "方案", "score": 90}),
            "score",
        ),
        (
            json!({"amount": "100.00", "proposal": "方案", "organisation_id": Uuid::new_v4()}),
            "organisation_id",
        ),
        (
            json!({"amount": "100.00", "proposal": "方案", "submitted_at": "2026-03-02T01:00:00Z"}),
            "submitted_at",
        ),
    ] {
        let a = app
            .post(&bids_path(t), &org.token, body.clone())
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{body}: {}", a.text);
    }
    assert_eq!(app.count("bid").await, 0);
    assert_eq!(app.count("audit_event").await, events);

    // The ceiling itself is allowed; a replacement above it is refused and keeps the bid.
    let b = app.bid(&org, t, "300000.00").await;
    let r = app
        .post(
            &bids_path(t),
            &org.token,
            json!({"amount": "300000.01", "proposal": "修订"}),
        )
        .await
        .expect(422);
    assert_eq!(r.error_fields(), ["amount"]);
    let own = app.get(&bids_path(t), &org.token).await.expect(200).body;
    assert_eq!(own["items"][0]["id"], b.to_string());
    assert_eq!(own["items"][0]["amount"], "300000.00");
    assert_eq!(own["items"][0]["proposal"], "服务方案");
    assert_eq!(app.count("bid").await, 1);
}

#[tokio::test]
async fn a_resubmission_before_the_deadline_replaces_the_one_live_bid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let colleague = app
        .user_in(Role::Organisation, None, org.organisation_id)
        .await;
    let first = app.bid(&org, t, "280000.00").await;
    app.clock.advance(Duration::days(1));
    let r = app
        .post(
            &bids_path(t),
            &colleague.token,
            json!({"amount": "270000.00", "proposal": "修订方案"}),
        )
        .await
        .expect(200);
    assert_eq!(r.id(), first);
    assert_eq!(r.body["amount"], "270000.00");
    assert_eq!(r.body["proposal"], "修订方案");
    assert_eq!(app.count("bid").await, 1);
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'bid' AND action = 'replace_bid'")
            .await,
        1
    );
    // A colleague in the same organisation reads the organisation's bid.
    assert_eq!(
        ids(&app.get(&bids_path(t), &org.token).await.expect(200)),
        [first.to_string()]
    );
}

#[tokio::test]
async fn a_suspended_organisation_cannot_bid_or_replace_its_bid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let fresh = app.user(Role::Organisation).await;
    let bidder = app.user(Role::Organisation).await;
    app.bid(&bidder, t, "200000.00").await;
    suspend(&app, fresh.organisation_id.unwrap()).await;
    suspend(&app, bidder.organisation_id.unwrap()).await;

    let events = app.count("audit_event").await;
    let a = app
        .post(
            &bids_path(t),
            &fresh.token,
            json!({"amount": "100.00", "proposal": "方案"}),
        )
        .await
        .expect(409);
    assert!(a.body["detail"].as_str().unwrap().contains("suspended"));
    app.post(
        &bids_path(t),
        &bidder.token,
        json!({"amount": "100.00", "proposal": "修订"}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("bid").await, 1);
    assert_eq!(app.count("audit_event").await, events);
    let own = app.get(&bids_path(t), &bidder.token).await.expect(200).body;
    assert_eq!(own["items"][0]["amount"], "200000.00");
}

#[tokio::test]
async fn bids_are_refused_after_the_deadline_and_on_tenders_not_open() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let org = app.user(Role::Organisation).await;
    let body = json!({"amount": "100.00", "proposal": "方案"});

    let cancelled = app.published_tender(&fo, line, "300000.00").await;
    app.post(
        &format!("{}/cancel", tender_path(cancelled)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    app.post(&bids_path(cancelled), &org.token, body.clone())
        .await
        .expect(409);

    let t = app.published_tender(&fo, line, "300000.00").await;
    app.clock.advance(Duration::days(11));
    let events = app.count("audit_event").await;
    app.post(&bids_path(t), &org.token, body.clone())
        .await
        .expect(409);
    app.act(&format!("{}/close", tender_path(t)), &fo.token)
        .await
        .expect(200);
    let events_after_close = app.count("audit_event").await;
    assert_eq!(events_after_close, events + 1);
    app.post(&bids_path(t), &org.token, body.clone())
        .await
        .expect(409);
    app.post(&bids_path(Uuid::new_v4()), &org.token, body)
        .await
        .expect(404);
    assert_eq!(app.count("bid").await, 0);
    assert_eq!(app.count("audit_event").await, events_after_close);
}

#[tokio::test]
async fn only_organisations_submit_bids() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let body = json!({"amount": "100.00", "proposal": "方案"});
    for u in [
        fo.clone(),
        app.user(Role::FinanceOfficer).await,
        app.user(Role::Supervisor).await,
        app.user(Role::Admin).await,
    ] {
        app.post(&bids_path(t), &u.token, body.clone())
            .await
            .expect(403);
    }
    app.call(Method::POST, &bids_path(t), None, Some(body))
        .await
        .expect(401);
    assert_eq!(app.count("bid").await, 0);
}

// --- races ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_publications_never_reserve_more_than_the_line() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut drafts = Vec::new();
    for _ in 0..10 {
        drafts.push(draft(&app, &fo, app.tender_body(line, "150000.00")).await);
    }
    let publishes = drafts
        .iter()
        .map(|id| app.act_owned(format!("/api/v1/tenders/{id}/publish"), fo.token.clone()));
    let answers = futures::future::join_all(publishes).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    let refused = answers.iter().filter(|a| a.status == 409).count();
    assert_eq!(
        (ok, refused),
        (6, 4),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(
        figures(&app, &fo, line).await,
        money("900000.00", "100000.00")
    );
    assert_eq!(app.count("tender WHERE status = 'published'").await, 6);
    assert_audit_intact(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_awards_of_one_tender_create_one_contract() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["1.00", "2.00", "3.00", "4.00"])
        .await;
    let (app_ref, fo_ref) = (&app, &fo);
    let awards = bids.iter().map(move |(_, b)| async move {
        app_ref
            .post(
                &format!("/api/v1/tenders/{t}/award"),
                &fo_ref.token,
                json!({"bid_id": b}),
            )
            .await
    });
    let answers = futures::future::join_all(awards).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    let refused = answers.iter().filter(|a| a.status == 409).count();
    assert_eq!(
        (created, refused),
        (1, 3),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(app.count("contract").await, 1);
    assert_eq!(status_of(&app, &fo, t).await, "awarded");
    assert_audit_intact(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_submissions_of_one_organisation_keep_one_live_bid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let mut staff = vec![org.clone()];
    for _ in 0..5 {
        staff.push(
            app.user_in(Role::Organisation, None, org.organisation_id)
                .await,
        );
    }
    let app_ref = &app;
    let submissions = staff.iter().enumerate().map(|(i, u)| async move {
        app_ref
            .post(
                &bids_path(t),
                &u.token,
                json!({"amount": format!("{}.00", 1000 + i), "proposal": "方案"}),
            )
            .await
    });
    let answers = futures::future::join_all(submissions).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(app.count("bid").await, 1);
    assert_audit_intact(&app).await;
}

// --- audit ------------------------------------------------------------------------------

#[tokio::test]
async fn every_tender_and_bid_change_is_audited_once_and_refusals_are_not() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = draft(&app, &fo, app.tender_body(line, "300000.00")).await;
    let path = tender_path(t);
    app.patch(&path, &fo.token, json!({"title": "社区养老服务"}))
        .await
        .expect(200);
    app.act(&format!("{path}/publish"), &fo.token)
        .await
        .expect(200);
    let a = app.user(Role::Organisation).await;
    let b = app.user(Role::Organisation).await;
    let bid_a = app.bid(&a, t, "100.00").await;
    app.bid(&b, t, "110.00").await;
    app.post(
        &bids_path(t),
        &a.token,
        json!({"amount": "90.00", "proposal": "修订"}),
    )
    .await
    .expect(200);
    // Refusals write nothing.
    let events = app.count("audit_event").await;
    app.act(&format!("{path}/close"), &fo.token)
        .await
        .expect(409);
    app.post(
        &bids_path(t),
        &a.token,
        json!({"amount": "300000.01", "proposal": "方案"}),
    )
    .await
    .expect(422);
    assert_eq!(app.count("audit_event").await, events);

    app.clock.advance(Duration::days(11));
    app.act(&format!("{path}/close"), &fo.token)
        .await
        .expect(200);
    app.patch(
        &format!("/api/v1/bids/{bid_a}"),
        &fo.token,
        json!({"score": 90}),
    )
    .await
    .expect(200);
    let contract = app
        .post(
            &format!("{path}/award"),
            &fo.token,
            json!({"bid_id": bid_a}),
        )
        .await
        .expect(201)
        .id();

    // (The only tender, bids and contract of this database: no need to match ids.)
    for action in ["create", "update", "publish", "close", "award"] {
        let n = app
            .count(&format!(
                "audit_event WHERE entity_type = 'tender' AND action = '{action}' AND actor_user_id IS NOT NULL"
            ))
            .await;
        assert_eq!(n, 1, "{action}");
    }
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'tender'").await,
        5
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'bid' AND action = 'submit_bid'")
            .await,
        2
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'bid' AND action = 'replace_bid'")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'bid' AND action = 'score_bid'")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'contract'")
            .await,
        1
    );
    app.get(&format!("/api/v1/contracts/{contract}"), &fo.token)
        .await
        .expect(200);
    assert_audit_intact(&app).await;
}

// --- order of checks (SPEC §1: 401 → 403 → 404 → 422/415 → 409) ---------------------

#[tokio::test]
async fn a_role_that_may_never_act_gets_403_whatever_the_body() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let org = app.user(Role::Organisation).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let p = app.published_tender(&fo, line, "100.00").await;
    let b = app.bid(&org, p, "10.00").await;
    app.clock.advance(Duration::days(11));

    app.post("/api/v1/tenders", &sup.token, json!({"colour": "red"}))
        .await
        .expect(403);
    app.post("/api/v1/tenders", &org.token, json!({}))
        .await
        .expect(403);
    app.patch(
        &tender_path(d),
        &admin.token,
        json!({"status": "published"}),
    )
    .await
    .expect(403);
    app.post(
        &format!("{}/cancel", tender_path(d)),
        &sup.token,
        json!({"why": "x"}),
    )
    .await
    .expect(403);
    app.post(
        &format!("{}/award", tender_path(p)),
        &org.token,
        json!({"bid_id": "x"}),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/bids/{b}"),
        &admin.token,
        json!({"score": 101}),
    )
    .await
    .expect(403);
    app.post(&bids_path(p), &fo.token, json!({"amount": 5}))
        .await
        .expect(403);
}

#[tokio::test]
async fn another_partys_tender_is_404_whatever_the_body() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let org = app.user(Role::Organisation).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let p = app.published_tender(&fo, line, "100.00").await;
    let b = app.bid(&org, p, "10.00").await;

    for action in ["cancel", "unsuccessful"] {
        for t in [d, Uuid::new_v4()] {
            app.post(
                &format!("{}/{action}", tender_path(t)),
                &other.token,
                json!({"reason": ""}),
            )
            .await
            .expect(404);
        }
    }
    // A draft does not exist for organisations, whatever they send.
    app.post(
        &bids_path(d),
        &org.token,
        json!({"amount": "0.00", "proposal": ""}),
    )
    .await
    .expect(404);
    // Before the deadline a bid does not exist for the officer, whatever the score.
    app.patch(
        &format!("/api/v1/bids/{b}"),
        &fo.token,
        json!({"score": 101}),
    )
    .await
    .expect(404);
    app.patch(
        &format!("/api/v1/bids/{b}"),
        &other.token,
        json!({"score": 101}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn to_award_lists_what_waits_for_the_officer_after_its_deadline() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (closed, _) = app.closed_tender(&fo, line, "1000.00", &["900.00"]).await;
    let passed = app.published_tender(&fo, line, "1000.00").await;
    app.clock.advance(Duration::days(11));
    let mut later = app.tender_body(line, "1000.00");
    later["service_start"] = json!("2026-06-01");
    let open = draft(&app, &fo, later).await;
    app.act(&format!("{}/publish", tender_path(open)), &fo.token)
        .await
        .expect(200);
    let drafted = draft(&app, &fo, app.tender_body(line, "1000.00")).await;
    let cancelled = draft(&app, &fo, app.tender_body(line, "1000.00")).await;
    app.post(
        &format!("{}/cancel", tender_path(cancelled)),
        &fo.token,
        json!({"reason": "预算调整"}),
    )
    .await
    .expect(200);
    // The ids listed for a query, and the ids expected.
    let list = async |q: &str| -> BTreeSet<String> {
        let a = app.get(&format!("/api/v1/tenders{q}"), &fo.token).await;
        ids(&a.expect(200)).into_iter().collect()
    };
    let set = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<BTreeSet<_>>();
    assert_eq!(list("?to_award=true").await, set(&[closed, passed]));
    assert_eq!(
        list("?to_award=false").await,
        set(&[open, drafted, cancelled])
    );
    assert_eq!(list("?to_award=true&status=closed").await, set(&[closed]));
    app.get("/api/v1/tenders?to_award=maybe", &fo.token)
        .await
        .expect(422);
    // The OpenAPI document names the filter.
    let doc = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    let params = doc["paths"]["/api/v1/tenders"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    assert!(
        params
            .iter()
            .any(|p| p["name"] == "to_award" && p["in"] == "query")
    );
}
