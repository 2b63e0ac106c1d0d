//! The notification outbox: rows inserted idempotently (by `dedupe_key`, never built from
//! rendered text) in the transaction that decided to send them, and the recipients of SPEC §5:
//! "the organisation" (its contact e-mail and active users), "the officer" (a contract's
//! responsible officer), "supervisors" (all active ones), a purchaser's officers and its
//! approvers (SPEC §9).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::model::{notification, organisation, user};
use entity::queries::word;
use entity::rules::vocab::{Locale, NotificationKind, NotificationStatus, Role};
use sea_orm::sea_query::{
    Alias, Cond, Expr, ExprTrait, Func, InsertStatement, JoinType, OnConflict, Order, Query,
    SelectStatement,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::templates::{Message, render};

/// Someone a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Option<Uuid>,
    pub email: String,
    pub locale: Locale,
    pub organisation_id: Option<Uuid>,
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub recipient: Recipient,
    pub message: Message,
    /// The entity the message is about (the `entity_id` of the dedupe key).
    pub entity_id: Uuid,
    /// The occurrence, e.g. `due7` or `late-w2` or a date.
    pub step: String,
    /// The path of the web page of what the message is about, under the public URL, e.g.
    /// `/contracts/{id}` (a page, never an `/api/` address).
    pub link: String,
}

impl Outgoing {
    /// `kind:entity_id:recipient:step`.
    pub fn dedupe_key(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.message.kind(),
            self.entity_id,
            self.recipient.email,
            self.step
        )
    }
}

/// Adds `message` about `entity_id` to each of `to`.
pub fn push_to<'a>(
    out: &mut Vec<Outgoing>,
    to: impl IntoIterator<Item = &'a Recipient>,
    message: &Message,
    entity_id: Uuid,
    step: &str,
    link: &str,
) {
    for rc in to {
        out.push(Outgoing {
            recipient: rc.clone(),
            message: message.clone(),
            entity_id,
            step: step.to_string(),
            link: link.to_string(),
        });
    }
}

/// The Message-ID of a notification, derived from its dedupe key so a resend after a crash
/// carries the same id.
pub fn message_id(dedupe_key: &str, domain: &str) -> String {
    let h = hex::encode(Sha256::digest(dedupe_key.as_bytes()));
    format!("<{}@{}>", &h[..32], domain)
}

/// A message rendered for its recipient, ready to queue.
#[derive(serde::Serialize)]
struct Rendered {
    id: Uuid,
    recipient_user_id: Option<Uuid>,
    recipient_email: String,
    organisation_id: Option<Uuid>,
    kind: NotificationKind,
    subject: String,
    body_text: String,
    body_html: String,
    message_id: String,
    dedupe_key: String,
    /// The path of the page the message links to.
    link: String,
}

/// Rows per statement: PostgreSQL takes them as one JSON parameter; SQLite as a multi-row
/// `INSERT` (17 parameters a row, within its bound-parameter limit).
const PG_BATCH: usize = 10_000;
const SQLITE_BATCH: usize = 500;

/// Inserts the messages, skipping any whose dedupe key is already queued; answers how many
/// were new. Set-based: on PostgreSQL one `INSERT … SELECT FROM json_populate_recordset` per
/// [`PG_BATCH`] messages, on SQLite one multi-row insert per [`SQLITE_BATCH`].
pub async fn enqueue(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    public_url: &str,
    job_run_id: Option<Uuid>,
    items: Vec<Outgoing>,
) -> Result<u64, DbErr> {
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<Rendered> = items
        .into_iter()
        .filter_map(|o| {
            let key = o.dedupe_key();
            if !seen.insert(key.clone()) {
                return None;
            }
            // Links lead to the web page of what the message is about.
            let url = format!("{public_url}{}", o.link);
            let (subject, body_text, body_html) = render(&o.message, o.recipient.locale, &url);
            Some(Rendered {
                id: Uuid::now_v7(),
                recipient_user_id: o.recipient.user_id,
                recipient_email: o.recipient.email,
                organisation_id: o.recipient.organisation_id,
                kind: o.message.kind(),
                subject,
                body_text,
                body_html,
                message_id: message_id(&key, "huimin"),
                dedupe_key: key,
                link: o.link,
            })
        })
        .collect();
    if db.get_database_backend() == DbBackend::Postgres {
        insert_pg(db, now, job_run_id, rows).await
    } else {
        insert_rows(db, now, job_run_id, rows).await
    }
}

