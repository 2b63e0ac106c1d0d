//! `/audit`: the audit trail for supervisors and admins (the API's `ReadAudit`), newest first,
//! filtered as `GET /api/v1/audit` (record, actor, action, time) and paged by its cursor; one
//! event's before and after side by side (`/audit/events/{seq}`); the chain's head (`seq`,
//! hash) to write down; and "verify the chain" (`/audit/verify`), the check of `huimin audit
//! verify`, with its result. Events of bids still sealed are left out, as in the API. Here:
//! the routes, the vocabularies of the filter and an event as the pages show it; the filter,
//! the trail's page and the event's page in the modules below.

pub mod event;
pub mod filter;
pub mod trail;

use std::collections::HashMap;

use axum::Router;
use axum::routing::get;
use uuid::Uuid;

use crate::audit::AuditEntry;
use crate::state::AppState;
use crate::web::pages::contracts::history::word_or_raw;
use crate::web::ui::Ui;
use event::{diff, event};
use trail::{trail, verify};

/// The routes of the audit trail.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(trail))
        .route("/audit/verify", get(verify))
        .route("/audit/events/{seq}", get(event))
}

/// The kinds of record the chain describes (SPEC §2), for the filter.
pub const ENTITY_TYPES: &[&str] = &[
    "purchaser",
    "organisation",
    "user",
    "budget_line",
    "tender",
    "bid",
    "contract",
    "amendment",
    "milestone",
    "milestone_report",
    "indicator",
    "post",
    "post_assignment",
    "payment",
    "payment_request",
    "finding",
];

/// The actions the services record, offered as suggestions (the filter takes any word).
pub const ACTIONS: &[&str] = &[
    "create",
    "update",
    "publish",
    "close",
    "cancel",
    "mark_unsuccessful",
    "award",
    "reopen_award",
    "submit_bid",
    "replace_bid",
    "score_bid",
    "sign",
    "amend",
    "terminate",
    "complete",
    "submit",
    "accept",
    "reject",
    "end",
    "respond",
    "resolve",
    "change_status",
    "reset_password",
    "change_password",
    "verify",
    "approve",
    "return",
    "resubmit",
    "withdraw",
    "pay",
];

/// The trail of one record, or of one user's acts, from the first page.
fn trail_of(pairs: &[(&str, &str)]) -> String {
    let q = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/audit?{q}")
}

/// One event as the trail shows it.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub who: String,
    /// The trail of the actor's acts (none for the system).
    pub who_href: Option<String>,
    /// The kind of record, in the page's language.
    pub what: String,
    pub entity_id: Uuid,
    /// The id's last 8 characters (its random part: the first ones are a time, alike for
    /// records made together); the event's page shows it whole.
    pub short_id: String,
    /// The trail of this record.
    pub entity_href: String,
    pub action: String,
    /// The action's machine word, as the API and the filter spell it.
    pub action_raw: String,
    /// How many fields the event changed.
    pub changed: i64,
}

impl EventRow {
    fn of(ui: &Ui, users: &HashMap<Uuid, String>, e: &AuditEntry) -> Self {
        let actor = e.actor_user_id;
        EventRow {
            seq: e.seq,
            at: ui.datetime(&e.at),
            who: actor
                .map(|u| users.get(&u).cloned().unwrap_or_else(|| u.to_string()))
                .unwrap_or_else(|| ui.t("contracts-history-system")),
            who_href: actor.map(|u| trail_of(&[("actor", &u.to_string())])),
            what: word_or_raw(ui, "contracts-history-entity", &e.entity_type),
            entity_id: e.entity_id,
            short_id: e.entity_id.simple().to_string()[24..].to_string(),
            entity_href: trail_of(&[
                ("entity_type", &e.entity_type),
                ("entity_id", &e.entity_id.to_string()),
            ]),
            action: word_or_raw(ui, "contracts-history-action", &e.action),
            action_raw: e.action.clone(),
            changed: entity::rules::counts::to_i64(
                diff(e.before.as_ref(), e.after.as_ref())
                    .iter()
                    .filter(|r| r.changed)
                    .count(),
            ),
        }
    }
}
