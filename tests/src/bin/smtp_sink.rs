//! `huimin-smtp-sink`: a local SMTP server that accepts every message and throws it away, for
//! the jobs benchmark's `send_notifications` figure. mailin-embedded serves a connection per
//! thread, from a pool of 256: well above the connections the sender keeps open (a pooled
//! connection holds its thread while idle). Every 100 messages it writes the count so far into
//! `--count-file`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::Parser;
use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// Accepts and discards mail on 127.0.0.1.
#[derive(Parser)]
#[command(name = "huimin-smtp-sink", about)]
struct Args {
    /// The port to listen on.
    #[arg(long, default_value_t = 2525)]
    port: u16,
    /// Where to write how many messages were received.
    #[arg(long)]
    count_file: PathBuf,
}

#[derive(Clone)]
struct Sink {
    received: Arc<AtomicU64>,
    count_file: Arc<PathBuf>,
}

impl Handler for Sink {
    fn data(&mut self, _buf: &[u8]) -> std::io::Result<()> {
        Ok(())
    }

    fn data_end(&mut self) -> Response {
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
    let mut server = Server::new(Sink {
        received: Arc::new(AtomicU64::new(0)),
        count_file: Arc::new(args.count_file),
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
