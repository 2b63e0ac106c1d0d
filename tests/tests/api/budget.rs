use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::TestApp;

fn line(code: &str, amount: Value) -> Value {
    json!({"fiscal_year": 2026, "code": code, "name": "困境儿童关爱服务", "amount": amount, "source": "provincial"})
}

#[tokio::test]
async fn money_round_trips_exactly() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    for (i, amount) in ["12345678.91", "0.01", "99999999999.99", "4500.5"]
        .iter()
        .enumerate()
    {
        let created = app
            .post(
                "/api/v1/budget-lines",
                &fo.token,
                line(&format!("L{i}"), json!(amount)),
            )
            .await
            .expect(201);
        let read = app
            .get(&format!("/api/v1/budget-lines/{}", created.id()), &fo.token)
            .await
            .expect(200);
        let expected = if *amount == "4500.5" {
            "4500.50"
        } else {
            amount
        };
        assert_eq!(read.body["amount"], expected);
        assert_eq!(read.body["available"], expected);
        assert_eq!(read.body["committed"], "0.00");
        assert_eq!(read.body["disbursed"], "0.00");
        assert_eq!(read.body["reserved"], "0.00");
    }
}

#[tokio::test]
async fn bad_amounts_are_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    for amount in [
        json!("-1.00"),
        json!("1.005"),
        json!(100.5),
        json!("1e5"),
        json!("abc"),
        json!("99999999999999.00"),
    ] {
        let a = app
            .post(
                "/api/v1/budget-lines",
                &fo.token,
                line("L1", amount.clone()),
            )
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["amount"], "{amount}");
    }
    let a = app.post("/api/v1/budget-lines", &fo.token, json!({"fiscal_year": 1999, "code": "", "name": "x", "amount": "1.00", "source": "mars"})).await.expect(422);
    assert_eq!(a.error_fields(), ["source"]);
    let a = app.post("/api/v1/budget-lines", &fo.token, json!({"fiscal_year": 1999, "code": "", "name": "x", "amount": "1.00", "source": "county"})).await.expect(422);
    assert_eq!(a.error_fields(), ["code", "fiscal_year"]);
    let a = app.post("/api/v1/budget-lines", &fo.token, json!({"fiscal_year": 2026, "code": "A", "name": "x", "amount": "1.00", "source": "county", "committed": "5.00"})).await.expect(422);
    assert_eq!(a.error_fields(), ["committed"]);
    assert_eq!(app.count("budget_line").await, 0);
}

#[tokio::test]
async fn officers_see_and_change_only_their_purchasers_lines() {
    let app = TestApp::new().await;
    let mine = app.user(Role::FinanceOfficer).await;
    let theirs = app.user(Role::FinanceOfficer).await;
    let colleague = app
        .user_in(Role::FinanceOfficer, mine.purchaser_id, None)
        .await;
    let id = app
        .post(
            "/api/v1/budget-lines",
            &mine.token,
            line("L1", json!("100.00")),
        )
        .await
        .expect(201)
        .id();
    app.post(
        "/api/v1/budget-lines",
        &theirs.token,
        line("L1", json!("100.00")),
    )
    .await
    .expect(201);
    let path = format!("/api/v1/budget-lines/{id}");

    app.get(&path, &colleague.token).await.expect(200);
    app.get(&path, &theirs.token).await.expect(404);
    app.patch(&path, &theirs.token, json!({"name": "x"}))
        .await
        .expect(404);
    let list = app
        .get("/api/v1/budget-lines", &theirs.token)
        .await
        .expect(200);
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["id"] != id.to_string())
    );
    let foreign = json!({"purchaser_id": mine.purchaser_id, "fiscal_year": 2026, "code": "X", "name": "x", "amount": "1.00", "source": "county"});
    app.post("/api/v1/budget-lines", &theirs.token, foreign)
        .await
        .expect(404);

    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let org = app.user(Role::Organisation).await;
    assert_eq!(
        app.get("/api/v1/budget-lines", &sup.token)
            .await
            .expect(200)
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.get(&path, &admin.token).await.expect(200);
    app.get(&path, &org.token).await.expect(403);
    app.get("/api/v1/budget-lines", &org.token)
        .await
        .expect(403);
    for t in [&sup.token, &admin.token, &org.token] {
        app.post("/api/v1/budget-lines", t, line("L9", json!("1.00")))
            .await
            .expect(403);
        app.patch(&path, t, json!({"name": "x"})).await.expect(403);
    }
}

#[tokio::test]
async fn a_code_is_unique_per_purchaser_and_year() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    app.post("/api/v1/budget-lines", &fo.token, line("L1", json!("1.00")))
        .await
        .expect(201);
    app.post("/api/v1/budget-lines", &fo.token, line("L1", json!("1.00")))
        .await
        .expect(409);
    let mut next_year = line("L1", json!("1.00"));
    next_year["fiscal_year"] = json!(2027);
    app.post("/api/v1/budget-lines", &fo.token, next_year)
        .await
        .expect(201);
    assert_eq!(app.count("budget_line").await, 2);
}

#[tokio::test]
async fn changing_the_amount_needs_a_reason_and_is_audited_with_it() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let id = app
        .post(
            "/api/v1/budget-lines",
            &fo.token,
            line("L1", json!("100.00")),
        )
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/budget-lines/{id}");
    let a = app
        .patch(&path, &fo.token, json!({"amount": "150.00"}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["reason"]);
    let b = app
        .patch(
            &path,
            &fo.token,
            json!({"amount": "150.00", "reason": "追加预算"}),
        )
        .await
        .expect(200);
    assert_eq!(b.body["amount"], "150.00");
    assert_eq!(b.body["available"], "150.00");
    let n = app
        .count("audit_event WHERE action = 'change_amount'")
        .await;
    assert_eq!(n, 1);
}

