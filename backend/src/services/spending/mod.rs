//! The spending report (SPEC §6 `/reports/spending`): per purchaser, organisation, budget
//! line, service category or division (the counties, or one level below the division filter:
//! [`division_level`]), the budget, what is committed, disbursed and
//! available, contracts, milestones accepted and overdue, the average score, open findings,
//! the payment requests waiting (submitted, verified or approved, SPEC §9) and the age of the
//! oldest, and anomaly flags. Each figure comes from one grouped statement over the contracts (with
//! payments and milestones pre-aggregated per contract), so the totals reconcile exactly with
//! the payments and contracts tables.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::Money;
use entity::model::{budget_line, organisation, purchaser};
use entity::queries::Figures;
use entity::rules::score::Score;
use entity::rules::vocab::ServiceCategory;
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::today;
use statements::{ContractSums, Counted, Waiting, rows};

mod export;
mod statements;

pub use export::{to_csv, to_xlsx};

/// What the report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Purchaser,
    Organisation,
    BudgetLine,
    Category,
    Division,
}

impl GroupBy {
    /// Every grouping, in the order a choice lists them.
    pub const ALL: &'static [GroupBy] = &[
        GroupBy::Purchaser,
        GroupBy::Organisation,
        GroupBy::BudgetLine,
        GroupBy::Category,
        GroupBy::Division,
    ];

    /// The query's word for the grouping.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Purchaser => "purchaser",
            GroupBy::Organisation => "organisation",
            GroupBy::BudgetLine => "budget_line",
            GroupBy::Category => "category",
            GroupBy::Division => "division",
        }
    }

    /// The grouping of a query's word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|g| g.as_str() == s)
    }
}

/// The answer's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
}

/// Query of `GET /reports/spending`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SpendingQuery {
    pub group_by: GroupBy,
    pub fiscal_year: Option<i32>,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub service_category: Option<ServiceCategory>,
    /// A division code: contracts in it or below it (by prefix).
    #[param(value_type = Option<crate::fields::DivisionPrefix>)]
    pub division_code: Option<String>,
    /// Contracts whose service period reaches this date, and payments made on or after it.
    pub from: Option<NaiveDate>,
    /// Contracts whose service period starts by this date, and payments made on or before it.
    pub to: Option<NaiveDate>,
    pub format: Option<Format>,
}

/// Anomalies found in a group (SPEC: the supervision flags).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Flags {
    /// Contracts whose open milestones are all overdue.
    pub contracts_all_milestones_overdue: i64,
    /// Posts of active contracts vacant more than 30 days in a row today.
    pub posts_vacant_over_30_days: i64,
    /// Contracts signed without indicators (no score; milestones paid in full).
    pub contracts_without_indicators: i64,
    /// Budget lines with committed + reserved above 90 % of their amount.
    pub budget_lines_over_90_percent: i64,
    /// Organisations with two or more open findings.
    pub organisations_with_open_findings: i64,
    /// Payments recorded for a milestone before it was accepted (none can exist by design:
    /// the report proves it).
    pub payments_before_acceptance: i64,
    /// Payment requests approved (first or second approval) by the user who accepted their
    /// milestone (SPEC §9 forbids it: the report proves none exists). Requests the migration
    /// made for payments recorded before requests existed are left out: nobody approved them.
    pub requests_approved_by_accepter: i64,
}

/// One group's figures.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SpendingRow {
    /// The group's key: an id, a category or a division code.
    pub key: String,
    pub label: String,
    /// Budget of the group's lines (purchaser and budget_line groupings), or the value of the
    /// group's signed contracts (other groupings).
    pub amount: Money,
    pub reserved: Money,
    pub committed: Money,
    pub disbursed: Money,
    /// `amount − committed − reserved` for budget groupings; committed but not yet paid for
    /// the others.
    pub available: Money,
    pub contracts: i64,
    pub milestones_accepted: i64,
    pub milestones_overdue: i64,
    /// Average of the accepted milestones' scores.
    pub average_score: Option<Score>,
    pub open_findings: i64,
    /// Payment requests waiting for an officer or an approver: submitted, verified or
    /// approved, not yet paid.
    pub requests_waiting: i64,
    /// How many local days the oldest of them has waited since it was (re)submitted.
    pub oldest_request_waiting_days: Option<i64>,
    pub flags: Flags,
    #[serde(skip)]
    score_sum: i64,
    #[serde(skip)]
    scored: i64,
}

