//! Sign-in under attack: guesses counted before they are verified, per account and address,
//! per address and per account; a bounded number of password hashes at once; passwords an admin
//! set that must be changed first; the installation's secret.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use entity::rules::vocab::Role;
use futures::future::join_all;
use serde_json::{Value, json};
use tests::{Answer, PASSWORD, TestApp};

fn addr(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 40000)
}

/// A login request for `email`, optionally with an `X-Forwarded-For` header.
fn login_request(email: &str, password: &str, forwarded: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.body(Body::from(
        json!({"email": email, "password": password}).to_string(),
    ))
    .unwrap()
}

async fn login_from(
    app: &TestApp,
    from: impl AsRef<str>,
    email: impl AsRef<str>,
    password: impl AsRef<str>,
) -> Answer {
    let req = login_request(email.as_ref(), password.as_ref(), None);
    app.send(Some(addr(from.as_ref())), req).await
}

/// The e-mail of the user behind a harness login.
async fn email_of(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me", token).await.expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string()
}

fn statuses(answers: &[Answer]) -> (usize, usize, usize) {
    let n = |s: StatusCode| answers.iter().filter(|a| a.status == s).count();
    (
        n(StatusCode::OK),
        n(StatusCode::UNAUTHORIZED),
        n(StatusCode::TOO_MANY_REQUESTS),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_wrong_logins_for_one_account_get_at_most_five_verifications() {
    let app = TestApp::new().await;
    let u = app.user(Role::FinanceOfficer).await;
    let email = email_of(&app, &u.token).await;
    let answers = join_all(
        (0..50).map(|i| login_from(&app, "198.51.100.20", &email, format!("wrong-guess-{i}"))),
    )
    .await;
    let (ok, wrong, throttled) = statuses(&answers);
    assert_eq!(ok, 0);
    assert!(wrong <= 5, "{wrong} guesses were verified");
    assert_eq!(wrong + throttled, 50);
    for a in answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
    {
        assert!(a.headers.contains_key(header::RETRY_AFTER));
        assert_eq!(a.body["code"], "throttle.too_many_attempts");
    }
    // A second wave from the same address gets no more verifications than the first left …
    let again =
        join_all((0..50).map(|i| login_from(&app, "198.51.100.20", &email, format!("again-{i}"))))
            .await;
    let (_, wrong_again, _) = statuses(&again);
    assert!(wrong + wrong_again <= 5, "{wrong} + {wrong_again} verified");
    // … and the account's owner elsewhere is not locked out.
    login_from(&app, "203.0.113.1", &email, PASSWORD)
        .await
        .expect(200);
}

#[tokio::test]
async fn an_attacker_who_knows_an_address_locks_out_only_their_own_client_address() {
    let app = TestApp::new().await;
    let u = app.user(Role::Organisation).await;
    let email = email_of(&app, &u.token).await;
    for _ in 0..5 {
        login_from(&app, "198.51.100.1", &email, "wrong-password")
            .await
            .expect(401);
    }
    let refused = login_from(&app, "198.51.100.1", &email, "wrong-password")
        .await
        .expect(429);
    let wait: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&wait), "Retry-After {wait}");
    login_from(&app, "198.51.100.1", &email, PASSWORD)
        .await
        .expect(429);
    login_from(&app, "203.0.113.7", &email, PASSWORD)
        .await
        .expect(200);
    // The owner's success did not wipe the attacker's count at the attacker's address.
    login_from(&app, "198.51.100.1", &email, PASSWORD)
        .await
        .expect(429);
    // The window passes.
    app.clock.advance(chrono::Duration::minutes(16));
    login_from(&app, "198.51.100.1", &email, PASSWORD)
        .await
        .expect(200);
}

#[tokio::test]
async fn one_address_gets_twenty_failures_whatever_the_accounts() {
    let app = TestApp::new().await;
    let u = app.user(Role::Supervisor).await;
    let email = email_of(&app, &u.token).await;
    for i in 0..20 {
        login_from(
            &app,
            "198.51.100.2",
            &format!("nobody-{i}@example.org"),
            "wrong-password",
        )
        .await
        .expect(401);
    }
    login_from(&app, "198.51.100.2", &email, PASSWORD)
        .await
        .expect(429);
    login_from(&app, "198.51.100.3", &email, PASSWORD)
        .await
        .expect(200);
}

