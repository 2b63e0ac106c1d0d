//! The pages of payment requests (SPEC §9) through HTTP, as a browser uses them: the contract's
//! payments tab with the organisation's request form and the officer's payment form, the
//! queue of each role, a request's page with its timeline and the forms of each step, the
//! home page's to-do counts and the admin's approver box. Each page answers whom the API
//! answers; each form's happy path writes what the API would; each refusal (409, 422, the 403s
//! of separation of duties) is shown on the page in the user's language and writes nothing.

use entity::rules::vocab::{Locale, Role};
use serde_json::Value;
use tests::browser::{en, zh};
use tests::web::{Browser, location};
use tests::{Login, TestApp};
use uuid::Uuid;

use crate::pages_reviews::{World, browser, world};

/// The message of an error code, in Chinese.
fn zh_error(code: &str) -> String {
    zh(&jobs::i18n::error_key(code))
}

/// A catalogue text with its `$count`, in Chinese.
fn zh_n(key: &str, n: i64) -> String {
    let args = std::collections::HashMap::from([(
        std::borrow::Cow::Borrowed("count"),
        jobs::i18n::FluentValue::from(n),
    )]);
    jobs::i18n::text_args(Locale::ZhCn, key, &args)
}

/// The world of the review pages with its milestone's report accepted by its officer; answers
/// the milestone's payable (`"52800.00"`).
async fn accepted(app: &TestApp) -> (World, String) {
    let w = world(app).await;
    w.report(app).await;
    app.act(
        &format!("/api/v1/milestones/{}/accept", w.milestone),
        &w.fo.token,
    )
    .await
    .expect(200);
    let m = app
        .get(&format!("/api/v1/milestones/{}", w.milestone), &w.fo.token)
        .await
        .expect(200);
    let payable = m.body["payable"].as_str().unwrap().to_string();
    (w, payable)
}

/// `60000.00` → `¥60,000.00`.
fn yuan(amount: &str) -> String {
    let (whole, frac) = amount.split_once('.').unwrap_or((amount, "00"));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("¥{out}.{frac}")
}

async fn request_json(app: &TestApp, who: &Login, id: Uuid) -> Value {
    app.get(&format!("/api/v1/payment-requests/{id}"), &who.token)
        .await
        .expect(200)
        .body
}

/// The request the organisation asks for through the payments tab: 303 to its page.
async fn request_through_the_tab(
    org: &mut Browser<'_>,
    w: &World,
    amount: &str,
    invoice: &str,
) -> (Uuid, String) {
    let tab = format!("/contracts/{}/payments", w.contract);
    let done = org
        .submit(
            &tab,
            &format!("/contracts/{}/payment-requests", w.contract),
            &[
                ("milestone_id", &w.milestone.to_string()),
                ("amount", amount),
                ("invoice_no", invoice),
                ("invoice_date", "2026-03-01"),
                ("note", "第二季度服务费"),
            ],
        )
        .await
        .expect(303);
    let at = location(&done);
    assert!(at.starts_with("/payment-requests/"), "{at}");
    let id: Uuid = at.rsplit('/').next().unwrap().parse().unwrap();
    (id, at)
}

