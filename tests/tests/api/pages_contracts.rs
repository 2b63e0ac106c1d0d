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

/// A browser signed in as `who`.
async fn browser<'a>(app: &'a TestApp, who: &Login) -> Browser<'a> {
    let me = app.get("/api/v1/me", &who.token).await.expect(200);
    let mut b = Browser::new(app);
    b.sign_in(me.body["email"].as_str().unwrap(), PASSWORD)
        .await;
    b
}

/// Switches the browser's user to English.
async fn in_english(b: &mut Browser<'_>) {
    b.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await
        .expect(303);
}

/// The contract as the API shows it to `who`.
async fn contract(app: &TestApp, who: &Login, id: Uuid) -> Value {
    app.get(&format!("/api/v1/contracts/{id}"), &who.token)
        .await
        .expect(200)
        .body
}

/// How many contracts `who` sees through the API.
async fn contract_count(app: &TestApp, who: &Login) -> usize {
    let page = app
        .get("/api/v1/contracts?limit=500", &who.token)
        .await
        .expect(200);
    page.body["items"].as_array().unwrap().len()
}

/// The budget line's figure `which` (`committed`, `available` …) as the API shows it.
async fn line_figure(app: &TestApp, fo: &Login, line: Uuid, which: &str) -> String {
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200);
    l.body[which].as_str().unwrap().to_string()
}

/// An officer with a line of 1 000 000.00 and an active organisation with its staff.
struct Desk {
    fo: Login,
    staff: Login,
    org: Uuid,
    line: Uuid,
}

