//! The supervisor's part of the home page (`/`): findings waiting (open ones for the officers
//! to answer, answered ones to resolve, by severity), the anomalies of the spending report,
//! milestones overdue more than 30 days, and the audit chain's head with its last witness
//! (the daily `audit_anchor` run) and its last verification (when, by whom or the command
//! line, intact or where it broke, how many events), with the way to the audit trail that
//! verifies it.

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::services::oversight::{self, SupervisorHome};
use crate::services::spending::{self, GroupBy, SpendingQuery};
use crate::state::AppState;
use crate::web::ui::Ui;

/// The supervisor's home: the figures and the anomalies, explained.
pub struct SupervisorView {
    pub home: SupervisorHome,
    /// The spending report's anomalies over every purchaser, each explained.
    pub anomalies: Vec<String>,
}

impl SupervisorView {
    /// Days a late milestone is past its due date.
    pub fn days_late(&self, due: &chrono::NaiveDate) -> i64 {
        (self.home.today - *due).num_days()
    }

    /// How many late milestones the home lists.
    pub fn shown_late(&self) -> i64 {
        self.home.late.len() as i64
    }

    /// Whether more milestones are late than the home lists.
    pub fn more_late(&self) -> bool {
        self.home.late_count > self.shown_late()
    }

    /// The hash of the chain's head in groups of 8 characters (easier to copy by hand).
    pub fn head_hash(&self) -> String {
        self.home.chain.head.as_ref().map_or(String::new(), |h| {
            h.hash
                .as_bytes()
                .chunks(8)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }
}

/// Loads the supervisor's home.
pub async fn load(st: &AppState, actor: &Actor, ui: &Ui) -> ApiResult<SupervisorView> {
    let q = SpendingQuery {
        group_by: GroupBy::Purchaser,
        fiscal_year: None,
        purchaser_id: None,
        organisation_id: None,
        service_category: None,
        division_code: None,
        from: None,
        to: None,
        format: None,
    };
    let (home, report) = tokio::try_join!(
        oversight::supervisor_home(st, actor),
        spending::report(st, actor, &q),
    )?;
    let anomalies = report
        .totals
        .flags
        .raised()
        .into_iter()
        .map(|(name, n)| ui.tn(&format!("spending-flag-{}", name.replace('_', "-")), n))
        .collect();
    Ok(SupervisorView { home, anomalies })
}
