//! IdP and SP metadata: generation, round trips, and what AWS-style readers
//! must refuse.

use samlsim_saml::SamlError;
use samlsim_saml::metadata::{
    Endpoint, build_idp_metadata, build_sp_metadata, parse_idp_metadata, parse_sp_metadata,
};
use samlsim_saml::uri::{binding, nameid_format};

use crate::support::*;

#[test]
fn idp_metadata_round_trips_in_schema_order() {
    let xml = build_idp_metadata(&idp_metadata()).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntityDescriptor"));
    assert_eq!(parse_idp_metadata(xml.as_bytes()).unwrap(), idp_metadata());
    assert_eq!(
        xml,
        build_idp_metadata(&idp_metadata()).unwrap(),
        "deterministic"
    );

    // SAML metadata 2.4.1-2.4.3: KeyDescriptor*, SingleLogoutService*,
    // NameIDFormat*, SingleSignOnService+.
    let positions: Vec<usize> = [
        "<md:KeyDescriptor use=\"signing\">",
        "<md:SingleLogoutService",
        "<md:NameIDFormat>",
        "<md:SingleSignOnService",
    ]
    .iter()
    .map(|tag| xml.find(tag).unwrap_or_else(|| panic!("{tag} in {xml}")))
    .collect();
    assert!(positions.is_sorted(), "{xml}");
    assert!(xml.contains("WantAuthnRequestsSigned=\"true\""));
    assert!(xml.contains("protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\""));
    assert!(xml.contains("validUntil=\"2027-11-23T10:00:00Z\" cacheDuration=\"PT1H\""));
    assert!(xml.contains("Location=\"https://idp.example.com/sso?a=1&amp;b=2\""));
}

#[test]
fn sp_metadata_round_trips() {
    let xml = build_sp_metadata(&sp_metadata()).unwrap();
    assert_eq!(parse_sp_metadata(xml.as_bytes()).unwrap(), sp_metadata());
    assert!(xml.contains("<md:ServiceName xml:lang=\"en\">"));
    let acs = xml.find("<md:AssertionConsumerService").unwrap();
    assert!(xml.find("<md:NameIDFormat>").unwrap() < acs);
    assert!(acs < xml.find("<md:AttributeConsumingService").unwrap());
}

#[test]
fn reads_aws_style_sp_metadata() {
    let metadata = parse_sp_metadata(include_bytes!("../data/aws-sp-metadata.xml")).unwrap();
    assert_eq!(metadata.entity_id, "urn:amazon:webservices");
    assert_eq!(metadata.want_assertions_signed, Some(true));
    assert_eq!(metadata.signing_certificates, [cert()]);
    assert_eq!(metadata.assertion_consumer_services.len(), 2);
    let default = metadata
        .default_assertion_consumer_service(Some(binding::HTTP_POST))
        .unwrap();
    assert_eq!(default.location, AWS_ACS);
    assert_eq!(
        metadata.assertion_consumer_service(2).unwrap().location,
        "https://us-east-1.signin.aws.amazon.com/saml"
    );
    assert!(
        metadata
            .default_assertion_consumer_service(Some(binding::HTTP_REDIRECT))
            .is_none()
    );
    let service = &metadata.attribute_consuming_services[0];
    assert_eq!(service.requested_attributes.len(), 3);
    assert_eq!(service.requested_attributes[2].is_required, Some(false));
}

#[test]
fn default_acs_rules() {
    let mut metadata = sp_metadata();
    // No isDefault="true": the first without isDefault wins over an explicit false.
    metadata.assertion_consumer_services[0].is_default = Some(false);
    assert_eq!(
        metadata
            .default_assertion_consumer_service(None)
            .unwrap()
            .index,
        2
    );
    metadata.assertion_consumer_services[1].is_default = Some(false);
    assert_eq!(
        metadata
            .default_assertion_consumer_service(None)
            .unwrap()
            .index,
        1
    );
}

#[test]
fn reads_third_party_idp_metadata() {
    let metadata = parse_idp_metadata(include_bytes!("../data/idp-metadata-foreign.xml")).unwrap();
    assert_eq!(metadata.entity_id, "http://www.okta.example/exk1fxphvbxj");
    assert!(metadata.want_authn_requests_signed);
    assert_eq!(
        metadata.signing_certificates,
        [cert()],
        "use-less KeyDescriptor signs; encryption does not"
    );
    assert_eq!(metadata.name_id_formats, [nameid_format::EMAIL_ADDRESS]);
    assert_eq!(
        metadata.single_sign_on_services,
        [
            Endpoint::new(binding::HTTP_POST, "https://idp.example/sso/post"),
            Endpoint::new(binding::HTTP_REDIRECT, "https://idp.example/sso/redirect"),
        ]
    );
    assert_eq!(
        metadata.single_logout_services[0]
            .response_location
            .as_deref(),
        Some("https://idp.example/slo/response")
    );
    assert_eq!(
        metadata.valid_until.unwrap().to_string(),
        "2036-01-01T00:00:00Z"
    );
}

