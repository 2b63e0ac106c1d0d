//! Budget lines (SPEC §2 `budget_line`): money a purchaser may spend in a fiscal year, with
//! `committed`, `reserved` and `disbursed` kept on the line by every change that moves them
//! ([`lock_line`] then [`recount`] or [`shift`], in the change's transaction) and `available`
//! derived from them; [`mismatches`] compares the kept totals with the records.

use std::collections::HashMap;

use entity::Money;
use entity::model::budget_line;
use entity::rules::vocab::FundSource;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::Change;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, Checks, codes};
use crate::fields;
use crate::pagination::Page;
use crate::state::AppState;
use crate::store;
use crate::store::page::page;
use jobs::templates::Message;

/// A budget line with its derived figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetLine {
    pub id: Uuid,
    pub purchaser_id: Uuid,
    pub fiscal_year: i32,
    pub code: String,
    pub name: String,
    pub amount: Money,
    pub source: FundSource,
    /// Ceilings of open tenders not yet turned into signed contracts.
    pub reserved: Money,
    /// Values of active contracts, and what ended contracts earned.
    pub committed: Money,
    /// Sum of payments.
    pub disbursed: Money,
    /// `amount − committed − reserved`.
    pub available: Money,
}

pub use entity::queries::Figures;

/// Locks a budget line for the rest of the transaction, so that every change to what is
/// reserved or committed on it is checked against figures no one else is changing (a row
/// lock on PostgreSQL; SQLite's write transactions are already serialised). The row read
/// carries the line's kept totals as they are now.
pub async fn lock_line(txn: &impl ConnectionTrait, id: Uuid) -> ApiResult<budget_line::Model> {
    budget_line::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Keeps a locked line's totals after a change of this transaction moved them (a tender
/// published or closed without award, a contract signed, amended or ended): counted afresh
/// from the records (see [`entity::queries::recount_budget_lines`]). The line must have been
/// locked with [`lock_line`] before the change's rows were read.
pub async fn recount(txn: &impl ConnectionTrait, line_id: Uuid) -> ApiResult<()> {
    Ok(entity::queries::recount_budget_lines(txn, &[line_id]).await?)
}

/// Moves a line's totals by a change whose effect is known exactly (a payment), unless its
/// payments would exceed its amount; answers whether it did (see
/// [`entity::queries::shift_budget_line`]: the statement takes the line's lock itself).
pub async fn shift(txn: &impl ConnectionTrait, line_id: Uuid, by: Figures) -> ApiResult<bool> {
    Ok(entity::queries::shift_budget_line(txn, line_id, by).await?)
}

pub use entity::queries::BudgetMismatch;

/// Every line whose kept totals differ from its records (`huimin verify budgets`).
pub async fn mismatches(db: &impl ConnectionTrait) -> ApiResult<Vec<BudgetMismatch>> {
    Ok(entity::queries::budget_mismatches(db).await?)
}

/// Counts afresh the totals of every line whose kept totals differ from its records, under
/// the lines' locks, and records each correction in the audit trail (`huimin verify budgets
/// --recount`: a repair after rows were changed outside the application). Answers what it
/// corrected.
pub async fn recount_mismatched(st: &AppState) -> ApiResult<Vec<BudgetMismatch>> {
    let mut w = store::Write::begin(st, None).await?;
    let mut found = mismatches(&*w).await?;
    if found.is_empty() {
        return Ok(found);
    }
    found.sort_by_key(|m| m.id);
    for m in &found {
        lock_line(&*w, m.id).await?;
    }
    let ids: Vec<Uuid> = found.iter().map(|m| m.id).collect();
    entity::queries::recount_budget_lines(&*w, &ids).await?;
    let after: HashMap<Uuid, Figures> = budget_line::Entity::find()
        .filter(budget_line::Column::Id.is_in(ids))
        .all(&*w)
        .await?
        .iter()
        .map(|l| (l.id, Figures::of(l)))
        .collect();
    let json = |f: &Figures| {
        serde_json::json!({
            "reserved": Money::from_fen(f.reserved_fen),
            "committed": Money::from_fen(f.committed_fen),
            "disbursed": Money::from_fen(f.disbursed_fen),
        })
    };
    for m in &found {
        let counted = after.get(&m.id).copied().unwrap_or(m.counted);
        w.record(
            "recount",
            "budget_line",
            m.id,
            Some(&json(&m.kept)),
            Some(&json(&counted)),
        );
    }
    w.commit().await?;
    Ok(found)
}

/// A line's available amount, in fen, from its figures.
pub fn available_fen(line: &budget_line::Model) -> i64 {
    line.amount_fen - line.committed_fen - line.reserved_fen
}

fn shape(m: budget_line::Model) -> ApiResult<BudgetLine> {
    let f = Figures::of(&m);
    let source = m.source;
    let available = available_fen(&m);
    Ok(BudgetLine {
        id: m.id,
        purchaser_id: m.purchaser_id,
        fiscal_year: m.fiscal_year,
        code: m.code,
        name: m.name,
        amount: Money::from_fen(m.amount_fen),
        source,
        reserved: Money::from_fen(f.reserved_fen),
        committed: Money::from_fen(f.committed_fen),
        disbursed: Money::from_fen(f.disbursed_fen),
        available: Money::from_fen(available),
    })
}

/// A new budget line; `purchaser_id` defaults to the officer's own purchaser.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBudgetLine {
    pub purchaser_id: Option<Uuid>,
    #[schema(value_type = crate::fields::FiscalYear)]
    #[serde(deserialize_with = "fields::whole")]
    pub fiscal_year: i32,
    #[schema(value_type = crate::fields::Code)]
    pub code: String,
    #[schema(value_type = crate::fields::Title)]
    pub name: String,
    pub amount: Money,
    pub source: FundSource,
}

