//! `/audit`: the audit trail for supervisors and admins (the API's `ReadAudit`), newest first,
//! filtered as `GET /api/v1/audit` (record, actor, action, time) and paged by its cursor; one
//! event's before and after side by side (`/audit/events/{seq}`); the chain's head (`seq`,
//! hash) to write down; and "verify the chain" (`/audit/verify`), the check of `huimin audit
//! verify`, with its result. Events of bids still sealed are left out, as in the API.

use std::collections::{BTreeSet, HashMap};

use crate::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, AuditFilter, Head, VerifyReport};
use crate::auth::{Can, can};
use crate::error::{ApiError, ApiResult, FieldError, codes};
use crate::services::names;
use crate::services::users::{self, UserFilter};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::pages::contracts::history::word_or_raw;
use crate::web::pages::tenders::day_start;
use crate::web::ui::Ui;

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

/// How many events a page shows.
const PAGE: u64 = 50;

/// The filters as typed in the page's GET form, and the page's cursor.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailQuery {
    #[serde(default)]
    pub entity_type: String,
    #[serde(default)]
    pub entity_id: String,
    /// The acting user: an e-mail address or a user's id.
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    /// A local date: events from its start.
    #[serde(default)]
    pub from: String,
    /// A local date: events up to its end.
    #[serde(default)]
    pub to: String,
    pub cursor: Option<String>,
}

impl TrailQuery {
    /// The API's filter of these fields; a field that does not read is refused (422), an
    /// actor no user has is `reference.unknown`.
    async fn filter(&self, st: &AppState) -> ApiResult<AuditFilter> {
        let mut f = Fields::default();
        let entity_type = (!self.entity_type.trim().is_empty())
            .then(|| {
                f.choice("entity_type", &self.entity_type, |w| {
                    ENTITY_TYPES.iter().find(|t| **t == w).copied()
                })
            })
            .flatten();
        let from = f.opt_date("from", &self.from);
        let to = f.opt_date("to", &self.to);
        let action = f.opt_text(&self.action);
        // A record's id is typed (or pasted), not chosen: one that does not read is invalid.
        let entity_id = match self.entity_id.trim() {
            "" => Ok(None),
            typed => typed.parse::<Uuid>().map(Some).map_err(|_| {
                FieldError::new("entity_id", codes::FIELD_INVALID, "is not a record's id")
            }),
        };
        let entity_id = match (f.finish(), entity_id) {
            (Ok(()), Ok(id)) => id,
            (Ok(()), Err(bad)) => return Err(ApiError::Validation(vec![bad])),
            (Err(ApiError::Validation(mut all)), bad) => {
                all.extend(bad.err());
                return Err(ApiError::Validation(all));
            }
            (Err(e), _) => return Err(e),
        };
        let actor = self.actor_id(st).await?;
        Ok(AuditFilter {
            entity_type: entity_type.map(str::to_string),
            entity_id,
            actor,
            action,
            from: from.and_then(|d| day_start(st, d)),
            to: to.and_then(|d| day_start(st, d.succ_opt()?)),
            limit: Some(PAGE),
            cursor: self.cursor.clone(),
        })
    }

    /// The actor typed: a user's id as it is, an e-mail address as its user's id.
    async fn actor_id(&self, st: &AppState) -> ApiResult<Option<Uuid>> {
        let typed = self.actor.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        if let Ok(id) = typed.parse::<Uuid>() {
            return Ok(Some(id));
        }
        let found = users::list_users(
            st,
            UserFilter {
                role: None,
                purchaser_id: None,
                organisation_id: None,
                email: Some(typed.to_string()),
                limit: Some(1),
                cursor: None,
            },
        )
        .await?;
        match found.items.first() {
            Some(u) => Ok(Some(u.id)),
            None => Err(ApiError::field(
                "actor",
                codes::REFERENCE_UNKNOWN,
                "no user has this e-mail address",
            )),
        }
    }

    /// The address of the trail with these filters, at `cursor` (none: the first page).
    pub fn href(&self, cursor: Option<&str>) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("entity_type", &self.entity_type),
            ("entity_id", &self.entity_id),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        if let Some(c) = cursor {
            q.append_pair("cursor", c);
        }
        let q = q.finish();
        if q.is_empty() {
            "/audit".into()
        } else {
            format!("/audit?{q}")
        }
    }
}

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

