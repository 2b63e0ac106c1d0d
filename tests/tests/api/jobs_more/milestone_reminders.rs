//! The milestone reminders: due tomorrow, overdue weekly, escalated after 30 days, in Beijing days,
//! and the links in the messages.

use super::*;

#[tokio::test]
async fn a_milestone_due_tomorrow_reminds_the_organisation_but_not_the_officer() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "城区困境儿童关爱服务",
        YEAR,
        &[("第二次入户走访", "2026-03-03"), ("年中评估", "2026-06-30")],
    )
    .await;

    assert_eq!(run(&app, "milestone_reminders").await, (1, 2));
    assert_eq!(
        to(&app, "milestone_due").await,
        set(&[&o.contact, &o.staff_email])
    );
    let m = d.milestones[0];
    let keys: BTreeSet<String> = rows(&app).await.into_iter().map(|n| n.dedupe_key).collect();
    assert_eq!(
        keys,
        set(&[
            format!("milestone_due:{m}:{}:due1@2026-03-03", o.contact),
            format!("milestone_due:{m}:{}:due1@2026-03-03", o.staff_email),
        ]),
        "kind:entity_id:recipient:step"
    );
    for n in rows(&app).await {
        assert!(
            n.subject.contains("第二次入户走访") && n.subject.contains("2026年3月3日"),
            "{}",
            n.subject
        );
        assert!(
            n.body_text.contains("城区困境儿童关爱服务") && n.body_text.contains("还有 1 天"),
            "{}",
            n.body_text
        );
        assert_eq!(n.status.as_str(), "pending");
    }
    let staff_row = rows(&app)
        .await
        .into_iter()
        .find(|n| n.recipient_email == o.staff_email)
        .unwrap();
    assert_eq!(staff_row.recipient_user_id, Some(o.staff.user_id));
    assert_eq!(staff_row.organisation_id, Some(o.id));
}

#[tokio::test]
async fn due_in_one_day_counts_in_beijing_days_not_utc_days() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "老年人助餐服务",
        YEAR,
        &[("今日到期", "2026-03-03"), ("明日到期", "2026-03-04")],
    )
    .await;
    // 17:00 UTC on 2 March is 01:00 on 3 March in Beijing.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 17, 0, 0).unwrap());
    run(&app, "milestone_reminders").await;
    let due: BTreeSet<String> = of_kind(&app, "milestone_due")
        .await
        .into_iter()
        .map(|n| n.dedupe_key)
        .collect();
    assert!(
        due.iter().all(
            |k| k.starts_with(&format!("milestone_due:{}:", d.milestones[1]))
                && k.contains(":due1@")
        ),
        "only the milestone due on 4 March, in one (Beijing) day: {due:?}"
    );
    assert_eq!(due.len(), 2);
}

#[tokio::test]
async fn an_overdue_milestone_reminds_the_organisation_and_the_officer_once_a_week() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "社区矫正帮扶服务",
        YEAR,
        &[("三月走访", "2026-03-05")],
    )
    .await;
    let m = d.milestones[0];

    at(&app, "2026-03-08");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 3));
    let everyone = set(&[&o.contact, &o.staff_email, &fo_email]);
    assert_eq!(to(&app, "milestone_overdue").await, everyone);
    for n in of_kind(&app, "milestone_overdue").await {
        assert!(n.dedupe_key.contains(":late-w0@"), "{}", n.dedupe_key);
        assert!(n.subject.contains("三月走访") && n.subject.contains("3 天"));
        assert!(n.body_text.contains("社区矫正帮扶服务") && n.body_text.contains("2026年3月5日"));
    }

    // The next day is the same week of lateness: nothing new.
    at(&app, "2026-03-09");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 0));
    at(&app, "2026-03-11");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 0));
    assert_eq!(of_kind(&app, "milestone_overdue").await.len(), 3);

    // A week later: the next weekly reminder (10 days overdue → step 1).
    at(&app, "2026-03-15");
    assert_eq!(run(&app, "milestone_reminders").await, (1, 3));
    let week1: Vec<_> = of_kind(&app, "milestone_overdue")
        .await
        .into_iter()
        .filter(|n| n.dedupe_key.contains(":late-w1@"))
        .collect();
    assert_eq!(
        week1
            .iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        everyone
    );
    assert!(week1.iter().all(|n| n.subject.contains("10 天")
        && n.dedupe_key.starts_with(&format!("milestone_overdue:{m}:"))));
    assert!(
        of_kind(&app, "milestone_escalation").await.is_empty(),
        "no escalation before 30 days"
    );
}

