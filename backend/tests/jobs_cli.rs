//! The scheduled jobs from the command line, as an operator uses them: `huimin jobs list`
//! (each job, its schedule in Beijing time and its next runs), `HUIMIN_JOB_<NAME>` overrides
//! (six fields, seconds first; other forms refused at start, naming the variable), `huimin
//! jobs run <job>`, and mail written as `.eml` files under `<data dir>/outbox/` when there is
//! no `SMTP_URL`. On SQLite, and on a fresh PostgreSQL database when `TEST_DATABASE_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "tests: a panic is how a test fails, a scenario reads top to bottom, counts are small"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDateTime, Timelike, Weekday};
use sea_orm::{ConnectionTrait, Database, Statement};

mod common;

use common::{Env, env, stderr, stdout};

/// The jobs and their default schedules, in the order `jobs list` prints them.
const JOBS: [(&str, &str); 9] = [
    ("milestone_reminders", "0 0 8 * * *"),
    ("indicator_check", "0 0 2 * * *"),
    ("post_vacancy_check", "0 0 3 * * *"),
    ("contract_expiry", "0 0 8 * * *"),
    ("budget_watch", "0 0 7 * * Mon"),
    ("send_notifications", "0 * * * * *"),
    ("audit_anchor", "0 0 6 * * *"),
    ("payment_request_reminders", "0 30 8 * * *"),
    ("file_sweep", "0 30 3 * * *"),
];

/// `huimin` in the test's directory, on its database, with no mail server, the default time
/// zone and no schedule overrides from the caller's environment.
/// `huimin` with none of the mail, time zone or schedule settings of the calling shell.
fn command(env: &Env) -> Command {
    let mut c = common::command(env);
    c.env_remove("SMTP_URL")
        .env_remove("HUIMIN_TZ")
        .env_remove("HUIMIN_DIGEST");
    for (job, _) in JOBS {
        c.env_remove(format!("HUIMIN_JOB_{}", job.to_uppercase()));
    }
    c
}

fn huimin(env: &Env, args: &[&str]) -> Output {
    command(env).args(args).output().expect("run huimin")
}

/// Runs a command that should stop by itself (e.g. refuse to start); kills it and fails the
/// test if it is still running after `secs`.
fn must_exit(mut c: Command, secs: u64) -> Output {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start huimin");
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "still running after {secs} s: {}{}",
                stdout(&out),
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A `jobs list` line: the job, its expression and its next runs (Beijing time, `CST`).
fn parse_line(line: &str) -> (String, String, Vec<NaiveDateTime>) {
    parse_line_in(line, " CST")
}

/// A `jobs list` line whose times end with `zone`.
fn parse_line_in(line: &str, zone: &str) -> (String, String, Vec<NaiveDateTime>) {
    let (head, next) = line
        .split_once("next:")
        .unwrap_or_else(|| panic!("no next runs in {line:?}"));
    let mut words = head.split_whitespace();
    let job = words.next().expect("job").to_string();
    let expression = words.collect::<Vec<_>>().join(" ");
    let runs = next
        .split(',')
        .map(|t| {
            let t = t.trim();
            let local = t
                .strip_suffix(zone)
                .unwrap_or_else(|| panic!("{t:?} ends with {zone:?}"));
            NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S")
                .unwrap_or_else(|e| panic!("{t:?}: {e}"))
        })
        .collect();
    (job, expression, runs)
}

/// "`job`: examined E, notified N, errors X" → (E, N, X).
fn counts(out: &str, job: &str) -> (i64, i64, i64) {
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("{job}: examined ")))
        .unwrap_or_else(|| panic!("no counts for {job} in {out:?}"));
    let n: Vec<i64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(n.len(), 3, "{line}");
    (n[0], n[1], n[2])
}

async fn scalar(url: &str, sql: &str) -> i64 {
    let db = Database::connect(url).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    let n = row.try_get::<i64>("", "n").unwrap();
    let _ = db.close().await;
    n
}

/// How many runs of `job` are recorded.
async fn job_runs(url: &str, job: &str) -> i64 {
    scalar(
        url,
        &format!("SELECT COUNT(*) AS n FROM job_run WHERE job = '{job}'"),
    )
    .await
}

