//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), run on the
//! blocking pool so a login never stalls the async workers, and never more at once than the
//! [`PasswordGate`] allows: each hash takes 19 MiB and a core for tens of milliseconds, so a
//! flood of logins must queue (briefly) or be told to come back, not exhaust the machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

/// The minimum length of a password, in characters.
pub const MIN_LEN: usize = 10;
/// The maximum length, to bound hashing work.
pub const MAX_LEN: usize = 256;

/// Hashes a password to a PHC string, on the calling thread (tools; the server goes through
/// its [`PasswordGate`]).
pub fn hash_blocking(password: &str) -> ApiResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(anyhow::anyhow!("hash password: {e}")))
}

/// Whether `password` matches the stored PHC string, on the calling thread.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Bounds the password hashes computed at once in this process. A request waits at most
/// `wait` for its turn, then answers 503 with `Retry-After`. The turn is held by the hashing
/// itself, so a client that hangs up mid-login does not free it before the work is done.
pub struct PasswordGate {
    permits: Arc<Semaphore>,
    wait: Duration,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl PasswordGate {
    /// At most `concurrency` hashes at once (at least one); a request waits up to `wait`.
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        PasswordGate {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            wait,
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The most hashes that ever ran at once (for tests and metrics).
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Runs one hashing job when a turn is free.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> ApiResult<T> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| {
                metrics::counter!("password_hash_refused_total").increment(1);
                ApiError::Busy {
                    retry_after_secs: 1,
                }
            })?
            .map_err(ApiError::internal)?;
        let (running, peak) = (self.running.clone(), self.peak.clone());
        tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let out = job();
            running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            out
        })
        .await
        .map_err(ApiError::internal)
    }

    /// Hashes a password to a PHC string.
    pub async fn hash(&self, password: &str) -> ApiResult<String> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await?
    }

    /// Whether `password` matches the stored PHC string.
    pub async fn verify(&self, password: &str, phc: &str) -> ApiResult<bool> {
        let (password, phc) = (password.to_owned(), phc.to_owned());
        self.run(move || verify_blocking(&password, &phc)).await
    }

    /// Verifies against the hash of a random password, when the account does not exist, so
    /// that a login answers in the same time whether or not the e-mail is known.
    pub async fn dummy_verify(&self, password: &str) -> ApiResult<()> {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let password = password.to_owned();
        self.run(move || {
            let phc =
                DUMMY.get_or_init(|| hash_blocking("not-a-real-password-0000").unwrap_or_default());
            verify_blocking(&password, phc);
        })
        .await
    }
}

/// Checks the length rules of a new password.
pub fn check_new(field: &str, password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(ApiError::field(
            field,
            crate::error::codes::PASSWORD_TOO_SHORT,
            format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if n > MAX_LEN {
        return Err(ApiError::field(
            field,
            crate::error::codes::PASSWORD_TOO_LONG,
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    Ok(())
}
