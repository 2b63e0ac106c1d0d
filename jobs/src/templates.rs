//! The messages, in the recipient's locale (`zh-CN` by default, or `en`), as a subject, a
//! plain-text body and an HTML body (every value escaped), each naming what it is about and
//! linking to its web page. One askama template per kind and body under
//! `jobs/templates/mail/` (the HTML ones share `layout.html`); every word comes from the
//! catalogue (`jobs/i18n/<locale>/mail.ftl`), with the values as Fluent arguments: money and
//! dates in the pages' formats ([`crate::format`]).

use std::borrow::Cow;
use std::collections::HashMap;

use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use entity::Money;
use entity::rules::counts::to_i64;
use entity::rules::vocab::{Locale, NotificationKind, PaymentRequestStatus};
use fluent_templates::fluent_bundle::FluentValue;

use crate::format::{date, date_time, money};
use crate::i18n;

/// What a notification says; its variant is its `kind`.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A milestone falls due in `days` days.
    MilestoneDue {
        contract: String,
        milestone: String,
        due: NaiveDate,
        days: i64,
        amount: Money,
    },
    /// A milestone is `days` days overdue.
    MilestoneOverdue {
        contract: String,
        milestone: String,
        due: NaiveDate,
        days: i64,
    },
    /// A milestone is 30 days or more overdue (to supervisors).
    MilestoneEscalation {
        contract: String,
        organisation: String,
        milestone: String,
        due: NaiveDate,
        days: i64,
    },
    /// The contract's score so far is below its minimum, or indicators have no recent value.
    IndicatorAlert {
        contract: String,
        score: Option<String>,
        min_pay: String,
        stale: Vec<String>,
    },
    /// A post has been vacant for `days` days since `since`.
    PostVacant {
        contract: String,
        post: String,
        since: NaiveDate,
        days: i64,
    },
    /// A contract ends soon with milestones not accepted.
    ContractExpiring {
        contract: String,
        end: NaiveDate,
        open_milestones: i64,
    },
    /// A budget line is nearly committed, or disbursing too slowly.
    BudgetWatch {
        line: String,
        fiscal_year: i32,
        committed_pct: String,
        disbursed_pct: String,
        elapsed_pct: String,
        high: bool,
        slow: bool,
    },
    /// A budget line's amount changed (to supervisors).
    BudgetAmountChanged {
        line: String,
        old: Money,
        new: Money,
        reason: String,
    },
    /// A report was submitted (to the officer).
    ReportSubmitted {
        contract: String,
        milestone: String,
        organisation: String,
    },
    /// A report was accepted or rejected (to the organisation).
    ReportDecided {
        contract: String,
        milestone: String,
        accepted: bool,
        comment: Option<String>,
        payable: Option<Money>,
    },
    /// A payment was recorded (to the organisation).
    PaymentRecorded {
        contract: String,
        amount: Money,
        paid_on: NaiveDate,
        voucher: String,
    },
    /// A payment request moved to `status` (SPEC §9): submitted → the officer; verified → the
    /// approvers (`second`: the first of two approvals is given, to the other approvers);
    /// approved → the officer and the organisation; returned (with the comment) → the
    /// organisation.
    PaymentRequestMoved {
        contract: String,
        organisation: String,
        milestone: Option<String>,
        amount: Money,
        status: PaymentRequestStatus,
        second: bool,
        comment: Option<String>,
    },
    /// A payment request has waited `days` days in `status`: to whoever acts next, or, past
    /// 15 days, to supervisors (`escalation`).
    PaymentRequestWaiting {
        contract: String,
        organisation: String,
        amount: Money,
        status: PaymentRequestStatus,
        days: i64,
        escalation: bool,
    },
    /// A tender was published (to active organisations).
    TenderPublished {
        title: String,
        purchaser: String,
        ceiling: Money,
        /// The bid deadline in local time.
        deadline: NaiveDateTime,
    },
    /// An admin created a user of the organisation or reset one's password (to the
    /// organisation's contact address and its other active users: nobody signs in as a bidder
    /// unnoticed).
    AccountChanged {
        organisation: String,
        user: String,
        email: String,
        reset: bool,
    },
    /// The audit chain's head, for supervisors to keep outside the database.
    AuditAnchor {
        seq: i64,
        hash: String,
        /// When the head event was written, in local time.
        at: NaiveDateTime,
    },
    /// Several reminders of one run to one recipient.
    Digest { items: Vec<(String, String)> },
}

