//! The in-app view of notifications, the record of job runs and their metrics.

use super::*;

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
    // A name that is no job's matches no run: an empty page, not a refusal.
    let none = app
        .get("/api/v1/jobs/runs?job=no_such_job", &sup.token)
        .await
        .expect(200);
    assert_eq!(none.body["items"], json!([]));
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
