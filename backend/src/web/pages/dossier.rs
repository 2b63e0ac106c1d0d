//! `/contracts/{id}/dossier`: a contract's dossier as one page for an auditor — what
//! `GET /api/v1/contracts/{id}/dossier` answers, to the same roles (the purchaser's finance
//! officers, supervisors, admins): the anomalies found, the findings panel (a supervisor
//! records a finding and resolves an answered one; the officer answers), then the timeline of
//! everything that happened — the tender and its bids (after the deadline only: the service
//! leaves sealed bids out), the award, the signing, amendments, posts and staffing, reports
//! with their attachments and decisions with the scores, payment requests (each step with the
//! days it waited, returns with their comment), payments, findings — and the
//! milestones, the posts and the audit events in tables.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use entity::rules::counts::to_i64;
use entity::rules::vocab::{ContractStatus, Decision};
use uuid::Uuid;

use crate::auth::{Actor, Can, can};
use crate::error::ApiResult;
use crate::services::dossier::{self, Dossier};
use crate::services::milestones::Milestone;
use crate::services::posts::Post;
use crate::services::{divisions, names};
use crate::state::AppState;
use crate::store;
use crate::web::pages::contract_page::ContractHead;
use crate::web::pages::contracts::history::{Event, event};
use crate::web::pages::findings::FindingForms;
use crate::web::pages::reviews::ReportView;
use crate::web::ui::Ui;

/// The route of the dossier page (its findings' forms post to the findings pages' routes).
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/contracts/{id}/dossier", axum::routing::get(show))
}

/// One thing that happened to the contract.
#[derive(Debug, Clone)]
pub struct Entry {
    /// When, for the order (a date: its start in the installation's time zone).
    pub at: DateTime<Utc>,
    /// When, as the page shows it (a date, or a date and time).
    pub when: String,
    /// What kind of thing (`tender`, `bid`, `award`, `sign`, `amendment`, `post`, `staff`,
    /// `due`, `report`, `decision`, `payment`, `finding`, `end`): its style and its heading.
    pub kind: &'static str,
    pub title: String,
    pub details: Vec<String>,
    /// A report, shown whole (summary, measurements, attachments, decision).
    pub report: Option<ReportView>,
    pub href: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/dossier.html")]
pub struct DossierPage {
    pub ui: Ui,
    pub head: ContractHead,
    pub d: Dossier,
    /// The anomalies found, explained.
    pub flags: Vec<String>,
    pub timeline: Vec<Entry>,
    pub events: Vec<Event>,
    pub forms: FindingForms,
    /// Names of the milestones and posts by id.
    pub milestone_titles: HashMap<Uuid, String>,
    pub post_titles: HashMap<Uuid, String>,
    pub today: NaiveDate,
    /// The register's names of the contract's and its posts' divisions.
    pub division_names: HashMap<String, String>,
}

impl DossierPage {
    /// The title of a milestone.
    pub fn milestone(&self, id: &Uuid) -> &str {
        self.milestone_titles.get(id).map_or("", String::as_str)
    }

    /// The title of a post.
    pub fn post(&self, id: &Uuid) -> &str {
        self.post_titles.get(id).map_or("", String::as_str)
    }

    /// A division as the pages show it: its name and code (the bare code when unnamed).
    pub fn division(&self, code: &str) -> String {
        divisions::label(code, &self.division_names)
    }

    /// How many days `m` is late today.
    pub fn days_late(&self, m: &Milestone) -> i64 {
        (self.today - m.due_date).num_days()
    }

    /// A figure of the contract's budget line (`amount`, `committed` …) as money.
    pub fn line(&self, key: &str) -> String {
        self.d.budget_line[key]
            .as_str()
            .and_then(|v| v.parse::<rust_decimal::Decimal>().ok())
            .map(|v| self.ui.money(v))
            .unwrap_or_default()
    }

    /// Everything paid on the contract.
    pub fn paid_total(&self) -> entity::rules::money::Money {
        entity::rules::money::Money::from_fen(self.d.payments.iter().map(|p| p.amount.fen()).sum())
    }

