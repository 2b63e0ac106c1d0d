//! The officer's review, payment, findings, notifications and budget-line pages through HTTP,
//! as a browser uses them: each page for the roles that may see it, each form's happy path and
//! refusals (the message beside its field, nothing written), CSRF, another purchaser's records.

use axum::http::header;
use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::web::{Browser, location};
use tests::{Login, TestApp};
use uuid::Uuid;

/// A browser signed in as `who` (a page session is the same kind of token as the API's).
pub(crate) fn browser<'a>(app: &'a TestApp, who: &Login) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.set_cookie("huimin_session", &who.token);
    b
}

/// An officer, an organisation's staff and an active contract of 100,000.00 with two
/// indicators (visits ≥ 120, weight 60; complaints ≤ 4, weight 40) and a milestone of
/// 60,000.00 due 2026-06-30, on a line of 1,000,000.00.
pub(crate) struct World {
    pub(crate) fo: Login,
    pub(crate) staff: Login,
    pub(crate) line: Uuid,
    pub(crate) contract: Uuid,
    pub(crate) milestone: Uuid,
    pub(crate) indicators: Vec<(String, String)>,
}

pub(crate) async fn world(app: &TestApp) -> World {
    let w = app
        .world()
        .value("100000.00")
        .indicators(json!([
            {"code": "visits", "name": "入户走访", "unit": "次", "target": 120, "comparator": "at_least", "weight": 60},
            {"code": "complaints", "name": "投诉", "unit": "件", "target": 4, "comparator": "at_most", "weight": 40},
        ]))
        .await;
    let (fo, staff, line, contract) = (w.fo, w.staff, w.line, w.contract);
    let indicators = w
        .indicators
        .iter()
        .map(|(code, id)| (code.clone(), id.to_string()))
        .collect();
    let milestone = app
        .post(
            &format!("/api/v1/contracts/{contract}/milestones"),
            &fo.token,
            json!({"title": "第二季度服务", "due_date": "2026-06-30", "amount": "60000.00"}),
        )
        .await
        .expect(201)
        .id();
    World {
        fo,
        staff,
        line,
        contract,
        milestone,
        indicators,
    }
}

impl World {
    pub(crate) fn indicator(&self, code: &str) -> &str {
        &self.indicators.iter().find(|(c, _)| c == code).unwrap().1
    }

    /// The organisation reports 96 visits and 2 complaints.
    /// The officer rejects the pending report with `comment`.
    pub(crate) async fn reject(&self, app: &TestApp, comment: &str) {
        app.post(
            &format!("/api/v1/milestones/{}/reject", self.milestone),
            &self.fo.token,
            json!({ "comment": comment }),
        )
        .await
        .expect(200);
    }

    pub(crate) async fn report(&self, app: &TestApp) {
        app.post(
            &format!("/api/v1/milestones/{}/reports", self.milestone),
            &self.staff.token,
            json!({"summary": "本季度入户走访 96 次", "measurements": [
                {"indicator_id": self.indicator("visits"), "value": 96},
                {"indicator_id": self.indicator("complaints"), "value": 2},
            ]}),
        )
        .await
        .expect(201);
    }

    async fn milestone(&self, app: &TestApp) -> Value {
        app.get(
            &format!("/api/v1/milestones/{}", self.milestone),
            &self.fo.token,
        )
        .await
        .expect(200)
        .body
    }
}

