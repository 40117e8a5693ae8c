//! samlsim's own words in English or Korean: the start page, the inspector and
//! the problem pages follow `?lang=`, the `samlsim_lang` cookie, then
//! `Accept-Language`; what imitates AWS keeps AWS's English whatever the browser
//! asks for.

use samlsim_emulator::Emulator;
use samlsim_emulator::browser::Browser;
use samlsim_service::events::FLOW_COOKIE;
use samlsim_service::http::{Method, header};
use samlsim_service::{Lang, Request, Response};

use crate::fixture::emulator;

const KOREAN: &str = "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.1";

fn get(
    emulator: &Emulator,
    path: &str,
    accept_language: Option<&str>,
    cookie: Option<&str>,
) -> Response {
    let mut request = Request::new(Method::GET, path);
    if let Some(value) = accept_language {
        request = request.with_header(header::ACCEPT_LANGUAGE, value);
    }
    if let Some(value) = cookie {
        request = request.with_header(header::COOKIE, value);
    }
    emulator.handle(&request)
}

fn has_hangul(text: &str) -> bool {
    text.chars().any(|c| ('가'..='힣').contains(&c))
}

/// The `samlsim_lang` cookie the answer sets, if any.
fn lang_cookie(response: &Response) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("samlsim_lang="))
        .map(str::to_owned)
}

fn varies_by_language(response: &Response) -> bool {
    response
        .headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("Accept-Language") && v.contains("Cookie"))
}

#[test]
fn i18n_the_start_page_follows_accept_language_and_a_query_overrides_it() {
    let emulator = emulator();
    let korean = get(&emulator, "/", Some(KOREAN), None);
    let html = korean.text_body();
    assert!(html.contains("<html lang=\"ko\">"), "{html}");
    assert!(html.contains("samlsim이 실행 중입니다"), "{html}");
    assert!(html.contains("데모 사용자"), "{html}");
    assert!(
        html.contains("href=\"?lang=en\""),
        "the toggle leads to English: {html}"
    );
    assert!(
        html.contains("가상 시간"),
        "the clock line speaks Korean too: {html}"
    );
    assert!(!html.contains("samlsim is running"), "{html}");
    assert!(varies_by_language(&korean));
    assert_eq!(
        lang_cookie(&korean),
        None,
        "only an explicit choice is remembered"
    );

    let english = get(&emulator, "/?lang=en", Some(KOREAN), None);
    let html = english.text_body();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("samlsim is running"), "{html}");
    assert!(html.contains("href=\"?lang=ko\""), "{html}");
    assert!(!has_hangul(&html.replace("한국어", "")), "{html}");
    let cookie = lang_cookie(&english).expect("?lang= sets the cookie");
    assert!(cookie.starts_with("samlsim_lang=en; Path=/;"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");

    // The cookie then beats the browser's Accept-Language.
    let remembered = get(&emulator, "/", Some(KOREAN), Some("samlsim_lang=en"));
    assert!(remembered.text_body().contains("samlsim is running"));
    let chosen = get(&emulator, "/", Some("en"), Some("samlsim_lang=ko"));
    assert!(chosen.text_body().contains("samlsim이 실행 중입니다"));
    // No preference at all is English.
    assert!(
        get(&emulator, "/", None, None)
            .text_body()
            .contains("<html lang=\"en\">")
    );
    assert!(
        get(&emulator, "/", Some("fr-FR,de;q=0.5"), None)
            .text_body()
            .contains("samlsim is running")
    );
}

#[test]
fn i18n_the_inspector_explains_a_failed_flow_in_korean() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/launch/connect-us-east-1");
    browser.sign_in(&login, "o'brien", "obrien-pass");
    let flow = browser.cookie(FLOW_COOKIE).unwrap().to_owned();
    let rule = samlsim_emulator::rules::find("role-session-name-invalid")
        .pop()
        .unwrap()
        .spec;

    let page = get(
        &emulator,
        &format!("/_inspect/flow/{flow}"),
        Some(KOREAN),
        None,
    );
    assert!(varies_by_language(&page));
    let html = page.text_body();
    assert!(html.contains("<html lang=\"ko\">"), "{html}");
    for korean in [
        "무엇이 잘못되었나",
        "로그인 단계",
        "타임라인",
        "AWS 로그인",
        "브라우저",
        "해결 방법:",
        "가상 시계",
        "실제 시간으로 되돌리기",
        "장애 스위치",
        "잘못된 Audience",
        "이 흐름 살펴보기",
        rule.fix_ko,
        rule.explanation_ko,
    ] {
        assert!(html.contains(korean), "{korean:?} missing: {html}");
    }
    for english in [
        "What went wrong",
        "How to fix",
        "Timeline",
        "Failure switches",
        "Back to wall time",
    ] {
        assert!(
            !html.contains(english),
            "{english:?} left in English: {html}"
        );
    }
    // AWS's own words stay as AWS shows them.
    assert!(html.contains(rule.headline), "{html}");

    let page = get(
        &emulator,
        &format!("/_inspect/flow/{flow}?lang=en"),
        Some(KOREAN),
        None,
    );
    let html = page.text_body();
    assert!(
        html.contains("What went wrong") && html.contains(rule.fix),
        "{html}"
    );
    assert!(lang_cookie(&page).is_some_and(|c| c.starts_with("samlsim_lang=en")));

    // The JSON is for programs: English whatever the browser asks for.
    let json = get(
        &emulator,
        &format!("/_inspect/flow/{flow}.json"),
        Some(KOREAN),
        None,
    )
    .text_body();
    assert!(json.contains(rule.fix) && !has_hangul(&json), "{json}");

    let list = get(&emulator, "/_inspect?present=1", Some(KOREAN), None).text_body();
    assert!(list.contains("<html lang=\"ko\">"), "{list}");
    for korean in [
        "발표자 레이아웃 나가기",
        "멈춘 단계",
        "거부됨",
        "+12시간 1초",
    ] {
        assert!(list.contains(korean), "{korean:?} missing: {list}");
    }
    // The toggle keeps the presenter layout.
    assert!(
        list.contains("href=\"?present=1&#38;lang=en\"")
            || list.contains("href=\"?present=1&amp;lang=en\""),
        "{list}"
    );
}

