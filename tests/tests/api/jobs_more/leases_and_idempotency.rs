//! Sending once: leases of dead workers, senders at once, and slots that never queue a reminder twice.

use super::*;

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
