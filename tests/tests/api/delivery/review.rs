//! Review: who accepts or rejects a report, the rejection comment, and nothing to decide.

use super::*;

#[tokio::test]
async fn only_the_purchasers_finance_officers_accept_or_reject_reports() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    report(&app, &d.staff, m, json!([])).await.expect(201);
    // The organisation cannot accept (or reject) its own report.
    accept(&app, &d.staff.token, m).await.expect(403);
    reject(&app, &d.staff.token, m, "自己驳回")
        .await
        .expect(403);
    for role in [Role::Supervisor, Role::Admin] {
        let u = app.user(role).await;
        accept(&app, &u.token, m).await.expect(403);
        reject(&app, &u.token, m, "不行").await.expect(403);
    }
    let stranger = app.user(Role::FinanceOfficer).await;
    accept(&app, &stranger.token, m).await.expect(404);
    reject(&app, &stranger.token, m, "不行").await.expect(404);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["status"],
        "submitted"
    );
    assert_eq!(
        app.count("milestone_report WHERE decision IS NOT NULL")
            .await,
        0
    );

    // Any officer of the purchaser may, with an optional comment.
    let colleague = app
        .user_in(Role::FinanceOfficer, d.fo.purchaser_id, None)
        .await;
    let out = app
        .post(
            &format!("{}/accept", milestone_path(m)),
            &colleague.token,
            json!({"comment": "材料齐全"}),
        )
        .await
        .expect(200);
    assert_eq!(out.body["status"], "accepted");
    assert!(out.body["accepted_at"].is_string());
    let list = app
        .get(&format!("{}/reports", milestone_path(m)), &d.staff.token)
        .await
        .expect(200)
        .body;
    let r = &list["items"][0];
    assert_eq!(r["decision"], "accepted");
    assert_eq!(r["review_comment"], "材料齐全");
    assert_eq!(r["decided_by"], colleague.user_id.to_string());
}

#[tokio::test]
async fn a_rejection_needs_a_non_empty_comment() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    report(&app, &d.staff, m, json!([])).await.expect(201);
    for comment in ["", "  \n "] {
        let a = reject(&app, &d.fo.token, m, comment).await.expect(422);
        assert_eq!(a.error_fields(), ["comment"]);
    }
    let a = app
        .post(
            &format!("{}/reject", milestone_path(m)),
            &d.fo.token,
            json!({}),
        )
        .await
        .expect(422);
    assert_eq!(a.error_fields(), ["comment"]);
    app.act(&format!("{}/reject", milestone_path(m)), &d.fo.token)
        .await
        .expect(415);
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["status"],
        "submitted"
    );

    let out = reject(&app, &d.fo.token, m, " 缺少服务对象签字 ")
        .await
        .expect(200);
    assert_eq!(out.body["status"], "rejected");
    let list = app
        .get(&format!("{}/reports", milestone_path(m)), &d.staff.token)
        .await
        .expect(200)
        .body;
    let r = &list["items"][0];
    assert_eq!(r["decision"], "rejected");
    assert_eq!(r["review_comment"], "缺少服务对象签字");
    assert_eq!(r["decided_by"], d.fo.user_id.to_string());
    assert!(r["decided_at"].is_string());
}

#[tokio::test]
async fn accepting_or_rejecting_a_milestone_without_a_pending_report_is_refused() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "1000.00")
        .await;
    let m = d.milestones[0];
    // Planned: nothing reported yet.
    accept(&app, &d.fo.token, m).await.expect(409);
    reject(&app, &d.fo.token, m, "未提交").await.expect(409);
    report(&app, &d.staff, m, json!([])).await.expect(201);
    reject(&app, &d.fo.token, m, "照片模糊").await.expect(200);
    // Rejected: the report was decided.
    accept(&app, &d.fo.token, m).await.expect(409);
    reject(&app, &d.fo.token, m, "再次驳回").await.expect(409);
    report(&app, &d.staff, m, json!([])).await.expect(201);
    accept(&app, &d.fo.token, m).await.expect(200);
    // Accepted: decided for good.
    accept(&app, &d.fo.token, m).await.expect(409);
    reject(&app, &d.fo.token, m, "反悔").await.expect(409);
    let c = milestone(&app, &d, "2026-09-30", "1000.00").await;
    cancel(&app, &d.fo.token, c, "取消").await.expect(200);
    accept(&app, &d.fo.token, c).await.expect(409);
    reject(&app, &d.fo.token, c, "取消了").await.expect(409);
    assert_eq!(
        app.count("milestone_report WHERE decision IS NOT NULL")
            .await,
        2
    );
    assert_eq!(
        get_milestone(&app, &d.fo.token, m).await["payable"],
        "1000.00"
    );
}
