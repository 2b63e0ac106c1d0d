//! More on scheduled jobs and notifications (SPEC §5): whom each job notifies, when, and how
//! often; the event notifications; the messages (locale, escaping, Message-ID); digests;
//! leases; idempotency across slots and workers; the in-app view, job runs and metrics.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, SubsecRound, TimeZone, Utc};
use entity::model::{notification, user};
use entity::rules::vocab::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use tests::smtp::{Received, SmtpServer};
use tests::{Login, TestApp};
use uuid::Uuid;

// --- Fixtures -------------------------------------------------------------------------------

/// Sets the clock to 09:00 in Beijing (01:00 UTC) on `date`.
fn at(app: &TestApp, date: &str) {
    let d: NaiveDate = date.parse().expect("a date");
    app.clock
        .set(Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).expect("time")));
}

/// The e-mail address of a logged-in user.
async fn email(app: &TestApp, who: &Login) -> String {
    app.get("/api/v1/me", &who.token).await.expect(200).body["email"]
        .as_str()
        .expect("email")
        .to_string()
}

/// An organisation with a contact address of its own and one staff member.
struct Org {
    id: Uuid,
    name: String,
    contact: String,
    staff: Login,
    staff_email: String,
}

async fn org(app: &TestApp, admin: &Login) -> Org {
    let staff = app.user(Role::Organisation).await;
    let id = staff.organisation_id.expect("organisation");
    let contact = format!("office-{}@ngo.example", &id.simple().to_string()[..12]);
    let o = app
        .patch(
            &format!("/api/v1/organisations/{id}"),
            &admin.token,
            json!({"contact_email": contact}),
        )
        .await
        .expect(200);
    let staff_email = email(app, &staff).await;
    Org {
        id,
        name: o.body["name"].as_str().expect("name").to_string(),
        contact,
        staff,
        staff_email,
    }
}

/// A second staff member of an organisation.
async fn colleague(app: &TestApp, org: &Org) -> (Login, String) {
    let l = app.user_in(Role::Organisation, None, Some(org.id)).await;
    let e = email(app, &l).await;
    (l, e)
}

/// An active direct-award contract of 50 000.00 on a fresh budget line of the officer,
/// titled `title`, for `start..=end`, with a milestone of 10 000.00 per `(title, due)`.
struct Deal {
    contract: Uuid,
    milestones: Vec<Uuid>,
}

async fn deal(
    app: &TestApp,
    fo: &Login,
    org: &Org,
    title: &str,
    (start, end): (&str, &str),
    milestones: &[(&str, &str)],
) -> Deal {
    let line = app.budget_line(fo, "100000.00").await;
    let contract = draft(app, fo, org, line, title, (start, end), "50000.00").await;
    let mut ms = Vec::new();
    for (t, due) in milestones {
        ms.push(
            app.post(
                &format!("/api/v1/contracts/{contract}/milestones"),
                &fo.token,
                json!({"title": t, "due_date": due, "amount": "10000.00"}),
            )
            .await
            .expect(201)
            .id(),
        );
    }
    app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
        .await
        .expect(200);
    Deal {
        contract,
        milestones: ms,
    }
}

async fn draft(
    app: &TestApp,
    fo: &Login,
    org: &Org,
    line: Uuid,
    title: &str,
    (start, end): (&str, &str),
    value: &str,
) -> Uuid {
    let mut body = app.direct_award_body(fo, org.id, line, value);
    body["title"] = json!(title);
    body["start_date"] = json!(start);
    body["end_date"] = json!(end);
    app.post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(201)
        .id()
}

const YEAR: (&str, &str) = ("2026-03-01", "2026-12-31");

/// Every notification row, oldest first.
async fn rows(app: &TestApp) -> Vec<notification::Model> {
    notification::Entity::find()
        .order_by_asc(notification::Column::Id)
        .all(&app.state.db)
        .await
        .expect("outbox")
}

/// The rows of one kind.
async fn of_kind(app: &TestApp, kind: &str) -> Vec<notification::Model> {
    rows(app)
        .await
        .into_iter()
        .filter(|n| n.kind == kind)
        .collect()
}

/// The recipients of the rows of one kind.
async fn to(app: &TestApp, kind: &str) -> BTreeSet<String> {
    of_kind(app, kind)
        .await
        .into_iter()
        .map(|n| n.recipient_email)
        .collect()
}

fn set<S: AsRef<str>>(items: &[S]) -> BTreeSet<String> {
    items.iter().map(|s| s.as_ref().to_string()).collect()
}

/// Runs `job` and answers `(examined, notified)`.
async fn run(app: &TestApp, job: &str) -> (i64, i64) {
    let c = app.run_job(job).await.expect("the slot is free");
    assert_eq!(c.errors, 0, "{job} ran without errors");
    (c.examined, c.notified)
}

async fn report(app: &TestApp, staff: &Login, milestone: Uuid, measurements: Value) {
    app.post(
        &format!("/api/v1/milestones/{milestone}/reports"),
        &staff.token,
        json!({"summary": "按计划完成服务", "measurements": measurements}),
    )
    .await
    .expect(201);
}

async fn deactivate(app: &TestApp, admin: &Login, user: &Login) {
    app.patch(
        &format!("/api/v1/users/{}", user.user_id),
        &admin.token,
        json!({"active": false}),
    )
    .await
    .expect(200);
}

// --- milestone_reminders ---------------------------------------------------------------------

#[tokio::test]
async fn a_milestone_due_tomorrow_reminds_the_organisation_but_not_the_officer() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "城区困境儿童关爱服务",
        YEAR,
        &[("第二次入户走访", "2026-03-03"), ("年中评估", "2026-06-30")],
    )
    .await;

    assert_eq!(run(&app, "milestone_reminders").await, (1, 2));
    assert_eq!(
        to(&app, "milestone_due").await,
        set(&[&o.contact, &o.staff_email])
    );
    let m = d.milestones[0];
    let keys: BTreeSet<String> = rows(&app).await.into_iter().map(|n| n.dedupe_key).collect();
    assert_eq!(
        keys,
        set(&[
            format!("milestone_due:{m}:{}:due1@2026-03-03", o.contact),
            format!("milestone_due:{m}:{}:due1@2026-03-03", o.staff_email),
        ]),
        "kind:entity_id:recipient:step"
    );
    for n in rows(&app).await {
        assert!(
            n.subject.contains("第二次入户走访") && n.subject.contains("2026年3月3日"),
            "{}",
            n.subject
        );
        assert!(
            n.body_text.contains("城区困境儿童关爱服务") && n.body_text.contains("还有 1 天"),
            "{}",
            n.body_text
        );
        assert_eq!(n.status.as_str(), "pending");
    }
    let staff_row = rows(&app)
        .await
        .into_iter()
        .find(|n| n.recipient_email == o.staff_email)
        .unwrap();
    assert_eq!(staff_row.recipient_user_id, Some(o.staff.user_id));
    assert_eq!(staff_row.organisation_id, Some(o.id));
}

#[tokio::test]
async fn due_in_one_day_counts_in_beijing_days_not_utc_days() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "老年人助餐服务",
        YEAR,
        &[("今日到期", "2026-03-03"), ("明日到期", "2026-03-04")],
    )
    .await;
    // 17:00 UTC on 2 March is 01:00 on 3 March in Beijing.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 17, 0, 0).unwrap());
    run(&app, "milestone_reminders").await;
    let due: BTreeSet<String> = of_kind(&app, "milestone_due")
        .await
        .into_iter()
        .map(|n| n.dedupe_key)
        .collect();
    assert!(
        due.iter().all(
            |k| k.starts_with(&format!("milestone_due:{}:", d.milestones[1]))
                && k.contains(":due1@")
        ),
        "only the milestone due on 4 March, in one (Beijing) day: {due:?}"
    );
    assert_eq!(due.len(), 2);
}

