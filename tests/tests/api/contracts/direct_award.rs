//! Direct awards: who may, for which purchaser, line and organisation, and the fields refused.

use super::*;

#[tokio::test]
async fn a_finance_officer_direct_awards_a_draft_contract() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    let a = app
        .post(
            "/api/v1/contracts",
            &fo.token,
            app.direct_award_body(&fo, org, line, "80000.00"),
        )
        .await
        .expect(201);
    let c = &a.body;
    assert_eq!(c["status"], "draft");
    assert_eq!(c["value"], "80000.00");
    assert_eq!(c["purchaser_id"], fo.purchaser_id.unwrap().to_string());
    assert_eq!(c["organisation_id"], org.to_string());
    assert_eq!(c["budget_line_id"], line.to_string());
    assert_eq!(c["tender_id"], Value::Null);
    assert_eq!(c["signed_at"], Value::Null);
    assert_eq!(c["start_date"], "2026-04-01");
    assert_eq!(c["end_date"], "2026-12-31");
    assert_eq!(c["service_category"], "elderly");
    assert_eq!(c["division_code"], "410523");
    assert_eq!(c["direct_award_reason"], "单一来源：唯一具备资质的服务机构");
    assert_eq!(
        c["responsible_officer_id"],
        fo.user_id.to_string(),
        "defaults to its creator"
    );
    assert_eq!(
        c["performance_rule"],
        json!({"full_pay_score": 80, "min_pay_score": 60})
    );
    // A draft commits nothing.
    assert_eq!(
        figures(&app, &fo, line).await,
        ("0.00".into(), "500000.00".into())
    );
    assert_eq!(
        app.count(&format!(
            "audit_event WHERE entity_type = 'contract' AND action = 'create' AND after_json LIKE '%{}%'",
            a.id()
        ))
        .await,
        1,
        "one create event naming the contract"
    );
    let read = app.get(&contract_path(a.id()), &fo.token).await.expect(200);
    assert_eq!(read.body, a.body);
}

#[tokio::test]
async fn only_finance_officers_may_direct_award() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.user(Role::Organisation).await;
    let body = app.direct_award_body(&fo, org.organisation_id.unwrap(), line, "80000.00");
    for role in [Role::Organisation, Role::Supervisor, Role::Admin] {
        let u = if role == Role::Organisation {
            org.clone()
        } else {
            app.user(role).await
        };
        app.post("/api/v1/contracts", &u.token, body.clone())
            .await
            .expect(403);
    }
    assert_eq!(app.count("contract").await, 0);
}

#[tokio::test]
async fn a_direct_award_for_another_purchaser_is_not_found() {
    let app = TestApp::new().await;
    let mine = app.user(Role::FinanceOfficer).await;
    let theirs = app.user(Role::FinanceOfficer).await;
    let their_line = app.budget_line(&theirs, "500000.00").await;
    let org = app.organisation().await;
    let body = app.direct_award_body(&theirs, org, their_line, "80000.00");
    app.post("/api/v1/contracts", &mine.token, body)
        .await
        .expect(404);
    assert_eq!(app.count("contract").await, 0);
}

#[tokio::test]
async fn a_budget_line_of_another_purchaser_is_refused_on_budget_line_id() {
    let app = TestApp::new().await;
    let mine = app.user(Role::FinanceOfficer).await;
    let theirs = app.user(Role::FinanceOfficer).await;
    let their_line = app.budget_line(&theirs, "500000.00").await;
    let org = app.organisation().await;
    let a = app
        .post(
            "/api/v1/contracts",
            &mine.token,
            app.direct_award_body(&mine, org, their_line, "80000.00"),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["budget_line_id"]);
    let a = app
        .post(
            "/api/v1/contracts",
            &mine.token,
            app.direct_award_body(&mine, org, Uuid::now_v7(), "80000.00"),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["budget_line_id"]);
    assert_eq!(app.count("contract").await, 0);
}

#[tokio::test]
async fn a_direct_award_needs_its_reason() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    let mut body = app.direct_award_body(&fo, org, line, "80000.00");
    body.as_object_mut().unwrap().remove("direct_award_reason");
    let a = app
        .post("/api/v1/contracts", &fo.token, body.clone())
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["direct_award_reason"]);
    body["direct_award_reason"] = json!("   ");
    let a = app
        .post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["direct_award_reason"]);
    assert_eq!(app.count("contract").await, 0);
}

#[tokio::test]
async fn a_suspended_organisation_cannot_be_awarded() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    suspend(&app, org).await;
    let a = app
        .post(
            "/api/v1/contracts",
            &fo.token,
            app.direct_award_body(&fo, org, line, "80000.00"),
        )
        .await
        .expect(409);
    assert_eq!(a.headers["content-type"], "application/problem+json");
    let missing = app
        .post(
            "/api/v1/contracts",
            &fo.token,
            app.direct_award_body(&fo, Uuid::now_v7(), line, "80000.00"),
        )
        .await
        .expect(422);
    assert_eq!(missing.error_fields(), ["organisation_id"]);
    assert_eq!(app.count("contract").await, 0);
}

