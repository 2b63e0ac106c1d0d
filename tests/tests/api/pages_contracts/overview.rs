//! The overview tab's actions: sign (with the budget effect shown first), cancel a draft, amend,
//! terminate and complete an active contract.

use tests::TestApp;
use tests::web::location;

use super::{assert_before, browser, contract, desk, line_figure};

#[tokio::test]
async fn signing_shows_the_budget_effect_first_and_commits_the_value() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let id = app.draft_contract(&d.fo, d.org, d.line, "80000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let path = format!("/contracts/{id}");
    let page = b.get(&path).await.expect(200);
    assert!(page.text.contains("¥1,000,000.00") && page.text.contains("¥920,000.00"));
    assert_before(
        &page,
        "签订后可用",
        &format!("action=\"/contracts/{id}/sign\""),
    );
    // Without the token: nothing signed.
    b.post_raw(&format!("{path}/sign"), &[]).await.expect(403);
    assert_eq!(line_figure(&app, &d.fo, d.line, "committed").await, "0.00");
    let signed = b
        .submit(&path, &format!("{path}/sign"), &[])
        .await
        .expect(303);
    assert_eq!(location(&signed), path);
    assert_eq!(contract(&app, &d.fo, id).await["status"], "active");
    assert_eq!(
        line_figure(&app, &d.fo, d.line, "committed").await,
        "80000.00"
    );
    let page = b.get(&path).await.expect(200);
    assert!(page.text.contains("合同已签订。"));
    assert!(!page.text.contains(&format!("action=\"{path}/sign\"")));
    assert!(page.text.contains(&format!("action=\"{path}/amendments\"")));
    assert!(page.text.contains(&format!("action=\"{path}/terminate\"")));
    // A draft the line cannot take: the page says so, and signing is refused (409).
    let big = app.draft_contract(&d.fo, d.org, d.line, "950000.00").await;
    let page = b.get(&format!("/contracts/{big}")).await.expect(200);
    assert!(page.text.contains("-¥30,000.00"), "{}", page.text);
    assert!(page.text.contains("签订将被拒绝"));
    let refused = b
        .submit(
            &format!("/contracts/{big}"),
            &format!("/contracts/{big}/sign"),
            &[],
        )
        .await
        .expect(409);
    assert!(refused.text.contains("role=\"alert\""));
    assert_eq!(contract(&app, &d.fo, big).await["status"], "draft");
    assert_eq!(
        line_figure(&app, &d.fo, d.line, "committed").await,
        "80000.00"
    );
}

#[tokio::test]
async fn a_draft_is_cancelled_with_its_reason() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let draft = app.draft_contract(&d.fo, d.org, d.line, "1000.00").await;
    let mut b = browser(&app, &d.fo).await;
    let dp = format!("/contracts/{draft}");
    let refused = b
        .submit(&dp, &format!("{dp}/cancel"), &[("reason", " ")])
        .await
        .expect(422);
    assert!(refused.text.contains("f-reason-error"), "{}", refused.text);
    assert_eq!(contract(&app, &d.fo, draft).await["status"], "draft");
    b.submit(&dp, &format!("{dp}/cancel"), &[("reason", "改为公开采购")])
        .await
        .expect(303);
    let c = contract(&app, &d.fo, draft).await;
    assert_eq!(
        (c["status"].as_str(), c["status_reason"].as_str()),
        (Some("cancelled"), Some("改为公开采购"))
    );
}

#[tokio::test]
async fn an_active_contract_is_amended_within_its_rules_and_refusals_write_nothing() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let mut b = browser(&app, &d.fo).await;
    let active = app.active_contract(&d.fo, d.org, d.line, "100000.00").await;
    let ap = format!("/contracts/{active}");
    // An amendment without its reason, then one above 10 %: nothing written.
    let no_reason = [("value", "105000.00"), ("end_date", ""), ("reason", "")];
    let refused = b
        .submit(&ap, &format!("{ap}/amendments"), &no_reason)
        .await
        .expect(422);
    assert!(
        refused.text.contains("f-reason-error")
            && !refused.text.contains("f-terminate_reason-error")
    );
    assert!(refused.text.contains("value=\"105000.00\""));
    let too_much = [
        ("value", "120000.00"),
        ("end_date", ""),
        ("reason", "增加服务"),
    ];
    b.submit(&ap, &format!("{ap}/amendments"), &too_much)
        .await
        .expect(409);
    let none = app
        .get(
            &format!("/api/v1/contracts/{active}/amendments"),
            &d.fo.token,
        )
        .await
        .expect(200);
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    let ok = [
        ("value", "105,000"),
        ("end_date", "2026-12-15"),
        ("reason", "增加服务人次"),
    ];
    b.submit(&ap, &format!("{ap}/amendments"), &ok)
        .await
        .expect(303);
    let c = contract(&app, &d.fo, active).await;
    assert_eq!(
        (c["value"].as_str(), c["end_date"].as_str()),
        (Some("105000.00"), Some("2026-12-15"))
    );
    let page = b.get(&ap).await.expect(200);
    assert!(page.text.contains("¥100,000.00 → ¥105,000.00") && page.text.contains("增加服务人次"));
}

#[tokio::test]
async fn an_active_contract_is_terminated_or_completed() {
    let app = TestApp::new().await;
    let d = desk(&app).await;
    let mut b = browser(&app, &d.fo).await;
    let active = app.active_contract(&d.fo, d.org, d.line, "100000.00").await;
    let ap = format!("/contracts/{active}");
    // Terminate: its reason has its own field.
    let refused = b
        .submit(&ap, &format!("{ap}/terminate"), &[("terminate_reason", "")])
        .await
        .expect(422);
    assert!(
        refused.text.contains("f-terminate_reason-error")
            && !refused.text.contains("f-reason-error")
    );
    assert_eq!(contract(&app, &d.fo, active).await["status"], "active");
    b.submit(
        &ap,
        &format!("{ap}/terminate"),
        &[("terminate_reason", "机构无法继续履约")],
    )
    .await
    .expect(303);
    assert_eq!(contract(&app, &d.fo, active).await["status"], "terminated");
    // Complete: refused while a milestone is open, then done.
    let other = app.active_contract(&d.fo, d.org, d.line, "2000.00").await;
    let op = format!("/contracts/{other}");
    b.submit(
        &format!("{op}/milestones"),
        &format!("{op}/milestones"),
        &[
            ("title", "第一阶段"),
            ("description", ""),
            ("due_date", "2026-06-30"),
            ("amount", "1000"),
        ],
    )
    .await
    .expect(303);
    let refused = b
        .submit(&op, &format!("{op}/complete"), &[])
        .await
        .expect(409);
    assert!(refused.text.contains("role=\"alert\""));
    assert_eq!(contract(&app, &d.fo, other).await["status"], "active");
    let done = app.active_contract(&d.fo, d.org, d.line, "3000.00").await;
    let dp = format!("/contracts/{done}");
    b.submit(&dp, &format!("{dp}/complete"), &[])
        .await
        .expect(303);
    assert_eq!(contract(&app, &d.fo, done).await["status"], "completed");
}
