//! `huimin-load`: the write benchmark's open-loop load, for its fixed-rate runs.
//!
//! wrk's connections each wait for an answer before sending the next request (a closed loop):
//! at saturation its latency is the queue the connections make themselves (C connections at X
//! req/s wait C / X, Little's law), and while the server stalls the requests that would have
//! been sent are never counted. Here the requests are due at a fixed rate whatever the answers,
//! and each one's latency counts from when it was due, so the time it waited for a free
//! connection counts too (no coordinated omission), as wrk2 and oha measure. Neither of those
//! sends a different body per request, which these writes need (a new milestone, a new voucher
//! each time); so this reads its requests from a file, one per line:
//! `METHOD<TAB>PATH<TAB>BODY`, sent with `Authorization: Bearer <token>` and a JSON body.
//!
//! Prints one line of `key=value` figures on standard output (sent, answered, rps, p50_ms,
//! p99_ms, max_ms, non2xx, errors); `--ok-log` receives, per 2xx answer, the `--ok-fields` of
//! its JSON body as a CSV line.
//!
//! `--token-per-line` takes each request's bearer token from its line
//! (`TOKEN<TAB>METHOD<TAB>PATH<TAB>BODY`), so that many users' requests mix as they would.
//!
//! `--base` may be given several times (replicas of one service behind no balancer): the
//! connections are spread over them in turn, and after the line of figures for all of them
//! one line per base follows, `base=URL` and the same figures for its connections' requests.
//!
//! `--closed` runs a closed loop instead (each connection sends its next request as soon as the
//! last is answered, for `--duration`), for throughput. `--chain` makes each unit of work the
//! whole way of one payment (SPEC §9): the organisation requests 0.01 (`--org-token`), the
//! officer verifies (`--token`), the approver approves (`--approver-token`), the officer pays;
//! its lines are `CONTRACT<TAB>VOUCHER<TAB>DAY`, its latency is the chain's, a chain with any
//! refused step counts as non-2xx, and `--ok-log` receives the payment's fields.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "a benchmark tool: a panic is how it fails; its counts are small"
)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::body::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};
use tokio::time::Instant;

/// Sends the requests of a file at a fixed rate over a fixed number of connections.
#[derive(Parser)]
#[command(name = "huimin-load", about)]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080 (HTTP/1.1, no TLS); repeated for replicas, whose
    /// connections alternate between them.
    #[arg(long, required = true)]
    base: Vec<url::Url>,
    /// The bearer token every request carries.
    #[arg(long)]
    token: String,
    /// The requests, one per line: METHOD<TAB>PATH<TAB>BODY; the first rate × duration are sent.
    #[arg(long)]
    requests: PathBuf,
    /// Connections kept open (each carries one request at a time).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Requests due per second (ignored with --closed).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// A closed loop: every connection sends its next request when the last is answered.
    #[arg(long)]
    closed: bool,
    /// Each line starts with its own bearer token: TOKEN<TAB>METHOD<TAB>PATH<TAB>BODY.
    #[arg(long, conflicts_with = "chain")]
    token_per_line: bool,
    /// Each line is a payment's whole chain: CONTRACT<TAB>VOUCHER<TAB>DAY.
    #[arg(long, requires_all = ["org_token", "approver_token"])]
    chain: bool,
    /// The organisation's token, which requests the chain's payments.
    #[arg(long)]
    org_token: Option<String>,
    /// An approver's token, which approves them.
    #[arg(long)]
    approver_token: Option<String>,
    /// Seconds of load.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Where to write the 2xx answers' fields (CSV, one line per answer).
    #[arg(long)]
    ok_log: Option<PathBuf>,
    /// The top-level fields of a 2xx answer's JSON body written to --ok-log, comma-separated.
    #[arg(long, default_value = "id", value_delimiter = ',')]
    ok_fields: Vec<String>,
    /// Where to write the run second by second (CSV with a header: the second in which the
    /// requests were due, and their figures), to see when a tail happened.
    #[arg(long)]
    timeline: Option<PathBuf>,
}

struct Call {
    method: Method,
    path: String,
    body: Bytes,
    /// The line's own `Authorization` header (`--token-per-line`).
    bearer: Option<String>,
}

/// What one request came to.
struct Outcome {
    /// The index of the `--base` its connection talks to.
    base: usize,
    /// From when it was due to the end of its answer.
    latency: Duration,
    finished: Instant,
    /// The status and, for a 2xx answer, its body; `None` when the connection failed.
    answer: Option<(u16, Option<Bytes>)>,
}

