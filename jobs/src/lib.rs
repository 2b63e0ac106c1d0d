//! Scheduled jobs, the notification outbox and the clock. `backend` depends on this crate;
//! this crate never depends on `backend`. The jobs themselves arrive with the jobs issue; the
//! [`clock`] is used from the start so that no code reads the system time directly.

pub mod clock;