#[tokio::test]
async fn the_whole_chain_runs_through_the_pages_from_request_to_payment() {
    let app = TestApp::new().await;
    let (w, payable) = accepted(&app).await;
    let tab = format!("/contracts/{}/payments", w.contract);

    // The organisation sees what it may request: the milestone's payable, all of it.
    let mut org = browser(&app, &w.staff);
    let page = org.get(&tab).await.expect(200);
    assert!(page.text.contains(&zh("pr-request")), "{}", page.text);
    assert!(page.text.contains(&zh("pr-requestable")));
    assert!(page.text.contains(&yuan(&payable)), "{}", page.text);
    assert!(page.text.contains("name=\"invoice_no\""));
    // No payment form for the organisation.
    assert!(!page.text.contains("name=\"voucher_no\""));

    let (id, at) = request_through_the_tab(&mut org, &w, "10,000", "FP-2026-001").await;
    let shown = org.get(&at).await.expect(200);
    assert!(
        shown.text.contains(&zh("flash-pr-submitted")),
        "{}",
        shown.text
    );
    assert!(shown.text.contains(&zh("pr-status-submitted")));
    assert!(shown.text.contains(&zh("pr-waits-verify")));
    assert!(shown.text.contains(&zh_n("pr-waited", 0)));
    assert!(shown.text.contains("FP-2026-001") && shown.text.contains("¥10,000.00"));
    assert!(shown.text.contains("第二季度服务费"));
    // The organisation may withdraw it while it waits; nothing else.
    assert!(
        shown
            .text
            .contains(&format!("/payment-requests/{id}/withdraw"))
    );
    assert!(
        !shown
            .text
            .contains(&format!("/payment-requests/{id}/verify"))
    );
    assert_eq!(
        request_json(&app, &w.staff, id).await["status"],
        "submitted"
    );
    // What is still requestable shrinks by what is asked.
    let page = org.get(&tab).await.expect(200);
    assert!(page.text.contains(&zh("pr-requested-open")));
    assert!(page.text.contains(&format!("/payment-requests/{id}")));

    // The officer: home says one request to verify, the queue lists it, the page verifies it.
    let mut fo = browser(&app, &w.fo);
    let home = fo.get("/").await.expect(200);
    assert!(
        home.text.contains(&zh_n("home-requests-to-verify", 1)),
        "{}",
        home.text
    );
    assert!(home.text.contains("/payment-requests?status=submitted"));
    assert!(home.text.contains("href=\"/payment-requests\""), "the menu");
    let queue = fo
        .get("/payment-requests?status=submitted")
        .await
        .expect(200);
    assert!(
        queue.text.contains(&format!("/payment-requests/{id}")),
        "{}",
        queue.text
    );
    assert!(queue.text.contains(&zh("pr-waits-verify")));
    // Not an approver: no "to approve" view.
    assert!(!queue.text.contains(&zh("pr-view-to-approve")));
    let page = fo.get(&at).await.expect(200);
    assert!(page.text.contains(&format!("{at}/verify")));
    assert!(page.text.contains(&format!("{at}/return")));
    assert!(!page.text.contains(&format!("{at}/approve")));
    let done = fo
        .submit(&at, &format!("{at}/verify"), &[])
        .await
        .expect(303);
    assert_eq!(location(&done), at);
    let page = fo.get(&at).await.expect(200);
    assert!(
        page.text.contains(&zh("flash-pr-verified")),
        "{}",
        page.text
    );
    assert!(page.text.contains(&zh("pr-waits-approve")));
    assert!(page.text.contains(&zh("pr-step-verified")));
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "verified");

    // A second officer of the purchaser, an approver: home, the queue, the approval.
    let approver = app.approver(w.fo.purchaser_id.unwrap()).await;
    let mut ap = browser(&app, &approver);
    let home = ap.get("/").await.expect(200);
    assert!(
        home.text.contains(&zh_n("home-requests-to-approve", 1)),
        "{}",
        home.text
    );
    let queue = ap
        .get("/payment-requests?status=verified")
        .await
        .expect(200);
    assert!(queue.text.contains(&zh("pr-view-to-approve")));
    assert!(queue.text.contains(&zh("pr-hint-approver")));
    assert!(queue.text.contains(&format!("/payment-requests/{id}")));
    let page = ap.get(&at).await.expect(200);
    assert!(
        page.text.contains(&format!("{at}/approve")),
        "{}",
        page.text
    );
    ap.submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(303);
    let page = ap.get(&at).await.expect(200);
    assert!(
        page.text.contains(&zh("flash-pr-approved")),
        "{}",
        page.text
    );
    assert!(page.text.contains(&zh("pr-waits-pay")));
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "approved");

    // The first officer pays it from the request's page.
    let home = fo.get("/").await.expect(200);
    assert!(
        home.text.contains(&zh_n("home-requests-to-pay", 1)),
        "{}",
        home.text
    );
    let page = fo.get(&at).await.expect(200);
    assert!(page.text.contains(&format!("{at}/pay")));
    fo.submit(
        &at,
        &format!("{at}/pay"),
        &[("paid_on", "2026-03-02"), ("voucher_no", "PZ-2026-031")],
    )
    .await
    .expect(303);
    let page = fo.get(&at).await.expect(200);
    assert!(
        page.text.contains(&zh("flash-payment-recorded")),
        "{}",
        page.text
    );
    assert!(page.text.contains(&zh("pr-status-paid")));
    assert!(page.text.contains(&zh("pr-step-paid")) && page.text.contains("PZ-2026-031"));
    assert!(page.text.contains(&format!("{tab}#payment-")));
    let r = request_json(&app, &w.fo, id).await;
    assert_eq!(r["status"], "paid");
    assert_eq!(app.count("payment").await, 1);
    // The timeline names each step's person.
    for step in ["pr-step-submitted", "pr-step-verified", "pr-step-approved"] {
        assert!(page.text.contains(&zh(step)), "{step}");
    }
    // Nothing waits any more: the to-do is gone; the organisation reads the payment.
    let home = fo.get("/").await.expect(200);
    assert!(!home.text.contains("/payment-requests?status="));
    let tab_page = org.get(&tab).await.expect(200);
    assert!(tab_page.text.contains("PZ-2026-031") && tab_page.text.contains("¥10,000.00"));
    assert!(tab_page.text.contains(&zh("pr-status-paid")));
}

