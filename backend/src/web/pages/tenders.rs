//! The tenders pages (UI.md §2). For the finance officer: the list with the API's filters (and
//! the home page's "past their deadline, to close or award"), a draft's form ([`edit`]) and a
//! tender's page with the actions its state allows and, after the deadline, its bids
//! ([`show`]). For an organisation: the published tenders with their deadlines counting down,
//! a tender's page with its bid form ([`bid`]) and its own bids with their outcomes
//! ([`bids`]). Every page calls the services of the JSON API with its policy extractors, so a
//! refusal is the API's (403, 404, 422, 409).

pub mod bid;
pub mod bids;
pub mod edit;
pub mod show;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::rules::vocab::{ServiceCategory, TenderStatus};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::auth::{Actor, Can, can};
use crate::error::ApiResult;
use crate::services::names;
use crate::services::tenders::{self, Tender, TenderFilter};
use crate::state::AppState;
use crate::web::feedback::{Feedback, Fields};
use crate::web::ui::Ui;
use jobs::i18n::FluentValue;

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
        .route("/tenders/{id}/bid", post(bid::submit))
        .route("/bids", get(bids::list))
        .route("/bids/{id}/score", post(show::score))
}

/// The `view` of the list that shows what the officer's home page counts as "past their bid
/// deadline, to close or award".
pub const VIEW_TO_AWARD: &str = "to-award";

/// A tender as the pages show it: its budget line's name (or, to an organisation, which
/// reads no budget, its purchaser's) and its deadline in local time, counting down.
#[derive(Debug, Clone)]
pub struct TenderRow {
    pub tender: Tender,
    /// The budget line's `code name` (empty for an organisation).
    pub budget_line: String,
    /// The purchaser's name (for an organisation only).
    pub purchaser: String,
    pub ceiling: Decimal,
    /// The bid deadline in the installation's time zone, in the page's language.
    pub deadline: String,
    pub past_deadline: bool,
    /// The time left before the deadline ("还有 3 天 5 小时"), or that it has passed.
    pub countdown: String,
    /// The division as the pages show it: its name with its code.
    pub division: String,
}

impl TenderRow {
    /// The tenders with the names the actor may read: budget lines for the purchasers' side,
    /// purchasers for an organisation (one query for all of them).
    pub async fn load(
        st: &AppState,
        ui: &Ui,
        actor: &Actor,
        items: Vec<Tender>,
    ) -> ApiResult<Vec<Self>> {
        let bidder = actor.organisation_scope().is_some();
        let names = if bidder {
            names::purchasers(&st.db, items.iter().map(|t| t.purchaser_id)).await?
        } else {
            names::budget_lines(&st.db, items.iter().map(|t| t.budget_line_id)).await?
        };
        let codes: Vec<String> = items.iter().map(|t| t.division_code.clone()).collect();
        let division_names = crate::services::divisions::names(&st.db, &codes).await?;
        let now = st.now();
        Ok(items
            .into_iter()
            .map(|tender| {
                let key = if bidder {
                    tender.purchaser_id
                } else {
                    tender.budget_line_id
                };
                let name = names.get(&key).cloned().unwrap_or_default();
                let (budget_line, purchaser) = if bidder {
                    (String::new(), name)
                } else {
                    (name, String::new())
                };
                TenderRow {
                    division: crate::services::divisions::label(
                        &tender.division_code,
                        &division_names,
                    ),
                    deadline: ui.datetime(&tender.bid_deadline),
                    past_deadline: now >= tender.bid_deadline,
                    countdown: countdown(ui, now, tender.bid_deadline),
                    ceiling: tender.ceiling_amount.decimal(),
                    budget_line,
                    purchaser,
                    tender,
                }
            })
            .collect())
    }
}

