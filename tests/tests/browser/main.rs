//! Browser tests (UI.md §4): the real pages in headless Chromium over WebDriver, on the demo
//! data set served over TCP. Each test has its own database, server and browser.
//!
//! Without Chromium they print `SKIPPED: ...` and pass (with `HUIMIN_REQUIRE_BROWSER=1`, as in
//! `.ci/run`, they fail instead). Screenshots go to `target/screenshots/<name>-<w>x<h>.png`.
//!
//! To add a page to the screenshots: a line in [`PAGES`]. To go further in a role's journey:
//! a step in its journey test, where it says so.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

mod admin;
mod organisation;
mod payment_requests;
mod public;
mod reporting;
mod supervisor;

use jobs::clock::Clock;
use tests::browser::{
    ADMIN, Chrome, DEMO_PASSWORD, DESK, FINANCE, NARROW, ORGANISATION, PHONE, SIZES, SUPERVISOR,
    Site, Size, en, zh,
};

/// Every page screenshot at each of [`SIZES`] (and checked to fit the width with no sideways
/// scrolling): who looks at it (`None`: a visitor, signed out; else the demo login), the
/// screenshot's name, the path. Add new pages here.
const PAGES: &[(Option<&str>, &str, &str)] = &[
    (None, "login", "/login"),
    (None, "login-en", "/login?lang=en"),
    (Some(FINANCE), "finance-home", "/"),
    (Some(FINANCE), "finance-budget-lines", "/budget-lines"),
    (
        Some(FINANCE),
        "finance-budget-line-new",
        "/budget-lines/new",
    ),
    (Some(FINANCE), "finance-tenders", "/tenders"),
    (
        Some(FINANCE),
        "finance-tenders-to-award",
        "/tenders?view=to-award",
    ),
    (Some(FINANCE), "finance-tender-new", "/tenders/new"),
    (Some(FINANCE), "finance-contracts", "/contracts"),
    (
        Some(FINANCE),
        "finance-contracts-ending",
        "/contracts?view=ending",
    ),
    (Some(FINANCE), "finance-contract-new", "/contracts/new"),
    (Some(FINANCE), "finance-reviews", "/milestones?view=review"),
    (Some(FINANCE), "finance-overdue", "/milestones?view=overdue"),
    (Some(FINANCE), "finance-findings", "/findings"),
    (
        Some(FINANCE),
        "finance-payment-requests",
        "/payment-requests",
    ),
    (
        Some(FINANCE),
        "finance-payment-requests-to-pay",
        "/payment-requests?status=approved",
    ),
    (Some(FINANCE), "finance-notifications", "/notifications"),
    (Some(FINANCE), "finance-profile", "/profile"),
    (Some(FINANCE), "finance-not-found", "/no-such-page"),
    // Last of the officer's: opening it clears the header's badge (it marks the new ones).
    (Some(FINANCE), "finance-notifications", "/notifications"),
    (Some(ORGANISATION), "org-home", "/"),
    (Some(ORGANISATION), "org-tenders", "/tenders"),
    (Some(ORGANISATION), "org-bids", "/bids"),
    (Some(ORGANISATION), "org-contracts", "/contracts"),
    (
        Some(ORGANISATION),
        "org-payment-requests",
        "/payment-requests",
    ),
    (Some(ORGANISATION), "org-notifications", "/notifications"),
    (Some(ORGANISATION), "org-profile", "/profile"),
    (Some(SUPERVISOR), "supervisor-home", "/"),
    (Some(SUPERVISOR), "supervisor-budget-lines", "/budget-lines"),
    (Some(SUPERVISOR), "supervisor-spending", "/spending"),
    (
        Some(SUPERVISOR),
        "supervisor-spending-organisation",
        "/spending?group_by=organisation",
    ),
    (
        Some(SUPERVISOR),
        "supervisor-spending-budget-line",
        "/spending?group_by=budget_line",
    ),
    (Some(SUPERVISOR), "supervisor-findings-open", "/findings"),
    (
        Some(SUPERVISOR),
        "supervisor-payment-requests",
        "/payment-requests",
    ),
    (Some(ADMIN), "admin-home", "/"),
    // The pages of a record (`/tenders/<id>`): `the_officers_record_pages_are_screenshot` and
    // the journeys.
];

