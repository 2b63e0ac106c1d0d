//! The answer cache of public reads: a `200` answer of known, modest size is kept per URI (and
//! page language) for the time to live. A write through this process (API or page) bumps the
//! read cache's generation and so makes every kept answer stale at once.
//!
//! A stale answer is still served while one request computes its replacement (others do not
//! queue behind it); with nothing kept at all, concurrent requests for one key wait for the
//! first to answer instead of all computing the same page.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The largest answer kept.
const MAX_BODY: usize = 1024 * 1024;

struct Entry {
    generation: u64,
    at: Instant,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

/// See the module documentation.
#[derive(Clone)]
pub struct AnswerCache {
    ttl: Duration,
    entries: moka::sync::Cache<String, Arc<Entry>>,
    computing: moka::sync::Cache<String, Arc<tokio::sync::Mutex<()>>>,
}

impl AnswerCache {
    /// Keeps answers for `ttl` (zero: never).
    pub fn new(ttl: Duration) -> Self {
        let capacity = if ttl.is_zero() { 0 } else { 10_000 };
        AnswerCache {
            ttl,
            // A stale entry lingers for a second time to live, to be served while it is
            // recomputed.
            entries: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl.saturating_mul(2).max(Duration::from_millis(1)))
                .build(),
            computing: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(Duration::from_secs(10))
                .build(),
        }
    }

    fn respond(e: &Entry) -> Response {
        let mut res = Body::from(e.body.clone()).into_response();
        if let Some(ct) = &e.content_type {
            res.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
        }
        res
    }

    fn fresh(&self, e: &Entry, generation: u64) -> bool {
        e.generation == generation && e.at.elapsed() < self.ttl
    }

    /// The kept answer for `key`, or the answer `compute` gives (kept when it is a modest
    /// `200`).
    pub async fn answer(
        &self,
        key: String,
        generation: u64,
        compute: impl Future<Output = Response>,
    ) -> Response {
        if self.ttl.is_zero() {
            return compute.await;
        }
        let kept = self.entries.get(&key);
        if let Some(e) = &kept
            && self.fresh(e, generation)
        {
            return Self::respond(e);
        }
        let lock = self.computing.get_with(key.clone(), Default::default);
        let _computing = match (lock.try_lock(), &kept) {
            (Ok(g), _) => g,
            // Someone computes it: the stale answer meanwhile.
            (Err(_), Some(e)) => return Self::respond(e),
            (Err(_), None) => {
                let g = lock.lock().await;
                if let Some(e) = self.entries.get(&key)
                    && self.fresh(&e, generation)
                {
                    return Self::respond(&e);
                }
                g
            }
        };
        let res = compute.await;
        let small = res
            .body()
            .size_hint()
            .exact()
            .is_some_and(|n| n <= MAX_BODY as u64);
        if res.status() != StatusCode::OK || !small {
            return res;
        }
        let (parts, body) = res.into_parts();
        let body = match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(b) => b,
            Err(e) => {
                return crate::error::ApiError::internal(anyhow::anyhow!("read the answer: {e}"))
                    .into_response();
            }
        };
        self.entries.insert(
            key,
            Arc::new(Entry {
                generation,
                at: Instant::now(),
                content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
                body: body.clone(),
            }),
        );
        Response::from_parts(parts, Body::from(body))
    }
}
