//! The served application over real TCP sockets (`backend::app::serve_until` on 127.0.0.1:0):
//! header-read and idle keep-alive timeouts, the connection cap, graceful shutdown, bodies
//! announced over the limit, and `/metrics` on its own listener or behind its token.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use backend::app::Listening;
use entity::rules::vocab::Role;
use http_body_util::BodyExt;
use tests::{METRICS_TOKEN, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tower::ServiceExt;

/// A served instance of a [`TestApp`]'s state.
struct Served {
    listening: Listening,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Served {
    fn api(&self) -> SocketAddr {
        self.listening.api.expect("an API address")
    }

    /// Starts the graceful shutdown.
    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves the app's state (its configuration's limits, and its metrics listener if any) on
/// free loopback ports.
async fn serve(app: &TestApp) -> Served {
    let (stop, stopped) = oneshot::channel::<()>();
    let (ready, listening) = oneshot::channel();
    let done = tokio::spawn(backend::app::serve_until(
        app.state.clone(),
        move |l| {
            let _ = ready.send(*l);
        },
        async move {
            let _ = stopped.await;
        },
    ));
    Served {
        listening: listening.await.expect("the server starts"),
        stop: Some(stop),
        done,
    }
}

/// Bounds every wait on the server: a test that would hang fails instead.
const PATIENCE: Duration = Duration::from_secs(10);

/// Reads one HTTP/1.1 answer (head and `Content-Length` body) from `s`.
async fn read_answer(s: &mut TcpStream) -> String {
    let read = async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = find(&buf, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    return String::from_utf8_lossy(&buf[..end + 4 + len]).to_string();
                }
            }
            let n = s.read(&mut chunk).await.expect("read the answer");
            assert!(
                n > 0,
                "closed before a whole answer: {}",
                String::from_utf8_lossy(&buf)
            );
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("an answer in time")
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether the server closes `s` within `within` (without sending anything first).
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(within, s.read(&mut byte)).await {
        Err(_) => false,
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => panic!("the server sent bytes on a connection it should close"),
    }
}

/// A kept-alive `GET /health`.
const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nHost: huimin\r\n\r\n";

#[tokio::test]
async fn a_client_stalling_mid_request_line_is_disconnected_after_the_header_timeout() {
    let app = TestApp::with_config(|c| {
        c.header_timeout_ms = 300;
        c.idle_timeout_ms = 60_000;
    })
    .await;
    let served = serve(&app).await;
    let mut c = TcpStream::connect(served.api()).await.unwrap();
    c.write_all(b"GET /hea").await.unwrap();
    let start = Instant::now();
    assert!(closed_within(&mut c, PATIENCE).await, "still open");
    let took = start.elapsed();
    assert!(
        (Duration::from_millis(250)..Duration::from_secs(5)).contains(&took),
        "{took:?}"
    );

    // A client that never sends a byte is cut off the same way.
    let mut silent = TcpStream::connect(served.api()).await.unwrap();
    assert!(closed_within(&mut silent, PATIENCE).await);

    // A whole request in time is answered.
    let mut ok = TcpStream::connect(served.api()).await.unwrap();
    ok.write_all(HEALTH).await.unwrap();
    assert!(read_answer(&mut ok).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let app = TestApp::with_config(|c| {
        c.header_timeout_ms = 60_000;
        c.idle_timeout_ms = 300;
    })
    .await;
    let served = serve(&app).await;
    let mut c = TcpStream::connect(served.api()).await.unwrap();
    for _ in 0..2 {
        c.write_all(HEALTH).await.unwrap();
        assert!(read_answer(&mut c).await.starts_with("HTTP/1.1 200"));
    }
    let start = Instant::now();
    assert!(closed_within(&mut c, PATIENCE).await, "still open");
    let took = start.elapsed();
    assert!(
        (Duration::from_millis(250)..Duration::from_secs(5)).contains(&took),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_kept_alive_connection_outlives_the_header_timeout_until_its_next_request_stalls() {
    let app = TestApp::with_config(|c| {
        c.header_timeout_ms = 200;
        c.idle_timeout_ms = 60_000;
    })
    .await;
    let served = serve(&app).await;
    let mut c = TcpStream::connect(served.api()).await.unwrap();
    c.write_all(HEALTH).await.unwrap();
    assert!(read_answer(&mut c).await.starts_with("HTTP/1.1 200"));
    // Idle for four header timeouts: still open (the idle timeout is a minute).
    assert!(!closed_within(&mut c, Duration::from_millis(800)).await);
    c.write_all(HEALTH).await.unwrap();
    assert!(read_answer(&mut c).await.starts_with("HTTP/1.1 200"));
    // The next request's first bytes start the header timeout.
    c.write_all(b"GET /he").await.unwrap();
    let start = Instant::now();
    assert!(closed_within(&mut c, PATIENCE).await, "still open");
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn connections_above_the_cap_wait_until_one_closes() {
    let app = TestApp::with_config(|c| c.max_connections = 2).await;
    let served = serve(&app).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut c = TcpStream::connect(served.api()).await.unwrap();
        c.write_all(HEALTH).await.unwrap();
        assert!(read_answer(&mut c).await.starts_with("HTTP/1.1 200"));
        held.push(c);
    }
    // The third client's connection waits in the listen queue, unanswered...
    let mut third = TcpStream::connect(served.api()).await.unwrap();
    third.write_all(HEALTH).await.unwrap();
    let mut byte = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), third.read(&mut byte))
            .await
            .is_err(),
        "answered above the cap"
    );
    // ...until one of the two closes.
    drop(held.pop());
    assert!(read_answer(&mut third).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_request_in_flight_closes_idle_connections_and_stops() {
    let app = TestApp::with_config(|c| {
        c.header_timeout_ms = 60_000;
        c.idle_timeout_ms = 60_000;
    })
    .await;
    let mut served = serve(&app).await;
    let mut idle = TcpStream::connect(served.api()).await.unwrap();
    idle.write_all(HEALTH).await.unwrap();
    assert!(read_answer(&mut idle).await.starts_with("HTTP/1.1 200"));

    // A login whose body is half sent when the shutdown begins.
    let body = br#"{"email":"nobody@example.org","password":"wrong-password-1"}"#;
    let mut busy = TcpStream::connect(served.api()).await.unwrap();
    busy.write_all(
        format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: huimin\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    busy.write_all(&body[..10]).await.unwrap();
    served.shut_down();

    assert!(closed_within(&mut idle, PATIENCE).await, "idle stays open");
    busy.write_all(&body[10..]).await.unwrap();
    let answer = read_answer(&mut busy).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(closed_within(&mut busy, PATIENCE).await);
    tokio::time::timeout(PATIENCE, served.done)
        .await
        .expect("serve returns once every connection closed")
        .unwrap()
        .unwrap();
    assert!(
        TcpStream::connect(served.listening.api.unwrap())
            .await
            .is_err()
    );
    // The peer address reached the login throttle.
    assert_eq!(
        app.count_where("login_failure", "address = '127.0.0.1'")
            .await,
        1
    );
}

/// A request announcing `len` bytes whose body never comes.
fn announcing(
    method: Method,
    path: &str,
    len: u64,
    content_type: &str,
    token: &str,
) -> Request<Body> {
    let never = futures::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_LENGTH, len)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from_stream(never))
        .unwrap()
}

/// The router's answer (status and content type), which must come without the body.
async fn answer_at_once(app: &TestApp, req: Request<Body>) -> (StatusCode, String) {
    let router = backend::routes::build(app.state.clone());
    let res = tokio::time::timeout(PATIENCE, router.oneshot(req))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let status = res.status();
    let ct = res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    let _ = res.into_body().collect().await;
    (status, ct)
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_at_once_as_problem_json() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let org = app.user(Role::Organisation).await;
    let problem = "application/problem+json".to_string();
    let milestone = format!("/api/v1/milestones/{}/reports", uuid::Uuid::now_v7());
    // JSON: 1 MB, on every route, the upload route included.
    for (path, token) in [
        ("/api/v1/purchasers", &admin.token),
        (milestone.as_str(), &org.token),
    ] {
        let req = announcing(Method::POST, path, 12_000_000, "application/json", token);
        assert_eq!(
            answer_at_once(&app, req).await,
            (StatusCode::PAYLOAD_TOO_LARGE, problem.clone()),
            "{path}"
        );
    }
    let req = announcing(
        Method::POST,
        "/api/v1/purchasers",
        2_000_000,
        "application/json",
        &admin.token,
    );
    assert_eq!(
        answer_at_once(&app, req).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Multipart: 25 MB on the upload route; elsewhere still 1 MB.
    let multipart = "multipart/form-data; boundary=x";
    let req = announcing(Method::POST, &milestone, 30_000_000, multipart, &org.token);
    assert_eq!(
        answer_at_once(&app, req).await,
        (StatusCode::PAYLOAD_TOO_LARGE, problem.clone())
    );
    let req = announcing(
        Method::POST,
        "/api/v1/purchasers",
        2_000_000,
        multipart,
        &admin.token,
    );
    assert_eq!(
        answer_at_once(&app, req).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Within the upload limit the request goes on (the milestone is unknown: 404 before any
    // byte of the body is read).
    let req = announcing(Method::POST, &milestone, 2_000_000, multipart, &org.token);
    assert_eq!(answer_at_once(&app, req).await.0, StatusCode::NOT_FOUND);

    // Over a real socket: the head alone gets the answer.
    let served = serve(&app).await;
    let mut c = TcpStream::connect(served.api()).await.unwrap();
    c.write_all(
        b"POST /api/v1/purchasers HTTP/1.1\r\nHost: huimin\r\nContent-Type: application/json\r\nContent-Length: 12000000\r\n\r\n",
    )
    .await
    .unwrap();
    let answer = read_answer(&mut c).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(answer.contains("\"status\":413"), "{answer}");
}

#[tokio::test]
async fn metrics_on_the_main_listener_need_the_metrics_token() {
    let app = TestApp::new().await;
    let m = app.metrics().await.expect(200);
    assert!(m.text.contains("http_requests_total"), "{}", m.text);
    let none = app
        .call(Method::GET, "/metrics", None, None)
        .await
        .expect(401);
    assert_eq!(none.headers["content-type"], "application/problem+json");
    app.get("/metrics", "test-metrics-token-0123456780")
        .await
        .expect(401);
    // A user's login token is not the metrics token.
    let sup = app.user(Role::Supervisor).await;
    app.get("/metrics", &sup.token).await.expect(401);

    // Without a configured token the main listener has no metrics at all.
    let closed = TestApp::with_config(|c| c.metrics_token = None).await;
    closed
        .call(Method::GET, "/metrics", None, None)
        .await
        .expect(404);
    closed.get("/metrics", METRICS_TOKEN).await.expect(404);
}

#[tokio::test]
async fn metrics_are_served_without_a_token_on_their_own_listener_only() {
    let app = TestApp::with_config(|c| {
        c.metrics_token = None;
        c.metrics_bind = backend::config::MetricsBind(Some(SocketAddr::from(([127, 0, 0, 1], 0))));
    })
    .await;
    let mut served = serve(&app).await;
    let metrics = served.listening.metrics.expect("a metrics listener");
    assert_ne!(metrics, served.api());
    let get = |addr: SocketAddr, path: &'static str| async move {
        let mut c = TcpStream::connect(addr).await.unwrap();
        c.write_all(format!("GET {path} HTTP/1.1\r\nHost: huimin\r\n\r\n").as_bytes())
            .await
            .unwrap();
        read_answer(&mut c).await
    };
    // Something to count first.
    assert!(
        get(served.api(), "/health")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let text = get(metrics, "/metrics").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}"),
        "{text}"
    );
    assert!(get(metrics, "/health").await.starts_with("HTTP/1.1 404"));
    assert!(
        get(served.api(), "/metrics")
            .await
            .starts_with("HTTP/1.1 404")
    );
    served.shut_down();
    tokio::time::timeout(PATIENCE, served.done)
        .await
        .expect("both listeners stop")
        .unwrap()
        .unwrap();
    assert!(TcpStream::connect(metrics).await.is_err());
}

/// The pool checks only a connection idle for a while before handing it out (a ping per read
/// would cost a round trip each), so a busy connection the database dropped (a restart, an
/// administrator's `pg_terminate_backend`) fails the one request that meets it, and the pool
/// then replaces it: at most one failed request per pooled connection, then every read answers.
/// PostgreSQL only: a SQLite file has no server that could drop a connection.
#[tokio::test]
async fn busy_connections_the_database_dropped_fail_one_request_each_and_are_replaced() {
    const POOL: u32 = 4;
    let app = TestApp::with_config(|c| c.db_max_connections = POOL).await;
    if app.state.db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let fo = app.user(Role::FinanceOfficer).await;
    let read = || app.get("/api/v1/budget-lines", &fo.token);
    for _ in 0..2 * POOL {
        assert_eq!(read().await.status, StatusCode::OK);
    }
    // Every other connection of the pool to this database is dropped by the server.
    app.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await;
    let mut failed = 0;
    for _ in 0..3 * POOL {
        if read().await.status != StatusCode::OK {
            failed += 1;
        }
    }
    assert!(
        failed <= POOL,
        "{failed} reads failed with a pool of {POOL}"
    );
    for _ in 0..2 * POOL {
        assert_eq!(
            read().await.status,
            StatusCode::OK,
            "after the pool replaced them"
        );
    }
}

/// Whether another connection to the app's database finds one of the app's connections inside
/// a transaction that nothing is running: on PostgreSQL a backend `idle in transaction`; on
/// SQLite a write transaction held open (a fresh connection cannot take the write lock at once).
async fn a_connection_is_left_in_a_transaction(app: &TestApp) -> bool {
    use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend};
    let url = app
        .state
        .config
        .database_url
        .clone()
        .expect("a database URL");
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(1).sqlx_logging(false);
    let other = Database::connect(opts).await.expect("another connection");
    let left = if other.get_database_backend() == DbBackend::Postgres {
        let row = other
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Postgres,
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
            ))
            .await
            .expect("read pg_stat_activity")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("a count") > 0
    } else {
        other
            .execute_unprepared("PRAGMA busy_timeout = 0")
            .await
            .expect("busy_timeout");
        let locked = other.execute_unprepared("BEGIN IMMEDIATE").await.is_err();
        if !locked {
            other
                .execute_unprepared("ROLLBACK")
                .await
                .expect("rollback");
        }
        locked
    };
    other.close().await.expect("close");
    left
}

