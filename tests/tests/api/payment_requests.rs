//! Payment requests (SPEC §9) through HTTP: the chain from request to payment, who may take
//! each step, the states, the amount rules at every step, the second approval, the races, and
//! the migration of payments recorded before requests existed.

use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp};
use uuid::Uuid;

/// An active contract of 50 000.00 (from 1 March 2026) with one milestone of 10 000.00 that
/// `accepter` accepted (payable 10 000.00: no indicators), its organisation's staff, the
/// purchaser's officer (not an approver) and two approvers.
struct World {
    fo: Login,
    staff: Login,
    approver: Login,
    approver2: Login,
    contract: Uuid,
    milestone: Uuid,
}

async fn world(app: &TestApp) -> World {
    let w = app
        .world()
        .line_amount("100000.00")
        .period("2026-03-01", "2026-12-31")
        .milestone_titled("春季走访", "2026-03-31", "10000.00")
        .await;
    let (fo, staff, contract, milestone) = (w.fo, w.staff, w.contract, w.milestones[0]);
    let purchaser = fo.purchaser_id.unwrap();
    let approver = app.approver(purchaser).await;
    let approver2 = app.approver(purchaser).await;
    app.post(
        &format!("/api/v1/milestones/{milestone}/reports"),
        &staff.token,
        json!({"summary": "春季走访已完成", "measurements": []}),
    )
    .await
    .expect(201);
    let accepted = app
        .act(&format!("/api/v1/milestones/{milestone}/accept"), &fo.token)
        .await
        .expect(200);
    assert_eq!(accepted.body["payable"], "10000.00");
    World {
        fo,
        staff,
        approver,
        approver2,
        contract,
        milestone,
    }
}

fn request_body(milestone: Option<Uuid>, amount: &str) -> Value {
    let mut b = json!({"amount": amount, "invoice_no": "FP-0001", "invoice_date": "2026-03-02", "note": "第一期"});
    if let Some(m) = milestone {
        b["milestone_id"] = json!(m);
    }
    b
}

async fn submit(app: &TestApp, token: &str, contract: Uuid, body: Value) -> Answer {
    app.post(
        &format!("/api/v1/contracts/{contract}/payment-requests"),
        token,
        body,
    )
    .await
}

async fn step(app: &TestApp, token: &str, id: Uuid, what: &str) -> Answer {
    app.act(&format!("/api/v1/payment-requests/{id}/{what}"), token)
        .await
}

async fn give_back(app: &TestApp, token: &str, id: Uuid, comment: &str) -> Answer {
    app.post(
        &format!("/api/v1/payment-requests/{id}/return"),
        token,
        json!({ "comment": comment }),
    )
    .await
}

async fn pay(app: &TestApp, token: &str, contract: Uuid, request: Uuid, voucher: &str) -> Answer {
    app.post(
        &format!("/api/v1/contracts/{contract}/payments"),
        token,
        json!({"payment_request_id": request, "paid_on": "2026-03-02", "voucher_no": voucher}),
    )
    .await
}

/// `(code, status)` of a refusal.
fn code(a: &Answer) -> &str {
    a.body["code"].as_str().unwrap_or_default()
}

/// A submitted request of `amount` on the world's milestone.
async fn submitted(app: &TestApp, w: &World, amount: &str) -> Uuid {
    submit(
        app,
        &w.staff.token,
        w.contract,
        request_body(Some(w.milestone), amount),
    )
    .await
    .expect(201)
    .id()
}

/// A verified request of `amount` on the world's milestone.
async fn verified(app: &TestApp, w: &World, amount: &str) -> Uuid {
    let id = submitted(app, w, amount).await;
    step(app, &w.fo.token, id, "verify").await.expect(200);
    id
}

