//! `/budget-lines`: the budget lines the user may read, with their figures, a page at a time;
//! a finance officer creates one and changes its amount (with a reason).
//!
//! The pattern of every form of the interface: the page's form is its text fields
//! ([`NewLineForm`]); [`Fields`] reads them into the service's input (numbers, amounts, dates),
//! the service checks its rules, and a refusal of either shows the page again with each
//! message beside its field ([`Feedback`]), the values kept, the API's status (422, 409).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::FundSource;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::budget::{self, BudgetLineFilter, BudgetLinePatch, NewBudgetLine};
use crate::state::AppState;
use crate::store;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::done;
use crate::web::pages::home::LineBar;
use crate::web::ui::Ui;

/// The routes of the budget-line pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/budget-lines", get(list).post(create))
        .route("/budget-lines/new", get(new_form))
        .route("/budget-lines/{id}", get(show))
        .route("/budget-lines/{id}/amount", post(change_amount))
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/budget_lines.html")]
pub struct BudgetLinesPage {
    pub ui: Ui,
    pub lines: Vec<LineBar>,
    pub next: Option<String>,
    pub can_create: bool,
}

/// The list's query: the page's cursor.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub cursor: Option<String>,
}

/// `GET /budget-lines` (finance officers: their purchaser's; supervisors and admins: all).
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadBudget>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<BudgetLinesPage> {
    let page = budget::list(
        &st,
        &actor,
        BudgetLineFilter {
            purchaser_id: None,
            fiscal_year: None,
            source: None,
            limit: Some(50),
            cursor: q.cursor,
        },
    )
    .await?;
    Ok(BudgetLinesPage {
        ui,
        lines: page.items.into_iter().map(LineBar::from).collect(),
        next: page
            .next_cursor
            .map(|c| form_urlencoded::byte_serialize(c.as_bytes()).collect()),
        can_create: actor.purchaser_scope().is_some(),
    })
}

/// The new line's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLineForm {
    #[serde(default)]
    pub fiscal_year: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/budget_line_new.html")]
pub struct NewLinePage {
    pub ui: Ui,
    pub form: NewLineForm,
    pub fb: Feedback,
    pub sources: &'static [FundSource],
}

impl NewLinePage {
    fn into_answer(self) -> Response {
        (self.fb.status, self).into_response()
    }
}

/// `GET /budget-lines/new`.
pub async fn new_form(
    State(st): State<AppState>,
    _actor: Can<can::ManageBudget>,
    ui: Ui,
) -> NewLinePage {
    let year = chrono::Datelike::year(&store::today(&st));
    NewLinePage {
        ui,
        form: NewLineForm {
            fiscal_year: year.to_string(),
            source: FundSource::County.as_str().to_string(),
            ..NewLineForm::default()
        },
        fb: Feedback::none(),
        sources: FundSource::ALL,
    }
}

/// `POST /budget-lines`: the service of `POST /api/v1/budget-lines`.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageBudget>,
    ui: Ui,
    Form(form): Form<NewLineForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let new = NewBudgetLine {
        purchaser_id: None,
        fiscal_year: f.number("fiscal_year", &form.fiscal_year),
        code: form.code.clone(),
        name: form.name.clone(),
        amount: f.money("amount", &form.amount),
        source: f
            .choice("source", &form.source, FundSource::parse)
            .unwrap_or(FundSource::County),
    };
    let created = match f.finish() {
        Ok(()) => budget::create(&st, &actor, new).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(line) => Ok(done(
            jar,
            &format!("/budget-lines/{}", line.id),
            "flash-budget-line-created",
        )),
        Err(e) => Ok(NewLinePage {
            fb: Feedback::refused(&ui, e)?,
            ui,
            form,
            sources: FundSource::ALL,
        }
        .into_answer()),
    }
}

/// The amount form's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/budget_line.html")]
pub struct LinePage {
    pub ui: Ui,
    pub line: LineBar,
    pub can_manage: bool,
    pub form: AmountForm,
    pub fb: Feedback,
}

async fn line_page(
    st: &AppState,
    actor: &crate::auth::Actor,
    ui: Ui,
    id: Uuid,
    form: AmountForm,
    fb: Feedback,
) -> ApiResult<Response> {
    let line = budget::get(st, actor, id).await?;
    let page = LinePage {
        can_manage: actor.purchaser_scope() == Some(line.purchaser_id),
        line: LineBar::from(line),
        ui,
        form,
        fb,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /budget-lines/{id}`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadBudget>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    line_page(&st, &actor, ui, id, AmountForm::default(), Feedback::none()).await
}

/// `POST /budget-lines/{id}/amount`: the service of `PATCH /api/v1/budget-lines/{id}` with a
/// new `amount` and its `reason`.
pub async fn change_amount(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageBudget>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<AmountForm>,
) -> ApiResult<Response> {
    let mut f = Fields::default();
    let patch = BudgetLinePatch {
        name: None,
        amount: Some(f.money("amount", &form.amount)),
        source: None,
        reason: Some(form.reason.clone()),
    };
    let changed = match f.finish() {
        Ok(()) => budget::update(&st, &actor, id, patch).await,
        Err(e) => Err(e),
    };
    match changed {
        Ok(_) => Ok(done(
            jar,
            &format!("/budget-lines/{id}"),
            "flash-budget-amount-changed",
        )),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            line_page(&st, &actor, ui, id, form, fb).await
        }
    }
}