/// The report: `{items, totals}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpendingReport {
    pub group_by: String,
    pub items: Vec<SpendingRow>,
    pub totals: SpendingRow,
}

/// The length of the division codes a division grouping shows: one level below the division
/// filter (no filter or a county's prefix: counties; a county: its townships; a township: its
/// villages; a village: itself). A contract placed at the filter's own level keeps its code
/// (the county's own contracts, beside its townships).
pub fn division_level(filter: Option<&str>) -> usize {
    match filter.map_or(0, str::len) {
        0..6 => 6,
        6..9 => 9,
        _ => 12,
    }
}

/// 422 for a division filter that is not digits of a code, or a period that ends before it
/// starts.
fn check_query(q: &SpendingQuery) -> ApiResult<()> {
    if q.division_code
        .as_ref()
        .is_some_and(|d| !crate::fields::is_division_prefix(d))
    {
        return Err(ApiError::field(
            "division_code",
            crate::error::codes::DIVISION_INVALID,
            "must be digits of a division code",
        ));
    }
    if let (Some(f), Some(t)) = (q.from, q.to)
        && t < f
    {
        return Err(ApiError::field(
            "to",
            crate::error::codes::FIELD_DATE_ORDER,
            "must not be before from",
        ));
    }
    Ok(())
}

/// The groups of the six statements' rows, keyed by group.
type Groups = BTreeMap<String, SpendingRow>;

fn add_contract_sums(groups: &mut Groups, rows: Vec<ContractSums>) {
    for r in rows {
        let g = groups.entry(r.k.0.clone()).or_default();
        g.key = r.k.0;
        g.contracts = r.contracts;
        g.amount = Money::from_fen(r.value_fen.unwrap_or(0));
        g.committed = Money::from_fen(r.committed.unwrap_or(0));
        g.disbursed = Money::from_fen(r.disbursed.unwrap_or(0));
        g.milestones_accepted = r.accepted.unwrap_or(0);
        g.milestones_overdue = r.overdue.unwrap_or(0);
        g.score_sum = r.score_sum.unwrap_or(0);
        g.scored = r.scored.unwrap_or(0);
        g.flags.contracts_all_milestones_overdue = r.all_overdue.unwrap_or(0);
        g.flags.contracts_without_indicators = r.no_indicators.unwrap_or(0);
    }
}

fn add_open_findings(groups: &mut Groups, rows: Vec<Counted>) {
    for r in rows {
        let g = groups.entry(r.k.0).or_default();
        g.open_findings += r.n;
        if r.n >= 2 {
            g.flags.organisations_with_open_findings += 1;
        }
    }
}

fn add_waiting(groups: &mut Groups, rows: Vec<Waiting>, today: NaiveDate, tz: chrono_tz::Tz) {
    for r in rows {
        let g = groups.entry(r.k.0).or_default();
        g.requests_waiting = r.n;
        g.oldest_request_waiting_days = r.oldest.map(|t| jobs::clock::days_waited(t, today, tz));
    }
}

/// Sets one flag of each group from `rows`.
fn set_flag(groups: &mut Groups, rows: Vec<Counted>, flag: fn(&mut Flags) -> &mut i64) {
    for r in rows {
        *flag(&mut groups.entry(r.k.0).or_default().flags) = r.n;
    }
}

