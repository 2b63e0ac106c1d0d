//! Who sees which contract, and the lists with their filters and cursor pagination.

use super::*;

// --- Visibility -------------------------------------------------------------------------

#[tokio::test]
async fn organisation_staff_see_only_their_own_organisations_contracts() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let a = app.user(Role::Organisation).await;
    let a_colleague = app
        .user_in(Role::Organisation, None, a.organisation_id)
        .await;
    let b = app.user(Role::Organisation).await;
    let mine = app
        .active_contract(&fo, a.organisation_id.unwrap(), line, "100000.00")
        .await;
    let my_draft = app
        .draft_contract(&fo, a.organisation_id.unwrap(), line, "100000.00")
        .await;
    let theirs = app
        .active_contract(&fo, b.organisation_id.unwrap(), line, "100000.00")
        .await;
    amend(
        &app,
        &fo,
        theirs,
        json!({"value": "101000.00", "reason": "增加服务"}),
    )
    .await
    .expect(201);

    for u in [&a, &a_colleague] {
        app.get(&contract_path(mine), &u.token).await.expect(200);
        app.get(&contract_path(theirs), &u.token).await.expect(404);
        app.get(&format!("/api/v1/contracts/{theirs}/amendments"), &u.token)
            .await
            .expect(404);
        app.get(&format!("/api/v1/contracts/{mine}/amendments"), &u.token)
            .await
            .expect(200);
        let list = app
            .get("/api/v1/contracts", &u.token)
            .await
            .expect(200)
            .body;
        let seen: HashSet<String> = ids(&list).into_iter().collect();
        assert_eq!(
            seen,
            HashSet::from([mine.to_string(), my_draft.to_string()])
        );
        let filtered = app
            .get(
                &format!(
                    "/api/v1/contracts?organisation_id={}",
                    b.organisation_id.unwrap()
                ),
                &u.token,
            )
            .await
            .expect(200)
            .body;
        assert_eq!(filtered["items"], json!([]));
    }
    let list = app
        .get("/api/v1/contracts", &b.token)
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&list), [theirs.to_string()]);
    // An unknown contract looks the same as another organisation's.
    app.get(&contract_path(Uuid::now_v7()), &a.token)
        .await
        .expect(404);
}