fn read_calls(path: &PathBuf, token_per_line: bool) -> anyhow::Result<Vec<Call>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let (bearer, line) = if token_per_line {
                match line.split_once('\t') {
                    Some((token, rest)) => (Some(format!("Bearer {token}")), rest),
                    None => bail!(
                        "line {}: expected TOKEN<TAB>METHOD<TAB>PATH<TAB>BODY",
                        n + 1
                    ),
                }
            } else {
                (None, line)
            };
            let mut parts = line.splitn(3, '\t');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(method), Some(path), Some(body)) => Ok(Call {
                    method: method
                        .parse()
                        .with_context(|| format!("line {}: method", n + 1))?,
                    path: path.to_owned(),
                    body: Bytes::copy_from_slice(body.as_bytes()),
                    bearer,
                }),
                _ => bail!("line {}: expected METHOD<TAB>PATH<TAB>BODY", n + 1),
            }
        })
        .collect()
}

/// The chains of a file, one per line: CONTRACT<TAB>VOUCHER<TAB>DAY (kept as a call to the
/// contract whose body is the voucher and the day).
fn read_chains(path: &PathBuf) -> anyhow::Result<Vec<Call>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(n, line)| match line.split_once('\t') {
            Some((contract, rest)) if rest.contains('\t') => Ok(Call {
                method: Method::POST,
                path: contract.to_owned(),
                body: Bytes::copy_from_slice(rest.as_bytes()),
                bearer: None,
            }),
            _ => bail!("line {}: expected CONTRACT<TAB>VOUCHER<TAB>DAY", n + 1),
        })
        .collect()
}

async fn connect(addr: &str) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

struct Shared {
    calls: Vec<Call>,
    /// Each base's `host:port`.
    authorities: Vec<String>,
    bearer: String,
    /// The organisation's and the approver's bearer headers, for chains.
    chain: Option<(String, String)>,
    due: Mutex<mpsc::UnboundedReceiver<(usize, Instant)>>,
    /// In a closed loop: when to stop taking requests.
    until: Option<Instant>,
    /// Whether 2xx answers' bodies are kept (for `--ok-log`).
    keep_bodies: bool,
}

/// Sends one request and reads its answer: the status and, for a 2xx answer when `keep`, its
/// body; `None` when the connection failed. An answer not kept is read and dropped frame by
/// frame, as wrk does: a page of 50 records is 16–38 KB, and keeping every answer held 0.8–0.9
/// GB after an 8-second closed loop on the contract list and cost this client 6.0 s of CPU
/// instead of 1.2 s, taken from the two cores it shares with the server.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    authority: &str,
    bearer: &str,
    method: Method,
    path: &str,
    body: Bytes,
    keep: bool,
) -> Option<(u16, Option<Bytes>)> {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, authority)
        .header(AUTHORIZATION, bearer)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .expect("a request of valid parts");
    sender.ready().await.ok()?;
    let response = sender.send_request(request).await.ok()?;
    let status = response.status();
    let mut body = response.into_body();
    if keep && status.is_success() {
        let body = body.collect().await.ok()?.to_bytes();
        return Some((status.as_u16(), Some(body)));
    }
    while let Some(frame) = body.frame().await {
        frame.ok()?;
    }
    Some((status.as_u16(), None))
}

/// The `id` of a 2xx answer's JSON body.
fn id_of(answer: &Option<(u16, Option<Bytes>)>) -> Option<String> {
    let body = answer.as_ref()?.1.as_ref()?;
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value["id"].as_str().map(str::to_owned)
}

/// One payment's chain (see the module's comment): its last answer, or the first refusal.
async fn chain(
    sender: &mut SendRequest<Full<Bytes>>,
    shared: &Shared,
    authority: &str,
    call: &Call,
) -> Option<(u16, Option<Bytes>)> {
    let (org, approver) = shared.chain.as_ref().expect("chain tokens");
    let line = std::str::from_utf8(&call.body).unwrap_or_default();
    let (voucher, day) = line.split_once('\t').unwrap_or((line, ""));
    let contract = &call.path;
    let a = authority;
    let asked = send(
        sender,
        a,
        org,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/payment-requests"),
        Bytes::from(format!(
            r#"{{"amount":"0.01","invoice_no":"{voucher}","invoice_date":"{day}"}}"#
        )),
        true,
    )
    .await;
    let Some(id) = id_of(&asked) else {
        return asked;
    };
    for (bearer, step) in [(&shared.bearer, "verify"), (approver, "approve")] {
        let answer = send(
            sender,
            a,
            bearer,
            Method::POST,
            &format!("/api/v1/payment-requests/{id}/{step}"),
            Bytes::new(),
            false,
        )
        .await;
        if !matches!(answer, Some((200, _))) {
            return answer;
        }
    }
    send(
        sender,
        a,
        &shared.bearer,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/payments"),
        Bytes::from(format!(
            r#"{{"payment_request_id":"{id}","paid_on":"{day}","voucher_no":"{voucher}"}}"#
        )),
        shared.keep_bodies,
    )
    .await
}

