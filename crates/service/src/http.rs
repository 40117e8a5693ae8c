//! Requests and responses as the services see them: plain values, so a service is a
//! function from a [`Request`] to a [`Response`] and is tested without a socket.
//! Only the binary speaks HTTP on the wire.

use std::fmt::Write as _;
use std::net::IpAddr;

use bytes::Bytes;
pub use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

/// An HTTP request whose body has been read (within the server's size limit).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The path, percent-encoded as received, without the query.
    pub path: String,
    /// The raw query string, without `?`. Kept raw because the HTTP-Redirect binding
    /// verifies its signature over the octets exactly as received.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The client's address, when known (the admin API serves loopback only).
    pub peer: Option<IpAddr>,
}

impl Request {
    /// A request for tests and in-process drivers.
    pub fn new(method: Method, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request {
            method,
            path: path.to_owned(),
            query: query.to_owned(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            peer: None,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.append(name, v);
        }
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body.
    pub fn with_form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.body = Bytes::from(encode_form(pairs));
        self.with_header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
    }

    /// Sets a JSON body.
    pub fn with_json(mut self, body: &serde_json::Value) -> Self {
        self.body = Bytes::from(body.to_string());
        self.with_header(header::CONTENT_TYPE, "application/json")
    }

    /// The decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        decode_pairs(self.query.as_bytes())
    }

    /// The first query parameter called `name`, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        first_value(self.query.as_bytes(), name)
    }

    /// The decoded form fields of a urlencoded body, in order; empty for other bodies.
    pub fn form(&self) -> Vec<(String, String)> {
        decode_pairs(self.form_body())
    }

    /// The first form field called `name`. Only the matching value is decoded,
    /// which matters for 8 KB SAMLResponse bodies read field by field.
    pub fn form_value(&self, name: &str) -> Option<String> {
        first_value(self.form_body(), name)
    }

    /// The body when it is urlencoded; empty otherwise.
    fn form_body(&self) -> &[u8] {
        let is_form = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if is_form { &self.body } else { &[] }
    }

    /// A field from the form body on POST, from the query otherwise.
    pub fn param(&self, name: &str) -> Option<String> {
        if self.method == Method::POST {
            self.form_value(name)
        } else {
            self.query_param(name)
        }
    }

    /// The value of cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// Whether the client is on this machine.
    pub fn is_loopback(&self) -> bool {
        // A dual-stack listener (`[::]`) sees IPv4 peers as `::ffff:127.0.0.1`.
        self.peer.is_none_or(|ip| ip.to_canonical().is_loopback())
    }

    /// The path without `prefix`, if it starts with it (on a segment boundary).
    pub fn path_after(&self, prefix: &str) -> Option<&str> {
        let rest = self.path.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    }
}

/// The decoded value of the first `name=value` pair of urlencoded `pairs`, as
/// `form_urlencoded::parse` would find it, decoding only the keys on the way and
/// the one value that matches: a SAMLResponse value is 8 KB of percent-escapes,
/// and a service reads several fields beside it.
fn first_value(pairs: &[u8], name: &str) -> Option<String> {
    form_pairs(pairs)
        .find(|(key, _)| decode_form_text(key) == name)
        .map(|(_, value)| decode_form_text(value))
}

/// Every pair of an urlencoded text (a query or a form body), decoded, in order.
fn decode_pairs(pairs: &[u8]) -> Vec<(String, String)> {
    form_pairs(pairs)
        .map(|(name, value)| (decode_form_text(name), decode_form_text(value)))
        .collect()
}

/// The raw `name` and `value` of each pair of an urlencoded text, split as
/// `form_urlencoded::parse` splits it (WHATWG URL, application/x-www-form-urlencoded
/// parsing): on `&`, empty sequences skipped, at the first `=` (none: an empty value).
fn form_pairs(pairs: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    // memchr rather than `split`: a pair skipped on the way to a later field is
    // an 11 KB SAMLResponse, crossed once per field read.
    let mut rest = pairs;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let (pair, after) = match memchr::memchr(b'&', rest) {
                Some(at) => (&rest[..at], &rest[at + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            rest = after;
            if !pair.is_empty() {
                return Some(match memchr::memchr(b'=', pair) {
                    Some(at) => (&pair[..at], &pair[at + 1..]),
                    None => (pair, &pair[pair.len()..]),
                });
            }
        }
        None
    })
}

