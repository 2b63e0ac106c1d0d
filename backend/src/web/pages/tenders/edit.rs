//! A draft tender's form: `GET /tenders/new` + `POST /tenders` (the service of `POST
//! /api/v1/tenders`), `GET /tenders/{id}/edit` + `POST /tenders/{id}` (of `PATCH
//! /api/v1/tenders/{id}`, drafts only). The bid deadline is typed as a local date and time
//! in the installation's time zone (`HUIMIN_TZ`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use entity::rules::vocab::{ServiceCategory, TenderMethod, TenderStatus};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Actor, Can, Seen, can, kind};
use crate::error::ApiResult;
use crate::extract::Path;
use crate::services::budget::{self, BudgetLineFilter};
use crate::services::tenders::{self, NewTender, Tender, TenderPatch};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::form::Form;
use crate::web::pages::done;
use crate::web::ui::Ui;

/// A draft's fields as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenderForm {
    #[serde(default)]
    pub budget_line_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub service_category: String,
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub ceiling_amount: String,
    /// `YYYY-MM-DDTHH:MM`, local time.
    #[serde(default)]
    pub bid_deadline: String,
    #[serde(default)]
    pub service_start: String,
    #[serde(default)]
    pub service_end: String,
    #[serde(default)]
    pub multi_year_reason: String,
}

impl TenderForm {
    /// The form of a draft as it is stored.
    fn of(st: &AppState, t: &Tender) -> Self {
        TenderForm {
            budget_line_id: t.budget_line_id.to_string(),
            title: t.title.clone(),
            description: t.description.clone(),
            service_category: t.service_category.as_str().into(),
            division_code: t.division_code.clone(),
            method: t.method.as_str().into(),
            ceiling_amount: t.ceiling_amount.to_string(),
            bid_deadline: t
                .bid_deadline
                .with_timezone(&st.config.tz)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            service_start: t.service_start.format("%Y-%m-%d").to_string(),
            service_end: t.service_end.format("%Y-%m-%d").to_string(),
            multi_year_reason: t.multi_year_reason.clone().unwrap_or_default(),
        }
    }

    /// The service's input, or the 422 of the fields that do not read (the service checks
    /// the rest: lengths, the division code, the period, the budget line's owner).
    fn read(&self, st: &AppState) -> ApiResult<NewTender> {
        let mut f = Fields::default();
        let new = NewTender {
            purchaser_id: None,
            budget_line_id: f.id("budget_line_id", &self.budget_line_id),
            title: self.title.clone(),
            description: self.description.clone(),
            service_category: f
                .choice(
                    "service_category",
                    &self.service_category,
                    ServiceCategory::parse,
                )
                .unwrap_or(ServiceCategory::Other),
            division_code: self.division_code.trim().to_string(),
            method: f
                .choice("method", &self.method, TenderMethod::parse)
                .unwrap_or(TenderMethod::Open),
            ceiling_amount: f.money("ceiling_amount", &self.ceiling_amount),
            bid_deadline: f.datetime_in("bid_deadline", &self.bid_deadline, st.config.tz),
            service_start: f.date("service_start", &self.service_start),
            service_end: f.date("service_end", &self.service_end),
            multi_year_reason: f.opt_text(&self.multi_year_reason),
        };
        f.finish()?;
        Ok(new)
    }
}

/// The fields the form shows, each with its own message.
const FIELDS: &[&str] = &[
    "budget_line_id",
    "title",
    "description",
    "service_category",
    "division_code",
    "method",
    "ceiling_amount",
    "bid_deadline",
    "service_start",
    "service_end",
    "multi_year_reason",
];