    /// What was paid on a milestone.
    pub fn paid(&self, m: &Milestone) -> entity::rules::money::Money {
        entity::rules::money::Money::from_fen(
            self.d
                .payments
                .iter()
                .filter(|p| p.milestone_id == Some(m.id))
                .map(|p| p.amount.fen())
                .sum(),
        )
    }
}

/// The dossier's anomalies, each explained (the spending report's words for the same flags).
fn flags(ui: &Ui, d: &Dossier) -> Vec<String> {
    let f = &d.flags;
    let mut out = Vec::new();
    if f.all_milestones_overdue {
        out.push(ui.tn("spending-flag-contracts-all-milestones-overdue", 1));
    }
    if f.posts_vacant_over_30_days > 0 {
        out.push(ui.tn(
            "spending-flag-posts-vacant-over-30-days",
            to_i64(f.posts_vacant_over_30_days),
        ));
    }
    if f.without_indicators && d.contract.status != ContractStatus::Draft {
        out.push(ui.tn("spending-flag-contracts-without-indicators", 1));
    }
    if f.budget_line_over_90_percent {
        out.push(ui.tn("spending-flag-budget-lines-over-90-percent", 1));
    }
    if f.open_findings >= 2 {
        out.push(ui.tn("dossier-flag-open-findings", to_i64(f.open_findings)));
    }
    if f.payments_before_acceptance > 0 {
        out.push(ui.tn(
            "spending-flag-payments-before-acceptance",
            to_i64(f.payments_before_acceptance),
        ));
    }
    if f.requests_approved_by_accepter > 0 {
        out.push(ui.tn(
            "spending-flag-requests-approved-by-accepter",
            to_i64(f.requests_approved_by_accepter),
        ));
    }
    out
}

/// The start of a local date, as an instant (for the timeline's order).
fn day_start(ui: &Ui, d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(ui.tz).earliest())
        .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc))
}