#[tokio::test]
async fn the_verifier_cannot_approve_and_the_page_says_why_in_the_users_language() {
    let app = TestApp::new().await;
    let (w, _) = accepted(&app).await;
    let (id, at) = request_through_the_tab(&mut browser(&app, &w.staff), &w, "5000", "FP-7").await;
    let purchaser = w.fo.purchaser_id.unwrap();
    // An approver verifies it, then tries to approve it too.
    let approver = app.approver(purchaser).await;
    let mut ap = browser(&app, &approver);
    ap.submit(&at, &format!("{at}/verify"), &[])
        .await
        .expect(303);
    let page = ap.get(&at).await.expect(200);
    assert!(page.text.contains(&zh("pr-you-verified")), "{}", page.text);
    let refused = ap
        .submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(403);
    assert!(
        refused.text.contains(&zh_error("approval.same_person")),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("role=\"alert\""));
    // The request's page is shown again, not an error page.
    assert!(refused.text.contains(&zh("pr-timeline")));
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "verified");

    // The officer who accepted the milestone, made an approver, may not approve it either.
    {
        use entity::model::user;
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        user::Entity::update_many()
            .col_expr(user::Column::Approver, Expr::value(true))
            .filter(user::Column::Id.eq(w.fo.user_id))
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let refused = browser(&app, &w.fo)
        .submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(403);
    assert!(
        refused.text.contains(&zh_error("approval.same_person")),
        "{}",
        refused.text
    );

    // An officer who is no approver: the page says so, in English for an English user.
    let plain = app
        .user_in(Role::FinanceOfficer, Some(purchaser), None)
        .await;
    let mut b = browser(&app, &plain);
    b.submit(
        "/profile",
        "/profile/language",
        &[("locale", "en"), ("next", "/")],
    )
    .await
    .expect(303);
    let page = b.get(&at).await.expect(200);
    // No approval form offered to an officer who is no approver.
    assert!(!page.text.contains(&format!("{at}/approve")));
    let refused = b
        .submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(403);
    let message = jobs::i18n::text(Locale::En, &jobs::i18n::error_key("approval.not_approver"));
    assert!(
        refused.text.contains(&message.replace('\'', "&#39;")) || refused.text.contains(&message),
        "{}",
        refused.text
    );
    assert!(refused.text.contains(&en("pr-timeline")));

    // A second approver approves it.
    let second = app.approver(purchaser).await;
    browser(&app, &second)
        .submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(303);
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "approved");
    // An approver of another purchaser never sees it: 404, as the API.
    let stranger = app.approver(app.purchaser().await).await;
    browser(&app, &stranger).get(&at).await.expect(404);
    let api = app
        .call(
            axum::http::Method::POST,
            &format!("/api/v1/payment-requests/{id}/approve"),
            Some(&stranger.token),
            None,
        )
        .await;
    let page = browser(&app, &stranger)
        .submit("/", &format!("{at}/approve"), &[])
        .await;
    assert_eq!(page.status, api.status, "{}", page.text);
}

