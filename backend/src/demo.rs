//! The demo data set (SPEC §7 `huimin demo`): one county's civil-affairs bureau, its
//! townships and villages, three social organisations, their staff, a supervisor and the
//! county's budget lines. Loaded only into an empty database, through the same services the
//! API uses, so every record has its audit event.
//!
//! Its dates are relative to the day it is loaded, so that every demo login lands on a home
//! page with something to do: the finance officer has a report to review, overdue milestones,
//! a tender past its bid deadline to award, a contract ending within 30 days, a draft contract
//! to sign and an open finding to answer; the organisations have milestones due soon and a
//! published tender open for bids; the supervisor has an open finding.
//!
//! Payment requests (SPEC §9) stand in every state: paid, approved and waiting for the payment
//! (17 days: the reminders job tells the officer and, past 15 days, the supervisors), verified
//! and waiting for the approver (11 days), returned with a comment and waiting for the
//! organisation (8 days), submitted (2 days) and withdrawn. None is above
//! `HUIMIN_SECOND_APPROVAL_ABOVE` (500 000.00 by default): no demo milestone is that large.

use anyhow::Context;
use entity::Money;
use entity::model::user;
use entity::rules::codes::credit_code_check_char;
use entity::rules::counts::to_u32;
use entity::rules::quantity::Quantity;
use entity::rules::vocab::{FundSource, Role};
use std::sync::Arc;

use chrono::Duration;
use jobs::clock::ManualClock;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::ApiError;
use crate::services::budget::{self, NewBudgetLine};
use crate::services::divisions;
use crate::services::parties::{self, NewOrganisation, NewPurchaser};
use crate::services::reports::NewReport;
use crate::services::users::{self, NewUser};
use crate::state::AppState;

mod procurement;
mod requests;

use procurement::procurement;

mod register;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "huimin-demo-2026";

/// A valid credit code for a county-registered social service organisation (`52` + division).
pub fn demo_credit_code(n: u32) -> String {
    let first = format!("52410523MJ{n:07}");
    let check = credit_code_check_char(&first).unwrap_or('0');
    format!("{first}{check}")
}

fn ctx(e: ApiError) -> anyhow::Error {
    let p = e.problem();
    anyhow::anyhow!("{}: {:?}", p.detail, p.errors)
}

