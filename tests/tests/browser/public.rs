//! The public pages in a browser (issue 18): the notices and a village's service station page
//! on a desk (1280×800) and a phone (390×844), screenshot; a visitor goes from the notices to
//! the county, a township and a village; the village's page prints on one A4 sheet.

use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use tests::browser::{Chrome, DESK, NARROW, PHONE, Site, zh};

/// The page's path without its query (the pages' links keep `?lang=`).
async fn path_of(b: &Chrome) -> String {
    let p = b.path().await;
    p.split('?').next().unwrap_or_default().to_string()
}

/// The demo's village with its service station (a direct award) and a funded post (vacant).
const VILLAGE: &str = "/public/divisions/410523100201";

#[tokio::test]
async fn the_public_pages_read_on_a_desk_and_a_phone_and_a_village_prints_on_one_sheet() {
    let Some(site) = Site::demo().await else {
        return;
    };
    for size in [DESK, PHONE, NARROW] {
        let b = site.chrome(size).await;
        for (name, path) in [
            ("public-notices", "/public"),
            ("public-county", "/public/divisions/410523"),
            ("public-village", VILLAGE),
            ("public-village-en", &format!("{VILLAGE}?lang=en")),
        ] {
            b.goto(path).await;
            assert!(
                b.title().await.ends_with(&zh("public-site-name")) || path.ends_with("lang=en"),
                "{path}: {}",
                b.title().await
            );
            if size == NARROW {
                b.assert_fits().await;
            } else {
                b.screenshot(name).await;
            }
        }
        b.close().await;
    }

    // From the notices to a notice, then down from the county to the village.
    let b = site.chrome(PHONE).await;
    b.goto("/public").await;
    b.see(&zh("public-latest")).await;
    b.click("article.notice-card h3 a").await;
    assert!(b.path().await.starts_with("/public/notices/"));
    b.see(&zh("public-notice-kept")).await;
    b.screenshot("public-notice").await;
    b.goto("/public").await;
    b.click_link("汤阴县").await;
    assert_eq!(path_of(&b).await, "/public/divisions/410523");
    b.see(&zh("public-sub-divisions")).await;
    b.click_link("城关镇").await;
    assert_eq!(path_of(&b).await, "/public/divisions/410523100");
    // The town's station post is staffed (by whom, no page says).
    b.see("城关镇社工站驻站社工").await;
    b.see(&zh("public-filled")).await;
    assert!(!b.text().await.contains("张晓梅"));
    b.click_link("韩庄村").await;
    assert_eq!(path_of(&b).await, "/public/divisions/410523100201");
    b.see("韩庄村儿童主任").await;
    b.see(&zh("public-vacant")).await;
    // Its own service station, what it cost and the milestone accepted.
    b.see("韩庄村巾帼志愿服务站试运营").await;
    b.see("志愿服务站运营（第一期）").await;
    b.close().await;

    // The notice board: one A4 sheet.
    let b = site.chrome(DESK).await;
    b.goto(VILLAGE).await;
    let config = PrintConfiguration::builder()
        .size(PrintSize::A4)
        .margins(PrintMargins {
            top: 1.0,
            bottom: 1.0,
            left: 1.0,
            right: 1.0,
        })
        .shrink_to_fit(false)
        .build()
        .expect("a print configuration");
    let pdf = b.client().print(config).await.expect("a PDF of the page");
    // The page tree's `/Count` is the number of pages (the dictionaries are not compressed).
    let text = String::from_utf8_lossy(&pdf);
    let pages: Vec<u32> = text
        .match_indices("/Count ")
        .filter_map(|(i, m)| {
            let digits: String = text[i + m.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect();
    let pages = pages.into_iter().max().unwrap_or(0);
    assert_eq!(pages, 1, "the village's page prints on {pages} A4 pages");
    let dir = tests::browser::screenshot_dir();
    std::fs::write(dir.join("public-village-a4.pdf"), &pdf).expect("save the PDF");
    b.close().await;
}
