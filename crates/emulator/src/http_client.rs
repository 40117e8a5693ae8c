//! A blocking HTTP/1.1 [`Transport`] to an emulator already running on this
//! machine, so the same [`Browser`](crate::browser::Browser) and scenarios drive it
//! from outside (`samlsim run --against URL`, for demos). Connections are kept
//! alive and reused, as a browser keeps them (HTTP/1.1's default, RFC 9112 §9.3);
//! loopback only. With [`crate::server`], the only socket code: the CLI's commands
//! for a running samlsim come through here too.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

use samlsim_service::http::header::HeaderName;
use samlsim_service::http::{HeaderValue, StatusCode, header};
use samlsim_service::{Request, Response, UrlMap};

use crate::browser::Transport;

/// Talks to the emulator at a base URL such as `http://127.0.0.1:7575`.
///
/// Idle connections are kept for the next request, like a browser's pool for one
/// host: one per caller in flight, so a transport shared by threads opens as many
/// as they use at once and no more.
pub struct HttpTransport {
    urls: UrlMap,
    authority: String,
    timeout: Duration,
    idle: Mutex<Vec<BufReader<TcpStream>>>,
}

/// The most idle connections one transport keeps (Chromium keeps six per host).
const MAX_IDLE: usize = 6;

/// The longest response head read: samlsim's heads are a few hundred bytes.
const MAX_HEAD_BYTES: usize = 64 * 1024;

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
            idle: Mutex::default(),
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
        let message = wire_request(request, &self.authority);
        let kept = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let (connection, answer) = match kept {
            Some(mut connection) => match send_and_read(&mut connection, &message) {
                // The server closed the idle connection before reading this request
                // (its keep-alive ended): nothing of it was answered, so it is sent
                // again once on a new connection, as a browser does with a reused
                // connection that closes before the first byte of the response
                // (Chromium's `HttpNetworkTransaction::ShouldResendRequest`).
                Err(Exchanged::ClosedBeforeAnswer) => {
                    let mut fresh = self.connect()?;
                    let answer = send_and_read(&mut fresh, &message);
                    (fresh, answer)
                }
                answer => (connection, answer),
            },
            None => {
                let mut fresh = self.connect()?;
                let answer = send_and_read(&mut fresh, &message);
                (fresh, answer)
            }
        };
        let (response, reusable) = match answer {
            Ok(answer) => answer,
            Err(Exchanged::ClosedBeforeAnswer) => {
                return Err(io(std::io::ErrorKind::UnexpectedEof.into()));
            }
            Err(Exchanged::Io(e)) => return Err(io(e)),
            Err(Exchanged::Malformed(why)) => {
                return Err(ExchangeError::Malformed {
                    authority: authority(),
                    why,
                });
            }
        };
        if reusable {
            let mut idle = self
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(connection);
            }
        }
        // Otherwise it closes here, dropped.
        Ok(response)
    }

    /// A new connection with this transport's timeouts.
    fn connect(&self) -> Result<BufReader<TcpStream>, ExchangeError> {
        let unreachable = |source| ExchangeError::Unreachable {
            authority: self.authority.clone(),
            source,
        };
        let address = std::net::ToSocketAddrs::to_socket_addrs(self.authority.as_str())
            .map_err(unreachable)?
            .next()
            .ok_or_else(|| unreachable(std::io::ErrorKind::AddrNotAvailable.into()))?;
        let stream = TcpStream::connect_timeout(&address, self.timeout).map_err(unreachable)?;
        let configured = stream
            .set_read_timeout(Some(self.timeout))
            .and_then(|()| stream.set_write_timeout(Some(self.timeout)))
            // Requests are written whole; waiting to coalesce them only adds delay.
            .and_then(|()| stream.set_nodelay(true));
        configured.map_err(|source| ExchangeError::Io {
            authority: self.authority.clone(),
            source,
        })?;
        Ok(BufReader::new(stream))
    }
}

/// How one exchange on one connection went.
enum Exchanged {
    /// The connection ended before any byte of the answer.
    ClosedBeforeAnswer,
    Io(std::io::Error),
    Malformed(String),
}

/// The request as it goes on the wire: head and body in one buffer, one write.
fn wire_request(request: &Request, authority: &str) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut head = format!("{} {}", request.method, request.path);
    if !request.query.is_empty() {
        head.push('?');
        head.push_str(&request.query);
    }
    // Writing to a String cannot fail.
    let _ = write!(head, " HTTP/1.1\r\nHost: {authority}\r\n");
    for (name, value) in &request.headers {
        if let Ok(value) = value.to_str() {
            let _ = write!(head, "{name}: {value}\r\n");
        }
    }
    let _ = write!(head, "Content-Length: {}\r\n\r\n", request.body.len());
    let mut message = head.into_bytes();
    message.extend_from_slice(&request.body);
    message
}

