//! The files one request stored, removed at once when the request is refused or cut off before its
//! report is written (see [`super`]).

use std::path::{Path, PathBuf};

use jobs::file_store::{self, FileId};

use super::{Stored, Upload};
use crate::error::{ApiError, ApiResult};

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
