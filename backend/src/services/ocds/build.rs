//! From Huimin's rows to OCDS releases: the assembly of one release per tender and per direct
//! award (the codelists they map to are [`super::codelists`]'s). Pure: the rows come from
//! [`super::load`].
//!
//! What never reaches a release: bids before the tender's deadline (not even their number),
//! bid amounts at any time (only the awarded amount, as the award's value), proposals, and
//! anything about the people filling posts (the loader never reads those tables).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::Money;
use entity::model::{amendment, contract, milestone, organisation, payment, purchaser, tender};
use entity::rules::vocab::{ContractStatus, MilestoneStatus, TenderStatus};
use uuid::Uuid;

use super::codelists::{
    CN_USCC, award_status, category_label, contract_status, milestone_status, procurement_method,
    procurement_method_details, tender_status,
};
use super::load::Batch;
use super::schema::{
    Amendment, Award, Clock, ContactPoint, Contract, Identifier, Implementation, Item, Milestone,
    OrgRef, Party, Period, Release, Tender, Transaction, Value,
};
use crate::error::ApiResult;

/// What every release of one export shares.
pub struct Context {
    /// `HUIMIN_OCID_PREFIX`.
    pub prefix: String,
    pub clock: Clock,
    /// When the export started: bids whose tender's deadline is later stay sealed.
    pub now: DateTime<Utc>,
    /// The local date of `now`, for overdue milestones.
    pub today: NaiveDate,
}

/// The parties of one release, each once, with the roles it plays, in order of appearance.
#[derive(Default)]
struct Parties(Vec<Party>);

impl Parties {
    fn purchaser(&mut self, batch: &Batch, id: Uuid, role: &'static str) -> OrgRef {
        let p: Option<&purchaser::Model> = batch.purchasers.get(&id);
        let r = OrgRef {
            id: id.to_string(),
            name: p.map(|p| p.name.clone()).unwrap_or_default(),
        };
        self.add(&r, role, || Party {
            id: r.id.clone(),
            name: r.name.clone(),
            identifier: None,
            contact_point: p.map(|p| ContactPoint {
                email: p.contact_email.clone(),
            }),
            roles: Vec::new(),
        });
        r
    }

    fn organisation(&mut self, batch: &Batch, id: Uuid, role: &'static str) -> OrgRef {
        let o: Option<&organisation::Model> = batch.organisations.get(&id);
        let r = match o {
            Some(o) => OrgRef {
                id: format!("{CN_USCC}-{}", o.credit_code),
                name: o.name.clone(),
            },
            None => OrgRef {
                id: id.to_string(),
                name: String::new(),
            },
        };
        self.add(&r, role, || Party {
            id: r.id.clone(),
            name: r.name.clone(),
            identifier: o.map(|o| Identifier {
                scheme: CN_USCC,
                id: o.credit_code.clone(),
                legal_name: o.name.clone(),
            }),
            contact_point: None,
            roles: Vec::new(),
        });
        r
    }

    fn add(&mut self, r: &OrgRef, role: &'static str, new: impl FnOnce() -> Party) {
        let i = match self.0.iter().position(|p| p.id == r.id) {
            Some(i) => i,
            None => {
                self.0.push(new());
                self.0.len() - 1
            }
        };
        if !self.0[i].roles.contains(&role) {
            self.0[i].roles.push(role);
        }
    }
}