#[tokio::test]
async fn a_request_is_verified_approved_and_paid_and_each_step_is_recorded() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let a = submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(Some(w.milestone), "6000.00"),
    )
    .await
    .expect(201);
    let id = a.id();
    assert_eq!(a.body["status"], "submitted");
    assert_eq!(a.body["amount"], "6000.00");
    assert_eq!(a.body["invoice_no"], "FP-0001");
    assert_eq!(a.body["submitted_by"], w.staff.user_id.to_string());
    assert_eq!(a.body["needs_second_approval"], false);
    assert_eq!(a.body["migrated"], false);
    let v = step(&app, &w.fo.token, id, "verify").await.expect(200);
    assert_eq!(v.body["status"], "verified");
    assert_eq!(v.body["verified_by"], w.fo.user_id.to_string());
    let ap = step(&app, &w.approver.token, id, "approve")
        .await
        .expect(200);
    assert_eq!(ap.body["status"], "approved");
    assert_eq!(ap.body["approved_by"], w.approver.user_id.to_string());
    let p = pay(&app, &w.fo.token, w.contract, id, "PZ-1")
        .await
        .expect(201);
    assert_eq!(p.body["amount"], "6000.00");
    assert_eq!(p.body["milestone_id"], w.milestone.to_string());
    assert_eq!(p.body["payment_request_id"], id.to_string());
    let r = app
        .get(&format!("/api/v1/payment-requests/{id}"), &w.staff.token)
        .await
        .expect(200);
    assert_eq!(r.body["status"], "paid");
    assert_eq!(r.body["payment_id"], p.id().to_string());
    // Every step is an audit event of the request, in order.
    app.seal().await;
    let events = app
        .get(
            &format!("/api/v1/audit?entity_type=payment_request&entity_id={id}"),
            &app.user(Role::Supervisor).await.token,
        )
        .await
        .expect(200);
    let mut actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort();
    assert_eq!(actions, ["approve", "create", "pay", "verify"]);
    // The steps told whoever acts next: the submission the officer, the verification the two
    // approvers, the approval the officer and the organisation (its contact and its user).
    assert_eq!(
        app.count_where("notification", "kind = 'payment_request'")
            .await,
        6
    );
    // Everyone who sees the contract sees its requests; lists are scoped.
    for token in [&w.fo.token, &w.staff.token, &w.approver.token] {
        let l = app
            .get(
                &format!("/api/v1/contracts/{}/payment-requests", w.contract),
                token,
            )
            .await
            .expect(200);
        assert_eq!(l.body["items"].as_array().unwrap().len(), 1);
        let all = app
            .get("/api/v1/payment-requests?status=paid", token)
            .await
            .expect(200);
        assert_eq!(all.body["items"].as_array().unwrap().len(), 1);
    }
    let stranger = app.user(Role::Organisation).await;
    let other_fo = app.user(Role::FinanceOfficer).await;
    for token in [&stranger.token, &other_fo.token] {
        let all = app.get("/api/v1/payment-requests", token).await.expect(200);
        assert!(all.body["items"].as_array().unwrap().is_empty());
        app.get(&format!("/api/v1/payment-requests/{id}"), token)
            .await
            .expect(404);
    }
    app.get("/api/v1/payment-requests?status=nonsense", &w.fo.token)
        .await
        .expect(422);
}

