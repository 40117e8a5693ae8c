//! The language of samlsim's own words: English or Korean (the seed documents are
//! Korean, and so are many of the trainers who use them).
//!
//! One choice per request, [`Lang::negotiate`]: `?lang=ko|en` (remembered in the
//! `samlsim_lang` cookie), else that cookie, else `Accept-Language` (RFC 9110
//! 12.5.4, with q-values), else English. Only samlsim's words change: what
//! imitates AWS keeps the wording AWS shows.

use crate::http::{Cookie, HeaderValue, Request, Response, encode_form, header};

/// The cookie that remembers an explicit choice.
pub const LANG_COOKIE: &str = "samlsim_lang";

/// A language samlsim speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// The BCP 47 tag (`<html lang>`, `?lang=`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language named by `tag` (`ko`, `ko-KR`, `EN-gb`): its primary subtag
    /// decides (RFC 4647 3.3.1 basic filtering); any other language is `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ko") {
            Some(Lang::Ko)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The words for this language.
    pub fn pick<'a>(self, en: &'a str, ko: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }

    pub fn is_ko(self) -> bool {
        self == Lang::Ko
    }

    /// The other language: where the toggle leads.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }

    /// The language's name in itself, for the toggle.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
        }
    }

    /// The best of English and Korean for an `Accept-Language` value: the
    /// highest q-value among the ranges that name one of them (`*` counts as
    /// English); ties go to the earlier range; `q=0` means "not this one".
    /// Nothing usable is English.
    pub fn from_accept_language(value: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for range in value.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("q").then(|| qvalue(v.trim()))
                })
                .unwrap_or(Some(1000));
            // A malformed q-value makes the range unusable, not the header.
            let Some(q) = q else { continue };
            let lang = if tag == "*" {
                Some(Lang::En)
            } else {
                Lang::from_tag(tag)
            };
            if let Some(lang) = lang
                && q > 0
                && best.is_none_or(|(b, _)| q > b)
            {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }

    /// The language for `request`, and whether the answer must set the cookie.
    pub fn negotiate(request: &Request) -> Negotiated {
        let explicit = request
            .query_param("lang")
            .as_deref()
            .and_then(Lang::from_tag);
        let lang = explicit
            .or_else(|| {
                request
                    .cookie(LANG_COOKIE)
                    .as_deref()
                    .and_then(Lang::from_tag)
            })
            .or_else(|| {
                request
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_accept_language)
            })
            .unwrap_or_default();
        // The toggle keeps the rest of the query (the presenter layout's
        // `present=1`), so switching language does not leave the page.
        let mut pairs: Vec<(String, String)> = request
            .query_pairs()
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .collect();
        pairs.push(("lang".into(), lang.other().code().into()));
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Negotiated {
            lang,
            remember: explicit.is_some(),
            toggle: format!("?{}", encode_form(&pairs)),
        }
    }
}

/// A q-value (RFC 9110 12.4.2: `0`, `1`, up to three decimals) in thousandths.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The outcome of [`Lang::negotiate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub lang: Lang,
    /// Chosen by `?lang=`: the answer sets the cookie.
    remember: bool,
    /// The link to this page in the other language (the header's toggle).
    pub toggle: String,
}

impl Negotiated {
    /// `lang`, without asking the request (one that was never read whole).
    pub fn fixed(lang: Lang) -> Negotiated {
        Negotiated {
            lang,
            remember: false,
            toggle: format!("?lang={}", lang.other().code()),
        }
    }

    /// `response` as a page in the negotiated language: it varies with the
    /// headers that chose it (caches must not serve one language for the other),
    /// and an explicit choice is remembered.
    pub fn finish(&self, mut response: Response) -> Response {
        response.headers.append(
            header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
        if self.remember {
            // Readable by nothing but the server's negotiation; a year, so the
            // choice outlives the browser session.
            let cookie = Cookie {
                max_age: Some(365 * 24 * 3600),
                ..Cookie::session(LANG_COOKIE, self.lang.code(), "/")
            };
            response = response.with_cookie(&cookie);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    #[test]
    fn accept_language_weighs_q_values() {
        for (header, want) in [
            ("ko", Lang::Ko),
            ("ko-KR", Lang::Ko),
            ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", Lang::Ko),
            ("en-US,en;q=0.9,ko;q=0.8", Lang::En),
            ("en;q=0.1, ko", Lang::Ko),
            ("en;q=0.1,ko;q=0.2", Lang::Ko),
            ("ko;q=0.5,en;q=0.5", Lang::Ko),
            ("en;q=0.5,ko;q=0.5", Lang::En),
            ("ko;q=0, en;q=0.1", Lang::En),
            ("ko;q=0", Lang::En),
            ("fr-FR, ko;q=0.3", Lang::Ko),
            ("fr-FR, de", Lang::En),
            ("*;q=0.5, ko;q=0.4", Lang::En),
            ("KO-kr;Q=1.0", Lang::Ko),
            ("ko;q=2, en;q=0.1", Lang::En),
            ("ko;q=abc", Lang::En),
            ("kok, ko-x;q=0.1", Lang::Ko),
            ("", Lang::En),
        ] {
            assert_eq!(Lang::from_accept_language(header), want, "{header:?}");
        }
    }

    #[test]
    fn a_query_beats_the_cookie_which_beats_the_header() {
        let korean = |target: &str| {
            Request::new(Method::GET, target).with_header(header::ACCEPT_LANGUAGE, "ko-KR,ko")
        };
        let header_only = Lang::negotiate(&korean("/x"));
        assert_eq!(header_only.lang, Lang::Ko);
        let cookie = Lang::negotiate(
            &korean("/x").with_header(header::COOKIE, &format!("a=b; {LANG_COOKIE}=en")),
        );
        assert_eq!(cookie.lang, Lang::En);
        let query = Lang::negotiate(
            &korean("/x?lang=ko").with_header(header::COOKIE, &format!("{LANG_COOKIE}=en")),
        );
        assert_eq!(query.lang, Lang::Ko);
        let none = Lang::negotiate(&Request::new(Method::GET, "/x?lang=xx"));
        assert_eq!(none.lang, Lang::En);
        assert_eq!(none.toggle, "?lang=ko");
        let presenting = Lang::negotiate(&korean("/x?present=1&lang=ko"));
        assert_eq!(presenting.toggle, "?present=1&lang=en");

        let page = query.finish(Response::text(crate::http::StatusCode::OK, "x"));
        let set = page
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(set.starts_with("samlsim_lang=ko; Path=/;"), "{set}");
        assert!(set.contains("SameSite=Lax"), "{set}");
        assert_eq!(
            page.headers.get(header::VARY).unwrap(),
            "Accept-Language, Cookie"
        );
        let page = header_only.finish(Response::text(crate::http::StatusCode::OK, "x"));
        assert!(page.headers.get(header::SET_COOKIE).is_none());
    }

    #[test]
    fn kok_is_not_korean() {
        // Konkani's tag starts with the letters of Korean's.
        assert_eq!(Lang::from_tag("kok"), None);
        assert_eq!(Lang::from_tag("ko_KR"), Some(Lang::Ko));
    }
}