/// One connection to base `base`: takes the next due request (or chain), sends it, waits for
/// its answer; reconnects after a failure.
async fn connection(
    shared: Arc<Shared>,
    base: usize,
    mut sender: SendRequest<Full<Bytes>>,
) -> Vec<Outcome> {
    let authority = shared.authorities[base].as_str();
    let mut outcomes = Vec::new();
    loop {
        if shared.until.is_some_and(|until| Instant::now() >= until) {
            break;
        }
        let next = shared.due.lock().await.recv().await;
        let Some((i, due)) = next else { break };
        // In a closed loop a request is due when a connection takes it.
        let due = if shared.until.is_some() {
            Instant::now()
        } else {
            due
        };
        let call = &shared.calls[i];
        let answer = if shared.chain.is_some() {
            chain(&mut sender, &shared, authority, call).await
        } else {
            send(
                &mut sender,
                authority,
                call.bearer.as_deref().unwrap_or(&shared.bearer),
                call.method.clone(),
                &call.path,
                call.body.clone(),
                shared.keep_bodies,
            )
            .await
        };
        let finished = Instant::now();
        if answer.is_none() {
            match connect(authority).await {
                Ok(fresh) => sender = fresh,
                Err(e) => eprintln!("huimin-load: {e:#}"),
            }
        }
        outcomes.push(Outcome {
            base,
            latency: finished - due,
            finished,
            answer,
        });
    }
    outcomes
}

/// The q-quantile (nearest rank) of sorted latencies, in milliseconds.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// The p50, p99 and maximum latency of some outcomes, in milliseconds (zeros for none).
fn p50_p99_max(outcomes: &[&Outcome]) -> [f64; 3] {
    let mut latencies: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    if latencies.is_empty() {
        return [0.0; 3];
    }
    latencies.sort_unstable();
    [0.50, 0.99, 1.0].map(|q| quantile_ms(&latencies, q))
}

/// The figures of some outcomes, `sent=… answered=… rps=… p50_ms=… p99_ms=… max_ms=… non2xx=…
/// errors=… statuses=…`, their rate over `window` (the whole run's, so that the rates of the
/// bases add up to the total).
fn figures<'a>(outcomes: impl Iterator<Item = &'a Outcome>, window: Duration) -> String {
    let outcomes: Vec<&Outcome> = outcomes.collect();
    let [p50, p99, max] = p50_p99_max(&outcomes);
    let answered = outcomes.iter().filter(|o| o.answer.is_some()).count();
    // Which refusals, for the reader: `statuses=401:12,429:3`.
    let mut refused = std::collections::BTreeMap::new();
    for o in &outcomes {
        if let Some((status, _)) = o.answer
            && !(200..300).contains(&status)
        {
            *refused.entry(status).or_insert(0usize) += 1;
        }
    }
    let non2xx: usize = refused.values().sum();
    let statuses: Vec<String> = refused.iter().map(|(s, n)| format!("{s}:{n}")).collect();
    let sent = outcomes.len();
    format!(
        "sent={sent} answered={answered} rps={:.1} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} non2xx={non2xx} errors={} statuses={}",
        answered as f64 / window.as_secs_f64().max(f64::MIN_POSITIVE),
        p50,
        p99,
        max,
        sent - answered,
        if statuses.is_empty() {
            "-".to_string()
        } else {
            statuses.join(",")
        },
    )
}

