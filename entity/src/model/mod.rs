//! sea-orm entities, one module per table. Money columns are `i64` fen (`*_fen`); convert with
//! [`crate::Money::from_fen`] at the boundary. Timestamps are UTC; dates are local dates.

pub mod amendment;
pub mod attachment;
pub mod audit_event;
pub mod bid;
pub mod budget_line;
pub mod chain_check;
pub mod contract;
pub mod division;
pub mod finding;
pub mod indicator;
pub mod job_run;
pub mod login_failure;
pub mod measurement;
pub mod milestone;
pub mod milestone_report;
pub mod notice;
pub mod notification;
pub mod organisation;
pub mod payment;
pub mod payment_request;
pub mod post;
pub mod post_assignment;
pub mod public_hit;
pub mod purchaser;
pub mod session;
pub mod tender;
pub mod user;
