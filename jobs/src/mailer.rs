//! Delivery with lettre: a pooled SMTP transport (STARTTLS or TLS as `SMTP_URL` says, with
//! its credentials), or `.eml` files under `./data/outbox/` when no `SMTP_URL` is set.

use std::path::Path;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where mail goes.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// The mailer: a transport and the sender's address.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

/// One e-mail to send.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
}

impl Mailer {
    /// SMTP when `smtp_url` is given (`smtp://user:pass@host:587?tls=required`,
    /// `smtps://…`), else files in `outbox_dir`.
    pub fn new(smtp_url: Option<&str>, from: &str, outbox_dir: &Path) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM {from:?}: {e}"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
                    .pool_config(PoolConfig::new().max_size(entity::rules::counts::to_u32(
                        crate::jobs::send_notifications::CONCURRENCY,
                    )))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(outbox_dir)?;
                Transport::File(AsyncFileTransport::<Tokio1Executor>::new(outbox_dir))
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Sends one e-mail; answers the server's reply (or the file's id), or why it failed.
    pub async fn send(&self, e: &Email) -> Result<String, String> {
        let to: Mailbox =
            e.to.parse()
                .map_err(|err| format!("bad recipient {:?}: {err}", e.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(e.subject.clone())
            .message_id(Some(e.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                e.text.clone(),
                e.html.clone(),
            ))
            .map_err(|err| format!("cannot build the message: {err}"))?;
        match &self.transport {
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|r| r.message().collect::<Vec<_>>().join(" "))
                .map_err(|err| err.to_string()),
            Transport::File(t) => t
                .send(message)
                .await
                .map(|id| id.to_string())
                .map_err(|err| err.to_string()),
        }
    }
}
