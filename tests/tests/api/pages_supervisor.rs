//! The supervisor's spending page through HTTP: who may see it (as the API's report), its
//! chart's bars against the figures (read from the SVG), its downloads against its table (the
//! CSV and the workbook parsed), the division drill-down from a county to its villages, and
//! bad filters shown beside their fields.

use std::io::Cursor;

use entity::rules::vocab::Role;
use rust_decimal::Decimal;
use serde_json::json;
use tests::web::{Browser, location};
use tests::{Login, TestApp};

/// A browser signed in as `who`.
pub(crate) fn browser<'a>(app: &'a TestApp, who: &Login) -> Browser<'a> {
    Browser::signed_in(app, who)
}

/// The text of an HTML fragment: tags dropped, entities decoded, blanks squeezed.
pub(crate) fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `(attributes, inner HTML)` of each `<tag …>…</tag>` in `html` (not nested).
pub(crate) fn elements<'a>(html: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        // `<tr` must not match `<track`.
        if !after.starts_with([' ', '>']) {
            rest = after;
            continue;
        }
        let Some(end_attrs) = after.find('>') else {
            break;
        };
        let attrs = &after[..end_attrs];
        let body = &after[end_attrs + 1..];
        let Some(end) = body.find(&close) else { break };
        out.push((attrs, &body[..end]));
        rest = &body[end + close.len()..];
    }
    out
}

/// The value of attribute `name` in an element's attributes.
pub(crate) fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let at = attrs.find(&key)? + key.len();
    attrs[at..].split('"').next()
}

/// Money as a page shows it (`¥1,234.50`) as a decimal.
pub(crate) fn money(s: &str) -> Decimal {
    s.trim()
        .trim_start_matches('¥')
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not money: {s:?}"))
}

/// A row of the page's table: its key and the text of each cell.
#[derive(Debug)]
pub(crate) struct PageRow {
    pub(crate) key: String,
    pub(crate) cells: Vec<String>,
    /// The count of each anomaly its flags cell explains (the first number of each).
    flags: Vec<i64>,
}

/// The rows of the spending table (body, then the totals row); a row's first cell holds the
/// group's name, then its anomalies.
pub(crate) fn table_rows(html: &str) -> Vec<PageRow> {
    let table = html
        .split("class=\"cards spending-table\"")
        .nth(1)
        .expect("the spending table")
        .split("</table>")
        .next()
        .unwrap();
    elements(table, "tr")
        .into_iter()
        .filter_map(|(attrs, body)| {
            let key = attr(attrs, "data-key")?.to_string();
            let tds = elements(body, "td");
            // The anomalies are explained under the group's name.
            let flags = body
                .split("<span class=\"flag\">")
                .skip(1)
                .map(|f| integers(&text(f.split("</span>").next().unwrap()))[0])
                .collect();
            let cells = tds.into_iter().map(|(_, b)| text(b)).collect();
            Some(PageRow { key, cells, flags })
        })
        .collect()
}

/// The integers in a text, in order.
fn integers(s: &str) -> Vec<i64> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect()
}

async fn demo(app: &TestApp) {
    backend::demo::load(&app.state).await.expect("demo data");
}

#[tokio::test]
async fn the_spending_page_answers_officers_supervisors_and_admins_as_the_report_does() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let admin = app.user(Role::Admin).await;
    let staff = app.user(Role::Organisation).await;
    let fo = app.user(Role::FinanceOfficer).await;
    for g in [
        "purchaser",
        "organisation",
        "budget_line",
        "category",
        "division",
    ] {
        let path = format!("/spending?group_by={g}");
        for who in [&sup, &admin] {
            let page = browser(&app, who).get(&path).await.expect(200);
            assert!(page.text.contains("<svg class=\"spending-chart\""), "{g}");
            let api = app
                .get(
                    &format!("/api/v1/reports/spending?group_by={g}"),
                    &who.token,
                )
                .await
                .expect(200)
                .body;
            let rows = table_rows(&page.text);
            assert_eq!(
                rows.len(),
                api["items"].as_array().unwrap().len() + 1,
                "{g}"
            );
            let total = rows.last().unwrap();
            assert_eq!(total.key, "total");
            assert_eq!(
                money(&total.cells[3]),
                api["totals"]["committed"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            );
        }
        // An officer's report is their purchaser's: this one has no contract.
        let own = browser(&app, &fo).get(&path).await.expect(200);
        assert!(own.text.contains("没有符合条件的合同"), "{g}");
        assert!(
            !own.text.contains("name=\"purchaser_id\""),
            "no purchaser to choose"
        );
        browser(&app, &staff).get(&path).await.expect(403);
    }
    // The demo officer sees their own figures; a visitor is sent to sign in.
    let mut demo_fo = Browser::new(&app);
    demo_fo
        .sign_in("finance@huimin.demo", backend::demo::DEMO_PASSWORD)
        .await;
    let own = demo_fo
        .get("/spending?group_by=budget_line")
        .await
        .expect(200);
    assert!(own.text.contains("困境儿童"), "the demo's lines");
    let visitor = Browser::new(&app).get("/spending").await;
    assert_eq!(visitor.status.as_u16(), 303);
    assert!(location(&visitor).starts_with("/login"));
    // The supervisor's menu leads here, and to the findings and the contracts.
    let home = browser(&app, &sup).get("/").await.expect(200);
    for href in [
        "href=\"/spending\"",
        "href=\"/findings\"",
        "href=\"/contracts\"",
    ] {
        assert!(home.text.contains(href), "{href}");
    }
}