#[tokio::test]
async fn another_purchasers_officer_can_neither_see_nor_change_a_contract() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let other_line = app.budget_line(&other, "900000.00").await;
    let org = app.organisation().await;
    let active = app.active_contract(&fo, org, line, "100000.00").await;
    let draft = app.draft_contract(&fo, org, line, "100000.00").await;
    let own = app.draft_contract(&other, org, other_line, "1000.00").await;

    let t = &other.token;
    for id in [active, draft] {
        let p = contract_path(id);
        app.get(&p, t).await.expect(404);
        app.get(&format!("{p}/amendments"), t).await.expect(404);
        app.patch(&p, t, json!({"title": "x"})).await.expect(404);
        app.act(&format!("{p}/sign"), t).await.expect(404);
        app.act(&format!("{p}/complete"), t).await.expect(404);
        app.post(&format!("{p}/cancel"), t, json!({"reason": "x"}))
            .await
            .expect(404);
        app.post(&format!("{p}/terminate"), t, json!({"reason": "x"}))
            .await
            .expect(404);
        app.post(
            &format!("{p}/amendments"),
            t,
            json!({"value": "100001.00", "reason": "x"}),
        )
        .await
        .expect(404);
    }
    let list = app.get("/api/v1/contracts", t).await.expect(200).body;
    assert_eq!(ids(&list), [own.to_string()]);
    let filtered = app
        .get(
            &format!(
                "/api/v1/contracts?purchaser_id={}",
                fo.purchaser_id.unwrap()
            ),
            t,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(filtered["items"], json!([]));
    // A colleague of the same purchaser sees and acts.
    let colleague = app
        .user_in(Role::FinanceOfficer, fo.purchaser_id, None)
        .await;
    app.get(&contract_path(active), &colleague.token)
        .await
        .expect(200);
    app.act(&format!("{}/sign", contract_path(draft)), &colleague.token)
        .await
        .expect(200);
    let c = app
        .get(&contract_path(active), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(c["status"], "active");
    assert_eq!(c["title"], "农村留守老人关爱服务");
    assert_eq!(app.count("amendment").await, 0);
}

#[tokio::test]
async fn supervisors_and_admins_read_every_contract_but_change_none() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let other_line = app.budget_line(&other, "900000.00").await;
    let staff = app.user(Role::Organisation).await;
    let org = staff.organisation_id.unwrap();
    let active = app.active_contract(&fo, org, line, "100000.00").await;
    let draft = app.draft_contract(&fo, org, line, "100000.00").await;
    let elsewhere = app
        .active_contract(&other, org, other_line, "1000.00")
        .await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let before = app.count("audit_event").await;

    for u in [&sup, &admin] {
        for id in [active, draft, elsewhere] {
            app.get(&contract_path(id), &u.token).await.expect(200);
            app.get(&format!("/api/v1/contracts/{id}/amendments"), &u.token)
                .await
                .expect(200);
        }
        let list = app
            .get("/api/v1/contracts", &u.token)
            .await
            .expect(200)
            .body;
        assert_eq!(ids(&list).len(), 3);
    }
    for u in [&sup, &admin, &staff] {
        let t = &u.token;
        app.post(
            "/api/v1/contracts",
            t,
            app.direct_award_body(&fo, org, line, "1000.00"),
        )
        .await
        .expect(403);
        for id in [active, draft] {
            let p = contract_path(id);
            app.patch(&p, t, json!({"title": "x"})).await.expect(403);
            app.act(&format!("{p}/sign"), t).await.expect(403);
            app.act(&format!("{p}/complete"), t).await.expect(403);
            app.post(&format!("{p}/cancel"), t, json!({"reason": "x"}))
                .await
                .expect(403);
            app.post(&format!("{p}/terminate"), t, json!({"reason": "x"}))
                .await
                .expect(403);
            app.post(
                &format!("{p}/amendments"),
                t,
                json!({"value": "100001.00", "reason": "x"}),
            )
            .await
            .expect(403);
        }
    }
    assert_eq!(app.count("audit_event").await, before);
    assert_eq!(app.count("contract").await, 3);
    assert_eq!(app.count("contract WHERE status = 'draft'").await, 1);
    assert_eq!(app.count("amendment").await, 0);
}

// --- Lists -------------------------------------------------------------------------

#[tokio::test]
async fn lists_filter_by_status_purchaser_and_organisation() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let other_line = app.budget_line(&other, "900000.00").await;
    let a = app.organisation().await;
    let b = app.organisation().await;
    let a_active = app.active_contract(&fo, a, line, "1000.00").await;
    let a_draft = app.draft_contract(&fo, a, line, "1000.00").await;
    let b_active = app.active_contract(&fo, b, line, "1000.00").await;
    let other_a = app.active_contract(&other, a, other_line, "1000.00").await;
    let terminated = app.active_contract(&other, b, other_line, "1000.00").await;
    app.post(
        &format!("{}/terminate", contract_path(terminated)),
        &other.token,
        json!({"reason": "终止"}),
    )
    .await
    .expect(200);
    let sup = app.user(Role::Supervisor).await;
    let q = |query: String| {
        let t = sup.token.clone();
        let app = &app;
        async move {
            let page = app
                .get(&format!("/api/v1/contracts?{query}"), &t)
                .await
                .expect(200)
                .body;
            ids(&page).into_iter().collect::<HashSet<_>>()
        }
    };
    let set = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<HashSet<_>>();
    assert_eq!(q("status=draft".into()).await, set(&[a_draft]));
    assert_eq!(
        q("status=active".into()).await,
        set(&[a_active, b_active, other_a])
    );
    assert_eq!(q("status=terminated".into()).await, set(&[terminated]));
    assert_eq!(q("status=completed".into()).await, set(&[]));
    assert_eq!(
        q(format!("purchaser_id={}", fo.purchaser_id.unwrap())).await,
        set(&[a_active, a_draft, b_active])
    );
    assert_eq!(
        q(format!("organisation_id={a}")).await,
        set(&[a_active, a_draft, other_a])
    );
    assert_eq!(
        q(format!(
            "organisation_id={a}&purchaser_id={}&status=active",
            fo.purchaser_id.unwrap()
        ))
        .await,
        set(&[a_active])
    );
    // The officer's own scope still applies under filters.
    let page = app
        .get(&format!("/api/v1/contracts?organisation_id={a}"), &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        ids(&page).into_iter().collect::<HashSet<_>>(),
        set(&[a_active, a_draft])
    );
    for bad in [
        "status=signed",
        "purchaser_id=abc",
        "colour=red",
        "limit=0",
        "limit=501",
        "cursor=garbage",
    ] {
        let a = app
            .get(&format!("/api/v1/contracts?{bad}"), &sup.token)
            .await
            .expect(422);
        assert_eq!(a.body["status"], 422, "{bad}");
    }
}

