//! Indicators: weights that sum to 100, targets, unique codes, and a contract without any.

use super::*;

#[tokio::test]
async fn indicator_weights_must_sum_to_100_at_signing() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        json!([
            ind("visits", "at_least", json!(100), 60),
            ind("complaints", "at_most", json!(2), 30)
        ]),
    )
    .await
    .expect(201);
    app.act(&format!("{}/sign", contract_path(d.contract)), &d.fo.token)
        .await
        .expect(409);
    let k = app
        .get(&contract_path(d.contract), &d.fo.token)
        .await
        .expect(200);
    assert_eq!(k.body["status"], "draft");
    let (committed, _, _) = line_figures(&app, &d.fo, d.line).await;
    assert_eq!(committed, "0.00");
    // While a draft, an indicator's weight may be changed freely; then it signs.
    let ids = indicator_ids(&app, &d).await;
    app.patch(
        &format!("/api/v1/indicators/{}", ids["complaints"]),
        &d.fo.token,
        json!({"weight": 45}),
    )
    .await
    .expect(200);
    app.act(&format!("{}/sign", contract_path(d.contract)), &d.fo.token)
        .await
        .expect(409);
    app.patch(
        &format!("/api/v1/indicators/{}", ids["complaints"]),
        &d.fo.token,
        json!({"weight": 40}),
    )
    .await
    .expect(200);
    sign(&app, &d).await;
}

#[tokio::test]
async fn an_indicator_that_breaks_the_weights_of_an_active_contract_is_refused_and_nothing_is_written()
 {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .indicators(json!([
            ind("visits", "at_least", json!(100), 60),
            ind("complaints", "at_most", json!(2), 40)
        ]))
        .await;
    let events = app.count("audit_event").await;
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        ind("extra", "at_least", json!(5), 10),
    )
    .await
    .expect(409);
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        json!([
            ind("a", "at_least", json!(5), 10),
            ind("b", "at_least", json!(5), 5)
        ]),
    )
    .await
    .expect(409);
    let ids = indicator_ids(&app, &d).await;
    app.patch(
        &format!("/api/v1/indicators/{}", ids["visits"]),
        &d.fo.token,
        json!({"weight": 50}),
    )
    .await
    .expect(409);
    assert_eq!(app.count("indicator").await, 2);
    assert_eq!(app.count("audit_event").await, events);
    let v = app
        .get(
            &format!("/api/v1/indicators/{}", ids["visits"]),
            &d.fo.token,
        )
        .await
        .expect(200);
    assert_eq!(v.body["weight"], 60);
    // A weight-0 indicator keeps the sum at 100, so it may be added.
    let z = add_indicators(
        &app,
        &d.fo,
        d.contract,
        ind("visits_photo", "at_least", json!(1), 0),
    )
    .await
    .expect(201);
    assert_eq!(z.body["weight"], 0);
    assert_eq!(app.count("indicator").await, 3);
    // Indicators of an ended contract do not change at all.
    app.post(
        &format!("{}/terminate", contract_path(d.contract)),
        &d.fo.token,
        json!({"reason": "机构退出"}),
    )
    .await
    .expect(200);
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        ind("late", "at_least", json!(1), 0),
    )
    .await
    .expect(409);
}

#[tokio::test]
async fn a_batch_of_indicators_that_keeps_the_sum_at_100_is_added_to_an_active_contract() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").await;
    // Alone, a 70 would leave the weights at 70.
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        ind("visits", "at_least", json!(100), 70),
    )
    .await
    .expect(409);
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        json!([
            ind("visits", "at_least", json!(100), 50),
            ind("complaints", "at_most", json!(2), 40)
        ]),
    )
    .await
    .expect(409);
    assert_eq!(app.count("indicator").await, 0);
    let out = add_indicators(
        &app,
        &d.fo,
        d.contract,
        json!([
            ind("visits", "at_least", json!(100), 70),
            ind("complaints", "at_most", json!(2), 30)
        ]),
    )
    .await
    .expect(201);
    let items = out.body.as_array().expect("a batch answers a list");
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["code"].as_str(), items[1]["code"].as_str()),
        (Some("visits"), Some("complaints"))
    );
    assert_eq!(items[0]["measure"], "level");
    assert_eq!(indicator_ids(&app, &d).await.len(), 2);
}

