//! Reports, JSON and multipart: who reports on what, measurements, attachments (type,
//! size, storage, reading) and idempotency.

use super::*;

#[tokio::test]
async fn only_the_contracts_organisation_reports_on_its_milestones() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let stranger = app.user(Role::Organisation).await;
    report(&app, &stranger, m, json!([])).await.expect(404);
    report(&app, &d.fo, m, json!([])).await.expect(403);
    report(&app, &app.user(Role::Supervisor).await, m, json!([]))
        .await
        .expect(403);
    report(&app, &app.user(Role::Admin).await, m, json!([]))
        .await
        .expect(403);
    report(&app, &app.user(Role::FinanceOfficer).await, m, json!([]))
        .await
        .expect(403);
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["status"],
        "planned"
    );
    // Any staff member of the contract's organisation may.
    let colleague = app
        .user_in(Role::Organisation, None, d.staff.organisation_id)
        .await;
    let r = report(&app, &colleague, m, json!([])).await.expect(201);
    assert_eq!(r.body["submitted_by"], colleague.user_id.to_string());
    assert_eq!(r.body["decision"], Value::Null);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["status"],
        "submitted"
    );
    // Another organisation cannot read the reports either.
    app.get(&format!("{}/reports", milestone_path(m)), &stranger.token)
        .await
        .expect(404);
    let list = app
        .get(&format!("{}/reports", milestone_path(m)), &d.fo.token)
        .await
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn reports_are_taken_only_on_active_contracts_and_planned_or_rejected_milestones() {
    let app = TestApp::new().await;
    // A draft contract takes no report.
    let draft = app.world().value("10000.00").draft().await;
    let dm = milestone(&app, &draft, "2026-06-30", "1000.00").await;
    report(&app, &draft.staff, dm, json!([])).await.expect(409);

    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    report(&app, &d.staff, m, json!([])).await.expect(201);
    // Twice in a row: the first is awaiting its decision.
    report(&app, &d.staff, m, json!([])).await.expect(409);
    reject(&app, &d.fo.token, m, "缺少签到表").await.expect(200);
    report(&app, &d.staff, m, json!([])).await.expect(201);
    accept(&app, &d.fo.token, m).await.expect(200);
    report(&app, &d.staff, m, json!([])).await.expect(409);
    let c = milestone(&app, &d, "2026-09-30", "1000.00").await;
    cancel(&app, &d.fo.token, c, "取消").await.expect(200);
    report(&app, &d.staff, c, json!([])).await.expect(409);
    let later = milestone(&app, &d, "2026-12-31", "1000.00").await;
    app.post(
        &format!("{}/terminate", contract_path(d.contract)),
        &d.fo.token,
        json!({"reason": "机构退出"}),
    )
    .await
    .expect(200);
    report(&app, &d.staff, later, json!([])).await.expect(409);
    assert_eq!(app.count("milestone_report").await, 2);
    // Summary is required.
    let d2 = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m2 = d2.milestones[0];
    let a = app
        .post(
            &format!("{}/reports", milestone_path(m2)),
            &d2.staff.token,
            json!({"summary": " ", "measurements": []}),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["summary"]);
    // A report is JSON or multipart.
    app.send_from(
        None,
        Method::POST,
        &format!("{}/reports", milestone_path(m2)),
        Some(&d2.staff.token),
        Some(Body::from("summary=hello")),
        Some("application/x-www-form-urlencoded"),
    )
    .await
    .expect(415);
    assert_eq!(app.count("milestone_report").await, 2);
}

