//! Payment requests (SPEC §9): the organisation asks to be paid for an accepted milestone (or
//! an advance) with its invoice; an officer of the purchaser verifies it; an approver who is
//! neither the verifier nor the user who accepted the milestone approves it (two different
//! approvers above `HUIMIN_SECOND_APPROVAL_ABOVE`); then a payment pays it
//! ([`crate::services::payments::record`]). Either officer step may return it to the
//! organisation with a comment; the organisation edits it (`PATCH`, which resubmits it) or
//! withdraws it.
//!
//! Every transition locks the contract's row first, as a payment does, so the amount rules —
//! a milestone's request at most its payable less what is paid and what other open requests
//! ask; an advance at most the advance rule less other open advance requests — are decided one
//! request at a time, at submission, verification, approval and payment.

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{contract, payment_request, user};
use entity::queries::numbered;
use entity::rules::requests;
use entity::rules::vocab::{ContractStatus, Decision, MilestoneStatus, PaymentRequestStatus};
use jobs::outbox::{self, Recipient};
use jobs::templates::Message;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QueryTrait, Set, Statement,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::pagination::Page;
use crate::services::notify;
use crate::state::AppState;
use crate::store;
use crate::store::page::page;
use crate::store::today;

/// A payment request as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentRequest {
    pub id: Uuid,
    pub contract_id: Uuid,
    /// None: an advance.
    pub milestone_id: Option<Uuid>,
    pub amount: Money,
    pub invoice_no: String,
    pub invoice_date: NaiveDate,
    pub note: String,
    pub status: PaymentRequestStatus,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTime<Utc>>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub second_approved_by: Option<Uuid>,
    pub second_approved_at: Option<DateTime<Utc>>,
    /// Who last returned it to the organisation, with `return_comment`.
    pub returned_by: Option<Uuid>,
    pub return_comment: Option<String>,
    pub payment_id: Option<Uuid>,
    /// Above `HUIMIN_SECOND_APPROVAL_ABOVE`: two different approvers approve it.
    pub needs_second_approval: bool,
    /// Made for a payment recorded before requests existed.
    pub migrated: bool,
    /// When the request entered its status: how long it has waited there.
    pub status_changed_at: DateTime<Utc>,
}

impl PaymentRequest {
    /// The API form of a stored request.
    pub fn from_model(st: &AppState, m: payment_request::Model) -> ApiResult<Self> {
        let status = m.status;
        Ok(PaymentRequest {
            id: m.id,
            contract_id: m.contract_id,
            milestone_id: m.milestone_id,
            amount: Money::from_fen(m.amount_fen),
            invoice_no: m.invoice_no,
            invoice_date: m.invoice_date,
            note: m.note,
            status,
            submitted_by: m.submitted_by,
            submitted_at: m.submitted_at,
            verified_by: m.verified_by,
            verified_at: m.verified_at,
            approved_by: m.approved_by,
            approved_at: m.approved_at,
            second_approved_by: m.second_approved_by,
            second_approved_at: m.second_approved_at,
            returned_by: m.returned_by,
            return_comment: m.return_comment,
            payment_id: m.payment_id,
            needs_second_approval: needs_second(st, m.amount_fen),
            migrated: m.migrated,
            status_changed_at: m.status_changed_at,
        })
    }
}

/// Whether a request of `amount_fen` needs two approvers.
pub fn needs_second(st: &AppState, amount_fen: i64) -> bool {
    amount_fen > st.config.second_approval_above.fen()
}

/// A request to submit: for an accepted milestone, or an advance (no `milestone_id`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPaymentRequest {
    pub milestone_id: Option<Uuid>,
    #[schema(value_type = crate::fields::PositiveMoney)]
    pub amount: Money,
    #[schema(value_type = crate::fields::Code)]
    pub invoice_no: String,
    pub invoice_date: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Option<crate::fields::Note>)]
    pub note: Option<String>,
}

/// The organisation's corrections to a returned request; sending them resubmits it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequestPatch {
    #[schema(value_type = Option<crate::fields::PositiveMoney>)]
    pub amount: Option<Money>,
    #[schema(value_type = Option<crate::fields::Code>)]
    pub invoice_no: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    #[schema(value_type = Option<crate::fields::Note>)]
    pub note: Option<String>,
}

/// Why a request goes back to the organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnComment {
    #[schema(value_type = crate::fields::Reason)]
    pub comment: String,
}

