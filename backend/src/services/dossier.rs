//! The contract dossier (`GET /contracts/{id}/dossier`): everything about one contract in one
//! answer for an auditor — parties, tender and bids (sealed ones only after the deadline),
//! amendments, posts and staffing, milestones with reports and decisions, scores, payments,
//! findings, its audit events — and the anomalies found.

use entity::model::{budget_line, organisation, purchaser};
use entity::queries::budget_figures;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, AuditEntry};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::contracts::{self, Amendment, Contract};
use crate::services::findings::{self, Finding};
use crate::services::milestones::{self, Indicator, Milestone, MilestoneFilter, Performance};
use crate::services::parties::{Organisation, Purchaser};
use crate::services::payments::{self, Payment};
use crate::services::posts::{self, Assignment, Post};
use crate::services::reports::{self, Report};
use crate::services::tenders::{self, Bid, Tender};
use crate::state::AppState;
use sea_orm::EntityTrait;

/// Anomalies of one contract.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct DossierFlags {
    /// Every open milestone is overdue.
    pub all_milestones_overdue: bool,
    /// Posts vacant more than 30 days in a row today.
    pub posts_vacant_over_30_days: usize,
    /// Signed without indicators: no score, milestones paid in full.
    pub without_indicators: bool,
    /// Payments for milestones before their acceptance (none can exist by design).
    pub payments_before_acceptance: usize,
    /// The budget line is committed and reserved above 90 %.
    pub budget_line_over_90_percent: bool,
    /// The organisation has two or more open findings on this contract.
    pub open_findings: usize,
}

/// The dossier.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dossier {
    pub contract: Contract,
    pub purchaser: Purchaser,
    pub organisation: Organisation,
    pub budget_line: serde_json::Value,
    pub tender: Option<Tender>,
    pub bids: Vec<Bid>,
    pub amendments: Vec<Amendment>,
    pub indicators: Vec<Indicator>,
    pub posts: Vec<Post>,
    pub assignments: Vec<Assignment>,
    pub milestones: Vec<Milestone>,
    pub reports: Vec<Report>,
    pub performance: Performance,
    pub payments: Vec<Payment>,
    pub findings: Vec<Finding>,
    pub audit_events: Vec<AuditEntry>,
    pub flags: DossierFlags,
}

/// Gathers the dossier of a contract the actor may see.
pub async fn get(st: &AppState, actor: &Actor, id: uuid::Uuid) -> ApiResult<Dossier> {
    let db = &st.db;
    let k = contracts::load(db, actor, id).await?;
    // Every acknowledged write is in the chain before its events are read.
    st.sealer.seal().await?;
    let contract = Contract::try_from(k.clone())?;
    let purchaser = purchaser::Entity::find_by_id(k.purchaser_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let organisation = organisation::Entity::find_by_id(k.organisation_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let line = budget_line::Entity::find_by_id(k.budget_line_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let figs = budget_figures(db, &[line.id])
        .await?
        .remove(&line.id)
        .unwrap_or_default();
    let (tender, bids) = match k.tender_id {
        Some(t) => (
            Some(tenders::get(st, actor, t).await?),
            tenders::list_bids(st, actor, t).await?,
        ),
        None => (None, Vec::new()),
    };
    let amendments = contracts::amendments(st, actor, id).await?;
    let indicators = milestones::indicators(st, actor, id).await?;
    let posts = posts::list(st, actor, id).await?;
    let assignments = posts::assignments_of_contract(db, id).await?;
    let milestone_list = milestones::list(
        st,
        actor,
        id,
        MilestoneFilter {
            status: None,
            overdue: None,
        },
    )
    .await?;
    let reports = reports::of_contract(db, id).await?;
    let performance = milestones::performance(st, actor, id).await?;
    let payments = payments::list(st, actor, id).await?;
    let findings = findings::list(st, actor, id).await?;

    let mut ids = vec![k.id, k.purchaser_id, k.organisation_id];
    ids.extend(tender.iter().map(|t| t.id));
    ids.extend(bids.iter().map(|b| b.id));
    ids.extend(amendments.iter().map(|a| a.id));
    ids.extend(indicators.iter().map(|i| i.id));
    ids.extend(posts.iter().map(|p| p.id));
    ids.extend(assignments.iter().map(|a| a.id));
    ids.extend(milestone_list.iter().map(|m| m.id));
    ids.extend(reports.iter().map(|r| r.id));
    ids.extend(payments.iter().map(|p| p.id));
    ids.extend(findings.iter().map(|f| f.id));
    let audit_events = audit::events_for(db, &ids, st.now()).await?;

    let open: Vec<&Milestone> = milestone_list
        .iter()
        .filter(|m| matches!(m.status.as_str(), "planned" | "submitted" | "rejected"))
        .collect();
    let flags = DossierFlags {
        all_milestones_overdue: !open.is_empty() && open.iter().all(|m| m.overdue),
        posts_vacant_over_30_days: posts.iter().filter(|p| p.vacant_days_running > 30).count(),
        without_indicators: indicators.is_empty(),
        payments_before_acceptance: payments
            .iter()
            .filter(|p| {
                p.milestone_id.is_some_and(|mid| {
                    milestone_list
                        .iter()
                        .find(|m| m.id == mid)
                        .is_none_or(|m| m.accepted_at.is_none_or(|a| p.created_at < a))
                })
            })
            .count(),
        budget_line_over_90_percent: (figs.committed_fen + figs.reserved_fen) * 10
            > line.amount_fen * 9,
        open_findings: findings
            .iter()
            .filter(|f| f.status.as_str() != "resolved")
            .count(),
    };
    let budget_line = serde_json::json!({
        "id": line.id, "code": line.code, "name": line.name, "fiscal_year": line.fiscal_year,
        "amount": entity::Money::from_fen(line.amount_fen),
        "committed": entity::Money::from_fen(figs.committed_fen),
        "reserved": entity::Money::from_fen(figs.reserved_fen),
        "disbursed": entity::Money::from_fen(figs.disbursed_fen),
    });
    Ok(Dossier {
        contract,
        purchaser: Purchaser::from(purchaser),
        organisation: Organisation::on(organisation, milestones::today(st))?,
        budget_line,
        tender,
        bids,
        amendments,
        indicators,
        posts,
        assignments,
        milestones: milestone_list,
        reports,
        performance,
        payments,
        findings,
        audit_events,
        flags,
    })
}