#[tokio::test]
async fn report_measurements_are_validated() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .indicators(json!([
            ind("visits", "at_least", json!(100), 60),
            ind("rate", "at_most", json!(2), 40)
        ]))
        .await;
    let ids = indicator_ids(&app, &d).await;
    let (visits, rate) = (ids["visits"].clone(), ids["rate"].clone());
    let other = app
        .world()
        .value("1000.00")
        .indicators(json!([ind("visits", "at_least", json!(100), 100)]))
        .await;
    let foreign = indicator_ids(&app, &other).await["visits"].clone();
    let m = milestone(&app, &d, "2026-06-30", "1000.00").await;

    let cases = [
        (
            json!([{"indicator_id": foreign, "value": 5}]),
            "measurements[0].indicator_id",
        ),
        (
            json!([{"indicator_id": visits, "value": 5}, {"indicator_id": visits, "value": 6}]),
            "measurements[1].indicator_id",
        ),
        (
            json!([{"indicator_id": visits, "value": -1}]),
            "measurements[0].value",
        ),
        (
            json!([{"indicator_id": visits, "value": "-0.5"}]),
            "measurements[0].value",
        ),
        (
            json!([{"indicator_id": visits, "value": 1.23456}]),
            "measurements[0].value",
        ),
        (
            json!([{"indicator_id": visits, "value": "1.23456"}]),
            "measurements[0].value",
        ),
        (
            json!([{"indicator_id": visits, "value": true}]),
            "measurements[0].value",
        ),
        (
            json!([{"indicator_id": Uuid::new_v4(), "value": 1}]),
            "measurements[0].indicator_id",
        ),
        (
            json!([{"indicator_id": visits, "value": 1, "unit": "次"}]),
            "unit",
        ),
    ];
    for (ms, field) in cases {
        let a = report(&app, &d.staff, m, ms.clone()).await.expect(422);
        assert!(
            a.error_fields().iter().any(|f| f.contains(field)),
            "{ms}: {}",
            a.text
        );
    }
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("measurement").await, 0);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["status"],
        "planned"
    );

    // A JSON number and decimal text with up to four places are both taken exactly.
    let r = report(
        &app,
        &d.staff,
        m,
        json!([{"indicator_id": visits, "value": 87.5}, {"indicator_id": rate, "value": "0.0125"}]),
    )
    .await
    .expect(201);
    let got: Vec<(String, Decimal)> = r.body["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["indicator_id"].as_str().unwrap().to_string(),
                dec(&x["value"]),
            )
        })
        .collect();
    assert!(
        got.contains(&(visits.clone(), "87.5".parse().unwrap())),
        "{got:?}"
    );
    assert!(
        got.contains(&(rate.clone(), "0.0125".parse().unwrap())),
        "{got:?}"
    );
    assert_eq!(app.count("measurement").await, 2);
}

#[tokio::test]
async fn a_text_attachment_is_refused_with_415_and_nothing_is_written() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let a = upload(
        &app,
        &d.staff.token,
        m,
        &[
            report_part(summary()),
            file_part("notes.txt", Some("text/plain"), b"visited 12 homes"),
        ],
    )
    .await
    .expect(415);
    assert_eq!(a.body["status"], 415);
    // No declared type is not a declared PDF either.
    upload(
        &app,
        &d.staff.token,
        m,
        &[report_part(summary()), file_part("visit.pdf", None, PDF)],
    )
    .await
    .expect(415);
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("attachment").await, 0);
    assert_eq!(stored_files(&app), 0);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["status"],
        "planned"
    );
}