/// Filters of `GET /payment-requests`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequestFilter {
    pub status: Option<PaymentRequestStatus>,
    pub contract_id: Option<Uuid>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// The checks of a request's fields.
fn check_fields(
    st: &AppState,
    amount: Money,
    invoice_no: &str,
    invoice_date: NaiveDate,
    note: &str,
) -> ApiResult<()> {
    let mut c = Checks::default();
    c.text("invoice_no", invoice_no, fields::Code::MAX)
        .check(
            amount.fen() > 0,
            "amount",
            codes::FIELD_NOT_POSITIVE,
            "must be more than 0",
        )
        .check(
            invoice_date <= today(st),
            "invoice_date",
            codes::FIELD_IN_FUTURE,
            "must not be in the future",
        )
        .max_chars("note", note, fields::Note::MAX);
    c.finish()
}

/// 409 unless the contract can be paid (active, completed or terminated).
fn check_payable_contract(k: &contract::Model) -> ApiResult<()> {
    if matches!(
        k.status,
        ContractStatus::Active | ContractStatus::Completed | ContractStatus::Terminated
    ) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            codes::CONTRACT_NOT_PAYABLE,
            format!("a {} contract cannot be paid", k.status),
        ))
    }
}

/// What the amount rules read (SPEC §9), in one statement under the contract's lock: for a
/// milestone's request its status, payable, what is paid on it and what the other open
/// requests ask, with its title and the user who accepted it; for an advance what the
/// contract's advances, milestones and other open advance requests take.
pub(crate) struct AmountState {
    /// The milestone's title (None: an advance).
    pub title: Option<String>,
    /// The user who accepted the milestone (the decider of its accepted report).
    pub accepted_by: Option<Uuid>,
    of: Of,
}

enum Of {
    Milestone {
        status: MilestoneStatus,
        payable: i64,
        paid: i64,
        requested: i64,
    },
    Advance {
        advances: i64,
        planned: i64,
        requested: i64,
    },
}

/// Reads the [`AmountState`] of `milestone_id` (an advance without one) on contract `k`,
/// counting the open requests other than `except`; 422 when the milestone is not one of the
/// contract's.
pub(crate) async fn amount_state(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    milestone_id: Option<Uuid>,
    except: Option<Uuid>,
) -> ApiResult<AmountState> {
    let open: Vec<&str> = PaymentRequestStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let open = format!("'{}'", open.join("','"));
    let except = except.unwrap_or(Uuid::nil());
    match milestone_id {
        Some(id) => milestone_state(db, k, id, except, &open).await,
        None => advance_state(db, k, except, &open).await,
    }
}

/// The [`AmountState`] of milestone `id` of contract `k` (`open`: the open statuses, quoted).
async fn milestone_state(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    id: Uuid,
    except: Uuid,
    open: &str,
) -> ApiResult<AmountState> {
    let b = db.get_database_backend();
    let sql = format!(
        "SELECT m.contract_id, m.title, m.status, CAST(COALESCE(m.payable_fen, 0) AS BIGINT) AS payable, \
         CAST(COALESCE((SELECT SUM(amount_fen) FROM payment WHERE milestone_id = m.id), 0) AS BIGINT) AS paid, \
         CAST(COALESCE((SELECT SUM(amount_fen) FROM payment_request WHERE milestone_id = m.id \
         AND status IN ({open}) AND id <> $2), 0) AS BIGINT) AS requested, \
         (SELECT decided_by FROM milestone_report WHERE milestone_id = m.id AND decision = '{accepted}' \
         ORDER BY decided_at DESC LIMIT 1) AS accepted_by \
         FROM milestone m WHERE m.id = $1",
        accepted = Decision::Accepted.as_str()
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            b,
            numbered(b, &sql),
            [id.into(), except.into()],
        ))
        .await?;
    let row = row
        .filter(|r| r.try_get::<Uuid>("", "contract_id").ok() == Some(k.id))
        .ok_or_else(|| {
            ApiError::field(
                "milestone_id",
                codes::REFERENCE_UNKNOWN,
                "is not a milestone of this contract",
            )
        })?;
    Ok(AmountState {
        title: Some(row.try_get("", "title")?),
        accepted_by: row.try_get("", "accepted_by")?,
        of: Of::Milestone {
            status: row.try_get("", "status")?,
            payable: row.try_get("", "payable")?,
            paid: row.try_get("", "paid")?,
            requested: row.try_get("", "requested")?,
        },
    })
}