/// PostgreSQL: the rows travel as one JSON array per statement, unpacked by the server into
/// rows of `notification`'s type (`json_populate_recordset`): one `INSERT … SELECT … ON
/// CONFLICT (dedupe_key) DO NOTHING`.
async fn insert_pg(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    job_run_id: Option<Uuid>,
    rows: Vec<Rendered>,
) -> Result<u64, DbErr> {
    let mut inserted = 0;
    for chunk in rows.chunks(PG_BATCH) {
        let json = serde_json::to_string(chunk).map_err(|e| DbErr::Custom(e.to_string()))?;
        let stmt = insert_json(json, job_run_id, now)?;
        inserted += db.execute(&stmt).await?.rows_affected();
    }
    Ok(inserted)
}

/// The insert of [`insert_pg`] for one JSON array of [`Rendered`] rows.
fn insert_json(
    json: String,
    job_run_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<InsertStatement, DbErr> {
    use notification::Column as N;
    let r = Alias::new("r");
    let from_json = [
        N::Id,
        N::RecipientUserId,
        N::RecipientEmail,
        N::OrganisationId,
        N::Kind,
        N::Subject,
        N::BodyText,
        N::BodyHtml,
        N::MessageId,
        N::DedupeKey,
        N::Link,
    ];
    let rows = Query::select()
        .columns(from_json.map(|k| (r.clone(), k)))
        .expr(Expr::val(job_run_id))
        .expr(word(NotificationStatus::Pending))
        .expr(Expr::Constant(0.into()))
        .exprs([Expr::val(now), Expr::val(now)])
        .from_function(
            Func::cust("json_populate_recordset")
                .arg(Expr::null().cast_as("notification"))
                .arg(Expr::val(json).cast_as("json")),
            r,
        )
        .to_owned();
    let mut columns = from_json.to_vec();
    columns.extend([
        N::JobRunId,
        N::Status,
        N::Attempts,
        N::NextAttemptAt,
        N::CreatedAt,
    ]);
    Ok(Query::insert()
        .into_table(notification::Entity)
        .columns(columns)
        .select_from(rows)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(OnConflict::column(N::DedupeKey).do_nothing().to_owned())
        .to_owned())
}

/// Any database: multi-row inserts.
async fn insert_rows(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    job_run_id: Option<Uuid>,
    rows: Vec<Rendered>,
) -> Result<u64, DbErr> {
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows
            .by_ref()
            .take(SQLITE_BATCH)
            .map(|r| notification::ActiveModel {
                id: Set(r.id),
                recipient_user_id: Set(r.recipient_user_id),
                recipient_email: Set(r.recipient_email),
                organisation_id: Set(r.organisation_id),
                kind: Set(r.kind),
                subject: Set(r.subject),
                body_text: Set(r.body_text),
                body_html: Set(r.body_html),
                message_id: Set(Some(r.message_id)),
                dedupe_key: Set(r.dedupe_key),
                job_run_id: Set(job_run_id),
                status: Set(NotificationStatus::Pending),
                attempts: Set(0),
                next_attempt_at: Set(now),
                lease_until: Set(None),
                last_error: Set(None),
                sent_at: Set(None),
                created_at: Set(now),
                link: Set(Some(r.link)),
            })
            .collect();
        let res = notification::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(notification::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await;
        match res {
            Ok(n) => inserted += n,
            Err(DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(inserted)
}

impl Recipient {
    /// A user as a recipient.
    pub fn user(id: Uuid, email: String, locale: Locale, organisation_id: Option<Uuid>) -> Self {
        Recipient {
            user_id: Some(id),
            email,
            locale,
            organisation_id,
        }
    }
}

fn of_user(u: &user::Model) -> Recipient {
    Recipient {
        user_id: Some(u.id),
        email: u.email.clone(),
        locale: u.locale,
        organisation_id: u.organisation_id,
    }
}

/// Chunks of at most 1000 ids, so IN lists stay within every database's limits.
fn chunks(ids: &[Uuid]) -> impl Iterator<Item = Vec<Uuid>> + '_ {
    let mut v: Vec<Uuid> = ids.to_vec();
    v.sort();
    v.dedup();
    let n = v.len();
    (0..n.div_ceil(1000)).map(move |i| v[i * 1000..((i + 1) * 1000).min(n)].to_vec())
}

/// An organisation with one of its active users (or none).
#[derive(FromQueryResult)]
struct OrganisationUser {
    org_id: Uuid,
    contact_email: String,
    user_id: Option<Uuid>,
    email: Option<String>,
    locale: Option<Locale>,
}

/// Each organisation of `ids` with its active users (or none): one statement.
fn organisation_users(ids: Vec<Uuid>) -> SelectStatement {
    use organisation::Column as O;
    let (o, u) = (Alias::new("o"), Alias::new("u"));
    Query::select()
        .expr_as(Expr::col((o.clone(), O::Id)), Alias::new("org_id"))
        .column((o.clone(), O::ContactEmail))
        .expr_as(
            Expr::col((u.clone(), user::Column::Id)),
            Alias::new("user_id"),
        )
        .columns([user::Column::Email, user::Column::Locale].map(|k| (u.clone(), k)))
        .from_as(organisation::Entity, o.clone())
        .join_as(
            JoinType::LeftJoin,
            user::Entity,
            u.clone(),
            Cond::all()
                .add(
                    Expr::col((u.clone(), user::Column::OrganisationId)).equals((o.clone(), O::Id)),
                )
                .add(Expr::col((u.clone(), user::Column::Active))),
        )
        .and_where(Expr::col((o.clone(), O::Id)).is_in(ids))
        .order_by((o, O::Id), Order::Asc)
        .order_by((u, user::Column::Id), Order::Asc)
        .to_owned()
}

/// Each organisation's recipients: its contact e-mail and its active users (one per address).
pub async fn organisations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Recipient>>, DbErr> {
    let backend = db.get_database_backend();
    let mut out: HashMap<Uuid, Vec<Recipient>> = HashMap::new();
    for chunk in chunks(ids) {
        let rows = OrganisationUser::find_by_statement(backend.build(&organisation_users(chunk)))
            .all(db)
            .await?;
        for r in rows {
            let org = r.org_id;
            let list = out.entry(org).or_default();
            if list.is_empty() {
                list.push(Recipient {
                    user_id: None,
                    email: r.contact_email.to_lowercase(),
                    locale: Locale::ZhCn,
                    organisation_id: Some(org),
                });
            }
            if let (Some(user_id), Some(email), Some(locale)) = (r.user_id, r.email, r.locale) {
                // A staff member whose address is the contact address gets one message.
                list.retain(|other| other.email != email);
                list.push(Recipient {
                    user_id: Some(user_id),
                    email,
                    locale,
                    organisation_id: Some(org),
                });
            }
        }
    }
    Ok(out)
}

/// Active users by id (deactivated officers receive nothing).
pub async fn users(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Recipient>, DbErr> {
    let mut out = HashMap::new();
    for chunk in chunks(ids) {
        for u in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk))
            .filter(user::Column::Active.eq(true))
            .all(db)
            .await?
        {
            out.insert(u.id, of_user(&u));
        }
    }
    Ok(out)
}

/// All active supervisors.
pub async fn supervisors(db: &impl ConnectionTrait) -> Result<Vec<Recipient>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Supervisor))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .iter()
        .map(of_user)
        .collect())
}

