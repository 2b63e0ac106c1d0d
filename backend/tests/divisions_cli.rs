//! `huimin divisions import FILE.csv`: loads the register with parents derived from the codes,
//! a second import renames, and a bad row refuses the whole file naming its line. On SQLite,
//! and on a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

use std::process::Output;

use sea_orm::{ConnectionTrait, Database, Statement};

mod common;

use common::{Env, command, env, stderr, stdout};

fn huimin(env: &Env, args: &[&str]) -> Output {
    command(env).args(args).output().expect("run huimin")
}

fn write(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// `(code, name, parent_code)` of every division, by code.
async fn register(url: &str) -> Vec<(String, String, Option<String>)> {
    let db = Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT code, name, parent_code FROM division ORDER BY code",
        ))
        .await
        .unwrap();
    let out = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "code").unwrap(),
                r.try_get::<String>("", "name").unwrap(),
                r.try_get::<Option<String>>("", "parent_code").unwrap(),
            )
        })
        .collect();
    let _ = db.close().await;
    out
}

#[tokio::test]
async fn divisions_import_loads_renames_and_refuses_a_bad_file_whole() {
    let env = env().await;
    let first = write(
        &env,
        "register.csv",
        "code,name\n410523,汤阴县\n410523100,城关镇\n410523100201,韩庄村\n410523101201,菜园村\n",
    );
    let o = huimin(&env, &["divisions", "import", &first]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        stdout(&o).contains("imported 4 divisions") && stdout(&o).contains("4 added"),
        "{o:?}"
    );
    let s = |v: &str| v.to_string();
    assert_eq!(
        register(&env.url).await,
        [
            (s("410523"), s("汤阴县"), None),
            (s("410523100"), s("城关镇"), Some(s("410523"))),
            (s("410523100201"), s("韩庄村"), Some(s("410523100"))),
            // A village may come before its township: the parent is the code's, not a row's.
            (s("410523101201"), s("菜园村"), Some(s("410523101"))),
        ]
    );

    // Re-import (no header this time): a name changes, a division is added.
    let second = write(
        &env,
        "renamed.csv",
        "410523100201,韩庄社区\n410523101,菜园镇\n",
    );
    let o = huimin(&env, &["divisions", "import", &second]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).contains("1 added, 1 renamed"), "{o:?}");
    let after = register(&env.url).await;
    assert_eq!(after.len(), 5);
    assert!(after.contains(&(s("410523100201"), s("韩庄社区"), Some(s("410523100")))));

    // A bad row on line 3: the error names it, and the good row before it is not written.
    let bad = write(
        &env,
        "bad.csv",
        "code,name\n410523100202,东关村\n4105231002,西关村\n",
    );
    let o = huimin(&env, &["divisions", "import", &bad]);
    assert!(!o.status.success(), "{o:?}");
    assert!(
        stderr(&o).contains("line 3") && stderr(&o).contains("4105231002"),
        "{}",
        stderr(&o)
    );
    assert_eq!(register(&env.url).await, after);

    let o = huimin(&env, &["divisions", "import", "missing.csv"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("missing.csv"), "{}", stderr(&o));
}
