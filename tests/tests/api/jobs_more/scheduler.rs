//! The scheduler: each slot once in Beijing time, with one catch-up.

use super::*;

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
        .filter(job_run::Column::Job.eq(jobs::JobName::parse(job).expect("a job name")))
        .order_by_desc(job_run::Column::StartedAt)
        .one(&app.state.db)
        .await
        .unwrap()
        .map(|r| r.outcome.to_string())
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
