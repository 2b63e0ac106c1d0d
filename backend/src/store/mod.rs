//! The store: how the services find, lock and add up records, below every service and below
//! the policy's scope checks.
//!
//! A finder here answers 404 for a record that does not exist *or* that the actor may not see,
//! so a caller never learns which. Row locks are taken in one order: the contract (or tender)
//! first, then what hangs from it, then the budget line. Nothing here decides a rule of SPEC or
//! writes: services do, through [`Write`].

pub mod contracts;
pub mod page;
pub mod records;
pub(crate) mod sql;
pub mod sums;
mod write;

use chrono::NaiveDate;

use crate::state::AppState;

pub use write::Write;

/// Today's local date of the installation (`HUIMIN_TZ`), by the state's clock.
pub fn today(st: &AppState) -> NaiveDate {
    jobs::clock::local_today(st.clock.as_ref(), st.config.tz)
}