/// The tags of a release (closed `releaseTag` codelist), from what it holds.
#[derive(Default)]
struct Tags(Vec<&'static str>);

impl Tags {
    fn add(&mut self, tag: &'static str) {
        if !self.0.contains(&tag) {
            self.0.push(tag);
        }
    }
}

/// The latest change to anything a release shows: its `date`, and the suffix of its `id`.
struct Latest(DateTime<Utc>);

impl Latest {
    fn see(&mut self, t: DateTime<Utc>) {
        if t > self.0 {
            self.0 = t;
        }
    }
}

/// The release of a tender: its process from planning to the contracts it led to.
#[expect(
    clippy::too_many_lines,
    reason = "maps the fields of an OCDS release in the schema's order"
)]
pub fn tender_release(cx: &Context, batch: &Batch, t: &tender::Model) -> ApiResult<Release> {
    let status = t.status;
    let method = t.method;
    let category = t.service_category;
    let mut parties = Parties::default();
    let mut tags = Tags::default();
    let mut latest = Latest(t.updated_at);
    let buyer = parties.purchaser(batch, t.purchaser_id, "buyer");
    parties.purchaser(batch, t.purchaser_id, "procuringEntity");
    tags.add(match status {
        TenderStatus::Draft => "planning",
        _ => "tender",
    });
    if status == TenderStatus::Cancelled {
        tags.add("tenderCancellation");
    }

    // Sealed until the deadline: no tenderer, no count.
    let unsealed = status != TenderStatus::Draft && cx.now >= t.bid_deadline;
    let tenderers = if unsealed {
        let bids = batch.bids.get(&t.id).map(Vec::as_slice).unwrap_or_default();
        let mut refs: Vec<OrgRef> = Vec::with_capacity(bids.len());
        for b in bids {
            let r = parties.organisation(batch, b.organisation_id, "tenderer");
            if !refs.iter().any(|x| x.id == r.id) {
                refs.push(r);
            }
        }
        Some(refs)
    } else {
        None
    };

    let mut awards = Vec::new();
    let mut contracts = Vec::new();
    for c in batch.contracts_of(t.id) {
        // An award's value is the bid it took (unsealed by then), else the contract's first.
        let bid_fen = c.bid_id.and_then(|id| {
            batch
                .bids
                .get(&t.id)
                .and_then(|bids| bids.iter().find(|b| b.id == id))
                .map(|b| b.amount_fen)
        });
        let (award, contract) =
            award_and_contract(cx, batch, c, bid_fen, &mut parties, &mut tags, &mut latest)?;
        awards.push(award);
        contracts.push(contract);
    }

    let tender = Tender {
        id: t.id.to_string(),
        title: t.title.clone(),
        description: Some(t.description.clone()).filter(|d| !d.trim().is_empty()),
        status: tender_status(status),
        procuring_entity: buyer.clone(),
        items: vec![Item {
            id: "1",
            description: format!(
                "{} ({}), {}",
                category_label(category),
                category.as_str(),
                crate::services::divisions::label(&t.division_code, &batch.divisions)
            ),
        }],
        value: Value::cny(t.ceiling_fen),
        procurement_method: procurement_method(method),
        procurement_method_details: procurement_method_details(method),
        procurement_method_rationale: None,
        main_procurement_category: "services",
        tender_period: Some(Period {
            start_date: t.published_at.map(|p| cx.clock.at(p)),
            end_date: Some(cx.clock.at(t.bid_deadline)),
        }),
        contract_period: Period {
            start_date: Some(cx.clock.day_start(t.service_start)),
            end_date: Some(cx.clock.day_end(t.service_end)),
        },
        number_of_tenderers: tenderers.as_ref().map(Vec::len),
        tenderers,
    };
    let ocid = format!("{}-{}", cx.prefix, t.id);
    Ok(Release {
        changed: latest.0,
        id: release_id(cx, &ocid, latest.0),
        date: cx.clock.at(latest.0),
        ocid,
        tag: tags.0,
        initiation_type: "tender",
        language: "zh",
        parties: parties.0,
        buyer,
        tender,
        awards,
        contracts,
    })
}

/// The release of a direct award (a contract without a tender): a `direct` process whose
/// rationale is the recorded reason.
pub fn direct_release(cx: &Context, batch: &Batch, c: &contract::Model) -> ApiResult<Release> {
    let status = c.status;
    let category = c.service_category;
    let mut parties = Parties::default();
    let mut tags = Tags::default();
    let mut latest = Latest(c.updated_at);
    let buyer = parties.purchaser(batch, c.purchaser_id, "buyer");
    parties.purchaser(batch, c.purchaser_id, "procuringEntity");
    let first_value = first_value_fen(batch, c);
    let (award, contract) =
        award_and_contract(cx, batch, c, None, &mut parties, &mut tags, &mut latest)?;
    let tender = Tender {
        id: c.id.to_string(),
        title: c.title.clone(),
        description: None,
        status: match status {
            ContractStatus::Draft => "active",
            ContractStatus::Cancelled => "cancelled",
            _ => "complete",
        },
        procuring_entity: buyer.clone(),
        items: vec![Item {
            id: "1",
            description: format!(
                "{} ({}), {}",
                category_label(category),
                category.as_str(),
                crate::services::divisions::label(&c.division_code, &batch.divisions)
            ),
        }],
        value: Value::cny(first_value),
        procurement_method: "direct",
        procurement_method_details: "单一来源 (direct award)".into(),
        procurement_method_rationale: c.direct_award_reason.clone(),
        main_procurement_category: "services",
        tender_period: None,
        contract_period: Period {
            start_date: Some(cx.clock.day_start(c.start_date)),
            end_date: Some(cx.clock.day_end(c.end_date)),
        },
        number_of_tenderers: None,
        tenderers: None,
    };
    let ocid = format!("{}-{}", cx.prefix, c.id);
    Ok(Release {
        changed: latest.0,
        id: release_id(cx, &ocid, latest.0),
        date: cx.clock.at(latest.0),
        ocid,
        tag: tags.0,
        initiation_type: "tender",
        language: "zh",
        parties: parties.0,
        buyer,
        tender,
        awards: vec![award],
        contracts: vec![contract],
    })
}

/// A release's id: unique per release, and new whenever anything in it changes.
fn release_id(cx: &Context, ocid: &str, latest: DateTime<Utc>) -> String {
    format!(
        "{ocid}-{}",
        latest
            .with_timezone(&cx.clock.tz)
            .format("%Y%m%dT%H%M%S%.6f")
    )
}