impl Message {
    /// The `kind` stored on the notification and used in its dedupe key.
    pub fn kind(&self) -> NotificationKind {
        match self {
            Message::MilestoneDue { .. } => NotificationKind::MilestoneDue,
            Message::MilestoneOverdue { .. } => NotificationKind::MilestoneOverdue,
            Message::MilestoneEscalation { .. } => NotificationKind::MilestoneEscalation,
            Message::IndicatorAlert { .. } => NotificationKind::IndicatorAlert,
            Message::PostVacant { .. } => NotificationKind::PostVacant,
            Message::ContractExpiring { .. } => NotificationKind::ContractExpiring,
            Message::BudgetWatch { .. } => NotificationKind::BudgetWatch,
            Message::BudgetAmountChanged { .. } => NotificationKind::BudgetAmountChanged,
            Message::ReportSubmitted { .. } => NotificationKind::ReportSubmitted,
            Message::ReportDecided { .. } => NotificationKind::ReportDecided,
            Message::PaymentRecorded { .. } => NotificationKind::PaymentRecorded,
            Message::PaymentRequestMoved { .. } => NotificationKind::PaymentRequest,
            Message::PaymentRequestWaiting {
                escalation: false, ..
            } => NotificationKind::PaymentRequestWaiting,
            Message::PaymentRequestWaiting {
                escalation: true, ..
            } => NotificationKind::PaymentRequestEscalation,
            Message::TenderPublished { .. } => NotificationKind::TenderPublished,
            Message::AccountChanged { .. } => NotificationKind::AccountChanged,
            Message::AuditAnchor { .. } => NotificationKind::AuditAnchor,
            Message::Digest { .. } => NotificationKind::Digest,
        }
    }
}

/// What a template of a message reads: the catalogue in the recipient's locale with the
/// message's values as arguments, which of its optional parts it has, and the link.
struct Mail<'a> {
    locale: Locale,
    args: HashMap<Cow<'static, str>, FluentValue<'static>>,
    /// The optional parts present (`score`, `high`, `accepted`, …).
    flags: Vec<&'static str>,
    /// A digest's reminders: (subject, text body).
    items: &'a [(String, String)],
    subject: String,
    link: &'a str,
}

impl Mail<'_> {
    /// The text of a catalogue key with the message's values.
    pub fn t(&self, key: &str) -> String {
        i18n::text_args(self.locale, key, &self.args)
    }

    /// Whether the message has the optional part `flag`.
    pub fn has(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }

    /// The BCP 47 tag of the message's language.
    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }
}

