//! The client side of HTTP/1.1, as a webhook sender needs it: one [`Connection`] writes a POST
//! whose head was formatted once ([`RequestHead`]), reads the answer's head with `httparse`, and
//! reads its body to its end (by `Content-Length`, chunked, or to the close), keeping its first
//! bytes, in the task of the attempt itself.
//!
//! It replaced hyper's client connection, which drives each connection from a task of its own
//! and hands every request and answer across to it: at concurrency 1 that hand-over is most of
//! the time between an answer and the next request (a bare loop on hyper's client connection ran
//! about 14,100 requests/s where one writing and reading the socket itself ran 19,200, and `wrk`
//! 16,400, on the same receiver). What a sender of webhooks needs of HTTP/1.1 is small and
//! exact (RFC 9112): one request at a time on a connection, no upgrades, no request body
//! streaming, no redirects; the answer is read as leniently as hyper reads it.
//!
//! What an answer may be, and how it is read:
//! - informational answers (`1xx` but `101`) before the final one are skipped;
//! - `204`, `304` and a `101` have no body;
//! - `Transfer-Encoding` ending in `chunked`: chunks to the last one and its trailers; any other
//!   transfer coding, or no framing header at all: the body runs to the close;
//! - `Content-Length`: that many bytes; several that differ, or one that is not a number, make
//!   the answer invalid (RFC 9112 §6.3).
//!
//! A connection is reused when the answer was read whole, the receiver did not ask to close it
//! (`Connection: close`, or an HTTP/1.0 answer without `Connection: keep-alive`) and nothing
//! came after the answer.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use bytes::{Buf, Bytes, BytesMut};
use http::StatusCode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// How many header lines an answer's head is first read for (as hyper allows); a head with more
/// is read again with room for as many as [`MAX_HEAD_BYTES`] can hold, since no RFC limits their
/// number and .NET's client limits only the head's size.
const MAX_HEADERS: usize = 100;
/// How long an answer's head may be, and a chunk's size line or a trailer line.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How many bytes are asked of the socket at least, per read.
const READ_SIZE: usize = 8 * 1024;
/// The largest body copied after the request's head to be written with it; a larger one is
/// written from where it is, after the head.
const COPIED_BODY_BYTES: usize = 64 * 1024;

/// A byte stream a connection runs over: TCP, or TLS over TCP.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// The head of every request a transport sends, formatted once: the request line and the
/// headers, up to the `content-length` value, which each request adds with its body. It holds the
/// auth header's value in clear, so it has no `Debug`: nothing may print it.
#[derive(Clone)]
pub(crate) struct RequestHead {
    before_length: Vec<u8>,
}

impl RequestHead {
    /// `POST target HTTP/1.1`, then `headers` in their order, then `Content-Length: `.
    pub(crate) fn post<'a>(
        target: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Self {
        let mut before_length = Vec::with_capacity(256);
        before_length.extend_from_slice(b"POST ");
        before_length.extend_from_slice(target.as_bytes());
        before_length.extend_from_slice(b" HTTP/1.1\r\n");
        for (name, value) in headers {
            before_length.extend_from_slice(name.as_bytes());
            before_length.extend_from_slice(b": ");
            before_length.extend_from_slice(value);
            before_length.extend_from_slice(b"\r\n");
        }
        before_length.extend_from_slice(b"Content-Length: ");
        Self { before_length }
    }
}

/// What came back for a request.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The final status.
    pub(crate) status: StatusCode,
    /// The `Location` header of a redirect.
    pub(crate) location: Option<String>,
    /// The body's first bytes, at most the excerpt limit given to [`Connection::exchange`].
    pub(crate) excerpt: Bytes,
    /// Why the body did not arrive whole (the connection closed before its last byte, or it is
    /// not valid chunking), if it did not: the answer then does not count.
    pub(crate) cut_short: Option<io::Error>,
    /// Whether the connection can carry another request.
    pub(crate) reusable: bool,
    /// Whether the request's body was not all sent: the answer came first, and the receiver
    /// stopped reading (a 2xx then did not take the event whole).
    pub(crate) body_unsent: bool,
}

