//! The contract dossier (`GET /contracts/{id}/dossier`): everything about one contract in one
//! answer for an auditor — parties, tender and bids (sealed ones only after the deadline),
//! amendments, posts and staffing, milestones with reports and decisions, scores, payment
//! requests with each step they went through and how long it waited (SPEC §9), payments,
//! findings, its audit events — and the anomalies found.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::model::{budget_line, contract, organisation, purchaser};
use entity::queries::Figures;
use entity::rules::vocab::{Decision, FindingStatus, MilestoneStatus, PaymentRequestStatus};
use jobs::clock::days_waited;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::bids::{self, Bid};
use crate::services::contracts::{self, Amendment, Contract};
use crate::services::findings::{self, Finding};
use crate::services::indicators::{self, Indicator};
use crate::services::milestones::{self, Milestone, MilestoneFilter};
use crate::services::parties::{Organisation, Purchaser};
use crate::services::payment_requests::{self, PaymentRequest};
use crate::services::payments::{self, Payment};
use crate::services::posts::{self, Assignment, Post};
use crate::services::reports::{self, Report};
use crate::services::scoring::{self, Performance};
use crate::services::tenders::{self, Tender};
use crate::state::AppState;
use crate::store;
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
    /// Payment requests approved by the user who accepted their milestone (none can exist by
    /// design; requests made by the migration for earlier payments are left out).
    pub requests_approved_by_accepter: usize,
}

/// One step of a payment request's life, as its audit events recorded it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestStep {
    /// `submitted`, `resubmitted`, `verified`, `approved` (the first approval, or the only
    /// one), `second_approved`, `returned`, `withdrawn` or `paid`.
    pub step: String,
    pub at: DateTime<Utc>,
    pub by: Option<Uuid>,
    /// Why it was returned.
    pub comment: Option<String>,
    /// Local days since the step before (0 for the first).
    pub waited_days: i64,
}

/// A payment request of the contract with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierRequest {
    #[serde(flatten)]
    pub request: PaymentRequest,
    /// Its steps, oldest first.
    pub steps: Vec<RequestStep>,
    /// Local days it has waited at its present step while someone has to act (submitted,
    /// verified, approved, returned); none once paid or withdrawn.
    pub waiting_days: Option<i64>,
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
    pub payment_requests: Vec<DossierRequest>,
    pub payments: Vec<Payment>,
    pub findings: Vec<Finding>,
    pub audit_events: Vec<AuditEntry>,
    pub flags: DossierFlags,
}