#[tokio::test]
async fn a_refused_request_shows_its_messages_and_writes_nothing() {
    let app = TestApp::new().await;
    let (w, payable) = accepted(&app).await;
    let tab = format!("/contracts/{}/payments", w.contract);
    let action = format!("/contracts/{}/payment-requests", w.contract);
    let mut org = browser(&app, &w.staff);
    let above = {
        let (whole, frac) = payable.split_once('.').unwrap();
        let fen: i64 = format!("{whole}{frac}").parse::<i64>().unwrap() + 1;
        format!("{}.{:02}", fen / 100, fen % 100)
    };
    let ms = w.milestone.to_string();
    let pairs: Vec<(&str, &str)> = vec![
        ("milestone_id", &ms),
        ("amount", &above),
        ("invoice_no", "FP-9"),
        ("invoice_date", "2026-03-01"),
        ("note", ""),
    ];
    // More than is payable: the service's rule refuses (409), the typed values are kept.
    let refused = org.submit(&tab, &action, &pairs).await.expect(409);
    assert!(
        refused.text.contains(&zh_error("payment.above_payable")),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("FP-9"), "the typed values are kept");
    // Not an amount; no invoice number; a date in the future: each beside its field.
    for (amount, invoice, date, field, message) in [
        (
            "六万",
            "FP-9",
            "2026-03-01",
            "amount",
            zh_error("money.not_a_number"),
        ),
        (
            "100",
            " ",
            "2026-03-01",
            "invoice_no",
            zh_error("field.required"),
        ),
        (
            "100",
            "FP-9",
            "2026-12-31",
            "invoice_date",
            zh_error("field.in_future"),
        ),
    ] {
        let refused = org
            .submit(
                &tab,
                &action,
                &[
                    ("milestone_id", &ms),
                    ("amount", amount),
                    ("invoice_no", invoice),
                    ("invoice_date", date),
                    ("note", ""),
                ],
            )
            .await
            .expect(422);
        assert!(
            refused.text.contains(&format!("id=\"f-{field}-error\"")),
            "{field}: {}",
            refused.text
        );
        assert!(refused.text.contains(&message), "{field}: {message}");
    }
    // No milestone chosen.
    org.submit(
        &tab,
        &action,
        &[
            ("amount", "100"),
            ("invoice_no", "FP-9"),
            ("invoice_date", "2026-03-01"),
        ],
    )
    .await
    .expect(422);
    // Without the form's token: 403; an officer may never request; another organisation
    // does not see the contract.
    org.post_raw(&action, &pairs).await.expect(403);
    browser(&app, &w.fo)
        .submit(&tab, &action, &pairs)
        .await
        .expect(403);
    let other = app.user(Role::Organisation).await;
    browser(&app, &other)
        .submit("/", &action, &pairs)
        .await
        .expect(404);
    browser(&app, &other).get(&tab).await.expect(404);
    assert_eq!(app.count("payment_request").await, 0);

    // Exactly what is requestable is accepted.
    let exact: Vec<(&str, &str)> = vec![
        ("milestone_id", &ms),
        ("amount", &payable),
        ("invoice_no", "FP-10"),
        ("invoice_date", "2026-03-01"),
        ("note", ""),
    ];
    org.submit(&tab, &action, &exact).await.expect(303);
    assert_eq!(app.count("payment_request").await, 1);
    // Then nothing more may be requested of the milestone: the form offers only an advance.
    let page = org.get(&tab).await.expect(200);
    assert!(
        !page.text.contains(&format!("value=\"{ms}\"")),
        "{}",
        page.text
    );
    assert!(page.text.contains("value=\"advance\""));
    let again = org.submit(&tab, &action, &exact).await.expect(409);
    assert!(again.text.contains(&zh_error("payment.above_payable")));
    assert_eq!(app.count("payment_request").await, 1);
}

