//! `/spending`: the spending report of `GET /api/v1/reports/spending` as a page — grouped by
//! purchaser, organisation, budget line, category or division, with the report's filters; a
//! bar chart of committed and disbursed per group drawn as SVG on the server (no script), with
//! a text table of the same figures for screen readers; each group's anomaly flags with their
//! explanation; the division drill-down (county → townships → villages, [`spending::division_level`]).
//!
//! `?format=csv` and `?format=xlsx` of the same address download what the page shows: the same
//! query through the same service, in the same order, written by the API's own exports.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use entity::rules::counts::{to_i64, to_u32};
use entity::rules::money::Money;
use entity::rules::vocab::{Role, ServiceCategory};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Can, can};
use crate::error::{ApiError, ApiResult};
use crate::services::spending::{
    self, Format, GroupBy, SpendingQuery, SpendingReport, SpendingRow,
};
use crate::services::{divisions, oversight};
use crate::state::AppState;
use crate::transfer::export;
use crate::web::feedback::{Feedback, Fields};
use crate::web::ui::Ui;

/// The routes of the spending page (its downloads are the same address with `format`).
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/spending", axum::routing::get(page))
}

/// How many groups the chart draws at most (the largest by committed money); the table lists
/// them all.
pub const CHART_GROUPS: usize = 15;

/// The filters as typed (a blank field is no filter).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SpendingForm {
    #[serde(default)]
    pub group_by: String,
    #[serde(default)]
    pub fiscal_year: String,
    #[serde(default)]
    pub purchaser_id: String,
    #[serde(default)]
    pub organisation_id: String,
    #[serde(default)]
    pub service_category: String,
    #[serde(default)]
    pub division_code: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub format: String,
}

/// The grouping a page opens with: by division, where the drill-down starts.
const DEFAULT_GROUP: GroupBy = GroupBy::Division;

impl SpendingForm {
    /// The grouping asked for (blank: [`DEFAULT_GROUP`]; unknown: refused by [`Self::query`]).
    fn group(&self) -> Option<GroupBy> {
        match self.group_by.trim() {
            "" => Some(DEFAULT_GROUP),
            g => GroupBy::parse(g),
        }
    }

    /// The report's query, each field read as the API reads it (422 naming the fields).
    fn query(&self) -> ApiResult<SpendingQuery> {
        let mut f = Fields::default();
        let group_by = if self.group_by.trim().is_empty() {
            Some(DEFAULT_GROUP)
        } else {
            f.choice("group_by", &self.group_by, GroupBy::parse)
        };
        let opt_id = |f: &mut Fields, field: &str, raw: &str| {
            (!raw.trim().is_empty()).then(|| f.id(field, raw))
        };
        let purchaser_id = opt_id(&mut f, "purchaser_id", &self.purchaser_id);
        let organisation_id = opt_id(&mut f, "organisation_id", &self.organisation_id);
        let service_category = if self.service_category.trim().is_empty() {
            None
        } else {
            f.choice(
                "service_category",
                &self.service_category,
                ServiceCategory::parse,
            )
        };
        let q = SpendingQuery {
            group_by: group_by.unwrap_or(DEFAULT_GROUP),
            fiscal_year: f.opt_number("fiscal_year", &self.fiscal_year),
            purchaser_id,
            organisation_id,
            service_category,
            division_code: f.opt_text(&self.division_code),
            from: f.opt_date("from", &self.from),
            to: f.opt_date("to", &self.to),
            format: None,
        };
        f.finish()?;
        Ok(q)
    }