#[tokio::test]
async fn cursor_pagination_walks_every_line_once_with_filters() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    for i in 0..7 {
        let mut l = line(&format!("L{i}"), json!("1.00"));
        l["fiscal_year"] = json!(if i % 2 == 0 { 2026 } else { 2027 });
        app.post("/api/v1/budget-lines", &fo.token, l)
            .await
            .expect(201);
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/budget-lines?limit=2".to_string();
    loop {
        let page = app.get(&url, &fo.token).await.expect(200);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["code"].as_str().unwrap().to_string()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/budget-lines?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["L0", "L1", "L2", "L3", "L4", "L5", "L6"]);
    let y = app
        .get("/api/v1/budget-lines?fiscal_year=2027", &fo.token)
        .await
        .expect(200);
    assert_eq!(y.body["items"].as_array().unwrap().len(), 3);
    app.get("/api/v1/budget-lines?limit=0", &fo.token)
        .await
        .expect(422);
    app.get("/api/v1/budget-lines?limit=501", &fo.token)
        .await
        .expect(422);
    app.get("/api/v1/budget-lines?cursor=garbage", &fo.token)
        .await
        .expect(422);
    app.get("/api/v1/budget-lines?fiscal_year=abc", &fo.token)
        .await
        .expect(422);
    app.get("/api/v1/budget-lines?colour=red", &fo.token)
        .await
        .expect(422);
}

/// Everything that moves one line's totals, at once: tenders published and cancelled,
/// contracts signed and terminated. Each change either fits the line or is refused, and the
/// line's kept totals end equal to what its records add up to, with nothing over its amount.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn everything_moving_one_line_at_once_leaves_its_totals_equal_to_its_records() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "60000.00").await;
    let org = app.organisation().await;
    let mut drafts = Vec::new();
    for _ in 0..4 {
        let body = app.tender_body(line, "10000.00");
        drafts.push(
            app.post("/api/v1/tenders", &fo.token, body)
                .await
                .expect(201)
                .id(),
        );
    }
    let mut published = Vec::new();
    for _ in 0..2 {
        published.push(app.published_tender(&fo, line, "10000.00").await);
    }
    let mut unsigned = Vec::new();
    for _ in 0..3 {
        unsigned.push(app.draft_contract(&fo, org, line, "10000.00").await);
    }
    let ending = app.active_contract(&fo, org, line, "10000.00").await;
    app.pay(
        &fo.token,
        ending,
        json!({"amount": "1000.00", "paid_on": "2026-03-02", "voucher_no": "ADV-1"}),
    )
    .await
    .expect(201);
    // Held: 20 000 reserved, 10 000 committed; 30 000 free against 70 000 asked, and 30 000
    // released by the cancellations and the termination, in whatever order they land.
    let reason = json!({"reason": "预算调整"});
    let mut calls: Vec<(String, Option<Value>)> = Vec::new();
    calls.extend(
        drafts
            .iter()
            .map(|t| (format!("/api/v1/tenders/{t}/publish"), None)),
    );
    calls.extend(
        published
            .iter()
            .map(|t| (format!("/api/v1/tenders/{t}/cancel"), Some(reason.clone()))),
    );
    calls.extend(
        unsigned
            .iter()
            .map(|c| (format!("/api/v1/contracts/{c}/sign"), None)),
    );
    calls.push((
        format!("/api/v1/contracts/{ending}/terminate"),
        Some(reason.clone()),
    ));
    let races = calls.into_iter().map(|(path, body)| {
        let app = &app;
        let token = fo.token.clone();
        async move {
            let a = match body {
                Some(b) => app.post(&path, &token, b).await,
                None => app.act_owned(path.clone(), token).await,
            };
            (path, a)
        }
    });
    let answers = futures::future::join_all(races).await;
    app.assert_budgets_kept().await;
    for (path, a) in &answers {
        assert!(
            matches!(a.status.as_u16(), 200 | 409),
            "{path}: {} {}",
            a.status,
            a.text
        );
    }
    // Cancelling and terminating never meet the budget: they always go through.
    for (path, a) in &answers {
        if path.ends_with("/cancel") || path.ends_with("/terminate") {
            assert_eq!(a.status.as_u16(), 200, "{path}: {}", a.text);
        }
    }
    let read = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    let money = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    let won = answers
        .iter()
        .filter(|(p, a)| !p.ends_with("/cancel") && !p.ends_with("/terminate") && a.status == 200)
        .count() as i64;
    // What went through holds 10 000 each; the terminated contract keeps its 1 000 advance.
    assert_eq!(
        money(&read["reserved"]) + money(&read["committed"]),
        rust_decimal::Decimal::new(won * 1_000_000 + 100_000, 2),
        "{read}"
    );
    assert!(
        money(&read["available"]) >= rust_decimal::Decimal::ZERO,
        "{read}"
    );
    assert_eq!(read["disbursed"], "1000.00");
}

/// The harness's own check: a test that leaves a line's kept totals apart from its records
/// fails when it ends, even though it asserted nothing about them.
#[tokio::test]
#[should_panic(expected = "budget totals differ from the records")]
async fn a_test_leaving_a_total_apart_from_its_records_fails() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    app.budget_line(&fo, "1000.00").await;
    app.sql("UPDATE budget_line SET committed_fen = committed_fen + 1")
        .await;
}
