//! The `huimin` binary as an operator uses it: migrate, create users, verify the audit chain
//! (and see it fail after tampering), and `serve --demo`. On SQLite, and on a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};

mod common;

use common::{Env, command, env, stderr, stdout, tamper};

fn huimin(env: &Env, args: &[&str]) -> Output {
    command(env).args(args).output().expect("run huimin")
}

/// The newest verification `chain_check` recorded.
async fn last_check(db: &sea_orm::DatabaseConnection) -> entity::model::chain_check::Model {
    use entity::model::chain_check;
    use sea_orm::{EntityTrait, QueryOrder};
    chain_check::Entity::find()
        .order_by_desc(chain_check::Column::CheckedAt)
        .order_by_desc(chain_check::Column::Id)
        .one(db)
        .await
        .unwrap()
        .expect("a verification recorded")
}

#[tokio::test]
async fn migrate_create_users_and_verify_then_detect_tampering() {
    let env = env().await;
    let o = huimin(&env, &["migrate"]);
    assert!(o.status.success(), "{o:?}");

    let o = huimin(
        &env,
        &[
            "user",
            "create",
            "--email",
            "root@county.example",
            "--password",
            "a-long-password",
            "--role",
            "admin",
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("created user root@county.example (admin)"));

    let short = huimin(
        &env,
        &[
            "user",
            "create",
            "--email",
            "x@county.example",
            "--password",
            "short",
            "--role",
            "admin",
        ],
    );
    assert!(!short.status.success());
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("password: must be at least 10 characters")
    );
    let no_purchaser = huimin(
        &env,
        &[
            "user",
            "create",
            "--email",
            "f@county.example",
            "--password",
            "a-long-password",
            "--role",
            "finance_officer",
        ],
    );
    assert!(!no_purchaser.status.success());
    let dup = huimin(
        &env,
        &[
            "user",
            "create",
            "--email",
            "ROOT@county.example",
            "--password",
            "a-long-password",
            "--role",
            "supervisor",
        ],
    );
    assert!(!dup.status.success());
    // Only a finance officer approves payment requests (SPEC §9).
    let approver = huimin(
        &env,
        &[
            "user",
            "create",
            "--email",
            "a@county.example",
            "--password",
            "a-long-password",
            "--role",
            "supervisor",
            "--approver",
        ],
    );
    assert!(!approver.status.success());
    assert!(
        String::from_utf8_lossy(&approver.stderr).contains("approver"),
        "{approver:?}"
    );

    huimin(
        &env,
        &[
            "user",
            "create",
            "--email",
            "sup@county.example",
            "--password",
            "a-long-password",
            "--role",
            "supervisor",
        ],
    );
    let ok = huimin(&env, &["audit", "verify"]);
    assert!(ok.status.success(), "{ok:?}");
    assert!(stdout(&ok).contains("intact: 2 events"), "{}", stdout(&ok));

    let db = Database::connect(&env.url).await.unwrap();
    // Recorded for the supervisor's home, by the command line (no user).
    let check = last_check(&db).await;
    assert_eq!(
        (
            check.checked_by,
            check.intact,
            check.checked,
            check.head_seq
        ),
        (None, true, 2, Some(2))
    );
    // An event a crashed process committed but never sealed, two minutes ago.
    {
        use entity::model::audit_event;
        use sea_orm::{ActiveValue::NotSet, EntityTrait, Set};
        audit_event::Entity::insert(audit_event::ActiveModel {
            id: NotSet,
            seq: Set(None),
            at: Set(chrono::Utc::now() - chrono::Duration::minutes(2)),
            actor_user_id: Set(None),
            action: Set("create".into()),
            entity_type: Set("purchaser".into()),
            entity_id: Set(uuid::Uuid::now_v7()),
            before_json: Set(None),
            after_json: Set(Some("{}".into())),
            canonical: Set(None),
            prev_hash: Set(None),
            hash: Set(None),
        })
        .exec_without_returning(&db)
        .await
        .unwrap();
    }
    let stale = huimin(&env, &["audit", "verify"]);
    assert_eq!(stale.status.code(), Some(3), "{stale:?}");
    assert!(
        stdout(&stale).contains("1 audit events were written over a minute ago"),
        "{}",
        stdout(&stale)
    );
    tamper(&env.url, "DELETE FROM audit_event WHERE seq IS NULL").await;

    tamper(
        &env.url,
        "UPDATE audit_event SET action = 'delete' WHERE seq = 2",
    )
    .await;
    let bad = huimin(&env, &["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    assert!(
        stdout(&bad).contains("BROKEN at event 2"),
        "{}",
        stdout(&bad)
    );
    let check = last_check(&db).await;
    assert_eq!(
        (check.intact, check.checked, check.first_bad_seq),
        (false, 1, Some(2))
    );

    tamper(
        &env.url,
        "UPDATE audit_event SET action = 'create' WHERE seq = 2",
    )
    .await;
    tamper(&env.url, "DELETE FROM audit_event WHERE seq = 1").await;
    let gone = huimin(&env, &["audit", "verify"]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(
        stdout(&gone).contains("BROKEN at event 1"),
        "{}",
        stdout(&gone)
    );
}

#[tokio::test]
async fn serve_demo_prints_the_web_address_first_then_the_logins_and_answers() {
    let env = env().await;
    let mut child = command(&env)
        .args(["serve", "--demo"])
        .env("HUIMIN_BIND", "127.0.0.1:0")
        // Logs on: they must not come before the address.
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = String::new();
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("supervisor@huimin.demo") {
            break;
        }
    }
    // The first line is the web address (the logs go to stderr), the logins follow.
    let first = printed.lines().next().unwrap_or_default();
    let addr = first
        .strip_prefix("Huimin: http://")
        .and_then(|rest| rest.split_once('/'))
        .map(|(addr, _)| addr.to_string())
        .unwrap_or_else(|| panic!("the web address is not the first line: {printed}"));
    assert!(first.contains("/docs"), "{first}");
    assert!(
        printed.contains("admin@huimin.demo") && printed.contains("huimin-demo-2026"),
        "{printed}"
    );

    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// The chain's head as `GET /audit/head` gives it: `SEQ:HASH`.
async fn head(url: &str) -> String {
    use sea_orm::Statement;
    let db = Database::connect(url).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT seq, hash FROM audit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    let seq: i64 = row.try_get("", "seq").unwrap();
    let hash: String = row.try_get("", "hash").unwrap();
    let _ = db.close().await;
    format!("{seq}:{hash}")
}

fn create_user(env: &Env, email: &str) {
    let o = huimin(
        env,
        &[
            "user",
            "create",
            "--email",
            email,
            "--password",
            "a-long-password",
            "--role",
            "supervisor",
        ],
    );
    assert!(o.status.success(), "{o:?}");
}

#[tokio::test]
async fn audit_verify_with_an_anchor_fails_once_the_anchored_event_is_deleted_or_rewritten() {
    let env = env().await;
    for who in ["a", "b", "c"] {
        create_user(&env, &format!("{who}@county.example"));
    }
    let second = {
        let db = Database::connect(&env.url).await.unwrap();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT hash FROM audit_event WHERE seq = 2",
            ))
            .await
            .unwrap()
            .unwrap();
        format!("2:{}", row.try_get::<String>("", "hash").unwrap())
    };
    let third = head(&env.url).await;
    assert!(third.starts_with("3:"), "{third}");

    let held = huimin(
        &env,
        &["audit", "verify", "--anchor", &third, "--anchor", &second],
    );
    assert!(held.status.success(), "{held:?}");
    let out = stdout(&held);
    assert!(out.contains("intact: 3 events"), "{out}");
    assert!(out.contains(&format!("anchor {third}: held")), "{out}");
    // A hash written in capitals is the same hash.
    let upper = third.to_uppercase();
    assert!(
        huimin(&env, &["audit", "verify", "--anchor", &upper])
            .status
            .success()
    );

    // The newest events deleted: the rest of the chain still verifies, the anchor does not.
    tamper(&env.url, "DELETE FROM audit_event WHERE seq >= 2").await;
    let plain = huimin(&env, &["audit", "verify"]);
    assert!(plain.status.success(), "{plain:?}");
    let deleted = huimin(&env, &["audit", "verify", "--anchor", &third]);
    assert_eq!(deleted.status.code(), Some(4), "{deleted:?}");
    let out = stdout(&deleted);
    assert!(
        out.contains(&format!("anchor {third}: NOT HELD"))
            && out.contains("no longer holds event 3")
            && out.contains("deleted"),
        "{out}"
    );

    // New events in their place: the anchored seq exists again, with another hash.
    create_user(&env, "d@county.example");
    assert!(huimin(&env, &["audit", "verify"]).status.success());
    let rewritten = huimin(&env, &["audit", "verify", "--anchor", &second]);
    assert_eq!(rewritten.status.code(), Some(4), "{rewritten:?}");
    let out = stdout(&rewritten);
    assert!(
        out.contains("event 2 now has hash") && out.contains("rewritten"),
        "{out}"
    );

    // A malformed anchor is a usage error, before anything is checked.
    let hash = third.split_once(':').unwrap().1;
    for bad in [
        "3".to_string(),
        format!("x:{hash}"),
        format!("0:{hash}"),
        "3:abc".to_string(),
        format!("3:{}", "g".repeat(64)),
    ] {
        let o = huimin(&env, &["audit", "verify", "--anchor", &bad]);
        assert!(!o.status.success(), "{bad}: {o:?}");
        assert_ne!(o.status.code(), Some(4), "{bad}");
        assert!(stdout(&o).is_empty(), "{bad}: {o:?}");
        let err = stderr(&o);
        assert!(
            err.contains("--anchor") && err.contains("expected SEQ:HASH"),
            "{bad}: {err}"
        );
    }
}
