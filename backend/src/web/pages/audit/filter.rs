//! The trail's filters (record, actor, action, time) as typed in its GET form: read into the
//! API's `AuditFilter` by the API's rules (a field that does not read is refused beside it; an
//! actor is an e-mail address or a user's id), and written back into the trail's addresses.

use serde::Deserialize;
use uuid::Uuid;

use super::ENTITY_TYPES;
use crate::audit::AuditFilter;
use crate::error::{ApiError, ApiResult, FieldError, codes};
use crate::services::users::{self, UserFilter};
use crate::state::AppState;
use crate::web::feedback::Fields;
use crate::web::pages::tenders::day_start;

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
    pub(super) async fn filter(&self, st: &AppState) -> ApiResult<AuditFilter> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