#[tokio::test]
async fn the_officer_reviews_a_report_sees_what_acceptance_gives_and_accepts_it() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    w.report(&app).await;
    let mut b = browser(&app, &w.fo);

    let home = b.get("/").await.expect(200);
    assert!(
        home.text.contains("/milestones?view=review"),
        "{}",
        home.text
    );
    let queue = b.get("/milestones?view=review").await.expect(200);
    assert!(queue.text.contains("第二季度服务"), "{}", queue.text);
    assert!(queue.text.contains(&format!("/milestones/{}", w.milestone)));

    let page = b
        .get(&format!("/milestones/{}", w.milestone))
        .await
        .expect(200);
    // Each measurement against its target.
    assert!(
        page.text.contains("入户走访") && page.text.contains("≥ 120"),
        "{}",
        page.text
    );
    assert!(page.text.contains("≤ 4"), "{}", page.text);
    assert!(page.text.contains("本季度入户走访 96 次"));
    // Visits 96/120 = 80 % of weight 60 (48) + complaints met (40): score 88.0 — what the
    // page says acceptance gives, before anything is decided.
    assert!(page.text.contains("验收后的应付金额"), "{}", page.text);
    assert!(page.text.contains("88"), "{}", page.text);
    assert_eq!(w.milestone(&app).await["status"], "submitted");

    let done = b
        .submit(
            &format!("/milestones/{}", w.milestone),
            &format!("/milestones/{}/accept", w.milestone),
            &[("comment", "")],
        )
        .await
        .expect(303);
    assert_eq!(location(&done), format!("/milestones/{}", w.milestone));
    let after = b.get(&location(&done)).await.expect(200);
    assert!(after.text.contains("服务报告已验收通过"), "{}", after.text);
    let m = w.milestone(&app).await;
    assert_eq!(m["status"], "accepted");
    // The payable the page promised is the one acceptance fixed.
    let payable = m["payable"].as_str().unwrap();
    let shown = format!("¥{}", group(payable));
    assert!(page.text.contains(&shown), "{shown} in {}", page.text);
    // The worklist is empty now; the decision form is gone.
    let queue = b.get("/milestones?view=review").await.expect(200);
    assert!(!queue.text.contains("第二季度服务"));
    assert!(!after.text.contains("/accept\""));
}

/// `60000.00` → `60,000.00`.
fn group(amount: &str) -> String {
    let (whole, frac) = amount.split_once('.').unwrap();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{frac}")
}

#[tokio::test]
async fn a_rejection_needs_its_comment_and_a_forged_or_foreign_decision_changes_nothing() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    w.report(&app).await;
    let mut b = browser(&app, &w.fo);
    let path = format!("/milestones/{}", w.milestone);

    let refused = b
        .submit(&path, &format!("{path}/reject"), &[("comment", "  ")])
        .await
        .expect(422);
    assert!(
        refused.text.contains("id=\"reject-comment-error\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("aria-invalid=\"true\""));
    assert_eq!(w.milestone(&app).await["status"], "submitted");

    // Without the CSRF token: 403, nothing decided.
    b.post_raw(&format!("{path}/accept"), &[("comment", "")])
        .await
        .expect(403);
    assert_eq!(w.milestone(&app).await["status"], "submitted");

    // The organisation may not decide; another purchaser's officer does not see it.
    let mut org = browser(&app, &w.staff);
    org.submit(&path, &format!("{path}/accept"), &[("comment", "")])
        .await
        .expect(403);
    let other = app.user(Role::FinanceOfficer).await;
    let mut stranger = browser(&app, &other);
    stranger.get(&path).await.expect(404);
    stranger
        .submit("/", &format!("{path}/accept"), &[("comment", "")])
        .await
        .expect(404);
    assert_eq!(w.milestone(&app).await["status"], "submitted");
    // The worklists are the officers' only.
    let supervisor = app.user(Role::Supervisor).await;
    browser(&app, &supervisor)
        .get("/milestones?view=review")
        .await
        .expect(403);

    let done = b
        .submit(
            &path,
            &format!("{path}/reject"),
            &[("comment", "走访次数不足，请补充材料")],
        )
        .await
        .expect(303);
    let after = b.get(&location(&done)).await.expect(200);
    assert!(after.text.contains("服务报告已退回"), "{}", after.text);
    assert!(after.text.contains("走访次数不足，请补充材料"));
    assert_eq!(w.milestone(&app).await["status"], "rejected");
    // A second decision: the state refuses it (409), shown on the page.
    let again = b
        .submit(&path, &format!("{path}/reject"), &[("comment", "再次退回")])
        .await;
    assert_eq!(again.status.as_u16(), 409, "{}", again.text);
}

#[tokio::test]
async fn the_overdue_list_shows_milestones_past_their_due_date_with_days_late() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    app.clock.advance(chrono::Duration::days(130)); // 2026-07-10: ten days after 06-30
    let mut b = browser(&app, &w.fo);
    let page = b.get("/milestones?view=overdue").await.expect(200);
    assert!(page.text.contains("第二季度服务"), "{}", page.text);
    assert!(page.text.contains("逾期 10 天"), "{}", page.text);
    let none = b.get("/milestones?view=review").await.expect(200);
    assert!(!none.text.contains("第二季度服务"));
}

