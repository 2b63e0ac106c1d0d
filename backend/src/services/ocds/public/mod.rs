//! The public OCDS package (SPEC §8, `GET /public/ocds/releases`): the OCDS 1.1 releases of
//! what the notices show, built from the notices alone — one release per contracting process
//! (a tender, or a direct award) that has a notice. So it can hold nothing a notice does not:
//! no draft tender (a draft has no notice), no bid but the award, no milestone report, payment,
//! finding, audit event or person. A contract's status is the last one announced (signed, then
//! perhaps terminated).
//!
//! Streamed like the full export: pages of [`super::PAGE`] processes (keyset by process id,
//! three statements a page: the page's process ids, all their notices, their divisions'
//! names).

use std::collections::HashMap;

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use entity::Money;
use entity::model::notice;
use entity::rules::vocab::TenderMethod;
use futures::Stream;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde_json::json;
use uuid::Uuid;

use super::codelists::{CN_USCC, category_label, procurement_method, procurement_method_details};
use super::schema::{
    Award, Clock, Contract, Identifier, Implementation, Item, OrgRef, Party, Period, Release,
    Tender, Value,
};
use super::{LICENSE, PAGE};
use crate::error::{ApiError, ApiResult};
use crate::services::public::notices::Details;
use crate::state::AppState;

mod fold;

use fold::{Builder, supplier_ref};

/// A public package being written, chunk by chunk.
pub struct PublicExport {
    st: AppState,
    since: Option<DateTime<Utc>>,
    prefix: String,
    clock: Clock,
    uri: String,
    started: bool,
    done: bool,
    cursor: Option<Uuid>,
    releases: u64,
    latest: Option<DateTime<Utc>>,
}

impl PublicExport {
    /// The package of the processes with a notice at or after `since` (all without it).
    pub fn new(st: &AppState, since: Option<DateTime<Utc>>) -> Self {
        let mut uri = format!("{}/api/v1/public/ocds/releases", st.config.public_url());
        if let Some(s) = since {
            uri.push_str("?since=");
            uri.push_str(&s.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string());
        }
        PublicExport {
            st: st.clone(),
            since,
            prefix: st.config.ocid_prefix.clone(),
            clock: Clock { tz: st.config.tz },
            uri,
            started: false,
            done: false,
            cursor: None,
            releases: 0,
            latest: None,
        }
    }