async fn desk(app: &TestApp) -> Desk {
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

fn direct_award<'a>(
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

fn assert_before(page: &Answer, first: &str, then: &str) {
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
    // A status the API does not know is refused as there.
    b.get("/contracts?status=signed").await.expect(422);
}

#[tokio::test]
async fn a_direct_award_through_its_form_creates_a_draft_and_refusals_write_nothing() {
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
    assert!(refused.text.contains("请填写此项。"), "{}", refused.text);
    assert!(refused.text.contains("请输入金额，例如 1234.50。"));
    assert!(refused.text.contains("aria-describedby=\"f-value-error\""));
    assert!(refused.text.contains("value=\"twelve\""));
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
    assert!(
        refused
            .text
            .contains("Please enter an amount such as 1234.50.")
    );
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
    assert!(page.text.contains("The draft contract has been created."));
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

#[tokio::test]
async fn signing_shows_the_budget_effect_first_and_commits_the_value() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.draft_contract(&d.fo, d.org, d.line, "80000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let path = format!("/contracts/{id}");
    let page = b.get(&path).await.expect(200);
    assert!(page.text.contains("¥1,000,000.00") && page.text.contains("¥920,000.00"));
    assert_before(
        &page,
        "签订后可用",
        &format!("action=\"/contracts/{id}/sign\""),
    );
    // Without the token: nothing signed.
    b.post_raw(&format!("{path}/sign"), &[]).await.expect(403);
    assert_eq!(line_figure(&app, &d.fo, d.line, "committed").await, "0.00");
    let signed = b
        .submit(&path, &format!("{path}/sign"), &[])
        .await
        .expect(303);
    assert_eq!(location(&signed), path);
    assert_eq!(contract(&app, &d.fo, id).await["status"], "active");
    assert_eq!(
        line_figure(&app, &d.fo, d.line, "committed").await,
        "80000.00"
    );
    let page = b.get(&path).await.expect(200);
    assert!(page.text.contains("合同已签订。"));
    assert!(!page.text.contains(&format!("action=\"{path}/sign\"")));
    assert!(page.text.contains(&format!("action=\"{path}/amendments\"")));
    assert!(page.text.contains(&format!("action=\"{path}/terminate\"")));
    // A draft the line cannot take: the page says so, and signing is refused (409).
    let big = app.draft_contract(&d.fo, d.org, d.line, "950000.00").await;
    let page = b.get(&format!("/contracts/{big}")).await.expect(200);
    assert!(page.text.contains("-¥30,000.00"), "{}", page.text);
    assert!(page.text.contains("签订将被拒绝"));
    let refused = b
        .submit(
            &format!("/contracts/{big}"),
            &format!("/contracts/{big}/sign"),
            &[],
        )
        .await
        .expect(409);
    assert!(refused.text.contains("role=\"alert\""));
    assert_eq!(contract(&app, &d.fo, big).await["status"], "draft");
    assert_eq!(
        line_figure(&app, &d.fo, d.line, "committed").await,
        "80000.00"
    );
}

#[tokio::test]
async fn a_draft_is_cancelled_and_an_active_contract_amended_terminated_or_completed() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let draft = app.draft_contract(&d.fo, d.org, d.line, "1000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let dp = format!("/contracts/{draft}");
    let refused = b
        .submit(&dp, &format!("{dp}/cancel"), &[("reason", " ")])
        .await
        .expect(422);
    assert!(refused.text.contains("f-reason-error"), "{}", refused.text);
    assert_eq!(contract(&app, &d.fo, draft).await["status"], "draft");
    b.submit(&dp, &format!("{dp}/cancel"), &[("reason", "改为公开采购")])
        .await
        .expect(303);
    let c = contract(&app, &d.fo, draft).await;
    assert_eq!(
        (c["status"].as_str(), c["status_reason"].as_str()),
        (Some("cancelled"), Some("改为公开采购"))
    );

    let active = app.active_contract(&d.fo, d.org, d.line, "100000.00").await;
    let ap = format!("/contracts/{active}");
    // An amendment without its reason, then one above 10 %: nothing written.
    let no_reason = [("value", "105000.00"), ("end_date", ""), ("reason", "")];
    let refused = b
        .submit(&ap, &format!("{ap}/amendments"), &no_reason)
        .await
        .expect(422);
    assert!(
        refused.text.contains("f-reason-error")
            && !refused.text.contains("f-terminate_reason-error")
    );
    assert!(refused.text.contains("value=\"105000.00\""));
    let too_much = [
        ("value", "120000.00"),
        ("end_date", ""),
        ("reason", "增加服务"),
    ];
    b.submit(&ap, &format!("{ap}/amendments"), &too_much)
        .await
        .expect(409);
    let none = app
        .get(
            &format!("/api/v1/contracts/{active}/amendments"),
            &d.fo.token,
        )
        .await
        .expect(200);
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    let ok = [
        ("value", "105,000"),
        ("end_date", "2026-12-15"),
        ("reason", "增加服务人次"),
    ];
    b.submit(&ap, &format!("{ap}/amendments"), &ok)
        .await
        .expect(303);
    let c = contract(&app, &d.fo, active).await;
    assert_eq!(
        (c["value"].as_str(), c["end_date"].as_str()),
        (Some("105000.00"), Some("2026-12-15"))
    );
    let page = b.get(&ap).await.expect(200);
    assert!(page.text.contains("¥100,000.00 → ¥105,000.00") && page.text.contains("增加服务人次"));
    // Terminate: its reason has its own field.
    let refused = b
        .submit(&ap, &format!("{ap}/terminate"), &[("terminate_reason", "")])
        .await
        .expect(422);
    assert!(
        refused.text.contains("f-terminate_reason-error")
            && !refused.text.contains("f-reason-error")
    );
    assert_eq!(contract(&app, &d.fo, active).await["status"], "active");
    b.submit(
        &ap,
        &format!("{ap}/terminate"),
        &[("terminate_reason", "机构无法继续履约")],
    )
    .await
    .expect(303);
    assert_eq!(contract(&app, &d.fo, active).await["status"], "terminated");
    // Complete: refused while a milestone is open, then done.
    let other = app.active_contract(&d.fo, d.org, d.line, "2000.00").await;
    let op = format!("/contracts/{other}");
    b.submit(
        &format!("{op}/milestones"),
        &format!("{op}/milestones"),
        &[
            ("title", "第一阶段"),
            ("description", ""),
            ("due_date", "2026-06-30"),
            ("amount", "1000"),
        ],
    )
    .await
    .expect(303);
    let refused = b
        .submit(&op, &format!("{op}/complete"), &[])
        .await
        .expect(409);
    assert!(refused.text.contains("role=\"alert\""));
    assert_eq!(contract(&app, &d.fo, other).await["status"], "active");
}

#[tokio::test]
async fn milestones_and_indicators_are_added_their_weights_summed_and_a_milestone_cancelled() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.draft_contract(&d.fo, d.org, d.line, "100000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let mp = format!("/contracts/{id}/milestones");
    let add = |title: &'static str, due: &'static str, amount: &'static str| {
        vec![
            ("title", title),
            ("description", "入户走访"),
            ("due_date", due),
            ("amount", amount),
        ]
    };
    // Refusals: an amount that is no amount, a due date outside the period.
    let refused = b
        .submit(&mp, &mp, &add("第一阶段", "2026-06-30", "abc"))
        .await
        .expect(422);
    assert!(refused.text.contains("请输入金额，例如 1234.50。"));
    let refused = b
        .submit(&mp, &mp, &add("第一阶段", "2027-06-30", "1000"))
        .await
        .expect(422);
    assert!(refused.text.contains("f-due_date-error"));
    b.submit(&mp, &mp, &add("第一阶段", "2026-06-30", "¥200,000"))
        .await
        .expect(409);
    let api = format!("/api/v1/contracts/{id}/milestones");
    assert_eq!(
        app.get(&api, &d.fo.token).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    b.submit(&mp, &mp, &add("第一阶段", "2026-06-30", "40000"))
        .await
        .expect(303);
    b.submit(&mp, &mp, &add("第二阶段", "2026-12-31", "60000"))
        .await
        .expect(303);
    let ms = app.get(&api, &d.fo.token).await.expect(200).body;
    let first = ms["items"][0]["id"].as_str().unwrap().to_string();
    let page = b.get(&mp).await.expect(200);
    assert!(page.text.contains(&format!("href=\"/milestones/{first}\"")));
    assert!(page.text.contains("¥100,000.00 / ¥100,000.00"));
    // Indicators: 60 of 100 is said; the contract cannot be signed until they sum to 100.
    let ip = format!("/contracts/{id}/indicators");
    let ind = |code: &'static str, weight: &'static str| {
        vec![
            ("code", code),
            ("name", "服务人次"),
            ("unit", "人次"),
            ("target", "120"),
            ("comparator", "at_least"),
            ("measure", "cumulative"),
            ("weight", weight),
        ]
    };
    let refused = b.submit(&mp, &ip, &ind("A1", "sixty")).await.expect(422);
    assert!(refused.text.contains("请输入数字。"));
    b.submit(&mp, &ip, &ind("A1", "60")).await.expect(303);
    let page = b.get(&mp).await.expect(200);
    assert!(
        page.text.contains("权重合计为 60，不是 100"),
        "{}",
        page.text
    );
    assert!(page.text.contains("不低于") && page.text.contains("累计值"));
    b.submit(
        &format!("/contracts/{id}"),
        &format!("/contracts/{id}/sign"),
        &[],
    )
    .await
    .expect(409);
    b.submit(&mp, &ip, &ind("A1", "40")).await.expect(409);
    b.submit(&mp, &ip, &ind("A2", "40")).await.expect(303);
    let page = b.get(&mp).await.expect(200);
    assert!(!page.text.contains("不是 100") && page.text.contains(">100</td>"));
    // Cancel a milestone: a reason is needed; a supervisor may not.
    let cp = format!("/milestones/{first}/cancel");
    let refused = b.submit(&mp, &cp, &[("reason", "")]).await.expect(422);
    assert!(refused.text.contains(&format!("f-cancel-{first}-error")));
    let sup = app.user(Role::Supervisor).await;
    let mut s = browser(&app, &sup).await;
    s.get(&mp).await.expect(200);
    s.submit(&mp, &cp, &[("reason", "x")]).await.expect(403);
    s.submit(&mp, &mp, &add("第三阶段", "2026-06-30", "1"))
        .await
        .expect(403);
    b.submit(&mp, &cp, &[("reason", "合并到第二阶段")])
        .await
        .expect(303);
    let m = app
        .get(&format!("/api/v1/milestones/{first}"), &d.fo.token)
        .await
        .expect(200);
    assert_eq!(m.body["status"], "cancelled");
    in_english(&mut b).await;
    let refused = b.submit(&mp, &ip, &ind("A3", "")).await.expect(422);
    assert!(refused.text.contains("Please fill in this field."));
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