#[tokio::test]
async fn a_payment_form_shows_what_is_payable_and_refuses_more_than_that() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    w.report(&app).await;
    app.act(
        &format!("/api/v1/milestones/{}/accept", w.milestone),
        &w.fo.token,
    )
    .await
    .expect(200);
    let payable = w.milestone(&app).await["payable"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = browser(&app, &w.fo);
    let tab = format!("/contracts/{}/payments", w.contract);
    let page = b.get(&tab).await.expect(200);
    assert!(
        page.text.contains(&format!("¥{}", group(&payable))),
        "{}",
        page.text
    );
    assert!(page.text.contains("尚可申请"));

    // The organisation asks for more than the payable: the service's rule refuses, nothing
    // is requested.
    let mut org = browser(&app, &w.staff);
    let request = format!("/contracts/{}/payment-requests", w.contract);
    let too_much = org
        .submit(
            &tab,
            &request,
            &[
                ("milestone_id", &w.milestone.to_string()),
                ("amount", "60,000.01"),
                ("invoice_no", "FP-001"),
                ("invoice_date", "2026-03-01"),
                ("note", ""),
            ],
        )
        .await;
    assert!(
        matches!(too_much.status.as_u16(), 409 | 422),
        "{} {}",
        too_much.status,
        too_much.text
    );
    assert!(too_much.text.contains("role=\"alert\"") || too_much.text.contains("field-error"));
    assert!(
        too_much.text.contains("FP-001"),
        "the typed values are kept"
    );
    // Not an amount at all: the field says so.
    let garbled = org
        .submit(
            &tab,
            &request,
            &[
                ("milestone_id", &w.milestone.to_string()),
                ("amount", "六万"),
                ("invoice_no", "FP-001"),
                ("invoice_date", "2026-03-01"),
                ("note", ""),
            ],
        )
        .await
        .expect(422);
    assert!(garbled.text.contains("请填写金额"), "{}", garbled.text);
    assert_eq!(app.count("payment_request").await, 0);
    assert_eq!(app.count("payment").await, 0);

    // A request within the payable, verified by the officer and approved by an approver
    // (SPEC §9), then paid from the tab's form.
    let asked = org
        .submit(
            &tab,
            &request,
            &[
                ("milestone_id", &w.milestone.to_string()),
                ("amount", "10000"),
                ("invoice_no", "FP-001"),
                ("invoice_date", "2026-03-01"),
                ("note", ""),
            ],
        )
        .await
        .expect(303);
    let id = location(&asked).rsplit('/').next().unwrap().to_string();
    app.act(
        &format!("/api/v1/payment-requests/{id}/verify"),
        &w.fo.token,
    )
    .await
    .expect(200);
    let approver = app.approver(w.fo.purchaser_id.unwrap()).await;
    app.act(
        &format!("/api/v1/payment-requests/{id}/approve"),
        &approver.token,
    )
    .await
    .expect(200);
    let done = b
        .submit(
            &tab,
            &tab,
            &[
                ("payment_request_id", &id),
                ("paid_on", "2026-03-02"),
                ("voucher_no", "PZ-001"),
            ],
        )
        .await
        .expect(303);
    assert_eq!(location(&done), tab);
    let after = b.get(&tab).await.expect(200);
    assert!(after.text.contains("支付已登记"), "{}", after.text);
    assert!(after.text.contains("PZ-001") && after.text.contains("¥10,000.00"));
    assert_eq!(app.count("payment").await, 1);
    // Paid once: the same request again is refused, nothing more is paid.
    let again = b
        .submit(
            &tab,
            &tab,
            &[
                ("payment_request_id", &id),
                ("paid_on", "2026-03-02"),
                ("voucher_no", "PZ-002"),
            ],
        )
        .await;
    assert!(
        matches!(again.status.as_u16(), 409 | 422),
        "{} {}",
        again.status,
        again.text
    );
    assert_eq!(app.count("payment").await, 1);
    // The organisation reads the tab, without the payment form; another purchaser's officer
    // gets 404.
    let org_tab = org.get(&tab).await.expect(200);
    assert!(!org_tab.text.contains("name=\"voucher_no\""));
    let other = app.user(Role::FinanceOfficer).await;
    browser(&app, &other).get(&tab).await.expect(404);
}