/// Builds the timeline of the dossier, oldest first.
fn timeline(
    ui: &Ui,
    d: &Dossier,
    orgs: &HashMap<Uuid, String>,
    titles: &HashMap<Uuid, String>,
    division_names: &HashMap<String, String>,
    today: NaiveDate,
) -> Vec<Entry> {
    let mut out = Vec::new();
    let at = |t: DateTime<Utc>| (t, ui.datetime(&t));
    let on = |day: NaiveDate| (day_start(ui, day), ui.date(&day));
    let mut push = |(at, when): (DateTime<Utc>, String),
                    kind: &'static str,
                    title: String,
                    details: Vec<String>,
                    href: Option<String>| {
        out.push(Entry {
            at,
            when,
            kind,
            title,
            details,
            report: None,
            href,
        });
    };
    let org = |id: &Uuid| orgs.get(id).cloned().unwrap_or_default();
    // The tender, its bids (the service gives them only after the deadline) and the award.
    if let Some(t) = &d.tender {
        if let Some(p) = t.published_at {
            push(
                at(p),
                "tender",
                ui.tname("dossier-tender-published", &t.title),
                vec![
                    format!(
                        "{} · {} {}",
                        ui.word("tender-method", t.method.as_str()),
                        ui.t("org-home-ceiling"),
                        ui.money(t.ceiling_amount)
                    ),
                    format!(
                        "{} {}",
                        ui.t("org-home-deadline"),
                        ui.datetime(&t.bid_deadline)
                    ),
                ],
                Some(format!("/tenders/{}", t.id)),
            );
        }
        push(
            at(t.bid_deadline),
            "tender",
            ui.tn("dossier-bids-closed", to_i64(d.bids.len())),
            Vec::new(),
            None,
        );
        for b in &d.bids {
            let mut details = vec![format!(
                "{} {}",
                ui.t("dossier-bid-amount"),
                ui.money(b.amount)
            )];
            if let Some(s) = b.score {
                details.push(format!("{} {s}", ui.t("dossier-bid-score")));
            }
            if t.awarded_bid_id == Some(b.id) {
                details.push(ui.t("dossier-bid-won"));
            }
            push(
                at(b.submitted_at),
                "bid",
                ui.tname("dossier-bid", &org(&b.organisation_id)),
                details,
                None,
            );
        }
        if let Some(won) = t
            .awarded_bid_id
            .and_then(|w| d.bids.iter().find(|b| b.id == w))
        {
            // The award's time is its audit event's.
            let when = d
                .audit_events
                .iter()
                .find(|e| e.entity_id == t.id && e.action == "award")
                .map_or(t.bid_deadline, |e| e.at);
            push(
                at(when),
                "award",
                ui.tname("dossier-award", &org(&won.organisation_id)),
                vec![format!(
                    "{} {}",
                    ui.t("dossier-bid-amount"),
                    ui.money(won.amount)
                )],
                None,
            );
        }
    } else if let Some(reason) = &d.contract.direct_award_reason {
        let when = d
            .audit_events
            .iter()
            .find(|e| e.entity_id == d.contract.id && e.action == "create")
            .map(|e| e.at);
        if let Some(when) = when {
            push(
                at(when),
                "award",
                ui.t("dossier-direct-award"),
                vec![reason.clone()],
                None,
            );
        }
    }
    if let Some(s) = d.contract.signed_at {
        push(
            at(s),
            "sign",
            ui.t("dossier-signed"),
            vec![format!(
                "{} {} · {} {} – {}",
                ui.t("contract-value"),
                ui.money(d.contract.signed_value.unwrap_or(d.contract.value)),
                ui.t("contract-period"),
                ui.date(&d.contract.start_date),
                ui.date(&d.contract.end_date)
            )],
            None,
        );
    }
    for a in &d.amendments {
        push(
            at(a.created_at),
            "amendment",
            ui.t("dossier-amended"),
            vec![
                format!(
                    "{} {} → {}",
                    ui.t("contract-value"),
                    ui.money(a.old_value),
                    ui.money(a.new_value)
                ),
                format!(
                    "{} {} → {}",
                    ui.t("dossier-end-date"),
                    ui.date(&a.old_end_date),
                    ui.date(&a.new_end_date)
                ),
                a.reason.clone(),
            ],
            None,
        );
    }
    // Posts and who filled them.
    let posts: HashMap<Uuid, &Post> = d.posts.iter().map(|p| (p.id, p)).collect();
    for p in &d.posts {
        push(
            on(p.start_date),
            "post",
            ui.tname("dossier-post", &p.title),
            vec![format!(
                "{} {} · {} {}",
                ui.t("dossier-post-funding"),
                ui.money(p.annual_funding),
                ui.t("dossier-post-division"),
                divisions::label(&p.division_code, division_names)
            )],
            Some(format!("/contracts/{}/posts", d.contract.id)),
        );
    }
    for a in &d.assignments {
        let post = posts.get(&a.post_id).map_or("", |p| p.title.as_str());
        push(
            on(a.from_date),
            "staff",
            ui.tname("dossier-staffed", &a.worker_name),
            vec![format!(
                "{post} · {}",
                ui.word("qualification", a.qualification.as_str())
            )],
            None,
        );
        if let Some(to) = a.to_date.filter(|t| *t <= today) {
            push(
                on(to),
                "staff",
                ui.tname("dossier-left", &a.worker_name),
                vec![post.to_string()],
                None,
            );
        }
    }
    // Milestones fallen due, reports with their decisions and the scores they fixed.
    for m in &d.milestones {
        if m.due_date <= today {
            let mut details = vec![format!(
                "{} {}",
                ui.t("milestone-amount"),
                ui.money(m.amount)
            )];
            details.push(ui.word("milestone-status", m.status.as_str()));
            if m.overdue {
                details.push(ui.tn("milestone-days-late", (today - m.due_date).num_days()));
            }
            push(
                on(m.due_date),
                "due",
                ui.tname("dossier-due", &m.title),
                details,
                Some(format!("/milestones/{}", m.id)),
            );
        }
    }
    let milestones: HashMap<Uuid, &Milestone> = d.milestones.iter().map(|m| (m.id, m)).collect();
    let indicators = d.indicators.iter().map(|i| (i.id, i.clone())).collect();
    for r in &d.reports {
        let title = titles.get(&r.milestone_id).cloned().unwrap_or_default();
        out.push(Entry {
            at: r.submitted_at,
            when: ui.datetime(&r.submitted_at),
            kind: "report",
            title: ui.tname("dossier-report", &title),
            details: Vec::new(),
            report: Some(ReportView::of(r.clone(), &indicators)),
            href: Some(format!("/milestones/{}", r.milestone_id)),
        });
        if let (Some(decision), Some(when)) = (r.decision, r.decided_at) {
            let mut details = Vec::new();
            if decision == Decision::Accepted
                && let Some(m) = milestones.get(&r.milestone_id)
            {
                if let Some(s) = m.score {
                    details.push(format!("{} {s}", ui.t("dossier-score")));
                }
                if let Some(p) = m.payable {
                    details.push(format!("{} {}", ui.t("dossier-payable"), ui.money(p)));
                }
            }
            if let Some(c) = &r.review_comment {
                details.push(c.clone());
            }
            out.push(Entry {
                at: when,
                when: ui.datetime(&when),
                kind: "decision",
                title: format!(
                    "{} · {title}",
                    ui.word("review-decision", decision.as_str())
                ),
                details,
                report: None,
                href: None,
            });
        }
    }
    let mut push = |e: Entry| out.push(e);
    // Payment requests: each step, with how long the request waited for it; the present
    // step of a request someone still has to act on says how long it has waited so far.
    for r in &d.payment_requests {
        let q = &r.request;
        let what = match q.milestone_id {
            Some(m) => titles.get(&m).cloned().unwrap_or_default(),
            None => ui.t("payment-advance"),
        };
        let amount = ui.money(q.amount);
        let last = r.steps.len().saturating_sub(1);
        for (i, s) in r.steps.iter().enumerate() {
            let mut details = vec![format!(
                "{what} · {} {}",
                ui.t("dossier-request-invoice"),
                q.invoice_no
            )];
            if i > 0 {
                details.push(ui.tn("dossier-request-waited", s.waited_days));
            }
            if let Some(c) = &s.comment {
                details.push(ui.tname("dossier-request-comment", c));
            }
            if i == last
                && let Some(days) = r.waiting_days
            {
                details.push(ui.tn("dossier-request-waiting", days));
            }
            push(Entry {
                at: s.at,
                when: ui.datetime(&s.at),
                kind: "request",
                title: ui.tname(
                    &format!("dossier-request-{}", s.step.replace('_', "-")),
                    &amount,
                ),
                details,
                report: None,
                href: Some(format!("/payment-requests/{}", q.id)),
            });
        }
    }
    for p in &d.payments {
        let what = match p.milestone_id {
            Some(m) => titles.get(&m).cloned().unwrap_or_default(),
            None => ui.t("payment-advance"),
        };
        push(Entry {
            at: day_start(ui, p.paid_on),
            when: ui.date(&p.paid_on),
            kind: "payment",
            title: ui.tname("dossier-payment", &ui.money(p.amount)),
            details: vec![
                what,
                format!("{} {}", ui.t("dossier-voucher"), p.voucher_no),
            ],
            report: None,
            href: Some(format!("/contracts/{}/payments", d.contract.id)),
        });
    }
    for f in &d.findings {
        let severity = ui.word("finding-severity", f.severity.as_str());
        let entry = |at: DateTime<Utc>, key: &str, text: &str| Entry {
            at,
            when: ui.datetime(&at),
            kind: "finding",
            title: ui.tname(key, &severity),
            details: vec![text.to_string()],
            report: None,
            href: None,
        };
        push(entry(f.created_at, "dossier-finding", &f.text));
        if let (Some(at), Some(r)) = (f.responded_at, &f.response) {
            push(entry(at, "dossier-finding-answered", r));
        }
        if let (Some(at), Some(r)) = (f.resolved_at, &f.resolution) {
            push(entry(at, "dossier-finding-resolved", r));
        }
    }
    // The contract's end, with its reason.
    for e in d.audit_events.iter().filter(|e| {
        e.entity_id == d.contract.id
            && matches!(e.action.as_str(), "complete" | "terminate" | "cancel")
    }) {
        push(Entry {
            at: e.at,
            when: ui.datetime(&e.at),
            kind: "end",
            title: ui.word("contracts-history-action", &e.action),
            details: d.contract.status_reason.iter().cloned().collect(),
            report: None,
            href: None,
        });
    }
    out.sort_by_key(|e| e.at);
    out
}