#[tokio::test]
async fn the_charts_bars_are_proportional_to_the_figures() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    for g in ["budget_line", "organisation", "category"] {
        let page = browser(&app, &sup)
            .get(&format!("/spending?group_by={g}"))
            .await
            .expect(200);
        let svg = page
            .text
            .split("<svg class=\"spending-chart\"")
            .nth(1)
            .unwrap()
            .split("</svg>")
            .next()
            .unwrap();
        // Each bar: (class, value, width in per cent of the widest figure).
        let bars: Vec<(String, Decimal, Decimal)> = elements(svg, "rect")
            .into_iter()
            .map(|(a, _)| {
                let width = attr(a, "width").unwrap().trim_end_matches('%');
                (
                    attr(a, "class").unwrap().to_string(),
                    attr(a, "data-value").unwrap().parse().unwrap(),
                    width.parse().unwrap(),
                )
            })
            .collect();
        assert!(bars.len() >= 4, "{g}: {bars:?}");
        let max = bars.iter().map(|b| b.1).max().unwrap();
        assert!(max > Decimal::ZERO);
        for (class, value, width) in &bars {
            let expected = (*value * Decimal::from(100) / max).round_dp(2);
            assert_eq!(*width, expected, "{g} {class}: {value} of {max}");
        }
        assert!(bars.iter().any(|b| b.2 == Decimal::from(100)));
        // The bars are the table's figures: committed and disbursed of each charted group.
        let rows = table_rows(&page.text);
        let committed: Vec<Decimal> = bars
            .iter()
            .filter(|b| b.0 == "bar-committed")
            .map(|b| b.1)
            .collect();
        let disbursed: Vec<Decimal> = bars
            .iter()
            .filter(|b| b.0 == "bar-disbursed")
            .map(|b| b.1)
            .collect();
        assert_eq!(committed.len(), disbursed.len());
        for (c, d) in committed.iter().zip(&disbursed) {
            assert!(
                rows.iter()
                    .any(|r| money(&r.cells[3]) == *c && money(&r.cells[4]) == *d),
                "{g}: a group with committed {c} and disbursed {d}"
            );
        }
        // Largest first; the text table beside the chart names each for screen readers.
        assert!(committed.windows(2).all(|w| w[0] >= w[1]), "{committed:?}");
        assert!(page.text.contains("<table class=\"visually-hidden\">"));
    }
}

