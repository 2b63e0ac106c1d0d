//! Contracts: direct awards, their life cycle against the budget line, amendments within the
//! 10 % rule, who sees and changes them, lists, and races on amendments.

use std::collections::HashSet;

use entity::rules::vocab::Role;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp, World};
use uuid::Uuid;

fn contract_path(id: Uuid) -> String {
    format!("/api/v1/contracts/{id}")
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("money as a string, got {v}"))
        .parse()
        .expect("a decimal")
}

/// A budget line's `(committed, available)`.
async fn figures(app: &TestApp, fo: &Login, line: Uuid) -> (String, String) {
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    (
        l["committed"].as_str().unwrap().to_string(),
        l["available"].as_str().unwrap().to_string(),
    )
}

async fn amend(app: &TestApp, fo: &Login, id: Uuid, body: Value) -> Answer {
    app.post(
        &format!("/api/v1/contracts/{id}/amendments"),
        &fo.token,
        body,
    )
    .await
}

/// [`TestApp::post`] with owned arguments, for futures raced together.
async fn post_owned(app: &TestApp, path: String, token: String, body: Value) -> Answer {
    app.post(&path, &token, body).await
}

async fn suspend(app: &TestApp, org: Uuid) {
    let admin = app.user(Role::Admin).await;
    app.patch(
        &format!("/api/v1/organisations/{org}"),
        &admin.token,
        json!({"status": "suspended", "status_reason": "年度检查不合格"}),
    )
    .await
    .expect(200);
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

// --- Direct award -------------------------------------------------------------------------

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

// --- Life cycle -------------------------------------------------------------------------

#[tokio::test]
async fn a_draft_is_edited_and_an_active_contract_is_not() {
    let app = TestApp::new().await;
    let World {
        fo, contract: id, ..
    } = app
        .world()
        .line_amount("500000.00")
        .value("80000.00")
        .draft()
        .await;
    let path = contract_path(id);
    let e = app
        .patch(
            &path,
            &fo.token,
            json!({"title": "农村留守老人关爱服务（二期）", "value": "85000.50", "end_date": "2027-03-31"}),
        )
        .await
        .expect(200);
    assert_eq!(e.body["title"], "农村留守老人关爱服务（二期）");
    assert_eq!(e.body["value"], "85000.50");
    assert_eq!(e.body["end_date"], "2027-03-31");
    assert_eq!(e.body["status"], "draft");
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'contract' AND action = 'update'")
            .await,
        1
    );

    for (body, field) in [
        (json!({"end_date": "2027-04-01"}), "end_date"),
        (json!({"value": 85000}), "value"),
        (json!({"title": " "}), "title"),
        (json!({"direct_award_reason": ""}), "direct_award_reason"),
    ] {
        let a = app.patch(&path, &fo.token, body).await.expect(422);
        assert_eq!(a.error_fields(), [field]);
    }
    let unchanged = app.get(&path, &fo.token).await.expect(200);
    assert_eq!(unchanged.body["value"], "85000.50");

    app.act(&format!("{path}/sign"), &fo.token)
        .await
        .expect(200);
    let a = app
        .patch(&path, &fo.token, json!({"title": "改名"}))
        .await
        .expect(409);
    assert_eq!(a.body["status"], 409);
    let after = app.get(&path, &fo.token).await.expect(200);
    assert_eq!(after.body["title"], "农村留守老人关爱服务（二期）");
}

