//! Payments: who pays, what a milestone, an advance, the contract and the line allow, the
//! payment date, voucher numbers and the contracts that take none.

use super::*;

#[tokio::test]
async fn a_supervisor_cannot_pay() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    let body = payment(None, "100.00", "V-1");
    let supervisor = app.user(Role::Supervisor).await;
    // The payment itself (SPEC §9: it pays a request) is refused to every role but the
    // purchaser's finance officers before its body is read.
    let direct =
        json!({"payment_request_id": Uuid::now_v7(), "paid_on": "2026-03-02", "voucher_no": "V-1"});
    let payments = format!("{}/payments", contract_path(d.contract));
    let a = app
        .post(&payments, &supervisor.token, direct.clone())
        .await
        .expect(403);
    assert_eq!(a.body["status"], 403);
    for token in [
        &d.staff.token,
        &app.user(Role::Admin).await.token,
        &app.user(Role::Organisation).await.token,
    ] {
        app.post(&payments, token, direct.clone()).await.expect(403);
    }
    // Another purchaser's officer does not see the contract.
    app.post(
        &payments,
        &app.user(Role::FinanceOfficer).await.token,
        direct.clone(),
    )
    .await
    .expect(404);
    app.call(
        Method::POST,
        &format!("{}/payments", contract_path(d.contract)),
        None,
        Some(body.clone()),
    )
    .await
    .expect(401);
    assert_eq!(app.count("payment").await, 0);
    // Any officer of the purchaser may.
    let colleague = app
        .user_in(Role::FinanceOfficer, d.fo.purchaser_id, None)
        .await;
    let p = pay(&app, &colleague.token, d.contract, body)
        .await
        .expect(201);
    assert_eq!(p.body["recorded_by"], colleague.user_id.to_string());
    assert_eq!(p.body["amount"], "100.00");
    // Everyone who reads the contract reads its payments.
    let list = app
        .get(
            &format!("{}/payments", contract_path(d.contract)),
            &supervisor.token,
        )
        .await
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    app.get(
        &format!("{}/payments", contract_path(d.contract)),
        &app.user(Role::Organisation).await.token,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn a_milestone_is_paid_only_after_acceptance_and_at_most_its_payable_less_what_was_paid() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let c = d.contract;
    pay(&app, &d.fo.token, c, payment(Some(m), "1.00", "V-1"))
        .await
        .expect(409);
    report(&app, &d.staff, m, json!([])).await.expect(201);
    pay(&app, &d.fo.token, c, payment(Some(m), "1.00", "V-1"))
        .await
        .expect(409);
    reject(&app, &d.fo.token, m, "补材料").await.expect(200);
    pay(&app, &d.fo.token, c, payment(Some(m), "1.00", "V-1"))
        .await
        .expect(409);
    assert_eq!(app.count("payment").await, 0);
    report(&app, &d.staff, m, json!([])).await.expect(201);
    accept(&app, &d.fo.token, m).await.expect(200);

    let first = pay(&app, &d.fo.token, c, payment(Some(m), "600.00", "V-1"))
        .await
        .expect(201);
    assert_eq!(first.body["milestone_id"], m.to_string());
    pay(&app, &d.fo.token, c, payment(Some(m), "400.01", "V-2"))
        .await
        .expect(409);
    assert_eq!(app.count("payment").await, 1);
    pay(&app, &d.fo.token, c, payment(Some(m), "400.00", "V-2"))
        .await
        .expect(201);
    pay(&app, &d.fo.token, c, payment(Some(m), "0.01", "V-3"))
        .await
        .expect(409);
    assert_eq!(app.count("payment").await, 2);

    // Bad bodies.
    let other = app
        .world()
        .value("1000.00")
        .milestone("2026-06-30", "100.00")
        .await;
    let foreign = other.milestones[0];
    let bad = [
        (payment(Some(foreign), "1.00", "V-9"), "milestone_id"),
        (payment(None, "0.00", "V-9"), "amount"),
        (payment(None, "-1.00", "V-9"), "amount"),
        (
            json!({"amount": 1, "paid_on": "2026-03-02", "voucher_no": "V-9"}),
            "amount",
        ),
        (payment(None, "1.00", " "), "voucher_no"),
        (
            json!({"amount": "1.00", "paid_on": "2026-03-02", "voucher_no": "V-9", "recorded_by": d.fo.user_id}),
            "recorded_by",
        ),
        (json!({"amount": "1.00", "voucher_no": "V-9"}), "paid_on"),
    ];
    for (body, field) in bad {
        let a = pay(&app, &d.fo.token, c, body.clone()).await.expect(422);
        assert!(
            a.error_fields().contains(&field.to_string()),
            "{body}: {}",
            a.text
        );
    }
    assert_eq!(app.count("payment").await, 2);
    let (_, disbursed, _) = line_figures(&app, &d.fo, d.line).await;
    assert_eq!(disbursed, "1000.00");
}