/// The demo site and a browser of `size` on it, or `None` when the browser tests are skipped.
async fn start(size: Size) -> Option<(Site, Chrome)> {
    let site = Site::demo().await?;
    let chrome = site.chrome(size).await;
    Some((site, chrome))
}

#[tokio::test]
async fn every_page_fits_a_desk_and_a_phone_and_is_screenshot() {
    let Some(site) = Site::demo().await else {
        return;
    };
    // Screenshot at each of SIZES; at the narrowest phone only checked to fit its width.
    for size in SIZES.into_iter().chain([NARROW]) {
        let b = site.chrome(size).await;
        let mut signed_in: Option<&str> = None;
        for &(who, name, path) in PAGES {
            if who != signed_in {
                if signed_in.is_some() {
                    // From home: the error pages have no header with a sign-out button.
                    b.goto("/").await;
                    b.sign_out().await;
                }
                if let Some(email) = who {
                    b.sign_in(email, DEMO_PASSWORD).await;
                }
                signed_in = who;
            }
            b.goto(path).await;
            // Every page has a title of its own, then the product's name.
            let title = b.title().await;
            assert!(
                title.ends_with(&zh("app-name")) || title.ends_with(&en("app-name")),
                "{path}: {title}"
            );
            if size == NARROW {
                b.assert_fits().await;
            } else {
                b.screenshot(name).await;
            }
        }
        b.close().await;
    }
}

#[tokio::test]
async fn the_finance_officer_signs_in_sees_home_budget_lines_and_profile_and_signs_out() {
    let Some((_site, b)) = start(DESK).await else {
        return;
    };
    b.goto("/").await;
    assert!(
        b.path().await.starts_with("/login"),
        "a visitor is sent to sign in"
    );
    b.see(&zh("login-heading")).await;
    b.sign_in(FINANCE, DEMO_PASSWORD).await;
    assert_eq!(b.path().await, "/");
    // The header names the officer and the role; home lists the budget lines with their bars.
    b.see("王会计").await;
    b.see(&zh("role-finance-officer")).await;
    b.see(&zh("home-todo")).await;
    b.see("困境儿童关爱服务").await;
    assert_eq!(b.find_all("table.cards .bar").await.len(), 3);
    // Through the navigation to the budget lines.
    b.click_link(&zh("nav-budget-lines")).await;
    assert_eq!(b.path().await, "/budget-lines");
    b.see("2026-MZ-03").await;
    b.see("¥2,400,000.00").await;
    b.goto("/profile").await;
    b.see(&zh("profile-password-heading")).await;
    b.sign_out().await;
    b.see(&zh("flash-signed-out")).await;
    // Signed out for real: home asks to sign in again.
    b.goto("/").await;
    assert!(b.path().await.starts_with("/login"));
    b.close().await;
}

#[tokio::test]
async fn a_wrong_password_shows_the_message_and_keeps_the_email() {
    let Some((_site, b)) = start(PHONE).await else {
        return;
    };
    b.goto("/login").await;
    b.fill(&zh("login-email"), FINANCE).await;
    b.fill(&zh("login-password"), "not-the-password").await;
    b.click_button(&zh("login-submit")).await;
    assert_eq!(b.path().await, "/login");
    b.see(&zh("login-failed")).await;
    let email = b.client().find(fantoccini::Locator::Css("#email")).await;
    assert_eq!(
        email.unwrap().prop("value").await.unwrap().as_deref(),
        Some(FINANCE)
    );
    b.screenshot("login-failed").await;
    // The right one then signs in.
    b.fill(&zh("login-password"), DEMO_PASSWORD).await;
    b.click_button(&zh("login-submit")).await;
    assert_eq!(b.path().await, "/");
    b.close().await;
}

