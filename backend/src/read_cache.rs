//! A short-lived cache of the answers to hot reads (lists and records of budget lines,
//! contracts, tenders, purchasers and organisations), per bearer token and URI, for
//! `HUIMIN_READ_CACHE_MS` (1 s by default; 0 turns it off).
//!
//! Every successful write through this process's API invalidates the whole cache at once (a
//! generation counter), so a client never reads its own or anyone's write stale from this
//! process; a write through another replica or the CLI is seen within the time to live, as with
//! the session cache. Keys include the token, so an answer is only ever served to the client
//! it was made for, and a logout or any change to a user is a write that invalidates it.
//! Only `200` answers of at most [`MAX_BODY`] bytes are kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// The largest answer kept.
const MAX_BODY: usize = 256 * 1024;

/// The API paths whose reads are cached (their records change only through API writes).
const CACHED: [&str; 5] = [
    "/api/v1/budget-lines",
    "/api/v1/contracts",
    "/api/v1/tenders",
    "/api/v1/purchasers",
    "/api/v1/organisations",
];

/// Sub-resources read past the cache: streams, files, and the audit trail's dossier.
const UNCACHED_PARTS: [&str; 3] = ["/dossier", "/attachments", "/files"];

struct Entry {
    generation: u64,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

/// See the module documentation.
#[derive(Clone)]
pub struct ReadCache {
    entries: moka::sync::Cache<Key, Arc<Entry>>,
    /// One lock per key being computed: concurrent misses of one key (say, when its entry
    /// has just expired under load) wait for the first to answer instead of all computing.
    computing: moka::sync::Cache<Key, Arc<tokio::sync::Mutex<()>>>,
    generation: Arc<AtomicU64>,
    enabled: bool,
}

/// The bearer token and the URI.
type Key = (String, String);

impl ReadCache {
    /// A cache keeping answers for `ttl` (zero disables it).
    pub fn new(ttl: Duration) -> Self {
        let capacity = if ttl.is_zero() { 0 } else { 20_000 };
        ReadCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
            computing: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(Duration::from_secs(10))
                .build(),
            generation: Arc::new(AtomicU64::new(0)),
            enabled: !ttl.is_zero(),
        }
    }

    /// The number of writes through this process so far: an answer computed under an older
    /// generation may be stale (the public answer cache keys on it too).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Forgets every answer (after a write).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    /// A fresh cached answer for `key`.
    fn fresh(&self, key: &Key, generation: u64) -> Option<Response> {
        let e = self.entries.get(key)?;
        if e.generation != generation {
            return None;
        }
        let mut res = Body::from(e.body.clone()).into_response();
        if let Some(ct) = &e.content_type {
            res.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
        }
        Some(res)
    }

    fn key(&self, req: &Request) -> Option<Key> {
        if !self.enabled || req.method() != Method::GET {
            return None;
        }
        let path = req.uri().path();
        if !CACHED.iter().any(|p| path.starts_with(p))
            || UNCACHED_PARTS.iter().any(|p| path.contains(p))
        {
            return None;
        }
        let token = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
        Some((token.to_string(), req.uri().to_string()))
    }
}

/// Middleware: answers a cached read, or keeps the answer of a fresh one; invalidates the
/// cache after every successful write.
pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let cache = &st.read_cache;
    let Some(key) = cache.key(&req) else {
        let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        let res = next.run(req).await;
        if write && res.status().is_success() {
            cache.invalidate();
        }
        return res;
    };
    if let Some(res) = cache.fresh(&key, cache.generation.load(Ordering::SeqCst)) {
        return res;
    }
    let lock = cache.computing.get_with(key.clone(), Default::default);
    let _computing = lock.lock().await;
    let generation = cache.generation.load(Ordering::SeqCst);
    if let Some(res) = cache.fresh(&key, generation) {
        return res;
    }
    let res = next.run(req).await;
    // Only whole answers of known, small size: anything else streams through untouched.
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
    // A write that finished while this read ran bumped the generation: the entry is dead.
    cache.entries.insert(
        key,
        Arc::new(Entry {
            generation,
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            body: body.clone(),
        }),
    );
    Response::from_parts(parts, Body::from(body))
}
