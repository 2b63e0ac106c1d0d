//! The registry of error codes: every stable machine word an API problem (`code`) or one of
//! its field errors (`errors[].code`) can carry (SPEC §6). A [`Code`] can only be made here,
//! so a refusal cannot name a word that is not registered; [`ALL`] lists them all, and each
//! has a translation in both languages, key [`jobs::i18n::error_key`], in
//! `jobs/i18n/<locale>/errors.ftl` (a test checks this).
//!
//! Names say what the rule says (`budget.insufficient`), never where it is checked. Once
//! published a code keeps its meaning: clients and the web pages depend on it.

use std::fmt;

/// A registered error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(&'static str);

impl Code {
    /// The machine word (`budget.insufficient`).
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The registered code spelled `word`, if any.
    pub fn parse(word: &str) -> Option<Code> {
        ALL.iter().copied().find(|c| c.0 == word)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0.to_string()
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $word:literal; )*) => {
        $( $(#[doc = $doc])* pub const $name: Code = Code($word); )*
        /// Every registered code.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    // --- The request as a whole (the problem's own `code`).
    /// No valid sign-in (401).
    AUTH_UNAUTHENTICATED = "auth.unauthenticated";
    /// The role may not do this (403).
    AUTH_FORBIDDEN = "auth.forbidden";
    /// The user must change the password before anything else (403).
    PASSWORD_CHANGE_REQUIRED = "password.change_required";
    /// A form without the session's CSRF token or from another origin (403).
    CSRF = "csrf";
    /// No such record, or not visible to the actor (404).
    NOT_FOUND = "not_found";
    /// The request cannot be read at all: not JSON, a bad header … (400).
    REQUEST_MALFORMED = "request.malformed";
    /// Some fields are wrong; `errors` lists them (422).
    VALIDATION_FAILED = "validation.failed";
    /// The body's media type is not accepted (415).
    MEDIA_TYPE_UNSUPPORTED = "media_type.unsupported";
    /// The body is over the size limit (413).
    BODY_TOO_LARGE = "body.too_large";
    /// Too many failed sign-in attempts (429).
    THROTTLE_TOO_MANY_ATTEMPTS = "throttle.too_many_attempts";
    /// Too many requests for public answers from one client address (429).
    THROTTLE_TOO_MANY_REQUESTS = "throttle.too_many_requests";
    /// The database cannot be reached (503).
    SERVICE_UNAVAILABLE = "service.unavailable";
    /// The server is at its limit for this kind of work (503).
    SERVICE_BUSY = "service.busy";
    /// An unexpected error, logged (500).
    INTERNAL = "internal";

    // --- The shape of one field (in `errors`).
    /// A required field is missing or empty.
    FIELD_REQUIRED = "field.required";
    /// A text is longer than its limit.
    FIELD_TOO_LONG = "field.too_long";
    /// Not an e-mail address.
    FIELD_EMAIL = "field.email";
    /// A number or amount that must be more than 0.
    FIELD_NOT_POSITIVE = "field.not_positive";
    /// A number outside its range (a year, a weight, a page size).
    FIELD_OUT_OF_RANGE = "field.out_of_range";
    /// An end date before its start date (or `to` before `from`).
    FIELD_DATE_ORDER = "field.date_order";
    /// A date that is not a date (`YYYY-MM-DD`) or a time that is not RFC 3339.
    FIELD_DATE = "field.date";
    /// A date in the future where only past days make sense.
    FIELD_IN_FUTURE = "field.in_future";
    /// A date outside the period of what it belongs to (contract, post, assignment).
    FIELD_OUTSIDE_PERIOD = "field.outside_period";
    /// A field the request may not carry (unknown, or set by the server).
    FIELD_UNKNOWN = "field.unknown";
    /// A value of the wrong JSON type (a number for money, text for a number …).
    FIELD_TYPE = "field.type";
    /// A form's field that must be a number (a year, a weight) and is not one.
    FIELD_NUMBER = "field.number";
    /// A word that is not one of the field's choices.
    FIELD_CHOICE = "field.choice";
    /// A value of another shape the field does not take.
    FIELD_INVALID = "field.invalid";
    /// A field the chosen role does not have (a purchaser for an administrator …).
    FIELD_NOT_FOR_ROLE = "field.not_for_role";
    /// A reference to a record that does not exist (or that the actor may not use).
    REFERENCE_UNKNOWN = "reference.unknown";
    /// A list cursor this server did not give.
    CURSOR_INVALID = "cursor.invalid";
    /// An `Idempotency-Key` that is not 1–128 visible ASCII characters.
    IDEMPOTENCY_KEY_INVALID = "idempotency_key.invalid";
    /// An amount that is not a decimal number written as a string.
    MONEY_NOT_A_NUMBER = "money.not_a_number";
    /// An amount with more than 2 decimals.
    MONEY_TOO_PRECISE = "money.too_precise";
    /// A negative amount.
    MONEY_NEGATIVE = "money.negative";
    /// An amount above the largest the system keeps.
    MONEY_TOO_LARGE = "money.too_large";
    /// A measured value that is not a number ≥ 0 with at most 4 decimals.
    QUANTITY_INVALID = "quantity.invalid";
    /// A score that is not 0–100 with at most one decimal.
    SCORE_INVALID = "score.invalid";
    /// Not a division code (6, 9 or 12 digits).
    DIVISION_INVALID = "division.invalid";
    /// A county code where a township or village is needed.
    DIVISION_NOT_LOCAL = "division.not_local";
    /// Not a unified social credit code with a valid check character.
    CREDIT_CODE_INVALID = "credit_code.invalid";
    /// Not an 18-character national ID number with a valid check character.
    ID_NUMBER_INVALID = "id_number.invalid";
    /// A service period longer than allowed (one year, or three with a multi-year reason).
    PERIOD_TOO_LONG = "period.too_long";
    /// The current password given is wrong.
    PASSWORD_WRONG = "password.wrong";
    /// A new password shorter than the minimum.
    PASSWORD_TOO_SHORT = "password.too_short";
    /// A new password longer than the maximum.
    PASSWORD_TOO_LONG = "password.too_long";
    /// A new password equal to the current one.
    PASSWORD_UNCHANGED = "password.unchanged";

    // --- Rules between fields and records.
    /// A change of a budget line's amount without its reason.
    BUDGET_REASON_REQUIRED = "budget.reason_required";
    /// A suspension or blacklisting without its reason.
    ORGANISATION_STATUS_REASON_REQUIRED = "organisation.status_reason_required";
    /// An administrator deactivating their own account.
    USER_SELF_DEACTIVATE = "user.self_deactivate";
    /// A tender's purchaser that is not its budget line's purchaser.
    TENDER_PURCHASER_MISMATCH = "tender.purchaser_mismatch";
    /// A bid deadline too close (minimum bid period of the method) or past.
    TENDER_DEADLINE_TOO_SOON = "tender.deadline_too_soon";
    /// A service start before the bid deadline.
    TENDER_SERVICE_BEFORE_DEADLINE = "tender.service_before_deadline";
    /// A bid above the tender's ceiling amount.
    BID_ABOVE_CEILING = "bid.above_ceiling";
    /// A responsible officer who is not an active finance officer of the purchaser.
    CONTRACT_OFFICER_INVALID = "contract.officer_invalid";
    /// A minimum payment score above the full payment score.
    PERFORMANCE_RULE_ORDER = "performance_rule.order";
    /// A new value for a contract that came from a tender (it keeps the bid's amount).
    CONTRACT_VALUE_FIXED = "contract.value_fixed";
    /// A contract period that would leave out a milestone's due date.
    CONTRACT_PERIOD_EXCLUDES_MILESTONES = "contract.period_excludes_milestones";
    /// A contract period that would leave out a post's dates.
    CONTRACT_PERIOD_EXCLUDES_POSTS = "contract.period_excludes_posts";
    /// An amendment that changes nothing.
    AMENDMENT_EMPTY = "amendment.empty";
    /// Post dates that would leave out an assignment.
    POST_DATES_EXCLUDE_ASSIGNMENTS = "post.dates_exclude_assignments";
    /// A worker below the qualification the post requires.
    POST_QUALIFICATION_LOW = "post.qualification_low";
    /// A report measuring one indicator twice.
    REPORT_MEASURED_TWICE = "report.measured_twice";
    /// A report with more measurements than the contract has indicators.
    REPORT_TOO_MANY_MEASUREMENTS = "report.too_many_measurements";
    /// A payment dated before the contract was signed.
    PAYMENT_BEFORE_SIGNING = "payment.before_signing";

    // --- State and rule conflicts (409).
    /// The record's status does not allow this action (life cycle, SPEC §3).
    STATE_TRANSITION = "state.transition";
    /// A record with the same unique value exists.
    RECORD_DUPLICATE = "record.duplicate";
    /// The budget line does not have the amount available.
    BUDGET_INSUFFICIENT = "budget.insufficient";
    /// A budget line's amount below what is committed and reserved on it.
    BUDGET_BELOW_COMMITTED = "budget.below_committed";
    /// A budget line code used already by the purchaser in the fiscal year.
    BUDGET_LINE_DUPLICATE = "budget_line.duplicate";
    /// A user with the e-mail address exists.
    USER_EMAIL_TAKEN = "user.email_taken";
    /// An organisation with the credit code exists.
    ORGANISATION_DUPLICATE = "organisation.duplicate";
    /// The organisation is suspended or blacklisted.
    ORGANISATION_NOT_ACTIVE = "organisation.not_active";
    /// Only a draft tender can be edited.
    TENDER_NOT_DRAFT = "tender.not_draft";
    /// A tender closed before its bid deadline.
    TENDER_DEADLINE_NOT_PASSED = "tender.deadline_not_passed";
    /// A bid on a tender whose bid deadline has passed.
    TENDER_DEADLINE_PASSED = "tender.deadline_passed";
    /// A bid on a tender that is not published.
    TENDER_NOT_PUBLISHED = "tender.not_published";
    /// An award with fewer bids than the method needs.
    TENDER_TOO_FEW_BIDS = "tender.too_few_bids";
    /// Only a draft contract can be edited (an active one is amended).
    CONTRACT_NOT_DRAFT = "contract.not_draft";
    /// The action needs an active contract.
    CONTRACT_NOT_ACTIVE = "contract.not_active";
    /// The contract is over (completed, terminated, cancelled): its plan no longer changes.
    CONTRACT_CLOSED = "contract.closed";
    /// A payment on a contract that is not signed, or cancelled.
    CONTRACT_NOT_PAYABLE = "contract.not_payable";
    /// A contract completed while milestones are still open.
    CONTRACT_MILESTONES_OPEN = "contract.milestones_open";
    /// A contract value below what was paid.
    AMENDMENT_BELOW_PAID = "amendment.below_paid";
    /// Increases above 10 % of the signed value in total.
    AMENDMENT_OVER_LIMIT = "amendment.over_limit";
    /// Milestone amounts and advances above the contract value.
    MILESTONES_EXCEED_VALUE = "milestones.exceed_value";
    /// Only a planned milestone can be edited.
    MILESTONE_NOT_PLANNED = "milestone.not_planned";
    /// A report on a milestone that takes none in its status.
    MILESTONE_NO_REPORT_EXPECTED = "milestone.no_report_expected";
    /// A decision on a milestone with no report awaiting one.
    MILESTONE_NO_PENDING_REPORT = "milestone.no_pending_report";
    /// Indicator weights that do not sum to 100.
    INDICATORS_WEIGHTS_NOT_100 = "indicators.weights_not_100";
    /// An indicator code used already on the contract.
    INDICATOR_DUPLICATE = "indicator.duplicate";
    /// A post filled on some of the days already.
    POST_OCCUPIED = "post.occupied";
    /// A worker holding another funded post on some of the days.
    WORKER_ALREADY_POSTED = "worker.already_posted";
    /// An assignment ended already.
    ASSIGNMENT_ENDED = "assignment.ended";
    /// A payment for a milestone whose report is not accepted.
    PAYMENT_MILESTONE_NOT_ACCEPTED = "payment.milestone_not_accepted";
    /// A payment above the milestone's payable.
    PAYMENT_ABOVE_PAYABLE = "payment.above_payable";
    /// An advance on a contract that takes none.
    PAYMENT_NO_ADVANCE = "payment.no_advance";
    /// An advance above the value not planned in milestones.
    PAYMENT_ADVANCE_TOO_LARGE = "payment.advance_too_large";
    /// Payments above the contract value.
    PAYMENT_ABOVE_VALUE = "payment.above_value";
    /// A voucher number used by a different payment.
    VOUCHER_DUPLICATE = "voucher.duplicate";
    /// A payment for a request that is not approved (or already paid).
    PAYMENT_REQUEST_NOT_APPROVED = "payment_request.not_approved";
    /// An approval by the verifier, by the user who accepted the milestone, or twice by the
    /// same approver (403).
    APPROVAL_SAME_PERSON = "approval.same_person";
    /// An approval (or a return at the approval step) by a finance officer who is not an
    /// approver (403).
    APPROVAL_NOT_APPROVER = "approval.not_approver";
    /// A retry of a notification that is not dead.
    NOTIFICATION_NOT_DEAD = "notification.not_dead";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    fn keys(locale: &str) -> BTreeSet<String> {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../jobs/i18n")
            .join(locale)
            .join("errors.ftl");
        let text = std::fs::read_to_string(&file).unwrap();
        text.lines()
            .filter_map(|l| l.split_once(" = "))
            .filter(|(k, v)| !k.starts_with([' ', '#', '-']) && !v.trim().is_empty())
            .map(|(k, _)| k.trim().to_string())
            .collect()
    }

    #[test]
    fn codes_are_distinct_words_with_distinct_keys() {
        let mut seen = BTreeMap::new();
        for c in ALL {
            let w = c.as_str();
            assert!(
                w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._".contains(&b)),
                "{w}"
            );
            let key = jobs::i18n::error_key(w);
            assert!(seen.insert(key, w).is_none(), "{w} shares its key");
        }
    }

    #[test]
    fn every_code_has_a_message_in_both_languages() {
        for locale in ["zh-CN", "en"] {
            let have = keys(locale);
            let missing: Vec<_> = ALL
                .iter()
                .map(|c| jobs::i18n::error_key(c.as_str()))
                .filter(|k| !have.contains(k))
                .collect();
            assert!(missing.is_empty(), "{locale} errors.ftl lacks {missing:?}");
        }
    }

    /// Codes are [`Code`] constants everywhere but in the one variant whose code is a plain
    /// `&'static str` ([`super::super::ApiError::ForbiddenBecause`]): every `code: "…"`
    /// literal of the sources must be registered.
    #[test]
    fn code_literals_in_the_sources_are_registered() {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("src"), &mut files);
        walk(&root.join("../entity/src"), &mut files);
        let mut bad = Vec::new();
        let mut found = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !line.contains("ForbiddenBecause {") {
                    continue;
                }
                for (j, l) in lines.iter().enumerate().skip(i).take(4) {
                    let Some(rest) = l.split("code: \"").nth(1) else {
                        continue;
                    };
                    let word = rest.split('"').next().unwrap_or_default();
                    found += 1;
                    if Code::parse(word).is_none() {
                        bad.push(format!("{}:{} {word}", f.display(), j + 1));
                    }
                }
            }
        }
        assert!(found >= 1, "the scan finds the ForbiddenBecause codes");
        assert!(bad.is_empty(), "unregistered codes: {bad:?}");
    }
}
