//! The steps of a request's life: submit, resubmit, withdraw, verify, approve, send back;
//! each in one transaction under the contract's lock, with its audit event and notification.

use entity::Money;
use entity::model::{contract, payment_request, user};
use entity::rules::vocab::PaymentRequestStatus;
use jobs::outbox::{self, Recipient};
use jobs::templates::Message;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::{
    NewPaymentRequest, PaymentRequest, PaymentRequestPatch, ReturnComment, amount_state,
    check_amount, check_fields, needs_second,
};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::notify;
use crate::state::AppState;
use crate::store;

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
    contract: &contract::Model,
    r: &payment_request::Model,
    milestone: Option<&str>,
    status: PaymentRequestStatus,
    second: bool,
) -> ApiResult<Message> {
    let organisation = crate::services::names::organisations(db, [contract.organisation_id])
        .await?
        .remove(&contract.organisation_id)
        .unwrap_or_default();
    Ok(Message::PaymentRequestMoved {
        contract: contract.title.clone(),
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
async fn officer_of(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
) -> ApiResult<Vec<Recipient>> {
    Ok(outbox::users(db, &[contract.responsible_officer_id])
        .await?
        .into_values()
        .collect())
}

/// Who hears that request `r` was submitted (or resubmitted), and what: the contract's officer.
async fn submitted_notice(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    r: &payment_request::Model,
    milestone: Option<&str>,
) -> ApiResult<(Vec<Recipient>, Message)> {
    let to = officer_of(db, contract).await?;
    let msg = message(
        db,
        contract,
        r,
        milestone,
        PaymentRequestStatus::Submitted,
        false,
    )
    .await?;
    Ok((to, msg))
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
    let contract = store::contracts::load_for_update(&*w, actor, contract_id).await?;
    check_fields(st, new.amount, &invoice_no, new.invoice_date, &note)?;
    let m = check_amount(&*w, &contract, new.milestone_id, new.amount.fen(), None).await?;
    let row = payment_request::Model {
        id: Uuid::now_v7(),
        contract_id,
        purchaser_id: contract.purchaser_id,
        organisation_id: contract.organisation_id,
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
    let (to, msg) = submitted_notice(&*w, &contract, &row, m.title.as_deref()).await?;
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
    let (contract, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
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
    let m = check_amount(&*w, &contract, r.milestone_id, amount.fen(), Some(r.id)).await?;
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
    let (to, msg) = submitted_notice(&*w, &contract, &r, m.title.as_deref()).await?;
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
    let (contract, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
    check_status(&r, &[PaymentRequestStatus::Submitted], "verified")?;
    let m = check_amount(&*w, &contract, r.milestone_id, r.amount_fen, Some(r.id)).await?;
    let before = PaymentRequest::from_model(st, r.clone())?;
    let mut am = r.clone().into_active_model();
    am.status = Set(PaymentRequestStatus::Verified);
    am.verified_by = Set(Some(actor.id()));
    am.verified_at = Set(Some(now));
    am.status_changed_at = Set(now);
    am.updated_at = Set(now);
    let to = approvers_of(&*w, contract.purchaser_id, &[actor.id()]).await?;
    let msg = message(
        &*w,
        &contract,
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
    let (contract, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
    check_status(&r, &[PaymentRequestStatus::Verified], "approved")?;
    let me = Some(actor.id());
    let m = amount_state(&*w, &contract, r.milestone_id, Some(r.id)).await?;
    let accepter = m.accepted_by;
    if r.verified_by == me || accepter == me || r.approved_by == me {
        return Err(ApiError::ForbiddenBecause {
            code: codes::APPROVAL_SAME_PERSON.as_str(),
            detail: "the approver must be neither the verifier, nor the person who accepted the milestone, nor an earlier approver of this request",
        });
    }
    m.check(&contract, r.amount_fen)?;
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
        let to = approvers_of(&*w, contract.purchaser_id, &except).await?;
        (
            to,
            message(
                &*w,
                &contract,
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
        let mut to = officer_of(&*w, &contract).await?;
        to.extend(notify::organisation_of(&*w, &contract).await?);
        (
            to,
            message(
                &*w,
                &contract,
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
    let (contract, r) = store::contracts::payment_request_for_update(&*w, actor, id).await?;
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
    let to = notify::organisation_of(&*w, &contract).await?;
    let m = amount_state(&*w, &contract, r.milestone_id, Some(r.id)).await?;
    let msg = message(
        &*w,
        &contract,
        &shown,
        m.title.as_deref(),
        PaymentRequestStatus::Returned,
        false,
    )
    .await?;
    save(st, w, "return", Some(before), am, false, Some((to, msg))).await
}