#[tokio::test]
async fn an_overdue_milestone_reminds_the_organisation_and_the_officer_once_a_week() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "社区矫正帮扶服务",
        YEAR,
        &[("三月走访", "2026-03-05")],
    )
    .await;
    let m = d.milestones[0];

    at(&app, "2026-03-08");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 3));
    let everyone = set(&[&o.contact, &o.staff_email, &fo_email]);
    assert_eq!(to(&app, "milestone_overdue").await, everyone);
    for n in of_kind(&app, "milestone_overdue").await {
        assert!(n.dedupe_key.contains(":late-w0@"), "{}", n.dedupe_key);
        assert!(n.subject.contains("三月走访") && n.subject.contains("3 天"));
        assert!(n.body_text.contains("社区矫正帮扶服务") && n.body_text.contains("2026年3月5日"));
    }

    // The next day is the same week of lateness: nothing new.
    at(&app, "2026-03-09");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 0));
    at(&app, "2026-03-11");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 0));
    assert_eq!(of_kind(&app, "milestone_overdue").await.len(), 3);

    // A week later: the next weekly reminder (10 days overdue → step 1).
    at(&app, "2026-03-15");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 3));
    let week1: Vec<_> = of_kind(&app, "milestone_overdue")
        .await
        .into_iter()
        .filter(|n| n.dedupe_key.contains(":late-w1@"))
        .collect();
    assert_eq!(
        week1
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        everyone
    );
    assert!(week1.iter().all(|n| n.subject.contains("10 天")
        && n.dedupe_key.starts_with(&format!("milestone_overdue:{m}:"))));
    assert!(
        of_kind(&app, "milestone_escalation").await.is_empty(),
        "no escalation before 30 days"
    );
}

#[tokio::test]
async fn thirty_days_overdue_escalates_to_active_supervisors_once() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let s1 = app.user(Role::Supervisor).await;
    let s2 = app.user(Role::Supervisor).await;
    let gone = app.user(Role::Supervisor).await;
    let gone_email = email(&app, &gone).await;
    deactivate(&app, &admin, &gone).await;
    let o = org(&app, &admin).await;
    deal(
        &app,
        &fo,
        &o,
        "残疾人康复服务",
        YEAR,
        &[("康复训练第一期", "2026-03-05")],
    )
    .await;

    at(&app, "2026-04-03");
    run(&app, "milestone_reminders").await;
    assert!(
        of_kind(&app, "milestone_escalation").await.is_empty(),
        "29 days overdue"
    );
    at(&app, "2026-04-04");
    run(&app, "milestone_reminders").await;
    let esc = of_kind(&app, "milestone_escalation").await;
    assert_eq!(
        esc.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[email(&app, &s1).await, email(&app, &s2).await]),
        "active supervisors only"
    );
    assert!(
        !to(&app, "milestone_escalation").await.contains(&o.contact),
        "the escalation is for supervisors"
    );
    for n in &esc {
        assert!(n.subject.contains("康复训练第一期"), "{}", n.subject);
        assert!(
            n.body_text.contains("残疾人康复服务")
                && n.body_text.contains(&o.name)
                && n.body_text.contains("30 天"),
            "{}",
            n.body_text
        );
    }
    // Later runs remind weekly but escalate only once.
    at(&app, "2026-04-11");
    run(&app, "milestone_reminders").await;
    at(&app, "2026-04-18");
    run(&app, "milestone_reminders").await;
    assert_eq!(of_kind(&app, "milestone_escalation").await.len(), 2);
    assert!(
        rows(&app)
            .await
            .iter()
            .all(|n| n.recipient_email != gone_email)
    );
}

#[tokio::test]
async fn an_overdue_submitted_milestone_reminds_the_officer_only_and_a_rejected_one_both() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "妇女儿童维权服务",
        YEAR,
        &[("一季度报告", "2026-03-05")],
    )
    .await;
    let m = d.milestones[0];
    report(&app, &o.staff, m, json!([])).await;

    at(&app, "2026-03-08");
    run(&app, "milestone_reminders").await;
    assert_eq!(
        to(&app, "milestone_overdue").await,
        set(&[&fo_email]),
        "waiting for the officer's review: only the officer"
    );

    app.post(
        &format!("/api/v1/milestones/{m}/reject"),
        &fo.token,
        json!({"comment": "缺少服务对象签字"}),
    )
    .await
    .expect(200);
    at(&app, "2026-03-15");
    run(&app, "milestone_reminders").await;
    let week1: BTreeSet<String> = of_kind(&app, "milestone_overdue")
        .await
        .into_iter()
        .filter(|n| n.dedupe_key.contains(":late-w1@"))
        .map(|n| n.recipient_email)
        .collect();
    assert_eq!(week1, set(&[&o.contact, &o.staff_email, &fo_email]));
}

#[tokio::test]
async fn milestones_of_a_terminated_contract_remind_nobody() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "农村互助养老服务",
        YEAR,
        &[("明日到期", "2026-03-03"), ("下周到期", "2026-03-09")],
    )
    .await;
    app.post(
        &format!("/api/v1/contracts/{}/terminate", d.contract),
        &fo.token,
        json!({"reason": "机构无法继续履约"}),
    )
    .await
    .expect(200);
    for day in ["2026-03-02", "2026-03-12", "2026-04-20"] {
        at(&app, day);
        assert_eq!(run(&app, "milestone_reminders").await, (0, 0), "{day}");
    }
    assert!(rows(&app).await.is_empty());
    let mine = app
        .get("/api/v1/notifications", &sup.token)
        .await
        .expect(200);
    assert!(mine.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_rescheduled_milestone_is_reminded_again_the_day_before_its_new_due_date() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "社区营造服务",
        YEAR,
        &[("居民议事会", "2026-03-03")],
    )
    .await;
    let m = d.milestones[0];
    assert_eq!(run(&app, "milestone_reminders").await.1, 2, "due tomorrow");
    // The officer grants more time.
    app.patch(
        &format!("/api/v1/milestones/{m}"),
        &fo.token,
        json!({"due_date": "2026-03-20"}),
    )
    .await
    .expect(200);
    at(&app, "2026-03-13");
    assert_eq!(run(&app, "milestone_reminders").await.1, 2, "due in 7 days");
    at(&app, "2026-03-19");
    let due_tomorrow: Vec<_> = of_kind(&app, "milestone_due")
        .await
        .into_iter()
        .filter(|n| n.subject.contains("2026年3月20日") && n.body_text.contains("还有 1 天"))
        .collect();
    assert!(due_tomorrow.is_empty());
    assert_eq!(
        run(&app, "milestone_reminders").await.1,
        2,
        "the organisation is reminded the day before the new due date"
    );
}

#[tokio::test]
async fn the_link_in_a_message_leads_to_what_it_is_about() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "链接合同",
        YEAR,
        &[("链接里程碑", "2026-03-03")],
    )
    .await;
    run(&app, "milestone_reminders").await;
    report(&app, &o.staff, d.milestones[0], json!([])).await;
    let base = app.state.jobs.public_url.clone();
    for n in rows(&app).await {
        let token = if n.recipient_user_id == Some(fo.user_id) {
            &fo.token
        } else if n.recipient_user_id == Some(o.staff.user_id) {
            &o.staff.token
        } else {
            continue;
        };
        let link = n
            .body_text
            .lines()
            .find_map(|l| l.split_once(": http").map(|(_, r)| format!("http{r}")))
            .unwrap_or_else(|| panic!("a link in {}", n.body_text));
        let path = link
            .strip_prefix(&base)
            .unwrap_or_else(|| panic!("{link} under {base}"));
        // A web page's address, never the API's; the page mirrors the API resource of the
        // same path, which the recipient may read.
        assert!(!path.starts_with("/api/"), "{} links to {link}", n.kind);
        let a = app.get(&format!("/api/v1{path}"), token).await;
        assert_eq!(
            a.status.as_u16(),
            200,
            "{} links to {link}, which answers {}",
            n.kind,
            a.text
        );
    }
}

// --- indicator_check -------------------------------------------------------------------------

async fn indicators(app: &TestApp, fo: &Login, contract: Uuid, list: Value) -> Vec<Uuid> {
    app.post(
        &format!("/api/v1/contracts/{contract}/indicators"),
        &fo.token,
        list,
    )
    .await
    .expect(201)
    .body
    .as_array()
    .expect("indicators")
    .iter()
    .map(|i| i["id"].as_str().unwrap().parse().unwrap())
    .collect()
}

