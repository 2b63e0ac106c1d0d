//! Public disclosure (SPEC §8): the procurement notices the transitions write ([`notices`])
//! and a division's public page ([`division`]). The public OCDS package is built from the
//! notices in [`crate::services::ocds::public`]. Everything here reads only what may be
//! public: signed contracts, posts without their workers, accepted milestones, notices.

pub mod division;
pub mod notices;
