//! The file store around uploads: what a refused, failed or cut-off upload leaves (nothing),
//! the `file_sweep` job (old temporary files and old unreferenced files go; referenced and
//! young files stay), and HEIC known by its brands.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, header};
use futures::StreamExt;
use serde_json::json;
use tests::{Answer, Login, TestApp, files_under};
use tower::ServiceExt;
use uuid::Uuid;

const BOUNDARY: &str = "huimin-files-boundary";
const PDF: &[u8] =
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PDF_SHA256: &str = "5630ac86b999e3003a685504c6d6049e64b297ea086c56639500e9544212493e";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";

/// An organisation's staff and a planned milestone of their active contract.
async fn milestone(app: &TestApp) -> (Login, Uuid) {
    let w = app
        .world()
        .line_amount("100000.00")
        .value("10000.00")
        .milestone_titled("第二季度服务", "2026-06-30", "1000.00")
        .await;
    (w.staff, w.milestones[0])
}

/// The `report` part and `files` parts `(file name, content type, bytes)` as multipart.
fn multipart(files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"report\"\r\nContent-Type: application/json\r\n\r\n{}\r\n",
        json!({"summary": "走访记录见附件", "measurements": []})
    )
    .into_bytes();
    for (name, ct, bytes) in files {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: {ct}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body
}

fn end() -> Vec<u8> {
    format!("--{BOUNDARY}--\r\n").into_bytes()
}

async fn upload(app: &TestApp, staff: &Login, m: Uuid, files: &[(&str, &str, &[u8])]) -> Answer {
    let mut body = multipart(files);
    body.extend(end());
    app.send_from(
        None,
        Method::POST,
        &format!("/api/v1/milestones/{m}/reports"),
        Some(&staff.token),
        Some(Body::from(body)),
        Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
    )
    .await
}

fn root(app: &TestApp) -> PathBuf {
    app.state.config.files_dir()
}

/// A file at `path` (folders made) last modified `age` ago.
fn file_aged(path: &Path, bytes: &[u8], age: Duration) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

const HOUR: Duration = Duration::from_secs(3600);