#[tokio::test]
async fn an_advance_is_at_most_the_value_less_the_milestones_and_earlier_advances() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    milestone(&app, &d, "2026-06-30", "4000.00").await;
    let m2 = milestone(&app, &d, "2026-09-30", "2000.00").await;
    let c = d.contract;
    pay(&app, &d.fo.token, c, payment(None, "4000.01", "A-1"))
        .await
        .expect(409);
    pay(&app, &d.fo.token, c, payment(None, "2500.00", "A-1"))
        .await
        .expect(201);
    pay(&app, &d.fo.token, c, payment(None, "1500.01", "A-2"))
        .await
        .expect(409);
    pay(&app, &d.fo.token, c, payment(None, "1500.00", "A-2"))
        .await
        .expect(201);
    pay(&app, &d.fo.token, c, payment(None, "0.01", "A-3"))
        .await
        .expect(409);
    assert_eq!(app.count("payment").await, 2);
    // A cancelled milestone frees its amount for advances.
    cancel(&app, &d.fo.token, m2, "改为预付").await.expect(200);
    pay(&app, &d.fo.token, c, payment(None, "2000.01", "A-3"))
        .await
        .expect(409);
    pay(&app, &d.fo.token, c, payment(None, "2000.00", "A-3"))
        .await
        .expect(201);
    pay(&app, &d.fo.token, c, payment(None, "0.01", "A-4"))
        .await
        .expect(409);
    assert_eq!(app.count("payment").await, 3);
}

#[tokio::test]
async fn payments_never_exceed_the_contract_value() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("1000.00")
        .milestone("2026-06-30", "600.00")
        .await;
    let m = d.milestones[0];
    // An advance may take only what no milestone plans …
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "400.01", "A-0"),
    )
    .await
    .expect(409);
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "400.00", "A-1"),
    )
    .await
    .expect(201);
    // … and a milestone planned afterwards cannot claim what was advanced.
    add_milestone(&app, &d.fo, d.contract, "2026-09-30", "0.01")
        .await
        .expect(409);
    let out = deliver(&app, &d, m, json!([])).await;
    assert_eq!(out["payable"], "600.00");
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(Some(m), "600.01", "M-1"),
    )
    .await
    .expect(409);
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(Some(m), "600.00", "M-1"),
    )
    .await
    .expect(201);
    pay(&app, &d.fo.token, d.contract, payment(None, "0.01", "A-2"))
        .await
        .expect(409);
    assert_eq!(app.count("payment").await, 2);
    let list = app
        .get(
            &format!("{}/payments", contract_path(d.contract)),
            &d.fo.token,
        )
        .await
        .expect(200)
        .body;
    let paid: Decimal = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| dec(&p["amount"]))
        .sum();
    assert_eq!(paid, "1000.00".parse().unwrap());
}

