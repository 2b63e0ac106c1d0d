//! `budget_watch`: budget lines of the current fiscal year with `committed + reserved` over
//! 90 % of their amount, or `disbursed / amount` more than the configured lag (0.20) behind
//! the elapsed share of the year → supervisors and the purchaser's officers, once a week.

use chrono::{Datelike, NaiveDate};
use entity::model::budget_line;
use entity::queries::Figures;
use entity::rules::counts::to_i64;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::jobs::iso_week;
use crate::outbox::{self, Outgoing};
use crate::templates::Message;
use crate::{Counts, JobContext};

fn pct(n: Decimal) -> String {
    (n * Decimal::ONE_HUNDRED)
        .round_dp(1)
        .normalize()
        .to_string()
}

/// Queues the budget warnings.
pub async fn run(
    ctx: &JobContext,
    db: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Counts, DbErr> {
    let today = ctx.today();
    let year = today.year();
    let lines = budget_line::Entity::find()
        .filter(budget_line::Column::FiscalYear.eq(year))
        .all(db)
        .await?;
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let days = entity::rules::performance::days_in_year(year);
    let elapsed = Decimal::from((today - jan1).num_days() + 1) / Decimal::from(days);
    let mut flagged = Vec::new();
    for l in &lines {
        if l.amount_fen <= 0 {
            continue;
        }
        let f = Figures::of(l);
        let amount = Decimal::from(l.amount_fen);
        let committed = Decimal::from(f.committed_fen + f.reserved_fen) / amount;
        let disbursed = Decimal::from(f.disbursed_fen) / amount;
        let high = committed > Decimal::new(9, 1);
        let slow = elapsed - disbursed > ctx.budget_lag;
        if high || slow {
            flagged.push((l, committed, disbursed, high, slow));
        }
    }
    let supervisors = if flagged.is_empty() {
        Vec::new()
    } else {
        outbox::supervisors(db).await?
    };
    let officers = outbox::purchaser_officers(
        db,
        &flagged.iter().map(|f| f.0.purchaser_id).collect::<Vec<_>>(),
    )
    .await?;
    let step = iso_week(today);
    let mut out = Vec::new();
    for (l, committed, disbursed, high, slow) in flagged {
        let message = Message::BudgetWatch {
            line: format!("{} {}", l.code, l.name),
            fiscal_year: l.fiscal_year,
            committed_pct: pct(committed),
            disbursed_pct: pct(disbursed),
            elapsed_pct: pct(elapsed),
            high,
            slow,
        };
        for rc in supervisors
            .iter()
            .chain(officers.get(&l.purchaser_id).into_iter().flatten())
        {
            out.push(Outgoing {
                recipient: rc.clone(),
                message: message.clone(),
                entity_id: l.id,
                step: step.clone(),
                link: format!("/budget-lines/{}", l.id),
            });
        }
    }
    let notified = outbox::enqueue(db, ctx.clock.now(), &ctx.public_url, Some(run_id), out).await?;
    Ok(Counts {
        examined: to_i64(lines.len()),
        notified: to_i64(notified),
        errors: 0,
    })
}
