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
use tests::{Login, TestApp, World};
use uuid::Uuid;

mod budget_watch;
mod contract_checks;
mod event_notifications;
mod in_app_and_runs;
mod leases_and_idempotency;
mod messages;
mod milestone_reminders;
mod scheduler;

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

/// An active direct-award contract of 50 000.00 on a fresh budget line of 100 000.00 of the
/// officer, titled `title`, for `start..=end`, with a milestone of 10 000.00 per `(title, due)`.
async fn deal(
    app: &TestApp,
    fo: &Login,
    org: &Org,
    title: &str,
    (start, end): (&str, &str),
    milestones: &[(&str, &str)],
) -> World {
    let mut world = app
        .world()
        .officer(fo)
        .staff(&org.staff)
        .line_amount("100000.00")
        .title(title)
        .period(start, end);
    for (t, due) in milestones {
        world = world.milestone_titled(t, due, "10000.00");
    }
    world.await
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
    let kind = entity::rules::vocab::NotificationKind::parse(kind).expect("a notification kind");
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
