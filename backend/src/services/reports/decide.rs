//! Deciding on a report (SPEC §3): the assessment (score, vacancy deduction, payable), its
//! preview, and accept or reject with the notification.

use chrono::Days;
use entity::model::{contract, milestone, milestone_report};
use entity::rules::money::Money;
use entity::rules::performance::payable_fen;
use entity::rules::score::Score;
use entity::rules::vocab::{ContractStatus, Decision, MilestoneStatus};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{Rejection, Report, Review, shape_reports};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::services::milestones::{Milestone, shape};
use crate::services::notify;
use crate::services::post_funding;
use crate::services::scoring::{self, score_at};
use crate::state::AppState;
use crate::store;
use crate::store::today;
use jobs::templates::Message;

/// The report awaiting a decision on a submitted milestone.
async fn pending(
    db: &impl ConnectionTrait,
    m: &milestone::Model,
) -> ApiResult<milestone_report::Model> {
    if m.status != MilestoneStatus::Submitted {
        return Err(ApiError::conflict(
            codes::MILESTONE_NO_PENDING_REPORT,
            format!("a {} milestone has no report to review", m.status),
        ));
    }
    milestone_report::Entity::find()
        .filter(milestone_report::Column::MilestoneId.eq(m.id))
        .filter(milestone_report::Column::Decision.is_null())
        .order_by_desc(milestone_report::Column::SubmittedAt)
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                codes::MILESTONE_NO_PENDING_REPORT,
                "the milestone has no report awaiting a decision",
            )
        })
}

/// The vacancy deduction of a milestone's period (from the day after the previous
/// milestone's due date, or the contract start, to its due date), in unrounded fen.
async fn vacancy_deduction(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    m: &milestone::Model,
) -> ApiResult<Decimal> {
    let previous: Option<chrono::NaiveDate> = milestone::Entity::find()
        .select_only()
        .column(milestone::Column::DueDate)
        .filter(milestone::Column::ContractId.eq(contract.id))
        .filter(milestone::Column::Id.ne(m.id))
        .filter(milestone::Column::Status.ne(MilestoneStatus::Cancelled))
        .filter(milestone::Column::DueDate.lt(m.due_date))
        .order_by_desc(milestone::Column::DueDate)
        .into_tuple()
        .one(db)
        .await?;
    let from = previous
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .unwrap_or(contract.start_date);
    let rows = post_funding::of_contract(db, contract.id, from, m.due_date).await?;
    Ok(rows.iter().map(|r| r.4).sum())
}

/// 409 unless the contract is active: a report pending when the contract ended stays
/// undecided (SPEC §3), so that no acceptance raises an ended contract's commitment.
fn check_contract_active(contract: &contract::Model) -> ApiResult<()> {
    if contract.status != ContractStatus::Active {
        return Err(ApiError::conflict(
            codes::CONTRACT_NOT_ACTIVE,
            format!(
                "reports are decided only on active contracts; this one is {}",
                contract.status
            ),
        ));
    }
    Ok(())
}

/// What accepting a report gives: the score with its breakdown (each measurement against its
/// target), the vacancy deduction of the milestone's period and the payable.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub breakdown: scoring::ScoreBreakdown,
    pub deduction: Money,
    pub payable: Money,
}

/// The one computation of an acceptance (SPEC §4), for the acceptance itself and for the
/// review page that shows it before the officer confirms.
async fn assess(
    db: &impl ConnectionTrait,
    contract: &contract::Model,
    m: &milestone::Model,
    report: &milestone_report::Model,
) -> ApiResult<Assessment> {
    let breakdown = score_at(db, contract, m.due_date, report.submitted_at).await?;
    let deduction = vacancy_deduction(db, contract, m).await?;
    let payable = payable_fen(
        m.amount_fen,
        breakdown.score,
        Score::from_tenths(contract.full_pay_score_tenths),
        Score::from_tenths(contract.min_pay_score_tenths),
        deduction,
    );
    Ok(Assessment {
        breakdown,
        deduction: Money::round_half_up(deduction / Decimal::from(100))
            .map_err(|e| ApiError::internal(anyhow::anyhow!("deduction: {e}")))?,
        payable: Money::from_fen(payable),
    })
}

