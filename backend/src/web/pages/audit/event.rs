//! One event's page (`/audit/events/{seq}`): its fields before and after side by side, the
//! changed ones marked, with its place in the chain (the hash before it and its own).

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde_json::Value;
use uuid::Uuid;

use super::EventRow;
use crate::audit;
use crate::auth::{Can, can};
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::services::names;
use crate::state::AppState;
use crate::web::ui::Ui;

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
}
