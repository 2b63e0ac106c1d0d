//! Huimin's HTTP API and the `huimin` command.
//!
//! `main.rs` is a shim over [`cli`]; [`app`] opens the state and serves it through
//! [`server`] (connection cap, header and idle timeouts, graceful shutdown). Requests flow:
//! [`routes`] (parse, authorise with [`auth`], shape the answer) → [`services`] (the rules,
//! one transaction each, with its [`audit`] event) → `entity` (tables and pure rules).
//! Errors are [`error::ApiError`].

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod extract;
pub mod fields;
pub mod files;
pub mod pagination;
pub mod public;
pub mod routes;
pub mod server;
pub mod services;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod transfer;
pub mod web;
