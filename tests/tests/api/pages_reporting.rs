//! The organisation's report page (`/milestones/{id}/report`) through HTTP, as a phone's
//! browser uses it: the form with each indicator's unit and target; only the milestone's own
//! organisation (another's → 404, other roles → 403); a report with a photo stored and the
//! milestone's page next; refusals beside their field with nothing kept (no report, no file);
//! CSRF; a file too large or of a wrong type; a repeated idempotency key; a rejected report
//! answered; the links to the page; the demo data.

use backend::demo::DEMO_PASSWORD;
use entity::model::{attachment, measurement, milestone, milestone_report};
use entity::rules::vocab::{MilestoneStatus, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tests::web::{Browser, Part, csrf_of, location, value_of};
use tests::{Answer, TestApp, files_under};
use uuid::Uuid;

use crate::pages_reviews::{World, browser, world};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn report_path(w: &World) -> String {
    format!("/milestones/{}/report", w.milestone)
}

/// The form's fields (after its token): a key, a summary, the two measurements.
fn fields(w: &World, key: &str, summary: &str, visits: &str, complaints: &str) -> Vec<Part> {
    vec![
        Part::text("idempotency_key", key),
        Part::text("summary", summary),
        Part::text(&format!("m-{}", w.indicator("visits")), visits),
        Part::text(&format!("m-{}", w.indicator("complaints")), complaints),
    ]
}

/// The form posted from its page (token and key as the page rendered them), with `files`.
async fn post(
    w: &World,
    b: &mut Browser<'_>,
    summary: &str,
    visits: &str,
    files: &[Part],
) -> Answer {
    let page = b.get(&report_path(w)).await.expect(200);
    let token = csrf_of(&page.text).expect("a token");
    // A page without the form (the milestone takes no report) has no key.
    let key = value_of(&page.text, "idempotency_key").unwrap_or_else(|| "k-0".into());
    let mut parts = vec![Part::text("_csrf", &token)];
    parts.extend(fields(w, &key, summary, visits, "2"));
    parts.extend_from_slice(files);
    b.post_multipart(&report_path(w), &parts).await
}

fn db(app: &TestApp) -> &sea_orm::DatabaseConnection {
    &app.state.db
}

/// The files in the store (not the temporary ones).
fn stored(app: &TestApp) -> Vec<String> {
    files_under(&app.state.config.files_dir())
        .into_iter()
        .filter(|f| !f.starts_with("tmp"))
        .collect()
}

/// No report, measurement or attachment written, and no file left in the store.
async fn nothing_kept(app: &TestApp) {
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("measurement").await, 0);
    assert_eq!(app.count("attachment").await, 0);
    assert_eq!(
        files_under(&app.state.config.files_dir()),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn the_report_form_shows_each_indicators_unit_and_target_beside_its_field() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.staff);
    let page = b.get(&report_path(&w)).await.expect(200);
    let t = &page.text;
    for expected in [
        "第二季度服务",
        "还有 120 天",
        "入户走访（次）",
        "目标 ≥ 120",
        "投诉（件）",
        "目标 ≤ 4",
        &format!("name=\"m-{}\"", w.indicator("visits")),
        &format!("name=\"m-{}\"", w.indicator("complaints")),
        "name=\"summary\"",
        "<input id=\"f-files\" name=\"files\" type=\"file\" multiple accept=\"image/*,application/pdf\" capture=\"environment\"",
        "enctype=\"multipart/form-data\"",
        "data-types=\"image/jpeg,image/png,image/heic,application/pdf\"",
        "data-max-file=\"20971520\"",
        "“{name}”超过 20 MB",
        "{current}/{total} 上传中",
        "提交服务报告",
    ] {
        assert!(t.contains(expected), "{expected} missing: {t}");
    }
    // The token is the form's first field, then a fresh key at each rendering.
    let form = &t[t.find("id=\"report-form\"").unwrap()..];
    assert!(form.find("name=\"_csrf\"") < form.find("name=\"idempotency_key\""));
    let key = value_of(t, "idempotency_key").unwrap();
    assert!(key.parse::<Uuid>().is_ok(), "{key}");
    let again = b.get(&report_path(&w)).await.expect(200);
    assert_ne!(value_of(&again.text, "idempotency_key").unwrap(), key);
    // Its script is its own, embedded under a hashed name; no inline script.
    let at = t.find("/assets/report.").expect("the report script");
    let src = t[at..].split('"').next().unwrap().to_string();
    let js = b.get(&src).await.expect(200);
    assert!(js.text.contains("XMLHttpRequest"));
    assert!(!t.contains("<script>"));
    // In English too.
    b.submit(
        &report_path(&w),
        "/profile/language",
        &[("locale", "en"), ("next", "/")],
    )
    .await
    .expect(303);
    let en = b.get(&report_path(&w)).await.expect(200);
    assert!(en.text.contains("Target ≥ 120"), "{}", en.text);
    assert!(en.text.contains("Submit report"));
}

