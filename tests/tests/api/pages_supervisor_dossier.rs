//! The contract's dossier page, the findings' forms and list, the supervisor's home, and a
//! supervisor refused every form but the findings', through HTTP.

use entity::rules::vocab::Role;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tests::web::{Browser, Part, location, multipart};
use tests::{Login, TestApp};
use uuid::Uuid;

use crate::pages_reviews::world;
use crate::pages_supervisor::{browser, elements, text};

async fn demo(app: &TestApp) {
    backend::demo::load(&app.state).await.expect("demo data");
}

/// `¥1,234.50`, as the pages show money.
fn yuan(v: &Value) -> String {
    let d: Decimal = v.as_str().unwrap().parse().unwrap();
    let s = format!("{:.2}", d.abs());
    let (int, frac) = s.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("¥{grouped}.{frac}")
}

/// The rows of the dossier's audit table.
fn audit_rows(html: &str) -> usize {
    let table = html
        .split("class=\"cards audit-table\"")
        .nth(1)
        .map_or("", |t| t.split("</table>").next().unwrap());
    elements(table, "tr").len().saturating_sub(1)
}

#[tokio::test]
async fn the_dossier_shows_everything_the_apis_dossier_holds_to_the_roles_that_read_it() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let contracts = app
        .get("/api/v1/contracts?limit=100", &sup.token)
        .await
        .expect(200)
        .body;
    // The demo's awarded contract with the most payments.
    let mut best: Option<(usize, Value)> = None;
    for c in contracts["items"].as_array().unwrap() {
        if c["tender_id"].is_null() {
            continue;
        }
        let d = app
            .get(
                &format!("/api/v1/contracts/{}/dossier", c["id"].as_str().unwrap()),
                &sup.token,
            )
            .await
            .expect(200)
            .body;
        let n = d["payments"].as_array().unwrap().len() + d["reports"].as_array().unwrap().len();
        if best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, d));
        }
    }
    let (_, d) = best.expect("an awarded demo contract");
    let id = d["contract"]["id"].as_str().unwrap().to_string();
    let path = format!("/contracts/{id}/dossier");
    let page = browser(&app, &sup).get(&path).await.expect(200);
    let html = &page.text;
    assert!(html.contains(d["tender"]["title"].as_str().unwrap()));
    let bids = d["bids"].as_array().unwrap();
    assert!(bids.len() >= 2, "the tender's bids, after its deadline");
    for b in bids {
        assert!(html.contains(&yuan(&b["amount"])), "bid {}", b["amount"]);
    }
    assert_eq!(html.matches("class=\"tl tl-bid\"").count(), bids.len());
    for kind in [
        "tender", "award", "sign", "due", "report", "decision", "payment",
    ] {
        assert!(html.contains(&format!("class=\"tl tl-{kind}\"")), "{kind}");
    }
    for p in d["payments"].as_array().unwrap() {
        assert!(html.contains(p["voucher_no"].as_str().unwrap()));
    }
    for r in d["reports"].as_array().unwrap() {
        let summary = r["summary"].as_str().unwrap();
        assert!(text(html).contains(summary.split_whitespace().next().unwrap()));
    }
    for m in d["milestones"].as_array().unwrap() {
        assert!(html.contains(m["title"].as_str().unwrap()));
    }
    for p in d["posts"].as_array().unwrap() {
        assert!(html.contains(p["title"].as_str().unwrap()));
    }
    assert_eq!(
        audit_rows(html),
        d["audit_events"].as_array().unwrap().len()
    );
    assert!(
        html.contains("aria-current=\"page\">卷宗"),
        "the dossier's tab"
    );

    // The purchaser's officer and an admin read it; another purchaser's officer does not find
    // it; an organisation may not read dossiers; a visitor signs in first.
    let mut fo = Browser::new(&app);
    fo.sign_in("finance@huimin.demo", backend::demo::DEMO_PASSWORD)
        .await;
    fo.get(&path).await.expect(200);
    let admin = app.user(Role::Admin).await;
    browser(&app, &admin).get(&path).await.expect(200);
    let other = app.user(Role::FinanceOfficer).await;
    browser(&app, &other).get(&path).await.expect(404);
    let mut org = Browser::new(&app);
    org.sign_in("org1@huimin.demo", backend::demo::DEMO_PASSWORD)
        .await;
    org.get(&path).await.expect(403);
    let tab = org.get(&format!("/contracts/{id}")).await;
    assert!(
        !tab.text.contains("/dossier\""),
        "no tab to a page it may not read"
    );
    Browser::new(&app).get(&path).await.expect(303);
    browser(&app, &sup)
        .get(&format!("/contracts/{}/dossier", Uuid::new_v4()))
        .await
        .expect(404);
}