#[tokio::test]
async fn an_officer_answers_a_finding_from_the_list_and_an_empty_answer_is_refused() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let supervisor = app.user(Role::Supervisor).await;
    let finding = app
        .post(
            &format!("/api/v1/contracts/{}/findings", w.contract),
            &supervisor.token,
            json!({"severity": "high", "text": "服务记录缺少签名"}),
        )
        .await
        .expect(201)
        .id();
    let mut b = browser(&app, &w.fo);
    let list = b.get("/findings").await.expect(200);
    assert!(list.text.contains("服务记录缺少签名"), "{}", list.text);
    assert!(list.text.contains("严重"));

    let empty = b
        .submit(
            "/findings",
            &format!("/findings/{finding}/respond"),
            &[("response", ""), ("next", "/findings?status=open")],
        )
        .await
        .expect(422);
    assert!(
        empty.text.contains(&format!("answer-{finding}-error")),
        "{}",
        empty.text
    );
    let done = b
        .submit(
            "/findings",
            &format!("/findings/{finding}/respond"),
            &[("response", "已补齐签名"), ("next", "//evil.example/")],
        )
        .await
        .expect(303);
    // A `next` to another site goes home instead.
    assert_eq!(location(&done), "/");
    let answered = b.get("/findings?status=answered").await.expect(200);
    assert!(answered.text.contains("已补齐签名"));
    let tab = b
        .get(&format!("/contracts/{}/findings", w.contract))
        .await
        .expect(200);
    assert!(tab.text.contains("服务记录缺少签名"));
    // The organisation has no findings list; the supervisor may not answer.
    browser(&app, &w.staff).get("/findings").await.expect(403);
    browser(&app, &supervisor)
        .submit(
            "/findings",
            &format!("/findings/{finding}/respond"),
            &[("response", "x")],
        )
        .await
        .expect(403);
}

#[tokio::test]
async fn report_attachments_show_as_thumbnails_to_those_who_may_read_the_report() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
    let boundary = "XyZ";
    let mut body = Vec::new();
    let report = json!({"summary": "活动照片", "measurements": []}).to_string();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"report\"\r\nContent-Type: application/json\r\n\r\n{report}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"活动.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(PNG);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post(format!("/api/v1/milestones/{}/reports", w.milestone))
        .header(header::AUTHORIZATION, format!("Bearer {}", w.staff.token))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(None, req).await.expect(201);

    let mut b = browser(&app, &w.fo);
    let page = b
        .get(&format!("/milestones/{}", w.milestone))
        .await
        .expect(200);
    let at = page.text.find("<img src=\"/reports/").expect("a thumbnail");
    let src: String = page.text[at + 10..].split('"').next().unwrap().to_string();
    assert!(page.text.contains("alt=\"活动.png\""));
    let file = b.get(&src).await.expect(200);
    assert_eq!(file.headers[header::CONTENT_TYPE], "image/png");
    assert!(
        file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let other = app.user(Role::FinanceOfficer).await;
    browser(&app, &other).get(&src).await.expect(404);
    Browser::new(&app).get(&src).await.expect(303);
}