/// Each purchaser's active finance officers.
pub async fn purchaser_officers(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Recipient>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<Recipient>> = HashMap::new();
    for chunk in chunks(ids) {
        let users = user::Entity::find()
            .filter(user::Column::PurchaserId.is_in(chunk))
            .filter(user::Column::Role.eq(Role::FinanceOfficer))
            .filter(user::Column::Active.eq(true))
            .all(db)
            .await?;
        for u in users {
            if let Some(p) = u.purchaser_id {
                out.entry(p).or_default().push(of_user(&u));
            }
        }
    }
    Ok(out)
}

/// Each purchaser's active approvers of payment requests (SPEC §9: finance officers whose
/// user has `approver`), `except` those users.
pub async fn purchaser_approvers(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    except: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Recipient>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<Recipient>> = HashMap::new();
    for chunk in chunks(ids) {
        let users = user::Entity::find()
            .filter(user::Column::PurchaserId.is_in(chunk))
            .filter(user::Column::Role.eq(Role::FinanceOfficer))
            .filter(user::Column::Approver.eq(true))
            .filter(user::Column::Active.eq(true))
            .all(db)
            .await?;
        for u in users.iter().filter(|u| !except.contains(&u.id)) {
            if let Some(p) = u.purchaser_id {
                out.entry(p).or_default().push(of_user(u));
            }
        }
    }
    Ok(out)
}

/// The recipients of every organisation active on `today` (for a published tender).
pub async fn active_organisations(
    db: &impl ConnectionTrait,
    today: chrono::NaiveDate,
) -> Result<Vec<Recipient>, DbErr> {
    let ids: Vec<Uuid> = organisation::Entity::find()
        .filter(entity::queries::organisation_active_on(today))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    Ok(organisations(db, &ids)
        .await?
        .into_values()
        .flatten()
        .collect())
}
