//! Huimin's data model and the pure rules that `backend` and `jobs` share.
//!
//! - [`model`]: the sea-orm entities, one module per table, generated-style and free of rules.
//! - [`queries`]: set-based read queries both crates need (budget figures).
//! - [`rules`]: pure functions without I/O: money in fen ↔ [`rust_decimal::Decimal`], code
//!   validators, the audit chain's canonical form and hash.

pub mod model;
pub mod queries;
#[warn(missing_docs)]
pub mod rules;

pub use rules::money::Money;