/// One urlencoded name or value decoded exactly as `form_urlencoded` decodes it
/// (`+` is a space, `%XX` a byte, a `%` without two hex digits stays, invalid
/// UTF-8 becomes U+FFFD), in one pass into one buffer. The crate's way (replace
/// `+` into a copy, decode byte by byte into another, then a lossy UTF-8 scan) was
/// a twentieth of a six-step flow, whose SAMLResponse is 11 KB of base64 with
/// hundreds of escapes, read once by the sign-in endpoint and once by the
/// exchange log.
fn decode_form_text(text: &[u8]) -> String {
    fn hex(digit: u8) -> Option<u8> {
        (digit as char).to_digit(16).map(|d| d as u8)
    }
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr2(b'%', b'+', rest) {
        out.extend_from_slice(&rest[..at]);
        let escape = match rest[at] {
            b'+' => None,
            _ => rest
                .get(at + 1)
                .and_then(|&h| hex(h))
                .zip(rest.get(at + 2).and_then(|&l| hex(l))),
        };
        match (rest[at], escape) {
            (b'+', _) => {
                out.push(b' ');
                rest = &rest[at + 1..];
            }
            (_, Some((high, low))) => {
                out.push(high << 4 | low);
                rest = &rest[at + 3..];
            }
            (_, None) => {
                out.push(b'%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.extend_from_slice(rest);
    String::from_utf8(out)
        .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned())
}

/// An HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn new(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        Response {
            status,
            headers,
            body: body.into(),
        }
    }

    pub fn html(status: StatusCode, body: String) -> Self {
        Response::new(status, "text/html; charset=utf-8", body)
            .with_header(header::CACHE_CONTROL, "no-store")
    }

    pub fn text(status: StatusCode, body: impl Into<String>) -> Self {
        Response::new(status, "text/plain; charset=utf-8", body.into())
    }

    pub fn xml(status: StatusCode, body: impl Into<String>) -> Self {
        Response::new(status, "application/xml; charset=utf-8", body.into())
    }

    pub fn json(status: StatusCode, body: &impl serde::Serialize) -> Self {
        let text =
            serde_json::to_string_pretty(body).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        Response::new(status, "application/json", text)
    }

    /// A `{"error": {"code", "message"}}` JSON body, the admin API's error shape.
    pub fn json_error(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Response::json(
            status,
            &serde_json::json!({"error": {"code": code, "message": message.into()}}),
        )
    }

    /// `303 See Other` (after a POST) or `302 Found`, to `location`.
    pub fn redirect(status: StatusCode, location: &str) -> Self {
        let location = encode_location(location);
        let mut response = Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("Redirecting to {location}\n"),
        );
        if let Ok(v) = HeaderValue::from_str(&location) {
            response.headers.insert(header::LOCATION, v);
        }
        response
    }

    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.append(name, v);
        }
        self
    }

    pub fn with_cookie(self, cookie: &Cookie) -> Self {
        let value = cookie.to_header();
        self.with_header(header::SET_COOKIE, &value)
    }

    /// The body as text (for tests and logs).
    pub fn text_body(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `SameSite` values (RFC 6265bis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    /// Needed by cookies that must ride on a cross-site form POST (the SAML POST
    /// binding); browsers then also require `Secure`, except on localhost.
    None,
}

/// A `Set-Cookie` header.
#[derive(Debug, Clone)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    pub path: String,
    /// `Some(0)` deletes the cookie; `None` makes it last for the browser session.
    pub max_age: Option<i64>,
    pub http_only: bool,
    pub same_site: SameSite,
}

impl Cookie {
    /// An HttpOnly, SameSite=Lax session cookie for `path`.
    pub fn session(name: &str, value: &str, path: &str) -> Self {
        Cookie {
            name: name.to_owned(),
            value: value.to_owned(),
            path: path.to_owned(),
            max_age: None,
            http_only: true,
            same_site: SameSite::Lax,
        }
    }

    /// A cookie that deletes `name` at `path`.
    pub fn removal(name: &str, path: &str) -> Self {
        Cookie {
            max_age: Some(0),
            ..Cookie::session(name, "", path)
        }
    }

    fn to_header(&self) -> String {
        let mut header = format!("{}={}; Path={}", self.name, self.value, self.path);
        if let Some(age) = self.max_age {
            let _ = write!(header, "; Max-Age={age}");
        }
        if self.http_only {
            header.push_str("; HttpOnly");
        }
        header.push_str(match self.same_site {
            SameSite::Strict => "; SameSite=Strict",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::None => "; SameSite=None",
        });
        header
    }
}

/// `application/x-www-form-urlencoded` serialisation.
/// A URL as a `Location` header can carry it (RFC 9110 10.2.2, a URI reference):
/// non-ASCII (a RelayState in Korean), spaces, controls and the characters URIs
/// exclude are percent-encoded as UTF-8; what is already an escape stays as it is.
pub fn encode_location(url: &str) -> String {
    const OUTSIDE_URI: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'\\')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    percent_encoding::utf8_percent_encode(url, OUTSIDE_URI).to_string()
}

pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(
        pairs
            .iter()
            .map(|(name, value)| name.len() + value.len() + 2)
            .sum(),
    );
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        append_form_encoded(&mut out, name);
        out.push('=');
        append_form_encoded(&mut out, value);
    }
    out
}

/// `text` urlencoded as `form_urlencoded::byte_serialize` does (WHATWG URL: ASCII
/// alphanumerics and `*-._` stay, a space is `+`, every other byte `%XX` in upper
/// case), copying the runs that stay whole: a posted SAMLResponse is 11 KB.
fn append_form_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_') {
            continue;
        }
        // [start, i) holds only ASCII, so both ends are character boundaries.
        if start < i {
            out.push_str(&text[start..i]);
        }
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
        start = i + 1;
    }
    if start < bytes.len() {
        out.push_str(&text[start..]);
    }
}

