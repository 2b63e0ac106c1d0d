//! The usual world of a delivery test, built through the API: a finance officer of a new
//! purchaser with a budget line, an organisation with one staff member, and a direct-award
//! contract between them, signed, with its indicators and milestones. A test names only what
//! differs: `app.world().value("80000.00").milestone("2026-06-30", "10000.00").await`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use entity::rules::vocab::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Login, TestApp};

/// What [`TestApp::world`] built.
#[derive(Debug, Clone)]
pub struct World {
    /// A finance officer of the contract's purchaser (its responsible officer).
    pub fo: Login,
    /// A staff member of the contract's organisation.
    pub staff: Login,
    /// The contract's organisation.
    pub organisation: Uuid,
    /// The budget line the contract is charged to.
    pub line: Uuid,
    pub contract: Uuid,
    /// The milestones, in the order they were asked for.
    pub milestones: Vec<Uuid>,
    /// The indicators as `(code, id)`, in the order of the answer that added them.
    pub indicators: Vec<(String, Uuid)>,
}

type Tweak<'a> = Box<dyn FnOnce(&mut Value) + 'a>;

/// The description of a [`World`]; awaiting it builds it. Unless told otherwise: a new
/// officer, a new organisation with one staff member, a line of 1 000 000.00, a contract of
/// 50 000.00 for 2026-04-01..2026-12-31 (the body of [`TestApp::direct_award_body`]) without
/// indicators or milestones, signed.
pub struct WorldBuilder<'a> {
    app: &'a TestApp,
    fo: Option<Login>,
    staff: Option<Login>,
    line: Option<Uuid>,
    line_amount: String,
    value: String,
    tweaks: Vec<Tweak<'a>>,
    indicators: Option<Value>,
    milestones: Vec<Value>,
    signed: bool,
}

impl TestApp {
    /// The usual world, to be described further and awaited (see [`WorldBuilder`]).
    pub fn world(&self) -> WorldBuilder<'_> {
        WorldBuilder {
            app: self,
            fo: None,
            staff: None,
            line: None,
            line_amount: "1000000.00".into(),
            value: "50000.00".into(),
            tweaks: Vec::new(),
            indicators: None,
            milestones: Vec::new(),
            signed: true,
        }
    }
}

impl<'a> WorldBuilder<'a> {
    /// This officer instead of a new one (and its purchaser).
    pub fn officer(mut self, fo: &Login) -> Self {
        self.fo = Some(fo.clone());
        self
    }

    /// This staff member's organisation instead of a new one.
    pub fn staff(mut self, staff: &Login) -> Self {
        self.staff = Some(staff.clone());
        self
    }

    /// A new line of this amount.
    pub fn line_amount(mut self, amount: &str) -> Self {
        self.line_amount = amount.into();
        self
    }

    /// This line (of the officer's purchaser) instead of a new one.
    pub fn line(mut self, line: Uuid) -> Self {
        self.line = Some(line);
        self
    }

    /// The contract's value.
    pub fn value(mut self, value: &str) -> Self {
        self.value = value.into();
        self
    }

    /// The contract's title.
    pub fn title(self, title: &str) -> Self {
        let title = title.to_string();
        self.tweak(move |b| b["title"] = json!(title))
    }

    /// The contract's service period.
    pub fn period(self, start: &str, end: &str) -> Self {
        let (start, end) = (start.to_string(), end.to_string());
        self.tweak(move |b| {
            b["start_date"] = json!(start);
            b["end_date"] = json!(end);
        })
    }

    /// The contract's performance rule.
    pub fn performance_rule(self, rule: Value) -> Self {
        self.tweak(move |b| b["performance_rule"] = rule)
    }

    /// Any other change to the body of the direct award.
    pub fn tweak(mut self, tweak: impl FnOnce(&mut Value) + 'a) -> Self {
        self.tweaks.push(Box::new(tweak));
        self
    }

    /// Indicators (the body of `POST /contracts/{id}/indicators`), added while a draft.
    pub fn indicators(mut self, list: Value) -> Self {
        self.indicators = Some(list);
        self
    }

    /// A milestone titled after its due date, added while a draft.
    pub fn milestone(self, due: &str, amount: &str) -> Self {
        let title = format!("截至 {due} 的服务");
        self.milestone_titled(&title, due, amount)
    }

    /// A milestone with this title, added while a draft.
    pub fn milestone_titled(mut self, title: &str, due: &str, amount: &str) -> Self {
        self.milestones
            .push(json!({"title": title, "due_date": due, "amount": amount}));
        self
    }

    /// Leaves the contract a draft.
    pub fn draft(mut self) -> Self {
        self.signed = false;
        self
    }

    async fn build(self) -> World {
        let app = self.app;
        let fo = match self.fo {
            Some(fo) => fo,
            None => app.user(Role::FinanceOfficer).await,
        };
        let staff = match self.staff {
            Some(s) => s,
            None => app.user(Role::Organisation).await,
        };
        let organisation = staff.organisation_id.expect("staff of an organisation");
        let line = match self.line {
            Some(l) => l,
            None => app.budget_line(&fo, &self.line_amount).await,
        };
        let mut body = app.direct_award_body(&fo, organisation, line, &self.value);
        for tweak in self.tweaks {
            tweak(&mut body);
        }
        let contract = app
            .post("/api/v1/contracts", &fo.token, body)
            .await
            .expect(201)
            .id();
        let mut indicators = Vec::new();
        if let Some(list) = self.indicators {
            let added = app
                .post(
                    &format!("/api/v1/contracts/{contract}/indicators"),
                    &fo.token,
                    list,
                )
                .await
                .expect(201);
            indicators = added
                .body
                .as_array()
                .expect("the added indicators")
                .iter()
                .map(|i| {
                    let code = i["code"].as_str().expect("code").to_string();
                    (
                        code,
                        i["id"].as_str().and_then(|s| s.parse().ok()).expect("id"),
                    )
                })
                .collect();
        }
        let mut milestones = Vec::new();
        for m in self.milestones {
            let path = format!("/api/v1/contracts/{contract}/milestones");
            milestones.push(app.post(&path, &fo.token, m).await.expect(201).id());
        }
        if self.signed {
            app.act(&format!("/api/v1/contracts/{contract}/sign"), &fo.token)
                .await
                .expect(200);
        }
        World {
            fo,
            staff,
            organisation,
            line,
            contract,
            milestones,
            indicators,
        }
    }
}

impl<'a> IntoFuture for WorldBuilder<'a> {
    type Output = World;
    type IntoFuture = Pin<Box<dyn Future<Output = World> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.build())
    }
}
