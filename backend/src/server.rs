//! The HTTP listener under the router: at most `max_connections` connections at once (further
//! clients wait in the listen queue), a header-read timeout and an idle keep-alive timeout,
//! `TCP_NODELAY`, and graceful shutdown.
//!
//! hyper's own header timeout is not used: it starts when a kept-alive connection falls idle,
//! so it would close idle connections after the (short) header timeout. Here, as in Go's
//! `net/http`, a connection is in one of three phases, and only two of them can expire:
//! - **head**: from its opening, or from the first byte after an answer, until the request's
//!   head is complete; closed `header_timeout` after that start (a slow-loris client that
//!   sends half a request line and stalls);
//! - **busy**: a request is being answered (the router's own timeout bounds its handler);
//! - **idle**: kept alive after an answer, no byte since; closed after `idle_timeout`.
//!
//! The socket (a byte arrived) and the service (a request began; its answer's body was
//! written or dropped) record the phase in two atomics without waking anyone. The
//! connection's task holds one timer, set for the moment the connection expires if nothing
//! changes, but never further than the shorter of the two timeouts (the earliest a phase
//! begun later could expire); when it fires, the task reads the phase and either closes the
//! connection or sets the timer again. So a request costs no timer operation at all, and a
//! connection wakes at most once per the shorter timeout to look.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt as _;

/// The limits of a listener (`HUIMIN_HEADER_TIMEOUT_MS`, `HUIMIN_IDLE_TIMEOUT_MS`,
/// `HUIMIN_MAX_CONNECTIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a request's head may take, from the connection's opening or the first byte
    /// of the request.
    pub header_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// How many connections are served at once.
    pub max_connections: u32,
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, lets each
/// connection finish the request it is answering (idle ones close at once), and returns when
/// every connection has closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        // A slot first: at the cap, clients wait in the kernel's listen queue, unaccepted.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers go out as soon as they are written: with Nagle's algorithm a second small
        // segment of an answer would wait for the client's (delayed, up to 40 ms)
        // acknowledgement.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set on an accepted connection");
        }
        tokio::spawn(connection(
            tcp,
            peer,
            router.clone(),
            limits,
            stop_rx.clone(),
            permit,
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Each open connection holds a slot until it closes.
    let _ = slots.acquire_many(limits.max_connections).await;
}

/// An accept that failed: a client gone before it was accepted is nothing; running out of
/// file descriptors (or similar) is logged, and the loop pauses instead of spinning.
async fn accept_failed(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Serves one connection until it ends, expires, or shuts down gracefully.
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    metrics::gauge!("http_connections_open").increment(1.0);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        tcp,
        activity: activity.clone(),
    });
    let service = ConnService {
        router,
        peer,
        activity: activity.clone(),
    };
    const READ_AHEAD: usize = 64 * 1024;
    let conn = hyper::server::conn::http1::Builder::new()
        // Replaced by the phases above (hyper's would also cut idle connections short).
        .header_read_timeout(None)
        // What one connection reads ahead at most (hyper's default is ~400 KB): a request's
        // head fits with room to spare, and eight phones uploading at once hold 64 KB each
        // here, not 400.
        .max_buf_size(READ_AHEAD)
        .serve_connection(io, service);
    tokio::pin!(conn);
    // The earliest any phase begun from now on can expire: the timer never sleeps past it,
    // so a phase's deadline is never missed, and wakes at most once per this while.
    let tick = limits.header_timeout.min(limits.idle_timeout);
    let timer = tokio::time::sleep(tick);
    tokio::pin!(timer);
    let mut stopping = false;
    loop {
        tokio::select! {
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
                break;
            }
            () = &mut timer => {
                let now = Instant::now();
                match activity.expiry(&limits) {
                    Some((at, why)) if at <= now => {
                        tracing::debug!(%peer, reason = why, "closing an expired connection");
                        metrics::counter!("http_connections_expired_total", "reason" => why)
                            .increment(1);
                        break;
                    }
                    Some((at, _)) => timer.as_mut().reset(at.min(now + tick).into()),
                    // Busy: no deadline now; look again in a while.
                    None => timer.as_mut().reset((now + tick).into()),
                }
            }
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    // Idle connections close now; a request being answered is finished first.
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
    metrics::gauge!("http_connections_open").decrement(1.0);
}

/// The high bit of [`Activity::mark`]: bytes of a head have arrived.
const HEAD: u64 = 1 << 63;

/// One connection's phase (see the module documentation).
struct Activity {
    opened: Instant,
    /// Requests whose answer is not yet written.
    busy: AtomicUsize,
    /// Milliseconds from `opened` to the start of the current head or idle phase, with
    /// [`HEAD`] set for a head.
    mark: AtomicU64,
}

impl Activity {
    /// A new connection: its first request's head is due within the header timeout.
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            busy: AtomicUsize::new(0),
            mark: AtomicU64::new(HEAD),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX >> 1)
    }

    /// Bytes arrived: on an idle connection, they begin the next request's head.
    fn bytes_arrived(&self) {
        if self.busy.load(Ordering::Acquire) != 0 {
            return;
        }
        let mark = self.mark.load(Ordering::Acquire);
        if mark & HEAD == 0 {
            let _ = self.mark.compare_exchange(
                mark,
                HEAD | self.now_ms(),
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }

    /// When the connection expires if nothing changes, and why; `None` while it is busy.
    fn expiry(&self, limits: &Limits) -> Option<(Instant, &'static str)> {
        if self.busy.load(Ordering::Acquire) != 0 {
            return None;
        }
        let mark = self.mark.load(Ordering::Acquire);
        let since = self.opened + Duration::from_millis(mark & !HEAD);
        Some(if mark & HEAD != 0 {
            (since + limits.header_timeout, "header_timeout")
        } else {
            (since + limits.idle_timeout, "idle_timeout")
        })
    }
}

/// A request being answered, until its answer's body is written (or dropped): then, with no
/// other request open, the connection is idle.
struct Busy(Arc<Activity>);

impl Busy {
    fn start(activity: Arc<Activity>) -> Self {
        activity.busy.fetch_add(1, Ordering::AcqRel);
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if self.0.busy.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.mark.store(self.0.now_ms(), Ordering::Release);
        }
    }
}

/// The socket, noting when bytes arrive.
struct Watched {
    tcp: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.tcp).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.bytes_arrived();
        }
        read
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

/// The router as one connection's service: the peer's address as [`ConnectInfo`], and each
/// request marked busy until its answer is written.
#[derive(Clone)]
struct ConnService {
    router: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Tracked>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<Tracked>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, mut req: Request<Incoming>) -> Self::Future {
        req.extensions_mut().insert(ConnectInfo(self.peer));
        let busy = Busy::start(self.activity.clone());
        let router = self.router.clone();
        Box::pin(async move {
            let res = router.oneshot(req).await?;
            Ok(res.map(|body| Tracked { body, _busy: busy }))
        })
    }
}

/// An answer's body, holding its request's [`Busy`] mark until hyper has written (or
/// dropped) it.
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
