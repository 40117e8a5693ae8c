//! The one outbound HTTP client: fetching SAML metadata from a URL (an IAM SAML
//! provider or a Cognito identity provider created from `MetadataURL`).
//!
//! A metadata server is somebody else's program, so nothing it does may hold the
//! emulator: the body is read as a stream and refused as soon as it passes the size
//! cap, the whole exchange has one deadline (not one per read, which a trickling
//! server would renew for ever), chunked replies are read like any other, and each
//! failure says which of these it was. Callers are synchronous service code; the
//! fetch runs on a thread of its own and, when called from the server's runtime,
//! inside `block_in_place`, so the requests queued on that worker move elsewhere
//! instead of waiting for it.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Body as _;
use hyper_util::rt::TokioIo;

/// How much and how long a fetch may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchLimits {
    /// The whole exchange: connecting, sending, and reading the last byte.
    pub deadline: Duration,
    /// The largest body accepted. Metadata of a federation with hundreds of
    /// entities runs to megabytes; one IdP's is a few kilobytes.
    pub max_bytes: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            deadline: Duration::from_secs(10),
            max_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Why a URL could not be fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    #[error(
        "{url}: https metadata URLs cannot be fetched here (the emulator reaches no network); download the metadata and give its path or XML"
    )]
    Https { url: String },
    #[error("{url}: not an http:// URL with a host ({why})")]
    BadUrl { url: String, why: String },
    #[error("{url}: cannot connect: {source}")]
    Connect { url: String, source: std::io::Error },
    #[error("{url}: no answer within {} s (the server accepted the connection but sent no response)", .after.as_secs())]
    NoAnswer { url: String, after: Duration },
    #[error("{url}: the body was still arriving after {} s ({received} bytes so far): too slow", .after.as_secs())]
    TooSlow {
        url: String,
        after: Duration,
        received: usize,
    },
    #[error("{url}: the body is larger than {limit} bytes: not SAML metadata")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: answered HTTP {status}")]
    Status {
        url: String,
        status: hyper::StatusCode,
    },
    #[error("{url}: the exchange failed: {source}")]
    Http { url: String, source: hyper::Error },
    #[error("{url}: the metadata is not UTF-8 text")]
    NotUtf8 { url: String },
    #[error("{url}: the fetch could not run: {why}")]
    Runtime { url: String, why: String },
}

/// Fetches `url` (plain `http://`) as text within `limits`, blocking the caller.
pub fn fetch_text(url: &str, limits: FetchLimits) -> Result<String, FetchError> {
    if url.starts_with("https://") {
        return Err(FetchError::Https { url: url.into() });
    }
    let target: hyper::Uri =
        url.parse()
            .map_err(|e: hyper::http::uri::InvalidUri| FetchError::BadUrl {
                url: url.into(),
                why: e.to_string(),
            })?;
    if target.scheme_str() != Some("http") || target.host().is_none() {
        return Err(FetchError::BadUrl {
            url: url.into(),
            why: "give http://host[:port]/path".into(),
        });
    }
    let owned = url.to_owned();
    let run = move || {
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| FetchError::Runtime {
                    url: owned.clone(),
                    why: e.to_string(),
                })?;
            runtime.block_on(fetch(&owned, target, limits))
        })
        .join()
    };
    // On a worker of the server's runtime, hand the worker's other tasks to
    // another thread while this one waits.
    let joined = match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(run)
        }
        _ => run(),
    };
    joined.unwrap_or_else(|_| {
        Err(FetchError::Runtime {
            url: url.into(),
            why: "the fetching thread panicked".into(),
        })
    })
}