#[test]
fn i18n_a_problem_page_gives_samlsims_explanation_and_fix_in_korean() {
    let emulator = emulator();
    let page = get(&emulator, "/idp/launch/no-such-sp", Some(KOREAN), None);
    let html = page.text_body();
    let rule = samlsim_emulator::rules::find("unknown-sp")
        .pop()
        .unwrap()
        .spec;
    assert!(html.contains("data-rule=\"unknown-sp\""), "{html}");
    assert!(html.contains("<html lang=\"ko\">"), "{html}");
    assert!(
        html.contains("해결 방법") && html.contains(rule.fix_ko),
        "{html}"
    );
    assert!(html.contains("흐름 검사기에서"), "{html}");
    assert!(varies_by_language(&page));

    let english = get(
        &emulator,
        "/idp/launch/no-such-sp",
        Some("en;q=0.1, ko;q=0"),
        None,
    )
    .text_body();
    assert!(
        english.contains(rule.fix) && english.contains("How to fix"),
        "{english}"
    );
}

#[test]
fn i18n_pages_that_imitate_aws_keep_awss_english() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    // The browser remembers the choice as a person's would.
    assert!(
        browser
            .open("/?lang=ko")
            .text()
            .contains("samlsim이 실행 중입니다")
    );

    // AWS's sign-in error page: AWS's words in English, samlsim's block beneath in Korean.
    let page = browser.post(
        "https://signin.aws.amazon.com/saml",
        &[("SAMLResponse", "***")],
    );
    let html = page.text();
    let rule = samlsim_emulator::rules::find("saml-not-base64")
        .pop()
        .unwrap()
        .spec;
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(
        html.contains("<title>Amazon Web Services Sign-In</title>"),
        "{html}"
    );
    assert!(
        html.contains("Your request included an invalid SAML response. To logout, click here."),
        "{html}"
    );
    assert!(
        html.contains("오류 코드") && html.contains(rule.fix_ko),
        "{html}"
    );

    // Connect's Access Denied page: Connect's words, samlsim's fix beneath in Korean.
    let login = browser.open("/idp/launch/connect-us-east-1");
    let page = browser.sign_in(&login, "JDoe", "JDoe-pass");
    let html = page.text();
    let rule = samlsim_emulator::rules::find("user-not-onboarded")
        .pop()
        .unwrap()
        .spec;
    assert!(
        html.contains("<h1 id=\"access-denied\">Access Denied</h1>"),
        "{html}"
    );
    assert!(
        html.contains(rule.fix_ko) && !html.contains(rule.fix),
        "{html}"
    );

    // STS, Connect and Cognito APIs: AWS's error bodies, nothing of Korean.
    let korean = |request: Request| {
        emulator.handle(
            &request
                .with_header(header::ACCEPT_LANGUAGE, KOREAN)
                .with_header(header::COOKIE, "samlsim_lang=ko"),
        )
    };
    let sts = korean(
        Request::new(Method::POST, "/aws/sts.amazonaws.com/")
            .with_form(&[("Action", "AssumeRoleWithSAML"), ("Version", "2011-06-15")]),
    );
    let body = sts.text_body();
    assert!(
        body.contains("<ErrorResponse") && !has_hangul(&body),
        "{body}"
    );

    let connect = korean(Request::new(
        Method::GET,
        "/aws/connect.us-east-1.amazonaws.com/user/federate/178c75e4-b3de-4839-a6aa-e321ab3f3770",
    ));
    let body = connect.text_body();
    assert!(
        connect.status.is_client_error() && body.contains("message") && !has_hangul(&body),
        "{body}"
    );

    let cognito = korean(
        Request::new(Method::POST, "/aws/cognito-idp.us-east-1.amazonaws.com/")
            .with_header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
            .with_header(
                header::HeaderName::from_static("x-amz-target"),
                "AWSCognitoIdentityProviderService.NoSuchOperation",
            )
            .with_json(&serde_json::json!({})),
    );
    let body = cognito.text_body();
    assert!(
        cognito.status.is_client_error() && body.contains("__type") && !has_hangul(&body),
        "{body}"
    );

    // The Cognito hosted UI is Cognito's page: English.
    let hosted = browser.open(
        "https://samlsim-demo.auth.us-east-1.amazoncognito.com/login?client_id=1c2f34abbcebf730504f0fb493&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fexample-app.samlsim.test%2Fcallback",
    );
    let html = hosted.text();
    assert!(hosted.response.status.is_success(), "{html}");
    assert!(
        html.contains("<html lang=\"en\">") && !has_hangul(&html.replace("한국어", "")),
        "{html}"
    );
}

#[test]
fn i18n_every_switch_has_korean_words() {
    for switch in samlsim_emulator::switches::SWITCHES {
        for (en, ko) in [
            (switch.label, switch.label_ko),
            (switch.explains, switch.explains_ko),
        ] {
            assert!(has_hangul(ko) && ko != en, "{}: {ko:?}", switch.name);
        }
    }
    assert_eq!(Lang::from_accept_language(KOREAN), Lang::Ko);
}
