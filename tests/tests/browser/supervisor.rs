//! The supervisor's journey at a desk (UI.md §4, issue 17): from the spending report by
//! division, down from the county to a township and one of its villages, the CSV of what is
//! shown; then a contract's dossier, where a finding is recorded. Screenshots of the
//! supervisor's pages at both sizes on the way.

use serde_json::json;
use tests::Login;
use tests::browser::{DEMO_PASSWORD, DESK, FINANCE, SUPERVISOR, Site, zh};

use super::start;

/// The village the journey ends in, and the township above it.
const VILLAGE: &str = "410523100201";
const TOWNSHIP: &str = "410523100";
/// The title of the contract placed in the village.
const TITLE: &str = "韩庄村留守儿童之家运营";

/// A signed contract of the demo officer's purchaser with the first demo organisation, for the
/// village (the demo's contracts are the county's and a township's).
async fn village_contract(site: &Site) -> String {
    let app = &site.app;
    let token = app.login(FINANCE, DEMO_PASSWORD).await;
    let me = app.get("/api/v1/me", &token).await.expect(200).body;
    let fo = Login {
        token: token.clone(),
        user_id: me["id"].as_str().unwrap().parse().unwrap(),
        purchaser_id: me["purchaser_id"].as_str().map(|p| p.parse().unwrap()),
        organisation_id: None,
    };
    let orgs = app
        .get("/api/v1/organisations", &token)
        .await
        .expect(200)
        .body;
    let org = orgs["items"][0]["id"].as_str().unwrap().parse().unwrap();
    let line = app.budget_line(&fo, "500000.00").await;
    let mut body = app.direct_award_body(&fo, org, line, "36000.00");
    body["division_code"] = json!(VILLAGE);
    body["title"] = json!(TITLE);
    let id = app
        .post("/api/v1/contracts", &token, body)
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/contracts/{id}/sign"), &token)
        .await
        .expect(200);
    app.seal().await;
    id.to_string()
}

#[tokio::test]
async fn the_supervisor_drills_to_a_village_downloads_the_csv_and_records_a_finding() {
    let Some((site, b)) = start(DESK).await else {
        return;
    };
    let contract = village_contract(&site).await;
    b.sign_in(SUPERVISOR, DEMO_PASSWORD).await;
    b.see(&zh("sup-home-chain")).await;

    // 1. The spending report opens by division: the county, then its townships, a village.
    b.click_link(&zh("nav-spending")).await;
    assert_eq!(b.path().await, "/spending");
    b.see(&zh("spending-chart")).await;
    assert_eq!(b.find_all("svg.spending-chart rect").await.len(), 2);
    // Names from the register (the demo's), each with its code beside it.
    b.click_link("汤阴县").await;
    b.see("城关镇").await;
    b.see(TOWNSHIP).await;
    b.click_link("城关镇").await;
    b.see("韩庄村").await;
    b.see(VILLAGE).await;
    b.screenshot("supervisor-spending-villages").await;
    // The demo's contracts in the township are both the village's: one row.
    let rows = b.find_all("table.spending-table tbody tr").await;
    assert_eq!(rows.len(), 1);
    let url = b.client().current_url().await.unwrap();
    assert!(
        url.as_str().contains(&format!("division_code={TOWNSHIP}")),
        "{url}"
    );

    // 2. The CSV of what is shown, downloaded in the browser's session.
    let href = b
        .find_all("a[href*='format=csv']")
        .await
        .remove(0)
        .attr("href")
        .await
        .unwrap()
        .expect("the CSV link");
    let csv = b
        .client()
        .execute(
            "return fetch(arguments[0]).then(r => r.text())",
            vec![json!(href)],
        )
        .await
        .expect("the CSV");
    let csv = csv.as_str().unwrap();
    assert!(csv.contains(&format!("{VILLAGE},")), "{csv}");
    assert!(csv.contains("132000.00"), "{csv}");
    assert_eq!(
        csv.lines().count(),
        3,
        "a header, the village, the total: {csv}"
    );

    // 3. The village's contract, its dossier, a finding recorded there.
    b.click_link(&zh("nav-contracts")).await;
    b.click_link(TITLE).await;
    b.click_link(&zh("contract-tab-dossier")).await;
    assert_eq!(b.path().await, format!("/contracts/{contract}/dossier"));
    b.see(&zh("dossier-timeline")).await;
    b.see(&zh("dossier-signed")).await;
    b.fill(&zh("finding-severity-high"), "").await;
    b.fill(&zh("finding-text"), "岗位社工未按合同到岗，请说明原因。")
        .await;
    b.click_button(&zh("finding-record")).await;
    assert_eq!(b.path().await, format!("/contracts/{contract}/dossier"));
    b.see(&zh("flash-finding-recorded")).await;
    b.see("岗位社工未按合同到岗").await;
    b.screenshot("supervisor-dossier-finding").await;
    b.close().await;

    // Each of the supervisor's pages at a desk and on a phone.
    for (path, name) in [
        (
            format!("/contracts/{contract}/dossier"),
            "supervisor-dossier",
        ),
        (
            format!("/spending?group_by=division&division_code={TOWNSHIP}"),
            "supervisor-spending-township",
        ),
        ("/findings?status=all".to_string(), "supervisor-findings"),
    ] {
        site.screenshot_at_every_size(Some(SUPERVISOR), &path, name)
            .await;
    }
}