#[tokio::test]
async fn each_step_is_refused_to_the_roles_and_parties_that_may_not_take_it() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let body = request_body(Some(w.milestone), "1000.00");
    let supervisor = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let stranger = app.user(Role::Organisation).await;
    let other_fo = app.user(Role::FinanceOfficer).await;
    let other_approver = app.approver(other_fo.purchaser_id.unwrap()).await;
    // Submitting: organisation staff of the contract only.
    for token in [&w.fo.token, &supervisor.token, &admin.token] {
        submit(&app, token, w.contract, body.clone())
            .await
            .expect(403);
    }
    submit(&app, &stranger.token, w.contract, body.clone())
        .await
        .expect(404);
    app.call(
        axum::http::Method::POST,
        &format!("/api/v1/contracts/{}/payment-requests", w.contract),
        None,
        Some(body.clone()),
    )
    .await
    .expect(401);
    assert_eq!(app.count("payment_request").await, 0);

    let id = submitted(&app, &w, "1000.00").await;
    // Verifying and returning: the purchaser's officers.
    for token in [&w.staff.token, &supervisor.token, &admin.token] {
        step(&app, token, id, "verify").await.expect(403);
        give_back(&app, token, id, "x").await.expect(403);
    }
    step(&app, &other_fo.token, id, "verify").await.expect(404);
    give_back(&app, &other_fo.token, id, "x").await.expect(404);
    // Withdrawing and correcting: the organisation.
    for token in [&w.fo.token, &supervisor.token] {
        step(&app, token, id, "withdraw").await.expect(403);
        app.patch(&format!("/api/v1/payment-requests/{id}"), token, json!({}))
            .await
            .expect(403);
    }
    step(&app, &stranger.token, id, "withdraw")
        .await
        .expect(404);
    assert_eq!(
        app.count_where("payment_request", "status = 'submitted'")
            .await,
        1
    );

    step(&app, &w.fo.token, id, "verify").await.expect(200);
    // Approving: an approver of the purchaser only.
    let a = step(&app, &w.fo.token, id, "approve").await.expect(403);
    assert_eq!(code(&a), "approval.not_approver");
    for token in [&w.staff.token, &supervisor.token, &admin.token] {
        step(&app, token, id, "approve").await.expect(403);
    }
    step(&app, &other_approver.token, id, "approve")
        .await
        .expect(404);
    // Returning a verified request is the approver's step too.
    let a = give_back(&app, &w.fo.token, id, "发票有误")
        .await
        .expect(403);
    assert_eq!(code(&a), "approval.not_approver");
    assert_eq!(
        app.count_where("payment_request", "status = 'verified'")
            .await,
        1
    );
    // Paying: the purchaser's officers.
    step(&app, &w.approver.token, id, "approve")
        .await
        .expect(200);
    for token in [&w.staff.token, &supervisor.token, &admin.token] {
        pay(&app, token, w.contract, id, "PZ-1").await.expect(403);
    }
    pay(&app, &other_fo.token, w.contract, id, "PZ-1")
        .await
        .expect(404);
    assert_eq!(app.count("payment").await, 0);
    pay(&app, &w.fo.token, w.contract, id, "PZ-1")
        .await
        .expect(201);
}

#[tokio::test]
async fn nobody_approves_what_they_verified_or_accepted() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // The verifier is an approver too: still not for this request.
    let id = submitted(&app, &w, "1000.00").await;
    step(&app, &w.approver.token, id, "verify")
        .await
        .expect(200);
    let a = step(&app, &w.approver.token, id, "approve")
        .await
        .expect(403);
    assert_eq!(code(&a), "approval.same_person");
    assert!(a.body["detail"].as_str().unwrap().contains("verifier"));
    // The milestone's accepter cannot approve its request either: a second milestone
    // accepted by the approver.
    let m2 = app
        .post(
            &format!("/api/v1/contracts/{}/milestones", w.contract),
            &w.fo.token,
            json!({"title": "夏季走访", "due_date": "2026-06-30", "amount": "5000.00"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/milestones/{m2}/reports"),
        &w.staff.token,
        json!({"summary": "夏季走访已完成", "measurements": []}),
    )
    .await
    .expect(201);
    app.act(
        &format!("/api/v1/milestones/{m2}/accept"),
        &w.approver2.token,
    )
    .await
    .expect(200);
    let id2 = submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(Some(m2), "5000.00"),
    )
    .await
    .expect(201)
    .id();
    step(&app, &w.fo.token, id2, "verify").await.expect(200);
    let a = step(&app, &w.approver2.token, id2, "approve")
        .await
        .expect(403);
    assert_eq!(code(&a), "approval.same_person");
    assert_eq!(
        app.count_where("payment_request", "status = 'verified'")
            .await,
        2
    );
    // Another approver may: the first request by the second approver, the second by the first.
    step(&app, &w.approver2.token, id, "approve")
        .await
        .expect(200);
    step(&app, &w.approver.token, id2, "approve")
        .await
        .expect(200);
}