/// The whole days, hours and minutes from `now` to `deadline` (minutes rounded up, so the
/// last minute still counts), or `None` once the deadline has come.
pub fn time_left(now: DateTime<Utc>, deadline: DateTime<Utc>) -> Option<(i64, i64, i64)> {
    if now >= deadline {
        return None;
    }
    let minutes = ((deadline - now).num_seconds() + 59) / 60;
    Some((minutes / (24 * 60), minutes / 60 % 24, minutes % 60))
}

/// The countdown to a deadline in the page's language: "还有 3 天 5 小时", "还有 2 小时
/// 10 分钟", "还有 5 分钟", then "已截止" (in English "3 days 5 hours left" …).
pub fn countdown(ui: &Ui, now: DateTime<Utc>, deadline: DateTime<Utc>) -> String {
    let Some((days, hours, minutes)) = time_left(now, deadline) else {
        return ui.t("tender-countdown-over");
    };
    let parts: &[(&str, i64)] = if days > 0 {
        &[
            ("tender-countdown-day", days),
            ("tender-countdown-hour", hours),
        ]
    } else if hours > 0 {
        &[
            ("tender-countdown-hour", hours),
            ("tender-countdown-minute", minutes),
        ]
    } else {
        &[("tender-countdown-minute", minutes)]
    };
    // Numbers, so that each unit takes its plural form.
    let counted = |key: &str, n: i64| {
        let args = HashMap::from([(Cow::Borrowed("count"), FluentValue::from(n))]);
        jobs::i18n::text_args(ui.locale, key, &args)
    };
    let left: Vec<String> = parts.iter().map(|(k, n)| counted(k, *n)).collect();
    ui.tname("tender-countdown", &left.join(" "))
}

/// The start of a local day as an instant (`None` only where a time zone skips midnight).
pub fn day_start(st: &AppState, d: NaiveDate) -> Option<DateTime<Utc>> {
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
    /// The reader is an organisation: its columns (purchaser, division, countdown) and no
    /// officer's filter.
    pub bidder: bool,
    pub statuses: Vec<TenderStatus>,
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

/// `GET /tenders`: the reader's tenders, filtered as the API's list, a page at a time. An
/// organisation's first visit (no query at all) shows the published ones: those open to bid.
pub async fn list(
    State(st): State<AppState>,
    actor: Can<can::ReadProcurement>,
    ui: Ui,
    Query(mut q): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let bidder = actor.organisation_scope().is_some();
    if bidder && raw.is_none() {
        q.status = TenderStatus::Published.as_str().into();
    }
    let found = async { tenders::list(&st, &actor, q.filter(&st)?).await }.await;
    let (rows, next, fb) = match found {
        Ok(page) => (
            TenderRow::load(&st, &ui, &actor, page.items).await?,
            page.next_cursor.map(|c| q.href(&c)),
            Feedback::none(),
        ),
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = TendersPage {
        can_create: actor.purchaser_scope().is_some(),
        bidder,
        ui,
        q,
        fb,
        rows,
        next,
        // An organisation never sees a draft: its filter does not offer one.
        statuses: TenderStatus::ALL
            .iter()
            .copied()
            .filter(|s| !bidder || *s != TenderStatus::Draft)
            .collect(),
        categories: ServiceCategory::ALL,
    };
    Ok((page.fb.status, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn the_countdown_counts_whole_days_hours_and_started_minutes_to_the_deadline() {
        let deadline = Utc.with_ymd_and_hms(2026, 3, 20, 9, 0, 0).unwrap();
        let left = |d: Duration| time_left(deadline - d, deadline);
        let span = Duration::days(3) + Duration::hours(5) + Duration::minutes(7);
        assert_eq!(left(span), Some((3, 5, 7)));
        assert_eq!(left(Duration::seconds(61)), Some((0, 0, 2)));
        assert_eq!(left(Duration::seconds(1)), Some((0, 0, 1)));
        assert_eq!(left(Duration::hours(24)), Some((1, 0, 0)));
        assert_eq!(left(Duration::zero()), None);
        assert_eq!(left(Duration::seconds(-1)), None);
    }
}