#[tokio::test]
async fn a_request_is_returned_with_its_comment_corrected_resubmitted_and_withdrawn() {
    let app = TestApp::new().await;
    let (w, _) = accepted(&app).await;
    let (id, at) = request_through_the_tab(&mut browser(&app, &w.staff), &w, "8000", "FP-21").await;
    let mut fo = browser(&app, &w.fo);
    // A return needs its comment.
    let refused = fo
        .submit(&at, &format!("{at}/return"), &[("comment", "  ")])
        .await
        .expect(422);
    assert!(
        refused.text.contains("id=\"f-comment-error\""),
        "{}",
        refused.text
    );
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "submitted");
    fo.post_raw(&format!("{at}/return"), &[("comment", "发票抬头有误")])
        .await
        .expect(403);
    fo.submit(
        &at,
        &format!("{at}/return"),
        &[("comment", "发票抬头有误，请重开")],
    )
    .await
    .expect(303);
    let page = fo.get(&at).await.expect(200);
    assert!(page.text.contains(&zh("flash-pr-returned")));
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "returned");

    // The organisation: home counts it, the queue shows it, its page shows the comment and the
    // correction form.
    let mut org = browser(&app, &w.staff);
    let home = org.get("/").await.expect(200);
    assert!(
        home.text.contains(&zh_n("home-requests-returned", 1)),
        "{}",
        home.text
    );
    assert!(home.text.contains("/payment-requests?status=returned"));
    let queue = org
        .get("/payment-requests?status=returned")
        .await
        .expect(200);
    assert!(queue.text.contains(&format!("/payment-requests/{id}")));
    assert!(queue.text.contains(&zh("pr-waits-correct")));
    let page = org.get(&at).await.expect(200);
    assert!(page.text.contains("发票抬头有误，请重开"), "{}", page.text);
    // Who returned it, in its timeline.
    let returner = app.get("/api/v1/me", &w.fo.token).await.expect(200).body["display_name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(page.text.contains(&returner), "{}", page.text);
    assert!(page.text.contains(&format!("{at}/resubmit")));
    // The officer cannot correct it; a bad amount is refused beside its field.
    fo.submit(
        &at,
        &format!("{at}/resubmit"),
        &[
            ("amount", "8000"),
            ("invoice_no", "FP-22"),
            ("invoice_date", "2026-03-01"),
            ("note", ""),
        ],
    )
    .await
    .expect(403);
    let refused = org
        .submit(
            &at,
            &format!("{at}/resubmit"),
            &[
                ("amount", "8000.001"),
                ("invoice_no", "FP-22"),
                ("invoice_date", "2026-03-01"),
                ("note", ""),
            ],
        )
        .await
        .expect(422);
    assert!(
        refused.text.contains("id=\"f-amount-error\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("FP-22"), "the typed values are kept");
    assert_eq!(request_json(&app, &w.fo, id).await["invoice_no"], "FP-21");
    org.submit(
        &at,
        &format!("{at}/resubmit"),
        &[
            ("amount", "7,500"),
            ("invoice_no", "FP-22"),
            ("invoice_date", "2026-03-02"),
            ("note", "已重开发票"),
        ],
    )
    .await
    .expect(303);
    let r = request_json(&app, &w.fo, id).await;
    assert_eq!(
        (
            r["status"].as_str(),
            r["invoice_no"].as_str(),
            r["amount"].as_str()
        ),
        (Some("submitted"), Some("FP-22"), Some("7500.00"))
    );
    let page = org.get(&at).await.expect(200);
    assert!(page.text.contains(&zh("flash-pr-resubmitted")));
    assert!(page.text.contains(&zh("pr-step-resubmitted")));
    assert!(
        page.text.contains("发票抬头有误，请重开"),
        "the earlier comment"
    );

    // Withdrawn by the organisation; then no step is left: a verification is refused (409),
    // shown on the page.
    org.submit(&at, &format!("{at}/withdraw"), &[])
        .await
        .expect(303);
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "withdrawn");
    let page = fo.get(&at).await.expect(200);
    assert!(page.text.contains(&zh("pr-step-withdrawn")));
    assert!(!page.text.contains(&format!("{at}/verify")));
    let refused = fo
        .submit(&at, &format!("{at}/verify"), &[])
        .await
        .expect(409);
    assert!(
        refused.text.contains(&zh_error("state.transition")),
        "{}",
        refused.text
    );
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "withdrawn");
}