#[tokio::test]
async fn a_request_moves_only_along_its_life_cycle() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let id = submitted(&app, &w, "1000.00").await;
    // Not yet verified: no approval, no payment.
    let a = step(&app, &w.approver.token, id, "approve")
        .await
        .expect(409);
    assert_eq!(code(&a), "state.transition");
    let a = pay(&app, &w.fo.token, w.contract, id, "PZ-1")
        .await
        .expect(409);
    assert_eq!(code(&a), "payment_request.not_approved");
    // Only a returned request is corrected.
    app.patch(
        &format!("/api/v1/payment-requests/{id}"),
        &w.staff.token,
        json!({"amount": "900.00"}),
    )
    .await
    .expect(409);
    // A return needs its comment.
    let a = give_back(&app, &w.fo.token, id, "  ").await.expect(422);
    assert_eq!(a.error_fields(), ["comment"]);
    step(&app, &w.fo.token, id, "verify").await.expect(200);
    step(&app, &w.fo.token, id, "verify").await.expect(409);
    // A verified request is not withdrawn; the approver returns it.
    step(&app, &w.staff.token, id, "withdraw").await.expect(409);
    let r = give_back(&app, &w.approver.token, id, "发票抬头有误，请更正")
        .await
        .expect(200);
    assert_eq!(r.body["status"], "returned");
    assert_eq!(r.body["return_comment"], "发票抬头有误，请更正");
    assert_eq!(r.body["returned_by"], w.approver.user_id.to_string());
    step(&app, &w.fo.token, id, "verify").await.expect(409);
    // Corrected and resubmitted: verified anew.
    let r = app
        .patch(
            &format!("/api/v1/payment-requests/{id}"),
            &w.staff.token,
            json!({"amount": "900.00", "invoice_no": "FP-0002"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["amount"], "900.00");
    assert_eq!(r.body["invoice_no"], "FP-0002");
    assert!(r.body["verified_by"].is_null());
    app.patch(
        &format!("/api/v1/payment-requests/{id}"),
        &w.staff.token,
        json!({"status": "approved"}),
    )
    .await
    .expect(422);
    // Returned again, then withdrawn: the end.
    give_back(&app, &w.fo.token, id, "请附验收单")
        .await
        .expect(200);
    let r = step(&app, &w.staff.token, id, "withdraw").await.expect(200);
    assert_eq!(r.body["status"], "withdrawn");
    for (token, what) in [
        (&w.fo.token, "verify"),
        (&w.staff.token, "withdraw"),
        (&w.approver.token, "approve"),
    ] {
        step(&app, token, id, what).await.expect(409);
    }
    give_back(&app, &w.fo.token, id, "x").await.expect(409);
    // A paid request is paid once.
    let id = verified(&app, &w, "1000.00").await;
    step(&app, &w.approver.token, id, "approve")
        .await
        .expect(200);
    pay(&app, &w.fo.token, w.contract, id, "PZ-1")
        .await
        .expect(201);
    let a = pay(&app, &w.fo.token, w.contract, id, "PZ-2")
        .await
        .expect(409);
    assert_eq!(code(&a), "payment_request.not_approved");
    // The same voucher again is a retry: the same payment.
    let again = pay(&app, &w.fo.token, w.contract, id, "PZ-1")
        .await
        .expect(200);
    assert_eq!(app.count("payment").await, 1);
    assert_eq!(again.body["payment_request_id"], id.to_string());
    give_back(&app, &w.fo.token, id, "x").await.expect(409);
}

#[tokio::test]
async fn the_amount_rules_hold_at_submission_and_count_the_other_open_requests() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    // The milestone's payable is 10 000.00.
    let a = submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(Some(w.milestone), "10000.01"),
    )
    .await
    .expect(409);
    assert_eq!(code(&a), "payment.above_payable");
    let first = submitted(&app, &w, "6000.00").await;
    let a = submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(Some(w.milestone), "4000.01"),
    )
    .await
    .expect(409);
    assert_eq!(code(&a), "payment.above_payable");
    // A withdrawn request frees what it asked; a paid one counts as paid.
    step(&app, &w.staff.token, first, "withdraw")
        .await
        .expect(200);
    let second = verified(&app, &w, "7000.00").await;
    step(&app, &w.approver.token, second, "approve")
        .await
        .expect(200);
    pay(&app, &w.fo.token, w.contract, second, "PZ-1")
        .await
        .expect(201);
    submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(Some(w.milestone), "3000.01"),
    )
    .await
    .expect(409);
    submitted(&app, &w, "3000.00").await;
    // A returned request asks for nothing until it is resubmitted, and is checked then.
    let third = app
        .get(
            &format!(
                "/api/v1/payment-requests?contract_id={}&status=submitted",
                w.contract
            ),
            &w.fo.token,
        )
        .await
        .expect(200)
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    give_back(&app, &w.fo.token, third, "金额有误")
        .await
        .expect(200);
    let again = app
        .patch(
            &format!("/api/v1/payment-requests/{third}"),
            &w.staff.token,
            json!({"amount": "3000.01"}),
        )
        .await
        .expect(409);
    assert_eq!(code(&again), "payment.above_payable");
    // Advances: at most the value not planned in milestones (50 000 − 10 000) less earlier
    // advances and open advance requests.
    submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(None, "30000.00"),
    )
    .await
    .expect(201);
    let a = submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(None, "10000.01"),
    )
    .await
    .expect(409);
    assert_eq!(code(&a), "payment.advance_too_large");
    submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(None, "10000.00"),
    )
    .await
    .expect(201);
    // A milestone not accepted, another contract's milestone, a draft contract.
    let planned = app
        .post(
            &format!("/api/v1/contracts/{}/milestones", w.contract),
            &w.fo.token,
            json!({"title": "秋季走访", "due_date": "2026-09-30", "amount": "1000.00"}),
        )
        .await;
    // (Milestones + advances would exceed the value: the value is planned out.)
    assert_eq!(planned.status.as_u16(), 201, "{}", planned.text);
    let a = submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(Some(planned.id()), "1.00"),
    )
    .await
    .expect(409);
    assert_eq!(code(&a), "payment.milestone_not_accepted");
    let other = world(&app).await;
    let a = submit(
        &app,
        &w.staff.token,
        w.contract,
        request_body(Some(other.milestone), "1.00"),
    )
    .await
    .expect(422);
    assert_eq!(a.error_fields(), ["milestone_id"]);
    let line = app.budget_line(&w.fo, "100000.00").await;
    let draft = app
        .draft_contract(&w.fo, w.staff.organisation_id.unwrap(), line, "1000.00")
        .await;
    let a = submit(&app, &w.staff.token, draft, request_body(None, "1.00"))
        .await
        .expect(409);
    assert_eq!(code(&a), "contract.not_payable");
    // Bad fields: 422, nothing written.
    let before = app.count("payment_request").await;
    for (body, field) in [
        (request_body(None, "0.00"), "amount"),
        (request_body(None, "-1.00"), "amount"),
        (
            json!({"amount": 1, "invoice_no": "F", "invoice_date": "2026-03-02"}),
            "amount",
        ),
        (
            json!({"amount": "1.00", "invoice_no": " ", "invoice_date": "2026-03-02"}),
            "invoice_no",
        ),
        (
            json!({"amount": "1.00", "invoice_no": "F", "invoice_date": "2026-03-03"}),
            "invoice_date",
        ),
        (json!({"amount": "1.00", "invoice_no": "F"}), "invoice_date"),
        (
            json!({"amount": "1.00", "invoice_no": "F", "invoice_date": "2026-03-02", "status": "approved"}),
            "status",
        ),
    ] {
        let a = submit(&app, &w.staff.token, w.contract, body.clone())
            .await
            .expect(422);
        assert!(
            a.error_fields().contains(&field.to_string()),
            "{body}: {}",
            a.text
        );
    }
    assert_eq!(app.count("payment_request").await, before);
}

