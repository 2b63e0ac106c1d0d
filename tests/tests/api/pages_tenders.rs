//! The finance officer's tender pages through HTTP, as a browser uses them: the list and its
//! filters, a draft's form, a tender's page with its actions, sealed bids, scores and the
//! award; refusals shown in the user's language with nothing written, checked through the
//! JSON API.

use entity::rules::vocab::{Locale, Role};
use serde_json::{Value, json};
use tests::web::{Browser, location};
use tests::{Login, PASSWORD, TestApp};
use uuid::Uuid;

/// A browser signed in as `who`.
async fn browser<'a>(app: &'a TestApp, who: &Login) -> Browser<'a> {
    let me = app.get("/api/v1/me", &who.token).await.expect(200).body;
    let mut b = Browser::new(app);
    b.sign_in(me["email"].as_str().unwrap(), PASSWORD).await;
    b
}

/// The page's message for an error `code` in `locale` (as far as it needs no HTML escape): its
/// catalogue text, or the generic one of its kind while it has none (as `Ui::error_text`).
fn message(locale: Locale, code: &str) -> String {
    let words = |code: &str| jobs::i18n::text(locale, &jobs::i18n::error_key(code));
    let field = code.starts_with("field.") || code.starts_with("form.");
    let kind = if field {
        "field.invalid"
    } else {
        "state.conflict"
    };
    let text = Some(words(code))
        .filter(|t| !t.starts_with("error-"))
        .unwrap_or_else(|| words(kind));
    let plain = text
        .split(['&', '<', '>', '"', '\''])
        .next()
        .unwrap_or_default();
    assert!(plain.chars().count() >= 4, "{code}: {text}");
    plain.to_string()
}

/// Panics unless the page shows each of `texts`.
#[track_caller]
fn shows_all(page: &str, texts: &[&str]) {
    for t in texts {
        assert!(page.contains(t), "{t}: {page}");
    }
}

/// The code of the first field error of a problem, else its own code.
fn code_of(problem: &Value) -> String {
    problem["errors"][0]["code"]
        .as_str()
        .or(problem["code"].as_str())
        .unwrap()
        .to_string()
}

async fn tender(app: &TestApp, who: &Login, id: Uuid) -> Value {
    app.get(&format!("/api/v1/tenders/{id}"), &who.token)
        .await
        .expect(200)
        .body
}

/// A draft through the API, with `changes` to the fixture's body.
async fn draft(app: &TestApp, fo: &Login, line: Uuid, changes: Value) -> Uuid {
    let mut body = app.tender_body(line, "50000.00");
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201)
        .id()
}

/// The new-draft form's fields for `line`, with `changes`.
fn fields(line: Uuid, changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("budget_line_id", line.to_string()),
        ("title", "社区养老服务项目".into()),
        ("description", "为社区老人提供助餐服务".into()),
        ("service_category", "elderly".into()),
        ("division_code", "410523".into()),
        ("method", "inquiry".into()),
        ("ceiling_amount", "50,000".into()),
        ("bid_deadline", "2026-03-20T17:00".into()),
        ("service_start", "2026-04-01".into()),
        ("service_end", "2026-12-31".into()),
        ("multi_year_reason", String::new()),
    ];
    for (k, v) in changes {
        f.iter_mut().find(|(n, _)| n == k).unwrap().1 = (*v).to_string();
    }
    f
}