#[tokio::test]
async fn the_language_switch_changes_the_pages_text_and_back() {
    let Some((_site, b)) = start(DESK).await else {
        return;
    };
    b.sign_in(FINANCE, DEMO_PASSWORD).await;
    b.goto("/budget-lines").await;
    assert_eq!(b.lang().await, "zh-CN");
    b.see(&zh("budget-available")).await;
    b.switch_language().await;
    // The same page, in English, with the message saying so.
    assert_eq!(b.path().await, "/budget-lines");
    assert_eq!(b.lang().await, "en");
    b.see(&en("flash-language-saved")).await;
    b.see(&en("budget-available")).await;
    b.see(&en("layout-sign-out")).await;
    assert!(!b.text().await.contains(&zh("layout-sign-out")));
    b.screenshot("finance-budget-lines-en").await;
    // Remembered on the user: another page, then another sign-in, stay in English.
    b.goto("/profile").await;
    b.see(&en("profile-title")).await;
    b.sign_out().await;
    b.sign_in(FINANCE, DEMO_PASSWORD).await;
    assert_eq!(b.lang().await, "en");
    // And back to Chinese, from the profile page's own form this time.
    b.goto("/profile").await;
    b.fill("中文", "").await;
    b.click_button(&en("profile-language-heading")).await;
    assert_eq!(b.path().await, "/profile");
    assert_eq!(b.lang().await, "zh-CN");
    b.see(&zh("flash-language-saved")).await;
    b.see(&zh("layout-sign-out")).await;
    b.close().await;
}

/// The pages of the demo's records the officer opens, reached through the pages' links: a
/// budget line, a tender past its deadline with its bids, an awarded tender, each tab of a
/// signed contract, a milestone with a report to review.
#[tokio::test]
async fn the_officers_record_pages_are_screenshot() {
    let Some((_site, b)) = start(DESK).await else {
        return;
    };
    b.sign_in(FINANCE, DEMO_PASSWORD).await;
    let line = href(&b, "/budget-lines", "table.cards a[href^='/budget-lines/']").await;
    let to_award = href(&b, "/tenders?view=to-award", "社区居家养老上门服务").await;
    let awarded = href(&b, "/tenders", "困境儿童关爱服务项目").await;
    let contract = href(&b, "/contracts", "困境儿童关爱服务项目").await;
    let review = href(&b, "/milestones?view=review", "第二阶段：个案服务").await;
    let mut pages = vec![
        ("finance-budget-line".to_string(), line),
        ("finance-tender-to-award".to_string(), to_award),
        ("finance-tender-awarded".to_string(), awarded),
        ("finance-contract".to_string(), contract.clone()),
        ("finance-review-demo".to_string(), review),
    ];
    for tab in [
        "milestones",
        "posts",
        "reports",
        "payments",
        "performance",
        "post-funding",
        "findings",
        "history",
    ] {
        pages.push((
            format!("finance-contract-{tab}"),
            format!("{contract}/{tab}"),
        ));
    }
    let phone = _site.chrome(PHONE).await;
    phone.sign_in(FINANCE, DEMO_PASSWORD).await;
    for browser in [&b, &phone] {
        for (name, path) in &pages {
            browser.goto(path).await;
            let title = browser.title().await;
            assert!(title.ends_with(&zh("app-name")), "{path}: {title}");
            assert!(
                !title.starts_with(&zh("error-title-404")),
                "{path}: {title}"
            );
            browser.screenshot(name).await;
        }
    }
    phone.close().await;
    b.close().await;
}

/// The `href` of the link on `page` whose text is `link` (else that `link` selects as CSS).
async fn href(b: &Chrome, page: &str, link: &str) -> String {
    b.goto(page).await;
    let x = format!("//a[normalize-space(.)='{link}']");
    let mut found = b
        .client()
        .find_all(fantoccini::Locator::XPath(&x))
        .await
        .unwrap_or_default();
    if found.is_empty() {
        found = b.find_all(link).await;
    }
    let a = found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no link {link:?} on {page}"));
    a.attr("href")
        .await
        .expect("an href")
        .unwrap_or_else(|| panic!("the link {link:?} on {page} has no href"))
}

