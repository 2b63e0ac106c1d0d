//! The messages: language, HTML escaping, and digests of one run's reminders.

use super::*;

// --- Messages --------------------------------------------------------------------------------

/// The decoded HTML part of a received message.
fn html_part(m: &Received) -> String {
    part(m, "text/html")
}

fn part(m: &Received, content_type: &str) -> String {
    let data = m.data.replace("\r\n", "\n");
    let idx = data
        .find(&format!("Content-Type: {content_type}"))
        .unwrap_or_else(|| panic!("a {content_type} part in {data}"));
    let (headers, body) = data[idx..].split_once("\n\n").expect("part body");
    let body = body.split("\n--").next().unwrap_or_default();
    if headers.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let b: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .expect("base64"),
        )
        .expect("utf-8")
    } else if headers.contains("Content-Transfer-Encoding: quoted-printable") {
        quoted_printable(body)
    } else {
        body.to_string()
    }
}

fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// A header value with runs of whitespace collapsed (the harness's decoder pads plain words).
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn english_for_a_user_who_chose_it_chinese_by_default_and_the_message_id_of_the_row() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    app.patch(
        &format!("/api/v1/users/{}", o.staff.user_id),
        &admin.token,
        json!({"locale": "en"}),
    )
    .await
    .expect(200);
    deal(
        &app,
        &fo,
        &o,
        "Youth Outreach",
        YEAR,
        &[("Spring visits", "2026-03-03")],
    )
    .await;
    run(&app, "milestone_reminders").await;
    assert_eq!(run(&app, "send_notifications").await.1, 2);
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    let stored = rows(&app).await;
    for m in &mail {
        assert_eq!(m.to.len(), 1);
        let row = stored
            .iter()
            .find(|n| n.recipient_email == m.to[0])
            .expect("a row per message");
        assert_eq!(norm(&m.subject()), norm(&row.subject));
        assert_eq!(
            m.header("Message-ID"),
            row.message_id.clone(),
            "the e-mail carries the stored Message-ID"
        );
        assert_eq!(row.status.as_str(), "sent");
        assert!(row.sent_at.is_some());
        if m.to[0] == o.staff_email {
            assert!(
                norm(&m.subject())
                    .starts_with("[Huimin] Milestone \"Spring visits\" is due on 3 Mar 2026"),
                "{}",
                m.subject()
            );
            assert!(row.body_text.contains("Contract: Youth Outreach"));
            assert!(part(m, "text/plain").contains("Open in Huimin"));
        } else {
            assert_eq!(m.to[0], o.contact);
            assert!(m.subject().starts_with("【惠民】"), "{}", m.subject());
            assert!(row.body_text.contains("合同：Youth Outreach"));
        }
    }
    let ids: BTreeSet<_> = stored.iter().filter_map(|n| n.message_id.clone()).collect();
    assert_eq!(ids.len(), 2, "one Message-ID per row");

    // Event messages follow the recipient's locale too.
    app.patch(
        &format!("/api/v1/users/{}", fo.user_id),
        &admin.token,
        json!({"locale": "en"}),
    )
    .await
    .expect(200);
    let m = rows(&app).await[0]
        .dedupe_key
        .split(':')
        .nth(1)
        .unwrap()
        .to_string();
    report(&app, &o.staff, m.parse().unwrap(), json!([])).await;
    let n = &of_kind(&app, "report_submitted").await[0];
    assert!(
        n.subject.starts_with("[Huimin] ") && n.subject.contains("Spring visits"),
        "{}",
        n.subject
    );
    assert!(
        n.body_text.contains("Contract: Youth Outreach"),
        "{}",
        n.body_text
    );
}

