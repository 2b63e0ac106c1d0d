//! `payment_request_reminders` (SPEC §9 and §5): a payment request waiting at one step over 5
//! local days reminds whoever acts next — submitted: the contract's officer; verified: the
//! purchaser's approvers but the verifier, an earlier approver and the milestone's accepter;
//! approved: the officer; returned: the organisation — once a day per step; over 15 days the
//! supervisors too. Two workers on one slot send nothing twice.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, SubsecRound, TimeZone, Utc};
use entity::model::notification;
use entity::rules::vocab::Role;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;
use tests::smtp::SmtpServer;
use tests::{Login, TestApp};
use uuid::Uuid;

/// Sets the clock to 09:00 in Beijing (01:00 UTC) on `date`.
pub(crate) fn at(app: &TestApp, date: &str) {
    let d: NaiveDate = date.parse().expect("a date");
    app.clock
        .set(Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).expect("time")));
}

pub(crate) async fn email(app: &TestApp, who: &Login) -> String {
    app.get("/api/v1/me", &who.token).await.expect(200).body["email"]
        .as_str()
        .expect("email")
        .to_string()
}

/// Who is who around one contract: the responsible officer `fo` (who created it), the
/// approvers `verifier` (verifies), `accepter` (accepted the milestones) and `a`, `b` (plain
/// approvers), the organisation's staff member and its contact address, and a supervisor.
pub(crate) struct World {
    pub(crate) fo: Login,
    pub(crate) verifier: Login,
    pub(crate) accepter: Login,
    pub(crate) a: Login,
    pub(crate) b: Login,
    pub(crate) staff: Login,
    pub(crate) contact: String,
    pub(crate) organisation: String,
    pub(crate) supervisor: Login,
    pub(crate) contract: Uuid,
    pub(crate) milestones: Vec<Uuid>,
}

/// An active contract with `n` milestones of 10 000.00, each reported and accepted by the
/// `accepter`, on 2 March 2026.
pub(crate) async fn world(app: &TestApp, n: usize) -> World {
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let p = fo.purchaser_id.expect("purchaser");
    let verifier = app.approver(p).await;
    let accepter = app.approver(p).await;
    let a = app.approver(p).await;
    let b = app.approver(p).await;
    let supervisor = app.user(Role::Supervisor).await;
    let staff = app.user(Role::Organisation).await;
    let org = staff.organisation_id.expect("organisation");
    let contact = format!("office-{}@ngo.example", &org.simple().to_string()[..12]);
    let o = app
        .patch(
            &format!("/api/v1/organisations/{org}"),
            &admin.token,
            json!({"contact_email": contact}),
        )
        .await
        .expect(200);
    let mut deal = app
        .world()
        .officer(&fo)
        .staff(&staff)
        .line_amount("200000.00")
        .value("100000.00")
        .period("2026-03-01", "2026-12-31")
        .title("社区困境儿童关爱服务");
    for i in 0..n {
        deal = deal.milestone_titled(&format!("第{}期服务", i + 1), "2026-06-30", "10000.00");
    }
    let deal = deal.await;
    let (contract, milestones) = (deal.contract, deal.milestones);
    for m in &milestones {
        app.post(
            &format!("/api/v1/milestones/{m}/reports"),
            &staff.token,
            json!({"summary": "按计划完成服务", "measurements": []}),
        )
        .await
        .expect(201);
        app.act(&format!("/api/v1/milestones/{m}/accept"), &accepter.token)
            .await
            .expect(200);
    }
    World {
        fo,
        verifier,
        accepter,
        a,
        b,
        staff,
        contact,
        organisation: o.body["name"].as_str().expect("name").to_string(),
        supervisor,
        contract,
        milestones,
    }
}

impl World {
    /// The organisation asks for `amount` on milestone `i`.
    pub(crate) async fn request(&self, app: &TestApp, i: usize, amount: &str) -> Uuid {
        app.post(
            &format!("/api/v1/contracts/{}/payment-requests", self.contract),
            &self.staff.token,
            json!({"milestone_id": self.milestones[i], "amount": amount,
                   "invoice_no": format!("FP-{i}"), "invoice_date": "2026-03-02"}),
        )
        .await
        .expect(201)
        .id()
    }
}

