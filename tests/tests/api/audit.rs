use axum::http::Method;
use entity::rules::vocab::{NotificationKind, Role};
use serde_json::json;
use tests::TestApp;

/// Runs `sql` past the triggers that refuse changes to sealed events ([`TestApp::tamper`]).
async fn tamper(app: &TestApp, sql: &str) {
    app.tamper(sql).await;
}

async fn verify(app: &TestApp, token: &str) -> serde_json::Value {
    app.get("/api/v1/audit/verify", token)
        .await
        .expect(200)
        .body
}

#[tokio::test]
async fn every_change_writes_one_event_and_a_refused_one_writes_none() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let before = app.count("audit_event").await;
    let p = app
        .post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": "民政局", "division_code": "410523", "contact_email": "a@b.cn"}),
        )
        .await
        .expect(201);
    app.patch(
        &format!("/api/v1/purchasers/{}", p.id()),
        &admin.token,
        json!({"name": "县民政局"}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/purchasers",
        &admin.token,
        json!({"name": "x", "division_code": "1", "contact_email": "a@b.cn"}),
    )
    .await
    .expect(422);
    assert_eq!(app.count("audit_event").await, before + 2);
    let n = app.count("audit_event WHERE entity_type = 'purchaser' AND action = 'update' AND actor_user_id IS NOT NULL AND before_json LIKE '%\"民政局%' AND after_json LIKE '%县民政局%'").await;
    assert_eq!(n, 1);
    // Logins are not audited.
    let n_before_login = app.count("audit_event").await;
    app.user(Role::Supervisor).await;
    assert_eq!(
        app.count("audit_event").await,
        n_before_login + 1,
        "only the user's creation"
    );
}

#[tokio::test]
async fn verify_names_the_first_edited_deleted_or_reordered_event() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    for i in 0..5 {
        app.post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": format!("P{i}"), "division_code": "410523", "contact_email": "a@b.cn"}),
        )
        .await
        .expect(201);
    }
    // Reading the trail seals what the writes committed.
    purchaser_events(&app, &admin.token).await;
    let total = app.count("audit_event").await;
    let ok = verify(&app, &admin.token).await;
    assert_eq!(ok["intact"], true);
    assert_eq!(ok["checked"], total);

    tamper(
        &app,
        "UPDATE audit_event SET after_json = REPLACE(after_json, 'P3', 'P9') WHERE seq = 5",
    )
    .await;
    let edited = verify(&app, &admin.token).await;
    assert_eq!(
        (edited["intact"].clone(), edited["first_bad_seq"].clone()),
        (json!(false), json!(5))
    );
    tamper(
        &app,
        "UPDATE audit_event SET after_json = REPLACE(after_json, 'P9', 'P3') WHERE seq = 5",
    )
    .await;
    assert_eq!(verify(&app, &admin.token).await["intact"], true);

    // Reorder: swap the positions of events 3 and 4.
    tamper(&app, "UPDATE audit_event SET seq = -3 WHERE seq = 3").await;
    tamper(&app, "UPDATE audit_event SET seq = 3 WHERE seq = 4").await;
    tamper(&app, "UPDATE audit_event SET seq = 4 WHERE seq = -3").await;
    assert_eq!(verify(&app, &admin.token).await["first_bad_seq"], 3);
    tamper(&app, "UPDATE audit_event SET seq = -3 WHERE seq = 4").await;
    tamper(&app, "UPDATE audit_event SET seq = 4 WHERE seq = 3").await;
    tamper(&app, "UPDATE audit_event SET seq = 3 WHERE seq = -3").await;
    assert_eq!(verify(&app, &admin.token).await["intact"], true);

    tamper(&app, "DELETE FROM audit_event WHERE seq = 4").await;
    let deleted = verify(&app, &admin.token).await;
    assert_eq!(deleted["first_bad_seq"], 4);
    assert!(deleted["reason"].as_str().unwrap().contains("missing"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_keep_one_unbroken_chain() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let before = app.count("audit_event").await;
    let writes = (0..24).map(|i| {
        app.post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": format!("P{i}"), "division_code": "410523", "contact_email": "a@b.cn"}),
        )
    });
    let answers = futures::future::join_all(writes).await;
    assert!(
        answers.iter().all(|a| a.status == 201),
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    assert_eq!(app.count("audit_event").await, before + 24);
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["intact"], true, "{report}");
}

