//! The procurement life cycle end to end, and the races on a budget line.

use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

#[tokio::test]
async fn a_tender_is_published_bid_on_awarded_and_its_contract_signed_against_the_budget() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let line_path = format!("/api/v1/budget-lines/{line}");

    let tender = app.published_tender(&fo, line, "300000.00").await;
    let l = app.get(&line_path, &fo.token).await.expect(200).body;
    assert_eq!(
        (l["reserved"].as_str(), l["available"].as_str()),
        (Some("300000.00"), Some("700000.00"))
    );

    let a = app.user(Role::Organisation).await;
    let b = app.user(Role::Organisation).await;
    let bid_a = app.bid(&a, tender, "280000.00").await;
    app.bid(&b, tender, "290000.00").await;
    // A replacement before the deadline answers 200 and keeps one bid.
    let replaced = app
        .post(
            &format!("/api/v1/tenders/{tender}/bids"),
            &a.token,
            json!({"amount": "275000.50", "proposal": "修订方案"}),
        )
        .await
        .expect(200);
    assert_eq!(replaced.id(), bid_a);

    // Sealed: the officer sees no bids yet; each bidder sees only its own.
    assert_eq!(
        app.get(&format!("/api/v1/tenders/{tender}/bids"), &fo.token)
            .await
            .expect(200)
            .body["items"],
        json!([])
    );
    let own = app
        .get(&format!("/api/v1/tenders/{tender}/bids"), &b.token)
        .await
        .expect(200)
        .body;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        own["items"][0]["organisation_id"],
        b.organisation_id.unwrap().to_string()
    );

    app.act(&format!("/api/v1/tenders/{tender}/close"), &fo.token)
        .await
        .expect(409);
    app.clock.advance(chrono::Duration::days(11));
    app.post(
        &format!("/api/v1/tenders/{tender}/bids"),
        &a.token,
        json!({"amount": "1.00", "proposal": "迟到"}),
    )
    .await
    .expect(409);
    app.act(&format!("/api/v1/tenders/{tender}/close"), &fo.token)
        .await
        .expect(200);
    let all = app
        .get(&format!("/api/v1/tenders/{tender}/bids"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    let contract = app
        .post(
            &format!("/api/v1/tenders/{tender}/award"),
            &fo.token,
            json!({"bid_id": bid_a}),
        )
        .await
        .expect(201);
    assert_eq!(contract.body["status"], "draft");
    assert_eq!(contract.body["value"], "275000.50");
    assert_eq!(contract.body["start_date"], "2026-04-01");
    let l = app.get(&line_path, &fo.token).await.expect(200).body;
    assert_eq!(
        l["reserved"], "300000.00",
        "an awarded tender stays reserved until its contract is signed"
    );

    let cid = contract.id();
    let signed = app
        .act(&format!("/api/v1/contracts/{cid}/sign"), &fo.token)
        .await
        .expect(200);
    assert_eq!(signed.body["status"], "active");
    let l = app.get(&line_path, &fo.token).await.expect(200).body;
    assert_eq!(
        (
            l["reserved"].as_str(),
            l["committed"].as_str(),
            l["available"].as_str()
        ),
        (Some("0.00"), Some("275000.50"), Some("724999.50"))
    );

    // The organisation sees its contract; the other bidder does not.
    app.get(&format!("/api/v1/contracts/{cid}"), &a.token)
        .await
        .expect(200);
    app.get(&format!("/api/v1/contracts/{cid}"), &b.token)
        .await
        .expect(404);

    app.post(
        &format!("/api/v1/contracts/{cid}/terminate"),
        &fo.token,
        json!({"reason": "服务质量不达标"}),
    )
    .await
    .expect(200);
    let l = app.get(&line_path, &fo.token).await.expect(200).body;
    assert_eq!(
        (l["committed"].as_str(), l["available"].as_str()),
        (Some("0.00"), Some("1000000.00"))
    );

    let verify = app
        .get(
            "/api/v1/audit/verify",
            &app.user(Role::Supervisor).await.token,
        )
        .await
        .expect(200);
    assert_eq!(verify.body["intact"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_signatures_never_commit_more_than_the_line() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "100000.00").await;
    let org = app.organisation().await;
    let mut drafts = Vec::new();
    for _ in 0..20 {
        drafts.push(app.draft_contract(&fo, org, line, "15000.00").await);
    }
    let signs = drafts
        .iter()
        .map(|id| app.act_owned(format!("/api/v1/contracts/{id}/sign"), fo.token.clone()));
    let answers = futures::future::join_all(signs).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    let refused = answers.iter().filter(|a| a.status == 409).count();
    assert_eq!(
        (ok, refused),
        (6, 14),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        (l["committed"].as_str(), l["available"].as_str()),
        (Some("90000.00"), Some("10000.00"))
    );
    assert_eq!(app.count("contract WHERE status = 'active'").await, 6);
}
