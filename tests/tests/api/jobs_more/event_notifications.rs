//! The notifications of events: reports, decisions, payments, published tenders and changed lines.

use super::*;

#[tokio::test]
async fn reports_decisions_and_payments_notify_the_officer_or_the_organisation() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let bystander = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "社区居家养老服务",
        YEAR,
        &[("第一季度服务", "2026-06-30")],
    )
    .await;
    let m = d.milestones[0];

    report(&app, &o.staff, m, json!([])).await;
    let submitted = of_kind(&app, "report_submitted").await;
    assert_eq!(submitted.len(), 1);
    let n = &submitted[0];
    assert_eq!(n.recipient_email, fo_email);
    assert_eq!(n.recipient_user_id, Some(fo.user_id));
    assert!(
        n.subject.contains("第一季度服务") && n.subject.contains(&o.name),
        "{}",
        n.subject
    );
    assert!(n.body_text.contains("社区居家养老服务"), "{}", n.body_text);
    // The link is the milestone's page, where the report is reviewed.
    assert!(
        n.body_text.contains(&format!("/milestones/{m}\n"))
            || n.body_text.contains(&format!("/milestones/{m} "))
            || n.body_text.ends_with(&format!("/milestones/{m}")),
        "{}",
        n.body_text
    );
    assert!(!n.body_text.contains("/reports"), "{}", n.body_text);
    // A refused report (the milestone awaits review) notifies nobody: the outbox row is in
    // the transaction of the change.
    app.post(
        &format!("/api/v1/milestones/{m}/reports"),
        &o.staff.token,
        json!({"summary": "重复提交", "measurements": []}),
    )
    .await
    .expect(409);
    assert_eq!(of_kind(&app, "report_submitted").await.len(), 1);

    app.post(
        &format!("/api/v1/milestones/{m}/reject"),
        &fo.token,
        json!({"comment": "缺少签到表"}),
    )
    .await
    .expect(200);
    let decided = of_kind(&app, "report_decided").await;
    assert_eq!(
        decided
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email])
    );
    for n in &decided {
        assert!(n.subject.contains("第一季度服务") && n.subject.contains("退回"));
        assert!(n.body_text.contains("缺少签到表") && n.body_text.contains("社区居家养老服务"));
    }

    report(&app, &o.staff, m, json!([])).await;
    assert_eq!(
        of_kind(&app, "report_submitted").await.len(),
        2,
        "a resubmission too"
    );
    app.act(&format!("/api/v1/milestones/{m}/accept"), &fo.token)
        .await
        .expect(200);
    let accepted: Vec<_> = of_kind(&app, "report_decided")
        .await
        .into_iter()
        .filter(|n| n.subject.contains("验收通过"))
        .collect();
    assert_eq!(
        accepted
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email])
    );
    assert!(accepted.iter().all(|n| n.body_text.contains("¥10,000.00")));

    let pay = json!({"milestone_id": m, "amount": "6000.00", "paid_on": "2026-03-02", "voucher_no": "PV-2026-001"});
    app.pay(&fo.token, d.contract, pay.clone())
        .await
        .expect(201);
    // A repeated voucher answers the same payment and notifies nobody again.
    app.pay(&fo.token, d.contract, pay).await.expect(200);
    let paid = of_kind(&app, "payment_recorded").await;
    assert_eq!(
        paid.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email])
    );
    assert_eq!(paid.len(), 2);
    for n in &paid {
        assert!(n.subject.contains("¥6,000.00"));
        assert!(
            n.body_text.contains("社区居家养老服务")
                && n.body_text.contains("PV-2026-001")
                && n.body_text.contains("2026年3月2日"),
            "{}",
            n.body_text
        );
    }
    // Nobody else heard of it: the payment's request (SPEC §9) told the officer of its
    // submission, the approver of its verification, and the officer and the organisation of
    // its approval.
    let approvers: BTreeSet<String> = user::Entity::find()
        .filter(user::Column::Approver.eq(true))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(approvers.len(), 1);
    let requests = of_kind(&app, "payment_request").await;
    assert_eq!(
        requests
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email, &fo_email])
            .union(&approvers)
            .cloned()
            .collect()
    );
    let everyone: BTreeSet<String> = rows(&app)
        .await
        .into_iter()
        .filter(|n| n.kind != entity::rules::vocab::NotificationKind::PaymentRequest)
        .map(|n| n.recipient_email)
        .collect();
    assert_eq!(everyone, set(&[&o.contact, &o.staff_email, &fo_email]));
    assert!(!everyone.contains(&bystander.contact));
}

#[tokio::test]
async fn a_published_tender_notifies_every_active_organisation_but_not_a_suspended_one() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let a = org(&app, &admin).await;
    let b = org(&app, &admin).await;
    let c = org(&app, &admin).await;
    let (left, _) = colleague(&app, &a).await;
    deactivate(&app, &admin, &left).await;
    app.patch(
        &format!("/api/v1/organisations/{}", b.id),
        &admin.token,
        json!({"status": "suspended", "status_reason": "年检不合格"}),
    )
    .await
    .expect(200);

    let line = app.budget_line(&fo, "500000.00").await;
    let tender = app.published_tender(&fo, line, "300000.00").await;
    let rows = of_kind(&app, "tender_published").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&a.contact, &a.staff_email, &c.contact, &c.staff_email]),
        "active organisations' contacts and active staff"
    );
    for n in &rows {
        assert!(
            n.dedupe_key
                .starts_with(&format!("tender_published:{tender}:"))
        );
        assert!(n.subject.contains("留守儿童关爱服务项目"), "{}", n.subject);
        assert!(
            n.body_text.contains("¥300,000.00") && n.body_text.contains("某县民政局"),
            "{}",
            n.body_text
        );
        // The deadline, ten days on from 09:00 on 2 March, in Beijing time.
        assert!(
            n.body_text.contains("2026年3月12日 09:00"),
            "{}",
            n.body_text
        );
    }
    // Suspended staff see nothing in the app either.
    let seen = app
        .get("/api/v1/notifications", &b.staff.token)
        .await
        .expect(200);
    assert!(seen.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn changing_a_budget_lines_amount_notifies_the_active_supervisors() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let s1 = app.user(Role::Supervisor).await;
    let s2 = app.user(Role::Supervisor).await;
    let gone = app.user(Role::Supervisor).await;
    deactivate(&app, &admin, &gone).await;
    let line = app.budget_line(&fo, "100000.00").await;
    let code = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body["code"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"amount": "150000.00", "reason": "追加年度预算"}),
    )
    .await
    .expect(200);
    let rows = of_kind(&app, "budget_amount_changed").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[email(&app, &s1).await, email(&app, &s2).await])
    );
    for n in &rows {
        assert!(n.subject.contains(&code), "{}", n.subject);
        assert!(
            n.body_text.contains("¥100,000.00")
                && n.body_text.contains("¥150,000.00")
                && n.body_text.contains("追加年度预算"),
            "{}",
            n.body_text
        );
    }
    // A second change is a second message; a change of the name only is none.
    app.clock.advance(Duration::seconds(1));
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"amount": "120000.00", "reason": "调减"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"name": "社工服务（调整）"}),
    )
    .await
    .expect(200);
    assert_eq!(of_kind(&app, "budget_amount_changed").await.len(), 4);
}