#[tokio::test]
async fn signing_commits_the_value_on_the_budget_line() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        organisation: org,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("100000.00")
        .value("60000.00")
        .draft()
        .await;
    let path = contract_path(id);
    let s = app
        .act(&format!("{path}/sign"), &fo.token)
        .await
        .expect(200);
    assert_eq!(s.body["status"], "active");
    assert_eq!(s.body["signed_value"], "60000.00");
    assert_eq!(
        s.body["signed_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        app.state.now()
    );
    assert_eq!(
        figures(&app, &fo, line).await,
        ("60000.00".into(), "40000.00".into())
    );
    // Signing twice is not a transition.
    app.act(&format!("{path}/sign"), &fo.token)
        .await
        .expect(409);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("60000.00".into(), "40000.00".into())
    );

    // The line lacks the value of the next one: refused, nothing committed.
    let next = app.draft_contract(&fo, org, line, "40000.01").await;
    app.act(&format!("/api/v1/contracts/{next}/sign"), &fo.token)
        .await
        .expect(409);
    assert_eq!(
        app.get(&contract_path(next), &fo.token)
            .await
            .expect(200)
            .body["status"],
        "draft"
    );
    assert_eq!(
        figures(&app, &fo, line).await,
        ("60000.00".into(), "40000.00".into())
    );
    // Exactly what is left fits.
    app.patch(
        &contract_path(next),
        &fo.token,
        json!({"value": "40000.00"}),
    )
    .await
    .expect(200);
    app.act(&format!("/api/v1/contracts/{next}/sign"), &fo.token)
        .await
        .expect(200);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("100000.00".into(), "0.00".into())
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'contract' AND action = 'sign'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_suspended_organisation_cannot_sign() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        organisation: org,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("100000.00")
        .value("60000.00")
        .draft()
        .await;
    suspend(&app, org).await;
    app.act(&format!("{}/sign", contract_path(id)), &fo.token)
        .await
        .expect(409);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("0.00".into(), "100000.00".into())
    );
}

