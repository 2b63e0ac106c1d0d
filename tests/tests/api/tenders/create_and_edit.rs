//! Creating and editing tenders: who may, the fields and their limits, the multi-year period.

use super::*;

// --- create ---------------------------------------------------------------------------

#[tokio::test]
async fn an_officer_creates_a_draft_tender_on_a_line_of_its_purchaser() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let before = app.count("audit_event").await;

    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            app.tender_body(line, "300000.5"),
        )
        .await
        .expect(201);
    let t = &a.body;
    assert_eq!(t["status"], "draft");
    assert_eq!(t["purchaser_id"], fo.purchaser_id.unwrap().to_string());
    assert_eq!(t["budget_line_id"], line.to_string());
    assert_eq!(t["ceiling_amount"], "300000.50");
    assert_eq!(t["method"], "inquiry");
    assert_eq!(t["service_category"], "children");
    assert_eq!(t["service_start"], "2026-04-01");
    assert_eq!(t["service_end"], "2026-12-31");
    assert_eq!(t["published_at"], Value::Null);
    assert_eq!(t["awarded_bid_id"], Value::Null);

    // A colleague of the same purchaser reads it; a draft reserves nothing.
    let colleague = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    let read = app
        .get(&tender_path(a.id()), &colleague.token)
        .await
        .expect(200);
    assert_eq!(read.body["title"], "留守儿童关爱服务项目");
    assert_eq!(figures(&app, &fo, line).await, money("0.00", "1000000.00"));
    // Naming one's own purchaser is allowed.
    let mut named = app.tender_body(line, "1.00");
    named["purchaser_id"] = json!(fo.purchaser_id);
    app.post("/api/v1/tenders", &fo.token, named)
        .await
        .expect(201);

    assert_eq!(app.count("tender").await, 2);
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'tender' AND action = 'create'")
            .await,
        2
    );
    assert!(app.count("audit_event").await > before);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn only_finance_officers_create_tenders() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let body = app.tender_body(line, "100.00");
    for role in [Role::Admin, Role::Supervisor, Role::Organisation] {
        let u = app.user(role).await;
        app.post("/api/v1/tenders", &u.token, body.clone())
            .await
            .expect(403);
    }
    app.call(Method::POST, "/api/v1/tenders", None, Some(body))
        .await
        .expect(401);
    assert_eq!(app.count("tender").await, 0);
}

#[tokio::test]
async fn a_tender_on_another_purchasers_line_is_refused_on_budget_line_id() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let mine = app.budget_line(&fo, "1000000.00").await;
    let theirs = app.budget_line(&other, "1000000.00").await;
    let events = app.count("audit_event").await;

    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            app.tender_body(theirs, "100.00"),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["budget_line_id"]);
    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            app.tender_body(Uuid::new_v4(), "100.00"),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["budget_line_id"]);
    // The purchaser is the line's: naming another one is refused.
    let mut body = app.tender_body(mine, "100.00");
    body["purchaser_id"] = json!(other.purchaser_id);
    let a = app
        .post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["purchaser_id"]);

    assert_eq!(app.count("tender").await, 0);
    assert_eq!(app.count("audit_event").await, events);
}

