//! Funded posts and their assignments: who adds and staffs them, the national ID number that
//! is checked and never kept, one worker per post and one post per worker at a time, and
//! vacancy as the (local) days go by.

use chrono::{TimeZone, Utc};
use entity::rules::vocab::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp, World};
use uuid::Uuid;

/// Valid national ID numbers (GB 11643 check characters).
const ID_A: &str = "11010519491231002X";
const ID_B: &str = "110101199003074477";
const ID_C: &str = "110101198506121234";

/// The usual world with a contract of 300 000.00 on a line of 9 000 000.00 running
/// 2026-03-01..2026-12-31 (so that the test clock's 2 March is inside it).
async fn setup(app: &TestApp) -> World {
    app.world()
        .line_amount("9000000.00")
        .value("300000.00")
        .period("2026-03-01", "2026-12-31")
        .await
}

/// An active contract for 2026-03-01..2026-12-31.
async fn contract_for(app: &TestApp, fo: &Login, org: Uuid, line: Uuid) -> Uuid {
    let mut body = app.direct_award_body(fo, org, line, "300000.00");
    body["start_date"] = json!("2026-03-01");
    body["end_date"] = json!("2026-12-31");
    let id = app
        .post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/contracts/{id}/sign"), &fo.token)
        .await
        .expect(200);
    id
}

fn post_body(qualification: &str, start: &str, end: &str) -> Value {
    json!({
        "title": "村级社会工作服务站社工岗",
        "division_code": "410523100201",
        "required_qualification": qualification,
        "annual_funding": "60000.00",
        "start_date": start,
        "end_date": end,
    })
}

async fn add_post(app: &TestApp, fo: &Login, contract: Uuid, body: Value) -> Answer {
    app.post(
        &format!("/api/v1/contracts/{contract}/posts"),
        &fo.token,
        body,
    )
    .await
}

