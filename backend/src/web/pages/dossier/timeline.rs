//! The dossier's timeline: everything that happened to a contract, oldest first, one function
//! per kind of record (the tender and its bids, the signing, amendments, posts and staffing,
//! milestones, reports and decisions, payment requests, payments, findings, the end), so that
//! each kind's wording can be read, and changed, on its own.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::rules::counts::to_i64;
use entity::rules::vocab::Decision;
use uuid::Uuid;

use crate::services::bids::Bid;
use crate::services::contracts::Amendment;
use crate::services::divisions;
use crate::services::dossier::{Dossier, DossierRequest};
use crate::services::findings::Finding;
use crate::services::milestones::Milestone;
use crate::services::posts::{Assignment, Post};
use crate::services::reports::Report;
use crate::services::tenders::Tender;
use crate::web::pages::reviews::ReportView;
use crate::web::ui::Ui;

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

impl Entry {
    /// An entry at the instant `at`, shown with its date and time, without details.
    fn at(ui: &Ui, at: DateTime<Utc>, kind: &'static str, title: String) -> Self {
        Entry::new(at, ui.datetime(&at), kind, title)
    }

    /// An entry on the local date `day`, shown as that date, without details.
    fn on(ui: &Ui, day: NaiveDate, kind: &'static str, title: String) -> Self {
        Entry::new(day_start(ui, day), ui.date(&day), kind, title)
    }

    fn new(at: DateTime<Utc>, when: String, kind: &'static str, title: String) -> Self {
        Entry {
            at,
            when,
            kind,
            title,
            details: Vec::new(),
            report: None,
            href: None,
        }
    }

    /// This entry with the lines `details` under its title.
    fn with(self, details: Vec<String>) -> Self {
        Entry { details, ..self }
    }

    /// This entry with its title a link to `href`.
    fn linked(self, href: String) -> Self {
        Entry {
            href: Some(href),
            ..self
        }
    }
}

/// The start of a local date, as an instant (for the timeline's order).
fn day_start(ui: &Ui, d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(ui.tz).earliest())
        .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc))
}

/// Builds the timeline of the dossier, oldest first (entries at the same instant in the order
/// of the sections below).
pub fn timeline(
    ui: &Ui,
    d: &Dossier,
    orgs: &HashMap<Uuid, String>,
    titles: &HashMap<Uuid, String>,
    division_names: &HashMap<String, String>,
    today: NaiveDate,
) -> Vec<Entry> {
    let mut out = match &d.tender {
        Some(t) => tender(ui, d, t, orgs),
        None => direct_award(ui, d).into_iter().collect(),
    };
    out.extend(signed(ui, d));
    out.extend(d.amendments.iter().map(|a| amended(ui, a)));
    out.extend(posts(ui, d, division_names));
    out.extend(staffing(ui, d, today));
    out.extend(due(ui, d, today));
    out.extend(reports(ui, d, titles));
    out.extend(
        d.payment_requests
            .iter()
            .flat_map(|r| request(ui, r, titles)),
    );
    out.extend(payments(ui, d, titles));
    out.extend(d.findings.iter().flat_map(|f| finding(ui, f)));
    out.extend(end(ui, d));
    out.sort_by_key(|e| e.at);
    out
}

/// The tender, its bids (the service gives them only after the deadline) and the award.
fn tender(ui: &Ui, d: &Dossier, t: &Tender, orgs: &HashMap<Uuid, String>) -> Vec<Entry> {
    let org = |id: &Uuid| orgs.get(id).cloned().unwrap_or_default();
    let mut out = Vec::new();
    if let Some(p) = t.published_at {
        out.push(published(ui, t, p));
    }
    out.push(Entry::at(
        ui,
        t.bid_deadline,
        "tender",
        ui.tn("dossier-bids-closed", to_i64(d.bids.len())),
    ));
    out.extend(
        d.bids
            .iter()
            .map(|b| bid(ui, t, b, org(&b.organisation_id))),
    );
    if let Some(won) = t
        .awarded_bid_id
        .and_then(|w| d.bids.iter().find(|b| b.id == w))
    {
        out.push(award(ui, d, t, won, org(&won.organisation_id)));
    }
    out
}

/// The award of tender `t` to bid `won` of the organisation named `org`.
fn award(ui: &Ui, d: &Dossier, t: &Tender, won: &Bid, org: String) -> Entry {
    // The award's time is its audit event's.
    let when = d
        .audit_events
        .iter()
        .find(|e| e.entity_id == t.id && e.action == "award")
        .map_or(t.bid_deadline, |e| e.at);
    Entry::at(ui, when, "award", ui.tname("dossier-award", &org)).with(vec![format!(
        "{} {}",
        ui.t("dossier-bid-amount"),
        ui.money(won.amount)
    )])
}

