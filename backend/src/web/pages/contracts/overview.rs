//! `/contracts/{id}`: the overview tab — the parties, the value, the status, the budget effect
//! of signing (shown before the sign button), the actions the contract's state allows (sign,
//! cancel a draft; amend, terminate, complete an active one) and its amendments.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{ContractStatus, TenderStatus};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::{Forms, NoFields, renamed, settle};
use crate::auth::{Action, Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::services::common::Reason;
use crate::services::contracts::{self, Amendment, NewAmendment};
use crate::services::{budget, names, tenders};
use crate::state::AppState;
use crate::web::feedback::Fields;
use crate::web::form::Form;
use crate::web::form::ReasonForm;
use crate::web::pages::contract_page::ContractHead;
use crate::web::ui::Ui;

/// What signing a draft does to its budget line.
#[derive(Debug, Clone)]
pub struct BudgetEffect {
    /// Available on the line now.
    pub available: Decimal,
    /// The contract's own tender reservation, released by the signature.
    pub released: Decimal,
    /// Available after signing.
    pub after: Decimal,
}

impl BudgetEffect {
    /// Whether the line can take the contract (else signing is refused).
    pub fn enough(&self) -> bool {
        !self.after.is_sign_negative() || self.after.is_zero()
    }
}

/// The amendment's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendForm {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub reason: String,
}

/// The termination's reason as typed (named apart from the amendment's `reason`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerminateForm {
    #[serde(default)]
    pub terminate_reason: String,
}

/// What the overview's forms hold: the refused one's typed values.
#[derive(Debug, Default)]
pub struct Typed {
    pub amend: AmendForm,
    pub cancel_reason: String,
    pub terminate_reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/contracts/overview.html")]
pub struct OverviewPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub amendments: Vec<Amendment>,
    /// Names of the amendments' authors.
    pub users: HashMap<Uuid, String>,
    /// The budget effect of signing (drafts only).
    pub effect: Option<BudgetEffect>,
    /// The actor is an officer of the contract's purchaser.
    pub can_act: bool,
    pub forms: Forms,
    pub typed: Typed,
    /// The local date of the signature.
    pub signed_on: Option<chrono::NaiveDate>,
}

impl OverviewPage {
    pub fn is_draft(&self) -> bool {
        self.head.contract.status == ContractStatus::Draft
    }

    pub fn is_active(&self) -> bool {
        self.head.contract.status == ContractStatus::Active
    }

    /// The name of an amendment's author.
    pub fn user(&self, id: &Uuid) -> &str {
        self.users.get(id).map_or("", String::as_str)
    }
}

async fn effect(st: &AppState, actor: &Actor, head: &ContractHead) -> ApiResult<BudgetEffect> {
    let c = &head.contract;
    let line = budget::get(st, actor, c.budget_line_id).await?;
    let released = match c.tender_id {
        Some(t) => {
            let t = tenders::get(st, actor, t).await?;
            if t.status == TenderStatus::Awarded {
                t.ceiling_amount.decimal()
            } else {
                Decimal::ZERO
            }
        }
        None => Decimal::ZERO,
    };
    let available = line.available.decimal();
    Ok(BudgetEffect {
        available,
        released,
        after: available + released - c.value.decimal(),
    })
}

async fn page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    forms: Forms,
    typed: Typed,
) -> ApiResult<Response> {
    let head = ContractHead::load(st, actor, id, "overview").await?;
    let amendments = if head.amendments > 0 {
        contracts::amendments_of_shown(st, id).await?
    } else {
        Vec::new()
    };
    let users = names::users(&st.db, amendments.iter().map(|a| a.created_by)).await?;
    let can_act = actor.purchaser_scope() == Some(head.contract.purchaser_id);
    // The budget effect, to those who may read the line (not the organisation's staff).
    let reads_budget = actor.require(Action::ReadBudget).is_ok();
    let effect = if reads_budget && head.contract.status == ContractStatus::Draft {
        Some(effect(st, actor, &head).await?)
    } else {
        None
    };
    let signed_on = head
        .contract
        .signed_at
        .map(|t| t.with_timezone(&st.config.tz).date_naive());
    let page = OverviewPage {
        signed_on,
        ui,
        head,
        amendments,
        users,
        effect,
        can_act,
        forms,
        typed,
    };
    Ok((page.forms.status(), page).into_response())
}