#[tokio::test]
async fn payments_never_exceed_the_budget_line() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.organisation().await;
    let line = app.budget_line(&fo, "10000.00").await;
    // A terminated contract releases its unpaid value, which a second contract then commits;
    // the first takes no more advances, so the line is never paid beyond its amount.
    let a = app.active_contract(&fo, org, line, "6000.00").await;
    pay(&app, &fo.token, a, payment(None, "1000.00", "A-1"))
        .await
        .expect(201);
    app.post(
        &format!("{}/terminate", contract_path(a)),
        &fo.token,
        json!({"reason": "机构退出"}),
    )
    .await
    .expect(200);
    let b = app.active_contract(&fo, org, line, "9000.00").await;
    pay(&app, &fo.token, a, payment(None, "5000.00", "A-2"))
        .await
        .expect(409);
    pay(&app, &fo.token, b, payment(None, "9000.01", "B-1"))
        .await
        .expect(409);
    pay(&app, &fo.token, b, payment(None, "9000.00", "B-1"))
        .await
        .expect(201);
    pay(&app, &fo.token, b, payment(None, "0.01", "B-2"))
        .await
        .expect(409);
    assert_eq!(app.count("payment").await, 2);
    let (_, disbursed, _) = line_figures(&app, &fo, line).await;
    assert_eq!(disbursed, "10000.00");
}

#[tokio::test]
async fn paid_on_is_neither_in_the_future_nor_before_the_signing_date_in_local_dates() {
    let app = TestApp::new().await;
    // Signed at 09:00 on 2 March in Shanghai.
    let d = app.world().value("10000.00").await;
    let body = |paid_on: &str, voucher: &str| json!({"amount": "10.00", "paid_on": paid_on, "voucher_no": voucher});
    for day in ["2026-03-03", "2026-03-01", "2026-02-28"] {
        let a = pay(&app, &d.fo.token, d.contract, body(day, "V-1"))
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["paid_on"], "{day}");
    }
    assert_eq!(app.count("payment").await, 0);
    pay(&app, &d.fo.token, d.contract, body("2026-03-02", "V-1"))
        .await
        .expect(201);
    // 23:59 in Shanghai: 3 March is still the future.
    at(&app, 2026, 3, 2, 15, 59);
    pay(&app, &d.fo.token, d.contract, body("2026-03-03", "V-2"))
        .await
        .expect(422);
    // Midnight in Shanghai (16:00 UTC): 3 March is today.
    at(&app, 2026, 3, 2, 16, 0);
    pay(&app, &d.fo.token, d.contract, body("2026-03-03", "V-2"))
        .await
        .expect(201);

    // Signed at 00:30 on 10 March in Shanghai (still 9 March in UTC).
    at(&app, 2026, 3, 9, 16, 30);
    let late = app.world().value("1000.00").await;
    let a = pay(
        &app,
        &late.fo.token,
        late.contract,
        body("2026-03-09", "L-1"),
    )
    .await
    .expect(422);
    assert_eq!(a.error_fields(), ["paid_on"]);
    pay(
        &app,
        &late.fo.token,
        late.contract,
        body("2026-03-10", "L-1"),
    )
    .await
    .expect(201);
    assert_eq!(app.count("payment").await, 3);
}

#[tokio::test]
async fn a_repeated_voucher_number_answers_the_first_payment_or_409_and_is_unique_per_purchaser() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    let second = app
        .active_contract(&d.fo, d.staff.organisation_id.unwrap(), d.line, "5000.00")
        .await;
    let first = pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "100.00", "V-2026-001"),
    )
    .await
    .expect(201);
    let again = pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "100.00", "V-2026-001"),
    )
    .await
    .expect(200);
    assert_eq!(first.id(), again.id());
    assert_eq!(first.body, again.body);
    let spaced = pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "100.00", " V-2026-001 "),
    )
    .await
    .expect(200);
    assert_eq!(spaced.id(), first.id());
    // The same voucher with other content: another amount, or another contract of the purchaser.
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "100.01", "V-2026-001"),
    )
    .await
    .expect(409);
    pay(
        &app,
        &d.fo.token,
        second,
        payment(None, "100.00", "V-2026-001"),
    )
    .await
    .expect(409);
    let colleague = app
        .user_in(Role::FinanceOfficer, d.fo.purchaser_id, None)
        .await;
    pay(
        &app,
        &colleague.token,
        second,
        payment(None, "5.00", "V-2026-001"),
    )
    .await
    .expect(409);
    assert_eq!(app.count("payment").await, 1);
    // Another purchaser keeps its own voucher numbers.
    let elsewhere = app.world().value("1000.00").await;
    let theirs = pay(
        &app,
        &elsewhere.fo.token,
        elsewhere.contract,
        payment(None, "100.00", "V-2026-001"),
    )
    .await
    .expect(201);
    assert_ne!(theirs.id(), first.id());
    assert_eq!(app.count("payment").await, 2);
    assert_eq!(
        app.count("payment WHERE voucher_no = 'V-2026-001'").await,
        2
    );
}

