//! The audit trail and jobs pages through HTTP (supervisors and admins, as the API's
//! `ReadAudit` and `ReadJobRuns`): whom they answer, the trail's filters and pages against
//! the API's list, refused filters, an event's before and after, "verify the chain" with its
//! result and the head to write down, sealed bids left out, and the jobs' runs and outbox.

use entity::model::audit_event;
use entity::rules::vocab::{Locale, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tests::browser::{items, zh};
use tests::web::Browser;
use tests::{Login, TestApp};

/// A catalogue text with its `$count`, in Chinese.
fn zh_n(key: &str, n: i64) -> String {
    jobs::i18n::text_with(Locale::ZhCn, key, &[("count", n.to_string())])
}

/// The message of an error code, in Chinese.
fn zh_error(code: &str) -> String {
    zh(&jobs::i18n::error_key(code))
}

/// The events a trail page lists, by `seq`, in its order.
fn seqs(html: &str) -> Vec<i64> {
    let mut out: Vec<i64> = html
        .split("href=\"/audit/events/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect();
    // Each row links its event twice (its number, its changes).
    out.dedup();
    out
}

/// An address as a page writes it in an attribute, as the browser reads it.
fn unescape(href: &str) -> String {
    href.replace("&#38;", "&").replace("&amp;", "&")
}

/// The address of a page's "next" link.
fn next_link(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\"")?;
    let before = &html[..at];
    let href = before.rfind("href=\"")? + "href=\"".len();
    Some(unescape(before[href..].split('"').next()?))
}

/// Every event the API lists for `query`, in chain order.
async fn api_seqs(app: &TestApp, who: &Login, query: &str) -> Vec<i64> {
    let sep = if query.is_empty() { "" } else { "&" };
    let list = app
        .get(&format!("/api/v1/audit?limit=500{sep}{query}"), &who.token)
        .await
        .expect(200)
        .body;
    items(&list)
        .iter()
        .map(|e| e["seq"].as_i64().expect("a seq"))
        .collect()
}

/// Every page of the trail from `path`, following its "next" links.
async fn page_seqs(b: &mut Browser<'_>, path: &str) -> (Vec<i64>, usize) {
    let (mut all, mut pages, mut at) = (Vec::new(), 0, Some(path.to_string()));
    while let Some(p) = at {
        let page = b.get(&p).await.expect(200);
        let s = seqs(&page.text);
        assert!(s.len() <= 50, "{p}: {} events on a page", s.len());
        all.extend(s);
        pages += 1;
        at = next_link(&page.text);
        assert!(pages < 20, "{p} leads to {at:?} again and again");
    }
    (all, pages)
}

async fn email_of(app: &TestApp, who: &Login) -> String {
    app.get("/api/v1/me", &who.token).await.expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_audit_and_jobs_pages_answer_supervisors_and_admins_and_refuse_the_others_as_the_api() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.user(Role::Organisation).await;
    app.run_job("audit_anchor").await;
    for (who, allowed) in [(&sup, true), (&admin, true), (&fo, false), (&org, false)] {
        let mut b = Browser::signed_in(&app, who);
        for (page, api) in [
            ("/audit", "/api/v1/audit"),
            ("/audit/verify", "/api/v1/audit/verify"),
            ("/audit/events/1", "/api/v1/audit?limit=1"),
            ("/jobs", "/api/v1/jobs/runs"),
        ] {
            let a = b.get(page).await;
            let expected = app.get(api, &who.token).await.status;
            assert_eq!(a.status, expected, "{page}: {}", a.text);
            assert_eq!(a.status.as_u16(), if allowed { 200 } else { 403 }, "{page}");
            assert!(a.text.contains("<html"), "{page}: a page, not JSON");
        }
    }
    // The supervisor's menu leads to both pages.
    let home = Browser::signed_in(&app, &sup).get("/").await.expect(200);
    assert!(home.text.contains("href=\"/audit\""), "{}", home.text);
    assert!(home.text.contains("href=\"/jobs\""), "{}", home.text);
}

#[tokio::test]
async fn the_trail_filters_by_record_actor_action_and_time_and_pages_as_the_api_lists() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let sup = app.user(Role::Supervisor).await;
    let mut first = None;
    for i in 0..55 {
        let p = app
            .post(
                "/api/v1/purchasers",
                &admin.token,
                json!({"name": format!("第{i}民政局"), "division_code": "410523", "contact_email": "mzj@example.gov.cn"}),
            )
            .await
            .expect(201)
            .id();
        first.get_or_insert(p);
    }
    let mut b = Browser::signed_in(&app, &sup);

    // By kind and action: 55 events on two pages, newest first, exactly the API's.
    let api = api_seqs(&app, &sup, "entity_type=purchaser&action=create").await;
    assert_eq!(api.len(), 55);
    let (shown, pages) = page_seqs(&mut b, "/audit?entity_type=purchaser&action=create").await;
    assert_eq!(pages, 2);
    assert_eq!(shown, api.iter().rev().copied().collect::<Vec<_>>());

    // The whole trail: the API's events, newest first, whatever the number of pages.
    let all = api_seqs(&app, &sup, "").await;
    let (shown, _) = page_seqs(&mut b, "/audit").await;
    assert_eq!(shown, all.iter().rev().copied().collect::<Vec<_>>());

    // By record: its one event.
    let one = first.unwrap();
    let page = b
        .get(&format!("/audit?entity_type=purchaser&entity_id={one}"))
        .await
        .expect(200);
    let api = api_seqs(&app, &sup, &format!("entity_id={one}")).await;
    assert_eq!(seqs(&page.text), api);
    assert_eq!(api.len(), 1);

    // By actor, by e-mail address or by id: the admin's acts.
    let by_id = api_seqs(&app, &sup, &format!("actor={}", admin.user_id)).await;
    let email = email_of(&app, &admin).await;
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("actor", &email)
        .finish();
    let (shown, _) = page_seqs(&mut b, &format!("/audit?{q}")).await;
    assert_eq!(shown, by_id.iter().rev().copied().collect::<Vec<_>>());
    let (shown, _) = page_seqs(&mut b, &format!("/audit?actor={}", admin.user_id)).await;
    assert_eq!(shown.len(), 55);

    // By local date: everything happened on 2 March 2026 (Beijing time).
    let (day, _) = page_seqs(&mut b, "/audit?from=2026-03-02&to=2026-03-02").await;
    assert_eq!(day.len(), all.len());
    let later = b.get("/audit?from=2026-03-03").await.expect(200);
    assert!(seqs(&later.text).is_empty());
    assert!(later.text.contains(&zh("audit-none")), "{}", later.text);
    let earlier = b.get("/audit?to=2026-03-01").await.expect(200);
    assert!(seqs(&earlier.text).is_empty());
}