#[tokio::test]
async fn only_admins_and_supervisors_verify() {
    let app = TestApp::new().await;
    let sup = app.user(Role::Supervisor).await;
    verify(&app, &sup.token).await;
    for role in [Role::FinanceOfficer, Role::Organisation] {
        let u = app.user(role).await;
        app.call(Method::GET, "/api/v1/audit/verify", Some(&u.token), None)
            .await
            .expect(403);
    }
}

/// Writes `n` events the way a service does, without sealing them (as a process that crashed
/// between its commit and its seal would leave them).
async fn unsealed_events(app: &TestApp, n: usize) {
    use sea_orm::TransactionTrait;
    for i in 0..n {
        let txn = app.state.db.begin().await.unwrap();
        let change = backend::audit::Change {
            actor_user_id: None,
            action: "create",
            entity_type: "purchaser",
            entity_id: uuid::Uuid::now_v7(),
            before: None,
            after: Some(json!({"name": format!("unsealed {i}")})),
        };
        backend::audit::record(&txn, app.state.now(), change)
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
}

/// The purchaser events the audit API lists.
async fn purchaser_events(app: &TestApp, token: &str) -> Vec<serde_json::Value> {
    app.get("/api/v1/audit?entity_type=purchaser&limit=500", token)
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn unsealed_events_are_reported_after_a_minute_and_sealed_before_the_trail_is_read() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let sealed_before = verify(&app, &admin.token).await["checked"]
        .as_u64()
        .unwrap();
    unsealed_events(&app, 3).await;
    // Fresh unsealed events are not stale yet, and the chain (without them) is intact.
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["unsealed_over_a_minute"], 0, "{report}");
    app.clock.advance(chrono::Duration::seconds(61));
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["unsealed_over_a_minute"], 3, "{report}");
    // A write answers without waiting for the chain; whoever reads the audit trail next
    // seals every committed event first, the left-over ones included, in commit order.
    app.post(
        "/api/v1/purchasers",
        &admin.token,
        json!({"name": "P", "division_code": "410523", "contact_email": "a@b.cn"}),
    )
    .await
    .expect(201);
    let names: Vec<String> = purchaser_events(&app, &admin.token)
        .await
        .iter()
        .filter_map(|e| e["after"]["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.starts_with("unsealed")).count(),
        3,
        "{names:?}"
    );
    assert_eq!(names.last().map(String::as_str), Some("P"), "{names:?}");
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["unsealed_over_a_minute"], 0, "{report}");
    assert_eq!(report["checked"].as_u64().unwrap(), sealed_before + 4);
    let seqs: Vec<i64> = purchaser_events(&app, &admin.token)
        .await
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(
        app.count_where("audit_event", "seq IS NULL").await,
        0,
        "every event sealed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sealers_of_several_processes_racing_keep_one_chain() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    unsealed_events(&app, 40).await;
    // Four independent sealers (as four replicas would run) race each other and new writes.
    let sealers: Vec<_> = (0..4)
        .map(|_| backend::audit::Sealer::new(app.state.db.clone()))
        .collect();
    let seals = sealers.iter().map(|s| s.seal());
    let writes = (0..8).map(|i| {
        app.post(
            "/api/v1/purchasers",
            &admin.token,
            json!({"name": format!("P{i}"), "division_code": "410523", "contact_email": "a@b.cn"}),
        )
    });
    let (sealed, written) = futures::future::join(
        futures::future::join_all(seals),
        futures::future::join_all(writes),
    )
    .await;
    assert!(sealed.iter().all(Result::is_ok), "{sealed:?}");
    assert!(written.iter().all(|a| a.status == 201));
    // The writes' events committed after the last pass are sealed by the next reader.
    purchaser_events(&app, &admin.token).await;
    assert_eq!(app.count_where("audit_event", "seq IS NULL").await, 0);
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(
        report["checked"].as_u64().unwrap(),
        app.count("audit_event").await as u64
    );
}