#[tokio::test]
async fn payments_are_refused_on_a_draft_and_allowed_on_a_completed_or_terminated_contract() {
    let app = TestApp::new().await;
    let draft = app.world().value("10000.00").draft().await;
    pay(
        &app,
        &draft.fo.token,
        draft.contract,
        payment(None, "10.00", "D-1"),
    )
    .await
    .expect(409);
    let cancelled = app.world().value("10000.00").draft().await;
    app.post(
        &format!("{}/cancel", contract_path(cancelled.contract)),
        &cancelled.fo.token,
        json!({"reason": "撤销"}),
    )
    .await
    .expect(200);
    pay(
        &app,
        &cancelled.fo.token,
        cancelled.contract,
        payment(None, "10.00", "D-2"),
    )
    .await
    .expect(409);
    assert_eq!(app.count("payment").await, 0);

    let done = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = done.milestones[0];
    deliver(&app, &done, m, json!([])).await;
    app.act(
        &format!("{}/complete", contract_path(done.contract)),
        &done.fo.token,
    )
    .await
    .expect(200);
    pay(
        &app,
        &done.fo.token,
        done.contract,
        payment(Some(m), "1000.00", "C-1"),
    )
    .await
    .expect(201);
    // An ended contract takes no advance.
    pay(
        &app,
        &done.fo.token,
        done.contract,
        payment(None, "100.00", "C-2"),
    )
    .await
    .expect(409);

    let ended = app
        .world()
        .value("5000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = ended.milestones[0];
    deliver(&app, &ended, m, json!([])).await;
    app.post(
        &format!("{}/terminate", contract_path(ended.contract)),
        &ended.fo.token,
        json!({"reason": "机构退出"}),
    )
    .await
    .expect(200);
    pay(
        &app,
        &ended.fo.token,
        ended.contract,
        payment(Some(m), "1000.00", "T-1"),
    )
    .await
    .expect(201);
    pay(
        &app,
        &ended.fo.token,
        ended.contract,
        payment(Some(m), "0.01", "T-2"),
    )
    .await
    .expect(409);
    assert_eq!(app.count("payment").await, 2);
}

#[tokio::test]
async fn a_contract_completes_only_when_every_milestone_is_accepted_or_cancelled_and_then_commits_what_it_earned()
 {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .indicators(json!([ind("rate", "at_least", json!(100), 100)]))
        .await;
    let rate = indicator_ids(&app, &d).await["rate"].clone();
    let complete = || {
        app.act_owned(
            format!("{}/complete", contract_path(d.contract)),
            d.fo.token.clone(),
        )
    };
    let m1 = milestone(&app, &d, "2026-06-30", "4000.00").await;
    let m2 = milestone(&app, &d, "2026-09-30", "3000.00").await;
    let m3 = milestone(&app, &d, "2026-12-31", "2000.00").await;
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "1000.00", "A-1"),
    )
    .await
    .expect(201);
    let out = deliver(&app, &d, m1, json!([{"indicator_id": rate, "value": 70}])).await;
    assert_eq!(out["payable"], "2800.00");
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(Some(m1), "1500.00", "M1-1"),
    )
    .await
    .expect(201);

    report(
        &app,
        &d.staff,
        m2,
        json!([{"indicator_id": rate, "value": 90}]),
    )
    .await
    .expect(201);
    complete().await.expect(409);
    reject(&app, &d.fo.token, m2, "数据无法核实")
        .await
        .expect(200);
    complete().await.expect(409);
    cancel(&app, &d.fo.token, m2, "服务未开展")
        .await
        .expect(200);
    // m3 is still planned.
    complete().await.expect(409);
    let k = app
        .get(&contract_path(d.contract), &d.fo.token)
        .await
        .expect(200);
    assert_eq!(k.body["status"], "active");
    let out = deliver(&app, &d, m3, json!([{"indicator_id": rate, "value": 100}])).await;
    assert_eq!(out["payable"], "2000.00");
    let done = complete().await.expect(200);
    assert_eq!(done.body["status"], "completed");
    complete().await.expect(409);

    // Committed: the advances plus the accepted payables (paid or not), no longer the value.
    let (committed, disbursed, available) = line_figures(&app, &d.fo, d.line).await;
    assert_eq!(
        (committed.as_str(), disbursed.as_str(), available.as_str()),
        ("5800.00", "2500.00", "994200.00")
    );
    // The rest of what was earned is still paid after completion, and no more.
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(Some(m1), "1300.00", "M1-2"),
    )
    .await
    .expect(201);
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(Some(m3), "2000.00", "M3-1"),
    )
    .await
    .expect(201);
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(Some(m1), "0.01", "M1-3"),
    )
    .await
    .expect(409);
    let (committed, disbursed, _) = line_figures(&app, &d.fo, d.line).await;
    assert_eq!(
        (committed.as_str(), disbursed.as_str()),
        ("5800.00", "5800.00")
    );
}

