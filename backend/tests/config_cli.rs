//! Settings an operator can get wrong are refused when `huimin` starts, saying why.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

mod common;

use common::{command, env, stderr};

#[tokio::test]
async fn a_session_cache_over_five_seconds_is_refused() {
    let env = env().await;
    let o = command(&env)
        .env("HUIMIN_SESSION_CACHE_MS", "5001")
        .args(["migrate"])
        .output()
        .expect("run huimin");
    assert!(!o.status.success(), "{o:?}");
    assert!(
        stderr(&o).contains("HUIMIN_SESSION_CACHE_MS") || stderr(&o).contains("5000"),
        "{}",
        stderr(&o)
    );
    let o = command(&env)
        .env("HUIMIN_SESSION_CACHE_MS", "5000")
        .args(["migrate"])
        .output()
        .expect("run huimin");
    assert!(o.status.success(), "{o:?}");
}

#[tokio::test]
async fn a_short_secret_stops_serve() {
    let env = env().await;
    let o = command(&env)
        .env("HUIMIN_SECRET", "too-short")
        .env("HUIMIN_BIND", "127.0.0.1:0")
        .args(["serve", "--no-jobs"])
        .output()
        .expect("run huimin");
    assert!(!o.status.success(), "{o:?}");
    assert!(stderr(&o).contains("at least 32 bytes"), "{}", stderr(&o));
}

#[tokio::test]
async fn trusted_proxies_must_be_addresses_or_ranges() {
    let env = env().await;
    let o = command(&env)
        .env("HUIMIN_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")
        .args(["migrate"])
        .output()
        .expect("run huimin");
    assert!(!o.status.success(), "{o:?}");
    assert!(stderr(&o).contains("proxy.local"), "{}", stderr(&o));
}
