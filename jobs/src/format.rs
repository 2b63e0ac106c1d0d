//! The formats of money and dates, the same on the pages and in e-mail: `¥1,234,567.89`;
//! `2026年12月3日` / `3 Dec 2026` (with a time: `2026年12月3日 09:00` / `3 Dec 2026 09:00`).

use chrono::{NaiveDate, NaiveDateTime};
use entity::rules::vocab::Locale;
use rust_decimal::Decimal;

/// `¥1,234,567.89` (a negative amount `-¥12.00`).
pub fn money(amount: &Decimal) -> String {
    let text = format!("{:.2}", amount.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}¥{grouped}.{fraction}")
}

/// `2026年12月3日` or `3 Dec 2026`.
pub fn date(locale: Locale, d: NaiveDate) -> String {
    match locale {
        Locale::ZhCn => d.format("%Y年%-m月%-d日").to_string(),
        Locale::En => d.format("%-d %b %Y").to_string(),
    }
}

/// A local time to the minute: the date as [`date`] writes it, then `09:00`.
pub fn date_time(locale: Locale, t: NaiveDateTime) -> String {
    format!("{} {}", date(locale, t.date()), t.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_shown_in_yuan_with_thousands_separators() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(&d("1234567.89")), "¥1,234,567.89");
        assert_eq!(money(&d("0")), "¥0.00");
        assert_eq!(money(&d("999.5")), "¥999.50");
        assert_eq!(money(&d("100000")), "¥100,000.00");
        assert_eq!(money(&d("-12")), "-¥12.00");
    }

    #[test]
    fn dates_follow_the_language() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(date(Locale::ZhCn, d), "2026年12月3日");
        assert_eq!(date(Locale::En, d), "3 Dec 2026");
        let t = d.and_hms_opt(9, 5, 59).unwrap();
        assert_eq!(date_time(Locale::ZhCn, t), "2026年12月3日 09:05");
        assert_eq!(date_time(Locale::En, t), "3 Dec 2026 09:05");
    }
}