pub(crate) async fn step(app: &TestApp, who: &Login, request: Uuid, what: &str) {
    app.act(
        &format!("/api/v1/payment-requests/{request}/{what}"),
        &who.token,
    )
    .await
    .expect(200);
}

/// The notifications of one kind, oldest first.
async fn of_kind(app: &TestApp, kind: &str) -> Vec<notification::Model> {
    let kind = entity::rules::vocab::NotificationKind::parse(kind).expect("a notification kind");
    notification::Entity::find()
        .order_by_asc(notification::Column::Id)
        .all(&app.state.db)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|n| n.kind == kind)
        .collect()
}

/// `(request id, recipient)` of the rows of one kind queued by the latest run.
async fn sent(app: &TestApp, kind: &str) -> BTreeSet<(String, String)> {
    let rows = of_kind(app, kind).await;
    let last = rows.iter().filter_map(|n| n.job_run_id).max();
    rows.into_iter()
        .filter(|n| n.job_run_id.is_some() && n.job_run_id == last)
        .map(|n| {
            let id = n.dedupe_key.split(':').nth(1).unwrap().to_string();
            (id, n.recipient_email)
        })
        .collect()
}

/// Runs the job (one second after any earlier run: a manual slot is the current second) and
/// answers `(examined, notified)`.
async fn run(app: &TestApp) -> (i64, i64) {
    app.clock.advance(Duration::seconds(1));
    let c = app
        .run_job("payment_request_reminders")
        .await
        .expect("the slot is free");
    assert_eq!(c.errors, 0);
    (c.examined, c.notified)
}

/// Sends what is queued (in a slot of its own).
async fn send(app: &TestApp) {
    app.clock.advance(Duration::seconds(1));
    app.run_job("send_notifications").await;
}

/// How many reminders and escalations are queued.
async fn reminders(app: &TestApp) -> i64 {
    app.count_where(
        "notification",
        "kind IN ('payment_request_waiting', 'payment_request_escalation')",
    )
    .await
}

