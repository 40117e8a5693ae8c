"""Two SP libraries nobody here wrote, pysaml2 and python3-saml, registered with
samlsim's IdP from their own generated metadata, through SP-initiated SSO: default
security settings, signed requests, IsPassive, ForceAuthn and NameIDPolicy.

Usage: sp_libraries.py BASE_URL KEY_PEM CERT_PEM
Prints one JSON object: per library and case, what the SP made of the answer.
Run by tests/idp_interop.rs; only talks to the loopback base URL it is given.
"""

import json
import re
import shutil
import sys

import requests

BASE, KEY_FILE, CERT_FILE = sys.argv[1:4]
KEY = open(KEY_FILE, encoding="ascii").read()
CERT = open(CERT_FILE, encoding="ascii").read()
IDP_METADATA = requests.get(BASE + "/idp/metadata", timeout=10).text
ACS = "http://localhost:8000/acs"


def register(metadata, sp_id):
    answer = requests.post(
        BASE + "/_admin/idp/service-providers?id=" + sp_id,
        data=metadata.encode(),
        headers={"Content-Type": "application/samlmetadata+xml"},
        timeout=10,
    )
    if answer.status_code != 201:
        raise SystemExit(f"registering {sp_id}: {answer.status_code} {answer.text}")
    return answer.json()


def saml_response(html):
    match = re.search(r'name="SAMLResponse" value="([^"]+)"', html)
    if not match:
        raise SystemExit("no SAMLResponse in " + html[:2000])
    return match.group(1)


def sign_in(browser, login_url):
    """The IdP's login page, as a person fills it in; ends at the posting form."""
    page = browser.get(login_url, timeout=10)
    continue_to = re.search(r'name="continue" value="([^"]*)"', page.text).group(1)
    continue_to = continue_to.replace("&amp;", "&")
    answer = browser.post(
        BASE + "/idp/login",
        data={"continue": continue_to, "username": "alice", "password": "alice-pass"},
        timeout=10,
    )
    return answer.text


def walk(browser, url):
    """Follows the IdP from the AuthnRequest URL: (signed in again?, Response)."""
    answer = browser.get(url, allow_redirects=False, timeout=10)
    if answer.status_code in (302, 303):
        location = answer.headers["Location"]
        if location.startswith("/"):
            location = BASE + location
        return True, saml_response(sign_in(browser, location))
    if answer.status_code != 200:
        raise SystemExit(f"IdP answered {answer.status_code}: {answer.text[:2000]}")
    return False, saml_response(answer.text)


# --------------------------------------------------------------------------
# pysaml2
# --------------------------------------------------------------------------


