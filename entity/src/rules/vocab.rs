//! The closed word lists of SPEC §2, as enums serialised in snake_case. An unknown word in a
//! request is refused by serde with the field's name (422).

use serde::{Deserialize, Serialize};

macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
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