/// Changes to a budget line; a new `amount` needs a `reason`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLinePatch {
    #[schema(value_type = Option<crate::fields::Title>)]
    pub name: Option<String>,
    pub amount: Option<Money>,
    pub source: Option<FundSource>,
    /// Why the amount changes (required with `amount`).
    #[schema(value_type = Option<crate::fields::Note>)]
    pub reason: Option<String>,
}

/// Filters of `GET /budget-lines`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineFilter {
    pub purchaser_id: Option<Uuid>,
    pub fiscal_year: Option<i32>,
    pub source: Option<FundSource>,
    #[param(value_type = Option<crate::fields::Limit>)]
    pub limit: Option<u64>,
    #[param(value_type = Option<crate::fields::Cursor>)]
    pub cursor: Option<String>,
}

/// Creates a budget line of the officer's purchaser.
pub async fn create(st: &AppState, actor: &Actor, new: NewBudgetLine) -> ApiResult<BudgetLine> {
    let own = actor.purchaser_scope().ok_or(ApiError::Forbidden)?;
    let purchaser_id = new.purchaser_id.unwrap_or(own);
    actor.see_purchaser(purchaser_id)?;
    let mut c = Checks::default();
    c.text("code", &new.code, fields::Code::MAX)
        .text("name", &new.name, fields::Title::MAX)
        .check(
            fields::FiscalYear::contains(new.fiscal_year),
            "fiscal_year",
            codes::FIELD_OUT_OF_RANGE,
            &format!(
                "must be a year between {} and {}",
                fields::FiscalYear::MIN,
                fields::FiscalYear::MAX
            ),
        );
    c.finish()?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let clash = budget_line::Entity::find()
        .filter(budget_line::Column::PurchaserId.eq(purchaser_id))
        .filter(budget_line::Column::FiscalYear.eq(new.fiscal_year))
        .filter(budget_line::Column::Code.eq(new.code.trim()))
        .one(&*w)
        .await?;
    if clash.is_some() {
        return Err(ApiError::conflict(
            codes::BUDGET_LINE_DUPLICATE,
            "this purchaser already has a budget line with this code in this fiscal year",
        ));
    }
    let m = budget_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        purchaser_id: Set(purchaser_id),
        fiscal_year: Set(new.fiscal_year),
        code: Set(new.code.trim().to_string()),
        name: Set(new.name.trim().to_string()),
        amount_fen: Set(new.amount.fen()),
        source: Set(new.source),
        reserved_fen: Set(0),
        committed_fen: Set(0),
        disbursed_fen: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*w)
    .await?;
    let out = shape(m)?;
    w.record("create", "budget_line", out.id, None, Some(&out));
    w.commit().await?;
    Ok(out)
}

