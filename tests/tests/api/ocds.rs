//! The OCDS export (`GET /ocds/releases`): valid against the official OCDS 1.1.5 schema on
//! the demo data set, sealed bids and workers' personal data absent, scoped by role, with
//! the configured `ocid` prefix and the `since` filter.

use std::error::Error;

use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::TestApp;

/// The official schema, committed in the repository (`tests/ocds/`, with its source and
/// licence), so that a fresh clone validates offline.
const OCDS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ocds/1.1.5");

/// Resolves the package schema's `$ref` to `release-schema.json` to the local copy: the
/// tests never reach the network.
struct LocalOcdsSchemas;

impl jsonschema::Retrieve for LocalOcdsSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn Error + Send + Sync>> {
        match uri.as_str().rsplit('/').next() {
            Some(name @ "release-schema.json") => Ok(serde_json::from_str(
                &std::fs::read_to_string(format!("{OCDS_DIR}/{name}"))?,
            )?),
            _ => Err(format!("no local copy of {uri}").into()),
        }
    }
}

/// Every schema error of a package, as `path: message` lines (formats checked too).
pub fn schema_errors(package: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{OCDS_DIR}/release-package-schema.json"))
            .expect("the OCDS schema in tests/ocds/1.1.5"),
    )
    .expect("schema JSON");
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .with_retriever(LocalOcdsSchemas)
        .build(&schema)
        .expect("the OCDS package schema compiles");
    validator
        .iter_errors(package)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

async fn demo_supervisor(app: &TestApp) -> String {
    backend::demo::load(&app.state).await.expect("demo data");
    app.login("supervisor@huimin.demo", backend::demo::DEMO_PASSWORD)
        .await
}

fn releases(package: &Value) -> &Vec<Value> {
    package["releases"].as_array().expect("releases")
}

fn release_of<'a>(package: &'a Value, ocid_suffix: &str) -> &'a Value {
    releases(package)
        .iter()
        .find(|r| r["ocid"].as_str().unwrap().ends_with(ocid_suffix))
        .unwrap_or_else(|| panic!("no release for {ocid_suffix}"))
}

