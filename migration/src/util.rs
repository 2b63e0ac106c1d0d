//! Shorthands the migrations share: columns by name, foreign keys, named indexes.

use sea_orm_migration::{prelude::*, schema::*};

/// A foreign key from `(table, column)` to `(table, column)`.
pub fn fk(from: (&str, &str), to: (&str, &str)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to.0), Alias::new(to.1))
        .take()
}

/// An index named after its table and columns.
pub fn index(table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.take()
}

/// Drops the index `name` of `table`.
pub fn drop_index(table: &str, name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

/// An identifier.
pub fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// `created_at` and `updated_at`, set by the application from its clock.
pub fn stamps(t: &mut TableCreateStatement) {
    t.col(timestamp_with_time_zone(a("created_at")))
        .col(timestamp_with_time_zone(a("updated_at")));
}

/// A money column: BIGINT fen, never negative.
pub fn money(name: &str) -> ColumnDef {
    big_integer(a(name)).check(Expr::col(a(name)).gte(0)).take()
}