#[tokio::test]
async fn bad_tender_fields_are_refused_naming_the_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let events = app.count("audit_event").await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("title", json!(""), "title"),
        ("title", json!("   "), "title"),
        ("title", json!("长".repeat(201)), "title"),
        ("description", json!("x".repeat(20_001)), "description"),
        ("multi_year_reason", json!("  "), "multi_year_reason"),
        ("division_code", json!("41052"), "division_code"),
        ("division_code", json!("4105231"), "division_code"),
        ("division_code", json!("41052A"), "division_code"),
        ("division_code", json!(""), "division_code"),
        ("ceiling_amount", json!("0.00"), "ceiling_amount"),
        ("ceiling_amount", json!("0"), "ceiling_amount"),
        ("ceiling_amount", json!("-1.00"), "ceiling_amount"),
        ("ceiling_amount", json!("100.001"), "ceiling_amount"),
        ("ceiling_amount", json!(300000), "ceiling_amount"),
        ("ceiling_amount", json!(300000.5), "ceiling_amount"),
        ("ceiling_amount", json!("abc"), "ceiling_amount"),
        ("service_category", json!("pets"), "service_category"),
        ("method", json!("auction"), "method"),
        ("bid_deadline", json!("next week"), "bid_deadline"),
        ("service_start", json!("2026-02-30"), "service_start"),
        // More than a year without a reason (the last allowed day is 2027-03-31).
        ("service_end", json!("2027-04-01"), "service_end"),
        // Before the start.
        ("service_end", json!("2026-03-31"), "service_end"),
        // Unknown and server-set fields.
        ("colour", json!("red"), "colour"),
        ("status", json!("published"), "status"),
        ("id", json!(Uuid::new_v4()), "id"),
        (
            "published_at",
            json!("2026-03-02T01:00:00Z"),
            "published_at",
        ),
        ("status_reason", json!("x"), "status_reason"),
        ("awarded_bid_id", json!(Uuid::new_v4()), "awarded_bid_id"),
        ("reserved", json!("1.00"), "reserved"),
    ];
    for (key, value, field) in cases {
        let mut body = app.tender_body(line, "300000.00");
        body[key] = value.clone();
        let a = app
            .post("/api/v1/tenders", &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{key} = {value}: {}", a.text);
        assert_eq!(
            a.headers["content-type"], "application/problem+json",
            "{key}"
        );
    }
    // A missing required field is named too.
    for key in ["title", "budget_line_id", "ceiling_amount", "bid_deadline"] {
        let mut body = app.tender_body(line, "300000.00");
        body.as_object_mut().unwrap().remove(key);
        let a = app
            .post("/api/v1/tenders", &fo.token, body)
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [key], "missing {key}");
    }
    // Several bad fields are reported together.
    let mut body = app.tender_body(line, "0.00");
    body["title"] = json!("");
    body["division_code"] = json!("1");
    let a = app
        .post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(422);
    let mut fields = a.error_fields();
    fields.sort();
    assert_eq!(fields, ["ceiling_amount", "division_code", "title"]);

    assert_eq!(app.count("tender").await, 0);
    assert_eq!(app.count("audit_event").await, events);
}

#[tokio::test]
async fn a_title_of_200_characters_and_the_division_code_lengths_are_accepted() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut body = app.tender_body(line, "100.00");
    body["title"] = json!("长".repeat(200));
    app.post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201);
    for code in ["410523", "410523100", "410523100201"] {
        let mut body = app.tender_body(line, "100.00");
        body["division_code"] = json!(code);
        let a = app
            .post("/api/v1/tenders", &fo.token, body)
            .await
            .expect(201);
        assert_eq!(a.body["division_code"], code);
    }
}

#[tokio::test]
async fn a_service_period_over_one_year_needs_a_multi_year_reason_and_runs_at_most_three() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let with = |end: &str, reason: Option<&str>| {
        let mut b = app.tender_body(line, "100.00");
        b["service_end"] = json!(end);
        if let Some(r) = reason {
            b["multi_year_reason"] = json!(r);
        }
        b
    };
    let reason = "服务稳定、资金已落实";
    // One year less a day is the longest period without a reason.
    app.post("/api/v1/tenders", &fo.token, with("2027-03-31", None))
        .await
        .expect(201);
    let a = app
        .post("/api/v1/tenders", &fo.token, with("2027-04-01", None))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["service_end"]);
    let ok = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            with("2027-04-01", Some(reason)),
        )
        .await
        .expect(201);
    assert_eq!(ok.body["multi_year_reason"], reason);
    app.post(
        "/api/v1/tenders",
        &fo.token,
        with("2029-03-31", Some(reason)),
    )
    .await
    .expect(201);
    let a = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            with("2029-04-01", Some(reason)),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["service_end"]);
    assert_eq!(app.count("tender").await, 3);

    // A multi-year draft publishes, and its award carries the reason to the contract.
    let mut body = with("2028-03-31", Some(reason));
    body["bid_deadline"] = json!((app.state.now() + Duration::days(10)).to_rfc3339());
    let (t, bids) = closed_from(&app, &fo, body, &["90.00", "95.00"]).await;
    let c = app
        .post(
            &format!("{}/award", tender_path(t)),
            &fo.token,
            json!({"bid_id": bids[0].1}),
        )
        .await
        .expect(201);
    assert_eq!(c.body["end_date"], "2028-03-31");
    assert_eq!(c.body["multi_year_reason"], reason);
}

// --- edit -------------------------------------------------------------------------------

