//! Supervision: the spending report and its exports, findings, the audit API, the dossier.

use std::io::Cursor;

use axum::http::Method;
use entity::rules::vocab::Role;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tests::TestApp;

async fn demo(app: &TestApp) {
    backend::demo::load(&app.state).await.expect("demo data");
}

async fn sum_sql(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<Option<i64>>("", "n").unwrap().unwrap_or(0)
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

/// What a refused request about findings must leave as it was: every finding, whole, and the
/// number of audit events.
async fn findings_written(app: &TestApp) -> (Vec<entity::model::finding::Model>, i64) {
    use entity::model::finding;
    use sea_orm::{EntityTrait, QueryOrder};
    let rows = finding::Entity::find()
        .order_by_asc(finding::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap();
    (rows, app.count("audit_event").await)
}

#[tokio::test]
async fn the_spending_report_reconciles_with_payments_and_contracts_in_every_grouping() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let paid = sum_sql(
        &app,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) AS n FROM payment",
    )
    .await;
    assert!(paid > 0);
    let lines = app
        .get("/api/v1/budget-lines?limit=500", &sup.token)
        .await
        .expect(200);
    let committed: Decimal = lines.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["committed"]))
        .sum();
    let mut reports = json!({});
    for g in [
        "purchaser",
        "organisation",
        "budget_line",
        "category",
        "division",
    ] {
        let r = app
            .get(
                &format!("/api/v1/reports/spending?group_by={g}"),
                &sup.token,
            )
            .await
            .expect(200)
            .body;
        reports[g] = r.clone();
        let t = &r["totals"];
        assert_eq!(dec(&t["disbursed"]), Decimal::new(paid, 2), "{g}");
        assert_eq!(dec(&t["committed"]), committed, "{g}");
        let items = r["items"].as_array().unwrap();
        let sum: Decimal = items.iter().map(|i| dec(&i["disbursed"])).sum();
        assert_eq!(sum, dec(&t["disbursed"]));
        assert_eq!(
            t["contracts"],
            items
                .iter()
                .map(|i| i["contracts"].as_i64().unwrap())
                .sum::<i64>()
        );
        assert_eq!(
            t["flags"]["payments_before_acceptance"], 0,
            "impossible by design, and the report proves it"
        );
    }
    // Every grouping's rows and totals as a reviewer reads them (labels, money, counts,
    // milestones accepted, the average score, the flags).
    crate::snap::redacted().bind(|| insta::assert_json_snapshot!("demo_spending", &reports));
    app.get("/api/v1/reports/spending?group_by=colour", &sup.token)
        .await
        .expect(422);
    app.get("/api/v1/reports/spending", &sup.token)
        .await
        .expect(422);
}

#[tokio::test]
async fn exports_open_as_csv_with_bom_and_as_a_real_workbook_with_a_totals_row() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let json = app
        .get("/api/v1/reports/spending?group_by=budget_line", &sup.token)
        .await
        .expect(200)
        .body;
    let csv = app
        .get(
            "/api/v1/reports/spending?group_by=budget_line&format=csv",
            &sup.token,
        )
        .await
        .expect(200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = csv.text.as_bytes();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte-order mark"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), json["items"].as_array().unwrap().len() + 1);
    let total = records.last().unwrap();
    assert_eq!(&total[0], "total");
    assert_eq!(&total[5], json["totals"]["disbursed"].as_str().unwrap());
    assert!(
        records.iter().any(|r| r[1].contains("困境儿童")),
        "Chinese text survives"
    );

    let x = app
        .send_from(
            None,
            Method::GET,
            "/api/v1/reports/spending?group_by=budget_line&format=xlsx",
            Some(&sup.token),
            None,
            None,
        )
        .await
        .expect(200);
    let raw = x.raw.clone();
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(raw)).expect("a real workbook");
    let range = wb.worksheet_range("spending").unwrap();
    let rows: Vec<_> = range.rows().collect();
    let totals = rows
        .iter()
        .find(|r| matches!(&r[0], Data::String(s) if s == "total"))
        .expect("totals row");
    match &totals[5] {
        Data::Float(f) => assert_eq!(
            format!("{f:.2}"),
            json["totals"]["disbursed"].as_str().unwrap()
        ),
        other => panic!("money must be a number cell, got {other:?}"),
    }
}