#[tokio::test]
async fn one_account_gets_fifty_failures_from_all_addresses_together() {
    let app = TestApp::new().await;
    let u = app.user(Role::Supervisor).await;
    let email = email_of(&app, &u.token).await;
    for i in 0..50 {
        login_from(
            &app,
            &format!("198.51.100.{}", i + 10),
            &email,
            "wrong-password",
        )
        .await
        .expect(401);
    }
    login_from(&app, "203.0.113.50", &email, PASSWORD)
        .await
        .expect(429);
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64_network() {
    let app = TestApp::new().await;
    let u = app.user(Role::Supervisor).await;
    let email = email_of(&app, &u.token).await;
    for i in 1..=5 {
        login_from(
            &app,
            &format!("2001:db8:0:1::{i}"),
            &email,
            "wrong-password",
        )
        .await
        .expect(401);
    }
    login_from(&app, "2001:db8:0:1:ffff::9", &email, "wrong-password")
        .await
        .expect(429);
    login_from(&app, "2001:db8:0:2::1", &email, PASSWORD)
        .await
        .expect(200);
}

#[tokio::test]
async fn trusted_proxy_ranges_forward_the_client_and_a_garbled_chain_counts_the_peer() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let u = app.user(Role::Supervisor).await;
    let email = email_of(&app, &u.token).await;
    let via = |proxy: &str, forwarded: &str, password: &str| {
        app.send(
            Some(addr(proxy)),
            login_request(&email, password, Some(forwarded)),
        )
    };
    for proxy in ["10.1.1.1", "10.1.1.2", "10.9.9.9", "10.1.1.1", "10.1.1.2"] {
        via(proxy, "198.51.100.7", "wrong-password")
            .await
            .expect(401);
    }
    // The same client behind any proxy of the range is the same client …
    via("10.3.3.3", "203.0.113.1, 198.51.100.7", PASSWORD)
        .await
        .expect(429);
    // … another client behind the same proxy is not.
    via("10.1.1.1", "198.51.100.8", PASSWORD).await.expect(200);
    // A chain that does not parse is not believed: the peer is counted, not 198.51.100.8.
    for _ in 0..5 {
        via("10.4.4.4", "198.51.100.8, not-an-address", "wrong-password")
            .await
            .expect(401);
    }
    via("10.4.4.4", "198.51.100.9, junk", PASSWORD)
        .await
        .expect(429);
    via("10.1.1.1", "198.51.100.8", PASSWORD).await.expect(200);
}

#[tokio::test]
async fn changing_the_password_is_throttled_like_a_login() {
    let app = TestApp::new().await;
    let u = app.user(Role::FinanceOfficer).await;
    let change = |current: &str| {
        app.post(
            "/api/v1/me/password",
            &u.token,
            json!({"current_password": current, "new_password": "a-brand-new-password"}),
        )
    };
    for _ in 0..5 {
        let a = change("wrong-password").await.expect(422);
        assert_eq!(a.error_fields(), ["current_password"]);
    }
    change("wrong-password").await.expect(429);
    change(PASSWORD).await.expect(429);
    app.clock.advance(chrono::Duration::minutes(16));
    change(PASSWORD).await.expect(204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_more_password_hashes_run_at_once_than_configured() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.password_concurrency = Some(2);
        c.password_wait_ms = 60_000;
    })
    .await;
    let mut emails = Vec::new();
    for _ in 0..12 {
        let u = app.user(Role::Supervisor).await;
        emails.push(email_of(&app, &u.token).await);
    }
    let answers = join_all(
        emails
            .iter()
            .enumerate()
            .map(|(i, e)| login_from(&app, format!("198.51.100.{}", i + 1), e, PASSWORD)),
    )
    .await;
    assert_eq!(statuses(&answers).0, 12);
    let peak = app.state.passwords.peak();
    assert!((1..=2).contains(&peak), "{peak} hashes ran at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logins_beyond_the_hashing_limit_get_503_with_retry_after() {
    let app = TestApp::with_config(|c| {
        c.token_ttl_hours = 24 * 365;
        c.password_concurrency = Some(1);
        c.password_wait_ms = 0;
    })
    .await;
    let answers = join_all((0..16).map(|i| {
        login_from(
            &app,
            format!("198.51.100.{}", i + 1),
            format!("someone-{i}@example.org"),
            "wrong-password",
        )
    }))
    .await;
    let busy: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "no login was turned away");
    assert!(busy.len() < 16, "every login was turned away");
    for a in busy {
        assert_eq!(a.headers[header::RETRY_AFTER], "1");
        assert_eq!(a.body["code"], "service.busy");
    }
    assert_eq!(app.state.passwords.peak(), 1);
}

/// Creates a user through the API as `admin` and answers its id.
async fn create_user(app: &TestApp, admin: &str, body: Value) -> uuid::Uuid {
    app.post("/api/v1/users", admin, body)
        .await
        .expect(201)
        .id()
}

