//! The division register (SPEC §2): names by code in one statement, a division's children
//! sorted by code, and the demo's county with its townships and villages named.

use backend::services::divisions::{self, Entry};
use tests::TestApp;

fn entry(code: &str, name: &str) -> Entry {
    Entry {
        code: code.into(),
        name: name.into(),
    }
}

#[tokio::test]
async fn the_register_answers_names_and_children_and_reimport_renames() {
    let app = TestApp::new().await;
    let st = &app.state;
    let first = [
        entry("410523100202", "东关村"),
        entry("410523", "汤阴县"),
        entry("410523100", "城关镇"),
        entry("410523100201", "韩庄村"),
        entry("410523101", "菜园镇"),
    ];
    let done = divisions::import(&st.writer, &first).await.unwrap();
    assert_eq!((done.added, done.updated), (5, 0));

    let names = divisions::names(
        &st.db,
        &[
            "410523100201".to_string(),
            "410523".to_string(),
            "999999".to_string(),
            "410523".to_string(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(names["410523"], "汤阴县");
    assert!(divisions::names(&st.db, &[]).await.unwrap().is_empty());

    let s = |c: &str, n: &str| (c.to_string(), n.to_string());
    assert_eq!(
        divisions::children(&st.db, None).await.unwrap(),
        [s("410523", "汤阴县")]
    );
    assert_eq!(
        divisions::children(&st.db, Some("410523")).await.unwrap(),
        [s("410523100", "城关镇"), s("410523101", "菜园镇")]
    );
    assert_eq!(
        divisions::children(&st.db, Some("410523100"))
            .await
            .unwrap(),
        [s("410523100201", "韩庄村"), s("410523100202", "东关村")]
    );

    let done = divisions::import(&st.writer, &[entry("410523100201", "韩庄社区")])
        .await
        .unwrap();
    assert_eq!((done.added, done.updated), (0, 1));
    let names = divisions::names(&st.db, &["410523100201".to_string()])
        .await
        .unwrap();
    assert_eq!(names["410523100201"], "韩庄社区");
    assert_eq!(app.count("division").await, 5);
}

#[tokio::test]
async fn the_demo_names_its_county_townships_and_villages() {
    let app = TestApp::new().await;
    backend::demo::load(&app.state).await.expect("demo data");
    let st = &app.state;
    // Every code the demo's records carry has its name.
    let codes: Vec<String> = ["410523", "410523100", "410523100201"]
        .map(String::from)
        .to_vec();
    let names = divisions::names(&st.db, &codes).await.unwrap();
    assert_eq!(names["410523"], "汤阴县");
    assert_eq!(names["410523100"], "城关镇");
    assert_eq!(names["410523100201"], "韩庄村");
    let townships = divisions::children(&st.db, Some("410523")).await.unwrap();
    assert!(townships.len() >= 5, "{townships:?}");
    for (code, _) in &townships {
        let villages = divisions::children(&st.db, Some(code)).await.unwrap();
        assert!(!villages.is_empty(), "{code} has no villages");
        assert!(
            villages
                .iter()
                .all(|(v, _)| v.len() == 12 && v.starts_with(code.as_str()))
        );
    }
    let unnamed = app
        .count_where(
            "contract",
            "division_code NOT IN (SELECT code FROM division)",
        )
        .await;
    assert_eq!(unnamed, 0);
    let unnamed = app
        .count_where("post", "division_code NOT IN (SELECT code FROM division)")
        .await;
    assert_eq!(unnamed, 0);
}

#[tokio::test]
async fn pages_reports_and_exports_show_the_name_beside_the_code() {
    let app = TestApp::new().await;
    backend::demo::load(&app.state).await.expect("demo data");
    let password = backend::demo::DEMO_PASSWORD;
    let sup = app.login("supervisor@huimin.demo", password).await;
    let fo = app.login("finance@huimin.demo", password).await;

    // The spending report by division, its CSV and the OCDS export.
    let report = app
        .get("/api/v1/reports/spending?group_by=division", &sup)
        .await
        .expect(200)
        .body;
    assert_eq!(report["items"][0]["key"], "410523");
    // The report keeps the code in `key`, beside the name in `label`.
    assert_eq!(report["items"][0]["label"], "汤阴县");
    let csv = app
        .get(
            "/api/v1/reports/spending?group_by=division&format=csv",
            &sup,
        )
        .await
        .expect(200)
        .text;
    assert!(csv.contains("410523,汤阴县,"), "{csv}");
    let ocds = app
        .get("/api/v1/ocds/releases", &sup)
        .await
        .expect(200)
        .text;
    assert!(ocds.contains("汤阴县（410523）"));

    // The tender list and a tender's page, a contract's overview and its posts.
    // (The division is a column of the list an organisation reads.)
    let mut org = tests::web::Browser::new(&app);
    org.sign_in("org1@huimin.demo", password).await;
    let list = org.get("/tenders").await.expect(200).text;
    assert!(list.contains("汤阴县（410523）"), "{list}");
    let mut b = tests::web::Browser::new(&app);
    b.sign_in("finance@huimin.demo", password).await;
    let tenders = app.get("/api/v1/tenders", &fo).await.expect(200).body;
    let t = tenders["items"][0]["id"].as_str().unwrap();
    let page = b.get(&format!("/tenders/{t}")).await.expect(200).text;
    assert!(page.contains("汤阴县（410523）"));
    let contracts = app
        .get("/api/v1/contracts?status=active", &fo)
        .await
        .expect(200)
        .body;
    let mut seen_village = false;
    for k in contracts["items"].as_array().unwrap() {
        let id = k["id"].as_str().unwrap();
        let name = match k["division_code"].as_str().unwrap() {
            "410523" => "汤阴县（410523）",
            "410523100201" => "韩庄村（410523100201）",
            other => panic!("a demo contract in {other}"),
        };
        let overview = b.get(&format!("/contracts/{id}")).await.expect(200).text;
        assert!(overview.contains(name), "{id}");
        let posts = b
            .get(&format!("/contracts/{id}/posts"))
            .await
            .expect(200)
            .text;
        seen_village |= posts.contains("韩庄村（410523100201）");
    }
    assert!(seen_village, "the village post's name");
}
