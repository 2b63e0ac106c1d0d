//! `/contracts/{id}/history`: the contract's audit events — of the contract and of its
//! amendments, milestones, indicators, posts, reports, payments and findings, its tender and
//! bids, and its parties — as the dossier of `GET /api/v1/contracts/{id}/dossier` gives them,
//! to the same roles (finance officers of the purchaser, supervisors, admins: `ReadSpending`).
//! The audit trail itself (`/audit`) stays with supervisors and admins.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use uuid::Uuid;

use crate::audit::AuditEntry;
use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::{dossier, names};
use crate::state::AppState;
use crate::web::pages::contract_page::ContractHead;
use crate::web::ui::Ui;

/// One event as the page shows it.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its place in the chain.
    pub seq: i64,
    /// The start of its hash (the whole one is in the audit trail).
    pub hash: String,
    /// Local date and time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub who: String,
    /// The catalogue's word for the record's kind, else the machine word.
    pub what: String,
    /// The catalogue's word for the action, else the machine word.
    pub action: String,
    /// The record is the contract itself.
    pub own: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/contracts/history.html")]
pub struct HistoryPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub events: Vec<Event>,
}

/// The word of `prefix-word` in the page's language, or the word itself when the catalogue
/// has none (an action added later still shows).
pub fn word_or_raw(ui: &Ui, prefix: &str, word: &str) -> String {
    let key = format!("{prefix}-{}", word.replace('_', "-"));
    let text = ui.t(&key);
    if text == key { word.to_string() } else { text }
}

/// An audit event of contract `contract` as the history and the dossier show it.
pub(crate) fn event(
    ui: &Ui,
    users: &HashMap<Uuid, String>,
    contract: Uuid,
    e: &AuditEntry,
) -> Event {
    Event {
        seq: e.seq,
        hash: e.hash.chars().take(12).collect(),
        at: ui.datetime(&e.at),
        who: e
            .actor_user_id
            .and_then(|u| users.get(&u).cloned())
            .unwrap_or_else(|| ui.t("contracts-history-system")),
        what: word_or_raw(ui, "contracts-history-entity", &e.entity_type),
        action: word_or_raw(ui, "contracts-history-action", &e.action),
        own: e.entity_id == contract,
    }
}

/// `GET /contracts/{id}/history`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadSpending>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<HistoryPage> {
    let head = ContractHead::load(&st, &actor, id, "history").await?;
    let d = dossier::get(&st, &actor, id).await?;
    let users = names::users(
        &st.db,
        d.audit_events.iter().filter_map(|e| e.actor_user_id),
    )
    .await?;
    let events = d
        .audit_events
        .iter()
        .rev()
        .map(|e| event(&ui, &users, id, e))
        .collect();
    Ok(HistoryPage { ui, head, events })
}