#[test]
fn a_byte_order_mark_is_refused_as_aws_does() {
    let xml = build_idp_metadata(&idp_metadata()).unwrap();
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(xml.as_bytes());
    let error = parse_idp_metadata(&with_bom).unwrap_err();
    assert!(matches!(error, SamlError::MetadataByteOrderMark), "{error}");
    assert!(error.to_string().starts_with("Could not parse metadata"));
    assert!(matches!(
        parse_sp_metadata(&with_bom).unwrap_err(),
        SamlError::MetadataByteOrderMark
    ));
}

#[test]
fn idp_metadata_refusals() {
    let idp = build_idp_metadata(&idp_metadata()).unwrap();
    let sp = build_sp_metadata(&sp_metadata()).unwrap();
    let response = include_str!("../data/response-many.xml");
    let entities = format!(
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">{}</md:EntitiesDescriptor>",
        idp.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    );
    let cases: Vec<(String, &str)> = vec![
        (
            sp.clone(),
            "no md:IDPSSODescriptor whose protocolSupportEnumeration includes",
        ),
        (
            idp.replace(
                "urn:oasis:names:tc:SAML:2.0:protocol",
                "urn:oasis:names:tc:SAML:1.1:protocol",
            ),
            "no md:IDPSSODescriptor",
        ),
        (
            idp.replace("use=\"signing\"", "use=\"encryption\""),
            "has no signing certificate",
        ),
        (
            response.to_owned(),
            "expected md:EntityDescriptor as the document element",
        ),
        (
            entities,
            "found {urn:oasis:names:tc:SAML:2.0:metadata}EntitiesDescriptor",
        ),
        (
            idp.replacen("MII", "!!!", 1),
            "unreadable ds:X509Certificate",
        ),
        (
            idp.replace(&format!(" entityID=\"{IDP_ENTITY_ID}\""), ""),
            "no entityID attribute, which SAML metadata 2.3.2",
        ),
        (
            idp.replacen(" Binding=", " binding=", 1),
            "no Binding attribute",
        ),
        (
            idp.replace("validUntil=\"2027-11-23T10:00:00Z\"", "validUntil=\"2027\""),
            "md:EntityDescriptor/@validUntil",
        ),
        (
            idp.replace(
                "WantAuthnRequestsSigned=\"true\"",
                "WantAuthnRequestsSigned=\"yes\"",
            ),
            "xs:boolean",
        ),
        ("not xml".into(), "not a well-formed XML document"),
        (
            idp.lines()
                .filter(|l| !l.contains("<md:SingleSignOnService"))
                .collect::<Vec<_>>()
                .join("\n"),
            "no md:SingleSignOnService child element, which SAML metadata 2.4.3",
        ),
    ];
    for (xml, expected) in cases {
        let error = parse_idp_metadata(xml.as_bytes()).unwrap_err().to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
}

#[test]
fn sp_metadata_refusals() {
    let sp = build_sp_metadata(&sp_metadata()).unwrap();
    let idp = build_idp_metadata(&idp_metadata()).unwrap();
    for (xml, expected) in [
        (idp, "no md:SPSSODescriptor"),
        (
            sp.replace(" index=\"2\"", ""),
            "md:AssertionConsumerService has no index",
        ),
        (
            sp.replace(" index=\"2\"", " index=\"-2\""),
            "xs:unsignedShort",
        ),
    ] {
        let error = parse_sp_metadata(xml.as_bytes()).unwrap_err().to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
}

#[test]
fn builders_refuse_incomplete_metadata() {
    let mut metadata = idp_metadata();
    metadata.signing_certificates.clear();
    assert!(
        build_idp_metadata(&metadata)
            .unwrap_err()
            .to_string()
            .contains("signing certificate")
    );
    let mut metadata = idp_metadata();
    metadata.single_sign_on_services.clear();
    assert!(
        build_idp_metadata(&metadata)
            .unwrap_err()
            .to_string()
            .contains("SingleSignOnService")
    );
    let mut metadata = idp_metadata();
    metadata.cache_duration = Some("1 hour".into());
    assert!(
        build_idp_metadata(&metadata)
            .unwrap_err()
            .to_string()
            .contains("xs:duration")
    );
    let mut metadata = idp_metadata();
    metadata.entity_id.clear();
    assert!(
        build_idp_metadata(&metadata)
            .unwrap_err()
            .to_string()
            .contains("entityID")
    );
    let mut metadata = sp_metadata();
    metadata.assertion_consumer_services.clear();
    assert!(
        build_sp_metadata(&metadata)
            .unwrap_err()
            .to_string()
            .contains("AssertionConsumerService")
    );
}
