//! The score and the payable (SPEC §4): rounding, the performance rule, cumulative
//! targets, missing measurements, the performance view and the vacancy deduction.

use super::*;

#[tokio::test]
async fn the_score_weighs_level_indicators_and_is_rounded_once_half_up_to_one_decimal() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("20000.00")
        .performance_rule(json!({"full_pay_score": 95, "min_pay_score": 50}))
        .indicators(json!([
            ind("visits", "at_least", json!(8), 10),
            ind("accidents", "at_most", json!(0), 90)
        ]))
        .await;
    let ids = indicator_ids(&app, &d).await;
    let (v, a) = (ids["visits"].clone(), ids["accidents"].clone());
    // 10 × 1/8 + 90 × 1 = 91.25 → 91.3 (not 91.2, as truncating or rounding to even would).
    let m1 = milestone(&app, &d, "2026-06-30", "10000.00").await;
    let out = deliver(
        &app,
        &d,
        m1,
        json!([{"indicator_id": v, "value": 1}, {"indicator_id": a, "value": 0}]),
    )
    .await;
    assert_eq!(dec(&out["score"]), "91.3".parse().unwrap());
    // Between the thresholds the payable follows the stored (rounded) score.
    assert_eq!(out["payable"], "9130.00");
    // 10 × 3.4/8 + 90 = 94.25 → 94.3.
    let m2 = milestone(&app, &d, "2026-09-30", "10000.00").await;
    let out = deliver(
        &app,
        &d,
        m2,
        json!([{"indicator_id": v, "value": 3.4}, {"indicator_id": a, "value": 0}]),
    )
    .await;
    assert_eq!(dec(&out["score"]), "94.3".parse().unwrap());
    assert_eq!(out["payable"], "9430.00");
}

/// A regression test: quotients such as 1/12 are cut at 28 digits, so a sum exactly on a
/// midpoint used to arrive a hair below it and round down (75.2).
#[tokio::test]
async fn the_score_is_rounded_half_up_even_when_an_achievement_is_a_repeating_decimal() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .indicators(json!([
            ind("visits", "at_least", json!(12), 27),
            ind("accidents", "at_most", json!(0), 73)
        ]))
        .await;
    let ids = indicator_ids(&app, &d).await;
    let m = milestone(&app, &d, "2026-06-30", "10000.00").await;
    // 27 × 1/12 = 2.25 exactly; + 73 × 1 = 75.25 → 75.3 half-up; payable 10000 × 75.3 %.
    let out = deliver(
        &app,
        &d,
        m,
        json!([{"indicator_id": ids["visits"], "value": 1}, {"indicator_id": ids["accidents"], "value": 0}]),
    )
    .await;
    assert_eq!(dec(&out["score"]), "75.3".parse().unwrap(), "{out}");
    assert_eq!(out["payable"], "7530.00");
}

#[tokio::test]
async fn a_payable_between_the_thresholds_is_the_amount_times_the_score_rounded_half_up_to_fen() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("100000.20")
        .indicators(json!([
            ind("visits", "at_least", json!(100), 50),
            ind("complaints", "at_most", json!(10), 50)
        ]))
        .await;
    let ids = indicator_ids(&app, &d).await;
    let m = milestone(&app, &d, "2026-06-30", "100000.20").await;
    // 50 × 0.45 + 50 × 1 = 72.5; 10 000 020 fen × 72.5 % = 7 250 014.5 fen → 7 250 015 fen.
    let out = deliver(
        &app,
        &d,
        m,
        json!([{"indicator_id": ids["visits"], "value": 45}, {"indicator_id": ids["complaints"], "value": 0}]),
    )
    .await;
    assert_eq!(dec(&out["score"]), "72.5".parse().unwrap());
    assert_eq!(out["payable"], money(half_up(10_000_020 * 725, 1000)));
    assert_eq!(out["payable"], "72500.15");
}

