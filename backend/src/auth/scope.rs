//! Extractors that put the policy's checks before the request body is read, so the order of
//! SPEC §1 holds whatever the body: [`Can`] answers 403 for a role that may never act, and
//! [`Seen`] answers 404 for a record outside the actor's scope (or absent), before a bad
//! body could answer 422.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use entity::model::{budget_line, organisation, purchaser, user};
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::auth::{Action, Actor};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store;

/// A marker naming the [`Action`] a handler performs.
pub trait Permission: Send + Sync + 'static {
    const ACTION: Action;
}

/// The actor, when their role may perform `P` (401, then 403).
pub struct Can<P>(pub Actor, PhantomData<P>);

impl<P> Deref for Can<P> {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.0
    }
}

impl<P: Permission> FromRequestParts<AppState> for Can<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let actor = Actor::from_request_parts(parts, st).await?;
        actor.require(P::ACTION)?;
        Ok(Can(actor, PhantomData))
    }
}

/// The markers of [`Can`], one per [`Action`].
pub mod can {
    use super::{Action, Permission};

    macro_rules! markers {
        ($($name:ident),+) => {$(
            #[doc = concat!("Marker of [`Action::", stringify!($name), "`].")]
            pub struct $name;
            impl Permission for $name {
                const ACTION: Action = Action::$name;
            }
        )+};
    }

    markers!(
        ReadUsers,
        ManageUsers,
        ReadPurchasers,
        ManageParties,
        ReadOrganisations,
        ReadBudget,
        ManageBudget,
        ReadAudit,
        ReadProcurement,
        ManageProcurement,
        SubmitBid,
        StaffPosts,
        ReportMilestones,
        RequestPayment,
        ReviewPaymentRequests,
        ReadNotifications,
        RetryNotifications,
        ReadJobRuns,
        RecordFindings,
        AnswerFindings,
        ReadSpending,
        ExportOcds
    );
}

/// What kind of record the first `{id}` of a path names.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    User,
    Purchaser,
    Organisation,
    BudgetLine,
    Tender,
    Bid,
    Contract,
    Milestone,
    Indicator,
    Post,
    Finding,
    PaymentRequest,
}

/// A marker naming the [`Kind`] a path's `{id}` refers to.
pub trait Resource: Send + Sync + 'static {
    const KIND: Kind;
}

/// Proof that the path's record exists and the actor may see it (else 404).
pub struct Seen<R>(PhantomData<R>);

impl<R: Resource> FromRequestParts<AppState> for Seen<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let actor = Actor::from_request_parts(parts, st).await?;
        let params = RawPathParams::from_request_parts(parts, st)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let id: Uuid = params
            .iter()
            .next()
            .and_then(|(_, v)| v.parse().ok())
            .ok_or(ApiError::NotFound)?;
        visible(st, &actor, R::KIND, id).await?;
        Ok(Seen(PhantomData))
    }
}

/// The markers of [`Seen`], one per [`Kind`].
pub mod kind {
    use super::{Kind, Resource};

    macro_rules! markers {
        ($($name:ident),+) => {$(
            #[doc = concat!("Marker of [`Kind::", stringify!($name), "`].")]
            pub struct $name;
            impl Resource for $name {
                const KIND: Kind = Kind::$name;
            }
        )+};
    }

    markers!(
        User,
        Purchaser,
        Organisation,
        BudgetLine,
        Tender,
        Bid,
        Contract,
        Milestone,
        Indicator,
        Post,
        Finding,
        PaymentRequest
    );
}

/// 404 unless record `id` of `kind` exists within the actor's scope.
pub async fn visible(st: &AppState, actor: &Actor, kind: Kind, id: Uuid) -> ApiResult<()> {
    let db = &st.db;
    match kind {
        Kind::User => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|_| ())
            .ok_or(ApiError::NotFound),
        Kind::Purchaser => purchaser::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|_| ())
            .ok_or(ApiError::NotFound),
        Kind::Organisation => {
            actor.see_organisation(id)?;
            organisation::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|_| ())
                .ok_or(ApiError::NotFound)
        }
        Kind::BudgetLine => {
            let l = budget_line::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(ApiError::NotFound)?;
            actor.see_purchaser(l.purchaser_id)
        }
        Kind::Tender => store::records::tender(db, actor, id).await.map(|_| ()),
        Kind::Bid => store::records::bid(db, actor, st.now(), id)
            .await
            .map(|_| ()),
        Kind::Contract => store::contracts::load(db, actor, id).await.map(|_| ()),
        Kind::Milestone => store::records::milestone_visible(db, actor, id).await,
        Kind::Indicator => store::records::indicator(db, actor, id).await.map(|_| ()),
        Kind::Post => store::records::post(db, actor, id).await.map(|_| ()),
        Kind::Finding => store::records::finding(db, actor, id).await.map(|_| ()),
        Kind::PaymentRequest => store::records::payment_request(db, actor, id)
            .await
            .map(|_| ()),
    }
}