/// A request cut off mid-upload (the client went away: the server drops the request's
/// future) leaves neither the temporary file of the file it was receiving nor the file it
/// had already stored.
#[tokio::test]
async fn an_upload_cut_off_mid_request_leaves_no_temporary_and_no_stored_file() {
    let app = TestApp::new().await;
    let (staff, m) = milestone(&app).await;
    // The report, a whole PDF, then the first bytes of a PNG; then the client stalls.
    let mut first = multipart(&[("visit.pdf", "application/pdf", PDF)]);
    first.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    first.extend(PNG);
    first.extend(vec![b'x'; 4096]);
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(first)) })
        .chain(futures::stream::pending());
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/milestones/{m}/reports"))
        .header(header::AUTHORIZATION, format!("Bearer {}", staff.token))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(stream))
        .unwrap();
    let router = backend::routes::build(app.state.clone());
    let request = tokio::spawn(router.oneshot(req));
    // Waits until the server has stored the PDF and is writing the PNG's first bytes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let png_started = |files: &[String]| {
        files.iter().any(|f| f.ends_with(PDF_SHA256)) && files.iter().any(|f| f.starts_with("tmp/"))
    };
    loop {
        let during = files_under(&root(&app));
        if png_started(&during) {
            assert_eq!(during.len(), 2, "{during:?}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server never got to the PNG: {during:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // The client goes away. An upload caught while being moved into place is removed once it
    // is there, by a task of its own: the store is empty within moments.
    request.abort();
    assert!(request.await.unwrap_err().is_cancelled());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !files_under(&root(&app)).is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(files_under(&root(&app)), Vec::<String>::new());
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(app.count("attachment").await, 0);
}

/// A refused upload removes only the files it created: bytes already in the store (here
/// stored by a request still in flight, with no attachment yet) stay.
#[tokio::test]
async fn a_refused_upload_leaves_the_same_bytes_stored_by_another_request() {
    let app = TestApp::new().await;
    let (staff, m) = milestone(&app).await;
    let theirs = jobs::file_store::path_of(&root(&app), PDF_SHA256);
    file_aged(&theirs, PDF, Duration::ZERO);
    // A PDF, then a text file: 415 after the PDF was stored.
    upload(
        &app,
        &staff,
        m,
        &[
            ("visit.pdf", "application/pdf", PDF),
            ("photo.png", "image/png", PNG),
            ("notes.txt", "text/plain", b"visited 12 homes"),
        ],
    )
    .await
    .expect(415);
    assert_eq!(
        std::fs::read(&theirs).unwrap(),
        PDF,
        "the other request's file"
    );
    assert_eq!(
        files_under(&root(&app)),
        [format!("{}/{PDF_SHA256}", &PDF_SHA256[..2])],
        "the PNG it created is gone, nothing is left in tmp/"
    );
}

/// `file_sweep` removes temporary files over an hour old and stored files no attachment
/// refers to once over a day old; a referenced file (however old), a young unreferenced one,
/// a young temporary file and anything not of the store's layout stay.
#[tokio::test]
async fn the_file_sweep_removes_old_temporary_and_old_unreferenced_files_only() {
    let app = TestApp::new().await;
    let (staff, m) = milestone(&app).await;
    upload(&app, &staff, m, &[("visit.pdf", "application/pdf", PDF)])
        .await
        .expect(201);
    let root = root(&app);
    let path = |sha: &str| jobs::file_store::path_of(&root, sha);
    let referenced = path(PDF_SHA256);
    file_aged(&referenced, PDF, 30 * 24 * HOUR);
    let old_orphan = path(&"ab".repeat(32));
    file_aged(&old_orphan, b"refused", 25 * HOUR);
    let young_orphan = path(&"cd".repeat(32));
    file_aged(&young_orphan, b"in flight", 23 * HOUR);
    let old_tmp = root.join("tmp").join(Uuid::new_v4().to_string());
    file_aged(&old_tmp, b"cut off", 2 * HOUR);
    let young_tmp = root.join("tmp").join(Uuid::new_v4().to_string());
    file_aged(&young_tmp, b"uploading", Duration::from_secs(60));
    let foreign = root.join("zz").join("notes.txt");
    file_aged(&foreign, b"not ours", 30 * 24 * HOUR);

    let c = app.run_job("file_sweep").await.expect("the job ran");
    assert_eq!((c.examined, c.notified, c.errors), (5, 2, 0));
    for (p, kept) in [
        (&referenced, true),
        (&old_orphan, false),
        (&young_orphan, true),
        (&old_tmp, false),
        (&young_tmp, true),
        (&foreign, true),
    ] {
        assert_eq!(p.exists(), kept, "{}", p.display());
    }
    // The attachment still downloads.
    let report = app
        .get(&format!("/api/v1/milestones/{m}/reports"), &staff.token)
        .await
        .expect(200)
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(
        &format!("/api/v1/reports/{report}/files/{PDF_SHA256}"),
        &staff.token,
    )
    .await
    .expect(200);
    assert_eq!(
        app.count_where("job_run", "job = 'file_sweep' AND outcome = 'ok'")
            .await,
        1
    );
}

/// Every ISO BMFF file starts with an `ftyp` box: an MP4 video sent as `image/heic` is
/// refused (415); HEIC files of the usual brands are taken.
#[tokio::test]
async fn heic_is_recognised_by_its_brands_and_an_mp4_is_refused() {
    let app = TestApp::new().await;
    let (staff, m) = milestone(&app).await;
    let mp4: &[u8] =
        b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free";
    let a = upload(&app, &staff, m, &[("clip.heic", "image/heic", mp4)])
        .await
        .expect(415);
    assert_eq!(a.body["status"], 415);
    assert_eq!(app.count("milestone_report").await, 0);
    assert_eq!(files_under(&root(&app)), Vec::<String>::new());

    let apple: &[u8] = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x08meta";
    let generic: &[u8] = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heix\x00\x00\x00\x08meta";
    let burst: &[u8] = b"\x00\x00\x00\x18ftypmsf1\x00\x00\x00\x00msf1hevc\x00\x00\x00\x08meta";
    let ok = upload(
        &app,
        &staff,
        m,
        &[
            ("a.heic", "image/heic", apple),
            ("b.heic", "image/heic", generic),
            ("c.heic", "image/heic", burst),
        ],
    )
    .await
    .expect(201);
    assert_eq!(ok.body["attachments"].as_array().unwrap().len(), 3);
}
