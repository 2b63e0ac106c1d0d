//! SPEC §6 "Errors": every refusal carries a specific, registered `code` (the problem's, and
//! each field error's), which the web interface translates. Representative refusals of each
//! kind, with their status unchanged.

use backend::error::Code;
use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp};
use uuid::Uuid;

/// The problem's code, after checking that it and every field error's code are registered.
#[track_caller]
fn code(a: &Answer) -> &str {
    let c = a.body["code"].as_str().expect("a problem has a code");
    assert!(Code::parse(c).is_some(), "unregistered code {c}");
    for e in a.body["errors"].as_array().into_iter().flatten() {
        let fc = e["code"].as_str().expect("a field error has a code");
        assert!(Code::parse(fc).is_some(), "unregistered field code {fc}");
    }
    c
}

/// The code of the field error naming `field`.
#[track_caller]
fn field_code<'a>(a: &'a Answer, field: &str) -> &'a str {
    assert_eq!(code(a), "validation.failed", "{}", a.text);
    a.body["errors"]
        .as_array()
        .and_then(|l| l.iter().find(|e| e["field"] == field))
        .and_then(|e| e["code"].as_str())
        .unwrap_or_else(|| panic!("no error for {field}: {}", a.text))
}

fn line_body(amount: Value) -> Value {
    json!({"fiscal_year": 2026, "code": "L-1", "name": "社工服务", "amount": amount, "source": "county"})
}

#[tokio::test]
async fn field_shapes_have_their_codes() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let post = |body: Value| {
        let app = &app;
        let token = fo.token.clone();
        async move { app.post("/api/v1/budget-lines", &token, body).await }
    };
    // A missing field, an unknown one, a wrong type, a word not in the list.
    let mut b = line_body(json!("100.00"));
    b.as_object_mut().unwrap().remove("name");
    let a = post(b).await.expect(422);
    assert_eq!(field_code(&a, "name"), "field.required");
    let mut b = line_body(json!("100.00"));
    b["committed"] = json!("0.00");
    let a = post(b).await.expect(422);
    assert_eq!(field_code(&a, "committed"), "field.unknown");
    let a = post(line_body(json!(100))).await.expect(422);
    assert_eq!(field_code(&a, "amount"), "field.type");
    let mut b = line_body(json!("100.00"));
    b["source"] = json!("mars");
    let a = post(b).await.expect(422);
    assert_eq!(field_code(&a, "source"), "field.choice");
    // The money rules.
    for (amount, want) in [
        ("1.234", "money.too_precise"),
        ("-1.00", "money.negative"),
        ("lots", "money.not_a_number"),
    ] {
        let a = post(line_body(json!(amount))).await.expect(422);
        assert_eq!(field_code(&a, "amount"), want, "{amount}");
    }
    // The services' checks: an empty text, a long one, a year out of range, all at once.
    let mut b = line_body(json!("100.00"));
    b["name"] = json!("   ");
    b["code"] = json!("x".repeat(65));
    b["fiscal_year"] = json!(1999);
    let a = post(b).await.expect(422);
    assert_eq!(field_code(&a, "name"), "field.required");
    assert_eq!(field_code(&a, "code"), "field.too_long");
    assert_eq!(field_code(&a, "fiscal_year"), "field.out_of_range");
    // A query parameter and a cursor.
    let a = app
        .get("/api/v1/budget-lines?limit=0", &fo.token)
        .await
        .expect(422);
    assert_eq!(field_code(&a, "limit"), "field.out_of_range");
    let a = app
        .get("/api/v1/budget-lines?cursor=nonsense", &fo.token)
        .await
        .expect(422);
    assert_eq!(field_code(&a, "cursor"), "cursor.invalid");
    // Nothing was written.
    assert_eq!(app.count("budget_line").await, 0);
}

#[tokio::test]
async fn record_rules_have_their_codes() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.organisation().await;
    let line = app.budget_line(&fo, "1000.00").await;
    let mut b = app.direct_award_body(&fo, org, line, "500.00");
    b["division_code"] = json!("4105");
    b["end_date"] = json!("2026-03-01");
    let a = app
        .post("/api/v1/contracts", &fo.token, b)
        .await
        .expect(422);
    assert_eq!(field_code(&a, "division_code"), "division.invalid");
    assert_eq!(field_code(&a, "end_date"), "field.date_order");
    let mut b = app.direct_award_body(&fo, org, line, "500.00");
    b["end_date"] = json!("2027-06-30");
    b["start_date"] = json!("2026-04-0x");
    let a = app
        .post("/api/v1/contracts", &fo.token, b)
        .await
        .expect(422);
    assert_eq!(field_code(&a, "start_date"), "field.date");
    let mut b = app.direct_award_body(&fo, org, line, "500.00");
    b["end_date"] = json!("2027-06-30");
    let a = app
        .post("/api/v1/contracts", &fo.token, b)
        .await
        .expect(422);
    assert_eq!(field_code(&a, "end_date"), "period.too_long");
    let mut b = app.direct_award_body(&fo, org, line, "500.00");
    b["budget_line_id"] = json!(Uuid::now_v7());
    let a = app
        .post("/api/v1/contracts", &fo.token, b)
        .await
        .expect(422);
    assert_eq!(field_code(&a, "budget_line_id"), "reference.unknown");
    // A duplicate unique value.
    let dup = app
        .post(
            "/api/v1/budget-lines",
            &fo.token,
            json!({"fiscal_year": 2026, "code": "L-D", "name": "社工服务", "amount": "1.00", "source": "county"}),
        )
        .await
        .expect(201);
    assert_eq!(dup.status, 201);
    let again = app
        .post(
            "/api/v1/budget-lines",
            &fo.token,
            json!({"fiscal_year": 2026, "code": "L-D", "name": "社工服务", "amount": "1.00", "source": "county"}),
        )
        .await
        .expect(409);
    assert_eq!(code(&again), "budget_line.duplicate");
}