/// The finance officer's whole journey at a desk (UI.md §4): sign in, create and publish a
/// tender, after the deadline award it, sign the contract, review a report, record a payment.
#[tokio::test]
async fn the_finance_officers_journey() {
    let Some((site, b)) = start(DESK).await else {
        return;
    };
    b.sign_in(FINANCE, DEMO_PASSWORD).await;
    b.see(&zh("home-budget-lines")).await;
    b.click_link(&zh("nav-budget-lines")).await;
    b.see("农村留守老人关爱服务").await;
    // One card per line of the officer's purchaser (`site.app` is the served application: its
    // database, and its clock to move past a deadline).
    let lines = site.app.count("budget_line").await;
    assert_eq!(b.find_all("table.cards tbody tr").await.len() as i64, lines);

    // A phone beside the desk, signed in too: each page the journey reaches is screenshot at
    // both sizes (the phone opens the same path).
    let phone = site.chrome(PHONE).await;
    phone.sign_in(FINANCE, DEMO_PASSWORD).await;
    let shoot = async |name: &str| {
        b.screenshot(name).await;
        phone.goto(&b.path().await).await;
        phone.screenshot(name).await;
    };
    let tz = site.app.state.config.tz;
    let local_now = site.app.clock.now().with_timezone(&tz);
    let today = local_now.date_naive();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();

    // 1. A new tender, from the navigation: the form, then the saved draft.
    b.click_link(&zh("nav-tenders")).await;
    assert_eq!(b.path().await, "/tenders");
    b.click_link(&zh("tender-new")).await;
    assert_eq!(b.path().await, "/tenders/new");
    b.fill(&zh("budget-line"), "困境儿童关爱服务").await;
    b.fill(&zh("tender-title"), "社区矫正社会工作服务").await;
    b.fill(
        &zh("tender-description"),
        "为社区矫正对象提供心理疏导和社会适应帮扶。",
    )
    .await;
    b.fill(&zh("tender-category"), &zh("tender-category-community"))
        .await;
    b.fill(&zh("tender-method"), &zh("tender-method-inquiry"))
        .await;
    b.fill(&zh("tender-division"), "410523").await;
    b.fill(&zh("tender-ceiling-yuan"), "150000").await;
    let deadline = (local_now + chrono::Duration::days(7)).format("%Y-%m-%dT17:00");
    b.fill(&zh("tender-deadline"), &deadline.to_string()).await;
    b.fill(&zh("tender-service-start"), &day(30)).await;
    b.fill(&zh("tender-service-end"), &day(300)).await;
    b.click_button(&zh("tender-create")).await;
    b.see(&zh("flash-tender-created")).await;
    let tender_page = b.path().await;
    assert!(tender_page.starts_with("/tenders/"), "{tender_page}");
    let tender = tender_page.trim_start_matches("/tenders/").to_string();
    b.see("社区矫正社会工作服务").await;
    b.see(&zh("tender-status-draft")).await;
    b.see("¥150,000.00").await;
    shoot("finance-tender-draft").await;
    b.click_button(&zh("tender-publish")).await;
    assert_eq!(b.path().await, tender_page);
    b.see(&zh("flash-tender-published")).await;
    b.see(&zh("tender-status-published")).await;
    // Before the deadline the bids are sealed, even to the officer.
    b.see(&zh("tender-bids-sealed")).await;

    // 2. Two organisations bid (their pages are a later issue: through the API), the
    //    deadline passes, the officer closes the tender, compares and scores the bids.
    for (email, amount) in [
        (ORGANISATION, "142000.00"),
        ("org2@huimin.demo", "138500.00"),
    ] {
        let token = site.app.login(email, DEMO_PASSWORD).await;
        site.app
            .post(
                &format!("/api/v1/tenders/{tender}/bids"),
                &token,
                serde_json::json!({"amount": amount, "proposal": "服务方案：每周两次个别辅导，每月一次小组活动。"}),
            )
            .await
            .expect(201);
    }
    site.app.clock.advance(chrono::Duration::days(8));
    b.goto("/").await;
    b.click("a[href='/tenders?view=to-award']").await;
    b.click_link("社区矫正社会工作服务").await;
    assert_eq!(b.path().await, tender_page);
    b.see(&zh("tender-deadline-passed")).await;
    b.click_button(&zh("tender-close")).await;
    b.see(&zh("flash-tender-closed")).await;
    b.see(&zh("tender-status-closed")).await;
    // The bids side by side: each organisation, amount and proposal.
    assert_eq!(b.find_all(".tender-bids tbody tr").await.len(), 2);
    b.see("¥142,000.00").await;
    b.see("¥138,500.00").await;
    for row in 1..=2 {
        let tr = format!(".tender-bids tbody tr:nth-child({row})");
        let text = b.find_all(&tr).await[0]
            .text()
            .await
            .expect("the bid's row");
        let score = if text.contains("¥138,500.00") {
            "92"
        } else {
            "86"
        };
        b.fill(&format!("{tr} input[name=score]"), score).await;
        b.click_button(&format!("{tr} .bid-score button")).await;
        b.see(&zh("flash-bid-scored")).await;
    }
    shoot("finance-tender-bids").await;

    // Award to the second bidder: lands on the new draft contract.
    let cheaper = b
        .client()
        .find(fantoccini::Locator::XPath(
            "//form[contains(@class, 'tender-award')]//label[contains(., '¥138,500.00')]/input",
        ))
        .await
        .expect("the radio button of the ¥138,500.00 bid");
    cheaper.click().await.expect("choose the bid");
    b.click_button(&zh("tender-award")).await;
    b.see(&zh("flash-tender-awarded")).await;
    let contract_page = b.path().await;
    assert!(contract_page.starts_with("/contracts/"), "{contract_page}");
    b.see("社区矫正社会工作服务").await;
    b.see(&zh("contract-status-draft")).await;
    b.see("¥138,500.00").await;

    // 3. The contract's milestones and indicators (weights summing to 100), then signing it
    //    with the budget effect in view.
    b.click_link(&zh("contract-tab-milestones")).await;
    let milestones_tab = b.path().await;
    assert_eq!(milestones_tab, format!("{contract_page}/milestones"));
    b.fill("#f-title", "全年社区矫正社会工作服务").await;
    b.fill("#f-due_date", &day(120)).await;
    b.fill("#f-amount", "138500").await;
    b.click_button(&zh("contracts-add-milestone")).await;
    b.see(&zh("flash-milestone-added")).await;
    b.see("全年社区矫正社会工作服务").await;
    for (code, name, unit, comparator, target, weight) in [
        (
            "talks",
            "个别辅导人次",
            "人次",
            "comparator-at-least",
            "200",
            "70",
        ),
        (
            "relapse",
            "再犯罪人数",
            "人",
            "comparator-at-most",
            "0",
            "30",
        ),
    ] {
        b.fill("#f-code", code).await;
        b.fill("#f-name", name).await;
        b.fill("#f-unit", unit).await;
        b.fill("#f-comparator", &zh(comparator)).await;
        b.fill("#f-target", target).await;
        b.fill("#f-weight", weight).await;
        b.click_button(&zh("contracts-add-indicator")).await;
        b.see(&zh("flash-indicator-added")).await;
        b.see(name).await;
    }
    b.see(&zh("contracts-weight-sum")).await;
    shoot("finance-contract-new-milestones").await;
    b.click_link(&zh("contract-tab-overview")).await;
    assert_eq!(b.path().await, contract_page);
    b.see(&zh("contracts-budget-effect")).await;
    b.see(&zh("contracts-committed-by-signing")).await;
    shoot("finance-contract-draft").await;
    b.click_button(&zh("contracts-sign")).await;
    b.see(&zh("flash-contract-signed")).await;
    b.see(&zh("contract-status-active")).await;

    // 4. The organisation reports the milestone, with a photo (through the API); the officer
    //    finds it from the home page's to-do list and accepts it.
    b.click_link(&zh("contract-tab-milestones")).await;
    let milestone_link = b
        .find_all("table.cards a[href^='/milestones/']")
        .await
        .into_iter()
        .next()
        .expect("a link to the milestone");
    let milestone_page = milestone_link
        .attr("href")
        .await
        .expect("an href")
        .expect("an href");
    let milestone = milestone_page
        .trim_start_matches("/milestones/")
        .to_string();
    let indicators: Vec<(String, &str)> = {
        let token = site.app.login(WINNER, DEMO_PASSWORD).await;
        let c = contract_page.trim_start_matches("/contracts/");
        let all = site
            .app
            .get(&format!("/api/v1/contracts/{c}/indicators"), &token)
            .await
            .expect(200);
        let items = all
            .body
            .as_array()
            .or(all.body["items"].as_array())
            .cloned()
            .unwrap_or_default();
        items
            .iter()
            .map(|i| {
                let id = i["id"].as_str().unwrap_or_default().to_string();
                let value = if i["code"] == "talks" { "180" } else { "0" };
                (id, value)
            })
            .collect()
    };
    assert_eq!(indicators.len(), 2, "the contract's indicators");
    report_with_photo(&site, &milestone, &indicators).await;
    b.goto("/").await;
    b.see(&zh("home-todo")).await;
    b.click("a[href='/milestones?view=review']").await;
    assert_eq!(b.path().await, "/milestones?view=review");
    b.click_link("全年社区矫正社会工作服务").await;
    assert_eq!(b.path().await, milestone_page);
    b.see(&zh("milestone-status-submitted")).await;
    // Against the targets: 180 of 200 talks, no relapse; the payable if accepted.
    b.see(&zh("review-against-targets")).await;
    b.see("个别辅导人次").await;
    b.see("180").await;
    b.see(&zh("review-payable-if-accepted")).await;
    assert_eq!(
        b.find_all("img[src^='/reports/']").await.len(),
        1,
        "the photo"
    );
    shoot("finance-review").await;
    b.fill(&zh("review-accept-comment"), "材料齐全，同意验收。")
        .await;
    b.click_button(&zh("review-accept")).await;
    b.see(&zh("flash-report-accepted")).await;
    b.see(&zh("milestone-status-accepted")).await;
    b.see(&zh("review-payable")).await;

    // 5. The payment (SPEC §9): the payables and what is left of each; the organisation
    //    requests it (on its phone), the officer verifies it, the bureau's approver approves
    //    it, the officer records the payment; the budget line's disbursed grows by it.
    let disbursed_before = disbursed(&b, "困境儿童关爱服务").await;
    b.goto(&contract_page).await;
    b.click_link(&zh("contract-tab-payments")).await;
    assert_eq!(b.path().await, format!("{contract_page}/payments"));
    b.see(&zh("payment-payables")).await;
    b.see(&zh("pr-requestable")).await;
    let winner = site.chrome(PHONE).await;
    winner.sign_in(WINNER, DEMO_PASSWORD).await;
    let chain = payment_requests::Chain {
        site: &site,
        org: &winner,
        desk: &b,
        shots: None,
    };
    // The payment date is today's unless changed (the test clock's today: 8 days on).
    let (payable, _) = payment_requests::request_and_pay(
        &chain,
        (
            WINNER,
            contract_page.trim_start_matches("/contracts/"),
            "全年社区矫正社会工作服务",
        ),
        "FP-2026-0108",
        "TYMZ-2026-0108",
    )
    .await;
    winner.close().await;
    b.goto(&format!("{contract_page}/payments")).await;
    b.see("TYMZ-2026-0108").await;
    b.see(&payable).await;
    shoot("finance-contract-payments").await;
    assert_eq!(
        disbursed(&b, "困境儿童关爱服务").await,
        disbursed_before + fen(&payable)
    );

    phone.close().await;
    b.close().await;
}