#[tokio::test]
async fn indicator_targets_and_weights_are_validated() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    let bad = [
        (ind("a", "at_least", json!(0), 10), "target"),
        (ind("a", "at_least", json!("0"), 10), "target"),
        (ind("a", "at_most", json!(-1), 10), "target"),
        (ind("a", "at_least", json!(1.00001), 10), "target"),
        (ind("a", "at_least", json!(5), 101), "weight"),
        (ind("a", "at_least", json!(5), -1), "weight"),
        (ind("a", "between", json!(5), 10), "comparator"),
        (
            json!({"code": "a", "name": "x", "target": 5, "comparator": "at_least", "weight": 50.5}),
            "weight",
        ),
        (
            json!({"code": "a", "name": "x", "target": 5, "comparator": "at_least", "measure": "average", "weight": 5}),
            "measure",
        ),
        (
            json!({"code": "a", "name": "x", "target": 5, "comparator": "at_least", "weight": 5, "score": 1}),
            "score",
        ),
        (
            json!({"code": " ", "name": "x", "target": 5, "comparator": "at_least", "weight": 5}),
            "code",
        ),
    ];
    for (body, field) in bad {
        let a = add_indicators(&app, &d.fo, d.contract, body.clone())
            .await
            .expect(422);
        assert!(
            a.error_fields().iter().any(|f| f.contains(field)),
            "{body}: {}",
            a.text
        );
    }
    // In a batch, the bad item is named by its index, and nothing of the batch is written.
    let a = add_indicators(
        &app,
        &d.fo,
        d.contract,
        json!([
            ind("ok", "at_least", json!(5), 50),
            ind("bad", "at_least", json!(5), 101)
        ]),
    )
    .await
    .expect(422);
    assert_eq!(a.error_fields(), ["[1].weight"]);
    assert_eq!(app.count("indicator").await, 0);

    // 0 is a target for at_most (e.g. no accidents); weights 0 and 100 are allowed.
    let zero = add_indicators(
        &app,
        &d.fo,
        d.contract,
        ind("accidents", "at_most", json!(0), 0),
    )
    .await
    .expect(201);
    assert_eq!(zero.body["target"], json!(0));
    let full = add_indicators(
        &app,
        &d.fo,
        d.contract,
        json!({"code": "visits", "name": "累计走访", "target": "1200.5", "comparator": "at_least", "measure": "cumulative", "weight": 100}),
    )
    .await
    .expect(201);
    assert_eq!(
        (full.body["target"].clone(), full.body["measure"].clone()),
        (json!(1200.5), json!("cumulative"))
    );
    // A PATCH is validated the same way.
    app.patch(
        &format!("/api/v1/indicators/{}", full.id()),
        &d.fo.token,
        json!({"weight": 101}),
    )
    .await
    .expect(422);
    app.patch(
        &format!("/api/v1/indicators/{}", zero.id()),
        &d.fo.token,
        json!({"comparator": "at_least"}),
    )
    .await
    .expect(422);
    sign(&app, &d).await;
}

#[tokio::test]
async fn an_indicator_code_is_unique_on_its_contract() {
    let app = TestApp::new().await;
    let d = app.world().value("10000.00").draft().await;
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        ind("visits", "at_least", json!(100), 60),
    )
    .await
    .expect(201);
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        ind("visits", "at_most", json!(3), 40),
    )
    .await
    .expect(409);
    add_indicators(
        &app,
        &d.fo,
        d.contract,
        json!([
            ind("calls", "at_least", json!(10), 20),
            ind("calls", "at_least", json!(10), 20)
        ]),
    )
    .await
    .expect(409);
    assert_eq!(app.count("indicator").await, 1);
    // Another contract may use the same code.
    let other = app
        .draft_contract(&d.fo, d.staff.organisation_id.unwrap(), d.line, "1000.00")
        .await;
    add_indicators(
        &app,
        &d.fo,
        other,
        ind("visits", "at_least", json!(100), 100),
    )
    .await
    .expect(201);
    // Only the purchaser's officers add indicators.
    add_indicators(
        &app,
        &d.staff,
        d.contract,
        ind("other", "at_least", json!(1), 40),
    )
    .await
    .expect(403);
    add_indicators(
        &app,
        &app.user(Role::FinanceOfficer).await,
        d.contract,
        ind("other", "at_least", json!(1), 40),
    )
    .await
    .expect(404);
    assert_eq!(app.count("indicator").await, 2);
}

#[tokio::test]
async fn a_contract_without_indicators_signs_has_no_score_and_pays_its_milestones_in_full() {
    let app = TestApp::new().await;
    let d = app
        .world()
        .value("10000.00")
        .milestone("2026-06-30", "4321.09")
        .await;
    let m = d.milestones[0];
    let out = deliver(&app, &d, m, json!([])).await;
    assert_eq!(out["score"], Value::Null);
    assert_eq!(out["payable"], "4321.09");
    let perf = app
        .get(
            &format!("{}/performance", contract_path(d.contract)),
            &d.fo.token,
        )
        .await
        .expect(200);
    assert_eq!(perf.body["score"], Value::Null);
    assert_eq!(perf.body["indicators"], json!([]));
    pay(
        &app,
        &d.fo.token,
        d.contract,
        payment(Some(m), "4321.09", "V-1"),
    )
    .await
    .expect(201);
}