fn pairs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn an_officer_creates_edits_and_publishes_a_draft_through_its_forms() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut b = browser(&app, &fo).await;
    let form = b.get("/tenders/new").await.expect(200);
    assert!(form.text.contains(&format!("<option value=\"{line}\"")));
    assert!(form.text.contains("type=\"datetime-local\"") && form.text.contains("Asia/Shanghai"));
    let f = fields(line, &[]);
    let created = b
        .submit("/tenders/new", "/tenders", &pairs(&f))
        .await
        .expect(303);
    let to = location(&created);
    let id: Uuid = to.trim_start_matches("/tenders/").parse().unwrap();
    let t = tender(&app, &fo, id).await;
    assert_eq!(
        (t["status"].as_str(), t["ceiling_amount"].as_str()),
        (Some("draft"), Some("50000.00"))
    );
    // 17:00 in Shanghai is 09:00 UTC.
    assert_eq!(
        t["bid_deadline"].as_str().unwrap().get(..19),
        Some("2026-03-20T09:00:00")
    );
    assert_eq!(t["service_category"], "elderly");
    let publish = format!("action=\"/tenders/{id}/publish\"");
    let facts = [
        "2026年3月20日 17:00",
        "¥50,000.00",
        "草稿",
        "为老服务",
        "询价",
    ];
    let page = b.get(&to).await.expect(200).text;
    shows_all(&page, &[&publish, "采购项目草稿已保存", "响应报价密封"]);
    shows_all(&page, &facts);
    let edit = b.get(&format!("/tenders/{id}/edit")).await.expect(200);
    shows_all(&edit.text, &["value=\"2026-03-20T17:00\""]);
    let f = fields(
        line,
        &[("title", "社区助餐服务项目"), ("service_end", "2027-03-31")],
    );
    b.submit(&to, &to, &pairs(&f)).await.expect(303);
    let t = tender(&app, &fo, id).await;
    assert_eq!(
        (t["title"].as_str(), t["service_end"].as_str()),
        (Some("社区助餐服务项目"), Some("2027-03-31"))
    );

    let published = b
        .submit(&to, &format!("{to}/publish"), &[])
        .await
        .expect(303);
    assert_eq!(location(&published), to);
    assert_eq!(tender(&app, &fo, id).await["status"], "published");
    let page = b.get(&to).await.expect(200);
    assert!(page.text.contains("采购项目已发布") && !page.text.contains("/publish\""));
    // A published tender is no draft: its form leads to its page, a change is refused (409).
    assert_eq!(
        location(&b.get(&format!("{to}/edit")).await.expect(303)),
        to
    );
    let again = b.submit(&to, &to, &pairs(&fields(line, &[]))).await;
    shows_all(&again.expect(409).text, &["class=\"notice error\""]);
    assert_eq!(tender(&app, &fo, id).await["title"], "社区助餐服务项目");
    let list = b.get("/tenders").await.expect(200);
    assert!(list.text.contains(&format!("href=\"/tenders/{id}\"")) && list.text.contains("已发布"));
}

/// Submits a form from page `from` to `to` and checks the page answered shows `texts`.
async fn refused(
    b: &mut Browser<'_>,
    (from, to): (&str, &str),
    fields: &[(&str, &str)],
    status: u16,
    texts: &[&str],
) {
    let a = b.submit(from, to, fields).await.expect(status);
    shows_all(&a.text, texts);
}

#[tokio::test]
async fn refused_forms_show_the_message_in_the_users_language_and_write_nothing() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let theirs = app.budget_line(&other, "1000000.00").await;
    let past = (app.state.now() - chrono::Duration::days(1)).to_rfc3339();
    let id = draft(&app, &fo, line, json!({"bid_deadline": past})).await;
    let to = format!("/tenders/{id}");
    let (publish, cancel) = (format!("{to}/publish"), format!("{to}/cancel"));
    // What the API answers to the same requests (nothing written either).
    let body = app.tender_body(theirs, "1.00");
    let api = app.post("/api/v1/tenders", &fo.token, body).await;
    let not_theirs = code_of(&api.expect(422).body);
    let api = app.act(&format!("/api/v1{publish}"), &fo.token).await;
    let deadline_passed = code_of(&api.expect(422).body);
    let blank = json!({"reason": " "});
    let api = app
        .post(&format!("/api/v1{cancel}"), &fo.token, blank)
        .await;
    let no_reason = code_of(&api.expect(422).body);
    let mut b = browser(&app, &fo).await;
    for locale in [Locale::ZhCn, Locale::En] {
        let lang = [("locale", locale.as_str()), ("next", "/")];
        b.submit("/", "/profile/language", &lang).await.expect(303);
        let (new, create) = ("/tenders/new", "/tenders");
        let typed = fields(line, &[("ceiling_amount", "twelve"), ("title", "")]);
        let money = message(locale, "money.not_a_number");
        let kept = [
            "aria-describedby=\"f-ceiling_amount-error\"",
            "value=\"twelve\"",
        ];
        refused(
            &mut b,
            (new, create),
            &pairs(&typed),
            422,
            &[&money, kept[0], kept[1]],
        )
        .await;
        // Another purchaser's budget line, as the API refuses it.
        let theirs = fields(theirs, &[]);
        let shown = [
            message(locale, &not_theirs),
            "id=\"f-budget_line_id-error\"".into(),
        ];
        refused(
            &mut b,
            (new, create),
            &pairs(&theirs),
            422,
            &[&shown[0], &shown[1]],
        )
        .await;
        // The API's refusal of an action, on the tender's page.
        let late = message(locale, &deadline_passed);
        refused(
            &mut b,
            (&to, &publish),
            &[],
            422,
            &[&late, "role=\"alert\""],
        )
        .await;
        let blank = [("reason", " ")];
        let why = message(locale, &no_reason);
        let at = "id=\"f-cancel-reason-error\"";
        refused(&mut b, (&to, &cancel), &blank, 422, &[&why, at]).await;
    }
    assert!(
        b.get("/tenders/new")
            .await
            .text
            .contains("Ceiling amount (yuan)")
    );
    // No token: 403, nothing written.
    b.post_raw(&cancel, &[("reason", "预算调整")])
        .await
        .expect(403);
    b.post_raw("/tenders", &pairs(&fields(line, &[])))
        .await
        .expect(403);
    // A field the form does not have (a status) changes nothing.
    let mut f = fields(line, &[("title", "改名")]);
    f.push(("status", "published".into()));
    let a = b.submit(&to, &to, &pairs(&f)).await;
    assert!(a.status.is_client_error(), "{}", a.status);
    let t = tender(&app, &fo, id).await;
    let seen = (t["status"].as_str(), t["title"].as_str());
    assert_eq!(seen, (Some("draft"), Some("留守儿童关爱服务项目")));
    assert_eq!(app.count("tender").await, 1);
}