#[tokio::test]
async fn jobs_list_prints_every_job_with_its_schedule_and_next_runs_in_beijing_time() {
    let env = env().await;
    let o = huimin(&env, &["jobs", "list"]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let lines: Vec<_> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), JOBS.len(), "{out}");
    let now_local = (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc();
    for ((job, expression), line) in JOBS.iter().zip(&lines) {
        let (j, e, runs) = parse_line(line);
        assert_eq!((j.as_str(), e.as_str()), (*job, *expression), "{line}");
        assert_eq!(runs.len(), 3, "{line}");
        assert!(runs[0] > now_local - chrono::Duration::seconds(5), "{line}");
        assert!(runs.windows(2).all(|w| w[0] < w[1]), "{line}");
        let hour = |h: u32| {
            runs.iter()
                .all(|t| (t.hour(), t.minute(), t.second()) == (h, 0, 0))
        };
        let apart = |d: chrono::Duration| runs.windows(2).all(|w| w[1] - w[0] == d);
        match *job {
            "milestone_reminders" | "contract_expiry" => {
                assert!(hour(8) && apart(chrono::Duration::days(1)), "{line}")
            }
            "indicator_check" => assert!(hour(2) && apart(chrono::Duration::days(1)), "{line}"),
            "post_vacancy_check" => {
                assert!(hour(3) && apart(chrono::Duration::days(1)), "{line}")
            }
            "audit_anchor" => assert!(hour(6) && apart(chrono::Duration::days(1)), "{line}"),
            "payment_request_reminders" => assert!(
                runs.iter()
                    .all(|t| (t.hour(), t.minute(), t.second()) == (8, 30, 0))
                    && apart(chrono::Duration::days(1)),
                "{line}"
            ),
            "file_sweep" => assert!(
                runs.iter()
                    .all(|t| (t.hour(), t.minute(), t.second()) == (3, 30, 0))
                    && apart(chrono::Duration::days(1)),
                "{line}"
            ),
            "budget_watch" => assert!(
                hour(7)
                    && apart(chrono::Duration::days(7))
                    && runs.iter().all(|t| t.weekday() == Weekday::Mon),
                "{line}"
            ),
            _ => assert!(
                runs.iter().all(|t| t.second() == 0) && apart(chrono::Duration::minutes(1)),
                "{line}"
            ),
        }
    }

    // An override in six fields is listed and used.
    let o = command(&env)
        .args(["jobs", "list"])
        .env("HUIMIN_JOB_SEND_NOTIFICATIONS", "*/30 * * * * *")
        .env("HUIMIN_JOB_BUDGET_WATCH", "0 30 6 * * Fri")
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let line = |job: &str| {
        out.lines()
            .find(|l| l.starts_with(job))
            .map(parse_line)
            .unwrap_or_else(|| panic!("{job} in {out}"))
    };
    let (_, e, runs) = line("send_notifications");
    assert_eq!(e, "*/30 * * * * *");
    assert!(
        runs.windows(2)
            .all(|w| w[1] - w[0] == chrono::Duration::seconds(30))
    );
    let (_, e, runs) = line("budget_watch");
    assert_eq!(e, "0 30 6 * * Fri");
    assert!(
        runs.iter()
            .all(|t| t.weekday() == Weekday::Fri && (t.hour(), t.minute()) == (6, 30))
    );

    // Schedules are evaluated in HUIMIN_TZ.
    let o = command(&env)
        .args(["jobs", "list"])
        .env("HUIMIN_TZ", "UTC")
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let first = out.lines().next().expect("a line");
    let (job, _, runs) = parse_line_in(first, " UTC");
    assert_eq!(job, "milestone_reminders");
    assert!(runs.iter().all(|t| t.hour() == 8), "{first}");
}

