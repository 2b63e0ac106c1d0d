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

pub use jobs::file_store::path_of;

mod pace;
mod placed;
mod upload;

pub use pace::paced;
pub use placed::Placed;
pub use upload::{Stored, Upload};

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