/// The values of a message as catalogue arguments (formatted for `l`), its optional parts, and
/// the catalogue key of its subject.
#[expect(
    clippy::too_many_lines,
    reason = "a table: one arm per kind of message"
)]
fn values(
    m: &Message,
    l: Locale,
) -> (
    Vec<(&'static str, FluentValue<'static>)>,
    Vec<&'static str>,
    &'static str,
) {
    let s = |v: &str| FluentValue::from(v.to_string());
    let n = |v: i64| FluentValue::from(v);
    let cny = |v: &Money| FluentValue::from(money(&v.decimal()));
    let day = |d: &NaiveDate| FluentValue::from(date(l, *d));
    let mut flags = Vec::new();
    let mut flag = |on: bool, name: &'static str| {
        if on {
            flags.push(name);
        }
    };
    let (args, subject) = match m {
        Message::MilestoneDue {
            contract,
            milestone,
            due,
            days,
            amount,
        } => (
            vec![
                ("contract", s(contract)),
                ("milestone", s(milestone)),
                ("due", day(due)),
                ("days", n(*days)),
                ("amount", cny(amount)),
            ],
            "mail-milestone-due-subject",
        ),
        Message::MilestoneOverdue {
            contract,
            milestone,
            due,
            days,
        } => (
            vec![
                ("contract", s(contract)),
                ("milestone", s(milestone)),
                ("due", day(due)),
                ("days", n(*days)),
            ],
            "mail-milestone-overdue-subject",
        ),
        Message::MilestoneEscalation {
            contract,
            organisation,
            milestone,
            due,
            days,
        } => (
            vec![
                ("contract", s(contract)),
                ("organisation", s(organisation)),
                ("milestone", s(milestone)),
                ("due", day(due)),
                ("days", n(*days)),
            ],
            "mail-milestone-escalation-subject",
        ),
        Message::IndicatorAlert {
            contract,
            score,
            min_pay,
            stale,
        } => {
            flag(score.is_some(), "score");
            flag(!stale.is_empty(), "stale");
            let sep = i18n::text(l, "mail-list-separator");
            (
                vec![
                    ("contract", s(contract)),
                    ("score", s(score.as_deref().unwrap_or_default())),
                    ("min_pay", s(min_pay)),
                    ("stale", s(&stale.join(&sep))),
                ],
                "mail-indicator-alert-subject",
            )
        }
        Message::PostVacant {
            contract,
            post,
            since,
            days,
        } => (
            vec![
                ("contract", s(contract)),
                ("post", s(post)),
                ("since", day(since)),
                ("days", n(*days)),
            ],
            "mail-post-vacant-subject",
        ),
        Message::ContractExpiring {
            contract,
            end,
            open_milestones,
        } => (
            vec![
                ("contract", s(contract)),
                ("end", day(end)),
                ("open", n(*open_milestones)),
            ],
            "mail-contract-expiring-subject",
        ),
        Message::BudgetWatch {
            line,
            fiscal_year,
            committed_pct,
            disbursed_pct,
            elapsed_pct,
            high,
            slow,
        } => {
            flag(*high, "high");
            flag(*slow, "slow");
            (
                vec![
                    ("line", s(line)),
                    ("year", s(&fiscal_year.to_string())),
                    ("committed", s(committed_pct)),
                    ("disbursed", s(disbursed_pct)),
                    ("elapsed", s(elapsed_pct)),
                ],
                "mail-budget-watch-subject",
            )
        }
        Message::BudgetAmountChanged {
            line,
            old,
            new,
            reason,
        } => (
            vec![
                ("line", s(line)),
                ("old", cny(old)),
                ("new", cny(new)),
                ("reason", s(reason)),
            ],
            "mail-budget-amount-changed-subject",
        ),
        Message::ReportSubmitted {
            contract,
            milestone,
            organisation,
        } => (
            vec![
                ("contract", s(contract)),
                ("milestone", s(milestone)),
                ("organisation", s(organisation)),
            ],
            "mail-report-submitted-subject",
        ),
        Message::ReportDecided {
            contract,
            milestone,
            accepted,
            comment,
            payable,
        } => {
            flag(payable.is_some(), "payable");
            flag(comment.is_some(), "comment");
            let mut args = vec![("contract", s(contract)), ("milestone", s(milestone))];
            if let Some(p) = payable {
                args.push(("payable", cny(p)));
            }
            if let Some(c) = comment {
                args.push(("comment", s(c)));
            }
            let subject = if *accepted {
                "mail-report-decided-subject-accepted"
            } else {
                "mail-report-decided-subject-rejected"
            };
            (args, subject)
        }
        Message::PaymentRecorded {
            contract,
            amount,
            paid_on,
            voucher,
        } => (
            vec![
                ("contract", s(contract)),
                ("amount", cny(amount)),
                ("paid_on", day(paid_on)),
                ("voucher", s(voucher)),
            ],
            "mail-payment-recorded-subject",
        ),
        Message::PaymentRequestMoved {
            contract,
            organisation,
            milestone,
            amount,
            status,
            second,
            comment,
        } => {
            flag(milestone.is_some(), "milestone");
            flag(comment.is_some(), "comment");
            let mut args = vec![
                ("contract", s(contract)),
                ("organisation", s(organisation)),
                ("amount", cny(amount)),
            ];
            if let Some(m) = milestone {
                args.push(("milestone", s(m)));
            }
            if let Some(c) = comment {
                args.push(("comment", s(c)));
            }
            let subject = match (status, second) {
                (PaymentRequestStatus::Verified, true) => "mail-payment-request-subject-second",
                (PaymentRequestStatus::Verified, false) => "mail-payment-request-subject-verified",
                (PaymentRequestStatus::Approved, _) => "mail-payment-request-subject-approved",
                (PaymentRequestStatus::Returned, _) => "mail-payment-request-subject-returned",
                _ => "mail-payment-request-subject-submitted",
            };
            (args, subject)
        }
        Message::PaymentRequestWaiting {
            contract,
            organisation,
            amount,
            status,
            days,
            escalation,
        } => {
            flag(*escalation, "escalation");
            let subject = if *escalation {
                "mail-payment-request-waiting-subject-escalation"
            } else {
                "mail-payment-request-waiting-subject"
            };
            (
                vec![
                    ("contract", s(contract)),
                    ("organisation", s(organisation)),
                    ("amount", cny(amount)),
                    ("status", s(status.as_str())),
                    ("days", n(*days)),
                ],
                subject,
            )
        }
        Message::TenderPublished {
            title,
            purchaser,
            ceiling,
            deadline,
        } => (
            vec![
                ("title", s(title)),
                ("purchaser", s(purchaser)),
                ("ceiling", cny(ceiling)),
                ("deadline", s(&date_time(l, *deadline))),
            ],
            "mail-tender-published-subject",
        ),
        Message::AccountChanged {
            organisation,
            user,
            email,
            reset,
        } => {
            flag(*reset, "reset");
            let subject = if *reset {
                "mail-account-changed-subject-reset"
            } else {
                "mail-account-changed-subject-created"
            };
            (
                vec![
                    ("organisation", s(organisation)),
                    ("user", s(user)),
                    ("email", s(email)),
                ],
                subject,
            )
        }
        Message::AuditAnchor { seq, hash, at } => (
            vec![
                // The sequence number as digits, never grouped: the command must take it.
                ("seq", s(&seq.to_string())),
                ("hash", s(hash)),
                ("at", s(&date_time(l, *at))),
            ],
            "mail-audit-anchor-subject",
        ),
        Message::Digest { items } => (
            vec![("count", n(to_i64(items.len())))],
            "mail-digest-subject",
        ),
    };
    (args, flags, subject)
}