#[tokio::test]
async fn an_attachment_whose_bytes_are_not_of_its_declared_type_is_refused() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let fakes = [
        file_part(
            "photo.png",
            Some("image/png"),
            b"GIF89a\x01\x00\x01\x00not a png at all",
        ),
        file_part("photo.png", Some("image/png"), PDF),
        file_part("photo.jpg", Some("image/jpeg"), PNG),
        file_part(
            "scan.pdf",
            Some("application/pdf"),
            b"<html>not a pdf</html>",
        ),
        file_part("photo.heic", Some("image/heic"), b"short"),
    ];
    for fake in fakes {
        let name = fake.file_name.clone();
        upload(&app, &d.staff.token, m, &[report_part(summary()), fake])
            .await
            .expect(415);
        assert_eq!(stored_files(&app), 0, "{name:?}");
    }
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("attachment").await, 0);
    // The genuine article of each allowed type is taken.
    let ok = upload(
        &app,
        &d.staff.token,
        m,
        &[
            report_part(summary()),
            file_part("photo.png", Some("image/png"), PNG),
            file_part("photo.jpg", Some("image/jpeg"), JPEG),
            file_part("photo.heic", Some("image/heic"), HEIC),
            file_part("scan.pdf", Some("application/pdf"), PDF),
        ],
    )
    .await
    .expect(201);
    let mut types: Vec<&str> = ok.body["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["content_type"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        ["application/pdf", "image/heic", "image/jpeg", "image/png"]
    );
    assert_eq!(app.count("attachment").await, 4);
}

#[tokio::test]
async fn an_attachment_over_20_mb_is_refused_with_413() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let mut big = PDF.to_vec();
    big.resize(20 * MB + 1, b'0');
    upload(
        &app,
        &d.staff.token,
        m,
        &[
            report_part(summary()),
            file_part("big.pdf", Some("application/pdf"), &big),
        ],
    )
    .await
    .expect(413);
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("attachment").await, 0);
    assert_eq!(stored_files(&app), 0);
    // Exactly 20 MB is allowed.
    big.truncate(20 * MB);
    let ok = upload(
        &app,
        &d.staff.token,
        m,
        &[
            report_part(summary()),
            file_part("big.pdf", Some("application/pdf"), &big),
        ],
    )
    .await
    .expect(201);
    assert_eq!(ok.body["attachments"][0]["size"], json!(20 * MB));
}

#[tokio::test]
async fn a_request_over_25_mb_is_refused_with_413() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let mut part = PDF.to_vec();
    part.resize(13 * MB, b'0');
    upload(
        &app,
        &d.staff.token,
        m,
        &[
            report_part(summary()),
            file_part("a.pdf", Some("application/pdf"), &part),
            file_part("b.pdf", Some("application/pdf"), &part),
        ],
    )
    .await
    .expect(413);
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("attachment").await, 0);
}

#[tokio::test]
async fn a_multipart_report_needs_its_report_part() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let a = upload(
        &app,
        &d.staff.token,
        m,
        &[file_part("visit.pdf", Some("application/pdf"), PDF)],
    )
    .await
    .expect(422);
    assert_eq!(a.error_fields(), ["report"]);
    let a = upload(
        &app,
        &d.staff.token,
        m,
        &[report_part(
            json!({"summary": "x", "measurements": [], "score": 100}),
        )],
    )
    .await
    .expect(422);
    assert_eq!(a.error_fields(), ["score"]);
    let a = upload(
        &app,
        &d.staff.token,
        m,
        &[report_part(summary()), Part::text("extra", "x")],
    )
    .await
    .expect(422);
    assert_eq!(a.error_fields(), ["extra"]);
    assert_eq!(app.count("milestone_report").await, 0);
    // The report part alone is a report without attachments.
    let ok = upload(&app, &d.staff.token, m, &[report_part(summary())])
        .await
        .expect(201);
    assert_eq!(ok.body["attachments"], json!([]));
}

