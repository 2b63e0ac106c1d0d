//! User accounts (SPEC §2 `user`), managed by admins; `huimin user create` uses the same path.

use entity::model::{organisation, purchaser, session, user};
use entity::rules::vocab::{Locale, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Actor, password};
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::pagination::Page;
use crate::state::AppState;
use crate::store;
use crate::store::page::page;
use crate::store::sql;
use jobs::templates::Message;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub active: bool,
    pub locale: Locale,
    /// The password was set by an admin: until the user changes it (`POST /me/password`),
    /// every other request answers 403 `password.change_required`.
    pub must_change_password: bool,
    /// A finance officer who may approve payment requests (SPEC §9).
    pub approver: bool,
}

impl User {
    /// The API form of a stored user.
    pub fn from_model(m: &user::Model) -> ApiResult<Self> {
        Ok(User {
            id: m.id,
            email: m.email.clone(),
            display_name: m.display_name.clone(),
            role: m.role,
            purchaser_id: m.purchaser_id,
            organisation_id: m.organisation_id,
            active: m.active,
            locale: m.locale,
            must_change_password: m.must_change_password,
            approver: m.approver,
        })
    }
}

/// A new user. Finance officers need a `purchaser_id`, organisation staff an
/// `organisation_id`; admins and supervisors neither.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(value_type = crate::fields::Email)]
    pub email: String,
    #[schema(value_type = crate::fields::Title)]
    pub display_name: String,
    pub role: Role,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// At least 10 characters.
    #[schema(value_type = crate::fields::Password)]
    pub password: String,
    pub locale: Option<Locale>,
    /// May approve payment requests (SPEC §9): finance officers only; default false.
    pub approver: Option<bool>,
}

/// An admin's changes to a user: role, activation, a password reset, name, locale.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub active: Option<bool>,
    /// A new password (a reset): ends the user's sessions.
    #[schema(value_type = Option<crate::fields::Password>)]
    pub password: Option<String>,
    pub locale: Option<Locale>,
    /// May approve payment requests (SPEC §9): finance officers only. A change of role away
    /// from finance officer clears it.
    pub approver: Option<bool>,
}

/// Filters of `GET /users`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub email: Option<String>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// Checks that the role's party link is present, exists, and no other link is given.
async fn check_links(
    db: &impl ConnectionTrait,
    role: Role,
    purchaser_id: Option<Uuid>,
    organisation_id: Option<Uuid>,
) -> ApiResult<()> {
    let mut c = Checks::default();
    let (needs_p, needs_o) = (role == Role::FinanceOfficer, role == Role::Organisation);
    c.check(
        purchaser_id.is_some() == needs_p,
        "purchaser_id",
        if needs_p {
            codes::FIELD_REQUIRED
        } else {
            codes::FIELD_NOT_FOR_ROLE
        },
        if needs_p {
            "is required for a finance officer"
        } else {
            "is only for finance officers"
        },
    );
    c.check(
        organisation_id.is_some() == needs_o,
        "organisation_id",
        if needs_o {
            codes::FIELD_REQUIRED
        } else {
            codes::FIELD_NOT_FOR_ROLE
        },
        if needs_o {
            "is required for organisation staff"
        } else {
            "is only for organisation staff"
        },
    );
    c.finish()?;
    if let Some(p) = purchaser_id
        && purchaser::Entity::find_by_id(p).one(db).await?.is_none()
    {
        return Err(ApiError::field(
            "purchaser_id",
            codes::REFERENCE_UNKNOWN,
            "no such purchaser",
        ));
    }
    if let Some(o) = organisation_id
        && organisation::Entity::find_by_id(o).one(db).await?.is_none()
    {
        return Err(ApiError::field(
            "organisation_id",
            codes::REFERENCE_UNKNOWN,
            "no such organisation",
        ));
    }
    Ok(())
}

/// Refuses `approver: true` for any role but finance officer (422).
fn check_approver(c: &mut Checks, role: Role, approver: Option<bool>) {
    c.check(
        approver != Some(true) || role == Role::FinanceOfficer,
        "approver",
        codes::FIELD_NOT_FOR_ROLE,
        "only a finance officer may approve payment requests",
    );
}

