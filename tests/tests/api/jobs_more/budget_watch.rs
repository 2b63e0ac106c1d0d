//! The budget watch: lines committed over 90 per cent and lines disbursing too slowly.

use super::*;

#[tokio::test]
async fn a_line_committed_over_90_percent_warns_supervisors_and_its_purchasers_officers() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo2 = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    let elsewhere = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let gone = app.user(Role::Supervisor).await;
    deactivate(&app, &admin, &gone).await;
    let o = org(&app, &admin).await;

    let full = app.budget_line(&fo, "100000.00").await;
    let k = draft(
        &app,
        &fo,
        &o,
        full,
        "满额合同",
        ("2026-04-01", "2026-12-31"),
        "95000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);
    // Reserved by a published tender counts too.
    let reserved = app.budget_line(&fo, "100000.00").await;
    app.published_tender(&fo, reserved, "92000.00").await;
    // Exactly 90 % is not over 90 %; half is fine; another purchaser's line is not theirs.
    let ninety = app.budget_line(&fo, "100000.00").await;
    let k = draft(
        &app,
        &fo,
        &o,
        ninety,
        "九成合同",
        ("2026-04-01", "2026-12-31"),
        "90000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);
    let other = app.budget_line(&elsewhere, "100000.00").await;
    let other_org = org(&app, &admin).await;
    let k = draft(
        &app,
        &elsewhere,
        &other_org,
        other,
        "他县合同",
        ("2026-04-01", "2026-12-31"),
        "50000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &elsewhere.token)
        .await
        .expect(200);

    let (examined, notified) = run(&app, "budget_watch").await;
    assert_eq!(examined, 4);
    assert_eq!(notified, 6, "two lines × (supervisor + two officers)");
    let rows = of_kind(&app, "budget_watch").await;
    let lines: BTreeSet<Uuid> = rows
        .iter()
        .map(|n| n.dedupe_key.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, [full, reserved].into_iter().collect());
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[
            email(&app, &sup).await,
            email(&app, &fo).await,
            email(&app, &fo2).await
        ])
    );
    let about_full: Vec<_> = rows
        .iter()
        .filter(|n| n.dedupe_key.contains(&full.to_string()))
        .collect();
    assert!(
        about_full
            .iter()
            .all(|n| n.body_text.contains("95%") && n.subject.contains("社工服务")),
        "{:?}",
        about_full.iter().map(|n| &n.body_text).collect::<Vec<_>>()
    );
    // Once a week.
    at(&app, "2026-03-03");
    assert_eq!(run(&app, "budget_watch").await.1, 0);
    at(&app, "2026-03-09");
    assert_eq!(run(&app, "budget_watch").await.1, 6, "the next ISO week");
}

#[tokio::test]
async fn a_line_disbursing_too_slowly_late_in_the_year_is_flagged() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let o = org(&app, &admin).await;
    let paying = app.budget_line(&fo, "100000.00").await;
    let k = draft(
        &app,
        &fo,
        &o,
        paying,
        "按进度支付",
        ("2026-04-01", "2026-12-31"),
        "80000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);
    app.pay(
        &fo.token,
        k,
        json!({"amount": "70000.00", "paid_on": "2026-03-02", "voucher_no": "PV-ADV-1"}),
    )
    .await
    .expect(201);
    let idle = app.budget_line(&fo, "100000.00").await;

    // In March (16.7 % of the year elapsed) nothing lags by more than 20 points.
    assert_eq!(run(&app, "budget_watch").await.1, 0);
    // On 1 October, 75.1 % of the year is gone: the idle line lags, the paying one (70 %) not.
    at(&app, "2026-10-01");
    run(&app, "budget_watch").await;
    let rows = of_kind(&app, "budget_watch").await;
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|n| n.dedupe_key.starts_with(&format!("budget_watch:{idle}:"))),
        "{:?}",
        rows.iter().map(|n| &n.dedupe_key).collect::<Vec<_>>()
    );
    // The purchaser's officers: the one who paid and the approver the payment's request
    // needed (SPEC §9).
    let approvers: Vec<String> = user::Entity::find()
        .filter(user::Column::PurchaserId.eq(fo.purchaser_id))
        .filter(user::Column::Approver.eq(true))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(approvers.len(), 1);
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[
            email(&app, &sup).await,
            email(&app, &fo).await,
            approvers[0].clone()
        ])
    );
    assert!(
        rows[0].body_text.contains("75.1%") && rows[0].body_text.contains("已支付 0%"),
        "{}",
        rows[0].body_text
    );
}

#[tokio::test]
async fn the_allowed_disbursement_lag_is_configurable() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 8760;
        c.budget_lag = rust_decimal::Decimal::new(1, 1);
    })
    .await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "100000.00").await;
    // 2 March: 16.7 % of the year is gone, more than 10 points ahead of nothing disbursed.
    assert_eq!(run(&app, "budget_watch").await, (1, 1));
    let n = &of_kind(&app, "budget_watch").await[0];
    assert!(n.dedupe_key.starts_with(&format!("budget_watch:{line}:")));
    assert!(n.body_text.contains("16.7%"), "{}", n.body_text);
}
