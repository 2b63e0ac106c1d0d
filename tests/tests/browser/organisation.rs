//! The social organisation's journey at phone size (UI.md §4, issue 16): the project lead signs
//! in on a phone, bids on a tender from her home page, reports a milestone with a photo; the
//! finance officer, at his desk in the same test, finds the report in his queue and accepts it;
//! she requests the payment, he verifies it, the bureau's approver approves it and he records
//! the payment; back on the phone, the payment is on her home page.

use std::time::{Duration, Instant};

use tests::browser::{Chrome, DEMO_PASSWORD, DESK, FINANCE, NARROW, ORGANISATION, PHONE, zh};

use super::payment_requests::{Chain, request_and_pay};
use super::{href, start};

/// The demo organisation whose project lead makes the journey (it has not bid on the demo's
/// open tender yet).
const LEAD: &str = "org3@huimin.demo";

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
    // What the demo gives this organisation: a planned milestone of an active contract with
    // its indicators' labels, and a tender open for bids it has not bid on.
    let planned = site.planned_milestone(LEAD).await;
    let (contract, milestone_id, milestone_title) =
        (&planned.contract, &planned.id, &planned.title);
    let labels = &planned.labels;

    // 1. Home, then the tender open for bids, and a bid on it.
    b.sign_in(LEAD, DEMO_PASSWORD).await;
    b.see(&zh("org-home-milestones")).await;
    b.see(&zh("org-home-tenders")).await;
    b.screenshot("org-journey-home").await;
    let tender_page = b
        .find_all("section[aria-labelledby=tenders] a[href^='/tenders/']")
        .await
        .remove(0)
        .attr("href")
        .await
        .expect("an href")
        .expect("a tender open for bids on the home page");
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
    b.see(milestone_title).await;
    b.fill(
        &zh("report-summary"),
        "本期入户走访 120 户，小组活动 4 次，照片附后。",
    )
    .await;
    for label in labels {
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
    // Then the payment (SPEC §9): she requests it on her phone, the officer verifies it, the
    // bureau's approver approves it, the officer pays it.
    let chain = Chain {
        site: &site,
        org: &b,
        desk: &desk,
        shots: None,
    };
    let (payable, _) = request_and_pay(
        &chain,
        (LEAD, contract, milestone_title),
        "FP-2026-0901",
        "TYMZ-2026-0901",
    )
    .await;
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
        payments.contains(&payable) && payments.contains(milestone_title.as_str()),
        "{payments}"
    );
    b.screenshot("org-journey-paid").await;
    b.goto(&format!("/milestones/{milestone_id}")).await;
    b.see(&zh("milestone-status-accepted")).await;
    b.close().await;
}

/// The pages of the demo's records an organisation opens, reached through its pages' links:
/// a tender open for bids, each tab of its active contract (the posts tab with its staffing
/// forms), a milestone and its report form; each screenshot at a desk and on a phone, and
/// checked to fit the narrowest phone.
#[tokio::test]
async fn the_organisations_record_pages_are_screenshot() {
    let Some((site, b)) = start(PHONE).await else {
        return;
    };
    let planned = site.planned_milestone(ORGANISATION).await;
    b.sign_in(ORGANISATION, DEMO_PASSWORD).await;
    let tender = href(
        &b,
        "/",
        "section[aria-labelledby=tenders] a[href^='/tenders/']",
    )
    .await;
    let contract = format!("/contracts/{}", planned.contract);
    let mut pages = vec![
        ("org-tender".to_string(), tender),
        ("org-contract".to_string(), contract.clone()),
        (
            "org-milestone".to_string(),
            format!("/milestones/{}", planned.id),
        ),
        (
            "org-report-form".to_string(),
            format!("/milestones/{}/report", planned.id),
        ),
    ];
    for tab in ["milestones", "posts", "reports", "payments", "performance"] {
        pages.push((format!("org-contract-{tab}"), format!("{contract}/{tab}")));
    }
    let desk = site.chrome(DESK).await;
    desk.sign_in(ORGANISATION, DEMO_PASSWORD).await;
    let narrow = site.chrome(NARROW).await;
    narrow.sign_in(ORGANISATION, DEMO_PASSWORD).await;
    for (name, path) in &pages {
        for browser in [&b, &desk] {
            browser.goto(path).await;
            let title = browser.title().await;
            assert!(
                title.ends_with(&zh("app-name")) && !title.starts_with(&zh("error-title-404")),
                "{path}: {title}"
            );
            browser.screenshot(name).await;
        }
        narrow.goto(path).await;
        narrow.assert_fits().await;
    }
    // The posts tab offers the lead the staffing forms.
    b.goto(&format!("{contract}/posts")).await;
    assert!(
        !b.find_all("form[action*='/assignments']").await.is_empty(),
        "the staffing forms"
    );
    narrow.close().await;
    desk.close().await;
    b.close().await;
}