/// The dossier page of contract `id` with the findings' forms of `forms`.
pub async fn render(
    st: &AppState,
    actor: &Actor,
    ui: Ui,
    id: Uuid,
    mut forms: FindingForms,
) -> ApiResult<Response> {
    let (head, d) = tokio::try_join!(
        ContractHead::load(st, actor, id, "dossier"),
        dossier::get(st, actor, id),
    )?;
    let codes: Vec<String> = std::iter::once(d.contract.division_code.clone())
        .chain(d.posts.iter().map(|p| p.division_code.clone()))
        .collect();
    let (orgs, users, division_names) = tokio::try_join!(
        names::organisations(&st.db, d.bids.iter().map(|b| b.organisation_id)),
        names::users(
            &st.db,
            d.audit_events.iter().filter_map(|e| e.actor_user_id)
        ),
        async { Ok::<_, crate::error::ApiError>(divisions::names(&st.db, &codes).await?) },
    )?;
    let today = store::today(st);
    let milestone_titles: HashMap<Uuid, String> = d
        .milestones
        .iter()
        .map(|m| (m.id, m.title.clone()))
        .collect();
    let post_titles = d.posts.iter().map(|p| (p.id, p.title.clone())).collect();
    let timeline = timeline(&ui, &d, &orgs, &milestone_titles, &division_names, today);
    let events = d
        .audit_events
        .iter()
        .rev()
        .map(|e| event(&ui, &users, id, e))
        .collect();
    forms.back = format!("/contracts/{id}/dossier");
    let page = DossierPage {
        flags: flags(&ui, &d),
        timeline,
        events,
        forms,
        milestone_titles,
        post_titles,
        today,
        division_names,
        head,
        d,
        ui,
    };
    Ok((page.forms.fb.status, page).into_response())
}

/// `GET /contracts/{id}/dossier`.
pub async fn show(
    State(st): State<AppState>,
    actor: Can<can::ReadSpending>,
    ui: Ui,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let forms = FindingForms::of(&actor, String::new());
    render(&st, &actor, ui, id, forms).await
}
