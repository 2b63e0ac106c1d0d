//! Payments as the tests of SPEC §3 make them, now that every payment pays an approved request
//! (SPEC §9): [`TestApp::pay`] takes the body a payment had before requests existed
//! (`{milestone_id?, amount, paid_on, voucher_no}`) and runs the whole chain through HTTP — the
//! contract's organisation requests, the given officer verifies, an approver of the purchaser
//! approves, the officer pays — answering the first refusal, or the payment. So the money
//! rules of §3 keep their tests, each now decided at whichever step first meets it.

use entity::model::{payment, user};
use entity::rules::vocab::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Answer, TestApp};

impl TestApp {
    /// A logged-in approver of `purchaser` (a finance officer with `approver: true`).
    pub async fn approver(&self, purchaser: Uuid) -> crate::Login {
        let login = self
            .user_in(Role::FinanceOfficer, Some(purchaser), None)
            .await;
        user::Entity::update_many()
            .col_expr(user::Column::Approver, Expr::value(true))
            .filter(user::Column::Id.eq(login.user_id))
            .exec(&self.state.db)
            .await
            .expect("approver");
        login
    }

    /// The token of a user the chain acts as, made once per party.
    async fn payer(&self, party: Uuid, make: impl AsyncFnOnce() -> String) -> String {
        let mut payers = self.payers.lock().await;
        if let Some(t) = payers.get(&party) {
            return t.clone();
        }
        let token = make().await;
        payers.insert(party, token.clone());
        token
    }

    /// The request that an earlier payment with `voucher` paid, when it asked for the same
    /// milestone and amount as `body` (a retry of that payment).
    async fn retried_request(&self, contract: Uuid, purchaser: Uuid, body: &Value) -> Option<Uuid> {
        let voucher = body["voucher_no"].as_str()?.trim();
        let paid = payment::Entity::find()
            .filter(payment::Column::PurchaserId.eq(purchaser))
            .filter(payment::Column::VoucherNo.eq(voucher))
            .one(&self.state.db)
            .await
            .ok()??;
        let asked: Option<Uuid> = body["milestone_id"].as_str().and_then(|m| m.parse().ok());
        let amount: entity::Money = body["amount"].as_str()?.parse().ok()?;
        (paid.contract_id == contract
            && paid.milestone_id == asked
            && paid.amount_fen == amount.fen())
        .then_some(paid.payment_request_id)
        .flatten()
    }

    /// Pays on `contract` as the officer with `fo_token` would have before SPEC §9, through
    /// the request chain (see the module's comment).
    pub async fn pay(&self, fo_token: &str, contract: Uuid, body: Value) -> Answer {
        let path = format!("/api/v1/contracts/{contract}");
        let k = self.get(&path, fo_token).await;
        if k.status.as_u16() != 200 {
            return k;
        }
        let purchaser: Uuid = k.body["purchaser_id"].as_str().unwrap().parse().unwrap();
        // The payment's own fields (and any other the test sends, for the server to refuse).
        let payment = |request: Uuid| {
            let mut p = body.clone();
            if let Some(p) = p.as_object_mut() {
                p.remove("milestone_id");
                p.remove("amount");
                p.insert("payment_request_id".into(), json!(request));
            }
            p
        };
        if let Some(request) = self.retried_request(contract, purchaser, &body).await {
            return self
                .post(&format!("{path}/payments"), fo_token, payment(request))
                .await;
        }
        let organisation: Uuid = k.body["organisation_id"].as_str().unwrap().parse().unwrap();
        let org = self
            .payer(organisation, async || {
                // One of the organisation's own users if it has one (harness users share the
                // password), so that the chain adds no recipient to its notifications.
                let staff = user::Entity::find()
                    .filter(user::Column::OrganisationId.eq(organisation))
                    .filter(user::Column::Active.eq(true))
                    .filter(user::Column::MustChangePassword.eq(false))
                    .one(&self.state.db)
                    .await
                    .expect("users");
                if let Some(u) = staff {
                    let signed_in = self
                        .call(
                            axum::http::Method::POST,
                            "/api/v1/auth/login",
                            None,
                            Some(json!({"email": u.email, "password": crate::PASSWORD})),
                        )
                        .await;
                    if let Some(token) = signed_in.body["token"].as_str() {
                        return token.to_string();
                    }
                }
                self.user_in(Role::Organisation, None, Some(organisation))
                    .await
                    .token
            })
            .await;
        let approver = self
            .payer(purchaser, async || self.approver(purchaser).await.token)
            .await;
        let today = jobs::clock::local_today(&self.clock, self.state.config.tz);
        let invoice_date = body["paid_on"]
            .as_str()
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
            .map_or(today, |d| d.min(today));
        let mut request = json!({
            "amount": body["amount"],
            "invoice_no": format!("INV-{}", body["voucher_no"].as_str().unwrap_or("x")),
            "invoice_date": invoice_date,
        });
        if !body["milestone_id"].is_null() {
            request["milestone_id"] = body["milestone_id"].clone();
        }
        let asked = self
            .post(&format!("{path}/payment-requests"), &org, request)
            .await;
        if asked.status.as_u16() != 201 {
            return asked;
        }
        let id = asked.id();
        let base = format!("/api/v1/payment-requests/{id}");
        let verified = self
            .call(
                axum::http::Method::POST,
                &format!("{base}/verify"),
                Some(fo_token),
                None,
            )
            .await;
        if verified.status.as_u16() != 200 {
            return verified;
        }
        let approved = self
            .call(
                axum::http::Method::POST,
                &format!("{base}/approve"),
                Some(&approver),
                None,
            )
            .await;
        if approved.status.as_u16() != 200 {
            return approved;
        }
        self.post(&format!("{path}/payments"), fo_token, payment(id))
            .await
    }
}
