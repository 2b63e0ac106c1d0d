//! Bids: sealed until the deadline, scores, validation, resubmission, and who may bid when.

use super::*;

#[tokio::test]
async fn bids_are_sealed_until_the_deadline_and_each_bidder_reads_only_its_own() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let colleague = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let a = app.user(Role::Organisation).await;
    let b = app.user(Role::Organisation).await;
    let outsider = app.user(Role::Organisation).await;
    let bid_a = app.bid(&a, t, "280000.00").await;
    let bid_b = app.bid(&b, t, "290000.00").await;
    let path = bids_path(t);

    for u in [&fo, &colleague, &sup, &admin, &outsider] {
        let l = app.get(&path, &u.token).await.expect(200);
        assert_eq!(l.body["items"], json!([]), "{}", l.text);
    }
    assert_eq!(
        ids(&app.get(&path, &a.token).await.expect(200)),
        [bid_a.to_string()]
    );
    assert_eq!(
        ids(&app.get(&path, &b.token).await.expect(200)),
        [bid_b.to_string()]
    );
    let own = app.get(&path, &a.token).await.expect(200).body;
    assert_eq!(own["items"][0]["amount"], "280000.00");
    assert_eq!(
        own["items"][0]["organisation_id"],
        a.organisation_id.unwrap().to_string()
    );
    assert_eq!(own["items"][0]["score"], Value::Null);

    // After the deadline (closed or not) the purchaser, supervisors and admins read all.
    app.clock.advance(Duration::days(10));
    for u in [&fo, &colleague, &sup, &admin] {
        let mut got = ids(&app.get(&path, &u.token).await.expect(200));
        got.sort();
        let mut expected = vec![bid_a.to_string(), bid_b.to_string()];
        expected.sort();
        assert_eq!(got, expected);
    }
    // Bidders still read only their own; an organisation that did not bid reads nothing.
    assert_eq!(
        ids(&app.get(&path, &a.token).await.expect(200)),
        [bid_a.to_string()]
    );
    assert_eq!(
        ids(&app.get(&path, &b.token).await.expect(200)),
        [bid_b.to_string()]
    );
    assert!(ids(&app.get(&path, &outsider.token).await.expect(200)).is_empty());
    app.act(&format!("{}/close", tender_path(t)), &fo.token)
        .await
        .expect(200);
    assert_eq!(
        ids(&app.get(&path, &a.token).await.expect(200)),
        [bid_a.to_string()]
    );
    assert_eq!(ids(&app.get(&path, &fo.token).await.expect(200)).len(), 2);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn a_score_is_set_only_after_the_deadline_in_tenths_from_0_to_100() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let bid = app.bid(&org, t, "280000.00").await;
    let path = format!("/api/v1/bids/{bid}");

    let events = app.count("audit_event").await;
    app.patch(&path, &fo.token, json!({"score": 86.5}))
        .await
        .expect(404);
    assert_eq!(app.count("audit_event").await, events);
    assert_eq!(app.count("bid WHERE score_tenths IS NOT NULL").await, 0);

    app.clock.advance(Duration::days(11));
    for role in [Role::Supervisor, Role::Admin] {
        let u = app.user(role).await;
        app.patch(&path, &u.token, json!({"score": 86.5}))
            .await
            .expect(403);
    }
    app.patch(&path, &org.token, json!({"score": 86.5}))
        .await
        .expect(403);

    let s = app
        .patch(&path, &fo.token, json!({"score": 86.5}))
        .await
        .expect(200);
    assert_eq!(s.body["score"], json!(86.5));
    assert_eq!(s.body["id"], bid.to_string());
    let events = app.count("audit_event").await;
    for bad in [
        json!({"score": 86.55}),
        json!({"score": 101}),
        json!({"score": 100.1}),
        json!({"score": -1}),
        json!({"score": "86.5"}),
        json!({"score": null}),
        json!({}),
        json!({"score": 80, "amount": "1.00"}),
    ] {
        let a = app.patch(&path, &fo.token, bad.clone()).await.expect(422);
        assert_eq!(a.error_fields().len(), 1, "{bad}: {}", a.text);
    }
    assert_eq!(app.count("audit_event").await, events);
    let read = app.get(&bids_path(t), &fo.token).await.expect(200).body;
    assert_eq!(read["items"][0]["score"], json!(86.5));
    // The bidder reads its own score.
    let own = app.get(&bids_path(t), &org.token).await.expect(200).body;
    assert_eq!(own["items"][0]["score"], json!(86.5));

    for (score, shown) in [
        (json!(100), json!(100)),
        (json!(0), json!(0)),
        (json!(72.3), json!(72.3)),
    ] {
        let s = app
            .patch(&path, &fo.token, json!({"score": score}))
            .await
            .expect(200);
        assert_eq!(s.body["score"], shown);
    }
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn bad_bids_and_bids_over_the_ceiling_are_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let events = app.count("audit_event").await;
    for (body, field) in [
        (json!({"amount": "300000.01", "proposal": "方案"}), "amount"),
        (json!({"amount": "0.00", "proposal": "方案"}), "amount"),
        (json!({"amount": "-5.00", "proposal": "方案"}), "amount"),
        (json!({"amount": "100.001", "proposal": "方案"}), "amount"),
        (json!({"amount": 100, "proposal": "方案"}), "amount"),
        (json!({"amount": "100.00", "proposal": ""}), "proposal"),
        (json!({"amount": "100.00"}), "proposal"),
        (
            json!({"amount": "100.00", "proposal": "方案", "score": 90}),
            "score",
        ),
        (
            json!({"amount": "100.00", "proposal": "方案", "organisation_id": Uuid::new_v4()}),
            "organisation_id",
        ),
        (
            json!({"amount": "100.00", "proposal": "方案", "submitted_at": "2026-03-02T01:00:00Z"}),
            "submitted_at",
        ),
    ] {
        let a = app
            .post(&bids_path(t), &org.token, body.clone())
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{body}: {}", a.text);
    }
    assert_eq!(app.count("bid").await, 0);
    assert_eq!(app.count("audit_event").await, events);

    // The ceiling itself is allowed; a replacement above it is refused and keeps the bid.
    let b = app.bid(&org, t, "300000.00").await;
    let r = app
        .post(
            &bids_path(t),
            &org.token,
            json!({"amount": "300000.01", "proposal": "修订"}),
        )
        .await
        .expect(422);
    assert_eq!(r.error_fields(), ["amount"]);
    let own = app.get(&bids_path(t), &org.token).await.expect(200).body;
    assert_eq!(own["items"][0]["id"], b.to_string());
    assert_eq!(own["items"][0]["amount"], "300000.00");
    assert_eq!(own["items"][0]["proposal"], "服务方案");
    assert_eq!(app.count("bid").await, 1);
}

