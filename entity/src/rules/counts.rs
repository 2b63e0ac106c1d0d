//! Counts (a list's length, the rows a statement touched, a page's limit) between the machine's
//! sizes and the `BIGINT` the database and the API keep. No real count reaches the limits, so
//! the conversions saturate instead of failing.

/// A count as a `BIGINT`.
pub fn to_i64<T: TryInto<i64>>(n: T) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// A count (or a limit) as a length.
pub fn to_usize<T: TryInto<usize>>(n: T) -> usize {
    n.try_into().unwrap_or(usize::MAX)
}

/// A count as a `u32` (a spreadsheet row, a pixel offset).
pub fn to_u32<T: TryInto<u32>>(n: T) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_convert_and_saturate() {
        assert_eq!(to_i64(3usize), 3);
        assert_eq!(to_i64(u64::MAX), i64::MAX);
        assert_eq!(to_usize(50u64), 50);
        assert_eq!(to_u32(7usize), 7);
        assert_eq!(to_u32(u64::MAX), u32::MAX);
    }
}
