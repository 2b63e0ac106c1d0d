//! A process's notices, oldest first, folded into what its public release shows: its publication,
//! its awards and contracts as announced, its suppliers.

use chrono::{DateTime, Utc};
use entity::Money;
use entity::model::notice;

use crate::error::ApiResult;
use crate::services::ocds::codelists::CN_USCC;
use crate::services::ocds::schema::{Amendment, Award, Clock, OrgRef, Period, Value};
use crate::services::public::notices::{Details, NoticeKind, Outcome, Supplier};

pub(super) fn supplier_ref(s: &Supplier) -> OrgRef {
    OrgRef {
        id: format!("{CN_USCC}-{}", s.credit_code),
        name: s.name.clone(),
    }
}

/// A tender's publication.
pub(super) struct Published {
    pub(super) at: DateTime<Utc>,
    pub(super) details: Details,
}

/// An award as its notices state it.
pub(super) struct AwardState {
    pub(super) status: &'static str,
    pub(super) award: Award,
}

/// A signed contract as its notices state it.
pub(super) struct ContractState {
    pub(super) id: String,
    pub(super) supplier: Option<Supplier>,
    pub(super) signed: String,
    pub(super) signed_value: i64,
    pub(super) value: i64,
    pub(super) start: Option<String>,
    pub(super) end: Option<String>,
    pub(super) terminated: bool,
    pub(super) amendments: Vec<Amendment>,
}

/// Folds a process's notices, oldest first, into what its release shows.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) purchaser: String,
    pub(super) published: Option<Published>,
    pub(super) tender_status: &'static str,
    pub(super) awards: Vec<AwardState>,
    pub(super) contracts: Vec<ContractState>,
    pub(super) suppliers: Vec<Supplier>,
    pub(super) direct_reason: Option<String>,
    pub(super) latest: Option<DateTime<Utc>>,
}

impl Builder {
    #[expect(
        clippy::too_many_lines,
        reason = "what the public may see of each OCDS field, in the schema's order"
    )]
    pub(super) fn see(
        &mut self,
        clock: &Clock,
        n: &notice::Model,
        kind: NoticeKind,
        d: Details,
    ) -> ApiResult<()> {
        self.latest = self.latest.max(Some(n.at));
        self.purchaser.clone_from(&d.purchaser);
        if let Some(s) = &d.supplier
            && !self.suppliers.contains(s)
        {
            self.suppliers.push(s.clone());
        }
        let contract_id = n.contract_id.map(|c| c.to_string()).unwrap_or_default();
        match kind {
            NoticeKind::TenderPublished => {
                self.tender_status = "active";
                self.published = Some(Published {
                    at: n.at,
                    details: d,
                });
            }
            NoticeKind::TenderResult => match d.outcome {
                Some(Outcome::Awarded) => {
                    self.tender_status = "complete";
                    self.awards.push(AwardState {
                        status: "pending",
                        award: Award {
                            id: contract_id,
                            title: n.title.clone(),
                            status: "pending",
                            date: clock.at(n.at),
                            value: Value::cny(d.amount.map_or(0, Money::fen)),
                            suppliers: d.supplier.iter().map(supplier_ref).collect(),
                            contract_period: Period {
                                start_date: d.start_date.map(|x| clock.day_start(x)),
                                end_date: d.end_date.map(|x| clock.day_end(x)),
                            },
                        },
                    });
                }
                Some(Outcome::AwardWithdrawn) => {
                    self.tender_status = "active";
                    for a in &mut self.awards {
                        if a.award.id == contract_id {
                            a.status = "cancelled";
                            a.award.status = "cancelled";
                        }
                    }
                }
                Some(Outcome::Unsuccessful) => self.tender_status = "unsuccessful",
                Some(Outcome::Cancelled) => self.tender_status = "cancelled",
                None => {}
            },
            NoticeKind::ContractSigned => {
                let value = d.amount.map_or(0, Money::fen);
                if d.direct_award_reason.is_some() {
                    self.direct_reason.clone_from(&d.direct_award_reason);
                }
                self.contracts.push(ContractState {
                    id: contract_id,
                    supplier: d.supplier.clone(),
                    signed: clock.at(n.at),
                    signed_value: value,
                    value,
                    start: d.start_date.map(|x| clock.day_start(x)),
                    end: d.end_date.map(|x| clock.day_end(x)),
                    terminated: false,
                    amendments: Vec::new(),
                });
            }
            NoticeKind::ContractAmended => {
                if let Some(c) = self.contracts.iter_mut().find(|c| c.id == contract_id) {
                    let mut changes = Vec::new();
                    if let (Some(old), Some(new)) = (d.previous_amount, d.amount) {
                        c.value = new.fen();
                        if old != new {
                            changes.push(format!(
                                "合同金额 {} → {} 元",
                                old.decimal(),
                                new.decimal()
                            ));
                        }
                    }
                    if let (Some(old), Some(new)) = (d.previous_end_date, d.end_date) {
                        c.end = Some(clock.day_end(new));
                        if old != new {
                            changes.push(format!("结束日期 {old} → {new}"));
                        }
                    }
                    c.amendments.push(Amendment {
                        id: n.id.to_string(),
                        date: clock.at(n.at),
                        rationale: d.reason.unwrap_or_default(),
                        description: changes.join("；"),
                    });
                }
            }
            NoticeKind::ContractTerminated => {
                if let Some(c) = self.contracts.iter_mut().find(|c| c.id == contract_id) {
                    c.terminated = true;
                }
            }
        }
        Ok(())
    }
}
