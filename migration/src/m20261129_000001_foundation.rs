//! The foundation: purchasers, organisations, users, sessions, login throttling, budget lines
//! and the audit chain.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Purchaser {
    Table,
    Id,
    Name,
    DivisionCode,
    ContactEmail,
}

#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
    Name,
    CreditCode,
    ContactEmail,
    Status,
    StatusReason,
    StatusUntil,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Email,
    DisplayName,
    Role,
    PurchaserId,
    OrganisationId,
    PasswordHash,
    Active,
    Locale,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Account,
    Address,
    At,
}

#[derive(DeriveIden)]
enum BudgetLine {
    Table,
    Id,
    PurchaserId,
    FiscalYear,
    Code,
    Name,
    AmountFen,
    Source,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Seq,
    At,
    ActorUserId,
    Action,
    EntityType,
    EntityId,
    BeforeJson,
    AfterJson,
    Canonical,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum Stamp {
    CreatedAt,
    UpdatedAt,
}

/// `created_at` and `updated_at`, set by the application from its clock (never `now()`).
fn stamped(mut t: TableCreateStatement) -> TableCreateStatement {
    t.col(timestamp_with_time_zone(Stamp::CreatedAt))
        .col(timestamp_with_time_zone(Stamp::UpdatedAt));
    t
}

fn index(name: &str, table: impl IntoIden, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(
        clippy::too_many_lines,
        reason = "a migration is a table of tables, columns and indexes, read top to bottom"
    )]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(stamped(
            Table::create()
                .table(Purchaser::Table)
                .col(pk_uuid(Purchaser::Id))
                .col(string(Purchaser::Name))
                .col(string_len(Purchaser::DivisionCode, 12))
                .col(string(Purchaser::ContactEmail))
                .take(),
        ))
        .await?;
        m.create_index(index(
            "ix_purchaser_division",
            Purchaser::Table,
            &["division_code", "id"],
        ))
        .await?;

        m.create_table(stamped(
            Table::create()
                .table(Organisation::Table)
                .col(pk_uuid(Organisation::Id))
                .col(string(Organisation::Name))
                .col(string_len_uniq(Organisation::CreditCode, 18))
                .col(string(Organisation::ContactEmail))
                .col(string_len(Organisation::Status, 16))
                .col(text_null(Organisation::StatusReason))
                .col(date_null(Organisation::StatusUntil))
                .take(),
        ))
        .await?;
        m.create_index(index(
            "ix_organisation_status",
            Organisation::Table,
            &["status", "id"],
        ))
        .await?;

        m.create_table(stamped(
            Table::create()
                .table(AppUser::Table)
                .col(pk_uuid(AppUser::Id))
                .col(string_uniq(AppUser::Email))
                .col(string(AppUser::DisplayName))
                .col(string_len(AppUser::Role, 24))
                .col(uuid_null(AppUser::PurchaserId))
                .col(uuid_null(AppUser::OrganisationId))
                .col(string(AppUser::PasswordHash))
                .col(boolean(AppUser::Active))
                .col(string_len(AppUser::Locale, 8))
                .foreign_key(
                    ForeignKey::create()
                        .from(AppUser::Table, AppUser::PurchaserId)
                        .to(Purchaser::Table, Purchaser::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AppUser::Table, AppUser::OrganisationId)
                        .to(Organisation::Table, Organisation::Id),
                )
                .take(),
        ))
        .await?;
        m.create_index(index("ix_user_role", AppUser::Table, &["role", "id"]))
            .await?;
        m.create_index(index(
            "ix_user_purchaser",
            AppUser::Table,
            &["purchaser_id", "id"],
        ))
        .await?;
        m.create_index(index(
            "ix_user_organisation",
            AppUser::Table,
            &["organisation_id", "id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Session::Table)
                .col(pk_uuid(Session::Id))
                .col(uuid(Session::UserId))
                .col(string_len_uniq(Session::TokenHash, 64))
                .col(timestamp_with_time_zone(Session::CreatedAt))
                .col(timestamp_with_time_zone(Session::ExpiresAt))
                .col(timestamp_with_time_zone_null(Session::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Session::Table, Session::UserId)
                        .to(AppUser::Table, AppUser::Id),
                )
                .take(),
        )
        .await?;
        m.create_index(index("ix_session_user", Session::Table, &["user_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table(LoginFailure::Table)
                .col(pk_uuid(LoginFailure::Id))
                .col(string(LoginFailure::Account))
                .col(string(LoginFailure::Address))
                .col(timestamp_with_time_zone(LoginFailure::At))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_login_failure_account",
            LoginFailure::Table,
            &["account", "at"],
        ))
        .await?;
        m.create_index(index(
            "ix_login_failure_address",
            LoginFailure::Table,
            &["address", "at"],
        ))
        .await?;

        m.create_table(stamped(
            Table::create()
                .table(BudgetLine::Table)
                .col(pk_uuid(BudgetLine::Id))
                .col(uuid(BudgetLine::PurchaserId))
                .col(integer(BudgetLine::FiscalYear))
                .col(string_len(BudgetLine::Code, 64))
                .col(string(BudgetLine::Name))
                .col(
                    big_integer(BudgetLine::AmountFen)
                        .check(Expr::col(BudgetLine::AmountFen).gte(0)),
                )
                .col(string_len(BudgetLine::Source, 16))
                .foreign_key(
                    ForeignKey::create()
                        .from(BudgetLine::Table, BudgetLine::PurchaserId)
                        .to(Purchaser::Table, Purchaser::Id),
                )
                .take(),
        ))
        .await?;
        m.create_index(
            index(
                "ux_budget_line_code",
                BudgetLine::Table,
                &["purchaser_id", "fiscal_year", "code"],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            "ix_budget_line_purchaser",
            BudgetLine::Table,
            &["purchaser_id", "id"],
        ))
        .await?;
        m.create_index(index(
            "ix_budget_line_year",
            BudgetLine::Table,
            &["fiscal_year", "id"],
        ))
        .await?;
        m.create_index(index(
            "ix_budget_line_source",
            BudgetLine::Table,
            &["source", "id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvent::Table)
                .col(big_integer(AuditEvent::Seq).primary_key())
                .col(timestamp_with_time_zone(AuditEvent::At))
                .col(uuid_null(AuditEvent::ActorUserId))
                .col(string_len(AuditEvent::Action, 64))
                .col(string_len(AuditEvent::EntityType, 64))
                .col(uuid(AuditEvent::EntityId))
                .col(text_null(AuditEvent::BeforeJson))
                .col(text_null(AuditEvent::AfterJson))
                .col(text(AuditEvent::Canonical))
                .col(string_len_uniq(AuditEvent::PrevHash, 64))
                .col(string_len_uniq(AuditEvent::Hash, 64))
                .take(),
        )
        .await?;
        m.create_index(index(
            "ix_audit_entity",
            AuditEvent::Table,
            &["entity_type", "entity_id", "seq"],
        ))
        .await?;
        m.create_index(index(
            "ix_audit_actor",
            AuditEvent::Table,
            &["actor_user_id", "seq"],
        ))
        .await?;
        m.create_index(index(
            "ix_audit_action",
            AuditEvent::Table,
            &["action", "seq"],
        ))
        .await?;
        m.create_index(index("ix_audit_at", AuditEvent::Table, &["at"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_event",
            "budget_line",
            "login_failure",
            "session",
            "app_user",
            "organisation",
            "purchaser",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
