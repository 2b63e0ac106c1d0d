//! The [`Actor`] extractor: who is making the request. A missing, unknown, expired or revoked
//! token, or a deactivated user, answers 401 before any handler runs.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use chrono::{DateTime, Utc};
use entity::model::{session, user};
use entity::rules::vocab::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::token;
use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated user of a request and the session it came with.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: user::Model,
    pub role: Role,
    pub session_id: Uuid,
}

impl Actor {
    /// The user's id.
    pub fn id(&self) -> Uuid {
        self.user.id
    }
}

/// Recently checked sessions, by token hash, for a second at most: the check of a busy client's
/// token does not hit the database on every request. A logout, a password change, a role
/// change or a deactivation clears it in this process at once; another replica may accept a
/// revoked token for at most that second. Expiry is checked on every hit.
#[derive(Clone)]
pub struct SessionCache(moka::sync::Cache<String, (Actor, DateTime<Utc>)>);

impl SessionCache {
    /// A cache keeping entries for `ttl` (zero disables it).
    pub fn new(ttl: std::time::Duration) -> Self {
        SessionCache(
            moka::sync::Cache::builder()
                .max_capacity(if ttl.is_zero() { 0 } else { 100_000 })
                .time_to_live(ttl)
                .build(),
        )
    }

    /// Forgets every cached session (after any revocation).
    pub fn clear(&self) {
        self.0.invalidate_all();
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Several extractors of one request (`Can`, `Seen`) ask: authenticate once.
        if let Some(actor) = parts.extensions.get::<Actor>() {
            return Ok(actor.clone());
        }
        let actor = Self::authenticate(parts, state).await?;
        parts.extensions.insert(actor.clone());
        Ok(actor)
    }
}

impl Actor {
    async fn authenticate(parts: &Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(ApiError::Unauthorized("send Authorization: Bearer <token>"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or(ApiError::Unauthorized("send Authorization: Bearer <token>"))?;
        let now = state.now();
        let hash = token::hash(token);
        if let Some((actor, expires_at)) = state.sessions.0.get(&hash)
            && now < expires_at
        {
            return Ok(actor);
        }
        // One indexed query: the session by its token hash, with its user.
        let found = session::Entity::find()
            .filter(session::Column::TokenHash.eq(&hash))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .find_also_related(user::Entity)
            .one(&state.db)
            .await?;
        let invalid = ApiError::Unauthorized("the token is invalid, expired or revoked");
        let (session, Some(user)) = found.ok_or(invalid)? else {
            return Err(ApiError::Unauthorized(
                "the token is invalid, expired or revoked",
            ));
        };
        if !user.active {
            return Err(ApiError::Unauthorized("the account is deactivated"));
        }
        let role = Role::parse(&user.role)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored role {:?}", user.role)))?;
        let actor = Actor {
            user,
            role,
            session_id: session.id,
        };
        state
            .sessions
            .0
            .insert(hash, (actor.clone(), session.expires_at));
        Ok(actor)
    }
}