/// Statement 7: budget amounts and reservations, for the groupings by purchaser and by budget line:
/// the lines' amount replaces the contracts' value.
async fn add_budget_lines(
    db: &DatabaseConnection,
    q: &SpendingQuery,
    scope: Option<Uuid>,
    groups: &mut Groups,
) -> ApiResult<()> {
    let lq = budget_line::Entity::find()
        .apply_if(scope.or(q.purchaser_id), |lq, p| {
            lq.filter(budget_line::Column::PurchaserId.eq(p))
        })
        .apply_if(q.fiscal_year, |lq, y| {
            lq.filter(budget_line::Column::FiscalYear.eq(y))
        });
    let lines =
        if q.organisation_id.is_some() || q.service_category.is_some() || q.division_code.is_some()
        {
            // Budget lines are not divided by organisation, category or division.
            Vec::new()
        } else {
            lq.all(db).await?
        };
    let key_of = |l: &budget_line::Model| {
        if q.group_by == GroupBy::Purchaser {
            l.purchaser_id
        } else {
            l.id
        }
        .to_string()
    };
    for l in &lines {
        let k = key_of(l);
        let f = Figures::of(l);
        let g = groups.entry(k.clone()).or_default();
        g.key = k;
        g.reserved = Money::from_fen(g.reserved.fen() + f.reserved_fen);
        g.flags.budget_lines_over_90_percent +=
            i64::from((f.committed_fen + f.reserved_fen) * 10 > l.amount_fen * 9);
    }
    // The budget amount replaces the contracts' value for these groupings.
    for g in groups.values_mut() {
        g.amount = Money::ZERO;
    }
    for l in &lines {
        if let Some(g) = groups.get_mut(&key_of(l)) {
            g.amount = Money::from_fen(g.amount.fen() + l.amount_fen);
        }
    }
    Ok(())
}

/// The totals row: the groups' sums.
fn totals(groups: &Groups) -> SpendingRow {
    let mut totals = SpendingRow {
        key: "total".into(),
        label: "合计 Total".into(),
        ..SpendingRow::default()
    };
    for g in groups.values() {
        let add = |a: Money, b: Money| Money::from_fen(a.fen() + b.fen());
        totals.amount = add(totals.amount, g.amount);
        totals.reserved = add(totals.reserved, g.reserved);
        totals.committed = add(totals.committed, g.committed);
        totals.disbursed = add(totals.disbursed, g.disbursed);
        totals.available = add(totals.available, g.available);
        totals.contracts += g.contracts;
        totals.milestones_accepted += g.milestones_accepted;
        totals.milestones_overdue += g.milestones_overdue;
        totals.open_findings += g.open_findings;
        totals.requests_waiting += g.requests_waiting;
        totals.oldest_request_waiting_days = totals
            .oldest_request_waiting_days
            .max(g.oldest_request_waiting_days);
        totals.score_sum += g.score_sum;
        totals.scored += g.scored;
        let (t, f) = (&mut totals.flags, &g.flags);
        t.contracts_all_milestones_overdue += f.contracts_all_milestones_overdue;
        t.posts_vacant_over_30_days += f.posts_vacant_over_30_days;
        t.contracts_without_indicators += f.contracts_without_indicators;
        t.budget_lines_over_90_percent += f.budget_lines_over_90_percent;
        t.organisations_with_open_findings += f.organisations_with_open_findings;
        t.payments_before_acceptance += f.payments_before_acceptance;
        t.requests_approved_by_accepter += f.requests_approved_by_accepter;
    }
    totals.average_score = average(totals.score_sum, totals.scored);
    totals
}

/// Builds the report: six statements at once, each on its own connection, then the budget
/// lines for the budget groupings, the names and the totals.
pub async fn report(st: &AppState, actor: &Actor, q: &SpendingQuery) -> ApiResult<SpendingReport> {
    check_query(q)?;
    let db = &st.db;
    let today = today(st);
    let scope = actor.purchaser_scope();
    let (contracts, findings, vacant, early, waiting, accepter) = tokio::join!(
        rows::<ContractSums>(db, statements::contracts(q, scope, today)),
        rows::<Counted>(db, statements::findings(q, scope)),
        rows::<Counted>(db, statements::vacant(q, scope, today)),
        rows::<Counted>(db, statements::early(q, scope)),
        rows::<Waiting>(db, statements::waiting(q, scope)),
        rows::<Counted>(db, statements::accepter(q, scope)),
    );
    let mut groups = Groups::new();
    add_contract_sums(&mut groups, contracts?);
    add_open_findings(&mut groups, findings?);
    set_flag(&mut groups, vacant?, |f| &mut f.posts_vacant_over_30_days);
    set_flag(&mut groups, early?, |f| &mut f.payments_before_acceptance);
    add_waiting(&mut groups, waiting?, today, st.config.tz);
    set_flag(&mut groups, accepter?, |f| {
        &mut f.requests_approved_by_accepter
    });
    let budget_grouping = matches!(q.group_by, GroupBy::Purchaser | GroupBy::BudgetLine);
    if budget_grouping {
        add_budget_lines(db, q, scope, &mut groups).await?;
    }
    for g in groups.values_mut() {
        g.available = if budget_grouping {
            Money::from_fen((g.amount.fen() - g.committed.fen() - g.reserved.fen()).max(0))
        } else {
            Money::from_fen((g.committed.fen() - g.disbursed.fen()).max(0))
        };
        g.average_score = average(g.score_sum, g.scored);
    }
    label(db, q.group_by, &mut groups).await?;
    let totals = totals(&groups);
    Ok(SpendingReport {
        group_by: q.group_by.as_str().to_string(),
        items: groups.into_values().collect(),
        totals,
    })
}

