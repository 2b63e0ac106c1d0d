//! The file store: attachments kept on disk under their SHA-256
//! (`<files_dir>/ab/abcdef…`), never in a database row. Writing streams to a temporary file,
//! hashing as it goes, then renames it into place; an identical file is stored once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The content types a report may attach, with the magic bytes their files start with.
pub const ALLOWED: [(&str, &str); 4] = [
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/heic", "heic"),
    ("application/pdf", "pdf"),
];

/// At most this many bytes a file.
pub const MAX_FILE: u64 = 20 * 1024 * 1024;
/// At most this many bytes a request.
pub const MAX_REQUEST: usize = 25 * 1024 * 1024;

/// Whether the first bytes of a file match its declared content type.
pub fn looks_like(content_type: &str, head: &[u8]) -> bool {
    match content_type {
        "image/jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "application/pdf" => head.starts_with(b"%PDF-"),
        "image/heic" => head.len() >= 12 && &head[4..8] == b"ftyp",
        _ => false,
    }
}

/// The path of a stored file.
pub fn path_of(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[..2]).join(sha256)
}

/// A file being written into the store.
pub struct Upload {
    root: PathBuf,
    tmp: PathBuf,
    file: tokio::fs::File,
    hasher: Sha256,
    pub size: u64,
    pub head: Vec<u8>,
}

impl Upload {
    /// Starts a new upload into `root`.
    pub async fn start(root: &Path) -> ApiResult<Self> {
        let tmp_dir = root.join("tmp");
        tokio::fs::create_dir_all(&tmp_dir)
            .await
            .map_err(ApiError::internal)?;
        let tmp = tmp_dir.join(Uuid::new_v4().to_string());
        let file = tokio::fs::File::create(&tmp)
            .await
            .map_err(ApiError::internal)?;
        Ok(Upload {
            root: root.to_path_buf(),
            tmp,
            file,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
        })
    }

    /// Appends a chunk; 413 past [`MAX_FILE`].
    pub async fn write(&mut self, chunk: &[u8]) -> ApiResult<()> {
        self.size += chunk.len() as u64;
        if self.size > MAX_FILE {
            self.abort().await;
            return Err(ApiError::PayloadTooLarge);
        }
        if self.head.len() < 16 {
            self.head.extend(chunk.iter().take(16 - self.head.len()));
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await.map_err(ApiError::internal)
    }

    /// Removes the temporary file.
    pub async fn abort(&self) {
        let _ = tokio::fs::remove_file(&self.tmp).await;
    }

    /// Moves the file into place and answers its hash.
    pub async fn finish(mut self) -> ApiResult<String> {
        self.file.flush().await.map_err(ApiError::internal)?;
        self.file.sync_all().await.map_err(ApiError::internal)?;
        let sha = hex::encode(self.hasher.finalize_reset());
        let dest = path_of(&self.root, &sha);
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(ApiError::internal)?;
        }
        tokio::fs::rename(&self.tmp, &dest)
            .await
            .map_err(ApiError::internal)?;
        Ok(sha)
    }
}

/// Removes stored files that no attachment refers to (after a refused report): one query
/// for the hashes still referenced, then the others are deleted.
pub async fn discard_unreferenced(
    db: &impl sea_orm::ConnectionTrait,
    root: &Path,
    shas: &[String],
) {
    use entity::model::attachment;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    if shas.is_empty() {
        return;
    }
    let kept: Vec<String> = match attachment::Entity::find()
        .select_only()
        .column(attachment::Column::Sha256)
        .filter(attachment::Column::Sha256.is_in(shas.to_vec()))
        .into_tuple()
        .all(db)
        .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "could not check attachments before discarding files");
            return;
        }
    };
    for sha in shas.iter().filter(|s| !kept.contains(s)) {
        let _ = tokio::fs::remove_file(path_of(root, sha)).await;
    }
}
