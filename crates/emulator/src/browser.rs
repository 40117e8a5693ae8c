//! A scripted browser for driving an [`Emulator`] in-process: a cookie jar,
//! redirects followed, and the HTTP-POST binding's auto-submitting forms submitted
//! as a browser with scripts would. Tests and scenarios use it to walk the
//! six-step flow without sockets; the real-browser tests use Chromium.

use std::borrow::Cow;
use std::collections::BTreeMap;

use samlsim_service::http::{Method, StatusCode, header};
use samlsim_service::{Request, Response};

use crate::Emulator;

/// What a [`Browser`] talks to: an emulator in this process, or one over HTTP.
pub trait Transport {
    /// Answers one request.
    fn send(&self, request: Request) -> Response;
    /// Where the emulated hosts live, to turn public URLs into local ones.
    fn urls(&self) -> &samlsim_service::UrlMap;
}

impl Transport for Emulator {
    fn send(&self, mut request: Request) -> Response {
        request.peer = Some(std::net::IpAddr::from([127, 0, 0, 1]));
        self.handle(&request)
    }

    fn urls(&self) -> &samlsim_service::UrlMap {
        Emulator::urls(self)
    }
}

/// How many redirects or auto-posts one navigation may take before the browser
/// gives up (Chromium's limit is 20).
const MAX_HOPS: usize = 20;

/// A page the browser ended on.
#[derive(Debug, Clone)]
pub struct Page {
    /// The local path (and query) of the last request.
    pub url: String,
    pub response: Response,
    /// Every URL visited on the way, first to last.
    pub trail: Vec<String>,
}

impl Page {
    pub fn status(&self) -> StatusCode {
        self.response.status
    }

    pub fn text(&self) -> String {
        self.response.text_body()
    }

    /// The first `<form>` on the page with its fields (hidden and visible inputs).
    pub fn form(&self) -> Option<Form> {
        Form::first_in(&body_text(&self.response))
    }

    /// What the page is, by the `data-page` role every samlsim page carries
    /// (`idp-login`, `aws-sign-in-error`, `connect-ccp`, ...); `None` for bodies
    /// that are not samlsim pages (XML, JSON, redirects).
    pub fn role(&self) -> Option<String> {
        attribute_value(&body_text(&self.response), "data-page=\"").filter(|r| !r.is_empty())
    }

    /// The `data-rule` a refusal page names.
    pub fn rule(&self) -> Option<String> {
        attribute_value(&body_text(&self.response), "data-rule=\"")
    }
}

/// An HTML form as a browser would submit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub action: String,
    pub method: Method,
    pub fields: Vec<(String, String)>,
}

impl Form {
    fn first_in(html: &str) -> Option<Form> {
        // `memmem` rather than `str::find`: an auto-post form holds an 11 KB
        // SAMLResponse to skip through. A match of a UTF-8 needle starts on a
        // character boundary.
        let find = |haystack: &str, needle: &str| {
            memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
        };
        let start = find(html, "<form")?;
        let end = find(&html[start..], "</form>").map_or(html.len(), |e| start + e);
        let form = &html[start..end];
        let tag_end = form.find('>')?;
        let tag = &form[..tag_end];
        let action = attribute_value(tag, "action=\"").unwrap_or_default();
        let method = match attribute_value(tag, "method=\"").as_deref() {
            Some(m) if m.eq_ignore_ascii_case("post") => Method::POST,
            _ => Method::GET,
        };
        let mut fields = Vec::new();
        let mut rest = &form[tag_end..];
        while let Some(i) = find(rest, "<input") {
            let input_end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
            let input = &rest[i..input_end];
            if let Some(name) = attribute_value(input, "name=\"") {
                fields.push((name, attribute_value(input, "value=\"").unwrap_or_default()));
            }
            rest = &rest[input_end..];
        }
        Some(Form {
            action,
            method,
            fields,
        })
    }

