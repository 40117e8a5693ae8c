//! HTTP/1.1 on a bound listener: with [`crate::http_client`], the only socket code. Tests bind `127.0.0.1:0`,
//! start [`serve`] and speak to it for real (mini-redis's shape).
//!
//! Backpressure and limits are part of the design: at most `max_connections`
//! connections are served at once (the rest wait in the kernel's backlog), a client
//! has `header_read_timeout` to send a request head and `body_timeout` to send its
//! body, and a failing `accept` (out of file descriptors) backs off instead of
//! spinning.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use samlsim_service::http::{HeaderValue, StatusCode, header};
use samlsim_service::{Lang, Negotiated};
use samlsim_service::{Problem, Request};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::Emulator;
use crate::config::ServerConfig;

/// The server's limits, from `[server]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub header_read_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

impl Limits {
    /// Checks and converts `[server]`'s limits; the message names the key.
    pub fn from_config(server: &ServerConfig) -> Result<Limits, String> {
        let positive = |key: &str, text: &str| server.positive_duration(key, text);
        if server.max_body_bytes == 0 {
            return Err(
                "server.max_body_bytes: must be at least 1 (SAML messages need a body)".into(),
            );
        }
        if server.max_connections == 0 {
            return Err("server.max_connections: must be at least 1".into());
        }
        Ok(Limits {
            max_body_bytes: server.max_body_bytes,
            header_read_timeout: positive("header_read_timeout", &server.header_read_timeout)?,
            body_timeout: positive("body_timeout", &server.body_timeout)?,
            max_connections: server.max_connections,
        })
    }
}

/// What `accept` failing in a row costs: the wait before the next try doubles from
/// 10 ms to 1 s, and the log gets the first failure, then one line per 10 s with
/// the count. Running out of file descriptors must not turn into a busy loop that
/// writes the same warning at 60 MB/s (a finding of the adversarial test pass).
#[derive(Debug)]
struct AcceptBackoff {
    failures: u32,
    suppressed: u64,
    last_logged: Option<Instant>,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);
    const LOG_EVERY: Duration = Duration::from_secs(10);

    fn new() -> Self {
        AcceptBackoff {
            failures: 0,
            suppressed: 0,
            last_logged: None,
        }
    }

    /// Records a failure at `now`: how long to wait, and whether (with how many
    /// failures left unlogged since the last line) to log it.
    fn failed(&mut self, now: Instant) -> (Duration, Option<u64>) {
        let wait = Self::FIRST
            .saturating_mul(1 << self.failures.min(7))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        let log = match self.last_logged {
            Some(at) if now.duration_since(at) < Self::LOG_EVERY => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last_logged = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        };
        (wait, log)
    }

    fn succeeded(&mut self) {
        self.failures = 0;
    }
}

/// Binds `address` (`127.0.0.1:7575`) for [`serve`]; binding before the emulator
/// starts lets a taken port fail at once.
pub async fn bind(address: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(address).await
}

/// Serves `emulator` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    emulator: Arc<Emulator>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut backoff = AcceptBackoff::new();
    loop {
        // Wait for a free slot before accepting: what is not accepted costs no
        // file descriptor and waits in the backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        let (wait, log) = backoff.failed(Instant::now());
                        if let Some(suppressed) = log {
                            tracing::warn!(
                                %error,
                                suppressed,
                                retry_in_ms = wait.as_millis() as u64,
                                "accept failed; retrying with backoff (too many open files? raise `ulimit -n` or lower server.max_connections)"
                            );
                        }
                        drop(slot);
                        tokio::select! {
                            () = tokio::time::sleep(wait) => continue,
                            () = &mut shutdown => break,
                        }
                    }
                };
                backoff.succeeded();
                let emulator = emulator.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    let stream = OversizeHeadAnswer::new(stream, emulator.clone(), peer);
                    let service = service_fn(move |request| answer(emulator.clone(), peer, limits, request));
                    if let Err(error) = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(limits.header_read_timeout)
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!(%error, %peer, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
}