#[tokio::test]
async fn a_draft_is_cancelled_with_a_reason_and_an_active_contract_is_not() {
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
        .value("80000.00")
        .draft()
        .await;
    let path = contract_path(id);
    let a = app
        .post(&format!("{path}/cancel"), &fo.token, json!({"reason": " "}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["reason"]);
    let c = app
        .post(
            &format!("{path}/cancel"),
            &fo.token,
            json!({"reason": "服务需求取消"}),
        )
        .await
        .expect(200);
    assert_eq!(c.body["status"], "cancelled");
    assert_eq!(c.body["status_reason"], "服务需求取消");
    app.post(
        &format!("{path}/cancel"),
        &fo.token,
        json!({"reason": "再次"}),
    )
    .await
    .expect(409);
    app.act(&format!("{path}/sign"), &fo.token)
        .await
        .expect(409);
    app.patch(&path, &fo.token, json!({"title": "x"}))
        .await
        .expect(409);

    let active = app.active_contract(&fo, org, line, "80000.00").await;
    app.post(
        &format!("{}/cancel", contract_path(active)),
        &fo.token,
        json!({"reason": "服务需求取消"}),
    )
    .await
    .expect(409);
    assert_eq!(
        app.get(&contract_path(active), &fo.token)
            .await
            .expect(200)
            .body["status"],
        "active"
    );
    assert_eq!(
        figures(&app, &fo, line).await,
        ("80000.00".into(), "420000.00".into())
    );
}

#[tokio::test]
async fn terminating_needs_a_reason_works_only_when_active_and_releases_the_commitment() {
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
        .value("80000.00")
        .draft()
        .await;
    app.post(
        &format!("{}/terminate", contract_path(draft)),
        &fo.token,
        json!({"reason": "服务质量不达标"}),
    )
    .await
    .expect(409);

    let id = app.active_contract(&fo, org, line, "80000.00").await;
    let path = contract_path(id);
    assert_eq!(
        figures(&app, &fo, line).await,
        ("80000.00".into(), "420000.00".into())
    );
    for body in [json!({"reason": ""}), json!({"reason": "   "})] {
        let a = app
            .post(&format!("{path}/terminate"), &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["reason"]);
    }
    let a = app
        .post(&format!("{path}/terminate"), &fo.token, json!({}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["reason"]);
    assert_eq!(
        app.get(&path, &fo.token).await.expect(200).body["status"],
        "active"
    );
    let t = app
        .post(
            &format!("{path}/terminate"),
            &fo.token,
            json!({"reason": "服务质量不达标"}),
        )
        .await
        .expect(200);
    assert_eq!(t.body["status"], "terminated");
    assert_eq!(t.body["status_reason"], "服务质量不达标");
    assert_eq!(
        figures(&app, &fo, line).await,
        ("0.00".into(), "500000.00".into())
    );
    app.post(
        &format!("{path}/terminate"),
        &fo.token,
        json!({"reason": "再次"}),
    )
    .await
    .expect(409);
    app.act(&format!("{path}/complete"), &fo.token)
        .await
        .expect(409);
    app.act(&format!("{path}/sign"), &fo.token)
        .await
        .expect(409);
    amend(
        &app,
        &fo,
        id,
        json!({"value": "81000.00", "reason": "增加服务"}),
    )
    .await
    .expect(409);
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'contract' AND action = 'terminate'")
            .await,
        1
    );
}

#[tokio::test]
async fn completing_works_only_on_an_active_contract() {
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
        .value("80000.00")
        .draft()
        .await;
    app.act(&format!("{}/complete", contract_path(draft)), &fo.token)
        .await
        .expect(409);
    let id = app.active_contract(&fo, org, line, "80000.00").await;
    let path = contract_path(id);
    let c = app
        .act(&format!("{path}/complete"), &fo.token)
        .await
        .expect(200);
    assert_eq!(c.body["status"], "completed");
    app.act(&format!("{path}/complete"), &fo.token)
        .await
        .expect(409);
    app.post(
        &format!("{path}/terminate"),
        &fo.token,
        json!({"reason": "x"}),
    )
    .await
    .expect(409);
    app.post(&format!("{path}/cancel"), &fo.token, json!({"reason": "x"}))
        .await
        .expect(409);
    // Nothing was paid or earned, so the ended contract holds nothing on the line.
    assert_eq!(
        figures(&app, &fo, line).await,
        ("0.00".into(), "500000.00".into())
    );
}

// --- Amendments -------------------------------------------------------------------------

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

// --- Visibility -------------------------------------------------------------------------

#[tokio::test]
async fn organisation_staff_see_only_their_own_organisations_contracts() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let a = app.user(Role::Organisation).await;
    let a_colleague = app
        .user_in(Role::Organisation, None, a.organisation_id)
        .await;
    let b = app.user(Role::Organisation).await;
    let mine = app
        .active_contract(&fo, a.organisation_id.unwrap(), line, "100000.00")
        .await;
    let my_draft = app
        .draft_contract(&fo, a.organisation_id.unwrap(), line, "100000.00")
        .await;
    let theirs = app
        .active_contract(&fo, b.organisation_id.unwrap(), line, "100000.00")
        .await;
    amend(
        &app,
        &fo,
        theirs,
        json!({"value": "101000.00", "reason": "增加服务"}),
    )
    .await
    .expect(201);

    for u in [&a, &a_colleague] {
        app.get(&contract_path(mine), &u.token).await.expect(200);
        app.get(&contract_path(theirs), &u.token).await.expect(404);
        app.get(&format!("/api/v1/contracts/{theirs}/amendments"), &u.token)
            .await
            .expect(404);
        app.get(&format!("/api/v1/contracts/{mine}/amendments"), &u.token)
            .await
            .expect(200);
        let list = app
            .get("/api/v1/contracts", &u.token)
            .await
            .expect(200)
            .body;
        let seen: HashSet<String> = ids(&list).into_iter().collect();
        assert_eq!(
            seen,
            HashSet::from([mine.to_string(), my_draft.to_string()])
        );
        let filtered = app
            .get(
                &format!(
                    "/api/v1/contracts?organisation_id={}",
                    b.organisation_id.unwrap()
                ),
                &u.token,
            )
            .await
            .expect(200)
            .body;
        assert_eq!(filtered["items"], json!([]));
    }
    let list = app
        .get("/api/v1/contracts", &b.token)
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&list), [theirs.to_string()]);
    // An unknown contract looks the same as another organisation's.
    app.get(&contract_path(Uuid::now_v7()), &a.token)
        .await
        .expect(404);
}

