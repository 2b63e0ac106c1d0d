//! The public pages (SPEC §8, no sign-in): `/public` (the latest notices, searched by division
//! and kind), `/public/notices/{id}`, the Atom feed `/public/notices.atom`, and a division's
//! page `/public/divisions/{code}` — a village's reads on a phone and prints on one A4 sheet
//! for the notice board.
//!
//! These routes sit outside the signed-in interface's layers: the public guard
//! ([`crate::public::guard`]) removes every cookie before anything reads one, so a page is the
//! same for everyone (its language from `?lang=` or `Accept-Language`), throttles per client
//! address and marks the answer cacheable. The handlers call the same services as the API.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entity::rules::divisions::Level;
use serde::Deserialize;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::extract::{Path, Query};
use crate::services::divisions;
use crate::services::public::division::{self, DivisionPage, DivisionQuery};
use crate::services::public::notices::{self, Notice, NoticeFilter, NoticeKind, Order};
use crate::state::AppState;
use crate::store::today;
use crate::web::ui::Ui;

mod feed;

/// How many notices `/public` shows a page.
const NOTICES_SHOWN: u64 = 20;

/// The public pages with their own layers (see the module's text).
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/public", get(index))
        .route("/public/notices.atom", get(feed::atom))
        .route("/public/notices/{id}", get(notice))
        .route("/public/divisions/{code}", get(division_page))
        .layer(axum::middleware::from_fn(crate::web::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::errors::error_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::public::guard,
        ))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
}

/// A public page's context: a visitor's, in the language asked for, with no session.
pub struct PublicUi(pub Ui);

impl FromRequestParts<AppState> for PublicUi {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        Ok(PublicUi(Ui {
            locale: crate::public::page_locale(&parts.uri, &parts.headers),
            user: None,
            csrf: String::new(),
            flash: None,
            path: parts.uri.path().to_string(),
            tz: st.config.tz,
            unread: 0,
        }))
    }
}

/// A division in the search form's list.
pub struct DivisionOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// `/public`: the latest notices and their search.
#[derive(Template, WebTemplate)]
#[template(path = "pages/public/index.html")]
pub struct IndexPage {
    pub ui: Ui,
    pub notices: Vec<Notice>,
    pub next_cursor: Option<String>,
    pub kinds: Vec<(&'static str, bool)>,
    pub divisions: Vec<DivisionOption>,
    /// The counties of the register, for their pages.
    pub counties: Vec<(String, String)>,
    /// The query of the next page's link (filters kept).
    pub next_query: String,
}

/// `/public` query: the filters of the notices.
#[derive(Debug, Default, Deserialize)]
pub struct IndexQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub division: String,
    pub cursor: Option<String>,
    pub lang: Option<String>,
}

/// `GET /public`: the latest notices, searched by division and kind.
pub async fn index(
    State(st): State<AppState>,
    PublicUi(ui): PublicUi,
    Query(q): Query<IndexQuery>,
) -> ApiResult<IndexPage> {
    let kind = NoticeKind::parse(q.kind.trim());
    let division = Some(q.division.trim().to_string()).filter(|d| !d.is_empty());
    let f = NoticeFilter {
        kind,
        division: division.clone(),
        since: None,
        limit: Some(NOTICES_SHOWN),
        cursor: q.cursor.clone(),
    };
    let page = notices::list(&st.db, &f, Order::Newest).await?;
    // The search lists the counties and their townships (a village is one click further, on
    // its township's page).
    let counties = divisions::children(&st.db, None).await?;
    let mut options = Vec::new();
    for (code, name) in &counties {
        options.push((code.clone(), name.clone()));
        for (t, tn) in divisions::children(&st.db, Some(code)).await? {
            options.push((t, format!("{name} · {tn}")));
        }
    }
    let divisions = options
        .into_iter()
        .map(|(code, label)| DivisionOption {
            selected: division.as_deref() == Some(code.as_str()),
            code,
            label,
        })
        .collect();
    let mut next_query = String::new();
    if let Some(c) = &page.next_cursor {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(k) = kind {
            s.append_pair("kind", k.as_str());
        }
        if let Some(d) = &division {
            s.append_pair("division", d);
        }
        if let Some(l) = &q.lang {
            s.append_pair("lang", l);
        }
        s.append_pair("cursor", c);
        next_query = s.finish();
    }
    Ok(IndexPage {
        kinds: NoticeKind::ALL
            .iter()
            .map(|k| (k.as_str(), Some(*k) == kind))
            .collect(),
        ui,
        notices: page.items,
        next_cursor: page.next_cursor,
        divisions,
        counties,
        next_query,
    })
}

/// `/public/notices/{id}`: one notice as published.
#[derive(Template, WebTemplate)]
#[template(path = "pages/public/notice.html")]
pub struct NoticePage {
    pub ui: Ui,
    pub n: Notice,
}

/// `GET /public/notices/{id}`: one notice, as published.
pub async fn notice(
    State(st): State<AppState>,
    PublicUi(ui): PublicUi,
    Path(id): Path<Uuid>,
) -> ApiResult<NoticePage> {
    Ok(NoticePage {
        ui,
        n: notices::get(&st.db, id).await?,
    })
}

/// `/public/divisions/{code}`: a division's page (a village's: its service station).
#[derive(Template, WebTemplate)]
#[template(path = "pages/public/division.html")]
pub struct DivisionView {
    pub ui: Ui,
    pub d: DivisionPage,
    /// The link to the next page of contracts (filters and language kept).
    pub next_query: String,
    /// The page's full address, printed at the foot of the notice-board sheet.
    pub page_url: String,
}

impl DivisionView {
    /// The division's name as the page shows it: `name（code）`, or the code.
    pub fn title(&self) -> String {
        match &self.d.name {
            Some(n) => n.clone(),
            None => self.d.code.clone(),
        }
    }

    /// The level's word in the page's language.
    pub fn level_label(&self) -> String {
        self.ui.word("public-level", &self.d.level)
    }

    /// The fiscal year, for its heading.
    pub fn year_count(&self) -> i64 {
        i64::from(self.d.fiscal_year)
    }

    /// Whether the division is a village (its page is the notice-board sheet).
    pub fn is_village(&self) -> bool {
        Level::of(&self.d.code) == Some(Level::Village)
    }
}

/// `GET /public/divisions/{code}`.
pub async fn division_page(
    State(st): State<AppState>,
    PublicUi(ui): PublicUi,
    Path(code): Path<String>,
    Query(q): Query<DivisionPageQuery>,
) -> ApiResult<DivisionView> {
    let dq = DivisionQuery {
        limit: None,
        cursor: q.cursor,
    };
    let d = division::page(&st.db, &code, today(&st), &dq).await?;
    let next_query = match &d.contracts_next_cursor {
        Some(c) => {
            let mut s = form_urlencoded::Serializer::new(String::new());
            if let Some(l) = &q.lang {
                s.append_pair("lang", l);
            }
            s.append_pair("cursor", c);
            s.finish()
        }
        None => String::new(),
    };
    let page_url = format!("{}/public/divisions/{}", st.config.public_url(), d.code);
    Ok(DivisionView {
        ui,
        d,
        next_query,
        page_url,
    })
}

/// `/public/divisions/{code}` query.
#[derive(Debug, Default, Deserialize)]
pub struct DivisionPageQuery {
    pub cursor: Option<String>,
    pub lang: Option<String>,
}

/// Answers `body` as `content_type` (the feed).
fn typed(content_type: &'static str, body: String) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}
