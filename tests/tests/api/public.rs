//! Public disclosure (SPEC §8): the notices each transition writes (and a refused one does
//! not), immutable; the public API, pages, feed and OCDS package without sealed bids, drafts,
//! findings or personal data; a division's figures rolling up from villages to the county;
//! and the guard (no session, cacheable, throttled per address, its own OpenAPI tag).

use std::net::SocketAddr;

use axum::http::{Method, Request, header};
use backend::services::divisions::{self, Entry};
use chrono::Duration;
use entity::rules::vocab::Role;
use serde_json::{Value, json};
use tests::{Answer, Login, TestApp};
use uuid::Uuid;

/// A GET by a visitor (no credentials).
async fn public(app: &TestApp, path: &str) -> Answer {
    app.call(Method::GET, path, None, None).await
}

/// Every notice, oldest first.
async fn notices(app: &TestApp) -> Vec<Value> {
    public(app, "/api/v1/public/notices?limit=500")
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .expect("items")
        .clone()
}

fn kinds(ns: &[Value]) -> Vec<String> {
    ns.iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The kinds of the notices written since `before` notices existed.
async fn new_kinds(app: &TestApp, before: usize) -> Vec<String> {
    kinds(&notices(app).await[before..])
}

async fn register(app: &TestApp, rows: &[(&str, &str)]) {
    let entries: Vec<Entry> = rows
        .iter()
        .map(|(c, n)| Entry {
            code: (*c).into(),
            name: (*n).into(),
        })
        .collect();
    divisions::import(&app.state.writer, &entries)
        .await
        .expect("register");
}

async fn award(app: &TestApp, fo: &Login, tender: Uuid, bid: Uuid) -> Uuid {
    app.post(
        &format!("/api/v1/tenders/{tender}/award"),
        &fo.token,
        json!({ "bid_id": bid }),
    )
    .await
    .expect(201)
    .id()
}

#[tokio::test]
async fn each_transition_writes_exactly_its_notice_and_a_refused_one_none() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "2000000.00").await;

    // A draft is not announced; cancelling it announces nothing either.
    let draft = app
        .post(
            "/api/v1/tenders",
            &fo.token,
            app.tender_body(line, "100000.00"),
        )
        .await
        .expect(201)
        .id();
    assert!(notices(&app).await.is_empty());
    app.post(
        &format!("/api/v1/tenders/{draft}/cancel"),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    assert!(notices(&app).await.is_empty());

    // Published → tender_published; publishing again is refused and writes nothing.
    let t = app.published_tender(&fo, line, "100000.00").await;
    let ns = notices(&app).await;
    assert_eq!(kinds(&ns), ["tender_published"]);
    let n = &ns[0];
    assert_eq!(n["tender_id"], t.to_string());
    assert_eq!(n["division_code"], "410523");
    assert_eq!(n["details"]["ceiling_amount"], "100000.00");
    assert_eq!(n["details"]["method"], "inquiry");
    assert_eq!(n["details"]["start_date"], "2026-04-01");
    app.act(&format!("/api/v1/tenders/{t}/publish"), &fo.token)
        .await
        .expect(409);
    assert_eq!(notices(&app).await.len(), 1);

    // Cancelled after publishing → tender_result cancelled, with the reason.
    app.post(
        &format!("/api/v1/tenders/{t}/cancel"),
        &fo.token,
        json!({"reason": "预算调整，项目取消"}),
    )
    .await
    .expect(200);
    let ns = notices(&app).await;
    assert_eq!(kinds(&ns[1..]), ["tender_result"]);
    assert_eq!(ns[1]["details"]["outcome"], "cancelled");
    assert_eq!(ns[1]["details"]["reason"], "预算调整，项目取消");

    // Closed with one bid → unsuccessful.
    let before = notices(&app).await.len();
    let (t2, _) = app
        .closed_tender(&fo, line, "100000.00", &["90000.00"])
        .await;
    app.post(
        &format!("/api/v1/tenders/{t2}/unsuccessful"),
        &fo.token,
        json!({"reason": "有效响应不足两家"}),
    )
    .await
    .expect(200);
    let ns = notices(&app).await;
    assert_eq!(kinds(&ns[before..]), ["tender_published", "tender_result"]);
    assert_eq!(ns[before + 1]["details"]["outcome"], "unsuccessful");

    // Awarded → the winner, its credit code and amount; a second award is refused.
    let before = ns.len();
    let (t3, bids) = app
        .closed_tender(&fo, line, "300000.00", &["280000.00", "290000.00"])
        .await;
    let contract = award(&app, &fo, t3, bids[0].1).await;
    app.post(
        &format!("/api/v1/tenders/{t3}/award"),
        &fo.token,
        json!({ "bid_id": bids[1].1 }),
    )
    .await
    .expect(409);
    let ns = notices(&app).await;
    assert_eq!(kinds(&ns[before..]), ["tender_published", "tender_result"]);
    let result = &ns[before + 1];
    assert_eq!(result["details"]["outcome"], "awarded");
    assert_eq!(result["details"]["amount"], "280000.00");
    assert_eq!(result["contract_id"], contract.to_string());
    let winner = bids[0].0.organisation_id.unwrap();
    let org = app
        .get(&format!("/api/v1/organisations/{winner}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(result["details"]["supplier"]["name"], org["name"]);
    assert_eq!(
        result["details"]["supplier"]["credit_code"],
        org["credit_code"]
    );

    // Signed → contract_signed; signing again is refused.
    let before = ns.len();
    app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
        .await
        .expect(200);
    app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
        .await
        .expect(409);
    assert_eq!(new_kinds(&app, before).await, ["contract_signed"]);

    // Amended → contract_amended with before and after; an amendment over 10 % is refused.
    app.post(
        &format!("/api/v1/contracts/{contract}/amendments"),
        &fo.token,
        json!({"value": "300000.00", "reason": "增加服务户数"}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/contracts/{contract}/amendments"),
        &fo.token,
        json!({"value": "900000.00", "reason": "超出上限"}),
    )
    .await
    .expect(409);
    let ns = notices(&app).await;
    assert_eq!(
        kinds(&ns[before..]),
        ["contract_signed", "contract_amended"]
    );
    let amended = &ns[before + 1]["details"];
    assert_eq!(amended["previous_amount"], "280000.00");
    assert_eq!(amended["amount"], "300000.00");
    assert_eq!(amended["reason"], "增加服务户数");

    // Terminated → contract_terminated; completing or terminating it again is refused.
    app.post(
        &format!("/api/v1/contracts/{contract}/terminate"),
        &fo.token,
        json!({"reason": "承接机构严重违约"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/contracts/{contract}/terminate"),
        &fo.token,
        json!({"reason": "再次终止"}),
    )
    .await
    .expect(409);
    let ns = notices(&app).await;
    assert_eq!(
        kinds(&ns[before..]),
        ["contract_signed", "contract_amended", "contract_terminated"]
    );
    assert_eq!(ns[ns.len() - 1]["details"]["reason"], "承接机构严重违约");

    // An award whose draft contract is cancelled is withdrawn (a correction, a new notice).
    let before = ns.len();
    // (The clock has moved past the helper's service start: a later period.)
    let mut body = app.tender_body(line, "100000.00");
    body["service_start"] = json!("2026-07-01");
    let t4 = app
        .post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/tenders/{t4}/publish"), &fo.token)
        .await
        .expect(200);
    let mut first_bid = None;
    for amount in ["80000.00", "85000.00"] {
        let org = app.user(Role::Organisation).await;
        let b = app.bid(&org, t4, amount).await;
        first_bid.get_or_insert(b);
    }
    app.clock.advance(Duration::days(11));
    app.act(&format!("/api/v1/tenders/{t4}/close"), &fo.token)
        .await
        .expect(200);
    let c4 = award(&app, &fo, t4, first_bid.unwrap()).await;
    app.post(
        &format!("/api/v1/contracts/{c4}/cancel"),
        &fo.token,
        json!({"reason": "成交供应商放弃签约"}),
    )
    .await
    .expect(200);
    let ns = notices(&app).await;
    assert_eq!(
        kinds(&ns[before..]),
        ["tender_published", "tender_result", "tender_result"]
    );
    assert_eq!(ns[before + 2]["details"]["outcome"], "award_withdrawn");
    assert_eq!(ns[before + 2]["details"]["reason"], "成交供应商放弃签约");

    // A direct award is announced when signed, with its reason; its draft is not.
    let before = ns.len();
    let staff = app.user(Role::Organisation).await;
    let direct = app
        .draft_contract(&fo, staff.organisation_id.unwrap(), line, "50000.00")
        .await;
    assert_eq!(notices(&app).await.len(), before);
    app.act(&format!("/api/v1/contracts/{direct}/sign"), &fo.token)
        .await
        .expect(200);
    let ns = notices(&app).await;
    assert_eq!(kinds(&ns[before..]), ["contract_signed"]);
    assert_eq!(
        ns[before]["details"]["direct_award_reason"],
        "单一来源：唯一具备资质的服务机构"
    );
    assert!(ns[before]["tender_id"].is_null());
    assert_eq!(app.count("notice").await, ns.len() as i64);
}

#[tokio::test]
async fn a_notice_never_changes_after_later_edits() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let admin = app.user(Role::Admin).await;
    let line = app.budget_line(&fo, "500000.00").await;
    let org = app.organisation().await;
    let contract = app.active_contract(&fo, org, line, "100000.00").await;
    let signed = notices(&app).await.pop().expect("contract_signed");
    let path = format!("/api/v1/public/notices/{}", signed["id"].as_str().unwrap());
    let first = public(&app, &path).await.expect(200).body;

    // The contract is amended, the organisation and the purchaser renamed.
    app.post(
        &format!("/api/v1/contracts/{contract}/amendments"),
        &fo.token,
        json!({"value": "105000.00", "end_date": "2026-11-30", "reason": "调整"}),
    )
    .await
    .expect(201);
    app.patch(
        &format!("/api/v1/organisations/{org}"),
        &admin.token,
        json!({"name": "改名后的社工机构"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/purchasers/{}", fo.purchaser_id.unwrap()),
        &admin.token,
        json!({"name": "改名后的民政局"}),
    )
    .await
    .expect(200);
    let later = public(&app, &path).await.expect(200).body;
    assert_eq!(later, first);
    assert_eq!(later["details"]["amount"], "100000.00");
    assert_eq!(later["details"]["end_date"], "2026-12-31");
    // The amendment is a new notice, naming the organisation as it was then.
    let amended = notices(&app).await.pop().unwrap();
    assert_eq!(amended["kind"], "contract_amended");
    assert_eq!(
        amended["details"]["supplier"]["name"],
        first["details"]["supplier"]["name"]
    );

    // The database itself refuses to change or delete a notice.
    let id = signed["id"].as_str().unwrap();
    for sql in [
        format!("UPDATE notice SET title = 'x' WHERE id = '{id}'"),
        format!("DELETE FROM notice WHERE id = '{id}'"),
    ] {
        use sea_orm::ConnectionTrait;
        let sql = if app.state.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            // SQLite stores uuids as their bytes: match every row instead.
            sql.split(" WHERE ").next().unwrap().to_string()
        } else {
            sql
        };
        assert!(
            app.state.db.execute_unprepared(&sql).await.is_err(),
            "{sql} must be refused"
        );
    }
    assert_eq!(public(&app, &path).await.expect(200).body, first);
}

/// Every public answer a visitor can get, as text.
async fn every_public_text(app: &TestApp, divisions: &[&str]) -> Vec<(String, String)> {
    let mut paths = vec![
        "/api/v1/public/notices?limit=500".to_string(),
        "/api/v1/public/ocds/releases".to_string(),
        "/public".to_string(),
        "/public?lang=en".to_string(),
        "/public/notices.atom".to_string(),
    ];
    for n in notices(app).await {
        let id = n["id"].as_str().unwrap();
        paths.push(format!("/api/v1/public/notices/{id}"));
        paths.push(format!("/public/notices/{id}"));
    }
    for d in divisions {
        paths.push(format!("/api/v1/public/divisions/{d}"));
        paths.push(format!("/public/divisions/{d}"));
    }
    let mut out = Vec::new();
    for p in paths {
        let a = public(app, &p).await.expect(200);
        out.push((p, a.text));
    }
    out
}

#[tokio::test]
async fn sealed_bids_drafts_findings_and_personal_data_are_in_no_public_answer() {
    let app = TestApp::new().await;
    register(
        &app,
        &[
            ("410523", "汤阴县"),
            ("410523100", "城关镇"),
            ("410523100201", "韩庄村"),
        ],
    )
    .await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let line = app.budget_line(&fo, "5000000.00").await;

    // A draft tender.
    let mut body = app.tender_body(line, "100000.00");
    body["title"] = json!("尚未发布的草稿项目甲");
    body["description"] = json!("草稿里的采购需求乙");
    app.post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201);
    // A published tender with a bid still sealed.
    let open = app.published_tender(&fo, line, "200000.00").await;
    let sealed_bidder = app.user(Role::Organisation).await;
    let sealed_name = app
        .get(
            &format!(
                "/api/v1/organisations/{}",
                sealed_bidder.organisation_id.unwrap()
            ),
            &fo.token,
        )
        .await
        .expect(200)
        .body["name"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/api/v1/tenders/{open}/bids"),
        &sealed_bidder.token,
        json!({"amount": "187654.32", "proposal": "密封报价方案丙"}),
    )
    .await
    .expect(201);
    // An awarded tender: the losing bid stays out.
    let (t, bids) = app
        .closed_tender(&fo, line, "300000.00", &["123456.78", "199999.99"])
        .await;
    let loser = app
        .get(
            &format!(
                "/api/v1/organisations/{}",
                bids[1].0.organisation_id.unwrap()
            ),
            &fo.token,
        )
        .await
        .expect(200)
        .body["name"]
        .as_str()
        .unwrap()
        .to_string();
    let contract = award(&app, &fo, t, bids[0].1).await;
    app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
        .await
        .expect(200);
    // A staffed post in the village, and a finding.
    let (fo2, staff, k) = app.contract_with_milestone("2026-06-30").await;
    let post = app
        .post(
            &format!("/api/v1/contracts/{k}/posts"),
            &fo2.token,
            json!({"title": "韩庄村儿童主任", "division_code": "410523100201",
                   "required_qualification": "none", "annual_funding": "60000.00",
                   "start_date": "2026-03-01", "end_date": "2026-12-31"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/posts/{post}/assignments"),
        &staff.token,
        json!({"worker_name": "李秘密", "qualification": "social_worker",
               "certificate_no": "ZS-SECRET-77", "id_number": "11010519491231002X",
               "from_date": "2026-03-01"}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/contracts/{k}/findings"),
        &sup.token,
        json!({"severity": "high", "text": "监督意见机密丁"}),
    )
    .await
    .expect(201);

    let texts = every_public_text(&app, &["410523", "410523100", "410523100201"]).await;
    let secrets = [
        "尚未发布的草稿项目甲",
        "草稿里的采购需求乙",
        "187654.32",
        "187,654.32",
        "密封报价方案丙",
        "199999.99",
        "199,999.99",
        &loser,
        &sealed_name,
        "服务方案",
        "李秘密",
        "ZS-SECRET-77",
        "002X",
        "1101051949",
        "监督意见机密丁",
        "correct-horse",
        &fo.user_id.to_string(),
    ];
    for (path, text) in &texts {
        for s in secrets {
            assert!(!text.contains(s), "{path} shows {s:?}");
        }
    }
    // What is public is there: the winning amount, the post as filled, the village's name.
    let all: String = texts.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("123456.78"));
    let village = public(&app, "/api/v1/public/divisions/410523100201")
        .await
        .expect(200)
        .body;
    assert_eq!(village["name"], "韩庄村");
    assert_eq!(village["posts"][0]["title"], "韩庄村儿童主任");
    assert_eq!(village["posts"][0]["filled"], true);
    assert_eq!(village["posts_filled"], 1);
    assert_eq!(village["parents"][0]["name"], "汤阴县");
    assert_eq!(village["parents"][1]["name"], "城关镇");
}

/// A signed direct award of `value` for `division`.
async fn signed(app: &TestApp, fo: &Login, line: Uuid, division: &str, value: &str) -> Uuid {
    let mut body = app.direct_award_body(fo, app.organisation().await, line, value);
    body["division_code"] = json!(division);
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

fn fen(v: &Value) -> i64 {
    let d: rust_decimal::Decimal = v.as_str().expect("money").parse().unwrap();
    (d * rust_decimal::Decimal::from(100)).try_into().unwrap()
}

#[tokio::test]
async fn a_villages_totals_are_its_contracts_and_roll_up_to_township_and_county() {
    let app = TestApp::new().await;
    register(
        &app,
        &[
            ("410523", "汤阴县"),
            ("410523100", "城关镇"),
            ("410523101", "菜园镇"),
            ("410523100201", "韩庄村"),
            ("410523100202", "东关村"),
            ("410523101201", "菜园村"),
        ],
    )
    .await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "5000000.00").await;
    let v1 = [
        signed(&app, &fo, line, "410523100201", "30000.00").await,
        signed(&app, &fo, line, "410523100201", "20000.50").await,
    ];
    signed(&app, &fo, line, "410523100202", "10000.00").await;
    signed(&app, &fo, line, "410523100", "5000.00").await;
    signed(&app, &fo, line, "410523101201", "7000.00").await;
    signed(&app, &fo, line, "410523", "1000.00").await;
    // A draft and a terminated contract: the draft is not bought; the terminated one keeps
    // what it earned (its advance).
    let mut draft = app.direct_award_body(&fo, app.organisation().await, line, "99999.00");
    draft["division_code"] = json!("410523100201");
    app.post("/api/v1/contracts", &fo.token, draft)
        .await
        .expect(201);
    app.pay(
        &fo.token,
        v1[0],
        json!({"amount": "3000.00", "paid_on": "2026-03-02", "voucher_no": "V-PUB-1"}),
    )
    .await
    .expect(201);
    let ended = signed(&app, &fo, line, "410523100201", "8000.00").await;
    app.pay(
        &fo.token,
        ended,
        json!({"amount": "500.00", "paid_on": "2026-03-02", "voucher_no": "V-PUB-2"}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/contracts/{ended}/terminate"),
        &fo.token,
        json!({"reason": "终止"}),
    )
    .await
    .expect(200);

    let page = |code: &'static str| {
        let app = &app;
        async move {
            public(app, &format!("/api/v1/public/divisions/{code}"))
                .await
                .expect(200)
                .body
        }
    };
    let village = page("410523100201").await;
    assert_eq!(village["level"], "village");
    assert_eq!(village["fiscal_year"], 2026);
    assert_eq!(village["totals"]["contracts"], 3);
    // 30,000.00 + 20,000.50 + the terminated contract's advance 500.00.
    assert_eq!(fen(&village["totals"]["committed"]), 5_050_050);
    assert_eq!(fen(&village["totals"]["disbursed"]), 350_000);
    assert_eq!(village["contracts"].as_array().unwrap().len(), 3);
    assert!(village["sub_divisions"].as_array().unwrap().is_empty());
    let listed: i64 = village["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "active")
        .map(|c| fen(&c["value"]))
        .sum();
    assert_eq!(listed, 5_000_050);

    for code in ["410523100", "410523"] {
        let d = page(code).await;
        let subs = d["sub_divisions"].as_array().unwrap();
        for key in ["committed", "disbursed"] {
            let sum: i64 = subs.iter().map(|s| fen(&s[key])).sum::<i64>() + fen(&d["own"][key]);
            assert_eq!(sum, fen(&d["totals"][key]), "{code} {key}");
        }
        let n: i64 = subs
            .iter()
            .map(|s| s["contracts"].as_i64().unwrap())
            .sum::<i64>()
            + d["own"]["contracts"].as_i64().unwrap();
        assert_eq!(n, d["totals"]["contracts"].as_i64().unwrap(), "{code}");
    }
    let township = page("410523100").await;
    let subs = township["sub_divisions"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0]["code"], "410523100201");
    assert_eq!(subs[0]["name"], "韩庄村");
    assert_eq!(subs[0]["committed"], village["totals"]["committed"]);
    assert_eq!(fen(&subs[1]["committed"]), 1_000_000);
    assert_eq!(fen(&township["own"]["committed"]), 500_000);
    assert_eq!(fen(&township["totals"]["committed"]), 6_550_050);
    let county = page("410523").await;
    assert_eq!(county["name"], "汤阴县");
    assert_eq!(county["level"], "county");
    assert_eq!(
        county["sub_divisions"][0]["committed"],
        township["totals"]["committed"]
    );
    assert_eq!(
        fen(&county["totals"]["committed"]),
        6_550_050 + 700_000 + 100_000
    );
    assert_eq!(county["totals"]["contracts"], 7);
    let cats = county["by_category"].as_array().unwrap();
    assert_eq!(cats.len(), 1);
    assert_eq!(cats[0]["category"], "elderly");
    assert_eq!(cats[0]["committed"], county["totals"]["committed"]);

    // Contracts page newest first; a bad code is refused, an unknown one is not found.
    let first = public(&app, "/api/v1/public/divisions/410523?limit=5")
        .await
        .expect(200)
        .body;
    assert_eq!(first["contracts"].as_array().unwrap().len(), 5);
    let cursor = first["contracts_next_cursor"].as_str().unwrap();
    let rest = public(
        &app,
        &format!("/api/v1/public/divisions/410523?limit=5&cursor={cursor}"),
    )
    .await
    .expect(200)
    .body;
    assert_eq!(rest["contracts"].as_array().unwrap().len(), 2);
    assert!(rest["contracts_next_cursor"].is_null());
    public(&app, "/api/v1/public/divisions/41052x")
        .await
        .expect(422);
    public(&app, "/api/v1/public/divisions/999999")
        .await
        .expect(404);
    public(&app, "/public/divisions/999999").await.expect(404);
}

#[tokio::test]
async fn notices_filter_by_kind_division_and_time_and_page_in_order() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "5000000.00").await;
    let t1 = app.published_tender(&fo, line, "100000.00").await;
    app.clock.advance(Duration::hours(1));
    let since = app.state.now();
    let mut body = app.tender_body(line, "100000.00");
    body["division_code"] = json!("410523100201");
    let t2 = app
        .post("/api/v1/tenders", &fo.token, body)
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/tenders/{t2}/publish"), &fo.token)
        .await
        .expect(200);
    let org = app.organisation().await;
    let mut c = app.direct_award_body(&fo, org, line, "1000.00");
    c["division_code"] = json!("410523101");
    let k = app
        .post("/api/v1/contracts", &fo.token, c)
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/contracts/{k}/sign"), &fo.token)
        .await
        .expect(200);

    let get = |q: String| {
        let app = &app;
        async move {
            public(app, &format!("/api/v1/public/notices{q}"))
                .await
                .expect(200)
                .body
        }
    };
    let all = get(String::new()).await;
    let ids: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["tender_id"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(ids, [t1.to_string().as_str(), &t2.to_string(), "-"]);
    let by_kind = get("?kind=contract_signed".into()).await;
    assert_eq!(by_kind["items"].as_array().unwrap().len(), 1);
    let township = get("?division=410523100".into()).await;
    assert_eq!(township["items"].as_array().unwrap().len(), 1);
    assert_eq!(township["items"][0]["tender_id"], t2.to_string());
    let county = get("?division=410523".into()).await;
    assert_eq!(county["items"].as_array().unwrap().len(), 3);
    let since_q = since.to_rfc3339().replace('+', "%2B");
    let later = get(format!("?since={since_q}")).await;
    assert_eq!(later["items"].as_array().unwrap().len(), 2);
    let page1 = get("?limit=2".into()).await;
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = get(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert!(page2["next_cursor"].is_null());
    assert_eq!(page2["items"][0]["kind"], "contract_signed");

    for bad in [
        "?kind=draft",
        "?division=41",
        "?cursor=xyz",
        "?limit=0",
        "?x=1",
    ] {
        public(&app, &format!("/api/v1/public/notices{bad}"))
            .await
            .expect(422);
    }
    public(&app, &format!("/api/v1/public/notices/{}", Uuid::now_v7()))
        .await
        .expect(404);
    public(&app, &format!("/public/notices/{}", Uuid::now_v7()))
        .await
        .expect(404);
}

#[tokio::test]
async fn the_public_ocds_package_validates_and_shows_only_what_the_notices_show() {
    let app = TestApp::new().await;
    backend::demo::load(&app.state).await.expect("demo data");
    let a = public(&app, "/api/v1/public/ocds/releases")
        .await
        .expect(200);
    let errors = super::ocds::schema_errors(&a.body);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let releases = a.body["releases"].as_array().unwrap();
    // Every announced process: the demo's published tenders and its direct award; never the
    // draft.
    let processes: std::collections::HashSet<String> = notices(&app)
        .await
        .iter()
        .map(|n| {
            n["tender_id"]
                .as_str()
                .or(n["contract_id"].as_str())
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(releases.len(), processes.len());
    for r in releases {
        let tender = &r["tender"];
        assert_ne!(tender["status"], "planning", "{r}");
        assert!(tender.get("tenderers").is_none(), "{r}");
        assert!(tender.get("numberOfTenderers").is_none(), "{r}");
        for k in r["contracts"].as_array().into_iter().flatten() {
            assert!(k.get("implementation").is_none(), "{k}");
        }
        for p in r["parties"].as_array().unwrap() {
            assert!(p.get("contactPoint").is_none());
        }
    }
    let text = a.text;
    for s in [
        "服务方案：驻村社工",
        "张晓梅",
        "11010519491231002X",
        "ZS2023410500123",
    ] {
        assert!(!text.contains(s), "{s}");
    }
    // The same package validates after `since`, and empty after the last notice.
    let last = notices(&app).await.pop().unwrap();
    let since = last["published_at"].as_str().unwrap().replace('+', "%2B");
    let one = public(&app, &format!("/api/v1/public/ocds/releases?since={since}"))
        .await
        .expect(200)
        .body;
    assert_eq!(one["releases"].as_array().unwrap().len(), 1);
    assert!(super::ocds::schema_errors(&one).is_empty());
}

#[tokio::test]
async fn the_atom_feed_parses_as_atom() {
    let app = TestApp::new().await;
    backend::demo::load(&app.state).await.expect("demo data");
    let a = public(&app, "/public/notices.atom").await.expect(200);
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let mut reader = quick_xml::Reader::from_str(&a.text);
    let mut stack: Vec<String> = Vec::new();
    let mut entries = 0;
    let mut root_ns = None;
    let mut entry_children: Vec<String> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if stack.is_empty() {
                    assert_eq!(name, "feed");
                    root_ns = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "xmlns")
                        .map(|a| a.value.to_string());
                }
                if name == "entry" {
                    entries += 1;
                }
                if stack.last().map(String::as_str) == Some("entry") {
                    entry_children.push(name.clone());
                }
                stack.push(name);
            }
            quick_xml::events::Event::Empty(e)
                if stack.last().map(String::as_str) == Some("entry") =>
            {
                entry_children.push(e.name().as_ref().to_string());
            }
            quick_xml::events::Event::End(_) => {
                stack.pop();
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty());
    assert_eq!(root_ns.as_deref(), Some("http://www.w3.org/2005/Atom"));
    assert_eq!(entries, notices(&app).await.len());
    for child in ["id", "title", "updated", "link", "summary"] {
        assert_eq!(
            entry_children.iter().filter(|c| *c == child).count(),
            entries,
            "{child}"
        );
    }
    // Filtered like /public.
    let signed = notices(&app)
        .await
        .iter()
        .filter(|n| n["kind"] == "contract_signed")
        .count();
    assert!(signed > 0);
    let only = public(&app, "/public/notices.atom?kind=contract_signed")
        .await
        .expect(200);
    assert_eq!(only.text.matches("<entry>").count(), signed);
}

#[tokio::test]
async fn public_answers_carry_no_session_are_cacheable_and_have_their_own_openapi_tag() {
    let app = TestApp::new().await;
    backend::demo::load(&app.state).await.expect("demo data");
    let token = app
        .login("finance@huimin.demo", backend::demo::DEMO_PASSWORD)
        .await;
    for path in [
        "/api/v1/public/notices",
        "/api/v1/public/divisions/410523",
        "/api/v1/public/ocds/releases",
        "/public",
        "/public/divisions/410523100201",
        "/public/notices.atom",
    ] {
        // Sent with a session cookie and a bearer token: neither is read, none is set.
        let req = Request::builder()
            .uri(path)
            .header(header::COOKIE, format!("huimin_session={token}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let a = app.send(None, req).await.expect(200);
        assert!(a.headers.get(header::SET_COOKIE).is_none(), "{path}");
        assert_eq!(
            a.headers[header::CACHE_CONTROL],
            "public, max-age=60",
            "{path}"
        );
        assert!(
            !a.text.contains("王会计"),
            "{path} shows the signed-in user"
        );
        let visitor = public(&app, path).await.expect(200);
        if !path.contains("ocds") && !path.contains("atom") {
            assert_eq!(a.text, visitor.text, "{path} is the same for everyone");
        }
    }
    // The pages speak the visitor's language.
    let en = public(&app, "/public?lang=en").await.expect(200);
    assert!(en.text.contains("<html lang=\"en\">"));
    assert!(en.text.contains("Procurement notices"));
    let req = Request::builder()
        .uri("/public/divisions/410523")
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .body(axum::body::Body::empty())
        .unwrap();
    let en = app.send(None, req).await.expect(200);
    assert!(en.text.contains("Services bought"), "{}", en.text);
    assert_eq!(en.headers[header::VARY], "Accept-Language");
    let zh = public(&app, "/public/divisions/410523100201")
        .await
        .expect(200);
    assert!(zh.text.contains("韩庄村") && zh.text.contains("购买的服务"));
    // The print sheet's styles come with the page.
    assert!(zh.text.contains(&backend::web::assets::url("public.css")));

    let doc = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    for (path, op) in [
        ("/api/v1/public/notices", "get"),
        ("/api/v1/public/notices/{id}", "get"),
        ("/api/v1/public/divisions/{code}", "get"),
        ("/api/v1/public/ocds/releases", "get"),
    ] {
        let o = &doc["paths"][path][op];
        assert_eq!(o["tags"], json!(["public"]), "{path}");
        assert!(o.get("security").is_none(), "{path} needs no sign-in");
    }
    assert!(
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "public")
    );
}

#[tokio::test]
async fn public_answers_are_throttled_per_client_address() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.public_requests_per_minute = 3;
    })
    .await;
    let a: SocketAddr = "203.0.113.7:5000".parse().unwrap();
    let b: SocketAddr = "203.0.113.8:5000".parse().unwrap();
    let get = |addr: SocketAddr, path: &'static str| {
        let app = &app;
        async move {
            app.send_from(Some(addr), Method::GET, path, None, None, None)
                .await
        }
    };
    for path in ["/api/v1/public/notices", "/public", "/public/notices.atom"] {
        get(a, path).await.expect(200);
    }
    let refused = get(a, "/api/v1/public/notices").await.expect(429);
    let retry: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(refused.body["code"], "throttle.too_many_requests");
    get(a, "/public").await.expect(429);
    // Another address is not held back; the signed-in API is not throttled by this.
    get(b, "/api/v1/public/notices").await.expect(200);
    // The next minute, the address may ask again.
    app.clock.advance(Duration::seconds(retry as i64));
    get(a, "/api/v1/public/notices").await.expect(200);
    // The counters are in the database: another replica's state sees them.
    assert!(app.count("public_hit").await >= 2);
}

#[tokio::test]
async fn a_cached_public_answer_is_kept_until_a_write_through_this_process() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.public_cache_ms = 60_000;
    })
    .await;
    register(&app, &[("410523", "汤阴县")]).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "100000.00").await;
    signed(&app, &fo, line, "410523", "1000.00").await;
    let first = public(&app, "/api/v1/public/divisions/410523")
        .await
        .expect(200)
        .body;
    assert_eq!(first["name"], "汤阴县");
    // Renamed past the API (as the CLI would): the kept answer stands.
    register(&app, &[("410523", "汤阴县（新）")]).await;
    let kept = public(&app, "/api/v1/public/divisions/410523")
        .await
        .expect(200)
        .body;
    assert_eq!(kept["name"], "汤阴县");
    // A write through this process: fresh at once.
    app.budget_line(&fo, "1.00").await;
    let fresh = public(&app, "/api/v1/public/divisions/410523")
        .await
        .expect(200)
        .body;
    assert_eq!(fresh["name"], "汤阴县（新）");
}