/// Creates a user; `actor` is `None` when the CLI creates the first admin. A user an admin
/// creates must change the password first; creating an organisation's user tells the
/// organisation.
pub async fn create_user(st: &AppState, actor: Option<&Actor>, new: NewUser) -> ApiResult<User> {
    let email = new.email.trim().to_lowercase();
    let mut c = Checks::default();
    c.email("email", &email)
        .text("display_name", &new.display_name, fields::Title::MAX);
    check_approver(&mut c, new.role, new.approver);
    c.finish()?;
    password::check_new("password", &new.password)?;
    let hash = st.passwords.hash(&new.password).await?;
    let mut w = store::Write::begin(st, actor).await?;
    let now = w.now;
    check_links(&*w, new.role, new.purchaser_id, new.organisation_id).await?;
    if user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&*w)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(
            codes::USER_EMAIL_TAKEN,
            "a user with this email already exists",
        ));
    }
    let m = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        display_name: Set(new.display_name.trim().to_string()),
        role: Set(new.role),
        purchaser_id: Set(new.purchaser_id),
        organisation_id: Set(new.organisation_id),
        password_hash: Set(hash),
        active: Set(true),
        locale: Set(new.locale.unwrap_or(Locale::ZhCn)),
        must_change_password: Set(actor.is_some()),
        approver: Set(new.approver.unwrap_or(false)),
        notifications_seen_at: Set(None),
        notifications_unseen: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*w)
    .await?;
    let out = User::from_model(&m)?;
    w.record("create", "user", out.id, None, Some(&out));
    if actor.is_some() {
        notify_organisation(st, &*w, &m, "created").await?;
    }
    w.commit().await?;
    Ok(out)
}

/// Tells an organisation's contact address and its other active users that an admin created
/// or reset the password of `user` (one of its staff), so that nobody signs in as a bidder
/// unnoticed. Nothing for other roles.
async fn notify_organisation(
    st: &AppState,
    db: &impl ConnectionTrait,
    user: &user::Model,
    step: &str,
) -> ApiResult<()> {
    let Some(org) = user
        .organisation_id
        .filter(|_| user.role == Role::Organisation)
    else {
        return Ok(());
    };
    let name = organisation::Entity::find_by_id(org)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let to: Vec<_> = jobs::outbox::organisations(db, &[org])
        .await?
        .remove(&org)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.user_id != Some(user.id) && r.email != user.email)
        .collect();
    let message = Message::AccountChanged {
        organisation: name,
        user: user.display_name.clone(),
        email: user.email.clone(),
        reset: step != "created",
    };
    crate::services::notify::queue(st, db, to, message, user.id, step, "/".into()).await
}

/// Changes a user. Deactivation and password resets end the user's sessions; a reset means
/// the user must change the password first, and tells the user's organisation.
pub async fn update_user(st: &AppState, actor: &Actor, id: Uuid, p: UserPatch) -> ApiResult<User> {
    let mut c = Checks::default();
    if let Some(n) = &p.display_name {
        c.text("display_name", n, fields::Title::MAX);
    }
    c.check(
        !(id == actor.id() && p.active == Some(false)),
        "active",
        codes::USER_SELF_DEACTIVATE,
        "you cannot deactivate yourself",
    );
    c.finish()?;
    let hash = match &p.password {
        Some(pw) => {
            password::check_new("password", pw)?;
            Some(st.passwords.hash(pw).await?)
        }
        None => None,
    };
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let old = user::Entity::find_by_id(id)
        .one(&*w)
        .await?
        .ok_or(ApiError::NotFound)?;
    let before = User::from_model(&old)?;
    let role = p.role.unwrap_or(before.role);
    let (purchaser_id, organisation_id) = links_for(role, &p, &before)?;
    check_links(&*w, role, purchaser_id, organisation_id).await?;
    let approver = role == Role::FinanceOfficer && p.approver.unwrap_or(before.approver);
    let end_sessions = hash.is_some() || p.active == Some(false) || role != before.role;
    let mut am = old.into_active_model();
    if let Some(v) = p.display_name {
        am.display_name = Set(v.trim().to_string());
    }
    if let Some(v) = p.active {
        am.active = Set(v);
    }
    if let Some(v) = p.locale {
        am.locale = Set(v);
    }
    let reset = hash.is_some();
    if let Some(h) = hash {
        am.password_hash = Set(h);
        am.must_change_password = Set(true);
    }
    am.role = Set(role);
    am.purchaser_id = Set(purchaser_id);
    am.organisation_id = Set(organisation_id);
    am.approver = Set(approver);
    am.updated_at = Set(now);
    let updated = am.update(&*w).await?;
    let out = User::from_model(&updated)?;
    if end_sessions {
        revoke_sessions(&*w, id, None, now).await?;
    }
    if reset {
        let step = format!("reset-{}", now.timestamp_micros());
        notify_organisation(st, &*w, &updated, &step).await?;
    }
    let action = if p.password.is_some() {
        "reset_password"
    } else {
        "update"
    };
    w.record(action, "user", id, Some(&before), Some(&out));
    w.commit().await?;
    st.sessions.clear();
    Ok(out)
}

