//! The contract checks: low scores and silent indicators, vacant posts, and contracts ending
//! with open milestones.

use super::*;

// --- indicator_check -------------------------------------------------------------------------

/// A contract of [`deal`] with indicators and one milestone of 20 000.00 due on 30 June.
async fn scored_deal(
    app: &TestApp,
    fo: &Login,
    org: &Org,
    title: &str,
    list: Value,
) -> (Uuid, Uuid, Vec<Uuid>) {
    let w = app
        .world()
        .officer(fo)
        .staff(&org.staff)
        .line_amount("100000.00")
        .title(title)
        .period(YEAR.0, YEAR.1)
        .indicators(list)
        .milestone_titled("上半年服务", "2026-06-30", "20000.00")
        .await;
    let indicators = w.indicators.iter().map(|(_, id)| *id).collect();
    (w.contract, w.milestones[0], indicators)
}

fn visits_only() -> Value {
    json!([{"code": "visits", "name": "入户走访次数", "unit": "次", "target": 100, "comparator": "at_least", "weight": 100}])
}

#[tokio::test]
async fn a_score_below_the_minimum_warns_the_officer_and_the_organisation_and_a_healthy_contract_nobody()
 {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let weak = org(&app, &admin).await;
    let strong = org(&app, &admin).await;
    let (low, m1, i1) =
        scored_deal(&app, &fo, &weak, "低分合同：儿童之家运营", visits_only()).await;
    let (_, m2, i2) =
        scored_deal(&app, &fo, &strong, "达标合同：儿童之家运营", visits_only()).await;
    report(
        &app,
        &weak.staff,
        m1,
        json!([{"indicator_id": i1[0], "value": 50}]),
    )
    .await;
    report(
        &app,
        &strong.staff,
        m2,
        json!([{"indicator_id": i2[0], "value": 100}]),
    )
    .await;

    let (examined, notified) = run(&app, "indicator_check").await;
    assert_eq!((examined, notified), (2, 3));
    let alerts = of_kind(&app, "indicator_alert").await;
    assert_eq!(
        alerts
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&weak.contact, &weak.staff_email, &fo_email])
    );
    for n in &alerts {
        assert!(
            n.dedupe_key.starts_with(&format!("indicator_alert:{low}:")),
            "{}",
            n.dedupe_key
        );
        assert!(
            n.subject.contains("低分合同：儿童之家运营"),
            "{}",
            n.subject
        );
        assert!(
            n.body_text.contains("50") && n.body_text.contains("60"),
            "the score and the minimum: {}",
            n.body_text
        );
    }
    // Once a week: the next day adds nothing.
    at(&app, "2026-03-03");
    assert_eq!(run(&app, "indicator_check").await.1, 0);
}

#[tokio::test]
async fn an_indicator_without_a_measurement_for_90_days_is_named_in_a_warning() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let (contract, m, inds) = scored_deal(
        &app,
        &fo,
        &o,
        "社区治理能力提升",
        json!([
            {"code": "visits", "name": "入户走访次数", "unit": "次", "target": 100, "comparator": "at_least", "weight": 50},
            {"code": "complaints", "name": "有效投诉件数", "unit": "件", "target": 2, "comparator": "at_most", "weight": 50},
        ]),
    )
    .await;
    at(&app, "2026-05-25");
    report(
        &app,
        &o.staff,
        m,
        json!([{"indicator_id": inds[0], "value": 100}]),
    )
    .await;

    // 89 days since the start on 1 March: not yet.
    at(&app, "2026-05-29");
    assert_eq!(run(&app, "indicator_check").await, (1, 0));
    // 90 days: the complaints indicator has never been measured.
    at(&app, "2026-05-30");
    assert_eq!(run(&app, "indicator_check").await, (1, 3));
    let alerts = of_kind(&app, "indicator_alert").await;
    assert_eq!(
        alerts
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email, &fo_email])
    );
    for n in &alerts {
        assert!(n.dedupe_key.contains(&contract.to_string()));
        assert!(
            n.body_text.contains("有效投诉件数"),
            "names the indicator: {}",
            n.body_text
        );
        assert!(
            !n.body_text.contains("入户走访次数"),
            "not the one measured five days ago: {}",
            n.body_text
        );
        assert!(
            !n.body_text.contains("低于付款下限"),
            "the score (100) is fine: {}",
            n.body_text
        );
    }
}