#[tokio::test]
async fn each_page_and_form_answers_whom_the_api_answers() {
    let app = TestApp::new().await;
    let (w, _) = accepted(&app).await;
    let (id, at) = request_through_the_tab(&mut browser(&app, &w.staff), &w, "1000", "FP-31").await;
    let supervisor = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let other_fo = app.user(Role::FinanceOfficer).await;
    let other_org = app.user(Role::Organisation).await;
    for who in [&w.fo, &w.staff, &supervisor, &admin] {
        let mut b = browser(&app, who);
        let queue = b.get("/payment-requests").await.expect(200);
        assert!(
            queue.text.contains(&format!("/payment-requests/{id}")),
            "{}",
            queue.text
        );
        b.get(&at).await.expect(200);
        // Filtered by the contract, the same request; by another status, none.
        let by_contract = b
            .get(&format!("/payment-requests?contract_id={}", w.contract))
            .await
            .expect(200);
        assert!(
            by_contract
                .text
                .contains(&format!("/payment-requests/{id}"))
        );
        let paid = b.get("/payment-requests?status=paid").await.expect(200);
        assert!(!paid.text.contains(&format!("/payment-requests/{id}")));
    }
    // Supervisors and admins read, with no form.
    let page = browser(&app, &supervisor).get(&at).await.expect(200);
    assert!(
        !page
            .text
            .contains("method=\"post\" action=\"/payment-requests/")
    );
    let queue = browser(&app, &supervisor)
        .get("/payment-requests")
        .await
        .expect(200);
    assert!(queue.text.contains(&zh("pr-hint-read-only")));
    // Others' requests are not found; others' lists do not hold them.
    for who in [&other_fo, &other_org] {
        let mut b = browser(&app, who);
        b.get(&at).await.expect(404);
        let queue = b.get("/payment-requests").await.expect(200);
        assert!(!queue.text.contains(&format!("/payment-requests/{id}")));
    }
    // A bad filter is said beside it (422, as the API).
    let bad = browser(&app, &w.fo)
        .get("/payment-requests?status=lost")
        .await
        .expect(422);
    assert!(bad.text.contains("id=\"f-status-error\""), "{}", bad.text);
    // Forms of a role that may never use them: 403, nothing written.
    browser(&app, &supervisor)
        .submit(&at, &format!("{at}/verify"), &[])
        .await
        .expect(403);
    browser(&app, &w.staff)
        .submit(&at, &format!("{at}/verify"), &[])
        .await
        .expect(403);
    browser(&app, &w.fo)
        .submit(&at, &format!("{at}/withdraw"), &[])
        .await
        .expect(403);
    browser(&app, &admin)
        .submit(
            &at,
            &format!("{at}/pay"),
            &[("paid_on", "2026-03-02"), ("voucher_no", "X")],
        )
        .await
        .expect(403);
    // Another purchaser's officer: 404 (the API's answer), nothing written.
    browser(&app, &other_fo)
        .submit("/", &format!("{at}/verify"), &[])
        .await
        .expect(404);
    browser(&app, &other_org)
        .submit("/", &format!("{at}/withdraw"), &[])
        .await
        .expect(404);
    // Without the token: 403.
    browser(&app, &w.fo)
        .post_raw(&format!("{at}/verify"), &[])
        .await
        .expect(403);
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "submitted");
    // A visitor is sent to sign in.
    let visitor = Browser::new(&app).get(&at).await.expect(303);
    assert!(location(&visitor).starts_with("/login"));
    // The menus of officers, organisations and supervisors lead to the queue.
    for who in [&w.fo, &w.staff, &supervisor] {
        let home = browser(&app, who).get("/").await.expect(200);
        assert!(home.text.contains("href=\"/payment-requests\""), "the menu");
    }
}

