//! The closed word lists of SPEC §2, as enums serialised in snake_case. An unknown word in a
//! request is refused by serde with the field's name (422); the API document lists each
//! enum's words from the same table. Each is also a sea-orm `ActiveEnum` stored as its word in
//! a text column, so that an entity's field holds the enum and a wrong word does not compile.

use sea_orm::prelude::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};

macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $(
                $(#[$vm])*
                #[doc = concat!("Stored and written as `", $text, "`.")]
                #[serde(rename = $text)]
                #[sea_orm(string_value = $text)]
                $variant
            ),+
        }

        impl $name {
            /// Every value, in the documented order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialised word.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a stored word.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        /// The word, as [`Self::as_str`] gives it.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// In the API document: a string, one of [`Self::ALL`]'s words.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

vocab!(
    /// Whether an organisation may bid, be awarded and sign.
    OrgStatus {
        Active = "active",
        Suspended = "suspended",
        Blacklisted = "blacklisted",
    }
);

vocab!(
    /// Where a budget line's money comes from.
    FundSource {
        Central = "central",
        Provincial = "provincial",
        County = "county",
        Other = "other",
    }
);

vocab!(
    /// The four roles of SPEC §1.
    Role {
        /// System operator: users, purchasers, organisations.
        Admin = "admin",
        /// Staff of one purchasing unit: its budget lines, tenders, contracts, payments.
        FinanceOfficer = "finance_officer",
        /// Staff of one social organisation: its bids, contracts and reports.
        Organisation = "organisation",
        /// Auditor or inspector: reads everything but sealed bids, records findings.
        Supervisor = "supervisor",
    }
);

vocab!(
    /// The languages mail and messages are written in.
    Locale {
        ZhCn = "zh-CN",
        En = "en",
    }
);

vocab!(
    /// What kind of service is bought.
    ServiceCategory {
        Children = "children",
        Elderly = "elderly",
        Women = "women",
        Disability = "disability",
        Community = "community",
        Volunteer = "volunteer",
        Other = "other",
    }
);

vocab!(
    /// The procurement method of a tender.
    TenderMethod {
        Open = "open",
        Invited = "invited",
        CompetitiveConsultation = "competitive_consultation",
        CompetitiveNegotiation = "competitive_negotiation",
        Inquiry = "inquiry",
    }
);

impl TenderMethod {
    /// The fewest bids an award needs: 3 for open and invited tenders, else 2.
    pub fn min_bids(self) -> usize {
        match self {
            TenderMethod::Open | TenderMethod::Invited => 3,
            _ => 2,
        }
    }
}

vocab!(
    /// A tender's life cycle (SPEC §3).
    TenderStatus {
        Draft = "draft",
        Published = "published",
        Closed = "closed",
        Awarded = "awarded",
        Cancelled = "cancelled",
        Unsuccessful = "unsuccessful",
    }
);

vocab!(
    /// A contract's life cycle (SPEC §3).
    ContractStatus {
        Draft = "draft",
        Active = "active",
        Completed = "completed",
        Terminated = "terminated",
        Cancelled = "cancelled",
    }
);

vocab!(
    /// A social worker's qualification, in increasing order.
    Qualification {
        None = "none",
        AssistantSocialWorker = "assistant_social_worker",
        SocialWorker = "social_worker",
        SeniorSocialWorker = "senior_social_worker",
    }
);

impl Qualification {
    /// Whether a worker with `self` may fill a post requiring `required`.
    pub fn satisfies(self, required: Qualification) -> bool {
        let rank = |q: Qualification| Qualification::ALL.iter().position(|x| *x == q);
        rank(self) >= rank(required)
    }
}

vocab!(
    /// Whether an indicator's value should reach its target or stay under it.
    Comparator {
        AtLeast = "at_least",
        AtMost = "at_most",
    }
);

vocab!(
    /// How an indicator's value is compared: as a level, or as a count over the contract
    /// compared with the target pro-rated to the milestone's due date.
    Measure {
        Level = "level",
        Cumulative = "cumulative",
    }
);

vocab!(
    /// A milestone's life cycle (SPEC §3); `overdue` is derived, never stored.
    MilestoneStatus {
        Planned = "planned",
        Submitted = "submitted",
        Accepted = "accepted",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
);

vocab!(
    /// A payment request's life cycle (SPEC §9).
    PaymentRequestStatus {
        /// Sent by the organisation; waits for an officer to verify it.
        Submitted = "submitted",
        /// Checked by an officer; waits for the approver (or the second approver).
        Verified = "verified",
        /// Approved; waits for the payment.
        Approved = "approved",
        /// Paid by its payment.
        Paid = "paid",
        /// Sent back to the organisation with a comment, to edit and resubmit.
        Returned = "returned",
        /// Taken back by the organisation.
        Withdrawn = "withdrawn",
    }
);

impl PaymentRequestStatus {
    /// Whether the request still holds money: counted against what may be requested.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Verified | Self::Approved)
    }
}

vocab!(
    /// A reviewer's decision on a milestone report.
    Decision {
        Accepted = "accepted",
        Rejected = "rejected",
    }
);

vocab!(
    /// How serious a supervisor's finding is.
    Severity {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
);

vocab!(
    /// A finding's life cycle.
    FindingStatus {
        Open = "open",
        Answered = "answered",
        Resolved = "resolved",
    }
);

/// What a notice announces.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    EnumIter,
    DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum NoticeKind {
    /// A tender open for bids.
    #[sea_orm(string_value = "tender_published")]
    TenderPublished,
    /// A tender's outcome: awarded, unsuccessful, cancelled, or an award withdrawn.
    #[sea_orm(string_value = "tender_result")]
    TenderResult,
    /// A contract signed (after a tender, or a direct award).
    #[sea_orm(string_value = "contract_signed")]
    ContractSigned,
    /// A signed contract's value or end date changed.
    #[sea_orm(string_value = "contract_amended")]
    ContractAmended,
    /// A contract ended early.
    #[sea_orm(string_value = "contract_terminated")]
    ContractTerminated,
}

impl NoticeKind {
    /// Every kind, in the order of a process.
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::TenderPublished,
        NoticeKind::TenderResult,
        NoticeKind::ContractSigned,
        NoticeKind::ContractAmended,
        NoticeKind::ContractTerminated,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::TenderPublished => "tender_published",
            NoticeKind::TenderResult => "tender_result",
            NoticeKind::ContractSigned => "contract_signed",
            NoticeKind::ContractAmended => "contract_amended",
            NoticeKind::ContractTerminated => "contract_terminated",
        }
    }

    /// Parses a stored word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

vocab!(
    /// Where an e-mail of the outbox stands.
    NotificationStatus {
        /// Waits to be sent, or to be tried again.
        Pending = "pending",
        /// Handed to the mail server.
        Sent = "sent",
        /// Given up after its last attempt; an admin may send it again.
        Dead = "dead",
    }
);

vocab!(
    /// What a notification says: the template it is written with, and the first part of its
    /// dedupe key.
    NotificationKind {
        /// A milestone due soon.
        MilestoneDue = "milestone_due",
        /// A milestone past its due date.
        MilestoneOverdue = "milestone_overdue",
        /// A milestone 30 days or more overdue (to supervisors).
        MilestoneEscalation = "milestone_escalation",
        /// A contract's score below its minimum, or indicators without a recent value.
        IndicatorAlert = "indicator_alert",
        /// A post vacant for some days.
        PostVacant = "post_vacant",
        /// A contract ending soon with milestones not accepted.
        ContractExpiring = "contract_expiring",
        /// A budget line nearly committed, or disbursing too slowly.
        BudgetWatch = "budget_watch",
        /// A budget line's amount changed (to supervisors).
        BudgetAmountChanged = "budget_amount_changed",
        /// A report submitted (to the officer).
        ReportSubmitted = "report_submitted",
        /// A report accepted or rejected (to the organisation).
        ReportDecided = "report_decided",
        /// A payment recorded (to the organisation).
        PaymentRecorded = "payment_recorded",
        /// A payment request moved to its next status (SPEC §9).
        PaymentRequest = "payment_request",
        /// A payment request waiting, to whoever acts next.
        PaymentRequestWaiting = "payment_request_waiting",
        /// A payment request waiting past 15 days (to supervisors).
        PaymentRequestEscalation = "payment_request_escalation",
        /// A tender published (to active organisations).
        TenderPublished = "tender_published",
        /// A user of the organisation created, or a password reset (to the organisation).
        AccountChanged = "account_changed",
        /// The audit chain's head, for supervisors to keep outside the database.
        AuditAnchor = "audit_anchor",
        /// Several reminders of one run to one recipient.
        Digest = "digest",
    }
);

vocab!(
    /// A scheduled job (SPEC §5, and `file_sweep`), in the order `jobs list` prints them.
    JobName {
        MilestoneReminders = "milestone_reminders",
        IndicatorCheck = "indicator_check",
        PostVacancyCheck = "post_vacancy_check",
        ContractExpiry = "contract_expiry",
        BudgetWatch = "budget_watch",
        SendNotifications = "send_notifications",
        AuditAnchor = "audit_anchor",
        PaymentRequestReminders = "payment_request_reminders",
        FileSweep = "file_sweep",
    }
);

vocab!(
    /// Where a job run stands.
    JobOutcome {
        /// Claimed and under way (or crashed before it finished).
        Running = "running",
        /// Finished without error.
        Ok = "ok",
        /// Failed; the run's `error` says why.
        Error = "error",
    }
);
