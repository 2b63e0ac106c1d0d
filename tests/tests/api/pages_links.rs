//! No page links to a route its reader may not use: every demo login's pages are walked from
//! the home page, two links deep, and every link must answer a page (UI.md §4).

use std::collections::{BTreeSet, VecDeque};

use tests::TestApp;
use tests::web::{Browser, location};

/// The local links of a page (`href="/…"`), without assets and downloads.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .filter(|h| !h.starts_with("/assets/") && !h.starts_with("/reports/"))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

async fn walk(app: &TestApp, email: &str, at_least: usize) -> Vec<String> {
    let mut b = Browser::new(app);
    b.sign_in(email, backend::demo::DEMO_PASSWORD).await;
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([("/".to_string(), "(start)".to_string(), 0)]);
    let mut broken = Vec::new();
    while let Some((path, from, depth)) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 120 {
            continue;
        }
        let page = b.get(&path).await;
        let status = page.status.as_u16();
        if status == 303 && location(&page).starts_with('/') {
            queue.push_back((location(&page), path.clone(), depth));
            continue;
        }
        if status != 200 {
            broken.push(format!(
                "{email}: {path} (linked from {from}) answers {status}"
            ));
            continue;
        }
        if depth < 2 {
            for l in links(&page.text) {
                queue.push_back((l, path.clone(), depth + 1));
            }
        }
    }
    assert!(seen.len() >= at_least, "{email} reached only {seen:?}");
    broken
}

#[tokio::test]
async fn every_link_of_every_demo_login_leads_to_a_page_it_may_see() {
    let app = TestApp::new().await;
    backend::demo::load(&app.state)
        .await
        .expect("the demo data");
    let mut broken = Vec::new();
    for (email, at_least) in [
        ("finance@huimin.demo", 20),
        ("org1@huimin.demo", 3),
        ("supervisor@huimin.demo", 3),
        ("admin@huimin.demo", 3),
    ] {
        broken.extend(walk(&app, email, at_least).await);
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[tokio::test]
async fn an_error_page_keeps_the_signed_in_header() {
    let app = TestApp::new().await;
    let fo = app.user(entity::rules::vocab::Role::FinanceOfficer).await;
    let mut b = Browser::new(&app);
    b.set_cookie("huimin_session", &fo.token);
    let missing = b.get("/no-such-page").await.expect(404);
    assert!(
        missing.text.contains("action=\"/logout\""),
        "{}",
        missing.text
    );
    assert!(missing.text.contains("财务人员"), "{}", missing.text);
    let visitor = Browser::new(&app).get("/no-such-page").await.expect(404);
    assert!(!visitor.text.contains("action=\"/logout\""));
}