/// The tender's publication, at `at`: its method, ceiling and deadline.
fn published(ui: &Ui, t: &Tender, at: DateTime<Utc>) -> Entry {
    Entry::at(
        ui,
        at,
        "tender",
        ui.tname("dossier-tender-published", &t.title),
    )
    .with(vec![
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
    ])
    .linked(format!("/tenders/{}", t.id))
}

/// A bid of the organisation named `org`: its amount, its score, whether it won.
fn bid(ui: &Ui, t: &Tender, b: &Bid, org: String) -> Entry {
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
    Entry::at(ui, b.submitted_at, "bid", ui.tname("dossier-bid", &org)).with(details)
}

/// A contract awarded without a tender, with its reason, when its creation was recorded.
fn direct_award(ui: &Ui, d: &Dossier) -> Option<Entry> {
    let reason = d.contract.direct_award_reason.as_ref()?;
    let when = d
        .audit_events
        .iter()
        .find(|e| e.entity_id == d.contract.id && e.action == "create")?
        .at;
    Some(Entry::at(ui, when, "award", ui.t("dossier-direct-award")).with(vec![reason.clone()]))
}

/// The signing: the value signed and the contract's period.
fn signed(ui: &Ui, d: &Dossier) -> Option<Entry> {
    let s = d.contract.signed_at?;
    Some(
        Entry::at(ui, s, "sign", ui.t("dossier-signed")).with(vec![format!(
            "{} {} · {} {} – {}",
            ui.t("contract-value"),
            ui.money(d.contract.signed_value.unwrap_or(d.contract.value)),
            ui.t("contract-period"),
            ui.date(&d.contract.start_date),
            ui.date(&d.contract.end_date)
        )]),
    )
}

/// An amendment: the value and the end date before and after, and why.
fn amended(ui: &Ui, a: &Amendment) -> Entry {
    Entry::at(ui, a.created_at, "amendment", ui.t("dossier-amended")).with(vec![
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
    ])
}

/// The posts, from their start: funding and division.
fn posts<'a>(
    ui: &'a Ui,
    d: &'a Dossier,
    division_names: &'a HashMap<String, String>,
) -> impl Iterator<Item = Entry> + 'a {
    d.posts.iter().map(move |p| {
        Entry::on(ui, p.start_date, "post", ui.tname("dossier-post", &p.title))
            .with(vec![format!(
                "{} {} · {} {}",
                ui.t("dossier-post-funding"),
                ui.money(p.annual_funding),
                ui.t("dossier-post-division"),
                divisions::label(&p.division_code, division_names)
            )])
            .linked(format!("/contracts/{}/posts", d.contract.id))
    })
}

/// Who filled the posts, and who left them (up to today).
fn staffing(ui: &Ui, d: &Dossier, today: NaiveDate) -> Vec<Entry> {
    let posts: HashMap<Uuid, &Post> = d.posts.iter().map(|p| (p.id, p)).collect();
    let mut out = Vec::new();
    for a in &d.assignments {
        let post = posts.get(&a.post_id).map_or("", |p| p.title.as_str());
        out.extend(assignment(ui, a, post, today));
    }
    out
}

/// An assignment to the post titled `post`: its start, and its end once past.
fn assignment(ui: &Ui, a: &Assignment, post: &str, today: NaiveDate) -> Vec<Entry> {
    let mut out = vec![
        Entry::on(
            ui,
            a.from_date,
            "staff",
            ui.tname("dossier-staffed", &a.worker_name),
        )
        .with(vec![format!(
            "{post} · {}",
            ui.word("qualification", a.qualification.as_str())
        )]),
    ];
    if let Some(to) = a.to_date.filter(|t| *t <= today) {
        out.push(
            Entry::on(ui, to, "staff", ui.tname("dossier-left", &a.worker_name))
                .with(vec![post.to_string()]),
        );
    }
    out
}

/// The milestones fallen due (up to today): amount, status, days late.
fn due<'a>(ui: &'a Ui, d: &'a Dossier, today: NaiveDate) -> impl Iterator<Item = Entry> + 'a {
    d.milestones
        .iter()
        .filter(move |m| m.due_date <= today)
        .map(move |m| {
            let mut details = vec![format!(
                "{} {}",
                ui.t("milestone-amount"),
                ui.money(m.amount)
            )];
            details.push(ui.word("milestone-status", m.status.as_str()));
            if m.overdue {
                details.push(ui.tn("milestone-days-late", (today - m.due_date).num_days()));
            }
            Entry::on(ui, m.due_date, "due", ui.tname("dossier-due", &m.title))
                .with(details)
                .linked(format!("/milestones/{}", m.id))
        })
}