    /// This page's address with these filters, `change` applied (a blank value drops the
    /// field), written for an `href` attribute (the template shows it unescaped).
    pub fn href(&self, change: &[(&str, &str)]) -> String {
        let mut fields: Vec<(&str, String)> = vec![
            ("group_by", self.group_by.trim().to_string()),
            ("fiscal_year", self.fiscal_year.trim().to_string()),
            ("purchaser_id", self.purchaser_id.trim().to_string()),
            ("organisation_id", self.organisation_id.trim().to_string()),
            ("service_category", self.service_category.trim().to_string()),
            ("division_code", self.division_code.trim().to_string()),
            ("from", self.from.trim().to_string()),
            ("to", self.to.trim().to_string()),
        ];
        for (k, v) in change {
            match fields.iter_mut().find(|(name, _)| name == k) {
                Some(slot) => slot.1 = (*v).to_string(),
                None => fields.push((k, (*v).to_string())),
            }
        }
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields.iter().filter(|(_, v)| !v.is_empty()) {
            s.append_pair(k, v);
        }
        // URL-encoded values and `&amp;` between them: ready for an attribute as it is.
        let q = s.finish().replace('&', "&amp;");
        if q.is_empty() {
            "/spending".into()
        } else {
            format!("/spending?{q}")
        }
    }
}

/// One bar pair of the chart: a group's committed and disbursed money, each as a share of the
/// chart's largest figure (per cent of the bars' width, two decimals).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub committed: Money,
    pub disbursed: Money,
    pub committed_pct: String,
    pub disbursed_pct: String,
    /// The top of the group's rows in the drawing (px).
    pub y: u32,
}

/// How tall one group is in the chart (its name, then its two bars), px.
pub const CHART_ROW: u32 = 46;

/// The chart of the largest groups by committed money.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub bars: Vec<Bar>,
    /// How many groups the report has (the chart may draw fewer).
    pub groups: usize,
    pub height: u32,
}

impl Chart {
    fn of(rows: &[RowView]) -> Self {
        let mut top: Vec<&RowView> = rows.iter().collect();
        top.sort_by(|a, b| {
            b.row
                .committed
                .fen()
                .cmp(&a.row.committed.fen())
                .then_with(|| a.row.key.cmp(&b.row.key))
        });
        top.truncate(CHART_GROUPS);
        let max = top
            .iter()
            .map(|r| r.row.committed.fen().max(r.row.disbursed.fen()))
            .max()
            .unwrap_or(0);
        let pct = |m: Money| -> String {
            if max <= 0 {
                return "0.00".into();
            }
            (Decimal::from(m.fen().max(0)) * Decimal::from(100) / Decimal::from(max))
                .round_dp(2)
                .to_string()
        };
        let bars: Vec<Bar> = top
            .iter()
            .enumerate()
            .map(|(i, r)| Bar {
                label: r.name.clone(),
                committed: r.row.committed,
                disbursed: r.row.disbursed,
                committed_pct: pct(r.row.committed),
                disbursed_pct: pct(r.row.disbursed),
                y: to_u32(i) * CHART_ROW,
            })
            .collect();
        Chart {
            height: to_u32(bars.len()) * CHART_ROW,
            bars,
            groups: rows.len(),
        }
    }
}

/// A group as the page shows it.
#[derive(Debug, Clone)]
pub struct RowView {
    pub row: SpendingRow,
    /// Its name in the page's language.
    pub name: String,
    /// A division's code, shown beside its name.
    pub code: Option<String>,
    /// The same report one level down (a county's townships, a township's villages).
    pub drill: Option<String>,
    /// Each anomaly found, explained in the page's language.
    pub flags: Vec<String>,
}

/// One step of the division path above the table (`None`: every division).
#[derive(Debug, Clone)]
pub struct Crumb {
    pub code: Option<String>,
    pub label: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/spending.html")]
pub struct SpendingPage {
    pub ui: Ui,
    pub form: SpendingForm,
    pub fb: Feedback,
    /// The grouping shown (`division` …).
    pub group_by: &'static str,
    pub groupings: &'static [GroupBy],
    pub categories: &'static [ServiceCategory],
    /// The purchasers of the filter (none for a finance officer: their own is the scope).
    pub purchasers: Vec<(Uuid, String)>,
    pub organisations: Vec<(Uuid, String)>,
    pub rows: Vec<RowView>,
    pub totals: Option<RowView>,
    pub chart: Chart,
    /// Whether the amount column is a budget (purchaser and budget line groupings).
    pub budget: bool,
    pub crumbs: Vec<Crumb>,
    /// The anomalies of the whole report, explained (the totals' flags).
    pub anomalies: Vec<String>,
}

impl SpendingPage {
    /// The address of the download in `format` (`csv`, `xlsx`).
    pub fn download(&self, format: &str) -> String {
        self.form.href(&[("format", format)])
    }