/// The party links of a user changed to `role`: a role change re-derives them, keeping those
/// the new role uses; a link given for a role that has none, or an approver who is not a
/// finance officer, is refused (422).
fn links_for(role: Role, p: &UserPatch, before: &User) -> ApiResult<(Option<Uuid>, Option<Uuid>)> {
    let purchaser_id = p
        .purchaser_id
        .or(before.purchaser_id)
        .filter(|_| role == Role::FinanceOfficer);
    let organisation_id = p
        .organisation_id
        .or(before.organisation_id)
        .filter(|_| role == Role::Organisation);
    if p.purchaser_id.is_some() && role != Role::FinanceOfficer {
        return Err(ApiError::field(
            "purchaser_id",
            codes::FIELD_NOT_FOR_ROLE,
            "is only for finance officers",
        ));
    }
    if p.organisation_id.is_some() && role != Role::Organisation {
        return Err(ApiError::field(
            "organisation_id",
            codes::FIELD_NOT_FOR_ROLE,
            "is only for organisation staff",
        ));
    }
    let mut c = Checks::default();
    check_approver(&mut c, role, p.approver);
    c.finish()?;
    Ok((purchaser_id, organisation_id))
}

/// Saves the language of the actor's own pages and mail.
pub async fn set_own_locale(st: &AppState, actor: &Actor, locale: Locale) -> ApiResult<User> {
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let before = User::from_model(&actor.user)?;
    let mut am = actor.user.clone().into_active_model();
    am.locale = Set(locale);
    am.updated_at = Set(now);
    let out = User::from_model(&am.update(&*w).await?)?;
    w.record("update", "user", actor.id(), Some(&before), Some(&out));
    w.commit().await?;
    // Cached sessions carry the user as it was.
    st.sessions.clear();
    Ok(out)
}

/// Revokes a user's live sessions, except `keep`.
pub async fn revoke_sessions(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Option<Uuid>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let q = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .apply_if(keep, |q, k| q.filter(session::Column::Id.ne(k)));
    q.exec(db).await?;
    Ok(())
}

/// One user.
pub async fn get_user(st: &AppState, id: Uuid) -> ApiResult<User> {
    let m = user::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    User::from_model(&m)
}

/// A page of users.
pub async fn list_users(st: &AppState, f: UserFilter) -> ApiResult<Page<User>> {
    let q = user::Entity::find()
        .apply_if(f.role, |q, r| q.filter(user::Column::Role.eq(r)))
        .apply_if(f.purchaser_id, |q, p| {
            q.filter(user::Column::PurchaserId.eq(p))
        })
        .apply_if(f.organisation_id, |q, o| {
            q.filter(user::Column::OrganisationId.eq(o))
        })
        .apply_if(f.email, |q, e| {
            q.filter(user::Column::Email.eq(e.trim().to_lowercase()))
        });
    let models = page(
        &st.db,
        q,
        user::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &user::Model| m.id,
    )
    .await?;
    models.try_map(|m| User::from_model(&m))
}

/// How many users there are, as the admin's home shows them.
#[derive(Debug, Clone, Default)]
pub struct UserCounts {
    /// Active users of each role, in the order of [`Role::ALL`].
    pub active_by_role: Vec<(Role, i64)>,
    pub inactive: i64,
    /// Active users who have not yet changed the password an admin set.
    pub must_change_password: i64,
}

/// The users counted by role, activation and pending password change, in one statement.
pub async fn counts(st: &AppState) -> ApiResult<UserCounts> {
    use sea_orm::QuerySelect;
    let rows: Vec<(Role, bool, bool, i64)> = user::Entity::find()
        .select_only()
        .columns([
            user::Column::Role,
            user::Column::Active,
            user::Column::MustChangePassword,
        ])
        .column_as(sql::bigint(sql::count_all()), "n")
        .group_by(user::Column::Role)
        .group_by(user::Column::Active)
        .group_by(user::Column::MustChangePassword)
        .into_tuple()
        .all(&st.db)
        .await?;
    let mut c = UserCounts {
        active_by_role: Role::ALL.iter().map(|r| (*r, 0)).collect(),
        ..UserCounts::default()
    };
    for (role, active, must_change, n) in rows {
        if !active {
            c.inactive += n;
            continue;
        }
        if must_change {
            c.must_change_password += n;
        }
        if let Some(slot) = c.active_by_role.iter_mut().find(|(r, _)| *r == role) {
            slot.1 += n;
        }
    }
    Ok(c)
}
