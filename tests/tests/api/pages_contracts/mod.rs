//! The finance officer's contract pages through HTTP, as a browser uses them: the list and its
//! filters, a direct award, a contract's overview (budget effect, sign, cancel, amend,
//! terminate, complete), milestones and indicators, posts, post funding and history — each
//! form's happy path, its refusals (the message in the user's language, nothing written), CSRF
//! and the roles the API refuses.

use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::web::{Browser, location};
use tests::{Answer, Login, PASSWORD, TestApp};
use uuid::Uuid;

mod overview;
mod tabs;

/// A browser signed in as `who`.
pub(super) async fn browser<'a>(app: &'a TestApp, who: &Login) -> Browser<'a> {
    let me = app.get("/api/v1/me", &who.token).await.expect(200);
    let mut b = Browser::new(app);
    b.sign_in(me.body["email"].as_str().unwrap(), PASSWORD)
        .await;
    b
}

/// Switches the browser's user to English.
pub(super) async fn in_english(b: &mut Browser<'_>) {
    b.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await
        .expect(303);
}

/// The contract as the API shows it to `who`.
pub(super) async fn contract(app: &TestApp, who: &Login, id: Uuid) -> Value {
    app.get(&format!("/api/v1/contracts/{id}"), &who.token)
        .await
        .expect(200)
        .body
}

/// How many contracts `who` sees through the API.
pub(super) async fn contract_count(app: &TestApp, who: &Login) -> usize {
    let page = app
        .get("/api/v1/contracts?limit=500", &who.token)
        .await
        .expect(200);
    page.body["items"].as_array().unwrap().len()
}

/// The budget line's figure `which` (`committed`, `available` …) as the API shows it.
pub(super) async fn line_figure(app: &TestApp, fo: &Login, line: Uuid, which: &str) -> String {
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200);
    l.body[which].as_str().unwrap().to_string()
}

/// An officer with a line of 1 000 000.00 and an active organisation with its staff.
pub(super) struct Desk {
    pub fo: Login,
    pub staff: Login,
    pub org: Uuid,
    pub line: Uuid,
}

pub(super) async fn desk(app: &TestApp) -> Desk {
    let fo = app.user(Role::FinanceOfficer).await;
    let staff = app.user(Role::Organisation).await;
    let org = staff.organisation_id.unwrap();
    let line = app.budget_line(&fo, "1000000.00").await;
    Desk {
        fo,
        staff,
        org,
        line,
    }
}

pub(super) fn direct_award<'a>(
    org: &'a str,
    line: &'a str,
    title: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organisation_id", org),
        ("budget_line_id", line),
        ("title", title),
        ("service_category", "elderly"),
        ("division_code", "410523"),
        ("value", value),
        ("start_date", "2026-04-01"),
        ("end_date", "2026-12-31"),
        ("direct_award_reason", "唯一具备资质的服务机构"),
        ("multi_year_reason", ""),
        ("full_pay_score", "80"),
        ("min_pay_score", "60"),
    ]
}

pub(super) fn assert_before(page: &Answer, first: &str, then: &str) {
    let a = page
        .text
        .find(first)
        .unwrap_or_else(|| panic!("{first} on the page"));
    let b = page
        .text
        .find(then)
        .unwrap_or_else(|| panic!("{then} on the page"));
    assert!(a < b, "{first} comes before {then}");
}

