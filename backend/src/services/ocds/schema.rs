//! The shapes of an OCDS 1.1 release, as much of the standard as Huimin fills: serde types
//! that serialise to the field names and codelist values of `release-schema.json`.
//!
//! Unlike the rest of the API, money here is a JSON number (OCDS `Value.amount`), written
//! from the stored fen as exact decimal text, never through a float ([`Amount`]); dates are
//! date-times with the installation's offset (+08:00 in China).

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use entity::Money;
use serde::{Serialize, Serializer};

/// The OCDS currency code of every amount.
pub const CNY: &str = "CNY";

/// An amount in fen, serialised as a JSON number with two decimals (`12345.67`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount(pub i64);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = Money::from_fen(self.0).decimal().to_string();
        let raw =
            serde_json::value::RawValue::from_string(text).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// OCDS `Value`.
#[derive(Debug, Serialize)]
pub struct Value {
    pub amount: Amount,
    pub currency: &'static str,
}

impl Value {
    /// An amount of CNY.
    pub fn cny(fen: i64) -> Self {
        Value {
            amount: Amount(fen),
            currency: CNY,
        }
    }
}

/// Renders instants and local dates as OCDS date-times in the installation's time zone.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub tz: Tz,
}

impl Clock {
    /// An instant, e.g. `2026-03-02T09:00:00+08:00`.
    pub fn at(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }

    /// The first second of a local date (a start date).
    pub fn day_start(&self, d: NaiveDate) -> String {
        self.local(d, NaiveTime::MIN)
    }

    /// The last second of a local date (an end or due date), as OCDS advises for end dates
    /// known only to the day.
    pub fn day_end(&self, d: NaiveDate) -> String {
        self.local(
            d,
            NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
        )
    }

    fn local(&self, d: NaiveDate, t: NaiveTime) -> String {
        let naive = d.and_time(t);
        let local = self
            .tz
            .from_local_datetime(&naive)
            .earliest()
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive).with_timezone(&self.tz));
        local.to_rfc3339_opts(SecondsFormat::Secs, false)
    }
}

/// OCDS `Release`: one contracting process (a tender, or a direct award) as it stands.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    /// The latest change the release shows (its `date`), for the package's `publishedDate`.
    #[serde(skip)]
    pub changed: DateTime<Utc>,
    pub ocid: String,
    pub id: String,
    pub date: String,
    pub tag: Vec<&'static str>,
    pub initiation_type: &'static str,
    pub language: &'static str,
    pub parties: Vec<Party>,
    pub buyer: OrgRef,
    pub tender: Tender,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub awards: Vec<Award>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<Contract>,
}

/// OCDS `Organization` in the `parties` section.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_point: Option<ContactPoint>,
    pub roles: Vec<&'static str>,
}

/// OCDS `Identifier`: a legal-entity identifier from a registry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    pub scheme: &'static str,
    pub id: String,
    pub legal_name: String,
}

/// OCDS `ContactPoint` (public bodies only: an organisation's address may be a person's).
#[derive(Debug, Serialize)]
pub struct ContactPoint {
    pub email: String,
}

/// OCDS `OrganizationReference`: the `id` and `name` of an entry of `parties`.
#[derive(Clone, Debug, Serialize)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

/// OCDS `Period`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
}

/// OCDS `Item`: what is bought (one service per tender).
#[derive(Debug, Serialize)]
pub struct Item {
    pub id: &'static str,
    pub description: String,
}

/// OCDS `Tender`. `tenderers` and `numberOfTenderers` appear only once bids are unsealed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tender {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: &'static str,
    pub procuring_entity: OrgRef,
    pub items: Vec<Item>,
    pub value: Value,
    pub procurement_method: &'static str,
    pub procurement_method_details: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procurement_method_rationale: Option<String>,
    pub main_procurement_category: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tender_period: Option<Period>,
    pub contract_period: Period,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_tenderers: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenderers: Option<Vec<OrgRef>>,
}

/// OCDS `Award`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Award {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub date: String,
    pub value: Value,
    pub suppliers: Vec<OrgRef>,
    pub contract_period: Period,
}

/// OCDS `Contract`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub id: String,
    #[serde(rename = "awardID")]
    pub award_id: String,
    pub title: String,
    pub status: &'static str,
    pub period: Period,
    pub value: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_signed: Option<String>,
    #[serde(skip_serializing_if = "Implementation::is_empty")]
    pub implementation: Implementation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<Amendment>,
}

/// OCDS `Implementation`: the contract's milestones and the payments made on it.
#[derive(Debug, Default, Serialize)]
pub struct Implementation {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<Transaction>,
}

impl Implementation {
    /// Nothing delivered or paid yet.
    pub fn is_empty(&self) -> bool {
        self.milestones.is_empty() && self.transactions.is_empty()
    }
}

/// OCDS `Milestone` (a deliverable of the contract, `type: delivery`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Milestone {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub due_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_met: Option<String>,
    pub date_modified: String,
    pub status: &'static str,
}

/// OCDS `Transaction`: a payment from the purchaser to the organisation.
#[derive(Debug, Serialize)]
pub struct Transaction {
    pub id: String,
    pub date: String,
    pub value: Value,
    pub payer: OrgRef,
    pub payee: OrgRef,
}

/// OCDS `Amendment`: a change of a contract's value or end date, with its reason.
#[derive(Debug, Serialize)]
pub struct Amendment {
    pub id: String,
    pub date: String,
    pub rationale: String,
    pub description: String,
}
