//! The file store: attachments kept on disk under their SHA-256 (`<files_dir>/ab/abcdef…`,
//! the layout of [`jobs::file_store`]), never in a database row. Writing streams to a
//! temporary file, hashing as it goes, then moves it into place; an identical file is stored
//! once.
//!
//! Nothing is left behind. A temporary file is removed when its [`Upload`] is dropped
//! unfinished (a refused file, an error, a request cut off mid-upload). The files a request
//! stored are removed by [`Placed`]: when it is dropped before the report is written (the
//! request was refused or cut off while reading its parts), or by [`Placed::discard`] when the
//! report is refused. Files whose fate is unknown (the request was cut off, or failed with a
//! server error, while its report was being written; or cut off while a file was being moved
//! into place, which a background thread finishes) stay; the `file_sweep` job removes them
//! once they are a day old and no attachment refers to them.
//!
//! Only files this request created are removed at once: when an upload finds the same bytes
//! already stored, they may belong to another report or to a request still in flight.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::Request;
use futures::Stream;
use jobs::file_store::{self, FileId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub use jobs::file_store::path_of;

/// The content types a report may attach, with their usual extension.
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
/// The bytes kept from the start of a file to judge its type: enough for an ISO BMFF `ftyp`
/// box with its major brand and a few compatible ones.
const HEAD: usize = 64;

/// How much of an upload is gathered before it is handed to the disk: one write (one trip to
/// the blocking pool) per 128 KiB rather than per network chunk of a few KiB, and no more than
/// that held in memory per upload (twice, while the previous block is being hashed and
/// written).
const WRITE_BUFFER: usize = 128 * 1024;

/// Whether the first bytes of a file match its declared content type.
pub fn looks_like(content_type: &str, head: &[u8]) -> bool {
    match content_type {
        "image/jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "application/pdf" => head.starts_with(b"%PDF-"),
        "image/heic" => is_heif(head),
        _ => false,
    }
}

/// The brands of HEIF images (ISO/IEC 23008-12): HEVC-coded images and sequences, and the
/// generic image (`mif1`, `mif2`) and sequence (`msf1`) brands Apple's and Android's HEIC
/// files list.
const HEIF_BRANDS: [&[u8; 4]; 11] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
    b"mif2",
];

/// Whether `head` starts with the `ftyp` box of a HEIF file: its major brand or one of its
/// compatible brands is a HEIF brand. Every ISO BMFF file (an MP4 video, `ftypisom`) starts
/// with an `ftyp` box, so the box alone says nothing; an AVIF image (major brand `avif`) is
/// HEIF too but not HEIC.
fn is_heif(head: &[u8]) -> bool {
    if head.len() < 16 || &head[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    if size < 16 || !size.is_multiple_of(4) {
        return false;
    }
    let major = &head[8..12];
    if major == b"avif" || major == b"avis" {
        return false;
    }
    std::iter::once(major)
        .chain(head[16..size.min(head.len())].chunks_exact(4))
        .any(|brand| HEIF_BRANDS.iter().any(|b| b.as_slice() == brand))
}

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

/// How much of a request body the multipart parser takes in at once (see [`paced`]).
const PACE: usize = 32 * 1024;

/// `req` with its body handed to the multipart parser at most [`PACE`] bytes at a time. The
/// parser (multer) takes in everything the connection has before it hands on a part's chunk:
/// from a fast client, megabytes held in memory while the disk catches up. Paced, it hands on
/// what it has after each `PACE` bytes, so an upload holds little more than that and its
/// write buffer, however fast the client sends.
pub fn paced(req: Request) -> Request {
    let (parts, body) = req.into_parts();
    let stream = Paced {
        inner: body.into_data_stream(),
        taken: 0,
    };
    Request::from_parts(parts, Body::from_stream(stream))
}

/// A body stream that pauses (yields to the runtime, woken at once) after each [`PACE`]
/// bytes.
struct Paced {
    inner: BodyDataStream,
    /// Bytes handed on since the last pause.
    taken: usize,
}

impl Stream for Paced {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.taken >= PACE {
            self.taken = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = Pin::new(&mut self.inner).poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(chunk))) => self.taken += chunk.len(),
            Poll::Pending => self.taken = 0,
            _ => {}
        }
        next
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
    created: Option<FileId>,
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

/// The files one request stored. Dropped while armed (the request was refused or cut off
/// before its report was written), it removes those it created; once disarmed, only
/// [`Placed::discard`] removes them.
pub struct Placed {
    root: PathBuf,
    files: Vec<Stored>,
    /// Uploads being synced and moved into place in tasks of their own (see
    /// [`Placed::place`]).
    pending: Vec<tokio::task::JoinHandle<ApiResult<Stored>>>,
    armed: bool,
}

impl Placed {
    pub fn new(root: &Path) -> Self {
        Placed {
            root: root.to_path_buf(),
            files: Vec::new(),
            pending: Vec::new(),
            armed: true,
        }
    }

    pub fn push(&mut self, s: Stored) {
        self.files.push(s);
    }

