//! `huimin verify budgets`: every budget line's kept reserved, committed and disbursed against
//! the tenders, contracts and payments they sum, as an operator runs it after the demo data,
//! after a line's totals were changed past the application, and with `--recount`.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

use std::process::Output;

use sea_orm::{ConnectionTrait, Database};

mod common;

use common::{Env, command, env, stdout};

fn huimin(env: &Env, args: &[&str]) -> Output {
    command(env).args(args).output().expect("run huimin")
}

#[tokio::test]
async fn verify_budgets_finds_a_total_changed_past_the_application_and_recount_corrects_it() {
    let env = env().await;
    let o = huimin(&env, &["demo"]);
    assert!(o.status.success(), "{o:?}");

    // The demo's tenders, contracts and payments went through the services, which keep the
    // totals.
    let o = huimin(&env, &["verify", "budgets"]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains("every kept total equals its records"),
        "{}",
        stdout(&o)
    );

    // A line with payments: its disbursed is raised by 1.00 yuan behind the application's back.
    let db = Database::connect(&env.url).await.unwrap();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT code, disbursed_fen FROM budget_line WHERE disbursed_fen > 0 ORDER BY code LIMIT 1",
        ))
        .await
        .unwrap()
        .expect("a demo line with payments");
    let code: String = row.try_get("", "code").unwrap();
    let disbursed: i64 = row.try_get("", "disbursed_fen").unwrap();
    db.execute_unprepared(&format!(
        "UPDATE budget_line SET disbursed_fen = disbursed_fen + 100 WHERE code = '{code}'"
    ))
    .await
    .unwrap();
    let events_before = count(&db, "SELECT COUNT(*) AS n FROM audit_event").await;

    let o = huimin(&env, &["verify", "budgets"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let out = stdout(&o);
    let kept = entity::Money::from_fen(disbursed + 100);
    let counted = entity::Money::from_fen(disbursed);
    assert!(out.contains(&code), "{out}");
    assert!(
        out.contains(&format!("disbursed {kept}; its records")),
        "{out}"
    );
    assert!(out.contains(&format!("disbursed {counted}")), "{out}");
    assert!(out.contains("budget lines: 1 disagree"), "{out}");
    // Checking changes nothing.
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM audit_event").await,
        events_before
    );

    let o = huimin(&env, &["verify", "budgets", "--recount"]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains("budget lines: 1 corrected"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT disbursed_fen AS n FROM budget_line WHERE code = '{code}'")
        )
        .await,
        disbursed
    );
    // The correction is an audit event, sealed into an intact chain.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM audit_event WHERE action = 'recount' AND entity_type = 'budget_line'"
        )
        .await,
        1
    );
    let o = huimin(&env, &["audit", "verify"]);
    assert!(o.status.success(), "{o:?}");
    let o = huimin(&env, &["verify", "budgets"]);
    assert!(o.status.success(), "{o:?}");
}

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap()
    .expect("a row")
    .try_get("", "n")
    .unwrap()
}
