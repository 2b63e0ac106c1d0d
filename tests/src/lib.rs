//! The test harness: a [`TestApp`] per test, each on its own database — a fresh SQLite file
//! by default, or a fresh PostgreSQL database on the server named by `TEST_DATABASE_URL` —
//! driven through the real router, with a manual clock.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "the test harness: a panic is how a test fails; its counts are small"
)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use backend::auth::Actor;
use backend::config::Config;
use backend::state::AppState;
use chrono::{TimeZone, Utc};
use entity::model::user;
use entity::rules::vocab::Role;
use http_body_util::BodyExt;
use jobs::clock::ManualClock;
use sea_orm::{ConnectionTrait, Database, EntityTrait, Statement};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

pub use backend;

pub mod browser;
mod paying;
pub mod smtp;
pub mod web;
pub mod world;

pub use world::World;

/// The password of every user the harness creates.
pub const PASSWORD: &str = "correct-horse-battery";

/// The metrics token of every [`TestApp`] (`HUIMIN_METRICS_TOKEN`): the main listener answers
/// `/metrics` only with it.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

/// One application on its own database.
pub struct TestApp {
    pub state: AppState,
    pub clock: ManualClock,
    router: Router,
    /// The organisation users and approvers [`TestApp::pay`] acts with, by party.
    payers: tokio::sync::Mutex<std::collections::HashMap<Uuid, String>>,
    /// The application's database, for the check of the budget totals when the test ends.
    database_url: String,
    /// Whether that check runs (see [`TestApp::rows_written_behind_the_budget`]).
    check_budgets: std::sync::atomic::AtomicBool,
    /// On PostgreSQL, the server and the name of the database this application created: it is
    /// dropped when the test passes and kept, for inspection, when it fails. Replicas hold `None`.
    own_database: Option<OwnDatabase>,
    _dir: tempfile::TempDir,
}

/// A per-test PostgreSQL database: the server's URL (`TEST_DATABASE_URL`) and the name.
#[derive(Debug, Clone)]
struct OwnDatabase {
    server_url: String,
    name: String,
}

/// An HTTP answer: status, headers and the body parsed as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body's bytes (for binary answers such as workbooks).
    pub raw: Vec<u8>,
}

