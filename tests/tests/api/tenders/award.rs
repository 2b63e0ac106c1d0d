//! Awards: how many bids, the draft contract at the bid's amount, once, and what a suspended
//! organisation or a cancelled contract changes.

use super::*;

#[tokio::test]
async fn an_award_needs_three_bids_on_an_open_tender_and_two_on_an_inquiry() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "10000000.00").await;

    // Inquiry: one bid is too few, two suffice.
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["100000.00"])
        .await;
    let events = app.count("audit_event").await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[0].1}),
    )
    .await
    .expect(409);
    assert_eq!(status_of(&app, &fo, t).await, "closed");
    assert_eq!(app.count("contract").await, 0);
    assert_eq!(app.count("audit_event").await, events);

    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["100000.00", "120000.00"])
        .await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[1].1}),
    )
    .await
    .expect(201);

    // Each closing moves the clock 11 days: later services keep the deadlines before them.
    let later = |method: &str| {
        let mut body = app.tender_body(line, "300000.00");
        body["method"] = json!(method);
        body["service_start"] = json!("2026-09-01");
        body["service_end"] = json!("2027-08-31");
        body
    };
    // Open and invited: two are too few, three suffice.
    for method in ["open", "invited"] {
        let (t, bids) = closed_from(&app, &fo, later(method), &["1.00", "2.00"]).await;
        let a = app
            .post(
                &format!("{}/award", tender_path(t)),
                &fo.token,
                json!({"bid_id": bids[0].1}),
            )
            .await
            .expect(409);
        assert!(
            a.body["detail"].as_str().unwrap().contains('3'),
            "{}",
            a.text
        );
        assert_eq!(status_of(&app, &fo, t).await, "closed");

        let (t, bids) = closed_from(&app, &fo, later(method), &["1.00", "2.00", "3.00"]).await;
        app.post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bids[2].1}),
        )
        .await
        .expect(201);
    }
    // Competitive consultation may go on with two.
    let (t, bids) = closed_from(
        &app,
        &fo,
        later("competitive_consultation"),
        &["1.00", "2.00"],
    )
    .await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[0].1}),
    )
    .await
    .expect(201);
    assert_eq!(app.count("contract").await, 4);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn an_award_answers_201_with_a_draft_contract_for_the_bid_amount_and_only_once() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["280000.50", "290000.00"])
        .await;
    let (winner, bid) = (&bids[0].0, bids[0].1);
    let c = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bid}),
        )
        .await
        .expect(201);
    let k = &c.body;
    assert_eq!(k["status"], "draft");
    assert_eq!(k["value"], "280000.50");
    assert_eq!(k["tender_id"], t.to_string());
    assert_eq!(
        k["organisation_id"],
        winner.organisation_id.unwrap().to_string()
    );
    assert_eq!(k["purchaser_id"], fo.purchaser_id.unwrap().to_string());
    assert_eq!(k["budget_line_id"], line.to_string());
    assert_eq!(k["title"], "留守儿童关爱服务项目");
    assert_eq!(k["service_category"], "children");
    assert_eq!(k["division_code"], "410523");
    assert_eq!(k["start_date"], "2026-04-01");
    assert_eq!(k["end_date"], "2026-12-31");
    assert_eq!(k["direct_award_reason"], Value::Null);

    let tender = app.get(&tender_path(t), &fo.token).await.expect(200).body;
    assert_eq!(tender["status"], "awarded");
    assert_eq!(tender["awarded_bid_id"], bid.to_string());
    // The winner sees the award; the reservation stays until the contract is signed.
    let seen = app
        .get(&tender_path(t), &winner.token)
        .await
        .expect(200)
        .body;
    assert_eq!(seen["awarded_bid_id"], bid.to_string());
    app.get(&format!("/api/v1/contracts/{}", c.id()), &winner.token)
        .await
        .expect(200);
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );

    // Awarding again, the same bid or another, is refused and writes nothing.
    let events = app.count("audit_event").await;
    for b in [bid, bids[1].1] {
        app.post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": b}),
        )
        .await
        .expect(409);
    }
    assert_eq!(app.count("contract").await, 1);
    assert_eq!(app.count("audit_event").await, events);

    // An award before the tender is closed is refused.
    let p = app.published_tender(&fo, line, "100.00").await;
    let org = app.user(Role::Organisation).await;
    let b = app.bid(&org, p, "50.00").await;
    app.post(
        &format!("{}/award", tender_path(p)),
        &fo.token,
        json!({"bid_id": b}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("contract").await, 1);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn a_bid_of_another_tender_is_refused_on_bid_id() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t1, _) = app
        .closed_tender(&fo, line, "100000.00", &["1.00", "2.00"])
        .await;
    let (_, other_bids) = app
        .closed_tender(&fo, line, "100000.00", &["3.00", "4.00"])
        .await;
    let events = app.count("audit_event").await;
    for bid in [other_bids[0].1, Uuid::new_v4()] {
        let a = app
            .post(
                &format!("{}/award", tender_path(t1)),
                &fo.token,
                json!({"bid_id": bid}),
            )
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["bid_id"]);
    }
    for body in [
        json!({}),
        json!({"bid_id": "nope"}),
        json!({"bid_id": other_bids[0].1, "value": "1.00"}),
    ] {
        app.post(&format!("{}/award", tender_path(t1)), &fo.token, body)
            .await
            .expect(422);
    }
    assert_eq!(status_of(&app, &fo, t1).await, "closed");
    assert_eq!(app.count("contract").await, 0);
    assert_eq!(app.count("audit_event").await, events);
}