#[tokio::test]
async fn a_schedule_in_five_fields_is_refused_at_start_naming_its_variable() {
    let env = env().await;
    let o = command(&env)
        .args(["jobs", "list"])
        .env("HUIMIN_JOB_BUDGET_WATCH", "0 8 * * *")
        .output()
        .unwrap();
    assert!(!o.status.success(), "{o:?}");
    let err = stderr(&o);
    assert!(
        err.contains("HUIMIN_JOB_BUDGET_WATCH") && err.contains("0 8 * * *"),
        "{err}"
    );

    let o = command(&env)
        .args(["jobs", "list"])
        .env("HUIMIN_JOB_INDICATOR_CHECK", "0 0 25 * * *")
        .output()
        .unwrap();
    assert!(!o.status.success(), "{o:?}");
    assert!(stderr(&o).contains("HUIMIN_JOB_INDICATOR_CHECK"), "{o:?}");

    // The worker and the server refuse to start with it, rather than run without the job.
    let mut worker = command(&env);
    worker
        .arg("worker")
        .env("HUIMIN_JOB_BUDGET_WATCH", "0 8 * * *");
    let o = must_exit(worker, 60);
    assert!(!o.status.success(), "{o:?}");
    assert!(stderr(&o).contains("HUIMIN_JOB_BUDGET_WATCH"), "{o:?}");

    let mut serve = command(&env);
    serve
        .arg("serve")
        .env("HUIMIN_BIND", "127.0.0.1:0")
        .env("HUIMIN_JOB_BUDGET_WATCH", "0 8 * * *");
    let o = must_exit(serve, 60);
    assert!(!o.status.success(), "{o:?}");
    assert!(stderr(&o).contains("HUIMIN_JOB_BUDGET_WATCH"), "{o:?}");
}

#[tokio::test]
async fn jobs_run_prints_its_counts_records_the_run_and_an_unknown_job_fails() {
    let env = env().await;
    let o = huimin(&env, &["jobs", "run", "milestone_reminders"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        counts(&stdout(&o), "milestone_reminders"),
        (0, 0, 0),
        "an empty database"
    );
    for job in [
        "indicator_check",
        "post_vacancy_check",
        "contract_expiry",
        "budget_watch",
        "send_notifications",
        "audit_anchor",
        "payment_request_reminders",
        "file_sweep",
    ] {
        let o = huimin(&env, &["jobs", "run", job]);
        assert!(o.status.success(), "{o:?}");
        assert_eq!(counts(&stdout(&o), job).2, 0, "{job}");
    }
    assert_eq!(
        scalar(
            &env.url,
            "SELECT COUNT(*) AS n FROM job_run WHERE outcome = 'ok' AND finished_at IS NOT NULL"
        )
        .await,
        JOBS.len() as i64
    );

    let o = huimin(&env, &["jobs", "run", "milestone_reminder"]);
    assert!(!o.status.success(), "{o:?}");
    let err = stderr(&o);
    assert!(
        err.contains("unknown job") && err.contains("milestone_reminder\""),
        "{err}"
    );
    assert!(
        JOBS.iter().all(|(j, _)| err.contains(j)),
        "lists the jobs: {err}"
    );
    let o = huimin(&env, &["jobs", "run"]);
    assert!(!o.status.success(), "{o:?}");
}

#[tokio::test]
async fn without_smtp_the_demos_notifications_are_written_as_eml_files_once() {
    let env = env().await;
    let o = huimin(&env, &["demo"]);
    assert!(o.status.success(), "{o:?}");

    let o = huimin(&env, &["jobs", "run", "milestone_reminders"]);
    assert!(o.status.success(), "{o:?}");
    let (examined, notified, errors) = counts(&stdout(&o), "milestone_reminders");
    assert_eq!(errors, 0);
    assert!(notified <= examined * 50, "{examined} {notified}");

    let pending = scalar(
        &env.url,
        "SELECT COUNT(*) AS n FROM notification WHERE status = 'pending'",
    )
    .await;
    assert!(
        pending > 0,
        "the demo's events (tenders published, reports, payments) queued messages"
    );
    let o = huimin(&env, &["jobs", "run", "send_notifications"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        counts(&stdout(&o), "send_notifications"),
        (pending, pending, 0)
    );

    let outbox = env.dir.path().join("data").join("outbox");
    let files = eml_files(&outbox);
    assert_eq!(files.len() as i64, pending, "one file per message");
    let mut ids = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.contains("Subject: "), "{text}");
        assert!(text.contains("From: "), "{text}");
        assert!(
            text.contains("multipart/alternative") && text.contains("text/html"),
            "{text}"
        );
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap_or_else(|| panic!("a Message-ID in {text}"));
        ids.insert(id.trim().to_string());
    }
    assert_eq!(ids.len(), files.len(), "distinct Message-IDs");
    assert_eq!(
        scalar(
            &env.url,
            "SELECT COUNT(*) AS n FROM notification WHERE status = 'sent' AND sent_at IS NOT NULL"
        )
        .await,
        pending
    );

    // Nothing is sent twice.
    let o = run_in_a_slot_of_its_own(&env, "send_notifications");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(counts(&stdout(&o), "send_notifications"), (0, 0, 0));
    assert_eq!(eml_files(&outbox).len(), files.len());
}