/// Every field of a draft, as a patch (a blank multi-year reason removes it).
fn patch_of(n: NewTender) -> TenderPatch {
    TenderPatch {
        budget_line_id: Some(n.budget_line_id),
        title: Some(n.title),
        description: Some(n.description),
        service_category: Some(n.service_category),
        division_code: Some(n.division_code),
        method: Some(n.method),
        ceiling_amount: Some(n.ceiling_amount),
        bid_deadline: Some(n.bid_deadline),
        service_start: Some(n.service_start),
        service_end: Some(n.service_end),
        multi_year_reason: Some(n.multi_year_reason.unwrap_or_default()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/tenders/form.html")]
pub struct TenderFormPage {
    pub ui: Ui,
    pub form: TenderForm,
    pub fb: Feedback,
    /// The draft being edited (`None`: a new one).
    pub draft: Option<Uuid>,
    /// The officer's budget lines: `(id, "code name")`.
    pub lines: Vec<(String, String)>,
    pub categories: &'static [ServiceCategory],
    pub methods: &'static [TenderMethod],
    /// The time zone the deadline is typed in.
    pub tz: &'static str,
}

impl TenderFormPage {
    async fn answer(
        st: &AppState,
        actor: &Actor,
        ui: Ui,
        draft: Option<Uuid>,
        form: TenderForm,
        fb: Feedback,
    ) -> ApiResult<Response> {
        let all = BudgetLineFilter {
            limit: Some(500),
            ..BudgetLineFilter::default()
        };
        let lines = budget::list(st, actor, all)
            .await?
            .items
            .into_iter()
            .map(|l| (l.id.to_string(), format!("{} {}", l.code, l.name)))
            .collect();
        let page = TenderFormPage {
            ui,
            form,
            fb,
            draft,
            lines,
            categories: ServiceCategory::ALL,
            methods: TenderMethod::ALL,
            tz: st.config.tz.name(),
        };
        Ok((page.fb.status, page).into_response())
    }

    /// The catalogue key of the page's heading.
    pub fn heading(&self) -> &'static str {
        if self.draft.is_some() {
            "tender-edit"
        } else {
            "tender-new"
        }
    }

    /// The catalogue key of the submit button.
    pub fn submit_key(&self) -> &'static str {
        if self.draft.is_some() {
            "tender-save"
        } else {
            "tender-create"
        }
    }

    /// Messages of refused fields the form has no place for (`purchaser_id` …).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb.others(FIELDS)
    }

    /// Where the form posts.
    pub fn action(&self) -> String {
        match self.draft {
            Some(id) => format!("/tenders/{id}"),
            None => "/tenders".into(),
        }
    }
}

/// `GET /tenders/new`.
pub async fn new_form(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
) -> ApiResult<Response> {
    // The purchaser's own division is where most of its services are bought.
    let division_code = match actor.purchaser_scope() {
        Some(p) => {
            crate::services::parties::get_purchaser(&st, p)
                .await?
                .division_code
        }
        None => String::new(),
    };
    let form = TenderForm {
        method: TenderMethod::Open.as_str().into(),
        division_code,
        ..TenderForm::default()
    };
    TenderFormPage::answer(&st, &actor, ui, None, form, Feedback::none()).await
}

/// `POST /tenders`: a new draft.
pub async fn create(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Form(form): Form<TenderForm>,
) -> ApiResult<Response> {
    let created = async { tenders::create(&st, &actor, form.read(&st)?).await }.await;
    match created {
        Ok(t) => Ok(done(
            jar,
            &format!("/tenders/{}", t.id),
            "flash-tender-created",
        )),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            TenderFormPage::answer(&st, &actor, ui, None, form, fb).await
        }
    }
}

/// `GET /tenders/{id}/edit`: a draft's form (any other tender: its page).
pub async fn edit_form(
    State(st): State<AppState>,
    actor: Can<can::ManageProcurement>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let t = tenders::get(&st, &actor, id).await?;
    if t.status != TenderStatus::Draft {
        return Ok(Redirect::to(&format!("/tenders/{id}")).into_response());
    }
    let form = TenderForm::of(&st, &t);
    TenderFormPage::answer(&st, &actor, ui, Some(id), form, Feedback::none()).await
}

/// `POST /tenders/{id}`: the draft's new fields.
pub async fn update(
    State(st): State<AppState>,
    jar: CookieJar,
    actor: Can<can::ManageProcurement>,
    _seen: Seen<kind::Tender>,
    ui: Ui,
    Path(id): Path<Uuid>,
    Form(form): Form<TenderForm>,
) -> ApiResult<Response> {
    let changed = async { tenders::update(&st, &actor, id, patch_of(form.read(&st)?)).await }.await;
    match changed {
        Ok(_) => Ok(done(jar, &format!("/tenders/{id}"), "flash-tender-updated")),
        Err(e) => {
            let fb = Feedback::refused(&ui, e)?;
            TenderFormPage::answer(&st, &actor, ui, Some(id), form, fb).await
        }
    }
}
