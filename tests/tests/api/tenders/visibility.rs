//! Who sees which tender: other purchasers, supervisors and admins, organisations; lists,
//! filters and pagination.

use super::*;

#[tokio::test]
async fn another_purchasers_officer_gets_404_for_everything_about_a_tender() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let other = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let (c, bids) = app
        .closed_tender(&fo, line, "100.00", &["10.00", "20.00"])
        .await;
    let events = app.count("audit_event").await;
    for t in [d, c] {
        let path = tender_path(t);
        app.get(&path, &other.token).await.expect(404);
        app.patch(&path, &other.token, json!({"title": "x"}))
            .await
            .expect(404);
        app.get(&format!("{path}/bids"), &other.token)
            .await
            .expect(404);
        for action in ["publish", "close"] {
            app.act(&format!("{path}/{action}"), &other.token)
                .await
                .expect(404);
        }
        for action in ["cancel", "unsuccessful"] {
            app.post(
                &format!("{path}/{action}"),
                &other.token,
                json!({"reason": "x"}),
            )
            .await
            .expect(404);
        }
        app.post(
            &format!("{path}/award"),
            &other.token,
            json!({"bid_id": bids[0].1}),
        )
        .await
        .expect(404);
    }
    app.patch(
        &format!("/api/v1/bids/{}", bids[0].1),
        &other.token,
        json!({"score": 80}),
    )
    .await
    .expect(404);
    assert!(ids(&app.get("/api/v1/tenders", &other.token).await.expect(200)).is_empty());
    assert!(
        ids(&app
            .get(
                &format!("/api/v1/tenders?purchaser_id={}", fo.purchaser_id.unwrap()),
                &other.token
            )
            .await
            .expect(200))
        .is_empty()
    );
    assert_eq!(app.count("audit_event").await, events);
    assert_eq!(status_of(&app, &fo, d).await, "draft");
    assert_eq!(status_of(&app, &fo, c).await, "closed");
    assert_eq!(app.count("contract").await, 0);

    // Unknown ids are 404 for the owner too.
    let nobody = Uuid::new_v4();
    app.get(&tender_path(nobody), &fo.token).await.expect(404);
    app.act(&format!("{}/publish", tender_path(nobody)), &fo.token)
        .await
        .expect(404);
    app.patch(
        &format!("/api/v1/bids/{nobody}"),
        &fo.token,
        json!({"score": 80}),
    )
    .await
    .expect(404);
}

#[tokio::test]
async fn supervisors_and_admins_read_every_tender_including_drafts() {
    let app = TestApp::new().await;
    let a = app.user(Role::FinanceOfficer).await;
    let b = app.user(Role::FinanceOfficer).await;
    let la = app.budget_line(&a, "1000000.00").await;
    let lb = app.budget_line(&b, "1000000.00").await;
    let da = draft(&app, &a, app.tender_body(la, "100.00")).await;
    let pb = app.published_tender(&b, lb, "100.00").await;
    for role in [Role::Supervisor, Role::Admin] {
        let u = app.user(role).await;
        app.get(&tender_path(da), &u.token).await.expect(200);
        app.get(&tender_path(pb), &u.token).await.expect(200);
        let mut all = ids(&app.get("/api/v1/tenders", &u.token).await.expect(200));
        all.sort();
        let mut expected = vec![da.to_string(), pb.to_string()];
        expected.sort();
        assert_eq!(all, expected);
    }
}