#[tokio::test]
async fn only_the_milestones_own_organisation_may_open_or_post_its_report_form() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let other = app.user(Role::Organisation).await;
    let mut b = browser(&app, &other);
    let page = b.get(&report_path(&w)).await.expect(404);
    assert!(page.text.contains("<html"), "an error page: {}", page.text);
    b.get(&format!("/milestones/{}/report", Uuid::now_v7()))
        .await
        .expect(404);
    // Posting with the other organisation's own token changes nothing either.
    let home = b.get("/").await;
    let token = csrf_of(&home.text).unwrap();
    let mut parts = vec![Part::text("_csrf", &token)];
    parts.extend(fields(&w, "k-1", "走访", "96", "2"));
    parts.push(Part::file("visit.png", "image/png", PNG));
    b.post_multipart(&report_path(&w), &parts).await.expect(404);

    for role in [Role::FinanceOfficer, Role::Supervisor, Role::Admin] {
        let who = if role == Role::FinanceOfficer {
            w.fo.clone()
        } else {
            app.user(role).await
        };
        let mut b = browser(&app, &who);
        b.get(&report_path(&w)).await.expect(403);
        let home = b.get("/").await;
        let token = csrf_of(&home.text).unwrap();
        let mut parts = vec![Part::text("_csrf", &token)];
        parts.extend(fields(&w, "k-2", "走访", "96", "2"));
        parts.push(Part::file("visit.png", "image/png", PNG));
        b.post_multipart(&report_path(&w), &parts).await.expect(403);
    }
    nothing_kept(&app).await;
}

#[tokio::test]
async fn a_report_with_a_photo_is_stored_and_the_milestones_page_follows() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.staff);
    let a = post(
        &w,
        &mut b,
        "本季度入户走访 96 次",
        "96",
        &[Part::file("走访照片.png", "image/png", PNG)],
    )
    .await
    .expect(303);
    assert_eq!(location(&a), format!("/milestones/{}", w.milestone));
    let reports = milestone_report::Entity::find()
        .all(db(&app))
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!(
        (r.milestone_id, r.summary.as_str(), r.submitted_by),
        (w.milestone, "本季度入户走访 96 次", w.staff.user_id)
    );
    let mut values: Vec<(String, i64)> = measurement::Entity::find()
        .all(db(&app))
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.indicator_id.to_string(), m.value_e4))
        .collect();
    values.sort();
    let mut expected = vec![
        (w.indicator("visits").to_string(), 960_000),
        (w.indicator("complaints").to_string(), 20_000),
    ];
    expected.sort();
    assert_eq!(values, expected);
    let files = attachment::Entity::find().all(db(&app)).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        (
            files[0].report_id,
            files[0].file_name.as_str(),
            files[0].content_type.as_str(),
            files[0].size
        ),
        (r.id, "走访照片.png", "image/png", PNG.len() as i64)
    );
    let stored = stored(&app);
    assert_eq!(stored.len(), 1, "{stored:?}");

    let page = b.get(&location(&a)).await.expect(200);
    assert!(page.text.contains("服务报告已提交"), "{}", page.text);
    assert!(page.text.contains("走访照片.png"));
    assert!(page.text.contains("已提交报告"));
    // Submitted: the form says why it takes no other report, and no page offers one.
    assert!(!page.text.contains(&report_path(&w)));
    let form = b.get(&report_path(&w)).await.expect(200);
    assert!(form.text.contains("正在等待验收"), "{}", form.text);
    assert!(!form.text.contains("id=\"report-form\""));
    let tab = b
        .get(&format!("/contracts/{}/milestones", w.contract))
        .await
        .expect(200);
    assert!(!tab.text.contains(&report_path(&w)));
}