#[tokio::test]
async fn the_responsible_officer_must_be_a_finance_officer_of_the_purchaser() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let colleague = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    let stranger = app.user(Role::FinanceOfficer).await;
    let staff = app.user(Role::Organisation).await;
    let supervisor = app.user(Role::Supervisor).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    for wrong in [
        stranger.user_id,
        staff.user_id,
        supervisor.user_id,
        Uuid::now_v7(),
    ] {
        let mut body = app.direct_award_body(&fo, org, line, "80000.00");
        body["responsible_officer_id"] = json!(wrong);
        let a = app
            .post("/api/v1/contracts", &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["responsible_officer_id"]);
    }
    assert_eq!(app.count("contract").await, 0);
    let mut body = app.direct_award_body(&fo, org, line, "80000.00");
    body["responsible_officer_id"] = json!(colleague.user_id);
    let a = app
        .post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(201);
    assert_eq!(
        a.body["responsible_officer_id"],
        colleague.user_id.to_string()
    );
    // A draft can be handed to another officer, but only to one of the purchaser's.
    let path = contract_path(a.id());
    let e = app
        .patch(
            &path,
            &fo.token,
            json!({"responsible_officer_id": stranger.user_id}),
        )
        .await
        .expect(422);
    assert_eq!(e.error_fields(), ["responsible_officer_id"]);
    let p = app
        .patch(
            &path,
            &fo.token,
            json!({"responsible_officer_id": fo.user_id}),
        )
        .await
        .expect(200);
    assert_eq!(p.body["responsible_officer_id"], fo.user_id.to_string());
}

#[tokio::test]
async fn a_performance_rule_with_min_above_full_is_refused() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    let mut body = app.direct_award_body(&fo, org, line, "80000.00");
    body["performance_rule"] = json!({"full_pay_score": 70, "min_pay_score": 75});
    let a = app
        .post("/api/v1/contracts", &fo.token, body.clone())
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["performance_rule"]);
    for bad in [
        json!({"full_pay_score": 80, "min_pay_score": 72.35}),
        json!({"full_pay_score": 100.5, "min_pay_score": 60}),
        json!({"full_pay_score": "80", "min_pay_score": 60}),
        json!({"full_pay_score": 80}),
    ] {
        body["performance_rule"] = bad.clone();
        let a = app
            .post("/api/v1/contracts", &fo.token, body.clone())
            .await
            .expect(422);
        let fields = a.error_fields();
        assert!(
            fields.len() == 1 && fields[0].starts_with("performance_rule"),
            "{bad}: {fields:?}"
        );
    }
    assert_eq!(app.count("contract").await, 0);
    body["performance_rule"] = json!({"full_pay_score": 85, "min_pay_score": 62.5});
    let ok = app
        .post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(201);
    assert_eq!(
        ok.body["performance_rule"],
        json!({"full_pay_score": 85, "min_pay_score": 62.5})
    );
    let e = app
        .patch(
            &contract_path(ok.id()),
            &fo.token,
            json!({"performance_rule": {"full_pay_score": 50, "min_pay_score": 60}}),
        )
        .await
        .expect(422);
    assert_eq!(e.error_fields(), ["performance_rule"]);
}

#[tokio::test]
async fn a_period_over_a_year_needs_a_multi_year_reason() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "5000000.00").await;
    let org = app.organisation().await;
    let with = |end: &str, multi: Option<&str>| {
        let mut b = app.direct_award_body(&fo, org, line, "80000.00");
        b["end_date"] = json!(end);
        if let Some(r) = multi {
            b["multi_year_reason"] = json!(r);
        }
        b
    };
    // One year less a day is the longest single-year period.
    app.post("/api/v1/contracts", &fo.token, with("2027-03-31", None))
        .await
        .expect(201);
    for (end, multi) in [
        ("2027-04-01", None),
        ("2027-04-01", Some("  ")),
        ("2029-04-01", Some("服务需求稳定，资金已落实")),
        ("2026-03-31", None),
    ] {
        let a = app
            .post("/api/v1/contracts", &fo.token, with(end, multi))
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["end_date"], "{end} {multi:?}");
    }
    let multi = app
        .post(
            "/api/v1/contracts",
            &fo.token,
            with("2029-03-31", Some("服务需求稳定，资金已落实")),
        )
        .await
        .expect(201);
    assert_eq!(multi.body["multi_year_reason"], "服务需求稳定，资金已落实");
    assert_eq!(app.count("contract").await, 2);
}

#[tokio::test]
async fn money_as_a_json_number_is_refused() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    for value in [
        json!(80000),
        json!(80000.5),
        json!("1.005"),
        json!("-5.00"),
        json!("0.00"),
    ] {
        let mut body = app.direct_award_body(&fo, org, line, "1.00");
        body["value"] = value.clone();
        let a = app
            .post("/api/v1/contracts", &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["value"], "{value}");
    }
    assert_eq!(app.count("contract").await, 0);
}

#[tokio::test]
async fn fields_the_server_sets_and_unknown_fields_are_refused() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    for (field, value) in [
        ("status", json!("active")),
        ("signed_at", json!("2026-03-02T00:00:00Z")),
        ("signed_value", json!("1.00")),
        ("tender_id", json!(Uuid::now_v7())),
        ("id", json!(Uuid::now_v7())),
        ("colour", json!("red")),
    ] {
        let mut body = app.direct_award_body(&fo, org, line, "80000.00");
        body[field] = value;
        let a = app
            .post("/api/v1/contracts", &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field]);
    }
    let id = app.draft_contract(&fo, org, line, "80000.00").await;
    let a = app
        .patch(&contract_path(id), &fo.token, json!({"status": "active"}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["status"]);
    let a = app
        .patch(
            &contract_path(id),
            &fo.token,
            json!({"organisation_id": Uuid::now_v7()}),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["organisation_id"]);
    assert_eq!(app.count("contract WHERE status = 'draft'").await, 1);
}
