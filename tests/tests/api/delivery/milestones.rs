//! Milestones: who adds, edits and cancels them, on which contracts, within the
//! period and the value, and when one is overdue.

use super::*;

#[tokio::test]
async fn only_the_contracts_finance_officers_add_edit_and_cancel_milestones() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    let path = format!("{}/milestones", contract_path(d.contract));
    let body = json!({"title": "第一季度", "due_date": "2026-06-30", "amount": "1000.00"});
    for role in [Role::Organisation, Role::Supervisor, Role::Admin] {
        let u = app.user(role).await;
        app.post(&path, &u.token, body.clone()).await.expect(403);
    }
    // The contract's own organisation may not plan its milestones either.
    app.post(&path, &d.staff.token, body.clone())
        .await
        .expect(403);
    let stranger = app.user(Role::FinanceOfficer).await;
    app.post(&path, &stranger.token, body.clone())
        .await
        .expect(404);
    app.call(Method::POST, &path, None, Some(body.clone()))
        .await
        .expect(401);
    assert_eq!(app.count("milestone").await, 0);

    // Any finance officer of the contract's purchaser may.
    let colleague = app
        .user_in(Role::FinanceOfficer, d.fo.purchaser_id, None)
        .await;
    let m = app.post(&path, &colleague.token, body).await.expect(201);
    assert_eq!(m.body["status"], "planned");
    assert_eq!(m.body["amount"], "1000.00");
    assert_eq!(m.body["overdue"], false);
    assert_eq!(m.body["score"], Value::Null);
    assert_eq!(m.body["payable"], Value::Null);
    let m = m.id();

    let edit = json!({"title": "第一季度（修订）"});
    app.patch(&milestone_path(m), &d.staff.token, edit.clone())
        .await
        .expect(403);
    app.patch(&milestone_path(m), &stranger.token, edit.clone())
        .await
        .expect(404);
    cancel(&app, &d.staff.token, m, "不再需要")
        .await
        .expect(403);
    cancel(&app, &stranger.token, m, "不再需要")
        .await
        .expect(404);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["title"],
        "第一季度"
    );
    // Everyone who may read the contract reads the milestone; others do not see it.
    get_milestone(&app, &d.staff.token, m).await;
    get_milestone(&app, &app.user(Role::Supervisor).await.token, m).await;
    app.get(&milestone_path(m), &stranger.token)
        .await
        .expect(404);
    app.get(
        &milestone_path(m),
        &app.user(Role::Organisation).await.token,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn milestones_are_added_to_draft_and_active_contracts_only() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    milestone(&app, &d, "2026-06-30", "1000.00").await;
    sign(&app, &d).await;
    milestone(&app, &d, "2026-09-30", "1000.00").await;
    app.post(
        &format!("{}/terminate", contract_path(d.contract)),
        &d.fo.token,
        json!({"reason": "机构退出"}),
    )
    .await
    .expect(200);
    add_milestone(&app, &d.fo, d.contract, "2026-12-31", "1000.00")
        .await
        .expect(409);

    // A cancelled draft and a completed contract take none either.
    let line = d.line;
    let org = d.staff.organisation_id.unwrap();
    let cancelled = app.draft_contract(&d.fo, org, line, "1000.00").await;
    app.post(
        &format!("{}/cancel", contract_path(cancelled)),
        &d.fo.token,
        json!({"reason": "重新采购"}),
    )
    .await
    .expect(200);
    add_milestone(&app, &d.fo, cancelled, "2026-06-30", "100.00")
        .await
        .expect(409);
    let completed = app.active_contract(&d.fo, org, line, "1000.00").await;
    app.act(
        &format!("{}/complete", contract_path(completed)),
        &d.fo.token,
    )
    .await
    .expect(200);
    add_milestone(&app, &d.fo, completed, "2026-06-30", "100.00")
        .await
        .expect(409);
    assert_eq!(app.count("milestone").await, 2);
}

#[tokio::test]
async fn a_milestone_is_due_inside_the_contract_period_and_has_a_positive_amount() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    // Both ends of 2026-04-01..2026-12-31 are inside.
    milestone(&app, &d, "2026-04-01", "100.00").await;
    milestone(&app, &d, "2026-12-31", "100.00").await;
    for due in ["2026-03-31", "2027-01-01"] {
        let a = add_milestone(&app, &d.fo, d.contract, due, "100.00")
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["due_date"], "{due}");
    }
    let path = format!("{}/milestones", contract_path(d.contract));
    let bad = [
        (
            json!({"title": "x", "due_date": "2026-06-30", "amount": "0.00"}),
            "amount",
        ),
        (
            json!({"title": "x", "due_date": "2026-06-30", "amount": "-5.00"}),
            "amount",
        ),
        // Money is a JSON string, never a number.
        (
            json!({"title": "x", "due_date": "2026-06-30", "amount": 100}),
            "amount",
        ),
        (
            json!({"title": " ", "due_date": "2026-06-30", "amount": "1.00"}),
            "title",
        ),
        (
            json!({"title": "x", "due_date": "2026-06-31", "amount": "1.00"}),
            "due_date",
        ),
        // Fields the server sets are refused.
        (
            json!({"title": "x", "due_date": "2026-06-30", "amount": "1.00", "status": "accepted"}),
            "status",
        ),
        (
            json!({"title": "x", "due_date": "2026-06-30", "amount": "1.00", "contract_id": d.contract}),
            "contract_id",
        ),
    ];
    for (body, field) in bad {
        let a = app.post(&path, &d.fo.token, body.clone()).await.expect(422);
        assert!(
            a.error_fields().contains(&field.to_string()),
            "{body}: {}",
            a.text
        );
    }
    assert_eq!(app.count("milestone").await, 2);
}