/// The page's rows and the CSV's records are the same groups in the same order, with the same
/// figures; the workbook too.
fn assert_same(page: &[PageRow], csv_bytes: &[u8], xlsx: Vec<u8>, check_label: bool) {
    assert!(csv_bytes.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&csv_bytes[3..]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), page.len());
    for (r, p) in records.iter().zip(page) {
        assert_eq!(&r[0], p.key, "the same group in the same place");
        if check_label && p.key != "total" {
            assert!(p.cells[0].starts_with(&r[1]), "{} vs {}", &r[1], p.cells[0]);
        }
        for (c, col) in (2..=6).zip(1..=5) {
            assert_eq!(
                r[c].parse::<Decimal>().unwrap(),
                money(&p.cells[col]),
                "{} column {c}",
                p.key
            );
        }
        for (c, col) in (7..=13).zip(6..=12) {
            assert_eq!(&r[c], p.cells[col], "{} column {c}", p.key);
        }
        let csv_flags: Vec<i64> = r[14]
            .split("; ")
            .filter(|s| !s.is_empty())
            .map(|s| *integers(s).last().unwrap())
            .collect();
        assert_eq!(csv_flags, p.flags, "{}: the same anomalies", p.key);
    }

    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).expect("a workbook");
    let range = wb.worksheet_range("spending").unwrap();
    let rows: Vec<_> = range.rows().skip(1).take(page.len()).collect();
    assert_eq!(rows.len(), page.len());
    for (x, p) in rows.iter().zip(page) {
        assert_eq!(x[0], Data::String(p.key.clone()));
        for (c, col) in (2..=6).zip(1..=5) {
            let Data::Float(f) = x[c] else {
                panic!("money is a number cell: {:?}", x[c])
            };
            assert_eq!(
                format!("{f:.2}"),
                money(&p.cells[col]).to_string(),
                "{}",
                p.key
            );
        }
        for (c, col) in (7..=9).chain(11..=12).zip((6..=8).chain(10..=11)) {
            assert_eq!(
                x[c],
                Data::Float(p.cells[col].parse().unwrap()),
                "{}",
                p.key
            );
        }
    }
}

#[tokio::test]
async fn the_csv_and_the_workbook_hold_exactly_what_the_page_shows() {
    let app = TestApp::new().await;
    demo(&app).await;
    let sup = app.user(Role::Supervisor).await;
    let mut b = browser(&app, &sup);
    for (query, label) in [
        ("group_by=budget_line&fiscal_year=2026", true),
        ("group_by=organisation", true),
        ("group_by=category&division_code=410523", false),
        ("group_by=division", false),
        ("group_by=purchaser&from=2026-01-01&to=2026-12-31", true),
    ] {
        let page = b.get(&format!("/spending?{query}")).await.expect(200);
        let rows = table_rows(&page.text);
        assert!(rows.len() >= 2, "{query}");
        // The page's own download links, followed as a browser would.
        let href_of = |format: &str| {
            let marker = format!("format={format}\" download");
            let end =
                page.text.find(&marker).expect("a download link") + "format=".len() + format.len();
            let start = page.text[..end].rfind("href=\"").unwrap() + 6;
            page.text[start..end].replace("&amp;", "&")
        };
        let csv = b.get(&href_of("csv")).await.expect(200);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let xlsx = b.get(&href_of("xlsx")).await.expect(200);
        assert_same(&rows, &csv.raw, xlsx.raw, label);
    }
    // A download with a bad filter is no download.
    b.get("/spending?group_by=division&division_code=x&format=csv")
        .await
        .expect(422);
    b.get("/spending?format=pdf").await.expect(422);
}

/// Signs a direct award of `value` at `division` on a line of `fo`.
async fn contract_at(app: &TestApp, fo: &Login, org: uuid::Uuid, division: &str, value: &str) {
    let line = app.budget_line(fo, "1000000.00").await;
    let mut body = app.direct_award_body(fo, org, line, value);
    body["division_code"] = json!(division);
    let id = app
        .post("/api/v1/contracts", &fo.token, body)
        .await
        .expect(201)
        .id();
    app.act(&format!("/api/v1/contracts/{id}/sign"), &fo.token)
        .await
        .expect(200);
}