#[tokio::test]
async fn an_attachment_is_kept_under_its_sha256_and_read_by_those_who_may_read_the_report() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let r = upload(
        &app,
        &d.staff.token,
        m,
        &[
            file_part("走访记录.pdf", Some("application/pdf"), PDF),
            report_part(summary()),
        ],
    )
    .await
    .expect(201);
    let att = &r.body["attachments"][0];
    assert_eq!(att["sha256"], PDF_SHA256);
    assert_eq!(att["size"], json!(PDF.len()));
    assert_eq!(att["file_name"], "走访记录.pdf");
    assert_eq!(att["content_type"], "application/pdf");
    // The file store holds the bytes under their hash; no database row holds them.
    let on_disk = std::fs::read(
        app.state
            .config
            .files_dir()
            .join(&PDF_SHA256[..2])
            .join(PDF_SHA256),
    )
    .expect("stored under its hash");
    assert_eq!(on_disk, PDF);

    let path = format!("/api/v1/reports/{}/files/{PDF_SHA256}", r.id());
    let supervisor = app.user(Role::Supervisor).await;
    for token in [&d.fo.token, &d.staff.token, &supervisor.token] {
        let f = app.get(&path, token).await.expect(200);
        assert_eq!(f.headers[header::CONTENT_TYPE], "application/pdf");
        let (status, bytes) = download(&app, &path, token).await;
        assert_eq!((status, bytes.as_slice()), (200, PDF));
    }
    let other_org = app.user(Role::Organisation).await;
    app.get(&path, &other_org.token).await.expect(404);
    app.get(&path, &app.user(Role::FinanceOfficer).await.token)
        .await
        .expect(404);
    // An unknown hash of the report is not found either.
    app.get(
        &format!("/api/v1/reports/{}/files/{}", r.id(), "0".repeat(64)),
        &d.fo.token,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn a_report_retried_with_the_same_idempotency_key_answers_the_first() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    let path = format!("{}/reports", milestone_path(m));
    let body = json!({"summary": "第二季度走访", "measurements": []})
        .to_string()
        .into_bytes();
    let key = [("Idempotency-Key", "report-2026-q2")];
    let first = send_with_headers(
        &app,
        &path,
        &d.staff.token,
        "application/json",
        body.clone(),
        &key,
    )
    .await
    .expect(201);
    app.clock.advance(Duration::minutes(5));
    let again = send_with_headers(
        &app,
        &path,
        &d.staff.token,
        "application/json",
        body.clone(),
        &key,
    )
    .await
    .expect(200);
    assert_eq!(first.id(), again.id());
    assert_eq!(first.body["submitted_at"], again.body["submitted_at"]);
    assert_eq!(app.count("milestone_report").await, 1);
    // Another key (or none) is another report: refused while the first awaits its decision.
    send_with_headers(
        &app,
        &path,
        &d.staff.token,
        "application/json",
        body.clone(),
        &[("Idempotency-Key", "other")],
    )
    .await
    .expect(409);
    send_with_headers(
        &app,
        &path,
        &d.staff.token,
        "application/json",
        body.clone(),
        &[],
    )
    .await
    .expect(409);
    let long = "k".repeat(129);
    for bad in ["", long.as_str()] {
        let a = send_with_headers(
            &app,
            &path,
            &d.staff.token,
            "application/json",
            body.clone(),
            &[("Idempotency-Key", bad)],
        )
        .await
        .expect(422);
        assert_eq!(a.error_fields(), ["Idempotency-Key"]);
    }
    assert_eq!(app.count("milestone_report").await, 1);

    // The same key on another milestone is another report; a multipart retry stores its
    // attachment once.
    let m2 = milestone(&app, &d, "2026-09-30", "1000.00").await;
    let path2 = format!("{}/reports", milestone_path(m2));
    let (mp, ct) = multipart(&[
        report_part(summary()),
        file_part("a.pdf", Some("application/pdf"), PDF),
    ]);
    let a = send_with_headers(&app, &path2, &d.staff.token, &ct, mp.clone(), &key)
        .await
        .expect(201);
    let b = send_with_headers(&app, &path2, &d.staff.token, &ct, mp, &key)
        .await
        .expect(200);
    assert_eq!(a.id(), b.id());
    assert_ne!(a.id(), first.id());
    assert_eq!(b.body["attachments"][0]["sha256"], PDF_SHA256);
    assert_eq!(app.count("milestone_report").await, 2);
    assert_eq!(app.count("attachment").await, 1);
}