#[tokio::test]
async fn an_organisation_suspended_after_bidding_is_not_awarded() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let a = app.user(Role::Organisation).await;
    let b = app.user(Role::Organisation).await;
    let c = app.user(Role::Organisation).await;
    let bid_a = app.bid(&a, t, "200000.00").await;
    app.bid(&b, t, "210000.00").await;
    let bid_c = app.bid(&c, t, "220000.00").await;
    suspend(&app, a.organisation_id.unwrap()).await;
    app.clock.advance(Duration::days(11));
    app.act(&format!("{}/close", tender_path(t)), &fo.token)
        .await
        .expect(200);

    let events = app.count("audit_event").await;
    let r = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bid_a}),
        )
        .await
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("suspended"));
    assert_eq!(status_of(&app, &fo, t).await, "closed");
    assert_eq!(app.count("contract").await, 0);
    assert_eq!(app.count("audit_event").await, events);

    // The suspended bidder's bid still counts towards the minimum; another bidder may win.
    let k = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bid_c}),
        )
        .await
        .expect(201);
    assert_eq!(k.body["value"], "220000.00");
}

#[tokio::test]
async fn cancelling_the_awarded_draft_contract_reopens_the_tender_for_a_new_award() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["250000.00", "260000.00"])
        .await;
    let award = format!("{}/award", tender_path(t));
    let first = app
        .post(&award, &fo.token, json!({"bid_id": bids[0].1}))
        .await
        .expect(201)
        .id();
    let cancel = format!("/api/v1/contracts/{first}/cancel");
    let a = app
        .post(&cancel, &fo.token, json!({"reason": ""}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["reason"]);
    assert_eq!(status_of(&app, &fo, t).await, "awarded");

    let c = app
        .post(&cancel, &fo.token, json!({"reason": "中标人放弃"}))
        .await
        .expect(200);
    assert_eq!(c.body["status"], "cancelled");
    let tender = app.get(&tender_path(t), &fo.token).await.expect(200).body;
    assert_eq!(tender["status"], "closed");
    assert_eq!(tender["awarded_bid_id"], Value::Null);
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );

    let second = app
        .post(&award, &fo.token, json!({"bid_id": bids[1].1}))
        .await
        .expect(201);
    assert_eq!(second.body["value"], "260000.00");
    assert_ne!(second.id(), first);
    assert_eq!(
        app.get(&tender_path(t), &fo.token).await.expect(200).body["awarded_bid_id"],
        bids[1].1.to_string()
    );
    assert_eq!(app.count("contract").await, 2);
    // The cancelled contract stays cancelled.
    app.post(&cancel, &fo.token, json!({"reason": "再次"}))
        .await
        .expect(409);
    // Signing the new contract moves the ceiling reservation to a commitment of its value.
    app.act(
        &format!("/api/v1/contracts/{}/sign", second.id()),
        &fo.token,
    )
    .await
    .expect(200);
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "740000.00"));
    assert_audit_intact(&app).await;
}