#[tokio::test]
async fn a_user_an_admin_created_or_reset_must_change_the_password_before_anything_else() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let fo = app.user(Role::FinanceOfficer).await;
    let id = create_user(
        &app,
        &admin.token,
        json!({"email": "new-officer@example.gov.cn", "display_name": "新财务", "role": "finance_officer",
               "purchaser_id": fo.purchaser_id, "password": "given-by-admin"}),
    )
    .await;
    let answer = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "new-officer@example.gov.cn", "password": "given-by-admin"})),
        )
        .await
        .expect(200);
    assert_eq!(answer.body["user"]["must_change_password"], true);
    let token = answer.body["token"].as_str().unwrap().to_string();
    for path in ["/api/v1/me", "/api/v1/budget-lines", "/api/v1/contracts"] {
        let a = app.get(path, &token).await.expect(403);
        assert_eq!(a.body["code"], "password.change_required", "{path}");
    }
    let before = app.count("budget_line").await;
    app.post(
        "/api/v1/budget-lines",
        &token,
        json!({"fiscal_year": 2026, "code": "X-1", "name": "社工服务", "amount": "1.00", "source": "county"}),
    )
    .await
    .expect(403);
    assert_eq!(app.count("budget_line").await, before);
    // The same password again is no change.
    app.post(
        "/api/v1/me/password",
        &token,
        json!({"current_password": "given-by-admin", "new_password": "given-by-admin"}),
    )
    .await
    .expect(422);
    app.post(
        "/api/v1/me/password",
        &token,
        json!({"current_password": "given-by-admin", "new_password": "my-own-password"}),
    )
    .await
    .expect(204);
    let me = app.get("/api/v1/me", &token).await.expect(200);
    assert_eq!(me.body["must_change_password"], false);
    app.get("/api/v1/budget-lines", &token).await.expect(200);

    // A reset by an admin sets it again (and ends the sessions).
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin.token,
        json!({"password": "reset-by-admin"}),
    )
    .await
    .expect(200);
    let token = app
        .login("new-officer@example.gov.cn", "reset-by-admin")
        .await;
    app.get("/api/v1/budget-lines", &token).await.expect(403);
    app.act("/api/v1/auth/logout", &token).await.expect(204);
}

#[tokio::test]
async fn creating_or_resetting_an_organisations_user_tells_the_organisation() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let colleague = app.user(Role::Organisation).await;
    let org = colleague.organisation_id.unwrap();
    let colleague_email = email_of(&app, &colleague.token).await;
    let id = create_user(
        &app,
        &admin.token,
        json!({"email": "bidder@ngo.example.org", "display_name": "新同事", "role": "organisation",
               "organisation_id": org, "password": "given-by-admin"}),
    )
    .await;
    let told = |kind: &'static str| {
        let app = &app;
        async move {
            let mut to: Vec<String> = app
                .outbox()
                .await
                .into_iter()
                .filter(|(k, _, _)| k == kind)
                .map(|(_, to, _)| to)
                .collect();
            to.sort();
            to
        }
    };
    let mut expected = vec!["ngo@example.org".to_string(), colleague_email.clone()];
    expected.sort();
    assert_eq!(told("account_changed").await, expected);
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin.token,
        json!({"password": "reset-by-admin"}),
    )
    .await
    .expect(200);
    let all = told("account_changed").await;
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(!all.contains(&"bidder@ngo.example.org".to_string()));
    // Users of other roles concern no organisation.
    create_user(
        &app,
        &admin.token,
        json!({"email": "auditor@example.gov.cn", "display_name": "审计", "role": "supervisor", "password": "given-by-admin"}),
    )
    .await;
    assert_eq!(told("account_changed").await.len(), 4);
}

#[tokio::test]
async fn a_secret_shorter_than_32_bytes_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let mut config = backend::config::Config::for_database(url, dir.path().to_path_buf());
    config.secret = Some("x".repeat(31));
    let err = match backend::app::open(config.clone()).await {
        Ok(_) => panic!("a 31-byte secret was accepted"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("32"), "{err}");
    config.secret = Some("x".repeat(32));
    backend::app::open(config).await.expect("a 32-byte secret");
}

#[cfg(unix)]
#[tokio::test]
async fn the_generated_secret_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::with_config(|c| c.secret = None).await;
    let path = app.state.config.data_dir.join("secret");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{path:?} has mode {mode:o}");
    assert!(std::fs::read_to_string(&path).unwrap().len() >= 32);
}
