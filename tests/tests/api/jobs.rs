//! Scheduled jobs and mail through a real SMTP server in the test process.

use chrono::Duration;
use entity::rules::vocab::Role;
use tests::TestApp;
use tests::smtp::SmtpServer;

#[tokio::test]
async fn milestone_reminders_reach_the_organisation_once_with_the_right_content() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    // The clock shows 09:00 on 2 March in Beijing: due in 7 days is 9 March.
    let (_, staff, contract) = app.contract_with_milestone("2026-03-09").await;
    let staff_email = app.get("/api/v1/me", &staff.token).await.body["email"]
        .as_str()
        .unwrap()
        .to_string();

    let run = app.run_job("milestone_reminders").await.unwrap();
    assert_eq!(
        (run.examined, run.notified),
        (1, 2),
        "the organisation's contact and its staff member"
    );
    let sent = app.run_job("send_notifications").await.unwrap();
    assert_eq!(sent.notified, 2);
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, {
        let mut v = vec!["ngo@example.org".to_string(), staff_email];
        v.sort();
        v
    });
    let m = &mail[0];
    assert!(
        m.subject().contains("春季走访") && m.subject().contains("2026年3月9日"),
        "{}",
        m.subject()
    );
    assert!(m.data.contains("text/html") && m.data.contains("text/plain"));
    let stored = {
        use entity::model::notification;
        use sea_orm::EntityTrait;
        notification::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
    };
    let ids: Vec<String> = stored.iter().filter_map(|n| n.message_id.clone()).collect();
    assert!(
        ids.contains(&m.header("Message-ID").unwrap()),
        "the Message-ID derived from the dedupe key"
    );
    assert!(
        stored
            .iter()
            .all(|n| n.body_text.contains(&format!("/contracts/{contract}"))
                && !n.body_text.contains("/api/")
                && n.body_html.contains("<a href="))
    );
    assert!(
        stored
            .iter()
            .all(|n| n.body_text.contains("2026年3月9日") && n.body_text.contains("¥10,000.00"))
    );

    // Running every job again sends nothing twice.
    for job in [
        "milestone_reminders",
        "indicator_check",
        "post_vacancy_check",
        "contract_expiry",
        "budget_watch",
        "send_notifications",
    ] {
        app.run_job(job).await;
    }
    app.clock.advance(Duration::seconds(1));
    app.run_job("milestone_reminders").await;
    app.run_job("send_notifications").await;
    assert_eq!(smtp.received().len(), 2);
    let mine = app
        .get("/api/v1/notifications", &staff.token)
        .await
        .expect(200);
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        2,
        "the staff member's and the organisation's"
    );
    assert!(
        mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "sent")
    );
}

#[tokio::test]
async fn with_the_smtp_server_down_messages_wait_retry_with_backoff_and_all_arrive_once_it_is_back()
{
    let port = SmtpServer::reserve_port();
    let app = TestApp::with_smtp(&format!("smtp://127.0.0.1:{port}")).await;
    app.contract_with_milestone("2026-03-03").await;
    app.run_job("milestone_reminders").await;
    let queued = app.outbox().await.len();
    assert_eq!(queued, 2);

    let first = app.run_job("send_notifications").await.unwrap();
    assert_eq!((first.notified, first.errors), (0, 2));
    assert!(
        app.outbox()
            .await
            .iter()
            .all(|(_, _, status)| status == "pending")
    );
    // Not due again at once: backoff.
    app.clock.advance(Duration::seconds(5));
    assert_eq!(app.run_job("send_notifications").await.unwrap().examined, 0);

    let smtp = SmtpServer::start_on(port);
    app.clock.advance(Duration::minutes(10));
    let second = app.run_job("send_notifications").await.unwrap();
    assert_eq!(second.notified, 2);
    assert_eq!(smtp.received().len(), 2);
    assert!(
        app.outbox()
            .await
            .iter()
            .all(|(_, _, status)| status == "sent")
    );
}

#[tokio::test]
async fn a_message_is_dead_after_eight_failed_attempts_and_an_admin_can_retry_it() {
    let smtp = SmtpServer::start();
    smtp.set_down(true);
    let app = TestApp::with_smtp(&smtp.url()).await;
    app.contract_with_milestone("2026-03-03").await;
    app.run_job("milestone_reminders").await;
    for _ in 0..8 {
        app.run_job("send_notifications").await;
        app.clock.advance(Duration::hours(7));
    }
    assert!(
        app.outbox()
            .await
            .iter()
            .all(|(_, _, status)| status == "dead"),
        "{:?}",
        app.outbox().await
    );
    smtp.set_down(false);
    app.run_job("send_notifications").await;
    assert!(smtp.received().is_empty());

    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let dead: Vec<String> = {
        use entity::model::notification;
        use sea_orm::EntityTrait;
        notification::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.id.to_string())
            .collect()
    };
    app.act(
        &format!("/api/v1/notifications/{}/retry", dead[0]),
        &fo.token,
    )
    .await
    .expect(403);
    let retried = app
        .act(
            &format!("/api/v1/notifications/{}/retry", dead[0]),
            &admin.token,
        )
        .await
        .expect(200);
    assert_eq!(retried.body["status"], "pending");
    app.act(
        &format!("/api/v1/notifications/{}/retry", dead[0]),
        &admin.token,
    )
    .await
    .expect(409);
    app.clock.advance(Duration::seconds(1));
    app.run_job("send_notifications").await;
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_database_run_each_slot_once() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    app.contract_with_milestone("2026-03-09").await;
    let slot = app.state.now();
    let ctx = app.state.jobs.clone();
    let (a, b) = tokio::join!(
        jobs::runner::run(&ctx, jobs::JobName::MilestoneReminders, slot),
        jobs::runner::run(&ctx, jobs::JobName::MilestoneReminders, slot)
    );
    let ran: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(ran.len(), 1, "one worker runs the slot, the other skips it");
    let (a, b) = tokio::join!(
        jobs::runner::run(&ctx, jobs::JobName::SendNotifications, slot),
        jobs::runner::run(
            &ctx,
            jobs::JobName::SendNotifications,
            slot + Duration::seconds(1)
        )
    );
    let _ = (a.unwrap(), b.unwrap());
    app.run_job("send_notifications").await;
    assert_eq!(smtp.received().len(), 2, "each reminder exactly once");
    let sup = app.user(Role::Supervisor).await;
    let runs = app
        .get("/api/v1/jobs/runs?job=milestone_reminders", &sup.token)
        .await
        .expect(200);
    assert_eq!(runs.body["items"].as_array().unwrap().len(), 1);
}
