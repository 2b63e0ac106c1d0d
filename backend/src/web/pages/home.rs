//! `/`: the role's home. A finance officer sees what needs them today and the budget lines; a
//! social organisation's staff see their milestones (due, overdue, rejected with the officer's
//! comment), vacant posts, the latest payments received and the tenders open for bids.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use chrono::NaiveDate;
use entity::rules::procurement::milestone_overdue;
use entity::rules::vocab::{MilestoneStatus, TenderStatus};

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::services::budget::{self, BudgetLine, BudgetLineFilter};
use crate::services::dashboard::{self, OrgMilestone, PaymentReceived};
use crate::services::payment_request_figures;
use crate::services::posts::{self, Post};
use crate::services::reports;
use crate::services::tenders::{self, Tender, TenderFilter};
use crate::state::AppState;
use crate::store::today;
use crate::web::ui::Ui;
use entity::rules::vocab::Role;

/// One thing to do, with where to do it.
pub struct Todo {
    pub label: String,
    pub href: &'static str,
}

/// A budget line as its bar shows it (shares of the amount, in whole per cent).
#[derive(Debug, Clone)]
pub struct LineBar {
    pub id: uuid::Uuid,
    pub name: String,
    pub code: String,
    pub fiscal_year: i32,
    pub amount: Decimal,
    pub reserved: Decimal,
    pub committed: Decimal,
    pub disbursed: Decimal,
    pub available: Decimal,
    pub reserved_pct: u32,
    pub committed_pct: u32,
    pub disbursed_pct: u32,
}

impl From<BudgetLine> for LineBar {
    fn from(l: BudgetLine) -> Self {
        let amount = l.amount.decimal();
        let pct = |v: Decimal| -> u32 {
            if amount.is_zero() {
                return 0;
            }
            (v.max(Decimal::ZERO) * Decimal::from(100) / amount)
                .round()
                .to_u32()
                .unwrap_or(0)
                .min(100)
        };
        // The bar shows disbursed within committed: committed's segment is what is committed
        // and not yet paid.
        let committed_unpaid = (l.committed.decimal() - l.disbursed.decimal()).max(Decimal::ZERO);
        let disbursed_pct = pct(l.disbursed.decimal());
        let committed_pct = pct(committed_unpaid).min(100 - disbursed_pct);
        let reserved_pct = pct(l.reserved.decimal()).min(100 - disbursed_pct - committed_pct);
        LineBar {
            id: l.id,
            name: l.name,
            code: l.code,
            fiscal_year: l.fiscal_year,
            amount,
            reserved: l.reserved.decimal(),
            committed: l.committed.decimal(),
            disbursed: l.disbursed.decimal(),
            available: l.available.decimal(),
            reserved_pct,
            committed_pct,
            disbursed_pct,
        }
    }
}

/// The officer's part of the home page.
pub struct OfficerHome {
    pub todo: Vec<Todo>,
    pub lines: Vec<LineBar>,
}

/// The organisation's part of the home page.
pub struct OrganisationHome {
    /// Planned and due soon or overdue, or submitted and waiting for the officer.
    pub milestones: Vec<OrgMilestone>,
    /// Rejected: to report again, with the officer's comment.
    pub to_resubmit: Vec<OrgMilestone>,
    /// Vacant posts with their contract's title.
    pub vacant_posts: Vec<(Post, String)>,
    pub payments: Vec<PaymentReceived>,
    /// Published tenders whose bid deadline is still ahead.
    pub tenders: Vec<Tender>,
    pub today: NaiveDate,
    /// Payment requests returned to correct.
    pub returned_requests: i64,
}

impl OrganisationHome {
    /// Whether `m` is overdue today.
    pub fn overdue(&self, m: &OrgMilestone) -> bool {
        milestone_overdue(m.due_date, m.status, self.today)
    }

    /// Whether `m` takes a report now (the service's rule): the form is a tap away.
    pub fn reportable(&self, m: &OrgMilestone) -> bool {
        reports::report_refused(m.contract_status, m.status).is_none()
    }