/// The reports, each shown whole, and their decisions with the scores they fixed.
fn reports(ui: &Ui, d: &Dossier, titles: &HashMap<Uuid, String>) -> Vec<Entry> {
    let milestones: HashMap<Uuid, &Milestone> = d.milestones.iter().map(|m| (m.id, m)).collect();
    let indicators = d.indicators.iter().map(|i| (i.id, i.clone())).collect();
    let mut out = Vec::new();
    for r in &d.reports {
        let title = titles.get(&r.milestone_id).cloned().unwrap_or_default();
        out.push(Entry {
            report: Some(ReportView::of(r.clone(), &indicators)),
            ..Entry::at(
                ui,
                r.submitted_at,
                "report",
                ui.tname("dossier-report", &title),
            )
            .linked(format!("/milestones/{}", r.milestone_id))
        });
        out.extend(decision(
            ui,
            r,
            milestones.get(&r.milestone_id).copied(),
            &title,
        ));
    }
    out
}

/// The decision on a report on `milestone` (titled `title`), if taken: an acceptance with the
/// score and the payable it fixed, the reviewer's comment.
fn decision(ui: &Ui, r: &Report, milestone: Option<&Milestone>, title: &str) -> Option<Entry> {
    let (Some(decision), Some(when)) = (r.decision, r.decided_at) else {
        return None;
    };
    let mut details = Vec::new();
    if decision == Decision::Accepted
        && let Some(m) = milestone
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
    let title = format!(
        "{} · {title}",
        ui.word("review-decision", decision.as_str())
    );
    Some(Entry::at(ui, when, "decision", title).with(details))
}

/// A payment request's steps, each with how long the request waited for it; the present step
/// of a request someone still has to act on says how long it has waited so far.
fn request(ui: &Ui, r: &DossierRequest, titles: &HashMap<Uuid, String>) -> Vec<Entry> {
    let q = &r.request;
    let what = paid_for(ui, titles, q.milestone_id);
    let amount = ui.money(q.amount);
    let last = r.steps.len().saturating_sub(1);
    let mut out = Vec::new();
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
        let key = format!("dossier-request-{}", s.step.replace('_', "-"));
        out.push(
            Entry::at(ui, s.at, "request", ui.tname(&key, &amount))
                .with(details)
                .linked(format!("/payment-requests/{}", q.id)),
        );
    }
    out
}

/// The payments, on the day paid: for what, and the voucher.
fn payments<'a>(
    ui: &'a Ui,
    d: &'a Dossier,
    titles: &'a HashMap<Uuid, String>,
) -> impl Iterator<Item = Entry> + 'a {
    d.payments.iter().map(move |p| {
        let what = paid_for(ui, titles, p.milestone_id);
        let title = ui.tname("dossier-payment", &ui.money(p.amount));
        Entry::on(ui, p.paid_on, "payment", title)
            .with(vec![
                what,
                format!("{} {}", ui.t("dossier-voucher"), p.voucher_no),
            ])
            .linked(format!("/contracts/{}/payments", d.contract.id))
    })
}

/// What a request or a payment is for: its milestone's title, or "advance".
fn paid_for(ui: &Ui, titles: &HashMap<Uuid, String>, milestone: Option<Uuid>) -> String {
    match milestone {
        Some(m) => titles.get(&m).cloned().unwrap_or_default(),
        None => ui.t("payment-advance"),
    }
}

/// A finding: recorded, answered, resolved.
fn finding(ui: &Ui, f: &Finding) -> Vec<Entry> {
    let severity = ui.word("finding-severity", f.severity.as_str());
    let entry = |at: DateTime<Utc>, key: &str, text: &str| {
        Entry::at(ui, at, "finding", ui.tname(key, &severity)).with(vec![text.to_string()])
    };
    let mut out = vec![entry(f.created_at, "dossier-finding", &f.text)];
    if let (Some(at), Some(r)) = (f.responded_at, &f.response) {
        out.push(entry(at, "dossier-finding-answered", r));
    }
    if let (Some(at), Some(r)) = (f.resolved_at, &f.resolution) {
        out.push(entry(at, "dossier-finding-resolved", r));
    }
    out
}

/// The contract's end, with its reason.
fn end<'a>(ui: &'a Ui, d: &'a Dossier) -> impl Iterator<Item = Entry> + 'a {
    d.audit_events
        .iter()
        .filter(move |e| {
            e.entity_id == d.contract.id
                && matches!(e.action.as_str(), "complete" | "terminate" | "cancel")
        })
        .map(move |e| {
            let title = ui.word("contracts-history-action", &e.action);
            Entry::at(ui, e.at, "end", title)
                .with(d.contract.status_reason.iter().cloned().collect())
        })
}
