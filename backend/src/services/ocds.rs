//! The OCDS export (SPEC §6): an OCDS 1.1 release package of every tender and direct award,
//! served by `GET /ocds/releases` and written by `huimin export ocds --out FILE`.
//!
//! One release per contracting process, as it stands: a tender (`ocid` =
//! `{HUIMIN_OCID_PREFIX}-{tender id}`) with its awards and the contracts they created, or a
//! direct award (`{prefix}-{contract id}`); contracts carry their milestones and payments
//! under `implementation`. Sealed bids stay sealed (see [`build`]) and workers' personal data
//! is never read (see [`load`]).
//!
//! The package is streamed: [`Export`] writes the head, then pages of [`PAGE`] tenders and
//! then of direct awards (keyset by id, a fixed number of set-based queries a page), then the
//! tail, so memory stays flat however many releases there are. Pages are read one after the
//! other, not in one snapshot: a change committed during a long export may show in a later
//! page only. With no release (e.g. `since` after the last change) `releases` is empty,
//! which OCDS's `minItems: 1` does not allow; an empty package still says "nothing new".

mod build;
mod codelists;
mod load;
pub mod public;
mod schema;

use std::io::Write;
use std::path::Path;

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use futures::Stream;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use uuid::Uuid;

pub use codelists::{
    award_status, contract_status, milestone_status, procurement_method, tender_status,
};
pub use load::Scope;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Releases built per page (and per chunk of the response body).
pub const PAGE: u64 = 500;

/// The licence the package is published under.
pub const LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";

/// Filters of `GET /ocds/releases`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReleaseFilter {
    /// Only processes with a change (tender, contract, milestone, payment) at or after this
    /// instant, RFC 3339 (`+` written `%2B` in a URL).
    pub since: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Head,
    Tenders,
    Direct,
    Tail,
    Done,
}

/// A package being written, chunk by chunk ([`Export::next_chunk`]).
pub struct Export {
    st: AppState,
    scope: Scope,
    cx: build::Context,
    uri: String,
    step: Step,
    cursor: Option<Uuid>,
    releases: u64,
    latest: Option<DateTime<Utc>>,
}

impl Export {
    /// An export of what `scope` covers, as of now on the state's clock.
    pub fn new(st: &AppState, scope: Scope) -> Self {
        let now = st.now();
        let tz = st.config.tz;
        let mut uri = format!("{}/api/v1/ocds/releases", st.config.public_url());
        if let Some(since) = scope.since {
            uri.push_str("?since=");
            uri.push_str(&since.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string());
        }
        Export {
            st: st.clone(),
            scope,
            cx: build::Context {
                prefix: st.config.ocid_prefix.clone(),
                clock: schema::Clock { tz },
                now,
                today: now.with_timezone(&tz).date_naive(),
            },
            uri,
            step: Step::Head,
            cursor: None,
            releases: 0,
            latest: None,
        }
    }

    /// How many releases have been written so far.
    pub fn releases(&self) -> u64 {
        self.releases
    }

    /// The next piece of the package's JSON text (the head comes with the first page), or
    /// `None` once the package is complete.
    pub async fn next_chunk(&mut self) -> ApiResult<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        loop {
            match self.step {
                Step::Head => {
                    self.head(&mut buf)?;
                    self.step = Step::Tenders;
                }
                Step::Tenders => {
                    let db = self.st.db.clone();
                    let db = &db;
                    let page = load::tenders(db, self.scope, self.cursor, PAGE).await?;
                    self.advance(page.len(), page.last().map(|t| t.id), Step::Direct);
                    if page.is_empty() {
                        continue;
                    }
                    let batch = load::for_tenders(db, &page, self.cx.now).await?;
                    for t in &page {
                        let r = build::tender_release(&self.cx, &batch, t)?;
                        self.write(&mut buf, &r)?;
                    }
                    return Ok(Some(buf));
                }
                Step::Direct => {
                    let db = self.st.db.clone();
                    let db = &db;
                    let page = load::direct_contracts(db, self.scope, self.cursor, PAGE).await?;
                    self.advance(page.len(), page.last().map(|c| c.id), Step::Tail);
                    if page.is_empty() {
                        continue;
                    }
                    let batch =
                        load::for_contracts(db, &page, std::iter::empty(), std::iter::empty())
                            .await?;
                    for c in &page {
                        let r = build::direct_release(&self.cx, &batch, c)?;
                        self.write(&mut buf, &r)?;
                    }
                    return Ok(Some(buf));
                }
                Step::Tail => {
                    // Generated on demand, the package is as recent as its latest release.
                    let published = self.cx.clock.at(self.latest.unwrap_or(self.cx.now));
                    buf.extend_from_slice(b"],\"publishedDate\":");
                    serde_json::to_writer(&mut buf, &published).map_err(ApiError::internal)?;
                    buf.extend_from_slice(b"}\n");
                    self.step = Step::Done;
                    return Ok(Some(buf));
                }
                Step::Done => return Ok(None),
            }
        }
    }

    /// Moves the cursor past a page of `len` rows ending at `last`; a short page is the last.
    fn advance(&mut self, len: usize, last: Option<Uuid>, next: Step) {
        self.cursor = last;
        if (len as u64) < PAGE {
            self.step = next;
            self.cursor = None;
        }
    }

    fn head(&self, buf: &mut Vec<u8>) -> ApiResult<()> {
        let text = json!({
            "uri": self.uri,
            "version": "1.1",
            "publisher": {
                "name": "惠民 Huimin",
                "uri": self.st.config.public_url(),
            },
            "license": LICENSE,
        })
        .to_string();
        // Open the object and leave it open for `releases` and, at the end, `publishedDate`.
        buf.extend_from_slice(&text.as_bytes()[..text.len() - 1]);
        buf.extend_from_slice(b",\"releases\":[");
        Ok(())
    }

    fn write(&mut self, buf: &mut Vec<u8>, r: &schema::Release) -> ApiResult<()> {
        if self.releases > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut *buf, r).map_err(ApiError::internal)?;
        self.releases += 1;
        self.latest = self.latest.max(Some(r.changed));
        Ok(())
    }

    /// The rest of the package as a body stream. An error after the first chunk can only cut
    /// the response short (the status is sent): it is logged and ends the stream.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
        futures::stream::try_unfold(self, |mut export| async move {
            match export.next_chunk().await {
                Ok(Some(chunk)) => Ok(Some((Bytes::from(chunk), export))),
                Ok(None) => Ok(None),
                Err(e) => {
                    tracing::error!(error = %e, "the OCDS export stopped");
                    Err(std::io::Error::other("the OCDS export stopped"))
                }
            }
        })
    }
}

/// Writes the whole package to `path` (through a temporary file beside it, renamed at the
/// end, so a reader never sees half a package); returns the number of releases.
pub async fn write_file(st: &AppState, scope: Scope, path: &Path) -> anyhow::Result<u64> {
    use anyhow::Context;
    let name = path
        .file_name()
        .context("the output path names no file")?
        .to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.partial"));
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&tmp).with_context(|| format!("create {}", tmp.display()))?,
    );
    let mut export = Export::new(st, scope);
    let result = async {
        while let Some(chunk) = export.next_chunk().await.map_err(|e| match e {
            ApiError::Internal(e) => e,
            other => anyhow::anyhow!("{other}"),
        })? {
            out.write_all(&chunk)?;
        }
        out.flush()?;
        out.get_ref().sync_all()?;
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.context(format!("write {}", path.display())));
    }
    drop(out);
    std::fs::rename(&tmp, path).with_context(|| format!("write {}", path.display()))?;
    Ok(export.releases())
}