#[tokio::test]
async fn another_purchasers_officer_can_neither_see_nor_change_a_contract() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let other_line = app.budget_line(&other, "900000.00").await;
    let org = app.organisation().await;
    let active = app.active_contract(&fo, org, line, "100000.00").await;
    let draft = app.draft_contract(&fo, org, line, "100000.00").await;
    let own = app.draft_contract(&other, org, other_line, "1000.00").await;

    let t = &other.token;
    for id in [active, draft] {
        let p = contract_path(id);
        app.get(&p, t).await.expect(404);
        app.get(&format!("{p}/amendments"), t).await.expect(404);
        app.patch(&p, t, json!({"title": "x"})).await.expect(404);
        app.act(&format!("{p}/sign"), t).await.expect(404);
        app.act(&format!("{p}/complete"), t).await.expect(404);
        app.post(&format!("{p}/cancel"), t, json!({"reason": "x"}))
            .await
            .expect(404);
        app.post(&format!("{p}/terminate"), t, json!({"reason": "x"}))
            .await
            .expect(404);
        app.post(
            &format!("{p}/amendments"),
            t,
            json!({"value": "100001.00", "reason": "x"}),
        )
        .await
        .expect(404);
    }
    let list = app.get("/api/v1/contracts", t).await.expect(200).body;
    assert_eq!(ids(&list), [own.to_string()]);
    let filtered = app
        .get(
            &format!(
                "/api/v1/contracts?purchaser_id={}",
                fo.purchaser_id.unwrap()
            ),
            t,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(filtered["items"], json!([]));
    // A colleague of the same purchaser sees and acts.
    let colleague = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    app.get(&contract_path(active), &colleague.token)
        .await
        .expect(200);
    app.act(&format!("{}/sign", contract_path(draft)), &colleague.token)
        .await
        .expect(200);
    let c = app
        .get(&contract_path(active), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(c["status"], "active");
    assert_eq!(c["title"], "农村留守老人关爱服务");
    assert_eq!(app.count("amendment").await, 0);
}

#[tokio::test]
async fn supervisors_and_admins_read_every_contract_but_change_none() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let other_line = app.budget_line(&other, "900000.00").await;
    let staff = app.user(Role::Organisation).await;
    let org = staff.organisation_id.unwrap();
    let active = app.active_contract(&fo, org, line, "100000.00").await;
    let draft = app.draft_contract(&fo, org, line, "100000.00").await;
    let elsewhere = app
        .active_contract(&other, org, other_line, "1000.00")
        .await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let before = app.count("audit_event").await;

    for u in [&sup, &admin] {
        for id in [active, draft, elsewhere] {
            app.get(&contract_path(id), &u.token).await.expect(200);
            app.get(&format!("/api/v1/contracts/{id}/amendments"), &u.token)
                .await
                .expect(200);
        }
        let list = app
            .get("/api/v1/contracts", &u.token)
            .await
            .expect(200)
            .body;
        assert_eq!(ids(&list).len(), 3);
    }
    for u in [&sup, &admin, &staff] {
        let t = &u.token;
        app.post(
            "/api/v1/contracts",
            t,
            app.direct_award_body(&fo, org, line, "1000.00"),
        )
        .await
        .expect(403);
        for id in [active, draft] {
            let p = contract_path(id);
            app.patch(&p, t, json!({"title": "x"})).await.expect(403);
            app.act(&format!("{p}/sign"), t).await.expect(403);
            app.act(&format!("{p}/complete"), t).await.expect(403);
            app.post(&format!("{p}/cancel"), t, json!({"reason": "x"}))
                .await
                .expect(403);
            app.post(&format!("{p}/terminate"), t, json!({"reason": "x"}))
                .await
                .expect(403);
            app.post(
                &format!("{p}/amendments"),
                t,
                json!({"value": "100001.00", "reason": "x"}),
            )
            .await
            .expect(403);
        }
    }
    assert_eq!(app.count("audit_event").await, before);
    assert_eq!(app.count("contract").await, 3);
    assert_eq!(app.count("contract WHERE status = 'draft'").await, 1);
    assert_eq!(app.count("amendment").await, 0);
}

