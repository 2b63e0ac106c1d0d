//! Tenders and sealed bids (SPEC §1–§3, §6): creating and editing drafts, publishing against
//! the budget line, closing, cancelling, marking unsuccessful, awarding, who sees which
//! tender, and who reads which bid before and after the deadline.

use std::collections::BTreeSet;

use axum::http::Method;
use chrono::{Duration, SecondsFormat, Utc};
use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp};
use uuid::Uuid;

mod audit;
mod award;
mod bids;
mod create_and_edit;
mod life_cycle;
mod order_of_checks;
mod races;
mod visibility;

fn tender_path(id: Uuid) -> String {
    format!("/api/v1/tenders/{id}")
}

fn bids_path(id: Uuid) -> String {
    format!("/api/v1/tenders/{id}/bids")
}

/// The ids of a list answer's items.
fn ids(a: &Answer) -> Vec<String> {
    a.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect()
}

/// A timestamp for a query string (`Z` rather than `+00:00`, which a query would read as a
/// space).
fn q_time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `(reserved, available)` of a budget line.
async fn figures(app: &TestApp, fo: &Login, line: Uuid) -> (String, String) {
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    (
        l["reserved"].as_str().expect("reserved").to_string(),
        l["available"].as_str().expect("available").to_string(),
    )
}

fn money(reserved: &str, available: &str) -> (String, String) {
    (reserved.to_string(), available.to_string())
}

async fn status_of(app: &TestApp, fo: &Login, tender: Uuid) -> String {
    app.get(&tender_path(tender), &fo.token)
        .await
        .expect(200)
        .body["status"]
        .as_str()
        .expect("status")
        .to_string()
}

async fn assert_audit_intact(app: &TestApp) {
    let sup = app.user(Role::Supervisor).await;
    let v = app
        .get("/api/v1/audit/verify", &sup.token)
        .await
        .expect(200);
    assert_eq!(v.body["intact"], true, "{}", v.text);
}

/// A draft tender from `body`.
async fn draft(app: &TestApp, fo: &Login, body: Value) -> Uuid {
    app.post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201)
        .id()
}

/// A tender from `body`, published, bid on by one new organisation per amount, and closed
/// after its deadline (the clock is moved 11 days on: `body` must have a nearer deadline).
async fn closed_from(
    app: &TestApp,
    fo: &Login,
    body: Value,
    amounts: &[&str],
) -> (Uuid, Vec<(Login, Uuid)>) {
    let t = draft(app, fo, body).await;
    app.act(&format!("/api/v1/tenders/{t}/publish"), &fo.token)
        .await
        .expect(200);
    let mut bids = Vec::new();
    for a in amounts {
        let org = app.user(Role::Organisation).await;
        let b = app.bid(&org, t, a).await;
        bids.push((org, b));
    }
    app.clock.advance(Duration::days(11));
    app.act(&format!("/api/v1/tenders/{t}/close"), &fo.token)
        .await
        .expect(200);
    (t, bids)
}

async fn suspend(app: &TestApp, org: Uuid) {
    let admin = app.user(Role::Admin).await;
    let s = app
        .patch(
            &format!("/api/v1/organisations/{org}"),
            &admin.token,
            json!({"status": "suspended", "status_reason": "年检不合格"}),
        )
        .await
        .expect(200);
    assert_eq!(s.body["status"], "suspended");
}
