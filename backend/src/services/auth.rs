//! Logging in and out, and changing one's own password. Sessions and login counters are not
//! audited (SPEC §2); a password change is, as an update of the user without the hash.

use chrono::{DateTime, Duration, Utc};
use entity::model::{session, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::auth::{Actor, password, throttle, token};
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::services::users::{User, revoke_sessions};
use crate::state::AppState;

/// `POST /auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginAnswer {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// `POST /me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters.
    #[schema(value_type = crate::fields::Password)]
    pub new_password: String,
}

/// Checks the password, throttling failures per account and address, and opens a session.
pub async fn login(st: &AppState, req: Login, address: &str) -> ApiResult<LoginAnswer> {
    let account = req.email.trim().to_lowercase();
    if account.is_empty() || account.len() > 254 || req.password.len() > password::MAX_LEN * 4 {
        return Err(ApiError::Unauthorized("wrong e-mail or password"));
    }
    let now = st.now();
    let attempt = throttle::begin(&st.db, &account, address, now).await?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(&account))
        .one(&st.db)
        .await?;
    let ok = match &found {
        Some(u) => st.passwords.verify(&req.password, &u.password_hash).await? && u.active,
        None => {
            st.passwords.dummy_verify(&req.password).await?;
            false
        }
    };
    // A failure stays counted: the attempt was recorded before the verification.
    let (true, Some(u)) = (ok, found) else {
        return Err(ApiError::Unauthorized("wrong e-mail or password"));
    };
    let (token, hash) = token::generate();
    let expires_at = now + Duration::hours(st.config.token_ttl_hours);
    let txn = begin_write(&st.writer).await?;
    session::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(u.id),
        token_hash: Set(hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    attempt.succeeded(&txn, now).await?;
    txn.commit().await?;
    Ok(LoginAnswer {
        token,
        expires_at,
        user: User::from_model(&u)?,
    })
}

/// Revokes the actor's session.
pub async fn logout(st: &AppState, actor: &Actor) -> ApiResult<()> {
    let mut am = session::Entity::find_by_id(actor.session_id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::Unauthorized(
            "the token is invalid, expired or revoked",
        ))?
        .into_active_model();
    am.revoked_at = Set(Some(st.now()));
    am.update(&st.db).await?;
    st.sessions.clear();
    Ok(())
}

/// Changes the actor's own password after checking the current one (throttled like a login:
/// a stolen session must not become a way to guess the password); other sessions end, and a
/// password an admin set is no longer to be changed.
pub async fn change_password(
    st: &AppState,
    actor: &Actor,
    req: PasswordChange,
    address: &str,
) -> ApiResult<()> {
    password::check_new("new_password", &req.new_password)?;
    let now = st.now();
    let attempt = throttle::begin(&st.db, &actor.user.email, address, now).await?;
    if !st
        .passwords
        .verify(&req.current_password, &actor.user.password_hash)
        .await?
    {
        return Err(ApiError::field(
            "current_password",
            crate::error::codes::PASSWORD_WRONG,
            "is not your current password",
        ));
    }
    if req.new_password == req.current_password {
        return Err(ApiError::field(
            "new_password",
            crate::error::codes::PASSWORD_UNCHANGED,
            "must differ from the current password",
        ));
    }
    let hash = st.passwords.hash(&req.new_password).await?;
    let txn = begin_write(&st.writer).await?;
    let mut am = actor.user.clone().into_active_model();
    am.password_hash = Set(hash);
    am.must_change_password = Set(false);
    am.updated_at = Set(now);
    let updated = am.update(&txn).await?;
    revoke_sessions(&txn, actor.id(), Some(actor.session_id), now).await?;
    attempt.succeeded(&txn, now).await?;
    audit::record(
        &txn,
        now,
        Change::of(
            Some(actor.id()),
            "change_password",
            "user",
            actor.id(),
            Some(&User::from_model(&actor.user)?),
            Some(&User::from_model(&updated)?),
        ),
    )
    .await?;
    txn.commit().await?;
    st.sessions.clear();
    Ok(())
}
