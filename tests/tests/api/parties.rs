use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

#[tokio::test]
async fn admins_manage_purchasers_and_everyone_reads_them() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let p = app
        .post("/api/v1/purchasers", &admin.token, json!({"name": "某县民政局", "division_code": "410523", "contact_email": "a@gov.example"}))
        .await
        .expect(201);
    let path = format!("/api/v1/purchasers/{}", p.id());
    let changed = app
        .patch(
            &path,
            &admin.token,
            json!({"division_code": "410523100201"}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["division_code"], "410523100201");

    for role in [Role::FinanceOfficer, Role::Organisation, Role::Supervisor] {
        let u = app.user(role).await;
        app.get(&path, &u.token).await.expect(200);
        app.get("/api/v1/purchasers?division_code=410523100201", &u.token)
            .await
            .expect(200);
        app.post(
            "/api/v1/purchasers",
            &u.token,
            json!({"name": "x", "division_code": "410523", "contact_email": "a@gov.example"}),
        )
        .await
        .expect(403);
        app.patch(&path, &u.token, json!({"name": "x"}))
            .await
            .expect(403);
    }
    let filtered = app
        .get(
            "/api/v1/purchasers?division_code=410523100201",
            &admin.token,
        )
        .await
        .expect(200);
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn division_codes_must_have_6_9_or_12_digits() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let before = app.count("purchaser").await;
    for code in ["41052", "4105231", "41052310020", "41052a", "4105231002010"] {
        let a = app
            .post(
                "/api/v1/purchasers",
                &admin.token,
                json!({"name": "x", "division_code": code, "contact_email": "a@gov.example"}),
            )
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["division_code"]);
    }
    assert_eq!(app.count("purchaser").await, before);
}

fn org(code: &str) -> serde_json::Value {
    json!({"name": "阳光社工", "credit_code": code, "contact_email": "ngo@example.org"})
}

#[tokio::test]
async fn credit_codes_are_checked_and_unique() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let good = backend::demo::demo_credit_code(42);
    let mut wrong_check = good.clone();
    let last = wrong_check.pop().unwrap();
    wrong_check.push(if last == '0' { '1' } else { '0' });
    for bad in [
        wrong_check.as_str(),
        "12345",
        "52410523MJ000004I0",
        "' OR 1=1 --",
    ] {
        let a = app
            .post("/api/v1/organisations", &admin.token, org(bad))
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["credit_code"], "{bad}");
    }
    let created = app
        .post("/api/v1/organisations", &admin.token, org(&good))
        .await
        .expect(201);
    assert_eq!(created.body["status"], "active");
    app.post("/api/v1/organisations", &admin.token, org(&good))
        .await
        .expect(409);
    assert_eq!(app.count("organisation").await, 1);
}

#[tokio::test]
async fn organisation_staff_see_only_their_own_organisation() {
    let app = TestApp::new().await;
    let staff = app.user(Role::Organisation).await;
    let other = app.organisation().await;
    let own = staff.organisation_id.unwrap();
    app.get(&format!("/api/v1/organisations/{own}"), &staff.token)
        .await
        .expect(200);
    app.get(&format!("/api/v1/organisations/{other}"), &staff.token)
        .await
        .expect(404);
    let list = app
        .get("/api/v1/organisations", &staff.token)
        .await
        .expect(200);
    let ids: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].clone())
        .collect();
    assert_eq!(ids, [json!(own.to_string())]);

    let fo = app.user(Role::FinanceOfficer).await;
    let all = app
        .get("/api/v1/organisations", &fo.token)
        .await
        .expect(200);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    app.patch(
        &format!("/api/v1/organisations/{own}"),
        &staff.token,
        json!({"name": "x"}),
    )
    .await
    .expect(403);
}

#[tokio::test]
async fn suspending_an_organisation_needs_a_reason_and_reactivating_clears_it() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let id = app.organisation().await;
    let path = format!("/api/v1/organisations/{id}");
    let a = app
        .patch(&path, &admin.token, json!({"status": "suspended"}))
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["status_reason"]);
    let s = app
        .patch(&path, &admin.token, json!({"status": "blacklisted", "status_reason": "骗取补助资金", "status_until": "2029-12-31"}))
        .await
        .expect(200);
    assert_eq!(s.body["status"], "blacklisted");
    assert_eq!(s.body["status_until"], "2029-12-31");
    let listed = app
        .get("/api/v1/organisations?status=blacklisted", &admin.token)
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    app.patch(&path, &admin.token, json!({"status": "dissolved"}))
        .await
        .expect(422);
    let r = app
        .patch(&path, &admin.token, json!({"status": "active"}))
        .await
        .expect(200);
    assert_eq!(r.body["status_reason"], serde_json::Value::Null);
    assert_eq!(r.body["status_until"], serde_json::Value::Null);
}