/// The mean of tenths, rounded half-up to a tenth.
fn average(sum: i64, n: i64) -> Option<Score> {
    (n > 0).then(|| {
        let avg = entity::rules::performance::settle(Decimal::from(sum) / Decimal::from(n), 0);
        Score::from_tenths(i32::try_from(avg).unwrap_or(0))
    })
}

/// Names each group.
async fn label(
    db: &impl ConnectionTrait,
    g: GroupBy,
    groups: &mut BTreeMap<String, SpendingRow>,
) -> ApiResult<()> {
    let ids: Vec<Uuid> = groups.keys().filter_map(|k| k.parse().ok()).collect();
    match g {
        GroupBy::Purchaser => {
            for p in purchaser::Entity::find()
                .filter(purchaser::Column::Id.is_in(ids))
                .all(db)
                .await?
            {
                if let Some(row) = groups.get_mut(&p.id.to_string()) {
                    row.label = p.name;
                }
            }
        }
        GroupBy::Organisation => {
            for o in organisation::Entity::find()
                .filter(organisation::Column::Id.is_in(ids))
                .all(db)
                .await?
            {
                if let Some(row) = groups.get_mut(&o.id.to_string()) {
                    row.label = o.name;
                }
            }
        }
        GroupBy::BudgetLine => {
            for l in budget_line::Entity::find()
                .filter(budget_line::Column::Id.is_in(ids))
                .all(db)
                .await?
            {
                if let Some(row) = groups.get_mut(&l.id.to_string()) {
                    row.label = format!("{} {} ({})", l.code, l.name, l.fiscal_year);
                }
            }
        }
        GroupBy::Category => {
            for row in groups.values_mut() {
                row.label = row.key.clone();
            }
        }
        // A division's name from the register (its code is the row's key, beside it); its
        // code where the register has none.
        GroupBy::Division => {
            let codes: Vec<String> = groups.keys().cloned().collect();
            let names = crate::services::divisions::names(db, &codes).await?;
            for row in groups.values_mut() {
                row.label = names
                    .get(&row.key)
                    .cloned()
                    .unwrap_or_else(|| row.key.clone());
            }
        }
    }
    Ok(())
}

impl Flags {
    /// Each anomaly as `(name, count)`, in one order for every view of the report (the
    /// exports' text, the page's highlights): the name is the field's.
    pub fn list(&self) -> [(&'static str, i64); 7] {
        [
            (
                "contracts_all_milestones_overdue",
                self.contracts_all_milestones_overdue,
            ),
            ("posts_vacant_over_30_days", self.posts_vacant_over_30_days),
            (
                "contracts_without_indicators",
                self.contracts_without_indicators,
            ),
            (
                "budget_lines_over_90_percent",
                self.budget_lines_over_90_percent,
            ),
            (
                "organisations_with_open_findings",
                self.organisations_with_open_findings,
            ),
            (
                "payments_before_acceptance",
                self.payments_before_acceptance,
            ),
            (
                "requests_approved_by_accepter",
                self.requests_approved_by_accepter,
            ),
        ]
    }

    /// The anomalies found (count above 0), as [`Flags::list`] names them.
    pub fn raised(&self) -> Vec<(&'static str, i64)> {
        self.list().into_iter().filter(|(_, n)| *n > 0).collect()
    }
}
