//! The answer cache of public reads: a `200` answer of known, modest size is kept per URI (and
//! page language) for the time to live. A write through this process (API or page) calls
//! [`AnswerCache::forget_all`], which makes every kept answer stale at once; a write through
//! another replica is seen within the time to live, as the answers' `Cache-Control` lets any
//! HTTP cache on the way keep them.
//!
//! An answer older than the time to live is still served while a background task computes
//! its replacement (nobody waits for a refresh); with nothing kept at all, concurrent requests
//! for one key wait for the first to answer instead of all computing the same page.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// The writes through this process so far: an answer kept under an older count is stale.
    generation: Arc<AtomicU64>,
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
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Makes every kept answer stale (after a write through this process).
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
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
    /// `200`). An answer kept before a write through this process (an older `generation`) is
    /// recomputed before answering; one merely older than the time to live is answered while a
    /// task of its own recomputes it, so no reader waits for a page being refreshed.
    pub async fn answer(
        &self,
        key: String,
        compute: impl Future<Output = Response> + Send + 'static,
    ) -> Response {
        if self.ttl.is_zero() {
            return compute.await;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let kept = self
            .entries
            .get(&key)
            .filter(|e| e.generation == generation);
        if let Some(e) = &kept {
            if self.fresh(e, generation) {
                return Self::respond(e);
            }
            let lock = self.computing.get_with(key.clone(), Default::default);
            if let Ok(guard) = lock.try_lock_owned() {
                let this = self.clone();
                tokio::spawn(async move {
                    let _computing = guard;
                    this.keep(key, generation, compute.await).await;
                });
            }
            return Self::respond(e);
        }
        // Nothing to answer with: the first computes, the others wait for it.
        let lock = self.computing.get_with(key.clone(), Default::default);
        let _computing = lock.lock().await;
        if let Some(e) = self.entries.get(&key)
            && self.fresh(&e, generation)
        {
            return Self::respond(&e);
        }
        self.keep(key, generation, compute.await).await
    }

    /// Keeps `res` under `key` when it is a `200` of modest size; answers it.
    async fn keep(&self, key: String, generation: u64, res: Response) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn text(r: Response) -> String {
        let b = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
        String::from_utf8(b.to_vec()).unwrap()
    }

    async fn page(s: &'static str) -> Response {
        s.into_response()
    }

    #[tokio::test]
    async fn an_expired_answer_is_served_while_a_task_recomputes_it_and_a_write_drops_it() {
        let c = AnswerCache::new(Duration::from_millis(100));
        let ask = |s: &'static str| c.answer("k".into(), page(s));
        assert_eq!(text(ask("one").await).await, "one");
        assert_eq!(text(ask("two").await).await, "one");
        tokio::time::sleep(Duration::from_millis(120)).await;
        // Expired: answered at once with what was kept, refreshed behind it.
        assert_eq!(text(ask("three").await).await, "one");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(text(ask("four").await).await, "three");
        // A write through this process: computed before answering.
        c.forget_all();
        assert_eq!(text(ask("five").await).await, "five");
        // Not kept at all: no cache.
        let off = AnswerCache::new(Duration::ZERO);
        assert_eq!(text(off.answer("k".into(), page("a")).await).await, "a");
        assert_eq!(text(off.answer("k".into(), page("b")).await).await, "b");
    }
}
