//! Delivery, rule by rule: milestones, indicators, reports (JSON and multipart, with their
//! attachments and idempotency), review, score and payable (SPEC §4), post funding, payments
//! and the completion of a contract — each refusal with what it leaves written.

use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{Duration, TimeZone, Utc};
use entity::rules::vocab::Role;
use http_body_util::BodyExt;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tests::web::{Part, multipart};
use tests::{Answer, Login, TestApp, World};
use tower::ServiceExt;
use uuid::Uuid;

mod indicators;
mod known_bugs;
mod milestones;
mod payments;
mod post_funding;
mod reports;
mod review;
mod score_and_payable;

/// Valid national ID numbers (GB 11643 check characters).
const ID_A: &str = "11010519491231002X";
const ID_B: &str = "110101199003074477";

/// A small PDF and its SHA-256 (computed with `sha256sum`, not by the server).
const PDF: &[u8] =
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PDF_SHA256: &str = "5630ac86b999e3003a685504c6d6049e64b297ea086c56639500e9544212493e";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01";
const HEIC: &[u8] = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic";
const MB: usize = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Fixtures and helpers

fn contract_path(id: Uuid) -> String {
    format!("/api/v1/contracts/{id}")
}

fn milestone_path(id: Uuid) -> String {
    format!("/api/v1/milestones/{id}")
}

async fn sign(app: &TestApp, d: &World) {
    app.act(&format!("{}/sign", contract_path(d.contract)), &d.fo.token)
        .await
        .expect(200);
}

async fn add_milestone(
    app: &TestApp,
    fo: &Login,
    contract: Uuid,
    due: &str,
    amount: &str,
) -> Answer {
    app.post(
        &format!("{}/milestones", contract_path(contract)),
        &fo.token,
        json!({"title": format!("截至 {due} 的服务"), "due_date": due, "amount": amount}),
    )
    .await
}

async fn milestone(app: &TestApp, d: &World, due: &str, amount: &str) -> Uuid {
    add_milestone(app, &d.fo, d.contract, due, amount)
        .await
        .expect(201)
        .id()
}

async fn get_milestone(app: &TestApp, token: &str, m: Uuid) -> Value {
    app.get(&milestone_path(m), token).await.expect(200).body
}

/// A JSON report on `m`, one minute after the previous request (so that reports never share
/// a timestamp).
async fn report(app: &TestApp, staff: &Login, m: Uuid, measurements: Value) -> Answer {
    app.clock.advance(Duration::minutes(1));
    app.post(
        &format!("{}/reports", milestone_path(m)),
        &staff.token,
        json!({"summary": "本期服务已按计划完成", "measurements": measurements}),
    )
    .await
}

async fn accept(app: &TestApp, token: &str, m: Uuid) -> Answer {
    app.act(&format!("{}/accept", milestone_path(m)), token)
        .await
}

async fn reject(app: &TestApp, token: &str, m: Uuid, comment: &str) -> Answer {
    app.post(
        &format!("{}/reject", milestone_path(m)),
        token,
        json!({"comment": comment}),
    )
    .await
}

async fn cancel(app: &TestApp, token: &str, m: Uuid, reason: &str) -> Answer {
    app.post(
        &format!("{}/cancel", milestone_path(m)),
        token,
        json!({"reason": reason}),
    )
    .await
}

/// Reports `measurements` on `m` and accepts the report: the accepted milestone.
async fn deliver(app: &TestApp, d: &World, m: Uuid, measurements: Value) -> Value {
    report(app, &d.staff, m, measurements).await.expect(201);
    let out = accept(app, &d.fo.token, m).await.expect(200).body;
    assert_eq!(out["status"], "accepted");
    out
}

/// A level indicator.
fn ind(code: &str, comparator: &str, target: Value, weight: i64) -> Value {
    json!({"code": code, "name": format!("指标 {code}"), "unit": "次", "target": target, "comparator": comparator, "weight": weight})
}

async fn add_indicators(app: &TestApp, fo: &Login, contract: Uuid, body: Value) -> Answer {
    app.post(
        &format!("{}/indicators", contract_path(contract)),
        &fo.token,
        body,
    )
    .await
}