/// A request whose client hangs up is cancelled wherever its handler is waiting, the round trip
/// of its transaction's `BEGIN` included. The pooled connection must not go back to the pool
/// inside that transaction: the next borrower's statements would run in it (a logout's
/// revocation, say), uncommitted and holding their locks until something ends it. sqlx 0.9.0
/// left it so on PostgreSQL (launchbadge/sqlx#4393, fixed in 0.9.1); the write bench found two
/// such connections after a 3-second run. Each try polls the API's `begin_write` one to four
/// times, a millisecond apart, and drops it while it is still pending.
#[tokio::test]
async fn a_write_abandoned_while_it_begins_leaves_no_connection_inside_a_transaction() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let app = TestApp::with_config(|c| c.db_max_connections = 2).await;
    let mut cx = Context::from_waker(Waker::noop());
    let mut abandoned = 0;
    for polls in 1..=4 {
        for attempt in 0..5 {
            {
                let mut begin = std::pin::pin!(backend::db::begin_write(&app.state.writer));
                let mut done = false;
                for i in 0..polls {
                    if i > 0 {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    if let Poll::Ready(txn) = begin.as_mut().poll(&mut cx) {
                        txn.expect("begin").rollback().await.expect("rollback");
                        done = true;
                        break;
                    }
                }
                if !done {
                    abandoned += 1;
                }
            }
            // The pool takes the dropped connection back in a task of its own.
            tokio::time::sleep(Duration::from_millis(20)).await;
            assert!(
                !a_connection_is_left_in_a_transaction(&app).await,
                "a connection stayed inside a transaction after a begin abandoned \
                 after {polls} polls (try {attempt})"
            );
        }
    }
    assert!(abandoned > 0, "every begin finished before it was dropped");
    // The pool's connections still write.
    let fo = app.user(Role::FinanceOfficer).await;
    app.get("/api/v1/me", &fo.token).await.expect(200);
}