#[tokio::test]
async fn a_filter_that_does_not_read_is_shown_beside_its_field_and_lists_nothing() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    let mut b = Browser::signed_in(&app, &sup);
    for (query, field, code) in [
        ("entity_id=not-an-id", "entity_id", "field.invalid"),
        ("actor=nobody%40example.org", "actor", "reference.unknown"),
        ("from=2026-13-01", "from", "field.date"),
        ("entity_type=spaceship", "entity_type", "field.choice"),
        ("cursor=zzz", "cursor", "cursor.invalid"),
    ] {
        let a = b.get(&format!("/audit?{query}")).await.expect(422);
        assert!(a.text.contains(&zh_error(code)), "{query}: {}", a.text);
        if field != "cursor" {
            assert!(
                a.text
                    .contains(&format!("aria-describedby=\"f-{field}-error\"")),
                "{query}: the message is tied to its field"
            );
        }
        assert!(seqs(&a.text).is_empty(), "{query}");
    }
    // The API refuses the same filters.
    app.get("/api/v1/audit?entity_id=not-an-id", &sup.token)
        .await
        .expect(422);
}

#[tokio::test]
async fn an_events_page_sets_its_before_and_after_side_by_side() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let sup = app.user(Role::Supervisor).await;
    let org = app.organisation().await;
    app.patch(
        &format!("/api/v1/organisations/{org}"),
        &admin.token,
        json!({"status": "suspended", "status_reason": "年检不合格"}),
    )
    .await
    .expect(200);
    let seq = api_seqs(&app, &sup, &format!("entity_id={org}&action=change_status")).await[0];
    let mut b = Browser::signed_in(&app, &sup);
    let page = b.get(&format!("/audit/events/{seq}")).await.expect(200);
    let row = page
        .text
        .split("<tr")
        .find(|r| r.contains("class=\"stacked\">status <"))
        .unwrap_or_else(|| panic!("a row of the status: {}", page.text));
    assert!(row.starts_with(" class=\"changed\""), "{row}");
    let (before, after) = (
        row.find(">active<").unwrap(),
        row.find(">suspended<").unwrap(),
    );
    assert!(before < after, "before, then after: {row}");
    let name = page
        .text
        .split("<tr")
        .find(|r| r.contains("class=\"stacked\">name</th>"))
        .unwrap();
    assert!(
        !name.starts_with(" class=\"changed\""),
        "the name did not change"
    );
    assert!(page.text.contains("年检不合格"));
    // Its hashes, and the trail of its record.
    let api = app
        .get(&format!("/api/v1/audit?entity_id={org}"), &sup.token)
        .await
        .body;
    let event = items(&api).into_iter().find(|e| e["seq"] == seq).unwrap();
    assert!(page.text.contains(event["hash"].as_str().unwrap()));
    assert!(page.text.contains(event["prev_hash"].as_str().unwrap()));
    assert!(
        unescape(&page.text).contains(&format!("/audit?entity_type=organisation&entity_id={org}"))
    );
    // An event the chain does not hold.
    b.get("/audit/events/999999").await.expect(404);
    b.get("/audit/events/first").await.expect(404);
}

