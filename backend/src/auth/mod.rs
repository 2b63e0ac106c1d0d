//! Authentication and authorisation.
//!
//! - [`password`]: argon2id hashing (on the blocking pool).
//! - [`token`]: random bearer tokens, stored only as their SHA-256.
//! - [`actor`]: the [`Actor`] extractor: a valid token → the user (401 otherwise).
//! - [`policy`]: the one place that says which role may do what ([`Action`]) and which
//!   purchaser's or organisation's records a user sees ([`Actor::purchaser_scope`] …).
//! - [`scope`]: the [`Can`] and [`Seen`] extractors, which run the policy's 403 and 404
//!   checks before a body is read.
//! - [`throttle`]: failed-login counters per account and per client address.

pub mod actor;
pub mod client_addr;
pub mod password;
pub mod policy;
pub mod scope;
pub mod throttle;
pub mod token;

pub use actor::Actor;
pub use policy::Action;
pub use scope::{Can, Seen, can, kind};
