//! The attachment store's layout on disk, shared by the uploads (`backend::files`) and the
//! `file_sweep` job: a file lives at `<root>/ab/abcdef…` under its SHA-256 (lowercase hex,
//! its first two characters naming the folder); an upload is written under `<root>/tmp/`
//! first and moved into place when complete.
//!
//! Removing a stored file is the delicate part. The store may be shared by replicas, and an
//! upload of the same bytes may land at the same path at any moment: every upload moves a
//! freshly written file of its own into place, so the file at a path always carries the
//! modification time and the inode of the latest upload of those bytes. [`remove_unless`]
//! therefore first renames the file out of its place (one atomic step), then judges the file
//! it moved: if an upload replaced it just before, it goes back; an upload arriving after
//! finds the path empty and puts its own file there.

use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

use uuid::Uuid;

/// The folder of files being written.
pub const TMP: &str = "tmp";

/// The path of a stored file.
pub fn path_of(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[..2]).join(sha256)
}

/// The folder of files being written (`<root>/tmp`).
pub fn tmp_dir(root: &Path) -> PathBuf {
    root.join(TMP)
}

/// Whether `name` is a stored file's name: 64 lowercase hex digits.
pub fn is_sha256(name: &str) -> bool {
    name.len() == 64 && is_lower_hex(name)
}

/// Whether `s` is lowercase hex digits only (a store folder's name is two of them).
pub fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Which file a path holds (device and inode), to tell the file one upload put in place from
/// another upload's copy of the same bytes. `None` where the platform does not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity of the file `meta` describes.
    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    /// The identity of the file `meta` describes.
    #[cfg(not(unix))]
    pub fn of(_meta: &Metadata) -> Option<FileId> {
        None
    }
}

/// What [`remove_unless`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    Removed,
    /// `keep` said keep: the file is back in its place.
    Kept,
    /// There was no file.
    Absent,
}

/// Removes the stored file `sha256` unless `keep` says otherwise of the file found there: the
/// file is first renamed aside (under `tmp/`), then judged, then deleted or put back, so an
/// upload of the same bytes racing with the removal never loses its file (see the module).
/// Blocking: a few metadata operations.
pub fn remove_unless(
    root: &Path,
    sha256: &str,
    keep: impl FnOnce(&Metadata) -> bool,
) -> io::Result<Removal> {
    let path = path_of(root, sha256);
    let tmp = tmp_dir(root);
    std::fs::create_dir_all(&tmp)?;
    let aside = tmp.join(format!("removing-{}", Uuid::new_v4()));
    match std::fs::rename(&path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Removal::Absent),
        Err(e) => return Err(e),
    }
    let meta = match std::fs::metadata(&aside) {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::rename(&aside, &path);
            return Err(e);
        }
    };
    if keep(&meta) {
        // Replacing a copy an upload put there meanwhile is harmless: the same bytes.
        std::fs::rename(&aside, &path)?;
        Ok(Removal::Kept)
    } else {
        std::fs::remove_file(&aside)?;
        Ok(Removal::Removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "5630ac86b999e3003a685504c6d6049e64b297ea086c56639500e9544212493e";

    fn put(root: &Path, bytes: &[u8]) -> Option<FileId> {
        let tmp = tmp_dir(root).join(Uuid::new_v4().to_string());
        std::fs::create_dir_all(tmp_dir(root)).unwrap();
        std::fs::write(&tmp, bytes).unwrap();
        let id = FileId::of(&std::fs::metadata(&tmp).unwrap());
        let dest = path_of(root, SHA);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::rename(&tmp, &dest).unwrap();
        id
    }

    #[cfg(unix)]
    #[test]
    fn a_file_replaced_by_another_upload_is_put_back_and_its_own_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mine = put(root, b"x");
        // Another upload of the same bytes replaces it before the removal.
        let theirs = put(root, b"x");
        assert_ne!(mine, theirs);
        let r = remove_unless(root, SHA, |m| FileId::of(m) != mine).unwrap();
        assert_eq!(r, Removal::Kept);
        assert_eq!(std::fs::read(path_of(root, SHA)).unwrap(), b"x");
        assert_eq!(
            FileId::of(&std::fs::metadata(path_of(root, SHA)).unwrap()),
            theirs
        );
        // Their own file, judged by them, goes; nothing is left aside under tmp/.
        let r = remove_unless(root, SHA, |m| FileId::of(m) != theirs).unwrap();
        assert_eq!(r, Removal::Removed);
        assert!(!path_of(root, SHA).exists());
        assert_eq!(std::fs::read_dir(tmp_dir(root)).unwrap().count(), 0);
        assert_eq!(
            remove_unless(root, SHA, |_| false).unwrap(),
            Removal::Absent
        );
    }

    #[test]
    fn only_lowercase_sha256_names_are_stored_files() {
        assert!(is_sha256(SHA));
        assert!(!is_sha256(&SHA.to_uppercase()));
        assert!(!is_sha256(&SHA[1..]));
        assert!(!is_sha256("removing-x"));
    }
}
