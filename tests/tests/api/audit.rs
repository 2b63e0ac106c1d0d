use axum::http::Method;
use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

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

    app.sql("UPDATE audit_event SET after_json = REPLACE(after_json, 'P3', 'P9') WHERE seq = 5")
        .await;
    let edited = verify(&app, &admin.token).await;
    assert_eq!(
        (edited["intact"].clone(), edited["first_bad_seq"].clone()),
        (json!(false), json!(5))
    );
    app.sql("UPDATE audit_event SET after_json = REPLACE(after_json, 'P9', 'P3') WHERE seq = 5")
        .await;
    assert_eq!(verify(&app, &admin.token).await["intact"], true);

    // Reorder: swap the positions of events 3 and 4.
    app.sql("UPDATE audit_event SET seq = -3 WHERE seq = 3")
        .await;
    app.sql("UPDATE audit_event SET seq = 3 WHERE seq = 4")
        .await;
    app.sql("UPDATE audit_event SET seq = 4 WHERE seq = -3")
        .await;
    assert_eq!(verify(&app, &admin.token).await["first_bad_seq"], 3);
    app.sql("UPDATE audit_event SET seq = -3 WHERE seq = 4")
        .await;
    app.sql("UPDATE audit_event SET seq = 4 WHERE seq = 3")
        .await;
    app.sql("UPDATE audit_event SET seq = 3 WHERE seq = -3")
        .await;
    assert_eq!(verify(&app, &admin.token).await["intact"], true);

    app.sql("DELETE FROM audit_event WHERE seq = 4").await;
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