/// The assessment an acceptance of the milestone's pending report would make now, without
/// deciding anything; `None` when no report awaits a decision.
pub async fn preview(
    st: &AppState,
    actor: &Actor,
    milestone_id: Uuid,
) -> ApiResult<Option<Assessment>> {
    let m = milestone::Entity::find_by_id(milestone_id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let contract = store::contracts::load(&st.db, actor, m.contract_id).await?;
    if m.status != MilestoneStatus::Submitted {
        return Ok(None);
    }
    match pending(&st.db, &m).await {
        Ok(report) => assess(&st.db, &contract, &m, &report).await.map(Some),
        Err(ApiError::Conflict { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Accepts the pending report: the score is computed and stored, and the payable follows the
/// contract's performance rule less the vacancy deduction.
pub async fn accept(
    st: &AppState,
    actor: &Actor,
    milestone_id: Uuid,
    r: Review,
) -> ApiResult<Milestone> {
    let comment = r
        .comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if let Some(c) = &comment {
        Checks::default()
            .max_chars("comment", c, fields::Comment::MAX)
            .finish()?;
    }
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (m, contract) = store::contracts::milestone_for_update(&*w, actor, milestone_id).await?;
    check_contract_active(&contract)?;
    let report = pending(&*w, &m).await?;
    let Assessment {
        breakdown, payable, ..
    } = assess(&*w, &contract, &m, &report).await?;
    let payable = payable.fen();
    let decided = decide(&mut w, actor, report, Decision::Accepted, comment).await?;
    let before = shape(m.clone(), today(st))?;
    let mut am = m.into_active_model();
    am.status = Set(MilestoneStatus::Accepted);
    am.score_tenths = Set(breakdown.score.map(Score::tenths));
    am.payable_fen = Set(Some(payable));
    am.accepted_at = Set(Some(now));
    am.updated_at = Set(now);
    let out = shape(am.update(&*w).await?, today(st))?;
    w.record("accept", "milestone", out.id, Some(&before), Some(&out));
    notify_decision(&w, &contract, &out, &decided, true).await?;
    w.commit().await?;
    Ok(out)
}

/// Rejects the pending report with a comment; the organisation may report again.
pub async fn reject(
    st: &AppState,
    actor: &Actor,
    milestone_id: Uuid,
    r: Rejection,
) -> ApiResult<Milestone> {
    let comment = crate::services::common::reason("comment", &r.comment)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let (m, contract) = store::contracts::milestone_for_update(&*w, actor, milestone_id).await?;
    check_contract_active(&contract)?;
    let report = pending(&*w, &m).await?;
    let decided = decide(&mut w, actor, report, Decision::Rejected, Some(comment)).await?;
    let before = shape(m.clone(), today(st))?;
    let mut am = m.into_active_model();
    am.status = Set(MilestoneStatus::Rejected);
    am.updated_at = Set(now);
    let out = shape(am.update(&*w).await?, today(st))?;
    w.record("reject", "milestone", out.id, Some(&before), Some(&out));
    notify_decision(&w, &contract, &out, &decided, false).await?;
    w.commit().await?;
    Ok(out)
}

/// Tells the organisation of the decision on its report (in the decision's transaction).
async fn notify_decision(
    w: &store::Write<'_>,
    contract: &contract::Model,
    m: &Milestone,
    decided: &Report,
    accepted: bool,
) -> ApiResult<()> {
    let message = Message::ReportDecided {
        contract: contract.title.clone(),
        milestone: m.title.clone(),
        accepted,
        comment: decided.review_comment.clone(),
        payable: m.payable,
    };
    let link = format!("/milestones/{}", m.id);
    let to = notify::organisation_of(&**w, contract).await?;
    w.notify(to, message, decided.id, "decided", link).await
}

async fn decide(
    w: &mut store::Write<'_>,
    actor: &Actor,
    report: milestone_report::Model,
    d: Decision,
    comment: Option<String>,
) -> ApiResult<Report> {
    let before = shape_reports(&**w, vec![report.clone()]).await?.remove(0);
    let mut am = report.into_active_model();
    am.decision = Set(Some(d));
    am.review_comment = Set(comment);
    am.decided_by = Set(Some(actor.id()));
    am.decided_at = Set(Some(w.now));
    let after = shape_reports(&**w, vec![am.update(&**w).await?])
        .await?
        .remove(0);
    w.record(
        d.as_str(),
        "milestone_report",
        after.id,
        Some(&before),
        Some(&after),
    );
    Ok(after)
}
