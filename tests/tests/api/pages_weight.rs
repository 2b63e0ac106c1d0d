//! The organisation's pages are light for a phone on a weak connection: each answers
//! compressed (brotli, or gzip for a browser that only takes gzip), and weighs under 100 KB
//! with the stylesheet and scripts it loads, all compressed as they travel.

use axum::body::Body;
use axum::http::{Request, header};
use entity::rules::vocab::Role;
use tests::web::HOST;
use tests::{Answer, Login, TestApp};

/// The most a page may weigh with its assets, compressed, before images.
const BUDGET: usize = 100 * 1024;

/// `path` as a browser asks for it with `Accept-Encoding: encodings`.
async fn fetch(app: &TestApp, who: &Login, path: &str, encodings: &str) -> Answer {
    let req = Request::get(path)
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("huimin_session={}", who.token))
        .header(header::ACCEPT_ENCODING, encodings)
        .body(Body::empty())
        .unwrap();
    app.send(None, req).await
}

/// The stylesheets and scripts a page loads (`/assets/…` in `href` or `src`).
fn assets(html: &str) -> Vec<String> {
    html.split(['"', '\''])
        .filter(|s| s.starts_with("/assets/") && (s.ends_with(".css") || s.ends_with(".js")))
        .map(str::to_string)
        .collect()
}

/// The compressed weight of `path` and of what it loads; asserts each travels compressed.
async fn weigh(app: &TestApp, who: &Login, path: &str) -> usize {
    let page = fetch(app, who, path, "gzip, deflate, br").await.expect(200);
    assert_eq!(
        page.headers.get(header::CONTENT_ENCODING).unwrap(),
        "br",
        "{path} travels compressed"
    );
    let html = {
        // Decompressed only to find its assets: the plain page, asked without compression.
        let plain = fetch(app, who, path, "identity").await.expect(200);
        assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
        plain.text
    };
    let mut total = page.raw.len();
    for asset in assets(&html) {
        let a = fetch(app, who, &asset, "br").await.expect(200);
        assert_eq!(
            a.headers.get(header::CONTENT_ENCODING).unwrap(),
            "br",
            "{asset} travels compressed"
        );
        total += a.raw.len();
    }
    total
}

#[tokio::test]
async fn every_page_of_the_organisation_weighs_under_100_kb_compressed_with_its_assets() {
    let app = TestApp::new().await;
    let (fo, staff, contract) = app.contract_with_milestone("2026-03-09").await;
    let line = app.budget_line(&fo, "200000.00").await;
    let tender = app.published_tender(&fo, line, "90000.00").await;
    let milestone = app
        .get(
            &format!("/api/v1/contracts/{contract}/milestones"),
            &staff.token,
        )
        .await
        .expect(200)
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut pages = vec![
        "/".to_string(),
        "/tenders".into(),
        format!("/tenders/{tender}"),
        "/contracts".into(),
        format!("/milestones/{milestone}"),
        "/notifications".into(),
        "/profile".into(),
    ];
    for tab in [
        "",
        "/milestones",
        "/posts",
        "/reports",
        "/payments",
        "/performance",
    ] {
        pages.push(format!("/contracts/{contract}{tab}"));
    }
    for path in &pages {
        let weight = weigh(&app, &staff, path).await;
        println!("{path}: {weight} bytes compressed with its assets");
        assert!(
            weight < BUDGET,
            "{path} weighs {weight} bytes compressed with its assets"
        );
    }
}

#[tokio::test]
async fn a_browser_that_takes_only_gzip_gets_gzip_and_one_that_takes_none_gets_plain_html() {
    let app = TestApp::new().await;
    let staff = app.user(Role::Organisation).await;
    let gz = fetch(&app, &staff, "/", "gzip").await.expect(200);
    assert_eq!(gz.headers.get(header::CONTENT_ENCODING).unwrap(), "gzip");
    let plain = fetch(&app, &staff, "/", "identity").await.expect(200);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text.contains("<html"));
    assert!(gz.raw.len() < plain.raw.len());
}
