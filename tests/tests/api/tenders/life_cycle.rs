//! A tender's life cycle: publishing (the reservation, the deadline, the minimum bid period),
//! closing, cancelling and marking it unsuccessful.

use super::*;

// --- publish ----------------------------------------------------------------------------

#[tokio::test]
async fn publishing_reserves_the_ceiling_and_is_refused_when_the_line_lacks_it() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t1 = draft(&app, &fo, app.tender_body(line, "600000.00")).await;
    let t2 = draft(&app, &fo, app.tender_body(line, "600000.00")).await;

    let p = app
        .act(&format!("{}/publish", tender_path(t1)), &fo.token)
        .await
        .expect(200);
    assert_eq!(p.body["status"], "published");
    assert!(p.body["published_at"].is_string());
    assert_eq!(
        figures(&app, &fo, line).await,
        money("600000.00", "400000.00")
    );

    let events = app.count("audit_event").await;
    app.act(&format!("{}/publish", tender_path(t2)), &fo.token)
        .await
        .expect(409);
    assert_eq!(status_of(&app, &fo, t2).await, "draft");
    assert_eq!(
        figures(&app, &fo, line).await,
        money("600000.00", "400000.00")
    );
    assert_eq!(app.count("audit_event").await, events);
    // Publishing twice is a bad transition.
    app.act(&format!("{}/publish", tender_path(t1)), &fo.token)
        .await
        .expect(409);

    // Exactly what is available is enough.
    app.patch(
        &tender_path(t2),
        &fo.token,
        json!({"ceiling_amount": "400000.00"}),
    )
    .await
    .expect(200);
    app.act(&format!("{}/publish", tender_path(t2)), &fo.token)
        .await
        .expect(200);
    assert_eq!(figures(&app, &fo, line).await, money("1000000.00", "0.00"));
    // The reserved money cannot be taken by lowering the line either.
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"amount": "999999.99", "reason": "调减"}),
    )
    .await
    .expect(409);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn publishing_is_refused_with_a_deadline_in_the_past_or_after_the_service_start() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let now = app.state.now();
    let cases = [
        ((now - Duration::hours(1)).to_rfc3339(), "bid_deadline"),
        (now.to_rfc3339(), "bid_deadline"),
        ("2026-04-05T02:00:00Z".to_string(), "service_start"),
        // 2 April 00:30 in Shanghai: after a service starting on 1 April.
        ("2026-04-01T16:30:00Z".to_string(), "service_start"),
    ];
    let events = app.count("audit_event").await;
    for (deadline, field) in cases {
        let mut body = app.tender_body(line, "100.00");
        body["bid_deadline"] = json!(deadline);
        let t = draft(&app, &fo, body).await;
        let a = app
            .act(&format!("{}/publish", tender_path(t)), &fo.token)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{deadline}");
        assert_eq!(status_of(&app, &fo, t).await, "draft");
    }
    assert_eq!(
        app.count("audit_event").await,
        events + 4,
        "only the four creations"
    );
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    // 1 April 23:30 in Shanghai is still the service's first day: allowed.
    let mut body = app.tender_body(line, "100.00");
    body["bid_deadline"] = json!("2026-04-01T15:30:00Z");
    let t = draft(&app, &fo, body).await;
    app.act(&format!("{}/publish", tender_path(t)), &fo.token)
        .await
        .expect(200);
    // A deadline that was fixed in the past is fixed by editing the draft.
    let mut body = app.tender_body(line, "100.00");
    body["bid_deadline"] = json!((now - Duration::days(1)).to_rfc3339());
    let t = draft(&app, &fo, body).await;
    app.act(&format!("{}/publish", tender_path(t)), &fo.token)
        .await
        .expect(422);
    app.patch(
        &tender_path(t),
        &fo.token,
        json!({"bid_deadline": (now + Duration::days(5)).to_rfc3339()}),
    )
    .await
    .expect(200);
    app.act(&format!("{}/publish", tender_path(t)), &fo.token)
        .await
        .expect(200);
}

#[tokio::test]
async fn the_methods_minimum_bid_period_is_enforced_at_publication() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.min_bid_days =
            "open=20,invited=20,competitive_consultation=10,competitive_negotiation=3,inquiry=3"
                .into();
    })
    .await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let now = app.state.now();
    let cases = [
        ("open", Duration::days(19), 422),
        ("open", Duration::days(20) - Duration::seconds(1), 422),
        ("open", Duration::days(20), 200),
        ("open", Duration::days(25), 200),
        ("invited", Duration::days(19), 422),
        ("invited", Duration::days(21), 200),
        ("competitive_consultation", Duration::days(9), 422),
        ("competitive_consultation", Duration::days(10), 200),
        ("inquiry", Duration::days(2), 422),
        ("inquiry", Duration::days(3), 200),
    ];
    for (method, ahead, expected) in cases {
        let mut body = app.tender_body(line, "100.00");
        body["method"] = json!(method);
        body["bid_deadline"] = json!((now + ahead).to_rfc3339());
        let t = draft(&app, &fo, body).await;
        let a = app
            .act(&format!("{}/publish", tender_path(t)), &fo.token)
            .await;
        assert_eq!(a.status.as_u16(), expected, "{method} {ahead}: {}", a.text);
        if expected == 422 {
            assert_eq!(a.error_fields(), ["bid_deadline"]);
            assert_eq!(status_of(&app, &fo, t).await, "draft");
        }
    }
}

// --- close ------------------------------------------------------------------------------

