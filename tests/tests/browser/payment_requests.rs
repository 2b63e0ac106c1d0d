//! Payment requests in the browser (SPEC §9, UI.md §4): the organisation's project lead
//! requests the payment of an accepted milestone on her phone, the finance officer verifies it
//! at his desk, the bureau's approver (a second officer) approves it, and the first officer
//! records the payment; the queue and the request's page of each of them are screenshot at a
//! desk and on a phone at each step. [`request_and_pay`] is that chain, for the other journeys.

use tests::browser::{
    Chrome, DEMO_PASSWORD, DESK, FINANCE, NARROW, ORGANISATION, PHONE, Site, en, zh,
};

use super::start;

/// The demo's approver of payment requests (汤阴县民政局): neither verifies nor accepts.
pub const APPROVER: &str = "approver@huimin.demo";

/// What is still requestable of milestone `what` on the payments tab `org` is at, as shown
/// (`¥52,800.00`).
async fn requestable(org: &Chrome, what: &str) -> String {
    for row in org.find_all("table.cards tbody tr").await {
        if row.text().await.is_ok_and(|t| t.contains(what))
            && let Ok(cell) = row.find(fantoccini::Locator::Css("td.num strong")).await
        {
            return cell.text().await.expect("its text");
        }
    }
    panic!("no requestable amount of {what} on {}", org.path().await)
}

/// One request's way through the pages. `org` is the organisation's browser, signed in;
/// `desk` the officer's (who must not have approved it: the demo's finance officer, who
/// verifies and pays); `shots` names the screenshots taken on the way (`None`: none).
pub struct Chain<'a> {
    pub site: &'a Site,
    pub org: &'a Chrome,
    pub desk: &'a Chrome,
    pub shots: Option<&'a str>,
}

impl Chain<'_> {
    /// Screenshots the page `b` is at as `<shots>-<name>` at its size, and the same path as
    /// `who` at the other size.
    async fn shoot(&self, b: &Chrome, who: &str, name: &str) {
        let Some(prefix) = self.shots else { return };
        let name = format!("{prefix}-{name}");
        b.screenshot(&name).await;
        let other = self
            .site
            .chrome(if b.size == PHONE { DESK } else { PHONE })
            .await;
        other.sign_in(who, DEMO_PASSWORD).await;
        other.goto(&b.path().await).await;
        other.screenshot(&name).await;
        // And it fits the narrowest phone.
        let narrow = self.site.chrome(NARROW).await;
        narrow.sign_in(who, DEMO_PASSWORD).await;
        narrow.goto(&b.path().await).await;
        narrow.assert_fits().await;
        narrow.close().await;
        other.close().await;
    }
}

/// The organisation requests what is still requestable of milestone `what` on `contract`
/// (its payments tab) with invoice `invoice`; the officer verifies it from his queue; the
/// approver approves it from hers; the officer records its payment with `voucher`. Answers
/// the amount as shown and the request's page.
pub async fn request_and_pay(
    chain: &Chain<'_>,
    (org_email, contract, what): (&str, &str, &str),
    invoice: &str,
    voucher: &str,
) -> (String, String) {
    let (org, desk) = (chain.org, chain.desk);
    // 1. The organisation, on its contract's payments tab: what it may request, the form.
    org.goto(&format!("/contracts/{contract}/payments")).await;
    org.see(&zh("pr-request")).await;
    let amount = requestable(org, what).await;
    chain.shoot(org, org_email, "org-tab").await;
    let choice =
        format!("//fieldset[contains(@class, 'pr-choice')]//label[contains(., '{what}')]/input");
    org.client()
        .find(fantoccini::Locator::XPath(&choice))
        .await
        .unwrap_or_else(|_| panic!("the choice of {what}"))
        .click()
        .await
        .expect("choose the milestone");
    org.fill(
        &zh("pr-amount"),
        &amount.trim_start_matches('¥').replace(',', ""),
    )
    .await;
    org.fill(&zh("pr-invoice-no"), invoice).await;
    org.fill(&zh("pr-note"), "服务节点已验收，申请支付。").await;
    org.click_button(&zh("pr-request-submit")).await;
    org.see(&zh("flash-pr-submitted")).await;
    let request = org.path().await;
    assert!(request.starts_with("/payment-requests/"), "{request}");
    org.see(&zh("pr-waits-verify")).await;
    org.see(&amount).await;
    chain.shoot(org, org_email, "org-submitted").await;
    org.click_link(&zh("nav-payment-requests")).await;
    assert_eq!(org.path().await, "/payment-requests");
    assert!(
        !org.find_all(&format!("a[href='{request}']"))
            .await
            .is_empty(),
        "the request in the organisation's list"
    );
    chain.shoot(org, org_email, "org-queue").await;

    // 2. The officer: the to-do on his home page, the queue of requests to verify, the request.
    desk.goto("/").await;
    desk.click_link("a[href='/payment-requests?status=submitted']")
        .await;
    assert_eq!(desk.path().await, "/payment-requests?status=submitted");
    chain.shoot(desk, FINANCE, "finance-to-verify").await;
    desk.click_link(&format!("table a[href='{request}']")).await;
    assert_eq!(desk.path().await, request);
    desk.see(invoice).await;
    chain.shoot(desk, FINANCE, "finance-request").await;
    desk.click_button(&zh("pr-verify")).await;
    desk.see(&zh("flash-pr-verified")).await;
    desk.see(&zh("pr-waits-approve")).await;

    // 3. The approver, at her desk: the to-do, the queue of requests to approve, the approval.
    let approver = chain.site.chrome(DESK).await;
    approver.sign_in(APPROVER, DEMO_PASSWORD).await;
    approver
        .click_link("a[href='/payment-requests?status=verified']")
        .await;
    approver.see(&zh("pr-hint-approver")).await;
    chain
        .shoot(&approver, APPROVER, "approver-to-approve")
        .await;
    approver
        .click_link(&format!("table a[href='{request}']"))
        .await;
    approver.see(&zh("pr-step-verified")).await;
    chain.shoot(&approver, APPROVER, "approver-request").await;
    approver.click_button(&zh("pr-approve")).await;
    approver.see(&zh("flash-pr-approved")).await;
    approver.see(&zh("pr-waits-pay")).await;
    approver.close().await;

    // 4. The officer pays it: the to-do, the request, the payment's date and voucher.
    desk.goto("/").await;
    desk.click_link("a[href='/payment-requests?status=approved']")
        .await;
    desk.click_link(&format!("table a[href='{request}']")).await;
    chain.shoot(desk, FINANCE, "finance-to-pay").await;
    desk.fill(&zh("payment-voucher"), voucher).await;
    desk.click_button(&zh("payment-record")).await;
    desk.see(&zh("flash-payment-recorded")).await;
    desk.see(&zh("pr-status-paid")).await;
    desk.see(voucher).await;
    chain.shoot(desk, FINANCE, "finance-paid").await;
    (amount, request)
}

