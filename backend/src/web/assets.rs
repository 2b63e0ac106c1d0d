//! The pages' static files (`backend/static/`), embedded in the binary and served under names
//! that carry a hash of their content (`app.3f2a1b9c0d.css`), so that browsers may keep them
//! for a year and still never use a stale one after an upgrade.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

/// Logical name → hashed name, and hashed name → logical name.
struct Names {
    hashed: HashMap<String, String>,
    logical: HashMap<String, String>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut n = Names {
            hashed: HashMap::new(),
            logical: HashMap::new(),
        };
        for name in Static::iter() {
            let Some(file) = Static::get(&name) else {
                continue;
            };
            let digest = hex::encode(Sha256::digest(&file.data));
            let hashed = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{}.{ext}", &digest[..10]),
                None => format!("{name}.{}", &digest[..10]),
            };
            n.logical.insert(hashed.clone(), name.to_string());
            n.hashed.insert(name.to_string(), hashed);
        }
        n
    })
}

/// The address of the asset `name` (e.g. `app.css` → `/assets/app.3f2a1b9c0d.css`).
pub fn url(name: &str) -> String {
    match names().hashed.get(name) {
        Some(h) => format!("/assets/{h}"),
        None => format!("/assets/{name}"),
    }
}

/// `GET /assets/{name}`: an asset by its hashed name, cached for a year.
pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(file) = names()
        .logical
        .get(&name)
        .and_then(|logical| Static::get(logical))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    let mut res = file.data.into_owned().into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    res
}