#[tokio::test]
async fn the_payable_follows_the_contracts_performance_rule() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("5000.00")
        .performance_rule(json!({"full_pay_score": 90, "min_pay_score": 50}))
        .indicators(json!([ind("rate", "at_least", json!(100), 100)]))
        .await;
    let k = app
        .get(&contract_path(d.contract), &d.staff.token)
        .await
        .expect(200);
    assert_eq!(
        k.body["performance_rule"],
        json!({"full_pay_score": 90, "min_pay_score": 50})
    );
    let rate = indicator_ids(&app, &d).await["rate"].clone();
    // score ≥ full → amount; min ≤ score < full → amount × score / 100; below min → 0.
    let cases = [
        ("2026-05-31", "95", "1000.00"),
        ("2026-06-30", "90", "1000.00"),
        ("2026-07-31", "89.9", "899.00"),
        ("2026-08-31", "50", "500.00"),
        ("2026-09-30", "49.9", "0.00"),
    ];
    let mut withheld = None;
    for (due, value, payable) in cases {
        let m = milestone(&app, &d, due, "1000.00").await;
        let out = deliver(&app, &d, m, json!([{"indicator_id": rate, "value": value}])).await;
        assert_eq!(dec(&out["score"]), value.parse().unwrap(), "{due}");
        assert_eq!(out["payable"], payable, "{due}");
        withheld = Some(m);
    }
    // A withheld milestone is not paid at all.
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(withheld, "0.01", "V-0"),
    )
    .await
    .expect(409);

    // The defaults are 80 and 60.
    let d = app
        .world()
        .value("4000.00")
        .indicators(json!([ind("rate", "at_least", json!(100), 100)]))
        .await;
    let k = app
        .get(&contract_path(d.contract), &d.fo.token)
        .await
        .expect(200);
    assert_eq!(
        k.body["performance_rule"],
        json!({"full_pay_score": 80, "min_pay_score": 60})
    );
    let rate = indicator_ids(&app, &d).await["rate"].clone();
    let cases = [
        ("2026-05-31", "80", "1000.00"),
        ("2026-06-30", "79.9", "799.00"),
        ("2026-07-31", "60", "600.00"),
        ("2026-08-31", "59.9", "0.00"),
    ];
    for (due, value, payable) in cases {
        let m = milestone(&app, &d, due, "1000.00").await;
        let out = deliver(&app, &d, m, json!([{"indicator_id": rate, "value": value}])).await;
        assert_eq!(out["payable"], payable, "{due}");
    }
    // A rule whose minimum exceeds its full score is refused.
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000.00").await;
    let mut body = app.direct_award_body(&fo, app.organisation().await, line, "100.00");
    body["performance_rule"] = json!({"full_pay_score": 50, "min_pay_score": 90});
    app.post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(422);
}

#[tokio::test]
async fn a_cumulative_target_is_prorated_to_the_milestones_due_date() {
    let app = TestApp::new().await;
    // 2026-04-01..2026-12-31 is 275 days; to 30 June, 91 of them: 550 × 91 / 275 = 182.
    let d = app.world().value("20000.00")
        .indicators(json!([{"code": "visits", "name": "累计入户走访", "unit": "户次", "target": 550, "comparator": "at_least", "measure": "cumulative", "weight": 100}]))
        .await;
    let visits = indicator_ids(&app, &d).await["visits"].clone();
    let m1 = milestone(&app, &d, "2026-06-30", "10000.00").await;
    // 91 of 182 → 0.5 → 50: below the minimum of 60, withheld (as a level it would be 16.5).
    let out = deliver(&app, &d, m1, json!([{"indicator_id": visits, "value": 91}])).await;
    assert_eq!(dec(&out["score"]), Decimal::from(50));
    assert_eq!(out["payable"], "0.00");
    // At the end date the whole target counts: 495 of 550 → 90.
    let m2 = milestone(&app, &d, "2026-12-31", "10000.00").await;
    let out = deliver(
        &app,
        &d,
        m2,
        json!([{"indicator_id": visits, "value": 495}]),
    )
    .await;
    assert_eq!(dec(&out["score"]), Decimal::from(90));
    assert_eq!(out["payable"], "10000.00");
    // The performance view pro-rates to today (30 June, local).
    at(&app, 2026, 6, 30, 4, 0);
    let perf = app
        .get(
            &format!("{}/performance", contract_path(d.contract)),
            &d.fo.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(perf["as_of"], "2026-06-30");
    assert_eq!(
        dec(&perf["indicators"][0]["effective_target"]),
        Decimal::from(182)
    );
    assert_eq!(dec(&perf["indicators"][0]["achievement"]), Decimal::ONE);
}

#[tokio::test]
async fn an_at_most_indicator_with_target_zero_is_met_only_by_zero() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("3000.00")
        .indicators(json!([
            ind("visits", "at_least", json!(100), 60),
            ind("accidents", "at_most", json!(0), 40)
        ]))
        .await;
    let ids = indicator_ids(&app, &d).await;
    let (v, a) = (ids["visits"].clone(), ids["accidents"].clone());
    let cases = [
        ("2026-06-30", json!(0), 100, "1000.00"),
        // 60 is the minimum: paid pro rata, not withheld.
        ("2026-09-30", json!(1), 60, "600.00"),
        ("2026-12-31", json!("0.0001"), 60, "600.00"),
    ];
    for (due, accidents, score, payable) in cases {
        let m = milestone(&app, &d, due, "1000.00").await;
        let out = deliver(
            &app,
            &d,
            m,
            json!([{"indicator_id": v, "value": 100}, {"indicator_id": a, "value": accidents}]),
        )
        .await;
        assert_eq!(dec(&out["score"]), Decimal::from(score), "{due}");
        assert_eq!(out["payable"], payable, "{due}");
    }
}

