//! The division register (SPEC §2): the names of the county, its townships and villages, so
//! that pages and reports show a name beside each division code. Loaded by the demo and by
//! `huimin divisions import FILE.csv`; a division's parent is derived from its code
//! ([`entity::rules::divisions::parent`]), never read from the file.

use std::collections::{HashMap, HashSet};

use entity::model::division;
use entity::rules::codes::is_valid_division_code;
use entity::rules::divisions::parent;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::db::begin_write;

/// How many rows one statement of an import writes or looks up (3 parameters a row: well
/// inside SQLite's and PostgreSQL's limits on bound parameters).
const CHUNK: usize = 1000;

/// The longest name the register keeps, in characters.
const MAX_NAME: usize = 200;

/// The names of the divisions with the given codes, in one statement; codes the register does
/// not know are absent from the answer.
pub async fn names<C: ConnectionTrait>(
    db: &C,
    codes: &[String],
) -> Result<HashMap<String, String>, DbErr> {
    let mut wanted: Vec<&str> = codes.iter().map(String::as_str).collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(division::Entity::find()
        .select_only()
        .columns([division::Column::Code, division::Column::Name])
        .filter(division::Column::Code.is_in(wanted))
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The divisions directly under `parent` (`None`: the top of the register, the counties), as
/// `(code, name)` sorted by code.
pub async fn children<C: ConnectionTrait>(
    db: &C,
    parent: Option<&str>,
) -> Result<Vec<(String, String)>, DbErr> {
    let q = division::Entity::find()
        .select_only()
        .columns([division::Column::Code, division::Column::Name]);
    let q = match parent {
        Some(p) => q.filter(division::Column::ParentCode.eq(p)),
        None => q.filter(division::Column::ParentCode.is_null()),
    };
    q.order_by_asc(division::Column::Code)
        .into_tuple::<(String, String)>()
        .all(db)
        .await
}

/// A code as pages and reports show it: `name（code）` when the register knows it, else the
/// bare code.
pub fn label(code: &str, names: &HashMap<String, String>) -> String {
    match names.get(code) {
        Some(name) => format!("{name}（{code}）"),
        None => code.to_string(),
    }
}

/// One row of a register file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub name: String,
}

/// Why a register file was refused: the first bad line (1-based) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct BadRow {
    pub line: u64,
    pub problem: String,
}

/// Reads a register file: CSV with the columns `code,name` (UTF-8, an optional BOM, an
/// optional header row `code,name`). Every row must hold a 6-, 9- or 12-digit code, once, and a
/// name; the first bad row refuses the whole file.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<Entry>, BadRow> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let bad = |line: u64, problem: String| BadRow { line, problem };
        let record = record.map_err(|e| {
            let line = e.position().map_or(i as u64 + 1, |p| p.line());
            bad(line, format!("not readable as CSV: {e}"))
        })?;
        let line = record.position().map_or(i as u64 + 1, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if i == 0
            && record
                .get(0)
                .is_some_and(|c| c.eq_ignore_ascii_case("code"))
        {
            continue;
        }
        if record.len() != 2 {
            return Err(bad(
                line,
                format!("expected 2 columns (code,name), found {}", record.len()),
            ));
        }
        let (code, name) = (&record[0], &record[1]);
        if !is_valid_division_code(code) {
            return Err(bad(
                line,
                format!("{code:?} is not a division code of 6, 9 or 12 digits"),
            ));
        }
        if name.is_empty() {
            return Err(bad(line, format!("the name of {code} is empty")));
        }
        if name.chars().count() > MAX_NAME {
            return Err(bad(
                line,
                format!("the name of {code} is longer than {MAX_NAME} characters"),
            ));
        }
        if !seen.insert(code.to_string()) {
            return Err(bad(line, format!("{code} appears twice in the file")));
        }
        out.push(Entry {
            code: code.to_string(),
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    /// Codes the register did not hold before.
    pub added: usize,
    /// Codes it held (their names are now the file's).
    pub updated: usize,
}

/// Writes `entries` into the register in one transaction: new codes are added with the parent
/// their code implies, known codes take the new name.
pub async fn import(writer: &DatabaseConnection, entries: &[Entry]) -> Result<Imported, DbErr> {
    let txn = begin_write(writer).await?;
    let mut known = 0;
    for chunk in entries.chunks(CHUNK) {
        let codes: Vec<&str> = chunk.iter().map(|e| e.code.as_str()).collect();
        known += division::Entity::find()
            .select_only()
            .column(division::Column::Code)
            .filter(division::Column::Code.is_in(codes))
            .into_tuple::<String>()
            .all(&txn)
            .await?
            .len();
        let rows = chunk.iter().map(|e| division::ActiveModel {
            code: Set(e.code.clone()),
            name: Set(e.name.clone()),
            parent_code: Set(parent(&e.code).map(str::to_string)),
        });
        division::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(division::Column::Code)
                    .update_columns([division::Column::Name, division::Column::ParentCode])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Imported {
        added: entries.len() - known,
        updated: known,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_register_file_with_a_header_and_a_bom() {
        let file = "\u{feff}code,name\n410523,汤阴县\n410523100, 城关镇 \n\n410523100201,韩庄村\n";
        let rows = parse_csv(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].name, "城关镇");
        assert_eq!(rows[2].code, "410523100201");
    }

    #[test]
    fn the_first_bad_row_names_its_line() {
        let e = parse_csv("410523,汤阴县\n41052310,城关镇\n".as_bytes()).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("line 2: \"41052310\""), "{e}");
        let e = parse_csv("code,name\n410523,汤阴县\n410523100\n".as_bytes()).unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse_csv("410523,汤阴县\n410523100,\n".as_bytes()).unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_csv("410523,汤阴县\n410523,汤阴\n".as_bytes()).unwrap_err();
        assert!(e.problem.contains("twice"), "{e}");
    }

    #[test]
    fn labels_keep_the_code_beside_the_name() {
        let names = HashMap::from([("410523".to_string(), "汤阴县".to_string())]);
        assert_eq!(label("410523", &names), "汤阴县（410523）");
        assert_eq!(label("410523100", &names), "410523100");
    }
}