/// A post for the whole contract period requiring `social_worker`.
async fn full_post(app: &TestApp, s: &World) -> Uuid {
    add_post(
        app,
        &s.fo,
        s.contract,
        post_body("social_worker", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(201)
    .id()
}

fn worker(id_number: &str, from: &str) -> Value {
    json!({
        "worker_name": "张晓梅",
        "qualification": "social_worker",
        "certificate_no": "SW2020-3301",
        "id_number": id_number,
        "from_date": from,
    })
}

async fn assign(app: &TestApp, staff: &Login, post: Uuid, body: Value) -> Answer {
    app.post(
        &format!("/api/v1/posts/{post}/assignments"),
        &staff.token,
        body,
    )
    .await
}

async fn end(app: &TestApp, staff: &Login, post: Uuid, aid: Uuid, to: &str) -> Answer {
    app.post(
        &format!("/api/v1/posts/{post}/assignments/{aid}/end"),
        &staff.token,
        json!({"to_date": to}),
    )
    .await
}

/// [`TestApp::post`] with owned arguments, for futures raced together.
async fn post_owned(app: &TestApp, path: String, token: String, body: Value) -> Answer {
    app.post(&path, &token, body).await
}

/// `(vacant, vacant_days_running, vacancy_days_to_date, current_assignment_id)` of a post.
async fn staffing(app: &TestApp, token: &str, post: Uuid) -> (bool, i64, i64, Option<String>) {
    let p = app
        .get(&format!("/api/v1/posts/{post}"), token)
        .await
        .expect(200)
        .body;
    (
        p["vacant"].as_bool().expect("vacant"),
        p["vacant_days_running"]
            .as_i64()
            .expect("vacant_days_running"),
        p["vacancy_days_to_date"]
            .as_i64()
            .expect("vacancy_days_to_date"),
        p["current_assignment_id"].as_str().map(String::from),
    )
}

/// Sets the clock to a UTC instant.
fn at(app: &TestApp, y: i32, mo: u32, d: u32, h: u32, mi: u32) {
    app.clock
        .set(Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap());
}

/// Every table of the database.
async fn tables(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT name AS n FROM sqlite_master WHERE type = 'table'",
        _ => {
            "SELECT CAST(table_name AS TEXT) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("tables")
        .iter()
        .map(|r| r.try_get::<String>("", "n").expect("name"))
        .collect()
}

/// The columns of a table.
async fn columns(app: &TestApp, table: &str) -> Vec<String> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => format!("SELECT name AS n FROM pragma_table_info('{table}')"),
        _ => format!(
            "SELECT CAST(column_name AS TEXT) AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}'"
        ),
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("columns")
        .iter()
        .map(|r| r.try_get::<String>("", "n").expect("name"))
        .collect()
}

/// How many rows of every table hold `needle` in any column: `(table, rows)` where non-zero.
async fn rows_holding(app: &TestApp, needle: &str) -> Vec<(String, i64)> {
    let mut found = Vec::new();
    for t in tables(app).await {
        let cols = columns(app, &t).await;
        if cols.is_empty() {
            continue;
        }
        let any = cols
            .iter()
            .map(|c| format!("CAST(\"{c}\" AS TEXT) LIKE '%{needle}%'"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let n = app.count(&format!("\"{t}\" WHERE {any}")).await;
        if n > 0 {
            found.push((t, n));
        }
    }
    found
}

// --- Posts -------------------------------------------------------------------------

#[tokio::test]
async fn the_contracts_finance_officer_adds_a_post() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let a = add_post(
        &app,
        &s.fo,
        s.contract,
        post_body("social_worker", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(201);
    let p = &a.body;
    assert_eq!(p["contract_id"], s.contract.to_string());
    assert_eq!(p["title"], "村级社会工作服务站社工岗");
    assert_eq!(p["division_code"], "410523100201");
    assert_eq!(p["required_qualification"], "social_worker");
    assert_eq!(p["annual_funding"], "60000.00");
    assert_eq!(p["start_date"], "2026-03-01");
    assert_eq!(p["end_date"], "2026-12-31");
    assert_eq!(p["vacant"], true);
    assert_eq!(p["current_assignment_id"], Value::Null);
    // A colleague of the officer's purchaser may add posts too, and to a draft contract.
    let colleague = app
        .user_in(Role::FinanceOfficer, s.fo.purchaser_id, None)
        .await;
    let mut body =
        app.direct_award_body(&s.fo, s.staff.organisation_id.unwrap(), s.line, "1000.00");
    body["start_date"] = json!("2026-03-01");
    let draft = app
        .post("/api/v1/contracts", &s.fo.token, body)
        .await
        .expect(201)
        .id();
    let mut township = post_body("none", "2026-03-01", "2026-06-30");
    township["division_code"] = json!("410523100");
    let b = add_post(&app, &colleague, draft, township)
        .await
        .expect(201);
    assert_eq!(b.body["division_code"], "410523100");
    assert_eq!(b.body["required_qualification"], "none");

    let list = app
        .get(
            &format!("/api/v1/contracts/{}/posts", s.contract),
            &s.staff.token,
        )
        .await
        .expect(200)
        .body;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], a.id().to_string());
    let one = app
        .get(&format!("/api/v1/posts/{}", a.id()), &s.staff.token)
        .await
        .expect(200);
    assert_eq!(one.body, items[0]);
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'post' AND action = 'create'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_post_division_code_is_a_township_or_village_code() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    for code in ["410523", "4105231002", "41052310020a", "4105231002011", ""] {
        let mut body = post_body("none", "2026-03-01", "2026-12-31");
        body["division_code"] = json!(code);
        let a = add_post(&app, &s.fo, s.contract, body).await.expect(422);
        assert_eq!(a.error_fields(), ["division_code"], "{code}");
    }
    assert_eq!(app.count("post").await, 0);
}

#[tokio::test]
async fn a_post_must_lie_inside_the_contract_period() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    for (start, end, field) in [
        ("2026-02-28", "2026-12-31", "start_date"),
        ("2026-03-01", "2027-01-01", "end_date"),
        ("2026-06-01", "2026-05-31", "end_date"),
    ] {
        let a = add_post(&app, &s.fo, s.contract, post_body("none", start, end))
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{start}..{end}");
    }
    for (field, value) in [
        ("annual_funding", json!(60000)),
        ("required_qualification", json!("doctor")),
        ("vacant", json!(true)),
        ("contract_id", json!(s.contract)),
    ] {
        let mut body = post_body("none", "2026-03-01", "2026-12-31");
        body[field] = value;
        let a = add_post(&app, &s.fo, s.contract, body).await.expect(422);
        assert_eq!(a.error_fields(), [field]);
    }
    assert_eq!(app.count("post").await, 0);
    // The whole contract period is fine.
    add_post(
        &app,
        &s.fo,
        s.contract,
        post_body("none", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn only_the_purchasers_finance_officers_add_and_change_posts() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let body = post_body("none", "2026-03-01", "2026-12-31");
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    for u in [&s.staff, &sup, &admin] {
        add_post(&app, u, s.contract, body.clone())
            .await
            .expect(403);
        app.patch(
            &format!("/api/v1/posts/{post}"),
            &u.token,
            json!({"title": "x"}),
        )
        .await
        .expect(403);
        app.get(&format!("/api/v1/posts/{post}"), &u.token)
            .await
            .expect(200);
    }
    let other = app.user(Role::FinanceOfficer).await;
    add_post(&app, &other, s.contract, body).await.expect(404);
    app.patch(
        &format!("/api/v1/posts/{post}"),
        &other.token,
        json!({"title": "x"}),
    )
    .await
    .expect(404);
    app.get(&format!("/api/v1/posts/{post}"), &other.token)
        .await
        .expect(404);
    app.get(
        &format!("/api/v1/contracts/{}/posts", s.contract),
        &other.token,
    )
    .await
    .expect(404);
    let stranger = app.user(Role::Organisation).await;
    app.get(&format!("/api/v1/posts/{post}"), &stranger.token)
        .await
        .expect(404);
    app.get(
        &format!("/api/v1/contracts/{}/posts", s.contract),
        &stranger.token,
    )
    .await
    .expect(404);
    add_post(
        &app,
        &s.fo,
        Uuid::now_v7(),
        post_body("none", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(404);
    assert_eq!(app.count("post").await, 1);
    assert_eq!(
        app.get(&format!("/api/v1/posts/{post}"), &s.fo.token)
            .await
            .expect(200)
            .body["title"],
        "村级社会工作服务站社工岗"
    );
}

#[tokio::test]
async fn posts_of_an_ended_contract_cannot_be_added_changed_or_staffed() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    app.post(
        &format!("/api/v1/contracts/{}/terminate", s.contract),
        &s.fo.token,
        json!({"reason": "服务质量不达标"}),
    )
    .await
    .expect(200);
    add_post(
        &app,
        &s.fo,
        s.contract,
        post_body("none", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(409);
    app.patch(
        &format!("/api/v1/posts/{post}"),
        &s.fo.token,
        json!({"title": "改名"}),
    )
    .await
    .expect(409);
    assign(&app, &s.staff, post, worker(ID_A, "2026-03-02"))
        .await
        .expect(409);
    // A cancelled draft takes no posts either.
    let mut body =
        app.direct_award_body(&s.fo, s.staff.organisation_id.unwrap(), s.line, "1000.00");
    body["start_date"] = json!("2026-03-01");
    let draft = app
        .post("/api/v1/contracts", &s.fo.token, body)
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/contracts/{draft}/cancel"),
        &s.fo.token,
        json!({"reason": "取消"}),
    )
    .await
    .expect(200);
    add_post(
        &app,
        &s.fo,
        draft,
        post_body("none", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(409);
    assert_eq!(app.count("post").await, 1);
    assert_eq!(app.count("post_assignment").await, 0);
    // The posts stay readable.
    app.get(&format!("/api/v1/posts/{post}"), &s.staff.token)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_post_is_changed_with_patch_within_its_rules() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let path = format!("/api/v1/posts/{post}");
    let p = app
        .patch(
            &path,
            &s.fo.token,
            json!({"title": "镇社工站督导岗", "division_code": "410523100", "annual_funding": "72000.50", "required_qualification": "senior_social_worker", "end_date": "2026-11-30"}),
        )
        .await
        .expect(200);
    assert_eq!(p.body["title"], "镇社工站督导岗");
    assert_eq!(p.body["division_code"], "410523100");
    assert_eq!(p.body["annual_funding"], "72000.50");
    assert_eq!(p.body["required_qualification"], "senior_social_worker");
    assert_eq!(p.body["end_date"], "2026-11-30");
    assert_eq!(p.body["start_date"], "2026-03-01");
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'post' AND action = 'update'")
            .await,
        1
    );
    for (body, field) in [
        (json!({"division_code": "410523"}), "division_code"),
        (json!({"end_date": "2027-01-01"}), "end_date"),
        (json!({"start_date": "2026-02-01"}), "start_date"),
        (json!({"start_date": "2026-12-01"}), "end_date"),
        (json!({"title": ""}), "title"),
        (json!({"annual_funding": 1}), "annual_funding"),
        (json!({"vacant": false}), "vacant"),
    ] {
        let a = app
            .patch(&path, &s.fo.token, body.clone())
            .await
            .expect(422);
        assert_eq!(a.error_fields(), [field], "{body}");
    }
    // Once staffed, the post's dates must still contain the assignment.
    let mut w = worker(ID_A, "2026-04-01");
    w["qualification"] = json!("senior_social_worker");
    assign(&app, &s.staff, post, w).await.expect(201);
    let a = app
        .patch(&path, &s.fo.token, json!({"start_date": "2026-04-02"}))
        .await
        .expect(422);
    assert!(a.error_fields().contains(&"start_date".to_string()));
    app.patch(&path, &s.fo.token, json!({"start_date": "2026-04-01"}))
        .await
        .expect(200);
    let now = app.get(&path, &s.fo.token).await.expect(200).body;
    assert_eq!(now["start_date"], "2026-04-01");
    assert_eq!(now["annual_funding"], "72000.50");
}

#[tokio::test]
async fn an_amendment_cannot_end_the_contract_before_its_posts() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let a = app
        .post(
            &format!("/api/v1/contracts/{}/amendments", s.contract),
            &s.fo.token,
            json!({"end_date": "2026-06-30", "reason": "提前结束"}),
        )
        .await;
    let c = app
        .get(&format!("/api/v1/contracts/{}", s.contract), &s.fo.token)
        .await
        .expect(200)
        .body;
    let p = app
        .get(&format!("/api/v1/posts/{post}"), &s.fo.token)
        .await
        .expect(200)
        .body;
    assert!(
        p["end_date"].as_str().unwrap() <= c["end_date"].as_str().unwrap(),
        "post ends {} after the contract's end {} (amendment answered {})",
        p["end_date"],
        c["end_date"],
        a.status
    );
    assert!(matches!(a.status.as_u16(), 409 | 422), "{}", a.text);
}

// --- Assignments -------------------------------------------------------------------------

#[tokio::test]
async fn an_assignment_keeps_only_the_last_four_characters_of_the_id_number() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let post2 = full_post(&app, &s).await;
    let a = assign(&app, &s.staff, post, worker(ID_A, "2026-03-02"))
        .await
        .expect(201);
    let mut lower = worker(ID_B, "2026-03-02");
    lower["worker_name"] = json!("李建国");
    let b = assign(&app, &s.staff, post2, lower).await.expect(201);
    let body = a.body.as_object().unwrap();
    assert_eq!(a.body["id_number_last4"], "002X");
    assert_eq!(b.body["id_number_last4"], "4477");
    assert_eq!(a.body["post_id"], post.to_string());
    assert_eq!(a.body["worker_name"], "张晓梅");
    assert_eq!(a.body["qualification"], "social_worker");
    assert_eq!(a.body["certificate_no"], "SW2020-3301");
    assert_eq!(a.body["from_date"], "2026-03-02");
    assert_eq!(a.body["to_date"], Value::Null);
    assert!(!body.contains_key("id_number"));
    assert!(!body.contains_key("id_number_hmac"));

    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let mut answers = vec![a.text.clone(), b.text.clone()];
    for t in [&s.staff.token, &s.fo.token, &sup.token, &admin.token] {
        for path in [
            format!("/api/v1/posts/{post}/assignments"),
            format!("/api/v1/posts/{post2}/assignments"),
            format!("/api/v1/posts/{post}"),
            format!("/api/v1/contracts/{}/posts", s.contract),
        ] {
            answers.push(app.get(&path, t).await.expect(200).text);
        }
    }
    let listed = app
        .get(&format!("/api/v1/posts/{post}/assignments"), &s.staff.token)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["items"], json!([a.body]));
    let ended = end(&app, &s.staff, post, a.id(), "2026-03-31")
        .await
        .expect(200);
    answers.push(ended.text);
    for (id, prefix) in [(ID_A, &ID_A[..17]), (ID_B, &ID_B[..17])] {
        for text in &answers {
            assert!(!text.contains(prefix), "{id} in {text}");
            assert!(!text.contains("hmac"), "{text}");
        }
        for col in ["after_json", "before_json", "canonical"] {
            assert_eq!(
                app.count(&format!("audit_event WHERE {col} LIKE '%{prefix}%'"))
                    .await,
                0,
                "{col}"
            );
        }
        assert_eq!(rows_holding(&app, prefix).await, vec![], "{id} stored");
        assert_eq!(rows_holding(&app, id).await, vec![], "{id} stored");
    }
    // The scan does find what is stored: the certificate and the last four characters.
    let names = rows_holding(&app, "SW2020-3301").await;
    assert!(
        names.iter().any(|(t, _)| t == "post_assignment"),
        "{names:?}"
    );
    assert!(names.iter().any(|(t, _)| t == "audit_event"), "{names:?}");
    assert_eq!(
        app.count("post_assignment WHERE id_number_last4 = '002X'")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'post_assignment' AND action = 'create'")
            .await,
        2
    );
}

#[tokio::test]
async fn an_id_number_with_a_wrong_check_character_is_refused() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    for bad in [
        "110105194912310021",
        "110101199003074478",
        "11010519491231002",
        "11010519491231002XX",
        "A1010519491231002X",
        "",
    ] {
        let a = assign(&app, &s.staff, post, worker(bad, "2026-03-02"))
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["id_number"], "{bad}");
        if !bad.is_empty() {
            assert!(
                !a.text.contains(bad),
                "the answer repeats the number: {}",
                a.text
            );
        }
    }
    let mut body = worker(ID_A, "2026-03-02");
    body.as_object_mut().unwrap().remove("id_number");
    let a = assign(&app, &s.staff, post, body).await.expect(422);
    assert_eq!(a.error_fields(), ["id_number"]);
    assert_eq!(app.count("post_assignment").await, 0);
    // A lower-case check character is the same number.
    let mut lower = worker(&ID_A.to_ascii_lowercase(), "2026-03-02");
    lower["worker_name"] = json!("王芳");
    let ok = assign(&app, &s.staff, post, lower).await.expect(201);
    assert_eq!(ok.body["id_number_last4"], "002X");
}

#[tokio::test]
async fn a_worker_needs_the_posts_qualification_and_a_certificate() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let mut w = worker(ID_A, "2026-03-02");
    for q in ["none", "assistant_social_worker"] {
        w["qualification"] = json!(q);
        let a = assign(&app, &s.staff, post, w.clone()).await.expect(422);
        assert_eq!(a.error_fields(), ["qualification"], "{q}");
    }
    w["qualification"] = json!("social_worker");
    for cert in [Value::Null, json!(""), json!("   ")] {
        w["certificate_no"] = cert;
        let a = assign(&app, &s.staff, post, w.clone()).await.expect(422);
        assert_eq!(a.error_fields(), ["certificate_no"]);
    }
    w.as_object_mut().unwrap().remove("certificate_no");
    let a = assign(&app, &s.staff, post, w.clone()).await.expect(422);
    assert_eq!(a.error_fields(), ["certificate_no"]);
    w["certificate_no"] = json!("X".repeat(65));
    let a = assign(&app, &s.staff, post, w.clone()).await.expect(422);
    assert_eq!(a.error_fields(), ["certificate_no"]);
    w["qualification"] = json!("master");
    w["certificate_no"] = json!("SW2020-3301");
    let a = assign(&app, &s.staff, post, w.clone()).await.expect(422);
    assert_eq!(a.error_fields(), ["qualification"]);
    assert_eq!(app.count("post_assignment").await, 0);
    // A higher qualification satisfies the post.
    w["qualification"] = json!("senior_social_worker");
    let ok = assign(&app, &s.staff, post, w).await.expect(201);
    assert_eq!(ok.body["qualification"], "senior_social_worker");

    // A post requiring nothing takes a worker without a certificate.
    let open = add_post(
        &app,
        &s.fo,
        s.contract,
        post_body("none", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(201)
    .id();
    let mut helper = worker(ID_B, "2026-03-02");
    helper["qualification"] = json!("none");
    helper.as_object_mut().unwrap().remove("certificate_no");
    let ok = assign(&app, &s.staff, open, helper).await.expect(201);
    assert_eq!(ok.body["certificate_no"], Value::Null);
}

#[tokio::test]
async fn an_assignment_starts_inside_the_post() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = add_post(
        &app,
        &s.fo,
        s.contract,
        post_body("social_worker", "2026-04-01", "2026-09-30"),
    )
    .await
    .expect(201)
    .id();
    for from in ["2026-03-31", "2026-10-01", "2027-01-01"] {
        let a = assign(&app, &s.staff, post, worker(ID_A, from))
            .await
            .expect(422);
        assert_eq!(a.error_fields(), ["from_date"], "{from}");
    }
    assert_eq!(app.count("post_assignment").await, 0);
    let a = assign(&app, &s.staff, post, worker(ID_A, "2026-09-30"))
        .await
        .expect(201);
    // An end outside the assignment or the post is refused too.
    for to in ["2026-09-29", "2026-10-01"] {
        let e = end(&app, &s.staff, post, a.id(), to).await.expect(422);
        assert_eq!(e.error_fields(), ["to_date"], "{to}");
    }
    end(&app, &s.staff, post, a.id(), "2026-09-30")
        .await
        .expect(200);
}

#[tokio::test]
async fn a_post_holds_one_worker_at_a_time() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let first = assign(&app, &s.staff, post, worker(ID_A, "2026-03-02"))
        .await
        .expect(201)
        .id();
    for from in ["2026-03-02", "2026-06-01", "2026-03-01"] {
        assign(&app, &s.staff, post, worker(ID_B, from))
            .await
            .expect(409);
    }
    let e = end(&app, &s.staff, post, first, "2026-03-10")
        .await
        .expect(200);
    assert_eq!(e.body["to_date"], "2026-03-10");
    assert_eq!(e.body["id"], first.to_string());
    end(&app, &s.staff, post, first, "2026-03-12")
        .await
        .expect(409);
    // Both dates are inclusive: the next worker starts the day after.
    assign(&app, &s.staff, post, worker(ID_B, "2026-03-10"))
        .await
        .expect(409);
    let second = assign(&app, &s.staff, post, worker(ID_B, "2026-03-11"))
        .await
        .expect(201);
    assert_eq!(second.body["to_date"], Value::Null);
    // Before the ended one, a gap can be filled neither: the new assignment runs open-ended.
    assign(&app, &s.staff, post, worker(ID_C, "2026-03-01"))
        .await
        .expect(409);
    let list = app
        .get(&format!("/api/v1/posts/{post}/assignments"), &s.fo.token)
        .await
        .expect(200)
        .body;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["from_date"].as_str(), items[0]["to_date"].as_str()),
        (Some("2026-03-02"), Some("2026-03-10"))
    );
    assert_eq!(items[1]["id"], second.id().to_string());
    assert_eq!(
        app.count("audit_event WHERE entity_type = 'post_assignment' AND action = 'end'")
            .await,
        1
    );
    // An assignment is ended through its own post only.
    let other_post = full_post(&app, &s).await;
    end(&app, &s.staff, other_post, second.id(), "2026-04-30")
        .await
        .expect(404);
    end(&app, &s.staff, post, Uuid::now_v7(), "2026-04-30")
        .await
        .expect(404);
}

