//! The header's notifications badge: how many of the user's notifications (theirs, and for an
//! organisation's staff their organisation's copies) were created since they last opened
//! `/notifications`; opening it clears the badge and marks the new ones there. The database
//! counts them as they are queued (a trigger: onto `app_user.notifications_unseen` on SQLite,
//! as additions beside it on PostgreSQL), whoever queues them: a direct insert, a service, or a
//! job's set-based insert.

use chrono::Utc;
use entity::model::notification;
use entity::rules::vocab::Role;
use jobs::clock::Clock;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use tests::web::Browser;
use tests::{Login, TestApp};
use uuid::Uuid;

/// A fresh application whose clock reads the real time, as the outbox's UUID v7 ids do (the
/// list marks new what came after the user last looked), and which checks the session on every
/// request: the count comes with the user's row, and a cached session (1 s by default) may
/// show it that much late.
async fn app() -> TestApp {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.session_cache_ms = 0;
    })
    .await;
    app.clock.set(Utc::now());
    app
}

/// A browser signed in as `who`.
fn browser<'a>(app: &'a TestApp, who: &Login) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.set_cookie("huimin_session", &who.token);
    b
}

/// A notification as the outbox queues it, to a user and/or an organisation, created at `now`.
fn row(
    user: Option<Uuid>,
    organisation: Option<Uuid>,
    now: chrono::DateTime<Utc>,
) -> notification::ActiveModel {
    let id = Uuid::now_v7();
    notification::ActiveModel {
        id: Set(id),
        recipient_user_id: Set(user),
        recipient_email: Set("someone@example.org".into()),
        organisation_id: Set(organisation),
        kind: Set(entity::rules::vocab::NotificationKind::ReportDecided),
        subject: Set(format!("subject {id}")),
        body_text: Set("body".into()),
        body_html: Set("<p>body</p>".into()),
        dedupe_key: Set(format!("test:{id}")),
        job_run_id: Set(None),
        status: Set(entity::rules::vocab::NotificationStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_error: Set(None),
        message_id: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
        link: Set(Some("/notifications".into())),
    }
}

/// Queues a notification now: the clock is moved to the real time (it only goes forward), as
/// the outbox's ids are.
async fn notify(app: &TestApp, user: Option<Uuid>, organisation: Option<Uuid>) {
    app.clock.set(Utc::now());
    row(user, organisation, app.clock.now())
        .insert(&app.state.db)
        .await
        .expect("notification");
}

/// The badge of a page: its figure and its accessible name, or `None` when there is none.
fn badge(html: &str) -> Option<(String, String)> {
    let at = html.find(r#"<a class="badge""#)?;
    let tag = &html[at..];
    let label = tag
        .split(r#"aria-label=""#)
        .nth(1)?
        .split('"')
        .next()?
        .to_string();
    let figure = tag.split('>').nth(1)?.split('<').next()?.to_string();
    assert!(tag.contains(r#"href="/notifications""#), "{tag}");
    Some((figure, label))
}

async fn badge_of(b: &mut Browser<'_>, path: &str) -> Option<(String, String)> {
    let page = b.get(path).await.expect(200);
    badge(&page.text)
}

/// How many notifications `/notifications` marks new (and opens it, so they are seen).
async fn open_notifications(b: &mut Browser<'_>) -> usize {
    let page = b.get("/notifications").await.expect(200);
    assert_eq!(
        badge(&page.text),
        None,
        "the page of the notifications has no badge"
    );
    page.text.matches(r#"<span class="new">"#).count()
}

#[tokio::test]
async fn the_badge_counts_what_came_since_the_user_last_opened_the_notifications() {
    let app = app().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let mut b = browser(&app, &fo);
    assert_eq!(badge_of(&mut b, "/").await, None, "nothing yet, no badge");

    notify(&app, Some(fo.user_id), None).await;
    notify(&app, Some(fo.user_id), None).await;
    // Another user's notifications never count.
    notify(&app, Some(other.user_id), None).await;
    assert_eq!(
        badge_of(&mut b, "/").await,
        Some(("2".into(), "2 条新通知".into()))
    );
    // On every page of the user.
    assert_eq!(badge_of(&mut b, "/budget-lines").await.unwrap().0, "2");

    // Opening the list marks both new, and then they are seen.
    assert_eq!(open_notifications(&mut b).await, 2);
    assert_eq!(badge_of(&mut b, "/").await, None);

    notify(&app, Some(fo.user_id), None).await;
    notify(&app, Some(other.user_id), None).await;
    assert_eq!(
        badge_of(&mut b, "/").await,
        Some(("1".into(), "1 条新通知".into()))
    );
    assert_eq!(open_notifications(&mut b).await, 1, "only the third is new");
    assert_eq!(badge_of(&mut b, "/").await, None);

    // The other user has seen nothing: theirs are all unseen, in English here.
    let mut o = browser(&app, &other);
    o.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await;
    assert_eq!(
        badge_of(&mut o, "/").await,
        Some(("2".into(), "2 new notifications".into()))
    );
}

#[tokio::test]
async fn organisation_staff_count_their_organisations_copies() {
    let app = app().await;
    let staff = app.user(Role::Organisation).await;
    let org = staff.organisation_id.unwrap();
    let colleague = app.user_in(Role::Organisation, None, Some(org)).await;
    let stranger = app.user(Role::Organisation).await;
    let mut b = browser(&app, &staff);

    // The organisation's copy (to its contact address) and the staff member's own count; a
    // colleague's personal copy and another organisation's do not.
    notify(&app, None, Some(org)).await;
    notify(&app, Some(staff.user_id), Some(org)).await;
    notify(&app, Some(colleague.user_id), Some(org)).await;
    notify(&app, None, stranger.organisation_id).await;
    assert_eq!(badge_of(&mut b, "/").await.unwrap().0, "2");
    // The colleague sees the organisation's copy and their own.
    let mut c = browser(&app, &colleague);
    assert_eq!(badge_of(&mut c, "/").await.unwrap().0, "2");

    assert_eq!(open_notifications(&mut b).await, 2);
    assert_eq!(badge_of(&mut b, "/").await, None);
    // The colleague has not looked yet.
    assert_eq!(badge_of(&mut c, "/").await.unwrap().0, "2");

    notify(&app, None, Some(org)).await;
    assert_eq!(badge_of(&mut b, "/").await.unwrap().0, "1");
    assert_eq!(badge_of(&mut c, "/").await.unwrap().0, "3");
}

#[tokio::test]
async fn above_99_the_badge_shows_99_plus() {
    let app = app().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let now = app.clock.now();
    notification::Entity::insert_many((0..120).map(|_| row(Some(fo.user_id), None, now)))
        .exec_without_returning(&app.state.db)
        .await
        .expect("notifications");
    let mut b = browser(&app, &fo);
    assert_eq!(
        badge_of(&mut b, "/").await,
        Some(("99+".into(), "99+ 条新通知".into()))
    );
    b.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await;
    assert_eq!(
        badge_of(&mut b, "/").await.unwrap().1,
        "99+ new notifications"
    );
}

#[tokio::test]
async fn one_notification_is_singular_in_english() {
    let app = app().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let mut b = browser(&app, &fo);
    b.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await;
    notify(&app, Some(fo.user_id), None).await;
    assert_eq!(
        badge_of(&mut b, "/").await,
        Some(("1".into(), "1 new notification".into()))
    );
}

#[tokio::test]
async fn notifications_a_job_queues_in_one_statement_count_for_each_of_their_recipients() {
    let app = TestApp::with_config(|c| c.session_cache_ms = 0).await;
    // Due in 7 days: the reminder goes to the organisation's contact address (its own copy)
    // and to its staff member.
    let (fo, staff, _) = app.contract_with_milestone("2026-03-09").await;
    let org = staff.organisation_id.unwrap();
    let colleague = app.user_in(Role::Organisation, None, Some(org)).await;
    let mut s = browser(&app, &staff);
    let mut c = browser(&app, &colleague);
    let mut f = browser(&app, &fo);
    assert_eq!(badge_of(&mut s, "/").await, None);

    let run = app.run_job("milestone_reminders").await.unwrap();
    assert_eq!(
        run.notified, 3,
        "the contact address and both staff members"
    );
    // Each staff member: their own reminder and the organisation's copy.
    assert_eq!(badge_of(&mut s, "/").await.unwrap().0, "2");
    assert_eq!(badge_of(&mut c, "/").await.unwrap().0, "2");
    assert_eq!(badge_of(&mut f, "/").await, None, "nothing for the officer");

    // Opened, the list clears the staff member's count, not the colleague's.
    assert_eq!(open_notifications(&mut s).await, 2);
    assert_eq!(badge_of(&mut s, "/").await, None);
    assert_eq!(badge_of(&mut c, "/").await.unwrap().0, "2");
}

/// What queued notifications add to a badge is folded into the user's row by
/// `send_notifications` (on PostgreSQL; SQLite counts on the row at once): the figure is the
/// same before and after, and opening the list clears both what was folded and what was not.
#[tokio::test]
async fn the_badge_is_the_same_before_and_after_the_additions_are_folded_in() {
    let app = app().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let staff = app.user(Role::Organisation).await;
    let org = staff.organisation_id;
    let mut b = browser(&app, &fo);
    let mut s = browser(&app, &staff);
    for _ in 0..3 {
        notify(&app, Some(fo.user_id), None).await;
    }
    notify(&app, None, org).await;
    assert_eq!(badge_of(&mut b, "/").await.unwrap().0, "3");
    assert_eq!(badge_of(&mut s, "/").await.unwrap().0, "1");
    app.run_job("send_notifications").await;
    assert_eq!(app.count("notification_unseen_added").await, 0);
    assert_eq!(badge_of(&mut b, "/").await.unwrap().0, "3");
    assert_eq!(badge_of(&mut s, "/").await.unwrap().0, "1");
    // Two more after the fold: three folded and two not yet.
    notify(&app, Some(fo.user_id), None).await;
    notify(&app, Some(fo.user_id), None).await;
    assert_eq!(badge_of(&mut b, "/").await.unwrap().0, "5");
    assert_eq!(open_notifications(&mut b).await, 5);
    assert_eq!(badge_of(&mut b, "/").await, None);
    app.run_job("send_notifications").await;
    assert_eq!(
        badge_of(&mut b, "/").await,
        None,
        "nothing comes back with the fold"
    );
    assert_eq!(badge_of(&mut s, "/").await.unwrap().0, "1");
}