fn pairs(items: &[(Uuid, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(id, e)| (id.to_string(), (*e).to_string()))
        .collect()
}

#[tokio::test]
async fn a_request_waiting_over_five_days_reminds_whoever_acts_next_once_a_day() {
    let app = TestApp::new().await;
    let w = world(&app, 6).await;
    let fo = email(&app, &w.fo).await;
    let a = email(&app, &w.a).await;
    let b = email(&app, &w.b).await;
    let staff = email(&app, &w.staff).await;
    let submitted = w.request(&app, 0, "1000.00").await;
    let verified = w.request(&app, 1, "2000.00").await;
    step(&app, &w.verifier, verified, "verify").await;
    let approved = w.request(&app, 2, "3000.00").await;
    step(&app, &w.verifier, approved, "verify").await;
    step(&app, &w.a, approved, "approve").await;
    let returned = w.request(&app, 3, "4000.00").await;
    app.post(
        &format!("/api/v1/payment-requests/{returned}/return"),
        &w.fo.token,
        json!({"comment": "发票抬头有误"}),
    )
    .await
    .expect(200);
    // A withdrawn request and a paid one wait for nobody.
    let withdrawn = w.request(&app, 4, "500.00").await;
    step(&app, &w.staff, withdrawn, "withdraw").await;
    let paid = w.request(&app, 5, "600.00").await;
    step(&app, &w.verifier, paid, "verify").await;
    step(&app, &w.a, paid, "approve").await;
    app.post(
        &format!("/api/v1/contracts/{}/payments", w.contract),
        &w.fo.token,
        json!({"payment_request_id": paid, "paid_on": "2026-03-02", "voucher_no": "PV-1"}),
    )
    .await
    .expect(201);

    // The same day, and 5 days on: nothing is due.
    assert_eq!(run(&app).await, (0, 0));
    at(&app, "2026-03-07");
    assert_eq!(run(&app).await, (0, 0));
    assert!(of_kind(&app, "payment_request_waiting").await.is_empty());

    // Over 5 days: each to whoever acts next.
    at(&app, "2026-03-08");
    let (examined, notified) = run(&app).await;
    assert_eq!(examined, 4);
    let expected = pairs(&[
        (submitted, &fo),
        // Neither the verifier nor the accepter approves it: the two other approvers.
        (verified, &a),
        (verified, &b),
        (approved, &fo),
        (returned, &w.contact),
        (returned, &staff),
    ]);
    assert_eq!(sent(&app, "payment_request_waiting").await, expected);
    assert_eq!(notified as usize, expected.len());
    assert!(of_kind(&app, "payment_request_escalation").await.is_empty());
    let rows = of_kind(&app, "payment_request_waiting").await;
    let key = rows
        .iter()
        .find(|n| n.recipient_email == a)
        .unwrap()
        .dedupe_key
        .clone();
    assert!(
        key.starts_with(&format!(
            "payment_request_waiting:{verified}:{a}:verified@2026030"
        )) && key.ends_with("/2026-03-08")
            && key.split(':').count() == 4,
        "kind:entity_id:recipient:step with the status, when it was entered and the day: {key}"
    );
    let to_fo = rows
        .iter()
        .find(|n| n.recipient_email == fo && n.dedupe_key.contains(&submitted.to_string()))
        .unwrap();
    assert!(
        to_fo.subject.contains("¥1,000.00") && to_fo.subject.contains("6 天"),
        "{}",
        to_fo.subject
    );
    assert!(
        to_fo.body_text.contains("社区困境儿童关爱服务")
            && to_fo.body_text.contains(&w.organisation)
            && to_fo
                .body_text
                .contains(&format!("/payment-requests/{submitted}")),
        "{}",
        to_fo.body_text
    );

    // Again the same day: nothing new.
    assert_eq!(run(&app).await, (4, 0));
    // The next day: once more, each.
    at(&app, "2026-03-09");
    assert_eq!(run(&app).await, (4, expected.len() as i64));
    assert_eq!(sent(&app, "payment_request_waiting").await, expected);

    // The organisation corrects the returned request: it waits at a new step, from today.
    app.patch(
        &format!("/api/v1/payment-requests/{returned}"),
        &w.staff.token,
        json!({"invoice_no": "FP-3b"}),
    )
    .await
    .expect(200);
    // The officer verifies the first request: it waits for the approvers, from today.
    step(&app, &w.fo, submitted, "verify").await;
    at(&app, "2026-03-10");
    let (examined, _) = run(&app).await;
    assert_eq!(examined, 2, "the two requests still at their old steps");
    assert_eq!(
        sent(&app, "payment_request_waiting").await,
        pairs(&[(verified, &a), (verified, &b), (approved, &fo)])
    );
    // Six days after they moved, the two are reminded at their new steps.
    at(&app, "2026-03-15");
    run(&app).await;
    let now = sent(&app, "payment_request_waiting").await;
    for p in pairs(&[
        (returned, &fo),
        (submitted, &a),
        (submitted, &b),
        // The officer verified it: the other verifier may approve it, never the accepter.
        (submitted, &email(&app, &w.verifier).await),
    ]) {
        assert!(now.contains(&p), "{p:?} in {now:?}");
    }
    assert!(!now.contains(&(submitted.to_string(), fo.clone())));
    assert!(!now.contains(&(submitted.to_string(), email(&app, &w.accepter).await)));
}

#[tokio::test]
async fn a_second_approval_is_asked_of_the_approvers_who_have_not_had_a_hand_in_it() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.second_approval_above = "500.00".parse().unwrap();
    })
    .await;
    let w = world(&app, 1).await;
    let r = w.request(&app, 0, "1000.00").await;
    step(&app, &w.verifier, r, "verify").await;
    step(&app, &w.a, r, "approve").await;
    let shown = app
        .get(&format!("/api/v1/payment-requests/{r}"), &w.fo.token)
        .await
        .expect(200);
    assert_eq!(
        shown.body["status"], "verified",
        "waits for a second approver"
    );
    at(&app, "2026-03-08");
    run(&app).await;
    assert_eq!(
        sent(&app, "payment_request_waiting").await,
        pairs(&[(r, &email(&app, &w.b).await)]),
        "not the verifier, the accepter or the first approver"
    );
}

