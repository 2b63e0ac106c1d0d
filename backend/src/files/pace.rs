//! Pacing a request body for the multipart parser, so that it takes a large file in bounded steps.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::Request;
use futures::Stream;

/// How much of a request body the multipart parser takes in at once (see [`paced`]).
const PACE: usize = 32 * 1024;

/// `req` with its body handed to the multipart parser at most [`PACE`] bytes at a time. The
/// parser (multer) takes in everything the connection has before it hands on a part's chunk:
/// from a fast client, megabytes held in memory while the disk catches up. Paced, it hands on
/// what it has after each `PACE` bytes, so an upload holds little more than that and its
/// write buffer, however fast the client sends.
pub fn paced(req: Request) -> Request {
    let (parts, body) = req.into_parts();
    let stream = Paced {
        inner: body.into_data_stream(),
        taken: 0,
    };
    Request::from_parts(parts, Body::from_stream(stream))
}

/// A body stream that pauses (yields to the runtime, woken at once) after each [`PACE`]
/// bytes.
struct Paced {
    inner: BodyDataStream,
    /// Bytes handed on since the last pause.
    taken: usize,
}

impl Stream for Paced {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.taken >= PACE {
            self.taken = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = Pin::new(&mut self.inner).poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(chunk))) => self.taken += chunk.len(),
            Poll::Pending => self.taken = 0,
            _ => {}
        }
        next
    }
}