#[tokio::test]
async fn the_demo_package_is_valid_ocds_without_sealed_bids_or_workers() {
    let app = TestApp::new().await;
    let token = demo_supervisor(&app).await;
    let a = app.get("/api/v1/ocds/releases", &token).await.expect(200);
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let errors = schema_errors(&a.body);
    assert!(
        errors.is_empty(),
        "{} schema errors:\n{}",
        errors.len(),
        errors.join("\n")
    );

    // The validator does see errors: a string amount, a made-up status, a local date.
    let mut broken = a.body.clone();
    broken["releases"][0]["tender"]["value"]["amount"] = json!("360000.00");
    broken["releases"][0]["tender"]["status"] = json!("published");
    broken["releases"][0]["date"] = json!("2026-03-02");
    assert_eq!(
        schema_errors(&broken).len(),
        3,
        "{:?}",
        schema_errors(&broken)
    );

    // The whole package as a reviewer reads it: seven tenders in every state (one past its
    // deadline, to award) and one direct award, with their parties, awards, contracts,
    // milestones and transactions.
    crate::snap::redacted().bind(|| insta::assert_json_snapshot!("demo_package", &a.body));

    let package = &a.body;
    let all = releases(package);
    let mut ids: Vec<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "release ids are unique");
    for r in all {
        assert!(r["ocid"].as_str().unwrap().starts_with("ocds-huimin-"));
        assert!(r["date"].as_str().unwrap().ends_with("+08:00"), "{r}");
    }

    // The signed children's contract: award at the winning bid, milestones and a payment.
    let signed = all
        .iter()
        .find(|r| {
            r["contracts"][0]["status"] == "active" && r["tender"]["procurementMethod"] == "limited"
        })
        .expect("the awarded and signed tender");
    let contract = &signed["contracts"][0];
    assert_eq!(contract["awardID"], signed["awards"][0]["id"]);
    let milestones = contract["implementation"]["milestones"].as_array().unwrap();
    assert!(
        milestones[1]["dueDate"]
            .as_str()
            .unwrap()
            .ends_with("T23:59:59+08:00")
    );
    let tx = &contract["implementation"]["transactions"][0];
    let supplier = &signed["awards"][0]["suppliers"][0];
    assert_eq!(tx["payee"], *supplier);
    let party = signed["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == supplier["id"])
        .expect("the supplier is a party");
    assert_eq!(
        party["id"],
        format!("CN-USCC-{}", party["identifier"]["id"].as_str().unwrap())
    );

    // The direct award's amounts are exact in the text (the snapshot reads parsed numbers).
    assert!(a.text.contains("\"amount\":96000.00"), "amounts are exact");

    // The open tender (deadline in 25 days) has a bid of 760000.00: sealed, so neither its
    // amount nor its bidder nor the number of bids shows.
    let open = all
        .iter()
        .find(|r| r["tender"]["value"]["amount"] == json!(800000.0))
        .expect("the open tender");
    assert_eq!(open["tender"]["status"], "active");
    assert!(open["tender"].get("tenderers").is_none());
    assert!(open["tender"].get("numberOfTenderers").is_none());
    assert_eq!(open["parties"].as_array().unwrap().len(), 1, "{open}");
    assert!(!a.text.contains("760000"), "a sealed bid's amount leaked");
    // Losing bids are never published, even after the deadline.
    for losing in ["352500", "349000", "236000", "118000"] {
        assert!(!a.text.contains(losing), "bid {losing} leaked");
    }

    // The worker on contract A's post: no name, certificate or ID number anywhere.
    for personal in ["张晓梅", "ZS2023410500123", "11010519491231002X", "002X"] {
        assert!(!a.text.contains(personal), "{personal} leaked");
    }
}

#[tokio::test]
async fn bids_stay_sealed_until_the_deadline_then_tenderers_show() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let tender = app.published_tender(&fo, line, "300000.00").await;
    let org = app.user(Role::Organisation).await;
    app.bid(&org, tender, "123456.78").await;
    let sup = app.user(Role::Supervisor).await;

    let a = app
        .get("/api/v1/ocds/releases", &sup.token)
        .await
        .expect(200);
    assert!(schema_errors(&a.body).is_empty());
    assert!(!a.text.contains("123456.78"));
    assert!(!a.text.contains(&org.organisation_id.unwrap().to_string()));
    assert!(!a.text.contains("CN-USCC"), "no bidder before the deadline");
    let r = release_of(&a.body, &tender.to_string());
    assert_eq!(r["tag"], json!(["tender"]));
    assert!(r["tender"].get("numberOfTenderers").is_none());

    app.clock.advance(chrono::Duration::days(11));
    let a = app
        .get("/api/v1/ocds/releases", &sup.token)
        .await
        .expect(200);
    assert!(schema_errors(&a.body).is_empty());
    let r = release_of(&a.body, &tender.to_string());
    assert_eq!(r["tender"]["numberOfTenderers"], 1);
    assert_eq!(r["tender"]["tenderers"].as_array().unwrap().len(), 1);
    assert!(
        !a.text.contains("123456.78"),
        "an unawarded bid's amount is never shown"
    );
}

