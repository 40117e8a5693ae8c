//! What the router keeps of each exchange for the flow inspector: the request line,
//! the public URL a local `/aws/<host>/...` path stands for, the status, the page
//! role, and every SAML message that crossed, decoded (as sent: the inspector
//! indents it when it shows it).
//!
//! Capturing here, once, rather than in each service means a service cannot forget
//! to, and the inspector sees exactly what went over the wire, including what a
//! service refused before reading it.

use samlsim_saml::binding::{Limits, decode_post, decode_redirect};
use samlsim_service::http::{Method, header};
use samlsim_service::{NewExchange, Request, Response, SamlMessage};

/// Paths that are samlsim's own plumbing, not part of any flow a person walks: the
/// inspector polling itself every two seconds would bury the flow it shows.
pub fn is_plumbing(path: &str) -> bool {
    path.starts_with("/static/")
        || path == "/_admin"
        || path.starts_with("/_admin/")
        || path == "/_inspect"
        || path.starts_with("/_inspect/")
        || path == "/favicon.ico"
}

/// The real URL a local path stands for: `/aws/<host>/<rest>` is `https://<host>/<rest>`.
pub fn public_url(path: &str, query: &str) -> Option<String> {
    let rest = path.strip_prefix("/aws/")?;
    let (host, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() {
        return None;
    }
    let mut url = format!("https://{host}/{tail}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    Some(url)
}

/// The exchange as the inspector will show it. `events_after`/`events_upto` are
/// filled in by the caller, which knows the event ids around the request.
pub fn exchange(request: &Request, response: &Response, flow: Option<String>) -> NewExchange {
    let target = if request.query.is_empty() {
        request.path.clone()
    } else {
        format!("{}?{}", request.path, request.query)
    };
    // Borrowed when the page is UTF-8, as samlsim's pages are: no copy per
    // exchange. `str::from_utf8` checks ASCII a word at a time; the lossy
    // conversion alone walked the page byte by byte (a tenth of this capture).
    let html = is_html(response).then(|| match std::str::from_utf8(&response.body) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(&response.body),
    });
    // The form is parsed once, for the messages and the typed fields: a posted
    // SAMLResponse is kilobytes of percent-encoded base64.
    let (pairs, binding) = if request.method == Method::POST {
        (request.form(), "HTTP-POST")
    } else {
        (request.query_pairs(), "HTTP-Redirect")
    };
    let messages = saml_messages(&pairs, binding);
    NewExchange {
        flow,
        method: request.method.to_string(),
        path: target,
        public_url: public_url(&request.path, &request.query),
        status: response.status.as_u16(),
        location: response
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        page: html
            .as_deref()
            .and_then(|h| attribute_value(h, "data-page")),
        rule: html
            .as_deref()
            .and_then(|h| attribute_value(h, "data-rule")),
        messages,
        form: if request.method == Method::POST {
            typed_fields(pairs)
        } else {
            Vec::new()
        },
        events_after: 0,
        events_upto: 0,
    }
}

fn is_html(response: &Response) -> bool {
    response
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The first `name="value"` in `html` with a non-empty value. Pages are samlsim's
/// own templates, which always quote with `"` and escape the value. The search
/// is `memmem`'s, which skips through an auto-post page's 11 KB SAMLResponse in
/// vector strides (with the browser's form search, `str`'s searcher was 1.7 % of
/// a flow's instructions besides RSA).
fn attribute_value(html: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    // A match of UTF-8 `needle` starts and ends on character boundaries.
    memchr::memmem::find_iter(html.as_bytes(), needle.as_bytes()).find_map(|at| {
        let rest = &html[at + needle.len()..];
        let value = &rest[..rest.find('"')?];
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// The fields of a posted form that a person chose or typed, for a saved flow to
/// replay: not the SAML binding's own (the messages above, which a replay derives
/// anew) and never a password, which the exchange log must not hold.
fn typed_fields(posted: Vec<(String, String)>) -> Vec<(String, String)> {
    const BINDING: [&str; 5] = [
        "SAMLRequest",
        "SAMLResponse",
        "RelayState",
        "SigAlg",
        "Signature",
    ];
    // samlsim's forms have one or two fields; a hostile post with thousands must
    // not become a row that size (the log bounds each value).
    const MAX_FIELDS: usize = 32;
    // What a person types or picks is short. A long value is an API parameter
    // (STS's SAMLAssertion, IAM's SAMLMetadataDocument) that no saved flow replays
    // as typed; keeping it made every STS call's exchange row a few kilobytes
    // (536 MB after a minute of STS calls at 256 connections).
    const MAX_TYPED: usize = 256;
    posted
        .into_iter()
        .filter(|(name, value)| {
            !BINDING.contains(&name.as_str())
                && !name.to_ascii_lowercase().contains("password")
                && value.len() <= MAX_TYPED
        })
        .take(MAX_FIELDS)
        .collect()
}

/// Every SAMLRequest/SAMLResponse of the request's `pairs`: form fields of a
/// POST (the HTTP-POST binding), query parameters otherwise (HTTP-Redirect).
fn saml_messages(pairs: &[(String, String)], binding: &'static str) -> Vec<SamlMessage> {
    let relay_state = pairs
        .iter()
        .find(|(k, _)| k == "RelayState")
        .map(|(_, v)| v.clone());
    pairs
        .iter()
        .filter(|(k, _)| k == "SAMLRequest" || k == "SAMLResponse")
        .map(|(parameter, value)| {
            let limits = Limits::default();
            let decoded = if binding == "HTTP-POST" {
                decode_post(value, &limits)
            } else {
                decode_redirect(value, &limits)
            };
            // Kept as sent: the inspector indents it when someone reads the flow,
            // which is rarer than capturing it (the profile of the six-step flow
            // showed pretty-printing every message here).
            let (xml, error) = match decoded {
                Ok(bytes) => (
                    Some(String::from_utf8(bytes).unwrap_or_else(|not_utf8| {
                        String::from_utf8_lossy(not_utf8.as_bytes()).into_owned()
                    })),
                    None,
                ),
                Err(e) => (None, Some(format!("it does not decode: {e}"))),
            };
            SamlMessage {
                parameter: parameter.clone(),
                binding: binding.into(),
                xml,
                error,
                relay_state: relay_state.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_name_the_real_host() {
        assert_eq!(
            public_url("/aws/us-east-1.signin.aws.amazon.com/saml", "").as_deref(),
            Some("https://us-east-1.signin.aws.amazon.com/saml")
        );
        assert_eq!(
            public_url("/aws/example-corp.my.connect.aws/ccp-v2", "a=1").as_deref(),
            Some("https://example-corp.my.connect.aws/ccp-v2?a=1")
        );
        assert_eq!(public_url("/idp/portal", ""), None);
    }

    #[test]
    fn only_the_fields_a_person_chose_are_kept_and_never_a_password() {
        let posted = Request::new(Method::POST, "/aws/signin.aws.amazon.com/saml").with_form(&[
            ("SAMLResponse", "PHNhbWxwOlJlc3BvbnNlLz4="),
            ("RelayState", "https://console"),
            ("roleIndex", "arn:aws:iam::1:role/R"),
            ("password", "alice-pass"),
            ("SAMLAssertion", &"PHNhbWw+".repeat(100)),
            ("NewPassword", "s3cret"),
        ]);
        assert_eq!(
            typed_fields(posted.form()),
            [("roleIndex".to_owned(), "arn:aws:iam::1:role/R".to_owned())]
        );
        let opened = Request::new(Method::GET, "/idp/portal?roleIndex=x");
        let response = Response::new(
            samlsim_service::http::StatusCode::OK,
            "text/plain",
            Vec::new(),
        );
        assert!(exchange(&opened, &response, None).form.is_empty());
    }

    #[test]
    fn attribute_values_are_read_from_pages() {
        let html = r#"<body data-page="aws-sign-in-error"><p data-rule="">x</p><p data-rule="trust-policy">"#;
        assert_eq!(
            attribute_value(html, "data-page").as_deref(),
            Some("aws-sign-in-error")
        );
        assert_eq!(
            attribute_value(html, "data-rule").as_deref(),
            Some("trust-policy")
        );
    }
}
