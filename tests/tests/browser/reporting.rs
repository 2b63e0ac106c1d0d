//! The organisation's report at phone size, with `static/report.js` at work: from the
//! milestone's page to the form, a file of a wrong type refused before anything is sent, then
//! the report with a photo sent with its progress, and the milestone's page with the message.

use std::time::{Duration, Instant};

use tests::browser::{Chrome, DEMO_PASSWORD, ORGANISATION, PHONE, items, zh};

use super::start;

/// Waits (a few seconds at most) until the page shows `needle` at `path`.
async fn wait_for(b: &Chrome, path: &str, needle: &str) {
    let start = Instant::now();
    loop {
        if b.path().await == path && b.text().await.contains(needle) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{needle:?} never shown at {path}; at {}:\n{}",
            b.path().await,
            b.text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_organisation_reports_a_milestone_with_a_photo_on_a_phone() {
    let Some((site, b)) = start(PHONE).await else {
        return;
    };
    // A planned milestone of the first organisation's active contract, and the labels of the
    // contract's indicators.
    let planned = site.planned_milestone(ORGANISATION).await;
    let (milestone, labels, token) = (planned.id, planned.labels, planned.token);
    assert!(!labels.is_empty(), "the contract's indicators");
    let reports = || async {
        let list = site
            .app
            .get(&format!("/api/v1/milestones/{milestone}/reports"), &token)
            .await
            .expect(200)
            .body;
        items(&list).len()
    };

    b.sign_in(ORGANISATION, DEMO_PASSWORD).await;
    let page = format!("/milestones/{milestone}");
    let form = format!("{page}/report");
    b.goto(&page).await;
    b.click_link(&zh("report-submit")).await;
    assert_eq!(b.path().await, form);
    b.see(&zh("report-files")).await;
    b.fill(&zh("report-summary"), "本期入户走访 120 户，照片附后。")
        .await;
    for label in &labels {
        b.fill(label, "12").await;
    }
    b.screenshot("org-report").await;

    // A file the report may not attach: said at once, and nothing is sent.
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "走访名单").unwrap();
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/activity-photo.png");
    let input = b.find_all("#f-files").await.remove(0);
    input.send_keys(&notes.display().to_string()).await.unwrap();
    wait_for(&b, &form, "“notes.txt”不是照片").await;
    b.click("#report-form button[type=submit]").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.path().await, form);
    assert_eq!(reports().await, 0, "nothing was sent");

    // The photo instead: sent, and the milestone's page with the action's message.
    b.client()
        .execute("document.getElementById('f-files').value = ''", vec![])
        .await
        .unwrap();
    let input = b.find_all("#f-files").await.remove(0);
    input.send_keys(photo).await.unwrap();
    b.click("#report-form button[type=submit]").await;
    wait_for(&b, &page, &zh("flash-report-submitted")).await;
    b.see(&zh("milestone-status-submitted")).await;
    assert_eq!(reports().await, 1);
    assert_eq!(b.find_all("img[src^='/reports/']").await.len(), 1);
    b.screenshot("org-report-submitted").await;
    b.close().await;
}