/// Gathers the dossier of a contract the actor may see.
pub async fn get(st: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Dossier> {
    let contract = store::contracts::load(&st.db, actor, id).await?;
    // Every acknowledged write is in the chain before its events are read.
    st.sealer.seal().await?;
    let (purchaser, organisation, line) = parties(st, &contract).await?;
    let records = Records::read(st, actor, id, contract.tender_id).await?;
    let audit_events = audit::events_for(&st.db, &records.ids(&contract), st.now()).await?;
    let today = store::today(st);
    let Records {
        tender,
        bids,
        amendments,
        indicators,
        posts,
        assignments,
        milestones,
        reports,
        performance,
        requests,
        payments,
        findings,
    } = records;
    let payment_requests = requests
        .into_iter()
        .map(|r| history(r, &audit_events, today, st.config.tz))
        .collect();
    let mut dossier = Dossier {
        contract: Contract::try_from(contract)?,
        purchaser: Purchaser::from(purchaser),
        organisation: Organisation::on(organisation, today)?,
        budget_line: line_json(&line, &Figures::of(&line)),
        tender,
        bids,
        amendments,
        indicators,
        posts,
        assignments,
        milestones,
        reports,
        performance,
        payment_requests,
        payments,
        findings,
        audit_events,
        flags: DossierFlags::default(),
    };
    dossier.flags = flags(&dossier, &line);
    Ok(dossier)
}

/// The contract's purchaser, organisation and budget line.
async fn parties(
    st: &AppState,
    contract: &contract::Model,
) -> ApiResult<(purchaser::Model, organisation::Model, budget_line::Model)> {
    let db = &st.db;
    let purchaser = purchaser::Entity::find_by_id(contract.purchaser_id).one(db);
    let organisation = organisation::Entity::find_by_id(contract.organisation_id).one(db);
    let line = budget_line::Entity::find_by_id(contract.budget_line_id).one(db);
    let (purchaser, organisation, line) = tokio::try_join!(purchaser, organisation, line)?;
    match (purchaser, organisation, line) {
        (Some(p), Some(o), Some(l)) => Ok((p, o, l)),
        _ => Err(ApiError::NotFound),
    }
}

/// The contract's own records, each read as its service shows it to the actor.
struct Records {
    tender: Option<Tender>,
    bids: Vec<Bid>,
    amendments: Vec<Amendment>,
    indicators: Vec<Indicator>,
    posts: Vec<Post>,
    assignments: Vec<Assignment>,
    milestones: Vec<Milestone>,
    reports: Vec<Report>,
    performance: Performance,
    requests: Vec<PaymentRequest>,
    payments: Vec<Payment>,
    findings: Vec<Finding>,
}

impl Records {
    /// Reads them in order: the tender and bids (sealed ones only after the deadline), then
    /// amendments, indicators, posts, milestones, reports, scores, requests, payments, findings.
    async fn read(
        st: &AppState,
        actor: &Actor,
        id: Uuid,
        tender_id: Option<Uuid>,
    ) -> ApiResult<Records> {
        let (tender, bids) = match tender_id {
            Some(t) => (
                Some(tenders::get(st, actor, t).await?),
                bids::list_bids(st, actor, t).await?,
            ),
            None => (None, Vec::new()),
        };
        let all = MilestoneFilter {
            status: None,
            overdue: None,
        };
        Ok(Records {
            tender,
            bids,
            amendments: contracts::amendments(st, actor, id).await?,
            indicators: indicators::list(st, actor, id).await?,
            posts: posts::list(st, actor, id).await?,
            assignments: posts::assignments_of_contract(&st.db, id).await?,
            milestones: milestones::list(st, actor, id, all).await?,
            reports: reports::of_contract(&st.db, id).await?,
            performance: scoring::performance(st, actor, id).await?,
            requests: payment_requests::of_contract(st, actor, id).await?,
            payments: payments::list(st, actor, id).await?,
            findings: findings::list(st, actor, id).await?,
        })
    }

    /// The ids of the contract, its parties and every record: whose audit events the dossier
    /// shows.
    fn ids(&self, contract: &contract::Model) -> Vec<Uuid> {
        [
            vec![contract.id, contract.purchaser_id, contract.organisation_id],
            self.tender.iter().map(|t| t.id).collect(),
            self.bids.iter().map(|b| b.id).collect(),
            self.amendments.iter().map(|a| a.id).collect(),
            self.indicators.iter().map(|i| i.id).collect(),
            self.posts.iter().map(|p| p.id).collect(),
            self.assignments.iter().map(|a| a.id).collect(),
            self.milestones.iter().map(|m| m.id).collect(),
            self.reports.iter().map(|r| r.id).collect(),
            self.requests.iter().map(|r| r.id).collect(),
            self.payments.iter().map(|p| p.id).collect(),
            self.findings.iter().map(|f| f.id).collect::<Vec<Uuid>>(),
        ]
        .concat()
    }
}

/// The anomalies of a gathered dossier.
fn flags(d: &Dossier, line: &budget_line::Model) -> DossierFlags {
    let figs = Figures::of(line);
    DossierFlags {
        all_milestones_overdue: all_open_overdue(&d.milestones),
        posts_vacant_over_30_days: d
            .posts
            .iter()
            .filter(|p| p.vacant_days_running > 30)
            .count(),
        without_indicators: d.indicators.is_empty(),
        payments_before_acceptance: paid_before_acceptance(&d.payments, &d.milestones),
        budget_line_over_90_percent: (figs.committed_fen + figs.reserved_fen) * 10
            > line.amount_fen * 9,
        open_findings: d
            .findings
            .iter()
            .filter(|f| f.status != FindingStatus::Resolved)
            .count(),
        requests_approved_by_accepter: approved_by_accepter(&d.payment_requests, &d.reports),
    }
}

/// Whether the contract has open milestones and all of them are overdue.
fn all_open_overdue(milestones: &[Milestone]) -> bool {
    let open: Vec<&Milestone> = milestones
        .iter()
        .filter(|m| {
            matches!(
                m.status,
                MilestoneStatus::Planned | MilestoneStatus::Submitted | MilestoneStatus::Rejected
            )
        })
        .collect();
    !open.is_empty() && open.iter().all(|m| m.overdue)
}

/// How many payments on a milestone were made before it was accepted (or it never was).
fn paid_before_acceptance(payments: &[Payment], milestones: &[Milestone]) -> usize {
    payments
        .iter()
        .filter(|p| {
            p.milestone_id.is_some_and(|mid| {
                milestones
                    .iter()
                    .find(|m| m.id == mid)
                    .is_none_or(|m| m.accepted_at.is_none_or(|a| p.created_at < a))
            })
        })
        .count()
}

/// How many requests were approved by the person who accepted their milestone's report.
fn approved_by_accepter(requests: &[DossierRequest], reports: &[Report]) -> usize {
    requests
        .iter()
        .filter(|r| {
            let r = &r.request;
            let accepter = reports
                .iter()
                .filter(|p| {
                    Some(p.milestone_id) == r.milestone_id && p.decision == Some(Decision::Accepted)
                })
                .find_map(|p| p.decided_by);
            !r.migrated
                && accepter.is_some()
                && (r.approved_by == accepter || r.second_approved_by == accepter)
        })
        .count()
}

/// The budget line's figures as the dossier shows them.
fn line_json(line: &budget_line::Model, figs: &Figures) -> serde_json::Value {
    serde_json::json!({
        "id": line.id, "code": line.code, "name": line.name, "fiscal_year": line.fiscal_year,
        "amount": entity::Money::from_fen(line.amount_fen),
        "committed": entity::Money::from_fen(figs.committed_fen),
        "reserved": entity::Money::from_fen(figs.reserved_fen),
        "disbursed": entity::Money::from_fen(figs.disbursed_fen),
    })
}

/// A request with its steps: from its audit events (each transition records one, with the
/// request as it became), or, for a request the migration made for an earlier payment (it has
/// none), from its own dates.
fn history(r: PaymentRequest, events: &[AuditEntry], today: NaiveDate, tz: Tz) -> DossierRequest {
    let mut steps: Vec<RequestStep> = Vec::new();
    let mut push = |step: &str, at: DateTime<Utc>, by: Option<Uuid>, comment: Option<String>| {
        let waited_days = steps.last().map_or(0, |p| {
            days_waited(p.at, at.with_timezone(&tz).date_naive(), tz)
        });
        steps.push(RequestStep {
            step: step.to_string(),
            at,
            by,
            comment,
            waited_days,
        });
    };
    let own: Vec<&AuditEntry> = events
        .iter()
        .filter(|e| e.entity_type == "payment_request" && e.entity_id == r.id)
        .collect();
    if own.is_empty() {
        push("submitted", r.submitted_at, Some(r.submitted_by), None);
        if let Some(at) = r.verified_at {
            push("verified", at, r.verified_by, None);
        }
        if let Some(at) = r.approved_at {
            push("approved", at, r.approved_by, None);
        }
        if let Some(at) = r.second_approved_at {
            push("second_approved", at, r.second_approved_by, None);
        }
        match r.status {
            PaymentRequestStatus::Paid => push("paid", r.status_changed_at, None, None),
            PaymentRequestStatus::Returned => push(
                "returned",
                r.status_changed_at,
                None,
                r.return_comment.clone(),
            ),
            PaymentRequestStatus::Withdrawn => push("withdrawn", r.status_changed_at, None, None),
            _ => {}
        }
    }
    for e in own {
        let after = |field: &str| e.after.as_ref().and_then(|a| a.get(field)).cloned();
        let step = match e.action.as_str() {
            "create" => "submitted",
            "resubmit" => "resubmitted",
            "verify" => "verified",
            "approve" if after("second_approved_by").is_some_and(|v| !v.is_null()) => {
                "second_approved"
            }
            "approve" => "approved",
            "return" => "returned",
            "withdraw" => "withdrawn",
            "pay" => "paid",
            other => other,
        };
        let comment = (step == "returned")
            .then(|| after("return_comment"))
            .flatten()
            .and_then(|v| v.as_str().map(str::to_string));
        push(step, e.at, e.actor_user_id, comment);
    }
    let waiting_days = matches!(
        r.status,
        PaymentRequestStatus::Submitted
            | PaymentRequestStatus::Verified
            | PaymentRequestStatus::Approved
            | PaymentRequestStatus::Returned
    )
    .then(|| days_waited(r.status_changed_at, today, tz));
    DossierRequest {
        request: r,
        steps,
        waiting_days,
    }
}
