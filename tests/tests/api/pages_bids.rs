//! An organisation's tenders and bids through HTTP, as its staff use them on a phone: the
//! published tenders with their deadlines counting down, a tender's page with the bid form
//! (a first bid, then a replacing one), refusals shown in the user's language with nothing
//! written, the page after the deadline, and the list of its own bids with their outcomes.
//! Other organisations' bids never show; other roles are refused as the API refuses them.

use entity::rules::vocab::{Locale, Role};
use serde_json::json;
use tests::web::{Browser, location};
use tests::{Login, TestApp};
use uuid::Uuid;

use crate::pages_contracts::{browser, in_english};

/// The page's message of an error `code` in Chinese.
fn zh(code: &str) -> String {
    jobs::i18n::text(Locale::ZhCn, &jobs::i18n::error_key(code))
}

/// Panics unless the page shows each of `texts`.
#[track_caller]
fn shows_all(page: &str, texts: &[&str]) {
    for t in texts {
        assert!(page.contains(t), "{t}: {page}");
    }
}

/// Panics if the page shows any of `texts`.
#[track_caller]
fn shows_none(page: &str, texts: &[&str]) {
    for t in texts {
        assert!(!page.contains(t), "{t} shown: {page}");
    }
}

/// The organisation's bids on `tender` as the API shows them to its staff: `(count, amount)`.
async fn own_bid(app: &TestApp, org: &Login, tender: Uuid) -> (usize, String) {
    let a = app
        .get(&format!("/api/v1/tenders/{tender}/bids"), &org.token)
        .await
        .expect(200);
    let items = a.body["items"].as_array().unwrap().clone();
    let amount = items
        .first()
        .map(|b| b["amount"].as_str().unwrap().to_string())
        .unwrap_or_default();
    (items.len(), amount)
}

/// A bid through the tender's form.
async fn bid_form(
    b: &mut Browser<'_>,
    tender: Uuid,
    amount: &str,
    proposal: &str,
) -> tests::Answer {
    let page = format!("/tenders/{tender}");
    b.submit(
        &page,
        &format!("{page}/bid"),
        &[("amount", amount), ("proposal", proposal)],
    )
    .await
}

#[tokio::test]
async fn an_organisation_sees_the_published_tenders_with_their_purchaser_and_countdown() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let open = app.published_tender(&fo, line, "50000.00").await;
    let cancelled = app.published_tender(&fo, line, "30000.00").await;
    app.post(
        &format!("/api/v1/tenders/{cancelled}/cancel"),
        &fo.token,
        json!({"reason": "预算调整"}),
    )
    .await
    .expect(200);
    let draft = app
        .post("/api/v1/tenders", &fo.token, app.tender_body(line, "1.00"))
        .await
        .expect(201)
        .id();
    let org = app.user(Role::Organisation).await;
    let mut b = browser(&app, &org).await;
    let href = |t: Uuid| format!("href=\"/tenders/{t}\"");
    // 10 days to the deadline, then 3 days 5 hours.
    let list = b.get("/tenders").await.expect(200).text;
    shows_all(
        &list,
        &[
            &href(open),
            "<option value=\"published\" selected>",
            "某县民政局",
            "410523",
            "¥50,000.00",
            "2026年3月12日 09:00",
            "还有 10 天 0 小时",
        ],
    );
    // Open tenders only at first; the others on asking for every status. A draft never.
    shows_none(
        &list,
        &[
            &href(cancelled),
            &href(draft),
            "view=to-award",
            "L-",
            // Nor does the status filter offer one.
            "<option value=\"draft\"",
        ],
    );
    let all = b.get("/tenders?status=").await.expect(200).text;
    shows_all(&all, &[&href(open), &href(cancelled), "已取消"]);
    shows_none(&all, &[&href(draft)]);
    b.get(&format!("/tenders/{draft}")).await.expect(404);

    app.clock
        .advance(chrono::Duration::days(6) + chrono::Duration::hours(19));
    let page = b.get(&format!("/tenders/{open}")).await.expect(200).text;
    shows_all(
        &page,
        &[
            "还有 3 天 5 小时",
            "某县民政局",
            "¥50,000.00",
            &format!("action=\"/tenders/{open}/bid\""),
            "提交响应报价",
            "id=\"f-amount\"",
            "id=\"f-proposal\"",
        ],
    );
    // No officer's action, no budget line, no bids table.
    shows_none(
        &page,
        &["/publish\"", "/cancel\"", "/close\"", "L-", "响应报价密封"],
    );
    in_english(&mut b).await;
    let page = b.get(&format!("/tenders/{open}")).await.expect(200).text;
    shows_all(&page, &["3 days 5 hours left", "Submit bid"]);
    app.clock.advance(chrono::Duration::days(4));
    let list = b.get("/tenders?status=published").await.expect(200).text;
    shows_all(&list, &[&href(open), "Deadline passed"]);
}