    /// Sets (or adds) a field, as typing into it would.
    pub fn set(&mut self, name: &str, value: &str) -> &mut Self {
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_owned(),
            None => self.fields.push((name.to_owned(), value.to_owned())),
        }
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One browser: its own cookies, talking to one emulator.
pub struct Browser<'e> {
    transport: &'e dyn Transport,
    /// (path, name) → value.
    cookies: BTreeMap<(String, String), String>,
    /// Whether auto-submitting forms are submitted (a browser with JavaScript).
    pub scripts: bool,
    /// The last `SAMLResponse` this browser carried in a form, decoded by nobody.
    pub last_saml_response: Option<String>,
    /// The last form this browser posted (by hand or by script), to post again.
    pub last_posted_form: Option<Form>,
}

impl<'e> Browser<'e> {
    pub fn new(transport: &'e dyn Transport) -> Self {
        Browser {
            transport,
            cookies: BTreeMap::new(),
            scripts: true,
            last_saml_response: None,
            last_posted_form: None,
        }
    }

    /// Opens `url` (a local path, or an absolute URL of the emulator or of a host
    /// it emulates) and follows redirects and auto-posts.
    pub fn open(&mut self, url: &str) -> Page {
        let request = Request::new(Method::GET, &self.local_target(url));
        self.navigate(request)
    }

    /// Submits `form` and follows what comes back.
    /// Sends `request` as it is (with this browser's cookies) and follows what comes back.
    pub fn request(&mut self, request: Request) -> Page {
        self.navigate(request)
    }

    pub fn submit(&mut self, form: &Form) -> Page {
        if let Some(saml) = form.get("SAMLResponse") {
            self.last_saml_response = Some(saml.to_owned());
        }
        if form.method == Method::POST {
            self.last_posted_form = Some(form.clone());
        }
        let pairs: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let target = self.local_target(&form.action);
        let request = if form.method == Method::POST {
            Request::new(Method::POST, &target).with_form(&pairs)
        } else {
            let query = samlsim_service::http::encode_form(&pairs);
            Request::new(Method::GET, &format!("{target}?{query}"))
        };
        self.navigate(request)
    }

    /// Posts form fields to `url`, as a form on another site would.
    pub fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> Page {
        let request = Request::new(Method::POST, &self.local_target(url)).with_form(fields);
        self.navigate(request)
    }

    /// Signs in on the IdP login page `page` shows.
    pub fn sign_in(&mut self, page: &Page, username: &str, password: &str) -> Page {
        let mut form = page.form().unwrap_or(Form {
            action: "/idp/login".into(),
            method: Method::POST,
            fields: Vec::new(),
        });
        form.set("username", username).set("password", password);
        self.submit(&form)
    }

    /// The value of cookie `name` the browser holds, on any path.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|((_, n), _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Forgets every cookie (a new browser profile).
    pub fn clear_cookies(&mut self) {
        self.cookies.clear();
    }

    fn navigate(&mut self, mut request: Request) -> Page {
        let mut trail = Vec::new();
        loop {
            let url = if request.query.is_empty() {
                request.path.clone()
            } else {
                format!("{}?{}", request.path, request.query)
            };
            trail.push(url.clone());
            // A URL this emulator does not serve (an approved origin outside AWS,
            // C21): the browser leaves samlsim, and so does this one's journey.
            if request.path.starts_with("http://") || request.path.starts_with("https://") {
                return Page {
                    url,
                    response: Response::text(
                        StatusCode::OK,
                        format!("(left samlsim for {})", request.path),
                    ),
                    trail,
                };
            }
            let response = self.send(request);
            let next = if trail.len() >= MAX_HOPS {
                None
            } else if response.status.is_redirection() {
                response
                    .headers
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .map(|l| Request::new(Method::GET, &self.local_target(&resolve(&url, l))))
            } else if self.scripts {
                auto_post_form(&response).map(|form| {
                    if let Some(saml) = form.get("SAMLResponse") {
                        self.last_saml_response = Some(saml.to_owned());
                    }
                    let pairs: Vec<(&str, &str)> = form
                        .fields
                        .iter()
                        .map(|(n, v)| (n.as_str(), v.as_str()))
                        .collect();
                    let request = Request::new(Method::POST, &self.local_target(&form.action))
                        .with_form(&pairs);
                    self.last_posted_form = Some(form);
                    request
                })
            } else {
                None
            };
            match next {
                Some(next) => request = next,
                None => {
                    return Page {
                        url,
                        response,
                        trail,
                    };
                }
            }
        }
    }

