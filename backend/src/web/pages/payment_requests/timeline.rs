//! A payment request's timeline, read from its own record: submitted (or resubmitted after a
//! return), verified, approved once or twice, then returned, withdrawn or paid — each step with
//! who took it and when.

use std::collections::HashMap;

use entity::rules::vocab::PaymentRequestStatus;
use uuid::Uuid;

use crate::services::payment_requests::PaymentRequest;
use crate::services::payments::Payment;
use crate::web::ui::Ui;

/// One step of a request's timeline.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its kind, for its mark (`submit`, `verify`, `approve`, `return`, `withdraw`, `pay`).
    pub kind: &'static str,
    pub label: String,
    pub who: Option<String>,
    pub at: String,
    pub detail: Option<String>,
    /// A link to what it made (the payment).
    pub link: Option<(String, String)>,
}

impl Step {
    /// A step of kind `kind`, `label`, taken by `who` at `at`, without detail or link.
    fn new(kind: &'static str, label: String, who: Option<String>, at: String) -> Self {
        Step {
            kind,
            label,
            who,
            at,
            detail: None,
            link: None,
        }
    }
}

/// The timeline of `r` from its own record: each step with who took it and when.
pub(super) fn timeline(
    ui: &Ui,
    r: &PaymentRequest,
    users: &HashMap<Uuid, String>,
    payment: Option<&Payment>,
) -> Vec<Step> {
    let who = |u: Option<Uuid>| u.and_then(|u| users.get(&u).cloned());
    let mut steps = vec![submitted(ui, r, who(Some(r.submitted_by)))];
    if let Some(at) = r.verified_at {
        let label = ui.t("pr-step-verified");
        steps.push(Step::new(
            "verify",
            label,
            who(r.verified_by),
            ui.datetime(&at),
        ));
    }
    if let Some(at) = r.approved_at {
        let label = ui.t(if r.needs_second_approval {
            "pr-step-first-approval"
        } else {
            "pr-step-approved"
        });
        steps.push(Step::new(
            "approve",
            label,
            who(r.approved_by),
            ui.datetime(&at),
        ));
    }
    if let Some(at) = r.second_approved_at {
        let label = ui.t("pr-step-second-approval");
        let by = who(r.second_approved_by);
        steps.push(Step::new("approve", label, by, ui.datetime(&at)));
    }
    let at = ui.datetime(&r.status_changed_at);
    match r.status {
        PaymentRequestStatus::Returned => steps.push(returned(ui, r, who(r.returned_by), at)),
        PaymentRequestStatus::Withdrawn => {
            steps.push(Step::new("withdraw", ui.t("pr-step-withdrawn"), None, at));
        }
        PaymentRequestStatus::Paid => {
            let by = payment.and_then(|p| who(Some(p.recorded_by)));
            steps.push(paid(ui, r, payment, by, at));
        }
        _ => {}
    }
    steps
}

/// The submission by `who`, or the resubmission of a request returned before and corrected
/// since (with the earlier return's comment), or its making by the migration.
fn submitted(ui: &Ui, r: &PaymentRequest, who: Option<String>) -> Step {
    let resubmitted = r.return_comment.is_some() && r.status != PaymentRequestStatus::Returned;
    let label = ui.t(if resubmitted {
        "pr-step-resubmitted"
    } else if r.migrated {
        "pr-step-migrated"
    } else {
        "pr-step-submitted"
    });
    Step {
        detail: resubmitted
            .then(|| r.return_comment.clone())
            .flatten()
            .map(|c| format!("{} {c}", ui.t("pr-earlier-return"))),
        ..Step::new("submit", label, who, ui.datetime(&r.submitted_at))
    }
}

/// The return by `who` at `at`, with its comment: at approval (by an approver) once verified,
/// else at verification.
fn returned(ui: &Ui, r: &PaymentRequest, who: Option<String>, at: String) -> Step {
    let label = ui.t(if r.verified_at.is_some() {
        "pr-step-returned-at-approval"
    } else {
        "pr-step-returned"
    });
    Step {
        detail: r.return_comment.clone(),
        ..Step::new("return", label, who, at)
    }
}

/// The payment recorded by `who` at `at`: its date and voucher, and a link to it.
fn paid(
    ui: &Ui,
    r: &PaymentRequest,
    payment: Option<&Payment>,
    who: Option<String>,
    at: String,
) -> Step {
    let href = match r.payment_id {
        Some(p) => format!("/contracts/{}/payments#payment-{p}", r.contract_id),
        None => format!("/contracts/{}/payments", r.contract_id),
    };
    Step {
        detail: payment.map(|p| {
            format!(
                "{} {} · {} {}",
                ui.t("payment-paid-on"),
                ui.date(&p.paid_on),
                ui.t("payment-voucher"),
                p.voucher_no
            )
        }),
        link: Some((href, ui.t("pr-see-payment"))),
        ..Step::new("pay", ui.t("pr-step-paid"), who, at)
    }
}
