//! Payment requests in the supervisor's views (SPEC §9): the spending report counts the
//! requests waiting (submitted, verified, approved) per group with the age of the oldest, in
//! the API, the page and its downloads; its anomaly flag — a request approved by the user who
//! accepted its milestone, impossible by design — is raised by a row made impossible with SQL,
//! in the report and in the contract's dossier; the dossier shows each request's steps with
//! the days each waited, in the API and on the page.

use std::io::Cursor;

use serde_json::{Value, json};
use tests::TestApp;

use crate::jobs_payment_requests::{World, at, step, world};
use crate::pages_supervisor::{browser, table_rows, text};

/// The report grouped by organisation, as the supervisor reads it.
async fn by_organisation(app: &TestApp, w: &World) -> Value {
    app.get(
        "/api/v1/reports/spending?group_by=organisation",
        &w.supervisor.token,
    )
    .await
    .expect(200)
    .body
}

/// The report's row of `organisation`.
fn row<'a>(report: &'a Value, organisation: &str) -> &'a Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == organisation)
        .unwrap_or_else(|| panic!("no row of {organisation}: {report}"))
}

#[tokio::test]
async fn the_spending_report_counts_the_requests_waiting_and_the_oldest_ones_age() {
    let app = TestApp::new().await;
    let w = world(&app, 6).await;
    // Waiting: submitted, verified, approved. Not waiting for the purchaser: returned, paid,
    // withdrawn.
    w.request(&app, 0, "1000.00").await;
    let verified = w.request(&app, 1, "1000.00").await;
    step(&app, &w.verifier, verified, "verify").await;
    let approved = w.request(&app, 2, "1000.00").await;
    step(&app, &w.verifier, approved, "verify").await;
    step(&app, &w.a, approved, "approve").await;
    let returned = w.request(&app, 3, "1000.00").await;
    app.post(
        &format!("/api/v1/payment-requests/{returned}/return"),
        &w.fo.token,
        json!({"comment": "请补充发票"}),
    )
    .await
    .expect(200);
    let withdrawn = w.request(&app, 4, "1000.00").await;
    step(&app, &w.staff, withdrawn, "withdraw").await;
    let paid = w.request(&app, 5, "1000.00").await;
    step(&app, &w.verifier, paid, "verify").await;
    step(&app, &w.a, paid, "approve").await;
    app.post(
        &format!("/api/v1/contracts/{}/payments", w.contract),
        &w.fo.token,
        json!({"payment_request_id": paid, "paid_on": "2026-03-02", "voucher_no": "PV-9"}),
    )
    .await
    .expect(201);
    // Another organisation's request, three days later.
    at(&app, "2026-03-05");
    let other = world(&app, 1).await;
    other.request(&app, 0, "1000.00").await;

    at(&app, "2026-03-12");
    let sup = &w.supervisor;
    let r = by_organisation(&app, &w).await;
    let mine = row(&r, &w.organisation);
    assert_eq!(mine["requests_waiting"], 3);
    assert_eq!(mine["oldest_request_waiting_days"], 10);
    let theirs = row(&r, &other.organisation);
    assert_eq!(theirs["requests_waiting"], 1);
    assert_eq!(theirs["oldest_request_waiting_days"], 7);
    assert_eq!(r["totals"]["requests_waiting"], 4);
    assert_eq!(r["totals"]["oldest_request_waiting_days"], 10);
    assert_eq!(r["totals"]["flags"]["requests_approved_by_accepter"], 0);
    // Filtered to one purchaser, the other's request is not counted.
    let only = app
        .get(
            &format!(
                "/api/v1/reports/spending?group_by=purchaser&purchaser_id={}",
                w.fo.purchaser_id.unwrap()
            ),
            &sup.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(only["totals"]["requests_waiting"], 3);
    // The officer sees their own purchaser's.
    let own = app
        .get(
            "/api/v1/reports/spending?group_by=organisation",
            &other.fo.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(own["totals"]["requests_waiting"], 1);

    // The page shows both columns, the totals too; the downloads hold the same.
    let page = browser(&app, sup)
        .get("/spending?group_by=organisation")
        .await
        .expect(200);
    assert!(page.text.contains("待办付款申请") && page.text.contains("最久等待（天）"));
    let rows = table_rows(&page.text);
    let total = rows.last().unwrap();
    assert_eq!(
        (total.cells[11].as_str(), total.cells[12].as_str()),
        ("4", "10")
    );
    let mine_row = rows
        .iter()
        .find(|p| p.cells[0].starts_with(&w.organisation))
        .unwrap();
    assert_eq!(
        (mine_row.cells[11].as_str(), mine_row.cells[12].as_str()),
        ("3", "10")
    );
    let csv = app
        .get(
            "/api/v1/reports/spending?group_by=organisation&format=csv",
            &sup.token,
        )
        .await
        .expect(200);
    let mut reader = csv::Reader::from_reader(&csv.raw[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[12], "待办付款申请 Requests waiting");
    assert_eq!(&headers[13], "最久等待天数 Oldest waiting days");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let last = records.last().unwrap();
    assert_eq!((&last[0], &last[12], &last[13]), ("total", "4", "10"));
    let xlsx = app
        .get(
            "/api/v1/reports/spending?group_by=organisation&format=xlsx",
            &sup.token,
        )
        .await
        .expect(200);
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.raw)).unwrap();
    let range = wb.worksheet_range("spending").unwrap();
    let totals = range
        .rows()
        .find(|r| r[0] == Data::String("total".into()))
        .unwrap();
    assert_eq!(
        (&totals[12], &totals[13]),
        (&Data::Float(4.0), &Data::Float(10.0))
    );
}

#[tokio::test]
async fn a_request_approved_by_its_milestones_accepter_is_flagged_in_the_report_and_the_dossier() {
    let app = TestApp::new().await;
    let w = world(&app, 2).await;
    let honest = w.request(&app, 0, "1000.00").await;
    step(&app, &w.verifier, honest, "verify").await;
    step(&app, &w.a, honest, "approve").await;
    // The service refuses the accepter as approver…
    let r = w.request(&app, 1, "1000.00").await;
    step(&app, &w.verifier, r, "verify").await;
    let refused = app
        .act(
            &format!("/api/v1/payment-requests/{r}/approve"),
            &w.accepter.token,
        )
        .await
        .expect(403);
    assert_eq!(refused.body["code"], "approval.same_person");
    let dossier = format!("/api/v1/contracts/{}/dossier", w.contract);
    let d = app
        .get(&dossier, &w.supervisor.token)
        .await
        .expect(200)
        .body;
    assert_eq!(d["flags"]["requests_approved_by_accepter"], 0);
    assert_eq!(
        by_organisation(&app, &w).await["totals"]["flags"]["requests_approved_by_accepter"],
        0
    );

    // …so only a write past it can make one: the report and the dossier show it.
    app.sql(
        "UPDATE payment_request SET status = 'approved', approved_by = \
         (SELECT mr.decided_by FROM milestone_report mr \
          WHERE mr.milestone_id = payment_request.milestone_id AND mr.decision = 'accepted') \
         WHERE invoice_no = 'FP-1'",
    )
    .await;
    let report = by_organisation(&app, &w).await;
    assert_eq!(
        row(&report, &w.organisation)["flags"]["requests_approved_by_accepter"],
        1
    );
    assert_eq!(
        report["totals"]["flags"]["requests_approved_by_accepter"],
        1
    );
    let d = app
        .get(&dossier, &w.supervisor.token)
        .await
        .expect(200)
        .body;
    assert_eq!(d["flags"]["requests_approved_by_accepter"], 1);

    let sup = &w.supervisor;
    let page = browser(&app, sup)
        .get("/spending?group_by=organisation")
        .await
        .expect(200);
    let flagged = "1 笔付款申请由验收该服务节点的人审批";
    assert!(text(&page.text).contains(flagged), "the anomalies panel");
    assert!(text(&page.text).contains("验收人审批付款"), "its meaning");
    let rows = table_rows(&page.text);
    let mine = rows
        .iter()
        .find(|p| p.cells[0].starts_with(&w.organisation))
        .unwrap();
    assert!(mine.cells[0].contains(flagged), "{:?}", mine.cells[0]);
    let csv = app
        .get(
            "/api/v1/reports/spending?group_by=organisation&format=csv",
            &sup.token,
        )
        .await
        .expect(200);
    assert!(
        csv.text
            .contains("requests approved by the milestone's accepter: 1")
    );
    let page = browser(&app, sup)
        .get(&format!("/contracts/{}/dossier", w.contract))
        .await
        .expect(200);
    assert!(text(&page.text).contains(flagged));

    // A request the migration made for an earlier payment was approved by nobody: not flagged.
    app.sql("UPDATE payment_request SET migrated = TRUE WHERE invoice_no = 'FP-1'")
        .await;
    assert_eq!(
        by_organisation(&app, &w).await["totals"]["flags"]["requests_approved_by_accepter"],
        0
    );
}

#[tokio::test]
async fn the_dossier_shows_each_requests_steps_and_how_long_each_waited() {
    let app = TestApp::new().await;
    let w = world(&app, 2).await;
    // Submitted on 2 March, returned on the 4th, resubmitted on the 5th, verified on the 7th,
    // approved on the 8th, paid on the 10th.
    let r = w.request(&app, 0, "1234.50").await;
    // Another, waiting for verification since the 3rd.
    at(&app, "2026-03-03");
    let waiting = w.request(&app, 1, "500.00").await;
    at(&app, "2026-03-04");
    app.post(
        &format!("/api/v1/payment-requests/{r}/return"),
        &w.fo.token,
        json!({"comment": "发票金额与申请不符"}),
    )
    .await
    .expect(200);
    at(&app, "2026-03-05");
    app.patch(
        &format!("/api/v1/payment-requests/{r}"),
        &w.staff.token,
        json!({"invoice_no": "FP-0b"}),
    )
    .await
    .expect(200);
    at(&app, "2026-03-07");
    step(&app, &w.verifier, r, "verify").await;
    at(&app, "2026-03-08");
    step(&app, &w.a, r, "approve").await;
    at(&app, "2026-03-10");
    app.post(
        &format!("/api/v1/contracts/{}/payments", w.contract),
        &w.fo.token,
        json!({"payment_request_id": r, "paid_on": "2026-03-10", "voucher_no": "PV-77"}),
    )
    .await
    .expect(201);
    at(&app, "2026-03-11");

    let d = app
        .get(
            &format!("/api/v1/contracts/{}/dossier", w.contract),
            &w.supervisor.token,
        )
        .await
        .expect(200)
        .body;
    let requests = d["payment_requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2);
    let done = requests.iter().find(|q| q["id"] == r.to_string()).unwrap();
    assert_eq!(done["status"], "paid");
    assert!(done["waiting_days"].is_null());
    let steps: Vec<(String, i64)> = done["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["waited_days"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("submitted", 0),
            ("returned", 2),
            ("resubmitted", 1),
            ("verified", 2),
            ("approved", 1),
            ("paid", 2),
        ]
        .map(|(s, d)| (s.to_string(), d))
    );
    let returned = &done["steps"][1];
    assert_eq!(returned["comment"], "发票金额与申请不符");
    assert_eq!(returned["by"], w.fo.user_id.to_string());
    let open = requests
        .iter()
        .find(|q| q["id"] == waiting.to_string())
        .unwrap();
    assert_eq!(open["waiting_days"], 8);
    // Their audit events are the dossier's too.
    let events = d["audit_events"].as_array().unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e["entity_type"] == "payment_request")
            .count(),
        7
    );

    // The page: each step in the timeline, the comment, the days waited.
    let page = browser(&app, &w.supervisor)
        .get(&format!("/contracts/{}/dossier", w.contract))
        .await
        .expect(200);
    let t = text(&page.text);
    assert_eq!(page.text.matches("class=\"tl tl-request\"").count(), 7);
    for s in [
        "提交付款申请 ¥1,234.50",
        "付款申请 ¥1,234.50 被退回",
        "退回意见：发票金额与申请不符",
        "修改后重新提交付款申请 ¥1,234.50",
        "付款申请 ¥1,234.50 已核验",
        "付款申请 ¥1,234.50 已审批",
        "付款申请 ¥1,234.50 已支付",
        "距上一环节 2 天",
        "提交付款申请 ¥500.00",
        "已在当前环节等待 8 天",
        "发票号 FP-0b",
    ] {
        assert!(t.contains(s), "{s} in {t}");
    }
    assert!(
        t.contains("付款申请 核验"),
        "the audit table names the record and the action"
    );
    // The organisation may not read the dossier, as the API.
    browser(&app, &w.staff)
        .get(&format!("/contracts/{}/dossier", w.contract))
        .await
        .expect(403);
    app.get(
        &format!("/api/v1/contracts/{}/dossier", w.contract),
        &w.staff.token,
    )
    .await
    .expect(403);
}
