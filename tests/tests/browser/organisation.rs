//! The social organisation's journey at phone size (UI.md §4, issue 16): the project lead signs
//! in on a phone, bids on a tender from her home page, reports a milestone with a photo; the
//! finance officer, at his desk in the same test, finds the report in his queue, accepts it and
//! records the payment; back on the phone, the payment is on her home page.

use std::time::{Duration, Instant};

use serde_json::Value;
use tests::browser::{Chrome, DEMO_PASSWORD, DESK, FINANCE, ORGANISATION, PHONE, zh};

use super::start;

fn items(v: &Value) -> Vec<Value> {
    v.as_array()
        .or(v["items"].as_array())
        .cloned()
        .unwrap_or_default()
}

/// Waits (a few seconds at most) until the page is at `path` (the report form sends with
/// script, then shows where it landed).
async fn wait_at(b: &Chrome, path: &str) {
    let start = Instant::now();
    while b.path().await != path {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never reached {path}; at {}:\n{}",
            b.path().await,
            b.text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_organisations_journey_on_a_phone() {
    let Some((site, b)) = start(PHONE).await else {
        return;
    };
    // What the demo gives the organisation: a published tender, and a planned milestone of an
    // active contract with its indicators' labels.
    let token = site.app.login(ORGANISATION, DEMO_PASSWORD).await;
    let mut found = None;
    let contracts = site
        .app
        .get("/api/v1/contracts?status=active&limit=100", &token)
        .await
        .expect(200)
        .body;
    for k in items(&contracts) {
        let c = k["id"].as_str().unwrap().to_string();
        let ms = site
            .app
            .get(&format!("/api/v1/contracts/{c}/milestones"), &token)
            .await
            .expect(200)
            .body;
        if let Some(m) = items(&ms).into_iter().find(|m| m["status"] == "planned") {
            found = Some((c, m));
            break;
        }
    }
    let (contract, milestone) = found.expect("a planned milestone of an active contract");
    let milestone_id = milestone["id"].as_str().unwrap().to_string();
    let milestone_title = milestone["title"].as_str().unwrap().to_string();
    let labels: Vec<String> = items(
        &site
            .app
            .get(&format!("/api/v1/contracts/{contract}/indicators"), &token)
            .await
            .expect(200)
            .body,
    )
    .iter()
    .map(|i| {
        let (name, unit) = (i["name"].as_str().unwrap(), i["unit"].as_str().unwrap());
        if unit.is_empty() {
            name.to_string()
        } else {
            format!("{name}（{unit}）")
        }
    })
    .collect();

    // A published tender it has not bid on yet.
    let mut open = None;
    let tenders = site
        .app
        .get("/api/v1/tenders?status=published", &token)
        .await
        .expect(200)
        .body;
    for t in items(&tenders) {
        let id = t["id"].as_str().unwrap().to_string();
        let bids = site
            .app
            .get(&format!("/api/v1/tenders/{id}/bids"), &token)
            .await
            .expect(200)
            .body;
        if items(&bids).is_empty() {
            open = Some(id);
            break;
        }
    }
    let tender_page = format!("/tenders/{}", open.expect("a tender without its bid"));

    // 1. Home, then the tender open for bids, and a bid on it.
    b.sign_in(ORGANISATION, DEMO_PASSWORD).await;
    b.see(&zh("org-home-milestones")).await;
    b.see(&zh("org-home-tenders")).await;
    b.screenshot("org-journey-home").await;
    b.click(&format!(
        "section[aria-labelledby=tenders] a[href='{tender_page}']"
    ))
    .await;
    assert_eq!(b.path().await, tender_page);
    b.see(&zh("bid-submit")).await;
    b.fill(&zh("bid-amount-yuan"), "560000").await;
    b.fill(
        &zh("bid-proposal"),
        "驻站社工 3 名，每周开放 5 天，每月入户走访困境家庭不少于 40 户。",
    )
    .await;
    b.screenshot("org-tender-bid").await;
    b.click_button(&zh("bid-submit")).await;
    b.see(&zh("flash-bid-submitted")).await;
    b.see("¥560,000.00").await;
    b.see(&zh("bid-replace")).await;
    b.click_link(&zh("nav-bids")).await;
    assert_eq!(b.path().await, "/bids");
    b.see(&zh("bid-outcome-pending")).await;
    b.see("¥560,000.00").await;
    b.screenshot("org-journey-bids").await;

    // 2. The milestone's report, from the home page: the summary, each indicator, a photo.
    b.goto("/").await;
    let form = format!("/milestones/{milestone_id}/report");
    b.click(&format!("a[href='{form}']")).await;
    assert_eq!(b.path().await, form);
    b.see(&milestone_title).await;
    b.fill(
        &zh("report-summary"),
        "本期入户走访 120 户，小组活动 4 次，照片附后。",
    )
    .await;
    for label in &labels {
        b.fill(label, "12").await;
    }
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/activity-photo.png");
    let input = b.find_all("#f-files").await.remove(0);
    input.send_keys(photo).await.expect("choose the photo");
    b.click("#report-form button[type=submit]").await;
    wait_at(&b, &format!("/milestones/{milestone_id}")).await;
    b.see(&zh("flash-report-submitted")).await;
    b.see(&zh("milestone-status-submitted")).await;

    // 3. The officer, at his desk: the report in his queue, accepted, then paid.
    let desk = site.chrome(DESK).await;
    desk.sign_in(FINANCE, DEMO_PASSWORD).await;
    desk.click("a[href='/milestones?view=review']").await;
    assert_eq!(desk.path().await, "/milestones?view=review");
    desk.click(&format!("a[href='/milestones/{milestone_id}']"))
        .await;
    assert_eq!(desk.path().await, format!("/milestones/{milestone_id}"));
    desk.see("本期入户走访 120 户").await;
    assert_eq!(
        desk.find_all("img[src^='/reports/']").await.len(),
        1,
        "the photo"
    );
    desk.fill(&zh("review-accept-comment"), "材料齐全，同意验收。")
        .await;
    desk.click_button(&zh("review-accept")).await;
    desk.see(&zh("flash-report-accepted")).await;
    desk.goto(&format!("/contracts/{contract}/payments")).await;
    let payable = desk
        .find_all("table.cards tbody tr td.num strong")
        .await
        .into_iter()
        .next()
        .expect("what is still payable")
        .text()
        .await
        .expect("its text");
    let amount = payable.trim_start_matches('¥').replace(',', "");
    desk.fill(&zh("payment-for"), &milestone_title).await;
    desk.fill(&zh("payment-amount"), &amount).await;
    desk.fill(&zh("payment-voucher"), "TYMZ-2026-0901").await;
    desk.click_button(&zh("payment-record")).await;
    desk.see(&zh("flash-payment-recorded")).await;
    desk.close().await;

    // 4. Back on the phone: the milestone accepted, the payment received on the home page.
    b.goto("/").await;
    b.see(&zh("org-home-payments")).await;
    let payments = b
        .find_all("section[aria-labelledby=payments]")
        .await
        .remove(0)
        .text()
        .await
        .expect("the payments");
    assert!(
        payments.contains(&payable) && payments.contains(&milestone_title),
        "{payments}"
    );
    b.screenshot("org-journey-paid").await;
    b.goto(&format!("/milestones/{milestone_id}")).await;
    b.see(&zh("milestone-status-accepted")).await;
    b.close().await;
}