#[tokio::test]
async fn a_missing_summary_or_a_bad_measurement_is_shown_beside_its_field_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.staff);
    let photo = [Part::file("visit.png", "image/png", PNG)];
    let a = post(&w, &mut b, "  ", "九十六", &photo).await.expect(422);
    assert!(a.text.contains("此项必填"), "{}", a.text);
    assert!(a.text.contains("请填写数字"), "{}", a.text);
    assert!(
        a.text
            .contains(&format!("id=\"f-m-{}-error\"", w.indicator("visits")))
    );
    // What was typed stays in the form.
    assert!(a.text.contains("value=\"九十六\""));
    nothing_kept(&app).await;

    let a = post(&w, &mut b, "走访", "-3", &photo).await.expect(422);
    assert!(a.text.contains("请填写不小于 0 的数值"), "{}", a.text);
    assert!(a.text.contains(
        "<textarea id=\"f-summary\" name=\"summary\" rows=\"3\" required>走访</textarea>"
    ));
    nothing_kept(&app).await;

    // A milestone that took another report meanwhile: the service's refusal, and why.
    milestone::Entity::update_many()
        .col_expr(
            milestone::Column::Status,
            Expr::value(MilestoneStatus::Submitted),
        )
        .filter(milestone::Column::Id.eq(w.milestone))
        .exec(db(&app))
        .await
        .unwrap();
    let a = post(&w, &mut b, "走访", "96", &photo).await.expect(409);
    assert!(
        a.text.contains("该服务节点当前不接收服务报告"),
        "{}",
        a.text
    );
    assert!(a.text.contains("正在等待验收"));
    assert!(!a.text.contains("id=\"report-form\""));
    nothing_kept(&app).await;
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_forbidden_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.staff);
    let photo = Part::file("visit.png", "image/png", PNG);
    let mut wrong = vec![Part::text("_csrf", &"0".repeat(40))];
    wrong.extend(fields(&w, "k-1", "走访", "96", "2"));
    wrong.push(photo.clone());
    let a = b.post_multipart(&report_path(&w), &wrong).await.expect(403);
    assert!(a.text.contains("表单已失效"), "{}", a.text);
    // The token after a file does not count: the token comes first or not at all.
    let page = b.get(&report_path(&w)).await;
    let token = csrf_of(&page.text).unwrap();
    let mut late = vec![photo.clone()];
    late.extend(fields(&w, "k-2", "走访", "96", "2"));
    late.push(Part::text("_csrf", &token));
    b.post_multipart(&report_path(&w), &late).await.expect(403);
    let mut none = fields(&w, "k-3", "走访", "96", "2");
    none.push(photo.clone());
    b.post_multipart(&report_path(&w), &none).await.expect(403);
    // From another site, even with the right token.
    b.origin = Some("http://evil.example".into());
    let mut parts = vec![Part::text("_csrf", &token)];
    parts.extend(fields(&w, "k-4", "走访", "96", "2"));
    parts.push(photo);
    b.post_multipart(&report_path(&w), &parts).await.expect(403);
    nothing_kept(&app).await;
}