#[tokio::test]
async fn a_first_bid_then_a_replacing_one_leave_one_bid_with_the_new_amount() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let tender = app.published_tender(&fo, line, "50000.00").await;
    let org = app.user(Role::Organisation).await;
    let mut b = browser(&app, &org).await;
    let to = format!("/tenders/{tender}");
    let first = bid_form(&mut b, tender, "45,000", "每月入户走访两次").await;
    assert_eq!(location(&first.expect(303)), to);
    let page = b.get(&to).await.expect(200).text;
    shows_all(
        &page,
        &[
            "响应报价已提交",
            "¥45,000.00",
            "待截止",
            "修改报价",
            "value=\"45000.00\"",
            "每月入户走访两次</textarea>",
        ],
    );
    assert_eq!(own_bid(&app, &org, tender).await, (1, "45000.00".into()));

    let again = bid_form(&mut b, tender, "44000.5", "每月入户走访三次").await;
    assert_eq!(location(&again.expect(303)), to);
    let page = b.get(&to).await.expect(200).text;
    shows_all(&page, &["响应报价已修改", "¥44,000.50", "每月入户走访三次"]);
    assert_eq!(own_bid(&app, &org, tender).await, (1, "44000.50".into()));
    assert_eq!(app.count("bid").await, 1, "one bid row, replaced");
}

#[tokio::test]
async fn refused_bids_show_the_message_in_the_users_language_and_change_nothing() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let tender = app.published_tender(&fo, line, "50000.00").await;
    let org = app.user(Role::Organisation).await;
    app.bid(&org, tender, "45000.00").await;
    let mut b = browser(&app, &org).await;
    let above = bid_form(&mut b, tender, "60000", "方案")
        .await
        .expect(422)
        .text;
    shows_all(
        &above,
        &[
            "响应报价不能高于采购项目的最高限价。",
            "aria-describedby=\"f-amount-error\"",
            "value=\"60000\"",
        ],
    );
    let zero = bid_form(&mut b, tender, "0", "方案").await.expect(422).text;
    shows_all(&zero, &[&zh("field.not_positive"), "id=\"f-amount-error\""]);
    let words = bid_form(&mut b, tender, "很多", "方案")
        .await
        .expect(422)
        .text;
    shows_all(&words, &[&zh("money.not_a_number"), "value=\"很多\""]);
    let blank = bid_form(&mut b, tender, "40000", " ")
        .await
        .expect(422)
        .text;
    shows_all(&blank, &[&zh("field.required"), "id=\"f-proposal-error\""]);
    in_english(&mut b).await;
    let above = bid_form(&mut b, tender, "60000", "方案")
        .await
        .expect(422)
        .text;
    let en = jobs::i18n::text(Locale::En, "error-bid-above-ceiling");
    assert!(above.contains(en.split('\'').next().unwrap()), "{above}");
    // A suspended organisation may not bid: the API's 409, above the form.
    let admin = app.user(Role::Admin).await;
    app.patch(
        &format!("/api/v1/organisations/{}", org.organisation_id.unwrap()),
        &admin.token,
        json!({"status": "suspended", "status_reason": "年度检查不合格"}),
    )
    .await
    .expect(200);
    b.submit(
        "/",
        "/profile/language",
        &[("locale", "zh-CN"), ("next", "/")],
    )
    .await
    .expect(303);
    let suspended = bid_form(&mut b, tender, "40000", "方案")
        .await
        .expect(409)
        .text;
    shows_all(
        &suspended,
        &[&zh("organisation.not_active"), "class=\"notice error\""],
    );
    // No token: 403.
    let to = format!("/tenders/{tender}/bid");
    b.post_raw(&to, &[("amount", "40000"), ("proposal", "方案")])
        .await
        .expect(403);
    assert_eq!(own_bid(&app, &org, tender).await, (1, "45000.00".into()));
}