#[tokio::test]
async fn a_draft_is_edited_and_a_published_tender_is_not() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let line2 = app.budget_line(&fo, "500000.00").await;
    let theirs = app.budget_line(&other, "1000000.00").await;
    let t = draft(&app, &fo, app.tender_body(line, "300000.00")).await;
    let path = tender_path(t);

    let e = app
        .patch(
            &path,
            &fo.token,
            json!({"title": "  农村留守老人关爱服务  ", "ceiling_amount": "250000.00", "budget_line_id": line2, "method": "open"}),
        )
        .await
        .expect(200);
    assert_eq!(e.body["title"], "农村留守老人关爱服务");
    assert_eq!(e.body["ceiling_amount"], "250000.00");
    assert_eq!(e.body["budget_line_id"], line2.to_string());
    assert_eq!(e.body["method"], "open");
    assert_eq!(e.body["status"], "draft");
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'tender' AND action = 'update'")
            .await,
        1
    );

    let events = app.count("audit_event").await;
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"division_code": "12345"}), "division_code"),
        (json!({"ceiling_amount": "0.00"}), "ceiling_amount"),
        (json!({"ceiling_amount": 5}), "ceiling_amount"),
        (json!({"service_end": "2027-04-01"}), "service_end"),
        (json!({"service_end": "2026-01-01"}), "service_end"),
        (json!({"budget_line_id": theirs}), "budget_line_id"),
        (json!({"status": "published"}), "status"),
        (json!({"purchaser_id": other.purchaser_id}), "purchaser_id"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let a = app.patch(&path, &fo.token, body.clone()).await.expect(422);
        assert_eq!(a.error_fields(), [field], "{body}");
    }
    assert_eq!(app.count("audit_event").await, events);
    let read = app.get(&path, &fo.token).await.expect(200);
    assert_eq!(read.body["budget_line_id"], line2.to_string());
    assert_eq!(read.body["ceiling_amount"], "250000.00");

    app.act(&format!("{path}/publish"), &fo.token)
        .await
        .expect(200);
    app.patch(&path, &fo.token, json!({"title": "改名"}))
        .await
        .expect(409);
    let read = app.get(&path, &fo.token).await.expect(200);
    assert_eq!(read.body["title"], "农村留守老人关爱服务");
    assert_eq!(
        app.count("audit_event").await,
        events + 1,
        "only the publication"
    );

    // A cancelled draft is not edited either.
    let d = draft(&app, &fo, app.tender_body(line, "1.00")).await;
    app.post(
        &format!("{}/cancel", tender_path(d)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    app.patch(&tender_path(d), &fo.token, json!({"title": "改名"}))
        .await
        .expect(409);
    assert_audit_intact(&app).await;
}

#[tokio::test]
async fn a_multi_year_reason_cleared_on_a_draft_brings_back_the_one_year_limit() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut body = app.tender_body(line, "100.00");
    body["service_end"] = json!("2027-12-31");
    body["multi_year_reason"] = json!("服务稳定、资金已落实");
    let t = draft(&app, &fo, body).await;
    let a = app
        .patch(&tender_path(t), &fo.token, json!({"multi_year_reason": ""}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["service_end"]);
    let ok = app
        .patch(
            &tender_path(t),
            &fo.token,
            json!({"multi_year_reason": "", "service_end": "2027-03-31"}),
        )
        .await
        .expect(200);
    assert_eq!(ok.body["multi_year_reason"], Value::Null);
}

#[tokio::test]
async fn only_finance_officers_edit_and_move_tenders() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let p = app.published_tender(&fo, line, "100.00").await;
    for role in [Role::Admin, Role::Supervisor, Role::Organisation] {
        let u = app.user(role).await;
        for t in [d, p] {
            let path = tender_path(t);
            app.patch(&path, &u.token, json!({"title": "x"}))
                .await
                .expect(403);
            for action in ["publish", "close"] {
                app.act(&format!("{path}/{action}"), &u.token)
                    .await
                    .expect(403);
            }
            for action in ["cancel", "unsuccessful"] {
                app.post(
                    &format!("{path}/{action}"),
                    &u.token,
                    json!({"reason": "x"}),
                )
                .await
                .expect(403);
            }
            app.post(
                &format!("{path}/award"),
                &u.token,
                json!({"bid_id": Uuid::new_v4()}),
            )
            .await
            .expect(403);
        }
    }
    assert_eq!(status_of(&app, &fo, d).await, "draft");
    assert_eq!(status_of(&app, &fo, p).await, "published");
}
