//! Pure rules: no database, no clock, no I/O. Everything here is unit-tested in place.

pub mod audit_chain;
pub mod codes;
pub mod counts;
pub mod divisions;
pub mod money;
pub mod performance;
pub mod posts;
pub mod procurement;
pub mod quantity;
pub mod requests;
pub mod score;
pub mod vocab;