/// A budget line named `=HYPERLINK("http://x","y")` (and coded like one): in the CSV its text
/// cells start with `'` so a spreadsheet shows text, not a link; money stays numbers; the
/// workbook holds the name as a plain string cell, with no formula anywhere.
#[tokio::test]
async fn a_formula_looking_name_is_exported_as_text_not_as_a_formula() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let formula = r#"=HYPERLINK("http://x","y")"#;
    let line = app
        .post(
            "/api/v1/budget-lines",
            &fo.token,
            json!({"fiscal_year": 2026, "code": formula, "name": formula, "amount": "1000.00", "source": "county"}),
        )
        .await
        .expect(201)
        .id();
    app.active_contract(&fo, app.organisation().await, line, "500.00")
        .await;
    let label = format!("{formula} {formula} (2026)");
    let json = app
        .get("/api/v1/reports/spending?group_by=budget_line", &sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        json["items"][0]["label"],
        label.as_str(),
        "JSON is unchanged"
    );

    let csv = app
        .get(
            "/api/v1/reports/spending?group_by=budget_line&format=csv",
            &sup.token,
        )
        .await
        .expect(200);
    let mut reader = csv::Reader::from_reader(&csv.text.as_bytes()[3..]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = records
        .iter()
        .find(|r| r[0] == line.to_string())
        .expect("the line's row");
    assert_eq!(&row[1], format!("'{label}"));
    for r in &records {
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell {cell:?} in {r:?}"
            );
        }
    }
    assert_eq!(&row[2], "1000.00", "money is a number, not quoted");
    assert_eq!(&row[4], "500.00");

    let x = app
        .send_from(
            None,
            Method::GET,
            "/api/v1/reports/spending?group_by=budget_line&format=xlsx",
            Some(&sup.token),
            None,
            None,
        )
        .await
        .expect(200);
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(x.raw)).expect("workbook");
    let range = wb.worksheet_range("spending").unwrap();
    let cell = range
        .rows()
        .find(|r| matches!(&r[0], Data::String(s) if *s == line.to_string()))
        .expect("the line's row")[1]
        .clone();
    assert_eq!(cell, Data::String(label));
    let formulas = wb.worksheet_formula("spending").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "the workbook holds no formula"
    );
}

#[tokio::test]
async fn finance_officers_see_their_own_purchasers_report_and_organisations_none() {
    let app = TestApp::new().await;
    demo(&app).await;
    let mine = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&mine, "1000.00").await;
    app.active_contract(&mine, app.organisation().await, line, "500.00")
        .await;
    let r = app
        .get("/api/v1/reports/spending?group_by=purchaser", &mine.token)
        .await
        .expect(200)
        .body;
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["key"], mine.purchaser_id.unwrap().to_string());
    assert_eq!(items[0]["committed"], "500.00");
    let org = app.user(Role::Organisation).await;
    app.get("/api/v1/reports/spending?group_by=purchaser", &org.token)
        .await
        .expect(403);
}

