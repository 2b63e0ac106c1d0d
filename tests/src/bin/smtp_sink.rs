//! `huimin-smtp-sink`: a local SMTP server that accepts every message, for the benchmarks.
//! By default it throws the messages away (the jobs benchmark's `send_notifications` figure);
//! with `--record FILE` it appends one line per message and recipient,
//! `RECIPIENT<TAB>MESSAGE-ID`, so that the replicas benchmark can tell whether each
//! notification arrived exactly once (the Message-ID is derived from the notification's dedupe
//! key). mailin-embedded serves a connection per thread, from a pool of 256: well above the
//! connections the senders keep open (a pooled connection holds its thread while idle). Every
//! 100 messages it writes the count so far into `--count-file`.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "a test tool: a panic is how it fails; its counts are small"
)]

use std::fs::File;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use clap::Parser;
use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// Accepts mail on 127.0.0.1, and discards or records it.
#[derive(Parser)]
#[command(name = "huimin-smtp-sink", about)]
struct Args {
    /// The port to listen on.
    #[arg(long, default_value_t = 2525)]
    port: u16,
    /// Where to write how many messages were received.
    #[arg(long)]
    count_file: PathBuf,
    /// Append `RECIPIENT<TAB>MESSAGE-ID` per message and recipient to this file (created or
    /// truncated), written before the message is acknowledged.
    #[arg(long)]
    record: Option<PathBuf>,
}

/// How much of a message's beginning is kept to find its headers.
const HEAD_LIMIT: usize = 64 * 1024;

/// One per connection (mailin-embedded clones it for each): the message being received.
#[derive(Clone)]
struct Sink {
    received: Arc<AtomicU64>,
    count_file: Arc<PathBuf>,
    record: Option<Arc<Mutex<File>>>,
    to: Vec<String>,
    head: Vec<u8>,
}

/// The `Message-ID` header of a message's beginning (unfolded), or `-` when it has none.
fn message_id(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    head.split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| "-".to_string())
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.head.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.record.is_some() && self.head.len() < HEAD_LIMIT {
            let room = HEAD_LIMIT - self.head.len();
            self.head.extend_from_slice(&buf[..buf.len().min(room)]);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(record) = &self.record {
            let id = message_id(&self.head);
            let lines: String = self.to.iter().map(|to| format!("{to}\t{id}\n")).collect();
            let written = record
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))
                .and_then(|mut f| f.write_all(lines.as_bytes()));
            if let Err(e) = written {
                eprintln!("huimin-smtp-sink: recording a message: {e}");
                return mailin_embedded::response::INTERNAL_ERROR;
            }
        }
        let n = self.received.fetch_add(1, Ordering::SeqCst) + 1;
        if n.is_multiple_of(100) {
            let _ = std::fs::write(self.count_file.as_ref(), n.to_string());
        }
        OK
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = TcpListener::bind(("127.0.0.1", args.port))?;
    let record = args
        .record
        .map(|path| File::create(&path).map(|f| Arc::new(Mutex::new(f))))
        .transpose()?;
    let mut server = Server::new(Sink {
        received: Arc::new(AtomicU64::new(0)),
        count_file: Arc::new(args.count_file),
        record,
        to: Vec::new(),
        head: Vec::new(),
    });
    server
        .with_name("sink.huimin.bench")
        .with_num_threads(256)
        .with_tcp_listener(listener);
    server
        .with_ssl(SslConfig::None)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    server.serve().map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_id_is_read_from_the_headers_only() {
        let m =
            b"From: a@b\r\nMessage-ID: <abc@huimin>\r\nSubject: x\r\n\r\nMessage-ID: <body@x>\r\n";
        assert_eq!(message_id(m), "<abc@huimin>");
        let folded = b"message-id:\r\n <folded@huimin>\r\n\r\nbody";
        assert_eq!(message_id(folded), "<folded@huimin>");
        assert_eq!(message_id(b"Subject: x\r\n\r\nMessage-ID: <body@x>"), "-");
    }
}