#[tokio::test]
async fn after_the_deadline_the_form_is_gone_the_reason_is_shown_and_a_bid_is_refused() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let tender = app.published_tender(&fo, line, "50000.00").await;
    let (org, other) = (
        app.user(Role::Organisation).await,
        app.user(Role::Organisation).await,
    );
    app.bid(&org, tender, "45000.00").await;
    app.bid(&other, tender, "47000.00").await;
    let other_name = app
        .get(
            &format!("/api/v1/organisations/{}", other.organisation_id.unwrap()),
            &other.token,
        )
        .await
        .expect(200)
        .body["name"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = browser(&app, &org).await;
    let to = format!("/tenders/{tender}");
    // Before the deadline: its own bid only.
    let page = b.get(&to).await.expect(200).text;
    shows_all(&page, &["¥45,000.00", "修改报价"]);
    shows_none(&page, &["¥47,000.00", &other_name]);

    app.clock.advance(chrono::Duration::days(11));
    let page = b.get(&to).await.expect(200).text;
    shows_all(
        &page,
        &[
            "响应截止时间已过（2026年3月12日 09:00），不能再提交或修改报价。",
            "¥45,000.00",
            "评审中",
            "服务方案",
            "已截止",
        ],
    );
    // Neither the form nor anything of the officer's: other bids, scores, close, award.
    shows_none(
        &page,
        &[
            "action=\"/tenders/",
            "/bids/",
            "/award\"",
            "¥47,000.00",
            &other_name,
            "评审得分",
        ],
    );
    let late = b
        .submit(
            &to,
            &format!("{to}/bid"),
            &[("amount", "40000"), ("proposal", "方案")],
        )
        .await
        .expect(409)
        .text;
    shows_all(&late, &[&zh("tender.deadline_passed"), "role=\"alert\""]);
    assert!(!late.contains(&format!("action=\"{to}/bid\"")));
    assert_eq!(own_bid(&app, &org, tender).await, (1, "45000.00".into()));
    // The other organisation's page shows its own bid, never the first one's.
    let mut o = browser(&app, &other).await;
    let theirs = o.get(&to).await.expect(200).text;
    shows_all(&theirs, &["¥47,000.00"]);
    shows_none(&theirs, &["¥45,000.00"]);
    let list = o.get("/bids").await.expect(200).text;
    shows_all(&list, &["¥47,000.00"]);
    shows_none(&list, &["¥45,000.00"]);
}

#[tokio::test]
async fn the_bids_page_lists_own_bids_newest_first_with_their_outcomes() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let org = app.user(Role::Organisation).await;
    let rival = app.user(Role::Organisation).await;
    let won = app.published_tender(&fo, line, "1000.00").await;
    let lost = app.published_tender(&fo, line, "1000.00").await;
    let review = app.published_tender(&fo, line, "1000.00").await;
    let won_bid = app.bid(&org, won, "900.00").await;
    app.bid(&org, lost, "910.00").await;
    app.bid(&org, review, "915.00").await;
    app.bid(&rival, won, "950.00").await;
    let rival_bid = app.bid(&rival, lost, "800.00").await;
    app.clock.advance(chrono::Duration::days(11));
    let mut contract = None;
    for (t, bid) in [(won, won_bid), (lost, rival_bid)] {
        app.act(&format!("/api/v1/tenders/{t}/close"), &fo.token)
            .await
            .expect(200);
        let c = app
            .post(
                &format!("/api/v1/tenders/{t}/award"),
                &fo.token,
                json!({"bid_id": bid}),
            )
            .await
            .expect(201)
            .id();
        contract.get_or_insert(c);
    }
    let pending = app.published_tender(&fo, line, "1000.00").await;
    app.bid(&org, pending, "920.00").await;
    let mut b = browser(&app, &org).await;
    let page = b.get("/bids").await.expect(200).text;
    let contract = contract.unwrap();
    shows_all(
        &page,
        &[
            "已成交",
            "未成交",
            "评审中",
            "待截止",
            &format!("href=\"/contracts/{contract}\""),
            &format!("href=\"/tenders/{pending}\""),
        ],
    );
    shows_none(&page, &["¥950.00", "¥800.00"]);
    assert_eq!(page.matches("href=\"/contracts/").count(), 1);
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s}: {page}"));
    assert!(at("¥920.00") < at("¥915.00"), "newest first");
    assert!(at("¥915.00") < at("¥910.00") && at("¥910.00") < at("¥900.00"));
    // Each amount with its outcome, on the same card.
    let card = |amount: &str| {
        let from = at(amount);
        page[from..].split("</tr>").next().unwrap().to_string()
    };
    assert!(card("¥900.00").contains("已成交"));
    assert!(card("¥910.00").contains("未成交"));
    assert!(card("¥915.00").contains("评审中"));
    assert!(card("¥920.00").contains("待截止"));
    b.get("/bids?cursor=garbage").await.expect(422);
    // The contract of the won bid is the organisation's to read.
    b.get(&format!("/contracts/{contract}")).await.expect(200);
}

#[tokio::test]
async fn other_roles_may_not_bid_nor_read_the_bids_page() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let tender = app.published_tender(&fo, line, "50000.00").await;
    let sup = app.user(Role::Supervisor).await;
    for who in [&fo, &sup] {
        let mut b = browser(&app, who).await;
        b.get("/bids").await.expect(403);
        let to = format!("/tenders/{tender}");
        let page = b.get(&to).await.expect(200).text;
        assert!(!page.contains(&format!("action=\"{to}/bid\"")));
        b.submit(
            &to,
            &format!("{to}/bid"),
            &[("amount", "100"), ("proposal", "方案")],
        )
        .await
        .expect(403);
    }
    assert_eq!(app.count("bid").await, 0);
    // The officer's page of the tender is as before: the budget line, sealed bids.
    let mut b = browser(&app, &fo).await;
    let page = b.get(&format!("/tenders/{tender}")).await.expect(200).text;
    shows_all(&page, &["L-", "响应报价密封", "/cancel\""]);
    shows_none(&page, &["还有 10 天", "提交响应报价"]);
}