/// Percent-encodes `value` for a URL query component (everything but unreserved
/// characters, RFC 3986 §2.3).
pub fn encode_component(value: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string()
}

/// Decodes a percent-encoded URL component (no `+` handling).
pub fn decode_component(value: &str) -> String {
    percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_finds_what_a_full_parse_finds() {
        let bodies = [
            "a=1&&b=2+3&b=x",
            "%61=enc&a=plain",
            "=empty&k",
            "k=v=w&z=%ZZ%2",
            "SAMLResponse=PD94%2B%2F%3D&RelayState=%2Fx%3Fy",
            "",
            "a=%%41%+1%2+%2B+&b=%FF%c3%A9%e2%82&z=%",
            "k=%EC%97%B0%EA%B2%B0+%&&&a=%zz%4",
            "&",
            "&&a&",
            "=",
            "&=&==&a==",
            "&b=1&",
            "a",
            "z=+%2B++%",
        ];
        for body in bodies {
            let full: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
            let request = Request::new(Method::POST, "/")
                .with_header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let request = Request {
                body: Bytes::copy_from_slice(body.as_bytes()),
                ..request
            };
            assert_eq!(request.form(), full, "{body:?}");
            let query = Request {
                query: body.to_owned(),
                ..Request::new(Method::GET, "/")
            };
            assert_eq!(query.query_pairs(), full, "query {body:?}");
            for name in ["a", "b", "k", "z", "", "SAMLResponse", "RelayState", "none"] {
                let full = form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned());
                assert_eq!(
                    first_value(body.as_bytes(), name),
                    full,
                    "{body:?} {name:?}"
                );
            }
        }
    }

    #[test]
    fn forms_encode_as_form_urlencoded_does() {
        let pairs = [
            ("SAMLResponse", "PD94bWwg+/= a*b-c.d_e~f"),
            ("연결", "é\u{0}\"&=%+"),
            ("", ""),
        ];
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            serializer.append_pair(k, v);
        }
        assert_eq!(encode_form(&pairs), serializer.finish());
        assert_eq!(encode_form(&[]), "");
    }

    #[test]
    fn hostile_web_a_non_ascii_location_is_percent_encoded() {
        let response =
            Response::redirect(StatusCode::FOUND, "https://x.example/연결 a%20b?q=<\"é\">");
        assert_eq!(
            response.headers[header::LOCATION],
            "https://x.example/%EC%97%B0%EA%B2%B0%20a%20b?q=%3C%22%C3%A9%22%3E"
        );
    }

    #[test]
    fn hostile_exposure_loopback_peers_are_recognised_in_every_form() {
        let mut request = Request::new(Method::GET, "/_admin/clock");
        for (peer, loopback) in [
            ("127.0.0.1", true),
            ("::1", true),
            ("::ffff:127.0.0.1", true),
            ("::ffff:10.0.0.1", false),
            ("192.168.1.5", false),
        ] {
            request.peer = Some(peer.parse().unwrap());
            assert_eq!(request.is_loopback(), loopback, "{peer}");
        }
    }

    #[test]
    fn requests_read_their_parts() {
        let request = Request::new(Method::POST, "/idp/sso?SAMLRequest=a%2Bb&x=1")
            .with_form(&[("user", "al ice"), ("password", "p&w")])
            .with_header(header::COOKIE, "a=1; samlsim_idp=abc");
        assert_eq!(request.query_param("SAMLRequest").as_deref(), Some("a+b"));
        assert_eq!(request.form_value("user").as_deref(), Some("al ice"));
        assert_eq!(request.param("password").as_deref(), Some("p&w"));
        assert_eq!(request.cookie("samlsim_idp").as_deref(), Some("abc"));
        assert_eq!(request.path_after("/idp"), Some("/sso"));
        assert_eq!(request.path_after("/id"), None);
    }

    #[test]
    fn form_fields_come_only_from_urlencoded_bodies() {
        let repeated = Request::new(Method::POST, "/").with_form(&[("a", "1"), ("a", "2")]);
        assert_eq!(repeated.form_value("a").as_deref(), Some("1"));
        assert_eq!(repeated.form().len(), 2);
        let mut plain =
            Request::new(Method::POST, "/").with_header(header::CONTENT_TYPE, "text/plain");
        plain.body = Bytes::from_static(b"a=1");
        assert_eq!(plain.form_value("a"), None);
        assert!(plain.form().is_empty());
    }

    #[test]
    fn cookies_render() {
        let response =
            Response::text(StatusCode::OK, "").with_cookie(&Cookie::session("s", "v", "/idp"));
        assert_eq!(
            response.headers.get(header::SET_COOKIE).unwrap(),
            "s=v; Path=/idp; HttpOnly; SameSite=Lax"
        );
        assert_eq!(encode_component("a b/c~"), "a%20b%2Fc~");
    }
}
