//! The [`Actor`] extractor: who is making the request. A missing, unknown, expired or revoked
//! token, or a deactivated user, answers 401 before any handler runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::{Method, header, request::Parts};
use chrono::{DateTime, Utc};
use entity::model::{session, user};
use entity::rules::vocab::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::token;
use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie of the web pages: the same kind of token the API hands out, never
/// readable by script.
pub const SESSION_COOKIE: &str = "huimin_session";

/// The authenticated user of a request and the session it came with.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's row as the session read it, with `notifications_unseen` the badge's whole
    /// count (see [`entity::queries::unseen_notifications`]).
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

/// Recently checked sessions, by token hash, for at most `HUIMIN_SESSION_CACHE_MS` (5 s at
/// most): the check of a busy client's token does not hit the database on every request. A
/// logout, a password change, a role change or a deactivation clears it in this process at
/// once; another replica may accept a revoked token for at most that time. Expiry is checked on
/// every hit.
///
/// A request that read its session from the database just before a revocation must not put it
/// back after the revocation's [`SessionCache::clear`]: every entry carries the cache's
/// generation as it was *before* its database read, and a clear starts a new generation, so an
/// entry read before the clear is never served after it.
#[derive(Clone)]
pub struct SessionCache {
    entries: moka::sync::Cache<String, Cached>,
    generation: Arc<AtomicU64>,
}

#[derive(Clone)]
struct Cached {
    actor: Actor,
    expires_at: DateTime<Utc>,
    generation: u64,
}

impl SessionCache {
    /// A cache keeping entries for `ttl` (zero disables it).
    pub fn new(ttl: std::time::Duration) -> Self {
        SessionCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(if ttl.is_zero() { 0 } else { 100_000 })
                .time_to_live(ttl)
                .support_invalidation_closures()
                .build(),
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Forgets every cached session (after any revocation).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    /// Forgets the cached sessions of one user (after a change to them that only they see).
    pub fn forget_user(&self, user_id: Uuid) {
        if self
            .entries
            .invalidate_entries_if(move |_, c| c.actor.user.id == user_id)
            .is_err()
        {
            self.clear();
        }
    }

    /// The current generation: read it before the database read whose result is cached.
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// A live entry of the current generation.
    fn get(&self, hash: &str, now: DateTime<Utc>) -> Option<Actor> {
        self.entries
            .get(hash)
            .filter(|c| c.generation == self.generation() && now < c.expires_at)
            .map(|c| c.actor)
    }

    /// Remembers a session read from the database during `generation`.
    fn insert(&self, hash: String, actor: Actor, expires_at: DateTime<Utc>, generation: u64) {
        if generation == self.generation() {
            self.entries.insert(
                hash,
                Cached {
                    actor,
                    expires_at,
                    generation,
                },
            );
        }
    }
}

/// The only requests a user who must change the password may make: change it (the API's
/// `/me/password`, the profile page and its form), or sign out.
fn allowed_before_password_change(parts: &Parts) -> bool {
    let path = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.path(), |u| u.0.path());
    match parts.method {
        Method::GET => path == "/profile",
        Method::POST => matches!(
            path,
            "/api/v1/me/password" | "/api/v1/auth/logout" | "/profile/password" | "/logout"
        ),
        _ => false,
    }
}

/// Marks a request of the web interface: its session comes from the session cookie, and
/// never from an `Authorization` header. API requests are the opposite: a cookie never
/// authenticates them, so no other site's form can act through a signed-in browser.
#[derive(Clone, Copy, Debug)]
pub struct CookieSession;

/// A cookie's value.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The session token a request carries: the bearer token of an API request, or the session
/// cookie of a page's request.
fn token_of(parts: &Parts) -> Result<&str, ApiError> {
    let token = if parts.extensions.get::<CookieSession>().is_some() {
        cookie(parts, SESSION_COOKIE)
    } else {
        parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
    };
    token
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or(ApiError::Unauthorized("send Authorization: Bearer <token>"))
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
        if actor.user.must_change_password && !allowed_before_password_change(parts) {
            return Err(ApiError::ForbiddenBecause {
                code: crate::error::codes::PASSWORD_CHANGE_REQUIRED.as_str(),
                detail: "change your password first (POST /api/v1/me/password)",
            });
        }
        parts.extensions.insert(actor.clone());
        Ok(actor)
    }
}

impl Actor {
    async fn authenticate(parts: &Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_of(parts)?;
        let now = state.now();
        let hash = token::hash(token);
        if let Some(actor) = state.sessions.get(&hash, now) {
            return Ok(actor);
        }
        let generation = state.sessions.generation();
        // One indexed query: the session by its token hash, with its user.
        let found = session::Entity::find()
            .filter(session::Column::TokenHash.eq(&hash))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .find_also_related(user::Entity)
            .one(&state.db)
            .await?;
        let invalid = ApiError::Unauthorized("the token is invalid, expired or revoked");
        let (session, Some(mut user)) = found.ok_or(invalid)? else {
            return Err(ApiError::Unauthorized(
                "the token is invalid, expired or revoked",
            ));
        };
        if !user.active {
            return Err(ApiError::Unauthorized("the account is deactivated"));
        }
        let role = user.role;
        // The header's badge: the count on the row plus what notifications queued since it was
        // last folded add (PostgreSQL), read once per session read rather than on every page.
        user.notifications_unseen =
            entity::queries::unseen_notifications(&state.db, user.id).await?;
        let actor = Actor {
            user,
            role,
            session_id: session.id,
        };
        state
            .sessions
            .insert(hash, actor.clone(), session.expires_at, generation);
        Ok(actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use entity::rules::vocab::Locale;

    fn actor() -> Actor {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
        Actor {
            user: user::Model {
                id: Uuid::now_v7(),
                email: "a@example.org".into(),
                display_name: "A".into(),
                role: Role::Admin,
                purchaser_id: None,
                organisation_id: None,
                password_hash: String::new(),
                active: true,
                locale: Locale::ZhCn,
                must_change_password: false,
                approver: false,
                notifications_seen_at: None,
                notifications_unseen: 0,
                created_at: at,
                updated_at: at,
            },
            role: Role::Admin,
            session_id: Uuid::now_v7(),
        }
    }

    #[test]
    fn a_session_read_before_a_revocation_is_not_served_after_it() {
        let cache = SessionCache::new(std::time::Duration::from_secs(5));
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let expires = now + chrono::Duration::hours(1);
        // A request reads the session from the database …
        let read_during = cache.generation();
        // … a logout revokes it and clears the cache meanwhile …
        cache.clear();
        // … and the request puts what it read into the cache afterwards.
        cache.insert("h".into(), actor(), expires, read_during);
        assert!(cache.get("h", now).is_none());
        // A read after the clear is cached as usual, and dropped by the next clear.
        cache.insert("h".into(), actor(), expires, cache.generation());
        assert!(cache.get("h", now).is_some());
        assert!(cache.get("h", expires).is_none(), "served past its expiry");
        let read_during = cache.generation();
        cache.clear();
        assert!(cache.get("h", now).is_none());
        cache.insert("h".into(), actor(), expires, read_during);
        assert!(cache.get("h", now).is_none());
    }
}
