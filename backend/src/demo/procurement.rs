//! The demo's procurement story: tenders in every state, bids, contracts (awarded, direct, draft),
//! staffed and vacant posts, reports and a finding.

use anyhow::Context;
use entity::Money;
use entity::rules::vocab::{Comparator, Qualification, ServiceCategory, Severity, TenderMethod};

use chrono::{Duration, Utc};
use jobs::clock::{Clock, ManualClock};
use uuid::Uuid;

use super::requests::{A_REST, Requests, pay};
use super::{ctx, money, qty, report_plain};
use crate::auth::Actor;
use crate::services::awards::{self, Award};
use crate::services::bids::{self, NewBid};
use crate::services::common::Reason;
use crate::services::contracts::{self, NewContract};
use crate::services::findings::{self, NewFinding};
use crate::services::indicators::{self, NewIndicator};
use crate::services::milestones::{self, NewMilestone};
use crate::services::payment_requests::{self, ReturnComment};
use crate::services::posts::{self, NewAssignment, NewPost};
use crate::services::reports::{self, MeasurementIn, NewReport, Rejection, Review};
use crate::services::tenders::{self, NewTender};
use crate::state::AppState;

/// Tenders in every state, bids, contracts (awarded, direct, draft), staffed and vacant
/// posts, reports and a finding, on `clock` (which `past` runs on), ending at `now`.
#[allow(clippy::too_many_arguments)]
#[expect(
    clippy::too_many_lines,
    reason = "the demo story, told in order: data, not logic"
)]
pub(super) async fn procurement(
    past: &AppState,
    clock: &ManualClock,
    now: chrono::DateTime<Utc>,
    fo: &Actor,
    approver: &Actor,
    supervisor: &Actor,
    orgs: &[Actor],
    lines: &[Uuid],
) -> anyhow::Result<()> {
    let st = past;
    let today = |c: &ManualClock| jobs::clock::local_today(c, st.config.tz);
    let tender = |title: &str,
                  category: ServiceCategory,
                  method: TenderMethod,
                  line: Uuid,
                  ceiling: &str,
                  deadline_days: i64| {
        let start = today(clock) + Duration::days(deadline_days + 10);
        Ok::<_, anyhow::Error>(NewTender {
            purchaser_id: None,
            budget_line_id: line,
            title: title.into(),
            description: format!("{title}：面向汤阴县城乡社区提供专业社会工作服务。"),
            service_category: category,
            division_code: "410523".into(),
            method,
            ceiling_amount: money(ceiling)?,
            bid_deadline: clock.now() + Duration::days(deadline_days),
            service_start: start,
            service_end: entity::rules::procurement::max_end_date(start, false)
                .context("period")?,
            multi_year_reason: None,
        })
    };
    let bid = |amount: &str| {
        Ok::<_, anyhow::Error>(NewBid {
            amount: money(amount)?,
            proposal: "服务方案：驻村社工每周走访，建立一户一档。".into(),
        })
    };

    // A: children's services, awarded to org 1 and signed, with two posts (one staffed).
    let a = tenders::create(
        past,
        fo,
        tender(
            "困境儿童关爱服务项目",
            ServiceCategory::Children,
            TenderMethod::Inquiry,
            lines[0],
            "360000.00",
            5,
        )?,
    )
    .await
    .map_err(ctx)?;
    tenders::publish(past, fo, a.id).await.map_err(ctx)?;
    let mut bids = Vec::new();
    for (org, amount) in orgs.iter().zip(["338000.00", "352500.00", "349000.00"]) {
        bids.push(
            bids::submit_bid(past, org, a.id, bid(amount)?)
                .await
                .map_err(ctx)?
                .1,
        );
    }
    // B: elderly care, awarded to org 2, contract still a draft.
    let b = tenders::create(
        past,
        fo,
        tender(
            "农村留守老人关爱服务",
            ServiceCategory::Elderly,
            TenderMethod::Inquiry,
            lines[1],
            "240000.00",
            5,
        )?,
    )
    .await
    .map_err(ctx)?;
    tenders::publish(past, fo, b.id).await.map_err(ctx)?;
    let b1 = bids::submit_bid(past, &orgs[1], b.id, bid("228000.00")?)
        .await
        .map_err(ctx)?
        .1;
    bids::submit_bid(past, &orgs[2], b.id, bid("236000.00")?)
        .await
        .map_err(ctx)?;
    // F: a single bid, so it ends unsuccessful.
    let f = tenders::create(
        past,
        fo,
        tender(
            "残疾人康复社工服务",
            ServiceCategory::Disability,
            TenderMethod::Inquiry,
            lines[1],
            "120000.00",
            5,
        )?,
    )
    .await
    .map_err(ctx)?;
    tenders::publish(past, fo, f.id).await.map_err(ctx)?;
    bids::submit_bid(past, &orgs[0], f.id, bid("118000.00")?)
        .await
        .map_err(ctx)?;

    clock.advance(Duration::days(6));
    for t in [a.id, b.id, f.id] {
        tenders::close(past, fo, t).await.map_err(ctx)?;
    }
    let contract_a = awards::award(past, fo, a.id, Award { bid_id: bids[0].id })
        .await
        .map_err(ctx)?;
    let indicators = indicators::add(
        past,
        fo,
        contract_a.id,
        vec![
            NewIndicator {
                code: "visits".into(),
                name: "困境儿童入户走访率".into(),
                unit: "%".into(),
                target: qty("95")?,
                comparator: Comparator::AtLeast,
                measure: None,
                weight: 60,
            },
            NewIndicator {
                code: "complaints".into(),
                name: "有效投诉件数".into(),
                unit: "件".into(),
                target: qty("2")?,
                comparator: Comparator::AtMost,
                measure: None,
                weight: 40,
            },
        ],
    )
    .await
    .map_err(ctx)?;
    // Due 75 and 45 days ago (reported), 15 days ago (overdue) and in 15 days.
    let quarter = contract_a.value.fen() / 4;
    let mut ms = Vec::new();
    for (i, (title, days)) in [
        ("第一阶段：建档走访", 30),
        ("第二阶段：个案服务", 60),
        ("第三阶段：小组活动", 90),
        ("第四阶段：评估总结", 120),
    ]
    .iter()
    .enumerate()
    {
        let amount = if i == 3 {
            contract_a.value.fen() - 3 * quarter
        } else {
            quarter
        };
        let m = milestones::create(
            past,
            fo,
            contract_a.id,
            NewMilestone {
                title: (*title).into(),
                description: String::new(),
                due_date: contract_a.start_date + Duration::days(*days),
                amount: Money::from_fen(amount),
            },
        )
        .await
        .map_err(ctx)?;
        ms.push(m);
    }
    contracts::sign(past, fo, contract_a.id)
        .await
        .map_err(ctx)?;
    awards::award(past, fo, b.id, Award { bid_id: b1.id })
        .await
        .map_err(ctx)?;
    tenders::unsuccessful(
        past,
        fo,
        f.id,
        Reason {
            reason: "有效投标不足两家".into(),
        },
    )
    .await
    .map_err(ctx)?;

    let posts_a = [
        ("城关镇社工站驻站社工", "410523100"),
        ("韩庄村儿童主任", "410523100201"),
    ];
    let mut post_ids = Vec::new();
    for (title, division) in posts_a {
        let p = posts::create(
            past,
            fo,
            contract_a.id,
            NewPost {
                title: title.into(),
                division_code: division.into(),
                required_qualification: Qualification::AssistantSocialWorker,
                annual_funding: money("60000.00")?,
                start_date: contract_a.start_date,
                end_date: contract_a.end_date,
            },
        )
        .await
        .map_err(ctx)?;
        post_ids.push(p.id);
    }
    clock.set(now - Duration::days(80));
    posts::assign(
        past,
        &orgs[0],
        post_ids[0],
        NewAssignment {
            worker_name: "张晓梅".into(),
            qualification: Qualification::SocialWorker,
            certificate_no: Some("ZS2023410500123".into()),
            id_number: "11010519491231002X".into(),
            from_date: contract_a.start_date,
        },
    )
    .await
    .map_err(ctx)?;

    // A direct award to org 3 (single source), signed: a 100-day trial ending in 20 days,
    // an advance, its first period accepted and paid, its second due in 10 days.
    let direct = contracts::create(
        past,
        fo,
        NewContract {
            purchaser_id: fo.user.purchaser_id.context("officer's purchaser")?,
            organisation_id: orgs[2].user.organisation_id.context("org")?,
            budget_line_id: lines[2],
            title: "韩庄村巾帼志愿服务站试运营".into(),
            service_category: ServiceCategory::Volunteer,
            // A village's own service station: its public page shows what it buys.
            division_code: "410523100201".into(),
            value: money("96000.00")?,
            start_date: today(clock),
            end_date: today(clock) + Duration::days(100),
            direct_award_reason: "单一来源：县妇联指定的唯一志愿服务阵地运营方".into(),
            responsible_officer_id: None,
            multi_year_reason: None,
            performance_rule: None,
        },
    )
    .await
    .map_err(ctx)?;
    let mut direct_ms = Vec::new();
    for (title, days, amount) in [
        ("志愿服务站运营（第一期）", 60, "48000.00"),
        ("志愿服务站运营（第二期）", 90, "28000.00"),
    ] {
        let m = milestones::create(
            past,
            fo,
            direct.id,
            NewMilestone {
                title: title.into(),
                description: String::new(),
                due_date: today(clock) + Duration::days(days),
                amount: money(amount)?,
            },
        )
        .await
        .map_err(ctx)?;
        direct_ms.push(m);
    }
    let direct_m = &direct_ms[0];
    contracts::sign(past, fo, direct.id).await.map_err(ctx)?;

    // Contract A reports: the first accepted and paid, the second rejected then awaiting
    // review; the third is overdue, the fourth due soon.
    let report = |summary: &str, visits: &str, complaints: Option<&str>| {
        let mut measurements = vec![MeasurementIn {
            indicator_id: indicators[0].id,
            value: qty(visits)?,
        }];
        if let Some(c) = complaints {
            measurements.push(MeasurementIn {
                indicator_id: indicators[1].id,
                value: qty(c)?,
            });
        }
        Ok::<_, anyhow::Error>(NewReport {
            summary: summary.into(),
            measurements,
        })
    };
    clock.set(now - Duration::days(73));
    reports::submit(
        past,
        &orgs[0],
        ms[0].id,
        Ok(report("完成236户困境儿童建档走访。", "92", Some("1"))?),
        Vec::new(),
        Ok(None),
    )
    .await
    .map_err(ctx)?;
    let m1 = reports::accept(
        past,
        fo,
        ms[0].id,
        Review {
            comment: Some("材料齐全".into()),
        },
    )
    .await
    .map_err(ctx)?;
    // The first instalment of its payable; the rest (A_REST) is requested later.
    let m1_payable = m1.payable.context("payable")?;
    pay(
        past,
        [&orgs[0], fo, approver],
        contract_a.id,
        Some(m1.id),
        Money::from_fen(m1_payable.fen() - money(A_REST)?.fen()),
        "TYMZ-2026-0031",
        today(clock),
    )
    .await?;
    clock.set(now - Duration::days(43));
    reports::submit(
        past,
        &orgs[0],
        ms[1].id,
        Ok(report("开展个案服务48例。", "70", Some("3"))?),
        Vec::new(),
        Ok(None),
    )
    .await
    .map_err(ctx)?;
    reports::reject(
        past,
        fo,
        ms[1].id,
        Rejection {
            comment: "缺少个案服务签到表，请补充后重新提交。".into(),
        },
    )
    .await
    .map_err(ctx)?;
    clock.set(now - Duration::days(40));
    reports::submit(
        past,
        &orgs[0],
        ms[1].id,
        Ok(report("补充个案服务签到表。", "88", None)?),
        Vec::new(),
        Ok(None),
    )
    .await
    .map_err(ctx)?;

    // The direct award: an advance, then its milestone accepted and paid.
    pay(
        past,
        [&orgs[2], fo, approver],
        direct.id,
        None,
        money("20000.00")?,
        "TYMZ-2026-0040",
        today(clock),
    )
    .await?;
    // Home care: published 25 days ago, its bid deadline 15 days ago, two bids, to award.
    clock.set(now - Duration::days(25));
    let due_award = tenders::create(
        past,
        fo,
        tender(
            "社区居家养老上门服务",
            ServiceCategory::Elderly,
            TenderMethod::Inquiry,
            lines[1],
            "180000.00",
            10,
        )?,
    )
    .await
    .map_err(ctx)?;
    tenders::publish(past, fo, due_award.id)
        .await
        .map_err(ctx)?;
    for (org, amount) in [(&orgs[1], "172000.00"), (&orgs[2], "175500.00")] {
        bids::submit_bid(past, org, due_award.id, bid(amount)?)
            .await
            .map_err(ctx)?;
    }

    clock.set(now - Duration::days(18));
    reports::submit(
        past,
        &orgs[2],
        direct_m.id,
        Ok(report_plain("第一期开展志愿服务86场。")),
        Vec::new(),
        Ok(None),
    )
    .await
    .map_err(ctx)?;
    let dm = reports::accept(past, fo, direct_m.id, Review::default())
        .await
        .map_err(ctx)?;
    // Its payable (48 000.00) is paid in part, and the rest requested in parts that wait at
    // every step of SPEC §9: one paid today …
    pay(
        past,
        [&orgs[2], fo, approver],
        direct.id,
        Some(dm.id),
        money("30000.00")?,
        "TYMZ-2026-0057",
        today(clock),
    )
    .await?;
    let requests = Requests {
        st: past,
        clock,
        now,
    };
    // … one approved 17 days ago and still not paid (the officer is reminded, and after 15
    // days the supervisors too) …
    let approved = requests
        .submit(
            &orgs[2],
            direct.id,
            Some(dm.id),
            "8000.00",
            "FP2026005801",
            18,
        )
        .await?;
    clock.set(now - Duration::days(17));
    payment_requests::verify(past, fo, approved)
        .await
        .map_err(ctx)?;
    payment_requests::approve(past, approver, approved)
        .await
        .map_err(ctx)?;
    // … one verified 11 days ago, waiting for the approver …
    let verified = requests
        .submit(
            &orgs[2],
            direct.id,
            Some(dm.id),
            "6000.00",
            "FP2026006302",
            12,
        )
        .await?;
    clock.set(now - Duration::days(11));
    payment_requests::verify(past, fo, verified)
        .await
        .map_err(ctx)?;
    // Contract A's first milestone: the rest of its payable, returned 8 days ago for a wrong
    // invoice, waiting for the organisation to correct it.
    let returned = requests
        .submit(
            &orgs[0],
            contract_a.id,
            Some(m1.id),
            A_REST,
            "FP2026007110",
            9,
        )
        .await?;
    clock.set(now - Duration::days(8));
    payment_requests::send_back(
        past,
        fo,
        returned,
        ReturnComment {
            comment: "发票抬头应为“汤阴县民政局”，请重新开具发票后修改提交。".into(),
        },
    )
    .await
    .map_err(ctx)?;

    // The supervisor's finding on contract A, for the officer to answer.
    clock.set(now - Duration::days(5));
    findings::create(
        past,
        supervisor,
        contract_a.id,
        NewFinding {
            severity: Severity::Medium,
            text: "第二阶段服务报告首次提交时缺少个案服务签到表，请说明原因及整改措施。".into(),
        },
    )
    .await
    .map_err(ctx)?;

    // The direct award's last part: submitted twice by mistake 3 days ago (one withdrawn),
    // the other waiting for the officer to verify it.
    let twice = requests
        .submit(
            &orgs[2],
            direct.id,
            Some(dm.id),
            "4000.00",
            "FP2026008203",
            3,
        )
        .await?;
    payment_requests::withdraw(past, &orgs[2], twice)
        .await
        .map_err(ctx)?;
    requests
        .submit(
            &orgs[2],
            direct.id,
            Some(dm.id),
            "4000.00",
            "FP2026008204",
            2,
        )
        .await?;

    // Today: one open tender with a bid, one draft, one cancelled.
    clock.set(now);
    let open = tenders::create(
        past,
        fo,
        tender(
            "乡镇（街道）社工站运营服务",
            ServiceCategory::Community,
            TenderMethod::CompetitiveConsultation,
            lines[2],
            "800000.00",
            25,
        )?,
    )
    .await
    .map_err(ctx)?;
    tenders::publish(past, fo, open.id).await.map_err(ctx)?;
    bids::submit_bid(past, &orgs[0], open.id, bid("760000.00")?)
        .await
        .map_err(ctx)?;
    tenders::create(
        past,
        fo,
        tender(
            "妇女儿童心理健康服务",
            ServiceCategory::Women,
            TenderMethod::Open,
            lines[2],
            "150000.00",
            30,
        )?,
    )
    .await
    .map_err(ctx)?;
    let cancelled = tenders::create(
        past,
        fo,
        tender(
            "志愿者培训服务",
            ServiceCategory::Volunteer,
            TenderMethod::Inquiry,
            lines[0],
            "50000.00",
            10,
        )?,
    )
    .await
    .map_err(ctx)?;
    tenders::cancel(
        past,
        fo,
        cancelled.id,
        Reason {
            reason: "需求变更，并入社工站项目".into(),
        },
    )
    .await
    .map_err(ctx)?;
    Ok(())
}