/// The chain's head as the page shows it, ready to write down.
#[derive(Debug, Clone)]
pub struct HeadView {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    /// `SEQ:HASH`, as `huimin audit verify --anchor` takes it.
    pub anchor: String,
}

impl HeadView {
    fn of(ui: &Ui, h: Head) -> Self {
        HeadView {
            anchor: format!("{}:{}", h.seq, h.hash),
            at: ui.datetime(&h.at),
            seq: h.seq,
            hash: h.hash,
        }
    }
}

/// Every acknowledged write sealed into the chain, then its head.
async fn sealed_head(st: &AppState, ui: &Ui) -> ApiResult<Option<HeadView>> {
    st.sealer.seal().await?;
    Ok(entity::queries::audit_head(&st.db)
        .await?
        .map(|h| HeadView::of(ui, h.into())))
}

/// The result of verifying the chain, as the page shows it.
#[derive(Debug, Clone)]
pub struct Verified {
    pub intact: bool,
    pub checked: i64,
    /// The first bad event's `seq` (0 when intact).
    pub first_bad_seq: i64,
    /// What is wrong with it, as the check says it.
    pub reason: Option<String>,
    /// Events over a minute old and not yet sealed into the chain.
    pub unsealed: i64,
}

impl From<VerifyReport> for Verified {
    fn from(r: VerifyReport) -> Self {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Verified {
            intact: r.intact,
            checked: n(r.checked),
            first_bad_seq: r.first_bad_seq.unwrap_or_default(),
            reason: r.reason,
            unsealed: n(r.unsealed_over_a_minute),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/audit/trail.html")]
pub struct TrailPage {
    pub ui: Ui,
    pub q: TrailQuery,
    pub fb: Feedback,
    pub rows: Vec<EventRow>,
    pub next: Option<String>,
    pub head: Option<HeadView>,
    /// The result of "verify the chain", on `/audit/verify`.
    pub verified: Option<Verified>,
    pub entity_types: &'static [&'static str],
    pub actions: &'static [&'static str],
}

impl TrailPage {
    /// Messages of refused fields the form has no place for (a stale cursor).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb
            .others(&["entity_type", "entity_id", "actor", "action", "from", "to"])
    }

    /// Whether any filter is set.
    pub fn filtered(&self) -> bool {
        self.q.href(None) != "/audit"
    }

    /// The kinds of record of the filter: (word, name).
    pub fn entity_type_options(&self) -> Vec<(String, String)> {
        self.entity_types
            .iter()
            .map(|t| {
                let name = word_or_raw(&self.ui, "contracts-history-entity", t);
                (t.to_string(), name)
            })
            .collect()
    }

    /// The word of an action in the page's language.
    pub fn action_word(&self, a: &str) -> String {
        word_or_raw(&self.ui, "contracts-history-action", a)
    }
}

