//! The hierarchy of division codes (SPEC §2): a township's code is its county's 6 digits and 3
//! more, a village's is its township's 9 and 3 more. A code's parent, its level and its
//! ancestors follow from the code alone, so the register never has to be asked for them.

use crate::rules::codes::is_valid_division_code;

/// The level of a division, by the length of its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// 6 digits (GB/T 2260).
    County,
    /// 9 digits.
    Township,
    /// 12 digits.
    Village,
}

impl Level {
    /// The level of `code`, or `None` when it is not a division code.
    pub fn of(code: &str) -> Option<Self> {
        if !is_valid_division_code(code) {
            return None;
        }
        match code.len() {
            6 => Some(Self::County),
            9 => Some(Self::Township),
            _ => Some(Self::Village),
        }
    }

    /// The stable machine word of the level (`county`, `township`, `village`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }
}

/// The code of the division that `code` belongs to: a village's township, a township's county;
/// `None` for a county or for what is not a division code.
pub fn parent(code: &str) -> Option<&str> {
    match Level::of(code)? {
        Level::County => None,
        Level::Township => Some(&code[..6]),
        Level::Village => Some(&code[..9]),
    }
}

/// The divisions above `code`, nearest last: `[county, township]` for a village, `[county]`
/// for a township, nothing for a county.
pub fn ancestors(code: &str) -> Vec<&str> {
    let mut up = Vec::new();
    let mut c = code;
    while let Some(p) = parent(c) {
        up.push(p);
        c = p;
    }
    up.reverse();
    up
}

/// Whether the division `code` is `within` or is `within` itself (a village within its
/// township and county), by prefix as the reports roll up.
pub fn is_within(code: &str, within: &str) -> bool {
    is_valid_division_code(code) && is_valid_division_code(within) && code.starts_with(within)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_follow_from_the_code() {
        assert_eq!(parent("410523"), None);
        assert_eq!(parent("410523100"), Some("410523"));
        assert_eq!(parent("410523100201"), Some("410523100"));
        assert_eq!(parent("41052"), None);
        assert_eq!(parent("41052310020a"), None);
    }

    #[test]
    fn levels_and_ancestors() {
        assert_eq!(Level::of("410523"), Some(Level::County));
        assert_eq!(Level::of("410523100"), Some(Level::Township));
        assert_eq!(Level::of("410523100201"), Some(Level::Village));
        assert_eq!(Level::of("4105231"), None);
        assert_eq!(ancestors("410523100201"), ["410523", "410523100"]);
        assert_eq!(ancestors("410523100"), ["410523"]);
        assert!(ancestors("410523").is_empty());
    }

    #[test]
    fn within_by_prefix() {
        assert!(is_within("410523100201", "410523"));
        assert!(is_within("410523100201", "410523100201"));
        assert!(!is_within("410523101201", "410523100"));
        assert!(!is_within("x", "410523"));
    }
}
