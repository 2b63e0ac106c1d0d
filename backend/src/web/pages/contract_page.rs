//! What every tab of a contract's page shares: the contract with the names of its parties and
//! budget line, shown above the tabs (`components/contract_head.html`). Each tab is a page of
//! its own (`/contracts/{id}`, `/contracts/{id}/milestones` …), so each works without script.

use std::collections::HashMap;

use uuid::Uuid;

use entity::rules::vocab::Role;

use crate::auth::Actor;
use crate::auth::policy::{Action, allows};
use crate::error::ApiResult;
use crate::services::contracts::{self, Contract};
use crate::services::divisions;
use crate::state::AppState;

/// The tabs of a contract's page: `(name, path after /contracts/{id}, catalogue key)`. The
/// history and dossier tabs are shown only to roles that may read them ([`Action::ReadSpending`]).
pub const TABS: &[(&str, &str, &str)] = &[
    ("overview", "", "contract-tab-overview"),
    ("milestones", "/milestones", "contract-tab-milestones"),
    ("posts", "/posts", "contract-tab-posts"),
    ("reports", "/reports", "contract-tab-reports"),
    ("payments", "/payments", "contract-tab-payments"),
    ("performance", "/performance", "contract-tab-performance"),
    ("funding", "/post-funding", "contract-tab-funding"),
    ("findings", "/findings", "contract-tab-findings"),
    ("history", "/history", "contract-tab-history"),
    ("dossier", "/dossier", "contract-tab-dossier"),
];

/// The contract above every tab of its page.
#[derive(Debug, Clone)]
pub struct ContractHead {
    pub contract: Contract,
    pub organisation: String,
    pub purchaser: String,
    pub budget_line: String,
    /// How many amendments the contract has.
    pub amendments: i64,
    /// The open tab's name (see [`TABS`]).
    pub tab: &'static str,
    /// The viewer's role: which tabs they may open.
    pub role: Role,
    /// Division names by code: the contract's (a tab adds the codes it shows).
    pub divisions: HashMap<String, String>,
}

impl ContractHead {
    /// The contract as the actor may see it (404 otherwise, as the API), with its names.
    pub async fn load(
        st: &AppState,
        actor: &Actor,
        id: Uuid,
        tab: &'static str,
    ) -> ApiResult<Self> {
        let (contract, parties) = contracts::get_with_parties(st, actor, id).await?;
        let divisions =
            divisions::names(&st.db, std::slice::from_ref(&contract.division_code)).await?;
        Ok(ContractHead {
            divisions,
            organisation: parties.organisation,
            purchaser: parties.purchaser,
            budget_line: parties.budget_line,
            amendments: parties.amendments,
            contract,
            tab,
            role: actor.role,
        })
    }

    /// A division as the pages show it: its name with its code (the bare code when the
    /// register does not know it).
    pub fn division(&self, code: &str) -> String {
        divisions::label(code, &self.divisions)
    }

    /// The tabs with their addresses, the open one marked.
    pub fn tabs(&self) -> Vec<(String, &'static str, bool)> {
        TABS.iter()
            .filter(|(name, _, _)| {
                !matches!(*name, "history" | "dossier") || allows(self.role, Action::ReadSpending)
            })
            .map(|(name, path, key)| {
                (
                    format!("/contracts/{}{}", self.contract.id, path),
                    *key,
                    *name == self.tab,
                )
            })
            .collect()
    }
}