async fn trail_page(
    st: &AppState,
    ui: Ui,
    q: TrailQuery,
    verified: Option<Verified>,
) -> ApiResult<Response> {
    let head = sealed_head(st, &ui).await?;
    let found = async {
        let f = q.filter(st).await?;
        audit::list_newest_first(&st.db, f, st.now()).await
    }
    .await;
    let (rows, next, fb) = match found {
        Ok(page) => {
            let users =
                names::users(&st.db, page.items.iter().filter_map(|e| e.actor_user_id)).await?;
            let rows = page
                .items
                .iter()
                .map(|e| EventRow::of(&ui, &users, e))
                .collect();
            let next = page.next_cursor.map(|c| q.href(Some(&c)));
            (rows, next, Feedback::none())
        }
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = TrailPage {
        ui,
        q,
        fb,
        rows,
        next,
        head,
        verified,
        entity_types: ENTITY_TYPES,
        actions: ACTIONS,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /audit`: the trail, newest first.
pub async fn trail(
    State(st): State<AppState>,
    _actor: Can<can::ReadAudit>,
    ui: Ui,
    Query(q): Query<TrailQuery>,
) -> ApiResult<Response> {
    trail_page(&st, ui, q, None).await
}

/// `GET /audit/verify`: the whole chain recomputed (what `GET /api/v1/audit/verify` and
/// `huimin audit verify` do), its result above the trail's first page, and recorded for the
/// supervisor's home. Changes nothing but that record: a GET, safe to repeat.
pub async fn verify(
    State(st): State<AppState>,
    actor: Can<can::ReadAudit>,
    ui: Ui,
) -> ApiResult<Response> {
    st.sealer.seal().await?;
    let report = audit::verify_and_record(&st, Some(actor.id())).await?;
    trail_page(&st, ui, TrailQuery::default(), Some(Verified::from(report))).await
}

/// One field of an event, before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    /// `None`: the field was not there.
    pub before: Option<String>,
    pub after: Option<String>,
    pub changed: bool,
}

/// A value as the page shows it: text as it is, anything else as compact JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields of `before` and `after` side by side, in name order (a value that is not an
/// object is one field without a name).
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let fields = |v: Option<&Value>| -> Vec<(String, String)> {
        match v {
            None => Vec::new(),
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), shown(v))).collect(),
            Some(other) => vec![(String::new(), shown(other))],
        }
    };
    let (b, a) = (fields(before), fields(after));
    let names: BTreeSet<&String> = b.iter().chain(a.iter()).map(|(k, _)| k).collect();
    let find = |list: &[(String, String)], k: &str| {
        list.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    names
        .into_iter()
        .map(|k| {
            let (before, after) = (find(&b, k), find(&a, k));
            FieldChange {
                changed: before != after,
                field: k.clone(),
                before,
                after,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/audit/event.html")]
pub struct EventPage {
    pub ui: Ui,
    pub row: EventRow,
    pub entity_type: String,
    pub actor_id: Option<Uuid>,
    pub prev_hash: String,
    pub hash: String,
    pub fields: Vec<FieldChange>,
    /// The event has a before and an after (a change, not a creation): changed fields are
    /// marked.
    pub both_sides: bool,
}

/// `GET /audit/events/{seq}`: one event, its before and after side by side (404 for no such
/// sealed event, or one of a bid still sealed).
pub async fn event(
    State(st): State<AppState>,
    _actor: Can<can::ReadAudit>,
    ui: Ui,
    Path(seq): Path<i64>,
) -> ApiResult<EventPage> {
    st.sealer.seal().await?;
    let e = audit::event(&st.db, seq, st.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    let users = names::users(&st.db, e.actor_user_id).await?;
    Ok(EventPage {
        row: EventRow::of(&ui, &users, &e),
        entity_type: e.entity_type.clone(),
        actor_id: e.actor_user_id,
        fields: diff(e.before.as_ref(), e.after.as_ref()),
        both_sides: e.before.is_some() && e.after.is_some(),
        prev_hash: e.prev_hash,
        hash: e.hash,
        ui,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn before_and_after_are_set_side_by_side_by_field() {
        let before = json!({"name": "旧", "active": true, "gone": 1});
        let after = json!({"name": "新", "active": true, "added": null});
        let d = diff(Some(&before), Some(&after));
        let row = |f: &str| d.iter().find(|r| r.field == f).unwrap().clone();
        assert_eq!(
            d.iter().map(|r| r.field.as_str()).collect::<Vec<_>>(),
            ["active", "added", "gone", "name"]
        );
        assert!(!row("active").changed);
        assert_eq!(row("name").before.as_deref(), Some("旧"));
        assert_eq!(row("name").after.as_deref(), Some("新"));
        assert!(row("gone").changed && row("gone").after.is_none());
        assert_eq!(row("added").after.as_deref(), Some("null"));
        let created = diff(None, Some(&json!({"a": 1})));
        assert!(created[0].changed && created[0].before.is_none());
    }

    #[test]
    fn the_trails_address_keeps_its_filters() {
        let q = TrailQuery {
            entity_type: "contract".into(),
            actor: "a@b.cn".into(),
            ..TrailQuery::default()
        };
        assert_eq!(
            q.href(Some("42")),
            "/audit?entity_type=contract&actor=a%40b.cn&cursor=42"
        );
        assert_eq!(TrailQuery::default().href(None), "/audit");
    }
}
