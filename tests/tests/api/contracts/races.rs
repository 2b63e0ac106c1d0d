//! Races: amendments and increases at once never exceed their limits.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_amendments_never_exceed_ten_percent_of_the_signed_value() {
    let app = TestApp::new().await;
    let World {
        fo,
        line,
        contract: id,
        ..
    } = app
        .world()
        .line_amount("1000000.00")
        .value("100000.00")
        .await;
    // Increases of 9 000 interleaved with decreases back to the signed value: only one
    // increase may ever go through, whatever the order.
    let path = format!("/api/v1/contracts/{id}/amendments");
    let races = (0..16).map(|i| {
        let value = if i % 2 == 0 { "109000.00" } else { "100000.00" };
        post_owned(
            &app,
            path.clone(),
            fo.token.clone(),
            json!({"value": value, "reason": format!("第{i}次变更")}),
        )
    });
    let answers = futures::future::join_all(races).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?} {:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );

    let history = app.get(&path, &fo.token).await.expect(200).body["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        history.len(),
        statuses.iter().filter(|s| **s == 201).count()
    );
    let increases: Decimal = history
        .iter()
        .map(|a| (dec(&a["new_value"]) - dec(&a["old_value"])).max(Decimal::ZERO))
        .sum();
    assert_eq!(increases, Decimal::new(900_000, 2), "{history:#?}");
    // The history is one chain from the signed value to the current one.
    let mut value = Decimal::new(10_000_000, 2);
    for a in &history {
        assert_eq!(dec(&a["old_value"]), value, "{history:#?}");
        value = dec(&a["new_value"]);
    }
    let c = app
        .get(&contract_path(id), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(dec(&c["value"]), value);
    let (committed, _) = figures(&app, &fo, line).await;
    assert_eq!(committed.parse::<Decimal>().unwrap(), value);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_increases_on_one_line_never_exceed_its_amount() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "305000.00").await;
    let org = app.organisation().await;
    let mut contracts = Vec::new();
    for _ in 0..3 {
        contracts.push(app.active_contract(&fo, org, line, "100000.00").await);
    }
    // 5 000 is left: each contract may grow by 4 000 under the 10 % rule, only one fits.
    let races = (0..12).map(|i| {
        let id = contracts[i % 3];
        post_owned(
            &app,
            format!("/api/v1/contracts/{id}/amendments"),
            fo.token.clone(),
            json!({"value": format!("{}.00", 101_000 + 1000 * (i / 3)), "reason": "增加服务"}),
        )
    });
    let answers = futures::future::join_all(races).await;
    // The race left every budget line's kept totals equal to its records.
    app.assert_budgets_kept().await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let mut total = Decimal::ZERO;
    let mut net = Decimal::ZERO;
    for id in &contracts {
        let c = app
            .get(&contract_path(*id), &fo.token)
            .await
            .expect(200)
            .body;
        total += dec(&c["value"]);
        let history = app
            .get(&format!("/api/v1/contracts/{id}/amendments"), &fo.token)
            .await
            .expect(200)
            .body;
        let mut value = Decimal::new(10_000_000, 2);
        for a in history["items"].as_array().unwrap() {
            assert_eq!(dec(&a["old_value"]), value);
            value = dec(&a["new_value"]);
            net += dec(&a["new_value"]) - dec(&a["old_value"]);
        }
        assert_eq!(dec(&c["value"]), value);
        assert!(value <= Decimal::new(11_000_000, 2));
    }
    assert!(total <= Decimal::new(30_500_000, 2), "{total}");
    assert_eq!(total, Decimal::new(30_000_000, 2) + net);
    let (committed, available) = figures(&app, &fo, line).await;
    assert_eq!(committed.parse::<Decimal>().unwrap(), total);
    assert!(available.parse::<Decimal>().unwrap() >= Decimal::ZERO);
    assert!(
        statuses.contains(&201),
        "the first increase of 1 000 always fits: {statuses:?}"
    );
}