/// Why a request got no answer.
#[derive(Debug)]
pub(crate) struct NoAnswer {
    /// What failed: the socket's error; `UnexpectedEof` for a connection closed before the
    /// answer's head was whole; `InvalidData` for an answer that is not HTTP/1.x.
    pub(crate) error: io::Error,
    /// Whether any byte of an answer had arrived.
    pub(crate) answered: bool,
    /// Whether the request was written (whole, or until the receiver answered early): then the
    /// receiver may have read it and acted on it.
    pub(crate) sent: bool,
}

/// One open connection, idle between exchanges.
pub(crate) struct Connection {
    stream: Box<dyn Stream>,
    /// Bytes read and not yet parsed.
    read: BytesMut,
    /// The request being written: kept to reuse its allocation.
    request: Vec<u8>,
}

impl Connection {
    /// A connection over `stream`, which is open and ready for a first request.
    pub(crate) fn new(stream: impl Stream + 'static) -> Self {
        Self {
            stream: Box::new(stream),
            read: BytesMut::with_capacity(READ_SIZE),
            request: Vec::new(),
        }
    }

    /// Whether the receiver closed this idle connection (or sent on it unasked): one read that
    /// does not wait. A connection found so is dropped.
    pub(crate) fn is_closed(&mut self) -> bool {
        let mut context = Context::from_waker(Waker::noop());
        // Closed, failed, or bytes nobody asked for: not a connection to send on.
        poll_read_more(&mut self.stream, &mut self.read, &mut context).is_ready()
    }

    /// Sends one request with `head` and `body` and reads its answer to the body's end, keeping
    /// at most `excerpt_limit` bytes of the body. No deadline: the caller sets one (a body that
    /// does not end is read until then).
    pub(crate) async fn exchange(
        &mut self,
        head: &RequestHead,
        body: &[u8],
        excerpt_limit: usize,
        head_seen: &HeadSeen,
    ) -> Result<Answer, NoAnswer> {
        let written = self
            .write_request(head, body, head_seen)
            .await
            .map_err(|error| NoAnswer {
                error,
                answered: false,
                sent: false,
            })?;
        let head = self.read_head().await?;
        // Noted before the body is read: a deadline that ends the exchange while its body is
        // read says what came (a 2xx whose body never ends is not "no answer"). It replaces an
        // early note: the request was written whole.
        head_seen.note(AnswerHead {
            status: head.status,
            framing: head.framing,
            early: false,
        });
        let mut excerpt = Excerpt::new(excerpt_limit);
        let read = match head.framing {
            Framing::Empty => Ok(()),
            Framing::Length(length) => self.read_exactly(length, &mut excerpt).await,
            Framing::Chunked => self.read_chunks(&mut excerpt).await,
            Framing::ToClose => self.read_to_close(&mut excerpt).await,
        };
        let reusable = read.is_ok()
            && head.framing != Framing::ToClose
            && head.keep_alive
            && self.read.is_empty()
            && written == Written::Whole;
        Ok(Answer {
            status: head.status,
            location: head.location,
            excerpt: excerpt.bytes.freeze(),
            cut_short: read.err(),
            reusable,
            body_unsent: written == Written::AnsweredEarly,
        })
    }

