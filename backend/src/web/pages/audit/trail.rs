//! The trail's page (`/audit`, `/audit/verify`): the events newest first, a page at a time,
//! under the chain's head to write down and, after "verify the chain", the check's result.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::filter::TrailQuery;
use super::{ACTIONS, ENTITY_TYPES, EventRow};
use crate::audit::{self, Head, VerifyReport};
use crate::auth::{Can, can};
use crate::error::ApiResult;
use crate::services::names;
use crate::state::AppState;
use crate::web::feedback::Feedback;
use crate::web::pages::contracts::history::word_or_raw;
use crate::web::ui::Ui;

/// The chain's head as the page shows it, ready to write down.
#[derive(Debug, Clone)]
pub struct HeadView {
    pub seq: i64,
    pub hash: String,
    pub at: String,
    /// `SEQ:HASH`, as `huimin audit verify --anchor` takes it.
    pub anchor: String,
}

impl HeadView {
    fn of(ui: &Ui, h: Head) -> Self {
        HeadView {
            anchor: format!("{}:{}", h.seq, h.hash),
            at: ui.datetime(&h.at),
            seq: h.seq,
            hash: h.hash,
        }
    }
}

/// Every acknowledged write sealed into the chain, then its head.
async fn sealed_head(st: &AppState, ui: &Ui) -> ApiResult<Option<HeadView>> {
    st.sealer.seal().await?;
    Ok(entity::queries::audit_head(&st.db)
        .await?
        .map(|h| HeadView::of(ui, h.into())))
}

/// The result of verifying the chain, as the page shows it.
#[derive(Debug, Clone)]
pub struct Verified {
    pub intact: bool,
    pub checked: i64,
    /// The first bad event's `seq` (0 when intact).
    pub first_bad_seq: i64,
    /// What is wrong with it, as the check says it.
    pub reason: Option<String>,
    /// Events over a minute old and not yet sealed into the chain.
    pub unsealed: i64,
}

impl From<VerifyReport> for Verified {
    fn from(r: VerifyReport) -> Self {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Verified {
            intact: r.intact,
            checked: n(r.checked),
            first_bad_seq: r.first_bad_seq.unwrap_or_default(),
            reason: r.reason,
            unsealed: n(r.unsealed_over_a_minute),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/audit/trail.html")]
pub struct TrailPage {
    pub ui: Ui,
    pub q: TrailQuery,
    pub fb: Feedback,
    pub rows: Vec<EventRow>,
    pub next: Option<String>,
    pub head: Option<HeadView>,
    /// The result of "verify the chain", on `/audit/verify`.
    pub verified: Option<Verified>,
    pub entity_types: &'static [&'static str],
    pub actions: &'static [&'static str],
}

impl TrailPage {
    /// Messages of refused fields the form has no place for (a stale cursor).
    pub fn other_problems(&self) -> Vec<&str> {
        self.fb
            .others(&["entity_type", "entity_id", "actor", "action", "from", "to"])
    }

    /// Whether any filter is set.
    pub fn filtered(&self) -> bool {
        self.q.href(None) != "/audit"
    }

    /// The kinds of record of the filter: (word, name).
    pub fn entity_type_options(&self) -> Vec<(String, String)> {
        self.entity_types
            .iter()
            .map(|t| {
                let name = word_or_raw(&self.ui, "contracts-history-entity", t);
                (t.to_string(), name)
            })
            .collect()
    }

    /// The word of an action in the page's language.
    pub fn action_word(&self, a: &str) -> String {
        word_or_raw(&self.ui, "contracts-history-action", a)
    }
}

async fn trail_page(
    st: &AppState,
    ui: Ui,
    q: TrailQuery,
    verified: Option<Verified>,
) -> ApiResult<Response> {
    let head = sealed_head(st, &ui).await?;
    let found = async {
        let f = q.filter(st).await?;
        audit::list_newest_first(&st.db, f, st.now()).await
    }
    .await;
    let (rows, next, fb) = match found {
        Ok(page) => {
            let users =
                names::users(&st.db, page.items.iter().filter_map(|e| e.actor_user_id)).await?;
            let rows = page
                .items
                .iter()
                .map(|e| EventRow::of(&ui, &users, e))
                .collect();
            let next = page.next_cursor.map(|c| q.href(Some(&c)));
            (rows, next, Feedback::none())
        }
        Err(e) => (Vec::new(), None, Feedback::refused(&ui, e)?),
    };
    let page = TrailPage {
        ui,
        q,
        fb,
        rows,
        next,
        head,
        verified,
        entity_types: ENTITY_TYPES,
        actions: ACTIONS,
    };
    Ok((page.fb.status, page).into_response())
}

/// `GET /audit`: the trail, newest first.
pub async fn trail(
    State(st): State<AppState>,
    _actor: Can<can::ReadAudit>,
    ui: Ui,
    Query(q): Query<TrailQuery>,
) -> ApiResult<Response> {
    trail_page(&st, ui, q, None).await
}

/// `GET /audit/verify`: the whole chain recomputed (what `GET /api/v1/audit/verify` and
/// `huimin audit verify` do), its result above the trail's first page, and recorded for the
/// supervisor's home. Changes nothing but that record: a GET, safe to repeat.
pub async fn verify(
    State(st): State<AppState>,
    actor: Can<can::ReadAudit>,
    ui: Ui,
) -> ApiResult<Response> {
    st.sealer.seal().await?;
    let report = audit::verify_and_record(&st, Some(actor.id())).await?;
    trail_page(&st, ui, TrailQuery::default(), Some(Verified::from(report))).await
}
