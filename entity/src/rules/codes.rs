//! Validators for the codes of Chinese administration: the unified social credit code
//! (GB 32100-2015), statistical division codes (GB/T 2260 and the township/village extensions)
//! and the national ID number (GB 11643).

/// The 31 characters of a unified social credit code, in the order that gives their values.
const USCC_CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A credit code's shape, as the API document states it: 18 characters of the code's
/// alphabet with the registering authority's division (characters 3–8) in digits. The check
/// character, which no pattern can state, is checked by [`is_valid_credit_code`] alone.
pub const CREDIT_CODE_PATTERN: &str = "^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$";

/// A division code (county, township or village), exactly as [`is_valid_division_code`] takes it.
pub const DIVISION_CODE_PATTERN: &str = "^([0-9]{6}|[0-9]{9}|[0-9]{12})$";

/// A township or village code, exactly as [`is_local_division_code`] takes it.
pub const LOCAL_DIVISION_CODE_PATTERN: &str = "^([0-9]{9}|[0-9]{12})$";

/// A national ID number's shape (GB 11643); the check character is checked by
/// [`is_valid_id_number`] alone.
pub const ID_NUMBER_PATTERN: &str = "^[0-9]{17}[0-9Xx]$";

/// The check character of the first 17 characters of a credit code, or `None` when one of them
/// is not in the code's alphabet.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in bytes.iter().zip(USCC_WEIGHTS) {
        let v = super::counts::to_u32(USCC_CHARSET.iter().position(|c| c == b)?);
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_CHARSET[check as usize] as char)
}

/// Whether `code` is a valid 18-character unified social credit code (upper case).
pub fn is_valid_credit_code(code: &str) -> bool {
    code.len() == 18
        && code.is_ascii()
        && credit_code_check_char(&code[..17]) == code[17..].chars().next()
        // Characters 3–8 are the registering authority's division code.
        && code[2..8].bytes().all(|b| b.is_ascii_digit())
}

/// Whether `code` is a division code: 6 digits (county), 9 (township) or 12 (village).
pub fn is_valid_division_code(code: &str) -> bool {
    matches!(code.len(), 6 | 9 | 12) && code.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `code` is a township or village division code (9 or 12 digits).
pub fn is_local_division_code(code: &str) -> bool {
    is_valid_division_code(code) && code.len() > 6
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8] = b"10X98765432";

/// Whether `id` is an 18-character national ID number with a valid GB 11643 check character.
pub fn is_valid_id_number(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b[17].to_ascii_uppercase() == ID_CHECK[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes() {
        // A published code (Tencent, Shenzhen): 9144030071526726XG.
        assert!(is_valid_credit_code("9144030071526726XG"));
        assert!(!is_valid_credit_code("9144030071526726XH"));
        assert!(!is_valid_credit_code("9144030071526726X"));
        assert!(!is_valid_credit_code("914403007152672IXG"));
        let first = "53410523MJ123456A";
        let full = format!("{first}{}", credit_code_check_char(first).unwrap());
        assert!(is_valid_credit_code(&full));
    }

    #[test]
    fn division_codes() {
        assert!(is_valid_division_code("410523"));
        assert!(is_valid_division_code("410523100"));
        assert!(is_valid_division_code("410523100201"));
        assert!(!is_valid_division_code("41052"));
        assert!(!is_valid_division_code("4105231002"));
        assert!(!is_valid_division_code("41052a"));
        assert!(!is_local_division_code("410523"));
    }

    #[test]
    fn the_documented_patterns_are_the_validators() {
        let credit = regex::Regex::new(CREDIT_CODE_PATTERN).unwrap();
        let division = regex::Regex::new(DIVISION_CODE_PATTERN).unwrap();
        let local = regex::Regex::new(LOCAL_DIVISION_CODE_PATTERN).unwrap();
        let id = regex::Regex::new(ID_NUMBER_PATTERN).unwrap();
        for c in ["9144030071526726XG", "52410523MJ0000001E"] {
            assert!(credit.is_match(c) && is_valid_credit_code(c), "{c}");
        }
        for c in [
            "9144030071526726X",
            "914403007152672IXG",
            "91A4030071526726XG",
        ] {
            assert!(!credit.is_match(c) && !is_valid_credit_code(c), "{c}");
        }
        for c in [
            "410523",
            "410523100",
            "410523100201",
            "41052",
            "4105231002",
            "41052a",
            "",
        ] {
            assert_eq!(division.is_match(c), is_valid_division_code(c), "{c}");
            assert_eq!(local.is_match(c), is_local_division_code(c), "{c}");
        }
        assert!(id.is_match("11010519491231002x") && !id.is_match("1101051949123100"));
    }

    /// A whole-string pattern without its anchors, which proptest's generator does not take.
    fn unanchored(p: &str) -> &str {
        p.trim_start_matches('^').trim_end_matches('$')
    }

    proptest::proptest! {
        #[test]
        fn codes_of_the_patterns_are_accepted(
            d in proptest::string::string_regex(unanchored(DIVISION_CODE_PATTERN)).unwrap(),
            l in proptest::string::string_regex(unanchored(LOCAL_DIVISION_CODE_PATTERN)).unwrap(),
            c in proptest::string::string_regex(unanchored(CREDIT_CODE_PATTERN)).unwrap(),
        ) {
            proptest::prop_assert!(is_valid_division_code(&d));
            proptest::prop_assert!(is_local_division_code(&l));
            // With its check character, every code of the pattern's shape is valid.
            let full = format!("{}{}", &c[..17], credit_code_check_char(&c[..17]).unwrap());
            proptest::prop_assert!(is_valid_credit_code(&full), "{}", full);
        }
    }

    #[test]
    fn id_numbers() {
        assert!(is_valid_id_number("11010519491231002X"));
        assert!(is_valid_id_number("11010519491231002x"));
        assert!(!is_valid_id_number("110105194912310021"));
        assert!(!is_valid_id_number("1101051949123100"));
    }
}