/// A draft contract with indicators and one milestone due on 30 June, then signed.
async fn scored_deal(
    app: &TestApp,
    fo: &Login,
    org: &Org,
    title: &str,
    list: Value,
) -> (Uuid, Uuid, Vec<Uuid>) {
    let line = app.budget_line(fo, "100000.00").await;
    let contract = draft(app, fo, org, line, title, YEAR, "50000.00").await;
    let inds = indicators(app, fo, contract, list).await;
    let m = app
        .post(
            &format!("/api/v1/contracts/{contract}/milestones"),
            &fo.token,
            json!({"title": "上半年服务", "due_date": "2026-06-30", "amount": "20000.00"}),
        )
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
        .await
        .expect(200);
    (contract, m, inds)
}

fn visits_only() -> Value {
    json!([{"code": "visits", "name": "入户走访次数", "unit": "次", "target": 100, "comparator": "at_least", "weight": 100}])
}

#[tokio::test]
async fn a_score_below_the_minimum_warns_the_officer_and_the_organisation_and_a_healthy_contract_nobody()
 {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let weak = org(&app, &admin).await;
    let strong = org(&app, &admin).await;
    let (low, m1, i1) =
        scored_deal(&app, &fo, &weak, "低分合同：儿童之家运营", visits_only()).await;
    let (_, m2, i2) =
        scored_deal(&app, &fo, &strong, "达标合同：儿童之家运营", visits_only()).await;
    report(
        &app,
        &weak.staff,
        m1,
        json!([{"indicator_id": i1[0], "value": 50}]),
    )
    .await;
    report(
        &app,
        &strong.staff,
        m2,
        json!([{"indicator_id": i2[0], "value": 100}]),
    )
    .await;

    let (examined, notified) = run(&app, "indicator_check").await;
    assert_eq!((examined, notified), (2, 3));
    let alerts = of_kind(&app, "indicator_alert").await;
    assert_eq!(
        alerts
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&weak.contact, &weak.staff_email, &fo_email])
    );
    for n in &alerts {
        assert!(
            n.dedupe_key.starts_with(&format!("indicator_alert:{low}:")),
            "{}",
            n.dedupe_key
        );
        assert!(
            n.subject.contains("低分合同：儿童之家运营"),
            "{}",
            n.subject
        );
        assert!(
            n.body_text.contains("50") && n.body_text.contains("60"),
            "the score and the minimum: {}",
            n.body_text
        );
    }
    // Once a week: the next day adds nothing.
    at(&app, "2026-03-03");
    assert_eq!(run(&app, "indicator_check").await.1, 0);
}

#[tokio::test]
async fn an_indicator_without_a_measurement_for_90_days_is_named_in_a_warning() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let (contract, m, inds) = scored_deal(
        &app,
        &fo,
        &o,
        "社区治理能力提升",
        json!([
            {"code": "visits", "name": "入户走访次数", "unit": "次", "target": 100, "comparator": "at_least", "weight": 50},
            {"code": "complaints", "name": "有效投诉件数", "unit": "件", "target": 2, "comparator": "at_most", "weight": 50},
        ]),
    )
    .await;
    at(&app, "2026-05-25");
    report(
        &app,
        &o.staff,
        m,
        json!([{"indicator_id": inds[0], "value": 100}]),
    )
    .await;

    // 89 days since the start on 1 March: not yet.
    at(&app, "2026-05-29");
    assert_eq!(run(&app, "indicator_check").await, (1, 0));
    // 90 days: the complaints indicator has never been measured.
    at(&app, "2026-05-30");
    assert_eq!(run(&app, "indicator_check").await, (1, 3));
    let alerts = of_kind(&app, "indicator_alert").await;
    assert_eq!(
        alerts
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email, &fo_email])
    );
    for n in &alerts {
        assert!(n.dedupe_key.contains(&contract.to_string()));
        assert!(
            n.body_text.contains("有效投诉件数"),
            "names the indicator: {}",
            n.body_text
        );
        assert!(
            !n.body_text.contains("入户走访次数"),
            "not the one measured five days ago: {}",
            n.body_text
        );
        assert!(
            !n.body_text.contains("低于付款下限"),
            "the score (100) is fine: {}",
            n.body_text
        );
    }
}

#[tokio::test]
async fn a_cumulative_indicator_is_scored_against_its_target_pro_rated_to_today() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let on_track = org(&app, &admin).await;
    let behind = org(&app, &admin).await;
    // 306 contract days (1 March to 31 December): one activity a day.
    let cumulative = || json!([{"code": "activities", "name": "社区活动场次", "unit": "场", "target": 306, "comparator": "at_least", "measure": "cumulative", "weight": 100}]);
    let (_, m1, i1) = scored_deal(&app, &fo, &on_track, "进度正常的合同", cumulative()).await;
    let (late, m2, i2) = scored_deal(&app, &fo, &behind, "进度滞后的合同", cumulative()).await;
    // On 30 May, 91 days in, the target so far is 91: 60 scores 65.9, 50 scores 54.9.
    at(&app, "2026-05-30");
    report(
        &app,
        &on_track.staff,
        m1,
        json!([{"indicator_id": i1[0], "value": 60}]),
    )
    .await;
    report(
        &app,
        &behind.staff,
        m2,
        json!([{"indicator_id": i2[0], "value": 50}]),
    )
    .await;
    assert_eq!(run(&app, "indicator_check").await, (2, 3));
    let alerts = of_kind(&app, "indicator_alert").await;
    assert!(
        alerts.iter().all(|n| n
            .dedupe_key
            .starts_with(&format!("indicator_alert:{late}:"))),
        "only the contract behind its pro-rated target"
    );
    assert!(
        alerts[0].body_text.contains("54.9"),
        "{}",
        alerts[0].body_text
    );
}

// --- post_vacancy_check ----------------------------------------------------------------------

#[tokio::test]
async fn a_post_vacant_more_than_30_days_in_a_row_is_reported_once() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(&app, &fo, &o, "村级社工站运营", YEAR, &[]).await;
    let post_body = |title: &str| {
        json!({
            "title": title,
            "division_code": "410523100201",
            "required_qualification": "none",
            "annual_funding": "60000.00",
            "start_date": "2026-03-01",
            "end_date": "2026-12-31",
        })
    };
    let vacant = app
        .post(
            &format!("/api/v1/contracts/{}/posts", d.contract),
            &fo.token,
            post_body("东村社工岗"),
        )
        .await
        .expect(201)
        .id();
    let filled = app
        .post(
            &format!("/api/v1/contracts/{}/posts", d.contract),
            &fo.token,
            post_body("西村社工岗"),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/posts/{filled}/assignments"),
        &o.staff.token,
        json!({"worker_name": "李红", "qualification": "none", "id_number": "110101199003074477", "from_date": "2026-03-01"}),
    )
    .await
    .expect(201);

    // 1..30 March: 30 days.
    at(&app, "2026-03-30");
    assert_eq!(run(&app, "post_vacancy_check").await.1, 0);
    // 31 days.
    at(&app, "2026-03-31");
    let (examined, notified) = run(&app, "post_vacancy_check").await;
    assert_eq!((examined, notified), (1, 3));
    let rows = of_kind(&app, "post_vacant").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email, &fo_email])
    );
    for n in &rows {
        assert!(n.dedupe_key.starts_with(&format!("post_vacant:{vacant}:")));
        assert!(n.subject.contains("东村社工岗") && n.subject.contains("31"));
        assert!(n.body_text.contains("村级社工站运营") && n.body_text.contains("2026年3月1日"));
    }
    // Once per vacancy.
    at(&app, "2026-04-01");
    assert_eq!(run(&app, "post_vacancy_check").await.1, 0);
    at(&app, "2026-04-20");
    assert_eq!(run(&app, "post_vacancy_check").await.1, 0);
    assert_eq!(of_kind(&app, "post_vacant").await.len(), 3);
}