    /// Writes the request, in one piece unless its body is large (then the head, and the body
    /// from where it is, not copied), and stops early if the receiver answers before it has read
    /// it all with anything but a 2xx that keeps its connection (a `413` to a body too large,
    /// say): a receiver that stops reading is looked at for an answer, and so is one that reset
    /// the connection, since what it sent before the reset can still be read.
    async fn write_request(
        &mut self,
        head: &RequestHead,
        body: &[u8],
        head_seen: &HeadSeen,
    ) -> io::Result<Written> {
        let Self {
            stream,
            read,
            request,
        } = self;
        request.clear();
        request.extend_from_slice(&head.before_length);
        request.extend_from_slice(itoa::Buffer::new().format(body.len()).as_bytes());
        request.extend_from_slice(b"\r\n\r\n");
        let after = if body.len() <= COPIED_BODY_BYTES {
            request.extend_from_slice(body);
            &[][..]
        } else {
            body
        };
        let mut parts = [&request[..], after];
        poll_fn(|context| {
            while let Some(part) = parts.iter_mut().find(|part| !part.is_empty()) {
                match Pin::new(&mut *stream).poll_write(context, part) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    Poll::Ready(Ok(wrote)) => *part = &part[wrote..],
                    Poll::Ready(Err(error)) => {
                        // An answer read while writing (a 2xx the body went on after) counts
                        // too: a connection is reused only when its buffer was emptied.
                        let answered =
                            matches!(poll_read_more(stream, read, context), Poll::Ready(Ok(true)))
                                || !read.is_empty();
                        return Poll::Ready(if answered {
                            Ok(Written::AnsweredEarly)
                        } else {
                            Err(error)
                        });
                    }
                    // Read what came meanwhile until the socket has nothing more (so that its
                    // wake-up is registered too: a head in pieces is read as its pieces come).
                    Poll::Pending => loop {
                        match poll_read_more(stream, read, context) {
                            Poll::Ready(Ok(true)) => match early_answer(read) {
                                // A 2xx: the body goes on, and a deadline that ends the write
                                // says the answer came first.
                                EarlyAnswer::Final(head) if head.status.is_success() => {
                                    head_seen.note(AnswerHead {
                                        status: head.status,
                                        framing: head.framing,
                                        early: true,
                                    });
                                }
                                EarlyAnswer::Final(_) | EarlyAnswer::NotHttp => {
                                    return Poll::Ready(Ok(Written::AnsweredEarly));
                                }
                                EarlyAnswer::NotWhole => {}
                            },
                            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                            // Nothing more yet, or the receiver is done sending but may still
                            // read: the write's wake-up (or the read's) comes first.
                            Poll::Ready(Ok(false)) | Poll::Pending => return Poll::Pending,
                        }
                    },
                }
            }
            Pin::new(&mut *stream)
                .poll_flush(context)
                .map_ok(|()| Written::Whole)
        })
        .await
    }

    /// Reads more bytes into the buffer; `UnexpectedEof` when the connection closed.
    async fn fill(&mut self) -> io::Result<()> {
        self.read.reserve(READ_SIZE);
        if self.stream.read_buf(&mut self.read).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// Reads the head of the final answer, skipping informational ones.
    async fn read_head(&mut self) -> Result<Head, NoAnswer> {
        let mut skipped = false;
        loop {
            let parsed = if self.read.is_empty() {
                Ok(None)
            } else {
                parse_head(&self.read)
            };
            let error = match parsed {
                Ok(Some((length, head))) => {
                    self.read.advance(length);
                    match head {
                        Some(head) => return Ok(head),
                        None => {
                            skipped = true;
                            continue;
                        }
                    }
                }
                Ok(None) if self.read.len() > MAX_HEAD_BYTES => {
                    invalid("the answer's head is longer than 64 KiB")
                }
                Ok(None) => match self.fill().await {
                    Ok(()) => continue,
                    Err(error) => error,
                },
                Err(error) => error,
            };
            return Err(NoAnswer {
                error,
                answered: skipped || !self.read.is_empty(),
                sent: true,
            });
        }
    }

    /// Reads `length` bytes of body.
    async fn read_exactly(&mut self, mut length: u64, excerpt: &mut Excerpt) -> io::Result<()> {
        while length > 0 {
            if self.read.is_empty() {
                self.fill().await?;
            }
            let take = self
                .read
                .len()
                .min(usize::try_from(length).unwrap_or(usize::MAX));
            excerpt.take(&self.read[..take]);
            self.read.advance(take);
            length -= take as u64;
        }
        Ok(())
    }

    /// Reads a chunked body to its last chunk and the trailers after it.
    async fn read_chunks(&mut self, excerpt: &mut Excerpt) -> io::Result<()> {
        loop {
            let line = self.line().await?;
            let size = chunk_size(&line)?;
            if size == 0 {
                while !self.line().await?.is_empty() {}
                return Ok(());
            }
            self.read_exactly(size, excerpt).await?;
            if !self.line().await?.is_empty() {
                return Err(invalid("a chunk is longer than its size"));
            }
        }
    }

    /// Reads to the close, which ends the body; the connection is not reused.
    async fn read_to_close(&mut self, excerpt: &mut Excerpt) -> io::Result<()> {
        loop {
            excerpt.take(&self.read);
            self.read.clear();
            match self.fill().await {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(error) => return Err(error),
            }
        }
    }

    /// The next line of a chunked body, without its line ending (CRLF, or a bare LF).
    async fn line(&mut self) -> io::Result<Bytes> {
        let mut searched = 0;
        loop {
            if let Some(end) = self.read[searched..].iter().position(|&byte| byte == b'\n') {
                let mut line = self.read.split_to(searched + end + 1);
                line.truncate(line.len() - 1);
                if line.last() == Some(&b'\r') {
                    line.truncate(line.len() - 1);
                }
                return Ok(line.freeze());
            }
            searched = self.read.len();
            if searched > MAX_HEAD_BYTES {
                return Err(invalid("a chunk's size line is longer than 64 KiB"));
            }
            self.fill().await?;
        }
    }
}

