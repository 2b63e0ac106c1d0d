//! What may still be requested for payment (SPEC §9), in fen: the arithmetic the service checks
//! each request against under the contract's lock, and the pages show beside the request form.
//! The sums come from the database; "open" requests are those submitted, verified or approved
//! and not yet paid.

/// A milestone's payable less what is paid on it and what its open requests ask, never below 0.
pub fn milestone_requestable(payable: i64, paid: i64, requested: i64) -> i64 {
    (payable - paid - requested).max(0)
}

/// An advance: the contract's value less its advances paid, its milestones (cancelled ones
/// aside) and its open advance requests (SPEC §3's advance rule), never below 0.
pub fn advance_requestable(value: i64, advances: i64, planned: i64, requested: i64) -> i64 {
    (value - advances - planned - requested).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_paid_and_asked_is_taken_off_and_nothing_goes_below_zero() {
        assert_eq!(milestone_requestable(10_000, 3_000, 4_000), 3_000);
        assert_eq!(milestone_requestable(10_000, 6_000, 4_000), 0);
        assert_eq!(milestone_requestable(10_000, 8_000, 4_000), 0);
        assert_eq!(advance_requestable(50_000, 1_000, 10_000, 9_000), 30_000);
        assert_eq!(advance_requestable(50_000, 1_000, 45_000, 9_000), 0);
    }
}