async fn fetch(url: &str, target: hyper::Uri, limits: FetchLimits) -> Result<String, FetchError> {
    let started = tokio::time::Instant::now();
    let deadline = started + limits.deadline;
    let host = target.host().unwrap_or_default().to_owned();
    let port = target.port_u16().unwrap_or(80);
    let no_answer = || FetchError::NoAnswer {
        url: url.into(),
        after: limits.deadline,
    };
    let stream = tokio::time::timeout_at(
        deadline,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    .map_err(|_| no_answer())?
    .map_err(|source| FetchError::Connect {
        url: url.into(),
        source,
    })?;
    let http = |source| FetchError::Http {
        url: url.into(),
        source,
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(http)?;
    let driver = tokio::spawn(connection);
    let path = target
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let authority = target
        .authority()
        .map_or(host.clone(), |a| a.as_str().to_owned());
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, authority)
        .header(
            hyper::header::ACCEPT,
            "application/samlmetadata+xml, application/xml, text/xml",
        )
        .header(
            hyper::header::USER_AGENT,
            concat!("samlsim/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::<Bytes>::new())
        .map_err(|e| FetchError::BadUrl {
            url: url.into(),
            why: e.to_string(),
        })?;
    let response = tokio::time::timeout_at(deadline, sender.send_request(request))
        .await
        .map_err(|_| no_answer())?
        .map_err(http)?;
    if !response.status().is_success() {
        driver.abort();
        return Err(FetchError::Status {
            url: url.into(),
            status: response.status(),
        });
    }
    let mut body = response.into_body();
    if body
        .size_hint()
        .exact()
        .is_some_and(|length| length > limits.max_bytes as u64)
    {
        driver.abort();
        return Err(FetchError::TooLarge {
            url: url.into(),
            limit: limits.max_bytes,
        });
    }
    let mut received = Vec::new();
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                driver.abort();
                return Err(FetchError::TooSlow {
                    url: url.into(),
                    after: limits.deadline,
                    received: received.len(),
                });
            }
            Ok(None) => break,
            Ok(Some(frame)) => frame.map_err(http)?,
        };
        if let Ok(data) = frame.into_data() {
            if received.len() + data.len() > limits.max_bytes {
                driver.abort();
                return Err(FetchError::TooLarge {
                    url: url.into(),
                    limit: limits.max_bytes,
                });
            }
            received.extend_from_slice(&data);
        }
    }
    driver.abort();
    String::from_utf8(received).map_err(|_| FetchError::NotUtf8 { url: url.into() })
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// A one-shot HTTP server on loopback that reads the request head and then
    /// does `answer` with the stream; returns its URL.
    fn server(answer: impl FnOnce(std::net::TcpStream) + Send + 'static) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/metadata", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                answer(stream);
            }
        });
        url
    }

    fn short() -> FetchLimits {
        FetchLimits {
            deadline: Duration::from_secs(1),
            max_bytes: 64 * 1024,
        }
    }

    #[test]
    fn hostile_fetch_a_chunked_reply_is_read_whole() {
        let url = server(|mut s| {
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<md/>\r\n0\r\n\r\n",
            );
        });
        assert_eq!(fetch_text(&url, short()).unwrap(), "<md/>");
    }

    #[test]
    fn hostile_fetch_an_endless_body_is_cut_at_the_cap() {
        let url = server(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            let chunk = format!("{:x}\r\n{}\r\n", 4096, "x".repeat(4096));
            while s.write_all(chunk.as_bytes()).is_ok() {}
        });
        let err = fetch_text(&url, short()).unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge { limit: 65536, .. }),
            "{err}"
        );
    }

    #[test]
    fn hostile_fetch_a_declared_length_over_the_cap_is_refused_unread() {
        let url = server(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\n\r\n");
            std::thread::sleep(Duration::from_secs(3));
        });
        let err = fetch_text(&url, short()).unwrap_err();
        assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn hostile_fetch_a_trickle_ends_at_the_deadline() {
        let url = server(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            for _ in 0..100 {
                if s.write_all(b"x").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let err = fetch_text(&url, short()).unwrap_err();
        assert!(
            matches!(err, FetchError::TooSlow { received, .. } if received > 0),
            "{err}"
        );
        assert!(err.to_string().contains("too slow"), "{err}");
    }

    #[test]
    fn hostile_fetch_a_server_that_never_answers_ends_at_the_deadline() {
        let url = server(|_s| std::thread::sleep(Duration::from_secs(5)));
        let err = fetch_text(&url, short()).unwrap_err();
        assert!(matches!(err, FetchError::NoAnswer { .. }), "{err}");
        assert!(err.to_string().contains("no answer within 1 s"), "{err}");
    }

    #[test]
    fn hostile_fetch_errors_say_what_happened() {
        let url = server(|mut s| {
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        });
        let err = fetch_text(&url, short()).unwrap_err();
        assert!(
            err.to_string().ends_with("answered HTTP 404 Not Found"),
            "{err}"
        );
        let closed = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/", listener.local_addr().unwrap())
        };
        let err = fetch_text(&closed, short()).unwrap_err();
        assert!(matches!(err, FetchError::Connect { .. }), "{err}");
        let err = fetch_text("https://idp.example.com/metadata", short()).unwrap_err();
        assert!(matches!(err, FetchError::Https { .. }), "{err}");
    }
}
