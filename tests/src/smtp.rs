//! A real SMTP server in the test process (mailin-embedded on a loopback port), recording what
//! it receives, which can refuse service on demand.

use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use mailin_embedded::response::{NO_SERVICE, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// One received message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message (headers and MIME body).
    pub data: String,
}

impl Received {
    /// The decoded subject (lettre encodes non-ASCII subjects as RFC 2047 words).
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The header `name`'s value, with its folded continuation lines.
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}: ");
        let mut lines = self.data.lines().skip_while(|l| !l.starts_with(&prefix));
        let first = lines.next()?.strip_prefix(&prefix)?.to_string();
        let rest: Vec<&str> = lines
            .take_while(|l| l.starts_with(' ') || l.starts_with('\t'))
            .collect();
        Some(
            std::iter::once(first.as_str())
                .chain(rest.iter().map(|l| l.trim()))
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// Decodes `=?utf-8?b?…?=` words (what lettre writes for non-ASCII subjects).
fn decode_words(s: &str) -> String {
    use base64::Engine;
    s.split_whitespace()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && w.ends_with("?=") {
                let b = &w[10..w.len() - 2];
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .ok()
                    .and_then(|v| String::from_utf8(v).ok())
                    .unwrap_or_else(|| w.to_string())
            } else {
                format!(" {w} ")
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

#[derive(Clone)]
struct Recorder {
    inbox: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
    current: Option<Received>,
}

impl Handler for Recorder {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        if self.down.load(Ordering::SeqCst) {
            NO_SERVICE
        } else {
            OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_string(),
            to: to.to_vec(),
            data: String::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(c) = self.current.as_mut() {
            c.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(c) = self.current.take() {
            self.inbox.lock().unwrap_or_else(|e| e.into_inner()).push(c);
        }
        OK
    }
}

/// The server's handle: its port, what it received, and a switch to refuse service.
#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
}

impl SmtpServer {
    /// A port with nothing listening yet (connections are refused until [`SmtpServer::start_on`]).
    pub fn reserve_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port")
    }

    /// Starts a server on a free port.
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// Starts a server on `port` (0 for any), serving on its own thread.
    pub fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind SMTP port");
        let port = listener.local_addr().expect("addr").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let handler = Recorder {
            inbox: inbox.clone(),
            down: down.clone(),
            current: None,
        };
        let mut server = Server::new(handler);
        server.with_name("smtp.test").with_num_threads(32);
        server.with_ssl(SslConfig::None).expect("no TLS");
        server.with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer { port, inbox, down }
    }

    /// The URL to give `SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Refuses (`true`) or accepts (`false`) mail from now on.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}
