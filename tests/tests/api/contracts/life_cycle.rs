//! A contract's life cycle: editing a draft, signing, cancelling, terminating and completing.

use super::*;

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