/// Loads the demo data set unless users exist; returns the text listing the demo logins.
#[expect(
    clippy::too_many_lines,
    reason = "the demo data set, told in order: data, not logic"
)]
pub async fn load(real: &AppState) -> anyhow::Result<Option<String>> {
    if user::Entity::find().count(&real.db).await? > 0 {
        tracing::info!("the database already has users: demo data not loaded");
        return Ok(Some(format!(
            "Demo logins (password {DEMO_PASSWORD}): admin@huimin.demo, finance@huimin.demo, approver@huimin.demo, org1@huimin.demo, supervisor@huimin.demo"
        )));
    }
    // The story starts 120 days ago: the services run on a clock moved through it, so
    // deadlines pass and every record has its audit event at the time it happened.
    let clock = ManualClock::new(real.clock.now() - Duration::days(120));
    let state = AppState::new(crate::state::AppStateInner {
        clock: Arc::new(clock.clone()),
        ..crate::state::AppStateInner::clone(real)
    });
    let st = &state;
    // The demo's users are created as `huimin user create` creates them (no admin actor): they
    // sign in with the printed password at once, with nothing to change first.
    let mk_user = |email: &str, name: &str, role: Role, p: Option<Uuid>, o: Option<Uuid>| NewUser {
        email: email.into(),
        display_name: name.into(),
        role,
        purchaser_id: p,
        organisation_id: o,
        password: DEMO_PASSWORD.into(),
        locale: None,
        approver: None,
    };
    let admin = users::create_user(
        st,
        None,
        mk_user("admin@huimin.demo", "系统管理员", Role::Admin, None, None),
    )
    .await
    .map_err(ctx)?;
    let admin = actor(st, admin.id).await?;

    let bureau = parties::create_purchaser(
        st,
        &admin,
        NewPurchaser {
            name: "汤阴县民政局".into(),
            division_code: "410523".into(),
            contact_email: "mzj@tangyin.demo".into(),
        },
    )
    .await
    .map_err(ctx)?;
    parties::create_purchaser(
        st,
        &admin,
        NewPurchaser {
            name: "汤阴县城关镇人民政府".into(),
            division_code: "410523100".into(),
            contact_email: "cgz@tangyin.demo".into(),
        },
    )
    .await
    .map_err(ctx)?;

    divisions::import(&st.writer, &register::entries()).await?;

    let orgs = [
        ("汤阴县阳光社会工作服务中心", "sunshine@ngo.demo"),
        ("汤阴县夕阳红养老服务中心", "elderly@ngo.demo"),
        ("汤阴县巾帼志愿者协会", "women@ngo.demo"),
    ];
    let mut org_ids = Vec::new();
    for (i, (name, email)) in orgs.iter().enumerate() {
        let o = parties::create_organisation(
            st,
            &admin,
            NewOrganisation {
                name: (*name).into(),
                credit_code: demo_credit_code(to_u32(i) + 1),
                contact_email: (*email).into(),
                status: None,
                status_reason: None,
                status_until: None,
            },
        )
        .await
        .map_err(ctx)?;
        org_ids.push(o.id);
    }

    let finance = users::create_user(
        st,
        None,
        mk_user(
            "finance@huimin.demo",
            "王会计",
            Role::FinanceOfficer,
            Some(bureau.id),
            None,
        ),
    )
    .await
    .map_err(ctx)?;
    // The bureau's approver of payment requests (SPEC §9): the officer above verifies and
    // pays, this one approves.
    let approver = users::create_user(
        st,
        None,
        NewUser {
            approver: Some(true),
            ..mk_user(
                "approver@huimin.demo",
                "赵科长",
                Role::FinanceOfficer,
                Some(bureau.id),
                None,
            )
        },
    )
    .await
    .map_err(ctx)?;
    for (i, id) in org_ids.iter().enumerate() {
        let email = format!("org{}@huimin.demo", i + 1);
        users::create_user(
            st,
            None,
            mk_user(
                &email,
                &format!("社工机构{}", i + 1),
                Role::Organisation,
                None,
                Some(*id),
            ),
        )
        .await
        .map_err(ctx)?;
    }
    let supervisor = users::create_user(
        st,
        None,
        mk_user(
            "supervisor@huimin.demo",
            "县审计局 李审计",
            Role::Supervisor,
            None,
            None,
        ),
    )
    .await
    .map_err(ctx)?;

    let finance = actor(st, finance.id).await?;
    let approver = actor(st, approver.id).await?;
    let supervisor = actor(st, supervisor.id).await?;
    let mut line_ids = Vec::new();
    let lines = [
        (
            "2026-MZ-01",
            "困境儿童关爱服务",
            "1200000.00",
            FundSource::Provincial,
        ),
        (
            "2026-MZ-02",
            "农村留守老人关爱服务",
            "860000.00",
            FundSource::County,
        ),
        (
            "2026-MZ-03",
            "乡镇（街道）社工站建设",
            "2400000.00",
            FundSource::Central,
        ),
    ];
    for (code, name, amount, source) in lines {
        let line = budget::create(
            st,
            &finance,
            NewBudgetLine {
                purchaser_id: None,
                fiscal_year: 2026,
                code: code.into(),
                name: name.into(),
                amount: amount.parse::<Money>().context("demo amount")?,
                source,
            },
        )
        .await
        .map_err(ctx)?;
        line_ids.push(line.id);
    }
    let mut org_actors = Vec::new();
    for i in 1..=org_ids.len() {
        let u = user::Entity::find()
            .filter(user::Column::Email.eq(format!("org{i}@huimin.demo")))
            .one(&st.db)
            .await?
            .context("demo organisation user")?;
        org_actors.push(actor(st, u.id).await?);
    }
    procurement(
        st,
        &clock,
        real.clock.now(),
        &finance,
        &approver,
        &supervisor,
        &org_actors,
        &line_ids,
    )
    .await?;

    Ok(Some(format!(
        "Demo logins (password {DEMO_PASSWORD}):\n  admin       admin@huimin.demo\n  finance     finance@huimin.demo   (汤阴县民政局)\n  approver    approver@huimin.demo  (汤阴县民政局, approves payment requests)\n  organisation org1@huimin.demo, org2@huimin.demo, org3@huimin.demo\n  supervisor  supervisor@huimin.demo"
    )))
}

/// An actor for a user without a session, as the CLI and the demo loader act.
async fn actor(st: &AppState, id: Uuid) -> anyhow::Result<Actor> {
    let user = user::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .context("demo user")?;
    let role = user.role;
    Ok(Actor {
        user,
        role,
        session_id: Uuid::nil(),
    })
}

fn qty(s: &str) -> anyhow::Result<Quantity> {
    s.parse::<rust_decimal::Decimal>()
        .ok()
        .and_then(Quantity::from_decimal)
        .with_context(|| format!("demo quantity {s}"))
}

fn report_plain(summary: &str) -> NewReport {
    NewReport {
        summary: summary.into(),
        measurements: Vec::new(),
    }
}

fn money(s: &str) -> anyhow::Result<Money> {
    s.parse::<Money>()
        .map_err(|e| anyhow::anyhow!("demo amount {s}: {e}"))
}
