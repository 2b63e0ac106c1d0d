//! The audit of tenders and bids: every change once, refusals never.

use super::*;

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
