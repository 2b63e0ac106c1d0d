//! The money rules of SPEC §3 that a review found breakable: every change of a contract's value
//! or a milestone's amount keeps milestones + advances ≤ value; reports are decided only while
//! the contract is active; a suspension with an end lapses by itself; a report cannot carry more
//! measurements than its contract has indicators. Each refusal leaves nothing written.

use chrono::{TimeZone, Utc};
use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::{Answer, TestApp, World};
use uuid::Uuid;

async fn add_milestone(app: &TestApp, d: &World, amount: &str) -> Answer {
    app.post(
        &format!("/api/v1/contracts/{}/milestones", d.contract),
        &d.fo.token,
        json!({"title": "第一阶段服务", "due_date": "2026-06-30", "amount": amount}),
    )
    .await
}

async fn advance(app: &TestApp, d: &World, amount: &str, voucher: &str) -> Answer {
    app.pay(
        &d.fo.token,
        d.contract,
        json!({"amount": amount, "paid_on": "2026-03-02", "voucher_no": voucher}),
    )
    .await
}

async fn contract(app: &TestApp, d: &World) -> Value {
    app.get(&format!("/api/v1/contracts/{}", d.contract), &d.fo.token)
        .await
        .expect(200)
        .body
}

#[tokio::test]
async fn a_drafts_value_cannot_go_below_its_milestones() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    add_milestone(&app, &d, "6000.00").await.expect(201);
    let path = format!("/api/v1/contracts/{}", d.contract);
    app.patch(&path, &d.fo.token, json!({"value": "5999.99"}))
        .await
        .expect(409);
    assert_eq!(contract(&app, &d).await["value"], "10000.00");
    app.patch(&path, &d.fo.token, json!({"value": "6000.00"}))
        .await
        .expect(200);
    assert_eq!(contract(&app, &d).await["value"], "6000.00");
}

#[tokio::test]
async fn a_milestones_new_amount_counts_the_advances_paid() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    let m = add_milestone(&app, &d, "4000.00").await.expect(201).id();
    advance(&app, &d, "5000.00", "YF-1").await.expect(201);
    let path = format!("/api/v1/milestones/{m}");
    app.patch(&path, &d.fo.token, json!({"amount": "5000.01"}))
        .await
        .expect(409);
    let now = app.get(&path, &d.fo.token).await.expect(200).body;
    assert_eq!(now["amount"], "4000.00");
    app.patch(&path, &d.fo.token, json!({"amount": "5000.00"}))
        .await
        .expect(200);
}

