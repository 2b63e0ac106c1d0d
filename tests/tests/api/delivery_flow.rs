//! Delivery end to end: milestones, indicators, a report with an attachment, review, score,
//! payable and payments, and the payment races.

use axum::body::Body;
use axum::http::Method;
use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

#[tokio::test]
async fn a_milestone_is_reported_rejected_resubmitted_accepted_scored_and_paid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let staff = app.user(Role::Organisation).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let contract = app
        .draft_contract(&fo, staff.organisation_id.unwrap(), line, "200000.00")
        .await;
    let c = format!("/api/v1/contracts/{contract}");
    let inds = app
        .post(&format!("{c}/indicators"), &fo.token, json!([
            {"code": "visits", "name": "入户走访次数", "unit": "次", "target": 100, "comparator": "at_least", "weight": 60},
            {"code": "complaints", "name": "投诉件数", "unit": "件", "target": 2, "comparator": "at_most", "weight": 40},
        ]))
        .await
        .expect(201);
    let visits = inds.body[0]["id"].as_str().unwrap().to_string();
    let complaints = inds.body[1]["id"].as_str().unwrap().to_string();
    let m1 = app
        .post(
            &format!("{c}/milestones"),
            &fo.token,
            json!({"title": "第一季度", "due_date": "2026-06-30", "amount": "100000.00"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("{c}/milestones"),
        &fo.token,
        json!({"title": "全年", "due_date": "2026-12-31", "amount": "100000.01"}),
    )
    .await
    .expect(409);
    app.act(&format!("{c}/sign"), &fo.token).await.expect(200);

    // A report with an attachment (multipart).
    let boundary = "XhuiminX";
    let report = json!({"summary": "完成入户走访", "measurements": [{"indicator_id": visits, "value": 50}, {"indicator_id": complaints, "value": 3}]});
    let pdf = b"%PDF-1.4\n% test file\n";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"report\"\r\nContent-Type: application/json\r\n\r\n{report}\r\n").as_bytes());
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"走访记录.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend(pdf);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = app
        .send_from(
            None,
            Method::POST,
            &format!("/api/v1/milestones/{m1}/reports"),
            Some(&staff.token),
            Some(Body::from(body)),
            Some(&format!("multipart/form-data; boundary={boundary}")),
        )
        .await
        .expect(201);
    let sha = r.body["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let file = app
        .get(
            &format!("/api/v1/reports/{}/files/{sha}", r.id()),
            &fo.token,
        )
        .await
        .expect(200);
    assert_eq!(file.text.as_bytes(), pdf);
    app.get(
        &format!("/api/v1/reports/{}/files/{sha}", r.id()),
        &app.user(Role::Organisation).await.token,
    )
    .await
    .expect(404);

    // The organisation cannot accept its own report; the officer rejects it.
    app.act(&format!("/api/v1/milestones/{m1}/accept"), &staff.token)
        .await
        .expect(403);
    app.post(
        &format!("/api/v1/milestones/{m1}/reject"),
        &fo.token,
        json!({"comment": "缺少走访照片"}),
    )
    .await
    .expect(200);
    app.pay(
        &fo.token,
        contract,
        json!({"milestone_id": m1, "amount": "1.00", "paid_on": "2026-03-02", "voucher_no": "V-0"}),
    )
    .await
    .expect(409);

    // Resubmission: visits 80 of 100 → 0.8 × 60 = 48; complaints 3 vs 2 → 0.5 × 40 = 20: 68.
    app.post(
        &format!("/api/v1/milestones/{m1}/reports"),
        &staff.token,
        json!({"summary": "补充材料", "measurements": [{"indicator_id": visits, "value": 80}]}),
    )
    .await
    .expect(201);
    let accepted = app
        .act(&format!("/api/v1/milestones/{m1}/accept"), &fo.token)
        .await
        .expect(200);
    assert_eq!(accepted.body["status"], "accepted");
    assert_eq!(accepted.body["score"], json!(68));
    assert_eq!(accepted.body["payable"], "68000.00");
    let history = app
        .get(&format!("/api/v1/milestones/{m1}/reports"), &fo.token)
        .await
        .expect(200);
    let decisions: Vec<_> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].clone())
        .collect();
    assert_eq!(decisions, [json!("rejected"), json!("accepted")]);
    let perf = app
        .get(&format!("{c}/performance"), &staff.token)
        .await
        .expect(200);
    assert_eq!(perf.body["indicators"].as_array().unwrap().len(), 2);

    // Payments: at most the payable; a retried voucher answers the first payment.
    let pay = json!({"milestone_id": m1, "amount": "60000.00", "paid_on": "2026-03-02", "voucher_no": "V-1"});
    let first = app.pay(&fo.token, contract, pay.clone()).await.expect(201);
    let again = app.pay(&fo.token, contract, pay).await.expect(200);
    assert_eq!(first.id(), again.id());
    app.pay(&fo.token, contract, json!({"milestone_id": m1, "amount": "8000.01", "paid_on": "2026-03-02", "voucher_no": "V-2"})).await.expect(409);
    app.pay(
        &fo.token,
        contract,
        json!({"milestone_id": m1, "amount": "5.00", "paid_on": "2026-03-02", "voucher_no": "V-1"}),
    )
    .await
    .expect(409);
    app.post(
        &format!("{c}/payments"),
        &staff.token,
        json!({"milestone_id": m1, "amount": "5.00", "paid_on": "2026-03-02", "voucher_no": "V-9"}),
    )
    .await
    .expect(403);
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        (l["committed"].as_str(), l["disbursed"].as_str()),
        (Some("200000.00"), Some("60000.00"))
    );

    // Terminated, the contract keeps only what it earned: the milestone's payable.
    app.post(
        &format!("{c}/terminate"),
        &fo.token,
        json!({"reason": "机构退出"}),
    )
    .await
    .expect(200);
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        (l["committed"].as_str(), l["available"].as_str()),
        (Some("68000.00"), Some("432000.00"))
    );
    assert_eq!(
        app.get(
            "/api/v1/audit/verify",
            &app.user(Role::Supervisor).await.token
        )
        .await
        .expect(200)
        .body["intact"],
        true
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_racing_payments_never_exceed_the_contract_or_the_line() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.organisation().await;
    let line = app.budget_line(&fo, "10000.00").await;
    let a = app.active_contract(&fo, org, line, "6000.00").await;
    let b = app.active_contract(&fo, org, line, "4000.00").await;
    let requests = (0..100).map(|i| {
        let contract = if i % 2 == 0 { a } else { b };
        let body =
            json!({"amount": "150.00", "paid_on": "2026-03-02", "voucher_no": format!("R-{i}")});
        let token = fo.token.clone();
        let app = &app;
        async move { app.pay(&token, contract, body).await }
    });
    let answers = futures::future::join_all(requests).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert!(
        answers.iter().all(|a| a.status == 201 || a.status == 409),
        "{:?}",
        answers
            .iter()
            .map(|a| (a.status, &a.text))
            .collect::<Vec<_>>()
    );
    // 6000 / 150 = 40 on A, 4000 / 150 = 26 on B.
    assert_eq!(created, 66);
    assert_eq!(app.count("payment").await, 66);
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(l["disbursed"], "9900.00");
}