// --- Lists -------------------------------------------------------------------------

#[tokio::test]
async fn lists_filter_by_status_purchaser_and_organisation() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let other_line = app.budget_line(&other, "900000.00").await;
    let a = app.organisation().await;
    let b = app.organisation().await;
    let a_active = app.active_contract(&fo, a, line, "1000.00").await;
    let a_draft = app.draft_contract(&fo, a, line, "1000.00").await;
    let b_active = app.active_contract(&fo, b, line, "1000.00").await;
    let other_a = app.active_contract(&other, a, other_line, "1000.00").await;
    let terminated = app.active_contract(&other, b, other_line, "1000.00").await;
    app.post(
        &format!("{}/terminate", contract_path(terminated)),
        &other.token,
        json!({"reason": "终止"}),
    )
    .await
    .expect(200);
    let sup = app.user(Role::Supervisor).await;
    let q = |query: String| {
        let t = sup.token.clone();
        let app = &app;
        async move {
            let page = app
                .get(&format!("/api/v1/contracts?{query}"), &t)
                .await
                .expect(200)
                .body;
            ids(&page).into_iter().collect::<HashSet<_>>()
        }
    };
    let set = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<HashSet<_>>();
    assert_eq!(q("status=draft".into()).await, set(&[a_draft]));
    assert_eq!(
        q("status=active".into()).await,
        set(&[a_active, b_active, other_a])
    );
    assert_eq!(q("status=terminated".into()).await, set(&[terminated]));
    assert_eq!(q("status=completed".into()).await, set(&[]));
    assert_eq!(
        q(format!("purchaser_id={}", fo.purchaser_id.unwrap())).await,
        set(&[a_active, a_draft, b_active])
    );
    assert_eq!(
        q(format!("organisation_id={a}")).await,
        set(&[a_active, a_draft, other_a])
    );
    assert_eq!(
        q(format!(
            "organisation_id={a}&purchaser_id={}&status=active",
            fo.purchaser_id.unwrap()
        ))
        .await,
        set(&[a_active])
    );
    // The officer's own scope still applies under filters.
    let page = app
        .get(&format!("/api/v1/contracts?organisation_id={a}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        ids(&page).into_iter().collect::<HashSet<_>>(),
        set(&[a_active, a_draft])
    );
    for bad in [
        "status=signed",
        "purchaser_id=abc",
        "colour=red",
        "limit=0",
        "limit=501",
        "cursor=garbage",
    ] {
        let a = app
            .get(&format!("/api/v1/contracts?{bad}"), &sup.token)
            .await
            .expect(422);
        assert_eq!(a.body["status"], 422, "{bad}");
    }
}

