//! HTTP tests against the real router, one fresh database per test (SQLite by default,
//! PostgreSQL with `TEST_DATABASE_URL`).

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

mod audit;
mod auth;
mod budget;
mod contract;
mod contracts;
mod conventions;
mod delivery;
mod delivery_flow;
mod demo;
mod divisions;
mod error_codes;
mod files;
mod flow;
mod jobs;
mod jobs_more;
mod jobs_payment_requests;
mod money_rules;
mod ocds;
mod pages;
mod pages_admin;
mod pages_audit;
mod pages_badge;
mod pages_bids;
mod pages_chain_check;
mod pages_contracts;
mod pages_links;
mod pages_org_home;
mod pages_payment_requests;
mod pages_reporting;
mod pages_reviews;
mod pages_staffing;
mod pages_supervisor;
mod pages_supervisor_dossier;
mod pages_tenders;
mod pages_weight;
mod parties;
mod payment_requests;
mod payment_requests_reporting;
mod posts;
mod public;
mod replicas;
mod server;
mod sign_in;
mod snap;
mod supervision;
mod tenders;
mod users;