// --- contract_expiry -------------------------------------------------------------------------

#[tokio::test]
async fn a_contract_ending_within_30_days_with_open_milestones_is_reported_and_a_finished_one_not()
{
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let open = org(&app, &admin).await;
    let done = org(&app, &admin).await;
    let later = org(&app, &admin).await;
    let ending = deal(
        &app,
        &fo,
        &open,
        "春节慰问服务",
        ("2026-03-01", "2026-03-20"),
        &[("慰问完成", "2026-03-15")],
    )
    .await;
    let finished = deal(
        &app,
        &fo,
        &done,
        "元宵活动服务",
        ("2026-03-01", "2026-03-20"),
        &[("活动完成", "2026-03-10")],
    )
    .await;
    report(&app, &done.staff, finished.milestones[0], json!([])).await;
    app.act(
        &format!("/api/v1/milestones/{}/accept", finished.milestones[0]),
        &fo.token,
    )
    .await
    .expect(200);
    // Ends in 31 days (2 April): not yet.
    deal(
        &app,
        &fo,
        &later,
        "清明祭扫服务",
        ("2026-03-01", "2026-04-02"),
        &[("祭扫完成", "2026-04-01")],
    )
    .await;

    let (examined, notified) = run(&app, "contract_expiry").await;
    assert_eq!((examined, notified), (2, 3));
    let rows = of_kind(&app, "contract_expiring").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&open.contact, &open.staff_email, &fo_email])
    );
    for n in &rows {
        assert!(
            n.dedupe_key
                .starts_with(&format!("contract_expiring:{}:", ending.contract))
        );
        assert!(n.subject.contains("春节慰问服务") && n.subject.contains("2026年3月20日"));
        assert!(n.body_text.contains("1 个服务节点"), "{}", n.body_text);
    }
    at(&app, "2026-03-03");
    assert_eq!(
        run(&app, "contract_expiry").await.1,
        3,
        "清明 now ends within 30 days"
    );
    at(&app, "2026-03-04");
    assert_eq!(run(&app, "contract_expiry").await.1, 0, "once per end date");
}

// --- budget_watch ----------------------------------------------------------------------------

#[tokio::test]
async fn a_line_committed_over_90_percent_warns_supervisors_and_its_purchasers_officers() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo2 = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    let elsewhere = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let gone = app.user(Role::Supervisor).await;
    deactivate(&app, &admin, &gone).await;
    let o = org(&app, &admin).await;

    let full = app.budget_line(&fo, "100000.00").await;
    let k = draft(
        &app,
        &fo,
        &o,
        full,
        "满额合同",
        ("2026-04-01", "2026-12-31"),
        "95000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);
    // Reserved by a published tender counts too.
    let reserved = app.budget_line(&fo, "100000.00").await;
    app.published_tender(&fo, reserved, "92000.00").await;
    // Exactly 90 % is not over 90 %; half is fine; another purchaser's line is not theirs.
    let ninety = app.budget_line(&fo, "100000.00").await;
    let k = draft(
        &app,
        &fo,
        &o,
        ninety,
        "九成合同",
        ("2026-04-01", "2026-12-31"),
        "90000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);
    let other = app.budget_line(&elsewhere, "100000.00").await;
    let other_org = org(&app, &admin).await;
    let k = draft(
        &app,
        &elsewhere,
        &other_org,
        other,
        "他县合同",
        ("2026-04-01", "2026-12-31"),
        "50000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &elsewhere.token)
        .await
        .expect(200);

    let (examined, notified) = run(&app, "budget_watch").await;
    assert_eq!(examined, 4);
    assert_eq!(notified, 6, "two lines × (supervisor + two officers)");
    let rows = of_kind(&app, "budget_watch").await;
    let lines: BTreeSet<Uuid> = rows
        .iter()
        .map(|n| n.dedupe_key.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, [full, reserved].into_iter().collect());
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[
            email(&app, &sup).await,
            email(&app, &fo).await,
            email(&app, &fo2).await
        ])
    );
    let about_full: Vec<_> = rows
        .iter()
        .filter(|n| n.dedupe_key.contains(&full.to_string()))
        .collect();
    assert!(
        about_full
            .iter()
            .all(|n| n.body_text.contains("95%") && n.subject.contains("社工服务")),
        "{:?}",
        about_full.iter().map(|n| &n.body_text).collect::<Vec<_>>()
    );
    // Once a week.
    at(&app, "2026-03-03");
    assert_eq!(run(&app, "budget_watch").await.1, 0);
    at(&app, "2026-03-09");
    assert_eq!(run(&app, "budget_watch").await.1, 6, "the next ISO week");
}

#[tokio::test]
async fn a_line_disbursing_too_slowly_late_in_the_year_is_flagged() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let o = org(&app, &admin).await;
    let paying = app.budget_line(&fo, "100000.00").await;
    let k = draft(
        &app,
        &fo,
        &o,
        paying,
        "按进度支付",
        ("2026-04-01", "2026-12-31"),
        "80000.00",
    )
    .await;
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);
    app.pay(
        &fo.token,
        k,
        json!({"amount": "70000.00", "paid_on": "2026-03-02", "voucher_no": "PV-ADV-1"}),
    )
    .await
    .expect(201);
    let idle = app.budget_line(&fo, "100000.00").await;

    // In March (16.7 % of the year elapsed) nothing lags by more than 20 points.
    assert_eq!(run(&app, "budget_watch").await.1, 0);
    // On 1 October, 75.1 % of the year is gone: the idle line lags, the paying one (70 %) not.
    at(&app, "2026-10-01");
    run(&app, "budget_watch").await;
    let rows = of_kind(&app, "budget_watch").await;
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|n| n.dedupe_key.starts_with(&format!("budget_watch:{idle}:"))),
        "{:?}",
        rows.iter().map(|n| &n.dedupe_key).collect::<Vec<_>>()
    );
    // The purchaser's officers: the one who paid and the approver the payment's request
    // needed (SPEC §9).
    let approvers: Vec<String> = user::Entity::find()
        .filter(user::Column::PurchaserId.eq(fo.purchaser_id))
        .filter(user::Column::Approver.eq(true))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(approvers.len(), 1);
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[
            email(&app, &sup).await,
            email(&app, &fo).await,
            approvers[0].clone()
        ])
    );
    assert!(
        rows[0].body_text.contains("75.1%") && rows[0].body_text.contains("已支付 0%"),
        "{}",
        rows[0].body_text
    );
}

#[tokio::test]
async fn the_allowed_disbursement_lag_is_configurable() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 8760;
        c.budget_lag = rust_decimal::Decimal::new(1, 1);
    })
    .await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "100000.00").await;
    // 2 March: 16.7 % of the year is gone, more than 10 points ahead of nothing disbursed.
    assert_eq!(run(&app, "budget_watch").await, (1, 1));
    let n = &of_kind(&app, "budget_watch").await[0];
    assert!(n.dedupe_key.starts_with(&format!("budget_watch:{line}:")));
    assert!(n.body_text.contains("16.7%"), "{}", n.body_text);
}

// --- Event notifications ---------------------------------------------------------------------

