//! An upload into the store: streamed into a temporary file while hashed in the blocking pool, then
//! moved into place under its SHA-256 (an identical file is stored once).

use std::path::{Path, PathBuf};

use jobs::file_store::{self, FileId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

use super::{HEAD, MAX_FILE, WRITE_BUFFER};
pub use jobs::file_store::path_of;

/// A temporary file, removed when dropped (whatever cut its upload short).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        match std::fs::remove_file(&self.0) {
            Ok(()) => {}
            // Moved into place.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(file = %self.0.display(), error = %e, "could not remove a temporary upload")
            }
        }
    }
}

/// A file being written into the store; its temporary file goes when it is dropped
/// unfinished.
///
/// The bytes are gathered in a block of [`WRITE_BUFFER`]; a full block is hashed and written
/// in the blocking pool while the next one is gathered. So an upload holds two blocks at most,
/// and the hashing runs beside the network's reading instead of in its way.
pub struct Upload {
    root: PathBuf,
    tmp: TempFile,
    /// The block being gathered.
    block: Vec<u8>,
    disk: Disk,
    /// Set by [`Upload::seal`]: the SHA-256 of every byte written.
    sealed: Option<String>,
    pub size: u64,
    pub head: Vec<u8>,
}

/// Where the temporary file and its hash are: here between blocks, in the blocking pool while
/// a block is hashed and written.
enum Disk {
    Idle(Sink),
    Busy(tokio::task::JoinHandle<std::io::Result<Sink>>),
    /// A write failed; the upload is abandoned.
    Failed,
}

/// The temporary file, the hash of what was written to it, and the spare block (the one the
/// blocking pool wrote last, emptied, to gather the block after next).
struct Sink {
    file: std::fs::File,
    hasher: Sha256,
    spare: Vec<u8>,
}

/// A file an upload put in the store.
#[derive(Debug, Clone)]
pub struct Stored {
    pub sha256: String,
    /// The file this upload created, when there was none of these bytes before.
    pub(super) created: Option<FileId>,
}

impl Upload {
    /// Starts a new upload into `root`.
    pub async fn start(root: &Path) -> ApiResult<Self> {
        let tmp_dir = file_store::tmp_dir(root);
        tokio::fs::create_dir_all(&tmp_dir)
            .await
            .map_err(ApiError::internal)?;
        let tmp = tmp_dir.join(Uuid::new_v4().to_string());
        // Created and guarded with no `.await` between: a request cut off while a background
        // thread was creating the file would leave it behind, unguarded.
        let file = std::fs::File::create(&tmp).map_err(ApiError::internal)?;
        Ok(Upload {
            root: root.to_path_buf(),
            tmp: TempFile(tmp),
            block: Vec::with_capacity(WRITE_BUFFER),
            disk: Disk::Idle(Sink {
                file,
                hasher: Sha256::new(),
                spare: Vec::new(),
            }),
            sealed: None,
            size: 0,
            head: Vec::new(),
        })
    }

    /// Appends a chunk; 413 past [`MAX_FILE`].
    pub async fn write(&mut self, chunk: &[u8]) -> ApiResult<()> {
        self.size += chunk.len() as u64;
        if self.size > MAX_FILE {
            return Err(ApiError::PayloadTooLarge);
        }
        if self.head.len() < HEAD {
            self.head.extend(chunk.iter().take(HEAD - self.head.len()));
        }
        let mut rest = chunk;
        while !rest.is_empty() {
            let n = (WRITE_BUFFER - self.block.len()).min(rest.len());
            self.block.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.block.len() == WRITE_BUFFER {
                self.ship().await?;
            }
        }
        Ok(())
    }

    /// Hands the gathered block to the blocking pool, once the previous one is written.
    async fn ship(&mut self) -> ApiResult<()> {
        let mut sink = self.idle().await?;
        let mut next = std::mem::take(&mut sink.spare);
        next.reserve_exact(WRITE_BUFFER);
        let block = std::mem::replace(&mut self.block, next);
        self.disk = Disk::Busy(tokio::task::spawn_blocking(move || {
            use std::io::Write;
            sink.hasher.update(&block);
            sink.file.write_all(&block)?;
            sink.spare = block;
            sink.spare.clear();
            Ok(sink)
        }));
        Ok(())
    }

    /// The file and hash, once the block being written (if any) is written.
    async fn idle(&mut self) -> ApiResult<Sink> {
        match std::mem::replace(&mut self.disk, Disk::Failed) {
            Disk::Idle(sink) => Ok(sink),
            Disk::Busy(task) => task
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal),
            Disk::Failed => Err(ApiError::internal(anyhow::anyhow!(
                "an earlier write of this upload failed"
            ))),
        }
    }

    /// Writes what is left and answers the SHA-256 of the whole file, hex: the name it takes
    /// in the store. The blocks' memory is given back here, before the file is synced.
    pub async fn seal(&mut self) -> ApiResult<String> {
        if let Some(sha256) = &self.sealed {
            return Ok(sha256.clone());
        }
        if !self.block.is_empty() {
            self.ship().await?;
        }
        let mut sink = self.idle().await?;
        self.block = Vec::new();
        sink.spare = Vec::new();
        let sha256 = hex::encode(sink.hasher.clone().finalize());
        self.disk = Disk::Idle(sink);
        self.sealed = Some(sha256.clone());
        Ok(sha256)
    }

    /// Makes the file durable and moves it into place, in one trip to the blocking pool. When
    /// no file of these bytes is there, the file gets its place as a second name (a hard link,
    /// which never replaces a file), so the upload knows the stored file is its own; otherwise
    /// it replaces the older copy (the same bytes), so the file in place is always the latest
    /// upload's and as young as it: the sweep never takes a file a request in flight has just
    /// stored. A file is synced before it takes its place, so a file in place is always whole.
    pub async fn finish(mut self) -> ApiResult<Stored> {
        let sha256 = self.seal().await?;
        let sink = self.idle().await?;
        let dest = path_of(&self.root, &sha256);
        let tmp = self.tmp.0.clone();
        let created = tokio::task::spawn_blocking(move || -> std::io::Result<_> {
            sink.file.sync_all()?;
            drop(sink);
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir)?;
            }
            match std::fs::hard_link(&tmp, &dest) {
                // The temporary name goes at once (else when the upload is dropped).
                Ok(()) => {
                    let id = FileId::of(&std::fs::metadata(&tmp)?);
                    let _ = std::fs::remove_file(&tmp);
                    Ok(id)
                }
                // Already stored (or no hard links on this file system).
                Err(_) => std::fs::rename(&tmp, &dest).map(|()| None),
            }
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
        Ok(Stored { sha256, created })
    }
}
