//! HTTP tests against the real router, one fresh database per test (SQLite by default,
//! PostgreSQL with `TEST_DATABASE_URL`).

mod audit;
mod auth;
mod budget;
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
mod money_rules;
mod ocds;
mod pages;
mod pages_badge;
mod pages_bids;
mod pages_contracts;
mod pages_links;
mod pages_org_home;
mod pages_reporting;
mod pages_reviews;
mod pages_staffing;
mod pages_tenders;
mod pages_weight;
mod parties;
mod posts;
mod read_cache;
mod server;
mod sign_in;
mod supervision;
mod tenders;
mod users;