/// The value a contract was awarded at: before its first amendment, or as it is.
fn first_value_fen(batch: &Batch, c: &contract::Model) -> i64 {
    batch
        .amendments
        .get(&c.id)
        .and_then(|a| a.first())
        .map_or(c.value_fen, |a| a.old_value_fen)
}

/// The award a contract came from and the contract itself (id of both: the contract's).
#[expect(
    clippy::too_many_lines,
    reason = "maps the fields of an OCDS release in the schema's order"
)]
fn award_and_contract(
    cx: &Context,
    batch: &Batch,
    c: &contract::Model,
    bid_fen: Option<i64>,
    parties: &mut Parties,
    tags: &mut Tags,
    latest: &mut Latest,
) -> ApiResult<(Award, Contract)> {
    let status = c.status;
    latest.see(c.updated_at);
    let supplier = parties.organisation(batch, c.organisation_id, "supplier");
    tags.add("award");
    tags.add("contract");
    if status == ContractStatus::Cancelled {
        tags.add("awardCancellation");
    }
    let period = || Period {
        start_date: Some(cx.clock.day_start(c.start_date)),
        end_date: Some(cx.clock.day_end(c.end_date)),
    };
    let award = Award {
        id: c.id.to_string(),
        title: c.title.clone(),
        status: award_status(status),
        date: cx.clock.at(c.created_at),
        value: Value::cny(bid_fen.unwrap_or_else(|| first_value_fen(batch, c))),
        suppliers: vec![supplier.clone()],
        contract_period: period(),
    };

    let mut implementation = Implementation::default();
    for m in batch
        .milestones
        .get(&c.id)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        implementation.milestones.push(milestone(cx, m)?);
        latest.see(m.updated_at);
    }
    let payments: &[payment::Model] = batch
        .payments
        .get(&c.id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !payments.is_empty() {
        let payer = parties.purchaser(batch, c.purchaser_id, "payer");
        let payee = parties.organisation(batch, c.organisation_id, "payee");
        for p in payments {
            implementation.transactions.push(Transaction {
                id: p.id.to_string(),
                date: cx.clock.day_start(p.paid_on),
                value: Value::cny(p.amount_fen),
                payer: payer.clone(),
                payee: payee.clone(),
            });
            latest.see(p.created_at);
        }
    }
    if !implementation.is_empty() {
        tags.add("implementation");
    }
    let amendments: Vec<Amendment> = batch
        .amendments
        .get(&c.id)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            latest.see(a.created_at);
            amendment(cx, a)
        })
        .collect();
    if !amendments.is_empty() {
        tags.add("contractAmendment");
    }
    if matches!(
        status,
        ContractStatus::Completed | ContractStatus::Terminated
    ) {
        tags.add("contractTermination");
    }
    let contract = Contract {
        id: c.id.to_string(),
        award_id: c.id.to_string(),
        title: c.title.clone(),
        status: contract_status(status),
        period: period(),
        value: Value::cny(c.value_fen),
        date_signed: c.signed_at.map(|t| cx.clock.at(t)),
        implementation,
        amendments,
    };
    Ok((award, contract))
}

fn milestone(cx: &Context, m: &milestone::Model) -> ApiResult<Milestone> {
    let status = m.status;
    Ok(Milestone {
        id: m.id.to_string(),
        title: m.title.clone(),
        kind: "delivery",
        description: Some(m.description.clone()).filter(|d| !d.trim().is_empty()),
        due_date: cx.clock.day_end(m.due_date),
        date_met: m
            .accepted_at
            .filter(|_| status == MilestoneStatus::Accepted)
            .map(|t| cx.clock.at(t)),
        date_modified: cx.clock.at(m.updated_at),
        status: milestone_status(status, m.due_date, cx.today),
    })
}

fn amendment(cx: &Context, a: &amendment::Model) -> Amendment {
    let mut changes = Vec::new();
    if a.old_value_fen != a.new_value_fen {
        changes.push(format!(
            "合同金额 {} → {} 元",
            Money::from_fen(a.old_value_fen).decimal(),
            Money::from_fen(a.new_value_fen).decimal()
        ));
    }
    if a.old_end_date != a.new_end_date {
        changes.push(format!("结束日期 {} → {}", a.old_end_date, a.new_end_date));
    }
    Amendment {
        id: a.id.to_string(),
        date: cx.clock.at(a.created_at),
        rationale: a.reason.clone(),
        description: changes.join("；"),
    }
}

/// Rows of one batch grouped by their parent's id.
pub fn group<K, T>(rows: Vec<T>, key: impl Fn(&T) -> K) -> HashMap<K, Vec<T>>
where
    K: std::hash::Hash + Eq,
{
    let mut out: HashMap<K, Vec<T>> = HashMap::new();
    for r in rows {
        out.entry(key(&r)).or_default().push(r);
    }
    out
}