async fn contract(app: &TestApp, fo: &Login, line_amount: &str, value: &str) -> Uuid {
    let org = app.organisation().await;
    let line = app.budget_line(fo, line_amount).await;
    app.draft_contract(fo, org, line, value).await
}

#[tokio::test]
async fn conflicts_have_their_codes() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    // The budget line cannot carry the contract: `budget.insufficient` (SPEC §6).
    let k = contract(&app, &fo, "1000.00", "5000.00").await;
    let a = app
        .act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(409);
    assert_eq!(code(&a), "budget.insufficient");
    assert!(a.body["detail"].as_str().unwrap().contains("budget line"));
    // A transition the life cycle does not allow: `state.transition`.
    let k = contract(&app, &fo, "10000.00", "5000.00").await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);
    let a = app
        .act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(409);
    assert_eq!(code(&a), "state.transition");
    let a = app
        .patch(
            &format!("/api/v1/contracts/{k}"),
            &fo.token,
            json!({"title": "新名称"}),
        )
        .await
        .expect(409);
    assert_eq!(code(&a), "contract.not_draft");
    // A voucher number used by a different payment, an advance beyond the unplanned value.
    let pay = |amount: &str, voucher: &str| {
        app.pay(
            &fo.token,
            k,
            json!({"amount": amount, "paid_on": "2026-03-02", "voucher_no": voucher}),
        )
    };
    pay("100.00", "PZ-1").await.expect(201);
    let a = pay("200.00", "PZ-1").await.expect(409);
    assert_eq!(code(&a), "voucher.duplicate");
    let a = pay("9000.00", "PZ-2").await.expect(409);
    assert_eq!(code(&a), "payment.advance_too_large");
    let a = pay("0.00", "PZ-3").await.expect(422);
    assert_eq!(field_code(&a, "amount"), "field.not_positive");
    // Milestones beyond the value.
    let a = app
        .post(
            &format!("/api/v1/contracts/{k}/milestones"),
            &fo.token,
            json!({"title": "第一阶段服务", "due_date": "2026-06-30", "amount": "6000.00"}),
        )
        .await
        .expect(409);
    assert_eq!(code(&a), "milestones.exceed_value");
}

#[tokio::test]
async fn tender_refusals_have_their_codes() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let staff = app.user(Role::Organisation).await;
    let line = app.budget_line(&fo, "1000.00").await;
    let body = app.tender_body(line, "5000.00");
    let t = app
        .post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201)
        .id();
    let a = app
        .act(&format!("/api/v1/tenders/{t}/publish"), &fo.token)
        .await
        .expect(409);
    assert_eq!(code(&a), "budget.insufficient");
    let line = app.budget_line(&fo, "10000.00").await;
    let t = app.published_tender(&fo, line, "5000.00").await;
    let a = app
        .act(&format!("/api/v1/tenders/{t}/close"), &fo.token)
        .await
        .expect(409);
    assert_eq!(code(&a), "tender.deadline_not_passed");
    let a = app
        .post(
            &format!("/api/v1/tenders/{t}/bids"),
            &staff.token,
            json!({"amount": "6000.00", "proposal": "服务方案"}),
        )
        .await
        .expect(422);
    assert_eq!(field_code(&a, "amount"), "bid.above_ceiling");
    app.clock.advance(chrono::Duration::days(11));
    let a = app
        .post(
            &format!("/api/v1/tenders/{t}/bids"),
            &staff.token,
            json!({"amount": "100.00", "proposal": "服务方案"}),
        )
        .await
        .expect(409);
    assert_eq!(code(&a), "tender.deadline_passed");
    app.act(&format!("/api/v1/tenders/{t}/close"), &fo.token)
        .await
        .expect(200);
    let a = app
        .post(
            &format!("/api/v1/tenders/{t}/bids"),
            &staff.token,
            json!({"amount": "100.00", "proposal": "服务方案"}),
        )
        .await
        .expect(409);
    assert_eq!(code(&a), "tender.not_published");
    // Closed with no bids: too few to award, and only a closed tender is marked unsuccessful.
    let a = app
        .post(
            &format!("/api/v1/tenders/{t}/award"),
            &fo.token,
            json!({"bid_id": Uuid::now_v7()}),
        )
        .await
        .expect(422);
    assert_eq!(field_code(&a, "bid_id"), "reference.unknown");
    let a = app
        .post(
            &format!("/api/v1/tenders/{t}/cancel"),
            &fo.token,
            json!({"reason": " "}),
        )
        .await
        .expect(422);
    assert_eq!(field_code(&a, "reason"), "field.required");
}

#[tokio::test]
async fn the_document_describes_the_codes() {
    let app = TestApp::new().await;
    let doc = app
        .call(axum::http::Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    let schemas = &doc.body["components"]["schemas"];
    for s in ["Problem", "FieldError"] {
        let c = &schemas[s]["properties"]["code"];
        assert!(
            c["description"]
                .as_str()
                .is_some_and(|d| d.contains("stable machine word")),
            "{s}: {c}"
        );
        assert!(
            c["examples"].is_array() || c["example"].is_string(),
            "{s}: {c}"
        );
    }
}