#[tokio::test]
async fn an_indicator_missing_from_the_accepted_report_takes_its_latest_earlier_value_or_zero() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("2000.00")
        .indicators(json!([
            ind("visits", "at_least", json!(100), 50),
            ind("complaints", "at_most", json!(2), 30),
            ind("trainings", "at_least", json!(10), 20),
        ]))
        .await;
    let ids = indicator_ids(&app, &d).await;
    let (v, c) = (ids["visits"].clone(), ids["complaints"].clone());
    // 50 × 1 + 30 × (1 − (3 − 2) / 2) + 20 × 0 (never measured) = 65.
    let m1 = milestone(&app, &d, "2026-06-30", "1000.00").await;
    let out = deliver(
        &app,
        &d,
        m1,
        json!([{"indicator_id": v, "value": 100}, {"indicator_id": c, "value": 3}]),
    )
    .await;
    assert_eq!(dec(&out["score"]), Decimal::from(65));
    assert_eq!(out["payable"], "650.00");
    // Complaints are not in the second report: the 3 reported earlier still counts (were it
    // taken as 0, the score would be 70): 50 × 0.8 + 15 + 0 = 55, withheld.
    let m2 = milestone(&app, &d, "2026-09-30", "1000.00").await;
    let out = deliver(&app, &d, m2, json!([{"indicator_id": v, "value": 80}])).await;
    assert_eq!(dec(&out["score"]), Decimal::from(55));
    assert_eq!(out["payable"], "0.00");
}