    /// The catalogue key of the amount column: a budget, or the contracts' value.
    pub fn amount_key(&self) -> &'static str {
        if self.budget {
            "spending-amount-budget"
        } else {
            "spending-amount-contracts"
        }
    }

    /// The catalogue key of the last money column: what is available of a budget, or what is
    /// committed and not yet paid.
    pub fn available_key(&self) -> &'static str {
        if self.budget {
            "budget-available"
        } else {
            "spending-unpaid"
        }
    }

    /// "The 15 largest groups by committed money" when the chart leaves groups out.
    pub fn chart_note(&self) -> String {
        self.ui
            .tn("spending-chart-largest", to_i64(self.chart.bars.len()))
    }

    /// Each anomaly flag's name and what it means, for the legend.
    pub fn flag_meanings(&self) -> Vec<(String, String)> {
        spending::Flags::default()
            .list()
            .iter()
            .map(|(name, _)| {
                let key = format!("spending-flag-{}", name.replace('_', "-"));
                (
                    self.ui.t(&format!("{key}-name")),
                    self.ui.t(&format!("{key}-why")),
                )
            })
            .collect()
    }
}

/// The explanation of each raised flag of `flags`, in the page's language.
fn explain(ui: &Ui, flags: &spending::Flags) -> Vec<String> {
    flags
        .raised()
        .into_iter()
        .map(|(name, n)| ui.tn(&format!("spending-flag-{}", name.replace('_', "-")), n))
        .collect()
}

/// The report's groups in the order the page and its downloads share: divisions and
/// categories by code, the others by name.
fn order(report: &mut SpendingReport, g: GroupBy) {
    match g {
        GroupBy::Division | GroupBy::Category => report.items.sort_by(|a, b| a.key.cmp(&b.key)),
        _ => report
            .items
            .sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.key.cmp(&b.key))),
    }
}

fn view(ui: &Ui, form: &SpendingForm, q: &SpendingQuery, row: SpendingRow) -> RowView {
    let (name, code) = match q.group_by {
        GroupBy::Category => (ui.word("service-category", &row.key), None),
        // The filter's division itself: its own contracts, beside its sub-divisions.
        GroupBy::Division
            if row.key.len() < 12 && q.division_code.as_deref() == Some(row.key.as_str()) =>
        {
            (
                ui.tname("spending-division-own", &row.label),
                Some(row.key.clone()),
            )
        }
        GroupBy::Division => (row.label.clone(), Some(row.key.clone())),
        _ => (row.label.clone(), None),
    };
    let level = spending::division_level(q.division_code.as_deref());
    let drill = (q.group_by == GroupBy::Division
        && row.key.len() == level
        && level < 12
        && row.key.bytes().all(|b| b.is_ascii_digit()))
    .then(|| form.href(&[("division_code", &row.key)]));
    RowView {
        flags: explain(ui, &row.flags),
        name,
        code,
        drill,
        row,
    }
}

/// The path from every division down to the filter's division: the county, the township,
/// the village, each named by the register (`names`).
fn crumbs(
    ui: &Ui,
    form: &SpendingForm,
    code: Option<&str>,
    names: &HashMap<String, String>,
) -> Vec<Crumb> {
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return Vec::new();
    };
    let mut out = vec![Crumb {
        code: None,
        label: ui.t("spending-all-divisions"),
        href: form.href(&[("division_code", "")]),
    }];
    for len in [6, 9, 12] {
        if code.len() >= len {
            let c = &code[..len];
            out.push(Crumb {
                code: Some(c.to_string()),
                label: names.get(c).cloned().unwrap_or_else(|| c.to_string()),
                href: form.href(&[("division_code", c)]),
            });
        }
    }
    out
}