#[tokio::test]
async fn thirty_days_overdue_escalates_to_active_supervisors_once() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let s1 = app.user(Role::Supervisor).await;
    let s2 = app.user(Role::Supervisor).await;
    let gone = app.user(Role::Supervisor).await;
    let gone_email = email(&app, &gone).await;
    deactivate(&app, &admin, &gone).await;
    let o = org(&app, &admin).await;
    deal(
        &app,
        &fo,
        &o,
        "残疾人康复服务",
        YEAR,
        &[("康复训练第一期", "2026-03-05")],
    )
    .await;

    at(&app, "2026-04-03");
    run(&app, "milestone_reminders").await;
    assert!(
        of_kind(&app, "milestone_escalation").await.is_empty(),
        "29 days overdue"
    );
    at(&app, "2026-04-04");
    run(&app, "milestone_reminders").await;
    let esc = of_kind(&app, "milestone_escalation").await;
    assert_eq!(
        esc.iter()
            .map(|n| n.recipient_email.clone())
            .collect::<BTreeSet<_>>(),
        set(&[email(&app, &s1).await, email(&app, &s2).await]),
        "active supervisors only"
    );
    assert!(
        !to(&app, "milestone_escalation").await.contains(&o.contact),
        "the escalation is for supervisors"
    );
    for n in &esc {
        assert!(n.subject.contains("康复训练第一期"), "{}", n.subject);
        assert!(
            n.body_text.contains("残疾人康复服务")
                && n.body_text.contains(&o.name)
                && n.body_text.contains("30 天"),
            "{}",
            n.body_text
        );
    }
    // Later runs remind weekly but escalate only once.
    at(&app, "2026-04-11");
    run(&app, "milestone_reminders").await;
    at(&app, "2026-04-18");
    run(&app, "milestone_reminders").await;
    assert_eq!(of_kind(&app, "milestone_escalation").await.len(), 2);
    assert!(
        rows(&app)
            .await
            .iter()
            .all(|n| n.recipient_email != gone_email)
    );
}

#[tokio::test]
async fn an_overdue_submitted_milestone_reminds_the_officer_only_and_a_rejected_one_both() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "妇女儿童维权服务",
        YEAR,
        &[("一季度报告", "2026-03-05")],
    )
    .await;
    let m = d.milestones[0];
    report(&app, &o.staff, m, json!([])).await;

    at(&app, "2026-03-08");
    run(&app, "milestone_reminders").await;
    assert_eq!(
        to(&app, "milestone_overdue").await,
        set(&[&fo_email]),
        "waiting for the officer's review: only the officer"
    );

    app.post(
        &format!("/api/v1/milestones/{m}/reject"),
        &fo.token,
        json!({"comment": "缺少服务对象签字"}),
    )
    .await
    .expect(200);
    at(&app, "2026-03-15");
    run(&app, "milestone_reminders").await;
    let week1: BTreeSet<String> = of_kind(&app, "milestone_overdue")
        .await
        .into_iter()
        .filter(|n| n.dedupe_key.contains(":late-w1@"))
        .map(|n| n.recipient_email)
        .collect();
    assert_eq!(week1, set(&[&o.contact, &o.staff_email, &fo_email]));
}

#[tokio::test]
async fn milestones_of_a_terminated_contract_remind_nobody() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let sup = app.user(Role::Supervisor).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "农村互助养老服务",
        YEAR,
        &[("明日到期", "2026-03-03"), ("下周到期", "2026-03-09")],
    )
    .await;
    app.post(
        &format!("/api/v1/contracts/{}/terminate", d.contract),
        &fo.token,
        json!({"reason": "机构无法继续履约"}),
    )
    .await
    .expect(200);
    for day in ["2026-03-02", "2026-03-12", "2026-04-20"] {
        at(&app, day);
        assert_eq!(run(&app, "milestone_reminders").await, (0, 0), "{day}");
    }
    assert!(rows(&app).await.is_empty());
    let mine = app
        .get("/api/v1/notifications", &sup.token)
        .await
        .expect(200);
    assert!(mine.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_rescheduled_milestone_is_reminded_again_the_day_before_its_new_due_date() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "社区营造服务",
        YEAR,
        &[("居民议事会", "2026-03-03")],
    )
    .await;
    let m = d.milestones[0];
    assert_eq!(run(&app, "milestone_reminders").await.1, 2, "due tomorrow");
    // The officer grants more time.
    app.patch(
        &format!("/api/v1/milestones/{m}"),
        &fo.token,
        json!({"due_date": "2026-03-20"}),
    )
    .await
    .expect(200);
    at(&app, "2026-03-13");
    assert_eq!(run(&app, "milestone_reminders").await.1, 2, "due in 7 days");
    at(&app, "2026-03-19");
    let due_tomorrow: Vec<_> = of_kind(&app, "milestone_due")
        .await
        .into_iter()
        .filter(|n| n.subject.contains("2026年3月20日") && n.body_text.contains("还有 1 天"))
        .collect();
    assert!(due_tomorrow.is_empty());
    assert_eq!(
        run(&app, "milestone_reminders").await.1,
        2,
        "the organisation is reminded the day before the new due date"
    );
}

#[tokio::test]
async fn the_link_in_a_message_leads_to_what_it_is_about() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "链接合同",
        YEAR,
        &[("链接里程碑", "2026-03-03")],
    )
    .await;
    run(&app, "milestone_reminders").await;
    report(&app, &o.staff, d.milestones[0], json!([])).await;
    let base = app.state.jobs.public_url.clone();
    for n in rows(&app).await {
        let token = if n.recipient_user_id == Some(fo.user_id) {
            &fo.token
        } else if n.recipient_user_id == Some(o.staff.user_id) {
            &o.staff.token
        } else {
            continue;
        };
        let link = n
            .body_text
            .lines()
            .find_map(|l| l.split_once(": http").map(|(_, r)| format!("http{r}")))
            .unwrap_or_else(|| panic!("a link in {}", n.body_text));
        let path = link
            .strip_prefix(&base)
            .unwrap_or_else(|| panic!("{link} under {base}"));
        // A web page's address, never the API's; the page mirrors the API resource of the
        // same path, which the recipient may read.
        assert!(!path.starts_with("/api/"), "{} links to {link}", n.kind);
        let a = app.get(&format!("/api/v1{path}"), token).await;
        assert_eq!(
            a.status.as_u16(),
            200,
            "{} links to {link}, which answers {}",
            n.kind,
            a.text
        );
    }
}
