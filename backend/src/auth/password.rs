//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), run on the
//! blocking pool so a login never stalls the async workers.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{ApiError, ApiResult};

/// The minimum length of a password, in characters.
pub const MIN_LEN: usize = 10;
/// The maximum length, to bound hashing work.
pub const MAX_LEN: usize = 256;

/// Hashes a password to a PHC string.
pub async fn hash(password: &str) -> ApiResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ApiError::internal(anyhow::anyhow!("hash password: {e}")))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Whether `password` matches the stored PHC string.
pub async fn verify(password: &str, phc: &str) -> bool {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, verified against when the account does not exist, so that
/// a login answers in the same time whether or not the e-mail is known.
pub async fn dummy_verify(password: &str) {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    if let Ok(h) = DUMMY
        .get_or_try_init(|| hash("not-a-real-password-0000"))
        .await
    {
        verify(password, h).await;
    }
}

/// Checks the length rules of a new password.
pub fn check_new(field: &str, password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(ApiError::validation(
            field,
            format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if n > MAX_LEN {
        return Err(ApiError::validation(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    Ok(())
}
