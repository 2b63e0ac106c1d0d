//! The tenders pages of the finance officer's workspace (UI.md §2): the list with the API's
//! filters (and the home page's "past their deadline, to close or award"), a draft's form
//! ([`edit`]) and a tender's page with the actions its state allows and, after the deadline,
//! its bids ([`show`]). Every page calls the services of the JSON API with its policy
//! extractors, so a refusal is the API's (403, 404, 422, 409).

pub mod edit;
pub mod show;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use entity::rules::vocab::{ServiceCategory, TenderStatus};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::names;
use crate::services::tenders::{self, Tender, TenderFilter};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::ui::Ui;

/// The routes of the tenders pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tenders", get(list).post(edit::create))
        .route("/tenders/new", get(edit::new_form))
        .route("/tenders/{id}", get(show::show).post(edit::update))
        .route("/tenders/{id}/edit", get(edit::edit_form))
        .route("/tenders/{id}/publish", post(show::publish))
        .route("/tenders/{id}/close", post(show::close))
        .route("/tenders/{id}/cancel", post(show::cancel))
        .route("/tenders/{id}/unsuccessful", post(show::unsuccessful))
        .route("/tenders/{id}/award", post(show::award))
        .route("/bids/{id}/score", post(show::score))
}

/// The `view` of the list that shows what the officer's home page counts as "past their bid
/// deadline, to close or award".
pub const VIEW_TO_AWARD: &str = "to-award";

/// A tender as the pages show it: its budget line's name and its deadline in local time.
#[derive(Debug, Clone)]
pub struct TenderRow {
    pub tender: Tender,
    pub budget_line: String,
    pub ceiling: Decimal,
    /// The bid deadline in the installation's time zone, in the page's language.
    pub deadline: String,
    pub past_deadline: bool,
}

impl TenderRow {
    fn new(st: &AppState, ui: &Ui, tender: Tender, budget_line: String) -> Self {
        TenderRow {
            deadline: ui.datetime(&tender.bid_deadline),
            past_deadline: st.now() >= tender.bid_deadline,
            ceiling: tender.ceiling_amount.decimal(),
            budget_line,
            tender,
        }
    }

    /// The tenders with their budget lines' names (one query for all of them).
    pub async fn load(st: &AppState, ui: &Ui, items: Vec<Tender>) -> ApiResult<Vec<Self>> {
        let lines = names::budget_lines(&st.db, items.iter().map(|t| t.budget_line_id)).await?;
        Ok(items
            .into_iter()
            .map(|t| {
                let line = lines.get(&t.budget_line_id).cloned().unwrap_or_default();
                TenderRow::new(st, ui, t, line)
            })
            .collect())
    }
}

/// The start of a local day as an instant (`None` only where a time zone skips midnight).
fn day_start(st: &AppState, d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0)?
        .and_local_timezone(st.config.tz)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

/// A filter's choice: `None` when left blank.
fn opt_choice<T: Copy>(
    f: &mut Fields,
    field: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    if raw.trim().is_empty() {
        None
    } else {
        f.choice(field, raw, parse)
    }
}

/// The list's filters as typed in its GET form, and the page's cursor.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub service_category: String,
    #[serde(default)]
    pub division_code: String,
    /// A local date: deadlines on or after its start.
    #[serde(default)]
    pub deadline_from: String,
    /// A local date: deadlines up to its end.
    #[serde(default)]
    pub deadline_to: String,
    /// `to-award`, or empty.
    #[serde(default)]
    pub view: String,
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The API's filter of these fields (a field that does not read is refused, 422).
    fn filter(&self, st: &AppState) -> ApiResult<TenderFilter> {
        let mut f = Fields::default();
        let status = opt_choice(&mut f, "status", &self.status, TenderStatus::parse);
        let service_category = opt_choice(
            &mut f,
            "service_category",
            &self.service_category,
            ServiceCategory::parse,
        );
        let from = f.opt_date("deadline_from", &self.deadline_from);
        let to = f.opt_date("deadline_to", &self.deadline_to);
        let to_award = opt_choice(&mut f, "view", &self.view, |v| {
            (v == VIEW_TO_AWARD).then_some(true)
        });
        let division_code = f.opt_text(&self.division_code);
        f.finish()?;
        Ok(TenderFilter {
            status,
            service_category,
            division_code,
            purchaser_id: None,
            deadline_from: from.and_then(|d| day_start(st, d)),
            deadline_to: to.and_then(|d| day_start(st, d.succ_opt()?)),
            to_award,
            limit: Some(50),
            cursor: self.cursor.clone(),
        })
    }

    /// The address of the list with these filters at `cursor`.
    fn href(&self, cursor: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &self.status),
            ("service_category", &self.service_category),
            ("division_code", &self.division_code),
            ("deadline_from", &self.deadline_from),
            ("deadline_to", &self.deadline_to),
            ("view", &self.view),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.append_pair("cursor", cursor);
        format!("/tenders?{}", q.finish())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/tenders/list.html")]
pub struct TendersPage {
    pub ui: Ui,
    pub q: ListQuery,
    pub fb: Feedback,
    pub rows: Vec<TenderRow>,
    pub next: Option<String>,
    pub can_create: bool,
    pub statuses: &'static [TenderStatus],
    pub categories: &'static [ServiceCategory],
}

impl TendersPage {
    /// Messages of refused fields the filter form has no place for (a stale `cursor` …).
    pub fn other_problems(&self) -> Vec<&str> {
        let shown = [
            "status",
            "service_category",
            "division_code",
            "deadline_from",
            "deadline_to",
            "view",
        ];
        self.fb.others(&shown)
    }
}

/// `GET /tenders`: the reader's tenders, filtered as the API's list, a page at a time.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let found = async { tenders::list(&st, &actor, q.filter(&st)?).await }.await;
    let (rows, next, fb) = match found {
        Ok(page) => (
            TenderRow::load(&st, &ui, page.items).await?,
            page.next_cursor.map(|c| q.href(&c)),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = TendersPage {
        can_create: actor.purchaser_scope().is_some(),
        ui,
        q,
        fb,
        rows,
        next,
        statuses: TenderStatus::ALL,
        categories: ServiceCategory::ALL,
    };
    Ok((page.fb.status, page).into_response())
}
