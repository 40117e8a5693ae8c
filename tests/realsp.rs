
/// `samlsim verify` on signature-wrapping variants of Responses xmlsec1 signed:
/// each signature verifies on its own, and the SAML checks name what is wrong
/// (exit 1); `--xmldsig-only` keeps the pure signature check.
#[test]
fn verify_refuses_signature_wrapping_of_responses_signed_by_xmlsec1() {
    let Some(xmlsec1) = crate::interop_xmlsec::Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();
    let sign = |template: &str| xmlsec1.sign(&repo_path(template), IDP_KEY, Some(IDP_CERT));
    let signed_assertion = sign("tests/data/xmlsec1-template-assertion-prefixlist.xml");
    let signed_response = sign("tests/data/xmlsec1-template-response-rsa-sha256.xml");
    let verify = |name: &str, xml: &str, extra: &[&str]| {
        let file = write_file(&dir, name, xml);
        let mut args = vec!["verify", "--cert", IDP_CERT];
        args.extend_from_slice(extra);
        let file = file.display().to_string();
        args.push(&file);
        samlsim(args)
    };
    // The genuine ones pass.
    for (name, xml) in [("assertion.xml", &signed_assertion), ("response.xml", &signed_response)] {
        let out = verify(name, xml, &[]);
        assert_eq!(out.code, 0, "{name}: {}", out.describe());
    }
    let assertion_of = |xml: &str| {
        let start = xml.find("<saml:Assertion").unwrap();
        let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
        (start, end)
    };
    // A forged copy: no signature, another ID, another subject.
    let forge = |assertion: &str| {
        let mut forged = assertion.to_owned();
        if let (Some(s), Some(e)) = (forged.find("<ds:Signature"), forged.find("</ds:Signature>")) {
            forged.replace_range(s..e + "</ds:Signature>".len(), "");
        }
        let id_at = forged.find(" ID=\"").unwrap() + 5;
        let id_end = id_at + forged[id_at..].find('"').unwrap();
        forged.replace_range(id_at..id_end, "_forged");
        forged.replace("alice@example.com", "admin@example.com")
    };

    let (start, end) = assertion_of(&signed_assertion);
    let genuine = &signed_assertion[start..end];
    // Sibling: the forged assertion first, the signed one beside it.
    let sibling = format!(
        "{}{}{}",
        &signed_assertion[..start],
        forge(genuine) + genuine,
        &signed_assertion[end..]
    );
    // Wrapped: the forged assertion where a consumer reads, the signed one inside it.
    let forged = forge(genuine);
    let close = forged.rfind("</saml:Assertion>").unwrap();
    let wrapped = format!(
        "{}{}{}{}",
        &signed_assertion[..start],
        &forged[..close],
        genuine,
        &signed_assertion[end..].replacen("", "</saml:Assertion>", 1)
    );
    // Response wrapping: the signed Response inside an unsigned one's Extensions.
    let (r_start, r_end) = assertion_of(&signed_response);
    let body_start = signed_response.find("<samlp:Response").unwrap();
    let inner = &signed_response[body_start..];
    let outer = format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_outer\" Version=\"2.0\" IssueInstant=\"2026-11-23T10:00:00Z\"><saml:Issuer>https://idp.example.com/saml/metadata</saml:Issuer><samlp:Extensions>{inner}</samlp:Extensions><samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>{}</samlp:Response>",
        forge(&signed_response[r_start..r_end])
    );
    for (name, xml, rules) in [
        ("sibling.xml", &sibling, &["saml-several-assertions", "saml-assertion-unsigned"][..]),
        (
            "wrapped.xml",
            &wrapped,
            &["saml-several-assertions", "saml-assertion-misplaced", "saml-assertion-unsigned"][..],
        ),
        (
            "response-wrapping.xml",
            &outer,
            &["saml-several-assertions", "saml-assertion-misplaced", "saml-assertion-unsigned"][..],
        ),
    ] {
        let out = verify(name, xml, &[]);
        assert_eq!(out.code, 1, "{name}: {}", out.describe());
        for rule in rules {
            assert!(out.stdout.contains(&format!("SAML rule {rule}:")), "{name} {rule}: {}", out.describe());
        }
        assert!(out.stdout.contains("_forged"), "{name}: {}", out.describe());
        // Each signature verifies on its own: the pure check says so.
        let out = verify(name, xml, &["--xmldsig-only"]);
        assert_eq!(out.code, 0, "{name} --xmldsig-only: {}", out.describe());
    }
}