#[tokio::test]
async fn the_list_shows_the_officers_contracts_with_their_filters_and_pages() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let active = app.active_contract(&d.fo, d.org, d.line, "1000.00").await;
    for _ in 0..51 {
        app.draft_contract(&d.fo, d.org, d.line, "100.00").await;
    }
    let other = app.user(Role::FinanceOfficer).await;
    let their_line = app.budget_line(&other, "5000.00").await;
    app.draft_contract(&other, d.org, their_line, "4321.00")
        .await;
    let mut b = browser(&app, &d.fo).await;
    let first = b.get("/contracts").await.expect(200);
    assert!(first.text.contains("href=\"/contracts/new\""));
    assert!(
        first
            .text
            .contains(&format!("href=\"/contracts/{active}\""))
    );
    assert!(first.text.contains("社工服务中心"), "organisation names");
    assert!(!first.text.contains("¥4,321.00"), "another purchaser's");
    let next = first
        .text
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/contracts?cursor="))
        .expect("a next page")
        .replace("&amp;", "&");
    let second = b.get(&next).await.expect(200);
    assert_eq!(second.text.matches("¥100.00").count(), 2);
    // The drafts to sign, as the home page links them: only drafts, paged with the filter.
    let drafts = b.get("/contracts?status=draft").await.expect(200);
    assert!(!drafts.text.contains(&format!("/contracts/{active}\"")));
    assert!(drafts.text.contains("/contracts?status=draft&amp;cursor="));
    // Ending within 30 days: the active contract once its end is near.
    let ending = b.get("/contracts?view=ending").await.expect(200);
    assert!(!ending.text.contains(&format!("/contracts/{active}\"")));
    app.clock.advance(chrono::Duration::days(280));
    let ending = b.get("/contracts?view=ending").await.expect(200);
    assert!(ending.text.contains(&format!("/contracts/{active}\"")));
    assert!(!ending.text.contains("¥100.00"), "drafts are not ending");
    // One organisation's contracts, from its name in the list.
    let theirs = format!("/contracts?organisation_id={}", d.org);
    assert!(first.text.contains(&format!("href=\"{theirs}\"")));
    let one = b.get(&theirs).await.expect(200);
    assert!(one.text.contains("与社工服务中心") && one.text.contains("¥1,000.00"));
    let another = app.organisation().await;
    let none = b
        .get(&format!("/contracts?organisation_id={another}"))
        .await
        .expect(200);
    assert!(none.text.contains("没有合同。"));
    // A status the API does not know is refused as there.
    b.get("/contracts?status=signed").await.expect(422);
}

#[tokio::test]
async fn a_refused_direct_award_says_why_in_the_users_language_and_writes_nothing() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let (org, line) = (d.org.to_string(), d.line.to_string());
    let mut b = browser(&app, &d.fo).await;
    let form = b.get("/contracts/new").await.expect(200);
    assert!(form.text.contains(&format!("<option value=\"{org}\"")));
    assert!(form.text.contains(&format!("<option value=\"{line}\"")));
    assert!(form.text.contains("¥1,000,000.00"), "the line's available");
    // Refused by the form: nothing written, the values kept, the messages beside the fields.
    let mut bad = direct_award(&org, &line, "", "twelve");
    bad[6] = ("start_date", "");
    let refused = b
        .submit("/contracts/new", "/contracts", &bad)
        .await
        .expect(422);
    assert!(refused.text.contains("此项必填。"), "{}", refused.text);
    assert!(refused.text.contains("请填写金额，例如 1234.50。"));
    assert!(refused.text.contains("aria-describedby=\"f-value-error\""));
    assert!(refused.text.contains("value=\"twelve\""));
    // No token: 403.
    let mut no_token = direct_award(&org, &line, "关爱服务", "1000.00");
    no_token.push(("_csrf", "forged"));
    b.post_raw("/contracts", &no_token).await.expect(403);
    assert_eq!(contract_count(&app, &d.fo).await, 0);
    // In English, the same refusal in English.
    in_english(&mut b).await;
    let refused = b
        .submit("/contracts/new", "/contracts", &bad)
        .await
        .expect(422);
    assert!(refused.text.contains("Please fill in this field."));
    assert!(refused.text.contains("Enter an amount, e.g. 1234.50."));
}

#[tokio::test]
async fn another_purchasers_line_or_a_suspended_organisation_is_refused_as_in_the_api() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let (org, line) = (d.org.to_string(), d.line.to_string());
    let mut b = browser(&app, &d.fo).await;
    // Another purchaser's budget line: refused on its field as the API does.
    let other = app.user(Role::FinanceOfficer).await;
    let theirs = app.budget_line(&other, "5000.00").await.to_string();
    let tampered = direct_award(&org, &theirs, "关爱服务", "1000.00");
    let refused = b
        .submit("/contracts/new", "/contracts", &tampered)
        .await
        .expect(422);
    assert!(
        refused.text.contains("f-budget_line_id-error"),
        "{}",
        refused.text
    );
    // A suspended organisation may not be awarded: the API's 409, as a notice.
    let suspended = app.organisation().await;
    let admin = app.user(Role::Admin).await;
    app.patch(
        &format!("/api/v1/organisations/{suspended}"),
        &admin.token,
        json!({"status": "suspended", "status_reason": "年度检查不合格"}),
    )
    .await
    .expect(200);
    let s = suspended.to_string();
    let refused = b
        .submit(
            "/contracts/new",
            "/contracts",
            &direct_award(&s, &line, "关爱服务", "1000.00"),
        )
        .await
        .expect(409);
    assert!(
        refused
            .text
            .contains("class=\"notice error\" role=\"alert\"")
    );
    assert_eq!(contract_count(&app, &d.fo).await, 0);
}

