//! Races: publications, awards and submissions at once keep the money and the one live bid right.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_publications_never_reserve_more_than_the_line() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut drafts = Vec::new();
    for _ in 0..10 {
        drafts.push(draft(&app, &fo, app.tender_body(line, "150000.00")).await);
    }
    let publishes = drafts
        .iter()
        .map(|id| app.act_owned(format!("/api/v1/tenders/{id}/publish"), fo.token.clone()));
    let answers = futures::future::join_all(publishes).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    let refused = answers.iter().filter(|a| a.status == 409).count();
    assert_eq!(
        (ok, refused),
        (6, 4),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(
        figures(&app, &fo, line).await,
        money("900000.00", "100000.00")
    );
    assert_eq!(app.count("tender WHERE status = 'published'").await, 6);
    assert_audit_intact(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_awards_of_one_tender_create_one_contract() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["1.00", "2.00", "3.00", "4.00"])
        .await;
    let (app_ref, fo_ref) = (&app, &fo);
    let awards = bids.iter().map(move |(_, b)| async move {
        app_ref
            .post(
                &format!("/api/v1/tenders/{t}/award"),
                &fo_ref.token,
                json!({"bid_id": b}),
            )
            .await
    });
    let answers = futures::future::join_all(awards).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    let refused = answers.iter().filter(|a| a.status == 409).count();
    assert_eq!(
        (created, refused),
        (1, 3),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(app.count("contract").await, 1);
    assert_eq!(status_of(&app, &fo, t).await, "awarded");
    assert_audit_intact(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_submissions_of_one_organisation_keep_one_live_bid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let t = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    let mut staff = vec![org.clone()];
    for _ in 0..5 {
        staff.push(
            app.user_in(Role::Organisation, None, org.organisation_id)
                .await,
        );
    }
    let app_ref = &app;
    let submissions = staff.iter().enumerate().map(|(i, u)| async move {
        app_ref
            .post(
                &bids_path(t),
                &u.token,
                json!({"amount": format!("{}.00", 1000 + i), "proposal": "方案"}),
            )
            .await
    });
    let answers = futures::future::join_all(submissions).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(app.count("bid").await, 1);
    assert_audit_intact(&app).await;
}
