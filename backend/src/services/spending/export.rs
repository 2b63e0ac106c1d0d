//! The spending report as a file: CSV (UTF-8 with a byte-order mark, formula-looking text
//! defused) and XLSX (money as numeric cells), each with a totals row last.

use chrono::{DateTime, Utc};
use entity::rules::counts::to_u32;

use super::{Flags, SpendingReport, SpendingRow};
use crate::error::{ApiError, ApiResult};

/// The column titles of the exports.
const COLUMNS: [&str; 15] = [
    "分组 Group",
    "名称 Name",
    "预算/合同额 Amount",
    "预留 Reserved",
    "已承诺 Committed",
    "已支付 Disbursed",
    "可用 Available",
    "合同数 Contracts",
    "已验收里程碑 Accepted",
    "逾期里程碑 Overdue",
    "平均得分 Avg score",
    "未结问题 Open findings",
    "待办付款申请 Requests waiting",
    "最久等待天数 Oldest waiting days",
    "异常 Flags",
];

/// The exports' words for each anomaly of [`Flags::list`].
fn flag_words(name: &str) -> &'static str {
    match name {
        "contracts_all_milestones_overdue" => "all milestones overdue",
        "posts_vacant_over_30_days" => "posts vacant > 30 days",
        "contracts_without_indicators" => "contracts without indicators",
        "budget_lines_over_90_percent" => "lines committed > 90%",
        "organisations_with_open_findings" => "organisations with open findings",
        "requests_approved_by_accepter" => "requests approved by the milestone's accepter",
        _ => "payments before acceptance",
    }
}

fn flags_text(f: &Flags) -> String {
    f.raised()
        .into_iter()
        .map(|(name, n)| format!("{}: {n}", flag_words(name)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A text cell as CSV must carry it: a spreadsheet reads a cell starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return as a formula (`=HYPERLINK(…)` in a budget line's name
/// would become a link), so such text gets a leading `'` and stays text. Only text columns
/// pass through here: numbers (a negative amount too) are written as numbers.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The report as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese text), a totals
/// row last; text cells that would read as formulas are defused by [`csv_text`].
pub fn to_csv(r: &SpendingReport) -> ApiResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(COLUMNS).map_err(ApiError::internal)?;
    for row in r.items.iter().chain(std::iter::once(&r.totals)) {
        w.write_record([
            csv_text(&row.key),
            csv_text(&row.label),
            row.amount.to_string(),
            row.reserved.to_string(),
            row.committed.to_string(),
            row.disbursed.to_string(),
            row.available.to_string(),
            row.contracts.to_string(),
            row.milestones_accepted.to_string(),
            row.milestones_overdue.to_string(),
            row.average_score.map(|s| s.to_string()).unwrap_or_default(),
            row.open_findings.to_string(),
            row.requests_waiting.to_string(),
            row.oldest_request_waiting_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            csv_text(&flags_text(&row.flags)),
        ])
        .map_err(ApiError::internal)?;
    }
    w.into_inner()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("csv: {e}")))
}

/// A spreadsheet column index.
fn column(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// The report as an XLSX workbook: money as numeric cells with a two-decimal format, a
/// totals row last. Text goes in string cells (`write_string`), which a spreadsheet never
/// evaluates, so a name like `=HYPERLINK(…)` needs no defusing here.
pub fn to_xlsx(r: &SpendingReport, generated: DateTime<Utc>) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let money = XFormat::new().set_num_format("#,##0.00");
    let bold = XFormat::new().set_bold();
    let bold_money = XFormat::new().set_bold().set_num_format("#,##0.00");
    let ws = wb.add_worksheet();
    let err = |e: rust_xlsxwriter::XlsxError| ApiError::internal(anyhow::anyhow!("xlsx: {e}"));
    ws.set_name("spending").map_err(err)?;
    for (c, title) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, column(c), *title, &bold)
            .map_err(err)?;
    }
    let rows: Vec<&SpendingRow> = r.items.iter().chain(std::iter::once(&r.totals)).collect();
    let last = rows.len();
    for (i, row) in rows.into_iter().enumerate() {
        let y = to_u32(i + 1);
        let total = i + 1 == last;
        let mf = if total { &bold_money } else { &money };
        ws.write_string(y, 0, &row.key).map_err(err)?;
        ws.write_string(y, 1, &row.label).map_err(err)?;
        for (c, m) in [
            row.amount,
            row.reserved,
            row.committed,
            row.disbursed,
            row.available,
        ]
        .iter()
        .enumerate()
        {
            let v: f64 = m.to_string().parse().unwrap_or(0.0);
            ws.write_number_with_format(y, column(c + 2), v, mf)
                .map_err(err)?;
        }
        ws.write_number(y, 7, row.contracts as f64).map_err(err)?;
        ws.write_number(y, 8, row.milestones_accepted as f64)
            .map_err(err)?;
        ws.write_number(y, 9, row.milestones_overdue as f64)
            .map_err(err)?;
        if let Some(s) = row.average_score {
            ws.write_number(y, 10, f64::from(s.tenths()) / 10.0)
                .map_err(err)?;
        }
        ws.write_number(y, 11, row.open_findings as f64)
            .map_err(err)?;
        ws.write_number(y, 12, row.requests_waiting as f64)
            .map_err(err)?;
        if let Some(d) = row.oldest_request_waiting_days {
            ws.write_number(y, 13, d as f64).map_err(err)?;
        }
        ws.write_string(y, 14, flags_text(&row.flags))
            .map_err(err)?;
    }
    ws.write_string(
        to_u32(last) + 2,
        0,
        format!("generated {}", generated.to_rfc3339()),
    )
    .map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn text_a_spreadsheet_would_read_as_a_formula_gets_a_leading_quote() {
        for s in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-1+2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(csv_text(s), format!("'{s}"), "{s:?}");
        }
        for s in ["社工服务", "L-1 =x (2026)", "", "a-b", "'quoted"] {
            assert_eq!(csv_text(s), s, "{s:?}");
        }
    }
}
