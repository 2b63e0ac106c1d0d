//! `/contracts/{id}/milestones`: the contract's milestones (each linking to its report review
//! page) and its indicators with their weights, which must sum to 100 before signing; forms to
//! add a milestone and an indicator while the contract is a draft or active, and to cancel a
//! planned or rejected milestone.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{Comparator, ContractStatus, Measure, MilestoneStatus};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::{Forms, settle};
use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::indicators::{self, Indicator, NewIndicator};
use crate::services::milestones::{self, Milestone, MilestoneFilter, NewMilestone};
use crate::state::AppState;
use crate::web::feedback::Fields;
use crate::web::form::Form;
use crate::web::form::ReasonForm;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::reporting;
use crate::web::ui::Ui;

/// A new milestone's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub amount: String,
}

/// A new indicator's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub comparator: String,
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub weight: String,
}

/// What the tab's forms hold: the refused one's typed values.
#[derive(Debug, Default)]
pub struct Typed {
    pub milestone: MilestoneForm,
    pub indicator: IndicatorForm,
    /// The milestone whose cancellation was refused, with the reason typed.
    pub cancel: Option<(Uuid, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/contracts/milestones.html")]
pub struct MilestonesPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub milestones: Vec<Milestone>,
    pub indicators: Vec<Indicator>,
    pub weight_sum: i64,
    /// The live milestones' amounts (cancelled ones left out).
    pub amount_sum: Decimal,
    /// The contract takes new milestones and indicators, and the actor may add them.
    pub can_add: bool,
    /// The actor is an officer of the contract's purchaser.
    pub can_act: bool,
    /// The organisation whose staff the actor is, if any (they report on its milestones).
    pub reporter: Option<Uuid>,
    pub comparators: &'static [Comparator],
    pub measures: &'static [Measure],
    pub forms: Forms,
    pub typed: Typed,
}

impl MilestonesPage {
    /// Whether the weights keep the contract from being signed (SPEC: 100 when there are any).
    pub fn weights_wrong(&self) -> bool {
        !self.indicators.is_empty() && self.weight_sum != 100
    }

    /// Whether a milestone may still be cancelled (planned or rejected).
    pub fn cancellable(&self, m: &Milestone) -> bool {
        self.can_act
            && matches!(
                m.status,
                MilestoneStatus::Planned | MilestoneStatus::Rejected
            )
    }

    /// The catalogue key of the link to milestone `m`'s report form, when the actor may report
    /// on it now.
    pub fn report_link(&self, m: &Milestone) -> Option<&'static str> {
        reporting::can_report(self.reporter, &self.head.contract, m)
            .then(|| reporting::report_button(m))
    }

    /// Whether the table has a column of actions.
    pub fn has_actions(&self) -> bool {
        self.can_act || self.reporter == Some(self.head.contract.organisation_id)
    }

    /// The reason typed for the cancellation of milestone `id`, if it was refused.
    pub fn cancel_typed(&self, id: &Uuid) -> &str {
        match &self.typed.cancel {
            Some((m, r)) if m == id => r,
            _ => "",
        }
    }

    /// The refusal of the cancellation of milestone `id`: its notice or its reason's message.
    pub fn cancel_error(&self, id: &Uuid) -> Option<String> {
        match &self.typed.cancel {
            Some((m, _)) if m == id => {
                let fb = self.forms.fb("cancel");
                fb.notice
                    .clone()
                    .or_else(|| fb.field("reason").map(str::to_string))
            }
            _ => None,
        }
    }
}

async fn page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    forms: Forms,
    typed: Typed,
) -> ApiResult<Response> {
    let head = ContractHead::load(st, actor, id, "milestones").await?;
    let all = MilestoneFilter {
        status: None,
        overdue: None,
    };
    let milestones = milestones::list(st, actor, id, all).await?;
    let indicators = indicators::list(st, actor, id).await?;
    let can_act = actor.purchaser_scope() == Some(head.contract.purchaser_id);
    let open = matches!(
        head.contract.status,
        ContractStatus::Draft | ContractStatus::Active
    );
    let page = MilestonesPage {
        weight_sum: indicators.iter().map(|i| i64::from(i.weight)).sum(),
        amount_sum: milestones
            .iter()
            .filter(|m| m.status != MilestoneStatus::Cancelled)
            .map(|m| m.amount.decimal())
            .sum(),
        can_add: can_act && open,
        can_act,
        reporter: actor.organisation_scope(),
        comparators: Comparator::ALL,
        measures: Measure::ALL,
        ui,
        head,
        milestones,
        indicators,
        forms,
        typed,
    };
    Ok((page.forms.status(), page).into_response())
}

/// `GET /contracts/{id}/milestones`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    page(&st, &actor, ui, id, Forms::none(), Typed::default()).await
}

/// `POST /contracts/{id}/milestones`: the service of `POST /api/v1/contracts/{id}/milestones`.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<MilestoneForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewMilestone {
        title: form.title.clone(),
        description: form.description.clone(),
        due_date: f.date("due_date", &form.due_date),
        amount: f.money("amount", &form.amount),
    };
    let r = match f.finish() {
        Ok(()) => milestones::create(&st, &actor, id, new).await,
        Err(e) => Err(e),
    };
    let to = format!("/contracts/{id}/milestones");
    match settle(&ui, jar, r, &to, "flash-milestone-added", "milestone")? {
        Ok(done) => Ok(done),
        Err(forms) => {
            let typed = Typed {
                milestone: form,
                ..Typed::default()
            };
            page(&st, &actor, ui, id, forms, typed).await
        }
    }
}

/// `POST /contracts/{id}/indicators`: one indicator, the service of
/// `POST /api/v1/contracts/{id}/indicators`.
pub async fn add_indicator(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<IndicatorForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let target = f.quantity("target", &form.target);
    let comparator = f.choice("comparator", &form.comparator, Comparator::parse);
    let measure = f.choice("measure", &form.measure, Measure::parse);
    let weight: i32 = f.number("weight", &form.weight);
    let r = match f.finish() {
        Ok(()) => {
            let new = NewIndicator {
                code: form.code.clone(),
                name: form.name.clone(),
                unit: form.unit.clone(),
                target,
                comparator: comparator.unwrap_or(Comparator::AtLeast),
                measure,
                weight,
            };
            indicators::add(&st, &actor, id, vec![new]).await
        }
        Err(e) => Err(e),
    };
    let to = format!("/contracts/{id}/milestones");
    match settle(&ui, jar, r, &to, "flash-indicator-added", "indicator")? {
        Ok(done) => Ok(done),
        Err(forms) => {
            let typed = Typed {
                indicator: form,
                ..Typed::default()
            };
            page(&st, &actor, ui, id, forms, typed).await
        }
    }
}

/// `POST /milestones/{id}/cancel`: cancels a planned or rejected milestone with a reason,
/// then back to its contract's milestones.
pub async fn cancel(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Milestone>,
    ui: Ui,
    Path(mid): Path<Uuid>,
    Form(form): Form<ReasonForm>,
) -> ApiResult<Response> {
    let contract = milestones::get(&st, &actor, mid).await?.contract_id;
    let r = milestones::cancel(&st, &actor, mid, form.to_reason()).await;
    let to = format!("/contracts/{contract}/milestones");
    match settle(&ui, jar, r, &to, "flash-milestone-cancelled", "cancel")? {
        Ok(done) => Ok(done),
        Err(forms) => {
            let typed = Typed {
                cancel: Some((mid, form.reason)),
                ..Typed::default()
            };
            page(&st, &actor, ui, contract, forms, typed).await
        }
    }
}