    fn send(&mut self, mut request: Request) -> Response {
        let cookie_header: Vec<String> = self
            .cookies
            .iter()
            .filter(|((path, _), _)| path_matches(path, &request.path))
            .map(|((_, name), value)| format!("{name}={value}"))
            .collect();
        if !cookie_header.is_empty() {
            request = request.with_header(header::COOKIE, &cookie_header.join("; "));
        }
        let response = self.transport.send(request);
        for set_cookie in response.headers.get_all(header::SET_COOKIE) {
            if let Ok(text) = set_cookie.to_str() {
                self.store_cookie(text);
            }
        }
        response
    }

    fn store_cookie(&mut self, header: &str) {
        let mut parts = header.split(';').map(str::trim);
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
            return;
        };
        let mut path = "/".to_owned();
        let mut delete = false;
        for attribute in parts {
            if let Some(p) = attribute.strip_prefix("Path=") {
                path = p.to_owned();
            } else if attribute == "Max-Age=0" {
                delete = true;
            }
        }
        let key = (path, name.to_owned());
        if delete {
            self.cookies.remove(&key);
        } else {
            self.cookies.insert(key, value.to_owned());
        }
    }

    /// The local path and query for `url`.
    fn local_target(&self, url: &str) -> String {
        let local = self.transport.urls().local(url);
        let base = self.transport.urls().base();
        local
            .strip_prefix(base)
            .map_or(local.clone(), str::to_owned)
    }
}

/// The form of a page whose only job is to post it by script: the HTTP-POST
/// binding. The body is decoded once, as these pages carry 8 KB assertions.
fn auto_post_form(response: &Response) -> Option<Form> {
    let text = body_text(response);
    (text.contains(".submit();") && text.contains("<form"))
        .then(|| Form::first_in(&text))
        .flatten()
}

/// The body as text, borrowed when it is UTF-8 (every samlsim page is): a lossy
/// copy of each 12 KB auto-post page showed in the flow's profile.
fn body_text(response: &Response) -> Cow<'_, str> {
    match std::str::from_utf8(&response.body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(&response.body),
    }
}

fn resolve(current: &str, location: &str) -> String {
    if location.starts_with('/') || location.contains("://") {
        location.to_owned()
    } else {
        let directory = current.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{directory}/{location}")
    }
}

fn path_matches(cookie_path: &str, request_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

/// The value of the first `name="..."` (given as `name="`) in `html`, unescaped.
fn attribute_value(html: &str, name_eq_quote: &str) -> Option<String> {
    let start = html.find(name_eq_quote)? + name_eq_quote.len();
    let end = html[start..].find('"')? + start;
    Some(unescape_html(&html[start..end]))
}

/// The entities askama writes (`&#38;` `&lt;` `&gt;` `&#34;` `&#39;`) and their
/// common spellings, in one pass: an entity's replacement is never read again, so
/// `&#38;lt;` stays `&lt;`. Text without `&` (an 8 KB SAMLResponse) is copied once.
fn unescape_html(text: &str) -> String {
    const ENTITIES: [(&str, &str); 8] = [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match ENTITIES.iter().find(|(entity, _)| rest.starts_with(entity)) {
            Some((entity, plain)) => {
                out.push_str(plain);
                rest = &rest[entity.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_unescapes_each_entity_once() {
        assert_eq!(
            unescape_html("a&lt;b&gt;&#34;&quot;&#39;&#x27;&#38;&amp;&nbsp;&"),
            "a<b>\"\"''&&&nbsp;&"
        );
        // What askama writes for the text `&lt;` and `&amp;` reads back as that text.
        assert_eq!(unescape_html("&#38;lt;&#38;amp;"), "&lt;&amp;");
        assert_eq!(unescape_html("PD94bWwg+/="), "PD94bWwg+/=");
    }
}