#[tokio::test]
async fn the_milestones_amounts_never_exceed_the_contract_value_also_through_patch() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("1000.00")
        .milestone("2026-06-30", "600.00")
        .await;
    let m1 = d.milestones[0];
    let m2 = milestone(&app, &d, "2026-09-30", "400.00").await;
    add_milestone(&app, &d.fo, d.contract, "2026-12-31", "0.01")
        .await
        .expect(409);
    app.patch(
        &milestone_path(m2),
        &d.fo.token,
        json!({"amount": "400.01"}),
    )
    .await
    .expect(409);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m2).await["amount"],
        "400.00"
    );
    let p = app
        .patch(
            &milestone_path(m2),
            &d.fo.token,
            json!({"amount": "300.00", "due_date": "2026-10-15"}),
        )
        .await
        .expect(200);
    assert_eq!(
        (p.body["amount"].as_str(), p.body["due_date"].as_str()),
        (Some("300.00"), Some("2026-10-15"))
    );
    add_milestone(&app, &d.fo, d.contract, "2026-12-31", "100.01")
        .await
        .expect(409);
    let m3 = milestone(&app, &d, "2026-12-31", "100.00").await;
    // A cancelled milestone no longer counts.
    cancel(&app, &d.fo.token, m3, "合并到第二期")
        .await
        .expect(200);
    milestone(&app, &d, "2026-12-31", "100.00").await;
    app.patch(
        &milestone_path(m1),
        &d.fo.token,
        json!({"amount": "600.01"}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("milestone").await, 4);
    assert_eq!(app.count("milestone WHERE status = 'cancelled'").await, 1);
}

#[tokio::test]
async fn a_milestone_is_edited_only_while_planned() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let p = app
        .patch(
            &milestone_path(m),
            &d.fo.token,
            json!({"title": "上半年", "description": "入户走访"}),
        )
        .await
        .expect(200);
    assert_eq!(p.body["title"], "上半年");
    let a = app
        .patch(
            &milestone_path(m),
            &d.fo.token,
            json!({"due_date": "2027-01-01"}),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["due_date"]);
    app.patch(&milestone_path(m), &d.fo.token, json!({"payable": "1.00"}))
        .await
        .expect(422);

    report(&app, &d.staff, m, json!([])).await.expect(201);
    let edit = json!({"amount": "900.00"});
    app.patch(&milestone_path(m), &d.fo.token, edit.clone())
        .await
        .expect(409);
    reject(&app, &d.fo.token, m, "材料不全").await.expect(200);
    app.patch(&milestone_path(m), &d.fo.token, edit.clone())
        .await
        .expect(409);
    report(&app, &d.staff, m, json!([])).await.expect(201);
    accept(&app, &d.fo.token, m).await.expect(200);
    app.patch(&milestone_path(m), &d.fo.token, edit.clone())
        .await
        .expect(409);
    let c = milestone(&app, &d, "2026-09-30", "1000.00").await;
    cancel(&app, &d.fo.token, c, "取消").await.expect(200);
    app.patch(&milestone_path(c), &d.fo.token, edit)
        .await
        .expect(409);
    let after = get_milestone(&app, &d.fo.token, m).await;
    assert_eq!(
        (after["amount"].as_str(), after["title"].as_str()),
        (Some("1000.00"), Some("上半年"))
    );
}