#[tokio::test]
async fn contracts_ending_within_some_days_are_filtered_from_today() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let org = app.organisation().await;
    // Both end on 2026-12-31; the second ends early by amendment.
    let late = app.active_contract(&fo, org, line, "1000.00").await;
    let early = app.active_contract(&fo, org, line, "1000.00").await;
    amend(
        &app,
        &fo,
        early,
        json!({"end_date": "2026-10-31", "reason": "提前结束"}),
    )
    .await
    .expect(201);
    let draft = app.draft_contract(&fo, org, line, "1000.00").await;
    let q = |query: &'static str| {
        let t = fo.token.clone();
        let app = &app;
        async move {
            let page = app
                .get(&format!("/api/v1/contracts?{query}"), &t)
                .await
                .expect(200)
                .body;
            let mut v = ids(&page);
            v.sort();
            v
        }
    };
    let sorted = |v: &[Uuid]| {
        let mut v: Vec<String> = v.iter().map(Uuid::to_string).collect();
        v.sort();
        v
    };
    // Today is 2026-03-02: nothing ends within 30 days.
    assert!(q("status=active&ending_within_days=30").await.is_empty());
    // 2026-10-15: the early one ends within 30 days; the drafts too are filtered by date.
    app.clock.advance(chrono::Duration::days(227));
    assert_eq!(
        q("status=active&ending_within_days=30").await,
        sorted(&[early])
    );
    assert_eq!(
        q("ending_within_days=90").await,
        sorted(&[late, early, draft])
    );
    // 2026-11-01: a contract that ended yesterday is no longer "ending".
    app.clock.advance(chrono::Duration::days(17));
    assert_eq!(
        q("status=active&ending_within_days=60").await,
        sorted(&[late])
    );
    assert_eq!(q("ending_within_days=0").await, Vec::<String>::new());
    for bad in [
        "ending_within_days=367",
        "ending_within_days=-1",
        "ending_within_days=soon",
    ] {
        app.get(&format!("/api/v1/contracts?{bad}"), &fo.token)
            .await
            .expect(422);
    }
}

#[tokio::test]
async fn cursor_pagination_walks_every_contract_once_in_creation_order() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "900000.00").await;
    let org = app.organisation().await;
    let mut created = Vec::new();
    for _ in 0..7 {
        created.push(
            app.draft_contract(&fo, org, line, "1000.00")
                .await
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/contracts?limit=3".to_string();
    let mut pages = 0;
    loop {
        let page = app.get(&url, &fo.token).await.expect(200).body;
        pages += 1;
        let got = ids(&page);
        assert!(got.len() <= 3);
        seen.extend(got);
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/contracts?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, created);
    assert_eq!(pages, 3);
    // With a filter the cursor walks the filtered list.
    for id in &created[..3] {
        app.act(&format!("/api/v1/contracts/{id}/sign"), &fo.token)
            .await
            .expect(200);
    }
    let first = app
        .get("/api/v1/contracts?status=draft&limit=2", &fo.token)
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&first), created[3..5]);
    let c = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/contracts?status=draft&limit=2&cursor={c}"),
            &fo.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&second), created[5..7]);
    assert_eq!(second["next_cursor"], Value::Null);
}
