//! Amendments: history, the ten per cent limit, the line, the period, the milestones and what was paid.

use super::*;

#[tokio::test]
async fn amendments_keep_the_old_values_in_the_history() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.user(Role::Organisation).await;
    let id = app
        .active_contract(&fo, org.organisation_id.unwrap(), line, "100000.00")
        .await;
    let a = amend(
        &app,
        &fo,
        id,
        json!({"value": "105000.00", "reason": "服务人数增加"}),
    )
    .await
    .expect(201);
    assert_eq!(a.body["contract_id"], id.to_string());
    assert_eq!(a.body["old_value"], "100000.00");
    assert_eq!(a.body["new_value"], "105000.00");
    assert_eq!(a.body["old_end_date"], "2026-12-31");
    assert_eq!(a.body["new_end_date"], "2026-12-31");
    assert_eq!(a.body["reason"], "服务人数增加");
    assert_eq!(a.body["created_by"], fo.user_id.to_string());
    let b = amend(
        &app,
        &fo,
        id,
        json!({"end_date": "2027-03-31", "reason": "延长服务期"}),
    )
    .await
    .expect(201);
    assert_eq!(
        (b.body["old_value"].as_str(), b.body["new_value"].as_str()),
        (Some("105000.00"), Some("105000.00"))
    );
    assert_eq!(
        (
            b.body["old_end_date"].as_str(),
            b.body["new_end_date"].as_str()
        ),
        (Some("2026-12-31"), Some("2027-03-31"))
    );

    let history = app
        .get(&format!("/api/v1/contracts/{id}/amendments"), &org.token)
        .await
        .expect(200)
        .body;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], a.body);
    assert_eq!(items[1], b.body);

    let c = app
        .get(&contract_path(id), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(c["value"], "105000.00");
    assert_eq!(c["end_date"], "2027-03-31");
    assert_eq!(c["signed_value"], "100000.00", "the signed value stays");
    assert_eq!(c["status"], "active");
    assert_eq!(
        figures(&app, &fo, line).await,
        ("105000.00".into(), "395000.00".into())
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'amendment' AND action = 'create'")
            .await,
        2
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'contract' AND action = 'amend'")
            .await,
        2
    );
}

#[tokio::test]
async fn amendments_only_apply_to_active_contracts() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        organisation: org,
        contract: draft,
        ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .draft()
        .await;
    amend(
        &app,
        &fo,
        draft,
        json!({"value": "101000.00", "reason": "增加服务"}),
    )
    .await
    .expect(409);
    let completed = app.active_contract(&fo, org, line, "100000.00").await;
    app.act(&format!("{}/complete", contract_path(completed)), &fo.token)
        .await
        .expect(200);
    amend(
        &app,
        &fo,
        completed,
        json!({"end_date": "2027-01-31", "reason": "延期"}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("amendment").await, 0);
    assert_eq!(
        app.get(&format!("/api/v1/contracts/{draft}/amendments"), &fo.token)
            .await
            .expect(200)
            .body["items"],
        json!([])
    );
}

#[tokio::test]
async fn increases_together_stay_within_ten_percent_of_the_signed_value() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .await;
    amend(
        &app,
        &fo,
        id,
        json!({"value": "104000.00", "reason": "第一次增加"}),
    )
    .await
    .expect(201);
    // 6 000 more makes exactly 10 % of the signed value in total.
    amend(
        &app,
        &fo,
        id,
        json!({"value": "110000.00", "reason": "第二次增加"}),
    )
    .await
    .expect(201);
    amend(
        &app,
        &fo,
        id,
        json!({"value": "110000.01", "reason": "第三次增加"}),
    )
    .await
    .expect(409);
    // Changing only the end date is still allowed.
    amend(
        &app,
        &fo,
        id,
        json!({"end_date": "2027-01-31", "reason": "延期"}),
    )
    .await
    .expect(201);
    let c = app
        .get(&contract_path(id), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(c["value"], "110000.00");
    assert_eq!(app.count("amendment").await, 3);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("110000.00".into(), "390000.00".into())
    );
}