    /// The next piece of the package's JSON text, or `None` once it is complete.
    pub async fn next_chunk(&mut self) -> ApiResult<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = Vec::new();
        if !self.started {
            self.started = true;
            let text = json!({
                "uri": self.uri,
                "version": "1.1",
                "publisher": {"name": "惠民 Huimin", "uri": self.st.config.public_url()},
                "license": LICENSE,
            })
            .to_string();
            buf.extend_from_slice(&text.as_bytes()[..text.len() - 1]);
            buf.extend_from_slice(b",\"releases\":[");
        }
        let db = &self.st.db;
        let q = notice::Entity::find()
            .select_only()
            .column(notice::Column::ProcessId)
            .apply_if(self.cursor, |q, c| {
                q.filter(notice::Column::ProcessId.gt(c))
            })
            .apply_if(self.since, |q, s| q.filter(notice::Column::At.gte(s)));
        let ids: Vec<Uuid> = q
            .group_by(notice::Column::ProcessId)
            .order_by_asc(notice::Column::ProcessId)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        self.cursor = ids.last().copied();
        if !ids.is_empty() {
            let rows = notice::Entity::find()
                .filter(notice::Column::ProcessId.is_in(ids.clone()))
                .order_by_asc(notice::Column::Id)
                .all(db)
                .await?;
            let codes: Vec<String> = rows.iter().map(|r| r.division_code.clone()).collect();
            let names = crate::services::divisions::names(db, &codes).await?;
            let mut by_process: HashMap<Uuid, Vec<notice::Model>> = HashMap::new();
            for r in rows {
                by_process.entry(r.process_id).or_default().push(r);
            }
            for id in &ids {
                let Some(ns) = by_process.get(id) else {
                    continue;
                };
                let r = self.release(*id, ns, &names)?;
                if self.releases > 0 {
                    buf.push(b',');
                }
                serde_json::to_writer(&mut buf, &r).map_err(ApiError::internal)?;
                self.releases += 1;
                self.latest = self.latest.max(Some(r.changed));
            }
        }
        if (ids.len() as u64) < PAGE {
            let published = self.clock.at(self.latest.unwrap_or_else(|| self.st.now()));
            buf.extend_from_slice(b"],\"publishedDate\":");
            serde_json::to_writer(&mut buf, &published).map_err(ApiError::internal)?;
            buf.extend_from_slice(b"}\n");
            self.done = true;
        }
        Ok(Some(buf))
    }

    /// The rest of the package as a body stream (an error after the first chunk cuts it
    /// short, logged).
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
        futures::stream::try_unfold(self, |mut export| async move {
            match export.next_chunk().await {
                Ok(Some(chunk)) => Ok(Some((Bytes::from(chunk), export))),
                Ok(None) => Ok(None),
                Err(e) => {
                    tracing::error!(error = %e, "the public OCDS export stopped");
                    Err(std::io::Error::other("the public OCDS export stopped"))
                }
            }
        })
    }

    /// The release of one process from its notices (oldest first).
    #[expect(
        clippy::too_many_lines,
        reason = "maps the fields of an OCDS release in the schema's order"
    )]
    fn release(
        &self,
        process: Uuid,
        notices: &[notice::Model],
        names: &HashMap<String, String>,
    ) -> ApiResult<Release> {
        let mut b = Builder::default();
        for n in notices {
            let kind = n.kind;
            let d: Details = serde_json::from_str(&n.body).map_err(ApiError::internal)?;
            b.see(&self.clock, n, kind, d)?;
        }
        let first = &notices[0];
        let category = first.service_category;
        let buyer = OrgRef {
            id: first.purchaser_id.to_string(),
            name: b.purchaser.clone(),
        };
        let mut parties = vec![Party {
            id: buyer.id.clone(),
            name: buyer.name.clone(),
            identifier: None,
            contact_point: None,
            roles: vec!["buyer", "procuringEntity"],
        }];
        for s in &b.suppliers {
            if !parties.iter().any(|p| p.id == supplier_ref(s).id) {
                parties.push(Party {
                    id: supplier_ref(s).id,
                    name: s.name.clone(),
                    identifier: Some(Identifier {
                        scheme: CN_USCC,
                        id: s.credit_code.clone(),
                        legal_name: s.name.clone(),
                    }),
                    contact_point: None,
                    roles: vec!["supplier"],
                });
            }
        }
        let item = Item {
            id: "1",
            description: format!(
                "{} ({}), {}",
                category_label(category),
                category.as_str(),
                crate::services::divisions::label(&first.division_code, names)
            ),
        };
        let tender = match b.published.take() {
            Some(p) => {
                let method = p.details.method.unwrap_or(TenderMethod::Open);
                Tender {
                    id: process.to_string(),
                    title: first.title.clone(),
                    description: p.details.description.filter(|d| !d.trim().is_empty()),
                    status: b.tender_status,
                    procuring_entity: buyer.clone(),
                    items: vec![item],
                    value: Value::cny(p.details.ceiling_amount.map_or(0, Money::fen)),
                    procurement_method: procurement_method(method),
                    procurement_method_details: procurement_method_details(method),
                    procurement_method_rationale: None,
                    main_procurement_category: "services",
                    tender_period: Some(Period {
                        start_date: Some(self.clock.at(p.at)),
                        end_date: p.details.bid_deadline.map(|t| self.clock.at(t)),
                    }),
                    contract_period: Period {
                        start_date: p.details.start_date.map(|d| self.clock.day_start(d)),
                        end_date: p.details.end_date.map(|d| self.clock.day_end(d)),
                    },
                    number_of_tenderers: None,
                    tenderers: None,
                }
            }
            // A direct award: its process is its contract, announced when signed.
            None => {
                let c = b.contracts.first();
                Tender {
                    id: process.to_string(),
                    title: first.title.clone(),
                    description: None,
                    status: "complete",
                    procuring_entity: buyer.clone(),
                    items: vec![item],
                    value: Value::cny(c.map_or(0, |c| c.signed_value)),
                    procurement_method: "direct",
                    procurement_method_details: "单一来源 (direct award)".into(),
                    procurement_method_rationale: b.direct_reason.clone(),
                    main_procurement_category: "services",
                    tender_period: None,
                    contract_period: Period {
                        start_date: c.and_then(|c| c.start.clone()),
                        end_date: c.and_then(|c| c.end.clone()),
                    },
                    number_of_tenderers: None,
                    tenderers: None,
                }
            }
        };
        let mut tags = Vec::new();
        let mut tag = |t: &'static str| {
            if !tags.contains(&t) {
                tags.push(t);
            }
        };
        if tender.tender_period.is_some() {
            tag("tender");
        }
        if tender.status == "cancelled" {
            tag("tenderCancellation");
        }
        let mut awards = Vec::new();
        let mut contracts = Vec::new();
        for a in b.awards {
            tag("award");
            if a.status == "cancelled" {
                tag("awardCancellation");
            }
            awards.push(a.award);
        }
        for c in b.contracts {
            tag("contract");
            if !c.amendments.is_empty() {
                tag("contractAmendment");
            }
            if c.terminated {
                tag("contractTermination");
            }
            if !awards.iter().any(|a: &Award| a.id == c.id) {
                // A direct award's award is its signing.
                tag("award");
                awards.push(Award {
                    id: c.id.clone(),
                    title: first.title.clone(),
                    status: "active",
                    date: c.signed.clone(),
                    value: Value::cny(c.signed_value),
                    suppliers: c.supplier.iter().map(supplier_ref).collect(),
                    contract_period: Period {
                        start_date: c.start.clone(),
                        end_date: c.end.clone(),
                    },
                });
            }
            contracts.push(Contract {
                award_id: c.id.clone(),
                id: c.id,
                title: first.title.clone(),
                status: if c.terminated { "terminated" } else { "active" },
                period: Period {
                    start_date: c.start,
                    end_date: c.end,
                },
                value: Value::cny(c.value),
                date_signed: Some(c.signed),
                implementation: Implementation::default(),
                amendments: c.amendments,
            });
        }
        for a in &mut awards {
            if a.status == "pending" && contracts.iter().any(|c| c.id == a.id) {
                a.status = "active";
            }
        }
        let ocid = format!("{}-{process}", self.prefix);
        let changed = b.latest.unwrap_or(first.at);
        Ok(Release {
            changed,
            id: format!(
                "{ocid}-{}",
                changed
                    .with_timezone(&self.clock.tz)
                    .format("%Y%m%dT%H%M%S%.6f")
            ),
            date: self.clock.at(changed),
            ocid,
            tag: tags,
            initiation_type: "tender",
            language: "zh",
            parties,
            buyer,
            tender,
            awards,
            contracts,
        })
    }
}