#[tokio::test]
async fn one_person_cannot_hold_two_overlapping_posts_even_across_contracts() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let sibling = full_post(&app, &s).await;
    // Another purchaser's contract with another organisation.
    let fo2 = app.user(Role::FinanceOfficer).await;
    let staff2 = app.user(Role::Organisation).await;
    let line2 = app.budget_line(&fo2, "900000.00").await;
    let contract2 = contract_for(&app, &fo2, staff2.organisation_id.unwrap(), line2).await;
    let elsewhere = add_post(
        &app,
        &fo2,
        contract2,
        post_body("social_worker", "2026-03-01", "2026-12-31"),
    )
    .await
    .expect(201)
    .id();

    let held = assign(&app, &s.staff, post, worker(ID_A, "2026-03-02"))
        .await
        .expect(201)
        .id();
    assign(&app, &s.staff, sibling, worker(ID_A, "2026-05-01"))
        .await
        .expect(409);
    let mut other_name = worker(&ID_A.to_ascii_lowercase(), "2026-03-01");
    other_name["worker_name"] = json!("张小梅");
    assign(&app, &staff2, elsewhere, other_name.clone())
        .await
        .expect(409);
    assign(&app, &staff2, elsewhere, worker(ID_A, "2026-12-31"))
        .await
        .expect(409);
    assert_eq!(app.count("post_assignment").await, 1);
    // Other people are fine.
    assign(&app, &s.staff, sibling, worker(ID_B, "2026-03-02"))
        .await
        .expect(201);

    end(&app, &s.staff, post, held, "2026-06-30")
        .await
        .expect(200);
    assign(&app, &staff2, elsewhere, worker(ID_A, "2026-06-30"))
        .await
        .expect(409);
    let moved = assign(&app, &staff2, elsewhere, worker(ID_A, "2026-07-01"))
        .await
        .expect(201);
    assert_eq!(moved.body["id_number_last4"], "002X");
    // Nor may the person come back to the first post while serving elsewhere.
    assign(&app, &s.staff, post, worker(ID_A, "2026-08-01"))
        .await
        .expect(409);
}

