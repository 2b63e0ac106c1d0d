//! The authorisation policy: the single table of what each role may do ([`Action`] →
//! [`allows`]) and which parties' records a user sees (scopes). Handlers call
//! [`Actor::require`] once and query through the scopes; nowhere else decides access.
//!
//! Order of checks (SPEC §1): 401 (the [`Actor`] extractor) → 403 ([`Actor::require`]) →
//! 404 (a record outside the actor's scope is "not found") → 422 → 409.

use entity::rules::vocab::Role;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};

/// What a request wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// List and read user accounts.
    ReadUsers,
    /// Create users, change roles, deactivate, reset passwords.
    ManageUsers,
    /// Read purchasers (public bodies: every role).
    ReadPurchasers,
    /// Create and change purchasers and organisations, including an organisation's status.
    ManageParties,
    /// Read organisations (organisation staff: only their own).
    ReadOrganisations,
    /// Read budget lines (finance officers: only their purchaser's).
    ReadBudget,
    /// Create and change budget lines of one's own purchaser.
    ManageBudget,
    /// Read the audit trail and verify the chain.
    ReadAudit,
    /// Read tenders (organisations: published ones), contracts and posts within scope.
    ReadProcurement,
    /// Create, edit and move tenders, contracts, amendments and posts of one's purchaser;
    /// score bids.
    ManageProcurement,
    /// Submit or replace one's organisation's bid.
    SubmitBid,
    /// Assign workers to the posts of one's organisation's contracts.
    StaffPosts,
    /// Report on the milestones of one's organisation's contracts.
    ReportMilestones,
    /// Request, correct and withdraw payments on one's organisation's contracts (SPEC §9).
    RequestPayment,
    /// Verify, approve (approvers only) and return payment requests of one's purchaser.
    ReviewPaymentRequests,
    /// Read one's own notifications.
    ReadNotifications,
    /// Retry dead notifications.
    RetryNotifications,
    /// Read the record of job runs.
    ReadJobRuns,
    /// Record and resolve findings.
    RecordFindings,
    /// Answer findings on one's purchaser's contracts.
    AnswerFindings,
    /// Read spending reports (finance officers: their purchaser's).
    ReadSpending,
    /// Export the OCDS release package (finance officers: their purchaser's processes).
    ExportOcds,
}

/// Whether `role` may ever perform `action` (ownership is checked separately, by scope).
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ReadUsers => matches!(role, Admin | Supervisor),
        ManageUsers | ManageParties => role == Admin,
        ReadPurchasers | ReadOrganisations => true,
        ReadBudget => matches!(role, Admin | Supervisor | FinanceOfficer),
        ManageBudget => role == FinanceOfficer,
        ReadAudit => matches!(role, Admin | Supervisor),
        ReadProcurement => true,
        ManageProcurement => role == FinanceOfficer,
        SubmitBid | StaffPosts | ReportMilestones | RequestPayment => role == Organisation,
        ReviewPaymentRequests => role == FinanceOfficer,
        ReadNotifications => true,
        RetryNotifications => role == Admin,
        ReadJobRuns => matches!(role, Admin | Supervisor),
        RecordFindings => role == Supervisor,
        AnswerFindings => role == FinanceOfficer,
        ReadSpending => matches!(role, Admin | Supervisor | FinanceOfficer),
        ExportOcds => matches!(role, Admin | Supervisor | FinanceOfficer),
    }
}

impl Actor {
    /// 403 unless the actor's role may perform `action`.
    pub fn require(&self, action: Action) -> ApiResult<()> {
        if allows(self.role, action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The purchaser whose records this actor is limited to (finance officers), or `None`
    /// for roles that see every purchaser's records.
    pub fn purchaser_scope(&self) -> Option<Uuid> {
        match self.role {
            Role::FinanceOfficer => Some(self.user.purchaser_id.unwrap_or(Uuid::nil())),
            _ => None,
        }
    }

    /// The organisation whose records this actor is limited to (organisation staff).
    pub fn organisation_scope(&self) -> Option<Uuid> {
        match self.role {
            Role::Organisation => Some(self.user.organisation_id.unwrap_or(Uuid::nil())),
            _ => None,
        }
    }

    /// 404 unless a record of `purchaser_id` is within the actor's purchaser scope.
    pub fn see_purchaser(&self, purchaser_id: Uuid) -> ApiResult<()> {
        match self.purchaser_scope() {
            Some(own) if own != purchaser_id => Err(ApiError::NotFound),
            _ => Ok(()),
        }
    }

    /// 404 unless a record of `organisation_id` is within the actor's organisation scope.
    pub fn see_organisation(&self, organisation_id: Uuid) -> ApiResult<()> {
        match self.organisation_scope() {
            Some(own) if own != organisation_id => Err(ApiError::NotFound),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_and_supervisors_change_nothing() {
        for a in [
            Action::ManageUsers,
            Action::ManageParties,
            Action::ManageBudget,
        ] {
            assert!(!allows(Role::Supervisor, a));
            assert!(!allows(Role::Organisation, a));
        }
        assert!(allows(Role::Admin, Action::ManageUsers));
        assert!(!allows(Role::Admin, Action::ManageBudget));
        assert!(allows(Role::FinanceOfficer, Action::ManageBudget));
        assert!(!allows(Role::Organisation, Action::ReadBudget));
    }
}
