//! `/contracts/{id}/dossier`: a contract's dossier as one page for an auditor — what
//! `GET /api/v1/contracts/{id}/dossier` answers, to the same roles (the purchaser's finance
//! officers, supervisors, admins): the anomalies found, the findings panel (a supervisor
//! records a finding and resolves an answered one; the officer answers), then the timeline of
//! everything that happened — the tender and its bids (after the deadline only: the service
//! leaves sealed bids out), the award, the signing, amendments, posts and staffing, reports
//! with their attachments and decisions with the scores, payment requests (each step with the
//! days it waited, returns with their comment), payments, findings — and the
//! milestones, the posts and the audit events in tables. The timeline is built in
//! [`timeline`], one function per kind of record.

pub mod timeline;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use entity::rules::counts::to_i64;
use entity::rules::vocab::ContractStatus;
use uuid::Uuid;

use crate::auth::{Actor, Can, can};
use crate::error::ApiResult;
use crate::services::dossier::{self, Dossier};
use crate::services::milestones::Milestone;
use crate::services::{divisions, names};
use crate::state::AppState;
use crate::store;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::contracts::history::{Event, event};
use crate::web::pages::findings::FindingForms;
use crate::web::ui::Ui;
use timeline::{Entry, timeline};

/// The route of the dossier page (its findings' forms post to the findings pages' routes).
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/contracts/{id}/dossier", axum::routing::get(show))
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/dossier.html")]
pub struct DossierPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub d: Dossier,
    /// The anomalies found, explained.
    pub flags: Vec<String>,
    pub timeline: Vec<Entry>,
    pub events: Vec<Event>,
    pub forms: FindingForms,
    /// Names of the milestones and posts by id.
    pub milestone_titles: HashMap<Uuid, String>,
    pub post_titles: HashMap<Uuid, String>,
    pub today: NaiveDate,
    /// The register's names of the contract's and its posts' divisions.
    pub division_names: HashMap<String, String>,
}

impl DossierPage {
    /// The title of a milestone.
    pub fn milestone(&self, id: &Uuid) -> &str {
        self.milestone_titles.get(id).map_or("", String::as_str)
    }

    /// The title of a post.
    pub fn post(&self, id: &Uuid) -> &str {
        self.post_titles.get(id).map_or("", String::as_str)
    }

    /// A division as the pages show it: its name and code (the bare code when unnamed).
    pub fn division(&self, code: &str) -> String {
        divisions::label(code, &self.division_names)
    }

    /// How many days `m` is late today.
    pub fn days_late(&self, m: &Milestone) -> i64 {
        (self.today - m.due_date).num_days()
    }

    /// A figure of the contract's budget line (`amount`, `committed` …) as money.
    pub fn line(&self, key: &str) -> String {
        self.d.budget_line[key]
            .as_str()
            .and_then(|v| v.parse::<rust_decimal::Decimal>().ok())
            .map(|v| self.ui.money(v))
            .unwrap_or_default()
    }

    /// Everything paid on the contract.
    pub fn paid_total(&self) -> entity::rules::money::Money {
        entity::rules::money::Money::from_fen(self.d.payments.iter().map(|p| p.amount.fen()).sum())
    }

    /// What was paid on a milestone.
    pub fn paid(&self, m: &Milestone) -> entity::rules::money::Money {
        entity::rules::money::Money::from_fen(
            self.d
                .payments
                .iter()
                .filter(|p| p.milestone_id == Some(m.id))
                .map(|p| p.amount.fen())
                .sum(),
        )
    }
}

/// The dossier's anomalies, each explained (the spending report's words for the same flags).
fn flags(ui: &Ui, d: &Dossier) -> Vec<String> {
    let f = &d.flags;
    let mut out = Vec::new();
    if f.all_milestones_overdue {
        out.push(ui.tn("spending-flag-contracts-all-milestones-overdue", 1));
    }
    if f.posts_vacant_over_30_days > 0 {
        out.push(ui.tn(
            "spending-flag-posts-vacant-over-30-days",
            to_i64(f.posts_vacant_over_30_days),
        ));
    }
    if f.without_indicators && d.contract.status != ContractStatus::Draft {
        out.push(ui.tn("spending-flag-contracts-without-indicators", 1));
    }
    if f.budget_line_over_90_percent {
        out.push(ui.tn("spending-flag-budget-lines-over-90-percent", 1));
    }
    if f.open_findings >= 2 {
        out.push(ui.tn("dossier-flag-open-findings", to_i64(f.open_findings)));
    }
    if f.payments_before_acceptance > 0 {
        out.push(ui.tn(
            "spending-flag-payments-before-acceptance",
            to_i64(f.payments_before_acceptance),
        ));
    }
    if f.requests_approved_by_accepter > 0 {
        out.push(ui.tn(
            "spending-flag-requests-approved-by-accepter",
            to_i64(f.requests_approved_by_accepter),
        ));
    }
    out
}

/// The dossier page of contract `id` with the findings' forms of `forms`.
pub async fn render(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    mut forms: FindingForms,
) -> ApiResult<Response> {
    let (head, d) = tokio::try_join!(
        ContractHead::load(st, actor, id, "dossier"),
        dossier::get(st, actor, id),
    )?;
    let codes: Vec<String> = std::iter::once(d.contract.division_code.clone())
        .chain(d.posts.iter().map(|p| p.division_code.clone()))
        .collect();
    let (orgs, users, division_names) = tokio::try_join!(
        names::organisations(&st.db, d.bids.iter().map(|b| b.organisation_id)),
        names::users(
            &st.db,
            d.audit_events.iter().filter_map(|e| e.actor_user_id)
        ),
        async { Ok::<_, crate::error::ApiError>(divisions::names(&st.db, &codes).await?) },
    )?;
    let today = store::today(st);
    let milestone_titles: HashMap<Uuid, String> = d
        .milestones
        .iter()
        .map(|m| (m.id, m.title.clone()))
        .collect();
    let post_titles = d.posts.iter().map(|p| (p.id, p.title.clone())).collect();
    let timeline = timeline(&ui, &d, &orgs, &milestone_titles, &division_names, today);
    let events = d
        .audit_events
        .iter()
        .rev()
        .map(|e| event(&ui, &users, id, e))
        .collect();
    forms.back = format!("/contracts/{id}/dossier");
    let page = DossierPage {
        flags: flags(&ui, &d),
        timeline,
        events,
        forms,
        milestone_titles,
        post_titles,
        today,
        division_names,
        head,
        d,
        ui,
    };
    Ok((page.forms.fb.status, page).into_response())
}

/// `GET /contracts/{id}/dossier`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadSpending>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let forms = FindingForms::of(&actor, String::new());
    render(&st, &actor, ui, id, forms).await
}