#[tokio::test]
async fn contracts_ending_within_some_days_are_filtered_from_today() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let org = app.organisation().await;
    // Both end on 2026-12-31; the second ends early by amendment.
    let late = app.active_contract(&fo, org, line, "1000.00").await;
    let early = app.active_contract(&fo, org, line, "1000.00").await;
    amend(
        &app,
        &fo,
        early,
        json!({"end_date": "2026-10-31", "reason": "提前结束"}),
    )
    .await
    .expect(201);
    let draft = app.draft_contract(&fo, org, line, "1000.00").await;
    let q = |query: &'static str| {
        let t = fo.token.clone();
        let app = &app;
        async move {
            let page = app
                .get(&format!("/api/v1/contracts?{query}"), &t)
                .await
                .expect(200)
                .body;
            let mut v = ids(&page);
            v.sort();
            v
        }
    };
    let sorted = |v: &[Uuid]| {
        let mut v: Vec<String> = v.iter().map(Uuid::to_string).collect();
        v.sort();
        v
    };
    // Today is 2026-03-02: nothing ends within 30 days.
    assert!(q("status=active&ending_within_days=30").await.is_empty());
    // 2026-10-15: the early one ends within 30 days; the drafts too are filtered by date.
    app.clock.advance(chrono::Duration::days(227));
    assert_eq!(
        q("status=active&ending_within_days=30").await,
        sorted(&[early])
    );
    assert_eq!(
        q("ending_within_days=90").await,
        sorted(&[late, early, draft])
    );
    // 2026-11-01: a contract that ended yesterday is no longer "ending".
    app.clock.advance(chrono::Duration::days(17));
    assert_eq!(
        q("status=active&ending_within_days=60").await,
        sorted(&[late])
    );
    assert_eq!(q("ending_within_days=0").await, Vec::<String>::new());
    for bad in [
        "ending_within_days=367",
        "ending_within_days=-1",
        "ending_within_days=soon",
    ] {
        app.get(&format!("/api/v1/contracts?{bad}"), &fo.token)
            .await
            .expect(422);
    }
}

#[tokio::test]
async fn cursor_pagination_walks_every_contract_once_in_creation_order() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let org = app.organisation().await;
    let mut created = Vec::new();
    for _ in 0..7 {
        created.push(
            app.draft_contract(&fo, org, line, "1000.00")
                .await
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/contracts?limit=3".to_string();
    let mut pages = 0;
    loop {
        let page = app.get(&url, &fo.token).await.expect(200).body;
        pages += 1;
        let got = ids(&page);
        assert!(got.len() <= 3);
        seen.extend(got);
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/contracts?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, created);
    assert_eq!(pages, 3);
    // With a filter the cursor walks the filtered list.
    for id in &created[..3] {
        app.act(&format!("/api/v1/contracts/{id}/sign"), &fo.token)
            .await
            .expect(200);
    }
    let first = app
        .get("/api/v1/contracts?status=draft&limit=2", &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&first), created[3..5]);
    let c = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/contracts?status=draft&limit=2&cursor={c}"),
            &fo.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&second), created[5..7]);
    assert_eq!(second["next_cursor"], Value::Null);
}