#[tokio::test]
async fn verifying_the_chain_shows_its_result_and_the_head_to_write_down() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let sup = app.user(Role::Supervisor).await;
    let p = app
        .post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": "县民政局", "division_code": "410523", "contact_email": "mzj@example.gov.cn"}),
        )
        .await
        .expect(201)
        .id();
    let mut b = Browser::signed_in(&app, &sup);

    // The trail shows the head and the button; verifying shows the API's result.
    let trail = b.get("/audit").await.expect(200);
    assert!(trail.text.contains("action=\"/audit/verify\""));
    let head = app
        .get("/api/v1/audit/head", &sup.token)
        .await
        .expect(200)
        .body;
    let (seq, hash) = (
        head["seq"].as_i64().unwrap(),
        head["hash"].as_str().unwrap(),
    );
    assert!(trail.text.contains(hash), "{}", trail.text);
    assert!(trail.text.contains(&format!("{seq}:{hash}")), "the anchor");
    let api: Value = app
        .get("/api/v1/audit/verify", &sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(api["intact"], true);
    let checked = api["checked"].as_i64().unwrap();
    let verified = b.get("/audit/verify").await.expect(200);
    assert!(
        verified
            .text
            .contains(&zh_n("audit-verify-intact", checked)),
        "{}",
        verified.text
    );
    assert!(verified.text.contains("verify-ok"));
    assert!(verified.text.contains(&format!("{seq}:{hash}")));

    // An event rewritten behind the system's back: the page names it, as the API does.
    let at = api_seqs(&app, &sup, &format!("entity_id={p}")).await[0];
    app.tamper(&format!(
        "UPDATE audit_event SET after_json = REPLACE(after_json, '县民政局', '乡民政局') WHERE seq = {at}"
    ))
    .await;
    let api = app.get("/api/v1/audit/verify", &sup.token).await.body;
    assert_eq!(api["intact"], false);
    assert_eq!(api["first_bad_seq"], at);
    let broken = b.get("/audit/verify").await.expect(200);
    assert!(
        broken.text.contains(&zh_n("audit-verify-broken", at)),
        "{}",
        broken.text
    );
    assert!(broken.text.contains("verify-broken"));
    assert!(!broken.text.contains(&zh_n("audit-verify-intact", checked)));
}