#[tokio::test]
async fn other_roles_and_purchasers_are_refused_as_the_api_refuses_them() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let id = draft(&app, &fo, line, json!({})).await;
    let to = format!("/tenders/{id}");
    let sup = app.user(Role::Supervisor).await;
    let mut s = browser(&app, &sup).await;
    s.get("/tenders/new").await.expect(403);
    s.submit("/", "/tenders", &pairs(&fields(line, &[])))
        .await
        .expect(403);
    s.submit("/", &format!("{to}/publish"), &[])
        .await
        .expect(403);
    s.submit("/", &format!("{to}/cancel"), &[("reason", "x")])
        .await
        .expect(403);
    let read = s.get(&to).await.expect(200);
    assert!(!read.text.contains("/publish\"") && !read.text.contains("/cancel\""));
    let org = app.user(Role::Organisation).await;
    let mut o = browser(&app, &org).await;
    o.submit("/", &format!("{to}/cancel"), &[("reason", "x")])
        .await
        .expect(403);
    o.submit("/", &to, &pairs(&fields(line, &[])))
        .await
        .expect(403);
    let other = app.user(Role::FinanceOfficer).await;
    let mut p = browser(&app, &other).await;
    p.get(&to).await.expect(404);
    p.get(&format!("{to}/edit")).await.expect(404);
    p.submit("/", &format!("{to}/cancel"), &[("reason", "x")])
        .await
        .expect(404);
    p.submit("/", &format!("{to}/publish"), &[])
        .await
        .expect(404);
    assert!(!p.get("/tenders").await.expect(200).text.contains(&to));
    let t = tender(&app, &fo, id).await;
    assert_eq!(
        (t["status"].as_str(), t["published_at"].is_null()),
        (Some("draft"), true)
    );
}