/// The [`AmountState`] of an advance on contract `k` (`open`: the open statuses, quoted).
async fn advance_state(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    except: Uuid,
    open: &str,
) -> ApiResult<AmountState> {
    let b = db.get_database_backend();
    let no_row = || ApiError::internal(anyhow::anyhow!("no row of sums"));
    let sql = format!(
        "SELECT CAST(COALESCE((SELECT SUM(amount_fen) FROM payment WHERE contract_id = $1 AND milestone_id IS NULL), 0) AS BIGINT) AS advances, \
         CAST(COALESCE((SELECT SUM(amount_fen) FROM milestone WHERE contract_id = $1 AND status <> '{cancelled}'), 0) AS BIGINT) AS planned, \
         CAST(COALESCE((SELECT SUM(amount_fen) FROM payment_request WHERE contract_id = $1 AND milestone_id IS NULL \
         AND status IN ({open}) AND id <> $2), 0) AS BIGINT) AS requested",
        cancelled = MilestoneStatus::Cancelled.as_str()
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            b,
            numbered(b, &sql),
            [k.id.into(), except.into()],
        ))
        .await?
        .ok_or_else(no_row)?;
    Ok(AmountState {
        title: None,
        accepted_by: None,
        of: Of::Advance {
            advances: row.try_get("", "advances")?,
            planned: row.try_get("", "planned")?,
            requested: row.try_get("", "requested")?,
        },
    })
}

impl AmountState {
    /// The most an advance may ask now (SPEC §3's rule less the open advance requests); `None`
    /// for a milestone's state, or when contract `k` takes no advance (it is not active).
    pub(crate) fn advance_requestable(&self, k: &contract::Model) -> Option<i64> {
        match &self.of {
            Of::Advance {
                advances,
                planned,
                requested,
            } if k.status == ContractStatus::Active => Some(requests::advance_requestable(
                k.value_fen,
                *advances,
                *planned,
                *requested,
            )),
            _ => None,
        }
    }