#[tokio::test]
async fn a_tender_closes_only_from_published_and_after_its_deadline() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    app.act(&format!("{}/close", tender_path(d)), &fo.token)
        .await
        .expect(409);

    let t = app.published_tender(&fo, line, "100.00").await;
    let org = app.user(Role::Organisation).await;
    let close = format!("{}/close", tender_path(t));
    app.act(&close, &fo.token).await.expect(409);
    app.clock.advance(Duration::days(10) - Duration::seconds(1));
    app.act(&close, &fo.token).await.expect(409);
    assert_eq!(status_of(&app, &fo, t).await, "published");
    app.bid(&org, t, "99.00").await;

    // At the deadline bidding has ended and the tender may close.
    app.clock.advance(Duration::seconds(1));
    app.post(
        &bids_path(t),
        &org.token,
        json!({"amount": "98.00", "proposal": "迟到"}),
    )
    .await
    .expect(409);
    let c = app.act(&close, &fo.token).await.expect(200);
    assert_eq!(c.body["status"], "closed");
    app.act(&close, &fo.token).await.expect(409);
    // A closed tender still holds its ceiling.
    assert_eq!(figures(&app, &fo, line).await, money("100.00", "999900.00"));
    assert_audit_intact(&app).await;
}

// --- cancel and unsuccessful ------------------------------------------------------------

#[tokio::test]
async fn cancelling_a_draft_published_or_closed_tender_needs_a_reason_and_releases_the_ceiling() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;

    let d = draft(&app, &fo, app.tender_body(line, "100000.00")).await;
    let p = app.published_tender(&fo, line, "200000.00").await;
    assert_eq!(
        figures(&app, &fo, line).await,
        money("200000.00", "800000.00")
    );

    let events = app.count("audit_event").await;
    for body in [
        json!({"reason": ""}),
        json!({"reason": "   "}),
        json!({}),
        json!({"reason": "x".repeat(2001)}),
    ] {
        let a = app
            .post(&format!("{}/cancel", tender_path(p)), &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["reason"]);
    }
    app.act(&format!("{}/cancel", tender_path(p)), &fo.token)
        .await
        .expect(415);
    assert_eq!(status_of(&app, &fo, p).await, "published");
    assert_eq!(app.count("audit_event").await, events);

    for t in [d, p] {
        let c = app
            .post(
                &format!("{}/cancel", tender_path(t)),
                &fo.token,
                json!({"reason": "  需求变更  "}),
            )
            .await
            .expect(200);
        assert_eq!(c.body["status"], "cancelled");
        assert_eq!(c.body["status_reason"], "需求变更");
    }
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    let (closed, _) = app.closed_tender(&fo, line, "300000.00", &["100.00"]).await;
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );
    app.post(
        &format!("{}/cancel", tender_path(closed)),
        &fo.token,
        json!({"reason": "投标人不足"}),
    )
    .await
    .expect(200);
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    // From cancelled, nothing more.
    let events = app.count("audit_event").await;
    for t in [d, p, closed] {
        let path = tender_path(t);
        app.post(
            &format!("{path}/cancel"),
            &fo.token,
            json!({"reason": "再次"}),
        )
        .await
        .expect(409);
        app.act(&format!("{path}/publish"), &fo.token)
            .await
            .expect(409);
        app.act(&format!("{path}/close"), &fo.token)
            .await
            .expect(409);
        app.post(
            &format!("{path}/unsuccessful"),
            &fo.token,
            json!({"reason": "再次"}),
        )
        .await
        .expect(409);
    }
    assert_eq!(app.count("audit_event").await, events);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn an_awarded_tender_cannot_be_cancelled() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["100.00", "200.00"])
        .await;
    app.post(
        &format!("{}/award", tender_path(t)),
        &fo.token,
        json!({"bid_id": bids[0].1}),
    )
    .await
    .expect(201);
    for action in ["cancel", "unsuccessful"] {
        app.post(
            &format!("{}/{action}", tender_path(t)),
            &fo.token,
            json!({"reason": "改主意"}),
        )
        .await
        .expect(409);
    }
    assert_eq!(status_of(&app, &fo, t).await, "awarded");
    assert_eq!(
        figures(&app, &fo, line).await,
        money("300000.00", "700000.00")
    );
}

#[tokio::test]
async fn only_a_closed_tender_is_marked_unsuccessful_which_releases_the_ceiling() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let p = app.published_tender(&fo, line, "100.00").await;
    for t in [d, p] {
        app.post(
            &format!("{}/unsuccessful", tender_path(t)),
            &fo.token,
            json!({"reason": "无人投标"}),
        )
        .await
        .expect(409);
    }
    assert_eq!(status_of(&app, &fo, d).await, "draft");
    assert_eq!(status_of(&app, &fo, p).await, "published");
    app.post(
        &format!("{}/cancel", tender_path(p)),
        &fo.token,
        json!({"reason": "重新招标"}),
    )
    .await
    .expect(200);

    let (t, bids) = app.closed_tender(&fo, line, "300000.00", &["100.00"]).await;
    let path = tender_path(t);
    let a = app
        .post(
            &format!("{path}/unsuccessful"),
            &fo.token,
            json!({"reason": ""}),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["reason"]);
    assert_eq!(status_of(&app, &fo, t).await, "closed");
    let u = app
        .post(
            &format!("{path}/unsuccessful"),
            &fo.token,
            json!({"reason": "有效投标不足两家"}),
        )
        .await
        .expect(200);
    assert_eq!(u.body["status"], "unsuccessful");
    assert_eq!(u.body["status_reason"], "有效投标不足两家");
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));

    for (action, body) in [
        ("unsuccessful", json!({"reason": "再次"})),
        ("cancel", json!({"reason": "再次"})),
        ("award", json!({"bid_id": bids[0].1})),
    ] {
        app.post(&format!("{path}/{action}"), &fo.token, body)
            .await
            .expect(409);
    }
    assert_eq!(app.count("contract").await, 0);
    assert_audit_intact(&app).await;
}