#[tokio::test]
async fn an_amendment_cannot_go_below_the_milestones_and_advances_together() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    add_milestone(&app, &d, "4000.00").await.expect(201);
    advance(&app, &d, "3000.00", "YF-1").await.expect(201);
    let path = format!("/api/v1/contracts/{}/amendments", d.contract);
    // Each alone fits (4000 planned, 3000 paid); together they need 7000.
    app.post(
        &path,
        &d.fo.token,
        json!({"value": "6999.99", "reason": "减少服务"}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("amendment").await, 0);
    assert_eq!(contract(&app, &d).await["value"], "10000.00");
    app.post(
        &path,
        &d.fo.token,
        json!({"value": "7000.00", "reason": "减少服务"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn a_report_pending_when_the_contract_ends_stays_undecided() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    let m = add_milestone(&app, &d, "6000.00").await.expect(201).id();
    app.post(
        &format!("/api/v1/milestones/{m}/reports"),
        &d.staff.token,
        json!({"summary": "本期服务已完成", "measurements": []}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/contracts/{}/terminate", d.contract),
        &d.fo.token,
        json!({"reason": "机构违约"}),
    )
    .await
    .expect(200);
    let line = format!("/api/v1/budget-lines/{}", d.line);
    let committed = app.get(&line, &d.fo.token).await.expect(200).body["committed"].clone();
    assert_eq!(committed, "0.00");
    let accept = app
        .act(&format!("/api/v1/milestones/{m}/accept"), &d.fo.token)
        .await
        .expect(409);
    assert_eq!(accept.body["code"], "contract.not_active");
    app.post(
        &format!("/api/v1/milestones/{m}/reject"),
        &d.fo.token,
        json!({"comment": "材料不全"}),
    )
    .await
    .expect(409);
    let after = app
        .get(&format!("/api/v1/milestones/{m}"), &d.fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(after["status"], "submitted");
    assert_eq!(after["payable"], Value::Null);
    assert_eq!(
        app.count_where("milestone_report", "decision IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.get(&line, &d.fo.token).await.expect(200).body["committed"],
        committed
    );
}

#[tokio::test]
async fn a_suspension_ends_by_itself_after_its_last_day_in_local_time() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let admin = app.user(Role::Admin).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let org = app.organisation().await;
    let org_path = format!("/api/v1/organisations/{org}");
    app.patch(
        &org_path,
        &admin.token,
        json!({"status": "suspended", "status_reason": "年度检查不合格", "status_until": "2026-03-10"}),
    )
    .await
    .expect(200);
    let award = || async {
        app.post(
            "/api/v1/contracts",
            &fo.token,
            app.direct_award_body(&fo, org, line, "1000.00"),
        )
        .await
    };
    award().await.expect(409);
    // 23:00 on 10 March in Shanghai (15:00 UTC): still the last day of the suspension.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap());
    award().await.expect(409);
    let listed = |status: &'static str| {
        let path = format!("/api/v1/organisations?status={status}");
        let token = admin.token.clone();
        let app = &app;
        async move {
            app.get(&path, &token).await.expect(200).body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == org.to_string())
        }
    };
    assert!(listed("suspended").await);
    assert!(!listed("active").await);
    // Midnight of 11 March in Shanghai (16:00 UTC on the 10th): the suspension has ended.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 10, 16, 0, 0).unwrap());
    let got = app.get(&org_path, &admin.token).await.expect(200).body;
    assert_eq!(got["status"], "active");
    assert!(listed("active").await);
    assert!(!listed("suspended").await);
    let id = award().await.expect(201).id();
    app.act(&format!("/api/v1/contracts/{id}/sign"), &fo.token)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_report_with_more_measurements_than_indicators_is_refused_with_422() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    let indicators = app
        .post(
            &format!("/api/v1/contracts/{}/indicators", d.contract),
            &d.fo.token,
            json!([
                {"code": "A", "name": "走访户数", "unit": "户", "target": 10, "comparator": "at_least", "weight": 50},
                {"code": "B", "name": "满意度", "unit": "%", "target": 90, "comparator": "at_least", "weight": 50},
            ]),
        )
        .await
        .expect(201)
        .body;
    app.act(
        &format!("/api/v1/contracts/{}/sign", d.contract),
        &d.fo.token,
    )
    .await
    .expect(200);
    let m = add_milestone(&app, &d, "6000.00").await.expect(201).id();
    let own: Vec<Value> = indicators
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({"indicator_id": i["id"], "value": 5}))
        .collect();
    let path = format!("/api/v1/milestones/{m}/reports");
    for extra in [1, 600] {
        let mut measurements = own.clone();
        measurements
            .extend((0..extra).map(|_| json!({"indicator_id": Uuid::new_v4(), "value": 1})));
        let a = app
            .post(
                &path,
                &d.staff.token,
                json!({"summary": "本期服务已完成", "measurements": measurements}),
            )
            .await
            .expect(422);
        assert!(
            a.error_fields()
                .iter()
                .any(|f| f.starts_with("measurements")),
            "{}",
            a.text
        );
    }
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("measurement").await, 0);
    let after = app
        .get(&format!("/api/v1/milestones/{m}"), &d.fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(after["status"], "planned");
    app.post(
        &path,
        &d.staff.token,
        json!({"summary": "本期服务已完成", "measurements": own}),
    )
    .await
    .expect(201);
}