/// `jobs run <job>` in a slot of its own. A manual run's slot is the current second, so a run
/// within the same second as the previous one is answered "another process is running this
/// slot": that answer is the signal to ask again (no guess at how long a second lasts).
fn run_in_a_slot_of_its_own(env: &Env, job: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let o = huimin(env, &["jobs", "run", job]);
        if !stdout(&o).contains("another process is running this slot") {
            return o;
        }
        assert!(Instant::now() < deadline, "{job} never got a slot: {o:?}");
    }
}

fn eml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect()
}

/// Waits until `cond` holds, for at most `secs`.
async fn eventually<F, Fut>(secs: u64, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// Starts `huimin serve`, waits for it to listen, and answers it with the line saying whether
/// it runs the scheduled jobs.
fn start_serve(env: &Env, args: &[&str]) -> (std::process::Child, String) {
    start_serve_with(command(env), args)
}

/// [`start_serve`] from a prepared command.
fn start_serve_with(mut c: Command, args: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = c
        .arg("serve")
        .args(args)
        .env("HUIMIN_BIND", "127.0.0.1:0")
        .env("HUIMIN_JOB_SEND_NOTIFICATIONS", "* * * * * *")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if line.starts_with("Scheduled jobs:") {
                let _ = tx.send(line);
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(jobs) => (child, jobs),
        Err(_) => {
            let _ = child.kill();
            panic!("serve did not start");
        }
    }
}

fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// `serve --no-jobs` runs no job while a worker and a plain `serve` do. "No job ran" is
/// judged against a witness rather than after a wait: `serve --no-jobs` is told to run
/// `budget_watch` every second, a worker beside it never runs `budget_watch` but delivers mail
/// every second; once the worker has run in four distinct seconds (rows), a scheduler in the
/// server would have run `budget_watch` at least once.
#[tokio::test]
async fn serve_no_jobs_runs_no_jobs_while_worker_and_serve_do() {
    let env = env().await;
    let o = huimin(&env, &["demo"]);
    assert!(o.status.success(), "{o:?}");
    let outbox = env.dir.path().join("data").join("outbox");
    let runs = || scalar(&env.url, "SELECT COUNT(*) AS n FROM job_run");
    let pending = || {
        scalar(
            &env.url,
            "SELECT COUNT(*) AS n FROM notification WHERE status = 'pending'",
        )
    };
    assert!(pending().await > 0);

    // `serve --no-jobs`: the API only, and it says so once it listens.
    let mut serve = command(&env);
    serve.env("HUIMIN_JOB_BUDGET_WATCH", "* * * * * *");
    let (server, jobs) = start_serve_with(serve, &["--no-jobs"]);
    assert!(jobs.contains("off"), "{jobs}");

    // `worker`: the jobs only (send_notifications every second, budget_watch never).
    let worker = command(&env)
        .arg("worker")
        .env("HUIMIN_JOB_SEND_NOTIFICATIONS", "* * * * * *")
        .env("HUIMIN_JOB_BUDGET_WATCH", "0 0 0 1 1 * 2099")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start worker");
    let witnessed = eventually(60, || async {
        pending().await == 0 && job_runs(&env.url, "send_notifications").await >= 4
    })
    .await;
    let server_runs = job_runs(&env.url, "budget_watch").await;
    stop(worker);
    stop(server);
    assert!(
        witnessed,
        "the worker delivered the queue, second after second"
    );
    assert_eq!(server_runs, 0, "serve --no-jobs ran a job");
    assert!(!eml_files(&outbox).is_empty());
    let after_worker = runs().await;

    // `serve` without --no-jobs runs the scheduler in-process.
    let (server, jobs) = start_serve(&env, &[]);
    assert!(jobs.contains("run in this process"), "{jobs}");
    let ran = eventually(30, || async { runs().await > after_worker }).await;
    stop(server);
    assert!(ran, "serve ran the scheduled jobs");
}