#[tokio::test]
async fn only_increases_count_towards_the_ten_percent() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .await;
    amend(
        &app,
        &fo,
        id,
        json!({"value": "90000.00", "reason": "减少服务"}),
    )
    .await
    .expect(201);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("90000.00".into(), "410000.00".into())
    );
    // +15 000 is 5 % above the signed value, but an increase of 15 % of it: refused.
    amend(
        &app,
        &fo,
        id,
        json!({"value": "105000.00", "reason": "增加服务"}),
    )
    .await
    .expect(409);
    // +10 000 back to the signed value uses the whole allowance.
    amend(
        &app,
        &fo,
        id,
        json!({"value": "100000.00", "reason": "恢复服务"}),
    )
    .await
    .expect(201);
    amend(
        &app,
        &fo,
        id,
        json!({"value": "100000.01", "reason": "增加服务"}),
    )
    .await
    .expect(409);
    // Decreases stay allowed.
    amend(
        &app,
        &fo,
        id,
        json!({"value": "95000.00", "reason": "减少服务"}),
    )
    .await
    .expect(201);
    amend(
        &app,
        &fo,
        id,
        json!({"value": "95000.01", "reason": "增加服务"}),
    )
    .await
    .expect(409);
    let c = app
        .get(&contract_path(id), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(c["value"], "95000.00");
    assert_eq!(app.count("amendment").await, 3);
}

#[tokio::test]
async fn an_increase_the_budget_line_cannot_cover_is_refused() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        organisation: org,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("103000.00")
        .value("100000.00")
        .await;
    amend(
        &app,
        &fo,
        id,
        json!({"value": "105000.00", "reason": "增加服务"}),
    )
    .await
    .expect(409);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("100000.00".into(), "3000.00".into())
    );
    amend(
        &app,
        &fo,
        id,
        json!({"value": "103000.00", "reason": "增加服务"}),
    )
    .await
    .expect(201);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("103000.00".into(), "0.00".into())
    );
    // What another contract holds on the line counts too.
    let line2 = app.budget_line(&fo, "210000.00").await;
    let a = app.active_contract(&fo, org, line2, "100000.00").await;
    let b = app.active_contract(&fo, org, line2, "100000.00").await;
    amend(
        &app,
        &fo,
        a,
        json!({"value": "108000.00", "reason": "增加服务"}),
    )
    .await
    .expect(201);
    amend(
        &app,
        &fo,
        b,
        json!({"value": "102000.01", "reason": "增加服务"}),
    )
    .await
    .expect(409);
    amend(
        &app,
        &fo,
        b,
        json!({"value": "102000.00", "reason": "增加服务"}),
    )
    .await
    .expect(201);
    assert_eq!(
        figures(&app, &fo, line2).await,
        ("210000.00".into(), "0.00".into())
    );
}

#[tokio::test]
async fn an_amended_end_date_keeps_to_the_period_limit() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        organisation: org,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .await;
    for end in ["2027-04-01", "2026-03-31"] {
        let a = amend(&app, &fo, id, json!({"end_date": end, "reason": "延期"}))
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["end_date"], "{end}");
    }
    amend(
        &app,
        &fo,
        id,
        json!({"end_date": "2027-03-31", "reason": "延期"}),
    )
    .await
    .expect(201);
    // A multi-year contract may run up to three years.
    let mut body = app.direct_award_body(&fo, org, line, "100000.00");
    body["multi_year_reason"] = json!("服务需求稳定，资金已落实");
    let multi = app
        .post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(201)
        .id();
    app.act(&format!("{}/sign", contract_path(multi)), &fo.token)
        .await
        .expect(200);
    amend(
        &app,
        &fo,
        multi,
        json!({"end_date": "2029-03-31", "reason": "延期"}),
    )
    .await
    .expect(201);
    let a = amend(
        &app,
        &fo,
        multi,
        json!({"end_date": "2029-04-01", "reason": "延期"}),
    )
    .await
    .expect(422);
    assert_eq!(a.error_fields(), ["end_date"]);
    assert_eq!(app.count("amendment").await, 2);
}