#[tokio::test]
async fn a_sealed_bids_events_stay_off_the_trail_until_the_deadline() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.user(Role::Organisation).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let tender = app.published_tender(&fo, line, "100000.00").await;
    let bid = app.bid(&org, tender, "88000.00").await;
    app.seal().await;
    let seq = audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(bid))
        .one(&app.state.db)
        .await
        .unwrap()
        .and_then(|e| e.seq)
        .expect("the bid's sealed event");
    let mut b = Browser::signed_in(&app, &sup);
    b.get(&format!("/audit/events/{seq}")).await.expect(404);
    let trail = b.get("/audit?entity_type=bid").await.expect(200);
    assert!(seqs(&trail.text).is_empty());
    assert!(!trail.text.contains("88000"));
    let (all, _) = page_seqs(&mut b, "/audit").await;
    assert!(!all.contains(&seq));

    app.clock.advance(chrono::Duration::days(11));
    let page = b.get(&format!("/audit/events/{seq}")).await.expect(200);
    assert!(page.text.contains("88000"), "{}", page.text);
    let trail = b.get("/audit?entity_type=bid").await.expect(200);
    assert_eq!(seqs(&trail.text), vec![seq]);
}

#[tokio::test]
async fn the_jobs_page_lists_runs_newest_first_with_their_counts_and_the_outbox_depth() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    app.contract_with_milestone("2026-03-03").await;
    app.run_job("milestone_reminders").await;
    app.clock.advance(chrono::Duration::minutes(1));
    app.run_job("audit_anchor").await;
    let pending = app.count_where("notification", "status = 'pending'").await;
    assert!(pending > 1);
    app.kill_oldest_notification("550 mailbox unavailable")
        .await;

    let mut b = Browser::signed_in(&app, &sup);
    let page = b.get("/jobs").await.expect(200);
    let cell = |key: &str| format!(">{}</td>", zh(key));
    let reminders = page
        .text
        .find(&cell("jobs-name-milestone-reminders"))
        .unwrap();
    let anchor = page.text.find(&cell("jobs-name-audit-anchor")).unwrap();
    assert!(anchor < reminders, "newest first");
    assert!(page.text.contains(&zh("jobs-outcome-ok")));
    let runs = app.get("/api/v1/jobs/runs", &sup.token).await.body;
    let notified = items(&runs)
        .iter()
        .find(|r| r["job"] == "milestone_reminders")
        .unwrap()["notified"]
        .as_i64()
        .unwrap();
    assert!(
        page.text
            .contains(&format!("class=\"num\">{notified}</td>"))
    );
    // The outbox: waiting and dead; only an admin is led to the dead ones.
    // Waiting, and of those due now: all of them (queued before the clock moved on).
    let waiting = format!("<dd>{}</dd>", pending - 1);
    assert_eq!(page.text.matches(&waiting).count(), 2, "{}", page.text);
    assert!(page.text.contains("<dd>1</dd>"));
    assert!(!page.text.contains("href=\"/outbox\""));
    let page = Browser::signed_in(&app, &admin)
        .get("/jobs")
        .await
        .expect(200);
    assert!(
        page.text.contains("<a href=\"/outbox\">1</a>"),
        "{}",
        page.text
    );

    // One job's runs, and a job that does not exist.
    let only = b.get("/jobs?job=audit_anchor").await.expect(200);
    assert!(!only.text.contains(&cell("jobs-name-milestone-reminders")));
    assert!(only.text.contains(&cell("jobs-name-audit-anchor")));
    let bad = b.get("/jobs?job=make_coffee").await.expect(422);
    assert!(bad.text.contains(&zh_error("field.choice")));
}