/// The download asked for by `format=csv|xlsx`, or none for the page (a 422 for another).
fn format_of(form: &SpendingForm) -> ApiResult<Option<Format>> {
    match form.format.trim() {
        "" => Ok(None),
        "csv" => Ok(Some(Format::Csv)),
        "xlsx" => Ok(Some(Format::Xlsx)),
        _ => Err(ApiError::field(
            "format",
            crate::error::codes::FIELD_CHOICE,
            "must be csv or xlsx",
        )),
    }
}

/// The codes of the divisions from the county down to the filter's division `code`, to name
/// in its path.
fn division_path(code: Option<&str>) -> Vec<String> {
    code.iter()
        .flat_map(|c| {
            [6, 9, 12]
                .into_iter()
                .filter(|l| c.len() >= *l)
                .map(|l| c[..l].to_string())
        })
        .collect()
}

/// The report's rows as the table shows them, its totals row and the anomalies of the whole.
fn table(
    ui: &Ui,
    form: &SpendingForm,
    q: &SpendingQuery,
    r: SpendingReport,
) -> (Vec<RowView>, Option<RowView>, Vec<String>) {
    let anomalies = explain(ui, &r.totals.flags);
    let mut totals = view(ui, form, q, r.totals);
    totals.name = ui.t("spending-total");
    totals.code = None;
    totals.drill = None;
    let rows: Vec<RowView> = r
        .items
        .into_iter()
        .map(|row| view(ui, form, q, row))
        .collect();
    (rows, Some(totals), anomalies)
}

/// `GET /spending`: the page, or with `format=csv|xlsx` its download.
pub async fn page(
    State(st): State<AppState>,
    actor: Can<can::ReadSpending>,
    ui: Ui,
    Query(form): Query<SpendingForm>,
) -> ApiResult<Response> {
    let format = format_of(&form)?;
    let officer = actor.role == Role::FinanceOfficer;
    let asked = async {
        let q = form.query()?;
        let mut r = spending::report(&st, &actor, &q).await?;
        order(&mut r, q.group_by);
        Ok::<_, ApiError>((q, r))
    }
    .await;
    let (q, report, fb) = match asked {
        Ok((q, r)) => {
            if let Some(f) = format {
                return export(&r, f, st.now());
            }
            (Some(q), Some(r), Feedback::none())
        }
        Err(e) => (None, None, Feedback::refused(&ui, e)?),
    };
    let filter_code = q.as_ref().and_then(|q| q.division_code.clone());
    let path = division_path(filter_code.as_deref());
    let (choices, names) = tokio::try_join!(oversight::filter_choices(&st.db, !officer), async {
        Ok::<_, ApiError>(divisions::names(&st.db, &path).await?)
    },)?;
    let group = q
        .as_ref()
        .map(|q| q.group_by)
        .or(form.group())
        .unwrap_or(DEFAULT_GROUP);
    let (rows, totals, anomalies) = match (report, &q) {
        (Some(r), Some(q)) => table(&ui, &form, q, r),
        _ => (Vec::new(), None, Vec::new()),
    };
    let page = SpendingPage {
        chart: Chart::of(&rows),
        crumbs: crumbs(&ui, &form, filter_code.as_deref(), &names),
        group_by: group.as_str(),
        groupings: GroupBy::ALL,
        categories: ServiceCategory::ALL,
        purchasers: choices.purchasers,
        organisations: choices.organisations,
        budget: matches!(group, GroupBy::Purchaser | GroupBy::BudgetLine),
        rows,
        totals,
        anomalies,
        fb,
        form,
        ui,
    };
    Ok((page.fb.status, page).into_response())
}