/// The run second by second: a CSV line per second from the start (by when each request was
/// due; in a closed loop, when a connection took it) with the figures of that second's requests;
/// `unix_ms`, the wall clock at the second's start (the start is at `start_unix_ms`), to set
/// beside what else the machine logged.
fn timeline(outcomes: &[Outcome], start: Instant, start_unix_ms: u128) -> String {
    let mut seconds: Vec<Vec<&Outcome>> = Vec::new();
    for o in outcomes {
        let due = o.finished - o.latency;
        let s = due.saturating_duration_since(start).as_secs() as usize;
        if seconds.len() <= s {
            seconds.resize_with(s + 1, Vec::new);
        }
        seconds[s].push(o);
    }
    let mut csv = String::from("second,unix_ms,due,answered,non2xx,p50_ms,p99_ms,max_ms\n");
    for (s, of_second) in seconds.iter().enumerate() {
        let [p50, p99, max] = p50_p99_max(of_second);
        let answered = of_second.iter().filter(|o| o.answer.is_some()).count();
        let non2xx = of_second
            .iter()
            .filter(|o| matches!(o.answer, Some((status, _)) if !(200..300).contains(&status)))
            .count();
        let _ = writeln!(
            csv,
            "{s},{},{},{answered},{non2xx},{p50:.2},{p99:.2},{max:.2}",
            start_unix_ms + s as u128 * 1000,
            of_second.len()
        );
    }
    csv
}