/// The ids of a contract's indicators by code.
async fn indicator_ids(app: &TestApp, d: &World) -> std::collections::HashMap<String, String> {
    let list = app
        .get(
            &format!("{}/indicators", contract_path(d.contract)),
            &d.fo.token,
        )
        .await
        .expect(200)
        .body;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A payment body paid on the test clock's first day (2026-03-02, the signing date).
fn payment(milestone: Option<Uuid>, amount: &str, voucher: &str) -> Value {
    json!({"milestone_id": milestone, "amount": amount, "paid_on": "2026-03-02", "voucher_no": voucher})
}

async fn pay(app: &TestApp, token: &str, contract: Uuid, body: Value) -> Answer {
    app.pay(token, contract, body).await
}

/// A budget line's `(committed, disbursed, available)`.
async fn line_figures(app: &TestApp, fo: &Login, line: Uuid) -> (String, String, String) {
    let l = app
        .get(&format!("/api/v1/budget-lines/{line}"), &fo.token)
        .await
        .expect(200)
        .body;
    let s = |k: &str| {
        l[k].as_str()
            .unwrap_or_else(|| panic!("{k} in {l}"))
            .to_string()
    };
    (s("committed"), s("disbursed"), s("available"))
}

/// A decimal from a JSON string (money, decimal text) or number (scores, quantities).
fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => s.parse().expect("decimal text"),
        Value::Number(n) => n.to_string().parse().expect("decimal number"),
        other => panic!("expected a decimal, got {other}"),
    }
}

/// `num / den` rounded half-up (both positive).
fn half_up(num: i128, den: i128) -> i128 {
    (2 * num + den) / (2 * den)
}

/// Fen as the API's money text.
fn money(fen: i128) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn at(app: &TestApp, y: i32, mo: u32, d: u32, h: u32, mi: u32) {
    app.clock
        .set(Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap());
}

/// Every file under the file store (the temporary directory included).
fn stored_files(app: &TestApp) -> usize {
    fn walk(p: &Path) -> usize {
        let Ok(rd) = std::fs::read_dir(p) else {
            return 0;
        };
        rd.filter_map(Result::ok)
            .map(|e| {
                let p = e.path();
                if p.is_dir() { walk(&p) } else { 1 }
            })
            .sum()
    }
    walk(&app.state.config.files_dir())
}

fn report_part(v: Value) -> Part {
    Part {
        content_type: Some("application/json".into()),
        ..Part::text("report", &v.to_string())
    }
}

fn file_part(file_name: &str, content_type: Option<&str>, bytes: &[u8]) -> Part {
    Part {
        content_type: content_type.map(str::to_string),
        ..Part::file(file_name, "", bytes)
    }
}

fn summary() -> Value {
    json!({"summary": "走访记录见附件", "measurements": []})
}

async fn upload(app: &TestApp, token: &str, m: Uuid, parts: &[Part]) -> Answer {
    let (body, ct) = multipart(parts);
    app.send_from(
        None,
        Method::POST,
        &format!("{}/reports", milestone_path(m)),
        Some(token),
        Some(Body::from(body)),
        Some(&ct),
    )
    .await
}

/// A request through a router on the app's state, with extra headers (the harness sends
/// none) and the raw bytes of the answer.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = tests::backend::routes::build(app.state.clone())
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, bytes.to_vec())
}

/// A POST with extra headers, as an [`Answer`].
async fn send_with_headers(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Answer {
    let (status, headers, bytes) = raw(
        app,
        Method::POST,
        path,
        token,
        Some(content_type),
        body,
        headers,
    )
    .await;
    Answer {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(&bytes).to_string(),
        raw: bytes.to_vec(),
    }
}

/// The status and exact bytes of a download.
async fn download(app: &TestApp, path: &str, token: &str) -> (u16, Vec<u8>) {
    let (status, _, bytes) = raw(app, Method::GET, path, token, None, Vec::new(), &[]).await;
    (status.as_u16(), bytes)
}

async fn add_post(app: &TestApp, d: &World, start: &str, end: &str, annual: &str) -> Uuid {
    app.post(
        &format!("{}/posts", contract_path(d.contract)),
        &d.fo.token,
        json!({
            "title": "村级社会工作服务站社工岗",
            "division_code": "410523100201",
            "required_qualification": "none",
            "annual_funding": annual,
            "start_date": start,
            "end_date": end,
        }),
    )
    .await
    .expect(201)
    .id()
}

async fn staff_post(app: &TestApp, d: &World, post: Uuid, id_number: &str, from: &str) -> Uuid {
    app.post(
        &format!("/api/v1/posts/{post}/assignments"),
        &d.staff.token,
        json!({"worker_name": "李娟", "qualification": "none", "id_number": id_number, "from_date": from}),
    )
    .await
    .expect(201)
    .id()
}

async fn end_assignment(app: &TestApp, d: &World, post: Uuid, aid: Uuid, to: &str) {
    app.post(
        &format!("/api/v1/posts/{post}/assignments/{aid}/end"),
        &d.staff.token,
        json!({"to_date": to}),
    )
    .await
    .expect(200);
}

async fn post_funding(app: &TestApp, d: &World, query: &str) -> Answer {
    app.get(
        &format!("{}/post-funding{query}", contract_path(d.contract)),
        &d.fo.token,
    )
    .await
}