    /// Finishes `up` ([`Upload::finish`]: its fsync, then its place in the store) in a task of
    /// its own, while the request reads its next part: a report's files are synced side by
    /// side, not one after the other. [`Placed::settle`] waits for them.
    pub fn place(&mut self, up: Upload) {
        self.pending.push(tokio::spawn(up.finish()));
    }

    /// Waits until every upload [`Placed::place`] started is in the store; the first failure,
    /// once all have ended.
    pub async fn settle(&mut self) -> ApiResult<()> {
        let mut first = Ok(());
        for task in std::mem::take(&mut self.pending) {
            match task.await {
                Ok(Ok(stored)) => self.files.push(stored),
                Ok(Err(e)) => first = first.and(Err(e)),
                Err(e) => first = first.and(Err(ApiError::internal(e))),
            }
        }
        first
    }

    /// The report is about to be written with these files: from here a request cut off
    /// leaves them to the sweep (its report may have been written).
    pub fn disarm(&mut self) {
        self.armed = false;
    }

    /// Removes the files this request created that no attachment refers to (after its report
    /// was refused): one query for those still referenced, then the others. A file another
    /// upload of the same bytes has replaced meanwhile is left (see [`jobs::file_store`]).
    /// Cut off during the query, an armed `Placed` still removes its files when dropped.
    pub async fn discard(mut self, db: &impl sea_orm::ConnectionTrait) {
        use entity::model::attachment;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        // What is still being placed is known once it is in place. A failed one left nothing.
        let _ = self.settle().await;
        let own: Vec<String> = self
            .files
            .iter()
            .filter(|s| s.created.is_some())
            .map(|s| s.sha256.clone())
            .collect();
        if own.is_empty() {
            return;
        }
        let kept: Vec<String> = match attachment::Entity::find()
            .select_only()
            .column(attachment::Column::Sha256)
            .filter(attachment::Column::Sha256.is_in(own))
            .into_tuple()
            .all(db)
            .await
        {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "could not check attachments before discarding files; the sweep will");
                self.armed = false;
                return;
            }
        };
        self.armed = false;
        self.files.retain(|s| !kept.contains(&s.sha256));
        self.remove_own();
    }

    /// Removes the files this request created, unless replaced since (blocking: a few
    /// metadata operations a file).
    fn remove_own(&self) {
        for s in &self.files {
            let Some(id) = s.created else { continue };
            if let Err(e) =
                file_store::remove_unless(&self.root, &s.sha256, |m| FileId::of(m) != Some(id))
            {
                tracing::warn!(sha256 = %s.sha256, error = %e, "could not remove a stored file of a refused request; the sweep will");
            }
        }
    }
}

impl Drop for Placed {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        // Uploads already in place are listed, so removed below. One still being placed runs
        // on in its blocking task (an abort does not stop a blocking task that has started):
        // it is removed once in place, by a task that waits for it. Without a runtime it is
        // stopped if it can be, and what it placed is the sweep's.
        let mut placing = Vec::new();
        for mut task in std::mem::take(&mut self.pending) {
            match futures::FutureExt::now_or_never(&mut task) {
                Some(Ok(Ok(stored))) => self.files.push(stored),
                Some(_) => {}
                None => placing.push(task),
            }
        }
        self.remove_own();
        if placing.is_empty() {
            return;
        }
        let mut late = Placed {
            root: self.root.clone(),
            files: Vec::new(),
            pending: placing,
            armed: false,
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let _ = late.settle().await;
                    late.remove_own();
                });
            }
            Err(_) => late.pending.iter().for_each(|t| t.abort()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heic_is_known_by_its_brands_not_by_its_ftyp_box() {
        let ftyp = |major: &[u8; 4], compatible: &[&[u8; 4]]| {
            let mut v = entity::rules::counts::to_u32(16 + 4 * compatible.len())
                .to_be_bytes()
                .to_vec();
            v.extend(b"ftyp");
            v.extend(major);
            v.extend([0, 0, 0, 0]);
            for c in compatible {
                v.extend(*c);
            }
            v.extend(b"\x00\x00\x00\x08meta");
            v
        };
        for ok in [
            ftyp(b"heic", &[b"mif1", b"heic"]),
            ftyp(b"mif1", &[b"heic"]),
            ftyp(b"heix", &[]),
            ftyp(b"msf1", &[b"hevc"]),
            ftyp(b"isom", &[b"mif1"]),
        ] {
            assert!(looks_like("image/heic", &ok), "{ok:?}");
        }
        for refused in [
            ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]),
            ftyp(b"mp42", &[b"mp42", b"isom"]),
            ftyp(b"qt  ", &[]),
            ftyp(b"avif", &[b"mif1", b"miaf"]),
            b"\x00\x00\x00\x18ftyp".to_vec(),
            b"short".to_vec(),
        ] {
            assert!(!looks_like("image/heic", &refused), "{refused:?}");
        }
        // A brand past the end of the box is not one of its brands.
        let mut past = ftyp(b"isom", &[]);
        past.extend(b"heic");
        assert!(!looks_like("image/heic", &past));
    }
}
