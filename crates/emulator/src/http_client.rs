//! A blocking HTTP/1.1 [`Transport`] to an emulator already running on this
//! machine, so the same [`Browser`](crate::browser::Browser) and scenarios drive it
//! from outside (`samlsim run --against URL`, for demos). One connection per
//! request, `Connection: close`; loopback only. With [`crate::server`], the only
//! socket code: the CLI's commands for a running samlsim come through here too.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use samlsim_service::http::header::HeaderName;
use samlsim_service::http::{HeaderValue, StatusCode, header};
use samlsim_service::{Request, Response, UrlMap};

use crate::browser::Transport;

/// Talks to the emulator at a base URL such as `http://127.0.0.1:7575`.
pub struct HttpTransport {
    urls: UrlMap,
    authority: String,
    timeout: Duration,
}

/// Why an exchange with a running samlsim failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    #[error("cannot reach samlsim at http://{authority} (is `samlsim up` running?): {source}")]
    Unreachable {
        authority: String,
        source: std::io::Error,
    },
    /// A server that accepts and stays silent shows as `WouldBlock` on Unix and
    /// `TimedOut` on Windows: both are said as what they are.
    #[error("samlsim at http://{authority} did not answer {what} within {} s (timed out)", .after.as_secs())]
    TimedOut {
        authority: String,
        what: String,
        after: Duration,
    },
    #[error("talking to samlsim at http://{authority}: {source}")]
    Io {
        authority: String,
        source: std::io::Error,
    },
    #[error("samlsim at http://{authority} answered something that is not HTTP: {why}")]
    Malformed { authority: String, why: String },
}

impl HttpTransport {
    /// A transport to `base` (an `http://` URL of a samlsim on this machine).
    pub fn new(base: &str) -> Result<Self, String> {
        let authority = base
            .strip_prefix("http://")
            .ok_or_else(|| format!("{base}: only http:// URLs of a local samlsim"))?
            .trim_end_matches('/')
            .to_owned();
        Ok(HttpTransport {
            urls: UrlMap::new(base).with_rewriter(samlsim_aws::endpoints::public_to_local),
            authority,
            timeout: Duration::from_secs(30),
        })
    }

    /// The longest connecting, sending or waiting for a read may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends `request` and reads the answer; unlike [`Transport::send`], a samlsim
    /// that cannot be reached is an error rather than a 502 page, for callers (the
    /// CLI) that say so in their own words.
    pub fn exchange(&self, request: &Request) -> Result<Response, ExchangeError> {
        let authority = || self.authority.clone();
        let unreachable = |source| ExchangeError::Unreachable {
            authority: authority(),
            source,
        };
        let address = std::net::ToSocketAddrs::to_socket_addrs(self.authority.as_str())
            .map_err(unreachable)?
            .next()
            .ok_or_else(|| unreachable(std::io::ErrorKind::AddrNotAvailable.into()))?;
        let mut stream = TcpStream::connect_timeout(&address, self.timeout).map_err(unreachable)?;
        let target = if request.query.is_empty() {
            request.path.clone()
        } else {
            format!("{}?{}", request.path, request.query)
        };
        let io = |source: std::io::Error| match source.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                ExchangeError::TimedOut {
                    authority: authority(),
                    what: format!("{} {}", request.method, request.path),
                    after: self.timeout,
                }
            }
            _ => ExchangeError::Io {
                authority: authority(),
                source,
            },
        };
        stream.set_read_timeout(Some(self.timeout)).map_err(io)?;
        stream.set_write_timeout(Some(self.timeout)).map_err(io)?;
        let mut head = format!(
            "{} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            request.method, self.authority
        );
        for (name, value) in &request.headers {
            if let Ok(value) = value.to_str() {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", request.body.len()));
        stream.write_all(head.as_bytes()).map_err(io)?;
        stream.write_all(&request.body).map_err(io)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(io)?;
        parse_response(&raw).map_err(|why| ExchangeError::Malformed {
            authority: authority(),
            why,
        })
    }
}

impl Transport for HttpTransport {
    fn send(&self, request: Request) -> Response {
        self.exchange(&request).unwrap_or_else(|e| {
            Response::text(
                StatusCode::BAD_GATEWAY,
                format!("samlsim could not be reached: {e}"),
            )
        })
    }

    fn urls(&self) -> &UrlMap {
        &self.urls
    }
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the response has no header end")?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| "the response head is not text")?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or("the response has no status line")?;
    let mut response = Response::new(status, "text/plain", raw[split + 4..].to_vec());
    response.headers.clear();
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.trim().as_bytes()),
                HeaderValue::from_str(value.trim()),
            )
        {
            response.headers.append(name, value);
        }
    }
    if response.headers.get(header::TRANSFER_ENCODING).is_some() {
        return Err("chunked responses are not expected from samlsim".into());
    }
    Ok(response)
}
