//! What every page's template needs beside its own data: the visitor's language and the
//! catalogue, the signed-in user, the CSRF token of its forms, the message of the last action,
//! and the formats of money and dates (`¥1,234,567.89`; `2026年12月3日` / `3 Dec 2026`).

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::NaiveDate;
use entity::rules::vocab::{Locale, Role};
pub use jobs::format::{date, money};
use jobs::i18n::{self, FluentValue};
use rust_decimal::Decimal;

use crate::auth::Actor;
pub use crate::auth::actor::cookie;
use crate::state::AppState;
use crate::web::{FLASH_COOKIE, LANG_COOKIE, assets, csrf};

/// The signed-in user as the header shows it.
#[derive(Debug, Clone)]
pub struct Badge {
    pub name: String,
    pub role: Role,
    pub role_label: String,
}

/// One entry of the role's navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The page context every template gets as `ui`.
#[derive(Debug, Clone)]
pub struct Ui {
    pub locale: Locale,
    pub user: Option<Badge>,
    /// The CSRF token every POST form of the page carries as `_csrf`.
    pub csrf: String,
    /// The translated message of the action that led here, shown once.
    pub flash: Option<String>,
    /// The path of the page (navigation marks it; the language switch returns to it).
    pub path: String,
    /// The installation's time zone (`HUIMIN_TZ`): times are shown in it.
    pub tz: chrono_tz::Tz,
    /// How many of the signed-in user's notifications they have not seen yet; 0 for a
    /// visitor.
    pub unread: i64,
}

impl Ui {
    /// The text of a catalogue key.
    pub fn t(&self, key: &str) -> String {
        i18n::text(self.locale, key)
    }

    /// The word of a closed list in the page's language: `word("contract-status", "active")`
    /// is the text of `contract-status-active` (`_` in the word becomes `-`).
    pub fn word(&self, prefix: &str, word: &str) -> String {
        self.t(&format!("{prefix}-{}", word.replace('_', "-")))
    }

    /// The text of a catalogue key with its `$count`, passed as a number so that the
    /// message's variants select on it (`[0]`, `[one]`, `*[other]`).
    pub fn tn(&self, key: &str, count: i64) -> String {
        let args = HashMap::from([(Cow::Borrowed("count"), FluentValue::from(count))]);
        i18n::text_args(self.locale, key, &args)
    }

    /// The text of a catalogue key with its `$name`.
    pub fn tname(&self, key: &str, name: &str) -> String {
        i18n::text_with(self.locale, key, &[("name", name.to_string())])
    }

    /// The message of an error `code` (every registered code has one in both languages, a
    /// test checks; an unknown word gets the generic message of a bad value).
    pub fn error_text(&self, code: &str) -> String {
        let key = i18n::error_key(code);
        let text = self.t(&key);
        if text != key {
            return text;
        }
        self.t(&i18n::error_key(
            crate::error::codes::FIELD_INVALID.as_str(),
        ))
    }

    /// The header's badge: the number of unseen notifications, `99+` above 99.
    pub fn unread_badge(&self) -> String {
        if self.unread > 99 {
            "99+".to_string()
        } else {
            self.unread.to_string()
        }
    }

    /// The badge's accessible name: "3 new notifications", "99+ new notifications".
    pub fn unread_label(&self) -> String {
        let count = if self.unread > 99 {
            FluentValue::from("99+")
        } else {
            FluentValue::from(self.unread)
        };
        let args = HashMap::from([(Cow::Borrowed("count"), count)]);
        i18n::text_args(self.locale, "layout-unread", &args)
    }

