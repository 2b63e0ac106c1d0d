//! The supervisor's part of the home page (`/`): findings waiting (open ones for the officers
//! to answer, answered ones to resolve, by severity), the anomalies of the spending report,
//! milestones overdue more than 30 days, and the audit chain's head with its last witness
//! (the daily `audit_anchor` run) and its last verification (when, by whom or the command
//! line, intact or where it broke, how many events), with the way to the audit trail that
//! verifies it.

use crate::auth::Actor;
use crate::error::ApiResult;
use crate::services::home_anomalies;
use crate::services::oversight::{self, SupervisorHome};
use crate::state::AppState;
use crate::web::ui::Ui;
use entity::rules::counts::to_i64;

/// The supervisor's home: the figures and the anomalies, explained.
pub struct SupervisorView {
    pub home: SupervisorHome,
    /// The spending report's anomalies over every purchaser, each explained.
    pub anomalies: Vec<String>,
    /// When the anomalies were computed; `None` while the first computation runs.
    pub anomalies_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl SupervisorView {
    /// Days a late milestone is past its due date.
    pub fn days_late(&self, due: &chrono::NaiveDate) -> i64 {
        (self.home.today - *due).num_days()
    }

    /// How many late milestones the home lists.
    pub fn shown_late(&self) -> i64 {
        to_i64(self.home.late.len())
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

/// Loads the supervisor's home. The anomalies are the last counts computed in the background
/// (see [`home_anomalies`]): the home never waits for the spending report.
pub async fn load(st: &AppState, actor: &Actor, ui: &Ui) -> ApiResult<SupervisorView> {
    let computed = home_anomalies::current(st, actor);
    let home = oversight::supervisor_home(st, actor).await?;
    let anomalies = computed.as_ref().map_or(Vec::new(), |c| {
        c.flags
            .raised()
            .into_iter()
            .map(|(name, n)| ui.tn(&format!("spending-flag-{}", name.replace('_', "-")), n))
            .collect()
    });
    let anomalies_at = computed.map(|c| c.at);
    Ok(SupervisorView {
        home,
        anomalies,
        anomalies_at,
    })
}
