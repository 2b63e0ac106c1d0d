//! The order of checks (SPEC §1): 403 before the body, 422 before 409, 404 before the body.

use super::*;

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