#[tokio::test]
async fn a_direct_award_through_its_form_creates_a_draft_of_the_officers_purchaser() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let (org, line) = (d.org.to_string(), d.line.to_string());
    let mut b = browser(&app, &d.fo).await;
    let form = b.get("/contracts/new").await.expect(200);
    assert!(form.text.contains(&format!("<option value=\"{org}\"")));
    assert!(form.text.contains(&format!("<option value=\"{line}\"")));
    assert!(form.text.contains("¥1,000,000.00"), "the line's available");
    // The happy path: a draft on the officer's line, then its page.
    let ok = direct_award(&org, &line, "农村留守老人关爱服务", "80,000");
    let created = b
        .submit("/contracts/new", "/contracts", &ok)
        .await
        .expect(303);
    let at = location(&created);
    let id: Uuid = at.trim_start_matches("/contracts/").parse().unwrap();
    let c = contract(&app, &d.fo, id).await;
    assert_eq!(c["status"], "draft");
    assert_eq!(c["value"], "80000.00");
    assert_eq!(c["budget_line_id"], line);
    assert_eq!(c["purchaser_id"], d.fo.purchaser_id.unwrap().to_string());
    let page = b.get(&at).await.expect(200);
    assert!(page.text.contains("合同草稿已创建。"));
}

#[tokio::test]
async fn only_finance_officers_may_award_and_act_as_in_the_api() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.draft_contract(&d.fo, d.org, d.line, "1000.00").await;
    let (org, line) = (d.org.to_string(), d.line.to_string());
    let award = direct_award(&org, &line, "关爱服务", "1000.00");
    let sup = app.user(Role::Supervisor).await;
    let mut s = browser(&app, &sup).await;
    s.get("/contracts/new").await.expect(403);
    s.submit("/contracts", "/contracts", &award)
        .await
        .expect(403);
    // The supervisor reads the contract and its budget effect, with no actions.
    let page = s.get(&format!("/contracts/{id}")).await.expect(200);
    assert!(page.text.contains("签订后可用"));
    assert!(
        !page
            .text
            .contains(&format!("action=\"/contracts/{id}/sign\""))
    );
    s.submit(
        &format!("/contracts/{id}"),
        &format!("/contracts/{id}/sign"),
        &[],
    )
    .await
    .expect(403);
    // The organisation's staff see their contract, not the budget, and may not sign.
    let mut o = browser(&app, &d.staff).await;
    let theirs = o.get(&format!("/contracts/{id}")).await.expect(200);
    assert!(!theirs.text.contains("签订后可用"));
    o.submit(
        &format!("/contracts/{id}"),
        &format!("/contracts/{id}/sign"),
        &[],
    )
    .await
    .expect(403);
    o.get(&format!("/contracts/{id}/history")).await.expect(403);
    // Another purchaser's officer: not found, reading or acting.
    let other = app.user(Role::FinanceOfficer).await;
    let mut x = browser(&app, &other).await;
    for tab in ["", "/milestones", "/posts", "/post-funding", "/history"] {
        x.get(&format!("/contracts/{id}{tab}")).await.expect(404);
    }
    x.submit("/contracts", &format!("/contracts/{id}/sign"), &[])
        .await
        .expect(404);
    x.submit(
        "/contracts",
        &format!("/contracts/{id}/cancel"),
        &[("reason", "x")],
    )
    .await
    .expect(404);
    assert_eq!(contract(&app, &d.fo, id).await["status"], "draft");
}
