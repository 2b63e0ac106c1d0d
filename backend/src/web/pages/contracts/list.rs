//! `/contracts`: the contracts the user may see, filtered and a page at a time (`view=ending`:
//! the active ones ending within 30 days, which the officer's home page counts); a finance
//! officer's direct award (`/contracts/new`).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::score::Score;
use entity::rules::vocab::{ContractStatus, OrgStatus, ServiceCategory};
use serde::Deserialize;
use uuid::Uuid;

use super::cursor_param;
use crate::auth::{Actor, Can, can};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::services::budget::{self, BudgetLineFilter};
use crate::services::contracts::{self, Contract, ContractFilter, NewContract, PerformanceRule};
use crate::services::names;
use crate::services::parties::{self, OrganisationFilter};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::done;
use crate::web::ui::Ui;

/// How far ahead `view=ending` looks, as the home page counts.
pub const ENDING_DAYS: u32 = 30;

/// The list's query: its filters and the page's cursor.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    /// `ending`: active contracts ending within 30 days.
    pub view: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/contracts/list.html")]
pub struct ContractsPage {
    pub ui: Ui,
    pub contracts: Vec<Contract>,
    pub organisations: HashMap<Uuid, String>,
    /// The chosen status (`""`: all).
    pub status: String,
    pub ending: bool,
    pub statuses: &'static [ContractStatus],
    /// The organisation the list is limited to, with its name.
    pub organisation: Option<(Uuid, String)>,
    /// The filters as a query string, for the next page's link.
    pub filters: String,
    pub next: Option<String>,
    pub can_create: bool,
}

/// `GET /contracts`: the service of `GET /api/v1/contracts`.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<ContractsPage> {
    let ending = q.view.as_deref() == Some("ending");
    let status = match q.status.as_deref().map(str::trim) {
        _ if ending => Some(ContractStatus::Active),
        None | Some("") => None,
        // A status the API does not know: 422 as there.
        Some(s) => Some(ContractStatus::parse(s).ok_or_else(|| {
            ApiError::field(
                "status",
                crate::error::codes::FIELD_CHOICE,
                "must be one of the contract statuses",
            )
        })?),
    };
    let page = contracts::list(
        &st,
        &actor,
        ContractFilter {
            status,
            purchaser_id: None,
            organisation_id: q.organisation_id,
            ending_within_days: ending.then_some(ENDING_DAYS),
            limit: Some(50),
            cursor: q.cursor,
        },
    )
    .await?;
    let ids = page.items.iter().map(|c| c.organisation_id);
    // The filter's organisation is named to those who may read every organisation.
    let named = q
        .organisation_id
        .filter(|_| actor.organisation_scope().is_none());
    let organisations = names::organisations(&st.db, ids.chain(named)).await?;
    let mut filters = form_urlencoded::Serializer::new(String::new());
    if ending {
        filters.append_pair("view", "ending");
    } else if let Some(s) = status {
        filters.append_pair("status", s.as_str());
    }
    if let Some(o) = q.organisation_id {
        filters.append_pair("organisation_id", &o.to_string());
    }
    let organisation = q
        .organisation_id
        .map(|o| (o, organisations.get(&o).cloned().unwrap_or_default()));
    Ok(ContractsPage {
        organisation,
        ui,
        contracts: page.items,
        organisations,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        ending,
        statuses: ContractStatus::ALL,
        filters: filters.finish(),
        next: cursor_param(page.next_cursor),
        can_create: actor.purchaser_scope().is_some(),
    })
}

/// The direct award's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewContractForm {
    #[serde(default)]
    pub organisation_id: String,
    #[serde(default)]
    pub budget_line_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub service_category: String,
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub direct_award_reason: String,
    #[serde(default)]
    pub multi_year_reason: String,
    #[serde(default)]
    pub full_pay_score: String,
    #[serde(default)]
    pub min_pay_score: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/contracts/new.html")]
pub struct NewContractPage {
    pub ui: Ui,
    pub form: NewContractForm,
    pub fb: Feedback,
    /// Active organisations `(id, name)`.
    pub organisations: Vec<(String, String)>,
    /// The officer's budget lines `(id, "code name · available")`.
    pub lines: Vec<(String, String)>,
    pub categories: &'static [ServiceCategory],
}