// --- Races -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_amendments_never_exceed_ten_percent_of_the_signed_value() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("1000000.00")
        .value("100000.00")
        .await;
    // Increases of 9 000 interleaved with decreases back to the signed value: only one
    // increase may ever go through, whatever the order.
    let path = format!("/api/v1/contracts/{id}/amendments");
    let races = (0..16).map(|i| {
        let value = if i % 2 == 0 { "109000.00" } else { "100000.00" };
        post_owned(
            &app,
            path.clone(),
            fo.token.clone(),
            json!({"value": value, "reason": format!("第{i}次变更")}),
        )
    });
    let answers = futures::future::join_all(races).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?} {:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );

    let history = app.get(&path, &fo.token).await.expect(200).body["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        history.len(),
        statuses.iter().filter(|s| **s == 201).count()
    );
    let increases: Decimal = history
        .iter()
        .map(|a| (dec(&a["new_value"]) - dec(&a["old_value"])).max(Decimal::ZERO))
        .sum();
    assert_eq!(increases, Decimal::new(900_000, 2), "{history:#?}");
    // The history is one chain from the signed value to the current one.
    let mut value = Decimal::new(10_000_000, 2);
    for a in &history {
        assert_eq!(dec(&a["old_value"]), value, "{history:#?}");
        value = dec(&a["new_value"]);
    }
    let c = app
        .get(&contract_path(id), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(dec(&c["value"]), value);
    let (committed, _) = figures(&app, &fo, line).await;
    assert_eq!(committed.parse::<Decimal>().unwrap(), value);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_increases_on_one_line_never_exceed_its_amount() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "305000.00").await;
    let org = app.organisation().await;
    let mut contracts = Vec::new();
    for _ in 0..3 {
        contracts.push(app.active_contract(&fo, org, line, "100000.00").await);
    }
    // 5 000 is left: each contract may grow by 4 000 under the 10 % rule, only one fits.
    let races = (0..12).map(|i| {
        let id = contracts[i % 3];
        post_owned(
            &app,
            format!("/api/v1/contracts/{id}/amendments"),
            fo.token.clone(),
            json!({"value": format!("{}.00", 101_000 + 1000 * (i / 3)), "reason": "增加服务"}),
        )
    });
    let answers = futures::future::join_all(races).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let mut total = Decimal::ZERO;
    let mut net = Decimal::ZERO;
    for id in &contracts {
        let c = app
            .get(&contract_path(*id), &fo.token)
            .await
            .expect(200)
            .body;
        total += dec(&c["value"]);
        let history = app
            .get(&format!("/api/v1/contracts/{id}/amendments"), &fo.token)
            .await
            .expect(200)
            .body;
        let mut value = Decimal::new(10_000_000, 2);
        for a in history["items"].as_array().unwrap() {
            assert_eq!(dec(&a["old_value"]), value);
            value = dec(&a["new_value"]);
            net += dec(&a["new_value"]) - dec(&a["old_value"]);
        }
        assert_eq!(dec(&c["value"]), value);
        assert!(value <= Decimal::new(11_000_000, 2));
    }
    assert!(total <= Decimal::new(30_500_000, 2), "{total}");
    assert_eq!(total, Decimal::new(30_000_000, 2) + net);
    let (committed, available) = figures(&app, &fo, line).await;
    assert_eq!(committed.parse::<Decimal>().unwrap(), total);
    assert!(available.parse::<Decimal>().unwrap() >= Decimal::ZERO);
    assert!(
        statuses.contains(&201),
        "the first increase of 1 000 always fits: {statuses:?}"
    );
}

// --- Order of checks (SPEC §1) -------------------------------------------------------------

#[tokio::test]
async fn roles_that_may_not_write_get_403_before_the_body_is_checked() {
    let app = TestApp::new().await;
    let World { contract: id, .. } = app.world().line_amount("500000.00").value("80000.00").await;
    let p = contract_path(id);
    for role in [Role::Supervisor, Role::Admin, Role::Organisation] {
        let t = app.user(role).await.token;
        app.post("/api/v1/contracts", &t, json!({}))
            .await
            .expect(403);
        app.patch(&p, &t, json!({"value": 1})).await.expect(403);
        app.post(&format!("{p}/terminate"), &t, json!({"reason": ""}))
            .await
            .expect(403);
        app.post(&format!("{p}/amendments"), &t, json!({"value": 1}))
            .await
            .expect(403);
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_422_before_the_organisations_status_409() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    suspend(&app, org).await;
    let mut body = app.direct_award_body(&fo, org, line, "80000.00");
    body["end_date"] = json!("2028-01-01");
    let a = app
        .post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["end_date"]);
}

#[tokio::test]
async fn another_purchasers_officer_gets_404_before_the_body_is_checked() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    let active = app.active_contract(&fo, org, line, "80000.00").await;
    let draft = app.draft_contract(&fo, org, line, "80000.00").await;
    let t = &other.token;
    app.post(
        &format!("{}/terminate", contract_path(active)),
        t,
        json!({"reason": ""}),
    )
    .await
    .expect(404);
    app.post(
        &format!("{}/amendments", contract_path(active)),
        t,
        json!({}),
    )
    .await
    .expect(404);
    app.post(
        &format!("{}/cancel", contract_path(draft)),
        t,
        json!({"reason": " "}),
    )
    .await
    .expect(404);
    app.patch(&contract_path(draft), t, json!({"value": 1}))
        .await
        .expect(404);
}
