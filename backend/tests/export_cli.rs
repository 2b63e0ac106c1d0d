//! `huimin export ocds --out FILE` after `huimin demo`: the file is a complete OCDS release
//! package with the configured `ocid` prefix. On SQLite, and on a fresh PostgreSQL database
//! when `TEST_DATABASE_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

use std::process::Output;

mod common;

use common::Env;

fn huimin(env: &Env, args: &[&str]) -> Output {
    common::command(env)
        .env("HUIMIN_OCID_PREFIX", "ocds-cli123")
        .args(args)
        .output()
        .expect("run huimin")
}

#[tokio::test]
async fn export_ocds_writes_the_demo_release_package_to_a_file() {
    let env = common::env().await;
    let dir = &env.dir;
    let demo = huimin(&env, &["demo"]);
    assert!(demo.status.success(), "{demo:?}");

    let out = dir.path().join("ocds.json");
    let o = huimin(&env, &["export", "ocds", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("wrote 8 OCDS releases"),
        "{o:?}"
    );
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).expect("the file is JSON");
    assert_eq!(package["version"], "1.1");
    assert!(
        package["publishedDate"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    let releases = package["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 8);
    for r in releases {
        assert!(
            r["ocid"].as_str().unwrap().starts_with("ocds-cli123-"),
            "{r}"
        );
    }
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("ocds"))
        .collect();
    assert_eq!(names, ["ocds.json"]);

    let bad = huimin(
        &env,
        &[
            "export",
            "ocds",
            "--out",
            dir.path().join("missing/x.json").to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
}