#[tokio::test]
async fn above_the_threshold_two_different_approvers_approve() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.second_approval_above = "3000.00".parse().unwrap();
    })
    .await;
    let w = world(&app).await;
    let small = verified(&app, &w, "3000.00").await;
    let r = step(&app, &w.approver.token, small, "approve")
        .await
        .expect(200);
    assert_eq!(r.body["status"], "approved");
    assert_eq!(r.body["needs_second_approval"], false);
    give_back(&app, &w.fo.token, small, "x").await.expect(409);
    step(&app, &w.staff.token, small, "withdraw")
        .await
        .expect(409);

    let big = verified(&app, &w, "3000.01").await;
    let r = step(&app, &w.approver.token, big, "approve")
        .await
        .expect(200);
    assert_eq!(r.body["status"], "verified");
    assert_eq!(r.body["needs_second_approval"], true);
    assert_eq!(r.body["approved_by"], w.approver.user_id.to_string());
    let a = pay(&app, &w.fo.token, w.contract, big, "PZ-1")
        .await
        .expect(409);
    assert_eq!(code(&a), "payment_request.not_approved");
    let a = step(&app, &w.approver.token, big, "approve")
        .await
        .expect(403);
    assert_eq!(code(&a), "approval.same_person");
    let r = step(&app, &w.approver2.token, big, "approve")
        .await
        .expect(200);
    assert_eq!(r.body["status"], "approved");
    assert_eq!(
        r.body["second_approved_by"],
        w.approver2.user_id.to_string()
    );
    pay(&app, &w.fo.token, w.contract, big, "PZ-1")
        .await
        .expect(201);
    pay(&app, &w.fo.token, w.contract, small, "PZ-2")
        .await
        .expect(201);
}