#[tokio::test]
async fn the_drill_down_goes_from_the_county_to_its_townships_to_its_villages() {
    let app = TestApp::new().await;
    let fo = app.user(Role::FinanceOfficer).await;
    let org = app.organisation().await;
    contract_at(&app, &fo, org, "410523", "10000.00").await;
    contract_at(&app, &fo, org, "410523100201", "20000.00").await;
    contract_at(&app, &fo, org, "410523100202", "30000.00").await;
    contract_at(&app, &fo, org, "410523101001", "40000.00").await;
    // The register names the county, one township and one village (not the others).
    let entries: Vec<_> = [
        ("410523", "汤阴县"),
        ("410523100", "城关镇"),
        ("410523100201", "韩庄村"),
    ]
    .into_iter()
    .map(|(code, name)| backend::services::divisions::Entry {
        code: code.into(),
        name: name.into(),
    })
    .collect();
    backend::services::divisions::import(&app.state.writer, &entries)
        .await
        .expect("the names");
    let sup = app.user(Role::Supervisor).await;
    let mut b = browser(&app, &sup);

    // Counties: one, its link one level down.
    let county = b.get("/spending?group_by=division").await.expect(200);
    let rows = table_rows(&county.text);
    assert_eq!(
        rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["410523", "total"]
    );
    assert_eq!(rows[0].cells[6], "4");
    assert!(
        rows[0].cells[0].starts_with("汤阴县 410523"),
        "{:?}",
        rows[0].cells
    );
    let link = "/spending?group_by=division&amp;division_code=410523\"";
    assert!(county.text.contains(link), "{}", county.text);

    // Its townships, beside the county's own contract; each township leads to its villages.
    let townships = b
        .get("/spending?group_by=division&division_code=410523")
        .await
        .expect(200);
    let rows = table_rows(&townships.text);
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["410523", "410523100", "410523101", "total"]);
    assert_eq!(money(&rows[1].cells[3]), "50000.00".parse().unwrap());
    assert_eq!(rows[1].cells[6], "2");
    // Names beside codes; a division the register does not know shows its code.
    assert!(
        rows[0].cells[0].starts_with("汤阴县（本级） 410523"),
        "{:?}",
        rows[0]
    );
    assert!(rows[1].cells[0].starts_with("城关镇 410523100"));
    assert!(rows[2].cells[0].starts_with("410523101"));
    assert!(
        townships.text.contains(
            "<span aria-current=\"page\">汤阴县 <span class=\"muted\">410523</span></span>"
        )
    );
    assert!(townships.text.contains("division_code=410523100\""));
    let own_row = townships.text.split("data-key=\"410523\"").nth(1).unwrap();
    assert!(
        !own_row.split("</tr>").next().unwrap().contains("<a "),
        "the county's own row leads nowhere deeper"
    );
    // The path back up.
    assert!(townships.text.contains("class=\"crumbs division-path\""));

    let villages = b
        .get("/spending?group_by=division&division_code=410523100")
        .await
        .expect(200);
    let rows = table_rows(&villages.text);
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["410523100201", "410523100202", "total"]);
    let village_row = villages
        .text
        .split("data-key=\"410523100201\"")
        .nth(1)
        .unwrap();
    assert!(
        !village_row.split("</tr>").next().unwrap().contains("<a "),
        "villages are the last level"
    );
    let village = b
        .get("/spending?group_by=division&division_code=410523100202")
        .await
        .expect(200);
    let rows = table_rows(&village.text);
    assert_eq!(rows[0].key, "410523100202");
    assert_eq!(money(&rows[0].cells[3]), "30000.00".parse().unwrap());

    // The API's report groups the same way (one rule).
    let api = app
        .get(
            "/api/v1/reports/spending?group_by=division&division_code=410523",
            &sup.token,
        )
        .await
        .expect(200)
        .body;
    let api_keys: Vec<&str> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(api_keys, ["410523", "410523100", "410523101"]);
    assert_eq!(api["items"][1]["label"], "城关镇");
    assert_eq!(api["items"][2]["label"], "410523101");
}

#[tokio::test]
async fn bad_filters_are_shown_beside_their_fields() {
    let app = TestApp::new().await;
    app.purchaser().await;
    let sup = app.user(Role::Supervisor).await;
    let mut b = browser(&app, &sup);
    for (query, field) in [
        ("division_code=41x", "division_code"),
        ("from=2026-05-01&to=2026-04-01", "to"),
        ("group_by=colour", "group_by"),
        ("purchaser_id=nobody", "purchaser_id"),
        ("fiscal_year=soon", "fiscal_year"),
        ("service_category=gardening", "service_category"),
        ("from=yesterday", "from"),
    ] {
        let page = b.get(&format!("/spending?{query}")).await.expect(422);
        assert!(
            page.text.contains(&format!("id=\"f-{field}-error\"")),
            "{query}: {}",
            page.text
        );
        assert!(
            page.text
                .contains(&format!("aria-describedby=\"f-{field}-error\""))
        );
        assert!(
            !page.text.contains("spending-table"),
            "no report for bad filters"
        );
    }
    // English too.
    b.submit("/", "/profile/language", &[("locale", "en"), ("next", "/")])
        .await
        .expect(303);
    let en = b.get("/spending?group_by=division").await.expect(200);
    assert!(en.text.contains("Spending report"), "{}", en.text);
}