#[tokio::test]
async fn organisations_see_published_tenders_but_never_drafts() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.user(Role::Organisation).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let d = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    let withdrawn = draft(&app, &fo, app.tender_body(line, "100.00")).await;
    app.post(
        &format!("{}/cancel", tender_path(withdrawn)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    let p = app.published_tender(&fo, line, "100.00").await;

    for t in [d, withdrawn] {
        app.get(&tender_path(t), &org.token).await.expect(404);
        app.get(&bids_path(t), &org.token).await.expect(404);
        app.post(
            &bids_path(t),
            &org.token,
            json!({"amount": "10.00", "proposal": "方案"}),
        )
        .await
        .expect(404);
    }
    let seen = app.get(&tender_path(p), &org.token).await.expect(200);
    assert_eq!(seen.body["status"], "published");
    assert_eq!(
        ids(&app.get("/api/v1/tenders", &org.token).await.expect(200)),
        [p.to_string()]
    );
    assert!(
        ids(&app
            .get("/api/v1/tenders?status=draft", &org.token)
            .await
            .expect(200))
        .is_empty()
    );
    assert_eq!(app.count("bid").await, 0);

    // Once published, a tender stays visible to organisations whatever happens next.
    app.post(
        &format!("{}/cancel", tender_path(p)),
        &fo.token,
        json!({"reason": "需求变更"}),
    )
    .await
    .expect(200);
    let seen = app.get(&tender_path(p), &org.token).await.expect(200);
    assert_eq!(seen.body["status"], "cancelled");
}

#[tokio::test]
async fn tenders_are_listed_with_filters() {
    let app = TestApp::new().await;
    let a = app.user(Role::FinanceOfficer).await;
    let b = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let la = app.budget_line(&a, "10000000.00").await;
    let lb = app.budget_line(&b, "10000000.00").await;
    let now = app.state.now();

    let mut body = app.tender_body(la, "100.00");
    body["bid_deadline"] = json!((now + Duration::days(5)).to_rfc3339());
    let a_draft_children = draft(&app, &a, body).await;

    let mut body = app.tender_body(la, "100.00");
    body["service_category"] = json!("elderly");
    body["division_code"] = json!("410523100");
    body["bid_deadline"] = json!((now + Duration::days(10)).to_rfc3339());
    let a_pub_elderly = draft(&app, &a, body).await;
    app.act(&format!("{}/publish", tender_path(a_pub_elderly)), &a.token)
        .await
        .expect(200);

    let mut body = app.tender_body(lb, "100.00");
    body["bid_deadline"] = json!((now + Duration::days(15)).to_rfc3339());
    let b_pub_children = draft(&app, &b, body).await;
    app.act(
        &format!("{}/publish", tender_path(b_pub_children)),
        &b.token,
    )
    .await
    .expect(200);

    let list = |q: String| {
        let token = sup.token.clone();
        let app = &app;
        async move {
            let mut v = ids(&app
                .get(&format!("/api/v1/tenders{q}"), &token)
                .await
                .expect(200));
            v.sort();
            v
        }
    };
    let sorted = |v: &[Uuid]| {
        let mut s: Vec<String> = v.iter().map(Uuid::to_string).collect();
        s.sort();
        s
    };
    assert_eq!(
        list(String::new()).await,
        sorted(&[a_draft_children, a_pub_elderly, b_pub_children])
    );
    assert_eq!(
        list("?status=published".into()).await,
        sorted(&[a_pub_elderly, b_pub_children])
    );
    assert_eq!(
        list("?status=draft".into()).await,
        sorted(&[a_draft_children])
    );
    assert!(list("?status=awarded".into()).await.is_empty());
    assert_eq!(
        list("?service_category=children".into()).await,
        sorted(&[a_draft_children, b_pub_children])
    );
    assert_eq!(
        list("?division_code=410523100".into()).await,
        sorted(&[a_pub_elderly])
    );
    assert_eq!(
        list("?division_code=410523".into()).await,
        sorted(&[a_draft_children, b_pub_children])
    );
    assert_eq!(
        list(format!("?purchaser_id={}", a.purchaser_id.unwrap())).await,
        sorted(&[a_draft_children, a_pub_elderly])
    );
    assert_eq!(
        list(format!(
            "?deadline_from={}",
            q_time(now + Duration::days(10))
        ))
        .await,
        sorted(&[a_pub_elderly, b_pub_children]),
        "deadline_from is inclusive"
    );
    assert_eq!(
        list(format!("?deadline_to={}", q_time(now + Duration::days(10)))).await,
        sorted(&[a_draft_children]),
        "deadline_to is exclusive"
    );
    assert_eq!(
        list(format!(
            "?deadline_from={}&deadline_to={}",
            q_time(now + Duration::days(6)),
            q_time(now + Duration::days(14))
        ))
        .await,
        sorted(&[a_pub_elderly])
    );
    assert_eq!(
        list(format!(
            "?status=published&service_category=children&purchaser_id={}",
            b.purchaser_id.unwrap()
        ))
        .await,
        sorted(&[b_pub_children])
    );
    // Filters combine with the officer's own scope.
    let mut own = ids(&app
        .get("/api/v1/tenders?service_category=children", &a.token)
        .await
        .expect(200));
    own.sort();
    assert_eq!(own, sorted(&[a_draft_children]));

    for q in [
        "?status=open",
        "?service_category=pets",
        "?purchaser_id=nope",
        "?deadline_from=yesterday",
        "?limit=0",
        "?limit=501",
        "?cursor=garbage",
        "?colour=red",
    ] {
        let r = app
            .get(&format!("/api/v1/tenders{q}"), &sup.token)
            .await
            .expect(422);
        assert_eq!(r.error_fields().len(), 1, "{q}: {}", r.text);
    }
}

#[tokio::test]
async fn cursor_pagination_walks_every_tender_once() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let line = app.budget_line(&fo, "1000000.00").await;
    let mut created = Vec::new();
    for _ in 0..7 {
        created.push(
            draft(&app, &fo, app.tender_body(line, "1.00"))
                .await
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut url = "/api/v1/tenders?limit=3".to_string();
    loop {
        let page = app.get(&url, &fo.token).await.expect(200);
        pages += 1;
        seen.extend(ids(&page));
        match page.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/tenders?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created, "in creation order, each once");
    let one = app
        .get("/api/v1/tenders?limit=7", &fo.token)
        .await
        .expect(200);
    assert_eq!(ids(&one).len(), 7);
    assert_eq!(one.body["next_cursor"], Value::Null);
}