#[tokio::test]
async fn over_fifteen_days_the_active_supervisors_are_told_too_by_mail() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let w = world(&app, 1).await;
    let fo = email(&app, &w.fo).await;
    let sup = email(&app, &w.supervisor).await;
    let admin = app.user(Role::Admin).await;
    let away = app.user(Role::Supervisor).await;
    app.patch(
        &format!("/api/v1/users/{}", away.user_id),
        &admin.token,
        json!({"active": false}),
    )
    .await
    .expect(200);
    let r = w.request(&app, 0, "1000.00").await;

    at(&app, "2026-03-17");
    run(&app).await;
    assert!(
        of_kind(&app, "payment_request_escalation").await.is_empty(),
        "15 days is not over 15"
    );
    // What was queued before (the events, yesterday's reminder) goes out first.
    send(&app).await;
    let before = smtp.received().len();
    at(&app, "2026-03-18");
    run(&app).await;
    assert_eq!(
        sent(&app, "payment_request_escalation").await,
        pairs(&[(r, &sup)])
    );
    assert_eq!(
        sent(&app, "payment_request_waiting").await,
        pairs(&[(r, &fo)]),
        "the officer is still reminded"
    );
    send(&app).await;
    let mail = smtp.received()[before..].to_vec();
    let to_sup: Vec<_> = mail.iter().filter(|m| m.to.contains(&sup)).collect();
    assert_eq!(to_sup.len(), 1);
    let m = to_sup[0];
    assert!(
        m.subject().contains("督办")
            && m.subject().contains(&w.organisation)
            && m.subject().contains("16 天"),
        "{}",
        m.subject()
    );
    assert!(m.data.contains("text/html") && m.data.contains("text/plain"));
    assert!(mail.iter().any(|m| m.to.contains(&fo)));
    assert_eq!(mail.len(), 2, "nothing to the supervisor who left");
    // Once a day.
    run(&app).await;
    send(&app).await;
    assert_eq!(smtp.received().len(), before + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_slot_or_two_send_each_reminder_once() {
    let app = TestApp::new().await;
    let w = world(&app, 3).await;
    w.request(&app, 0, "1000.00").await;
    let r = w.request(&app, 1, "1000.00").await;
    step(&app, &w.verifier, r, "verify").await;
    w.request(&app, 2, "1000.00").await;
    at(&app, "2026-03-20");
    let slot = app.state.now().trunc_subsecs(0);
    let ctx = app.state.jobs.clone();
    let (x, y) = tokio::join!(
        jobs::runner::run(&ctx, jobs::JobName::PaymentRequestReminders, slot),
        jobs::runner::run(&ctx, jobs::JobName::PaymentRequestReminders, slot)
    );
    let ran: Vec<_> = [x.unwrap(), y.unwrap()].into_iter().flatten().collect();
    assert_eq!(ran.len(), 1, "one worker runs the slot, the other skips it");
    let first = reminders(&app).await;
    assert_eq!(ran[0].notified, first);
    // officer ×2, approvers a and b, supervisor ×3 (over 15 days).
    assert_eq!(first, 2 + 2 + 3);

    // Two workers with their own pools, on two slots of the same day at once.
    let mut other = app.state.jobs.clone();
    other.db = sea_orm::Database::connect(app.state.config.database_url())
        .await
        .unwrap();
    let (x, y) = tokio::join!(
        jobs::runner::run(
            &app.state.jobs,
            jobs::JobName::PaymentRequestReminders,
            slot + Duration::seconds(1)
        ),
        jobs::runner::run(
            &other,
            jobs::JobName::PaymentRequestReminders,
            slot + Duration::seconds(2)
        ),
    );
    let (x, y) = (x.unwrap().expect("ran"), y.unwrap().expect("ran"));
    assert_eq!((x.errors, y.errors, x.notified + y.notified), (0, 0, 0));
    assert_eq!(reminders(&app).await, first);
    assert_eq!(
        app.count("job_run WHERE job = 'payment_request_reminders'")
            .await,
        3
    );
}