#[tokio::test]
async fn a_cumulative_indicator_is_scored_against_its_target_pro_rated_to_today() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let on_track = org(&app, &admin).await;
    let behind = org(&app, &admin).await;
    // 306 contract days (1 March to 31 December): one activity a day.
    let cumulative = || json!([{"code": "activities", "name": "社区活动场次", "unit": "场", "target": 306, "comparator": "at_least", "measure": "cumulative", "weight": 100}]);
    let (_, m1, i1) = scored_deal(&app, &fo, &on_track, "进度正常的合同", cumulative()).await;
    let (late, m2, i2) = scored_deal(&app, &fo, &behind, "进度滞后的合同", cumulative()).await;
    // On 30 May, 91 days in, the target so far is 91: 60 scores 65.9, 50 scores 54.9.
    at(&app, "2026-05-30");
    report(
        &app,
        &on_track.staff,
        m1,
        json!([{"indicator_id": i1[0], "value": 60}]),
    )
    .await;
    report(
        &app,
        &behind.staff,
        m2,
        json!([{"indicator_id": i2[0], "value": 50}]),
    )
    .await;
    assert_eq!(run(&app, "indicator_check").await, (2, 3));
    let alerts = of_kind(&app, "indicator_alert").await;
    assert!(
        alerts.iter().all(|n| n
            .dedupe_key
            .starts_with(&format!("indicator_alert:{late}:"))),
        "only the contract behind its pro-rated target"
    );
    assert!(
        alerts[0].body_text.contains("54.9"),
        "{}",
        alerts[0].body_text
    );
}

// --- post_vacancy_check ----------------------------------------------------------------------

#[tokio::test]
async fn a_post_vacant_more_than_30_days_in_a_row_is_reported_once() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(&app, &fo, &o, "村级社工站运营", YEAR, &[]).await;
    let post_body = |title: &str| {
        json!({
            "title": title,
            "division_code": "410523100201",
            "required_qualification": "none",
            "annual_funding": "60000.00",
            "start_date": "2026-03-01",
            "end_date": "2026-12-31",
        })
    };
    let vacant = app
        .post(
            &format!("/api/v1/contracts/{}/posts", d.contract),
            &fo.token,
            post_body("东村社工岗"),
        )
        .await
        .expect(201)
        .id();
    let filled = app
        .post(
            &format!("/api/v1/contracts/{}/posts", d.contract),
            &fo.token,
            post_body("西村社工岗"),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/posts/{filled}/assignments"),
        &o.staff.token,
        json!({"worker_name": "李红", "qualification": "none", "id_number": "110101199003074477", "from_date": "2026-03-01"}),
    )
    .await
    .expect(201);

    // 1..30 March: 30 days.
    at(&app, "2026-03-30");
    assert_eq!(run(&app, "post_vacancy_check").await.1, 0);
    // 31 days.
    at(&app, "2026-03-31");
    let (examined, notified) = run(&app, "post_vacancy_check").await;
    assert_eq!((examined, notified), (1, 3));
    let rows = of_kind(&app, "post_vacant").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&o.contact, &o.staff_email, &fo_email])
    );
    for n in &rows {
        assert!(n.dedupe_key.starts_with(&format!("post_vacant:{vacant}:")));
        assert!(n.subject.contains("东村社工岗") && n.subject.contains("31"));
        assert!(n.body_text.contains("村级社工站运营") && n.body_text.contains("2026年3月1日"));
    }
    // Once per vacancy.
    at(&app, "2026-04-01");
    assert_eq!(run(&app, "post_vacancy_check").await.1, 0);
    at(&app, "2026-04-20");
    assert_eq!(run(&app, "post_vacancy_check").await.1, 0);
    assert_eq!(of_kind(&app, "post_vacant").await.len(), 3);
}

// --- contract_expiry -------------------------------------------------------------------------

#[tokio::test]
async fn a_contract_ending_within_30_days_with_open_milestones_is_reported_and_a_finished_one_not()
{
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let open = org(&app, &admin).await;
    let done = org(&app, &admin).await;
    let later = org(&app, &admin).await;
    let ending = deal(
        &app,
        &fo,
        &open,
        "春节慰问服务",
        ("2026-03-01", "2026-03-20"),
        &[("慰问完成", "2026-03-15")],
    )
    .await;
    let finished = deal(
        &app,
        &fo,
        &done,
        "元宵活动服务",
        ("2026-03-01", "2026-03-20"),
        &[("活动完成", "2026-03-10")],
    )
    .await;
    report(&app, &done.staff, finished.milestones[0], json!([])).await;
    app.act(
        &format!("/api/v1/milestones/{}/accept", finished.milestones[0]),
        &fo.token,
    )
    .await
    .expect(200);
    // Ends in 31 days (2 April): not yet.
    deal(
        &app,
        &fo,
        &later,
        "清明祭扫服务",
        ("2026-03-01", "2026-04-02"),
        &[("祭扫完成", "2026-04-01")],
    )
    .await;

    let (examined, notified) = run(&app, "contract_expiry").await;
    assert_eq!((examined, notified), (2, 3));
    let rows = of_kind(&app, "contract_expiring").await;
    assert_eq!(
        rows.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[&open.contact, &open.staff_email, &fo_email])
    );
    for n in &rows {
        assert!(
            n.dedupe_key
                .starts_with(&format!("contract_expiring:{}:", ending.contract))
        );
        assert!(n.subject.contains("春节慰问服务") && n.subject.contains("2026年3月20日"));
        assert!(n.body_text.contains("1 个服务节点"), "{}", n.body_text);
    }
    at(&app, "2026-03-03");
    assert_eq!(
        run(&app, "contract_expiry").await.1,
        3,
        "清明 now ends within 30 days"
    );
    at(&app, "2026-03-04");
    assert_eq!(run(&app, "contract_expiry").await.1, 0, "once per end date");
}