    /// 409 unless `amount_fen` may be requested (or paid) on contract `k` now.
    pub(crate) fn check(&self, k: &contract::Model, amount_fen: i64) -> ApiResult<()> {
        check_payable_contract(k)?;
        match &self.of {
            Of::Milestone {
                status,
                payable,
                paid,
                requested,
            } => {
                if *status != MilestoneStatus::Accepted {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_MILESTONE_NOT_ACCEPTED,
                        "a milestone is paid only after its report is accepted",
                    ));
                }
                if amount_fen > requests::milestone_requestable(*payable, *paid, *requested) {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_ABOVE_PAYABLE,
                        format!(
                            "the milestone's payable is {}, of which {} is paid and {} is requested",
                            Money::from_fen(*payable),
                            Money::from_fen(*paid),
                            Money::from_fen(*requested)
                        ),
                    ));
                }
            }
            Of::Advance {
                advances,
                planned,
                requested,
            } => {
                // An ended contract has released what it did not earn: no more advances.
                if k.status != ContractStatus::Active {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_NO_ADVANCE,
                        format!(
                            "a {} contract takes no advance; request its accepted milestones",
                            k.status
                        ),
                    ));
                }
                if amount_fen
                    > requests::advance_requestable(k.value_fen, *advances, *planned, *requested)
                {
                    return Err(ApiError::conflict(
                        codes::PAYMENT_ADVANCE_TOO_LARGE,
                        "an advance may be at most the value not planned in milestones, less earlier advances and open advance requests",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Reads the [`AmountState`] and checks `amount_fen` against it (422, then 409).
pub(crate) async fn check_amount(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    milestone_id: Option<Uuid>,
    amount_fen: i64,
    except: Option<Uuid>,
) -> ApiResult<AmountState> {
    let state = amount_state(db, k, milestone_id, except).await?;
    state.check(k, amount_fen)?;
    Ok(state)
}

/// 409 unless the request is in one of `from`.
fn check_status(
    r: &payment_request::Model,
    from: &[PaymentRequestStatus],
    to: &str,
) -> ApiResult<()> {
    if from.contains(&r.status) {
        Ok(())
    } else {
        Err(ApiError::conflict(
            codes::STATE_TRANSITION,
            format!("a {} payment request cannot be {to}", r.status),
        ))
    }
}

/// What a message about a request names: the contract, the organisation, the milestone.
async fn message(
    db: &impl ConnectionTrait,
    k: &contract::Model,
    r: &payment_request::Model,
    milestone: Option<&str>,
    status: PaymentRequestStatus,
    second: bool,
) -> ApiResult<Message> {
    let organisation = crate::services::names::organisations(db, [k.organisation_id])
        .await?
        .remove(&k.organisation_id)
        .unwrap_or_default();
    Ok(Message::PaymentRequestMoved {
        contract: k.title.clone(),
        organisation,
        milestone: milestone.map(str::to_owned),
        amount: Money::from_fen(r.amount_fen),
        status,
        second,
        comment: (status == PaymentRequestStatus::Returned)
            .then(|| r.return_comment.clone())
            .flatten(),
    })
}

/// The contract's responsible officer, if active.
async fn officer_of(db: &impl ConnectionTrait, k: &contract::Model) -> ApiResult<Vec<Recipient>> {
    Ok(outbox::users(db, &[k.responsible_officer_id])
        .await?
        .into_values()
        .collect())
}

/// The purchaser's active approvers, but `except` (the same rule as the reminders job's).
async fn approvers_of(
    db: &impl ConnectionTrait,
    purchaser_id: Uuid,
    except: &[Uuid],
) -> ApiResult<Vec<Recipient>> {
    Ok(outbox::purchaser_approvers(db, &[purchaser_id], except)
        .await?
        .remove(&purchaser_id)
        .unwrap_or_default())
}

/// Writes the request's new state with its audit event and its notification, and commits.
async fn save(
    st: &AppState,
    mut w: store::Write<'_>,
    action: &'static str,
    before: Option<PaymentRequest>,
    am: payment_request::ActiveModel,
    insert: bool,
    notice: Option<(Vec<Recipient>, Message)>,
) -> ApiResult<PaymentRequest> {
    let saved = if insert {
        am.insert(&*w).await?
    } else {
        am.update(&*w).await?
    };
    let out = PaymentRequest::from_model(st, saved)?;
    w.record(
        action,
        "payment_request",
        out.id,
        before.as_ref(),
        Some(&out),
    );
    if let Some((to, message)) = notice {
        // One notice per step the request reaches: a request returned and resubmitted
        // announces its new submission again.
        let step = format!("{action}-{}", w.now.timestamp_micros());
        w.notify(
            to,
            message,
            out.id,
            &step,
            format!("/payment-requests/{}", out.id),
        )
        .await?;
    }
    w.commit().await?;
    Ok(out)
}

/// The organisation asks to be paid on one of its contracts.
pub async fn submit(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
    new: NewPaymentRequest,
) -> ApiResult<PaymentRequest> {
    let note = new.note.unwrap_or_default();
    let invoice_no = new.invoice_no.trim().to_string();
    let w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let k = store::contracts::load_for_update(&*w, actor, contract_id).await?;
    check_fields(st, new.amount, &invoice_no, new.invoice_date, &note)?;
    let m = check_amount(&*w, &k, new.milestone_id, new.amount.fen(), None).await?;
    let row = payment_request::Model {
        id: Uuid::now_v7(),
        contract_id,
        purchaser_id: k.purchaser_id,
        organisation_id: k.organisation_id,
        milestone_id: new.milestone_id,
        amount_fen: new.amount.fen(),
        invoice_no,
        invoice_date: new.invoice_date,
        note: note.trim().to_string(),
        status: PaymentRequestStatus::Submitted,
        submitted_by: actor.id(),
        submitted_at: now,
        verified_by: None,
        verified_at: None,
        approved_by: None,
        approved_at: None,
        second_approved_by: None,
        second_approved_at: None,
        returned_by: None,
        return_comment: None,
        payment_id: None,
        migrated: false,
        status_changed_at: now,
        created_at: now,
        updated_at: now,
    };
    let to = officer_of(&*w, &k).await?;
    let msg = message(
        &*w,
        &k,
        &row,
        m.title.as_deref(),
        PaymentRequestStatus::Submitted,
        false,
    )
    .await?;
    let am: payment_request::ActiveModel = row.into();
    save(st, w, "create", None, am, true, Some((to, msg))).await
}

/// The organisation corrects a returned request, which resubmits it.
pub async fn resubmit(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: PaymentRequestPatch,
) -> ApiResult<PaymentRequest> {
    let w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (k, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
    let amount = p.amount.unwrap_or(Money::from_fen(r.amount_fen));
    let invoice_no = p
        .invoice_no
        .as_deref()
        .unwrap_or(&r.invoice_no)
        .trim()
        .to_string();
    let invoice_date = p.invoice_date.unwrap_or(r.invoice_date);
    let note = p.note.as_deref().unwrap_or(&r.note).trim().to_string();
    check_fields(st, amount, &invoice_no, invoice_date, &note)?;
    check_status(&r, &[PaymentRequestStatus::Returned], "edited")?;
    let m = check_amount(&*w, &k, r.milestone_id, amount.fen(), Some(r.id)).await?;
    let before = PaymentRequest::from_model(st, r.clone())?;
    let mut am = r.clone().into_active_model();
    am.amount_fen = Set(amount.fen());
    am.invoice_no = Set(invoice_no);
    am.invoice_date = Set(invoice_date);
    am.note = Set(note);
    am.status = Set(PaymentRequestStatus::Submitted);
    am.submitted_by = Set(actor.id());
    am.submitted_at = Set(now);
    // A resubmitted request is verified and approved anew.
    am.verified_by = Set(None);
    am.verified_at = Set(None);
    am.approved_by = Set(None);
    am.approved_at = Set(None);
    am.second_approved_by = Set(None);
    am.second_approved_at = Set(None);
    am.status_changed_at = Set(now);
    am.updated_at = Set(now);
    let to = officer_of(&*w, &k).await?;
    let msg = message(
        &*w,
        &k,
        &r,
        m.title.as_deref(),
        PaymentRequestStatus::Submitted,
        false,
    )
    .await?;
    save(st, w, "resubmit", Some(before), am, false, Some((to, msg))).await
}

/// The organisation takes back a request not yet verified (or returned).
pub async fn withdraw(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<PaymentRequest> {
    let w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (_, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
    check_status(
        &r,
        &[
            PaymentRequestStatus::Submitted,
            PaymentRequestStatus::Returned,
        ],
        "withdrawn",
    )?;
    let before = PaymentRequest::from_model(st, r.clone())?;
    let mut am = r.into_active_model();
    am.status = Set(PaymentRequestStatus::Withdrawn);
    am.status_changed_at = Set(now);
    am.updated_at = Set(now);
    save(st, w, "withdraw", Some(before), am, false, None).await
}

/// An officer of the purchaser checks the request against the invoice and the milestone.
pub async fn verify(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<PaymentRequest> {
    let w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (k, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
    check_status(&r, &[PaymentRequestStatus::Submitted], "verified")?;
    let m = check_amount(&*w, &k, r.milestone_id, r.amount_fen, Some(r.id)).await?;
    let before = PaymentRequest::from_model(st, r.clone())?;
    let mut am = r.clone().into_active_model();
    am.status = Set(PaymentRequestStatus::Verified);
    am.verified_by = Set(Some(actor.id()));
    am.verified_at = Set(Some(now));
    am.status_changed_at = Set(now);
    am.updated_at = Set(now);
    let to = approvers_of(&*w, k.purchaser_id, &[actor.id()]).await?;
    let msg = message(
        &*w,
        &k,
        &r,
        m.title.as_deref(),
        PaymentRequestStatus::Verified,
        false,
    )
    .await?;
    save(st, w, "verify", Some(before), am, false, Some((to, msg))).await
}

/// 403 `approval.not_approver` unless the actor is, as stored now, an active approver.
async fn require_approver(db: &impl ConnectionTrait, actor: &Actor) -> ApiResult<()> {
    let now = user::Entity::find_by_id(actor.id()).one(db).await?;
    if now.is_some_and(|u| u.approver && u.active) {
        Ok(())
    } else {
        Err(ApiError::ForbiddenBecause {
            code: codes::APPROVAL_NOT_APPROVER.as_str(),
            detail: "only an approver may approve a payment request or return it at approval",
        })
    }
}

/// An approver approves a verified request: the first of two above the threshold, else the
/// approval that lets it be paid.
pub async fn approve(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<PaymentRequest> {
    let w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    require_approver(&*w, actor).await?;
    let (k, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
    check_status(&r, &[PaymentRequestStatus::Verified], "approved")?;
    let me = Some(actor.id());
    let m = amount_state(&*w, &k, r.milestone_id, Some(r.id)).await?;
    let accepter = m.accepted_by;
    if r.verified_by == me || accepter == me || r.approved_by == me {
        return Err(ApiError::ForbiddenBecause {
            code: codes::APPROVAL_SAME_PERSON.as_str(),
            detail: "the approver must be neither the verifier, nor the person who accepted the milestone, nor an earlier approver of this request",
        });
    }
    m.check(&k, r.amount_fen)?;
    let before = PaymentRequest::from_model(st, r.clone())?;
    let mut am = r.clone().into_active_model();
    let first_of_two = needs_second(st, r.amount_fen) && r.approved_by.is_none();
    if r.approved_by.is_none() {
        am.approved_by = Set(me);
        am.approved_at = Set(Some(now));
    } else {
        am.second_approved_by = Set(me);
        am.second_approved_at = Set(Some(now));
    }
    let notice = if first_of_two {
        // Still waiting at approval, for a second approver.
        let mut except = vec![actor.id()];
        except.extend(r.verified_by);
        except.extend(accepter);
        let to = approvers_of(&*w, k.purchaser_id, &except).await?;
        (
            to,
            message(
                &*w,
                &k,
                &r,
                m.title.as_deref(),
                PaymentRequestStatus::Verified,
                true,
            )
            .await?,
        )
    } else {
        am.status = Set(PaymentRequestStatus::Approved);
        am.status_changed_at = Set(now);
        let mut to = officer_of(&*w, &k).await?;
        to.extend(notify::organisation_of(&*w, &k).await?);
        (
            to,
            message(
                &*w,
                &k,
                &r,
                m.title.as_deref(),
                PaymentRequestStatus::Approved,
                false,
            )
            .await?,
        )
    };
    am.updated_at = Set(now);
    save(st, w, "approve", Some(before), am, false, Some(notice)).await
}

/// An officer returns a submitted request, or an approver a verified one, to the organisation
/// with a comment.
pub async fn send_back(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    body: ReturnComment,
) -> ApiResult<PaymentRequest> {
    let w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (k, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
    let mut c = Checks::default();
    c.text("comment", &body.comment, fields::Reason::MAX);
    c.finish()?;
    if r.status == PaymentRequestStatus::Verified {
        require_approver(&*w, actor).await?;
    }
    check_status(
        &r,
        &[
            PaymentRequestStatus::Submitted,
            PaymentRequestStatus::Verified,
        ],
        "returned",
    )?;
    let before = PaymentRequest::from_model(st, r.clone())?;
    let mut am = r.clone().into_active_model();
    am.status = Set(PaymentRequestStatus::Returned);
    am.returned_by = Set(Some(actor.id()));
    am.return_comment = Set(Some(body.comment.trim().to_string()));
    am.status_changed_at = Set(now);
    am.updated_at = Set(now);
    let mut shown = r.clone();
    shown.return_comment = Some(body.comment.trim().to_string());
    let to = notify::organisation_of(&*w, &k).await?;
    let m = amount_state(&*w, &k, r.milestone_id, Some(r.id)).await?;
    let msg = message(
        &*w,
        &k,
        &shown,
        m.title.as_deref(),
        PaymentRequestStatus::Returned,
        false,
    )
    .await?;
    save(st, w, "return", Some(before), am, false, Some((to, msg))).await
}

/// One request the actor may see.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<PaymentRequest> {
    let request = store::records::payment_request(&st.db, actor, id).await?;
    PaymentRequest::from_model(st, request)
}

/// The requests the actor may see (officers: their purchaser's; organisation staff: their
/// organisation's), oldest first.
pub async fn list(
    st: &AppState,
    actor: &Actor,
    f: PaymentRequestFilter,
) -> ApiResult<Page<PaymentRequest>> {
    let q = payment_request::Entity::find()
        .apply_if(actor.purchaser_scope(), |q, own| {
            q.filter(payment_request::Column::PurchaserId.eq(own))
        })
        .apply_if(actor.organisation_scope(), |q, own| {
            q.filter(payment_request::Column::OrganisationId.eq(own))
        })
        .apply_if(f.status, |q, s| {
            q.filter(payment_request::Column::Status.eq(s))
        })
        .apply_if(f.contract_id, |q, c| {
            q.filter(payment_request::Column::ContractId.eq(c))
        });
    let models = page(
        &st.db,
        q,
        payment_request::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |m: &payment_request::Model| m.id,
    )
    .await?;
    models.try_map(|m| PaymentRequest::from_model(st, m))
}

/// A contract's requests, oldest first.
pub async fn of_contract(
    st: &AppState,
    actor: &Actor,
    contract_id: Uuid,
) -> ApiResult<Vec<PaymentRequest>> {
    store::contracts::load(&st.db, actor, contract_id).await?;
    payment_request::Entity::find()
        .filter(payment_request::Column::ContractId.eq(contract_id))
        .order_by_asc(payment_request::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|m| PaymentRequest::from_model(st, m))
        .collect()
}