#[tokio::test]
async fn ten_requests_racing_to_payment_never_pay_above_the_payable() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let chains = (0..10).map(|i| {
        let app = &app;
        let w = &w;
        async move {
            let asked = submit(
                app,
                &w.staff.token,
                w.contract,
                request_body(Some(w.milestone), "3000.00"),
            )
            .await;
            if asked.status != 201 {
                return asked;
            }
            let id = asked.id();
            let v = step(app, &w.fo.token, id, "verify").await;
            if v.status != 200 {
                return v;
            }
            let a = step(app, &w.approver.token, id, "approve").await;
            if a.status != 200 {
                return a;
            }
            pay(app, &w.fo.token, w.contract, id, &format!("R-{i}")).await
        }
    });
    let answers = futures::future::join_all(chains).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let paid = answers.iter().filter(|a| a.status == 201).count();
    assert!(
        answers
            .iter()
            .all(|a| a.status == 201 || (a.status == 409 && code(a) == "payment.above_payable")),
        "{:?}",
        answers
            .iter()
            .map(|a| (a.status, &a.text))
            .collect::<Vec<_>>()
    );
    // 10 000.00 / 3 000.00: three fit.
    assert_eq!(paid, 3);
    assert_eq!(app.count("payment").await, 3);
    assert_eq!(
        app.count_where("payment_request", "status = 'paid'").await,
        3
    );
}