async fn answer(
    emulator: Arc<Emulator>,
    peer: SocketAddr,
    limits: Limits,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let limit = limits.max_body_bytes;
    let (parts, body) = request.into_parts();
    // A declared length over the limit is refused before the body is read, so a
    // client that sent `Expect: 100-continue` is not invited to send it.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let read = async {
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(BodyError::TooLarge);
        }
        match tokio::time::timeout(limits.body_timeout, Limited::new(body, limit).collect()).await {
            Err(_) => Err(BodyError::Slow(limits.body_timeout)),
            Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
                Err(BodyError::TooLarge)
            }
            Ok(Err(error)) => Err(BodyError::Unreadable(error.to_string())),
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
        }
    };
    let response = match read.await {
        Ok(body) => {
            let request = Request {
                method: parts.method,
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().unwrap_or("").to_owned(),
                headers: parts.headers,
                body,
                peer: Some(peer.ip()),
            };
            tracing::debug!(method = %request.method, path = %request.path, "request");
            emulator.handle(&request)
        }
        Err(error) => {
            let problem = error.problem(limit);
            // Refused before any service saw it: the server logs it itself.
            let event = samlsim_service::NewEvent::invalid(
                "server",
                "request",
                problem.rule,
                problem.message.clone(),
            )
            .detail(
                serde_json::json!({ "method": parts.method.as_str(), "path": parts.uri.path() }),
            );
            if let Err(error) = emulator.events().record(event) {
                tracing::error!(%error, "recording a refused request body failed");
            }
            // Refused before the request was read whole: in English, the server's own words.
            let mut response = problem.page_in("samlsim", Negotiated::fixed(Lang::En));
            // The unread rest of the body would be taken as the next request.
            response
                .headers
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    };
    let mut reply = hyper::Response::new(Full::new(response.body));
    *reply.status_mut() = response.status;
    *reply.headers_mut() = response.headers;
    secure(reply.headers_mut());
    Ok(reply)
}

/// The connection's stream, with words for the two refusals hyper makes itself.
///
/// A request line over 64 KB (hyper's fixed URI limit) or a head over its buffer
/// is answered by hyper before any service sees the request, with a bare
/// `414`/`431` and an empty body. No service of the emulator ever answers 414 or
/// 431, so a response head starting with either status on this stream is hyper's:
/// it is replaced by samlsim's page naming the limit, and the refusal is recorded,
/// like every other.
struct OversizeHeadAnswer {
    stream: tokio::net::TcpStream,
    emulator: Arc<Emulator>,
    peer: SocketAddr,
    /// Our replacement answer, and how much of it is written.
    pending: Vec<u8>,
    written: usize,
}

impl OversizeHeadAnswer {
    fn new(stream: tokio::net::TcpStream, emulator: Arc<Emulator>, peer: SocketAddr) -> Self {
        OversizeHeadAnswer {
            stream,
            emulator,
            peer,
            pending: Vec::new(),
            written: 0,
        }
    }

