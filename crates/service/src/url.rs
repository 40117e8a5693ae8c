//! The one check every URL the configuration or an admin API accepts goes through.
//!
//! A configured URL ends up as a form action, a `Location` or a link in the
//! emulator's own origin: `slo_url = "javascript:…"` once ran script there (an
//! adversarial pass found only `acs_url` was checked, by its own test).

/// What a URL may be where it is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlUse {
    /// `http://` or `https://` with a host: a public URL, an origin, a base URL.
    Absolute,
    /// As [`UrlUse::Absolute`], or a path on this emulator (`/idp/portal`).
    AbsoluteOrLocalPath,
}

/// Why a configured URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("is empty")]
    Empty,
    #[error("\"{0}\" contains whitespace or a control character")]
    Control(String),
    #[error("\"{0}\" is not an http:// or https:// URL{also}", also = if *.1 { " or a local path (/…)" } else { "" })]
    Scheme(String, bool),
    #[error("\"{0}\" has no host after the scheme")]
    NoHost(String),
    #[error(
        "\"{0}\" starts with // or /\\, which a browser reads as another host, not a local path"
    )]
    HostRelative(String),
}

/// Checks `url` for `place`: only `http`/`https` with a host (and for
/// [`UrlUse::AbsoluteOrLocalPath`], a path starting with a single `/`); never
/// `javascript:`, `data:`, `vbscript:` or any other scheme.
///
/// ```
/// use samlsim_service::url::{UrlUse, check_url};
/// assert!(check_url("https://signin.aws.amazon.com/saml", UrlUse::Absolute).is_ok());
/// assert!(check_url("/idp/portal", UrlUse::AbsoluteOrLocalPath).is_ok());
/// assert!(check_url("javascript:alert(1)", UrlUse::AbsoluteOrLocalPath).is_err());
/// ```
///
/// # Errors
///
/// [`UrlError`] naming the URL (bounded) and what is wrong with it.
pub fn check_url(url: &str, place: UrlUse) -> Result<(), UrlError> {
    let quoted = || crate::bounded(url).into_owned();
    if url.is_empty() {
        return Err(UrlError::Empty);
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlError::Control(quoted()));
    }
    if url.starts_with('/') {
        if place == UrlUse::Absolute {
            return Err(UrlError::Scheme(quoted(), false));
        }
        if url.starts_with("//") || url.starts_with("/\\") {
            return Err(UrlError::HostRelative(quoted()));
        }
        return Ok(());
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(UrlError::Scheme(
            quoted(),
            place == UrlUse::AbsoluteOrLocalPath,
        ));
    };
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    if host.is_empty() {
        return Err(UrlError::NoHost(quoted()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_url_only_http_https_or_a_local_path_is_taken() {
        let either = UrlUse::AbsoluteOrLocalPath;
        for good in [
            "https://signin.aws.amazon.com/saml",
            "http://127.0.0.1:7575/idp/portal",
            "HTTPS://Example.test",
            "http://[::1]:7575/",
            "/idp/portal?x=1",
        ] {
            assert_eq!(check_url(good, either), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(document.domain)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "not a url",
            "",
            "//evil.example/x",
            "/\\evil.example",
            "https://",
            "https:///path",
            "http://:80/",
            "ftp://example.test/",
            "https://exa mple.test/",
            "https://example.test/\n",
        ] {
            assert!(check_url(bad, either).is_err(), "{bad:?}");
        }
        assert!(matches!(
            check_url("/idp/portal", UrlUse::Absolute),
            Err(UrlError::Scheme(_, false))
        ));
        assert_eq!(
            check_url("javascript:x", either).unwrap_err().to_string(),
            "\"javascript:x\" is not an http:// or https:// URL or a local path (/…)"
        );
    }
}
