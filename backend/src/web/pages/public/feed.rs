//! `GET /public/notices.atom`: the latest notices as an Atom 1.0 feed (RFC 4287) a feed reader
//! subscribes to, with the same filters as `/public` (`kind`, `division`).

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use entity::rules::vocab::Locale;
use jobs::i18n;

use super::{IndexQuery, PublicUi, typed};
use crate::error::ApiResult;
use crate::extract::Query;
use crate::services::public::notices::{self, Notice, NoticeFilter, NoticeKind, Order};
use crate::state::AppState;

/// How many notices the feed carries.
const ENTRIES: u64 = 50;

/// Text for XML content and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow (controls other than tab and line breaks).
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One line saying what a notice announces, in `locale`.
pub fn summary(locale: Locale, n: &Notice) -> String {
    let d = &n.details;
    let mut parts = vec![i18n::text(
        locale,
        &format!("public-kind-{}", n.kind.as_str().replace('_', "-")),
    )];
    if let Some(o) = d.outcome {
        parts.push(i18n::text(
            locale,
            &format!("public-outcome-{}", o.as_str().replace('_', "-")),
        ));
    }
    parts.push(d.purchaser.clone());
    if let Some(s) = &d.supplier {
        parts.push(s.name.clone());
    }
    if let Some(a) = d.amount.or(d.ceiling_amount) {
        parts.push(jobs::format::money(&a.decimal()));
    }
    if let Some(r) = &d.reason {
        parts.push(r.clone());
    }
    parts.join(" · ")
}

/// `GET /public/notices.atom`.
pub async fn atom(
    State(st): State<AppState>,
    PublicUi(ui): PublicUi,
    Query(q): Query<IndexQuery>,
) -> ApiResult<Response> {
    let f = NoticeFilter {
        kind: NoticeKind::parse(q.kind.trim()),
        division: Some(q.division.trim().to_string()).filter(|d| !d.is_empty()),
        since: None,
        limit: Some(ENTRIES),
        cursor: None,
    };
    let items = notices::list(&st.db, &f, Order::Newest).await?.items;
    let base = st.config.public_url();
    let updated = items.first().map_or_else(|| st.now(), |n| n.published_at);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        ui.lang()
    ));
    x.push_str(&format!(
        "<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n",
        esc(&format!("{base}/public/notices.atom")),
        esc(&ui.t("public-feed-title")),
        rfc3339(updated)
    ));
    x.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        esc(&format!("{base}/public/notices.atom")),
        esc(&format!("{base}/public"))
    ));
    x.push_str(&format!(
        "<author><name>{}</name></author>\n",
        esc(&ui.t("app-name"))
    ));
    for n in &items {
        let url = format!("{base}/public/notices/{}", n.id);
        x.push_str("<entry>\n");
        x.push_str(&format!("<id>{}</id>\n", esc(&url)));
        x.push_str(&format!("<title>{}</title>\n", esc(&n.title)));
        x.push_str(&format!(
            "<updated>{}</updated>\n<published>{}</published>\n",
            rfc3339(n.published_at),
            rfc3339(n.published_at)
        ));
        x.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            esc(&url)
        ));
        x.push_str(&format!("<category term=\"{}\"/>\n", esc(n.kind.as_str())));
        x.push_str(&format!(
            "<summary>{}</summary>\n",
            esc(&summary(ui.locale, n))
        ));
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    Ok(typed("application/atom+xml; charset=utf-8", x))
}