#[tokio::test]
async fn sealed_bids_are_absent_from_the_dossier_and_report_photos_are_in_it() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let sup = app.user(Role::Supervisor).await;
    // The contract's organisation bids on another tender whose deadline is ahead: sealed.
    let other_fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&other_fo, "500000.00").await;
    let tender = app.published_tender(&other_fo, line, "200000.00").await;
    let bid = app
        .post(
            &format!("/api/v1/tenders/{tender}/bids"),
            &w.staff.token,
            json!({"amount": "87654.32", "proposal": "密封的服务方案XYZ"}),
        )
        .await
        .expect(201)
        .id();
    app.seal().await;
    // A report with a photo on the contract's milestone.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
    let (body, content_type) = multipart(&[
        Part::text(
            "report",
            &json!({"summary": "活动照片已上传", "measurements": []}).to_string(),
        ),
        Part::file("活动.png", "image/png", PNG),
    ]);
    let req = axum::http::Request::post(format!("/api/v1/milestones/{}/reports", w.milestone))
        .header("authorization", format!("Bearer {}", w.staff.token))
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    let report = app.send(None, req).await.expect(201);
    let sha = report.body["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();

    let path = format!("/contracts/{}/dossier", w.contract);
    for who in [&sup, &w.fo] {
        let page = browser(&app, who).get(&path).await.expect(200);
        for sealed in [
            "87,654.32",
            "87654.32",
            "密封的服务方案XYZ",
            &bid.to_string(),
            &tender.to_string(),
        ] {
            assert!(!page.text.contains(sealed), "{sealed} leaked");
        }
        assert!(page.text.contains("活动照片已上传"));
        let src = format!("/reports/{}/files/{sha}", report.id());
        assert!(
            page.text.contains(&format!("<img src=\"{src}\"")),
            "the photo's thumbnail"
        );
        browser(&app, who).get(&src).await.expect(200);
    }
    // Nor is it in the API's dossier (one service).
    let api = app
        .get(&format!("/api/v1/{}", &path[1..]), &sup.token)
        .await
        .expect(200);
    assert!(!api.text.contains("87654.32"));
}

