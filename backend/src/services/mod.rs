//! The domain layer: the rules of each area, called by the HTTP handlers, the CLI and the
//! tests. Each writing function runs one transaction that makes the change and records its
//! audit event.

pub mod auth;
pub mod awards;
pub mod bids;
pub mod budget;
pub mod common;
pub mod contracts;
pub mod dashboard;
pub mod divisions;
pub mod dossier;
pub mod findings;
pub mod home_anomalies;
pub mod indicators;
pub mod milestones;
pub mod names;
pub mod notify;
pub mod ocds;
pub mod outbox;
pub mod oversight;
pub mod parties;
pub mod payment_request_figures;
pub mod payment_requests;
pub mod payments;
pub mod post_funding;
pub mod posts;
pub mod public;
pub mod reports;
pub mod scoring;
pub mod spending;
pub mod tenders;
pub mod users;