def pysaml2_cases():
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.client import Saml2Client
    from saml2.config import SPConfig
    from saml2.metadata import create_metadata_string

    def client(entity, signed):
        conf = SPConfig()
        conf.load(
            {
                "entityid": entity,
                "service": {
                    "sp": {
                        "endpoints": {"assertion_consumer_service": [(ACS, BINDING_HTTP_POST)]},
                        "authn_requests_signed": signed,
                    }
                },
                "key_file": KEY_FILE,
                "cert_file": CERT_FILE,
                "metadata": {"inline": [IDP_METADATA]},
                "xmlsec_binary": shutil.which("xmlsec1"),
            }
        )
        metadata = create_metadata_string(None, config=conf).decode()
        return Saml2Client(conf), metadata

    def run(saml, browser, **kwargs):
        request_id, info = saml.prepare_for_authenticate(
            entityid="urn:samlsim:idp", binding=BINDING_HTTP_REDIRECT, **kwargs
        )
        url = dict(info["headers"])["Location"]
        logged_in, response = walk(browser, url)
        try:
            parsed = saml.parse_authn_request_response(
                response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        except Exception as error:  # the library's own verdict, whatever it is
            return {"login": logged_in, "error": type(error).__name__, "message": str(error)}
        return {
            "login": logged_in,
            "name_id": parsed.name_id.text,
            "format": parsed.name_id.format,
        }

    out = {}
    saml, metadata = client("http://pysaml2.sp.test/metadata", False)
    register(metadata, "pysaml2")
    browser = requests.Session()
    out["passive_without_session"] = run(saml, browser, is_passive="true")
    out["default"] = run(saml, browser)
    out["passive_with_session"] = run(saml, browser, is_passive="true")
    out["force_authn"] = run(saml, browser, force_authn="true")
    out["email"] = run(
        saml, browser, nameid_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    )
    out["x509_name"] = run(
        saml, browser, nameid_format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
    )
    signed, metadata = client("http://pysaml2-signed.sp.test/metadata", True)
    registered = register(metadata, "pysaml2-signed")
    out["signed_registered"] = registered["want_authn_requests_signed"]
    out["signed"] = run(signed, browser)
    return out


# --------------------------------------------------------------------------
# python3-saml
# --------------------------------------------------------------------------


def python3_saml_cases():
    from onelogin.saml2.auth import OneLogin_Saml2_Auth
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
    from onelogin.saml2.settings import OneLogin_Saml2_Settings

    request_data = {
        "https": "off",
        "http_host": "localhost",
        "server_port": "8000",
        "script_name": "/acs",
        "get_data": {},
        "post_data": {},
    }

    def settings(entity, security, name_id_format=None):
        base = {
            "strict": True,
            "sp": {
                "entityId": entity,
                "assertionConsumerService": {
                    "url": ACS,
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                },
                "x509cert": CERT,
                "privateKey": KEY,
            },
            "security": security,
        }
        if name_id_format:
            base["sp"]["NameIDFormat"] = name_id_format
        idp = OneLogin_Saml2_IdPMetadataParser.parse(IDP_METADATA)
        idp.pop("sp", None)
        if security:
            # The parser turns the IdP's WantAuthnRequestsSigned into
            # authnRequestsSigned, which would override the SP's own choice.
            idp.pop("security", None)
        return OneLogin_Saml2_IdPMetadataParser.merge_settings(base, idp)

    def register_from(config, sp_id):
        metadata = OneLogin_Saml2_Settings(config).get_sp_metadata()
        if isinstance(metadata, bytes):
            metadata = metadata.decode()
        return register(metadata, sp_id)

    def run(config, browser, **kwargs):
        auth = OneLogin_Saml2_Auth(dict(request_data), config)
        url = auth.login(**kwargs)
        request_id = auth.get_last_request_id()
        logged_in, response = walk(browser, url)
        data = dict(request_data, post_data={"SAMLResponse": response})
        auth = OneLogin_Saml2_Auth(data, config)
        auth.process_response(request_id=request_id)
        result = {"login": logged_in, "errors": auth.get_errors()}
        if auth.get_errors():
            result["reason"] = auth.get_last_error_reason()
        else:
            result["authenticated"] = auth.is_authenticated()
            result["name_id"] = auth.get_nameid()
            result["format"] = auth.get_nameid_format()
        return result

    out = {}
    default = settings("http://python3-saml.sp.test/metadata", {})
    register_from(default, "python3-saml")
    browser = requests.Session()
    out["passive_without_session"] = run(default, browser, is_passive=True)
    out["default"] = run(default, browser)
    out["passive_with_session"] = run(default, browser, is_passive=True)
    out["force_authn"] = run(default, browser, force_authn=True)
    email = settings(
        "http://python3-saml-email.sp.test/metadata",
        {},
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    )
    register_from(email, "python3-saml-email")
    out["email"] = run(email, browser)
    signed = settings(
        "http://python3-saml-signed.sp.test/metadata",
        {"authnRequestsSigned": True, "wantAssertionsSigned": True, "wantMessagesSigned": True},
    )
    registered = register_from(signed, "python3-saml-signed")
    out["signed_registered"] = registered.get("want_authn_requests_signed", False)
    out["signed"] = run(signed, browser)
    return out


print(json.dumps({"pysaml2": pysaml2_cases(), "python3_saml": python3_saml_cases()}))
