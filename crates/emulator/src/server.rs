//! HTTP/1.1 on a bound listener: with [`crate::http_client`], the only socket code. Tests bind `127.0.0.1:0`,
//! start [`serve`] and speak to it for real (mini-redis's shape).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use samlsim_service::http::StatusCode;
use samlsim_service::{Problem, Request};
use tokio::net::TcpListener;

use crate::Emulator;

/// Binds `address` (`127.0.0.1:7575`) for [`serve`]; binding before the emulator
/// starts lets a taken port fail at once.
pub async fn bind(address: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(address).await
}

/// Serves `emulator` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    emulator: Arc<Emulator>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        // Out of file descriptors and the like: report, keep serving.
                        tracing::warn!(%error, "accept failed");
                        continue;
                    }
                };
                let emulator = emulator.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(emulator.clone(), peer, request));
                    if let Err(error) = http1::Builder::new()
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
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let limit = emulator.config().server.max_body_bytes;
    let (parts, body) = request.into_parts();
    let response = match Limited::new(body, limit).collect().await {
        Ok(collected) => {
            let request = Request {
                method: parts.method,
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().unwrap_or("").to_owned(),
                headers: parts.headers,
                body: collected.to_bytes(),
                peer: Some(peer.ip()),
            };
            tracing::debug!(method = %request.method, path = %request.path, "request");
            emulator.handle(&request)
        }
        Err(error) => {
            let problem = body_problem(&error.to_string(), limit);
            // Refused before any service saw it: the server logs it itself.
            let _ = emulator.events().record(
                samlsim_service::NewEvent::invalid("server", "request", problem.rule, problem.message.clone())
                    .detail(serde_json::json!({ "method": parts.method.as_str(), "path": parts.uri.path() })),
            );
            problem.page("samlsim")
        }
    };
    let mut reply = hyper::Response::new(Full::new(response.body));
    *reply.status_mut() = response.status;
    *reply.headers_mut() = response.headers;
    Ok(reply)
}

fn body_problem(error: &str, limit: usize) -> Problem {
    if error.contains("length limit exceeded") {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Request body too large",
            format!("The request body is over the limit of {limit} bytes."),
        )
        .with_fix(
            "SAML messages are far smaller; raise [server] max_body_bytes if you really need more.",
        )
    } else {
        Problem::bad_request(
            "body-unreadable",
            "Request body unreadable",
            format!("The request body could not be read: {error}"),
        )
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
                    serve(listener, served, async {
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
}