#[tokio::test]
async fn two_approvers_approving_one_request_at_once_make_one_approval() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let id = verified(&app, &w, "1000.00").await;
    let (a, b) = tokio::join!(
        app.act_owned(
            format!("/api/v1/payment-requests/{id}/approve"),
            w.approver.token.clone()
        ),
        app.act_owned(
            format!("/api/v1/payment-requests/{id}/approve"),
            w.approver2.token.clone()
        ),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    let winner = if a.status == 200 {
        &w.approver
    } else {
        &w.approver2
    };
    let r = app
        .get(&format!("/api/v1/payment-requests/{id}"), &w.fo.token)
        .await
        .expect(200);
    assert_eq!(r.body["approved_by"], winner.user_id.to_string());
    assert!(r.body["second_approved_by"].is_null());
    app.seal().await;
    let events = app
        .get(
            &format!("/api/v1/audit?entity_type=payment_request&entity_id={id}&action=approve"),
            &app.user(Role::Supervisor).await.token,
        )
        .await
        .expect(200);
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn payments_recorded_before_requests_get_a_paid_migrated_request() {
    use migration::MigratorTrait;
    let app = TestApp::new().await;
    let w = world(&app).await;
    let paid = app
        .pay(
            &w.fo.token,
            w.contract,
            json!({"milestone_id": w.milestone, "amount": "4000.00", "paid_on": "2026-03-02", "voucher_no": "OLD-1"}),
        )
        .await
        .expect(201);
    app.seal().await;
    // Back to the schema before requests (and before every later migration, such as the
    // lines' kept totals, filled again from the records): the payment stays, its request and
    // link go.
    let names: Vec<String> = migration::Migrator::migrations()
        .iter()
        .map(|m| migration::MigrationName::name(m.as_ref()).to_string())
        .collect();
    let requests = names
        .iter()
        .position(|n| n.ends_with("_000023_payment_requests"))
        .expect("the payment requests migration");
    let steps = u32::try_from(names.len() - requests).unwrap();
    migration::Migrator::down(&app.state.db, Some(steps))
        .await
        .unwrap();
    assert_eq!(app.count("payment").await, 1);
    migration::Migrator::up(&app.state.db, None).await.unwrap();
    app.assert_budgets_kept().await;
    let r = app
        .get(
            &format!("/api/v1/payment-requests/{}", paid.id()),
            &w.staff.token,
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "paid");
    assert_eq!(r.body["migrated"], true);
    assert_eq!(r.body["amount"], "4000.00");
    assert_eq!(r.body["milestone_id"], w.milestone.to_string());
    assert_eq!(r.body["payment_id"], paid.id().to_string());
    assert_eq!(r.body["verified_by"], w.fo.user_id.to_string());
    assert_eq!(r.body["approved_by"], w.fo.user_id.to_string());
    let p = app
        .get(
            &format!("/api/v1/contracts/{}/payments", w.contract),
            &w.fo.token,
        )
        .await
        .expect(200);
    assert_eq!(
        p.body["items"][0]["payment_request_id"],
        paid.id().to_string()
    );
    // The books and the chain are whole.
    let v = app
        .get(
            "/api/v1/audit/verify",
            &app.user(Role::Supervisor).await.token,
        )
        .await
        .expect(200);
    assert_eq!(v.body["intact"], true, "{}", v.text);
    let more = app
        .pay(
            &w.fo.token,
            w.contract,
            json!({"milestone_id": w.milestone, "amount": "6000.01", "paid_on": "2026-03-02", "voucher_no": "NEW-1"}),
        )
        .await
        .expect(409);
    assert_eq!(code(&more), "payment.above_payable");
}

#[tokio::test]
async fn an_admin_makes_finance_officers_approvers_and_only_them() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let purchaser = app.purchaser().await;
    let organisation = app.organisation().await;
    let user = |email: &str, role: &str, approver: bool| {
        let mut b = json!({"email": email, "display_name": "赵科长", "role": role,
                           "password": "correct-horse-battery", "approver": approver});
        match role {
            "finance_officer" => b["purchaser_id"] = json!(purchaser),
            "organisation" => b["organisation_id"] = json!(organisation),
            _ => {}
        }
        b
    };
    let a = app
        .post(
            "/api/v1/users",
            &admin.token,
            user("zhao@county.example", "finance_officer", true),
        )
        .await
        .expect(201);
    assert_eq!(a.body["approver"], true);
    let approver = a.id();
    let plain = app
        .post(
            "/api/v1/users",
            &admin.token,
            user("qian@county.example", "finance_officer", false),
        )
        .await
        .expect(201);
    assert_eq!(plain.body["approver"], false);
    let before = app.count("app_user").await;
    for role in ["organisation", "supervisor", "admin"] {
        let a = app
            .post(
                "/api/v1/users",
                &admin.token,
                user(&format!("{role}@ngo.example"), role, true),
            )
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["approver"]);
    }
    assert_eq!(app.count("app_user").await, before);
    // Set and cleared by the admin; a role change away from finance officer clears it.
    let p = app
        .patch(
            &format!("/api/v1/users/{}", plain.id()),
            &admin.token,
            json!({"approver": true}),
        )
        .await
        .expect(200);
    assert_eq!(p.body["approver"], true);
    let fo = app
        .user_in(Role::FinanceOfficer, Some(purchaser), None)
        .await;
    app.patch(
        &format!("/api/v1/users/{approver}"),
        &fo.token,
        json!({"approver": false}),
    )
    .await
    .expect(403);
    let a = app
        .patch(
            &format!("/api/v1/users/{approver}"),
            &admin.token,
            json!({"role": "supervisor", "approver": true}),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["approver"]);
    let p = app
        .patch(
            &format!("/api/v1/users/{approver}"),
            &admin.token,
            json!({"role": "supervisor"}),
        )
        .await
        .expect(200);
    assert_eq!(p.body["approver"], false);
    // The user sees it on /me.
    let token = app
        .login("qian@county.example", "correct-horse-battery")
        .await;
    app.post(
        "/api/v1/me/password",
        &token,
        json!({"current_password": "correct-horse-battery", "new_password": "another-horse-battery"}),
    )
    .await;
    let token = app
        .login("qian@county.example", "another-horse-battery")
        .await;
    let me = app.get("/api/v1/me", &token).await.expect(200);
    assert_eq!(me.body["approver"], true);
}