#[tokio::test]
async fn only_the_contracts_organisation_staffs_its_posts() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let colleague = app
        .user_in(Role::Organisation, None, s.staff.organisation_id)
        .await;
    let stranger = app.user(Role::Organisation).await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;

    assign(&app, &stranger, post, worker(ID_A, "2026-03-02"))
        .await
        .expect(404);
    assign(&app, &stranger, Uuid::now_v7(), worker(ID_A, "2026-03-02"))
        .await
        .expect(404);
    for u in [&s.fo, &sup, &admin] {
        assign(&app, u, post, worker(ID_A, "2026-03-02"))
            .await
            .expect(403);
    }
    assert_eq!(app.count("post_assignment").await, 0);
    let a = assign(&app, &colleague, post, worker(ID_A, "2026-03-02"))
        .await
        .expect(201)
        .id();

    app.get(
        &format!("/api/v1/posts/{post}/assignments"),
        &stranger.token,
    )
    .await
    .expect(404);
    end(&app, &stranger, post, a, "2026-03-31")
        .await
        .expect(404);
    for u in [&s.fo, &sup, &admin] {
        end(&app, u, post, a, "2026-03-31").await.expect(403);
        app.get(&format!("/api/v1/posts/{post}/assignments"), &u.token)
            .await
            .expect(200);
    }
    let list = app
        .get(&format!("/api/v1/posts/{post}/assignments"), &s.staff.token)
        .await
        .expect(200)
        .body;
    assert_eq!(list["items"][0]["to_date"], Value::Null);
    end(&app, &s.staff, post, a, "2026-03-31").await.expect(200);
}