#[tokio::test]
async fn a_file_of_a_wrong_type_is_refused_by_name_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.staff);
    let files = [
        Part::file("visit.png", "image/png", PNG),
        Part::file("名单.xlsx", "application/vnd.ms-excel", b"PK\x03\x04"),
    ];
    let a = post(&w, &mut b, "走访", "96", &files).await.expect(415);
    assert!(
        a.text
            .contains("“名单.xlsx”不是照片（JPEG、PNG、HEIC）或 PDF 文件"),
        "{}",
        a.text
    );
    assert!(a.text.contains("id=\"f-files-error\""));
    nothing_kept(&app).await;
    // A file whose bytes are not of the type it claims.
    let fake = [Part::file("scan.jpg", "image/jpeg", PDF)];
    let a = post(&w, &mut b, "走访", "96", &fake).await.expect(415);
    assert!(a.text.contains("“scan.jpg”不是照片"), "{}", a.text);
    nothing_kept(&app).await;
}

#[tokio::test]
async fn files_over_the_limits_are_refused_on_the_files_field() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.staff);
    // A file over 20 MB.
    let mut big = PNG.to_vec();
    big.resize(20 * 1024 * 1024 + 1, 0);
    let files = [Part::file("big.png", "image/png", &big)];
    let a = post(&w, &mut b, "走访", "96", &files).await.expect(413);
    assert!(a.text.contains("“big.png”超过 20 MB"), "{}", a.text);
    nothing_kept(&app).await;
    // A request announced over 25 MB is answered before it is read.
    let page = b.get(&report_path(&w)).await;
    let mut parts = vec![Part::text("_csrf", &csrf_of(&page.text).unwrap())];
    parts.extend(fields(&w, "k-1", "走访", "96", "2"));
    let a = b
        .post_multipart_announcing(&report_path(&w), &parts, Some(26 * 1024 * 1024))
        .await
        .expect(413);
    assert!(a.text.contains("所选文件合计超过 25 MB"), "{}", a.text);
    nothing_kept(&app).await;
}

#[tokio::test]
async fn the_same_idempotency_key_posted_twice_makes_one_report() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let mut b = browser(&app, &w.staff);
    let page = b.get(&report_path(&w)).await.expect(200);
    let token = csrf_of(&page.text).unwrap();
    let key = value_of(&page.text, "idempotency_key").unwrap();
    let post = |file: Part| {
        let mut parts = vec![Part::text("_csrf", &token)];
        parts.extend(fields(&w, &key, "走访 96 次", "96", "2"));
        parts.push(file);
        parts
    };
    let first = b
        .post_multipart(
            &report_path(&w),
            &post(Part::file("a.png", "image/png", PNG)),
        )
        .await
        .expect(303);
    // The answer was lost; the phone sends the form again.
    let second = b
        .post_multipart(
            &report_path(&w),
            &post(Part::file("a.pdf", "application/pdf", PDF)),
        )
        .await
        .expect(303);
    assert_eq!(location(&first), location(&second));
    assert_eq!(app.count("milestone_report").await, 1);
    assert_eq!(app.count("attachment").await, 1);
    let stored = stored(&app);
    assert_eq!(stored.len(), 1, "the repeat's file is not kept: {stored:?}");
}

#[tokio::test]
async fn a_rejected_milestone_shows_the_officers_comment_and_takes_the_resubmission() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    w.report(&app).await;
    w.reject(&app, "走访记录缺少服务对象签字").await;
    let mut b = browser(&app, &w.staff);
    // The milestone's page offers the resubmission.
    let page = b
        .get(&format!("/milestones/{}", w.milestone))
        .await
        .expect(200);
    assert!(page.text.contains(&report_path(&w)), "{}", page.text);
    assert!(page.text.contains("重新提交"));
    let form = b.get(&report_path(&w)).await.expect(200);
    assert!(form.text.contains("退回意见"), "{}", form.text);
    assert!(form.text.contains("走访记录缺少服务对象签字"));
    // The rejected report's values, to correct rather than type again.
    assert!(
        form.text.contains(">本季度入户走访 96 次</textarea>"),
        "{}",
        form.text
    );
    assert!(form.text.contains("value=\"96\""));

    let a = post(
        &w,
        &mut b,
        "补充签字后的走访记录",
        "118",
        &[Part::file("签字.pdf", "application/pdf", PDF)],
    )
    .await
    .expect(303);
    assert_eq!(location(&a), format!("/milestones/{}", w.milestone));
    assert_eq!(app.count("milestone_report").await, 2);
    let m = milestone::Entity::find_by_id(w.milestone)
        .one(db(&app))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status.as_str(), "submitted");
    let form = b.get(&report_path(&w)).await.expect(200);
    assert!(!form.text.contains("退回意见"));
}