#[tokio::test]
async fn a_resubmission_before_the_deadline_replaces_the_one_live_bid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let colleague = app
        .user_in(Role::Organisation, None, org.organisation_id)
        .await;
    let first = app.bid(&org, t, "280000.00").await;
    app.clock.advance(Duration::days(1));
    let r = app
        .post(
            &bids_path(t),
            &colleague.token,
            json!({"amount": "270000.00", "proposal": "修订方案"}),
        )
        .await
        .expect(200);
    assert_eq!(r.id(), first);
    assert_eq!(r.body["amount"], "270000.00");
    assert_eq!(r.body["proposal"], "修订方案");
    assert_eq!(app.count("bid").await, 1);
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'bid' AND action = 'replace_bid'")
            .await,
        1
    );
    // A colleague in the same organisation reads the organisation's bid.
    assert_eq!(
        ids(&app.get(&bids_path(t), &org.token).await.expect(200)),
        [first.to_string()]
    );
}

#[tokio::test]
async fn a_suspended_organisation_cannot_bid_or_replace_its_bid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let fresh = app.user(Role::Organisation).await;
    let bidder = app.user(Role::Organisation).await;
    app.bid(&bidder, t, "200000.00").await;
    suspend(&app, fresh.organisation_id.unwrap()).await;
    suspend(&app, bidder.organisation_id.unwrap()).await;

    let events = app.count("audit_event").await;
    let a = app
        .post(
            &bids_path(t),
            &fresh.token,
            json!({"amount": "100.00", "proposal": "方案"}),
        )
        .await
        .expect(409);
    assert!(a.body["detail"].as_str().unwrap().contains("suspended"));
    app.post(
        &bids_path(t),
        &bidder.token,
        json!({"amount": "100.00", "proposal": "修订"}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("bid").await, 1);
    assert_eq!(app.count("audit_event").await, events);
    let own = app.get(&bids_path(t), &bidder.token).await.expect(200).body;
    assert_eq!(own["items"][0]["amount"], "200000.00");
}

#[tokio::test]
async fn bids_are_refused_after_the_deadline_and_on_tenders_not_open() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let org = app.user(Role::Organisation).await;
    let body = json!({"amount": "100.00", "proposal": "方案"});

    let cancelled = app.published_tender(&fo, line, "300000.00").await;
    app.post(
        &format!("{}/cancel", tender_path(cancelled)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    app.post(&bids_path(cancelled), &org.token, body.clone())
        .await
        .expect(409);

    let t = app.published_tender(&fo, line, "300000.00").await;
    app.clock.advance(Duration::days(11));
    let events = app.count("audit_event").await;
    app.post(&bids_path(t), &org.token, body.clone())
        .await
        .expect(409);
    app.act(&format!("{}/close", tender_path(t)), &fo.token)
        .await
        .expect(200);
    let events_after_close = app.count("audit_event").await;
    assert_eq!(events_after_close, events + 1);
    app.post(&bids_path(t), &org.token, body.clone())
        .await
        .expect(409);
    app.post(&bids_path(Uuid::new_v4()), &org.token, body)
        .await
        .expect(404);
    assert_eq!(app.count("bid").await, 0);
    assert_eq!(app.count("audit_event").await, events_after_close);
}

#[tokio::test]
async fn only_organisations_submit_bids() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let body = json!({"amount": "100.00", "proposal": "方案"});
    for u in [
        fo.clone(),
        app.user(Role::FinanceOfficer).await,
        app.user(Role::Supervisor).await,
        app.user(Role::Admin).await,
    ] {
        app.post(&bids_path(t), &u.token, body.clone())
            .await
            .expect(403);
    }
    app.call(Method::POST, &bids_path(t), None, Some(body))
        .await
        .expect(401);
    assert_eq!(app.count("bid").await, 0);
}
