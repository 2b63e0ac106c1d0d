//! `/budget-lines`: the budget lines the user may read, with their figures, a page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::budget::{self, BudgetLineFilter};
use crate::state::AppState;
use crate::web::pages::home::LineBar;
use crate::web::ui::Ui;

#[derive(Template, WebTemplate)]
#[template(path = "pages/budget_lines.html")]
pub struct BudgetLinesPage {
    pub ui: Ui,
    pub lines: Vec<LineBar>,
    pub next: Option<String>,
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
    })
}