// --- Vacancy -------------------------------------------------------------------------

#[tokio::test]
async fn vacancy_follows_the_clock_in_local_dates() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let t = s.fo.token.clone();
    // 2026-03-02T01:00Z is 09:00 on 2 March in Shanghai: 1 and 2 March are vacant.
    assert_eq!(staffing(&app, &t, post).await, (true, 2, 2, None));

    let a1 = assign(&app, &s.staff, post, worker(ID_A, "2026-03-02"))
        .await
        .expect(201)
        .id();
    assert_eq!(
        staffing(&app, &t, post).await,
        (false, 0, 1, Some(a1.to_string()))
    );
    at(&app, 2026, 3, 10, 1, 0);
    assert_eq!(
        staffing(&app, &t, post).await,
        (false, 0, 1, Some(a1.to_string()))
    );
    end(&app, &s.staff, post, a1, "2026-03-10")
        .await
        .expect(200);
    assert_eq!(
        staffing(&app, &t, post).await,
        (false, 0, 1, Some(a1.to_string())),
        "the last day is still served"
    );

    // 11..15 March vacant.
    at(&app, 2026, 3, 15, 1, 0);
    assert_eq!(staffing(&app, &t, post).await, (true, 5, 6, None));
    // 23:59 in Shanghai is still the 15th; 00:30 on the 16th there is 16:30Z on the 15th.
    at(&app, 2026, 3, 15, 15, 59);
    assert_eq!(staffing(&app, &t, post).await, (true, 5, 6, None));
    at(&app, 2026, 3, 15, 16, 30);
    assert_eq!(staffing(&app, &t, post).await, (true, 6, 7, None));

    // A worker starting later does not fill today.
    let a2 = assign(&app, &s.staff, post, worker(ID_B, "2026-03-20"))
        .await
        .expect(201)
        .id();
    assert_eq!(staffing(&app, &t, post).await, (true, 6, 7, None));
    app.clock.advance(chrono::Duration::days(4)); // local 20 March, 00:30
    assert_eq!(
        staffing(&app, &t, post).await,
        (false, 0, 10, Some(a2.to_string()))
    );
    app.clock.advance(chrono::Duration::days(30));
    assert_eq!(
        staffing(&app, &t, post).await,
        (false, 0, 10, Some(a2.to_string()))
    );
    // The list shows the same staffing.
    let list = app
        .get(
            &format!("/api/v1/contracts/{}/posts", s.contract),
            &s.staff.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(list["items"][0]["vacancy_days_to_date"], 10);
    assert_eq!(list["items"][0]["vacant"], false);
    assert_eq!(list["items"][0]["current_assignment_id"], a2.to_string());
}