/// Declares the two templates (plain text and HTML) of each kind and renders a message with
/// those of its kind.
macro_rules! kinds {
    ($($variant:ident => $text:ident($text_path:literal), $html:ident($html_path:literal);)*) => {
        $(
            #[derive(Template)]
            #[template(path = $text_path)]
            struct $text<'a> {
                c: &'a Mail<'a>,
            }

            #[derive(Template)]
            #[template(path = $html_path)]
            struct $html<'a> {
                c: &'a Mail<'a>,
            }
        )*

        /// The text and HTML bodies of `m`.
        fn bodies(m: &Message, c: &Mail<'_>) -> askama::Result<(String, String)> {
            match m {
                $(Message::$variant { .. } => Ok(($text { c }.render()?, $html { c }.render()?)),)*
            }
        }
    };
}

kinds! {
    MilestoneDue => MilestoneDueText("mail/milestone_due.txt"), MilestoneDueHtml("mail/milestone_due.html");
    MilestoneOverdue => MilestoneOverdueText("mail/milestone_overdue.txt"), MilestoneOverdueHtml("mail/milestone_overdue.html");
    MilestoneEscalation => MilestoneEscalationText("mail/milestone_escalation.txt"), MilestoneEscalationHtml("mail/milestone_escalation.html");
    IndicatorAlert => IndicatorAlertText("mail/indicator_alert.txt"), IndicatorAlertHtml("mail/indicator_alert.html");
    PostVacant => PostVacantText("mail/post_vacant.txt"), PostVacantHtml("mail/post_vacant.html");
    ContractExpiring => ContractExpiringText("mail/contract_expiring.txt"), ContractExpiringHtml("mail/contract_expiring.html");
    BudgetWatch => BudgetWatchText("mail/budget_watch.txt"), BudgetWatchHtml("mail/budget_watch.html");
    BudgetAmountChanged => BudgetAmountChangedText("mail/budget_amount_changed.txt"), BudgetAmountChangedHtml("mail/budget_amount_changed.html");
    ReportSubmitted => ReportSubmittedText("mail/report_submitted.txt"), ReportSubmittedHtml("mail/report_submitted.html");
    ReportDecided => ReportDecidedText("mail/report_decided.txt"), ReportDecidedHtml("mail/report_decided.html");
    PaymentRecorded => PaymentRecordedText("mail/payment_recorded.txt"), PaymentRecordedHtml("mail/payment_recorded.html");
    PaymentRequestMoved => PaymentRequestMovedText("mail/payment_request.txt"), PaymentRequestMovedHtml("mail/payment_request.html");
    PaymentRequestWaiting => PaymentRequestWaitingText("mail/payment_request_waiting.txt"), PaymentRequestWaitingHtml("mail/payment_request_waiting.html");
    TenderPublished => TenderPublishedText("mail/tender_published.txt"), TenderPublishedHtml("mail/tender_published.html");
    AccountChanged => AccountChangedText("mail/account_changed.txt"), AccountChangedHtml("mail/account_changed.html");
    AuditAnchor => AuditAnchorText("mail/audit_anchor.txt"), AuditAnchorHtml("mail/audit_anchor.html");
    Digest => DigestText("mail/digest.txt"), DigestHtml("mail/digest.html");
}