/// Sends `message` and reads one answer; with it, whether the connection may
/// carry the next request.
fn send_and_read(
    connection: &mut BufReader<TcpStream>,
    message: &[u8],
) -> Result<(Response, bool), Exchanged> {
    // A write to a connection the server closed may still succeed (the kernel
    // buffers it); the read then sees the end. Either way nothing was answered.
    let closed = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::BrokenPipe
        | std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::ConnectionAborted
        | std::io::ErrorKind::UnexpectedEof => Exchanged::ClosedBeforeAnswer,
        _ => Exchanged::Io(e),
    };
    connection.get_mut().write_all(message).map_err(closed)?;
    let mut head = Vec::with_capacity(512);
    loop {
        let before = head.len();
        let read = connection.read_until(b'\n', &mut head).map_err(|e| {
            if before == 0 {
                closed(e)
            } else {
                Exchanged::Io(e)
            }
        })?;
        if read == 0 {
            return Err(if before == 0 {
                Exchanged::ClosedBeforeAnswer
            } else {
                Exchanged::Malformed("the connection closed inside the response head".into())
            });
        }
        if head.ends_with(b"\r\n\r\n") || head == b"\r\n" {
            break;
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(Exchanged::Malformed(format!(
                "the response head is over {MAX_HEAD_BYTES} bytes"
            )));
        }
    }
    let mut response = parse_head(&head).map_err(|why| Exchanged::Malformed(why.into()))?;
    if response.headers.get(header::TRANSFER_ENCODING).is_some() {
        return Err(Exchanged::Malformed(
            "chunked responses are not expected from samlsim".into(),
        ));
    }
    let closes = response
        .headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
    let length = response
        .headers
        .get(header::CONTENT_LENGTH)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or_else(|| Exchanged::Malformed(format!("Content-Length {v:?}")))
        })
        .transpose()?;
    let mut body = Vec::new();
    match length {
        Some(length) => {
            body.resize(length, 0);
            connection.read_exact(&mut body).map_err(Exchanged::Io)?;
        }
        // No length: the body runs to the end of the connection (RFC 9112 §6.3).
        None => {
            connection.read_to_end(&mut body).map_err(Exchanged::Io)?;
        }
    }
    response.body = body.into();
    Ok((response, length.is_some() && !closes))
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

/// The status line and headers of a response head (up to its blank line).
fn parse_head(raw: &[u8]) -> Result<Response, &'static str> {
    let head = std::str::from_utf8(raw).map_err(|_| "the response head is not text")?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or("the response has no status line")?;
    let mut response = Response::new(status, "text/plain", Vec::new());
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
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use samlsim_service::http::Method;
    use std::net::TcpListener;

    /// Reads one request (head and `Content-Length` body) from `connection`.
    fn read_request(connection: &mut BufReader<TcpStream>) -> String {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            assert!(connection.read_line(&mut line).unwrap() > 0, "closed early");
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .map_or(0, |n| n.trim().parse::<usize>().unwrap());
        let mut body = vec![0; length];
        connection.read_exact(&mut body).unwrap();
        head.lines().next().unwrap().to_owned()
    }

    fn answer(connection: &mut BufReader<TcpStream>, body: &str) {
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        connection.get_mut().write_all(reply.as_bytes()).unwrap();
    }

    #[test]
    fn hostile_server_a_kept_connection_is_reused_and_reopened_once_when_closed() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            // Two requests on the first connection, then it closes while idle.
            let mut first = BufReader::new(listener.accept().unwrap().0);
            let one = read_request(&mut first);
            answer(&mut first, "one");
            let two = read_request(&mut first);
            answer(&mut first, "two");
            drop(first);
            let mut second = BufReader::new(listener.accept().unwrap().0);
            let three = read_request(&mut second);
            answer(&mut second, "three");
            [one, two, three]
        });
        let transport = HttpTransport::new(&base).unwrap();
        let bodies: Vec<String> = ["/a", "/b", "/c"]
            .iter()
            .map(|path| {
                let request = Request::new(Method::POST, path).with_form(&[("k", "v")]);
                transport.exchange(&request).unwrap().text_body()
            })
            .collect();
        assert_eq!(bodies, ["one", "two", "three"]);
        assert_eq!(
            server.join().unwrap(),
            ["POST /a HTTP/1.1", "POST /b HTTP/1.1", "POST /c HTTP/1.1"]
        );
    }

    #[test]
    fn hostile_server_a_fresh_connection_closed_before_answering_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let mut connection = BufReader::new(listener.accept().unwrap().0);
            read_request(&mut connection);
        });
        let transport = HttpTransport::new(&base).unwrap();
        let error = transport
            .exchange(&Request::new(Method::GET, "/x"))
            .unwrap_err();
        server.join().unwrap();
        assert!(matches!(error, ExchangeError::Io { .. }), "{error}");
    }
}