impl Answer {
    /// Panics with the body unless the status is `expected`.
    #[track_caller]
    pub fn expect(self, expected: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// The `field` names of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `id` of the answered resource.
    pub fn id(&self) -> Uuid {
        self.body["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("answer has an id")
    }
}

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Login {
    pub token: String,
    pub user_id: Uuid,
    pub purchaser_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
}

impl TestApp {
    /// A fresh application on a fresh database. Tokens live a year here, so that tests can
    /// move the clock through deadlines; [`TestApp::with_config`] sets other values.
    pub async fn new() -> Self {
        Self::with_config(|c| c.token_ttl_hours = 24 * 365).await
    }

    /// A fresh application whose configuration `tune` adjusts.
    pub async fn with_config(tune: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, own_database) = match std::env::var("TEST_DATABASE_URL") {
            Ok(server) if !server.is_empty() => {
                let (url, own) = fresh_postgres(&server).await;
                (url, Some(own))
            }
            _ => (
                format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
                None,
            ),
        };
        let mut config = Config::for_database(url.clone(), dir.path().to_path_buf());
        config.db_max_connections = 8;
        config.metrics_token = Some(METRICS_TOKEN.into());
        tune(&mut config);
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
        let state = backend::app::open_with_clock(config, Arc::new(clock.clone()))
            .await
            .expect("open app");
        let router = backend::routes::build(state.clone());
        TestApp {
            state,
            clock,
            router,
            payers: Default::default(),
            database_url: url,
            check_budgets: std::sync::atomic::AtomicBool::new(true),
            own_database,
            _dir: dir,
        }
    }

    /// A second replica of this application: another process's state (its own pools and
    /// caches) on the same database, data folder and clock, as `huimin serve` behind a load
    /// balancer runs. The end-of-test checks are this one's.
    pub async fn replica(&self) -> TestApp {
        let config = (*self.state.config).clone();
        let state = backend::app::open_with_clock(config, Arc::new(self.clock.clone()))
            .await
            .expect("open a replica");
        let router = backend::routes::build(state.clone());
        TestApp {
            state,
            clock: self.clock.clone(),
            router,
            payers: Default::default(),
            database_url: self.database_url.clone(),
            check_budgets: std::sync::atomic::AtomicBool::new(false),
            own_database: None,
            _dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Asserts that every budget line's kept totals (reserved, committed, disbursed) equal what
    /// its tenders, contracts and payments add up to, as `huimin verify budgets` checks. Every
    /// test ends with this check (see the `Drop` of [`TestApp`]); races call it too.
    pub async fn assert_budgets_kept(&self) {
        let found = entity::queries::budget_mismatches(&self.state.db)
            .await
            .expect("read the budget totals");
        assert!(
            found.is_empty(),
            "budget totals differ from the records: {found:#?}"
        );
    }

    /// Tells the end-of-test check that this test wrote tenders, contracts or payments with
    /// SQL past the application, so the lines' kept totals are not expected to follow them.
    pub fn rows_written_behind_the_budget(&self) {
        self.check_budgets
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sends a request from `addr` (the peer address the server sees).
    pub async fn send_from(
        &self,
        addr: Option<SocketAddr>,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Body>,
        content_type: Option<&str>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let req = req.body(body.unwrap_or_else(Body::empty)).expect("request");
        self.send(addr, req).await
    }

    /// Sends a request as built, from `addr` (the peer address the server sees).
    pub async fn send(&self, addr: Option<SocketAddr>, mut req: Request<Body>) -> Answer {
        if let Some(a) = addr {
            req.extensions_mut().insert(ConnectInfo(a));
        }
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
            raw: bytes.to_vec(),
        }
    }

    /// A JSON request (or none) with an optional token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let (b, ct) = match body {
            Some(v) => (Some(Body::from(v.to_string())), Some("application/json")),
            None => (None, None),
        };
        self.send_from(None, method, path, token, b, ct).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// `GET /metrics` with the metrics token.
    pub async fn metrics(&self) -> Answer {
        self.get("/metrics", METRICS_TOKEN).await
    }

    /// Logs in and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let a = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await
            .expect(200);
        a.body["token"].as_str().expect("token").to_string()
    }

    /// Seals the audit events fixtures wrote through the service layer (in a server, the
    /// background sealer the API wakes after each write would; tests run none).
    pub async fn seal(&self) {
        self.state
            .sealer
            .seal()
            .await
            .expect("seal the audit chain");
    }

    /// The system actor used to create fixtures (an admin without a session).
    async fn system_admin(&self) -> Actor {
        let u = user::Entity::find()
            .all(&self.state.db)
            .await
            .expect("users")
            .into_iter()
            .find(|u| u.role == Role::Admin);
        let u = match u {
            Some(u) => u,
            None => {
                let new = self.new_user(Role::Admin, None, None);
                let out = backend::services::users::create_user(&self.state, None, new)
                    .await
                    .expect("admin");
                user::Entity::find_by_id(out.id)
                    .one(&self.state.db)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        Actor {
            user: u,
            role: Role::Admin,
            session_id: Uuid::nil(),
        }
    }

    fn new_user(
        &self,
        role: Role,
        p: Option<Uuid>,
        o: Option<Uuid>,
    ) -> backend::services::users::NewUser {
        let n = Uuid::new_v4().simple().to_string();
        backend::services::users::NewUser {
            email: format!("{}-{}@test.example", role.as_str(), &n[..12]),
            display_name: format!("{} {}", role.as_str(), &n[..6]),
            role,
            purchaser_id: p,
            organisation_id: o,
            password: PASSWORD.into(),
            locale: None,
            approver: None,
        }
    }

    /// A new purchaser (through the service layer, with its audit event).
    pub async fn purchaser(&self) -> Uuid {
        let admin = self.system_admin().await;
        let id = backend::services::parties::create_purchaser(
            &self.state,
            &admin,
            backend::services::parties::NewPurchaser {
                name: "某县民政局".into(),
                division_code: "410523".into(),
                contact_email: "mzj@example.gov.cn".into(),
            },
        )
        .await
        .expect("purchaser")
        .id;
        self.seal().await;
        id
    }

    /// A new active organisation with a valid credit code.
    pub async fn organisation(&self) -> Uuid {
        let admin = self.system_admin().await;
        let n = (Uuid::new_v4().as_u128() % 9_000_000) as u32 + 1_000_000;
        let id = backend::services::parties::create_organisation(
            &self.state,
            &admin,
            backend::services::parties::NewOrganisation {
                name: format!("社工服务中心 {n}"),
                credit_code: backend::demo::demo_credit_code(n),
                contact_email: "ngo@example.org".into(),
                status: None,
                status_reason: None,
                status_until: None,
            },
        )
        .await
        .expect("organisation")
        .id;
        self.seal().await;
        id
    }

    /// A new user of `role`, logged in. Finance officers get a new purchaser and organisation
    /// staff a new organisation unless given one.
    pub async fn user_in(
        &self,
        role: Role,
        purchaser: Option<Uuid>,
        organisation: Option<Uuid>,
    ) -> Login {
        let p = match role {
            Role::FinanceOfficer => Some(match purchaser {
                Some(p) => p,
                None => self.purchaser().await,
            }),
            _ => None,
        };
        let o = match role {
            Role::Organisation => Some(match organisation {
                Some(o) => o,
                None => self.organisation().await,
            }),
            _ => None,
        };
        let new = self.new_user(role, p, o);
        let email = new.email.clone();
        // Created as the CLI creates users (no admin actor): the harness's users act at once,
        // with no password to change and no notification to their organisation (the tests of
        // those rules create users through the API).
        let out = backend::services::users::create_user(&self.state, None, new)
            .await
            .expect("user");
        self.seal().await;
        let token = self.login(&email, PASSWORD).await;
        Login {
            token,
            user_id: out.id,
            purchaser_id: p,
            organisation_id: o,
        }
    }

    /// A new logged-in user of `role` (with a fresh purchaser or organisation if it needs one).
    pub async fn user(&self, role: Role) -> Login {
        self.user_in(role, None, None).await
    }

    /// How many rows of `table` match the SQL condition `cond`.
    pub async fn count_where(&self, table: &str, cond: &str) -> i64 {
        self.count(&format!("{table} WHERE {cond}")).await
    }

    /// `SELECT COUNT(*)` of a table (or of `table WHERE …`).
    pub async fn count(&self, table: &str) -> i64 {
        let db = &self.state.db;
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }

    /// Runs raw SQL (for tampering tests).
    pub async fn sql(&self, sql: &str) {
        let db = &self.state.db;
        db.execute_unprepared(sql).await.expect("sql");
    }

    /// Runs `sql` as an attacker with the database's keys would: past the triggers that refuse
    /// changes to sealed audit events (PostgreSQL: replica mode, which skips ordinary triggers,
    /// for one transaction; SQLite: the triggers dropped), so that the chain's own checks are
    /// what is tested.
    pub async fn tamper(&self, sql: &str) {
        use sea_orm::{DbBackend, TransactionTrait};
        let db = &self.state.db;
        if db.get_database_backend() == DbBackend::Postgres {
            let txn = db.begin().await.unwrap();
            txn.execute_unprepared("SET LOCAL session_replication_role = replica")
                .await
                .unwrap();
            txn.execute_unprepared(sql).await.unwrap();
            txn.commit().await.unwrap();
        } else {
            for t in [
                "audit_event_sealed_update",
                "audit_event_unsealed_update",
                "audit_event_sealed_delete",
                "audit_event_unsealed_delete",
            ] {
                self.sql(&format!("DROP TRIGGER IF EXISTS {t}")).await;
            }
            self.sql(sql).await;
        }
    }
}

/// Every file under `dir`, folders walked (relative paths, sorted).
pub fn files_under(dir: &std::path::Path) -> Vec<String> {
    fn walk(base: &std::path::Path, p: &std::path::Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Creates an empty database on the PostgreSQL server of `server_url` and returns its URL. The
/// test's [`TestApp`] drops it when the test passes; `.ci/run` drops what failed tests left.
async fn fresh_postgres(server_url: &str) -> (String, OwnDatabase) {
    let admin = Database::connect(server_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    let mut url = url::Url::parse(server_url).expect("TEST_DATABASE_URL is a URL");
    // Named after the run's database, so the CI script can drop exactly its own.
    let base = url.path().trim_start_matches('/').to_string();
    let name = format!("{base}_t_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let _ = admin.close().await;
    url.set_path(&format!("/{name}"));
    let own = OwnDatabase {
        server_url: server_url.to_string(),
        name,
    };
    (url.to_string(), own)
}

impl OwnDatabase {
    /// Drops the database, closing the connections the application's pools still hold.
    async fn drop_now(&self) {
        let admin = Database::connect(&self.server_url)
            .await
            .expect("connect to TEST_DATABASE_URL to drop the test's database");
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .expect("drop the test's database");
        let _ = admin.close().await;
    }
}

/// Every test that passed so far ends by checking the budget totals it left (see
/// [`TestApp::assert_budgets_kept`]), then drops its PostgreSQL database: on a connection of
/// its own, in a thread of its own, since a test's runtime cannot be blocked on from `drop`.
/// A failed test keeps its database for inspection.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let check = self
            .check_budgets
            .load(std::sync::atomic::Ordering::Relaxed);
        let own = self.own_database.take();
        if !check && own.is_none() {
            return;
        }
        let url = self.database_url.clone();
        let found = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the end-of-test checks");
            rt.block_on(async {
                let found = if check {
                    let db = Database::connect(&url)
                        .await
                        .expect("connect for the budget check");
                    let found = entity::queries::budget_mismatches(&db).await;
                    let _ = db.close().await;
                    found.expect("read the budget totals")
                } else {
                    Vec::new()
                };
                if let (true, Some(own)) = (found.is_empty(), own) {
                    own.drop_now().await;
                }
                found
            })
        })
        .join()
        .expect("the end-of-test checks ran");
        assert!(
            found.is_empty(),
            "at the end of the test, budget totals differ from the records: {found:#?}"
        );
    }
}

/// Fixtures of procurement: budget lines, tenders, bids and contracts, made through the API.
impl TestApp {
    /// A budget line of the officer's purchaser with `amount`.
    pub async fn budget_line(&self, fo: &Login, amount: &str) -> Uuid {
        let code = format!("L-{}", &Uuid::new_v4().simple().to_string()[..8]);
        self.post(
            "/api/v1/budget-lines",
            &fo.token,
            json!({"fiscal_year": 2026, "code": code, "name": "社工服务", "amount": amount, "source": "county"}),
        )
        .await
        .expect(201)
        .id()
    }

    /// The body of a draft tender on `line`: deadline 10 days from the clock, service from
    /// 1 April to 31 December 2026, method `inquiry` (2 bids suffice).
    pub fn tender_body(&self, line: Uuid, ceiling: &str) -> Value {
        let deadline = self.state.now() + chrono::Duration::days(10);
        json!({
            "budget_line_id": line,
            "title": "留守儿童关爱服务项目",
            "description": "为全县留守儿童提供关爱服务",
            "service_category": "children",
            "division_code": "410523",
            "method": "inquiry",
            "ceiling_amount": ceiling,
            "bid_deadline": deadline.to_rfc3339(),
            "service_start": "2026-04-01",
            "service_end": "2026-12-31",
        })
    }

    /// A published tender on `line`.
    pub async fn published_tender(&self, fo: &Login, line: Uuid, ceiling: &str) -> Uuid {
        let id = self
            .post(
                "/api/v1/tenders",
                &fo.token,
                self.tender_body(line, ceiling),
            )
            .await
            .expect(201)
            .id();
        self.call(
            Method::POST,
            &format!("/api/v1/tenders/{id}/publish"),
            Some(&fo.token),
            None,
        )
        .await
        .expect(200);
        id
    }

    /// The organisation's bid on a tender.
    pub async fn bid(&self, org: &Login, tender: Uuid, amount: &str) -> Uuid {
        self.post(
            &format!("/api/v1/tenders/{tender}/bids"),
            &org.token,
            json!({"amount": amount, "proposal": "服务方案"}),
        )
        .await
        .expect(201)
        .id()
    }

    /// A closed tender with one bid per amount from new organisations; the clock is moved
    /// past the deadline. Answers the tender and the bidders with their bids.
    pub async fn closed_tender(
        &self,
        fo: &Login,
        line: Uuid,
        ceiling: &str,
        amounts: &[&str],
    ) -> (Uuid, Vec<(Login, Uuid)>) {
        let tender = self.published_tender(fo, line, ceiling).await;
        let mut bids = Vec::new();
        for a in amounts {
            let org = self.user(Role::Organisation).await;
            let b = self.bid(&org, tender, a).await;
            bids.push((org, b));
        }
        self.clock.advance(chrono::Duration::days(11));
        self.call(
            Method::POST,
            &format!("/api/v1/tenders/{tender}/close"),
            Some(&fo.token),
            None,
        )
        .await
        .expect(200);
        (tender, bids)
    }

    /// The body of a direct award of `value` to `org` on `line`, for 2026-04-01..2026-12-31.
    pub fn direct_award_body(&self, fo: &Login, org: Uuid, line: Uuid, value: &str) -> Value {
        json!({
            "purchaser_id": fo.purchaser_id,
            "organisation_id": org,
            "budget_line_id": line,
            "title": "农村留守老人关爱服务",
            "service_category": "elderly",
            "division_code": "410523",
            "value": value,
            "start_date": "2026-04-01",
            "end_date": "2026-12-31",
            "direct_award_reason": "单一来源：唯一具备资质的服务机构",
        })
    }

    /// A draft direct-award contract.
    pub async fn draft_contract(&self, fo: &Login, org: Uuid, line: Uuid, value: &str) -> Uuid {
        self.post(
            "/api/v1/contracts",
            &fo.token,
            self.direct_award_body(fo, org, line, value),
        )
        .await
        .expect(201)
        .id()
    }

    /// A signed (active) direct-award contract.
    pub async fn active_contract(&self, fo: &Login, org: Uuid, line: Uuid, value: &str) -> Uuid {
        let id = self.draft_contract(fo, org, line, value).await;
        self.call(
            Method::POST,
            &format!("/api/v1/contracts/{id}/sign"),
            Some(&fo.token),
            None,
        )
        .await
        .expect(200);
        id
    }

    /// An active contract of a new organisation (with one staff member) starting on 1 March
    /// 2026, with a milestone due on `due`: (the officer, the staff member, the contract).
    pub async fn contract_with_milestone(&self, due: &str) -> (Login, Login, Uuid) {
        let w = self
            .world()
            .line_amount("100000.00")
            .period("2026-03-01", "2026-12-31")
            .milestone_titled("春季走访", due, "10000.00")
            .await;
        (w.fo, w.staff, w.contract)
    }

    /// A POST without a body (transitions such as `/publish`).
    pub async fn act(&self, path: &str, token: &str) -> Answer {
        self.call(Method::POST, path, Some(token), None).await
    }
}

impl TestApp {
    /// [`TestApp::act`] with owned arguments, for futures raced together.
    pub async fn act_owned(&self, path: String, token: String) -> Answer {
        self.call(Method::POST, &path, Some(&token), None).await
    }
}

/// Jobs and mail.
impl TestApp {
    /// A fresh application whose mail goes to `smtp_url`.
    pub async fn with_smtp(smtp_url: &str) -> Self {
        let url = smtp_url.to_string();
        Self::with_config(move |c| {
            c.token_ttl_hours = 24 * 365;
            c.smtp_url = Some(url);
        })
        .await
    }

    /// Runs a job now, as `huimin jobs run` does; `None` when another process had the slot.
    pub async fn run_job(&self, name: &str) -> Option<jobs::Counts> {
        let job = jobs::JobName::parse(name).expect("a job name");
        jobs::runner::run_now(&self.state.jobs, job)
            .await
            .expect("job runs")
    }

    /// Makes the oldest notification dead, as the sender leaves one after 8 failed attempts
    /// ending with `error`; answers its id.
    pub async fn kill_oldest_notification(&self, error: &str) -> Uuid {
        use entity::model::notification;
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel, QueryOrder};
        let oldest = notification::Entity::find()
            .order_by_asc(notification::Column::Id)
            .one(&self.state.db)
            .await
            .expect("notifications")
            .expect("a notification");
        let id = oldest.id;
        let mut dead = oldest.into_active_model();
        dead.status = Set(entity::rules::vocab::NotificationStatus::Dead);
        dead.attempts = Set(8);
        dead.last_error = Set(Some(error.into()));
        dead.update(&self.state.db).await.expect("made dead");
        id
    }

    /// The notifications queued, as (kind, recipient_email, status).
    pub async fn outbox(&self) -> Vec<(String, String, String)> {
        use entity::model::notification;
        use sea_orm::QueryOrder;
        notification::Entity::find()
            .order_by_asc(notification::Column::Id)
            .all(&self.state.db)
            .await
            .expect("outbox")
            .into_iter()
            .map(|n| (n.kind.to_string(), n.recipient_email, n.status.to_string()))
            .collect()
    }
}