#[tokio::test]
async fn vacancy_counts_only_days_inside_the_post() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let later = add_post(
        &app,
        &s.fo,
        s.contract,
        post_body("none", "2026-04-01", "2026-04-30"),
    )
    .await
    .expect(201)
    .id();
    let march = add_post(
        &app,
        &s.fo,
        s.contract,
        post_body("none", "2026-03-01", "2026-03-31"),
    )
    .await
    .expect(201)
    .id();
    let t = s.fo.token.clone();
    // Before its start a post is not vacant.
    assert_eq!(staffing(&app, &t, later).await, (false, 0, 0, None));
    assert_eq!(staffing(&app, &t, march).await, (true, 2, 2, None));
    let mut w = worker(ID_A, "2026-03-11");
    w["qualification"] = json!("none");
    let a = assign(&app, &s.staff, march, w).await.expect(201).id();
    end(&app, &s.staff, march, a, "2026-03-20")
        .await
        .expect(200);
    // After its end: not vacant any more, and vacancy counted up to the end only.
    at(&app, 2026, 4, 15, 1, 0);
    assert_eq!(staffing(&app, &t, march).await, (false, 0, 21, None));
    assert_eq!(staffing(&app, &t, later).await, (true, 15, 15, None));
    at(&app, 2026, 6, 1, 1, 0);
    assert_eq!(staffing(&app, &t, later).await, (false, 0, 30, None));
}