#[tokio::test]
async fn the_html_part_escapes_markup_in_a_contract_title() {
    let smtp = SmtpServer::start();
    let app = TestApp::with_smtp(&smtp.url()).await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    deal(
        &app,
        &fo,
        &o,
        "<script>alert('x')</script>关爱 & \"服务\"",
        YEAR,
        &[("<b>第一期</b>", "2026-03-03")],
    )
    .await;
    run(&app, "milestone_reminders").await;
    run(&app, "send_notifications").await;
    let mail = smtp.received();
    assert_eq!(mail.len(), 2);
    for m in &mail {
        let html = html_part(m);
        // Escaped as askama escapes the pages: `<` as `&#60;`, `&` as `&#38;`.
        assert!(html.contains("&#60;script&#62;"), "{html}");
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("&#38;"), "{html}");
        assert!(part(m, "text/plain").contains("<script>alert('x')</script>关爱"));
    }
    for n in rows(&app).await {
        assert!(!n.body_html.contains("<script>") && n.body_html.contains("&#60;b&#62;"));
    }
}

// --- Digest ----------------------------------------------------------------------------------

#[tokio::test]
async fn with_the_digest_one_recipients_reminders_of_one_run_arrive_as_one_email() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 8760;
        c.smtp_url = Some(url);
        c.digest = true;
    })
    .await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let fo_email = email(&app, &fo).await;
    let o = org(&app, &admin).await;
    let d = deal(
        &app,
        &fo,
        &o,
        "托育服务",
        YEAR,
        &[
            ("明日到期", "2026-03-03"),
            ("下周到期", "2026-03-09"),
            ("三期", "2026-03-20"),
        ],
    )
    .await;
    deal(
        &app,
        &fo,
        &o,
        "助残服务",
        YEAR,
        &[("助残走访", "2026-03-09")],
    )
    .await;
    // An event notification is not part of a digest.
    report(&app, &o.staff, d.milestones[2], json!([])).await;

    assert_eq!(run(&app, "milestone_reminders").await, (3, 6));
    let (_, notified) = run(&app, "send_notifications").await;
    assert_eq!(notified, 7, "every row is delivered");
    let mail = smtp.received();
    assert_eq!(
        mail.len(),
        3,
        "one digest each to the contact and the staff member, and the officer's event"
    );
    for who in [&o.contact, &o.staff_email] {
        let mine: Vec<_> = mail.iter().filter(|m| m.to == vec![who.clone()]).collect();
        assert_eq!(mine.len(), 1, "{who}");
        let subject = mine[0].subject();
        assert!(
            subject.contains("今日提醒") && subject.contains('3'),
            "{subject}"
        );
        let text = part(mine[0], "text/plain");
        for t in ["明日到期", "下周到期", "助残走访", "托育服务", "助残服务"] {
            assert!(text.contains(t), "{t} in {text}");
        }
    }
    let event: Vec<_> = mail
        .iter()
        .filter(|m| m.to == vec![fo_email.clone()])
        .collect();
    assert_eq!(event.len(), 1);
    assert!(event[0].subject().contains("三期"));
    assert!(rows(&app).await.iter().all(|n| n.status.as_str() == "sent"));
}

#[tokio::test]
async fn a_digest_larger_than_a_send_batch_is_still_one_email_or_at_least_distinct_message_ids() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 8760;
        c.smtp_url = Some(url);
        c.digest = true;
    })
    .await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let o = org(&app, &admin).await;
    let line = app.budget_line(&fo, "100000.00").await;
    let contract = draft(&app, &fo, &o, line, "大型综合服务", YEAR, "50000.00").await;
    for i in 0..150 {
        app.post(
            &format!("/api/v1/contracts/{contract}/milestones"),
            &fo.token,
            json!({"title": format!("站点{i}月报"), "due_date": "2026-03-03", "amount": "10.00"}),
        )
        .await
        .expect(201);
    }
    app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
        .await
        .expect(200);
    assert_eq!(run(&app, "milestone_reminders").await, (150, 300));
    assert_eq!(run(&app, "send_notifications").await.1, 300);
    let mail = smtp.received();
    let ids: Vec<String> = mail.iter().filter_map(|m| m.header("Message-ID")).collect();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        distinct.len(),
        mail.len(),
        "every e-mail has its own Message-ID: {ids:?}"
    );
    assert_eq!(mail.len(), 2, "one digest per recipient and run");
}