fn ok_line(body: &[u8], fields: &[String]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let cells: Vec<&str> = fields
        .iter()
        .map(|f| value[f].as_str().unwrap_or("?"))
        .collect();
    cells.join(",")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        (args.closed || args.rate > 0.0) && args.duration > 0.0,
        "--rate (unless --closed) and --duration must be positive"
    );
    anyhow::ensure!(args.connections > 0, "--connections must be positive");
    let calls = if args.chain {
        read_chains(&args.requests)?
    } else {
        read_calls(&args.requests, args.token_per_line)?
    };
    // A closed loop takes from every line until the time is up.
    let total = if args.closed {
        calls.len()
    } else {
        (args.rate * args.duration).round() as usize
    };
    anyhow::ensure!(total > 0, "--rate × --duration is less than one request");
    anyhow::ensure!(
        calls.len() >= total,
        "{} requests in {}, {total} needed for {} req/s over {} s",
        calls.len(),
        args.requests.display(),
        args.rate,
        args.duration
    );
    let authorities = args
        .base
        .iter()
        .map(|base| {
            let host = base.host_str().context("--base has no host")?;
            let port = base.port_or_known_default().context("--base has no port")?;
            Ok(format!("{host}:{port}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;

    // Connection i talks to base i mod the number of bases.
    let mut senders = Vec::with_capacity(args.connections);
    for i in 0..args.connections {
        let base = i % authorities.len();
        senders.push((base, connect(&authorities[base]).await?));
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let start = Instant::now() + Duration::from_millis(50);
    let start_unix_ms = (std::time::SystemTime::now() + Duration::from_millis(50))
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let until = args
        .closed
        .then(|| start + Duration::from_secs_f64(args.duration));
    let bearer = |t: &str| format!("Bearer {t}");
    let shared = Arc::new(Shared {
        calls,
        authorities,
        bearer: bearer(&args.token),
        chain: args
            .org_token
            .as_deref()
            .zip(args.approver_token.as_deref())
            .filter(|_| args.chain)
            .map(|(o, a)| (bearer(o), bearer(a))),
        due: Mutex::new(rx),
        until,
        keep_bodies: args.ok_log.is_some(),
    });
    let workers: Vec<_> = senders
        .into_iter()
        .map(|(base, sender)| tokio::spawn(connection(shared.clone(), base, sender)))
        .collect();

    if args.closed {
        tokio::time::sleep_until(start).await;
        for i in 0..total {
            // The connections stop taking at the deadline and leave the rest queued.
            let _ = tx.send((i, start));
        }
    } else {
        for i in 0..total {
            let due = start + Duration::from_secs_f64(i as f64 / args.rate);
            tokio::time::sleep_until(due).await;
            tx.send((i, due))
                .expect("the connections wait for the queue to close");
        }
    }
    drop(tx);
    let mut outcomes = Vec::with_capacity(total);
    for worker in workers {
        outcomes.extend(worker.await?);
    }

    let last = outcomes.iter().map(|o| o.finished).max().unwrap_or(start);
    let mut ok_log = String::new();
    for body in outcomes
        .iter()
        .filter_map(|o| o.answer.as_ref()?.1.as_ref())
    {
        writeln!(ok_log, "{}", ok_line(body, &args.ok_fields))?;
    }
    if let Some(path) = &args.ok_log {
        std::fs::write(path, ok_log).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.timeline {
        std::fs::write(path, timeline(&outcomes, start, start_unix_ms))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let window = last - start;
    println!("{}", figures(outcomes.iter(), window));
    if args.base.len() > 1 {
        for (i, base) in args.base.iter().enumerate() {
            let of_base = outcomes.iter().filter(|o| o.base == i);
            println!(
                "base={} {}",
                base.as_str().trim_end_matches('/'),
                figures(of_base, window)
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile_ms(&sorted, 0.50), 50.0);
        assert_eq!(quantile_ms(&sorted, 0.99), 99.0);
        assert_eq!(quantile_ms(&sorted, 1.0), 100.0);
        assert_eq!(quantile_ms(&sorted[..1], 0.99), 1.0);
    }

    #[test]
    fn requests_are_read_one_per_line_and_a_malformed_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requests");
        std::fs::write(&path, "POST\t/a\t{\"x\":\"a\tb\"}\nGET\t/ready\t\n").unwrap();
        let calls = read_calls(&path, false).unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(
            (calls[0].method.as_str(), calls[0].path.as_str()),
            ("POST", "/a")
        );
        assert_eq!(&calls[0].body[..], b"{\"x\":\"a\tb\"}");
        assert!(calls[1].body.is_empty());
        std::fs::write(&path, "POST\t/a\t{}\nPOST /b\n").unwrap();
        let err = read_calls(&path, false).err().unwrap().to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn a_line_may_carry_its_own_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requests");
        std::fs::write(&path, "t1\tGET\t/api/v1/me\t\nt2\tPOST\t/a\t{}\n").unwrap();
        let calls = read_calls(&path, true).unwrap();
        assert_eq!(calls[0].bearer.as_deref(), Some("Bearer t1"));
        assert_eq!(
            (calls[1].method.as_str(), calls[1].path.as_str()),
            ("POST", "/a")
        );
        assert_eq!(&calls[1].body[..], b"{}");
        std::fs::write(&path, "t1\n").unwrap();
        assert!(read_calls(&path, true).is_err());
    }

    #[test]
    fn figures_per_base_add_up_to_the_total() {
        let now = Instant::now();
        let outcome = |base, ms, status| Outcome {
            base,
            latency: Duration::from_millis(ms),
            finished: now,
            answer: Some((status, None)),
        };
        let all = [
            outcome(0, 1, 201),
            outcome(0, 3, 201),
            outcome(1, 2, 409),
            outcome(1, 4, 201),
        ];
        let window = Duration::from_secs(2);
        assert_eq!(
            figures(all.iter(), window),
            "sent=4 answered=4 rps=2.0 p50_ms=2.00 p99_ms=4.00 max_ms=4.00 non2xx=1 errors=0 statuses=409:1"
        );
        assert_eq!(
            figures(all.iter().filter(|o| o.base == 1), window),
            "sent=2 answered=2 rps=1.0 p50_ms=2.00 p99_ms=4.00 max_ms=4.00 non2xx=1 errors=0 statuses=409:1"
        );
        assert!(figures(std::iter::empty(), window).starts_with("sent=0 answered=0 rps=0.0"));
    }

    #[test]
    fn the_timeline_groups_requests_by_the_second_they_were_due() {
        let start = Instant::now();
        let outcome = |due_ms, ms, status: Option<u16>| Outcome {
            base: 0,
            latency: Duration::from_millis(ms),
            finished: start + Duration::from_millis(due_ms + ms),
            answer: status.map(|s| (s, None)),
        };
        let all = [
            outcome(100, 5, Some(201)),
            outcome(900, 1500, Some(201)),
            outcome(2100, 3, Some(409)),
            outcome(2200, 7, None),
        ];
        assert_eq!(
            timeline(&all, start, 1_000),
            "second,unix_ms,due,answered,non2xx,p50_ms,p99_ms,max_ms\n\
             0,1000,2,2,0,5.00,1500.00,1500.00\n\
             1,2000,0,0,0,0.00,0.00,0.00\n\
             2,3000,2,1,1,3.00,7.00,7.00\n"
        );
    }

    #[test]
    fn an_answer_logs_its_fields_and_a_missing_one_as_a_question_mark() {
        let fields = ["id".to_string(), "milestone_id".to_string()];
        assert_eq!(
            ok_line(br#"{"id":"r1","milestone_id":"m1","x":1}"#, &fields),
            "r1,m1"
        );
        assert_eq!(ok_line(br#"{"id":"r1"}"#, &fields), "r1,?");
        assert_eq!(ok_line(b"not json", &fields), "?,?");
    }
}
