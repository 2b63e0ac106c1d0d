//! Post funding: filled and vacant days, the prorated annual funding, and a window split by
//! calendar year.

use super::*;

#[tokio::test]
async fn post_funding_counts_filled_and_vacant_days_and_prorates_the_annual_funding() {
    let app = TestApp::new().await;
    let d = app.world().value("100000.00").await;
    let a = add_post(&app, &d, "2026-04-01", "2026-12-31", "50000.00").await;
    let b = add_post(&app, &d, "2026-04-01", "2026-12-31", "50000.00").await;
    staff_post(&app, &d, a, ID_A, "2026-04-11").await;
    staff_post(&app, &d, b, ID_B, "2026-04-11").await;

    let pf = post_funding(&app, &d, "?from=2026-04-01&to=2026-04-30")
        .await
        .expect(200)
        .body;
    assert_eq!(
        (pf["from"].as_str(), pf["to"].as_str()),
        (Some("2026-04-01"), Some("2026-04-30"))
    );
    let posts = pf["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2);
    for p in posts {
        assert_eq!(
            (p["filled_days"].as_i64(), p["vacancy_days"].as_i64()),
            (Some(20), Some(10))
        );
        assert_eq!(p["annual_funding"], "50000.00");
        // 50 000.00 × 20 / 365 = 2 739.726…
        assert_eq!(p["funding"], money(half_up(5_000_000 * 20, 365)));
        assert_eq!(p["funding"], "2739.73");
        assert_eq!(p["vacancy_deduction"], "1369.86");
    }
    // The total is rounded once, from the exact sum (5 479.452…), not summed from the lines.
    assert_eq!(pf["total"], money(half_up(5_000_000 * 40, 365)));
    assert_eq!(pf["total"], "5479.45");
    assert_eq!(pf["vacancy_deduction"], "2739.73");

    // By default, the contract period.
    let pf = post_funding(&app, &d, "").await.expect(200).body;
    assert_eq!(
        (pf["from"].as_str(), pf["to"].as_str()),
        (Some("2026-04-01"), Some("2026-12-31"))
    );
    assert_eq!(
        (
            pf["posts"][0]["filled_days"].as_i64(),
            pf["posts"][0]["vacancy_days"].as_i64()
        ),
        (Some(265), Some(10))
    );
    assert_eq!(
        pf["posts"][0]["funding"],
        money(half_up(5_000_000 * 265, 365))
    );
    // Only the post's own days count; a one-day window works.
    let pf = post_funding(&app, &d, "?from=2026-03-01&to=2026-04-05")
        .await
        .expect(200)
        .body;
    assert_eq!(
        (
            pf["posts"][0]["filled_days"].as_i64(),
            pf["posts"][0]["vacancy_days"].as_i64()
        ),
        (Some(0), Some(5))
    );
    assert_eq!(pf["total"], "0.00");
    let pf = post_funding(&app, &d, "?from=2026-04-11&to=2026-04-11")
        .await
        .expect(200)
        .body;
    assert_eq!(
        (
            pf["posts"][0]["filled_days"].as_i64(),
            pf["posts"][0]["vacancy_days"].as_i64()
        ),
        (Some(1), Some(0))
    );
    // to before from.
    let e = post_funding(&app, &d, "?from=2026-05-01&to=2026-04-30")
        .await
        .expect(422);
    assert_eq!(e.error_fields(), ["to"]);
    post_funding(&app, &d, "?from=2026-05-01&to=soon")
        .await
        .expect(422);
    // Readable by whoever reads the contract, and nobody else.
    let path = format!("{}/post-funding", contract_path(d.contract));
    app.get(&path, &d.staff.token).await.expect(200);
    app.get(&path, &app.user(Role::Supervisor).await.token)
        .await
        .expect(200);
    app.get(&path, &app.user(Role::Organisation).await.token)
        .await
        .expect(404);
}

#[tokio::test]
async fn post_funding_splits_a_window_across_a_leap_year_by_calendar_year() {
    let app = TestApp::new().await;
    at(&app, 2027, 11, 20, 1, 0);
    let d = app
        .world()
        .value("100000.00")
        .period("2027-12-01", "2028-03-31")
        .await;
    let post = add_post(&app, &d, "2027-12-01", "2028-03-31", "36500.00").await;
    staff_post(&app, &d, post, ID_A, "2027-12-11").await;
    // December 2027: 21 filled of 365; January–March 2028: 91 filled of 366.
    let pf = post_funding(&app, &d, "").await.expect(200).body;
    let p = &pf["posts"][0];
    assert_eq!(
        (p["filled_days"].as_i64(), p["vacancy_days"].as_i64()),
        (Some(112), Some(10))
    );
    let expected = money(half_up(
        3_650_000 * 21 * 366 + 3_650_000 * 91 * 365,
        365 * 366,
    ));
    assert_eq!(expected, "11175.14");
    assert_eq!(p["funding"], expected);
    assert_eq!(p["vacancy_deduction"], "1000.00");
    assert_eq!(pf["total"], expected);
    // February 2028 has 29 days, each 1/366 of the year.
    let pf = post_funding(&app, &d, "?from=2028-02-01&to=2028-02-29")
        .await
        .expect(200)
        .body;
    assert_eq!(pf["posts"][0]["filled_days"], 29);
    assert_eq!(pf["total"], money(half_up(3_650_000 * 29, 366)));
    assert_eq!(pf["total"], "2892.08");
    // New Year's Eve and Day: 100.00 + 99.73 (not 200.00).
    let pf = post_funding(&app, &d, "?from=2027-12-31&to=2028-01-01")
        .await
        .expect(200)
        .body;
    assert_eq!(pf["posts"][0]["filled_days"], 2);
    assert_eq!(
        pf["total"],
        money(half_up(3_650_000 * 366 + 3_650_000 * 365, 365 * 366))
    );
    assert_eq!(pf["total"], "199.73");
}