    /// Days from today to `m`'s due date (negative: overdue by that many).
    pub fn days_left(&self, m: &OrgMilestone) -> i64 {
        (m.due_date - self.today).num_days()
    }
}

/// How many vacant posts and open tenders the organisation's home lists.
const ORG_LIST: usize = 5;

#[derive(Template, WebTemplate)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    pub ui: Ui,
    pub officer: Option<OfficerHome>,
    pub organisation: Option<OrganisationHome>,
    pub supervisor: Option<super::supervisor_home::SupervisorView>,
    pub admin: Option<crate::web::pages::admin::home::AdminHome>,
}

/// `GET /`.
pub async fn home(State(st): State<AppState>, actor: Actor, ui: Ui) -> ApiResult<HomePage> {
    let (officer, organisation) = match actor.role {
        Role::FinanceOfficer => (Some(officer_home(&st, &actor, &ui).await?), None),
        Role::Organisation => (None, Some(organisation_home(&st, &actor).await?)),
        _ => (None, None),
    };
    let supervisor = match actor.role {
        Role::Supervisor => Some(super::supervisor_home::load(&st, &actor, &ui).await?),
        _ => None,
    };
    let admin = match actor.role {
        Role::Admin => Some(crate::web::pages::admin::home::load(&st, &ui).await?),
        _ => None,
    };
    Ok(HomePage {
        ui,
        officer,
        organisation,
        supervisor,
        admin,
    })
}

async fn organisation_home(st: &AppState, actor: &Actor) -> ApiResult<OrganisationHome> {
    let org = actor.organisation_scope().ok_or(ApiError::Forbidden)?;
    let (to_resubmit, milestones) = dashboard::organisation_milestones(st, actor)
        .await?
        .into_iter()
        .partition(|m| m.status == MilestoneStatus::Rejected);
    let vacant_posts = posts::vacant_of_organisation(st, org, ORG_LIST).await?;
    let payments = dashboard::payments_received(st, actor).await?;
    let requests = payment_request_figures::todo(st, actor).await?;
    let tenders = tenders::list(
        st,
        actor,
        TenderFilter {
            status: Some(TenderStatus::Published),
            deadline_from: Some(st.now()),
            limit: Some(ORG_LIST as u64),
            ..TenderFilter::default()
        },
    )
    .await?
    .items;
    Ok(OrganisationHome {
        milestones,
        to_resubmit,
        vacant_posts,
        payments,
        tenders,
        today: today(st),
        returned_requests: requests.returned,
    })
}

async fn officer_home(st: &AppState, actor: &Actor, ui: &Ui) -> ApiResult<OfficerHome> {
    let (counts, requests) = tokio::try_join!(
        dashboard::officer_todo(st, actor),
        payment_request_figures::todo(st, actor),
    )?;
    let todo = [
        (
            requests.to_verify,
            "home-requests-to-verify",
            "/payment-requests?status=submitted",
        ),
        (
            requests.to_approve,
            "home-requests-to-approve",
            "/payment-requests?status=verified",
        ),
        (
            requests.to_pay,
            "home-requests-to-pay",
            "/payment-requests?status=approved",
        ),
        (
            counts.reports_awaiting,
            "home-reports-awaiting",
            "/milestones?view=review",
        ),
        (
            counts.overdue_milestones,
            "home-overdue-milestones",
            "/milestones?view=overdue",
        ),
        (
            counts.tenders_past_deadline,
            "home-tenders-past-deadline",
            "/tenders?view=to-award",
        ),
        (
            counts.contracts_ending,
            "home-contracts-ending",
            "/contracts?view=ending",
        ),
        (
            counts.draft_contracts,
            "home-draft-contracts",
            "/contracts?status=draft",
        ),
        (counts.open_findings, "home-open-findings", "/findings"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, key, href)| Todo {
        label: ui.tn(key, n),
        href,
    })
    .collect();
    let lines = budget::list(
        st,
        actor,
        BudgetLineFilter {
            purchaser_id: None,
            fiscal_year: None,
            source: None,
            limit: Some(50),
            cursor: None,
        },
    )
    .await?
    .items
    .into_iter()
    .map(LineBar::from)
    .collect();
    Ok(OfficerHome { todo, lines })
}
