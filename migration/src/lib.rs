//! Huimin's migrations: one ordered set for SQLite and PostgreSQL. A landed migration is never
//! edited; a change is a new `mYYYYMMDD_NNNNNN_<what>.rs`.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_foundation;
mod m20261129_000002_procurement;
mod m20261129_000003_delivery;
mod m20261129_000004_jobs;
mod m20261129_000005_findings;
mod m20261129_000006_ocds_indexes;
mod m20261129_000007_audit_sealer;
mod m20261129_000008_contract_purchaser_index;
mod m20261129_000009_milestone_due_statistics;
mod m20261201_000010_payment_line_amount_index;
mod m20261202_000011_audit_event_immutable;
mod m20261203_000012_must_change_password;
mod m20261204_000013_attachment_sha256_index;
mod m20261206_000014_notifications_seen_at;
mod m20261206_000015_notifications_unseen;
mod m20261206_000016_notification_link;
mod m20261206_000017_bid_organisation_id_index;
mod m20261207_000018_division_register;
mod m20261207_000019_contract_ending_index;
mod m20261207_000020_finding_severity_index;
mod m20261207_000021_chain_check;
mod m20261207_000022_public_disclosure;
mod m20261208_000023_payment_requests;
mod m20261209_000024_budget_totals;
mod m20261209_000025_notifications_unseen_added;
mod m20261210_000026_audit_indexes_sealed_only;
mod util;

/// Runs the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_procurement::Migration),
            Box::new(m20261129_000003_delivery::Migration),
            Box::new(m20261129_000004_jobs::Migration),
            Box::new(m20261129_000005_findings::Migration),
            Box::new(m20261129_000006_ocds_indexes::Migration),
            Box::new(m20261129_000007_audit_sealer::Migration),
            Box::new(m20261129_000008_contract_purchaser_index::Migration),
            Box::new(m20261129_000009_milestone_due_statistics::Migration),
            Box::new(m20261201_000010_payment_line_amount_index::Migration),
            Box::new(m20261202_000011_audit_event_immutable::Migration),
            Box::new(m20261203_000012_must_change_password::Migration),
            Box::new(m20261204_000013_attachment_sha256_index::Migration),
            Box::new(m20261206_000014_notifications_seen_at::Migration),
            Box::new(m20261206_000015_notifications_unseen::Migration),
            Box::new(m20261206_000016_notification_link::Migration),
            Box::new(m20261206_000017_bid_organisation_id_index::Migration),
            Box::new(m20261207_000018_division_register::Migration),
            Box::new(m20261207_000019_contract_ending_index::Migration),
            Box::new(m20261207_000020_finding_severity_index::Migration),
            Box::new(m20261207_000021_chain_check::Migration),
            Box::new(m20261207_000022_public_disclosure::Migration),
            Box::new(m20261208_000023_payment_requests::Migration),
            Box::new(m20261209_000024_budget_totals::Migration),
            Box::new(m20261209_000025_notifications_unseen_added::Migration),
            Box::new(m20261210_000026_audit_indexes_sealed_only::Migration),
        ]
    }
}
