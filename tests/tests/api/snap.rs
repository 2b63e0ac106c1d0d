//! Snapshots of large JSON answers (insta), with what differs from run to run redacted: ids
//! (UUIDs, also inside other strings such as an `ocid`), the time of day of every instant
//! (its date kept) and SHA-256 digests (the audit chain's hashes). Money and text are kept. The files
//! are committed under `snapshots/`; a missing or different one fails the test, and CI (where
//! `CI` is set) never writes one (`cargo insta review`, or `INSTA_UPDATE=always`, writes them
//! on a developer's machine).

/// The settings every API snapshot is taken under.
pub(crate) fn redacted() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        "[uuid]",
    );
    settings.add_filter(
        r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
        "${1}T[time]",
    );
    settings.add_filter(r"\b[0-9a-f]{64}\b", "[sha256]");
    settings
}