async fn new_page(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    form: NewContractForm,
    fb: Feedback,
) -> ApiResult<Response> {
    let orgs = parties::list_organisations(
        st,
        actor,
        OrganisationFilter {
            status: Some(OrgStatus::Active),
            credit_code: None,
            limit: Some(crate::pagination::MAX_LIMIT),
            cursor: None,
        },
    )
    .await?;
    let lines = budget::list(
        st,
        actor,
        BudgetLineFilter {
            purchaser_id: None,
            fiscal_year: None,
            source: None,
            limit: Some(crate::pagination::MAX_LIMIT),
            cursor: None,
        },
    )
    .await?;
    let page = NewContractPage {
        organisations: orgs
            .items
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect(),
        lines: lines
            .items
            .into_iter()
            .map(|l| {
                let label = format!(
                    "{} {} · {} {}",
                    l.code,
                    l.name,
                    ui.t("budget-available"),
                    ui.money(l.available)
                );
                (l.id.to_string(), label)
            })
            .collect(),
        categories: ServiceCategory::ALL,
        ui,
        form,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /contracts/new`.
pub async fn new_form(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
) -> ApiResult<Response> {
    let form = NewContractForm {
        full_pay_score: contracts::DEFAULT_FULL_PAY_TENTHS
            .div_euclid(10)
            .to_string(),
        min_pay_score: contracts::DEFAULT_MIN_PAY_TENTHS.div_euclid(10).to_string(),
        ..NewContractForm::default()
    };
    new_page(&st, &actor, ui, form, Feedback::none()).await
}

/// The performance rule as typed: both scores or neither (the service's default). A number
/// that is no score (0–100, one decimal) is the field's problem.
fn rule(f: &mut Fields, form: &NewContractForm) -> (Option<PerformanceRule>, Vec<FieldError>) {
    let full: Option<f64> = f.opt_number("full_pay_score", &form.full_pay_score);
    let min: Option<f64> = f.opt_number("min_pay_score", &form.min_pay_score);
    let mut bad = Vec::new();
    let mut score = |field: &str, v: f64| {
        let s = Score::from_f64(v);
        if s.is_none() {
            bad.push(FieldError::new(
                field,
                crate::error::codes::FIELD_OUT_OF_RANGE,
                "must be a number from 0 to 100",
            ));
        }
        s
    };
    let rule = match (full, min) {
        (Some(a), Some(b)) => match (score("full_pay_score", a), score("min_pay_score", b)) {
            (Some(full_pay_score), Some(min_pay_score)) => Some(PerformanceRule {
                full_pay_score,
                min_pay_score,
            }),
            _ => None,
        },
        _ => None,
    };
    (rule, bad)
}

/// `POST /contracts`: the service of `POST /api/v1/contracts` (a direct award). The purchaser
/// is the officer's own; another purchaser's budget line or an organisation that may not be
/// awarded is refused by the service as in the API.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Form(form): Form<NewContractForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewContract {
        purchaser_id: actor.purchaser_scope().unwrap_or_default(),
        organisation_id: f.id("organisation_id", &form.organisation_id),
        budget_line_id: f.id("budget_line_id", &form.budget_line_id),
        title: form.title.clone(),
        service_category: f
            .choice(
                "service_category",
                &form.service_category,
                ServiceCategory::parse,
            )
            .unwrap_or(ServiceCategory::Other),
        division_code: form.division_code.trim().to_string(),
        value: f.money("value", &form.value),
        start_date: f.date("start_date", &form.start_date),
        end_date: f.date("end_date", &form.end_date),
        direct_award_reason: form.direct_award_reason.clone(),
        responsible_officer_id: None,
        multi_year_reason: f.opt_text(&form.multi_year_reason),
        performance_rule: None,
    };
    let (rule, bad) = rule(&mut f, &form);
    let new = NewContract {
        performance_rule: rule,
        ..new
    };
    let created = match (f.finish(), bad.is_empty()) {
        (Ok(()), true) => contracts::create(&st, &actor, new).await,
        (Ok(()), false) => Err(ApiError::Validation(bad)),
        (Err(ApiError::Validation(mut v)), _) => {
            v.extend(bad);
            Err(ApiError::Validation(v))
        }
        (Err(e), _) => Err(e),
    };
    match created {
        Ok(c) => Ok(done(
            jar,
            &format!("/contracts/{}", c.id),
            "flash-contract-created",
        )),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            new_page(&st, &actor, ui, form, fb).await
        }
    }
}