/// A purchaser created through the API (one audit event).
async fn write_one(app: &TestApp, token: &str, name: &str) {
    app.post(
        "/api/v1/purchasers",
        token,
        json!({"name": name, "division_code": "410523", "contact_email": "a@b.cn"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn audit_head_is_for_supervisors_and_admins_and_includes_every_acknowledged_write() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let sup = app.user(Role::Supervisor).await;
    // The write's event is not sealed yet (tests run no background sealer): the head seals
    // before it answers.
    write_one(&app, &admin.token, "P").await;
    assert_eq!(app.count_where("audit_event", "seq IS NULL").await, 1);
    let head = app
        .get("/api/v1/audit/head", &sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        head["seq"].as_i64().unwrap(),
        app.count("audit_event").await,
        "{head}"
    );
    let last = app.get("/api/v1/audit?limit=500", &admin.token).await.body["items"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap();
    assert_eq!(last["after"]["name"], "P");
    assert_eq!(
        (&head["seq"], &head["hash"], &head["at"]),
        (&last["seq"], &last["hash"], &last["at"])
    );
    assert_eq!(head["hash"].as_str().unwrap().len(), 64);
    assert_eq!(
        app.get("/api/v1/audit/head", &admin.token)
            .await
            .expect(200)
            .body,
        head
    );
    for role in [Role::FinanceOfficer, Role::Organisation] {
        let u = app.user(role).await;
        app.get("/api/v1/audit/head", &u.token).await.expect(403);
    }
    let anonymous = app
        .call(Method::GET, "/api/v1/audit/head", None, None)
        .await
        .expect(401);
    assert_eq!(
        anonymous.headers["content-type"],
        "application/problem+json"
    );
    let doc = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .body;
    assert!(doc["paths"]["/api/v1/audit/head"]["get"].is_object());
}

#[tokio::test]
async fn an_anchor_is_held_until_the_newest_events_are_deleted_or_rewritten() {
    use backend::audit::{Anchor, check_anchor};
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    write_one(&app, &admin.token, "P1").await;
    let head = app.get("/api/v1/audit/head", &admin.token).await.body;
    let anchor: Anchor = format!("{}:{}", head["seq"], head["hash"].as_str().unwrap())
        .parse()
        .unwrap();
    let held = |a: Anchor| {
        let db = app.state.db.clone();
        async move { check_anchor(&db, &a).await.unwrap() }
    };
    assert_eq!(held(anchor.clone()).await, Ok(()));
    // Later writes keep it.
    write_one(&app, &admin.token, "P2").await;
    app.seal().await;
    assert_eq!(held(anchor.clone()).await, Ok(()));

    // Deleting the newest events leaves a chain that verifies, but not the anchor.
    tamper(
        &app,
        &format!("DELETE FROM audit_event WHERE seq >= {}", anchor.seq),
    )
    .await;
    assert_eq!(verify(&app, &admin.token).await["intact"], true);
    let lost = held(anchor.clone()).await.unwrap_err();
    assert!(lost.contains("deleted"), "{lost}");

    // Writing new events in their place gives the anchored seq another hash.
    write_one(&app, &admin.token, "P3").await;
    app.seal().await;
    assert_eq!(verify(&app, &admin.token).await["intact"], true);
    let rewritten = held(anchor).await.unwrap_err();
    assert!(rewritten.contains("rewritten"), "{rewritten}");
}

/// The error of a statement the audit triggers must refuse.
async fn refused(app: &TestApp, sql: &str) -> String {
    use sea_orm::ConnectionTrait;
    match app.state.db.execute_unprepared(sql).await {
        Ok(r) => panic!("{sql} was allowed ({} rows)", r.rows_affected()),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn sealed_events_can_be_neither_changed_nor_deleted_and_unsealed_ones_only_sealed() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    write_one(&app, &admin.token, "P").await;
    app.seal().await;
    let sealed = app.count("audit_event").await;
    for sql in [
        "UPDATE audit_event SET action = 'delete' WHERE seq = 1",
        "UPDATE audit_event SET hash = hash WHERE seq = 1",
        "UPDATE audit_event SET seq = NULL, prev_hash = NULL, hash = NULL, canonical = NULL",
        "DELETE FROM audit_event WHERE seq = 1",
        "DELETE FROM audit_event",
    ] {
        let e = refused(&app, sql).await;
        assert!(e.contains("sealed"), "{sql}: {e}");
    }
    if app.state.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let e = refused(&app, "TRUNCATE audit_event").await;
        assert!(e.contains("cannot be deleted"), "{e}");
    }

    // An unsealed event may only be sealed: not edited, not deleted.
    unsealed_events(&app, 2).await;
    for sql in [
        "UPDATE audit_event SET after_json = '{}' WHERE seq IS NULL",
        "UPDATE audit_event SET seq = 999 WHERE seq IS NULL",
    ] {
        let e = refused(&app, sql).await;
        assert!(e.contains("may only be sealed"), "{sql}: {e}");
    }
    let e = refused(&app, "DELETE FROM audit_event WHERE seq IS NULL").await;
    assert!(e.contains("cannot be deleted"), "{e}");

    // The sealer still seals them, and the chain holds.
    app.seal().await;
    assert_eq!(app.count_where("audit_event", "seq IS NULL").await, 0);
    assert_eq!(app.count("audit_event").await, sealed + 2);
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["checked"].as_i64().unwrap(), sealed + 2);
}

/// A user's e-mail address.
async fn email_of(app: &TestApp, login: &tests::Login) -> String {
    use sea_orm::EntityTrait;
    entity::model::user::Entity::find_by_id(login.user_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .email
}

#[tokio::test]
async fn audit_anchor_mails_the_head_to_each_active_supervisor_once_a_day() {
    use tests::smtp::SmtpServer;
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let admin = app.user(Role::Admin).await;
    let sup1 = app.user(Role::Supervisor).await;
    let sup2 = app.user(Role::Supervisor).await;
    let gone = app.user(Role::Supervisor).await;
    app.patch(
        &format!("/api/v1/users/{}", gone.user_id),
        &admin.token,
        json!({"active": false}),
    )
    .await
    .expect(200);
    let (e1, e2) = (email_of(&app, &sup1).await, email_of(&app, &sup2).await);
    let head = app.get("/api/v1/audit/head", &sup1.token).await.body;
    let (seq, hash) = (
        head["seq"].as_i64().unwrap(),
        head["hash"].as_str().unwrap(),
    );

    let run = app.run_job("audit_anchor").await.unwrap();
    assert_eq!((run.examined, run.notified, run.errors), (1, 2, 0));
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(app.run_job("send_notifications").await.unwrap().notified, 2);
    let mail = smtp.received();
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    let mut expected = vec![e1, e2];
    expected.sort();
    assert_eq!(to, expected, "the active supervisors only");
    assert!(
        mail.iter().all(|m| m.subject().contains(&format!("{seq}"))),
        "{:?}",
        mail.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    let stored = {
        use entity::model::notification;
        use sea_orm::EntityTrait;
        notification::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
    };
    let command = format!("huimin audit verify --anchor {seq}:{hash}");
    assert!(
        stored
            .iter()
            .all(|n| n.kind == NotificationKind::AuditAnchor
                && n.body_text.contains(&command)
                && n.body_html.contains(&command)
                && n.dedupe_key.ends_with(":2026-03-02")),
        "{stored:?}"
    );

    // The same head on the same day: nothing new. The next day: again.
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(app.run_job("audit_anchor").await.unwrap().notified, 0);
    app.clock.advance(chrono::Duration::days(1));
    assert_eq!(app.run_job("audit_anchor").await.unwrap().notified, 2);
    assert_eq!(
        app.count_where(
            "job_run",
            "job = 'audit_anchor' AND outcome = 'ok' AND notified = 2"
        )
        .await,
        2
    );
}