#[tokio::test]
async fn budget_lines_are_created_and_their_amount_changed_through_forms() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.fo);
    b.get("/budget-lines/new").await.expect(200);
    let refused = b
        .submit(
            "/budget-lines/new",
            "/budget-lines",
            &[
                ("fiscal_year", "2026"),
                ("code", "MZ-2026-09"),
                ("name", ""),
                ("amount", "1200"),
                ("source", "county"),
            ],
        )
        .await
        .expect(422);
    assert!(
        refused.text.contains("id=\"f-name-error\""),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("MZ-2026-09"),
        "the typed values are kept"
    );
    // An amount is read first (the money rule of the API), then the service's rules.
    let fen = b
        .submit(
            "/budget-lines/new",
            "/budget-lines",
            &[
                ("fiscal_year", "2026"),
                ("code", "MZ-2026-09"),
                ("name", "困境儿童关爱服务"),
                ("amount", "12.345"),
                ("source", "county"),
            ],
        )
        .await
        .expect(422);
    assert!(fen.text.contains("id=\"f-amount-error\""), "{}", fen.text);
    assert!(fen.text.contains("最多保留两位小数"), "{}", fen.text);
    let before = app.count("budget_line").await;
    // English users read English messages (the language switch of the header).
    let mut en = browser(&app, &w.fo);
    en.submit(
        "/profile",
        "/profile/language",
        &[("locale", "en"), ("next", "/")],
    )
    .await
    .expect(303);
    let english = en
        .submit(
            "/budget-lines/new",
            "/budget-lines",
            &[
                ("fiscal_year", "2026"),
                ("code", "MZ-2026-09"),
                ("name", "x"),
                ("amount", "abc"),
                ("source", "county"),
            ],
        )
        .await
        .expect(422);
    assert!(english.text.contains("Enter an amount"), "{}", english.text);
    en.submit(
        "/profile",
        "/profile/language",
        &[("locale", "zh-CN"), ("next", "/")],
    )
    .await
    .expect(303);
    assert_eq!(app.count("budget_line").await, before);

    // The API's answer cache holds the list now …
    let listed = app
        .get("/api/v1/budget-lines", &w.fo.token)
        .await
        .expect(200);
    assert!(!listed.text.contains("MZ-2026-09"));
    let done = b
        .submit(
            "/budget-lines/new",
            "/budget-lines",
            &[
                ("fiscal_year", "2026"),
                ("code", "MZ-2026-09"),
                ("name", "困境儿童关爱服务"),
                ("amount", "¥1,200,000"),
                ("source", "county"),
            ],
        )
        .await
        .expect(303);
    // … and a page's write refreshes it, as an API write does (read your writes).
    let listed = app
        .get("/api/v1/budget-lines", &w.fo.token)
        .await
        .expect(200);
    assert!(listed.text.contains("MZ-2026-09"), "{}", listed.text);
    let line_page = location(&done);
    assert!(line_page.starts_with("/budget-lines/"));
    let page = b.get(&line_page).await.expect(200);
    assert!(page.text.contains("预算指标已创建") && page.text.contains("¥1,200,000.00"));

    // The existing line has 100,000.00 committed: going below is refused (409), as the API.
    let existing = format!("/budget-lines/{}", w.line);
    let below = b
        .submit(
            &existing,
            &format!("{existing}/amount"),
            &[("amount", "50000"), ("reason", "压减")],
        )
        .await
        .expect(409);
    assert!(below.text.contains("role=\"alert\""), "{}", below.text);
    let changed = b
        .submit(
            &existing,
            &format!("{existing}/amount"),
            &[("amount", "900000"), ("reason", "年中调整")],
        )
        .await
        .expect(303);
    let page = b.get(&location(&changed)).await.expect(200);
    assert!(page.text.contains("¥900,000.00"), "{}", page.text);
    // A supervisor reads budget lines but creates none.
    let supervisor = app.user(Role::Supervisor).await;
    browser(&app, &supervisor)
        .get("/budget-lines/new")
        .await
        .expect(403);
}

#[tokio::test]
async fn notifications_are_listed_newest_first_for_their_recipient() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    w.report(&app).await;
    w.reject(&app, "请补充材料").await;
    let page = browser(&app, &w.staff)
        .get("/notifications")
        .await
        .expect(200);
    assert!(page.text.contains("第二季度服务"), "{}", page.text);
    // Each links to the page of its subject: the milestone.
    assert!(
        page.text.contains(&format!(
            r#"class="subject" href="/milestones/{}""#,
            w.milestone
        )),
        "{}",
        page.text
    );
    let mine = browser(&app, &w.fo).get("/notifications").await.expect(200);
    assert!(!mine.text.contains("请补充材料"));
    // The officer's: the report submitted, linking to the same milestone's page.
    assert!(
        mine.text
            .contains(&format!(r#"href="/milestones/{}""#, w.milestone)),
        "{}",
        mine.text
    );
}

#[tokio::test]
async fn the_contract_reports_and_performance_tabs_show_the_reports_and_the_score() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    w.report(&app).await;
    let mut b = browser(&app, &w.fo);
    let reports = b
        .get(&format!("/contracts/{}/reports", w.contract))
        .await
        .expect(200);
    assert!(
        reports.text.contains("本季度入户走访 96 次"),
        "{}",
        reports.text
    );
    assert!(reports.text.contains("aria-current=\"page\""));
    let perf = b
        .get(&format!("/contracts/{}/performance", w.contract))
        .await
        .expect(200);
    assert!(
        perf.text.contains("入户走访") && perf.text.contains("第二季度服务"),
        "{}",
        perf.text
    );
    let other = app.user(Role::FinanceOfficer).await;
    browser(&app, &other)
        .get(&format!("/contracts/{}/performance", w.contract))
        .await
        .expect(404);
}

#[tokio::test]
async fn a_tampered_form_with_a_field_it_does_not_have_is_refused_like_the_api() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.fo);
    let before = app.count("budget_line").await;
    let tampered = b
        .submit(
            "/budget-lines/new",
            "/budget-lines",
            &[
                ("fiscal_year", "2026"),
                ("code", "MZ-X"),
                ("name", "篡改"),
                ("amount", "100"),
                ("source", "county"),
                ("purchaser_id", &Uuid::nil().to_string()),
            ],
        )
        .await
        .expect(422);
    assert!(tampered.text.contains("<html"), "an error page, not JSON");
    assert_eq!(app.count("budget_line").await, before);
}