#[tokio::test]
async fn an_amendment_needs_a_reason_and_a_change() {
    let app = TestApp::new().await;
    let World {
        fo, contract: id, ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .await;
    for (body, field) in [
        (json!({"value": "101000.00"}), "reason"),
        (json!({"value": "101000.00", "reason": "  "}), "reason"),
        (json!({"value": 101000, "reason": "增加服务"}), "value"),
        (json!({"value": "0.00", "reason": "减少服务"}), "value"),
        (json!({"reason": "没有变化"}), "value"),
        (
            json!({"value": "101000.00", "reason": "增加服务", "old_value": "1.00"}),
            "old_value",
        ),
    ] {
        let a = amend(&app, &fo, id, body.clone()).await.expect(422);
        assert_eq!(a.error_fields(), [field], "{body}");
    }
    assert_eq!(app.count("amendment").await, 0);
    assert_eq!(
        app.get(&contract_path(id), &fo.token)
            .await
            .expect(200)
            .body["value"],
        "100000.00"
    );
}

#[tokio::test]
async fn an_amendment_cannot_go_below_the_milestones_or_what_was_paid() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        organisation: org,
        contract: planned,
        ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .await;
    app.post(
        &format!("/api/v1/contracts/{planned}/milestones"),
        &fo.token,
        json!({"title": "第一阶段", "due_date": "2026-06-30", "amount": "60000.00"}),
    )
    .await
    .expect(201);
    amend(
        &app,
        &fo,
        planned,
        json!({"value": "59999.99", "reason": "减少服务"}),
    )
    .await
    .expect(409);
    amend(
        &app,
        &fo,
        planned,
        json!({"value": "60000.00", "reason": "减少服务"}),
    )
    .await
    .expect(201);

    let paid = app.active_contract(&fo, org, line, "100000.00").await;
    app.pay(
        &fo.token,
        paid,
        json!({"amount": "30000.00", "paid_on": "2026-03-02", "voucher_no": "YF-001"}),
    )
    .await
    .expect(201);
    amend(
        &app,
        &fo,
        paid,
        json!({"value": "29999.99", "reason": "减少服务"}),
    )
    .await
    .expect(409);
    amend(
        &app,
        &fo,
        paid,
        json!({"value": "30000.00", "reason": "减少服务"}),
    )
    .await
    .expect(201);
    assert_eq!(app.count("amendment").await, 2);
}

#[tokio::test]
async fn completing_needs_every_milestone_accepted_or_cancelled() {
    let app = TestApp::new().await;
    let World {
        fo, contract: id, ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .await;
    let m = app
        .post(
            &format!("/api/v1/contracts/{id}/milestones"),
            &fo.token,
            json!({"title": "第一阶段", "due_date": "2026-06-30", "amount": "60000.00"}),
        )
        .await
        .expect(201)
        .id();
    app.act(&format!("{}/complete", contract_path(id)), &fo.token)
        .await
        .expect(409);
    app.post(
        &format!("/api/v1/milestones/{m}/cancel"),
        &fo.token,
        json!({"reason": "服务内容调整"}),
    )
    .await
    .expect(200);
    let c = app
        .act(&format!("{}/complete", contract_path(id)), &fo.token)
        .await
        .expect(200);
    assert_eq!(c.body["status"], "completed");
}

#[tokio::test]
async fn an_amendment_cannot_end_the_contract_before_a_milestone_is_due() {
    let app = TestApp::new().await;
    let World {
        fo, contract: id, ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("100000.00")
        .await;
    app.post(
        &format!("/api/v1/contracts/{id}/milestones"),
        &fo.token,
        json!({"title": "全年", "due_date": "2026-12-31", "amount": "60000.00"}),
    )
    .await
    .expect(201);
    let a = amend(
        &app,
        &fo,
        id,
        json!({"end_date": "2026-06-30", "reason": "提前结束"}),
    )
    .await;
    assert!(
        matches!(a.status.as_u16(), 409 | 422),
        "a milestone due 2026-12-31 is left after the contract's new end: {} {}",
        a.status,
        a.text
    );
}