#[tokio::test]
async fn reports_decisions_and_payments_notify_the_officer_or_the_organisation() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let bystander = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "社区居家养老服务",
        YEAR,
        &[("第一季度服务", "2026-06-30")],
    )
    .await;
    let m = d.milestones[0];

    report(&app, &o.staff, m, json!([])).await;
    let submitted = of_kind(&app, "report_submitted").await;
    assert_eq!(submitted.len(), 1);
    let n = &submitted[0];
    assert_eq!(n.recipient_email, fo_email);
    assert_eq!(n.recipient_user_id, Some(fo.user_id));
    assert!(
        n.subject.contains("第一季度服务") && n.subject.contains(&o.name),
        "{}",
        n.subject
    );
    assert!(n.body_text.contains("社区居家养老服务"), "{}", n.body_text);
    // The link is the milestone's page, where the report is reviewed.
    assert!(
        n.body_text.contains(&format!("/milestones/{m}\n"))
            || n.body_text.contains(&format!("/milestones/{m} "))
            || n.body_text.ends_with(&format!("/milestones/{m}")),
        "{}",
        n.body_text
    );
    assert!(!n.body_text.contains("/reports"), "{}", n.body_text);
    // A refused report (the milestone awaits review) notifies nobody: the outbox row is in
    // the transaction of the change.
    app.post(
        &format!("/api/v1/milestones/{m}/reports"),
        &o.staff.token,
        json!({"summary": "重复提交", "measurements": []}),
    )
    .await
    .expect(409);
    assert_eq!(of_kind(&app, "report_submitted").await.len(), 1);

    app.post(
        &format!("/api/v1/milestones/{m}/reject"),
        &fo.token,
        json!({"comment": "缺少签到表"}),
    )
    .await
    .expect(200);
    let decided = of_kind(&app, "report_decided").await;
    assert_eq!(
        decided
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email])
    );
    for n in &decided {
        assert!(n.subject.contains("第一季度服务") && n.subject.contains("退回"));
        assert!(n.body_text.contains("缺少签到表") && n.body_text.contains("社区居家养老服务"));
    }

    report(&app, &o.staff, m, json!([])).await;
    assert_eq!(
        of_kind(&app, "report_submitted").await.len(),
        2,
        "a resubmission too"
    );
    app.act(&format!("/api/v1/milestones/{m}/accept"), &fo.token)
        .await
        .expect(200);
    let accepted: Vec<_> = of_kind(&app, "report_decided")
        .await
        .into_iter()
        .filter(|n| n.subject.contains("验收通过"))
        .collect();
    assert_eq!(
        accepted
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email])
    );
    assert!(accepted.iter().all(|n| n.body_text.contains("¥10,000.00")));

    let pay = json!({"milestone_id": m, "amount": "6000.00", "paid_on": "2026-03-02", "voucher_no": "PV-2026-001"});
    app.pay(&fo.token, d.contract, pay.clone())
        .await
        .expect(201);
    // A repeated voucher answers the same payment and notifies nobody again.
    app.pay(&fo.token, d.contract, pay).await.expect(200);
    let paid = of_kind(&app, "payment_recorded").await;
    assert_eq!(
        paid.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email])
    );
    assert_eq!(paid.len(), 2);
    for n in &paid {
        assert!(n.subject.contains("¥6,000.00"));
        assert!(
            n.body_text.contains("社区居家养老服务")
                && n.body_text.contains("PV-2026-001")
                && n.body_text.contains("2026年3月2日"),
            "{}",
            n.body_text
        );
    }
    // Nobody else heard of it: the payment's request (SPEC §9) told the officer of its
    // submission, the approver of its verification, and the officer and the organisation of
    // its approval.
    let approvers: BTreeSet<String> = user::Entity::find()
        .filter(user::Column::Approver.eq(true))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(approvers.len(), 1);
    let requests = of_kind(&app, "payment_request").await;
    assert_eq!(
        requests
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email, &fo_email])
            .union(&approvers)
            .cloned()
            .collect()
    );
    let everyone: BTreeSet<String> = rows(&app)
        .await
        .into_iter()
        .filter(|n| n.kind != "payment_request")
        .map(|n| n.recipient_email)
        .collect();
    assert_eq!(everyone, set(&[&o.contact, &o.staff_email, &fo_email]));
    assert!(!everyone.contains(&bystander.contact));
}

#[tokio::test]
async fn a_published_tender_notifies_every_active_organisation_but_not_a_suspended_one() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let a = org(&app, &admin).await;
    let b = org(&app, &admin).await;
    let c = org(&app, &admin).await;
    let (left, _) = colleague(&app, &a).await;
    deactivate(&app, &admin, &left).await;
    app.patch(
        &format!("/api/v1/organisations/{}", b.id),
        &admin.token,
        json!({"status": "suspended", "status_reason": "年检不合格"}),
    )
    .await
    .expect(200);

    let line = app.budget_line(&fo, "500000.00").await;
    let tender = app.published_tender(&fo, line, "300000.00").await;
    let rows = of_kind(&app, "tender_published").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&a.contact, &a.staff_email, &c.contact, &c.staff_email]),
        "active organisations' contacts and active staff"
    );
    for n in &rows {
        assert!(
            n.dedupe_key
                .starts_with(&format!("tender_published:{tender}:"))
        );
        assert!(n.subject.contains("留守儿童关爱服务项目"), "{}", n.subject);
        assert!(
            n.body_text.contains("¥300,000.00") && n.body_text.contains("某县民政局"),
            "{}",
            n.body_text
        );
        // The deadline, ten days on from 09:00 on 2 March, in Beijing time.
        assert!(
            n.body_text.contains("2026年3月12日 09:00"),
            "{}",
            n.body_text
        );
    }
    // Suspended staff see nothing in the app either.
    let seen = app
        .get("/api/v1/notifications", &b.staff.token)
        .await
        .expect(200);
    assert!(seen.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn changing_a_budget_lines_amount_notifies_the_active_supervisors() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let s1 = app.user(Role::Supervisor).await;
    let s2 = app.user(Role::Supervisor).await;
    let gone = app.user(Role::Supervisor).await;
    deactivate(&app, &admin, &gone).await;
    let line = app.budget_line(&fo, "100000.00").await;
    let code = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body["code"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"amount": "150000.00", "reason": "追加年度预算"}),
    )
    .await
    .expect(200);
    let rows = of_kind(&app, "budget_amount_changed").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[email(&app, &s1).await, email(&app, &s2).await])
    );
    for n in &rows {
        assert!(n.subject.contains(&code), "{}", n.subject);
        assert!(
            n.body_text.contains("¥100,000.00")
                && n.body_text.contains("¥150,000.00")
                && n.body_text.contains("追加年度预算"),
            "{}",
            n.body_text
        );
    }
    // A second change is a second message; a change of the name only is none.
    app.clock.advance(Duration::seconds(1));
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"amount": "120000.00", "reason": "调减"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/budget-lines/{line}"),
        &fo.token,
        json!({"name": "社工服务（调整）"}),
    )
    .await
    .expect(200);
    assert_eq!(of_kind(&app, "budget_amount_changed").await.len(), 4);
}

// --- Messages --------------------------------------------------------------------------------

/// The decoded HTML part of a received message.
fn html_part(m: &Received) -> String {
    part(m, "text/html")
}

fn part(m: &Received, content_type: &str) -> String {
    let data = m.data.replace("\r\n", "\n");
    let idx = data
        .find(&format!("Content-Type: {content_type}"))
        .unwrap_or_else(|| panic!("a {content_type} part in {data}"));
    let (headers, body) = data[idx..].split_once("\n\n").expect("part body");
    let body = body.split("\n--").next().unwrap_or_default();
    if headers.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let b: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .expect("base64"),
        )
        .expect("utf-8")
    } else if headers.contains("Content-Transfer-Encoding: quoted-printable") {
        quoted_printable(body)
    } else {
        body.to_string()
    }
}

fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// A header value with runs of whitespace collapsed (the harness's decoder pads plain words).
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn english_for_a_user_who_chose_it_chinese_by_default_and_the_message_id_of_the_row() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    app.patch(
        &format!("/api/v1/users/{}", o.staff.user_id),
        &admin.token,
        json!({"locale": "en"}),
    )
    .await
    .expect(200);
    deal(
        &app,
        &fo,
        &o,
        "Youth Outreach",
        YEAR,
        &[("Spring visits", "2026-03-03")],
    )
    .await;
    run(&app, "milestone_reminders").await;
    assert_eq!(run(&app, "send_notifications").await.1, 2);
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    let stored = rows(&app).await;
    for m in &mail {
        assert_eq!(m.to.len(), 1);
        let row = stored
            .iter()
            .find(|n| n.recipient_email == m.to[0])
            .expect("a row per message");
        assert_eq!(norm(&m.subject()), norm(&row.subject));
        assert_eq!(
            m.header("Message-ID"),
            row.message_id.clone(),
            "the e-mail carries the stored Message-ID"
        );
        assert_eq!(row.status.as_str(), "sent");
        assert!(row.sent_at.is_some());
        if m.to[0] == o.staff_email {
            assert!(
                norm(&m.subject())
                    .starts_with("[Huimin] Milestone \"Spring visits\" is due on 3 Mar 2026"),
                "{}",
                m.subject()
            );
            assert!(row.body_text.contains("Contract: Youth Outreach"));
            assert!(part(m, "text/plain").contains("Open in Huimin"));
        } else {
            assert_eq!(m.to[0], o.contact);
            assert!(m.subject().starts_with("【惠民】"), "{}", m.subject());
            assert!(row.body_text.contains("合同：Youth Outreach"));
        }
    }
    let ids: BTreeSet<_> = stored.iter().filter_map(|n| n.message_id.clone()).collect();
    assert_eq!(ids.len(), 2, "one Message-ID per row");

    // Event messages follow the recipient's locale too.
    app.patch(
        &format!("/api/v1/users/{}", fo.user_id),
        &admin.token,
        json!({"locale": "en"}),
    )
    .await
    .expect(200);
    let m = rows(&app).await[0]
        .dedupe_key
        .split(':')
        .nth(1)
        .unwrap()
        .to_string();
    report(&app, &o.staff, m.parse().unwrap(), json!([])).await;
    let n = &of_kind(&app, "report_submitted").await[0];
    assert!(
        n.subject.starts_with("[Huimin] ") && n.subject.contains("Spring visits"),
        "{}",
        n.subject
    );
    assert!(
        n.body_text.contains("Contract: Youth Outreach"),
        "{}",
        n.body_text
    );
}

#[tokio::test]
async fn the_html_part_escapes_markup_in_a_contract_title() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    deal(
        &app,
        &fo,
        &o,
        "<script>alert('x')</script>关爱 & \"服务\"",
        YEAR,
        &[("<b>第一期</b>", "2026-03-03")],
    )
    .await;
    run(&app, "milestone_reminders").await;
    run(&app, "send_notifications").await;
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    for m in &mail {
        let html = html_part(m);
        // Escaped as askama escapes the pages: `<` as `&#60;`, `&` as `&#38;`.
        assert!(html.contains("&#60;script&#62;"), "{html}");
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("&#38;"), "{html}");
        assert!(part(m, "text/plain").contains("<script>alert('x')</script>关爱"));
    }
    for n in rows(&app).await {
        assert!(!n.body_html.contains("<script>") && n.body_html.contains("&#60;b&#62;"));
    }
}

// --- Digest ----------------------------------------------------------------------------------

#[tokio::test]
async fn with_the_digest_one_recipients_reminders_of_one_run_arrive_as_one_email() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 8760;
        c.smtp_url = Some(url);
        c.digest = true;
    })
    .await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "托育服务",
        YEAR,
        &[
            ("明日到期", "2026-03-03"),
            ("下周到期", "2026-03-09"),
            ("三期", "2026-03-20"),
        ],
    )
    .await;
    deal(
        &app,
        &fo,
        &o,
        "助残服务",
        YEAR,
        &[("助残走访", "2026-03-09")],
    )
    .await;
    // An event notification is not part of a digest.
    report(&app, &o.staff, d.milestones[2], json!([])).await;

    assert_eq!(run(&app, "milestone_reminders").await, (3, 6));
    let (_, notified) = run(&app, "send_notifications").await;
    assert_eq!(notified, 7, "every row is delivered");
    let mail = smtp.received();
    assert_eq!(
        mail.len(),
        3,
        "one digest each to the contact and the staff member, and the officer's event"
    );
    for who in [&o.contact, &o.staff_email] {
        let mine: Vec<_> = mail.iter().filter(|m| m.to == vec![who.clone()]).collect();
        assert_eq!(mine.len(), 1, "{who}");
        let subject = mine[0].subject();
        assert!(
            subject.contains("今日提醒") && subject.contains('3'),
            "{subject}"
        );
        let text = part(mine[0], "text/plain");
        for t in ["明日到期", "下周到期", "助残走访", "托育服务", "助残服务"] {
            assert!(text.contains(t), "{t} in {text}");
        }
    }
    let event: Vec<_> = mail
        .iter()
        .filter(|m| m.to == vec![fo_email.clone()])
        .collect();
    assert_eq!(event.len(), 1);
    assert!(event[0].subject().contains("三期"));
    assert!(rows(&app).await.iter().all(|n| n.status.as_str() == "sent"));
}

#[tokio::test]
async fn a_digest_larger_than_a_send_batch_is_still_one_email_or_at_least_distinct_message_ids() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 8760;
        c.smtp_url = Some(url);
        c.digest = true;
    })
    .await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let line = app.budget_line(&fo, "100000.00").await;
    let contract = draft(&app, &fo, &o, line, "大型综合服务", YEAR, "50000.00").await;
    for i in 0..150 {
        app.post(
            &format!("/api/v1/contracts/{contract}/milestones"),
            &fo.token,
            json!({"title": format!("站点{i}月报"), "due_date": "2026-03-03", "amount": "10.00"}),
        )
        .await
        .expect(201);
    }
    app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
        .await
        .expect(200);
    assert_eq!(run(&app, "milestone_reminders").await, (150, 300));
    assert_eq!(run(&app, "send_notifications").await.1, 300);
    let mail = smtp.received();
    let ids: Vec<String> = mail.iter().filter_map(|m| m.header("Message-ID")).collect();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        distinct.len(),
        mail.len(),
        "every e-mail has its own Message-ID: {ids:?}"
    );
    assert_eq!(mail.len(), 2, "one digest per recipient and run");
}

// --- Leases ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_batch_held_by_a_dead_worker_is_sent_once_after_its_lease_expires() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    deal(
        &app,
        &fo,
        &o,
        "青少年成长服务",
        YEAR,
        &[("一期", "2026-03-03"), ("二期", "2026-03-09")],
    )
    .await;
    run(&app, "milestone_reminders").await;
    assert_eq!(rows(&app).await.len(), 4);

    // A worker claims them all and dies.
    let claimed = jobs::jobs::send_notifications::claim(&app.state.jobs, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 4);
    assert!(claimed.iter().all(|n| n.lease_until.is_some()));

    app.clock.advance(Duration::seconds(1));
    assert_eq!(run(&app, "send_notifications").await, (0, 0));
    app.clock.advance(Duration::seconds(
        jobs::jobs::send_notifications::LEASE_SECS - 5,
    ));
    assert_eq!(
        run(&app, "send_notifications").await,
        (0, 0),
        "still leased"
    );
    assert!(smtp.received().is_empty());

    app.clock.advance(Duration::seconds(10));
    assert_eq!(run(&app, "send_notifications").await, (4, 4));
    app.clock.advance(Duration::seconds(1));
    assert_eq!(run(&app, "send_notifications").await, (0, 0));
    app.clock.advance(Duration::seconds(
        jobs::jobs::send_notifications::LEASE_SECS * 2,
    ));
    assert_eq!(run(&app, "send_notifications").await, (0, 0));
    let mail = smtp.received();
    assert_eq!(mail.len(), 4, "each exactly once");
    let ids: BTreeSet<_> = mail.iter().filter_map(|m| m.header("Message-ID")).collect();
    assert_eq!(ids.len(), 4);
    let stored = rows(&app).await;
    assert!(
        stored
            .iter()
            .all(|n| n.status.as_str() == "sent" && n.lease_until.is_none())
    );
    assert!(stored.iter().all(|n| n.attempts == 2), "claimed twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_senders_at_once_deliver_each_message_once() {
    // Mail goes to `.eml` files here: the test SMTP server serves only 8 connections at a
    // time, fewer than the sender's pool of 16.
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let mut orgs = Vec::new();
    for _ in 0..4 {
        orgs.push(org(&app, &admin).await);
    }
    for (i, o) in orgs.iter().enumerate() {
        let ms: Vec<(String, &str)> = (0..5)
            .map(|j| (format!("里程碑{i}-{j}"), "2026-03-03"))
            .collect();
        let ms: Vec<(&str, &str)> = ms.iter().map(|(t, d)| (t.as_str(), *d)).collect();
        deal(&app, &fo, o, &format!("合同{i}"), YEAR, &ms).await;
    }
    assert_eq!(run(&app, "milestone_reminders").await.1, 40);
    let mut other = app.state.jobs.clone();
    other.db = sea_orm::Database::connect(app.state.config.database_url())
        .await
        .unwrap();
    app.clock.advance(Duration::seconds(1));
    let slot = app.state.now().trunc_subsecs(0);
    let (a, b) = tokio::join!(
        jobs::runner::run(&app.state.jobs, jobs::JobName::SendNotifications, slot),
        jobs::runner::run(
            &other,
            jobs::JobName::SendNotifications,
            slot + Duration::seconds(1)
        ),
    );
    let (a, b) = (a.unwrap().unwrap(), b.unwrap().unwrap());
    assert_eq!(a.notified + b.notified, 40);
    assert_eq!(a.errors + b.errors, 0);
    let files: Vec<String> = std::fs::read_dir(app.state.config.data_dir.join("outbox"))
        .expect("the outbox folder")
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(files.len(), 40);
    let ids: BTreeSet<_> = files
        .iter()
        .filter_map(|f| f.lines().find_map(|l| l.strip_prefix("Message-ID: ")))
        .collect();
    assert_eq!(ids.len(), 40, "each message once");
    assert!(
        rows(&app)
            .await
            .iter()
            .all(|n| n.status.as_str() == "sent" && n.attempts == 1)
    );
}

