//! Contracts: direct awards, their life cycle against the budget line, amendments within the
//! 10 % rule, who sees and changes them, lists, and races on amendments.

use std::collections::HashSet;

use entity::rules::vocab::Role;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp, World};
use uuid::Uuid;

mod amendments;
mod direct_award;
mod life_cycle;
mod order_of_checks;
mod races;
mod visibility_and_lists;

fn contract_path(id: Uuid) -> String {
    format!("/api/v1/contracts/{id}")
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("money as a string, got {v}"))
        .parse()
        .expect("a decimal")
}

/// A budget line's `(committed, available)`.
async fn figures(app: &TestApp, fo: &Login, line: Uuid) -> (String, String) {
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    (
        l["committed"].as_str().unwrap().to_string(),
        l["available"].as_str().unwrap().to_string(),
    )
}

async fn amend(app: &TestApp, fo: &Login, id: Uuid, body: Value) -> Answer {
    app.post(
        &format!("/api/v1/contracts/{id}/amendments"),
        &fo.token,
        body,
    )
    .await
}

/// [`TestApp::post`] with owned arguments, for futures raced together.
async fn post_owned(app: &TestApp, path: String, token: String, body: Value) -> Answer {
    app.post(&path, &token, body).await
}

async fn suspend(app: &TestApp, org: Uuid) {
    let admin = app.user(Role::Admin).await;
    app.patch(
        &format!("/api/v1/organisations/{org}"),
        &admin.token,
        json!({"status": "suspended", "status_reason": "年度检查不合格"}),
    )
    .await
    .expect(200);
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}