#[tokio::test]
async fn an_amendment_cannot_lower_the_value_below_what_was_paid() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(None, "5000.00", "A-1"),
    )
    .await
    .expect(201);
    let amend = |value: &'static str| {
        let path = format!("{}/amendments", contract_path(d.contract));
        let app = &app;
        let token = d.fo.token.clone();
        async move {
            app.post(
                &path,
                &token,
                json!({"value": value, "reason": "服务量减少"}),
            )
            .await
        }
    };
    amend("4999.99").await.expect(409);
    assert_eq!(app.count("amendment").await, 0);
    let k = app
        .get(&contract_path(d.contract), &d.fo.token)
        .await
        .expect(200);
    assert_eq!(k.body["value"], "10000.00");
    amend("5000.00").await.expect(201);
    pay(&app, &d.fo.token, d.contract, payment(None, "0.01", "A-2"))
        .await
        .expect(409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_racing_payments_of_one_milestone_never_exceed_its_payable() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("1000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let out = deliver(&app, &d, m, json!([])).await;
    assert_eq!(out["payable"], "1000.00");
    let requests = (0..100).map(|i| {
        let body = payment(Some(m), "30.00", &format!("R-{i}"));
        let token = d.fo.token.clone();
        let app = &app;
        async move { app.pay(&token, d.contract, body).await }
    });
    let answers = futures::future::join_all(requests).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let refused: Vec<_> = answers.iter().filter(|a| a.status != 201).collect();
    assert!(
        refused.iter().all(|a| a.status == 409),
        "{:?}",
        refused
            .iter()
            .map(|a| (a.status, &a.text))
            .collect::<Vec<_>>()
    );
    // 1000.00 / 30.00: 33 payments fit.
    assert_eq!(answers.len() - refused.len(), 33);
    assert_eq!(app.count("payment").await, 33);
    let list = app
        .get(
            &format!("{}/payments", contract_path(d.contract)),
            &d.fo.token,
        )
        .await
        .expect(200)
        .body;
    let paid: Decimal = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| dec(&p["amount"]))
        .sum();
    assert_eq!(paid, "990.00".parse().unwrap());
    let (_, disbursed, _) = line_figures(&app, &d.fo, d.line).await;
    assert_eq!(disbursed, "990.00");
}
