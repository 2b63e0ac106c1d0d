//! `file_sweep`: the attachment store's housekeeping (not in SPEC §5's table; it sends no
//! message). It removes
//!
//! - temporary files over an hour old: an upload cut off by a crash (a live upload keeps
//!   writing to its file, so its modification time stays fresh; a request dropped or refused
//!   removes its own at once);
//! - stored files no attachment refers to, once they are older than a day: the files of a
//!   request that failed after storing them and could not remove them itself (cut off, or an
//!   error that leaves unknown whether its report was written).
//!
//! A stored file younger than the grace period is never touched, whatever the database says:
//! a request still in flight may be about to refer to it. Every upload moves a freshly
//! written file into place, so a file an upload just stored is young even when the same bytes
//! were stored long ago, and the removal re-checks the age after moving the file aside
//! ([`file_store::remove_unless`]). Ages are read with the file system's clock, not the job's.
//!
//! Set-based: one walk of the store, then the candidates' references read in batches with
//! `IN` (on the `attachment(sha256)` index). For this job `notified` counts the files
//! removed.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use entity::model::attachment;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::file_store::{self, Removal};
use crate::{Counts, JobContext};

/// Temporary files older than this are removed.
pub const TEMP_MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// Stored files no attachment refers to are removed once older than this.
pub const ORPHAN_GRACE: Duration = Duration::from_secs(24 * 60 * 60);
/// Hashes per `IN (…)` list.
const BATCH: usize = 500;

/// Sweeps the store at `ctx.files_dir`.
pub async fn run(ctx: &JobContext) -> Result<Counts, DbErr> {
    let root = ctx.files_dir.clone();
    let now = SystemTime::now();
    let walk = {
        let root = root.clone();
        tokio::task::spawn_blocking(move || scan(&root, now))
    };
    let (mut counts, candidates) = walk.await.map_err(|e| DbErr::Custom(e.to_string()))?;
    let mut referenced = HashSet::new();
    for batch in candidates.chunks(BATCH) {
        let found: Vec<String> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::Sha256)
            .distinct()
            .filter(attachment::Column::Sha256.is_in(batch.to_vec()))
            .into_tuple()
            .all(&ctx.db)
            .await?;
        referenced.extend(found);
    }
    let orphans: Vec<String> = candidates
        .into_iter()
        .filter(|s| !referenced.contains(s))
        .collect();
    let cutoff = now - ORPHAN_GRACE;
    let (removed, errors) = tokio::task::spawn_blocking(move || {
        let (mut removed, mut errors) = (0, 0);
        for sha in &orphans {
            // Kept when an upload of these bytes put a fresh copy in place meanwhile.
            match file_store::remove_unless(&root, sha, |m| !older_than(m, cutoff)) {
                Ok(Removal::Removed) => removed += 1,
                Ok(Removal::Kept | Removal::Absent) => {}
                Err(e) => {
                    tracing::warn!(sha256 = %sha, error = %e, "could not remove an unreferenced file");
                    errors += 1;
                }
            }
        }
        (removed, errors)
    })
    .await
    .map_err(|e| DbErr::Custom(e.to_string()))?;
    counts.notified += removed;
    counts.errors += errors;
    Ok(counts)
}

/// Whether the file was last modified before `cutoff` (a file whose time cannot be read is
/// never old).
fn older_than(meta: &std::fs::Metadata, cutoff: SystemTime) -> bool {
    meta.modified().is_ok_and(|t| t < cutoff)
}

/// Removes the old temporary files and lists the stored files past the grace period.
fn scan(root: &Path, now: SystemTime) -> (Counts, Vec<String>) {
    let mut c = Counts::default();
    let mut candidates = Vec::new();
    let Ok(top) = std::fs::read_dir(root) else {
        // No store yet: nothing was ever uploaded.
        return (c, candidates);
    };
    for dir in top.filter_map(Result::ok) {
        let name = dir.file_name().to_string_lossy().into_owned();
        let is_tmp = name == file_store::TMP;
        let is_shard = name.len() == 2 && file_store::is_lower_hex(&name);
        if !(is_tmp || is_shard) || !dir.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            c.errors += 1;
            continue;
        };
        for f in files.filter_map(Result::ok) {
            let Ok(meta) = f.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let file = f.file_name().to_string_lossy().into_owned();
            if is_tmp {
                c.examined += 1;
                if older_than(&meta, now - TEMP_MAX_AGE) {
                    match std::fs::remove_file(f.path()) {
                        Ok(()) => c.notified += 1,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            tracing::warn!(file = %f.path().display(), error = %e, "could not remove a temporary file");
                            c.errors += 1;
                        }
                    }
                }
            } else if file_store::is_sha256(&file) && file.starts_with(&name) {
                c.examined += 1;
                if older_than(&meta, now - ORPHAN_GRACE) {
                    candidates.push(file);
                }
            }
        }
    }
    (c, candidates)
}