// --- Races -------------------------------------------------------------------------

/// A valid national ID number made from `seq` (its GB 11643 check character computed).
fn id_number(seq: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first17 = format!("11010119900101{:03}", seq % 1000);
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_assignments_never_put_two_workers_on_one_post() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    for round in 0..5 {
        let post = full_post(&app, &s).await;
        let races = (0..6).map(|i| {
            post_owned(
                &app,
                format!("/api/v1/posts/{post}/assignments"),
                s.staff.token.clone(),
                worker(&id_number(round * 10 + i), "2026-03-02"),
            )
        });
        let answers = futures::future::join_all(races).await;
        let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
        assert_eq!(
            (
                statuses.iter().filter(|s| **s == 201).count(),
                statuses.iter().filter(|s| **s == 409).count()
            ),
            (1, 5),
            "round {round}: {statuses:?}"
        );
    }
    assert_eq!(app.count("post_assignment").await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_assignments_never_put_one_worker_on_two_posts() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    for round in 0..5 {
        let mut posts = Vec::new();
        for _ in 0..6 {
            posts.push(full_post(&app, &s).await);
        }
        let person = id_number(500 + round);
        let races = posts.iter().map(|p| {
            post_owned(
                &app,
                format!("/api/v1/posts/{p}/assignments"),
                s.staff.token.clone(),
                worker(&person, "2026-03-02"),
            )
        });
        let answers = futures::future::join_all(races).await;
        let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
        assert_eq!(
            (
                statuses.iter().filter(|s| **s == 201).count(),
                statuses.iter().filter(|s| **s == 409).count()
            ),
            (1, 5),
            "round {round}: {statuses:?}"
        );
    }
    assert_eq!(app.count("post_assignment").await, 5);
}

// --- Order of checks (SPEC §1) -------------------------------------------------------------

#[tokio::test]
async fn refusals_by_role_and_scope_come_before_the_body_is_checked() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let post = full_post(&app, &s).await;
    let bad_worker = worker("110105194912310021", "2026-02-01");
    // Another organisation's staff: 404, whatever the body.
    let stranger = app.user(Role::Organisation).await;
    assign(&app, &stranger, post, bad_worker.clone())
        .await
        .expect(404);
    assign(&app, &stranger, post, json!({})).await.expect(404);
    // The officer may never staff a post: 403, whatever the body.
    assign(&app, &s.fo, post, bad_worker).await.expect(403);
    // Another purchaser's officer adding or changing a post: 404.
    let other = app.user(Role::FinanceOfficer).await;
    add_post(&app, &other, s.contract, json!({"division_code": "410523"}))
        .await
        .expect(404);
    app.patch(
        &format!("/api/v1/posts/{post}"),
        &other.token,
        json!({"division_code": "410523"}),
    )
    .await
    .expect(404);
    // Staff changing a post: 403.
    app.patch(
        &format!("/api/v1/posts/{post}"),
        &s.staff.token,
        json!({"division_code": 5}),
    )
    .await
    .expect(403);
    assert_eq!(app.count("post_assignment").await, 0);
}

#[tokio::test]
async fn a_bad_post_for_an_ended_contract_gets_422_before_409() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    app.post(
        &format!("/api/v1/contracts/{}/terminate", s.contract),
        &s.fo.token,
        json!({"reason": "服务质量不达标"}),
    )
    .await
    .expect(200);
    let mut body = post_body("none", "2026-03-01", "2026-12-31");
    body["division_code"] = json!("410523");
    let a = add_post(&app, &s.fo, s.contract, body).await.expect(422);
    assert_eq!(a.error_fields(), ["division_code"]);
}
