//! The social organisation's home page: its milestones due within 30 days or overdue (with the
//! days left), rejected reports to submit again with the officer's comment, vacant posts,
//! recent payments received and the tenders open for bids — its own organisation's only.

use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;
use tests::web::Browser;

#[tokio::test]
async fn the_home_shows_what_the_organisation_must_do_and_what_it_received() {
    let app = TestApp::new().await;
    // Today is 2 March 2026 in Beijing; the contract starts on 1 March.
    let (fo, staff, contract) = app.contract_with_milestone("2026-03-09").await;
    let milestone_path = |title: &str, due: &str, amount: &str| {
        (
            format!("/api/v1/contracts/{contract}/milestones"),
            json!({"title": title, "due_date": due, "amount": amount}),
        )
    };
    for (title, due) in [("入户走访台账", "2026-03-01"), ("年度总结", "2026-12-20")] {
        let (path, body) = milestone_path(title, due, "5000.00");
        app.post(&path, &fo.token, body).await.expect(201);
    }
    // A milestone reported and returned with a comment, one reported and accepted, then paid.
    let mut ids = Vec::new();
    for title in ["第一次培训", "第二次培训"] {
        let (path, body) = milestone_path(title, "2026-03-05", "8000.00");
        ids.push(app.post(&path, &fo.token, body).await.expect(201).id());
    }
    for id in &ids {
        app.post(
            &format!("/api/v1/milestones/{id}/reports"),
            &staff.token,
            json!({"summary": "培训已完成", "measurements": []}),
        )
        .await
        .expect(201);
    }
    app.post(
        &format!("/api/v1/milestones/{}/reject", ids[0]),
        &fo.token,
        json!({"comment": "缺少签到表照片"}),
    )
    .await
    .expect(200);
    app.act(&format!("/api/v1/milestones/{}/accept", ids[1]), &fo.token)
        .await
        .expect(200);
    app.pay(
        &fo.token,
        contract,
        json!({"milestone_id": ids[1], "amount": "8000.00", "paid_on": "2026-03-02", "voucher_no": "PZ-0001"}),
    )
    .await
    .expect(201);
    // A post in its period with nobody in it.
    app.post(
        &format!("/api/v1/contracts/{contract}/posts"),
        &fo.token,
        json!({"title": "驻村社工", "division_code": "410523100001", "required_qualification": "social_worker",
               "annual_funding": "60000.00", "start_date": "2026-03-01", "end_date": "2026-12-31"}),
    )
    .await
    .expect(201);
    // A tender open for bids.
    let line = app.budget_line(&fo, "200000.00").await;
    let tender = app.published_tender(&fo, line, "90000.00").await;

    let mut b = Browser::signed_in(&app, &staff);
    let home = b.get("/").await.expect(200).text;
    // Due in 7 days; overdue since 1 March; the December one is beyond 30 days.
    assert!(
        home.contains("春季走访") && home.contains("还有 7 天"),
        "{home}"
    );
    assert!(
        home.contains("入户走访台账") && home.contains("已逾期 1 天"),
        "{home}"
    );
    assert!(!home.contains("年度总结"), "beyond 30 days");
    // Rejected, with the officer's comment; the accepted one is not to do any more.
    assert!(home.contains("被退回、待重新提交的服务报告"));
    assert!(home.contains("第一次培训") && home.contains("缺少签到表照片"));
    assert!(
        !home.contains(&format!("/milestones/{}", ids[1])),
        "accepted: nothing to do"
    );
    // The rejected one is a tap from its form; so is each planned one.
    assert!(home.contains(&format!("/milestones/{}/report", ids[0])));
    assert!(home.contains("重新提交服务报告") && home.contains("提交服务报告 →"));
    // The vacant post since 1 March, the payment, the tender.
    assert!(
        home.contains("驻村社工") && home.contains("空岗 2 天"),
        "{home}"
    );
    assert!(home.contains("¥8,000.00") && home.contains("2026年3月2日"));
    assert!(home.contains(&format!("/tenders/{tender}")));

    // In English the same facts.
    b.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await;
    let home = b.get("/").await.expect(200).text;
    assert!(home.contains("7 days left") && home.contains("overdue by 1 day"));
    assert!(home.contains("Reports returned, to submit again"));
}

#[tokio::test]
async fn another_organisations_work_never_shows_and_an_empty_home_says_so() {
    let app = TestApp::new().await;
    let (_, _, _) = app.contract_with_milestone("2026-03-09").await;
    let stranger = app.user(Role::Organisation).await;
    let mut b = Browser::signed_in(&app, &stranger);
    let home = b.get("/").await.expect(200).text;
    assert!(
        !home.contains("春季走访"),
        "another organisation's milestone"
    );
    assert!(home.contains("今后 30 天内没有到期的服务节点"));
    assert!(home.contains("还没有收到支付"));
    assert!(home.contains("所有岗位都已有社工在岗"));
    assert!(home.contains("目前没有可以响应的采购项目"));
    // The organisation's menu: its tenders and contracts, no budget lines.
    assert!(home.contains(r#"href="/tenders""#) && home.contains(r#"href="/contracts""#));
    assert!(!home.contains(r#"href="/budget-lines""#));
}

#[tokio::test]
async fn an_organisation_sees_its_contracts_tabs_without_the_history_and_without_officer_actions() {
    let app = TestApp::new().await;
    let (fo, staff, contract) = app.contract_with_milestone("2026-03-09").await;
    let mut b = Browser::signed_in(&app, &staff);
    let list = b.get("/contracts").await.expect(200).text;
    assert!(list.contains(&format!("/contracts/{contract}")));
    let page = b
        .get(&format!("/contracts/{contract}"))
        .await
        .expect(200)
        .text;
    assert!(!page.contains(&format!("/contracts/{contract}/history")));
    assert!(!page.contains(&format!("/contracts/{contract}/terminate")));
    for tab in ["milestones", "posts", "reports", "payments", "performance"] {
        let html = b
            .get(&format!("/contracts/{contract}/{tab}"))
            .await
            .expect(200)
            .text;
        // The payments tab has the organisation's request form (an amount, SPEC §9), but no
        // payment form.
        let officers = if tab == "payments" {
            r#"name="voucher_no""#
        } else {
            r#"name="amount""#
        };
        assert!(!html.contains(officers), "no officer form on {tab}");
    }
    // The officer keeps the history tab.
    let mut o = Browser::signed_in(&app, &fo);
    let page = o
        .get(&format!("/contracts/{contract}"))
        .await
        .expect(200)
        .text;
    assert!(page.contains(&format!("/contracts/{contract}/history")));
    // The officer's pages are not the organisation's: 403, as in the API.
    for path in [
        "/budget-lines".to_string(),
        "/budget-lines/new".into(),
        "/tenders/new".into(),
        "/contracts/new".into(),
        "/milestones?view=review".into(),
        format!("/contracts/{contract}/history"),
    ] {
        b.get(&path).await.expect(403);
    }
    // Another organisation: 404.
    let stranger = app.user(Role::Organisation).await;
    let mut s = Browser::signed_in(&app, &stranger);
    s.get(&format!("/contracts/{contract}")).await.expect(404);
}