    /// The BCP 47 tag of the page's language.
    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }

    /// The other language's tag, for the switch.
    pub fn other_locale(&self) -> &'static str {
        match self.locale {
            Locale::ZhCn => Locale::En.as_str(),
            Locale::En => Locale::ZhCn.as_str(),
        }
    }

    /// The catalogue key of the other language's name.
    pub fn other_lang_key(&self) -> &'static str {
        match self.locale {
            Locale::ZhCn => "lang-en",
            Locale::En => "lang-zh-CN",
        }
    }

    /// Money as the pages show it: a `Decimal` of yuan or a `Money`, by value or by reference
    /// (templates pass either).
    pub fn money(&self, amount: impl Yuan) -> String {
        money(&amount.yuan())
    }

    /// An amount stored in fen, as the pages show money.
    pub fn fen(&self, fen: &i64) -> String {
        money(&Decimal::new(*fen, 2))
    }

    /// A date as the pages show it in the page's language.
    pub fn date(&self, d: &NaiveDate) -> String {
        date(self.locale, *d)
    }

    /// An instant as the pages show it, in the installation's time zone:
    /// `2026年12月3日 14:05` / `3 Dec 2026 14:05`.
    pub fn datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        jobs::format::date_time(self.locale, at.with_timezone(&self.tz).naive_local())
    }

    /// The address of an embedded asset (its name carries its content hash).
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// The navigation of the signed-in user's role.
    pub fn nav(&self) -> Vec<NavItem> {
        let Some(user) = &self.user else {
            return Vec::new();
        };
        let items: &[(&'static str, &str)] = match user.role {
            Role::FinanceOfficer => &[
                ("/", "nav-home"),
                ("/budget-lines", "nav-budget-lines"),
                ("/tenders", "nav-tenders"),
                ("/contracts", "nav-contracts"),
                ("/milestones", "nav-reports"),
                ("/payment-requests", "nav-payment-requests"),
                ("/findings", "nav-findings"),
                ("/notifications", "nav-notifications"),
                ("/spending", "nav-spending"),
            ],
            Role::Supervisor => &[
                ("/", "nav-home"),
                ("/spending", "nav-spending"),
                ("/contracts", "nav-contracts"),
                ("/payment-requests", "nav-payment-requests"),
                ("/findings", "nav-findings"),
                ("/budget-lines", "nav-budget-lines"),
                ("/audit", "nav-audit"),
                ("/jobs", "nav-jobs"),
                ("/notifications", "nav-notifications"),
                ("/profile", "nav-profile"),
            ],
            Role::Admin => &[
                ("/", "nav-home"),
                ("/users", "nav-users"),
                ("/purchasers", "nav-purchasers"),
                ("/organisations", "nav-organisations"),
                ("/jobs", "nav-jobs"),
                ("/outbox", "nav-outbox"),
                ("/audit", "nav-audit"),
                ("/notifications", "nav-notifications"),
            ],
            Role::Organisation => &[
                ("/", "nav-home"),
                ("/tenders", "nav-tenders"),
                ("/bids", "nav-bids"),
                ("/contracts", "nav-contracts"),
                ("/payment-requests", "nav-payment-requests"),
                // The profile is the user's name in the header: the menu stays one line on a
                // phone.
                ("/notifications", "nav-notifications"),
            ],
        };
        items
            .iter()
            .map(|(href, key)| NavItem {
                href,
                label: self.t(key),
                current: if *href == "/" {
                    self.path == "/"
                } else {
                    self.path == *href || self.path.starts_with(&format!("{href}/"))
                },
            })
            .collect()
    }
}

impl FromRequestParts<AppState> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        // A page open to visitors (sign-in) has no actor: that is no error here.
        let actor = Actor::from_request_parts(parts, st).await.ok();
        let locale = match &actor {
            Some(a) => a.user.locale,
            None => visitor_locale(parts),
        };
        let csrf = match &actor {
            Some(a) => csrf::session_token(&st.secret, a.session_id),
            None => csrf::visitor_token(parts).unwrap_or_default(),
        };
        let flash = cookie(parts, FLASH_COOKIE)
            .filter(|k| k.starts_with("flash-"))
            .map(|k| i18n::text(locale, k));
        // Counted by the database as notifications are queued; read with the session (see
        // `Actor::authenticate`), so a page costs no statement for it.
        let unread = actor
            .as_ref()
            .map_or(0, |a| a.user.notifications_unseen.max(0));
        Ok(Ui {
            locale,
            unread,
            user: actor.map(|a| Badge {
                role_label: role_label(locale, a.role),
                name: a.user.display_name,
                role: a.role,
            }),
            csrf,
            flash,
            path: parts.uri.path().to_string(),
            tz: st.config.tz,
        })
    }
}

/// A role's name in `locale`.
pub fn role_label(locale: Locale, role: Role) -> String {
    i18n::text(locale, &format!("role-{}", role.as_str().replace('_', "-")))
}

/// The language of a visitor who is not signed in: the one chosen on this browser, else the
/// first of `Accept-Language` we speak, else `zh-CN`.
pub fn visitor_locale(parts: &Parts) -> Locale {
    if let Some(l) = cookie(parts, LANG_COOKIE).and_then(Locale::parse) {
        return l;
    }
    let accepted = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for tag in accepted.split(',') {
        let tag = tag
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if tag.starts_with("zh") {
            return Locale::ZhCn;
        }
        if tag.starts_with("en") {
            return Locale::En;
        }
    }
    Locale::ZhCn
}

/// An amount of yuan, whatever its type.
pub trait Yuan {
    fn yuan(&self) -> Decimal;
}

impl Yuan for Decimal {
    fn yuan(&self) -> Decimal {
        *self
    }
}

impl Yuan for entity::rules::money::Money {
    fn yuan(&self) -> Decimal {
        self.decimal()
    }
}

impl<T: Yuan> Yuan for &T {
    fn yuan(&self) -> Decimal {
        (*self).yuan()
    }
}