/// How writing a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// All of it was written.
    Whole,
    /// The receiver answered before it read all of it; the rest was not written.
    AnsweredEarly,
}

/// What came of an answer before the request was written whole.
enum EarlyAnswer {
    /// No final head yet (nothing whole, or informational answers only).
    NotWhole,
    /// A final answer's head. The rest of the body is not sent after one that is not a 2xx; a
    /// 2xx is no reason to stop, even one that closes its connection: awork's client sends the
    /// whole body whatever comes, and RFC 9112 §9.5 stops only for an answer that refuses it.
    Final(Head),
    /// Bytes that are not HTTP: the body is not sent on, and the answer says why.
    NotHttp,
}

/// What `read` holds of an early answer (see [`EarlyAnswer`]).
fn early_answer(read: &[u8]) -> EarlyAnswer {
    let mut rest = read;
    loop {
        match parse_head(rest) {
            Ok(None) => return EarlyAnswer::NotWhole,
            Ok(Some((length, None))) => rest = &rest[length..],
            Ok(Some((_, Some(head)))) => return EarlyAnswer::Final(head),
            Err(_) => return EarlyAnswer::NotHttp,
        }
    }
}

/// Reads what `stream` has into `read`: `true` when that was at least a byte, `false` at its
/// end. Only for the rare reads outside an exchange's answer (an answer that comes before its
/// request is written, a look at an idle connection), so through a buffer on the stack rather
/// than into `read`'s spare room.
fn poll_read_more(
    stream: &mut Box<dyn Stream>,
    read: &mut BytesMut,
    context: &mut Context<'_>,
) -> Poll<io::Result<bool>> {
    let mut bytes = [0u8; READ_SIZE];
    let mut buffer = ReadBuf::new(&mut bytes);
    Pin::new(&mut **stream)
        .poll_read(context, &mut buffer)
        .map_ok(|()| {
            read.extend_from_slice(buffer.filled());
            !buffer.filled().is_empty()
        })
}

/// An answer's head, as far as reading its body and reusing its connection need.
#[derive(Debug)]
struct Head {
    status: StatusCode,
    location: Option<String>,
    framing: Framing,
    keep_alive: bool,
}

/// The head of the answer an exchange has seen so far, for a deadline to say what came: one that
/// came while the request was written, replaced by the one read after it was written whole.
#[derive(Debug, Default)]
pub(crate) struct HeadSeen(Mutex<Option<AnswerHead>>);

impl HeadSeen {
    fn note(&self, head: AnswerHead) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(head);
    }

    /// The last head noted, if any.
    pub(crate) fn get(&self) -> Option<AnswerHead> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An answer's head as [`Connection::exchange`] notes it once read, before its body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnswerHead {
    pub(crate) status: StatusCode,
    pub(crate) framing: Framing,
    /// Whether it came before the request was written whole (a 2xx the body went on after).
    pub(crate) early: bool,
}