/// The demo organisation's planned milestone reported and accepted through the API (the
/// pages of those steps have journeys of their own): answers its contract and title.
async fn accepted_milestone(site: &Site, email: &str) -> (String, String) {
    let planned = site.planned_milestone(email).await;
    let indicators = site
        .app
        .get(
            &format!("/api/v1/contracts/{}/indicators", planned.contract),
            &planned.token,
        )
        .await
        .expect(200)
        .body;
    let measurements: Vec<serde_json::Value> = tests::browser::items(&indicators)
        .iter()
        .map(|i| serde_json::json!({"indicator_id": i["id"], "value": i["target"]}))
        .collect();
    site.app
        .post(
            &format!("/api/v1/milestones/{}/reports", planned.id),
            &planned.token,
            serde_json::json!({"summary": "本期服务已按计划完成。", "measurements": measurements}),
        )
        .await
        .expect(201);
    let officer = site.app.login(FINANCE, DEMO_PASSWORD).await;
    site.app
        .post(
            &format!("/api/v1/milestones/{}/accept", planned.id),
            &officer,
            serde_json::json!({"comment": "材料齐全，同意验收。"}),
        )
        .await
        .expect(200);
    (planned.contract, planned.title)
}

#[tokio::test]
async fn a_payment_request_goes_from_the_phone_through_verification_and_approval_to_payment() {
    let Some((site, phone)) = start(PHONE).await else {
        return;
    };
    let (contract, title) = accepted_milestone(&site, ORGANISATION).await;
    phone.sign_in(ORGANISATION, DEMO_PASSWORD).await;
    let desk = site.chrome(DESK).await;
    desk.sign_in(FINANCE, DEMO_PASSWORD).await;
    let chain = Chain {
        site: &site,
        org: &phone,
        desk: &desk,
        shots: Some("payment-request"),
    };
    let (amount, request) = request_and_pay(
        &chain,
        (ORGANISATION, &contract, &title),
        "FP-41052301",
        "TYMZ-2026-1201",
    )
    .await;
    // Back on the phone: the request paid, its timeline to the payment; the payment on the
    // contract's tab and on the home page.
    phone.goto(&request).await;
    phone.see(&zh("pr-status-paid")).await;
    for step in [
        "pr-step-submitted",
        "pr-step-verified",
        "pr-step-approved",
        "pr-step-paid",
    ] {
        phone.see(&zh(step)).await;
    }
    phone.screenshot("payment-request-org-paid").await;
    phone
        .click_link(&format!(
            ".timeline a[href^='/contracts/{contract}/payments#payment-']"
        ))
        .await;
    assert!(
        phone
            .path()
            .await
            .starts_with(&format!("/contracts/{contract}/payments")),
        "the payment on the contract's tab"
    );
    phone.see("TYMZ-2026-1201").await;
    phone.goto("/").await;
    let payments = phone
        .find_all("section[aria-labelledby=payments]")
        .await
        .remove(0)
        .text()
        .await
        .expect("the payments");
    assert!(payments.contains(&amount), "{payments}");
    // The same pages in English, on the phone and at the desk.
    phone.switch_language().await;
    assert_eq!(phone.lang().await, "en");
    phone.goto(&request).await;
    phone.see(&en("pr-status-paid")).await;
    phone.see(&en("pr-step-approved")).await;
    phone.assert_fits().await;
    phone.screenshot("payment-request-org-paid-en").await;
    phone.goto("/payment-requests").await;
    phone.assert_fits().await;
    phone.screenshot("payment-request-org-queue-en").await;
    desk.switch_language().await;
    assert_eq!(desk.lang().await, "en");
    desk.goto(&request).await;
    desk.see(&en("pr-step-verified")).await;
    desk.screenshot("payment-request-finance-paid-en").await;
    desk.goto(&format!("/contracts/{contract}/payments")).await;
    desk.screenshot("payment-request-finance-tab-en").await;
    desk.close().await;
    phone.close().await;
}
