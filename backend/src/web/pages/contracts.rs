//! The contracts pages of the finance officer's workspace (UI.md §2).

use axum::Router;

use crate::state::AppState;

/// The routes of the contracts pages.
pub fn routes() -> Router<AppState> {
    Router::new()
}
