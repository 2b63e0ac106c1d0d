//! An organisation staffs the posts of its contract on the contract's posts tab, through HTTP:
//! assigning a worker (the ID number never shown back, only its last four characters once
//! saved), refusals beside their fields with nothing written, ending an assignment; another
//! organisation's contract is not found and the officer may not staff.

use entity::rules::vocab::{Locale, Role};
use serde_json::{Value, json};
use tests::web::location;
use tests::{Login, TestApp};
use uuid::Uuid;

use crate::pages_contracts::{Desk, browser, desk};

/// A valid ID number (GB 11643 check character `X`) and one with a wrong check character.
const ID_NUMBER: &str = "11010519491231002X";
const BAD_ID_NUMBER: &str = "110105194912310021";

/// The page's message of an error `code` in Chinese.
fn zh(code: &str) -> String {
    jobs::i18n::text(Locale::ZhCn, &jobs::i18n::error_key(code))
}

/// An active contract of the desk's organisation with one post from 1 April 2026 requiring a
/// social worker; the clock is moved to 15 April, so the post is vacant.
async fn staffed_desk(app: &TestApp) -> (Desk, Uuid, Uuid) {
    let d = desk(app).await;
    let contract = app.active_contract(&d.fo, d.org, d.line, "100000.00").await;
    let post = app
        .post(
            &format!("/api/v1/contracts/{contract}/posts"),
            &d.fo.token,
            json!({"title": "村社工站社工", "division_code": "410523100",
                   "required_qualification": "social_worker", "annual_funding": "60000.00",
                   "start_date": "2026-04-01", "end_date": "2026-12-31"}),
        )
        .await
        .expect(201)
        .id();
    app.clock.advance(chrono::Duration::days(44));
    (d, contract, post)
}

/// 王芳 assigned to `post` from 10 April through the API: the assignment.
async fn serving(app: &TestApp, staff: &Login, post: Uuid) -> Uuid {
    app.post(
        &format!("/api/v1/posts/{post}/assignments"),
        &staff.token,
        json!({"worker_name": "王芳", "qualification": "social_worker",
               "certificate_no": "SW2026002", "id_number": ID_NUMBER,
               "from_date": "2026-04-10"}),
    )
    .await
    .expect(201)
    .id()
}

/// The assignment form's fields with `id_number` and `qualification`.
fn worker<'a>(id_number: &'a str, qualification: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("worker_name", "李梅"),
        ("qualification", qualification),
        ("certificate_no", "SW2026001"),
        ("id_number", id_number),
        ("from_date", "2026-04-15"),
    ]
}

/// The post's assignments as the API shows them.
async fn assignments(app: &TestApp, who: &Login, post: Uuid) -> Vec<Value> {
    app.get(&format!("/api/v1/posts/{post}/assignments"), &who.token)
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn staff_assign_a_worker_whose_id_number_shows_only_its_last_four_characters() {
    let app = TestApp::new().await;
    let (d, contract, post) = staffed_desk(&app).await;
    let mut b = browser(&app, &d.staff).await;
    let pp = format!("/contracts/{contract}/posts");
    let page = b.get(&pp).await.expect(200).text;
    let assign = format!("/posts/{post}/assignments");
    assert!(page.contains(&format!("action=\"{assign}\"")), "{page}");
    assert!(page.contains("安排社工到岗") && page.contains("空岗"));
    assert!(
        !page.contains(&format!("action=\"{pp}\"")),
        "no officer's form"
    );
    let done = b
        .submit(&pp, &assign, &worker(ID_NUMBER, "social_worker"))
        .await;
    assert_eq!(location(&done.expect(303)), pp);
    let page = b.get(&pp).await.expect(200).text;
    assert!(page.contains("社工已到岗") && page.contains("李梅") && page.contains("002X"));
    assert!(
        !page.contains(ID_NUMBER) && !page.contains(&ID_NUMBER[..14]),
        "{page}"
    );
    assert!(
        !page.contains(&format!("action=\"{assign}\"")),
        "filled now"
    );
    let saved = assignments(&app, &d.staff, post).await;
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["id_number_last4"], "002X");
    assert_eq!(saved[0]["from_date"], "2026-04-15");
    let aid = saved[0]["id"].as_str().unwrap();
    assert!(page.contains(&format!("action=\"/posts/{post}/assignments/{aid}/end\"")));
    // The officer reads the worker, never the number either.
    let mut o = browser(&app, &d.fo).await;
    let theirs = o.get(&pp).await.expect(200).text;
    assert!(theirs.contains("002X") && !theirs.contains(ID_NUMBER));
}