#[tokio::test]
async fn bids_are_sealed_until_the_deadline_then_scored_and_one_awarded() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let id = app.published_tender(&fo, line, "50000.00").await;
    let to = format!("/tenders/{id}");
    let (a, c) = (
        app.user(Role::Organisation).await,
        app.user(Role::Organisation).await,
    );
    let bid_a = app.bid(&a, id, "45000.00").await;
    let bid_c = app.bid(&c, id, "48000.00").await;
    let mut b = browser(&app, &fo).await;
    let sealed = b.get(&to).await.expect(200).text;
    assert!(sealed.contains("响应报价密封"));
    let hidden = [
        "¥45,000.00",
        "社工服务中心",
        "服务方案",
        "/bids/",
        "/close\"",
    ];
    assert!(hidden.iter().all(|h| !sealed.contains(h)), "{sealed}");
    b.submit(&to, &format!("/bids/{bid_a}/score"), &[("score", "80")])
        .await
        .expect(404);

    app.clock.advance(chrono::Duration::days(11));
    let open = b.get(&to).await.expect(200);
    shows_all(
        &open.text,
        &[
            "¥45,000.00",
            "¥48,000.00",
            "社工服务中心",
            "服务方案",
            "/close\"",
            "已过响应截止时间",
        ],
    );
    assert!(
        open.text
            .contains(&format!("action=\"/bids/{bid_c}/score\""))
    );
    assert!(
        !open.text.contains("/award\""),
        "published: not yet to award"
    );
    let score_a = format!("/bids/{bid_a}/score");
    let at = format!("id=\"f-score-{bid_a}-error\"");
    let invalid = message(Locale::ZhCn, "score.invalid");
    refused(
        &mut b,
        (&to, &score_a),
        &[("score", "101")],
        422,
        &[&at, &invalid],
    )
    .await;
    let scored = b
        .submit(&to, &format!("/bids/{bid_a}/score"), &[("score", "86.5")])
        .await
        .expect(303);
    assert_eq!(location(&scored), to);
    let bids = app
        .get(&format!("/api/v1{to}/bids"), &fo.token)
        .await
        .expect(200)
        .body;
    let score_of = |bid: Uuid| {
        bids["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == bid.to_string())
            .unwrap()["score"]
            .clone()
    };
    assert_eq!(
        (score_of(bid_a), score_of(bid_c)),
        (json!(86.5), Value::Null)
    );
    assert!(b.get(&to).await.text.contains("value=\"86.5\""));

    b.submit(&to, &format!("{to}/close"), &[]).await.expect(303);
    assert_eq!(tender(&app, &fo, id).await["status"], "closed");
    let closed = b.get(&to).await.expect(200);
    assert!(closed.text.contains("/award\"") && closed.text.contains("/unsuccessful\""));
    let none = b.submit(&to, &format!("{to}/award"), &[]).await.expect(422);
    assert!(none.text.contains("id=\"f-bid_id-error\""), "{}", none.text);
    // A bid of another tender: refused as the API refuses it.
    let (_, others) = app
        .closed_tender(&fo, line, "1000.00", &["900.00", "800.00"])
        .await;
    let stranger = others[0].1.to_string();
    b.submit(&to, &format!("{to}/award"), &[("bid_id", &stranger)])
        .await
        .expect(422);
    assert_eq!(tender(&app, &fo, id).await["status"], "closed");

    let awarded = b
        .submit(
            &to,
            &format!("{to}/award"),
            &[("bid_id", &bid_c.to_string())],
        )
        .await
        .expect(303);
    let contract = location(&awarded);
    let contract_id = contract
        .strip_prefix("/contracts/")
        .expect("the contract's page");
    let c = app
        .get(&format!("/api/v1/contracts/{contract_id}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        (c["bid_id"].as_str(), c["status"].as_str()),
        (Some(bid_c.to_string().as_str()), Some("draft"))
    );
    let t = tender(&app, &fo, id).await;
    assert_eq!(
        (t["status"].as_str(), t["awarded_bid_id"].as_str()),
        (Some("awarded"), Some(bid_c.to_string().as_str()))
    );
}

#[tokio::test]
async fn the_list_filters_pages_and_shows_what_is_past_its_deadline_to_award() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "10000000.00").await;
    let (closed, _) = app.closed_tender(&fo, line, "1000.00", &["900.00"]).await;
    let passed = app.published_tender(&fo, line, "1000.00").await;
    app.clock.advance(chrono::Duration::days(11));
    let open = draft(&app, &fo, line, json!({"service_start": "2026-06-01"})).await;
    app.act(&format!("/api/v1/tenders/{open}/publish"), &fo.token)
        .await
        .expect(200);
    let elderly = draft(&app, &fo, line, json!({"service_category": "elderly"})).await;
    let mut b = browser(&app, &fo).await;
    assert!(
        b.get("/")
            .await
            .text
            .contains("href=\"/tenders?view=to-award\"")
    );
    let shows = |text: &str, ids: &[Uuid]| {
        [closed, passed, open, elderly]
            .iter()
            .all(|t| text.contains(&format!("href=\"/tenders/{t}\"")) == ids.contains(t))
    };
    let to_award = b.get("/tenders?view=to-award").await.expect(200);
    assert!(
        shows(&to_award.text, &[closed, passed]),
        "{}",
        to_award.text
    );
    assert!(
        to_award
            .text
            .contains("name=\"view\" value=\"to-award\" checked")
    );
    let q = "/tenders?status=&service_category=elderly&division_code=&deadline_from=&deadline_to=";
    assert!(shows(&b.get(q).await.expect(200).text, &[elderly]));
    assert!(shows(
        &b.get("/tenders?status=published").await.expect(200).text,
        &[passed, open]
    ));
    let stale = b.get("/tenders?cursor=garbage").await.expect(422).text;
    assert!(stale.contains("class=\"notice error\""), "{stale}");
    let bad = b.get("/tenders?status=open").await.expect(422);
    assert!(bad.text.contains("id=\"f-status-error\""), "{}", bad.text);

    for _ in 0..50 {
        draft(&app, &fo, line, json!({})).await;
    }
    let first = b.get("/tenders?status=draft").await.expect(200);
    assert_eq!(first.text.matches("<a href=\"/tenders/").count(), 50);
    let next = first
        .text
        .split("rel=\"next\"")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        next.starts_with("/tenders?status=draft&#38;cursor="),
        "{next}"
    );
    let next = next.replace("&#38;", "&");
    let second = b.get(&next).await.expect(200);
    assert_eq!(second.text.matches("<a href=\"/tenders/").count(), 1);
    assert!(!second.text.contains("rel=\"next\""));
}
