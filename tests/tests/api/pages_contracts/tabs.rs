//! The milestones and indicators, posts, post funding and history tabs.

use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

use super::{browser, desk, in_english};

/// A milestone form's fields.
fn milestone<'a>(title: &'a str, due: &'a str, amount: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", "入户走访"),
        ("due_date", due),
        ("amount", amount),
    ]
}

/// An indicator form's fields.
fn indicator<'a>(code: &'a str, weight: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("name", "服务人次"),
        ("unit", "人次"),
        ("target", "120"),
        ("comparator", "at_least"),
        ("measure", "cumulative"),
        ("weight", weight),
    ]
}

/// How many milestones the API lists on the contract.
async fn milestone_count(app: &TestApp, who: &tests::Login, id: uuid::Uuid) -> usize {
    let api = format!("/api/v1/contracts/{id}/milestones");
    let page = app.get(&api, &who.token).await.expect(200);
    page.body["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn milestones_are_added_within_the_value_and_period_and_link_to_their_review() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.draft_contract(&d.fo, d.org, d.line, "100000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let mp = format!("/contracts/{id}/milestones");
    // Refusals: an amount that is no amount, a due date outside the period, above the value.
    let refused = b
        .submit(&mp, &mp, &milestone("第一阶段", "2026-06-30", "abc"))
        .await
        .expect(422);
    assert!(refused.text.contains("请填写金额，例如 1234.50。"));
    let refused = b
        .submit(&mp, &mp, &milestone("第一阶段", "2027-06-30", "1000"))
        .await
        .expect(422);
    assert!(refused.text.contains("f-due_date-error"));
    b.submit(&mp, &mp, &milestone("第一阶段", "2026-06-30", "¥200,000"))
        .await
        .expect(409);
    assert_eq!(milestone_count(&app, &d.fo, id).await, 0);
    b.submit(&mp, &mp, &milestone("第一阶段", "2026-06-30", "40000"))
        .await
        .expect(303);
    b.submit(&mp, &mp, &milestone("第二阶段", "2026-12-31", "60000"))
        .await
        .expect(303);
    let api = format!("/api/v1/contracts/{id}/milestones");
    let ms = app.get(&api, &d.fo.token).await.expect(200).body;
    let first = ms["items"][0]["id"].as_str().unwrap().to_string();
    let page = b.get(&mp).await.expect(200);
    assert!(page.text.contains("服务节点已添加。"));
    assert!(page.text.contains(&format!("href=\"/milestones/{first}\"")));
    assert!(page.text.contains("¥100,000.00 / ¥100,000.00"));
    // A supervisor reads the tab and may add nothing.
    let sup = app.user(Role::Supervisor).await;
    let mut s = browser(&app, &sup).await;
    assert!(
        !s.get(&mp)
            .await
            .expect(200)
            .text
            .contains("action=\"/contracts/")
    );
    s.submit(&mp, &mp, &milestone("第三阶段", "2026-06-30", "1"))
        .await
        .expect(403);
    assert_eq!(milestone_count(&app, &d.fo, id).await, 2);
}

#[tokio::test]
async fn indicator_weights_are_summed_and_must_reach_100_before_signing() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.draft_contract(&d.fo, d.org, d.line, "100000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let mp = format!("/contracts/{id}/milestones");
    let ip = format!("/contracts/{id}/indicators");
    let refused = b
        .submit(&mp, &ip, &indicator("A1", "sixty"))
        .await
        .expect(422);
    assert!(refused.text.contains("请填写数字。"));
    b.submit(&mp, &ip, &indicator("A1", "60")).await.expect(303);
    let page = b.get(&mp).await.expect(200);
    assert!(
        page.text.contains("权重合计为 60，不是 100"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("<td data-label=\"比较方式\">不低于</td>")
    );
    b.submit(
        &format!("/contracts/{id}"),
        &format!("/contracts/{id}/sign"),
        &[],
    )
    .await
    .expect(409);
    // The same code again is refused; another makes 100.
    b.submit(&mp, &ip, &indicator("A1", "40")).await.expect(409);
    b.submit(&mp, &ip, &indicator("A2", "40")).await.expect(303);
    let page = b.get(&mp).await.expect(200);
    assert!(!page.text.contains("不是 100") && page.text.contains(">100</td>"));
    let inds = app
        .get(&format!("/api/v1/contracts/{id}/indicators"), &d.fo.token)
        .await
        .expect(200);
    assert_eq!(inds.body["items"].as_array().unwrap().len(), 2);
    in_english(&mut b).await;
    let refused = b.submit(&mp, &ip, &indicator("A3", "")).await.expect(422);
    assert!(refused.text.contains("Please fill in this field."));
}

#[tokio::test]
async fn a_milestone_is_cancelled_with_its_reason_by_the_officer_only() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.draft_contract(&d.fo, d.org, d.line, "100000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let mp = format!("/contracts/{id}/milestones");
    b.submit(&mp, &mp, &milestone("第一阶段", "2026-06-30", "40000"))
        .await
        .expect(303);
    let api = format!("/api/v1/contracts/{id}/milestones");
    let ms = app.get(&api, &d.fo.token).await.expect(200).body;
    let first = ms["items"][0]["id"].as_str().unwrap().to_string();
    let cp = format!("/milestones/{first}/cancel");
    let refused = b.submit(&mp, &cp, &[("reason", "")]).await.expect(422);
    assert!(refused.text.contains(&format!("f-cancel-{first}-error")));
    let sup = app.user(Role::Supervisor).await;
    let mut s = browser(&app, &sup).await;
    s.submit(&mp, &cp, &[("reason", "x")]).await.expect(403);
    b.post_raw(&cp, &[("reason", "x")]).await.expect(403);
    let m = format!("/api/v1/milestones/{first}");
    assert_eq!(
        app.get(&m, &d.fo.token).await.expect(200).body["status"],
        "planned"
    );
    let done = b
        .submit(&mp, &cp, &[("reason", "合并到第二阶段")])
        .await
        .expect(303);
    assert_eq!(tests::web::location(&done), mp);
    assert_eq!(
        app.get(&m, &d.fo.token).await.expect(200).body["status"],
        "cancelled"
    );
}

#[tokio::test]
async fn posts_show_their_worker_without_the_id_number_and_their_funding() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.active_contract(&d.fo, d.org, d.line, "100000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let pp = format!("/contracts/{id}/posts");
    let post = |funding: &'static str, division: &'static str| {
        vec![
            ("title", "村社工站社工"),
            ("division_code", division),
            ("required_qualification", "social_worker"),
            ("annual_funding", funding),
            ("start_date", "2026-04-01"),
            ("end_date", "2026-12-31"),
        ]
    };
    let refused = b
        .submit(&pp, &pp, &post("60000", "410523"))
        .await
        .expect(422);
    assert!(refused.text.contains("f-division_code-error"));
    let api = format!("/api/v1/contracts/{id}/posts");
    assert_eq!(
        app.get(&api, &d.fo.token).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    b.submit(&pp, &pp, &post("60,000", "410523100"))
        .await
        .expect(303);
    let posts = app.get(&api, &d.fo.token).await.expect(200).body;
    let post_id = posts["items"][0]["id"].as_str().unwrap().to_string();
    app.clock.advance(chrono::Duration::days(60));
    app.post(
        &format!("/api/v1/posts/{post_id}/assignments"),
        &d.staff.token,
        json!({"worker_name": "李梅", "qualification": "social_worker", "certificate_no": "SW2026001", "id_number": "11010519491231002X", "from_date": "2026-04-15"}),
    )
    .await
    .expect(201);
    let page = b.get(&pp).await.expect(200);
    assert!(
        page.text.contains("李梅")
            && page.text.contains("002X")
            && page.text.contains("社会工作师")
    );
    assert!(!page.text.contains("11010519491231002X"));
    assert!(
        page.text.contains(">14</td>"),
        "vacant 1–14 April: {}",
        page.text
    );
    let f = b
        .get(&format!("/contracts/{id}/post-funding"))
        .await
        .expect(200);
    assert!(f.text.contains("¥60,000.00") && f.text.contains("村社工站社工"));
    let bad = b
        .get(&format!(
            "/contracts/{id}/post-funding?from=2026-06-01&to=2026-05-01"
        ))
        .await
        .expect(422);
    assert!(bad.text.contains("f-to-error"));
    // The staff read the posts; they may not create one.
    let mut o = browser(&app, &d.staff).await;
    assert!(o.get(&pp).await.expect(200).text.contains("李梅"));
    o.submit(&pp, &pp, &post("1", "410523100"))
        .await
        .expect(403);
}

#[tokio::test]
async fn the_history_tab_shows_the_contracts_audit_events_to_those_the_api_shows_them() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.active_contract(&d.fo, d.org, d.line, "1000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let page = b.get(&format!("/contracts/{id}/history")).await.expect(200);
    assert!(
        page.text.contains("签订") && page.text.contains("创建"),
        "{}",
        page.text
    );
    assert!(page.text.contains("aria-current=\"page\""));
    let sup = app.user(Role::Supervisor).await;
    browser(&app, &sup)
        .await
        .get(&format!("/contracts/{id}/history"))
        .await
        .expect(200);
}