#[tokio::test]
async fn organisations_are_refused_and_officers_see_their_purchasers_processes() {
    let app = TestApp::new().await;
    let org = app.user(Role::Organisation).await;
    app.get("/api/v1/ocds/releases", &org.token)
        .await
        .expect(403);
    app.call(axum::http::Method::GET, "/api/v1/ocds/releases", None, None)
        .await
        .expect(401);

    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let other_line = app.budget_line(&other, "1000000.00").await;
    let mine = app.published_tender(&fo, line, "100000.00").await;
    let theirs = app.published_tender(&other, other_line, "100000.00").await;
    let direct = app
        .draft_contract(&other, app.organisation().await, other_line, "50000.00")
        .await;

    let a = app
        .get("/api/v1/ocds/releases", &fo.token)
        .await
        .expect(200);
    assert_eq!(releases(&a.body).len(), 1);
    release_of(&a.body, &mine.to_string());
    let a = app
        .get("/api/v1/ocds/releases", &other.token)
        .await
        .expect(200);
    assert_eq!(releases(&a.body).len(), 2);
    release_of(&a.body, &theirs.to_string());
    let d = release_of(&a.body, &direct.to_string());
    assert_eq!(d["contracts"][0]["status"], "pending");
    assert_eq!(d["awards"][0]["status"], "pending");
    let doc = app
        .call(axum::http::Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    assert!(doc.body["paths"]["/api/v1/ocds/releases"]["get"].is_object());
    let admin = app.user(Role::Admin).await;
    let a = app
        .get("/api/v1/ocds/releases", &admin.token)
        .await
        .expect(200);
    assert_eq!(releases(&a.body).len(), 3);
    assert!(schema_errors(&a.body).is_empty());
}

#[tokio::test]
async fn the_ocid_prefix_comes_from_the_configuration() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.ocid_prefix = "ocds-t3st42".into();
    })
    .await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let tender = app.published_tender(&fo, line, "100000.00").await;
    let a = app
        .get("/api/v1/ocds/releases", &fo.token)
        .await
        .expect(200);
    let r = &releases(&a.body)[0];
    assert_eq!(r["ocid"], format!("ocds-t3st42-{tender}"));
    assert!(
        r["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("ocds-t3st42-{tender}-"))
    );
}

#[tokio::test]
async fn since_limits_the_package_to_processes_changed_after_it() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let org = app.organisation().await;
    let older = app.active_contract(&fo, org, line, "60000.00").await;
    app.clock.advance(chrono::Duration::days(1));
    let since = app.state.now();
    app.clock.advance(chrono::Duration::hours(1));
    let newer = app.draft_contract(&fo, org, line, "40000.00").await;
    let sup = app.user(Role::Supervisor).await;
    let query = |t: chrono::DateTime<chrono::Utc>| {
        format!(
            "/api/v1/ocds/releases?since={}",
            t.to_rfc3339().replace('+', "%2B")
        )
    };

    let a = app.get(&query(since), &sup.token).await.expect(200);
    let ocids: Vec<&str> = releases(&a.body)
        .iter()
        .map(|r| r["ocid"].as_str().unwrap())
        .collect();
    assert_eq!(ocids, [format!("ocds-huimin-{newer}")]);
    assert!(a.body["uri"].as_str().unwrap().contains("since="));

    // A milestone added to the older contract brings it back.
    app.post(
        &format!("/api/v1/contracts/{older}/milestones"),
        &fo.token,
        json!({"title": "第一季度服务", "due_date": "2026-06-30", "amount": "30000.00"}),
    )
    .await
    .expect(201);
    let a = app.get(&query(since), &sup.token).await.expect(200);
    assert_eq!(releases(&a.body).len(), 2);
    let r = release_of(&a.body, &older.to_string());
    assert_eq!(
        r["contracts"][0]["implementation"]["milestones"][0]["status"],
        "scheduled"
    );
    assert!(schema_errors(&a.body).is_empty());

    // Nothing after the future: an empty list of releases.
    let later = app.state.now() + chrono::Duration::days(1);
    let a = app.get(&query(later), &sup.token).await.expect(200);
    assert_eq!(releases(&a.body).len(), 0);

    let bad = app
        .get("/api/v1/ocds/releases?since=yesterday", &sup.token)
        .await
        .expect(422);
    assert_eq!(bad.error_fields(), ["since"]);
}