    /// samlsim's answer for hyper's `status`, recorded in the event log.
    fn replacement(&self, status: StatusCode) -> Vec<u8> {
        let problem = if status == StatusCode::URI_TOO_LONG {
            Problem::new(
                status,
                "uri-too-long",
                "Request URL too long",
                "The request line is over 64 KB, the most the HTTP server reads. An HTTP-Redirect SAML message is DEFLATE-compressed and far shorter.",
            )
            .with_fix("Send large SAML messages with the HTTP-POST binding.")
        } else {
            Problem::new(
                status,
                "headers-too-large",
                "Request headers too large",
                "The request's headers are larger than the HTTP server reads.",
            )
            .with_fix("Send fewer or smaller headers (cookies included); put data in the body.")
        };
        let event = samlsim_service::NewEvent::invalid(
            "server",
            "request",
            problem.rule,
            problem.message.clone(),
        )
        .detail(serde_json::json!({ "peer": self.peer.ip().to_string() }));
        if let Err(error) = self.emulator.events().record(event) {
            tracing::error!(%error, "recording an oversized request head failed");
        }
        let page = problem.page_in("samlsim", Negotiated::fixed(Lang::En));
        let mut head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            page.body.len()
        );
        let mut headers = samlsim_service::http::HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        secure(&mut headers);
        for (name, value) in &headers {
            if name != header::CONTENT_TYPE {
                head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
            }
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&page.body);
        bytes
    }

    fn poll_pending(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use tokio::io::AsyncWrite;
        while self.written < self.pending.len() {
            let n = std::task::ready!(
                std::pin::Pin::new(&mut self.stream).poll_write(cx, &self.pending[self.written..])
            )?;
            if n == 0 {
                return std::task::Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        std::task::Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncRead for OversizeHeadAnswer {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for OversizeHeadAnswer {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::ready!(self.poll_pending(cx))?;
        let status = if buf.starts_with(b"HTTP/1.1 414 ") {
            Some(StatusCode::URI_TOO_LONG)
        } else if buf.starts_with(b"HTTP/1.1 431 ") {
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        } else {
            None
        };
        match status {
            Some(status) => {
                self.pending = self.replacement(status);
                self.written = 0;
                // hyper's bytes count as written; ours go out in poll_pending.
                if let std::task::Poll::Ready(Err(error)) = self.poll_pending(cx) {
                    return std::task::Poll::Ready(Err(error));
                }
                std::task::Poll::Ready(Ok(buf.len()))
            }
            None => std::pin::Pin::new(&mut self.stream).poll_write(cx, buf),
        }
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    // Not vectored: hyper then hands over each response head as the start of one
    // buffer, which is what the check above reads.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// Headers every answer carries: no page of the emulator may be framed by another
/// site (the IdP login page would be clickjacking bait), no content sniffing, and
/// no URL (with its SAMLRequest or code) leaked as a Referer to other origins.
fn secure(headers: &mut samlsim_service::http::HeaderMap) {
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
    }
}

/// Why a request body was not read.
#[derive(Debug)]
enum BodyError {
    TooLarge,
    Slow(Duration),
    Unreadable(String),
}

impl BodyError {
    fn problem(&self, limit: usize) -> Problem {
        match self {
            BodyError::TooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "Request body too large",
                format!("The request body is over the limit of {limit} bytes."),
            )
            .with_fix(
                "SAML messages are far smaller; raise [server] max_body_bytes if you really need more.",
            ),
            BodyError::Slow(deadline) => Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "body-too-slow",
                "Request body too slow",
                format!(
                    "The request body did not arrive within {} s.",
                    deadline.as_secs()
                ),
            )
            .with_fix("Send the whole body at once; raise [server] body_timeout for a slow link."),
            BodyError::Unreadable(error) => Problem::bad_request(
                "body-unreadable",
                "Request body unreadable",
                format!("The request body could not be read: {error}"),
            ),
        }
    }
}

/// An emulator served on an ephemeral loopback port from a thread of its own: what
/// a Rust test suite (or a scenario run against real HTTP) starts. Stops on drop.
///
/// ```no_run
/// # use samlsim_emulator::{Config, Options, server::Served};
/// let served = Served::start(Config::load(None)?, Options::default())?;
/// let portal = format!("{}/idp/portal", served.url());
/// served.emulator().clock().advance(12 * 3600 + 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Served {
    emulator: Arc<Emulator>,
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    /// Binds `127.0.0.1:0`, starts the emulator for that address, and serves it.
    pub fn start(mut config: crate::Config, options: crate::Options) -> Result<Served, ServeError> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(ServeError::Bind)?;
        let address = listener.local_addr().map_err(ServeError::Bind)?;
        listener.set_nonblocking(true).map_err(ServeError::Bind)?;
        config.server.listen = address.to_string();
        let limits = Limits::from_config(&config.server).map_err(ServeError::Limits)?;
        let emulator = Arc::new(Emulator::start(config, options)?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = emulator.clone();
        // Two workers: a browser keeps several connections open (page loads, the
        // CCP's poll) while a test posts to the admin API.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(ServeError::Bind)?;
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                if let Ok(listener) = TcpListener::from_std(listener) {
                    serve(listener, served, limits, async {
                        let _ = stopped.await;
                    })
                    .await;
                }
            });
        });
        Ok(Served {
            emulator,
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The emulator behind the socket (its clock, its admin calls in process).
    pub fn emulator(&self) -> &Arc<Emulator> {
        &self.emulator
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Why an emulator could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    #[error("cannot listen on loopback: {0}")]
    Bind(std::io::Error),
    #[error(transparent)]
    Start(#[from] crate::StartError),
    #[error("{0}")]
    Limits(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_server_accept_failures_back_off_and_log_once_per_interval() {
        let mut backoff = AcceptBackoff::new();
        let start = Instant::now();
        let mut waits = Vec::new();
        let mut logged = Vec::new();
        for i in 0..=1000 {
            let (wait, log) = backoff.failed(start + Duration::from_millis(i * 20));
            waits.push(wait);
            if let Some(suppressed) = log {
                logged.push(suppressed);
            }
        }
        assert_eq!(waits[0], Duration::from_millis(10));
        assert_eq!(waits[1], Duration::from_millis(20));
        assert_eq!(*waits.last().unwrap(), Duration::from_secs(1));
        // 1,001 failures over 20 s: three log lines, each counting what it skipped.
        assert_eq!(logged, vec![0, 499, 499]);
        backoff.succeeded();
        assert_eq!(backoff.failed(start).0, Duration::from_millis(10));
    }

    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn served(change: impl FnOnce(&mut ServerConfig)) -> Served {
        let mut config = crate::Config::load(None).unwrap();
        change(&mut config.server);
        Served::start(config, crate::Options::default()).unwrap()
    }

    /// Reads what the server sends until it closes or `patience` passes.
    fn read_some(stream: &mut TcpStream, patience: Duration) -> std::io::Result<String> {
        stream.set_read_timeout(Some(patience))?;
        let mut buffer = vec![0; 64 * 1024];
        let n = stream.read(&mut buffer)?;
        Ok(String::from_utf8_lossy(&buffer[..n]).into_owned())
    }

    #[test]
    fn hostile_server_a_silent_connection_is_closed_after_the_header_timeout() {
        let served = served(|s| s.header_read_timeout = "1s".into());
        let mut silent = TcpStream::connect(served.address()).unwrap();
        // Closed (EOF, or a 408 hyper may write first) long before 20 s.
        let answer =
            read_some(&mut silent, Duration::from_secs(20)).expect("closed, not left open");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }

    #[test]
    fn hostile_server_connections_over_the_cap_wait_until_one_closes() {
        let served = served(|s| {
            s.max_connections = 2;
            s.header_read_timeout = "60s".into();
        });
        let first = TcpStream::connect(served.address()).unwrap();
        let _second = TcpStream::connect(served.address()).unwrap();
        let mut third = TcpStream::connect(served.address()).unwrap();
        third
            .write_all(
                b"GET /_admin/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
        let early = read_some(&mut third, Duration::from_millis(500));
        assert!(early.is_err(), "answered over the cap: {early:?}");
        drop(first);
        let answer = read_some(&mut third, Duration::from_secs(20)).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    #[test]
    fn hostile_server_a_declared_body_over_the_limit_is_refused_before_100_continue() {
        let served = served(|s| s.max_body_bytes = 1000);
        let mut stream = TcpStream::connect(served.address()).unwrap();
        stream
            .write_all(b"POST /idp/sso HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n")
            .unwrap();
        let answer = read_some(&mut stream, Duration::from_secs(20)).unwrap();
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("data-rule=\"body-too-large\""), "{answer}");
    }

    #[test]
    fn hostile_server_a_stalled_body_is_refused_after_the_body_timeout() {
        let served = served(|s| s.body_timeout = "1s".into());
        let mut stream = TcpStream::connect(served.address()).unwrap();
        stream
            .write_all(b"POST /idp/sso HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nSAML")
            .unwrap();
        let answer = read_some(&mut stream, Duration::from_secs(20)).unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("data-rule=\"body-too-slow\""), "{answer}");
    }

    #[test]
    fn hostile_server_pages_cannot_be_framed_or_sniffed() {
        let served = served(|_| {});
        let mut stream = TcpStream::connect(served.address()).unwrap();
        stream
            .write_all(b"GET /idp/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let answer = read_some(&mut stream, Duration::from_secs(20))
            .unwrap()
            .to_ascii_lowercase();
        assert!(answer.contains("x-frame-options: deny"), "{answer}");
        assert!(
            answer.contains("content-security-policy: frame-ancestors 'none'"),
            "{answer}"
        );
        assert!(
            answer.contains("x-content-type-options: nosniff"),
            "{answer}"
        );
    }

    fn exchange(address: SocketAddr, request: &str) -> String {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn hostile_fetch_a_stalled_metadata_url_holds_neither_the_server_nor_for_ever() {
        let served = served(|s| s.metadata_fetch_timeout = "3s".into());
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_url = format!("http://{}/metadata", silent.local_addr().unwrap());
        let address = served.address();
        let body = serde_json::json!({
            "id": "210987654321",
            "saml_providers": [{"name": "Stalled", "metadata": silent_url}],
        })
        .to_string();
        let creating = std::thread::spawn(move || {
            exchange(
                address,
                &format!(
                    "POST /_admin/aws/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
            )
        });
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..5 {
            let answer = exchange(
                address,
                "GET /idp/metadata HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            );
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
        assert!(
            !creating.is_finished(),
            "the other requests were answered while the fetch waited"
        );
        let refused = creating.join().unwrap();
        assert!(refused.starts_with("HTTP/1.1 400"), "{refused}");
        assert!(refused.contains("no answer within 3 s"), "{refused}");
        drop(silent);
    }

    #[test]
    fn hostile_server_a_url_over_64_kb_gets_a_page_and_an_event() {
        let served = served(|_| {});
        let mut stream = TcpStream::connect(served.address()).unwrap();
        let long = format!(
            "GET /idp/sso?SAMLRequest={} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "A".repeat(70_000)
        );
        // The server may answer and close before reading it all.
        let _ = stream.write_all(long.as_bytes());
        let mut answer = String::new();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 414 URI Too Long"), "{answer}");
        assert!(answer.contains("data-rule=\"uri-too-long\""), "{answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("x-frame-options: deny"),
            "{answer}"
        );
        let events = served
            .emulator()
            .events()
            .list(&samlsim_service::EventFilter::default())
            .unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.rule.as_deref() == Some("uri-too-long")),
            "{events:?}"
        );
    }

    #[test]
    fn hostile_server_headers_over_the_buffer_get_a_page() {
        let served = served(|_| {});
        let mut stream = TcpStream::connect(served.address()).unwrap();
        let big = format!(
            "GET /idp/portal HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a={}\r\n\r\n",
            "b".repeat(600_000)
        );
        let _ = stream.write_all(big.as_bytes());
        let mut answer = String::new();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
        assert!(
            answer.contains("data-rule=\"headers-too-large\""),
            "{answer}"
        );
    }

    #[test]
    fn limits_are_checked_with_the_key_named() {
        let mut server = ServerConfig::default();
        let limits = Limits::from_config(&server).unwrap();
        assert_eq!(limits.header_read_timeout, Duration::from_secs(10));
        server.body_timeout = "0s".into();
        assert!(
            Limits::from_config(&server)
                .unwrap_err()
                .starts_with("server.body_timeout")
        );
        server = ServerConfig {
            max_body_bytes: 0,
            ..ServerConfig::default()
        };
        assert!(
            Limits::from_config(&server)
                .unwrap_err()
                .starts_with("server.max_body_bytes")
        );
        server = ServerConfig {
            header_read_timeout: "soon".into(),
            ..ServerConfig::default()
        };
        assert!(
            Limits::from_config(&server)
                .unwrap_err()
                .starts_with("server.header_read_timeout")
        );
    }
}
