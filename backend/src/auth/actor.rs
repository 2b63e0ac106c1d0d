//! The [`Actor`] extractor: who is making the request. A missing, unknown, expired or revoked
//! token, or a deactivated user, answers 401 before any handler runs.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
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

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
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
        // One indexed query: the session by its token hash, with its user.
        let found = session::Entity::find()
            .filter(session::Column::TokenHash.eq(token::hash(token)))
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
        Ok(Actor {
            user,
            role,
            session_id: session.id,
        })
    }
}