// --- Idempotency -----------------------------------------------------------------------------

async fn dedupe_keys(app: &TestApp) -> Vec<String> {
    rows(app).await.into_iter().map(|n| n.dedupe_key).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_slots_and_two_workers_never_queue_a_reminder_twice() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let _sup = app.user(Role::Supervisor).await;
    let mut orgs = Vec::new();
    for _ in 0..3 {
        orgs.push(org(&app, &admin).await);
    }
    for (i, o) in orgs.iter().enumerate() {
        deal(
            &app,
            &fo,
            o,
            &format!("合同{i}"),
            YEAR,
            &[
                ("明日", "2026-03-03"),
                ("下周", "2026-03-09"),
                ("逾期", "2026-03-05"),
            ],
        )
        .await;
    }
    // The same job in two slots, one after the other.
    let first = run(&app, "milestone_reminders").await;
    let expected = dedupe_keys(&app).await;
    assert_eq!(first.1 as usize, expected.len());
    assert_eq!(
        expected.len(),
        3 * 2 * 2,
        "due1 and due7 to contact and staff"
    );
    app.clock.advance(Duration::seconds(1));
    assert_eq!(run(&app, "milestone_reminders").await.1, 0);
    assert_eq!(app.count("notification").await, expected.len() as i64);

    // Two workers, each with its own connection pool, on two slots at once, day after day.
    let mut other = app.state.jobs.clone();
    other.db = sea_orm::Database::connect(app.state.config.database_url())
        .await
        .unwrap();
    let mut total = first.1;
    for day in [
        "2026-03-08",
        "2026-03-09",
        "2026-03-15",
        "2026-04-05",
        "2026-04-06",
    ] {
        at(&app, day);
        let slot = app.state.now().trunc_subsecs(0);
        let (a, b) = tokio::join!(
            jobs::runner::run(&app.state.jobs, jobs::JobName::MilestoneReminders, slot),
            jobs::runner::run(
                &other,
                jobs::JobName::MilestoneReminders,
                slot + Duration::seconds(1)
            ),
        );
        let (a, b) = (a.unwrap().expect("ran"), b.unwrap().expect("ran"));
        assert_eq!((a.errors, b.errors), (0, 0), "{day}");
        total += a.notified + b.notified;
        let keys = dedupe_keys(&app).await;
        let distinct: BTreeSet<_> = keys.iter().cloned().collect();
        assert_eq!(keys.len(), distinct.len(), "{day}: no key twice");
        assert_eq!(
            total as usize,
            keys.len(),
            "{day}: the counts add up to the rows"
        );
    }
    let keys: BTreeSet<String> = dedupe_keys(&app).await.into_iter().collect();
    assert!(keys.iter().any(|k| k.starts_with("milestone_escalation:")));
    assert!(
        keys.iter()
            .all(|k| k.split(':').count() == 4 && !k.contains("合同")),
        "kind:entity_id:recipient:step, never rendered text: {keys:?}"
    );
    assert_eq!(
        app.count("job_run WHERE job = 'milestone_reminders'").await,
        12
    );
}

// --- The scheduler ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_schedulers_run_each_slot_once_in_beijing_time_and_catch_up_once() {
    use jobs::JobName::*;
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    deal(&app, &fo, &o, "丁合同", YEAR, &[("丁里程碑", "2026-03-04")]).await;

    let schedules = jobs::schedule::schedules(|_| None).unwrap();
    let mut other = app.state.jobs.clone();
    other.db = sea_orm::Database::connect(app.state.config.database_url())
        .await
        .unwrap();
    let mut a = jobs::runner::Scheduler::new(app.state.jobs.clone(), schedules.clone())
        .await
        .unwrap();
    let mut b = jobs::runner::Scheduler::new(other, schedules)
        .await
        .unwrap();
    // A new installation does not catch up on the past.
    assert!(a.tick().await.is_empty());

    // 08:00 on 3 March in Beijing is 00:00 UTC.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap());
    let (ra, rb) = tokio::join!(a.tick(), b.tick());
    let slot = |h: u32, d: u32| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
    // 03:30 in Beijing is 19:30 UTC the day before.
    let sweep = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 19, 30, 0).unwrap();
    let expected = [
        (MilestoneReminders, slot(0, 3)),
        (IndicatorCheck, slot(18, 2)),
        (PostVacancyCheck, slot(19, 2)),
        (ContractExpiry, slot(0, 3)),
        (SendNotifications, slot(0, 3)),
        (AuditAnchor, slot(22, 2)),
        (FileSweep, sweep(2)),
    ];
    for (r, who) in [(&ra, "a"), (&rb, "b")] {
        let got: Vec<_> = r.iter().map(|(j, s, _)| (*j, *s)).collect();
        assert_eq!(got, expected, "scheduler {who} saw the same due slots");
    }
    for (i, (job, _)) in expected.iter().enumerate() {
        let ran = [ra[i].2.is_some(), rb[i].2.is_some()];
        assert_eq!(
            ran.iter().filter(|r| **r).count(),
            1,
            "{job:?}: one scheduler ran it, the other skipped it"
        );
    }
    assert_eq!(app.count("job_run").await, expected.len() as i64);
    assert_eq!(
        app.count("job_run WHERE job = 'budget_watch'").await,
        0,
        "budget_watch runs on Mondays"
    );
    assert_eq!(of_kind(&app, "milestone_due").await.len(), 2);

    // Within the same minute nothing is due again.
    app.clock.advance(Duration::seconds(30));
    assert!(a.tick().await.is_empty());
    // After three days down, each daily job runs once, for the latest slot.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 6, 1, 0, 0).unwrap());
    let caught: Vec<_> = a
        .tick()
        .await
        .into_iter()
        .map(|(j, s, c)| (j, s, c.is_some()))
        .collect();
    assert_eq!(
        caught,
        [
            (MilestoneReminders, slot(0, 6), true),
            (IndicatorCheck, slot(18, 5), true),
            (PostVacancyCheck, slot(19, 5), true),
            (ContractExpiry, slot(0, 6), true),
            (SendNotifications, slot(1, 6), true),
            (AuditAnchor, slot(22, 5), true),
            // 08:30 in Beijing is 00:30 UTC.
            (
                PaymentRequestReminders,
                Utc.with_ymd_and_hms(2026, 3, 6, 0, 30, 0).unwrap(),
                true
            ),
            (FileSweep, sweep(5), true),
        ]
    );
    assert_eq!(
        app.count("job_run WHERE job = 'milestone_reminders'").await,
        2
    );
    // b still thinks 3 March was last: it sees the same slots, already taken.
    assert!(b.tick().await.iter().all(|(_, _, c)| c.is_none()));
}