#[tokio::test]
async fn a_milestone_is_cancelled_only_when_planned_or_rejected_and_with_a_reason() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-05-31", "1000.00")
        .await;
    let planned = d.milestones[0];
    for reason in ["", "   "] {
        let a = cancel(&app, &d.fo.token, planned, reason).await.expect(422);
        assert_eq!(a.error_fields(), ["reason"]);
    }
    app.post(
        &format!("{}/cancel", milestone_path(planned)),
        &d.fo.token,
        json!({}),
    )
    .await
    .expect(422);
    assert_eq!(
        get_milestone(&app, &d.fo.token, planned).await["status"],
        "planned"
    );
    let c = cancel(&app, &d.fo.token, planned, "服务内容调整")
        .await
        .expect(200);
    assert_eq!(
        (c.body["status"].as_str(), c.body["status_reason"].as_str()),
        (Some("cancelled"), Some("服务内容调整"))
    );
    cancel(&app, &d.fo.token, planned, "再次取消")
        .await
        .expect(409);

    let submitted = milestone(&app, &d, "2026-06-30", "1000.00").await;
    report(&app, &d.staff, submitted, json!([]))
        .await
        .expect(201);
    cancel(&app, &d.fo.token, submitted, "取消")
        .await
        .expect(409);
    reject(&app, &d.fo.token, submitted, "照片模糊")
        .await
        .expect(200);
    let c = cancel(&app, &d.fo.token, submitted, "机构无法补交材料")
        .await
        .expect(200);
    assert_eq!(c.body["status"], "cancelled");

    let accepted = milestone(&app, &d, "2026-07-31", "1000.00").await;
    deliver(&app, &d, accepted, json!([])).await;
    cancel(&app, &d.fo.token, accepted, "取消")
        .await
        .expect(409);
    assert_eq!(
        get_milestone(&app, &d.fo.token, accepted).await["status"],
        "accepted"
    );
}

#[tokio::test]
async fn overdue_is_derived_from_the_local_date_and_never_for_accepted_or_cancelled_milestones() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let planned = d.milestones[0];
    let submitted = milestone(&app, &d, "2026-06-30", "1000.00").await;
    let accepted = milestone(&app, &d, "2026-06-30", "1000.00").await;
    let cancelled = milestone(&app, &d, "2026-06-30", "1000.00").await;
    let later = milestone(&app, &d, "2026-09-30", "1000.00").await;
    report(&app, &d.staff, submitted, json!([]))
        .await
        .expect(201);
    deliver(&app, &d, accepted, json!([])).await;
    cancel(&app, &d.fo.token, cancelled, "取消")
        .await
        .expect(200);
    let list = |q: &'static str| {
        let app = &app;
        let d = &d;
        async move {
            let l = app
                .get(
                    &format!("{}/milestones{q}", contract_path(d.contract)),
                    &d.fo.token,
                )
                .await
                .expect(200)
                .body;
            let mut ids: Vec<String> = l["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            ids
        }
    };
    let ids = |ms: &[Uuid]| {
        let mut v: Vec<String> = ms.iter().map(Uuid::to_string).collect();
        v.sort();
        v
    };

    // 23:59 on 30 June in Shanghai: the due date is today, not yet past.
    at(&app, 2026, 6, 30, 15, 59);
    assert_eq!(
        get_milestone(&app, &d.fo.token, planned).await["overdue"],
        false
    );
    assert!(list("?overdue=true").await.is_empty());
    // 00:00 on 1 July in Shanghai (still 30 June in UTC): overdue.
    at(&app, 2026, 6, 30, 16, 0);
    for (m, overdue) in [
        (planned, true),
        (submitted, true),
        (accepted, false),
        (cancelled, false),
        (later, false),
    ] {
        assert_eq!(
            get_milestone(&app, &d.fo.token, m).await["overdue"],
            overdue,
            "{m}"
        );
    }
    assert_eq!(list("?overdue=true").await, ids(&[planned, submitted]));
    assert_eq!(
        list("?overdue=false").await,
        ids(&[accepted, cancelled, later])
    );
    assert_eq!(list("").await.len(), 5);
    // Long after everything: accepted and cancelled milestones are still never overdue.
    at(&app, 2027, 1, 15, 0, 0);
    assert_eq!(
        list("?overdue=true").await,
        ids(&[planned, submitted, later])
    );
    let all = app
        .get(
            &format!("{}/milestones", contract_path(d.contract)),
            &d.staff.token,
        )
        .await
        .expect(200)
        .body;
    for m in all["items"].as_array().unwrap() {
        let open = !matches!(m["status"].as_str(), Some("accepted" | "cancelled"));
        assert_eq!(m["overdue"], open, "{m}");
    }
    app.get(
        &format!("{}/milestones?overdue=maybe", contract_path(d.contract)),
        &d.fo.token,
    )
    .await
    .expect(422);
}

#[tokio::test]
async fn an_amendment_cannot_lower_the_value_below_the_milestones_sum() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    milestone(&app, &d, "2026-06-30", "5000.00").await;
    milestone(&app, &d, "2026-12-31", "3000.00").await;
    let amend = |value: &'static str| {
        let app = &app;
        let d = &d;
        async move {
            app.post(
                &format!("{}/amendments", contract_path(d.contract)),
                &d.fo.token,
                json!({"value": value, "reason": "服务范围调整"}),
            )
            .await
        }
    };
    amend("7999.99").await.expect(409);
    assert_eq!(app.count("amendment").await, 0);
    let a = amend("8000.00").await.expect(201);
    assert_eq!(
        (a.body["old_value"].as_str(), a.body["new_value"].as_str()),
        (Some("10000.00"), Some("8000.00"))
    );
    // At the value, no milestone can be added any more.
    add_milestone(&app, &d.fo, d.contract, "2026-09-30", "0.01")
        .await
        .expect(409);
}