#[tokio::test]
async fn findings_go_open_answered_resolved_and_are_counted_in_the_report() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let org = app.organisation().await;
    let line = app.budget_line(&fo, "1000.00").await;
    let c = app.active_contract(&fo, org, line, "500.00").await;
    let path = format!("/api/v1/contracts/{c}/findings");
    let nothing = findings_written(&app).await;
    app.post(&path, &fo.token, json!({"severity": "high", "text": "x"}))
        .await
        .expect(403);
    assert_eq!(findings_written(&app).await, nothing, "403 wrote something");
    app.post(&path, &sup.token, json!({"severity": "fatal", "text": "x"}))
        .await
        .expect(422);
    assert_eq!(findings_written(&app).await, nothing, "422 wrote something");
    assert!(nothing.0.is_empty());
    let f = app
        .post(
            &path,
            &sup.token,
            json!({"severity": "high", "text": "服务记录与签到表不符"}),
        )
        .await
        .expect(201);
    app.post(
        &path,
        &sup.token,
        json!({"severity": "low", "text": "台账不全"}),
    )
    .await
    .expect(201);
    let r = app
        .get("/api/v1/reports/spending?group_by=organisation", &sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(r["totals"]["open_findings"], 2);
    assert_eq!(r["totals"]["flags"]["organisations_with_open_findings"], 1);

    let id = f.id();
    let other = app.user(Role::FinanceOfficer).await;
    let open = findings_written(&app).await;
    assert_eq!(open.0.len(), 2);
    app.post(
        &format!("/api/v1/findings/{id}/resolve"),
        &sup.token,
        json!({"resolution": "x"}),
    )
    .await
    .expect(409);
    assert_eq!(findings_written(&app).await, open, "409 wrote something");
    app.post(
        &format!("/api/v1/findings/{id}/respond"),
        &other.token,
        json!({"response": "x"}),
    )
    .await
    .expect(404);
    assert_eq!(findings_written(&app).await, open, "404 wrote something");
    app.post(
        &format!("/api/v1/findings/{id}/respond"),
        &fo.token,
        json!({"response": ""}),
    )
    .await
    .expect(422);
    assert_eq!(findings_written(&app).await, open, "422 wrote something");
    let a = app
        .post(
            &format!("/api/v1/findings/{id}/respond"),
            &fo.token,
            json!({"response": "已补充签到表"}),
        )
        .await
        .expect(200);
    assert_eq!(a.body["status"], "answered");
    let answered = findings_written(&app).await;
    app.post(
        &format!("/api/v1/findings/{id}/resolve"),
        &fo.token,
        json!({"resolution": "x"}),
    )
    .await
    .expect(403);
    assert_eq!(
        findings_written(&app).await,
        answered,
        "403 wrote something"
    );
    let done = app
        .post(
            &format!("/api/v1/findings/{id}/resolve"),
            &sup.token,
            json!({"resolution": "核实无误"}),
        )
        .await
        .expect(200);
    assert_eq!(done.body["status"], "resolved");
    let list = app.get(&path, &fo.token).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_audit_api_filters_and_never_shows_a_sealed_bid() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let line = app.budget_line(&fo, "100000.00").await;
    let tender = app.published_tender(&fo, line, "50000.00").await;
    let bidder = app.user(Role::Organisation).await;
    let bid = app.bid(&bidder, tender, "41234.56").await;
    let all = app
        .get("/api/v1/audit?limit=500", &sup.token)
        .await
        .expect(200);
    assert!(
        !all.text.contains("41234.56"),
        "a sealed bid's amount is in no audit answer"
    );
    app.get(
        &format!("/api/v1/audit?entity_type=bid&entity_id={bid}"),
        &sup.token,
    )
    .await
    .expect(200)
    .body["items"]
        .as_array()
        .unwrap()
        .is_empty()
        .then_some(())
        .expect("no sealed bid event");
    let created = app
        .get(
            &format!("/api/v1/audit?entity_type=tender&entity_id={tender}&action=publish"),
            &sup.token,
        )
        .await
        .expect(200);
    assert_eq!(created.body["items"].as_array().unwrap().len(), 1);
    let by_actor = app
        .get(&format!("/api/v1/audit?actor={}", fo.user_id), &sup.token)
        .await
        .expect(200);
    assert!(
        by_actor.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_user_id"] == fo.user_id.to_string())
    );
    let page = app
        .get("/api/v1/audit?limit=2", &sup.token)
        .await
        .expect(200);
    let next = page.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(&format!("/api/v1/audit?limit=2&cursor={next}"), &sup.token)
        .await
        .expect(200);
    assert!(page2.body["items"][0]["seq"].as_i64() > page.body["items"][1]["seq"].as_i64());
    app.get("/api/v1/audit", &fo.token).await.expect(403);

    app.clock.advance(chrono::Duration::days(11));
    let opened = app
        .get(
            &format!("/api/v1/audit?entity_type=bid&entity_id={bid}"),
            &sup.token,
        )
        .await
        .expect(200);
    assert!(
        opened.text.contains("41234.56"),
        "after the deadline the bid is in the trail"
    );
}

#[tokio::test]
async fn the_dossier_holds_the_whole_contract_for_an_auditor() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let contracts = app
        .get("/api/v1/contracts?status=active", &sup.token)
        .await
        .expect(200)
        .body;
    let tendered = contracts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["tender_id"].is_null())
        .unwrap();
    let d = app
        .get(
            &format!(
                "/api/v1/contracts/{}/dossier",
                tendered["id"].as_str().unwrap()
            ),
            &sup.token,
        )
        .await
        .expect(200)
        .body;
    // The whole dossier as an auditor reads it: the contract, its parties and line, the tender
    // with its three bids, amendments, posts, milestones, reports, performance, payments,
    // findings, the audit trail and the flags.
    crate::snap::redacted().bind(|| insta::assert_json_snapshot!("demo_dossier", &d));
    assert!(
        !d.to_string().contains("11010519491231002X"),
        "no national ID number"
    );
    let org = app.user(Role::Organisation).await;
    app.get(
        &format!(
            "/api/v1/contracts/{}/dossier",
            tendered["id"].as_str().unwrap()
        ),
        &org.token,
    )
    .await
    .expect(403);
}