/// `GET /contracts/{id}`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    page(&st, &actor, ui, id, Forms::none(), Typed::default()).await
}

/// An action of the overview: its form's name, its message, what was typed.
struct Step {
    form: &'static str,
    flash: &'static str,
    typed: Typed,
}

impl Step {
    fn plain(form: &'static str, flash: &'static str) -> Self {
        Self::with(form, flash, Typed::default())
    }

    fn with(form: &'static str, flash: &'static str, typed: Typed) -> Self {
        Step { form, flash, typed }
    }
}

/// The page after an action: its flash on success, else the overview with the refusal.
async fn after<T>(
    st: &AppState,
    (jar, actor, ui): (CookieJar, &Actor, Ui),
    id: Uuid,
    result: ApiResult<T>,
    a: Step,
) -> ApiResult<Response> {
    let to = format!("/contracts/{id}");
    match settle(&ui, jar, result, &to, a.flash, a.form)? {
        Ok(done) => Ok(done),
        Err(forms) => page(st, actor, ui, id, forms, a.typed).await,
    }
}

/// `POST /contracts/{id}/sign`: the service of `POST /api/v1/contracts/{id}/sign`.
pub async fn sign(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<NoFields>,
) -> ApiResult<Response> {
    let r = contracts::sign(&st, &actor, id).await;
    after(
        &st,
        (jar, &actor, ui),
        id,
        r,
        Step::plain("sign", "flash-contract-signed"),
    )
    .await
}

/// `POST /contracts/{id}/cancel`: cancels a draft with a reason.
pub async fn cancel(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<ReasonForm>,
) -> ApiResult<Response> {
    let why = form.to_reason();
    let r = contracts::cancel(&st, &actor, id, why).await;
    let typed = Typed {
        cancel_reason: form.reason,
        ..Typed::default()
    };
    let a = Step::with("cancel", "flash-contract-cancelled", typed);
    after(&st, (jar, &actor, ui), id, r, a).await
}

/// `POST /contracts/{id}/terminate`: terminates an active contract with a reason.
pub async fn terminate(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<TerminateForm>,
) -> ApiResult<Response> {
    let why = Reason {
        reason: form.terminate_reason.clone(),
    };
    let r = contracts::terminate(&st, &actor, id, why)
        .await
        .map_err(|e| renamed(e, "reason", "terminate_reason"));
    let typed = Typed {
        terminate_reason: form.terminate_reason,
        ..Typed::default()
    };
    let a = Step::with("terminate", "flash-contract-terminated", typed);
    after(&st, (jar, &actor, ui), id, r, a).await
}

/// `POST /contracts/{id}/complete`.
pub async fn complete(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(_): Form<NoFields>,
) -> ApiResult<Response> {
    let r = contracts::complete(&st, &actor, id).await;
    let a = Step::plain("complete", "flash-contract-completed");
    after(&st, (jar, &actor, ui), id, r, a).await
}

/// `POST /contracts/{id}/amendments`: a new value and/or end date with the reason.
pub async fn amend(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Contract>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<AmendForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewAmendment {
        value: f.opt_money("value", &form.value),
        end_date: f.opt_date("end_date", &form.end_date),
        reason: form.reason.clone(),
    };
    let r = match f.finish() {
        Ok(()) => contracts::amend(&st, &actor, id, new).await,
        Err(e) => Err(e),
    };
    let typed = Typed {
        amend: form,
        ..Typed::default()
    };
    let a = Step::with("amend", "flash-contract-amended", typed);
    after(&st, (jar, &actor, ui), id, r, a).await
}
