#!/bin/sh
# Writes the xmlsec1 signing templates (xmlsec1-template-*.xml) next to this script:
# aws-saml-response.xml with an empty ds:Signature skeleton inserted on its own line
# right after the Response's saml:Issuer (or the Assertion's, for the assertion
# templates), where SAML's schema puts the signature.
#
#     sh tests/data/make-xmlsec1-templates.sh
#
# See README.md in this folder for how each template is used.
set -eu
cd "$(dirname "$0")"

RESPONSE_ID=_8e8dc5f69a98cc4c1ff3427e5ce34606fd672f91e6
ASSERTION_ID=_d71a3a8e9fcc45c9e9d248ef7049393fc8f04e5f75
DS='xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
EXC_C14N=http://www.w3.org/2001/10/xml-exc-c14n#
C14N=http://www.w3.org/TR/2001/REC-xml-c14n-20010315
ENVELOPED=http://www.w3.org/2000/09/xmldsig#enveloped-signature
RSA_SHA256=http://www.w3.org/2001/04/xmldsig-more#rsa-sha256
RSA_SHA1=http://www.w3.org/2000/09/xmldsig#rsa-sha1
SHA256=http://www.w3.org/2001/04/xmlenc#sha256
SHA1=http://www.w3.org/2000/09/xmldsig#sha1

# skeleton INDENT C14N_METHOD SIGNATURE_METHOD ID TRANSFORMS DIGEST_METHOD
# One line: the ds:Signature with empty DigestValue, SignatureValue and X509Data.
skeleton() {
    printf '%s<ds:Signature %s><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="%s"/><ds:SignatureMethod Algorithm="%s"/><ds:Reference URI="#%s"><ds:Transforms>%s</ds:Transforms><ds:DigestMethod Algorithm="%s"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo><ds:X509Data></ds:X509Data></ds:KeyInfo></ds:Signature>' \
        "$1" "$DS" "$2" "$3" "$4" "$5" "$6"
}

# template OUT NTH_ISSUER SIGNATURE: aws-saml-response.xml with SIGNATURE on a new
# line after the NTH_ISSUER-th <saml:Issuer> line (1 = the Response's, 2 = the Assertion's).
template() {
    SIGNATURE="$3" awk -v n="$2" '{ print } /<saml:Issuer>/ { if (++seen == n) print ENVIRON["SIGNATURE"] }' \
        aws-saml-response.xml > "$1"
}

ENVELOPED_EXC="<ds:Transform Algorithm=\"$ENVELOPED\"/><ds:Transform Algorithm=\"$EXC_C14N\"/>"

# The Response, RSA-SHA256 / SHA-256, exc-c14n everywhere.
template xmlsec1-template-response-rsa-sha256.xml 1 \
    "$(skeleton '  ' "$EXC_C14N" "$RSA_SHA256" "$RESPONSE_ID" "$ENVELOPED_EXC" "$SHA256")"

# The Response, RSA-SHA1 / SHA-1.
template xmlsec1-template-response-rsa-sha1.xml 1 \
    "$(skeleton '  ' "$EXC_C14N" "$RSA_SHA1" "$RESPONSE_ID" "$ENVELOPED_EXC" "$SHA1")"

# The Response, SignedInfo canonicalised with inclusive C14N 1.0 (it then carries the
# ds, samlp and saml declarations in scope), the Reference with exc-c14n.
template xmlsec1-template-response-inclusive-signedinfo.xml 1 \
    "$(skeleton '  ' "$C14N" "$RSA_SHA256" "$RESPONSE_ID" "$ENVELOPED_EXC" "$SHA256")"

# The Assertion, with InclusiveNamespaces PrefixList="xs" on the exc-c14n transform,
# as Okta and ADFS send it: xs is used only inside xsi:type values, so exc-c14n would
# drop its declaration unless the PrefixList keeps it.
template xmlsec1-template-assertion-prefixlist.xml 2 \
    "$(skeleton '    ' "$EXC_C14N" "$RSA_SHA256" "$ASSERTION_ID" \
        "<ds:Transform Algorithm=\"$ENVELOPED\"/><ds:Transform Algorithm=\"$EXC_C14N\"><ec:InclusiveNamespaces xmlns:ec=\"$EXC_C14N\" PrefixList=\"xs\"/></ds:Transform>" \
        "$SHA256")"

# The Assertion, whose Reference has only the enveloped-signature transform, so the
# node-set becomes octets by inclusive C14N 1.0 (XML-DSig 4.3.3.2): the Assertion's
# canonical form then carries the samlp and saml declarations of the Response.
template xmlsec1-template-assertion-enveloped-only.xml 2 \
    "$(skeleton '    ' "$EXC_C14N" "$RSA_SHA256" "$ASSERTION_ID" \
        "<ds:Transform Algorithm=\"$ENVELOPED\"/>" "$SHA256")"

# The Response with an indented, multi-line ds:Signature (the whitespace inside
# SignedInfo is signed); xmlsec1 line-wraps the base64 it fills in.
template xmlsec1-template-response-indented.xml 1 "$(skeleton '  ' "$EXC_C14N" "$RSA_SHA256" "$RESPONSE_ID" "$ENVELOPED_EXC" "$SHA256" |
    sed -e 's#><ds:\(SignedInfo\|SignatureValue\|KeyInfo\)#>\n    <ds:\1#g' \
        -e 's#><ds:\(CanonicalizationMethod\|SignatureMethod\|Reference\)#>\n      <ds:\1#g' \
        -e 's#><ds:\(Transforms\|DigestMethod\|DigestValue\)#>\n        <ds:\1#g' \
        -e 's#><ds:Transform #>\n          <ds:Transform #g' \
        -e 's#></ds:Transforms>#>\n        </ds:Transforms>#' \
        -e 's#></ds:\(Reference\)>#>\n      </ds:\1>#' \
        -e 's#></ds:\(SignedInfo\|KeyInfo\)>#>\n    </ds:\1>#g' \
        -e 's#></ds:Signature>#>\n  </ds:Signature>#' \
        -e 's#<ds:X509Data>#\n      <ds:X509Data>#')"