impl AnswerHead {
    /// Why the body of this answer did not end, said from its framing.
    pub(crate) fn unended_body(self) -> String {
        match self.framing {
            Framing::Length(length) => {
                format!("it said Content-Length: {length}, and not all of them came in time")
            }
            Framing::Chunked => {
                "its chunked body's last, empty chunk did not come in time".to_owned()
            }
            // An empty body always ends: only a deadline that struck between the head and
            // the return comes here.
            Framing::Empty => "it has no body".to_owned(),
            Framing::ToClose => "it has neither Content-Length nor chunked encoding, so its body \
                 ends when the connection closes, and the receiver did not close it in time"
                .to_owned(),
        }
    }
}

/// How an answer's body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// There is none.
    Empty,
    /// After this many bytes.
    Length(u64),
    /// With its last chunk.
    Chunked,
    /// When the connection closes.
    ToClose,
}

/// Parses an answer's head at the start of `bytes`: `None` when it is not whole yet; its length
/// and `None` for an informational answer to skip; its length and the head otherwise.
fn parse_head(bytes: &[u8]) -> io::Result<Option<(usize, Option<Head>)>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let mut parsed = response.parse(bytes);
    // Each header line takes four bytes at least (`a:` and its line end).
    let mut more_headers;
    if parsed == Err(httparse::Error::TooManyHeaders) {
        more_headers = vec![httparse::EMPTY_HEADER; MAX_HEAD_BYTES / 4];
        response = httparse::Response::new(&mut more_headers);
        parsed = response.parse(bytes);
    }
    let length = match parsed {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(error) => {
            return Err(invalid(format!(
                "the answer is not valid HTTP/1.1: {error}"
            )));
        }
    };
    let code = response.code.unwrap_or_default();
    let status = StatusCode::from_u16(code)
        .map_err(|_| invalid(format!("the answer's status {code} is not one")))?;
    if status.is_informational() && status != StatusCode::SWITCHING_PROTOCOLS {
        return Ok(Some((length, None)));
    }
    let http_1_0 = response.version == Some(0);
    let mut keep_alive = !http_1_0;
    let mut location = None;
    let mut content_length: Option<u64> = None;
    let mut transfer_encoding: Option<&[u8]> = None;
    for header in response.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value)
                .ok()
                .and_then(|value| value.trim().parse::<u64>().ok())
                .ok_or_else(|| invalid("the answer's content-length is not a number"))?;
            if content_length.is_some_and(|earlier| earlier != value) {
                return Err(invalid("the answer has content-lengths that differ"));
            }
            content_length = Some(value);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            transfer_encoding = Some(header.value);
        } else if name.eq_ignore_ascii_case("connection") {
            for option in header.value.split(|&byte| byte == b',') {
                let option = option.trim_ascii();
                if option.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if http_1_0 && option.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("location") && status.is_redirection() {
            location = Some(String::from_utf8_lossy(header.value).into_owned());
        }
    }
    let framing = if status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || status == StatusCode::SWITCHING_PROTOCOLS
    {
        Framing::Empty
    } else if let Some(codings) = transfer_encoding {
        let last = codings
            .rsplit(|&byte| byte == b',')
            .next()
            .unwrap_or(codings);
        if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
            Framing::Chunked
        } else {
            Framing::ToClose
        }
    } else {
        match content_length {
            Some(0) => Framing::Empty,
            Some(length) => Framing::Length(length),
            None => Framing::ToClose,
        }
    };
    if framing == Framing::ToClose || status == StatusCode::SWITCHING_PROTOCOLS {
        keep_alive = false;
    }
    Ok(Some((
        length,
        Some(Head {
            status,
            location,
            framing,
            keep_alive,
        }),
    )))
}