#[tokio::test]
async fn the_performance_view_shows_the_score_and_each_indicators_achievement_and_contribution() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .indicators(json!([
            ind("visits", "at_least", json!(100), 60),
            ind("complaints", "at_most", json!(2), 40),
            ind("photos", "at_least", json!(10), 0),
        ]))
        .await;
    let ids = indicator_ids(&app, &d).await;
    let m = milestone(&app, &d, "2026-06-30", "10000.00").await;
    let out = deliver(
        &app,
        &d,
        m,
        json!([{"indicator_id": ids["visits"], "value": 80}, {"indicator_id": ids["complaints"], "value": 3}]),
    )
    .await;
    // 60 × 0.8 + 40 × 0.5 = 68.
    assert_eq!(dec(&out["score"]), Decimal::from(68));
    assert_eq!(out["payable"], "6800.00");
    let supervisor = app.user(Role::Supervisor).await;
    for token in [&d.fo.token, &d.staff.token, &supervisor.token] {
        let perf = app
            .get(&format!("{}/performance", contract_path(d.contract)), token)
            .await
            .expect(200)
            .body;
        assert_eq!(dec(&perf["score"]), Decimal::from(68));
        let by_code = |code: &str| {
            perf["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["code"] == code)
                .unwrap_or_else(|| panic!("{code} in {perf}"))
                .clone()
        };
        let expect = [
            ("visits", Some("80"), "0.8", "48"),
            ("complaints", Some("3"), "0.5", "20"),
            ("photos", None, "0", "0"),
        ];
        for (code, value, achievement, contribution) in expect {
            let i = by_code(code);
            match value {
                Some(v) => assert_eq!(dec(&i["value"]), v.parse().unwrap(), "{code}"),
                None => assert_eq!(i["value"], Value::Null, "{code}"),
            }
            assert_eq!(
                dec(&i["achievement"]),
                achievement.parse().unwrap(),
                "{code}"
            );
            assert_eq!(
                dec(&i["contribution"]),
                contribution.parse().unwrap(),
                "{code}"
            );
        }
        assert_eq!(dec(&perf["milestones"][0]["score"]), Decimal::from(68));
        assert_eq!(perf["milestones"][0]["payable"], "6800.00");
    }
    app.get(
        &format!("{}/performance", contract_path(d.contract)),
        &app.user(Role::Organisation).await.token,
    )
    .await
    .expect(404);
    app.get(
        &format!("{}/performance", contract_path(d.contract)),
        &app.user(Role::FinanceOfficer).await.token,
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn a_vacant_post_reduces_the_payable_of_the_milestone_whose_period_holds_the_vacancy() {
    let app = TestApp::new().await;
    let d = app.world().value("100000.00").await;
    let post = add_post(&app, &d, "2026-04-01", "2026-12-31", "50000.00").await;
    // Vacant 1–10 April (10 days), then 21–31 July (11 days).
    let first = staff_post(&app, &d, post, ID_A, "2026-04-11").await;
    end_assignment(&app, &d, post, first, "2026-07-20").await;
    staff_post(&app, &d, post, ID_B, "2026-08-01").await;
    let m1 = milestone(&app, &d, "2026-06-30", "40000.00").await;
    let m2 = milestone(&app, &d, "2026-09-30", "40000.00").await;
    let m3 = milestone(&app, &d, "2026-12-31", "20000.00").await;
    // 40 000.00 − 50 000.00 × 10 / 365 = 38 630.136… → 38 630.14.
    let out = deliver(&app, &d, m1, json!([])).await;
    let expected = money(half_up(4_000_000 * 365 - 5_000_000 * 10, 365));
    assert_eq!(expected, "38630.14");
    assert_eq!(out["payable"], expected);
    // From the day after the previous due date: 1 July..30 September holds the 11 days.
    let out = deliver(&app, &d, m2, json!([])).await;
    assert_eq!(
        out["payable"],
        money(half_up(4_000_000 * 365 - 5_000_000 * 11, 365))
    );
    assert_eq!(out["payable"], "38493.15");
    let out = deliver(&app, &d, m3, json!([])).await;
    assert_eq!(out["payable"], "20000.00");
    // The post-funding view agrees.
    let pf = post_funding(&app, &d, "?from=2026-04-01&to=2026-06-30")
        .await
        .expect(200)
        .body;
    assert_eq!(pf["posts"][0]["vacancy_days"], 10);
    assert_eq!(pf["vacancy_deduction"], money(half_up(5_000_000 * 10, 365)));
}

#[tokio::test]
async fn the_payable_is_rounded_once_after_the_score_and_the_vacancy_deduction() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("40000.01")
        .indicators(json!([ind("rate", "at_least", json!(100), 100)]))
        .await;
    let rate = indicator_ids(&app, &d).await["rate"].clone();
    let post = add_post(&app, &d, "2026-04-01", "2026-12-31", "50000.00").await;
    staff_post(&app, &d, post, ID_A, "2026-04-11").await;
    let m = milestone(&app, &d, "2026-06-30", "40000.01").await;
    // 4 000 001 fen × 75 % = 3 000 000.75 fen; less 5 000 000 × 10 / 365 = 136 986.30… fen:
    // 2 863 014.45 fen → 28 630.14 (rounding each part first would give 28 630.15).
    let out = deliver(&app, &d, m, json!([{"indicator_id": rate, "value": 75}])).await;
    let expected = money(half_up(
        4_000_001 * 75 * 365 - 5_000_000 * 10 * 100,
        100 * 365,
    ));
    assert_eq!(expected, "28630.14");
    assert_eq!(out["payable"], expected);
}

#[tokio::test]
async fn the_vacancy_deduction_never_makes_a_payable_negative() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    add_post(&app, &d, "2026-04-01", "2026-12-31", "50000.00").await;
    let m = milestone(&app, &d, "2026-04-30", "100.00").await;
    let out = deliver(&app, &d, m, json!([])).await;
    assert_eq!(out["payable"], "0.00");
}