/// The outcome of `job`'s latest run, if any.
async fn last_outcome(app: &TestApp, job: &str) -> Option<String> {
    use entity::model::job_run;
    job_run::Entity::find()
        .filter(job_run::Column::Job.eq(job))
        .order_by_desc(job_run::Column::StartedAt)
        .one(&app.state.db)
        .await
        .unwrap()
        .map(|r| r.outcome)
}

/// Polls `job`'s latest outcome for up to `secs` seconds until it is `want`.
async fn wait_for_outcome(app: &TestApp, job: &str, want: &str, secs: u64) -> bool {
    for _ in 0..secs * 10 {
        if last_outcome(app, job).await.as_deref() == Some(want) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sender_stuck_on_a_silent_smtp_server_does_not_hold_back_the_reminders() {
    // An SMTP server that accepts connections and never answers: the sender waits on it.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", silent.local_addr().unwrap());
    let (hang_up, mut hung_up) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            tokio::select! {
                _ = &mut hung_up => return,
                Ok((socket, _)) = silent.accept() => held.push(socket),
            }
        }
    });
    let app = TestApp::with_smtp(&url).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    deal(&app, &fo, &o, "戊合同", YEAR, &[("戊里程碑", "2026-03-10")]).await;
    // An account made for the organisation: it is told, by a message the sender will carry.
    app.post(
        "/api/v1/users",
        &admin.token,
        json!({"email": "new-staff@ngo.example", "display_name": "新同事", "role": "organisation",
               "organisation_id": o.id, "password": "given-by-admin"}),
    )
    .await
    .expect(201);
    assert!(
        app.count("notification WHERE status = 'pending'").await > 0,
        "messages wait for the sender"
    );

    // 07:59:00 in Beijing on 3 March: the sender's minute has come, the reminders' 08:00 not yet.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 23, 58, 30).unwrap());
    let scheduler = jobs::runner::Scheduler::new(
        app.state.jobs.clone(),
        jobs::schedule::schedules(|_| None).unwrap(),
    )
    .await
    .unwrap();
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 23, 59, 0).unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(scheduler.run_until(async move {
        let _ = stopped.await;
    }));
    assert!(
        wait_for_outcome(&app, "send_notifications", "running", 10).await,
        "the sender claimed its slot and waits on the silent server"
    );
    assert_eq!(last_outcome(&app, "milestone_reminders").await, None);

    // 08:00: the reminders' slot comes while the sender still waits.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap());
    assert!(
        wait_for_outcome(&app, "milestone_reminders", "ok", 10).await,
        "the reminders ran in their slot beside the stuck sender"
    );
    assert_eq!(
        last_outcome(&app, "send_notifications").await.as_deref(),
        Some("running"),
        "the sender was still waiting meanwhile"
    );
    // The organisation's contact address and its two staff members.
    assert_eq!(of_kind(&app, "milestone_due").await.len(), 3);

    // The server hangs up: the sender's run ends, and the scheduler stops when asked.
    let _ = hang_up.send(());
    server.await.unwrap();
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(60), running)
        .await
        .expect("the scheduler stops once its runs end")
        .unwrap();
    assert_eq!(
        last_outcome(&app, "send_notifications").await.as_deref(),
        Some("ok"),
        "the sender's run finished (its messages wait for a retry)"
    );
}

// --- In-app view, job runs, metrics ----------------------------------------------------------

#[tokio::test]
async fn each_user_sees_only_their_own_and_their_organisations_notifications() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo_a = app.user(Role::FinanceOfficer).await;
    let fo_b = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let a = org(&app, &admin).await;
    let b = org(&app, &admin).await;
    deal(
        &app,
        &fo_a,
        &a,
        "甲合同",
        YEAR,
        &[("甲里程碑", "2026-03-05")],
    )
    .await;
    deal(
        &app,
        &fo_b,
        &b,
        "乙合同",
        YEAR,
        &[("乙里程碑", "2026-03-05")],
    )
    .await;
    at(&app, "2026-04-04");
    run(&app, "milestone_reminders").await;

    let seen = |body: &Value| -> BTreeSet<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|n| n["recipient_email"].as_str().unwrap().to_string())
            .collect()
    };
    let staff_a = app
        .get("/api/v1/notifications", &a.staff.token)
        .await
        .expect(200);
    assert_eq!(seen(&staff_a.body), set(&[&a.contact, &a.staff_email]));
    assert!(
        staff_a.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["subject"].as_str().unwrap().contains("甲里程碑"))
    );
    let staff_b = app
        .get("/api/v1/notifications", &b.staff.token)
        .await
        .expect(200);
    assert_eq!(seen(&staff_b.body), set(&[&b.contact, &b.staff_email]));
    let officer = app
        .get("/api/v1/notifications", &fo_a.token)
        .await
        .expect(200);
    assert_eq!(seen(&officer.body), set(&[email(&app, &fo_a).await]));
    assert_eq!(officer.body["items"].as_array().unwrap().len(), 1);
    let supervisor = app
        .get("/api/v1/notifications", &sup.token)
        .await
        .expect(200);
    assert_eq!(seen(&supervisor.body), set(&[email(&app, &sup).await]));
    assert!(
        supervisor.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["kind"] == "milestone_escalation")
    );
    assert_eq!(supervisor.body["items"].as_array().unwrap().len(), 2);
    let admin_view = app
        .get("/api/v1/notifications", &admin.token)
        .await
        .expect(200);
    assert!(admin_view.body["items"].as_array().unwrap().is_empty());
    // Filters and paging.
    let pending = app
        .get(
            "/api/v1/notifications?status=pending&limit=1",
            &a.staff.token,
        )
        .await
        .expect(200);
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1);
    assert!(pending.body["next_cursor"].is_string());
    let none = app
        .get("/api/v1/notifications?status=sent", &a.staff.token)
        .await
        .expect(200);
    assert!(none.body["items"].as_array().unwrap().is_empty());
    app.call(axum::http::Method::GET, "/api/v1/notifications", None, None)
        .await
        .expect(401);
}

#[tokio::test]
async fn job_runs_are_for_admins_and_supervisors_and_metrics_show_jobs_and_the_outbox() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let o = org(&app, &admin).await;
    deal(&app, &fo, &o, "丙合同", YEAR, &[("丙里程碑", "2026-03-03")]).await;
    let counts = app.run_job("milestone_reminders").await.unwrap();
    app.clock.advance(Duration::seconds(1));
    app.run_job("send_notifications").await.unwrap();

    for who in [&admin, &sup] {
        let runs = app
            .get("/api/v1/jobs/runs?job=milestone_reminders", &who.token)
            .await
            .expect(200);
        let items = runs.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["outcome"], "ok");
        assert_eq!(items[0]["examined"], json!(counts.examined));
        assert_eq!(items[0]["notified"], json!(counts.notified));
        assert_eq!(items[0]["errors"], json!(0));
        assert!(items[0]["finished_at"].is_string());
        let all = app.get("/api/v1/jobs/runs", &who.token).await.expect(200);
        assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    }
    let sent = app
        .get("/api/v1/jobs/runs?job=send_notifications", &sup.token)
        .await
        .expect(200);
    assert_eq!(sent.body["items"][0]["notified"], json!(2));
    app.get("/api/v1/jobs/runs", &fo.token).await.expect(403);
    app.get("/api/v1/jobs/runs", &o.staff.token)
        .await
        .expect(403);
    app.call(axum::http::Method::GET, "/api/v1/jobs/runs", None, None)
        .await
        .expect(401);

    let metrics = app.metrics().await.expect(200);
    for name in [
        "job_duration_seconds",
        "job_runs_total",
        "outbox_notifications",
    ] {
        assert!(metrics.text.contains(name), "{name} in {}", metrics.text);
    }
    assert!(
        metrics
            .text
            .lines()
            .any(|l| l.starts_with("outbox_notifications") && l.contains("status=\"sent\"")),
        "{}",
        metrics.text
    );
}