#[tokio::test]
async fn a_refused_assignment_shows_its_message_and_never_echoes_the_id_number() {
    let app = TestApp::new().await;
    let (d, contract, post) = staffed_desk(&app).await;
    let mut b = browser(&app, &d.staff).await;
    let pp = format!("/contracts/{contract}/posts");
    let assign = format!("/posts/{post}/assignments");
    let bad = b
        .submit(&pp, &assign, &worker(BAD_ID_NUMBER, "social_worker"))
        .await
        .expect(422)
        .text;
    for shown in [
        zh("id_number.invalid"),
        format!("id=\"f-{post}-id_number-error\""),
        "请重新输入".into(),
        "value=\"李梅\"".into(),
        "value=\"SW2026001\"".into(),
    ] {
        assert!(bad.contains(&shown), "{shown}: {bad}");
    }
    assert!(!bad.contains(BAD_ID_NUMBER) && !bad.contains(&BAD_ID_NUMBER[..14]));
    // A valid number refused for another field is not shown back either.
    let low = b
        .submit(&pp, &assign, &worker(ID_NUMBER, "none"))
        .await
        .expect(422)
        .text;
    assert!(low.contains(&zh("post.qualification_low")), "{low}");
    assert!(low.contains(&format!("id=\"f-{post}-qualification-error\"")));
    assert!(!low.contains(ID_NUMBER) && !low.contains(&ID_NUMBER[..14]));
    let blank = b
        .submit(&pp, &assign, &worker(ID_NUMBER, "social_worker")[..4])
        .await
        .expect(422)
        .text;
    assert!(blank.contains(&format!("id=\"f-{post}-from_date-error\"")));
    // No token: 403.
    let mut forged = worker(ID_NUMBER, "social_worker");
    forged.push(("_csrf", "forged"));
    b.post_raw(&assign, &forged).await.expect(403);
    assert!(assignments(&app, &d.staff, post).await.is_empty());
    assert_eq!(app.count("post_assignment").await, 0);
}

#[tokio::test]
async fn staff_end_an_assignment_and_the_post_is_vacant_again() {
    let app = TestApp::new().await;
    let (d, contract, post) = staffed_desk(&app).await;
    let aid = serving(&app, &d.staff, post).await;
    let mut b = browser(&app, &d.staff).await;
    let pp = format!("/contracts/{contract}/posts");
    let end = format!("/posts/{post}/assignments/{aid}/end");
    let page = b.get(&pp).await.expect(200).text;
    assert!(page.contains(&format!("action=\"{end}\"")) && page.contains("value=\"2026-04-15\""));
    let early = b
        .submit(&pp, &end, &[("to_date", "2026-04-01")])
        .await
        .expect(422)
        .text;
    assert!(
        early.contains(&format!("id=\"f-end-{aid}-to_date-error\"")),
        "{early}"
    );
    assert!(early.contains(&zh("field.outside_period")) && early.contains("value=\"2026-04-01\""));
    assert!(assignments(&app, &d.staff, post).await[0]["to_date"].is_null());
    let done = b.submit(&pp, &end, &[("to_date", "2026-04-15")]).await;
    assert_eq!(location(&done.expect(303)), pp);
    assert!(b.get(&pp).await.text.contains("已登记离岗"));
    assert_eq!(
        assignments(&app, &d.staff, post).await[0]["to_date"],
        "2026-04-15"
    );
    // Ended again: the API's 409, above the form (which is gone: the post is vacant).
    app.clock.advance(chrono::Duration::days(1));
    let page = b.get(&pp).await.expect(200).text;
    assert!(page.contains(&format!("action=\"/posts/{post}/assignments\"")));
    assert!(!page.contains(&format!("action=\"{end}\"")));
    let again = b.submit(&pp, &end, &[("to_date", "2026-04-16")]).await;
    assert!(again.expect(409).text.contains(&zh("assignment.ended")));
}

#[tokio::test]
async fn only_the_contracts_own_organisation_staffs_its_posts() {
    let app = TestApp::new().await;
    let (d, contract, post) = staffed_desk(&app).await;
    let aid = serving(&app, &d.staff, post).await;
    let pp = format!("/contracts/{contract}/posts");
    let assign = format!("/posts/{post}/assignments");
    let end = format!("{assign}/{aid}/end");
    // Another organisation's staff: not found, reading or acting.
    let stranger = app.user(Role::Organisation).await;
    let mut s = browser(&app, &stranger).await;
    s.get(&pp).await.expect(404);
    s.submit("/", &assign, &worker(ID_NUMBER, "social_worker"))
        .await
        .expect(404);
    s.submit("/", &end, &[("to_date", "2026-04-15")])
        .await
        .expect(404);
    // The officer keeps his form to add a post and never sees nor posts the staffing forms.
    let mut o = browser(&app, &d.fo).await;
    let page = o.get(&pp).await.expect(200).text;
    assert!(page.contains(&format!("action=\"{pp}\"")));
    assert!(!page.contains("/assignments"), "{page}");
    o.submit(&pp, &assign, &worker(ID_NUMBER, "social_worker"))
        .await
        .expect(403);
    o.submit(&pp, &end, &[("to_date", "2026-04-15")])
        .await
        .expect(403);
    let saved = assignments(&app, &d.fo, post).await;
    assert_eq!(saved.len(), 1);
    assert!(saved[0]["to_date"].is_null());
    // A contract not yet signed shows no staffing form to its staff.
    let draft = app.draft_contract(&d.fo, d.org, d.line, "1000.00").await;
    let mut b = browser(&app, &d.staff).await;
    let page = b
        .get(&format!("/contracts/{draft}/posts"))
        .await
        .expect(200)
        .text;
    assert!(!page.contains("/assignments\""));
}
