//! Staffing of posts: which days an assignment covers, and vacancy over a window (SPEC §2
//! `post`, `post_assignment`). Dates are inclusive.

use chrono::NaiveDate;

/// An assignment's days: from `from` to `to` inclusive, or open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first day.
    pub from: NaiveDate,
    /// The last day, none while it lasts.
    pub to: Option<NaiveDate>,
}

impl Span {
    /// Whether two spans share a day.
    pub fn overlaps(&self, other: &Span) -> bool {
        let a_end = self.to.unwrap_or(NaiveDate::MAX);
        let b_end = other.to.unwrap_or(NaiveDate::MAX);
        self.from <= b_end && other.from <= a_end
    }

    /// Whether the span covers `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }
}

/// Filled and vacant days of a post over `[from, to]` (inclusive), clipped to the post's own
/// dates. Days covered by several assignments count once.
pub fn filled_and_vacant(
    post_start: NaiveDate,
    post_end: NaiveDate,
    spans: &[Span],
    from: NaiveDate,
    to: NaiveDate,
) -> (i64, i64) {
    let start = from.max(post_start);
    let end = to.min(post_end);
    if end < start {
        return (0, 0);
    }
    let total = (end - start).num_days() + 1;
    // Merge the clipped spans and count their union.
    let mut clipped: Vec<(NaiveDate, NaiveDate)> = spans
        .iter()
        .filter_map(|s| {
            let a = s.from.max(start);
            let b = s.to.unwrap_or(end).min(end);
            (a <= b).then_some((a, b))
        })
        .collect();
    clipped.sort();
    let mut filled = 0;
    let mut cur: Option<(NaiveDate, NaiveDate)> = None;
    for (a, b) in clipped {
        cur = match cur {
            Some((ca, cb)) if a <= cb.succ_opt().unwrap_or(cb) => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                filled += (cb - ca).num_days() + 1;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((ca, cb)) = cur {
        filled += (cb - ca).num_days() + 1;
    }
    (filled, total - filled)
}

/// The longest run of consecutive vacant days within `[post_start, min(post_end, today)]`
/// ending on `today` (0 when the post is filled today).
pub fn current_vacancy_run(post_start: NaiveDate, spans: &[Span], today: NaiveDate) -> i64 {
    if today < post_start || spans.iter().any(|s| s.covers(today)) {
        return 0;
    }
    let last_covered = spans
        .iter()
        .filter_map(|s| s.to.filter(|t| *t < today))
        .max();
    let run_start = last_covered
        .and_then(|d| d.succ_opt())
        .unwrap_or(post_start)
        .max(post_start);
    (today - run_start).num_days() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn union_of_spans_counts_once() {
        let spans = [
            Span {
                from: d("2026-01-01"),
                to: Some(d("2026-01-10")),
            },
            Span {
                from: d("2026-01-05"),
                to: Some(d("2026-01-20")),
            },
            Span {
                from: d("2026-02-01"),
                to: None,
            },
        ];
        let (filled, vacant) = filled_and_vacant(
            d("2026-01-01"),
            d("2026-12-31"),
            &spans,
            d("2026-01-01"),
            d("2026-02-10"),
        );
        assert_eq!(filled, 20 + 10);
        assert_eq!(vacant, 41 - 30);
    }

    #[test]
    fn adjacent_spans_merge_and_overlap_is_detected() {
        let a = Span {
            from: d("2026-01-01"),
            to: Some(d("2026-01-10")),
        };
        let b = Span {
            from: d("2026-01-11"),
            to: None,
        };
        assert!(!a.overlaps(&b));
        assert!(b.overlaps(&Span {
            from: d("2027-01-01"),
            to: Some(d("2027-01-01"))
        }));
        assert_eq!(
            filled_and_vacant(
                d("2026-01-01"),
                d("2026-01-31"),
                &[a, b],
                d("2026-01-01"),
                d("2026-01-31")
            ),
            (31, 0)
        );
    }

    #[test]
    fn vacancy_run() {
        let spans = [Span {
            from: d("2026-01-01"),
            to: Some(d("2026-01-10")),
        }];
        assert_eq!(
            current_vacancy_run(d("2026-01-01"), &spans, d("2026-01-10")),
            0
        );
        assert_eq!(
            current_vacancy_run(d("2026-01-01"), &spans, d("2026-02-14")),
            35
        );
        assert_eq!(
            current_vacancy_run(d("2026-01-01"), &[], d("2026-01-31")),
            31
        );
    }
}