/// The subject, text body and HTML body of a message for a locale, linking to `link`.
pub fn render(m: &Message, l: Locale, link: &str) -> (String, String, String) {
    let (args, flags, subject_key) = values(m, l);
    let args = args
        .into_iter()
        .map(|(k, v)| (Cow::Borrowed(k), v))
        .collect();
    let items = match m {
        Message::Digest { items } => items.as_slice(),
        _ => &[],
    };
    let mut c = Mail {
        locale: l,
        args,
        flags,
        items,
        subject: String::new(),
        link,
    };
    c.subject = c.t(subject_key);
    // The templates are compiled with the code and write only into a String: they cannot fail.
    let (text, html) = bodies(m, &c).unwrap_or_default();
    (c.subject, text, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_their_subject_in_both_locales_and_escape_html() {
        let m = Message::MilestoneDue {
            contract: "<script>关爱</script>".into(),
            milestone: "第一阶段".into(),
            due: "2026-06-30".parse().unwrap(),
            days: 7,
            amount: "1000.00".parse().unwrap(),
        };
        let (s, t, h) = render(&m, Locale::ZhCn, "http://x/contracts/1");
        assert!(s.contains("第一阶段") && s.contains("2026年6月30日"), "{s}");
        assert!(
            t.contains("http://x/contracts/1") && t.contains("还有 7 天"),
            "{t}"
        );
        assert!(t.contains("¥1,000.00"), "{t}");
        assert!(
            h.contains("&#60;script&#62;") && !h.contains("<script>"),
            "{h}"
        );
        let (s, t, _) = render(&m, Locale::En, "http://x");
        assert_eq!(s, "[Huimin] Milestone \"第一阶段\" is due on 30 Jun 2026");
        assert!(t.contains("in 7 days"), "{t}");
    }

    /// One message of every kind, each value carrying markup, with every optional part.
    #[expect(
        clippy::too_many_lines,
        reason = "test data: one message of every kind"
    )]
    fn every_kind() -> Vec<Message> {
        let x = |s: &str| format!("<b>{s}</b>");
        let due: NaiveDate = "2026-12-03".parse().unwrap();
        let at = due.and_hms_opt(9, 30, 0).unwrap();
        let yuan: Money = "1234567.89".parse().unwrap();
        let all = vec![
            Message::MilestoneDue {
                contract: x("合同"),
                milestone: x("节点"),
                due,
                days: 1,
                amount: yuan,
            },
            Message::MilestoneOverdue {
                contract: x("合同"),
                milestone: x("节点"),
                due,
                days: 3,
            },
            Message::MilestoneEscalation {
                contract: x("合同"),
                organisation: x("机构"),
                milestone: x("节点"),
                due,
                days: 30,
            },
            Message::IndicatorAlert {
                contract: x("合同"),
                score: Some("54.9".into()),
                min_pay: "60".into(),
                stale: vec![x("走访"), x("投诉")],
            },
            Message::PostVacant {
                contract: x("合同"),
                post: x("岗位"),
                since: due,
                days: 31,
            },
            Message::ContractExpiring {
                contract: x("合同"),
                end: due,
                open_milestones: 2,
            },
            Message::BudgetWatch {
                line: x("预算"),
                fiscal_year: 2026,
                committed_pct: "95".into(),
                disbursed_pct: "10".into(),
                elapsed_pct: "75".into(),
                high: true,
                slow: true,
            },
            Message::BudgetAmountChanged {
                line: x("预算"),
                old: yuan,
                new: Money::ZERO,
                reason: x("理由"),
            },
            Message::ReportSubmitted {
                contract: x("合同"),
                milestone: x("节点"),
                organisation: x("机构"),
            },
            Message::ReportDecided {
                contract: x("合同"),
                milestone: x("节点"),
                accepted: true,
                comment: Some(x("意见")),
                payable: Some(yuan),
            },
            Message::PaymentRecorded {
                contract: x("合同"),
                amount: yuan,
                paid_on: due,
                voucher: x("PV-1"),
            },
            Message::PaymentRequestMoved {
                contract: x("合同"),
                organisation: x("机构"),
                milestone: Some(x("节点")),
                amount: yuan,
                status: PaymentRequestStatus::Submitted,
                second: false,
                comment: None,
            },
            Message::PaymentRequestWaiting {
                contract: x("合同"),
                organisation: x("机构"),
                amount: yuan,
                status: PaymentRequestStatus::Verified,
                days: 6,
                escalation: false,
            },
            Message::PaymentRequestWaiting {
                contract: x("合同"),
                organisation: x("机构"),
                amount: yuan,
                status: PaymentRequestStatus::Submitted,
                days: 16,
                escalation: true,
            },
            Message::TenderPublished {
                title: x("项目"),
                purchaser: x("民政局"),
                ceiling: yuan,
                deadline: at,
            },
            Message::AccountChanged {
                organisation: x("机构"),
                user: x("用户"),
                email: "a@b.example".into(),
                reset: true,
            },
            Message::AuditAnchor {
                seq: 12345,
                hash: x("abc"),
                at,
            },
            Message::Digest {
                items: vec![(x("提醒"), format!("{}\n\n第二行", x("正文")))],
            },
            // The other subjects and lines of the kinds that have them.
            Message::ReportDecided {
                contract: x("合同"),
                milestone: x("节点"),
                accepted: false,
                comment: Some(x("缺少签到表")),
                payable: None,
            },
            Message::AccountChanged {
                organisation: x("机构"),
                user: x("用户"),
                email: "a@b.example".into(),
                reset: false,
            },
            Message::PaymentRequestMoved {
                contract: x("合同"),
                organisation: x("机构"),
                milestone: None,
                amount: yuan,
                status: PaymentRequestStatus::Verified,
                second: false,
                comment: None,
            },
            Message::PaymentRequestMoved {
                contract: x("合同"),
                organisation: x("机构"),
                milestone: None,
                amount: yuan,
                status: PaymentRequestStatus::Verified,
                second: true,
                comment: None,
            },
            Message::PaymentRequestMoved {
                contract: x("合同"),
                organisation: x("机构"),
                milestone: None,
                amount: yuan,
                status: PaymentRequestStatus::Approved,
                second: false,
                comment: None,
            },
            Message::PaymentRequestMoved {
                contract: x("合同"),
                organisation: x("机构"),
                milestone: None,
                amount: yuan,
                status: PaymentRequestStatus::Returned,
                second: false,
                comment: Some(x("发票抬头有误")),
            },
        ];
        // Every kind is here (a new kind must be added).
        let kinds: std::collections::HashSet<_> = all.iter().map(Message::kind).collect();
        assert_eq!(kinds.len(), 18);
        assert_eq!(
            kinds.len(),
            NotificationKind::ALL.len(),
            "a kind without its message"
        );
        all
    }

    #[test]
    fn every_kind_renders_in_both_languages_from_the_catalogue_with_values_escaped() {
        let link = "http://county.example/contracts/1?a=1&b=2";
        for m in every_kind() {
            for l in [Locale::ZhCn, Locale::En] {
                let (s, t, h) = render(&m, l, link);
                let kind = m.kind();
                for (part, out) in [("subject", &s), ("text", &t), ("html", &h)] {
                    assert!(
                        !out.contains("mail-"),
                        "{kind} {l:?} {part}: a key without its text: {out}"
                    );
                    assert!(!out.trim().is_empty(), "{kind} {l:?} {part} is empty");
                }
                assert!(
                    s.starts_with(if l == Locale::ZhCn {
                        "【惠民】"
                    } else {
                        "[Huimin] "
                    }),
                    "{kind} {l:?}: {s}"
                );
                // The plain text carries the values as they are, and the link last.
                assert!(t.contains("<b>"), "{kind} {l:?} text: {t}");
                assert!(
                    t.trim_end().ends_with(&format!(": {link}")),
                    "{kind} {l:?} text: {t}"
                );
                // The HTML escapes every value, and links to the page.
                assert!(!h.contains("<b>"), "{kind} {l:?} html: {h}");
                assert!(h.contains("&#60;b&#62;"), "{kind}: {h}");
                assert!(
                    h.contains("href=\"http://county.example/contracts/1?a=1&#38;b=2\""),
                    "{kind} {l:?} html: {h}"
                );
                assert!(h.contains(&format!("<html lang=\"{}\">", l.as_str())));
                // Money and dates as the pages show them.
                let text = format!("{s}\n{t}");
                if text.contains("¥") {
                    assert!(text.contains("¥1,234,567.89"), "{kind}: {text}");
                }
                assert!(!text.contains("2026-12-03"), "{kind}: {text}");
            }
        }
    }

    #[test]
    fn every_mail_text_of_the_catalogue_is_used() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = include_str!("templates.rs").to_string();
        for f in std::fs::read_dir(root.join("templates/mail")).unwrap() {
            used.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap());
        }
        let catalogue = std::fs::read_to_string(root.join("i18n/en/mail.ftl")).unwrap();
        let unused: Vec<_> = catalogue
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .filter(|k| k.starts_with("mail-") && !used.contains(&format!("\"{k}\"")))
            .collect();
        assert!(unused.is_empty(), "texts no mail uses: {unused:?}");
    }

    #[test]
    fn dates_money_and_plurals_follow_the_language() {
        let m = Message::TenderPublished {
            title: "留守儿童关爱服务".into(),
            purchaser: "汤阴县民政局".into(),
            ceiling: "300000".parse().unwrap(),
            deadline: "2026-03-12T09:00:00".parse().unwrap(),
        };
        let (_, zh, _) = render(&m, Locale::ZhCn, "http://x/tenders/1");
        assert!(zh.contains("最高限价：¥300,000.00"), "{zh}");
        assert!(zh.contains("响应截止时间：2026年3月12日 09:00"), "{zh}");
        let (_, en, _) = render(&m, Locale::En, "http://x/tenders/1");
        assert!(en.contains("Bid deadline: 12 Mar 2026 09:00"), "{en}");
        let one = Message::MilestoneOverdue {
            contract: "c".into(),
            milestone: "m".into(),
            due: "2026-03-05".parse().unwrap(),
            days: 1,
        };
        let (s, t, _) = render(&one, Locale::En, "http://x");
        assert!(s.ends_with("is 1 day overdue"), "{s}");
        assert!(t.contains("Due date: 5 Mar 2026, 1 day ago."), "{t}");
        let (_, t, _) = render(&one, Locale::ZhCn, "http://x");
        assert_eq!(
            t,
            "合同：c\n服务节点：m\n到期日：2026年3月5日，已逾期 1 天。\n\
             请尽快提交服务报告；财务人员请跟进审核。\n\n打开惠民查看: http://x"
        );
    }
}
