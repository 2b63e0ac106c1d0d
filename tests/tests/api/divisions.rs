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