#[tokio::test]
async fn a_supervisor_records_a_finding_from_the_dossier_and_resolves_it_once_answered() {
    let app = TestApp::new().await;
    let w = world(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let path = format!("/contracts/{}/dossier", w.contract);
    let record = format!("/contracts/{}/findings", w.contract);
    let mut b = browser(&app, &sup);
    let page = b.get(&path).await.expect(200);
    assert!(page.text.contains(&format!("action=\"{record}\"")));
    let audit = app.count("audit_event").await;

    // Refusals: no text, no severity, no token; nothing written.
    let empty = b
        .submit(
            &path,
            &record,
            &[("severity", "high"), ("text", " "), ("next", &path)],
        )
        .await
        .expect(422);
    assert!(
        empty.text.contains("id=\"finding-text-error\""),
        "{}",
        empty.text
    );
    assert!(
        empty
            .text
            .contains("aria-describedby=\"finding-text-error\"")
    );
    let none = b
        .submit(&path, &record, &[("text", "缺少签到表"), ("next", &path)])
        .await
        .expect(422);
    assert!(none.text.contains("id=\"finding-severity-error\""));
    assert!(none.text.contains("缺少签到表"), "the text typed is kept");
    b.post_raw(&record, &[("severity", "low"), ("text", "x")])
        .await
        .expect(403);
    let mut wrong = browser(&app, &sup);
    wrong
        .post_raw(
            &record,
            &[("_csrf", "forged"), ("severity", "low"), ("text", "x")],
        )
        .await
        .expect(403);
    assert_eq!(app.count("finding").await, 0);
    assert_eq!(app.count("audit_event").await, audit);
    // Only supervisors record findings.
    for who in [&w.fo, &w.staff] {
        browser(&app, who)
            .submit("/", &record, &[("severity", "low"), ("text", "x")])
            .await
            .expect(403);
    }

    let done = b
        .submit(
            &path,
            &record,
            &[
                ("severity", "high"),
                ("text", "服务记录缺少签到表"),
                ("next", &path),
            ],
        )
        .await
        .expect(303);
    assert_eq!(location(&done), path);
    let after = b.get(&path).await.expect(200);
    assert!(after.text.contains("监督意见已登记"), "the flash");
    assert!(after.text.contains("服务记录缺少签到表"));
    assert!(
        after.text.contains("class=\"tl tl-finding\""),
        "in the timeline"
    );
    let list = app
        .get(
            &format!("/api/v1/contracts/{}/findings", w.contract),
            &sup.token,
        )
        .await
        .expect(200)
        .body;
    let finding = list["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(list["items"][0]["severity"], "high");
    let resolve = format!("/findings/{finding}/resolve");
    // Not answered yet: no resolve form, and resolving is refused (409).
    assert!(!after.text.contains(&format!("action=\"{resolve}\"")));
    let early = b
        .submit(
            &path,
            &resolve,
            &[("resolution", "已核实"), ("next", &path)],
        )
        .await
        .expect(409);
    assert!(early.text.contains("notice error"), "{}", early.text);

    // The officer answers on the dossier; the supervisor resolves it there.
    let mut fo = browser(&app, &w.fo);
    let on_fo = fo.get(&path).await.expect(200);
    assert!(!on_fo.text.contains(&format!("action=\"{record}\"")));
    fo.submit(
        &path,
        &format!("/findings/{finding}/respond"),
        &[("response", "已补齐签到表"), ("next", &path)],
    )
    .await
    .expect(303);
    fo.submit(&path, &resolve, &[("resolution", "x")])
        .await
        .expect(403);
    let answered = b.get(&path).await.expect(200);
    assert!(answered.text.contains(&format!("action=\"{resolve}\"")));
    let blank = b
        .submit(&path, &resolve, &[("resolution", ""), ("next", &path)])
        .await
        .expect(422);
    assert!(
        blank
            .text
            .contains(&format!("id=\"resolve-{finding}-error\""))
    );
    b.submit(
        &path,
        &resolve,
        &[("resolution", "已核实，办结"), ("next", &path)],
    )
    .await
    .expect(303);
    let f = app
        .get(
            &format!("/api/v1/contracts/{}/findings", w.contract),
            &sup.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(f["items"][0]["status"], "resolved");
    assert_eq!(f["items"][0]["resolution"], "已核实，办结");
    let last = b.get(&path).await.expect(200);
    assert!(last.text.contains("监督意见已办结"));

    // The contract's findings tab carries the same forms.
    let tab = b.get(&record).await.expect(200);
    assert!(tab.text.contains(&format!("action=\"{record}\"")));
    b.submit(
        &record,
        &record,
        &[("severity", "low"), ("text", "第二条"), ("next", &record)],
    )
    .await
    .expect(303);
    let refused = b
        .submit(
            &record,
            &record,
            &[("severity", "low"), ("text", ""), ("next", &record)],
        )
        .await
        .expect(422);
    assert!(refused.text.contains("id=\"finding-text-error\""));
}

#[tokio::test]
async fn the_findings_list_filters_by_status_severity_and_purchaser() {
    let app = TestApp::new().await;
    let a = world(&app).await;
    let b = world(&app).await;
    let sup = app.user(Role::Supervisor).await;
    for (w, severity, text) in [
        (&a, "high", "甲-严重"),
        (&a, "low", "甲-一般"),
        (&b, "high", "乙-严重"),
    ] {
        app.post(
            &format!("/api/v1/contracts/{}/findings", w.contract),
            &sup.token,
            json!({"severity": severity, "text": text}),
        )
        .await
        .expect(201);
    }
    let mut s = browser(&app, &sup);
    let all = s.get("/findings").await.expect(200);
    for t in ["甲-严重", "甲-一般", "乙-严重"] {
        assert!(all.text.contains(t));
    }
    assert!(all.text.contains("name=\"purchaser_id\""));
    let high = s
        .get("/findings?status=open&severity=high")
        .await
        .expect(200);
    assert!(high.text.contains("甲-严重") && high.text.contains("乙-严重"));
    assert!(!high.text.contains("甲-一般"));
    let pa = a.fo.purchaser_id.unwrap();
    let only_a = s
        .get(&format!("/findings?status=all&severity=&purchaser_id={pa}"))
        .await
        .expect(200);
    assert!(only_a.text.contains("甲-一般") && !only_a.text.contains("乙-严重"));
    assert!(only_a.text.contains(&format!("value=\"{pa}\" selected")));
    s.get("/findings?severity=grave").await.expect(422);
    s.get("/findings?purchaser_id=x").await.expect(422);
    let answered = s.get("/findings?status=answered").await.expect(200);
    assert!(!answered.text.contains("甲-严重"));
    // An officer sees only their purchaser's, whatever the filter asks, and has no purchaser
    // to choose.
    let mut fo = browser(&app, &b.fo);
    let own = fo
        .get(&format!("/findings?status=all&purchaser_id={pa}"))
        .await
        .expect(200);
    assert!(!own.text.contains("甲-"));
    assert!(!own.text.contains("name=\"purchaser_id\""));
    let theirs = fo.get("/findings?status=all").await.expect(200);
    assert!(theirs.text.contains("乙-严重"));
}

#[tokio::test]
async fn the_supervisors_home_shows_findings_anomalies_late_milestones_and_the_chain_head() {
    let app = TestApp::new().await;
    let (fo, _, contract) = app.contract_with_milestone("2026-03-10").await;
    let sup = app.user(Role::Supervisor).await;
    app.post(
        &format!("/api/v1/contracts/{contract}/findings"),
        &sup.token,
        json!({"severity": "medium", "text": "台账不全"}),
    )
    .await
    .expect(201);
    app.clock.advance(chrono::Duration::days(45));
    app.seal().await;
    // The first home after a start does not wait for the anomalies: they are computed in the
    // background, and a later visit shows them.
    let first = browser(&app, &sup).get("/").await.expect(200);
    assert!(text(&first.text).contains("异常统计计算中，请稍后刷新"));
    assert!(first.text.contains("/spending?group_by=purchaser"));
    let home = home_with_anomalies(&app, &sup).await;
    let t = text(&home.text);
    assert!(!t.contains("异常统计计算中"), "{t}");
    assert!(t.contains("1 条监督意见待采购单位答复"), "{t}");
    assert!(t.contains("0 条监督意见已答复，待办结"));
    assert!(t.contains("逾期超过 30 天的服务节点：1 个"), "{t}");
    assert!(
        home.text
            .contains(&format!("/contracts/{contract}/dossier"))
    );
    assert!(t.contains("春季走访"));
    assert!(t.contains("1 份合同签订时没有绩效指标"), "{t}");
    assert!(t.contains("1 份合同的未完成服务节点全部逾期"), "{t}");
    let head = app
        .get("/api/v1/audit/head", &sup.token)
        .await
        .expect(200)
        .body;
    let seq = head["seq"].as_i64().unwrap();
    assert!(home.text.contains(&format!("<dd>{seq}</dd>")));
    let hash = head["hash"].as_str().unwrap();
    assert!(home.text.contains(&hash[..8]));
    assert!(t.contains("链头还没有发送过"));
    // Once the head has been sent, the home says when.
    app.run_job("audit_anchor").await;
    let home = browser(&app, &sup).get("/").await.expect(200);
    assert!(text(&home.text).contains("链头最近一次发送给监督人员"));
    // The officer's home stays the officer's.
    let own = browser(&app, &fo).get("/").await.expect(200);
    assert!(!own.text.contains("sup-chain"));
}

/// The supervisor's home once its anomaly counts are computed (polled a few times).
async fn home_with_anomalies(app: &TestApp, who: &Login) -> tests::Answer {
    for _ in 0..200 {
        let home = browser(app, who).get("/").await.expect(200);
        if home.text.contains("anomalies-at") {
            return home;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the home's anomalies were never computed");
}

/// The "as of" line of the home's anomalies.
fn as_of(html: &str) -> String {
    let at = html.split("anomalies-at\">").nth(1).expect("an as-of line");
    text(at.split("</p>").next().unwrap())
}

#[tokio::test]
async fn the_supervisors_home_keeps_its_anomaly_counts_five_minutes_then_refreshes_them() {
    let app = TestApp::new().await;
    let (_, _, contract) = app.contract_with_milestone("2026-03-10").await;
    let sup = app.user(Role::Supervisor).await;
    let finding = |text: &'static str| {
        let path = format!("/api/v1/contracts/{contract}/findings");
        let (app, token) = (&app, sup.token.clone());
        async move {
            app.post(&path, &token, json!({"severity": "low", "text": text}))
                .await
                .expect(201);
        }
    };
    finding("台账不全").await;
    let flag = "个社会组织有两条以上未办结的监督意见";
    let home = home_with_anomalies(&app, &sup).await;
    let computed = as_of(&home.text);
    assert!(computed.starts_with("截至"), "{computed}");
    assert!(!text(&home.text).contains(flag));
    // A second open finding makes an anomaly; within five minutes the home keeps the counts
    // it has, and says when they were computed.
    finding("签到表缺失").await;
    app.clock.advance(chrono::Duration::minutes(4));
    for _ in 0..3 {
        let again = browser(&app, &sup).get("/").await.expect(200);
        assert!(!text(&again.text).contains(flag));
        assert_eq!(as_of(&again.text), computed);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Past the window the old counts are shown at once, and new ones are computed meanwhile.
    app.clock.advance(chrono::Duration::minutes(2));
    let stale = browser(&app, &sup).get("/").await.expect(200);
    assert_eq!(as_of(&stale.text), computed);
    assert!(!text(&stale.text).contains(flag));
    let mut fresh = None;
    for _ in 0..200 {
        let home = browser(&app, &sup).get("/").await.expect(200);
        if as_of(&home.text) != computed {
            fresh = Some(home);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let fresh = fresh.expect("the anomalies were refreshed");
    assert!(
        text(&fresh.text).contains(&format!("1 {flag}")),
        "{}",
        fresh.text
    );
    // In English too.
    let admin = app.user(Role::Admin).await;
    app.patch(
        &format!("/api/v1/users/{}", sup.user_id),
        &admin.token,
        json!({"locale": "en"}),
    )
    .await
    .expect(200);
    let page = browser(&app, &sup).get("/").await.expect(200);
    assert!(as_of(&page.text).starts_with("As of"), "{}", page.text);
}

#[tokio::test]
async fn a_supervisor_is_refused_every_form_but_the_findings() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let any = |v: &Value| v["items"][0]["id"].as_str().unwrap().to_string();
    let contract = any(&app
        .get("/api/v1/contracts?status=active", &sup.token)
        .await
        .expect(200)
        .body);
    let tender = any(&app
        .get("/api/v1/tenders", &sup.token)
        .await
        .expect(200)
        .body);
    let line = any(&app
        .get("/api/v1/budget-lines", &sup.token)
        .await
        .expect(200)
        .body);
    let milestone = any(&app
        .get(
            &format!("/api/v1/contracts/{contract}/milestones"),
            &sup.token,
        )
        .await
        .expect(200)
        .body);
    let post = Uuid::new_v4();
    let other = Uuid::new_v4();
    let paths = [
        "/budget-lines".to_string(),
        format!("/budget-lines/{line}/amount"),
        "/tenders".into(),
        format!("/tenders/{tender}"),
        format!("/tenders/{tender}/publish"),
        format!("/tenders/{tender}/close"),
        format!("/tenders/{tender}/cancel"),
        format!("/tenders/{tender}/unsuccessful"),
        format!("/tenders/{tender}/award"),
        format!("/tenders/{tender}/bid"),
        format!("/bids/{other}/score"),
        "/contracts".into(),
        format!("/contracts/{contract}/sign"),
        format!("/contracts/{contract}/cancel"),
        format!("/contracts/{contract}/amendments"),
        format!("/contracts/{contract}/terminate"),
        format!("/contracts/{contract}/complete"),
        format!("/contracts/{contract}/milestones"),
        format!("/contracts/{contract}/indicators"),
        format!("/contracts/{contract}/posts"),
        format!("/contracts/{contract}/payments"),
        format!("/milestones/{milestone}/cancel"),
        format!("/milestones/{milestone}/accept"),
        format!("/milestones/{milestone}/reject"),
        format!("/posts/{post}/assignments"),
        format!("/posts/{post}/assignments/{other}/end"),
        format!("/findings/{other}/respond"),
    ];
    let audit = app.count("audit_event").await;
    let mut b = browser(&app, &sup);
    for p in &paths {
        let a = b
            .submit(
                "/",
                p,
                &[("reason", "x"), ("amount", "1.00"), ("title", "x")],
            )
            .await;
        assert_eq!(a.status.as_u16(), 403, "{p}: {}", a.text);
    }
    let report = format!("/milestones/{milestone}/report");
    let token = tests::web::csrf_of(&b.get("/").await.text).unwrap();
    let a = b
        .post_multipart(
            &report,
            &[Part::text("_csrf", &token), Part::text("summary", "x")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 403, "{report}");
    app.seal().await;
    assert_eq!(app.count("audit_event").await, audit, "nothing written");
}