#[tokio::test]
async fn the_payment_form_refuses_a_bad_date_or_voucher_and_writes_nothing() {
    let app = TestApp::new().await;
    let (w, _) = accepted(&app).await;
    let (id, at) = request_through_the_tab(&mut browser(&app, &w.staff), &w, "2000", "FP-41").await;
    let mut fo = browser(&app, &w.fo);
    // Not approved yet: no payment form; a forced one is refused (409) on the page.
    assert!(
        !fo.get(&at)
            .await
            .expect(200)
            .text
            .contains(&format!("{at}/pay"))
    );
    let refused = fo
        .submit(
            &at,
            &format!("{at}/pay"),
            &[("paid_on", "2026-03-02"), ("voucher_no", "PZ-1")],
        )
        .await
        .expect(409);
    assert!(
        refused
            .text
            .contains(&zh_error("payment_request.not_approved")),
        "{}",
        refused.text
    );
    fo.submit(&at, &format!("{at}/verify"), &[])
        .await
        .expect(303);
    let approver = app.approver(w.fo.purchaser_id.unwrap()).await;
    browser(&app, &approver)
        .submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(303);
    for (paid_on, voucher, field) in [
        ("2026-12-31", "PZ-1", "paid_on"),
        ("", "PZ-1", "paid_on"),
        ("2026-03-02", " ", "voucher_no"),
    ] {
        let refused = fo
            .submit(
                &at,
                &format!("{at}/pay"),
                &[("paid_on", paid_on), ("voucher_no", voucher)],
            )
            .await
            .expect(422);
        assert!(
            refused.text.contains(&format!("id=\"f-{field}-error\"")),
            "{field}: {}",
            refused.text
        );
    }
    assert_eq!(app.count("payment").await, 0);
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "approved");
    // The payments tab lists the approved request in its payment form.
    let tab = fo
        .get(&format!("/contracts/{}/payments", w.contract))
        .await
        .expect(200);
    assert!(
        tab.text.contains(&format!("value=\"{id}\"")),
        "{}",
        tab.text
    );
    assert!(tab.text.contains("FP-41"));
}