#[tokio::test]
async fn the_report_form_is_offered_to_the_organisation_only_while_it_takes_a_report() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let tab = format!("/contracts/{}/milestones", w.contract);
    let mut staff = browser(&app, &w.staff);
    let page = staff
        .get(&format!("/milestones/{}", w.milestone))
        .await
        .expect(200);
    assert!(page.text.contains(&report_path(&w)), "{}", page.text);
    assert!(page.text.contains("提交服务报告"));
    let t = staff.get(&tab).await.expect(200);
    assert!(t.text.contains(&report_path(&w)), "{}", t.text);

    let mut fo = browser(&app, &w.fo);
    let page = fo
        .get(&format!("/milestones/{}", w.milestone))
        .await
        .expect(200);
    assert!(!page.text.contains(&report_path(&w)));
    assert!(
        !fo.get(&tab)
            .await
            .expect(200)
            .text
            .contains(&report_path(&w))
    );

    // A cancelled milestone takes none: the form says why.
    app.post(
        &format!("/api/v1/milestones/{}/cancel", w.milestone),
        &w.fo.token,
        json!({"reason": "服务内容调整"}),
    )
    .await
    .expect(200);
    assert!(
        !staff
            .get(&tab)
            .await
            .expect(200)
            .text
            .contains(&report_path(&w))
    );
    let form = staff.get(&report_path(&w)).await.expect(200);
    assert!(form.text.contains("该服务节点已取消"), "{}", form.text);
    assert!(!form.text.contains("id=\"report-form\""));
}

#[tokio::test]
async fn the_demo_organisation_reports_a_milestone_with_a_photo() {
    let app = TestApp::new().await;
    backend::demo::load(&app.state).await.expect("demo data");
    app.seal().await;
    let token = app.login("org1@huimin.demo", DEMO_PASSWORD).await;
    let contracts = app
        .get("/api/v1/contracts?limit=100", &token)
        .await
        .expect(200)
        .body;
    let mut planned = None;
    for k in contracts["items"].as_array().unwrap() {
        let id = k["id"].as_str().unwrap();
        let ms = app
            .get(&format!("/api/v1/contracts/{id}/milestones"), &token)
            .await
            .expect(200)
            .body;
        let list = ms["items"].as_array().or(ms.as_array()).cloned().unwrap();
        if let Some(m) = list
            .iter()
            .find(|m| m["status"] == "planned" && k["status"] == "active")
        {
            planned = Some(m["id"].as_str().unwrap().to_string());
            break;
        }
    }
    let m = planned.expect("a planned milestone of an active contract");
    let mut b = Browser::new(&app);
    b.sign_in("org1@huimin.demo", DEMO_PASSWORD).await;
    let page = b.get(&format!("/milestones/{m}")).await.expect(200);
    let form = format!("/milestones/{m}/report");
    assert!(page.text.contains(&form), "{}", page.text);
    let page = b.get(&form).await.expect(200);
    let key = value_of(&page.text, "idempotency_key").unwrap();
    let mut parts = vec![
        Part::text("idempotency_key", &key),
        Part::text("summary", "本期入户走访记录见照片"),
    ];
    // Every indicator's field as the page names it, with a value.
    let mut rest = page.text.as_str();
    while let Some(at) = rest.find("name=\"m-") {
        let name = rest[at + 6..].split('"').next().unwrap().to_string();
        parts.push(Part::text(&name, "10"));
        rest = &rest[at + 6..];
    }
    assert!(parts.len() > 2, "the demo contract has indicators");
    parts.push(Part::file("photo.png", "image/png", PNG));
    let a = b.submit_multipart(&form, &form, &parts).await.expect(303);
    assert_eq!(location(&a), format!("/milestones/{m}"));
    let shown = b.get(&location(&a)).await.expect(200);
    assert!(shown.text.contains("服务报告已提交"));
}