/// What the budget line named `line` has disbursed, in fen, from the budget lines page.
async fn disbursed(b: &Chrome, line: &str) -> i64 {
    b.goto("/budget-lines").await;
    for row in b.find_all("table.cards tbody tr").await {
        let text = row.text().await.expect("a line's row");
        if text.contains(line) {
            let legend = row
                .find(fantoccini::Locator::Css(".legend"))
                .await
                .expect("the reserved / committed / disbursed figures");
            let figures = legend.text().await.expect("the figures");
            return fen(figures.rsplit(" / ").next().expect("the disbursed figure"));
        }
    }
    panic!("no budget line {line} on /budget-lines")
}

/// `¥1,234.56` in fen.
fn fen(money: &str) -> i64 {
    let digits: String = money.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not an amount: {money}"))
}

/// The organisation whose bid the journey's officer awards (the cheaper, better scored one).
const WINNER: &str = "org2@huimin.demo";

/// A small real PNG (a house in a field) for a report's photo.
const PHOTO: &[u8] = include_bytes!("../../fixtures/activity-photo.png");

/// The winning organisation's report on `milestone` with its measurements and a photo, through the
/// API as a multipart form (the organisation's pages are a later issue).
async fn report_with_photo(site: &Site, milestone: &str, values: &[(String, &str)]) {
    let token = site.app.login(WINNER, DEMO_PASSWORD).await;
    let measurements: Vec<serde_json::Value> = values
        .iter()
        .map(|(id, v)| serde_json::json!({"indicator_id": id, "value": v}))
        .collect();
    let report = serde_json::json!({
        "summary": "全年开展个别辅导180人次，小组活动12次，无再犯罪。",
        "measurements": measurements,
    });
    let boundary = "huimin-journey";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"report\"\r\nContent-Type: application/json\r\n\r\n{report}\r\n").as_bytes());
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"小组活动.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend(PHOTO);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    site.app
        .send_from(
            None,
            axum::http::Method::POST,
            &format!("/api/v1/milestones/{milestone}/reports"),
            Some(&token),
            Some(axum::body::Body::from(body)),
            Some(&format!("multipart/form-data; boundary={boundary}")),
        )
        .await
        .expect(201);
}
