//! The order of checks (SPEC §1: 401 → 403 → 404 → 422/415 → 409), and what waits for an award.

use super::*;

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