/// The size of a chunk from its size line (hexadecimal, then any extensions after `;`).
fn chunk_size(line: &[u8]) -> io::Result<u64> {
    let digits = line
        .split(|&byte| byte == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    std::str::from_utf8(digits)
        .ok()
        .filter(|digits| !digits.is_empty() && digits.len() <= 16)
        .and_then(|digits| u64::from_str_radix(digits, 16).ok())
        .ok_or_else(|| invalid("a chunk's size is not a hexadecimal number"))
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// The first bytes of a body.
struct Excerpt {
    bytes: BytesMut,
    limit: usize,
}

impl Excerpt {
    fn new(limit: usize) -> Self {
        Self {
            bytes: BytesMut::new(),
            limit,
        }
    }

    /// Keeps what fits of `data`, the next bytes of the body.
    fn take(&mut self, data: &[u8]) {
        let room = self.limit.saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&data[..room.min(data.len())]);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tokio::io::AsyncWriteExt;

    use super::*;

    fn head(text: &str) -> Head {
        let (length, head) = parse_head(text.as_bytes()).unwrap().unwrap();
        assert_eq!(length, text.len());
        head.unwrap()
    }

    #[test]
    fn framing_follows_rfc_9112() {
        assert_eq!(
            head("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n").framing,
            Framing::Length(5)
        );
        assert_eq!(
            head("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").framing,
            Framing::Empty
        );
        assert_eq!(
            head("HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n").framing,
            Framing::Empty
        );
        assert_eq!(
            head(
                "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\ncontent-length: 5\r\n\r\n"
            )
            .framing,
            Framing::Chunked
        );
        let unframed = head("HTTP/1.1 200 OK\r\n\r\n");
        assert_eq!(unframed.framing, Framing::ToClose);
        assert!(!unframed.keep_alive);
        assert_eq!(
            head("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n").framing,
            Framing::ToClose
        );
    }

    #[test]
    fn a_head_with_more_headers_than_hyper_allows_is_read() {
        let many: String = (0..150).map(|n| format!("x-trace-{n}: {n}\r\n")).collect();
        let answer = head(&format!(
            "HTTP/1.1 200 OK\r\n{many}content-length: 5\r\n\r\n"
        ));
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.framing, Framing::Length(5));
    }

    #[test]
    fn keep_alive_follows_the_version_and_connection_header() {
        assert!(head("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").keep_alive);
        assert!(
            !head("HTTP/1.1 200 OK\r\nConnection: Close\r\ncontent-length: 0\r\n\r\n").keep_alive
        );
        assert!(!head("HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n").keep_alive);
        assert!(
            head("HTTP/1.0 200 OK\r\nconnection: TE, keep-alive\r\ncontent-length: 0\r\n\r\n")
                .keep_alive
        );
    }

    #[test]
    fn informational_answers_are_skipped_and_a_location_kept_for_redirects() {
        let continued = "HTTP/1.1 100 Continue\r\n\r\n";
        assert!(matches!(
            parse_head(continued.as_bytes()).unwrap(),
            Some((length, None)) if length == continued.len()
        ));
        assert_eq!(
            head("HTTP/1.1 307 Temporary Redirect\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n")
                .location
                .as_deref(),
            Some("/elsewhere")
        );
        assert_eq!(
            head("HTTP/1.1 200 OK\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n").location,
            None
        );
    }

    #[test]
    fn a_head_that_is_not_whole_waits_and_one_that_is_wrong_is_invalid() {
        assert!(
            parse_head(b"HTTP/1.1 200 OK\r\ncontent-len")
                .unwrap()
                .is_none()
        );
        for wrong in [
            "SSH-2.0-OpenSSH_9.2\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: five\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n",
        ] {
            let error = parse_head(wrong.as_bytes()).map(|_| ()).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{wrong}");
        }
    }

    #[test]
    fn chunk_sizes_are_hexadecimal_with_extensions_ignored() {
        assert_eq!(chunk_size(b"1a").unwrap(), 26);
        assert_eq!(chunk_size(b"A;name=value").unwrap(), 10);
        assert_eq!(chunk_size(b"0").unwrap(), 0);
        assert!(chunk_size(b"").is_err());
        assert!(chunk_size(b"zz").is_err());
        assert!(chunk_size(b"11111111111111111").is_err());
    }

    /// How a generated answer frames its body.
    #[derive(Debug, Clone)]
    enum Framed {
        Length,
        /// In chunks of these sizes (the rest in one last chunk), with an extension on each
        /// size line and a trailer, when set.
        Chunked {
            sizes: Vec<usize>,
            extensions: bool,
            trailer: bool,
        },
        ToClose,
    }

    fn framed() -> impl Strategy<Value = Framed> {
        prop_oneof![
            Just(Framed::Length),
            (
                prop::collection::vec(1usize..300, 0..6),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(sizes, extensions, trailer)| Framed::Chunked {
                    sizes,
                    extensions,
                    trailer
                }),
            Just(Framed::ToClose),
        ]
    }

    /// The bytes of an answer with `status` and `body`, framed so, after a `100 Continue` when
    /// `informational`.
    fn answer(status: u16, body: &[u8], framed: &Framed, informational: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        if informational {
            bytes.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        bytes.extend_from_slice(
            format!("HTTP/1.1 {status} Whatever\r\nServer: test\r\n").as_bytes(),
        );
        match framed {
            Framed::Length => {
                bytes.extend_from_slice(
                    format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(),
                );
                bytes.extend_from_slice(body);
            }
            Framed::Chunked {
                sizes,
                extensions,
                trailer,
            } => {
                bytes.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                let mut rest = body;
                let mut chunks = Vec::new();
                for &size in sizes {
                    let (chunk, after) = rest.split_at(size.min(rest.len()));
                    if !chunk.is_empty() {
                        chunks.push(chunk);
                    }
                    rest = after;
                }
                if !rest.is_empty() {
                    chunks.push(rest);
                }
                for chunk in chunks {
                    let extension = if *extensions { ";a=b" } else { "" };
                    bytes.extend_from_slice(format!("{:X}{extension}\r\n", chunk.len()).as_bytes());
                    bytes.extend_from_slice(chunk);
                    bytes.extend_from_slice(b"\r\n");
                }
                bytes.extend_from_slice(b"0\r\n");
                if *trailer {
                    bytes.extend_from_slice(b"X-Trailer: yes\r\n");
                }
                bytes.extend_from_slice(b"\r\n");
            }
            Framed::ToClose => {
                bytes.extend_from_slice(b"\r\n");
                bytes.extend_from_slice(body);
            }
        }
        bytes
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// However an answer is framed and however its bytes are split on the way, two
        /// exchanges on one connection read each answer's status and first bytes, and the
        /// connection is reused unless the body ran to the close.
        #[test]
        fn every_framing_split_anywhere_reads_the_same_answer(
            status in prop::sample::select(vec![200u16, 201, 204, 302, 400, 500]),
            body in prop::collection::vec(any::<u8>(), 0..1500),
            framed in framed(),
            informational in any::<bool>(),
            cuts in prop::collection::vec(1usize..200, 0..20),
        ) {
            // A 204 has no body, and no framing header but a content-length of 0 (RFC 9110 §15.3.5).
            let (body, framed) = if status == 204 { (Vec::new(), Framed::Length) } else { (body, framed) };
            let bytes = answer(status, &body, &framed, informational);
            let to_close = matches!(framed, Framed::ToClose);
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let (client, mut server) = tokio::io::duplex(1 << 20);
                let answers = if to_close { 1 } else { 2 };
                let pieces = bytes.clone();
                let writer = tokio::spawn(async move {
                    for _ in 0..answers {
                        let mut rest = &pieces[..];
                        for &cut in cuts.iter().chain(std::iter::repeat(&usize::MAX)) {
                            if rest.is_empty() {
                                break;
                            }
                            let (piece, after) = rest.split_at(cut.min(rest.len()));
                            server.write_all(piece).await.unwrap();
                            tokio::task::yield_now().await;
                            rest = after;
                        }
                    }
                    // Dropping the server's end closes the connection: the end of a body to the close.
                });
                let mut connection = Connection::new(client);
                let head = RequestHead::post("/hook", [("host", &b"test"[..])]);
                for _ in 0..answers {
                    let answer = connection
                        .exchange(&head, b"{}", 512, &HeadSeen::default())
                        .await
                        .unwrap();
                    assert_eq!(answer.status.as_u16(), status);
                    assert_eq!(&answer.excerpt[..], &body[..body.len().min(512)]);
                    assert_eq!(answer.reusable, !to_close);
                    if to_close {
                        // The writer has finished and closed: nothing more may be read.
                        writer.await.unwrap();
                        break;
                    }
                }
            });
        }
    }
}