/// 422 unless the name and reason are well formed and a new amount comes with a reason.
fn check_patch(p: &BudgetLinePatch) -> ApiResult<()> {
    let mut c = Checks::default();
    if let Some(n) = &p.name {
        c.text("name", n, fields::Title::MAX);
    }
    if p.amount.is_some() {
        c.check(
            p.reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
            "reason",
            codes::BUDGET_REASON_REQUIRED,
            "is required when the amount changes",
        );
    }
    if let Some(r) = &p.reason {
        c.max_chars("reason", r, fields::Note::MAX);
    }
    c.finish()
}

/// Changes a budget line; lowering the amount below `committed + reserved` is refused (409).
pub async fn update(
    st: &AppState,
    actor: &Actor,
    id: Uuid,
    p: BudgetLinePatch,
) -> ApiResult<BudgetLine> {
    check_patch(&p)?;
    let mut w = store::Write::begin(st, Some(actor)).await?;
    let now = w.now;
    let old = lock_line(&*w, id).await?;
    actor.see_purchaser(old.purchaser_id)?;
    let f = Figures::of(&old);
    let before = shape(old.clone())?;
    let mut am = old.into_active_model();
    if let Some(v) = p.name {
        am.name = Set(v.trim().to_string());
    }
    if let Some(v) = p.source {
        am.source = Set(v);
    }
    if let Some(a) = p.amount {
        if a.fen() < f.committed_fen + f.reserved_fen {
            return Err(ApiError::conflict(
                codes::BUDGET_BELOW_COMMITTED,
                "the amount cannot be lower than what is committed and reserved on the line",
            ));
        }
        am.amount_fen = Set(a.fen());
    }
    am.updated_at = Set(now);
    let out = shape(am.update(&*w).await?)?;
    let action = if p.amount.is_some() {
        "change_amount"
    } else {
        "update"
    };
    let mut change = Change::of(
        Some(actor.id()),
        action,
        "budget_line",
        id,
        Some(&before),
        Some(&out),
    );
    if let (Some(after), Some(reason)) = (change.after.as_mut(), &p.reason) {
        after["reason"] = serde_json::Value::from(reason.clone());
    }
    w.record_change(change);
    if p.amount.is_some() && out.amount != before.amount {
        let message = Message::BudgetAmountChanged {
            line: format!("{} {}", out.code, out.name),
            old: before.amount,
            new: out.amount,
            reason: p.reason.clone().unwrap_or_default(),
        };
        let to = jobs::outbox::supervisors(&*w).await?;
        let step = now.timestamp_micros().to_string();
        w.notify(to, message, id, &step, format!("/budget-lines/{id}"))
            .await?;
    }
    w.commit().await?;
    Ok(out)
}

/// One budget line, within the actor's purchaser scope.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<BudgetLine> {
    let m = budget_line::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    actor.see_purchaser(m.purchaser_id)?;
    shape(m)
}

/// A page of budget lines within the actor's purchaser scope.
pub async fn list(
    st: &AppState,
    actor: &Actor,
    f: BudgetLineFilter,
) -> ApiResult<Page<BudgetLine>> {
    let q = budget_line::Entity::find()
        .apply_if(actor.purchaser_scope(), |q, own| {
            q.filter(budget_line::Column::PurchaserId.eq(own))
        })
        .apply_if(f.purchaser_id, |q, p| {
            q.filter(budget_line::Column::PurchaserId.eq(p))
        })
        .apply_if(f.fiscal_year, |q, y| {
            q.filter(budget_line::Column::FiscalYear.eq(y))
        })
        .apply_if(f.source, |q, s| q.filter(budget_line::Column::Source.eq(s)));
    let models = page(
        &st.db,
        q,
        budget_line::Column::Id,
        (f.limit, f.cursor.as_deref()),
        |l: &budget_line::Model| l.id,
    )
    .await?;
    models.try_map(shape)
}