#[tokio::test]
async fn the_admin_ticks_the_approver_box_for_finance_officers_only() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let purchaser = app.purchaser().await.to_string();
    let organisation = app.organisation().await.to_string();
    let mut b = Browser::signed_in(&app, &admin);
    let form = b.get("/users/new").await.expect(200);
    assert!(form.text.contains(&zh("users-approver")), "{}", form.text);
    let created = b
        .submit(
            "/users/new",
            "/users",
            &[
                ("email", "shenpi@county.gov.cn"),
                ("display_name", "赵审批"),
                ("role", "finance_officer"),
                ("purchaser_id", &purchaser),
                ("organisation_id", ""),
                ("password", "chushi-mima-2026"),
                ("locale", "zh-CN"),
                ("approver", "true"),
            ],
        )
        .await
        .expect(303);
    let at = location(&created);
    let id = at.rsplit('/').next().unwrap().to_string();
    let u = app
        .get(&format!("/api/v1/users/{id}"), &admin.token)
        .await
        .expect(200)
        .body;
    assert_eq!(u["approver"], true);
    let page = b.get(&at).await.expect(200);
    assert!(page.text.contains(&format!("{at}/approver")));
    assert!(page.text.contains(" checked"), "the box is ticked");

    // Organisation staff cannot approve: 422 beside the box, nobody created.
    let before = app.count("app_user").await;
    let refused = b
        .submit(
            "/users/new",
            "/users",
            &[
                ("email", "zuzhi@ngo.org.cn"),
                ("display_name", "钱社工"),
                ("role", "organisation"),
                ("purchaser_id", ""),
                ("organisation_id", &organisation),
                ("password", "chushi-mima-2026"),
                ("locale", "zh-CN"),
                ("approver", "true"),
            ],
        )
        .await
        .expect(422);
    assert!(
        refused.text.contains("id=\"f-approver-error\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains(&zh_error("field.not_for_role")));
    assert_eq!(app.count("app_user").await, before);

    // The box unticked on the officer's page: no longer an approver.
    b.submit(&at, &format!("{at}/approver"), &[])
        .await
        .expect(303);
    let page = b.get(&at).await.expect(200);
    assert!(page.text.contains(&zh("flash-user-approver-off")));
    let u = app
        .get(&format!("/api/v1/users/{id}"), &admin.token)
        .await
        .expect(200)
        .body;
    assert_eq!(u["approver"], false);
    b.submit(&at, &format!("{at}/approver"), &[("approver", "true")])
        .await
        .expect(303);
    assert!(
        b.get(&at)
            .await
            .expect(200)
            .text
            .contains(&zh("flash-user-approver-on"))
    );

    // On an organisation user's page there is no box; a forced one is refused and said.
    let staff = app.user(Role::Organisation).await;
    let theirs = format!("/users/{}", staff.user_id);
    let page = b.get(&theirs).await.expect(200);
    assert!(!page.text.contains(&format!("{theirs}/approver")));
    let refused = b
        .submit(
            &theirs,
            &format!("{theirs}/approver"),
            &[("approver", "true")],
        )
        .await
        .expect(422);
    assert!(
        refused.text.contains(&zh_error("field.not_for_role")),
        "{}",
        refused.text
    );
    // Nobody but the admin may set it.
    let supervisor = app.user(Role::Supervisor).await;
    browser(&app, &supervisor)
        .submit(&theirs, &format!("{at}/approver"), &[("approver", "true")])
        .await
        .expect(403);
    let u = app
        .get(&format!("/api/v1/users/{id}"), &admin.token)
        .await
        .expect(200)
        .body;
    assert_eq!(u["approver"], true);
}

#[tokio::test]
async fn above_the_limit_two_different_approvers_approve_one_after_the_other() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.second_approval_above = entity::Money::from_fen(500_000);
    })
    .await;
    let (w, _) = accepted(&app).await;
    let (id, at) = request_through_the_tab(&mut browser(&app, &w.staff), &w, "8000", "FP-51").await;
    let mut fo = browser(&app, &w.fo);
    let page = fo.get(&at).await.expect(200);
    assert!(
        page.text.contains(&jobs::i18n::text_with(
            Locale::ZhCn,
            "pr-two-approvers",
            &[("name", "¥5,000.00".to_string())]
        )),
        "{}",
        page.text
    );
    fo.submit(&at, &format!("{at}/verify"), &[])
        .await
        .expect(303);
    let purchaser = w.fo.purchaser_id.unwrap();
    let first = app.approver(purchaser).await;
    let mut one = browser(&app, &first);
    one.submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(303);
    let page = one.get(&at).await.expect(200);
    assert!(
        page.text.contains(&zh("flash-pr-first-approval")),
        "{}",
        page.text
    );
    assert!(page.text.contains(&zh("pr-waits-second")));
    assert!(page.text.contains(&zh("pr-step-first-approval")));
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "verified");
    // The same approver twice: refused on the page.
    let refused = one
        .submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(403);
    assert!(refused.text.contains(&zh_error("approval.same_person")));
    let second = app.approver(purchaser).await;
    let mut two = browser(&app, &second);
    let page = two.get(&at).await.expect(200);
    assert!(
        page.text.contains(&zh("pr-approve-second")),
        "{}",
        page.text
    );
    two.submit(&at, &format!("{at}/approve"), &[])
        .await
        .expect(303);
    let page = two.get(&at).await.expect(200);
    assert!(page.text.contains(&zh("flash-pr-approved")));
    assert!(page.text.contains(&zh("pr-step-second-approval")));
    assert_eq!(request_json(&app, &w.fo, id).await["status"], "approved");
}
